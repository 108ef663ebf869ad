//! The G85 check value: CRC-16/ARC (poly 0x8005 reflected, init 0, no final xor) over ST..G85.
//!
//! Verified against real machine output: Animo's `G85*B9AE` and Rheavendors' `G85*F4D0` both hold
//! when the CRC runs from the first byte of the `ST` line up to and including the CRLF that ends
//! the line before `G85`.

/// 0x8005 bit-reversed, for the right-shifting (reflected) form.
const POLY_REFLECTED: u16 = 0xA001;

const TABLE: [u16; 256] = build_table();

const fn build_table() -> [u16; 256] {
    let mut table = [0u16; 256];
    let mut byte = 0;
    while byte < 256 {
        #[expect(clippy::cast_possible_truncation, reason = "byte < 256")]
        let mut crc = byte as u16;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ POLY_REFLECTED
            } else {
                crc >> 1
            };
            bit += 1;
        }
        table[byte] = crc;
        byte += 1;
    }
    table
}

/// A running CRC-16/ARC.
#[derive(Debug, Clone, Copy, Default)]
pub struct Crc16(u16);

impl Crc16 {
    pub const fn new() -> Self {
        Self(0)
    }

    pub fn update(&mut self, bytes: &[u8]) {
        for &b in bytes {
            let index = usize::from((self.0 ^ u16::from(b)) & 0xFF);
            self.0 = (self.0 >> 8) ^ TABLE[index];
        }
    }

    pub const fn value(self) -> u16 {
        self.0
    }
}

/// CRC-16/ARC of `bytes` as they are.
pub fn crc16(bytes: &[u8]) -> u16 {
    let mut crc = Crc16::new();
    crc.update(bytes);
    crc.value()
}

/// CRC-16/ARC of `bytes` as if every bare LF were CRLF: what the machine computed before a
/// transfer tool stripped the CRs.
pub fn crc16_crlf(bytes: &[u8]) -> u16 {
    let mut crc = Crc16::new();
    let mut previous = None;
    for &b in bytes {
        if b == b'\n' && previous != Some(b'\r') {
            crc.update(b"\r");
        }
        crc.update(std::slice::from_ref(&b));
        previous = Some(b);
    }
    crc.value()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_crc16_arc_check_value() {
        // The catalogue check value of CRC-16/ARC.
        assert_eq!(crc16(b"123456789"), 0xBB3D);
        assert_eq!(crc16(b""), 0);
    }

    #[test]
    fn incremental_updates_equal_one_pass() {
        let mut crc = Crc16::new();
        crc.update(b"ST*001*0001\r\n");
        crc.update(b"ID1*X\r\n");
        assert_eq!(crc.value(), crc16(b"ST*001*0001\r\nID1*X\r\n"));
    }

    #[test]
    fn crlf_normalised_crc_restores_stripped_carriage_returns() {
        assert_eq!(crc16_crlf(b"ST*001\nID1*X\n"), crc16(b"ST*001\r\nID1*X\r\n"));
        // Already CRLF: unchanged.
        assert_eq!(crc16_crlf(b"ST*001\r\nID1\r\n"), crc16(b"ST*001\r\nID1\r\n"));
    }
}
