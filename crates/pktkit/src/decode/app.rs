//! The application-layer step: which protocol follows TCP or UDP, and where its bytes start.
//!
//! [`classify`] decides by port and by content; it does not parse. The parsers live in
//! `proto/` (`dns`, `http`, `tls`, `dhcp`) and are handed [`App::data`]. Adding a protocol is
//! one variant here, one rule in [`classify`], and a parser in `proto/`.

use etherparse::TransportSlice;

use super::{Decoded, offset_in};

/// An application protocol pktkit recognises.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AppProto {
    /// DNS over UDP (the message) or TCP (a 2-byte length, then the message); also mDNS.
    Dns,
    /// HTTP/1.x request or response.
    Http,
    /// TLS record carrying a handshake.
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
    /// Offset of the first application byte in the frame.
    pub offset: usize,
    /// The application bytes as captured (the TCP or UDP payload).
    pub data: &'a [u8],
}

const HTTP_METHODS: [&[u8]; 9] =
    [b"GET ", b"POST ", b"HEAD ", b"PUT ", b"DELETE ", b"OPTIONS ", b"PATCH ", b"CONNECT ", b"TRACE "];

/// True when `p` starts like an HTTP/1.x request or response.
pub fn looks_like_http(p: &[u8]) -> bool {
    p.starts_with(b"HTTP/1.") || HTTP_METHODS.iter().any(|m| p.starts_with(m))
}

/// True when `p` starts with a TLS handshake record header (content type 22, version 3.x).
pub fn looks_like_tls_handshake(p: &[u8]) -> bool {
    p.len() >= 6 && p[0] == 22 && p[1] == 3 && p[2] <= 4
}

/// Names the application protocol after the transport layer of `d`, if any.
pub fn classify<'a>(d: &Decoded<'a>) -> Option<App<'a>> {
    let (sport, dport, data, over_tcp) = match &d.transport {
        Some(TransportSlice::Udp(u)) => (u.source_port(), u.destination_port(), u.payload(), false),
        Some(TransportSlice::Tcp(t)) => (t.source_port(), t.destination_port(), t.payload(), true),
        _ => return None,
    };
    if data.is_empty() {
        return None;
    }
    let port = |p: u16| sport == p || dport == p;
    let proto = if over_tcp {
        if port(53) {
            AppProto::Dns
        } else if looks_like_tls_handshake(data) {
            AppProto::Tls
        } else if looks_like_http(data) || port(80) || port(8080) {
            AppProto::Http
        } else {
            return None;
        }
    } else if port(53) || port(5353) {
        AppProto::Dns
    } else if port(67) || port(68) {
        AppProto::Dhcp
    } else {
        return None;
    };
    Some(App { proto, over_tcp, offset: offset_in(d.data, data), data })
}
