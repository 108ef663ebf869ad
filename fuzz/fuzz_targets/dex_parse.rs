//! Fuzz target: any bytes through `dex::parse`, and a parsed report through the sales delta.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vendhub_domain::dex::{parse, sales_since};

fuzz_target!(|data: &[u8]| {
    if let Ok(report) = parse(data) {
        let counters = report.counters();
        let _ = sales_since(None, &counters);
        let _ = sales_since(Some(&counters), &counters);
    }
});
