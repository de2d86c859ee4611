//! `--json`: the report as one JSON document, schema `pktkit.stats/2` (docs/pkt-stats.md),
//! and reading it back for `--merge`.
//!
//! A report without `--top` holds every kept table row, so reports merge exactly. Times are
//! exact decimal strings of seconds since the epoch (`"1412955323.956615000"`); derived
//! values (durations, rates, totals of a row) are written for convenience and ignored when
//! read back. Writing streams rows straight from the tables (no copy of a table is built).

use std::collections::BTreeMap;
use std::fmt;

use pktkit::capture::{LinkType, Timestamp};
use pktkit::render::time::{Rfc3339, TimeKeys};
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};

use super::engine::{Caps, Config, Direction, Net, Reports, Stats, Summary, Transports};
use super::hier::{Branch, Proto, Tree};
use super::keys::{
    Addr, ConvCount, DnsCount, Endpoints, Hits, HostCount, IpPair, NO_FIRST, NO_LAST, PeerCount, Port,
};
use super::table::{Count, Merge, Rank, Table};
use super::view;

/// Schema name and version.
pub const SCHEMA: &str = "pktkit.stats/2";

// ---------------------------------------------------------------------------------------
// Writing.

/// A value written as a JSON string.
#[derive(Clone, Copy)]
pub struct Shown<T>(pub T);

/// A time as exact decimal seconds (`-0.500000000` is half a second before the epoch), for
/// the text report; the JSON document writes times with [`TimeKeys`].
#[derive(Clone, Copy)]
pub struct Time(pub Timestamp);

impl Time {
    /// Writes the text into `buf`, returning its length (at most 50 bytes).
    fn write(&self, buf: &mut [u8; 64]) -> usize {
        let n = self.0.as_nanos();
        let a = n.unsigned_abs();
        let mut at = 0;
        if n < 0 {
            buf[0] = b'-';
            at = 1;
        }
        let mut ib = itoa::Buffer::new();
        let int = ib.format(a / 1_000_000_000).as_bytes();
        buf[at..at + int.len()].copy_from_slice(int);
        at += int.len();
        buf[at] = b'.';
        let mut frac = (a % 1_000_000_000) as u32;
        for i in (0..9).rev() {
            buf[at + 1 + i] = b'0' + (frac % 10) as u8;
            frac /= 10;
        }
        at + 10
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut b = [0u8; 64];
        let n = self.write(&mut b);
        f.write_str(std::str::from_utf8(&b[..n]).map_err(|_| fmt::Error)?)
    }
}

impl Serialize for Shown<Addr> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Addr::V4(a) => {
                // Dotted quad by hand: the Display route costs a formatter per address.
                let mut b = [0u8; 15];
                let mut at = 0;
                for (i, o) in a.iter().enumerate() {
                    if i > 0 {
                        b[at] = b'.';
                        at += 1;
                    }
                    let mut ib = itoa::Buffer::new();
                    let d = ib.format(*o).as_bytes();
                    b[at..at + d.len()].copy_from_slice(d);
                    at += d.len();
                }
                s.serialize_str(std::str::from_utf8(&b[..at]).unwrap_or(""))
            }
            v6 => s.collect_str(&v6),
        }
    }
}

/// [`Time`] as a string.
pub fn time_str(t: Timestamp) -> String {
    Time(t).to_string()
}

fn seconds(ns: i128) -> f64 {
    ns as f64 / 1e9
}

/// Frames and bytes.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct CountJ {
    /// Frames.
    pub frames: u64,
    /// Bytes.
    pub bytes: u64,
}

impl From<Count> for CountJ {
    fn from(c: Count) -> Self {
        CountJ { frames: c.frames, bytes: c.bytes }
    }
}

impl From<CountJ> for Count {
    fn from(c: CountJ) -> Self {
        Count { frames: c.frames, bytes: c.bytes }
    }
}

/// A table written row by row, in report order.
pub struct TableOut<'a, K, V, R, O> {
    table: &'a Table<K, V>,
    rows: Vec<(&'a K, &'a V)>,
    top: Option<usize>,
    row: Box<dyn Fn(&'a K, &'a V) -> R + 'a>,
    other: O,
}

impl<'a, K, V, R, O> TableOut<'a, K, V, R, O>
where
    K: Rank + std::hash::Hash + Clone,
    V: Merge,
{
    fn new(
        table: &'a Table<K, V>,
        top: Option<usize>,
        order: impl Fn(&(&K, &V), &(&K, &V)) -> std::cmp::Ordering,
        row: impl Fn(&'a K, &'a V) -> R + 'a,
        other: O,
    ) -> Self {
        TableOut { table, rows: view::sorted(table, order), top, row: Box::new(row), other }
    }
}

struct RowsOut<'t, 'a, K, V, R, O>(&'t TableOut<'a, K, V, R, O>);

impl<K, V, R: Serialize, O> Serialize for RowsOut<'_, '_, K, V, R, O> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let t = self.0;
        s.collect_seq(t.rows.iter().take(t.top.unwrap_or(usize::MAX)).map(|(k, v)| (t.row)(k, v)))
    }
}

impl<K, V, R: Serialize, O: Serialize> Serialize for TableOut<'_, K, V, R, O>
where
    K: Rank + std::hash::Hash + Clone,
    V: Merge,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Table", 5)?;
        st.serialize_field("cap", &self.table.cap())?;
        st.serialize_field("folded", &self.table.folded())?;
        st.serialize_field("rows", &RowsOut(self))?;
        st.serialize_field("total_rows", &self.rows.len())?;
        st.serialize_field("other", &self.other)?;
        st.end()
    }
}

/// The report as written.
#[derive(Serialize)]
pub struct ReportOut<'a> {
    schema: &'static str,
    config: ConfigOut,
    summary: SummaryOut,
    #[serde(skip_serializing_if = "Option::is_none")]
    protocols: Option<TransportsJ>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hierarchy: Option<Vec<NodeOut>>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    hierarchy_truncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    hosts: Option<TableOut<'a, Addr, HostCount, HostRow, HostCountJ>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    direction: Option<DirectionOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    conversations: Option<ConversationsOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ports: Option<TableOut<'a, Port, Count, PortRow, CountJ>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    names: Option<NamesOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    io: Option<TableOut<'a, i64, Count, IntervalRow, CountJ>>,
}

#[derive(Serialize)]
struct ConfigOut {
    reports: Vec<&'static str>,
    interval_ns: Option<u64>,
    me: Vec<String>,
    defrag: bool,
    caps: CapsJ,
    top: Option<usize>,
}

#[derive(Serialize)]
struct SummaryOut {
    packets: u64,
    bytes: u64,
    captured_bytes: u64,
    #[serde(flatten)]
    first: Option<TimeKeys>,
    #[serde(flatten)]
    last: Option<TimeKeys>,
    duration: f64,
    average_packet_size: f64,
    packets_per_second: f64,
    bits_per_second: f64,
    snapped: u64,
    link_types: Vec<LinkTypeJ>,
    decode: DecodeJ,
}

#[derive(Serialize)]
struct NodeOut {
    name: &'static str,
    frames: u64,
    bytes: u64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    children: Vec<NodeOut>,
}

#[derive(Serialize)]
struct HostRow {
    addr: Shown<Addr>,
    sent_frames: u64,
    sent_bytes: u64,
    recv_frames: u64,
    recv_bytes: u64,
}

#[derive(Serialize)]
struct PeerRow {
    addr: Shown<Addr>,
    in_frames: u64,
    in_bytes: u64,
    out_frames: u64,
    out_bytes: u64,
}

#[derive(Serialize)]
struct DirectionOut<'a> {
    inbound: CountJ,
    outbound: CountJ,
    local: CountJ,
    transit: CountJ,
    non_ip: CountJ,
    peers: TableOut<'a, Addr, PeerCount, PeerRow, PeerCountJ>,
}

#[derive(Serialize)]
struct ConvRow {
    a: Shown<Addr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    a_port: Option<u16>,
    b: Shown<Addr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    b_port: Option<u16>,
    frames_ab: u64,
    bytes_ab: u64,
    frames_ba: u64,
    bytes_ba: u64,
    frames: u64,
    bytes: u64,
    #[serde(flatten)]
    first: TimeKeys,
    #[serde(flatten)]
    last: TimeKeys,
    duration: f64,
    initiator: &'static str,
}

#[derive(Serialize)]
struct ConversationsOut<'a> {
    ip: TableOut<'a, IpPair, ConvCount, ConvRow, CountJ>,
    tcp: TableOut<'a, Endpoints, ConvCount, ConvRow, CountJ>,
    udp: TableOut<'a, Endpoints, ConvCount, ConvRow, CountJ>,
}

#[derive(Serialize)]
struct PortRow {
    proto: &'static str,
    port: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    service: Option<&'static str>,
    frames: u64,
    bytes: u64,
}

#[derive(Serialize)]
struct DnsRow<'a> {
    name: &'a str,
    queries: u64,
    responses: u64,
}

#[derive(Serialize)]
struct NameRow<'a> {
    name: &'a str,
    count: u64,
}

#[derive(Serialize)]
struct NamesOut<'a> {
    dns: TableOut<'a, String, DnsCount, DnsRow<'a>, DnsCountJ>,
    tls_sni: TableOut<'a, String, Hits, NameRow<'a>, HitsJ>,
    http_hosts: TableOut<'a, String, Hits, NameRow<'a>, HitsJ>,
}

#[derive(Serialize)]
struct IntervalRow {
    #[serde(flatten)]
    start: TimeKeys,
    frames: u64,
    bytes: u64,
}

fn host_j(v: &HostCount) -> HostCountJ {
    HostCountJ {
        sent_frames: v.sent.frames,
        sent_bytes: v.sent.bytes,
        recv_frames: v.recv.frames,
        recv_bytes: v.recv.bytes,
    }
}

fn peer_j(v: &PeerCount) -> PeerCountJ {
    PeerCountJ {
        in_frames: v.inbound.frames,
        in_bytes: v.inbound.bytes,
        out_frames: v.outbound.frames,
        out_bytes: v.outbound.bytes,
    }
}

fn conv_row(a: Addr, a_port: Option<u16>, b: Addr, b_port: Option<u16>, v: &ConvCount) -> ConvRow {
    ConvRow {
        a: Shown(a),
        a_port,
        b: Shown(b),
        b_port,
        frames_ab: v.ab.frames,
        bytes_ab: v.ab.bytes,
        frames_ba: v.ba.frames,
        bytes_ba: v.ba.bytes,
        frames: v.frames(),
        bytes: v.bytes(),
        first: TimeKeys::new("first", v.first()),
        last: TimeKeys::new("last", v.last()),
        duration: seconds(v.last().nanos_since(v.first())),
        initiator: if v.first_ba() { "b" } else { "a" },
    }
}

fn conv_other(v: &ConvCount) -> CountJ {
    CountJ { frames: v.frames(), bytes: v.bytes() }
}

fn node_out(b: &Branch) -> NodeOut {
    NodeOut {
        name: b.proto.name(),
        frames: b.count.frames,
        bytes: b.count.bytes,
        children: b.children.iter().map(node_out).collect(),
    }
}

/// Start of interval `k` of `iv` nanoseconds.
pub fn interval_start(k: i64, iv: u64) -> Timestamp {
    let t = (k as i128).saturating_mul(iv as i128);
    let secs = t.div_euclid(1_000_000_000).clamp(i64::MIN as i128, i64::MAX as i128) as i64;
    Timestamp { secs, nanos: t.rem_euclid(1_000_000_000) as u32 }
}

/// The report of `s`, ready to serialize; `top` cuts every table to its first rows (the
/// report then no longer merges).
pub fn report(s: &Stats, top: Option<usize>) -> ReportOut<'_> {
    let c = &s.config;
    let r = c.reports;
    let config = ConfigOut {
        reports: r.names(),
        interval_ns: c.interval_ns,
        me: c.me.iter().map(|n| n.to_string()).collect(),
        defrag: c.defrag,
        caps: CapsJ {
            hosts: c.caps.hosts,
            conversations: c.caps.conversations,
            names: c.caps.names,
            intervals: c.caps.intervals,
        },
        top,
    };
    let protocols = r.protocols.then(|| {
        let t = &s.transports;
        TransportsJ { tcp: t.tcp.into(), udp: t.udp.into(), icmp: t.icmp.into(), other: t.other.into() }
    });
    let hierarchy = r.hierarchy.then(|| s.tree.branches().iter().map(node_out).collect());
    let hosts = r.hosts.then(|| {
        let row = |k: &Addr, v: &HostCount| HostRow {
            addr: Shown(*k),
            sent_frames: v.sent.frames,
            sent_bytes: v.sent.bytes,
            recv_frames: v.recv.frames,
            recv_bytes: v.recv.bytes,
        };
        TableOut::new(&s.hosts, top, view::by_host, row, host_j(s.hosts.other()))
    });
    let direction = s.direction.as_ref().filter(|_| r.hosts).map(|d| {
        let row = |k: &Addr, v: &PeerCount| PeerRow {
            addr: Shown(*k),
            in_frames: v.inbound.frames,
            in_bytes: v.inbound.bytes,
            out_frames: v.outbound.frames,
            out_bytes: v.outbound.bytes,
        };
        DirectionOut {
            inbound: d.inbound.into(),
            outbound: d.outbound.into(),
            local: d.local.into(),
            transit: d.transit.into(),
            non_ip: d.non_ip.into(),
            peers: TableOut::new(&d.peers, top, view::by_peer, row, peer_j(d.peers.other())),
        }
    });
    let conversations = r.conversations.then(|| {
        let five = |k: &Endpoints, v: &ConvCount| conv_row(k.a, Some(k.a_port), k.b, Some(k.b_port), v);
        ConversationsOut {
            ip: TableOut::new(
                &s.conv_ip,
                top,
                view::by_conv,
                |k: &IpPair, v| conv_row(k.a, None, k.b, None, v),
                conv_other(s.conv_ip.other()),
            ),
            tcp: TableOut::new(&s.conv_tcp, top, view::by_conv, five, conv_other(s.conv_tcp.other())),
            udp: TableOut::new(&s.conv_udp, top, view::by_conv, five, conv_other(s.conv_udp.other())),
        }
    });
    let ports = r.ports.then(|| {
        let row = |k: &Port, v: &Count| PortRow {
            proto: if k.proto == 6 { "tcp" } else { "udp" },
            port: k.port,
            service: view::service(k),
            frames: v.frames,
            bytes: v.bytes,
        };
        TableOut::new(&s.ports, top, view::by_count, row, CountJ::from(*s.ports.other()))
    });
    let names = r.names.then(|| {
        let d = s.dns.other();
        NamesOut {
            dns: TableOut::new(
                &s.dns,
                top,
                view::by_dns,
                |k: &String, v: &DnsCount| DnsRow { name: k, queries: v.queries, responses: v.responses },
                DnsCountJ { queries: d.queries, responses: d.responses },
            ),
            tls_sni: TableOut::new(
                &s.sni,
                top,
                view::by_hits,
                |k: &String, v: &Hits| NameRow { name: k, count: v.0 },
                HitsJ { count: s.sni.other().0 },
            ),
            http_hosts: TableOut::new(
                &s.http,
                top,
                view::by_hits,
                |k: &String, v: &Hits| NameRow { name: k, count: v.0 },
                HitsJ { count: s.http.other().0 },
            ),
        }
    });
    let io = match (r.io, c.interval_ns) {
        (true, Some(iv)) => Some(TableOut::new(
            &s.io,
            top,
            view::by_key,
            move |k: &i64, v: &Count| IntervalRow {
                start: TimeKeys::new("start", interval_start(*k, iv)),
                frames: v.frames,
                bytes: v.bytes,
            },
            CountJ::from(*s.io.other()),
        )),
        _ => None,
    };
    ReportOut {
        schema: SCHEMA,
        config,
        summary: summary_out(&s.summary),
        protocols,
        hierarchy,
        hierarchy_truncated: r.hierarchy && s.tree.truncated,
        hosts,
        direction,
        conversations,
        ports,
        names,
        io,
    }
}

fn summary_out(s: &Summary) -> SummaryOut {
    let dur = s.duration_ns();
    let secs = seconds(dur);
    let per_sec = |x: f64| if dur > 0 { x / secs } else { 0.0 };
    SummaryOut {
        packets: s.packets,
        bytes: s.bytes,
        captured_bytes: s.captured,
        first: (s.packets > 0).then_some(TimeKeys::new("first", s.first)),
        last: (s.packets > 0).then_some(TimeKeys::new("last", s.last)),
        duration: secs,
        average_packet_size: if s.packets > 0 { s.bytes as f64 / s.packets as f64 } else { 0.0 },
        packets_per_second: per_sec(s.packets as f64),
        bits_per_second: per_sec(s.bytes as f64 * 8.0),
        snapped: s.snapped,
        link_types: s
            .linktypes
            .iter()
            .map(|(lt, c)| LinkTypeJ {
                linktype: *lt,
                name: LinkType(*lt).dlt_name().map(String::from),
                frames: c.frames,
                bytes: c.bytes,
            })
            .collect(),
        decode: DecodeJ {
            complete: s.complete,
            truncated: s.truncated,
            invalid: s.invalid,
            unsupported: s.unsupported,
        },
    }
}

// ---------------------------------------------------------------------------------------
// Reading.

/// The whole document as read back.
#[derive(Debug, Deserialize)]
pub struct Report {
    /// [`SCHEMA`].
    pub schema: String,
    /// How the report was made.
    pub config: ConfigJ,
    /// capinfos-like summary (always present).
    pub summary: SummaryJ,
    /// Frames per transport.
    #[serde(default)]
    pub protocols: Option<TransportsJ>,
    /// Protocol hierarchy.
    #[serde(default)]
    pub hierarchy: Option<Vec<NodeJ>>,
    /// True when the hierarchy reached its node cap.
    #[serde(default)]
    pub hierarchy_truncated: bool,
    /// Hosts.
    #[serde(default)]
    pub hosts: Option<TableJ<HostJ, HostCountJ>>,
    /// Traffic relative to `--me`.
    #[serde(default)]
    pub direction: Option<DirectionJ>,
    /// Conversations.
    #[serde(default)]
    pub conversations: Option<ConversationsJ>,
    /// Service ports.
    #[serde(default)]
    pub ports: Option<TableJ<PortJ, CountJ>>,
    /// Application names.
    #[serde(default)]
    pub names: Option<NamesJ>,
    /// I/O per interval.
    #[serde(default)]
    pub io: Option<TableJ<IntervalJ, CountJ>>,
}

/// The configuration.
#[derive(Debug, Deserialize)]
pub struct ConfigJ {
    /// Reports present.
    pub reports: Vec<String>,
    /// I/O interval in nanoseconds.
    pub interval_ns: Option<u64>,
    /// `--me` networks.
    pub me: Vec<String>,
    /// IP reassembly on.
    pub defrag: bool,
    /// Table caps.
    pub caps: CapsJ,
    /// Rows per table when `--top` cut them (such a report cannot be merged).
    pub top: Option<usize>,
}

/// Table caps.
#[derive(Debug, Serialize, Deserialize)]
pub struct CapsJ {
    /// Hosts and peers.
    pub hosts: usize,
    /// Conversations per table.
    pub conversations: usize,
    /// Names per table.
    pub names: usize,
    /// Intervals.
    pub intervals: usize,
}

/// A capped table.
#[derive(Debug, Deserialize)]
pub struct TableJ<E, O> {
    /// Most rows kept.
    pub cap: usize,
    /// True when rows were folded into `other`.
    pub folded: bool,
    /// Kept rows.
    pub rows: Vec<E>,
    /// The folded rows together.
    pub other: O,
}

/// The summary.
#[derive(Debug, Deserialize)]
pub struct SummaryJ {
    /// Frames.
    pub packets: u64,
    /// Bytes on the wire.
    pub bytes: u64,
    /// Bytes captured.
    pub captured_bytes: u64,
    /// Earliest frame time: seconds since the epoch and nanoseconds (`first` itself, the
    /// RFC 3339 text, says the same).
    pub first_sec: Option<i64>,
    /// See `first_sec`.
    pub first_nsec: Option<u32>,
    /// Latest frame time.
    pub last_sec: Option<i64>,
    /// See `last_sec`.
    pub last_nsec: Option<u32>,
    /// Frames cut by the snapshot length.
    pub snapped: u64,
    /// Per link type.
    pub link_types: Vec<LinkTypeJ>,
    /// How far frames decoded.
    pub decode: DecodeJ,
}

/// Frames of one link type.
#[derive(Debug, Serialize, Deserialize)]
pub struct LinkTypeJ {
    /// LINKTYPE_ value.
    pub linktype: u16,
    /// libpcap's name, when known.
    pub name: Option<String>,
    /// Frames.
    pub frames: u64,
    /// Bytes.
    pub bytes: u64,
}

/// Decoding outcomes.
#[derive(Debug, Serialize, Deserialize)]
pub struct DecodeJ {
    /// Decoded to the last layer.
    pub complete: u64,
    /// Stopped at a truncated header.
    pub truncated: u64,
    /// Stopped at an invalid header.
    pub invalid: u64,
    /// Stopped at a protocol pktkit does not decode.
    pub unsupported: u64,
}

/// Per transport.
#[derive(Debug, Serialize, Deserialize)]
pub struct TransportsJ {
    /// TCP.
    pub tcp: CountJ,
    /// UDP.
    pub udp: CountJ,
    /// ICMP and ICMPv6.
    pub icmp: CountJ,
    /// Everything else.
    pub other: CountJ,
}

/// A hierarchy node.
#[derive(Debug, Deserialize)]
pub struct NodeJ {
    /// tshark's protocol name.
    pub name: String,
    /// Frames.
    pub frames: u64,
    /// Bytes.
    pub bytes: u64,
    /// Children.
    #[serde(default)]
    pub children: Vec<NodeJ>,
}

/// A host's counts (also the `other` row).
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct HostCountJ {
    /// Frames sent.
    pub sent_frames: u64,
    /// Bytes sent.
    pub sent_bytes: u64,
    /// Frames received.
    pub recv_frames: u64,
    /// Bytes received.
    pub recv_bytes: u64,
}

/// A host row.
#[derive(Debug, Deserialize)]
pub struct HostJ {
    /// Address.
    pub addr: String,
    /// Frames sent.
    pub sent_frames: u64,
    /// Bytes sent.
    pub sent_bytes: u64,
    /// Frames received.
    pub recv_frames: u64,
    /// Bytes received.
    pub recv_bytes: u64,
}

/// Traffic relative to `--me`.
#[derive(Debug, Deserialize)]
pub struct DirectionJ {
    /// To us.
    pub inbound: CountJ,
    /// From us.
    pub outbound: CountJ,
    /// Between our addresses.
    pub local: CountJ,
    /// Neither side ours.
    pub transit: CountJ,
    /// Not IP.
    pub non_ip: CountJ,
    /// Per remote address.
    pub peers: TableJ<PeerJ, PeerCountJ>,
}

/// A peer's counts (also the `other` row).
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct PeerCountJ {
    /// Frames to us.
    pub in_frames: u64,
    /// Bytes to us.
    pub in_bytes: u64,
    /// Frames from us.
    pub out_frames: u64,
    /// Bytes from us.
    pub out_bytes: u64,
}

/// A peer row.
#[derive(Debug, Deserialize)]
pub struct PeerJ {
    /// Remote address.
    pub addr: String,
    /// Frames to us.
    pub in_frames: u64,
    /// Bytes to us.
    pub in_bytes: u64,
    /// Frames from us.
    pub out_frames: u64,
    /// Bytes from us.
    pub out_bytes: u64,
}

/// Conversation tables.
#[derive(Debug, Deserialize)]
pub struct ConversationsJ {
    /// IPv4 and IPv6 address pairs.
    pub ip: TableJ<ConvJ, CountJ>,
    /// TCP.
    pub tcp: TableJ<ConvJ, CountJ>,
    /// UDP.
    pub udp: TableJ<ConvJ, CountJ>,
}

/// A conversation row; `a` is the smaller endpoint.
#[derive(Debug, Deserialize)]
pub struct ConvJ {
    /// Address A.
    pub a: String,
    /// Port A (TCP and UDP).
    #[serde(default)]
    pub a_port: Option<u16>,
    /// Address B.
    pub b: String,
    /// Port B (TCP and UDP).
    #[serde(default)]
    pub b_port: Option<u16>,
    /// Frames A to B.
    pub frames_ab: u64,
    /// Bytes A to B.
    pub bytes_ab: u64,
    /// Frames B to A.
    pub frames_ba: u64,
    /// Bytes B to A.
    pub bytes_ba: u64,
    /// Earliest packet: seconds since the epoch.
    pub first_sec: i64,
    /// Earliest packet: nanoseconds.
    pub first_nsec: u32,
    /// Latest packet: seconds since the epoch.
    pub last_sec: i64,
    /// Latest packet: nanoseconds.
    pub last_nsec: u32,
    /// Side that sent the earliest packet: "a" or "b".
    pub initiator: String,
}

/// A port row.
#[derive(Debug, Deserialize)]
pub struct PortJ {
    /// "tcp" or "udp".
    pub proto: String,
    /// Port number.
    pub port: u16,
    /// Frames.
    pub frames: u64,
    /// Bytes.
    pub bytes: u64,
}

/// Application names.
#[derive(Debug, Deserialize)]
pub struct NamesJ {
    /// DNS question names.
    pub dns: TableJ<DnsJ, DnsCountJ>,
    /// TLS server names.
    pub tls_sni: TableJ<NameJ, HitsJ>,
    /// HTTP Host headers.
    pub http_hosts: TableJ<NameJ, HitsJ>,
}

/// DNS message counts (also the `other` row).
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct DnsCountJ {
    /// Queries.
    pub queries: u64,
    /// Responses.
    pub responses: u64,
}

/// A DNS name row.
#[derive(Debug, Deserialize)]
pub struct DnsJ {
    /// Name.
    pub name: String,
    /// Queries.
    pub queries: u64,
    /// Responses.
    pub responses: u64,
}

/// Occurrences (the `other` row of a name table).
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct HitsJ {
    /// Count.
    pub count: u64,
}

/// A name row.
#[derive(Debug, Deserialize)]
pub struct NameJ {
    /// Name.
    pub name: String,
    /// Count.
    pub count: u64,
}

/// An interval row.
#[derive(Debug, Deserialize)]
pub struct IntervalJ {
    /// Interval start: seconds since the epoch.
    pub start_sec: i64,
    /// Interval start: nanoseconds.
    pub start_nsec: u32,
    /// Frames.
    pub frames: u64,
    /// Bytes.
    pub bytes: u64,
}

/// The time of `_sec` and `_nsec` keys; an error when the nanoseconds are a second or more.
fn time_of(secs: i64, nanos: u32) -> Result<Timestamp, String> {
    if nanos >= 1_000_000_000 {
        return Err(format!("bad time: {nanos} nanoseconds (expected 0 to 999999999)"));
    }
    Ok(Timestamp { secs, nanos })
}

/// Parses [`time_str`]'s format (also fewer fraction digits, or none).
pub fn parse_time(s: &str) -> Result<Timestamp, String> {
    let bad = || format!("bad time {s:?} (expected decimal seconds like \"1412955323.956615000\")");
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if int.is_empty() || frac.len() > 9 || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let secs: i128 = int.parse().map_err(|_| bad())?;
    let mut ns: i128 = 0;
    for (i, b) in frac.bytes().enumerate() {
        ns += (b - b'0') as i128 * 10i128.pow(8 - i as u32);
    }
    let mut total = secs.checked_mul(1_000_000_000).and_then(|v| v.checked_add(ns)).ok_or_else(bad)?;
    if neg {
        total = -total;
    }
    let secs = total.div_euclid(1_000_000_000);
    if secs < i64::MIN as i128 || secs > i64::MAX as i128 {
        return Err(bad());
    }
    Ok(Timestamp { secs: secs as i64, nanos: total.rem_euclid(1_000_000_000) as u32 })
}

fn addr(s: &str) -> Result<Addr, String> {
    s.parse::<std::net::IpAddr>().map(Addr::from).map_err(|_| format!("bad address {s:?}"))
}

fn rows<E, O, K, V>(
    t: TableJ<E, O>,
    cap: usize,
    row: impl Fn(E) -> Result<(K, V), String>,
    other: impl Fn(O) -> V,
) -> Result<Table<K, V>, String>
where
    K: Rank + std::hash::Hash + Clone,
    V: Merge,
{
    if t.cap != cap {
        return Err(format!("table cap {} differs from the configuration's {cap}", t.cap));
    }
    let entries = t.rows.into_iter().map(row).collect::<Result<Vec<_>, _>>()?;
    Ok(Table::from_parts(cap, entries, other(t.other), t.folded))
}

/// A conversation's ends as read: address A, its port, address B, its port.
type Ends = (Addr, Option<u16>, Addr, Option<u16>);

fn conv_from(c: ConvJ) -> Result<(Ends, ConvCount), String> {
    let first = time_of(c.first_sec, c.first_nsec)?;
    let last = time_of(c.last_sec, c.last_nsec)?;
    let first_ba = match c.initiator.as_str() {
        "a" => false,
        "b" => true,
        other => return Err(format!("bad initiator {other:?}")),
    };
    let v = ConvCount::from_parts(
        Count { frames: c.frames_ab, bytes: c.bytes_ab },
        Count { frames: c.frames_ba, bytes: c.bytes_ba },
        first,
        first_ba,
        last,
    );
    Ok(((addr(&c.a)?, c.a_port, addr(&c.b)?, c.b_port), v))
}

fn conv_other_from(c: CountJ) -> ConvCount {
    ConvCount::from_parts(c.into(), Count::default(), NO_FIRST, false, NO_LAST)
}

fn branch_from(n: NodeJ) -> Result<Branch, String> {
    let proto =
        Proto::from_name(&n.name).ok_or_else(|| format!("unknown protocol {:?} in hierarchy", n.name))?;
    Ok(Branch {
        proto,
        count: Count { frames: n.frames, bytes: n.bytes },
        children: n.children.into_iter().map(branch_from).collect::<Result<_, _>>()?,
    })
}

/// Reads a report back into mergeable state; refuses reports cut by `--top`.
pub fn parse(text: &str) -> Result<Stats, String> {
    let r: Report = serde_json::from_str(text).map_err(|e| format!("not a pkt-stats JSON report: {e}"))?;
    from_report(r)
}

/// Reads every report of `text`: one JSON document, or several one after the other (as
/// NDJSON from several `pkt-stats --json` runs), in order.
pub fn parse_all(text: &str) -> Result<Vec<Stats>, String> {
    let mut out = Vec::new();
    for (i, r) in serde_json::Deserializer::from_str(text).into_iter::<Report>().enumerate() {
        let r = r.map_err(|e| format!("report {}: not a pkt-stats JSON report: {e}", i + 1))?;
        out.push(from_report(r).map_err(|e| format!("report {}: {e}", i + 1))?);
    }
    if out.is_empty() {
        return Err("no report in it".to_string());
    }
    Ok(out)
}

fn from_report(r: Report) -> Result<Stats, String> {
    if r.schema != SCHEMA {
        return Err(format!("schema {:?} is not {SCHEMA:?}", r.schema));
    }
    if let Some(n) = r.config.top {
        return Err(format!("made with --top {n}: its tables are cut, so it cannot be merged"));
    }
    let reports = Reports::from_names(r.config.reports.iter().map(String::as_str))?;
    let mut me = r.config.me.iter().map(|m| Net::parse(m)).collect::<Result<Vec<_>, _>>()?;
    me.sort();
    let caps = Caps {
        hosts: r.config.caps.hosts,
        conversations: r.config.caps.conversations,
        names: r.config.caps.names,
        intervals: r.config.caps.intervals,
    };
    if r.config.interval_ns == Some(0) {
        return Err("interval_ns is 0".to_string());
    }
    let config = Config { interval_ns: r.config.interval_ns, me, defrag: r.config.defrag, caps, reports };
    let mut s = Stats::new(config);
    let missing = |what: &str| format!("report {what:?} is listed in config.reports but missing");
    {
        let j = r.summary;
        let mut linktypes = BTreeMap::new();
        for l in j.link_types {
            linktypes.insert(l.linktype, Count { frames: l.frames, bytes: l.bytes });
        }
        s.summary = Summary {
            packets: j.packets,
            bytes: j.bytes,
            captured: j.captured_bytes,
            first: j.first_sec.zip(j.first_nsec).map(|(s, n)| time_of(s, n)).transpose()?.unwrap_or(NO_FIRST),
            last: j.last_sec.zip(j.last_nsec).map(|(s, n)| time_of(s, n)).transpose()?.unwrap_or(NO_LAST),
            snapped: j.snapped,
            linktypes,
            complete: j.decode.complete,
            truncated: j.decode.truncated,
            invalid: j.decode.invalid,
            unsupported: j.decode.unsupported,
        };
    }
    if reports.protocols {
        let j = r.protocols.ok_or_else(|| missing("protocols"))?;
        s.transports =
            Transports { tcp: j.tcp.into(), udp: j.udp.into(), icmp: j.icmp.into(), other: j.other.into() };
    }
    if reports.hierarchy {
        let j = r.hierarchy.ok_or_else(|| missing("hierarchy"))?;
        let mut t = Tree::default();
        for n in j {
            t.merge_branch(&mut Vec::new(), &branch_from(n)?);
        }
        t.truncated |= r.hierarchy_truncated;
        s.tree = t;
    }
    let host_v = |h: HostCountJ| HostCount {
        sent: Count { frames: h.sent_frames, bytes: h.sent_bytes },
        recv: Count { frames: h.recv_frames, bytes: h.recv_bytes },
    };
    let peer_v = |p: PeerCountJ| PeerCount {
        inbound: Count { frames: p.in_frames, bytes: p.in_bytes },
        outbound: Count { frames: p.out_frames, bytes: p.out_bytes },
    };
    if reports.hosts {
        let j = r.hosts.ok_or_else(|| missing("hosts"))?;
        s.hosts = rows(
            j,
            caps.hosts,
            |h| {
                let c = HostCountJ {
                    sent_frames: h.sent_frames,
                    sent_bytes: h.sent_bytes,
                    recv_frames: h.recv_frames,
                    recv_bytes: h.recv_bytes,
                };
                Ok((addr(&h.addr)?, host_v(c)))
            },
            host_v,
        )?;
        if !s.config.me.is_empty() {
            let d = r.direction.ok_or_else(|| missing("direction"))?;
            s.direction = Some(Direction {
                inbound: d.inbound.into(),
                outbound: d.outbound.into(),
                local: d.local.into(),
                transit: d.transit.into(),
                non_ip: d.non_ip.into(),
                peers: rows(
                    d.peers,
                    caps.hosts,
                    |p| {
                        let c = PeerCountJ {
                            in_frames: p.in_frames,
                            in_bytes: p.in_bytes,
                            out_frames: p.out_frames,
                            out_bytes: p.out_bytes,
                        };
                        Ok((addr(&p.addr)?, peer_v(c)))
                    },
                    peer_v,
                )?,
            });
        }
    }
    if reports.conversations {
        let j = r.conversations.ok_or_else(|| missing("conversations"))?;
        let cap = caps.conversations;
        s.conv_ip = rows(
            j.ip,
            cap,
            |c| {
                let ((a, _, b, _), v) = conv_from(c)?;
                Ok((IpPair { a, b }, v))
            },
            conv_other_from,
        )?;
        let five = |c: ConvJ| {
            let ((a, ap, b, bp), v) = conv_from(c)?;
            let (Some(a_port), Some(b_port)) = (ap, bp) else {
                return Err("TCP/UDP conversation without ports".to_string());
            };
            Ok((Endpoints { a, a_port, b, b_port }, v))
        };
        s.conv_tcp = rows(j.tcp, cap, five, conv_other_from)?;
        s.conv_udp = rows(j.udp, cap, five, conv_other_from)?;
    }
    if reports.ports {
        let j = r.ports.ok_or_else(|| missing("ports"))?;
        let cap = s.ports.cap();
        s.ports = rows(
            j,
            cap,
            |p| {
                let proto = match p.proto.as_str() {
                    "tcp" => 6,
                    "udp" => 17,
                    other => return Err(format!("bad port protocol {other:?}")),
                };
                Ok((Port { proto, port: p.port }, Count { frames: p.frames, bytes: p.bytes }))
            },
            Count::from,
        )?;
    }
    if reports.names {
        let j = r.names.ok_or_else(|| missing("names"))?;
        let dns_v = |c: DnsCountJ| DnsCount { queries: c.queries, responses: c.responses };
        s.dns = rows(
            j.dns,
            caps.names,
            |d| Ok((d.name, DnsCount { queries: d.queries, responses: d.responses })),
            dns_v,
        )?;
        s.sni = rows(j.tls_sni, caps.names, |n| Ok((n.name, Hits(n.count))), |h| Hits(h.count))?;
        s.http = rows(j.http_hosts, caps.names, |n| Ok((n.name, Hits(n.count))), |h| Hits(h.count))?;
    }
    if reports.io && s.config.interval_ns.is_some() {
        let iv = s.config.interval_ns.unwrap_or(1) as i128;
        let j = r.io.ok_or_else(|| missing("io"))?;
        s.io = rows(
            j,
            caps.intervals,
            |i| {
                let start = time_of(i.start_sec, i.start_nsec)?;
                let t = start.as_nanos();
                if t.rem_euclid(iv) != 0 {
                    return Err(format!(
                        "interval start {} is not a multiple of the interval",
                        Rfc3339(start)
                    ));
                }
                let k = t.div_euclid(iv);
                let k = i64::try_from(k).map_err(|_| "interval out of range".to_string())?;
                Ok((k, Count { frames: i.frames, bytes: i.bytes }))
            },
            Count::from,
        )?;
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_round_trips_and_streams() {
        use etherparse::PacketBuilder;
        use pktkit::capture::LinkType;
        use pktkit::decode::{DecodeOptions, decode};
        let config = Config {
            interval_ns: Some(300_000_000),
            me: vec![Net::parse("10.0.0.0/8").unwrap()],
            caps: Caps { hosts: 2, conversations: 2, names: 2, intervals: 2 },
            ..Config::default()
        };
        let mut s = Stats::new(config);
        for i in 0..12u8 {
            let b =
                PacketBuilder::ethernet2([2; 6], [4; 6]).ipv6([i; 16], [9; 16], 64).udp(53, 1000 + i as u16);
            let mut f = Vec::new();
            b.write(
                &mut f,
                &pktkit::proto::dns::build_query(1, true, &format!("h{}.example", i % 3), 1).unwrap(),
            )
            .unwrap();
            let b = PacketBuilder::ethernet2([2; 6], [4; 6])
                .ipv4([10, 0, 0, i], [1, 1, 1, 1], 64)
                .tcp(80, 2, 3, 4);
            let mut g = Vec::new();
            b.write(&mut g, b"GET / HTTP/1.0\r\nHost: x\r\n\r\n").unwrap();
            for (k, frame) in [f, g].iter().enumerate() {
                let d = decode(LinkType::ETHERNET, frame, frame.len() as u32, &DecodeOptions::default());
                let t = Timestamp { secs: -2 + i as i64 / 4, nanos: 100_000_000 * k as u32 };
                s.add(t, frame.len(), frame.len() as u32, &d, true);
            }
        }
        let text = serde_json::to_string(&report(&s, None)).unwrap();
        let back = parse(&text).unwrap();
        assert_eq!(serde_json::to_string(&report(&back, None)).unwrap(), text);
        assert!(s.hosts.folded() && s.conv_tcp.folded() && s.io.folded(), "tables past their caps");
        // Two documents in one input, as from several runs appended to one file.
        let two = parse_all(&format!("{text}\n{text}\n")).unwrap();
        assert_eq!(two.len(), 2);
        let mut m = back.clone();
        m.merge(&two[1]).unwrap();
        assert_eq!(m.summary.packets, 48);
        assert!(parse_all("").is_err());
        assert!(parse_all("{}").is_err());
        let cut = serde_json::to_string(&report(&s, Some(3))).unwrap();
        assert!(parse(&cut).unwrap_err().contains("--top 3"));
    }

    #[test]
    fn times_round_trip() {
        for (t, s) in [
            (Timestamp { secs: 1412955323, nanos: 956615000 }, "1412955323.956615000"),
            (Timestamp { secs: 0, nanos: 0 }, "0.000000000"),
            (Timestamp { secs: -1, nanos: 500_000_000 }, "-0.500000000"),
            (Timestamp { secs: -2, nanos: 0 }, "-2.000000000"),
        ] {
            assert_eq!(time_str(t), s);
            assert_eq!(parse_time(s), Ok(t));
        }
        assert_eq!(parse_time("12.5"), Ok(Timestamp { secs: 12, nanos: 500_000_000 }));
        assert_eq!(parse_time("7"), Ok(Timestamp { secs: 7, nanos: 0 }));
        for bad in ["", ".5", "1.2.3", "1e9", "1.0000000001", "x", "--1", "99999999999999999999999999"] {
            assert!(parse_time(bad).is_err(), "{bad}");
        }
    }
}
