//! The settings pages: the organization's name, time zone and language; integration keys shown masked.

use reqwest::StatusCode;
use serde_json::json;
use vendhub_testkit::api::{get, login, post};
use vendhub_testkit::panel::PanelClient;
use vendhub_testkit::{OWNER_EMAIL, OWNER_PASSWORD, TestApp};

#[tokio::test]
async fn the_settings_form_changes_the_time_zone_and_language() {
    let app = TestApp::spawn().await;
    let owner = login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let mut c = PanelClient::sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let form = c.get("/admin/settings").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.html.contains("name=\"timezone\"") && form.html.contains("<option value=\"Europe/Moscow\">")
    );
    let saved = c
        .post(
            "/admin/settings",
            &[
                ("name", "Demo Vending"),
                ("timezone", "Europe/Moscow"),
                ("language", "ru"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let (_, org) = get(&app, "/api/v1/organizations/current", &owner).await;
    assert_eq!(
        (&org["name"], &org["timezone"], &org["language"]),
        (&json!("Demo Vending"), &json!("Europe/Moscow"), &json!("ru"))
    );
    // The organization's language is now the panel's (no cookie, no Accept-Language).
    let again = c.get("/admin/settings?saved=1").await;
    assert!(again.html.contains("<html lang=\"ru\">") && again.html.contains("Сохранено."));
}

#[tokio::test]
async fn a_bad_time_zone_is_a_400_page_naming_the_field() {
    let app = TestApp::spawn().await;
    let owner = login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let mut c = PanelClient::sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    c.get("/admin/settings").await;
    for zone in ["Mars/Olympus_Mons", "not a zone"] {
        let bad = c
            .post(
                "/admin/settings",
                &[("name", "X"), ("timezone", zone), ("language", "en")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{zone}");
        assert!(bad.html.contains("<code>timezone</code>"), "{}", bad.html);
    }
    let bad_lang = c
        .post(
            "/admin/settings",
            &[("name", "X"), ("timezone", "UTC"), ("language", "de")],
        )
        .await;
    assert_eq!(bad_lang.status, StatusCode::BAD_REQUEST);
    assert!(bad_lang.html.contains("<code>language</code>"));
    let (_, org) = get(&app, "/api/v1/organizations/current", &owner).await;
    assert_ne!(org["name"], "X");
}

#[tokio::test]
async fn integration_keys_are_shown_masked() {
    let app = TestApp::builder()
        .env("PAYME_MERCHANT_ID", "5e730e8e0b852a417aa49ceb")
        .env("PAYME_SECRET_KEY", "payme-secret-0123456789-wxyz")
        .env("CLICK_MERCHANT_ID", "1111")
        .env("CLICK_SERVICE_ID", "2222")
        .env("CLICK_SECRET_KEY", "short")
        .spawn()
        .await;
    let mut c = PanelClient::sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let page = c.get("/admin/settings?lang=en").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        !page.html.contains("payme-secret-0123456789"),
        "never the whole secret"
    );
    let row = |name: &str| {
        let i = page.html.find(&format!("data-variable=\"{name}\"")).unwrap();
        let rest = &page.html[i..];
        rest[..rest.find("</tr>").unwrap()].to_owned()
    };
    let payme = row("PAYME_SECRET_KEY");
    assert!(
        payme.contains("Configured") && payme.contains("\u{2022}\u{2022}\u{2022}\u{2022}wxyz"),
        "{payme}"
    );
    let click = row("CLICK_SECRET_KEY");
    assert!(
        click.contains("\u{2022}\u{2022}\u{2022}\u{2022}<") && !click.contains("short"),
        "{click}"
    );
    assert!(row("UZUM_SECRET_KEY").contains("Not set"));
    assert!(row("SMTP_PASSWORD").contains("Not set"));
}

#[tokio::test]
async fn a_viewer_sees_no_settings_and_a_forged_post_is_refused() {
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
    assert!(!home.html.contains("href=\"/admin/settings\"") && !home.html.contains("href=\"/admin/users\""));
    assert_eq!(c.get("/admin/settings").await.status, StatusCode::FORBIDDEN);
    assert_eq!(c.get("/admin/users").await.status, StatusCode::FORBIDDEN);
    let forged = c
        .post(
            "/admin/settings",
            &[("name", "Taken"), ("timezone", "UTC"), ("language", "en")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let (_, org) = get(&app, "/api/v1/organizations/current", &owner).await;
    assert_ne!(org["name"], "Taken");
}
