//! Planograms: what each slot of a machine holds, how much, and when it counts as low on stock.
//!
//! A slot's current quantity is not here: it is the slot holder's balance in the stock ledger.

use std::collections::BTreeMap;

use crate::ids::ProductId;
use crate::money::Tiyin;
use crate::stock::{Qty, SlotCode};

/// The largest capacity a slot may have.
pub const MAX_CAPACITY: i64 = 10_000;

/// A slot is low when its balance is below this share of its par level, unless configured otherwise.
pub const DEFAULT_LOW_STOCK_PERCENT: u8 = 30;

/// One slot of a machine's planogram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub code: SlotCode,
    pub product: ProductId,
    pub capacity: Qty,
    /// The quantity a refill brings the slot up to.
    pub par_level: Qty,
    /// This machine's price, overriding the product's; `None` uses the product's.
    pub price: Option<Tiyin>,
}

/// Something wrong with one slot of a planogram.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanogramProblem {
    #[error("slot {0} appears more than once")]
    DuplicateCode(SlotCode),
    #[error("slot {slot}: capacity must be between 1 and {MAX_CAPACITY} (got {capacity})")]
    CapacityOutOfRange { slot: SlotCode, capacity: Qty },
    #[error("slot {slot}: par level must be at least 1")]
    ParLevelZero { slot: SlotCode },
    #[error("slot {slot}: par level {par_level} is above the capacity {capacity}")]
    ParAboveCapacity {
        slot: SlotCode,
        par_level: Qty,
        capacity: Qty,
    },
    #[error("slot {slot}: price must not be negative (got {price})")]
    NegativePrice { slot: SlotCode, price: Tiyin },
}

/// Every problem of a planogram at once, in slot order, or `Ok` when there is none.
pub fn validate_planogram(slots: &[Slot]) -> Result<(), Vec<PlanogramProblem>> {
    let mut problems = Vec::new();
    let mut seen: BTreeMap<&SlotCode, usize> = BTreeMap::new();
    for slot in slots {
        let times = seen.entry(&slot.code).or_default();
        *times += 1;
        if *times == 2 {
            problems.push(PlanogramProblem::DuplicateCode(slot.code.clone()));
        }
        if slot.capacity.is_zero() || slot.capacity.get() > MAX_CAPACITY {
            problems.push(PlanogramProblem::CapacityOutOfRange {
                slot: slot.code.clone(),
                capacity: slot.capacity,
            });
        }
        if slot.par_level.is_zero() {
            problems.push(PlanogramProblem::ParLevelZero {
                slot: slot.code.clone(),
            });
        } else if slot.par_level > slot.capacity {
            problems.push(PlanogramProblem::ParAboveCapacity {
                slot: slot.code.clone(),
                par_level: slot.par_level,
                capacity: slot.capacity,
            });
        }
        if let Some(price) = slot.price
            && price.get() < 0
        {
            problems.push(PlanogramProblem::NegativePrice {
                slot: slot.code.clone(),
                price,
            });
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Whether `balance` is below `threshold_percent` % of `par_level` (a slot with par 0 is never low).
pub fn is_low(balance: Qty, par_level: Qty, threshold_percent: u8) -> bool {
    i128::from(balance.get()) * 100 < i128::from(par_level.get()) * i128::from(threshold_percent)
}

/// Whether going from `before` to `after` made the slot low: true once per crossing, so a low-stock
/// event fires when the slot becomes low, not on every sale after that.
pub fn crossed_low(before: Qty, after: Qty, par_level: Qty, threshold_percent: u8) -> bool {
    !is_low(before, par_level, threshold_percent) && is_low(after, par_level, threshold_percent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn qty(n: i64) -> Qty {
        Qty::new(n).unwrap()
    }

    fn code(code: &str) -> SlotCode {
        SlotCode::parse(code).unwrap()
    }

    fn slot(c: &str, capacity: i64, par_level: i64, price: Option<i64>) -> Slot {
        Slot {
            code: code(c),
            product: ProductId::new(),
            capacity: qty(capacity),
            par_level: qty(par_level),
            price: price.map(Tiyin::new),
        }
    }

    #[test]
    fn a_sound_planogram_passes() {
        let slots = [
            slot("A1", 10, 8, Some(1_200_000)),
            slot("A2", 10_000, 10_000, None),
            slot("B1", 1, 1, Some(0)),
        ];
        assert_eq!(validate_planogram(&slots), Ok(()));
        assert_eq!(validate_planogram(&[]), Ok(()));
    }

    #[test]
    fn every_problem_is_reported_together_naming_its_slot() {
        let slots = [
            slot("A1", 10, 8, None),
            slot("A1", 0, 0, None),
            slot("A2", 10_001, 5, Some(-1)),
            slot("A3", 5, 6, None),
            slot("a1", 10, 8, None),
        ];
        let problems = validate_planogram(&slots).unwrap_err();
        assert_eq!(
            problems,
            vec![
                PlanogramProblem::DuplicateCode(code("A1")),
                PlanogramProblem::CapacityOutOfRange {
                    slot: code("A1"),
                    capacity: qty(0),
                },
                PlanogramProblem::ParLevelZero { slot: code("A1") },
                PlanogramProblem::CapacityOutOfRange {
                    slot: code("A2"),
                    capacity: qty(10_001),
                },
                PlanogramProblem::NegativePrice {
                    slot: code("A2"),
                    price: Tiyin::new(-1),
                },
                PlanogramProblem::ParAboveCapacity {
                    slot: code("A3"),
                    par_level: qty(6),
                    capacity: qty(5),
                },
            ],
            "a third A1 is not reported again"
        );
        let messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "slot A1 appears more than once",
                "slot A1: capacity must be between 1 and 10000 (got 0)",
                "slot A1: par level must be at least 1",
                "slot A2: capacity must be between 1 and 10000 (got 10001)",
                "slot A2: price must not be negative (got -0.01)",
                "slot A3: par level 6 is above the capacity 5",
            ]
        );
    }

    #[test]
    fn a_slot_is_low_below_the_threshold_share_of_par() {
        let par = qty(10);
        assert!(is_low(qty(2), par, DEFAULT_LOW_STOCK_PERCENT));
        assert!(
            !is_low(qty(3), par, DEFAULT_LOW_STOCK_PERCENT),
            "exactly 30% is not below"
        );
        assert!(is_low(qty(0), qty(1), DEFAULT_LOW_STOCK_PERCENT));
        assert!(
            !is_low(qty(0), qty(0), DEFAULT_LOW_STOCK_PERCENT),
            "no par, never low"
        );
        assert!(is_low(qty(4), par, 50));
        assert!(!is_low(qty(i64::MAX), qty(i64::MAX), 100));
    }

    #[test]
    fn low_stock_fires_once_per_crossing() {
        let par = qty(10);
        let t = DEFAULT_LOW_STOCK_PERCENT;
        assert!(crossed_low(qty(3), qty(2), par, t), "not low -> low");
        assert!(!crossed_low(qty(2), qty(1), par, t), "already low");
        assert!(!crossed_low(qty(5), qty(4), par, t), "still above");
        assert!(!crossed_low(qty(1), qty(8), par, t), "a refill");
        assert!(crossed_low(qty(8), qty(0), par, t), "a jump past the threshold");
    }
}
