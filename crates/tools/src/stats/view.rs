//! Row order of every table at output time (deterministic, so equal reports print equal
//! bytes) and well-known service names.

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

/// The IANA service name of a well-known port, for display.
pub fn service(p: &Port) -> Option<&'static str> {
    let tcp = p.proto == 6;
    Some(match p.port {
        20 if tcp => "ftp-data",
        21 if tcp => "ftp",
        22 if tcp => "ssh",
        23 if tcp => "telnet",
        25 if tcp => "smtp",
        53 => "domain",
        67 if !tcp => "bootps",
        68 if !tcp => "bootpc",
        69 if !tcp => "tftp",
        80 if tcp => "http",
        88 => "kerberos",
        110 if tcp => "pop3",
        111 => "sunrpc",
        123 if !tcp => "ntp",
        137 if !tcp => "netbios-ns",
        138 if !tcp => "netbios-dgm",
        139 if tcp => "netbios-ssn",
        143 if tcp => "imap",
        161 if !tcp => "snmp",
        162 if !tcp => "snmptrap",
        179 if tcp => "bgp",
        389 => "ldap",
        443 if tcp => "https",
        443 => "https (QUIC)",
        445 if tcp => "microsoft-ds",
        465 if tcp => "submissions",
        500 if !tcp => "isakmp",
        514 if !tcp => "syslog",
        546 if !tcp => "dhcpv6-client",
        547 if !tcp => "dhcpv6-server",
        587 if tcp => "submission",
        636 if tcp => "ldaps",
        853 => "domain-s",
        993 if tcp => "imaps",
        995 if tcp => "pop3s",
        1194 => "openvpn",
        1433 if tcp => "ms-sql-s",
        1812 if !tcp => "radius",
        1900 if !tcp => "ssdp",
        2049 => "nfs",
        2152 if !tcp => "gtp-user",
        3306 if tcp => "mysql",
        3389 => "ms-wbt-server",
        4789 if !tcp => "vxlan",
        5060 => "sip",
        5353 if !tcp => "mdns",
        5355 if !tcp => "llmnr",
        5432 if tcp => "postgresql",
        6379 if tcp => "redis",
        8080 if tcp => "http-alt",
        8443 if tcp => "https-alt",
        _ => return None,
    })
}
