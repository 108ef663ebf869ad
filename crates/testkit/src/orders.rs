//! A shop to order from: the demo fleet's first machine, online (a heartbeat with its own API key), and
//! helpers that make customer orders through the public routes, as a phone would.
#![expect(
    clippy::unwrap_used,
    reason = "test support: a helper fails the test loudly on the first surprise"
)]

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

/// Marks an order paid by `provider` in-process, as a provider's successful call would (the order locked,
/// `created -> paid`, its vend command queued, in one transaction): for tests of the machine's side that
/// do not play a provider.
///
/// # Panics
/// When the order cannot be paid.
pub async fn mark_paid(app: &TestApp, order_id: &str, provider: vendhub_domain::payments::Provider) {
    let id = order_id.to_owned();
    let settings = app.app.settings().payments.clone();
    let now = app.app.now();
    let events = app
        .app
        .write(move |c| {
            let found = vendhub_store::orders::find_any(c, &id)?.ok_or(vendhub_app::AppError::NotFound)?;
            let scope = vendhub_app::payments::order_scope(&found)?;
            let mut order =
                vendhub_store::orders::lock(c, &scope, &id)?.ok_or(vendhub_app::AppError::NotFound)?;
            vendhub_app::payments::apply(
                c,
                &scope,
                &mut order,
                provider,
                vendhub_app::payments::Effect::MarkPaid,
                &settings,
                now,
            )
        })
        .await
        .unwrap();
    vendhub_app::orders::publish_all(&app.app, &events).await;
}

/// Polls the machine's commands once without waiting: the `commands` array.
pub async fn commands(app: &TestApp, shop: &Shop) -> Vec<Value> {
    let res = app
        .client
        .get(app.url("/api/v1/gateway/commands?wait=0"))
        .header("x-api-key", &shop.key)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "commands: {}", res.status());
    let body: Value = res.json().await.unwrap();
    body["commands"].as_array().unwrap().clone()
}

/// Answers a command as the machine: (status, body).
pub async fn command_result(app: &TestApp, shop: &Shop, id: &str, body: Value) -> (StatusCode, Value) {
    let res = app
        .client
        .post(app.url(&format!("/api/v1/gateway/commands/{id}/result")))
        .header("x-api-key", &shop.key)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}
