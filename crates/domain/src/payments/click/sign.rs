//! The MD5 `sign_string` over the exact received strings and the so'm amount read strictly (PROTOCOLS.md
//! §2.2–§2.3).

use md5::{Digest, Md5};
use subtle::ConstantTimeEq;

use crate::money::Tiyin;

/// The fields the signature covers, as received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInput<'a> {
    pub click_trans_id: &'a str,
    pub service_id: &'a str,
    pub merchant_trans_id: &'a str,
    /// `Some` on Complete: it goes between `merchant_trans_id` and `amount`.
    pub merchant_prepare_id: Option<&'a str>,
    pub amount: &'a str,
    pub action: &'a str,
    pub sign_time: &'a str,
}

/// Lowercase hex MD5 of the plain concatenation `click_trans_id service_id SECRET_KEY merchant_trans_id`,
/// then `merchant_prepare_id` on Complete, then `amount action sign_time`.
pub fn sign_string(secret_key: &str, f: &SignInput<'_>) -> String {
    let mut h = Md5::new();
    for part in [f.click_trans_id, f.service_id, secret_key, f.merchant_trans_id] {
        h.update(part.as_bytes());
    }
    if let Some(prepare_id) = f.merchant_prepare_id {
        h.update(prepare_id.as_bytes());
    }
    for part in [f.amount, f.action, f.sign_time] {
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Whether `received` is the signature of `f`, compared in constant time (hex case ignored).
pub fn sign_matches(secret_key: &str, f: &SignInput<'_>, received: &str) -> bool {
    let expected = sign_string(secret_key, f);
    let received = received.trim().to_ascii_lowercase();
    expected.as_bytes().ct_eq(received.as_bytes()).into()
}

/// An amount that is not a plain non-negative so'm decimal with at most two places.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a so'm amount: {0:?}")]
pub struct BadAmount(pub String);

/// So'm as Click sends it, strictly: digits, optionally `.` and one or two digits ("1000", "1000.00",
/// "1000.5" = 100 050 tiyin). Signs, spaces, exponents, commas, a bare `.` or a third decimal are refused,
/// so the comparison with the order is exact and never goes through a float.
pub fn parse_som(s: &str) -> Result<Tiyin, BadAmount> {
    let bad = || BadAmount(s.to_owned());
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w, f),
        None => (s, ""),
    };
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty()
        || !digits(whole)
        || !digits(frac)
        || frac.len() > 2
        || (s.contains('.') && frac.is_empty())
    {
        return Err(bad());
    }
    let som: i64 = whole.parse().map_err(|_| bad())?;
    let cents: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().map_err(|_| bad())? * 10,
        _ => frac.parse().map_err(|_| bad())?,
    };
    som.checked_mul(100)
        .and_then(|t| t.checked_add(cents))
        .map(Tiyin::new)
        .ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(prepare: Option<&'static str>, amount: &'static str) -> SignInput<'static> {
        SignInput {
            click_trans_id: "2099842557",
            service_id: "12345",
            merchant_trans_id: "order-1",
            merchant_prepare_id: prepare,
            amount,
            action: if prepare.is_some() { "1" } else { "0" },
            sign_time: "2026-12-07 19:30:00",
        }
    }

    #[test]
    fn the_signature_is_md5_of_the_fields_in_the_documented_order() {
        let prepare = format!(
            "{:x}",
            Md5::digest(b"209984255712345s3cretorder-11000.0002026-12-07 19:30:00")
        );
        assert_eq!(sign_string("s3cret", &input(None, "1000.00")), prepare);
        let complete = format!(
            "{:x}",
            Md5::digest(b"209984255712345s3cretorder-171000.0012026-12-07 19:30:00")
        );
        assert_eq!(sign_string("s3cret", &input(Some("7"), "1000.00")), complete);
    }

    #[test]
    fn the_exact_amount_string_is_signed_not_a_reformatted_one() {
        let sent = sign_string("s3cret", &input(None, "1000.00"));
        assert!(sign_matches("s3cret", &input(None, "1000.00"), &sent));
        assert!(sign_matches(
            "s3cret",
            &input(None, "1000.00"),
            &sent.to_uppercase()
        ));
        assert!(!sign_matches("s3cret", &input(None, "1000"), &sent));
        assert!(!sign_matches("other", &input(None, "1000.00"), &sent));
    }

    proptest::proptest! {
        #[test]
        fn every_tiyin_amount_reads_back_from_its_som_text(t in 0i64..i64::MAX / 100) {
            proptest::prop_assert_eq!(parse_som(&Tiyin::new(t).to_string()), Ok(Tiyin::new(t)));
        }
    }

    #[test]
    fn som_amounts_are_read_strictly() {
        assert_eq!(parse_som("1000"), Ok(Tiyin::new(100_000)));
        assert_eq!(parse_som("1000.00"), Ok(Tiyin::new(100_000)));
        assert_eq!(parse_som("1000.5"), Ok(Tiyin::new(100_050)));
        assert_eq!(parse_som("1000.05"), Ok(Tiyin::new(100_005)));
        assert_eq!(parse_som("0"), Ok(Tiyin::ZERO));
        for bad in [
            "",
            ".5",
            "1000.",
            "1000.005",
            "-1",
            "+1",
            " 1000",
            "1e3",
            "1,000",
            "10 00",
            "1.2.3",
            "99999999999999999999",
        ] {
            assert!(parse_som(bad).is_err(), "{bad:?}");
        }
    }
}
