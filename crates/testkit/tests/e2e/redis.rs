//! With Redis configured: readiness checks it, and the event bus reaches other replicas.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use vendhub_app::ports::DomainEvent;
use vendhub_testkit::TestApp;

#[tokio::test]
async fn ready_reports_redis_when_it_is_configured() {
    let app = TestApp::builder().redis().spawn().await;
    let body: serde_json::Value = app.get("/health/ready").await.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["info"]["redis"]["status"], "up", "{body}");
    assert!(body["info"].get("cache").is_none());
}

#[tokio::test]
async fn an_event_published_on_one_replica_reaches_the_other() {
    let channel_test = TestApp::builder().redis().spawn().await;
    let other = TestApp::builder()
        .redis()
        .same_database_as(&channel_test)
        .spawn()
        .await;
    let mut rx = other.app.bus().subscribe();
    let event = DomainEvent {
        name: "machine:status".into(),
        organization_id: uuid::Uuid::now_v7().to_string(),
        machine_id: Some("m-1".into()),
        payload: serde_json::json!({ "status": "offline" }),
    };
    channel_test.app.bus().publish(&event).await.unwrap();
    let got = loop {
        let e = tokio::time::timeout(Duration::from_secs(5), rx.recv())
            .await
            .unwrap()
            .unwrap();
        if e.organization_id == event.organization_id {
            break e;
        }
    };
    assert_eq!(got, event);
}

pub struct PrivateRedis(Child, pub u16);

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn private_redis() -> PrivateRedis {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .stdout(Stdio::null())
        .spawn()
        .expect("redis-server must be installed for this test");
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "private redis did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    PrivateRedis(child, port)
}

#[tokio::test]
async fn ready_is_503_naming_redis_when_redis_goes_down() {
    let redis = private_redis();
    let app = TestApp::builder()
        .env("REDIS_URL", format!("redis://127.0.0.1:{}/", redis.1))
        .spawn()
        .await;
    assert_eq!(app.get("/health/ready").await.status(), 200);
    drop(redis);
    let res = app.get("/health/ready").await;
    assert_eq!(res.status(), 503);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], "error");
    assert_eq!(body["error"]["redis"]["status"], "down", "{body}");
    assert_eq!(body["info"]["database"]["status"], "up");
}
