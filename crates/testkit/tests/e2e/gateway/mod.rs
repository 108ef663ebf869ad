//! Machines talking: API keys, the gateway's event batches (sales, stock, status), DEX audits, offline
//! detection, on the demo fleet.

mod dex;
mod events;
mod keys;
mod metrics;
mod status;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use vendhub_testkit::TestApp;
use vendhub_testkit::api::{call, slot_list};

/// Sends a batch with a machine key.
async fn send_events(app: &TestApp, key: &str, machine: &str, events: Value) -> (StatusCode, Value) {
    let res = app
        .client
        .post(app.url("/api/v1/gateway/events"))
        .header("X-Api-Key", key)
        .json(&json!({ "machine_id": machine, "events": events }))
        .send()
        .await
        .unwrap();
    let status = res.status();
    let ct = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        assert_eq!(ct, "application/problem+json", "{status} {body}");
    }
    (status, body)
}

async fn new_key(app: &TestApp, token: &str, machine: &str) -> String {
    let (status, created) = call(
        app,
        Method::POST,
        &format!("/api/v1/machines/{machine}/api-keys"),
        token,
        Some(json!({ "label": "telemetry box" })),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    created["key"].as_str().unwrap().to_owned()
}

/// (slot, product, quantity) of a machine's slots.
async fn slots(app: &TestApp, token: &str, machine: &str) -> Vec<(String, String, i64)> {
    let (_, stock) = call(
        app,
        Method::GET,
        &format!("/api/v1/inventory/machine/{machine}"),
        token,
        None,
    )
    .await;
    slot_list(&stock)
}

async fn org_id(app: &TestApp, token: &str) -> String {
    let (_, org) = call(app, Method::GET, "/api/v1/organizations/current", token, None).await;
    org["id"].as_str().unwrap().to_owned()
}

async fn sales_of(app: &TestApp, token: &str, machine: &str) -> Vec<vendhub_store::sales::SaleRow> {
    let (org, machine) = (org_id(app, token).await, machine.to_owned());
    app.app
        .db()
        .run(move |c| {
            let f = vendhub_store::sales::SaleFilter {
                machine_id: Some(machine),
                ..Default::default()
            };
            #[expect(
                clippy::disallowed_methods,
                reason = "the test reads back its own organization's sales"
            )]
            let scope = vendhub_store::TenantScope::authenticated(org.parse().unwrap());
            vendhub_store::sales::list(c, &scope, &f, 0, 10_000)
        })
        .await
        .unwrap()
        .0
}

async fn status_of(app: &TestApp, token: &str, machine: &str) -> Value {
    let (_, m) = call(
        app,
        Method::GET,
        &format!("/api/v1/machines/{machine}"),
        token,
        None,
    )
    .await;
    m
}
