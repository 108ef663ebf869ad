//! The Merchant API's methods and the `params` of each as Payme sends them (PROTOCOLS.md §1.2): amounts in
//! tiyin, times in Unix milliseconds, the transaction id a 24-hex string.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::money::Tiyin;

/// The methods Payme calls on our endpoint (PROTOCOLS.md §1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    CheckPerformTransaction,
    CreateTransaction,
    PerformTransaction,
    CancelTransaction,
    CheckTransaction,
    GetStatement,
    ChangePassword,
    SetFiscalData,
}

impl Method {
    pub const ALL: &'static [Self] = &[
        Self::CheckPerformTransaction,
        Self::CreateTransaction,
        Self::PerformTransaction,
        Self::CancelTransaction,
        Self::CheckTransaction,
        Self::GetStatement,
        Self::ChangePassword,
        Self::SetFiscalData,
    ];

    /// The exact method name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CheckPerformTransaction => "CheckPerformTransaction",
            Self::CreateTransaction => "CreateTransaction",
            Self::PerformTransaction => "PerformTransaction",
            Self::CancelTransaction => "CancelTransaction",
            Self::CheckTransaction => "CheckTransaction",
            Self::GetStatement => "GetStatement",
            Self::ChangePassword => "ChangePassword",
            Self::SetFiscalData => "SetFiscalData",
        }
    }

    /// Case-sensitive, as Payme spells them; anything else is -32601.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|m| m.as_str() == s)
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Payme's own transaction id: 24 hexadecimal characters (a Mongo `ObjectId`), kept as received.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PaymeTxId(String);

/// A transaction id that is not 24 hex characters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a Payme transaction id is 24 hexadecimal characters")]
pub struct InvalidPaymeTxId;

impl PaymeTxId {
    pub fn parse(s: &str) -> Result<Self, InvalidPaymeTxId> {
        if s.len() == 24 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidPaymeTxId)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PaymeTxId {
    type Error = InvalidPaymeTxId;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<PaymeTxId> for String {
    fn from(id: PaymeTxId) -> Self {
        id.0
    }
}

impl fmt::Display for PaymeTxId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `params.account`: our fields on the web kassa. CONTRACT.md §6 configures one, `order_id` (our order
/// id). It is optional here so a missing one is answered as an account error (-31050, `data:"order_id"`)
/// rather than as a malformed request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    #[serde(default)]
    pub order_id: Option<String>,
}

/// `CheckPerformTransaction` `{amount, account}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CheckPerformParams {
    pub amount: Tiyin,
    pub account: Account,
}

/// `CreateTransaction` `{id, time, amount, account}`; `time` is Payme's creation time in ms.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CreateParams {
    pub id: PaymeTxId,
    pub time: i64,
    pub amount: Tiyin,
    pub account: Account,
}

/// `PerformTransaction` and `CheckTransaction` `{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TxIdParams {
    pub id: PaymeTxId,
}

/// `CancelTransaction` `{id, reason}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CancelParams {
    pub id: PaymeTxId,
    pub reason: CancelReason,
}

/// `GetStatement` `{from, to}` in ms, both inclusive, compared with Payme's `time` (PROTOCOLS.md §1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct StatementParams {
    pub from: i64,
    pub to: i64,
}

/// `ChangePassword` `{password}`: the new KEY.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ChangePasswordParams {
    pub password: String,
}

/// `SetFiscalData` `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum FiscalType {
    Perform,
    Cancel,
}

/// `SetFiscalData` `fiscal_data`: the OFD receipt Payme issued for the transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiscalData {
    pub receipt_id: i64,
    pub status_code: i64,
    pub message: String,
    pub terminal_id: String,
    pub fiscal_sign: String,
    pub qr_code_url: String,
    pub date: String,
}

/// `SetFiscalData` `{id, type, fiscal_data}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SetFiscalDataParams {
    pub id: PaymeTxId,
    #[serde(rename = "type")]
    pub kind: FiscalType,
    pub fiscal_data: FiscalData,
}

/// A transaction's state (PROTOCOLS.md §1.3): 1 created, 2 performed, -1 cancelled before perform, -2
/// cancelled after perform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "i8", try_from = "i8")]
pub enum TxState {
    Created,
    Performed,
    CancelledBeforePerform,
    CancelledAfterPerform,
}

impl TxState {
    pub const fn code(self) -> i8 {
        match self {
            Self::Created => 1,
            Self::Performed => 2,
            Self::CancelledBeforePerform => -1,
            Self::CancelledAfterPerform => -2,
        }
    }
}

impl From<TxState> for i8 {
    fn from(s: TxState) -> Self {
        s.code()
    }
}

/// A number that is not one of Payme's codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown Payme code {0}")]
pub struct UnknownCode(pub i8);

impl TryFrom<i8> for TxState {
    type Error = UnknownCode;

    fn try_from(n: i8) -> Result<Self, Self::Error> {
        match n {
            1 => Ok(Self::Created),
            2 => Ok(Self::Performed),
            -1 => Ok(Self::CancelledBeforePerform),
            -2 => Ok(Self::CancelledAfterPerform),
            _ => Err(UnknownCode(n)),
        }
    }
}

/// Why a transaction was cancelled (PROTOCOLS.md §1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "i8", try_from = "i8")]
pub enum CancelReason {
    /// 1: one or more receivers not found or inactive.
    ReceiverNotFound,
    /// 2: debit error in the processing centre.
    DebitError,
    /// 3: transaction execution error.
    ExecutionError,
    /// 4: cancelled by timeout (the 12-hour rule).
    Timeout,
    /// 5: refund.
    Refund,
    /// 10: unknown error.
    Unknown,
}

impl CancelReason {
    pub const fn code(self) -> i8 {
        match self {
            Self::ReceiverNotFound => 1,
            Self::DebitError => 2,
            Self::ExecutionError => 3,
            Self::Timeout => 4,
            Self::Refund => 5,
            Self::Unknown => 10,
        }
    }
}

impl From<CancelReason> for i8 {
    fn from(r: CancelReason) -> Self {
        r.code()
    }
}

impl TryFrom<i8> for CancelReason {
    type Error = UnknownCode;

    fn try_from(n: i8) -> Result<Self, Self::Error> {
        match n {
            1 => Ok(Self::ReceiverNotFound),
            2 => Ok(Self::DebitError),
            3 => Ok(Self::ExecutionError),
            4 => Ok(Self::Timeout),
            5 => Ok(Self::Refund),
            10 => Ok(Self::Unknown),
            _ => Err(UnknownCode(n)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_params_deserialize_exactly_as_payme_sends_them() {
        let p: CreateParams = serde_json::from_str(
            r#"{"id":"5305e3bab097f420a62ced0b","time":1399114284039,"amount":500000,
                "account":{"order_id":"0190b1a2-0000-7000-8000-000000000001"}}"#,
        )
        .unwrap();
        assert_eq!(p.id.as_str(), "5305e3bab097f420a62ced0b");
        assert_eq!(p.time, 1_399_114_284_039);
        assert_eq!(p.amount, Tiyin::new(500_000));
        assert_eq!(
            p.account.order_id.as_deref(),
            Some("0190b1a2-0000-7000-8000-000000000001")
        );
    }

    #[test]
    fn a_transaction_id_must_be_24_hex_characters() {
        assert!(PaymeTxId::parse("5305e3bab097f420a62ced0b").is_ok());
        assert!(PaymeTxId::parse("5305e3bab097f420a62ced0").is_err());
        assert!(PaymeTxId::parse("5305e3bab097f420a62ced0z").is_err());
        assert!(serde_json::from_str::<TxIdParams>(r#"{"id":"nope"}"#).is_err());
    }

    #[test]
    fn cancel_reasons_and_states_are_the_documented_numbers() {
        let p: CancelParams =
            serde_json::from_str(r#"{"id":"5305e3bab097f420a62ced0b","reason":5}"#).unwrap();
        assert_eq!(p.reason, CancelReason::Refund);
        assert!(
            serde_json::from_str::<CancelParams>(r#"{"id":"5305e3bab097f420a62ced0b","reason":6}"#).is_err()
        );
        let codes: Vec<i8> = [1, 2, 3, 4, 5, 10]
            .into_iter()
            .map(|n| CancelReason::try_from(n).unwrap().code())
            .collect();
        assert_eq!(codes, [1, 2, 3, 4, 5, 10]);
        assert_eq!(
            serde_json::to_string(&TxState::CancelledAfterPerform).unwrap(),
            "-2"
        );
    }

    #[test]
    fn set_fiscal_data_reads_type_and_the_receipt() {
        let p: SetFiscalDataParams = serde_json::from_str(
            r#"{"id":"5305e3bab097f420a62ced0b","type":"PERFORM","fiscal_data":{"receipt_id":145,
            "status_code":0,"message":"accepted","terminal_id":"EP000000000025","fiscal_sign":"123456789012",
            "qr_code_url":"https://ofd.soliq.uz/epi?t=EP000000000025&r=145&c=20220706221021&s=123456789012",
            "date":"20220706221021"}}"#,
        )
        .unwrap();
        assert_eq!(p.kind, FiscalType::Perform);
        assert_eq!(p.fiscal_data.receipt_id, 145);
        assert!(
            serde_json::from_str::<SetFiscalDataParams>(
                r#"{"id":"5305e3bab097f420a62ced0b","type":"REFUND","fiscal_data":{}}"#
            )
            .is_err()
        );
        assert_eq!(Method::parse("GetStatement"), Some(Method::GetStatement));
        assert_eq!(Method::parse("getStatement"), None);
    }
}
