//! Connecting: missing, bad or revoked tokens refused; the Engine.IO handshake over long polling.

use serde_json::{Value, json};
use vendhub_testkit::api::login;
use vendhub_testkit::{OWNER_EMAIL, OWNER_PASSWORD, TestApp};

use super::{connect, connect_with};

#[tokio::test]
async fn a_missing_bad_or_revoked_token_is_refused_at_connect() {
    let app = TestApp::spawn().await;
    let token = login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    for auth in [
        json!({}),
        json!({ "token": "not-a-token" }),
        json!({ "token": 42 }),
    ] {
        let refused = connect(&app, auth.clone()).await.err();
        assert!(
            refused.as_deref().is_some_and(|r| r.contains("unauthorized")),
            "{auth}: {refused:?}"
        );
    }
    // A good token is admitted; once its session is ended it is not.
    drop(connect_with(&app, &token).await);
    let res = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .bearer_auth(&token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    let refused = connect(&app, json!({ "token": token })).await.err();
    assert!(refused.is_some_and(|r| r.contains("unauthorized")));
}

#[tokio::test]
async fn the_engine_io_handshake_answers_over_long_polling() {
    let app = TestApp::spawn().await;
    let res = app.get("/socket.io/?EIO=4&transport=polling").await;
    assert_eq!(res.status(), 200);
    let body = res.text().await.unwrap();
    let open: Value = serde_json::from_str(body.strip_prefix('0').unwrap()).unwrap();
    assert!(open["sid"].is_string(), "{body}");
    assert!(open["upgrades"].as_array().unwrap().contains(&json!("websocket")));
}
