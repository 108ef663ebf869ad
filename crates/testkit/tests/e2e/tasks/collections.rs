//! Cash collections: expected cash, over and short, a manager's confirmation, and the cash the gateway reported.

use serde_json::json;
use vendhub_testkit::api::{get, post};

use super::{create, field, machine};

#[tokio::test]
#[expect(
    clippy::too_many_lines,
    reason = "two collections of one machine, step by step"
)]
async fn a_collection_records_expected_cash_and_over_short_and_a_manager_confirms_it() {
    let f = field().await;
    let (mid, _) = machine(&f, "VH-007").await;
    // Cash sales the machine reported (and a card sale that does not count).
    let machine_id = mid.clone();
    f.app
        .app
        .db()
        .run(move |c| {
            use diesel::prelude::*;
            use vendhub_store::schema::machines;
            let org: String = machines::table
                .find(&machine_id)
                .select(machines::organization_id)
                .first(c)?;
            #[expect(
                clippy::disallowed_methods,
                reason = "the test records sales in the organization of the machine it just read"
            )]
            let scope = vendhub_store::TenantScope::authenticated(org.parse().unwrap());
            for (i, (method, amount)) in [("cash", 900_000), ("cash", 600_000), ("card", 500_000)]
                .into_iter()
                .enumerate()
            {
                let now = vendhub_store::now();
                vendhub_store::sales::insert(
                    c,
                    &scope,
                    &vendhub_store::sales::SaleRow {
                        id: uuid::Uuid::now_v7().to_string(),
                        organization_id: org.clone(),
                        machine_id: machine_id.clone(),
                        slot_code: None,
                        product_id: None,
                        unit_price: amount,
                        quantity: 1,
                        amount,
                        payment_method: method.into(),
                        source: "import".into(),
                        source_id: format!("t{i}"),
                        flag: None,
                        sold_at: now - chrono::Duration::minutes(5),
                        created_at: now,
                    },
                )?;
            }
            Ok(())
        })
        .await
        .unwrap();
    let t = create(&f, json!({ "task_type": "collection", "machine_id": mid, "assignee_id": f.op1.0, "requires_photos": false })).await;
    let id = t["id"].as_str().unwrap();
    assert_eq!(
        post(&f.app, &format!("/api/v1/tasks/{id}/start"), &f.op1.1, json!({}))
            .await
            .0,
        200
    );
    let (status, _) = post(
        &f.app,
        &format!("/api/v1/tasks/{id}/complete"),
        &f.op1.1,
        json!({}),
    )
    .await;
    assert_eq!(status, 400, "the counted amount is required");
    let (status, body) = post(
        &f.app,
        &format!("/api/v1/tasks/{id}/complete"),
        &f.op1.1,
        json!({ "counted": 1_450_000, "bag_number": "BAG-17" }),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    assert_eq!(get(&f.app, "/api/v1/cash-collections", &f.op1.1).await.0, 403);
    let (_, list) = get(
        &f.app,
        &format!("/api/v1/cash-collections?machine_id={mid}"),
        &f.owner,
    )
    .await;
    let c = &list["data"][0];
    assert_eq!(
        (
            c["counted"].as_i64(),
            c["expected"].as_i64(),
            c["over_short"].as_i64()
        ),
        (Some(1_450_000), Some(1_500_000), Some(-50_000)),
        "{list}"
    );
    assert_eq!(c["bag_number"], "BAG-17");
    assert_eq!(c["operator_id"], f.op1.0.as_str());
    let (_, totals) = get(
        &f.app,
        "/api/v1/cash-collections/totals?group_by=operator",
        &f.owner,
    )
    .await;
    let mine = totals
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["key"] == f.op1.0.as_str())
        .unwrap();
    assert_eq!(mine["over_short"], -50_000);
    let cid = c["id"].as_str().unwrap();
    let (status, body) = post(
        &f.app,
        &format!("/api/v1/cash-collections/{cid}/confirm"),
        &f.owner,
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["confirmed_at"].is_string());
    assert_eq!(
        post(
            &f.app,
            &format!("/api/v1/cash-collections/{cid}/confirm"),
            &f.owner,
            json!({})
        )
        .await
        .0,
        409
    );

    // The next collection expects only what was sold since this one: nothing.
    let t2 = create(&f, json!({ "task_type": "collection", "machine_id": mid, "assignee_id": f.op1.0, "requires_photos": false })).await;
    let id2 = t2["id"].as_str().unwrap();
    post(&f.app, &format!("/api/v1/tasks/{id2}/start"), &f.op1.1, json!({})).await;
    let (status, _) = post(
        &f.app,
        &format!("/api/v1/tasks/{id2}/complete"),
        &f.op1.1,
        json!({ "counted": 0 }),
    )
    .await;
    assert_eq!(status, 200);
    let (_, list) = get(
        &f.app,
        &format!("/api/v1/cash-collections?machine_id={mid}"),
        &f.owner,
    )
    .await;
    assert_eq!(
        (
            list["data"][0]["expected"].as_i64(),
            list["data"][0]["over_short"].as_i64()
        ),
        (Some(0), Some(0))
    );
}

/// Across areas: the cash a machine reports through the gateway is what the next collection expects.
#[tokio::test]
async fn a_collection_expects_the_cash_the_machine_reported_through_the_gateway() {
    let f = field().await;
    let (mid, slots) = machine(&f, "VH-009").await;
    let (status, created) = post(
        &f.app,
        &format!("/api/v1/machines/{mid}/api-keys"),
        &f.owner,
        json!({ "label": "telemetry box" }),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let key = created["key"].as_str().unwrap();
    let slot = &slots.iter().find(|s| s.2 >= 3).expect("a stocked slot").0;
    let vend = |id: &str, price: i64, method: &str| json!({ "type": "vend", "id": id, "slot": slot, "price": price, "payment_method": method });
    let batch = json!({ "machine_id": mid, "events": [
        vend("v-1", 700_000, "cash"),
        vend("v-2", 800_000, "cash"),
        vend("v-3", 500_000, "payme"),
    ]});
    for _ in 0..2 {
        // Sent twice: a replay records nothing new.
        let res = f
            .app
            .client
            .post(f.app.url("/api/v1/gateway/events"))
            .header("X-Api-Key", key)
            .json(&batch)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }

    let t = create(&f, json!({ "task_type": "collection", "machine_id": mid, "assignee_id": f.op1.0, "requires_photos": false })).await;
    let id = t["id"].as_str().unwrap();
    post(&f.app, &format!("/api/v1/tasks/{id}/start"), &f.op1.1, json!({})).await;
    let (status, body) = post(
        &f.app,
        &format!("/api/v1/tasks/{id}/complete"),
        &f.op1.1,
        json!({ "counted": 1_500_000, "bag_number": "BAG-9" }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, list) = get(
        &f.app,
        &format!("/api/v1/cash-collections?machine_id={mid}"),
        &f.owner,
    )
    .await;
    let c = &list["data"][0];
    assert_eq!(
        (c["expected"].as_i64(), c["over_short"].as_i64()),
        (Some(1_500_000), Some(0)),
        "cash vends only, each once: {list}"
    );
}
