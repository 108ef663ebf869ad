//! Gateway benchmarks (ignored in normal runs): ingest throughput with batches of 100 and 1,000 events on
//! the configured backend, and DEX files parsed per second. Run with
//! `cargo nextest run -p vendhub-testkit --test bench_gateway --run-ignored only` (add
//! `TEST_DATABASE_URL=postgres://…` for PostgreSQL); results go to `bench/results/`.
#![expect(
    clippy::unwrap_used,
    reason = "a benchmark fails loudly on the first surprise"
)]

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use vendhub_testkit::{OWNER_EMAIL, OWNER_PASSWORD, TestApp};

fn results_dir() -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/results");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn profile() -> &'static str {
    if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    }
}

async fn setup() -> (TestApp, String, String, Vec<String>) {
    let app = TestApp::spawn().await;
    vendhub_app::demo::seed(&app.app).await.unwrap();
    let login: Value = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "email": OWNER_EMAIL, "password": OWNER_PASSWORD }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let t = login["access_token"].as_str().unwrap().to_owned();
    let list: Value = app
        .client
        .get(app.url("/api/v1/machines?limit=1"))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let m = list["data"][0]["id"].as_str().unwrap().to_owned();
    let created: Value = app
        .client
        .post(app.url(&format!("/api/v1/machines/{m}/api-keys")))
        .bearer_auth(&t)
        .json(&json!({ "label": "bench" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = created["key"].as_str().unwrap().to_owned();
    let stock: Value = app
        .client
        .get(app.url(&format!("/api/v1/inventory/machine/{m}")))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let slots = stock
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["slot"].as_str().unwrap().to_owned())
        .collect();
    (app, m, key, slots)
}

/// A third each of heartbeats, telemetry and vends.
fn events(batch: usize, size: usize, slots: &[String]) -> Value {
    Value::Array(
        (0..size)
            .map(|i| {
                let id = format!("b{batch}-{i}");
                match i % 3 {
                    0 => json!({ "type": "heartbeat", "id": id }),
                    1 => json!({ "type": "telemetry", "id": id, "temperature": 5.5, "door": "closed", "signal": -70 }),
                    _ => json!({ "type": "vend", "id": id, "slot": slots[i % slots.len()], "price": 1_000_000,
                                 "payment_method": "cash" }),
                }
            })
            .collect(),
    )
}

#[tokio::test]
#[ignore = "a benchmark: run on purpose"]
async fn gateway_ingest_throughput() {
    let (app, m, key, slots) = setup().await;
    let backend = match app.database().url {
        vendhub_store::DbUrl::Sqlite(_) => "sqlite",
        vendhub_store::DbUrl::Postgres(_) => "postgres",
    };
    let mut runs = Vec::new();
    let mut batch_no = 0;
    for (size, batches) in [(100_usize, 30_usize), (1000, 6)] {
        let start = Instant::now();
        for _ in 0..batches {
            batch_no += 1;
            let res = app
                .client
                .post(app.url("/api/v1/gateway/events"))
                .header("X-Api-Key", &key)
                .json(&json!({ "machine_id": m, "events": events(batch_no, size, &slots) }))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
        }
        let secs = start.elapsed().as_secs_f64();
        #[expect(clippy::cast_precision_loss, reason = "small counts")]
        let rate = (size * batches) as f64 / secs;
        runs.push(
            json!({ "batch_size": size, "batches": batches, "events": size * batches,
            "seconds": secs, "events_per_second": rate.round() }),
        );
    }
    let result = json!({
        "benchmark": "gateway_ingest", "backend": backend, "profile": profile(),
        "mix": "1/3 heartbeat, 1/3 telemetry, 1/3 vend (sale + ledger movement), one client, sequential batches, committed",
        "runs": runs,
    });
    let path = results_dir().join(format!("gateway-ingest-{backend}.json"));
    std::fs::write(&path, serde_json::to_string_pretty(&result).unwrap()).unwrap();
    println!("{result}");
}

#[test]
#[ignore = "a benchmark: run on purpose"]
fn dex_files_parsed_per_second() {
    let mut body =
        String::from("ST*001*0001\r\nID1*SN-1*M*1**L\r\nID4*2*860*UZS\r\nVA1*100*10\r\nCA2*60*6\r\n");
    for i in 0..40 {
        write!(body, "PA1*A{i}*100*Item\r\nPA2*{i}*{}\r\n", i * 100).unwrap();
    }
    let crc = vendhub_domain::dex::crc::crc16(body.as_bytes());
    let file = format!("DXS*X*VA*V0/6*1\r\n{body}G85*{crc:04X}\r\nSE*84*0001\r\nDXE*1*1\r\n").into_bytes();
    vendhub_domain::dex::parse(&file).unwrap();
    let start = Instant::now();
    let mut n = 0_u64;
    while start.elapsed() < Duration::from_secs(2) {
        std::hint::black_box(vendhub_domain::dex::parse(std::hint::black_box(&file)).unwrap());
        n += 1;
    }
    #[expect(clippy::cast_precision_loss, reason = "small counts")]
    let rate = n as f64 / start.elapsed().as_secs_f64();
    let result = json!({ "benchmark": "dex_parse", "profile": profile(), "file_bytes": file.len(),
        "products": 40, "files_per_second": rate.round() });
    std::fs::write(
        results_dir().join("dex-parse.json"),
        serde_json::to_string_pretty(&result).unwrap(),
    )
    .unwrap();
    println!("{result}");
}
