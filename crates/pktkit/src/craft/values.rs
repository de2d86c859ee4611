//! How spec values become field values: numbers and their names, flags, addresses and
//! networks, bytes and hex, DNS names and questions, and the lists and ranges that fan a
//! field out over several packets.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::error::CraftError;
use super::fields::{
    DEFAULT_QNAME, DNSQR, Field, FieldDef, FieldKind, LayerDef, Proto, dns, dnsqr, find_layer,
};
use super::parse::{Kind, Value};
use super::tcp_options::tcp_options;
use crate::proto::dns::encode_name;

/// One concrete field value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Val {
    Int(u64),
    V4(Ipv4Addr),
    V6(Ipv6Addr),
    Mac([u8; 6]),
    Bytes(Vec<u8>),
    /// A validated DNS name.
    Name(String),
    /// Encoded DNS questions and how many there are.
    Questions {
        count: u16,
        wire: Vec<u8>,
    },
    /// Encoded TCP options, not padded.
    Options(Vec<u8>),
    /// A host name to resolve (IPv6 when `v6`), with its position in the spec.
    Host {
        name: String,
        v6: bool,
        pos: usize,
    },
}

/// The values a field takes: one, or several that fan out to several packets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Choices {
    One(Val),
    /// Integers `lo..=hi`.
    Range {
        lo: u64,
        hi: u64,
    },
    /// Every address of an IPv4 network.
    Net4 {
        base: u32,
        prefix: u8,
    },
    /// Every address of an IPv6 network.
    Net6 {
        base: u128,
        prefix: u8,
    },
    /// A list: the choices of each element, in order.
    Seq(Vec<Choices>),
}

impl Choices {
    /// How many values (saturating).
    pub(crate) fn len(&self) -> u128 {
        match self {
            Choices::One(_) => 1,
            Choices::Range { lo, hi } => u128::from(hi - lo) + 1,
            Choices::Net4 { prefix, .. } => 1u128 << (32 - u32::from(*prefix)),
            Choices::Net6 { prefix, .. } => {
                let host_bits = 128 - u32::from(*prefix);
                if host_bits >= 128 { u128::MAX } else { 1u128 << host_bits }
            }
            Choices::Seq(items) => items.iter().fold(0u128, |acc, c| acc.saturating_add(c.len())),
        }
    }

    /// The `i`-th value (`i < len()`).
    pub(crate) fn get(&self, i: u128) -> Val {
        match self {
            Choices::One(v) => v.clone(),
            Choices::Range { lo, .. } => Val::Int(lo + i as u64),
            Choices::Net4 { base, .. } => Val::V4(Ipv4Addr::from(base.wrapping_add(i as u32))),
            Choices::Net6 { base, .. } => Val::V6(Ipv6Addr::from(base.wrapping_add(i))),
            Choices::Seq(items) => {
                let mut i = i;
                for c in items {
                    let n = c.len();
                    if i < n {
                        return c.get(i);
                    }
                    i -= n;
                }
                // Unreachable for i < len(); the last value keeps this total.
                items.last().map_or(Val::Int(0), |c| c.get(c.len().saturating_sub(1)))
            }
        }
    }

    /// Applies `f` to every single value (host names are resolved this way).
    pub(crate) fn try_map(
        &mut self,
        f: &mut dyn FnMut(&mut Val) -> Result<(), CraftError>,
    ) -> Result<(), CraftError> {
        match self {
            Choices::One(v) => f(v),
            Choices::Seq(items) => items.iter_mut().try_for_each(|c| c.try_map(f)),
            _ => Ok(()),
        }
    }
}

/// A field given in the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SpecField {
    /// Index in the layer's `fields`.
    pub index: usize,
    /// Byte offset of the field name.
    pub pos: usize,
    /// Byte offset of the value.
    pub value_pos: usize,
    pub choices: Choices,
}

/// A layer of a parsed spec.
#[derive(Debug, Clone)]
pub(crate) struct SpecLayer {
    pub def: &'static LayerDef,
    pub pos: usize,
    /// Fields given, in header order.
    pub fields: Vec<SpecField>,
}

/// Turns a parsed layer into field choices.
pub(crate) fn interpret(layer: &super::parse::Layer) -> Result<SpecLayer, CraftError> {
    let def = find_layer(&layer.name, layer.pos)?;
    let mut fields: Vec<SpecField> = Vec::new();
    for arg in &layer.args {
        let (index, pos) = match &arg.name {
            Some((name, pos)) => (field_index(def, name, *pos)?, *pos),
            None if def.proto == Proto::Raw => (0, arg.value.pos),
            None => {
                return Err(CraftError::invalid(
                    arg.value.pos,
                    format!("{} takes named fields only (field=value)", def.name),
                ));
            }
        };
        let f = &def.fields[index];
        if let Some(prev) = fields.iter().find(|p| p.index == index) {
            return Err(CraftError::invalid(
                pos,
                format!("field '{}' of {} given twice (first at {})", f.name, def.name, prev.pos),
            ));
        }
        let choices = choices(f, &arg.value, true)?;
        fields.push(SpecField { index, pos, value_pos: arg.value.pos, choices });
    }
    fields.sort_by_key(|f| f.index);
    match def.proto {
        Proto::Raw if fields.len() > 1 => {
            return Err(CraftError::invalid(fields[1].pos, "Raw takes either load or hex, not both"));
        }
        Proto::Dns => {
            let short = fields.iter().find(|f| f.index > dns::QD.index);
            if let (Some(q), Some(s)) = (fields.iter().find(|f| f.index == dns::QD.index), short) {
                return Err(CraftError::invalid(
                    s.pos.max(q.pos),
                    "give the question either as qd=DNSQR(...) or as qname/qtype/qclass, not both",
                ));
            }
        }
        _ => {}
    }
    Ok(SpecLayer { def, pos: layer.pos, fields })
}

fn field_index(def: &LayerDef, name: &str, pos: usize) -> Result<usize, CraftError> {
    def.index(name).ok_or_else(|| CraftError::UnknownField {
        pos,
        layer: def.name.to_string(),
        field: name.to_string(),
        known: def.known(),
    })
}

/// The choices a value gives a field; `fan_out` allows lists and ranges.
fn choices(f: &FieldDef, v: &Value, fan_out: bool) -> Result<Choices, CraftError> {
    let list_valued = matches!(f.kind, FieldKind::Questions | FieldKind::TcpOptions);
    match &v.kind {
        Kind::List(items) if !list_valued => {
            if !fan_out {
                return Err(CraftError::invalid(
                    v.pos,
                    format!("a list of values for {} cannot fan out here", f.name),
                ));
            }
            if items.is_empty() {
                return Err(CraftError::invalid(
                    v.pos,
                    format!("empty list for {}: it would make no packet", f.name),
                ));
            }
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                if let Some((_, pos)) = &item.name {
                    return Err(CraftError::invalid(
                        *pos,
                        format!("list elements of {} are plain values", f.name),
                    ));
                }
                out.push(choices(f, &item.value, true)?);
            }
            Ok(Choices::Seq(out))
        }
        Kind::Tuple(items) if !list_valued => {
            let FieldKind::Int { .. } = f.kind else {
                return Err(CraftError::bad(
                    v.pos,
                    "value",
                    &v.text,
                    format!("{} takes no (first, last) range", f.name),
                ));
            };
            if !fan_out {
                return Err(CraftError::invalid(
                    v.pos,
                    format!("a range for {} cannot fan out here", f.name),
                ));
            }
            let [a, b] = items.as_slice() else {
                return Err(CraftError::bad(v.pos, "range", &v.text, "a range is (first, last)"));
            };
            let (Val::Int(lo), Val::Int(hi)) = (scalar(f, a)?, scalar(f, b)?) else {
                return Err(CraftError::bad(v.pos, "range", &v.text, "a range takes numbers"));
            };
            if lo > hi {
                return Err(CraftError::bad(
                    v.pos,
                    "range",
                    &v.text,
                    "first is above last: it would make no packet",
                ));
            }
            Ok(Choices::Range { lo, hi })
        }
        _ => {
            if let Some(net) = network(f, v)? {
                return Ok(net);
            }
            Ok(Choices::One(scalar(f, v)?))
        }
    }
}

/// `a.b.c.d/n` or `x::/n` in an address field.
fn network(f: &FieldDef, v: &Value) -> Result<Option<Choices>, CraftError> {
    let (FieldKind::Ipv4 | FieldKind::Ipv6) = f.kind else { return Ok(None) };
    let Some(text) = v.kind.as_text() else { return Ok(None) };
    let Some((addr, prefix)) = text.split_once('/') else { return Ok(None) };
    if let FieldKind::Ipv4 = f.kind {
        let a: Ipv4Addr = addr.parse().map_err(|_| CraftError::bad(v.pos, "IPv4 network", &text, ""))?;
        let p: u8 =
            prefix.parse().ok().filter(|p| *p <= 32).ok_or_else(|| {
                CraftError::bad(v.pos, "IPv4 network", &text, "the prefix length is 0 to 32")
            })?;
        let mask = if p == 0 { 0 } else { u32::MAX << (32 - p) };
        Ok(Some(Choices::Net4 { base: u32::from(a) & mask, prefix: p }))
    } else {
        let a: Ipv6Addr = addr.parse().map_err(|_| CraftError::bad(v.pos, "IPv6 network", &text, ""))?;
        let p: u8 =
            prefix.parse().ok().filter(|p| *p <= 128).ok_or_else(|| {
                CraftError::bad(v.pos, "IPv6 network", &text, "the prefix length is 0 to 128")
            })?;
        let mask = if p == 0 { 0 } else { u128::MAX << (128 - p) };
        Ok(Some(Choices::Net6 { base: u128::from(a) & mask, prefix: p }))
    }
}

pub(super) fn text_of(v: &Value, what: &str) -> Result<String, CraftError> {
    v.kind.as_text().ok_or_else(|| CraftError::bad(v.pos, what, &v.text, "expected a single value"))
}

/// Parses `0x..`, `0o..`, `0b..` or decimal.
fn number(t: &str) -> Option<u64> {
    let t = t.replace('_', "");
    let (digits, radix) = match t.get(..2).map(str::to_ascii_lowercase).as_deref() {
        Some("0x") => (&t[2..], 16),
        Some("0o") => (&t[2..], 8),
        Some("0b") => (&t[2..], 2),
        _ => (t.as_str(), 10),
    };
    if digits.is_empty() || digits.starts_with('+') {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

fn norm(s: &str) -> String {
    s.to_ascii_lowercase().replace('_', "-")
}

pub(super) fn int_value(t: &str, bits: u8, names: &[(&str, u64)]) -> Option<u64> {
    let v = number(t)
        .or(match t {
            "True" | "true" => Some(1),
            "False" | "false" => Some(0),
            _ => None,
        })
        .or_else(|| names.iter().find(|(n, _)| norm(n) == norm(t)).map(|(_, v)| *v))?;
    (bits >= 64 || v < (1u64 << bits)).then_some(v)
}

fn int_expectation(name: &str, bits: u8, names: &[(&str, u64)]) -> String {
    let max = if bits >= 64 { u64::MAX } else { (1u64 << bits) - 1 };
    let mut s = format!("{name} takes a number from 0 to {max}");
    if !names.is_empty() {
        let list: Vec<&str> = names.iter().take(12).map(|(n, _)| *n).collect();
        s.push_str(&format!(
            " or a name ({}{})",
            list.join(", "),
            if names.len() > 12 { ", ..." } else { "" }
        ));
    }
    s
}

/// One value (no fan-out) for a field.
fn scalar(f: &FieldDef, v: &Value) -> Result<Val, CraftError> {
    match f.kind {
        FieldKind::Int { bits, names } => {
            let t = text_of(v, "number")?;
            int_value(&t, bits, names)
                .map(Val::Int)
                .ok_or_else(|| CraftError::bad(v.pos, "value", &t, int_expectation(f.name, bits, names)))
        }
        FieldKind::TcpFlags => {
            let t = text_of(v, "TCP flags")?;
            tcp_flags(&t).map(Val::Int).ok_or_else(|| {
                CraftError::bad(
                    v.pos,
                    "TCP flags",
                    &t,
                    "expected letters of FSRPAUECN (e.g. S, SA, FPU) or a number below 512",
                )
            })
        }
        FieldKind::IpFlags => {
            let t = text_of(v, "IP flags")?;
            ip_flags(&t).map(Val::Int).ok_or_else(|| {
                CraftError::bad(
                    v.pos,
                    "IP flags",
                    &t,
                    "expected MF, DF, evil joined with '+' (e.g. DF, MF+DF) or a number below 8",
                )
            })
        }
        FieldKind::Ipv4 => {
            let t = text_of(v, "IPv4 address")?;
            if let Ok(a) = t.parse::<Ipv4Addr>() {
                Ok(Val::V4(a))
            } else if t.bytes().all(|c| c.is_ascii_digit() || c == b'.') || t.contains(':') {
                Err(CraftError::bad(v.pos, "IPv4 address", &t, ""))
            } else if is_host_name(&t) {
                Ok(Val::Host { name: t, v6: false, pos: v.pos })
            } else {
                Err(CraftError::bad(v.pos, "IPv4 address", &t, "neither an address nor a host name"))
            }
        }
        FieldKind::Ipv6 => {
            let t = text_of(v, "IPv6 address")?;
            if let Ok(a) = t.parse::<Ipv6Addr>() {
                Ok(Val::V6(a))
            } else if t.contains(':') || t.bytes().all(|c| c.is_ascii_digit() || c == b'.') {
                Err(CraftError::bad(v.pos, "IPv6 address", &t, ""))
            } else if is_host_name(&t) {
                Ok(Val::Host { name: t, v6: true, pos: v.pos })
            } else {
                Err(CraftError::bad(v.pos, "IPv6 address", &t, "neither an address nor a host name"))
            }
        }
        FieldKind::Mac => {
            let t = text_of(v, "MAC address")?;
            parse_mac(&t).map(Val::Mac).ok_or_else(|| {
                CraftError::bad(v.pos, "MAC address", &t, "expected six hex bytes like 00:11:22:33:44:55")
            })
        }
        FieldKind::Bytes => match &v.kind {
            Kind::Str(b) | Kind::Bytes(b) => Ok(Val::Bytes(b.clone())),
            Kind::Word(w) => Ok(Val::Bytes(w.as_bytes().to_vec())),
            _ => Err(CraftError::bad(v.pos, "bytes", &v.text, "expected a string")),
        },
        FieldKind::Hex => {
            let t = text_of(v, "hex")?;
            hex(&t).map(Val::Bytes).ok_or_else(|| {
                CraftError::bad(
                    v.pos,
                    "hex",
                    &t,
                    "expected an even number of hex digits (':' or spaces may separate bytes)",
                )
            })
        }
        FieldKind::DnsName => {
            let t = text_of(v, "DNS name")?;
            let mut scratch = Vec::new();
            encode_name(&t, &mut scratch)
                .map_err(|e| CraftError::bad(v.pos, "DNS name", &t, e.to_string()))?;
            Ok(Val::Name(t))
        }
        FieldKind::Questions => questions(v),
        FieldKind::TcpOptions => tcp_options(v),
    }
}

fn is_host_name(t: &str) -> bool {
    !t.is_empty()
        && t.len() <= 253
        && t.bytes().any(|c| c.is_ascii_alphabetic())
        && t.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_'))
}

/// TCP flag letters (Scapy's "FSRPAUECN", bit 0 first) or a number.
pub(crate) fn tcp_flags(t: &str) -> Option<u64> {
    if let Some(n) = number(t) {
        return (n < 0x200).then_some(n);
    }
    tcp_flag_letters(t)
}

/// Scapy's TCP flag letters, bit 0 first: the one table pkt-send reads (`flags=SA`) and
/// pkt-decode's `tcp.flags_str` writes (`SA` for SYN-ACK).
pub const TCP_FLAG_LETTERS: &str = "FSRPAUECN";

/// TCP flags from Scapy's letters [`TCP_FLAG_LETTERS`] (bit 0 first, any case, e.g. `SA` =
/// 0x12); `None` on any other character.
pub fn tcp_flag_letters(t: &str) -> Option<u64> {
    t.chars().try_fold(0, |v, c| Some(v | 1 << TCP_FLAG_LETTERS.find(c.to_ascii_uppercase())?))
}

fn ip_flags(t: &str) -> Option<u64> {
    if let Some(n) = number(t) {
        return (n < 8).then_some(n);
    }
    let mut v = 0;
    for part in t.split('+').filter(|p| !p.is_empty()) {
        v |= match part.to_ascii_uppercase().as_str() {
            "MF" => 1,
            "DF" => 2,
            "EVIL" => 4,
            _ => return None,
        };
    }
    Some(v)
}

/// A MAC address as six hex octets of one or two digits, separated by `:` or `-`.
pub fn parse_mac(t: &str) -> Option<[u8; 6]> {
    let parts: Vec<&str> = t.split([':', '-']).collect();
    let mut out = [0u8; 6];
    if parts.len() != 6 {
        return None;
    }
    for (o, p) in out.iter_mut().zip(parts) {
        if p.is_empty() || p.len() > 2 {
            return None;
        }
        *o = u8::from_str_radix(p, 16).ok()?;
    }
    Some(out)
}

pub(crate) fn hex(t: &str) -> Option<Vec<u8>> {
    let t = t.strip_prefix("0x").unwrap_or(t);
    let digits: Vec<u8> = t.bytes().filter(|c| !matches!(c, b':' | b' ')).collect();
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    digits.chunks(2).map(|c| u8::from_str_radix(std::str::from_utf8(c).ok()?, 16).ok()).collect()
}

/// `qd=DNSQR(...)`, `qd=[DNSQR(...), ...]` or `qd=[]`.
fn questions(v: &Value) -> Result<Val, CraftError> {
    let calls: Vec<&Value> = match &v.kind {
        Kind::Call(..) => vec![v],
        Kind::List(items) => items.iter().map(|a| &a.value).collect(),
        _ => {
            return Err(CraftError::bad(
                v.pos,
                "DNS question",
                &v.text,
                "expected DNSQR(...) or a list of them",
            ));
        }
    };
    if calls.len() > usize::from(u16::MAX) {
        return Err(CraftError::bad(v.pos, "DNS question", &v.text, "more than 65535 questions"));
    }
    let mut wire = Vec::new();
    for c in &calls {
        let Kind::Call(name, pos, args) = &c.kind else {
            return Err(CraftError::bad(c.pos, "DNS question", &c.text, "expected DNSQR(...)"));
        };
        if name != "DNSQR" {
            return Err(CraftError::UnknownLayer {
                pos: *pos,
                name: name.clone(),
                known: "DNSQR".to_string(),
            });
        }
        let mut vals: [Option<Val>; 4] = [None, None, None, None];
        for a in args {
            let Some((fname, fpos)) = &a.name else {
                return Err(CraftError::invalid(a.value.pos, "DNSQR takes named fields only (field=value)"));
            };
            let i = field_index(&DNSQR, fname, *fpos)?;
            if vals[i].is_some() {
                return Err(CraftError::invalid(*fpos, format!("field '{fname}' of DNSQR given twice")));
            }
            let Choices::One(val) = choices(&DNSQR.fields[i], &a.value, false)? else {
                return Err(CraftError::invalid(a.value.pos, "DNSQR fields take one value"));
            };
            vals[i] = Some(val);
        }
        let qname = match &vals[dnsqr::QNAME.index] {
            Some(Val::Name(n)) => n.as_str(),
            _ => DEFAULT_QNAME,
        };
        let int = |f: Field, default: u64| match vals[f.index] {
            Some(Val::Int(n)) => n,
            _ => default,
        };
        let qclass = int(dnsqr::UNICASTRESPONSE, 0) << 15 | int(dnsqr::QCLASS, 1);
        encode_question(qname, int(dnsqr::QTYPE, 1) as u16, qclass as u16, &mut wire)
            .map_err(|e| CraftError::bad(c.pos, "DNS question", &c.text, e))?;
    }
    Ok(Val::Questions { count: calls.len() as u16, wire })
}

/// Appends one question in wire form.
pub(crate) fn encode_question(qname: &str, qtype: u16, qclass: u16, out: &mut Vec<u8>) -> Result<(), String> {
    encode_name(qname, out).map_err(|e| e.to_string())?;
    out.extend_from_slice(&qtype.to_be_bytes());
    out.extend_from_slice(&qclass.to_be_bytes());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::craft::fields::LAYERS;

    #[test]
    fn mac_and_flag_parsers() {
        assert_eq!(parse_mac("02:00:0a-ff:1:b"), Some([2, 0, 0x0a, 0xff, 1, 0x0b]));
        for bad in [
            "02:00:00:00:00",
            "02:00:00:00:00:00:00",
            "02::00:00:00:00",
            "002:00:00:00:00:00",
            "zz:00:00:00:00:00",
        ] {
            assert_eq!(parse_mac(bad), None, "{bad}");
        }
        assert_eq!(tcp_flag_letters("SA"), Some(0x12));
        assert_eq!(tcp_flag_letters("fsrpauecn"), Some(0x1ff));
        assert_eq!(tcp_flag_letters(""), Some(0));
        assert_eq!(tcp_flag_letters("18"), None, "letters only");
        assert_eq!(tcp_flags("18"), Some(18));
        assert_eq!(tcp_flags("SX"), None);
    }
    use crate::craft::parse::parse;

    fn layer(spec: &str) -> Result<SpecLayer, CraftError> {
        interpret(&parse(spec).unwrap()[0])
    }

    fn one(spec: &str, field: &str) -> Val {
        let l = layer(spec).unwrap();
        let i = l.def.index(field).unwrap();
        match &l.fields.iter().find(|f| f.index == i).unwrap().choices {
            Choices::One(v) => v.clone(),
            other => panic!("fans out: {other:?}"),
        }
    }

    #[test]
    fn every_field_name_is_unique_per_layer() {
        for l in LAYERS.iter().chain([&DNSQR]) {
            for (i, f) in l.fields.iter().enumerate() {
                assert_eq!(l.index(f.name), Some(i), "{}.{}", l.name, f.name);
            }
        }
    }

    #[test]
    fn numbers_and_names() {
        assert_eq!(one("IP(ttl=0x40)", "ttl"), Val::Int(64));
        assert_eq!(one("IP(ttl=0o17)", "ttl"), Val::Int(15));
        assert_eq!(one("IP(proto=udp)", "proto"), Val::Int(17));
        assert_eq!(one("DNS(qtype='AAAA')", "qtype"), Val::Int(28));
        assert_eq!(one("DNS(qtype=aaaa)", "qtype"), Val::Int(28));
        assert_eq!(one("DNS(rd=False)", "rd"), Val::Int(0));
        assert_eq!(one("ARP(op=is-at)", "op"), Val::Int(2));
        assert_eq!(one("TCP(dport=https)", "dport"), Val::Int(443));
        assert_eq!(one("ICMP(type=time-exceeded)", "type"), Val::Int(11));
        assert_eq!(one("ICMP(type=time_exceeded)", "type"), Val::Int(11));
        assert_eq!(one("Dot1Q(id=1)", "dei"), Val::Int(1));
        assert_eq!(one("ICMPv6EchoRequest(chksum=1)", "cksum"), Val::Int(1));
    }

    #[test]
    fn flags() {
        assert_eq!(one("TCP(flags=S)", "flags"), Val::Int(0x02));
        assert_eq!(one("TCP(flags=SA)", "flags"), Val::Int(0x12));
        assert_eq!(one("TCP(flags=FPU)", "flags"), Val::Int(0x29));
        assert_eq!(one("TCP(flags='')", "flags"), Val::Int(0));
        assert_eq!(one("TCP(flags=N)", "flags"), Val::Int(0x100));
        assert_eq!(one("TCP(flags=0x18)", "flags"), Val::Int(0x18));
        assert_eq!(one("IP(flags=DF)", "flags"), Val::Int(2));
        assert_eq!(one("IP(flags='MF+DF')", "flags"), Val::Int(3));
        assert_eq!(one("IP(flags=evil)", "flags"), Val::Int(4));
        assert!(layer("TCP(flags=SX)").is_err());
        assert!(layer("IP(flags=XF)").is_err());
    }

    #[test]
    fn addresses() {
        assert_eq!(one("IP(dst=10.0.0.2)", "dst"), Val::V4(Ipv4Addr::new(10, 0, 0, 2)));
        assert_eq!(one("IPv6(dst='::1')", "dst"), Val::V6(Ipv6Addr::LOCALHOST));
        assert_eq!(one("Ether(dst=0:1:2:a:b:FF)", "dst"), Val::Mac([0, 1, 2, 0xa, 0xb, 0xff]));
        assert_eq!(one("Ether(dst=00-11-22-33-44-55)", "dst"), Val::Mac([0, 0x11, 0x22, 0x33, 0x44, 0x55]));
        assert_eq!(
            one("IP(dst=example.com)", "dst"),
            Val::Host { name: "example.com".into(), v6: false, pos: 7 }
        );
        assert_eq!(
            layer("IP(dst=10.0.0.0/30)").unwrap().fields[0].choices,
            Choices::Net4 { base: 0x0a00_0000, prefix: 30 }
        );
        assert_eq!(layer("IP(dst=10.0.0.7/30)").unwrap().fields[0].choices.len(), 4);
        assert_eq!(layer("IPv6(dst=fd00::/120)").unwrap().fields[0].choices.len(), 256);
        assert_eq!(layer("IPv6(dst=fd00::/0)").unwrap().fields[0].choices.len(), u128::MAX);
    }

    #[test]
    fn bytes_and_hex() {
        assert_eq!(one("Raw(load='a\\x00b')", "load"), Val::Bytes(b"a\x00b".to_vec()));
        assert_eq!(one("Raw(load=hello)", "load"), Val::Bytes(b"hello".to_vec()));
        assert_eq!(one("Raw('hi')", "load"), Val::Bytes(b"hi".to_vec()));
        assert_eq!(one("Raw(hex=68656C6c6f)", "hex"), Val::Bytes(b"hello".to_vec()));
        assert_eq!(one("Raw(hex='68:65 6c')", "hex"), Val::Bytes(b"hel".to_vec()));
    }

    #[test]
    fn tcp_options_both_forms() {
        let scapy = "TCP(options=[('MSS',1460),('SAckOK',b''),('WScale',7),('Timestamp',(1,2)),('NOP',None),('EOL',None)])";
        let expected = hex("020405b40402030307080a000000010000000201 00").unwrap();
        assert_eq!(one(scapy, "options"), Val::Options(expected.clone()));
        let short = "TCP(options=[MSS=1460,SAckOK,WScale=7,Timestamp=(1,2),NOP,EOL])";
        assert_eq!(one(short, "options"), Val::Options(expected));
        assert_eq!(one("TCP(options=[(MSS,536)])", "options"), Val::Options(vec![2, 4, 2, 0x18]));
        assert_eq!(
            one("TCP(options=[('SAck',(1,2))])", "options"),
            Val::Options(hex("050a0000000100000002").unwrap())
        );
        assert_eq!(one("TCP(options=[(254,b'\\x01\\x02')])", "options"), Val::Options(vec![254, 4, 1, 2]));
        assert_eq!(one("TCP(options=[])", "options"), Val::Options(vec![]));
        assert!(layer("TCP(options=[('MSS',70000)])").is_err());
        assert!(layer("TCP(options=[('Bogus',1)])").is_err());
        assert!(layer("TCP(options=[MSS])").is_err());
        assert!(layer("TCP(options=[NOP=3])").is_err());
        let too_long = format!("TCP(options=[{}])", ["('Timestamp',(1,2))"; 5].join(","));
        assert!(layer(&too_long).unwrap_err().to_string().contains("TCP allows 40"));
    }

    #[test]
    fn dns_questions() {
        let Val::Questions { count, wire } = one("DNS(qd=DNSQR(qname=example.com,qtype=AAAA))", "qd") else {
            panic!()
        };
        assert_eq!(count, 1);
        assert_eq!(wire, b"\x07example\x03com\x00\x00\x1c\x00\x01");
        let Val::Questions { count, wire } =
            one("DNS(qd=[DNSQR(),DNSQR(qname=a,qclass=CH,unicastresponse=1)])", "qd")
        else {
            panic!()
        };
        assert_eq!(count, 2);
        assert_eq!(&wire[21..], b"\x01a\x00\x00\x01\x80\x03");
        assert_eq!(one("DNS(qd=[])", "qd"), Val::Questions { count: 0, wire: vec![] });
        assert!(layer("DNS(qd=DNSRR())").is_err());
        assert!(layer("DNS(qd=DNSQR(qname=[a,b]))").is_err());
        assert!(layer("DNS(qd=DNSQR(),qname=a)").is_err());
        assert!(layer("DNS(qname=a..b)").is_err());
    }

    #[test]
    fn fan_out_choices() {
        let l = layer("TCP(dport=[80,(1000,1002),https])").unwrap();
        let c = &l.fields[0].choices;
        assert_eq!(c.len(), 5);
        let got: Vec<Val> = (0..5).map(|i| c.get(i)).collect();
        assert_eq!(got, [80, 1000, 1001, 1002, 443].map(Val::Int));
        assert_eq!(layer("IP(ttl=(1,30))").unwrap().fields[0].choices.len(), 30);
    }

    fn err(spec: &str) -> String {
        layer(spec).unwrap_err().to_string()
    }

    #[test]
    fn value_errors() {
        assert_eq!(err("IP(dst=10.0.0.300)"), "bad IPv4 address '10.0.0.300' at 7");
        assert!(
            err("TCP(dprt=80)").starts_with("unknown field 'dprt' for TCP at 4 (known: sport, dport, seq,")
        );
        assert!(
            err("TCPP()").starts_with("unknown layer 'TCPP' at 0 (known: Ether, Dot1Q, ARP, IP, IPv6, TCP,")
        );
        assert_eq!(err("IP(ttl=256)"), "bad value '256' at 7: ttl takes a number from 0 to 255");
        assert!(err("IP(proto=xyz)").contains("or a name (hopopt, icmp,"));
        assert_eq!(
            err("IP(ttl=(5,3))"),
            "bad range '(5,3)' at 7: first is above last: it would make no packet"
        );
        assert_eq!(err("IP(ttl=[])"), "at 7: empty list for ttl: it would make no packet");
        assert_eq!(err("IP(ttl=1,ttl=2)"), "at 9: field 'ttl' of IP given twice (first at 3)");
        assert_eq!(err("IP(5)"), "at 3: IP takes named fields only (field=value)");
        assert!(err("IPv6(dst=1.2.3.4)").starts_with("bad IPv6 address '1.2.3.4' at 9"));
        assert!(err("IP(dst=fe80::1)").starts_with("bad IPv4 address 'fe80::1' at 7"));
        assert!(err("IP(dst=1.2.3.4/33)").contains("prefix length"));
        assert!(err("Ether(dst=1:2:3)").starts_with("bad MAC address '1:2:3' at 10"));
        assert!(err("Raw(hex=abc)").starts_with("bad hex 'abc' at 8"));
        assert!(err("Raw(load=a,hex=00)").contains("not both"));
        assert!(err("IP(src=(1,2))").contains("takes no (first, last) range"));
        assert!(err("IP(ttl=(1,2,3))").contains("a range is (first, last)"));
    }
}
