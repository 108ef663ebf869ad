//! Several organizations per owner, switching between them, deleting one.

use serde_json::json;
use vendhub_testkit::api::{call_as, get, login, post_as};
use vendhub_testkit::{OWNER_EMAIL, OWNER_PASSWORD, TestApp};

#[tokio::test]
async fn an_owner_runs_several_organizations_and_switches_explicitly() {
    let app = TestApp::spawn().await;
    let first = login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let (status, org2) = post_as(
        &app,
        "/api/v1/organizations",
        Some(&first),
        json!({ "name": "Samarqand Vending", "timezone": "Asia/Samarkand" }),
    )
    .await;
    assert_eq!(status, 201, "{org2}");
    let (_, mine) = get(&app, "/api/v1/organizations", &first).await;
    assert_eq!(mine.as_array().unwrap().len(), 2);

    let (status, switched) = post_as(
        &app,
        "/api/v1/auth/switch-organization",
        Some(&first),
        json!({ "organization_id": org2["id"] }),
    )
    .await;
    assert_eq!(status, 200, "{switched}");
    assert_eq!(switched["user"]["organization_id"], org2["id"]);
    let second = switched["access_token"].as_str().unwrap();
    let (_, current) = get(&app, "/api/v1/organizations/current", second).await;
    assert_eq!(current["name"], "Samarqand Vending");
    let (_, audit) = get(&app, "/api/v1/audit?action=auth.switch_organization", second).await;
    assert_eq!(
        audit["meta"]["total"], 1,
        "the switch is audited in the organization switched to"
    );
    let (_, home) = get(&app, "/api/v1/organizations/current", &first).await;
    let home_id = home["id"].as_str().unwrap();
    let (_, log) = get(&app, "/api/v1/audit?limit=100", second).await;
    assert!(
        !log.to_string().contains(home_id),
        "the log of the organization switched to carries the other organization's id: {log}"
    );

    let nowhere = uuid::Uuid::now_v7();
    assert_eq!(
        post_as(
            &app,
            "/api/v1/auth/switch-organization",
            Some(&first),
            json!({ "organization_id": nowhere })
        )
        .await
        .0,
        404
    );

    let (status, body) = call_as(
        &app,
        reqwest::Method::PATCH,
        "/api/v1/organizations/current",
        Some(second),
        Some(json!({ "name": "Samarqand Vending LLC", "timezone": "Not a zone", "language": "de" })),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"].as_array().unwrap().len(), 2);
    let (status, body) = call_as(
        &app,
        reqwest::Method::PATCH,
        "/api/v1/organizations/current",
        Some(second),
        Some(json!({ "name": "Samarqand Vending LLC", "language": "ru" })),
    )
    .await;
    assert_eq!((status.as_u16(), body["language"].as_str()), (200, Some("ru")));
}

#[tokio::test]
async fn deleting_an_organization_ends_its_sessions_and_keeps_the_others() {
    let app = TestApp::spawn().await;
    let first = login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let (_, org2) = post_as(
        &app,
        "/api/v1/organizations",
        Some(&first),
        json!({ "name": "Short-lived" }),
    )
    .await;
    let (_, switched) = post_as(
        &app,
        "/api/v1/auth/switch-organization",
        Some(&first),
        json!({ "organization_id": org2["id"] }),
    )
    .await;
    let second = switched["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        call_as(
            &app,
            reqwest::Method::DELETE,
            "/api/v1/organizations/current",
            Some(&second),
            None
        )
        .await
        .0,
        204
    );
    assert_eq!(
        get(&app, "/api/v1/auth/me", &second).await.0,
        401,
        "no one acts in a deleted organization"
    );
    assert_eq!(
        get(&app, "/api/v1/auth/me", &first).await.0,
        200,
        "the first organization is untouched"
    );
    let (_, mine) = get(&app, "/api/v1/organizations", &first).await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(
        post_as(
            &app,
            "/api/v1/auth/switch-organization",
            Some(&first),
            json!({ "organization_id": org2["id"] })
        )
        .await
        .0,
        404
    );
}
