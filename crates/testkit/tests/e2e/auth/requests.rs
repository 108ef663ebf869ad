//! Malformed requests (bad JSON, wrong content type, oversized bodies) answer problems.

use serde_json::json;
use vendhub_testkit::TestApp;

#[tokio::test]
async fn malformed_json_wrong_content_type_and_oversized_bodies_are_problems() {
    let app = TestApp::spawn().await;
    let url = app.url("/api/v1/auth/login");
    let res = app
        .client
        .post(&url)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let res = app
        .client
        .post(&url)
        .header("content-type", "text/plain")
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let big = format!(
        r#"{{"email":"a@b.uz","password":"{}"}}"#,
        "x".repeat(2 * 1024 * 1024)
    );
    let res = app
        .client
        .post(&url)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let res = app
        .client
        .post(&url)
        .json(&json!({ "email": "a@b.uz" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400, "a missing field is a bad request");
}
