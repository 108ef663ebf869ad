//! Signing in: the token contract, wrong passwords, the lock after failed attempts and its end, concurrent sign-ins.

use reqwest::StatusCode;
use serde_json::{Value, json};
use vendhub_testkit::api::{get, sign_in};
use vendhub_testkit::{OWNER_EMAIL, OWNER_PASSWORD, TestApp};

use super::owner_tokens;

#[tokio::test]
async fn login_answers_the_contract_token_body_and_me_works() {
    let app = TestApp::spawn().await;
    let body = owner_tokens(&app).await;
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert!(body["refresh_token"].as_str().unwrap().starts_with("vhr_"));
    assert_eq!(body["user"]["email"], OWNER_EMAIL);
    assert_eq!(body["user"]["role"], "owner");
    let token = body["access_token"].as_str().unwrap();
    assert_eq!(token.split('.').count(), 3, "a JWT");
    let (status, me) = get(&app, "/api/v1/auth/me", token).await;
    assert_eq!(status, 200);
    assert_eq!(me["email"], OWNER_EMAIL);
    assert_eq!(me["two_factor_enabled"], false);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer_and_are_counted() {
    let app = TestApp::spawn().await;
    let (s1, wrong) = sign_in(&app, OWNER_EMAIL, "not-the-password").await;
    let (s2, unknown) = sign_in(&app, "nobody@nowhere.uz", "not-the-password").await;
    assert_eq!((s1, s2), (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED));
    assert_eq!(wrong, unknown, "no hint which one exists");
    assert_eq!(wrong["code"], "unauthorized");
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains(r#"vendhub_login_failures_total{reason="credentials"} 2"#),
        "{metrics}"
    );
}

#[tokio::test]
async fn five_failed_logins_lock_the_account_for_fifteen_minutes() {
    let app = TestApp::spawn().await;
    for _ in 0..5 {
        assert_eq!(sign_in(&app, OWNER_EMAIL, "wrong-password-x").await.0, 401);
    }
    let res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "email": OWNER_EMAIL, "password": OWNER_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429, "even the right password waits out the lock");
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((800..=900).contains(&retry), "{retry}");
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "locked");
}

/// The lock ends when its fifteen minutes have passed by the clock the use cases go by: moved by hand
/// here, not slept through.
#[tokio::test]
async fn a_locked_account_signs_in_again_once_the_lock_has_passed() {
    let clock = vendhub_app::ports::ManualClock::starting_now();
    let app = TestApp::builder().clock(clock.clone()).spawn().await;
    for _ in 0..5 {
        assert_eq!(sign_in(&app, OWNER_EMAIL, "wrong-password-x").await.0, 401);
    }
    assert_eq!(sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await.0, 429);
    clock.advance(chrono::Duration::minutes(14));
    let (status, body) = sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(status, 429, "a minute is left: {body}");
    clock.advance(chrono::Duration::minutes(1) + chrono::Duration::seconds(1));
    let (status, body) = sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_sign_ins_all_succeed() {
    let app = TestApp::spawn().await;
    let attempts: Vec<_> = (0..24)
        .map(|_| {
            let (client, url) = (app.client.clone(), app.url("/api/v1/auth/login"));
            tokio::spawn(async move {
                let res = client
                    .post(url)
                    .json(&json!({ "email": OWNER_EMAIL, "password": OWNER_PASSWORD }))
                    .send()
                    .await
                    .unwrap();
                let status = res.status().as_u16();
                (status, res.text().await.unwrap())
            })
        })
        .collect();
    for a in attempts {
        let (status, body) = a.await.unwrap();
        assert_eq!(status, 200, "{body}");
    }
    assert_eq!(
        vendhub_app::audit::verify(&app.app).await.unwrap(),
        Ok(24),
        "one unbroken chain"
    );
}
