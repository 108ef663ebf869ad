//! Sales since the previous audit of a machine, from counters since initialisation, and the cash
//! a collection should find.
//!
//! Rules:
//! - The previous audit's [`AuditCounters`] are the baseline; a machine's first audit has none and
//!   yields no sales (`baseline_only`), only a baseline for the next one.
//! - A lost read (an upload that failed, was truncated or had a bad CRC, or a read taken by another
//!   device) loses nothing: since-initialisation counters keep counting, so the next good read's
//!   delta covers the lost one's period too. A refused file must never become the baseline. A gap
//!   in EA301 (reads with reset) is reported as [`DeltaWarning::ReadsMissed`].
//! - A counter that went down means the machine's memory was re-initialised (or the counter
//!   wrapped): what it shows now is what was sold since then, a lower bound. The same applies to
//!   every counter when EA301 went down. Both are warned about.
//! - A selection that is new since the previous audit counts all its sales; one that disappeared
//!   is warned about and counts none.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::report::{DexReport, VendTotals};

/// Number and value (minor units) of vends since initialisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Counter {
    pub count: u64,
    pub value: i64,
}

/// What an audit's counters were: kept with the audit as the baseline for the next one.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AuditCounters {
    /// PA2 since initialisation, by selection (PA101).
    pub selections: BTreeMap<String, Counter>,
    /// VA1.
    pub paid: Option<Counter>,
    /// CA2.
    pub cash: Option<Counter>,
    /// DA2.
    pub cashless1: Option<Counter>,
    /// DB2.
    pub cashless2: Option<Counter>,
    /// EA301.
    pub reads_with_reset: Option<u64>,
}

impl DexReport {
    /// This audit's since-initialisation counters. Products without both PA201 and PA202 are left
    /// out (the parser warned about them); a duplicate selection keeps its first group.
    pub fn counters(&self) -> AuditCounters {
        let mut selections = BTreeMap::new();
        for product in &self.products {
            if let Some(counter) = product.sales.as_ref().and_then(since_init) {
                selections.entry(product.selection.clone()).or_insert(counter);
            }
        }
        AuditCounters {
            selections,
            paid: self.paid_vends.as_ref().and_then(since_init),
            cash: self.cash_vends.as_ref().and_then(since_init),
            cashless1: self.cashless1.as_ref().and_then(since_init),
            cashless2: self.cashless2.as_ref().and_then(since_init),
            reads_with_reset: self.reads.as_ref().and_then(|r| r.reads_with_reset),
        }
    }
}

fn since_init(totals: &VendTotals) -> Option<Counter> {
    Some(Counter {
        count: totals.count_since_init?,
        value: totals.value_since_init?.minor,
    })
}

/// How a delta was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeltaBasis {
    /// Current minus previous.
    SincePrevious,
    /// Counters were reset in between: the current counters, a lower bound.
    SinceReset,
    /// Not in the previous audit: all its counted sales.
    NewSelection,
}

impl DeltaBasis {
    /// Every basis, in the order the API documents them.
    pub const ALL: [Self; 3] = [Self::SincePrevious, Self::SinceReset, Self::NewSelection];

    /// The name stored with a sale and sent in the API (the serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SincePrevious => "since_previous",
            Self::SinceReset => "since_reset",
            Self::NewSelection => "new_selection",
        }
    }
}

/// Sales of one selection since the previous audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SelectionSales {
    pub selection: String,
    pub quantity: u64,
    /// Minor units.
    pub value: i64,
    pub basis: DeltaBasis,
}

/// A total's change since the previous audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CounterDelta {
    pub count: u64,
    pub value: i64,
    pub basis: DeltaBasis,
}

/// Where the expected cash figure comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CashSource {
    /// CA2, cash vends.
    CashVends,
    /// VA1 less DA2 and DB2, for machines that send no CA2.
    PaidLessCashless,
}

/// Cash taken for vends since the previous audit, in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ExpectedCash {
    pub value: i64,
    pub source: CashSource,
}

/// Something a person should know about a delta.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum DeltaWarning {
    /// A counter fell: sales between the previous audit and the reset are not known.
    CounterReset {
        what: String,
        previous: Counter,
        current: Counter,
    },
    /// EA301 fell: the machine was re-initialised; every delta is "since reset".
    Reinitialised {
        previous: u64,
        current: u64,
    },
    /// EA301 jumped: reads happened that this system did not receive.
    ReadsMissed {
        missed: u64,
    },
    NewSelection {
        selection: String,
    },
    SelectionRemoved {
        selection: String,
    },
}

/// Sales and cash since the previous audit.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct SalesDelta {
    /// No previous audit: this one is only a baseline, and nothing below is filled.
    pub baseline_only: bool,
    /// Selections that sold something, in selection order.
    pub selections: Vec<SelectionSales>,
    pub paid: Option<CounterDelta>,
    pub cash: Option<CounterDelta>,
    pub cashless1: Option<CounterDelta>,
    pub cashless2: Option<CounterDelta>,
    pub expected_cash: Option<ExpectedCash>,
    pub warnings: Vec<DeltaWarning>,
}

/// Sales since `previous` (`None` for a machine's first audit) as `current` counts them.
pub fn sales_since(previous: Option<&AuditCounters>, current: &AuditCounters) -> SalesDelta {
    let Some(previous) = previous else {
        return SalesDelta {
            baseline_only: true,
            ..SalesDelta::default()
        };
    };
    let mut delta = SalesDelta::default();
    let mut reinitialised = false;
    if let (Some(before), Some(now)) = (previous.reads_with_reset, current.reads_with_reset) {
        if now < before {
            reinitialised = true;
            delta.warnings.push(DeltaWarning::Reinitialised {
                previous: before,
                current: now,
            });
        } else if now - before > 1 {
            delta.warnings.push(DeltaWarning::ReadsMissed {
                missed: now - before - 1,
            });
        }
    }
    let mut diff = |what: &str, before: Counter, now: Counter| {
        let (count, value, basis) = counter_diff(before, now, reinitialised);
        if basis == DeltaBasis::SinceReset && !reinitialised {
            delta.warnings.push(DeltaWarning::CounterReset {
                what: what.to_owned(),
                previous: before,
                current: now,
            });
        }
        CounterDelta { count, value, basis }
    };

    let mut selections = Vec::new();
    for (selection, &now) in &current.selections {
        let line = match previous.selections.get(selection) {
            Some(&before) => diff(&format!("selection {selection}"), before, now),
            None => CounterDelta {
                count: now.count,
                value: now.value,
                basis: DeltaBasis::NewSelection,
            },
        };
        if line.count > 0 || line.value != 0 {
            selections.push(SelectionSales {
                selection: selection.clone(),
                quantity: line.count,
                value: line.value,
                basis: line.basis,
            });
        }
    }
    let paid = both(previous.paid, current.paid).map(|(b, n)| diff("VA1", b, n));
    let cash = both(previous.cash, current.cash).map(|(b, n)| diff("CA2", b, n));
    let cashless1 = both(previous.cashless1, current.cashless1).map(|(b, n)| diff("DA2", b, n));
    let cashless2 = both(previous.cashless2, current.cashless2).map(|(b, n)| diff("DB2", b, n));

    for selection in current.selections.keys() {
        if !previous.selections.contains_key(selection) {
            delta.warnings.push(DeltaWarning::NewSelection {
                selection: selection.clone(),
            });
        }
    }
    for selection in previous.selections.keys() {
        if !current.selections.contains_key(selection) {
            delta.warnings.push(DeltaWarning::SelectionRemoved {
                selection: selection.clone(),
            });
        }
    }
    delta.expected_cash = expected_cash(previous, current, paid, cash, cashless1, cashless2);
    SalesDelta {
        selections,
        paid,
        cash,
        cashless1,
        cashless2,
        ..delta
    }
}

fn counter_diff(before: Counter, now: Counter, reinitialised: bool) -> (u64, i64, DeltaBasis) {
    if reinitialised || now.count < before.count || now.value < before.value {
        (now.count, now.value, DeltaBasis::SinceReset)
    } else {
        (
            now.count - before.count,
            now.value.saturating_sub(before.value),
            DeltaBasis::SincePrevious,
        )
    }
}

fn both(before: Option<Counter>, now: Option<Counter>) -> Option<(Counter, Counter)> {
    Some((before?, now?))
}

/// CA2's change when both audits have it; else VA1's less the cashless devices' (a device absent
/// from both audits counts as none; present in one only, the figure is unknown).
fn expected_cash(
    previous: &AuditCounters,
    current: &AuditCounters,
    paid: Option<CounterDelta>,
    cash: Option<CounterDelta>,
    cashless1: Option<CounterDelta>,
    cashless2: Option<CounterDelta>,
) -> Option<ExpectedCash> {
    if let Some(cash) = cash {
        return Some(ExpectedCash {
            value: cash.value,
            source: CashSource::CashVends,
        });
    }
    let device = |delta: Option<CounterDelta>, before: Option<Counter>, now: Option<Counter>| match (
        delta, before, now,
    ) {
        (Some(d), _, _) => Some(d.value),
        (None, None, None) => Some(0),
        _ => None,
    };
    let first = device(cashless1, previous.cashless1, current.cashless1)?;
    let second = device(cashless2, previous.cashless2, current.cashless2)?;
    Some(ExpectedCash {
        value: paid?.value.saturating_sub(first).saturating_sub(second),
        source: CashSource::PaidLessCashless,
    })
}

#[cfg(test)]
mod basis_tests {
    use super::DeltaBasis;

    #[test]
    fn a_basis_is_named_as_serde_names_it() {
        for b in DeltaBasis::ALL {
            assert_eq!(serde_json::to_value(b).ok(), Some(serde_json::json!(b.as_str())));
        }
    }
}
