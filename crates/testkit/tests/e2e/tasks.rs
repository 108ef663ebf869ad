//! Field tasks through the API: the state table, who may act, photo proof, completion in one transaction
//! (refill stock, collection cash), rejection reversing it, and cash collections.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use vendhub_testkit::api::{TINY_PNG, call, get, login, machine_id, post, send_bytes, slot_list};
use vendhub_testkit::{OWNER_EMAIL, OWNER_PASSWORD, TestApp};

const PASSWORD: &str = "tasks-e2e-pass-2026";

/// The demo fleet, the owner's token, and two operators of our own: (id, token) each.
struct Field {
    app: TestApp,
    owner: String,
    op1: (String, String),
    op2: (String, String),
    warehouse: String,
}

async fn operator(app: &TestApp, owner: &str, email: &str) -> (String, String) {
    let (status, u) = post(
        app,
        "/api/v1/users",
        owner,
        json!({ "email": email, "full_name": "Field Operator", "password": PASSWORD, "role": "operator" }),
    )
    .await;
    assert_eq!(status, 201, "{u}");
    (
        u["id"].as_str().unwrap().to_owned(),
        login(app, email, PASSWORD).await,
    )
}

async fn field_on(app: TestApp) -> Field {
    vendhub_app::demo::seed(&app.app).await.unwrap();
    let owner = login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let op1 = operator(&app, &owner, "op1@tasks.test").await;
    let op2 = operator(&app, &owner, "op2@tasks.test").await;
    let (_, warehouses) = get(&app, "/api/v1/warehouses", &owner).await;
    let warehouse = warehouses[0]["id"].as_str().unwrap().to_owned();
    Field {
        app,
        owner,
        op1,
        op2,
        warehouse,
    }
}

async fn field() -> Field {
    field_on(TestApp::spawn().await).await
}

/// A machine's id and its slots `(code, product, quantity)` with stock.
async fn machine(f: &Field, number: &str) -> (String, Vec<(String, String, i64)>) {
    let id = machine_id(&f.app, &f.owner, number).await;
    let (_, inv) = get(&f.app, &format!("/api/v1/machines/{id}/inventory"), &f.owner).await;
    (id, slot_list(&inv))
}

async fn slot_qty(f: &Field, machine: &str, slot: &str) -> i64 {
    let (_, inv) = get(&f.app, &format!("/api/v1/machines/{machine}/inventory"), &f.owner).await;
    inv.as_array()
        .unwrap()
        .iter()
        .find(|s| s["slot"] == slot)
        .unwrap()["quantity"]
        .as_i64()
        .unwrap()
}

async fn operator_qty(f: &Field, operator: &str, product: &str) -> i64 {
    let (_, stock) = get(
        &f.app,
        &format!("/api/v1/inventory/operator?operator_id={operator}"),
        &f.owner,
    )
    .await;
    stock
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["product_id"] == product)
        .map_or(0, |b| b["quantity"].as_i64().unwrap())
}

/// Gives an operator `qty` of a product from the warehouse.
async fn stock_operator(f: &Field, operator: &str, product: &str, qty: i64) {
    let (status, body) = post(
        &f.app,
        "/api/v1/inventory/transfers",
        &f.owner,
        json!({ "product_id": product, "from": format!("warehouse:{}", f.warehouse),
            "to": format!("operator:{operator}"), "quantity": qty }),
    )
    .await;
    assert_eq!(status, 201, "{body}");
}

async fn create(f: &Field, body: Value) -> Value {
    let (status, t) = post(&f.app, "/api/v1/tasks", &f.owner, body).await;
    assert_eq!(status, 201, "{t}");
    t
}

/// A multipart photo upload.
async fn photo(f: &Field, token: &str, task: &str, category: &str, file: &[u8]) -> (StatusCode, Value) {
    let boundary = "vendhub-test-boundary";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"category\"\r\n\r\n{category}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"latitude\"\r\n\r\n41.31\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"longitude\"\r\n\r\n69.25\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.png\"\r\n\
             Content-Type: image/png\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    send_bytes(
        &f.app,
        Method::POST,
        &format!("/api/v1/tasks/{task}/photos"),
        token,
        &format!("multipart/form-data; boundary={boundary}"),
        body,
    )
    .await
}

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
#[expect(clippy::too_many_lines, reason = "one refill's story, step by step")]
async fn a_refill_needs_photo_proof_moves_stock_into_the_slots_and_a_rejection_reverses_it() {
    let f = field_on(TestApp::builder().env("MAX_FILE_SIZE", "4096").spawn().await).await;
    let mut events = f.app.app.bus().subscribe();
    let (mid, slots) = machine(&f, "VH-002").await;
    let (a, b) = (&slots[0], &slots[1]);
    let (room_a, room_b) = (12 - a.2, 12 - b.2);
    assert!(room_a >= 2 && room_b >= 2, "{slots:?}");
    stock_operator(&f, &f.op1.0, &a.1, 2).await;
    stock_operator(&f, &f.op1.0, &b.1, 2).await;
    let op_a = operator_qty(&f, &f.op1.0, &a.1).await;
    let t = create(
        &f,
        json!({ "task_type": "refill", "machine_id": mid, "assignee_id": f.op1.0,
            "items": [{ "product_id": a.1, "slot": a.0, "planned_qty": 2 }, { "product_id": b.1, "slot": b.0, "planned_qty": 2 }] }),
    )
    .await;
    let id = t["id"].as_str().unwrap().to_owned();
    assert_eq!(t["requires_photos"], true);
    // A photo before the start does not count as "before".
    assert_eq!(photo(&f, &f.op1.1, &id, "before", TINY_PNG).await.0, 201);
    assert_eq!(
        post(&f.app, &format!("/api/v1/tasks/{id}/start"), &f.op1.1, json!({}))
            .await
            .0,
        200
    );

    let (status, body) = post(
        &f.app,
        &format!("/api/v1/tasks/{id}/complete"),
        &f.op1.1,
        json!({}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let detail = body["detail"].as_str().unwrap();
    assert!(
        detail.contains("before photo") && detail.contains("after photo"),
        "{detail}"
    );

    let (status, body) = photo(&f, &f.op1.1, &id, "before", b"<svg onload=alert(1)>").await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (415, Some("unsupported_media_type"))
    );
    let mut big = TINY_PNG.to_vec();
    big.resize(5000, 0);
    assert_eq!(photo(&f, &f.op1.1, &id, "before", &big).await.0, 413);
    assert_eq!(photo(&f, &f.op2.1, &id, "before", TINY_PNG).await.0, 403);
    let (status, body) = photo(&f, &f.op1.1, &id, "before", TINY_PNG).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["latitude"], 41.31);
    let (status, body) = post(
        &f.app,
        &format!("/api/v1/tasks/{id}/complete"),
        &f.op1.1,
        json!({}),
    )
    .await;
    assert_eq!(status, 422);
    assert!(body["detail"].as_str().unwrap().contains("after photo"), "{body}");
    assert_eq!(photo(&f, &f.op1.1, &id, "after", TINY_PNG).await.0, 201);

    // The second item is only partly refilled.
    let items = t["items"].as_array().unwrap();
    let item_b = items.iter().find(|i| i["slot"] == b.0.as_str()).unwrap()["id"].clone();
    let (status, done) = post(
        &f.app,
        &format!("/api/v1/tasks/{id}/complete"),
        &f.op1.1,
        json!({ "items": [{ "item_id": item_b, "actual_qty": 1 }] }),
    )
    .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["status"], "completed");
    assert_eq!(done["photos"].as_array().unwrap().len(), 3);
    assert_eq!(slot_qty(&f, &mid, &a.0).await, a.2 + 2);
    assert_eq!(slot_qty(&f, &mid, &b.0).await, b.2 + 1);
    assert_eq!(operator_qty(&f, &f.op1.0, &a.1).await, op_a - 2);
    let (_, moves) = get(
        &f.app,
        &format!("/api/v1/inventory/movements?reference_id={id}"),
        &f.owner,
    )
    .await;
    assert_eq!(moves["meta"]["total"], 2, "{moves}");
    let (status, _) = post(
        &f.app,
        &format!("/api/v1/tasks/{id}/complete"),
        &f.op1.1,
        json!({}),
    )
    .await;
    assert_eq!(status, 409, "completed once");
    let refilled: Option<chrono::NaiveDateTime> = {
        let mid = mid.clone();
        f.app
            .app
            .db()
            .run(move |c| {
                use diesel::prelude::*;
                use vendhub_store::schema::machines;
                Ok(machines::table
                    .find(mid)
                    .select(machines::last_refill_at)
                    .first(c)?)
            })
            .await
            .unwrap()
    };
    assert!(refilled.is_some());

    // An operator may not reject; a manager's rejection reverses the movements.
    assert_eq!(
        post(
            &f.app,
            &format!("/api/v1/tasks/{id}/reject"),
            &f.op1.1,
            json!({ "reason": "x" })
        )
        .await
        .0,
        403
    );
    let (status, body) = post(
        &f.app,
        &format!("/api/v1/tasks/{id}/reject"),
        &f.owner,
        json!({ "reason": "wrong slots" }),
    )
    .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("rejected")),
        "{body}"
    );
    assert_eq!(slot_qty(&f, &mid, &a.0).await, a.2);
    assert_eq!(slot_qty(&f, &mid, &b.0).await, b.2);
    assert_eq!(operator_qty(&f, &f.op1.0, &a.1).await, op_a);
    let (_, moves) = get(
        &f.app,
        &format!("/api/v1/inventory/movements?reference_id={id}"),
        &f.owner,
    )
    .await;
    assert_eq!(
        moves["meta"]["total"], 4,
        "reversal adds movements, deletes none: {moves}"
    );

    let mut seen = Vec::new();
    while let Ok(Ok(e)) = tokio::time::timeout(std::time::Duration::from_millis(200), events.recv()).await {
        if e.name == "task:updated" {
            seen.push(e.payload["status"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(seen, ["assigned", "in_progress", "completed", "rejected"]);
}

#[tokio::test]
async fn a_refill_beyond_stock_or_capacity_is_refused_whole_naming_the_slot() {
    let f = field().await;
    let (mid, slots) = machine(&f, "VH-004").await;
    let (a, b) = (&slots[0], &slots[1]);
    stock_operator(&f, &f.op1.0, &a.1, 1).await;
    stock_operator(&f, &f.op1.0, &b.1, 13).await;
    let t = create(
        &f,
        json!({ "task_type": "refill", "machine_id": mid, "assignee_id": f.op1.0, "requires_photos": false,
            "items": [{ "product_id": a.1, "slot": a.0, "planned_qty": 1 }, { "product_id": b.1, "slot": b.0, "planned_qty": 13 }] }),
    )
    .await;
    let id = t["id"].as_str().unwrap();
    assert_eq!(
        post(&f.app, &format!("/api/v1/tasks/{id}/start"), &f.op1.1, json!({}))
            .await
            .0,
        200
    );
    let (status, body) = post(
        &f.app,
        &format!("/api/v1/tasks/{id}/complete"),
        &f.op1.1,
        json!({}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("slot {}", b.0)),
        "{body}"
    );
    assert_eq!(
        slot_qty(&f, &mid, &a.0).await,
        a.2,
        "nothing of the refill was written"
    );
    let (_, task) = get(&f.app, &format!("/api/v1/tasks/{id}"), &f.owner).await;
    assert_eq!(task["status"], "in_progress");

    // More than the operator holds.
    let item_b = t["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["slot"] == b.0.as_str())
        .unwrap()["id"]
        .clone();
    let item_a = t["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["slot"] == a.0.as_str())
        .unwrap()["id"]
        .clone();
    let (status, body) = post(
        &f.app,
        &format!("/api/v1/tasks/{id}/complete"),
        &f.op1.1,
        json!({ "items": [{ "item_id": item_a, "actual_qty": 5 }, { "item_id": item_b, "actual_qty": 0 }] }),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("slot {}", a.0)),
        "{body}"
    );
    let (status, _) = post(
        &f.app,
        &format!("/api/v1/tasks/{id}/complete"),
        &f.op1.1,
        json!({ "items": [{ "item_id": item_a, "actual_qty": -1 }] }),
    )
    .await;
    assert_eq!(status, 400);

    // An item id that is not this task's is refused, naming it, instead of being ignored.
    let stranger = uuid::Uuid::now_v7().to_string();
    for (items, named) in [
        (
            json!([{ "item_id": item_b, "actual_qty": 0 }, { "item_id": stranger, "actual_qty": 1 }]),
            "items[1].item_id",
        ),
        (
            json!([{ "item_id": item_b, "actual_qty": 0 }, { "item_id": item_b, "actual_qty": 1 }]),
            "items[1].item_id",
        ),
    ] {
        let (status, body) = post(
            &f.app,
            &format!("/api/v1/tasks/{id}/complete"),
            &f.op1.1,
            json!({ "items": items }),
        )
        .await;
        assert_eq!(status, 422, "{body}");
        assert!(body["detail"].as_str().unwrap().contains(named), "{body}");
    }
    let (_, task) = get(&f.app, &format!("/api/v1/tasks/{id}"), &f.owner).await;
    assert_eq!(task["status"], "in_progress", "nothing was completed");
}

#[tokio::test]
async fn two_concurrent_completions_of_one_task_move_stock_once() {
    let f = field().await;
    let (mid, slots) = machine(&f, "VH-005").await;
    let a = &slots[0];
    assert!(12 - a.2 >= 2, "{slots:?}");
    stock_operator(&f, &f.op1.0, &a.1, 4).await;
    let t = create(
        &f,
        json!({ "task_type": "refill", "machine_id": mid, "assignee_id": f.op1.0, "requires_photos": false,
            "items": [{ "product_id": a.1, "slot": a.0, "planned_qty": 2 }] }),
    )
    .await;
    let id = t["id"].as_str().unwrap();
    assert_eq!(
        post(&f.app, &format!("/api/v1/tasks/{id}/start"), &f.op1.1, json!({}))
            .await
            .0,
        200
    );
    let path = format!("/api/v1/tasks/{id}/complete");
    let (r1, r2) = tokio::join!(
        post(&f.app, &path, &f.op1.1, json!({})),
        post(&f.app, &path, &f.owner, json!({}))
    );
    let mut statuses = [r1.0.as_u16(), r2.0.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{r1:?} {r2:?}");
    assert_eq!(slot_qty(&f, &mid, &a.0).await, a.2 + 2);
    let (_, moves) = get(
        &f.app,
        &format!("/api/v1/inventory/movements?reference_id={id}"),
        &f.owner,
    )
    .await;
    assert_eq!(moves["meta"]["total"], 1);
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
#[expect(
    clippy::too_many_lines,
    reason = "two collections of one machine, step by step"
)]
async fn a_collection_records_expected_cash_and_over_short_and_a_manager_confirms_it() {
    let f = field().await;
    let (mid, _) = machine(&f, "VH-007").await;
    // Cash sales the machine reported (and a card sale that does not count).
    let machine_id = mid.clone();
    f.app
        .app
        .db()
        .run(move |c| {
            use diesel::prelude::*;
            use vendhub_store::schema::machines;
            let org: String = machines::table
                .find(&machine_id)
                .select(machines::organization_id)
                .first(c)?;
            for (i, (method, amount)) in [("cash", 900_000), ("cash", 600_000), ("card", 500_000)]
                .into_iter()
                .enumerate()
            {
                let now = vendhub_store::now();
                vendhub_store::sales::insert(
                    c,
                    &vendhub_store::sales::SaleRow {
                        id: uuid::Uuid::now_v7().to_string(),
                        organization_id: org.clone(),
                        machine_id: machine_id.clone(),
                        slot_code: None,
                        product_id: None,
                        unit_price: amount,
                        quantity: 1,
                        amount,
                        payment_method: method.into(),
                        source: "import".into(),
                        source_id: format!("t{i}"),
                        flag: None,
                        sold_at: now - chrono::Duration::minutes(5),
                        created_at: now,
                    },
                )?;
            }
            Ok(())
        })
        .await
        .unwrap();
    let t = create(&f, json!({ "task_type": "collection", "machine_id": mid, "assignee_id": f.op1.0, "requires_photos": false })).await;
    let id = t["id"].as_str().unwrap();
    assert_eq!(
        post(&f.app, &format!("/api/v1/tasks/{id}/start"), &f.op1.1, json!({}))
            .await
            .0,
        200
    );
    let (status, _) = post(
        &f.app,
        &format!("/api/v1/tasks/{id}/complete"),
        &f.op1.1,
        json!({}),
    )
    .await;
    assert_eq!(status, 400, "the counted amount is required");
    let (status, body) = post(
        &f.app,
        &format!("/api/v1/tasks/{id}/complete"),
        &f.op1.1,
        json!({ "counted": 1_450_000, "bag_number": "BAG-17" }),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    assert_eq!(get(&f.app, "/api/v1/cash-collections", &f.op1.1).await.0, 403);
    let (_, list) = get(
        &f.app,
        &format!("/api/v1/cash-collections?machine_id={mid}"),
        &f.owner,
    )
    .await;
    let c = &list["data"][0];
    assert_eq!(
        (
            c["counted"].as_i64(),
            c["expected"].as_i64(),
            c["over_short"].as_i64()
        ),
        (Some(1_450_000), Some(1_500_000), Some(-50_000)),
        "{list}"
    );
    assert_eq!(c["bag_number"], "BAG-17");
    assert_eq!(c["operator_id"], f.op1.0.as_str());
    let (_, totals) = get(
        &f.app,
        "/api/v1/cash-collections/totals?group_by=operator",
        &f.owner,
    )
    .await;
    let mine = totals
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["key"] == f.op1.0.as_str())
        .unwrap();
    assert_eq!(mine["over_short"], -50_000);
    let cid = c["id"].as_str().unwrap();
    let (status, body) = post(
        &f.app,
        &format!("/api/v1/cash-collections/{cid}/confirm"),
        &f.owner,
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["confirmed_at"].is_string());
    assert_eq!(
        post(
            &f.app,
            &format!("/api/v1/cash-collections/{cid}/confirm"),
            &f.owner,
            json!({})
        )
        .await
        .0,
        409
    );

    // The next collection expects only what was sold since this one: nothing.
    let t2 = create(&f, json!({ "task_type": "collection", "machine_id": mid, "assignee_id": f.op1.0, "requires_photos": false })).await;
    let id2 = t2["id"].as_str().unwrap();
    post(&f.app, &format!("/api/v1/tasks/{id2}/start"), &f.op1.1, json!({})).await;
    let (status, _) = post(
        &f.app,
        &format!("/api/v1/tasks/{id2}/complete"),
        &f.op1.1,
        json!({ "counted": 0 }),
    )
    .await;
    assert_eq!(status, 200);
    let (_, list) = get(
        &f.app,
        &format!("/api/v1/cash-collections?machine_id={mid}"),
        &f.owner,
    )
    .await;
    assert_eq!(
        (
            list["data"][0]["expected"].as_i64(),
            list["data"][0]["over_short"].as_i64()
        ),
        (Some(0), Some(0))
    );
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

#[tokio::test]
async fn an_audit_is_a_stocktake_of_its_slots_and_a_rejection_reverses_it() {
    let f = field().await;
    let (mid, slots) = machine(&f, "VH-008").await;
    let a = slots.iter().find(|s| s.2 >= 1).unwrap();
    let t = create(
        &f,
        json!({ "task_type": "audit", "machine_id": mid, "assignee_id": f.op1.0,
            "items": [{ "product_id": a.1, "slot": a.0, "planned_qty": 0 }] }),
    )
    .await;
    assert_eq!(t["requires_photos"], false);
    let id = t["id"].as_str().unwrap();
    let item = t["items"][0]["id"].clone();
    assert_eq!(
        post(&f.app, &format!("/api/v1/tasks/{id}/start"), &f.op1.1, json!({}))
            .await
            .0,
        200
    );
    let (status, done) = post(
        &f.app,
        &format!("/api/v1/tasks/{id}/complete"),
        &f.op1.1,
        json!({ "items": [{ "item_id": item, "actual_qty": a.2 - 1 }] }),
    )
    .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["items"][0]["actual_qty"], a.2 - 1);
    assert_eq!(slot_qty(&f, &mid, &a.0).await, a.2 - 1);
    // The count is a closed stocktake of the slot, its shortage an adjustment valued at cost.
    let holder = format!("slot:{mid}:{}", a.0);
    let (_, takes) = get(&f.app, "/api/v1/inventory/stocktakes", &f.owner).await;
    let take = takes
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["holder"] == holder.as_str())
        .unwrap_or_else(|| panic!("a stocktake of {holder}: {takes}"));
    assert_eq!(take["status"], "closed", "{take}");
    let (_, take) = get(
        &f.app,
        &format!("/api/v1/inventory/stocktakes/{}", take["id"].as_str().unwrap()),
        &f.owner,
    )
    .await;
    let (_, moves) = get(
        &f.app,
        &format!(
            "/api/v1/inventory/movements?reference_id={}",
            take["id"].as_str().unwrap()
        ),
        &f.owner,
    )
    .await;
    assert_eq!(moves["data"][0]["kind"], "adjustment", "{moves}");
    assert_eq!(moves["data"][0]["reason"], "shortage");
    assert_eq!(moves["data"][0]["quantity"], 1);

    // Rejecting the audit reverses the adjustment: the slot holds what it held before.
    let (status, body) = post(
        &f.app,
        &format!("/api/v1/tasks/{id}/reject"),
        &f.owner,
        json!({ "reason": "recount" }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(slot_qty(&f, &mid, &a.0).await, a.2);
}

/// Across areas: the cash a machine reports through the gateway is what the next collection expects.
#[tokio::test]
async fn a_collection_expects_the_cash_the_machine_reported_through_the_gateway() {
    let f = field().await;
    let (mid, slots) = machine(&f, "VH-009").await;
    let (status, created) = post(
        &f.app,
        &format!("/api/v1/machines/{mid}/api-keys"),
        &f.owner,
        json!({ "label": "telemetry box" }),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let key = created["key"].as_str().unwrap();
    let slot = &slots.iter().find(|s| s.2 >= 3).expect("a stocked slot").0;
    let vend = |id: &str, price: i64, method: &str| json!({ "type": "vend", "id": id, "slot": slot, "price": price, "payment_method": method });
    let batch = json!({ "machine_id": mid, "events": [
        vend("v-1", 700_000, "cash"),
        vend("v-2", 800_000, "cash"),
        vend("v-3", 500_000, "payme"),
    ]});
    for _ in 0..2 {
        // Sent twice: a replay records nothing new.
        let res = f
            .app
            .client
            .post(f.app.url("/api/v1/gateway/events"))
            .header("X-Api-Key", key)
            .json(&batch)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }

    let t = create(&f, json!({ "task_type": "collection", "machine_id": mid, "assignee_id": f.op1.0, "requires_photos": false })).await;
    let id = t["id"].as_str().unwrap();
    post(&f.app, &format!("/api/v1/tasks/{id}/start"), &f.op1.1, json!({})).await;
    let (status, body) = post(
        &f.app,
        &format!("/api/v1/tasks/{id}/complete"),
        &f.op1.1,
        json!({ "counted": 1_500_000, "bag_number": "BAG-9" }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, list) = get(
        &f.app,
        &format!("/api/v1/cash-collections?machine_id={mid}"),
        &f.owner,
    )
    .await;
    let c = &list["data"][0];
    assert_eq!(
        (c["expected"].as_i64(), c["over_short"].as_i64()),
        (Some(1_500_000), Some(0)),
        "cash vends only, each once: {list}"
    );
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
