//! SOME/IP (AUTOSAR) message header: message id, length, request id, versions, type, code.

/// The SOME/IP service discovery port tcpdump decodes.
pub const PORT: u16 = 30490;
/// Header length.
pub const HEADER_LEN: usize = 16;

/// A SOME/IP header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// Service id.
    pub service: u16,
    /// True for an event (the top bit of the method id), false for a method.
    pub event: bool,
    /// Method or event id (15 bits).
    pub method: u16,
    /// Length of what follows the length field.
    pub length: u32,
    /// Client id.
    pub client: u16,
    /// Session id.
    pub session: u16,
    /// Protocol version.
    pub protocol_version: u8,
    /// Interface version.
    pub interface_version: u8,
    /// Message type.
    pub message_type: u8,
    /// Return code.
    pub return_code: u8,
}

impl Header {
    /// Parses the header; None when it was cut.
    pub fn parse(data: &[u8]) -> Option<Header> {
        let h = data.first_chunk::<HEADER_LEN>()?;
        let word = |i: usize| u32::from_be_bytes([h[i], h[i + 1], h[i + 2], h[i + 3]]);
        let (message, request) = (word(0), word(8));
        Some(Header {
            service: (message >> 16) as u16,
            event: message & 0x8000 != 0,
            method: (message & 0x7fff) as u16,
            length: word(4),
            client: (request >> 16) as u16,
            session: request as u16,
            protocol_version: h[12],
            interface_version: h[13],
            message_type: h[14],
            return_code: h[15],
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_the_header() {
        let p = [0xff, 0xff, 0x81, 0x00, 0, 0, 0, 48, 0, 0, 0, 2, 1, 1, 2, 0];
        let h = super::Header::parse(&p).unwrap();
        assert_eq!((h.service, h.event, h.method, h.length, h.session), (65535, true, 256, 48, 2));
        assert_eq!((h.message_type, h.return_code), (2, 0));
        assert_eq!(super::Header::parse(&p[..15]), None);
    }
}
