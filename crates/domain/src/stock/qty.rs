//! `Qty`: a non-negative whole quantity in the product's unit (pieces, grams or millilitres).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::StockError;

/// A quantity that is never negative; a movement's quantity is also never zero ([`Qty::movement`]).
/// Arithmetic is checked, so an overflow or a result below zero is an error, not a wrap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Qty(i64);

impl Qty {
    pub const ZERO: Self = Self(0);

    /// A balance, capacity or par level: zero or more.
    pub fn new(qty: i64) -> Result<Self, StockError> {
        if qty < 0 {
            Err(StockError::NegativeQty(qty))
        } else {
            Ok(Self(qty))
        }
    }

    /// The quantity of a movement: more than zero.
    pub fn movement(qty: i64) -> Result<Self, StockError> {
        if qty <= 0 {
            Err(StockError::QtyNotPositive(qty))
        } else {
            Ok(Self(qty))
        }
    }

    pub const fn get(self) -> i64 {
        self.0
    }

    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    pub fn checked_add(self, other: Self) -> Result<Self, StockError> {
        self.0
            .checked_add(other.0)
            .map(Self)
            .ok_or(StockError::QtyOverflow)
    }

    /// `self - other`, refused when `other` is larger (a quantity never goes below zero).
    pub fn checked_sub(self, other: Self) -> Result<Self, StockError> {
        match self.0.checked_sub(other.0) {
            Some(rest) if rest >= 0 => Ok(Self(rest)),
            Some(rest) => Err(StockError::NegativeQty(rest)),
            None => Err(StockError::QtyOverflow),
        }
    }

    /// `self - other`, or zero when `other` is larger.
    #[must_use]
    pub fn saturating_sub(self, other: Self) -> Self {
        Self(self.0.saturating_sub(other.0).max(0))
    }
}

impl TryFrom<i64> for Qty {
    type Error = StockError;

    fn try_from(qty: i64) -> Result<Self, Self::Error> {
        Self::new(qty)
    }
}

impl From<Qty> for i64 {
    fn from(qty: Qty) -> Self {
        qty.0
    }
}

impl fmt::Display for Qty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_movement_quantity_must_be_more_than_zero() {
        assert_eq!(Qty::movement(0), Err(StockError::QtyNotPositive(0)));
        assert_eq!(Qty::movement(-3), Err(StockError::QtyNotPositive(-3)));
        assert_eq!(Qty::movement(5).unwrap().get(), 5);
        assert_eq!(
            StockError::QtyNotPositive(0).to_string(),
            "a movement quantity must be greater than zero (got 0)"
        );
    }

    #[test]
    fn a_balance_may_be_zero_but_never_negative() {
        assert_eq!(Qty::new(0), Ok(Qty::ZERO));
        assert_eq!(Qty::new(-1), Err(StockError::NegativeQty(-1)));
        assert_eq!(
            StockError::NegativeQty(-1).to_string(),
            "a quantity must not be negative (got -1)"
        );
    }

    #[test]
    fn arithmetic_is_checked() {
        let max = Qty::new(i64::MAX).unwrap();
        let one = Qty::new(1).unwrap();
        let two = Qty::new(2).unwrap();
        assert_eq!(max.checked_add(one), Err(StockError::QtyOverflow));
        assert_eq!(StockError::QtyOverflow.to_string(), "quantity overflows");
        assert_eq!(one.checked_sub(two), Err(StockError::NegativeQty(-1)));
        assert_eq!(two.checked_sub(one), Ok(one));
        assert_eq!(one.saturating_sub(two), Qty::ZERO);
        assert_eq!(one.checked_add(one), Ok(two));
    }

    #[test]
    fn json_is_a_plain_number_and_negative_numbers_are_refused() {
        assert_eq!(serde_json::to_string(&Qty::new(7).unwrap()).unwrap(), "7");
        assert_eq!(serde_json::from_str::<Qty>("7").unwrap().get(), 7);
        assert!(serde_json::from_str::<Qty>("-7").is_err());
    }
}
