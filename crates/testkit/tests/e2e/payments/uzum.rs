//! Uzum Bank merchant webhooks over HTTP, as Uzum calls us (PROTOCOLS.md §3): check, create, confirm,
//! reverse, status with Basic auth; replays, refusals in Uzum's error codes with HTTP 400, reverse before
//! and after the payment, an organization's own account, and the paid order's vend reaching the machine.

use base64::Engine as _;
use serde_json::{Value, json};
use vendhub_testkit::TestApp;
use vendhub_testkit::orders::{Shop, order, public_order, shop};

const LOGIN: &str = "uzum-login";
const PASSWORD: &str = "uzum-pass";
const SERVICE: i64 = 101;
const BASE: &str = "/api/v1/payments/uzum";

async fn uzum_app(clock: Option<vendhub_app::ports::ManualClock>) -> TestApp {
    let mut b = TestApp::builder()
        .env("UZUM_MERCHANT_ID", LOGIN)
        .env("UZUM_SECRET_KEY", PASSWORD)
        .env("UZUM_SERVICE_ID", SERVICE.to_string());
    if let Some(c) = clock {
        b = b.clock(c);
    }
    b.spawn().await
}

fn basic(login: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{login}:{password}"))
    )
}

/// Posts `body` to `{base}/{hook}` with `auth` as the Authorization header: (HTTP status, JSON).
async fn send_raw(app: &TestApp, base: &str, hook: &str, auth: Option<&str>, body: String) -> (u16, Value) {
    let mut req = app
        .client
        .post(app.url(&format!("{base}/{hook}")))
        .header("content-type", "application/json")
        .body(body);
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// The installation's account, authorized.
async fn call(app: &TestApp, hook: &str, body: Value) -> (u16, Value) {
    send_raw(app, BASE, hook, Some(&basic(LOGIN, PASSWORD)), body.to_string()).await
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn check_body(order: &str) -> Value {
    json!({ "serviceId": SERVICE, "timestamp": now_ms(), "params": { "order_id": order } })
}

fn create_body(trans: &str, order: &str, amount: i64) -> Value {
    json!({ "serviceId": SERVICE, "timestamp": now_ms(), "transId": trans,
        "params": { "order_id": order }, "amount": amount })
}

fn trans_body(trans: &str) -> Value {
    json!({ "serviceId": SERVICE, "timestamp": now_ms(), "transId": trans })
}

/// A fresh order: (id, amount in tiyin).
async fn new_order(app: &TestApp, shop: &Shop) -> (String, i64) {
    let o = order(app, shop).await;
    (
        o["id"].as_str().unwrap().to_owned(),
        o["amount"].as_i64().unwrap(),
    )
}

async fn machine_commands(app: &TestApp, shop: &Shop) -> Vec<Value> {
    let res = app
        .client
        .get(app.url("/api/v1/gateway/commands?wait=0"))
        .header("x-api-key", &shop.key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    v["commands"].as_array().cloned().unwrap_or_default()
}

fn refused(r: &(u16, Value), code: &str, what: &str) {
    assert_eq!(r.0, 400, "{what}: {}", r.1);
    assert_eq!(r.1["status"], "FAILED", "{what}: {}", r.1);
    assert_eq!(r.1["errorCode"], code, "{what}: {}", r.1);
}

#[tokio::test]
async fn check_create_confirm_pays_the_order_idempotently_and_the_machine_gets_the_vend() {
    let app = uzum_app(None).await;
    let shop = shop(&app).await;
    let (o, amount) = new_order(&app, &shop).await;
    let (s, r) = call(&app, "check", check_body(&o)).await;
    assert_eq!((s, &r["status"]), (200, &json!("OK")), "{r}");
    assert_eq!(r["data"]["account"]["value"], o.as_str());
    let (s, created) = call(&app, "create", create_body("uz-1", &o, amount)).await;
    assert_eq!((s, &created["status"]), (200, &json!("CREATED")), "{created}");
    assert_eq!(created["amount"], amount);
    let (_, again) = call(&app, "create", create_body("uz-1", &o, amount)).await;
    assert_eq!(again["status"], "CREATED", "a replayed create: {again}");
    assert_eq!(again["transTime"], created["transTime"]);
    // A second transaction for an order already held is refused.
    refused(
        &call(&app, "create", create_body("uz-2", &o, amount)).await,
        "99999",
        "another create for a held order",
    );
    let (s, confirmed) = call(&app, "confirm", trans_body("uz-1")).await;
    assert_eq!(
        (s, &confirmed["status"]),
        (200, &json!("CONFIRMED")),
        "{confirmed}"
    );
    let (_, replay) = call(&app, "confirm", trans_body("uz-1")).await;
    assert_eq!(replay["status"], "CONFIRMED", "a replayed confirm: {replay}");
    assert_eq!(replay["confirmTime"], confirmed["confirmTime"]);
    for _ in 0..3 {
        let (s, st) = call(&app, "status", trans_body("uz-1")).await;
        assert_eq!((s, &st["status"]), (200, &json!("CONFIRMED")), "{st}");
        assert_eq!(st["confirmTime"], confirmed["confirmTime"]);
        assert!(st["reverseTime"].is_null());
    }
    refused(
        &call(&app, "create", create_body("uz-1", &o, amount)).await,
        "10008",
        "create of a confirmed transaction",
    );
    refused(
        &call(&app, "check", check_body(&o)).await,
        "10008",
        "check of a paid order",
    );
    assert_eq!(public_order(&app, &o).await["status"], "paid");
    let commands = machine_commands(&app, &shop).await;
    assert_eq!(commands.len(), 1, "{commands:?}");
    assert_eq!(commands[0]["order_id"], o.as_str());
    assert_eq!(commands[0]["type"], "vend");
    // Every call is in the order's log.
    let (_, detail) = vendhub_testkit::api::get(&app, &format!("/api/v1/orders/{o}"), &shop.owner).await;
    assert!(detail["calls"].as_array().unwrap().len() >= 9, "{detail}");
}

#[tokio::test]
async fn bad_auth_fields_service_order_and_amount_are_refused_with_uzum_s_codes() {
    let app = uzum_app(None).await;
    let shop = shop(&app).await;
    let (o, amount) = new_order(&app, &shop).await;
    let body = create_body("uz-9", &o, amount).to_string();
    refused(
        &send_raw(&app, BASE, "create", None, body.clone()).await,
        "10001",
        "no auth",
    );
    refused(
        &send_raw(&app, BASE, "create", Some(&basic(LOGIN, "wrong")), body.clone()).await,
        "10001",
        "a wrong password",
    );
    refused(
        &send_raw(
            &app,
            BASE,
            "create",
            Some(&basic("other", PASSWORD)),
            body.clone(),
        )
        .await,
        "10001",
        "a wrong login",
    );
    let auth = basic(LOGIN, PASSWORD);
    refused(
        &send_raw(&app, BASE, "create", Some(&auth), "{not json".into()).await,
        "10002",
        "not JSON",
    );
    refused(
        &send_raw(
            &app,
            BASE,
            "create",
            Some(&auth),
            json!({"serviceId": SERVICE}).to_string(),
        )
        .await,
        "10005",
        "missing fields",
    );
    refused(
        &send_raw(&app, BASE, "refund", Some(&auth), body.clone()).await,
        "10003",
        "an unknown webhook",
    );
    let mut other_service = create_body("uz-9", &o, amount);
    other_service["serviceId"] = json!(999);
    refused(
        &call(&app, "create", other_service).await,
        "10006",
        "another serviceId",
    );
    let unknown = uuid::Uuid::now_v7().to_string();
    refused(
        &call(&app, "check", check_body(&unknown)).await,
        "10007",
        "an unknown order",
    );
    refused(
        &call(&app, "create", create_body("uz-9", &unknown, amount)).await,
        "10007",
        "create for an unknown order",
    );
    refused(
        &call(&app, "create", create_body("uz-9", &o, amount + 100)).await,
        "99999",
        "a wrong amount",
    );
    refused(
        &call(&app, "confirm", trans_body("uz-none")).await,
        "10009",
        "confirm of an unknown transaction",
    );
    refused(
        &call(&app, "status", trans_body("uz-none")).await,
        "10009",
        "status of an unknown transaction",
    );
    assert_eq!(public_order(&app, &o).await["status"], "created");
    assert!(machine_commands(&app, &shop).await.is_empty());
}

#[tokio::test]
async fn an_expired_order_is_refused() {
    let clock = vendhub_app::ports::ManualClock::starting_now();
    let app = uzum_app(Some(clock.clone())).await;
    let shop = shop(&app).await;
    let (held, amount) = new_order(&app, &shop).await;
    let (_, r) = call(&app, "create", create_body("uz-e1", &held, amount)).await;
    assert_eq!(r["status"], "CREATED", "{r}");
    let (late, late_amount) = new_order(&app, &shop).await;
    clock.advance(chrono::Duration::minutes(16));
    refused(
        &call(&app, "check", check_body(&late)).await,
        "99999",
        "check of an expired order",
    );
    refused(
        &call(&app, "create", create_body("uz-e2", &late, late_amount)).await,
        "99999",
        "create for an expired order",
    );
    // The created transaction of an order that expired meanwhile fails instead of charging.
    refused(
        &call(&app, "confirm", trans_body("uz-e1")).await,
        "10009",
        "confirm of an expired order",
    );
    let (_, st) = call(&app, "status", trans_body("uz-e1")).await;
    assert_eq!(st["status"], "FAILED", "{st}");
    assert!(machine_commands(&app, &shop).await.is_empty());
}

#[tokio::test]
async fn reverse_before_confirm_releases_and_confirm_after_reverse_is_refused() {
    let app = uzum_app(None).await;
    let shop = shop(&app).await;
    let (o, amount) = new_order(&app, &shop).await;
    call(&app, "create", create_body("uz-r1", &o, amount)).await;
    let (s, rev) = call(&app, "reverse", trans_body("uz-r1")).await;
    assert_eq!((s, &rev["status"]), (200, &json!("REVERSED")), "{rev}");
    refused(
        &call(&app, "confirm", trans_body("uz-r1")).await,
        "10009",
        "confirm after reverse",
    );
    refused(
        &call(&app, "reverse", trans_body("uz-r1")).await,
        "10009",
        "reverse again",
    );
    refused(
        &call(&app, "create", create_body("uz-r1", &o, amount)).await,
        "10009",
        "create of a reversed transaction",
    );
    let (_, st) = call(&app, "status", trans_body("uz-r1")).await;
    assert_eq!(st["status"], "REVERSED", "{st}");
    assert_eq!(st["reverseTime"], rev["reverseTime"]);
    // The order is free again: a new transaction pays it.
    assert_eq!(public_order(&app, &o).await["status"], "created");
    call(&app, "create", create_body("uz-r2", &o, amount)).await;
    let (_, c) = call(&app, "confirm", trans_body("uz-r2")).await;
    assert_eq!(c["status"], "CONFIRMED", "{c}");
    assert_eq!(machine_commands(&app, &shop).await.len(), 1);
}

#[tokio::test]
async fn reverse_of_a_confirmed_payment_refunds_unless_the_product_was_dispensed() {
    let app = uzum_app(None).await;
    let shop = shop(&app).await;
    // Reversed before the machine took the vend: refunded, and the vend withdrawn.
    let (o, amount) = new_order(&app, &shop).await;
    call(&app, "create", create_body("uz-f1", &o, amount)).await;
    call(&app, "confirm", trans_body("uz-f1")).await;
    let (s, rev) = call(&app, "reverse", trans_body("uz-f1")).await;
    assert_eq!((s, &rev["status"]), (200, &json!("REVERSED")), "{rev}");
    assert_eq!(public_order(&app, &o).await["status"], "refunded");
    assert!(
        machine_commands(&app, &shop).await.is_empty(),
        "the vend is withdrawn"
    );
    // Dispensed: the reverse is refused and the order stays dispensed.
    let (o2, amount2) = new_order(&app, &shop).await;
    call(&app, "create", create_body("uz-f2", &o2, amount2)).await;
    call(&app, "confirm", trans_body("uz-f2")).await;
    let commands = machine_commands(&app, &shop).await;
    assert_eq!(commands.len(), 1, "{commands:?}");
    let id = commands[0]["id"].as_str().unwrap();
    let res = app
        .client
        .post(app.url(&format!("/api/v1/gateway/commands/{id}/result")))
        .header("x-api-key", &shop.key)
        .json(&json!({ "status": "dispensed" }))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    refused(
        &call(&app, "reverse", trans_body("uz-f2")).await,
        "10008",
        "reverse of a dispensed order",
    );
    assert_eq!(public_order(&app, &o2).await["status"], "dispensed");
    let (_, st) = call(&app, "status", trans_body("uz-f2")).await;
    assert_eq!(st["status"], "CONFIRMED", "{st}");
}

#[tokio::test]
async fn two_concurrent_confirms_charge_once_and_queue_one_vend() {
    let app = uzum_app(None).await;
    let shop = shop(&app).await;
    let (o, amount) = new_order(&app, &shop).await;
    call(&app, "create", create_body("uz-c1", &o, amount)).await;
    let (a, b) = tokio::join!(
        call(&app, "confirm", trans_body("uz-c1")),
        call(&app, "confirm", trans_body("uz-c1"))
    );
    assert_eq!(a.1["status"], "CONFIRMED", "{}", a.1);
    assert_eq!(b.1["status"], "CONFIRMED", "{}", b.1);
    assert_eq!(a.1["confirmTime"], b.1["confirmTime"]);
    assert_eq!(public_order(&app, &o).await["status"], "paid");
    assert_eq!(machine_commands(&app, &shop).await.len(), 1);
}

#[tokio::test]
async fn one_organization_s_uzum_account_cannot_pay_another_s_orders() {
    let app = uzum_app(None).await;
    let shop = shop(&app).await;
    let (org_b, _) = vendhub_testkit::api::other_organization(&app, "b-uzum", "b-uzum-pass-2026").await;
    super::click::give_account(&app, &org_b, "uzum", "b-login", "202", "b-pass").await;
    let b_base = "/api/v1/payments/uzum/b-uzum";
    let b_auth = basic("b-login", "b-pass");
    let (o, amount) = new_order(&app, &shop).await;
    let as_b = |mut body: Value| {
        body["serviceId"] = json!(202);
        body.to_string()
    };
    refused(
        &send_raw(&app, b_base, "check", Some(&b_auth), as_b(check_body(&o))).await,
        "10007",
        "B checks A's order",
    );
    refused(
        &send_raw(
            &app,
            b_base,
            "create",
            Some(&b_auth),
            as_b(create_body("uz-b1", &o, amount)),
        )
        .await,
        "10007",
        "B creates for A's order",
    );
    // B's credentials do not open the installation's URL.
    refused(
        &send_raw(&app, BASE, "check", Some(&b_auth), check_body(&o).to_string()).await,
        "10001",
        "B at the installation's URL",
    );
    // A's transaction through the installation: B can neither confirm, reverse nor read it.
    call(&app, "create", create_body("uz-a1", &o, amount)).await;
    for hook in ["confirm", "reverse", "status"] {
        refused(
            &send_raw(&app, b_base, hook, Some(&b_auth), as_b(trans_body("uz-a1"))).await,
            "10009",
            &format!("B {hook}s A's transaction"),
        );
    }
    assert_eq!(public_order(&app, &o).await["status"], "created");
    let (_, c) = call(&app, "confirm", trans_body("uz-a1")).await;
    assert_eq!(c["status"], "CONFIRMED", "{c}");
    // Once A has its own account, the installation's no longer serves A's orders; A's own URL does.
    super::click::give_account(&app, &shop.organization_id, "uzum", "a-login", "303", "a-pass").await;
    let (o2, amount2) = new_order(&app, &shop).await;
    refused(
        &call(&app, "check", check_body(&o2)).await,
        "10007",
        "the installation's account for A",
    );
    let a_base = format!("/api/v1/payments/uzum/{}", shop.org_slug);
    let a_auth = basic("a-login", "a-pass");
    let mut body = create_body("uz-a2", &o2, amount2);
    body["serviceId"] = json!(303);
    let (s, r) = send_raw(&app, &a_base, "create", Some(&a_auth), body.to_string()).await;
    assert_eq!((s, &r["status"]), (200, &json!("CREATED")), "{r}");
}
