//! Writing the report: rows streamed straight from the tables, times as exact strings.

use std::fmt;

use pktkit::capture::{LinkType, Timestamp};
use pktkit::render::time::TimeKeys;
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};

use super::super::engine::{Stats, Summary};
use super::super::hier::Branch;
use super::super::keys::{Addr, ConvCount, DnsCount, Endpoints, Hits, HostCount, IpPair, PeerCount, Port};
use super::super::table::{Count, Merge, Rank, Table};
use super::super::view;
use super::SCHEMA;
use super::read::{CapsJ, DecodeJ, DnsCountJ, HitsJ, HostCountJ, LinkTypeJ, PeerCountJ, TransportsJ};

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
            proto: k.transport_name(),
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
