//! Reading segments: a complete audit, gaps, tolerated oddities, warnings, amounts and a large file.

use chrono::NaiveDate;
use vendhub_domain::dex::crc::crc16;
use vendhub_domain::dex::{DexError, DexWarning, parse};

use super::{ids, money, parse_own};

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
