//! Refills: photo proof, stock moved into the slots in one transaction, refusals, and rejection reversing it.

use reqwest::StatusCode;
use serde_json::json;
use vendhub_testkit::TestApp;
use vendhub_testkit::api::{TINY_PNG, get, post};

use super::{create, field, field_on, machine, operator_qty, photo, slot_qty, stock_operator};

#[tokio::test]
#[expect(clippy::too_many_lines, reason = "one refill's story, step by step")]
async fn a_refill_needs_photo_proof_moves_stock_into_the_slots_and_a_rejection_reverses_it() {
    let f = field_on(TestApp::builder().env("MAX_FILE_SIZE", "4096").spawn().await).await;
    let mut events = f.app.app.bus().subscribe();
    let (mid, slots) = machine(&f, "VH-002").await;
    let (a, b) = (&slots[0], &slots[1]);
    let (room_a, room_b) = (12 - a.2, 12 - b.2);
    assert!(room_a >= 2 && room_b >= 2, "{slots:?}");
    stock_operator(&f, &f.op1.0, &a.1, 2).await;
    stock_operator(&f, &f.op1.0, &b.1, 2).await;
    let op_a = operator_qty(&f, &f.op1.0, &a.1).await;
    let t = create(
        &f,
        json!({ "task_type": "refill", "machine_id": mid, "assignee_id": f.op1.0,
            "items": [{ "product_id": a.1, "slot": a.0, "planned_qty": 2 }, { "product_id": b.1, "slot": b.0, "planned_qty": 2 }] }),
    )
    .await;
    let id = t["id"].as_str().unwrap().to_owned();
    assert_eq!(t["requires_photos"], true);
    // A photo before the start does not count as "before".
    assert_eq!(photo(&f, &f.op1.1, &id, "before", TINY_PNG).await.0, 201);
    assert_eq!(
        post(&f.app, &format!("/api/v1/tasks/{id}/start"), &f.op1.1, json!({}))
            .await
            .0,
        200
    );

    let (status, body) = post(
        &f.app,
        &format!("/api/v1/tasks/{id}/complete"),
        &f.op1.1,
        json!({}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let detail = body["detail"].as_str().unwrap();
    assert!(
        detail.contains("before photo") && detail.contains("after photo"),
        "{detail}"
    );

    let (status, body) = photo(&f, &f.op1.1, &id, "before", b"<svg onload=alert(1)>").await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (415, Some("unsupported_media_type"))
    );
    let mut big = TINY_PNG.to_vec();
    big.resize(5000, 0);
    assert_eq!(photo(&f, &f.op1.1, &id, "before", &big).await.0, 413);
    assert_eq!(photo(&f, &f.op2.1, &id, "before", TINY_PNG).await.0, 403);
    let (status, body) = photo(&f, &f.op1.1, &id, "before", TINY_PNG).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["latitude"], 41.31);
    let (status, body) = post(
        &f.app,
        &format!("/api/v1/tasks/{id}/complete"),
        &f.op1.1,
        json!({}),
    )
    .await;
    assert_eq!(status, 422);
    assert!(body["detail"].as_str().unwrap().contains("after photo"), "{body}");
    assert_eq!(photo(&f, &f.op1.1, &id, "after", TINY_PNG).await.0, 201);

    // The second item is only partly refilled.
    let items = t["items"].as_array().unwrap();
    let item_b = items.iter().find(|i| i["slot"] == b.0.as_str()).unwrap()["id"].clone();
    let (status, done) = post(
        &f.app,
        &format!("/api/v1/tasks/{id}/complete"),
        &f.op1.1,
        json!({ "items": [{ "item_id": item_b, "actual_qty": 1 }] }),
    )
    .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["status"], "completed");
    assert_eq!(done["photos"].as_array().unwrap().len(), 3);
    assert_eq!(slot_qty(&f, &mid, &a.0).await, a.2 + 2);
    assert_eq!(slot_qty(&f, &mid, &b.0).await, b.2 + 1);
    assert_eq!(operator_qty(&f, &f.op1.0, &a.1).await, op_a - 2);
    let (_, moves) = get(
        &f.app,
        &format!("/api/v1/inventory/movements?reference_id={id}"),
        &f.owner,
    )
    .await;
    assert_eq!(moves["meta"]["total"], 2, "{moves}");
    let (status, _) = post(
        &f.app,
        &format!("/api/v1/tasks/{id}/complete"),
        &f.op1.1,
        json!({}),
    )
    .await;
    assert_eq!(status, 409, "completed once");
    let refilled: Option<chrono::NaiveDateTime> = {
        let mid = mid.clone();
        f.app
            .app
            .db()
            .run(move |c| {
                use diesel::prelude::*;
                use vendhub_store::schema::machines;
                Ok(machines::table
                    .find(mid)
                    .select(machines::last_refill_at)
                    .first(c)?)
            })
            .await
            .unwrap()
    };
    assert!(refilled.is_some());

    // An operator may not reject; a manager's rejection reverses the movements.
    assert_eq!(
        post(
            &f.app,
            &format!("/api/v1/tasks/{id}/reject"),
            &f.op1.1,
            json!({ "reason": "x" })
        )
        .await
        .0,
        403
    );
    let (status, body) = post(
        &f.app,
        &format!("/api/v1/tasks/{id}/reject"),
        &f.owner,
        json!({ "reason": "wrong slots" }),
    )
    .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("rejected")),
        "{body}"
    );
    assert_eq!(slot_qty(&f, &mid, &a.0).await, a.2);
    assert_eq!(slot_qty(&f, &mid, &b.0).await, b.2);
    assert_eq!(operator_qty(&f, &f.op1.0, &a.1).await, op_a);
    let (_, moves) = get(
        &f.app,
        &format!("/api/v1/inventory/movements?reference_id={id}"),
        &f.owner,
    )
    .await;
    assert_eq!(
        moves["meta"]["total"], 4,
        "reversal adds movements, deletes none: {moves}"
    );

    let mut seen = Vec::new();
    while let Ok(Ok(e)) = tokio::time::timeout(std::time::Duration::from_millis(200), events.recv()).await {
        if e.name == "task:updated" {
            seen.push(e.payload["status"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(seen, ["assigned", "in_progress", "completed", "rejected"]);
}

#[tokio::test]
async fn a_refill_beyond_stock_or_capacity_is_refused_whole_naming_the_slot() {
    let f = field().await;
    let (mid, slots) = machine(&f, "VH-004").await;
    let (a, b) = (&slots[0], &slots[1]);
    stock_operator(&f, &f.op1.0, &a.1, 1).await;
    stock_operator(&f, &f.op1.0, &b.1, 13).await;
    let t = create(
        &f,
        json!({ "task_type": "refill", "machine_id": mid, "assignee_id": f.op1.0, "requires_photos": false,
            "items": [{ "product_id": a.1, "slot": a.0, "planned_qty": 1 }, { "product_id": b.1, "slot": b.0, "planned_qty": 13 }] }),
    )
    .await;
    let id = t["id"].as_str().unwrap();
    assert_eq!(
        post(&f.app, &format!("/api/v1/tasks/{id}/start"), &f.op1.1, json!({}))
            .await
            .0,
        200
    );
    let (status, body) = post(
        &f.app,
        &format!("/api/v1/tasks/{id}/complete"),
        &f.op1.1,
        json!({}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("slot {}", b.0)),
        "{body}"
    );
    assert_eq!(
        slot_qty(&f, &mid, &a.0).await,
        a.2,
        "nothing of the refill was written"
    );
    let (_, task) = get(&f.app, &format!("/api/v1/tasks/{id}"), &f.owner).await;
    assert_eq!(task["status"], "in_progress");

    // More than the operator holds.
    let item_b = t["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["slot"] == b.0.as_str())
        .unwrap()["id"]
        .clone();
    let item_a = t["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["slot"] == a.0.as_str())
        .unwrap()["id"]
        .clone();
    let (status, body) = post(
        &f.app,
        &format!("/api/v1/tasks/{id}/complete"),
        &f.op1.1,
        json!({ "items": [{ "item_id": item_a, "actual_qty": 5 }, { "item_id": item_b, "actual_qty": 0 }] }),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("slot {}", a.0)),
        "{body}"
    );
    let (status, _) = post(
        &f.app,
        &format!("/api/v1/tasks/{id}/complete"),
        &f.op1.1,
        json!({ "items": [{ "item_id": item_a, "actual_qty": -1 }] }),
    )
    .await;
    assert_eq!(status, 400);

    // An item id that is not this task's is refused, naming it, instead of being ignored.
    let stranger = uuid::Uuid::now_v7().to_string();
    for (items, named) in [
        (
            json!([{ "item_id": item_b, "actual_qty": 0 }, { "item_id": stranger, "actual_qty": 1 }]),
            "items[1].item_id",
        ),
        (
            json!([{ "item_id": item_b, "actual_qty": 0 }, { "item_id": item_b, "actual_qty": 1 }]),
            "items[1].item_id",
        ),
    ] {
        let (status, body) = post(
            &f.app,
            &format!("/api/v1/tasks/{id}/complete"),
            &f.op1.1,
            json!({ "items": items }),
        )
        .await;
        assert_eq!(status, 422, "{body}");
        assert!(body["detail"].as_str().unwrap().contains(named), "{body}");
    }
    let (_, task) = get(&f.app, &format!("/api/v1/tasks/{id}"), &f.owner).await;
    assert_eq!(task["status"], "in_progress", "nothing was completed");
}

#[tokio::test]
async fn two_concurrent_completions_of_one_task_move_stock_once() {
    let f = field().await;
    let (mid, slots) = machine(&f, "VH-005").await;
    let a = &slots[0];
    assert!(12 - a.2 >= 2, "{slots:?}");
    stock_operator(&f, &f.op1.0, &a.1, 4).await;
    let t = create(
        &f,
        json!({ "task_type": "refill", "machine_id": mid, "assignee_id": f.op1.0, "requires_photos": false,
            "items": [{ "product_id": a.1, "slot": a.0, "planned_qty": 2 }] }),
    )
    .await;
    let id = t["id"].as_str().unwrap();
    assert_eq!(
        post(&f.app, &format!("/api/v1/tasks/{id}/start"), &f.op1.1, json!({}))
            .await
            .0,
        200
    );
    let path = format!("/api/v1/tasks/{id}/complete");
    let (r1, r2) = tokio::join!(
        post(&f.app, &path, &f.op1.1, json!({})),
        post(&f.app, &path, &f.owner, json!({}))
    );
    let mut statuses = [r1.0.as_u16(), r2.0.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{r1:?} {r2:?}");
    assert_eq!(slot_qty(&f, &mid, &a.0).await, a.2 + 2);
    let (_, moves) = get(
        &f.app,
        &format!("/api/v1/inventory/movements?reference_id={id}"),
        &f.owner,
    )
    .await;
    assert_eq!(moves["meta"]["total"], 1);
}
