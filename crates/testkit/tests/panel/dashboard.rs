//! The dashboard: its figures are the API's (`GET /api/v1/dashboard`), today's sales count what the machines
//! just reported, a viewer sees it, and another organization sees only its own numbers.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use vendhub_testkit::api::{call, demo_with_staff, get, machine_id, other_organization};
use vendhub_testkit::panel::PanelClient;
use vendhub_testkit::{OWNER_EMAIL, OWNER_PASSWORD, TestApp};

/// The number in `data-value` of the element with `data-testid="<id>"`.
fn value_of(html: &str, id: &str) -> i64 {
    let start = html
        .find(&format!("data-testid=\"{id}\""))
        .unwrap_or_else(|| panic!("no {id} on the page"));
    let rest = &html[start..];
    let v = &rest[rest.find("data-value=\"").unwrap() + "data-value=\"".len()..];
    v[..v.find('"').unwrap()].parse().unwrap()
}

/// Money as the English page shows it (`12,000 so‘m`, `-1,500.50 so‘m`).
fn money_en(tiyin: i64) -> String {
    let sign = if tiyin < 0 { "-" } else { "" };
    let (som, rest) = (tiyin.unsigned_abs() / 100, tiyin.unsigned_abs() % 100);
    let digits = som.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if rest == 0 {
        format!("{sign}{grouped}\u{a0}so‘m")
    } else {
        format!("{sign}{grouped}.{rest:02}\u{a0}so‘m")
    }
}

/// Sends vends (now, by the server's clock) from a machine through the gateway with its API key.
async fn sell(app: &TestApp, token: &str, machine: &str, vends: &[(i64, &str)]) {
    let (status, created) = call(
        app,
        Method::POST,
        &format!("/api/v1/machines/{machine}/api-keys"),
        token,
        Some(json!({ "label": "telemetry" })),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let key = created["key"].as_str().unwrap();
    let (_, stock) = call(
        app,
        Method::GET,
        &format!("/api/v1/inventory/machine/{machine}"),
        token,
        None,
    )
    .await;
    let slot = vendhub_testkit::api::slot_list(&stock)[0].0.clone();
    let events: Vec<Value> = vends
        .iter()
        .enumerate()
        .map(|(i, (price, method))| {
            json!({ "type": "vend", "id": format!("dash-{i}"), "slot": slot, "price": price, "payment_method": method })
        })
        .collect();
    let res = app
        .client
        .post(app.url("/api/v1/gateway/events"))
        .header("X-Api-Key", key)
        .json(&json!({ "machine_id": machine, "events": events }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let report: Value = res.json().await.unwrap();
    assert_eq!(report["sales"], vends.len(), "{report}");
}

/// Every figure the page shows in a `data-value` equals the API's.
fn assert_page_matches_api(html: &str, api: &Value) {
    for (id, field) in [
        ("sales-today", &api["sales_today"]["amount"]),
        ("sales-month", &api["sales_month"]["amount"]),
        ("machines-total", &api["machines_total"]),
        ("tasks-open", &api["tasks_open"]),
        ("overdue", &api["tasks_overdue"]),
        ("cash-expected", &api["cash_expected"]),
        ("over-short", &api["last_collections_over_short"]),
        ("offline", &api["offline_total"]),
        ("low-stock", &api["low_stock_total"]),
    ] {
        assert_eq!(Some(value_of(html, id)), field.as_i64(), "{id}: {api}");
    }
    for s in api["machines_by_status"].as_array().unwrap() {
        let needle = format!(
            "data-status=\"{}\" data-value=\"{}\"",
            s["status"].as_str().unwrap(),
            s["count"]
        );
        assert!(html.contains(&needle), "{needle}");
    }
}

#[tokio::test]
async fn the_dashboard_shows_the_apis_figures_and_todays_sales_count_what_machines_just_sold() {
    let (app, t, _) = demo_with_staff().await;
    let (_, before) = get(&app, "/api/v1/dashboard", &t).await;
    let m = machine_id(&app, &t, "VH-001").await;
    sell(
        &app,
        &t,
        &m,
        &[(1_200_000, "cash"), (800_000, "card"), (500_050, "cash")],
    )
    .await;

    let (status, api) = get(&app, "/api/v1/dashboard", &t).await;
    assert_eq!(status, 200, "{api}");
    let today = |v: &Value, f: &str| v["sales_today"][f].as_i64().unwrap();
    assert_eq!(
        today(&api, "amount") - today(&before, "amount"),
        2_500_050,
        "{api}"
    );
    assert_eq!(today(&api, "count") - today(&before, "count"), 3);
    assert!(api["sales_month"]["amount"].as_i64().unwrap() >= 2_500_050);
    assert!(
        api["cash_expected"].as_i64().unwrap() - before["cash_expected"].as_i64().unwrap() == 1_700_050,
        "cash sales since the last collection: {api}"
    );
    let days = api["sales_by_day"].as_array().unwrap();
    assert_eq!(days.len(), 30);
    assert_eq!(days[29]["day"], api["today"]);
    assert_eq!(days[29]["amount"], api["sales_today"]["amount"]);
    let methods = api["sales_by_payment_method"].as_array().unwrap();
    assert!(methods.iter().any(|m| m["payment_method"] == "card"), "{api}");
    assert!(!api["top_products"].as_array().unwrap().is_empty(), "{api}");
    let machines: i64 = api["machines_by_status"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["count"].as_i64().unwrap())
        .sum();
    assert_eq!(machines, api["machines_total"].as_i64().unwrap());

    let mut c = PanelClient::sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let page = c.get("/admin?lang=en").await;
    assert_eq!(page.status, StatusCode::OK);
    let (_, api) = get(&app, "/api/v1/dashboard", &t).await;
    assert_page_matches_api(&page.html, &api);
    for field in ["sales_today", "sales_month"] {
        let shown = money_en(api[field]["amount"].as_i64().unwrap());
        assert!(page.html.contains(&shown), "{field} shown as {shown}");
    }
    assert!(
        page.html
            .contains(&money_en(api["cash_expected"].as_i64().unwrap()))
    );
    // Four charts drawn on the server, no inline style or script.
    assert_eq!(page.html.matches("<svg").count(), 4, "{}", page.html);
    assert!(!page.html.contains("style=\"") && !page.html.contains("<script>"));
    for t in api["overdue_tasks"].as_array().unwrap() {
        assert!(
            page.html
                .contains(&format!("href=\"/admin/tasks/{}\"", t["id"].as_str().unwrap()))
        );
    }
    for m in api["low_stock_machines"].as_array().unwrap() {
        assert!(
            page.html
                .contains(&format!("href=\"/admin/machines/{}\"", m["id"].as_str().unwrap()))
        );
    }
}

#[tokio::test]
async fn a_viewer_sees_the_dashboard_and_another_organization_only_its_own_numbers() {
    let (app, t, _) = demo_with_staff().await;
    let m = machine_id(&app, &t, "VH-002").await;
    sell(&app, &t, &m, &[(900_000, "cash")]).await;
    let (status, viewer) = call(
        &app,
        Method::POST,
        "/api/v1/users",
        &t,
        Some(json!({ "email": "viewer@demo.test", "full_name": "Viewer", "password": "quiet-field-2026!", "role": "viewer" })),
    )
    .await;
    assert_eq!(status, 201, "{viewer}");
    let mut v = PanelClient::sign_in(&app, "viewer@demo.test", "quiet-field-2026!").await;
    let page = v.get("/admin?lang=en").await;
    assert_eq!(page.status, StatusCode::OK);
    let (_, api) = get(&app, "/api/v1/dashboard", &t).await;
    assert_page_matches_api(&page.html, &api);
    assert!(value_of(&page.html, "sales-today") >= 900_000);

    let (_, other_token) = other_organization(&app, "rival", "rival-pass-2026!").await;
    let (status, theirs) = get(&app, "/api/v1/dashboard", &other_token).await;
    assert_eq!(status, 200, "{theirs}");
    assert_eq!(theirs["sales_today"]["amount"], 0, "{theirs}");
    assert_eq!(theirs["machines_total"], 0);
    assert_eq!(theirs["cash_expected"], 0);
    assert_eq!(theirs["timezone"], "UTC");
    let mut o = PanelClient::sign_in(&app, "owner@rival.test", "rival-pass-2026!").await;
    let page = o.get("/admin?lang=en").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_page_matches_api(&page.html, &theirs);
    assert_eq!(value_of(&page.html, "sales-today"), 0);
    assert!(!page.html.contains(&m), "no machine of the demo organization");
}

#[tokio::test]
async fn a_stranger_is_sent_to_sign_in_and_the_api_wants_a_token() {
    let app = TestApp::spawn().await;
    let mut c = PanelClient::new(&app);
    assert_eq!(c.get("/admin").await.status, StatusCode::SEE_OTHER);
    let res = app.client.get(app.url("/api/v1/dashboard")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn with_a_cache_ttl_the_figures_are_reused_until_it_passes_and_the_page_shows_the_same() {
    let app = TestApp::builder().env("DASHBOARD_CACHE_TTL", "1s").spawn().await;
    vendhub_app::demo::seed(&app.app).await.unwrap();
    let t = vendhub_testkit::api::login(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    let (_, first) = get(&app, "/api/v1/dashboard", &t).await;
    let m = machine_id(&app, &t, "VH-001").await;
    sell(&app, &t, &m, &[(1_000_000, "cash")]).await;
    let (_, cached) = get(&app, "/api/v1/dashboard", &t).await;
    assert_eq!(
        cached, first,
        "within the TTL the figures are the ones computed first"
    );
    let mut c = PanelClient::sign_in(&app, OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_page_matches_api(&c.get("/admin?lang=en").await.html, &cached);
    let today = |v: &Value| v["sales_today"]["amount"].as_i64().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let (_, now) = get(&app, "/api/v1/dashboard", &t).await;
        if today(&now) == today(&first) + 1_000_000 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the sale shows once the TTL passed: {now}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
