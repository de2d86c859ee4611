//! Reading a `pktkit.decode/2.1` (or `/2`) record back (pkt-send `--from-json`), next to the code that
//! writes it: `raw.hex` holds the frame; header fields whose JSON value differs from the
//! frame's (an edit, e.g. by jq) are written into it and checksums updated. A checksum field
//! that was itself edited is written as given, after the other fields. Values are read with
//! craft's parsers (MAC, hex, TCP flag letters), the ones pkt-send's specs use.

use std::net::IpAddr;

use serde_json::Value as Json;

use super::{COMPATIBLE_SCHEMAS, OLD_SCHEMAS, SCHEMA};
use crate::capture::{LinkType, Precision, Timestamp};
use crate::craft::{self, TCP_FLAG_LETTERS};
use crate::rewrite::{Field, Layout, RewriteError, Value};

/// One packet rebuilt from a record.
pub struct Built {
    pub linktype: LinkType,
    pub snaplen: u32,
    pub precision: Precision,
    pub ts: Timestamp,
    /// A classic pcap record's own timestamp fields (raw.ts_sec, raw.ts_frac), when given.
    pub raw_ts: Option<(u32, u32)>,
    pub orig_len: u32,
    pub bytes: Vec<u8>,
    /// Keys of headers the record has but pktkit::rewrite does not find: left as they are.
    pub unchecked: Vec<String>,
}

/// The frame of `raw.hex`, read with craft's hex parser (the one pkt-send's `Raw(load=...)`
/// takes); an error names the first character that is not a hex digit.
fn hex_decode(s: &str) -> Result<Vec<u8>, String> {
    craft::parse_hex(s).ok_or_else(|| match s.char_indices().find(|(_, c)| !c.is_ascii_hexdigit()) {
        Some((at, c)) => format!("raw.hex: {c:?} at digit {}, expected hex digits", at + 1),
        None => format!("raw.hex: {} digits, expected an even number of hex digits", s.len()),
    })
}

/// The optional number at `key` of `obj`, named `name` in messages: `None` when absent or
/// null, an error naming the value and the range when it is not an integer in `min..=max`.
fn number<T: TryFrom<i128>>(
    obj: &serde_json::Map<String, Json>,
    key: &str,
    name: &str,
    min: i128,
    max: i128,
) -> Result<Option<T>, String> {
    let Some(v) = obj.get(key).filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    v.as_i64()
        .map(i128::from)
        .or_else(|| v.as_u64().map(i128::from))
        .filter(|n| (min..=max).contains(n))
        .and_then(|n| T::try_from(n).ok())
        .map(Some)
        .ok_or_else(|| format!("{name}: got {v}, expected a whole number from {min} to {max}"))
}

/// The JSON value `v` as a value of the same kind as `like`.
fn as_value(v: &Json, like: Value) -> Option<Value> {
    match like {
        Value::Num(_) => v.as_u64().map(Value::Num),
        Value::Bool(_) => v.as_bool().map(Value::Bool),
        Value::Mac(_) => v.as_str().and_then(craft::parse_mac).map(Value::Mac),
        Value::Ip(_) => v.as_str().and_then(|s| s.parse::<IpAddr>().ok()).map(Value::Ip),
    }
}

fn kind(like: Value) -> &'static str {
    match like {
        Value::Num(_) => "a number",
        Value::Bool(_) => "true or false",
        Value::Mac(_) => "a MAC address",
        Value::Ip(IpAddr::V4(_)) => "an IPv4 address",
        Value::Ip(IpAddr::V6(_)) => "an IPv6 address",
    }
}

fn is_checksum(f: Field) -> bool {
    matches!(f, Field::Ipv4Checksum | Field::TcpChecksum | Field::UdpChecksum | Field::IcmpChecksum)
}

/// A field that could not be written, as `key: got VALUE, expected WHAT`.
fn rewrite_error(key: &str, e: RewriteError) -> String {
    match e {
        RewriteError::BadValue { value, expected, .. } => format!("{key}: got {value}, expected {expected}"),
        RewriteError::Absent(_) => format!("{key}: the packet has no such field (it is cut before it)"),
    }
}

/// Why a record could not be read back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// The record is of an earlier version of the schema.
    #[error(
        "schema {0:?} is an earlier version of these records, and its keys differ; decode the capture again with this pkt-decode (--json --raw), or see the migration notes of docs/json-schema.md"
    )]
    OldSchema(String),
    /// A key's value is missing or wrong: `key: got VALUE, expected WHAT`.
    #[error("{0}")]
    Record(String),
}

impl From<String> for ReadError {
    fn from(s: String) -> Self {
        ReadError::Record(s)
    }
}

/// Rebuilds the packet a record describes (see the module docs). A record without `schema`
/// is read as this version; one of an earlier version is refused ([`ReadError::OldSchema`]).
pub fn packet_of(rec: &Json) -> Result<Built, ReadError> {
    match rec.get("schema") {
        None => {}
        Some(Json::String(s)) if s == SCHEMA || COMPATIBLE_SCHEMAS.contains(&s.as_str()) => {}
        Some(Json::String(s)) if OLD_SCHEMAS.contains(&s.as_str()) => {
            return Err(ReadError::OldSchema(s.clone()));
        }
        Some(other) => return Err(format!("schema: got {other}, expected \"{SCHEMA}\"").into()),
    }
    Ok(rebuild(rec)?)
}

/// [`packet_of`] after the schema check; an error is `key: got VALUE, expected WHAT`.
fn rebuild(rec: &Json) -> Result<Built, String> {
    let Some(raw) = rec.get("raw") else {
        return Err("raw: missing, expected an object with the packet bytes: make the records with pkt-decode --json --raw".into());
    };
    let raw =
        raw.as_object().ok_or_else(|| format!("raw: got {raw}, expected an object with the packet bytes"))?;
    let mut bytes = match raw.get("hex") {
        Some(Json::String(hex)) => hex_decode(hex)?,
        Some(other) => return Err(format!("raw.hex: got {other}, expected the packet bytes as hex digits")),
        None => return Err("raw.hex: missing, expected the packet bytes as hex digits".into()),
    };
    const U16: i128 = u16::MAX as i128;
    const U32: i128 = u32::MAX as i128;
    let (obj, name) = if raw.contains_key("linktype") {
        (raw, "raw.linktype")
    } else {
        (rec.as_object().unwrap_or(raw), "linktype")
    };
    let linktype = number::<u16>(obj, "linktype", name, 0, U16)?
        .ok_or("raw.linktype: missing, expected the link type number (pkt-decode --json --raw writes it)")?;
    let linktype = LinkType(linktype);
    let snaplen = number::<u32>(raw, "snaplen", "raw.snaplen", 0, U32)?.unwrap_or(262_144);
    let precision = match raw.get("precision") {
        None | Some(Json::Null) => Precision::Micro,
        Some(Json::String(p)) if p == "micro" => Precision::Micro,
        Some(Json::String(p)) if p == "nano" => Precision::Nano,
        Some(other) => return Err(format!("raw.precision: got {other}, expected \"micro\" or \"nano\"")),
    };
    let top = rec.as_object().ok_or("the record is not a JSON object")?;
    let ts = Timestamp::new(
        number::<i64>(top, "time_sec", "time_sec", i64::MIN.into(), i64::MAX.into())?.unwrap_or(0),
        number::<u64>(top, "time_nsec", "time_nsec", 0, u64::MAX.into())?.unwrap_or(0),
    );
    let max = linktype.max_caplen();
    if bytes.len() > max as usize {
        return Err(format!(
            "raw.hex: {} bytes, expected at most {max}, the longest packet of link type {linktype} libpcap and tcpdump read",
            bytes.len()
        ));
    }
    let caplen = bytes.len() as u32;
    // As stored, even when below the captured length (damaged files); pcapng output raises it.
    let orig_len = number::<u32>(top, "wire_len", "wire_len", 0, U32)?.unwrap_or(caplen);
    let raw_ts_sec = number::<u32>(raw, "ts_sec", "raw.ts_sec", 0, U32)?;
    let raw_ts_frac = number::<u32>(raw, "ts_frac", "raw.ts_frac", 0, U32)?;

    let layout = Layout::parse(linktype, &bytes);
    let original = bytes.clone();
    let mut checksums = Vec::new();
    let mut unchecked = Vec::new();
    let mut edit =
        |sec: &str, key: &str, field: Field, v: &Json, bytes: &mut Vec<u8>| -> Result<(), String> {
            if v.is_null() {
                return Ok(());
            }
            let Some(was) = layout.get(&original, field) else {
                // A header pkt-decode decoded where pktkit::rewrite finds none (a link type or
                // extension header it does not walk): not compared, not edited; the bytes stay
                // as raw.hex has them.
                unchecked.push(format!("{sec}.{key}"));
                return Ok(());
            };
            let want =
                as_value(v, was).ok_or_else(|| format!("{sec}.{key}: got {v}, expected {}", kind(was)))?;
            if want == was {
                return Ok(());
            }
            if is_checksum(field) {
                checksums.push((field, want, format!("{sec}.{key}")));
                return Ok(());
            }
            layout.set(bytes, field, want).map_err(|e| rewrite_error(&format!("{sec}.{key}"), e))
        };
    for &(sec, key, field) in FIELDS {
        let sec = section(&layout, sec);
        if let Some(v) = rec.get(sec).and_then(|o| o.get(key)) {
            edit(sec, key, field, v, &mut bytes)?;
        }
    }
    // TCP flags as letters, when the number was left alone.
    if let Some(Json::String(letters)) = rec.get("tcp").and_then(|t| t.get("flags_str"))
        && let Some(Value::Num(was)) = layout.get(&original, Field::TcpFlags)
        && rec.get("tcp").and_then(|t| t.get("flags")).and_then(Json::as_u64).is_none_or(|n| n == was)
    {
        let want = (was & 0xe00)
            | craft::tcp_flag_letters(letters).ok_or_else(|| {
                format!("tcp.flags_str: got {letters:?}, expected TCP flag letters ({TCP_FLAG_LETTERS})")
            })?;
        if want != was {
            layout
                .set(&mut bytes, Field::TcpFlags, Value::Num(want))
                .map_err(|e| rewrite_error("tcp.flags_str", e))?;
        }
    }
    if let Some(Json::Array(tags)) = rec.get("vlan") {
        for (n, tag) in tags.iter().enumerate() {
            for &(key, field) in VLAN_FIELDS {
                if let Some(v) = tag.get(key) {
                    edit("vlan", key, field(n), v, &mut bytes)?;
                }
            }
        }
    }
    for (field, want, name) in checksums {
        layout.set(&mut bytes, field, want).map_err(|e| rewrite_error(&name, e))?;
    }
    let raw_ts = raw_ts_sec.zip(raw_ts_frac);
    Ok(Built { linktype, snaplen, precision, ts, raw_ts, orig_len, bytes, unchecked })
}

/// `(section, key, field)`: the pkt-decode JSON keys that map to header fields, read back by `--from-json`.
const FIELDS: &[(&str, &str, Field)] = &[
    ("eth", "src", Field::EthSrc),
    ("eth", "dst", Field::EthDst),
    ("eth", "type", Field::EthType),
    ("arp", "op", Field::ArpOp),
    ("arp", "sender_mac", Field::ArpSenderMac),
    ("arp", "target_mac", Field::ArpTargetMac),
    ("arp", "sender_ip", Field::ArpSenderIp),
    ("arp", "target_ip", Field::ArpTargetIp),
    ("ipv4", "src", Field::Ipv4Src),
    ("ipv4", "dst", Field::Ipv4Dst),
    ("ipv4", "tos", Field::Ipv4Tos),
    ("ipv4", "total_length", Field::Ipv4Len),
    ("ipv4", "id", Field::Ipv4Id),
    ("ipv4", "df", Field::Ipv4Df),
    ("ipv4", "mf", Field::Ipv4Mf),
    ("ipv4", "frag_offset", Field::Ipv4FragOffset),
    ("ipv4", "ttl", Field::Ipv4Ttl),
    ("ipv4", "proto", Field::Ipv4Proto),
    ("ipv4", "checksum", Field::Ipv4Checksum),
    ("ipv6", "src", Field::Ipv6Src),
    ("ipv6", "dst", Field::Ipv6Dst),
    ("ipv6", "traffic_class", Field::Ipv6TrafficClass),
    ("ipv6", "flow_label", Field::Ipv6FlowLabel),
    ("ipv6", "payload_length", Field::Ipv6PayloadLen),
    ("ipv6", "next_header", Field::Ipv6NextHeader),
    ("ipv6", "hop_limit", Field::Ipv6HopLimit),
    ("tcp", "src_port", Field::TcpSrcPort),
    ("tcp", "dst_port", Field::TcpDstPort),
    ("tcp", "seq", Field::TcpSeq),
    ("tcp", "ack", Field::TcpAck),
    ("tcp", "flags", Field::TcpFlags),
    ("tcp", "window", Field::TcpWindow),
    ("tcp", "checksum", Field::TcpChecksum),
    ("tcp", "urgent", Field::TcpUrgent),
    ("udp", "src_port", Field::UdpSrcPort),
    ("udp", "dst_port", Field::UdpDstPort),
    ("udp", "length", Field::UdpLen),
    ("udp", "checksum", Field::UdpChecksum),
    ("icmp", "type", Field::IcmpType),
    ("icmp", "code", Field::IcmpCode),
    ("icmp", "checksum", Field::IcmpChecksum),
    ("icmp", "id", Field::IcmpId),
    ("icmp", "seq", Field::IcmpSeq),
];

/// The field of VLAN tag `n`.
type VlanField = fn(usize) -> Field;

/// VLAN tag keys (in each element of the `vlan` array).
const VLAN_FIELDS: &[(&str, VlanField)] =
    &[("id", Field::VlanId), ("pcp", Field::VlanPcp), ("dei", Field::VlanDei)];

/// The JSON section of a field's key, given the packet's transport (`icmp` is `icmpv6` over
/// ICMPv6, as pkt-decode writes it).
fn section(l: &Layout, sec: &'static str) -> &'static str {
    if sec == "icmp" && matches!(l.transport, Some((_, 58))) { "icmpv6" } else { sec }
}
