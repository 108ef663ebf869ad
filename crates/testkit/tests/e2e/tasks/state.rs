//! The state table: who may take which step, illegal steps, unique task numbers, and the demo's tasks.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use vendhub_testkit::api::{call, get, post};

use super::{create, field, machine};

#[tokio::test]
#[expect(
    clippy::too_many_lines,
    reason = "one task's walk through the state table, step by step"
)]
async fn a_task_follows_the_state_table_and_illegal_steps_answer_409_with_the_state() {
    let f = field().await;
    let (mid, _) = machine(&f, "VH-001").await;
    let t = create(
        &f,
        json!({ "task_type": "cleaning", "machine_id": mid, "priority": "high", "checklist": ["Wipe", "Mop"] }),
    )
    .await;
    let id = t["id"].as_str().unwrap();
    assert_eq!(t["status"], "pending");
    assert!(t["number"].as_str().unwrap().starts_with("TASK-"), "{t}");
    assert_eq!(t["checklist"].as_array().unwrap().len(), 2);

    let (status, body) = post(&f.app, &format!("/api/v1/tasks/{id}/start"), &f.owner, json!({})).await;
    assert_eq!(status, 409, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("pending"), "{body}");

    let (status, body) = post(
        &f.app,
        &format!("/api/v1/tasks/{id}/assign"),
        &f.owner,
        json!({ "assignee_id": f.op1.0 }),
    )
    .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("assigned")),
        "{body}"
    );
    // Someone else's task: 403; an operator may not assign or cancel at all.
    let (status, _) = post(&f.app, &format!("/api/v1/tasks/{id}/start"), &f.op2.1, json!({})).await;
    assert_eq!(status, 403);
    let (status, _) = post(&f.app, &format!("/api/v1/tasks/{id}/cancel"), &f.op1.1, json!({})).await;
    assert_eq!(status, 403);

    let (status, body) = post(&f.app, &format!("/api/v1/tasks/{id}/start"), &f.op1.1, json!({})).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("in_progress")),
        "{body}"
    );
    let (status, _) = post(
        &f.app,
        &format!("/api/v1/tasks/{id}/postpone"),
        &f.op1.1,
        json!({ "reason": "" }),
    )
    .await;
    assert_eq!(status, 400);
    let (status, body) = post(
        &f.app,
        &format!("/api/v1/tasks/{id}/postpone"),
        &f.op1.1,
        json!({ "reason": "mall closed" }),
    )
    .await;
    assert_eq!(
        (body["status"].as_str(), body["status_reason"].as_str()),
        (Some("postponed"), Some("mall closed")),
        "{status} {body}"
    );
    let (status, body) = post(
        &f.app,
        &format!("/api/v1/tasks/{id}/reject"),
        &f.owner,
        json!({ "reason": "no" }),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("postponed"), "{body}");

    // Comments and checklist by the assignee.
    let (status, _) = post(
        &f.app,
        &format!("/api/v1/tasks/{id}/comments"),
        &f.op1.1,
        json!({ "body": "back tomorrow" }),
    )
    .await;
    assert_eq!(status, 201);
    let (status, _) = post(
        &f.app,
        &format!("/api/v1/tasks/{id}/comments"),
        &f.op2.1,
        json!({ "body": "me too" }),
    )
    .await;
    assert_eq!(status, 403);
    let (_, comments) = get(&f.app, &format!("/api/v1/tasks/{id}/comments"), &f.owner).await;
    assert_eq!(comments.as_array().unwrap().len(), 1);
    let (status, body) = call(
        &f.app,
        Method::PATCH,
        &format!("/api/v1/tasks/{id}/checklist"),
        &f.op1.1,
        Some(json!({ "checks": [{ "position": 1, "done": true }] })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["checklist"][0]["done"], true);

    let (status, body) = post(
        &f.app,
        &format!("/api/v1/tasks/{id}/cancel"),
        &f.owner,
        json!({ "reason": "moved" }),
    )
    .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("cancelled"))
    );
    for step in ["assign", "start", "complete", "postpone"] {
        let (status, _) = post(
            &f.app,
            &format!("/api/v1/tasks/{id}/{step}"),
            &f.owner,
            json!({ "assignee_id": f.op1.0, "reason": "x" }),
        )
        .await;
        assert_eq!(status, 409, "{step} after cancel");
    }

    // Lists: filters, "my" and the board.
    let t2 = create(
        &f,
        json!({ "task_type": "repair", "machine_id": mid, "assignee_id": f.op2.0 }),
    )
    .await;
    assert_eq!(t2["status"], "assigned");
    let seq = |t: &Value| {
        t["number"]
            .as_str()
            .unwrap()
            .rsplit('-')
            .next()
            .unwrap()
            .parse::<i64>()
            .unwrap()
    };
    assert_eq!(seq(&t2), seq(&t) + 1, "{t} {t2}");
    let (_, list) = get(
        &f.app,
        &format!("/api/v1/tasks?status=cancelled&machine_id={mid}"),
        &f.owner,
    )
    .await;
    assert_eq!(list["meta"]["total"], 1, "{list}");
    let (_, list) = get(
        &f.app,
        &format!("/api/v1/tasks?machine_id={mid}&task_type=repair&limit=1"),
        &f.owner,
    )
    .await;
    assert_eq!(list["data"][0]["id"], t2["id"]);
    let (status, _) = get(&f.app, "/api/v1/tasks?status=bogus", &f.owner).await;
    assert_eq!(status, 400);
    let (_, mine) = get(&f.app, "/api/v1/tasks/my", &f.op2.1).await;
    assert_eq!(mine["data"].as_array().unwrap().len(), 1);
    assert_eq!(mine["data"][0]["id"], t2["id"]);
    let (_, board) = get(&f.app, "/api/v1/tasks/kanban?mine=true", &f.op1.1).await;
    assert_eq!(
        (
            board["cancelled"].as_i64(),
            board["assigned"].as_i64(),
            board["completed"].as_i64()
        ),
        (Some(1), Some(0), Some(0)),
        "{board}"
    );
}

#[tokio::test]
async fn task_numbers_stay_unique_under_concurrent_creation() {
    let f = field().await;
    let (mid, _) = machine(&f, "VH-006").await;
    let body = json!({ "task_type": "inspection", "machine_id": mid });
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (client, url, token, body) = (
            f.app.client.clone(),
            f.app.url("/api/v1/tasks"),
            f.owner.clone(),
            body.clone(),
        );
        set.spawn(async move {
            let res = client
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            (res.status(), res.json::<Value>().await.unwrap())
        });
    }
    let mut numbers = Vec::new();
    while let Some(r) = set.join_next().await {
        let (status, t) = r.unwrap();
        assert_eq!(status, 201, "{t}");
        numbers.push(t["number"].as_str().unwrap().to_owned());
    }
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 8);
}

#[tokio::test]
async fn the_demo_has_tasks_in_every_state_with_photos_and_a_collection() {
    let f = field().await;
    let (_, board) = get(&f.app, "/api/v1/tasks/kanban", &f.owner).await;
    for state in [
        "pending",
        "assigned",
        "in_progress",
        "postponed",
        "completed",
        "cancelled",
        "rejected",
    ] {
        assert!(board[state].as_i64().unwrap() >= 1, "{state}: {board}");
    }
    let (_, done) = get(
        &f.app,
        "/api/v1/tasks?status=completed&task_type=refill",
        &f.owner,
    )
    .await;
    let id = done["data"][0]["id"].as_str().unwrap();
    let (_, task) = get(&f.app, &format!("/api/v1/tasks/{id}"), &f.owner).await;
    assert_eq!(task["photos"].as_array().unwrap().len(), 2, "{task}");
    let (_, moves) = get(
        &f.app,
        &format!("/api/v1/inventory/movements?reference_id={id}"),
        &f.owner,
    )
    .await;
    assert_eq!(
        moves["meta"]["total"], 2,
        "the demo refill went through the ledger"
    );
    assert!(f.app.data_dir().join("files/tasks").exists());
    let (_, cash) = get(&f.app, "/api/v1/cash-collections", &f.owner).await;
    assert_eq!(
        cash["meta"]["total"], 1,
        "the rejected task's collection does not count: {cash}"
    );
    // Seeding again adds nothing.
    vendhub_app::demo::seed(&f.app.app).await.unwrap();
    let (_, again) = get(&f.app, "/api/v1/tasks/kanban", &f.owner).await;
    assert_eq!(board, again);
}
