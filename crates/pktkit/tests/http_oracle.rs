//! HTTP against the real tools: tcpdump 4.99.3's text and tshark 4.0's fields for generated
//! segments, and the stored tcpdump outputs of the sample captures. Skips with a notice when
//! a tool or the corpus is missing.

mod common;

use common::{Case, Frame, Rng};
use pktkit::render::fields::http;
use pktkit::render::text::txtproto::{self, HTTP};

const LINES: [&[u8]; 16] = [
    b"GET /index.html HTTP/1.1",
    b"POST /api/v1/items?x=1 HTTP/1.1",
    b"HEAD / HTTP/1.0",
    b"PATCH /p HTTP/1.1",
    b"M-SEARCH * HTTP/1.1",
    b"get /lower HTTP/1.1",
    b"OPTIONS * HTTP/1.1",
    b"GET  /two-spaces  HTTP/1.1",
    b"GET /nover",
    b"HTTP/1.1 200 OK",
    b"HTTP/1.0 404 Not Found",
    b"HTTP/1.1 2000 Bad",
    b"HTTP/1.1 301",
    b"CONNECT example.com:443 HTTP/1.1",
    b"FOO /x HTTP/1.1",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
];

const HEADERS: [&[u8]; 12] = [
    b"Host: example.com",
    b"host:   spaced.example  ",
    b"User-Agent: Mozilla/5.0 (X11; Linux x86_64)",
    b"user-agent:curl/8.0",
    b"Accept: */*",
    b"Host : not-a-host",
    b" Host: folded",
    b"Content-Length: 5",
    b"Host: caf\xc3\xa9.example",
    b"X-Bin: \x01\xff",
    b"Host: a\tb",
    b"Connection: close",
];

fn gen_segment(r: &mut Rng) -> Vec<u8> {
    let eol: &[u8] = if r.chance(85) { b"\r\n" } else { b"\n" };
    let mut s = LINES[r.below(LINES.len() as u64) as usize].to_vec();
    s.extend_from_slice(eol);
    for _ in 0..r.below(5) {
        s.extend_from_slice(HEADERS[r.below(HEADERS.len() as u64) as usize]);
        s.extend_from_slice(eol);
    }
    if r.chance(80) {
        s.extend_from_slice(eol);
        if r.chance(30) {
            s.extend_from_slice(b"hello");
        }
    }
    if r.chance(15) {
        let n = r.below(s.len() as u64 + 1) as usize;
        s.truncate(n);
    }
    if r.chance(10) && !s.is_empty() {
        let at = r.below(s.len() as u64) as usize;
        s[at] = r.byte();
    }
    s
}

fn cases() -> Vec<Case> {
    let cases = common::generated_cases(0x4854_5450_0000_0001, 1500, gen_segment);
    cases.into_iter().filter(|c| !c.data.is_empty()).collect()
}

#[test]
fn tcpdump_text_matches_generated_segments() {
    if !common::have("tcpdump", "tcpdump_text_matches_generated_segments") {
        return;
    }
    let cases = cases();
    let frames: Vec<Frame> = cases
        .iter()
        .enumerate()
        .map(|(i, c)| common::tcp_frame(20000 + i as u16, 80, &c.data, c.snap))
        .collect();
    let failures = common::tcpdump_text_differences("http-gen", &cases, &frames, true, 1, |c, verbosity| {
        let mut mine = String::from(": ");
        txtproto::write_tcpdump(&mut mine, &HTTP, c.captured(), c.data.len(), verbosity);
        mine
    });
    eprintln!("tcpdump HTTP: {} segments x 2 verbosities, {} differ", cases.len(), failures.len());
    common::assert_no_differences("tcpdump HTTP", &failures);
}

#[test]
fn tshark_fields_match_generated_segments() {
    if !common::have("tshark", "tshark_fields_match_generated_segments") {
        return;
    }
    // Whole segments only: tshark does not dissect a segment captured short as HTTP.
    let cases: Vec<Case> = cases().into_iter().filter(|c| c.snap.is_none()).collect();
    let frames: Vec<Frame> = cases
        .iter()
        .enumerate()
        .map(|(i, c)| common::tcp_frame(20000 + i as u16, 80, &c.data, None))
        .collect();
    let mut fields: Vec<&str> = http::FIELDS.to_vec();
    fields.push("frame.protocols");
    let rows = common::tshark_rows("http-tshark", &frames, &fields);
    assert_eq!(rows.len(), cases.len());
    let (mut failures, mut compared) = (Vec::new(), 0);
    for (i, (c, row)) in cases.iter().zip(&rows).enumerate() {
        let dissected = row.last().is_some_and(|p| p.contains(":http"));
        let response = c.data.starts_with(b"HTTP/");
        // tshark pairs responses with requests across packets; a lone response in a new
        // connection is often left undissected. Compare responses only where it dissected.
        if response && !dissected {
            continue;
        }
        compared +=
            common::field_differences(i, &c.data, row, http::FIELDS, http::write_field, &mut failures);
    }
    eprintln!("tshark HTTP: {compared} values compared, {} differ", failures.len());
    common::assert_no_differences("tshark HTTP", &failures);
}

#[test]
fn tcpdump_oracle_http_on_sample_captures() {
    let Some(corpus) = common::corpus("tcpdump_oracle_http_on_sample_captures") else { return };
    let mut failures = Vec::new();
    let mut compared = 0;
    for stored in common::stored_tcpdump_outputs(&corpus, &common::SAMPLES) {
        for (n, block, p) in common::numbered_payloads(&stored.capture, &stored.text) {
            let port = |x| p.sport == x || p.dport == x;
            if !p.tcp || p.data.is_empty() || !(port(80) || port(8080)) {
                continue;
            }
            let theirs = common::app_text_in_block(&block, true);
            let mut mine = String::from(": ");
            txtproto::write_tcpdump(&mut mine, &HTTP, &p.data, p.wire_len, 0);
            compared += 1;
            if theirs != mine {
                failures.push(format!("{} #{n}\n  tcpdump: {theirs:?}\n  ours:    {mine:?}", stored.name));
            }
        }
    }
    eprintln!("tcpdump -n oracles: {compared} HTTP segments compared, {} differ", failures.len());
    assert!(compared >= 20, "too few HTTP segments found ({compared})");
    common::assert_no_differences("tcpdump -n oracle HTTP", &failures);
}
