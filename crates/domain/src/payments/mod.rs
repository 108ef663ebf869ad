//! Payment providers' merchant protocols (DOMAIN.md "Payments", PROTOCOLS.md §1–§3): each provider's
//! request and reply types, error codes and a pure decision function per call. The caller loads the stored
//! provider transaction and the order's facts, calls the decision, and writes the change and the answer in
//! one database transaction.

pub mod basic_auth;
pub mod click;
pub mod payme;
pub mod uzum;
