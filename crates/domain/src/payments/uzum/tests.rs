//! Uzum's webhooks played as Uzum calls them: JSON in, decisions applied to an in-memory store, JSON out.

use base64::Engine as _;
use serde_json::{Value, json};

use super::authorized;
use super::decide::{self, OrderEffect, UzumState, UzumTx};
use super::wire::{CheckRequest, CreateRequest, ErrorCode, TransRequest, Webhook, parse_request};
use crate::money::Tiyin;
use crate::orders::{OrderFacts, OrderStatus, transition};

const SERVICE: i64 = 498;
const ORDER: &str = "0190b1a2-0000-7000-8000-000000000001";
const T0: i64 = 1_700_000_000_000;

struct Bank {
    txs: Vec<UzumTx>,
    status: OrderStatus,
    now: i64,
}

impl Bank {
    fn new() -> Self {
        Self {
            txs: Vec::new(),
            status: OrderStatus::Created,
            now: T0,
        }
    }

    fn find(&self, id: &str) -> Option<UzumTx> {
        self.txs.iter().find(|t| t.trans_id == id).cloned()
    }

    fn facts(&self, order: Option<&str>, except: &str) -> Option<OrderFacts> {
        (order == Some(ORDER)).then(|| OrderFacts {
            amount: Tiyin::new(500_000),
            status: self.status,
            expired: false,
            other_pending_payment: self
                .txs
                .iter()
                .any(|t| t.state == UzumState::Created && t.trans_id != except),
        })
    }

    fn apply<R: serde::Serialize>(&mut self, d: decide::Decision<R>) -> Value {
        if let Some(row) = d.store {
            self.txs.retain(|t| t.trans_id != row.trans_id);
            self.txs.push(row);
        }
        match d.order {
            OrderEffect::None | OrderEffect::Release => {}
            OrderEffect::MarkPaid => self.status = transition(self.status, OrderStatus::Paid).unwrap(),
            OrderEffect::Refunded => {
                let s = transition(self.status, OrderStatus::RefundPending).unwrap_or(self.status);
                self.status = transition(s, OrderStatus::Refunded).unwrap();
            }
        }
        match d.reply {
            Ok(r) => serde_json::to_value(r).unwrap(),
            Err(e) => serde_json::to_value(e).unwrap(),
        }
    }

    fn call(&mut self, webhook: &str, body: &Value) -> Value {
        let now = self.now;
        let bytes = body.to_string().into_bytes();
        let Some(webhook) = Webhook::parse(webhook) else {
            return json!({"errorCode": ErrorCode::UnknownOperation.to_string()});
        };
        let fail = |code: ErrorCode| json!({"errorCode": code.to_string()});
        match webhook {
            Webhook::Check => match parse_request::<CheckRequest>(&bytes) {
                Err(code) => fail(code),
                Ok(r) => {
                    let order = self.facts(r.params.order_id().as_deref(), "");
                    let d = decide::check(&r, SERVICE, order.as_ref(), now);
                    self.apply(d)
                }
            },
            Webhook::Create => match parse_request::<CreateRequest>(&bytes) {
                Err(code) => fail(code),
                Ok(r) => {
                    let order = self.facts(r.params.order_id().as_deref(), &r.trans_id);
                    let d = decide::create(&r, SERVICE, self.find(&r.trans_id).as_ref(), order.as_ref(), now);
                    self.apply(d)
                }
            },
            Webhook::Confirm | Webhook::Reverse | Webhook::Status => {
                match parse_request::<TransRequest>(&bytes) {
                    Err(code) => fail(code),
                    Ok(r) => {
                        let stored = self.find(&r.trans_id);
                        let order = stored
                            .as_ref()
                            .and_then(|t| self.facts(Some(&t.order_id), &t.trans_id));
                        match webhook {
                            Webhook::Confirm => {
                                let d = decide::confirm(&r, SERVICE, stored.as_ref(), order.as_ref(), now);
                                self.apply(d)
                            }
                            Webhook::Reverse => {
                                let d = decide::reverse(&r, SERVICE, stored.as_ref(), self.status, now);
                                self.apply(d)
                            }
                            _ => {
                                let d = decide::status(&r, SERVICE, stored.as_ref(), now);
                                self.apply(d)
                            }
                        }
                    }
                }
            }
        }
    }

    fn create(&mut self, trans_id: &str, amount: i64) -> Value {
        let body = json!({"serviceId": SERVICE, "timestamp": self.now, "transId": trans_id,
                          "params": {"order_id": ORDER}, "amount": amount});
        self.call("create", &body)
    }

    fn trans(&mut self, webhook: &str, trans_id: &str) -> Value {
        let body = json!({"serviceId": SERVICE, "timestamp": self.now, "transId": trans_id});
        self.call(webhook, &body)
    }
}

fn err(reply: &Value) -> &str {
    reply["errorCode"].as_str().unwrap_or("")
}

#[test]
fn check_create_confirm_status_then_reverse_as_uzum_calls_them() {
    let mut b = Bank::new();
    let check = b.call(
        "check",
        &json!({"serviceId": SERVICE, "timestamp": T0, "params": {"order_id": ORDER}}),
    );
    assert_eq!(
        check,
        json!({"serviceId": SERVICE, "timestamp": T0, "status": "OK", "data": {"account": {"value": ORDER}}})
    );

    let created = b.create("uzum-tx-1", 500_000);
    assert_eq!(
        created,
        json!({"serviceId": SERVICE, "transId": "uzum-tx-1", "status": "CREATED", "transTime": T0,
               "data": {"account": {"value": ORDER}}, "amount": 500_000})
    );
    b.now += 1_000;
    assert_eq!(
        b.create("uzum-tx-1", 500_000),
        created,
        "a repeated create answers the stored transTime"
    );

    let confirm_time = b.now;
    let confirmed = b.trans("confirm", "uzum-tx-1");
    assert_eq!(confirmed["status"], json!("CONFIRMED"));
    assert_eq!(confirmed["confirmTime"], json!(confirm_time));
    assert_eq!(b.status, OrderStatus::Paid);
    b.now += 1_000;
    assert_eq!(
        b.trans("confirm", "uzum-tx-1"),
        confirmed,
        "a repeated confirm answers the stored confirmTime"
    );

    let status = b.trans("status", "uzum-tx-1");
    assert_eq!(
        status,
        json!({"serviceId": SERVICE, "transId": "uzum-tx-1", "status": "CONFIRMED", "transTime": T0,
               "confirmTime": confirm_time, "reverseTime": null, "data": {"account": {"value": ORDER}}, "amount": 500_000})
    );

    assert_eq!(
        err(&b.create("uzum-tx-1", 500_000)),
        "10008",
        "create of a confirmed transaction"
    );
    assert_eq!(
        err(&b.create("uzum-tx-2", 500_000)),
        "10008",
        "a second payment for a paid order"
    );

    b.now += 1_000;
    let reversed = b.trans("reverse", "uzum-tx-1");
    assert_eq!(reversed["status"], json!("REVERSED"));
    assert_eq!(reversed["reverseTime"], json!(b.now));
    assert_eq!(b.status, OrderStatus::Refunded);
    assert_eq!(
        err(&b.trans("reverse", "uzum-tx-1")),
        "10009",
        "reverse of a reversed transaction"
    );
    assert_eq!(
        err(&b.trans("confirm", "uzum-tx-1")),
        "10009",
        "confirm after reverse"
    );
    assert_eq!(
        err(&b.create("uzum-tx-1", 500_000)),
        "10009",
        "create of a reversed transaction"
    );
    assert_eq!(b.trans("status", "uzum-tx-1")["status"], json!("REVERSED"));
}

#[test]
fn reversing_a_created_transaction_releases_the_order() {
    let mut b = Bank::new();
    b.create("uzum-tx-1", 500_000);
    assert_eq!(
        err(&b.create("uzum-tx-2", 500_000)),
        "99999",
        "one pending payment per order"
    );
    assert_eq!(b.trans("reverse", "uzum-tx-1")["status"], json!("REVERSED"));
    assert_eq!(b.status, OrderStatus::Created);
    assert_eq!(b.create("uzum-tx-2", 500_000)["status"], json!("CREATED"));
}

#[test]
fn a_delivered_order_refuses_reverse_with_10008() {
    let mut b = Bank::new();
    b.create("uzum-tx-1", 500_000);
    b.trans("confirm", "uzum-tx-1");
    b.status = OrderStatus::Dispensed;
    assert_eq!(err(&b.trans("reverse", "uzum-tx-1")), "10008");
    assert_eq!(b.find("uzum-tx-1").unwrap().state, UzumState::Confirmed);
}

#[test]
fn confirm_for_an_order_that_can_no_longer_be_paid_fails_the_transaction() {
    let mut b = Bank::new();
    b.create("uzum-tx-1", 500_000);
    b.status = OrderStatus::Expired;
    assert_eq!(err(&b.trans("confirm", "uzum-tx-1")), "10009");
    assert_eq!(b.trans("status", "uzum-tx-1")["status"], json!("FAILED"));
}

#[test]
fn each_bad_request_gets_its_error_code() {
    let mut b = Bank::new();
    let wrong_service = b.call(
        "check",
        &json!({"serviceId": 1, "timestamp": T0, "params": {"order_id": ORDER}}),
    );
    assert_eq!(err(&wrong_service), "10006");
    assert_eq!(wrong_service["status"], json!("FAILED"));
    assert_eq!(wrong_service["timestamp"], json!(T0));
    assert_eq!(
        err(&b.call(
            "check",
            &json!({"serviceId": SERVICE, "timestamp": T0, "params": {"order_id": "nope"}})
        )),
        "10007"
    );
    assert_eq!(
        err(&b.call(
            "check",
            &json!({"serviceId": SERVICE, "timestamp": T0, "params": {}})
        )),
        "10005"
    );
    assert_eq!(
        err(&b.call(
            "create",
            &json!({"serviceId": SERVICE, "timestamp": T0, "params": {}})
        )),
        "10005"
    );
    assert_eq!(err(&b.call("refund", &json!({}))), "10003");
    assert_eq!(err(&b.create("uzum-tx-1", 499_999)), "99999", "wrong amount");
    assert!(b.txs.is_empty());
    for webhook in ["confirm", "reverse", "status"] {
        assert_eq!(
            err(&b.trans(webhook, "unknown")),
            "10009",
            "{webhook} of an unknown transaction"
        );
    }
    assert_eq!(
        parse_request::<CheckRequest>(b"{nope"),
        Err(ErrorCode::JsonParsing)
    );
    let numeric: CheckRequest =
        parse_request(br#"{"serviceId":498,"timestamp":1,"params":{"order_id":42}}"#).unwrap();
    assert_eq!(numeric.params.order_id().as_deref(), Some("42"));
    assert_eq!(super::service_id_of(br#"{"serviceId":498}"#), Some(498));
    assert_eq!(super::service_id_of(b"{nope"), None);
}

#[test]
fn auth_is_the_whole_login_and_password() {
    let header = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("merchant:secret")
    );
    assert!(authorized(Some(&header), "merchant", "secret"));
    assert!(!authorized(Some(&header), "merchant", "secre"));
    assert!(!authorized(Some(&header), "other", "secret"));
    assert!(!authorized(None, "merchant", "secret"));
    let codes: Vec<u32> = ErrorCode::ALL.iter().map(|c| c.code()).collect();
    assert_eq!(
        codes,
        [10001, 10002, 10003, 10005, 10006, 10007, 10008, 10009, 99999]
    );
}
