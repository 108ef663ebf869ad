//! The JSON-RPC envelope (PROTOCOLS.md §1.1): reading a request into a typed [`Call`] (or the error to answer
//! it with) and the success and error replies, `{"result":…,"id":…}` and
//! `{"error":{"code","message":{ru,uz,en},"data"},"id":…}`, always sent with HTTP 200.

use serde::Serialize;
use serde_json::Value;

use super::errors::PaymeError;
use super::params::{
    Account, CancelParams, CancelReason, ChangePasswordParams, CheckPerformParams, CreateParams, Method,
    PaymeTxId, SetFiscalDataParams, StatementParams, TxIdParams, TxState,
};
use crate::money::Tiyin;

/// The request `id`, echoed as received (Payme sends an integer; `null` when it could not be read).
pub type RpcId = Value;

/// A method call with its typed params.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    CheckPerformTransaction(CheckPerformParams),
    CreateTransaction(CreateParams),
    PerformTransaction(TxIdParams),
    CancelTransaction(CancelParams),
    CheckTransaction(TxIdParams),
    GetStatement(StatementParams),
    ChangePassword(ChangePasswordParams),
    SetFiscalData(SetFiscalDataParams),
}

/// A request read from the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub id: RpcId,
    pub call: Call,
}

/// A body that could not become a [`Request`]: the id to echo and the error to answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    pub id: RpcId,
    pub error: PaymeError,
}

/// Reads a request body: not JSON is -32700; not an object, no string `method` or no object `params` is
/// -32600; an unknown method is -32601; `params` of the wrong shape is -32600 (-32602 for `SetFiscalData`,
/// whose own error list has it, PROTOCOLS.md §1.2).
pub fn parse_request(body: &[u8]) -> Result<Request, Rejected> {
    let reject = |id: RpcId, error| Rejected { id, error };
    let value: Value =
        serde_json::from_slice(body).map_err(|_| reject(Value::Null, PaymeError::parse_error()))?;
    let Value::Object(mut obj) = value else {
        return Err(reject(Value::Null, PaymeError::invalid_request(None)));
    };
    let id = usable_id(obj.remove("id"));
    let Some(Value::String(method_name)) = obj.remove("method") else {
        return Err(reject(id, PaymeError::invalid_request(Some("method"))));
    };
    let Some(params @ Value::Object(_)) = obj.remove("params") else {
        return Err(reject(id, PaymeError::invalid_request(Some("params"))));
    };
    let Some(method) = Method::parse(&method_name) else {
        return Err(reject(id, PaymeError::method_not_found(&method_name)));
    };
    let bad = || PaymeError::invalid_request(Some("params"));
    let call = match method {
        Method::CheckPerformTransaction => serde_json::from_value(params).map(Call::CheckPerformTransaction),
        Method::CreateTransaction => serde_json::from_value(params).map(Call::CreateTransaction),
        Method::PerformTransaction => serde_json::from_value(params).map(Call::PerformTransaction),
        Method::CancelTransaction => serde_json::from_value(params).map(Call::CancelTransaction),
        Method::CheckTransaction => serde_json::from_value(params).map(Call::CheckTransaction),
        Method::GetStatement => serde_json::from_value(params).map(Call::GetStatement),
        Method::ChangePassword => serde_json::from_value(params).map(Call::ChangePassword),
        Method::SetFiscalData => {
            return serde_json::from_value(params)
                .map(|p| Request {
                    id: id.clone(),
                    call: Call::SetFiscalData(p),
                })
                .map_err(|_| reject(id, PaymeError::invalid_params("params")));
        }
    };
    match call {
        Ok(call) => Ok(Request { id, call }),
        Err(_) => Err(reject(id, bad())),
    }
}

/// The `id` of a body, for answering a call refused before it is read (bad auth): `null` when absent.
pub fn id_of(body: &[u8]) -> RpcId {
    usable_id(
        serde_json::from_slice::<Value>(body)
            .ok()
            .and_then(|mut v| v.get_mut("id").map(Value::take)),
    )
}

/// The id we echo: Payme's ids are integers; anything else (an object, a fraction, a string) is answered
/// with `null`, as JSON-RPC answers a request whose id it cannot use.
fn usable_id(id: Option<Value>) -> RpcId {
    match id {
        Some(Value::Number(n)) if n.is_i64() => Value::Number(n),
        _ => Value::Null,
    }
}

/// One line of the fiscal `detail` (PROTOCOLS.md §1.5): prices in tiyin, `code` the 17-digit IKPU/MXIK.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DetailItem {
    pub title: String,
    /// Unit price.
    pub price: Tiyin,
    pub count: i64,
    pub code: String,
    pub package_code: String,
    pub vat_percent: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub units: Option<i64>,
    /// Total discount for the line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discount: Option<Tiyin>,
}

/// `CheckPerformTransaction`'s fiscal `detail` (no `shipping`: a vend ships nothing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Detail {
    /// 0: a sale.
    pub receipt_type: u8,
    pub items: Vec<DetailItem>,
}

/// One transaction in `GetStatement`'s answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementEntry {
    pub id: PaymeTxId,
    pub time: i64,
    pub amount: Tiyin,
    pub account: Account,
    pub create_time: i64,
    pub perform_time: i64,
    pub cancel_time: i64,
    pub transaction: String,
    pub state: TxState,
    pub reason: Option<CancelReason>,
    /// No split payments: always `null`.
    pub receivers: Option<Vec<Value>>,
}

/// The `result` of each method (PROTOCOLS.md §1.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum PaymeResult {
    CheckPerform {
        allow: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        detail: Option<Detail>,
    },
    Create {
        create_time: i64,
        transaction: String,
        state: TxState,
    },
    Perform {
        transaction: String,
        perform_time: i64,
        state: TxState,
    },
    Cancel {
        transaction: String,
        cancel_time: i64,
        state: TxState,
    },
    Check {
        create_time: i64,
        perform_time: i64,
        cancel_time: i64,
        transaction: String,
        state: TxState,
        reason: Option<CancelReason>,
    },
    Statement {
        transactions: Vec<StatementEntry>,
    },
    /// `ChangePassword` and `SetFiscalData`.
    Success {
        success: bool,
    },
}

/// The whole reply body.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Response {
    Success { result: PaymeResult, id: RpcId },
    Failure { error: PaymeError, id: RpcId },
}

impl Response {
    pub fn new(id: RpcId, answer: Result<PaymeResult, PaymeError>) -> Self {
        match answer {
            Ok(result) => Self::Success { result, id },
            Err(error) => Self::Failure { error, id },
        }
    }
}

impl From<Rejected> for Response {
    fn from(r: Rejected) -> Self {
        Self::Failure {
            error: r.error,
            id: r.id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn code_of(body: &str) -> i32 {
        parse_request(body.as_bytes()).unwrap_err().error.code
    }

    #[test]
    fn malformed_bodies_get_their_json_rpc_codes() {
        assert_eq!(code_of("{not json"), -32700);
        assert_eq!(code_of("[1,2]"), -32600);
        assert_eq!(code_of(r#"{"params":{},"id":1}"#), -32600);
        assert_eq!(code_of(r#"{"method":"CheckTransaction","id":1}"#), -32600);
        assert_eq!(code_of(r#"{"method":"Refund","params":{},"id":1}"#), -32601);
        assert_eq!(
            code_of(r#"{"method":"CheckTransaction","params":{"id":5},"id":1}"#),
            -32600
        );
        assert_eq!(
            code_of(
                r#"{"method":"SetFiscalData","params":{"id":"5305e3bab097f420a62ced0b","type":"X"},"id":1}"#
            ),
            -32602
        );
        let r = parse_request(br#"{"method":"Nope","params":{},"id":77}"#).unwrap_err();
        assert_eq!(r.id, json!(77));
        assert_eq!(r.error.data.as_deref(), Some("Nope"), "-32601 names the method");
        assert_eq!(id_of(br#"{"method":"Nope","id":77}"#), json!(77));
        assert_eq!(id_of(b"{nope"), Value::Null);
    }

    #[test]
    fn a_request_becomes_a_typed_call_and_keeps_its_id() {
        let r = parse_request(
            br#"{"jsonrpc":"2.0","method":"PerformTransaction","params":{"id":"5305e3bab097f420a62ced0b"},"id":2032}"#,
        )
        .unwrap();
        assert_eq!(r.id, json!(2032));
        assert!(
            matches!(r.call, Call::PerformTransaction(ref p) if p.id.as_str() == "5305e3bab097f420a62ced0b")
        );
    }

    #[test]
    fn replies_have_payme_s_shape() {
        let ok = Response::new(
            json!(1),
            Ok(PaymeResult::Perform {
                transaction: "42".into(),
                perform_time: 1_399_114_284_039,
                state: TxState::Performed,
            }),
        );
        assert_eq!(
            serde_json::to_value(&ok).unwrap(),
            json!({"result":{"transaction":"42","perform_time":1_399_114_284_039_i64,"state":2},"id":1})
        );
        let err = Response::new(json!(1), Err(PaymeError::order_not_found()));
        assert_eq!(
            serde_json::to_value(&err).unwrap(),
            json!({"error":{"code":-31050,"message":{"ru":"Заказ не найден","uz":"Buyurtma topilmadi","en":"Order not found"},"data":"order_id"},"id":1})
        );
        let check = PaymeResult::Check {
            create_time: 1,
            perform_time: 0,
            cancel_time: 0,
            transaction: "42".into(),
            state: TxState::Created,
            reason: None,
        };
        assert_eq!(serde_json::to_value(&check).unwrap()["reason"], Value::Null);
    }
}
