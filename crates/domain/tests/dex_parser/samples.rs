//! Real machines' files: the team's and the licensed samples, each with what it is known to hold.

use chrono::NaiveDate;
use std::path::PathBuf;
use vendhub_domain::dex::crc::crc16;
use vendhub_domain::dex::{DexError, DexWarning, parse};

use super::{ids, money, own_file};

/// The real samples in `tests/fixtures/dex/`, all four of them; a missing one fails the test.
const SAMPLES: [&str; 4] = [
    "animo.eva_dts",
    "animo2.eva_dts",
    "rhevendors.eva_dts",
    "sielaff.eva_dts",
];

fn sample(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/dex")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

#[test]
fn every_team_file_with_a_g85_holds_crc16_arc_over_st_to_g85() {
    for name in [
        "snack_a_first.dex",
        "snack_a_second.dex",
        "snack_a_reinit.dex",
        "coffee_b_minimal.dex",
        "coffee_b_bad_number.dex",
        "combo_c_vendor.dex",
    ] {
        let bytes = own_file(name);
        let text = String::from_utf8(bytes.clone()).unwrap();
        let st = text.find("\r\nST*").unwrap() + 2;
        let g85 = text.find("\r\nG85*").unwrap() + 2;
        let written = u16::from_str_radix(&text[g85 + 4..g85 + 8], 16).unwrap();
        assert_eq!(crc16(&bytes[st..g85]), written, "{name}");
    }
}

// --- real machine output ---

#[test]
fn every_real_sample_is_in_the_fixtures_with_its_licence() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dex");
    let found = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "eva_dts")
        })
        .count();
    assert!(found >= SAMPLES.len(), "{} holds {found} samples", dir.display());
    for name in SAMPLES {
        let bytes = sample(name);
        assert!(
            bytes.windows(2).any(|w| w == b"\r\n"),
            "{name} kept its CRLF line ends"
        );
    }
    let notice = std::fs::read_to_string(dir.join("README.md")).unwrap();
    assert!(notice.contains("MIT License") && notice.contains("PeanutPay"));
}

#[test]
fn animo_verifies_with_b9ae_and_lists_24_products() {
    let bytes = sample("animo.eva_dts");
    let r = parse(&bytes).unwrap();
    assert_eq!(r.crc, 0xB9AE);
    assert_eq!(r.segment_count, 117);
    assert!(
        r.warnings.is_empty(),
        "SE says 117 and that is right: {:?}",
        r.warnings
    );
    assert_eq!(r.products.len(), 24);
    assert_eq!(r.machine.as_ref().unwrap().serial.as_deref(), Some("ANIKraftver"));
    assert_eq!(r.currency.alpha_code.as_deref(), Some("EUR"));
    assert_eq!(
        r.paid_vends.unwrap().value_since_init,
        Some(money(816_100, 816_100))
    );
    let cappuccino = r.product("4").unwrap();
    assert_eq!(cappuccino.name.as_deref(), Some("CAPPUCCINO"));
    assert_eq!(cappuccino.sales.unwrap().count_since_init, Some(135));
    assert_eq!(ids(&cappuccino.details), ["PA3", "PA4"]);
    assert_eq!(r.product("10").unwrap().price, Some(money(0, 0)));
    for vendor in ["AM1", "SA2", "EA6"] {
        assert!(r.other_segments(vendor).next().is_some(), "{vendor} kept");
    }
}

#[test]
fn animo2_stops_inside_a_product_group_and_is_truncated() {
    let bytes = sample("animo2.eva_dts");
    assert_eq!(parse(&bytes).unwrap_err(), DexError::Truncated { missing: "G85" });
}

#[test]
fn rheavendors_verifies_with_f4d0_despite_its_wrong_se_count() {
    let bytes = sample("rhevendors.eva_dts");
    let r = parse(&bytes).unwrap();
    assert_eq!(r.crc, 0xF4D0);
    assert_eq!(
        r.warnings,
        [DexWarning::SegmentCountMismatch {
            declared: "349".into(),
            actual: 369
        }]
    );
    assert_eq!(r.products.len(), 18);
    assert_eq!(
        r.product("1").unwrap().name.as_deref(),
        Some("KAFFEE SCHWARZ BOHNE"),
        "trailing spaces trimmed"
    );
    let odd = r.product("18").unwrap();
    assert_eq!((odd.price, odd.name.as_deref()), (None, Some("USD")));
    assert_eq!(
        r.cash_vends.unwrap().value_since_init,
        Some(money(312_330, 312_330))
    );
    assert_eq!(r.cashless1.unwrap().count_since_init, Some(4156));
    assert_eq!(r.cashless2.unwrap().count_since_reset, Some(13));
    assert_eq!(r.cash_in.unwrap().in_since_init.unwrap().raw, 478_905);
    assert_eq!(r.events.len(), 22);
    assert_eq!(r.event_counts.len(), 20);
    let reads = r.reads.as_ref().unwrap();
    assert_eq!(reads.reads_with_reset, Some(2));
    assert_eq!(reads.this_read_date, NaiveDate::from_ymd_opt(2023, 11, 27));
    assert_eq!(r.other_segments("LA1").count(), 34);
    assert_eq!(
        r.product("5").unwrap().details.len(),
        11,
        "PA3, PA4, 8 × PA7, PA8"
    );
}

#[test]
fn sielaff_is_truncated_but_its_preamble_is_not_the_problem() {
    let bytes = sample("sielaff.eva_dts");
    assert_eq!(parse(&bytes).unwrap_err(), DexError::Truncated { missing: "G85" });

    // Completed with a trailer, the same bytes read whole: the MC5 banner before DXS, MA5/FA1,
    // empty elements and a 12-element VA1 are all tolerated.
    let st = bytes.windows(4).position(|w| w == b"ST*0").unwrap();
    let crc = crc16(&bytes[st..]);
    let mut whole = bytes.clone();
    whole.extend_from_slice(format!("G85*{crc:04X}\r\nSE*61*0001\r\nDXE*1*1\r\n").as_bytes());
    let r = parse(&whole).unwrap();
    assert_eq!(r.warnings[0], DexWarning::PreambleSkipped { lines: 1 });
    assert_eq!(r.transmission.version.as_deref(), Some("V1/1"));
    assert_eq!(r.paid_vends.unwrap().count_since_init, Some(1666));
    assert_eq!(r.cashless1.unwrap().value_since_init, Some(money(1900, 1900)));
    assert!(r.products.is_empty());
    assert_eq!(r.other_segments("DA5").next().unwrap().elements, vec![""; 8]);
}
