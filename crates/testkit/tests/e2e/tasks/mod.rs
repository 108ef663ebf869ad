//! Field tasks through the API: the state table, who may act, photo proof, completion in one transaction
//! (refill stock, collection cash), rejection reversing it, and cash collections: one file per sub-area,
//! with the fixtures they share here.

mod audits;
mod automation;
mod collections;
mod refills;
mod state;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use vendhub_testkit::api::{get, login, machine_id, post, send_bytes, slot_list};
use vendhub_testkit::{OWNER_EMAIL, OWNER_PASSWORD, TestApp};

const PASSWORD: &str = "tasks-e2e-pass-2026";

/// The demo fleet, the owner's token, and two operators of our own: (id, token) each.
struct Field {
    app: TestApp,
    owner: String,
    op1: (String, String),
    op2: (String, String),
    warehouse: String,
}

async fn operator(app: &TestApp, owner: &str, email: &str) -> (String, String) {
    let (status, u) = post(
        app,
        "/api/v1/users",
        owner,
        json!({ "email": email, "full_name": "Field Operator", "password": PASSWORD, "role": "operator" }),
    )
    .await;
    assert_eq!(status, 201, "{u}");
    (
        u["id"].as_str().unwrap().to_owned(),
        login(app, email, PASSWORD).await,
    )
}

async fn field_on(app: TestApp) -> Field {
    vendhub_app::demo::seed(&app.app).await.unwrap();
    let owner = login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let op1 = operator(&app, &owner, "op1@tasks.test").await;
    let op2 = operator(&app, &owner, "op2@tasks.test").await;
    let (_, warehouses) = get(&app, "/api/v1/warehouses", &owner).await;
    let warehouse = warehouses[0]["id"].as_str().unwrap().to_owned();
    Field {
        app,
        owner,
        op1,
        op2,
        warehouse,
    }
}

async fn field() -> Field {
    field_on(TestApp::spawn().await).await
}

/// A machine's id and its slots `(code, product, quantity)` with stock.
async fn machine(f: &Field, number: &str) -> (String, Vec<(String, String, i64)>) {
    let id = machine_id(&f.app, &f.owner, number).await;
    let (_, inv) = get(&f.app, &format!("/api/v1/machines/{id}/inventory"), &f.owner).await;
    (id, slot_list(&inv))
}

async fn slot_qty(f: &Field, machine: &str, slot: &str) -> i64 {
    let (_, inv) = get(&f.app, &format!("/api/v1/machines/{machine}/inventory"), &f.owner).await;
    inv.as_array()
        .unwrap()
        .iter()
        .find(|s| s["slot"] == slot)
        .unwrap()["quantity"]
        .as_i64()
        .unwrap()
}

async fn operator_qty(f: &Field, operator: &str, product: &str) -> i64 {
    let (_, stock) = get(
        &f.app,
        &format!("/api/v1/inventory/operator?operator_id={operator}"),
        &f.owner,
    )
    .await;
    stock
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["product_id"] == product)
        .map_or(0, |b| b["quantity"].as_i64().unwrap())
}

/// Gives an operator `qty` of a product from the warehouse.
async fn stock_operator(f: &Field, operator: &str, product: &str, qty: i64) {
    let (status, body) = post(
        &f.app,
        "/api/v1/inventory/transfers",
        &f.owner,
        json!({ "product_id": product, "from": format!("warehouse:{}", f.warehouse),
            "to": format!("operator:{operator}"), "quantity": qty }),
    )
    .await;
    assert_eq!(status, 201, "{body}");
}

async fn create(f: &Field, body: Value) -> Value {
    let (status, t) = post(&f.app, "/api/v1/tasks", &f.owner, body).await;
    assert_eq!(status, 201, "{t}");
    t
}

/// A multipart photo upload.
async fn photo(f: &Field, token: &str, task: &str, category: &str, file: &[u8]) -> (StatusCode, Value) {
    let boundary = "vendhub-test-boundary";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"category\"\r\n\r\n{category}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"latitude\"\r\n\r\n41.31\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"longitude\"\r\n\r\n69.25\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.png\"\r\n\
             Content-Type: image/png\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    send_bytes(
        &f.app,
        Method::POST,
        &format!("/api/v1/tasks/{task}/photos"),
        token,
        &format!("multipart/form-data; boundary={boundary}"),
        body,
    )
    .await
}
