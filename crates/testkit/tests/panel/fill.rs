//! Gaps closed in the panel: a machine's planogram saved as a template from its page, a warehouse edited
//! and deleted from its page, and an operator's machine list limited to the machines they serve.

use reqwest::StatusCode;
use serde_json::{Value, json};
use vendhub_testkit::api::{demo_with_staff, get, machine_id, other_organization, post};
use vendhub_testkit::panel::{PanelClient, viewer};
use vendhub_testkit::{OWNER_EMAIL, OWNER_PASSWORD, TestApp};

/// `(slot, product, capacity, par level, price)` of each slot, sorted.
fn slots(list: &Value) -> Vec<(String, String, i64, i64, Option<i64>)> {
    let mut all: Vec<_> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["slot"].as_str().unwrap().to_owned(),
                s["product_id"].as_str().unwrap().to_owned(),
                s["capacity"].as_i64().unwrap(),
                s["par_level"].as_i64().unwrap(),
                s["price"].as_i64(),
            )
        })
        .collect();
    all.sort();
    all
}

async fn template_count(app: &TestApp, token: &str) -> usize {
    let (_, list) = get(app, "/api/v1/planogram-templates", token).await;
    list.as_array().unwrap().len()
}

#[tokio::test]
async fn fill_a_machines_planogram_saved_as_a_template_from_its_page_lists_the_same_slots() {
    let (app, token, _) = demo_with_staff().await;
    let id = machine_id(&app, &token, "VH-001").await;
    let (_, planogram) = get(&app, &format!("/api/v1/machines/{id}/planogram"), &token).await;
    let mut c = PanelClient::sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let p = c.get(&format!("/admin/machines/{id}?lang=en")).await;
    assert!(p.html.contains(&format!(
        "action=\"/admin/machines/{id}/planogram/save-as-template\""
    )));
    let saved = c
        .post(
            &format!("/admin/machines/{id}/planogram/save-as-template"),
            &[("name", "Office lobby")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    assert_eq!(saved.location.as_deref(), Some("/admin/planogram-templates"));
    let (_, list) = get(&app, "/api/v1/planogram-templates", &token).await;
    let made = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Office lobby")
        .unwrap();
    let (status, one) = get(
        &app,
        &format!("/api/v1/planogram-templates/{}", made["id"].as_str().unwrap()),
        &token,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert!(!slots(&planogram).is_empty());
    assert_eq!(slots(&one["slots"]), slots(&planogram));
    assert!(
        c.get("/admin/planogram-templates")
            .await
            .html
            .contains("Office lobby")
    );
    let again = c
        .post(
            &format!("/admin/machines/{id}/planogram/save-as-template"),
            &[("name", "  ")],
        )
        .await;
    assert!(again.status.is_client_error(), "{}", again.status);
}

#[tokio::test]
async fn fill_a_viewers_forged_template_post_is_refused_and_another_organizations_machine_is_not_found() {
    let (app, token, _) = demo_with_staff().await;
    let id = machine_id(&app, &token, "VH-001").await;
    let before = template_count(&app, &token).await;
    let mut v = viewer(&app, &token).await;
    let p = v.get(&format!("/admin/machines/{id}")).await;
    assert!(!p.html.contains("save-as-template"));
    let forged = v
        .post(
            &format!("/admin/machines/{id}/planogram/save-as-template"),
            &[("name", "Forged")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    other_organization(&app, "other-fleet", "Other-pass-123").await;
    let mut o = PanelClient::sign_in(&app, "owner@other-fleet.test", "Other-pass-123").await;
    let theirs = o
        .post(
            &format!("/admin/machines/{id}/planogram/save-as-template"),
            &[("name", "Stolen")],
        )
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert_eq!(template_count(&app, &token).await, before);
}

async fn warehouses(app: &TestApp, token: &str) -> Vec<Value> {
    let (_, list) = get(app, "/api/v1/warehouses", token).await;
    list.as_array().unwrap().clone()
}

/// The id of a warehouse that holds stock.
async fn stocked_warehouse(app: &TestApp, token: &str) -> String {
    for w in warehouses(app, token).await {
        let id = w["id"].as_str().unwrap().to_owned();
        let (_, b) = get(
            app,
            &format!("/api/v1/inventory/warehouse?warehouse_id={id}"),
            token,
        )
        .await;
        if b.as_array()
            .is_some_and(|b| b.iter().any(|x| x["quantity"].as_i64() > Some(0)))
        {
            return id;
        }
    }
    panic!("the demo has a stocked warehouse")
}

#[tokio::test]
async fn fill_a_warehouse_is_edited_and_an_empty_one_deleted_from_its_page_a_stocked_one_is_refused() {
    let (app, token, _) = demo_with_staff().await;
    let stocked = stocked_warehouse(&app, &token).await;
    let mut c = PanelClient::sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let p = c.get(&format!("/admin/stock/warehouses/{stocked}?lang=en")).await;
    assert!(
        p.html
            .contains(&format!("action=\"/admin/stock/warehouses/{stocked}/delete\""))
    );
    assert!(p.html.contains("data-confirm="));
    let edited = c
        .post(
            &format!("/admin/stock/warehouses/{stocked}"),
            &[("name", "North depot"), ("address", "Chilonzor 5")],
        )
        .await;
    assert_eq!(edited.status, StatusCode::SEE_OTHER, "{}", edited.html);
    let (_, w) = get(&app, &format!("/api/v1/warehouses/{stocked}"), &token).await;
    assert_eq!(
        (w["name"].as_str(), w["address"].as_str()),
        (Some("North depot"), Some("Chilonzor 5"))
    );
    let bad = c
        .post(
            &format!("/admin/stock/warehouses/{stocked}"),
            &[("name", ""), ("address", "")],
        )
        .await;
    assert!(
        bad.status.is_client_error() && bad.html.contains("name"),
        "{}",
        bad.status
    );
    let refused = c
        .post(&format!("/admin/stock/warehouses/{stocked}/delete"), &[])
        .await;
    assert!(refused.status.is_client_error(), "{}", refused.status);
    assert!(refused.html.contains("still holds"), "{}", refused.html);
    assert_eq!(
        get(&app, &format!("/api/v1/warehouses/{stocked}"), &token)
            .await
            .0,
        StatusCode::OK
    );
    let made = c
        .post("/admin/stock/warehouses", &[("name", "Spare"), ("address", "")])
        .await;
    let spare = made.location.unwrap().rsplit('/').next().unwrap().to_owned();
    let gone = c
        .post(&format!("/admin/stock/warehouses/{spare}/delete"), &[])
        .await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER, "{}", gone.html);
    assert_eq!(
        get(&app, &format!("/api/v1/warehouses/{spare}"), &token).await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn fill_a_viewers_forged_warehouse_posts_are_refused_and_another_organizations_is_not_found() {
    let (app, token, _) = demo_with_staff().await;
    let w = warehouses(&app, &token).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut v = viewer(&app, &token).await;
    let p = v.get(&format!("/admin/stock/warehouses/{w}")).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(!p.html.contains("/delete\""));
    let edit = v
        .post(
            &format!("/admin/stock/warehouses/{w}"),
            &[("name", "Forged"), ("address", "")],
        )
        .await;
    assert_eq!(edit.status, StatusCode::FORBIDDEN);
    let del = v.post(&format!("/admin/stock/warehouses/{w}/delete"), &[]).await;
    assert_eq!(del.status, StatusCode::FORBIDDEN);
    other_organization(&app, "other-stock", "Other-pass-123").await;
    let mut o = PanelClient::sign_in(&app, "owner@other-stock.test", "Other-pass-123").await;
    let theirs = o.post(&format!("/admin/stock/warehouses/{w}/delete"), &[]).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert_eq!(
        get(&app, &format!("/api/v1/warehouses/{w}"), &token).await.0,
        StatusCode::OK
    );
    assert_ne!(warehouses(&app, &token).await[0]["name"], "Forged");
}

#[tokio::test]
async fn fill_an_operator_sees_only_the_machines_they_serve() {
    let (app, token, staff_password) = demo_with_staff().await;
    let (_, users) = get(&app, "/api/v1/users?limit=100", &token).await;
    let me = users["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "operator1@demo.vendhub.uz")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, mine) = get(
        &app,
        &format!("/api/v1/machines?operator_id={me}&limit=100"),
        &token,
    )
    .await;
    let (_, all) = get(&app, "/api/v1/machines?limit=100", &token).await;
    let numbers = |v: &Value| -> Vec<String> {
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["number"].as_str().unwrap().to_owned())
            .collect()
    };
    let (mine, all) = (numbers(&mine), numbers(&all));
    assert!(!mine.is_empty() && mine.len() < all.len(), "{mine:?} of {all:?}");
    let mut c = PanelClient::sign_in(&app, "operator1@demo.vendhub.uz", &staff_password).await;
    for path in [
        "/admin/machines?lang=en&limit=100",
        "/admin/machines?limit=100&operator_id=",
    ] {
        let p = c.get(path).await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.html);
        let shown: Vec<&String> = all
            .iter()
            .filter(|n| p.html.contains(&format!("data-machine=\"{n}\"")))
            .collect();
        assert_eq!(shown, mine.iter().collect::<Vec<_>>(), "{path}");
        assert!(!p.html.contains("name=\"operator_id\""));
    }
    // Another operator's id in the address does not widen or change the list.
    let other = users["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "operator2@demo.vendhub.uz")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let p = c
        .get(&format!("/admin/machines?limit=100&operator_id={other}"))
        .await;
    let shown = all
        .iter()
        .filter(|n| p.html.contains(&format!("data-machine=\"{n}\"")))
        .count();
    assert_eq!(shown, mine.len());
}

#[tokio::test]
async fn fill_the_api_saves_a_machines_planogram_as_a_template_like_the_page_does() {
    let (app, owner, _) = demo_with_staff().await;
    let machine = machine_id(&app, &owner, "VH-001").await;
    let (status, saved) = post(
        &app,
        &format!("/api/v1/machines/{machine}/planogram/template"),
        &owner,
        json!({ "name": "From the API" }),
    )
    .await;
    assert_eq!(status, 201, "{saved}");
    let (_, planogram) = get(&app, &format!("/api/v1/machines/{machine}/planogram"), &owner).await;
    assert_eq!(
        saved["slots"].as_array().unwrap().len(),
        planogram.as_array().unwrap().len(),
        "{saved} {planogram}"
    );
    let (again, _) = post(
        &app,
        &format!("/api/v1/machines/{machine}/planogram/template"),
        &owner,
        json!({ "name": "From the API" }),
    )
    .await;
    assert_eq!(again, 409, "a name is taken once");
    let (_, other) = other_organization(&app, "tpl-other", "tpl-other-pass-2026").await;
    let (status, _) = post(
        &app,
        &format!("/api/v1/machines/{machine}/planogram/template"),
        &other,
        json!({ "name": "Stolen" }),
    )
    .await;
    assert_eq!(status, 404);
}
