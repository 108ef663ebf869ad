//! The requests every area's end-to-end tests make: JSON calls with a bearer token, sign-in, and the
//! demo fleet with the owner signed in.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use vendhub_domain::ids::{OrganizationId, UserId};
use vendhub_domain::roles::Role;
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
    let body: Value = res.json().await.unwrap();
    body["access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("login {email}: {body}"))
        .to_owned()
}

/// Another organization with its own owner, made directly in the store: (its id, the owner's token).
pub async fn other_organization(app: &TestApp, slug: &str, password: &str) -> (String, String) {
    let hash = vendhub_app::passwords::hash(password).unwrap();
    let org = OrganizationId::new();
    let (name, email) = (slug.to_owned(), format!("owner@{slug}.test"));
    let stored = email.clone();
    app.app
        .db()
        .run(move |c| {
            vendhub_store::organizations::insert(
                c,
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
