//! TLS against tshark 4.0: fields of generated segments (ClientHellos with odd server_name
//! extensions, server flights, encrypted records, cut ones) and the stored tshark fields of
//! the sample captures. Skips with a notice when tshark or the corpus is missing.

mod common;

use common::{Frame, Rng};
use pktkit::proto::tls::ClientHelloRepr;
use pktkit::render::fields::tls;

const NAMES: [&[u8]; 6] =
    [b"www.example.com", b"a.b", b"xn--bcher-kva.example", b"caf\xc3\xa9.example", b"x", b"with\x01ctl"];

fn record(content_type: u8, frag: &[u8]) -> Vec<u8> {
    let mut r = vec![content_type, 3, 3];
    r.extend((frag.len() as u16).to_be_bytes());
    r.extend_from_slice(frag);
    r
}

fn handshake(t: u8, body: &[u8]) -> Vec<u8> {
    let mut h = vec![t];
    h.extend(&(body.len() as u32).to_be_bytes()[1..]);
    h.extend_from_slice(body);
    h
}

fn gen_client_hello(r: &mut Rng) -> Vec<u8> {
    let mut exts = Vec::new();
    for _ in 0..r.below(4) {
        exts.push(match r.below(6) {
            0 | 1 => ClientHelloRepr::server_name_extension(NAMES[r.below(NAMES.len() as u64) as usize]),
            2 => ClientHelloRepr::alpn_extension(&[b"h2", b"http/1.1"]),
            3 => (43, vec![4, 3, 4, 3, 3]),
            // An extension Wireshark does not decode, with any content.
            4 => (0xfe00 | r.byte() as u16, (0..r.below(6)).map(|_| r.byte()).collect()),
            _ => (0, vec![0, 3, 0, 0, 0]),
        });
    }
    let h = ClientHelloRepr {
        record_version: 0x0301,
        legacy_version: 0x0303,
        random: [r.byte(); 32],
        session_id: vec![r.byte(); [0, 32][r.below(2) as usize]],
        cipher_suites: (0..1 + r.below(20)).map(|_| r.next() as u16).collect(),
        compression_methods: vec![0],
        extensions: exts,
    };
    h.emit()
}

fn server_hello(r: &mut Rng) -> Vec<u8> {
    let mut b = vec![3, 3];
    b.extend((0..32).map(|_| r.byte()));
    b.push(32);
    b.extend((0..32).map(|_| r.byte()));
    b.extend([0xc0, 0x2f, 0]);
    let exts: &[u8] = if r.chance(50) { &[0, 5, 0xff, 0x01, 0, 1, 0] } else { &[0, 0] };
    b.extend_from_slice(exts);
    handshake(2, &b)
}

/// A realistic segment: client or server flights, ChangeCipherSpec followed by encrypted
/// records, alerts; sometimes cut short.
fn gen_segment(r: &mut Rng) -> Vec<u8> {
    let mut seg = Vec::new();
    match r.below(6) {
        0 | 1 => {
            for _ in 0..1 + r.below(2) {
                seg.extend(gen_client_hello(r));
            }
        }
        2 => {
            let mut frag = server_hello(r);
            if r.chance(70) {
                frag.extend(handshake(11, &[0, 0, 6, 0, 0, 3, 1, 2, 3]));
            }
            frag.extend(handshake(14, &[]));
            if r.chance(50) {
                seg.extend(record(22, &frag));
            } else {
                // One record per message.
                for hs in [server_hello(r), handshake(14, &[])] {
                    seg.extend(record(22, &hs));
                }
            }
        }
        3 => {
            // ChangeCipherSpec, encrypted Finished (a GCM nonce of zeros or random bytes).
            seg.extend(record(20, &[1]));
            let mut fin: Vec<u8> = if r.chance(50) { vec![0; 8] } else { (0..8).map(|_| r.byte()).collect() };
            fin.extend((0..32).map(|_| r.byte()));
            seg.extend(record(22, &fin));
            if r.chance(50) {
                seg.extend(record(23, &(0..r.below(80)).map(|_| r.byte()).collect::<Vec<_>>()));
            }
        }
        4 => {
            for _ in 0..1 + r.below(3) {
                seg.extend(record(23, &(0..1 + r.below(100)).map(|_| r.byte()).collect::<Vec<_>>()));
            }
        }
        _ => seg.extend(record(21, &[2, 40])),
    }
    if r.chance(15) {
        let n = r.below(seg.len() as u64 + 1) as usize;
        seg.truncate(n);
    }
    seg
}

#[test]
fn tshark_fields_match_generated_segments() {
    if !common::have("tshark", "tls tshark_fields_match_generated_segments") {
        return;
    }
    let (seed, count) = common::generator_settings(0x544c_5300_0000_0001, 1500);
    let mut r = Rng(seed);
    let segs: Vec<Vec<u8>> = (0..count).map(|_| gen_segment(&mut r)).filter(|s| !s.is_empty()).collect();
    let frames: Vec<Frame> =
        segs.iter().enumerate().map(|(i, s)| common::tcp_frame(20000 + i as u16, 443, s, None)).collect();
    let rows = common::tshark_rows("tls-tshark", &frames, tls::FIELDS);
    assert_eq!(rows.len(), segs.len());
    let mut failures = Vec::new();
    for (i, (s, row)) in segs.iter().zip(&rows).enumerate() {
        common::field_differences(i, s, row, tls::FIELDS, tls::write_field, &mut failures);
    }
    eprintln!(
        "tshark TLS: {} segments x {} fields, {} differ",
        segs.len(),
        tls::FIELDS.len(),
        failures.len()
    );
    common::assert_no_differences("tshark TLS", &failures);
}

#[test]
fn tshark_oracle_tls_fields_on_sample_captures() {
    let Some(corpus) = common::corpus("tshark_oracle_tls_fields_on_sample_captures") else { return };
    let mut failures = Vec::new();
    let mut compared = 0;
    let fields = ["tls.handshake.type", "tls.handshake.extensions_server_name"];
    for row in common::stored_tshark_rows(&corpus, &common::SAMPLES, &fields) {
        if !row.protocols.ends_with(":tls") {
            continue;
        }
        for (f, theirs) in fields.iter().zip(&row.values) {
            let mut mine = String::new();
            tls::write_field(&row.payload.data, f, &mut mine);
            compared += 1;
            if *theirs != mine {
                failures.push(format!(
                    "{} frame {} {f}\n  tshark: {theirs}\n  ours:   {mine}",
                    row.name, row.frame
                ));
            }
        }
    }
    eprintln!("tshark oracles: {compared} TLS values compared, {} differ", failures.len());
    assert!(compared >= 20, "too few TLS frames found ({compared})");
    common::assert_no_differences("tshark oracle TLS", &failures);
}
