//! Protocols, one module each. Each module parses borrowed byte slices (zero-copy views),
//! never panics on hostile input and reports where a packet stopped making sense. Where
//! etherparse already parses a header, the module re-exports its view and adds only what the
//! outputs need (names, lenient option walks, quoted packets). Nothing here prints: every
//! tcpdump, tshark, JSON and Scapy form is in [`crate::render`].

pub mod arp;
pub mod cdp;
pub mod dhcp;
pub mod dhcp6;
pub mod dns;
pub mod ethernet;
pub mod http;
pub mod icmp;
pub mod icmp_ext;
pub mod icmpv6;
pub mod ipv4;
pub mod ipv6;
pub mod lisp;
pub mod llc;
pub mod nfs;
pub mod ntp;
pub mod null;
pub mod ospf;
pub mod pppoe;
pub mod radius;
pub mod rip;
pub mod sctp;
pub mod sflow;
pub mod slarp;
pub mod sll;
pub mod someip;
pub mod stp;
pub mod sunrpc;
pub mod syslog;
pub mod tcp;
pub mod telnet;
pub mod tls;
pub mod tunnel;
pub mod udp;
pub mod vrrp;

/// PPP protocol numbers (RFC 1661, RFC 1332, RFC 5072).
pub mod ppp_proto {
    /// IPv4 (RFC 1332).
    pub const IPV4: u16 = 0x0021;
    /// IPv6 (RFC 5072).
    pub const IPV6: u16 = 0x0057;
    /// The Link Control Protocol (RFC 1661).
    pub const LCP: u16 = 0xc021;
}

/// IP protocol numbers (IANA "Assigned Internet Protocol Numbers"), the IPv4 protocol and
/// IPv6 next-header values the decoders and senders name.
pub mod ip_proto {
    /// IPv6 Hop-by-Hop Options (RFC 8200).
    pub const HOP_BY_HOP: u8 = 0;
    /// ICMP (RFC 792).
    pub const ICMP: u8 = 1;
    /// IGMP (RFC 1112).
    pub const IGMP: u8 = 2;
    /// IPv4 in IP (RFC 2003).
    pub const IPIP: u8 = 4;
    /// TCP (RFC 9293).
    pub const TCP: u8 = 6;
    /// UDP (RFC 768).
    pub const UDP: u8 = 17;
    /// IPv6 in IP (RFC 2473, RFC 4213).
    pub const IPV6: u8 = 41;
    /// IPv6 Routing header (RFC 8200).
    pub const ROUTING: u8 = 43;
    /// IPv6 Fragment header (RFC 8200).
    pub const FRAGMENT: u8 = 44;
    /// GRE (RFC 2784).
    pub const GRE: u8 = 47;
    /// ESP (RFC 4303).
    pub const ESP: u8 = 50;
    /// AH (RFC 4302).
    pub const AH: u8 = 51;
    /// ICMPv6 (RFC 4443).
    pub const ICMPV6: u8 = 58;
    /// No next header (RFC 8200).
    pub const NO_NEXT_HEADER: u8 = 59;
    /// IPv6 Destination Options (RFC 8200).
    pub const DESTINATION_OPTIONS: u8 = 60;
    /// OSPF (RFC 2328).
    pub const OSPF: u8 = 89;
    /// PIM (RFC 7761).
    pub const PIM: u8 = 103;
    /// VRRP (RFC 5798).
    pub const VRRP: u8 = 112;
    /// DCCP (RFC 4340).
    pub const DCCP: u8 = 33;
    /// SCTP (RFC 9260).
    pub const SCTP: u8 = 132;
}
