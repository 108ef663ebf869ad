//! From a verified frame's segments to the typed report: which element means what.
//!
//! Strict where sales and money come from (ID4, VA1, CA2–CA4, DA2, DB2, PA1, PA2: a bad number is
//! [`DexError::Malformed`]), lenient where it is description (events, dates: a warning).

use std::collections::HashSet;

use super::amount::to_minor;
use super::clock::{parse_date, parse_time};
use super::envelope::Frame;
use super::error::{DexError, DexWarning};
use super::report::{
    Amount, CashIn, CashOut, Currency, DexReport, Event, EventCount, Machine, Product, RawSegment, Reads,
    Transmission, VendTotals,
};
use super::segment::Segment;

/// The largest ID401 accepted.
const MAX_DECIMALS: u64 = 9;

/// Segments read once; a repeat is ignored with a warning.
const ONCE: [&str; 9] = ["ID1", "ID4", "VA1", "CA2", "CA3", "CA4", "DA2", "DB2", "EA3"];

pub(crate) fn decode(frame: Frame<'_>) -> Result<DexReport, DexError> {
    let Frame {
        dxs,
        body,
        crc,
        segment_count,
        warnings,
    } = frame;
    for segment in &body {
        segment.check_shape()?;
    }
    let currency = match body.iter().find(|s| s.id() == "ID4") {
        Some(id4) => read_currency(id4)?,
        None => Currency::default(),
    };
    let mut reader = Reader {
        decimals: currency.decimals,
        report: DexReport {
            transmission: Transmission {
                sender: dxs.text(1),
                version: dxs.text(3),
            },
            crc,
            segment_count,
            machine: None,
            currency,
            paid_vends: None,
            cash_vends: None,
            cash_in: None,
            cash_out: None,
            cashless1: None,
            cashless2: None,
            products: Vec::new(),
            events: Vec::new(),
            event_counts: Vec::new(),
            reads: None,
            other: Vec::new(),
            warnings,
        },
        group: Group::None,
        selections: HashSet::new(),
    };
    let mut seen = HashSet::new();
    for segment in &body {
        let id = segment.id();
        if ONCE.contains(&id) && !seen.insert(id) {
            reader.group = Group::None;
            reader.report.warnings.push(DexWarning::Repeated {
                line: segment.line,
                id: id.to_owned(),
            });
            continue;
        }
        reader.read(segment)?;
    }
    reader.flag_incomplete_products();
    Ok(reader.report)
}

fn read_currency(id4: &Segment<'_>) -> Result<Currency, DexError> {
    let decimals = match id4.number(1)? {
        None => 2,
        Some(d) if d <= MAX_DECIMALS => u8::try_from(d).unwrap_or(2),
        Some(d) => {
            return Err(DexError::malformed(
                id4.line,
                format!("ID401 says {d} decimal places; at most {MAX_DECIMALS} are read"),
            ));
        }
    };
    Ok(Currency {
        decimals,
        numeric_code: id4.text(2),
        alpha_code: id4.text(3),
    })
}

/// Where PA2…PA8 belong.
enum Group {
    /// Not inside a PA1 group.
    None,
    /// Inside the group of `products[index]`.
    Product(usize),
    /// Inside a duplicate selection's group, which is ignored.
    Skipped,
}

struct Reader {
    decimals: u8,
    report: DexReport,
    group: Group,
    selections: HashSet<String>,
}

impl Reader {
    fn read(&mut self, s: &Segment<'_>) -> Result<(), DexError> {
        let id = s.id();
        if !id.starts_with("PA") {
            self.group = Group::None;
        }
        match id {
            "ID1" => self.report.machine = Some(machine(s)),
            "ID4" => {} // read before the other segments
            "VA1" => self.report.paid_vends = Some(self.value_first(s)?),
            "CA2" => self.report.cash_vends = Some(self.value_first(s)?),
            "DA2" => self.report.cashless1 = Some(self.value_first(s)?),
            "DB2" => self.report.cashless2 = Some(self.value_first(s)?),
            "CA3" => self.report.cash_in = Some(self.cash_in(s)?),
            "CA4" => self.report.cash_out = Some(self.cash_out(s)?),
            "PA1" => self.product(s)?,
            "PA2" => self.product_sales(s)?,
            "EA1" => {
                let event = self.event(s);
                self.report.events.push(event);
            }
            "EA2" => {
                let count = self.event_count(s);
                self.report.event_counts.push(count);
            }
            "EA3" => self.report.reads = Some(self.reads(s)),
            _ => self.keep(s),
        }
        Ok(())
    }

    fn amount(&self, s: &Segment<'_>, n: usize) -> Result<Option<Amount>, DexError> {
        let Some(raw) = s.number(n)? else {
            return Ok(None);
        };
        let minor = to_minor(raw, self.decimals).ok_or_else(|| {
            DexError::malformed(
                s.line,
                format!(
                    "{} {raw} with {} decimals does not fit in minor units",
                    s.name(n),
                    self.decimals
                ),
            )
        })?;
        Ok(Some(Amount { raw, minor }))
    }

    /// VA1, CA2, DA2, DB2: value, count since initialisation, then value, count since reset.
    fn value_first(&self, s: &Segment<'_>) -> Result<VendTotals, DexError> {
        Ok(VendTotals {
            value_since_init: self.amount(s, 1)?,
            count_since_init: s.number(2)?,
            value_since_reset: self.amount(s, 3)?,
            count_since_reset: s.number(4)?,
        })
    }

    fn cash_in(&self, s: &Segment<'_>) -> Result<CashIn, DexError> {
        Ok(CashIn {
            in_since_reset: self.amount(s, 1)?,
            to_cash_box_since_reset: self.amount(s, 2)?,
            to_tubes_since_reset: self.amount(s, 3)?,
            bills_since_reset: self.amount(s, 4)?,
            in_since_init: self.amount(s, 5)?,
            to_cash_box_since_init: self.amount(s, 6)?,
            to_tubes_since_init: self.amount(s, 7)?,
            bills_since_init: self.amount(s, 8)?,
        })
    }

    fn cash_out(&self, s: &Segment<'_>) -> Result<CashOut, DexError> {
        Ok(CashOut {
            dispensed_since_reset: self.amount(s, 1)?,
            manually_dispensed_since_reset: self.amount(s, 2)?,
            dispensed_since_init: self.amount(s, 3)?,
            manually_dispensed_since_init: self.amount(s, 4)?,
        })
    }

    fn product(&mut self, s: &Segment<'_>) -> Result<(), DexError> {
        let Some(selection) = s.text(1) else {
            return Err(DexError::malformed(s.line, "PA101 (the selection) is empty"));
        };
        if !self.selections.insert(selection.clone()) {
            self.report.warnings.push(DexWarning::DuplicateSelection {
                line: s.line,
                selection,
            });
            self.group = Group::Skipped;
            return Ok(());
        }
        self.report.products.push(Product {
            selection,
            price: self.amount(s, 2)?,
            name: s.text(3),
            sales: None,
            details: Vec::new(),
            line: s.line,
        });
        self.group = Group::Product(self.report.products.len() - 1);
        Ok(())
    }

    /// PA2: count, value since initialisation, then count, value since reset (count first,
    /// unlike VA1).
    fn product_sales(&mut self, s: &Segment<'_>) -> Result<(), DexError> {
        let sales = VendTotals {
            count_since_init: s.number(1)?,
            value_since_init: self.amount(s, 2)?,
            count_since_reset: s.number(3)?,
            value_since_reset: self.amount(s, 4)?,
        };
        match self.group {
            Group::Product(index) => match self.report.products.get_mut(index) {
                Some(product) if product.sales.is_none() => product.sales = Some(sales),
                _ => self.report.warnings.push(DexWarning::Repeated {
                    line: s.line,
                    id: "PA2".to_owned(),
                }),
            },
            Group::Skipped => {}
            Group::None => self.report.warnings.push(DexWarning::OrphanProductSegment {
                line: s.line,
                id: "PA2".to_owned(),
            }),
        }
        Ok(())
    }

    fn event(&mut self, s: &Segment<'_>) -> Event {
        let warnings = &mut self.report.warnings;
        Event {
            code: s.text(1).unwrap_or_default(),
            date: lenient(s, 2, parse_date, warnings),
            time: lenient(s, 3, parse_time, warnings),
            detail: s.elements().into_iter().skip(3).collect(),
            line: s.line,
        }
    }

    fn event_count(&mut self, s: &Segment<'_>) -> EventCount {
        let warnings = &mut self.report.warnings;
        EventCount {
            code: s.text(1).unwrap_or_default(),
            since_reset: s.lenient_number(2, warnings),
            since_init: s.lenient_number(3, warnings),
            detail: s.elements().into_iter().skip(3).collect(),
            line: s.line,
        }
    }

    fn reads(&mut self, s: &Segment<'_>) -> Reads {
        let warnings = &mut self.report.warnings;
        Reads {
            reads_with_reset: s.lenient_number(1, warnings),
            this_read_date: lenient(s, 2, parse_date, warnings),
            this_read_time: lenient(s, 3, parse_time, warnings),
            last_read_date: lenient(s, 5, parse_date, warnings),
            last_read_time: lenient(s, 6, parse_time, warnings),
        }
    }

    /// PA3…PA8 stay with their product; every other segment is kept in `other`.
    fn keep(&mut self, s: &Segment<'_>) {
        match (s.id().starts_with("PA"), &self.group) {
            (true, Group::Product(index)) => {
                if let Some(product) = self.report.products.get_mut(*index) {
                    product.details.push(raw(s));
                }
            }
            (true, Group::Skipped) => {}
            _ => self.report.other.push(raw(s)),
        }
    }

    fn flag_incomplete_products(&mut self) {
        for product in &self.report.products {
            let complete = product
                .sales
                .is_some_and(|s| s.count_since_init.is_some() && s.value_since_init.is_some());
            if !complete {
                self.report.warnings.push(DexWarning::IncompleteCounters {
                    line: product.line,
                    selection: product.selection.clone(),
                });
            }
        }
    }
}

fn machine(s: &Segment<'_>) -> Machine {
    Machine {
        serial: s.text(1),
        model: s.text(2),
        build: s.text(3),
        location: s.text(4),
        asset: s.text(6),
    }
}

fn lenient<T>(
    s: &Segment<'_>,
    n: usize,
    parse: fn(&str) -> Option<T>,
    warnings: &mut Vec<DexWarning>,
) -> Option<T> {
    let value = s.element(n).trim();
    if value.is_empty() {
        return None;
    }
    let parsed = parse(value);
    if parsed.is_none() {
        warnings.push(s.unreadable(n));
    }
    parsed
}

fn raw(s: &Segment<'_>) -> RawSegment {
    RawSegment {
        id: s.id().to_owned(),
        elements: s.elements(),
        line: s.line,
    }
}
