//! One DEX segment: a line split on `*` into an id and numbered elements (`PA102` is element 2 of
//! a `PA1` line), and the strict or lenient readers of one element.

use std::borrow::Cow;

use super::error::{DexError, DexWarning};

/// The most elements one segment may have; real ones have at most a dozen or so.
pub const MAX_ELEMENTS: usize = 255;

/// A line of the file, without its line end.
#[derive(Debug, Clone)]
pub(crate) struct Segment<'a> {
    /// 1-based line number in the file, for messages.
    pub line: usize,
    /// Byte offset of the line's first byte in the input (the CRC range starts at ST's).
    pub start: usize,
    pub text: Cow<'a, str>,
}

impl Segment<'_> {
    pub fn id(&self) -> &str {
        self.text.split('*').next().unwrap_or_default()
    }

    /// Element `n` (1-based, as in `PA102`), `""` when absent: in EDI an absent element is empty.
    pub fn element(&self, n: usize) -> &str {
        self.text.split('*').nth(n).unwrap_or_default()
    }

    /// Elements 1.. as owned strings.
    pub fn elements(&self) -> Vec<String> {
        self.text.split('*').skip(1).map(str::to_owned).collect()
    }

    /// An id is 1 to 8 ASCII letters and digits, and a segment has at most [`MAX_ELEMENTS`].
    pub fn check_shape(&self) -> Result<(), DexError> {
        let id = self.id();
        if id.is_empty() || id.len() > 8 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(DexError::malformed(
                self.line,
                format!("{:?} is not a segment id", shorten(id)),
            ));
        }
        if self.text.split('*').count() > MAX_ELEMENTS + 1 {
            return Err(DexError::malformed(
                self.line,
                format!("{id} has more than {MAX_ELEMENTS} elements"),
            ));
        }
        Ok(())
    }

    /// The element's name as the standard writes it: `PA2` element 1 is `PA201`.
    pub fn name(&self, n: usize) -> String {
        format!("{}{n:02}", self.id())
    }

    /// Element `n` trimmed of spaces (names are space-padded), `None` when empty.
    pub fn text(&self, n: usize) -> Option<String> {
        let value = self.element(n).trim();
        (!value.is_empty()).then(|| value.to_owned())
    }

    /// A counter or amount that sales are computed from: empty is `None`, anything but digits is
    /// an error, because a wrong number here would be a wrong sale.
    pub fn number(&self, n: usize) -> Result<Option<u64>, DexError> {
        let value = self.element(n).trim();
        if value.is_empty() {
            return Ok(None);
        }
        parse_digits(value).map(Some).ok_or_else(|| {
            DexError::malformed(
                self.line,
                format!("{} is not a whole number: {:?}", self.name(n), shorten(value)),
            )
        })
    }

    /// A descriptive number (an event count): unreadable is a warning and `None`.
    pub fn lenient_number(&self, n: usize, warnings: &mut Vec<DexWarning>) -> Option<u64> {
        let value = self.element(n).trim();
        if value.is_empty() {
            return None;
        }
        let parsed = parse_digits(value);
        if parsed.is_none() {
            warnings.push(self.unreadable(n));
        }
        parsed
    }

    pub fn unreadable(&self, n: usize) -> DexWarning {
        DexWarning::UnreadableValue {
            line: self.line,
            element: self.name(n),
            value: shorten(self.element(n)).to_owned(),
        }
    }
}

fn parse_digits(value: &str) -> Option<u64> {
    if value.bytes().all(|b| b.is_ascii_digit()) {
        value.parse().ok()
    } else {
        None
    }
}

/// At most 40 characters of a value, so a hostile file cannot make huge messages.
pub(crate) fn shorten(value: &str) -> &str {
    match value.char_indices().nth(40) {
        Some((end, _)) => &value[..end],
        None => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(text: &str) -> Segment<'_> {
        Segment {
            line: 3,
            start: 0,
            text: Cow::Borrowed(text),
        }
    }

    #[test]
    fn elements_are_numbered_as_in_the_standard() {
        let s = seg("PA1*18**USD");
        assert_eq!(s.id(), "PA1");
        assert_eq!(s.element(1), "18");
        assert_eq!(s.element(2), "");
        assert_eq!(s.element(3), "USD");
        assert_eq!(s.element(9), "");
        assert_eq!(s.name(2), "PA102");
    }

    #[test]
    fn names_lose_their_padding() {
        assert_eq!(
            seg("PA1*13*60*CHOCO                ").text(3).as_deref(),
            Some("CHOCO")
        );
        assert_eq!(seg("PA1*13*60*   ").text(3), None);
    }

    #[test]
    fn counters_are_strict_and_descriptions_lenient() {
        let s = seg("PA2*12x*0**99999999999999999999");
        assert!(matches!(s.number(1), Err(DexError::Malformed { line: 3, .. })));
        assert_eq!(s.number(2).unwrap(), Some(0));
        assert_eq!(s.number(3).unwrap(), None);
        assert!(s.number(4).is_err(), "overflow is an error, not a wrap");
        let mut warnings = Vec::new();
        assert_eq!(s.lenient_number(1, &mut warnings), None);
        assert_eq!(warnings.len(), 1);
    }

    #[test]
    fn ids_are_short_alphanumerics() {
        assert!(seg("CA17*0").check_shape().is_ok());
        assert!(seg(" PA1*1").check_shape().is_err());
        assert!(seg("*1").check_shape().is_err());
        assert!(seg("ÄÖ*1").check_shape().is_err());
        let many = format!("ZZ1{}", "*".repeat(MAX_ELEMENTS + 1));
        assert!(seg(&many).check_shape().is_err());
    }

    #[test]
    fn shorten_respects_char_boundaries() {
        let long = "é".repeat(50);
        assert_eq!(shorten(&long).chars().count(), 40);
    }
}
