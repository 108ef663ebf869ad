//! Payme (Paycom) Merchant API, the merchant side (PROTOCOLS.md §1): Payme calls us with JSON-RPC, we
//! answer with HTTP 200 always. [`params`] reads each method's params, [`rpc`] the envelope and replies,
//! [`errors`] the codes and messages, [`machine`] decides every call.

pub mod errors;
pub mod machine;
pub mod params;
pub mod rpc;

#[cfg(test)]
mod sandbox_tests;

pub use errors::PaymeError;
pub use machine::{Decision, OrderEffect, TIMEOUT_MS, Transaction};
pub use params::{CancelReason, Method, PaymeTxId, TxState};
pub use rpc::{Call, PaymeResult, Request, Response, id_of, parse_request};

/// Whether the `Authorization` header is `Basic base64("Paycom:" + key)`, the whole decoded string
/// compared in constant time (PROTOCOLS.md §1.1; §1.6 warns against checking only the password part).
/// `false` is answered with -32504.
pub fn authorized(header: Option<&str>, key: &str) -> bool {
    super::basic_auth::basic_matches(header, &format!("Paycom:{key}"))
}
