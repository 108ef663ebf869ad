//! Errors are problem+json; every answer carries a request id and the security headers.

use vendhub_testkit::TestApp;

#[tokio::test]
async fn an_unknown_route_is_a_404_problem() {
    let app = TestApp::spawn().await;
    let res = app.get("/api/v1/nothing-here").await;
    assert_eq!(res.status(), 404);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], 404);
    assert_eq!(body["code"], "not_found");
    for key in ["type", "title", "detail"] {
        assert!(body[key].is_string(), "{key}");
    }
}

#[tokio::test]
async fn a_request_id_is_generated_or_echoed() {
    let app = TestApp::spawn().await;
    let res = app.get("/health").await;
    let id = res.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(uuid::Uuid::parse_str(id).unwrap().get_version_num(), 4);

    let res = app
        .client
        .get(app.url("/health"))
        .header("x-request-id", "lb-abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "lb-abc-123");
}

#[tokio::test]
async fn security_headers_are_set() {
    let app = TestApp::spawn().await;
    let res = app.get("/health").await;
    let h = res.headers();
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(h.contains_key("content-security-policy"));
    assert!(h.contains_key("referrer-policy"));
    assert!(
        !h.contains_key("strict-transport-security"),
        "HSTS only in production"
    );
}

#[tokio::test]
async fn production_adds_hsts_and_hides_the_docs() {
    let secret = "x".repeat(40);
    let app = TestApp::builder()
        .env("APP_ENV", "production")
        .env("JWT_SECRET", &secret)
        .env("JWT_REFRESH_SECRET", "y".repeat(40))
        .env("VENDHUB_ENCRYPTION_KEY", "z".repeat(40))
        .spawn()
        .await;
    let res = app.get("/health").await;
    assert!(
        res.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .contains("max-age=")
    );
    assert_eq!(app.get("/docs").await.status(), 404);
    assert_eq!(app.get("/openapi.json").await.status(), 200);
}

#[tokio::test]
async fn openapi_documents_every_health_route_and_docs_are_served_locally() {
    let app = TestApp::spawn().await;
    let doc: serde_json::Value = app.get("/openapi.json").await.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/health",
        "/health/live",
        "/health/ready",
        "/health/detailed",
        "/health/version",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from the OpenAPI document"
        );
    }
    let page = app.get("/docs").await.text().await.unwrap();
    assert!(
        page.contains("/docs/swagger-ui-bundle.js") && !page.contains("https://"),
        "no CDN"
    );
    let js = app.get("/docs/swagger-ui-bundle.js").await;
    assert_eq!(js.status(), 200);
    assert!(js.bytes().await.unwrap().len() > 100_000);
}

#[tokio::test]
async fn a_nul_in_the_url_is_a_400_problem() {
    let app = TestApp::spawn().await;
    for path in [
        "/api/v1/audit?action=%00",
        "/api/v1/users/%00",
        "/api/v1/users?page=1%00",
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status(), 400, "{path}");
        assert_eq!(res.headers()["content-type"], "application/problem+json");
    }
}

#[tokio::test]
async fn a_query_that_does_not_parse_is_a_400_problem_naming_the_parameter() {
    let (app, token) = vendhub_testkit::api::demo().await;
    for (path, field) in [
        ("/api/v1/locations/nearby?lat=41.3&lon=abc", "lon"),
        ("/api/v1/locations/nearby?lon=69.2", "lat"),
        (
            "/api/v1/locations/nearby?lat=41.3&lon=69.2&radius_km=far",
            "radius_km",
        ),
        ("/api/v1/users?page=first", "page"),
        ("/api/v1/machines?limit=many", "limit"),
    ] {
        let res = app
            .client
            .get(app.url(path))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400, "{path}");
        assert_eq!(
            res.headers()["content-type"],
            "application/problem+json",
            "{path}"
        );
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["code"], "invalid_query", "{path}: {body}");
        assert_eq!(body["errors"][0]["field"], field, "{path}: {body}");
        assert!(body["errors"][0]["message"].is_string(), "{path}: {body}");
    }
}

async fn assert_bad_field(res: reqwest::Response, field: &str) {
    assert_eq!(res.status(), 400);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], 400);
    let named = body["errors"]
        .as_array()
        .is_some_and(|e| e.iter().any(|e| e["field"] == field));
    assert!(named, "{field} is not named: {body}");
}

async fn get_with(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_query_value_that_does_not_parse_is_a_400_problem_naming_it() {
    let (app, token) = vendhub_testkit::api::demo().await;
    let res = get_with(&app, &token, "/api/v1/locations/nearby?lat=41.3&lon=abc").await;
    assert_bad_field(res, "lon").await;
}

#[tokio::test]
async fn a_missing_query_value_is_a_400_problem_naming_it() {
    let (app, token) = vendhub_testkit::api::demo().await;
    let res = get_with(&app, &token, "/api/v1/locations/nearby?lat=41.3").await;
    assert_bad_field(res, "lon").await;
}

#[tokio::test]
async fn an_unknown_enum_value_in_a_query_is_a_400_problem_naming_it() {
    let (app, token) = vendhub_testkit::api::demo().await;
    let res = get_with(&app, &token, "/api/v1/machines?status=levitating").await;
    assert_bad_field(res, "status").await;
}

#[tokio::test]
async fn a_path_id_that_is_not_a_uuid_is_a_400_problem_naming_it() {
    let (app, token) = vendhub_testkit::api::demo().await;
    let res = get_with(&app, &token, "/api/v1/machines/not-a-uuid").await;
    assert_bad_field(res, "id").await;
}

#[tokio::test]
async fn a_method_the_route_does_not_answer_is_a_405_problem() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .delete(app.url("/api/v1/auth/login"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["code"], "method_not_allowed");
}
