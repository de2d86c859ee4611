use super::*;
use crate::capture::{Interface, LinkType, Precision};
use crate::decode::{DecodeOptions, decode};

fn line(o: TextOptions, lt: u16, frame: &[u8], orig_len: u32) -> String {
    let iface = Interface::live(LinkType(lt), 65535, Precision::Micro);
    let pkt = Packet::new(1, Timestamp::new(3661, 5_000), frame, orig_len, &iface);
    let d = decode(LinkType(lt), frame, orig_len, &DecodeOptions::default());
    let mut p = TextPrinter::with_time(o, LocalTime::utc());
    let mut out = Vec::new();
    p.packet(&mut out, &pkt, &d).unwrap();
    String::from_utf8(out).unwrap()
}

fn ipv4_tcp(options: &[u8], flags: u8) -> Vec<u8> {
    let hl = 20 + options.len();
    let mut p = vec![0x45, 0, 0, 0, 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
    let total = (20 + hl) as u16;
    p[2..4].copy_from_slice(&total.to_be_bytes());
    p.extend_from_slice(&[
        0x30,
        0x39,
        0,
        80,
        0,
        0,
        0,
        7,
        0,
        0,
        0,
        0,
        ((hl / 4) as u8) << 4,
        flags,
        0x10,
        0,
        0,
        0,
        0,
        0,
    ]);
    p.extend_from_slice(options);
    p
}

#[test]
fn hex_dumps_match_tcpdump_layout() {
    let mut b = Vec::new();
    hex_only(&mut b, &[0x45, 0, 0, 0x1c, 0xab]);
    assert_eq!(String::from_utf8(b).unwrap(), "\n\t0x0000:  4500 001c ab");
    let mut b = Vec::new();
    hex_ascii(&mut b, b"GET / HTTP/1.1\r\nHost", 0);
    assert_eq!(
        String::from_utf8(b).unwrap(),
        "\n\t0x0000:  4745 5420 2f20 4854 5450 2f31 2e31 0d0a  GET./.HTTP/1.1..\
         \n\t0x0010:  486f 7374                                Host"
    );
    let mut b = Vec::new();
    ascii(&mut b, b"a\r\nb\rc\x01");
    assert_eq!(String::from_utf8(b).unwrap(), "\na\nb.c.");
}

#[test]
fn tcp_options_good_bad_and_cut() {
    let o = TextOptions::default();
    let l = line(o, 101, &ipv4_tcp(&[2, 4, 5, 0xb4, 1, 1, 4, 2], 0x02), 48);
    assert_eq!(
        l,
        "01:01:01.000005 IP 10.0.0.1.12345 > 10.0.0.2.80: Flags [S], seq 7, win 4096, options [mss 1460,nop,nop,sackOK], length 0\n"
    );
    // A length byte of 0 after a good option: "[bad opt]]" and the line ends.
    let l = line(o, 101, &ipv4_tcp(&[1, 8, 0, 0], 0x02), 44);
    assert!(l.ends_with("options [nop,TS[bad opt]]\n"), "{l}");
    // Cut inside the options: tcpdump's [|tcp] marker.
    let full = ipv4_tcp(&[8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 1, 1], 0x12);
    let l = line(o, 101, &full[..46], full.len() as u32);
    assert!(l.ends_with("options [TS [|tcp]\n"), "{l}");
}

#[test]
fn link_headers_and_timestamps() {
    let mut eth = vec![0xff; 6];
    eth.extend_from_slice(&[2, 0, 0, 0, 0, 9, 0x08, 0x06]);
    eth.extend_from_slice(&[
        0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 9, 10, 0, 0, 9, 0, 0, 0, 0, 0, 0, 10, 0, 0, 1,
    ]);
    let o = TextOptions { link_header: true, number: true, time_format: 4, ..Default::default() };
    assert_eq!(
        line(o, 1, &eth, 60),
        "    1  1970-01-01 01:01:01.000005 02:00:00:00:00:09 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 60: Request who-has 10.0.0.1 tell 10.0.0.9, length 46\n"
    );
    let o = TextOptions { time_format: 2, nano: true, ..Default::default() };
    assert!(
        line(o, 1, &eth, 42)
            .starts_with("3661.000005000 ARP, Request who-has 10.0.0.1 tell 10.0.0.9, length 28")
    );
    // Truncated Ethernet header and an unknown link type.
    assert_eq!(line(TextOptions { time_format: 1, ..Default::default() }, 1, &eth[..10], 60), "[|ether]\n");
    assert_eq!(
        line(TextOptions { time_format: 1, ..Default::default() }, 147, &eth[..4], 60),
        "UNSUPPORTED\n\t0x0000:  ffff ffff                                ....\n"
    );
    assert_eq!(
        line(TextOptions { time_format: 1, ..Default::default() }, 200, &eth, 60),
        "unsupported link type 200\n"
    );
}

#[test]
fn ipv4_damage_as_tcpdump() {
    let o = TextOptions { time_format: 1, ..Default::default() };
    let mut p = ipv4_tcp(&[], 0x10);
    p[0] = 0x44;
    assert_eq!(line(o, 101, &p, 40), "IP bad-hlen 16\n");
    let mut p = ipv4_tcp(&[], 0x10);
    p[2..4].copy_from_slice(&10u16.to_be_bytes());
    assert_eq!(line(o, 101, &p, 40), "IP bad-len 10\n");
    let p = ipv4_tcp(&[], 0x10);
    assert_eq!(line(o, 101, &p[..12], 12), "IP truncated-ip 12\n");
    let mut p = ipv4_tcp(&[], 0x10);
    p[6..8].copy_from_slice(&0x0010u16.to_be_bytes());
    assert_eq!(line(o, 101, &p, 40), "IP 10.0.0.1 > 10.0.0.2: ip-proto-6\n");
}

#[test]
fn hostile_frames_never_panic() {
    let mut seed = 0x9e37_79b9u32;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed
    };
    let protos = [1u8, 2, 4, 6, 17, 41, 47, 50, 51, 58, 132, 33, 0, 43, 44, 60];
    let opts = [
        TextOptions { verbosity: 2, link_header: true, hex_ascii_dump: 1, ..Default::default() },
        TextOptions { verbosity: 1, hex_dump: 2, time_format: 3, ..Default::default() },
        TextOptions { ascii_dump: 1, time_format: 5, number: true, ..Default::default() },
    ];
    let mut printers: Vec<TextPrinter> =
        opts.iter().map(|o| TextPrinter::with_time(*o, LocalTime::utc())).collect();
    let mut json = super::super::json::JsonWriter::new(true);
    let all: Vec<&str> = super::super::fields::known_names().collect();
    let mut fields = super::super::fields::FieldsWriter::new(&all.join(",")).unwrap();
    let mut frame = [0u8; 160];
    for round in 0..30_000u32 {
        for x in frame.iter_mut() {
            *x = next() as u8;
        }
        // Bias towards plausible headers so the deep paths run.
        let lt: u16 = [1, 101, 113, 276, 0, 9, 104, 226, 239, 242, 258, 12][round as usize % 12];
        let ip_at = match lt {
            1 => 14,
            113 => 16,
            276 => 20,
            0 | 104 => 4,
            _ => 0,
        };
        if lt == 1 {
            frame[12..14].copy_from_slice(&[0x08, 0x00]);
        }
        if lt == 113 {
            frame[14..16].copy_from_slice(&[0x86, 0xdd]);
        }
        frame[ip_at] = if round % 3 == 0 { 0x60 } else { 0x45 + (next() % 3) as u8 };
        frame[ip_at + 9] = protos[next() as usize % protos.len()];
        frame[ip_at + 6] = protos[next() as usize % protos.len()];
        let len = (next() as usize) % frame.len();
        let orig = len as u32 + next() % 64;
        let iface = Interface::live(LinkType(lt), 65535, Precision::Micro);
        let pkt = Packet::new(round as u64, Timestamp::new(next() as i64, 0), &frame[..len], orig, &iface);
        let d = decode(LinkType(lt), &frame[..len], orig, &DecodeOptions::default());
        for p in printers.iter_mut() {
            let mut out = Vec::new();
            p.packet(&mut out, &pkt, &d).unwrap();
            assert!(out.ends_with(b"\n"));
        }
        let mut out = Vec::new();
        json.packet(&mut out, &pkt, &d, None).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["schema"], "pktkit.decode/2.1");
        let mut out = Vec::new();
        fields.packet(&mut out, &pkt, &d).unwrap();
        assert_eq!(out.iter().filter(|&&c| c == b'\t').count(), all.len() - 1);
    }
}

/// An IPv4 header (checksum 0, id 1, ttl 64) before `l4`.
fn ip4(proto: u8, src: [u8; 4], dst: [u8; 4], l4: &[u8]) -> Vec<u8> {
    let mut p = vec![0x45, 0, 0, 0, 0, 1, 0, 0, 64, proto, 0, 0];
    p[2..4].copy_from_slice(&((20 + l4.len()) as u16).to_be_bytes());
    p.extend_from_slice(&src);
    p.extend_from_slice(&dst);
    p.extend_from_slice(l4);
    p
}

fn udp(sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
    let mut v =
        [sport.to_be_bytes(), dport.to_be_bytes(), ((8 + payload.len()) as u16).to_be_bytes(), [0, 0]]
            .concat();
    v.extend_from_slice(payload);
    v
}

/// A TCP header (seq 1, ack 1, window 8192, checksum 0) with `flags`.
fn tcp(sport: u16, dport: u16, flags: u8, payload: &[u8]) -> Vec<u8> {
    let mut v = [
        &sport.to_be_bytes()[..],
        &dport.to_be_bytes(),
        &[0, 0, 0, 1, 0, 0, 0, 1, 0x50, flags, 0x20, 0, 0, 0, 0, 0],
    ]
    .concat();
    v.extend_from_slice(payload);
    v
}

/// DNS, mDNS, DNS over TCP, HTTP, BOOTP and -v RST data, with the lines tcpdump 4.99.3 prints
/// for the same frames, each alone in a file (`tcpdump -n` and `-v`, TZ=GMT0).
#[test]
fn application_summaries_as_tcpdump() {
    let q =
        [&[0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0][..], b"\x07example\x03com\x00\x00\x01\x00\x01"].concat();
    let (a, b) = ([10, 0, 0, 1], [10, 0, 0, 2]);
    let mut dns_tcp = (q.len() as u16).to_be_bytes().to_vec();
    dns_tcp.extend_from_slice(&q);
    let http = b"GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n";
    let mut boot = vec![1, 1, 6, 0, 0x12, 0x34, 0x56, 0x78];
    boot.resize(28, 0);
    boot.extend_from_slice(&[2, 0, 0, 0, 0, 1]);
    boot.resize(236, 0);
    boot.extend_from_slice(&[99, 130, 83, 99, 53, 1, 1, 255]);
    let frames = [
        ip4(17, a, b, &udp(40000, 53, &q)),
        ip4(17, a, [224, 0, 0, 251], &udp(5353, 5353, &q)),
        ip4(6, a, b, &tcp(40000, 53, 0x18, &dns_tcp)),
        ip4(6, a, b, &tcp(40000, 80, 0x18, http)),
        ip4(6, a, b, &tcp(40000, 443, 0x18, http)),
        ip4(17, [0; 4], [255; 4], &udp(68, 67, &boot)),
        ip4(6, b, a, &tcp(80, 40000, 0x14, b"reset\x01\xffreason")),
    ];
    let default = [
        "01:01:01.000005 IP 10.0.0.1.40000 > 10.0.0.2.53: 4660+ A? example.com. (29)\n",
        "01:01:01.000005 IP 10.0.0.1.5353 > 224.0.0.251.5353: 4660+ A (QM)? example.com. (29)\n",
        "01:01:01.000005 IP 10.0.0.1.40000 > 10.0.0.2.53: Flags [P.], seq 1:32, ack 1, win 8192, length 31 4660+ A? example.com. (29)\n",
        "01:01:01.000005 IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [P.], seq 1:48, ack 1, win 8192, length 47: HTTP: GET /index.html HTTP/1.1\n",
        "01:01:01.000005 IP 10.0.0.1.40000 > 10.0.0.2.443: Flags [P.], seq 1:48, ack 1, win 8192, length 47\n",
        "01:01:01.000005 IP 0.0.0.0.68 > 255.255.255.255.67: BOOTP/DHCP, Request from 02:00:00:00:00:01, length 244\n",
        "01:01:01.000005 IP 10.0.0.2.80 > 10.0.0.1.40000: Flags [R.], seq 1:14, ack 1, win 8192, length 13: HTTP\n",
    ];
    for (f, want) in frames.iter().zip(default) {
        assert_eq!(line(TextOptions::default(), 101, f, f.len() as u32), want);
    }
    let v = TextOptions { verbosity: 1, ..Default::default() };
    let http_v = line(v, 101, &frames[3], frames[3].len() as u32);
    assert!(
        http_v
            .ends_with("length 47: HTTP, length: 47\n\tGET /index.html HTTP/1.1\n\tHost: example.com\n\t\n"),
        "{http_v}"
    );
    let boot_v = line(v, 101, &frames[5], frames[5].len() as u32);
    assert!(
        boot_v.ends_with(
            "BOOTP/DHCP, Request from 02:00:00:00:00:01, length 244, xid 0x12345678, Flags [none]\n\t  \
             Client-Ethernet-Address 02:00:00:00:00:01\n\t  Vendor-rfc1048 Extensions\n\t    \
             Magic Cookie 0x63825363\n\t    DHCP-Message (53), length 1: Discover\n"
        ),
        "{boot_v}"
    );
    let rst_v = line(v, 101, &frames[6], frames[6].len() as u32);
    assert!(rst_v.ends_with("length 13 [RST reset^AM-^?reason]\n"), "{rst_v}");
    // Cut inside the DNS question: tcpdump's "[|domain]".
    let cut = &frames[0][..40];
    assert_eq!(
        line(TextOptions::default(), 101, cut, frames[0].len() as u32),
        "01:01:01.000005 IP 10.0.0.1.40000 > 10.0.0.2.53: 4660+ [|domain]\n"
    );
}

/// With -v tcpdump prints the packet inside MPLS on its own line (MplsPackets.pcap).
#[test]
fn mpls_payload_on_its_own_line_with_v() {
    let mut f = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x88, 0x47, 0x03, 0xe8, 0x01, 0x40];
    f.extend_from_slice(&ip4(17, [10, 0, 0, 1], [10, 0, 0, 2], &udp(1000, 2000, b"x")));
    let plain = line(TextOptions::default(), 1, &f, f.len() as u32);
    assert!(plain.contains("MPLS (label 16000, tc 0, [S], ttl 64) IP 10.0.0.1.1000 > "), "{plain}");
    let v = line(TextOptions { verbosity: 1, ..Default::default() }, 1, &f, f.len() as u32);
    assert!(v.contains("MPLS (label 16000, tc 0, [S], ttl 64)\n\tIP (tos 0x0, ttl 64, "), "{v}");
}

/// With -e tcpdump names no protocol before IP headers inside tunnels or ICMP errors either,
/// and GRE names what it carries (tcpdump 4.99.3 on the same frames).
#[test]
fn inner_packets_with_e() {
    let e = TextOptions { link_header: true, time_format: 1, ..Default::default() };
    let eth = |ip: Vec<u8>| [&[2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0][..], &ip].concat();
    let inner = ip4(17, [10, 0, 0, 1], [10, 0, 0, 2], &udp(1, 2, b"x"));
    let ipip = eth(ip4(4, [1, 1, 1, 1], [2, 2, 2, 2], &inner));
    assert_eq!(
        line(e, 1, &ipip, ipip.len() as u32),
        "02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv4 (0x0800), length 63: 1.1.1.1 > 2.2.2.2: \
         10.0.0.1.1 > 10.0.0.2.2: UDP, length 1\n"
    );
    let gre = eth(ip4(47, [1, 1, 1, 1], [2, 2, 2, 2], &[&[0, 0, 8, 0][..], &inner].concat()));
    assert_eq!(
        line(e, 1, &gre, gre.len() as u32),
        "02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv4 (0x0800), length 67: 1.1.1.1 > 2.2.2.2: \
         GREv0, proto IPv4 (0x0800), length 33: 10.0.0.1.1 > 10.0.0.2.2: UDP, length 1\n"
    );
    let plain = TextOptions { time_format: 1, ..Default::default() };
    assert_eq!(
        line(plain, 1, &gre, gre.len() as u32),
        "IP 1.1.1.1 > 2.2.2.2: GREv0, length 33: IP 10.0.0.1.1 > 10.0.0.2.2: UDP, length 1\n"
    );
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

/// Frames built for these tests; each expected line is what Debian's tcpdump 4.99.3 printed
/// for them (`-n -t`, and `-e` or `-v` where given).
#[test]
fn lan_and_udp_protocols_as_tcpdump() {
    let t = TextOptions { time_format: 1, ..Default::default() };
    let e = TextOptions { link_header: true, ..t };
    let v = TextOptions { verbosity: 1, ..t };
    let run = |o: TextOptions, hex: &str| {
        let f = unhex(hex);
        line(o, 1, &f, f.len() as u32)
    };
    let stp = "0180c2000000001c0e878504002642420300000000008064001c0e877800000000048064001c0e87850080040100140002000f00";
    assert_eq!(
        run(t, stp),
        "STP 802.1d, Config, Flags [none], bridge-id 8064.00:1c:0e:87:85:00.8004, length 35\n"
    );
    assert_eq!(
        run(e, stp),
        "00:1c:0e:87:85:04 > 01:80:c2:00:00:00, 802.3, length 38: LLC, dsap STP (0x42) Individual, ssap STP \
         (0x42) Command, ctrl 0x03: STP 802.1d, Config, Flags [none], bridge-id 8064.00:1c:0e:87:85:00.8004, \
         length 35\n"
    );
    assert_eq!(
        run(v, stp),
        "STP 802.1d, Config, Flags [none], bridge-id 8064.00:1c:0e:87:85:00.8004, length 35\n\tmessage-age \
         1.00s, max-age 20.00s, hello-time 2.00s, forwarding-delay 15.00s\n\troot-id 8064.00:1c:0e:87:78:00, \
         root-pathcost 4\n"
    );
    let cdp = "01000ccccccc000f345f168d001aaaaa0300000c200002b4bae20001000652310006000843697363";
    assert_eq!(run(t, cdp), "CDPv2, ttl: 180s, Device-ID 'R1'\n\t  0x0000:  4369 7363, length 18\n");
    assert_eq!(
        run(e, cdp),
        "00:0f:34:5f:16:8d > 01:00:0c:cc:cc:cc, 802.3, length 26: LLC, dsap SNAP (0xaa) Individual, ssap SNAP \
         (0xaa) Command, ctrl 0x03: oui Cisco (0x00000c), pid CDP (0x2000), length 18: CDPv2, ttl: 180s, \
         Device-ID 'R1'\n\t  0x0000:  4369 7363, length 18\n"
    );
    let padi = "ffffffffffffcc050e880000886311090000000c010100000103000464138518";
    assert_eq!(run(t, padi), "PPPoE PADI [Service-Name] [Host-Uniq 0x64138518]\n");
    let lcp = "ca010e880006cc050e8800008864110000110014c02102020012010405dc0304c023050601fccbfb";
    assert_eq!(run(t, lcp), "PPPoE  [ses 0x11] LCP, Conf-Ack (0x02), id 2, length 20\n");
    assert!(
        run(e, lcp).ends_with(
            ": PPPoE  [ses 0x11] LCP (0xc021), length 20: LCP, Conf-Ack (0x02), id 2, length 20\n"
        )
    );
    let vrrp = "01005e00001200000000010108004500002000010000ff701a94c0a8001ee0000012210164010001ba52c0a80001";
    assert_eq!(
        run(v, vrrp),
        "IP (tos 0x0, ttl 255, id 1, offset 0, flags [none], proto VRRP (112), length 32)\n    192.168.0.30 > \
         224.0.0.18: VRRPv2, Advertisement, vrid 1, prio 100, authtype none, intvl 1s, length 12, addrs: \
         192.168.0.1\n"
    );
    let udp = |ports: &str, payload: &str| {
        let len = 8 + payload.len() / 2;
        format!(
            "01005e0000120000000001010800450000{:02x}00010000401100000a0000010a000002{ports}{len:04x}0000{payload}",
            20 + len
        )
    };
    let cases = [
        ("080103ff", "cc603299000000010000000000000000", "NFS reply xid 3428856473 reply ok 16"),
        ("007b007b", &format!("23{}", "00".repeat(47)), "NTPv4, Client, length 48"),
        (
            "066d0714",
            &format!("01050014{}", "00".repeat(16)),
            "RADIUS, Access-Request (1), id: 0x05 length: 20",
        ),
        ("02080208", &format!("02010000{}", "00".repeat(20)), "RIPv1, Response, length: 24"),
        ("02220223", "01abcdef", "dhcp6 solicit"),
        (
            "771a771a",
            "ffff8100000000080000000201010200",
            "SOMEIP, service 65535, event 256, len 8, client 0, session 2, pver 1, iver 1, msgtype \
             NOTIFICATION, retcode E_OK\n",
        ),
        ("13c413c4", "5349502f322e3020323030204f4b0d0a", "SIP: SIP/2.0 200 OK"),
    ];
    for (ports, payload, want) in cases {
        let got = run(t, &udp(ports, payload));
        let body = got.split_once(": ").map(|(_, b)| b).unwrap_or("");
        assert_eq!(body, format!("{want}\n"), "{got}");
    }
}

#[test]
fn first_fragment_of_a_udp_datagram_is_not_bad_length() {
    // UDP length 4060 in a fragment of 1480 bytes with more to come (tcpdump: "UDP, length 4052").
    let mut f = unhex("01005e0000120000000001010800450005dc00012000401100000a0000010a0000021388138a0fdc0000");
    f.resize(14 + 1500, 0);
    let got = line(TextOptions { time_format: 1, ..Default::default() }, 1, &f, f.len() as u32);
    assert_eq!(got, "IP 10.0.0.1.5000 > 10.0.0.2.5002: UDP, length 4052\n");
}
