//! The fleet's business metrics against the database, and the simulator driving the gateway with a living fleet.

use reqwest::Method;
use serde_json::{Value, json};
use vendhub_testkit::api::{call, demo, machine_id};
use vendhub_testkit::{OWNER_EMAIL, OWNER_PASSWORD};

use super::{new_key, send_events, slots, status_of};

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
    assert_eq!(
        sample(&text, "vendhub_orders_total", "status=\"created\""),
        Some(0.0)
    );
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
        vend_failure_rate: 0.0,
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
