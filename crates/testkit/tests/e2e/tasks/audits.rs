//! Audits: a stocktake of the machine's slots, and a rejection reversing it.

use serde_json::json;
use vendhub_testkit::api::{get, post};

use super::{create, field, machine, slot_qty};

#[tokio::test]
async fn an_audit_is_a_stocktake_of_its_slots_and_a_rejection_reverses_it() {
    let f = field().await;
    let (mid, slots) = machine(&f, "VH-008").await;
    let a = slots.iter().find(|s| s.2 >= 1).unwrap();
    let t = create(
        &f,
        json!({ "task_type": "audit", "machine_id": mid, "assignee_id": f.op1.0,
            "items": [{ "product_id": a.1, "slot": a.0, "planned_qty": 0 }] }),
    )
    .await;
    assert_eq!(t["requires_photos"], false);
    let id = t["id"].as_str().unwrap();
    let item = t["items"][0]["id"].clone();
    assert_eq!(
        post(&f.app, &format!("/api/v1/tasks/{id}/start"), &f.op1.1, json!({}))
            .await
            .0,
        200
    );
    let (status, done) = post(
        &f.app,
        &format!("/api/v1/tasks/{id}/complete"),
        &f.op1.1,
        json!({ "items": [{ "item_id": item, "actual_qty": a.2 - 1 }] }),
    )
    .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["items"][0]["actual_qty"], a.2 - 1);
    assert_eq!(slot_qty(&f, &mid, &a.0).await, a.2 - 1);
    // The count is a closed stocktake of the slot, its shortage an adjustment valued at cost.
    let holder = format!("slot:{mid}:{}", a.0);
    let (_, takes) = get(&f.app, "/api/v1/inventory/stocktakes", &f.owner).await;
    let take = takes
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["holder"] == holder.as_str())
        .unwrap_or_else(|| panic!("a stocktake of {holder}: {takes}"));
    assert_eq!(take["status"], "closed", "{take}");
    let (_, take) = get(
        &f.app,
        &format!("/api/v1/inventory/stocktakes/{}", take["id"].as_str().unwrap()),
        &f.owner,
    )
    .await;
    let (_, moves) = get(
        &f.app,
        &format!(
            "/api/v1/inventory/movements?reference_id={}",
            take["id"].as_str().unwrap()
        ),
        &f.owner,
    )
    .await;
    assert_eq!(moves["data"][0]["kind"], "adjustment", "{moves}");
    assert_eq!(moves["data"][0]["reason"], "shortage");
    assert_eq!(moves["data"][0]["quantity"], 1);

    // Rejecting the audit reverses the adjustment: the slot holds what it held before.
    let (status, body) = post(
        &f.app,
        &format!("/api/v1/tasks/{id}/reject"),
        &f.owner,
        json!({ "reason": "recount" }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(slot_qty(&f, &mid, &a.0).await, a.2);
}
