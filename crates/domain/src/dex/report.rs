//! The typed audit report: machine identity, currency, totals, cash, cashless, products, events.
//!
//! Element meanings follow EVA-DTS 6.x. Counters are "since initialisation" (never reset by a
//! read; they only fall when the machine's memory is re-initialised) and "since reset" (cleared by
//! a read with reset). Elements that are empty in the file are `None`.

use chrono::{NaiveDate, NaiveTime};
use serde::Serialize;

use super::error::DexWarning;

/// A verified DEX/EVA-DTS audit report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DexReport {
    /// DXS: who sent it and in which version of the standard.
    pub transmission: Transmission,
    /// The G85 value that verified.
    pub crc: u16,
    /// Segments from ST to SE inclusive, as sent (SE's own count may disagree: see warnings).
    pub segment_count: usize,
    /// ID1.
    pub machine: Option<Machine>,
    /// ID4, or the default (2 decimals, no code) when absent.
    pub currency: Currency,
    /// VA1: all paid vends.
    pub paid_vends: Option<VendTotals>,
    /// CA2: cash vends.
    pub cash_vends: Option<VendTotals>,
    /// CA3: cash taken in.
    pub cash_in: Option<CashIn>,
    /// CA4: cash paid out as change.
    pub cash_out: Option<CashOut>,
    /// DA2: the first cashless device's vends.
    pub cashless1: Option<VendTotals>,
    /// DB2: the second cashless device's vends.
    pub cashless2: Option<VendTotals>,
    /// PA1 with its PA2, in file order.
    pub products: Vec<Product>,
    /// EA1.
    pub events: Vec<Event>,
    /// EA2.
    pub event_counts: Vec<EventCount>,
    /// EA3.
    pub reads: Option<Reads>,
    /// Every other segment between ST and G85 (PA3, PA7, LA1, CA11, vendor MA5/SA2…), as sent.
    pub other: Vec<RawSegment>,
    pub warnings: Vec<DexWarning>,
}

/// DXS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transmission {
    /// DXS01, e.g. `ANI1234567`.
    pub sender: Option<String>,
    /// DXS03, e.g. `V0/6`.
    pub version: Option<String>,
}

/// ID1.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Machine {
    /// ID101.
    pub serial: Option<String>,
    /// ID102.
    pub model: Option<String>,
    /// ID103.
    pub build: Option<String>,
    /// ID104.
    pub location: Option<String>,
    /// ID106.
    pub asset: Option<String>,
}

/// ID4: how amounts are written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Currency {
    /// ID401: digits after the implied decimal point (2 when ID4 is absent or empty).
    pub decimals: u8,
    /// ID402, e.g. `1978` (EUR) or `1860` (UZS).
    pub numeric_code: Option<String>,
    /// ID403, e.g. `EUR`.
    pub alpha_code: Option<String>,
}

impl Default for Currency {
    fn default() -> Self {
        Self {
            decimals: 2,
            numeric_code: None,
            alpha_code: None,
        }
    }
}

/// An amount as written in the file and in minor units: hundredths of the currency unit (cents,
/// tiyin), whatever ID401 says. No floats: with 0 decimals `150` is 15 000 minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Amount {
    pub raw: u64,
    pub minor: i64,
}

/// Value and number of vends, since initialisation and since the last reset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct VendTotals {
    pub value_since_init: Option<Amount>,
    pub count_since_init: Option<u64>,
    pub value_since_reset: Option<Amount>,
    pub count_since_reset: Option<u64>,
}

/// CA3: cash in, since the last reset and since initialisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct CashIn {
    /// CA301.
    pub in_since_reset: Option<Amount>,
    /// CA302.
    pub to_cash_box_since_reset: Option<Amount>,
    /// CA303.
    pub to_tubes_since_reset: Option<Amount>,
    /// CA304.
    pub bills_since_reset: Option<Amount>,
    /// CA305.
    pub in_since_init: Option<Amount>,
    /// CA306.
    pub to_cash_box_since_init: Option<Amount>,
    /// CA307.
    pub to_tubes_since_init: Option<Amount>,
    /// CA308.
    pub bills_since_init: Option<Amount>,
}

/// CA4: change paid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct CashOut {
    /// CA401.
    pub dispensed_since_reset: Option<Amount>,
    /// CA402.
    pub manually_dispensed_since_reset: Option<Amount>,
    /// CA403.
    pub dispensed_since_init: Option<Amount>,
    /// CA404.
    pub manually_dispensed_since_init: Option<Amount>,
}

/// PA1 (price list entry) and its PA2 (paid vends).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Product {
    /// PA101, the selection (`1`, `A1`…), trimmed.
    pub selection: String,
    /// PA102.
    pub price: Option<Amount>,
    /// PA103, trimmed.
    pub name: Option<String>,
    /// PA2, when the file has one for this product.
    pub sales: Option<VendTotals>,
    /// The rest of its group (PA3 test vends, PA4 free vends, PA7 per-device splits…), as sent.
    pub details: Vec<RawSegment>,
    pub line: usize,
}

/// EA1: one event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    /// EA101, e.g. `EGN` or a vendor code.
    pub code: String,
    /// EA102, `YYYYMMDD` or `YYMMDD`.
    pub date: Option<NaiveDate>,
    /// EA103, `HHMM` or `HHMMSS`.
    pub time: Option<NaiveTime>,
    /// EA104.. as sent (their use varies between vendors).
    pub detail: Vec<String>,
    pub line: usize,
}

/// EA2: how often an event happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventCount {
    /// EA201.
    pub code: String,
    /// EA202.
    pub since_reset: Option<u64>,
    /// EA203.
    pub since_init: Option<u64>,
    /// EA204.. as sent.
    pub detail: Vec<String>,
    pub line: usize,
}

/// EA3: this read and the one before it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Reads {
    /// EA301: reads with reset since initialisation (a jump of more than one means reads were
    /// taken that this system did not see).
    pub reads_with_reset: Option<u64>,
    /// EA302.
    pub this_read_date: Option<NaiveDate>,
    /// EA303.
    pub this_read_time: Option<NaiveTime>,
    /// EA305.
    pub last_read_date: Option<NaiveDate>,
    /// EA306.
    pub last_read_time: Option<NaiveTime>,
}

/// A segment the parser keeps without interpreting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RawSegment {
    pub id: String,
    pub elements: Vec<String>,
    pub line: usize,
}

impl DexReport {
    /// The first product with this selection.
    pub fn product(&self, selection: &str) -> Option<&Product> {
        self.products.iter().find(|p| p.selection == selection)
    }

    /// Kept segments with this id.
    pub fn other_segments<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a RawSegment> {
        self.other.iter().filter(move |s| s.id == id)
    }
}
