//! `StockError`: why a quantity, holder or movement is refused. Each message names what was wrong,
//! because the HTTP layer answers 422 with it.

use crate::ids::ProductId;
use crate::money::MoneyError;

use super::{Holder, MovementKind, Qty};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StockError {
    #[error("a movement quantity must be greater than zero (got {0})")]
    QtyNotPositive(i64),
    #[error("a quantity must not be negative (got {0})")]
    NegativeQty(i64),
    #[error("quantity overflows")]
    QtyOverflow,
    #[error("not a slot code: {0:?} (expected up to 4 characters, letters then digits, like A1 or B12)")]
    InvalidSlotCode(String),
    #[error(
        "not a stock holder: {0:?} (expected warehouse:<id>, operator:<id> or slot:<machine id>:<slot code>)"
    )]
    InvalidHolder(String),
    #[error("not a movement kind: {0:?}")]
    UnknownKind(String),
    #[error("not a write-off reason: {0:?} (expected spoiled, expired or damaged)")]
    UnknownReason(String),
    #[error("{kind} from {} to {} is not allowed: {}", side(.from.as_ref()), side(.to.as_ref()), .kind.rule())]
    Route {
        kind: MovementKind,
        from: Option<Holder>,
        to: Option<Holder>,
    },
    #[error("stock cannot move from {} to itself", .0.label())]
    SameHolder(Holder),
    #[error("a write-off needs a reason: spoiled, expired or damaged")]
    ReasonRequired,
    #[error("only a write-off takes a reason, not a {0}")]
    ReasonNotAllowed(MovementKind),
    #[error("not enough stock at {}: {available} available, {requested} requested", .holder.label())]
    Insufficient {
        holder: Holder,
        available: Qty,
        requested: Qty,
    },
    #[error("{} holds at most {capacity}; this movement would make it {would_be}", .slot.label())]
    OverCapacity {
        slot: Holder,
        capacity: Qty,
        would_be: Qty,
    },
    #[error("product {0} is counted twice in one stocktake")]
    DuplicateCount(ProductId),
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// A movement's end as a person reads it: a holder, or "outside" (a purchase's source, a sale's sink).
fn side(holder: Option<&Holder>) -> String {
    holder.map_or_else(|| "outside".to_owned(), Holder::label)
}
