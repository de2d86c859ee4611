//! RADIUS (RFC 2865, 2866, 5176) packet header: code, identifier, length.

/// UDP ports tcpdump takes for RADIUS: the old 1645/1646, the IANA 1812/1813, Cisco's CoA
/// 1700 and RFC 5176's 3799.
pub const PORTS: [u16; 6] = [1645, 1812, 1646, 1813, 1700, 3799];
/// Header length (code, identifier, length, authenticator).
pub const HEADER_LEN: usize = 20;

/// Attribute types (RFC 2865 and later, IANA's radius-types-2) that print specially.
pub mod attr {
    /// Framed-IP-Address.
    pub const FRAMED_IP_ADDRESS: u8 = 8;
    /// Login-IP-Host.
    pub const LOGIN_IP_HOST: u8 = 14;
    /// Framed-IPX-Network.
    pub const FRAMED_IPX_NETWORK: u8 = 23;
    /// Session-Timeout.
    pub const SESSION_TIMEOUT: u8 = 27;
    /// Idle-Timeout.
    pub const IDLE_TIMEOUT: u8 = 28;
    /// Framed-AppleTalk-Link.
    pub const FRAMED_APPLETALK_LINK: u8 = 37;
    /// Framed-AppleTalk-Network.
    pub const FRAMED_APPLETALK_NETWORK: u8 = 38;
    /// Acct-Delay-Time.
    pub const ACCT_DELAY_TIME: u8 = 41;
    /// Acct-Session-Time.
    pub const ACCT_SESSION_TIME: u8 = 46;
    /// Egress-VLANID (RFC 4675).
    pub const EGRESS_VLANID: u8 = 56;
    /// Egress-VLAN-Name (RFC 4675).
    pub const EGRESS_VLAN_NAME: u8 = 58;
    /// Tunnel-Type (RFC 2868).
    pub const TUNNEL_TYPE: u8 = 64;
    /// Tunnel-Medium-Type.
    pub const TUNNEL_MEDIUM_TYPE: u8 = 65;
    /// Tunnel-Client-Endpoint.
    pub const TUNNEL_CLIENT_ENDPOINT: u8 = 66;
    /// Tunnel-Server-Endpoint.
    pub const TUNNEL_SERVER_ENDPOINT: u8 = 67;
    /// Tunnel-Password.
    pub const TUNNEL_PASSWORD: u8 = 69;
    /// ARAP-Password (RFC 2869).
    pub const ARAP_PASSWORD: u8 = 70;
    /// ARAP-Features.
    pub const ARAP_FEATURES: u8 = 71;
    /// EAP-Message.
    pub const EAP_MESSAGE: u8 = 79;
    /// Tunnel-Private-Group-ID.
    pub const TUNNEL_PRIVATE_GROUP_ID: u8 = 81;
    /// Tunnel-Assignment-ID.
    pub const TUNNEL_ASSIGNMENT_ID: u8 = 82;
    /// Tunnel-Preference.
    pub const TUNNEL_PREFERENCE: u8 = 83;
    /// ARAP-Challenge-Response.
    pub const ARAP_CHALLENGE_RESPONSE: u8 = 84;
    /// Acct-Interim-Interval.
    pub const ACCT_INTERIM_INTERVAL: u8 = 85;
    /// Tunnel-Client-Auth-ID.
    pub const TUNNEL_CLIENT_AUTH_ID: u8 = 90;
    /// Tunnel-Server-Auth-ID.
    pub const TUNNEL_SERVER_AUTH_ID: u8 = 91;
    /// Error-Cause (RFC 5176).
    pub const ERROR_CAUSE: u8 = 101;
}

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
