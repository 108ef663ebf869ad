//! The requests every area's end-to-end tests make: JSON calls with a bearer token, sign-in, and the
//! demo fleet with the owner signed in.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use vendhub_testkit::{OWNER_EMAIL, OWNER_PASSWORD, TestApp};

/// One call; the body is parsed as JSON when it is JSON, else kept as a string.
pub async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

pub async fn get(app: &TestApp, path: &str, token: &str) -> (StatusCode, Value) {
    call(app, Method::GET, path, token, None).await
}

pub async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
    call(app, Method::POST, path, token, Some(body)).await
}

/// Signs in (without 2FA) and returns the access token.
pub async fn login(app: &TestApp, email: &str, password: &str) -> String {
    let res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "email": email, "password": password }))
        .send()
        .await
        .unwrap();
    res.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
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
