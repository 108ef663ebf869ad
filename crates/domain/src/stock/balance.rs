//! Balance arithmetic for one movement: a balance never goes below zero, a slot never above capacity.

use super::{Holder, Qty, StockError};

/// A holder's current balance of one product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Balance<'a> {
    pub holder: &'a Holder,
    pub qty: Qty,
}

/// The balances after moving `qty` from `from` to `to` (`None`: outside the ledger), in the same
/// order: `(new_from, new_to)`. `to_capacity` is the receiving slot's capacity (ignored without a `to`).
///
/// Refuses a zero quantity, taking more than `from` holds ([`StockError::Insufficient`]) and filling
/// `to` past its capacity ([`StockError::OverCapacity`]). Which holders a kind may connect is
/// [`validate_route`](super::validate_route)'s question, not this one's.
pub fn apply(
    from: Option<Balance<'_>>,
    to: Option<Balance<'_>>,
    qty: Qty,
    to_capacity: Option<Qty>,
) -> Result<(Option<Qty>, Option<Qty>), StockError> {
    if qty.is_zero() {
        return Err(StockError::QtyNotPositive(0));
    }
    if let (Some(from), Some(to)) = (from, to)
        && from.holder == to.holder
    {
        return Err(StockError::SameHolder(from.holder.clone()));
    }
    let new_from = match from {
        Some(from) => Some(from.qty.checked_sub(qty).map_err(|_| StockError::Insufficient {
            holder: from.holder.clone(),
            available: from.qty,
            requested: qty,
        })?),
        None => None,
    };
    let new_to = match to {
        Some(to) => {
            let would_be = to.qty.checked_add(qty)?;
            if let Some(capacity) = to_capacity
                && would_be > capacity
            {
                return Err(StockError::OverCapacity {
                    slot: to.holder.clone(),
                    capacity,
                    would_be,
                });
            }
            Some(would_be)
        }
        None => None,
    };
    Ok((new_from, new_to))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{MachineId, UserId};
    use crate::stock::SlotCode;

    fn qty(n: i64) -> Qty {
        Qty::new(n).unwrap()
    }

    fn operator() -> Holder {
        Holder::Operator(UserId::new())
    }

    fn slot() -> (MachineId, Holder) {
        let machine = MachineId::new();
        let slot = Holder::Slot {
            machine,
            slot: SlotCode::parse("B12").unwrap(),
        };
        (machine, slot)
    }

    #[test]
    fn a_refill_moves_stock_from_the_operator_into_the_slot() {
        let (op, (_, slot)) = (operator(), slot());
        let from = Balance {
            holder: &op,
            qty: qty(10),
        };
        let to = Balance {
            holder: &slot,
            qty: qty(2),
        };
        assert_eq!(
            apply(Some(from), Some(to), qty(6), Some(qty(8))),
            Ok((Some(qty(4)), Some(qty(8))))
        );
    }

    #[test]
    fn purchases_and_sales_touch_one_side_only() {
        let op = operator();
        let held = Balance {
            holder: &op,
            qty: qty(3),
        };
        assert_eq!(apply(None, Some(held), qty(2), None), Ok((None, Some(qty(5)))));
        assert_eq!(apply(Some(held), None, qty(3), None), Ok((Some(qty(0)), None)));
    }

    #[test]
    fn taking_more_than_the_holder_has_is_refused_naming_the_holder() {
        let op = operator();
        let from = Balance {
            holder: &op,
            qty: qty(3),
        };
        let err = apply(Some(from), None, qty(5), None).unwrap_err();
        assert_eq!(
            err,
            StockError::Insufficient {
                holder: op.clone(),
                available: qty(3),
                requested: qty(5),
            }
        );
        let Holder::Operator(id) = op else { unreachable!() };
        assert_eq!(
            err.to_string(),
            format!("not enough stock at operator {id}: 3 available, 5 requested")
        );
    }

    #[test]
    fn refill_beyond_slot_capacity_is_rejected_naming_the_slot() {
        let (op, (machine, slot)) = (operator(), slot());
        let from = Balance {
            holder: &op,
            qty: qty(50),
        };
        let to = Balance {
            holder: &slot,
            qty: qty(7),
        };
        let err = apply(Some(from), Some(to), qty(4), Some(qty(10))).unwrap_err();
        assert_eq!(
            err,
            StockError::OverCapacity {
                slot: slot.clone(),
                capacity: qty(10),
                would_be: qty(11),
            }
        );
        assert_eq!(
            err.to_string(),
            format!("slot B12 of machine {machine} holds at most 10; this movement would make it 11")
        );
    }

    #[test]
    fn zero_quantities_and_self_moves_are_refused() {
        let op = operator();
        let held = Balance {
            holder: &op,
            qty: qty(3),
        };
        assert_eq!(
            apply(None, Some(held), Qty::ZERO, None),
            Err(StockError::QtyNotPositive(0))
        );
        assert_eq!(
            apply(Some(held), Some(held), qty(1), None),
            Err(StockError::SameHolder(op.clone()))
        );
    }

    #[test]
    fn an_overflowing_balance_is_an_error() {
        let op = operator();
        let to = Balance {
            holder: &op,
            qty: qty(i64::MAX),
        };
        assert_eq!(apply(None, Some(to), qty(1), None), Err(StockError::QtyOverflow));
    }
}
