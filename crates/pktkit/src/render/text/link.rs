//! Link layers as tcpdump prints them (Ethernet and 802.1Q tags, Linux cooked v1/v2, BSD
//! null/loop, Solaris ipnet, IP over InfiniBand, PPP, Cisco HDLC, NFLOG, PKTAP), then the
//! network layer that [`crate::decode`] found: its EtherType ([`Decoded::ether_type`]) and
//! where it starts ([`Decoded::net_offset`]).

use crate::capture::LinkType;
use crate::decode::{Decoded, Link};
use crate::proto::ethernet::{self, ether_type as ety_num};
use crate::proto::{null, ppp_proto};
use crate::render::out::{self, append_decimal, append_str, be32, hex};

use super::TextPrinter;

/// Linux netlink (`DLT_NETLINK`).
const LINKTYPE_NETLINK: u16 = 253;
/// The first of the sixteen private link types (`DLT_USER0`).
const LINKTYPE_USER0: u16 = 147;
/// The last private link type (`DLT_USER15`).
const LINKTYPE_USER15: u16 = 162;
/// The IP over InfiniBand pseudo header (RFC 4391): 40 bytes of addresses, then an EtherType
/// and 2 reserved bytes.
const IPOIB_LEN: usize = 44;
/// The fixed part of an Apple PKTAP header: its length and the inner link type.
const PKTAP_MIN_LEN: usize = 8;

/// Where the network layer starts, counted from the link header: decode's
/// [`Decoded::net_offset`] counts from the frame, which a PKTAP header precedes.
fn net_start(d: &Decoded<'_>) -> usize {
    d.net_offset - d.pktap.map_or(0, |(_, hl)| hl)
}

impl TextPrinter {
    /// The 802.1Q/QinQ tags after a link header, as tcpdump -e prints them (nothing
    /// without -e); returns their length in bytes.
    fn vlan_tags(&self, b: &mut Vec<u8>, d: &Decoded<'_>) -> usize {
        let mut len = 0;
        for tag in d.vlans() {
            len += 4;
            if self.o.link_header {
                append_str(b, "vlan ");
                append_decimal(b, tag.vid);
                append_str(b, ", p ");
                append_decimal(b, tag.pcp);
                if tag.dei {
                    append_str(b, ", DEI");
                }
                append_str(b, ", ");
                if tag.next <= ethernet::MAX_8023_LENGTH {
                    // tcpdump: a length, not a type, after the tag; LLC follows directly.
                    append_str(b, "802.3");
                } else {
                    ether_type(b, self.o.quiet, tag.next);
                    append_str(b, ", ");
                }
            }
        }
        len
    }

    /// Prints the link layer at the start of `data`; returns its header length.
    pub(super) fn link(&mut self, b: &mut Vec<u8>, d: &Decoded<'_>, data: &[u8], length: usize) -> usize {
        match d.link {
            Link::Ethernet(eth) => {
                let mut hdr = ethernet::HEADER_LEN;
                let ety = eth.type_or_len();
                // tcpdump's 802.3 length: the length field, or what the frame holds if less.
                let llc_len = (ety as usize).min(length.saturating_sub(hdr));
                if self.o.link_header {
                    out::mac(b, &eth.src());
                    append_str(b, " > ");
                    out::mac(b, &eth.dst());
                    append_str(b, ", ");
                    if ety <= ethernet::MAX_8023_LENGTH {
                        append_str(b, "802.3, length ");
                        append_decimal(b, llc_len);
                        append_str(b, ": ");
                    } else {
                        ether_type(b, self.o.quiet, ety);
                        append_str(b, ", length ");
                        append_decimal(b, length);
                        append_str(b, ": ");
                    }
                }
                if ety <= ethernet::MAX_8023_LENGTH {
                    // tcpdump hands LLC the 802.3 length, and no more bytes than it says.
                    let llc_bytes = &data[hdr.min(data.len())..];
                    let llc_bytes = &llc_bytes[..llc_bytes.len().min(llc_len)];
                    if let Some(llc_hdr) = self.llc(b, llc_bytes, llc_len) {
                        return hdr + llc_hdr;
                    }
                    if !self.o.link_header {
                        out::mac(b, &eth.src());
                        append_str(b, " > ");
                        out::mac(b, &eth.dst());
                        append_str(b, ", 802.3, length ");
                        append_decimal(b, llc_len);
                        append_str(b, ": ");
                    }
                    self.default_print(b, &data[hdr..]);
                    return hdr;
                }
                self.vlan_tags(b, d);
                hdr = net_start(d);
                if d.vlan_count < d.vlans.len()
                    && let Some(stop) = d.stop
                    && stop.layer == crate::decode::Layer::Vlan
                {
                    append_str(b, " [|vlan]");
                    return hdr.min(data.len());
                }
                let ety = d.ether_type.unwrap_or(ety);
                // An LLC frame inside a VLAN tag: the length is the tag's, or what the frame
                // holds if less.
                if ety <= ethernet::MAX_8023_LENGTH {
                    let llc_len = (ety as usize).min(length.saturating_sub(hdr));
                    let llc_bytes = &data[hdr.min(data.len())..];
                    let llc_bytes = &llc_bytes[..llc_bytes.len().min(llc_len)];
                    if let Some(llc_hdr) = self.llc(b, llc_bytes, llc_len) {
                        return hdr + llc_hdr;
                    }
                }
                if !self.network(b, ety, &data[hdr.min(data.len())..], length.saturating_sub(hdr)) {
                    if !self.o.link_header {
                        out::mac(b, &eth.src());
                        append_str(b, " > ");
                        out::mac(b, &eth.dst());
                        append_str(b, ", ");
                        ether_type(b, self.o.quiet, ety);
                        append_str(b, ", length ");
                        append_decimal(b, length);
                        append_str(b, ": ");
                    }
                    self.default_print(b, &data[hdr.min(data.len())..]);
                }
                hdr
            }
            Link::Sll(sll) => {
                let hdr = sll.header_len();
                let quiet = self.o.quiet;
                let sll_header = |b: &mut Vec<u8>| {
                    if sll.version == 2 {
                        append_str(b, "?     ");
                        let name = sll.pkttype_name();
                        append_str(b, name);
                        for _ in name.len()..3 {
                            b.push(b' ');
                        }
                        append_str(b, " ifindex ");
                        append_decimal(b, sll.ifindex.unwrap_or(0));
                        b.push(b' ');
                    } else {
                        let name = sll.pkttype_name();
                        for _ in name.len()..3 {
                            b.push(b' ');
                        }
                        append_str(b, name);
                        b.push(b' ');
                    }
                    out::mac(b, sll.addr);
                    b.push(b' ');
                    // tcpdump -q stops after the address: no EtherType, no length.
                    if !quiet {
                        ether_type(b, quiet, sll.protocol);
                        append_str(b, ", length ");
                        append_decimal(b, length);
                        append_str(b, ": ");
                    }
                };
                if self.o.link_header {
                    sll_header(b);
                } else if sll.version == 2 {
                    // tcpdump prints the interface and direction of SLL2 frames even without -e.
                    append_str(b, "?     ");
                    let name = sll.pkttype_name();
                    append_str(b, name);
                    for _ in name.len()..3 {
                        b.push(b' ');
                    }
                    b.push(b' ');
                }
                self.vlan_tags(b, d);
                let off = net_start(d);
                let ety = d.ether_type.unwrap_or(sll.protocol);
                if ety < ethernet::MIN_ETHER_TYPE
                    || !self.network(b, ety, &data[off.min(data.len())..], length.saturating_sub(off))
                {
                    if !self.o.link_header {
                        if sll.version == 2 {
                            // The interface and direction are already printed.
                            append_str(b, "ifindex ");
                            append_decimal(b, sll.ifindex.unwrap_or(0));
                            b.push(b' ');
                            out::mac(b, sll.addr);
                            b.push(b' ');
                            if !quiet {
                                ether_type(b, quiet, sll.protocol);
                                append_str(b, ", length ");
                                append_decimal(b, length);
                                append_str(b, ": ");
                            }
                        } else {
                            sll_header(b);
                        }
                    }
                    self.default_print(b, &data[off.min(data.len())..]);
                }
                hdr
            }
            Link::Null { family } => {
                let hdr = net_start(d);
                let quiet = self.o.quiet;
                let null_header = |b: &mut Vec<u8>| {
                    match (quiet, null::family_name(family)) {
                        // tcpdump -q: the family's bare name.
                        (true, Some(name)) => append_str(b, name),
                        (true, None) => {
                            append_str(b, "Unknown AF ");
                            append_decimal(b, family);
                        }
                        (false, name) => {
                            append_str(b, "AF ");
                            append_str(b, name.unwrap_or("Unknown"));
                            append_str(b, " (");
                            append_decimal(b, family);
                            b.push(b')');
                        }
                    }
                    append_str(b, ", length ");
                    append_decimal(b, length);
                    append_str(b, ": ");
                };
                if self.o.link_header {
                    null_header(b);
                }
                let ety = d.ether_type.unwrap_or(0);
                if ety == 0 || !self.network(b, ety, &data[hdr..], length.saturating_sub(hdr)) {
                    if !self.o.link_header {
                        null_header(b);
                    }
                    self.default_print(b, &data[hdr..]);
                }
                hdr
            }
            Link::Ipnet => {
                let hdr = net_start(d);
                let fam = data[1];
                if self.o.link_header {
                    append_decimal(b, be32(data, 16).unwrap_or(0));
                    append_str(b, " > ");
                    append_decimal(b, be32(data, 20).unwrap_or(0));
                    let name = match d.ether_type {
                        Some(ety_num::IPV4) => Some("IPv4"),
                        Some(ety_num::IPV6) => Some("IPv6"),
                        _ => None,
                    };
                    family(b, self.o.quiet, name, fam, "Unknown Ethertype (0x");
                    append_str(b, ", length ");
                    append_decimal(b, length);
                    append_str(b, ": ");
                }
                let ety = d.ether_type.unwrap_or(0);
                if ety == 0 || !self.network(b, ety, &data[hdr..], length.saturating_sub(hdr)) {
                    self.default_print(b, &data[hdr..]);
                }
                hdr
            }
            Link::Ppp { protocol } => {
                let hdr = net_start(d).min(data.len());
                let ety = d.ether_type.unwrap_or(0);
                if self.o.link_header {
                    append_str(
                        b,
                        match protocol {
                            ppp_proto::IPV4 => "IP",
                            ppp_proto::IPV6 => "IP6",
                            ppp_proto::LCP => "LCP",
                            _ => "unknown",
                        },
                    );
                    append_str(b, " (0x");
                    hex(b, protocol as u64, 4);
                    append_str(b, "), length ");
                    append_decimal(b, length);
                    append_str(b, ": ");
                }
                let done = ety != 0 && self.network(b, ety, &data[hdr..], length.saturating_sub(hdr));
                if !done {
                    self.default_print(b, &data[hdr..]);
                }
                hdr
            }
            Link::Chdlc { address } => {
                let hdr = net_start(d);
                let ety = d.ether_type.unwrap_or(0);
                if self.o.link_header {
                    append_str(
                        b,
                        match address {
                            0x0f => "unicast",
                            0x8f => "bcast",
                            _ => "0x",
                        },
                    );
                    if !matches!(address, 0x0f | 0x8f) {
                        hex(b, address as u64, 2);
                    }
                    append_str(b, ", ");
                    // tcpdump's chdlc_print names the EtherType in full, also with -q.
                    ether_type(b, false, ety);
                    append_str(b, ", length ");
                    append_decimal(b, length);
                    append_str(b, ": ");
                }
                if ety == crate::proto::slarp::CHDLC_TYPE {
                    self.slarp(b, &data[hdr..], length.saturating_sub(hdr));
                } else if !self.network(b, ety, &data[hdr..], length.saturating_sub(hdr)) {
                    self.default_print(b, &data[hdr..]);
                }
                hdr
            }
            Link::Nflog { family, version, resource } => {
                if self.o.link_header {
                    append_str(b, "version ");
                    append_decimal(b, version);
                    append_str(b, ", resource ID ");
                    append_decimal(b, resource);
                    let name = match family {
                        2 => Some("IPv4"),
                        10 => Some("IPv6"),
                        _ => None,
                    };
                    self::family(b, self.o.quiet, name, family, "Unknown NFLOG (0x");
                    append_str(b, ", length ");
                    append_decimal(b, length);
                    append_str(b, ": ");
                }
                let hdr = net_start(d).min(data.len());
                let ety = d.ether_type.unwrap_or(0);
                if net_start(d) >= data.len()
                    || !self.network(b, ety, &data[hdr..], length.saturating_sub(hdr))
                {
                    self.default_print(b, &data[hdr..]);
                }
                hdr
            }
            Link::Ipoib => {
                let hdr = net_start(d);
                let ety = d.ether_type.unwrap_or(0);
                if self.o.link_header {
                    append_str(b, "IPOIB, ");
                    if self.o.quiet {
                        // tcpdump's ipoib_hdr_print with -q: the name without the number.
                        append_str(b, "ethertype ");
                        append_str(b, ethernet::ether_type_name(ety).unwrap_or("Unknown"));
                    } else {
                        ether_type(b, false, ety);
                    }
                    append_str(b, ", length ");
                    append_decimal(b, length);
                    append_str(b, ": ");
                }
                if !self.network(b, ety, &data[hdr..], length.saturating_sub(hdr)) {
                    self.default_print(b, &data[hdr..]);
                }
                hdr
            }
            Link::Raw => {
                if self.o.link_header {
                    append_str(b, "ip: ");
                }
                // decode names the network layer from the link type (IPv4, IPv6) or the
                // version nibble; without one, tcpdump prints the version it found.
                let Some(ety) = d.ether_type else {
                    match data.first() {
                        None => append_str(b, "[|ip]"),
                        Some(x) => {
                            append_str(b, "IP");
                            append_decimal(b, x >> 4);
                        }
                    }
                    return 0;
                };
                self.network(b, ety, &data[net_start(d)..], length);
                0
            }
            Link::None => self.link_unknown(b, d, data),
        }
    }

    pub(super) fn link_unknown(&mut self, b: &mut Vec<u8>, d: &Decoded<'_>, data: &[u8]) -> usize {
        let need = match d.linktype {
            LinkType::ETHERNET => ethernet::HEADER_LEN,
            LinkType::LINUX_SLL => crate::proto::sll::SLL_LEN,
            LinkType::LINUX_SLL2 => crate::proto::sll::SLL2_LEN,
            LinkType::NULL | LinkType::LOOP => null::HEADER_LEN,
            LinkType::IPNET => null::IPNET_LEN,
            LinkType::IPOIB => IPOIB_LEN,
            LinkType::PKTAP_DLT_USER2 | LinkType::PKTAP => PKTAP_MIN_LEN,
            // Link types tcpdump 4.99.3 has no printer for: Linux netlink and the user
            // DLTs print as `UNSUPPORTED` and the whole frame in hex and ASCII.
            LinkType(LINKTYPE_NETLINK | LINKTYPE_USER0..=LINKTYPE_USER15) => {
                append_str(b, "UNSUPPORTED");
                super::hex_ascii(b, data, 0);
                return 0;
            }
            _ => {
                append_str(b, "unsupported link type ");
                append_decimal(b, d.linktype.0);
                return 0;
            }
        };
        if data.len() < need {
            append_str(
                b,
                match d.linktype {
                    LinkType::ETHERNET => "[|ether]",
                    LinkType::IPOIB => "[|ipoib]",
                    LinkType::PKTAP_DLT_USER2 | LinkType::PKTAP => "[|pktap]",
                    LinkType::LINUX_SLL | LinkType::LINUX_SLL2 => "[|sll]",
                    LinkType::NULL | LinkType::LOOP => "[|null]",
                    _ => "[|ipnet]",
                },
            );
        }
        data.len()
    }

    /// Prints the network layer of EtherType `ety` (as decode found it); false when it is not
    /// one pktkit prints.
    pub(super) fn network(&mut self, b: &mut Vec<u8>, ety: u16, p: &[u8], length: usize) -> bool {
        match ety {
            ety_num::IPV4 => self.ip4(b, p, length),
            ety_num::IPV6 => self.ip6(b, p, length),
            ety_num::ARP | ety_num::RARP => self.arp(b, p, length),
            ety_num::MPLS | ety_num::MPLS_MULTICAST => self.mpls(b, p, length),
            ety_num::PPPOE_SESSION => self.pppoe_session(b, p, length),
            ety_num::PPPOE_DISCOVERY => self.pppoe_discovery(b, p, length),
            _ => return false,
        }
        true
    }
}

/// `, family IPv4 (2)` of ipnet and NFLOG headers; with tcpdump's -q `, IPv4`, or
/// `unknown` followed by the number in two (NFLOG) or four (ipnet) hex digits and `)`.
fn family(b: &mut Vec<u8>, quiet: bool, name: Option<&str>, number: u8, unknown: &str) {
    match (quiet, name) {
        (true, Some(n)) => {
            append_str(b, ", ");
            append_str(b, n);
        }
        (true, None) => {
            append_str(b, ", ");
            append_str(b, unknown);
            hex(b, number as u64, if unknown.contains("NFLOG") { 2 } else { 4 });
            b.push(b')');
        }
        (false, n) => {
            append_str(b, ", family ");
            append_str(b, n.unwrap_or("Unknown"));
            append_str(b, " (");
            append_decimal(b, number);
            b.push(b')');
        }
    }
}

/// tcpdump's `ether_type_print`; `quiet` (-q) gives the bare name or `Unknown Ethertype (0x..)`.
pub(super) fn ether_type(b: &mut Vec<u8>, quiet: bool, t: u16) {
    if quiet {
        match ethernet::ether_type_name(t) {
            Some(name) => append_str(b, name),
            None => {
                append_str(b, "Unknown Ethertype (0x");
                hex(b, t as u64, 4);
                b.push(b')');
            }
        }
        return;
    }
    append_str(b, "ethertype ");
    append_str(b, ethernet::ether_type_name(t).unwrap_or("Unknown"));
    append_str(b, " (0x");
    hex(b, t as u64, 4);
    b.push(b')');
}
