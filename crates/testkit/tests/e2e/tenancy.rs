//! Every id a request carries (in the path, the body, the query or a stock holder) resolves inside the
//! caller's organization, or answers exactly like an id that does not exist.
//!
//! Organization A has the demo fleet; organization B has a small fleet of its own, made through the API.
//! Each case sends B's request three times: with A's id, with an id that exists nowhere, and (where the
//! field is looked up) with B's own id. A's id must answer as the missing one and never succeed; B's own
//! id must answer differently, which proves the request reached the lookup instead of being refused
//! before it. The OpenAPI document lists every id the API takes; a test fails when one is not covered.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use vendhub_testkit::{OWNER_EMAIL, OWNER_PASSWORD, TestApp};

use vendhub_testkit::api::{TINY_PNG, call, get, login, other_organization, valid_value};

const PASSWORD: &str = "tenancy-pass-2026";
const DEX: &str = include_str!("../../../domain/tests/fixtures/dex/sielaff.eva_dts");

/// One organization's ids, by kind.
#[derive(Debug, Clone, Default)]
struct Ids {
    org: String,
    machine: String,
    /// A second machine (a planogram to copy from).
    other_machine: String,
    slot: String,
    key_id: String,
    /// The raw key of `machine`.
    key: String,
    location: String,
    warehouse: String,
    product: String,
    category: String,
    operator: String,
    template: String,
    /// A task assigned to the operator, in progress, with one item.
    task: String,
    task_item: String,
    /// A task nobody is assigned to yet.
    open_task: String,
    stocktake: String,
    collection: String,
    session: String,
}

/// Every id of A's, by kind (the values a filter is tried with).
#[derive(Debug, Default)]
struct Pool {
    machines: Vec<String>,
    users: Vec<String>,
    products: Vec<String>,
    warehouses: Vec<String>,
    locations: Vec<String>,
    tasks: Vec<String>,
}

fn all_ids(list: &Value) -> Vec<String> {
    list.get("data")
        .unwrap_or(list)
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["id"].as_str().map(str::to_owned))
        .collect()
}

async fn pool(app: &TestApp, owner: &str) -> Pool {
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

struct World {
    app: TestApp,
    /// A's ids of every kind, and the token of an operator of A's with tasks (for `/tasks/my`).
    pool: Pool,
    a_operator: String,
    doc: Value,
    a: String,
    b: String,
    ids_a: Ids,
    ids_b: Ids,
}

fn first_id(list: &Value) -> String {
    list.get("data")
        .unwrap_or(list)
        .as_array()
        .and_then(|a| a.iter().find_map(|i| i["id"].as_str()))
        .unwrap_or_else(|| panic!("no id in {list}"))
        .to_owned()
}

async fn ok(app: &TestApp, method: Method, path: &str, token: &str, body: Option<Value>) -> Value {
    let (status, answer) = call(app, method.clone(), path, token, body).await;
    assert!(status.is_success(), "{method} {path}: {status} {answer}");
    answer
}

/// An operator of the organization, signed in: (id, token).
async fn operator(app: &TestApp, owner: &str, email: &str) -> (String, String) {
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
async fn furnish_b(app: &TestApp, b: &str) {
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
async fn ids_of(app: &TestApp, owner: &str, slug: &str) -> Ids {
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
    let task = get(app, &format!("/api/v1/tasks/{task_id}"), owner).await.1;
    let collections = get(app, "/api/v1/cash-collections", owner).await.1;
    let me = get(app, "/api/v1/auth/me", owner).await.1;
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
        stocktake: stocktake["id"].as_str().unwrap().to_owned(),
        collection: collections["data"][0]["id"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_default(),
        session: first_id(&get(app, "/api/v1/auth/sessions", owner).await.1),
    }
}

async fn world() -> World {
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

/// What an answer is, for comparing two: status, problem code and detail (a body that is not a problem
/// is compared whole).
fn gist(status: StatusCode, body: &Value) -> (u16, Value) {
    let what = if body.get("code").is_some() {
        json!([body["code"], body["detail"], body["errors"]])
    } else {
        body.clone()
    };
    (status.as_u16(), what)
}

/// [`gist`] with the value sent written as `<id>`, for answers that name the value they were given.
fn gist_sent(status: StatusCode, body: &Value, sent: &str) -> (u16, Value) {
    let (status, what) = gist(status, body);
    let text = what.to_string().replace(sent, "<id>");
    (status, serde_json::from_str(&text).unwrap_or(what))
}

/// Sends one request: JSON, multipart (a photo), raw PNG (an image) or DEX text, as the operation takes.
async fn send(
    w: &World,
    m: &Method,
    path: &str,
    token: &str,
    body: Option<&Value>,
    as_machine: bool,
) -> (StatusCode, Value) {
    let mut req = w.app.client.request(m.clone(), w.app.url(path));
    req = if as_machine {
        req.header("x-api-key", token)
    } else {
        req.bearer_auth(token)
    };
    if path.ends_with("/image") && *m == Method::PUT {
        req = req.header("content-type", "image/png").body(TINY_PNG.to_vec());
    } else if path.ends_with("/photos") {
        let boundary = "tenancy-boundary";
        let mut form = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"category\"\r\n\r\nbefore\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.png\"\r\n\
             Content-Type: image/png\r\n\r\n"
        )
        .into_bytes();
        form.extend_from_slice(TINY_PNG);
        form.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        req = req
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(form);
    } else if path.contains("/gateway/dex") {
        req = req.header("content-type", "text/plain").body(DEX);
    } else if let Some(b) = body {
        req = req.json(b);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// A path with its parameters taken from `ids`; `{id}` by the collection the path belongs to.
fn fill(path: &str, ids: &Ids) -> String {
    let id = if path.starts_with("/api/v1/machines/") || path.starts_with("/api/v1/inventory/machine/") {
        &ids.machine
    } else if path.starts_with("/api/v1/locations/") {
        &ids.location
    } else if path.starts_with("/api/v1/warehouses/") {
        &ids.warehouse
    } else if path.starts_with("/api/v1/products/") {
        &ids.product
    } else if path.starts_with("/api/v1/categories/") {
        &ids.category
    } else if path.starts_with("/api/v1/planogram-templates/") {
        &ids.template
    } else if path.starts_with("/api/v1/tasks/") {
        &ids.task
    } else if path.starts_with("/api/v1/inventory/stocktakes/") {
        &ids.stocktake
    } else if path.starts_with("/api/v1/cash-collections/") {
        &ids.collection
    } else if path.starts_with("/api/v1/auth/sessions/") {
        &ids.session
    } else if path.starts_with("/api/v1/users/") {
        &ids.operator
    } else {
        panic!("no id kind for {path}: add it here")
    };
    path.replace("{id}", id)
        .replace("{key_id}", &ids.key_id)
        .replace("{slot}", &ids.slot)
}

/// The same path with every id replaced by one that exists nowhere (the slot stays: it names a place).
fn fill_missing(path: &str) -> String {
    let none = Ids {
        machine: uuid::Uuid::now_v7().to_string(),
        location: uuid::Uuid::now_v7().to_string(),
        warehouse: uuid::Uuid::now_v7().to_string(),
        product: uuid::Uuid::now_v7().to_string(),
        category: uuid::Uuid::now_v7().to_string(),
        template: uuid::Uuid::now_v7().to_string(),
        task: uuid::Uuid::now_v7().to_string(),
        stocktake: uuid::Uuid::now_v7().to_string(),
        collection: uuid::Uuid::now_v7().to_string(),
        session: uuid::Uuid::now_v7().to_string(),
        operator: uuid::Uuid::now_v7().to_string(),
        key_id: uuid::Uuid::now_v7().to_string(),
        slot: "A1".into(),
        ..Ids::default()
    };
    fill(path, &none)
}

/// A body whose id fields hold the caller's own ids, so that only the path's id can be the one not found.
fn with_own_ids(mut body: Value, own: &Ids) -> Value {
    match &mut body {
        Value::Object(fields) => {
            for (name, value) in fields.iter_mut() {
                let id = match name.as_str() {
                    "product_id" => Some(own.product.clone()),
                    "machine_id" | "from_machine_id" => Some(own.machine.clone()),
                    "location_id" => Some(own.location.clone()),
                    "operator_id" | "assignee_id" => Some(own.operator.clone()),
                    "category_id" => Some(own.category.clone()),
                    "warehouse_id" => Some(own.warehouse.clone()),
                    "item_id" => Some(own.task_item.clone()),
                    "from_template_id" => Some(own.template.clone()),
                    "organization_id" => Some(own.org.clone()),
                    "slot" => Some(own.slot.clone()),
                    "holder" | "from" | "to" if value.is_string() => {
                        Some(holder("warehouse", &own.warehouse))
                    }
                    _ => None,
                };
                *value = match id {
                    Some(id) => Value::String(id),
                    None => with_own_ids(value.take(), own),
                };
            }
        }
        Value::Array(items) => {
            for item in items.iter_mut() {
                *item = with_own_ids(item.take(), own);
            }
        }
        _ => {}
    }
    body
}

/// (method, path, operation) of every operation with a parameter in its path, behind authentication.
fn path_operations(doc: &Value) -> Vec<(Method, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/api/v1/") || !path.contains('{') {
            continue;
        }
        for (method, op) in item.as_object().unwrap() {
            if op.get("x-permission") == Some(&json!("public")) {
                continue;
            }
            out.push((method.to_uppercase().parse().unwrap(), path.clone(), op.clone()));
        }
    }
    // Deletions last, so that the other operations still find what they look for.
    out.sort_by_key(|(m, ..)| *m == Method::DELETE);
    out
}

#[tokio::test]
async fn every_path_id_of_another_organization_answers_404_like_a_missing_one() {
    let w = world().await;
    let mut checked = 0;
    for (m, path, op) in path_operations(&w.doc) {
        let body = op
            .pointer("/requestBody/content/application~1json/schema")
            .map(|s| {
                let mut body = valid_value(&w.doc, s, 0);
                // One of two optional fields is required: the schema cannot say which.
                if path.ends_with("/planogram/copy") {
                    body["from_template_id"] = json!("");
                }
                with_own_ids(body, &w.ids_b)
            });
        let foreign = send(&w, &m, &fill(&path, &w.ids_a), &w.b, body.as_ref(), false).await;
        let missing = send(&w, &m, &fill_missing(&path), &w.b, body.as_ref(), false).await;
        assert_eq!(
            foreign.0,
            StatusCode::NOT_FOUND,
            "{m} {path} with A's ids, as B, with a valid body {body:?}: {}",
            foreign.1
        );
        assert_eq!(
            gist(foreign.0, &foreign.1),
            gist(missing.0, &missing.1),
            "{m} {path}: A's ids answer differently from missing ones"
        );
        checked += 1;
    }
    assert!(checked >= 50, "{checked}");
    // The same ids are real: A finds each of them (read operations only, so nothing of A's changes).
    for (m, path, _) in path_operations(&w.doc) {
        if m == Method::GET {
            let (status, body) = send(&w, &m, &fill(&path, &w.ids_a), &w.a, None, false).await;
            assert!(status.is_success(), "{m} {path} as A: {status} {body}");
        }
    }
}

/// Where a case puts the id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum In {
    Query,
    Body,
}

/// Builds a request (path, body) with a given value in the case's field.
type Build = Box<dyn Fn(&str) -> (String, Option<Value>)>;

/// One id-carrying field of one operation: how to build B's request with a given value in that field.
struct Case {
    method: Method,
    /// The documented path template (for coverage), and the path to send (B's ids filled in).
    template: &'static str,
    field: &'static str,
    place: In,
    /// The request for a value of the field: (path, body).
    build: Build,
    /// A's values to try (one for a body; for a filter, every id of that kind A has), and B's own (None:
    /// the field is a filter, and B's own proves nothing).
    a: Vec<String>,
    b: Option<String>,
    /// Sent with the machine key instead of the owner's token.
    as_machine: bool,
}

fn holder(kind: &str, id: &str) -> String {
    format!("{kind}:{id}")
}

#[expect(
    clippy::too_many_lines,
    clippy::many_single_char_names,
    reason = "one entry per id-carrying field of the API; a and b are the two organizations"
)]
fn cases(w: &World) -> Vec<Case> {
    let (a, b) = (w.ids_a.clone(), w.ids_b.clone());
    let mut out = Vec::new();
    let mut add = |method: Method,
                   template: &'static str,
                   field: &'static str,
                   place: In,
                   a: Vec<String>,
                   own: Option<String>,
                   build: Build| {
        out.push(Case {
            method,
            template,
            field,
            place,
            build,
            a,
            b: own,
            as_machine: template.starts_with("/api/v1/gateway/"),
        });
    };
    // Filters: A's id finds nothing of A's.
    let pool = &w.pool;
    let holders: Vec<String> = pool
        .warehouses
        .iter()
        .map(|id| holder("warehouse", id))
        .chain(pool.users.iter().map(|id| holder("operator", id)))
        .chain(pool.machines.iter().map(|id| holder("slot", &format!("{id}:A1"))))
        .collect();
    for (template, field, values) in [
        ("/api/v1/cash-collections", "machine_id", &pool.machines),
        ("/api/v1/cash-collections", "operator_id", &pool.users),
        ("/api/v1/cash-collections/totals", "machine_id", &pool.machines),
        ("/api/v1/cash-collections/totals", "operator_id", &pool.users),
        ("/api/v1/inventory/movements", "product_id", &pool.products),
        ("/api/v1/inventory/movements", "holder", &holders),
        ("/api/v1/inventory/movements", "reference_id", &pool.tasks),
        ("/api/v1/inventory/operator", "operator_id", &pool.users),
        ("/api/v1/inventory/prekit", "operator_id", &pool.users),
        ("/api/v1/inventory/warehouse", "warehouse_id", &pool.warehouses),
        ("/api/v1/machines", "location_id", &pool.locations),
        ("/api/v1/tasks", "machine_id", &pool.machines),
        ("/api/v1/tasks", "assignee_id", &pool.users),
        ("/api/v1/tasks/my", "machine_id", &pool.machines),
        ("/api/v1/tasks/my", "assignee_id", &pool.users),
    ] {
        add(
            Method::GET,
            template,
            field,
            In::Query,
            values.clone(),
            None,
            Box::new(move |v| (format!("{template}?{field}={}", urlencode(v)), None)),
        );
    }
    let b_machine = b.machine.clone();
    add(
        Method::POST,
        "/api/v1/gateway/dex",
        "machine_id",
        In::Query,
        vec![a.machine.clone()],
        Some(b.machine.clone()),
        Box::new(|v| (format!("/api/v1/gateway/dex?machine_id={v}"), None)),
    );
    add(
        Method::POST,
        "/api/v1/gateway/events",
        "machine_id",
        In::Body,
        vec![a.machine.clone()],
        Some(b_machine),
        Box::new(|v| {
            (
                "/api/v1/gateway/events".into(),
                Some(
                    json!({ "machine_id": v, "events": [{ "id": uuid::Uuid::now_v7().to_string(), "type": "heartbeat" }] }),
                ),
            )
        }),
    );
    add(
        Method::POST,
        "/api/v1/auth/switch-organization",
        "organization_id",
        In::Body,
        vec![a.org.clone()],
        Some(b.org.clone()),
        Box::new(|v| {
            (
                "/api/v1/auth/switch-organization".into(),
                Some(json!({ "organization_id": v })),
            )
        }),
    );
    let (bw, bp) = (b.warehouse.clone(), b.product.clone());
    let purchase = move |w: String, p: String| {
        Some(json!({ "warehouse_id": w, "product_id": p, "quantity": 1, "unit_cost": 100 }))
    };
    {
        let bp = bp.clone();
        add(
            Method::POST,
            "/api/v1/inventory/purchases",
            "warehouse_id",
            In::Body,
            vec![a.warehouse.clone()],
            Some(bw.clone()),
            Box::new(move |v| {
                (
                    "/api/v1/inventory/purchases".into(),
                    purchase(v.into(), bp.clone()),
                )
            }),
        );
    }
    {
        let bw = bw.clone();
        add(
            Method::POST,
            "/api/v1/inventory/purchases",
            "product_id",
            In::Body,
            vec![a.product.clone()],
            Some(bp.clone()),
            Box::new(move |v| {
                (
                    "/api/v1/inventory/purchases".into(),
                    purchase(bw.clone(), v.into()),
                )
            }),
        );
    }
    add(
        Method::POST,
        "/api/v1/inventory/stocktakes",
        "holder",
        In::Body,
        vec![holder("warehouse", &a.warehouse)],
        Some(holder("operator", &b.operator)),
        Box::new(|v| {
            (
                "/api/v1/inventory/stocktakes".into(),
                Some(json!({ "holder": v })),
            )
        }),
    );
    let (from_b, to_b) = (holder("warehouse", &b.warehouse), holder("operator", &b.operator));
    let transfer = |from: String, to: String, p: String| {
        Some(json!({ "from": from, "to": to, "product_id": p, "quantity": 1 }))
    };
    {
        let (to_b, bp) = (to_b.clone(), bp.clone());
        add(
            Method::POST,
            "/api/v1/inventory/transfers",
            "from",
            In::Body,
            vec![holder("warehouse", &a.warehouse)],
            Some(from_b.clone()),
            Box::new(move |v| {
                (
                    "/api/v1/inventory/transfers".into(),
                    transfer(v.into(), to_b.clone(), bp.clone()),
                )
            }),
        );
    }
    {
        let (from_b, bp) = (from_b.clone(), bp.clone());
        add(
            Method::POST,
            "/api/v1/inventory/transfers",
            "to",
            In::Body,
            vec![holder("operator", &a.operator)],
            Some(to_b.clone()),
            Box::new(move |v| {
                (
                    "/api/v1/inventory/transfers".into(),
                    transfer(from_b.clone(), v.into(), bp.clone()),
                )
            }),
        );
    }
    {
        let (from_b, to_b) = (from_b.clone(), to_b.clone());
        add(
            Method::POST,
            "/api/v1/inventory/transfers",
            "product_id",
            In::Body,
            vec![a.product.clone()],
            Some(bp.clone()),
            Box::new(move |v| {
                (
                    "/api/v1/inventory/transfers".into(),
                    transfer(from_b.clone(), to_b.clone(), v.into()),
                )
            }),
        );
    }
    let write_off = |h: String, p: String| {
        Some(json!({ "holder": h, "product_id": p, "quantity": 1, "reason": "damaged" }))
    };
    {
        let bp = bp.clone();
        add(
            Method::POST,
            "/api/v1/inventory/write-offs",
            "holder",
            In::Body,
            vec![holder("warehouse", &a.warehouse)],
            Some(from_b.clone()),
            Box::new(move |v| {
                (
                    "/api/v1/inventory/write-offs".into(),
                    write_off(v.into(), bp.clone()),
                )
            }),
        );
    }
    {
        let from_b = from_b.clone();
        add(
            Method::POST,
            "/api/v1/inventory/write-offs",
            "product_id",
            In::Body,
            vec![a.product.clone()],
            Some(bp.clone()),
            Box::new(move |v| {
                (
                    "/api/v1/inventory/write-offs".into(),
                    write_off(from_b.clone(), v.into()),
                )
            }),
        );
    }
    // Machines: a new one, and B's own changed or moved.
    for (n, (method, template, field, a_value, own)) in [
        (
            Method::POST,
            "/api/v1/machines",
            "location_id",
            a.location.clone(),
            b.location.clone(),
        ),
        (
            Method::POST,
            "/api/v1/machines",
            "operator_id",
            a.operator.clone(),
            b.operator.clone(),
        ),
        (
            Method::PUT,
            "/api/v1/machines/{id}",
            "location_id",
            a.location.clone(),
            b.location.clone(),
        ),
        (
            Method::PUT,
            "/api/v1/machines/{id}",
            "operator_id",
            a.operator.clone(),
            b.operator.clone(),
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let path = template.replace("{id}", &b.other_machine);
        add(
            method,
            template,
            field,
            In::Body,
            vec![a_value],
            Some(own),
            Box::new(move |v| {
                let number = format!("B-NEW-{n}-{}", &uuid::Uuid::now_v7().simple().to_string()[24..]);
                (
                    path.clone(),
                    Some(json!({ "number": number, "name": "B machine", "machine_type": "drink", field: v })),
                )
            }),
        );
    }
    {
        let path = format!("/api/v1/machines/{}/move", b.other_machine);
        add(
            Method::POST,
            "/api/v1/machines/{id}/move",
            "location_id",
            In::Body,
            vec![a.location.clone()],
            Some(b.location.clone()),
            Box::new(move |v| (path.clone(), Some(json!({ "location_id": v })))),
        );
    }
    {
        let path = format!("/api/v1/machines/{}/planogram", b.other_machine);
        add(
            Method::PUT,
            "/api/v1/machines/{id}/planogram",
            "slots[].product_id",
            In::Body,
            vec![a.product.clone()],
            Some(bp.clone()),
            Box::new(move |v| {
                (
                    path.clone(),
                    Some(
                        json!({ "slots": [{ "slot": "A1", "product_id": v, "capacity": 10, "par_level": 8 }] }),
                    ),
                )
            }),
        );
    }
    {
        let path = format!("/api/v1/machines/{}/planogram/copy", b.other_machine);
        add(
            Method::POST,
            "/api/v1/machines/{id}/planogram/copy",
            "from_machine_id",
            In::Body,
            vec![a.machine.clone()],
            Some(b.machine.clone()),
            Box::new(move |v| (path.clone(), Some(json!({ "from_machine_id": v })))),
        );
        let path = format!("/api/v1/machines/{}/planogram/copy", b.other_machine);
        add(
            Method::POST,
            "/api/v1/machines/{id}/planogram/copy",
            "from_template_id",
            In::Body,
            vec![a.template.clone()],
            Some(b.template.clone()),
            Box::new(move |v| (path.clone(), Some(json!({ "from_template_id": v })))),
        );
    }
    {
        let path = format!("/api/v1/machines/{}/planogram/slots/A1", b.other_machine);
        add(
            Method::PUT,
            "/api/v1/machines/{id}/planogram/slots/{slot}",
            "product_id",
            In::Body,
            vec![a.product.clone()],
            Some(bp.clone()),
            Box::new(move |v| {
                (
                    path.clone(),
                    Some(json!({ "product_id": v, "capacity": 10, "par_level": 8 })),
                )
            }),
        );
    }
    add(
        Method::POST,
        "/api/v1/planogram-templates",
        "slots[].product_id",
        In::Body,
        vec![a.product.clone()],
        Some(bp.clone()),
        Box::new(|v| {
            (
                "/api/v1/planogram-templates".into(),
                Some(
                    json!({ "name": format!("B {}", uuid::Uuid::now_v7()), "slots": [{ "slot": "A1", "product_id": v, "capacity": 10, "par_level": 8 }] }),
                ),
            )
        }),
    );
    add(
        Method::POST,
        "/api/v1/products",
        "category_id",
        In::Body,
        vec![a.category.clone()],
        Some(b.category.clone()),
        Box::new(|v| {
            (
                "/api/v1/products".into(),
                Some(
                    json!({ "sku": format!("B-{}", uuid::Uuid::now_v7()), "name_uz": "x", "name_ru": "x", "name_en": "x", "price": 100, "category_id": v }),
                ),
            )
        }),
    );
    {
        let path = format!("/api/v1/products/{bp}");
        add(
            Method::PUT,
            "/api/v1/products/{id}",
            "category_id",
            In::Body,
            vec![a.category.clone()],
            Some(b.category.clone()),
            Box::new(move |v| {
                (
                    path.clone(),
                    Some(
                        json!({ "sku": "B-1", "name_uz": "Suv", "name_ru": "Вода", "name_en": "Water", "price": 500_000, "category_id": v }),
                    ),
                )
            }),
        );
    }
    // Tasks: a new one, and B's task in progress.
    let task = |machine: String, assignee: String, product: String| {
        Some(
            json!({ "task_type": "refill", "machine_id": machine, "assignee_id": assignee, "requires_photos": false,
                     "items": [{ "product_id": product, "planned_qty": 1, "slot": "A1" }] }),
        )
    };
    {
        let (op, p) = (b.operator.clone(), bp.clone());
        add(
            Method::POST,
            "/api/v1/tasks",
            "machine_id",
            In::Body,
            vec![a.machine.clone()],
            Some(b.machine.clone()),
            Box::new(move |v| ("/api/v1/tasks".into(), task(v.into(), op.clone(), p.clone()))),
        );
        let (m, p) = (b.machine.clone(), bp.clone());
        add(
            Method::POST,
            "/api/v1/tasks",
            "assignee_id",
            In::Body,
            vec![a.operator.clone()],
            Some(b.operator.clone()),
            Box::new(move |v| ("/api/v1/tasks".into(), task(m.clone(), v.into(), p.clone()))),
        );
        let (m, op) = (b.machine.clone(), b.operator.clone());
        add(
            Method::POST,
            "/api/v1/tasks",
            "items[].product_id",
            In::Body,
            vec![a.product.clone()],
            Some(bp.clone()),
            Box::new(move |v| ("/api/v1/tasks".into(), task(m.clone(), op.clone(), v.into()))),
        );
    }
    {
        let path = format!("/api/v1/tasks/{}/items", b.open_task);
        add(
            Method::PUT,
            "/api/v1/tasks/{id}/items",
            "items[].product_id",
            In::Body,
            vec![a.product.clone()],
            Some(bp.clone()),
            Box::new(move |v| {
                (
                    path.clone(),
                    Some(json!({ "items": [{ "product_id": v, "planned_qty": 2, "slot": "A1" }] })),
                )
            }),
        );
        let path = format!("/api/v1/tasks/{}/assign", b.open_task);
        add(
            Method::POST,
            "/api/v1/tasks/{id}/assign",
            "assignee_id",
            In::Body,
            vec![a.operator.clone()],
            Some(b.operator.clone()),
            Box::new(move |v| (path.clone(), Some(json!({ "assignee_id": v })))),
        );
        let path = format!("/api/v1/tasks/{}/complete", b.task);
        add(
            Method::POST,
            "/api/v1/tasks/{id}/complete",
            "items[].item_id",
            In::Body,
            vec![a.task_item.clone()],
            Some(b.task_item.clone()),
            Box::new(move |v| {
                (
                    path.clone(),
                    Some(json!({ "items": [{ "item_id": v, "actual_qty": 1 }] })),
                )
            }),
        );
    }
    {
        let path = format!("/api/v1/inventory/stocktakes/{}/counts", b.stocktake);
        add(
            Method::PUT,
            "/api/v1/inventory/stocktakes/{id}/counts",
            "counts[].product_id",
            In::Body,
            vec![a.product.clone()],
            Some(bp.clone()),
            Box::new(move |v| {
                (
                    path.clone(),
                    Some(json!({ "counts": [{ "product_id": v, "counted": 1 }] })),
                )
            }),
        );
    }
    out
}

fn urlencode(v: &str) -> String {
    v.replace(':', "%3A")
}

/// Every (method, path, place, field) of the document whose field carries an id: a name ending in `_id`,
/// a holder, or `from`/`to` that are not dates; inside arrays as `list[].field`.
fn id_fields(doc: &Value) -> BTreeSet<(String, String, In, String)> {
    fn resolve<'a>(doc: &'a Value, mut s: &'a Value) -> &'a Value {
        while let Some(r) = s.get("$ref").and_then(Value::as_str) {
            s = &doc["components"]["schemas"][r.rsplit('/').next().unwrap_or_default()];
        }
        s
    }
    fn is_id(name: &str, schema: &Value) -> bool {
        let date = schema
            .get("format")
            .and_then(Value::as_str)
            .is_some_and(|f| f.starts_with("date"));
        (name.ends_with("_id") || name == "holder" || name == "from" || name == "to") && !date
    }
    fn walk(doc: &Value, schema: &Value, prefix: &str, out: &mut Vec<String>) {
        let schema = resolve(doc, schema);
        for (name, p) in schema
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let p = resolve(doc, p);
            if p.get("type") == Some(&json!("array")) {
                walk(doc, &p["items"], &format!("{prefix}{name}[]."), out);
            } else if is_id(name, p) {
                out.push(format!("{prefix}{name}"));
            }
        }
    }
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op.get("x-permission") == Some(&json!("public")) {
                continue;
            }
            let m = method.to_uppercase();
            for p in op
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let name = p["name"].as_str().unwrap_or_default();
                if p["in"] == "query" && is_id(name, resolve(doc, &p["schema"])) {
                    out.insert((m.clone(), path.clone(), In::Query, name.to_owned()));
                }
            }
            if let Some(s) = op.pointer("/requestBody/content/application~1json/schema") {
                let mut fields = Vec::new();
                walk(doc, s, "", &mut fields);
                for f in fields {
                    out.insert((m.clone(), path.clone(), In::Body, f));
                }
            }
        }
    }
    out
}

#[tokio::test]
async fn ids_of_another_organization_in_bodies_queries_and_holders_answer_like_missing_ones() {
    let w = world().await;
    let cases = cases(&w);
    // Every id the document says a request carries has its case.
    let covered: BTreeSet<_> = cases
        .iter()
        .map(|c| {
            (
                c.method.to_string(),
                c.template.to_owned(),
                c.place,
                c.field.to_owned(),
            )
        })
        .collect();
    let missing: Vec<_> = id_fields(&w.doc).difference(&covered).cloned().collect();
    assert!(
        missing.is_empty(),
        "ids in requests with no tenancy case: {missing:?}"
    );

    let mut by_op: BTreeMap<String, usize> = BTreeMap::new();
    for c in &cases {
        let token = if c.as_machine { &w.ids_b.key } else { &w.b };
        let missing_value = if c.field.contains("holder") || c.field == "from" || c.field == "to" {
            let kind = c.a[0].split(':').next().unwrap_or_default();
            holder(kind, &uuid::Uuid::now_v7().to_string())
        } else {
            uuid::Uuid::now_v7().to_string()
        };
        let what = format!("{} {} {}", c.method, c.template, c.field);
        let (path, body) = (c.build)(&missing_value);
        let none = send(&w, &c.method, &path, token, body.as_ref(), c.as_machine).await;
        assert!(none.0.as_u16() < 500, "{what}: {none:?}");
        for value in &c.a {
            let (path, body) = (c.build)(value);
            let foreign = send(&w, &c.method, &path, token, body.as_ref(), c.as_machine).await;
            if c.b.is_some() {
                assert!(!foreign.0.is_success(), "{what}: A's id accepted: {}", foreign.1);
            }
            assert_eq!(
                gist_sent(foreign.0, &foreign.1, value),
                gist_sent(none.0, &none.1, &missing_value),
                "{what} = {value}: A's id answers differently from a missing one"
            );
        }
        if let Some(own) = &c.b {
            let (path, body) = (c.build)(own);
            let mine = send(&w, &c.method, &path, token, body.as_ref(), c.as_machine).await;
            assert_ne!(
                gist(mine.0, &mine.1),
                gist(none.0, &none.1),
                "{what}: B's own id answers as a missing one, so the case never reaches the lookup"
            );
        } else {
            // A filter: A, asking the same, sees rows for some of these ids, so a leak would show in B's.
            let a_token = if c.template.ends_with("/my") {
                &w.a_operator
            } else {
                &w.a
            };
            let mut seen_by_a = false;
            for value in &c.a {
                let (path, _) = (c.build)(value);
                let (status, seen) = send(&w, &c.method, &path, a_token, None, false).await;
                assert!(status.is_success(), "{what} as A: {status} {seen}");
                seen_by_a |= gist(status, &seen) != gist(none.0, &none.1);
            }
            assert!(
                seen_by_a,
                "{what}: A sees nothing with any of its ids, so a leak could not show"
            );
        }
        *by_op.entry(c.template.to_owned()).or_default() += 1;
    }
    assert!(by_op.len() >= 20, "{by_op:?}");
}
