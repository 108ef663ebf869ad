//! The frame around an audit: limits, text check, line splitting, DXS/ST…G85/SE/DXE, and the G85 check.
//!
//! Rules, in the order they are applied:
//! - at most [`MAX_REPORT_BYTES`] bytes and [`MAX_SEGMENTS`] lines; no control bytes but CR, LF, TAB;
//!   UTF-8, or else read as Latin-1 (with a warning).
//! - lines before `DXS` are a vendor preamble (Sielaff writes `MC5*…`): skipped with a warning.
//! - `ST` follows `DXS`; then `G85`, `SE`, `DXE` must all be there, or the read was interrupted and
//!   the file is refused as [`DexError::Truncated`]. `SE` must follow `G85` directly, so that nothing
//!   read is left outside the check.
//! - `G85` is CRC-16/ARC over the bytes from the start of `ST` to the start of `G85` as received. If
//!   that fails and the range holds bare LFs, it is retried as if they were CRLF (a transfer tool
//!   may have stripped the CRs the machine computed over); a match then is accepted with a warning.
//! - `SE`'s segment count and control number are checked, but a disagreement is only a warning:
//!   real machines get the count wrong (Rheavendors says 349 for 369).

use std::borrow::Cow;

use super::crc::{crc16, crc16_crlf};
use super::error::{DexError, DexWarning};
use super::segment::{Segment, shorten};

/// The largest DEX file read: real audits are a few kilobytes.
pub const MAX_REPORT_BYTES: usize = 1024 * 1024;
/// The most lines a DEX file may have.
pub const MAX_SEGMENTS: usize = 20_000;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// A verified audit's segments, before their meaning is read.
#[derive(Debug)]
pub(crate) struct Frame<'a> {
    pub dxs: Segment<'a>,
    /// The segments strictly between ST and G85.
    pub body: Vec<Segment<'a>>,
    pub crc: u16,
    /// Segments from ST to SE inclusive, as actually sent.
    pub segment_count: usize,
    pub warnings: Vec<DexWarning>,
}

pub(crate) fn frame(input: &[u8]) -> Result<Frame<'_>, DexError> {
    if input.len() > MAX_REPORT_BYTES {
        return Err(DexError::TooLarge {
            size: input.len(),
            limit: MAX_REPORT_BYTES,
        });
    }
    if input.iter().all(u8::is_ascii_whitespace) {
        return Err(DexError::Empty);
    }
    if let Some(offset) = input
        .iter()
        .position(|&b| (b < 0x20 && !matches!(b, b'\r' | b'\n' | b'\t')) || b == 0x7F)
    {
        return Err(DexError::NotText {
            offset,
            byte: input[offset],
        });
    }
    let mut warnings = Vec::new();
    let utf8 = std::str::from_utf8(input).is_ok();
    if !utf8 {
        warnings.push(DexWarning::NotUtf8);
    }
    let segments = split_lines(input, utf8)?;
    locate(input, segments, warnings)
}

/// Non-blank lines as segments, line ends (LF or CRLF) removed.
fn split_lines(input: &[u8], utf8: bool) -> Result<Vec<Segment<'_>>, DexError> {
    let mut segments = Vec::new();
    let mut start = if input.starts_with(UTF8_BOM) {
        UTF8_BOM.len()
    } else {
        0
    };
    let mut line = 0;
    while start <= input.len() {
        line += 1;
        let rest = &input[start..];
        let len = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        let raw = &rest[..len];
        let content = raw.strip_suffix(b"\r").unwrap_or(raw);
        if !content.iter().all(u8::is_ascii_whitespace) {
            if segments.len() == MAX_SEGMENTS {
                return Err(DexError::TooManySegments { limit: MAX_SEGMENTS });
            }
            segments.push(Segment {
                line,
                start,
                text: decode(content, utf8),
            });
        }
        start += len + 1;
    }
    Ok(segments)
}

fn decode(bytes: &[u8], utf8: bool) -> Cow<'_, str> {
    if utf8 {
        // The whole input is UTF-8 and lines split at an ASCII byte, so this always borrows.
        String::from_utf8_lossy(bytes)
    } else {
        Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect())
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Body,
    AfterG85,
    AfterSe,
    AfterDxe,
}

fn locate<'a>(
    input: &'a [u8],
    segments: Vec<Segment<'a>>,
    mut warnings: Vec<DexWarning>,
) -> Result<Frame<'a>, DexError> {
    let first_line = segments.first().map_or(1, |s| s.line);
    let Some(dxs_index) = segments.iter().position(|s| s.id() == "DXS") else {
        return Err(DexError::malformed(
            first_line,
            "no DXS segment: this is not a DEX/EVA-DTS audit",
        ));
    };
    if dxs_index > 0 {
        warnings.push(DexWarning::PreambleSkipped { lines: dxs_index });
    }
    let mut rest = segments.into_iter().skip(dxs_index);
    let Some(dxs) = rest.next() else {
        return Err(DexError::Truncated { missing: "DXS" });
    };
    let Some(st) = rest.next() else {
        return Err(DexError::Truncated { missing: "ST" });
    };
    if st.id() != "ST" {
        return Err(DexError::malformed(
            st.line,
            format!("expected ST after DXS, found {:?}", shorten(st.id())),
        ));
    }

    let mut body = Vec::new();
    let mut g85: Option<Segment<'a>> = None;
    let mut se: Option<Segment<'a>> = None;
    let mut dxe_seen = false;
    let mut phase = Phase::Body;
    for segment in rest {
        let id = segment.id();
        match phase {
            Phase::Body => match id {
                "G85" => {
                    g85 = Some(segment);
                    phase = Phase::AfterG85;
                }
                "SE" => {
                    se = Some(segment);
                    phase = Phase::AfterSe;
                }
                "DXS" | "ST" | "DXE" => {
                    return Err(DexError::malformed(
                        segment.line,
                        format!("{id} inside the transaction set, before G85 and SE"),
                    ));
                }
                _ => body.push(segment),
            },
            Phase::AfterG85 => {
                if id != "SE" {
                    return Err(DexError::malformed(
                        segment.line,
                        format!("{:?} after G85: only SE may follow the check value", shorten(id)),
                    ));
                }
                se = Some(segment);
                phase = Phase::AfterSe;
            }
            Phase::AfterSe | Phase::AfterDxe => {
                if phase == Phase::AfterSe && id == "DXE" {
                    dxe_seen = true;
                    phase = Phase::AfterDxe;
                } else {
                    warnings.push(DexWarning::OutsideTransaction {
                        line: segment.line,
                        id: shorten(id).to_owned(),
                    });
                }
            }
        }
    }

    let Some(g85) = g85 else {
        return Err(if se.is_some() && dxe_seen {
            DexError::MissingCrc
        } else {
            DexError::Truncated { missing: "G85" }
        });
    };
    let Some(se) = se else {
        return Err(DexError::Truncated { missing: "SE" });
    };
    if !dxe_seen {
        return Err(DexError::Truncated { missing: "DXE" });
    }

    let crc = verify_crc(input, &st, &g85, &mut warnings)?;
    let segment_count = body.len() + 3;
    check_trailer(&st, &se, segment_count, &mut warnings);
    Ok(Frame {
        dxs,
        body,
        crc,
        segment_count,
        warnings,
    })
}

fn verify_crc(
    input: &[u8],
    st: &Segment<'_>,
    g85: &Segment<'_>,
    warnings: &mut Vec<DexWarning>,
) -> Result<u16, DexError> {
    let value = g85.element(1).trim();
    let expected = (value.len() == 4 && value.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| u16::from_str_radix(value, 16).ok())
        .flatten()
        .ok_or_else(|| {
            DexError::malformed(
                g85.line,
                format!("G85 check value {:?} is not 4 hex digits", shorten(value)),
            )
        })?;
    let covered = input.get(st.start..g85.start).unwrap_or_default();
    let computed = crc16(covered);
    if computed == expected {
        return Ok(expected);
    }
    let has_bare_lf = covered
        .iter()
        .enumerate()
        .any(|(i, &b)| b == b'\n' && (i == 0 || covered[i - 1] != b'\r'));
    if has_bare_lf && crc16_crlf(covered) == expected {
        warnings.push(DexWarning::LineEndsNormalised);
        return Ok(expected);
    }
    Err(DexError::CrcMismatch { expected, computed })
}

fn check_trailer(st: &Segment<'_>, se: &Segment<'_>, actual: usize, warnings: &mut Vec<DexWarning>) {
    let declared = se.element(1).trim();
    if declared.parse::<usize>().ok() != Some(actual) {
        warnings.push(DexWarning::SegmentCountMismatch {
            declared: shorten(declared).to_owned(),
            actual,
        });
    }
    let opened = st.element(2).trim();
    let closed = se.element(2).trim();
    if opened != closed {
        warnings.push(DexWarning::ControlNumberMismatch {
            st: shorten(opened).to_owned(),
            se: shorten(closed).to_owned(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A framed report around `body` lines, with a correct G85.
    fn report_bytes(body: &[&[u8]]) -> Vec<u8> {
        let mut covered = b"ST*001*0001\r\n".to_vec();
        for line in body {
            covered.extend_from_slice(line);
            covered.extend_from_slice(b"\r\n");
        }
        let crc = crc16(&covered);
        let mut out = b"DXS*TEST0000001*VA*V0/6*1\r\n".to_vec();
        out.extend_from_slice(&covered);
        out.extend_from_slice(
            format!("G85*{crc:04X}\r\nSE*{}*0001\r\nDXE*1*1\r\n", body.len() + 3).as_bytes(),
        );
        out
    }

    fn report(body: &[&str]) -> Vec<u8> {
        let body: Vec<&[u8]> = body.iter().map(|line| line.as_bytes()).collect();
        report_bytes(&body)
    }

    #[test]
    fn a_whole_report_frames_without_warnings() {
        let input = report(&["ID1*123", "PA1*1*100"]);
        let frame = frame(&input).unwrap();
        assert_eq!(frame.body.len(), 2);
        assert_eq!(frame.segment_count, 5);
        assert!(frame.warnings.is_empty(), "{:?}", frame.warnings);
        assert_eq!(frame.body[1].line, 4);
    }

    #[test]
    fn limits_and_binary_input_are_refused_first() {
        assert_eq!(frame(b"").unwrap_err(), DexError::Empty);
        assert_eq!(frame(b" \r\n\r\n").unwrap_err(), DexError::Empty);
        assert_eq!(
            frame(b"DXS*\x00").unwrap_err(),
            DexError::NotText { offset: 4, byte: 0 }
        );
        let huge = vec![b'A'; MAX_REPORT_BYTES + 1];
        assert!(matches!(frame(&huge), Err(DexError::TooLarge { .. })));
        let many = "X\n".repeat(MAX_SEGMENTS + 1);
        assert!(matches!(
            frame(many.as_bytes()),
            Err(DexError::TooManySegments { .. })
        ));
    }

    #[test]
    fn every_missing_trailer_is_a_truncation() {
        let whole = String::from_utf8(report(&["ID1*1"])).unwrap();
        let cut = |marker: &str| whole[..whole.find(marker).unwrap()].to_owned();
        assert_eq!(
            frame(cut("ST").as_bytes()).unwrap_err(),
            DexError::Truncated { missing: "ST" }
        );
        assert_eq!(
            frame(cut("G85").as_bytes()).unwrap_err(),
            DexError::Truncated { missing: "G85" }
        );
        assert_eq!(
            frame(cut("SE").as_bytes()).unwrap_err(),
            DexError::Truncated { missing: "SE" }
        );
        assert_eq!(
            frame(cut("DXE").as_bytes()).unwrap_err(),
            DexError::Truncated { missing: "DXE" }
        );
    }

    #[test]
    fn a_whole_report_without_g85_cannot_be_verified() {
        let input = b"DXS*1\r\nST*001*0001\r\nID1*1\r\nSE*3*0001\r\nDXE*1*1\r\n";
        assert_eq!(frame(input).unwrap_err(), DexError::MissingCrc);
    }

    #[test]
    fn nothing_may_hide_between_g85_and_se() {
        let input = String::from_utf8(report(&["ID1*1"]))
            .unwrap()
            .replace("\r\nSE*", "\r\nPA1*9*0\r\nSE*");
        assert!(matches!(
            frame(input.as_bytes()),
            Err(DexError::Malformed { line: 5, .. })
        ));
    }

    #[test]
    fn lf_only_files_verify_over_their_crlf_form() {
        let input = String::from_utf8(report(&["ID1*1"]))
            .unwrap()
            .replace("\r\n", "\n");
        let frame = frame(input.as_bytes()).unwrap();
        assert_eq!(frame.warnings, vec![DexWarning::LineEndsNormalised]);
    }

    #[test]
    fn a_changed_byte_fails_the_check() {
        let input = String::from_utf8(report(&["PA2*10*1000"]))
            .unwrap()
            .replace("PA2*10", "PA2*19");
        assert!(matches!(
            frame(input.as_bytes()),
            Err(DexError::CrcMismatch { .. })
        ));
    }

    #[test]
    fn a_bad_check_value_is_malformed() {
        let input = String::from_utf8(report(&[])).unwrap();
        let at = input.find("G85*").unwrap() + 4;
        let bad = format!("{}XYZ{}", &input[..at], &input[at + 4..]);
        assert!(matches!(frame(bad.as_bytes()), Err(DexError::Malformed { .. })));
    }

    #[test]
    fn latin1_and_bom_are_tolerated() {
        let mut input = UTF8_BOM.to_vec();
        input.extend_from_slice(&report(&["PA1*1*100*CAF\u{c9}"]));
        assert!(frame(&input).unwrap().warnings.is_empty());
        let latin1 = report_bytes(&[b"PA1*1*100*CAF\xC9"]);
        let frame = frame(&latin1).unwrap();
        assert_eq!(frame.warnings, vec![DexWarning::NotUtf8]);
        assert_eq!(frame.body[0].text, "PA1*1*100*CAF\u{c9}");
    }
}
