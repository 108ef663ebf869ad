//! Whole flows in the browser: a manager builds a machine and its planogram and plans a refill; the
//! operator, on a phone-sized window, starts it, takes the before and after photos and completes it; the
//! machine page then shows the new fill, and a gateway event changes its status on the open page without
//! a reload. A viewer sees no write control and a forged form post is refused.

use std::time::Duration;

use fantoccini::Locator;
use reqwest::Method;
use serde_json::json;
use vendhub_testkit::TestApp;
use vendhub_testkit::api::{TINY_PNG, call, demo_with_staff, get, post};

use super::Browser;

const MANAGER: &str = "manager@demo.vendhub.uz";
const OPERATOR1: &str = "operator1@demo.vendhub.uz";

async fn user_id(app: &TestApp, owner: &str, email: &str) -> String {
    let (_, users) = get(app, "/api/v1/users?limit=100", owner).await;
    users["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == email)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Chooses `value` in the `<select name=…>` inside `scope`.
async fn choose(b: &Browser, scope: &str, name: &str, value: &str) {
    b.find(&format!("{scope} select[name=\"{name}\"]"))
        .await
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("{name} = {value}: {e}"));
}

/// The `value` of the fill meter of slot `code` on a machine page.
async fn slot_fill(b: &Browser, code: &str) -> String {
    b.find(&format!("[data-slot=\"{code}\"] meter"))
        .await
        .attr("value")
        .await
        .unwrap()
        .unwrap_or_default()
}

#[tokio::test]
#[expect(
    clippy::too_many_lines,
    reason = "one story across two people and two screens"
)]
async fn a_machine_built_in_the_panel_is_refilled_from_a_phone_and_its_page_follows_live() {
    let (app, owner, staff) = demo_with_staff().await;
    let op1 = user_id(&app, &owner, OPERATOR1).await;
    let (_, products) = get(&app, "/api/v1/products?limit=1", &owner).await;
    let product = products["data"][0]["id"].as_str().unwrap().to_owned();
    // The operator carries three of the product.
    let (_, warehouses) = get(&app, "/api/v1/warehouses", &owner).await;
    let warehouse = warehouses[0]["id"].as_str().unwrap();
    let (status, body) = post(
        &app,
        "/api/v1/inventory/transfers",
        &owner,
        json!({ "product_id": product, "from": format!("warehouse:{warehouse}"),
            "to": format!("operator:{op1}"), "quantity": 3 }),
    )
    .await;
    assert_eq!(status, 201, "{body}");

    // The manager creates the machine and its planogram.
    let desk = Browser::start(&app.url(""), 1280, 900).await;
    desk.sign_in(MANAGER, &staff).await;
    desk.goto("/admin/machines/new?lang=en").await;
    desk.fill("number", "VH-900").await;
    desk.fill("name", "Lobby, building 9").await;
    choose(&desk, "form[data-testid=machine-form]", "machine_type", "snack").await;
    desk.click("[data-testid=machine-save]").await;
    let machine_status = desk.find("[data-testid=machine-status]").await;
    let machine = desk
        .path()
        .await
        .strip_prefix("/admin/machines/")
        .unwrap()
        .to_owned();
    assert!(!machine_status.text().await.unwrap().is_empty());
    desk.fill("slot", "A1").await;
    choose(&desk, "form[data-testid=add-slot]", "product_id", &product).await;
    desk.find("form[data-testid=add-slot] [name=capacity]")
        .await
        .send_keys("10")
        .await
        .unwrap();
    desk.find("form[data-testid=add-slot] [name=par_level]")
        .await
        .send_keys("8")
        .await
        .unwrap();
    desk.click("form[data-testid=add-slot] button[type=submit]").await;
    assert_eq!(slot_fill(&desk, "A1").await, "0");
    let (_, planogram) = get(&app, &format!("/api/v1/machines/{machine}/planogram"), &owner).await;
    assert!(planogram.to_string().contains("\"A1\""), "{planogram}");

    // … and a refill task for the operator, planned to three units.
    desk.goto("/admin/tasks/new").await;
    choose(&desk, "form[data-testid=new-task-form]", "task_type", "refill").await;
    choose(&desk, "form[data-testid=new-task-form]", "machine_id", &machine).await;
    choose(&desk, "form[data-testid=new-task-form]", "assignee_id", &op1).await;
    desk.click("form[data-testid=new-task-form] button[type=submit]")
        .await;
    desk.find("[data-testid=task-summary]").await;
    let task = desk
        .path()
        .await
        .strip_prefix("/admin/tasks/")
        .unwrap()
        .to_owned();
    let planned = desk
        .find("form[data-testid=items-form] input[name=planned_qty]")
        .await;
    planned.clear().await.unwrap();
    planned.send_keys("3").await.unwrap();
    desk.click("form[data-testid=items-form] button[type=submit]")
        .await;
    desk.find("[data-testid=task-items]").await;
    desk.goto("/admin/tasks").await;
    desk.screenshot("tasks-board").await;

    // The operator, on a phone.
    let phone = Browser::start(&app.url(""), 390, 844).await;
    phone.sign_in(OPERATOR1, &staff).await;
    phone.goto(&format!("/admin/tasks/{task}?lang=en")).await;
    phone.find("[data-testid=task-items]").await;
    phone.click("[data-testid=start]").await;
    phone
        .wait_for_text("[data-testid=task-status]", "In progress")
        .await;
    let dir = tempfile::tempdir().unwrap();
    for category in ["before", "after"] {
        let file = dir.path().join(format!("{category}.png"));
        std::fs::write(&file, TINY_PNG).unwrap();
        choose(&phone, "form[data-testid=photo-form]", "category", category).await;
        phone
            .find("form[data-testid=photo-form] input[type=file]")
            .await
            .send_keys(&file.display().to_string())
            .await
            .unwrap();
        phone
            .click("form[data-testid=photo-form] button[type=submit]")
            .await;
        phone.find("[data-testid=task-photos] img").await;
    }
    assert_eq!(
        phone
            .client
            .find_all(Locator::Css("[data-testid=task-photos] img"))
            .await
            .unwrap()
            .len(),
        2
    );
    phone.screenshot("task-phone").await;
    phone.click("[data-testid=complete]").await;
    phone
        .wait_for_text("[data-testid=task-status]", "Completed")
        .await;
    let (_, done) = get(&app, &format!("/api/v1/tasks/{task}"), &owner).await;
    assert_eq!(done["status"], "completed", "{done}");

    // The machine page shows the new fill, and follows a status change live.
    desk.goto(&format!("/admin/machines/{machine}?lang=en")).await;
    assert_eq!(slot_fill(&desk, "A1").await, "3");
    desk.screenshot("machine").await;
    phone.goto(&format!("/admin/machines/{machine}")).await;
    phone.screenshot("machine-phone").await;
    // Wait until the page's socket is subscribed, then let the machine report an error.
    desk.client
        .wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css("body[data-live=connected]"))
        .await
        .unwrap();
    let (status, key) = call(
        &app,
        Method::POST,
        &format!("/api/v1/machines/{machine}/api-keys"),
        &owner,
        Some(json!({ "label": "box" })),
    )
    .await;
    assert_eq!(status, 201, "{key}");
    let sent = app
        .client
        .post(app.url("/api/v1/gateway/events"))
        .header("X-Api-Key", key["key"].as_str().unwrap())
        .json(&json!({ "machine_id": machine, "events": [
            { "type": "error", "id": "e-1", "code": "E42", "message": "coin jam" }
        ] }))
        .send()
        .await
        .unwrap();
    assert!(sent.status().is_success(), "{}", sent.text().await.unwrap());
    desk.client
        .wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css("[data-testid=machine-status][data-status=error]"))
        .await
        .unwrap_or_else(|e| panic!("the open page did not follow the status: {e}"));
    assert_eq!(
        desk.path().await,
        format!("/admin/machines/{machine}"),
        "no reload"
    );
    phone.close().await;
    desk.close().await;
}

#[tokio::test]
async fn a_viewer_sees_no_write_control_and_a_forged_post_from_their_page_is_refused() {
    let (app, owner, _) = demo_with_staff().await;
    let password = "Quiet-harbor-2026";
    let (status, body) = post(
        &app,
        "/api/v1/users",
        &owner,
        json!({ "email": "viewer@panel.test", "full_name": "Viewer", "password": password, "role": "viewer" }),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let (_, machines) = get(&app, "/api/v1/machines?limit=1", &owner).await;
    let machine = machines["data"][0]["id"].as_str().unwrap().to_owned();

    let b = Browser::start(&app.url(""), 1280, 900).await;
    b.sign_in("viewer@panel.test", password).await;
    for path in [
        "/admin",
        "/admin/machines",
        &format!("/admin/machines/{machine}"),
        "/admin/stock",
    ] {
        b.goto(path).await;
        b.find("main.content h1").await;
        let forms = b
            .client
            .find_all(Locator::Css("main form[method=post]"))
            .await
            .unwrap();
        assert!(
            forms.is_empty(),
            "{path} shows a viewer {} write forms",
            forms.len()
        );
    }
    b.screenshot("viewer-machine").await;
    // A form planted into the viewer's page (what a forged page would send, with the viewer's own
    // token) is refused by the server.
    b.goto(&format!("/admin/machines/{machine}")).await;
    b.client
        .execute(
            "const f = document.createElement('form'); f.method = 'post';
             f.action = '/admin/machines/' + arguments[0] + '/keys';
             const t = document.createElement('input'); t.name = '_csrf';
             t.value = document.querySelector('meta[name=csrf-token]').content; f.appendChild(t);
             document.body.appendChild(f); f.submit(); return true;",
            vec![json!(machine)],
        )
        .await
        .unwrap();
    b.find(".error-box[data-status='403']").await;
    let (_, keys) = get(&app, &format!("/api/v1/machines/{machine}/api-keys"), &owner).await;
    assert_eq!(keys.as_array().unwrap().len(), 0, "no key was made: {keys}");
    b.close().await;
}
