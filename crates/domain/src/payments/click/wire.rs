//! What Click sends and what we answer (PROTOCOLS.md §2.1–§2.4): the form fields kept as the exact
//! received strings, the error codes 0 to -9 with their notes, and the JSON replies.

use serde::{Deserialize, Serialize};

/// A Prepare or Complete form, every field the exact string received (the signature is over these).
/// Missing fields are `None` so the decision can answer -8 in Click's own format.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Form {
    pub click_trans_id: Option<String>,
    pub service_id: Option<String>,
    pub click_paydoc_id: Option<String>,
    pub merchant_trans_id: Option<String>,
    /// Complete only: our id from the Prepare reply.
    pub merchant_prepare_id: Option<String>,
    /// So'm, a decimal string.
    pub amount: Option<String>,
    pub action: Option<String>,
    /// Click's own status: 0 ok, below 0 the payment failed or was cancelled on Click's side.
    pub error: Option<String>,
    pub error_note: Option<String>,
    /// `YYYY-MM-DD HH:mm:ss`, used in the signature exactly as sent.
    pub sign_time: Option<String>,
    pub sign_string: Option<String>,
}

/// The codes we answer (<https://docs.click.uz/en/click-api-error/>, PROTOCOLS.md §2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClickError {
    /// 0.
    Success,
    /// -1: the signature does not match.
    SignCheckFailed,
    /// -2: the amount is not the order's.
    IncorrectAmount,
    /// -3: `action` is not this endpoint's (0 Prepare, 1 Complete).
    ActionNotFound,
    /// -4: the payment was already confirmed (confirm again, or the order is paid).
    AlreadyPaid,
    /// -5: `merchant_trans_id` names no order.
    UserDoesNotExist,
    /// -6: `merchant_prepare_id` names no payment of this order.
    TransactionDoesNotExist,
    /// -7: we failed to write (our side).
    FailedToUpdateUser,
    /// -8: missing or malformed fields, or another `service_id`.
    ErrorInRequest,
    /// -9: the payment was cancelled; also the answer to any `error < 0` from Click.
    TransactionCancelled,
}

impl ClickError {
    pub const ALL: &'static [Self] = &[
        Self::Success,
        Self::SignCheckFailed,
        Self::IncorrectAmount,
        Self::ActionNotFound,
        Self::AlreadyPaid,
        Self::UserDoesNotExist,
        Self::TransactionDoesNotExist,
        Self::FailedToUpdateUser,
        Self::ErrorInRequest,
        Self::TransactionCancelled,
    ];

    pub const fn code(self) -> i32 {
        match self {
            Self::Success => 0,
            Self::SignCheckFailed => -1,
            Self::IncorrectAmount => -2,
            Self::ActionNotFound => -3,
            Self::AlreadyPaid => -4,
            Self::UserDoesNotExist => -5,
            Self::TransactionDoesNotExist => -6,
            Self::FailedToUpdateUser => -7,
            Self::ErrorInRequest => -8,
            Self::TransactionCancelled => -9,
        }
    }

    /// The `error_note` exactly as Click's error table spells it.
    pub const fn note(self) -> &'static str {
        match self {
            Self::Success => "Success",
            Self::SignCheckFailed => "SIGN CHECK FAILED!",
            Self::IncorrectAmount => "Incorrect parameter amount",
            Self::ActionNotFound => "Action not found",
            Self::AlreadyPaid => "Already paid",
            Self::UserDoesNotExist => "User does not exist",
            Self::TransactionDoesNotExist => "Transaction does not exist",
            Self::FailedToUpdateUser => "Failed to update user",
            Self::ErrorInRequest => "Error in request from click",
            Self::TransactionCancelled => "Transaction cancelled",
        }
    }
}

/// The Prepare reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrepareResponse {
    pub click_trans_id: Option<i64>,
    pub merchant_trans_id: Option<String>,
    pub merchant_prepare_id: Option<i64>,
    pub error: i32,
    pub error_note: &'static str,
}

/// The Complete reply (`merchant_confirm_id` may be null).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompleteResponse {
    pub click_trans_id: Option<i64>,
    pub merchant_trans_id: Option<String>,
    pub merchant_confirm_id: Option<i64>,
    pub error: i32,
    pub error_note: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_run_from_0_to_minus_9_with_click_s_notes() {
        let codes: Vec<i32> = ClickError::ALL.iter().map(|e| e.code()).collect();
        assert_eq!(codes, [0, -1, -2, -3, -4, -5, -6, -7, -8, -9]);
        assert_eq!(ClickError::SignCheckFailed.note(), "SIGN CHECK FAILED!");
    }

    #[test]
    fn the_prepare_reply_is_click_s_json() {
        let r = PrepareResponse {
            click_trans_id: Some(2_147_483_648_123),
            merchant_trans_id: Some("o-1".into()),
            merchant_prepare_id: Some(7),
            error: 0,
            error_note: "Success",
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"click_trans_id":2147483648123,"merchant_trans_id":"o-1","merchant_prepare_id":7,"error":0,"error_note":"Success"}"#
        );
    }
}
