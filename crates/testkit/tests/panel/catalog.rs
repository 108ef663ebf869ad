//! The catalog pages: locations, products (with images) and categories, planogram templates.

use reqwest::StatusCode;
use serde_json::json;
use vendhub_testkit::api::{self, TINY_PNG, get, other_organization, post};
use vendhub_testkit::panel::{PanelClient, viewer};
use vendhub_testkit::{OWNER_EMAIL, OWNER_PASSWORD};

#[tokio::test]
async fn a_location_created_and_edited_through_the_forms_is_in_the_apis_list() {
    let (app, token) = api::demo().await;
    let mut c = PanelClient::sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let list = c.get("/admin/locations?lang=en").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.html);
    assert!(list.html.contains("Samarqand Darvoza") && list.html.contains("Revenue share"));
    let created = c
        .post(
            "/admin/locations",
            &[
                ("name", "Chorsu Bazaar"),
                ("address", "Tashkent, Chorsu"),
                ("latitude", "41.3262"),
                ("longitude", "69.2355"),
                ("contact_name", ""),
                ("contact_phone", ""),
                ("opening_hours", "07:00-20:00"),
                ("contract_type", "rent"),
                ("rent_amount", "1 500 000"),
                ("revenue_share_percent", ""),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.html);
    let (_, found) = get(&app, "/api/v1/locations?q=Chorsu", &token).await;
    let l = &found["data"][0];
    assert_eq!(l["name"], "Chorsu Bazaar");
    assert_eq!(l["rent_amount"], 150_000_000);
    assert_eq!(l["latitude"], 41.3262);
    let id = l["id"].as_str().unwrap().to_owned();
    assert_eq!(
        created.location.as_deref(),
        Some(format!("/admin/locations/{id}").as_str())
    );

    let edit = c.get(&format!("/admin/locations/{id}")).await;
    assert!(edit.html.contains("value=\"Chorsu Bazaar\""));
    let saved = c
        .post(
            &format!("/admin/locations/{id}"),
            &[
                ("name", "Chorsu Market"),
                ("address", "Tashkent, Chorsu"),
                ("contract_type", "revenue_share"),
                ("revenue_share_percent", "10"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let (_, one) = get(&app, &format!("/api/v1/locations/{id}"), &token).await;
    assert_eq!(one["name"], "Chorsu Market");
    assert_eq!(one["revenue_share_percent"], 10);

    // The machines page offers it as a filter and a place to move to.
    assert!(c.get("/admin/machines").await.html.contains("Chorsu Market"));
}

#[tokio::test]
async fn a_product_created_through_the_form_is_in_the_apis_list_and_takes_an_image() {
    let (app, token) = api::demo().await;
    let mut c = PanelClient::sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    c.get("/admin/products").await;
    let category = c.post("/admin/categories", &[("name", "Juices")]).await;
    assert_eq!(category.status, StatusCode::SEE_OTHER, "{}", category.html);
    let (_, categories) = get(&app, "/api/v1/categories", &token).await;
    let juices = categories
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["name"] == "Juices")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let page = c.get("/admin/products").await;
    assert!(page.html.contains("Juices"));
    let created = c
        .post(
            "/admin/products",
            &[
                ("sku", "JUICE-APL-1L"),
                ("barcode", ""),
                ("name_uz", "Olma sharbati"),
                ("name_ru", "Яблочный сок"),
                ("name_en", "Apple juice"),
                ("unit", "pcs"),
                ("price", "14500"),
                ("cost", "9000.50"),
                ("vat_rate", "12"),
                ("ikpu_code", ""),
                ("package_code", ""),
                ("category_id", &juices),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.html);
    let (_, found) = get(&app, "/api/v1/products?q=JUICE-APL", &token).await;
    let p = &found["data"][0];
    assert_eq!(p["name"]["en"], "Apple juice");
    assert_eq!(p["price"], 1_450_000);
    assert_eq!(p["cost"], 900_050);
    assert_eq!(p["category_id"], juices.as_str());
    assert_eq!(p["has_image"], false);
    let id = p["id"].as_str().unwrap().to_owned();

    let edit = c.get(&format!("/admin/products/{id}?lang=en")).await;
    assert!(edit.html.contains("No image"));
    let uploaded = c
        .post_multipart(
            &format!("/admin/products/{id}/image"),
            &[],
            &[("image", "juice.png", "image/png", TINY_PNG)],
        )
        .await;
    assert_eq!(uploaded.status, StatusCode::SEE_OTHER, "{}", uploaded.html);
    let edit = c.get(&format!("/admin/products/{id}")).await;
    assert!(edit.html.contains(&format!("src=\"/admin/products/{id}/image\"")));
    let image = c
        .http
        .get(app.url(&format!("/admin/products/{id}/image")))
        .send()
        .await
        .unwrap();
    assert_eq!(image.status(), StatusCode::OK);
    assert_eq!(image.headers()["content-type"], "image/png");
    let (_, one) = get(&app, &format!("/api/v1/products/{id}"), &token).await;
    assert_eq!(one["has_image"], true);

    let saved = c
        .post(
            &format!("/admin/products/{id}"),
            &[
                ("sku", "JUICE-APL-1L"),
                ("name_uz", "Olma sharbati"),
                ("name_ru", "Яблочный сок"),
                ("name_en", "Apple juice 1 l"),
                ("price", "15000"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let (_, one) = get(&app, &format!("/api/v1/products/{id}"), &token).await;
    assert_eq!(one["name"]["en"], "Apple juice 1 l");
    assert_eq!(one["price"], 1_500_000);
}

#[tokio::test]
async fn bad_input_is_a_page_naming_the_field_and_changes_nothing() {
    let (app, token) = api::demo().await;
    let mut c = PanelClient::sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    c.get("/admin/locations").await;
    let (_, before) = get(&app, "/api/v1/locations", &token).await;
    let nameless = c
        .post("/admin/locations", &[("name", "  "), ("address", "Somewhere")])
        .await;
    assert!(
        matches!(
            nameless.status,
            StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY
        ),
        "{}",
        nameless.status
    );
    assert!(nameless.html.contains("<code>name</code>"), "{}", nameless.html);
    let (_, after) = get(&app, "/api/v1/locations", &token).await;
    assert_eq!(before["meta"]["total"], after["meta"]["total"]);

    let fields = |price: &'static str| {
        [
            ("sku", "NEG-1"),
            ("name_uz", "Manfiy"),
            ("name_ru", "Минус"),
            ("name_en", "Negative"),
            ("price", price),
        ]
    };
    let negative = c.post("/admin/products", &fields("-100")).await;
    assert!(
        matches!(
            negative.status,
            StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY
        ),
        "{}",
        negative.status
    );
    assert!(negative.html.contains("<code>price</code>"), "{}", negative.html);
    let words = c.post("/admin/products", &fields("cheap")).await;
    assert_eq!(words.status, StatusCode::BAD_REQUEST);
    assert!(words.html.contains("<code>price</code>"), "{}", words.html);
    let (_, none) = get(&app, "/api/v1/products?q=NEG-1", &token).await;
    assert_eq!(none["meta"]["total"], 0);
}

#[tokio::test]
async fn templates_are_listed_and_a_machine_applies_one() {
    let (app, token) = api::demo().await;
    let mut c = PanelClient::sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let list = c.get("/admin/planogram-templates").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.html);
    assert!(list.html.contains("Standard 8-slot"));
    let (_, templates) = get(&app, "/api/v1/planogram-templates", &token).await;
    let template = templates[0]["id"].as_str().unwrap().to_owned();
    // A machine holding stock refuses a planogram that would drop it (422, the rule's words).
    let stocked = api::machine_id(&app, &token, "VH-002").await;
    c.get(&format!("/admin/machines/{stocked}")).await;
    let refused = c
        .post(
            &format!("/admin/machines/{stocked}/planogram/template"),
            &[("template_id", &template)],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.html
    );
    let (status, new) = post(
        &app,
        "/api/v1/machines",
        &token,
        json!({"number": "VH-900", "name": "New", "machine_type": "snack"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{new}");
    let id = new["id"].as_str().unwrap().to_owned();
    let p = c.get(&format!("/admin/machines/{id}")).await;
    assert!(p.html.contains(&template));
    let applied = c
        .post(
            &format!("/admin/machines/{id}/planogram/template"),
            &[("template_id", &template)],
        )
        .await;
    assert_eq!(applied.status, StatusCode::SEE_OTHER, "{}", applied.html);
    let (_, planogram) = get(&app, &format!("/api/v1/machines/{id}/planogram"), &token).await;
    let slots: Vec<_> = planogram
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["slot"].clone(), s["product_id"].clone()))
        .collect();
    let wanted: Vec<_> = templates[0]["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["slot"].clone(), s["product_id"].clone()))
        .collect();
    assert_eq!(slots, wanted);
}

#[tokio::test]
async fn a_viewer_reads_the_catalog_without_forms_and_cannot_post_to_it() {
    let (app, token) = api::demo().await;
    let mut v = viewer(&app, &token).await;
    for path in [
        "/admin/locations",
        "/admin/products",
        "/admin/planogram-templates",
    ] {
        let p = v.get(path).await;
        assert_eq!(p.status, StatusCode::OK, "{path}");
        assert!(
            !p.html.contains("method=\"post\" action=\"/admin/locations"),
            "{path}"
        );
        assert!(
            !p.html.contains("method=\"post\" action=\"/admin/products"),
            "{path}"
        );
        assert!(!p.html.contains("action=\"/admin/categories\""), "{path}");
    }
    let forged = v
        .post("/admin/locations", &[("name", "Mine"), ("address", "x")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let forged = v.post("/admin/categories", &[("name", "Mine")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let (_, found) = get(&app, "/api/v1/locations?q=Mine", &token).await;
    assert_eq!(found["meta"]["total"], 0);
}

#[tokio::test]
async fn another_organizations_location_and_product_are_not_found() {
    let (app, token) = api::demo().await;
    let (_, locations) = get(&app, "/api/v1/locations", &token).await;
    let location = locations["data"][0]["id"].as_str().unwrap().to_owned();
    let (_, products) = get(&app, "/api/v1/products", &token).await;
    let product = products["data"][0]["id"].as_str().unwrap().to_owned();
    other_organization(&app, "other-shop", "Other-pass-123").await;
    let mut c = PanelClient::sign_in(&app, "owner@other-shop.test", "Other-pass-123").await;
    assert_eq!(
        c.get(&format!("/admin/locations/{location}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        c.get(&format!("/admin/products/{product}")).await.status,
        StatusCode::NOT_FOUND
    );
    let edit = c
        .post(
            &format!("/admin/products/{product}"),
            &[
                ("sku", "X"),
                ("name_uz", "X"),
                ("name_ru", "X"),
                ("name_en", "X"),
                ("price", "1"),
            ],
        )
        .await;
    assert_eq!(edit.status, StatusCode::NOT_FOUND);
}
