//! A machine's status from its telemetry: errors put it in error, silence (the scheduled job) takes it offline.

use serde_json::{Value, json};
use vendhub_testkit::api::{demo, machine_id};
use vendhub_testkit::{OWNER_EMAIL, OWNER_PASSWORD, TestApp};

use super::{new_key, send_events, status_of};

#[tokio::test]
async fn errors_put_a_machine_in_error_and_silent_machines_go_offline_until_their_next_heartbeat() {
    let (app, t) = demo().await;
    let m = machine_id(&app, &t, "VH-001").await;
    let key = new_key(&app, &t, &m).await;
    let mut bus = app.app.bus().subscribe();
    let (status, _) = send_events(&app, &key, &m, json!([{ "type": "heartbeat", "id": "h1" }])).await;
    assert_eq!(status, 200);
    // Not heard from "for zero seconds": offline.
    let changed = vendhub_app::gateway::offline::mark_silent_machines(&app.app, std::time::Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(changed, 1, "only machines that ever talked are watched");
    assert_eq!(status_of(&app, &t, &m).await["status"], "offline");
    let again = vendhub_app::gateway::offline::mark_silent_machines(&app.app, std::time::Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(again, 0, "one event per change");
    let (status, _) = send_events(&app, &key, &m, json!([{ "type": "heartbeat", "id": "h2" }])).await;
    assert_eq!(status, 200);
    assert_eq!(status_of(&app, &t, &m).await["status"], "active");
    let (status, _) = send_events(
        &app,
        &key,
        &m,
        json!([{ "type": "telemetry", "id": "t1", "temperature": 7.5, "door": "open" },
               { "type": "error", "id": "x1", "code": "E12", "message": "coin jam" }]),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(status_of(&app, &t, &m).await["status"], "error");

    let mut seen = Vec::new();
    while let Ok(e) = bus.try_recv() {
        assert_eq!(e.payload["machine_id"], json!(m), "{e:?}");
        seen.push((
            e.name.clone(),
            e.payload.get("status").cloned().unwrap_or(Value::Null),
        ));
    }
    assert_eq!(
        seen,
        [
            ("machine:status".to_owned(), json!("offline")),
            ("machine:status".to_owned(), json!("active")),
            ("machine:status".to_owned(), json!("error")),
            ("machine:telemetry".to_owned(), Value::Null),
        ]
    );
}

#[tokio::test]
async fn the_scheduled_job_marks_a_silent_machine_offline_after_machine_offline_after() {
    let app = TestApp::builder()
        .env("MACHINE_OFFLINE_AFTER", "1s")
        .spawn()
        .await;
    vendhub_app::demo::seed(&app.app).await.unwrap();
    let res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "email": OWNER_EMAIL, "password": OWNER_PASSWORD }))
        .send()
        .await
        .unwrap();
    let t = res.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let m = machine_id(&app, &t, "VH-001").await;
    let key = new_key(&app, &t, &m).await;
    let mut bus = app.app.bus().subscribe();
    let (status, _) = send_events(&app, &key, &m, json!([{ "type": "heartbeat", "id": "h1" }])).await;
    assert_eq!(status, 200);
    let start = std::time::Instant::now();
    while status_of(&app, &t, &m).await["status"] != "offline" {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(15),
            "not marked offline"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let event = bus.recv().await.unwrap();
    assert_eq!(event.name, "machine:status");
    assert_eq!(event.payload["status"], "offline");
    let never = machine_id(&app, &t, "VH-002").await;
    assert_ne!(
        status_of(&app, &t, &never).await["status"],
        "offline",
        "never heard from: not watched"
    );
}
