//! The machines pages: the list with its filters and map, one machine's page (live status, planogram and
//! its editor, API keys, QR code, moves), roles and tenancy.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use vendhub_testkit::api::{self, call, get, machine, machine_id, other_organization};
use vendhub_testkit::panel::{PanelClient, field_value, viewer};
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
    assert!(p.html.contains("/app/m/VH-001?org="));
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

/// How many machines the API lists for the organization.
async fn fleet_size(app: &TestApp, token: &str) -> i64 {
    let (_, list) = get(app, "/api/v1/machines", token).await;
    list["meta"]["total"].as_i64().unwrap()
}

#[tokio::test]
async fn a_machine_is_created_edited_and_deleted_through_its_form() {
    let (app, token) = api::demo().await;
    let location = locations(&app, &token).await[0].clone();
    let operator = api::an_operator(&app, &token).await;
    let mut c = PanelClient::sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let list = c.get("/admin/machines").await;
    assert!(
        list.html
            .contains("href=\"/admin/machines/new\" data-testid=\"machine-new\"")
    );
    let form = c.get("/admin/machines/new?lang=en").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.html);
    assert!(form.html.contains("data-testid=\"machine-form\""));
    assert!(form.html.contains("data-testid=\"machine-save\""));
    assert!(form.html.contains(&format!("<option value=\"{location}\"")));
    assert!(form.html.contains(&format!("<option value=\"{operator}\"")));

    let created = c
        .post(
            "/admin/machines",
            &[
                ("number", "VH-900"),
                ("name", "Lobby coffee"),
                ("machine_type", "coffee"),
                ("model", "Necta Kikko"),
                ("serial_number", "SN-42"),
                ("location_id", &location),
                ("operator_id", &operator),
                ("status", ""),
                ("accepted_payments", "cash"),
                ("accepted_payments", "payme"),
                ("cash_capacity", "1 500 000"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.html);
    let m = machine(&app, &token, "VH-900").await;
    let id = m["id"].as_str().unwrap().to_owned();
    assert_eq!(
        created.location.as_deref(),
        Some(format!("/admin/machines/{id}").as_str())
    );
    assert_eq!(m["name"], "Lobby coffee");
    assert_eq!(m["machine_type"], "coffee");
    assert_eq!(m["model"], "Necta Kikko");
    assert_eq!(m["serial_number"], "SN-42");
    assert_eq!(m["location_id"], location.as_str());
    assert_eq!(m["operator_id"], operator.as_str());
    assert_eq!(m["status"], "active");
    assert_eq!(m["accepted_payments"], json!(["cash", "payme"]));
    assert_eq!(m["cash_capacity"], 150_000_000);

    let details = c.get(&format!("/admin/machines/{id}")).await;
    assert!(details.html.contains(&format!(
        "href=\"/admin/machines/{id}/edit\" data-testid=\"machine-edit\""
    )));
    let edit = c.get(&format!("/admin/machines/{id}/edit")).await;
    assert_eq!(edit.status, StatusCode::OK, "{}", edit.html);
    assert_eq!(field_value(&edit.html, "number").as_deref(), Some("VH-900"));
    assert_eq!(
        field_value(&edit.html, "cash_capacity").as_deref(),
        Some("1500000")
    );
    assert!(edit.html.contains("value=\"payme\" checked"));

    let saved = c
        .post(
            &format!("/admin/machines/{id}/edit"),
            &[
                ("number", "VH-901"),
                ("name", "Lobby drinks"),
                ("machine_type", "drink"),
                ("model", ""),
                ("serial_number", "SN-43"),
                ("operator_id", ""),
                ("status", "maintenance"),
                ("accepted_payments", "card"),
                ("cash_capacity", "2000.50"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let (_, m) = get(&app, &format!("/api/v1/machines/{id}"), &token).await;
    assert_eq!(m["number"], "VH-901");
    assert_eq!(m["name"], "Lobby drinks");
    assert_eq!(m["machine_type"], "drink");
    assert_eq!(m["model"], Value::Null);
    assert_eq!(m["serial_number"], "SN-43");
    assert_eq!(m["operator_id"], Value::Null);
    assert_eq!(m["status"], "maintenance");
    assert_eq!(m["accepted_payments"], json!(["card"]));
    assert_eq!(m["cash_capacity"], 200_050);
    assert_eq!(m["location_id"], location.as_str(), "a move changes the location");

    let deleted = c.post(&format!("/admin/machines/{id}/delete"), &[]).await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER, "{}", deleted.html);
    assert_eq!(deleted.location.as_deref(), Some("/admin/machines"));
    assert_eq!(machine(&app, &token, "VH-901").await, Value::Null);
    assert_eq!(
        get(&app, &format!("/api/v1/machines/{id}"), &token).await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_taken_or_bad_number_is_refused_naming_the_field_and_nothing_is_written() {
    let (app, token) = api::demo().await;
    let before = fleet_size(&app, &token).await;
    let mut c = PanelClient::sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    c.get("/admin/machines/new").await;
    let fields = |number: &'static str| {
        [
            ("number", number),
            ("name", "Twin"),
            ("machine_type", "snack"),
            ("accepted_payments", "cash"),
            ("cash_capacity", ""),
        ]
    };
    let duplicate = c.post("/admin/machines", &fields("VH-001")).await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT, "{}", duplicate.html);
    assert!(
        duplicate.html.contains("<code>number</code>"),
        "{}",
        duplicate.html
    );
    assert!(
        duplicate.html.contains("data-testid=\"machine-form\""),
        "the form again"
    );
    assert_eq!(field_value(&duplicate.html, "name").as_deref(), Some("Twin"));
    let bad = c.post("/admin/machines", &fields("VH 001!")).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.html);
    assert!(bad.html.contains("<code>number</code>"), "{}", bad.html);
    assert_eq!(fleet_size(&app, &token).await, before);

    // Renumbering a machine to a duplicate number changes nothing.
    let id = machine_id(&app, &token, "VH-002").await;
    let renamed = c
        .post(&format!("/admin/machines/{id}/edit"), &fields("VH-001"))
        .await;
    assert_eq!(renamed.status, StatusCode::CONFLICT, "{}", renamed.html);
    assert!(renamed.html.contains("<code>number</code>"));
    let (_, m) = get(&app, &format!("/api/v1/machines/{id}"), &token).await;
    assert_eq!(m["number"], "VH-002");
    assert_ne!(m["name"], "Twin");
}

#[tokio::test]
async fn a_viewer_and_an_operator_cannot_add_edit_or_delete_a_machine() {
    let (app, token, staff_password) = api::demo_with_staff().await;
    let id = machine_id(&app, &token, "VH-001").await;
    let before = fleet_size(&app, &token).await;
    let operator = PanelClient::sign_in(&app, "operator1@demo.vendhub.uz", &staff_password).await;
    for mut c in [viewer(&app, &token).await, operator] {
        let list = c.get("/admin/machines").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(!list.html.contains("machine-new") && !list.html.contains("/admin/machines/new"));
        let p = c.get(&format!("/admin/machines/{id}")).await;
        assert!(!p.html.contains("machine-edit") && !p.html.contains("/edit\""));
        assert_eq!(c.get("/admin/machines/new").await.status, StatusCode::FORBIDDEN);
        assert_eq!(
            c.get(&format!("/admin/machines/{id}/edit")).await.status,
            StatusCode::FORBIDDEN
        );
        let fields = [
            ("number", "VH-950"),
            ("name", "Forged"),
            ("machine_type", "snack"),
            ("accepted_payments", "cash"),
        ];
        assert_eq!(
            c.post("/admin/machines", &fields).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            c.post(&format!("/admin/machines/{id}/edit"), &fields)
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            c.post(&format!("/admin/machines/{id}/delete"), &[]).await.status,
            StatusCode::FORBIDDEN
        );
    }
    assert_eq!(fleet_size(&app, &token).await, before);
    assert_eq!(machine(&app, &token, "VH-001").await["id"], id.as_str());
    assert_eq!(machine(&app, &token, "VH-950").await, Value::Null);
}

#[tokio::test]
async fn another_organizations_machine_cannot_be_edited_or_deleted() {
    let (app, token) = api::demo().await;
    let id = machine_id(&app, &token, "VH-001").await;
    other_organization(&app, "other-fleet", "Other-pass-123").await;
    let mut c = PanelClient::sign_in(&app, "owner@other-fleet.test", "Other-pass-123").await;
    assert_eq!(
        c.get(&format!("/admin/machines/{id}/edit")).await.status,
        StatusCode::NOT_FOUND
    );
    let fields = [
        ("number", "VH-001"),
        ("name", "Taken over"),
        ("machine_type", "snack"),
        ("accepted_payments", "cash"),
    ];
    assert_eq!(
        c.post(&format!("/admin/machines/{id}/edit"), &fields)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        c.post(&format!("/admin/machines/{id}/delete"), &[]).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        c.get("/admin/machines/not-an-id/edit").await.status,
        StatusCode::NOT_FOUND
    );
    let m = machine(&app, &token, "VH-001").await;
    assert_eq!(m["id"], id.as_str());
    assert_ne!(m["name"], "Taken over");
}
