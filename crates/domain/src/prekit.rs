//! Pre-kit: what a set of machines needs to reach par, summed per product into a warehouse pick list.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::ids::{MachineId, ProductId};
use crate::stock::{Qty, SlotCode, StockError};

/// Average sales per day, kept as `sold` units over `days` days so no fraction is rounded early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DailySales {
    sold: Qty,
    days: u32,
}

impl DailySales {
    /// No sales history: a slot without telemetry or history is estimated to need nothing.
    pub const NONE: Self = Self {
        sold: Qty::ZERO,
        days: 1,
    };

    /// `sold` units over `days` days; zero days is no history.
    pub fn new(sold: Qty, days: u32) -> Self {
        if days == 0 {
            Self::NONE
        } else {
            Self { sold, days }
        }
    }

    /// Units sold in `days` days at this rate, rounded up (better one unit too many in the van).
    fn over(self, days: u32) -> i128 {
        let units = i128::from(self.sold.get()) * i128::from(days);
        let per = i128::from(self.days);
        (units + per - 1) / per
    }
}

/// One slot of a machine on the route, as the store reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrekitSlot {
    pub machine: MachineId,
    pub slot: SlotCode,
    pub product: ProductId,
    /// The slot's ledger balance when telemetry keeps it current; `None` when it is not known.
    pub balance: Option<Qty>,
    pub par_level: Qty,
    pub capacity: Qty,
    /// Used only when `balance` is unknown.
    pub avg_daily_sales: DailySales,
    pub days_since_last_refill: u32,
}

/// How many units of one product one machine needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MachineQty {
    pub machine: MachineId,
    pub qty: Qty,
}

/// One line of the pick list: a product, how many in all, and how many for each machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PickLine {
    pub product: ProductId,
    pub total: Qty,
    /// Sorted by machine id; machines needing none are left out.
    pub machines: Vec<MachineQty>,
}

/// What one slot needs to reach par: nothing at or above par, never more than fits
/// (`capacity - balance`). Without a balance: average daily sales × days since the last refill,
/// at most par (and capacity).
pub fn slot_need(slot: &PrekitSlot) -> Qty {
    match slot.balance {
        Some(balance) => slot
            .par_level
            .saturating_sub(balance)
            .min(slot.capacity.saturating_sub(balance)),
        None => {
            let cap = slot.par_level.min(slot.capacity);
            let sold = slot.avg_daily_sales.over(slot.days_since_last_refill);
            if sold >= i128::from(cap.get()) {
                cap
            } else {
                i64::try_from(sold)
                    .ok()
                    .and_then(|n| Qty::new(n).ok())
                    .unwrap_or(cap)
            }
        }
    }
}

/// The warehouse pick list for these slots: needs summed per product (sorted by product id), each
/// with its per-machine breakdown; products needing nothing are left out.
pub fn pick_list(slots: &[PrekitSlot]) -> Result<Vec<PickLine>, StockError> {
    let mut needs: BTreeMap<ProductId, BTreeMap<MachineId, Qty>> = BTreeMap::new();
    for slot in slots {
        let need = slot_need(slot);
        if need.is_zero() {
            continue;
        }
        let per_machine = needs
            .entry(slot.product)
            .or_default()
            .entry(slot.machine)
            .or_default();
        *per_machine = per_machine.checked_add(need)?;
    }
    needs
        .into_iter()
        .map(|(product, machines)| {
            let total = machines
                .values()
                .try_fold(Qty::ZERO, |sum, qty| sum.checked_add(*qty))?;
            Ok(PickLine {
                product,
                total,
                machines: machines
                    .into_iter()
                    .map(|(machine, qty)| MachineQty { machine, qty })
                    .collect(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn qty(n: i64) -> Qty {
        Qty::new(n).unwrap()
    }

    fn slot(
        machine: MachineId,
        product: ProductId,
        balance: Option<i64>,
        par: i64,
        capacity: i64,
    ) -> PrekitSlot {
        PrekitSlot {
            machine,
            slot: SlotCode::parse("A1").unwrap(),
            product,
            balance: balance.map(qty),
            par_level: qty(par),
            capacity: qty(capacity),
            avg_daily_sales: DailySales::NONE,
            days_since_last_refill: 0,
        }
    }

    #[test]
    fn a_slot_needs_what_brings_it_to_par() {
        let (m, p) = (MachineId::new(), ProductId::new());
        assert_eq!(slot_need(&slot(m, p, Some(3), 8, 10)), qty(5));
        assert_eq!(slot_need(&slot(m, p, Some(8), 8, 10)), Qty::ZERO, "at par");
        assert_eq!(slot_need(&slot(m, p, Some(9), 8, 10)), Qty::ZERO, "above par");
        assert_eq!(slot_need(&slot(m, p, Some(0), 8, 10)), qty(8));
    }

    #[test]
    fn a_slot_never_needs_more_than_fits() {
        let (m, p) = (MachineId::new(), ProductId::new());
        // A par above capacity (a planogram edited badly) still only fills the slot.
        assert_eq!(slot_need(&slot(m, p, Some(4), 12, 10)), qty(6));
        assert_eq!(slot_need(&slot(m, p, Some(11), 12, 10)), Qty::ZERO);
    }

    #[test]
    fn without_telemetry_sales_since_the_last_refill_are_estimated_up_to_par() {
        let (m, p) = (MachineId::new(), ProductId::new());
        let mut blind = slot(m, p, None, 8, 10);
        blind.avg_daily_sales = DailySales::new(qty(5), 2); // 2.5 a day
        blind.days_since_last_refill = 3;
        assert_eq!(slot_need(&blind), qty(8), "7.5 rounds up to 8, which is par");
        blind.days_since_last_refill = 1;
        assert_eq!(slot_need(&blind), qty(3), "2.5 rounds up");
        blind.days_since_last_refill = 30;
        assert_eq!(slot_need(&blind), qty(8), "capped at par");
        blind.avg_daily_sales = DailySales::new(qty(i64::MAX), 1);
        blind.days_since_last_refill = u32::MAX;
        assert_eq!(slot_need(&blind), qty(8), "no overflow");
        blind.avg_daily_sales = DailySales::new(qty(5), 0);
        assert_eq!(slot_need(&blind), Qty::ZERO, "no history, no estimate");
    }

    #[test]
    fn the_pick_list_sums_per_product_with_a_per_machine_breakdown() {
        let (m1, m2) = (MachineId::new(), MachineId::new());
        let (cola, chips) = (ProductId::new(), ProductId::new());
        let slots = [
            slot(m2, chips, Some(0), 4, 4),
            slot(m1, cola, Some(2), 8, 10),
            slot(m1, cola, Some(5), 8, 10),
            slot(m2, cola, Some(0), 3, 10),
            slot(m1, chips, Some(9), 8, 10),
        ];
        let list = pick_list(&slots).unwrap();
        assert_eq!(
            list,
            vec![
                PickLine {
                    product: cola,
                    total: qty(12),
                    machines: vec![
                        MachineQty {
                            machine: m1,
                            qty: qty(9)
                        },
                        MachineQty {
                            machine: m2,
                            qty: qty(3)
                        },
                    ],
                },
                PickLine {
                    product: chips,
                    total: qty(4),
                    machines: vec![MachineQty {
                        machine: m2,
                        qty: qty(4)
                    }],
                },
            ]
        );
        assert_eq!(pick_list(&[]).unwrap(), vec![]);
    }
}
