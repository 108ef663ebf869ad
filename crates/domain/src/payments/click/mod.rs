//! Click SHOP API, the merchant side (PROTOCOLS.md §2): Click posts a form to Prepare then Complete, we
//! answer JSON. [`wire`] holds the form, codes and replies, [`sign`] the MD5 signature and the so'm amount,
//! [`decide`] the two decisions.

pub mod decide;
pub mod sign;
pub mod wire;

#[cfg(test)]
mod matrix_tests;

pub use decide::{ClickPayment, ClickState, Decision, Merchant, OrderEffect, complete, prepare};
pub use sign::{BadAmount, SignInput, parse_som, sign_matches, sign_string};
pub use wire::{ClickError, CompleteResponse, Form, PrepareResponse};
