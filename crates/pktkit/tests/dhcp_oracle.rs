//! DHCP against the real tools: tcpdump 4.99.3's text at every verbosity and tshark 4.0's
//! fields for generated messages, and the DHCP tests of tcpdump's suite and the stored tcpdump
//! outputs of the samples. Skips with a notice when a tool or the corpus is missing.

mod common;

use common::{Case, Frame, Rng};
use pktkit::proto::dhcp::MessageRepr;
use pktkit::render::fields::dhcp;
use pktkit::render::text::dhcp as dhcp_text;

/// Option codes worth generating: the ones with their own printing, common ones, unknown ones.
const CODES: [u8; 24] =
    [1, 3, 6, 12, 15, 28, 50, 51, 53, 54, 55, 57, 60, 61, 81, 82, 121, 249, 77, 46, 52, 2, 19, 200];

/// Options Wireshark's dissectors accept, with data of the right shape.
fn clean_option(r: &mut Rng) -> (u8, Vec<u8>) {
    let text =
        |r: &mut Rng, n: u64| (0..1 + r.below(n)).map(|_| b'a' + r.below(26) as u8).collect::<Vec<_>>();
    match r.below(8) {
        0 => (53, vec![1 + r.below(8) as u8]),
        1 => (50, (0..4).map(|_| r.byte()).collect()),
        2 => (12, text(r, 20)),
        3 => (61, [vec![1], (0..6).map(|_| r.byte()).collect()].concat()),
        4 => (55, (0..r.below(10)).map(|_| r.byte()).collect()),
        5 => ([1, 3, 6, 54][r.below(4) as usize], (0..4).map(|_| r.byte()).collect()),
        6 => (51, (0..4).map(|_| r.byte()).collect()),
        _ => ([15, 60][r.below(2) as usize], text(r, 16)),
    }
}

/// A message whose options all have the layout Wireshark expects.
fn gen_clean(r: &mut Rng) -> Vec<u8> {
    let mut mac = [0u8; 6];
    mac.iter_mut().for_each(|b| *b = r.byte());
    let mut m = MessageRepr::request(r.next() as u32, mac, 1 + r.below(8) as u8);
    m.op = 1 + r.below(2) as u8;
    m.htype = [1, 1, 1, 6, 4][r.below(5) as usize];
    for _ in 0..r.below(8) {
        m.options.push(clean_option(r));
    }
    m.emit()
}

fn gen_message(r: &mut Rng) -> Vec<u8> {
    let mut mac = [0u8; 6];
    mac.iter_mut().for_each(|b| *b = r.byte());
    let mut m = MessageRepr::request(r.next() as u32, mac, 1 + r.below(8) as u8);
    m.op = if r.chance(50) { 1 } else { 2 };
    if r.chance(10) {
        m.htype = r.below(8) as u8;
        m.hlen = [6, 6, 0, 16, 8][r.below(5) as usize];
    }
    m.hops = if r.chance(20) { r.byte() } else { 0 };
    m.secs = if r.chance(30) { r.next() as u16 } else { 0 };
    m.flags = if r.chance(30) {
        0x8000
    } else if r.chance(5) {
        r.next() as u16
    } else {
        0
    };
    for a in m.addrs.iter_mut() {
        if r.chance(30) {
            *a = std::net::Ipv4Addr::from(r.next() as u32);
        }
    }
    for _ in 0..r.below(8) {
        let code = CODES[r.below(CODES.len() as u64) as usize];
        let len = match code {
            1 | 3 | 6 | 28 | 50 | 54 | 2 | 51 => [4, 4, 8, 1, 0, 6][r.below(6) as usize],
            53 | 46 | 52 | 19 => [1, 1, 2][r.below(3) as usize],
            _ => r.below(24) as usize,
        };
        let mut data: Vec<u8> =
            (0..len).map(|_| if r.chance(70) { b'a' + r.below(26) as u8 } else { r.byte() }).collect();
        match code {
            61 if !data.is_empty() => data[0] = r.below(3) as u8,
            82 => {
                data = Vec::new();
                for _ in 0..1 + r.below(3) {
                    let sub = [1, 2, 6, 9][r.below(4) as usize];
                    let l = r.below(8) as u8;
                    data.push(sub);
                    data.push(if r.chance(10) { l + 5 } else { l });
                    data.extend((0..l).map(|_| r.byte()));
                }
            }
            121 | 249 => {
                data = Vec::new();
                for _ in 0..1 + r.below(3) {
                    let w = [0u8, 8, 16, 24, 32, 33, 12][r.below(7) as usize];
                    data.push(w);
                    data.extend((0..(w as usize).div_ceil(8) + 4).map(|_| r.byte()));
                }
                if r.chance(10) {
                    data.pop();
                }
            }
            77 => {
                data = Vec::new();
                for _ in 0..1 + r.below(3) {
                    let l = r.below(6) as u8;
                    data.push(l);
                    data.extend((0..l).map(|_| b'a' + r.below(26) as u8));
                }
            }
            _ => {}
        }
        m.options.push((code, data));
    }
    let mut wire = m.emit();
    if r.chance(10) {
        // Overload: options continue in the file and sname fields.
        let end = wire.iter().rposition(|&b| b == 255).unwrap_or(240);
        wire.splice(end..end, [52, 1, 3]);
        wire[108..115].copy_from_slice(&[50, 4, 9, 9, 9, 9, 255]);
        wire[44..50].copy_from_slice(&[12, 3, b's', b'n', b'm', 255]);
    }
    if r.chance(10) {
        let at = 240 + r.below((wire.len() - 240) as u64) as usize;
        wire[at] = r.byte();
    }
    if r.chance(5) {
        wire[236..240].copy_from_slice(&[0, 0, 0, r.below(2) as u8]);
    }
    wire
}

fn cases() -> Vec<Case> {
    common::generated_cases(0x4448_4350_0000_0001, 1500, gen_message)
}

#[test]
fn tcpdump_text_matches_generated_messages() {
    if !common::have("tcpdump", "dhcp tcpdump_text_matches_generated_messages") {
        return;
    }
    let cases = cases();
    let frames: Vec<Frame> = cases.iter().map(|c| common::udp_frame(68, 67, &c.data, c.snap)).collect();
    let failures = common::tcpdump_text_differences("dhcp-gen", &cases, &frames, false, 3, |c, verbosity| {
        let mut mine = String::new();
        dhcp_text::write_tcpdump(&mut mine, c.captured(), c.data.len(), verbosity);
        mine
    });
    eprintln!("tcpdump DHCP: {} messages x 4 verbosities, {} differ", cases.len(), failures.len());
    common::assert_no_differences("tcpdump DHCP", &failures);
}

#[test]
fn tshark_fields_match_generated_messages() {
    if !common::have("tshark", "dhcp tshark_fields_match_generated_messages") {
        return;
    }
    // Messages with well-formed options only: see write_field's note on the rest.
    let (seed, count) = common::generator_settings(0x4448_4350_0000_0002, 1500);
    let mut r = Rng(seed);
    let cases: Vec<Case> = (0..count).map(|_| Case { data: gen_clean(&mut r), snap: None }).collect();
    let frames: Vec<Frame> = cases.iter().map(|c| common::udp_frame(68, 67, &c.data, None)).collect();
    let rows = common::tshark_rows("dhcp-tshark", &frames, dhcp::FIELDS);
    assert_eq!(rows.len(), cases.len());
    let mut failures = Vec::new();
    for (i, (c, row)) in cases.iter().zip(&rows).enumerate() {
        common::field_differences(i, &c.data, row, dhcp::FIELDS, dhcp::write_field, &mut failures);
    }
    eprintln!(
        "tshark DHCP: {} messages x {} fields, {} differ",
        cases.len(),
        dhcp::FIELDS.len(),
        failures.len()
    );
    common::assert_no_differences("tshark DHCP", &failures);
}

/// Compares with a stored tcpdump output for every UDP 67/68 packet of a capture.
fn compare_stored(
    capture: &std::path::Path,
    output: &str,
    verbosity: u8,
    failures: &mut Vec<String>,
) -> usize {
    let mut compared = 0;
    for (n, block, p) in common::numbered_payloads(capture, output) {
        let port = |x| p.sport == x || p.dport == x;
        if p.tcp || !(port(67) || port(68)) || port(53) {
            continue;
        }
        let theirs = common::app_text_in_block(&block, false);
        let mut mine = String::new();
        dhcp_text::write_tcpdump(&mut mine, &p.data, p.wire_len, verbosity);
        compared += 1;
        if theirs != mine {
            failures.push(format!("{} #{n}\n  tcpdump: {theirs:?}\n  ours:    {mine:?}", capture.display()));
        }
    }
    compared
}

#[test]
fn tcpdump_test_suite_and_samples_dhcp_outputs() {
    let Some(corpus) = common::corpus("tcpdump_test_suite_and_samples_dhcp_outputs") else { return };
    let mut failures = Vec::new();
    let mut compared = 0;
    let dhcp_test = |name: &str| name.starts_with("dhcp-") || name.starts_with("bootp");
    for t in common::tcpdump_suite_tests(&corpus, dhcp_test) {
        compared += compare_stored(&t.input, &t.output, t.verbosity, &mut failures);
    }
    for stored in common::stored_tcpdump_outputs(&corpus, &["PacketExamples", "PcapExamples"]) {
        compared += compare_stored(&stored.capture, &stored.text, 0, &mut failures);
    }
    eprintln!("tcpdump stored outputs: {compared} DHCP packets compared, {} differ", failures.len());
    assert!(compared >= 15, "too few DHCP packets found ({compared})");
    common::assert_no_differences("tcpdump stored DHCP", &failures);
}
