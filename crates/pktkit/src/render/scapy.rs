//! Scapy's views of a packet: `show2()` (one `###[ Layer ]###` block per layer, every field
//! with its value as the bytes hold it, so lengths and checksums are the computed ones),
//! `hexdump()`, and `ls(Layer)`'s field list.
//!
//! The field names, widths and value names come from the crafting tables
//! ([`crate::craft`]), so `pkt-send --show` spells a packet as its spec is written. Layers
//! dissected: Ethernet, 802.1Q, ARP, IPv4, IPv6, TCP, UDP, ICMP (with the quoted packet as
//! Scapy's `IP in ICMP`, `UDP in ICMP`, ...), ICMPv6 echo, DNS queries over UDP port 53; whatever follows
//! is `Raw` (and `Padding` past an IP datagram's length), as Scapy shows a payload it has no
//! dissector for.

use std::fmt::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::capture::LinkType;
use crate::craft::{FieldDef, FieldKind, LAYERS, LayerDef, icmp_fields};
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
];

/// Scapy's display names of the layers whose class name differs.
const SHOWN_NAMES: &[(&str, &str)] = &[
    ("Ether", "Ethernet"),
    ("Dot1Q", "802.1Q"),
    ("ICMPv6EchoRequest", "ICMPv6 Echo Request"),
    ("ICMPv6EchoReply", "ICMPv6 Echo Reply"),
];

/// Scapy's names of the ICMPv6 echo types (its `icmp6types`).
const ICMPV6_ECHO_TYPES: &[(&str, u64)] = &[("Echo Request", 128), ("Echo Reply", 129)];

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
            b[2..].iter().map(|x| format!("{x:02x}")).collect::<Vec<_>>().join(":")
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
                ("ICMPv6EchoRequest" | "ICMPv6EchoReply", "type") => ICMPV6_ECHO_TYPES,
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
    let mut ether_type = v[2];
    let mut rest = &frame[used..];
    while ether_type == 0x8100 || ether_type == 0x88a8 {
        let (v, used) = s.fixed(layer("Dot1Q"), rest, None)?;
        ether_type = v[3];
        rest = &rest[used..];
    }
    match ether_type {
        0x0800 | 0x86dd => ip(s, rest),
        0x0806 => {
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
            transport(s, v[4] as u8, &data[used..])
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
            if (v[0] == DNS_PORT || v[1] == DNS_PORT) && dns_query(s, body) {
                return None;
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
        _ => Some(data),
    }
}

/// Scapy binds DNS to UDP port 53 (either side).
const DNS_PORT: u128 = 53;

/// The DNS header fields on the wire over UDP (the crafting table's `length` is TCP's).
const DNS_HEADER: &[&str] = &[
    "id", "qr", "opcode", "aa", "tc", "rd", "ra", "z", "ad", "cd", "rcode", "qdcount", "ancount", "nscount",
    "arcount",
];

/// A DNS message of questions only, as Scapy shows it (`\qd\`, one nested `DNS Question
/// Record` per question, `an`, `ns`, `ar` as `None`); false, showing nothing, for anything
/// else (records, bytes left over, a bad name), which then shows as `Raw`.
fn dns_query(s: &mut Shower, msg: &[u8]) -> bool {
    use crate::proto::dns::Name;
    let def = layer("DNS");
    let Some(counts) = msg.get(4..12) else { return false };
    let count = |i: usize| u16::from_be_bytes([counts[2 * i], counts[2 * i + 1]]);
    if count(1) != 0 || count(2) != 0 || count(3) != 0 {
        return false;
    }
    let mut questions = Vec::new();
    let mut at = 12;
    for _ in 0..count(0) {
        let Ok((name, end)) = Name::parse(msg, at) else { return false };
        let Some(tail) = msg.get(end..end + 4) else { return false };
        let mut text = Vec::new();
        for l in name.labels() {
            text.extend_from_slice(l);
            text.push(b'.');
        }
        if text.is_empty() {
            text.push(b'.');
        }
        let field = |n: &str| def.fields.iter().find(|f| f.name == n).expect("a DNS field");
        let qtype = value("DNS", field("qtype"), u128::from(u16::from_be_bytes([tail[0], tail[1]])));
        let qclass = value("DNS", field("qclass"), u128::from(u16::from_be_bytes([tail[2], tail[3]])));
        questions.push((py_bytes(&text), qtype, qclass));
        at = end + 4;
    }
    if at != msg.len() || s.fixed(def, msg, Some(DNS_HEADER)).is_none() {
        return false;
    }
    let pad = "   ".repeat(s.depth.saturating_sub(1));
    if questions.is_empty() {
        s.field("qd", "None");
    } else {
        s.empty_list("qd");
    }
    for (qname, qtype, qclass) in questions {
        let _ = writeln!(s.out, "{pad}   |###[ DNS Question Record ]### ");
        for (n, v) in [("qname", qname), ("qtype", qtype), ("qclass", qclass)] {
            let _ = writeln!(s.out, "{pad}   |  {n:<10}= {v}");
        }
    }
    for n in ["an", "ns", "ar"] {
        s.field(n, "None");
    }
    true
}

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

/// `ls(Layer)`: each field's name, kind and width, in header order; None for an unknown layer.
pub fn list(layer_name: &str) -> Option<String> {
    let def = LAYERS.iter().find(|l| l.name.eq_ignore_ascii_case(layer_name))?;
    let mut out = String::new();
    for f in def.fields {
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
        let _ = writeln!(out, "{:<10} : {kind}{alias}", f.name);
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
