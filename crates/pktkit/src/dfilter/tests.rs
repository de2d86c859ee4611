use super::*;
use crate::capture::{Interface, LinkType, Precision, Timestamp};
use crate::decode::{DecodeOptions, decode};
use crate::test_frames::{tcp4, udp4};

const QUERY: &[u8] =
    b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03com\x00\x00\x01\x00\x01";

/// An Ethernet frame (00:1b:21:3a:4b:5c > 02:00:00:00:00:01) around raw IPv4 `ip`.
fn eth(ip: &[u8]) -> Vec<u8> {
    [&[2, 0, 0, 0, 0, 1, 0, 0x1b, 0x21, 0x3a, 0x4b, 0x5c, 8, 0][..], ip].concat()
}

/// The frames: 1 DNS query, 2 HTTP GET to 80, 3 TCP 443 -> 8050 empty, 4 UDP 5000 -> 6000.
fn frames() -> Vec<Vec<u8>> {
    vec![
        eth(&udp4(40000, 53, QUERY)),
        eth(&tcp4(40000, 80, b"GET /Index.html HTTP/1.1\r\nHost: www.Example.org\r\n\r\n")),
        eth(&tcp4(443, 8050, b"")),
        eth(&udp4(5000, 6000, b"xyz")),
    ]
}

/// The numbers of the frames `expr` selects.
fn select(expr: &str) -> Vec<u64> {
    let mut f = Filter::new(expr).unwrap_or_else(|e| panic!("{expr}: {e}"));
    let iface = Interface::live(LinkType::ETHERNET, 65535, Precision::Micro);
    let mut out = Vec::new();
    for (i, fr) in frames().iter().enumerate() {
        let pkt = Packet::new(i as u64 + 1, Timestamp::new(1, 0), fr, fr.len() as u32, &iface);
        let d = decode(LinkType::ETHERNET, fr, fr.len() as u32, &DecodeOptions::default());
        if f.matches(&pkt, &d) {
            out.push(i as u64 + 1);
        }
    }
    out
}

#[test]
fn existence_of_fields_and_protocols() {
    assert_eq!(select("dns"), [1]);
    assert_eq!(select("http.request"), [2]);
    assert_eq!(select("http"), [2]);
    assert_eq!(select("tcp"), [2, 3]);
    assert_eq!(select("udp && !dns"), [4]);
    assert_eq!(select("frame"), [1, 2, 3, 4]);
    assert_eq!(select("arp"), Vec::<u64>::new());
    assert_eq!(select("http.response"), Vec::<u64>::new());
}

#[test]
fn comparisons_and_word_forms() {
    assert_eq!(select("tcp.dstport == 80"), [2]);
    assert_eq!(select("tcp.dstport eq 0x50"), [2]);
    assert_eq!(select("tcp.dstport > 80"), [3]);
    assert_eq!(select("tcp.dstport gt 0120"), [3]);
    assert_eq!(select("udp.srcport <= 5000 and udp.srcport ge 5000"), [4]);
    assert_eq!(select("frame.len lt 60"), [3, 4]);
    assert_eq!(select("ip.ttl == 0b1000000"), [1, 2, 3, 4]);
    assert_eq!(select("80 == tcp.dstport"), [2]);
    assert_eq!(select("tcp.srcport != 40000"), [3]);
    assert_eq!(select("tcp.srcport ne 40000"), [3]);
}

#[test]
fn two_way_fields_and_wireshark_4_not_equal() {
    assert_eq!(select("tcp.port == 443"), [3]);
    assert_eq!(select("udp.port == 53"), [1]);
    // 4.0: != means no occurrence equals; ~= means some occurrence differs.
    assert_eq!(select("tcp.port != 80"), [3]);
    assert_eq!(select("tcp.port ~= 80"), [2, 3]);
    assert_eq!(select("ip.addr == 10.0.0.2"), [1, 2, 3, 4]);
    assert_eq!(select("ip.addr != 10.0.0.2"), Vec::<u64>::new());
    assert_eq!(select("eth.addr == 00:1b:21:3a:4b:5c"), [1, 2, 3, 4]);
}

#[test]
fn sets_ranges_and_cidr() {
    assert_eq!(select("tcp.port in {80 443 8000..8100}"), [2, 3]);
    assert_eq!(select("tcp.dstport in {8000..8100}"), [3]);
    assert_eq!(select("udp.dstport in {53, 6000}"), [1, 4]);
    assert_eq!(select("ip.src == 10.0.0.0/8"), [1, 2, 3, 4]);
    assert_eq!(select("ip.src == 10.0.0.0/31"), [1, 2, 3, 4]);
    assert_eq!(select("ip.src == 10.0.0.2/32"), Vec::<u64>::new());
    assert_eq!(select("ip.dst in {10.0.0.1..10.0.0.3}"), [1, 2, 3, 4]);
}

#[test]
fn strings_contains_matches_and_functions() {
    assert_eq!(select("dns.qry.name contains \"exam\""), [1]);
    assert_eq!(select("dns.qry.name == \"example.com\""), [1]);
    assert_eq!(select("http.request.method == GET"), [2]);
    assert_eq!(select("http.host matches \"example\\\\.ORG$\""), [2]);
    assert_eq!(select("http.host == \"www.example.org\""), Vec::<u64>::new());
    assert_eq!(select("lower(http.host) == \"www.example.org\""), [2]);
    assert_eq!(select("upper(http.request.uri) contains \"INDEX\""), [2]);
    assert_eq!(select("len(http.request.uri) == 11"), [2]);
    assert_eq!(select("len(dns.qry.name) > 5"), [1]);
}

#[test]
fn slices_and_bitwise_and() {
    assert_eq!(select("eth.src[0:3] == 00:1b:21"), [1, 2, 3, 4]);
    assert_eq!(select("eth.src[0:3] == 00-1b-22"), Vec::<u64>::new());
    assert_eq!(select("eth.dst[-1] == 01"), [1, 2, 3, 4]);
    assert_eq!(select("eth.dst[1-2] == 00:00"), [1, 2, 3, 4]);
    assert_eq!(select("ip.src[3] == 01"), [1, 2, 3, 4]);
    assert_eq!(select("http.host[0:4] == \"www.\""), [2]);
    assert_eq!(select("tcp.flags & 0x08"), [2, 3]);
    assert_eq!(select("tcp.flags & 0x02"), Vec::<u64>::new());
    assert_eq!(select("tcp.flags & 0x18 == 0x18"), [2, 3]);
    assert_eq!(select("tcp.flags.push == 1 && tcp.flags.syn == False"), [2, 3]);
}

#[test]
fn logic_precedence_and_xor() {
    assert_eq!(select("dns or tcp and tcp.dstport == 80"), [1, 2]);
    assert_eq!(select("(dns or tcp) and tcp.dstport == 80"), [2]);
    assert_eq!(select("not tcp || dns"), [1, 4]);
    assert_eq!(select("tcp xor tcp.dstport == 80"), [3]);
    assert_eq!(select("udp ^^ dns"), [4]);
    assert_eq!(select("!(ip.src == 10.0.0.9)"), [1, 2, 3, 4]);
}

/// The byte offset and the message of the error of `expr`.
fn error(expr: &str) -> (usize, String) {
    let e = Filter::new(expr).expect_err(expr);
    (e.pos, e.msg)
}

#[test]
fn errors_name_the_position_and_what_was_expected() {
    assert_eq!(error("tcp.port ==").0, 11);
    assert_eq!(error("(tcp").0, 4);
    assert_eq!(error("tcp.port == 80 tcp").0, 15);
    assert_eq!(error("ip.src == 10.0.0.300").0, 10);
    let (pos, msg) = error("tcp.prot == 80");
    assert_eq!(pos, 0);
    assert!(msg.contains("tcp.port"), "{msg}");
    assert!(error("ip.src contains 1").1.contains("contains"));
    assert!(error("tcp.port matches \"x\"").1.contains("matches"));
    assert!(error("http.host matches \"(\"").1.contains("regular expression"));
    assert!(error("tcp.port in {}").1.contains("set"));
    assert!(error("tcp.srcport[0:1] == 00").1.contains("slice"));
    assert!(error("foo(tcp.port)").1.contains("function"));
    assert!(error("tcp.port == ip.src").1.contains("same type"));
    assert!(error("dns == 1").1.contains("no value"));
    assert!(error("").1.contains("empty"));
    assert_eq!(error("tcp.port == 65536000000000000000000").0, 12);
}

#[test]
fn ranges() {
    let r = parse_ranges("0:3,-1,1-2,:2,4:", 0).unwrap();
    let b = [0u8, 1, 2, 3, 4, 5];
    let got: Vec<&[u8]> = r.iter().map(|r| slice(&b, *r).unwrap()).collect();
    assert_eq!(got, [&[0u8, 1, 2][..], &[5], &[1, 2], &[0, 1], &[4, 5]]);
    assert!(slice(&b, Range { start: 4, end: Some(8) }).is_none());
    assert!(parse_ranges("a:b", 0).is_err());
}

#[test]
fn application_prefilter_needs() {
    let needs =
        |expr: &str| -> Vec<&str> { Filter::new(expr).unwrap().needs.iter().map(|r| r.name()).collect() };
    assert_eq!(needs("http.request.method == \"GET\""), ["http.request.method"]);
    assert_eq!(
        needs("dns.qry.name contains \"example\" || tls.handshake.extensions_server_name"),
        ["dns.qry.name", "tls.handshake.extensions_server_name"]
    );
    assert_eq!(needs("tcp && dns"), ["dns"]);
    assert_eq!(needs("len(http.host) > 3"), ["http.host"]);
    // Tests that can hold without an application protocol need none.
    assert!(needs("dns || tcp").is_empty());
    assert!(needs("!dns").is_empty());
    assert!(needs("http.host != \"a\" xor dns").is_empty());
    // `http` also covers later segments of an HTTP connection, whatever they carry.
    assert!(needs("http").is_empty());
    // A stateful field must read every packet.
    assert!(needs("dns && tcp.stream == 1").is_empty());
    // The prefilter gives the same answers as the full reading.
    assert_eq!(select("http.request.method == \"GET\" || dns"), [1, 2]);
    assert_eq!(select("tls.handshake || dns.qry.name contains \"example\""), [1]);
    assert_eq!(select("http.request.uri contains \"Index\""), [2]);
    assert!(select("http.response.code").is_empty());
}
