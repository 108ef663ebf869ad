//! Click's 15-scenario test matrix (PROTOCOLS.md §2.5), played in order through the decisions with an
//! in-memory store, one test per scenario. Amounts are 1000 so'm (not 300: scenario 5 forces 300).

use serde_json::{Value, json};

use super::decide::{self, ClickPayment, Merchant, OrderEffect};
use super::sign::{SignInput, sign_string};
use super::wire::Form;
use crate::money::Tiyin;
use crate::orders::{OrderFacts, OrderStatus};

const SECRET: &str = "click-test-secret";
const SERVICE: i64 = 12_345;
const ORDER_A: &str = "order-a";
const ORDER_B: &str = "order-b";
const ORDER_C: &str = "order-c";

struct Shop {
    payments: Vec<ClickPayment>,
    orders: Vec<(&'static str, OrderStatus)>,
    next_id: i64,
    last_prepare_id: i64,
}

enum Sign {
    Good,
    Bad,
}

struct Call<'a> {
    action: &'a str,
    click_trans_id: &'a str,
    order: &'a str,
    amount: &'a str,
    prepare_id: Option<String>,
    error: &'a str,
    sign: Sign,
}

impl Call<'_> {
    fn form(&self) -> Form {
        let sign_time = "2026-12-07 19:30:00";
        let mut sign = sign_string(
            SECRET,
            &SignInput {
                click_trans_id: self.click_trans_id,
                service_id: "12345",
                merchant_trans_id: self.order,
                merchant_prepare_id: self.prepare_id.as_deref(),
                amount: self.amount,
                action: self.action,
                sign_time,
            },
        );
        if matches!(self.sign, Sign::Bad) {
            sign.replace_range(0..1, if sign.starts_with('0') { "1" } else { "0" });
        }
        Form {
            click_trans_id: Some(self.click_trans_id.into()),
            service_id: Some("12345".into()),
            click_paydoc_id: Some("777".into()),
            merchant_trans_id: Some(self.order.into()),
            merchant_prepare_id: self.prepare_id.clone(),
            amount: Some(self.amount.into()),
            action: Some(self.action.into()),
            error: Some(self.error.into()),
            error_note: Some(
                if self.error == "0" {
                    "Success"
                } else {
                    "Payment cancelled"
                }
                .into(),
            ),
            sign_time: Some(sign_time.into()),
            sign_string: Some(sign),
        }
    }
}

impl Shop {
    fn new() -> Self {
        Self {
            payments: Vec::new(),
            orders: vec![
                (ORDER_A, OrderStatus::Created),
                (ORDER_B, OrderStatus::Created),
                (ORDER_C, OrderStatus::Created),
            ],
            next_id: 1,
            last_prepare_id: 0,
        }
    }

    fn status(&self, order: &str) -> Option<OrderStatus> {
        self.orders.iter().find(|(id, _)| *id == order).map(|(_, s)| *s)
    }

    fn facts(&self, order: &str, except_trans: i64) -> Option<OrderFacts> {
        self.status(order).map(|status| OrderFacts {
            amount: Tiyin::new(100_000),
            status,
            expired: false,
            other_pending_payment: self.payments.iter().any(|p| {
                p.order_id == order
                    && p.state == decide::ClickState::Prepared
                    && p.click_trans_id != except_trans
            }),
        })
    }

    fn apply(&mut self, store: Option<ClickPayment>, effect: OrderEffect) {
        if let Some(p) = store {
            let order = p.order_id.clone();
            self.payments.retain(|q| q.prepare_id != p.prepare_id);
            self.payments.push(p);
            if effect == OrderEffect::MarkPaid {
                for (id, s) in &mut self.orders {
                    if *id == order {
                        *s = OrderStatus::Paid;
                    }
                }
            }
        }
    }

    fn send(&mut self, call: &Call<'_>) -> Value {
        let merchant = Merchant {
            service_id: SERVICE,
            secret_key: SECRET,
        };
        let form = call.form();
        let trans: i64 = call.click_trans_id.parse().unwrap();
        let order = self.facts(call.order, trans);
        if call.action == "0" {
            let stored = self.payments.iter().find(|p| p.click_trans_id == trans).cloned();
            let d = decide::prepare(&form, &merchant, stored.as_ref(), order.as_ref(), self.next_id);
            if d.store.as_ref().is_some_and(|p| p.prepare_id == self.next_id) {
                self.last_prepare_id = self.next_id;
                self.next_id += 1;
            }
            self.apply(d.store, d.order);
            serde_json::to_value(d.response).unwrap()
        } else {
            let id: Option<i64> = call.prepare_id.as_deref().and_then(|s| s.parse().ok());
            let stored = self.payments.iter().find(|p| Some(p.prepare_id) == id).cloned();
            let d = decide::complete(&form, &merchant, stored.as_ref(), order.as_ref());
            self.apply(d.store, d.order);
            serde_json::to_value(d.response).unwrap()
        }
    }
}

fn prepare<'a>(trans: &'a str, order: &'a str, sign: Sign) -> Call<'a> {
    Call {
        action: "0",
        click_trans_id: trans,
        order,
        amount: "1000",
        prepare_id: None,
        error: "0",
        sign,
    }
}

fn complete<'a>(
    trans: &'a str,
    order: &'a str,
    prepare_id: i64,
    amount: &'a str,
    error: &'a str,
    sign: Sign,
) -> Call<'a> {
    Call {
        action: "1",
        click_trans_id: trans,
        order,
        amount,
        prepare_id: Some(prepare_id.to_string()),
        error,
        sign,
    }
}

/// Plays scenarios 1..=n in order, checking each expected `error`; returns the shop and the n-th reply.
fn play(n: usize) -> (Shop, Value) {
    let mut shop = Shop::new();
    let mut reply = Value::Null;
    let (mut p1, mut p2) = (0, 0);
    for case in 1..=n {
        let (call, expected) = match case {
            1 => (prepare("1001", ORDER_A, Sign::Bad), -1),
            2 => (prepare("1002", "no-such-order", Sign::Good), -5),
            3 => (prepare("1003", ORDER_A, Sign::Good), 0),
            4 => (complete("1003", ORDER_A, p1, "1000", "0", Sign::Bad), -1),
            5 => (complete("1003", ORDER_A, p1, "300", "0", Sign::Good), -2),
            6 | 7 => (
                complete("1003", ORDER_A, p1, "1000", "0", Sign::Good),
                if case == 6 { 0 } else { -4 },
            ),
            8 => (complete("1003", ORDER_A, p1, "1000", "-5017", Sign::Good), -9),
            9 => (prepare("1009", ORDER_B, Sign::Good), 0),
            10 => (
                complete("1009", ORDER_B, 999_999_999, "1000", "0", Sign::Good),
                -6,
            ),
            11 => (complete("1009", ORDER_B, p2, "1000", "0", Sign::Good), 0),
            12 => (prepare("1012", ORDER_C, Sign::Good), 0),
            13 | 14 => (
                complete("1012", ORDER_C, shop.last_prepare_id, "1000", "-5017", Sign::Good),
                -9,
            ),
            15 => (
                complete("1012", ORDER_C, shop.last_prepare_id, "1000", "0", Sign::Good),
                -9,
            ),
            _ => unreachable!("the matrix has 15 scenarios"),
        };
        reply = shop.send(&call);
        assert_eq!(reply["error"], json!(expected), "scenario {case}: {reply}");
        match case {
            3 => p1 = shop.last_prepare_id,
            9 => p2 = shop.last_prepare_id,
            _ => {}
        }
    }
    (shop, reply)
}

#[test]
fn case_01_prepare_with_a_bad_signature_is_minus_1() {
    let (shop, r) = play(1);
    assert_eq!(r["error_note"], json!("SIGN CHECK FAILED!"));
    assert!(shop.payments.is_empty());
}

#[test]
fn case_02_prepare_for_an_unknown_order_is_minus_5() {
    let (_, r) = play(2);
    assert_eq!(r["error_note"], json!("User does not exist"));
}

#[test]
fn case_03_a_valid_prepare_is_0_and_returns_the_prepare_id() {
    let (shop, r) = play(3);
    assert_eq!(r["merchant_prepare_id"], json!(shop.last_prepare_id));
    assert_eq!(r["click_trans_id"], json!(1003));
    assert_eq!(r["merchant_trans_id"], json!(ORDER_A));
    assert_eq!(shop.status(ORDER_A), Some(OrderStatus::Created));
}

#[test]
fn case_04_complete_with_a_bad_signature_is_minus_1() {
    let (shop, _) = play(4);
    assert_eq!(shop.status(ORDER_A), Some(OrderStatus::Created));
}

#[test]
fn case_05_complete_with_amount_300_is_minus_2() {
    let (shop, _) = play(5);
    assert_eq!(shop.status(ORDER_A), Some(OrderStatus::Created));
}

#[test]
fn case_06_complete_confirms_the_prepared_payment() {
    let (shop, r) = play(6);
    assert_eq!(r["merchant_confirm_id"], json!(shop.last_prepare_id));
    assert_eq!(shop.status(ORDER_A), Some(OrderStatus::Paid));
}

#[test]
fn case_07_a_repeated_confirm_is_minus_4() {
    let (shop, r) = play(7);
    assert_eq!(r["error_note"], json!("Already paid"));
    assert_eq!(shop.status(ORDER_A), Some(OrderStatus::Paid));
}

#[test]
fn case_08_a_click_error_on_a_confirmed_payment_is_minus_9_before_the_paid_check() {
    let (shop, _) = play(8);
    assert_eq!(
        shop.payments[0].state,
        decide::ClickState::Confirmed,
        "a confirmed payment is not un-paid"
    );
    assert_eq!(shop.status(ORDER_A), Some(OrderStatus::Paid));
}

#[test]
fn case_09_a_new_prepare_is_0() {
    let (shop, r) = play(9);
    assert_eq!(r["merchant_prepare_id"], json!(shop.last_prepare_id));
}

#[test]
fn case_10_complete_with_an_unknown_prepare_id_is_minus_6() {
    let (shop, _) = play(10);
    assert_eq!(shop.status(ORDER_B), Some(OrderStatus::Created));
}

#[test]
fn case_11_complete_with_the_right_prepare_id_is_0() {
    let (shop, _) = play(11);
    assert_eq!(shop.status(ORDER_B), Some(OrderStatus::Paid));
}

#[test]
fn case_12_a_prepare_for_the_cancel_scenario_is_0() {
    play(12);
}

#[test]
fn case_13_a_click_cancel_is_minus_9_and_cancels_the_payment() {
    let (shop, _) = play(13);
    let p = shop.payments.iter().find(|p| p.order_id == ORDER_C).unwrap();
    assert_eq!(p.state, decide::ClickState::Cancelled);
    assert_eq!(shop.status(ORDER_C), Some(OrderStatus::Created));
}

#[test]
fn case_14_a_repeated_cancel_is_minus_9() {
    play(14);
}

#[test]
fn case_15_confirming_a_cancelled_payment_is_minus_9() {
    let (shop, _) = play(15);
    assert_eq!(shop.status(ORDER_C), Some(OrderStatus::Created), "never paid");
}

#[test]
fn a_repeated_prepare_answers_the_same_prepare_id() {
    let (mut shop, first) = play(3);
    let again = shop.send(&prepare("1003", ORDER_A, Sign::Good));
    assert_eq!(again, first);
    assert_eq!(shop.payments.len(), 1);
}

#[test]
fn missing_fields_wrong_service_and_wrong_action_are_minus_8_and_minus_3() {
    let merchant = Merchant {
        service_id: SERVICE,
        secret_key: SECRET,
    };
    let shop = Shop::new();
    let order = shop.facts(ORDER_A, 0);
    let mut form = prepare("1", ORDER_A, Sign::Good).form();
    form.sign_time = None;
    assert_eq!(
        decide::prepare(&form, &merchant, None, order.as_ref(), 1)
            .response
            .error,
        -8
    );
    let other = Merchant {
        service_id: 999,
        secret_key: SECRET,
    };
    let form = prepare("1", ORDER_A, Sign::Good).form();
    assert_eq!(
        decide::prepare(&form, &other, None, order.as_ref(), 1)
            .response
            .error,
        -8
    );
    let wrong_action = Call {
        action: "1",
        ..prepare("1", ORDER_A, Sign::Good)
    };
    assert_eq!(
        decide::prepare(&wrong_action.form(), &merchant, None, order.as_ref(), 1)
            .response
            .error,
        -3,
        "a Complete sent to Prepare"
    );
    let wrong_action = Call {
        action: "2",
        ..prepare("1", ORDER_A, Sign::Good)
    };
    assert_eq!(
        decide::prepare(&wrong_action.form(), &merchant, None, order.as_ref(), 1)
            .response
            .error,
        -3
    );
}

#[test]
fn a_prepare_for_an_order_paid_elsewhere_or_expired_is_refused() {
    let merchant = Merchant {
        service_id: SERVICE,
        secret_key: SECRET,
    };
    let form = prepare("1", ORDER_A, Sign::Good).form();
    let mut facts = OrderFacts {
        amount: Tiyin::new(100_000),
        status: OrderStatus::Paid,
        expired: false,
        other_pending_payment: false,
    };
    assert_eq!(
        decide::prepare(&form, &merchant, None, Some(&facts), 1)
            .response
            .error,
        -4
    );
    facts.status = OrderStatus::Created;
    facts.expired = true;
    assert_eq!(
        decide::prepare(&form, &merchant, None, Some(&facts), 1)
            .response
            .error,
        -9
    );
    facts.expired = false;
    facts.amount = Tiyin::new(100_050);
    assert_eq!(
        decide::prepare(&form, &merchant, None, Some(&facts), 1)
            .response
            .error,
        -2
    );
}
