//! Protocols, one module each. Each module parses borrowed byte slices (zero-copy views),
//! never panics on hostile input and reports where a packet stopped making sense. Where
//! etherparse already parses a header, the module re-exports its view and adds only what the
//! outputs need (names, lenient option walks, quoted packets).

pub mod arp;
pub mod dhcp;
pub mod dns;
pub mod ethernet;
pub mod http;
pub mod icmp;
pub mod icmp_ext;
pub mod icmpv6;
pub mod ipv4;
pub mod ipv6;
pub mod null;
pub mod sll;
pub mod tcp;
pub mod tls;
pub mod tunnel;
pub mod udp;

pub(crate) mod tcpdump_text;
pub(crate) mod tshark_text;
