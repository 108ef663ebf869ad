//! `/admin/payments` (the provider transactions) and the organization's payment settings: its own Payme,
//! Click and Uzum Bank accounts set, replaced and removed in the panel and the API, secrets never shown
//! back, every change audited, the webhook URLs to register shown.

use reqwest::{Method, StatusCode};
use serde_json::json;
use vendhub_testkit::api::{call, demo, get};
use vendhub_testkit::panel::PanelClient;
use vendhub_testkit::{OWNER_EMAIL, OWNER_PASSWORD};

use crate::orders::member;

#[tokio::test]
#[expect(
    clippy::too_many_lines,
    reason = "one organization's accounts through the page and the API"
)]
async fn an_owner_sets_replaces_and_removes_the_organizations_own_accounts() {
    let (app, owner) = demo().await;
    let mut c = PanelClient::sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let (_, org) = get(&app, "/api/v1/organizations/current", &owner).await;
    let slug = org["slug"].as_str().unwrap();

    let page = c.get("/admin/payments/settings?lang=en").await;
    assert_eq!(page.status, StatusCode::OK);
    for needle in [
        format!("/api/v1/payments/payme/{slug}</code>"),
        format!("/api/v1/payments/click/{slug}/prepare"),
        format!("/api/v1/payments/uzum/{slug}/reverse"),
    ] {
        assert!(page.html.contains(&needle), "{needle} in {}", page.html);
    }
    let set = c
        .post(
            "/admin/payments/settings/click",
            &[
                ("merchant_id", "5501"),
                ("service_id", "7702"),
                ("secret", "very-secret-click-key"),
                ("merchant_user_id", "33"),
            ],
        )
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.html);
    let bad = c
        .post(
            "/admin/payments/settings/uzum",
            &[("merchant_id", "login"), ("service_id", "abc"), ("secret", "pw")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.html.contains("service_id"), "{}", bad.html);
    assert_eq!(
        c.post("/admin/payments/settings/cash", &[("merchant_id", "x")])
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let page = c.get("/admin/payments/settings?lang=en").await;
    assert!(page.html.contains("data-testid=\"configured-click\"") && page.html.contains("value=\"7702\""));
    assert!(
        !page.html.contains("very-secret-click-key"),
        "the secret is never shown back"
    );

    // Replaced without retyping the secret: the stored one is kept (the API shows it masked).
    let kept = c
        .post(
            "/admin/payments/settings/click",
            &[("merchant_id", "5501"), ("service_id", "7703"), ("secret", "")],
        )
        .await;
    assert_eq!(kept.status, StatusCode::SEE_OTHER, "{}", kept.html);
    let (status, one) = get(&app, "/api/v1/payments/accounts/click", &owner).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (one["service_id"].as_str(), one["secret"].as_str()),
        (Some("7703"), Some("********"))
    );
    assert!(!one.to_string().contains("very-secret"));

    // The API: Payme with a test key and test mode, a refused field, removal.
    let (status, payme) = call(
        &app,
        Method::PUT,
        "/api/v1/payments/accounts/payme",
        &owner,
        Some(json!({ "merchant_id": "pm-1", "secret": "k1", "test_secret": "k2", "test_mode": true })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{payme}");
    assert_eq!(
        (payme["test_secret"].as_str(), payme["test_mode"].as_bool()),
        (Some("********"), Some(true))
    );
    let (status, _) = call(
        &app,
        Method::PUT,
        "/api/v1/payments/accounts/payme",
        &owner,
        Some(json!({ "merchant_id": "pm-1", "service_id": "5" })),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = call(
        &app,
        Method::PUT,
        "/api/v1/payments/accounts/cash",
        &owner,
        Some(json!({ "merchant_id": "x" })),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, list) = get(&app, "/api/v1/payments/accounts", &owner).await;
    assert_eq!(list.as_array().unwrap().len(), 2, "{list}");
    let del = c.post("/admin/payments/settings/payme/delete", &[]).await;
    assert_eq!(del.status, StatusCode::SEE_OTHER);
    let (status, _) = call(
        &app,
        Method::DELETE,
        "/api/v1/payments/accounts/payme",
        &owner,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "already removed");
    let (status, _) = call(
        &app,
        Method::DELETE,
        "/api/v1/payments/accounts/click",
        &owner,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // Every change is in the audit log, without a secret.
    let (_, audit) = get(&app, "/api/v1/audit?entity_type=payment_account&limit=50", &owner).await;
    let text = audit.to_string();
    assert!(
        text.contains("payment_account.set") && text.contains("payment_account.delete"),
        "{text}"
    );
    assert!(
        !text.contains("very-secret") && !text.contains("\"k1\""),
        "{text}"
    );
}

#[tokio::test]
async fn the_payments_page_is_for_finance_and_the_settings_for_integrations() {
    let (app, owner) = demo().await;
    let mut acc = member(&app, &owner, "accountant").await;
    let page = acc.get("/admin/payments?lang=en").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.html.contains("data-testid=\"transactions\""),
        "{}",
        page.html
    );
    assert!(
        !page.html.contains("payment-settings-link"),
        "an accountant does not manage integrations"
    );
    assert_eq!(
        acc.get("/admin/payments?provider=cash").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        acc.get("/admin/payments?provider=payme&state=2").await.status,
        StatusCode::OK
    );
    assert_eq!(
        acc.get("/admin/payments/settings").await.status,
        StatusCode::FORBIDDEN
    );
    let tried = acc
        .post(
            "/admin/payments/settings/click",
            &[("merchant_id", "1"), ("service_id", "2"), ("secret", "s")],
        )
        .await;
    assert_eq!(tried.status, StatusCode::FORBIDDEN);
    let (status, _) = get(
        &app,
        "/api/v1/payments/accounts",
        &vendhub_testkit::api::login(&app, "accountant@orders.test", "Quiet-lamp-4821").await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let mut op = member(&app, &owner, "operator").await;
    assert_eq!(op.get("/admin/payments").await.status, StatusCode::FORBIDDEN);
    let mut c = PanelClient::sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    assert!(
        c.get("/admin/payments")
            .await
            .html
            .contains("payment-settings-link")
    );
}
