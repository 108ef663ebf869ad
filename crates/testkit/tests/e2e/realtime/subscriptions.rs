//! Subscriptions: foreign or malformed ones refused and not joined, a machine's events only, an organization's events once.

use serde_json::json;
use std::time::Duration;
use vendhub_testkit::TestApp;
use vendhub_testkit::api::other_organization;

use super::{connect_with, demo_fleet, event, make_a_slot_low, publish};

const PASSWORD: &str = "another-long-password";

#[tokio::test]
async fn a_foreign_machine_or_a_malformed_subscription_is_refused_and_not_joined() {
    let app = TestApp::spawn().await;
    let a = demo_fleet(&app).await;
    let (b_org, b_token) = other_organization(&app, "other", PASSWORD).await;
    let (status, own) = vendhub_testkit::api::post(
        &app,
        "/api/v1/machines",
        &b_token,
        json!({ "number": "OT-001", "name": "Own", "machine_type": "snack" }),
    )
    .await;
    assert_eq!(status, 201, "{own}");
    let own = own["id"].as_str().unwrap().to_owned();
    let mut b = connect_with(&app, &b_token).await;
    let foreign = a.machines[0].as_str();
    let refused = b.subscribe(json!({ "machine_id": foreign })).await;
    assert_eq!(refused["ok"], false, "{refused}");
    assert_eq!(refused["error"]["code"], "not_found");
    let refused = b.subscribe(json!({ "machine_id": "VH-001" })).await;
    assert_eq!(refused["error"]["code"], "invalid_subscription", "{refused}");
    let refused = b.subscribe(json!({ "organization": false })).await;
    assert_eq!(refused["error"]["code"], "invalid_subscription", "{refused}");
    // Not joined: B holds only its own machine's room. The foreign machine's events go out both in
    // A's organization and in the room a refused subscription would have joined (named within B's),
    // then a control event of B's own machine, which must arrive, and alone: the bus keeps order, so
    // anything of the foreign machine would have come before it.
    let ok = b.subscribe(json!({ "machine_id": own })).await;
    assert_eq!(ok["ok"], true, "{ok}");
    for org in [a.org.as_str(), b_org.as_str()] {
        publish(
            &app,
            event(
                "machine:status",
                org,
                Some(foreign),
                json!({ "status": "offline" }),
            ),
        )
        .await;
    }
    publish(
        &app,
        event(
            "machine:status",
            &b_org,
            Some(&own),
            json!({ "status": "online", "marker": "own" }),
        ),
    )
    .await;
    let got = b.until("own").await;
    let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["subscribe:error"; 3], "{got:?}");
    assert_eq!(got[0].1["code"], "not_found");
    // A check that something does not happen: the order above already proves it, this short pause
    // only gives a stray late event the chance to show.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        b.events.try_recv().is_err(),
        "nothing of the foreign machine after the control event"
    );
}

#[tokio::test]
async fn a_machine_subscription_receives_its_machines_events_only() {
    let app = TestApp::spawn().await;
    let a = demo_fleet(&app).await;
    let (m1, m2) = (a.machines[0].as_str(), a.machines[1].as_str());
    let mut s = connect_with(&app, &a.token).await;
    let ok = s.subscribe(json!({ "machine_id": m1 })).await;
    let room = format!("org:{}:machine:{m1}", a.org);
    assert_eq!(ok, json!({ "ok": true, "room": room }));
    let org = a.org.as_str();
    publish(
        &app,
        event("machine:status", org, Some(m1), json!({ "status": "offline" })),
    )
    .await;
    publish(
        &app,
        event("machine:status", org, Some(m2), json!({ "status": "offline" })),
    )
    .await;
    publish(
        &app,
        event("order:created", org, None, json!({ "order_id": "o-1" })),
    )
    .await;
    publish(
        &app,
        event("machine:telemetry", org, Some(m1), json!({ "temperature": 4.5 })),
    )
    .await;
    publish(&app, event("inventory:changed", org, Some(m1), json!({}))).await;
    publish(
        &app,
        event("task:updated", org, Some(m1), json!({ "task_id": "t-1" })),
    )
    .await;
    publish(
        &app,
        event("task:updated", org, Some(m1), json!({ "marker": "end" })),
    )
    .await;
    let got = s.until("end").await;
    assert_eq!(
        got,
        vec![
            (
                "machine:status".into(),
                json!({ "status": "offline", "machine_id": m1 })
            ),
            (
                "machine:telemetry".into(),
                json!({ "temperature": 4.5, "machine_id": m1 })
            ),
            (
                "task:updated".into(),
                json!({ "task_id": "t-1", "machine_id": m1 })
            ),
        ]
    );
    // Unsubscribed, the machine's events stop.
    let left = s.ask("unsubscribe", json!({ "machine_id": m1 })).await;
    assert_eq!(left["ok"], true, "{left}");
    assert_eq!(s.subscribe(json!({ "machine_id": m2 })).await["ok"], true);
    publish(
        &app,
        event("machine:status", org, Some(m1), json!({ "status": "online" })),
    )
    .await;
    publish(
        &app,
        event("machine:status", org, Some(m2), json!({ "marker": "again" })),
    )
    .await;
    assert_eq!(s.until("again").await, vec![]);
}

#[tokio::test]
async fn an_organization_subscription_receives_all_its_events_once_and_none_of_another() {
    let app = TestApp::spawn().await;
    let a = demo_fleet(&app).await;
    let (b_org, _) = other_organization(&app, "other", PASSWORD).await;
    let mut s = connect_with(&app, &a.token).await;
    assert_eq!(s.subscribe(json!({ "organization": true })).await["ok"], true);
    // In the machine's room too: its events still arrive once.
    let m1 = a.machines[0].as_str();
    assert_eq!(s.subscribe(json!({ "machine_id": m1 })).await["ok"], true);
    let org = a.org.as_str();
    publish(
        &app,
        event("machine:status", org, Some(m1), json!({ "status": "error" })),
    )
    .await;
    publish(
        &app,
        event("machine:status", &b_org, Some(m1), json!({ "status": "x" })),
    )
    .await;
    publish(
        &app,
        event("order:created", &b_org, None, json!({ "order_id": "b" })),
    )
    .await;
    publish(
        &app,
        event("order:created", org, None, json!({ "order_id": "a" })),
    )
    .await;
    // A real stock movement over HTTP announces a low slot.
    let low_machine = make_a_slot_low(&app, &a.token).await;
    publish(
        &app,
        event("order:created", org, None, json!({ "marker": "end" })),
    )
    .await;
    let got = s.until("end").await;
    let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
    // Once each, and nothing of organization B (not even an event naming A's machine).
    assert_eq!(
        names,
        ["machine:status", "order:created", "inventory:low"],
        "{got:?}"
    );
    assert_eq!(got[0].1, json!({ "status": "error", "machine_id": m1 }));
    assert_eq!(got[1].1, json!({ "order_id": "a" }));
    assert_eq!(got[2].1["machine_id"], low_machine);
    assert_eq!(got[2].1["balance"], 2);
}
