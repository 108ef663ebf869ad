//! The tasks pages: a manager creates, assigns and plans a refill; the operator starts it, takes the
//! before and after photos and completes it (stock moves into the slot); the photo's file is served to
//! the organization only; a manager rejects with a reason; a viewer gets no control and a forged post is
//! refused.

use reqwest::StatusCode;
use serde_json::{Value, json};
use vendhub_testkit::TestApp;
use vendhub_testkit::api::{TINY_PNG, demo_with_staff, get, machine_id, other_organization, post};
use vendhub_testkit::panel::{PanelClient, viewer};

pub(crate) const MANAGER: &str = "manager@demo.vendhub.uz";
pub(crate) const OPERATOR1: &str = "operator1@demo.vendhub.uz";
pub(crate) const OPERATOR2: &str = "operator2@demo.vendhub.uz";

/// The id of the member with this e-mail.
pub(crate) async fn user_id(app: &TestApp, owner: &str, email: &str) -> String {
    let (_, users) = get(app, "/api/v1/users?limit=100", owner).await;
    users["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == email)
        .unwrap_or_else(|| panic!("{email} in {users}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The task id a creation redirected to.
fn created_id(location: Option<&str>) -> String {
    location
        .and_then(|l| l.strip_prefix("/admin/tasks/"))
        .unwrap_or_else(|| panic!("redirect to the task: {location:?}"))
        .to_owned()
}

async fn slot_qty(app: &TestApp, owner: &str, machine: &str, slot: &str) -> i64 {
    let (_, inv) = get(app, &format!("/api/v1/machines/{machine}/inventory"), owner).await;
    inv.as_array()
        .unwrap()
        .iter()
        .find(|s| s["slot"] == slot)
        .unwrap()["quantity"]
        .as_i64()
        .unwrap()
}

async fn task(app: &TestApp, owner: &str, id: &str) -> Value {
    let (status, t) = get(app, &format!("/api/v1/tasks/{id}"), owner).await;
    assert_eq!(status, 200, "{t}");
    t
}

#[tokio::test]
#[expect(
    clippy::too_many_lines,
    reason = "one refill's story through the pages, step by step"
)]
async fn a_refill_is_created_planned_worked_from_a_phone_completed_and_rejected_through_the_pages() {
    let (app, owner, staff) = demo_with_staff().await;
    let op1 = user_id(&app, &owner, OPERATOR1).await;
    let machine = machine_id(&app, &owner, "VH-002").await;
    let (_, inv) = get(&app, &format!("/api/v1/machines/{machine}/inventory"), &owner).await;
    let slot = inv
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["capacity"].as_i64().unwrap() - s["quantity"].as_i64().unwrap() >= 2)
        .unwrap()
        .clone();
    let (code, product) = (
        slot["slot"].as_str().unwrap().to_owned(),
        slot["product_id"].as_str().unwrap().to_owned(),
    );
    let before_qty = slot["quantity"].as_i64().unwrap();
    // The operator carries the goods.
    let (_, warehouses) = get(&app, "/api/v1/warehouses", &owner).await;
    let warehouse = warehouses[0]["id"].as_str().unwrap();
    let (status, body) = post(
        &app,
        "/api/v1/inventory/transfers",
        &owner,
        json!({ "product_id": product, "from": format!("warehouse:{warehouse}"),
            "to": format!("operator:{op1}"), "quantity": 2 }),
    )
    .await;
    assert_eq!(status, 201, "{body}");

    // The manager creates and assigns it through the form, then plans the slot.
    let mut manager = PanelClient::sign_in(&app, MANAGER, &staff).await;
    let form = manager.get("/admin/tasks/new?lang=en").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.html.contains("name=\"machine_id\"") && form.html.contains(&op1),
        "{}",
        form.html
    );
    let a = manager
        .post(
            "/admin/tasks",
            &[
                ("task_type", "refill"),
                ("machine_id", &machine),
                ("assignee_id", &op1),
                ("priority", "high"),
                ("due_at", "2031-05-01T14:30"),
                ("checklist", "Wipe the glass\nCheck the coin box"),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.html);
    let id = created_id(a.location.as_deref());
    let (_, listed) = get(&app, "/api/v1/tasks?task_type=refill", &owner).await;
    let row = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id.as_str())
        .unwrap_or_else(|| panic!("the API lists the task: {listed}"))
        .clone();
    assert_eq!(
        (
            row["status"].as_str(),
            row["assignee_id"].as_str(),
            row["priority"].as_str()
        ),
        (Some("assigned"), Some(op1.as_str()), Some("high"))
    );
    let page = manager.get(&format!("/admin/tasks/{id}?lang=en")).await;
    assert!(page.html.contains("data-testid=\"items-form\""), "{}", page.html);
    let a = manager
        .post(
            &format!("/admin/tasks/{id}/items"),
            &[("slot", &code), ("product_id", &product), ("planned_qty", "2")],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.html);
    let t = task(&app, &owner, &id).await;
    assert_eq!(t["items"][0]["planned_qty"], 2, "{t}");
    assert_eq!(t["checklist"].as_array().unwrap().len(), 2);
    let board = manager.get("/admin/tasks?lang=en").await;
    assert!(board.html.contains("class=\"kanban\"") && board.html.contains(t["number"].as_str().unwrap()));
    let list = manager
        .get("/admin/tasks?view=list&status=assigned&task_type=refill")
        .await;
    assert!(list.html.contains(t["number"].as_str().unwrap()), "{}", list.html);
    let none = manager.get("/admin/tasks?view=list&status=completed").await;
    assert!(!none.html.contains(t["number"].as_str().unwrap()));
    assert_eq!(
        manager.get("/admin/tasks?status=nonsense").await.status,
        StatusCode::BAD_REQUEST
    );

    // Another operator does not see it on their board.
    let mut op2 = PanelClient::sign_in(&app, OPERATOR2, &staff).await;
    assert!(
        !op2.get("/admin/tasks")
            .await
            .html
            .contains(t["number"].as_str().unwrap())
    );

    // The operator, from a phone: the slots to fill, start, two photos, complete.
    let mut op = PanelClient::sign_in(&app, OPERATOR1, &staff).await;
    let mine = op.get("/admin/tasks?lang=en").await;
    assert!(mine.html.contains(t["number"].as_str().unwrap()), "{}", mine.html);
    assert!(!mine.html.contains("/admin/tasks/new"));
    let page = op.get(&format!("/admin/tasks/{id}?lang=en")).await;
    assert!(
        page.html.contains("Slots to fill") && page.html.contains(&code),
        "{}",
        page.html
    );
    assert!(page.html.contains("data-testid=\"start\"") && !page.html.contains("items-form"));
    let a = op.post(&format!("/admin/tasks/{id}/start"), &[]).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.html);
    let page = op.get(&format!("/admin/tasks/{id}?lang=en")).await;
    assert!(
        page.html.contains("capture=\"environment\"")
            && page.html.contains("enctype=\"multipart/form-data\""),
        "{}",
        page.html
    );
    // Completing without the photos is refused, naming them.
    let refused = op.post(&format!("/admin/tasks/{id}/complete"), &[]).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.html
    );
    // Not an image.
    let bad = op
        .post_multipart(
            &format!("/admin/tasks/{id}/photos"),
            &[("category", "before")],
            &[("file", "x.svg", "image/svg+xml", b"<svg onload=alert(1)>")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    for category in ["before", "after"] {
        let a = op
            .post_multipart(
                &format!("/admin/tasks/{id}/photos"),
                &[("category", category)],
                &[("file", "p.png", "image/png", TINY_PNG)],
            )
            .await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{category}: {}", a.html);
    }
    let item = t["items"][0]["id"].as_str().unwrap();
    let a = op
        .post(
            &format!("/admin/tasks/{id}/complete"),
            &[("item_id", item), ("actual_qty", "2")],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.html);
    let done = task(&app, &owner, &id).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["items"][0]["actual_qty"], 2);
    assert_eq!(slot_qty(&app, &owner, &machine, &code).await, before_qty + 2);

    // The photo's file: to the organization (API and page), not to another one.
    let photo = done["photos"][0]["id"].as_str().unwrap();
    let res = app
        .client
        .get(app.url(&format!("/api/v1/tasks/{id}/photos/{photo}/file")))
        .bearer_auth(&owner)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/png");
    assert_eq!(res.bytes().await.unwrap().as_ref(), TINY_PNG);
    let page = op.get(&format!("/admin/tasks/{id}")).await;
    assert!(page.html.contains(&format!("/admin/tasks/{id}/photos/{photo}")));
    let res = op
        .http
        .get(app.url(&format!("/admin/tasks/{id}/photos/{photo}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().as_ref(), TINY_PNG);
    let (_, stranger) = other_organization(&app, "tasks-other", "other-org-pass-2026").await;
    let res = app
        .client
        .get(app.url(&format!("/api/v1/tasks/{id}/photos/{photo}/file")))
        .bearer_auth(&stranger)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let mut other = PanelClient::sign_in(&app, "owner@tasks-other.test", "other-org-pass-2026").await;
    assert_eq!(
        other
            .get(&format!("/admin/tasks/{id}/photos/{photo}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other.get(&format!("/admin/tasks/{id}")).await.status,
        StatusCode::NOT_FOUND
    );

    // The operator may not reject; the manager rejects with a reason and the stock goes back.
    let page = op.get(&format!("/admin/tasks/{id}")).await;
    assert!(!page.html.contains("reject-form"));
    assert_eq!(
        op.post(&format!("/admin/tasks/{id}/reject"), &[("reason", "x")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let page = manager.get(&format!("/admin/tasks/{id}")).await;
    assert!(page.html.contains("reject-form"), "{}", page.html);
    let a = manager
        .post(
            &format!("/admin/tasks/{id}/reject"),
            &[("reason", "Wrong slot photographed")],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.html);
    let rejected = task(&app, &owner, &id).await;
    assert_eq!(
        (rejected["status"].as_str(), rejected["status_reason"].as_str()),
        (Some("rejected"), Some("Wrong slot photographed"))
    );
    assert_eq!(slot_qty(&app, &owner, &machine, &code).await, before_qty);
    let page = manager.get(&format!("/admin/tasks/{id}")).await;
    assert!(page.html.contains("Wrong slot photographed"));
}

#[tokio::test]
async fn a_viewer_sees_no_control_and_forged_or_tokenless_posts_are_refused() {
    let (app, owner, staff) = demo_with_staff().await;
    let machine = machine_id(&app, &owner, "VH-003").await;
    let op1 = user_id(&app, &owner, OPERATOR1).await;
    let (status, t) = post(
        &app,
        "/api/v1/tasks",
        &owner,
        json!({ "task_type": "cleaning", "machine_id": machine, "assignee_id": op1 }),
    )
    .await;
    assert_eq!(status, 201, "{t}");
    let id = t["id"].as_str().unwrap();
    let mut v = viewer(&app, &owner).await;
    let board = v.get("/admin/tasks").await;
    assert_eq!(board.status, StatusCode::OK);
    assert!(board.html.contains(t["number"].as_str().unwrap()));
    assert!(!board.html.contains("/admin/tasks/new"));
    let page = v.get(&format!("/admin/tasks/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        !page.html.contains("task-actions") && !page.html.contains("method=\"post\" action=\"/admin/tasks")
    );
    assert_eq!(v.get("/admin/tasks/new").await.status, StatusCode::FORBIDDEN);
    for (path, fields) in [
        (format!("/admin/tasks/{id}/start"), vec![]),
        (
            format!("/admin/tasks/{id}/assign"),
            vec![("assignee_id", op1.as_str())],
        ),
        (format!("/admin/tasks/{id}/cancel"), vec![]),
        (
            "/admin/tasks".to_owned(),
            vec![("task_type", "repair"), ("machine_id", machine.as_str())],
        ),
    ] {
        assert_eq!(
            v.post(&path, &fields).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    // A manager's form without the CSRF token.
    let mut manager = PanelClient::sign_in(&app, MANAGER, &staff).await;
    let a = manager
        .post_raw(&format!("/admin/tasks/{id}/cancel"), &[("reason", "forged")])
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let a = manager
        .post_raw(
            "/admin/tasks",
            &[("task_type", "repair"), ("machine_id", &machine)],
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert_eq!(task_status(&app, &owner, id).await, "assigned");
    // Bad input is a page naming the field; another organization's task is not found.
    let a = manager
        .post(
            "/admin/tasks",
            &[("task_type", "teleport"), ("machine_id", &machine)],
        )
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.html.contains("task_type"), "{}", a.html);
    assert_eq!(
        manager.get("/admin/tasks/not-a-task").await.status,
        StatusCode::NOT_FOUND
    );
    let (_, stranger) = other_organization(&app, "tasks-viewer-other", "other-org-pass-2026").await;
    let (status, _) = get(&app, &format!("/api/v1/tasks/{id}"), &stranger).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn task_status(app: &TestApp, owner: &str, id: &str) -> String {
    task(app, owner, id).await["status"].as_str().unwrap().to_owned()
}
