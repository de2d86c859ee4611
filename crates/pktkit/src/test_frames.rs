//! Small frames for the unit tests (decoder, writers, display filter), built from
//! `craft` specs: raw IPv4 (10.0.0.1 > 10.0.0.2) carrying UDP or TCP, and [`crafted`] for
//! any other spec (the one `crafted` of every test crate, from `tests/support/shared.rs`).

// Through `extern crate self as pktkit` (lib.rs), since the file names this crate `pktkit`.
#[allow(dead_code)]
#[path = "../../../tests/support/shared.rs"]
mod shared;

pub use shared::{crafted, hex, raw_layer};

/// IPv4 (10.0.0.1 > 10.0.0.2) carrying UDP from `sport` to `dport` and `payload`.
pub fn udp4(sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
    crafted(&format!("IP(src=10.0.0.1,dst=10.0.0.2)/UDP(sport={sport},dport={dport}){}", raw_layer(payload)))
}

/// IPv4 (10.0.0.1 > 10.0.0.2) carrying a 20-byte TCP header (seq 1, ack 1, PSH+ACK, window
/// 256) from `sport` to `dport` and `payload`.
pub fn tcp4(sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
    crafted(&format!(
        "IP(src=10.0.0.1,dst=10.0.0.2)/TCP(sport={sport},dport={dport},seq=1,ack=1,flags=PA,window=256){}",
        raw_layer(payload)
    ))
}
