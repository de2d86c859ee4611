//! ICMPv6 (RFC 4443) and neighbour discovery (RFC 4861). Parsing is etherparse's
//! [`Icmpv6Slice`]; this module adds the quoted packet of error messages and ND targets.

pub use etherparse::Icmpv6Slice;
use etherparse::LaxSlicedPacket;

/// Destination unreachable.
pub const UNREACH: u8 = 1;
/// Packet too big.
pub const PACKET_TOO_BIG: u8 = 2;
/// Time exceeded.
pub const TIME_EXCEEDED: u8 = 3;
/// Parameter problem.
pub const PARAM_PROBLEM: u8 = 4;
/// Echo request.
pub const ECHO_REQUEST: u8 = 128;
/// Echo reply.
pub const ECHO_REPLY: u8 = 129;
/// Router solicitation.
pub const ROUTER_SOLICIT: u8 = 133;
/// Router advertisement.
pub const ROUTER_ADVERT: u8 = 134;
/// Neighbor solicitation.
pub const NEIGHBOR_SOLICIT: u8 = 135;
/// Neighbor advertisement.
pub const NEIGHBOR_ADVERT: u8 = 136;
/// Redirect.
pub const REDIRECT: u8 = 137;

/// True for error messages (types below 128), which quote the offending packet.
pub fn is_error(t: u8) -> bool {
    (1..=4).contains(&t)
}

/// The packet quoted by an ICMPv6 error, decoded leniently; `None` for other types.
pub fn quoted<'a>(icmp: &Icmpv6Slice<'a>) -> Option<LaxSlicedPacket<'a>> {
    if !is_error(icmp.type_u8()) {
        return None;
    }
    LaxSlicedPacket::from_ip(icmp.payload()).ok()
}

/// The target address of a neighbor solicitation / advertisement or redirect.
pub fn nd_target(icmp: &Icmpv6Slice<'_>) -> Option<[u8; 16]> {
    match icmp.type_u8() {
        NEIGHBOR_SOLICIT | NEIGHBOR_ADVERT | REDIRECT => icmp.payload().first_chunk::<16>().copied(),
        _ => None,
    }
}

/// A short name of an ICMPv6 type (for JSON).
pub fn type_name(t: u8) -> Option<&'static str> {
    Some(match t {
        1 => "destination-unreachable",
        2 => "packet-too-big",
        3 => "time-exceeded",
        4 => "parameter-problem",
        128 => "echo-request",
        129 => "echo-reply",
        130 => "multicast-listener-query",
        131 => "multicast-listener-report",
        132 => "multicast-listener-done",
        133 => "router-solicitation",
        134 => "router-advertisement",
        135 => "neighbor-solicitation",
        136 => "neighbor-advertisement",
        137 => "redirect",
        143 => "multicast-listener-report-v2",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nd_and_quote() {
        let mut ns = vec![135, 0, 0, 0, 0, 0, 0, 0];
        ns.extend_from_slice(&[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        let s = Icmpv6Slice::from_slice(&ns).unwrap();
        assert_eq!(nd_target(&s).unwrap()[15], 1);
        assert!(nd_target(&Icmpv6Slice::from_slice(&ns[..20]).unwrap()).is_none());
        assert!(quoted(&s).is_none());
        let mut err = vec![1, 4, 0, 0, 0, 0, 0, 0];
        err.extend_from_slice(&[0x60, 0, 0, 0, 0, 8, 17, 64]);
        err.extend_from_slice(&[0; 32]);
        err.extend_from_slice(&[0x82, 0x9a, 0x82, 0x9a, 0, 8, 0, 0]);
        let e = Icmpv6Slice::from_slice(&err).unwrap();
        assert!(matches!(quoted(&e).unwrap().transport, Some(etherparse::TransportSlice::Udp(_))));
        assert!(Icmpv6Slice::from_slice(&err[..7]).is_err());
    }
}
