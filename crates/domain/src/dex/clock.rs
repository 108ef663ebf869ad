//! Dates and times as DEX writes them: `YYYYMMDD` or `YYMMDD`, `HHMM` or `HHMMSS`.

use chrono::{NaiveDate, NaiveTime};

/// `YYYYMMDD`, or `YYMMDD` read as 20YY.
pub(crate) fn parse_date(value: &str) -> Option<NaiveDate> {
    if !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (year, rest) = match value.len() {
        8 => (value.get(..4)?.parse::<i32>().ok()?, value.get(4..)?),
        6 => (2000 + value.get(..2)?.parse::<i32>().ok()?, value.get(2..)?),
        _ => return None,
    };
    let month = rest.get(..2)?.parse().ok()?;
    let day = rest.get(2..4)?.parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

/// `HHMM` or `HHMMSS`.
pub(crate) fn parse_time(value: &str) -> Option<NaiveTime> {
    if !value.bytes().all(|b| b.is_ascii_digit()) || !matches!(value.len(), 4 | 6) {
        return None;
    }
    let hour = value.get(..2)?.parse().ok()?;
    let minute = value.get(2..4)?.parse().ok()?;
    let second = match value.get(4..6) {
        Some(s) => s.parse().ok()?,
        None => 0,
    };
    NaiveTime::from_hms_opt(hour, minute, second)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_date_widths_are_read() {
        assert_eq!(parse_date("20231022"), NaiveDate::from_ymd_opt(2023, 10, 22));
        assert_eq!(parse_date("231127"), NaiveDate::from_ymd_opt(2023, 11, 27));
        assert_eq!(parse_date("20231322"), None);
        assert_eq!(parse_date("2023"), None);
        assert_eq!(parse_date("+0231022"), None);
    }

    #[test]
    fn both_time_widths_are_read() {
        assert_eq!(parse_time("1253"), NaiveTime::from_hms_opt(12, 53, 0));
        assert_eq!(parse_time("232706"), NaiveTime::from_hms_opt(23, 27, 6));
        assert_eq!(parse_time("2460"), None);
        assert_eq!(parse_time("12"), None);
    }
}
