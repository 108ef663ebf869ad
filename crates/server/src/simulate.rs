//! `vendhub simulate`: a fleet of pretend machines driving the gateway API over HTTP — heartbeats,
//! telemetry, vends from their planogram slots and, now and then, an error — so a fresh install shows a
//! living dashboard. It signs in as a user who may manage the fleet, creates an API key for each
//! machine it drives, and sends one batch per machine per second. Each machine also long-polls its
//! commands (`GET /api/v1/gateway/commands`) and answers every vend like a real machine would:
//! `dispensed`, or `failed` for a configurable share, so a customer's paid order is dispensed (or
//! refunded) by the simulator.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rand::Rng;
use serde_json::{Value, json};

/// What to simulate.
#[derive(Debug, Clone)]
pub struct Options {
    /// The server, e.g. `http://127.0.0.1:4000`.
    pub url: String,
    pub email: String,
    pub password: String,
    /// How many of the organization's machines to drive.
    pub machines: usize,
    /// Events per second across the fleet.
    pub rate: f64,
    /// How long to run; `None` runs until interrupted.
    pub duration: Option<Duration>,
    /// The share of vend commands answered `failed` (0 to 1): the order is then refunded.
    pub vend_failure_rate: f64,
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub machines: usize,
    pub batches: u64,
    pub events: u64,
    pub sales: u64,
    pub refused: u64,
    /// Vend commands answered `dispensed`.
    pub dispensed: u64,
    /// Vend commands answered `failed`.
    pub vend_failed: u64,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} machine(s): {} batches, {} events, {} sales, {} refused, {} orders dispensed, {} vends failed",
            self.machines,
            self.batches,
            self.events,
            self.sales,
            self.refused,
            self.dispensed,
            self.vend_failed
        )
    }
}

struct Machine {
    id: String,
    key: String,
    slots: Vec<String>,
    sent: u64,
}

async fn json_of(res: reqwest::Response, what: &str) -> Result<Value, String> {
    let status = res.status();
    let body: Value = res.json().await.map_err(|e| format!("{what}: {e}"))?;
    if status.is_success() {
        Ok(body)
    } else {
        Err(format!(
            "{what}: {status} {}",
            body["detail"].as_str().unwrap_or_default()
        ))
    }
}

async fn prepare(client: &reqwest::Client, o: &Options) -> Result<Vec<Machine>, String> {
    let base = o.url.trim_end_matches('/');
    let login = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({ "email": o.email, "password": o.password }))
        .send()
        .await
        .map_err(|e| format!("cannot reach {base}: {e}"))?;
    let token = json_of(login, "sign in").await?["access_token"]
        .as_str()
        .ok_or("sign in: no access token (is 2FA on for this user?)")?
        .to_owned();
    let limit = o.machines.clamp(1, 100);
    let list = client
        .get(format!("{base}/api/v1/machines?limit={limit}"))
        .bearer_auth(&token)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let list = json_of(list, "list machines").await?;
    let mut fleet = Vec::new();
    for m in list["data"].as_array().into_iter().flatten().take(o.machines) {
        let id = m["id"].as_str().unwrap_or_default().to_owned();
        let key = client
            .post(format!("{base}/api/v1/machines/{id}/api-keys"))
            .bearer_auth(&token)
            .json(&json!({ "label": "simulator" }))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let key = json_of(key, "create an API key").await?["key"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let stock = client
            .get(format!("{base}/api/v1/inventory/machine/{id}"))
            .bearer_auth(&token)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let slots = json_of(stock, "read slots")
            .await?
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s["slot"].as_str().map(str::to_owned))
            .collect();
        fleet.push(Machine {
            id,
            key,
            slots,
            sent: 0,
        });
    }
    if fleet.is_empty() {
        return Err("the organization has no machines: run `vendhub seed --demo` first".into());
    }
    Ok(fleet)
}

/// One machine's events for one second: a heartbeat, telemetry, vends, sometimes an error.
fn batch(m: &mut Machine, per_second: f64, run: &str) -> Vec<Value> {
    let mut rng = rand::thread_rng();
    let mut events = Vec::new();
    let mut next_id = |kind: &str| {
        m.sent += 1;
        format!("sim-{run}-{kind}-{}", m.sent)
    };
    events.push(json!({ "type": "heartbeat", "id": next_id("hb") }));
    events.push(json!({ "type": "telemetry", "id": next_id("tm"),
        "temperature": rng.gen_range(3.0..9.0_f64), "humidity": rng.gen_range(30.0..60.0_f64),
        "door": "closed", "signal": rng.gen_range(-95..-55), "error_codes": [] }));
    let whole = per_second.floor();
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a small positive count"
    )]
    let mut vends = whole as usize;
    if rng.gen_bool((per_second - whole).clamp(0.0, 1.0)) {
        vends += 1;
    }
    for _ in 0..vends.min(990) {
        let Some(slot) = m.slots.get(rng.gen_range(0..m.slots.len().max(1))).cloned() else {
            break;
        };
        let method = ["cash", "cash", "card", "payme", "click", "uzum"][rng.gen_range(0..6)];
        events.push(json!({ "type": "vend", "id": next_id("v"), "slot": slot,
            "price": rng.gen_range(30..200) * 10_000, "payment_method": method }));
    }
    if rng.gen_bool(0.01) {
        events.push(
            json!({ "type": "error", "id": next_id("err"), "code": "E-JAM", "message": "simulated jam" }),
        );
    }
    events
}

/// What the machines' command loops answered.
#[derive(Default)]
struct Vends {
    dispensed: AtomicU64,
    failed: AtomicU64,
}

/// One machine's command loop: long-polls its commands and answers each vend, until `stop` turns true.
async fn answer_commands(
    client: reqwest::Client,
    base: String,
    key: String,
    failure_rate: f64,
    vends: Arc<Vends>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    while !*stop.borrow() {
        let poll = client
            .get(format!("{base}/api/v1/gateway/commands?wait=20"))
            .header("X-Api-Key", &key)
            .send();
        let res = tokio::select! {
            r = poll => r,
            _ = stop.changed() => return,
        };
        let commands = match res {
            Ok(res) => match json_of(res, "poll commands").await {
                Ok(body) => body["commands"].as_array().cloned().unwrap_or_default(),
                Err(e) => {
                    tracing::warn!(error = %e, "command poll refused");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            },
            Err(e) => {
                tracing::warn!(error = %e, "command poll failed");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        for cmd in commands.iter().filter(|c| c["type"] == "vend") {
            let Some(id) = cmd["id"].as_str() else {
                continue;
            };
            let fail = rand::thread_rng().gen_bool(failure_rate.clamp(0.0, 1.0));
            let body = if fail {
                json!({ "status": "failed", "reason": "simulated vend failure" })
            } else {
                json!({ "status": "dispensed" })
            };
            let sent = client
                .post(format!("{base}/api/v1/gateway/commands/{id}/result"))
                .header("X-Api-Key", &key)
                .json(&body)
                .send()
                .await;
            match sent {
                Ok(res) => match json_of(res, "vend result").await {
                    Ok(_) if fail => {
                        vends.failed.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(_) => {
                        vends.dispensed.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) => tracing::warn!(command = id, error = %e, "vend result refused"),
                },
                Err(e) => tracing::warn!(command = id, error = %e, "vend result not sent"),
            }
        }
    }
}

/// Drives the fleet until `duration` ends (or forever).
pub async fn run(o: &Options) -> Result<Summary, String> {
    if !(0.0..=1.0).contains(&o.vend_failure_rate) {
        return Err("--vend-failure-rate must be between 0 and 1".into());
    }
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| e.to_string())?;
    let mut fleet = prepare(&client, o).await?;
    let vends = Arc::new(Vends::default());
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut loops = Vec::new();
    for m in &fleet {
        loops.push(tokio::spawn(answer_commands(
            client.clone(),
            o.url.trim_end_matches('/').to_owned(),
            m.key.clone(),
            o.vend_failure_rate,
            Arc::clone(&vends),
            stopped.clone(),
        )));
    }
    let result = drive(&client, o, &mut fleet).await;
    let _ = stop.send(true);
    for l in loops {
        let _ = l.await;
    }
    let mut summary = result?;
    summary.dispensed = vends.dispensed.load(Ordering::Relaxed);
    summary.vend_failed = vends.failed.load(Ordering::Relaxed);
    Ok(summary)
}

async fn drive(client: &reqwest::Client, o: &Options, fleet: &mut [Machine]) -> Result<Summary, String> {
    #[expect(clippy::cast_precision_loss, reason = "a small fleet")]
    let per_machine = (o.rate / fleet.len() as f64).max(0.0);
    let run = uuid::Uuid::now_v7().simple().to_string();
    let base = o.url.trim_end_matches('/');
    let mut summary = Summary {
        machines: fleet.len(),
        ..Summary::default()
    };
    let start = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tick.tick().await;
        if o.duration.is_some_and(|d| start.elapsed() >= d) {
            break;
        }
        for m in fleet.iter_mut() {
            let events = batch(m, per_machine, &run[..12]);
            summary.events += events.len() as u64;
            let res = client
                .post(format!("{base}/api/v1/gateway/events"))
                .header("X-Api-Key", &m.key)
                .json(&json!({ "machine_id": m.id, "events": events }))
                .send()
                .await
                .map_err(|e| e.to_string())?;
            summary.batches += 1;
            match json_of(res, "send events").await {
                Ok(report) => summary.sales += report["sales"].as_u64().unwrap_or(0),
                Err(e) => {
                    summary.refused += 1;
                    tracing::warn!(machine = %m.id, error = %e, "batch refused");
                }
            }
        }
    }
    Ok(summary)
}
