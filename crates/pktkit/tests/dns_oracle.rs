//! DNS against the real tools: tcpdump 4.99.3's text and tshark 4.0's fields for generated
//! messages (well-formed, hostile and truncated), and the tcpdump and tshark outputs stored in
//! the external corpus. Each test prints a notice and skips when its tool or the corpus is
//! missing.

mod common;

use common::{Frame, Rng, hex};
use pktkit::proto::dns;
use pktkit::render::fields::dns as dns_fields;
use pktkit::render::text::dns::{self as dns_text, TcpdumpOptions};

/// A generated case: the DNS payload, how it travels and how much of it was captured.
struct Case {
    payload: Vec<u8>,
    kind: Kind,
    snap: Option<usize>,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Udp,
    Mdns,
    Tcp,
}

fn name(labels: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for l in labels {
        out.push(l.len() as u8);
        out.extend_from_slice(l);
    }
    out.push(0);
    out
}

fn dotted(s: &str) -> Vec<u8> {
    let parts: Vec<&[u8]> = s.split('.').filter(|p| !p.is_empty()).map(str::as_bytes).collect();
    name(&parts)
}

fn header(id: u16, flags: u16, counts: [u16; 4]) -> Vec<u8> {
    let mut h = Vec::new();
    for w in [id, flags, counts[0], counts[1], counts[2], counts[3]] {
        h.extend_from_slice(&w.to_be_bytes());
    }
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

fn q(owner: &[u8], qtype: u16, qclass: u16) -> Vec<u8> {
    let mut r = owner.to_vec();
    r.extend_from_slice(&qtype.to_be_bytes());
    r.extend_from_slice(&qclass.to_be_bytes());
    r
}

/// Hand-written messages covering each printing path once.
fn fixed_cases() -> Vec<Vec<u8>> {
    let mut v = Vec::new();
    let ex = dotted("example.com");
    // Query, response with one A (the brief's examples).
    v.push([header(0x1234, 0x0100, [1, 0, 0, 0]), q(&ex, 1, 1)].concat());
    v.push(
        [
            header(0x1234, 0x8180, [1, 1, 0, 0]),
            q(&ex, 1, 1),
            rr(&[0xc0, 12], 1, 1, 3600, &[93, 184, 216, 34]),
        ]
        .concat(),
    );
    // CNAME chain, several answers, AAAA, MX, PTR, TXT, SOA, SRV, NS, EDNS.
    let mut m = [header(7, 0x8580, [1, 4, 1, 2]), q(&dotted("www.example.com"), 28, 1)].concat();
    m.extend(rr(&[0xc0, 12], 5, 1, 60, &dotted("a.example.net")));
    m.extend(rr(&dotted("a.example.net"), 5, 1, 60, &[1, b'b', 0xc0, 12 + 17 + 4 + 12 + 2]));
    m.extend(rr(
        &[1, b'b', 0xc0, 12 + 17 + 4 + 12 + 2],
        28,
        1,
        60,
        &[0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
    ));
    m.extend(rr(&[1, b'b', 0xc0, 12 + 17 + 4 + 12 + 2], 28, 1, 60, &[0; 16]));
    m.extend(rr(
        &dotted("example.net"),
        6,
        1,
        60,
        &[
            dotted("ns.example.net"),
            dotted("root.example.net"),
            [0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5].to_vec(),
        ]
        .concat(),
    ));
    m.extend(rr(&dotted("ns.example.net"), 1, 1, 60, &[192, 0, 2, 1]));
    m.extend(rr(&[0], 41, 1232, 0x0000_8000, &[0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8]));
    v.push(m);
    v.push(
        [
            header(9, 0x8180, [1, 2, 0, 0]),
            q(&ex, 15, 1),
            rr(&[0xc0, 12], 15, 1, 1, &[[0, 10].to_vec(), dotted("mx1.example.com")].concat()),
            rr(&[0xc0, 12], 15, 1, 1, &[0, 20, 3, b'm', b'x', b'2', 0xc0, 12]),
        ]
        .concat(),
    );
    v.push(
        [
            header(10, 0x8180, [1, 1, 0, 0]),
            q(&dotted("4.3.2.1.in-addr.arpa"), 12, 1),
            rr(&[0xc0, 12], 12, 1, 1, &dotted("host.example.com")),
        ]
        .concat(),
    );
    v.push(
        [
            header(11, 0x8180, [1, 1, 0, 0]),
            q(&ex, 16, 1),
            rr(&[0xc0, 12], 16, 1, 1, b"\x05hello\x0bv=spf1 -all\x00"),
        ]
        .concat(),
    );
    v.push(
        [
            header(12, 0x8583, [1, 0, 1, 0]),
            q(&dotted("nx.example.com"), 1, 1),
            rr(
                &[0xc0, 12 + 3],
                6,
                1,
                1,
                &[dotted("ns.example.com"), dotted("h.example.com"), vec![0; 20]].concat(),
            ),
        ]
        .concat(),
    );
    v.push(
        [
            header(13, 0x8400, [1, 1, 0, 0]),
            q(&dotted("_sip._tcp.example.com"), 33, 1),
            rr(
                &[0xc0, 12],
                33,
                1,
                1,
                &[[0, 1, 0, 2, 0x13, 0xc4].to_vec(), dotted("sip.example.com")].concat(),
            ),
        ]
        .concat(),
    );
    v.push([header(14, 0x0110, [1, 0, 0, 1]), q(&ex, 255, 1), rr(&[0], 41, 4096, 0, &[])].concat());
    v.push([header(15, 0x8190, [1, 0, 0, 1]), q(&ex, 255, 3), rr(&[0], 41, 4096, 0x0100_0000, &[])].concat());
    // Pointer loops, forward pointers, reserved label types, a name over 255 bytes.
    v.push([header(16, 0x0100, [1, 0, 0, 0]), vec![3, b'a', b'b', b'c', 0xc0, 12, 0, 1, 0, 1]].concat());
    v.push([header(17, 0x0100, [1, 0, 0, 0]), vec![0xc0, 12, 0, 1, 0, 1]].concat());
    v.push([header(18, 0x0100, [1, 0, 0, 0]), vec![0xc0, 40, 0, 1, 0, 1], vec![0; 30]].concat());
    v.push(
        [
            header(19, 0x8180, [1, 1, 0, 0]),
            q(&ex, 1, 1),
            vec![0x80, 1, 2, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 1, 2, 3, 4],
        ]
        .concat(),
    );
    let long: Vec<&[u8]> = vec![&[b'x'; 63]; 5];
    v.push([header(20, 0x0100, [1, 0, 0, 0]), q(&name(&long), 1, 1)].concat());
    // Counts far larger than the data.
    v.push([header(21, 0x8180, [1, 65535, 65535, 65535]), q(&ex, 1, 1)].concat());
    v.push([header(22, 0x0100, [65535, 0, 0, 0]), q(&ex, 1, 1)].concat());
    // Empty and short messages.
    v.push(Vec::new());
    v.push(vec![0x12]);
    v.push(header(23, 0, [0, 0, 0, 0])[..11].to_vec());
    v.push(header(24, 0x8000, [0, 0, 0, 0]));
    v
}

const WORDS: [&[u8]; 12] = [
    b"www",
    b"example",
    b"com",
    b"net",
    b"a",
    b"mail",
    b"_tcp",
    b"in-addr",
    b"arpa",
    b"x-y",
    b"A.B",
    b"\x01\xff",
];

/// Appends a random name: labels from `WORDS`, sometimes a pointer (backwards to a known
/// name, or anywhere when `hostile`).
fn gen_name(r: &mut Rng, msg: &mut Vec<u8>, names: &mut Vec<usize>, hostile: bool) {
    let start = msg.len();
    let labels = r.below(4);
    for _ in 0..labels {
        let w = WORDS[r.below(WORDS.len() as u64) as usize];
        msg.push(w.len() as u8);
        msg.extend_from_slice(w);
    }
    if !names.is_empty() && r.chance(50) {
        let target = names[r.below(names.len() as u64) as usize];
        msg.extend_from_slice(&(0xc000 | target as u16).to_be_bytes());
    } else if hostile && r.chance(30) {
        let b = match r.below(4) {
            0 => 0xc0 | r.below(2) as u8,
            1 => 0x40 | r.below(3) as u8,
            2 => 0x80,
            _ => r.byte(),
        };
        msg.push(b);
        msg.push(r.byte());
    } else {
        msg.push(0);
    }
    if start < 0x3fff {
        names.push(start);
    }
}

fn gen_rdata(r: &mut Rng, msg: &mut Vec<u8>, names: &mut Vec<usize>, rtype: u16, hostile: bool) {
    let len_at = msg.len();
    msg.extend_from_slice(&[0, 0]);
    match rtype {
        1 => msg.extend((0..4).map(|_| r.byte())),
        28 => {
            for _ in 0..16 {
                msg.push(if r.chance(60) { 0 } else { r.byte() });
            }
        }
        2 | 5 | 12 | 39 => gen_name(r, msg, names, hostile),
        15 => {
            msg.extend_from_slice(&(r.below(50) as u16).to_be_bytes());
            gen_name(r, msg, names, hostile);
        }
        33 => {
            msg.extend((0..6).map(|_| r.byte()));
            gen_name(r, msg, names, hostile);
        }
        6 => {
            gen_name(r, msg, names, hostile);
            gen_name(r, msg, names, hostile);
            msg.extend((0..20).map(|_| r.byte()));
        }
        16 => {
            for _ in 0..1 + r.below(3) {
                let l = r.below(12) as u8;
                msg.push(l);
                msg.extend((0..l).map(|_| b'a' + r.below(26) as u8));
            }
        }
        41 => {
            for _ in 0..r.below(3) {
                let code = [3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 65001][r.below(13) as usize];
                let data: Vec<u8> = match code {
                    8 => {
                        let fam = 1 + r.below(3) as u8;
                        let src = r.below(40) as u8;
                        let n = r.below(6) as usize;
                        let mut d = vec![0, fam, src, r.below(3) as u8];
                        d.extend((0..n).map(|_| r.byte()));
                        d
                    }
                    10 => (0..[8, 16, 24, 4, 12][r.below(5) as usize]).map(|_| r.byte()).collect(),
                    11 => (0..1 + r.below(2)).map(|_| r.byte()).collect(),
                    9 => (0..3 + r.below(2)).map(|_| r.byte()).collect(),
                    13 => {
                        let mut d = Vec::new();
                        gen_name(r, &mut d, &mut Vec::new(), hostile);
                        d
                    }
                    _ => (0..r.below(6)).map(|_| r.byte()).collect(),
                };
                msg.extend_from_slice(&(code as u16).to_be_bytes());
                msg.extend_from_slice(&(data.len() as u16).to_be_bytes());
                msg.extend(data);
            }
        }
        256 => {
            msg.extend_from_slice(&[0, 10, 0, 1]);
            msg.extend_from_slice(b"https://x.test/");
        }
        38 => {
            let pbit = [0u8, 64, 128, 129, 3][r.below(5) as usize];
            msg.push(pbit);
            let n = 16 - (pbit as usize & !7) / 8;
            if pbit <= 128 {
                msg.extend((0..n).map(|_| r.byte()));
            }
            if pbit > 0 {
                gen_name(r, msg, names, hostile);
            }
        }
        250 => {
            gen_name(r, msg, names, hostile);
            msg.extend((0..6).map(|_| r.byte()));
            msg.extend_from_slice(&[1, 44, 0, 2, 0xab, 0xcd, 0x12, 0x34, 0, 0, 0, 0]);
        }
        _ => msg.extend((0..r.below(8)).map(|_| r.byte())),
    }
    let mut len = (msg.len() - len_at - 2) as u16;
    if hostile && r.chance(10) {
        len = len.wrapping_add(r.below(5) as u16).wrapping_sub(2);
    }
    msg[len_at..len_at + 2].copy_from_slice(&len.to_be_bytes());
}

const TYPES: [u16; 28] = [
    1, 1, 1, 28, 28, 5, 5, 2, 12, 15, 16, 6, 33, 41, 39, 38, 256, 250, 46, 43, 13, 104, 99, 64, 65, 257,
    4000, 65535,
];

fn gen_message(r: &mut Rng) -> Vec<u8> {
    let hostile = r.chance(30);
    let mut flags = r.next() as u16;
    if r.chance(70) {
        flags &= 0x87b0 | 0xf; // opcode 0, no Z
        flags &= !0x7800;
        if r.chance(70) {
            flags &= !0xf;
        }
    }
    let counts = [r.below(3) as u16, r.below(4) as u16, r.below(3) as u16, r.below(3) as u16];
    let mut msg = header(r.next() as u16, flags, counts);
    let mut names = Vec::new();
    for _ in 0..counts[0] {
        gen_name(r, &mut msg, &mut names, hostile);
        let t = TYPES[r.below(TYPES.len() as u64) as usize];
        msg.extend_from_slice(&t.to_be_bytes());
        let class: u16 = if r.chance(80) { 1 } else { [3, 4, 255, 0x8001, 254][r.below(5) as usize] };
        msg.extend_from_slice(&class.to_be_bytes());
    }
    for _ in 0..counts[1] + counts[2] + counts[3] {
        let rtype = TYPES[r.below(TYPES.len() as u64) as usize];
        if rtype == 41 {
            msg.push(0);
        } else {
            gen_name(r, &mut msg, &mut names, hostile);
        }
        msg.extend_from_slice(&rtype.to_be_bytes());
        let class: u16 = if rtype == 41 {
            512 + r.below(4000) as u16
        } else if r.chance(85) {
            1
        } else {
            0x8001
        };
        msg.extend_from_slice(&class.to_be_bytes());
        let ttl = if rtype == 41 { (r.next() as u32) & 0x0f00_8000 } else { r.below(200_000) as u32 };
        msg.extend_from_slice(&ttl.to_be_bytes());
        gen_rdata(r, &mut msg, &mut names, rtype, hostile);
    }
    if r.chance(10) {
        // Counts that lie.
        let i = 4 + 2 * r.below(4) as usize;
        msg[i] = r.byte();
    }
    if hostile && r.chance(30) && msg.len() > 12 {
        let at = 12 + r.below(msg.len() as u64 - 12) as usize;
        msg[at] = r.byte();
    }
    msg
}

fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    for p in fixed_cases() {
        let n = p.len();
        out.push(Case { payload: p.clone(), kind: Kind::Udp, snap: None });
        if n > 12 {
            out.push(Case { payload: p.clone(), kind: Kind::Udp, snap: Some(n / 2) });
        }
        let mut tcp = (n as u16).to_be_bytes().to_vec();
        tcp.extend_from_slice(&p);
        out.push(Case { payload: tcp, kind: Kind::Tcp, snap: None });
    }
    let (seed, count) = common::generator_settings(0x5eed_0d15_ea5e_0001, 3000);
    let mut r = Rng(seed);
    for i in 0..count {
        let msg = gen_message(&mut r);
        let kind = match i % 10 {
            0 => Kind::Mdns,
            1 => Kind::Tcp,
            _ => Kind::Udp,
        };
        let snap = r.chance(15).then(|| r.below(msg.len() as u64 + 1) as usize);
        let payload = if kind == Kind::Tcp {
            let mut len = msg.len() as u16;
            if r.chance(5) {
                len = len.wrapping_add(1);
            }
            let mut p = len.to_be_bytes().to_vec();
            p.extend_from_slice(&msg);
            p
        } else {
            msg
        };
        out.push(Case { payload, kind, snap });
    }
    out
}

fn frame(c: &Case) -> Frame {
    match c.kind {
        Kind::Udp => common::udp_frame(1234, 53, &c.payload, c.snap),
        Kind::Mdns => common::udp_frame(5353, 5353, &c.payload, c.snap),
        Kind::Tcp => common::tcp_frame(1234, 53, &c.payload, c.snap),
    }
}

/// The captured part of a case's payload.
fn captured(c: &Case) -> &[u8] {
    &c.payload[..c.snap.unwrap_or(c.payload.len()).min(c.payload.len())]
}

/// Our tcpdump text for a DNS payload of `wire_len` bytes on the wire, `data` captured.
fn our_text(kind: Kind, data: &[u8], wire_len: usize, verbosity: u8) -> String {
    let opts = TcpdumpOptions { verbosity, over_tcp: kind == Kind::Tcp, mdns: kind == Kind::Mdns };
    let mut s = String::new();
    dns_text::write_tcpdump(&mut s, data, wire_len, opts);
    s
}

#[test]
fn tcpdump_text_matches_generated_messages() {
    if !common::have("tcpdump", "tcpdump_text_matches_generated_messages") {
        return;
    }
    let cases = cases();
    let frames: Vec<Frame> = cases.iter().map(frame).collect();
    let mut failures = Vec::new();
    let mut compared = 0;
    for (verbosity, got) in common::tcpdump_verbosities("dns-gen", &frames, 3) {
        assert_eq!(got.len(), cases.len(), "one tcpdump line per packet at -v x{verbosity}");
        for (i, (c, line)) in cases.iter().zip(&got).enumerate() {
            let theirs = common::app_text(line, c.kind == Kind::Tcp);
            let mine = our_text(c.kind, captured(c), c.payload.len(), verbosity);
            compared += 1;
            if theirs != mine {
                failures.push(format!(
                    "case {i} -v x{verbosity} {:?}\n  payload {}\n  tcpdump: {theirs}\n  ours:    {mine}",
                    c.snap,
                    hex(&c.payload)
                ));
            }
        }
    }
    eprintln!("tcpdump DNS: {compared} texts compared, {} differ", failures.len());
    common::assert_no_differences("tcpdump DNS", &failures);
}

/// The value our module gives for `field` of a DNS payload, joined over DNS-over-TCP
/// messages.
fn our_field(kind: Kind, data: &[u8], field: &str) -> String {
    let mut s = String::new();
    if kind == Kind::Tcp {
        for fr in dns::tcp_frames(data) {
            let mut one = String::new();
            if dns_fields::write_field(fr.data, field, &mut one) {
                if !s.is_empty() {
                    s.push(',');
                }
                s.push_str(&one);
            }
        }
    } else if kind == Kind::Mdns {
        dns_fields::write_mdns_field(data, field, &mut s);
    } else {
        dns_fields::write_field(data, field, &mut s);
    }
    s
}

/// Fields taken from resource records.
const RECORD_FIELDS: [&str; 13] = [
    "dns.resp.name",
    "dns.resp.type",
    "dns.resp.class",
    "dns.resp.cache_flush",
    "dns.resp.ttl",
    "dns.resp.len",
    "dns.resp.ext_rcode",
    "dns.resp.edns0_version",
    "dns.resp.z",
    "dns.resp.z.do",
    "dns.a",
    "dns.aaaa",
    "dns.cname",
];

/// True when the whole message was captured and every record is well-formed and of a type
/// whose data this module decodes (or that Wireshark does not know), OPT records without
/// options: only then is the record-field emulation expected to stop where tshark's
/// type-specific dissectors stop.
fn records_are_clean(c: &Case) -> bool {
    if c.snap.is_some_and(|s| s < c.payload.len()) {
        return false;
    }
    let Ok(lax) = dns::LaxMessage::parse(&c.payload) else { return true };
    lax.is_complete()
        && lax.answers.iter().chain(&lax.authorities).chain(&lax.additionals).all(|r| {
            [1, 28, 2, 5, 12, 15, 16, 6, 33, 41, 4000, 65535].contains(&r.rtype)
                && r.data().is_ok()
                && (r.rtype != 41 || r.rdata.is_empty())
        })
}

#[test]
fn tshark_fields_match_generated_messages() {
    if !common::have("tshark", "tshark_fields_match_generated_messages") {
        return;
    }
    let cases: Vec<Case> = cases().into_iter().filter(|c| c.kind != Kind::Tcp).collect();
    let frames: Vec<Frame> = cases.iter().map(frame).collect();
    let rows = common::tshark_rows("dns-tshark", &frames, dns_fields::FIELDS);
    assert_eq!(rows.len(), cases.len());
    let mut failures = Vec::new();
    let mut per_field = vec![0usize; dns_fields::FIELDS.len()];
    let mut clean_count = 0;
    for (i, (c, row)) in cases.iter().zip(&rows).enumerate() {
        let clean = records_are_clean(c);
        clean_count += clean as usize;
        for (k, field) in dns_fields::FIELDS.iter().enumerate() {
            if !clean && RECORD_FIELDS.contains(field) {
                continue;
            }
            let theirs = row.get(k).map(String::as_str).unwrap_or("");
            let mine = our_field(c.kind, captured(c), field);
            if theirs != mine {
                per_field[k] += 1;
                failures.push(format!(
                    "case {i} {field} {:?}\n  payload {}\n  tshark: {theirs}\n  ours:   {mine}",
                    c.snap,
                    hex(&c.payload)
                ));
            }
        }
    }
    let summary: Vec<String> = dns_fields::FIELDS
        .iter()
        .zip(&per_field)
        .filter(|(_, n)| **n > 0)
        .map(|(f, n)| format!("{f}: {n}"))
        .collect();
    eprintln!(
        "tshark DNS: {} messages x {} fields ({clean_count} with every record well-formed), {} differ {summary:?}",
        cases.len(),
        dns_fields::FIELDS.len(),
        failures.len()
    );
    common::assert_no_differences("tshark DNS", &failures);
}

/// How tcpdump and tshark pick DNS for a packet: port 53 on UDP or TCP, 5353 on UDP as
/// multicast DNS.
fn dns_kind(p: &common::Payload) -> Option<Kind> {
    let either = |port| p.sport == port || p.dport == port;
    match (p.tcp, either(53), either(5353)) {
        (true, true, _) if !p.data.is_empty() => Some(Kind::Tcp),
        (false, true, _) => Some(Kind::Udp),
        (false, false, true) => Some(Kind::Mdns),
        _ => None,
    }
}

/// Compares our text with a stored tcpdump output for every DNS packet of a capture.
fn compare_with_stored_output(
    capture: &std::path::Path,
    output: &str,
    verbosity: u8,
    force_udp: bool,
    failures: &mut Vec<String>,
) -> usize {
    let mut compared = 0;
    for (n, block, p) in common::numbered_payloads(capture, output) {
        let kind = match dns_kind(&p) {
            Some(k) => k,
            None if force_udp && !p.tcp => Kind::Udp,
            None if force_udp && !p.data.is_empty() => Kind::Tcp,
            None => continue,
        };
        let theirs = common::app_text_in_block(&block, kind == Kind::Tcp);
        let mine = our_text(kind, &p.data, p.wire_len, verbosity);
        compared += 1;
        if theirs != mine {
            failures.push(format!("{} #{n}\n  tcpdump: {theirs}\n  ours:    {mine}", capture.display()));
        }
    }
    compared
}

#[test]
fn tcpdump_test_suite_dns_outputs() {
    let Some(corpus) = common::corpus("tcpdump_test_suite_dns_outputs") else { return };
    let mut failures = Vec::new();
    let (mut tests, mut compared) = (0, 0);
    let dns_test = |name: &str| ["dns", "edns", "dnssec"].iter().any(|p| name.starts_with(p));
    for t in common::tcpdump_suite_tests(&corpus, dns_test) {
        let force = t.options.windows(2).any(|w| w == ["-T", "domain"]);
        tests += 1;
        compared += compare_with_stored_output(&t.input, &t.output, t.verbosity, force, &mut failures);
    }
    eprintln!(
        "tcpdump test suite: {tests} DNS tests, {compared} packets compared, {} differ",
        failures.len()
    );
    assert!(tests >= 20 && compared >= 100, "too few DNS tests found ({tests}, {compared})");
    common::assert_no_differences("tcpdump test suite DNS", &failures);
}

#[test]
fn tcpdump_oracle_dns_on_sample_captures() {
    let Some(corpus) = common::corpus("tcpdump_oracle_dns_on_sample_captures") else { return };
    let mut failures = Vec::new();
    let (mut files, mut compared) = (0, 0);
    for stored in common::stored_tcpdump_outputs(&corpus, &common::SAMPLES) {
        let n = compare_with_stored_output(&stored.capture, &stored.text, 0, false, &mut failures);
        files += (n > 0) as usize;
        compared += n;
    }
    eprintln!(
        "tcpdump -n oracles: {files} captures with DNS, {compared} packets compared, {} differ",
        failures.len()
    );
    assert!(compared >= 100, "too few DNS packets found ({compared})");
    common::assert_no_differences("tcpdump -n oracle DNS", &failures);
}

#[test]
fn tshark_oracle_dns_fields_on_sample_captures() {
    let Some(corpus) = common::corpus("tshark_oracle_dns_fields_on_sample_captures") else { return };
    let mut failures = Vec::new();
    let mut rows_compared = 0;
    let mut files = std::collections::HashSet::new();
    let fields = ["dns.id", "dns.flags.response", "dns.qry.name", "dns.qry.type"];
    for row in common::stored_tshark_rows(&corpus, &common::SAMPLES, &fields) {
        let p = &row.payload;
        let mdns = match row.protocols.rsplit(':').next().unwrap_or("") {
            "dns" | "llmnr" => false,
            "mdns" => true,
            _ => continue,
        };
        let kind = if p.tcp {
            Kind::Tcp
        } else if mdns {
            Kind::Mdns
        } else {
            Kind::Udp
        };
        files.insert(row.name.clone());
        for (f, theirs) in fields.iter().zip(&row.values) {
            let mine = our_field(kind, &p.data, f);
            rows_compared += 1;
            if *theirs != mine {
                failures.push(format!(
                    "{} frame {} {f}\n  tshark: {theirs}\n  ours:   {mine}",
                    row.name, row.frame
                ));
            }
        }
    }
    eprintln!(
        "tshark oracles: {} captures with DNS, {rows_compared} values compared, {} differ",
        files.len(),
        failures.len()
    );
    assert!(rows_compared >= 400, "too few DNS values found ({rows_compared})");
    common::assert_no_differences("tshark oracle DNS", &failures);
}
