//! Roles and members: what each role may do, suspension, bad member input.

use serde_json::json;
use vendhub_testkit::TestApp;
use vendhub_testkit::api::{get, post_as, sign_in};

use super::{add_member, owner_tokens};

#[tokio::test]
async fn roles_decide_and_a_suspended_users_token_stops_at_the_next_request() {
    let app = TestApp::spawn().await;
    let owner = owner_tokens(&app).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, op) = add_member(&app, &owner, "op@test.vendhub.uz", "operator").await;
    assert_eq!(status, 201, "{op}");
    assert_eq!(
        add_member(&app, &owner, "adm@test.vendhub.uz", "admin").await.0,
        201
    );
    assert_eq!(
        add_member(&app, &owner, "op@test.vendhub.uz", "viewer").await.0,
        409,
        "e-mail taken"
    );

    let operator = sign_in(&app, "op@test.vendhub.uz", "field-work-2026!").await.1["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = get(&app, "/api/v1/users", &operator).await;
    assert_eq!((status.as_u16(), body["code"].as_str()), (403, Some("forbidden")));
    assert_eq!(get(&app, "/api/v1/audit", &operator).await.0, 403);

    let admin = sign_in(&app, "adm@test.vendhub.uz", "field-work-2026!").await.1["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        add_member(&app, &admin, "own2@test.vendhub.uz", "owner").await.0,
        403,
        "an admin cannot make an owner"
    );
    let (status, list) = get(&app, "/api/v1/users?page=1&limit=2", &admin).await;
    assert_eq!(status, 200);
    assert_eq!(
        list["meta"],
        json!({ "page": 1, "limit": 2, "total": 3, "total_pages": 2 })
    );

    assert_eq!(get(&app, "/api/v1/auth/me", &operator).await.0, 200);
    let id = op["id"].as_str().unwrap();
    assert_eq!(
        post_as(
            &app,
            &format!("/api/v1/users/{id}/suspend"),
            Some(&admin),
            json!({})
        )
        .await
        .0,
        204
    );
    assert_eq!(
        get(&app, "/api/v1/auth/me", &operator).await.0,
        401,
        "suspended: the token stops working"
    );
    assert_eq!(
        sign_in(&app, "op@test.vendhub.uz", "field-work-2026!").await.0,
        401
    );
}

#[tokio::test]
async fn bad_member_input_is_400_naming_each_field_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let owner = owner_tokens(&app).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = post_as(
        &app,
        "/api/v1/users",
        Some(&owner),
        json!({ "email": "not-an-email", "full_name": "", "password": "short", "role": "king" }),
    )
    .await;
    assert_eq!(status, 400);
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["email", "full_name", "role", "password"]);
    let script = "<script>alert(1)</script>'; DROP TABLE users; --";
    let (status, _) = add_member(&app, &owner, &format!("x{}@test.uz", "a"), "viewer").await;
    assert_eq!(status, 201);
    let (status, body) = post_as(
        &app,
        "/api/v1/users",
        Some(&owner),
        json!({ "email": "inj@test.uz", "full_name": script, "password": "field-work-2026!", "role": "viewer" }),
    )
    .await;
    assert_eq!(status, 201, "text is data, stored as given: {body}");
    assert_eq!(body["full_name"], script);
    let (_, list) = get(&app, "/api/v1/users", &owner).await;
    assert_eq!(list["meta"]["total"], 3, "the users table is intact");
}
