//! Small frames for the writers' unit tests: raw IPv4 (10.0.0.1 > 10.0.0.2) carrying UDP or TCP.

/// An IPv4 header (no options, checksum 0) of protocol `proto` before `l4`.
pub fn ip4(proto: u8, l4: &[u8]) -> Vec<u8> {
    let mut p = vec![0x45, 0, 0, 0, 0, 1, 0, 0, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
    p[2..4].copy_from_slice(&((20 + l4.len()) as u16).to_be_bytes());
    p.extend_from_slice(l4);
    p
}

/// A UDP header (checksum 0) before `payload`.
pub fn udp(sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
    let len = (8 + payload.len()) as u16;
    [&sport.to_be_bytes()[..], &dport.to_be_bytes(), &len.to_be_bytes(), &[0, 0], payload].concat()
}

/// A 20-byte TCP header (seq 1, ack 1, PSH+ACK) before `payload`.
pub fn tcp(sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
    let h = [
        &sport.to_be_bytes()[..],
        &dport.to_be_bytes(),
        &[0, 0, 0, 1, 0, 0, 0, 1, 0x50, 0x18, 1, 0, 0, 0, 0, 0],
    ];
    [&h.concat()[..], payload].concat()
}
