//! Why a DEX file is refused (`DexError`) and what was tolerated in one that was read (`DexWarning`).

use std::fmt;

use serde::Serialize;

/// A DEX file that cannot be imported. Nothing of it may be used: a half-read audit must never
/// pass for a whole one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DexError {
    #[error("the DEX file is empty")]
    Empty,
    #[error("the DEX file is {size} bytes, more than the limit of {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    #[error("the DEX file has more than {limit} segments")]
    TooManySegments { limit: usize },
    #[error("the DEX file is not text: byte 0x{byte:02X} at offset {offset}")]
    NotText { offset: usize, byte: u8 },
    #[error("the DEX file is incomplete (no {missing} segment): an interrupted read is not imported")]
    Truncated { missing: &'static str },
    #[error("the DEX file has no G85 check value, so it cannot be verified")]
    MissingCrc,
    #[error("the G85 check failed: the file says {expected:04X}, its contents give {computed:04X}")]
    CrcMismatch { expected: u16, computed: u16 },
    #[error("line {line}: {reason}")]
    Malformed { line: usize, reason: String },
}

impl DexError {
    /// A stable `snake_case` code for clients and metrics.
    /// Every code [`DexError::code`] answers.
    pub const CODES: [&'static str; 8] = [
        "dex_empty",
        "dex_too_large",
        "dex_too_many_segments",
        "dex_not_text",
        "dex_truncated",
        "dex_missing_crc",
        "dex_crc_mismatch",
        "dex_malformed",
    ];

    pub const fn code(&self) -> &'static str {
        match self {
            Self::Empty => "dex_empty",
            Self::TooLarge { .. } => "dex_too_large",
            Self::TooManySegments { .. } => "dex_too_many_segments",
            Self::NotText { .. } => "dex_not_text",
            Self::Truncated { .. } => "dex_truncated",
            Self::MissingCrc => "dex_missing_crc",
            Self::CrcMismatch { .. } => "dex_crc_mismatch",
            Self::Malformed { .. } => "dex_malformed",
        }
    }

    pub(crate) fn malformed(line: usize, reason: impl Into<String>) -> Self {
        Self::Malformed {
            line,
            reason: reason.into(),
        }
    }
}

/// Something odd in a file that was still read whole and verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum DexWarning {
    /// Lines before DXS (some machines write a vendor banner first); they were skipped.
    PreambleSkipped { lines: usize },
    /// The file is not UTF-8; it was read as Latin-1 (the CRC is over the bytes either way).
    NotUtf8,
    /// G85 only verified once bare LFs were read as CRLF: line ends were changed in transfer.
    LineEndsNormalised,
    /// SE's segment count disagrees with the segments actually sent (a known vendor bug).
    SegmentCountMismatch { declared: String, actual: usize },
    /// SE's control number differs from ST's.
    ControlNumberMismatch { st: String, se: String },
    /// A segment outside ST..SE (between SE and DXE, or after DXE); it was ignored.
    OutsideTransaction { line: usize, id: String },
    /// A segment that should appear once appeared again; the first one was used.
    Repeated { line: usize, id: String },
    /// A product segment (PA2…) with no PA1 before it; it was ignored.
    OrphanProductSegment { line: usize, id: String },
    /// The same selection twice; its second PA1 group was ignored.
    DuplicateSelection { line: usize, selection: String },
    /// A product without both since-initialisation counters: no sales can be derived from it.
    IncompleteCounters { line: usize, selection: String },
    /// A value in a descriptive element (date, time, event count) that could not be read.
    UnreadableValue {
        line: usize,
        element: String,
        value: String,
    },
}

impl fmt::Display for DexWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PreambleSkipped { lines } => write!(f, "{lines} line(s) before DXS skipped"),
            Self::NotUtf8 => f.write_str("not UTF-8; read as Latin-1"),
            Self::LineEndsNormalised => f.write_str("G85 verified only with bare LF line ends read as CRLF"),
            Self::SegmentCountMismatch { declared, actual } => {
                write!(f, "SE declares {declared} segments, {actual} were sent")
            }
            Self::ControlNumberMismatch { st, se } => {
                write!(f, "SE control number {se:?} differs from ST's {st:?}")
            }
            Self::OutsideTransaction { line, id } => {
                write!(f, "line {line}: {id} outside ST..SE ignored")
            }
            Self::Repeated { line, id } => write!(f, "line {line}: repeated {id} ignored"),
            Self::OrphanProductSegment { line, id } => {
                write!(f, "line {line}: {id} without a PA1 before it ignored")
            }
            Self::DuplicateSelection { line, selection } => {
                write!(f, "line {line}: selection {selection:?} listed again; ignored")
            }
            Self::IncompleteCounters { line, selection } => write!(
                f,
                "line {line}: selection {selection:?} has no since-initialisation counters"
            ),
            Self::UnreadableValue { line, element, value } => {
                write!(f, "line {line}: {element} {value:?} not understood")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_read_as_sentences_with_hex_check_values() {
        let e = DexError::CrcMismatch {
            expected: 0xB9AE,
            computed: 0x00FF,
        };
        assert_eq!(
            e.to_string(),
            "the G85 check failed: the file says B9AE, its contents give 00FF"
        );
        assert_eq!(e.code(), "dex_crc_mismatch");
        assert_eq!(
            DexError::malformed(7, "PA201 is not a number").to_string(),
            "line 7: PA201 is not a number"
        );
    }

    #[test]
    fn warnings_serialise_with_a_code() {
        let json = serde_json::to_value(DexWarning::PreambleSkipped { lines: 1 }).unwrap();
        assert_eq!(json["code"], "preamble_skipped");
        assert_eq!(json["lines"], 1);
    }
}

#[cfg(test)]
mod code_list_tests {
    use super::DexError;

    #[test]
    fn the_code_list_holds_every_variants_code() {
        let every = [
            DexError::Empty,
            DexError::TooLarge { size: 2, limit: 1 },
            DexError::TooManySegments { limit: 1 },
            DexError::NotText { offset: 0, byte: 0 },
            DexError::Truncated { missing: "DXE" },
            DexError::MissingCrc,
            DexError::CrcMismatch {
                expected: 1,
                computed: 2,
            },
            DexError::malformed(1, "x"),
        ];
        let codes: Vec<_> = every.iter().map(DexError::code).collect();
        assert_eq!(codes, DexError::CODES);
    }
}
