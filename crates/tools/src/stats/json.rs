//! `--json`: the report as one JSON document, schema `pktkit.stats/1` (docs/pkt-stats.md),
//! and reading it back for `--merge`.
//!
//! A report without `--top` holds every kept table row, so reports merge exactly. Times are
//! exact decimal strings of seconds since the epoch (`"1412955323.956615000"`); derived
//! values (durations, rates, totals of a row) are written for convenience and ignored when
//! read back.

use std::collections::BTreeMap;

use pktkit::capture::{LinkType, Timestamp};
use serde::{Deserialize, Serialize};

use super::engine::{Caps, Config, Direction, Net, Reports, Stats, Summary, Transports};
use super::hier::{Branch, Proto, Tree};
use super::keys::{
    Addr, ConvCount, DnsCount, Endpoints, Hits, HostCount, IpPair, NO_FIRST, NO_LAST, PeerCount, Port,
};
use super::table::{Count, Merge, Rank, Table};
use super::view;

/// Schema name and version.
pub const SCHEMA: &str = "pktkit.stats/1";

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

/// The whole document.
#[derive(Debug, Serialize, Deserialize)]
pub struct Report {
    /// [`SCHEMA`].
    pub schema: String,
    /// How the report was made.
    pub config: ConfigJ,
    /// capinfos-like summary (always present).
    pub summary: SummaryJ,
    /// Frames per transport.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocols: Option<TransportsJ>,
    /// Protocol hierarchy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hierarchy: Option<Vec<NodeJ>>,
    /// Hosts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hosts: Option<TableJ<HostJ, HostCountJ>>,
    /// Traffic relative to `--me`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<DirectionJ>,
    /// Conversations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversations: Option<ConversationsJ>,
    /// Service ports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ports: Option<TableJ<PortJ, CountJ>>,
    /// Application names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub names: Option<NamesJ>,
    /// I/O per interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub io: Option<TableJ<IntervalJ, CountJ>>,
}

/// The configuration.
#[derive(Debug, Serialize, Deserialize)]
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
#[derive(Debug, Serialize, Deserialize)]
pub struct TableJ<E, O> {
    /// Most rows kept.
    pub cap: usize,
    /// True when rows were folded into `other`.
    pub folded: bool,
    /// Kept rows (all of them, or the first `top`).
    pub rows: Vec<E>,
    /// Rows present in the table (before `top`).
    pub total_rows: usize,
    /// The folded rows together.
    pub other: O,
}

/// The summary.
#[derive(Debug, Serialize, Deserialize)]
pub struct SummaryJ {
    /// Frames.
    pub packets: u64,
    /// Bytes on the wire.
    pub bytes: u64,
    /// Bytes captured.
    pub captured_bytes: u64,
    /// Earliest frame time.
    pub first: Option<String>,
    /// Latest frame time.
    pub last: Option<String>,
    /// Seconds from first to last (derived).
    #[serde(default)]
    pub duration: f64,
    /// Mean bytes per frame (derived).
    #[serde(default)]
    pub average_packet_size: f64,
    /// Frames per second over the duration (derived).
    #[serde(default)]
    pub packets_per_second: f64,
    /// Bits per second over the duration (derived).
    #[serde(default)]
    pub bits_per_second: f64,
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
#[derive(Debug, Serialize, Deserialize)]
pub struct NodeJ {
    /// tshark's protocol name.
    pub name: String,
    /// Frames.
    pub frames: u64,
    /// Bytes.
    pub bytes: u64,
    /// Children.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<NodeJ>,
}

/// A host's counts.
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
#[derive(Debug, Serialize, Deserialize)]
pub struct HostJ {
    /// Address.
    pub addr: String,
    /// Counts.
    #[serde(flatten)]
    pub count: HostCountJ,
}

/// Traffic relative to `--me`.
#[derive(Debug, Serialize, Deserialize)]
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

/// A peer's counts.
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
#[derive(Debug, Serialize, Deserialize)]
pub struct PeerJ {
    /// Remote address.
    pub addr: String,
    /// Counts.
    #[serde(flatten)]
    pub count: PeerCountJ,
}

/// Conversation tables.
#[derive(Debug, Serialize, Deserialize)]
pub struct ConversationsJ {
    /// IPv4 and IPv6 address pairs.
    pub ip: TableJ<ConvJ, CountJ>,
    /// TCP.
    pub tcp: TableJ<ConvJ, CountJ>,
    /// UDP.
    pub udp: TableJ<ConvJ, CountJ>,
}

/// A conversation row; `a` is the smaller endpoint.
#[derive(Debug, Serialize, Deserialize)]
pub struct ConvJ {
    /// Address A.
    pub a: String,
    /// Port A (TCP and UDP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub a_port: Option<u16>,
    /// Address B.
    pub b: String,
    /// Port B (TCP and UDP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub b_port: Option<u16>,
    /// Frames A to B.
    pub frames_ab: u64,
    /// Bytes A to B.
    pub bytes_ab: u64,
    /// Frames B to A.
    pub frames_ba: u64,
    /// Bytes B to A.
    pub bytes_ba: u64,
    /// Frames both ways (derived).
    #[serde(default)]
    pub frames: u64,
    /// Bytes both ways (derived).
    #[serde(default)]
    pub bytes: u64,
    /// Earliest packet.
    pub first: String,
    /// Latest packet.
    pub last: String,
    /// Seconds from first to last (derived).
    #[serde(default)]
    pub duration: f64,
    /// Side that sent the earliest packet: "a" or "b".
    pub initiator: String,
}

/// A port row.
#[derive(Debug, Serialize, Deserialize)]
pub struct PortJ {
    /// "tcp" or "udp".
    pub proto: String,
    /// Port number.
    pub port: u16,
    /// Well-known service name, when known (derived).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// Frames.
    pub frames: u64,
    /// Bytes.
    pub bytes: u64,
}

/// Application names.
#[derive(Debug, Serialize, Deserialize)]
pub struct NamesJ {
    /// DNS question names.
    pub dns: TableJ<DnsJ, DnsCountJ>,
    /// TLS server names.
    pub tls_sni: TableJ<NameJ, HitsJ>,
    /// HTTP Host headers.
    pub http_hosts: TableJ<NameJ, HitsJ>,
}

/// DNS message counts.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct DnsCountJ {
    /// Queries.
    pub queries: u64,
    /// Responses.
    pub responses: u64,
}

/// A DNS name row.
#[derive(Debug, Serialize, Deserialize)]
pub struct DnsJ {
    /// Name.
    pub name: String,
    /// Counts.
    #[serde(flatten)]
    pub count: DnsCountJ,
}

/// Occurrences.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct HitsJ {
    /// Count.
    pub count: u64,
}

/// A name row.
#[derive(Debug, Serialize, Deserialize)]
pub struct NameJ {
    /// Name.
    pub name: String,
    /// Count.
    pub count: u64,
}

/// An interval row.
#[derive(Debug, Serialize, Deserialize)]
pub struct IntervalJ {
    /// Interval start.
    pub start: String,
    /// Frames.
    pub frames: u64,
    /// Bytes.
    pub bytes: u64,
}

/// Exact decimal seconds: `"-1.500000000"` is 1.5 s before the epoch.
pub fn time_str(t: Timestamp) -> String {
    let n = t.as_nanos();
    let sign = if n < 0 { "-" } else { "" };
    let a = n.unsigned_abs();
    format!("{sign}{}.{:09}", a / 1_000_000_000, a % 1_000_000_000)
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

fn seconds(ns: i128) -> f64 {
    ns as f64 / 1e9
}

fn table_j<K, V, E, O>(
    t: &Table<K, V>,
    top: Option<usize>,
    order: impl Fn(&(&K, &V), &(&K, &V)) -> std::cmp::Ordering,
    row: impl Fn(&K, &V) -> E,
    other: impl Fn(&V) -> O,
) -> TableJ<E, O>
where
    K: Rank + std::hash::Hash + Clone,
    V: Merge,
{
    let rows = view::sorted(t, order);
    let total_rows = rows.len();
    TableJ {
        cap: t.cap(),
        folded: t.folded(),
        rows: rows.into_iter().take(top.unwrap_or(usize::MAX)).map(|(k, v)| row(k, v)).collect(),
        total_rows,
        other: other(t.other()),
    }
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

fn conv_j(a: Addr, ap: Option<u16>, b: Addr, bp: Option<u16>, v: &ConvCount) -> ConvJ {
    ConvJ {
        a: a.to_string(),
        a_port: ap,
        b: b.to_string(),
        b_port: bp,
        frames_ab: v.ab.frames,
        bytes_ab: v.ab.bytes,
        frames_ba: v.ba.frames,
        bytes_ba: v.ba.bytes,
        frames: v.frames(),
        bytes: v.bytes(),
        first: time_str(v.first),
        last: time_str(v.last),
        duration: seconds(v.last.nanos_since(v.first)),
        initiator: if v.first_ba { "b" } else { "a" }.to_string(),
    }
}

fn conv_other(v: &ConvCount) -> CountJ {
    CountJ { frames: v.frames(), bytes: v.bytes() }
}

fn node_j(b: &Branch) -> NodeJ {
    NodeJ {
        name: b.proto.name().to_string(),
        frames: b.count.frames,
        bytes: b.count.bytes,
        children: b.children.iter().map(node_j).collect(),
    }
}

/// The report of `s`; `top` cuts every table to its first rows (the report then no longer
/// merges).
pub fn report(s: &Stats, top: Option<usize>) -> Report {
    let c = &s.config;
    let r = c.reports;
    let config = ConfigJ {
        reports: r.names().into_iter().map(String::from).collect(),
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
    let summary = summary_j(&s.summary);
    let protocols = r.protocols.then(|| {
        let t = &s.transports;
        TransportsJ { tcp: t.tcp.into(), udp: t.udp.into(), icmp: t.icmp.into(), other: t.other.into() }
    });
    let hierarchy = r.hierarchy.then(|| s.tree.branches().iter().map(node_j).collect());
    let hosts = r.hosts.then(|| {
        table_j(&s.hosts, top, view::by_host, |k, v| HostJ { addr: k.to_string(), count: host_j(v) }, host_j)
    });
    let direction = s.direction.as_ref().filter(|_| r.hosts).map(|d| DirectionJ {
        inbound: d.inbound.into(),
        outbound: d.outbound.into(),
        local: d.local.into(),
        transit: d.transit.into(),
        non_ip: d.non_ip.into(),
        peers: table_j(
            &d.peers,
            top,
            view::by_peer,
            |k, v| PeerJ { addr: k.to_string(), count: peer_j(v) },
            peer_j,
        ),
    });
    let conversations = r.conversations.then(|| ConversationsJ {
        ip: table_j(
            &s.conv_ip,
            top,
            view::by_conv,
            |k: &IpPair, v| conv_j(k.a, None, k.b, None, v),
            conv_other,
        ),
        tcp: table_j(
            &s.conv_tcp,
            top,
            view::by_conv,
            |k: &Endpoints, v| conv_j(k.a, Some(k.a_port), k.b, Some(k.b_port), v),
            conv_other,
        ),
        udp: table_j(
            &s.conv_udp,
            top,
            view::by_conv,
            |k: &Endpoints, v| conv_j(k.a, Some(k.a_port), k.b, Some(k.b_port), v),
            conv_other,
        ),
    });
    let ports = r.ports.then(|| {
        table_j(
            &s.ports,
            top,
            view::by_count,
            |k: &Port, v| PortJ {
                proto: if k.proto == 6 { "tcp" } else { "udp" }.to_string(),
                port: k.port,
                service: view::service(k).map(String::from),
                frames: v.frames,
                bytes: v.bytes,
            },
            |v| CountJ::from(*v),
        )
    });
    let names = r.names.then(|| NamesJ {
        dns: table_j(
            &s.dns,
            top,
            view::by_dns,
            |k, v| DnsJ { name: k.clone(), count: DnsCountJ { queries: v.queries, responses: v.responses } },
            |v| DnsCountJ { queries: v.queries, responses: v.responses },
        ),
        tls_sni: table_j(
            &s.sni,
            top,
            view::by_hits,
            |k, v| NameJ { name: k.clone(), count: v.0 },
            |v| HitsJ { count: v.0 },
        ),
        http_hosts: table_j(
            &s.http,
            top,
            view::by_hits,
            |k, v| NameJ { name: k.clone(), count: v.0 },
            |v| HitsJ { count: v.0 },
        ),
    });
    let io = (r.io && c.interval_ns.is_some()).then(|| {
        let iv = c.interval_ns.unwrap_or(1) as i128;
        table_j(
            &s.io,
            top,
            view::by_key,
            |k: &i64, v| IntervalJ {
                start: time_str(Timestamp::new(0, 0).offset_nanos((*k as i128).saturating_mul(iv))),
                frames: v.frames,
                bytes: v.bytes,
            },
            |v| CountJ::from(*v),
        )
    });
    Report {
        schema: SCHEMA.to_string(),
        config,
        summary,
        protocols,
        hierarchy,
        hosts,
        direction,
        conversations,
        ports,
        names,
        io,
    }
}

trait Offset {
    fn offset_nanos(self, n: i128) -> Timestamp;
}

impl Offset for Timestamp {
    fn offset_nanos(self, n: i128) -> Timestamp {
        let t = self.as_nanos() + n;
        let secs = t.div_euclid(1_000_000_000).clamp(i64::MIN as i128, i64::MAX as i128) as i64;
        Timestamp { secs, nanos: t.rem_euclid(1_000_000_000) as u32 }
    }
}

fn summary_j(s: &Summary) -> SummaryJ {
    let dur = s.duration_ns();
    let secs = seconds(dur);
    let per_sec = |x: f64| if dur > 0 { x / secs } else { 0.0 };
    SummaryJ {
        packets: s.packets,
        bytes: s.bytes,
        captured_bytes: s.captured,
        first: (s.packets > 0).then(|| time_str(s.first)),
        last: (s.packets > 0).then(|| time_str(s.last)),
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

fn conv_from(c: ConvJ) -> Result<((Addr, Option<u16>, Addr, Option<u16>), ConvCount), String> {
    let first = parse_time(&c.first)?;
    let last = parse_time(&c.last)?;
    let v = ConvCount {
        ab: Count { frames: c.frames_ab, bytes: c.bytes_ab },
        ba: Count { frames: c.frames_ba, bytes: c.bytes_ba },
        first,
        first_ba: match c.initiator.as_str() {
            "a" => false,
            "b" => true,
            other => return Err(format!("bad initiator {other:?}")),
        },
        last,
    };
    Ok(((addr(&c.a)?, c.a_port, addr(&c.b)?, c.b_port), v))
}

fn conv_other_from(c: CountJ) -> ConvCount {
    ConvCount { ab: c.into(), ba: Count::default(), first: NO_FIRST, first_ba: false, last: NO_LAST }
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
            first: j.first.as_deref().map(parse_time).transpose()?.unwrap_or(NO_FIRST),
            last: j.last.as_deref().map(parse_time).transpose()?.unwrap_or(NO_LAST),
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
        s.hosts = rows(j, caps.hosts, |h| Ok((addr(&h.addr)?, host_v(h.count))), host_v)?;
        if !s.config.me.is_empty() {
            let d = r.direction.ok_or_else(|| missing("direction"))?;
            s.direction = Some(Direction {
                inbound: d.inbound.into(),
                outbound: d.outbound.into(),
                local: d.local.into(),
                transit: d.transit.into(),
                non_ip: d.non_ip.into(),
                peers: rows(d.peers, caps.hosts, |p| Ok((addr(&p.addr)?, peer_v(p.count))), peer_v)?,
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
        s.dns = rows(j.dns, caps.names, |d| Ok((d.name, dns_v(d.count))), dns_v)?;
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
                let t = parse_time(&i.start)?.as_nanos();
                if t.rem_euclid(iv) != 0 {
                    return Err(format!("interval start {} is not a multiple of the interval", i.start));
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
