//! The health URLs of CONTRACT section 3 and runbook section 4.1, with their exact JSON.

use serde_json::Value;
use vendhub_testkit::TestApp;

async fn json(app: &TestApp, path: &str) -> (u16, Value) {
    let res = app.get(path).await;
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

#[tokio::test]
async fn health_says_ok_with_a_timestamp_and_uptime() {
    let app = TestApp::spawn().await;
    let (status, body) = json(&app, "/health").await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok");
    let ts = body["timestamp"].as_str().unwrap();
    chrono::DateTime::parse_from_rfc3339(ts).expect("RFC 3339 timestamp");
    assert!(body["uptime"].as_f64().unwrap() >= 0.0);
}

#[tokio::test]
async fn live_reports_memory_heap_up() {
    let app = TestApp::spawn().await;
    let (status, body) = json(&app, "/health/live").await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok");
    assert_eq!(body["info"]["memory_heap"]["status"], "up");
}

#[tokio::test]
async fn ready_on_the_embedded_default_reports_database_and_in_process_cache() {
    let app = TestApp::spawn().await;
    let (status, body) = json(&app, "/health/ready").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "ok");
    assert_eq!(body["info"]["database"]["status"], "up");
    assert_eq!(
        body["info"]["cache"],
        serde_json::json!({"status": "up", "backend": "memory"})
    );
    assert!(
        body["info"].get("redis").is_none(),
        "no redis entry without Redis"
    );
    assert!(body.get("error").is_none());
}

#[tokio::test]
async fn detailed_lists_every_part_up() {
    // The disk check compares the real disk with the threshold; a shared test machine's disk may be
    // fuller than the default 90 %, so this test allows all of it.
    let app = TestApp::builder()
        .env("HEALTH_DISK_THRESHOLD_PERCENT", "100")
        .spawn()
        .await;
    let (status, body) = json(&app, "/health/detailed").await;
    assert_eq!(status, 200, "{body}");
    for part in [
        "database",
        "cache",
        "memory_heap",
        "memory_rss",
        "disk",
        "storage",
        "queue",
    ] {
        assert_eq!(body["info"][part]["status"], "up", "{part}: {body}");
        assert_eq!(body["details"][part]["status"], "up", "{part}");
    }
    assert!(body["details"]["disk"]["free_bytes"].as_u64().unwrap() > 0);
    assert!(body["details"]["queue"]["dead"].is_number());
}

#[tokio::test]
async fn a_disk_above_its_threshold_is_reported_down_with_its_numbers() {
    let app = TestApp::builder()
        .env("HEALTH_DISK_THRESHOLD_PERCENT", "1")
        .spawn()
        .await;
    let (status, body) = json(&app, "/health/detailed").await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "error");
    let disk = &body["error"]["disk"];
    assert_eq!(disk["status"], "down", "{body}");
    assert_eq!(disk["threshold_percent"], 1);
    assert!(disk["message"].as_str().unwrap().contains("% full"), "{disk}");
    assert_eq!(
        body["info"]["database"]["status"], "up",
        "the other parts stay up"
    );
}

#[tokio::test]
async fn version_names_the_build() {
    let app = TestApp::spawn().await;
    let (status, body) = json(&app, "/health/version").await;
    assert_eq!(status, 200);
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(body["environment"], "development");
    assert!(body["rust_version"].as_str().unwrap().starts_with("rustc "));
    for key in ["git_commit", "build_time", "uptime"] {
        assert!(body.get(key).is_some(), "{key}");
    }
}

#[tokio::test]
async fn ready_is_503_naming_the_database_when_it_is_down() {
    use diesel::Connection;
    use diesel::connection::SimpleConnection;
    // Needs a database the test can take away: a PostgreSQL one of its own, on either suite pass.
    let admin =
        std::env::var("TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let name = format!("vh_down_{}", uuid::Uuid::now_v7().simple());
    let mut conn = vendhub_store::DbConn::establish(&admin).unwrap();
    conn.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
    let app = TestApp::builder()
        .env("DATABASE_URL", url)
        .env("DB_CONNECT_TIMEOUT", "2s")
        .spawn()
        .await;
    assert_eq!(app.get("/health/ready").await.status(), 200);

    conn.batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .unwrap();
    let res = app.get("/health/ready").await;
    assert_eq!(res.status(), 503);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], "error");
    assert_eq!(body["error"]["database"]["status"], "down", "{body}");
    assert_eq!(
        body["info"]["cache"]["status"], "up",
        "the parts still up stay under info"
    );
    let detailed: serde_json::Value = app.get("/health/detailed").await.json().await.unwrap();
    assert_eq!(detailed["error"]["database"]["status"], "down");
}
