//! Does a received packet answer a probe? Scapy's `answers()` rules, on the layers of
//! [`decode`] (one walk of the frame, the quoted packet of an ICMP error included).
//!
//! - The answer is addressed to the probe's source; it comes from the probe's destination
//!   (not checked when that is multicast or broadcast) with the same IP protocol, and:
//!   - TCP: ports swapped; unless the probe is a pure SYN, the answer's seq is within 2 of
//!     the probe's ack; an RST without ACK then matches; otherwise the answer's ack is within
//!     `2 + payload length` of the probe's seq;
//!   - UDP: ports swapped; over DNS, the answer is a response with the probe's id;
//!   - ICMP: echo/timestamp/information/address-mask/... reply type for the request type,
//!     same id and sequence;
//!   - ICMPv6: echo reply with the same id and sequence; neighbour advertisement for the
//!     solicited target; router advertisement for a router solicitation.
//! - Or the answer is an ICMP/ICMPv6 error (unreachable, source quench, redirect, time
//!   exceeded, parameter problem, packet too big) from anywhere whose quoted packet is the
//!   probe: same addresses and protocol, same ports (and TCP sequence when quoted), or same
//!   ICMP type, id and sequence.
//! - ARP: the reply's operation is the request's plus one, and its sender protocol address
//!   is the address the request asked for.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::bytes::{be16, be32};
use crate::capture::LinkType;
use crate::craft::{Probe, ProbeKind};
use crate::decode::ip::{IpLayer, ip_layer};
use crate::decode::{self, DecodeOptions, Decoded};
use crate::proto::ethernet::ether_type;
use crate::proto::ip_proto;

/// The walk reply matching needs: the layers of [`decode`], without the application layer.
const LAYERS_ONLY: DecodeOptions = DecodeOptions { app: false };

fn walk(linktype: LinkType, data: &[u8]) -> Decoded<'_> {
    decode::decode(linktype, data, data.len() as u32, &LAYERS_ONLY)
}

/// The EtherType and bytes of the network layer of a frame of `linktype`, as [`decode`]
/// finds them (Ethernet with VLAN tags, Linux cooked v1/v2, raw IP, BSD null/loop, ...);
/// `None` when it finds no network layer.
pub fn network_layer(linktype: LinkType, data: &[u8]) -> Option<(u16, &[u8])> {
    let d = walk(linktype, data);
    Some((d.ether_type?, data.get(d.net_offset..)?))
}

fn probe_proto(kind: &ProbeKind) -> Option<u8> {
    match kind {
        ProbeKind::Tcp { .. } => Some(ip_proto::TCP),
        ProbeKind::Udp { .. } => Some(ip_proto::UDP),
        ProbeKind::Icmp { .. } => Some(ip_proto::ICMP),
        ProbeKind::Icmpv6 { .. } => Some(ip_proto::ICMPV6),
        ProbeKind::Arp { .. } | ProbeKind::Other => None,
    }
}

/// Distance between two 32-bit sequence numbers, modulo 2^32.
fn seq_distance(a: u32, b: u32) -> u32 {
    a.wrapping_sub(b).min(b.wrapping_sub(a))
}

/// True when `reply` (a frame of `linktype`) answers `probe`, by the rules in the module docs.
pub fn answers(probe: &Probe, linktype: LinkType, reply: &[u8]) -> bool {
    let d = walk(linktype, reply);
    if let ProbeKind::Arp { op, pdst, .. } = probe.kind {
        return d.ether_type == Some(ether_type::ARP)
            && reply.get(d.net_offset..).is_some_and(|arp| arp_answers(op, pdst, arp));
    }
    let (Some(psrc), Some(pdst), Some(proto)) = (probe.src, probe.dst, probe_proto(&probe.kind)) else {
        return false;
    };
    let Some(ip) = d.net.as_ref().and_then(ip_layer) else { return false };
    if ip.src.is_ipv6() != pdst.is_ipv6() || (!psrc.is_unspecified() && ip.dst != psrc) {
        return false;
    }
    let Some(payload) = ip.payload else { return false };
    if let Some(quoted) = d.icmp_quoted() {
        return quoted
            .net
            .as_ref()
            .and_then(ip_layer)
            .is_some_and(|q| quoted_is_probe(probe, psrc, pdst, proto, &q));
    }
    let group = match pdst {
        IpAddr::V4(a) => a.is_multicast() || a.is_broadcast(),
        IpAddr::V6(a) => a.is_multicast(),
    };
    if (!group && ip.src != pdst) || ip.protocol != proto {
        return false;
    }
    transport_answers(&probe.kind, payload)
}

fn arp_answers(op: u16, pdst: Ipv4Addr, arp: &[u8]) -> bool {
    // Ethernet/IPv4 ARP: hw type, proto type, hw len 6, proto len 4, op, sha, spa, tha, tpa.
    if arp.len() < 28 || arp[4] != 6 || arp[5] != 4 || be16(arp, 2) != Some(ether_type::IPV4) {
        return false;
    }
    be16(arp, 6) == Some(op.wrapping_add(1)) && Ipv4Addr::new(arp[14], arp[15], arp[16], arp[17]) == pdst
}

fn quoted_is_probe(probe: &Probe, psrc: IpAddr, pdst: IpAddr, proto: u8, q: &IpLayer<'_>) -> bool {
    if (!psrc.is_unspecified() && q.src != psrc) || q.dst != pdst || q.protocol != proto {
        return false;
    }
    let Some(t) = q.payload else { return false };
    match probe.kind {
        ProbeKind::Tcp { sport, dport, seq, .. } => {
            be16(t, 0) == Some(sport) && be16(t, 2) == Some(dport) && be32(t, 4).is_none_or(|s| s == seq)
        }
        ProbeKind::Udp { sport, dport, .. } => be16(t, 0) == Some(sport) && be16(t, 2) == Some(dport),
        ProbeKind::Icmp { icmp_type, id, seq, .. } | ProbeKind::Icmpv6 { icmp_type, id, seq, .. } => {
            t.first() == Some(&icmp_type)
                && id.is_none_or(|id| be16(t, 4).is_none_or(|v| v == id))
                && seq.is_none_or(|seq| be16(t, 6).is_none_or(|v| v == seq))
        }
        ProbeKind::Arp { .. } | ProbeKind::Other => false,
    }
}

fn transport_answers(kind: &ProbeKind, t: &[u8]) -> bool {
    match *kind {
        ProbeKind::Tcp { sport, dport, seq, ack, flags, payload_len } => {
            let (Some(rs), Some(rd), Some(rseq), Some(rack)) =
                (be16(t, 0), be16(t, 2), be32(t, 4), be32(t, 8))
            else {
                return false;
            };
            let rflags = be16(t, 12).map_or(0, |f| f & 0x1ff);
            const SYN: u16 = 0x02;
            const RST: u16 = 0x04;
            const ACK: u16 = 0x10;
            if rs != dport || rd != sport {
                return false;
            }
            let pure_syn = flags & SYN != 0 && flags & ACK == 0;
            if !pure_syn && seq_distance(ack, rseq) > 2 {
                return false;
            }
            if rflags & RST != 0 && rflags & ACK == 0 {
                return true;
            }
            u64::from(seq_distance(seq, rack)) <= 2 + u64::from(payload_len)
        }
        ProbeKind::Udp { sport, dport, dns_id } => {
            if be16(t, 0) != Some(dport) || be16(t, 2) != Some(sport) {
                return false;
            }
            match dns_id {
                Some(id) => be16(t, 8) == Some(id) && t.get(10).is_some_and(|f| f & 0x80 != 0),
                None => true,
            }
        }
        ProbeKind::Icmp { icmp_type, id, seq, .. } => {
            let pairs = [(8, 0), (13, 14), (15, 16), (17, 18), (33, 34), (35, 36), (37, 38)];
            let Some(&rt) = t.first() else { return false };
            pairs.contains(&(icmp_type, rt))
                && be16(t, 4) == Some(id.unwrap_or(0))
                && be16(t, 6) == Some(seq.unwrap_or(0))
        }
        ProbeKind::Icmpv6 { icmp_type, id, seq, target, .. } => {
            let Some(&rt) = t.first() else { return false };
            match (icmp_type, rt) {
                (128, 129) => be16(t, 4) == Some(id.unwrap_or(0)) && be16(t, 6) == Some(seq.unwrap_or(0)),
                (135, 136) => {
                    let tgt = t.get(8..24).map(|s| {
                        let mut a = [0u8; 16];
                        a.copy_from_slice(s);
                        Ipv6Addr::from(a)
                    });
                    tgt.is_some() && tgt == target
                }
                (133, 134) => true,
                _ => false,
            }
        }
        ProbeKind::Arp { .. } | ProbeKind::Other => false,
    }
}

/// A libpcap expression that keeps every packet that could answer one of `probes` (and
/// few others): ARP for ARP probes; for IP probes, ICMP (errors come from anywhere) and the
/// probes' transport protocols, addressed to the probes' source when they share one.
pub fn answer_filter<'a>(probes: impl IntoIterator<Item = &'a Probe>) -> String {
    #[derive(Default)]
    struct Family {
        present: bool,
        words: Vec<&'static str>,
        srcs: Vec<IpAddr>,
    }
    let (mut arp, mut v4, mut v6) = (false, Family::default(), Family::default());
    for p in probes {
        if matches!(p.kind, ProbeKind::Arp { .. }) {
            arp = true;
            continue;
        }
        let (Some(dst), Some(proto)) = (p.dst, probe_proto(&p.kind)) else { continue };
        let fam = if dst.is_ipv6() { &mut v6 } else { &mut v4 };
        fam.present = true;
        let word = match proto {
            ip_proto::TCP => "tcp",
            ip_proto::UDP => "udp",
            _ => "",
        };
        if !word.is_empty() && !fam.words.contains(&word) {
            fam.words.push(word);
        }
        if let Some(s) = p.src
            && !fam.srcs.contains(&s)
        {
            fam.srcs.push(s);
        }
    }
    let mut parts = Vec::new();
    if arp {
        parts.push("arp".to_string());
    }
    for (fam, name, icmp) in [(&v4, "ip", "icmp"), (&v6, "ip6", "icmp6")] {
        if !fam.present {
            continue;
        }
        let dst = match fam.srcs.as_slice() {
            [s] if !s.is_unspecified() => format!(" and dst host {s}"),
            _ => String::new(),
        };
        let mut protos = vec![icmp];
        protos.extend(&fam.words);
        parts.push(format!("({name}{dst} and ({}))", protos.join(" or ")));
    }
    parts.join(" or ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::craft::{Offline, craft};

    fn pkt(spec: &str) -> (Probe, LinkType, Vec<u8>) {
        let mut v = craft(spec, &Offline).unwrap_or_else(|e| panic!("{spec}: {e}"));
        let p = v.remove(0);
        (p.probe, p.start.linktype(), p.bytes)
    }

    /// True when the packet of `reply` answers the packet of `probe`.
    fn ans(probe: &str, reply: &str) -> bool {
        let (probe, _, _) = pkt(probe);
        let (_, lt, bytes) = pkt(reply);
        answers(&probe, lt, &bytes)
    }

    const ECHO: &str = "IP(src=10.0.1.2,dst=10.0.3.2)/ICMP(id=5,seq=7)";

    #[test]
    fn icmp_echo() {
        assert!(ans(ECHO, "IP(src=10.0.3.2,dst=10.0.1.2)/ICMP(type=0,id=5,seq=7)"));
        // Over Ethernet and over a VLAN tag, too.
        assert!(ans(ECHO, "Ether()/IP(src=10.0.3.2,dst=10.0.1.2)/ICMP(type=0,id=5,seq=7)"));
        assert!(ans(ECHO, "Ether()/Dot1Q(vlan=5)/IP(src=10.0.3.2,dst=10.0.1.2)/ICMP(type=0,id=5,seq=7)"));
        assert!(!ans(ECHO, "IP(src=10.0.3.2,dst=10.0.1.2)/ICMP(type=0,id=5,seq=8)"));
        assert!(!ans(ECHO, "IP(src=10.0.3.2,dst=10.0.1.2)/ICMP(type=0,id=6,seq=7)"));
        assert!(!ans(ECHO, "IP(src=10.0.3.9,dst=10.0.1.2)/ICMP(type=0,id=5,seq=7)"));
        assert!(!ans(ECHO, "IP(src=10.0.3.2,dst=10.0.1.9)/ICMP(type=0,id=5,seq=7)"));
        // The request itself does not answer itself.
        assert!(!ans(ECHO, ECHO));
        assert!(ans(
            "IP(src=1.1.1.1,dst=2.2.2.2)/ICMP(type=13)",
            "IP(src=2.2.2.2,dst=1.1.1.1)/ICMP(type=14)"
        ));
    }

    #[test]
    fn icmp_errors_quoting_the_probe() {
        let udp = "IP(src=10.0.1.2,dst=10.0.3.2)/UDP(sport=4000,dport=9)";
        let unreach = |q: &str| format!("IP(src=10.0.3.2,dst=10.0.1.2)/ICMP(type=3,code=3)/{q}");
        assert!(ans(udp, &unreach("IP(src=10.0.1.2,dst=10.0.3.2)/UDP(sport=4000,dport=9)")));
        assert!(!ans(udp, &unreach("IP(src=10.0.1.2,dst=10.0.3.2)/UDP(sport=4001,dport=9)")));
        assert!(!ans(udp, &unreach("IP(src=10.0.1.2,dst=10.0.3.3)/UDP(sport=4000,dport=9)")));
        // Time exceeded from a router (any source) for a TCP probe: ports and sequence.
        let syn = "IP(src=10.0.1.2,dst=10.0.3.2,ttl=1)/TCP(sport=5,dport=80,seq=99)";
        let te = |q: &str| format!("IP(src=10.0.1.1,dst=10.0.1.2)/ICMP(type=11)/{q}");
        assert!(ans(syn, &te("IP(src=10.0.1.2,dst=10.0.3.2,ttl=0)/TCP(sport=5,dport=80,seq=99)")));
        assert!(!ans(syn, &te("IP(src=10.0.1.2,dst=10.0.3.2)/TCP(sport=5,dport=80,seq=98)")));
        // ... and for an echo request.
        assert!(ans(ECHO, &te("IP(src=10.0.1.2,dst=10.0.3.2)/ICMP(id=5,seq=7)")));
        assert!(!ans(ECHO, &te("IP(src=10.0.1.2,dst=10.0.3.2)/ICMP(id=5,seq=6)")));
        // ICMPv6 errors.
        let u6 = "IPv6(src=fd00:1::2,dst=fd00:3::2)/UDP(sport=4000,dport=9)";
        assert!(ans(
            u6,
            "IPv6(src=fd00:3::2,dst=fd00:1::2)/ICMPv6EchoReply(type=1,code=4)/IPv6(src=fd00:1::2,dst=fd00:3::2)/UDP(sport=4000,dport=9)"
        ));
    }

    #[test]
    fn tcp_rules() {
        let syn = "IP(src=10.0.1.2,dst=10.0.3.2)/TCP(sport=1234,dport=80,seq=1000)";
        let back = |tcp: &str| format!("IP(src=10.0.3.2,dst=10.0.1.2)/{tcp}");
        assert!(ans(syn, &back("TCP(sport=80,dport=1234,flags=SA,seq=77,ack=1001)")));
        assert!(ans(syn, &back("TCP(sport=80,dport=1234,flags=RA,ack=1001)")));
        assert!(!ans(syn, &back("TCP(sport=80,dport=1234,flags=SA,ack=5000)")));
        assert!(!ans(syn, &back("TCP(sport=81,dport=1234,flags=SA,ack=1001)")));
        // A non-SYN probe: the answer's seq must follow the probe's ack; a bare RST matches.
        let data = "IP(src=10.0.1.2,dst=10.0.3.2)/TCP(sport=1234,dport=80,flags=PA,seq=1000,ack=500)/'hello'";
        assert!(ans(data, &back("TCP(sport=80,dport=1234,flags=A,seq=500,ack=1005)")));
        assert!(!ans(data, &back("TCP(sport=80,dport=1234,flags=A,seq=500,ack=1008)")));
        assert!(!ans(data, &back("TCP(sport=80,dport=1234,flags=A,seq=900,ack=1005)")));
        assert!(ans(data, &back("TCP(sport=80,dport=1234,flags=R,seq=501)")));
        // Sequence numbers wrap.
        let wrap = "IP(src=10.0.1.2,dst=10.0.3.2)/TCP(sport=1,dport=2,seq=4294967295)";
        assert!(ans(wrap, "IP(src=10.0.3.2,dst=10.0.1.2)/TCP(sport=2,dport=1,flags=SA,ack=0)"));
    }

    #[test]
    fn udp_and_dns() {
        let u = "IP(src=10.0.1.2,dst=10.0.3.2)/UDP(sport=4000,dport=7)/'x'";
        assert!(ans(u, "IP(src=10.0.3.2,dst=10.0.1.2)/UDP(sport=7,dport=4000)/'x'"));
        assert!(!ans(u, "IP(src=10.0.3.2,dst=10.0.1.2)/UDP(sport=7,dport=4001)/'x'"));
        let q = "IP(src=10.0.1.2,dst=10.0.3.2)/UDP(sport=4000)/DNS(id=42)";
        assert!(ans(q, "IP(src=10.0.3.2,dst=10.0.1.2)/UDP(sport=53,dport=4000)/DNS(id=42,qr=1)"));
        assert!(!ans(q, "IP(src=10.0.3.2,dst=10.0.1.2)/UDP(sport=53,dport=4000)/DNS(id=43,qr=1)"));
        assert!(!ans(q, "IP(src=10.0.3.2,dst=10.0.1.2)/UDP(sport=53,dport=4000)/DNS(id=42,qr=0)"));
    }

    #[test]
    fn ipv6_and_nd() {
        let e = "IPv6(src=fd00:1::2,dst=fd00:3::2)/ICMPv6EchoRequest(id=1,seq=2)";
        assert!(ans(e, "IPv6(src=fd00:3::2,dst=fd00:1::2)/ICMPv6EchoReply(id=1,seq=2)"));
        assert!(!ans(e, "IPv6(src=fd00:3::2,dst=fd00:1::2)/ICMPv6EchoReply(id=1,seq=3)"));
        // A solicitation to a multicast address is answered from the target's own address.
        let ns = "IPv6(src=fe80::1,dst=ff02::1:ff00:2)/ICMPv6ND_NS(tgt=fe80::2)";
        assert!(ans(ns, "IPv6(src=fe80::2,dst=fe80::1)/ICMPv6ND_NA(tgt=fe80::2)"));
        assert!(!ans(ns, "IPv6(src=fe80::2,dst=fe80::1)/ICMPv6ND_NA(tgt=fe80::3)"));
        // Version mismatch.
        assert!(!ans(e, "IP(src=10.0.3.2,dst=10.0.1.2)/ICMP(type=0)"));
    }

    #[test]
    fn arp() {
        let req = "ARP(psrc=10.0.1.2,pdst=10.0.1.1)";
        assert!(ans(req, "Ether()/ARP(op=is-at,psrc=10.0.1.1,pdst=10.0.1.2,hwsrc=02:00:00:00:01:01)"));
        assert!(!ans(req, "Ether()/ARP(op=is-at,psrc=10.0.1.3,pdst=10.0.1.2)"));
        assert!(!ans(req, "Ether()/ARP(op=who-has,psrc=10.0.1.1,pdst=10.0.1.2)"));
        assert!(!ans(req, "Ether()/IP(src=10.0.1.1,dst=10.0.1.2)/ICMP(type=0)"));
    }

    #[test]
    fn hostile_and_cut_replies_never_match_or_panic() {
        let (probe, lt, bytes) = pkt(
            "IP(src=10.0.3.2,dst=10.0.1.2)/ICMP(type=3)/IP(src=10.0.1.2,dst=10.0.3.2)/UDP(sport=4000,dport=9)",
        );
        let (udp, _, _) = pkt("IP(src=10.0.1.2,dst=10.0.3.2)/UDP(sport=4000,dport=9)");
        assert!(answers(&udp, lt, &bytes));
        for cut in 0..bytes.len() {
            // Cut inside the quoted ports: no match; never a panic.
            let m = answers(&udp, lt, &bytes[..cut]);
            assert!(!m || cut >= 20 + 8 + 20 + 4, "cut at {cut}");
            let _ = answers(&probe, lt, &bytes[..cut]);
        }
        for lt in
            [LinkType::ETHERNET, LinkType::LINUX_SLL, LinkType::LINUX_SLL2, LinkType::NULL, LinkType(999)]
        {
            for len in 0..64 {
                let junk: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
                assert!(!answers(&udp, lt, &junk));
            }
        }
    }

    #[test]
    fn linux_cooked_headers() {
        let (probe, _, _) = pkt(ECHO);
        let (_, _, ip) = pkt("IP(src=10.0.3.2,dst=10.0.1.2)/ICMP(type=0,id=5,seq=7)");
        let mut sll = vec![0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00];
        sll.extend(&ip);
        assert!(answers(&probe, LinkType::LINUX_SLL, &sll));
        let mut sll2 = vec![0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0];
        sll2.extend(&ip);
        assert!(answers(&probe, LinkType::LINUX_SLL2, &sll2));
    }

    #[test]
    fn filters() {
        let (a, _, _) = pkt(ECHO);
        let (b, _, _) = pkt("IP(src=10.0.1.2,dst=10.0.3.2)/TCP()");
        let (c, _, _) = pkt("IPv6(src=fd00:1::2,dst=fd00:3::2)/UDP()");
        let (d, _, _) = pkt("ARP(pdst=10.0.1.1)");
        assert_eq!(answer_filter([&a]), "(ip and dst host 10.0.1.2 and (icmp))");
        assert_eq!(
            answer_filter([&a, &b, &c, &d]),
            "arp or (ip and dst host 10.0.1.2 and (icmp or tcp)) or (ip6 and dst host fd00:1::2 and (icmp6 or udp))"
        );
        for f in [answer_filter([&a, &b, &c, &d]), answer_filter([&b])] {
            crate::bpf::Program::compile(&f, LinkType::ETHERNET, crate::bpf::NETMASK_UNKNOWN).unwrap();
        }
    }
}
