//! Automation and planning: refill tasks for low machines, escalation of overdue tasks, and the pre-kit of a day.

use serde_json::{Value, json};
use vendhub_testkit::api::{get, post};

use super::{create, field, machine};

#[tokio::test]
async fn automation_creates_one_refill_task_per_low_machine_and_escalates_overdue_tasks_once() {
    use vendhub_app::tasks::automation;
    let f = field().await;
    let (_, before) = get(
        &f.app,
        "/api/v1/tasks?task_type=refill&open=true&limit=100",
        &f.owner,
    )
    .await;
    let created = automation::create_refill_tasks(&f.app.app).await.unwrap();
    assert!(created >= 1, "the demo fleet has low slots: {before}");
    assert_eq!(
        automation::create_refill_tasks(&f.app.app).await.unwrap(),
        0,
        "a second run adds nothing"
    );
    let (_, open) = get(
        &f.app,
        "/api/v1/tasks?task_type=refill&open=true&limit=100",
        &f.owner,
    )
    .await;
    let mut machines: Vec<&str> = open["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["machine_id"].as_str().unwrap())
        .collect();
    let n = machines.len();
    machines.sort_unstable();
    machines.dedup();
    assert_eq!(
        machines.len(),
        n,
        "at most one open refill task per machine: {open}"
    );
    let auto = open["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["title"].as_str().unwrap().contains("low stock"))
        .unwrap();
    assert!(!auto["id"].as_str().unwrap().is_empty());
    let (_, full) = get(
        &f.app,
        &format!("/api/v1/tasks/{}", auto["id"].as_str().unwrap()),
        &f.owner,
    )
    .await;
    assert!(
        full["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["planned_qty"].as_i64().unwrap() > 0),
        "{full}"
    );

    let (mid, _) = machine(&f, "VH-010").await;
    let late = create(
        &f,
        json!({ "task_type": "repair", "machine_id": mid, "priority": "low",
        "due_at": (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339() }),
    )
    .await;
    assert!(automation::escalate_overdue(&f.app.app).await.unwrap() >= 1);
    assert_eq!(
        automation::escalate_overdue(&f.app.app).await.unwrap(),
        0,
        "escalated once"
    );
    let (_, t) = get(
        &f.app,
        &format!("/api/v1/tasks/{}", late["id"].as_str().unwrap()),
        &f.owner,
    )
    .await;
    assert_eq!(t["priority"], "normal");
}

/// The pre-kit of a day's route: the machines with an open refill task due that day.
#[tokio::test]
async fn the_prekit_of_a_day_kits_the_machines_with_refills_due_that_day() {
    let f = field().await;
    let mut ids = Vec::new();
    for (number, op, due) in [
        ("VH-011", &f.op1.0, "2031-05-04T09:00:00Z"),
        ("VH-012", &f.op2.0, "2031-05-04T15:00:00Z"),
        ("VH-013", &f.op1.0, "2031-05-05T09:00:00Z"),
        ("VH-014", &f.op1.0, "2031-05-04T10:00:00Z"),
    ] {
        let (mid, _) = machine(&f, number).await;
        let t = create(
            &f,
            json!({ "task_type": "refill", "machine_id": mid, "assignee_id": op, "due_at": due }),
        )
        .await;
        ids.push((mid, t["id"].as_str().unwrap().to_owned()));
    }
    let (status, body) = post(
        &f.app,
        &format!("/api/v1/tasks/{}/cancel", ids[3].1),
        &f.owner,
        json!({ "reason": "machine removed" }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let kitted = |kit: &Value| {
        let mut m: Vec<String> = kit["machines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["machine_id"].as_str().unwrap().to_owned())
            .collect();
        m.sort();
        m
    };
    let (status, kit) = get(&f.app, "/api/v1/inventory/prekit?date=2031-05-04", &f.owner).await;
    assert_eq!(status, 200, "{kit}");
    let mut day = vec![ids[0].0.clone(), ids[1].0.clone()];
    day.sort();
    assert_eq!(
        kitted(&kit),
        day,
        "open refills due that day, not the cancelled one"
    );
    let (_, kit) = get(
        &f.app,
        &format!("/api/v1/inventory/prekit?date=2031-05-04&operator_id={}", f.op1.0),
        &f.owner,
    )
    .await;
    assert_eq!(kitted(&kit), vec![ids[0].0.clone()], "one operator's day");
    let (status, problem) = get(&f.app, "/api/v1/inventory/prekit?date=2031-13-01", &f.owner).await;
    assert_eq!(status, 400, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "date");
}
