//! Telemetry batches: vends recorded once (replays, concurrent replays included), empty slots flagged, oversized and bad batches refused whole.

use reqwest::Method;
use serde_json::{Value, json};
use vendhub_testkit::api::{call, demo, machine_id};

use super::{new_key, sales_of, send_events, slots, status_of};

#[tokio::test]
async fn vends_record_sales_and_sale_movements_once_even_when_replayed() {
    let (app, t) = demo().await;
    let m = machine_id(&app, &t, "VH-001").await;
    let key = new_key(&app, &t, &m).await;
    let before = slots(&app, &t, &m).await;
    let (a1, p1, q1) = before[0].clone();
    assert!(q1 >= 1, "{before:?}");
    let batch = json!([
        { "type": "heartbeat", "id": "e-1", "at": "2026-11-22T10:00:00Z" },
        { "type": "telemetry", "id": "e-2", "temperature": 4.5, "humidity": 41.0, "door": "closed", "signal": -71,
          "error_codes": [] },
        { "type": "vend", "id": "e-3", "slot": a1.to_lowercase(), "product_id": p1, "price": 1_200_000,
          "payment_method": "cash", "at": "2026-11-22T10:01:00Z" },
        { "type": "vend", "id": "e-3", "slot": a1, "price": 1_200_000, "payment_method": "cash" },
    ]);
    let (status, report) = send_events(&app, &key, &m, batch.clone()).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["new"], 3, "{report}");
    assert_eq!(
        report["duplicates"], 1,
        "the same id twice in a batch is one event: {report}"
    );
    assert_eq!(report["sales"], 1);
    let after = slots(&app, &t, &m).await;
    assert_eq!(after[0].2, q1 - 1);
    let sales = sales_of(&app, &t, &m).await;
    assert_eq!(sales.len(), 1);
    assert_eq!(
        (
            sales[0].source.as_str(),
            sales[0].payment_method.as_str(),
            sales[0].amount,
            sales[0].flag.clone()
        ),
        ("telemetry", "cash", 1_200_000, None)
    );
    assert_eq!(sales[0].sold_at.to_string(), "2026-11-22 10:01:00");
    // Replayed: accepted, all duplicates, no second sale and no second movement.
    let (status, replay) = send_events(&app, &key, &m, batch).await;
    assert_eq!(status, 200);
    assert_eq!(
        (replay["new"].clone(), replay["duplicates"].clone()),
        (json!(0), json!(4))
    );
    assert_eq!(slots(&app, &t, &m).await[0].2, q1 - 1);
    assert_eq!(sales_of(&app, &t, &m).await.len(), 1);
    let (_, moves) = call(
        &app,
        Method::GET,
        &format!("/api/v1/inventory/movements?kind=sale&holder=slot:{m}:{a1}"),
        &t,
        None,
    )
    .await;
    assert_eq!(moves["meta"]["total"], 1, "{moves}");
    assert_ne!(status_of(&app, &t, &m).await["last_seen_at"], Value::Null);
}

#[tokio::test]
async fn a_vend_from_an_empty_slot_is_recorded_flagged_and_the_balance_stays_zero() {
    let (app, t) = demo().await;
    let m = machine_id(&app, &t, "VH-001").await;
    let key = new_key(&app, &t, &m).await;
    let (slot, _, q) = slots(&app, &t, &m).await[0].clone();
    let vends: Vec<Value> = (0..=q)
        .map(|i| json!({ "type": "vend", "id": format!("v-{i}"), "slot": slot, "price": 500_000, "payment_method": "card" }))
        .collect();
    let (status, report) = send_events(&app, &key, &m, Value::Array(vends)).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["sales"], q + 1);
    assert_eq!(slots(&app, &t, &m).await[0].2, 0, "never below zero");
    let sales = sales_of(&app, &t, &m).await;
    let flagged: Vec<_> = sales
        .iter()
        .filter(|s| s.flag.as_deref() == Some("empty_slot"))
        .collect();
    assert_eq!(flagged.len(), 1, "the one vend beyond the ledger is flagged");
    let (_, moves) = call(
        &app,
        Method::GET,
        &format!("/api/v1/inventory/movements?kind=adjustment&holder=slot:{m}:{slot}"),
        &t,
        None,
    )
    .await;
    assert_eq!(moves["meta"]["total"], 1, "a shrink adjustment: {moves}");
    assert_eq!(moves["data"][0]["reason"], "shrink");
}

#[tokio::test]
async fn oversized_batches_are_413_and_bad_events_refuse_the_batch_whole_with_each_index() {
    let (app, t) = demo().await;
    let m = machine_id(&app, &t, "VH-001").await;
    let key = new_key(&app, &t, &m).await;
    let many: Vec<Value> = (0..1001)
        .map(|i| json!({ "type": "heartbeat", "id": format!("h{i}") }))
        .collect();
    let (status, body) = send_events(&app, &key, &m, Value::Array(many)).await;
    assert_eq!(status, 413, "{body}");
    let exactly: Vec<Value> = (0..1000)
        .map(|i| json!({ "type": "heartbeat", "id": format!("h{i}") }))
        .collect();
    let (status, body) = send_events(&app, &key, &m, Value::Array(exactly)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["new"], 1000);

    let before = slots(&app, &t, &m).await;
    let (status, body) = send_events(
        &app,
        &key,
        &m,
        json!([
            { "type": "vend", "id": "ok-1", "slot": before[0].0, "price": 100, "payment_method": "cash" },
            { "type": "vend", "id": "bad-1", "slot": "Z9", "price": 100, "payment_method": "cash" },
            { "type": "telemetry", "id": "bad-2", "temperature": 900.0 },
            { "type": "vend", "id": "bad-3", "slot": "A1", "price": -5, "payment_method": "bitcoin" },
            { "type": "teleport", "id": "bad-4" },
            { "type": "heartbeat" },
            { "type": "heartbeat", "id": "bad-6", "at": "yesterday" },
            { "type": "error", "id": "" , "code": "E1"},
            "not an object",
        ]),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "events[2]",
            "events[3]",
            "events[4]",
            "events[5]",
            "events[6]",
            "events[7]",
            "events[8]"
        ],
        "{body}"
    );
    // The planogram check comes after the shape checks; it too refuses the whole batch.
    let (status, body) = send_events(
        &app,
        &key,
        &m,
        json!([
            { "type": "vend", "id": "ok-1", "slot": before[0].0, "price": 100, "payment_method": "cash" },
            { "type": "vend", "id": "bad-1", "slot": "Z9", "price": 100, "payment_method": "cash" },
        ]),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["field"], "events[1]");
    assert_eq!(slots(&app, &t, &m).await, before, "nothing written");
    assert!(sales_of(&app, &t, &m).await.is_empty());
    for bad in [
        json!({ "machine_id": m }),
        json!({ "machine_id": m, "events": [] }),
        json!([1, 2]),
    ] {
        let res = app
            .client
            .post(app.url("/api/v1/gateway/events"))
            .header("X-Api-Key", &key)
            .json(&bad)
            .send()
            .await
            .unwrap();
        assert!(
            matches!(res.status().as_u16(), 400 | 422),
            "{bad}: {}",
            res.status()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_replays_of_one_batch_record_each_sale_once() {
    let (app, t) = demo().await;
    let m = machine_id(&app, &t, "VH-001").await;
    let key = new_key(&app, &t, &m).await;
    let (slot, _, q) = slots(&app, &t, &m).await[0].clone();
    let batch = json!([
        { "type": "vend", "id": "c-1", "slot": slot, "price": 100, "payment_method": "cash" },
        { "type": "vend", "id": "c-2", "slot": slot, "price": 100, "payment_method": "card" },
    ]);
    let sends = (0..6).map(|_| send_events(&app, &key, &m, batch.clone()));
    let answers = futures_join_all(sends).await;
    let new: i64 = answers
        .iter()
        .map(|(status, body)| {
            assert_eq!(*status, 200, "{body}");
            body["new"].as_i64().unwrap()
        })
        .sum();
    assert_eq!(new, 2, "{answers:?}");
    assert_eq!(sales_of(&app, &t, &m).await.len(), 2);
    assert_eq!(slots(&app, &t, &m).await[0].2, (q - 2).max(0));
}

/// Runs the futures concurrently on this task.
async fn futures_join_all<F: std::future::Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let handles: Vec<_> = futures.map(Box::pin).collect();
    let mut out = Vec::new();
    let mut pending: Vec<_> = handles.into_iter().map(Some).collect();
    // Poll all of them together.
    std::future::poll_fn(|cx| {
        let mut done = true;
        for slot in &mut pending {
            if let Some(f) = slot {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => {
                        out.push(v);
                        *slot = None;
                    }
                    std::task::Poll::Pending => done = false,
                }
            }
        }
        if done {
            std::task::Poll::Ready(std::mem::take(&mut out))
        } else {
            std::task::Poll::Pending
        }
    })
    .await
}
