//! `--fields`: one tab-separated row per packet with Wireshark display-filter names and the
//! value formats of `tshark -T fields` (tshark 4.0): decimal integers, `0x`-prefixed hex for
//! fields Wireshark shows in hex, dotted and RFC 5952 addresses, several occurrences of a
//! field (tunnels, the packet quoted in an ICMP error) joined by `,`.
//!
//! Application fields (`dns.*`, `http.*`, `tls.*`, `dhcp.*`) come from `write_field` of
//! [`dns`], [`http`], [`tls`] and [`dhcp`] (here, under `fields/`), for every TCP or UDP
//! payload [`crate::decode::app::classify_payload`] names as tshark would (tunnelled packets
//! and ICMP quotes included). `tshark_text.rs` prints strings as tshark does.

pub mod dhcp;
pub mod dns;
pub mod extra;
pub mod http;
pub mod tls;
pub(crate) mod tshark_text;

use std::collections::{HashMap, HashSet};
use std::io::{self, Write};

use crate::capture::{Packet, Timestamp};
use crate::decode::app::classify_payload;
use crate::decode::protocols::{Path, View};
use crate::decode::{AppProto, DecodeOptions, Decoded, Link};
use etherparse::{LaxNetSlice, LaxSlicedPacket, TransportSlice};

use super::out::{self, append_decimal, append_str, be16, be32, hex};

/// A field pktkit knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    FrameNumber,
    FrameTimeEpoch,
    /// Seconds since the first packet.
    FrameTimeRelative,
    /// Seconds since the previous packet.
    FrameTimeDelta,
    /// Seconds since the previous packet shown (written, or matched by the filter).
    FrameTimeDeltaDisplayed,
    FrameLen,
    FrameCapLen,
    FrameInterfaceId,
    /// tshark's protocol path of the frame, `:`-joined ([`crate::decode::protocols`]).
    FrameProtocols,
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
    /// The TCP conversation's index, in order of first appearance.
    TcpStream,
    /// The twelve flag bits as letters and middle dots.
    TcpFlagsStr,
    UdpSrcport,
    UdpDstport,
    UdpLength,
    /// The UDP conversation's index, in order of first appearance.
    UdpStream,
    IcmpType,
    IcmpCode,
    IcmpChecksum,
    IcmpChecksumStatus,
    IcmpIdent,
    IcmpSeq,
    IcmpIdentLe,
    IcmpSeqLe,
    IcmpMtu,
    IcmpRedirGw,
    IcmpOriginateTimestamp,
    IcmpReceiveTimestamp,
    IcmpTransmitTimestamp,
    IcmpAddressMask,
    /// The frame of the echo request an echo reply answers (`icmp.resp_to`).
    IcmpRespTo,
    /// Milliseconds from that request to the reply (`icmp.resptime`).
    IcmpRespTime,
    /// The send time a ping put in the first 8 bytes of echo data, and the time since then.
    IcmpDataTime,
    IcmpDataTimeRelative,
    Icmpv6Type,
    Icmpv6Code,
    Icmpv6RespTo,
    Icmpv6RespTime,
    ArpHwType,
    ArpProtoType,
    ArpHwSize,
    ArpProtoSize,
    ArpOpcode,
    ArpSrcProtoIpv4,
    ArpDstProtoIpv4,
    ArpSrcHwMac,
    ArpDstHwMac,
    ArpIsGratuitous,
    ArpIsProbe,
    /// One of the bits of tcp.flags, by its mask.
    TcpFlag(u16),
    /// An IPv4 header, also one Wireshark marks bogus (the `ip` protocol).
    Ipv4Present,
    /// A TLS record of content type 22 (the `tls.handshake` protocol item, also encrypted).
    TlsHandshakePresent,
    /// The application protocol itself (display filters: `dns`, `mdns`, `llmnr`, `http`, ...),
    /// by Wireshark's protocol name.
    AppPresent(AppProto, &'static str),
    /// A field of an application protocol, written by its `proto/` module.
    App(AppProto, &'static str),
    /// A field of a protocol of [`crate::decode::extra`] (LLC, STP, VRRP, ...), written by
    /// [`extra`].
    Extra(&'static str),
    /// A protocol of [`crate::decode::extra`] itself (display filters: `stp`, `vrrp`, ...).
    ExtraPresent(&'static str),
}

/// The field table: Wireshark name, field.
const FIELDS: &[(&str, Field)] = &[
    ("frame.number", Field::FrameNumber),
    ("frame.time_epoch", Field::FrameTimeEpoch),
    ("frame.time_relative", Field::FrameTimeRelative),
    ("frame.time_delta", Field::FrameTimeDelta),
    ("frame.time_delta_displayed", Field::FrameTimeDeltaDisplayed),
    ("frame.len", Field::FrameLen),
    ("frame.cap_len", Field::FrameCapLen),
    ("frame.interface_id", Field::FrameInterfaceId),
    ("frame.protocols", Field::FrameProtocols),
    ("eth.src", Field::EthSrc),
    ("eth.dst", Field::EthDst),
    ("eth.type", Field::EthType),
    ("vlan.id", Field::VlanId),
    ("sll.pkttype", Field::SllPkttype),
    ("ip.src", Field::IpSrc),
    ("ip.dst", Field::IpDst),
    ("ip.proto", Field::IpProto),
    ("ip.ttl", Field::IpTtl),
    ("ip.id", Field::IpId),
    ("ip.flags.mf", Field::IpFlagsMf),
    ("ip.flags.df", Field::IpFlagsDf),
    ("ip.frag_offset", Field::IpFragOffset),
    ("ip.len", Field::IpLen),
    ("ipv6.src", Field::Ipv6Src),
    ("ipv6.dst", Field::Ipv6Dst),
    ("ipv6.nxt", Field::Ipv6Nxt),
    ("ipv6.hlim", Field::Ipv6Hlim),
    ("tcp.srcport", Field::TcpSrcport),
    ("tcp.dstport", Field::TcpDstport),
    ("tcp.flags", Field::TcpFlags),
    ("tcp.seq_raw", Field::TcpSeqRaw),
    ("tcp.ack_raw", Field::TcpAckRaw),
    ("tcp.len", Field::TcpLen),
    ("tcp.window_size_value", Field::TcpWindowSizeValue),
    ("tcp.stream", Field::TcpStream),
    ("tcp.flags.str", Field::TcpFlagsStr),
    ("udp.srcport", Field::UdpSrcport),
    ("udp.dstport", Field::UdpDstport),
    ("udp.length", Field::UdpLength),
    ("udp.stream", Field::UdpStream),
    ("icmp.type", Field::IcmpType),
    ("icmp.code", Field::IcmpCode),
    ("icmp.checksum", Field::IcmpChecksum),
    ("icmp.checksum.status", Field::IcmpChecksumStatus),
    ("icmp.ident", Field::IcmpIdent),
    ("icmp.seq", Field::IcmpSeq),
    ("icmp.ident_le", Field::IcmpIdentLe),
    ("icmp.seq_le", Field::IcmpSeqLe),
    ("icmp.mtu", Field::IcmpMtu),
    ("icmp.redir_gw", Field::IcmpRedirGw),
    ("icmp.originate_timestamp", Field::IcmpOriginateTimestamp),
    ("icmp.receive_timestamp", Field::IcmpReceiveTimestamp),
    ("icmp.transmit_timestamp", Field::IcmpTransmitTimestamp),
    ("icmp.address_mask", Field::IcmpAddressMask),
    ("icmp.resp_to", Field::IcmpRespTo),
    ("icmp.resptime", Field::IcmpRespTime),
    ("icmp.data_time", Field::IcmpDataTime),
    ("icmp.data_time_relative", Field::IcmpDataTimeRelative),
    ("icmpv6.type", Field::Icmpv6Type),
    ("icmpv6.code", Field::Icmpv6Code),
    ("icmpv6.resp_to", Field::Icmpv6RespTo),
    ("icmpv6.resptime", Field::Icmpv6RespTime),
    ("arp.hw.type", Field::ArpHwType),
    ("arp.proto.type", Field::ArpProtoType),
    ("arp.hw.size", Field::ArpHwSize),
    ("arp.proto.size", Field::ArpProtoSize),
    ("arp.opcode", Field::ArpOpcode),
    ("arp.src.proto_ipv4", Field::ArpSrcProtoIpv4),
    ("arp.dst.proto_ipv4", Field::ArpDstProtoIpv4),
    ("arp.src.hw_mac", Field::ArpSrcHwMac),
    ("arp.dst.hw_mac", Field::ArpDstHwMac),
    ("arp.isgratuitous", Field::ArpIsGratuitous),
    ("arp.isprobe", Field::ArpIsProbe),
    ("tcp.flags.res", Field::TcpFlag(0xe00)),
    ("tcp.flags.fin", Field::TcpFlag(0x001)),
    ("tcp.flags.syn", Field::TcpFlag(0x002)),
    ("tcp.flags.reset", Field::TcpFlag(0x004)),
    ("tcp.flags.push", Field::TcpFlag(0x008)),
    ("tcp.flags.ack", Field::TcpFlag(0x010)),
    ("tcp.flags.urg", Field::TcpFlag(0x020)),
    ("tcp.flags.ece", Field::TcpFlag(0x040)),
    ("tcp.flags.cwr", Field::TcpFlag(0x080)),
    ("tcp.flags.ae", Field::TcpFlag(0x100)),
];

/// The type of a field's values, as Wireshark's display filters see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Unsigned integer (written in decimal, or hex with `0x`).
    Uint,
    /// Boolean (written `1` or `0`).
    Bool,
    /// Seconds with a fraction.
    Time,
    /// Ethernet address.
    Mac,
    Ipv4,
    Ipv6,
    /// Text.
    Str,
    /// A protocol or a field without a value: only its presence counts.
    None,
}

/// A field of the table, for display filters: its name and value type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldRef {
    name: &'static str,
    field: Field,
}

/// Protocol names and the field whose presence marks the protocol (display filters).
const PROTOCOLS: &[(&str, &str)] = &[
    ("frame", "frame.number"),
    ("eth", "eth.src"),
    ("vlan", "vlan.id"),
    ("sll", "sll.pkttype"),
    ("ipv6", "ipv6.src"),
    ("tcp", "tcp.srcport"),
    ("udp", "udp.srcport"),
    ("icmp", "icmp.type"),
    ("icmpv6", "icmpv6.type"),
    ("arp", "arp.opcode"),
    ("http.request", "http.request.method"),
    ("http.response", "http.response.code"),
];

/// Application protocols by Wireshark's name: DNS messages on the mDNS port (5353) are
/// protocol `mdns`, on LLMNR's (5355) `llmnr`, both with `dns.*` fields.
const APP_PROTOCOLS: &[(&str, AppProto)] = &[
    ("dns", AppProto::Dns),
    ("mdns", AppProto::Dns),
    ("llmnr", AppProto::Dns),
    ("http", AppProto::Http),
    ("tls", AppProto::Tls),
    ("dhcp", AppProto::Dhcp),
];

/// The UDP port of LLMNR (RFC 4795).
const LLMNR_PORT: u16 = 5355;

/// Fields that stand for two fields of the table, either direction (`ip.addr`, `tcp.port`).
pub const TWO_WAY: &[(&str, [&str; 2])] = &[
    ("eth.addr", ["eth.src", "eth.dst"]),
    ("ip.addr", ["ip.src", "ip.dst"]),
    ("ipv6.addr", ["ipv6.src", "ipv6.dst"]),
    ("tcp.port", ["tcp.srcport", "tcp.dstport"]),
    ("udp.port", ["udp.srcport", "udp.dstport"]),
];

impl FieldRef {
    /// The field of the table (or protocol) named `name`.
    pub fn lookup(name: &str) -> Option<FieldRef> {
        if let Some((n, p)) = APP_PROTOCOLS.iter().find(|(n, _)| *n == name) {
            return Some(FieldRef { name: n, field: Field::AppPresent(*p, n) });
        }
        if let Some(n) = extra::PROTOCOLS.iter().find(|n| **n == name) {
            return Some(FieldRef { name: n, field: Field::ExtraPresent(n) });
        }
        match name {
            "ip" => return Some(FieldRef { name: "ip", field: Field::Ipv4Present }),
            "tls.handshake" => {
                return Some(FieldRef { name: "tls.handshake", field: Field::TlsHandshakePresent });
            }
            _ => {}
        }
        if let Some((n, base)) = PROTOCOLS.iter().find(|(n, _)| *n == name) {
            let f = Self::lookup(base)?;
            return Some(FieldRef { name: n, field: f.field });
        }
        FIELDS
            .iter()
            .copied()
            .chain(app_fields())
            .find(|(n, _)| *n == name)
            .map(|(name, field)| FieldRef { name, field })
    }

    /// Every name display filters accept: fields, protocols and the two-way fields.
    pub fn filter_names() -> impl Iterator<Item = &'static str> {
        known_names()
            .chain(APP_PROTOCOLS.iter().map(|(n, _)| *n))
            .chain(extra::PROTOCOLS.iter().copied())
            .chain(PROTOCOLS.iter().map(|(n, _)| *n))
            .chain(["ip", "tls.handshake"])
            .chain(TWO_WAY.iter().map(|(n, _)| *n))
    }

    /// The field's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The type of the field's values ([`Kind::None`] for protocols and value-less fields).
    pub fn kind(&self) -> Kind {
        if PROTOCOLS.iter().any(|(n, _)| *n == self.name) {
            return Kind::None;
        }
        match self.field {
            Field::FrameTimeEpoch
            | Field::FrameTimeRelative
            | Field::FrameTimeDelta
            | Field::FrameTimeDeltaDisplayed
            | Field::IcmpDataTimeRelative
            | Field::IcmpRespTime
            | Field::Icmpv6RespTime => Kind::Time,
            // icmp.data_time: an absolute time in tshark's text ("May 30, 2013 22:45:17.283108000 UTC").
            Field::TcpFlagsStr | Field::FrameProtocols | Field::IcmpDataTime => Kind::Str,
            Field::EthSrc | Field::EthDst | Field::ArpSrcHwMac | Field::ArpDstHwMac => Kind::Mac,
            Field::IpSrc
            | Field::IpDst
            | Field::ArpSrcProtoIpv4
            | Field::ArpDstProtoIpv4
            | Field::IcmpRedirGw
            | Field::IcmpAddressMask => Kind::Ipv4,
            Field::Ipv6Src | Field::Ipv6Dst => Kind::Ipv6,
            Field::IpFlagsMf
            | Field::IpFlagsDf
            | Field::TcpFlag(_)
            | Field::ArpIsGratuitous
            | Field::ArpIsProbe => Kind::Bool,
            Field::AppPresent(..) | Field::Ipv4Present | Field::TlsHandshakePresent => Kind::None,
            Field::ExtraPresent(_) => Kind::None,
            Field::Extra(name) => {
                extra::FIELDS.iter().find(|(n, _)| *n == name).map_or(Kind::Uint, |(_, k)| *k)
            }
            Field::App(_, name) => match name {
                "dns.flags.response"
                | "dns.flags.authoritative"
                | "dns.flags.conflict"
                | "dns.flags.truncated"
                | "dns.flags.recdesired"
                | "dns.flags.tentative"
                | "dns.flags.recavail"
                | "dns.flags.z"
                | "dns.flags.authenticated"
                | "dns.flags.checkdisable"
                | "dns.qry.qu"
                | "dns.resp.cache_flush"
                | "dns.resp.z.do" => Kind::Bool,
                "dns.a" | "dhcp.option.requested_ip_address" => Kind::Ipv4,
                "dns.aaaa" => Kind::Ipv6,
                "dhcp.hw.mac_addr" => Kind::Mac,
                "dns.qry.name" | "dns.resp.name" | "dns.cname" | "tls.handshake.extensions_server_name" => {
                    Kind::Str
                }
                n if n.starts_with("http.") && n != "http.response.code" => Kind::Str,
                "dhcp.option.hostname" => Kind::Str,
                _ => Kind::Uint,
            },
            _ => Kind::Uint,
        }
    }

    /// The application protocol some layer of a packet must carry for the field to occur
    /// (None when it can occur without one). `http` is not one: it also covers the later
    /// segments of a connection that carried a message, whatever they hold.
    pub fn needs_app(&self) -> Option<AppProto> {
        match self.field {
            Field::App(p, _) => Some(p),
            Field::AppPresent(AppProto::Http, _) => None,
            Field::AppPresent(p, _) => Some(p),
            Field::TlsHandshakePresent => Some(AppProto::Tls),
            _ => None,
        }
    }

    /// Whether reading the field changes what later packets read ([`stateful`]): then every
    /// packet must be read.
    pub fn is_stateful(&self) -> bool {
        stateful(self.field)
    }

    /// Whether the text of several occurrences is joined by `,` (not for free text, where
    /// a `,` belongs to the value).
    fn splits(&self) -> bool {
        !matches!(
            self.field,
            Field::App(AppProto::Http, _) | Field::App(AppProto::Dhcp, "dhcp.option.hostname")
        )
    }
}

/// Reads field values for display filters, through the same walk as `--fields`.
#[derive(Default)]
pub struct FieldReader {
    scratch: String,
    state: State,
}

impl FieldReader {
    /// Writes the occurrences of each of `refs` in `pkt` to `text`; `spans[i]` gets the byte
    /// ranges of the occurrences of `refs[i]` (a field or protocol present without a value
    /// has one empty occurrence).
    pub fn read(
        &mut self,
        refs: &[FieldRef],
        pkt: &Packet<'_>,
        d: &Decoded<'_>,
        text: &mut Vec<u8>,
        spans: &mut Vec<Vec<(usize, usize)>>,
    ) {
        text.clear();
        spans.resize_with(refs.len(), Vec::new);
        let app = refs
            .iter()
            .any(|r| matches!(r.field, Field::App(..) | Field::AppPresent(..) | Field::TlsHandshakePresent));
        let chain = Chain::new(d);
        let layers = Layers::new(&chain, app);
        for (r, occ) in refs.iter().zip(spans.iter_mut()) {
            occ.clear();
            let start = text.len();
            let written = field(text, &mut self.scratch, &mut self.state, r.field, pkt, d, &chain, &layers);
            if !written {
                continue;
            }
            if !r.splits() {
                occ.push((start, text.len()));
                continue;
            }
            let mut from = start;
            for (i, c) in text.iter().enumerate().skip(start) {
                if *c == b',' {
                    occ.push((from, i));
                    from = i + 1;
                }
            }
            occ.push((from, text.len()));
        }
    }

    /// Ends the packet [`FieldReader::read`] read: `shown` when the filter matched it.
    pub fn done(&mut self, pkt: &Packet<'_>, shown: bool) {
        self.state.packet_done(pkt.ts, shown);
    }
}

/// Whether some layer of `d` may carry one of `fields` (fields of application protocols,
/// [`FieldRef::needs_app`]) as [`FieldReader::read`] finds them; false only when none can:
/// `d` carries no tunnel and no ICMP error quote, and its own payload is of another
/// protocol or rules the fields out at its start. A cheap test before any field is read.
pub fn may_carry(d: &Decoded<'_>, fields: &[FieldRef]) -> bool {
    if matches!(d.transport, Some(TransportSlice::Icmpv4(_) | TransportSlice::Icmpv6(_)))
        || d.encapsulated().is_some()
    {
        return true;
    }
    // A frame decoded without application classification is classified here.
    let app = d.app.or_else(|| crate::decode::app::classify(d));
    app_may_carry(app.map(|a| (a.proto, a.data)), fields)
}

/// [`may_carry`] judged from a frame's bytes before any decoding, for the frames
/// [`crate::decode::plain::segment`] reads (TCP or UDP straight over IP on Ethernet); None
/// when the frame needs the full decoder to tell.
pub fn frame_may_carry(linktype: crate::capture::LinkType, data: &[u8], fields: &[FieldRef]) -> Option<bool> {
    let segment = crate::decode::plain::segment(linktype, data)?;
    Some(app_may_carry(segment.app(), fields))
}

/// Whether a payload of application protocol `app` (None: none) may carry one of `fields`.
fn app_may_carry(app: Option<(AppProto, &[u8])>, fields: &[FieldRef]) -> bool {
    let Some((proto, data)) = app else { return false };
    fields.iter().any(|r| {
        r.needs_app() == Some(proto)
            && match r.field {
                Field::App(AppProto::Http, name) => http::may_have_field(data, name),
                _ => true,
            }
    })
}

/// The application fields, with the protocol whose module writes them.
fn app_fields() -> impl Iterator<Item = (&'static str, Field)> {
    let of = |p: AppProto, names: &'static [&'static str]| names.iter().map(move |n| (*n, Field::App(p, n)));
    of(AppProto::Dns, dns::FIELDS)
        .chain(of(AppProto::Tls, tls::FIELDS))
        .chain(of(AppProto::Http, http::FIELDS))
        .chain(of(AppProto::Dhcp, dhcp::FIELDS))
        .chain(extra::FIELDS.iter().map(|(n, _)| (*n, Field::Extra(n))))
}

/// Every field name `--fields` accepts.
pub fn known_names() -> impl Iterator<Item = &'static str> {
    FIELDS.iter().copied().chain(app_fields()).map(|(n, _)| n)
}

/// Which occurrences of a field tshark's `-E occurrence=` prints.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Occurrence {
    #[default]
    All,
    First,
    Last,
}

/// tshark's `-E` options of `-T fields`.
#[derive(Clone, Copy, Debug)]
pub struct TsharkStyle {
    /// Between fields (`-E separator=`).
    pub separator: u8,
    /// Between occurrences (`-E aggregator=`).
    pub aggregator: u8,
    pub occurrence: Occurrence,
}

impl Default for TsharkStyle {
    fn default() -> Self {
        TsharkStyle { separator: b'\t', aggregator: b',', occurrence: Occurrence::All }
    }
}

impl TsharkStyle {
    /// Applies one `-E name=value`; returns whether it asks for a header row (`header=y`).
    pub fn set(&mut self, option: &str) -> Result<bool, String> {
        let bad = || {
            format!("-E {option}: expected header=y|n, separator=t|s|C, occurrence=f|l|a or aggregator=,|s|C")
        };
        let (name, value) = option.split_once('=').ok_or_else(bad)?;
        let char_of = |v: &str| match v {
            "/t" | "t" => Some(b'\t'),
            "/s" | "s" => Some(b' '),
            v if v.len() == 1 => Some(v.as_bytes()[0]),
            _ => None,
        };
        match name {
            "header" => match value {
                "y" => return Ok(true),
                "n" => {}
                _ => return Err(bad()),
            },
            "separator" => self.separator = char_of(value).ok_or_else(bad)?,
            "aggregator" => self.aggregator = char_of(value).ok_or_else(bad)?,
            "occurrence" => {
                self.occurrence = match value {
                    "f" => Occurrence::First,
                    "l" => Occurrence::Last,
                    "a" => Occurrence::All,
                    _ => return Err(bad()),
                }
            }
            _ => return Err(bad()),
        }
        Ok(false)
    }
}

/// Writes `--fields` rows.
pub struct FieldsWriter {
    style: TsharkStyle,
    fields: Vec<(&'static str, Field)>,
    line: Vec<u8>,
    /// Scratch text of the application modules (reused).
    scratch: String,
    /// Some field is an application field: classify payloads.
    app: bool,
    state: State,
}

/// Most names a "did you mean" offers.
const MAX_SUGGESTIONS: usize = 3;

/// The error for an unknown field name: the closest known names by edit distance (at most a
/// third of the name's length away), and where the whole list is.
fn unknown_field(name: &str) -> String {
    let limit = (name.len() / 3).max(2);
    let mut near: Vec<(usize, &str)> = known_names()
        .map(|known| (strsim::levenshtein(name, known), known))
        .filter(|&(distance, _)| distance <= limit)
        .collect();
    near.sort();
    let names: Vec<&str> = near.iter().take(MAX_SUGGESTIONS).map(|&(_, n)| n).collect();
    if names.is_empty() {
        format!("unknown field '{name}' (--fields list shows the known ones)")
    } else {
        format!("unknown field '{name}'; did you mean {}? (--fields list shows all)", names.join(", "))
    }
}

impl FieldsWriter {
    /// Parses a comma-separated list of field names; an unknown name is an error naming the
    /// closest known ones.
    pub fn new(spec: &str) -> Result<Self, String> {
        let mut fields = Vec::new();
        for name in spec.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            match FIELDS.iter().copied().chain(app_fields()).find(|(n, _)| *n == name) {
                Some((n, f)) => fields.push((n, f)),
                None => return Err(unknown_field(name)),
            }
        }
        if fields.is_empty() {
            return Err("--fields needs at least one field name".to_string());
        }
        let app = fields.iter().any(|(_, f)| matches!(f, Field::App(..)));
        Ok(FieldsWriter {
            style: TsharkStyle::default(),
            fields,
            line: Vec::with_capacity(256),
            scratch: String::with_capacity(256),
            app,
            state: State::default(),
        })
    }

    /// Writes rows as tshark's `-E` options say.
    pub fn tshark_style(mut self, style: TsharkStyle) -> Self {
        self.style = style;
        self
    }

    /// Writes the header row (the field names).
    pub fn header<W: Write>(&self, w: &mut W) -> io::Result<()> {
        let names: Vec<&str> = self.fields.iter().map(|(n, _)| *n).collect();
        w.write_all(names.join(&(self.style.separator as char).to_string()).as_bytes())?;
        w.write_all(b"\n")
    }

    /// Writes one packet's row.
    pub fn packet<W: Write>(&mut self, w: &mut W, pkt: &Packet<'_>, d: &Decoded<'_>) -> io::Result<()> {
        let mut b = std::mem::take(&mut self.line);
        b.clear();
        let chain = Chain::new(d);
        let layers = Layers::new(&chain, self.app);
        let style = self.style;
        for (i, (name, f)) in self.fields.iter().enumerate() {
            if i > 0 {
                b.push(style.separator);
            }
            let start = b.len();
            field(&mut b, &mut self.scratch, &mut self.state, *f, pkt, d, &chain, &layers);
            let splits = FieldRef { name, field: *f }.splits();
            if splits && (style.occurrence != Occurrence::All || style.aggregator != b',') {
                let value = b.split_off(start);
                let mut parts = value.split(|c| *c == b',');
                match style.occurrence {
                    Occurrence::First => b.extend_from_slice(parts.next().unwrap_or_default()),
                    Occurrence::Last => b.extend_from_slice(parts.next_back().unwrap_or_default()),
                    Occurrence::All => {
                        for (j, p) in parts.enumerate() {
                            if j > 0 {
                                b.push(style.aggregator);
                            }
                            b.extend_from_slice(p);
                        }
                    }
                }
            }
        }
        b.push(b'\n');
        let r = w.write_all(&b);
        self.line = b;
        self.state.packet_done(pkt.ts, true);
        r
    }

    /// Takes note of a packet that is not shown (a display filter dropped it): the fields
    /// that depend on earlier packets ([`stateful`]) still read it, as tshark's do.
    pub fn skip(&mut self, pkt: &Packet<'_>, d: &Decoded<'_>) {
        if self.fields.iter().any(|(_, f)| stateful(*f)) {
            let mut b = std::mem::take(&mut self.line);
            let chain = Chain::new(d);
            let layers = Layers::new(&chain, self.app);
            for (_, f) in self.fields.iter().filter(|(_, f)| stateful(*f)) {
                b.clear();
                field(&mut b, &mut self.scratch, &mut self.state, *f, pkt, d, &chain, &layers);
            }
            self.line = b;
        }
        self.state.packet_done(pkt.ts, false);
    }
}

/// Most tunnel levels followed (outer frame included).
const MAX_LEVELS: usize = crate::decode::MAX_TUNNELS + 1;

/// The frame and the packets it carries through tunnels, outermost first, each with the
/// packet quoted by its ICMP error if any. The frame is borrowed; only tunnelled packets
/// are stored (on the heap, so a frame without a tunnel copies no decoder state).
struct Chain<'d, 'a> {
    outer: &'d Decoded<'a>,
    outer_quoted: Option<LaxSlicedPacket<'a>>,
    /// The tunnelled packets (at most `MAX_LEVELS - 1`) and their ICMP quotes.
    inner: Vec<(Decoded<'a>, Option<LaxSlicedPacket<'a>>)>,
}

impl<'d, 'a> Chain<'d, 'a> {
    fn new(d: &'d Decoded<'a>) -> Self {
        let opts = DecodeOptions { app: false };
        let mut inner = Vec::new();
        let mut next = d.decode_encapsulated(&opts);
        while let Some(level) = next {
            if inner.len() + 1 >= MAX_LEVELS {
                break;
            }
            next = level.decode_encapsulated(&opts);
            let quoted = level.icmp_quoted();
            inner.push((level, quoted));
        }
        Chain { outer: d, outer_quoted: d.icmp_quoted(), inner }
    }

    /// Each level and its ICMP quote, outermost first.
    fn levels(&self) -> impl Iterator<Item = (&Decoded<'a>, Option<&LaxSlicedPacket<'a>>)> {
        std::iter::once((self.outer, self.outer_quoted.as_ref()))
            .chain(self.inner.iter().map(|(level, quoted)| (level, quoted.as_ref())))
    }

    fn decoded(&self) -> impl Iterator<Item = &Decoded<'a>> {
        self.levels().map(|(level, _)| level)
    }
}

/// One IP layer and its transport header.
#[derive(Clone, Copy)]
struct Layer<'a, 'q> {
    net: Option<&'q LaxNetSlice<'a>>,
    tp: Option<Tp<'q>>,
}

/// Layers held inline: a frame's own and its ICMP quote's; deeper ones go to a `Vec`.
const INLINE_LAYERS: usize = 2;

/// The IP and transport layers in protocol order: each level's own, then its ICMP quote.
struct Layers<'a, 'q> {
    head: [Layer<'a, 'q>; INLINE_LAYERS],
    head_len: usize,
    rest: Vec<Layer<'a, 'q>>,
}

/// A transport header as raw bytes (possibly cut, as in ICMP quotes) and its length on the wire.
#[derive(Clone, Copy)]
struct Tp<'a> {
    proto: u8,
    bytes: &'a [u8],
    /// Length of the transport segment according to the IP header.
    ip_len: usize,
    /// For TCP and UDP, when asked for: the application protocol tshark would see.
    app: Option<AppSeg<'a>>,
    /// The IP source and destination addresses.
    addrs: (&'a [u8], &'a [u8]),
    /// Quoted by an ICMP error.
    quoted: bool,
    /// The first fragment of an IP packet.
    fragmented: bool,
}

/// The application data of a TCP or UDP segment, as tshark would see it.
#[derive(Clone, Copy)]
struct AppSeg<'a> {
    proto: AppProto,
    /// Multicast DNS.
    mdns: bool,
    over_tcp: bool,
    /// The data as captured.
    data: &'a [u8],
    /// Its length on the wire.
    wire_len: usize,
    /// The connection, the same both ways: addresses and ports, lower end first.
    conv: Conv,
}

impl AppSeg<'_> {
    /// DNS on LLMNR's port (Wireshark's `llmnr`), not multicast DNS.
    fn llmnr(&self) -> bool {
        (self.conv.1 == LLMNR_PORT || self.conv.3 == LLMNR_PORT) && !self.mdns
    }
}

/// A TCP or UDP connection, direction-independent.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Conv([u8; 16], u16, [u8; 16], u16);

impl Conv {
    fn new(src: &[u8], sport: u16, dst: &[u8], dport: u16) -> Conv {
        Conv::directed(src, sport, dst, dport).0
    }

    /// The connection and the packet's direction in it (0: from its lower end).
    fn directed(src: &[u8], sport: u16, dst: &[u8], dport: u16) -> (Conv, usize) {
        let mut a = [0u8; 16];
        let mut b = [0u8; 16];
        a[..src.len().min(16)].copy_from_slice(&src[..src.len().min(16)]);
        b[..dst.len().min(16)].copy_from_slice(&dst[..dst.len().min(16)]);
        if (a, sport) <= (b, dport) { (Conv(a, sport, b, dport), 0) } else { (Conv(b, dport, a, sport), 1) }
    }
}

/// The application data of a TCP or UDP segment (`bytes` from its header on, as captured;
/// `payload` etherparse's view of its data when the header was decoded; `seg_len` the
/// segment's length from the IP header).
fn app_of<'a>(
    proto: u8,
    bytes: &'a [u8],
    payload: Option<&'a [u8]>,
    seg_len: usize,
    addrs: (&[u8], &[u8]),
) -> Option<AppSeg<'a>> {
    let (sport, dport) = (be16(bytes, 0)?, be16(bytes, 2)?);
    let over_tcp = proto == crate::proto::ip_proto::TCP;
    // TCP's data offset (the high nibble of byte 12, in 32-bit words); UDP's 8-byte header.
    let hlen = if over_tcp { (*bytes.get(12)? >> 4) as usize * 4 } else { crate::proto::udp::HEADER_LEN };
    let data = match payload {
        Some(p) => p,
        None => bytes.get(hlen..)?,
    };
    let wire_len = if over_tcp {
        seg_len.saturating_sub(hlen)
    } else {
        (be16(bytes, 4)? as usize).min(seg_len).saturating_sub(8)
    };
    let (proto, mdns) = classify_payload(over_tcp, sport, dport, data)?;
    let conv = Conv::new(addrs.0, sport, addrs.1, dport);
    Some(AppSeg { proto, mdns, over_tcp, data, wire_len, conv })
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

fn transport_of<'a: 'q, 'q>(
    net: Option<&'q LaxNetSlice<'a>>,
    t: Option<&TransportSlice<'a>>,
    app: bool,
    quoted: bool,
) -> Option<Tp<'q>> {
    let (proto, payload, ip_len, addrs, fragmented) = match net? {
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
            let raw = h.slice();
            (p.ip_number.0, p.payload, len, (&raw[12..16], &raw[16..20]), h.more_fragments())
        }
        LaxNetSlice::Ipv6(ip) => {
            let p = ip.payload();
            if p.fragmented {
                // pktkit's walk, not etherparse's iterator: on a lax slice cut inside the
                // extension headers that one reads past the slice (found by fuzzing).
                let next = ip.header().slice()[6];
                let first = crate::proto::ipv6::ext_headers(next, ip.extensions().slice())
                    .any(|e| e.fragment().is_some_and(|(offset, _, _)| offset == 0));
                if !first {
                    return None;
                }
            }
            let len = (ip.header().payload_length() as usize).saturating_sub(ip.extensions().slice().len());
            let raw = ip.header().slice();
            (p.ip_number.0, p.payload, len, (&raw[8..24], &raw[24..40]), p.fragmented)
        }
        LaxNetSlice::Arp(_) => return None,
    };
    let (bytes, data) = match t {
        Some(TransportSlice::Tcp(s)) => (s.slice(), Some(s.payload())),
        Some(TransportSlice::Udp(s)) => (s.slice(), Some(s.payload())),
        Some(TransportSlice::Icmpv4(s)) => (s.slice(), None),
        Some(TransportSlice::Icmpv6(s)) => (s.slice(), None),
        _ => (payload, None),
    };
    let app = if app && matches!(proto, 6 | 17) { app_of(proto, bytes, data, ip_len, addrs) } else { None };
    Some(Tp { proto, bytes, ip_len, app, addrs, quoted, fragmented })
}

impl<'a, 'q> Layers<'a, 'q> {
    fn new(c: &'q Chain<'_, 'a>, app: bool) -> Self {
        let mut layers =
            Layers { head: [Layer { net: None, tp: None }; INLINE_LAYERS], head_len: 0, rest: Vec::new() };
        for (level, q) in c.levels() {
            layers.push(Layer {
                net: level.net.as_ref(),
                tp: transport_of(level.net.as_ref(), level.transport.as_ref(), app, false),
            });
            if let Some(q) = q {
                layers.push(Layer {
                    net: q.net.as_ref(),
                    tp: transport_of(q.net.as_ref(), q.transport.as_ref(), app, true),
                });
            }
        }
        layers
    }

    fn push(&mut self, layer: Layer<'a, 'q>) {
        if self.head_len < INLINE_LAYERS {
            self.head[self.head_len] = layer;
            self.head_len += 1;
        } else {
            self.rest.push(layer);
        }
    }

    fn all(&self) -> impl Iterator<Item = &Layer<'a, 'q>> + '_ {
        self.head[..self.head_len].iter().chain(&self.rest)
    }

    fn nets(&self) -> impl Iterator<Item = &'q LaxNetSlice<'a>> + '_ {
        self.all().filter_map(|l| l.net)
    }

    fn transports(&self) -> impl Iterator<Item = Tp<'q>> + '_ {
        self.all().filter_map(|l| l.tp)
    }

    fn ip4(&self) -> impl Iterator<Item = &'q etherparse::LaxIpv4Slice<'a>> + '_ {
        self.nets().filter_map(|n| match n {
            LaxNetSlice::Ipv4(ip) if !bogus_ipv4(n) => Some(ip),
            _ => None,
        })
    }

    fn ip6(&self) -> impl Iterator<Item = &'q etherparse::LaxIpv6Slice<'a>> + '_ {
        self.nets().filter_map(|n| match n {
            LaxNetSlice::Ipv6(ip) => Some(ip),
            _ => None,
        })
    }

    fn tp(&self, proto: u8) -> impl Iterator<Item = Tp<'q>> + '_ {
        self.transports().filter(move |t| t.proto == proto)
    }
}

/// Wireshark's ip.dst: with a loose or strict source route option, the route's last address.
fn ip_dst<'x>(h: &etherparse::Ipv4HeaderSlice<'x>) -> [u8; 4] {
    let mut dst = h.destination();
    for o in crate::proto::ipv4::options(h.options()).flatten() {
        if (o.kind == 131 || o.kind == 137) && o.data.len() >= 5 {
            let n = (o.data.len() - 1) / 4;
            let last = &o.data[1 + (n - 1) * 4..1 + n * 4];
            dst.copy_from_slice(last);
        }
    }
    dst
}

/// What tshark remembers across packets that changes field values.
#[derive(Default)]
struct State {
    /// Connections whose ServerHello chose TLS 1.3 (at most [`MAX_SESSIONS`]).
    tls13: HashSet<Conv>,
    /// TCP connections that carried an HTTP request or response (at most [`MAX_SESSIONS`]):
    /// Wireshark's `http` protocol covers their later segments, and only theirs.
    http: HashSet<Conv>,
    /// The time of the first packet, of the one before this, and of the last one shown.
    first: Option<Timestamp>,
    previous: Option<Timestamp>,
    displayed: Option<Timestamp>,
    /// TCP conversations by connection (at most [`MAX_STREAMS`]): `tcp.stream`.
    tcp: HashMap<Conv, TcpConversation>,
    /// UDP conversations by connection (at most [`MAX_STREAMS`]): `udp.stream`.
    udp: HashMap<Conv, u32>,
    tcp_streams: u32,
    /// Echo requests by conversation and key, for `icmp.resp_to` (at most [`MAX_SESSIONS`]).
    echo: HashMap<EchoKey, EchoRequest>,
    /// The packet whose echo answers `answers` holds, and for each ICMP layer of it that is
    /// an answered reply, whether it is ICMPv6, the request's frame and the nanoseconds since.
    answered: Option<u64>,
    answers: Vec<(bool, u64, i128)>,
    /// The local time zone, for `icmp.data_time`.
    zone: Option<jiff::tz::TimeZone>,
}

/// Wireshark's match of an echo reply to its request: the two addresses (either order), the
/// ICMP version, the checksum the reply must have, and identifier and sequence number.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct EchoKey([u8; 16], [u8; 16], u8, u16, u32);

/// An echo request seen: its frame, its time, and whether a reply answered it yet.
struct EchoRequest {
    frame: u64,
    ts: Timestamp,
    answered: bool,
}

/// A TCP conversation: its index and each direction's base sequence number (Wireshark's
/// `base_seq`: the SYN's sequence number, or one before the first segment seen).
struct TcpConversation {
    index: u32,
    base: [Option<u32>; 2],
}

/// Bound on the connections [`State`] remembers for TLS and HTTP.
const MAX_SESSIONS: usize = 65_536;

/// Bound on the conversations numbered for `tcp.stream` and `udp.stream` (about 100 MiB
/// of state); conversations past it get no index.
const MAX_STREAMS: usize = 1 << 21;

/// TCP's SYN and ACK flag bits (RFC 9293).
const TCP_SYN: u16 = 0x002;
const TCP_ACK: u16 = 0x010;

impl State {
    /// Records that a packet of time `ts` is done (`shown`: written or matched).
    fn packet_done(&mut self, ts: Timestamp, shown: bool) {
        self.first.get_or_insert(ts);
        self.previous = Some(ts);
        if shown {
            self.displayed = Some(ts);
        }
    }

    /// Wireshark's TCP stream index of a segment: a new conversation at the first segment
    /// of a connection, and at a SYN (without ACK) whose sequence number is not its
    /// direction's base (the ports were reused).
    fn tcp_stream(&mut self, tp: &Tp<'_>) -> Option<u32> {
        let p = tp.bytes;
        let (sport, dport, seq, flags) = (be16(p, 0)?, be16(p, 2)?, be32(p, 4)?, be16(p, 12)? & 0x0fff);
        let (conv, dir) = Conv::directed(tp.addrs.0, sport, tp.addrs.1, dport);
        let syn = flags & TCP_SYN != 0;
        let base = if syn { seq } else { seq.wrapping_sub(1) };
        let reused = |c: &TcpConversation| {
            flags & (TCP_SYN | TCP_ACK) == TCP_SYN && c.base[dir].is_some_and(|b| b != seq)
        };
        match self.tcp.get_mut(&conv) {
            Some(c) if !reused(c) => {
                c.base[dir].get_or_insert(base);
                Some(c.index)
            }
            found => {
                if found.is_none() && self.tcp.len() >= MAX_STREAMS {
                    return None;
                }
                let index = self.tcp_streams;
                self.tcp_streams += 1;
                let mut c = TcpConversation { index, base: [None; 2] };
                c.base[dir] = Some(base);
                self.tcp.insert(conv, c);
                Some(index)
            }
        }
    }

    /// Wireshark's UDP stream index: one per connection, in order of first appearance.
    fn udp_stream(&mut self, tp: &Tp<'_>) -> Option<u32> {
        let (sport, dport) = (be16(tp.bytes, 0)?, be16(tp.bytes, 2)?);
        let conv = Conv::new(tp.addrs.0, sport, tp.addrs.1, dport);
        let next = self.udp.len() as u32;
        if self.udp.len() >= MAX_STREAMS {
            return self.udp.get(&conv).copied();
        }
        Some(*self.udp.entry(conv).or_insert(next))
    }
}

impl State {
    /// The answers of `pkt`'s echo replies to earlier requests (Wireshark's ICMP and ICMPv6
    /// request/response tracking, read once per packet): the request frame and the
    /// nanoseconds since it, for `icmp.resp_to`/`resptime` (`v6`: the ICMPv6 ones).
    fn echo_answers(&mut self, pkt: &Packet<'_>, l: &Layers<'_, '_>, v6: bool) -> Vec<(u64, i128)> {
        if self.answered != Some(pkt.number) {
            self.answered = Some(pkt.number);
            self.answers.clear();
            for t in l.transports().filter(|t| matches!(t.proto, 1 | 58) && !t.quoted) {
                if let Some(answer) = self.echo(pkt, &t) {
                    self.answers.push(answer);
                }
            }
        }
        self.answers.iter().filter(|(is_v6, ..)| *is_v6 == v6).map(|(_, frame, ns)| (*frame, *ns)).collect()
    }

    /// Records an echo request, or matches an echo reply to the request it answers (the
    /// first reply only): whether it is ICMPv6, the request's frame, the nanoseconds since.
    fn echo(&mut self, pkt: &Packet<'_>, t: &Tp<'_>) -> Option<(bool, u64, i128)> {
        let p = t.bytes;
        let (kind, checksum, id_seq) = (*p.first()?, be16(p, 2)?, be32(p, 4)?);
        // Request and reply types, and the type's change in the ones' complement sum (ICMP's
        // 8 -> 0 takes 0x0800 from it, ICMPv6's 128 -> 129 adds 0x0100).
        let (request, reply, change) = if t.proto == 1 { (8, 0, !0x0800u16) } else { (128, 129, 0x0100) };
        let mut a = [0u8; 16];
        let mut z = [0u8; 16];
        a[..t.addrs.0.len().min(16)].copy_from_slice(&t.addrs.0[..t.addrs.0.len().min(16)]);
        z[..t.addrs.1.len().min(16)].copy_from_slice(&t.addrs.1[..t.addrs.1.len().min(16)]);
        let (lo, hi) = if a <= z { (a, z) } else { (z, a) };
        if kind == request {
            // The checksum the reply will have: the complement of this one's sum with the
            // type's change (0xffff and 0 are the same number).
            let sum = u32::from(!checksum) + u32::from(change);
            let expected = !(((sum & 0xffff) + (sum >> 16)) as u16);
            let key = EchoKey(lo, hi, t.proto, expected, id_seq);
            if self.echo.len() < MAX_SESSIONS || self.echo.contains_key(&key) {
                self.echo.insert(key, EchoRequest { frame: pkt.number, ts: pkt.ts, answered: false });
            }
            return None;
        }
        if kind != reply {
            return None;
        }
        let checksum = if checksum == 0xffff { 0 } else { checksum };
        let req = self.echo.get_mut(&EchoKey(lo, hi, t.proto, checksum, id_seq))?;
        if req.answered {
            return None;
        }
        req.answered = true;
        Some((t.proto == 58, req.frame, pkt.ts.nanos_since(req.ts)))
    }

    /// The local time zone (read once).
    fn zone(&mut self) -> &jiff::tz::TimeZone {
        self.zone.get_or_insert_with(|| jiff::tz::TimeZone::try_system().unwrap_or(jiff::tz::TimeZone::UTC))
    }
}

/// The time a ping put at the start of echo data (a `struct timeval`, 32-bit seconds and
/// microseconds), as Wireshark 4.0 guesses it: big-endian if that is within a day of the
/// packet's time with valid microseconds, else little-endian if that is; None otherwise.
fn echo_data_time(data: &[u8], now: Timestamp) -> Option<Timestamp> {
    let head = data.first_chunk::<8>()?;
    let read = |be: bool| {
        let word = |b: [u8; 4]| if be { u32::from_be_bytes(b) } else { u32::from_le_bytes(b) };
        let secs = word([head[0], head[1], head[2], head[3]]);
        let micros = word([head[4], head[5], head[6], head[7]]);
        // Wireshark compares the difference of the seconds as a 32-bit signed number.
        let near = (i64::from(secs).wrapping_sub(now.secs) as i32).unsigned_abs() < 86_400;
        (near && micros < 1_000_000).then(|| Timestamp::new(i64::from(secs), u64::from(micros) * 1000))
    };
    read(true).or_else(|| read(false))
}

/// Writes milliseconds from nanoseconds as tshark writes a double (`%.15g`: no trailing
/// zeros).
fn write_millis(b: &mut Vec<u8>, nanos: i128) {
    if nanos < 0 {
        b.push(b'-');
    }
    let n = nanos.unsigned_abs();
    append_decimal(b, (n / 1_000_000) as u64);
    let mut frac = (n % 1_000_000) as u32;
    if frac != 0 {
        let mut digits = 6;
        while frac.is_multiple_of(10) {
            frac /= 10;
            digits -= 1;
        }
        b.push(b'.');
        out::append_decimal_padded(b, frac, digits, b'0');
    }
}

/// Month abbreviations as tshark prints absolute times.
const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// Writes an absolute time as tshark 4.0 prints one in the local zone:
/// `May 30, 2013 22:45:17.283108000 UTC` (the day padded with a space).
fn write_absolute(b: &mut Vec<u8>, ts: Timestamp, zone: &jiff::tz::TimeZone) {
    let Ok(at) = jiff::Timestamp::new(ts.secs, ts.nanos as i32) else { return };
    let info = zone.to_offset_info(at);
    let c = crate::render::time::civil_utc(ts.secs + i64::from(info.offset().seconds()));
    append_str(b, MONTHS[(c.month as usize).saturating_sub(1).min(11)]);
    b.push(b' ');
    out::append_decimal_padded(b, c.day, 2, b' ');
    append_str(b, ", ");
    append_decimal(b, c.year);
    b.push(b' ');
    crate::render::time::hms(b, &c);
    b.push(b'.');
    out::append_decimal_padded(b, ts.nanos, 9, b'0');
    b.push(b' ');
    append_str(b, info.abbreviation());
}

/// Writes `to - from` in seconds with nine decimals, as tshark writes relative times.
fn time_between(b: &mut Vec<u8>, from: Timestamp, to: Timestamp) {
    let nanos = |t: Timestamp| t.secs as i128 * 1_000_000_000 + t.nanos as i128;
    let d = nanos(to) - nanos(from);
    if d < 0 {
        b.push(b'-');
    }
    let d = d.unsigned_abs();
    append_decimal(b, (d / 1_000_000_000) as u64);
    b.push(b'.');
    out::append_decimal_padded(b, (d % 1_000_000_000) as u32, 9, b'0');
}

/// Bits of tcp.flags, highest first, and the letters `tcp.flags.str` shows for them.
const TCP_FLAG_LETTERS: &[u8; 12] = b"RRRACEUAPRSF";

/// The ICMP types whose header carries an identifier and a sequence number (echo,
/// timestamp, information and address mask requests and replies; RFC 792, RFC 950).
fn icmp_has_ident(icmp_type: u8) -> bool {
    matches!(icmp_type, 0 | 8 | 13..=18)
}

/// Fields whose values depend on earlier packets: they read every packet, also those
/// not shown ([`FieldsWriter::skip`]).
fn stateful(f: Field) -> bool {
    matches!(
        f,
        Field::TcpStream
            | Field::UdpStream
            | Field::IcmpRespTo
            | Field::IcmpRespTime
            | Field::Icmpv6RespTo
            | Field::Icmpv6RespTime
            | Field::AppPresent(AppProto::Http, _)
            | Field::App(AppProto::Tls, "tls.record.content_type")
            | Field::TlsHandshakePresent
    )
}

/// Writes the occurrences of one field, joined by ','.
#[allow(clippy::too_many_arguments)]
fn field(
    b: &mut Vec<u8>,
    scratch: &mut String,
    state: &mut State,
    f: Field,
    pkt: &Packet<'_>,
    d: &Decoded<'_>,
    c: &Chain<'_, '_>,
    l: &Layers<'_, '_>,
) -> bool {
    let start = b.len();
    let mut any = false;
    let mut first = true;
    let mut sep = |b: &mut Vec<u8>| {
        if !first {
            b.push(b',');
        }
        first = false;
        any = true;
    };
    match f {
        Field::TcpFlag(mask) => {
            for t in l.tp(6) {
                if let (true, Some(flags)) = (t.bytes.len() >= 20, be16(t.bytes, 12)) {
                    sep(b);
                    append_decimal(b, (flags & mask != 0) as u8);
                }
            }
        }
        Field::Ipv4Present => {
            if l.nets().any(|n| matches!(n, LaxNetSlice::Ipv4(_))) {
                sep(b);
            }
        }
        Field::TlsHandshakePresent => {
            let mut types = Vec::new();
            let app = Field::App(AppProto::Tls, "tls.record.content_type");
            field(&mut types, scratch, state, app, pkt, d, c, l);
            if types.split(|c| *c == b',').any(|t| t == b"22") {
                sep(b);
            }
        }
        Field::AppPresent(AppProto::Http, _) => {
            // A segment of a connection that carried an HTTP message; UDP's HTTP is SSDP.
            let mut any_http = false;
            for seg in l.transports().filter_map(|t| t.app).filter(|s| s.over_tcp) {
                let message = seg.proto == AppProto::Http
                    && (http::write_field(seg.data, "http.request.method", scratch)
                        || http::write_field(seg.data, "http.response.code", scratch));
                scratch.clear();
                if message && state.http.len() < MAX_SESSIONS {
                    state.http.insert(seg.conv);
                }
                any_http |= message || state.http.contains(&seg.conv);
            }
            if any_http {
                sep(b);
            }
        }
        Field::AppPresent(proto, name) => {
            let named = |seg: &AppSeg<'_>| {
                let llmnr = seg.llmnr();
                match name {
                    "mdns" => seg.mdns,
                    "llmnr" => llmnr && !seg.mdns,
                    "dns" => !seg.mdns && !llmnr,
                    _ => true,
                }
            };
            if l.transports().filter_map(|t| t.app).any(|seg| seg.proto == proto && named(&seg)) {
                sep(b);
            }
        }
        Field::Extra(name) => {
            // The frame's own protocols, then each tunnelled packet's.
            for level in c.decoded() {
                let mark = b.len();
                if mark > start {
                    b.push(b',');
                }
                if !extra::write_field(&crate::decode::extra::extra(level), name, b) {
                    b.truncate(mark);
                }
            }
        }
        Field::ExtraPresent(name) => {
            if c.decoded().any(|level| extra::present(&crate::decode::extra::extra(level), name)) {
                sep(b);
            }
        }
        Field::FrameNumber => append_decimal(b, pkt.number),
        Field::FrameTimeRelative => time_between(b, state.first.unwrap_or(pkt.ts), pkt.ts),
        Field::FrameTimeDelta => time_between(b, state.previous.unwrap_or(pkt.ts), pkt.ts),
        Field::FrameTimeDeltaDisplayed => time_between(b, state.displayed.unwrap_or(pkt.ts), pkt.ts),
        Field::TcpStream => {
            for t in l.tp(6).filter(|t| t.bytes.len() >= 20) {
                if let Some(index) = state.tcp_stream(&t) {
                    sep(b);
                    append_decimal(b, index);
                }
            }
        }
        Field::UdpStream => {
            for t in l.tp(17).filter(|t| t.bytes.len() >= 8) {
                if let Some(index) = state.udp_stream(&t) {
                    sep(b);
                    append_decimal(b, index);
                }
            }
        }
        Field::TcpFlagsStr => {
            for t in l.tp(6) {
                if let (true, Some(flags)) = (t.bytes.len() >= 20, be16(t.bytes, 12)) {
                    sep(b);
                    for (i, letter) in TCP_FLAG_LETTERS.iter().enumerate() {
                        if flags & (0x800 >> i) != 0 {
                            b.push(*letter);
                        } else {
                            append_str(b, "\u{b7}");
                        }
                    }
                }
            }
        }
        Field::IcmpChecksum
        | Field::IcmpChecksumStatus
        | Field::IcmpIdent
        | Field::IcmpSeq
        | Field::IcmpIdentLe
        | Field::IcmpSeqLe
        | Field::IcmpMtu
        | Field::IcmpRedirGw
        | Field::IcmpOriginateTimestamp
        | Field::IcmpReceiveTimestamp
        | Field::IcmpTransmitTimestamp
        | Field::IcmpAddressMask => {
            for t in l.tp(1) {
                let p = t.bytes;
                let (Some(&icmp_type), Some(&code)) = (p.first(), p.get(1)) else { continue };
                let ident = icmp_has_ident(icmp_type);
                let stamps = matches!(icmp_type, 13 | 14);
                let mask = matches!(icmp_type, 17 | 18);
                let number = |v: Option<u64>, b: &mut Vec<u8>, sep: &mut dyn FnMut(&mut Vec<u8>)| {
                    if let Some(v) = v {
                        sep(b);
                        append_decimal(b, v);
                    }
                };
                let addr = |at: usize| p.get(at..at + 4).map(|a| [a[0], a[1], a[2], a[3]]);
                match f {
                    Field::IcmpChecksum => {
                        if let Some(v) = be16(p, 2) {
                            sep(b);
                            append_str(b, "0x");
                            hex(b, v as u64, 4);
                        }
                    }
                    Field::IcmpChecksumStatus if p.len() >= 4 => {
                        sep(b);
                        // Wireshark verifies only whole messages outside errors and fragments.
                        let whole = !t.quoted && !t.fragmented && p.len() >= t.ip_len;
                        let status = match whole {
                            true if crate::checksum::checksum(&[&p[..t.ip_len]]) == 0 => 1,
                            true => 0,
                            false => 2,
                        };
                        append_decimal(b, status);
                    }
                    Field::IcmpIdent if ident => number(be16(p, 4).map(u64::from), b, &mut sep),
                    Field::IcmpSeq if ident => number(be16(p, 6).map(u64::from), b, &mut sep),
                    Field::IcmpIdentLe if ident => {
                        number(be16(p, 4).map(|v| v.swap_bytes() as u64), b, &mut sep)
                    }
                    Field::IcmpSeqLe if ident => {
                        number(be16(p, 6).map(|v| v.swap_bytes() as u64), b, &mut sep)
                    }
                    Field::IcmpMtu if icmp_type == 3 && code == 4 => {
                        number(be16(p, 6).map(u64::from), b, &mut sep)
                    }
                    Field::IcmpOriginateTimestamp if stamps => number(be32(p, 8).map(u64::from), b, &mut sep),
                    Field::IcmpReceiveTimestamp if stamps => number(be32(p, 12).map(u64::from), b, &mut sep),
                    Field::IcmpTransmitTimestamp if stamps => number(be32(p, 16).map(u64::from), b, &mut sep),
                    Field::IcmpRedirGw if icmp_type == 5 => {
                        if let Some(a) = addr(4) {
                            sep(b);
                            out::ip4(b, &a);
                        }
                    }
                    Field::IcmpAddressMask if mask => {
                        if let Some(a) = addr(8) {
                            sep(b);
                            out::ip4(b, &a);
                        }
                    }
                    _ => {}
                }
            }
        }
        Field::ArpHwType | Field::ArpProtoType | Field::ArpHwSize | Field::ArpProtoSize => {
            if let Some(LaxNetSlice::Arp(a)) = &d.net {
                let raw = a.slice();
                match f {
                    Field::ArpHwType => append_decimal(b, be16(raw, 0).unwrap_or(0)),
                    Field::ArpProtoType => {
                        append_str(b, "0x");
                        hex(b, be16(raw, 2).unwrap_or(0) as u64, 4);
                    }
                    Field::ArpHwSize => append_decimal(b, raw.get(4).copied().unwrap_or(0)),
                    _ => append_decimal(b, raw.get(5).copied().unwrap_or(0)),
                }
            }
        }
        Field::FrameTimeEpoch => {
            append_decimal(b, pkt.ts.secs);
            b.push(b'.');
            out::append_decimal_padded(b, pkt.ts.nanos, 9, b'0');
        }
        Field::FrameLen => append_decimal(b, pkt.orig_len),
        Field::FrameCapLen => append_decimal(b, pkt.data.len()),
        Field::FrameProtocols => {
            let mut path = Path::new(View::Layers);
            for (i, level) in c.decoded().enumerate() {
                path.extend(level, i > 0);
            }
            path.write_joined(b);
        }
        Field::FrameInterfaceId => {
            if matches!(pkt.interface.origin, crate::capture::Origin::PcapNg(_)) {
                append_decimal(b, pkt.interface.id);
            }
        }
        Field::EthSrc | Field::EthDst | Field::EthType => {
            for level in c.decoded() {
                if let Link::Ethernet(e) = level.link {
                    match f {
                        Field::EthSrc => {
                            sep(b);
                            out::mac(b, &e.src())
                        }
                        Field::EthDst => {
                            sep(b);
                            out::mac(b, &e.dst())
                        }
                        _ => {
                            if !e.is_8023() {
                                sep(b);
                                append_str(b, "0x");
                                hex(b, e.type_or_len() as u64, 4);
                            }
                        }
                    }
                }
            }
        }
        Field::VlanId => {
            // 802.1ad outer tags (0x88a8) are Wireshark's ieee8021ad.id, not vlan.id.
            let qinq = crate::proto::ethernet::ether_type::QINQ;
            for t in c.decoded().flat_map(|l| l.vlans()).filter(|t| t.tpid != qinq) {
                sep(b);
                append_decimal(b, t.vid);
            }
        }
        Field::SllPkttype => {
            if let Link::Sll(sll) = d.link {
                append_decimal(b, sll.pkttype);
            }
        }
        Field::IpSrc
        | Field::IpDst
        | Field::IpProto
        | Field::IpTtl
        | Field::IpId
        | Field::IpFlagsMf
        | Field::IpFlagsDf
        | Field::IpFragOffset => {
            for ip in l.ip4() {
                let h = ip.header();
                sep(b);
                match f {
                    Field::IpSrc => out::ip4(b, &h.source()),
                    Field::IpDst => out::ip4(b, &ip_dst(&h)),
                    Field::IpProto => append_decimal(b, h.protocol().0),
                    Field::IpTtl => append_decimal(b, h.ttl()),
                    Field::IpId => {
                        append_str(b, "0x");
                        hex(b, h.identification() as u64, 4);
                    }
                    Field::IpFlagsMf => append_decimal(b, h.more_fragments() as u8),
                    Field::IpFlagsDf => append_decimal(b, h.dont_fragment() as u8),
                    _ => append_decimal(b, h.fragments_offset().value()),
                }
            }
        }
        Field::IpLen => {
            // Also on a header Wireshark marks bogus (it stops right after the length); a
            // length of 0 (TCP segmentation offload) is taken from the captured packet.
            for n in l.nets() {
                if let LaxNetSlice::Ipv4(ip) = n {
                    let total = ip.header().total_len() as usize;
                    sep(b);
                    append_decimal(
                        b,
                        if total == 0 {
                            ip.header().slice().len() + ip.payload().payload.len()
                        } else {
                            total
                        },
                    );
                }
            }
        }
        Field::Ipv6Src | Field::Ipv6Dst | Field::Ipv6Nxt | Field::Ipv6Hlim => {
            for ip in l.ip6() {
                let h = ip.header();
                sep(b);
                match f {
                    Field::Ipv6Src => out::ip6(b, &h.source()),
                    Field::Ipv6Dst => out::ip6(b, &h.destination()),
                    Field::Ipv6Nxt => append_decimal(b, h.next_header().0),
                    _ => append_decimal(b, h.hop_limit()),
                }
            }
        }
        Field::TcpSrcport
        | Field::TcpDstport
        | Field::TcpFlags
        | Field::TcpSeqRaw
        | Field::TcpAckRaw
        | Field::TcpLen
        | Field::TcpWindowSizeValue => {
            for t in l.tp(6) {
                let p = t.bytes;
                let full = p.len() >= 20;
                let v: Option<u64> = match f {
                    Field::TcpSrcport => be16(p, 0).map(u64::from),
                    Field::TcpDstport => be16(p, 2).map(u64::from),
                    Field::TcpSeqRaw if full => be32(p, 4).map(u64::from),
                    Field::TcpAckRaw if full => be32(p, 8).map(u64::from),
                    Field::TcpWindowSizeValue if full => be16(p, 14).map(u64::from),
                    // Wireshark gives no length when the header claims more than the segment.
                    Field::TcpLen if full => {
                        t.ip_len.checked_sub((p[12] >> 4) as usize * 4).map(|v| v as u64)
                    }
                    Field::TcpFlags if full => {
                        sep(b);
                        append_str(b, "0x");
                        hex(b, (be16(p, 12).unwrap_or(0) & 0x0fff) as u64, 4);
                        continue;
                    }
                    _ => None,
                };
                if let Some(v) = v {
                    sep(b);
                    append_decimal(b, v);
                }
            }
        }
        Field::UdpSrcport | Field::UdpDstport | Field::UdpLength => {
            for t in l.tp(17) {
                let off = match f {
                    Field::UdpSrcport => 0,
                    Field::UdpDstport => 2,
                    _ => 4,
                };
                if let Some(v) = be16(t.bytes, off) {
                    sep(b);
                    append_decimal(b, v);
                }
            }
        }
        Field::IcmpType | Field::IcmpCode => {
            for t in l.tp(1) {
                if let Some(&v) = t.bytes.get(if f == Field::IcmpType { 0 } else { 1 }) {
                    sep(b);
                    append_decimal(b, v);
                }
            }
        }
        Field::IcmpRespTo | Field::IcmpRespTime | Field::Icmpv6RespTo | Field::Icmpv6RespTime => {
            let v6 = matches!(f, Field::Icmpv6RespTo | Field::Icmpv6RespTime);
            for (frame, nanos) in state.echo_answers(pkt, l, v6) {
                sep(b);
                match f {
                    Field::IcmpRespTo | Field::Icmpv6RespTo => append_decimal(b, frame),
                    _ => write_millis(b, nanos),
                }
            }
        }
        Field::IcmpDataTime | Field::IcmpDataTimeRelative => {
            for t in l.tp(1) {
                let p = t.bytes;
                // Echo request or reply with at least 8 bytes of data captured.
                let Some(sent) =
                    p.get(8..).filter(|_| matches!(p[0], 0 | 8)).and_then(|d| echo_data_time(d, pkt.ts))
                else {
                    continue;
                };
                sep(b);
                if f == Field::IcmpDataTime {
                    let zone = state.zone().clone();
                    write_absolute(b, sent, &zone);
                } else {
                    time_between(b, sent, pkt.ts);
                }
            }
        }
        Field::Icmpv6Type | Field::Icmpv6Code => {
            for t in l.tp(58) {
                if let Some(&v) = t.bytes.get(if f == Field::Icmpv6Type { 0 } else { 1 }) {
                    sep(b);
                    append_decimal(b, v);
                }
            }
        }
        Field::ArpIsGratuitous | Field::ArpIsProbe => {
            // Present only when true, as tshark adds them.
            if let Some(LaxNetSlice::Arp(a)) = &d.net {
                let yes = if f == Field::ArpIsGratuitous {
                    crate::proto::arp::is_gratuitous(a)
                } else {
                    crate::proto::arp::is_probe(a)
                };
                if yes {
                    append_decimal(b, 1u8);
                }
            }
        }
        Field::ArpOpcode
        | Field::ArpSrcProtoIpv4
        | Field::ArpDstProtoIpv4
        | Field::ArpSrcHwMac
        | Field::ArpDstHwMac => {
            if let Some(LaxNetSlice::Arp(a)) = &d.net {
                let raw = a.slice();
                match f {
                    Field::ArpOpcode => append_decimal(b, be16(raw, 6).unwrap_or(0)),
                    Field::ArpSrcProtoIpv4 => {
                        if let Some(ip) = crate::proto::arp::sender_ipv4(a) {
                            out::ip4(b, &ip)
                        }
                    }
                    Field::ArpDstProtoIpv4 => {
                        if let Some(ip) = crate::proto::arp::target_ipv4(a) {
                            out::ip4(b, &ip)
                        }
                    }
                    Field::ArpSrcHwMac => {
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
        Field::App(proto, name) => {
            for seg in l.transports().filter_map(|t| t.app) {
                if seg.proto != proto {
                    continue;
                }
                scratch.clear();
                let data = seg.data;
                let present = match proto {
                    AppProto::Dns if seg.over_tcp => {
                        // One value list per message of the segment, joined as tshark does.
                        let mut any = false;
                        for m in crate::proto::dns::tcp_frames(data) {
                            let mark = scratch.len();
                            if any {
                                scratch.push(',');
                            }
                            if dns::write_field(m.data, name, scratch) {
                                any = true;
                            } else {
                                scratch.truncate(mark);
                            }
                        }
                        any
                    }
                    AppProto::Dns if seg.mdns => dns::write_mdns_field(data, name, scratch),
                    AppProto::Dns if seg.llmnr() => dns::write_llmnr_field(data, name, scratch),
                    AppProto::Dns => dns::write_field(data, name, scratch),
                    AppProto::Http => http::write_field(data, name, scratch),
                    AppProto::Tls if name == "tls.record.content_type" => {
                        // Wireshark remembers per connection that a ServerHello chose TLS 1.3.
                        let mut tls13 = state.tls13.contains(&seg.conv);
                        let present = tls::write_field_in_session(data, name, &mut tls13, scratch);
                        if tls13 && state.tls13.len() < MAX_SESSIONS {
                            state.tls13.insert(seg.conv);
                        }
                        present
                    }
                    AppProto::Tls => tls::write_field(data, name, scratch),
                    AppProto::Dhcp => dhcp::write_field_captured(data, seg.wire_len, name, scratch),
                };
                if present {
                    sep(b);
                    b.extend_from_slice(scratch.as_bytes());
                }
            }
        }
    }
    any || b.len() > start
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::{Interface, LinkType, Precision, Timestamp};
    use crate::decode::decode;
    use crate::test_frames::{crafted, raw_layer, tcp4, udp4};

    /// Rows for raw IPv4 frames; `wire` extends a frame's length on the wire.
    fn rows(spec: &str, frames: &[(Vec<u8>, usize)]) -> Vec<String> {
        let mut w = FieldsWriter::new(spec).unwrap();
        let iface = Interface::live(LinkType::RAW, 65535, Precision::Micro);
        let mut out = Vec::new();
        for (i, (f, extra)) in frames.iter().enumerate() {
            let orig = (f.len() + extra) as u32;
            let pkt = Packet::new(i as u64 + 1, Timestamp::new(1, 0), f, orig, &iface);
            let d = decode(LinkType::RAW, f, orig, &DecodeOptions::default());
            w.packet(&mut out, &pkt, &d).unwrap();
        }
        String::from_utf8(out).unwrap().lines().map(str::to_string).collect()
    }

    const QUERY: &[u8] =
        b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03com\x00\x00\x01\x00\x01";

    #[test]
    fn every_module_field_is_known() {
        let names: Vec<&str> = known_names().collect();
        for f in dns::FIELDS.iter().chain(tls::FIELDS).chain(http::FIELDS).chain(dhcp::FIELDS) {
            assert!(names.contains(f), "{f}");
        }
        assert!(FieldsWriter::new("dns.id,http.host,tls.handshake.type,dhcp.option.dhcp").is_ok());
    }

    #[test]
    fn dns_over_udp_tcp_and_in_icmp_errors() {
        let mut two = Vec::new();
        for id in [1u8, 2] {
            let mut m = QUERY.to_vec();
            m[1] = id;
            two.extend_from_slice(&(m.len() as u16).to_be_bytes());
            two.extend_from_slice(&m);
        }
        let quoted = "IP(src=10.0.0.1,dst=10.0.0.2)/UDP(sport=40000,dport=53)";
        let icmp = crafted(&format!(
            "IP(src=10.0.0.1,dst=10.0.0.2)/ICMP(type=3,code=3)/{quoted}{}",
            raw_layer(QUERY)
        ));
        let frames = [
            (udp4(40000, 53, QUERY), 0),
            (tcp4(40000, 53, &two), 0),
            (icmp, 0),
            // Port 123 belongs to NTP in Wireshark: no DNS even with a DNS payload.
            (udp4(123, 5353, QUERY), 0),
            // No registered port: Wireshark's DNS heuristic.
            (udp4(40000, 40001, QUERY), 0),
        ];
        assert_eq!(
            rows("dns.id,dns.qry.name,dns.qry.type", &frames),
            [
                "0x1234\texample.com\t1",
                "0x1201,0x1202\texample.com,example.com\t1,1",
                "0x1234\texample.com\t1",
                "\t\t",
                "0x1234\texample.com\t1"
            ]
        );
    }

    #[test]
    fn http_tls_and_dhcp() {
        let get = b"GET /a HTTP/1.1\r\nHost: example.com\r\n\r\n";
        let mut hello = vec![22, 3, 1, 0, 0, 1, 0, 0, 0, 3, 3];
        hello.extend([0u8; 32]);
        hello.extend([0, 0, 2, 0x13, 0x01, 1, 0]);
        let sni = b"\x00\x00\x00\x10\x00\x0e\x00\x00\x0bexample.org";
        hello.extend((sni.len() as u16).to_be_bytes());
        hello.extend(sni);
        let hs_len = hello.len() - 9;
        hello[6..9].copy_from_slice(&(hs_len as u32).to_be_bytes()[1..]);
        let rec_len = (hello.len() - 5) as u16;
        hello[3..5].copy_from_slice(&rec_len.to_be_bytes());
        let mut boot = vec![1, 1, 6, 0];
        boot.resize(28, 0);
        boot.extend([2, 0, 0, 0, 0, 1]);
        boot.resize(236, 0);
        boot.extend([99, 130, 83, 99, 53, 1, 3, 255]);
        let frames = [
            (tcp4(40000, 80, get), 0),
            (tcp4(40000, 8000, get), 0),
            (tcp4(40000, 443, &hello), 0),
            (udp4(68, 67, &boot), 0),
            // Cut after the client address, more on the wire.
            (udp4(68, 67, &boot)[..28 + 40].to_vec(), boot.len() - 40),
        ];
        assert_eq!(
            rows(
                "http.host,http.request.uri,tls.handshake.type,tls.handshake.extensions_server_name,dhcp.option.dhcp,dhcp.hw.mac_addr",
                &frames
            ),
            [
                "example.com\t/a\t\t\t\t",
                "example.com\t/a\t\t\t\t",
                "\t\t1\texample.org\t\t",
                "\t\t\t\t3\t02:00:00:00:00:01",
                "\t\t\t\t\t02:00:00:00:00:01",
            ]
        );
    }
    /// Found by fuzzing (fuzz/fuzz_targets/decode.rs): an ICMPv6 error quoting an IPv6
    /// fragment whose extension headers the quote cuts. etherparse's extension iterator read
    /// past its slice there (undefined behaviour, caught by the debug checks).
    #[test]
    fn quoted_ipv6_cut_inside_extension_headers() {
        let hex = [
            "ac1f6b469eda00a09815ece786dd6000000000483a40200106300042011002a098fffe15ece72001",
            "063000420110ae1f6bfffe469eda0403994c000000306000000000182c1200080027191c7830469a",
            "23fbfa08004500005e00004000401126000a00008a0a00000600355420004aeeb4160768ff42ff02",
            "00000000000000000000000000163a00050200000119392781800001000200000000056461697379",
            "067562756e747503636f6d0000010001c00c000100010000004400045bbd5f36c00c000100010000",
            "004400045bbd5f3701063000420110ae1f6bfffe469eda20010630006227605c7830305c7830305c",
            "7830305c",
        ]
        .concat();
        let frame: Vec<u8> =
            (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect();
        let iface = Interface::live(LinkType::ETHERNET, 65535, Precision::Micro);
        let pkt = Packet::new(1, Timestamp::new(1, 0), &frame, frame.len() as u32, &iface);
        let d = decode(LinkType::ETHERNET, &frame, frame.len() as u32, &DecodeOptions::default());
        let mut w = FieldsWriter::new(&known_names().collect::<Vec<_>>().join(",")).unwrap();
        let mut out = Vec::new();
        w.packet(&mut out, &pkt, &d).unwrap();
        assert!(String::from_utf8(out).unwrap().starts_with("1\t"));
    }
}
