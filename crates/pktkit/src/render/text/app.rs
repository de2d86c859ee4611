//! The application-layer seam of the text output.
//!
//! tcpdump prints an application summary after the transport one (`4660+ A? example.com.
//! (29)` for DNS, `HTTP: GET / HTTP/1.1` for HTTP, ...). The application decoders live in
//! `crate::proto` (`dns`, `http`, `tls`, `dhcp`) and are written separately; each one is
//! wired in here by one arm on [`crate::decode::AppProto`]. Until an arm exists, the line
//! ends with the transport summary: for UDP tcpdump's generic `UDP, length N`, for TCP
//! `length N`.

use crate::decode::Decoded;

/// Appends the application text after a TCP summary (`, length N`); `payload` is the captured
/// TCP payload, `len` its length on the wire.
pub fn tcp_text(_b: &mut Vec<u8>, d: &Decoded<'_>, _payload: &[u8], _len: usize) {
    // Recognised by crate::decode::app::classify; no application printer is merged yet.
    let _ = d.app;
}

/// Prints the application summary of a UDP datagram instead of `UDP, length N`; false when
/// there is none (the caller then prints the generic summary).
pub fn udp_text(
    _b: &mut Vec<u8>,
    d: &Decoded<'_>,
    _sport: u16,
    _dport: u16,
    _payload: &[u8],
    _len: usize,
) -> bool {
    // Recognised by crate::decode::app::classify; no application printer is merged yet.
    let _ = d.app;
    false
}
