use super::*;
use crate::craft::{Offline, craft};

fn one(spec: &str) -> (LinkType, Vec<u8>) {
    let p = craft(spec, &Offline).unwrap_or_else(|e| panic!("{spec}: {e}")).remove(0);
    (p.start.linktype(), p.bytes)
}

fn v4(s: &str) -> Value {
    Value::Ip(s.parse().unwrap())
}

/// Editing `fields` of `before` gives exactly the packet crafted as `after` (whose checksums
/// craft computes from scratch).
fn check(before: &str, fields: &[(Field, Value)], after: &str) {
    let (lt, mut bytes) = one(before);
    let (_, want) = one(after);
    let layout = Layout::parse(lt, &bytes);
    for &(f, v) in fields {
        layout.set(&mut bytes, f, v).unwrap_or_else(|e| panic!("{before}: {f:?}: {e}"));
        assert_eq!(layout.get(&bytes, f), Some(v), "{f:?} reads back");
    }
    assert_eq!(bytes, want, "{before} edited should equal {after}");
}

#[test]
fn edits_equal_freshly_crafted_packets() {
    let base = "IP(src=10.0.0.1,dst=10.0.0.2,ttl=64,id=7)/TCP(sport=1000,dport=80,seq=5,flags=S)/'payload!'";
    check(base, &[(Field::Ipv4Dst, v4("192.168.77.3"))], &base.replace("dst=10.0.0.2", "dst=192.168.77.3"));
    check(base, &[(Field::Ipv4Ttl, Value::Num(3))], &base.replace("ttl=64", "ttl=3"));
    check(
        base,
        &[
            (Field::TcpDstPort, Value::Num(443)),
            (Field::TcpSeq, Value::Num(0xdead_beef)),
            (Field::TcpFlags, Value::Num(0x12)),
        ],
        &base.replace("dport=80,seq=5,flags=S", "dport=443,seq=3735928559,flags=SA"),
    );
    check(base, &[(Field::Ipv4Df, Value::Bool(true))], &base.replace("id=7", "id=7,flags=DF"));
    let udp = "Ether(src=02:00:00:00:00:01,dst=02:00:00:00:00:02)/IP(src=10.0.0.1,dst=10.0.0.2)/UDP(sport=53,dport=5353)/'abc'";
    check(
        udp,
        &[(Field::Ipv4Src, v4("172.16.5.4")), (Field::UdpSrcPort, Value::Num(9999))],
        &udp.replace("src=10.0.0.1", "src=172.16.5.4").replace("sport=53", "sport=9999"),
    );
    check(
        udp,
        &[(Field::EthDst, Value::Mac([2, 0, 0, 0, 0, 9]))],
        &udp.replace("dst=02:00:00:00:00:02", "dst=02:00:00:00:00:09"),
    );
    let icmp = "IP(src=10.0.0.1,dst=10.0.0.2)/ICMP(id=1,seq=2)/'ping'";
    check(
        icmp,
        &[(Field::IcmpSeq, Value::Num(300)), (Field::Ipv4Dst, v4("10.9.9.9"))],
        &icmp.replace("seq=2", "seq=300").replace("dst=10.0.0.2", "dst=10.9.9.9"),
    );
    let v6 = "IPv6(src=fd00::1,dst=fd00::2,hlim=9)/UDP(sport=1,dport=2)/'x'";
    check(
        v6,
        &[
            (Field::Ipv6Dst, v4("fd00:1234::77")),
            (Field::Ipv6HopLimit, Value::Num(1)),
            (Field::Ipv6FlowLabel, Value::Num(0x12345)),
        ],
        &v6.replace("dst=fd00::2,hlim=9", "dst=fd00:1234::77,hlim=1,fl=0x12345"),
    );
    let e6 = "IPv6(src=fd00::1,dst=fd00::2)/ICMPv6EchoRequest(id=1,seq=2)";
    check(
        e6,
        &[(Field::Ipv6Src, v4("fe80::5")), (Field::IcmpId, Value::Num(77))],
        &e6.replace("src=fd00::1", "src=fe80::5").replace("id=1", "id=77"),
    );
    let t6 = "IPv6(src=fd00::1,dst=fd00::2)/TCP(sport=1,dport=2,window=5)";
    check(
        t6,
        &[(Field::TcpWindow, Value::Num(65535)), (Field::Ipv6Src, v4("::1"))],
        &t6.replace("window=5", "window=65535").replace("src=fd00::1", "src=::1"),
    );
    let vlan = "Ether()/Dot1Q(vlan=5,prio=1)/IP(src=1.1.1.1,dst=2.2.2.2)/UDP()";
    check(
        vlan,
        &[(Field::VlanId(0), Value::Num(4000)), (Field::VlanPcp(0), Value::Num(6))],
        &vlan.replace("vlan=5,prio=1", "vlan=4000,prio=6"),
    );
    let arp = "Ether()/ARP(psrc=10.0.0.1,pdst=10.0.0.2)";
    check(
        arp,
        &[(Field::ArpOp, Value::Num(2)), (Field::ArpTargetIp, v4("10.0.0.3"))],
        &arp.replace("pdst=10.0.0.2", "pdst=10.0.0.3,op=2"),
    );
}

#[test]
fn wrong_checksums_stay_wrong_by_the_same_amount_and_checksums_are_written_as_given() {
    let bad = "IP(src=10.0.0.1,dst=10.0.0.2,chksum=0x1234)/UDP(chksum=0x4321)";
    let (lt, mut bytes) = one(bad);
    let layout = Layout::parse(lt, &bytes);
    layout.set(&mut bytes, Field::Ipv4Ttl, Value::Num(64)).unwrap(); // unchanged: nothing moves
    assert_eq!(layout.get(&bytes, Field::Ipv4Checksum), Some(Value::Num(0x1234)));
    layout.set(&mut bytes, Field::Ipv4Checksum, Value::Num(7)).unwrap();
    assert_eq!(layout.get(&bytes, Field::Ipv4Checksum), Some(Value::Num(7)));
    // A UDP checksum of 0 over IPv4 means "none" and stays 0.
    let (lt, mut bytes) = one("IP(src=10.0.0.1,dst=10.0.0.2)/UDP(chksum=0)/'x'");
    let layout = Layout::parse(lt, &bytes);
    layout.set(&mut bytes, Field::Ipv4Dst, v4("10.0.0.3")).unwrap();
    assert_eq!(layout.get(&bytes, Field::UdpChecksum), Some(Value::Num(0)));
}

#[test]
fn snapped_packets_are_updated_without_their_payload() {
    let full = "Ether()/IP(src=10.0.0.1,dst=10.0.0.2)/TCP(sport=1,dport=2)/'a long payload that the snaplen cut off'";
    let (lt, mut bytes) = one(full);
    let (_, want) = one(&full.replace("dst=10.0.0.2", "dst=10.1.1.1"));
    bytes.truncate(14 + 20 + 20 + 3);
    let layout = Layout::parse(lt, &bytes);
    layout.set(&mut bytes, Field::Ipv4Dst, v4("10.1.1.1")).unwrap();
    assert_eq!(bytes[..], want[..bytes.len()]);
}

#[test]
fn absent_and_bad_values() {
    let (lt, mut bytes) = one("IP(src=10.0.0.1,dst=10.0.0.2)/UDP()");
    let layout = Layout::parse(lt, &bytes);
    assert_eq!(
        layout.set(&mut bytes, Field::TcpSeq, Value::Num(1)),
        Err(RewriteError::Absent(Field::TcpSeq))
    );
    assert_eq!(layout.get(&bytes, Field::EthSrc), None);
    assert!(matches!(
        layout.set(&mut bytes, Field::Ipv4Ttl, Value::Num(256)),
        Err(RewriteError::BadValue { .. })
    ));
    assert!(matches!(layout.set(&mut bytes, Field::Ipv4Dst, v4("::1")), Err(RewriteError::BadValue { .. })));
    assert!(matches!(
        layout.set(&mut bytes, Field::Ipv4FragOffset, Value::Num(3)),
        Err(RewriteError::BadValue { .. })
    ));
}

#[test]
fn hostile_bytes_never_panic() {
    let (lt, bytes) = one("Ether()/Dot1Q()/IPv6(src=::1,dst=::2)/TCP()/'xyz'");
    for cut in 0..bytes.len() {
        for lt in [lt, LinkType::RAW, LinkType::LINUX_SLL, LinkType::LINUX_SLL2] {
            let mut b = bytes[..cut].to_vec();
            let l = Layout::parse(lt, &b);
            for f in [Field::Ipv6Dst, Field::TcpSeq, Field::TcpChecksum, Field::VlanId(0), Field::UdpLen] {
                let _ = l.get(&b, f);
                let _ = l.set(&mut b, f, Value::Num(1));
            }
        }
    }
    // An IPv4 header claiming a bigger header length than the packet has.
    let mut b = vec![0x4f, 0, 0, 20, 0, 0, 0, 0, 64, 6, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2];
    let l = Layout::parse(LinkType::RAW, &b);
    assert_eq!(l.transport, None);
    l.set(&mut b, Field::Ipv4Dst, v4("3.3.3.3")).unwrap();
}

#[test]
fn tcp_flags_are_twelve_bits_and_loopback_frames_parse() {
    let (lt, mut bytes) = one("IP(src=10.0.0.1,dst=10.0.0.2)/TCP(flags=S)");
    let layout = Layout::parse(lt, &bytes);
    layout.set(&mut bytes, Field::TcpFlags, Value::Num(0xe12)).unwrap();
    assert_eq!(layout.get(&bytes, Field::TcpFlags), Some(Value::Num(0xe12)));
    assert_eq!(bytes[20 + 12] & 0xf0, 0x50, "the data offset is kept");
    assert!(layout.set(&mut bytes, Field::TcpFlags, Value::Num(0x1000)).is_err());
    let (_, ip) = one("IP(src=10.0.0.1,dst=10.0.0.2)/UDP()");
    let mut null = vec![2, 0, 0, 0];
    null.extend(&ip);
    let l = Layout::parse(LinkType::NULL, &null);
    assert_eq!(l.ipv4, Some(4));
    assert_eq!(l.get(&null, Field::Ipv4Dst), Some(v4("10.0.0.2")));
}

#[test]
fn steered_checksums_read_the_target_and_still_verify() {
    let specs = [
        "IP(src=10.0.1.2,dst=10.0.3.2)/UDP(sport=5000,dport=33434)/Raw(load='@ABCDEFGH')",
        "IPv6(src=fd00:1::2,dst=fd00:3::2)/UDP(sport=5000,dport=33434)/Raw(load='@ABCDEFGH')",
        "IP(src=10.0.1.2,dst=10.0.3.2)/ICMP(id=7,seq=1)/Raw(load='@ABCDEFGH')",
    ];
    for spec in specs {
        let (lt, mut data) = one(spec);
        let layout = Layout::parse(lt, &data);
        let (t, proto) = layout.transport.unwrap();
        let ck = if proto == 17 { t + 6 } else { t + 2 };
        for target in [1u16, 2, 0x1234, 0xfffe, 0x8000] {
            layout.steer_checksum(&mut data, 8, target).unwrap();
            assert_eq!(be16(&data, ck), target, "{spec}");
            // The receiver's check: the sum over pseudo-header and segment is all ones.
            let (pseudo, _) = layout.pseudo(&data).unwrap_or((0, ck));
            let total = pseudo + checksum::sum_words(&data[t..]);
            assert_eq!(fold(total), 0xffff, "{spec} target {target:#x}");
        }
        assert!(layout.steer_checksum(&mut data, 7, 1).is_err());
        assert!(layout.steer_checksum(&mut data, ck - t, 1).is_err());
        assert!(layout.steer_checksum(&mut data, 4000, 1).is_err());
    }
}
