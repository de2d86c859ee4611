//! Table keys (addresses, conversations, ports, names, intervals) and their values.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use pktkit::capture::Timestamp;
use pktkit::proto::ip_proto;

use super::table::{Count, Merge, Rank, stable_hash};

/// An IPv4 or IPv6 address, compact and ordered (every IPv4 address before every IPv6 one).
///
/// Equality and hashing read the address as one integer (the derived ones hash a length and
/// compare bytes), which matters at several table updates per packet.
#[derive(Clone, Copy, Debug, Eq, PartialOrd, Ord)]
pub enum Addr {
    /// IPv4.
    V4([u8; 4]),
    /// IPv6.
    V6([u8; 16]),
}

impl Addr {
    /// As a standard-library address.
    pub fn ip(self) -> IpAddr {
        match self {
            Addr::V4(a) => IpAddr::V4(Ipv4Addr::from(a)),
            Addr::V6(a) => IpAddr::V6(Ipv6Addr::from(a)),
        }
    }

    /// True for IPv6.
    pub fn is_v6(self) -> bool {
        matches!(self, Addr::V6(_))
    }

    fn feed(self, buf: &mut [u8; 40], at: usize) -> usize {
        match self {
            Addr::V4(a) => {
                buf[at] = 4;
                buf[at + 1..at + 5].copy_from_slice(&a);
                at + 5
            }
            Addr::V6(a) => {
                buf[at] = 6;
                buf[at + 1..at + 17].copy_from_slice(&a);
                at + 17
            }
        }
    }
}

impl PartialEq for Addr {
    #[inline]
    fn eq(&self, o: &Self) -> bool {
        match (self, o) {
            (Addr::V4(a), Addr::V4(b)) => u32::from_ne_bytes(*a) == u32::from_ne_bytes(*b),
            (Addr::V6(a), Addr::V6(b)) => u128::from_ne_bytes(*a) == u128::from_ne_bytes(*b),
            _ => false,
        }
    }
}

impl std::hash::Hash for Addr {
    #[inline]
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        match self {
            Addr::V4(a) => h.write_u32(u32::from_ne_bytes(*a)),
            Addr::V6(a) => h.write_u128(u128::from_ne_bytes(*a)),
        }
    }
}

impl From<IpAddr> for Addr {
    fn from(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(a) => Addr::V4(a.octets()),
            IpAddr::V6(a) => Addr::V6(a.octets()),
        }
    }
}

impl fmt::Display for Addr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.ip().fmt(f)
    }
}

impl Rank for Addr {
    fn rank(&self) -> u64 {
        let mut b = [0u8; 40];
        let n = self.feed(&mut b, 0);
        stable_hash(&b[..n])
    }
}

/// An address pair, smaller address first (`conv,ip` / `conv,ipv6`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IpPair {
    /// The smaller address.
    pub a: Addr,
    /// The larger address.
    pub b: Addr,
}

impl IpPair {
    /// The pair of `src` and `dst`, and whether the packet goes from `a` to `b`.
    #[inline]
    pub fn new(src: Addr, dst: Addr) -> (IpPair, bool) {
        if src <= dst { (IpPair { a: src, b: dst }, true) } else { (IpPair { a: dst, b: src }, false) }
    }
}

impl Rank for IpPair {
    fn rank(&self) -> u64 {
        let mut b = [0u8; 40];
        let n = self.a.feed(&mut b, 0);
        let n = self.b.feed(&mut b, n);
        stable_hash(&b[..n])
    }
}

/// Two endpoints (address and port), smaller endpoint first (`conv,tcp` / `conv,udp`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Endpoints {
    /// The smaller address.
    pub a: Addr,
    /// Its port.
    pub a_port: u16,
    /// The larger address.
    pub b: Addr,
    /// Its port.
    pub b_port: u16,
}

impl Endpoints {
    /// The endpoints of a packet, and whether it goes from `a` to `b`.
    #[inline]
    pub fn new(src: Addr, sport: u16, dst: Addr, dport: u16) -> (Endpoints, bool) {
        if (src, sport) <= (dst, dport) {
            (Endpoints { a: src, a_port: sport, b: dst, b_port: dport }, true)
        } else {
            (Endpoints { a: dst, a_port: dport, b: src, b_port: sport }, false)
        }
    }
}

impl Rank for Endpoints {
    fn rank(&self) -> u64 {
        let mut b = [0u8; 40];
        let n = self.a.feed(&mut b, 0);
        b[n..n + 2].copy_from_slice(&self.a_port.to_be_bytes());
        let n = self.b.feed(&mut b, n + 2);
        b[n..n + 2].copy_from_slice(&self.b_port.to_be_bytes());
        stable_hash(&b[..n + 2])
    }
}

/// A transport protocol and port: the ports table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Port {
    /// 6 (TCP) or 17 (UDP).
    pub proto: u8,
    /// The service port.
    pub port: u16,
}

impl Port {
    /// `tcp` or `udp`, as the reports name the transport.
    pub fn transport_name(&self) -> &'static str {
        if self.proto == ip_proto::TCP { "tcp" } else { "udp" }
    }
}

impl Rank for Port {
    fn rank(&self) -> u64 {
        let [h, l] = self.port.to_be_bytes();
        stable_hash(&[self.proto, h, l])
    }
}

impl Rank for String {
    fn rank(&self) -> u64 {
        stable_hash(self.as_bytes())
    }
}

/// An interval's index: its start is `index * interval` nanoseconds since the epoch.
impl Rank for i64 {
    /// The index itself (order-preserving), so a capped series keeps its earliest intervals.
    fn rank(&self) -> u64 {
        (*self as u64) ^ (1 << 63)
    }
}

/// A host's traffic.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HostCount {
    /// Frames and bytes it sent.
    pub sent: Count,
    /// Frames and bytes it received.
    pub recv: Count,
}

impl HostCount {
    /// Total bytes both ways.
    pub fn bytes(&self) -> u64 {
        self.sent.bytes.saturating_add(self.recv.bytes)
    }

    /// Total frames both ways.
    pub fn frames(&self) -> u64 {
        self.sent.frames.saturating_add(self.recv.frames)
    }
}

impl Merge for HostCount {
    fn merge(&mut self, o: &Self) {
        self.sent.merge(&o.sent);
        self.recv.merge(&o.recv);
    }
}

/// A peer's traffic with the `--me` addresses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PeerCount {
    /// From the peer to us.
    pub inbound: Count,
    /// From us to the peer.
    pub outbound: Count,
}

impl PeerCount {
    /// Total bytes both ways.
    pub fn bytes(&self) -> u64 {
        self.inbound.bytes.saturating_add(self.outbound.bytes)
    }

    /// Total frames both ways.
    pub fn frames(&self) -> u64 {
        self.inbound.frames.saturating_add(self.outbound.frames)
    }
}

impl Merge for PeerCount {
    fn merge(&mut self, o: &Self) {
        self.inbound.merge(&o.inbound);
        self.outbound.merge(&o.outbound);
    }
}

/// Sentinel "no packet yet" times: every real time is between them.
pub const NO_FIRST: Timestamp = Timestamp { secs: i64::MAX, nanos: 999_999_999 };
/// See [`NO_FIRST`].
pub const NO_LAST: Timestamp = Timestamp { secs: i64::MIN, nanos: 0 };

/// A conversation's traffic each way and its time span (56 bytes: the times are packed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConvCount {
    /// From `a` to `b`.
    pub ab: Count,
    /// From `b` to `a`.
    pub ba: Count,
    first_secs: i64,
    last_secs: i64,
    /// Nanoseconds of the first packet times 2, plus 1 when it went from `b` to `a`: the
    /// pair (secs, this) orders as (time, direction).
    first_frac: u32,
    last_nanos: u32,
}

impl Default for ConvCount {
    fn default() -> Self {
        ConvCount::from_parts(Count::default(), Count::default(), NO_FIRST, false, NO_LAST)
    }
}

impl ConvCount {
    /// A conversation from its parts.
    pub fn from_parts(ab: Count, ba: Count, first: Timestamp, first_ba: bool, last: Timestamp) -> Self {
        ConvCount {
            ab,
            ba,
            first_secs: first.secs,
            last_secs: last.secs,
            first_frac: first.nanos.min(999_999_999) * 2 + first_ba as u32,
            last_nanos: last.nanos,
        }
    }

    /// Earliest packet time.
    pub fn first(&self) -> Timestamp {
        Timestamp { secs: self.first_secs, nanos: self.first_frac / 2 }
    }

    /// True when the earliest packet went from `b` to `a` (when packets both ways share the
    /// earliest time, `a` to `b` wins, so the answer does not depend on packet order).
    pub fn first_ba(&self) -> bool {
        self.first_frac & 1 == 1
    }

    /// Latest packet time.
    pub fn last(&self) -> Timestamp {
        Timestamp { secs: self.last_secs, nanos: self.last_nanos }
    }

    /// Counts a packet of `bytes` at `ts`, from `a` to `b` when `ab`.
    #[inline]
    pub fn add(&mut self, ab: bool, bytes: u64, ts: Timestamp) {
        if ab {
            self.ab.add(bytes)
        } else {
            self.ba.add(bytes)
        }
        let frac = ts.nanos.min(999_999_999) * 2 + !ab as u32;
        if (ts.secs, frac) < (self.first_secs, self.first_frac) {
            self.first_secs = ts.secs;
            self.first_frac = frac;
        }
        if (ts.secs, ts.nanos) > (self.last_secs, self.last_nanos) {
            self.last_secs = ts.secs;
            self.last_nanos = ts.nanos;
        }
    }

    /// Frames both ways.
    pub fn frames(&self) -> u64 {
        self.ab.frames.saturating_add(self.ba.frames)
    }

    /// Bytes both ways.
    pub fn bytes(&self) -> u64 {
        self.ab.bytes.saturating_add(self.ba.bytes)
    }
}

impl Merge for ConvCount {
    fn merge(&mut self, o: &Self) {
        self.ab.merge(&o.ab);
        self.ba.merge(&o.ba);
        if (o.first_secs, o.first_frac) < (self.first_secs, self.first_frac) {
            self.first_secs = o.first_secs;
            self.first_frac = o.first_frac;
        }
        if (o.last_secs, o.last_nanos) > (self.last_secs, self.last_nanos) {
            self.last_secs = o.last_secs;
            self.last_nanos = o.last_nanos;
        }
    }
}

/// DNS messages naming a domain (first question).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DnsCount {
    /// Queries.
    pub queries: u64,
    /// Responses.
    pub responses: u64,
}

impl DnsCount {
    /// Queries and responses (saturating: counts from merged reports can be anything).
    pub fn messages(&self) -> u64 {
        self.queries.saturating_add(self.responses)
    }
}

impl Merge for DnsCount {
    fn merge(&mut self, o: &Self) {
        self.queries = self.queries.saturating_add(o.queries);
        self.responses = self.responses.saturating_add(o.responses);
    }
}

/// A plain number of occurrences.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Hits(pub u64);

impl Merge for Hits {
    fn merge(&mut self, o: &Self) {
        self.0 = self.0.saturating_add(o.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: i64) -> Timestamp {
        Timestamp { secs: s, nanos: 0 }
    }

    #[test]
    fn totals_of_counts_near_u64_max_saturate() {
        let big = DnsCount { queries: u64::MAX, responses: 1 };
        assert_eq!(big.messages(), u64::MAX);
        // Found by the stats_merge fuzz target: ranking two such names overflowed.
        let (a, b) = ("a".to_string(), "b".to_string());
        assert_eq!(crate::stats::view::by_dns(&(&a, &big), &(&b, &big)), std::cmp::Ordering::Less);
        let c = Count { frames: u64::MAX, bytes: u64::MAX };
        let host = HostCount { sent: c, recv: c };
        assert_eq!((host.frames(), host.bytes()), (u64::MAX, u64::MAX));
    }

    #[test]
    fn pairs_are_canonical() {
        let x = Addr::V4([10, 0, 0, 2]);
        let y = Addr::V4([10, 0, 0, 1]);
        assert_eq!(IpPair::new(x, y), (IpPair { a: y, b: x }, false));
        assert_eq!(IpPair::new(y, x), (IpPair { a: y, b: x }, true));
        let (e, ab) = Endpoints::new(x, 53, y, 40000);
        assert_eq!((e.a, e.a_port, e.b, e.b_port, ab), (y, 40000, x, 53, false));
        // Same address both sides: the port decides.
        let (e, ab) = Endpoints::new(x, 9, x, 7);
        assert_eq!((e.a_port, e.b_port, ab), (7, 9, false));
        assert!(Addr::V4([255; 4]) < Addr::V6([0; 16]));
    }

    #[test]
    fn conversation_first_is_order_independent() {
        let mut one = ConvCount::default();
        one.add(false, 10, ts(5));
        one.add(true, 20, ts(5));
        one.add(true, 30, ts(9));
        let mut other = ConvCount::default();
        other.add(true, 30, ts(9));
        other.add(true, 20, ts(5));
        other.add(false, 10, ts(5));
        assert_eq!(one, other);
        assert_eq!((one.first(), one.first_ba(), one.last()), (ts(5), false, ts(9)));
        assert_eq!(std::mem::size_of::<ConvCount>(), 56);
        assert_eq!((one.ab, one.ba), (Count { frames: 2, bytes: 50 }, Count { frames: 1, bytes: 10 }));
        let mut halves = ConvCount::default();
        let mut h2 = ConvCount::default();
        halves.add(true, 30, ts(9));
        h2.add(false, 10, ts(5));
        h2.add(true, 20, ts(5));
        halves.merge(&h2);
        assert_eq!(halves, one);
    }

    #[test]
    fn interval_rank_keeps_order() {
        assert!((-5i64).rank() < 0i64.rank());
        assert!(0i64.rank() < 7i64.rank());
        assert!(i64::MIN.rank() < i64::MAX.rank());
    }
}
