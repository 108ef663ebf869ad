//! DEX audits through the gateway: sales since the previous audit, refusals that write nothing, real machines' files.

use reqwest::StatusCode;
use serde_json::{Value, json};
use std::fmt::Write as _;
use vendhub_testkit::TestApp;
use vendhub_testkit::api::{demo, machine_id};

use super::{new_key, sales_of, slots};

/// A DEX audit as a machine would write it: selections (code, count, value) since initialisation,
/// cash vends (value, count), with a correct G85 check value.
fn dex_file(selections: &[(&str, u64, i64)], cash: (i64, u64)) -> Vec<u8> {
    let paid_value: i64 = selections.iter().map(|s| s.2).sum();
    let paid_count: u64 = selections.iter().map(|s| s.1).sum();
    let mut body = String::from("ST*001*0001\r\nID1*SN-0001*VH-SNACK*1**Tashkent\r\nID4*2*860*UZS\r\n");
    write!(
        body,
        "VA1*{paid_value}*{paid_count}\r\nCA2*{}*{}\r\n",
        cash.0, cash.1
    )
    .unwrap();
    for (code, count, value) in selections {
        write!(
            body,
            "PA1*{code}*{}*Item {code}\r\nPA2*{count}*{value}\r\n",
            value / i64::try_from((*count).max(1)).unwrap()
        )
        .unwrap();
    }
    body += "EA3*3*20261122*1000\r\n";
    let crc = vendhub_domain::dex::crc::crc16(body.as_bytes());
    let segments = body.matches("\r\n").count() + 2;
    format!("DXS*VH00000001*VA*V0/6*1\r\n{body}G85*{crc:04X}\r\nSE*{segments}*0001\r\nDXE*1*1\r\n")
        .into_bytes()
}

async fn send_dex(app: &TestApp, key: &str, query: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let res = app
        .client
        .post(app.url(&format!("/api/v1/gateway/dex{query}")))
        .header("X-Api-Key", key)
        .header("content-type", "text/plain")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    if !status.is_success() {
        let ct = res
            .headers()
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(ct, "application/problem+json", "{status}");
    }
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn dex_audits_give_sales_since_the_previous_audit_and_expected_cash() {
    let (app, t) = demo().await;
    let m = machine_id(&app, &t, "VH-001").await;
    let key = new_key(&app, &t, &m).await;
    let a1_product = slots(&app, &t, &m).await[0].1.clone();
    let first = dex_file(&[("A1", 10, 12_000_000), ("B2", 4, 2_000_000)], (9_000_000, 9));
    let (status, baseline) = send_dex(&app, &key, "", first).await;
    assert_eq!(status, 201, "{baseline}");
    assert_eq!(baseline["baseline_only"], true);
    assert_eq!(baseline["sales"], json!([]));
    let second = dex_file(
        &[("A1", 13, 15_600_000), ("B2", 4, 2_000_000), ("C7", 2, 1_000_000)],
        (12_000_000, 12),
    );
    let (status, import) = send_dex(&app, &key, &format!("?machine_id={m}"), second.clone()).await;
    assert_eq!(status, 201, "{import}");
    assert_eq!(import["baseline_only"], false);
    assert_eq!(import["expected_cash"], 3_000_000);
    let sold: Vec<(String, i64, i64)> = import["sales"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["selection"].as_str().unwrap().to_owned(),
                s["quantity"].as_i64().unwrap(),
                s["amount"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        sold,
        [("A1".to_owned(), 3, 3_600_000), ("C7".to_owned(), 2, 1_000_000)]
    );
    assert_eq!(import["sales"][0]["product_id"], json!(a1_product));
    assert_eq!(
        import["sales"][1]["slot"],
        Value::Null,
        "C7 is not in the planogram"
    );
    let sales = sales_of(&app, &t, &m).await;
    assert_eq!(sales.len(), 2);
    assert!(sales.iter().all(|s| s.source == "dex"));
    // The same file again: nothing more was sold.
    let (status, again) = send_dex(&app, &key, "", second).await;
    assert_eq!(status, 201);
    assert_eq!(again["sales"], json!([]));
    assert_eq!(again["expected_cash"], 0);
    assert_eq!(sales_of(&app, &t, &m).await.len(), 2);
    // A counter that went down (memory re-initialised): what it shows now, flagged.
    let reset = dex_file(
        &[("A1", 1, 1_200_000), ("B2", 4, 2_000_000), ("C7", 2, 1_000_000)],
        (1_200_000, 1),
    );
    let (status, after_reset) = send_dex(&app, &key, "", reset).await;
    assert_eq!(status, 201);
    assert_eq!(after_reset["sales"][0]["basis"], "since_reset", "{after_reset}");
    assert!(!after_reset["warnings"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn bad_dex_files_are_refused_with_a_clear_problem_and_nothing_written() {
    let (app, t) = demo().await;
    let m = machine_id(&app, &t, "VH-001").await;
    let other = machine_id(&app, &t, "VH-002").await;
    let key = new_key(&app, &t, &m).await;
    let (status, _) = send_dex(&app, &key, "", dex_file(&[("A1", 10, 12_000_000)], (0, 0))).await;
    assert_eq!(status, 201);
    let good = dex_file(&[("A1", 12, 14_400_000)], (0, 0));
    let text = String::from_utf8(good.clone()).unwrap();
    let wrong_crc = {
        let at = text.find("G85*").unwrap() + 4;
        let flipped = if &text[at..=at] == "0" { "1" } else { "0" };
        format!("{}{flipped}{}", &text[..at], &text[at + 1..]).into_bytes()
    };
    let truncated = text.as_bytes()[..text.find("PA2").unwrap()].to_vec();
    let mut binary = good.clone();
    binary[40] = 0;
    binary[41] = 0xFF;
    let huge = vec![b'A'; 3 << 20];
    for (name, body, status, code) in [
        ("wrong CRC", wrong_crc, 422, "dex_crc_mismatch"),
        ("truncated", truncated, 422, "dex_truncated"),
        ("not text", binary, 422, "dex_not_text"),
        ("empty", Vec::new(), 422, "dex_empty"),
        ("huge", huge, 413, "payload_too_large"),
    ] {
        let (got, body) = send_dex(&app, &key, "", body).await;
        assert_eq!(got.as_u16(), status, "{name}: {body}");
        assert_eq!(body["code"], code, "{name}: {body}");
    }
    let (status, _) = send_dex(&app, "vhk_nothing", "", good.clone()).await;
    assert_eq!(status, 401);
    let (status, _) = send_dex(&app, &key, &format!("?machine_id={other}"), good.clone()).await;
    assert_eq!(status, 403);
    assert!(sales_of(&app, &t, &m).await.is_empty(), "nothing half-written");
    // The refused files never became the baseline: the next good one counts from the first.
    let (status, import) = send_dex(&app, &key, "", good).await;
    assert_eq!(status, 201);
    assert_eq!(import["sales"][0]["quantity"], 2, "{import}");
}

#[tokio::test]
async fn real_machines_dex_files_import() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../domain/tests/fixtures/dex");
    let fixture = |name: &str| {
        let path = dir.join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
    };
    let animo = fixture("animo.eva_dts");
    let (app, t) = demo().await;
    let m = machine_id(&app, &t, "VH-001").await;
    let key = new_key(&app, &t, &m).await;
    let (status, body) = send_dex(&app, &key, "", animo).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["baseline_only"], true);
    let truncated = fixture("animo2.eva_dts");
    let (status, body) = send_dex(&app, &key, "", truncated).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["code"], "dex_truncated");
}
