//! Click SHOP API over HTTP, as Click calls us: Click's own 15-case test matrix (PROTOCOLS.md §2.5) case by
//! case, replays, a Complete before its Prepare, an expired order, two concurrent Completes, an
//! organization's own account, and the paid order's vend reaching the machine.

use serde_json::Value;
use vendhub_domain::payments::click::{SignInput, sign_string};
use vendhub_testkit::TestApp;
use vendhub_testkit::orders::{Shop, order, public_order, shop};

const SECRET: &str = "click-s3cret";
const SERVICE: &str = "12345";

async fn click_app() -> TestApp {
    TestApp::builder()
        .env("CLICK_MERCHANT_ID", "777")
        .env("CLICK_SECRET_KEY", SECRET)
        .env("CLICK_SERVICE_ID", SERVICE)
        .spawn()
        .await
}

/// So'm text of a tiyin amount, as Click sends it ("1000.00").
fn som(tiyin: i64) -> String {
    format!("{}.{:02}", tiyin / 100, tiyin % 100)
}

/// One call Click makes.
#[derive(Clone)]
struct Call {
    /// `/api/v1/payments/click` or `/api/v1/payments/click/{slug}`.
    base: String,
    secret: String,
    service_id: String,
    click_trans_id: String,
    order_id: String,
    amount: String,
    /// `None` on Prepare.
    prepare_id: Option<String>,
    error: String,
    /// Sign with this instead of the right signature.
    bad_sign: bool,
}

impl Call {
    fn prepare(trans: i64, order_id: &str, amount: &str) -> Self {
        Self {
            base: "/api/v1/payments/click".into(),
            secret: SECRET.into(),
            service_id: SERVICE.into(),
            click_trans_id: trans.to_string(),
            order_id: order_id.into(),
            amount: amount.into(),
            prepare_id: None,
            error: "0".into(),
            bad_sign: false,
        }
    }

    fn complete(trans: i64, order_id: &str, amount: &str, prepare_id: &str) -> Self {
        Self {
            prepare_id: Some(prepare_id.into()),
            ..Self::prepare(trans, order_id, amount)
        }
    }

    fn error(mut self, e: &str) -> Self {
        self.error = e.into();
        self
    }

    fn bad_sign(mut self) -> Self {
        self.bad_sign = true;
        self
    }

    async fn send(&self, app: &TestApp) -> Value {
        let action = if self.prepare_id.is_some() { "1" } else { "0" };
        let sign_time = "2026-12-07 19:30:00";
        let mut sign = sign_string(
            &self.secret,
            &SignInput {
                click_trans_id: &self.click_trans_id,
                service_id: &self.service_id,
                merchant_trans_id: &self.order_id,
                merchant_prepare_id: self.prepare_id.as_deref(),
                amount: &self.amount,
                action,
                sign_time,
            },
        );
        if self.bad_sign {
            sign = "0".repeat(32);
        }
        let mut form = vec![
            ("click_trans_id", self.click_trans_id.clone()),
            ("service_id", self.service_id.clone()),
            ("click_paydoc_id", format!("9{}", self.click_trans_id)),
            ("merchant_trans_id", self.order_id.clone()),
            ("amount", self.amount.clone()),
            ("action", action.into()),
            ("error", self.error.clone()),
            ("error_note", "Success".into()),
            ("sign_time", sign_time.into()),
            ("sign_string", sign),
        ];
        if let Some(p) = &self.prepare_id {
            form.push(("merchant_prepare_id", p.clone()));
        }
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form.iter().map(|(k, v)| (*k, v.as_str())))
            .finish();
        let which = if self.prepare_id.is_some() {
            "complete"
        } else {
            "prepare"
        };
        let res = app
            .client
            .post(app.url(&format!("{}/{which}", self.base)))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "Click always gets HTTP 200");
        res.json().await.unwrap()
    }
}

/// A fresh order of the shop: (id, amount as so'm text).
async fn new_order(app: &TestApp, shop: &Shop) -> (String, String) {
    let o = order(app, shop).await;
    (
        o["id"].as_str().unwrap().to_owned(),
        som(o["amount"].as_i64().unwrap()),
    )
}

/// An order of any slot the menu still offers (the shop's slot holds few units).
async fn order_anything(app: &TestApp, shop: &Shop) -> (String, String) {
    let menu: Value = app.get(&shop.public_path("")).await.json().await.unwrap();
    let item = menu["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["available"] == true)
        .unwrap_or_else(|| panic!("nothing left in {menu}"))
        .clone();
    let res = app
        .client
        .post(app.url(&shop.public_path("/orders")))
        .json(&serde_json::json!({ "slot": item["slot"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let o: Value = res.json().await.unwrap();
    (
        o["id"].as_str().unwrap().to_owned(),
        som(o["amount"].as_i64().unwrap()),
    )
}

/// The machine's pending commands, as it long-polls them.
async fn machine_commands(app: &TestApp, shop: &Shop) -> Vec<Value> {
    let res = app
        .client
        .get(app.url("/api/v1/gateway/commands?wait=0"))
        .header("x-api-key", &shop.key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    v["commands"].as_array().cloned().unwrap_or_default()
}

fn id_of(v: &Value, field: &str) -> String {
    v[field]
        .as_i64()
        .unwrap_or_else(|| panic!("{field} in {v}"))
        .to_string()
}

#[tokio::test]
async fn click_s_fifteen_case_matrix_passes_case_by_case() {
    let app = click_app().await;
    let shop = shop(&app).await;
    let mut failures = Vec::new();
    let mut check = |case: &str, got: &Value, want: i64| {
        if got["error"].as_i64() != Some(want) {
            failures.push(format!("case {case}: want error {want}, got {got}"));
        }
    };
    let (o1, amount1) = new_order(&app, &shop).await;
    assert_ne!(amount1, "300.00", "scenario 5 needs an amount other than 300");
    let r = Call::prepare(1001, &o1, &amount1).bad_sign().send(&app).await;
    check("1 prepare, bad signature", &r, -1);
    let unknown = uuid::Uuid::now_v7().to_string();
    let r = Call::prepare(1002, &unknown, &amount1).send(&app).await;
    check("2 prepare, unknown order", &r, -5);
    let r = Call::prepare(1003, &o1, &amount1).send(&app).await;
    check("3 prepare, valid", &r, 0);
    let p1 = id_of(&r, "merchant_prepare_id");
    let r = Call::complete(1003, &o1, &amount1, &p1)
        .bad_sign()
        .send(&app)
        .await;
    check("4 complete, bad signature", &r, -1);
    let r = Call::complete(1003, &o1, "300", &p1).send(&app).await;
    check("5 complete, amount 300", &r, -2);
    let r = Call::complete(1003, &o1, &amount1, &p1).send(&app).await;
    check("6 complete, valid", &r, 0);
    let confirm_id = r["merchant_confirm_id"].clone();
    let r = Call::complete(1003, &o1, &amount1, &p1).send(&app).await;
    check("7 complete, repeated", &r, -4);
    let r = Call::complete(1003, &o1, &amount1, &p1)
        .error("-5017")
        .send(&app)
        .await;
    check("8 complete, Click error -5017 on a confirmed payment", &r, -9);
    let (o2, amount2) = new_order(&app, &shop).await;
    let r = Call::prepare(1009, &o2, &amount2).send(&app).await;
    check("9 prepare, new payment", &r, 0);
    let p2 = id_of(&r, "merchant_prepare_id");
    let r = Call::complete(1009, &o2, &amount2, "999999999").send(&app).await;
    check("10 complete, merchant_prepare_id 999999999", &r, -6);
    let r = Call::complete(1009, &o2, &amount2, &p2).send(&app).await;
    check("11 complete, valid", &r, 0);
    let (o3, amount3) = order_anything(&app, &shop).await;
    let r = Call::prepare(1012, &o3, &amount3).send(&app).await;
    check("12 prepare, new payment", &r, 0);
    let p3 = id_of(&r, "merchant_prepare_id");
    let r = Call::complete(1012, &o3, &amount3, &p3)
        .error("-5017")
        .send(&app)
        .await;
    check("13 complete, cancel (Click error -5017)", &r, -9);
    let r = Call::complete(1012, &o3, &amount3, &p3)
        .error("-5017")
        .send(&app)
        .await;
    check("14 complete, cancel repeated", &r, -9);
    let r = Call::complete(1012, &o3, &amount3, &p3).send(&app).await;
    check("15 complete, confirm after cancel", &r, -9);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(!confirm_id.is_null(), "case 6 answers a merchant_confirm_id");
    // What the matrix did to the orders: two paid, the cancelled one still payable.
    assert_eq!(public_order(&app, &o1).await["status"], "paid");
    assert_eq!(public_order(&app, &o2).await["status"], "paid");
    assert_eq!(public_order(&app, &o3).await["status"], "created");
    // Each paid order's vend reached the machine, once.
    let commands = machine_commands(&app, &shop).await;
    let mut ordered: Vec<&str> = commands.iter().filter_map(|c| c["order_id"].as_str()).collect();
    ordered.sort_unstable();
    let mut want = vec![o1.as_str(), o2.as_str()];
    want.sort_unstable();
    assert_eq!(ordered, want, "{commands:?}");
    assert!(commands.iter().all(|c| c["type"] == "vend"));
}

#[tokio::test]
async fn a_replayed_prepare_answers_its_first_prepare_id() {
    let app = click_app().await;
    let shop = shop(&app).await;
    let (o, amount) = new_order(&app, &shop).await;
    let first = Call::prepare(2001, &o, &amount).send(&app).await;
    let again = Call::prepare(2001, &o, &amount).send(&app).await;
    assert_eq!(first["error"], 0, "{first}");
    assert_eq!(again["error"], 0, "{again}");
    assert_eq!(first["merchant_prepare_id"], again["merchant_prepare_id"]);
    // Another Click payment for an order already held is refused.
    let other = Call::prepare(2002, &o, &amount).send(&app).await;
    assert_eq!(other["error"], -4, "{other}");
}

#[tokio::test]
async fn wrong_amount_bad_fields_and_another_service_are_refused_in_click_s_codes() {
    let app = click_app().await;
    let shop = shop(&app).await;
    let (o, amount) = new_order(&app, &shop).await;
    let r = Call::prepare(3001, &o, "1.00").send(&app).await;
    assert_eq!(r["error"], -2, "a wrong amount: {r}");
    let mut other_service = Call::prepare(3002, &o, &amount);
    other_service.service_id = "999".into();
    let r = other_service.send(&app).await;
    assert_eq!(r["error"], -8, "another service id: {r}");
    let mut wrong_key = Call::prepare(3003, &o, &amount);
    wrong_key.secret = "not-the-key".into();
    assert_eq!(wrong_key.send(&app).await["error"], -1);
    // Not a form at all, and a form without its fields: -8, still HTTP 200 JSON.
    for body in ["{\"json\":true}", "click_trans_id=1", ""] {
        let res = app
            .client
            .post(app.url("/api/v1/payments/click/prepare"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let v: Value = res.json().await.unwrap();
        assert_eq!(v["error"], -8, "{body:?}: {v}");
        assert_eq!(v["error_note"], "Error in request from click");
    }
    let r = Call::complete(3004, &o, &amount, "1").send(&app).await;
    assert_eq!(r["error"], -6, "a Complete before any Prepare: {r}");
    assert_eq!(public_order(&app, &o).await["status"], "created");
    assert!(machine_commands(&app, &shop).await.is_empty());
}

#[tokio::test]
async fn an_expired_order_cannot_be_prepared_or_completed() {
    let clock = vendhub_app::ports::ManualClock::starting_now();
    let app = TestApp::builder()
        .env("CLICK_MERCHANT_ID", "777")
        .env("CLICK_SECRET_KEY", SECRET)
        .env("CLICK_SERVICE_ID", SERVICE)
        .clock(clock.clone())
        .spawn()
        .await;
    let shop = shop(&app).await;
    let (held, amount) = new_order(&app, &shop).await;
    let r = Call::prepare(4001, &held, &amount).send(&app).await;
    let p = id_of(&r, "merchant_prepare_id");
    let (late, late_amount) = new_order(&app, &shop).await;
    clock.advance(chrono::Duration::minutes(16));
    let r = Call::prepare(4002, &late, &late_amount).send(&app).await;
    assert_eq!(r["error"], -9, "Prepare of an expired order: {r}");
    // The prepared payment of an order that expired meanwhile is cancelled, not charged.
    let r = Call::complete(4001, &held, &amount, &p).send(&app).await;
    assert_eq!(r["error"], -9, "Complete of an expired order: {r}");
    assert_ne!(public_order(&app, &held).await["status"], "paid");
    assert!(machine_commands(&app, &shop).await.is_empty());
}

#[tokio::test]
async fn two_concurrent_completes_charge_once_and_queue_one_vend() {
    let app = click_app().await;
    let shop = shop(&app).await;
    let (o, amount) = new_order(&app, &shop).await;
    let prepared = Call::prepare(5001, &o, &amount).send(&app).await;
    let call = Call::complete(5001, &o, &amount, &id_of(&prepared, "merchant_prepare_id"));
    let (first, second) = tokio::join!(call.send(&app), call.send(&app));
    let mut errors = [
        first["error"].as_i64().unwrap(),
        second["error"].as_i64().unwrap(),
    ];
    errors.sort_unstable();
    assert_eq!(errors, [-4, 0], "{first} {second}");
    assert_eq!(public_order(&app, &o).await["status"], "paid");
    let commands = machine_commands(&app, &shop).await;
    assert_eq!(commands.len(), 1, "{commands:?}");
    assert_eq!(commands[0]["order_id"], o.as_str());
    assert_eq!(commands[0]["slot"], shop.slot.as_str());
}

#[tokio::test]
async fn every_call_is_recorded_with_our_answer_and_the_order_shows_it() {
    let app = click_app().await;
    let shop = shop(&app).await;
    let (o, amount) = new_order(&app, &shop).await;
    let r = Call::prepare(6001, &o, &amount).bad_sign().send(&app).await;
    assert_eq!(r["error"], -1);
    let r = Call::prepare(6001, &o, &amount).send(&app).await;
    let p = id_of(&r, "merchant_prepare_id");
    assert_eq!(Call::complete(6001, &o, &amount, &p).send(&app).await["error"], 0);
    let (_, detail) = vendhub_testkit::api::get(&app, &format!("/api/v1/orders/{o}"), &shop.owner).await;
    let text = detail.to_string();
    assert!(
        text.contains("SIGN CHECK FAILED!"),
        "the refused call is recorded: {detail}"
    );
    assert!(text.contains("6001"), "{detail}");
    assert_eq!(detail["order"]["status"], "paid", "{detail}");
}

/// Gives organization `org` its own merchant account with `provider` (the admin panel's form does the same).
pub(super) async fn give_account(
    app: &TestApp,
    org: &str,
    provider: &str,
    merchant_id: &str,
    service_id: &str,
    secret: &str,
) {
    let sealed =
        vendhub_app::auth::secrets_at_rest::seal(&app.app.auth().encryption_key, secret.as_bytes()).unwrap();
    let scope = vendhub_app::payments::order_scope_of(org).unwrap();
    let row = vendhub_store::payments::PaymentAccountRow {
        organization_id: org.to_owned(),
        provider: provider.to_owned(),
        merchant_id: merchant_id.to_owned(),
        service_id: Some(service_id.to_owned()),
        secret_sealed: sealed,
        test_secret_sealed: None,
        merchant_user_id: None,
        test_mode: false,
        updated_by: None,
        updated_at: vendhub_store::now(),
    };
    app.app
        .write(move |c| Ok(vendhub_store::payments::save_account(c, &scope, &row)?))
        .await
        .unwrap();
}

#[tokio::test]
async fn one_organization_s_click_account_cannot_pay_another_s_orders() {
    let app = click_app().await;
    let shop = shop(&app).await;
    let (b, _) = vendhub_testkit::api::other_organization(&app, "b-click", "b-click-pass-2026").await;
    give_account(&app, &b, "click", "888", "4242", "b-secret").await;
    let (o, amount) = new_order(&app, &shop).await;
    let as_b = |trans| Call {
        base: "/api/v1/payments/click/b-click".into(),
        secret: "b-secret".into(),
        service_id: "4242".into(),
        ..Call::prepare(trans, &o, &amount)
    };
    let r = as_b(7001).send(&app).await;
    assert_eq!(r["error"], -5, "B's account sees no order of A: {r}");
    // B's credentials at the installation's URL, or at an unknown organization's, do not sign.
    let mut at_installation = as_b(7002);
    at_installation.base = "/api/v1/payments/click".into();
    assert_eq!(at_installation.send(&app).await["error"], -1);
    let mut unknown = as_b(7003);
    unknown.base = "/api/v1/payments/click/no-such-org".into();
    assert_eq!(unknown.send(&app).await["error"], -1);
    // The installation's account serves A while A has none of its own.
    let r = Call::prepare(7004, &o, &amount).send(&app).await;
    assert_eq!(r["error"], 0, "{r}");
    let p = id_of(&r, "merchant_prepare_id");
    // B cannot complete A's payment either, even knowing its ids.
    let mut b_complete = Call::complete(7004, &o, &amount, &p);
    b_complete.base = "/api/v1/payments/click/b-click".into();
    b_complete.secret = "b-secret".into();
    b_complete.service_id = "4242".into();
    assert_eq!(b_complete.send(&app).await["error"], -5);
    assert_eq!(public_order(&app, &o).await["status"], "created");
    assert_eq!(Call::complete(7004, &o, &amount, &p).send(&app).await["error"], 0);
    // Once A has its own account, only that one serves A's new orders, at A's own URL.
    give_account(&app, &shop.organization_id, "click", "999", "5555", "a-secret").await;
    let (o2, amount2) = new_order(&app, &shop).await;
    assert_eq!(Call::prepare(7005, &o2, &amount2).send(&app).await["error"], -5);
    let own = Call {
        base: format!("/api/v1/payments/click/{}", shop.org_slug),
        secret: "a-secret".into(),
        service_id: "5555".into(),
        ..Call::prepare(7006, &o2, &amount2)
    };
    let r = own.send(&app).await;
    assert_eq!(r["error"], 0, "{r}");
    let done = Call {
        prepare_id: Some(id_of(&r, "merchant_prepare_id")),
        ..own
    };
    assert_eq!(done.send(&app).await["error"], 0);
    assert_eq!(public_order(&app, &o2).await["status"], "paid");
}
