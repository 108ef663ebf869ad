//! A shop to order from: the demo fleet's first machine, online (a heartbeat with its own API key), and
//! helpers that make customer orders through the public routes, as a phone would.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::api::{get, login, post};
use crate::{OWNER_EMAIL, OWNER_PASSWORD, TestApp};

/// A machine ready to sell: its ids, its API key and the slot with stock.
#[derive(Debug, Clone)]
pub struct Shop {
    /// The owner's bearer token.
    pub owner: String,
    pub organization_id: String,
    pub org_slug: String,
    pub machine_id: String,
    pub number: String,
    /// The machine's API key (`X-Api-Key`).
    pub key: String,
    /// A slot that can be ordered, its product and price (tiyin).
    pub slot: String,
    pub product_id: String,
    pub price: i64,
}

impl Shop {
    /// `/api/v1/public/machines/{number}…?org={slug}` with `rest` after the number.
    pub fn public_path(&self, rest: &str) -> String {
        format!(
            "/api/v1/public/machines/{}{rest}?org={}",
            self.number, self.org_slug
        )
    }
}

/// Seeds the demo fleet on `app` and readies its first machine. The app must not have been seeded.
///
/// # Panics
/// When any step is refused.
pub async fn shop(app: &TestApp) -> Shop {
    vendhub_app::demo::seed(&app.app).await.unwrap();
    let owner = login(app, OWNER_EMAIL, OWNER_PASSWORD).await;
    shop_of(app, &owner).await
}

/// Readies the first machine of the caller's organization (it must have a slot with stock).
///
/// # Panics
/// When any step is refused.
pub async fn shop_of(app: &TestApp, owner: &str) -> Shop {
    let (_, machines) = get(app, "/api/v1/machines?limit=1&sort=number", owner).await;
    let machine = machines["data"][0].clone();
    let machine_id = machine["id"].as_str().unwrap().to_owned();
    let number = machine["number"].as_str().unwrap().to_owned();
    let (status, made) = post(
        app,
        &format!("/api/v1/machines/{machine_id}/api-keys"),
        owner,
        json!({ "label": "shop" }),
    )
    .await;
    assert!(status.is_success(), "api key: {status} {made}");
    let key = made["key"].as_str().unwrap().to_owned();
    heartbeat(app, &machine_id, &key).await;
    let (_, org) = get(app, "/api/v1/organizations/current", owner).await;
    let org_slug = org["slug"].as_str().unwrap().to_owned();
    let menu: Value = app
        .get(&format!("/api/v1/public/machines/{number}?org={org_slug}"))
        .await
        .json()
        .await
        .unwrap();
    let item = menu["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["available"] == true)
        .unwrap_or_else(|| panic!("nothing to order in {menu}"))
        .clone();
    Shop {
        owner: owner.to_owned(),
        organization_id: org["id"].as_str().unwrap().to_owned(),
        org_slug,
        machine_id,
        number,
        key,
        slot: item["slot"].as_str().unwrap().to_owned(),
        product_id: item["product_id"].as_str().unwrap().to_owned(),
        price: item["price"].as_i64().unwrap(),
    }
}

/// A heartbeat from the machine, so it is in service.
///
/// # Panics
/// When the gateway refuses it.
pub async fn heartbeat(app: &TestApp, machine_id: &str, key: &str) {
    let res = app
        .client
        .post(app.url("/api/v1/gateway/events"))
        .header("x-api-key", key)
        .json(&json!({ "machine_id": machine_id,
            "events": [{ "type": "heartbeat", "id": uuid::Uuid::now_v7().to_string() }] }))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "heartbeat: {}", res.status());
}

/// Places an order for the shop's slot from client address `client` (`X-Forwarded-For` is believed only
/// behind trusted proxies, so tests that need several clients set `TRUSTED_PROXIES`): (status, body).
pub async fn try_order(app: &TestApp, shop: &Shop, client: Option<&str>) -> (StatusCode, Value) {
    let mut req = app
        .client
        .post(app.url(&shop.public_path("/orders")))
        .json(&json!({ "slot": shop.slot }));
    if let Some(ip) = client {
        req = req.header("x-forwarded-for", ip);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// Places an order for the shop's slot: the public order JSON (`id`, `amount`, `status`, `pay`, …).
///
/// # Panics
/// When the order is refused.
pub async fn order(app: &TestApp, shop: &Shop) -> Value {
    let (status, body) = try_order(app, shop, None).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

/// The order as its customer sees it.
pub async fn public_order(app: &TestApp, id: &str) -> Value {
    app.get(&format!("/api/v1/public/orders/{id}"))
        .await
        .json()
        .await
        .unwrap()
}
