//! Two replicas over one database: Payme's `PerformTransaction` for one order arriving at both at once
//! charges it once and queues one vend command, and a machine long-polling both replicas at once gets each
//! command exactly once.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};
use vendhub_testkit::TestApp;
use vendhub_testkit::api::get;
use vendhub_testkit::orders::{Shop, shop};

const KEY: &str = "payme-replicas-test-key";
const ORDERS: usize = 6;
const ORDERS_I64: i64 = 6;

fn replica() -> vendhub_testkit::Builder {
    TestApp::builder()
        .shared_secrets()
        .env("PAYME_MERCHANT_ID", "replicas-merchant")
        .env("PAYME_SECRET_KEY", KEY)
        .env("TRUSTED_PROXIES", "127.0.0.1")
}

/// A Payme JSON-RPC call as Payme sends it: the answer's JSON.
async fn payme(app: &TestApp, method: &str, params: Value) -> Value {
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("Paycom:{KEY}"));
    let res = app
        .client
        .post(app.url("/api/v1/payments/payme"))
        .header("authorization", format!("Basic {auth}"))
        .header("content-type", "text/json; charset=UTF-8")
        .body(json!({ "method": method, "params": params, "id": 7 }).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// Orders from distinct customers, round-robin over the machine's slots that have something left.
async fn orders(app: &TestApp, shop: &Shop) -> Vec<(String, i64)> {
    let menu: Value = app.get(&shop.public_path("")).await.json().await.unwrap();
    let mut slots: Vec<String> = menu["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["available"] == true)
        .map(|i| i["slot"].as_str().unwrap().to_owned())
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while out.len() < ORDERS {
        assert!(!slots.is_empty(), "the machine sold out before {ORDERS} orders");
        let slot = slots[i % slots.len()].clone();
        let res = app
            .client
            .post(app.url(&shop.public_path("/orders")))
            .header("x-forwarded-for", format!("10.20.0.{i}"))
            .json(&json!({ "slot": slot }))
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let body: Value = res.json().await.unwrap();
        if status == 409 {
            slots.retain(|s| *s != slot);
        } else {
            assert_eq!(status, 201, "{body}");
            out.push((
                body["id"].as_str().unwrap().to_owned(),
                body["amount"].as_i64().unwrap(),
            ));
        }
        i += 1;
    }
    out
}

/// One machine polling `app` until `quit`, recording the commands it gets and answering each `dispensed`.
fn poller(
    app: &Arc<TestApp>,
    shop: &Shop,
    quit: &Arc<AtomicBool>,
    got: &Arc<Mutex<Vec<(String, String)>>>,
) -> tokio::task::JoinHandle<()> {
    let (app, key, quit, got) = (app.clone(), shop.key.clone(), quit.clone(), got.clone());
    tokio::spawn(async move {
        while !quit.load(Ordering::Relaxed) {
            let res = app
                .client
                .get(app.url("/api/v1/gateway/commands?wait=2"))
                .header("x-api-key", &key)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
            let body: Value = res.json().await.unwrap();
            for k in body["commands"].as_array().unwrap() {
                let id = k["id"].as_str().unwrap().to_owned();
                got.lock()
                    .unwrap()
                    .push((id.clone(), k["order_id"].as_str().unwrap().to_owned()));
                let res = app
                    .client
                    .post(app.url(&format!("/api/v1/gateway/commands/{id}/result")))
                    .header("x-api-key", &key)
                    .json(&json!({ "status": "dispensed" }))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 200);
            }
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn perform_on_two_replicas_at_once_charges_once_and_each_vend_reaches_the_machine_once() {
    let one = Arc::new(replica().spawn().await);
    let two = Arc::new(replica().same_database_as(&one).spawn().await);
    let shop = shop(&one).await;
    let stock_path = format!("/api/v1/inventory/machine/{}", shop.machine_id);
    let units = |stock: &Value| {
        stock
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["quantity"].as_i64().unwrap())
            .sum::<i64>()
    };
    let before = units(&get(&one, &stock_path, &shop.owner).await.1);
    let placed = orders(&one, &shop).await;

    // The machine long-polls both replicas at once, the whole time.
    let quit = Arc::new(AtomicBool::new(false));
    let got: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let pollers = [poller(&one, &shop, &quit, &got), poller(&two, &shop, &quit, &got)];

    for (i, (order_id, amount)) in placed.iter().enumerate() {
        let tx = format!("{:024x}", 0x5e00_u64 + i as u64);
        let created = payme(
            &one,
            "CreateTransaction",
            json!({ "id": tx, "time": chrono::Utc::now().timestamp_millis(), "amount": amount,
                "account": { "order_id": order_id } }),
        )
        .await;
        assert_eq!(created["result"]["state"], 1, "{created}");
        // Payme retries a Perform it got no answer to: here the retry reaches the other replica while
        // the first is still running.
        let (a, b) = tokio::join!(
            payme(&one, "PerformTransaction", json!({ "id": tx })),
            payme(&two, "PerformTransaction", json!({ "id": tx })),
        );
        assert_eq!(a["result"]["state"], 2, "{a}");
        assert_eq!(b["result"]["state"], 2, "{b}");
        assert_eq!(
            a["result"]["perform_time"], b["result"]["perform_time"],
            "one perform: {a} {b}"
        );
        assert_eq!(a["result"]["transaction"], b["result"]["transaction"]);
    }

    // Every order dispensed (the machine answered each command it got).
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, list) = get(&one, "/api/v1/orders?status=dispensed&limit=100", &shop.owner).await;
        if list["meta"]["total"] == ORDERS {
            break;
        }
        assert!(Instant::now() < deadline, "not all dispensed: {list:#}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    quit.store(true, Ordering::Relaxed);
    for p in pollers {
        p.await.unwrap();
    }

    let got = got.lock().unwrap().clone();
    let ids: HashSet<&String> = got.iter().map(|(k, _)| k).collect();
    let orders_got: HashSet<&String> = got.iter().map(|(_, o)| o).collect();
    assert_eq!(got.len(), ORDERS, "each command handed out once: {got:?}");
    assert_eq!(ids.len(), ORDERS);
    assert_eq!(orders_got.len(), ORDERS);
    for (order_id, amount) in &placed {
        let (_, d) = get(&two, &format!("/api/v1/orders/{order_id}"), &shop.owner).await;
        let payments = d["payments"].as_array().unwrap();
        assert_eq!(payments.len(), 1, "{d:#}");
        assert_eq!(payments[0]["state"], "2", "{d:#}");
        assert_eq!(payments[0]["amount"], *amount);
        assert_eq!(d["command"]["status"], "dispensed", "{d:#}");
        assert_eq!(d["order"]["status"], "dispensed", "{d:#}");
        assert!(d["order"]["sale_id"].is_string(), "{d:#}");
    }
    let after = units(&get(&two, &stock_path, &shop.owner).await.1);
    assert_eq!(before - after, ORDERS_I64, "one unit out per order");
}
