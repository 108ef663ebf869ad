//! Signing in with 2FA, switching language, a form without its token, signing out: in the browser.

use serde_json::json;
use totp_rs::{Algorithm, Secret, TOTP};
use vendhub_testkit::api::{login, post_as};
use vendhub_testkit::{OWNER_EMAIL, OWNER_PASSWORD, TestApp};

use super::Browser;

fn code_for(secret_b32: &str) -> String {
    let bytes = Secret::Encoded(secret_b32.to_owned()).to_bytes().unwrap();
    let t = TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes, None, String::new()).unwrap();
    t.generate(u64::try_from(chrono::Utc::now().timestamp()).unwrap())
}

#[tokio::test]
async fn sign_in_with_two_factor_switch_language_and_sign_out() {
    let app = TestApp::spawn().await;
    let access = login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let (_, setup) = post_as(&app, "/api/v1/auth/2fa/setup", Some(&access), json!({})).await;
    let secret = setup["secret"].as_str().unwrap().to_owned();
    let (status, enabled) = post_as(
        &app,
        "/api/v1/auth/2fa/enable",
        Some(&access),
        json!({ "code": code_for(&secret) }),
    )
    .await;
    assert_eq!(status, 200, "{enabled}");
    let backup = enabled["backup_codes"][0].as_str().unwrap().to_owned();

    let b = Browser::start(&app.url(""), 1280, 900).await;
    b.goto("/admin/orders").await;
    assert_eq!(b.path().await, "/admin/login", "a stranger is sent to sign in");
    b.fill("email", OWNER_EMAIL).await;
    b.fill("password", OWNER_PASSWORD).await;
    b.click("form[data-testid=login-form] button[type=submit]").await;
    b.find("form[data-testid=two-factor-form]").await;
    // A backup code: the TOTP code of this step was spent enabling 2FA.
    b.fill("code", &backup).await;
    b.click("form[data-testid=two-factor-form] button[type=submit]")
        .await;
    b.find("[data-testid=who]").await;
    assert_eq!(b.path().await, "/admin/orders", "back to the page asked for");

    b.goto("/admin").await;
    b.click(".lang-switch a[hreflang=ru]").await;
    b.wait_for_text("form.logout button", "Выйти").await;
    b.goto("/admin").await;
    b.wait_for_text("form.logout button", "Выйти").await;
    b.click(".lang-switch a[hreflang=en]").await;
    b.wait_for_text("form.logout button", "Sign out").await;

    b.click("form.logout button").await;
    b.find("form[data-testid=login-form]").await;
    b.goto("/admin").await;
    assert_eq!(b.path().await, "/admin/login", "the session is over");
    b.close().await;
}

#[tokio::test]
async fn a_form_whose_token_was_tampered_with_is_refused_in_the_browser() {
    let app = TestApp::spawn().await;
    let b = Browser::start(&app.url(""), 1280, 900).await;
    b.sign_in(OWNER_EMAIL, OWNER_PASSWORD).await;
    b.client
        .execute(
            "document.querySelector('form.logout input[name=_csrf]').value = 'forged'; return true;",
            vec![],
        )
        .await
        .unwrap();
    b.click("form.logout button").await;
    b.find(".error-box[data-status='403']").await;
    b.goto("/admin").await;
    b.find("[data-testid=who]").await;
    b.close().await;
}
