//! `kill -9` in the middle of paying: a real `vendhub serve` takes customer orders, Payme's
//! `CreateTransaction` + `PerformTransaction` pairs and a machine's long polls and vend results all at once, is
//! killed with SIGKILL half-way, and restarts on the same data. The "providers" retry every call that got
//! no answer (same ids, same params, as Payme does) and the machine keeps polling until everything settles.
//! Then, through the API as the owner: no order charged twice, every paid order dispensed or being
//! refunded, one vend command per order and none handed out twice, one sale per dispensed order, and the
//! stock down by exactly the dispensed units. Runs on SQLite, and on PostgreSQL with `TEST_DATABASE_URL`.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};
use vendhub_store::test_db::TestDb;

use super::{Server, db_url, run, serve, stderr};

const OWNER: &str = "owner@kill.vendhub.local";
const PASSWORD: &str = "kill-test-password-123";
const PAYME_KEY: &str = "payme-kill-test-key";
/// Orders per machine: within the 20 a minute one machine may take.
const PER_MACHINE: usize = 9;
const MACHINES: usize = 2;

/// Where the server listens now: a restarted server has a new port.
#[derive(Clone)]
struct Target {
    base: Arc<RwLock<String>>,
    http: reqwest::Client,
    /// Calls that got no answer and were sent again.
    retried: Arc<AtomicUsize>,
}

impl Target {
    /// Sends the request built by `make` until the server answers (any status): a caller whose request
    /// died with the server sends the same request again.
    async fn until_answered(
        &self,
        deadline: Instant,
        make: impl Fn(&reqwest::Client, &str) -> reqwest::RequestBuilder,
    ) -> (u16, Value) {
        loop {
            assert!(Instant::now() < deadline, "no answer before the deadline");
            let base = self.base.read().unwrap().clone();
            match make(&self.http, &base).send().await {
                Ok(res) => {
                    let status = res.status().as_u16();
                    match res.text().await {
                        Ok(text) => {
                            return (status, serde_json::from_str(&text).unwrap_or(Value::String(text)));
                        }
                        Err(_) => self.retried.fetch_add(1, Ordering::Relaxed),
                    };
                }
                Err(_) => {
                    self.retried.fetch_add(1, Ordering::Relaxed);
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn get(&self, path: &str, token: &str) -> Value {
        let (status, body) = self
            .until_answered(Instant::now() + Duration::from_secs(60), |c, b| {
                c.get(format!("{b}{path}")).bearer_auth(token)
            })
            .await;
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    async fn post(&self, path: &str, token: &str, body: Value) -> Value {
        let (status, out) = self
            .until_answered(Instant::now() + Duration::from_secs(60), |c, b| {
                c.post(format!("{b}{path}")).bearer_auth(token).json(&body)
            })
            .await;
        assert!((200..300).contains(&status), "POST {path}: {status} {out}");
        out
    }
}

/// Payme's JSON-RPC call, as Payme sends it (Basic `Paycom:<key>`, `text/json`).
fn payme(
    c: &reqwest::Client,
    base: &str,
    rpc_id: u64,
    method: &str,
    params: &Value,
) -> reqwest::RequestBuilder {
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("Paycom:{PAYME_KEY}"));
    c.post(format!("{base}/api/v1/payments/payme"))
        .header("authorization", format!("Basic {auth}"))
        .header("content-type", "text/json; charset=UTF-8")
        .body(json!({ "method": method, "params": params, "id": rpc_id }).to_string())
}

struct Machine {
    id: String,
    key: String,
    number: String,
}

fn kill9(server: &mut Server) {
    let pid = server.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-KILL", &pid])
            .status()
            .unwrap()
            .success()
    );
    server.child.wait().unwrap();
    server.exited = true;
}

fn env_for(url: &str) -> Vec<(&'static str, String)> {
    vec![
        ("DATABASE_URL", url.to_owned()),
        ("VENDHUB_ADMIN_EMAIL", OWNER.into()),
        ("VENDHUB_ADMIN_PASSWORD", PASSWORD.into()),
        ("PAYME_MERCHANT_ID", "kill-test-merchant".into()),
        ("PAYME_SECRET_KEY", PAYME_KEY.into()),
        // Refunds of vends lost with the server go nowhere, fast, instead of to Payme.
        ("PAYME_API_URL", "http://127.0.0.1:9/api".into()),
        ("VEND_COMMAND_TTL", "10s".into()),
        ("JOB_POLL_INTERVAL", "200ms".into()),
        ("TRUSTED_PROXIES", "127.0.0.1".into()),
        ("RATE_LIMIT_LIMIT", "0".into()),
        ("DASHBOARD_CACHE_TTL", "0s".into()),
    ]
}

fn start(dir: &Path, env: &[(&'static str, String)]) -> Server {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    serve(dir, &env)
}

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "one story: set up, pay under a kill, settle, check"
)]
fn a_server_killed_mid_payment_restarts_with_no_double_charge_no_lost_or_repeated_vend() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    let env = env_for(&db_url(&db));
    let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let seeded = run(dir.path(), &pairs, &["seed", "--demo"]);
    assert!(seeded.status.success(), "{}", stderr(&seeded));

    let mut server = start(dir.path(), &env);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap();
    let t = Target {
        base: Arc::new(RwLock::new(format!("http://127.0.0.1:{}", server.port))),
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap(),
        retried: Arc::new(AtomicUsize::new(0)),
    };

    rt.block_on(async {
        // --- The shop: two machines online, their stock, orders from distinct customers.
        let login = t
            .post(
                "/api/v1/auth/login",
                "",
                json!({ "email": OWNER, "password": PASSWORD }),
            )
            .await;
        let token = login["access_token"].as_str().unwrap().to_owned();
        let org = t.get("/api/v1/organizations/current", &token).await;
        let slug = org["slug"].as_str().unwrap().to_owned();
        let listed = t.get("/api/v1/machines?limit=100&sort=number", &token).await;
        let mut machines = Vec::new();
        let mut orders: Vec<(String, i64, usize)> = Vec::new(); // (order id, amount, machine index)
        let mut stock_before: HashMap<(String, String), i64> = HashMap::new();
        for m in listed["data"].as_array().unwrap() {
            if machines.len() == MACHINES {
                break;
            }
            let id = m["id"].as_str().unwrap().to_owned();
            let number = m["number"].as_str().unwrap().to_owned();
            let made = t
                .post(
                    &format!("/api/v1/machines/{id}/api-keys"),
                    &token,
                    json!({ "label": "kill test" }),
                )
                .await;
            let key = made["key"].as_str().unwrap().to_owned();
            let (status, _) = t
                .until_answered(Instant::now() + Duration::from_secs(30), |c, b| {
                    c.post(format!("{b}/api/v1/gateway/events"))
                        .header("x-api-key", &key)
                        .json(&json!({ "machine_id": id, "events": [
                            { "type": "heartbeat", "id": uuid::Uuid::now_v7().to_string() }] }))
                })
                .await;
            assert!((200..300).contains(&status), "heartbeat {status}");
            let stock = t.get(&format!("/api/v1/inventory/machine/{id}"), &token).await;
            let mut made_here = 0;
            let mut client = 0;
            for slot in stock.as_array().unwrap() {
                let code = slot["slot"].as_str().unwrap().to_owned();
                stock_before.insert((id.clone(), code.clone()), slot["quantity"].as_i64().unwrap());
                // Up to two units of each slot, leaving some behind.
                for _ in 0..slot["quantity"].as_i64().unwrap().saturating_sub(1).min(2) {
                    if made_here == PER_MACHINE {
                        break;
                    }
                    client += 1;
                    let (status, body) = t
                        .until_answered(Instant::now() + Duration::from_secs(30), |c, b| {
                            c.post(format!("{b}/api/v1/public/machines/{number}/orders?org={slug}"))
                                .header("x-forwarded-for", format!("10.13.{}.{client}", machines.len()))
                                .json(&json!({ "slot": code }))
                        })
                        .await;
                    if status == 201 {
                        made_here += 1;
                        orders.push((
                            body["id"].as_str().unwrap().to_owned(),
                            body["amount"].as_i64().unwrap(),
                            machines.len(),
                        ));
                    } else {
                        // A slot without a price or a product is refused: try the next.
                        assert!(status == 409 || status == 422, "order: {status} {body}");
                        break;
                    }
                }
            }
            if made_here > 0 {
                machines.push(Machine { id, key, number });
            }
        }
        assert_eq!(machines.len(), MACHINES, "demo machines to order from");
        let dashboard = t.get("/api/v1/dashboard", &token).await;
        let sales_before = dashboard["sales_today"]["count"].as_i64().unwrap();

        // --- Everything at once: a Create + Perform pair per order, and each machine polling.
        let stop = Arc::new(AtomicBool::new(false));
        let performed = Arc::new(AtomicUsize::new(0));
        let handed: Arc<Mutex<Vec<(String, String)>>> = Arc::default(); // (command id, order id)
        let deadline = Instant::now() + Duration::from_secs(150);
        let mut machine_tasks = Vec::new();
        for m in &machines {
            let (t, stop, handed) = (t.clone(), stop.clone(), handed.clone());
            let (key, number) = (m.key.clone(), m.number.clone());
            machine_tasks.push(tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let (status, got) = t
                        .until_answered(deadline, |c, b| {
                            c.get(format!("{b}/api/v1/gateway/commands?wait=1"))
                                .header("x-api-key", &key)
                        })
                        .await;
                    assert_eq!(status, 200, "{number} poll: {got}");
                    for k in got["commands"].as_array().unwrap() {
                        let id = k["id"].as_str().unwrap().to_owned();
                        handed
                            .lock()
                            .unwrap()
                            .push((id.clone(), k["order_id"].as_str().unwrap().to_owned()));
                        // The machine vends, then reports until the server hears it.
                        let (status, out) = t
                            .until_answered(deadline, |c, b| {
                                c.post(format!("{b}/api/v1/gateway/commands/{id}/result"))
                                    .header("x-api-key", &key)
                                    .json(&json!({ "status": "dispensed" }))
                            })
                            .await;
                        assert_eq!(status, 200, "result: {out}");
                    }
                }
            }));
        }
        let mut provider_tasks = Vec::new();
        for (i, (order_id, amount, _)) in orders.iter().enumerate() {
            let (t, performed) = (t.clone(), performed.clone());
            let tx = format!("{:024x}", 0x6f00_0000_u64 + i as u64);
            let create = json!({ "id": tx, "time": chrono::Utc::now().timestamp_millis(),
                "amount": amount, "account": { "order_id": order_id } });
            let perform = json!({ "id": tx });
            provider_tasks.push(tokio::spawn(async move {
                // Spread the pairs over the first second or so, as customers pay.
                tokio::time::sleep(Duration::from_millis(60 * i as u64)).await;
                let rpc = 1000 + 2 * i as u64;
                let (status, created) = t
                    .until_answered(deadline, |c, b| payme(c, b, rpc, "CreateTransaction", &create))
                    .await;
                assert_eq!(status, 200, "{created}");
                assert_eq!(created["result"]["state"], 1, "create {tx}: {created}");
                tokio::time::sleep(Duration::from_millis(20 * (i as u64 % 5))).await;
                let (status, done) = t
                    .until_answered(deadline, |c, b| {
                        payme(c, b, rpc + 1, "PerformTransaction", &perform)
                    })
                    .await;
                assert_eq!(status, 200, "{done}");
                assert_eq!(done["result"]["state"], 2, "perform {tx}: {done}");
                performed.fetch_add(1, Ordering::Relaxed);
            }));
        }

        // --- kill -9 once a third of the orders are paid, with the rest in flight; restart on the same data.
        let third = orders.len() / 3;
        while performed.load(Ordering::Relaxed) < third {
            assert!(Instant::now() < deadline, "no payments before the kill");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let at_kill = performed.load(Ordering::Relaxed);
        kill9(&mut server);
        assert!(at_kill < orders.len(), "the kill came after every payment");
        let env2 = env.clone();
        let dir2 = dir.path().to_owned();
        server = tokio::task::spawn_blocking(move || start(&dir2, &env2))
            .await
            .unwrap();
        *t.base.write().unwrap() = format!("http://127.0.0.1:{}", server.port);
        for p in provider_tasks {
            p.await.unwrap();
        }

        // --- Settle: no order left paid, dispensing or unpaid (lost vends expire after VEND_COMMAND_TTL
        // and are refunded by the orders.expire job).
        let settled = loop {
            let now = t.get("/api/v1/orders?limit=100", &token).await;
            let open = now["data"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|o| matches!(o["status"].as_str(), Some("created" | "paid" | "dispensing")))
                .count();
            if open == 0 {
                break now;
            }
            assert!(Instant::now() < deadline, "{open} orders still open: {now:#}");
            tokio::time::sleep(Duration::from_millis(250)).await;
        };
        stop.store(true, Ordering::Relaxed);
        for m in machine_tasks {
            m.await.unwrap();
        }

        // --- The books.
        let all = settled["data"].as_array().unwrap();
        assert_eq!(all.len(), orders.len(), "no order lost or invented");
        let handed = handed.lock().unwrap().clone();
        let unique: HashSet<&String> = handed.iter().map(|(k, _)| k).collect();
        assert_eq!(
            unique.len(),
            handed.len(),
            "a command handed out twice: {handed:?}"
        );
        let handed_orders: HashSet<&String> = handed.iter().map(|(_, o)| o).collect();
        assert_eq!(handed_orders.len(), handed.len(), "two commands for one order");
        let mut dispensed_per_slot: HashMap<(String, String), i64> = HashMap::new();
        let mut sales = HashSet::new();
        let mut dispensed = 0;
        for (order_id, amount, _) in &orders {
            let d = t.get(&format!("/api/v1/orders/{order_id}"), &token).await;
            let o = &d["order"];
            let payments = d["payments"].as_array().unwrap();
            assert_eq!(payments.len(), 1, "one Payme transaction for {order_id}: {d:#}");
            // Performed once ("2"), or performed and then cancelled by the refund ("-2").
            assert!(
                matches!(payments[0]["state"].as_str(), Some("2" | "-2")),
                "performed once: {d:#}"
            );
            assert!(payments[0]["perform_time"].is_string(), "{d:#}");
            assert_eq!(payments[0]["amount"], *amount);
            let command = &d["command"];
            assert!(command.is_object(), "a paid order has its vend command: {d:#}");
            match o["status"].as_str().unwrap() {
                "dispensed" => {
                    dispensed += 1;
                    assert_eq!(command["status"], "dispensed", "{d:#}");
                    assert!(
                        handed.iter().any(|(k, _)| k == command["id"].as_str().unwrap()),
                        "dispensed without the machine getting the command: {d:#}"
                    );
                    assert!(sales.insert(o["sale_id"].as_str().unwrap().to_owned()), "{d:#}");
                    *dispensed_per_slot
                        .entry((
                            o["machine_id"].as_str().unwrap().to_owned(),
                            o["slot"].as_str().unwrap().to_owned(),
                        ))
                        .or_default() += 1;
                }
                "refund_pending" | "refunded" => {
                    assert!(o["sale_id"].is_null(), "{d:#}");
                    assert_eq!(command["status"], "expired", "a lost vend expires: {d:#}");
                }
                other => panic!("order {order_id} ended {other}: {d:#}"),
            }
        }
        let listed_dispensed = t.get("/api/v1/orders?status=dispensed&limit=100", &token).await;
        assert_eq!(listed_dispensed["meta"]["total"], dispensed);
        let dashboard = t.get("/api/v1/dashboard", &token).await;
        let sales_after = dashboard["sales_today"]["count"].as_i64().unwrap();
        assert_eq!(
            sales_after - sales_before,
            dispensed,
            "one sale per dispensed order"
        );
        for m in &machines {
            let stock = t
                .get(&format!("/api/v1/inventory/machine/{}", m.id), &token)
                .await;
            for slot in stock.as_array().unwrap() {
                let key = (m.id.clone(), slot["slot"].as_str().unwrap().to_owned());
                let sold = dispensed_per_slot.get(&key).copied().unwrap_or(0);
                assert_eq!(
                    slot["quantity"].as_i64().unwrap(),
                    stock_before[&key] - sold,
                    "stock of {key:?}"
                );
            }
        }
        assert!(dispensed > 0, "something was sold");
        assert!(
            t.retried.load(Ordering::Relaxed) > 0,
            "the kill cut no call short: nothing was tested"
        );
        eprintln!(
            "kill -9 after {at_kill}/{} payments: {dispensed} dispensed, {} refunded, {} calls resent",
            orders.len(),
            i64::try_from(orders.len()).unwrap() - dispensed,
            t.retried.load(Ordering::Relaxed)
        );
    });
    let _ = server.terminate();
}
