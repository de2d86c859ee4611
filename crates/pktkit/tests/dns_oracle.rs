//! DNS against the real tools: tcpdump 4.99.3's text and tshark 4.0's fields for generated
//! messages (well-formed, hostile and truncated), and the tcpdump and tshark outputs stored in
//! the external corpus. Each test prints a notice and skips when its tool or the corpus is
//! missing.

mod common;

use common::{Frame, Rng, hex};
use pktkit::proto::dns::{self, TcpdumpOptions};

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

fn ours(c: &Case, verbosity: u8) -> String {
    let data = &c.payload[..c.snap.unwrap_or(c.payload.len()).min(c.payload.len())];
    let opts = TcpdumpOptions { verbosity, over_tcp: c.kind == Kind::Tcp, mdns: c.kind == Kind::Mdns };
    let mut s = String::new();
    dns::write_tcpdump(&mut s, data, c.payload.len(), opts);
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
            let mine = ours(c, verbosity);
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

/// The value our module gives for `field` of a case, joined over DNS-over-TCP messages.
fn our_field(c: &Case, field: &str) -> String {
    let data = &c.payload[..c.snap.unwrap_or(c.payload.len()).min(c.payload.len())];
    let mut s = String::new();
    if c.kind == Kind::Tcp {
        for fr in dns::tcp_frames(data) {
            let mut one = String::new();
            if dns::write_field(fr.data, field, &mut one) {
                if !s.is_empty() {
                    s.push(',');
                }
                s.push_str(&one);
            }
        }
    } else if c.kind == Kind::Mdns {
        dns::write_mdns_field(data, field, &mut s);
    } else {
        dns::write_field(data, field, &mut s);
    }
    s
}

/// Fields taken from resource records.
const RECORD_FIELDS: [&str; 6] =
    ["dns.resp.name", "dns.resp.type", "dns.resp.ttl", "dns.a", "dns.aaaa", "dns.cname"];

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
    let rows = common::tshark_rows("dns-tshark", &frames, dns::FIELDS);
    assert_eq!(rows.len(), cases.len());
    let mut failures = Vec::new();
    let mut per_field = vec![0usize; dns::FIELDS.len()];
    let mut clean_count = 0;
    for (i, (c, row)) in cases.iter().zip(&rows).enumerate() {
        let clean = records_are_clean(c);
        clean_count += clean as usize;
        for (k, field) in dns::FIELDS.iter().enumerate() {
            if !clean && RECORD_FIELDS.contains(field) {
                continue;
            }
            let theirs = row.get(k).map(String::as_str).unwrap_or("");
            let mine = our_field(c, field);
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
    let summary: Vec<String> = dns::FIELDS
        .iter()
        .zip(&per_field)
        .filter(|(_, n)| **n > 0)
        .map(|(f, n)| format!("{f}: {n}"))
        .collect();
    eprintln!(
        "tshark DNS: {} messages x {} fields ({clean_count} with every record well-formed), {} differ {summary:?}",
        cases.len(),
        dns::FIELDS.len(),
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

fn our_text(kind: Kind, p: &common::Payload, verbosity: u8) -> String {
    let opts = TcpdumpOptions { verbosity, over_tcp: kind == Kind::Tcp, mdns: kind == Kind::Mdns };
    let mut s = String::new();
    dns::write_tcpdump(&mut s, &p.data, p.wire_len, opts);
    s
}

/// Compares our text with a stored tcpdump output for every DNS packet of a capture.
fn compare_with_stored_output(
    capture: &std::path::Path,
    output: &str,
    verbosity: u8,
    force_udp: bool,
    failures: &mut Vec<String>,
) -> usize {
    let packets = common::read_capture(capture);
    let mut compared = 0;
    for (n, block) in common::numbered_packets(output) {
        let Some((linktype, frame)) = packets.get(n as usize - 1) else { continue };
        let Some(p) = common::payload(*linktype, frame) else { continue };
        let kind = match dns_kind(&p) {
            Some(k) => k,
            None if force_udp && !p.tcp => Kind::Udp,
            None if force_udp && !p.data.is_empty() => Kind::Tcp,
            None => continue,
        };
        let theirs = common::app_text_in_block(&block, kind == Kind::Tcp);
        let mine = our_text(kind, &p, verbosity);
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
    let dir = corpus.join("tcpdump");
    let repro = std::fs::read_to_string(dir.join("tcpdump_4.99.3_repro.tsv")).expect("repro list");
    let same: std::collections::HashSet<&str> = repro
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .filter(|(_, r)| *r == "same")
        .map(|(n, _)| n)
        .collect();
    let testlist = std::fs::read_to_string(dir.join("TESTLIST")).expect("TESTLIST");
    let mut failures = Vec::new();
    let (mut tests, mut compared) = (0, 0);
    for line in testlist.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let [name, input, output, options @ ..] = words.as_slice() else { continue };
        let dns_test = ["dns", "edns", "dnssec"].iter().any(|p| name.starts_with(p));
        if !dns_test || !same.contains(name) {
            continue;
        }
        let verbosity = options
            .iter()
            .filter(|o| o.starts_with('-') && !o.starts_with("--"))
            .map(|o| o.matches('v').count() as u8)
            .sum();
        let force = options.windows(2).any(|w| w == ["-T", "domain"]);
        let Ok(text) = std::fs::read_to_string(dir.join(output)) else { continue };
        tests += 1;
        compared += compare_with_stored_output(&dir.join(input), &text, verbosity, force, &mut failures);
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
    for sub in ["PacketExamples", "PcapExamples", "pcap_examples"] {
        let Ok(entries) = std::fs::read_dir(corpus.join("oracles/tcpdump-n/samples").join(sub)) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path();
            let Some(file) = path.file_name().and_then(|f| f.to_str()).and_then(|f| f.strip_suffix(".txt"))
            else {
                continue;
            };
            let capture = corpus.join("samples").join(sub).join(file);
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let n = compare_with_stored_output(&capture, &text, 0, false, &mut failures);
            files += (n > 0) as usize;
            compared += n;
        }
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
    let root = corpus.join("oracles/tshark-fields/samples");
    let mut failures = Vec::new();
    let (mut rows_compared, mut files) = (0, 0);
    for sub in ["PacketExamples", "PcapExamples", "pcap_examples"] {
        let Ok(entries) = std::fs::read_dir(root.join(sub)) else { continue };
        for e in entries.flatten() {
            let path = e.path();
            let Some(file) = path.file_name().and_then(|f| f.to_str()).and_then(|f| f.strip_suffix(".tsv"))
            else {
                continue;
            };
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let mut lines = text.lines();
            let header: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
            let col = |name: &str| header.iter().position(|h| *h == name);
            let (Some(num), Some(protos)) = (col("frame.number"), col("frame.protocols")) else { continue };
            let fields = ["dns.id", "dns.flags.response", "dns.qry.name", "dns.qry.type"];
            let cols: Vec<Option<usize>> = fields.iter().map(|f| col(f)).collect();
            let packets = common::read_capture(&corpus.join("samples").join(sub).join(file));
            let mut any = false;
            for row in lines {
                let v: Vec<&str> = row.split('\t').collect();
                let chain = v.get(protos).copied().unwrap_or("");
                // One IP layer only: tunnels (GTP, GRE, ICMP quotes) carry another packet.
                if chain.split(':').filter(|p| *p == "ip" || *p == "ipv6").count() != 1 {
                    continue;
                }
                let last = chain.rsplit(':').next().unwrap_or("");
                let mdns = match last {
                    "dns" | "llmnr" => false,
                    "mdns" => true,
                    _ => continue,
                };
                let Some(n) = v.get(num).and_then(|n| n.parse::<usize>().ok()) else { continue };
                let Some((lt, frame)) = packets.get(n - 1) else { continue };
                let Some(p) = common::payload(*lt, frame) else { continue };
                any = true;
                for (f, c) in fields.iter().zip(&cols) {
                    let theirs = c.and_then(|c| v.get(c)).copied().unwrap_or("");
                    let mut mine = String::new();
                    if p.tcp {
                        for fr in dns::tcp_frames(&p.data) {
                            let mut one = String::new();
                            if dns::write_field(fr.data, f, &mut one) {
                                if !mine.is_empty() {
                                    mine.push(',');
                                }
                                mine.push_str(&one);
                            }
                        }
                    } else if mdns {
                        dns::write_mdns_field(&p.data, f, &mut mine);
                    } else {
                        dns::write_field(&p.data, f, &mut mine);
                    }
                    rows_compared += 1;
                    if theirs != mine {
                        failures.push(format!(
                            "{sub}/{file} frame {n} {f}\n  tshark: {theirs}\n  ours:   {mine}"
                        ));
                    }
                }
            }
            files += any as usize;
        }
    }
    eprintln!(
        "tshark oracles: {files} captures with DNS, {rows_compared} values compared, {} differ",
        failures.len()
    );
    assert!(rows_compared >= 400, "too few DNS values found ({rows_compared})");
    common::assert_no_differences("tshark oracle DNS", &failures);
}
