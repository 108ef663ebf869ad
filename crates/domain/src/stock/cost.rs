//! Moving average cost: what a unit of a product costs a holder after a receipt at a new price.

use crate::money::{MoneyError, Tiyin};

use super::Qty;

/// `(current_qty × current_avg_cost + in_qty × in_unit_cost) / (current_qty + in_qty)` in whole tiyin,
/// rounded half up. With nothing on hand the incoming cost is the average; nothing incoming keeps it.
pub fn moving_average(
    current_qty: Qty,
    current_avg_cost: Tiyin,
    in_qty: Qty,
    in_unit_cost: Tiyin,
) -> Result<Tiyin, MoneyError> {
    if current_avg_cost.get() < 0 || in_unit_cost.get() < 0 {
        return Err(MoneyError::Negative);
    }
    if current_qty.is_zero() {
        return Ok(in_unit_cost);
    }
    if in_qty.is_zero() {
        return Ok(current_avg_cost);
    }
    let value = |qty: Qty, cost: Tiyin| i128::from(qty.get()).checked_mul(i128::from(cost.get()));
    let total = value(current_qty, current_avg_cost)
        .zip(value(in_qty, in_unit_cost))
        .and_then(|(held, incoming)| held.checked_add(incoming));
    let units = i128::from(current_qty.get()).checked_add(i128::from(in_qty.get()));
    let average = total
        .zip(units)
        .and_then(|(total, units)| total.checked_add(units / 2).map(|t| t / units))
        .ok_or(MoneyError::Overflow)?;
    i64::try_from(average)
        .map(Tiyin::new)
        .map_err(|_| MoneyError::Overflow)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn qty(n: i64) -> Qty {
        Qty::new(n).unwrap()
    }

    #[test]
    fn the_average_weighs_each_cost_by_its_quantity() {
        // 10 at 1 000 and 30 at 2 000 -> 70 000 / 40 = 1 750.
        let avg = moving_average(qty(10), Tiyin::new(1_000), qty(30), Tiyin::new(2_000));
        assert_eq!(avg, Ok(Tiyin::new(1_750)));
    }

    #[test]
    fn halves_round_up() {
        // (1 × 100 + 1 × 101) / 2 = 100.5 -> 101; (2 × 100 + 1 × 101) / 3 = 100.33 -> 100.
        assert_eq!(
            moving_average(qty(1), Tiyin::new(100), qty(1), Tiyin::new(101)),
            Ok(Tiyin::new(101))
        );
        assert_eq!(
            moving_average(qty(2), Tiyin::new(100), qty(1), Tiyin::new(101)),
            Ok(Tiyin::new(100))
        );
    }

    #[test]
    fn with_nothing_on_hand_the_incoming_cost_is_the_average() {
        let avg = moving_average(Qty::ZERO, Tiyin::new(999), qty(5), Tiyin::new(1_200));
        assert_eq!(avg, Ok(Tiyin::new(1_200)));
        let avg = moving_average(qty(5), Tiyin::new(999), Qty::ZERO, Tiyin::new(1_200));
        assert_eq!(avg, Ok(Tiyin::new(999)));
    }

    #[test]
    fn huge_quantities_and_costs_do_not_overflow_and_negative_costs_are_refused() {
        let big = qty(i64::MAX);
        let cost = Tiyin::new(i64::MAX);
        assert_eq!(moving_average(big, cost, big, cost), Ok(cost));
        assert_eq!(
            moving_average(qty(1), Tiyin::new(-1), qty(1), Tiyin::new(5)),
            Err(MoneyError::Negative)
        );
    }
}
