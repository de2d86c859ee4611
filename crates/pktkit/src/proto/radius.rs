//! RADIUS (RFC 2865, 2866, 5176) packet header: code, identifier, length.

/// UDP ports tcpdump takes for RADIUS: the old 1645/1646, the IANA 1812/1813, Cisco's CoA
/// 1700 and RFC 5176's 3799.
pub const PORTS: [u16; 6] = [1645, 1812, 1646, 1813, 1700, 3799];
/// Header length (code, identifier, length, authenticator).
pub const HEADER_LEN: usize = 20;

/// A RADIUS header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// Packet type (1 Access-Request, 2 Access-Accept, ...).
    pub code: u8,
    /// Identifier matching requests and replies.
    pub id: u8,
    /// Length of the packet, header included.
    pub length: u16,
}

impl Header {
    /// Parses the header; None when fewer than [`HEADER_LEN`] bytes were captured.
    pub fn parse(data: &[u8]) -> Option<Header> {
        let h = data.first_chunk::<HEADER_LEN>()?;
        Some(Header { code: h[0], id: h[1], length: u16::from_be_bytes([h[2], h[3]]) })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_the_header() {
        let mut p = [0u8; 20];
        p[..4].copy_from_slice(&[1, 5, 0, 139]);
        assert_eq!(super::Header::parse(&p), Some(super::Header { code: 1, id: 5, length: 139 }));
        assert_eq!(super::Header::parse(&p[..19]), None);
    }
}
