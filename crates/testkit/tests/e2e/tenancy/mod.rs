//! Every id a request carries (in the path, the body, the query or a stock holder) resolves inside the
//! caller's organization, or answers exactly like an id that does not exist.
//!
//! Organization A has the demo fleet; organization B has a small fleet of its own, made through the API.
//! Each case sends B's request three times: with A's id, with an id that exists nowhere, and (where the
//! field is looked up) with B's own id. A's id must answer as the missing one and never succeed; B's own
//! id must answer differently, which proves the request reached the lookup instead of being refused
//! before it. The OpenAPI document lists every id the API takes; a test fails when one is not covered.

mod cases;
mod fields;
mod paths;
mod requests;

use reqwest::Method;
use serde_json::{Value, json};
use vendhub_testkit::api::{TINY_PNG, call, get, login, other_organization};
use vendhub_testkit::{OWNER_EMAIL, OWNER_PASSWORD, TestApp};

pub(super) const PASSWORD: &str = "tenancy-pass-2026";
pub(super) const DEX: &str = include_str!("../../../../domain/tests/fixtures/dex/sielaff.eva_dts");

/// One organization's ids, by kind.
#[derive(Debug, Clone, Default)]
pub(super) struct Ids {
    pub(super) org: String,
    pub(super) machine: String,
    /// A second machine (a planogram to copy from).
    pub(super) other_machine: String,
    pub(super) slot: String,
    pub(super) key_id: String,
    /// The raw key of `machine`.
    pub(super) key: String,
    pub(super) location: String,
    pub(super) warehouse: String,
    pub(super) product: String,
    pub(super) category: String,
    pub(super) operator: String,
    pub(super) template: String,
    /// A task assigned to the operator, in progress, with one item.
    pub(super) task: String,
    pub(super) task_item: String,
    /// A photo of `task`.
    pub(super) photo: String,
    /// A task nobody is assigned to yet.
    pub(super) open_task: String,
    pub(super) stocktake: String,
    pub(super) collection: String,
    pub(super) session: String,
    /// A customer order on `machine`.
    pub(super) order: String,
}

/// Every id of A's, by kind (the values a filter is tried with).
#[derive(Debug, Default)]
pub(super) struct Pool {
    pub(super) machines: Vec<String>,
    pub(super) users: Vec<String>,
    pub(super) products: Vec<String>,
    pub(super) warehouses: Vec<String>,
    pub(super) locations: Vec<String>,
    pub(super) tasks: Vec<String>,
}

pub(super) fn all_ids(list: &Value) -> Vec<String> {
    list.get("data")
        .unwrap_or(list)
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["id"].as_str().map(str::to_owned))
        .collect()
}

pub(super) async fn pool(app: &TestApp, owner: &str) -> Pool {
    let ids = |path: &'static str| async move { all_ids(&get(app, path, owner).await.1) };
    Pool {
        machines: ids("/api/v1/machines?limit=100").await,
        users: ids("/api/v1/users?limit=100").await,
        products: ids("/api/v1/products?limit=100").await,
        warehouses: ids("/api/v1/warehouses").await,
        locations: ids("/api/v1/locations").await,
        tasks: ids("/api/v1/tasks?limit=100").await,
    }
}

pub(super) struct World {
    pub(super) app: TestApp,
    /// A's ids of every kind, and the token of an operator of A's with tasks (for `/tasks/my`).
    pub(super) pool: Pool,
    pub(super) a_operator: String,
    pub(super) doc: Value,
    pub(super) a: String,
    pub(super) b: String,
    pub(super) ids_a: Ids,
    pub(super) ids_b: Ids,
}

pub(super) fn first_id(list: &Value) -> String {
    list.get("data")
        .unwrap_or(list)
        .as_array()
        .and_then(|a| a.iter().find_map(|i| i["id"].as_str()))
        .unwrap_or_else(|| panic!("no id in {list}"))
        .to_owned()
}

pub(super) async fn ok(app: &TestApp, method: Method, path: &str, token: &str, body: Option<Value>) -> Value {
    let (status, answer) = call(app, method.clone(), path, token, body).await;
    assert!(status.is_success(), "{method} {path}: {status} {answer}");
    answer
}

/// An operator of the organization, signed in: (id, token).
pub(super) async fn operator(app: &TestApp, owner: &str, email: &str) -> (String, String) {
    let made = ok(
        app,
        Method::POST,
        "/api/v1/users",
        owner,
        Some(json!({ "email": email, "full_name": "Field Operator", "password": PASSWORD, "role": "operator" })),
    )
    .await;
    (
        made["id"].as_str().unwrap().to_owned(),
        login(app, email, PASSWORD).await,
    )
}

/// B's own small fleet, made through the API: a location, a warehouse with stock, a category, a product,
/// two machines with a planogram, an operator.
pub(super) async fn furnish_b(app: &TestApp, b: &str) {
    let location = ok(
        app,
        Method::POST,
        "/api/v1/locations",
        b,
        Some(json!({ "name": "B mall" })),
    )
    .await;
    let warehouse = ok(
        app,
        Method::POST,
        "/api/v1/warehouses",
        b,
        Some(json!({ "name": "B store" })),
    )
    .await;
    let category = ok(
        app,
        Method::POST,
        "/api/v1/categories",
        b,
        Some(json!({ "name": "B drinks" })),
    )
    .await;
    let product = ok(
        app,
        Method::POST,
        "/api/v1/products",
        b,
        Some(
            json!({ "sku": "B-1", "name_uz": "Suv", "name_ru": "Вода", "name_en": "Water", "price": 500_000,
                     "category_id": category["id"] }),
        ),
    )
    .await;
    ok(
        app,
        Method::POST,
        "/api/v1/inventory/purchases",
        b,
        Some(json!({ "warehouse_id": warehouse["id"], "product_id": product["id"], "quantity": 50, "unit_cost": 300_000 })),
    )
    .await;
    let (op, _) = operator(app, b, "operator@b.test").await;
    for number in ["B-001", "B-002"] {
        let m = ok(
            app,
            Method::POST,
            "/api/v1/machines",
            b,
            Some(json!({ "number": number, "name": number, "machine_type": "drink",
                         "location_id": location["id"], "operator_id": op })),
        )
        .await;
        ok(
            app,
            Method::PUT,
            &format!("/api/v1/machines/{}/planogram", m["id"].as_str().unwrap()),
            b,
            Some(json!({ "slots": [{ "slot": "A1", "product_id": product["id"], "capacity": 10, "par_level": 8 }] })),
        )
        .await;
    }
}

#[expect(clippy::too_many_lines, reason = "one organization's setup, step by step")]
/// What both organizations get the same way: a machine key, a product image, a template, a stocktake, an
/// operator's task in progress with an item; then every id, read back from the API.
pub(super) async fn ids_of(app: &TestApp, owner: &str, slug: &str) -> Ids {
    let machines = get(app, "/api/v1/machines?limit=100", owner).await.1;
    let machines: Vec<&Value> = machines["data"].as_array().unwrap().iter().collect();
    let machine = machines[0]["id"].as_str().unwrap().to_owned();
    let other_machine = machines[1]["id"].as_str().unwrap().to_owned();
    let planogram = get(app, &format!("/api/v1/machines/{machine}/planogram"), owner)
        .await
        .1;
    let slots = planogram.get("slots").unwrap_or(&planogram);
    let slot = slots[0]["slot"]
        .as_str()
        .unwrap_or_else(|| panic!("no slot in {planogram}"))
        .to_owned();
    let product = slots[0]["product_id"].as_str().unwrap().to_owned();
    let made = ok(
        app,
        Method::POST,
        &format!("/api/v1/machines/{machine}/api-keys"),
        owner,
        Some(json!({ "label": "box" })),
    )
    .await;
    let key = made["key"].as_str().unwrap().to_owned();
    let key_id = made["id"].as_str().unwrap().to_owned();
    let res = app
        .client
        .put(app.url(&format!("/api/v1/products/{product}/image")))
        .bearer_auth(owner)
        .header("content-type", "image/png")
        .body(TINY_PNG.to_vec())
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    let template = ok(
        app,
        Method::POST,
        "/api/v1/planogram-templates",
        owner,
        Some(json!({ "name": format!("{slug} template"),
                     "slots": [{ "slot": "A1", "product_id": product, "capacity": 10, "par_level": 8 }] })),
    )
    .await;
    let warehouse = first_id(&get(app, "/api/v1/warehouses", owner).await.1);
    let stocktake = ok(
        app,
        Method::POST,
        "/api/v1/inventory/stocktakes",
        owner,
        Some(json!({ "holder": format!("warehouse:{warehouse}") })),
    )
    .await;
    let (operator, operator_token) = operator(app, owner, &format!("field@{slug}.test")).await;
    // The operator carries some stock.
    ok(
        app,
        Method::POST,
        "/api/v1/inventory/purchases",
        owner,
        Some(json!({ "warehouse_id": warehouse, "product_id": product, "quantity": 5, "unit_cost": 100 })),
    )
    .await;
    ok(
        app,
        Method::POST,
        "/api/v1/inventory/transfers",
        owner,
        Some(
            json!({ "from": format!("warehouse:{warehouse}"), "to": format!("operator:{operator}"),
                     "product_id": product, "quantity": 2 }),
        ),
    )
    .await;
    let task = ok(
        app,
        Method::POST,
        "/api/v1/tasks",
        owner,
        Some(json!({ "task_type": "audit", "machine_id": machine, "assignee_id": operator,
                     "requires_photos": false, "items": [{ "product_id": product, "planned_qty": 1, "slot": slot }] })),
    )
    .await;
    let task_id = task["id"].as_str().unwrap().to_owned();
    let open_task = ok(
        app,
        Method::POST,
        "/api/v1/tasks",
        owner,
        Some(json!({ "task_type": "audit", "machine_id": machine, 
                     "requires_photos": false, "items": [{ "product_id": product, "planned_qty": 1, "slot": slot }] })),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(
        app,
        Method::POST,
        &format!("/api/v1/tasks/{task_id}/start"),
        &operator_token,
        Some(json!({})),
    )
    .await;
    let photo = app
        .client
        .post(app.url(&format!("/api/v1/tasks/{task_id}/photos")))
        .bearer_auth(owner)
        .multipart(
            reqwest::multipart::Form::new().text("category", "before").part(
                "file",
                reqwest::multipart::Part::bytes(TINY_PNG.to_vec())
                    .file_name("p.png")
                    .mime_str("image/png")
                    .unwrap(),
            ),
        )
        .send()
        .await
        .unwrap();
    assert!(photo.status().is_success(), "{}", photo.status());
    let photo = photo.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let task = get(app, &format!("/api/v1/tasks/{task_id}"), owner).await.1;
    let collections = get(app, "/api/v1/cash-collections", owner).await.1;
    let me = get(app, "/api/v1/auth/me", owner).await.1;
    let holders = [
        format!("warehouse:{warehouse}"),
        format!("operator:{operator}"),
        format!("slot:{machine}:{slot}"),
    ];
    for pair in holders.windows(2) {
        ok(
            app,
            Method::POST,
            "/api/v1/inventory/transfers",
            owner,
            Some(json!({ "from": pair[0], "to": pair[1], "product_id": product, "quantity": 1 })),
        )
        .await;
    }
    let order = customer_order(app, owner, machines[0], &key).await;
    Ids {
        org: me["organization_id"].as_str().unwrap().to_owned(),
        machine,
        other_machine,
        slot,
        key_id,
        key,
        location: first_id(&get(app, "/api/v1/locations", owner).await.1),
        warehouse,
        product,
        category: ok(
            app,
            Method::POST,
            "/api/v1/categories",
            owner,
            Some(json!({ "name": format!("{slug} snacks") })),
        )
        .await["id"]
            .as_str()
            .unwrap()
            .to_owned(),
        operator,
        template: template["id"].as_str().unwrap().to_owned(),
        task: task_id,
        open_task,
        task_item: task["items"][0]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no item in {task}"))
            .to_owned(),
        photo,
        stocktake: stocktake["id"].as_str().unwrap().to_owned(),
        collection: collections["data"][0]["id"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_default(),
        session: first_id(&get(app, "/api/v1/auth/sessions", owner).await.1),
        order,
    }
}

/// A customer's order for `slot` of `machine` (brought online by a heartbeat with its key).
async fn customer_order(app: &TestApp, owner: &str, machine: &Value, key: &str) -> String {
    let beat = app
        .client
        .post(app.url("/api/v1/gateway/events"))
        .header("x-api-key", key)
        .json(&json!({ "machine_id": machine["id"],
            "events": [{ "type": "heartbeat", "id": uuid::Uuid::now_v7().to_string() }] }))
        .send()
        .await
        .unwrap();
    assert!(beat.status().is_success(), "heartbeat: {}", beat.status());
    let org = get(app, "/api/v1/organizations/current", owner).await.1;
    let number = machine["number"].as_str().unwrap();
    let slug = org["slug"].as_str().unwrap();
    let menu: Value = app
        .get(&format!("/api/v1/public/machines/{number}?org={slug}"))
        .await
        .json()
        .await
        .unwrap();
    let slot = menu["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["available"] == true)
        .unwrap_or_else(|| panic!("nothing to order in {menu}"))["slot"]
        .clone();
    let res = app
        .client
        .post(app.url(&format!("/api/v1/public/machines/{number}/orders?org={slug}")))
        .json(&json!({ "slot": slot }))
        .send()
        .await
        .unwrap();
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert!(status.is_success(), "order: {status} {body}");
    body["id"].as_str().unwrap().to_owned()
}

pub(super) async fn world() -> World {
    // Hundreds of requests from one caller: the general limit is not what this test is about.
    let app = TestApp::builder()
        .env("RATE_LIMIT_LIMIT", "1000000")
        .spawn()
        .await;
    vendhub_app::demo::seed(&app.app).await.unwrap();
    let a = login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let (_, b) = other_organization(&app, "b", PASSWORD).await;
    furnish_b(&app, &b).await;
    let ids_a = ids_of(&app, &a, "a").await;
    let ids_b = ids_of(&app, &b, "b").await;
    assert!(
        !ids_a.collection.is_empty(),
        "the demo fleet has cash collections"
    );
    let doc: Value = app.get("/openapi.json").await.json().await.unwrap();
    let pool = pool(&app, &a).await;
    let a_operator = login(&app, "field@a.test", PASSWORD).await;
    World {
        app,
        pool,
        a_operator,
        doc,
        a,
        b,
        ids_a,
        ids_b,
    }
}
