//! Wireshark's fields of LLC, STP (RSTP, MSTP), CDP, SLARP, VRRP and OSPF as tshark 4.0
//! prints them with `-T fields`, read from [`crate::decode::extra`]'s view of a frame.

use super::Kind;
use crate::decode::extra::{Extra, IpMessage, LlcLayer};
use crate::proto::stp::{self, Bpdu, bpdu_type, field};
use crate::proto::{cdp, ospf, slarp, vrrp};
use crate::render::out::{self, append_decimal, append_str, be16};

/// The protocols, by Wireshark's name, whose presence display filters test.
pub const PROTOCOLS: &[&str] = &["llc", "stp", "cdp", "slarp", "vrrp", "ospf"];

/// The field names [`write_field`] knows and their value types.
pub const FIELDS: &[(&str, Kind)] = &[
    ("llc.dsap", Kind::Uint),
    ("llc.ssap", Kind::Uint),
    ("llc.control", Kind::Uint),
    ("llc.oui", Kind::Uint),
    ("llc.type", Kind::Uint),
    ("stp.protocol", Kind::Uint),
    ("stp.version", Kind::Uint),
    ("stp.type", Kind::Uint),
    ("stp.flags", Kind::Uint),
    ("stp.flags.tc", Kind::Bool),
    ("stp.flags.proposal", Kind::Bool),
    ("stp.flags.port_role", Kind::Uint),
    ("stp.flags.learning", Kind::Bool),
    ("stp.flags.forwarding", Kind::Bool),
    ("stp.flags.agreement", Kind::Bool),
    ("stp.flags.tcack", Kind::Bool),
    ("stp.root.prio", Kind::Uint),
    ("stp.root.ext", Kind::Uint),
    ("stp.root.hw", Kind::Mac),
    ("stp.root.cost", Kind::Uint),
    ("stp.bridge.prio", Kind::Uint),
    ("stp.bridge.ext", Kind::Uint),
    ("stp.bridge.hw", Kind::Mac),
    ("stp.port", Kind::Uint),
    ("stp.msg_age", Kind::Time),
    ("stp.max_age", Kind::Time),
    ("stp.hello", Kind::Time),
    ("stp.forward", Kind::Time),
    ("stp.version_1_length", Kind::Uint),
    ("mstp.version_3_length", Kind::Uint),
    ("cdp.version", Kind::Uint),
    ("cdp.ttl", Kind::Uint),
    ("cdp.checksum", Kind::Uint),
    ("slarp.ptype", Kind::Uint),
    ("slarp.address", Kind::Ipv4),
    ("slarp.netmask", Kind::Ipv4),
    ("slarp.mysequence", Kind::Uint),
    ("slarp.yoursequence", Kind::Uint),
    ("slarp.reliability", Kind::Uint),
    ("vrrp.version", Kind::Uint),
    ("vrrp.type", Kind::Uint),
    ("vrrp.virt_rtr_id", Kind::Uint),
    ("vrrp.prio", Kind::Uint),
    ("vrrp.addr_count", Kind::Uint),
    ("vrrp.auth_type", Kind::Uint),
    ("vrrp.adver_int", Kind::Uint),
    ("vrrp.short_adver_int", Kind::Uint),
    ("vrrp.checksum", Kind::Uint),
    ("vrrp.ip_addr", Kind::Ipv4),
    ("vrrp.ipv6_addr", Kind::Ipv6),
    ("ospf.version", Kind::Uint),
    ("ospf.msg", Kind::Uint),
    ("ospf.packet_length", Kind::Uint),
    ("ospf.srcrouter", Kind::Ipv4),
    ("ospf.area_id", Kind::Ipv4),
    ("ospf.checksum", Kind::Uint),
    ("ospf.auth.type", Kind::Uint),
    ("ospf.instance_id", Kind::Uint),
];

/// `0x` and `digits` hex digits, as tshark writes BASE_HEX fields.
fn hex(b: &mut Vec<u8>, v: u64, digits: usize) {
    append_str(b, "0x");
    out::hex(b, v, digits);
}

/// Appends the value tshark prints for the field `name` of the frame's protocols `x`
/// (several values joined by `,`); returns false, appending nothing, when it is absent.
pub fn write_field(x: &Extra<'_>, name: &str, b: &mut Vec<u8>) -> bool {
    let start = b.len();
    let (proto, _) = name.split_once('.').unwrap_or((name, ""));
    match proto {
        "llc" => {
            if let Some(l) = &x.llc {
                llc_field(l, name, b)
            }
        }
        "stp" | "mstp" => {
            if let Some(bpdu) = x.stp {
                stp_field(&Bpdu::new(bpdu), name, b)
            }
        }
        "cdp" => {
            if let Some(h) = x.cdp.and_then(cdp::Header::parse) {
                match name {
                    "cdp.version" => append_decimal(b, h.version),
                    "cdp.ttl" => append_decimal(b, h.ttl),
                    "cdp.checksum" => hex(b, h.checksum as u64, 4),
                    _ => {}
                }
            }
        }
        "slarp" => {
            if let Some(s) = x.slarp {
                slarp_field(s, name, b)
            }
        }
        "vrrp" => {
            if let Some(m) = &x.vrrp {
                vrrp_field(m, name, b)
            }
        }
        "ospf" => {
            if let Some(m) = &x.ospf {
                ospf_field(m, name, b)
            }
        }
        _ => {}
    }
    b.len() > start
}

/// Whether the protocol `name` of [`PROTOCOLS`] is in the frame.
pub fn present(x: &Extra<'_>, name: &str) -> bool {
    match name {
        "llc" => x.llc.is_some(),
        "stp" => x.stp.is_some(),
        "cdp" => x.cdp.is_some(),
        "slarp" => x.slarp.is_some(),
        "vrrp" => x.vrrp.is_some(),
        "ospf" => x.ospf.is_some(),
        _ => false,
    }
}

fn llc_field(l: &LlcLayer<'_>, name: &str, b: &mut Vec<u8>) {
    let h = &l.header;
    match name {
        "llc.dsap" => hex(b, h.dsap_field as u64, 2),
        "llc.ssap" => hex(b, h.ssap_field as u64, 2),
        "llc.control" => hex(b, h.control as u64, 4),
        "llc.oui" => {
            if let Some(s) = l.snap {
                append_decimal(b, s.oui)
            }
        }
        // The EtherType of RFC 1042's encapsulation (OUI 0).
        "llc.type" => {
            if let Some(s) = l.snap.filter(|s| s.oui == 0) {
                hex(b, s.pid as u64, 4)
            }
        }
        _ => {}
    }
}

/// A timer in 1/256 seconds, written as tshark writes a double.
fn seconds(b: &mut Vec<u8>, v: u16) {
    let s = stp::seconds(v);
    // Writing to a Vec cannot fail.
    let _ = std::io::Write::write_fmt(b, format_args!("{s}"));
}

/// The flag bits tshark shows: all of them for RSTP and later, only the topology change
/// bits for a version 0 configuration BPDU.
fn stp_flag(b: &mut Vec<u8>, flags: u8, name: &str, rstp: bool) {
    let bit = |mask: u8| (flags & mask != 0) as u8;
    match name {
        "stp.flags.tc" => append_decimal(b, bit(0x01)),
        "stp.flags.tcack" => append_decimal(b, bit(0x80)),
        _ if !rstp => {}
        "stp.flags.proposal" => append_decimal(b, bit(0x02)),
        "stp.flags.port_role" => append_decimal(b, Bpdu::port_role(flags)),
        "stp.flags.learning" => append_decimal(b, bit(0x10)),
        "stp.flags.forwarding" => append_decimal(b, bit(0x20)),
        "stp.flags.agreement" => append_decimal(b, bit(0x40)),
        _ => {}
    }
}

fn stp_field(p: &Bpdu<'_>, name: &str, b: &mut Vec<u8>) {
    let (Some(protocol), Some(version), Some(ty)) = (p.protocol_id(), p.version(), p.bpdu_type()) else {
        return;
    };
    // Wireshark adds nothing for a configuration or RST BPDU cut before its fixed part.
    if ty != bpdu_type::TOPOLOGY_CHANGE && p.data.len() < stp::CONFIG_LEN {
        return;
    }
    match name {
        "stp.protocol" => return hex(b, protocol as u64, 4),
        "stp.version" => return append_decimal(b, version),
        "stp.type" => return hex(b, ty as u64, 2),
        _ => {}
    }
    if ty == bpdu_type::TOPOLOGY_CHANGE {
        return;
    }
    let rstp = version >= stp::version::RSTP;
    let flags = p.flags().unwrap_or(0);
    let id = |at: usize| -> &[u8; 8] { p.data[at..at + 8].try_into().unwrap_or(&[0; 8]) };
    let (root, bridge) = (id(field::ROOT_ID), id(field::BRIDGE_ID));
    let timer = |at| p.u16_at(at).unwrap_or(0);
    match name {
        "stp.flags" => hex(b, flags as u64, 2),
        n if n.starts_with("stp.flags.") => {
            stp_flag(b, flags, n, rstp);
            if version == stp::version::MSTP {
                // Wireshark counts an MST BPDU's MSTI messages by the BPDU's length, not
                // its version 3 length (an SPB BPDU's by that length).
                for m in p.data.get(field::MSTI..).unwrap_or(&[]).chunks_exact(stp::MSTI_LEN) {
                    b.push(b',');
                    stp_flag(b, m[0], n, rstp);
                }
            } else if version > stp::version::MSTP {
                for m in p.mstis() {
                    b.push(b',');
                    stp_flag(b, m.flags(), n, rstp);
                }
            }
        }
        "stp.root.prio" => append_decimal(b, stp::priority_ext(root).0),
        "stp.root.ext" => append_decimal(b, stp::priority_ext(root).1),
        "stp.root.hw" => out::mac(b, &root[2..]),
        "stp.root.cost" => append_decimal(b, p.u32_at(field::ROOT_PATH_COST).unwrap_or(0)),
        "stp.bridge.prio" => append_decimal(b, stp::priority_ext(bridge).0),
        "stp.bridge.ext" => append_decimal(b, stp::priority_ext(bridge).1),
        "stp.bridge.hw" => out::mac(b, &bridge[2..]),
        "stp.port" => hex(b, timer(field::PORT_ID) as u64, 4),
        "stp.msg_age" => seconds(b, timer(field::MESSAGE_AGE)),
        "stp.max_age" => seconds(b, timer(field::MAX_AGE)),
        "stp.hello" => seconds(b, timer(field::HELLO_TIME)),
        "stp.forward" => seconds(b, timer(field::FORWARD_DELAY)),
        "stp.version_1_length" if rstp => {
            if let Some(v) = p.u8_at(field::V1_LENGTH) {
                append_decimal(b, v)
            }
        }
        // Shown when the MST part it announces was captured.
        "mstp.version_3_length" if version >= stp::version::MSTP => {
            if let Some(v) =
                p.u16_at(field::V3_LENGTH).filter(|v| p.data.len() >= field::V3_LENGTH + 2 + *v as usize)
            {
                append_decimal(b, v)
            }
        }
        _ => {}
    }
}

fn slarp_field(s: &[u8], name: &str, b: &mut Vec<u8>) {
    let Some(code) = slarp::word(s, 0) else { return };
    match (name, code) {
        ("slarp.ptype", _) => append_decimal(b, code),
        ("slarp.address", slarp::code::REQUEST | slarp::code::REPLY) => {
            if let Some(a) = s.get(4..8) {
                out::ip4(b, a)
            }
        }
        ("slarp.netmask", slarp::code::REQUEST | slarp::code::REPLY) => {
            if let Some(a) = s.get(8..12) {
                out::ip4(b, a)
            }
        }
        ("slarp.mysequence", slarp::code::KEEPALIVE) => {
            if let Some(v) = slarp::word(s, 4) {
                append_decimal(b, v)
            }
        }
        ("slarp.yoursequence", slarp::code::KEEPALIVE) => {
            if let Some(v) = slarp::word(s, 8) {
                append_decimal(b, v)
            }
        }
        ("slarp.reliability", slarp::code::KEEPALIVE) => {
            if let Some(v) = be16(s, 12) {
                hex(b, v as u64, 4)
            }
        }
        _ => {}
    }
}

fn vrrp_field(m: &IpMessage<'_>, name: &str, b: &mut Vec<u8>) {
    // Field by field, as far as the capture goes (tshark shows a cut header's first fields).
    let d = m.data;
    let Some(&first) = d.first() else { return };
    let version = first >> 4;
    let byte = |at: usize| d.get(at).copied();
    let v2 = version == 2;
    let value = match name {
        "vrrp.version" => Some(version as u16),
        "vrrp.type" => Some((first & 0x0f) as u16),
        "vrrp.virt_rtr_id" => byte(1).map(u16::from),
        "vrrp.prio" => byte(2).map(u16::from),
        "vrrp.addr_count" => byte(3).map(u16::from),
        "vrrp.auth_type" if v2 => byte(4).map(u16::from),
        "vrrp.adver_int" if v2 => byte(5).map(u16::from),
        "vrrp.short_adver_int" if !v2 => be16(d, 4).map(|v| v & 0x0fff),
        "vrrp.checksum" => {
            if let Some(v) = be16(d, 6) {
                hex(b, v as u64, 4)
            }
            None
        }
        "vrrp.ip_addr" | "vrrp.ipv6_addr" if (name == "vrrp.ipv6_addr") == m.v6 => {
            let size = if m.v6 { 16 } else { 4 };
            let count = byte(3).unwrap_or(0) as usize;
            let addrs = d.get(vrrp::HEADER_LEN..).unwrap_or(&[]).chunks_exact(size).take(count);
            for (i, a) in addrs.enumerate() {
                if i > 0 {
                    b.push(b',');
                }
                if m.v6 { out::ip6(b, a) } else { out::ip4(b, a) }
            }
            None
        }
        _ => None,
    };
    if let Some(v) = value {
        append_decimal(b, v)
    }
}

fn ospf_field(m: &IpMessage<'_>, name: &str, b: &mut Vec<u8>) {
    let d = m.data;
    let Some((version, ty)) = ospf::version_type(d) else { return };
    match name {
        "ospf.version" => append_decimal(b, version),
        "ospf.msg" => append_decimal(b, ty),
        "ospf.packet_length" => {
            if let Some(v) = be16(d, 2) {
                append_decimal(b, v)
            }
        }
        "ospf.srcrouter" | "ospf.area_id" => {
            let at = if name == "ospf.srcrouter" { 4 } else { 8 };
            if let Some(a) = d.get(at..at + 4) {
                out::ip4(b, a)
            }
        }
        "ospf.checksum" => {
            if let Some(v) = be16(d, 12) {
                hex(b, v as u64, 4)
            }
        }
        "ospf.auth.type" if version == 2 => {
            if let Some(v) = ospf::auth_type(d) {
                append_decimal(b, v)
            }
        }
        "ospf.instance_id" if version == 3 => {
            if let Some(&v) = d.get(14) {
                append_decimal(b, v)
            }
        }
        _ => {}
    }
}
