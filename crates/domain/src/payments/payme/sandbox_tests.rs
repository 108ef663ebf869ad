//! Payme's sandbox played through the state machine: JSON bodies in, JSON replies out, the decisions
//! applied to an in-memory store the way the application applies them (PROTOCOLS.md §1.6 "Sandbox").

use base64::Engine as _;
use serde_json::{Value, json};

use super::machine::{self, OrderEffect, TIMEOUT_MS, Transaction};
use super::rpc::{Call, PaymeResult, Response, id_of, parse_request};
use super::{PaymeError, authorized};
use crate::money::Tiyin;
use crate::orders::{OrderFacts, OrderStatus, transition};

const KEY: &str = "TEST_KEY_abc123";
const ORDER: &str = "0190b1a2-0000-7000-8000-000000000001";
const TX1: &str = "5305e3bab097f420a62ced0b";
const TX2: &str = "5305e3bab097f420a62ced0c";
const T0: i64 = 1_700_000_000_000;

struct Sandbox {
    txs: Vec<Transaction>,
    status: OrderStatus,
    expired: bool,
    now: i64,
    next_id: u32,
}

impl Sandbox {
    fn new() -> Self {
        Self {
            txs: Vec::new(),
            status: OrderStatus::Created,
            expired: false,
            now: T0,
            next_id: 1,
        }
    }

    fn auth() -> String {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("Paycom:{KEY}"))
        )
    }

    fn find(&self, id: &str) -> Option<&Transaction> {
        self.txs.iter().find(|t| t.payme_id.as_str() == id)
    }

    fn facts(&self, excluding: &str) -> OrderFacts {
        OrderFacts {
            amount: Tiyin::new(500_000),
            status: self.status,
            expired: self.expired,
            other_pending_payment: self
                .txs
                .iter()
                .any(|t| t.state == super::TxState::Created && t.payme_id.as_str() != excluding),
        }
    }

    fn order(&self, account: Option<&str>, excluding: &str) -> Option<OrderFacts> {
        (account == Some(ORDER)).then(|| self.facts(excluding))
    }

    fn apply(&mut self, d: machine::Decision) -> Result<PaymeResult, PaymeError> {
        if let Some(row) = d.store {
            self.txs.retain(|t| t.payme_id != row.payme_id);
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
        d.answer
    }

    /// One HTTP call as Payme makes it.
    fn call(&mut self, auth: Option<&str>, body: &Value) -> Value {
        let response = if authorized(auth, KEY) {
            match parse_request(body.to_string().as_bytes()) {
                Err(rejected) => Response::from(rejected),
                Ok(req) => {
                    let answer = self.dispatch(req.call);
                    Response::new(req.id, answer)
                }
            }
        } else {
            Response::new(
                id_of(body.to_string().as_bytes()),
                Err(PaymeError::insufficient_privilege()),
            )
        };
        serde_json::to_value(response).unwrap()
    }

    fn dispatch(&mut self, call: Call) -> Result<PaymeResult, PaymeError> {
        let now = self.now;
        match call {
            Call::CheckPerformTransaction(p) => {
                machine::check_perform(p.amount, self.order(p.account.order_id.as_deref(), "").as_ref()).map(
                    |()| PaymeResult::CheckPerform {
                        allow: true,
                        detail: None,
                    },
                )
            }
            Call::CreateTransaction(p) => {
                let id = self.next_id.to_string();
                self.next_id += 1;
                let order = self.order(p.account.order_id.as_deref(), p.id.as_str());
                let d = machine::create(&p, self.find(p.id.as_str()), order.as_ref(), now, &id);
                self.apply(d)
            }
            Call::PerformTransaction(p) => {
                let d = machine::perform(self.find(p.id.as_str()), &self.facts(p.id.as_str()), now);
                self.apply(d)
            }
            Call::CancelTransaction(p) => {
                let d = machine::cancel(p.reason, self.find(p.id.as_str()), self.status, now);
                self.apply(d)
            }
            Call::CheckTransaction(p) => machine::check(self.find(p.id.as_str())),
            Call::GetStatement(p) => Ok(machine::statement(p.from, p.to, &self.txs)),
            Call::ChangePassword(p) => {
                machine::change_password(&p, KEY).map(|()| PaymeResult::Success { success: true })
            }
            Call::SetFiscalData(p) => machine::set_fiscal_data(&p, self.find(p.id.as_str()))
                .map(|()| PaymeResult::Success { success: true }),
        }
    }

    #[expect(
        clippy::needless_pass_by_value,
        reason = "tests read better with json! inline"
    )]
    fn rpc(&mut self, method: &str, params: Value) -> Value {
        let auth = Self::auth();
        self.call(Some(&auth), &json!({"method": method, "params": params, "id": 1}))
    }
}

fn create_params(id: &str, time: i64, amount: i64, order: &str) -> Value {
    json!({"id": id, "time": time, "amount": amount, "account": {"order_id": order}})
}

fn code(reply: &Value) -> i64 {
    reply["error"]["code"].as_i64().unwrap_or(0)
}

#[test]
fn scenario_1_create_then_cancel_an_unconfirmed_transaction() {
    let mut s = Sandbox::new();
    let check = s.rpc(
        "CheckPerformTransaction",
        json!({"amount": 500_000, "account": {"order_id": ORDER}}),
    );
    assert_eq!(check["result"]["allow"], json!(true));

    let created = s.rpc(
        "CreateTransaction",
        create_params(TX1, T0 - 1_000, 500_000, ORDER),
    );
    assert_eq!(
        created["result"],
        json!({"create_time": T0, "transaction": "1", "state": 1})
    );

    s.now += 5_000;
    let again = s.rpc(
        "CreateTransaction",
        create_params(TX1, T0 - 1_000, 500_000, ORDER),
    );
    assert_eq!(
        again["result"], created["result"],
        "a repeat answers the stored create_time"
    );

    let checked = s.rpc("CheckTransaction", json!({"id": TX1}));
    assert_eq!(
        checked["result"],
        json!({"create_time": T0, "perform_time": 0, "cancel_time": 0, "transaction": "1", "state": 1, "reason": null})
    );

    s.now += 1_000;
    let cancel_time = s.now;
    let cancelled = s.rpc("CancelTransaction", json!({"id": TX1, "reason": 3}));
    assert_eq!(
        cancelled["result"],
        json!({"transaction": "1", "cancel_time": cancel_time, "state": -1})
    );

    s.now += 1_000;
    let again = s.rpc("CancelTransaction", json!({"id": TX1, "reason": 3}));
    assert_eq!(
        again["result"], cancelled["result"],
        "a repeat answers the stored cancel_time"
    );

    let checked = s.rpc("CheckTransaction", json!({"id": TX1}));
    assert_eq!(checked["result"]["state"], json!(-1));
    assert_eq!(checked["result"]["reason"], json!(3));
    assert_eq!(checked["result"]["cancel_time"], json!(cancel_time));

    assert_eq!(code(&s.rpc("PerformTransaction", json!({"id": TX1}))), -31008);
    assert_eq!(
        code(&s.rpc(
            "CreateTransaction",
            create_params(TX1, T0 - 1_000, 500_000, ORDER)
        )),
        -31008
    );
    assert_eq!(s.status, OrderStatus::Created, "the order was never paid");

    let st = s.rpc("GetStatement", json!({"from": T0 - 10_000, "to": T0 + 10_000}));
    assert_eq!(st["result"]["transactions"][0]["id"], json!(TX1));
    assert_eq!(st["result"]["transactions"][0]["state"], json!(-1));
    assert_eq!(
        st["result"]["transactions"][0]["account"],
        json!({"order_id": ORDER})
    );
}

#[test]
fn scenario_2_create_perform_then_cancel_a_confirmed_transaction() {
    let mut s = Sandbox::new();
    s.rpc("CreateTransaction", create_params(TX1, T0, 500_000, ORDER));

    s.now += 2_000;
    let perform_time = s.now;
    let performed = s.rpc("PerformTransaction", json!({"id": TX1}));
    assert_eq!(
        performed["result"],
        json!({"transaction": "1", "perform_time": perform_time, "state": 2})
    );
    assert_eq!(s.status, OrderStatus::Paid);

    s.now += 2_000;
    let again = s.rpc("PerformTransaction", json!({"id": TX1}));
    assert_eq!(
        again["result"], performed["result"],
        "a repeat answers the stored perform_time"
    );
    assert_eq!(
        code(&s.rpc("CreateTransaction", create_params(TX1, T0, 500_000, ORDER))),
        -31008
    );
    assert_eq!(
        code(&s.rpc(
            "CheckPerformTransaction",
            json!({"amount": 500_000, "account": {"order_id": ORDER}})
        )),
        -31052,
        "a paid order refuses a second payment"
    );

    s.now += 2_000;
    let cancel_time = s.now;
    let cancelled = s.rpc("CancelTransaction", json!({"id": TX1, "reason": 5}));
    assert_eq!(
        cancelled["result"],
        json!({"transaction": "1", "cancel_time": cancel_time, "state": -2})
    );
    assert_eq!(s.status, OrderStatus::Refunded);

    s.now += 2_000;
    assert_eq!(
        s.rpc("CancelTransaction", json!({"id": TX1, "reason": 5}))["result"],
        cancelled["result"]
    );
    let checked = s.rpc("CheckTransaction", json!({"id": TX1}));
    assert_eq!(
        checked["result"],
        json!({"create_time": T0, "perform_time": perform_time, "cancel_time": cancel_time,
               "transaction": "1", "state": -2, "reason": 5})
    );
    assert_eq!(code(&s.rpc("PerformTransaction", json!({"id": TX1}))), -31008);
}

#[test]
fn bad_or_missing_auth_is_32504_for_every_method() {
    let mut s = Sandbox::new();
    let wrong = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("Paycom:wrong")
    );
    for auth in [None, Some(wrong.as_str())] {
        let reply = s.call(
            auth,
            &json!({"method": "CheckTransaction", "params": {"id": TX1}, "id": 9}),
        );
        assert_eq!(code(&reply), -32504);
        assert_eq!(reply["id"], json!(9));
    }
    assert!(s.txs.is_empty());
}

#[test]
fn wrong_amount_is_31001_and_unknown_account_is_31050() {
    let mut s = Sandbox::new();
    let p = json!({"amount": 1, "account": {"order_id": ORDER}});
    assert_eq!(code(&s.rpc("CheckPerformTransaction", p)), -31001);
    assert_eq!(
        code(&s.rpc("CreateTransaction", create_params(TX1, T0, 1, ORDER))),
        -31001
    );
    let unknown = s.rpc(
        "CheckPerformTransaction",
        json!({"amount": 500_000, "account": {"order_id": "nope"}}),
    );
    assert_eq!(code(&unknown), -31050);
    assert_eq!(unknown["error"]["data"], json!("order_id"));
    assert_eq!(
        code(&s.rpc(
            "CheckPerformTransaction",
            json!({"amount": 500_000, "account": {}})
        )),
        -31050
    );
    assert_eq!(
        code(&s.rpc("CreateTransaction", create_params(TX1, T0, 500_000, "nope"))),
        -31050
    );
    assert!(s.txs.is_empty(), "nothing is written for a refused create");
}

#[test]
fn a_second_transaction_for_a_pending_order_is_refused_in_the_account_range() {
    let mut s = Sandbox::new();
    s.rpc("CreateTransaction", create_params(TX1, T0, 500_000, ORDER));
    let second = s.rpc("CreateTransaction", create_params(TX2, T0, 500_000, ORDER));
    assert_eq!(code(&second), -31051);
    s.rpc("CancelTransaction", json!({"id": TX1, "reason": 3}));
    let third = s.rpc("CreateTransaction", create_params(TX2, T0, 500_000, ORDER));
    assert_eq!(
        third["result"]["state"],
        json!(1),
        "after the cancel the order is payable again"
    );
}

#[test]
fn an_expired_transaction_is_cancelled_with_reason_4_and_answered_31008() {
    let mut s = Sandbox::new();
    s.rpc("CreateTransaction", create_params(TX1, T0, 500_000, ORDER));
    s.now = T0 + TIMEOUT_MS;
    let still = s.rpc("CreateTransaction", create_params(TX1, T0, 500_000, ORDER));
    assert_eq!(
        still["result"]["state"],
        json!(1),
        "exactly 12 h is not yet expired"
    );

    s.now = T0 + TIMEOUT_MS + 1;
    assert_eq!(code(&s.rpc("PerformTransaction", json!({"id": TX1}))), -31008);
    let checked = s.rpc("CheckTransaction", json!({"id": TX1}));
    assert_eq!(checked["result"]["state"], json!(-1));
    assert_eq!(checked["result"]["reason"], json!(4));
    assert_eq!(checked["result"]["cancel_time"], json!(T0 + TIMEOUT_MS + 1));
    assert_eq!(s.status, OrderStatus::Created);

    let mut s = Sandbox::new();
    s.rpc("CreateTransaction", create_params(TX1, T0, 500_000, ORDER));
    s.now = T0 + TIMEOUT_MS + 1;
    assert_eq!(
        code(&s.rpc("CreateTransaction", create_params(TX1, T0, 500_000, ORDER))),
        -31008
    );
    assert_eq!(s.find(TX1).unwrap().reason, Some(super::CancelReason::Timeout));
}

#[test]
fn a_stale_create_time_is_31008_and_writes_nothing() {
    let mut s = Sandbox::new();
    let reply = s.rpc(
        "CreateTransaction",
        create_params(TX1, T0 - TIMEOUT_MS - 1, 500_000, ORDER),
    );
    assert_eq!(code(&reply), -31008);
    assert!(s.txs.is_empty());
}

#[test]
fn cancelling_after_the_product_was_delivered_is_31007() {
    let mut s = Sandbox::new();
    s.rpc("CreateTransaction", create_params(TX1, T0, 500_000, ORDER));
    s.rpc("PerformTransaction", json!({"id": TX1}));
    s.status = OrderStatus::Dispensed;
    let reply = s.rpc("CancelTransaction", json!({"id": TX1, "reason": 5}));
    assert_eq!(code(&reply), -31007);
    assert_eq!(s.find(TX1).unwrap().state, super::TxState::Performed);
    s.status = OrderStatus::RefundPending;
    let reply = s.rpc("CancelTransaction", json!({"id": TX1, "reason": 5}));
    assert_eq!(
        reply["result"]["state"],
        json!(-2),
        "an accountant's refund completes"
    );
}

#[test]
fn an_order_that_expired_before_perform_is_31008() {
    let mut s = Sandbox::new();
    s.rpc("CreateTransaction", create_params(TX1, T0, 500_000, ORDER));
    s.expired = true;
    assert_eq!(code(&s.rpc("PerformTransaction", json!({"id": TX1}))), -31008);
    assert_eq!(s.status, OrderStatus::Created);
    assert_eq!(
        code(&s.rpc(
            "CheckPerformTransaction",
            json!({"amount": 500_000, "account": {"order_id": ORDER}})
        )),
        -31053
    );
}

#[test]
fn unknown_transactions_are_31003() {
    let mut s = Sandbox::new();
    for method in ["PerformTransaction", "CheckTransaction"] {
        assert_eq!(code(&s.rpc(method, json!({"id": TX2}))), -31003);
    }
    assert_eq!(
        code(&s.rpc("CancelTransaction", json!({"id": TX2, "reason": 1}))),
        -31003
    );
}

#[test]
fn get_statement_selects_by_payme_time_ascending() {
    let mut s = Sandbox::new();
    s.rpc("CreateTransaction", create_params(TX2, T0 - 500, 500_000, ORDER));
    s.rpc("CancelTransaction", json!({"id": TX2, "reason": 3}));
    s.rpc("CreateTransaction", create_params(TX1, T0 - 900, 500_000, ORDER));
    let st = s.rpc("GetStatement", json!({"from": T0 - 900, "to": T0 - 500}));
    let ids: Vec<&str> = st["result"]["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [TX1, TX2]);
    let empty = s.rpc("GetStatement", json!({"from": T0, "to": T0 + 1}));
    assert_eq!(empty["result"], json!({"transactions": []}));
}

#[test]
fn change_password_and_set_fiscal_data() {
    let mut s = Sandbox::new();
    assert_eq!(
        s.rpc("ChangePassword", json!({"password": "new"}))["result"],
        json!({"success": true})
    );
    assert_eq!(code(&s.rpc("ChangePassword", json!({"password": KEY}))), -32504);
    assert_eq!(code(&s.rpc("ChangePassword", json!({"password": ""}))), -32600);

    let fiscal = |kind: &str| {
        json!({"id": TX1, "type": kind, "fiscal_data": {"receipt_id": 1, "status_code": 0, "message": "ok",
               "terminal_id": "EP1", "fiscal_sign": "123", "qr_code_url": "https://ofd.soliq.uz/epi", "date": "20260101120000"}})
    };
    assert_eq!(code(&s.rpc("SetFiscalData", fiscal("PERFORM"))), -32001);
    s.rpc("CreateTransaction", create_params(TX1, T0, 500_000, ORDER));
    assert_eq!(code(&s.rpc("SetFiscalData", fiscal("PERFORM"))), -32602);
    s.rpc("PerformTransaction", json!({"id": TX1}));
    assert_eq!(
        s.rpc("SetFiscalData", fiscal("PERFORM"))["result"],
        json!({"success": true})
    );
    assert_eq!(code(&s.rpc("SetFiscalData", fiscal("CANCEL"))), -32602);
}
