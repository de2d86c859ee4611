use etherparse::TransportSlice;

use super::defrag::{DefragOutcome, Defragmenter};
use super::*;
use crate::capture::Timestamp;
use crate::test_frames::{crafted, raw_layer};

/// The link addresses of the test frames.
const ETHER: &str = "Ether(src=01:02:03:04:05:06,dst=07:08:09:0a:0b:0c)";
/// The IPv4 header of the test frames.
const IP: &str = "IP(src=10.0.0.1,dst=10.0.0.2)";

fn tcp_syn() -> Vec<u8> {
    crafted(&format!("{ETHER}/{IP}/TCP(sport=1234,dport=80,seq=1000,window=65535,flags=S)"))
}

fn dec(lt: u16, data: &[u8]) -> Decoded<'_> {
    decode(LinkType(lt), data, data.len() as u32, &DecodeOptions::default())
}

#[test]
fn ethernet_ipv4_tcp() {
    let p = tcp_syn();
    let d = dec(1, &p);
    assert!(d.stop.is_none(), "{:?}", d.stop);
    assert_eq!(d.ether_type, Some(0x0800));
    assert_eq!(d.net_offset, 14);
    assert_eq!(d.transport_offset, 34);
    match d.transport {
        Some(TransportSlice::Tcp(t)) => assert!(t.syn() && t.destination_port() == 80),
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_truncation_keeps_complete_layers() {
    let p = tcp_syn();
    for n in 0..p.len() {
        let d = decode(LinkType(1), &p[..n], p.len() as u32, &DecodeOptions::default());
        let stop = d.stop.expect("a cut frame stops");
        match n {
            0..14 => assert_eq!((stop.layer, stop.offset), (Layer::Link, 0)),
            14..34 => {
                assert!(d.net.is_none());
                assert_eq!(stop.offset, 14, "{n}");
            }
            _ => {
                assert!(matches!(d.net, Some(LaxNetSlice::Ipv4(_))));
                assert_eq!((stop.layer, stop.offset), (Layer::Tcp, 34), "{n}");
                assert!(matches!(stop.kind, StopKind::Truncated { .. }));
            }
        }
    }
}

#[test]
fn qinq_and_sll2_and_null() {
    let p = tcp_syn();
    let q = crafted(&format!(
        "Ether(src=01:02:03:04:05:06,dst=07:08:09:0a:0b:0c,type=0x88a8)/Dot1Q(vlan=10)/Dot1Q(prio=1,vlan=20)/{IP}/TCP(sport=1234,dport=80,flags=S)"
    ));
    let d = dec(1, &q);
    assert_eq!(d.vlans().iter().map(|v| v.vid).collect::<Vec<_>>(), vec![10, 20]);
    assert!(d.transport.is_some() && d.stop.is_none());
    assert_eq!(d.net_offset, 22);

    // Linux cooked v2 and BSD loopback headers: craft builds Ethernet or IP frames only.
    let mut s = vec![0x08, 0x00, 0, 0, 0, 0, 0, 3, 0, 1, 4, 6, 1, 2, 3, 4, 5, 6, 0, 0];
    s.extend_from_slice(&p[14..]);
    let d = dec(276, &s);
    assert!(matches!(d.link, Link::Sll(Sll { version: 2, ifindex: Some(3), .. })));
    assert!(d.transport.is_some());

    let mut n = 2u32.to_ne_bytes().to_vec();
    n.extend_from_slice(&p[14..]);
    let d = dec(0, &n);
    assert_eq!(d.link, Link::Null { family: 2 });
    assert!(d.transport.is_some());
}

#[test]
fn hostile_inputs_do_not_panic() {
    let mut seed = 0x1234_5678u32;
    let mut buf = [0u8; 96];
    for round in 0..20_000 {
        for b in buf.iter_mut() {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            *b = seed as u8;
        }
        // Make the interesting paths likely: an IP version nibble and plausible lengths.
        buf[14] = if round % 2 == 0 { 0x45 } else { 0x60 };
        buf[12] = 0x08;
        buf[13] = if round % 3 == 0 { 0x00 } else { 0x06 };
        let len = (seed as usize) % buf.len();
        for lt in [0u16, 1, 12, 101, 108, 113, 226, 228, 229, 276, 999] {
            let d = decode(LinkType(lt), &buf[..len], 1500, &DecodeOptions::default());
            let _ = d.icmp_quoted();
            let _ = d.payload();
            if let Some(s) = d.stop {
                assert!(s.offset <= len, "{s:?} {len}");
                let _ = s.to_string();
            }
        }
    }
}

#[test]
fn icmp_error_quotes_inner_packet() {
    let v = crafted(&format!(
        "{IP}/ICMP(type=11,code=0)/IP(src=10.0.0.2,dst=10.0.0.9,ttl=1)/UDP(sport=33434,dport=33435){}",
        raw_layer(&[0; 4])
    ));
    let d = dec(101, &v);
    let q = d.icmp_quoted().unwrap();
    assert!(matches!(q.transport, Some(TransportSlice::Udp(u)) if u.destination_port() == 33435));
}

#[test]
fn app_classification() {
    let v = crafted(&format!(
        "{IP}/UDP(sport=5353,dport=53){}",
        raw_layer(&[0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0])
    ));
    let d = dec(101, &v);
    let app = d.app.unwrap();
    assert_eq!((app.proto, app.offset, app.data.len()), (AppProto::Dns, 28, 12));
    let v = crafted(&format!(
        "{IP}/TCP(sport=40000,dport=8443,seq=1,window=100){}",
        raw_layer(&[22, 3, 1, 0, 5, 1, 0])
    ));
    assert_eq!(dec(101, &v).app.unwrap().proto, AppProto::Tls);
    let no_app = DecodeOptions { app: false };
    assert!(decode(LinkType(101), &v, v.len() as u32, &no_app).app.is_none());
}

/// The choices of `tshark -T fields -e frame.protocols` (tshark 4.0.17) on these payloads.
#[test]
fn app_classification_follows_wireshark() {
    use crate::decode::app::{classify_payload, dns_heuristic, http_heuristic, tls_heuristic};
    let dns_query = [0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0];
    // Ports first, lower port first: 53 is DNS, 5353 mDNS, 5355 LLMNR, 67/68 DHCP; 123 (NTP)
    // and 4789 (VXLAN) belong to other dissectors whatever the content.
    assert_eq!(classify_payload(false, 40000, 53, &dns_query), Some((AppProto::Dns, false)));
    assert_eq!(classify_payload(false, 5353, 5353, &dns_query), Some((AppProto::Dns, true)));
    assert_eq!(classify_payload(false, 5353, 53, &dns_query), Some((AppProto::Dns, false)));
    assert_eq!(classify_payload(false, 49330, 5355, &dns_query), Some((AppProto::Dns, false)));
    assert_eq!(classify_payload(false, 68, 67, &[1; 300]), Some((AppProto::Dhcp, false)));
    assert_eq!(classify_payload(false, 123, 5353, &dns_query), None);
    assert_eq!(classify_payload(false, 40000, 4789, &dns_query), None);
    assert_eq!(classify_payload(false, 40000, 53, &[]), None);
    // No registered port: the DNS heuristic (SOME/IP-SD's port 30490 is not registered).
    assert_eq!(classify_payload(false, 30490, 30490, &dns_query), Some((AppProto::Dns, false)));
    assert!(!dns_heuristic(&dns_query[..12]));
    let with = |f: u16, counts: [u16; 4]| {
        let mut m = vec![0, 1];
        m.extend_from_slice(&f.to_be_bytes());
        counts.iter().for_each(|c| m.extend_from_slice(&c.to_be_bytes()));
        m.push(0);
        dns_heuristic(&m)
    };
    assert!(with(0x0100, [1, 0, 0, 10]) && !with(0x0100, [1, 0, 0, 11]) && !with(0x0100, [2, 0, 0, 0]));
    assert!(!with(0x0100, [1, 1, 0, 0]) && !with(0x0900, [1, 0, 0, 0]));
    assert!(with(0x8180, [0, 100, 10, 10]) && !with(0x8180, [0, 101, 0, 0]) && !with(0x8180, [1, 0, 11, 0]));
    assert!(with(0x8000, [0, 0, 0, 0]));
    // TCP: port tables, then the TLS and HTTP heuristics.
    let hello = [22, 3, 1, 0, 5, 1, 0, 0, 1, 0];
    assert_eq!(classify_payload(true, 50000, 443, b"junk"), Some((AppProto::Tls, false)));
    assert_eq!(classify_payload(true, 50000, 443, b"abc\x01junk"), Some((AppProto::Tls, false)));
    assert_eq!(classify_payload(true, 50000, 443, b"GET / HTTP/1.1\r\n"), Some((AppProto::Http, false)));
    assert_eq!(classify_payload(true, 50000, 443, b"ab cdefg"), None);
    assert_eq!(classify_payload(true, 50000, 80, &hello), Some((AppProto::Http, false)));
    assert_eq!(classify_payload(true, 50000, 41000, &hello), Some((AppProto::Tls, false)));
    assert_eq!(classify_payload(true, 50000, 41000, b"GET / HTTP/1.1\r\n"), Some((AppProto::Http, false)));
    assert_eq!(classify_payload(true, 50000, 22, b"GET / HTTP/1.1\r\n"), None);
    assert!(tls_heuristic(&[23, 3, 3, 0x47, 0xff]) && !tls_heuristic(&[23, 3, 3, 0x48, 0]));
    assert!(
        !tls_heuristic(&[21, 3, 3, 0, 2])
            && !tls_heuristic(&[22, 3, 4, 0, 2])
            && !tls_heuristic(&[22, 3, 1, 0, 0])
    );
    assert!(tls_heuristic(&[22, 1, 1, 0, 2]) && !tls_heuristic(&[22, 3, 1, 0]));
    for (line, yes) in [
        (&b"GET / HTTP/1.1\n"[..], true),
        (b"HTTP/1.1 200 OK\r\n", true),
        (b"get / http/1.1\r\n", true),
        (b"HTTP/1.\r\n", true),
        (b"GET / HTTP/1.1\rX", true),
        (b"HTTP/1.1\r\n", false),
        (b"GET / HTTP/1.1", false),
        (b"GET / HTTP/2.0\r\n", false),
        (b"GET /\r\n", false),
    ] {
        assert_eq!(http_heuristic(line), yes, "{}", String::from_utf8_lossy(line));
    }
}

#[test]
fn defrag_ipv4_bounded() {
    // One UDP datagram of 8 + 24 bytes split into fragments of 16 bytes.
    let full = crafted(&format!("{IP}/UDP(sport=1000,dport=2000){}", raw_layer(&[7u8; 24])));
    let payload = &full[20..];
    let mut frags = Vec::new();
    for (i, chunk) in payload.chunks(16).enumerate() {
        let flags = if (i + 1) * 16 < payload.len() { "MF" } else { "0" };
        let frag = i * 16 / 8;
        frags.push(crafted(&format!(
            "IP(src=10.0.0.1,dst=10.0.0.2,id=42,flags={flags},frag={frag},proto=17){}",
            raw_layer(chunk)
        )));
    }
    let mut pool = Defragmenter::new();
    let ts = Timestamp::new(100, 0);
    let d0 = dec(101, &frags[0]);
    // The first fragment holds the UDP header (its length counts the whole datagram).
    match &d0.transport {
        Some(TransportSlice::Udp(u)) => {
            assert_eq!((u.destination_port(), u.length(), u.payload().len()), (2000, 32, 8))
        }
        other => panic!("{other:?}"),
    }
    assert!(dec(101, &frags[1]).transport.is_none());
    assert_eq!(pool.add(&d0, ts), DefragOutcome::Pending);
    let d1 = dec(101, &frags[1]);
    assert_eq!(pool.add(&d1, ts), DefragOutcome::Complete(2));
    let r = pool.decode_reassembled(&d1, &DecodeOptions::default());
    assert!(r.stop.is_none(), "{:?}", r.stop);
    match r.transport {
        Some(TransportSlice::Udp(u)) => {
            assert_eq!((u.destination_port(), u.payload()), (2000, &[7u8; 24][..]))
        }
        other => panic!("{other:?}"),
    }
    // An incomplete datagram expires after the timeout.
    assert_eq!(pool.add(&d0, ts), DefragOutcome::Pending);
    assert_eq!(pool.pending(), 1);
    let late = Timestamp::new(100 + super::defrag::TIMEOUT_SECS + 1, 0);
    assert_eq!(pool.add(&dec(101, &full), late), DefragOutcome::NotFragment);
    assert_eq!(pool.pending(), 0);
    // Many distinct datagrams: the pool stays within its bound.
    for id in 0..(super::defrag::MAX_DATAGRAMS as u16 + 50) {
        let mut f = frags[0].clone();
        f[4..6].copy_from_slice(&id.to_be_bytes());
        pool.add(&dec(101, &f), ts);
    }
    assert!(pool.pending() <= super::defrag::MAX_DATAGRAMS);
}

#[test]
fn first_fragments_keep_their_transport_header() {
    // IPv6: a UDP header after a fragment header of offset 0 with more to come; a later
    // fragment (offset 8) has none. Hand-built: craft has no IPv6 fragment header.
    let mut p = vec![0x60, 0, 0, 0, 0, 24, 44, 64];
    p.extend_from_slice(&[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    p.extend_from_slice(&[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
    p.extend_from_slice(&[17, 0, 0x00, 0x01, 0, 0, 0, 9]);
    p.extend_from_slice(&[0x18, 0xdb, 0x18, 0xdb, 0x15, 0x0b, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8]);
    let d = dec(101, &p);
    match d.transport {
        Some(TransportSlice::Udp(u)) => assert_eq!((u.source_port(), u.length()), (6363, 5387)),
        other => panic!("{other:?}"),
    }
    assert_eq!(d.transport_offset, 48);
    p[42] = 0x00;
    p[43] = 0x09; // offset 1 (8 bytes), more fragments
    assert!(dec(101, &p).transport.is_none());
    // IPv4 TCP first fragment: the TCP header is read, a cut one is not.
    let ip = crafted("IP(src=10.0.0.1,dst=10.0.0.2,flags=MF)/TCP(sport=1234,dport=80,flags=S)");
    let d = dec(101, &ip);
    assert!(matches!(d.transport, Some(TransportSlice::Tcp(t)) if t.syn()));
    assert!(dec(101, &ip[..30]).transport.is_none());
}
