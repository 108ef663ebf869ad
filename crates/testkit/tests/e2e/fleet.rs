//! Machines, planograms and the stock ledger through the API, on the demo fleet.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use vendhub_testkit::TestApp;
use vendhub_testkit::api::{TINY_PNG, an_operator, call, demo, demo_on, get, machine, post, send_bytes};

#[tokio::test]
async fn machines_are_listed_filtered_sorted_and_paged() {
    let (app, t) = demo().await;
    let (status, page) = get(&app, "/api/v1/machines?page=2&limit=5", &t).await;
    assert_eq!(status, 200);
    assert_eq!(
        page["meta"],
        json!({ "page": 2, "limit": 5, "total": 20, "total_pages": 4 })
    );
    assert_eq!(page["data"][0]["number"], "VH-006");
    let (_, desc) = get(&app, "/api/v1/machines?sort=-number&limit=1", &t).await;
    assert_eq!(desc["data"][0]["number"], "VH-020");
    let (_, coffee) = get(&app, "/api/v1/machines?type=coffee", &t).await;
    assert!(
        coffee["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["machine_type"] == "coffee")
    );
    assert_eq!(coffee["meta"]["total"], 3);
    let (_, search) = get(&app, "/api/v1/machines?q=vh-01", &t).await;
    assert_eq!(search["meta"]["total"], 10, "VH-010 to VH-019");
    let (status, body) = get(&app, "/api/v1/machines?type=robot&sort=height&limit=500", &t).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["errors"].as_array().unwrap().len(),
        1,
        "limit is checked first: {body}"
    );
}

#[tokio::test]
async fn machine_numbers_are_unique_and_bad_input_names_the_fields() {
    let (app, t) = demo().await;
    let body = |number: &str| json!({ "number": number, "name": "New", "machine_type": "snack" });
    let (status, created) = post(&app, "/api/v1/machines", &t, body("VH-100")).await;
    assert_eq!(status, 201, "{created}");
    let (status, dup) = post(&app, "/api/v1/machines", &t, body("VH-001")).await;
    assert_eq!(status, 409);
    assert!(dup["detail"].as_str().unwrap().starts_with("number"), "{dup}");
    let (status, bad) = post(
        &app,
        "/api/v1/machines",
        &t,
        json!({ "number": "x y", "name": "", "machine_type": "robot", "status": "offline", "accepted_payments": ["gold"],
                "location_id": uuid::Uuid::now_v7() }),
    )
    .await;
    assert_eq!(status, 400);
    let fields: Vec<&str> = bad["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["number", "name", "machine_type", "status", "accepted_payments"]
    );
    let (status, foreign) = post(
        &app,
        "/api/v1/machines",
        &t,
        json!({ "number": "VH-101", "name": "X", "machine_type": "snack", "location_id": uuid::Uuid::now_v7() }),
    )
    .await;
    assert_eq!(
        (status.as_u16(), foreign["errors"][0]["field"].as_str()),
        (400, Some("location_id"))
    );
    let id = created["id"].as_str().unwrap();
    assert_eq!(
        call(&app, Method::DELETE, &format!("/api/v1/machines/{id}"), &t, None)
            .await
            .0,
        204
    );
    assert_eq!(
        post(&app, "/api/v1/machines", &t, body("VH-100")).await.0,
        201,
        "a deleted machine's number is free"
    );
}

#[tokio::test]
async fn a_machine_moves_with_history_shows_on_the_map_and_has_a_qr_code() {
    let (app, t) = demo().await;
    let m = machine(&app, &t, "VH-001").await;
    let id = m["id"].as_str().unwrap();
    let (_, other) = get(&app, "/api/v1/machines?q=VH-002", &t).await;
    let target = other["data"][0]["location_id"].clone();
    assert_ne!(target, m["location_id"]);
    let (status, moved) = post(
        &app,
        &format!("/api/v1/machines/{id}/move"),
        &t,
        json!({ "location_id": target }),
    )
    .await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["location_id"], target);
    assert_eq!(
        post(
            &app,
            &format!("/api/v1/machines/{id}/move"),
            &t,
            json!({ "location_id": target })
        )
        .await
        .0,
        422
    );
    let (_, history) = get(&app, &format!("/api/v1/machines/{id}/moves"), &t).await;
    assert_eq!(history[0]["from_location_id"], m["location_id"]);
    assert_eq!(history[0]["to_location_id"], target);

    let (_, map) = get(&app, "/api/v1/machines/map", &t).await;
    let point = map
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .unwrap()
        .clone();
    assert!(point["latitude"].as_f64().unwrap() > 41.0 && point["status"] == "active");

    let svg = app
        .client
        .get(app.url(&format!("/api/v1/machines/{id}/qr")))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    assert!(svg.text().await.unwrap().contains("<svg"));
    let png = app
        .client
        .get(app.url(&format!("/api/v1/machines/{id}/qr?format=png")))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(png.headers()["content-type"], "image/png");
    assert_eq!(&png.bytes().await.unwrap()[..4], b"\x89PNG");
}

/// (warehouse id, a product id, an operator's user id) of the demo fleet.
async fn demo_refs(app: &TestApp, t: &str) -> (String, String, String) {
    let (_, warehouses) = get(app, "/api/v1/warehouses", t).await;
    let (_, stock) = get(app, "/api/v1/inventory/warehouse", t).await;
    (
        warehouses[0]["id"].as_str().unwrap().to_owned(),
        stock[0]["product_id"].as_str().unwrap().to_owned(),
        an_operator(app, t).await,
    )
}

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
        db.run(move |c| vendhub_store::stock::total_of_product(c, &org, &p))
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
async fn the_smoke_test_routes_answer_with_a_bearer_token() {
    let (app, t) = demo().await;
    assert_eq!(get(&app, "/api/v1/machines", &t).await.0, 200);
    let (status, stock) = get(&app, "/api/v1/inventory/warehouse", &t).await;
    assert_eq!(status, 200);
    assert_eq!(
        stock.as_array().unwrap().len(),
        30,
        "every demo product is in the warehouse"
    );
}

#[tokio::test]
async fn locations_are_searched_found_nearby_and_kept_while_machines_stand_there() {
    let (app, t) = demo().await;
    let (status, created) = post(
        &app,
        "/api/v1/locations",
        &t,
        json!({
        "name": "Chorsu Bazaar", "address": "Tashkent, Chorsu", "latitude": 41.3265, "longitude": 69.2339,
        "contract_type": "revenue_share", "revenue_share_percent": 15 }),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let (_, found) = get(&app, "/api/v1/locations?q=chorsu", &t).await;
    assert_eq!(found["meta"]["total"], 1);
    let (_, near) = get(
        &app,
        "/api/v1/locations/nearby?lat=41.3160&lon=69.2490&radius_km=3",
        &t,
    )
    .await;
    let names: Vec<&str> = near
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 3, "{near}");
    assert!(near[0]["distance_km"].as_f64().unwrap() <= near[2]["distance_km"].as_f64().unwrap());
    let (_, close) = get(
        &app,
        "/api/v1/locations/nearby?lat=41.3160&lon=69.2490&radius_km=0.5",
        &t,
    )
    .await;
    assert!(
        close
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["name"] != "Chorsu Bazaar")
    );
    let (status, bad) = post(&app, "/api/v1/locations", &t,
        json!({ "name": "X", "latitude": 95.0, "longitude": 10.0, "contract_type": "barter", "revenue_share_percent": 120 })).await;
    assert_eq!(status, 400);
    assert_eq!(bad["errors"].as_array().unwrap().len(), 3);
    // A location with machines cannot go; an empty one can.
    let busy = machine(&app, &t, "VH-001").await["location_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        call(
            &app,
            Method::DELETE,
            &format!("/api/v1/locations/{busy}"),
            &t,
            None
        )
        .await
        .0,
        422
    );
    let id = created["id"].as_str().unwrap();
    assert_eq!(
        call(&app, Method::DELETE, &format!("/api/v1/locations/{id}"), &t, None)
            .await
            .0,
        204
    );
    assert_eq!(get(&app, &format!("/api/v1/locations/{id}"), &t).await.0, 404);
}

#[tokio::test]
async fn products_keep_sku_and_barcode_unique_and_show_their_vat() {
    let (app, t) = demo().await;
    let body = |sku: &str, barcode: &str| {
        json!({ "sku": sku, "barcode": barcode, "name_uz": "Choy", "name_ru": "Чай",
        "name_en": "Tea", "price": 1_120_000, "cost": 600_000, "ikpu_code": "00902300001000009", "package_code": "1501491" })
    };
    let (status, p) = post(&app, "/api/v1/products", &t, body("TEA-GREEN", "4780000009999")).await;
    assert_eq!(status, 201, "{p}");
    assert_eq!(p["vat_amount"], 120_000, "12% included in 11 200 so'm");
    let (status, dup) = post(&app, "/api/v1/products", &t, body("COLA-05", "4780000008888")).await;
    assert_eq!(
        (
            status.as_u16(),
            dup["detail"].as_str().map(|d| d.starts_with("sku"))
        ),
        (409, Some(true))
    );
    let (status, dup) = post(&app, "/api/v1/products", &t, body("TEA-BLACK-2", "4780000009999")).await;
    assert_eq!(
        (
            status.as_u16(),
            dup["detail"].as_str().map(|d| d.starts_with("barcode"))
        ),
        (409, Some(true))
    );
    let (status, bad) = post(
        &app,
        "/api/v1/products",
        &t,
        json!({ "sku": "bad sku", "name_uz": "", "name_ru": "x",
        "name_en": "x", "price": -1, "ikpu_code": "123" }),
    )
    .await;
    assert_eq!(status, 400);
    let fields: Vec<&str> = bad["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["sku", "name_uz", "price", "ikpu_code"]);
    let (_, search) = get(&app, "/api/v1/products?q=tea", &t).await;
    assert!(
        search["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["sku"] == "TEA-GREEN")
    );
    let id = p["id"].as_str().unwrap();
    assert_eq!(
        call(&app, Method::DELETE, &format!("/api/v1/products/{id}"), &t, None)
            .await
            .0,
        204
    );
    assert_eq!(
        post(&app, "/api/v1/products", &t, body("TEA-GREEN", "4780000009999"))
            .await
            .0,
        201,
        "freed"
    );
}

#[tokio::test]
async fn a_stocktake_turns_differences_into_adjustments_at_cost() {
    let (app, t) = demo().await;
    let (warehouse, _, _) = demo_refs(&app, &t).await;
    let holder = format!("warehouse:{warehouse}");
    let (_, stock) = get(
        &app,
        &format!("/api/v1/inventory/warehouse?warehouse_id={warehouse}"),
        &t,
    )
    .await;
    let a = stock[0].clone();
    let b = stock[1].clone();
    let (status, st) = post(
        &app,
        "/api/v1/inventory/stocktakes",
        &t,
        json!({ "holder": holder }),
    )
    .await;
    assert_eq!(status, 201, "{st}");
    let id = st["id"].as_str().unwrap();
    let qa = a["quantity"].as_i64().unwrap();
    let qb = b["quantity"].as_i64().unwrap();
    let (status, counted) = call(&app, Method::PUT, &format!("/api/v1/inventory/stocktakes/{id}/counts"), &t, Some(json!({
        "counts": [ { "product_id": a["product_id"], "counted": qa - 3 }, { "product_id": b["product_id"], "counted": qb + 2 } ] }))).await;
    assert_eq!(status, 200, "{counted}");
    let (status, closed) = post(
        &app,
        &format!("/api/v1/inventory/stocktakes/{id}/close"),
        &t,
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{closed}");
    assert_eq!(closed["status"], "closed");
    let diffs = closed["differences"].as_array().unwrap();
    assert_eq!(diffs.len(), 2);
    let shortage = diffs.iter().find(|d| d["discrepancy"] == "shortage").unwrap();
    assert_eq!(shortage["quantity"], 3);
    assert_eq!(
        shortage["value"].as_i64().unwrap(),
        3 * a["avg_cost"].as_i64().unwrap()
    );
    assert_eq!(closed["shortage_value"], shortage["value"]);
    let (_, after) = get(
        &app,
        &format!("/api/v1/inventory/warehouse?warehouse_id={warehouse}"),
        &t,
    )
    .await;
    let q = |p: &Value| {
        after
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["product_id"] == p["product_id"])
            .unwrap()["quantity"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(
        (q(&a), q(&b)),
        (qa - 3, qb + 2),
        "the ledger now agrees with the count"
    );
    let (_, posted) = get(
        &app,
        &format!("/api/v1/inventory/movements?reference_id={id}"),
        &t,
    )
    .await;
    assert_eq!(
        posted["meta"]["total"], 2,
        "one adjustment per difference, found by its stocktake"
    );
    assert_eq!(
        post(
            &app,
            &format!("/api/v1/inventory/stocktakes/{id}/close"),
            &t,
            json!({})
        )
        .await
        .0,
        409
    );
    let (status, _) = call(
        &app,
        Method::PUT,
        &format!("/api/v1/inventory/stocktakes/{id}/counts"),
        &t,
        Some(json!({ "counts": [] })),
    )
    .await;
    assert_eq!(status, 409, "a closed stocktake takes no counts");
}

#[tokio::test]
async fn prekit_lists_what_each_slot_needs_and_sums_the_pick_list() {
    let (app, t) = demo().await;
    let m1 = machine(&app, &t, "VH-001").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let m2 = machine(&app, &t, "VH-002").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, kit) = get(
        &app,
        &format!("/api/v1/inventory/prekit?machine_ids={m1},{m2}"),
        &t,
    )
    .await;
    assert_eq!(status, 200, "{kit}");
    let mut expected_total = 0;
    for m in kit["machines"].as_array().unwrap() {
        for s in m["slots"].as_array().unwrap() {
            let need = s["need"].as_i64().unwrap();
            assert_eq!(
                need,
                (s["par_level"].as_i64().unwrap() - s["balance"].as_i64().unwrap()).max(0),
                "{s}"
            );
            expected_total += need;
        }
    }
    let picked: i64 = kit["pick_list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["total"].as_i64().unwrap())
        .sum();
    assert_eq!(picked, expected_total);
    assert!(kit["pick_list"][0]["sku"].is_string());
    let nowhere = uuid::Uuid::now_v7();
    assert_eq!(
        get(
            &app,
            &format!("/api/v1/inventory/prekit?machine_ids={m1},{nowhere}"),
            &t
        )
        .await
        .0,
        404
    );
}

/// Records `units` sold from a slot `days_ago` days back (as the gateway would).
async fn sold(app: &TestApp, machine: &str, slot: &str, product: &str, units: i64, days_ago: i64) {
    let org = app.app.db().clone();
    let (machine, slot, product) = (machine.to_owned(), slot.to_owned(), product.to_owned());
    org.run(move |c| {
        let organization_id: String = {
            use diesel::prelude::*;
            vendhub_store::schema::machines::table
                .find(&machine)
                .select(vendhub_store::schema::machines::organization_id)
                .first(c)?
        };
        let at = vendhub_store::now() - chrono::Duration::days(days_ago);
        vendhub_store::sales::insert(
            c,
            &vendhub_store::sales::SaleRow {
                id: uuid::Uuid::now_v7().to_string(),
                organization_id,
                machine_id: machine,
                slot_code: Some(slot),
                product_id: Some(product),
                unit_price: 500_000,
                quantity: units,
                amount: 500_000 * units,
                payment_method: "cash".into(),
                source: "import".into(),
                source_id: uuid::Uuid::now_v7().to_string(),
                flag: None,
                sold_at: at,
                created_at: vendhub_store::now(),
            },
        )
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn prekit_kits_an_operators_route_and_estimates_unknown_slots_from_sales() {
    let (app, t) = demo().await;
    let (_, list) = get(&app, "/api/v1/machines?limit=100", &t).await;
    let operator = list["data"][0]["operator_id"].as_str().unwrap().to_owned();
    let mut route: Vec<String> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["operator_id"] == operator.as_str())
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect();
    route.sort();

    // A new machine on the same route: a planogram, no slot balances yet.
    let (status, fresh) = post(
        &app,
        "/api/v1/machines",
        &t,
        json!({ "number": "VH-300", "name": "New", "machine_type": "snack", "operator_id": operator }),
    )
    .await;
    assert_eq!(status, 201, "{fresh}");
    let fid = fresh["id"].as_str().unwrap().to_owned();
    let (_, products) = get(&app, "/api/v1/products?limit=3", &t).await;
    let p = |i: usize| products["data"][i]["id"].as_str().unwrap().to_owned();
    let (status, body) = call(
        &app,
        Method::PUT,
        &format!("/api/v1/machines/{fid}/planogram"),
        &t,
        Some(json!({ "slots": [
            { "slot": "A1", "product_id": p(0), "capacity": 10, "par_level": 8 },
            { "slot": "A2", "product_id": p(1), "capacity": 10, "par_level": 8 },
            { "slot": "A3", "product_id": p(2), "capacity": 10, "par_level": 8 },
        ]})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // A1: 14 units in 28 days = 0.5 a day; A2: far more than par; A3: nothing sold. One sale outside the
    // window does not count.
    sold(&app, &fid, "A1", &p(0), 10, 20).await;
    sold(&app, &fid, "A1", &p(0), 4, 2).await;
    sold(&app, &fid, "A1", &p(0), 50, 40).await;
    sold(&app, &fid, "A2", &p(1), 280, 1).await;
    let refilled = vendhub_store::now() - chrono::Duration::days(5);
    let id = fid.clone();
    app.app
        .db()
        .run(move |c| {
            use diesel::prelude::*;
            use vendhub_store::schema::machines::dsl;
            diesel::update(dsl::machines.find(id))
                .set(dsl::last_refill_at.eq(Some(refilled)))
                .execute(c)?;
            Ok::<_, vendhub_store::StoreError>(())
        })
        .await
        .unwrap();
    route.push(fid.clone());
    route.sort();

    let (status, kit) = get(
        &app,
        &format!("/api/v1/inventory/prekit?operator_id={operator}"),
        &t,
    )
    .await;
    assert_eq!(status, 200, "{kit}");
    let mut kitted: Vec<String> = kit["machines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["machine_id"].as_str().unwrap().to_owned())
        .collect();
    kitted.sort();
    assert_eq!(kitted, route, "exactly the operator's machines");
    let new = kit["machines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["machine_id"] == fid.as_str())
        .unwrap();
    let need = |slot: &str| {
        let s = new["slots"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["slot"] == slot)
            .unwrap();
        assert!(s["balance"].is_null(), "{s}");
        s["need"].as_i64().unwrap()
    };
    assert_eq!(need("A1"), 3, "0.5 a day x 5 days, rounded up");
    assert_eq!(need("A2"), 8, "never more than par");
    assert_eq!(need("A3"), 0, "no sales, no estimate");

    for bad in [
        "",
        "?operator_id=nope",
        &format!("?operator_id={operator}&machine_ids={fid}"),
    ] {
        let (status, problem) = get(&app, &format!("/api/v1/inventory/prekit{bad}"), &t).await;
        assert_eq!(status, 400, "{bad}: {problem}");
    }
}

#[tokio::test]
async fn categories_group_products_within_the_organization() {
    let (app, t) = demo().await;
    let (status, cat) = post(&app, "/api/v1/categories", &t, json!({ "name": "Drinks" })).await;
    assert_eq!(status, 201, "{cat}");
    assert_eq!(
        post(&app, "/api/v1/categories", &t, json!({ "name": "Drinks" }))
            .await
            .0,
        409
    );
    let body = |category: Value| {
        json!({ "sku": "KVASS", "name_uz": "Kvas", "name_ru": "Квас", "name_en": "Kvass",
        "price": 700_000, "category_id": category })
    };
    let (status, bad) = post(&app, "/api/v1/products", &t, body(json!(uuid::Uuid::now_v7()))).await;
    assert_eq!(
        (status.as_u16(), bad["errors"][0]["field"].as_str()),
        (400, Some("category_id"))
    );
    let (status, p) = post(&app, "/api/v1/products", &t, body(cat["id"].clone())).await;
    assert_eq!(status, 201, "{p}");
    assert_eq!(p["category_id"], cat["id"]);
    let (_, list) = get(&app, "/api/v1/categories", &t).await;
    assert_eq!(list.as_array().unwrap().len(), 1);

    // Updating to another organization's category answers exactly like a category that does not exist,
    // and changes nothing.
    let (_, other) = vendhub_testkit::api::other_organization(&app, "cat-other", "cat-other-pass-2026").await;
    let (status, foreign) = post(&app, "/api/v1/categories", &other, json!({ "name": "Theirs" })).await;
    assert_eq!(status, 201, "{foreign}");
    let path = format!("/api/v1/products/{}", p["id"].as_str().unwrap());
    let (s1, by_foreign) = call(&app, Method::PUT, &path, &t, Some(body(foreign["id"].clone()))).await;
    let (s2, by_random) = call(
        &app,
        Method::PUT,
        &path,
        &t,
        Some(body(json!(uuid::Uuid::now_v7()))),
    )
    .await;
    assert_eq!(
        (s1.as_u16(), by_foreign["errors"][0]["field"].as_str()),
        (400, Some("category_id"))
    );
    assert_eq!(
        (s1, &by_foreign["code"], &by_foreign["errors"]),
        (s2, &by_random["code"], &by_random["errors"])
    );
    let (_, unchanged) = get(&app, &path, &t).await;
    assert_eq!(unchanged["category_id"], cat["id"]);
}

/// Puts a product's image: the raw bytes, with `content_type`.
async fn put_image(
    app: &TestApp,
    t: &str,
    id: &str,
    body: Vec<u8>,
    content_type: &str,
) -> (StatusCode, Value) {
    let path = format!("/api/v1/products/{id}/image");
    send_bytes(app, Method::PUT, &path, t, content_type, body).await
}

#[tokio::test]
async fn a_product_image_is_checked_by_content_and_size_and_kept_in_local_files() {
    let (app, t) = demo_on(TestApp::builder().env("MAX_FILE_SIZE", "4096").spawn().await).await;
    let (_, list) = get(&app, "/api/v1/products?limit=1", &t).await;
    let id = list["data"][0]["id"].as_str().unwrap().to_owned();

    let (status, body) = put_image(&app, &t, &id, b"<svg onload=alert(1)>".to_vec(), "image/png").await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (415, Some("unsupported_media_type")),
        "the name or header does not decide"
    );
    let mut big = TINY_PNG.to_vec();
    big.resize(5000, 0);
    let (status, body) = put_image(&app, &t, &id, big, "image/png").await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (413, Some("payload_too_large"))
    );
    assert_eq!(
        get(&app, &format!("/api/v1/products/{id}/image"), &t).await.0,
        404,
        "nothing stored"
    );

    let (status, body) = put_image(&app, &t, &id, TINY_PNG.to_vec(), "application/octet-stream").await;
    assert_eq!(status, 200, "{body}");
    let res = app
        .client
        .get(app.url(&format!("/api/v1/products/{id}/image")))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "image/png");
    assert_eq!(res.bytes().await.unwrap().as_ref(), TINY_PNG);
    let stored: Vec<_> = walk(&app.data_dir().join("files/products"));
    assert_eq!(stored.len(), 1, "one file in the local store: {stored:?}");
    // A replacement removes the old file.
    assert_eq!(
        put_image(&app, &t, &id, TINY_PNG.to_vec(), "image/png").await.0,
        200
    );
    assert_eq!(walk(&app.data_dir().join("files/products")).len(), 1);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

struct Moto(std::process::Child, u16);

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A local S3-compatible server (`moto`, from `PyPI`; `.ci/run` installs it).
async fn moto() -> Moto {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("moto_server must be installed (pip install 'moto[server]'); .ci/run installs it");
    let start = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < Duration::from_secs(30), "moto did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Moto(child, port)
}

#[tokio::test]
async fn with_storage_endpoint_files_go_to_s3() {
    let s3 = moto().await;
    // CreateBucket.
    let res = reqwest::Client::new()
        .put(format!("http://127.0.0.1:{}/vendhub-test", s3.1))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    let app = TestApp::builder()
        .env("STORAGE_ENDPOINT", format!("127.0.0.1:{}", s3.1))
        .env("STORAGE_ACCESS_KEY", "test")
        .env("STORAGE_SECRET_KEY", "test")
        .env("STORAGE_BUCKET", "vendhub-test")
        .env("STORAGE_REGION", "us-east-1")
        .spawn()
        .await;
    let detailed: Value = app.get("/health/detailed").await.json().await.unwrap();
    assert_eq!(detailed["info"]["storage"]["backend"], "s3", "{detailed}");
    let (app, t) = demo_on(app).await;
    let (_, list) = get(&app, "/api/v1/products?limit=1", &t).await;
    let id = list["data"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        put_image(&app, &t, &id, TINY_PNG.to_vec(), "image/png").await.0,
        200
    );
    let res = app
        .client
        .get(app.url(&format!("/api/v1/products/{id}/image")))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(res.bytes().await.unwrap().as_ref(), TINY_PNG);
    assert!(
        walk(&app.data_dir().join("files")).is_empty(),
        "nothing in local files"
    );
    let listing = reqwest::get(format!("http://127.0.0.1:{}/vendhub-test?list-type=2", s3.1))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        listing.contains("products/") && listing.contains(".png"),
        "{listing}"
    );
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
async fn warehouses_are_renamed_and_only_empty_ones_deleted() {
    let (app, t) = demo().await;
    let (status, w) = post(
        &app,
        "/api/v1/warehouses",
        &t,
        json!({ "name": "Samarqand depot", "address": "Samarqand" }),
    )
    .await;
    assert_eq!(status, 201);
    let id = w["id"].as_str().unwrap();
    assert_eq!(
        post(
            &app,
            "/api/v1/warehouses",
            &t,
            json!({ "name": "Samarqand depot" })
        )
        .await
        .0,
        409
    );
    let (status, renamed) = call(
        &app,
        Method::PUT,
        &format!("/api/v1/warehouses/{id}"),
        &t,
        Some(json!({ "name": "Samarkand depot", "address": "Samarkand, Registan 1" })),
    )
    .await;
    assert_eq!(
        (status.as_u16(), renamed["name"].as_str()),
        (200, Some("Samarkand depot"))
    );
    let (_, stock) = get(&app, "/api/v1/inventory/warehouse", &t).await;
    let main = stock[0]["holder"]
        .as_str()
        .unwrap()
        .trim_start_matches("warehouse:")
        .to_owned();
    assert_eq!(
        call(
            &app,
            Method::DELETE,
            &format!("/api/v1/warehouses/{main}"),
            &t,
            None
        )
        .await
        .0,
        422,
        "holds stock"
    );
    assert_eq!(
        call(
            &app,
            Method::DELETE,
            &format!("/api/v1/warehouses/{id}"),
            &t,
            None
        )
        .await
        .0,
        204
    );
    assert_eq!(get(&app, &format!("/api/v1/warehouses/{id}"), &t).await.0, 404);
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
