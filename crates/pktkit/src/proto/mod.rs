//! Protocols, one module each. Each module parses borrowed byte slices (zero-copy views),
//! never panics on hostile input and reports where a packet stopped making sense.

pub mod dhcp;
pub mod dns;
pub mod http;
pub mod tls;

mod tcpdump_text;
mod tshark_text;
