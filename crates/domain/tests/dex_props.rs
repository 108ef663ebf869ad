//! Properties of the DEX parser and the sales delta: no input makes them panic, no damaged or
//! incomplete read passes for a whole one, and counters written are counters read.

use std::collections::BTreeMap;

use proptest::prelude::*;
use vendhub_domain::dex::crc::crc16;
use vendhub_domain::dex::{AuditCounters, Counter, DeltaBasis, DexError, parse, sales_since};

const VALID: &[u8] = include_bytes!("dex_files/snack_a_first.dex");

fn find(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap_or_else(|| panic!("{needle:?} is not in the file"))
}

/// A complete report around `body`, with a correct G85.
fn report(body: &[String]) -> Vec<u8> {
    let mut covered = String::from("ST*001*0001\r\n");
    for line in body {
        covered.push_str(line);
        covered.push_str("\r\n");
    }
    let crc = crc16(covered.as_bytes());
    format!(
        "DXS*PROP000001*VA*V0/6*1\r\n{covered}G85*{crc:04X}\r\nSE*{}*0001\r\nDXE*1*1\r\n",
        body.len() + 3
    )
    .into_bytes()
}

#[derive(Debug, Clone)]
enum Mutation {
    Replace(usize, u8),
    Delete(usize, usize),
    Insert(usize, Vec<u8>),
    Truncate(usize),
    DuplicateRange(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Mutation::Replace(at, b)),
        (any::<usize>(), 0usize..64).prop_map(|(at, n)| Mutation::Delete(at, n)),
        (
            any::<usize>(),
            prop::collection::vec(
                prop_oneof![Just(b'*'), Just(b'\r'), Just(b'\n'), any::<u8>()],
                0..16
            )
        )
            .prop_map(|(at, bytes)| Mutation::Insert(at, bytes)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), 0usize..200).prop_map(|(at, n)| Mutation::DuplicateRange(at, n)),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let len = bytes.len();
    let at = |i: usize| if len == 0 { 0 } else { i % (len + 1) };
    match m {
        Mutation::Replace(i, b) => {
            if len > 0 {
                bytes[i % len] = *b;
            }
        }
        Mutation::Delete(i, n) => {
            let start = at(*i);
            let end = (start + n).min(len);
            bytes.drain(start..end);
        }
        Mutation::Insert(i, new) => {
            let start = at(*i);
            bytes.splice(start..start, new.iter().copied());
        }
        Mutation::Truncate(i) => bytes.truncate(at(*i)),
        Mutation::DuplicateRange(i, n) => {
            let start = at(*i);
            let end = (start + n).min(len);
            let copy = bytes[start..end].to_vec();
            bytes.splice(end..end, copy);
        }
    }
}

/// Lines made of DEX-looking pieces, so the parser gets past its first checks.
fn dexish_line() -> impl Strategy<Value = String> {
    let id = prop::sample::select(vec![
        "DXS", "ST", "G85", "SE", "DXE", "ID1", "ID4", "VA1", "CA2", "CA3", "CA4", "DA2", "DB2", "PA1",
        "PA2", "PA3", "EA1", "EA2", "EA3", "ZZ9", "",
    ]);
    let element = "[0-9A-F]{0,6}|[ -~]{0,4}";
    (id, prop::collection::vec(element, 0..8))
        .prop_map(|(id, elements)| format!("{id}*{}", elements.join("*")))
}

proptest! {
    #[test]
    fn any_bytes_get_an_answer_not_a_panic(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        let _ = parse(&bytes);
    }

    #[test]
    fn any_dex_looking_text_gets_an_answer_not_a_panic(
        lines in prop::collection::vec(dexish_line(), 0..60),
        lf_only in any::<bool>(),
    ) {
        let eol = if lf_only { "\n" } else { "\r\n" };
        let _ = parse(lines.join(eol).as_bytes());
        // With a correct frame and G85 around them, the segments reach the typed readers too.
        let body: Vec<String> = lines
            .into_iter()
            .filter(|l| !["DXS*", "ST*", "G85*", "SE*", "DXE*"].iter().any(|p| l.starts_with(p)))
            .collect();
        if let Ok(r) = parse(&report(&body)) {
            let _ = sales_since(Some(&r.counters()), &r.counters());
        }
    }

    #[test]
    fn mutations_of_a_valid_file_never_panic(mutations in prop::collection::vec(mutation(), 1..5)) {
        let mut bytes = VALID.to_vec();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        if let Ok(r) = parse(&bytes) {
            let counters = r.counters();
            let _ = sales_since(Some(&counters), &counters);
        }
    }

    #[test]
    fn written_counters_are_read_back_and_their_increase_is_the_sales(
        products in prop::collection::btree_map("[A-F][1-9]", (0u64..10_000, 0u32..1_000_000, 0u64..50, 0u32..5_000), 1..20),
    ) {
        let mut before = Vec::new();
        let mut after = Vec::new();
        for (selection, (count, value, sold, sold_value)) in &products {
            before.push(format!("PA1*{selection}*100*ITEM {selection}"));
            before.push(format!("PA2*{count}*{value}"));
            after.push(format!("PA1*{selection}*100*ITEM {selection}"));
            after.push(format!("PA2*{}*{}", count + sold, u64::from(*value) + u64::from(*sold_value)));
        }
        let previous = parse(&report(&before)).unwrap().counters();
        let current = parse(&report(&after)).unwrap().counters();
        let expected: BTreeMap<String, Counter> = products
            .iter()
            .map(|(s, (c, v, _, _))| (s.clone(), Counter { count: *c, value: i64::from(*v) }))
            .collect();
        prop_assert_eq!(&previous.selections, &expected);

        let delta = sales_since(Some(&previous), &current);
        prop_assert!(delta.warnings.is_empty());
        for (selection, (_, _, sold, sold_value)) in &products {
            let line = delta.selections.iter().find(|l| &l.selection == selection);
            if *sold == 0 && *sold_value == 0 {
                prop_assert!(line.is_none());
            } else {
                let line = line.unwrap();
                prop_assert_eq!(line.quantity, *sold);
                prop_assert_eq!(line.value, i64::from(*sold_value));
                prop_assert_eq!(line.basis, DeltaBasis::SincePrevious);
            }
        }
    }

    #[test]
    fn the_delta_never_counts_more_than_the_current_counters(
        previous in counters(),
        current in counters(),
    ) {
        let delta = sales_since(Some(&previous), &current);
        for line in &delta.selections {
            let now = current.selections[&line.selection];
            prop_assert!(line.quantity <= now.count);
            prop_assert!(line.value <= now.value);
            prop_assert!(line.value >= 0);
        }
    }
}

fn counters() -> impl Strategy<Value = AuditCounters> {
    let counter = (0u64..1_000, 0i64..100_000).prop_map(|(count, value)| Counter { count, value });
    (
        prop::collection::btree_map("[1-6]", counter.clone(), 0..6),
        proptest::option::of(counter.clone()),
        proptest::option::of(counter),
        proptest::option::of(0u64..20),
    )
        .prop_map(|(selections, paid, cash, reads)| AuditCounters {
            selections,
            paid,
            cash,
            reads_with_reset: reads,
            ..AuditCounters::default()
        })
}

#[test]
fn every_byte_changed_inside_the_checked_range_is_caught() {
    let st = find(VALID, b"\r\nST*") + 2;
    let g85 = find(VALID, b"\r\nG85*") + 2;
    for at in st..g85 {
        for b in [b'0', b'7', b'A', b'*', b' ', b'\n', b'\r'] {
            if VALID[at] == b {
                continue;
            }
            let mut bytes = VALID.to_vec();
            bytes[at] = b;
            let result = parse(&bytes);
            assert!(result.is_err(), "byte {at} set to {b:#04x} was accepted");
        }
    }
}

#[test]
fn every_cut_before_dxe_is_refused() {
    let dxe = find(VALID, b"\r\nDXE*") + 2;
    for cut in 0..dxe + 3 {
        let err = parse(&VALID[..cut]).unwrap_err();
        assert!(
            matches!(
                err,
                DexError::Truncated { .. } | DexError::Empty | DexError::Malformed { .. }
            ),
            "cut at {cut}: {err:?}"
        );
    }
    assert!(parse(&VALID[..dxe + 3]).is_ok(), "DXE's id is enough");
}
