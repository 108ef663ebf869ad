//! Fuzz target: any bytes as the body of a correctly framed report (DXS, ST, a matching G85, SE,
//! DXE), so that the fuzzer gets past the CRC and into the segment readers.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vendhub_domain::dex::crc::crc16;
use vendhub_domain::dex::{parse, sales_since};

fuzz_target!(|body: &[u8]| {
    let mut covered = b"ST*001*0001\r\n".to_vec();
    covered.extend_from_slice(body);
    if !covered.ends_with(b"\n") {
        covered.extend_from_slice(b"\r\n");
    }
    let crc = crc16(&covered);
    let mut input = b"DXS*FUZZ000001*VA*V0/6*1\r\n".to_vec();
    input.extend_from_slice(&covered);
    input.extend_from_slice(format!("G85*{crc:04X}\r\nSE*1*0001\r\nDXE*1*1\r\n").as_bytes());
    if let Ok(report) = parse(&input) {
        let previous = report.counters();
        let _ = sales_since(Some(&previous), &report.counters());
    }
});
