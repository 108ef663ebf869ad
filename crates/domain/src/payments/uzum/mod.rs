//! Uzum Bank Merchant API webhooks, the merchant side (PROTOCOLS.md §3): Uzum posts JSON to `/check`,
//! `/create`, `/confirm`, `/reverse` and `/status` with HTTP Basic auth; we answer JSON. [`wire`] holds the
//! requests, replies, statuses and error codes, [`decide`] one decision per webhook.

pub mod decide;
pub mod wire;

#[cfg(test)]
mod tests;

pub use decide::{Decision, OrderEffect, UzumState, UzumTx, check, confirm, create, reverse, status};
pub use wire::{ErrorCode, ErrorResponse, Status, Webhook, parse_request, service_id_of};

/// Whether the `Authorization` header is `Basic base64(login:password)` with Uzum's issued credentials
/// (CONTRACT.md §6: `UZUM_MERCHANT_ID:UZUM_SECRET_KEY`), compared whole in constant time. `false` is
/// answered with [`ErrorCode::AccessDenied`].
pub fn authorized(header: Option<&str>, login: &str, password: &str) -> bool {
    super::basic_auth::basic_matches(header, &format!("{login}:{password}"))
}
