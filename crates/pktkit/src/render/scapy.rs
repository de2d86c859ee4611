//! Scapy's views of a packet: `show2()` (one `###[ Layer ]###` block per layer, every field
//! with its value as the bytes hold it, so lengths and checksums are the computed ones),
//! `hexdump()`, and `ls(Layer)`'s field list.
//!
//! The field names, widths and value names come from the crafting tables
//! ([`crate::craft`]), so `pkt-send --show` spells a packet as its spec is written. Layers
//! dissected: Ethernet, 802.1Q, ARP, IPv4, IPv6, TCP, UDP, ICMP (with the quoted packet as
//! Scapy's `IP in ICMP`, `UDP in ICMP`, ...), ICMPv6 echo, neighbour discovery and its options
//! ([`nd`]), DNS over UDP ports 53 and 5353 with its records ([`dns`]); whatever follows is `Raw`
//! (and `Padding` past an IP datagram's length), as Scapy shows a payload it has no dissector for.

mod dns;
mod nd;

use std::fmt::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::capture::LinkType;
use crate::craft::{FieldDef, FieldKind, LAYERS, LayerDef, icmp_fields};
use crate::proto::ethernet::ether_type;
use crate::proto::ip_proto;
use crate::services::SERVICE_NUMBERS;

/// Scapy's ICMP code names, by type (its `icmpcodes`).
const ICMP_CODES: &[(u8, &[(&str, u64)])] = &[
    (
        3,
        &[
            ("network-unreachable", 0),
            ("host-unreachable", 1),
            ("protocol-unreachable", 2),
            ("port-unreachable", 3),
            ("fragmentation-needed", 4),
            ("source-route-failed", 5),
            ("network-unknown", 6),
            ("host-unknown", 7),
            ("network-prohibited", 9),
            ("host-prohibited", 10),
            ("TOS-network-unreachable", 11),
            ("TOS-host-unreachable", 12),
            ("communication-prohibited", 13),
            ("host-precedence-violation", 14),
            ("precedence-cutoff", 15),
        ],
    ),
    (
        5,
        &[
            ("network-redirect", 0),
            ("host-redirect", 1),
            ("TOS-network-redirect", 2),
            ("TOS-host-redirect", 3),
        ],
    ),
    (11, &[("ttl-zero-during-transit", 0), ("ttl-zero-during-reassembly", 1)]),
    (12, &[("ip-header-bad", 0), ("required-option-missing", 1)]),
];

/// Scapy's names of IPv6 next headers (its `ipv6nh`), which differ from IPv4's.
const IPV6_NEXT_HEADERS: &[(&str, u64)] = &[
    ("Hop-by-Hop Option Header", 0),
    ("TCP", 6),
    ("UDP", 17),
    ("IPv6", 41),
    ("Routing Header", 43),
    ("Fragment Header", 44),
    ("ESP Header", 50),
    ("AH Header", 51),
    ("ICMPv6", 58),
    ("No Next Header", 59),
    ("Destination Option Header", 60),
];

/// Scapy's names of ARP hardware types (its `HARDWARE_TYPES`, the common ones).
const ARP_HARDWARE: &[(&str, u64)] = &[
    ("Ethernet (10Mb)", 1),
    ("Ethernet (3Mb)", 2),
    ("AX.25", 3),
    ("IEEE 802 Networks", 6),
    ("Frame Relay", 15),
    ("ATM", 16),
    ("IEEE 1394", 24),
    ("Infiniband", 32),
];

/// Fields Scapy prints in hexadecimal (its `X...Field`s), by layer.
const HEX_FIELDS: &[(&str, &[&str])] = &[
    ("Ether", &["type"]),
    ("Dot1Q", &["type"]),
    ("ARP", &["hwtype", "ptype"]),
    ("IP", &["tos", "chksum"]),
    ("TCP", &["chksum"]),
    ("UDP", &["chksum"]),
    ("ICMP", &["chksum", "id", "seq"]),
    ("ICMPv6EchoRequest", &["cksum", "id", "seq"]),
    ("ICMPv6EchoReply", &["cksum", "id", "seq"]),
    ("ICMPv6ND_RS", &["cksum"]),
    ("ICMPv6ND_RA", &["cksum"]),
    ("ICMPv6ND_NS", &["cksum"]),
    ("ICMPv6ND_NA", &["cksum", "res"]),
];

/// Scapy's display names of the layers whose class name differs.
const SHOWN_NAMES: &[(&str, &str)] = &[
    ("Ether", "Ethernet"),
    ("Dot1Q", "802.1Q"),
    ("ICMPv6EchoRequest", "ICMPv6 Echo Request"),
    ("ICMPv6EchoReply", "ICMPv6 Echo Reply"),
    ("ICMPv6ND_RS", nd::MESSAGES[0].2),
    ("ICMPv6ND_RA", nd::MESSAGES[1].2),
    ("ICMPv6ND_NS", nd::MESSAGES[2].2),
    ("ICMPv6ND_NA", nd::MESSAGES[3].2),
    ("ICMPv6NDOptSrcLLAddr", "ICMPv6 Neighbor Discovery Option - Source Link-Layer Address"),
    ("ICMPv6NDOptDstLLAddr", "ICMPv6 Neighbor Discovery Option - Destination Link-Layer Address"),
];

/// Scapy's names of the ICMPv6 echo and neighbour discovery types (its `icmp6types`).
const ICMPV6_TYPES: &[(&str, u64)] = &[
    ("Echo Request", 128),
    ("Echo Reply", 129),
    ("Router Solicitation", 133),
    ("Router Advertisement", 134),
    ("Neighbor Solicitation", 135),
    ("Neighbor Advertisement", 136),
];

/// Scapy's names of a router advertisement's preference (its `icmp6ndraprefs`).
const RA_PREFERENCES: &[(&str, u64)] = &[("Medium (default)", 0), ("High", 1), ("Reserved", 2), ("Low", 3)];

/// TCP flag letters in bit order (Scapy's `FSRPAUECN`).
const TCP_FLAGS: &str = "FSRPAUECN";

/// IPv4 flag names in bit order (bit 0 is MF).
const IP_FLAGS: [&str; 3] = ["MF", "DF", "evil"];

fn layer(name: &str) -> &'static LayerDef {
    LAYERS.iter().find(|l| l.name == name).expect("a crafting layer")
}

/// Reads fields of `bits` bits, most significant first, from a header.
struct Bits<'a> {
    data: &'a [u8],
    at: usize,
}

impl Bits<'_> {
    fn take(&mut self, bits: usize) -> Option<u128> {
        if self.at + bits > self.data.len() * 8 {
            return None;
        }
        let mut v = 0u128;
        for _ in 0..bits {
            let byte = self.data[self.at / 8];
            v = v << 1 | u128::from(byte >> (7 - self.at % 8) & 1);
            self.at += 1;
        }
        Some(v)
    }
}

fn bits_of(kind: FieldKind) -> usize {
    match kind {
        FieldKind::Int { bits, .. } => bits as usize,
        FieldKind::TcpFlags => 9,
        FieldKind::IpFlags => 3,
        FieldKind::Ipv4 => 32,
        FieldKind::Ipv6 => 128,
        FieldKind::Mac => 48,
        _ => 0,
    }
}

/// A field's value as Scapy prints it.
fn value(layer: &str, f: &FieldDef, v: u128) -> String {
    let hex = HEX_FIELDS.iter().any(|(l, names)| *l == layer && names.contains(&f.name));
    match f.kind {
        FieldKind::Mac => {
            let b = (v as u64).to_be_bytes();
            super::out::MacText(&b[2..]).to_string()
        }
        FieldKind::Ipv4 => Ipv4Addr::from(v as u32).to_string(),
        FieldKind::Ipv6 => Ipv6Addr::from(v).to_string(),
        FieldKind::TcpFlags => {
            TCP_FLAGS.chars().enumerate().filter(|(i, _)| v >> i & 1 == 1).map(|(_, c)| c).collect()
        }
        FieldKind::IpFlags => IP_FLAGS
            .iter()
            .enumerate()
            .filter(|(i, _)| v >> i & 1 == 1)
            .map(|(_, n)| *n)
            .collect::<Vec<_>>()
            .join("+"),
        FieldKind::Int { names, .. } => {
            let names = match (layer, f.name) {
                ("IPv6", "nh") => IPV6_NEXT_HEADERS,
                ("ARP", "hwtype") => ARP_HARDWARE,
                (l, "type") if l.starts_with("ICMPv6") && !l.starts_with("ICMPv6NDOpt") => ICMPV6_TYPES,
                ("ICMPv6ND_RA", "prf") => RA_PREFERENCES,
                (_, "sport" | "dport") => &SERVICE_NUMBERS,
                _ => names,
            };
            match names.iter().find(|(_, n)| u128::from(*n) == v) {
                // Scapy's service names come from /etc/services with '-' read as '_'.
                Some((name, _)) if f.name.ends_with("port") => name.replace('-', "_"),
                Some((name, _)) => name.to_string(),
                None if hex => format!("{v:#x}"),
                None => v.to_string(),
            }
        }
        _ => String::new(),
    }
}

/// How Scapy prints a `load`: Python's `repr()` of the bytes decoded as UTF-8 with
/// `errors="backslashreplace"` (so a byte that is not UTF-8 shows as `\\xff`).
fn py_bytes(b: &[u8]) -> String {
    let mut text = String::new();
    for chunk in b.utf8_chunks() {
        text.push_str(chunk.valid());
        for byte in chunk.invalid() {
            let _ = write!(text, "\\x{byte:02x}");
        }
    }
    let quote = if text.contains('\'') && !text.contains('"') { '"' } else { '\'' };
    let mut s = String::from(quote);
    for c in text.chars() {
        match c {
            '\\' => s.push_str("\\\\"),
            '\t' => s.push_str("\\t"),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            c if c == quote => {
                s.push('\\');
                s.push(quote);
            }
            // Python's non-printable characters: controls and separators other than space.
            c if c.is_control() || (c.is_whitespace() && c != ' ') || c == '\u{ad}' => {
                let n = c as u32;
                let _ = match n {
                    0..=0xff => write!(s, "\\x{n:02x}"),
                    0x100..=0xffff => write!(s, "\\u{n:04x}"),
                    _ => write!(s, "\\U{n:08x}"),
                };
            }
            c => s.push(c),
        }
    }
    s.push(quote);
    s
}

/// Writes `show2()` blocks into a string.
struct Shower {
    out: String,
    depth: usize,
    /// Inside an ICMP error: layer names get Scapy's ` in ICMP`.
    quoted: bool,
}

impl Shower {
    /// A layer's first line, at the left margin whatever the depth, as Scapy prints it.
    fn header(&mut self, name: &str) {
        let name = SHOWN_NAMES.iter().find(|(class, _)| *class == name).map_or(name, |(_, shown)| shown);
        let suffix = if self.quoted && name != "Raw" && name != "Padding" { " in ICMP" } else { "" };
        let _ = writeln!(self.out, "###[ {name}{suffix} ]### ");
    }

    fn field(&mut self, name: &str, value: &str) {
        let pad = "   ".repeat(self.depth.saturating_sub(1));
        let _ = writeln!(self.out, "{pad}  {name:<10}= {value}");
    }

    fn empty_list(&mut self, name: &str) {
        let pad = "   ".repeat(self.depth.saturating_sub(1));
        let _ = writeln!(self.out, "{pad}  \\{name:<10}\\");
    }

    /// Shows the fixed fields of `def` from `data`; returns their values and the bytes used.
    fn fixed(&mut self, def: &LayerDef, data: &[u8], only: Option<&[&str]>) -> Option<(Vec<u128>, usize)> {
        let mut bits = Bits { data, at: 0 };
        let mut values = Vec::new();
        let mut lines = Vec::new();
        for f in def.fields {
            if let Some(only) = only
                && !only.contains(&f.name)
            {
                continue;
            }
            let width = bits_of(f.kind);
            if width == 0 {
                continue;
            }
            let v = bits.take(width)?;
            values.push(v);
            lines.push((f.name, value(def.name, f, v)));
        }
        self.depth += 1;
        self.header(def.name);
        for (n, v) in lines {
            self.field(n, &v);
        }
        Some((values, bits.at / 8))
    }

    fn raw(&mut self, name: &str, data: &[u8]) {
        if data.is_empty() {
            return;
        }
        self.depth += 1;
        self.header(name);
        self.field("load", &py_bytes(data));
    }
}

/// Scapy's `show2()` of a frame of link type `linktype`.
pub fn show(linktype: LinkType, frame: &[u8]) -> String {
    let mut s = Shower { out: String::new(), depth: 0, quoted: false };
    let rest = match linktype {
        LinkType::ETHERNET => ether(&mut s, frame),
        LinkType::RAW | LinkType::IPV4 | LinkType::IPV6 => ip(&mut s, frame),
        _ => Some(frame),
    };
    if let Some(rest) = rest {
        s.raw("Raw", rest);
    }
    s.out.push('\n');
    s.out
}

/// Ethernet and 802.1Q tags, then the EtherType's layer; the bytes left for `Raw`.
fn ether<'a>(s: &mut Shower, frame: &'a [u8]) -> Option<&'a [u8]> {
    let (v, used) = s.fixed(layer("Ether"), frame, None)?;
    // The type fields are 16 bits wide.
    let mut next = v[2] as u16;
    let mut rest = &frame[used..];
    while next == ether_type::VLAN || next == ether_type::QINQ {
        let (v, used) = s.fixed(layer("Dot1Q"), rest, None)?;
        next = v[3] as u16;
        rest = &rest[used..];
    }
    match next {
        ether_type::IPV4 | ether_type::IPV6 => ip(s, rest),
        ether_type::ARP => {
            let (_, used) = s.fixed(layer("ARP"), rest, None)?;
            let rest = &rest[used..];
            s.raw("Padding", rest);
            None
        }
        _ => Some(rest),
    }
}

/// IPv4 or IPv6 by the version nibble, then TCP, UDP or ICMP; the payload left for `Raw`.
fn ip<'a>(s: &mut Shower, data: &'a [u8]) -> Option<&'a [u8]> {
    match data.first()? >> 4 {
        4 => {
            let (v, used) = s.fixed(layer("IP"), data, None)?;
            let (ihl, total, proto) = (v[1] as usize * 4, v[3] as usize, v[8] as u8);
            let options = data.get(used..ihl.max(used))?;
            if options.is_empty() {
                s.empty_list("options");
            } else {
                s.field("options", &format!("[{}]", py_bytes(options)));
            }
            // Past the datagram's length: Scapy's Padding (no dissection of the rest).
            let end = total.clamp(ihl.min(data.len()), data.len());
            let body = &data[ihl.min(data.len())..end];
            let rest = transport(s, proto, body);
            if let Some(r) = rest {
                s.raw("Raw", r);
            }
            s.raw("Padding", &data[end..]);
            None
        }
        6 => {
            let (v, used) = s.fixed(layer("IPv6"), data, None)?;
            // Past the payload length: Scapy's Padding.
            let end = (used + v[3] as usize).min(data.len());
            if let Some(r) = transport(s, v[4] as u8, &data[used..end]) {
                s.raw("Raw", r);
            }
            s.raw("Padding", &data[end..]);
            None
        }
        _ => Some(data),
    }
}

fn transport<'a>(s: &mut Shower, proto: u8, data: &'a [u8]) -> Option<&'a [u8]> {
    match proto {
        ip_proto::TCP => {
            let (v, used) = s.fixed(layer("TCP"), data, None)?;
            let end = (v[4] as usize * 4).clamp(used, data.len());
            s.field("options", &tcp_options(&data[used..end]));
            Some(&data[end..])
        }
        ip_proto::UDP => {
            let (v, used) = s.fixed(layer("UDP"), data, None)?;
            let body = &data[used..];
            if DNS_PORTS.contains(&v[0]) || DNS_PORTS.contains(&v[1]) {
                return Some(dns::show(s, body).unwrap_or(body));
            }
            Some(body)
        }
        ip_proto::ICMP => icmp(s, data),
        ip_proto::ICMPV6 if matches!(data.first(), Some(128 | 129)) => {
            let name = if data[0] == 128 { "ICMPv6EchoRequest" } else { "ICMPv6EchoReply" };
            let (_, used) = s.fixed(layer(name), data, None)?;
            s.field("data", &py_bytes(&data[used..]));
            None
        }
        ip_proto::ICMPV6 => nd::show(s, data).or(Some(data)),
        _ => Some(data),
    }
}

/// Scapy binds DNS to UDP ports 53 and 5353 (either side).
const DNS_PORTS: [u128; 2] = [53, 5353];

/// ICMP's fixed head, the fields Scapy shows for its type, then the quoted packet of an error.
fn icmp<'a>(s: &mut Shower, data: &'a [u8]) -> Option<&'a [u8]> {
    let def = layer("ICMP");
    let (icmp_type, code) = (*data.first()?, *data.get(1)?);
    let mut bits = Bits { data, at: 32 };
    let head = [("type", 8usize), ("code", 8), ("chksum", 16)];
    let mut lines: Vec<(String, String)> = Vec::new();
    for (i, (name, _)) in head.iter().enumerate() {
        let f = &def.fields[i];
        let v = u128::from(match i {
            0 => icmp_type as u16,
            1 => code as u16,
            _ => u16::from_be_bytes([*data.get(2)?, *data.get(3)?]),
        });
        let text = if *name == "code" {
            ICMP_CODES
                .iter()
                .find(|(t, _)| *t == icmp_type)
                .and_then(|(_, names)| names.iter().find(|(_, n)| u128::from(*n) == v))
                .map_or(v.to_string(), |(n, _)| n.to_string())
        } else {
            value("ICMP", f, v)
        };
        lines.push((name.to_string(), text));
    }
    for field in icmp_fields(u64::from(icmp_type)) {
        let name = &field.name;
        let Some(f) = def.fields.get(field.index) else { continue };
        // Scapy's `unused` is 16 bits for time-exceeded and parameter-problem.
        let width = if *name == "unused" && matches!(icmp_type, 11 | 12) { 16 } else { bits_of(f.kind) };
        let v = bits.take(width)?;
        lines.push((name.to_string(), value("ICMP", f, v)));
    }
    // Scapy 2.5 ends the echo, unreachable and information types with an empty `unused`.
    if matches!(icmp_type, 0 | 3 | 5 | 8 | 13..=18) {
        lines.push(("unused".to_string(), "''".to_string()));
    }
    s.depth += 1;
    s.header("ICMP");
    for (n, v) in &lines {
        s.field(n, v);
    }
    let rest = data.get(bits.at.div_ceil(8).max(8)..)?;
    if matches!(icmp_type, 3 | 4 | 5 | 11 | 12) && !rest.is_empty() && !s.quoted {
        s.quoted = true;
        return ip(s, rest);
    }
    Some(rest)
}

/// TCP options as Scapy's list of (name, value) tuples.
fn tcp_options(mut o: &[u8]) -> String {
    let mut items = Vec::new();
    while let Some(&kind) = o.first() {
        match kind {
            0 => {
                items.push("('EOL', None)".to_string());
                o = &o[1..];
                continue;
            }
            1 => {
                items.push("('NOP', None)".to_string());
                o = &o[1..];
                continue;
            }
            _ => {}
        }
        let len = *o.get(1).unwrap_or(&0) as usize;
        if len < 2 || len > o.len() {
            items.push(format!("({kind}, {})", py_bytes(&o[1..])));
            break;
        }
        let body = &o[2..len];
        let be = |b: &[u8]| b.iter().fold(0u64, |a, x| a << 8 | u64::from(*x));
        items.push(match (kind, body.len()) {
            (2, 2) => format!("('MSS', {})", be(body)),
            (3, 1) => format!("('WScale', {})", body[0]),
            (4, 0) => "('SAckOK', b'')".to_string(),
            (8, 8) => format!("('Timestamp', ({}, {}))", be(&body[..4]), be(&body[4..])),
            (5, _) => {
                let edges: Vec<String> = body.chunks(4).map(|c| be(c).to_string()).collect();
                format!("('SAck', ({}))", edges.join(", "))
            }
            _ => format!("({kind}, b{})", py_bytes(body)),
        });
        o = &o[len..];
    }
    format!("[{}]", items.join(", "))
}

/// Scapy's `hexdump()`: 16 bytes a line, offset, upper-case hex, printable ASCII.
pub fn hexdump(data: &[u8]) -> String {
    let mut out = String::new();
    for (i, line) in data.chunks(16).enumerate() {
        let hex: String = line.iter().map(|b| format!("{b:02X} ")).collect();
        let ascii: String =
            line.iter().map(|&b| if (0x20..0x7f).contains(&b) { b as char } else { '.' }).collect();
        let _ = writeln!(out, "{:04x}  {hex:<48} {ascii}", i * 16);
    }
    out
}

/// The default of every field as Scapy's `ls()` prints it (the `repr()` of the class's default;
/// `None` where the value is computed when the packet is built), in each layer's field order.
/// `TS` stands for the milliseconds since midnight UTC, Scapy's default ICMP timestamps. The
/// link-layer address of the ND options is `None` here, not Scapy's all-zero MAC: pktkit fills
/// in the sending interface's address.
const LS_DEFAULTS: &[(&str, &[&str])] = &[
    ("Ether", &["None", "None", "36864"]),
    ("Dot1Q", &["0", "0", "1", "0"]),
    ("ARP", &["1", "2048", "None", "None", "1", "None", "None", "None", "None"]),
    ("IP", &["4", "None", "0", "None", "1", "<Flag 0 ()>", "0", "64", "0", "None", "None", "None"]),
    ("IPv6", &["6", "0", "0", "None", "59", "64", "None", "None"]),
    ("TCP", &["20", "80", "0", "0", "None", "0", "<Flag 2 (S)>", "8192", "None", "0", "b''"]),
    ("UDP", &["53", "53", "None", "None"]),
    (
        "ICMP",
        &["8", "0", "None", "0", "0", "TS", "TS", "TS", "'0.0.0.0'", "0", "0", "0", "'0.0.0.0'", "0", "b''"],
    ),
    ("ICMPv6EchoRequest", &["128", "0", "None", "0", "0", "b''"]),
    ("ICMPv6EchoReply", &["129", "0", "None", "0", "0", "b''"]),
    ("ICMPv6ND_NS", &["135", "0", "None", "0", "'::'"]),
    ("ICMPv6ND_NA", &["136", "0", "None", "1", "0", "1", "0", "'::'"]),
    ("ICMPv6ND_RS", &["133", "0", "None", "0"]),
    ("ICMPv6ND_RA", &["134", "0", "None", "0", "0", "0", "0", "1", "0", "0", "1800", "0", "0"]),
    ("ICMPv6NDOptSrcLLAddr", &["1", "1", "None"]),
    ("ICMPv6NDOptDstLLAddr", &["2", "1", "None"]),
    (
        "DNS",
        &[
            "None",
            "0",
            "0",
            "0",
            "0",
            "0",
            "1",
            "0",
            "0",
            "0",
            "0",
            "0",
            "None",
            "None",
            "None",
            "None",
            "<DNSQR  |>",
            "b'www.example.com.'",
            "1",
            "1",
        ],
    ),
    ("Raw", &["b''", "b''"]),
];

/// `ls(Layer)`: each field's name, kind and width, and default (as Scapy prints it), in header
/// order; None for an unknown layer.
pub fn list(layer_name: &str) -> Option<String> {
    let def = LAYERS.iter().find(|l| l.name.eq_ignore_ascii_case(layer_name))?;
    let defaults = LS_DEFAULTS.iter().find(|(name, _)| *name == def.name).map_or(&[][..], |(_, d)| d);
    let mut out = String::new();
    for (i, f) in def.fields.iter().enumerate() {
        let kind = match f.kind {
            FieldKind::Int { bits, names: [] } => format!("{bits}-bit integer"),
            FieldKind::Int { bits, .. } => format!("{bits}-bit integer or name"),
            FieldKind::TcpFlags => "flags (letters of FSRPAUECN)".to_string(),
            FieldKind::IpFlags => "flags (MF, DF, evil joined by +)".to_string(),
            FieldKind::Ipv4 => "IPv4 address".to_string(),
            FieldKind::Ipv6 => "IPv6 address".to_string(),
            FieldKind::Mac => "MAC address".to_string(),
            FieldKind::Bytes => "bytes".to_string(),
            FieldKind::Hex => "bytes as hex digits".to_string(),
            FieldKind::DnsName => "DNS name".to_string(),
            FieldKind::Questions => "DNS questions (DNSQR(...) or a list)".to_string(),
            FieldKind::TcpOptions => "TCP options (a list)".to_string(),
        };
        let alias = f.alias.map(|a| format!(" (also {a})")).unwrap_or_default();
        let default = match defaults.get(i).copied().unwrap_or("None") {
            "TS" => crate::craft::millis_since_midnight_utc().to_string(),
            d => d.to_string(),
        };
        // Scapy prints `(%r)` of the default's repr: a Python string in quotes.
        let _ = writeln!(
            out,
            "{:<10} : {:<35} = ({})",
            f.name,
            format!("{kind}{alias}"),
            py_bytes(default.as_bytes())
        );
    }
    Some(out)
}

/// The layer names `list` knows.
pub fn layer_names() -> Vec<&'static str> {
    LAYERS.iter().map(|l| l.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::craft::{Offline, craft};

    fn shown(spec: &str) -> String {
        let p = craft(spec, &Offline).unwrap().remove(0);
        show(p.start.linktype(), &p.bytes)
    }

    #[test]
    fn ether_ip_tcp_raw() {
        let s = shown(
            "Ether(src=02:00:00:00:00:01,dst=02:00:00:00:00:02)/IP(src=1.1.1.1,dst=2.2.2.2)/TCP(flags=SA)/'x'",
        );
        assert!(s.starts_with("###[ Ethernet ]### \n"), "{s}");
        assert!(s.contains("\n     proto     = tcp\n"), "{s}");
        assert!(s.contains("\n     \\options   \\\n"), "{s}");
        assert!(s.contains("\n        flags     = SA\n"), "{s}");
        assert!(s.contains("\n        sport     = ftp_data\n"), "{s}");
        assert!(s.contains("\n###[ Raw ]### \n           load      = 'x'\n"), "{s}");
        assert!(s.ends_with("\n\n"), "{s}");
    }

    #[test]
    fn every_layer_has_its_ls_defaults() {
        for def in LAYERS {
            let d = LS_DEFAULTS.iter().find(|(n, _)| *n == def.name).map(|(_, d)| d.len());
            assert_eq!(d, Some(def.fields.len()), "{}", def.name);
        }
        let tcp = list("tcp").unwrap();
        let flags = tcp.lines().find(|l| l.starts_with("flags ")).unwrap();
        assert_eq!(
            flags,
            format!("{:<10} : {:<35} = ('<Flag 2 (S)>')", "flags", "flags (letters of FSRPAUECN)")
        );
        assert!(tcp.ends_with("= (\"b''\")\n"), "{tcp}");
    }

    /// Every cut and every one-byte change of DNS answers and ND options shows without a panic.
    #[test]
    fn cut_and_changed_records_never_panic() {
        let specs = [
            "IP()/UDP(sport=53)/Raw(hex=000781000001000300000000045f736970045f756470076578616d706c6503636f6d0000210001c00c0021000100000000000c0001000513c403736970c016c0390005000100000000000704686f7374c016013401330132013107696e2d61646472046172706100000c00010000003c0002c04b)",
            "IP()/UDP(sport=53)/Raw(hex=123400000001000100010001000000060001c00c000f0001000000000005000ac00c0000060001000000000016c00cc00c000000010000000200000003000000040000000500002904d000008000000c000a00080102030405060708)",
            "IPv6()/ICMPv6ND_RA()/ICMPv6NDOptSrcLLAddr()/Raw(hex=05010000000005dc030440c000278d0000093a800000000020010db80000000000000000000000001903000000000e1020010db8000000000000000000000053)",
        ];
        for spec in specs {
            let p = craft(spec, &Offline).unwrap().remove(0);
            let frame = p.bytes;
            for cut in 0..=frame.len() {
                assert!(show(LinkType::RAW, &frame[..cut]).ends_with('\n'));
            }
            for at in 0..frame.len() {
                for byte in [0x00, 0x01, 0x3f, 0xc0, 0xff] {
                    let mut changed = frame.clone();
                    changed[at] = byte;
                    assert!(show(LinkType::RAW, &changed).ends_with('\n'));
                }
            }
        }
    }

    #[test]
    fn python_bytes() {
        assert_eq!(py_bytes(b"x"), "'x'");
        assert_eq!(py_bytes(b"a'b"), "\"a'b\"");
        assert_eq!(py_bytes(b"a'\"b"), "'a\\'\"b'");
        assert_eq!(py_bytes(&[0, 0xff, b'\n']), "'\\x00\\\\xff\\n'");
        assert_eq!(py_bytes("aé".as_bytes()), "'aé'");
        assert_eq!(py_bytes(b"a\\b"), "'a\\\\b'");
    }

    #[test]
    fn hexdump_lines() {
        let h = hexdump(&(0u8..20).collect::<Vec<_>>());
        assert_eq!(
            h,
            "0000  00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F  ................\n\
             0010  10 11 12 13                                      ....\n"
        );
    }
}
