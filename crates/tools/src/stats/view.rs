//! Row order of every table at output time (deterministic, so equal reports print equal
//! bytes), and the service name shown for a port.

use std::cmp::Ordering;

use super::keys::{ConvCount, DnsCount, Hits, HostCount, PeerCount, Port};
use super::table::{Count, Merge, Rank, Table};

/// The rows of `t` in `order`.
pub fn sorted<K, V>(t: &Table<K, V>, order: impl Fn(&(&K, &V), &(&K, &V)) -> Ordering) -> Vec<(&K, &V)>
where
    K: Rank + std::hash::Hash + Clone,
    V: Merge,
{
    let mut v: Vec<(&K, &V)> = t.iter().collect();
    v.sort_by(order);
    v
}

/// Most bytes first, then most frames, then by key.
fn busiest<K: Ord>(bytes: (u64, u64), frames: (u64, u64), keys: (&K, &K)) -> Ordering {
    bytes.1.cmp(&bytes.0).then(frames.1.cmp(&frames.0)).then(keys.0.cmp(keys.1))
}

/// Hosts: most bytes (sent and received) first.
pub fn by_host<K: Ord>(x: &(&K, &HostCount), y: &(&K, &HostCount)) -> Ordering {
    busiest((x.1.bytes(), y.1.bytes()), (x.1.frames(), y.1.frames()), (x.0, y.0))
}

/// Peers: most bytes first.
pub fn by_peer<K: Ord>(x: &(&K, &PeerCount), y: &(&K, &PeerCount)) -> Ordering {
    busiest((x.1.bytes(), y.1.bytes()), (x.1.frames(), y.1.frames()), (x.0, y.0))
}

/// Conversations: most bytes first.
pub fn by_conv<K: Ord>(x: &(&K, &ConvCount), y: &(&K, &ConvCount)) -> Ordering {
    busiest((x.1.bytes(), y.1.bytes()), (x.1.frames(), y.1.frames()), (x.0, y.0))
}

/// Counters: most bytes first.
pub fn by_count<K: Ord>(x: &(&K, &Count), y: &(&K, &Count)) -> Ordering {
    busiest((x.1.bytes, y.1.bytes), (x.1.frames, y.1.frames), (x.0, y.0))
}

/// DNS names: most messages first.
pub fn by_dns<K: Ord>(x: &(&K, &DnsCount), y: &(&K, &DnsCount)) -> Ordering {
    let (a, b) = (x.1.messages(), y.1.messages());
    b.cmp(&a).then(y.1.queries.cmp(&x.1.queries)).then(x.0.cmp(y.0))
}

/// Names: most occurrences first.
pub fn by_hits<K: Ord>(x: &(&K, &Hits), y: &(&K, &Hits)) -> Ordering {
    y.1.0.cmp(&x.1.0).then(x.0.cmp(y.0))
}

/// By key (time order for intervals).
pub fn by_key<K: Ord, V>(x: &(&K, &V), y: &(&K, &V)) -> Ordering {
    x.0.cmp(y.0)
}

/// The service name of a port, for display: [`pktkit::services`]' name on that transport.
pub fn service(p: &Port) -> Option<&'static str> {
    pktkit::services::service_name_on(p.port, p.proto == pktkit::proto::ip_proto::TCP)
}
