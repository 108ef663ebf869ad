//! Payme's Merchant API over HTTP, played the way Payme's sandbox plays it (PROTOCOLS.md §1.6): both
//! scenarios with CheckTransaction and GetStatement after each step, repeats, bad auth, wrong amounts and
//! unknown accounts; the 12-hour rule; concurrent Performs; per-organization accounts; the vend that a
//! Perform queues, taken by the machine and turned into a sale.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use vendhub_app::ports::ManualClock;
use vendhub_testkit::TestApp;
use vendhub_testkit::api::{get, other_organization};
use vendhub_testkit::orders::{Shop, order, public_order, shop};

const PATH: &str = "/api/v1/payments/payme";
const MERCHANT: &str = "5e730e8e0b852a417aa49ceb";
const KEY: &str = "installation-key-&-secret";

fn basic(key: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("Paycom:{key}")))
}

/// A 24-hex Payme transaction id.
fn tx_id() -> String {
    uuid::Uuid::now_v7().simple().to_string()[8..].to_owned()
}

async fn payme_app(clock: Option<&ManualClock>) -> TestApp {
    let mut b = TestApp::builder()
        .env("PAYME_MERCHANT_ID", MERCHANT)
        .env("PAYME_SECRET_KEY", KEY);
    if let Some(c) = clock {
        b = b.clock(c.clone());
    }
    b.spawn().await
}

/// One call as Payme makes it (`text/json`, Basic auth when `key` is given); the answer must be 200.
async fn raw(app: &TestApp, path: &str, key: Option<&str>, body: String) -> Value {
    let mut req = app
        .client
        .post(app.url(path))
        .header("content-type", "text/json; charset=UTF-8")
        .body(body);
    if let Some(k) = key {
        req = req.header("authorization", basic(k));
    }
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), 200, "Payme always gets HTTP 200");
    res.json().await.unwrap()
}

async fn rpc_at(app: &TestApp, path: &str, key: Option<&str>, method: &str, params: Value) -> Value {
    let reply = raw(
        app,
        path,
        key,
        json!({"jsonrpc": "2.0", "method": method, "params": params, "id": 4021}).to_string(),
    )
    .await;
    assert_eq!(reply["id"], json!(4021), "{reply}");
    reply
}

async fn rpc(app: &TestApp, method: &str, params: Value) -> Value {
    rpc_at(app, PATH, Some(KEY), method, params).await
}

fn code(reply: &Value) -> i64 {
    reply["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("not an error: {reply}"))
}

fn create_params(id: &str, time: i64, amount: i64, order: &str) -> Value {
    json!({"id": id, "time": time, "amount": amount, "account": {"order_id": order}})
}

fn now_ms(app: &TestApp) -> i64 {
    app.app.now().and_utc().timestamp_millis()
}

/// The order as its organization's owner sees it: the order, its transactions, the calls, the command.
async fn detail(app: &TestApp, shop: &Shop, id: &str) -> Value {
    let (status, body) = get(app, &format!("/api/v1/orders/{id}"), &shop.owner).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn poll(app: &TestApp, shop: &Shop) -> Vec<Value> {
    let res = app
        .client
        .get(app.url("/api/v1/gateway/commands?wait=0"))
        .header("x-api-key", &shop.key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    body["commands"].as_array().unwrap().clone()
}

/// CheckTransaction and GetStatement agree with what the last answer said.
async fn consistent(app: &TestApp, tx: &str, expect: Value) {
    let checked = rpc(app, "CheckTransaction", json!({"id": tx})).await;
    assert_eq!(checked["result"], expect, "CheckTransaction");
    let st = rpc(
        app,
        "GetStatement",
        json!({"from": now_ms(app) - 86_400_000, "to": now_ms(app) + 1}),
    )
    .await;
    let line = st["result"]["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == tx)
        .unwrap_or_else(|| panic!("{tx} missing from {st}"))
        .clone();
    for field in [
        "create_time",
        "perform_time",
        "cancel_time",
        "transaction",
        "state",
        "reason",
    ] {
        assert_eq!(line[field], expect[field], "GetStatement {field}");
    }
}

/// The sandbox's checks of bad auth, wrong amount and unknown account on each method.
async fn refusals(app: &TestApp, shop: &Shop, order_id: &str) {
    let tx = tx_id();
    for key in [None, Some("wrong"), Some(&format!("{KEY}x")[..])] {
        for (method, params) in [
            (
                "CheckPerformTransaction",
                json!({"amount": shop.price, "account": {"order_id": order_id}}),
            ),
            (
                "CreateTransaction",
                create_params(&tx, now_ms(app), shop.price, order_id),
            ),
            ("PerformTransaction", json!({"id": tx})),
            ("CancelTransaction", json!({"id": tx, "reason": 1})),
            ("CheckTransaction", json!({"id": tx})),
            ("GetStatement", json!({"from": 0, "to": now_ms(app)})),
        ] {
            let reply = rpc_at(app, PATH, key, method, params).await;
            assert_eq!(code(&reply), -32504, "{method} with {key:?}");
            assert!(reply["error"]["message"]["uz"].is_string());
        }
    }
    let wrong = rpc(
        app,
        "CheckPerformTransaction",
        json!({"amount": shop.price + 100, "account": {"order_id": order_id}}),
    )
    .await;
    assert_eq!(code(&wrong), -31001);
    assert_eq!(wrong["error"]["data"], "amount");
    assert_eq!(
        code(
            &rpc(
                app,
                "CreateTransaction",
                create_params(&tx, now_ms(app), 1, order_id)
            )
            .await
        ),
        -31001
    );
    let unknown = uuid::Uuid::now_v7().to_string();
    for account in [
        json!({"order_id": unknown}),
        json!({}),
        json!({"order_id": "x".repeat(500)}),
    ] {
        let reply = rpc(
            app,
            "CheckPerformTransaction",
            json!({"amount": shop.price, "account": account}),
        )
        .await;
        assert_eq!(code(&reply), -31050, "{reply}");
        assert_eq!(reply["error"]["data"], "order_id");
        assert_eq!(reply["error"]["message"]["ru"], "Заказ не найден");
        assert_eq!(reply["error"]["message"]["en"], "Order not found");
    }
    assert_eq!(
        code(
            &rpc(
                app,
                "CreateTransaction",
                create_params(&tx, now_ms(app), shop.price, &unknown)
            )
            .await
        ),
        -31050
    );
    assert_eq!(
        code(&rpc(app, "CheckTransaction", json!({"id": tx})).await),
        -31003
    );
}

#[tokio::test]
async fn sandbox_scenario_1_create_then_cancel_an_unconfirmed_transaction() {
    let clock = ManualClock::starting_now();
    let app = payme_app(Some(&clock)).await;
    let shop = shop(&app).await;
    let o = order(&app, &shop).await;
    let id = o["id"].as_str().unwrap();
    refusals(&app, &shop, id).await;

    let check = rpc(
        &app,
        "CheckPerformTransaction",
        json!({"amount": shop.price, "account": {"order_id": id}}),
    )
    .await;
    assert_eq!(check["result"]["allow"], true, "{check}");
    let (_, product) = get(
        &app,
        &format!("/api/v1/products/{}", shop.product_id),
        &shop.owner,
    )
    .await;
    let item = &check["result"]["detail"]["items"][0];
    assert_eq!(check["result"]["detail"]["receipt_type"], 0);
    assert_eq!(item["code"], product["ikpu_code"], "{item} {product}");
    assert_eq!(item["vat_percent"], product["vat_rate"]);
    assert_eq!(
        item["package_code"],
        product["package_code"].as_str().unwrap_or("")
    );
    assert_eq!(
        (item["price"].as_i64(), item["count"].as_i64()),
        (Some(shop.price), Some(1))
    );

    let tx = tx_id();
    let t0 = now_ms(&app);
    let created = rpc(
        &app,
        "CreateTransaction",
        create_params(&tx, t0 - 2_000, shop.price, id),
    )
    .await;
    assert_eq!(created["result"]["create_time"], t0, "{created}");
    assert_eq!(created["result"]["state"], 1);
    let ours = created["result"]["transaction"].clone();
    assert!(ours.is_string());
    consistent(
        &app,
        &tx,
        json!({"create_time": t0, "perform_time": 0, "cancel_time": 0, "transaction": ours, "state": 1, "reason": null}),
    )
    .await;

    clock.advance(chrono::Duration::seconds(5));
    let again = rpc(
        &app,
        "CreateTransaction",
        create_params(&tx, t0 - 2_000, shop.price, id),
    )
    .await;
    assert_eq!(
        again["result"], created["result"],
        "a repeat answers the stored create_time"
    );
    let second = rpc(
        &app,
        "CreateTransaction",
        create_params(&tx_id(), t0, shop.price, id),
    )
    .await;
    assert_eq!(code(&second), -31051, "one pending transaction per order");
    assert_eq!(second["error"]["data"], "order_id");
    assert_eq!(
        code(
            &rpc(
                &app,
                "CheckPerformTransaction",
                json!({"amount": shop.price, "account": {"order_id": id}})
            )
            .await
        ),
        -31051
    );

    clock.advance(chrono::Duration::seconds(1));
    let t_cancel = now_ms(&app);
    let cancelled = rpc(&app, "CancelTransaction", json!({"id": tx, "reason": 3})).await;
    assert_eq!(
        cancelled["result"],
        json!({"transaction": ours, "cancel_time": t_cancel, "state": -1})
    );
    clock.advance(chrono::Duration::seconds(1));
    let again = rpc(&app, "CancelTransaction", json!({"id": tx, "reason": 3})).await;
    assert_eq!(
        again["result"], cancelled["result"],
        "a repeat answers the stored cancel_time"
    );
    consistent(
        &app,
        &tx,
        json!({"create_time": t0, "perform_time": 0, "cancel_time": t_cancel, "transaction": ours, "state": -1, "reason": 3}),
    )
    .await;
    assert_eq!(
        code(&rpc(&app, "PerformTransaction", json!({"id": tx})).await),
        -31008
    );
    assert_eq!(
        code(
            &rpc(
                &app,
                "CreateTransaction",
                create_params(&tx, t0 - 2_000, shop.price, id)
            )
            .await
        ),
        -31008
    );

    let d = detail(&app, &shop, id).await;
    assert_eq!(d["order"]["status"], "created", "never paid");
    assert_eq!(d["payments"].as_array().unwrap().len(), 1);
    assert_eq!(d["payments"][0]["state"], "-1");
    let calls = d["calls"].as_array().unwrap();
    assert!(
        calls.len() >= 8,
        "every call about the order is recorded: {}",
        calls.len()
    );
    assert!(calls.iter().any(|c| c["outcome"] == "-31051"));
    assert!(calls.iter().all(|c| c["http_status"] == 200));
    assert!(poll(&app, &shop).await.is_empty(), "nothing to vend");
}

#[tokio::test]
async fn sandbox_scenario_2_create_perform_then_cancel_a_confirmed_transaction() {
    let clock = ManualClock::starting_now();
    let app = payme_app(Some(&clock)).await;
    let shop = shop(&app).await;
    let o = order(&app, &shop).await;
    let id = o["id"].as_str().unwrap();
    refusals(&app, &shop, id).await;

    let tx = tx_id();
    let t0 = now_ms(&app);
    let created = rpc(&app, "CreateTransaction", create_params(&tx, t0, shop.price, id)).await;
    let ours = created["result"]["transaction"].clone();
    clock.advance(chrono::Duration::seconds(2));
    let t_perform = now_ms(&app);
    let performed = rpc(&app, "PerformTransaction", json!({"id": tx})).await;
    assert_eq!(
        performed["result"],
        json!({"transaction": ours, "perform_time": t_perform, "state": 2})
    );
    consistent(
        &app,
        &tx,
        json!({"create_time": t0, "perform_time": t_perform, "cancel_time": 0, "transaction": ours, "state": 2, "reason": null}),
    )
    .await;
    clock.advance(chrono::Duration::seconds(2));
    let again = rpc(&app, "PerformTransaction", json!({"id": tx})).await;
    assert_eq!(
        again["result"], performed["result"],
        "a repeat answers the stored perform_time"
    );
    assert_eq!(
        code(
            &rpc(
                &app,
                "CheckPerformTransaction",
                json!({"amount": shop.price, "account": {"order_id": id}})
            )
            .await
        ),
        -31052,
        "a paid order refuses a second payment"
    );
    assert_eq!(
        code(
            &rpc(
                &app,
                "CreateTransaction",
                create_params(&tx_id(), t0, shop.price, id)
            )
            .await
        ),
        -31052
    );
    assert_eq!(detail(&app, &shop, id).await["order"]["status"], "paid");

    clock.advance(chrono::Duration::seconds(2));
    let t_cancel = now_ms(&app);
    let cancelled = rpc(&app, "CancelTransaction", json!({"id": tx, "reason": 5})).await;
    assert_eq!(
        cancelled["result"],
        json!({"transaction": ours, "cancel_time": t_cancel, "state": -2})
    );
    clock.advance(chrono::Duration::seconds(2));
    let again = rpc(&app, "CancelTransaction", json!({"id": tx, "reason": 5})).await;
    assert_eq!(again["result"], cancelled["result"]);
    consistent(
        &app,
        &tx,
        json!({"create_time": t0, "perform_time": t_perform, "cancel_time": t_cancel, "transaction": ours, "state": -2, "reason": 5}),
    )
    .await;
    assert_eq!(
        code(&rpc(&app, "PerformTransaction", json!({"id": tx})).await),
        -31008
    );
    let d = detail(&app, &shop, id).await;
    assert_eq!(d["order"]["status"], "refunded");
    assert_eq!(
        d["command"]["status"], "withdrawn",
        "the refunded order's vend is withdrawn"
    );
    assert!(
        poll(&app, &shop).await.is_empty(),
        "no machine vends a refunded order"
    );
}

#[tokio::test]
async fn a_perform_pays_the_order_and_the_machine_s_vend_makes_the_sale() {
    let app = payme_app(None).await;
    let shop = shop(&app).await;
    let o = order(&app, &shop).await;
    let id = o["id"].as_str().unwrap();
    let tx = tx_id();
    rpc(
        &app,
        "CreateTransaction",
        create_params(&tx, now_ms(&app), shop.price, id),
    )
    .await;
    assert_eq!(
        code(
            &rpc(
                &app,
                "SetFiscalData",
                json!({"id": tx, "type": "PERFORM", "fiscal_data": fiscal()})
            )
            .await
        ),
        -32602,
        "no receipt for an unperformed transaction"
    );
    let performed = rpc(&app, "PerformTransaction", json!({"id": tx})).await;
    assert_eq!(performed["result"]["state"], 2, "{performed}");
    assert_eq!(detail(&app, &shop, id).await["order"]["status"], "paid");

    let commands = poll(&app, &shop).await;
    assert_eq!(commands.len(), 1, "{commands:?}");
    assert_eq!(commands[0]["order_id"], id);
    assert_eq!(commands[0]["amount"], shop.price);
    let res = app
        .client
        .post(app.url(&format!(
            "/api/v1/gateway/commands/{}/result",
            commands[0]["id"].as_str().unwrap()
        )))
        .header("x-api-key", &shop.key)
        .json(&json!({"status": "dispensed"}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    let d = detail(&app, &shop, id).await;
    assert_eq!(d["order"]["status"], "dispensed");
    assert!(d["order"]["sale_id"].is_string(), "{d}");
    assert_eq!(d["order"]["provider"], "payme");

    let refused = rpc(&app, "CancelTransaction", json!({"id": tx, "reason": 5})).await;
    assert_eq!(code(&refused), -31007, "a delivered order cannot be cancelled");

    let stored = rpc(
        &app,
        "SetFiscalData",
        json!({"id": tx, "type": "PERFORM", "fiscal_data": fiscal()}),
    )
    .await;
    assert_eq!(stored["result"], json!({"success": true}));
    let d = detail(&app, &shop, id).await;
    assert_eq!(d["payments"][0]["fiscal_data"]["PERFORM"], fiscal());
    assert_eq!(
        code(
            &rpc(
                &app,
                "SetFiscalData",
                json!({"id": tx_id(), "type": "PERFORM", "fiscal_data": fiscal()})
            )
            .await
        ),
        -32001
    );
}

fn fiscal() -> Value {
    json!({"receipt_id": 145, "status_code": 0, "message": "accepted", "terminal_id": "EP000000000025",
        "fiscal_sign": "123456789012", "qr_code_url": "https://ofd.soliq.uz/epi?t=EP000000000025&r=145",
        "date": "20261207221021"})
}

#[tokio::test]
async fn out_of_order_and_expired_calls_get_their_codes_and_write_nothing() {
    let clock = ManualClock::starting_now();
    let app = payme_app(Some(&clock)).await;
    let shop = shop(&app).await;
    let o = order(&app, &shop).await;
    let id = o["id"].as_str().unwrap();

    let tx = tx_id();
    assert_eq!(
        code(&rpc(&app, "PerformTransaction", json!({"id": tx})).await),
        -31003,
        "Perform before Create"
    );
    assert_eq!(
        code(&rpc(&app, "CancelTransaction", json!({"id": tx, "reason": 1})).await),
        -31003
    );
    let stale = rpc(
        &app,
        "CreateTransaction",
        create_params(&tx, now_ms(&app) - 43_200_001, shop.price, id),
    )
    .await;
    assert_eq!(code(&stale), -31008, "a create whose Payme time is over 12 h old");
    assert!(
        detail(&app, &shop, id).await["payments"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Created, then the order's 15 minutes run out before Perform.
    rpc(
        &app,
        "CreateTransaction",
        create_params(&tx, now_ms(&app), shop.price, id),
    )
    .await;
    clock.advance(chrono::Duration::minutes(16));
    assert_eq!(
        code(&rpc(&app, "PerformTransaction", json!({"id": tx})).await),
        -31008
    );
    let checked = rpc(&app, "CheckTransaction", json!({"id": tx})).await;
    assert_eq!(checked["result"]["state"], 1, "nothing written: Payme cancels it");
    // (The owner's access token has run out with the clock: the customer's view shows the order.)
    assert_ne!(public_order(&app, id).await["status"], "paid");
    assert!(poll(&app, &shop).await.is_empty());

    // 12 hours after its creation the transaction itself has expired: cancelled with reason 4.
    clock.advance(chrono::Duration::hours(12));
    assert_eq!(
        code(&rpc(&app, "PerformTransaction", json!({"id": tx})).await),
        -31008
    );
    let checked = rpc(&app, "CheckTransaction", json!({"id": tx})).await;
    assert_eq!(checked["result"]["state"], -1);
    assert_eq!(checked["result"]["reason"], 4);
    assert_eq!(checked["result"]["cancel_time"], now_ms(&app));
}

#[tokio::test]
async fn two_concurrent_performs_charge_once_and_queue_one_vend() {
    let app = payme_app(None).await;
    let shop = shop(&app).await;
    let o = order(&app, &shop).await;
    let id = o["id"].as_str().unwrap();
    let tx = tx_id();
    rpc(
        &app,
        "CreateTransaction",
        create_params(&tx, now_ms(&app), shop.price, id),
    )
    .await;
    let (a, b) = tokio::join!(
        rpc(&app, "PerformTransaction", json!({"id": tx})),
        rpc(&app, "PerformTransaction", json!({"id": tx}))
    );
    assert_eq!(a["result"]["state"], 2, "{a}");
    assert_eq!(a["result"], b["result"], "both answer the one perform");
    assert_eq!(poll(&app, &shop).await.len(), 1, "one vend command");
    let d = detail(&app, &shop, id).await;
    assert_eq!(d["order"]["status"], "dispensing");
    assert_eq!(d["payments"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn malformed_calls_get_json_rpc_codes_with_http_200() {
    let app = TestApp::builder()
        .env("PAYME_MERCHANT_ID", MERCHANT)
        .env("PAYME_SECRET_KEY", KEY)
        .env("RATE_LIMIT_LIMIT", "5")
        .spawn()
        .await;
    let reply = raw(&app, PATH, Some(KEY), "{not json".into()).await;
    assert_eq!(code(&reply), -32700);
    let reply = raw(&app, PATH, None, "{not json".into()).await;
    assert_eq!(code(&reply), -32504, "auth comes first");
    let reply = rpc(&app, "Refund", json!({})).await;
    assert_eq!(code(&reply), -32601);
    assert_eq!(reply["error"]["data"], "Refund");
    let reply = rpc(&app, "CheckTransaction", json!({"id": 5})).await;
    assert_eq!(code(&reply), -32600);
    // Payme's calls are not rate limited (RATE_LIMIT_LIMIT is 5 here).
    for _ in 0..8 {
        assert_eq!(
            code(&rpc(&app, "CheckTransaction", json!({"id": tx_id()})).await),
            -31003
        );
    }
    let unconfigured = TestApp::spawn().await;
    let reply = rpc(&unconfigured, "CheckTransaction", json!({"id": tx_id()})).await;
    assert_eq!(code(&reply), -32504, "no account at this URL");
}

/// Gives the organization its own Payme account, as its payment settings would.
async fn own_account(app: &TestApp, org: &str, key: &str, test_key: Option<&str>) {
    let sealed = |k: &str| {
        vendhub_app::auth::secrets_at_rest::seal(&app.app.auth().encryption_key, k.as_bytes()).unwrap()
    };
    let row = vendhub_store::payments::PaymentAccountRow {
        organization_id: org.to_owned(),
        provider: "payme".into(),
        merchant_id: MERCHANT.into(),
        service_id: None,
        secret_sealed: sealed(key),
        test_secret_sealed: test_key.map(sealed),
        merchant_user_id: None,
        test_mode: test_key.is_some(),
        updated_by: None,
        updated_at: app.app.now(),
    };
    let scope = vendhub_app::payments::order_scope_of(org).unwrap();
    app.app
        .write(move |c| Ok(vendhub_store::payments::save_account(c, &scope, &row)?))
        .await
        .unwrap();
}

#[tokio::test]
async fn an_organization_s_account_serves_its_own_orders_and_no_one_else_s() {
    let app = payme_app(None).await;
    let shop = shop(&app).await;
    let o = order(&app, &shop).await;
    let id = o["id"].as_str().unwrap();
    let (org_b, _) = other_organization(&app, "org-b", "org-b-password-1").await;
    own_account(&app, &org_b, "key-of-b", None).await;
    let b_path = format!("{PATH}/org-b");

    let check = rpc_at(
        &app,
        &b_path,
        Some("key-of-b"),
        "CheckPerformTransaction",
        json!({"amount": shop.price, "account": {"order_id": id}}),
    )
    .await;
    assert_eq!(code(&check), -31050, "B's credentials do not reach A's order");
    let tx = tx_id();
    let create = rpc_at(
        &app,
        &b_path,
        Some("key-of-b"),
        "CreateTransaction",
        create_params(&tx, now_ms(&app), shop.price, id),
    )
    .await;
    assert_eq!(code(&create), -31050);
    let d = detail(&app, &shop, id).await;
    assert!(d["payments"].as_array().unwrap().is_empty(), "nothing written");
    assert_eq!(d["order"]["status"], "created");
    assert!(
        d["calls"].as_array().unwrap().is_empty(),
        "B's refused calls are not A's to see"
    );
    assert_eq!(
        code(&rpc_at(&app, &b_path, Some(KEY), "CheckTransaction", json!({"id": tx})).await),
        -32504,
        "the installation's key does not open B's URL"
    );
    assert_eq!(
        code(
            &rpc_at(
                &app,
                &format!("{PATH}/no-such-org"),
                Some(KEY),
                "CheckTransaction",
                json!({"id": tx})
            )
            .await
        ),
        -32504
    );

    // A transaction through the installation's account is invisible to B.
    rpc(
        &app,
        "CreateTransaction",
        create_params(&tx, now_ms(&app), shop.price, id),
    )
    .await;
    assert_eq!(
        code(
            &rpc_at(
                &app,
                &b_path,
                Some("key-of-b"),
                "CheckTransaction",
                json!({"id": tx})
            )
            .await
        ),
        -31003
    );
    assert_eq!(
        code(
            &rpc_at(
                &app,
                &b_path,
                Some("key-of-b"),
                "PerformTransaction",
                json!({"id": tx})
            )
            .await
        ),
        -31003
    );
    let st = rpc_at(
        &app,
        &b_path,
        Some("key-of-b"),
        "GetStatement",
        json!({"from": 0, "to": now_ms(&app) + 1}),
    )
    .await;
    assert_eq!(st["result"]["transactions"], json!([]));
    rpc(&app, "CancelTransaction", json!({"id": tx, "reason": 3})).await;

    // A takes its own account: its URL with its key serves it, the installation's no longer does.
    own_account(&app, &shop.organization_id, "key-of-a", None).await;
    let a_path = format!("{PATH}/{}", shop.org_slug);
    let check = rpc_at(
        &app,
        &a_path,
        Some("key-of-a"),
        "CheckPerformTransaction",
        json!({"amount": shop.price, "account": {"order_id": id}}),
    )
    .await;
    assert_eq!(check["result"]["allow"], true, "{check}");
    assert_eq!(
        code(&rpc_at(&app, &a_path, Some(KEY), "CheckTransaction", json!({"id": tx})).await),
        -32504
    );
    assert_eq!(
        code(
            &rpc(
                &app,
                "CheckPerformTransaction",
                json!({"amount": shop.price, "account": {"order_id": id}})
            )
            .await
        ),
        -31050,
        "the installation's account serves only organizations without their own"
    );
    let tx2 = tx_id();
    let created = rpc_at(
        &app,
        &a_path,
        Some("key-of-a"),
        "CreateTransaction",
        create_params(&tx2, now_ms(&app), shop.price, id),
    )
    .await;
    assert_eq!(created["result"]["state"], 1, "{created}");
    let performed = rpc_at(
        &app,
        &a_path,
        Some("key-of-a"),
        "PerformTransaction",
        json!({"id": tx2}),
    )
    .await;
    assert_eq!(performed["result"]["state"], 2, "{performed}");
    assert_eq!(poll(&app, &shop).await.len(), 1);
}

#[tokio::test]
async fn change_password_replaces_the_key() {
    let app = payme_app(None).await;
    let reply = rpc(&app, "ChangePassword", json!({"password": KEY})).await;
    assert_eq!(code(&reply), -32504, "the same key again");
    assert_eq!(
        code(&rpc(&app, "ChangePassword", json!({"password": ""})).await),
        -32600
    );
    let reply = rpc(&app, "ChangePassword", json!({"password": "brand-new-key"})).await;
    assert_eq!(reply["result"], json!({"success": true}));
    let old = rpc(&app, "CheckTransaction", json!({"id": tx_id()})).await;
    assert_eq!(code(&old), -32504, "the old key fails");
    let new = rpc_at(
        &app,
        PATH,
        Some("brand-new-key"),
        "CheckTransaction",
        json!({"id": tx_id()}),
    )
    .await;
    assert_eq!(code(&new), -31003, "the new key authenticates");

    // An organization's account, in test mode: the test key is the one that authenticates and changes.
    let shop = shop(&app).await;
    own_account(&app, &shop.organization_id, "org-prod-key", Some("org-test-key")).await;
    let path = format!("{PATH}/{}", shop.org_slug);
    assert_eq!(
        code(
            &rpc_at(
                &app,
                &path,
                Some("org-prod-key"),
                "CheckTransaction",
                json!({"id": tx_id()})
            )
            .await
        ),
        -32504,
        "in test mode the production key does not authenticate"
    );
    let reply = rpc_at(
        &app,
        &path,
        Some("org-test-key"),
        "ChangePassword",
        json!({"password": "org-test-key-2"}),
    )
    .await;
    assert_eq!(reply["result"], json!({"success": true}));
    assert_eq!(
        code(
            &rpc_at(
                &app,
                &path,
                Some("org-test-key"),
                "CheckTransaction",
                json!({"id": tx_id()})
            )
            .await
        ),
        -32504
    );
    assert_eq!(
        code(
            &rpc_at(
                &app,
                &path,
                Some("org-test-key-2"),
                "CheckTransaction",
                json!({"id": tx_id()})
            )
            .await
        ),
        -31003
    );
    assert_eq!(
        code(
            &rpc_at(
                &app,
                PATH,
                Some("brand-new-key"),
                "CheckTransaction",
                json!({"id": tx_id()})
            )
            .await
        ),
        -31003,
        "the installation's key is its own"
    );
}

#[tokio::test]
async fn payme_test_mode_authenticates_with_the_test_key() {
    let app = TestApp::builder()
        .env("PAYME_MERCHANT_ID", MERCHANT)
        .env("PAYME_SECRET_KEY", KEY)
        .env("PAYME_TEST_KEY", "sandbox-key")
        .env("PAYME_TEST_MODE", "true")
        .spawn()
        .await;
    assert_eq!(
        code(&rpc(&app, "CheckTransaction", json!({"id": tx_id()})).await),
        -32504
    );
    let reply = rpc_at(
        &app,
        PATH,
        Some("sandbox-key"),
        "CheckTransaction",
        json!({"id": tx_id()}),
    )
    .await;
    assert_eq!(code(&reply), -31003);
    let reply = rpc_at(
        &app,
        PATH,
        Some("sandbox-key"),
        "ChangePassword",
        json!({"password": "sandbox-key-2"}),
    )
    .await;
    assert_eq!(reply["result"], json!({"success": true}));
    let reply = rpc_at(
        &app,
        PATH,
        Some("sandbox-key-2"),
        "CheckTransaction",
        json!({"id": tx_id()}),
    )
    .await;
    assert_eq!(code(&reply), -31003);
}
