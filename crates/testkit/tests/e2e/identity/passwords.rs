//! Password resets by mail (and without SMTP) and password changes ending the other sessions.

use serde_json::json;
use std::time::Duration;
use vendhub_testkit::api::{get, login, post_as, sign_in};
use vendhub_testkit::smtp::SmtpSink;
use vendhub_testkit::{OWNER_EMAIL, OWNER_PASSWORD, TestApp};

/// The token as it stands on its own line (a long URL line may be soft-wrapped by the mail encoding).
fn reset_token(mail: &str) -> String {
    mail.lines()
        .map(str::trim)
        .find(|l| l.starts_with("vhp_") && l.len() == 47)
        .expect("a reset token line in the mail")
        .to_owned()
}

#[tokio::test]
async fn a_password_reset_is_mailed_through_smtp_and_works_once() {
    let sink = SmtpSink::start().await;
    let app = TestApp::builder()
        .env("SMTP_HOST", "127.0.0.1")
        .env("SMTP_PORT", sink.port.to_string())
        .env("SMTP_TLS", "none")
        .env("SMTP_FROM", "noreply@test.vendhub.uz")
        .spawn()
        .await;
    let old_session = login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(
        post_as(
            &app,
            "/api/v1/auth/password/reset",
            None,
            json!({ "email": OWNER_EMAIL })
        )
        .await
        .0,
        202
    );
    assert_eq!(
        post_as(
            &app,
            "/api/v1/auth/password/reset",
            None,
            json!({ "email": "ghost@x.uz" })
        )
        .await
        .0,
        202,
        "same answer"
    );

    let mail = sink.wait_for(OWNER_EMAIL, Duration::from_secs(15)).await;
    assert!(
        mail.data.contains("Subject: VendHub: reset your password"),
        "{}",
        mail.data
    );
    let t = reset_token(&mail.data);
    assert_eq!(
        sink.received().len(),
        1,
        "nothing was sent for the unknown address"
    );

    let (status, body) = post_as(
        &app,
        "/api/v1/auth/password/reset/confirm",
        None,
        json!({ "token": t, "new_password": "short" }),
    )
    .await;
    assert_eq!(
        (status.as_u16(), body["errors"][0]["field"].as_str()),
        (400, Some("new_password"))
    );
    let (status, _) = post_as(
        &app,
        "/api/v1/auth/password/reset/confirm",
        None,
        json!({ "token": t, "new_password": "brand-new-pass-2026" }),
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await.0, 401);
    assert_eq!(sign_in(&app, OWNER_EMAIL, "brand-new-pass-2026").await.0, 200);
    assert_eq!(
        get(&app, "/api/v1/auth/me", &old_session).await.0,
        401,
        "every old session ended"
    );
    let (status, body) = post_as(
        &app,
        "/api/v1/auth/password/reset/confirm",
        None,
        json!({ "token": t, "new_password": "another-pass-2026" }),
    )
    .await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (422, Some("reset_token_invalid")),
        "single use"
    );
}

#[tokio::test]
async fn without_smtp_a_reset_mail_job_is_parked_with_the_reason() {
    let app = TestApp::spawn().await;
    assert_eq!(
        post_as(
            &app,
            "/api/v1/auth/password/reset",
            None,
            json!({ "email": OWNER_EMAIL })
        )
        .await
        .0,
        202
    );
    let db = app.app.db().clone();
    let start = std::time::Instant::now();
    loop {
        let jobs = db
            .run(|c| vendhub_store::jobs::by_kind(c, "mail.send"))
            .await
            .unwrap();
        if let Some(j) = jobs.iter().find(|j| j.state == "dead") {
            assert!(j.last_error.as_deref().unwrap().contains("SMTP_HOST is not set"));
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "job not parked: {jobs:?}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test]
async fn changing_the_password_ends_the_other_sessions_only() {
    let app = TestApp::spawn().await;
    let here = login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let elsewhere = login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let (status, body) = post_as(
        &app,
        "/api/v1/auth/password/change",
        Some(&here),
        json!({ "current_password": "wrong-current-1", "new_password": "changed-pass-2026" }),
    )
    .await;
    assert_eq!(
        (status.as_u16(), body["errors"][0]["field"].as_str()),
        (400, Some("current_password"))
    );
    let (status, _) = post_as(
        &app,
        "/api/v1/auth/password/change",
        Some(&here),
        json!({ "current_password": OWNER_PASSWORD, "new_password": "changed-pass-2026" }),
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(get(&app, "/api/v1/auth/me", &here).await.0, 200);
    assert_eq!(get(&app, "/api/v1/auth/me", &elsewhere).await.0, 401);
}
