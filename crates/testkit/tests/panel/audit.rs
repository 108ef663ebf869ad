//! The audit pages: the log with filters, and the hash chain's check.

use reqwest::StatusCode;
use serde_json::json;
use vendhub_testkit::api::{login, post};
use vendhub_testkit::panel::PanelClient;
use vendhub_testkit::{OWNER_EMAIL, OWNER_PASSWORD, TestApp};

#[tokio::test]
async fn the_audit_page_lists_the_sign_in_and_shows_the_chain_intact() {
    let app = TestApp::spawn().await;
    let mut c = PanelClient::sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let page = c.get("/admin/audit?lang=en&verify=1").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("<code>auth.login</code>"), "{}", page.html);
    assert!(page.html.contains("data-chain=\"ok\""), "{}", page.html);
    assert!(page.html.contains("The chain is intact"));
    let plain = c.get("/admin/audit").await;
    assert!(
        plain.html.contains("data-testid=\"verify-chain\"") && !plain.html.contains("data-chain="),
        "the check runs only when asked for"
    );
    let filtered = c.get("/admin/audit?action=user.create&entity_type=").await;
    assert_eq!(filtered.status, StatusCode::OK);
    assert!(!filtered.html.contains("<code>auth.login</code>"));
    let bad = c.get("/admin/audit?page=zero").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.html.contains("<code>page</code>"));
}

#[tokio::test]
async fn a_viewer_cannot_read_the_audit_log() {
    let app = TestApp::spawn().await;
    let owner = login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let (status, body) = post(
        &app,
        "/api/v1/users",
        &owner,
        json!({ "email": "viewer@example.uz", "full_name": "V", "password": "Quiet-watch-123", "role": "viewer" }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let mut c = PanelClient::sign_in(&app, "viewer@example.uz", "Quiet-watch-123").await;
    let home = c.get("/admin").await;
    assert!(!home.html.contains("href=\"/admin/audit\""));
    assert_eq!(c.get("/admin/audit").await.status, StatusCode::FORBIDDEN);
}
