//! Reading a report back for `--merge`: the document's types, then the tables rebuilt from
//! them (derived values are ignored).

use std::collections::BTreeMap;

use pktkit::capture::Timestamp;
use pktkit::proto::ip_proto;
use pktkit::render::time::Rfc3339;
use serde::{Deserialize, Serialize};

use super::super::engine::{Caps, Config, Direction, Net, Reports, Stats, Summary, Transports};
use super::super::hier::{Branch, Proto, Tree};
use super::super::keys::{
    Addr, ConvCount, DnsCount, Endpoints, Hits, HostCount, IpPair, NO_FIRST, NO_LAST, PeerCount, Port,
};
use super::super::table::{Count, Merge, Rank, Table};
use super::SCHEMA;
use super::write::CountJ;

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

/// Parses [`time_str`](super::time_str)'s format (also fewer fraction digits, or none).
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
                    "tcp" => ip_proto::TCP,
                    "udp" => ip_proto::UDP,
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
