//! OSPF packet headers: version 2 (RFC 2328, over IPv4) and version 3 (RFC 5340, over
//! IPv6): version, packet type and the authentication type of version 2.

/// Packet types.
pub mod packet_type {
    /// Hello.
    pub const HELLO: u8 = 1;
    /// Database Description.
    pub const DATABASE_DESCRIPTION: u8 = 2;
    /// Link State Request.
    pub const LS_REQUEST: u8 = 3;
    /// Link State Update.
    pub const LS_UPDATE: u8 = 4;
    /// Link State Acknowledgment.
    pub const LS_ACK: u8 = 5;
}

/// Version 2's cryptographic (MD5) authentication type.
pub const AUTH_MD5: u16 = 2;
/// Length of the MD5 digest that follows a version 2 packet.
pub const MD5_DIGEST_LEN: usize = 16;
/// Offset of version 2's authentication type.
pub const AUTH_TYPE_OFFSET: usize = 14;

/// The version and packet type at the start of an OSPF packet.
pub fn version_type(data: &[u8]) -> Option<(u8, u8)> {
    Some((*data.first()?, *data.get(1)?))
}

/// Version 2's authentication type.
pub fn auth_type(data: &[u8]) -> Option<u16> {
    data.get(AUTH_TYPE_OFFSET..AUTH_TYPE_OFFSET + 2).map(|b| u16::from_be_bytes([b[0], b[1]]))
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_the_header() {
        let mut p = [0u8; 24];
        p[..2].copy_from_slice(&[2, super::packet_type::HELLO]);
        p[15] = 2;
        assert_eq!(super::version_type(&p), Some((2, 1)));
        assert_eq!(super::auth_type(&p), Some(super::AUTH_MD5));
        assert_eq!(super::auth_type(&p[..15]), None);
    }
}
