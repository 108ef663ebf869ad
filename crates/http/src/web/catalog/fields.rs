//! Form fields as people type them, read into the values the use cases take: an empty field is "not
//! given", a number must be one, money is typed in so'm (`12500`, `12 500`, `12500.50`) and becomes tiyin.
//! A field that does not read is named in the 400 page; whether a value is allowed (a negative price) is
//! the use case's to say.

use vendhub_app::AppError;
use vendhub_app::error::FieldError;

/// The problems found while reading one form, reported together.
#[derive(Default)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    /// A field that may be left empty.
    pub fn text(value: &str) -> Option<String> {
        let v = value.trim();
        (!v.is_empty()).then(|| v.to_owned())
    }

    /// A whole number; empty is `None`.
    pub fn whole(&mut self, field: &str, value: &str) -> Option<i64> {
        let v = value.trim();
        if v.is_empty() {
            return None;
        }
        v.parse::<i64>()
            .map_err(|_| self.0.push(FieldError::new(field, "must be a whole number")))
            .ok()
    }

    /// A whole number that must be given.
    pub fn required_whole(&mut self, field: &str, value: &str) -> i64 {
        if value.trim().is_empty() {
            self.0.push(FieldError::new(field, "is required"));
            return 0;
        }
        self.whole(field, value).unwrap_or(0)
    }

    /// A decimal number (coordinates); empty is `None`.
    pub fn decimal(&mut self, field: &str, value: &str) -> Option<f64> {
        let v = value.trim().replace(',', ".");
        if v.is_empty() {
            return None;
        }
        v.parse::<f64>().ok().filter(|f| f.is_finite()).or_else(|| {
            self.0.push(FieldError::new(field, "must be a number"));
            None
        })
    }

    /// An amount in so'm, as tiyin; empty is `None`.
    pub fn som(&mut self, field: &str, value: &str) -> Option<i64> {
        let v: String = value.chars().filter(|c| !c.is_whitespace()).collect();
        if v.is_empty() {
            return None;
        }
        let tiyin = som_to_tiyin(&v.replace(',', "."));
        if tiyin.is_none() {
            self.0.push(FieldError::new(
                field,
                "must be an amount in so'm with at most 2 decimals",
            ));
        }
        tiyin
    }

    /// An amount in so'm that must be given.
    pub fn required_som(&mut self, field: &str, value: &str) -> i64 {
        if value.trim().is_empty() {
            self.0.push(FieldError::new(field, "is required"));
            return 0;
        }
        self.som(field, value).unwrap_or(0)
    }

    /// The problems, as one validation error, or nothing.
    pub fn finish(self) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self.0))
        }
    }
}

/// `-12500.5` → `-1250050`.
fn som_to_tiyin(v: &str) -> Option<i64> {
    let (negative, digits) = match v.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, v),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let digits_only = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || !digits_only(whole) || !digits_only(fraction) || fraction.len() > 2 {
        return None;
    }
    let cents = format!("{fraction:0<2}").parse::<i64>().ok()?;
    let tiyin = whole.parse::<i64>().ok()?.checked_mul(100)?.checked_add(cents)?;
    Some(if negative { -tiyin } else { tiyin })
}

/// Tiyin as so'm for a form field (`1250050` → `12500.50`, `1250000` → `12500`).
pub fn som_field(tiyin: i64) -> String {
    let (whole, cents) = (tiyin / 100, (tiyin % 100).abs());
    let sign = if tiyin < 0 && whole == 0 { "-" } else { "" };
    if cents == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{cents:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn so_m_reads_as_tiyin_and_back() {
        assert_eq!(som_to_tiyin("12500"), Some(1_250_000));
        assert_eq!(som_to_tiyin("12500.5"), Some(1_250_050));
        assert_eq!(som_to_tiyin("-3"), Some(-300));
        assert_eq!(som_to_tiyin("1.234"), None);
        assert_eq!(som_to_tiyin("abc"), None);
        assert_eq!(som_field(1_250_050), "12500.50");
        assert_eq!(som_field(1_250_000), "12500");
        let mut e = FieldErrors::default();
        assert_eq!(e.som("price", "12 500"), Some(1_250_000));
        assert_eq!(e.som("price", "x"), None);
        assert!(e.finish().is_err());
    }
}
