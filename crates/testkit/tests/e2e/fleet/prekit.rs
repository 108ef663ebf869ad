//! The pre-kit: what each slot needs, an operator's route, and estimates from sales.

use reqwest::Method;
use serde_json::json;
use vendhub_testkit::TestApp;
use vendhub_testkit::api::{call, demo, get, machine, post};

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
        #[expect(
            clippy::disallowed_methods,
            reason = "the test records a sale in the organization of the machine it just read"
        )]
        let scope = vendhub_store::TenantScope::authenticated(organization_id.parse().unwrap());
        vendhub_store::sales::insert(
            c,
            &scope,
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
