//! The five webhooks' requests and replies, the statuses and the error codes (PROTOCOLS.md §3). Amounts are
//! tiyin, times Unix ms. Errors are `{serviceId, timestamp, status:"FAILED", errorCode:"<code>"}` with HTTP
//! 400 (the Merchant API OpenAPI lists 200 and 400 answers; the `PayTechUz` handler uses 400 for every error).

use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::money::Tiyin;

/// The webhook a URL suffix names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Webhook {
    Check,
    Create,
    Confirm,
    Reverse,
    Status,
}

impl Webhook {
    pub const ALL: &'static [Self] = &[
        Self::Check,
        Self::Create,
        Self::Confirm,
        Self::Reverse,
        Self::Status,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Check => "check",
            Self::Create => "create",
            Self::Confirm => "confirm",
            Self::Reverse => "reverse",
            Self::Status => "status",
        }
    }

    /// Any other suffix is [`ErrorCode::UnknownOperation`].
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|w| w.as_str() == s)
    }
}

/// `status` in replies (PROTOCOLS.md §3, `onepay-backend:.../response-status.ts`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    Ok,
    Failed,
    Cancelled,
    Created,
    Confirmed,
    Reversed,
}

/// `errorCode` values (PROTOCOLS.md §3), sent as strings. 10007 is "attribute not found" and 10008
/// "already processed" as in `bek-shoyatbek/onepay-backend` and the `PayTechUz` handler; the same author's
/// `payme-uzum-click-integration-example` has the two swapped, which the other two sources outvote. The
/// official OpenAPI file should settle it before release (PROTOCOLS.md §3 asks the same).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// 10001: authorization error (access denied).
    AccessDenied,
    /// 10002: the body is not JSON.
    JsonParsing,
    /// 10003: unknown webhook.
    UnknownOperation,
    /// 10005: a required field is missing or of the wrong type.
    MissingParams,
    /// 10006: `serviceId` is not ours.
    InvalidServiceId,
    /// 10007: the payment attribute (`params.order_id`) names no order.
    AccountNotFound,
    /// 10008: the payment was already processed (the order is paid, or the transaction confirmed).
    AlreadyProcessed,
    /// 10009: the payment was cancelled (also "transaction not found", as the `PayTechUz` handler answers it).
    Cancelled,
    /// 99999: error while checking the payment data (the order cannot be paid now, a wrong amount, or an
    /// internal failure): the spec has no narrower code for these.
    CheckFailed,
}

impl ErrorCode {
    pub const ALL: &'static [Self] = &[
        Self::AccessDenied,
        Self::JsonParsing,
        Self::UnknownOperation,
        Self::MissingParams,
        Self::InvalidServiceId,
        Self::AccountNotFound,
        Self::AlreadyProcessed,
        Self::Cancelled,
        Self::CheckFailed,
    ];

    pub const fn code(self) -> u32 {
        match self {
            Self::AccessDenied => 10001,
            Self::JsonParsing => 10002,
            Self::UnknownOperation => 10003,
            Self::MissingParams => 10005,
            Self::InvalidServiceId => 10006,
            Self::AccountNotFound => 10007,
            Self::AlreadyProcessed => 10008,
            Self::Cancelled => 10009,
            Self::CheckFailed => 99999,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code())
    }
}

/// HTTP status of an error reply.
pub const ERROR_HTTP_STATUS: u16 = 400;

/// `params`: our fields as the customer entered them. CONTRACT.md §6 configures `order_id`; a number is
/// accepted as its decimal text. Everything else is kept for the stored log.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Params {
    #[serde(default)]
    pub order_id: Option<Value>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl Params {
    /// The order id as text, if present and a string or a number.
    pub fn order_id(&self) -> Option<String> {
        match self.order_id.as_ref()? {
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
}

/// `/check`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckRequest {
    pub service_id: i64,
    pub timestamp: i64,
    pub params: Params,
}

/// `/create`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateRequest {
    pub service_id: i64,
    pub timestamp: i64,
    pub trans_id: String,
    pub params: Params,
    pub amount: Tiyin,
}

/// `/confirm`, `/reverse` and `/status`. Confirm's payment metadata (`paymentSource`, `tariff`,
/// `processingReferenceNumber`, `phone`: names unverified, PROTOCOLS.md §3) is kept in `other`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransRequest {
    pub service_id: i64,
    pub timestamp: i64,
    pub trans_id: String,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// Reads a webhook body: not JSON is 10002, a missing or mistyped field 10005.
pub fn parse_request<T: DeserializeOwned>(body: &[u8]) -> Result<T, ErrorCode> {
    serde_json::from_slice(body).map_err(|e| {
        if e.is_data() {
            ErrorCode::MissingParams
        } else {
            ErrorCode::JsonParsing
        }
    })
}

/// The `serviceId` of a body, for answering a call refused before it is read (bad auth, bad JSON).
pub fn service_id_of(body: &[u8]) -> Option<i64> {
    serde_json::from_slice::<Value>(body)
        .ok()?
        .get("serviceId")?
        .as_i64()
}

/// `data.account.value`: the order the payment is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    pub value: String,
}

/// `data` in replies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Data {
    pub account: Account,
}

impl Data {
    pub fn for_order(order_id: &str) -> Self {
        Self {
            account: Account {
                value: order_id.to_owned(),
            },
        }
    }
}

/// `/check` success: `status:"OK"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckResponse {
    pub service_id: i64,
    pub timestamp: i64,
    pub status: Status,
    pub data: Data,
}

/// `/create` success: `status:"CREATED"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateResponse {
    pub service_id: i64,
    pub trans_id: String,
    pub status: Status,
    pub trans_time: i64,
    pub data: Data,
    pub amount: Tiyin,
}

/// `/confirm` success: `status:"CONFIRMED"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfirmResponse {
    pub service_id: i64,
    pub trans_id: String,
    pub status: Status,
    pub confirm_time: i64,
    pub data: Data,
    pub amount: Tiyin,
}

/// `/reverse` success: `status:"REVERSED"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReverseResponse {
    pub service_id: i64,
    pub trans_id: String,
    pub status: Status,
    pub reverse_time: i64,
    pub data: Data,
    pub amount: Tiyin,
}

/// `/status` success: the stored state and times (`null` when not reached).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusResponse {
    pub service_id: i64,
    pub trans_id: String,
    pub status: Status,
    pub trans_time: i64,
    pub confirm_time: Option<i64>,
    pub reverse_time: Option<i64>,
    pub data: Data,
    pub amount: Tiyin,
}

/// Every error reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorResponse {
    pub service_id: i64,
    pub timestamp: i64,
    pub status: Status,
    pub error_code: String,
}

impl ErrorResponse {
    pub fn new(service_id: i64, now_ms: i64, code: ErrorCode) -> Self {
        Self {
            service_id,
            timestamp: now_ms,
            status: Status::Failed,
            error_code: code.to_string(),
        }
    }
}
