//! The requests every area's end-to-end tests make: JSON calls with or without a bearer token, sign-in,
//! raw uploads, another organization, the demo fleet with the owner signed in, and request bodies made
//! from the OpenAPI document.
//!
//! Every helper panics on a request that cannot be sent: the test cannot go on.
#![expect(
    clippy::unwrap_used,
    reason = "test support: a helper fails the test loudly on the first surprise"
)]

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use vendhub_domain::ids::{OrganizationId, UserId};
use vendhub_domain::roles::Role;

use crate::{OWNER_EMAIL, OWNER_PASSWORD, TestApp};

/// A response's status and body: the body parsed as JSON when it is JSON, else kept as a string.
async fn answer(res: reqwest::Response) -> (StatusCode, Value) {
    let status = res.status();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// One JSON call, with a bearer token when `token` is given (`None`: anonymous, no `Authorization`).
pub async fn call_as(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = app.client.request(method, app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    answer(req.send().await.unwrap()).await
}

/// One JSON call with a bearer token (an empty one is sent as it is).
pub async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    call_as(app, method, path, Some(token), body).await
}

/// `GET` with a bearer token.
pub async fn get(app: &TestApp, path: &str, token: &str) -> (StatusCode, Value) {
    call(app, Method::GET, path, token, None).await
}

/// `POST` of a JSON body with a bearer token.
pub async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
    call(app, Method::POST, path, token, Some(body)).await
}

/// `POST` of a JSON body, with a bearer token when `token` is given.
pub async fn post_as(app: &TestApp, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
    call_as(app, Method::POST, path, token, Some(body)).await
}

/// A raw body (an image, a multipart form, a DEX file) of `content_type`, with a bearer token.
pub async fn send_bytes(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let res = app
        .client
        .request(method, app.url(path))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    answer(res).await
}

/// The answer to signing in (without 2FA), as it comes: for tests of sign-in itself.
pub async fn sign_in(app: &TestApp, email: &str, password: &str) -> (StatusCode, Value) {
    post_as(
        app,
        "/api/v1/auth/login",
        None,
        json!({ "email": email, "password": password }),
    )
    .await
}

/// Signs in (without 2FA) and returns the access token.
///
/// # Panics
/// When the answer has no access token (the message shows the answer).
pub async fn login(app: &TestApp, email: &str, password: &str) -> String {
    let (_, body) = sign_in(app, email, password).await;
    body["access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("login {email}: {body}"))
        .to_owned()
}

/// Another organization with its own owner, made directly in the store: (its id, the owner's token).
pub async fn other_organization(app: &TestApp, slug: &str, password: &str) -> (String, String) {
    let hash = vendhub_app::auth::password_hash::hash(password).unwrap();
    let org = OrganizationId::new();
    let (name, email) = (slug.to_owned(), format!("owner@{slug}.test"));
    let stored = email.clone();
    #[expect(
        clippy::disallowed_methods,
        reason = "a test fixture creates this organization and its owner directly in the store"
    )]
    let scope = vendhub_store::TenantScope::authenticated(org);
    app.app
        .db()
        .run(move |c| {
            vendhub_store::organizations::insert(
                c,
                &scope,
                &vendhub_store::organizations::NewOrganization {
                    id: org,
                    name: &name,
                    slug: &name,
                    timezone: "UTC",
                    language: "en",
                },
            )?;
            vendhub_store::users::insert_member(
                c,
                &scope,
                &vendhub_store::users::NewMember {
                    id: UserId::new(),
                    organization_id: org,
                    email: &stored,
                    full_name: &name,
                    password_hash: &hash,
                    role: Role::Owner,
                },
            )?;
            Ok(())
        })
        .await
        .unwrap();
    (org.to_string(), login(app, &email, password).await)
}

/// An app with the demo fleet and the owner's token.
pub async fn demo() -> (TestApp, String) {
    demo_on(TestApp::spawn().await).await
}

/// The demo fleet on a given app, and the owner's token.
pub async fn demo_on(app: TestApp) -> (TestApp, String) {
    vendhub_app::demo::seed(&app.app).await.unwrap();
    let token = login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    (app, token)
}

/// An app with the demo fleet, the owner's token, and the password of every demo staff member
/// (`manager@demo.vendhub.uz`, `operator1@demo.vendhub.uz` … `operator3@`).
pub async fn demo_with_staff() -> (TestApp, String, String) {
    let app = TestApp::spawn().await;
    let summary = vendhub_app::demo::seed(&app.app).await.unwrap();
    let vendhub_app::demo::DemoSummary::Created { staff_password, .. } = summary else {
        panic!("a fresh app has no demo data yet")
    };
    let token = login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    (app, token, staff_password)
}

/// The machine numbered `number`, as the machine list shows it (`null` when there is none).
pub async fn machine(app: &TestApp, token: &str, number: &str) -> Value {
    let (_, list) = get(app, &format!("/api/v1/machines?q={number}"), token).await;
    list["data"][0].clone()
}

/// The id of the machine numbered `number`.
pub async fn machine_id(app: &TestApp, token: &str, number: &str) -> String {
    machine(app, token, number).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// `(slot, product id, quantity)` of each slot in a machine's inventory answer.
pub fn slot_list(inventory: &Value) -> Vec<(String, String, i64)> {
    inventory
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["slot"].as_str().unwrap().to_owned(),
                s["product_id"].as_str().unwrap().to_owned(),
                s["quantity"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// The user id of an operator of the caller's organization (the demo fleet has some).
///
/// # Panics
/// When the user list cannot be read or has no operator.
pub async fn an_operator(app: &TestApp, token: &str) -> String {
    let (status, users) = get(app, "/api/v1/users?limit=100", token).await;
    assert!(status.is_success(), "GET /api/v1/users: {status} {users}");
    users["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["role"] == "operator")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A real 1×1 grayscale PNG.
pub const TINY_PNG: &[u8] = &[
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0, 58,
    126, 155, 85, 0, 0, 0, 10, 73, 68, 65, 84, 120, 156, 99, 96, 0, 0, 0, 2, 0, 1, 72, 175, 164, 113, 0, 0,
    0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
];

/// A valid value of a request schema: every required property (resolving `$ref`s), with a value of its
/// enum, format or type.
pub fn valid_value(doc: &Value, schema: &Value, depth: u8) -> Value {
    value_of(doc, schema, None, depth)
}

/// A body of a request schema with every property (required or not) present and every string set to
/// `text`: for sending one hostile string through every text field.
pub fn text_everywhere(doc: &Value, schema: &Value, text: &str) -> Value {
    value_of(doc, schema, Some(text), 0)
}

/// A value of `schema`: valid when `text` is None, else with every string `text`.
fn value_of(doc: &Value, schema: &Value, text: Option<&str>, depth: u8) -> Value {
    if depth > 8 {
        return Value::Null;
    }
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap_or_default();
        return value_of(doc, &doc["components"]["schemas"][name], text, depth + 1);
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(first) = schema.get(key).and_then(Value::as_array).and_then(|a| {
            a.iter()
                .find(|s| s.get("type") != Some(&json!("null")))
                .or(a.first())
        }) {
            return value_of(doc, first, text, depth + 1);
        }
    }
    let t = match schema.get("type") {
        Some(Value::Array(a)) => a.iter().find(|t| *t != "null").cloned().unwrap_or(Value::Null),
        Some(t) => t.clone(),
        None if schema.get("properties").is_some() => json!("object"),
        None => Value::Null,
    };
    if let (Some(text), "string") = (text, t.as_str().unwrap_or_default()) {
        return json!(text);
    }
    if let Some(e) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
    {
        return e.clone();
    }
    let minimum = schema
        .get("minimum")
        .and_then(Value::as_f64)
        .unwrap_or(1.0)
        .max(1.0);
    match t.as_str().unwrap_or_default() {
        "string" => match schema.get("format").and_then(Value::as_str) {
            Some("uuid") => json!(uuid::Uuid::now_v7().to_string()),
            Some("date-time") => json!("2026-01-01T00:00:00Z"),
            Some("date") => json!("2026-01-01"),
            Some("email") => json!("someone@example.com"),
            _ => json!(
                "x".repeat(
                    schema
                        .get("minLength")
                        .and_then(Value::as_u64)
                        .and_then(|n| usize::try_from(n).ok())
                        .unwrap_or(1)
                        .max(1)
                )
            ),
        },
        "integer" => json!(schema.get("minimum").and_then(Value::as_i64).unwrap_or(1).max(1)),
        "number" => json!(minimum),
        "boolean" => json!(true),
        "array" => json!([value_of(doc, &schema["items"], text, depth + 1)]),
        "object" => {
            let required: Vec<&str> = schema
                .get("required")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let mut out = serde_json::Map::new();
            for (k, p) in schema
                .get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                if text.is_some() || required.contains(&k.as_str()) {
                    out.insert(k.clone(), value_of(doc, p, text, depth + 1));
                }
            }
            Value::Object(out)
        }
        _ => Value::Null,
    }
}
