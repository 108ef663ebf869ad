//! Money as an integer number of tiyin (1 UZS = 100 tiyin); VAT is included in prices.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An amount in tiyin. Never a float; arithmetic is checked so an overflow is an error, not a wrap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Tiyin(i64);

/// An amount that does not fit, or a negative amount where only non-negative ones make sense.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("amount overflows")]
    Overflow,
    #[error("amount must not be negative")]
    Negative,
    #[error("VAT rate must be between 0 and 100 percent")]
    VatRate,
}

impl Tiyin {
    pub const ZERO: Self = Self(0);

    pub const fn new(tiyin: i64) -> Self {
        Self(tiyin)
    }

    /// A price or amount that must not be negative.
    pub fn non_negative(tiyin: i64) -> Result<Self, MoneyError> {
        if tiyin < 0 {
            Err(MoneyError::Negative)
        } else {
            Ok(Self(tiyin))
        }
    }

    /// Whole so'm (1 so'm = 100 tiyin).
    pub fn from_som(som: i64) -> Result<Self, MoneyError> {
        som.checked_mul(100).map(Self).ok_or(MoneyError::Overflow)
    }

    pub const fn get(self) -> i64 {
        self.0
    }

    pub fn checked_add(self, other: Self) -> Result<Self, MoneyError> {
        self.0.checked_add(other.0).map(Self).ok_or(MoneyError::Overflow)
    }

    pub fn checked_sub(self, other: Self) -> Result<Self, MoneyError> {
        self.0.checked_sub(other.0).map(Self).ok_or(MoneyError::Overflow)
    }

    pub fn checked_mul(self, qty: i64) -> Result<Self, MoneyError> {
        self.0.checked_mul(qty).map(Self).ok_or(MoneyError::Overflow)
    }

    /// The VAT included in this gross amount: `round(gross * rate / (100 + rate))`, half away from zero.
    pub fn included_vat(self, rate_percent: u8) -> Result<Self, MoneyError> {
        if rate_percent > 100 {
            return Err(MoneyError::VatRate);
        }
        let gross = i128::from(self.0);
        let rate = i128::from(rate_percent);
        let denom = 100 + rate;
        let num = gross * rate;
        // Round half away from zero in integer arithmetic.
        let half = denom / 2;
        let rounded = if num >= 0 {
            (num + half) / denom
        } else {
            (num - half) / denom
        };
        i64::try_from(rounded).map(Self).map_err(|_| MoneyError::Overflow)
    }
}

impl fmt::Display for Tiyin {
    /// `12 345.67 UZS`-like rendering without grouping: `12345.67`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn vat_of_a_12_percent_price_is_included_not_added() {
        // 11 200 so'm gross at 12% holds 1 200 so'm VAT.
        assert_eq!(
            Tiyin::new(1_120_000).included_vat(12).unwrap(),
            Tiyin::new(120_000)
        );
        assert_eq!(Tiyin::new(100).included_vat(12).unwrap(), Tiyin::new(11)); // 10.71 -> 11
        assert_eq!(Tiyin::new(0).included_vat(12).unwrap(), Tiyin::ZERO);
    }

    #[test]
    fn overflow_is_an_error_not_a_wrap() {
        assert_eq!(
            Tiyin::new(i64::MAX).checked_add(Tiyin::new(1)),
            Err(MoneyError::Overflow)
        );
        assert_eq!(Tiyin::from_som(i64::MAX / 10), Err(MoneyError::Overflow));
        assert_eq!(Tiyin::non_negative(-1), Err(MoneyError::Negative));
    }

    #[test]
    fn display_shows_som_and_tiyin() {
        assert_eq!(Tiyin::new(1_234_567).to_string(), "12345.67");
        assert_eq!(Tiyin::new(-5).to_string(), "-0.05");
    }

    proptest! {
        #[test]
        fn vat_never_exceeds_the_gross_amount(gross in 0i64..i64::MAX / 2, rate in 0u8..=100) {
            let vat = Tiyin::new(gross).included_vat(rate).unwrap();
            prop_assert!(vat.get() >= 0 && vat.get() <= gross);
        }
    }
}
