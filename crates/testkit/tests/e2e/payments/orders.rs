//! Customer orders through the public routes, and the machine's side of a paid order through the gateway:
//! reservation, limits, expiry, the vend command handed out once, results idempotent, refunds started.

use base64::Engine as _;
use reqwest::StatusCode;
use serde_json::{Value, json};
use vendhub_domain::payments::Provider;
use vendhub_testkit::TestApp;
use vendhub_testkit::api::get;
use vendhub_testkit::orders::{
    Shop, command_result, commands, mark_paid, order, public_order, shop, try_order,
};

async fn slot_balance(app: &TestApp, s: &Shop) -> i64 {
    let (status, inv) = get(
        app,
        &format!("/api/v1/inventory/machine/{}", s.machine_id),
        &s.owner,
    )
    .await;
    assert!(status.is_success(), "{inv}");
    let slots = inv.get("slots").unwrap_or(&inv).as_array().unwrap().clone();
    slots
        .iter()
        .find(|x| x["slot"] == s.slot.as_str())
        .map_or(0, |x| x["quantity"].as_i64().unwrap_or(0))
}

async fn staff_order(app: &TestApp, s: &Shop, id: &str) -> Value {
    let (status, body) = get(app, &format!("/api/v1/orders/{id}"), &s.owner).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

#[tokio::test]
async fn the_menu_names_the_machine_and_an_order_reserves_a_unit_at_the_slot_price_for_15_minutes() {
    let app = TestApp::spawn().await;
    let s = shop(&app).await;
    let menu: Value = app.get(&s.public_path("")).await.json().await.unwrap();
    assert_eq!(menu["machine"]["number"], s.number.as_str());
    assert_eq!(menu["providers"], json!([]), "nothing is configured in this app");
    let o = order(&app, &s).await;
    assert_eq!(o["status"], "created");
    assert_eq!(o["amount"], s.price);
    assert_eq!(o["slot"], s.slot.as_str());
    assert_eq!(o["pay"]["payme_url"], Value::Null, "no provider, no link");
    let created = chrono::DateTime::parse_from_rfc3339(o["created_at"].as_str().unwrap()).unwrap();
    let expires = chrono::DateTime::parse_from_rfc3339(o["expires_at"].as_str().unwrap()).unwrap();
    assert_eq!(expires - created, chrono::Duration::minutes(15));
    let seen = public_order(&app, o["id"].as_str().unwrap()).await;
    assert_eq!(seen["id"], o["id"]);
    assert_eq!(seen["machine_number"], s.number.as_str());
    let missing = app
        .get(&format!("/api/v1/public/orders/{}", uuid::Uuid::now_v7()))
        .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn configured_providers_get_pay_links_in_the_protocols_formats() {
    let app = TestApp::builder()
        .env("PAYME_MERCHANT_ID", "5e730e8e0b852a417aa49ceb")
        .env("PAYME_SECRET_KEY", "payme-secret-key-0123456789")
        .env("CLICK_MERCHANT_ID", "1111")
        .env("CLICK_SERVICE_ID", "2222")
        .env("CLICK_SECRET_KEY", "click-secret")
        .env("UZUM_MERCHANT_ID", "uzum-login")
        .env("UZUM_SERVICE_ID", "3333")
        .env("UZUM_SECRET_KEY", "uzum-password")
        .spawn()
        .await;
    let s = shop(&app).await;
    let menu: Value = app.get(&s.public_path("")).await.json().await.unwrap();
    assert_eq!(menu["providers"], json!(["payme", "click", "uzum"]));
    let o = order(&app, &s).await;
    let id = o["id"].as_str().unwrap();
    let payme = o["pay"]["payme_url"].as_str().unwrap();
    let encoded = payme.strip_prefix("https://checkout.paycom.uz/").unwrap();
    let decoded =
        String::from_utf8(base64::engine::general_purpose::STANDARD.decode(encoded).unwrap()).unwrap();
    assert!(
        decoded.starts_with(&format!(
            "m=5e730e8e0b852a417aa49ceb;ac.order_id={id};a={};c=",
            s.price
        )),
        "{decoded}"
    );
    let click = o["pay"]["click_url"].as_str().unwrap();
    assert!(
        click.starts_with("https://my.click.uz/services/pay?service_id=2222&merchant_id=1111&amount="),
        "{click}"
    );
    assert!(
        click.contains(&format!("transaction_param={}", id.replace('-', "%2D"))),
        "{click}"
    );
    assert_eq!(
        o["pay"]["uzum_service_id"], "3333",
        "no Uzum link is configured: the app names the service"
    );
}

#[tokio::test]
async fn a_slot_cannot_be_ordered_beyond_its_stock_and_a_paid_order_keeps_its_unit() {
    let app = TestApp::builder()
        .env("TRUSTED_PROXIES", "127.0.0.1/32")
        .spawn()
        .await;
    let s = shop(&app).await;
    let stock = slot_balance(&app, &s).await;
    assert!(stock > 0);
    let mut made = Vec::new();
    for i in 0..stock {
        let (status, body) = try_order(&app, &s, Some(&format!("10.0.0.{}", i + 1))).await;
        assert_eq!(status, StatusCode::CREATED, "unit {i}: {body}");
        made.push(body);
    }
    let (status, body) = try_order(&app, &s, Some("10.0.1.1")).await;
    assert_eq!(status, StatusCode::CONFLICT, "every unit is reserved: {body}");
    let menu: Value = app.get(&s.public_path("")).await.json().await.unwrap();
    let item = menu["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["slot"] == s.slot.as_str())
        .unwrap()
        .clone();
    assert_eq!(item["available"], false, "{menu}");
    mark_paid(&app, made[0]["id"].as_str().unwrap(), Provider::Click).await;
    let (status, _) = try_order(&app, &s, Some("10.0.1.2")).await;
    assert_eq!(status, StatusCode::CONFLICT, "a paid order still holds its unit");
}

#[tokio::test]
async fn one_client_cannot_reserve_a_whole_machine() {
    let app = TestApp::spawn().await;
    let s = shop(&app).await;
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(try_order(&app, &s, None).await.0);
    }
    assert_eq!(
        statuses,
        vec![
            StatusCode::CREATED,
            StatusCode::CREATED,
            StatusCode::TOO_MANY_REQUESTS
        ],
        "two unpaid orders per client and machine"
    );
}

#[tokio::test]
async fn orders_are_refused_clearly_for_unknown_machines_slots_and_bodies() {
    let app = TestApp::spawn().await;
    let s = shop(&app).await;
    let res = app
        .client
        .post(app.url("/api/v1/public/machines/NOPE-1/orders"))
        .json(&json!({ "slot": "A1" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    for (body, status) in [
        (json!({ "slot": "Z99" }), StatusCode::BAD_REQUEST),
        (json!({}), StatusCode::BAD_REQUEST),
        (
            json!({ "slot": s.slot, "product_id": s.product_id }),
            StatusCode::BAD_REQUEST,
        ),
        (json!({ "slot": 5 }), StatusCode::BAD_REQUEST),
    ] {
        let res = app
            .client
            .post(app.url(&s.public_path("/orders")))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), status, "{body}");
        assert_eq!(
            res.headers()["content-type"],
            "application/problem+json",
            "{body}"
        );
    }
}

#[tokio::test]
async fn an_unpaid_order_expires_after_15_minutes_and_frees_its_unit() {
    let clock = vendhub_app::ports::ManualClock::starting_now();
    let app = TestApp::builder().clock(clock.clone()).spawn().await;
    let s = shop(&app).await;
    let o = order(&app, &s).await;
    let id = o["id"].as_str().unwrap();
    assert_eq!(vendhub_app::orders::expire_due(&app.app).await.unwrap(), 0);
    clock.advance(chrono::Duration::minutes(15));
    assert_eq!(vendhub_app::orders::expire_due(&app.app).await.unwrap(), 1);
    assert_eq!(public_order(&app, id).await["status"], "expired");
    assert_eq!(
        vendhub_app::orders::expire_due(&app.app).await.unwrap(),
        0,
        "once"
    );
}

#[tokio::test]
async fn a_paid_order_is_handed_to_its_machine_once_and_dispensed_records_the_sale_and_moves_the_stock() {
    let app = TestApp::spawn().await;
    let s = shop(&app).await;
    let before = slot_balance(&app, &s).await;
    let o = order(&app, &s).await;
    let id = o["id"].as_str().unwrap();
    assert!(commands(&app, &s).await.is_empty(), "nothing before payment");
    mark_paid(&app, id, Provider::Payme).await;
    let got = commands(&app, &s).await;
    assert_eq!(got.len(), 1, "{got:?}");
    let cmd = &got[0];
    assert_eq!(cmd["type"], "vend");
    assert_eq!(cmd["order_id"], id);
    assert_eq!(cmd["slot"], s.slot.as_str());
    assert_eq!(cmd["amount"], s.price);
    assert!(commands(&app, &s).await.is_empty(), "handed out once");
    assert_eq!(public_order(&app, id).await["status"], "dispensing");
    let cid = cmd["id"].as_str().unwrap();
    let (status, first) = command_result(&app, &s, cid, json!({ "status": "dispensed" })).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["status"], "dispensed");
    assert_eq!(first["order_status"], "dispensed");
    let (_, again) = command_result(&app, &s, cid, json!({ "status": "failed", "reason": "late" })).await;
    assert_eq!(again, first, "a repeated result answers the first outcome");
    let detail = staff_order(&app, &s, id).await;
    assert_eq!(detail["order"]["status"], "dispensed");
    assert!(detail["order"]["sale_id"].is_string(), "{detail}");
    assert_eq!(detail["command"]["status"], "dispensed");
    assert_eq!(slot_balance(&app, &s).await, before - 1);
}

#[tokio::test]
async fn a_failed_vend_starts_the_refund_and_queues_the_refund_job() {
    let app = TestApp::spawn().await;
    let s = shop(&app).await;
    let before = slot_balance(&app, &s).await;
    let o = order(&app, &s).await;
    let id = o["id"].as_str().unwrap();
    mark_paid(&app, id, Provider::Click).await;
    let cmd = commands(&app, &s).await.remove(0);
    let (status, out) = command_result(
        &app,
        &s,
        cmd["id"].as_str().unwrap(),
        json!({ "status": "failed", "reason": "motor jam" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(out["order_status"], "refund_pending");
    let detail = staff_order(&app, &s, id).await;
    assert_eq!(detail["order"]["reason"], "motor jam");
    assert_eq!(
        detail["order"]["sale_id"],
        Value::Null,
        "no sale for a vend that failed"
    );
    assert_eq!(slot_balance(&app, &s).await, before, "nothing left the slot");
    let jobs = app
        .app
        .db()
        .run(|c| vendhub_store::jobs::by_kind(c, "orders.refund"))
        .await
        .unwrap();
    assert_eq!(jobs.len(), 1);
    let payload: Value = serde_json::from_str(&jobs[0].payload).unwrap();
    assert_eq!(payload["order_id"], id);
}

#[tokio::test]
async fn a_vend_no_machine_takes_in_time_expires_and_refunds() {
    let clock = vendhub_app::ports::ManualClock::starting_now();
    let app = TestApp::builder().clock(clock.clone()).spawn().await;
    let s = shop(&app).await;
    let o = order(&app, &s).await;
    let id = o["id"].as_str().unwrap();
    mark_paid(&app, id, Provider::Uzum).await;
    clock.advance(chrono::Duration::minutes(3));
    assert_eq!(
        vendhub_app::orders::commands::expire_overdue(&app.app)
            .await
            .unwrap(),
        1
    );
    assert!(
        commands(&app, &s).await.is_empty(),
        "an expired command is not handed out"
    );
    let detail = staff_order(&app, &s, id).await;
    assert_eq!(detail["order"]["status"], "refund_pending");
    assert_eq!(detail["command"]["status"], "expired");
}

#[tokio::test]
async fn a_machine_cannot_answer_another_machines_command_and_bad_results_are_400() {
    let app = TestApp::spawn().await;
    let s = shop(&app).await;
    let o = order(&app, &s).await;
    mark_paid(&app, o["id"].as_str().unwrap(), Provider::Payme).await;
    let cmd = commands(&app, &s).await.remove(0);
    let cid = cmd["id"].as_str().unwrap();
    let (status, _) = command_result(
        &app,
        &s,
        &uuid::Uuid::now_v7().to_string(),
        json!({ "status": "dispensed" }),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = command_result(&app, &s, cid, json!({ "status": "exploded" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = command_result(&app, &s, "not-a-uuid", json!({ "status": "dispensed" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let other = vendhub_testkit::api::machine_id(&app, &s.owner, "VH-002").await;
    let (_, key) = vendhub_testkit::api::post(
        &app,
        &format!("/api/v1/machines/{other}/api-keys"),
        &s.owner,
        json!({ "label": "other" }),
    )
    .await;
    let res = app
        .client
        .post(app.url(&format!("/api/v1/gateway/commands/{cid}/result")))
        .header("x-api-key", key["key"].as_str().unwrap())
        .json(&json!({ "status": "dispensed" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "another machine's command");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_poll_answers_as_soon_as_an_order_is_paid() {
    let app = TestApp::spawn().await;
    let s = shop(&app).await;
    let o = order(&app, &s).await;
    let id = o["id"].as_str().unwrap().to_owned();
    let poll = {
        let (client, url, key) = (
            app.client.clone(),
            app.url("/api/v1/gateway/commands?wait=20"),
            s.key.clone(),
        );
        tokio::spawn(async move {
            let started = std::time::Instant::now();
            let body: Value = client
                .get(url)
                .header("x-api-key", key)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            (body, started.elapsed())
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    mark_paid(&app, &id, Provider::Payme).await;
    let (body, waited) = poll.await.unwrap();
    assert_eq!(body["commands"][0]["order_id"], id.as_str(), "{body}");
    assert!(
        waited < std::time::Duration::from_secs(15),
        "woken, not timed out: {waited:?}"
    );
}

#[tokio::test]
async fn staff_see_orders_by_role_and_accountants_refund_with_a_reason() {
    let (app, owner, staff_password) = vendhub_testkit::api::demo_with_staff().await;
    let s = vendhub_testkit::orders::shop_of(&app, &owner).await;
    let o = order(&app, &s).await;
    let id = o["id"].as_str().unwrap();
    let (status, list) = get(&app, "/api/v1/orders?status=created", &owner).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["data"][0]["id"], id);
    let (status, _) = get(&app, "/api/v1/orders?status=nope", &owner).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let operator = vendhub_testkit::api::login(&app, "operator1@demo.vendhub.uz", &staff_password).await;
    let (status, _) = get(&app, "/api/v1/orders", &operator).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = vendhub_testkit::api::post(
        &app,
        &format!("/api/v1/orders/{id}/refund"),
        &owner,
        json!({ "reason": "x" }),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "an unpaid order is not refunded: {body}"
    );
    mark_paid(&app, id, Provider::Click).await;
    let (status, body) = vendhub_testkit::api::post(
        &app,
        &format!("/api/v1/orders/{id}/refund"),
        &owner,
        json!({ "reason": "  " }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = vendhub_testkit::api::post(
        &app,
        &format!("/api/v1/orders/{id}/refund"),
        &owner,
        json!({ "reason": "customer asked" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "refund_pending");
    assert!(commands(&app, &s).await.is_empty(), "the vend was withdrawn");
    let (status, body) = vendhub_testkit::api::post(
        &app,
        &format!("/api/v1/orders/{id}/refunded"),
        &owner,
        json!({ "note": "returned in Click's cabinet" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "refunded");
    let (_, audit) = get(&app, "/api/v1/audit?entity_type=order", &owner).await;
    let actions: Vec<&str> = audit["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for a in ["order.paid", "order.refund_started", "order.refunded"] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
}
