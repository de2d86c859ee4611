//! Text output: tcpdump 4.99's `-n` format, line for line, for the protocols pktkit decodes.
//!
//! The layering comes from [`pktkit::decode`]; the header fields are re-read here from the
//! frame's bytes so that cut and damaged packets print exactly what tcpdump prints (its
//! `[|tcp]` markers, `truncated-ip`, `bad-hlen` and so on). One reusable line buffer, no
//! per-packet allocation.

use std::collections::HashMap;
use std::io::{self, Write};

use pktkit::capture::{Packet, Timestamp};
use pktkit::decode::{Decoded, Link};
use pktkit::proto::{arp, ethernet, icmpv6 as icmp6c, ipv4 as ipv4p, null, tcp as tcpp};

use super::app;
use super::out::{self, be16, be32, hex, s, u};
use super::time::{self, LocalTime};

/// Which tcpdump options shape the text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TextOptions {
    /// `-e`: print the link-layer header.
    pub eflag: bool,
    /// `-v` count.
    pub vflag: u8,
    /// `-x` count (hex).
    pub xflag: u8,
    /// `-X` count (hex and ASCII).
    pub big_x: u8,
    /// `-A` count (ASCII).
    pub aflag: u8,
    /// `-#`: packet numbers.
    pub number: bool,
    /// `-t` count: 0 time of day, 1 none, 2 epoch, 3 delta, 4 date and time, 5 since first.
    pub tflag: u8,
    /// `--nano`: nanosecond fractions.
    pub nano: bool,
}

/// Bound on the TCP relative-sequence table (tcpdump's grows without bound).
const MAX_TCP_FLOWS: usize = 200_000;

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct FlowKey {
    a: [u8; 16],
    b: [u8; 16],
    ports: u32,
    v6: bool,
}

/// Renders packets as tcpdump does.
pub struct TextPrinter {
    o: TextOptions,
    line: Vec<u8>,
    lt: LocalTime,
    prev: Option<Timestamp>,
    first: Option<Timestamp>,
    tcp_seq: HashMap<FlowKey, (u32, u32)>,
}

/// What the network printers need to know about the enclosing IP header.
#[derive(Clone, Copy)]
struct IpCtx<'p> {
    v6: bool,
    src: &'p [u8],
    dst: &'p [u8],
    /// The IP header's own next-header field is this transport (no extension header between).
    direct: bool,
    fragmented: bool,
}

impl TextPrinter {
    /// A printer with these options, in the local time zone.
    pub fn new(o: TextOptions) -> Self {
        Self::with_time(o, LocalTime::new())
    }

    /// A printer with an explicit time zone converter.
    pub fn with_time(o: TextOptions, lt: LocalTime) -> Self {
        TextPrinter { o, line: Vec::with_capacity(512), lt, prev: None, first: None, tcp_seq: HashMap::new() }
    }

    /// Writes one packet's line(s).
    pub fn packet<W: Write>(&mut self, w: &mut W, pkt: &Packet<'_>, d: &Decoded<'_>) -> io::Result<()> {
        let mut b = std::mem::take(&mut self.line);
        b.clear();
        if self.o.number {
            out::u_pad(&mut b, pkt.number, 5, b' ');
            s(&mut b, "  ");
        }
        self.timestamp(&mut b, pkt.ts);
        let hdrlen = self.frame(&mut b, d);
        self.dumps(&mut b, d.data, hdrlen);
        b.push(b'\n');
        let r = w.write_all(&b);
        self.line = b;
        r
    }

    fn timestamp(&mut self, b: &mut Vec<u8>, ts: Timestamp) {
        let nano = self.o.nano;
        match self.o.tflag {
            1 => {}
            2 => {
                u(b, ts.secs);
                b.push(b'.');
                time::frac(b, ts.nanos, nano);
                b.push(b' ');
            }
            3 | 5 => {
                let base =
                    if self.o.tflag == 3 { self.prev.unwrap_or(ts) } else { *self.first.get_or_insert(ts) };
                let mut delta = ts.nanos_since(base);
                if !nano {
                    // tcpdump subtracts microsecond timestamps.
                    delta = (ts.as_nanos() / 1000 - base.as_nanos() / 1000) * 1000;
                }
                b.push(if delta < 0 { b'-' } else { b' ' });
                let delta = delta.unsigned_abs();
                let secs = (delta / 1_000_000_000) as u64;
                let nanos = (delta % 1_000_000_000) as u32;
                out::u_pad(b, secs / 3600, 2, b'0');
                b.push(b':');
                out::u_pad(b, secs / 60 % 60, 2, b'0');
                b.push(b':');
                out::u_pad(b, secs % 60, 2, b'0');
                b.push(b'.');
                time::frac(b, nanos, nano);
                b.push(b' ');
                self.prev = Some(ts);
            }
            4 => {
                let c = self.lt.civil(ts.secs);
                time::ymd(b, &c);
                b.push(b' ');
                time::hms(b, &c);
                b.push(b'.');
                time::frac(b, ts.nanos, nano);
                b.push(b' ');
            }
            _ => {
                let c = self.lt.civil(ts.secs);
                time::hms(b, &c);
                b.push(b'.');
                time::frac(b, ts.nanos, nano);
                b.push(b' ');
            }
        }
    }

    fn suppress_default(&self) -> bool {
        self.o.xflag > 0 || self.o.big_x > 0 || self.o.aflag > 0
    }

    /// Prints the frame from its link layer on; returns the link header length (for -x).
    fn frame(&mut self, b: &mut Vec<u8>, d: &Decoded<'_>) -> usize {
        let Some((dlt, hl)) = d.pktap else {
            return self.link(b, d, d.data, d.orig_len as usize);
        };
        if self.o.eflag {
            s(b, "DLT ");
            match u16::try_from(dlt).ok().and_then(|v| pktkit::capture::LinkType(v).dlt_name()) {
                Some(n) => s(b, n),
                None => s(b, "Unknown"),
            }
            s(b, " (");
            u(b, dlt);
            s(b, ") len ");
            u(b, hl);
            s(b, ", length ");
            u(b, d.orig_len);
            s(b, ": ");
        }
        hl + self.link(b, d, &d.data[hl..], (d.orig_len as usize).saturating_sub(hl))
    }

    /// Prints the link layer at the start of `data`; returns its header length.
    fn link(&mut self, b: &mut Vec<u8>, d: &Decoded<'_>, data: &[u8], length: usize) -> usize {
        match d.link {
            Link::Ethernet(eth) => {
                let mut hdr = ethernet::HEADER_LEN;
                let ety = eth.type_or_len();
                if self.o.eflag {
                    out::mac(b, &eth.src());
                    s(b, " > ");
                    out::mac(b, &eth.dst());
                    s(b, ", ");
                    if ety <= 1500 {
                        s(b, "802.3, length ");
                        u(b, ety);
                        s(b, ": ");
                    } else {
                        ether_type(b, ety);
                        s(b, ", length ");
                        u(b, length);
                        s(b, ": ");
                    }
                }
                if ety <= 1500 {
                    if !self.o.eflag {
                        out::mac(b, &eth.src());
                        s(b, " > ");
                        out::mac(b, &eth.dst());
                        s(b, ", 802.3, length ");
                        u(b, ety);
                        s(b, ": ");
                    }
                    self.default_print(b, &data[hdr..]);
                    return hdr;
                }
                for tag in d.vlans() {
                    hdr += 4;
                    if self.o.eflag {
                        s(b, "vlan ");
                        u(b, tag.vid);
                        s(b, ", p ");
                        u(b, tag.pcp);
                        if tag.dei {
                            s(b, ", DEI");
                        }
                        s(b, ", ");
                        ether_type(b, tag.next);
                        s(b, ", ");
                    }
                }
                if d.vlan_count < d.vlans.len()
                    && let Some(stop) = d.stop
                    && stop.layer == pktkit::decode::Layer::Vlan
                {
                    s(b, " [|vlan]");
                    return hdr.min(data.len());
                }
                let ety = d.ether_type.unwrap_or(ety);
                if !self.network(b, ety, &data[hdr.min(data.len())..], length.saturating_sub(hdr), d) {
                    if !self.o.eflag {
                        out::mac(b, &eth.src());
                        s(b, " > ");
                        out::mac(b, &eth.dst());
                        s(b, ", ");
                        ether_type(b, ety);
                        s(b, ", length ");
                        u(b, length);
                        s(b, ": ");
                    }
                    self.default_print(b, &data[hdr.min(data.len())..]);
                }
                hdr
            }
            Link::Sll(sll) => {
                let hdr = sll.header_len();
                let sll_header = |b: &mut Vec<u8>| {
                    if sll.version == 2 {
                        s(b, "?     ");
                        let name = sll.pkttype_name();
                        s(b, name);
                        for _ in name.len()..3 {
                            b.push(b' ');
                        }
                        s(b, " ifindex ");
                        u(b, sll.ifindex.unwrap_or(0));
                        b.push(b' ');
                    } else {
                        let name = sll.pkttype_name();
                        for _ in name.len()..3 {
                            b.push(b' ');
                        }
                        s(b, name);
                        b.push(b' ');
                    }
                    out::mac(b, sll.addr);
                    b.push(b' ');
                    ether_type(b, sll.protocol);
                    s(b, ", length ");
                    u(b, length);
                    s(b, ": ");
                };
                if self.o.eflag {
                    sll_header(b);
                } else if sll.version == 2 {
                    // tcpdump prints the interface and direction of SLL2 frames even without -e.
                    s(b, "?     ");
                    let name = sll.pkttype_name();
                    s(b, name);
                    for _ in name.len()..3 {
                        b.push(b' ');
                    }
                    b.push(b' ');
                }
                let mut off = hdr;
                for tag in d.vlans() {
                    off += 4;
                    if self.o.eflag {
                        s(b, "vlan ");
                        u(b, tag.vid);
                        s(b, ", p ");
                        u(b, tag.pcp);
                        if tag.dei {
                            s(b, ", DEI");
                        }
                        s(b, ", ");
                        ether_type(b, tag.next);
                        s(b, ", ");
                    }
                }
                let ety = d.ether_type.unwrap_or(sll.protocol);
                if ety < 0x0600
                    || !self.network(b, ety, &data[off.min(data.len())..], length.saturating_sub(off), d)
                {
                    if !self.o.eflag {
                        if sll.version == 2 {
                            // The interface and direction are already printed.
                            s(b, "ifindex ");
                            u(b, sll.ifindex.unwrap_or(0));
                            b.push(b' ');
                            out::mac(b, sll.addr);
                            b.push(b' ');
                            ether_type(b, sll.protocol);
                            s(b, ", length ");
                            u(b, length);
                            s(b, ": ");
                        } else {
                            sll_header(b);
                        }
                    }
                    self.default_print(b, &data[off.min(data.len())..]);
                }
                hdr
            }
            Link::Null { family } => {
                let hdr = null::HEADER_LEN;
                let null_header = |b: &mut Vec<u8>| {
                    s(b, "AF ");
                    s(b, null::family_name(family).unwrap_or("Unknown"));
                    s(b, " (");
                    u(b, family);
                    s(b, "), length ");
                    u(b, length);
                    s(b, ": ");
                };
                if self.o.eflag {
                    null_header(b);
                }
                let ety = match null::family_ip_version(family) {
                    Some(4) => 0x0800,
                    Some(_) => 0x86dd,
                    None => 0,
                };
                if ety == 0 || !self.network(b, ety, &data[hdr..], length.saturating_sub(hdr), d) {
                    if !self.o.eflag {
                        null_header(b);
                    }
                    self.default_print(b, &data[hdr..]);
                }
                hdr
            }
            Link::Ipnet => {
                let hdr = null::IPNET_LEN;
                let fam = data[1];
                if self.o.eflag {
                    u(b, be32(data, 16).unwrap_or(0));
                    s(b, " > ");
                    u(b, be32(data, 20).unwrap_or(0));
                    s(b, ", family ");
                    s(
                        b,
                        match fam {
                            2 => "IPv4",
                            26 => "IPv6",
                            _ => "Unknown",
                        },
                    );
                    s(b, " (");
                    u(b, fam);
                    s(b, "), length ");
                    u(b, length);
                    s(b, ": ");
                }
                let ety = match fam {
                    2 => 0x0800,
                    26 => 0x86dd,
                    _ => 0,
                };
                if ety == 0 || !self.network(b, ety, &data[hdr..], length.saturating_sub(hdr), d) {
                    self.default_print(b, &data[hdr..]);
                }
                hdr
            }
            Link::Ppp { protocol } => {
                let hdr = d.net_offset.min(data.len());
                let ety = match protocol {
                    0x0021 => 0x0800,
                    0x0057 => 0x86dd,
                    _ => 0,
                };
                if self.o.eflag {
                    s(
                        b,
                        match protocol {
                            0x0021 => "IP",
                            0x0057 => "IP6",
                            0xc021 => "LCP",
                            _ => "unknown",
                        },
                    );
                    s(b, " (0x");
                    hex(b, protocol as u64, 4);
                    s(b, "), length ");
                    u(b, length);
                    s(b, ": ");
                }
                let saved = self.o.eflag;
                self.o.eflag = false;
                let done = ety != 0 && self.network(b, ety, &data[hdr..], length.saturating_sub(hdr), d);
                self.o.eflag = saved;
                if !done {
                    self.default_print(b, &data[hdr..]);
                }
                hdr
            }
            Link::Chdlc { address } => {
                let hdr = 4;
                let ety = d.ether_type.unwrap_or(0);
                if self.o.eflag {
                    s(
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
                    s(b, ", ");
                    ether_type(b, ety);
                    s(b, ", length ");
                    u(b, length);
                    s(b, ": ");
                }
                if !self.network(b, ety, &data[hdr..], length.saturating_sub(hdr), d) {
                    self.default_print(b, &data[hdr..]);
                }
                hdr
            }
            Link::Nflog { family, version, resource } => {
                if self.o.eflag {
                    s(b, "version ");
                    u(b, version);
                    s(b, ", resource ID ");
                    u(b, resource);
                    s(b, ", family ");
                    s(
                        b,
                        match family {
                            2 => "IPv4",
                            10 => "IPv6",
                            _ => "Unknown",
                        },
                    );
                    s(b, " (");
                    u(b, family);
                    s(b, "), length ");
                    u(b, length);
                    s(b, ": ");
                }
                let hdr = d.net_offset.min(data.len());
                let ety = d.ether_type.unwrap_or(0);
                if d.net_offset >= data.len()
                    || !self.network(b, ety, &data[hdr..], length.saturating_sub(hdr), d)
                {
                    self.default_print(b, &data[hdr..]);
                }
                hdr
            }
            Link::Ipoib => {
                let hdr = 44;
                let ety = d.ether_type.unwrap_or(0);
                if self.o.eflag {
                    s(b, "IPOIB, ");
                    ether_type(b, ety);
                    s(b, ", length ");
                    u(b, length);
                    s(b, ": ");
                }
                if !self.network(b, ety, &data[hdr..], length.saturating_sub(hdr), d) {
                    self.default_print(b, &data[hdr..]);
                }
                hdr
            }
            Link::Raw => {
                if self.o.eflag {
                    s(b, "ip: ");
                }
                let ety = match d.linktype.0 {
                    228 => 0x0800,
                    229 => 0x86dd,
                    _ => match data.first().map(|x| x >> 4) {
                        Some(6) => 0x86dd,
                        _ => 0x0800,
                    },
                };
                if d.linktype.0 != 228
                    && d.linktype.0 != 229
                    && !matches!(data.first().map(|x| x >> 4), Some(4 | 6))
                {
                    match data.first() {
                        None => s(b, "[|ip]"),
                        Some(x) => {
                            s(b, "IP");
                            u(b, x >> 4);
                        }
                    }
                    return 0;
                }
                self.network(b, ety, data, length, d);
                0
            }
            Link::None => self.link_unknown(b, d, data),
        }
    }

    fn link_unknown(&mut self, b: &mut Vec<u8>, d: &Decoded<'_>, data: &[u8]) -> usize {
        let need = match d.linktype.0 {
            1 => 14,
            113 => 16,
            276 => 20,
            0 | 108 => 4,
            226 => 24,
            242 => 44,
            149 | 258 => 8,
            _ => {
                s(b, "unsupported link type ");
                u(b, d.linktype.0);
                return 0;
            }
        };
        if data.len() < need {
            s(
                b,
                match d.linktype.0 {
                    1 => "[|ether]",
                    242 => "[|ipoib]",
                    149 | 258 => "[|pktap]",
                    113 | 276 => "[|sll]",
                    0 | 108 => "[|null]",
                    _ => "[|ipnet]",
                },
            );
        }
        data.len()
    }

    /// Prints the network layer for EtherType `ety`; false when it is not one pktkit prints.
    fn network(&mut self, b: &mut Vec<u8>, ety: u16, p: &[u8], length: usize, d: &Decoded<'_>) -> bool {
        match ety {
            0x0800 => self.ip4(b, p, length, d, false),
            0x86dd => self.ip6(b, p, length, d),
            0x0806 | 0x8035 => self.arp(b, p, length),
            0x8847 | 0x8848 => self.mpls(b, p, length),
            0x8864 => self.pppoe_session(b, p, length),
            _ => return false,
        }
        true
    }

    /// Prints a packet carried inside another (a tunnel), as its own link type.
    fn inner(&mut self, b: &mut Vec<u8>, lt: pktkit::capture::LinkType, p: &[u8], length: usize) {
        let inner = pktkit::decode::decode(lt, p, length as u32, &Default::default());
        self.link(b, &inner, p, length);
    }

    /// tcpdump's mpls_print: the label stack, then the payload guessed from its first nibble.
    fn mpls(&mut self, b: &mut Vec<u8>, p: &[u8], length: usize) {
        s(b, "MPLS");
        let mut off = 0;
        loop {
            let Some(e) = be32(p, off) else {
                s(b, " [|MPLS]");
                return;
            };
            s(b, " (label ");
            u(b, e >> 12);
            s(b, ", tc ");
            u(b, (e >> 9) & 7);
            if e & 0x100 != 0 {
                s(b, ", [S]");
            }
            s(b, ", ttl ");
            u(b, e & 0xff);
            b.push(b')');
            off += 4;
            if e & 0x100 != 0 {
                break;
            }
        }
        let rest = &p[off..];
        let length = length.saturating_sub(off);
        match rest.first().map(|x| x >> 4) {
            Some(4) => {
                b.push(b' ');
                let inner = pktkit::decode::decode(
                    pktkit::capture::LinkType::RAW,
                    rest,
                    length as u32,
                    &Default::default(),
                );
                self.ip4(b, rest, length, &inner, false);
            }
            Some(6) => {
                b.push(b' ');
                let inner = pktkit::decode::decode(
                    pktkit::capture::LinkType::RAW,
                    rest,
                    length as u32,
                    &Default::default(),
                );
                self.ip6(b, rest, length, &inner);
            }
            _ => {}
        }
    }

    /// tcpdump's pppoe_print for session data carrying IPv4 or IPv6.
    fn pppoe_session(&mut self, b: &mut Vec<u8>, p: &[u8], length: usize) {
        s(b, "PPPoE ");
        let (Some(&code), Some(ses), Some(plen)) = (p.get(1), be16(p, 2), be16(p, 4)) else {
            s(b, " [|pppoe]");
            return;
        };
        if code != 0 {
            s(b, "[|pppoe]");
            return;
        }
        s(b, " [ses 0x");
        out::hex_min(b, ses as u64);
        s(b, "] ");
        let Some(proto) = be16(p, 6) else {
            s(b, "[|ppp]");
            return;
        };
        let plen = (plen as usize).min(length.saturating_sub(6));
        let rest = &p[8.min(p.len())..];
        let ety = match proto {
            0x0021 => 0x0800,
            0x0057 => 0x86dd,
            _ => {
                s(b, "PPP-#0x");
                hex(b, proto as u64, 4);
                return;
            }
        };
        if self.o.eflag {
            s(b, if ety == 0x0800 { "IP (0x0021), length " } else { "IP6 (0x0057), length " });
            u(b, plen);
            s(b, ": ");
        }
        let inner = pktkit::decode::decode(
            pktkit::capture::LinkType::RAW,
            rest,
            plen.saturating_sub(2) as u32,
            &Default::default(),
        );
        if ety == 0x0800 {
            self.ip4(b, rest, plen.saturating_sub(2), &inner, false);
        } else {
            self.ip6(b, rest, plen.saturating_sub(2), &inner);
        }
    }

    /// tcpdump's gre_print_1: PPTP's enhanced GRE, carrying PPP.
    fn gre1(&mut self, b: &mut Vec<u8>, p: &[u8], length: usize, flags: u16) {
        let Some(prot) = be16(p, 2) else {
            s(b, " [|gre]");
            return;
        };
        let mut off = 4;
        if flags & 0x2000 != 0 {
            let Some(k) = be32(p, off) else {
                s(b, " [|gre]");
                return;
            };
            s(b, ", call ");
            u(b, k & 0xffff);
            off += 4;
        }
        if flags & 0x1000 != 0 {
            let Some(q) = be32(p, off) else {
                s(b, " [|gre]");
                return;
            };
            s(b, ", seq ");
            u(b, q);
            off += 4;
        }
        if flags & 0x0080 != 0 {
            let Some(a) = be32(p, off) else {
                s(b, " [|gre]");
                return;
            };
            s(b, ", ack ");
            u(b, a);
            off += 4;
        }
        if flags & 0x1000 == 0 {
            s(b, ", no-payload");
        }
        s(b, ", length ");
        u(b, length);
        s(b, ": ");
        if flags & 0x1000 == 0 {
            return;
        }
        let rest = p.get(off..).unwrap_or(&[]);
        let len = length.saturating_sub(off);
        if prot != 0x880b {
            s(b, "gre-proto-0x");
            out::hex_min(b, prot as u64);
            return;
        }
        // PPP: optional address/control, then a 1- or 2-byte protocol.
        let Some((pkind, poff)) = pktkit::proto::tunnel::ppp(rest) else {
            return;
        };
        let _ = pkind;
        let ip = &rest[poff..];
        let ilen = len.saturating_sub(poff);
        let saved = self.o.eflag;
        self.o.eflag = false;
        let inner =
            pktkit::decode::decode(pktkit::capture::LinkType::RAW, ip, ilen as u32, &Default::default());
        match ip.first().map(|x| x >> 4) {
            Some(6) => self.ip6(b, ip, ilen, &inner),
            _ => self.ip4(b, ip, ilen, &inner, false),
        }
        self.o.eflag = saved;
    }

    /// tcpdump's gre_print for GRE version 0.
    fn gre(&mut self, b: &mut Vec<u8>, p: &[u8], length: usize) {
        let Some(flags) = be16(p, 0) else {
            s(b, "[|gre]");
            return;
        };
        s(b, "GREv");
        u(b, flags & 7);
        if flags & 7 == 1 {
            return self.gre1(b, p, length, flags);
        }
        if flags & 7 != 0 {
            return;
        }
        if self.o.vflag > 0 {
            s(b, ", Flags [");
            let mut any = false;
            for (bit, n) in [
                (0x8000u16, "checksum present"),
                (0x4000, "routing present"),
                (0x2000, "key present"),
                (0x1000, "sequence# present"),
                (0x0800, "strict source route"),
            ] {
                if flags & bit != 0 {
                    if any {
                        s(b, ", ");
                    }
                    s(b, n);
                    any = true;
                }
            }
            if !any {
                s(b, "none");
            }
            b.push(b']');
        }
        let Some(prot) = be16(p, 2) else {
            s(b, " [|gre]");
            return;
        };
        let mut off = 4;
        if flags & 0xc000 != 0 {
            let (Some(sum), Some(o)) = (be16(p, 4), be16(p, 6)) else {
                s(b, " [|gre]");
                return;
            };
            if self.o.vflag > 0 {
                s(b, ", sum 0x");
                out::hex_min(b, sum as u64);
            }
            s(b, ", off 0x");
            out::hex_min(b, o as u64);
            off += 4;
        }
        if flags & 0x2000 != 0 {
            let Some(k) = be32(p, off) else {
                s(b, " [|gre]");
                return;
            };
            s(b, ", key=0x");
            out::hex_min(b, k as u64);
            off += 4;
        }
        if flags & 0x1000 != 0 {
            let Some(q) = be32(p, off) else {
                s(b, " [|gre]");
                return;
            };
            s(b, ", seq ");
            u(b, q);
            off += 4;
        }
        if flags & 0x4000 != 0 {
            // Source routing entries: not decoded; tcpdump prints them, pktkit stops.
            s(b, ", length ");
            u(b, length);
            return;
        }
        s(b, ", length ");
        u(b, length);
        s(b, ": ");
        let rest = p.get(off..).unwrap_or(&[]);
        let len = length.saturating_sub(off);
        match prot {
            0x0800 | 0x86dd => {
                let saved = self.o.eflag;
                self.o.eflag = false;
                let inner = pktkit::decode::decode(
                    pktkit::capture::LinkType::RAW,
                    rest,
                    len as u32,
                    &Default::default(),
                );
                if prot == 0x0800 {
                    self.ip4(b, rest, len, &inner, false);
                } else {
                    self.ip6(b, rest, len, &inner);
                }
                self.o.eflag = saved;
            }
            0x6558 => self.inner(b, pktkit::capture::LinkType::ETHERNET, rest, len),
            0x8847 => self.mpls(b, rest, len),
            _ => {
                s(b, "gre-proto-0x");
                out::hex_min(b, prot as u64);
            }
        }
    }

    fn default_print(&self, b: &mut Vec<u8>, p: &[u8]) {
        if !self.suppress_default() {
            hex_ascii(b, p, 0);
        }
    }

    fn dumps(&self, b: &mut Vec<u8>, data: &[u8], hdrlen: usize) {
        let o = &self.o;
        if o.big_x > 0 {
            if o.big_x > 1 {
                hex_ascii(b, data, 0);
            } else if data.len() > hdrlen {
                hex_ascii(b, &data[hdrlen..], 0);
            }
        } else if o.xflag > 0 {
            if o.xflag > 1 {
                hex_only(b, data);
            } else if data.len() > hdrlen {
                hex_only(b, &data[hdrlen..]);
            }
        } else if o.aflag > 0 {
            if o.aflag > 1 {
                ascii(b, data);
            } else if data.len() > hdrlen {
                ascii(b, &data[hdrlen..]);
            }
        }
    }

    fn arp(&mut self, b: &mut Vec<u8>, p: &[u8], length: usize) {
        if !self.o.eflag {
            s(b, "ARP, ");
        }
        let (Some(hrd), Some(pro)) = (be16(p, 0), be16(p, 2)) else {
            s(b, "[|ARP]");
            return;
        };
        let (hln, pln) = (p.get(4).copied().unwrap_or(0) as usize, p.get(5).copied().unwrap_or(0) as usize);
        let Some(op) = be16(p, 6) else {
            s(b, "[|ARP]");
            return;
        };
        if !((pro == 0x0800 || pro == 0x1000) && pln == 4 && hln != 0) {
            s(b, arp_hrd_name(hrd).unwrap_or("Unknown Hardware"));
            if arp_hrd_name(hrd).is_none() {
                s(b, " (");
                u(b, hrd);
                b.push(b')');
            }
            s(b, ", ");
            match ethernet::ether_type_name(pro) {
                Some(n) => s(b, n),
                None => {
                    s(b, "Unknown Protocol (0x");
                    hex(b, pro as u64, 4);
                    b.push(b')');
                }
            }
            if p.len() < 8 + 2 * (hln + pln) {
                s(b, " [|ARP]");
                return;
            }
            s(b, ", length ");
            u(b, length);
            return;
        }
        if self.o.vflag > 0 {
            match arp_hrd_name(hrd) {
                Some(n) => s(b, n),
                None => {
                    s(b, "Unknown Hardware (");
                    u(b, hrd);
                    b.push(b')');
                }
            }
            s(b, " (len ");
            u(b, hln);
            s(b, "), ");
            match ethernet::ether_type_name(pro) {
                Some(n) => s(b, n),
                None => {
                    s(b, "Unknown Protocol (0x");
                    hex(b, pro as u64, 4);
                    b.push(b')');
                }
            }
            s(b, " (len ");
            u(b, pln);
            s(b, "), ");
        }
        let sha = 8;
        let spa = sha + hln;
        let tha = spa + 4;
        let tpa = tha + hln;
        if p.len() < tpa + 4 {
            s(b, "[|ARP]");
            return;
        }
        let linkaddr = |b: &mut Vec<u8>, a: &[u8]| {
            if a.is_empty() { s(b, "<empty>") } else { out::mac(b, a) }
        };
        match op {
            1 => {
                s(b, "Request who-has ");
                out::ip4(b, &p[tpa..tpa + 4]);
                if p[tha..tha + hln].iter().any(|&x| x != 0) {
                    s(b, " (");
                    linkaddr(b, &p[tha..tha + hln]);
                    b.push(b')');
                }
                s(b, " tell ");
                out::ip4(b, &p[spa..spa + 4]);
            }
            2 => {
                s(b, "Reply ");
                out::ip4(b, &p[spa..spa + 4]);
                s(b, " is-at ");
                linkaddr(b, &p[sha..sha + hln]);
            }
            3 => {
                s(b, "Reverse Request who-is ");
                linkaddr(b, &p[tha..tha + hln]);
                s(b, " tell ");
                linkaddr(b, &p[sha..sha + hln]);
            }
            4 => {
                s(b, "Reverse Reply ");
                linkaddr(b, &p[tha..tha + hln]);
                s(b, " at ");
                out::ip4(b, &p[tpa..tpa + 4]);
            }
            8 => {
                s(b, "Inverse Request who-is ");
                linkaddr(b, &p[tha..tha + hln]);
                s(b, " tell ");
                linkaddr(b, &p[sha..sha + hln]);
            }
            9 => {
                s(b, "Inverse Reply ");
                linkaddr(b, &p[sha..sha + hln]);
                s(b, " at ");
                out::ip4(b, &p[spa..spa + 4]);
            }
            _ => {
                s(b, "Unknown Operation (");
                u(b, op);
                b.push(b')');
            }
        }
        let _ = arp::op_name(op);
        s(b, ", length ");
        u(b, length);
    }

    /// IPv4, as tcpdump's ip_print. `p` is the captured bytes from the IP header on, `length`
    /// the bytes on the wire from there.
    fn ip4(&mut self, b: &mut Vec<u8>, p: &[u8], length: usize, d: &Decoded<'_>, quoted: bool) {
        if !self.o.eflag || quoted {
            s(b, "IP ");
        }
        let Some(&vhl) = p.first() else {
            s(b, "[|ip]");
            return;
        };
        if vhl >> 4 != 4 {
            if vhl >> 4 == 6 {
                s(b, "IP6, wrong link-layer encapsulation (invalid)");
            } else {
                s(b, "IP");
                u(b, vhl >> 4);
                s(b, " (invalid)");
            }
            return;
        }
        if length < 20 {
            s(b, "truncated-ip ");
            u(b, length);
            return;
        }
        let hlen = (vhl & 15) as usize * 4;
        if hlen < 20 {
            s(b, "bad-hlen ");
            u(b, hlen);
            return;
        }
        let Some(len) = be16(p, 2) else {
            s(b, " [|ip]");
            return;
        };
        let mut len = len as usize;
        if length < len {
            s(b, "truncated-ip - ");
            u(b, len - length);
            s(b, " bytes missing! ");
        }
        if len < hlen {
            s(b, "bad-len ");
            u(b, len);
            return;
        }
        if p.len() < 20 {
            s(b, " [|ip]");
            return;
        }
        // Cut the captured data to the IP datagram.
        let p = &p[..p.len().min(len)];
        len -= hlen;
        let off = be16(p, 6).unwrap_or(0);
        let proto = p[9];
        let (src, dst) = (&p[12..16], &p[16..20]);
        if self.o.vflag > 0 {
            let tos = p[1];
            s(b, "(tos 0x");
            out::hex_min(b, tos as u64);
            match tos & 3 {
                1 => s(b, ",ECT(1)"),
                2 => s(b, ",ECT(0)"),
                3 => s(b, ",CE"),
                _ => {}
            }
            if p[8] >= 1 {
                s(b, ", ttl ");
                u(b, p[8]);
            }
            s(b, ", id ");
            u(b, be16(p, 4).unwrap_or(0));
            s(b, ", offset ");
            u(b, (off & 0x1fff) as u32 * 8);
            s(b, ", flags [");
            let mut any = false;
            for (bit, name) in [(0x2000u16, "+"), (0x4000, "DF"), (0x8000, "rsvd")] {
                if off & bit != 0 {
                    if any {
                        s(b, ", ");
                    }
                    s(b, name);
                    any = true;
                }
            }
            if !any {
                s(b, "none");
            }
            s(b, "], proto ");
            s(b, ipv4p::proto_name(proto).unwrap_or("unknown"));
            s(b, " (");
            u(b, proto);
            s(b, "), length ");
            u(b, be16(p, 2).unwrap_or(0));
            if hlen > 20 {
                s(b, ", options (");
                ip_options(b, p.get(20..hlen).unwrap_or(&p[20..]));
                b.push(b')');
            }
            if p.len() >= hlen {
                let sum = fold(sum_be(&p[..hlen], 0));
                if sum != 0xffff {
                    let field = be16(p, 10).unwrap_or(0);
                    s(b, ", bad cksum ");
                    out::hex_min(b, field as u64);
                    s(b, " (->");
                    out::hex_min(b, shouldbe(field, !sum) as u64);
                    s(b, ")!");
                }
            }
            s(b, ")\n    ");
        }
        // Options or payload may be cut: what follows prints what it can, as tcpdump does.
        let payload = p.get(hlen..).unwrap_or(&[]);
        if off & 0x1fff == 0 {
            if !matches!(proto, 6 | 17 | 132 | 33) {
                out::ip4(b, src);
                s(b, " > ");
                out::ip4(b, dst);
                s(b, ": ");
            }
            let ctx = IpCtx { v6: false, src, dst, direct: true, fragmented: off & 0x2000 != 0 };
            self.demux(b, payload, len, proto, ctx, d);
        } else {
            out::ip4(b, src);
            s(b, " > ");
            out::ip4(b, dst);
            s(b, ": ip-proto-");
            u(b, proto);
        }
    }

    fn ip6(&mut self, b: &mut Vec<u8>, p: &[u8], length: usize, d: &Decoded<'_>) {
        if !self.o.eflag {
            s(b, "IP6 ");
        }
        if length < 40 {
            s(b, "truncated-ip6 ");
            u(b, length);
            return;
        }
        let Some(&v) = p.first() else {
            s(b, " [|ip6]");
            return;
        };
        if v >> 4 != 6 {
            s(b, "version error: ");
            u(b, v >> 4);
            s(b, " != 6");
            return;
        }
        let Some(plen) = be16(p, 4) else {
            s(b, " [|ip6]");
            return;
        };
        let mut len = if plen != 0 {
            let l = plen as usize + 40;
            if length < l {
                s(b, "truncated-ip6 - ");
                u(b, l - length);
                s(b, " bytes missing!");
            }
            l
        } else {
            length
        };
        if p.len() < 40 {
            if self.o.vflag > 0 && p.len() >= 8 {
                self.ip6_vheader(b, p, plen);
            }
            s(b, " [|ip6]");
            return;
        }
        if self.o.vflag > 0 {
            self.ip6_vheader(b, p, plen);
        }
        let p = &p[..p.len().min(len)];
        let (src, dst) = (&p[8..24], &p[24..40]);
        let mut nh = p[6];
        let mut pos = 40usize;
        let mut advance = 40usize;
        let mut fragmented = false;
        let _ = &mut advance;
        len -= 40;
        loop {
            if pos >= p.len() {
                return;
            }
            if pos == 40 && !matches!(nh, 6 | 17 | 33 | 132) {
                out::ip6(b, src);
                s(b, " > ");
                out::ip6(b, dst);
                s(b, ": ");
            }
            let cp = &p[pos..];
            match nh {
                0 | 60 => {
                    let Some(&l) = cp.get(1) else {
                        s(b, " [|ip6]");
                        return;
                    };
                    let hl = (l as usize + 1) * 8;
                    if cp.len() < hl {
                        s(b, if nh == 0 { " [|hbh]" } else { " [|dstopt]" });
                        return;
                    }
                    s(b, if nh == 0 { "HBH " } else { "DSTOPT " });
                    if self.o.vflag > 0 {
                        ip6_opts(b, &cp[2..hl]);
                    }
                    nh = cp[0];
                    advance = hl;
                }
                44 => {
                    if cp.len() < 8 {
                        s(b, " [|frag]");
                        return;
                    }
                    let offlg = be16(cp, 2).unwrap_or(0);
                    let flen = (plen as usize + 40).saturating_sub(pos + 8);
                    s(b, "frag (");
                    if self.o.vflag > 0 {
                        s(b, "0x");
                        hex(b, be32(cp, 4).unwrap_or(0) as u64, 8);
                        b.push(b':');
                    }
                    u(b, offlg & 0xfff8);
                    b.push(b'|');
                    u(b, flen);
                    b.push(b')');
                    if offlg & 0xfff8 != 0 {
                        return;
                    }
                    b.push(b' ');
                    fragmented = true;
                    nh = cp[0];
                    advance = 8;
                }
                43 => {
                    let Some(hl) = self.rt6(b, cp) else {
                        return;
                    };
                    nh = cp[0];
                    advance = hl;
                }
                51 => {
                    let Some(hl) = ah(b, cp, self.o.vflag) else {
                        return;
                    };
                    nh = cp[0];
                    advance = hl;
                }
                _ => {
                    let ctx = IpCtx { v6: true, src, dst, direct: pos == 40, fragmented };
                    self.demux(b, cp, len, nh, ctx, d);
                    return;
                }
            }
            if len < advance {
                s(b, " [|ip6]");
                return;
            }
            pos += advance;
            len -= advance;
        }
    }

    fn ip6_vheader(&self, b: &mut Vec<u8>, p: &[u8], plen: u16) {
        let flow = be32(p, 0).unwrap_or(0);
        b.push(b'(');
        if flow & 0x0ff0_0000 != 0 {
            s(b, "class 0x");
            hex(b, ((flow & 0x0ff0_0000) >> 20) as u64, 2);
            s(b, ", ");
        }
        if flow & 0x000f_ffff != 0 {
            s(b, "flowlabel 0x");
            hex(b, (flow & 0x000f_ffff) as u64, 5);
            s(b, ", ");
        }
        s(b, "hlim ");
        u(b, p[7]);
        s(b, ", next-header ");
        s(b, ipv4p::proto_name(p[6]).unwrap_or("unknown"));
        s(b, " (");
        u(b, p[6]);
        s(b, ") payload length: ");
        u(b, plen);
        s(b, ") ");
    }

    fn rt6(&self, b: &mut Vec<u8>, cp: &[u8]) -> Option<usize> {
        let (Some(&l), Some(&ty), Some(&segleft)) = (cp.get(1), cp.get(2), cp.get(3)) else {
            s(b, " [|srcrt]");
            return None;
        };
        s(b, "RT6 (len=");
        u(b, l);
        s(b, ", type=");
        u(b, ty);
        if ty == 0 {
            s(b, " [Deprecated]");
        }
        s(b, ", segleft=");
        u(b, segleft);
        match ty {
            0 | 2 => {
                let rsv = be32(cp, 4);
                if let Some(r) = rsv
                    && self.o.vflag > 0
                {
                    s(b, ", rsv=0x");
                    out::hex_min(b, r as u64);
                }
                if l % 2 == 1 {
                    s(b, " [|srcrt]");
                    return None;
                }
                for i in 0..(l as usize / 2) {
                    let Some(a) = cp.get(8 + i * 16..8 + i * 16 + 16) else {
                        s(b, " [|srcrt]");
                        return None;
                    };
                    s(b, ", [");
                    u(b, i);
                    b.push(b']');
                    out::ip6(b, a);
                }
                s(b, ") ");
                Some((l as usize + 1) * 8)
            }
            _ => {
                s(b, " [|srcrt]");
                None
            }
        }
    }

    /// tcpdump's ip_demux_print for the protocols pktkit prints.
    fn demux(&mut self, b: &mut Vec<u8>, p: &[u8], length: usize, nh: u8, ctx: IpCtx<'_>, d: &Decoded<'_>) {
        match nh {
            6 => self.tcp(b, p, length, ctx, d),
            17 => self.udp(b, p, length, ctx, d),
            1 if !ctx.v6 => self.icmp(b, p, length, ctx),
            58 => self.icmp6(b, p, length, &ctx, ctx.fragmented),
            51 if !ctx.v6 => {
                let Some(hl) = ah(b, p, self.o.vflag) else {
                    return;
                };
                if p.len() < hl || length < hl {
                    return;
                }
                let ctx = IpCtx { direct: false, ..ctx };
                self.demux(b, &p[hl..], length - hl, p[0], ctx, d);
            }
            33 | 132 => {
                // tcpdump's sctp_print and dccp_print start with the addresses and ports;
                // what follows is not decoded here.
                let (Some(sp), Some(dp)) = (be16(p, 0), be16(p, 2)) else {
                    s(b, " [|sctp]");
                    return;
                };
                let ctx = IpCtx { direct: true, ..ctx };
                Self::addrs(b, &ctx, Some((sp, dp)));
                s(b, if nh == 132 { "sctp" } else { "DCCP" });
            }
            2 if !ctx.v6 => self.igmp(b, p, length),
            4 | 41 => {
                let saved = self.o.eflag;
                self.o.eflag = false;
                let inner = pktkit::decode::decode(
                    pktkit::capture::LinkType::RAW,
                    p,
                    length as u32,
                    &Default::default(),
                );
                if nh == 4 {
                    self.ip4(b, p, length, &inner, false);
                } else {
                    self.ip6(b, p, length, &inner);
                }
                self.o.eflag = saved;
            }
            47 => self.gre(b, p, length),
            50 => {
                let (Some(spi), Some(seq)) = (be32(p, 0), be32(p, 4)) else {
                    s(b, " [|ESP]");
                    return;
                };
                s(b, "ESP(spi=0x");
                hex(b, spi as u64, 8);
                s(b, ",seq=0x");
                out::hex_min(b, seq as u64);
                s(b, "), length ");
                u(b, length);
            }
            _ => {
                s(b, " ip-proto-");
                u(b, nh);
                b.push(b' ');
                u(b, length);
            }
        }
    }

    /// tcpdump's igmp_print (queries, v1/v2/v3 reports, leave).
    fn igmp(&mut self, b: &mut Vec<u8>, p: &[u8], len: usize) {
        let Some(&ty) = p.first() else {
            s(b, " [|igmp]");
            return;
        };
        let addr4 = |b: &mut Vec<u8>| match p.get(4..8) {
            Some(a) => {
                out::ip4(b, a);
                true
            }
            None => false,
        };
        let ok = match ty {
            0x11 => {
                s(b, "igmp query");
                if len >= 12 {
                    igmpv3_query(b, p, len, self.o.vflag)
                } else {
                    match (p.get(1), be32(p, 4)) {
                        (Some(&mrt), Some(g)) => {
                            if mrt != 0 {
                                s(b, " v2");
                                if mrt != 100 {
                                    s(b, " [max resp time ");
                                    u(b, mrt);
                                    b.push(b']');
                                }
                            } else {
                                s(b, " v1");
                            }
                            if g != 0 {
                                s(b, " [gaddr ");
                                out::ip4(b, &p[4..8]);
                                b.push(b']');
                            }
                            if len != 8 {
                                s(b, " [len ");
                                u(b, len);
                                b.push(b']');
                            }
                            true
                        }
                        _ => false,
                    }
                }
            }
            0x12 => {
                s(b, "igmp v1 report ");
                let ok = addr4(b);
                if ok && len != 8 {
                    s(b, " [len ");
                    u(b, len);
                    b.push(b']');
                }
                ok
            }
            0x16 => {
                s(b, "igmp v2 report ");
                addr4(b)
            }
            0x17 => {
                s(b, "igmp leave ");
                addr4(b)
            }
            0x22 => {
                s(b, "igmp v3 report");
                match be16(p, 6) {
                    Some(n) => {
                        s(b, ", ");
                        u(b, n);
                        s(b, " group record(s)");
                        true
                    }
                    None => false,
                }
            }
            _ => {
                s(b, "igmp-");
                u(b, ty);
                true
            }
        };
        if !ok {
            s(b, " [|igmp]");
            return;
        }
        if self.o.vflag > 0 && len >= 4 && p.len() >= len && fold(sum_be(&p[..len], 0)) != 0xffff {
            s(b, " bad igmp cksum ");
            out::hex_min(b, be16(p, 2).unwrap_or(0) as u64);
            b.push(b'!');
        }
    }

    fn addrs(b: &mut Vec<u8>, ctx: &IpCtx<'_>, ports: Option<(u16, u16)>) {
        let addr = |b: &mut Vec<u8>, a: &[u8]| {
            if ctx.v6 { out::ip6(b, a) } else { out::ip4(b, a) }
        };
        if ctx.direct {
            addr(b, ctx.src);
            if let Some((sp, _)) = ports {
                b.push(b'.');
                u(b, sp);
            }
            s(b, " > ");
            addr(b, ctx.dst);
            if let Some((_, dp)) = ports {
                b.push(b'.');
                u(b, dp);
            }
            s(b, ": ");
        } else if let Some((sp, dp)) = ports {
            u(b, sp);
            s(b, " > ");
            u(b, dp);
            s(b, ": ");
        }
    }

    fn tcp(&mut self, b: &mut Vec<u8>, p: &[u8], length: usize, ctx: IpCtx<'_>, d: &Decoded<'_>) {
        let (Some(sport), Some(dport)) = (be16(p, 0), be16(p, 2)) else {
            Self::addrs(b, &ctx, None);
            s(b, " [|tcp]");
            return;
        };
        Self::addrs(b, &ctx, Some((sport, dport)));
        if p.len() < 20 {
            s(b, " [|tcp]");
            return;
        }
        let hlen = (p[12] >> 4) as usize * 4;
        if hlen < 20 {
            s(b, " tcp ");
            u(b, length.wrapping_sub(hlen) as u32);
            s(b, " [bad hdr length ");
            u(b, hlen);
            s(b, " - too short, < 20]");
            return;
        }
        let mut seq = be32(p, 4).unwrap_or(0);
        let mut ack = be32(p, 8).unwrap_or(0);
        let flags = p[13];
        let win = be16(p, 14).unwrap_or(0);
        let urp = be16(p, 18).unwrap_or(0);
        s(b, "Flags [");
        let mut fb = [0u8; 8];
        s(b, tcpp::tcpdump_flags(flags, &mut fb));
        b.push(b']');
        let (mut thseq, mut thack, mut rev) = (0u32, 0u32, false);
        if flags & tcpp::ACK != 0 {
            let mut a = [0u8; 16];
            let mut z = [0u8; 16];
            a[..ctx.src.len()].copy_from_slice(ctx.src);
            z[..ctx.dst.len()].copy_from_slice(ctx.dst);
            rev = sport > dport || (sport == dport && a > z);
            let k = if rev {
                FlowKey { a: z, b: a, ports: (dport as u32) << 16 | sport as u32, v6: ctx.v6 }
            } else {
                FlowKey { a, b: z, ports: (sport as u32) << 16 | dport as u32, v6: ctx.v6 }
            };
            let entry = if flags & tcpp::SYN != 0 { None } else { self.tcp_seq.get(&k).copied() };
            match entry {
                Some((s0, a0)) => {
                    if rev {
                        seq = seq.wrapping_sub(a0);
                        ack = ack.wrapping_sub(s0);
                    } else {
                        seq = seq.wrapping_sub(s0);
                        ack = ack.wrapping_sub(a0);
                    }
                    thseq = s0;
                    thack = a0;
                }
                None => {
                    let v = if rev { (ack.wrapping_sub(1), seq) } else { (seq, ack.wrapping_sub(1)) };
                    if self.tcp_seq.len() < MAX_TCP_FLOWS || self.tcp_seq.contains_key(&k) {
                        self.tcp_seq.insert(k, v);
                    }
                    thseq = v.0;
                    thack = v.1;
                }
            }
        }
        if hlen > length {
            s(b, " [bad hdr length ");
            u(b, hlen);
            s(b, " - too long, > ");
            u(b, length);
            b.push(b']');
            return;
        }
        if self.o.vflag > 0 && !ctx.fragmented && p.len() >= length {
            let field = be16(p, 16).unwrap_or(0);
            let sum = fold(sum_be(&p[..length], pseudo(&ctx, 6, length)));
            s(b, ", cksum 0x");
            hex(b, field as u64, 4);
            if sum != 0xffff {
                s(b, " (incorrect -> 0x");
                hex(b, shouldbe(field, !sum) as u64, 4);
                b.push(b')');
            } else {
                s(b, " (correct)");
            }
        }
        let dlen = length - hlen;
        if self.o.vflag > 1 || dlen > 0 || flags & (tcpp::SYN | tcpp::FIN | tcpp::RST) != 0 {
            s(b, ", seq ");
            u(b, seq);
            if dlen > 0 {
                b.push(b':');
                u(b, seq.wrapping_add(dlen as u32));
            }
        }
        if flags & tcpp::ACK != 0 {
            s(b, ", ack ");
            u(b, ack);
        }
        s(b, ", win ");
        u(b, win);
        if flags & tcpp::URG != 0 {
            s(b, ", urg ");
            u(b, urp);
        }
        if hlen > 20 {
            s(b, ", options [");
            if !tcp_options(b, &p[20..p.len().min(hlen)], hlen - 20, rev, thseq, thack, flags) {
                return;
            }
            b.push(b']');
        }
        s(b, ", length ");
        u(b, dlen);
        if dlen > 0 && p.len() > hlen {
            app::tcp_text(b, d, &p[hlen..], dlen);
        }
    }

    fn udp(&mut self, b: &mut Vec<u8>, p: &[u8], length: usize, ctx: IpCtx<'_>, d: &Decoded<'_>) {
        let (Some(sport), Some(dport)) = (be16(p, 0), be16(p, 2)) else {
            Self::addrs(b, &ctx, None);
            s(b, " [|udp]");
            return;
        };
        if length < 8 {
            Self::addrs(b, &ctx, Some((sport, dport)));
            s(b, "truncated-udp ");
            u(b, length);
            return;
        }
        let Some(mut ulen) = be16(p, 4).map(|x| x as usize) else {
            Self::addrs(b, &ctx, Some((sport, dport)));
            s(b, " [|udp]");
            return;
        };
        if ulen == 0 && length > 65535 {
            ulen = length;
        }
        if ulen < 8 {
            Self::addrs(b, &ctx, Some((sport, dport)));
            s(b, "truncated-udplength ");
            u(b, ulen);
            return;
        }
        ulen -= 8;
        let mut length = length - 8;
        if ulen < length {
            length = ulen;
        }
        if p.len() < 8 {
            Self::addrs(b, &ctx, Some((sport, dport)));
            s(b, " [|udp]");
            return;
        }
        Self::addrs(b, &ctx, Some((sport, dport)));
        if !ctx.fragmented && (self.o.vflag > 1 || (ctx.v6 && self.o.vflag > 0)) {
            let field = be16(p, 6).unwrap_or(0);
            if !ctx.v6 && field == 0 {
                s(b, "[no cksum] ");
            } else if p.len() >= length + 8 {
                let sum = fold(sum_be(&p[..length + 8], pseudo(&ctx, 17, length + 8)));
                if sum != 0xffff {
                    s(b, "[bad udp cksum 0x");
                    hex(b, field as u64, 4);
                    s(b, " -> 0x");
                    hex(b, shouldbe(field, !sum) as u64, 4);
                    s(b, "!] ");
                } else {
                    s(b, "[udp sum ok] ");
                }
            }
        }
        if (dport == 4789 || sport == 4789) && !ctx.fragmented {
            // tcpdump's vxlan_print: the header, then the inner frame on its own line.
            let v = &p[8..];
            if let (Some(&flags), Some(vni)) = (v.first(), be32(v, 4)) {
                s(b, "VXLAN, flags [");
                s(b, if flags & 0x08 != 0 { "I" } else { "." });
                s(b, "] (0x");
                hex(b, flags as u64, 2);
                s(b, "), vni ");
                u(b, vni >> 8);
                b.push(b'\n');
                self.inner(
                    b,
                    pktkit::capture::LinkType::ETHERNET,
                    &v[8.min(v.len())..],
                    length.saturating_sub(8),
                );
                return;
            }
        }
        if app::udp_text(b, d, sport, dport, &p[8..], length) {
            return;
        }
        if ulen > length {
            s(b, "UDP, bad length ");
            u(b, ulen);
            s(b, " > ");
            u(b, length);
        } else {
            s(b, "UDP, length ");
            u(b, ulen);
        }
    }

    fn icmp(&mut self, b: &mut Vec<u8>, p: &[u8], plen: usize, ctx: IpCtx<'_>) {
        let (Some(&ty), Some(&code)) = (p.first(), p.get(1)) else {
            s(b, " [|icmp]");
            return;
        };
        s(b, "ICMP ");
        let start = b.len();
        // The quoted IP header starts at offset 8.
        let q = p.get(8..).unwrap_or(&[]);
        let qdst = q.get(16..20);
        let need = |b: &mut Vec<u8>, x: Option<&[u8]>| -> bool {
            match x {
                Some(a) => {
                    out::ip4(b, a);
                    true
                }
                None => false,
            }
        };
        let ok: bool = match ty {
            0 | 8 => match (be16(p, 4), be16(p, 6)) {
                (Some(id), Some(seq)) => {
                    s(b, if ty == 8 { "echo request, id " } else { "echo reply, id " });
                    u(b, id);
                    s(b, ", seq ");
                    u(b, seq);
                    true
                }
                _ => false,
            },
            3 => match code {
                2 => {
                    if let (Some(a), Some(&pr)) = (qdst, q.get(9)) {
                        out::ip4(b, a);
                        s(b, " protocol ");
                        u(b, pr);
                        s(b, " unreachable");
                        true
                    } else {
                        false
                    }
                }
                3 => {
                    let hl = q.first().map_or(0, |v| (v & 15) as usize * 4);
                    match (qdst, q.get(9), be16(q, hl + 2)) {
                        (Some(a), Some(&pr), Some(dport)) => {
                            out::ip4(b, a);
                            match pr {
                                6 => s(b, " tcp port "),
                                17 => s(b, " udp port "),
                                _ => {
                                    s(b, " protocol ");
                                    u(b, pr);
                                    s(b, " port ");
                                }
                            }
                            u(b, dport);
                            s(b, " unreachable");
                            true
                        }
                        _ => false,
                    }
                }
                4 => match (qdst, be16(p, 6)) {
                    (Some(a), Some(mtu)) => {
                        out::ip4(b, a);
                        s(b, " unreachable - need to frag");
                        if mtu != 0 {
                            s(b, " (mtu ");
                            u(b, mtu);
                            b.push(b')');
                        }
                        true
                    }
                    _ => false,
                },
                _ => {
                    let (pre, post) = match code {
                        0 => ("net ", " unreachable"),
                        1 => ("host ", " unreachable"),
                        5 => ("", " unreachable - source route failed"),
                        6 => ("net ", " unreachable - unknown"),
                        7 => ("host ", " unreachable - unknown"),
                        8 => ("", " unreachable - source host isolated"),
                        9 => ("net ", " unreachable - admin prohibited"),
                        10 => ("host ", " unreachable - admin prohibited"),
                        11 => ("net ", " unreachable - tos prohibited"),
                        12 => ("host ", " unreachable - tos prohibited"),
                        13 => ("host ", " unreachable - admin prohibited filter"),
                        14 => ("host ", " unreachable - host precedence violation"),
                        15 => ("host ", " unreachable - precedence cutoff"),
                        _ => ("", ""),
                    };
                    if pre.is_empty() && post.is_empty() {
                        s(b, "#");
                        u(b, code);
                        b.push(b' ');
                        let ok = need(b, qdst);
                        s(b, " unreachable");
                        ok
                    } else {
                        s(b, pre);
                        let ok = need(b, qdst);
                        s(b, post);
                        ok
                    }
                }
            },
            5 => match (qdst, p.get(4..8)) {
                (Some(a), Some(gw)) => {
                    let (pre, mid) = match code {
                        0 => ("redirect ", " to net "),
                        1 => ("redirect ", " to host "),
                        2 => ("redirect-tos ", " to net "),
                        3 => ("redirect-tos ", " to host "),
                        _ => ("", ""),
                    };
                    if pre.is_empty() {
                        s(b, "redirect-#");
                        u(b, code);
                        b.push(b' ');
                        out::ip4(b, a);
                        s(b, " to ");
                    } else {
                        s(b, pre);
                        out::ip4(b, a);
                        s(b, mid);
                    }
                    out::ip4(b, gw);
                    true
                }
                _ => false,
            },
            11 => {
                match code {
                    0 => s(b, "time exceeded in-transit"),
                    1 => s(b, "ip reassembly time exceeded"),
                    _ => {
                        s(b, "time exceeded-#");
                        u(b, code);
                    }
                }
                true
            }
            12 => {
                if code != 0 {
                    s(b, "parameter problem - code ");
                    u(b, code);
                    true
                } else if let Some(&ptr) = p.get(4) {
                    s(b, "parameter problem - octet ");
                    u(b, ptr);
                    true
                } else {
                    false
                }
            }
            9 => match (p.get(4), p.get(5), be16(p, 6)) {
                (Some(&num), Some(&size), Some(life)) => {
                    s(b, "router advertisement lifetime ");
                    let life = life as u32;
                    if life < 60 {
                        u(b, life);
                    } else if life < 3600 {
                        u(b, life / 60);
                        b.push(b':');
                        out::u_pad(b, life % 60, 2, b'0');
                    } else {
                        u(b, life / 3600);
                        b.push(b':');
                        out::u_pad(b, life % 3600 / 60, 2, b'0');
                        b.push(b':');
                        out::u_pad(b, life % 60, 2, b'0');
                    }
                    b.push(b' ');
                    u(b, num);
                    b.push(b':');
                    if size != 2 {
                        s(b, " [size ");
                        u(b, size);
                        b.push(b']');
                        true
                    } else {
                        let mut ok = true;
                        for i in 0..num as usize {
                            match (p.get(8 + i * 8..12 + i * 8), be32(p, 12 + i * 8)) {
                                (Some(a), Some(pref)) => {
                                    s(b, " {");
                                    out::ip4(b, a);
                                    b.push(b' ');
                                    u(b, pref);
                                    b.push(b'}');
                                }
                                _ => {
                                    ok = false;
                                    break;
                                }
                            }
                        }
                        ok
                    }
                }
                _ => false,
            },
            18 => match be32(p, 8) {
                Some(m) => {
                    s(b, "address mask is 0x");
                    hex(b, m as u64, 8);
                    true
                }
                None => false,
            },
            13 => match (be16(p, 4), be16(p, 6)) {
                (Some(id), Some(seq)) => {
                    s(b, "time stamp query id ");
                    u(b, id);
                    s(b, " seq ");
                    u(b, seq);
                    true
                }
                _ => false,
            },
            _ => {
                match ty {
                    4 => s(b, "source quench"),
                    10 => s(b, "router solicitation"),
                    14 => s(b, "time stamp reply"),
                    15 => s(b, "information request"),
                    16 => s(b, "information reply"),
                    17 => s(b, "address mask request"),
                    _ => {
                        s(b, "type-#");
                        u(b, ty);
                    }
                }
                true
            }
        };
        if !ok {
            b.truncate(start);
            s(b, " [|icmp]");
            return;
        }
        s(b, ", length ");
        u(b, plen);
        if self.o.vflag > 0 && !ctx.fragmented && p.len() >= plen {
            let sum = fold(sum_be(&p[..plen], 0));
            if sum != 0xffff {
                let field = be16(p, 2).unwrap_or(0);
                s(b, " (wrong icmp cksum ");
                out::hex_min(b, field as u64);
                s(b, " (->");
                out::hex_min(b, shouldbe(field, !sum) as u64);
                s(b, ")!)");
            }
        }
        if self.o.vflag > 0 && matches!(ty, 3 | 4 | 5 | 11 | 12) && q.len() >= 4 {
            s(b, "\n\t");
            let qlen = be16(q, 2).unwrap_or(0) as usize;
            let saved = self.o.eflag;
            self.o.eflag = false;
            let inner = pktkit::decode::decode(
                pktkit::capture::LinkType(101),
                q,
                q.len() as u32,
                &Default::default(),
            );
            self.ip4(b, q, qlen, &inner, true);
            self.o.eflag = saved;
        }
    }

    fn icmp6(&mut self, b: &mut Vec<u8>, p: &[u8], length: usize, ctx: &IpCtx<'_>, fragmented: bool) {
        let (Some(&ty), Some(&code)) = (p.first(), p.get(1)) else {
            s(b, " [|icmp6]");
            return;
        };
        if self.o.vflag > 0 && !fragmented && p.len() >= length {
            let field = be16(p, 2).unwrap_or(0);
            let sum = fold(sum_be(&p[..length], pseudo(ctx, 58, length)));
            if sum != 0xffff {
                s(b, "[bad icmp6 cksum 0x");
                hex(b, field as u64, 4);
                s(b, " -> 0x");
                hex(b, shouldbe(field, !sum) as u64, 4);
                s(b, "!] ");
            } else {
                s(b, "[icmp6 sum ok] ");
            }
        }
        let start = b.len();
        s(b, "ICMP6, ");
        match icmp6_name(ty) {
            Some(n) => s(b, n),
            None => {
                s(b, "unknown icmp6 type (");
                u(b, ty);
                b.push(b')');
            }
        }
        let v = self.o.vflag;
        if v > 0 && matches!(ty, 133..=137 | 145 | 147) {
            s(b, ", length ");
            u(b, length);
        }
        let oip = p.get(8..).unwrap_or(&[]);
        let trunc = |b: &mut Vec<u8>| {
            s(b, " [|icmp6]");
        };
        match ty {
            icmp6c::UNREACH => {
                s(b, ", ");
                s(
                    b,
                    match code {
                        0 => "unreachable route",
                        1 => "unreachable prohibited",
                        2 => "beyond scope",
                        3 => "unreachable address",
                        4 => "unreachable port",
                        _ => "",
                    },
                );
                if code > 4 {
                    b.truncate(b.len() - 2);
                    s(b, ", unknown unreach code (");
                    u(b, code);
                    b.push(b')');
                }
                match code {
                    0 | 1 | 3 => match oip.get(24..40) {
                        Some(a) => {
                            b.push(b' ');
                            out::ip6(b, a);
                        }
                        None => return trunc(b),
                    },
                    2 => match (oip.get(24..40), oip.get(8..24)) {
                        (Some(dst), Some(src)) => {
                            b.push(b' ');
                            out::ip6(b, dst);
                            s(b, ", source address ");
                            out::ip6(b, src);
                        }
                        _ => return trunc(b),
                    },
                    4 => {
                        let Some((prot, ul)) = upper_layer6(oip) else {
                            return trunc(b);
                        };
                        let Some(dport) = be16(ul, 2) else {
                            return trunc(b);
                        };
                        let dst = &oip[24..40];
                        match prot {
                            6 | 17 => {
                                s(b, ", ");
                                out::ip6(b, dst);
                                s(b, if prot == 6 { " tcp port " } else { " udp port " });
                                u(b, dport);
                            }
                            _ => {
                                s(b, ", ");
                                out::ip6(b, dst);
                                s(b, " protocol ");
                                u(b, prot);
                                s(b, " port ");
                                u(b, dport);
                                s(b, " unreachable");
                            }
                        }
                    }
                    _ => {}
                }
            }
            icmp6c::PACKET_TOO_BIG => match be32(p, 4) {
                Some(mtu) => {
                    s(b, ", mtu ");
                    u(b, mtu);
                }
                None => return trunc(b),
            },
            icmp6c::TIME_EXCEEDED => match code {
                0 => match oip.get(24..40) {
                    Some(a) => {
                        s(b, " for ");
                        out::ip6(b, a);
                    }
                    None => return trunc(b),
                },
                1 => s(b, " (reassembly)"),
                _ => {
                    s(b, ", unknown code (");
                    u(b, code);
                    b.push(b')');
                }
            },
            icmp6c::PARAM_PROBLEM => {
                let Some(ptr) = be32(p, 4) else { return trunc(b) };
                if oip.len() < 40 {
                    return trunc(b);
                }
                match code {
                    0 => s(b, ", erroneous - octet "),
                    1 => s(b, ", next header - octet "),
                    2 => s(b, ", option - octet "),
                    3 => s(b, ", incomplete header chain - octet "),
                    _ => {
                        s(b, ", code-#");
                        u(b, code);
                    }
                }
                if code <= 3 {
                    u(b, ptr);
                }
            }
            icmp6c::ECHO_REQUEST | icmp6c::ECHO_REPLY => match (be16(p, 4), be16(p, 6)) {
                (Some(id), Some(seq)) => {
                    s(b, ", id ");
                    u(b, id);
                    s(b, ", seq ");
                    u(b, seq);
                }
                _ => return trunc(b),
            },
            130 => {
                if length == 24 {
                    s(b, " v1");
                    if !mld6(b, p) {
                        return trunc(b);
                    }
                } else if length >= 28 {
                    s(b, " v2");
                    let Some(mrc) = be16(p, 4) else { return trunc(b) };
                    if v > 0 {
                        let mrt: u32 = if mrc < 32768 {
                            mrc as u32
                        } else {
                            ((mrc as u32 & 0x0fff) | 0x1000) << (((mrc as u32 & 0x7000) >> 12) + 3)
                        };
                        s(b, " [max resp delay=");
                        u(b, mrt);
                        b.push(b']');
                    }
                    let Some(g) = p.get(8..24) else { return trunc(b) };
                    s(b, " [gaddr ");
                    out::ip6(b, g);
                    if v > 0 {
                        let (Some(&f), Some(&qqic)) = (p.get(24), p.get(25)) else { return trunc(b) };
                        if f & 0x08 != 0 {
                            s(b, " sflag");
                        }
                        if f & 0x07 != 0 {
                            s(b, " robustness=");
                            u(b, f & 7);
                        }
                        let qqi: u32 = if qqic < 128 {
                            qqic as u32
                        } else {
                            ((qqic as u32 & 0x0f) | 0x10) << (((qqic as u32 & 0x70) >> 4) + 3)
                        };
                        s(b, " qqi=");
                        u(b, qqi);
                    }
                    let Some(nsrcs) = be16(p, 26) else { return trunc(b) };
                    if nsrcs > 0 {
                        if length < 28 + nsrcs as usize * 16 {
                            s(b, " [invalid number of sources]");
                        } else {
                            s(b, ", ");
                            u(b, nsrcs);
                            s(b, " source(s)");
                        }
                    }
                    b.push(b']');
                } else {
                    s(b, " unknown-version (len ");
                    u(b, length);
                    s(b, ") ");
                }
            }
            131 | 132 => {
                if !mld6(b, p) {
                    return trunc(b);
                }
            }
            133 => {
                if v > 0 && !nd_options(b, p, length, 8, v) {
                    return trunc(b);
                }
            }
            134 => {
                if v > 0 {
                    let (Some(&hl), Some(&fl), Some(life), Some(reach), Some(retrans)) =
                        (p.get(4), p.get(5), be16(p, 6), be32(p, 8), be32(p, 12))
                    else {
                        return trunc(b);
                    };
                    s(b, "\n\thop limit ");
                    u(b, hl);
                    s(b, ", Flags [");
                    let mut any = false;
                    for (bit, n) in [(0x80u8, "managed"), (0x40, "other stateful"), (0x20, "home agent")] {
                        if fl & bit != 0 {
                            if any {
                                s(b, ", ");
                            }
                            s(b, n);
                            any = true;
                        }
                    }
                    if !any {
                        s(b, "none");
                    }
                    s(b, "], pref ");
                    s(
                        b,
                        match fl & 0x18 {
                            0x08 => "high",
                            0x18 => "low",
                            0x10 => "reserved",
                            _ => "medium",
                        },
                    );
                    s(b, ", router lifetime ");
                    u(b, life);
                    s(b, "s, reachable time ");
                    u(b, reach);
                    s(b, "ms, retrans timer ");
                    u(b, retrans);
                    s(b, "ms");
                    if !nd_options(b, p, length, 16, v) {
                        return trunc(b);
                    }
                }
            }
            icmp6c::NEIGHBOR_SOLICIT => match p.get(8..24) {
                Some(t) => {
                    s(b, ", who has ");
                    out::ip6(b, t);
                    if v > 0 && !nd_options(b, p, length, 24, v) {
                        return trunc(b);
                    }
                }
                None => return trunc(b),
            },
            icmp6c::NEIGHBOR_ADVERT => match p.get(8..24) {
                Some(t) => {
                    s(b, ", tgt is ");
                    out::ip6(b, t);
                    if v > 0 {
                        let f = be32(p, 4).unwrap_or(0);
                        s(b, ", Flags [");
                        let mut any = false;
                        for (bit, n) in [
                            (0x8000_0000u32, "router"),
                            (0x4000_0000, "solicited"),
                            (0x2000_0000, "override"),
                        ] {
                            if f & bit != 0 {
                                if any {
                                    s(b, ", ");
                                }
                                s(b, n);
                                any = true;
                            }
                        }
                        if !any {
                            s(b, "none");
                        }
                        b.push(b']');
                        if !nd_options(b, p, length, 24, v) {
                            return trunc(b);
                        }
                    }
                }
                None => return trunc(b),
            },
            icmp6c::REDIRECT => match (p.get(24..40), p.get(8..24)) {
                (Some(dst), Some(tgt)) => {
                    s(b, ", ");
                    out::ip6(b, dst);
                    s(b, " to ");
                    out::ip6(b, tgt);
                    if v > 0 && !nd_options(b, p, length, 40, v) {
                        return trunc(b);
                    }
                }
                _ => return trunc(b),
            },
            143 => {
                if length < 8 {
                    s(b, " [invalid len ");
                    u(b, length);
                    b.push(b']');
                } else {
                    let Some(n) = be16(p, 6) else { return trunc(b) };
                    s(b, ", ");
                    u(b, n);
                    s(b, " group record(s)");
                    if v > 0 {
                        let mut g = 8usize;
                        for _ in 0..n {
                            if length < g + 20 {
                                s(b, " [invalid number of groups]");
                                return;
                            }
                            let (Some(addr), Some(&ty), Some(nsrcs)) =
                                (p.get(g + 4..g + 20), p.get(g), be16(p, g + 2))
                            else {
                                return trunc(b);
                            };
                            s(b, " [gaddr ");
                            out::ip6(b, addr);
                            b.push(b' ');
                            match ty {
                                1 => s(b, "is_in"),
                                2 => s(b, "is_ex"),
                                3 => s(b, "to_in"),
                                4 => s(b, "to_ex"),
                                5 => s(b, "allow"),
                                6 => s(b, "block"),
                                _ => {
                                    s(b, " [v2-report-#");
                                    u(b, ty);
                                    b.push(b']');
                                }
                            }
                            let ns = nsrcs as usize;
                            if length < g + 20 + ns * 16 {
                                s(b, " [invalid number of sources ");
                                u(b, ns);
                                b.push(b']');
                                return;
                            }
                            if v == 1 {
                                s(b, ", ");
                                u(b, ns);
                                s(b, " source(s)");
                            } else {
                                s(b, " {");
                                for j in 0..ns {
                                    let Some(src) = p.get(g + 20 + j * 16..g + 36 + j * 16) else {
                                        return trunc(b);
                                    };
                                    b.push(b' ');
                                    out::ip6(b, src);
                                }
                                s(b, " }");
                            }
                            g += 20 + ns * 16;
                            b.push(b']');
                        }
                    }
                }
            }
            141 | 142 => {}
            144 | 146 => match be16(p, 4) {
                Some(id) => {
                    s(b, ", id 0x");
                    hex(b, id as u64, 4);
                }
                None => return trunc(b),
            },
            _ => {
                if icmp6_name(ty).is_none() || !matches!(ty, 138 | 139 | 140 | 145 | 147 | 155) {
                    s(b, ", length ");
                    u(b, length);
                    if v <= 1 {
                        hex_ascii(b, p.get(..p.len().min(length)).unwrap_or(p), 0);
                    }
                    return;
                }
                b.truncate(start);
                s(b, "ICMP6, ");
                s(b, icmp6_name(ty).unwrap_or(""));
            }
        }
        if v == 0 {
            s(b, ", length ");
            u(b, length);
        }
    }
}

/// tcpdump's ah_print; returns the header length.
fn ah(b: &mut Vec<u8>, p: &[u8], vflag: u8) -> Option<usize> {
    let (Some(&l), Some(spi), Some(seq)) = (p.get(1), be32(p, 4), be32(p, 8)) else {
        s(b, " [|AH]");
        return None;
    };
    let hl = (l as usize + 2) * 4;
    s(b, "AH(");
    if vflag > 0 {
        s(b, "length=");
        u(b, l);
        b.push(b'(');
        u(b, hl);
        s(b, "-bytes),");
    }
    s(b, "spi=0x");
    hex(b, spi as u64, 8);
    s(b, ",seq=0x");
    out::hex_min(b, seq as u64);
    if hl > 12 {
        let Some(icv) = p.get(12..hl) else {
            s(b, " [|AH]");
            return None;
        };
        s(b, ",icv=0x");
        out::hex_bytes(b, icv);
    }
    s(b, "): ");
    Some(hl)
}

/// tcpdump's icmp6_opt_print: neighbour discovery options after `start` bytes of the
/// message (which is `length` bytes on the wire). False on a cut option.
fn nd_options(b: &mut Vec<u8>, p: &[u8], length: usize, start: usize, vflag: u8) -> bool {
    let end = length.min(p.len());
    let mut off = start;
    while off < end {
        let (Some(&ty), Some(&len8)) = (p.get(off), p.get(off + 1)) else {
            return false;
        };
        let olen = len8 as usize * 8;
        if len8 == 0 || off + olen > end {
            return false;
        }
        let o = &p[off..off + olen];
        s(b, "\n\t  ");
        s(
            b,
            match ty {
                1 => "source link-address",
                2 => "destination link-address",
                3 => "prefix info",
                4 => "redirected header",
                5 => "mtu",
                7 => "advertisement interval",
                8 => "homeagent information",
                24 => "route info",
                25 => "rdnss",
                31 => "dnssl",
                _ => "unknown",
            },
        );
        s(b, " option (");
        u(b, ty);
        s(b, "), length ");
        u(b, olen);
        s(b, " (");
        u(b, len8);
        s(b, "): ");
        let lifetime = |b: &mut Vec<u8>, v: u32| {
            if v == u32::MAX {
                s(b, "infinity");
            } else {
                u(b, v);
                b.push(b's');
            }
        };
        match ty {
            1 | 2 => out::mac(b, &o[2..]),
            3 if olen >= 32 => {
                out::ip6(b, &o[16..32]);
                b.push(b'/');
                u(b, o[2]);
                s(b, if len8 != 4 { "badlen" } else { "" });
                s(b, ", Flags [");
                let mut any = false;
                for (bit, n) in [(0x80u8, "onlink"), (0x40, "auto"), (0x20, "router")] {
                    if o[3] & bit != 0 {
                        if any {
                            s(b, ", ");
                        }
                        s(b, n);
                        any = true;
                    }
                }
                if !any {
                    s(b, "none");
                }
                s(b, "], valid time ");
                lifetime(b, be32(o, 4).unwrap_or(0));
                s(b, ", pref. time ");
                lifetime(b, be32(o, 8).unwrap_or(0));
            }
            5 => {
                b.push(b' ');
                u(b, be32(o, 4).unwrap_or(0));
                if len8 != 1 {
                    s(b, "badlen");
                }
            }
            7 => {
                b.push(b' ');
                u(b, be32(o, 4).unwrap_or(0));
                s(b, "ms");
            }
            8 => {
                s(b, " preference ");
                u(b, be16(o, 4).unwrap_or(0));
                s(b, ", lifetime ");
                u(b, be16(o, 6).unwrap_or(0));
            }
            24 => {
                let mut prefix = [0u8; 16];
                let n = (olen - 8).min(16);
                prefix[..n].copy_from_slice(&o[8..8 + n]);
                b.push(b' ');
                out::ip6(b, &prefix);
                b.push(b'/');
                u(b, o[2]);
                s(b, ", pref=");
                s(
                    b,
                    match o[3] & 0x18 {
                        0x08 => "high",
                        0x18 => "low",
                        0x10 => "rsv",
                        _ => "medium",
                    },
                );
                s(b, ", lifetime=");
                lifetime(b, be32(o, 4).unwrap_or(0));
            }
            25 => {
                s(b, " lifetime ");
                lifetime(b, be32(o, 4).unwrap_or(0));
                b.push(b',');
                for a in o[8..].chunks_exact(16) {
                    s(b, " addr: ");
                    out::ip6(b, a);
                }
            }
            31 => {
                s(b, " lifetime ");
                lifetime(b, be32(o, 4).unwrap_or(0));
                s(b, ", domain(s):");
                // Uncompressed DNS names, zero padded.
                let mut q = &o[8..];
                while let Some(&l) = q.first() {
                    if l == 0 {
                        q = &q[1..];
                        if q.iter().all(|&x| x == 0) {
                            break;
                        }
                        continue;
                    }
                    b.push(b' ');
                    let mut name = q;
                    while let Some(&ll) = name.first() {
                        if ll == 0 || ll as usize + 1 > name.len() {
                            break;
                        }
                        for &c in &name[1..=ll as usize] {
                            b.push(if c.is_ascii_graphic() { c } else { b'.' });
                        }
                        b.push(b'.');
                        name = &name[ll as usize + 1..];
                    }
                    q = name.get(1..).unwrap_or(&[]);
                }
            }
            _ => {
                if vflag <= 1 {
                    hex_indent(b, &o[2..], "\n\t  ");
                    return true;
                }
            }
        }
        if vflag > 1 {
            hex_indent(b, &o[2..], "\n\t    ");
        }
        off += olen;
    }
    true
}

/// tcpdump's print_unknown_data: hex lines, each starting with `indent`.
fn hex_indent(b: &mut Vec<u8>, p: &[u8], indent: &str) {
    let start = b.len();
    hex_only(b, p);
    let dumped = b.split_off(start);
    for chunk in dumped.split(|&c| c == b'\n') {
        if chunk.is_empty() {
            continue;
        }
        s(b, indent);
        b.extend_from_slice(&chunk[1..]);
    }
}

/// tcpdump's print_igmpv3_query.
fn igmpv3_query(b: &mut Vec<u8>, p: &[u8], len: usize, vflag: u8) -> bool {
    let (Some(&mrc), Some(g), Some(nsrcs)) = (p.get(1), be32(p, 4), be16(p, 10)) else {
        return false;
    };
    s(b, " v3");
    let mrt: u32 =
        if mrc < 128 { mrc as u32 } else { ((mrc as u32 & 0x0f) | 0x10) << (((mrc as u32 & 0x70) >> 4) + 3) };
    if mrc != 100 {
        s(b, " [max resp time ");
        if mrt < 600 {
            u(b, mrt / 10);
            b.push(b'.');
            u(b, mrt % 10);
            b.push(b's');
        } else {
            relts(b, mrt / 10);
        }
        b.push(b']');
    }
    if g == 0 {
        return true;
    }
    s(b, " [gaddr ");
    out::ip4(b, &p[4..8]);
    if nsrcs > 0 {
        let n = nsrcs as usize;
        if len < 12 + n * 4 {
            s(b, " [invalid number of sources]");
        } else if vflag > 1 {
            s(b, " {");
            for i in 0..n {
                let Some(a) = p.get(12 + i * 4..16 + i * 4) else { return false };
                b.push(b' ');
                out::ip4(b, a);
            }
            s(b, " }");
        } else {
            s(b, ", ");
            u(b, n);
            s(b, " source(s)");
        }
    }
    b.push(b']');
    true
}

/// tcpdump's unsigned_relts_print: 3072 as "51m12s".
fn relts(b: &mut Vec<u8>, mut secs: u32) {
    if secs == 0 {
        s(b, "0s");
        return;
    }
    for (unit, name) in
        [(31_536_000u32, "y"), (604_800, "w"), (86_400, "d"), (3600, "h"), (60, "m"), (1, "s")]
    {
        if secs >= unit {
            u(b, secs / unit);
            s(b, name);
            secs %= unit;
        }
    }
}

fn mld6(b: &mut Vec<u8>, p: &[u8]) -> bool {
    match (be16(p, 4), p.get(8..24)) {
        (Some(d), Some(a)) => {
            s(b, "max resp delay: ");
            u(b, d);
            s(b, " addr: ");
            out::ip6(b, a);
            true
        }
        _ => false,
    }
}

/// The transport header quoted in an ICMPv6 error (after the IPv6 header and extensions).
fn upper_layer6(oip: &[u8]) -> Option<(u8, &[u8])> {
    if oip.len() < 40 {
        return None;
    }
    let mut nh = oip[6];
    let mut pos = 40;
    loop {
        match nh {
            0 | 60 | 43 => {
                let l = (*oip.get(pos + 1)? as usize + 1) * 8;
                nh = *oip.get(pos)?;
                pos += l;
            }
            44 => {
                nh = *oip.get(pos)?;
                pos += 8;
            }
            51 => {
                let l = (*oip.get(pos + 1)? as usize + 2) * 4;
                nh = *oip.get(pos)?;
                pos += l;
            }
            _ => return Some((nh, oip.get(pos..)?)),
        }
    }
}

fn icmp6_name(t: u8) -> Option<&'static str> {
    Some(match t {
        1 => "destination unreachable",
        2 => "packet too big",
        3 => "time exceeded in-transit",
        4 => "parameter problem",
        128 => "echo request",
        129 => "echo reply",
        130 => "multicast listener query",
        131 => "multicast listener report",
        132 => "multicast listener done",
        133 => "router solicitation",
        134 => "router advertisement",
        135 => "neighbor solicitation",
        136 => "neighbor advertisement",
        137 => "redirect",
        138 => "router renumbering",
        139 => "node information query",
        140 => "node information reply",
        141 => "inverse neighbor solicitation",
        142 => "inverse neighbor advertisement",
        143 => "multicast listener report v2",
        144 => "ha discovery request",
        145 => "ha discovery reply",
        146 => "mobile router solicitation",
        147 => "mobile router advertisement",
        155 => "RPL",
        _ => return None,
    })
}

fn arp_hrd_name(h: u16) -> Option<&'static str> {
    Some(match h {
        1 => "Ethernet",
        6 => "IEEE 802",
        7 => "ARCNET",
        15 => "Frame Relay",
        16 => "ATM",
        17 => "HDLC",
        18 => "Fibre Channel",
        19 => "ATM",
        20 => "Serial",
        31 => "IPsec tunnel",
        32 => "InfiniBand",
        _ => return None,
    })
}

fn ether_type(b: &mut Vec<u8>, t: u16) {
    s(b, "ethertype ");
    s(b, ethernet::ether_type_name(t).unwrap_or("Unknown"));
    s(b, " (0x");
    hex(b, t as u64, 4);
    b.push(b')');
}

/// tcpdump's ip_optprint.
fn ip_options(b: &mut Vec<u8>, mut cp: &[u8]) {
    let mut sep = "";
    while !cp.is_empty() {
        s(b, sep);
        sep = ",";
        let code = cp[0];
        match ipv4p::option_name(code) {
            Some(n) => s(b, n),
            None => {
                s(b, "unknown ");
                u(b, code);
            }
        }
        let olen = if code <= 1 {
            1
        } else {
            let Some(&l) = cp.get(1) else {
                s(b, "[|ip]");
                return;
            };
            if l < 2 {
                s(b, " [bad length ");
                u(b, l);
                b.push(b']');
                return;
            }
            l as usize
        };
        if olen > cp.len() {
            s(b, " [bad length ");
            u(b, olen);
            b.push(b']');
            return;
        }
        match code {
            0 => return,
            7 | 131 | 137 => {
                let o = &cp[..olen];
                if olen < 3 {
                    s(b, " [bad length ");
                    u(b, olen);
                    b.push(b']');
                } else {
                    if (olen + 1) & 3 != 0 {
                        s(b, " [bad length ");
                        u(b, olen);
                        b.push(b']');
                    }
                    let ptr = o[2] as usize;
                    let ptr1 = ptr.wrapping_sub(1);
                    if !(3..=olen + 1).contains(&ptr1) || (ptr1 + 1) & 3 != 0 {
                        s(b, " [bad ptr ");
                        u(b, ptr);
                        b.push(b']');
                    }
                    let mut l = 3;
                    while l + 4 <= olen {
                        b.push(b' ');
                        out::ip4(b, &o[l..l + 4]);
                        if ptr1 > l {
                            b.push(b',');
                        }
                        l += 4;
                    }
                }
            }
            68 => ip_timestamp(b, &cp[..olen]),
            148 => {
                if olen < 4 {
                    s(b, " [bad length ");
                    u(b, olen);
                    b.push(b']');
                } else {
                    let v = be16(cp, 2).unwrap_or(0);
                    if v != 0 {
                        s(b, " value ");
                        u(b, v);
                    }
                }
            }
            _ => {}
        }
        cp = &cp[olen..];
    }
}

/// tcpdump's ip_printts: the timestamp option.
fn ip_timestamp(b: &mut Vec<u8>, cp: &[u8]) {
    let length = cp.len();
    if length < 4 {
        s(b, " [bad length ");
        u(b, length);
        b.push(b']');
        return;
    }
    s(b, " TS{");
    let flags = cp[3];
    let hoplen = if flags & 0xf != 0 { 8 } else { 4 };
    if (length - 4) & (hoplen - 1) != 0 {
        s(b, "[bad length ");
        u(b, length);
        b.push(b']');
    }
    let ptr = (cp[2] as usize).wrapping_sub(1);
    if ptr < 4 || ((ptr - 4) & (hoplen - 1)) != 0 || ptr > length + 1 {
        s(b, "[bad ptr ");
        u(b, cp[2]);
        b.push(b']');
    }
    let mut len = 4;
    match flags & 0xf {
        0 => s(b, "TSONLY"),
        1 => s(b, "TS+ADDR"),
        3 => s(b, "PRESPEC"),
        t => {
            s(b, "[bad ts type ");
            u(b, t);
            b.push(b']');
            len = 0;
        }
    }
    if len == 4 {
        while len < length {
            s(b, if ptr == len { " ^ " } else { " " });
            let Some(ts) = be32(cp, len + hoplen - 4) else {
                s(b, "[|ip]");
                return;
            };
            u(b, ts);
            b.push(b'@');
            if hoplen == 8 {
                out::ip4(b, &cp[len..len + 4]);
            }
            len += hoplen;
        }
    }
    if ptr == len {
        s(b, " ^ ");
    }
    if flags >> 4 != 0 {
        s(b, " [");
        u(b, flags >> 4);
        s(b, " hops not recorded]} ");
    } else {
        b.push(b'}');
    }
}

/// IPv6 hop-by-hop / destination options, as tcpdump -v prints them (common ones).
fn ip6_opts(b: &mut Vec<u8>, mut cp: &[u8]) {
    while let Some(&t) = cp.first() {
        if t == 0 {
            s(b, "(pad1)");
            cp = &cp[1..];
            continue;
        }
        let Some(&l) = cp.get(1) else {
            s(b, "[|ip6]");
            break;
        };
        let l = l as usize + 2;
        if cp.len() < l {
            s(b, "[|ip6]");
            break;
        }
        match t {
            1 => s(b, "(padn)"),
            5 => {
                s(b, "(rtalert: 0x");
                hex(b, be16(cp, 2).unwrap_or(0) as u64, 4);
                s(b, ") ");
            }
            0xc2 => {
                s(b, "(jumbo: ");
                u(b, be32(cp, 2).unwrap_or(0));
                s(b, ") ");
            }
            _ => {
                s(b, "(opt_type 0x");
                hex(b, t as u64, 2);
                s(b, ": len=");
                u(b, l - 2);
                b.push(b')');
            }
        }
        cp = &cp[l..];
    }
    b.push(b' ');
}

/// tcpdump's TCP option list; false when it ended on a bad option (the line then ends).
fn tcp_options(
    b: &mut Vec<u8>,
    cp: &[u8],
    mut hlen: usize,
    rev: bool,
    thseq: u32,
    thack: u32,
    flags: u8,
) -> bool {
    let mut cp = cp;
    let mut first = true;
    while hlen > 0 {
        let had_prev = !first;
        if had_prev {
            b.push(b',');
        }
        first = false;
        let Some(&opt) = cp.first() else {
            s(b, "[|tcp]");
            return false;
        };
        match tcpp::option_name(opt) {
            Some(n) => s(b, n),
            None => {
                s(b, "unknown-");
                u(b, opt);
            }
        }
        let len;
        if opt <= 1 {
            len = 1;
        } else {
            let Some(&l) = cp.get(1) else {
                s(b, "[|tcp]");
                return false;
            };
            len = l as usize;
            if len < 2 || len > hlen {
                return bad_opt(b, had_prev);
            }
            hlen -= 1;
            cp = &cp[1..];
        }
        hlen -= 1;
        cp = &cp[1..];
        // cp now points at the option data, hlen counts what is left of the header.
        let bad = |b: &mut Vec<u8>| bad_opt(b, had_prev);
        let datalen: usize = match opt {
            tcpp::opt::MSS => {
                if 2 > hlen {
                    return bad(b);
                }
                let Some(v) = be16(cp, 0) else { return trunc_tcp(b) };
                b.push(b' ');
                u(b, v);
                2
            }
            tcpp::opt::WSCALE => {
                if 1 > hlen {
                    return bad(b);
                }
                let Some(&v) = cp.first() else { return trunc_tcp(b) };
                b.push(b' ');
                u(b, v);
                1
            }
            tcpp::opt::SACK => {
                let dl = len - 2;
                if dl > hlen {
                    return bad(b);
                }
                if dl % 8 != 0 {
                    s(b, " invalid sack");
                } else {
                    b.push(b' ');
                    u(b, dl / 8);
                    b.push(b' ');
                    for i in (0..dl).step_by(8) {
                        let (Some(mut st), Some(mut en)) = (be32(cp, i), be32(cp, i + 4)) else {
                            return trunc_tcp(b);
                        };
                        if rev {
                            st = st.wrapping_sub(thseq);
                            en = en.wrapping_sub(thseq);
                        } else {
                            st = st.wrapping_sub(thack);
                            en = en.wrapping_sub(thack);
                        }
                        b.push(b'{');
                        u(b, st);
                        b.push(b':');
                        u(b, en);
                        b.push(b'}');
                    }
                }
                dl
            }
            6 | 7 | 11 | 12 | 13 => {
                if 4 > hlen {
                    return bad(b);
                }
                let Some(v) = be32(cp, 0) else { return trunc_tcp(b) };
                b.push(b' ');
                u(b, v);
                4
            }
            tcpp::opt::TIMESTAMP => {
                if 8 > hlen {
                    return bad(b);
                }
                let (Some(v), Some(e)) = (be32(cp, 0), be32(cp, 4)) else { return trunc_tcp(b) };
                s(b, " val ");
                u(b, v);
                s(b, " ecr ");
                u(b, e);
                8
            }
            tcpp::opt::MD5 => {
                if 16 > hlen {
                    return bad(b);
                }
                let Some(sig) = cp.get(..16) else { return trunc_tcp(b) };
                s(b, "shared secret not supplied with -M, can't check - ");
                out::hex_bytes(b, sig);
                16
            }
            tcpp::opt::SACK_OK => 0,
            tcpp::opt::UTO => {
                if 2 > hlen {
                    return bad(b);
                }
                let Some(mut v) = be16(cp, 0) else { return trunc_tcp(b) };
                b.push(b' ');
                if v & 1 != 0 {
                    v = (v >> 1).wrapping_mul(60);
                } else {
                    v >>= 1;
                }
                u(b, v);
                2
            }
            tcpp::opt::FASTOPEN => {
                let dl = len - 2;
                if dl > hlen {
                    return bad(b);
                }
                let Some(c) = cp.get(..dl) else { return trunc_tcp(b) };
                fastopen(b, c);
                dl
            }
            tcpp::opt::EXP2 => {
                let dl = len - 2;
                if dl > hlen {
                    return bad(b);
                }
                if dl < 2 {
                    return bad(b);
                }
                let Some(magic) = be16(cp, 0) else { return trunc_tcp(b) };
                b.push(b'-');
                if magic == 0xf989 {
                    s(b, "tfo");
                    let Some(c) = cp.get(2..dl) else { return trunc_tcp(b) };
                    fastopen(b, c);
                } else {
                    hex(b, magic as u64, 4);
                }
                dl
            }
            tcpp::opt::MPTCP => {
                let dl = len - 2;
                if dl > hlen {
                    return bad(b);
                }
                // mptcp_print reads the option from its kind byte.
                let Some(o) = cp.get(..dl) else { return trunc_tcp(b) };
                if !mptcp(b, len, o, flags) {
                    return bad(b);
                }
                dl
            }
            tcpp::opt::EOL | tcpp::opt::NOP => 0,
            _ => {
                let dl = len - 2;
                if dl > 0 {
                    s(b, " 0x");
                }
                for i in 0..dl {
                    if i + 1 > hlen {
                        return bad(b);
                    }
                    let Some(&x) = cp.get(i) else { return trunc_tcp(b) };
                    hex(b, x as u64, 2);
                }
                dl
            }
        };
        cp = cp.get(datalen..).unwrap_or(&[]);
        hlen = hlen.saturating_sub(datalen);
        let mut seen = datalen + 1;
        if opt > 1 {
            seen += 1;
        }
        if seen != len {
            s(b, "[len ");
            u(b, len);
            b.push(b']');
        }
        if opt == tcpp::opt::EOL {
            break;
        }
    }
    true
}

/// tcpdump's mptcp_print; `o` is the option after kind and length. False: "[bad opt]".
fn mptcp(b: &mut Vec<u8>, len: usize, o: &[u8], flags: u8) -> bool {
    if len < 3 {
        return false;
    }
    let sub = (o[0] >> 4).min(8);
    b.push(b' ');
    u(b, len);
    b.push(b' ');
    s(
        b,
        ["capable", "join", "dss", "add-addr", "rem-addr", "prio", "fail", "fast-close", "unknown"]
            [sub as usize],
    );
    let syn = flags & tcpp::SYN != 0;
    let ack_only = flags & (tcpp::SYN | tcpp::ACK) == tcpp::ACK;
    let be64 = |i: usize| {
        o.get(i..i + 8).map(|c| u64::from_be_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
    };
    // Offsets below are from the option's kind byte, as in tcpdump's structures.
    let at = |i: usize| i - 2;
    match sub {
        0 => {
            if !((len == 12 && syn)
                || (len == 20 && ack_only)
                || (len == 22 && ack_only)
                || (len == 4 && syn))
            {
                return false;
            }
            let version = o[0] & 0xf;
            if version > 1 {
                s(b, " Unknown Version (");
                u(b, version);
                b.push(b')');
                return true;
            }
            s(b, " v");
            u(b, version);
            let f = o.get(1).copied().unwrap_or(0);
            if f & 0x80 != 0 {
                s(b, " csum");
            }
            if len == 12 || len >= 20 {
                let Some(k) = be64(at(4)) else { return false };
                s(b, " {0x");
                out::hex_min(b, k);
                if len >= 20 {
                    let Some(k2) = be64(at(12)) else { return false };
                    s(b, ",0x");
                    out::hex_min(b, k2);
                }
                b.push(b'}');
            }
            true
        }
        1 => {
            let synack = flags & (tcpp::SYN | tcpp::ACK) == (tcpp::SYN | tcpp::ACK);
            if !((len == 12 && syn) || (len == 16 && synack) || (len == 24 && flags & tcpp::ACK != 0)) {
                return false;
            }
            if len != 24 {
                if o[0] & 1 != 0 {
                    s(b, " backup");
                }
                s(b, " id ");
                u(b, o.get(1).copied().unwrap_or(0));
            }
            match len {
                12 => {
                    s(b, " token 0x");
                    out::hex_min(b, be32(o, at(4)).unwrap_or(0) as u64);
                    s(b, " nonce 0x");
                    out::hex_min(b, be32(o, at(8)).unwrap_or(0) as u64);
                }
                16 => {
                    s(b, " hmac 0x");
                    out::hex_min(b, be64(at(4)).unwrap_or(0));
                    s(b, " nonce 0x");
                    out::hex_min(b, be32(o, at(12)).unwrap_or(0) as u64);
                }
                _ => {
                    s(b, " hmac 0x");
                    out::hex_bytes(b, o.get(at(4)..at(24)).unwrap_or(&[]));
                }
            }
            true
        }
        2 => {
            if len < 4 || syn {
                return false;
            }
            let f = o[1];
            if f & 0x10 != 0 {
                s(b, " fin");
            }
            let mut rest = &o[2..];
            let mut take = |n: usize| -> Option<&[u8]> {
                let (h, t) = (rest.get(..n)?, rest.get(n..)?);
                rest = t;
                Some(h)
            };
            let num = |c: &[u8]| c.iter().fold(0u64, |a, &x| a << 8 | x as u64);
            if f & 0x01 != 0 {
                s(b, " ack ");
                let Some(c) = take(if f & 0x02 != 0 { 8 } else { 4 }) else { return false };
                u(b, num(c));
            }
            if f & 0x04 != 0 {
                s(b, " seq ");
                let Some(c) = take(if f & 0x08 != 0 { 8 } else { 4 }) else { return false };
                u(b, num(c));
                let Some(c) = take(4) else { return false };
                s(b, " subseq ");
                u(b, num(c));
                let Some(c) = take(2) else { return false };
                s(b, " len ");
                u(b, num(c));
                if let Some(c) = take(2) {
                    s(b, " csum 0x");
                    out::hex_min(b, num(c));
                }
            }
            rest.is_empty()
        }
        3 => {
            let n = o[0] & 0xf;
            let id = o.get(1).copied().unwrap_or(0);
            let addr = |b: &mut Vec<u8>, v6: bool, port: bool| {
                b.push(b' ');
                if v6 {
                    out::ip6(b, &o[2..18]);
                    if port {
                        b.push(b':');
                        u(b, be16(o, 18).unwrap_or(0));
                    }
                } else {
                    out::ip4(b, &o[2..6]);
                    if port {
                        b.push(b':');
                        u(b, be16(o, 6).unwrap_or(0));
                    }
                }
            };
            if n == 4 || n == 6 {
                if !((n == 4 && (len == 8 || len == 10)) || (n == 6 && (len == 20 || len == 22))) {
                    return false;
                }
                s(b, " v0-ip");
                u(b, n);
                s(b, " id ");
                u(b, id);
                addr(b, n == 6, len == 10 || len == 22);
                return true;
            }
            let echo = n & 1 != 0;
            let (v6, port) = match (echo, len) {
                (true, 8) => (false, false),
                (true, 10) => (false, true),
                (true, 20) => (true, false),
                (true, 22) => (true, true),
                (false, 16) => (false, false),
                (false, 18) => (false, true),
                (false, 28) => (true, false),
                (false, 30) => (true, true),
                _ => return false,
            };
            s(b, if echo { " v1-echo id " } else { " v1 id " });
            u(b, id);
            addr(b, v6, port);
            if !echo {
                s(b, " hmac 0x");
                out::hex_min(b, be64(len - 2 - 8).unwrap_or(0));
            }
            true
        }
        4 => {
            if len < 4 {
                return false;
            }
            s(b, " id");
            for &x in &o[1..] {
                b.push(b' ');
                u(b, x);
            }
            true
        }
        5 => {
            if len != 3 && len != 4 {
                return false;
            }
            s(b, if o[0] & 1 != 0 { " backup" } else { " non-backup" });
            if len == 4 {
                s(b, " id ");
                u(b, o[1]);
            }
            true
        }
        6 => {
            if len != 12 {
                return false;
            }
            s(b, " seq ");
            u(b, be64(at(4)).unwrap_or(0));
            true
        }
        7 => {
            if len != 12 {
                return false;
            }
            s(b, " key 0x");
            out::hex_min(b, be64(at(4)).unwrap_or(0));
            true
        }
        _ => true,
    }
}

fn bad_opt(b: &mut Vec<u8>, had_prev: bool) -> bool {
    s(b, "[bad opt]");
    if had_prev {
        b.push(b']');
    }
    false
}

fn trunc_tcp(b: &mut Vec<u8>) -> bool {
    s(b, " [|tcp]");
    false
}

fn fastopen(b: &mut Vec<u8>, c: &[u8]) {
    if c.is_empty() {
        s(b, " cookiereq");
    } else if !c.len().is_multiple_of(2) || c.len() < 4 || c.len() > 16 {
        s(b, " (invalid)");
    } else {
        s(b, " cookie ");
        out::hex_bytes(b, c);
    }
}

/// One's-complement sum of big-endian 16-bit words, added to `init`.
fn sum_be(data: &[u8], init: u32) -> u32 {
    let mut sum = init as u64;
    let mut chunks = data.chunks_exact(2);
    for c in &mut chunks {
        sum += u16::from_be_bytes([c[0], c[1]]) as u64;
    }
    if let [last] = chunks.remainder() {
        sum += (*last as u64) << 8;
    }
    while sum > 0xffff_ffff {
        sum = (sum & 0xffff_ffff) + (sum >> 32);
    }
    sum as u32
}

fn fold(mut sum: u32) -> u16 {
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    sum as u16
}

/// tcpdump's in_cksum_shouldbe: the checksum field value that would have been right.
fn shouldbe(field: u16, computed: u16) -> u16 {
    let mut v = field as u32 + computed as u32;
    v = (v & 0xffff) + (v >> 16);
    v = (v & 0xffff) + (v >> 16);
    v as u16
}

fn pseudo(ctx: &IpCtx<'_>, proto: u8, len: usize) -> u32 {
    let mut sum = sum_be(ctx.src, 0);
    sum = sum_be(ctx.dst, sum);
    sum = sum.wrapping_add(proto as u32);
    sum.wrapping_add((len as u32 >> 16) + (len as u32 & 0xffff))
}

/// tcpdump's hex_print ("\n\t0x0000:  4500 ...").
pub fn hex_only(b: &mut Vec<u8>, p: &[u8]) {
    let mut oset = 0usize;
    let mut i = 0usize;
    let mut chunks = p.chunks_exact(2);
    for c in &mut chunks {
        if i.is_multiple_of(8) {
            s(b, "\n\t0x");
            hex(b, oset as u64, 4);
            s(b, ": ");
            oset += 16;
        }
        i += 1;
        b.push(b' ');
        hex(b, c[0] as u64, 2);
        hex(b, c[1] as u64, 2);
    }
    if let [last] = chunks.remainder() {
        if i.is_multiple_of(8) {
            s(b, "\n\t0x");
            hex(b, oset as u64, 4);
            s(b, ": ");
        }
        b.push(b' ');
        hex(b, *last as u64, 2);
    }
}

fn graph(c: u8) -> u8 {
    if c > 0x20 && c < 0x7f { c } else { b'.' }
}

/// tcpdump's hex_and_ascii_print ("\n\t0x0000:  4500 ...  E..").
pub fn hex_ascii(b: &mut Vec<u8>, p: &[u8], start: usize) {
    let mut oset = start;
    for line in p.chunks(16) {
        s(b, "\n\t0x");
        hex(b, oset as u64, 4);
        s(b, ": ");
        let before = b.len();
        for c in line.chunks(2) {
            b.push(b' ');
            hex(b, c[0] as u64, 2);
            if let Some(&x) = c.get(1) {
                hex(b, x as u64, 2);
            }
        }
        for _ in (b.len() - before)..40 {
            b.push(b' ');
        }
        s(b, "  ");
        for &c in line {
            b.push(graph(c));
        }
        oset += 16;
    }
}

/// tcpdump's ascii_print (-A).
pub fn ascii(b: &mut Vec<u8>, p: &[u8]) {
    b.push(b'\n');
    for (i, &c) in p.iter().enumerate() {
        if c == b'\r' {
            if i + 1 == p.len() || p[i + 1] != b'\n' {
                b.push(b'.');
            }
        } else if (c > 0x20 && c < 0x7f) || c == b'\t' || c == b' ' || c == b'\n' {
            b.push(c);
        } else {
            b.push(b'.');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pktkit::capture::{Interface, LinkType, Precision};
    use pktkit::decode::{DecodeOptions, decode};

    fn line(o: TextOptions, lt: u16, frame: &[u8], orig_len: u32) -> String {
        let iface = Interface::live(LinkType(lt), 65535, Precision::Micro);
        let pkt = Packet {
            number: 1,
            record: 1,
            ts: Timestamp::new(3661, 5_000),
            orig_len,
            data: frame,
            stored: frame,
            interface: &iface,
            raw_ts: None,
        };
        let d = decode(LinkType(lt), frame, orig_len, &DecodeOptions::default());
        let mut p = TextPrinter::with_time(o, LocalTime::utc());
        let mut out = Vec::new();
        p.packet(&mut out, &pkt, &d).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn ipv4_tcp(options: &[u8], flags: u8) -> Vec<u8> {
        let hl = 20 + options.len();
        let mut p = vec![0x45, 0, 0, 0, 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
        let total = (20 + hl) as u16;
        p[2..4].copy_from_slice(&total.to_be_bytes());
        p.extend_from_slice(&[
            0x30,
            0x39,
            0,
            80,
            0,
            0,
            0,
            7,
            0,
            0,
            0,
            0,
            ((hl / 4) as u8) << 4,
            flags,
            0x10,
            0,
            0,
            0,
            0,
            0,
        ]);
        p.extend_from_slice(options);
        p
    }

    #[test]
    fn hex_dumps_match_tcpdump_layout() {
        let mut b = Vec::new();
        hex_only(&mut b, &[0x45, 0, 0, 0x1c, 0xab]);
        assert_eq!(String::from_utf8(b).unwrap(), "\n\t0x0000:  4500 001c ab");
        let mut b = Vec::new();
        hex_ascii(&mut b, b"GET / HTTP/1.1\r\nHost", 0);
        assert_eq!(
            String::from_utf8(b).unwrap(),
            "\n\t0x0000:  4745 5420 2f20 4854 5450 2f31 2e31 0d0a  GET./.HTTP/1.1..\
             \n\t0x0010:  486f 7374                                Host"
        );
        let mut b = Vec::new();
        ascii(&mut b, b"a\r\nb\rc\x01");
        assert_eq!(String::from_utf8(b).unwrap(), "\na\nb.c.");
    }

    #[test]
    fn tcp_options_good_bad_and_cut() {
        let o = TextOptions::default();
        let l = line(o, 101, &ipv4_tcp(&[2, 4, 5, 0xb4, 1, 1, 4, 2], 0x02), 48);
        assert_eq!(
            l,
            "01:01:01.000005 IP 10.0.0.1.12345 > 10.0.0.2.80: Flags [S], seq 7, win 4096, options [mss 1460,nop,nop,sackOK], length 0\n"
        );
        // A length byte of 0 after a good option: "[bad opt]]" and the line ends.
        let l = line(o, 101, &ipv4_tcp(&[1, 8, 0, 0], 0x02), 44);
        assert!(l.ends_with("options [nop,TS[bad opt]]\n"), "{l}");
        // Cut inside the options: tcpdump's [|tcp] marker.
        let full = ipv4_tcp(&[8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 1, 1], 0x12);
        let l = line(o, 101, &full[..46], full.len() as u32);
        assert!(l.ends_with("options [TS [|tcp]\n"), "{l}");
    }

    #[test]
    fn link_headers_and_timestamps() {
        let mut eth = vec![0xff; 6];
        eth.extend_from_slice(&[2, 0, 0, 0, 0, 9, 0x08, 0x06]);
        eth.extend_from_slice(&[
            0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 9, 10, 0, 0, 9, 0, 0, 0, 0, 0, 0, 10, 0, 0, 1,
        ]);
        let o = TextOptions { eflag: true, number: true, tflag: 4, ..Default::default() };
        assert_eq!(
            line(o, 1, &eth, 60),
            "    1  1970-01-01 01:01:01.000005 02:00:00:00:00:09 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 60: Request who-has 10.0.0.1 tell 10.0.0.9, length 46\n"
        );
        let o = TextOptions { tflag: 2, nano: true, ..Default::default() };
        assert!(
            line(o, 1, &eth, 42)
                .starts_with("3661.000005000 ARP, Request who-has 10.0.0.1 tell 10.0.0.9, length 28")
        );
        // Truncated Ethernet header and an unknown link type.
        assert_eq!(line(TextOptions { tflag: 1, ..Default::default() }, 1, &eth[..10], 60), "[|ether]\n");
        assert_eq!(
            line(TextOptions { tflag: 1, ..Default::default() }, 147, &eth, 60),
            "unsupported link type 147\n"
        );
    }

    #[test]
    fn ipv4_damage_as_tcpdump() {
        let o = TextOptions { tflag: 1, ..Default::default() };
        let mut p = ipv4_tcp(&[], 0x10);
        p[0] = 0x44;
        assert_eq!(line(o, 101, &p, 40), "IP bad-hlen 16\n");
        let mut p = ipv4_tcp(&[], 0x10);
        p[2..4].copy_from_slice(&10u16.to_be_bytes());
        assert_eq!(line(o, 101, &p, 40), "IP bad-len 10\n");
        let p = ipv4_tcp(&[], 0x10);
        assert_eq!(line(o, 101, &p[..12], 12), "IP truncated-ip 12\n");
        let mut p = ipv4_tcp(&[], 0x10);
        p[6..8].copy_from_slice(&0x0010u16.to_be_bytes());
        assert_eq!(line(o, 101, &p, 40), "IP 10.0.0.1 > 10.0.0.2: ip-proto-6\n");
    }

    #[test]
    fn hostile_frames_never_panic() {
        let mut seed = 0x9e37_79b9u32;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed
        };
        let protos = [1u8, 2, 4, 6, 17, 41, 47, 50, 51, 58, 132, 33, 0, 43, 44, 60];
        let opts = [
            TextOptions { vflag: 2, eflag: true, big_x: 1, ..Default::default() },
            TextOptions { vflag: 1, xflag: 2, tflag: 3, ..Default::default() },
            TextOptions { aflag: 1, tflag: 5, number: true, ..Default::default() },
        ];
        let mut printers: Vec<TextPrinter> =
            opts.iter().map(|o| TextPrinter::with_time(*o, LocalTime::utc())).collect();
        let mut json = super::super::json::JsonWriter::new(true);
        let all: Vec<&str> = super::super::fields::known_names().collect();
        let mut fields = super::super::fields::FieldsWriter::new(&all.join(",")).unwrap();
        let mut frame = [0u8; 160];
        for round in 0..30_000u32 {
            for x in frame.iter_mut() {
                *x = next() as u8;
            }
            // Bias towards plausible headers so the deep paths run.
            let lt: u16 = [1, 101, 113, 276, 0, 9, 104, 226, 239, 242, 258, 12][round as usize % 12];
            let ip_at = match lt {
                1 => 14,
                113 => 16,
                276 => 20,
                0 | 104 => 4,
                _ => 0,
            };
            if lt == 1 {
                frame[12..14].copy_from_slice(&[0x08, 0x00]);
            }
            if lt == 113 {
                frame[14..16].copy_from_slice(&[0x86, 0xdd]);
            }
            frame[ip_at] = if round % 3 == 0 { 0x60 } else { 0x45 + (next() % 3) as u8 };
            frame[ip_at + 9] = protos[next() as usize % protos.len()];
            frame[ip_at + 6] = protos[next() as usize % protos.len()];
            let len = (next() as usize) % frame.len();
            let orig = len as u32 + next() % 64;
            let iface = Interface::live(LinkType(lt), 65535, Precision::Micro);
            let pkt = Packet {
                number: round as u64,
                record: round as u64,
                ts: Timestamp::new(next() as i64, 0),
                orig_len: orig,
                data: &frame[..len],
                stored: &frame[..len],
                interface: &iface,
                raw_ts: None,
            };
            let d = decode(LinkType(lt), &frame[..len], orig, &DecodeOptions::default());
            for p in printers.iter_mut() {
                let mut out = Vec::new();
                p.packet(&mut out, &pkt, &d).unwrap();
                assert!(out.ends_with(b"\n"));
            }
            let mut out = Vec::new();
            json.packet(&mut out, &pkt, &d, None).unwrap();
            let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
            assert_eq!(v["schema"], "pktkit.decode/1");
            let mut out = Vec::new();
            fields.packet(&mut out, &pkt, &d).unwrap();
            assert_eq!(out.iter().filter(|&&c| c == b'\t').count(), all.len() - 1);
        }
    }
}
