//! ICMP for IPv4 (RFC 792). Parsing is etherparse's [`Icmpv4Slice`]; this module adds the
//! error types' quoted packet, decoded leniently.

pub use etherparse::Icmpv4Slice;
use etherparse::LaxSlicedPacket;

/// Echo reply.
pub const ECHO_REPLY: u8 = 0;
/// Destination unreachable.
pub const UNREACH: u8 = 3;
/// Source quench.
pub const SOURCE_QUENCH: u8 = 4;
/// Redirect.
pub const REDIRECT: u8 = 5;
/// Echo request.
pub const ECHO: u8 = 8;
/// Time exceeded.
pub const TIME_EXCEEDED: u8 = 11;
/// Parameter problem.
pub const PARAM_PROBLEM: u8 = 12;

/// True for the types that quote the offending packet (unreachable, quench, redirect,
/// time exceeded, parameter problem).
pub fn is_error(icmp_type: u8) -> bool {
    matches!(icmp_type, UNREACH | SOURCE_QUENCH | REDIRECT | TIME_EXCEEDED | PARAM_PROBLEM)
}

/// The packet quoted by an ICMP error, decoded leniently from its IP header on; `None` for
/// other types or when not even an IP header is there.
pub fn quoted<'a>(icmp: &Icmpv4Slice<'a>) -> Option<LaxSlicedPacket<'a>> {
    if !is_error(icmp.type_u8()) {
        return None;
    }
    LaxSlicedPacket::from_ip(icmp.payload()).ok()
}

/// ICMP type names: Scapy's, the one table pkt-send reads (`ICMP(type=dest-unreach)`) and
/// pkt-decode's JSON writes (`icmp.type_name`).
pub const TYPE_NAMES: &[(&str, u64)] = &[
    ("echo-reply", 0),
    ("dest-unreach", 3),
    ("source-quench", 4),
    ("redirect", 5),
    ("echo-request", 8),
    ("router-advertisement", 9),
    ("router-solicitation", 10),
    ("time-exceeded", 11),
    ("parameter-problem", 12),
    ("timestamp-request", 13),
    ("timestamp-reply", 14),
    ("information-request", 15),
    ("information-response", 16),
    ("address-mask-request", 17),
    ("address-mask-reply", 18),
];

/// The name of an ICMP type in [`TYPE_NAMES`], when it has one.
pub fn type_name(t: u8) -> Option<&'static str> {
    TYPE_NAMES.iter().find(|&&(_, v)| v == u64::from(t)).map(|&(n, _)| n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_udp() {
        // Port unreachable quoting IPv4/UDP 10.0.0.1:1234 -> 10.0.0.2:53.
        let mut p = vec![3, 3, 0, 0, 0, 0, 0, 0];
        p.extend_from_slice(&[0x45, 0, 0, 28, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
        p.extend_from_slice(&[0x04, 0xd2, 0, 53, 0, 8, 0, 0]);
        let icmp = Icmpv4Slice::from_slice(&p).unwrap();
        let q = quoted(&icmp).unwrap();
        match q.transport {
            Some(etherparse::TransportSlice::Udp(u)) => assert_eq!(u.destination_port(), 53),
            other => panic!("{other:?}"),
        }
        // Truncated quote: the IP header alone still decodes.
        let short = Icmpv4Slice::from_slice(&p[..30]).unwrap();
        let q = quoted(&short).unwrap();
        assert!(q.net.is_some() && q.transport.is_none());
        // Garbage after the ICMP header: no quote.
        let junk = [3, 1, 0, 0, 0, 0, 0, 0, 0x99];
        assert!(quoted(&Icmpv4Slice::from_slice(&junk).unwrap()).is_none());
        let echo = [8, 0, 0, 0, 0, 1, 0, 2];
        assert!(quoted(&Icmpv4Slice::from_slice(&echo).unwrap()).is_none());
        assert!(Icmpv4Slice::from_slice(&echo[..7]).is_err());
    }
}
