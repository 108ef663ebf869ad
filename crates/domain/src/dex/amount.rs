//! Amounts from the file (integers with ID401 implied decimals) to minor units (hundredths).

/// `raw` written with `decimals` implied decimals, in hundredths of the currency unit; `None` when
/// it does not fit in `i64` or would lose a digit (3+ decimals with a non-zero last digit).
pub(crate) fn to_minor(raw: u64, decimals: u8) -> Option<i64> {
    let minor = if decimals <= 2 {
        raw.checked_mul(10u64.checked_pow(u32::from(2 - decimals))?)?
    } else {
        let divisor = 10u64.checked_pow(u32::from(decimals - 2))?;
        if !raw.is_multiple_of(divisor) {
            return None;
        }
        raw / divisor
    };
    i64::try_from(minor).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_decimals_are_already_minor_units() {
        assert_eq!(to_minor(41_200, 2), Some(41_200));
    }

    #[test]
    fn whole_units_become_hundredths() {
        // A UZS machine counting whole so'm: 15 000 so'm is 1 500 000 tiyin.
        assert_eq!(to_minor(15_000, 0), Some(1_500_000));
        assert_eq!(to_minor(25, 1), Some(250));
    }

    #[test]
    fn extra_decimals_must_divide_exactly() {
        assert_eq!(to_minor(1_230, 3), Some(123));
        assert_eq!(to_minor(1_234, 3), None);
    }

    #[test]
    fn overflow_is_none_not_a_wrap() {
        assert_eq!(to_minor(u64::MAX, 0), None);
        assert_eq!(to_minor(u64::MAX, 2), None);
        assert_eq!(to_minor(1, 255), None);
    }
}
