//! `--fields`: one tab-separated row per packet with Wireshark display-filter names and the
//! value formats of `tshark -T fields` (tshark 4.0): decimal integers, `0x`-prefixed hex for
//! fields Wireshark shows in hex, dotted and RFC 5952 addresses, several occurrences of a
//! field (tunnels, the packet quoted in an ICMP error) joined by `,`.

use std::io::{self, Write};

use etherparse::{LaxNetSlice, LaxSlicedPacket, TransportSlice};
use pktkit::capture::Packet;
use pktkit::decode::{AppProto, DecodeOptions, Decoded, Link};

use super::out::{self, be16, be32, hex, s, u};

/// A field pktkit knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum F {
    FrameNumber,
    FrameTimeEpoch,
    FrameLen,
    FrameCapLen,
    FrameInterfaceId,
    EthSrc,
    EthDst,
    EthType,
    VlanId,
    SllPkttype,
    IpSrc,
    IpDst,
    IpProto,
    IpTtl,
    IpId,
    IpFlagsMf,
    IpFlagsDf,
    IpFragOffset,
    IpLen,
    Ipv6Src,
    Ipv6Dst,
    Ipv6Nxt,
    Ipv6Hlim,
    TcpSrcport,
    TcpDstport,
    TcpFlags,
    TcpSeqRaw,
    TcpAckRaw,
    TcpLen,
    TcpWindowSizeValue,
    UdpSrcport,
    UdpDstport,
    UdpLength,
    IcmpType,
    IcmpCode,
    Icmpv6Type,
    Icmpv6Code,
    ArpOpcode,
    ArpSrcProtoIpv4,
    ArpDstProtoIpv4,
    ArpSrcHwMac,
    ArpDstHwMac,
    /// An application field whose decoder (`pktkit::proto::*`) is not wired in yet.
    App(AppProto),
}

/// The field table: Wireshark name, field.
const FIELDS: &[(&str, F)] = &[
    ("frame.number", F::FrameNumber),
    ("frame.time_epoch", F::FrameTimeEpoch),
    ("frame.len", F::FrameLen),
    ("frame.cap_len", F::FrameCapLen),
    ("frame.interface_id", F::FrameInterfaceId),
    ("eth.src", F::EthSrc),
    ("eth.dst", F::EthDst),
    ("eth.type", F::EthType),
    ("vlan.id", F::VlanId),
    ("sll.pkttype", F::SllPkttype),
    ("ip.src", F::IpSrc),
    ("ip.dst", F::IpDst),
    ("ip.proto", F::IpProto),
    ("ip.ttl", F::IpTtl),
    ("ip.id", F::IpId),
    ("ip.flags.mf", F::IpFlagsMf),
    ("ip.flags.df", F::IpFlagsDf),
    ("ip.frag_offset", F::IpFragOffset),
    ("ip.len", F::IpLen),
    ("ipv6.src", F::Ipv6Src),
    ("ipv6.dst", F::Ipv6Dst),
    ("ipv6.nxt", F::Ipv6Nxt),
    ("ipv6.hlim", F::Ipv6Hlim),
    ("tcp.srcport", F::TcpSrcport),
    ("tcp.dstport", F::TcpDstport),
    ("tcp.flags", F::TcpFlags),
    ("tcp.seq_raw", F::TcpSeqRaw),
    ("tcp.ack_raw", F::TcpAckRaw),
    ("tcp.len", F::TcpLen),
    ("tcp.window_size_value", F::TcpWindowSizeValue),
    ("udp.srcport", F::UdpSrcport),
    ("udp.dstport", F::UdpDstport),
    ("udp.length", F::UdpLength),
    ("icmp.type", F::IcmpType),
    ("icmp.code", F::IcmpCode),
    ("icmpv6.type", F::Icmpv6Type),
    ("icmpv6.code", F::Icmpv6Code),
    ("arp.opcode", F::ArpOpcode),
    ("arp.src.proto_ipv4", F::ArpSrcProtoIpv4),
    ("arp.dst.proto_ipv4", F::ArpDstProtoIpv4),
    ("arp.src.hw_mac", F::ArpSrcHwMac),
    ("arp.dst.hw_mac", F::ArpDstHwMac),
    // Application fields: registered here, filled in once the proto/ decoders are merged.
    ("dns.id", F::App(AppProto::Dns)),
    ("dns.flags.response", F::App(AppProto::Dns)),
    ("dns.qry.name", F::App(AppProto::Dns)),
    ("dns.qry.type", F::App(AppProto::Dns)),
    ("tls.handshake.type", F::App(AppProto::Tls)),
    ("tls.handshake.extensions_server_name", F::App(AppProto::Tls)),
    ("http.host", F::App(AppProto::Http)),
    ("http.request.method", F::App(AppProto::Http)),
    ("http.request.uri", F::App(AppProto::Http)),
];

/// Every field name `--fields` accepts now (application fields once their decoder is in).
pub fn known_names() -> impl Iterator<Item = &'static str> {
    FIELDS.iter().filter(|(_, f)| !matches!(f, F::App(_))).map(|(n, _)| *n)
}

/// Writes `--fields` rows.
pub struct FieldsWriter {
    fields: Vec<(&'static str, F)>,
    line: Vec<u8>,
}

impl FieldsWriter {
    /// Parses a comma-separated list of field names; an unknown name is an error listing the
    /// known ones.
    pub fn new(spec: &str) -> Result<Self, String> {
        let mut fields = Vec::new();
        for name in spec.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            match FIELDS.iter().find(|(n, _)| *n == name) {
                Some((n, F::App(p))) => {
                    return Err(format!(
                        "field '{n}' needs the {} decoder, which this build does not have yet; known fields: {}",
                        p.name(),
                        known_names().collect::<Vec<_>>().join(",")
                    ));
                }
                Some(&(n, f)) => fields.push((n, f)),
                None => {
                    return Err(format!(
                        "unknown field '{name}'; known fields: {}",
                        known_names().collect::<Vec<_>>().join(",")
                    ));
                }
            }
        }
        if fields.is_empty() {
            return Err("--fields needs at least one field name".to_string());
        }
        Ok(FieldsWriter { fields, line: Vec::with_capacity(256) })
    }

    /// Writes the header row (the field names).
    pub fn header<W: Write>(&self, w: &mut W) -> io::Result<()> {
        let names: Vec<&str> = self.fields.iter().map(|(n, _)| *n).collect();
        w.write_all(names.join("\t").as_bytes())?;
        w.write_all(b"\n")
    }

    /// Writes one packet's row.
    pub fn packet<W: Write>(&mut self, w: &mut W, pkt: &Packet<'_>, d: &Decoded<'_>) -> io::Result<()> {
        let mut b = std::mem::take(&mut self.line);
        b.clear();
        let chain = Chain::new(d);
        let layers = Layers::new(&chain);
        for (i, (_, f)) in self.fields.iter().enumerate() {
            if i > 0 {
                b.push(b'\t');
            }
            field(&mut b, *f, pkt, d, &chain, &layers);
        }
        b.push(b'\n');
        let r = w.write_all(&b);
        self.line = b;
        r
    }
}

/// Most tunnel levels followed (outer frame included).
const MAX_LEVELS: usize = 4;

/// The frame and the packets it carries through tunnels, outermost first, each with the
/// packet quoted by its ICMP error if any.
struct Chain<'a> {
    levels: [Option<Decoded<'a>>; MAX_LEVELS],
    quoted: [Option<LaxSlicedPacket<'a>>; MAX_LEVELS],
}

impl<'a> Chain<'a> {
    fn new(d: &Decoded<'a>) -> Self {
        let opts = DecodeOptions { app: false };
        let mut levels: [Option<Decoded<'a>>; MAX_LEVELS] = Default::default();
        let mut quoted: [Option<LaxSlicedPacket<'a>>; MAX_LEVELS] = Default::default();
        levels[0] = Some(d.clone());
        for i in 0..MAX_LEVELS {
            let Some(level) = &levels[i] else { break };
            quoted[i] = level.icmp_quoted();
            let inner = level.decode_encapsulated(&opts);
            if i + 1 < MAX_LEVELS {
                levels[i + 1] = inner;
            }
        }
        Chain { levels, quoted }
    }

    fn decoded(&self) -> impl Iterator<Item = &Decoded<'a>> {
        self.levels.iter().flatten()
    }
}

/// The IP and transport layers in protocol order: each level's own, then its ICMP quote.
struct Layers<'a, 'q> {
    nets: [Option<&'q LaxNetSlice<'a>>; 2 * MAX_LEVELS],
    transports: [Option<Tp<'a>>; 2 * MAX_LEVELS],
}

/// A transport header as raw bytes (possibly cut, as in ICMP quotes) and its length on the wire.
#[derive(Clone, Copy)]
struct Tp<'a> {
    proto: u8,
    bytes: &'a [u8],
    /// Length of the transport segment according to the IP header.
    ip_len: usize,
}

/// An IPv4 header whose total length is below its header length: Wireshark stops there
/// (except for length 0, which it takes for TCP segmentation offload).
fn bogus_ipv4(net: &LaxNetSlice<'_>) -> bool {
    match net {
        LaxNetSlice::Ipv4(ip) => {
            let h = ip.header();
            h.total_len() != 0 && (h.total_len() as usize) < h.ihl() as usize * 4
        }
        _ => false,
    }
}

fn transport_of<'a>(net: Option<&LaxNetSlice<'a>>, t: Option<&TransportSlice<'a>>) -> Option<Tp<'a>> {
    let (proto, payload, ip_len) = match net? {
        LaxNetSlice::Ipv4(ip) => {
            let h = ip.header();
            if h.fragments_offset().value() != 0 || bogus_ipv4(net?) {
                return None;
            }
            let p = ip.payload();
            let total = if h.total_len() == 0 {
                ip.header().slice().len() + ip.payload().payload.len()
            } else {
                h.total_len() as usize
            };
            let len = total
                .saturating_sub(h.ihl() as usize * 4 + ip.extensions().auth.map_or(0, |a| a.slice().len()));
            (p.ip_number.0, p.payload, len)
        }
        LaxNetSlice::Ipv6(ip) => {
            let p = ip.payload();
            if p.fragmented {
                let first = ip.extensions().clone().into_iter().any(|e| {
                    matches!(e, etherparse::Ipv6ExtensionSlice::Fragment(f) if f.fragment_offset().value() == 0)
                });
                if !first {
                    return None;
                }
            }
            let len = (ip.header().payload_length() as usize).saturating_sub(ip.extensions().slice().len());
            (p.ip_number.0, p.payload, len)
        }
        LaxNetSlice::Arp(_) => return None,
    };
    let bytes = match t {
        Some(TransportSlice::Tcp(s)) => s.slice(),
        Some(TransportSlice::Udp(s)) => s.slice(),
        Some(TransportSlice::Icmpv4(s)) => s.slice(),
        Some(TransportSlice::Icmpv6(s)) => s.slice(),
        _ => payload,
    };
    Some(Tp { proto, bytes, ip_len })
}

impl<'a, 'q> Layers<'a, 'q> {
    fn new(c: &'q Chain<'a>) -> Self {
        let mut nets: [Option<&'q LaxNetSlice<'a>>; 2 * MAX_LEVELS] = [None; 2 * MAX_LEVELS];
        let mut transports: [Option<Tp<'a>>; 2 * MAX_LEVELS] = [None; 2 * MAX_LEVELS];
        let mut n = 0;
        for (level, q) in c.levels.iter().zip(&c.quoted) {
            let Some(level) = level else { break };
            nets[n] = level.net.as_ref();
            transports[n] = transport_of(level.net.as_ref(), level.transport.as_ref());
            n += 1;
            if let Some(q) = q {
                nets[n] = q.net.as_ref();
                transports[n] = transport_of(q.net.as_ref(), q.transport.as_ref());
                n += 1;
            }
        }
        Layers { nets, transports }
    }

    fn ip4(&self) -> impl Iterator<Item = &'q etherparse::LaxIpv4Slice<'a>> + '_ {
        self.nets.iter().flatten().filter_map(|n| match n {
            LaxNetSlice::Ipv4(ip) if !bogus_ipv4(n) => Some(ip),
            _ => None,
        })
    }

    fn ip6(&self) -> impl Iterator<Item = &'q etherparse::LaxIpv6Slice<'a>> + '_ {
        self.nets.iter().flatten().filter_map(|n| match n {
            LaxNetSlice::Ipv6(ip) => Some(ip),
            _ => None,
        })
    }

    fn tp(&self, proto: u8) -> impl Iterator<Item = Tp<'a>> + '_ {
        self.transports.iter().flatten().copied().filter(move |t| t.proto == proto)
    }
}

/// Wireshark's ip.dst: with a loose or strict source route option, the route's last address.
fn ip_dst<'x>(h: &etherparse::Ipv4HeaderSlice<'x>) -> [u8; 4] {
    let mut dst = h.destination();
    for o in pktkit::proto::ipv4::options(h.options()).flatten() {
        if (o.kind == 131 || o.kind == 137) && o.data.len() >= 5 {
            let n = (o.data.len() - 1) / 4;
            let last = &o.data[1 + (n - 1) * 4..1 + n * 4];
            dst.copy_from_slice(last);
        }
    }
    dst
}

/// Writes the occurrences of one field, joined by ','.
fn field(b: &mut Vec<u8>, f: F, pkt: &Packet<'_>, d: &Decoded<'_>, c: &Chain<'_>, l: &Layers<'_, '_>) {
    let mut first = true;
    let mut sep = |b: &mut Vec<u8>| {
        if !first {
            b.push(b',');
        }
        first = false;
    };
    match f {
        F::FrameNumber => u(b, pkt.number),
        F::FrameTimeEpoch => {
            u(b, pkt.ts.secs);
            b.push(b'.');
            out::u_pad(b, pkt.ts.nanos, 9, b'0');
        }
        F::FrameLen => u(b, pkt.orig_len),
        F::FrameCapLen => u(b, pkt.data.len()),
        F::FrameInterfaceId => {
            if matches!(pkt.interface.origin, pktkit::capture::Origin::PcapNg) {
                u(b, pkt.interface.id);
            }
        }
        F::EthSrc | F::EthDst | F::EthType => {
            for level in c.decoded() {
                if let Link::Ethernet(e) = level.link {
                    match f {
                        F::EthSrc => {
                            sep(b);
                            out::mac(b, &e.src())
                        }
                        F::EthDst => {
                            sep(b);
                            out::mac(b, &e.dst())
                        }
                        _ => {
                            if !e.is_8023() {
                                sep(b);
                                s(b, "0x");
                                hex(b, e.type_or_len() as u64, 4);
                            }
                        }
                    }
                }
            }
        }
        F::VlanId => {
            // 802.1ad outer tags (0x88a8) are Wireshark's ieee8021ad.id, not vlan.id.
            for t in c.decoded().flat_map(|l| l.vlans()).filter(|t| t.tpid != 0x88a8) {
                sep(b);
                u(b, t.vid);
            }
        }
        F::SllPkttype => {
            if let Link::Sll(sll) = d.link {
                u(b, sll.pkttype);
            }
        }
        F::IpSrc
        | F::IpDst
        | F::IpProto
        | F::IpTtl
        | F::IpId
        | F::IpFlagsMf
        | F::IpFlagsDf
        | F::IpFragOffset
        | F::IpLen => {
            for ip in l.ip4() {
                let h = ip.header();
                sep(b);
                match f {
                    F::IpSrc => out::ip4(b, &h.source()),
                    F::IpDst => out::ip4(b, &ip_dst(&h)),
                    F::IpProto => u(b, h.protocol().0),
                    F::IpTtl => u(b, h.ttl()),
                    F::IpId => {
                        s(b, "0x");
                        hex(b, h.identification() as u64, 4);
                    }
                    F::IpFlagsMf => u(b, h.more_fragments() as u8),
                    F::IpFlagsDf => u(b, h.dont_fragment() as u8),
                    F::IpFragOffset => u(b, h.fragments_offset().value()),
                    _ => u(b, h.total_len()),
                }
            }
        }
        F::Ipv6Src | F::Ipv6Dst | F::Ipv6Nxt | F::Ipv6Hlim => {
            for ip in l.ip6() {
                let h = ip.header();
                sep(b);
                match f {
                    F::Ipv6Src => out::ip6(b, &h.source()),
                    F::Ipv6Dst => out::ip6(b, &h.destination()),
                    F::Ipv6Nxt => u(b, h.next_header().0),
                    _ => u(b, h.hop_limit()),
                }
            }
        }
        F::TcpSrcport
        | F::TcpDstport
        | F::TcpFlags
        | F::TcpSeqRaw
        | F::TcpAckRaw
        | F::TcpLen
        | F::TcpWindowSizeValue => {
            for t in l.tp(6) {
                let p = t.bytes;
                let full = p.len() >= 20;
                let v: Option<u64> = match f {
                    F::TcpSrcport => be16(p, 0).map(u64::from),
                    F::TcpDstport => be16(p, 2).map(u64::from),
                    F::TcpSeqRaw if full => be32(p, 4).map(u64::from),
                    F::TcpAckRaw if full => be32(p, 8).map(u64::from),
                    F::TcpWindowSizeValue if full => be16(p, 14).map(u64::from),
                    // Wireshark gives no length when the header claims more than the segment.
                    F::TcpLen if full => t.ip_len.checked_sub((p[12] >> 4) as usize * 4).map(|v| v as u64),
                    F::TcpFlags if full => {
                        sep(b);
                        s(b, "0x");
                        hex(b, (be16(p, 12).unwrap_or(0) & 0x0fff) as u64, 4);
                        continue;
                    }
                    _ => None,
                };
                if let Some(v) = v {
                    sep(b);
                    u(b, v);
                }
            }
        }
        F::UdpSrcport | F::UdpDstport | F::UdpLength => {
            for t in l.tp(17) {
                let off = match f {
                    F::UdpSrcport => 0,
                    F::UdpDstport => 2,
                    _ => 4,
                };
                if let Some(v) = be16(t.bytes, off) {
                    sep(b);
                    u(b, v);
                }
            }
        }
        F::IcmpType | F::IcmpCode => {
            for t in l.tp(1) {
                if let Some(&v) = t.bytes.get(if f == F::IcmpType { 0 } else { 1 }) {
                    sep(b);
                    u(b, v);
                }
            }
        }
        F::Icmpv6Type | F::Icmpv6Code => {
            for t in l.tp(58) {
                if let Some(&v) = t.bytes.get(if f == F::Icmpv6Type { 0 } else { 1 }) {
                    sep(b);
                    u(b, v);
                }
            }
        }
        F::ArpOpcode | F::ArpSrcProtoIpv4 | F::ArpDstProtoIpv4 | F::ArpSrcHwMac | F::ArpDstHwMac => {
            if let Some(LaxNetSlice::Arp(a)) = &d.net {
                let raw = a.slice();
                match f {
                    F::ArpOpcode => u(b, be16(raw, 6).unwrap_or(0)),
                    F::ArpSrcProtoIpv4 => {
                        if let Some(ip) = pktkit::proto::arp::sender_ipv4(a) {
                            out::ip4(b, &ip)
                        }
                    }
                    F::ArpDstProtoIpv4 => {
                        if let Some(ip) = pktkit::proto::arp::target_ipv4(a) {
                            out::ip4(b, &ip)
                        }
                    }
                    F::ArpSrcHwMac => {
                        if a.sender_hw_addr().len() == 6 {
                            out::mac(b, a.sender_hw_addr())
                        }
                    }
                    _ => {
                        if a.target_hw_addr().len() == 6 {
                            out::mac(b, a.target_hw_addr())
                        }
                    }
                }
            }
        }
        F::App(_) => {}
    }
}
