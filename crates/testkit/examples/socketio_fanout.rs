//! Socket.IO fan-out benchmark: N real clients (`rust_socketio`, WebSocket) subscribed to one
//! organization on a VendHub started in this process (SQLite, in-process bus), events published on the
//! bus, and each event's delivery latency to every client (p50/p99). Writes `bench/results/socketio.json`.
//!
//! `cargo run --release -p vendhub-testkit --example socketio_fanout -- [clients…] [--rounds R]`
//! (default: 1000 5000, 20 rounds). A client that is not admitted and subscribed within 15 s is
//! counted as not connected (`connected` < `clients`).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_util::{FutureExt, StreamExt};
use rust_socketio::asynchronous::{Client, ClientBuilder};
use rust_socketio::{Payload, TransportType};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use vendhub_app::ports::DomainEvent;
use vendhub_testkit::{OWNER_EMAIL, OWNER_PASSWORD, TestApp};

const WAIT: Duration = Duration::from_secs(15);

fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
}

fn first_value(payload: &Payload) -> Option<&Value> {
    match payload {
        Payload::Text(values) => values.first(),
        _ => None,
    }
}

/// Connects one client, waits for the namespace to admit it, and subscribes it to the organization.
async fn client(url: String, token: String, latencies: mpsc::UnboundedSender<u64>) -> Option<Client> {
    let (open_tx, mut open) = mpsc::unbounded_channel::<()>();
    let socket = ClientBuilder::new(url)
        .auth(json!({ "token": token }))
        .transport_type(TransportType::WebsocketUpgrade)
        .reconnect(false)
        .on("open", move |_, _| {
            let _ = open_tx.send(());
            async {}.boxed()
        })
        .on_any(move |_, payload, _| {
            let received = now_us();
            if let Some(sent) = first_value(&payload).and_then(|v| v["sent_us"].as_u64()) {
                let _ = latencies.send(received.saturating_sub(sent));
            }
            async {}.boxed()
        })
        .connect()
        .await
        .ok()?;
    tokio::time::timeout(WAIT, open.recv()).await.ok()??;
    let (ack_tx, mut ack) = mpsc::unbounded_channel::<bool>();
    socket
        .emit_with_ack("subscribe", json!({ "organization": true }), WAIT, move |p, _| {
            // This client hands over the acknowledgement's whole argument list.
            let ok = first_value(&p).is_some_and(|v| v[0]["ok"] == true || v["ok"] == true);
            let _ = ack_tx.send(ok);
            async {}.boxed()
        })
        .await
        .ok()?;
    tokio::time::timeout(WAIT, ack.recv())
        .await
        .ok()??
        .then_some(socket)
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "an index into a list of at most millions"
    )]
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    #[expect(clippy::cast_precision_loss, reason = "microseconds")]
    let ms = sorted[i.min(sorted.len() - 1)] as f64 / 1000.0;
    ms
}

async fn run(app: &TestApp, org: &str, token: &str, n: usize, rounds: usize) -> Value {
    let (tx, mut latencies) = mpsc::unbounded_channel();
    let start = Instant::now();
    // At most 50 handshakes at a time, as clients of a real fleet would not all arrive at once.
    let clients: Vec<Client> = futures_util::stream::iter(0..n)
        .map(|_| client(app.url("/"), token.to_owned(), tx.clone()))
        .buffer_unordered(50)
        .filter_map(std::future::ready)
        .collect()
        .await;
    let connect_s = start.elapsed().as_secs_f64();
    let connected = clients.len();
    let mut all = Vec::with_capacity(connected * rounds);
    let mut lost = 0usize;
    let run_start = Instant::now();
    for round in 0..rounds {
        let event = DomainEvent {
            name: "machine:status".into(),
            organization_id: org.to_owned(),
            machine_id: None,
            payload: json!({ "status": "online", "round": round, "sent_us": now_us() }),
        };
        app.app.bus().publish(&event).await.ok();
        let mut got = 0;
        while got < connected {
            match tokio::time::timeout(Duration::from_secs(10), latencies.recv()).await {
                Ok(Some(us)) => {
                    all.push(us);
                    got += 1;
                }
                _ => {
                    lost += connected - got;
                    break;
                }
            }
        }
    }
    let elapsed = run_start.elapsed().as_secs_f64();
    all.sort_unstable();
    for c in clients {
        let _ = c.disconnect().await;
    }
    #[expect(clippy::cast_precision_loss, reason = "a count")]
    let per_s = all.len() as f64 / elapsed;
    json!({
        "clients": n,
        "connected": connected,
        "connect_seconds": (connect_s * 100.0).round() / 100.0,
        "rounds": rounds,
        "deliveries": all.len(),
        "lost": lost,
        "latency_ms": {
            "p50": percentile(&all, 0.50),
            "p99": percentile(&all, 0.99),
            "max": percentile(&all, 1.0),
        },
        "deliveries_per_second": per_s.round(),
    })
}

async fn owner(app: &TestApp) -> Option<(String, String)> {
    let body: Value = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "email": OWNER_EMAIL, "password": OWNER_PASSWORD }))
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()?;
    let token = body["access_token"].as_str()?.to_owned();
    let me: Value = app
        .client
        .get(app.url("/api/v1/auth/me"))
        .bearer_auth(&token)
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()?;
    Some((me["organization_id"].as_str()?.to_owned(), token))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut sizes = Vec::new();
    let mut rounds = 20;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--rounds" {
            rounds = args.next().ok_or("--rounds needs a number")?.parse()?;
        } else {
            sizes.push(a.parse::<usize>()?);
        }
    }
    if sizes.is_empty() {
        sizes = vec![1000, 5000];
    }
    let app = TestApp::builder().env("LOG_LEVEL", "warn").spawn().await;
    let (org, token) = owner(&app).await.ok_or("cannot sign in")?;
    let mut runs = Vec::new();
    for n in sizes {
        let r = run(&app, &org, &token, n, rounds).await;
        eprintln!("{r}");
        runs.push(r);
    }
    let result = json!({
        "benchmark": "socketio_fanout",
        "what": "N rust_socketio WebSocket clients in one organization room; machine:status events published on the in-process bus; latency from publish to each client's callback",
        "setup": "server and clients in one process (tokio multi-thread, same cores), SQLite, in-process bus; WebSocket after a polling handshake",
        "cpus": std::thread::available_parallelism().map_or(0, std::num::NonZero::get),
        "profile": if cfg!(debug_assertions) { "debug" } else { "release" },
        "runs": runs,
    });
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/results/socketio.json");
    std::fs::write(&path, serde_json::to_string_pretty(&result)? + "\n")?;
    println!("{}", serde_json::to_string_pretty(&result)?);
    Ok(())
}
