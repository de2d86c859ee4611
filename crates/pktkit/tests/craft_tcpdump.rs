//! Every kind of crafted packet, written with `CaptureWriter` and read back by Debian's
//! tcpdump: no checksum, length or truncation complaints, and the fields tcpdump prints are
//! the ones the spec asked for.

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;
use std::process::Command;

mod common;

use pktkit::capture::{CaptureWriter, Interface, LinkType, OutputFormat, Packet, Precision, Timestamp};
use pktkit::craft::{Offline, StartLayer, craft};

/// (spec, what tcpdump -vv must print for it).
const LAYER3: &[(&str, &[&str])] = &[
    (
        "IP(src=192.0.2.2,dst=10.0.0.2,ttl=5,id=4660)/TCP(sport=40000,dport=80,flags=S,seq=1000,window=1024,\
         options=[('MSS',1460),('SAckOK',b''),('Timestamp',(7,0)),('NOP',None),('WScale',7)])",
        &[
            "ttl 5, id 4660,",
            "proto TCP (6)",
            "192.0.2.2.40000 > 10.0.0.2.80: Flags [S],",
            "seq 1000,",
            "win 1024,",
            "options [mss 1460,sackOK,TS val 7 ecr 0,nop,wscale 7]",
        ],
    ),
    (
        "IP(src=10.0.0.2,dst=192.0.2.2,flags=DF)/TCP(sport=80,dport=40000,flags=SA,seq=5000,ack=1001)",
        &[
            "flags [DF]",
            "ttl 64, id 1,",
            "10.0.0.2.80 > 192.0.2.2.40000: Flags [S.],",
            "seq 5000, ack 1001, win 8192,",
        ],
    ),
    (
        "IP(src=10.0.0.1,dst=10.0.0.2)/TCP(flags=FPU,urgptr=3)/'x'",
        &["10.0.0.1.20 > 10.0.0.2.80: Flags [FPU],", "urg 3,"],
    ),
    (
        "IP(src=10.0.0.1,dst=10.0.0.2,tos=0x10)/UDP(sport=5000,dport=9)/Raw(load=\"hello\")",
        &["tos 0x10,", "proto UDP (17)", "10.0.0.1.5000 > 10.0.0.2.9: [udp sum ok] UDP, length 5"],
    ),
    (
        "IP(src=10.0.0.1,dst=10.0.0.2)/ICMP(id=0x1234,seq=7)/Raw(hex=000102030405)",
        &["proto ICMP (1)", "10.0.0.1 > 10.0.0.2: ICMP echo request, id 4660, seq 7, length 14"],
    ),
    (
        "IP(src=10.0.0.2,dst=10.0.0.1)/ICMP(type=echo-reply,id=9,seq=1)",
        &["ICMP echo reply, id 9, seq 1, length 8"],
    ),
    (
        "IP(src=10.0.0.9,dst=10.0.0.1)/ICMP(type=3,code=3)/IP(src=10.0.0.1,dst=10.0.0.2,ttl=1)/UDP(sport=33434,dport=33435)",
        &["10.0.0.9 > 10.0.0.1: ICMP 10.0.0.2 udp port 33435 unreachable", "10.0.0.1.33434 > 10.0.0.2.33435"],
    ),
    (
        "IP(src=10.0.0.9,dst=10.0.0.1)/ICMP(type=time-exceeded)/IP(src=10.0.0.1,dst=10.0.0.2,ttl=1)/UDP(sport=33434,dport=33436)",
        &["ICMP time exceeded in-transit"],
    ),
    (
        "IP(src=10.0.0.1,dst=8.8.8.8)/UDP(sport=33333)/DNS(id=0x1234,qd=DNSQR(qname=\"example.com\",qtype=\"AAAA\"))",
        &["10.0.0.1.33333 > 8.8.8.8.53: [udp sum ok] 4660+ AAAA? example.com. (29)"],
    ),
    (
        "IP(src=10.0.0.1,dst=8.8.8.8)/UDP()/DNS(rd=0,qname=example.org,qtype=MX)",
        &["10.0.0.1.53 > 8.8.8.8.53: [udp sum ok] 0 MX? example.org. (29)"],
    ),
    (
        "IP(src=10.0.0.1,dst=8.8.8.8)/TCP(sport=4000,dport=53,flags=PA,seq=1,ack=1)/DNS(id=7,qname=example.net,qtype=TXT)",
        &["10.0.0.1.4000 > 8.8.8.8.53: Flags [P.]", "7+ TXT? example.net. (29)"],
    ),
    (
        "IPv6(src=2001:db8::1,dst=2001:db8::2,hlim=9)/TCP(sport=1000,dport=22,flags=S,seq=42)",
        &["hlim 9, next-header TCP (6)", "2001:db8::1.1000 > 2001:db8::2.22: Flags [S],", "seq 42,"],
    ),
    (
        "IPv6(src=2001:db8::1,dst=2001:db8::2)/UDP(sport=5353,dport=53)/DNS(id=99,qname=example.com)",
        &["next-header UDP (17)", "2001:db8::1.5353 > 2001:db8::2.53: [udp sum ok] 99+ A? example.com. (29)"],
    ),
    (
        "IPv6(src=2001:db8::1,dst=2001:db8::2)/ICMPv6EchoRequest(id=1,seq=2,data=abc)",
        &["2001:db8::1 > 2001:db8::2: [icmp6 sum ok] ICMP6, echo request, id 1, seq 2"],
    ),
    (
        "IPv6(src=2001:db8::2,dst=2001:db8::1)/ICMPv6EchoReply(id=1,seq=2)",
        &["2001:db8::2 > 2001:db8::1: [icmp6 sum ok] ICMP6, echo reply, id 1, seq 2"],
    ),
    (
        "IPv6(src=fe80::1,dst=ff02::1:ff00:2)/ICMPv6ND_NS(tgt=fe80::2)/ICMPv6NDOptSrcLLAddr(lladdr=00:11:22:33:44:55)",
        &[
            "hlim 255, next-header ICMPv6 (58)",
            "fe80::1 > ff02::1:ff00:2: [icmp6 sum ok] ICMP6, neighbor solicitation",
            "who has fe80::2",
            "source link-address option (1), length 8 (1): 00:11:22:33:44:55",
        ],
    ),
    (
        "IPv6(src=fe80::2,dst=fe80::1)/ICMPv6ND_NA(tgt=fe80::2,R=0,S=1,O=1)/ICMPv6NDOptDstLLAddr(lladdr=66:77:88:99:aa:bb)",
        &[
            "fe80::2 > fe80::1: [icmp6 sum ok] ICMP6, neighbor advertisement",
            "tgt is fe80::2",
            "Flags [solicited, override]",
            "destination link-address option (2), length 8 (1): 66:77:88:99:aa:bb",
        ],
    ),
    (
        "IPv6(src=fe80::1)/ICMPv6ND_RS()/ICMPv6NDOptSrcLLAddr(lladdr=00:11:22:33:44:55)",
        &["fe80::1 > ff02::2: [icmp6 sum ok] ICMP6, router solicitation", "source link-address option (1)"],
    ),
    (
        "IPv6(src=fe80::1)/ICMPv6ND_RA(chlim=64,M=1,routerlifetime=600,reachabletime=30000,retranstimer=1000)",
        &[
            "fe80::1 > ff02::1: [icmp6 sum ok] ICMP6, router advertisement",
            "hop limit 64, Flags [managed], pref high, router lifetime 600s, reachable time 30000ms, retrans timer 1000ms",
        ],
    ),
];

const LAYER2: &[(&str, &[&str])] = &[
    (
        "Ether(src=00:11:22:33:44:55)/ARP(hwsrc=00:11:22:33:44:55,psrc=192.0.2.2,pdst=192.0.2.1)",
        &[
            "00:11:22:33:44:55 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806)",
            "Request who-has 192.0.2.1 tell 192.0.2.2, length 28",
        ],
    ),
    (
        "Ether(src=00:11:22:33:44:55,dst=66:77:88:99:aa:bb)/ARP(op=is-at,hwsrc=00:11:22:33:44:55,psrc=192.0.2.2,hwdst=66:77:88:99:aa:bb,pdst=192.0.2.1)",
        &["Reply 192.0.2.2 is-at 00:11:22:33:44:55, length 28"],
    ),
    (
        "Ether(src=00:11:22:33:44:55,dst=66:77:88:99:aa:bb)/Dot1Q(vlan=5,prio=3)/IP(src=10.0.0.1,dst=10.0.0.2)/ICMP(seq=3)",
        &[
            "ethertype 802.1Q (0x8100)",
            "vlan 5, p 3, ethertype IPv4 (0x0800)",
            "10.0.0.1 > 10.0.0.2: ICMP echo request, id 0, seq 3",
        ],
    ),
    (
        "Ether(src=00:11:22:33:44:55,dst=66:77:88:99:aa:bb)/IP(src=10.0.0.1,dst=10.0.0.2)/UDP(sport=1234,dport=4321)/Raw(load=x)",
        &["ethertype IPv4 (0x0800)", "10.0.0.1.1234 > 10.0.0.2.4321: [udp sum ok] UDP, length 1"],
    ),
    (
        "Ether(src=00:11:22:33:44:55)/IPv6(src=fe80::1,dst=ff02::1:ff00:2)/ICMPv6ND_NS(tgt=fe80::2)/ICMPv6NDOptSrcLLAddr(lladdr=00:11:22:33:44:55)",
        &[
            "00:11:22:33:44:55 > 33:33:ff:00:00:02, ethertype IPv6 (0x86dd)",
            "[icmp6 sum ok] ICMP6, neighbor solicitation",
        ],
    ),
    (
        "Ether(src=00:11:22:33:44:55)/IP(src=10.0.0.1,dst=224.0.0.251)/UDP(sport=5353,dport=5353)/DNS(qname=printer.local)",
        &[
            "00:11:22:33:44:55 > 01:00:5e:00:00:fb, ethertype IPv4 (0x0800)",
            "10.0.0.1.5353 > 224.0.0.251.5353",
        ],
    ),
];

/// Writes the specs' packets to a pcap of `linktype` and returns tcpdump's text per packet.
fn round_trip(name: &str, linktype: LinkType, cases: &[(&str, &[&str])]) -> Vec<String> {
    let path: PathBuf = std::env::temp_dir().join(format!("pktkit-craft-{}-{name}.pcap", std::process::id()));
    let iface = Interface::live(linktype, 65535, Precision::Micro);
    let mut w = CaptureWriter::new(BufWriter::new(File::create(&path).unwrap()), OutputFormat::Pcap);
    for (i, (spec, _)) in cases.iter().enumerate() {
        let pkts = craft(spec, &Offline).unwrap_or_else(|e| panic!("{spec}: {e}"));
        assert_eq!(pkts.len(), 1, "{spec}");
        assert_eq!(pkts[0].start.linktype(), linktype, "{spec}");
        let data = &pkts[0].bytes;
        let ts = Timestamp::new(1_700_000_000 + i as i64, 0);
        let pkt = Packet::new(i as u64 + 1, ts, data, data.len() as u32, &iface);
        assert!(w.write(&pkt).unwrap());
    }
    w.finish().unwrap();
    // -e prints the Ethernet header, so MAC addresses and VLAN tags can be checked too.
    let link = if linktype == LinkType::ETHERNET { &["-e"][..] } else { &[] };
    let out = Command::new("tcpdump").args(["-vv", "-n"]).args(link).arg("-r").arg(&path).output().unwrap();
    let _ = std::fs::remove_file(&path);
    assert!(out.status.success(), "tcpdump failed: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    println!("{text}");
    // A packet's text starts on a line that does not begin with whitespace.
    let mut packets: Vec<String> = Vec::new();
    for line in text.lines() {
        match packets.last_mut() {
            Some(p) if line.starts_with([' ', '\t']) => {
                p.push('\n');
                p.push_str(line);
            }
            _ => packets.push(line.to_string()),
        }
    }
    packets
}

fn check(name: &str, linktype: LinkType, cases: &[(&str, &[&str])]) {
    let packets = round_trip(name, linktype, cases);
    assert_eq!(packets.len(), cases.len(), "one tcpdump record per packet");
    for ((spec, wanted), text) in cases.iter().zip(&packets) {
        for bad in ["bad cksum", "wrong", "truncated", "[|", "incorrect", "bad udp cksum", "bad length"] {
            assert!(!text.contains(bad), "tcpdump says {bad:?} for {spec}:\n{text}");
        }
        for w in *wanted {
            // tcpdump folds long lines differently across versions: compare without layout.
            let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(flat.contains(w), "tcpdump does not print {w:?} for {spec}:\n{text}");
        }
    }
}

#[test]
fn tcpdump_reads_layer3_packets_as_specified() {
    if common::have("tcpdump", "tcpdump_reads_layer3_packets_as_specified") {
        check("raw", LinkType::RAW, LAYER3);
    }
}

#[test]
fn tcpdump_reads_layer2_packets_as_specified() {
    if common::have("tcpdump", "tcpdump_reads_layer2_packets_as_specified") {
        check("ether", LinkType::ETHERNET, LAYER2);
    }
}

#[test]
fn tcp_and_ip_checksums_are_reported_correct() {
    if !common::have("tcpdump", "tcp_and_ip_checksums_are_reported_correct") {
        return;
    }
    let cases: &[(&str, &[&str])] = &[
        ("IP(src=10.0.0.1,dst=10.0.0.2)/TCP(sport=1,dport=2)/'data'", &["cksum 0x", "(correct)"]),
        ("IPv6(src=::1,dst=::2)/TCP(sport=1,dport=2)", &["cksum 0x", "(correct)"]),
    ];
    check("cksum", LinkType::RAW, cases);
    assert_eq!(StartLayer::Network.linktype(), LinkType::RAW);
}

/// The negative control: checksums given wrong on purpose are kept, and tcpdump says so (this
/// is also what shows that the checks above would catch a bad checksum).
#[test]
fn tcpdump_flags_checksums_given_wrong_on_purpose() {
    if !common::have("tcpdump", "tcpdump_flags_checksums_given_wrong_on_purpose") {
        return;
    }
    let cases = [
        "IP(src=10.0.0.1,dst=10.0.0.2,chksum=0x1234)/TCP(chksum=0)",
        "IP(src=10.0.0.1,dst=10.0.0.2)/UDP(chksum=0xbeef)",
        "IP(src=10.0.0.1,dst=10.0.0.2)/ICMP(chksum=1)",
        "IPv6(src=::1,dst=::2)/ICMPv6EchoRequest(cksum=2)",
    ];
    let cases: Vec<(&str, &[&str])> = cases.iter().map(|c| (*c, &[][..])).collect();
    let text = round_trip("wrong", LinkType::RAW, &cases);
    assert_eq!(text.len(), 4);
    assert!(text[0].contains("bad cksum 1234"), "{}", text[0]);
    assert!(text[0].contains("cksum 0x0000 (incorrect"), "{}", text[0]);
    assert!(text[1].contains("bad udp cksum 0xbeef"), "{}", text[1]);
    assert!(text[2].contains("wrong icmp cksum 1"), "{}", text[2]);
    assert!(text[3].contains("bad icmp6 cksum 0x0002"), "{}", text[3]);
}
