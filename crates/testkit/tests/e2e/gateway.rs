//! Machines talking: API keys, the gateway's event batches (sales, stock, status), DEX audits, offline
//! detection, on the demo fleet.

use std::fmt::Write as _;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use vendhub_testkit::api::{call, demo, machine_id, slot_list};
use vendhub_testkit::{OWNER_EMAIL, OWNER_PASSWORD, TestApp};

/// Sends a batch with a machine key.
async fn send_events(app: &TestApp, key: &str, machine: &str, events: Value) -> (StatusCode, Value) {
    let res = app
        .client
        .post(app.url("/api/v1/gateway/events"))
        .header("X-Api-Key", key)
        .json(&json!({ "machine_id": machine, "events": events }))
        .send()
        .await
        .unwrap();
    let status = res.status();
    let ct = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        assert_eq!(ct, "application/problem+json", "{status} {body}");
    }
    (status, body)
}

async fn new_key(app: &TestApp, token: &str, machine: &str) -> String {
    let (status, created) = call(
        app,
        Method::POST,
        &format!("/api/v1/machines/{machine}/api-keys"),
        token,
        Some(json!({ "label": "telemetry box" })),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    created["key"].as_str().unwrap().to_owned()
}

/// (slot, product, quantity) of a machine's slots.
async fn slots(app: &TestApp, token: &str, machine: &str) -> Vec<(String, String, i64)> {
    let (_, stock) = call(
        app,
        Method::GET,
        &format!("/api/v1/inventory/machine/{machine}"),
        token,
        None,
    )
    .await;
    slot_list(&stock)
}

async fn org_id(app: &TestApp, token: &str) -> String {
    let (_, org) = call(app, Method::GET, "/api/v1/organizations/current", token, None).await;
    org["id"].as_str().unwrap().to_owned()
}

async fn sales_of(app: &TestApp, token: &str, machine: &str) -> Vec<vendhub_store::sales::SaleRow> {
    let (org, machine) = (org_id(app, token).await, machine.to_owned());
    app.app
        .db()
        .run(move |c| {
            let f = vendhub_store::sales::SaleFilter {
                machine_id: Some(machine),
                ..Default::default()
            };
            #[expect(
                clippy::disallowed_methods,
                reason = "the test reads back its own organization's sales"
            )]
            let scope = vendhub_store::TenantScope::authenticated(org.parse().unwrap());
            vendhub_store::sales::list(c, &scope, &f, 0, 10_000)
        })
        .await
        .unwrap()
        .0
}

async fn status_of(app: &TestApp, token: &str, machine: &str) -> Value {
    let (_, m) = call(
        app,
        Method::GET,
        &format!("/api/v1/machines/{machine}"),
        token,
        None,
    )
    .await;
    m
}

#[tokio::test]
async fn api_keys_are_shown_once_stored_hashed_audited_and_revocable() {
    let (app, t) = demo().await;
    let m = machine_id(&app, &t, "VH-001").await;
    let key = new_key(&app, &t, &m).await;
    assert!(key.starts_with("vhk_"), "{key}");
    let (status, list) = call(
        &app,
        Method::GET,
        &format!("/api/v1/machines/{m}/api-keys"),
        &t,
        None,
    )
    .await;
    assert_eq!(status, 200);
    let listed = &list[0];
    assert!(
        listed.get("key").is_none(),
        "the secret is never listed: {listed}"
    );
    assert!(key.starts_with(listed["prefix"].as_str().unwrap()));
    assert_eq!(listed["last_used_at"], Value::Null);
    let org = org_id(&app, &t).await;
    let stored = app
        .app
        .db()
        .run({
            let m = m.clone();
            move |c| {
                #[expect(
                    clippy::disallowed_methods,
                    reason = "the test reads back its own organization's keys"
                )]
                let scope = vendhub_store::TenantScope::authenticated(org.parse().unwrap());
                vendhub_store::machine_keys::of_machine(c, &scope, &m)
            }
        })
        .await
        .unwrap();
    assert!(!stored[0].key_hash.contains(&key[20..]), "only a hash is kept");

    let (status, _) = send_events(&app, &key, &m, json!([{ "type": "heartbeat", "id": "hb-1" }])).await;
    assert_eq!(status, 200);
    let (_, list) = call(
        &app,
        Method::GET,
        &format!("/api/v1/machines/{m}/api-keys"),
        &t,
        None,
    )
    .await;
    assert_ne!(list[0]["last_used_at"], Value::Null, "last use recorded: {list}");

    let key_id = list[0]["id"].as_str().unwrap();
    let (status, revoked) = call(
        &app,
        Method::DELETE,
        &format!("/api/v1/machines/{m}/api-keys/{key_id}"),
        &t,
        None,
    )
    .await;
    assert_eq!(status, 200, "{revoked}");
    assert_ne!(revoked["revoked_at"], Value::Null);
    let (status, body) = send_events(&app, &key, &m, json!([{ "type": "heartbeat", "id": "hb-2" }])).await;
    assert_eq!(status, 401, "{body}");
    let (_, audit) = call(
        &app,
        Method::GET,
        "/api/v1/audit?entity_type=machine_api_key",
        &t,
        None,
    )
    .await;
    let actions: Vec<&str> = audit["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["machine_key.revoke", "machine_key.create"]);
    // Another machine's key id under this machine is not found.
    let other = machine_id(&app, &t, "VH-002").await;
    let (status, _) = call(
        &app,
        Method::DELETE,
        &format!("/api/v1/machines/{other}/api-keys/{key_id}"),
        &t,
        None,
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn missing_unknown_and_revoked_keys_are_401_and_another_machines_id_is_403() {
    let (app, t) = demo().await;
    let m = machine_id(&app, &t, "VH-001").await;
    let other = machine_id(&app, &t, "VH-002").await;
    let key = new_key(&app, &t, &m).await;
    let hb = json!([{ "type": "heartbeat", "id": "hb-1" }]);
    let res = app
        .client
        .post(app.url("/api/v1/gateway/events"))
        .json(&json!({ "machine_id": m, "events": hb }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let forged = format!("{}{}", &key[..key.len() - 4], "0000");
    for bad in ["nonsense", "vhk_", "vhk_abc_def", forged.as_str()] {
        let (status, _) = send_events(&app, bad, &m, hb.clone()).await;
        assert_eq!(status, 401, "{bad}");
    }
    // A user's access token is not a machine key.
    let res = app
        .client
        .post(app.url("/api/v1/gateway/events"))
        .bearer_auth(&t)
        .json(&json!({ "machine_id": m, "events": hb }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    // The bearer form of the machine key works too.
    let res = app
        .client
        .post(app.url("/api/v1/gateway/events"))
        .bearer_auth(&key)
        .json(&json!({ "machine_id": m, "events": hb }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let (status, body) = send_events(&app, &key, &other, hb.clone()).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(
        status_of(&app, &t, &other).await["last_seen_at"],
        Value::Null,
        "nothing written"
    );
}

#[tokio::test]
async fn vends_record_sales_and_sale_movements_once_even_when_replayed() {
    let (app, t) = demo().await;
    let m = machine_id(&app, &t, "VH-001").await;
    let key = new_key(&app, &t, &m).await;
    let before = slots(&app, &t, &m).await;
    let (a1, p1, q1) = before[0].clone();
    assert!(q1 >= 1, "{before:?}");
    let batch = json!([
        { "type": "heartbeat", "id": "e-1", "at": "2026-11-22T10:00:00Z" },
        { "type": "telemetry", "id": "e-2", "temperature": 4.5, "humidity": 41.0, "door": "closed", "signal": -71,
          "error_codes": [] },
        { "type": "vend", "id": "e-3", "slot": a1.to_lowercase(), "product_id": p1, "price": 1_200_000,
          "payment_method": "cash", "at": "2026-11-22T10:01:00Z" },
        { "type": "vend", "id": "e-3", "slot": a1, "price": 1_200_000, "payment_method": "cash" },
    ]);
    let (status, report) = send_events(&app, &key, &m, batch.clone()).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["new"], 3, "{report}");
    assert_eq!(
        report["duplicates"], 1,
        "the same id twice in a batch is one event: {report}"
    );
    assert_eq!(report["sales"], 1);
    let after = slots(&app, &t, &m).await;
    assert_eq!(after[0].2, q1 - 1);
    let sales = sales_of(&app, &t, &m).await;
    assert_eq!(sales.len(), 1);
    assert_eq!(
        (
            sales[0].source.as_str(),
            sales[0].payment_method.as_str(),
            sales[0].amount,
            sales[0].flag.clone()
        ),
        ("telemetry", "cash", 1_200_000, None)
    );
    assert_eq!(sales[0].sold_at.to_string(), "2026-11-22 10:01:00");
    // Replayed: accepted, all duplicates, no second sale and no second movement.
    let (status, replay) = send_events(&app, &key, &m, batch).await;
    assert_eq!(status, 200);
    assert_eq!(
        (replay["new"].clone(), replay["duplicates"].clone()),
        (json!(0), json!(4))
    );
    assert_eq!(slots(&app, &t, &m).await[0].2, q1 - 1);
    assert_eq!(sales_of(&app, &t, &m).await.len(), 1);
    let (_, moves) = call(
        &app,
        Method::GET,
        &format!("/api/v1/inventory/movements?kind=sale&holder=slot:{m}:{a1}"),
        &t,
        None,
    )
    .await;
    assert_eq!(moves["meta"]["total"], 1, "{moves}");
    assert_ne!(status_of(&app, &t, &m).await["last_seen_at"], Value::Null);
}

#[tokio::test]
async fn a_vend_from_an_empty_slot_is_recorded_flagged_and_the_balance_stays_zero() {
    let (app, t) = demo().await;
    let m = machine_id(&app, &t, "VH-001").await;
    let key = new_key(&app, &t, &m).await;
    let (slot, _, q) = slots(&app, &t, &m).await[0].clone();
    let vends: Vec<Value> = (0..=q)
        .map(|i| json!({ "type": "vend", "id": format!("v-{i}"), "slot": slot, "price": 500_000, "payment_method": "card" }))
        .collect();
    let (status, report) = send_events(&app, &key, &m, Value::Array(vends)).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["sales"], q + 1);
    assert_eq!(slots(&app, &t, &m).await[0].2, 0, "never below zero");
    let sales = sales_of(&app, &t, &m).await;
    let flagged: Vec<_> = sales
        .iter()
        .filter(|s| s.flag.as_deref() == Some("empty_slot"))
        .collect();
    assert_eq!(flagged.len(), 1, "the one vend beyond the ledger is flagged");
    let (_, moves) = call(
        &app,
        Method::GET,
        &format!("/api/v1/inventory/movements?kind=adjustment&holder=slot:{m}:{slot}"),
        &t,
        None,
    )
    .await;
    assert_eq!(moves["meta"]["total"], 1, "a shrink adjustment: {moves}");
    assert_eq!(moves["data"][0]["reason"], "shrink");
}

#[tokio::test]
async fn oversized_batches_are_413_and_bad_events_refuse_the_batch_whole_with_each_index() {
    let (app, t) = demo().await;
    let m = machine_id(&app, &t, "VH-001").await;
    let key = new_key(&app, &t, &m).await;
    let many: Vec<Value> = (0..1001)
        .map(|i| json!({ "type": "heartbeat", "id": format!("h{i}") }))
        .collect();
    let (status, body) = send_events(&app, &key, &m, Value::Array(many)).await;
    assert_eq!(status, 413, "{body}");
    let exactly: Vec<Value> = (0..1000)
        .map(|i| json!({ "type": "heartbeat", "id": format!("h{i}") }))
        .collect();
    let (status, body) = send_events(&app, &key, &m, Value::Array(exactly)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["new"], 1000);

    let before = slots(&app, &t, &m).await;
    let (status, body) = send_events(
        &app,
        &key,
        &m,
        json!([
            { "type": "vend", "id": "ok-1", "slot": before[0].0, "price": 100, "payment_method": "cash" },
            { "type": "vend", "id": "bad-1", "slot": "Z9", "price": 100, "payment_method": "cash" },
            { "type": "telemetry", "id": "bad-2", "temperature": 900.0 },
            { "type": "vend", "id": "bad-3", "slot": "A1", "price": -5, "payment_method": "bitcoin" },
            { "type": "teleport", "id": "bad-4" },
            { "type": "heartbeat" },
            { "type": "heartbeat", "id": "bad-6", "at": "yesterday" },
            { "type": "error", "id": "" , "code": "E1"},
            "not an object",
        ]),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "events[2]",
            "events[3]",
            "events[4]",
            "events[5]",
            "events[6]",
            "events[7]",
            "events[8]"
        ],
        "{body}"
    );
    // The planogram check comes after the shape checks; it too refuses the whole batch.
    let (status, body) = send_events(
        &app,
        &key,
        &m,
        json!([
            { "type": "vend", "id": "ok-1", "slot": before[0].0, "price": 100, "payment_method": "cash" },
            { "type": "vend", "id": "bad-1", "slot": "Z9", "price": 100, "payment_method": "cash" },
        ]),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["field"], "events[1]");
    assert_eq!(slots(&app, &t, &m).await, before, "nothing written");
    assert!(sales_of(&app, &t, &m).await.is_empty());
    for bad in [
        json!({ "machine_id": m }),
        json!({ "machine_id": m, "events": [] }),
        json!([1, 2]),
    ] {
        let res = app
            .client
            .post(app.url("/api/v1/gateway/events"))
            .header("X-Api-Key", &key)
            .json(&bad)
            .send()
            .await
            .unwrap();
        assert!(
            matches!(res.status().as_u16(), 400 | 422),
            "{bad}: {}",
            res.status()
        );
    }
}

#[tokio::test]
async fn errors_put_a_machine_in_error_and_silent_machines_go_offline_until_their_next_heartbeat() {
    let (app, t) = demo().await;
    let m = machine_id(&app, &t, "VH-001").await;
    let key = new_key(&app, &t, &m).await;
    let mut bus = app.app.bus().subscribe();
    let (status, _) = send_events(&app, &key, &m, json!([{ "type": "heartbeat", "id": "h1" }])).await;
    assert_eq!(status, 200);
    // Not heard from "for zero seconds": offline.
    let changed = vendhub_app::gateway::offline::mark_silent_machines(&app.app, std::time::Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(changed, 1, "only machines that ever talked are watched");
    assert_eq!(status_of(&app, &t, &m).await["status"], "offline");
    let again = vendhub_app::gateway::offline::mark_silent_machines(&app.app, std::time::Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(again, 0, "one event per change");
    let (status, _) = send_events(&app, &key, &m, json!([{ "type": "heartbeat", "id": "h2" }])).await;
    assert_eq!(status, 200);
    assert_eq!(status_of(&app, &t, &m).await["status"], "active");
    let (status, _) = send_events(
        &app,
        &key,
        &m,
        json!([{ "type": "telemetry", "id": "t1", "temperature": 7.5, "door": "open" },
               { "type": "error", "id": "x1", "code": "E12", "message": "coin jam" }]),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(status_of(&app, &t, &m).await["status"], "error");

    let mut seen = Vec::new();
    while let Ok(e) = bus.try_recv() {
        assert_eq!(e.payload["machine_id"], json!(m), "{e:?}");
        seen.push((
            e.name.clone(),
            e.payload.get("status").cloned().unwrap_or(Value::Null),
        ));
    }
    assert_eq!(
        seen,
        [
            ("machine:status".to_owned(), json!("offline")),
            ("machine:status".to_owned(), json!("active")),
            ("machine:status".to_owned(), json!("error")),
            ("machine:telemetry".to_owned(), Value::Null),
        ]
    );
}

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

#[tokio::test]
async fn the_scheduled_job_marks_a_silent_machine_offline_after_machine_offline_after() {
    let app = TestApp::builder()
        .env("MACHINE_OFFLINE_AFTER", "1s")
        .spawn()
        .await;
    vendhub_app::demo::seed(&app.app).await.unwrap();
    let res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "email": OWNER_EMAIL, "password": OWNER_PASSWORD }))
        .send()
        .await
        .unwrap();
    let t = res.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let m = machine_id(&app, &t, "VH-001").await;
    let key = new_key(&app, &t, &m).await;
    let mut bus = app.app.bus().subscribe();
    let (status, _) = send_events(&app, &key, &m, json!([{ "type": "heartbeat", "id": "h1" }])).await;
    assert_eq!(status, 200);
    let start = std::time::Instant::now();
    while status_of(&app, &t, &m).await["status"] != "offline" {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(15),
            "not marked offline"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let event = bus.recv().await.unwrap();
    assert_eq!(event.name, "machine:status");
    assert_eq!(event.payload["status"], "offline");
    let never = machine_id(&app, &t, "VH-002").await;
    assert_ne!(
        status_of(&app, &t, &never).await["status"],
        "offline",
        "never heard from: not watched"
    );
}

/// The value of one sample line of Prometheus text (`name{labels} value`), by name and label fragment.
fn sample(text: &str, name: &str, labels: &str) -> Option<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find(|l| l.starts_with(&format!("{name}{{")) && l.contains(labels) || *l == name)
        .or_else(|| text.lines().find(|l| l.starts_with(&format!("{name} "))))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test]
async fn business_metrics_match_the_database() {
    let (app, t) = demo().await;
    let m = machine_id(&app, &t, "VH-001").await;
    let key = new_key(&app, &t, &m).await;
    let (slot, _, _) = slots(&app, &t, &m).await[0].clone();
    let (status, _) = send_events(
        &app,
        &key,
        &m,
        json!([
            { "type": "vend", "id": "v1", "slot": slot, "price": 100, "payment_method": "cash" },
            { "type": "vend", "id": "v2", "slot": slot, "price": 100, "payment_method": "payme" },
            { "type": "vend", "id": "v3", "slot": slot, "price": 100, "payment_method": "cash" },
            { "type": "error", "id": "x1", "code": "E1" },
        ]),
    )
    .await;
    assert_eq!(status, 200);
    let text = app.get("/metrics").await.text().await.unwrap();
    crate::metrics::promtool_check(&text);

    let (_, machines) = call(&app, Method::GET, "/api/v1/machines?limit=100", &t, None).await;
    let machines = machines["data"].as_array().unwrap().clone();
    for status in [
        "active",
        "error",
        "offline",
        "maintenance",
        "low_stock",
        "disabled",
    ] {
        let n = machines.iter().filter(|x| x["status"] == status).count();
        #[expect(clippy::cast_precision_loss, reason = "small")]
        let expected = n as f64;
        assert_eq!(
            sample(&text, "vendhub_machine_status", &format!("status=\"{status}\"")),
            Some(expected),
            "{status}"
        );
    }
    for machine in machines.iter().take(5) {
        let id = machine["id"].as_str().unwrap();
        let stock = slots(&app, &t, id).await;
        let (_, detail) = call(
            &app,
            Method::GET,
            &format!("/api/v1/inventory/machine/{id}"),
            &t,
            None,
        )
        .await;
        let lowest = detail
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["fill_percent"].as_i64().unwrap())
            .min()
            .unwrap();
        assert!(!stock.is_empty());
        #[expect(clippy::cast_precision_loss, reason = "small")]
        let expected = lowest as f64;
        assert_eq!(
            sample(
                &text,
                "vendhub_machine_inventory_level",
                &format!("machine=\"{id}\"")
            ),
            Some(expected),
            "{id}"
        );
    }
    assert_eq!(
        sample(
            &text,
            "vendhub_sales_total",
            "source=\"telemetry\",payment_method=\"cash\""
        ),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            "vendhub_sales_total",
            "source=\"telemetry\",payment_method=\"payme\""
        ),
        Some(1.0)
    );
    assert_eq!(sample(&text, "vendhub_orders_total", ""), Some(0.0));
}

#[tokio::test]
async fn vendhub_simulate_drives_the_gateway_with_a_living_fleet() {
    let (app, t) = demo().await;
    let options = vendhub::simulate::Options {
        url: app.url(""),
        email: OWNER_EMAIL.into(),
        password: OWNER_PASSWORD.into(),
        machines: 2,
        rate: 6.0,
        duration: Some(std::time::Duration::from_millis(2500)),
    };
    let summary = vendhub::simulate::run(&options).await.unwrap();
    assert_eq!(summary.machines, 2);
    assert_eq!(summary.refused, 0, "{summary}");
    assert!(summary.batches >= 4 && summary.sales >= 6, "{summary}");
    let m = machine_id(&app, &t, "VH-001").await;
    let (_, keys) = call(
        &app,
        Method::GET,
        &format!("/api/v1/machines/{m}/api-keys"),
        &t,
        None,
    )
    .await;
    assert_eq!(keys[0]["label"], "simulator");
    assert_ne!(status_of(&app, &t, &m).await["last_seen_at"], Value::Null);
    let bad = vendhub::simulate::Options {
        password: "wrong-password-here".into(),
        ..options
    };
    let err = vendhub::simulate::run(&bad).await.unwrap_err();
    assert!(err.starts_with("sign in"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_replays_of_one_batch_record_each_sale_once() {
    let (app, t) = demo().await;
    let m = machine_id(&app, &t, "VH-001").await;
    let key = new_key(&app, &t, &m).await;
    let (slot, _, q) = slots(&app, &t, &m).await[0].clone();
    let batch = json!([
        { "type": "vend", "id": "c-1", "slot": slot, "price": 100, "payment_method": "cash" },
        { "type": "vend", "id": "c-2", "slot": slot, "price": 100, "payment_method": "card" },
    ]);
    let sends = (0..6).map(|_| send_events(&app, &key, &m, batch.clone()));
    let answers = futures_join_all(sends).await;
    let new: i64 = answers
        .iter()
        .map(|(status, body)| {
            assert_eq!(*status, 200, "{body}");
            body["new"].as_i64().unwrap()
        })
        .sum();
    assert_eq!(new, 2, "{answers:?}");
    assert_eq!(sales_of(&app, &t, &m).await.len(), 2);
    assert_eq!(slots(&app, &t, &m).await[0].2, (q - 2).max(0));
}

/// Runs the futures concurrently on this task.
async fn futures_join_all<F: std::future::Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let handles: Vec<_> = futures.map(Box::pin).collect();
    let mut out = Vec::new();
    let mut pending: Vec<_> = handles.into_iter().map(Some).collect();
    // Poll all of them together.
    std::future::poll_fn(|cx| {
        let mut done = true;
        for slot in &mut pending {
            if let Some(f) = slot {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => {
                        out.push(v);
                        *slot = None;
                    }
                    std::task::Poll::Pending => done = false,
                }
            }
        }
        if done {
            std::task::Poll::Ready(std::mem::take(&mut out))
        } else {
            std::task::Poll::Pending
        }
    })
    .await
}
