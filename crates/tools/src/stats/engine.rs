//! The aggregation engine: one call per decoded frame updates every report; two engines over
//! parts of a capture merge into the engine of the whole.

use std::collections::BTreeMap;

use etherparse::{LaxNetSlice, TransportSlice};
use pktkit::capture::Timestamp;
use pktkit::decode::{DecodeOptions, Decoded, StopKind};
use pktkit::proto::ip_proto;

use super::hier::{Path, Tree, bad_ipv4_length};
use super::keys::{
    Addr, ConvCount, DnsCount, Endpoints, Hits, HostCount, IpPair, NO_FIRST, NO_LAST, PeerCount, Port,
};
use super::names;
use super::table::{Count, Merge, Table};

/// Table caps. Each capped table keeps at most this many keys and folds the rest into
/// `other` (see [`super::table`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Caps {
    /// Hosts (and `--me` peers).
    pub hosts: usize,
    /// Conversations, per table (IP pairs, TCP, UDP).
    pub conversations: usize,
    /// DNS names, TLS server names and HTTP hosts, per table.
    pub names: usize,
    /// I/O intervals (the earliest are kept).
    pub intervals: usize,
}

impl Default for Caps {
    fn default() -> Self {
        // Each leaves room in its hash table's bucket count (2^17, 2^18, 2^14, 2^17), so a
        // full table folds keys without rebuilding often (see `Table::insert_new`).
        Caps { hosts: 100_000, conversations: 200_000, names: 10_000, intervals: 100_000 }
    }
}

/// Which reports are computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reports {
    /// Capture summary (capinfos).
    pub summary: bool,
    /// Frames per transport (TCP, UDP, ICMP, other).
    pub protocols: bool,
    /// Protocol hierarchy (io,phs).
    pub hierarchy: bool,
    /// Hosts (top talkers), and `--me` directions.
    pub hosts: bool,
    /// Conversations (conv,ip / conv,tcp / conv,udp).
    pub conversations: bool,
    /// Service ports.
    pub ports: bool,
    /// DNS names, TLS server names, HTTP hosts.
    pub names: bool,
    /// I/O per interval.
    pub io: bool,
}

impl Reports {
    /// Every report.
    pub const ALL: Reports = Reports {
        summary: true,
        protocols: true,
        hierarchy: true,
        hosts: true,
        conversations: true,
        ports: true,
        names: true,
        io: true,
    };

    /// Names of the enabled reports, in a fixed order.
    pub fn names(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        for (on, name) in [
            (self.summary, "summary"),
            (self.protocols, "protocols"),
            (self.hierarchy, "hierarchy"),
            (self.hosts, "hosts"),
            (self.conversations, "conversations"),
            (self.ports, "ports"),
            (self.names, "names"),
            (self.io, "io"),
        ] {
            if on {
                v.push(name);
            }
        }
        v
    }

    /// The reports named in `names` (as [`Self::names`] gives them).
    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Reports, String> {
        let mut r = Reports {
            summary: false,
            protocols: false,
            hierarchy: false,
            hosts: false,
            conversations: false,
            ports: false,
            names: false,
            io: false,
        };
        for n in names {
            match n {
                "summary" => r.summary = true,
                "protocols" => r.protocols = true,
                "hierarchy" => r.hierarchy = true,
                "hosts" => r.hosts = true,
                "conversations" => r.conversations = true,
                "ports" => r.ports = true,
                "names" => r.names = true,
                "io" => r.io = true,
                other => return Err(format!("unknown report {other:?}")),
            }
        }
        Ok(r)
    }
}

/// An address or network given with `--me`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Net {
    /// The address (host bits cleared).
    pub addr: Addr,
    /// Prefix length.
    pub prefix: u8,
}

impl Net {
    /// Parses `ADDR` or `ADDR/PREFIX`.
    pub fn parse(s: &str) -> Result<Net, String> {
        let (a, p) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let ip: std::net::IpAddr =
            a.parse().map_err(|_| format!("{s:?} is not an IP address or ADDR/PREFIX network"))?;
        let addr = Addr::from(ip);
        let max = if addr.is_v6() { 128 } else { 32 };
        let prefix = match p {
            None => max,
            Some(p) => match p.parse::<u8>() {
                Ok(n) if n <= max => n,
                _ => return Err(format!("{s:?}: prefix length must be 0 to {max}")),
            },
        };
        Ok(Net { addr: mask(addr, prefix), prefix })
    }

    /// True when `a` is in this network.
    #[inline]
    pub fn contains(&self, a: Addr) -> bool {
        a.is_v6() == self.addr.is_v6() && mask(a, self.prefix) == self.addr
    }
}

impl std::fmt::Display for Net {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let max = if self.addr.is_v6() { 128 } else { 32 };
        if self.prefix == max {
            write!(f, "{}", self.addr)
        } else {
            write!(f, "{}/{}", self.addr, self.prefix)
        }
    }
}

fn mask(a: Addr, prefix: u8) -> Addr {
    fn cut<const N: usize>(mut b: [u8; N], prefix: u8) -> [u8; N] {
        for (i, byte) in b.iter_mut().enumerate() {
            let keep = (prefix as usize).saturating_sub(i * 8).min(8);
            *byte &= if keep == 0 { 0 } else { 0xffu8 << (8 - keep) };
        }
        b
    }
    match a {
        Addr::V4(b) => Addr::V4(cut(b, prefix)),
        Addr::V6(b) => Addr::V6(cut(b, prefix)),
    }
}

/// What a report was made with; reports merge only when their configurations are equal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// I/O interval in nanoseconds (intervals start at multiples of it since the epoch).
    pub interval_ns: Option<u64>,
    /// `--me` networks, sorted.
    pub me: Vec<Net>,
    /// IP fragments reassembled before the transport layer is read.
    pub defrag: bool,
    /// Table caps.
    pub caps: Caps,
    /// Reports computed.
    pub reports: Reports,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            interval_ns: None,
            me: Vec::new(),
            defrag: true,
            caps: Caps::default(),
            reports: Reports::ALL,
        }
    }
}

/// The capinfos-like summary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// Frames.
    pub packets: u64,
    /// Bytes on the wire.
    pub bytes: u64,
    /// Bytes captured.
    pub captured: u64,
    /// Earliest frame time ([`NO_FIRST`] when there is none).
    pub first: Timestamp,
    /// Latest frame time ([`NO_LAST`] when there is none).
    pub last: Timestamp,
    /// Frames cut by the snapshot length.
    pub snapped: u64,
    /// Frames and bytes per link type.
    pub linktypes: BTreeMap<u16, Count>,
    /// Frames decoded to their last layer.
    pub complete: u64,
    /// Frames whose decoding stopped at a truncated header.
    pub truncated: u64,
    /// Frames whose decoding stopped at an invalid header.
    pub invalid: u64,
    /// Frames with a protocol pktkit does not decode.
    pub unsupported: u64,
}

impl Default for Summary {
    fn default() -> Self {
        Summary {
            packets: 0,
            bytes: 0,
            captured: 0,
            first: NO_FIRST,
            last: NO_LAST,
            snapped: 0,
            linktypes: BTreeMap::new(),
            complete: 0,
            truncated: 0,
            invalid: 0,
            unsupported: 0,
        }
    }
}

impl Summary {
    /// Adds another summary.
    pub fn merge(&mut self, o: &Summary) {
        self.packets = self.packets.saturating_add(o.packets);
        self.bytes = self.bytes.saturating_add(o.bytes);
        self.captured = self.captured.saturating_add(o.captured);
        self.first = self.first.min(o.first);
        self.last = self.last.max(o.last);
        self.snapped = self.snapped.saturating_add(o.snapped);
        for (lt, c) in &o.linktypes {
            self.linktypes.entry(*lt).or_default().merge(c);
        }
        self.complete = self.complete.saturating_add(o.complete);
        self.truncated = self.truncated.saturating_add(o.truncated);
        self.invalid = self.invalid.saturating_add(o.invalid);
        self.unsupported = self.unsupported.saturating_add(o.unsupported);
    }

    /// True when a packet or byte counter is at `u64::MAX`, where merged sums saturate.
    pub fn at_limit(&self) -> bool {
        [self.packets, self.bytes, self.captured].contains(&u64::MAX)
    }

    /// Nanoseconds from the first to the last frame (0 without two frames).
    pub fn duration_ns(&self) -> i128 {
        if self.packets == 0 { 0 } else { self.last.nanos_since(self.first).max(0) }
    }
}

/// Frames per transport of the outermost IP header.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Transports {
    /// TCP.
    pub tcp: Count,
    /// UDP.
    pub udp: Count,
    /// ICMP and ICMPv6.
    pub icmp: Count,
    /// Everything else, non-IP frames included.
    pub other: Count,
}

/// Traffic relative to the `--me` networks (outermost IP header).
#[derive(Clone, Debug)]
pub struct Direction {
    /// To us from elsewhere.
    pub inbound: Count,
    /// From us to elsewhere.
    pub outbound: Count,
    /// Between two of our addresses.
    pub local: Count,
    /// Neither side is ours.
    pub transit: Count,
    /// Not IP.
    pub non_ip: Count,
    /// Per remote address.
    pub peers: Table<Addr, PeerCount>,
}

impl Direction {
    fn new(cap: usize) -> Self {
        Direction {
            inbound: Count::default(),
            outbound: Count::default(),
            local: Count::default(),
            transit: Count::default(),
            non_ip: Count::default(),
            peers: Table::new(cap),
        }
    }
}

/// Every report's state.
#[derive(Clone, Debug)]
pub struct Stats {
    /// How it was made.
    pub config: Config,
    /// capinfos-like summary.
    pub summary: Summary,
    /// Per transport.
    pub transports: Transports,
    /// Protocol hierarchy.
    pub tree: Tree,
    /// Per host.
    pub hosts: Table<Addr, HostCount>,
    /// `--me` directions, when `--me` was given.
    pub direction: Option<Direction>,
    /// IP address pairs (IPv4 and IPv6).
    pub conv_ip: Table<IpPair, ConvCount>,
    /// TCP endpoint pairs.
    pub conv_tcp: Table<Endpoints, ConvCount>,
    /// UDP endpoint pairs.
    pub conv_udp: Table<Endpoints, ConvCount>,
    /// Service ports (the lower port of each TCP or UDP packet).
    pub ports: Table<Port, Count>,
    /// DNS names (first question), queries and responses.
    pub dns: Table<String, DnsCount>,
    /// TLS server names (ClientHello SNI).
    pub sni: Table<String, Hits>,
    /// HTTP Host headers of requests.
    pub http: Table<String, Hits>,
    /// Frames and bytes per interval.
    pub io: Table<i64, Count>,
}

impl Stats {
    /// Empty reports with configuration `config`.
    pub fn new(config: Config) -> Self {
        let c = config.caps;
        Stats {
            summary: Summary::default(),
            transports: Transports::default(),
            tree: Tree::default(),
            hosts: Table::new(c.hosts),
            direction: (!config.me.is_empty()).then(|| Direction::new(c.hosts)),
            conv_ip: Table::new(c.conversations),
            conv_tcp: Table::new(c.conversations),
            conv_udp: Table::new(c.conversations),
            // Every (protocol, port) fits: ports are never folded.
            ports: Table::new(2 * 65_536),
            dns: Table::new(c.names),
            sni: Table::new(c.names),
            http: Table::new(c.names),
            io: Table::new(c.intervals),
            config,
        }
    }

    /// Counts one frame: `caplen` bytes captured of `orig_len` on the wire, at `ts`, decoded as
    /// `d` (after reassembly, when this frame completed a datagram). `layers` false leaves the
    /// frame out of the per-IP-header reports (hosts, conversations, ports, names): tshark
    /// does so for an IPv6 fragment whose datagram is not complete yet.
    pub fn add(&mut self, ts: Timestamp, caplen: usize, orig_len: u32, d: &Decoded<'_>, layers: bool) {
        let bytes = orig_len as u64;
        let r = self.config.reports;
        // The summary is always kept (cheap, and times in other reports are relative to it);
        // `reports.summary` only decides whether it is printed.
        {
            let s = &mut self.summary;
            s.packets += 1;
            s.bytes += bytes;
            s.captured += caplen as u64;
            if ts < s.first {
                s.first = ts;
            }
            if ts > s.last {
                s.last = ts;
            }
            if (caplen as u64) < bytes {
                s.snapped += 1;
            }
            s.linktypes.entry(d.linktype.0).or_default().add(bytes);
            match d.stop.map(|s| s.kind) {
                None => s.complete += 1,
                Some(StopKind::Truncated { .. }) => s.truncated += 1,
                Some(StopKind::Invalid(_)) => s.invalid += 1,
                Some(StopKind::Unsupported(_)) => s.unsupported += 1,
            }
        }
        if r.protocols {
            let t = &mut self.transports;
            let c = match d.net.as_ref().and_then(|n| n.ip_payload_ref()).map(|p| p.ip_number.0) {
                Some(ip_proto::TCP) => &mut t.tcp,
                Some(ip_proto::UDP) => &mut t.udp,
                Some(ip_proto::ICMP | ip_proto::ICMPV6) => &mut t.icmp,
                _ => &mut t.other,
            };
            c.add(bytes);
        }
        if r.io
            && let Some(iv) = self.config.interval_ns
        {
            self.io.slot(interval_index(ts, iv)).add(bytes);
        }
        if self.direction.is_some() {
            self.direction_of(d, bytes);
        }
        let per_layer = layers && (r.hosts || r.conversations || r.ports || r.names);
        let mut path = Path::default();
        if r.hierarchy {
            path.extend(d, false);
        }
        if per_layer {
            self.layer(d, ts, bytes);
        }
        // Tunnels (GRE, VXLAN, GTP-U, IP in IP, MPLS, PPPoE): the inner packets continue the
        // path and count in the per-IP-header reports too, as in tshark.
        if r.hierarchy || per_layer {
            for inner in d.tunnels(TUNNEL_DECODE) {
                if r.hierarchy {
                    path.extend(&inner, true);
                }
                if per_layer {
                    self.layer(&inner, ts, bytes);
                }
            }
        }
        if r.hierarchy {
            self.tree.add(path.as_slice(), bytes);
        }
    }

    /// The per-IP-layer reports: hosts, conversations, ports, names.
    fn layer(&mut self, d: &Decoded<'_>, ts: Timestamp, bytes: u64) {
        let r = self.config.reports;
        let Some((src, dst)) = addresses(d) else { return };
        if r.hosts {
            self.hosts.slot(src).sent.add(bytes);
            self.hosts.slot(dst).recv.add(bytes);
        }
        if r.conversations {
            let (pair, ab) = IpPair::new(src, dst);
            self.conv_ip.slot(pair).add(ab, bytes, ts);
        }
        // A fragment not reassembled counts for its IP hosts only, as in tshark (the decoder
        // reads a first fragment's transport header; its datagram counts once reassembled).
        if d.net.as_ref().and_then(|n| n.ip_payload_ref()).is_some_and(|p| p.fragmented) {
            return;
        }
        let (sport, dport, tcp) = match &d.transport {
            Some(TransportSlice::Tcp(t)) => (t.source_port(), t.destination_port(), true),
            Some(TransportSlice::Udp(u)) => (u.source_port(), u.destination_port(), false),
            _ => return,
        };
        if r.conversations {
            let (e, ab) = Endpoints::new(src, sport, dst, dport);
            let table = if tcp { &mut self.conv_tcp } else { &mut self.conv_udp };
            table.slot(e).add(ab, bytes, ts);
        }
        if r.ports {
            let proto = if tcp { ip_proto::TCP } else { ip_proto::UDP };
            self.ports.slot(Port { proto, port: sport.min(dport) }).add(bytes);
        }
        if r.names
            && let Some(app) = d.app
        {
            names::count(&app, &mut self.dns, &mut self.sni, &mut self.http);
        }
    }

    fn direction_of(&mut self, d: &Decoded<'_>, bytes: u64) {
        let Some(dir) = self.direction.as_mut() else { return };
        let Some((src, dst)) = addresses(d) else {
            dir.non_ip.add(bytes);
            return;
        };
        let me = &self.config.me;
        let (s, t) = (me.iter().any(|n| n.contains(src)), me.iter().any(|n| n.contains(dst)));
        match (s, t) {
            (true, true) => dir.local.add(bytes),
            (true, false) => {
                dir.outbound.add(bytes);
                dir.peers.slot(dst).outbound.add(bytes);
            }
            (false, true) => {
                dir.inbound.add(bytes);
                dir.peers.slot(src).inbound.add(bytes);
            }
            (false, false) => dir.transit.add(bytes),
        }
    }

    /// Adds `other` (reports over other packets, same configuration) into `self`.
    pub fn merge(&mut self, o: &Stats) -> Result<(), String> {
        if self.config != o.config {
            return Err(config_difference(&self.config, &o.config));
        }
        self.summary.merge(&o.summary);
        let (t, ot) = (&mut self.transports, &o.transports);
        for (a, b) in
            [(&mut t.tcp, ot.tcp), (&mut t.udp, ot.udp), (&mut t.icmp, ot.icmp), (&mut t.other, ot.other)]
        {
            a.merge(&b);
        }
        self.tree.merge(&o.tree);
        self.hosts.merge(&o.hosts);
        if let (Some(d), Some(od)) = (self.direction.as_mut(), o.direction.as_ref()) {
            for (a, b) in [
                (&mut d.inbound, od.inbound),
                (&mut d.outbound, od.outbound),
                (&mut d.local, od.local),
                (&mut d.transit, od.transit),
                (&mut d.non_ip, od.non_ip),
            ] {
                a.merge(&b);
            }
            d.peers.merge(&od.peers);
        }
        self.conv_ip.merge(&o.conv_ip);
        self.conv_tcp.merge(&o.conv_tcp);
        self.conv_udp.merge(&o.conv_udp);
        self.ports.merge(&o.ports);
        self.dns.merge(&o.dns);
        self.sni.merge(&o.sni);
        self.http.merge(&o.http);
        self.io.merge(&o.io);
        Ok(())
    }
}

fn config_difference(a: &Config, b: &Config) -> String {
    let what = if a.interval_ns != b.interval_ns {
        "--interval"
    } else if a.me != b.me {
        "--me"
    } else if a.defrag != b.defrag {
        "--no-defrag"
    } else if a.caps != b.caps {
        "table caps (--max-*)"
    } else {
        "report selection"
    };
    format!("reports made with different {what} cannot be merged")
}

/// The interval index of `ts`: intervals start at whole multiples of `interval_ns` since the
/// epoch, so reports of different parts of a capture line up.
pub fn interval_index(ts: Timestamp, interval_ns: u64) -> i64 {
    let n = ts.as_nanos().div_euclid(interval_ns as i128);
    n.clamp(i64::MIN as i128, i64::MAX as i128) as i64
}

const TUNNEL_DECODE: DecodeOptions = DecodeOptions { app: true };

/// Source and destination of the IP header of `d`.
#[inline]
fn addresses(d: &Decoded<'_>) -> Option<(Addr, Addr)> {
    if bad_ipv4_length(d) {
        return None;
    }
    match &d.net {
        Some(LaxNetSlice::Ipv4(ip)) => {
            let h = ip.header();
            Some((Addr::V4(h.source()), Addr::V4(h.destination())))
        }
        Some(LaxNetSlice::Ipv6(ip)) => {
            let h = ip.header();
            Some((Addr::V6(h.source()), Addr::V6(h.destination())))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use etherparse::PacketBuilder;
    use pktkit::capture::LinkType;
    use pktkit::decode::decode;

    const A: [u8; 4] = [10, 0, 0, 1];
    const B: [u8; 4] = [10, 0, 0, 2];
    const C: [u8; 4] = [192, 168, 1, 9];

    fn udp(src: [u8; 4], dst: [u8; 4], sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
        let b = PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2])
            .ipv4(src, dst, 64)
            .udp(sport, dport);
        let mut v = Vec::new();
        b.write(&mut v, payload).unwrap();
        v
    }

    fn tcp(src: [u8; 4], dst: [u8; 4], sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
        let b = PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2])
            .ipv4(src, dst, 64)
            .tcp(sport, dport, 1, 1000);
        let mut v = Vec::new();
        b.write(&mut v, payload).unwrap();
        v
    }

    fn icmp(src: [u8; 4], dst: [u8; 4]) -> Vec<u8> {
        let b = PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2])
            .ipv4(src, dst, 64)
            .icmpv4_echo_request(1, 1);
        let mut v = Vec::new();
        b.write(&mut v, b"ping").unwrap();
        v
    }

    fn ts(secs: i64, nanos: u32) -> Timestamp {
        Timestamp { secs, nanos }
    }

    fn feed(s: &mut Stats, at: Timestamp, frame: &[u8]) {
        let d = decode(LinkType::ETHERNET, frame, frame.len() as u32, &DecodeOptions::default());
        s.add(at, frame.len(), frame.len() as u32, &d, true);
    }

    fn dns(name: &str, response: bool) -> Vec<u8> {
        let mut q = pktkit::proto::dns::build_query(9, true, name, 1).unwrap();
        if response {
            q[2] |= 0x80;
        }
        q
    }

    #[test]
    fn summary_report() {
        let mut s = Stats::new(Config::default());
        let f = udp(A, B, 1, 2, b"abc");
        feed(&mut s, ts(20, 5), &f);
        feed(&mut s, ts(10, 7), &f);
        let d = decode(LinkType::ETHERNET, &f[..20], f.len() as u32, &DecodeOptions::default());
        s.add(ts(15, 0), 20, f.len() as u32, &d, true);
        let m = &s.summary;
        assert_eq!((m.packets, m.bytes, m.captured), (3, 3 * f.len() as u64, 2 * f.len() as u64 + 20));
        assert_eq!((m.first, m.last), (ts(10, 7), ts(20, 5)), "earliest and latest, not first and last read");
        assert_eq!(m.duration_ns(), 9_999_999_998);
        assert_eq!(m.snapped, 1);
        assert_eq!((m.complete, m.truncated), (2, 1));
        assert_eq!(m.linktypes[&1], Count { frames: 3, bytes: 3 * f.len() as u64 });
    }

    #[test]
    fn protocols_report() {
        let mut s = Stats::new(Config::default());
        feed(&mut s, ts(1, 0), &udp(A, B, 1, 2, b""));
        feed(&mut s, ts(1, 0), &tcp(A, B, 1, 2, b""));
        feed(&mut s, ts(1, 0), &tcp(A, B, 1, 2, b""));
        feed(&mut s, ts(1, 0), &icmp(A, B));
        let arp = [[0xffu8; 6].as_slice(), &[2, 0, 0, 0, 0, 1], &[8, 6], &[0; 28]].concat();
        feed(&mut s, ts(1, 0), &arp);
        let t = s.transports;
        assert_eq!((t.tcp.frames, t.udp.frames, t.icmp.frames, t.other.frames), (2, 1, 1, 1));
        assert_eq!(t.other.bytes, 42);
    }

    #[test]
    fn hierarchy_report() {
        let mut s = Stats::new(Config::default());
        feed(&mut s, ts(1, 0), &udp(A, B, 5000, 53, &dns("a.example", false)));
        feed(&mut s, ts(1, 0), &tcp(A, B, 5000, 80, b"GET / HTTP/1.1\r\nHost: h\r\n\r\n"));
        let b = s.tree.branches();
        let eth = &b[0];
        assert_eq!((eth.proto, eth.count.frames), (super::super::hier::Proto::Eth, 2));
        let ip = &eth.children[0];
        let names: Vec<(&str, u64, &str)> = ip
            .children
            .iter()
            .map(|c| (c.proto.name(), c.count.frames, c.children[0].proto.name()))
            .collect();
        assert!(names.contains(&("udp", 1, "dns")) && names.contains(&("tcp", 1, "http")), "{names:?}");
    }

    #[test]
    fn hosts_report() {
        let mut s = Stats::new(Config::default());
        let f = udp(A, B, 1, 2, b"xy");
        let n = f.len() as u64;
        feed(&mut s, ts(1, 0), &f);
        feed(&mut s, ts(1, 0), &f);
        feed(&mut s, ts(1, 0), &udp(B, A, 2, 1, b"xy"));
        feed(&mut s, ts(1, 0), &udp(C, C, 7, 7, b"xy"));
        let a = s.hosts.get(&Addr::V4(A)).unwrap();
        assert_eq!((a.sent, a.recv), (Count { frames: 2, bytes: 2 * n }, Count { frames: 1, bytes: n }));
        let c = s.hosts.get(&Addr::V4(C)).unwrap();
        assert_eq!((c.sent.frames, c.recv.frames), (1, 1), "a host talking to itself sends and receives");
    }

    #[test]
    fn conversations_report() {
        let mut s = Stats::new(Config::default());
        feed(&mut s, ts(5, 0), &tcp(B, A, 80, 4000, b""));
        feed(&mut s, ts(3, 0), &tcp(A, B, 4000, 80, b""));
        feed(&mut s, ts(9, 0), &tcp(A, B, 4000, 80, b"zz"));
        feed(&mut s, ts(4, 0), &udp(A, B, 53, 53, b""));
        let pair = s.conv_ip.get(&IpPair { a: Addr::V4(A), b: Addr::V4(B) }).unwrap();
        assert_eq!((pair.ab.frames, pair.ba.frames), (3, 1));
        let (e, _) = Endpoints::new(Addr::V4(A), 4000, Addr::V4(B), 80);
        let c = s.conv_tcp.get(&e).unwrap();
        assert_eq!(
            (c.ab.frames, c.ba.frames, c.first(), c.last(), c.first_ba()),
            (2, 1, ts(3, 0), ts(9, 0), false)
        );
        assert_eq!(s.conv_udp.len(), 1);
    }

    #[test]
    fn tunnels_count_inner_conversations() {
        // IPv4 in IPv4 (protocol 4): tshark counts both address pairs.
        let inner = PacketBuilder::ipv4(C, [8, 8, 8, 8], 64).udp(1234, 53);
        let mut ip = Vec::new();
        inner.write(&mut ip, &dns("x.example", false)).unwrap();
        let outer = PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2]).ipv4(A, B, 64);
        let mut f = Vec::new();
        outer.write(&mut f, etherparse::IpNumber(4), &ip).unwrap();
        let mut s = Stats::new(Config::default());
        feed(&mut s, ts(1, 0), &f);
        assert_eq!(s.conv_ip.len(), 2);
        assert_eq!(s.conv_udp.len(), 1);
        let path: Vec<&str> = {
            let mut v = Vec::new();
            let mut b = s.tree.branches();
            while let Some(n) = b.pop() {
                v.push(n.proto.name());
                b = n.children;
            }
            v
        };
        assert_eq!(path, ["eth", "ip", "ip", "udp", "dns"]);
        assert_eq!(s.dns.get(&"x.example".to_string()), Some(&DnsCount { queries: 1, responses: 0 }));
    }

    #[test]
    fn ports_report() {
        let mut s = Stats::new(Config::default());
        feed(&mut s, ts(1, 0), &tcp(A, B, 51000, 443, b""));
        feed(&mut s, ts(1, 0), &tcp(B, A, 443, 51000, b""));
        feed(&mut s, ts(1, 0), &udp(A, B, 5353, 5353, b""));
        assert_eq!(s.ports.get(&Port { proto: 6, port: 443 }).map(|c| c.frames), Some(2));
        assert_eq!(s.ports.get(&Port { proto: 17, port: 5353 }).map(|c| c.frames), Some(1));
        assert_eq!(s.ports.len(), 2);
    }

    #[test]
    fn names_report() {
        let mut s = Stats::new(Config::default());
        feed(&mut s, ts(1, 0), &udp(A, B, 5000, 53, &dns("WWW.Example.org", false)));
        feed(&mut s, ts(1, 0), &udp(B, A, 53, 5000, &dns("www.example.org", true)));
        feed(&mut s, ts(1, 0), &tcp(A, B, 5001, 80, b"GET /x HTTP/1.1\r\nHost: Web.Example\r\n\r\n"));
        feed(&mut s, ts(1, 0), &tcp(B, A, 80, 5001, b"HTTP/1.1 200 OK\r\nHost: not-a-request\r\n\r\n"));
        assert_eq!(s.dns.get(&"www.example.org".to_string()), Some(&DnsCount { queries: 1, responses: 1 }));
        assert_eq!(s.http.get(&"web.example".to_string()), Some(&Hits(1)));
        assert_eq!(s.http.len(), 1);
        assert!(s.sni.is_empty());
    }

    #[test]
    fn io_report() {
        let config = Config { interval_ns: Some(2_000_000_000), ..Config::default() };
        let mut s = Stats::new(config);
        let f = udp(A, B, 1, 2, b"");
        for t in [ts(100, 0), ts(101, 999_999_999), ts(102, 0), ts(107, 1)] {
            feed(&mut s, t, &f);
        }
        let mut rows: Vec<(i64, u64)> = s.io.iter().map(|(k, v)| (*k, v.frames)).collect();
        rows.sort();
        assert_eq!(rows, [(50, 2), (51, 1), (53, 1)]);
    }

    #[test]
    fn direction_report() {
        let config = Config { me: vec![Net::parse("10.0.0.0/30").unwrap()], ..Config::default() };
        let mut s = Stats::new(config);
        feed(&mut s, ts(1, 0), &udp(A, C, 1, 2, b""));
        feed(&mut s, ts(1, 0), &udp(C, A, 2, 1, b""));
        feed(&mut s, ts(1, 0), &udp(C, B, 2, 1, b""));
        feed(&mut s, ts(1, 0), &udp(A, B, 2, 1, b""));
        feed(&mut s, ts(1, 0), &udp(C, [1, 1, 1, 1], 2, 1, b""));
        let d = s.direction.as_ref().unwrap();
        assert_eq!((d.outbound.frames, d.inbound.frames, d.local.frames, d.transit.frames), (1, 2, 1, 1));
        let p = d.peers.get(&Addr::V4(C)).unwrap();
        assert_eq!((p.outbound.frames, p.inbound.frames), (1, 2));
        assert_eq!(d.peers.len(), 1);
    }

    #[test]
    fn capped_tables_fold_and_merge() {
        let caps = Caps { hosts: 3, conversations: 2, names: 1, intervals: 2 };
        let config = Config { caps, interval_ns: Some(1_000_000_000), ..Config::default() };
        let frames: Vec<(Timestamp, Vec<u8>)> = (0..40u8)
            .map(|i| {
                (
                    ts(i as i64 % 7, 0),
                    udp(
                        [10, 0, i % 9, 1],
                        [10, 1, 0, i % 4],
                        1000 + i as u16,
                        53,
                        &dns(&format!("n{}.x", i % 5), false),
                    ),
                )
            })
            .collect();
        let mut whole = Stats::new(config.clone());
        for (t, f) in &frames {
            feed(&mut whole, *t, f);
        }
        assert!(whole.hosts.folded() && whole.conv_ip.folded() && whole.dns.folded() && whole.io.folded());
        assert_eq!(whole.hosts.len(), 3);
        let kept: u64 = whole.hosts.iter().map(|(_, v)| v.frames()).sum();
        assert_eq!(kept + whole.hosts.other().frames(), 80, "every frame counts twice (sender, receiver)");
        let mut a = Stats::new(config.clone());
        let mut b = Stats::new(config.clone());
        for (i, (t, f)) in frames.iter().enumerate() {
            feed(if i % 3 == 0 { &mut a } else { &mut b }, *t, f);
        }
        b.merge(&a).unwrap();
        let text = |s: &Stats| serde_json::to_string(&super::super::json::report(s, None)).unwrap();
        assert_eq!(text(&b), text(&whole));
        let other = Stats::new(Config { defrag: false, ..config });
        assert!(b.merge(&other).is_err());
    }

    #[test]
    fn networks() {
        let n = Net::parse("10.1.2.3/8").unwrap();
        assert_eq!(n.to_string(), "10.0.0.0/8");
        assert!(n.contains(Addr::V4([10, 200, 0, 1])));
        assert!(!n.contains(Addr::V4([11, 0, 0, 1])));
        let h = Net::parse("192.168.1.139").unwrap();
        assert!(h.contains(Addr::V4([192, 168, 1, 139])) && !h.contains(Addr::V4([192, 168, 1, 138])));
        let v6 = Net::parse("fe80::1/10").unwrap();
        assert!(v6.contains("fe80::abcd".parse::<std::net::IpAddr>().unwrap().into()));
        assert!(!v6.contains(Addr::V4([10, 0, 0, 1])));
        assert!(Net::parse("10.0.0.1/33").is_err());
        assert!(Net::parse("host").is_err());
        assert_eq!(Net::parse("0.0.0.0/0").unwrap().to_string(), "0.0.0.0/0");
    }

    #[test]
    fn intervals_align_to_the_epoch() {
        let s = 1_000_000_000;
        assert_eq!(interval_index(Timestamp { secs: 10, nanos: 999_999_999 }, s), 10);
        assert_eq!(interval_index(Timestamp { secs: 11, nanos: 0 }, s), 11);
        assert_eq!(interval_index(Timestamp { secs: 11, nanos: 0 }, 5 * s), 2);
        assert_eq!(interval_index(Timestamp { secs: -1, nanos: 500_000_000 }, s), -1);
    }

    #[test]
    fn report_names_round_trip() {
        assert_eq!(Reports::from_names(Reports::ALL.names()).unwrap(), Reports::ALL);
        assert!(Reports::from_names(["bogus"]).is_err());
    }
}
