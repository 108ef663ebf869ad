//! Tokens and sessions: refresh expiry and rotation, reuse ending the family, logout, forged tokens.

use serde_json::{Value, json};
use vendhub_testkit::api::{get, post_as, sign_in};
use vendhub_testkit::{OWNER_EMAIL, OWNER_PASSWORD, TestApp};

use super::owner_tokens;

/// A refresh token is good for `JWT_REFRESH_EXPIRES_IN` by the clock, and not a moment longer.
#[tokio::test]
async fn a_refresh_token_expires_after_its_lifetime() {
    let clock = vendhub_app::ports::ManualClock::starting_now();
    let app = TestApp::builder()
        .env("JWT_REFRESH_EXPIRES_IN", "1h")
        .clock(clock.clone())
        .spawn()
        .await;
    let (_, first) = sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    clock.advance(chrono::Duration::minutes(59));
    let res = app
        .client
        .post(app.url("/api/v1/auth/refresh"))
        .json(&json!({ "refresh_token": first["refresh_token"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "still within the hour");
    let second: Value = res.json().await.unwrap();
    // The rotated token's session starts at the clock's time: an hour from now.
    clock.advance(chrono::Duration::minutes(61));
    let res = app
        .client
        .post(app.url("/api/v1/auth/refresh"))
        .json(&json!({ "refresh_token": second["refresh_token"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401, "past its hour");
}

/// An access token is good for `JWT_EXPIRES_IN` by the app's clock (not the system's), and then
/// the API answers 401.
#[tokio::test]
async fn an_access_token_expires_by_the_clock() {
    let clock = vendhub_app::ports::ManualClock::starting_now();
    let app = TestApp::builder()
        .env("JWT_EXPIRES_IN", "15m")
        .clock(clock.clone())
        .spawn()
        .await;
    let (status, tokens) = sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(status, 200, "{tokens}");
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    clock.advance(chrono::Duration::minutes(14));
    assert_eq!(
        get(&app, "/api/v1/auth/me", &access).await.0,
        200,
        "within its 15 minutes"
    );
    clock.advance(chrono::Duration::minutes(2));
    assert_eq!(
        get(&app, "/api/v1/auth/me", &access).await.0,
        401,
        "past its 15 minutes"
    );
}

#[tokio::test]
async fn refresh_rotates_and_a_reused_refresh_token_ends_the_whole_family() {
    let app = TestApp::spawn().await;
    let first = owner_tokens(&app).await;
    let r1 = first["refresh_token"].as_str().unwrap();
    let (status, second) = post_as(&app, "/api/v1/auth/refresh", None, json!({ "refresh_token": r1 })).await;
    assert_eq!(status, 200, "{second}");
    let r2 = second["refresh_token"].as_str().unwrap();
    assert_ne!(r1, r2);
    let a2 = second["access_token"].as_str().unwrap();
    assert_eq!(get(&app, "/api/v1/auth/me", a2).await.0, 200);

    // Someone replays the first token: refused, and the family (the second token too) is revoked.
    assert_eq!(
        post_as(&app, "/api/v1/auth/refresh", None, json!({ "refresh_token": r1 }))
            .await
            .0,
        401
    );
    assert_eq!(
        post_as(&app, "/api/v1/auth/refresh", None, json!({ "refresh_token": r2 }))
            .await
            .0,
        401
    );
    assert_eq!(
        get(&app, "/api/v1/auth/me", a2).await.0,
        401,
        "its access tokens stop too"
    );

    let (_, audit) = get(
        &app,
        "/api/v1/audit?action=auth.refresh_reused",
        owner_tokens(&app).await["access_token"].as_str().unwrap(),
    )
    .await;
    assert_eq!(audit["meta"]["total"], 1, "{audit}");
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = TestApp::spawn().await;
    let t = owner_tokens(&app).await;
    let access = t["access_token"].as_str().unwrap();
    assert_eq!(
        post_as(&app, "/api/v1/auth/logout", Some(access), json!({}))
            .await
            .0,
        204
    );
    assert_eq!(get(&app, "/api/v1/auth/me", access).await.0, 401);
    let refresh = t["refresh_token"].as_str().unwrap();
    assert_eq!(
        post_as(
            &app,
            "/api/v1/auth/refresh",
            None,
            json!({ "refresh_token": refresh })
        )
        .await
        .0,
        401
    );
}

#[tokio::test]
async fn forged_none_and_garbage_tokens_are_401() {
    use base64::Engine;
    let app = TestApp::spawn().await;
    let real = owner_tokens(&app).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let payload = real.split('.').nth(1).unwrap();
    let none = format!("{}.{payload}.", b64(r#"{"alg":"none","typ":"JWT"}"#));
    let mut sig_flipped = real.clone();
    sig_flipped.pop();
    sig_flipped.push(if real.ends_with('A') { 'B' } else { 'A' });
    for bad in [none.as_str(), sig_flipped.as_str(), "garbage", ""] {
        let (status, body) = get(&app, "/api/v1/auth/me", bad).await;
        assert_eq!(status, 401, "{bad}");
        assert_eq!(body["code"], "unauthorized");
    }
    let res = app.client.get(app.url("/api/v1/auth/me")).send().await.unwrap();
    assert_eq!(res.status(), 401, "no token at all");
}
