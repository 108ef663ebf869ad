//! Planograms and slots: validation, one slot at a time, templates, and low stock against the par levels.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use vendhub_testkit::api::{call, demo, get, machine, post};

use super::demo_refs;

#[tokio::test]
async fn planograms_are_validated_whole_and_slots_with_stock_are_protected() {
    let (app, t) = demo().await;
    let m = machine(&app, &t, "VH-005").await;
    let id = m["id"].as_str().unwrap();
    let (_, slots) = get(&app, &format!("/api/v1/machines/{id}/planogram"), &t).await;
    let product = slots[0]["product_id"].clone();
    let (status, bad) = call(
        &app,
        Method::PUT,
        &format!("/api/v1/machines/{id}/planogram"),
        &t,
        Some(json!({ "slots": [
            { "slot": "A1", "product_id": product, "capacity": 10, "par_level": 12 },
            { "slot": "a1", "product_id": product, "capacity": 0, "par_level": 1 },
            { "slot": "ZZZZZ", "product_id": product, "capacity": 5, "par_level": 5 },
        ]})),
    )
    .await;
    assert_eq!(status, 400, "{bad}");
    assert_eq!(bad["errors"][0]["field"], "slots[2].slot");
    let (status, bad) = call(
        &app,
        Method::PUT,
        &format!("/api/v1/machines/{id}/planogram"),
        &t,
        Some(json!({ "slots": [
            { "slot": "A1", "product_id": product, "capacity": 10, "par_level": 12 },
            { "slot": "a1", "product_id": product, "capacity": 0, "par_level": 1 },
        ]})),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        bad["errors"].as_array().unwrap().len() >= 3,
        "every problem at once: {bad}"
    );

    // Dropping slots that hold stock is refused, nothing changes.
    let (status, refused) = call(
        &app,
        Method::PUT,
        &format!("/api/v1/machines/{id}/planogram"),
        &t,
        Some(json!({ "slots": [] })),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused["detail"].as_str().unwrap().contains("still holds"));
    assert_eq!(
        get(&app, &format!("/api/v1/machines/{id}/planogram"), &t).await.1,
        slots
    );

    // A new machine copies it.
    let (_, fresh) = post(
        &app,
        "/api/v1/machines",
        &t,
        json!({ "number": "VH-200", "name": "Copy", "machine_type": "snack" }),
    )
    .await;
    let fid = fresh["id"].as_str().unwrap();
    let (status, copied) = post(
        &app,
        &format!("/api/v1/machines/{fid}/planogram/copy"),
        &t,
        json!({ "from_machine_id": id }),
    )
    .await;
    assert_eq!(status, 200, "{copied}");
    assert_eq!(copied, slots);
}

#[tokio::test]
async fn low_stock_is_announced_once_per_crossing() {
    let (app, t) = demo().await;
    let mut events = app.app.bus().subscribe();
    let (_, _, operator) = demo_refs(&app, &t).await;
    // Find a slot with at least 4 units (par 10, threshold 30%: low below 3).
    let (_, list) = get(&app, "/api/v1/machines?limit=100", &t).await;
    let mut target = None;
    for m in list["data"].as_array().unwrap() {
        let id = m["id"].as_str().unwrap();
        let (_, inv) = get(&app, &format!("/api/v1/machines/{id}/inventory"), &t).await;
        if let Some(s) = inv
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["quantity"].as_i64().unwrap() >= 4)
        {
            target = Some((id.to_owned(), s.clone()));
            break;
        }
    }
    let (mid, slot) = target.unwrap();
    let holder = format!("slot:{mid}:{}", slot["slot"].as_str().unwrap());
    let qty = slot["quantity"].as_i64().unwrap();
    let unload = |n: i64| json!({ "product_id": slot["product_id"], "from": holder, "to": format!("operator:{operator}"), "quantity": n });
    // Down to 3 (not low), then 2 (low: one event), then 1 (still low: no new event).
    assert_eq!(
        post(&app, "/api/v1/inventory/transfers", &t, unload(qty - 3))
            .await
            .0,
        201
    );
    assert_eq!(
        post(&app, "/api/v1/inventory/transfers", &t, unload(1)).await.0,
        201
    );
    assert_eq!(
        post(&app, "/api/v1/inventory/transfers", &t, unload(1)).await.0,
        201
    );
    let mut low = Vec::new();
    while let Ok(Ok(e)) = tokio::time::timeout(Duration::from_millis(300), events.recv()).await {
        if e.name == "inventory:low" {
            low.push(e);
        }
    }
    assert_eq!(low.len(), 1, "{low:?}");
    assert_eq!(low[0].machine_id.as_deref(), Some(mid.as_str()));
    assert_eq!(low[0].payload["balance"], 2);
}

#[tokio::test]
async fn one_slot_is_set_without_touching_the_others() {
    let (app, t) = demo().await;
    let id = machine(&app, &t, "VH-007").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, before) = get(&app, &format!("/api/v1/machines/{id}/planogram"), &t).await;
    let product = before[0]["product_id"].clone();
    let (status, after) = call(
        &app,
        Method::PUT,
        &format!("/api/v1/machines/{id}/planogram/slots/c1"),
        &t,
        Some(json!({ "product_id": product, "capacity": 6, "par_level": 5, "price": 990_000 })),
    )
    .await;
    assert_eq!(status, 200, "{after}");
    let after = after.as_array().unwrap();
    assert_eq!(after.len(), before.as_array().unwrap().len() + 1);
    let c1 = after.iter().find(|s| s["slot"] == "C1").unwrap();
    assert_eq!(
        (c1["capacity"].as_i64(), c1["price"].as_i64()),
        (Some(6), Some(990_000))
    );
    let (status, _) = call(
        &app,
        Method::PUT,
        &format!("/api/v1/machines/{id}/planogram/slots/C1"),
        &t,
        Some(json!({ "product_id": product, "capacity": 6, "par_level": 9 })),
    )
    .await;
    assert_eq!(status, 400, "par above capacity");
    // Shrinking a stocked slot below what it holds is refused.
    let a1 = before
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["slot"] == "A1")
        .unwrap()
        .clone();
    let (status, body) = call(
        &app,
        Method::PUT,
        &format!("/api/v1/machines/{id}/planogram/slots/A1"),
        &t,
        Some(json!({ "product_id": a1["product_id"], "capacity": 0, "par_level": 0 })),
    )
    .await;
    assert!(status == 400 || status == 422, "{status} {body}");
}

#[tokio::test]
async fn the_low_stock_list_and_machine_stock_agree() {
    let (app, t) = demo().await;
    let (status, low) = get(&app, "/api/v1/inventory/low-stock", &t).await;
    assert_eq!(status, 200);
    let low = low.as_array().unwrap();
    assert!(!low.is_empty(), "the demo fleet has some slots below 30% of par");
    for l in low {
        assert!(
            l["quantity"].as_i64().unwrap() * 100 < l["par_level"].as_i64().unwrap() * 30,
            "{l}"
        );
        let (_, inv) = get(
            &app,
            &format!("/api/v1/inventory/machine/{}", l["machine_id"].as_str().unwrap()),
            &t,
        )
        .await;
        let slot = inv
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["slot"] == l["slot"])
            .unwrap()
            .clone();
        assert_eq!(
            (slot["low"].as_bool(), slot["quantity"].as_i64()),
            (Some(true), l["quantity"].as_i64())
        );
    }
}

#[tokio::test]
async fn a_template_is_saved_and_copied_onto_a_new_machine() {
    let (app, t) = demo().await;
    let src = machine(&app, &t, "VH-004").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, slots) = get(&app, &format!("/api/v1/machines/{src}/planogram"), &t).await;
    let body = json!({ "name": "Snack 8-slot", "slots": slots });
    let (status, tpl) = post(&app, "/api/v1/planogram-templates", &t, body.clone()).await;
    assert_eq!(status, 201, "{tpl}");
    assert_eq!(post(&app, "/api/v1/planogram-templates", &t, body).await.0, 409);
    let (status, bad) = post(&app, "/api/v1/planogram-templates", &t, json!({ "name": "Bad", "slots": [
        { "slot": "A1", "product_id": uuid::Uuid::now_v7(), "capacity": 5, "par_level": 4, "price": null } ] })).await;
    assert_eq!(status, 400, "{bad}");
    let (_, fresh) = post(
        &app,
        "/api/v1/machines",
        &t,
        json!({ "number": "VH-300", "name": "From template", "machine_type": "snack" }),
    )
    .await;
    let fid = fresh["id"].as_str().unwrap();
    let (status, applied) = post(
        &app,
        &format!("/api/v1/machines/{fid}/planogram/copy"),
        &t,
        json!({ "from_template_id": tpl["id"] }),
    )
    .await;
    assert_eq!(status, 200, "{applied}");
    assert_eq!(applied, slots);
    let (status, _) = post(
        &app,
        &format!("/api/v1/machines/{fid}/planogram/copy"),
        &t,
        json!({}),
    )
    .await;
    assert_eq!(status, 400, "one source is required");
}
