//! Small frames for the unit tests (decoder, writers, display filter), built from
//! `craft` specs: raw IPv4 (10.0.0.1 > 10.0.0.2) carrying UDP or TCP, and [`crafted`] for
//! any other spec.

use crate::craft::{Offline, craft};

/// The bytes of the one packet `spec` describes (offline defaults).
pub fn crafted(spec: &str) -> Vec<u8> {
    let mut packets = craft(spec, &Offline).unwrap_or_else(|e| panic!("{spec}: {e}"));
    assert_eq!(packets.len(), 1, "{spec} describes one packet");
    packets.remove(0).bytes
}

/// `/Raw(hex=...)` carrying `payload`, or nothing when it is empty.
pub fn raw(payload: &[u8]) -> String {
    if payload.is_empty() {
        return String::new();
    }
    let digits: String = payload.iter().map(|b| format!("{b:02x}")).collect();
    format!("/Raw(hex={digits})")
}

/// IPv4 (10.0.0.1 > 10.0.0.2) carrying UDP from `sport` to `dport` and `payload`.
pub fn udp4(sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
    crafted(&format!("IP(src=10.0.0.1,dst=10.0.0.2)/UDP(sport={sport},dport={dport}){}", raw(payload)))
}

/// IPv4 (10.0.0.1 > 10.0.0.2) carrying a 20-byte TCP header (seq 1, ack 1, PSH+ACK, window
/// 256) from `sport` to `dport` and `payload`.
pub fn tcp4(sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
    crafted(&format!(
        "IP(src=10.0.0.1,dst=10.0.0.2)/TCP(sport={sport},dport={dport},seq=1,ack=1,flags=PA,window=256){}",
        raw(payload)
    ))
}
