//! The audit log: actions recorded, tampering found by verification.

use vendhub_testkit::api::{get, sign_in};
use vendhub_testkit::{OWNER_EMAIL, TestApp};

use super::{add_member, owner_tokens};

#[tokio::test]
async fn the_audit_log_records_actions_and_verification_finds_tampering() {
    let app = TestApp::spawn().await;
    let owner = owner_tokens(&app).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    add_member(&app, &owner, "a1@test.uz", "viewer").await;
    sign_in(&app, OWNER_EMAIL, "wrong-password-1").await;
    let (status, page) = get(&app, "/api/v1/audit?limit=10", &owner).await;
    assert_eq!(status, 200);
    let actions: Vec<&str> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["user.create", "auth.login"],
        "newest first, this organization only: {page}"
    );
    let created = &page["data"][0];
    assert_eq!(created["after"]["role"], "viewer");
    assert!(created["request_id"].is_string() && created["ip"] == "127.0.0.1");

    assert_eq!(vendhub_app::audit::verify(&app.app).await.unwrap(), Ok(3));
    app.app
        .db()
        .run(|c| {
            use diesel::RunQueryDsl;
            diesel::sql_query("UPDATE audit_log SET action = 'auth.logout' WHERE seq = 2").execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    let broken = vendhub_app::audit::verify(&app.app).await.unwrap().unwrap_err();
    assert_eq!(broken.0, 2, "the first broken link is named");
}
