//! Several replicas on Redis: events reach both replicas' clients once, and a replica with Redis down still serves its own.

use serde_json::json;
use vendhub_testkit::TestApp;

use super::{connect_with, demo_fleet, event, make_a_slot_low, publish};

#[tokio::test]
async fn with_redis_an_event_from_one_replica_reaches_clients_of_both_once() {
    // Replicas share their signing secrets, as production configuration requires.
    let replica = || TestApp::builder().redis().shared_secrets();
    let one = replica().spawn().await;
    let two = replica().same_database_as(&one).spawn().await;
    let a = demo_fleet(&one).await;
    let mut on_one = connect_with(&one, &a.token).await;
    let mut on_two = connect_with(&two, &a.token).await;
    for s in [&on_one, &on_two] {
        assert_eq!(s.subscribe(json!({ "organization": true })).await["ok"], true);
    }
    // In both rooms on replica one: the machine room's broadcast from replica two excludes it there.
    let m1 = a.machines[0].as_str();
    assert_eq!(on_one.subscribe(json!({ "machine_id": m1 })).await["ok"], true);
    // The Socket.IO Redis adapter's channels, as the runbook's `PUBSUB CHANNELS "socket.io*"` shows.
    let redis = redis::Client::open(vendhub_testkit::redis_url()).unwrap();
    let mut conn = redis.get_multiplexed_async_connection().await.unwrap();
    let channels: Vec<String> = redis::cmd("PUBSUB")
        .arg("CHANNELS")
        .arg("socket.io*")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(
        channels.iter().any(|c| c == "socket.io-request#/#"),
        "{channels:?}"
    );
    let (_, listening): (String, u64) = redis::cmd("PUBSUB")
        .arg("NUMSUB")
        .arg("socket.io-request#/#")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(listening >= 2, "both replicas listen: {listening}");
    // Published on replica two (directly, and by a stock movement through its API).
    publish(
        &two,
        event("machine:status", &a.org, Some(m1), json!({ "status": "offline" })),
    )
    .await;
    let low_machine = make_a_slot_low(&two, &a.token).await;
    publish(
        &two,
        event("order:created", &a.org, None, json!({ "marker": "end" })),
    )
    .await;
    for s in [&mut on_one, &mut on_two] {
        let got = s.until("end").await;
        let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["machine:status", "inventory:low"], "{got:?}");
        assert_eq!(got[0].1["machine_id"], m1);
        assert_eq!(got[1].1["machine_id"], low_machine);
    }
}

#[tokio::test]
async fn with_redis_down_a_replica_still_emits_its_events_to_its_own_clients() {
    let redis = crate::redis::private_redis();
    let app = TestApp::builder()
        .env("REDIS_URL", format!("redis://127.0.0.1:{}/", redis.1))
        .spawn()
        .await;
    let a = demo_fleet(&app).await;
    let mut s = connect_with(&app, &a.token).await;
    assert_eq!(s.subscribe(json!({ "organization": true })).await["ok"], true);
    drop(redis);
    let m1 = a.machines[0].as_str();
    for e in [
        event("machine:status", &a.org, Some(m1), json!({ "status": "offline" })),
        event("order:created", &a.org, None, json!({ "marker": "end" })),
    ] {
        // The bus cannot reach Redis either; the event is still this replica's own.
        let _ = app.app.bus().publish(&e).await;
    }
    let got = s.until("end").await;
    let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["machine:status"], "{got:?}");
}
