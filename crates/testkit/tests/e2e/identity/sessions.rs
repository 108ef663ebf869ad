//! Sessions listed and ended one by one.

use vendhub_testkit::api::{call_as, get, login};
use vendhub_testkit::{OWNER_EMAIL, OWNER_PASSWORD, TestApp};

#[tokio::test]
async fn sessions_are_listed_and_can_be_ended_one_by_one() {
    let app = TestApp::spawn().await;
    let a = login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let b = login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let (status, list) = get(&app, "/api/v1/auth/sessions", &a).await;
    assert_eq!(status, 200);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list.iter().filter(|s| s["current"] == true).count(), 1);
    let other = list.iter().find(|s| s["current"] == false).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _) = call_as(
        &app,
        reqwest::Method::DELETE,
        &format!("/api/v1/auth/sessions/{other}"),
        Some(&a),
        None,
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(get(&app, "/api/v1/auth/me", &b).await.0, 401);
    assert_eq!(get(&app, "/api/v1/auth/me", &a).await.0, 200);
    let random = uuid::Uuid::now_v7();
    assert_eq!(
        call_as(
            &app,
            reqwest::Method::DELETE,
            &format!("/api/v1/auth/sessions/{random}"),
            Some(&a),
            None
        )
        .await
        .0,
        404
    );
}
