//! Graceful shutdown: readiness turns 503 at once, in-flight requests finish, the server stops.

use std::sync::Arc;
use std::time::Duration;

use axum::routing::get;
use tokio::sync::Notify;
use vendhub_testkit::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn draining_answers_ready_503_and_lets_in_flight_requests_finish() {
    let entered = Arc::new(Notify::new());
    let release = Arc::new(Notify::new());
    let (e, r) = (Arc::clone(&entered), Arc::clone(&release));
    let slow = axum::Router::new().route(
        "/test/slow",
        get(move || {
            let (e, r) = (Arc::clone(&e), Arc::clone(&r));
            async move {
                e.notify_one();
                r.notified().await;
                "finished"
            }
        }),
    );
    let mut app = TestApp::builder()
        .routes(slow)
        .env("SHUTDOWN_DELAY", "30s")
        .spawn()
        .await;
    let client = app.client.clone();
    let url = app.url("/test/slow");
    let in_flight = tokio::spawn(async move { client.get(url).send().await.unwrap().text().await.unwrap() });
    entered.notified().await;

    app.signal_shutdown();
    // The signal is handled on another task: readiness flips as soon as it has run.
    let body = loop {
        let res = app.get("/health/ready").await;
        if res.status() == 503 {
            break res.json::<serde_json::Value>().await.unwrap();
        }
        tokio::task::yield_now().await;
    };
    assert_eq!(body["status"], "error");
    assert_eq!(body["error"]["server"]["message"], "shutting down");
    assert_eq!(
        app.get("/health/live").await.status(),
        200,
        "still alive while draining"
    );

    release.notify_one();
    assert_eq!(in_flight.await.unwrap(), "finished");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_completes_within_the_timeout_even_with_a_stuck_request() {
    let stuck = axum::Router::new().route("/test/stuck", get(std::future::pending::<&'static str>));
    let mut app = TestApp::builder()
        .routes(stuck)
        .env("SHUTDOWN_TIMEOUT", "1s")
        .spawn()
        .await;
    let client = app.client.clone();
    let url = app.url("/test/stuck");
    let _stuck = tokio::spawn(async move { client.get(url).send().await });
    tokio::task::yield_now().await;
    app.signal_shutdown();
    tokio::time::timeout(Duration::from_secs(10), app.stopped())
        .await
        .expect("stopped within the timeout");
}
