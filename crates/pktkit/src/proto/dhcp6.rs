//! DHCPv6 (RFC 8415) message header: the message type and transaction id.

/// The client's port.
pub const CLIENT_PORT: u16 = 546;
/// The server's and relay agents' port.
pub const SERVER_PORT: u16 = 547;

/// Reads the message type; None unless the type and transaction id (4 bytes) were captured.
pub fn message_type(data: &[u8]) -> Option<u8> {
    data.first_chunk::<4>().map(|h| h[0])
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_the_type() {
        assert_eq!(super::message_type(&[1, 0xab, 0xcd, 0xef]), Some(1));
        assert_eq!(super::message_type(&[1, 0xab]), None);
    }
}
