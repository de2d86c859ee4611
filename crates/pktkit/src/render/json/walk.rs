//! A decoded frame to the wire types of its record: [`record`] for the record's own keys,
//! [`layers`] for the layers of the frame and of each packet tunnelled in it, [`app_j`] for
//! the application data.

use super::SCHEMA;
use super::app;
use super::wire::*;
use crate::capture::{Packet, Precision};
use crate::decode::protocols::Proto;
use crate::decode::{App, DecodeOptions, Decoded, Link, MAX_VLANS, StopKind, offset_in};
use crate::proto::{arp, icmp, icmpv6, ipv6 as ipv6p, tcp as tcpp};
use crate::render::time::TimeKeys;
use etherparse::{LaxNetSlice, LaxSlicedPacket, TransportSlice};

/// Bytes of a UDP header (RFC 768).
const UDP_HEADER_LEN: usize = 8;

/// The flow's `transport`: tshark's name of the protocol an IP packet carries, for the
/// protocols that sit where TCP and UDP do.
fn transport_name(p: u8) -> Option<&'static str> {
    Proto::transport(p).map(Proto::name)
}

pub(super) fn ipv4_j<'a>(ip: &'a etherparse::LaxIpv4Slice<'a>) -> Ipv4J<'a> {
    let h = ip.header();
    let raw = h.slice();
    Ipv4J {
        src: V4(&raw[12..16]),
        dst: V4(&raw[16..20]),
        hlen: h.ihl() * 4,
        tos: raw[1],
        total_length: h.total_len(),
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

pub(super) fn ipv6_j<'a>(ip: &'a etherparse::LaxIpv6Slice<'a>, ext_kinds: &'a mut [u8; 8]) -> Ipv6J<'a> {
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
        payload_length: h.payload_length(),
        next_header: raw[6],
        hop_limit: h.hop_limit(),
        ext_headers: &ext_kinds[..n],
        fragment,
        proto: ip.payload().ip_number.0,
    }
}

pub(super) fn quoted_j<'a>(q: &'a LaxSlicedPacket<'a>, ext: &'a mut [u8; 8]) -> Quoted<'a> {
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

pub(super) fn record<'a>(
    pkt: &Packet<'a>,
    d: &Decoded<'a>,
    raw: bool,
    reassembled: Option<u32>,
) -> Record<'a> {
    Record {
        schema: SCHEMA,
        number: pkt.number,
        time: TimeKeys::new("time", pkt.ts),
        caplen: pkt.data.len(),
        wire_len: pkt.orig_len,
        interface: pkt.interface.id,
        linktype: d.linktype.0,
        layers: LayersJ::default(),
        inner: Inner::default(),
        app: None,
        apps: AppObjects::default(),
        extra: None,
        payload_caplen: d.payload().len(),
        snapped: d.is_snapped(),
        reassembled: reassembled.map(|fragments| Reassembled { fragments, caplen: d.data.len() }),
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
            hex: Hex(pkt.data),
        }),
    }
}

/// The `app` object and the application object of `app`, found in the frame `frame` (or in
/// a packet tunnelled in it).
pub(super) fn app_j<'a>(frame: &[u8], app: &App<'a>) -> (AppJ, AppObjects<'a>) {
    let j = AppJ {
        proto: app.proto.name(),
        mdns: app.mdns,
        offset: offset_in(frame, app.data),
        caplen: app.data.len(),
    };
    (j, app::objects(Some(app)))
}

pub(super) fn stop_j(d: &Decoded<'_>) -> Option<StopJ> {
    d.stop.map(|s| {
        let (need, have) = match s.kind {
            StopKind::Truncated { need, have } => (Some(need), Some(have)),
            _ => (None, None),
        };
        StopJ { layer: s.layer.name(), offset: s.offset, reason: s.reason(), need, have }
    })
}

/// How tunnelled packets are decoded: with their application data, like the frame's own.
const TUNNEL_DECODE: DecodeOptions = DecodeOptions { app: true };

/// Calls `f` with each packet tunnelled in `d`, outermost first ([`Decoded::tunnel_chain`]),
/// decoding one level at a time: what a level's object borrows lives on this stack frame for
/// that call only.
pub(super) fn each_inner<E>(
    d: &Decoded<'_>,
    mut f: impl FnMut(&InnerJ<'_>) -> Result<(), E>,
) -> Result<(), E> {
    for (encap, level) in d.tunnel_chain(TUNNEL_DECODE) {
        let quoted = level.icmp_quoted();
        let vlans = vlans_j(&level);
        let (mut ext, mut qext) = ([0u8; 8], [0u8; 8]);
        f(&InnerJ {
            encap: encap.name(),
            offset: offset_in(d.data, level.data),
            layers: layers(&level, &vlans[..level.vlan_count], &mut ext, &mut qext, &quoted),
            stop: stop_j(&level),
        })?;
    }
    Ok(())
}

/// The application data of the innermost packet that has some (the frame's own when no
/// tunnelled packet has any): one place for it, tunnelled or not.
pub(super) fn innermost_app<'a>(d: &Decoded<'a>) -> Option<App<'a>> {
    if d.encapsulated().is_none() {
        return d.app;
    }
    d.tunnel_chain(TUNNEL_DECODE).filter_map(|(_, level)| level.app).last().or(d.app)
}

/// The objects of [`crate::decode::extra`]'s protocols: the frame's own, else those of the
/// innermost tunnelled packet that has some; None when no packet has any.
pub(super) fn extra_j<'a>(d: &Decoded<'a>) -> Option<ExtraObjects<'a>> {
    let own = crate::decode::extra::extra(d);
    if !own.is_empty() {
        return Some(super::extra::objects(&own));
    }
    d.encapsulated()?;
    let inner = d
        .tunnel_chain(TUNNEL_DECODE)
        .map(|(_, level)| crate::decode::extra::extra(&level))
        .filter(|x| !x.is_empty())
        .last()?;
    Some(super::extra::objects(&inner))
}

/// The VLAN tags of `d` as their JSON objects (`[..d.vlan_count]` are used).
pub(super) fn vlans_j(d: &Decoded<'_>) -> [VlanJ; MAX_VLANS] {
    let mut vlans = [VlanJ::default(); MAX_VLANS];
    for (v, t) in vlans.iter_mut().zip(d.vlans()) {
        *v = VlanJ { id: t.vid, pcp: t.pcp, dei: t.dei, tpid: t.tpid, ty: t.next };
    }
    vlans
}

/// Fills the network and transport parts; separated so their borrows can live on the
/// caller's stack.
pub(super) fn layers<'a>(
    d: &'a Decoded<'a>,
    vlans: &'a [VlanJ],
    ext: &'a mut [u8; 8],
    qext: &'a mut [u8; 8],
    quoted: &'a Option<LaxSlicedPacket<'a>>,
) -> LayersJ<'a> {
    let mut rec = LayersJ { vlan: vlans, ..Default::default() };
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
        Some(LaxNetSlice::Ipv4(ip)) => {
            let raw = ip.header().slice();
            rec.flow.src = Some(IpJ::V4(V4(&raw[12..16])));
            rec.flow.dst = Some(IpJ::V4(V4(&raw[16..20])));
            rec.flow.transport = transport_name(ip.payload().ip_number.0);
            rec.ipv4 = Some(ipv4_j(ip));
        }
        Some(LaxNetSlice::Ipv6(ip)) => {
            let raw = ip.header().slice();
            rec.flow.src = Some(IpJ::V6(V6(&raw[8..24])));
            rec.flow.dst = Some(IpJ::V6(V6(&raw[24..40])));
            rec.flow.transport = transport_name(ip.payload().ip_number.0);
            rec.ipv6 = Some(ipv6_j(ip, ext));
        }
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
            let options = TcpOptsJ {
                mss: o.mss,
                wscale: o.wscale,
                sack_ok: o.sack_ok,
                sack_blocks: o.sack_blocks,
                ts_val: o.timestamp.map(|t| t.0),
                ts_ecr: o.timestamp.map(|t| t.1),
            };
            rec.flow.src_port = Some(t.source_port());
            rec.flow.dst_port = Some(t.destination_port());
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
                payload_len: ip_payload_len.saturating_sub(hs.len()),
                options: (!options.is_empty()).then_some(options),
            });
        }
        Some(TransportSlice::Udp(u)) => {
            rec.flow.src_port = Some(u.source_port());
            rec.flow.dst_port = Some(u.destination_port());
            rec.udp = Some(UdpJ {
                src_port: u.source_port(),
                dst_port: u.destination_port(),
                length: u.length(),
                payload_len: (u.length() as usize).saturating_sub(UDP_HEADER_LEN),
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
