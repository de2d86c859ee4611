//! Cisco SLARP (Serial Line ARP, Cisco HDLC type 0x8035): requests, replies with an address
//! and mask, and keepalives with sequence numbers, reliability and an optional uptime.

/// The Cisco HDLC protocol type of SLARP.
pub const CHDLC_TYPE: u16 = 0x8035;
/// Length without the optional uptime.
pub const MIN_LEN: usize = 14;
/// Length with the uptime (milliseconds).
pub const MAX_LEN: usize = 18;

/// Message codes.
pub mod code {
    /// Address request.
    pub const REQUEST: u32 = 0;
    /// Address reply.
    pub const REPLY: u32 = 1;
    /// Keepalive.
    pub const KEEPALIVE: u32 = 2;
}

/// A 4-byte big-endian word at `offset`.
pub fn word(data: &[u8], offset: usize) -> Option<u32> {
    data.get(offset..offset + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_words() {
        let p = [0, 0, 0, 2, 0, 0, 0, 5];
        assert_eq!(super::word(&p, 0), Some(super::code::KEEPALIVE));
        assert_eq!(super::word(&p, 6), None);
    }
}
