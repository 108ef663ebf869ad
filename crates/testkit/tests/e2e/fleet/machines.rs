//! Machines: the list, unique numbers and field errors, moves with history, the map, QR codes, and locations.

use reqwest::Method;
use serde_json::json;
use vendhub_testkit::api::{call, demo, get, machine, post};

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
