//! The application-layer step: which protocol follows TCP or UDP, and where its bytes start.
//!
//! [`classify`] decides as Wireshark 4.0 does, so that `--fields` and `--json` name the same
//! protocol tshark shows: the lower port first, then the higher one, in Wireshark's port
//! tables (a port registered to a dissector pktkit does not have means that protocol; the
//! TLS dissector turns down data that starts with printable text);
//! when neither port is registered, by content with Wireshark's heuristics ([`dns_heuristic`]
//! on UDP, [`tls_heuristic`] and [`http_heuristic`] on TCP). tcpdump chooses by port alone;
//! its choice is the text renderer's (`render::text`).
//!
//! It does not parse: the parsers live in `proto/` (`dns`, `http`, `tls`, `dhcp`) and are
//! handed [`App::data`]. Adding a protocol is one variant here, its ports in [`by_port`],
//! and a parser in `proto/`.

use etherparse::TransportSlice;

use super::{Decoded, offset_in, ports};

/// An application protocol pktkit recognises.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AppProto {
    /// DNS over UDP (the message) or TCP (a 2-byte length, then the message); also mDNS and
    /// LLMNR, which use DNS's format.
    Dns,
    /// HTTP/1.x request or response (also SSDP, HTTP over UDP port 1900).
    Http,
    /// TLS records.
    Tls,
    /// DHCP / BOOTP.
    Dhcp,
}

impl AppProto {
    /// Lower-case name used in JSON.
    pub fn name(self) -> &'static str {
        match self {
            AppProto::Dns => "dns",
            AppProto::Http => "http",
            AppProto::Tls => "tls",
            AppProto::Dhcp => "dhcp",
        }
    }
}

/// The application bytes of a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct App<'a> {
    /// Which protocol.
    pub proto: AppProto,
    /// True over TCP (DNS then has its 2-byte length prefix).
    pub over_tcp: bool,
    /// Multicast DNS (UDP port 5353): the top bit of a class is a flag, not part of it.
    pub mdns: bool,
    /// Offset of the first application byte in the frame.
    pub offset: usize,
    /// The application bytes as captured (the TCP or UDP payload).
    pub data: &'a [u8],
}

/// Wireshark 4.0's DNS-over-UDP heuristic: more than a header, a standard query (opcode 0),
/// a query with one question and no answer or authority records, or a response with at most
/// one question, 100 answers and 10 authority records; at most 10 additional records.
pub fn dns_heuristic(p: &[u8]) -> bool {
    if p.len() <= 12 {
        return false;
    }
    let w = |i: usize| u16::from_be_bytes([p[i], p[i + 1]]);
    let (flags, qd, an, ns, ar) = (w(2), w(4), w(6), w(8), w(10));
    if flags & 0x7800 != 0 || ar > 10 {
        return false;
    }
    if flags & 0x8000 == 0 { qd == 1 && an == 0 && ns == 0 } else { qd <= 1 && an <= 100 && ns <= 10 }
}

/// Wireshark 4.0's TLS heuristic on TCP: a record header of a handshake or application data
/// record, version SSL 3.0, TLS 1.0 to 1.2 or GM/T 0024 (0x0101), length 1 to 18431.
pub fn tls_heuristic(p: &[u8]) -> bool {
    let Some(h) = p.first_chunk::<5>() else { return false };
    let version = u16::from_be_bytes([h[1], h[2]]);
    let len = u16::from_be_bytes([h[3], h[4]]);
    matches!(h[0], 22 | 23)
        && matches!(version, 0x0300..=0x0303 | 0x0101)
        && len != 0
        && (len as usize) < 16384 + 2048
}

/// Wireshark 4.0's HTTP heuristic on TCP: the data holds a line end, and the first line
/// (not 8 bytes long) starts with `HTTP/1.` or ends with `HTTP/1.` and one more character,
/// ignoring case.
pub fn http_heuristic(p: &[u8]) -> bool {
    let Some(end) = p.iter().position(|&b| b == b'\r' || b == b'\n') else { return false };
    if end == 8 {
        return false;
    }
    let line = &p[..end];
    let is = |s: &[u8]| s.len() >= 7 && s[..7].eq_ignore_ascii_case(b"HTTP/1.");
    is(line) || (end > 8 && is(&line[end - 8..]))
}

/// What Wireshark's port tables say about one port: one of pktkit's protocols (with the
/// mDNS flag), another protocol, or nothing.
enum Port {
    Ours(AppProto, bool),
    Other,
    Free,
}

/// Wireshark's dissector for `port` over TCP or UDP.
fn by_port(over_tcp: bool, port: u16) -> Port {
    let ours = if over_tcp {
        match port {
            53 | 5353 => Some(AppProto::Dns),
            80 | 631 | 1900 | 2710 | 2869 | 3128 | 3132 | 3689 | 5985 | 8080 | 8088 | 11371 => {
                Some(AppProto::Http)
            }
            324
            | 443
            | 465
            | 636
            | 802
            | 853
            | 993
            | 995
            | 1300
            | 2221
            | 2443
            | 3249..=3252
            | 3496
            | 5061
            | 5671
            | 5684
            | 5868
            | 8883
            | 11207
            | 19999
            | 27017 => Some(AppProto::Tls),
            _ => None,
        }
    } else {
        match port {
            53 | 5355 => Some(AppProto::Dns),
            5353 => return Port::Ours(AppProto::Dns, true),
            67 | 68 | 4011 => Some(AppProto::Dhcp),
            // SSDP: HTTP over UDP, dissected by Wireshark's HTTP dissector.
            1900 => Some(AppProto::Http),
            _ => None,
        }
    };
    match ours {
        Some(p) => Port::Ours(p, false),
        None if port != 0
            && (if over_tcp { ports::TCP } else { ports::UDP }).binary_search(&port).is_ok() =>
        {
            Port::Other
        }
        None => Port::Free,
    }
}

/// Names the protocol of a TCP or UDP payload as Wireshark 4.0 would, from its ports and
/// content; the flag is true for multicast DNS. None for an empty payload.
pub fn classify_payload(over_tcp: bool, sport: u16, dport: u16, data: &[u8]) -> Option<(AppProto, bool)> {
    if data.is_empty() {
        return None;
    }
    let (low, high) = if sport > dport { (dport, sport) } else { (sport, dport) };
    for port in [low, high] {
        match by_port(over_tcp, port) {
            // Wireshark's TLS dissector turns down data that starts with four printable
            // characters ("extremely unlikely" TLS): the next port and the heuristics get it.
            Port::Ours(AppProto::Tls, _)
                if data.len() > 4 && data[..4].iter().all(|b| (0x20..0x7f).contains(b)) => {}
            Port::Ours(p, mdns) => return Some((p, mdns)),
            Port::Other => return None,
            Port::Free => {}
        }
    }
    if over_tcp {
        if tls_heuristic(data) {
            Some((AppProto::Tls, false))
        } else if http_heuristic(data) {
            Some((AppProto::Http, false))
        } else {
            None
        }
    } else if dns_heuristic(data) {
        Some((AppProto::Dns, false))
    } else {
        None
    }
}

/// Names the application protocol after the transport layer of `d`, if any.
pub fn classify<'a>(d: &Decoded<'a>) -> Option<App<'a>> {
    let (sport, dport, data, over_tcp) = match &d.transport {
        Some(TransportSlice::Udp(u)) => (u.source_port(), u.destination_port(), u.payload(), false),
        Some(TransportSlice::Tcp(t)) => (t.source_port(), t.destination_port(), t.payload(), true),
        _ => return None,
    };
    let (proto, mdns) = classify_payload(over_tcp, sport, dport, data)?;
    Some(App { proto, over_tcp, mdns, offset: offset_in(d.data, data), data })
}
