//! Integrity: the CRC over CRLF, changed counters, truncation, files without G85, malformed counters, unusable input.

use vendhub_domain::dex::{DexError, DexWarning, MAX_REPORT_BYTES, parse};

use super::{own_file, parse_own};

#[test]
fn a_file_whose_crs_were_stripped_verifies_over_crlf() {
    let r = parse_own("water_d_lf_only.dex");
    assert_eq!(r.warnings, [DexWarning::LineEndsNormalised]);
    assert_eq!(r.product("1").unwrap().sales.unwrap().count_since_init, Some(300));
}

#[test]
fn a_changed_counter_fails_the_crc() {
    let err = parse(&own_file("snack_a_bad_crc.dex")).unwrap_err();
    let DexError::CrcMismatch { expected, computed } = err else {
        panic!("{err:?}");
    };
    let good = parse_own("snack_a_first.dex");
    assert_eq!(expected, good.crc, "the G85 was left as it was");
    assert_ne!(computed, expected);
}

#[test]
fn a_read_cut_off_inside_a_product_group_is_truncated() {
    assert_eq!(
        parse(&own_file("snack_a_truncated.dex")).unwrap_err(),
        DexError::Truncated { missing: "G85" }
    );
}

#[test]
fn a_complete_file_without_g85_is_unverifiable() {
    assert_eq!(
        parse(&own_file("coffee_b_no_g85.dex")).unwrap_err(),
        DexError::MissingCrc
    );
}

#[test]
fn a_counter_that_is_not_a_number_is_malformed_even_with_a_good_crc() {
    let err = parse(&own_file("coffee_b_bad_number.dex")).unwrap_err();
    assert_eq!(
        err,
        DexError::Malformed {
            line: 5,
            reason: "PA201 is not a whole number: \"3l0\"".into()
        }
    );
}

#[test]
fn binary_huge_and_empty_input_get_clear_answers() {
    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR";
    assert_eq!(
        parse(png).unwrap_err(),
        DexError::NotText {
            offset: 6,
            byte: 0x1A
        }
    );
    let huge = "PA2*1*1\r\n".repeat(MAX_REPORT_BYTES / 8);
    assert_eq!(
        parse(huge.as_bytes()).unwrap_err(),
        DexError::TooLarge {
            size: huge.len(),
            limit: MAX_REPORT_BYTES
        }
    );
    assert_eq!(parse(b"").unwrap_err(), DexError::Empty);
    assert!(parse(b"hello, world").unwrap_err().to_string().contains("no DXS"));
}
