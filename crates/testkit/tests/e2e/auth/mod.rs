//! Sign-in, tokens, 2FA, lockout, roles, audit and rate limits through the API (CONTRACT section 4).

mod audit;
mod login;
mod members;
mod rate_limits;
mod requests;
mod tokens;
mod two_factor;

use reqwest::StatusCode;
use serde_json::{Value, json};
use vendhub_testkit::api::{post_as, sign_in};
use vendhub_testkit::{OWNER_EMAIL, OWNER_PASSWORD, TestApp};

async fn owner_tokens(app: &TestApp) -> Value {
    let (status, body) = sign_in(app, OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn add_member(app: &TestApp, token: &str, email: &str, role: &str) -> (StatusCode, Value) {
    post_as(
        app,
        "/api/v1/users",
        Some(token),
        json!({ "email": email, "full_name": "Test Person", "password": "field-work-2026!", "role": role }),
    )
    .await
}
