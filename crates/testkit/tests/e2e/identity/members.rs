//! Members renamed, promoted within limits and deleted.

use serde_json::json;
use vendhub_testkit::api::{call_as, login, post_as, sign_in};
use vendhub_testkit::{OWNER_EMAIL, OWNER_PASSWORD, TestApp};

#[tokio::test]
async fn members_are_renamed_promoted_within_limits_and_deleted() {
    let app = TestApp::spawn().await;
    let owner = login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let new = |email: &str, role: &str| json!({ "email": email, "full_name": "Person", "password": "member-pass-2026", "role": role });
    let (_, admin) = post_as(&app, "/api/v1/users", Some(&owner), new("adm@test.uz", "admin")).await;
    let (_, op) = post_as(&app, "/api/v1/users", Some(&owner), new("op@test.uz", "operator")).await;
    let admin_token = login(&app, "adm@test.uz", "member-pass-2026").await;
    let op_path = format!("/api/v1/users/{}", op["id"].as_str().unwrap());
    let (status, body) = call_as(
        &app,
        reqwest::Method::PATCH,
        &op_path,
        Some(&admin_token),
        Some(json!({ "full_name": "Aziz", "role": "manager" })),
    )
    .await;
    assert_eq!(
        (status.as_u16(), body["role"].as_str(), body["full_name"].as_str()),
        (200, Some("manager"), Some("Aziz"))
    );
    assert_eq!(
        call_as(
            &app,
            reqwest::Method::PATCH,
            &op_path,
            Some(&admin_token),
            Some(json!({ "role": "owner" }))
        )
        .await
        .0,
        403
    );
    let own_path = format!("/api/v1/users/{}", admin["id"].as_str().unwrap());
    assert_eq!(
        call_as(
            &app,
            reqwest::Method::PATCH,
            &own_path,
            Some(&admin_token),
            Some(json!({ "role": "viewer" }))
        )
        .await
        .0,
        422
    );
    assert_eq!(
        call_as(&app, reqwest::Method::DELETE, &op_path, Some(&admin_token), None)
            .await
            .0,
        204
    );
    assert_eq!(
        call_as(&app, reqwest::Method::GET, &op_path, Some(&admin_token), None)
            .await
            .0,
        404
    );
    assert_eq!(sign_in(&app, "op@test.uz", "member-pass-2026").await.0, 401);
    assert_eq!(
        post_as(&app, "/api/v1/users", Some(&owner), new("op@test.uz", "viewer"))
            .await
            .0,
        201,
        "the e-mail is free again"
    );
}
