use super::*;
// The printer's tests stay beside the parser's: they share its sample messages and hostile inputs.
use crate::render::fields::tls::{FIELDS, write_field, write_field_in_session};

fn hello() -> ClientHelloRepr {
    ClientHelloRepr {
        record_version: 0x0301,
        legacy_version: 0x0303,
        random: [7; 32],
        session_id: vec![1; 32],
        cipher_suites: vec![0x1301, 0x1302, 0xc02f],
        compression_methods: vec![0],
        extensions: vec![
            ClientHelloRepr::server_name_extension(b"www.example.com"),
            ClientHelloRepr::alpn_extension(&[b"h2", b"http/1.1"]),
            (EXT_SUPPORTED_VERSIONS, vec![4, 0x03, 0x04, 0x03, 0x03]),
            (0xff01, vec![0]),
        ],
    }
}

fn server_hello_and_more() -> Vec<u8> {
    // One record with ServerHello (40 bytes of body), Certificate (3) and ServerHelloDone (0).
    let mut frag = vec![2, 0, 0, 40];
    frag.extend([0u8; 40]);
    frag.extend([11, 0, 0, 3, 0, 0, 0]);
    frag.extend([14, 0, 0, 0]);
    let mut seg = vec![HANDSHAKE, 3, 3];
    seg.extend((frag.len() as u16).to_be_bytes());
    seg.extend(frag);
    // ChangeCipherSpec, then an encrypted Finished.
    seg.extend([CHANGE_CIPHER_SPEC, 3, 3, 0, 1, 1]);
    seg.extend([HANDSHAKE, 3, 3, 0, 8, 0xd3, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77]);
    seg
}

#[test]
fn reads_a_client_hello() {
    let wire = hello().emit();
    assert!(is_tls(&wire));
    let h = client_hello(&wire).unwrap();
    assert_eq!(h.legacy_version, 0x0303);
    assert_eq!(h.cipher_suite_count(), 3);
    assert_eq!(h.cipher_suite_list().collect::<Vec<_>>(), vec![0x1301, 0x1302, 0xc02f]);
    assert_eq!(h.server_name(), Some(&b"www.example.com"[..]));
    assert_eq!(h.alpn().collect::<Vec<_>>(), vec![&b"h2"[..], b"http/1.1"]);
    assert_eq!(h.supported_versions().collect::<Vec<_>>(), vec![0x0304, 0x0303]);
    assert_eq!(h.extension(0xff01), Some(&[0u8][..]));
    assert_eq!(h.stop, None);
    assert_eq!(ClientHelloRepr::parse(&wire).unwrap(), hello());
}

#[test]
fn records_and_handshakes() {
    let seg = server_hello_and_more();
    let recs: Vec<Record> = records(&seg).collect();
    assert_eq!(recs.iter().map(|r| r.content_type).collect::<Vec<_>>(), vec![22, 20, 22]);
    assert!(recs.iter().all(Record::is_complete));
    let types: Vec<u8> = recs[0].handshakes().map(|h| h.msg_type).collect();
    assert_eq!(types, vec![2, 11, 14]);
    assert_eq!(recs[0].handshakes().nth(1).unwrap().offset, 5 + 44);
    // A record cut by the end of the segment.
    let cut = &seg[..20];
    let r = records(cut).next().unwrap();
    assert!(!r.is_complete());
    assert_eq!(r.fragment.len(), 15);
    let hs = r.handshakes().next().unwrap();
    assert!(!hs.is_complete());
    assert_eq!(hs.body.len(), 11);
}

#[test]
fn truncated_client_hello_keeps_what_was_complete() {
    let wire = hello().emit();
    // Cut inside the ALPN extension: server_name survives, ALPN does not.
    let sni_end = wire.len() - (4 + 14) - (4 + 5) - (4 + 1) + 3;
    let h = client_hello(&wire[..sni_end]).unwrap();
    assert_eq!(h.server_name(), Some(&b"www.example.com"[..]));
    assert_eq!(h.alpn().count(), 0);
    assert!(matches!(h.stop, Some(TlsError::Truncated { what: "extensions", .. })));
    // Cut inside the cipher suites: only the version and random.
    let h = client_hello(&wire[..9 + 2 + 32 + 33 + 3]).unwrap();
    assert_eq!(h.cipher_suite_count(), 0);
    assert_eq!(h.stop, Some(TlsError::Truncated { offset: 9 + 34 + 33 + 2, what: "cipher suites" }));
    // Not even the random.
    assert_eq!(client_hello(&wire[..20]), None);
}

#[test]
fn hostile_lengths() {
    let mut wire = hello().emit();
    // An extension whose length runs past the extensions block.
    let ext_at = wire.len() - (4 + 1);
    wire[ext_at + 3] = 200;
    let h = client_hello(&wire).unwrap();
    assert!(matches!(h.stop, Some(TlsError::BadLength { what: "extension", .. })));
    assert_eq!(h.server_name(), Some(&b"www.example.com"[..]));
    // A server_name list longer than its extension.
    let mut r = hello();
    r.extensions[0].1[1] = 0xff;
    let wire = r.emit();
    let h = ClientHelloRepr::parse(&wire).unwrap();
    assert_eq!(client_hello(&wire).unwrap().server_name(), None);
    assert_eq!(h.extensions.len(), 4);
    // Record lengths beyond the TLS maximum are not TLS.
    assert!(!is_tls(&[22, 3, 1, 0xff, 0xff]));
    assert!(!is_tls(&[22, 2, 0, 0, 1]));
    assert!(!is_tls(&[25, 3, 1, 0, 1]));
    assert!(!is_tls(b"GET / HTTP/1.1\r\n"));
    // A handshake length of 16 MB in a small record.
    let seg = [22, 3, 1, 0, 4, 1, 0xff, 0xff, 0xff];
    let hs = records(&seg).next().unwrap().handshakes().next().unwrap();
    assert_eq!((hs.length, hs.body.len()), (0xff_ffff, 0));
}

fn ts(data: &[u8], field: &str) -> Option<String> {
    let mut s = String::new();
    write_field(data, field, &mut s).then_some(s)
}

#[test]
fn tshark_field_examples() {
    let wire = hello().emit();
    assert_eq!(ts(&wire, "tls.handshake.type").as_deref(), Some("1"));
    assert_eq!(ts(&wire, "tls.handshake.extensions_server_name").as_deref(), Some("www.example.com"));
    let seg = server_hello_and_more();
    assert_eq!(ts(&seg, "tls.handshake.type").as_deref(), Some("2,11,14"));
    assert_eq!(ts(&seg, "tls.record.content_type").as_deref(), Some("22,20,22"));
    assert_eq!(ts(&seg, "tls.handshake.extensions_server_name"), None);
    // The second record cut: only the first counts.
    assert_eq!(ts(&seg[..60], "tls.record.content_type").as_deref(), Some("22"));
    assert_eq!(ts(b"GET / HTTP/1.1\r\n", "tls.handshake.type"), None);
}

#[test]
fn every_prefix_and_mutation_is_safe() {
    let samples = [hello().emit(), server_hello_and_more()];
    let check = |d: &[u8]| {
        for r in records(d) {
            for h in r.handshakes() {
                if let Ok(c) = ClientHello::parse(h.body, h.offset) {
                    let _ = (c.server_name(), c.alpn().count(), c.supported_versions().count());
                    let _ = c.extension_list().count();
                }
            }
        }
        let _ = ClientHelloRepr::parse(d);
        let mut s = String::new();
        for f in FIELDS {
            write_field(d, f, &mut s);
        }
    };
    for s in &samples {
        for n in 0..=s.len() {
            check(&s[..n]);
        }
    }
    let mut x = 0x1234_5678_9abc_def0u64;
    for i in 0..3000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let mut m = samples[i % 2].clone();
        let at = (x as usize) % m.len();
        m[at] = (x >> 32) as u8;
        check(&m);
    }
}

/// A ServerHello choosing TLS 1.3 (supported_versions 0x0304), then ChangeCipherSpec and an
/// application data record, as in tls1_3.pcap frame 2.
fn tls13_server_flight() -> Vec<u8> {
    let mut body = vec![3, 3];
    body.extend([9u8; 32]);
    body.extend([0, 0x13, 0x01, 0]); // no session id, TLS_AES_128_GCM_SHA256, no compression
    body.extend([0, 6, 0, 43, 0, 2, 3, 4]); // supported_versions: TLS 1.3
    let mut frag = vec![SERVER_HELLO, 0, 0, body.len() as u8];
    frag.extend(body);
    let mut seg = vec![HANDSHAKE, 3, 3, 0, frag.len() as u8];
    seg.extend(frag);
    seg.extend([CHANGE_CIPHER_SPEC, 3, 3, 0, 1, 1]);
    seg.extend([APPLICATION_DATA, 3, 3, 0, 3, 0xaa, 0xbb, 0xcc]);
    seg
}

/// tshark shows TLS 1.3 application data records as tls.record.opaque_type: after the
/// ServerHello that chose TLS 1.3, in the same segment or (with the session flag) later.
#[test]
fn tls13_application_data_is_not_a_content_type() {
    let seg = tls13_server_flight();
    let hs = records(&seg).next().unwrap().handshakes().next().unwrap();
    assert_eq!(server_hello_version(hs.body), Some(0x0304));
    assert_eq!(server_hello_version(&hs.body[..10]), None);
    let mut out = String::new();
    assert!(write_field(&seg, "tls.record.content_type", &mut out));
    assert_eq!(out, "22,20");
    let later = [APPLICATION_DATA, 3, 3, 0, 2, 1, 2];
    let (mut tls13, mut out) = (false, String::new());
    write_field_in_session(&later, "tls.record.content_type", &mut tls13, &mut out);
    assert_eq!(out, "23");
    out.clear();
    write_field_in_session(&seg, "tls.record.content_type", &mut tls13, &mut out);
    assert!(tls13);
    out.clear();
    assert!(!write_field_in_session(&later, "tls.record.content_type", &mut tls13, &mut out));
    assert_eq!(out, "");
    // A TLS 1.2 ServerHello (no supported_versions) changes nothing.
    let mut tls12 = server_hello_and_more();
    tls12.extend(later);
    let (mut flag, mut out) = (false, String::new());
    write_field_in_session(&tls12, "tls.record.content_type", &mut flag, &mut out);
    assert!(!flag);
    assert_eq!(out, "22,20,22,23");
}
