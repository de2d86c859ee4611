//! Packet decoding: one call turns a captured frame into zero-copy views of every layer that
//! is complete, and says where and why decoding stopped.
//!
//! Layering: the link layer ([`Link`]: Ethernet with 802.1Q/QinQ tags, Linux cooked v1/v2,
//! raw IP, BSD null/loop, Solaris ipnet) is read here with the [`crate::proto`] modules; the
//! network and transport layers come from etherparse's lax slicing (ARP, IPv4, IPv6 with
//! extension headers, TCP, UDP, ICMP, ICMPv6); the application layer is a pluggable step
//! ([`app`]): [`app::classify`] names the protocol by port and by content as Wireshark does
//! and records where its bytes start, and the application decoders of `proto/` parse from
//! there.
//!
//! [`decode`] allocates nothing: the result borrows the frame.

pub mod app;
pub mod defrag;
pub mod extra;
pub mod ip;
pub mod plain;
mod ports;
pub mod protocols;

use etherparse::err::Layer as EpLayer;
use etherparse::err::packet::SliceError;
use etherparse::{
    EtherType, Icmpv4Slice, Icmpv6Slice, LaxNetSlice, LaxSlicedPacket, TcpSlice, TransportSlice, UdpSlice,
};

use crate::capture::LinkType;
use crate::proto::ethernet::{self, Ethernet, VlanTag};
use crate::proto::sll::Sll;
pub use crate::proto::tunnel::{Encap, Payload};
use crate::proto::{ip_proto, null, ppp_proto};
pub use app::{App, AppProto};

/// Most VLAN tags kept per frame (deeper stacks stop decoding, with a reason).
pub const MAX_VLANS: usize = 4;

/// The NFLOG TLV that holds the packet, and NFLOG's family number of IPv6.
const NFULA_PAYLOAD: u16 = 9;
const NFPROTO_IPV6: u8 = 10;

/// Most tunnels followed into one frame ([`Decoded::tunnels`]): every consumer that walks the
/// tunnel chain stops at this depth.
pub const MAX_TUNNELS: usize = 8;

/// What [`decode`] does beyond the fixed layers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecodeOptions {
    /// Look for an application protocol (by port and content) after TCP/UDP.
    pub app: bool,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions { app: true }
    }
}

/// A protocol layer, as named in stop reports and JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Layer {
    /// The link-layer header (Ethernet, SLL, null, ipnet).
    Link,
    /// An 802.1Q tag.
    Vlan,
    /// ARP.
    Arp,
    /// IPv4 or IPv6, before the version is known.
    Ip,
    /// IPv4 header.
    Ipv4,
    /// IPv6 header.
    Ipv6,
    /// An IPv6 extension header or IPv4 authentication header.
    IpExt,
    /// TCP header.
    Tcp,
    /// UDP header.
    Udp,
    /// ICMP header.
    Icmp,
    /// ICMPv6 header.
    Icmpv6,
    /// IGMP.
    Igmp,
    /// The application layer.
    App,
}

impl Layer {
    /// Lower-case name used in JSON and messages.
    pub fn name(self) -> &'static str {
        match self {
            Layer::Link => "link",
            Layer::Vlan => "vlan",
            Layer::Arp => "arp",
            Layer::Ip => "ip",
            Layer::Ipv4 => "ipv4",
            Layer::Ipv6 => "ipv6",
            Layer::IpExt => "ip-ext",
            Layer::Tcp => "tcp",
            Layer::Udp => "udp",
            Layer::Icmp => "icmp",
            Layer::Icmpv6 => "icmpv6",
            Layer::Igmp => "igmp",
            Layer::App => "app",
        }
    }
}

/// Why decoding stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopKind {
    /// The layer needs more bytes than were captured (or than its parent's length allows).
    Truncated {
        /// Bytes the layer needs from its start.
        need: usize,
        /// Bytes available from its start.
        have: usize,
    },
    /// A field makes the header unreadable.
    Invalid(&'static str),
    /// The protocol is not one pktkit decodes.
    Unsupported(&'static str),
}

/// Where and why decoding stopped before the end of the frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stop {
    /// The layer that could not be read.
    pub layer: Layer,
    /// Byte offset in the frame where that layer starts.
    pub offset: usize,
    /// Why.
    pub kind: StopKind,
}

impl Stop {
    /// A short, fixed reason text.
    pub fn reason(&self) -> &'static str {
        match self.kind {
            StopKind::Truncated { .. } => "truncated",
            StopKind::Invalid(r) | StopKind::Unsupported(r) => r,
        }
    }
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            StopKind::Truncated { need, have } => write!(
                f,
                "{} truncated at byte offset {} ({have} of {need} bytes)",
                self.layer.name(),
                self.offset
            ),
            StopKind::Invalid(r) => {
                write!(f, "{} invalid at byte offset {}: {r}", self.layer.name(), self.offset)
            }
            StopKind::Unsupported(r) => {
                write!(f, "{} at byte offset {} not decoded: {r}", self.layer.name(), self.offset)
            }
        }
    }
}

/// The link layer of a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link<'a> {
    /// Ethernet II or 802.3.
    Ethernet(Ethernet<'a>),
    /// Linux cooked capture, v1 or v2.
    Sll(Sll<'a>),
    /// BSD null (host order) or OpenBSD loop (network order) header with its address family.
    Null {
        /// The address family.
        family: u32,
    },
    /// Solaris ipnet header.
    Ipnet,
    /// IP over InfiniBand (RFC 4391) pseudo header: 40 bytes of addresses, then an EtherType.
    Ipoib,
    /// PPP (LINKTYPE_PPP, LINKTYPE_PPP_HDLC): optional address and control, then the PPP
    /// protocol number.
    Ppp {
        /// The PPP protocol (0x0021 IPv4, 0x0057 IPv6, 0xc021 LCP, ...).
        protocol: u16,
    },
    /// Cisco HDLC: address, control, EtherType.
    Chdlc {
        /// Address byte (0x0f unicast, 0x8f broadcast).
        address: u8,
    },
    /// Linux NFLOG: family, version, resource id, then TLVs; the packet is the payload TLV.
    Nflog {
        /// Address family (2 IPv4, 10 IPv6).
        family: u8,
        /// Version.
        version: u8,
        /// Resource id (the nflog group).
        resource: u16,
    },
    /// No link header: the frame starts with an IP header.
    Raw,
    /// A link type pktkit does not decode, or a header too short to read.
    None,
}

/// A decoded frame: views into its bytes, layer by layer.
#[derive(Clone, Debug)]
pub struct Decoded<'a> {
    /// The link type the frame was decoded as.
    pub linktype: LinkType,
    /// The captured bytes.
    pub data: &'a [u8],
    /// Length on the wire.
    pub orig_len: u32,
    /// Link-layer header.
    pub link: Link<'a>,
    /// VLAN tags, outermost first (`vlans[..vlan_count]`).
    pub vlans: [VlanTag; MAX_VLANS],
    /// Number of VLAN tags.
    pub vlan_count: usize,
    /// The EtherType after the link header and tags (for raw and null links, the one implied).
    pub ether_type: Option<u16>,
    /// Offset of the network layer (after link header and tags).
    pub net_offset: usize,
    /// Network layer (ARP, IPv4, IPv6), from etherparse.
    pub net: Option<LaxNetSlice<'a>>,
    /// Transport layer (TCP, UDP, ICMP, ICMPv6, IGMP), from etherparse.
    pub transport: Option<TransportSlice<'a>>,
    /// Offset of the transport header.
    pub transport_offset: usize,
    /// Application protocol found after TCP/UDP, if any (also when the capture cut its data).
    pub app: Option<App<'a>>,
    /// Where and why decoding stopped early, if it did.
    pub stop: Option<Stop>,
    /// For Apple PKTAP frames: the inner link type and the PKTAP header length (the other
    /// offsets count from the start of the PKTAP header; `linktype` is the inner one).
    pub pktap: Option<(u32, usize)>,
}

impl<'a> Decoded<'a> {
    /// The VLAN tags.
    pub fn vlans(&self) -> &[VlanTag] {
        &self.vlans[..self.vlan_count]
    }

    /// True when fewer bytes were captured than were on the wire.
    pub fn is_snapped(&self) -> bool {
        crate::capture::is_snapped(self.data.len(), self.orig_len)
    }

    /// The bytes after the transport header (or after the network header when there is no
    /// transport layer), as captured.
    pub fn payload(&self) -> &'a [u8] {
        match &self.transport {
            Some(TransportSlice::Tcp(t)) => t.payload(),
            Some(TransportSlice::Udp(u)) => u.payload(),
            Some(TransportSlice::Icmpv4(i)) => i.payload(),
            Some(TransportSlice::Icmpv6(i)) => i.payload(),
            Some(TransportSlice::Igmp(i)) => i.payload(),
            None => match &self.net {
                Some(LaxNetSlice::Ipv4(ip)) => ip.payload().payload,
                Some(LaxNetSlice::Ipv6(ip)) => ip.payload().payload,
                _ => &[],
            },
        }
    }

    /// Offset of `part` (a sub-slice of the frame) in the frame.
    pub fn offset_of(&self, part: &[u8]) -> usize {
        offset_in(self.data, part)
    }

    /// The packet this frame carries through a tunnel (GRE, VXLAN, GTP-U, IP-in-IP, MPLS,
    /// PPPoE session): the encapsulation, what it carries, and its bytes.
    pub fn encapsulated(&self) -> Option<(Encap, Payload, &'a [u8])> {
        use crate::proto::tunnel;
        if self.net.is_none() {
            let rest = self.data.get(self.net_offset..)?;
            let (e, (p, off)) = match self.ether_type? {
                0x8847 | 0x8848 => (Encap::Mpls, tunnel::mpls(rest)?),
                0x8864 => (Encap::Pppoe, tunnel::pppoe_session(rest)?),
                _ => return None,
            };
            return Some((e, p, rest.get(off..)?));
        }
        match &self.transport {
            Some(TransportSlice::Udp(u)) => {
                let p = u.payload();
                let (e, (kind, off)) = if u.destination_port() == tunnel::VXLAN_PORT {
                    (Encap::Vxlan, tunnel::vxlan(p)?)
                } else if u.destination_port() == tunnel::GTPU_PORT || u.source_port() == tunnel::GTPU_PORT {
                    (Encap::GtpU, tunnel::gtpu(p)?)
                } else {
                    return None;
                };
                Some((e, kind, p.get(off..)?))
            }
            Some(_) => None,
            None => {
                let (proto, p) = match &self.net {
                    Some(LaxNetSlice::Ipv4(ip)) if !ip.payload().fragmented => {
                        (ip.payload().ip_number.0, ip.payload().payload)
                    }
                    Some(LaxNetSlice::Ipv6(ip)) if !ip.payload().fragmented => {
                        (ip.payload().ip_number.0, ip.payload().payload)
                    }
                    _ => return None,
                };
                match proto {
                    4 | 41 => Some((Encap::IpInIp, Payload::Ip, p)),
                    47 => {
                        let (kind, off) = tunnel::gre(p)?;
                        Some((Encap::Gre, kind, p.get(off..)?))
                    }
                    _ => None,
                }
            }
        }
    }

    /// Decodes the tunnelled packet of [`Self::encapsulated`] (offsets count from its start).
    pub fn decode_encapsulated(&self, opts: &DecodeOptions) -> Option<Decoded<'a>> {
        self.decode_tunnel(opts).map(|(_, inner)| inner)
    }

    /// The encapsulation of [`Self::encapsulated`] and the packet in it, decoded.
    fn decode_tunnel(&self, opts: &DecodeOptions) -> Option<(Encap, Decoded<'a>)> {
        let (encap, kind, bytes) = self.encapsulated()?;
        let lt = match kind {
            Payload::Ethernet => LinkType::ETHERNET,
            Payload::Ip => LinkType::RAW,
        };
        Some((encap, decode(lt, bytes, bytes.len() as u32, opts)))
    }

    /// The packets this frame carries through tunnels, outermost first, at most
    /// [`MAX_TUNNELS`] of them (each decoded with `opts`).
    pub fn tunnels(&self, opts: DecodeOptions) -> impl Iterator<Item = Decoded<'a>> + use<'a> {
        self.tunnel_chain(opts).map(|(_, inner)| inner)
    }

    /// [`Self::tunnels`] with the encapsulation each packet came in. The chain is walked
    /// as it is read: a level is decoded when the iterator reaches it, and none past
    /// [`MAX_TUNNELS`].
    pub fn tunnel_chain(&self, opts: DecodeOptions) -> impl Iterator<Item = (Encap, Decoded<'a>)> + use<'a> {
        let mut next = self.decode_tunnel(&opts);
        let mut left = MAX_TUNNELS;
        std::iter::from_fn(move || {
            if left == 0 {
                return None;
            }
            left -= 1;
            let (encap, inner) = next.take()?;
            if left > 0 {
                next = inner.decode_tunnel(&opts);
            }
            Some((encap, inner))
        })
    }

    /// The packet quoted inside an ICMP or ICMPv6 error, decoded leniently.
    pub fn icmp_quoted(&self) -> Option<LaxSlicedPacket<'a>> {
        match &self.transport {
            Some(TransportSlice::Icmpv4(i)) => crate::proto::icmp::quoted(i),
            Some(TransportSlice::Icmpv6(i)) => crate::proto::icmpv6::quoted(i),
            _ => None,
        }
    }
}

/// Offset of `part` in `whole`, for sub-slices (0 when `part` lies elsewhere).
pub fn offset_in(whole: &[u8], part: &[u8]) -> usize {
    let (w, p) = (whole.as_ptr() as usize, part.as_ptr() as usize);
    if p >= w && p <= w + whole.len() { p - w } else { 0 }
}

/// Decodes one frame of link type `linktype`; never fails, never panics, never allocates.
///
/// `orig_len` is the length on the wire (used to tell snaplen truncation from damage).
pub fn decode<'a>(linktype: LinkType, data: &'a [u8], orig_len: u32, opts: &DecodeOptions) -> Decoded<'a> {
    let mut d = Decoded {
        linktype,
        data,
        orig_len,
        link: Link::None,
        vlans: [VlanTag::default(); MAX_VLANS],
        vlan_count: 0,
        ether_type: None,
        net_offset: 0,
        net: None,
        transport: None,
        transport_offset: 0,
        app: None,
        stop: None,
        pktap: None,
    };
    let truncated_link = |need: usize| Stop {
        layer: Layer::Link,
        offset: 0,
        kind: StopKind::Truncated { need, have: data.len() },
    };
    match linktype {
        LinkType::ETHERNET => {
            let Some(eth) = Ethernet::parse(data) else {
                d.stop = Some(truncated_link(ethernet::HEADER_LEN));
                return d;
            };
            d.link = Link::Ethernet(eth);
            if eth.is_8023() {
                d.net_offset = ethernet::HEADER_LEN;
                d.stop = Some(Stop {
                    layer: Layer::Link,
                    offset: ethernet::HEADER_LEN,
                    kind: StopKind::Unsupported("802.3 LLC frame"),
                });
                return d;
            }
            ether_payload(&mut d, eth.type_or_len(), ethernet::HEADER_LEN, opts);
        }
        LinkType::LINUX_SLL | LinkType::LINUX_SLL2 => {
            let sll = if linktype == LinkType::LINUX_SLL { Sll::parse_v1(data) } else { Sll::parse_v2(data) };
            let Some(sll) = sll else {
                d.stop = Some(truncated_link(if linktype == LinkType::LINUX_SLL { 16 } else { 20 }));
                return d;
            };
            d.link = Link::Sll(sll);
            if sll.protocol < ethernet::MIN_ETHER_TYPE {
                d.net_offset = sll.header_len();
                d.stop = Some(Stop {
                    layer: Layer::Link,
                    offset: sll.header_len(),
                    kind: StopKind::Unsupported("Linux cooked non-Ethernet protocol"),
                });
                return d;
            }
            ether_payload(&mut d, sll.protocol, sll.header_len(), opts);
        }
        LinkType::NULL | LinkType::LOOP => {
            let family =
                if linktype == LinkType::NULL { null::family_null(data) } else { null::family_loop(data) };
            let Some(family) = family else {
                d.stop = Some(truncated_link(null::HEADER_LEN));
                return d;
            };
            d.link = Link::Null { family };
            match null::family_ip_version(family) {
                Some(4) => ether_payload(&mut d, ethernet::ether_type::IPV4, null::HEADER_LEN, opts),
                Some(_) => ether_payload(&mut d, ethernet::ether_type::IPV6, null::HEADER_LEN, opts),
                None => {
                    d.net_offset = null::HEADER_LEN;
                    d.stop = Some(Stop {
                        layer: Layer::Link,
                        offset: null::HEADER_LEN,
                        kind: StopKind::Unsupported("address family not IPv4 or IPv6"),
                    });
                }
            }
        }
        LinkType::IPNET => {
            let Some(version) = null::ipnet_ip_version(data) else {
                d.stop = Some(truncated_link(null::IPNET_LEN));
                return d;
            };
            d.link = Link::Ipnet;
            match version {
                Some(4) => ether_payload(&mut d, ethernet::ether_type::IPV4, null::IPNET_LEN, opts),
                Some(_) => ether_payload(&mut d, ethernet::ether_type::IPV6, null::IPNET_LEN, opts),
                None => {
                    d.net_offset = null::IPNET_LEN;
                    d.stop = Some(Stop {
                        layer: Layer::Link,
                        offset: null::IPNET_LEN,
                        kind: StopKind::Unsupported("ipnet family not IPv4 or IPv6"),
                    });
                }
            }
        }
        LinkType::IPOIB => {
            let Some(ety) = data.get(40..42).map(|b| u16::from_be_bytes([b[0], b[1]])) else {
                d.stop = Some(truncated_link(44));
                return d;
            };
            if data.len() < 44 {
                d.stop = Some(truncated_link(44));
                return d;
            }
            d.link = Link::Ipoib;
            ether_payload(&mut d, ety, 44, opts);
        }
        LinkType::PKTAP_DLT_USER2 | LinkType::PKTAP => return pktap(linktype, data, orig_len, opts),
        LinkType::PPP | LinkType::PPP_HDLC => {
            let off = if data.starts_with(&[0xff, 0x03]) { 2 } else { 0 };
            let Some(&b0) = data.get(off) else {
                d.stop = Some(truncated_link(off + 2));
                return d;
            };
            let (protocol, plen) = if b0 & 1 == 1 {
                (b0 as u16, 1)
            } else {
                match data.get(off + 1) {
                    Some(&b1) => (u16::from_be_bytes([b0, b1]), 2),
                    None => {
                        d.stop = Some(truncated_link(off + 2));
                        return d;
                    }
                }
            };
            d.link = Link::Ppp { protocol };
            match protocol {
                ppp_proto::IPV4 => ether_payload(&mut d, ethernet::ether_type::IPV4, off + plen, opts),
                ppp_proto::IPV6 => ether_payload(&mut d, ethernet::ether_type::IPV6, off + plen, opts),
                _ => {
                    d.net_offset = off + plen;
                    d.stop = Some(Stop {
                        layer: Layer::Link,
                        offset: off + plen,
                        kind: StopKind::Unsupported("PPP protocol"),
                    });
                }
            }
        }
        LinkType::C_HDLC => {
            let Some(h) = data.first_chunk::<4>() else {
                d.stop = Some(truncated_link(4));
                return d;
            };
            d.link = Link::Chdlc { address: h[0] };
            ether_payload(&mut d, u16::from_be_bytes([h[2], h[3]]), 4, opts);
        }
        LinkType::NFLOG => {
            let Some(h) = data.first_chunk::<4>() else {
                d.stop = Some(truncated_link(4));
                return d;
            };
            d.link = Link::Nflog { family: h[0], version: h[1], resource: u16::from_be_bytes([h[2], h[3]]) };
            // TLVs: length and type in host (little-endian) order, padded to 4 bytes.
            let mut off = 4;
            let mut payload = None;
            while let Some(tlv) = data.get(off..off + 4) {
                let len = u16::from_le_bytes([tlv[0], tlv[1]]) as usize;
                let ty = u16::from_le_bytes([tlv[2], tlv[3]]) & 0x7fff;
                if len < 4 {
                    break;
                }
                if ty == NFULA_PAYLOAD {
                    payload = Some((off + 4, len - 4));
                    break;
                }
                off += len.div_ceil(4) * 4;
            }
            let Some((start, _len)) = payload else {
                d.net_offset = data.len();
                d.stop = Some(Stop {
                    layer: Layer::Link,
                    offset: 4,
                    kind: StopKind::Unsupported("NFLOG without a payload"),
                });
                return d;
            };
            let ety =
                if h[0] == NFPROTO_IPV6 { ethernet::ether_type::IPV6 } else { ethernet::ether_type::IPV4 };
            ether_payload(&mut d, ety, start, opts);
        }
        LinkType::DLT_RAW_12 | LinkType::DLT_RAW_14 | LinkType::RAW | LinkType::IPV4 | LinkType::IPV6 => {
            d.link = Link::Raw;
            let version = match linktype {
                LinkType::IPV4 => 4,
                LinkType::IPV6 => 6,
                _ => data.first().map_or(0, |b| b >> 4),
            };
            match version {
                4 => ether_payload(&mut d, ethernet::ether_type::IPV4, 0, opts),
                6 => ether_payload(&mut d, ethernet::ether_type::IPV6, 0, opts),
                _ if data.is_empty() => d.stop = Some(truncated_link(1)),
                _ => {
                    d.stop = Some(Stop {
                        layer: Layer::Ip,
                        offset: 0,
                        kind: StopKind::Invalid("IP version is neither 4 nor 6"),
                    })
                }
            }
        }
        _ => {
            d.stop = Some(Stop { layer: Layer::Link, offset: 0, kind: StopKind::Unsupported("link type") });
        }
    }
    d
}

/// Apple PKTAP: a little-endian header (its length, then the inner DLT) before a frame.
fn pktap<'a>(linktype: LinkType, data: &'a [u8], orig_len: u32, opts: &DecodeOptions) -> Decoded<'a> {
    let field = |i: usize| data.get(i..i + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    let (Some(hl), Some(dlt)) = (field(0), field(4)) else {
        let mut d = decode(LinkType(0xffff), &[], 0, opts);
        d.linktype = linktype;
        d.data = data;
        d.orig_len = orig_len;
        d.stop = Some(Stop {
            layer: Layer::Link,
            offset: 0,
            kind: StopKind::Truncated { need: 8, have: data.len() },
        });
        return d;
    };
    let hl = hl as usize;
    let inner_lt = match dlt {
        12 | 14 => 101,
        149 | 258 => 0xffff, // no nesting
        n if n <= u16::MAX as u32 => n as u16,
        _ => 0xffff,
    };
    if hl < 8 || hl > data.len() {
        let mut d = decode(LinkType(0xffff), &[], 0, opts);
        d.linktype = linktype;
        d.data = data;
        d.orig_len = orig_len;
        d.stop = Some(Stop {
            layer: Layer::Link,
            offset: 0,
            kind: if hl < 8 {
                StopKind::Invalid("PKTAP header length below 8")
            } else {
                StopKind::Truncated { need: hl, have: data.len() }
            },
        });
        return d;
    }
    let mut d = decode(LinkType(inner_lt), &data[hl..], orig_len.saturating_sub(hl as u32), opts);
    d.data = data;
    d.orig_len = orig_len;
    d.pktap = Some((dlt, hl));
    d.net_offset += hl;
    if d.transport.is_some() {
        d.transport_offset += hl;
    }
    if let Some(s) = d.stop.as_mut() {
        s.offset += hl;
    }
    if let Some(a) = d.app.as_mut() {
        a.offset += hl;
    }
    d
}

/// Decodes VLAN tags, then the network and transport layers through etherparse.
fn ether_payload<'a>(d: &mut Decoded<'a>, mut ether_type: u16, mut offset: usize, opts: &DecodeOptions) {
    let data = d.data;
    while ethernet::is_vlan(ether_type) {
        if d.vlan_count == MAX_VLANS {
            d.ether_type = Some(ether_type);
            d.net_offset = offset;
            d.stop =
                Some(Stop { layer: Layer::Vlan, offset, kind: StopKind::Unsupported("too many VLAN tags") });
            return;
        }
        let Some(tag) = VlanTag::parse(ether_type, &data[offset..]) else {
            d.ether_type = Some(ether_type);
            d.net_offset = offset;
            d.stop = Some(Stop {
                layer: Layer::Vlan,
                offset,
                kind: StopKind::Truncated { need: ethernet::VLAN_TAG_LEN, have: data.len() - offset },
            });
            return;
        };
        d.vlans[d.vlan_count] = tag;
        d.vlan_count += 1;
        offset += ethernet::VLAN_TAG_LEN;
        ether_type = tag.next;
    }
    d.ether_type = Some(ether_type);
    d.net_offset = offset;
    let rest = &data[offset..];
    let p = match ether_type {
        ethernet::ether_type::IPV4 | ethernet::ether_type::IPV6 | ethernet::ether_type::ARP => {
            LaxSlicedPacket::from_ether_type(EtherType(ether_type), rest)
        }
        _ => {
            d.stop = Some(Stop { layer: Layer::Link, offset, kind: StopKind::Unsupported("EtherType") });
            return;
        }
    };
    d.net = p.net;
    d.transport = p.transport;
    if d.transport.is_none() {
        d.transport = first_fragment_transport(d.net.as_ref());
    }
    if let Some(t) = &d.transport {
        d.transport_offset = offset_in(data, transport_bytes(t));
    }
    if let Some((err, layer)) = p.stop_err {
        d.stop = Some(stop_from(d, &err, layer, offset));
    }
    if opts.app {
        d.app = app::classify(d);
    }
}

/// The transport header at the start of a first fragment (offset 0, more to come), which
/// etherparse leaves unread: tcpdump and tshark both decode it from the bytes the fragment
/// holds. A UDP header's length then exceeds the fragment ([`UdpSlice::from_slice_lax`]
/// keeps what was captured); later fragments carry no header.
fn first_fragment_transport<'a>(net: Option<&LaxNetSlice<'a>>) -> Option<TransportSlice<'a>> {
    let payload = match net? {
        LaxNetSlice::Ipv4(ip) if ip.header().fragments_offset().value() == 0 => ip.payload(),
        LaxNetSlice::Ipv6(ip) => {
            let next = ip.header().slice()[6];
            let first = crate::proto::ipv6::ext_headers(next, ip.extensions().slice())
                .any(|e| e.fragment().is_some_and(|(offset, _, _)| offset == 0));
            if !first {
                return None;
            }
            ip.payload()
        }
        _ => return None,
    };
    if !payload.fragmented {
        return None;
    }
    let bytes = payload.payload;
    match payload.ip_number.0 {
        ip_proto::UDP => UdpSlice::from_slice_lax(bytes).ok().map(TransportSlice::Udp),
        ip_proto::TCP => TcpSlice::from_slice(bytes).ok().map(TransportSlice::Tcp),
        ip_proto::ICMP => Icmpv4Slice::from_slice(bytes).ok().map(TransportSlice::Icmpv4),
        ip_proto::ICMPV6 => Icmpv6Slice::from_slice(bytes).ok().map(TransportSlice::Icmpv6),
        _ => None,
    }
}

fn transport_bytes<'a>(t: &TransportSlice<'a>) -> &'a [u8] {
    match t {
        TransportSlice::Tcp(s) => s.slice(),
        TransportSlice::Udp(s) => s.slice(),
        TransportSlice::Icmpv4(s) => s.slice(),
        TransportSlice::Icmpv6(s) => s.slice(),
        TransportSlice::Igmp(s) => s.slice(),
    }
}

fn map_layer(l: EpLayer) -> Layer {
    match l {
        EpLayer::LinuxSllHeader | EpLayer::Ethernet2Header | EpLayer::EtherPayload => Layer::Link,
        EpLayer::VlanHeader | EpLayer::MacsecHeader | EpLayer::MacsecPacket => Layer::Vlan,
        EpLayer::IpHeader => Layer::Ip,
        EpLayer::Ipv4Header | EpLayer::Ipv4Packet => Layer::Ipv4,
        EpLayer::Ipv6Header | EpLayer::Ipv6Packet => Layer::Ipv6,
        EpLayer::IpAuthHeader
        | EpLayer::Ipv6ExtHeader
        | EpLayer::Ipv6HopByHopHeader
        | EpLayer::Ipv6DestOptionsHeader
        | EpLayer::Ipv6RouteHeader
        | EpLayer::Ipv6FragHeader => Layer::IpExt,
        EpLayer::UdpHeader | EpLayer::UdpPayload => Layer::Udp,
        EpLayer::TcpHeader => Layer::Tcp,
        EpLayer::Icmpv4 | EpLayer::Icmpv4Timestamp | EpLayer::Icmpv4TimestampReply => Layer::Icmp,
        EpLayer::Icmpv6 => Layer::Icmpv6,
        EpLayer::Igmp => Layer::Igmp,
        EpLayer::Arp => Layer::Arp,
    }
}

/// Where the IP payload starts, for errors etherparse reports without an offset.
fn ip_payload_offset(d: &Decoded<'_>) -> usize {
    match &d.net {
        Some(LaxNetSlice::Ipv4(ip)) => offset_in(d.data, ip.payload().payload),
        Some(LaxNetSlice::Ipv6(ip)) => offset_in(d.data, ip.payload().payload),
        _ => d.net_offset,
    }
}

fn stop_from(d: &Decoded<'_>, err: &SliceError, layer: EpLayer, base: usize) -> Stop {
    use etherparse::err::{ip, ipv4, ipv6, ipv6_exts, tcp};
    let layer = map_layer(layer);
    let (offset, kind) = match err {
        SliceError::Len(l) => {
            (base + l.layer_start_offset, StopKind::Truncated { need: l.required_len, have: l.len })
        }
        SliceError::Ip(e) => (
            base,
            StopKind::Invalid(match e {
                ip::HeaderError::UnsupportedIpVersion { .. } => "IP version is neither 4 nor 6",
                ip::HeaderError::Ipv4HeaderLengthSmallerThanHeader { .. } => {
                    "IPv4 header length below 20 bytes"
                }
            }),
        ),
        SliceError::Ipv4(e) => (
            base,
            StopKind::Invalid(match e {
                ipv4::HeaderError::UnexpectedVersion { .. } => "IPv4 version field is not 4",
                ipv4::HeaderError::HeaderLengthSmallerThanHeader { .. } => {
                    "IPv4 header length below 20 bytes"
                }
            }),
        ),
        SliceError::Ipv6(e) => (
            base,
            StopKind::Invalid(match e {
                ipv6::HeaderError::UnexpectedVersion { .. } => "IPv6 version field is not 6",
            }),
        ),
        SliceError::Ipv4Exts(_) => {
            (ip_payload_offset(d), StopKind::Invalid("IP authentication header length 0"))
        }
        SliceError::Ipv6Exts(e) => (
            ip_payload_offset(d),
            StopKind::Invalid(match e {
                ipv6_exts::HeaderError::HopByHopNotAtStart => "hop-by-hop header not first",
                ipv6_exts::HeaderError::IpAuth(_) => "IP authentication header length 0",
            }),
        ),
        SliceError::Tcp(e) => (
            ip_payload_offset(d),
            StopKind::Invalid(match e {
                tcp::HeaderError::DataOffsetTooSmall { .. } => "TCP data offset below 5",
            }),
        ),
        SliceError::LinuxSll(_) => (0, StopKind::Invalid("Linux cooked header")),
        SliceError::Macsec(_) => (base, StopKind::Unsupported("MACsec")),
    };
    Stop { layer, offset, kind }
}

#[cfg(test)]
mod tests;
