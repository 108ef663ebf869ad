//! The DEX parser against files the team wrote (`tests/dex_files/`) and real machine output
//! (`tests/fixtures/dex/`, copied in with their MIT notice; a missing file fails the test).

use std::path::PathBuf;

use chrono::NaiveDate;
use vendhub_domain::dex::crc::crc16;
use vendhub_domain::dex::{Amount, DexError, DexReport, DexWarning, MAX_REPORT_BYTES, RawSegment, parse};

fn own_file(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/dex_files")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn parse_own(name: &str) -> DexReport {
    parse(&own_file(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

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

fn money(raw: u64, minor: i64) -> Amount {
    Amount { raw, minor }
}

fn ids(segments: &[RawSegment]) -> Vec<&str> {
    segments.iter().map(|s| s.id.as_str()).collect()
}

// --- files written by the team ---

#[test]
fn a_complete_snack_machine_audit_reads_every_typed_segment() {
    let r = parse_own("snack_a_first.dex");
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert_eq!(r.segment_count, 26);
    let machine = r.machine.as_ref().unwrap();
    assert_eq!(machine.serial.as_deref(), Some("VH0000000101"));
    assert_eq!(machine.model.as_deref(), Some("SNACK-900"));
    assert_eq!(machine.location.as_deref(), Some("TASHKENT-CHILONZOR"));
    assert_eq!(machine.asset.as_deref(), Some("VH-0101"));
    assert_eq!(r.currency.decimals, 0);
    assert_eq!(r.currency.alpha_code.as_deref(), Some("UZS"));

    // Whole so'm in the file, tiyin in minor units.
    let paid = r.paid_vends.unwrap();
    assert_eq!(paid.value_since_init, Some(money(2_530_000, 253_000_000)));
    assert_eq!(paid.count_since_init, Some(270));
    assert_eq!(paid.count_since_reset, Some(38));
    assert_eq!(r.cash_vends.unwrap().value_since_init.unwrap().raw, 1_530_000);
    assert_eq!(r.cashless1.unwrap().count_since_init, Some(80));
    assert_eq!(r.cashless2.unwrap().value_since_reset.unwrap().raw, 30_000);
    assert_eq!(r.cash_in.unwrap().to_cash_box_since_init.unwrap().raw, 1_700_000);
    assert_eq!(r.cash_out.unwrap().dispensed_since_init.unwrap().raw, 170_000);

    assert_eq!(r.products.len(), 5);
    let a1 = r.product("A1").unwrap();
    assert_eq!(a1.name.as_deref(), Some("SNICKERS 50G"));
    assert_eq!(a1.price, Some(money(12_000, 1_200_000)));
    let sales = a1.sales.unwrap();
    assert_eq!(sales.count_since_init, Some(120));
    assert_eq!(sales.value_since_init, Some(money(1_440_000, 144_000_000)));

    assert_eq!(r.events.len(), 1);
    assert_eq!(r.events[0].code, "EGS");
    assert_eq!(r.events[0].date, NaiveDate::from_ymd_opt(2026, 3, 9));
    assert_eq!(r.event_counts[0].since_init, Some(41));
    let reads = r.reads.as_ref().unwrap();
    assert_eq!(reads.reads_with_reset, Some(10));
    assert_eq!(reads.last_read_date, NaiveDate::from_ymd_opt(2026, 3, 3));
    assert_eq!(ids(&r.other), ["ID5", "DA1"]);
}

#[test]
fn missing_segments_leave_gaps_not_errors() {
    let r = parse_own("coffee_b_minimal.dex");
    assert_eq!(r.currency.decimals, 2, "no ID4: two decimals");
    assert!(r.paid_vends.is_none() && r.cash_vends.is_none() && r.cashless1.is_none());
    assert!(r.reads.is_none());
    assert_eq!(r.products.len(), 3);
    assert_eq!(r.product("2").unwrap().price, Some(money(200, 200)));
    assert!(r.product("3").unwrap().sales.is_none());
    assert_eq!(
        r.warnings,
        [DexWarning::IncompleteCounters {
            line: 8,
            selection: "3".into()
        }]
    );
}

#[test]
fn vendor_segments_preamble_padding_and_a_wrong_se_count_are_tolerated() {
    let r = parse_own("combo_c_vendor.dex");
    assert_eq!(r.transmission.version.as_deref(), Some("V1/1"));
    assert_eq!(r.machine.as_ref().unwrap().model.as_deref(), Some("COMBO 5000"));
    assert_eq!(r.currency.alpha_code.as_deref(), Some("USD"));
    assert_eq!(r.cash_vends.unwrap().value_since_reset, None);

    let water = r.product("10").unwrap();
    assert_eq!(water.name.as_deref(), Some("WATER 0.5L"));
    assert_eq!(ids(&water.details), ["PA3", "PA7"]);
    let unnamed = r.product("12").unwrap();
    assert_eq!((unnamed.price, unnamed.name.as_deref()), (None, None));
    assert_eq!(unnamed.sales.unwrap().count_since_init, Some(15));
    assert_eq!(ids(&r.other), ["MA5", "LA1", "ZZ9", "SA2"]);
    assert_eq!(r.other_segments("ZZ9").next().unwrap().elements[2], "DATA");

    assert_eq!(r.events.len(), 2);
    assert_eq!(r.events[0].date, None);
    assert_eq!(
        r.reads.as_ref().unwrap().this_read_date,
        NaiveDate::from_ymd_opt(2026, 3, 12)
    );
    assert_eq!(
        r.warnings,
        [
            DexWarning::PreambleSkipped { lines: 1 },
            DexWarning::SegmentCountMismatch {
                declared: "99".into(),
                actual: 24
            },
            DexWarning::UnreadableValue {
                line: 21,
                element: "EA102".into(),
                value: "2026031".into()
            },
        ]
    );
}

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

// --- built in the test ---

/// A complete report around `body`, with a correct G85.
fn report(body: &[String]) -> Vec<u8> {
    let mut covered = String::from("ST*001*0001\r\n");
    for line in body {
        covered.push_str(line);
        covered.push_str("\r\n");
    }
    let crc = crc16(covered.as_bytes());
    format!(
        "DXS*TEST000001*VA*V0/6*1\r\n{covered}G85*{crc:04X}\r\nSE*{}*0001\r\nDXE*1*1\r\n",
        body.len() + 3
    )
    .into_bytes()
}

#[test]
fn repeats_duplicates_and_stray_product_segments_are_warnings() {
    let body = [
        "VA1*100*1",
        "PA2*5*500",
        "PA1*1*100*TEA",
        "PA2*1*100",
        "PA2*9*900",
        "PA1*1*120*TEA AGAIN",
        "PA2*7*700",
        "VA1*999*9",
    ]
    .map(String::from);
    let r = parse(&report(&body)).unwrap();
    assert_eq!(r.paid_vends.unwrap().count_since_init, Some(1), "first VA1 wins");
    assert_eq!(r.products.len(), 1);
    assert_eq!(r.products[0].sales.unwrap().count_since_init, Some(1));
    assert_eq!(
        r.warnings,
        [
            DexWarning::OrphanProductSegment {
                line: 4,
                id: "PA2".into()
            },
            DexWarning::Repeated {
                line: 7,
                id: "PA2".into()
            },
            DexWarning::DuplicateSelection {
                line: 8,
                selection: "1".into()
            },
            DexWarning::Repeated {
                line: 10,
                id: "VA1".into()
            },
        ]
    );
}

#[test]
fn amounts_follow_id4_decimals_and_refuse_lost_precision() {
    let with = |id4: &str| {
        parse(&report(&[id4.to_owned(), "PA1*1*1250*X".to_owned()]))
            .map(|r| r.products[0].price.unwrap().minor)
    };
    assert_eq!(with("ID4*0*1860*UZS"), Ok(125_000));
    assert_eq!(with("ID4*1"), Ok(12_500));
    assert_eq!(with("ID4*2"), Ok(1_250));
    assert_eq!(with("ID4*3"), Ok(125));
    assert!(matches!(with("ID4*4"), Err(DexError::Malformed { line: 4, .. })));
    assert!(matches!(with("ID4*12"), Err(DexError::Malformed { line: 3, .. })));
}

#[test]
fn a_large_file_within_the_limits_parses_quickly() {
    let body: Vec<String> = (0..9_000)
        .flat_map(|i| [format!("PA1*{i}*100*PRODUCT {i}"), format!("PA2*{i}*{}", i * 100)])
        .collect();
    let started = std::time::Instant::now();
    let r = parse(&report(&body)).unwrap();
    assert_eq!(r.products.len(), 9_000);
    assert!(started.elapsed().as_secs() < 5, "took {:?}", started.elapsed());
}
