//! Refunds through the order's provider, by the real `orders.refund` job against a local stand-in of the
//! provider's API that accepts, refuses or stalls; the order and payment figures on `/metrics`; and
//! `vendhub simulate` answering a paid order's vend command like a machine.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::{delete, post};
use diesel::RunQueryDsl;
use serde_json::{Value, json};
use sha1::Digest;
use vendhub_app::payments::{Effect, apply, order_scope};
use vendhub_domain::payments::Provider;
use vendhub_store::payments::{self as pstore, PaymentTxRow};
use vendhub_testkit::api::{get, post as api_post};
use vendhub_testkit::orders::{Shop, order, public_order, shop as open_shop};
use vendhub_testkit::{OWNER_EMAIL, OWNER_PASSWORD, TestApp};

const CLICK_SECRET: &str = "click-secret-key-for-tests";

/// How the stand-in answers, call by call (the last one repeats).
#[derive(Clone, Copy, Debug)]
enum Answer {
    Accept,
    Refuse,
    Stall,
}

#[derive(Clone, Default)]
struct StandIn {
    script: Arc<Mutex<Vec<Answer>>>,
    /// (path, auth header, body) of every call.
    calls: Arc<Mutex<Vec<(String, String, Value)>>>,
}

impl StandIn {
    fn next(&self) -> Answer {
        let mut s = self.script.lock().unwrap();
        if s.len() > 1 { s.remove(0) } else { s[0] }
    }
    fn calls(&self) -> Vec<(String, String, Value)> {
        self.calls.lock().unwrap().clone()
    }
}

async fn click_reversal(
    State(s): State<StandIn>,
    Path((service, payment)): Path<(String, String)>,
    headers: HeaderMap,
) -> axum::Json<Value> {
    let auth = headers
        .get("auth")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    s.calls.lock().unwrap().push((
        format!("/payment/reversal/{service}/{payment}"),
        auth,
        Value::Null,
    ));
    match s.next() {
        Answer::Accept => {
            axum::Json(json!({ "error_code": 0, "error_note": "Success", "payment_id": payment }))
        }
        Answer::Refuse => {
            axum::Json(json!({ "error_code": -5017, "error_note": "Reversal is not possible" }))
        }
        Answer::Stall => {
            tokio::time::sleep(Duration::from_secs(30)).await;
            axum::Json(json!({ "error_code": 0 }))
        }
    }
}

async fn payme_api(
    State(s): State<StandIn>,
    headers: HeaderMap,
    axum::Json(body): axum::Json<Value>,
) -> axum::Json<Value> {
    let auth = headers
        .get("x-auth")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    s.calls.lock().unwrap().push(("/api".into(), auth, body.clone()));
    match s.next() {
        Answer::Accept => axum::Json(json!({ "jsonrpc": "2.0", "id": body["id"],
            "result": { "receipt": { "_id": body["params"]["id"], "state": 50 } } })),
        Answer::Refuse => axum::Json(json!({ "jsonrpc": "2.0", "id": body["id"],
            "error": { "code": -31630, "message": "Cancel is not possible" } })),
        Answer::Stall => {
            tokio::time::sleep(Duration::from_secs(30)).await;
            axum::Json(json!({}))
        }
    }
}

/// Starts the stand-in of Click's Merchant API (`/v2/merchant/…`) and Payme's Subscribe API (`/api`).
async fn stand_in(script: Vec<Answer>) -> (String, StandIn) {
    let s = StandIn {
        script: Arc::new(Mutex::new(script)),
        ..StandIn::default()
    };
    let router = axum::Router::new()
        .route(
            "/v2/merchant/payment/reversal/{service}/{payment}",
            delete(click_reversal),
        )
        .route("/api", post(payme_api))
        .with_state(s.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (base, s)
}

/// An app with the refund job running, Click and Payme accounts pointing at the stand-in.
async fn app_with(base: &str, extra: &[(&str, &str)]) -> TestApp {
    let mut b = TestApp::builder()
        .jobs(vendhub_jobs::Registry::standard(), Vec::new())
        .env("CLICK_MERCHANT_ID", "4321")
        .env("CLICK_SERVICE_ID", "98765")
        .env("CLICK_SECRET_KEY", CLICK_SECRET)
        .env("CLICK_MERCHANT_USER_ID", "555")
        .env("CLICK_API_URL", format!("{base}/v2/merchant"))
        .env("PAYME_MERCHANT_ID", "payme-merchant-1")
        .env("PAYME_SECRET_KEY", "payme-key-1")
        .env("PAYME_API_URL", format!("{base}/api"))
        .env("UZUM_MERCHANT_ID", "uzum-login")
        .env("UZUM_SECRET_KEY", "uzum-password")
        .env("UZUM_SERVICE_ID", "77")
        .env("PAYMENT_API_TIMEOUT", "1s")
        .env("JOB_POLL_INTERVAL", "100ms");
    for (k, v) in extra {
        b = b.env(k, *v);
    }
    b.spawn().await
}

/// Pays `order_id` in-process the way a provider's final call does: the provider's transaction row (Click:
/// confirmed with its paydoc id; Payme: state 2; Uzum: confirmed) and `Effect::MarkPaid`, in one
/// transaction.
pub async fn pay(app: &TestApp, order_id: &str, provider: Provider, provider_tx_id: &str) {
    let (id, tx) = (order_id.to_owned(), provider_tx_id.to_owned());
    let a = app.app.clone();
    let events = app
        .app
        .write(move |c| {
            let found = vendhub_store::orders::find_any(c, &id)?.unwrap();
            let scope = order_scope(&found)?;
            let mut o = vendhub_store::orders::lock(c, &scope, &id)?.unwrap();
            let now = a.now();
            let state = match provider {
                Provider::Payme => "2",
                Provider::Click | Provider::Uzum => "confirmed",
            };
            pstore::save(
                c,
                &scope,
                &PaymentTxRow {
                    id: uuid::Uuid::now_v7().to_string(),
                    organization_id: o.organization_id.clone(),
                    order_id: o.id.clone(),
                    provider: provider.as_str().into(),
                    provider_tx_id: tx.clone(),
                    state: state.into(),
                    amount: o.amount,
                    provider_time: None,
                    create_time: vendhub_app::payments::ms(now),
                    perform_time: Some(vendhub_app::payments::ms(now)),
                    cancel_time: None,
                    reason: None,
                    prepare_id: None,
                    paydoc_id: (provider == Provider::Click).then_some(777_001),
                    fiscal_data: None,
                    created_at: now,
                    updated_at: now,
                },
            )?;
            apply(
                c,
                &scope,
                &mut o,
                provider,
                Effect::MarkPaid,
                &a.settings().payments,
                now,
            )
        })
        .await
        .unwrap();
    vendhub_app::orders::publish_all(&app.app, &events).await;
}

/// The machine takes its command and answers `failed`: the order goes to refund.
async fn vend_fails(app: &TestApp, shop: &Shop) {
    let res: Value = app
        .client
        .get(app.url("/api/v1/gateway/commands?wait=5"))
        .header("x-api-key", &shop.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = res["commands"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no command in {res}"));
    let r = app
        .client
        .post(app.url(&format!("/api/v1/gateway/commands/{id}/result")))
        .header("x-api-key", &shop.key)
        .json(&json!({ "status": "failed", "reason": "motor jam" }))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
}

async fn wait_for_status(app: &TestApp, id: &str, want: &str) -> Value {
    for _ in 0..100 {
        let o = public_order(app, id).await;
        if o["status"] == want {
            return o;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("order {id} never became {want}: {}", public_order(app, id).await);
}

async fn audit_actions(app: &TestApp, shop: &Shop, action: &str) -> Vec<Value> {
    let (_, body) = get(
        app,
        &format!("/api/v1/audit?action={action}&limit=100"),
        &shop.owner,
    )
    .await;
    body["data"].as_array().cloned().unwrap_or_default()
}

/// `(state, attempts, max_attempts)` of the order's refund job.
async fn refund_job(app: &TestApp) -> (String, i32, i32) {
    app.app
        .db()
        .run(|c| {
            let jobs = vendhub_store::jobs::by_kind(c, "orders.refund")?;
            let j = jobs.last().unwrap();
            Ok((j.state.clone(), j.attempts, j.max_attempts))
        })
        .await
        .unwrap()
}

fn click_auth_ok(auth: &str) -> bool {
    let parts: Vec<&str> = auth.split(':').collect();
    parts.len() == 3
        && parts[0] == "555"
        && parts[2].len() == 10
        && parts[1]
            == hex::encode(sha1::Sha1::digest(
                format!("{}{CLICK_SECRET}", parts[2]).as_bytes(),
            ))
}

#[tokio::test]
async fn a_failed_vend_of_a_click_order_is_reversed_through_clicks_merchant_api() {
    let (base, standin) = stand_in(vec![Answer::Accept]).await;
    let app = app_with(&base, &[]).await;
    let shop = open_shop(&app).await;
    let o = order(&app, &shop).await;
    let id = o["id"].as_str().unwrap();
    pay(&app, id, Provider::Click, "click-trans-1").await;
    vend_fails(&app, &shop).await;
    wait_for_status(&app, id, "refunded").await;

    let calls = standin.calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].0, "/payment/reversal/98765/777001");
    assert!(click_auth_ok(&calls[0].1), "Auth header {:?}", calls[0].1);
    // The Click payment is stored cancelled; the refund is audited with its amount.
    let (_, detail) = get(&app, &format!("/api/v1/orders/{id}"), &shop.owner).await;
    assert_eq!(detail["order"]["status"], "refunded", "{detail}");
    assert_eq!(detail["payments"][0]["state"], "cancelled", "{detail}");
    assert_eq!(detail["calls"][0]["method"], "payment_reversal", "{detail}");
    let refunded = audit_actions(&app, &shop, "order.refunded").await;
    assert_eq!(refunded.len(), 1);
    assert_eq!(refunded[0]["entity_id"], id);
    let (a, oid) = (app.app.clone(), id.to_owned());
    let txs = app
        .app
        .write(move |c| {
            let found = vendhub_store::orders::find_any(c, &oid)?.unwrap();
            let _ = &a;
            Ok(pstore::for_order(c, &order_scope(&found)?, &oid)?)
        })
        .await
        .unwrap();
    assert_eq!(txs[0].state, "cancelled");
    assert!(txs[0].cancel_time.is_some());
    // The figures follow: one refunded order, the Click transaction counted as cancelled.
    let text = app.get("/metrics").await.text().await.unwrap();
    assert!(
        text.lines()
            .any(|l| l.starts_with("vendhub_orders_total{status=\"refunded\"} 1")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("vendhub_payments_total{provider=\"click\",status=\"cancelled\"} 1")),
        "{text}"
    );
}

#[tokio::test]
async fn a_refused_then_stalled_click_reversal_retries_then_waits_for_the_accountant() {
    let (base, standin) = stand_in(vec![Answer::Refuse, Answer::Stall]).await;
    let app = app_with(&base, &[]).await;
    let shop = open_shop(&app).await;
    let o = order(&app, &shop).await;
    let id = o["id"].as_str().unwrap();
    pay(&app, id, Provider::Click, "click-trans-2").await;
    vend_fails(&app, &shop).await;
    // First attempt refused: the job is queued again with backoff, the order still waits.
    let mut job = refund_job(&app).await;
    for _ in 0..100 {
        if job.1 >= 1 && job.0 == "queued" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        job = refund_job(&app).await;
    }
    assert_eq!((job.0.as_str(), job.1), ("queued", 1), "{job:?}");
    assert_eq!(public_order(&app, id).await["status"], "refund_pending");
    // Make the next attempt the last one (the backoff is still running).
    app.app
        .db()
        .run(|c| {
            diesel::sql_query("UPDATE jobs SET max_attempts = 2 WHERE kind = 'orders.refund'").execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    // Second attempt: the stand-in stalls past the 1 s timeout; the job is dead, the order waits.
    for _ in 0..100 {
        job = refund_job(&app).await;
        if job.0 == "dead" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!((job.0.as_str(), job.1), ("dead", 2), "{job:?}");
    assert_eq!(standin.calls().len(), 2);
    assert_eq!(public_order(&app, id).await["status"], "refund_pending");
    let failed = audit_actions(&app, &shop, "order.refund_failed").await;
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert!(
        failed.iter().any(|a| a.to_string().contains("-5017")),
        "{failed:?}"
    );
    // Visible in the panel's list of orders waiting for their refund, and the accountant records it.
    let (_, list) = get(&app, "/api/v1/orders?status=refund_pending", &shop.owner).await;
    assert_eq!(list["data"][0]["id"], id, "{list}");
    let (status, done) = api_post(
        &app,
        &format!("/api/v1/orders/{id}/refunded"),
        &shop.owner,
        json!({ "note": "reversed by hand in the Click cabinet" }),
    )
    .await;
    assert!(status.is_success(), "{status} {done}");
    assert_eq!(done["status"], "refunded");
    let _ = (OWNER_EMAIL, OWNER_PASSWORD);
}

#[tokio::test]
async fn payme_refunds_wait_unless_receipt_cancel_is_on_and_uzum_refunds_always_wait() {
    // Without PAYME_RECEIPT_CANCEL nothing is called: Payme's own CancelTransaction or the accountant
    // completes it. Uzum Bank has no call at all.
    let (base, standin) = stand_in(vec![Answer::Accept]).await;
    let app = app_with(&base, &[]).await;
    let shop = open_shop(&app).await;
    for (provider, tx) in [
        (Provider::Payme, "payme-receipt-1"),
        (Provider::Uzum, "uzum-trans-1"),
    ] {
        let o = order(&app, &shop).await;
        let id = o["id"].as_str().unwrap().to_owned();
        pay(&app, &id, provider, tx).await;
        vend_fails(&app, &shop).await;
        for _ in 0..100 {
            if refund_job(&app).await.0 == "done" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(refund_job(&app).await.0, "done");
        assert_eq!(
            public_order(&app, &id).await["status"],
            "refund_pending",
            "{provider:?}"
        );
    }
    assert!(standin.calls().is_empty());
    assert_eq!(audit_actions(&app, &shop, "order.refund_waiting").await.len(), 2);

    // With it, the receipt is cancelled through the Subscribe API.
    let (base, standin) = stand_in(vec![Answer::Accept]).await;
    let app = app_with(&base, &[("PAYME_RECEIPT_CANCEL", "true")]).await;
    let shop = open_shop(&app).await;
    let o = order(&app, &shop).await;
    let id = o["id"].as_str().unwrap();
    pay(&app, id, Provider::Payme, "payme-receipt-2").await;
    vend_fails(&app, &shop).await;
    wait_for_status(&app, id, "refunded").await;
    let calls = standin.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].1, "payme-merchant-1:payme-key-1");
    assert_eq!(calls[0].2["method"], "receipts.cancel");
    assert_eq!(calls[0].2["params"]["id"], "payme-receipt-2");
}

#[tokio::test]
async fn metrics_count_orders_per_status_and_payments_per_provider() {
    let (base, _) = stand_in(vec![Answer::Accept]).await;
    let app = app_with(&base, &[]).await;
    let shop = open_shop(&app).await;
    let first = order(&app, &shop).await;
    order(&app, &shop).await;
    pay(
        &app,
        first["id"].as_str().unwrap(),
        Provider::Payme,
        "payme-receipt-9",
    )
    .await;
    let text = app.get("/metrics").await.text().await.unwrap();
    let value = |line: &str| {
        text.lines()
            .find(|l| l.starts_with(line))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse::<f64>().ok())
    };
    assert_eq!(
        value("vendhub_orders_total{status=\"created\"}"),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        value("vendhub_orders_total{status=\"paid\"}"),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        value("vendhub_orders_total{status=\"refunded\"}"),
        Some(0.0),
        "{text}"
    );
    assert_eq!(
        value("vendhub_payments_total{provider=\"payme\",status=\"performed\"}"),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        value("vendhub_payments_total{provider=\"uzum\",status=\"cancelled\"}"),
        Some(0.0),
        "{text}"
    );
    assert!(text.contains("# TYPE vendhub_orders_total gauge"), "{text}");
}

#[tokio::test]
async fn vendhub_simulate_dispenses_a_paid_order_and_fails_the_configured_share() {
    let (base, _) = stand_in(vec![Answer::Accept]).await;
    let app = app_with(&base, &[]).await;
    let shop = open_shop(&app).await;
    let o = order(&app, &shop).await;
    let id = o["id"].as_str().unwrap().to_owned();
    // Both orders are placed now: the simulator may report a (simulated) machine error, after which the
    // machine takes no new orders.
    let second = order(&app, &shop).await;
    pay(&app, &id, Provider::Payme, "payme-receipt-sim").await;
    let options = vendhub::simulate::Options {
        url: app.url(""),
        email: OWNER_EMAIL.into(),
        password: OWNER_PASSWORD.into(),
        machines: 1,
        rate: 0.0,
        duration: Some(Duration::from_millis(2500)),
        vend_failure_rate: 0.0,
    };
    let summary = vendhub::simulate::run(&options).await.unwrap();
    assert_eq!((summary.dispensed, summary.vend_failed), (1, 0), "{summary}");
    assert_eq!(public_order(&app, &id).await["status"], "dispensed");
    let (_, detail) = get(&app, &format!("/api/v1/orders/{id}"), &shop.owner).await;
    assert_ne!(detail["order"]["sale_id"], Value::Null, "{detail}");

    // Every vend failing: the paid order goes to refund.
    let id = second["id"].as_str().unwrap().to_owned();
    pay(&app, &id, Provider::Uzum, "uzum-trans-sim").await;
    let summary = vendhub::simulate::run(&vendhub::simulate::Options {
        vend_failure_rate: 1.0,
        ..options.clone()
    })
    .await
    .unwrap();
    assert_eq!((summary.dispensed, summary.vend_failed), (0, 1), "{summary}");
    assert_eq!(public_order(&app, &id).await["status"], "refund_pending");
    let bad = vendhub::simulate::run(&vendhub::simulate::Options {
        vend_failure_rate: 1.5,
        ..options
    })
    .await
    .unwrap_err();
    assert!(bad.contains("--vend-failure-rate"), "{bad}");
}
