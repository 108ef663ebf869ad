//! Stocktake: counted quantities against the ledger become adjustment lines, valued at cost.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ids::ProductId;
use crate::money::{MoneyError, Tiyin};

use super::{Holder, Qty, StockError};

/// One product counted at the holder being taken stock of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    pub product: ProductId,
    pub counted: Qty,
    /// The holder's balance in the ledger.
    pub ledger: Qty,
    /// The cost a unit is valued at (the holder's moving average cost).
    pub unit_cost: Tiyin,
}

/// Fewer counted than the ledger says (shortage) or more (surplus).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Discrepancy {
    Shortage,
    Surplus,
}

/// One adjustment movement to post: `difference` units of `product`, worth `value` at cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AdjustmentLine {
    pub product: ProductId,
    /// How many units are missing or extra; never zero.
    pub difference: Qty,
    pub discrepancy: Discrepancy,
    /// `difference × unit_cost`.
    pub value: Tiyin,
}

impl AdjustmentLine {
    /// The adjustment's (from, to): a shortage leaves `holder`, a surplus enters it.
    pub fn route(self, holder: &Holder) -> (Option<&Holder>, Option<&Holder>) {
        match self.discrepancy {
            Discrepancy::Shortage => (Some(holder), None),
            Discrepancy::Surplus => (None, Some(holder)),
        }
    }
}

/// The adjustment lines for one holder's counts, sorted by product; a product counted as the ledger
/// says gets no line. A product counted twice is refused.
pub fn stocktake(counts: &[Count]) -> Result<Vec<AdjustmentLine>, StockError> {
    let mut by_product = BTreeMap::new();
    for count in counts {
        if by_product.insert(count.product, count).is_some() {
            return Err(StockError::DuplicateCount(count.product));
        }
    }
    let mut lines = Vec::new();
    for count in by_product.into_values() {
        if count.unit_cost.get() < 0 {
            return Err(MoneyError::Negative.into());
        }
        let (difference, discrepancy) = if count.counted < count.ledger {
            (count.ledger.checked_sub(count.counted)?, Discrepancy::Shortage)
        } else {
            (count.counted.checked_sub(count.ledger)?, Discrepancy::Surplus)
        };
        if difference.is_zero() {
            continue;
        }
        lines.push(AdjustmentLine {
            product: count.product,
            difference,
            discrepancy,
            value: count.unit_cost.checked_mul(difference.get())?,
        });
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::WarehouseId;

    fn count(product: ProductId, counted: i64, ledger: i64, unit_cost: i64) -> Count {
        Count {
            product,
            counted: Qty::new(counted).unwrap(),
            ledger: Qty::new(ledger).unwrap(),
            unit_cost: Tiyin::new(unit_cost),
        }
    }

    #[test]
    fn differences_become_shortages_and_surpluses_valued_at_cost() {
        let (cola, chips, water) = (ProductId::new(), ProductId::new(), ProductId::new());
        let lines = stocktake(&[
            count(water, 12, 12, 300),
            count(chips, 7, 5, 450),
            count(cola, 8, 10, 1_000),
        ])
        .unwrap();
        assert_eq!(
            lines,
            vec![
                AdjustmentLine {
                    product: cola,
                    difference: Qty::new(2).unwrap(),
                    discrepancy: Discrepancy::Shortage,
                    value: Tiyin::new(2_000),
                },
                AdjustmentLine {
                    product: chips,
                    difference: Qty::new(2).unwrap(),
                    discrepancy: Discrepancy::Surplus,
                    value: Tiyin::new(900),
                },
            ],
            "sorted by product id (creation order here), the matching count left out"
        );
    }

    #[test]
    fn a_shortage_leaves_the_holder_and_a_surplus_enters_it() {
        let holder = Holder::Warehouse(WarehouseId::new());
        let product = ProductId::new();
        let short = stocktake(&[count(product, 1, 2, 5)]).unwrap()[0];
        let extra = stocktake(&[count(product, 3, 2, 5)]).unwrap()[0];
        assert_eq!(short.route(&holder), (Some(&holder), None));
        assert_eq!(extra.route(&holder), (None, Some(&holder)));
    }

    #[test]
    fn a_product_counted_twice_or_a_value_that_overflows_is_refused() {
        let product = ProductId::new();
        let err = stocktake(&[count(product, 1, 1, 5), count(product, 2, 1, 5)]).unwrap_err();
        assert_eq!(err, StockError::DuplicateCount(product));
        assert_eq!(
            err.to_string(),
            format!("product {product} is counted twice in one stocktake")
        );
        assert_eq!(
            stocktake(&[count(product, i64::MAX, 0, 2)]),
            Err(StockError::Money(MoneyError::Overflow))
        );
        assert_eq!(
            stocktake(&[count(product, 0, 1, -2)]),
            Err(StockError::Money(MoneyError::Negative))
        );
    }
}
