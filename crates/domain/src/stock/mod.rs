//! The stock ledger's rules: quantities, holders, which movement may go where, balances that never go
//! below zero or over a slot's capacity, moving average cost and stocktake differences.
//!
//! The store writes a movement only after [`validate_route`] and [`apply`] accept it, in the same
//! transaction as the balances `apply` returns (DOMAIN.md "Stock: one ledger").

mod balance;
mod cost;
mod error;
mod holder;
mod movement;
mod qty;
mod stocktake;

pub use balance::{Balance, apply};
pub use cost::moving_average;
pub use error::StockError;
pub use holder::{Holder, SlotCode};
pub use movement::{MovementKind, WriteOffReason, validate_reason, validate_route};
pub use qty::Qty;
pub use stocktake::{AdjustmentLine, Count, Discrepancy, stocktake};
