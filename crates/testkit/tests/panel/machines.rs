//! The machines pages: the list with its filters and map, one machine's page (live status, planogram and
//! its editor, API keys, QR code, moves), roles and tenancy.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use vendhub_testkit::api::{self, call, get, machine, machine_id, other_organization, post};
use vendhub_testkit::panel::PanelClient;
use vendhub_testkit::{OWNER_EMAIL, OWNER_PASSWORD, TestApp};

fn lists(html: &str, number: &str) -> bool {
    html.contains(&format!("data-machine=\"{number}\""))
}

async fn locations(app: &TestApp, token: &str) -> Vec<String> {
    let (_, list) = get(app, "/api/v1/locations", token).await;
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_owned())
        .collect()
}

/// A viewer of the demo organization, signed in to the panel.
async fn viewer(app: &TestApp, token: &str) -> PanelClient {
    let (status, body) = post(
        app,
        "/api/v1/users",
        token,
        json!({"email": "viewer@demo.vendhub.uz", "full_name": "Viewer", "password": "Quiet-lamp-4821", "role": "viewer"}),
    )
    .await;
    assert!(status.is_success(), "{status} {body}");
    PanelClient::sign_in(app, "viewer@demo.vendhub.uz", "Quiet-lamp-4821").await
}

#[tokio::test]
async fn the_list_shows_the_demo_fleet_and_its_filters_narrow_it() {
    let (app, token) = api::demo().await;
    let mut c = PanelClient::sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let all = c.get("/admin/machines").await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.html);
    assert!(lists(&all.html, "VH-001") && lists(&all.html, "VH-020"));
    // The map's markers carry their coordinates (the demo locations'), and a link to the machine.
    assert!(
        all.html
            .contains("data-map-marker data-lat=\"41.3165\" data-lng=\"69.2495\""),
        "{}",
        all.html
    );
    assert!(
        all.html.contains("data-map data-tiles=\"\""),
        "no tile server configured: a plain background"
    );

    // An empty select of the filter form means "any".
    let any = c.get("/admin/machines?q=&status=&type=&location_id=").await;
    assert_eq!(any.status, StatusCode::OK);
    assert!(lists(&any.html, "VH-020"));

    let coffee = c.get("/admin/machines?type=coffee").await;
    assert!(lists(&coffee.html, "VH-003") && !lists(&coffee.html, "VH-001"));

    let searched = c.get("/admin/machines?q=vh-01").await;
    assert!(lists(&searched.html, "VH-010") && lists(&searched.html, "VH-019"));
    assert!(!lists(&searched.html, "VH-001") && !lists(&searched.html, "VH-020"));

    let first = locations(&app, &token).await[0].clone();
    let here = c.get(&format!("/admin/machines?location_id={first}")).await;
    assert!(lists(&here.html, "VH-001") && !lists(&here.html, "VH-002"));

    let m = machine(&app, &token, "VH-002").await;
    let (status, body) = call(
        &app,
        Method::PUT,
        &format!("/api/v1/machines/{}", m["id"].as_str().unwrap()),
        &token,
        Some(
            json!({"number": "VH-002", "name": m["name"], "machine_type": m["machine_type"],
            "operator_id": m["operator_id"], "status": "maintenance"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let maintenance = c.get("/admin/machines?status=maintenance").await;
    assert!(lists(&maintenance.html, "VH-002") && !lists(&maintenance.html, "VH-001"));

    // By operator: the same machines as the API's list with the same filter.
    let operator = api::an_operator(&app, &token).await;
    let mine = c.get(&format!("/admin/machines?operator_id={operator}")).await;
    let (_, by_api) = get(&app, &format!("/api/v1/machines?operator_id={operator}"), &token).await;
    let numbers: Vec<&str> = by_api["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["number"].as_str().unwrap())
        .collect();
    assert!(!numbers.is_empty() && numbers.len() < 20, "{by_api}");
    for n in ["VH-001", "VH-002", "VH-003", "VH-004"] {
        assert_eq!(lists(&mine.html, n), numbers.contains(&n), "{n}");
    }

    let bad = c.get("/admin/machines?status=sleeping").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.html.contains("<code>status</code>"), "{}", bad.html);
}

#[tokio::test]
async fn the_machine_page_shows_its_live_status_slots_with_fills_and_its_qr_code() {
    let (app, token) = api::demo().await;
    let id = machine_id(&app, &token, "VH-001").await;
    let mut c = PanelClient::sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let p = c.get(&format!("/admin/machines/{id}?lang=en")).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    assert!(p.html.contains(&format!("data-live-machine=\"{id}\"")));
    assert!(
        p.html
            .contains("data-live-field=\"machine:status:status\" data-live-status")
    );
    assert!(p.html.contains("data-label-offline=\"Offline\""));
    assert!(p.html.contains("data-slot=\"A1\"") && p.html.contains("data-slot=\"B4\""));
    let (_, stock) = get(&app, &format!("/api/v1/machines/{id}/inventory"), &token).await;
    let a1 = &stock.as_array().unwrap()[0];
    assert!(
        p.html.contains(&format!(
            "<meter min=\"0\" max=\"{}\" low=\"{}\"",
            a1["capacity"], a1["par_level"]
        )),
        "{}",
        p.html
    );
    assert!(p.html.contains(&format!("value=\"{}\">", a1["quantity"])));
    assert!(!p.html.contains("style=\""), "no inline styles");

    assert!(p.html.contains(&format!("src=\"/admin/machines/{id}/qr.svg\"")));
    assert!(p.html.contains("/m/VH-001"));
    let qr = c
        .http
        .get(app.url(&format!("/admin/machines/{id}/qr.svg")))
        .send()
        .await
        .unwrap();
    assert_eq!(qr.status(), StatusCode::OK);
    assert_eq!(qr.headers()["content-type"], "image/svg+xml");
    assert!(qr.text().await.unwrap().contains("<svg"));
}

#[tokio::test]
async fn a_slot_edited_through_the_page_changes_the_apis_planogram() {
    let (app, token) = api::demo().await;
    let id = machine_id(&app, &token, "VH-001").await;
    let (_, before) = get(&app, &format!("/api/v1/machines/{id}/planogram"), &token).await;
    let a1 = before
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["slot"] == "A1")
        .unwrap()
        .clone();
    let other_product = before
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["slot"] == "B4")
        .unwrap()["product_id"]
        .clone();
    let mut c = PanelClient::sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    c.get(&format!("/admin/machines/{id}")).await;
    let capacity = (a1["capacity"].as_i64().unwrap() + 2).to_string();
    let saved = c
        .post(
            &format!("/admin/machines/{id}/slots"),
            &[
                ("slot", "A1"),
                ("product_id", a1["product_id"].as_str().unwrap()),
                ("capacity", &capacity),
                ("par_level", "3"),
                ("price", "12 345.50"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let (_, after) = get(&app, &format!("/api/v1/machines/{id}/planogram"), &token).await;
    let a1_after = after
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["slot"] == "A1")
        .unwrap();
    assert_eq!(a1_after["capacity"].to_string(), capacity);
    assert_eq!(a1_after["par_level"], 3);
    assert_eq!(a1_after["price"], 1_234_550);

    // A new slot through the "add" form.
    let added = c
        .post(
            &format!("/admin/machines/{id}/slots"),
            &[
                ("slot", "C1"),
                ("product_id", other_product.as_str().unwrap()),
                ("capacity", "10"),
                ("par_level", "2"),
                ("price", ""),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.html);
    let (_, after) = get(&app, &format!("/api/v1/machines/{id}/planogram"), &token).await;
    let c1 = after
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["slot"] == "C1")
        .unwrap();
    assert_eq!(c1["price"], Value::Null, "an empty price uses the product's");

    // Bad input is a page naming the field.
    let bad = c
        .post(
            &format!("/admin/machines/{id}/slots"),
            &[
                ("slot", "A1"),
                ("product_id", a1["product_id"].as_str().unwrap()),
                ("capacity", "many"),
                ("par_level", "1"),
                ("price", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.html.contains("<code>capacity</code>"), "{}", bad.html);
}

#[tokio::test]
async fn an_api_key_is_shown_once_after_creation_and_can_be_revoked() {
    let (app, token) = api::demo().await;
    let id = machine_id(&app, &token, "VH-001").await;
    let mut c = PanelClient::sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    c.get(&format!("/admin/machines/{id}")).await;
    let created = c
        .post(
            &format!("/admin/machines/{id}/keys"),
            &[("label", "telemetry box")],
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.html);
    let marker = "data-testid=\"new-key\">";
    let start = created.html.find(marker).unwrap() + marker.len();
    let key = &created.html[start..start + created.html[start..].find('<').unwrap()];
    assert!(key.starts_with("vhk_"), "{key}");
    // The machine authenticates with it.
    let beat = reqwest::Client::new()
        .post(app.url("/api/v1/gateway/events"))
        .header("x-api-key", key)
        .json(&json!({"events": []}))
        .send()
        .await
        .unwrap();
    assert_ne!(beat.status(), StatusCode::UNAUTHORIZED);

    let again = c.get(&format!("/admin/machines/{id}")).await;
    assert!(!again.html.contains(key), "the key is never shown again");
    assert!(again.html.contains("telemetry box"));

    let (_, keys) = get(&app, &format!("/api/v1/machines/{id}/api-keys"), &token).await;
    let key_id = keys[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(keys[0]["revoked_at"], Value::Null);
    let revoked = c
        .post(&format!("/admin/machines/{id}/keys/{key_id}/revoke"), &[])
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER, "{}", revoked.html);
    let (_, keys) = get(&app, &format!("/api/v1/machines/{id}/api-keys"), &token).await;
    assert_ne!(keys[0]["revoked_at"], Value::Null);
    let refused = reqwest::Client::new()
        .post(app.url("/api/v1/gateway/events"))
        .header("x-api-key", key)
        .json(&json!({"events": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_machine_moved_through_the_page_stands_at_its_new_location() {
    let (app, token) = api::demo().await;
    let id = machine_id(&app, &token, "VH-001").await;
    let to = locations(&app, &token).await[1].clone();
    let mut c = PanelClient::sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    c.get(&format!("/admin/machines/{id}")).await;
    let moved = c
        .post(&format!("/admin/machines/{id}/move"), &[("location_id", &to)])
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.html);
    assert_eq!(machine(&app, &token, "VH-001").await["location_id"], to.as_str());
    let (_, history) = get(&app, &format!("/api/v1/machines/{id}/moves"), &token).await;
    assert_eq!(history.as_array().unwrap().len(), 1);
    let p = c.get(&format!("/admin/machines/{id}?lang=en")).await;
    assert!(p.html.contains("Tashkent City Mall"));
    // Into storage.
    let stored = c
        .post(&format!("/admin/machines/{id}/move"), &[("location_id", "")])
        .await;
    assert_eq!(stored.status, StatusCode::SEE_OTHER, "{}", stored.html);
    assert_eq!(machine(&app, &token, "VH-001").await["location_id"], Value::Null);
}

#[tokio::test]
async fn a_viewer_and_an_operator_see_no_write_controls_and_their_forged_posts_are_refused() {
    let (app, token, staff_password) = api::demo_with_staff().await;
    let id = machine_id(&app, &token, "VH-001").await;
    let (_, planogram) = get(&app, &format!("/api/v1/machines/{id}/planogram"), &token).await;
    let product = planogram[0]["product_id"].as_str().unwrap().to_owned();
    let to = locations(&app, &token).await[1].clone();
    let operator = PanelClient::sign_in(&app, "operator1@demo.vendhub.uz", &staff_password).await;
    for mut c in [viewer(&app, &token).await, operator] {
        let p = c.get(&format!("/admin/machines/{id}")).await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.html);
        assert!(p.html.contains("data-slot=\"A1\""), "they read the planogram");
        for action in ["/slots\"", "/keys\"", "/move\"", "/planogram/template\""] {
            assert!(
                !p.html.contains(&format!("action=\"/admin/machines/{id}{action}")),
                "{action}"
            );
        }
        assert!(!p.html.contains("vhk_"));
        let slot = c
            .post(
                &format!("/admin/machines/{id}/slots"),
                &[
                    ("slot", "A1"),
                    ("product_id", &product),
                    ("capacity", "1"),
                    ("par_level", "1"),
                    ("price", ""),
                ],
            )
            .await;
        assert_eq!(slot.status, StatusCode::FORBIDDEN);
        let key = c
            .post(&format!("/admin/machines/{id}/keys"), &[("label", "x")])
            .await;
        assert_eq!(key.status, StatusCode::FORBIDDEN);
        let moved = c
            .post(&format!("/admin/machines/{id}/move"), &[("location_id", &to)])
            .await;
        assert_eq!(moved.status, StatusCode::FORBIDDEN);
    }
    assert_ne!(machine(&app, &token, "VH-001").await["location_id"], to.as_str());
    let (_, keys) = get(&app, &format!("/api/v1/machines/{id}/api-keys"), &token).await;
    assert_eq!(keys.as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn another_organizations_machine_is_not_found() {
    let (app, token) = api::demo().await;
    let id = machine_id(&app, &token, "VH-001").await;
    other_organization(&app, "other-fleet", "Other-pass-123").await;
    let mut c = PanelClient::sign_in(&app, "owner@other-fleet.test", "Other-pass-123").await;
    assert_eq!(
        c.get(&format!("/admin/machines/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        c.get(&format!("/admin/machines/{id}/qr.svg")).await.status,
        StatusCode::NOT_FOUND
    );
    let moved = c
        .post(&format!("/admin/machines/{id}/move"), &[("location_id", "")])
        .await;
    assert_eq!(moved.status, StatusCode::NOT_FOUND);
    let key = c
        .post(&format!("/admin/machines/{id}/keys"), &[("label", "x")])
        .await;
    assert_eq!(key.status, StatusCode::NOT_FOUND);
    let list = c.get("/admin/machines").await;
    assert!(!lists(&list.html, "VH-001"));
    assert_eq!(
        c.get("/admin/machines/not-an-id").await.status,
        StatusCode::NOT_FOUND
    );
}
