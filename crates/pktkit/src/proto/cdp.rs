//! Cisco Discovery Protocol (after SNAP, OUI 00:00:0c, protocol id 0x2000): the header
//! (version, TTL, checksum) and its type-length-value fields.

/// The Cisco HDLC protocol type of CDP (the same number as its SNAP protocol id).
pub const CHDLC_TYPE: u16 = 0x2000;
/// Header length (version, TTL, checksum).
pub const HEADER_LEN: usize = 4;
/// Length of a TLV's type and length fields.
pub const TLV_HEADER_LEN: usize = 4;
/// The Device-ID TLV type.
pub const TLV_DEVICE_ID: u16 = 0x01;

/// A CDP header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// Protocol version (1 or 2).
    pub version: u8,
    /// Hold time in seconds.
    pub ttl: u8,
    /// Checksum.
    pub checksum: u16,
}

impl Header {
    /// Parses the header; None when it was cut.
    pub fn parse(data: &[u8]) -> Option<Header> {
        let h = data.first_chunk::<HEADER_LEN>()?;
        Some(Header { version: h[0], ttl: h[1], checksum: u16::from_be_bytes([h[2], h[3]]) })
    }
}

/// A TLV's type and length (the length counts the 4-byte TLV header).
pub fn tlv_header(data: &[u8]) -> Option<(u16, u16)> {
    let h = data.first_chunk::<TLV_HEADER_LEN>()?;
    Some((u16::from_be_bytes([h[0], h[1]]), u16::from_be_bytes([h[2], h[3]])))
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_header_and_tlv() {
        let p = [2, 180, 0xba, 0xe2, 0, 1, 0, 6, b'R', b'1'];
        assert_eq!(super::Header::parse(&p), Some(super::Header { version: 2, ttl: 180, checksum: 0xbae2 }));
        assert_eq!(super::tlv_header(&p[4..]), Some((super::TLV_DEVICE_ID, 6)));
        assert_eq!(super::tlv_header(&p[7..]), None);
    }
}
