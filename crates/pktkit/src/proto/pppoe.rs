//! PPPoE discovery (RFC 2516, EtherType 0x8863): the header and the tags of PADI, PADO,
//! PADR, PADS and PADT. Session data (0x8864) is in [`crate::proto::tunnel`].

/// Header length (version and type, code, session id, length).
pub const HEADER_LEN: usize = 6;

/// Discovery codes.
pub mod code {
    /// Active Discovery Initiation.
    pub const PADI: u8 = 0x09;
    /// Offer.
    pub const PADO: u8 = 0x07;
    /// Request.
    pub const PADR: u8 = 0x19;
    /// Session-confirmation.
    pub const PADS: u8 = 0x65;
    /// Terminate.
    pub const PADT: u8 = 0xa7;
}

/// A PPPoE header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// Version (1).
    pub version: u8,
    /// Type (1).
    pub kind: u8,
    /// Code (0 for session data).
    pub code: u8,
    /// Session id.
    pub session: u16,
    /// Payload length.
    pub length: u16,
}

impl Header {
    /// Parses the header; None when it was cut.
    pub fn parse(data: &[u8]) -> Option<Header> {
        let h = data.first_chunk::<HEADER_LEN>()?;
        Some(Header {
            version: h[0] >> 4,
            kind: h[0] & 0x0f,
            code: h[1],
            session: u16::from_be_bytes([h[2], h[3]]),
            length: u16::from_be_bytes([h[4], h[5]]),
        })
    }
}

/// A tag's type and length at the start of `data`.
pub fn tag_header(data: &[u8]) -> Option<(u16, u16)> {
    let h = data.first_chunk::<4>()?;
    Some((u16::from_be_bytes([h[0], h[1]]), u16::from_be_bytes([h[2], h[3]])))
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_a_padi() {
        let p = [0x11, 0x09, 0, 0, 0, 12, 0x01, 0x01, 0, 0, 0x01, 0x03, 0, 4, 0x64, 0x13, 0x85, 0x18];
        let h = super::Header::parse(&p).unwrap();
        assert_eq!((h.version, h.kind, h.code, h.session, h.length), (1, 1, super::code::PADI, 0, 12));
        assert_eq!(super::tag_header(&p[6..]), Some((0x0101, 0)));
        assert_eq!(super::tag_header(&p[16..]), None);
    }
}
