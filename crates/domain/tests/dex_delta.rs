//! Sales since the previous audit, over the team's three audits of snack machine A and hand-made
//! counters for the edge cases.

use std::path::PathBuf;

use vendhub_domain::dex::{
    AuditCounters, CashSource, Counter, CounterDelta, DeltaBasis, DeltaWarning, ExpectedCash, SelectionSales,
    parse, sales_since,
};

fn counters(name: &str) -> AuditCounters {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/dex_files")
        .join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}")).counters()
}

fn sold(selection: &str, quantity: u64, value: i64, basis: DeltaBasis) -> SelectionSales {
    SelectionSales {
        selection: selection.into(),
        quantity,
        value,
        basis,
    }
}

fn counter(count: u64, value: i64) -> Counter {
    Counter { count, value }
}

#[test]
fn a_machines_first_audit_is_only_a_baseline() {
    let delta = sales_since(None, &counters("snack_a_first.dex"));
    assert!(delta.baseline_only);
    assert!(delta.selections.is_empty() && delta.expected_cash.is_none());
}

#[test]
fn the_next_audit_yields_sales_per_selection_and_expected_cash() {
    let first = counters("snack_a_first.dex");
    let second = counters("snack_a_second.dex");
    let delta = sales_since(Some(&first), &second);
    assert!(!delta.baseline_only);
    // Values in tiyin: the machine counts whole so'm.
    assert_eq!(
        delta.selections,
        [
            sold("A1", 5, 6_000_000, DeltaBasis::SincePrevious),
            sold("A3", 2, 3_000_000, DeltaBasis::SincePrevious),
            sold("C1", 3, 2_100_000, DeltaBasis::NewSelection),
        ]
    );
    assert_eq!(
        delta.paid,
        Some(CounterDelta {
            count: 10,
            value: 11_100_000,
            basis: DeltaBasis::SincePrevious
        })
    );
    assert_eq!(delta.cashless1.unwrap().value, 3_800_000);
    assert_eq!(delta.cashless2.unwrap().count, 0);
    assert_eq!(
        delta.expected_cash,
        Some(ExpectedCash {
            value: 7_300_000,
            source: CashSource::CashVends
        })
    );
    assert_eq!(
        delta.warnings,
        [
            DeltaWarning::NewSelection {
                selection: "C1".into()
            },
            DeltaWarning::SelectionRemoved {
                selection: "B1".into()
            },
        ]
    );
    let line_total: i64 = delta.selections.iter().map(|s| s.value).sum();
    assert_eq!(line_total, delta.paid.unwrap().value, "products agree with VA1");
}

#[test]
fn after_re_initialisation_only_sales_since_then_are_counted() {
    let second = counters("snack_a_second.dex");
    let reinit = counters("snack_a_reinit.dex");
    let delta = sales_since(Some(&second), &reinit);
    assert_eq!(
        delta.warnings,
        [DeltaWarning::Reinitialised {
            previous: 11,
            current: 1
        }]
    );
    assert_eq!(
        delta.selections,
        [
            sold("A1", 4, 4_800_000, DeltaBasis::SinceReset),
            sold("A2", 2, 1_000_000, DeltaBasis::SinceReset),
            sold("C1", 1, 700_000, DeltaBasis::SinceReset),
        ]
    );
    assert_eq!(delta.expected_cash.unwrap().value, 6_500_000);
}

#[test]
fn a_lost_read_loses_no_sales_and_is_reported() {
    let first = counters("snack_a_first.dex");
    let mut third = counters("snack_a_second.dex");
    // The read in between (EA301 = 11) never arrived.
    third.reads_with_reset = Some(12);
    let delta = sales_since(Some(&first), &third);
    assert_eq!(delta.warnings[0], DeltaWarning::ReadsMissed { missed: 1 });
    assert_eq!(delta.paid.unwrap().count, 10);
}

#[test]
fn a_counter_that_fell_counts_from_its_reset_with_a_warning() {
    let previous = AuditCounters {
        selections: [("1".into(), counter(50, 5000)), ("2".into(), counter(7, 700))].into(),
        ..AuditCounters::default()
    };
    let current = AuditCounters {
        selections: [("1".into(), counter(3, 300)), ("2".into(), counter(9, 900))].into(),
        ..AuditCounters::default()
    };
    let delta = sales_since(Some(&previous), &current);
    assert_eq!(
        delta.selections,
        [
            sold("1", 3, 300, DeltaBasis::SinceReset),
            sold("2", 2, 200, DeltaBasis::SincePrevious),
        ]
    );
    assert_eq!(
        delta.warnings,
        [DeltaWarning::CounterReset {
            what: "selection 1".into(),
            previous: counter(50, 5000),
            current: counter(3, 300),
        }]
    );
}

#[test]
fn without_ca2_expected_cash_is_paid_less_cashless() {
    let previous = AuditCounters {
        paid: Some(counter(10, 1000)),
        cashless1: Some(counter(4, 400)),
        ..AuditCounters::default()
    };
    let current = AuditCounters {
        paid: Some(counter(15, 1600)),
        cashless1: Some(counter(6, 650)),
        ..AuditCounters::default()
    };
    assert_eq!(
        sales_since(Some(&previous), &current).expected_cash,
        Some(ExpectedCash {
            value: 350,
            source: CashSource::PaidLessCashless
        })
    );
    // A cashless device that appears in only one audit makes the figure unknown.
    let added_device = AuditCounters {
        cashless2: Some(counter(1, 100)),
        ..current
    };
    assert_eq!(sales_since(Some(&previous), &added_device).expected_cash, None);
}

#[test]
fn counters_round_trip_through_json_as_the_stored_baseline() {
    let first = counters("snack_a_first.dex");
    let json = serde_json::to_string(&first).unwrap();
    let back: AuditCounters = serde_json::from_str(&json).unwrap();
    assert_eq!(back, first);
    assert_eq!(first.selections["A1"], counter(120, 144_000_000));
    assert_eq!(first.reads_with_reset, Some(10));
}
