//! Two-factor sign-in: setup, login, replay, backup codes and lockout.

use serde_json::json;
use totp_rs::{Algorithm, Secret, TOTP};
use vendhub_testkit::api::{post_as, sign_in};
use vendhub_testkit::{OWNER_EMAIL, OWNER_PASSWORD, TestApp};

use super::owner_tokens;

fn code_for(secret_b32: &str, offset_steps: i64) -> String {
    let bytes = Secret::Encoded(secret_b32.to_owned()).to_bytes().unwrap();
    let t = TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes, None, String::new()).unwrap();
    let now = chrono::Utc::now().timestamp() + offset_steps * 30;
    t.generate(u64::try_from(now).unwrap())
}

#[tokio::test]
async fn two_factor_setup_login_replay_backup_codes_and_lockout() {
    let app = TestApp::spawn().await;
    let access = owner_tokens(&app).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, setup) = post_as(&app, "/api/v1/auth/2fa/setup", Some(&access), json!({})).await;
    assert_eq!(status, 200, "{setup}");
    let secret = setup["secret"].as_str().unwrap().to_owned();
    let url = setup["otpauth_url"].as_str().unwrap();
    assert!(
        url.starts_with("otpauth://totp/") && url.contains("issuer=VendHub"),
        "{url}"
    );

    assert_eq!(
        post_as(
            &app,
            "/api/v1/auth/2fa/enable",
            Some(&access),
            json!({ "code": "000000" })
        )
        .await
        .0,
        401
    );
    let (status, enabled) = post_as(
        &app,
        "/api/v1/auth/2fa/enable",
        Some(&access),
        json!({ "code": code_for(&secret, 0) }),
    )
    .await;
    assert_eq!(status, 200, "{enabled}");
    let backup: Vec<String> = enabled["backup_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(backup.len(), 10);

    // Sign-in now stops at a challenge, with no tokens.
    let (status, challenge) = sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(status, 200);
    assert_eq!(challenge["requires_2fa"], true);
    assert!(challenge.get("access_token").is_none());
    let ch = challenge["challenge_token"].as_str().unwrap().to_owned();
    // The code used to enable was from this step: it cannot be used again. The next step's code works.
    let verify = |code: String, ch: String| {
        let app = &app;
        async move {
            post_as(
                app,
                "/api/v1/auth/2fa/verify",
                None,
                json!({ "challenge_token": ch, "code": code }),
            )
            .await
        }
    };
    assert_eq!(
        verify(code_for(&secret, 0), ch.clone()).await.0,
        401,
        "a used code is not accepted twice"
    );
    let (status, tokens) = verify(code_for(&secret, 1), ch.clone()).await;
    assert_eq!(status, 200, "{tokens}");
    assert!(tokens["access_token"].is_string());
    assert_eq!(
        verify(code_for(&secret, 1), ch.clone()).await.0,
        401,
        "nor that one"
    );

    // A backup code works once.
    assert_eq!(verify(backup[0].clone(), ch.clone()).await.0, 200);
    assert_eq!(verify(backup[0].clone(), ch.clone()).await.0, 401);

    // Five wrong codes in a row lock 2FA (the reused backup code above was the first).
    for _ in 0..4 {
        assert_eq!(verify("123456".into(), ch.clone()).await.0, 401);
    }
    let (status, body) = verify(backup[1].clone(), ch.clone()).await;
    assert_eq!((status.as_u16(), body["code"].as_str()), (429, Some("locked")));

    // The secret is stored encrypted.
    let db = app.app.db().clone();
    let stored = db
        .run(|c| vendhub_store::users::find_by_email(c, OWNER_EMAIL))
        .await
        .unwrap()
        .unwrap();
    let sealed = stored.totp_secret.unwrap();
    assert!(sealed.starts_with("v1:") && !sealed.contains(&secret));
}
