//! VRRP (RFC 3768 version 2, RFC 5798 version 3) advertisement header.

/// The advertisement type.
pub const TYPE_ADVERTISEMENT: u8 = 1;
/// Version 2's "no authentication".
pub const AUTH_NONE: u8 = 0;
/// Version 2's simple text password.
pub const AUTH_SIMPLE: u8 = 1;
/// Version 2's IP authentication header.
pub const AUTH_AH: u8 = 2;

/// Bytes of the fixed header, before the addresses.
pub const HEADER_LEN: usize = 8;

/// A VRRP header (the 8 fixed bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// Version (2 or 3).
    pub version: u8,
    /// Type (1: advertisement).
    pub kind: u8,
    /// Virtual router id.
    pub vrid: u8,
    /// Priority.
    pub priority: u8,
    /// Number of addresses.
    pub addr_count: u8,
    /// Version 2: authentication type; version 3: the high bits of the interval.
    pub auth_or_reserved: u8,
    /// Version 2: advertisement interval in seconds; version 3: its low byte
    /// (centiseconds, 12 bits with [`Header::auth_or_reserved`]).
    pub interval: u8,
}

impl Header {
    /// Parses the header; None when it was cut.
    pub fn parse(data: &[u8]) -> Option<Header> {
        let h = data.first_chunk::<8>()?;
        Some(Header {
            version: h[0] >> 4,
            kind: h[0] & 0x0f,
            vrid: h[1],
            priority: h[2],
            addr_count: h[3],
            auth_or_reserved: h[4],
            interval: h[5],
        })
    }

    /// Version 3's advertisement interval in centiseconds.
    pub fn interval_cs(&self) -> u16 {
        ((self.auth_or_reserved as u16 & 0x0f) << 8) | self.interval as u16
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_v2_and_v3() {
        let v2 = super::Header::parse(&[0x21, 1, 100, 1, 0, 1, 0, 0]).unwrap();
        assert_eq!((v2.version, v2.kind, v2.vrid, v2.priority, v2.interval), (2, 1, 1, 100, 1));
        let v3 = super::Header::parse(&[0x31, 1, 100, 1, 0x01, 0x02, 0, 0]).unwrap();
        assert_eq!(v3.interval_cs(), 0x102);
        assert_eq!(super::Header::parse(&[0x31, 1]), None);
    }
}
