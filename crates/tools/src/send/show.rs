//! How pkt-send shows a packet (`--show`, `--sr1` answers): one tcpdump-like line, or one
//! JSON record with pkt-decode's key names (schema `pktkit.decode/1`).
//!
//! Interim: pkt-decode's renderer is not merged yet. [`text`] and [`json`] are the only
//! two entry points, so switching to pkt-decode's text and JSON writers is a change here.

use std::fmt::Write as _;
use std::net::IpAddr;

use pktkit::capture::{LinkType, Packet, Precision};
use pktkit::rewrite::{Field, Layout, Value};
use serde_json::{Map, Value as Json, json};

fn mac(m: &[u8]) -> String {
    m.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(":")
}

fn num(l: &Layout, d: &[u8], f: Field) -> u64 {
    match l.get(d, f) {
        Some(Value::Num(n)) => n,
        Some(Value::Bool(b)) => u64::from(b),
        _ => 0,
    }
}

fn ip(l: &Layout, d: &[u8], f: Field) -> String {
    match l.get(d, f) {
        Some(Value::Ip(a)) => a.to_string(),
        _ => "?".to_string(),
    }
}

fn proto_name(p: u64) -> String {
    match p {
        1 => "ICMP".into(),
        2 => "IGMP".into(),
        4 => "IPIP".into(),
        6 => "TCP".into(),
        17 => "UDP".into(),
        41 => "IPv6".into(),
        47 => "GRE".into(),
        58 => "ICMPv6".into(),
        59 => "NoNext".into(),
        _ => format!("proto-{p}"),
    }
}

fn tcp_flags(f: u64) -> String {
    let mut s = String::new();
    for (bit, c) in
        [(0x02, 'S'), (0x01, 'F'), (0x08, 'P'), (0x04, 'R'), (0x20, 'U'), (0x40, 'E'), (0x80, 'W')]
    {
        if f & bit != 0 {
            s.push(c);
        }
    }
    if f & 0x10 != 0 {
        s.push('.');
    }
    if s.is_empty() { "none".into() } else { s }
}

/// A tcpdump-like one-line summary of a frame of `linktype` (`orig_len` bytes on the wire).
pub fn summary(linktype: LinkType, d: &[u8], orig_len: u32) -> String {
    let l = Layout::parse(linktype, d);
    let mut s = String::new();
    if let Some(e) = l.eth {
        let ty = u16::from_be_bytes([d[e + 12], d[e + 13]]);
        let name = match ty {
            0x0800 => "IPv4",
            0x86dd => "IPv6",
            0x0806 => "ARP",
            0x8100 => "802.1Q",
            _ => "Unknown",
        };
        let _ = write!(
            s,
            "{} > {}, ethertype {name} (0x{ty:04x}), length {orig_len}: ",
            mac(&d[e + 6..e + 12]),
            mac(&d[e..e + 6])
        );
        for n in 0..l.vlans.len() {
            let _ = write!(s, "vlan {}, p {}, ", num(&l, d, Field::VlanId(n)), num(&l, d, Field::VlanPcp(n)));
        }
    }
    if l.arp.is_some() {
        let (spa, tpa) = (ip(&l, d, Field::ArpSenderIp), ip(&l, d, Field::ArpTargetIp));
        let _ = match num(&l, d, Field::ArpOp) {
            1 => write!(s, "ARP, Request who-has {tpa} tell {spa}, length 28"),
            2 => {
                let sha = match l.get(d, Field::ArpSenderMac) {
                    Some(Value::Mac(m)) => mac(&m),
                    _ => "?".into(),
                };
                write!(s, "ARP, Reply {spa} is-at {sha}, length 28")
            }
            op => write!(s, "ARP, op {op}, sender {spa}, target {tpa}, length 28"),
        };
        return s;
    }
    let (src, dst, proto) = if let Some(i) = l.ipv4 {
        let flags = match (num(&l, d, Field::Ipv4Df), num(&l, d, Field::Ipv4Mf)) {
            (1, 1) => "DF+MF",
            (1, 0) => "DF",
            (0, 1) => "+",
            _ => "none",
        };
        let p = u64::from(d[i + 9]);
        let _ = write!(
            s,
            "IP (tos 0x{:x}, ttl {}, id {}, offset {}, flags [{flags}], proto {} ({p}), length {}) ",
            num(&l, d, Field::Ipv4Tos),
            num(&l, d, Field::Ipv4Ttl),
            num(&l, d, Field::Ipv4Id),
            num(&l, d, Field::Ipv4FragOffset),
            proto_name(p),
            num(&l, d, Field::Ipv4Len)
        );
        (ip(&l, d, Field::Ipv4Src), ip(&l, d, Field::Ipv4Dst), l.transport.map(|t| t.1))
    } else if l.ipv6.is_some() {
        let nh = num(&l, d, Field::Ipv6NextHeader);
        let _ = write!(
            s,
            "IP6 (hlim {}, next-header {} ({nh}), payload length {}) ",
            num(&l, d, Field::Ipv6HopLimit),
            proto_name(nh),
            num(&l, d, Field::Ipv6PayloadLen)
        );
        (ip(&l, d, Field::Ipv6Src), ip(&l, d, Field::Ipv6Dst), l.transport.map(|t| t.1))
    } else {
        let _ = write!(s, "{} bytes of link type {linktype}", d.len());
        return s;
    };
    let Some((t, p)) = l.transport.zip(proto).map(|((t, _), p)| (t, p)) else {
        let _ = write!(s, "{src} > {dst}: ip-proto");
        return s;
    };
    let ip_end = match (l.ipv4, l.ipv6) {
        (Some(i), _) => i + num(&l, d, Field::Ipv4Len) as usize,
        (_, Some(i)) => i + 40 + num(&l, d, Field::Ipv6PayloadLen) as usize,
        _ => d.len(),
    };
    let seg_len = ip_end.saturating_sub(t);
    let _ = match p {
        6 => {
            let hlen = usize::from(d[t + 12] >> 4) * 4;
            write!(
                s,
                "{src}.{} > {dst}.{}: Flags [{}], seq {}, ack {}, win {}, length {}",
                num(&l, d, Field::TcpSrcPort),
                num(&l, d, Field::TcpDstPort),
                tcp_flags(num(&l, d, Field::TcpFlags)),
                num(&l, d, Field::TcpSeq),
                num(&l, d, Field::TcpAck),
                num(&l, d, Field::TcpWindow),
                seg_len.saturating_sub(hlen)
            )
        }
        17 => write!(
            s,
            "{src}.{} > {dst}.{}: UDP, length {}",
            num(&l, d, Field::UdpSrcPort),
            num(&l, d, Field::UdpDstPort),
            num(&l, d, Field::UdpLen).saturating_sub(8)
        ),
        1 => write!(s, "{src} > {dst}: ICMP {}, length {seg_len}", icmp_text(&l, d, t, false)),
        _ => write!(s, "{src} > {dst}: ICMP6, {}, length {seg_len}", icmp_text(&l, d, t, true)),
    };
    s
}

fn icmp_text(l: &Layout, d: &[u8], t: usize, v6: bool) -> String {
    let (ty, code) = (d[t], d[t + 1]);
    let ids = || format!("id {}, seq {}", num(l, d, Field::IcmpId), num(l, d, Field::IcmpSeq));
    // The quoted packet of an error, for "udp port 9 unreachable".
    let quoted = || {
        let q = Layout::parse(LinkType::RAW, d.get(t + 8..).unwrap_or(&[]));
        let qd = d.get(t + 8..).unwrap_or(&[]);
        match q.transport {
            Some((_, 17)) => format!(
                "{} udp port {}",
                ip(&q, qd, if v6 { Field::Ipv6Dst } else { Field::Ipv4Dst }),
                num(&q, qd, Field::UdpDstPort)
            ),
            Some((_, 6)) => format!(
                "{} tcp port {}",
                ip(&q, qd, if v6 { Field::Ipv6Dst } else { Field::Ipv4Dst }),
                num(&q, qd, Field::TcpDstPort)
            ),
            _ => "?".to_string(),
        }
    };
    let tgt = || {
        d.get(t + 8..t + 24).map_or("?".to_string(), |b| {
            let mut a = [0u8; 16];
            a.copy_from_slice(b);
            std::net::Ipv6Addr::from(a).to_string()
        })
    };
    match (v6, ty, code) {
        (false, 0, _) => format!("echo reply, {}", ids()),
        (false, 8, _) => format!("echo request, {}", ids()),
        (false, 3, 3) => format!("{} unreachable", quoted()),
        (false, 3, 1) => "host unreachable".into(),
        (false, 3, 13) => "administratively prohibited".into(),
        (false, 3, c) => format!("unreachable code {c}"),
        (false, 11, 0) => "time exceeded in-transit".into(),
        (false, 13, _) => format!("time stamp query, {}", ids()),
        (false, 14, _) => format!("time stamp reply, {}", ids()),
        (true, 128, _) => format!("echo request, {}", ids()),
        (true, 129, _) => format!("echo reply, {}", ids()),
        (true, 1, 4) => format!("{} unreachable port", quoted()),
        (true, 1, c) => format!("destination unreachable code {c}"),
        (true, 3, _) => "time exceeded in-transit".into(),
        (true, 133, _) => "router solicitation".into(),
        (true, 134, _) => "router advertisement".into(),
        (true, 135, _) => format!("neighbor solicitation, who has {}", tgt()),
        (true, 136, _) => format!("neighbor advertisement, tgt is {}", tgt()),
        _ => format!("type {ty}, code {code}"),
    }
}

/// The text form of a packet (what `--show` prints).
pub fn text(pkt: &Packet<'_>) -> String {
    summary(pkt.linktype(), pkt.data, pkt.orig_len)
}

/// `(section, key, field)`: the pkt-decode JSON keys that map to header fields, read by
/// [`json`] and written back by `--from-json`.
pub const FIELDS: &[(&str, &str, Field)] = &[
    ("eth", "src", Field::EthSrc),
    ("eth", "dst", Field::EthDst),
    ("eth", "type", Field::EthType),
    ("arp", "op", Field::ArpOp),
    ("arp", "sender_mac", Field::ArpSenderMac),
    ("arp", "target_mac", Field::ArpTargetMac),
    ("arp", "sender_ip", Field::ArpSenderIp),
    ("arp", "target_ip", Field::ArpTargetIp),
    ("ipv4", "src", Field::Ipv4Src),
    ("ipv4", "dst", Field::Ipv4Dst),
    ("ipv4", "tos", Field::Ipv4Tos),
    ("ipv4", "len", Field::Ipv4Len),
    ("ipv4", "id", Field::Ipv4Id),
    ("ipv4", "df", Field::Ipv4Df),
    ("ipv4", "mf", Field::Ipv4Mf),
    ("ipv4", "frag_offset", Field::Ipv4FragOffset),
    ("ipv4", "ttl", Field::Ipv4Ttl),
    ("ipv4", "proto", Field::Ipv4Proto),
    ("ipv4", "checksum", Field::Ipv4Checksum),
    ("ipv6", "src", Field::Ipv6Src),
    ("ipv6", "dst", Field::Ipv6Dst),
    ("ipv6", "traffic_class", Field::Ipv6TrafficClass),
    ("ipv6", "flow_label", Field::Ipv6FlowLabel),
    ("ipv6", "payload_len", Field::Ipv6PayloadLen),
    ("ipv6", "next_header", Field::Ipv6NextHeader),
    ("ipv6", "hop_limit", Field::Ipv6HopLimit),
    ("tcp", "src_port", Field::TcpSrcPort),
    ("tcp", "dst_port", Field::TcpDstPort),
    ("tcp", "seq", Field::TcpSeq),
    ("tcp", "ack", Field::TcpAck),
    ("tcp", "flags", Field::TcpFlags),
    ("tcp", "window", Field::TcpWindow),
    ("tcp", "checksum", Field::TcpChecksum),
    ("tcp", "urgent", Field::TcpUrgent),
    ("udp", "src_port", Field::UdpSrcPort),
    ("udp", "dst_port", Field::UdpDstPort),
    ("udp", "len", Field::UdpLen),
    ("udp", "checksum", Field::UdpChecksum),
    ("icmp", "type", Field::IcmpType),
    ("icmp", "code", Field::IcmpCode),
    ("icmp", "checksum", Field::IcmpChecksum),
    ("icmp", "id", Field::IcmpId),
    ("icmp", "seq", Field::IcmpSeq),
];

/// The field of VLAN tag `n`.
pub type VlanField = fn(usize) -> Field;

/// VLAN tag keys (in each element of the `vlan` array).
pub const VLAN_FIELDS: &[(&str, VlanField)] =
    &[("id", Field::VlanId), ("pcp", Field::VlanPcp), ("dei", Field::VlanDei)];

/// The JSON section of a field's key, given the packet's transport (`icmp` is `icmpv6` over
/// ICMPv6, as pkt-decode writes it).
pub fn section(l: &Layout, sec: &'static str) -> &'static str {
    if sec == "icmp" && matches!(l.transport, Some((_, 58))) { "icmpv6" } else { sec }
}

/// The JSON form of a field value.
pub fn value_json(v: Value) -> Json {
    match v {
        Value::Num(n) => json!(n),
        Value::Bool(b) => json!(b),
        Value::Mac(m) => json!(mac(&m)),
        Value::Ip(a) => json!(a.to_string()),
    }
}

fn has_id_seq(ty: u8, v6: bool) -> bool {
    if v6 { matches!(ty, 128 | 129) } else { matches!(ty, 0 | 8 | 13 | 14 | 15 | 16 | 17 | 18) }
}

/// One JSON record for a packet, with pkt-decode's key names; `raw` adds what
/// `--from-json` needs to write the packet back (`raw.hex`, link type, timestamps).
pub fn json(pkt: &Packet<'_>, raw: bool) -> Json {
    let (d, lt) = (pkt.data, pkt.linktype());
    let l = Layout::parse(lt, d);
    let mut rec = Map::new();
    rec.insert("schema".into(), json!("pktkit.decode/1"));
    rec.insert("number".into(), json!(pkt.number));
    rec.insert("ts_sec".into(), json!(pkt.ts.secs));
    rec.insert("ts_nsec".into(), json!(pkt.ts.nanos));
    rec.insert("caplen".into(), json!(d.len()));
    rec.insert("len".into(), json!(pkt.orig_len));
    rec.insert("linktype".into(), json!(lt.0));
    for &(sec, key, field) in FIELDS {
        let Some(v) = l.get(d, field) else { continue };
        if matches!(field, Field::IcmpId | Field::IcmpSeq) {
            let (t, p) = l.transport.unwrap_or((0, 0));
            if !has_id_seq(d[t], p == 58) {
                continue;
            }
        }
        let sec = section(&l, sec);
        let obj = rec.entry(sec).or_insert_with(|| json!({}));
        if let Json::Object(o) = obj {
            o.insert(key.into(), value_json(v));
        }
    }
    if !l.vlans.is_empty() {
        let tags: Vec<Json> = (0..l.vlans.len())
            .map(|n| {
                let mut o = Map::new();
                for (k, f) in VLAN_FIELDS {
                    if let Some(v) = l.get(d, f(n)) {
                        o.insert((*k).into(), value_json(v));
                    }
                }
                Json::Object(o)
            })
            .collect();
        rec.insert("vlan".into(), Json::Array(tags));
    }
    if let (Some(Json::Object(tcp)), Some(Value::Num(f))) = (rec.get_mut("tcp"), l.get(d, Field::TcpFlags)) {
        const N: [(u64, char); 9] = [
            (0x100, 'N'),
            (0x80, 'C'),
            (0x40, 'E'),
            (0x20, 'U'),
            (0x10, 'A'),
            (0x08, 'P'),
            (0x04, 'R'),
            (0x02, 'S'),
            (0x01, 'F'),
        ];
        let s: String = N.iter().filter(|(b, _)| f & b != 0).map(|(_, c)| c).collect();
        tcp.insert("flags_str".into(), json!(s));
    }
    if raw {
        let hex: String = d.iter().map(|b| format!("{b:02x}")).collect();
        let mut r = json!({
            "linktype": lt.0,
            "snaplen": pkt.interface.snaplen,
            "precision": if pkt.interface.precision == Precision::Nano { "nano" } else { "micro" },
            "orig_len": pkt.orig_len,
            "hex": hex,
        });
        if let (Some((sec, frac)), Json::Object(o)) = (pkt.raw_ts, &mut r) {
            o.insert("ts_sec".into(), json!(sec));
            o.insert("ts_frac".into(), json!(frac));
        }
        rec.insert("raw".into(), r);
    }
    Json::Object(rec)
}

/// The source address and TTL / hop limit of an IP packet, for the `--sr1` status line.
pub fn source_and_ttl(linktype: LinkType, d: &[u8]) -> Option<(IpAddr, u8)> {
    let l = Layout::parse(linktype, d);
    let (src, ttl) = if l.ipv4.is_some() {
        (l.get(d, Field::Ipv4Src)?, l.get(d, Field::Ipv4Ttl)?)
    } else {
        (l.get(d, Field::Ipv6Src)?, l.get(d, Field::Ipv6HopLimit)?)
    };
    match (src, ttl) {
        (Value::Ip(a), Value::Num(t)) => Some((a, t as u8)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pktkit::capture::Interface;
    use pktkit::craft::{Offline, craft};

    const SPECS: &[&str] = &[
        "Ether()/Dot1Q(vlan=3)/IP(src=1.1.1.1,dst=2.2.2.2)/TCP(options=[MSS=1460])/'x'",
        "Ether()/ARP(op=is-at,psrc=1.1.1.1,pdst=2.2.2.2)",
        "IP(src=1.1.1.1,dst=2.2.2.2)/ICMP(type=3,code=3)/IP(src=2.2.2.2,dst=1.1.1.1)/UDP(dport=9)",
        "IPv6(src=::1,dst=::2)/ICMPv6ND_NS(tgt=fe80::1)",
        "IPv6(src=::1,dst=::2)/UDP()/DNS()",
    ];

    #[test]
    fn summaries() {
        let one = |s: &str| craft(s, &Offline).unwrap().remove(0);
        let p = one(SPECS[0]);
        let text = summary(p.start.linktype(), &p.bytes, p.bytes.len() as u32);
        assert!(text.contains("vlan 3, p 0, "), "{text}");
        assert!(
            text.contains("1.1.1.1.20 > 2.2.2.2.80: Flags [S], seq 0, ack 0, win 8192, length 1"),
            "{text}"
        );
        let p = one(SPECS[2]);
        let text = summary(p.start.linktype(), &p.bytes, p.bytes.len() as u32);
        assert!(
            text.ends_with("1.1.1.1 > 2.2.2.2: ICMP 1.1.1.1 udp port 9 unreachable, length 36"),
            "{text}"
        );
    }

    #[test]
    fn cut_packets_never_panic() {
        for spec in SPECS {
            let p = craft(spec, &Offline).unwrap().remove(0);
            let iface = Interface::live(p.start.linktype(), 65535, Precision::Micro);
            for cut in 0..=p.bytes.len() {
                let d = &p.bytes[..cut];
                let _ = summary(p.start.linktype(), d, p.bytes.len() as u32);
                let j = json(&Packet::new(1, Default::default(), d, p.bytes.len() as u32, &iface), true);
                assert_eq!(j["caplen"], cut);
            }
        }
    }
}
