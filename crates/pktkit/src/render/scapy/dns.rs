//! Scapy's DNS dissection (its `layers/dns.py`) as `show2()` prints it: the header, then `qd`,
//! `an`, `ns`, `ar` as nested lists of `DNS Question Record` and resource-record blocks.
//!
//! Scapy's own rules are kept where they differ from a strict parser: a name may end early,
//! pointers are taken relative to the question section (so a pointer below the header reads
//! from the end, as a negative Python index), `rdlen` shows as `None` when a name inside the
//! record data was compressed, and bytes a record does not use follow it as `Raw`. Where
//! Scapy's dissection raises (a record cut short), the whole message is `Raw`, as in Scapy.
//! DNSSEC and TSIG records and EDNS0 client-subnet options are not dissected here: a message
//! holding one shows as `Raw`.

use std::fmt::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::{Shower, layer, py_bytes};
use crate::bytes::{be16, be32};

/// Scapy's record type names (its `dnstypes`).
const TYPES: &[(u16, &str)] = &[
    (0, "ANY"),
    (1, "A"),
    (2, "NS"),
    (3, "MD"),
    (4, "MF"),
    (5, "CNAME"),
    (6, "SOA"),
    (7, "MB"),
    (8, "MG"),
    (9, "MR"),
    (10, "NULL"),
    (11, "WKS"),
    (12, "PTR"),
    (13, "HINFO"),
    (14, "MINFO"),
    (15, "MX"),
    (16, "TXT"),
    (17, "RP"),
    (18, "AFSDB"),
    (19, "X25"),
    (20, "ISDN"),
    (21, "RT"),
    (22, "NSAP"),
    (23, "NSAP-PTR"),
    (24, "SIG"),
    (25, "KEY"),
    (26, "PX"),
    (27, "GPOS"),
    (28, "AAAA"),
    (29, "LOC"),
    (30, "NXT"),
    (31, "EID"),
    (32, "NIMLOC"),
    (33, "SRV"),
    (34, "ATMA"),
    (35, "NAPTR"),
    (36, "KX"),
    (37, "CERT"),
    (38, "A6"),
    (39, "DNAME"),
    (40, "SINK"),
    (41, "OPT"),
    (42, "APL"),
    (43, "DS"),
    (44, "SSHFP"),
    (45, "IPSECKEY"),
    (46, "RRSIG"),
    (47, "NSEC"),
    (48, "DNSKEY"),
    (49, "DHCID"),
    (50, "NSEC3"),
    (51, "NSEC3PARAM"),
    (52, "TLSA"),
    (53, "SMIMEA"),
    (55, "HIP"),
    (56, "NINFO"),
    (57, "RKEY"),
    (58, "TALINK"),
    (59, "CDS"),
    (60, "CDNSKEY"),
    (61, "OPENPGPKEY"),
    (62, "CSYNC"),
    (63, "ZONEMD"),
    (64, "SVCB"),
    (65, "HTTPS"),
    (99, "SPF"),
    (100, "UINFO"),
    (101, "UID"),
    (102, "GID"),
    (103, "UNSPEC"),
    (104, "NID"),
    (105, "L32"),
    (106, "L64"),
    (107, "LP"),
    (108, "EUI48"),
    (109, "EUI64"),
    (249, "TKEY"),
    (250, "TSIG"),
    (256, "URI"),
    (257, "CAA"),
    (258, "AVC"),
    (259, "DOA"),
    (260, "AMTRELAY"),
    (32768, "TA"),
    (32769, "DLV"),
    (65535, "RESERVED"),
];

/// Names only a question's type has (Scapy's `dnsqtypes` over `dnstypes`).
const QUESTION_TYPES: &[(u16, &str)] =
    &[(251, "IXFR"), (252, "AXFR"), (253, "MAILB"), (254, "MAILA"), (255, "ALL")];

/// Scapy's class names (its `dnsclasses`).
const CLASSES: &[(u16, &str)] = &[(1, "IN"), (2, "CS"), (3, "CH"), (4, "HS"), (255, "ANY")];

/// Scapy's EDNS0 option names (its `edns0types`).
const EDNS0_OPTIONS: &[(u16, &str)] = &[
    (0, "Reserved"),
    (1, "LLQ"),
    (2, "UL"),
    (3, "NSID"),
    (4, "Reserved"),
    (5, "PING"),
    (8, "edns-client-subnet"),
];

/// Record types Scapy dissects with classes this module does not have.
const NOT_DISSECTED: &[u16] = &[43, 46, 47, 48, 50, 51, 250];

/// The EDNS0 client-subnet option, which Scapy dissects with its own class.
const EDNS0_CLIENT_SUBNET: u16 = 8;

/// Scapy's DNS header size: its pointers count from the end of it.
const HEADER: usize = 12;

const TYPE_A: u16 = 1;
const TYPE_SOA: u16 = 6;
const TYPE_TXT: u16 = 16;
const TYPE_MX: u16 = 15;
const TYPE_AAAA: u16 = 28;
const TYPE_SRV: u16 = 33;
const TYPE_OPT: u16 = 41;
/// NS, MD, MF, CNAME, PTR: record data that is one name.
const NAME_TYPES: &[u16] = &[2, 3, 4, 5, 12];

fn named(table: &[(u16, &str)], v: u16) -> String {
    table.iter().find(|(n, _)| *n == v).map_or(v.to_string(), |(_, name)| name.to_string())
}

/// A layer of a nested list, as Scapy's `_show_or_dump` prints it.
pub(super) struct Block {
    name: &'static str,
    fields: Vec<(&'static str, Value)>,
    /// Scapy's `show_indent`: the layers after this one in its chain are indented.
    indent: bool,
}

enum Value {
    Text(String),
    /// A list field: each element a chain of layers (a record and its payload).
    List(Vec<Vec<Block>>),
}

impl Block {
    fn new(name: &'static str, indent: bool) -> Self {
        Block { name, fields: Vec::new(), indent }
    }

    fn text(&mut self, name: &'static str, v: impl Into<String>) {
        self.fields.push((name, Value::Text(v.into())));
    }

    fn raw(data: &[u8]) -> Self {
        let mut b = Block::new("Raw", true);
        b.text("load", py_bytes(data));
        b
    }
}

/// Writes a chain of layers: headers at `label`, fields at `label` plus `lvl`.
fn render(out: &mut String, chain: &[Block], lvl: &str, label: &str) {
    let mut lvl = lvl.to_string();
    for block in chain {
        let _ = writeln!(out, "{label}###[ {} ]### ", block.name);
        fields(out, &block.fields, &lvl, label);
        if block.indent {
            lvl.push_str("   ");
        }
    }
}

fn fields(out: &mut String, fields: &[(&str, Value)], lvl: &str, label: &str) {
    for (name, v) in fields {
        match v {
            Value::Text(t) => {
                let _ = writeln!(out, "{label}{lvl}  {name:<10}= {t}");
            }
            Value::List(items) => {
                let _ = writeln!(out, "{label}{lvl}  \\{name:<10}\\");
                let inner = format!("{label}{lvl}   |");
                for chain in items {
                    render(out, chain, "", &inner);
                }
            }
        }
    }
}

/// Python's `s[i]` on bytes, negative indices counting from the end.
fn py_at(s: &[u8], i: isize) -> Option<u8> {
    let len = s.len() as isize;
    let i = if i < 0 { i + len } else { i };
    if (0..len).contains(&i) { Some(s[i as usize]) } else { None }
}

/// Python's `s[start:end]` on bytes.
fn py_slice(s: &[u8], start: isize, end: isize) -> &[u8] {
    let len = s.len() as isize;
    let norm = |i: isize| if i < 0 { (i + len).max(0) } else { i.min(len) };
    let (a, b) = (norm(start), norm(end));
    if a < b { &s[a as usize..b as usize] } else { &[] }
}

/// A name as Scapy's `dns_get_str` reads it.
struct Name<'a> {
    text: Vec<u8>,
    /// Where the name ends in the buffer it started in.
    end: isize,
    /// The bytes after the name in the buffer it started in.
    left: &'a [u8],
    compressed: bool,
}

/// Scapy's `dns_get_str`: `local` is the buffer the name starts in; pointers lead into
/// `full` (the message after its header) unless the name already started there.
fn get_name<'a>(local: &'a [u8], start: isize, full: &'a [u8], mut in_full: bool) -> Name<'a> {
    let mut s = local;
    let mut pointer = start;
    let mut text = Vec::new();
    let mut after_pointer: Option<isize> = None;
    let mut processed: Vec<isize> = Vec::new();
    let mut left: Option<&'a [u8]> = None;
    loop {
        if pointer.abs() >= s.len() as isize {
            break;
        }
        let Some(cur) = py_at(s, pointer) else { break };
        pointer += 1;
        if cur & 0xc0 != 0 {
            if after_pointer.is_none() {
                after_pointer = Some(pointer + 1);
            }
            if pointer >= s.len() as isize {
                break;
            }
            let Some(low) = py_at(s, pointer) else { break };
            pointer = (isize::from(cur & 0x3f) << 8) + isize::from(low) - HEADER as isize;
            if processed.contains(&pointer) {
                break;
            }
            if !in_full {
                left = Some(py_slice(s, after_pointer.unwrap_or(0), isize::MAX));
                s = full;
                in_full = true;
            }
            processed.push(pointer);
            continue;
        } else if cur > 0 {
            text.extend_from_slice(py_slice(s, pointer, pointer + isize::from(cur)));
            text.push(b'.');
            pointer += isize::from(cur);
        } else {
            break;
        }
    }
    if let Some(a) = after_pointer {
        pointer = a;
    }
    let left = left.unwrap_or_else(|| py_slice(s, pointer, isize::MAX));
    Name { text, end: pointer, left, compressed: !processed.is_empty() }
}

/// A name set on a record (`rrname`, `qname`): Scapy shows an empty one as `.`.
fn set_name(text: &[u8]) -> String {
    if text.is_empty() { py_bytes(b".") } else { py_bytes(text) }
}

/// Python's `repr()` of bytes (`b'...'`), as a list of them prints.
fn py_bytes_repr(b: &[u8]) -> String {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') { '"' } else { '\'' };
    let mut s = format!("b{quote}");
    for &c in b {
        match c {
            b'\\' => s.push_str("\\\\"),
            b'\t' => s.push_str("\\t"),
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            c if c as char == quote => {
                s.push('\\');
                s.push(quote);
            }
            0x20..=0x7e => s.push(c as char),
            c => {
                let _ = write!(s, "\\x{c:02x}");
            }
        }
    }
    s.push(quote);
    s
}

/// One record chain element and the bytes it leaves (shown as `Raw` after it).
fn record<'a>(full: &'a [u8], name: &[u8], head: &[u8], rdata: &'a [u8]) -> Option<(Block, &'a [u8])> {
    let (rtype, class, ttl, rdlen) = (be16(head, 0)?, be16(head, 2)?, be32(head, 4)?, be16(head, 8)?);
    if NOT_DISSECTED.contains(&rtype) {
        return None;
    }
    let title = match rtype {
        TYPE_SOA => "DNS SOA Resource Record",
        TYPE_MX => "DNS MX Resource Record",
        TYPE_SRV => "DNS SRV Resource Record",
        TYPE_OPT => "DNS OPT Resource Record",
        _ => "DNS Resource Record",
    };
    // DNSRR has show_indent 0; Scapy's other record classes keep the default 1.
    let mut b = Block::new(title, !matches!(title, "DNS Resource Record"));
    b.text("rrname", set_name(name));
    b.text("type", named(TYPES, rtype));
    if rtype == TYPE_OPT {
        b.text("rclass", class.to_string());
        b.text("extrcode", (ttl >> 24).to_string());
        b.text("version", (ttl >> 16 & 0xff).to_string());
        let z = ttl & 0xffff;
        b.text("z", if z == 0x8000 { "D0".to_string() } else { z.to_string() });
        b.text("rdlen", rdlen.to_string());
        let mut items = Vec::new();
        let mut rest = rdata;
        while !rest.is_empty() {
            if rest.len() < 2 {
                items.push(vec![Block::raw(rest)]);
                break;
            }
            let (code, len) = (be16(rest, 0)?, be16(rest, 2)?);
            if code == EDNS0_CLIENT_SUBNET {
                return None;
            }
            let data = py_slice(rest, 4, 4 + len as isize);
            let mut tlv = Block::new("DNS EDNS0 TLV", true);
            tlv.text("optcode", named(EDNS0_OPTIONS, code));
            tlv.text("optlen", len.to_string());
            tlv.text("optdata", py_bytes(data));
            items.push(vec![tlv]);
            rest = &rest[4 + data.len()..];
        }
        b.fields.push(("rdata", Value::List(items)));
        return Some((b, &[]));
    }
    b.text("rclass", named(CLASSES, class));
    b.text("ttl", ttl.to_string());
    let mut compressed = false;
    let mut after: Vec<(&'static str, String)> = Vec::new();
    let left: &[u8] = match rtype {
        TYPE_A => {
            let a: [u8; 4] = rdata.get(..4)?.try_into().ok()?;
            after.push(("rdata", Ipv4Addr::from(a).to_string()));
            &rdata[4..]
        }
        TYPE_AAAA => {
            let a: [u8; 16] = rdata.get(..16)?.try_into().ok()?;
            after.push(("rdata", Ipv6Addr::from(a).to_string()));
            &rdata[16..]
        }
        t if NAME_TYPES.contains(&t) => {
            let n = get_name(rdata, 0, full, false);
            compressed = n.compressed;
            after.push(("rdata", py_bytes(&n.text)));
            n.left
        }
        TYPE_TXT => {
            let mut strings = Vec::new();
            let mut rest = rdata;
            while let Some(&len) = rest.first() {
                let end = (usize::from(len) + 1).min(rest.len());
                strings.push(py_bytes_repr(&rest[1..end]));
                rest = &rest[end..];
            }
            after.push(("rdata", format!("[{}]", strings.join(", "))));
            &[]
        }
        TYPE_MX => {
            after.push(("preference", be16(rdata, 0)?.to_string()));
            let n = get_name(&rdata[2..], 0, full, false);
            compressed = n.compressed;
            after.push(("exchange", py_bytes(&n.text)));
            n.left
        }
        TYPE_SRV => {
            for (i, f) in ["priority", "weight", "port"].into_iter().enumerate() {
                after.push((f, be16(rdata, 2 * i)?.to_string()));
            }
            let n = get_name(&rdata[6..], 0, full, false);
            compressed = n.compressed;
            after.push(("target", py_bytes(&n.text)));
            n.left
        }
        TYPE_SOA => {
            let mname = get_name(rdata, 0, full, false);
            let rname = get_name(mname.left, 0, full, false);
            compressed = mname.compressed || rname.compressed;
            after.push(("mname", py_bytes(&mname.text)));
            after.push(("rname", py_bytes(&rname.text)));
            for (i, f) in ["serial", "refresh", "retry", "expire", "minimum"].into_iter().enumerate() {
                after.push((f, be32(rname.left, 4 * i)?.to_string()));
            }
            &rname.left[20..]
        }
        _ => {
            after.push(("rdata", py_bytes(rdata)));
            &[]
        }
    };
    b.text("rdlen", if compressed { "None".to_string() } else { rdlen.to_string() });
    for (n, v) in after {
        b.text(n, v);
    }
    Some((b, left))
}

/// The records of one section (`qd` when `question`), read from `at` in `full`; None where
/// Scapy's dissection raises.
fn section(full: &[u8], count: u16, at: &mut isize, question: bool) -> Option<Value> {
    if usize::from(count) > full.len() {
        return None;
    }
    let mut chain = Vec::new();
    for _ in 0..count {
        let name = get_name(full, *at, full, true);
        *at = name.end;
        if question {
            let tail = py_slice(full, *at, *at + 4);
            *at += 4;
            let (qtype, qclass) = (be16(tail, 0)?, be16(tail, 2)?);
            let mut q = Block::new("DNS Question Record", false);
            q.text("qname", set_name(&name.text));
            let qtype_name = QUESTION_TYPES.iter().chain(TYPES).find(|(n, _)| *n == qtype);
            q.text("qtype", qtype_name.map_or(qtype.to_string(), |(_, n)| n.to_string()));
            q.text("qclass", named(CLASSES, qclass));
            chain.push(q);
            continue;
        }
        let head = py_slice(full, *at, *at + 10);
        *at += 10;
        let rdlen = be16(head, 8)?;
        let rdata = py_slice(full, *at, *at + rdlen as isize);
        let (block, left) = record(full, &name.text, head, rdata)?;
        chain.push(block);
        if !left.is_empty() {
            chain.push(Block::raw(left));
        }
        *at += rdlen as isize;
    }
    Some(if chain.is_empty() { Value::Text("None".to_string()) } else { Value::List(vec![chain]) })
}

/// Shows a DNS message over UDP as Scapy does; the bytes after it (Scapy's `Raw` payload), or
/// None, showing nothing, where Scapy would show the whole message as `Raw`.
pub(super) fn show<'a>(s: &mut Shower, msg: &'a [u8]) -> Option<&'a [u8]> {
    let full = msg.get(HEADER..)?;
    let count = |i: usize| be16(msg, 4 + 2 * i);
    let mut at = 0isize;
    let mut sections = Vec::new();
    for (i, name) in ["qd", "an", "ns", "ar"].into_iter().enumerate() {
        sections.push((name, section(full, count(i)?, &mut at, i == 0)?));
    }
    let rest = py_slice(full, at, isize::MAX);
    s.fixed(layer("DNS"), msg, Some(DNS_HEADER))?;
    let pad = "   ".repeat(s.depth.saturating_sub(1));
    fields(&mut s.out, &sections, &pad, "");
    Some(rest)
}

/// The DNS header fields on the wire over UDP (the crafting table's `length` is TCP's).
const DNS_HEADER: &[&str] = &[
    "id", "qr", "opcode", "aa", "tc", "rd", "ra", "z", "ad", "cd", "rcode", "qdcount", "ancount", "nscount",
    "arcount",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_scapys_pointers() {
        // example.com at 12 (offset 0 after the header), then a pointer to it.
        let mut msg = vec![0u8; 12];
        msg.extend_from_slice(b"\x07example\x03com\x00\x03www\xc0\x0c");
        let full = &msg[12..];
        let n = get_name(full, 13, full, true);
        assert_eq!(n.text, b"www.example.com.");
        assert_eq!(n.end, 19);
        assert!(n.compressed);
        // A pointer loop ends the name once a pointer repeats (Scapy reads the label twice).
        let looped = b"\x01a\xc0\x0c";
        let n = get_name(looped, 0, looped, true);
        assert_eq!(n.text, b"a.a.");
    }

    #[test]
    fn records_as_scapy_shows_them() {
        let full = b"";
        let head = [0, 16, 0, 1, 0, 0, 0, 5, 0, 7];
        let (b, left) = record(full, b"t.", &head, b"\x02hi\x03a'b").unwrap();
        assert!(left.is_empty());
        let mut out = String::new();
        render(&mut out, &[b], "", "");
        assert!(out.contains("  rdata     = [b'hi', b\"a'b\"]\n"), "{out}");
        assert!(out.contains("  ttl       = 5\n"), "{out}");
        // An A record cut short raises in Scapy: no block.
        assert!(record(full, b"", &[0, 1, 0, 1, 0, 0, 0, 0, 0, 2], b"\x01\x02").is_none());
    }

    #[test]
    fn python_bytes_repr() {
        assert_eq!(py_bytes_repr(b"a\x00\xff"), "b'a\\x00\\xff'");
        assert_eq!(py_bytes_repr(b"it's"), "b\"it's\"");
    }
}
