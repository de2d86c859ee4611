//! Scapy's IPv6 neighbour discovery (its `ICMPv6ND_RS/RA/NS/NA` and the options that follow
//! them, each a layer of its own) as `show2()` prints it.
//!
//! As in Scapy, an option's class comes from its type byte and its size from the class (the
//! link-layer address options read 8 bytes whatever their `len` says), an option cut short ends
//! the dissection with `Raw`, and so does one type byte alone. Options Scapy has classes for
//! and this module does not (redirected header, advertisement interval, route information,
//! DNSSL, ...) show as `Raw` too.

use std::fmt::Write as _;
use std::net::Ipv6Addr;

use super::{Shower, layer};

/// How a field's value prints.
#[derive(Clone, Copy)]
enum Form {
    Decimal,
    Hex,
    Ipv6,
}

/// Scapy's `ICMPv6NDOptPrefixInfo`.
const PREFIX_INFO: &[(&str, usize, Form)] = &[
    ("type", 8, Form::Decimal),
    ("len", 8, Form::Decimal),
    ("prefixlen", 8, Form::Decimal),
    ("L", 1, Form::Decimal),
    ("A", 1, Form::Decimal),
    ("R", 1, Form::Decimal),
    ("res1", 5, Form::Decimal),
    ("validlifetime", 32, Form::Hex),
    ("preferredlifetime", 32, Form::Hex),
    ("res2", 32, Form::Hex),
    ("prefix", 128, Form::Ipv6),
];

/// Scapy's `ICMPv6NDOptMTU`.
const MTU: &[(&str, usize, Form)] = &[
    ("type", 8, Form::Decimal),
    ("len", 8, Form::Decimal),
    ("res", 16, Form::Hex),
    ("mtu", 32, Form::Decimal),
];

/// Scapy's `ICMPv6NDOptRDNSS` up to its address list.
const RDNSS_HEAD: &[(&str, usize, Form)] = &[
    ("type", 8, Form::Decimal),
    ("len", 8, Form::Decimal),
    ("res", 16, Form::Decimal),
    ("lifetime", 32, Form::Decimal),
];

const SOURCE_LINK_ADDRESS: u8 = 1;
const TARGET_LINK_ADDRESS: u8 = 2;
const PREFIX_INFORMATION: u8 = 3;
const MTU_OPTION: u8 = 5;
const RECURSIVE_DNS_SERVER: u8 = 25;

/// The crafting layer and Scapy's display name of each message type.
pub(super) const MESSAGES: &[(u8, &str, &str)] = &[
    (133, "ICMPv6ND_RS", "ICMPv6 Neighbor Discovery - Router Solicitation"),
    (134, "ICMPv6ND_RA", "ICMPv6 Neighbor Discovery - Router Advertisement"),
    (135, "ICMPv6ND_NS", "ICMPv6 Neighbor Discovery - Neighbor Solicitation"),
    (136, "ICMPv6ND_NA", "ICMPv6 Neighbor Discovery - Neighbor Advertisement"),
];

/// Shows a neighbour discovery message and its options; the bytes left for `Raw`.
pub(super) fn show<'a>(s: &mut Shower, data: &'a [u8]) -> Option<&'a [u8]> {
    let (_, class, _) = MESSAGES.iter().find(|(t, _, _)| Some(t) == data.first())?;
    let Some((_, used)) = s.fixed(layer(class), data, None) else { return Some(data) };
    let mut rest = &data[used..];
    while rest.len() > 1 {
        let used = match rest[0] {
            SOURCE_LINK_ADDRESS | TARGET_LINK_ADDRESS => {
                let class = if rest[0] == SOURCE_LINK_ADDRESS {
                    "ICMPv6NDOptSrcLLAddr"
                } else {
                    "ICMPv6NDOptDstLLAddr"
                };
                s.fixed(layer(class), rest, None).map(|(_, used)| used)
            }
            PREFIX_INFORMATION => table(s, "Prefix Information", PREFIX_INFO, rest),
            MTU_OPTION => table(s, "MTU", MTU, rest),
            RECURSIVE_DNS_SERVER => rdnss(s, rest),
            _ => None,
        };
        let Some(used) = used else { break };
        rest = &rest[used..];
    }
    Some(rest)
}

/// Reads `width` bits from `data` at bit `at`.
fn bits(data: &[u8], at: usize, width: usize) -> u128 {
    (at..at + width).fold(0u128, |v, i| v << 1 | u128::from(data[i / 8] >> (7 - i % 8) & 1))
}

/// Shows an option laid out by `fields`; the bytes it used, or None when it is cut short.
fn table(s: &mut Shower, title: &str, fields: &[(&str, usize, Form)], data: &[u8]) -> Option<usize> {
    let total: usize = fields.iter().map(|(_, w, _)| w).sum();
    if data.len() * 8 < total {
        return None;
    }
    s.depth += 1;
    let _ = writeln!(s.out, "###[ ICMPv6 Neighbor Discovery Option - {title} ]### ");
    let mut at = 0;
    for &(name, width, form) in fields {
        let v = bits(data, at, width);
        at += width;
        let text = match form {
            Form::Decimal => v.to_string(),
            Form::Hex => format!("{v:#x}"),
            Form::Ipv6 => Ipv6Addr::from(v).to_string(),
        };
        s.field(name, &text);
    }
    Some(total / 8)
}

/// The recursive DNS server option: its head, then `len` counts 8-byte units of addresses.
fn rdnss(s: &mut Shower, data: &[u8]) -> Option<usize> {
    let units = usize::from(*data.get(1)?);
    let size = 8 * units;
    if units % 2 == 0 || data.len() < size {
        return None;
    }
    table(s, "Recursive DNS Server Option", RDNSS_HEAD, data)?;
    let servers: Vec<String> = data[8..size]
        .chunks(16)
        .map(|c| Ipv6Addr::from(<[u8; 16]>::try_from(c).unwrap_or_default()).to_string())
        .collect();
    // Scapy's IP6ListField prints `[ a, b ]`.
    s.field("dns", &format!("[ {} ]", servers.join(", ")));
    Some(size)
}
