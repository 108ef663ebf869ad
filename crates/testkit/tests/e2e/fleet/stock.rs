//! The stock ledger: transfers between holders, refusals that write nothing, and concurrent transfers.

use serde_json::{Value, json};
use vendhub_testkit::api::{demo, get, machine, post};

use super::demo_refs;

#[tokio::test]
#[expect(
    clippy::too_many_lines,
    reason = "one product's story through the ledger, step by step"
)]
async fn stock_moves_through_the_ledger_and_refusals_write_nothing() {
    let (app, t) = demo().await;
    let (warehouse, _, operator) = demo_refs(&app, &t).await;
    // A product of its own, so the demo's stock does not blur the numbers.
    let m = machine(&app, &t, "VH-003").await;
    let mid = m["id"].as_str().unwrap().to_owned();
    let (_, slots) = get(&app, &format!("/api/v1/machines/{mid}/planogram"), &t).await;
    let product = slots[0]["product_id"].as_str().unwrap().to_owned();
    let slot = slots[0]["slot"].as_str().unwrap().to_owned();
    let wh = format!("warehouse:{warehouse}");
    let op = format!("operator:{operator}");
    let holder = format!("slot:{mid}:{slot}");

    let before = |stock: &Value| {
        stock
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["product_id"] == product)
            .map_or(0, |b| b["quantity"].as_i64().unwrap())
    };
    let (_, s0) = get(&app, "/api/v1/inventory/warehouse", &t).await;
    let wh0 = before(&s0);
    let (status, p1) = post(
        &app,
        "/api/v1/inventory/purchases",
        &t,
        json!({ "warehouse_id": warehouse, "product_id": product, "quantity": 100, "unit_cost": 5000 }),
    )
    .await;
    assert_eq!(status, 201, "{p1}");
    assert_eq!(p1["kind"], "purchase");

    let (_, mstock) = get(&app, &format!("/api/v1/machines/{mid}/inventory"), &t).await;
    let in_slot = mstock
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["slot"] == slot)
        .unwrap()["quantity"]
        .as_i64()
        .unwrap();
    let room = 12 - in_slot;

    // Warehouse -> operator -> slot, up to the slot's capacity.
    let (status, tr) = post(
        &app,
        "/api/v1/inventory/transfers",
        &t,
        json!({ "product_id": product, "from": wh, "to": op, "quantity": room + 5 }),
    )
    .await;
    assert_eq!(status, 201, "{tr}");
    let op_path = format!("/api/v1/inventory/operator?operator_id={operator}");
    let op_before = before(&get(&app, &op_path, &t).await.1);
    let (status, over) = post(
        &app,
        "/api/v1/inventory/transfers",
        &t,
        json!({ "product_id": product, "from": op, "to": holder, "quantity": room + 1 }),
    )
    .await;
    assert_eq!(status, 422, "{over}");
    assert!(
        over["detail"].as_str().unwrap().contains("holds at most 12"),
        "{over}"
    );
    assert_eq!(
        before(&get(&app, &op_path, &t).await.1),
        op_before,
        "nothing was taken from the operator"
    );
    let (status, refill) = post(
        &app,
        "/api/v1/inventory/transfers",
        &t,
        json!({ "product_id": product, "from": op, "to": holder, "quantity": room }),
    )
    .await;
    assert_eq!(status, 201, "{refill}");
    assert_eq!(refill["kind"], "refill");
    let (_, mstock) = get(&app, &format!("/api/v1/machines/{mid}/inventory"), &t).await;
    let s = mstock
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["slot"] == slot)
        .unwrap()
        .clone();
    assert_eq!(
        (s["quantity"].as_i64(), s["fill_percent"].as_i64()),
        (Some(12), Some(100))
    );

    // More than the warehouse holds: refused, nothing written.
    let (_, count_before) = get(&app, "/api/v1/inventory/movements?limit=1", &t).await;
    let (status, short) = post(
        &app,
        "/api/v1/inventory/transfers",
        &t,
        json!({ "product_id": product, "from": wh, "to": op, "quantity": 1_000_000 }),
    )
    .await;
    assert_eq!(status, 422);
    assert!(short["detail"].as_str().unwrap().contains("cannot be moved"));
    let (_, count_after) = get(&app, "/api/v1/inventory/movements?limit=1", &t).await;
    assert_eq!(count_before["meta"]["total"], count_after["meta"]["total"]);

    // Write-offs need a reason; the warehouse's stock and value follow.
    let (status, _) = post(
        &app,
        "/api/v1/inventory/write-offs",
        &t,
        json!({ "product_id": product, "holder": wh, "quantity": 3, "reason": "lost" }),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = post(
        &app,
        "/api/v1/inventory/write-offs",
        &t,
        json!({ "product_id": product, "holder": wh, "quantity": 3, "reason": "expired" }),
    )
    .await;
    assert_eq!(status, 201);
    let (_, s1) = get(&app, "/api/v1/inventory/warehouse", &t).await;
    assert_eq!(before(&s1), wh0 + 100 - (room + 5) - 3);
    let line = s1
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["product_id"] == product)
        .unwrap();
    assert_eq!(
        line["value"].as_i64().unwrap(),
        line["quantity"].as_i64().unwrap() * line["avg_cost"].as_i64().unwrap()
    );

    let (_, writeoffs) = get(&app, "/api/v1/inventory/movements?kind=write_off", &t).await;
    assert_eq!(writeoffs["meta"]["total"], 1);
    assert_eq!(writeoffs["data"][0]["reason"], "expired");
}

#[tokio::test]
async fn zero_negative_and_malformed_quantities_and_holders_are_refused() {
    let (app, t) = demo().await;
    let (warehouse, product, operator) = demo_refs(&app, &t).await;
    for q in [0, -5] {
        let (status, body) = post(&app, "/api/v1/inventory/transfers", &t,
            json!({ "product_id": product, "from": format!("warehouse:{warehouse}"), "to": format!("operator:{operator}"), "quantity": q })).await;
        assert_eq!(
            (status.as_u16(), body["errors"][0]["field"].as_str()),
            (400, Some("quantity")),
            "{q}"
        );
    }
    let (status, _) = post(&app, "/api/v1/inventory/transfers", &t,
        json!({ "product_id": product, "from": "warehouse:nope", "to": format!("operator:{operator}"), "quantity": 1 })).await;
    assert_eq!(status, 400);
    let (status, _) = post(&app, "/api/v1/inventory/transfers", &t,
        json!({ "product_id": product, "from": format!("warehouse:{}", uuid::Uuid::now_v7()), "to": format!("operator:{operator}"), "quantity": 1 })).await;
    assert_eq!(status, 404, "a warehouse that is not ours");
    let (status, body) = post(&app, "/api/v1/inventory/purchases", &t,
        json!({ "warehouse_id": warehouse, "product_id": product, "quantity": i64::MAX, "unit_cost": i64::MAX })).await;
    assert!(status == 422 || status == 400, "{status} {body}");
    let (status, _) = post(&app, "/api/v1/inventory/transfers", &t,
        json!({ "product_id": product, "from": format!("warehouse:{warehouse}"), "to": format!("warehouse:{warehouse}"), "quantity": 1 })).await;
    assert_eq!(status, 422, "moving stock to where it is");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_transfers_never_overdraw_a_balance() {
    let (app, t) = demo().await;
    let (warehouse, _, operator) = demo_refs(&app, &t).await;
    let (_, wh) = get(&app, "/api/v1/inventory/warehouse", &t).await;
    let line = wh
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["quantity"].as_i64().unwrap() >= 50)
        .unwrap()
        .clone();
    let product = line["product_id"].as_str().unwrap().to_owned();
    let available = line["quantity"].as_i64().unwrap();
    let per = available / 10 + 1; // fewer than 10 of the 20 fit
    let db = app.app.db().clone();
    let org = get(&app, "/api/v1/organizations/current", &t).await.1["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let total = |db: vendhub_store::Db, org: String, p: String| async move {
        #[expect(
            clippy::disallowed_methods,
            reason = "the organization this test signed in to, read back from the API"
        )]
        let scope = vendhub_store::TenantScope::authenticated(org.parse().unwrap());
        db.run(move |c| vendhub_store::stock::total_of_product(c, &scope, &p))
            .await
            .unwrap()
    };
    let total_before = total(db.clone(), org.clone(), product.clone()).await;
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (client, url, t, body) = (
                app.client.clone(),
                app.url("/api/v1/inventory/transfers"),
                t.clone(),
                json!({ "product_id": product, "from": format!("warehouse:{warehouse}"), "to": format!("operator:{operator}"), "quantity": per }),
            );
            tokio::spawn(async move { client.post(url).bearer_auth(t).json(&body).send().await.unwrap().status().as_u16() })
        })
        .collect();
    let mut ok = 0;
    for task in tasks {
        match task.await.unwrap() {
            201 => ok += 1,
            422 => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(ok, available / per, "as many as the balance allows, no more");
    let (_, wh) = get(&app, "/api/v1/inventory/warehouse", &t).await;
    let left = wh
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["product_id"] == product)
        .map_or(0, |b| b["quantity"].as_i64().unwrap());
    assert_eq!(left, available - ok * per);
    assert_eq!(
        total(db, org, product).await,
        total_before,
        "transfers move stock, they neither make nor lose any"
    );
}
