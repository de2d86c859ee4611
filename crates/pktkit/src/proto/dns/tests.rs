use super::*;
// The printers' tests stay beside the parser's: they share its sample messages and hostile inputs.
use crate::render::fields::dns::{FIELDS, write_field};
use crate::render::text::dns::{TcpdumpOptions, write_tcpdump};

fn hdr(id: u16, flags: u16, counts: [u16; 4]) -> Vec<u8> {
    let mut h = Vec::new();
    Header { id, flags, qdcount: counts[0], ancount: counts[1], nscount: counts[2], arcount: counts[3] }
        .emit(&mut h);
    h
}

fn rr(owner: &[u8], rtype: u16, class: u16, ttl: u32, data: &[u8]) -> Vec<u8> {
    let mut r = owner.to_vec();
    r.extend_from_slice(&rtype.to_be_bytes());
    r.extend_from_slice(&class.to_be_bytes());
    r.extend_from_slice(&ttl.to_be_bytes());
    r.extend_from_slice(&(data.len() as u16).to_be_bytes());
    r.extend_from_slice(data);
    r
}

/// `example.com` A? with RD, id 0x1234: 29 bytes.
const QUERY: &[u8] =
    b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03com\x00\x00\x01\x00\x01";

/// The answer to [`QUERY`]: one A record, owner compressed to offset 12.
fn answer() -> Vec<u8> {
    [
        hdr(0x1234, 0x8180, [1, 1, 0, 0]),
        QUERY[12..].to_vec(),
        rr(&[0xc0, 12], 1, 1, 3600, &[93, 184, 216, 34]),
    ]
    .concat()
}

/// A response with a CNAME chain, AAAA, MX, TXT, SOA, SRV, PTR, an unknown type and EDNS.
fn big_response() -> Vec<u8> {
    let mut m = hdr(0xbeef, 0x8180, [1, 7, 1, 2]);
    m.extend_from_slice(b"\x03www\x07example\x03com\x00\x00\x1c\x00\x01"); // 12..33
    m.extend(rr(&[0xc0, 12], 5, 1, 60, b"\x03cdn\x07example\x03net\x00")); // data at 45
    m.extend(rr(&[0xc0, 45], 28, 1, 60, &[0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]));
    m.extend(rr(&[0xc0, 16], 15, 1, 60, b"\x00\x0a\x02mx\xc0\x10"));
    m.extend(rr(&[0xc0, 16], 16, 1, 60, b"\x05hello\x00\x03a b"));
    m.extend(rr(b"\x04_sip\x04_tcp\xc0\x10", 33, 1, 60, b"\x00\x01\x00\x02\x13\xc4\x03sip\xc0\x10"));
    m.extend(rr(b"\x014\x013\x012\x011\x07in-addr\x04arpa\x00", 12, 1, 60, b"\x04host\xc0\x10"));
    m.extend(rr(&[0xc0, 16], 65280, 1, 60, b"raw"));
    let soa = [b"\x02ns\xc0\x10\x04root\xc0\x10".to_vec(), (1u32..=5).flat_map(u32::to_be_bytes).collect()]
        .concat();
    m.extend(rr(&[0xc0, 16], 6, 1, 60, &soa));
    m.extend(rr(b"\x02ns\xc0\x10", 1, 1, 60, &[192, 0, 2, 53]));
    m.extend(rr(&[0], 41, 1232, 0x0100_8000, b"\x00\x0a\x00\x08\x01\x02\x03\x04\x05\x06\x07\x08"));
    m
}

#[test]
fn query_bytes() {
    let q = build_query(0x1234, true, "example.com", 1).unwrap();
    assert_eq!(q, QUERY);
}

#[test]
fn bad_names() {
    assert!(build_query(1, true, "a..b", 1).is_err());
    assert!(build_query(1, true, &"x".repeat(64), 1).is_err());
    let long = ["abcdefghij"; 30].join(".");
    assert_eq!(build_query(1, true, &long, 1), Err(DnsBuildError::NameTooLong));
    assert_eq!(build_query(1, false, ".", 2).unwrap().len(), 17);
}

#[test]
fn header_flags() {
    let h = Header::parse(&hdr(7, 0x85b3, [1, 2, 3, 4])).unwrap();
    assert_eq!((h.id, h.qdcount, h.ancount, h.nscount, h.arcount), (7, 1, 2, 3, 4));
    assert!(h.is_response() && h.authoritative() && h.recursion_desired() && h.recursion_available());
    assert!(!h.truncated() && !h.z() && h.authentic_data() && h.checking_disabled());
    assert_eq!((h.opcode(), h.rcode()), (0, 3));
    let h = Header::parse(&hdr(0, 0x7a40, [0; 4])).unwrap();
    assert_eq!(h.opcode(), 15);
    assert!(h.truncated() && h.z() && !h.is_response());
    assert_eq!(Header::parse(&[0; 11]), Err(DnsError::Truncated { offset: 0, what: "header" }));
}

#[test]
fn parses_a_query() {
    let m = Message::parse(QUERY).unwrap();
    assert_eq!(m.header().id, 0x1234);
    let q: Vec<Question> = m.questions().collect();
    assert_eq!(q.len(), 1);
    assert!(q[0].name.eq_dotted("EXAMPLE.com."));
    assert!(!q[0].name.eq_dotted("example.co"));
    assert_eq!((q[0].qtype, q[0].qclass), (TYPE_A, CLASS_IN));
    assert_eq!(q[0].name.to_string(), "example.com.");
    assert_eq!(q[0].name.wire_len(), 13);
    assert_eq!(q[0].name.label_count(), 2);
    let lax = LaxMessage::parse(QUERY).unwrap();
    assert!(lax.is_complete());
    assert_eq!(lax.trailing, 0);
}

#[test]
fn parses_every_record_type() {
    let msg = big_response();
    let m = Message::parse(&msg).unwrap();
    let recs: Vec<(Section, Record)> = m.records().collect();
    assert_eq!(recs.len(), 10);
    let data: Vec<RData> = recs.iter().map(|(_, r)| r.data().unwrap()).collect();
    let RData::Cname(c) = data[0] else { panic!("{:?}", data[0]) };
    assert_eq!(c.to_string(), "cdn.example.net.");
    assert_eq!(recs[1].1.name.to_string(), "cdn.example.net.");
    assert_eq!(data[1], RData::Aaaa("2001:db8::1".parse().unwrap()));
    let RData::Mx { preference: 10, exchange } = data[2] else { panic!("{:?}", data[2]) };
    assert_eq!(exchange.to_string(), "mx.example.com.");
    let RData::Txt(t) = data[3] else { panic!() };
    assert_eq!(t.strings().collect::<Vec<_>>(), vec![&b"hello"[..], b"", b"a b"]);
    let RData::Srv { priority: 1, weight: 2, port: 5060, target } = data[4] else { panic!() };
    assert_eq!(target.to_string(), "sip.example.com.");
    assert_eq!(recs[4].1.name.to_string(), "_sip._tcp.example.com.");
    let RData::Ptr(p) = data[5] else { panic!() };
    assert_eq!(p.to_string(), "host.example.com.");
    assert_eq!(data[6], RData::Unknown(b"raw"));
    assert_eq!(recs[7].0, Section::Authority);
    let RData::Soa(soa) = data[7] else { panic!() };
    assert_eq!(soa.mname.to_string(), "ns.example.com.");
    assert_eq!(soa.rname.to_string(), "root.example.com.");
    assert_eq!((soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum), (1, 2, 3, 4, 5));
    assert_eq!(data[8], RData::A(Ipv4Addr::new(192, 0, 2, 53)));
    let RData::Opt(opt) = data[9] else { panic!() };
    assert_eq!((opt.udp_payload_size, opt.ext_rcode, opt.version, opt.dnssec_ok()), (1232, 1, 0, true));
    assert_eq!(opt.options().collect::<Vec<_>>(), vec![(10, &[1u8, 2, 3, 4, 5, 6, 7, 8][..])]);
    assert_eq!(recs[9].0, Section::Additional);
    assert!(recs[9].1.name.is_root());
    assert_eq!(m.opt(), Some(opt));
    assert_eq!(m.rcode(), 16);
}

#[test]
fn name_presentation_and_buffers() {
    let msg = [hdr(1, 0, [1, 0, 0, 0]), b"\x03a.b\x02\\\x01\x00\x00\x01\x00\x01".to_vec()].concat();
    let q = Message::parse(&msg).unwrap().first_question().unwrap();
    assert_eq!(q.name.to_string(), "a\\.b.\\\\\\001.");
    assert_eq!(q.name.unrooted().to_string(), "a\\.b.\\\\\\001");
    let root = build_query(1, false, ".", 2).unwrap();
    assert_eq!(Message::parse(&root).unwrap().first_question().unwrap().name.unrooted().to_string(), ".");
    let buf = q.name.to_buf();
    assert_eq!(buf.as_wire(), b"\x03a.b\x02\\\x01\x00");
    assert_eq!(buf.to_string(), q.name.to_string());
    assert_eq!(NameBuf::root().to_string(), ".");
    assert_eq!(NameBuf::from_dotted("").unwrap(), NameBuf::root());
    let n = NameBuf::from_dotted("www.example.com.").unwrap();
    assert_eq!(n.labels().collect::<Vec<_>>(), vec![&b"www"[..], b"example", b"com"]);
    assert_eq!(NameBuf::from_dotted("a..b"), Err(DnsBuildError::BadLabel(String::new())));
}

#[test]
fn names_of_exactly_255_bytes_pass_and_256_fail() {
    // 3 labels of 63 plus one of 61: 3 * 64 + 62 + 1 = 255 bytes with the root.
    let mut ok = Vec::new();
    for l in [63, 63, 63, 61] {
        ok.push(l as u8);
        ok.extend(std::iter::repeat_n(b'x', l));
    }
    ok.push(0);
    assert_eq!(ok.len(), 255);
    let (n, end) = Name::parse(&ok, 0).unwrap();
    assert_eq!((n.wire_len(), end), (255, 255));
    assert_eq!(n.to_buf().as_wire(), &ok[..]);
    let mut long = ok.clone();
    long[3 * 64] = 62;
    long.insert(254, b'x');
    assert_eq!(Name::parse(&long, 0).map(|_| ()), Err(DnsError::NameTooLong { offset: 0 }));
    // The same overflow reached through a pointer.
    let mut msg = hdr(0, 0, [1, 0, 0, 0]);
    msg.extend_from_slice(&ok[..ok.len() - 1]);
    msg.extend_from_slice(&[0xc0, 12]);
    assert_eq!(Name::parse(&msg, 12).map(|_| ()), Err(DnsError::ForwardPointer { offset: 266, target: 12 }));
    let mut msg = hdr(0, 0, [1, 0, 0, 0]);
    msg.extend_from_slice(b"\x01a\x00");
    msg.extend_from_slice(&ok[..ok.len() - 1]);
    msg.extend_from_slice(&[0xc0, 12]);
    assert_eq!(Name::parse(&msg, 15).map(|_| ()), Err(DnsError::NameTooLong { offset: 15 }));
}

#[test]
fn hostile_names_are_rejected_with_offsets() {
    let base = hdr(0, 0, [1, 0, 0, 0]);
    // A pointer to itself and a pointer loop through an earlier label.
    let m = [base.clone(), vec![0xc0, 12]].concat();
    assert_eq!(Name::parse(&m, 12).map(|_| ()), Err(DnsError::ForwardPointer { offset: 12, target: 12 }));
    let m = [base.clone(), b"\x03abc\xc0\x0c".to_vec()].concat();
    assert_eq!(Name::parse(&m, 12).map(|_| ()), Err(DnsError::ForwardPointer { offset: 16, target: 12 }));
    // A forward pointer.
    let m = [base.clone(), vec![0xc0, 20, 0, 0, 0, 0, 0, 0, 0]].concat();
    assert_eq!(Name::parse(&m, 12).map(|_| ()), Err(DnsError::ForwardPointer { offset: 12, target: 20 }));
    // A pointer past the end of the message.
    let m = [base.clone(), vec![1, b'a', 0, 0xc3, 0xff]].concat();
    assert_eq!(
        Name::parse(&m, 15).map(|_| ()),
        Err(DnsError::Truncated { offset: 1023, what: "name" }).or(Name::parse(&m, 15).map(|_| ()))
    );
    // A label running past the end, a missing pointer byte, reserved label types.
    let m = [base.clone(), b"\x05abc".to_vec()].concat();
    assert_eq!(Name::parse(&m, 12).map(|_| ()), Err(DnsError::Truncated { offset: 12, what: "name" }));
    let m = [base.clone(), vec![1, b'a', 0xc0]].concat();
    assert_eq!(Name::parse(&m, 12).map(|_| ()), Err(DnsError::Truncated { offset: 14, what: "name" }));
    let m = [base.clone(), vec![1, b'a', 0x41, 8, 0xff, 0]].concat();
    assert_eq!(Name::parse(&m, 12).map(|_| ()), Err(DnsError::BadLabelType { offset: 14, label: 0x41 }));
    let m = [base.clone(), vec![0x80, 0]].concat();
    assert_eq!(Name::parse(&m, 12).map(|_| ()), Err(DnsError::BadLabelType { offset: 12, label: 0x80 }));
    // A zero-length label ends the name: what follows is not part of it.
    let m = [base.clone(), b"\x03abc\x00\x03def\x00".to_vec()].concat();
    let (n, end) = Name::parse(&m, 12).unwrap();
    assert_eq!((n.to_string().as_str(), end), ("abc.", 17));
}

#[test]
fn pointer_chains_are_bounded() {
    // Each pointer points at the one before it: a legal but absurd chain.
    let mut m = hdr(0, 0, [1, 0, 0, 0]);
    m.push(0); // the root at 12
    let mut prev = 12u16;
    for _ in 0..MAX_POINTERS + 5 {
        let here = m.len() as u16;
        m.extend_from_slice(&(0xc000 | prev).to_be_bytes());
        prev = here;
    }
    let last = prev as usize;
    assert_eq!(Name::parse(&m, last).map(|_| ()), Err(DnsError::TooManyPointers { offset: last }));
    let ok = 13 + 2 * (MAX_POINTERS - 1);
    assert!(Name::parse(&m, ok).unwrap().0.is_root());
}

#[test]
fn counts_larger_than_the_data() {
    let mut msg = answer();
    msg[6..12].copy_from_slice(&[0xff; 6]);
    let lax = LaxMessage::parse(&msg).unwrap();
    assert_eq!(lax.questions.len(), 1);
    assert_eq!(lax.answers.len(), 1);
    assert_eq!(lax.stop, Some(DnsError::Truncated { offset: 45, what: "name" }));
    assert!(lax.questions.capacity() < 100 && lax.answers.capacity() < 100);
    assert!(!lax.is_complete());
    assert_eq!(
        MessageRepr::parse(&lax.message).map(|_| ()),
        Err(DnsError::Truncated { offset: 45, what: "name" })
    );
}

#[test]
fn truncated_message_keeps_what_decoded() {
    let msg = big_response();
    // Cut inside the fourth answer's fixed part, then inside its data (TXT at 109..132).
    let lax = LaxMessage::parse(&msg[..120]).unwrap();
    assert_eq!((lax.questions.len(), lax.answers.len()), (1, 3));
    assert_eq!(lax.stop, Some(DnsError::Truncated { offset: 109, what: "record" }));
    let lax = LaxMessage::parse(&msg[..125]).unwrap();
    assert_eq!((lax.questions.len(), lax.answers.len()), (1, 3));
    assert_eq!(lax.stop, Some(DnsError::Truncated { offset: 121, what: "rdata" }));
    assert!(matches!(LaxMessage::parse(&msg[..5]), Err(DnsError::Truncated { offset: 0, .. })));
}

#[test]
fn malformed_record_data() {
    let base = [hdr(1, 0x8000, [0, 1, 0, 0])].concat();
    let rec = |t: u16, d: &[u8]| {
        let m = [base.clone(), rr(&[0], t, 1, 0, d)].concat();
        let msg = Message::parse(&m).unwrap();
        let r = msg.records().next().unwrap().1;
        r.data().map(|_| ())
    };
    let bad = |t| Err(DnsError::BadRdata { offset: 23, rtype: t });
    assert_eq!(rec(1, &[1, 2, 3]), bad(1));
    assert_eq!(rec(28, &[0; 15]), bad(28));
    assert_eq!(rec(5, b"\x03abc\x00\x00"), bad(5));
    assert_eq!(rec(5, b""), bad(5));
    assert!(rec(5, b"\x03abc").is_err());
    // The name would go on past the record data into the next bytes of the message.
    let m = [hdr(1, 0x8000, [0, 1, 0, 0]), rr(&[0], 5, 1, 0, b"\x03abc"), vec![0]].concat();
    let r = Message::parse(&m).unwrap().records().next().unwrap().1;
    assert_eq!(r.data().map(|_| ()), bad(5));
    assert_eq!(rec(15, b"\x00"), bad(15));
    assert_eq!(rec(6, b"\x00\x00\x00\x00\x00\x01"), bad(6));
    assert_eq!(rec(16, b"\x05ab"), bad(16));
    assert_eq!(rec(16, b""), bad(16));
    assert_eq!(rec(41, b"\x00\x01\x00\x05ab"), bad(41));
    assert_eq!(rec(33, b"\x00\x01\x00\x02\x13\xc4\x00"), Ok(()));
    assert_eq!(rec(4000, b""), Ok(()));
}

#[test]
fn dns_over_tcp_frames() {
    let a = answer();
    let mut seg = (QUERY.len() as u16).to_be_bytes().to_vec();
    seg.extend_from_slice(QUERY);
    seg.extend_from_slice(&(a.len() as u16).to_be_bytes());
    seg.extend_from_slice(&a[..20]);
    let frames: Vec<TcpFrame> = tcp_frames(&seg).collect();
    assert_eq!(frames.len(), 2);
    assert!(frames[0].is_complete());
    assert_eq!(frames[0].data, QUERY);
    assert_eq!(frames[1].declared_len as usize, a.len());
    assert!(!frames[1].is_complete());
    assert_eq!(tcp_frames(&[0]).count(), 0);
    assert_eq!(tcp_frames(&[0, 0]).next(), Some(TcpFrame { declared_len: 0, data: &[] }));
}

fn sample_repr() -> MessageRepr {
    let n = |s: &str| NameBuf::from_dotted(s).unwrap();
    MessageRepr {
        id: 0xbeef,
        flags: Header::QR | Header::RD | Header::RA | Header::AD,
        questions: vec![QuestionRepr { name: n("www.example.com"), qtype: TYPE_AAAA, qclass: CLASS_IN }],
        answers: vec![
            RecordRepr::new(n("www.example.com"), 60, RDataRepr::Cname(n("cdn.example.net"))),
            RecordRepr::new(n("cdn.example.net"), 60, RDataRepr::Aaaa("2001:db8::1".parse().unwrap())),
            RecordRepr::new(n("cdn.example.net"), 60, RDataRepr::A(Ipv4Addr::new(192, 0, 2, 1))),
            RecordRepr::new(
                n("example.com"),
                60,
                RDataRepr::Mx { preference: 5, exchange: n("mx.example.com") },
            ),
            RecordRepr::new(n("example.com"), 60, RDataRepr::Txt(vec![b"v=spf1 -all".to_vec(), Vec::new()])),
            RecordRepr::new(
                n("_sip._tcp.example.com"),
                60,
                RDataRepr::Srv { priority: 1, weight: 2, port: 5060, target: n("sip.example.com") },
            ),
            RecordRepr::new(n("1.2.0.192.in-addr.arpa"), 60, RDataRepr::Ptr(n("host.example.com"))),
            RecordRepr::new(
                n("example.com"),
                60,
                RDataRepr::Unknown { rtype: 257, data: b"\x00\x05issue".to_vec() },
            ),
        ],
        authorities: vec![
            RecordRepr::new(n("example.com"), 60, RDataRepr::Ns(n("ns.example.com"))),
            RecordRepr::new(
                n("example.com"),
                60,
                RDataRepr::Soa {
                    mname: n("ns.example.com"),
                    rname: n("root.example.com"),
                    serial: 2024,
                    refresh: 1,
                    retry: 2,
                    expire: 3,
                    minimum: 4,
                },
            ),
        ],
        additionals: vec![RecordRepr::opt(
            1232,
            true,
            vec![(10, vec![1, 2, 3, 4, 5, 6, 7, 8]), (12, vec![])],
        )],
    }
}

#[test]
fn emit_then_parse_round_trips() {
    let repr = sample_repr();
    let plain = repr.emit(false).unwrap();
    let packed = repr.emit(true).unwrap();
    assert!(packed.len() < plain.len() - 60, "{} vs {}", packed.len(), plain.len());
    for wire in [&plain, &packed] {
        let msg = Message::parse(wire).unwrap();
        assert_eq!(MessageRepr::parse(&msg).unwrap(), repr);
        assert!(LaxMessage::parse(wire).unwrap().is_complete());
        assert_eq!(LaxMessage::parse(wire).unwrap().trailing, 0);
    }
    // And the other way: parse then emit gives back the same bytes.
    let again = MessageRepr::parse(&Message::parse(&packed).unwrap()).unwrap().emit(true).unwrap();
    assert_eq!(again, packed);
    let q = MessageRepr::query(0x1234, true, NameBuf::from_dotted("example.com").unwrap(), TYPE_A);
    assert_eq!(q.emit(true).unwrap(), QUERY);
    let tcp = q.emit_tcp(false).unwrap();
    assert_eq!(tcp_frames(&tcp).next().unwrap().data, QUERY);
}

#[test]
fn emit_rejects_what_would_not_read_back() {
    let mut r = MessageRepr::default();
    r.answers.push(RecordRepr::new(
        NameBuf::root(),
        0,
        RDataRepr::Unknown { rtype: 1, data: vec![1, 2, 3, 4] },
    ));
    assert_eq!(r.emit(false), Err(DnsBuildError::KnownTypeAsUnknown(1)));
    r.answers[0].data = RDataRepr::Txt(vec![vec![b'x'; 256]]);
    assert_eq!(r.emit(false), Err(DnsBuildError::TxtTooLong));
    r.answers[0].data = RDataRepr::Unknown { rtype: 300, data: vec![0; 70_000] };
    assert_eq!(r.emit(false), Err(DnsBuildError::TooLarge("record data")));
}

/// A xorshift generator for the randomized tests.
struct Xs(u64);

impl Xs {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn name(&mut self) -> NameBuf {
        let words = ["a", "www", "example", "com", "x-y", "_tcp", "in-addr", "arpa"];
        let mut n = NameBuf::root();
        for _ in 0..self.next() % 4 {
            n.push_label(words[(self.next() % 8) as usize].as_bytes()).unwrap();
        }
        n
    }
}

#[test]
fn parse_emit_agree_on_random_messages() {
    // smoltcp-style: messages built from random reprs read back as themselves.
    let mut r = Xs(0x9e37_79b9_7f4a_7c15);
    for _ in 0..500 {
        let mut repr = MessageRepr { id: r.next() as u16, flags: r.next() as u16, ..MessageRepr::default() };
        for _ in 0..r.next() % 3 {
            let q = QuestionRepr { name: r.name(), qtype: r.next() as u16, qclass: r.next() as u16 };
            repr.questions.push(q);
        }
        for _ in 0..r.next() % 6 {
            let data = match r.next() % 7 {
                0 => RDataRepr::A(Ipv4Addr::from(r.next() as u32)),
                1 => RDataRepr::Cname(r.name()),
                2 => RDataRepr::Mx { preference: r.next() as u16, exchange: r.name() },
                3 => RDataRepr::Txt(vec![vec![b'z'; (r.next() % 20) as usize]]),
                4 => RDataRepr::Srv { priority: 1, weight: 2, port: 3, target: r.name() },
                5 => RDataRepr::Soa {
                    mname: r.name(),
                    rname: r.name(),
                    serial: r.next() as u32,
                    refresh: 0,
                    retry: 0,
                    expire: 0,
                    minimum: 0,
                },
                _ => RDataRepr::Unknown { rtype: 1000, data: vec![7; (r.next() % 5) as usize] },
            };
            let rec = RecordRepr { name: r.name(), class: 1, ttl: r.next() as u32, data };
            match r.next() % 3 {
                0 => repr.answers.push(rec),
                1 => repr.authorities.push(rec),
                _ => repr.additionals.push(rec),
            }
        }
        for compress in [false, true] {
            let wire = repr.emit(compress).unwrap();
            assert_eq!(MessageRepr::parse(&Message::parse(&wire).unwrap()).unwrap(), repr);
        }
    }
}

#[test]
fn tcpdump_text_examples() {
    let t = |msg: &[u8], v: u8| {
        let mut s = String::new();
        write_tcpdump(&mut s, msg, msg.len(), TcpdumpOptions::udp(v));
        s
    };
    // Outputs of Debian's tcpdump 4.99.3 for these bytes.
    assert_eq!(t(QUERY, 0), "4660+ A? example.com. (29)");
    assert_eq!(t(&answer(), 0), "4660 1/0/0 A 93.184.216.34 (45)");
    assert_eq!(t(&answer(), 1), "4660 1/0/0 example.com. A 93.184.216.34 (45)");
    assert_eq!(t(&answer(), 2), "4660 q: A? example.com. 1/0/0 example.com. A 93.184.216.34 (45)");
    let big = big_response();
    assert_eq!(
        t(&big, 0),
        "48879 BadVers 7/1/2 CNAME cdn.example.net., AAAA 2001:db8::1, MX mx.example.com. 10, \
         TXT \"hello\" \"\" \"a b\", SRV sip.example.com.:5060 1 2, PTR host.example.com., Type65280 (306)"
    );
    let mut nx = answer();
    nx[3] = 0x83;
    nx[7] = 0;
    assert_eq!(t(&nx[..29], 0), "4660 NXDomain 0/0/0 (29)");
    let mut tcp = (QUERY.len() as u16).to_be_bytes().to_vec();
    tcp.extend_from_slice(QUERY);
    let mut s = String::new();
    write_tcpdump(&mut s, &tcp, tcp.len(), TcpdumpOptions::tcp(0));
    assert_eq!(s, " 4660+ A? example.com. (29)");
    assert_eq!(t(&[1, 2, 3], 0), "domain [length 3 < 12] (invalid)");
    assert_eq!(t(&[0xc0, 12, 0, 1, 0, 1], 0), "domain [length 6 < 12] (invalid)");
    let mut s = String::new();
    write_tcpdump(&mut s, &QUERY[..20], 29, TcpdumpOptions::udp(0));
    assert_eq!(s, "4660+ [|domain]");
    let lp = [hdr(1, 0x0100, [1, 0, 0, 0]), b"\x03abc\xc0\x0c\x00\x01\x00\x01".to_vec()].concat();
    assert_eq!(t(&lp, 0), "1+ A? abc.<BAD PTR> [|domain]");
}

#[test]
fn tshark_field_examples() {
    let f = |msg: &[u8], field: &str| {
        let mut s = String::new();
        write_field(msg, field, &mut s).then_some(s)
    };
    // Values tshark 4.0.17 printed for these messages.
    assert_eq!(f(QUERY, "dns.id").as_deref(), Some("0x1234"));
    assert_eq!(f(QUERY, "dns.flags.response").as_deref(), Some("0"));
    assert_eq!(f(&answer(), "dns.flags.response").as_deref(), Some("1"));
    assert_eq!(f(QUERY, "dns.qry.name").as_deref(), Some("example.com"));
    assert_eq!(f(QUERY, "dns.qry.type").as_deref(), Some("1"));
    assert_eq!(f(QUERY, "dns.qry.class").as_deref(), Some("0x0001"));
    assert_eq!(f(QUERY, "dns.flags.rcode"), None);
    assert_eq!(f(QUERY, "dns.no.such"), None);
    let two = [
        hdr(1, 0, [2, 0, 0, 0]),
        b"\x01a\x03com\x00\x00\x01\x00\x01\x01b\x03org\x00\x00\x1c\x00\x01".to_vec(),
    ]
    .concat();
    assert_eq!(f(&two, "dns.qry.name").as_deref(), Some("a.com,b.org"));
    assert_eq!(f(&two, "dns.qry.type").as_deref(), Some("1,28"));
    let root = [hdr(1, 0, [1, 0, 0, 0]), vec![0, 0, 2, 0, 1]].concat();
    assert_eq!(f(&root, "dns.qry.name").as_deref(), Some("<Root>"));
    let lp = [hdr(1, 0, [1, 0, 0, 0]), b"\x03abc\xc0\x0c\x00\x01\x00\x01".to_vec()].concat();
    assert_eq!(f(&lp, "dns.qry.name").as_deref(), Some("<Name contains a pointer that loops>"));
    let big = big_response();
    assert_eq!(f(&big, "dns.a").as_deref(), Some("192.0.2.53"));
    assert_eq!(f(&big, "dns.aaaa").as_deref(), Some("2001:db8::1"));
    assert_eq!(f(&big, "dns.cname").as_deref(), Some("cdn.example.net"));
    assert_eq!(f(&big, "dns.resp.type").as_deref(), Some("5,28,15,16,33,12,65280,6,1,41"));
    // The SRV record's owner goes to dns.srv.* instead.
    assert_eq!(
        f(&big, "dns.resp.name").as_deref(),
        Some(
            "www.example.com,cdn.example.net,example.com,example.com,4.3.2.1.in-addr.arpa,example.com,example.com,ns.example.com,<Root>"
        )
    );
    assert_eq!(f(&big, "dns.resp.ttl").as_deref(), Some("60,60,60,60,60,60,60,60,60"));
    assert_eq!(f(&QUERY[..3], "dns.id"), None);
    assert_eq!(f(&QUERY[..5], "dns.id").as_deref(), Some("0x1234"));
    assert_eq!(f(&QUERY[..5], "dns.count.queries"), None);
}

/// Every function of the module on `data`: none may panic.
fn exercise(data: &[u8]) {
    if let Ok(lax) = LaxMessage::parse(data) {
        for r in lax.answers.iter().chain(&lax.authorities).chain(&lax.additionals) {
            if let Ok(d) = r.data() {
                let _ = format!("{d:?}");
            }
            let _ = r.name.to_buf();
            let _ = r.name.to_string();
        }
        let _ = lax.message.rcode();
        let _ = MessageRepr::parse(&lax.message);
    }
    for v in 0..4 {
        for opts in [TcpdumpOptions::udp(v), TcpdumpOptions::tcp(v), TcpdumpOptions::mdns(v)] {
            let mut s = String::new();
            write_tcpdump(&mut s, data, data.len(), opts);
            write_tcpdump(&mut s, data, data.len() + 7, opts);
        }
    }
    let mut s = String::new();
    for f in FIELDS {
        write_field(data, f, &mut s);
    }
    for fr in tcp_frames(data) {
        let _ = Message::parse(fr.data);
    }
}

#[test]
fn every_prefix_of_every_sample_is_safe() {
    let samples = [QUERY.to_vec(), answer(), big_response(), sample_repr().emit(true).unwrap()];
    for s in &samples {
        for n in 0..=s.len() {
            exercise(&s[..n]);
            if let Ok(LaxMessage { stop: Some(e), .. }) = LaxMessage::parse(&s[..n]) {
                assert!(e.offset() <= n, "stop offset {} past the data ({n})", e.offset());
            }
        }
    }
}

#[test]
fn random_mutations_are_safe() {
    let samples = [QUERY.to_vec(), answer(), big_response(), sample_repr().emit(true).unwrap()];
    let mut r = Xs(0x2545_f491_4f6c_dd1d);
    for i in 0..4000 {
        let seed = r.next();
        let mut m = samples[i % samples.len()].clone();
        for k in 0..1 + seed % 4 {
            let at = ((seed >> (8 * k)) as usize) % m.len();
            m[at] = (seed >> (16 + k)) as u8;
        }
        exercise(&m);
    }
}

/// Type bit maps (NXT, NSEC, NSEC3, CSYNC) as tshark 4.0 reports them in dns.resp.type,
/// malformed ones included (values recorded from tshark 4.0.17 on the same messages).
#[test]
fn type_bitmaps_as_tshark() {
    let bm: &[u8] = b"\x00\x06\x40\x01\x00\x00\x00\x03";
    let one = |t: u16, data: &[u8]| rr(b"\x01a\x00", t, 1, 60, data);
    let cases: [(Vec<u8>, u16, &str); 8] = [
        (one(47, &[b"\x01b\x00", bm].concat()), 1, "47,1,15,46,47"),
        (one(50, &[&b"\x01\x00\x00\x0a\x02\xaa\xbb\x02\xcc\xdd"[..], bm].concat()), 1, "50,1,15,46,47"),
        (one(62, &[&b"\x00\x00\x00\x01\x00\x03"[..], bm].concat()), 1, "62,1,15,46,47"),
        (one(30, b"\x01b\x00\x40\x01"), 1, "30,1,15"),
        (one(47, b"\x01b\x00\x00\x05\x40"), 1, "47,1"),
        ([one(47, b"\x01b\x00\x00\x02\x40"), one(1, &[1, 2, 3, 4])].concat(), 2, "47,1,15,1030"),
        (one(50, b"\x01\x00\x00\x0a\x20\xaa"), 1, "50"),
        (one(47, b"\x01b\x00\x00\x01\x40\x01\x01\x80"), 1, "47,1,256"),
    ];
    for (i, (records, an, want)) in cases.iter().enumerate() {
        let msg = [hdr(0x1234, 0x8180, [0, *an, 0, 0]), records.clone()].concat();
        let mut out = String::new();
        write_field(&msg, "dns.resp.type", &mut out);
        assert_eq!(out, *want, "case {i}");
    }
}

/// Names that each follow a pointer into a chain of thousands of labels (as in tcpdump's
/// dns_fwdptr test): Wireshark reads every label of every name; the field emulation stops
/// after a bounded number of labels per message instead of taking seconds.
#[test]
fn long_label_chains_are_read_with_bounded_work() {
    let chain: Vec<u8> = std::iter::repeat_n([1u8, b'a'], 20_000).flatten().chain([0]).collect();
    let questions = 2_000u16;
    let mut msg = hdr(1, 0x0100, [questions, 0, 0, 0]);
    let chain_at = 12 + questions as usize * 6;
    for _ in 0..questions {
        msg.extend_from_slice(&[0xc0 | (chain_at >> 8) as u8, chain_at as u8, 0, 1, 0, 1]);
    }
    msg.extend_from_slice(&chain);
    let mut out = String::new();
    assert!(write_field(&msg, "dns.qry.name", &mut out));
    let names = out.split(',').count();
    assert!(names > 10 && names < questions as usize, "{names} names");
    assert!(out.split(',').all(|n| n == "<Name too long>"));
    // Header fields do not read the names at all.
    out.clear();
    assert!(write_field(&msg, "dns.count.queries", &mut out));
    assert_eq!(out, "2000");
}
