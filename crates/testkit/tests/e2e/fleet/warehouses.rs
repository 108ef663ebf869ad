//! Warehouses and stocktakes: renaming, deleting only empty ones, and counted differences as adjustments.

use reqwest::Method;
use serde_json::{Value, json};
use vendhub_testkit::api::{call, demo, get, post};

use super::demo_refs;

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
