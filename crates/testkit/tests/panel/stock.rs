//! The stock pages: purchases, transfers, write-offs and stocktakes through the forms change what the
//! API reports; a refused movement is a 422 page and writes nothing; the pre-kit lists what the demo
//! machines need; an operator sees only their own stock; a viewer reads and cannot write; another
//! organization's ids are not found.

use reqwest::StatusCode;
use serde_json::{Value, json};
use vendhub_testkit::api::{an_operator, demo_with_staff, get, other_organization, post};
use vendhub_testkit::panel::PanelClient;
use vendhub_testkit::{OWNER_EMAIL, OWNER_PASSWORD, TestApp};

async fn warehouse_id(app: &TestApp, token: &str) -> String {
    let (_, list) = get(app, "/api/v1/warehouses", token).await;
    list[0]["id"].as_str().unwrap().to_owned()
}

async fn products(app: &TestApp, token: &str) -> Vec<Value> {
    let (_, list) = get(app, "/api/v1/products?limit=100", token).await;
    list["data"].as_array().unwrap().clone()
}

/// The quantity of `product` a holder's balances (an API answer) show.
fn qty_in(balances: &Value, product: &str) -> i64 {
    balances
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["product_id"] == product)
        .map_or(0, |b| b["quantity"].as_i64().unwrap())
}

async fn warehouse_qty(app: &TestApp, token: &str, warehouse: &str, product: &str) -> i64 {
    let (s, b) = get(
        app,
        &format!("/api/v1/inventory/warehouse?warehouse_id={warehouse}"),
        token,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    qty_in(&b, product)
}

async fn operator_qty(app: &TestApp, token: &str, operator: &str, product: &str) -> i64 {
    let (s, b) = get(
        app,
        &format!("/api/v1/inventory/operator?operator_id={operator}"),
        token,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    qty_in(&b, product)
}

async fn movement_total(app: &TestApp, token: &str) -> i64 {
    let (_, m) = get(app, "/api/v1/inventory/movements?limit=1", token).await;
    m["meta"]["total"].as_i64().unwrap()
}

async fn owner_panel(app: &TestApp) -> PanelClient {
    let mut c = PanelClient::sign_in(app, OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(c.get("/admin/stock?lang=en").await.status, StatusCode::OK);
    c
}

#[tokio::test]
async fn a_purchase_through_the_form_raises_the_warehouse_balance_at_the_cost_typed_in_so_m() {
    let (app, owner, _) = demo_with_staff().await;
    let w = warehouse_id(&app, &owner).await;
    let p = products(&app, &owner).await[0]["id"].as_str().unwrap().to_owned();
    let before = warehouse_qty(&app, &owner, &w, &p).await;
    let mut c = owner_panel(&app).await;
    let form = c.get("/admin/stock/purchase").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.html.contains("name=\"unit_cost\"") && form.html.contains(&w));
    let done = c
        .post(
            "/admin/stock/purchase",
            &[
                ("warehouse_id", &w),
                ("product_id", &p),
                ("quantity", "5"),
                ("unit_cost", "12 500,50"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    assert_eq!(
        done.location.as_deref(),
        Some(format!("/admin/stock/warehouses/{w}").as_str())
    );
    assert_eq!(warehouse_qty(&app, &owner, &w, &p).await, before + 5);
    let (_, m) = get(&app, "/api/v1/inventory/movements?kind=purchase&limit=1", &owner).await;
    assert_eq!(m["data"][0]["unit_cost"], 1_250_050, "{m}");
    assert_eq!(m["data"][0]["quantity"], 5);
    // The warehouse page shows it.
    let page = c.get(&format!("/admin/stock/warehouses/{w}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("12,500.50"), "the unit cost in so'm");

    // Bad input: a page naming the field, nothing written.
    let total = movement_total(&app, &owner).await;
    for (fields, named) in [
        (
            [
                ("quantity", "-3"),
                ("unit_cost", "100"),
                ("product_id", p.as_str()),
            ],
            "quantity",
        ),
        (
            [
                ("quantity", "3"),
                ("unit_cost", "12,5,0"),
                ("product_id", p.as_str()),
            ],
            "unit_cost",
        ),
        (
            [
                ("quantity", "3"),
                ("unit_cost", "100"),
                ("product_id", w.as_str()),
            ],
            "product_id",
        ),
    ] {
        let mut all = vec![("warehouse_id", w.as_str())];
        all.extend(fields);
        let bad = c.post("/admin/stock/purchase?lang=en", &all).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{named}: {}", bad.html);
        assert!(bad.html.contains(named), "{named}: {}", bad.html);
    }
    assert_eq!(movement_total(&app, &owner).await, total);
}

#[tokio::test]
async fn a_transfer_to_an_operator_moves_the_stock_and_a_write_off_beyond_the_balance_is_refused() {
    let (app, owner, _) = demo_with_staff().await;
    let w = warehouse_id(&app, &owner).await;
    let op = an_operator(&app, &owner).await;
    let p = products(&app, &owner).await[1]["id"].as_str().unwrap().to_owned();
    let (w0, o0) = (
        warehouse_qty(&app, &owner, &w, &p).await,
        operator_qty(&app, &owner, &op, &p).await,
    );
    assert!(w0 >= 3, "the demo warehouse holds stock");
    let mut c = owner_panel(&app).await;
    let form = c.get("/admin/stock/transfer").await;
    assert!(
        form.html.contains(&format!("operator:{op}")),
        "operators are offered"
    );
    let from = format!("warehouse:{w}");
    let to = format!("operator:{op}");
    let done = c
        .post(
            "/admin/stock/transfer",
            &[
                ("from", &from),
                ("to", &to),
                ("product_id", &p),
                ("quantity", "3"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    assert_eq!(warehouse_qty(&app, &owner, &w, &p).await, w0 - 3);
    assert_eq!(operator_qty(&app, &owner, &op, &p).await, o0 + 3);

    // The API answers every operator's stock and the holders the forms offer.
    let (_, everyone) = get(&app, "/api/v1/inventory/operators", &owner).await;
    assert!(
        everyone
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["holder"] == to.as_str() && b["product_id"] == p.as_str())
    );
    let (_, holders) = get(&app, "/api/v1/inventory/holders", &owner).await;
    assert!(
        holders
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["holder"] == from.as_str())
    );
    // The overview shows the operator's stock.
    let overview = c.get("/admin/stock").await;
    assert!(overview.html.contains("data-testid=\"operator-stock\""));

    // More than the operator holds: 422 with the rule's message, nothing written.
    let total = movement_total(&app, &owner).await;
    let too_much = (o0 + 4).to_string();
    let refused = c
        .post(
            "/admin/stock/write-off?lang=en",
            &[
                ("holder", &to),
                ("product_id", &p),
                ("quantity", &too_much),
                ("reason", "damaged"),
            ],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.html
    );
    assert!(refused.html.contains("cannot be moved"), "{}", refused.html);
    assert_eq!(movement_total(&app, &owner).await, total);
    assert_eq!(operator_qty(&app, &owner, &op, &p).await, o0 + 3);

    // Within the balance it is written off, with its reason.
    let ok = c
        .post(
            "/admin/stock/write-off",
            &[
                ("holder", &to),
                ("product_id", &p),
                ("quantity", "1"),
                ("reason", "expired"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.html);
    assert_eq!(operator_qty(&app, &owner, &op, &p).await, o0 + 2);
    let list = c.get("/admin/stock/movements?kind=write_off").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.html.contains("Expired"), "the reason is shown");
    let bad = c.get("/admin/stock/movements?from=yesterday").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.html.contains("from"));
}

#[tokio::test]
async fn a_stocktake_counted_and_closed_through_the_pages_posts_an_adjustment() {
    let (app, owner, _) = demo_with_staff().await;
    let w = warehouse_id(&app, &owner).await;
    let p = products(&app, &owner).await[2]["id"].as_str().unwrap().to_owned();
    let before = warehouse_qty(&app, &owner, &w, &p).await;
    assert!(before >= 2);
    let mut c = owner_panel(&app).await;
    let holder = format!("warehouse:{w}");
    let started = c.post("/admin/stock/stocktakes", &[("holder", &holder)]).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.html);
    let sheet_path = started.location.unwrap();
    let id = sheet_path.rsplit('/').next().unwrap().to_owned();
    let sheet = c.get(&sheet_path).await;
    assert_eq!(sheet.status, StatusCode::OK);
    assert!(sheet.html.contains("data-testid=\"count-sheet\""));
    let field = format!("counted.{p}");
    assert!(sheet.html.contains(&field));
    let counted = (before - 2).to_string();
    let saved = c
        .post(
            &format!("{sheet_path}/counts"),
            &[(field.as_str(), counted.as_str())],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let negative = c
        .post(&format!("{sheet_path}/counts"), &[(field.as_str(), "-1")])
        .await;
    assert_eq!(negative.status, StatusCode::BAD_REQUEST);
    assert!(negative.html.contains(&field));
    let closed = c.post(&format!("{sheet_path}/close"), &[]).await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.html);
    let (_, adj) = get(
        &app,
        &format!("/api/v1/inventory/movements?kind=adjustment&reference_id={id}"),
        &owner,
    )
    .await;
    let rows = adj["data"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{adj}");
    assert_eq!(rows[0]["quantity"], 2);
    assert_eq!(rows[0]["product_id"], p.as_str());
    assert_eq!(rows[0]["from_holder"], holder.as_str());
    assert_eq!(warehouse_qty(&app, &owner, &w, &p).await, before - 2);
    let after = c.get(&sheet_path).await;
    assert!(
        after.html.contains("data-testid=\"differences\""),
        "{}",
        after.html
    );
    assert!(after.html.contains("Shortage"), "{}", after.html);
    // A closed stocktake takes no more counts.
    let late = c
        .post(&format!("{sheet_path}/counts"), &[(field.as_str(), "1")])
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    let list = c.get("/admin/stock/stocktakes").await;
    assert!(list.html.contains(&sheet_path));
}

#[tokio::test]
async fn the_pre_kit_page_lists_what_the_demo_machines_need_printable() {
    let (app, owner, _) = demo_with_staff().await;
    let op = an_operator(&app, &owner).await;
    let (s, kit) = get(
        &app,
        &format!("/api/v1/inventory/prekit?operator_id={op}"),
        &owner,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{kit}");
    let picks = kit["pick_list"].as_array().unwrap();
    assert!(!picks.is_empty(), "the demo machines need stock: {kit}");
    let mut c = owner_panel(&app).await;
    let page = c.get(&format!("/admin/stock/prekit?operator_id={op}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("data-testid=\"pick-list\"") && page.html.contains("data-print"));
    for p in picks {
        assert!(page.html.contains(p["sku"].as_str().unwrap()), "{}", p["sku"]);
    }
    let machine = kit["machines"][0]["machine_id"].as_str().unwrap();
    let one = c.get(&format!("/admin/stock/prekit?machine_id={machine}")).await;
    assert_eq!(one.status, StatusCode::OK);
    assert!(one.html.contains("data-testid=\"pick-list\""));
    let form = c.get("/admin/stock/prekit").await;
    assert!(
        !form.html.contains("data-testid=\"pick-list\""),
        "nothing chosen yet"
    );
    let bad = c.get("/admin/stock/prekit?date=tomorrow").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn an_operator_sees_only_their_own_stock_and_no_warehouse_controls() {
    let (app, owner, staff_password) = demo_with_staff().await;
    let (_, users) = get(&app, "/api/v1/users?limit=100", &owner).await;
    let me = users["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "operator1@demo.vendhub.uz")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let w = warehouse_id(&app, &owner).await;
    let all = products(&app, &owner).await;
    let p = &all[3];
    let (s, _) = post(
        &app,
        "/api/v1/inventory/transfers",
        &owner,
        json!({ "product_id": p["id"], "from": format!("warehouse:{w}"), "to": format!("operator:{me}"), "quantity": 2 }),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let mut c = PanelClient::sign_in(&app, "operator1@demo.vendhub.uz", &staff_password).await;
    let page = c.get("/admin/stock?lang=en").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("data-testid=\"own-stock\""));
    assert!(page.html.contains(p["sku"].as_str().unwrap()));
    assert!(!page.html.contains("Main warehouse"), "no warehouse");
    assert!(
        !page.html.contains("data-testid=\"operator-stock\""),
        "no one else's stock"
    );
    assert!(
        !page.html.contains("/admin/stock/purchase"),
        "no warehouse controls"
    );
    for path in [
        "/admin/stock/movements",
        "/admin/stock/purchase",
        &format!("/admin/stock/warehouses/{w}"),
        "/admin/stock/stocktakes",
    ] {
        assert_eq!(c.get(path).await.status, StatusCode::FORBIDDEN, "{path}");
    }
    let pid = p["id"].as_str().unwrap();
    let forged = c
        .post(
            "/admin/stock/write-off",
            &[
                ("holder", &format!("operator:{me}")),
                ("product_id", pid),
                ("quantity", "1"),
                ("reason", "damaged"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(operator_qty(&app, &owner, &me, pid).await, 2);
}

#[tokio::test]
async fn a_viewer_reads_the_stock_and_a_forged_post_from_them_is_refused() {
    let (app, owner, _) = demo_with_staff().await;
    let (status, created) = post(
        &app,
        "/api/v1/users",
        &owner,
        json!({ "email": "viewer@demo.vendhub.uz", "full_name": "Viewer", "password": "Look-only-pass-9876", "role": "viewer" }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let w = warehouse_id(&app, &owner).await;
    let p = products(&app, &owner).await[0]["id"].as_str().unwrap().to_owned();
    let before = warehouse_qty(&app, &owner, &w, &p).await;
    let mut c = PanelClient::sign_in(&app, "viewer@demo.vendhub.uz", "Look-only-pass-9876").await;
    let page = c.get("/admin/stock?lang=en").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("Main warehouse"));
    assert!(
        !page.html.contains("method=\"post\" action=\"/admin/stock"),
        "no write control"
    );
    assert!(!page.html.contains("/admin/stock/purchase"));
    for path in [
        "/admin/stock/movements",
        "/admin/stock/stocktakes",
        "/admin/stock/prekit",
    ] {
        let read = c.get(path).await;
        assert_eq!(read.status, StatusCode::OK, "{path}");
        assert!(
            !read.html.contains("method=\"post\" action=\"/admin/stock"),
            "{path}"
        );
    }
    assert_eq!(c.get("/admin/stock/purchase").await.status, StatusCode::FORBIDDEN);
    let fields = [
        ("warehouse_id", w.as_str()),
        ("product_id", p.as_str()),
        ("quantity", "5"),
        ("unit_cost", "100"),
    ];
    assert_eq!(
        c.post("/admin/stock/purchase", &fields).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        c.post_raw("/admin/stock/purchase", &fields).await.status,
        StatusCode::FORBIDDEN
    );
    let holder = format!("warehouse:{w}");
    assert_eq!(
        c.post("/admin/stock/stocktakes", &[("holder", &holder)])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(warehouse_qty(&app, &owner, &w, &p).await, before);
}

#[tokio::test]
async fn another_organizations_warehouse_is_not_found() {
    let (app, owner, _) = demo_with_staff().await;
    let (_, theirs) = other_organization(&app, "other-stock", "Other-pass-12345").await;
    let (s, their_w) = post(&app, "/api/v1/warehouses", &theirs, json!({ "name": "Theirs" })).await;
    assert_eq!(s, StatusCode::CREATED, "{their_w}");
    let their_w = their_w["id"].as_str().unwrap().to_owned();
    let p = products(&app, &owner).await[0]["id"].as_str().unwrap().to_owned();
    let mut c = owner_panel(&app).await;
    assert_eq!(
        c.get(&format!("/admin/stock/warehouses/{their_w}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        c.get("/admin/stock/warehouses/not-an-id").await.status,
        StatusCode::NOT_FOUND
    );
    let total = movement_total(&app, &owner).await;
    let into_theirs = c
        .post(
            "/admin/stock/purchase",
            &[
                ("warehouse_id", &their_w),
                ("product_id", &p),
                ("quantity", "5"),
                ("unit_cost", "100"),
            ],
        )
        .await;
    assert_eq!(into_theirs.status, StatusCode::NOT_FOUND, "{}", into_theirs.html);
    assert_eq!(movement_total(&app, &owner).await, total);
    let holder = format!("warehouse:{their_w}");
    let start = c.post("/admin/stock/stocktakes", &[("holder", &holder)]).await;
    assert_eq!(start.status, StatusCode::BAD_REQUEST, "{}", start.html);
    let (_, their_page) = get(&app, "/api/v1/warehouses", &theirs).await;
    assert_eq!(their_page.as_array().unwrap().len(), 1);
}
