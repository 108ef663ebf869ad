//! The collections page: an operator enters the counted cash on a collection task, a reviewer sees
//! expected against counted and over/short per machine and operator, and confirms.

use reqwest::StatusCode;
use serde_json::json;
use vendhub_testkit::api::{demo_with_staff, get, machine_id, post};
use vendhub_testkit::panel::PanelClient;

use crate::tasks::{MANAGER, OPERATOR1, user_id};
use vendhub_testkit::panel::viewer;

#[tokio::test]
#[expect(clippy::too_many_lines, reason = "one collection's story through the pages")]
async fn an_operator_enters_the_cash_and_a_manager_confirms_it_on_the_collections_page() {
    let (app, owner, staff) = demo_with_staff().await;
    let machine = machine_id(&app, &owner, "VH-007").await;
    let op1 = user_id(&app, &owner, OPERATOR1).await;
    let (status, t) = post(
        &app,
        "/api/v1/tasks",
        &owner,
        json!({ "task_type": "collection", "machine_id": machine, "assignee_id": op1, "requires_photos": false }),
    )
    .await;
    assert_eq!(status, 201, "{t}");
    let id = t["id"].as_str().unwrap();

    // The operator's collections page leads to the task; the cash is entered there.
    let mut op = PanelClient::sign_in(&app, OPERATOR1, &staff).await;
    let mine = op.get("/admin/collections?lang=en").await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.html.contains(&format!("/admin/tasks/{id}")), "{}", mine.html);
    assert_eq!(
        op.post(&format!("/admin/tasks/{id}/start"), &[]).await.status,
        StatusCode::SEE_OTHER
    );
    let page = op.get(&format!("/admin/tasks/{id}?lang=en")).await;
    assert!(
        page.html.contains("name=\"counted\"") && !page.html.contains("photo-form"),
        "{}",
        page.html
    );
    let bad = op
        .post(&format!("/admin/tasks/{id}/complete"), &[("counted", "lots")])
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.html.contains("counted"));
    let a = op
        .post(
            &format!("/admin/tasks/{id}/complete"),
            &[("counted", "150 000,50"), ("bag_number", "BAG-17")],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.html);
    // Only a reviewer confirms.
    let (_, list) = get(&app, "/api/v1/cash-collections", &owner).await;
    let c = list["data"][0].clone();
    assert_eq!(
        (c["counted"].as_i64(), c["bag_number"].as_str()),
        (Some(15_000_050), Some("BAG-17"))
    );
    let cid = c["id"].as_str().unwrap();
    assert_eq!(
        op.post(&format!("/admin/collections/{cid}/confirm"), &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // The manager: expected against counted, over/short, per machine and operator; confirm.
    let mut manager = PanelClient::sign_in(&app, MANAGER, &staff).await;
    let page = manager.get("/admin/collections?lang=en").await;
    assert_eq!(page.status, StatusCode::OK);
    for needle in [
        "Expected",
        "Over / short",
        "BAG-17",
        "by-machine",
        "by-operator",
        "data-testid=\"confirm\"",
    ] {
        assert!(page.html.contains(needle), "{needle}: {}", page.html);
    }
    assert!(page.html.contains("150,000.50"), "{}", page.html);
    let filtered = manager
        .get(&format!("/admin/collections?operator_id={op1}&confirmed=no"))
        .await;
    assert!(filtered.html.contains("BAG-17"));
    let a = manager
        .post(&format!("/admin/collections/{cid}/confirm"), &[])
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.html);
    let (_, list) = get(&app, "/api/v1/cash-collections", &owner).await;
    assert!(list["data"][0]["confirmed_at"].is_string(), "{list}");
    let page = manager.get("/admin/collections").await;
    assert!(!page.html.contains(&format!("/admin/collections/{cid}/confirm")));
    assert_eq!(
        manager
            .post(&format!("/admin/collections/{cid}/confirm"), &[])
            .await
            .status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        manager
            .post_raw(&format!("/admin/collections/{cid}/confirm"), &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        manager
            .post("/admin/collections/not-an-id/confirm", &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // A viewer neither reviews nor collects.
    let mut v = viewer(&app, &owner).await;
    assert_eq!(v.get("/admin/collections").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        v.post(&format!("/admin/collections/{cid}/confirm"), &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}
