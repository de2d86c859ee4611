//! `--json`: one JSON object per packet (NDJSON), schema `pktkit.decode/1`
//! (docs/json-schema.md). Keys are fixed names; numbers are numbers; addresses are strings.
//! The record's fixed part is written by hand (`emit`), the rest by serde straight into the
//! output buffer; addresses and hex are formatted on the stack, so a record costs no heap
//! allocation.

use std::fmt;
use std::io::{self, Write};

use crate::capture::{Packet, Precision};
use crate::decode::{DecodeOptions, Decoded, Link, StopKind, offset_in};
use crate::proto::{arp, icmp, icmpv6, ipv6 as ipv6p, tcp as tcpp};
use crate::render::out::Ipv6Text;
use etherparse::{LaxNetSlice, LaxSlicedPacket, TransportSlice};
use serde::{Serialize, Serializer};

mod app;
mod emit;

/// The schema name and version carried by every record.
pub const SCHEMA: &str = "pktkit.decode/1";

/// Writes NDJSON records.
pub struct JsonWriter {
    raw: bool,
    buf: Vec<u8>,
    reference: bool,
}

impl JsonWriter {
    /// A writer; `raw` adds the frame bytes and what is needed to write the packet back.
    pub fn new(raw: bool) -> Self {
        JsonWriter { raw, buf: Vec::with_capacity(4096), reference: false }
    }

    /// The same records written by serde's derive alone: the reference the hand-written
    /// path is checked against (tests, fuzz target). Slower.
    #[doc(hidden)]
    pub fn reference(raw: bool) -> Self {
        JsonWriter { reference: true, ..Self::new(raw) }
    }

    /// Writes one record and its newline.
    pub fn packet<W: Write>(
        &mut self,
        w: &mut W,
        pkt: &Packet<'_>,
        d: &Decoded<'_>,
        reassembled: Option<u32>,
    ) -> io::Result<()> {
        // Everything the record borrows lives here, on the stack: the tunnelled packets,
        // their ICMP quotes, VLAN tags and extension header lists.
        const L: usize = MAX_INNER + 1;
        let opts = DecodeOptions { app: true };
        let mut levels: [Option<Decoded<'_>>; L] = Default::default();
        let mut encaps = [""; L];
        let mut cur = d.encapsulated().map(|(e, _, _)| e).zip(d.decode_encapsulated(&opts));
        for i in 1..L {
            let Some((e, inner)) = cur.take() else { break };
            cur = inner.encapsulated().map(|(e, _, _)| e).zip(inner.decode_encapsulated(&opts));
            encaps[i] = e.name();
            levels[i] = Some(inner);
        }
        let mut quoted: [Option<LaxSlicedPacket<'_>>; L] = Default::default();
        let mut vlans = [[VlanJ::default(); crate::decode::MAX_VLANS]; L];
        for i in 0..L {
            let level = if i == 0 { Some(d) } else { levels[i].as_ref() };
            let Some(level) = level else { break };
            quoted[i] = level.icmp_quoted();
            for (v, t) in vlans[i].iter_mut().zip(level.vlans()) {
                *v = VlanJ { id: t.vid, pcp: t.pcp, dei: t.dei, tpid: t.tpid, ty: t.next };
            }
        }
        let mut ext = [[0u8; 8]; L];
        let mut qext = [[0u8; 8]; L];
        let mut rec = record(pkt, d, self.raw, reassembled);
        let [e0, ext_rest @ ..] = &mut ext;
        let [q0, qext_rest @ ..] = &mut qext;
        rec.layers = layers(d, &vlans[0][..d.vlan_count], e0, q0, &quoted[0]);
        for (i, (e, q)) in (1..L).zip(ext_rest.iter_mut().zip(qext_rest.iter_mut())) {
            let Some(level) = levels[i].as_ref() else { break };
            rec.inner.0[i - 1] = Some(InnerJ {
                encap: encaps[i],
                offset: offset_in(d.data, level.data),
                layers: layers(level, &vlans[i][..level.vlan_count], e, q, &quoted[i]),
                stop: stop_j(level),
            });
        }
        self.buf.clear();
        if self.reference {
            serde_json::to_writer(&mut self.buf, &rec).map_err(io::Error::other)?;
        } else {
            emit::record(&mut self.buf, &rec).map_err(io::Error::other)?;
        }
        self.buf.push(b'\n');
        w.write_all(&self.buf)
    }
}

/// Text built on the stack, then handed to serde as one string (no `fmt` machinery, no heap).
struct Stack<const N: usize> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> Stack<N> {
    fn new() -> Self {
        Stack { buf: [0; N], len: 0 }
    }

    fn push(&mut self, b: u8) {
        if self.len < N {
            self.buf[self.len] = b;
            self.len += 1;
        }
    }

    fn push_str(&mut self, s: &[u8]) {
        for &b in s {
            self.push(b);
        }
    }

    fn dec(&mut self, v: u64, width: usize) {
        let mut f = itoa::Buffer::new();
        let s = f.format(v).as_bytes();
        for _ in s.len()..width {
            self.push(b'0');
        }
        self.push_str(s);
    }

    fn hex_byte(&mut self, b: u8) {
        const H: &[u8; 16] = b"0123456789abcdef";
        self.push(H[(b >> 4) as usize]);
        self.push(H[(b & 15) as usize]);
    }

    /// The text (only ASCII is ever pushed).
    fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(std::str::from_utf8(self.bytes()).unwrap_or(""))
    }
}

struct V4<'a>(&'a [u8]);
impl V4<'_> {
    fn text(&self) -> Stack<16> {
        let mut b = Stack::<16>::new();
        for (i, x) in self.0.iter().take(4).enumerate() {
            if i > 0 {
                b.push(b'.');
            }
            b.dec(*x as u64, 0);
        }
        b
    }
}
impl Serialize for V4<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.text().serialize(s)
    }
}

struct V6<'a>(&'a [u8]);
impl Serialize for V6<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&Ipv6Text::from_slice(self.0))
    }
}

/// A link-layer address (MAC or any length), colon-separated hex.
struct Mac<'a>(&'a [u8]);
impl Mac<'_> {
    fn text(&self) -> Stack<64> {
        let mut b = Stack::<64>::new();
        for (i, x) in self.0.iter().take(21).enumerate() {
            if i > 0 {
                b.push(b':');
            }
            b.hex_byte(*x);
        }
        b
    }
}
impl Serialize for Mac<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.text().serialize(s)
    }
}

struct Hex<'a>(&'a [u8]);
impl fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const H: &[u8; 16] = b"0123456789abcdef";
        let mut buf = [0u8; 512];
        for chunk in self.0.chunks(256) {
            for (i, b) in chunk.iter().enumerate() {
                buf[2 * i] = H[(b >> 4) as usize];
                buf[2 * i + 1] = H[(b & 15) as usize];
            }
            f.write_str(std::str::from_utf8(&buf[..2 * chunk.len()]).map_err(|_| fmt::Error)?)?;
        }
        Ok(())
    }
}
impl Serialize for Hex<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// RFC 3339 UTC time with nanoseconds.
struct Rfc3339(i64, u32);
impl Serialize for Rfc3339 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.text().serialize(s)
    }
}
impl Rfc3339 {
    fn text(&self) -> Stack<40> {
        let c = super::time::civil_utc(self.0);
        let mut b = Stack::<40>::new();
        if c.year < 0 {
            b.push(b'-');
        }
        b.dec(c.year.unsigned_abs(), 4);
        b.push(b'-');
        b.dec(c.month as u64, 2);
        b.push(b'-');
        b.dec(c.day as u64, 2);
        b.push(b'T');
        b.dec(c.hour as u64, 2);
        b.push(b':');
        b.dec(c.minute as u64, 2);
        b.push(b':');
        b.dec(c.second as u64, 2);
        b.push(b'.');
        b.dec(self.1 as u64, 9);
        b.push(b'Z');
        b
    }
}

#[derive(Serialize)]
struct Record<'a> {
    schema: &'static str,
    number: u64,
    ts_sec: i64,
    ts_nsec: u32,
    time: Rfc3339,
    caplen: usize,
    len: u32,
    interface: u32,
    linktype: u16,
    #[serde(flatten)]
    layers: LayersJ<'a>,
    #[serde(skip_serializing_if = "Inner::is_empty")]
    inner: Inner<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    app: Option<AppJ>,
    payload_len: usize,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    snapped: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    reassembled: Option<Reassembled>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stop: Option<StopJ>,
    #[serde(skip_serializing_if = "Option::is_none")]
    raw: Option<RawJ<'a>>,
}

/// The layers of one packet (the frame's own, or a tunnelled packet's).
#[derive(Serialize, Default)]
struct LayersJ<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    eth: Option<Eth<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sll: Option<SllJ<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    null: Option<NullJ>,
    #[serde(skip_serializing_if = "<[VlanJ]>::is_empty")]
    vlan: &'a [VlanJ],
    #[serde(skip_serializing_if = "Option::is_none")]
    arp: Option<ArpJ<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ipv4: Option<Ipv4J<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ipv6: Option<Ipv6J<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tcp: Option<TcpJ>,
    #[serde(skip_serializing_if = "Option::is_none")]
    udp: Option<UdpJ>,
    #[serde(skip_serializing_if = "Option::is_none")]
    icmp: Option<IcmpJ<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    icmpv6: Option<IcmpJ<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dns: Option<app::DnsJ<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    http: Option<app::HttpJ<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tls: Option<app::TlsJ<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dhcp: Option<app::DhcpJ<'a>>,
}

/// One tunnelled packet.
#[derive(Serialize)]
struct InnerJ<'a> {
    encap: &'static str,
    offset: usize,
    #[serde(flatten)]
    layers: LayersJ<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stop: Option<StopJ>,
}

/// The tunnelled packets, outermost first (at most [`MAX_INNER`]).
#[derive(Default)]
struct Inner<'a>([Option<InnerJ<'a>>; MAX_INNER]);

impl Inner<'_> {
    fn is_empty(&self) -> bool {
        self.0[0].is_none()
    }
}

impl Serialize for Inner<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().flatten())
    }
}

/// Most tunnel levels described.
const MAX_INNER: usize = 3;

#[derive(Serialize)]
struct Eth<'a> {
    src: Mac<'a>,
    dst: Mac<'a>,
    #[serde(rename = "type")]
    ty: u16,
}

#[derive(Serialize)]
struct SllJ<'a> {
    version: u8,
    pkttype: u16,
    hatype: u16,
    addr: Mac<'a>,
    protocol: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    ifindex: Option<u32>,
}

#[derive(Serialize)]
struct NullJ {
    family: u32,
}

#[derive(Serialize, Clone, Copy, Default)]
struct VlanJ {
    id: u16,
    pcp: u8,
    dei: bool,
    tpid: u16,
    #[serde(rename = "type")]
    ty: u16,
}

#[derive(Serialize)]
struct ArpJ<'a> {
    hw_type: u16,
    proto_type: u16,
    op: u16,
    sender_mac: Mac<'a>,
    target_mac: Mac<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sender_ip: Option<V4<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    target_ip: Option<V4<'a>>,
}

#[derive(Serialize)]
struct Ipv4J<'a> {
    src: V4<'a>,
    dst: V4<'a>,
    hlen: u8,
    tos: u8,
    len: u16,
    id: u16,
    df: bool,
    mf: bool,
    frag_offset: u32,
    ttl: u8,
    proto: u8,
    checksum: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    options: Option<Hex<'a>>,
}

#[derive(Serialize)]
struct FragJ {
    offset: u32,
    more: bool,
    id: u32,
}

#[derive(Serialize)]
struct Ipv6J<'a> {
    src: V6<'a>,
    dst: V6<'a>,
    traffic_class: u8,
    flow_label: u32,
    payload_len: u16,
    next_header: u8,
    hop_limit: u8,
    #[serde(skip_serializing_if = "<[u8]>::is_empty")]
    ext_headers: &'a [u8],
    #[serde(skip_serializing_if = "Option::is_none")]
    fragment: Option<FragJ>,
    proto: u8,
}

#[derive(Serialize, Default)]
struct TcpOptsJ {
    #[serde(skip_serializing_if = "Option::is_none")]
    mss: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    wscale: Option<u8>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    sack_ok: bool,
    #[serde(skip_serializing_if = "is_zero")]
    sack_blocks: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    ts_val: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ts_ecr: Option<u32>,
}

fn is_zero(v: &u8) -> bool {
    *v == 0
}

#[derive(Serialize)]
struct TcpJ {
    src_port: u16,
    dst_port: u16,
    seq: u32,
    ack: u32,
    hlen: u8,
    flags: u16,
    flags_str: FlagsStr,
    window: u16,
    checksum: u16,
    urgent: u16,
    len: usize,
    options: TcpOptsJ,
}

struct FlagsStr(u16);
impl Serialize for FlagsStr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.text().serialize(s)
    }
}
impl FlagsStr {
    fn text(&self) -> Stack<9> {
        const N: [(u16, u8); 9] = [
            (0x100, b'N'),
            (0x80, b'C'),
            (0x40, b'E'),
            (0x20, b'U'),
            (0x10, b'A'),
            (0x08, b'P'),
            (0x04, b'R'),
            (0x02, b'S'),
            (0x01, b'F'),
        ];
        let mut b = Stack::<9>::new();
        for (bit, c) in N {
            if self.0 & bit != 0 {
                b.push(c);
            }
        }
        b
    }
}

#[derive(Serialize)]
struct UdpJ {
    src_port: u16,
    dst_port: u16,
    len: u16,
    checksum: u16,
}

#[derive(Serialize)]
struct IcmpJ<'a> {
    #[serde(rename = "type")]
    ty: u8,
    code: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    type_name: Option<&'static str>,
    checksum: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seq: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mtu: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<V6Owned>,
    #[serde(skip_serializing_if = "Option::is_none")]
    quoted: Option<Quoted<'a>>,
}

struct V6Owned([u8; 16]);
impl Serialize for V6Owned {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&Ipv6Text(self.0))
    }
}

/// The packet quoted inside an ICMP error.
#[derive(Serialize)]
struct Quoted<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    ipv4: Option<Ipv4J<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ipv6: Option<Ipv6J<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tcp: Option<QuotedPorts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    udp: Option<QuotedPorts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    icmp: Option<QuotedIcmp>,
}

#[derive(Serialize)]
struct QuotedPorts {
    src_port: u16,
    dst_port: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    seq: Option<u32>,
}

#[derive(Serialize)]
struct QuotedIcmp {
    #[serde(rename = "type")]
    ty: u8,
    code: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seq: Option<u16>,
}

#[derive(Serialize)]
struct AppJ {
    proto: &'static str,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    mdns: bool,
    offset: usize,
    len: usize,
}

#[derive(Serialize)]
struct Reassembled {
    fragments: u32,
    len: usize,
}

#[derive(Serialize)]
struct StopJ {
    layer: &'static str,
    offset: usize,
    reason: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    need: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    have: Option<usize>,
}

#[derive(Serialize)]
struct RawJ<'a> {
    linktype: u16,
    snaplen: u32,
    precision: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    ts_sec: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ts_frac: Option<u32>,
    orig_len: u32,
    hex: Hex<'a>,
}

fn ipv4_j<'a>(ip: &'a etherparse::LaxIpv4Slice<'a>) -> Ipv4J<'a> {
    let h = ip.header();
    let raw = h.slice();
    Ipv4J {
        src: V4(&raw[12..16]),
        dst: V4(&raw[16..20]),
        hlen: h.ihl() * 4,
        tos: raw[1],
        len: h.total_len(),
        id: h.identification(),
        df: h.dont_fragment(),
        mf: h.more_fragments(),
        frag_offset: h.fragments_offset().value() as u32 * 8,
        ttl: h.ttl(),
        proto: h.protocol().0,
        checksum: h.header_checksum(),
        options: (raw.len() > 20).then(|| Hex(&raw[20..])),
    }
}

fn ipv6_j<'a>(ip: &'a etherparse::LaxIpv6Slice<'a>, ext_kinds: &'a mut [u8; 8]) -> Ipv6J<'a> {
    let h = ip.header();
    let raw = h.slice();
    let exts = ip.extensions().slice();
    let mut n = 0;
    let mut fragment = None;
    for e in ipv6p::ext_headers(raw[6], exts) {
        if n < ext_kinds.len() {
            ext_kinds[n] = e.kind;
            n += 1;
        }
        if let Some((offset, more, id)) = e.fragment() {
            fragment = Some(FragJ { offset, more, id });
        }
    }
    Ipv6J {
        src: V6(&raw[8..24]),
        dst: V6(&raw[24..40]),
        traffic_class: h.traffic_class(),
        flow_label: h.flow_label().value(),
        payload_len: h.payload_length(),
        next_header: raw[6],
        hop_limit: h.hop_limit(),
        ext_headers: &ext_kinds[..n],
        fragment,
        proto: ip.payload().ip_number.0,
    }
}

fn quoted_j<'a>(q: &'a LaxSlicedPacket<'a>, ext: &'a mut [u8; 8]) -> Quoted<'a> {
    let (mut ipv4, mut ipv6, mut payload, mut proto) = (None, None, &[][..], 0u8);
    match &q.net {
        Some(LaxNetSlice::Ipv4(ip)) => {
            ipv4 = Some(ipv4_j(ip));
            payload = ip.payload().payload;
            proto = ip.payload().ip_number.0;
        }
        Some(LaxNetSlice::Ipv6(ip)) => {
            ipv6 = Some(ipv6_j(ip, ext));
            payload = ip.payload().payload;
            proto = ip.payload().ip_number.0;
        }
        _ => {}
    }
    let be16 = |i: usize| payload.get(i..i + 2).map(|c| u16::from_be_bytes([c[0], c[1]]));
    let ports = || match (be16(0), be16(2)) {
        (Some(src_port), Some(dst_port)) => Some(QuotedPorts {
            src_port,
            dst_port,
            seq: (proto == 6)
                .then(|| payload.get(4..8).map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]])))
                .flatten(),
        }),
        _ => None,
    };
    let icmp = match (proto, payload.first(), payload.get(1)) {
        (1 | 58, Some(&ty), Some(&code)) => Some(QuotedIcmp { ty, code, id: be16(4), seq: be16(6) }),
        _ => None,
    };
    Quoted {
        ipv4,
        ipv6,
        tcp: if proto == 6 { ports() } else { None },
        udp: if proto == 17 { ports() } else { None },
        icmp,
    }
}

fn record<'a>(pkt: &Packet<'a>, d: &Decoded<'a>, raw: bool, reassembled: Option<u32>) -> Record<'a> {
    Record {
        schema: SCHEMA,
        number: pkt.number,
        ts_sec: pkt.ts.secs,
        ts_nsec: pkt.ts.nanos,
        time: Rfc3339(pkt.ts.secs, pkt.ts.nanos),
        caplen: pkt.data.len(),
        len: pkt.orig_len,
        interface: pkt.interface.id,
        linktype: d.linktype.0,
        layers: LayersJ::default(),
        inner: Inner::default(),
        app: d.app.map(|a| AppJ { proto: a.proto.name(), mdns: a.mdns, offset: a.offset, len: a.data.len() }),
        payload_len: d.payload().len(),
        snapped: d.is_snapped(),
        reassembled: reassembled.map(|fragments| Reassembled { fragments, len: d.data.len() }),
        stop: stop_j(d),
        raw: raw.then(|| RawJ {
            linktype: pkt.linktype().0,
            snaplen: pkt.interface.snaplen,
            precision: match pkt.interface.precision {
                Precision::Micro => "micro",
                Precision::Nano => "nano",
            },
            ts_sec: pkt.raw_ts.map(|t| t.0),
            ts_frac: pkt.raw_ts.map(|t| t.1),
            orig_len: pkt.orig_len,
            hex: Hex(pkt.data),
        }),
    }
}

fn stop_j(d: &Decoded<'_>) -> Option<StopJ> {
    d.stop.map(|s| {
        let (need, have) = match s.kind {
            StopKind::Truncated { need, have } => (Some(need), Some(have)),
            _ => (None, None),
        };
        StopJ { layer: s.layer.name(), offset: s.offset, reason: s.reason(), need, have }
    })
}

/// Fills the network and transport parts; separated so their borrows can live on the
/// caller's stack.
fn layers<'a>(
    d: &'a Decoded<'a>,
    vlans: &'a [VlanJ],
    ext: &'a mut [u8; 8],
    qext: &'a mut [u8; 8],
    quoted: &'a Option<LaxSlicedPacket<'a>>,
) -> LayersJ<'a> {
    let apps = app::objects(d.app.as_ref());
    let mut rec = LayersJ {
        vlan: vlans,
        dns: apps.dns,
        http: apps.http,
        tls: apps.tls,
        dhcp: apps.dhcp,
        ..Default::default()
    };
    match d.link {
        Link::Ethernet(e) => {
            let data = d.data;
            rec.eth = Some(Eth { src: Mac(&data[6..12]), dst: Mac(&data[0..6]), ty: e.type_or_len() })
        }
        Link::Sll(s) => {
            rec.sll = Some(SllJ {
                version: s.version,
                pkttype: s.pkttype,
                hatype: s.hatype,
                addr: Mac(s.addr),
                protocol: s.protocol,
                ifindex: s.ifindex,
            })
        }
        Link::Null { family } => rec.null = Some(NullJ { family }),
        _ => {}
    }
    match &d.net {
        Some(LaxNetSlice::Arp(a)) => {
            let s = a.slice();
            rec.arp = Some(ArpJ {
                hw_type: u16::from_be_bytes([s[0], s[1]]),
                proto_type: u16::from_be_bytes([s[2], s[3]]),
                op: arp::operation(a),
                sender_mac: Mac(a.sender_hw_addr()),
                target_mac: Mac(a.target_hw_addr()),
                sender_ip: (a.sender_protocol_addr().len() == 4).then(|| V4(a.sender_protocol_addr())),
                target_ip: (a.target_protocol_addr().len() == 4).then(|| V4(a.target_protocol_addr())),
            });
        }
        Some(LaxNetSlice::Ipv4(ip)) => rec.ipv4 = Some(ipv4_j(ip)),
        Some(LaxNetSlice::Ipv6(ip)) => rec.ipv6 = Some(ipv6_j(ip, ext)),
        None => {}
    }
    let ip_payload_len = match &d.net {
        Some(LaxNetSlice::Ipv4(ip)) => {
            let h = ip.header();
            (h.total_len() as usize).saturating_sub(h.ihl() as usize * 4)
        }
        Some(LaxNetSlice::Ipv6(ip)) => {
            let exts = ip.extensions().slice().len();
            (ip.header().payload_length() as usize).saturating_sub(exts)
        }
        _ => 0,
    };
    match &d.transport {
        Some(TransportSlice::Tcp(t)) => {
            let hs = t.header_slice();
            let o = tcpp::common_options(t.options());
            rec.tcp = Some(TcpJ {
                src_port: t.source_port(),
                dst_port: t.destination_port(),
                seq: t.sequence_number(),
                ack: t.acknowledgment_number(),
                hlen: t.data_offset() * 4,
                flags: tcpp::flags12(hs),
                flags_str: FlagsStr(tcpp::flags12(hs)),
                window: t.window_size(),
                checksum: t.checksum(),
                urgent: t.urgent_pointer(),
                len: ip_payload_len.saturating_sub(hs.len()),
                options: TcpOptsJ {
                    mss: o.mss,
                    wscale: o.wscale,
                    sack_ok: o.sack_ok,
                    sack_blocks: o.sack_blocks,
                    ts_val: o.timestamp.map(|t| t.0),
                    ts_ecr: o.timestamp.map(|t| t.1),
                },
            });
        }
        Some(TransportSlice::Udp(u)) => {
            rec.udp = Some(UdpJ {
                src_port: u.source_port(),
                dst_port: u.destination_port(),
                len: u.length(),
                checksum: u.checksum(),
            });
        }
        Some(TransportSlice::Icmpv4(i)) => {
            let b = i.bytes5to8();
            let t = i.type_u8();
            let echo = matches!(t, 0 | 8 | 13 | 14 | 15 | 16 | 17 | 18);
            rec.icmp = Some(IcmpJ {
                ty: t,
                code: i.code_u8(),
                type_name: icmp::type_name(t),
                checksum: i.checksum(),
                id: echo.then(|| u16::from_be_bytes([b[0], b[1]])),
                seq: echo.then(|| u16::from_be_bytes([b[2], b[3]])),
                mtu: (t == 3 && i.code_u8() == 4).then(|| u16::from_be_bytes([b[2], b[3]]) as u32),
                target: None,
                quoted: quoted.as_ref().map(|q| quoted_j(q, qext)),
            });
        }
        Some(TransportSlice::Icmpv6(i)) => {
            let b = i.bytes5to8();
            let t = i.type_u8();
            let echo = matches!(t, 128 | 129);
            rec.icmpv6 = Some(IcmpJ {
                ty: t,
                code: i.code_u8(),
                type_name: icmpv6::type_name(t),
                checksum: i.checksum(),
                id: echo.then(|| u16::from_be_bytes([b[0], b[1]])),
                seq: echo.then(|| u16::from_be_bytes([b[2], b[3]])),
                mtu: (t == 2).then(|| u32::from_be_bytes(b)),
                target: icmpv6::nd_target(i).map(V6Owned),
                quoted: quoted.as_ref().map(|q| quoted_j(q, qext)),
            });
        }
        _ => {}
    }
    rec
}
