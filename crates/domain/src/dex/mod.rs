//! DEX/EVA-DTS audit reports: parsing, the G85 check, and sales since the previous audit.
//!
//! A vending machine's audit is text: one segment a line (`PA1*3*150*COLA`), elements separated by
//! `*`, CRLF line ends, framed as `DXS`, `ST`, …, `G85` (CRC-16 of ST..G85), `SE`, `DXE`.
//! [`parse`] reads one from bytes, refusing anything incomplete or unverified ([`DexError`]), and
//! [`sales_since`] turns two audits' counters into per-selection sales and expected cash.
//! Pure functions: no I/O, no clock, no panics on any input.

mod amount;
mod clock;
pub mod crc;
mod decode;
mod delta;
mod envelope;
mod error;
mod report;
mod segment;

pub use delta::{
    AuditCounters, CashSource, Counter, CounterDelta, DeltaBasis, DeltaWarning, ExpectedCash, SalesDelta,
    SelectionSales, sales_since,
};
pub use envelope::{MAX_REPORT_BYTES, MAX_SEGMENTS};
pub use error::{DexError, DexWarning};
pub use report::{
    Amount, CashIn, CashOut, Currency, DexReport, Event, EventCount, Machine, Product, RawSegment, Reads,
    Transmission, VendTotals,
};
pub use segment::MAX_ELEMENTS;

/// Reads and verifies one DEX/EVA-DTS audit report.
///
/// What was tolerated (a preamble, SE's wrong count, LF line ends…) is in
/// [`DexReport::warnings`]; anything that makes the report incomplete or unverifiable is an error.
pub fn parse(input: &[u8]) -> Result<DexReport, DexError> {
    decode::decode(envelope::frame(input)?)
}
