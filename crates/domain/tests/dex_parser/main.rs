//! The DEX parser against files the team wrote (`tests/dex_files/`) and real machine output
//! (`tests/fixtures/dex/`, copied in with their MIT notice; a missing file fails the test).

mod integrity;
mod samples;
mod segments;

use std::path::PathBuf;
use vendhub_domain::dex::{Amount, DexReport, RawSegment, parse};

fn own_file(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/dex_files")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn parse_own(name: &str) -> DexReport {
    parse(&own_file(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn money(raw: u64, minor: i64) -> Amount {
    Amount { raw, minor }
}

fn ids(segments: &[RawSegment]) -> Vec<&str> {
    segments.iter().map(|s| s.id.as_str()).collect()
}
