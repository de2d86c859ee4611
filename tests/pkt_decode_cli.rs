//! pkt-decode as a user runs it: the three modes on captures built here, errors and exit
//! codes, `| head`, the pcap-filter pipeline, --defrag, and every corpus capture.

mod support;

use std::time::Duration;

use etherparse::PacketBuilder;
use pktkit::capture::LinkType;
use support::{captures, corpus, pcap_filter, pcap_frames, pkt_decode, run_timed};

const T: Duration = Duration::from_secs(60);

fn eth_udp(sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
    let b = PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2])
        .ipv4([10, 0, 0, 1], [10, 0, 0, 2], 64)
        .udp(sport, dport);
    let mut v = Vec::new();
    b.write(&mut v, payload).unwrap();
    v
}

fn eth_tcp_syn() -> Vec<u8> {
    let b = PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2])
        .ipv4([192, 168, 1, 1], [192, 168, 1, 2], 64)
        .tcp(40000, 443, 1000, 64240)
        .syn()
        .options(&[etherparse::TcpOptionElement::MaximumSegmentSize(1460)])
        .unwrap();
    let mut v = Vec::new();
    b.write(&mut v, &[]).unwrap();
    v
}

fn dns_query() -> Vec<u8> {
    pktkit::proto::dns::build_query(0x1234, true, "example.com", 1).unwrap()
}

fn sample() -> Vec<u8> {
    pcap_frames(
        LinkType::ETHERNET,
        &[eth_udp(5353, 53, &dns_query()), eth_tcp_syn(), eth_udp(1000, 2000, b"hello")],
    )
}

#[test]
fn text_mode_prints_tcpdump_lines() {
    let r = run_timed(pkt_decode(), Some(sample()), T);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let lines: Vec<_> = r.stdout_text().lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].starts_with("22:13:20.250000 IP 10.0.0.1.5353 > 10.0.0.2.53: "), "{}", lines[0]);
    assert_eq!(
        lines[1],
        "22:13:21.250000 IP 192.168.1.1.40000 > 192.168.1.2.443: Flags [S], seq 1000, win 64240, options [mss 1460], length 0"
    );
    assert_eq!(lines[2], "22:13:22.250000 IP 10.0.0.1.1000 > 10.0.0.2.2000: UDP, length 5");

    let mut c = pkt_decode();
    c.args(["-e", "-#", "-tt", "-c", "2", "-n"]);
    let r = run_timed(c, Some(sample()), T);
    let lines: Vec<_> = r.stdout_text().lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(
        lines[1],
        "    2  1700000001.250000 02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv4 (0x0800), length 58: \
         192.168.1.1.40000 > 192.168.1.2.443: Flags [S], seq 1000, win 64240, options [mss 1460], length 0"
    );
}

#[test]
fn hex_dump_and_time_zone() {
    let mut c = pkt_decode();
    c.args(["-x", "-t", "-c", "1"]).env("TZ", "UTC");
    let r = run_timed(c, Some(pcap_frames(LinkType::ETHERNET, &[eth_udp(1, 2, b"abc")])), T);
    let text = r.stdout_text();
    assert!(text.contains("\n\t0x0000:  4500 001f"), "{text}");
    assert!(
        text.ends_with("\n\t0x0010:  0203 0400 0000 0001 0002 000b 2ba2 6162 63\n")
            || text.ends_with(" 6162 63\n"),
        "{text}"
    );
    let mut c = pkt_decode();
    c.args(["-tttt", "-c", "1"]).env("TZ", "America/New_York");
    let r = run_timed(c, Some(sample()), T);
    // 1700000000 is 2023-11-14 22:13:20 UTC, 17:13:20 in New York (EST) when the tz database
    // is installed; jiff falls back to UTC without it.
    let t = r.stdout_text();
    assert!(
        t.starts_with("2023-11-14 17:13:20.250000 ") || t.starts_with("2023-11-14 22:13:20.250000 "),
        "{t}"
    );
}

#[test]
fn json_records_parse_with_fixed_schema() {
    let mut c = pkt_decode();
    c.arg("--json");
    let r = run_timed(c, Some(sample()), T);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let recs: Vec<serde_json::Value> =
        r.stdout_text().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(recs.len(), 3);
    for (i, rec) in recs.iter().enumerate() {
        assert_eq!(rec["schema"], "pktkit.decode/2.1");
        assert_eq!(rec["number"], i as u64 + 1);
        assert!(rec["time_sec"].is_i64());
    }
    assert_eq!(recs[0]["ipv4"]["src"], "10.0.0.1");
    assert_eq!(recs[0]["udp"]["dst_port"], 53);
    assert_eq!(recs[0]["app"]["proto"], "dns");
    assert_eq!(recs[1]["tcp"]["flags_str"], "S");
    assert_eq!(recs[1]["tcp"]["options"]["mss"], 1460);
    assert!(recs[1].get("stop").is_none());

    // --raw: enough to write the packet back.
    let mut c = pkt_decode();
    c.args(["--json", "--raw"]);
    let r = run_timed(c, Some(sample()), T);
    let rec: serde_json::Value = serde_json::from_str(r.stdout_text().lines().nth(1).unwrap()).unwrap();
    let hex = rec["raw"]["hex"].as_str().unwrap();
    let bytes: Vec<u8> =
        (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect();
    assert_eq!(bytes, eth_tcp_syn());
    assert_eq!(rec["raw"]["linktype"], 1);
    assert_eq!(rec["raw"]["precision"], "micro");
}

#[test]
fn json_reports_where_decoding_stopped() {
    let mut cut = eth_tcp_syn();
    cut.truncate(14 + 20 + 10);
    let mut c = pkt_decode();
    c.arg("--json");
    let r = run_timed(c, Some(pcap_frames(LinkType::ETHERNET, &[cut])), T);
    let rec: serde_json::Value = serde_json::from_str(r.stdout_text().trim()).unwrap();
    assert_eq!(rec["stop"]["layer"], "tcp");
    assert_eq!(rec["stop"]["offset"], 34);
    assert_eq!(rec["stop"]["reason"], "truncated");
    assert_eq!(rec["ipv4"]["dst"], "192.168.1.2");
    // Text mode marks the cut as tcpdump does.
    let r =
        run_timed(pkt_decode(), Some(pcap_frames(LinkType::ETHERNET, &[eth_tcp_syn()[..44].to_vec()])), T);
    assert!(
        r.stdout_text().trim_end().ends_with("192.168.1.1.40000 > 192.168.1.2.443:  [|tcp]"),
        "{}",
        r.stdout_text()
    );
}

#[test]
fn fields_mode_and_unknown_field() {
    let mut c = pkt_decode();
    c.args(["--fields", "frame.number,ip.src,udp.dstport,tcp.flags,eth.type", "--header"]);
    let r = run_timed(c, Some(sample()), T);
    assert_eq!(
        r.stdout_text(),
        "frame.number\tip.src\tudp.dstport\ttcp.flags\teth.type\n\
         1\t10.0.0.1\t53\t\t0x0800\n\
         2\t192.168.1.1\t\t0x0002\t0x0800\n\
         3\t10.0.0.1\t2000\t\t0x0800\n"
    );
    let mut c = pkt_decode();
    c.args(["--fields", "ip.src,ip.bogus"]);
    let r = run_timed(c, Some(sample()), T);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr.contains("unknown field 'ip.bogus'")
            && r.stderr.contains("--fields list")
            && !r.stderr.contains("tcp.seq_raw"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty());
}

#[test]
fn damaged_input_ends_with_one_error_line_after_good_packets() {
    let mut f = sample();
    let len = f.len();
    f.truncate(len - 5);
    let r = run_timed(pkt_decode(), Some(f), T);
    assert_eq!(r.code, Some(1));
    assert_eq!(r.stdout_text().lines().count(), 2, "good packets first: {}", r.stdout_text());
    let err: Vec<_> = r.stderr.lines().collect();
    assert_eq!(err.len(), 1, "{}", r.stderr);
    assert!(
        err[0].starts_with("pkt-decode: stdin: ")
            && err[0].contains("packet 3")
            && err[0].contains("byte offset"),
        "{}",
        err[0]
    );
    // Not a capture at all.
    let r = run_timed(pkt_decode(), Some(b"hello world, not a capture".to_vec()), T);
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.contains("not a pcap or pcapng capture"), "{}", r.stderr);
}

#[test]
fn closed_pipe_is_quiet_success() {
    let frames: Vec<Vec<u8>> = (0..50_000).map(|i| eth_udp(1000 + (i % 100) as u16, 53, b"x")).collect();
    let big = pcap_frames(LinkType::ETHERNET, &frames);
    let dir = std::env::temp_dir().join(format!("pkt-decode-pipe-{}", std::process::id()));
    std::fs::write(&dir, &big).unwrap();
    let cmd = format!("'{}' '{}' | head -n 1", env!("CARGO_BIN_EXE_pkt-decode"), dir.display());
    let mut c = std::process::Command::new("bash");
    c.args(["-o", "pipefail", "-c", &cmd]);
    let r = run_timed(c, None, T);
    std::fs::remove_file(&dir).ok();
    assert_eq!(r.code, Some(0), "stderr: {}", r.stderr);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    assert_eq!(r.stdout_text().lines().count(), 1);
}

#[test]
fn pipeline_pcap_filter_to_json() {
    // The generated capture: one DNS query among other packets.
    let mut f = pcap_filter();
    f.arg("udp port 53");
    let filtered = run_timed(f, Some(sample()), T);
    assert_eq!(filtered.code, Some(0), "{}", filtered.stderr);
    let mut c = pkt_decode();
    c.arg("--json");
    let r = run_timed(c, Some(filtered.stdout), T);
    let recs: Vec<serde_json::Value> =
        r.stdout_text().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0]["udp"]["dst_port"], 53);
    // And the real shell pipeline, on a corpus DNS capture when the corpus is there.
    let input = match corpus("pipeline_pcap_filter_to_json (shell part on corpus data)") {
        Some(c) => std::fs::read(c.join("samples/PacketExamples/DnsEdit.pcap")).unwrap_or_else(|_| sample()),
        None => sample(),
    };
    let dir = std::env::temp_dir().join(format!("pkt-decode-pipeline-{}.pcap", std::process::id()));
    std::fs::write(&dir, &input).unwrap();
    let cmd = format!(
        "'{}' 'udp port 53' < '{}' | '{}' --json",
        env!("CARGO_BIN_EXE_pcap-filter"),
        dir.display(),
        env!("CARGO_BIN_EXE_pkt-decode")
    );
    let mut sh = std::process::Command::new("bash");
    sh.args(["-o", "pipefail", "-c", &cmd]);
    let r = run_timed(sh, None, T);
    std::fs::remove_file(&dir).ok();
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let recs: Vec<serde_json::Value> =
        r.stdout_text().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(!recs.is_empty());
    for rec in &recs {
        let port53 = rec["udp"]["src_port"] == 53 || rec["udp"]["dst_port"] == 53;
        assert!(port53, "{rec}");
        assert_eq!(rec["schema"], "pktkit.decode/2.1");
    }
}

#[test]
fn defrag_reassembles_fragments() {
    let full = {
        let b = PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2])
            .ipv4([10, 0, 0, 1], [10, 0, 0, 2], 64)
            .udp(4000, 53);
        let mut v = Vec::new();
        b.write(&mut v, &[9u8; 40]).unwrap();
        v
    };
    let (eth, ip) = full.split_at(14);
    let payload = &ip[20..];
    let mut frames = Vec::new();
    for (i, chunk) in payload.chunks(24).enumerate() {
        let mut f = eth.to_vec();
        let mut h = ip[..20].to_vec();
        h[2..4].copy_from_slice(&((20 + chunk.len()) as u16).to_be_bytes());
        let more = (i + 1) * 24 < payload.len();
        h[6..8].copy_from_slice(&(((i * 3) as u16) | if more { 0x2000 } else { 0 }).to_be_bytes());
        f.extend_from_slice(&h);
        f.extend_from_slice(chunk);
        frames.push(f);
    }
    let input = pcap_frames(LinkType::ETHERNET, &frames);
    let mut c = pkt_decode();
    c.args(["--json", "--defrag"]);
    let r = run_timed(c, Some(input.clone()), T);
    let recs: Vec<serde_json::Value> =
        r.stdout_text().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(recs.len(), 2);
    assert!(recs[0].get("udp").is_none());
    assert_eq!(recs[1]["reassembled"]["fragments"], 2);
    assert_eq!(recs[1]["udp"]["length"], 48);
    let r = run_timed(pkt_decode(), Some(input), T);
    assert!(
        r.stdout_text().lines().nth(1).unwrap().ends_with("IP 10.0.0.1 > 10.0.0.2: ip-proto-17"),
        "{}",
        r.stdout_text()
    );
}

/// Every capture of the corpus through the three modes (and the verbose text options):
/// no panic, no hang, every --json line valid JSON, failures are one stderr line and exit 1.
#[test]
fn whole_corpus_through_every_mode() {
    let Some(dir) = corpus("whole_corpus_through_every_mode") else { return };
    let files = captures(&dir);
    assert!(files.len() > 900, "{} captures", files.len());
    let modes: [&[&str]; 4] = [
        &["-e", "-v", "-X"],
        &["--json", "--raw"],
        &[
            "--fields",
            "frame.number,eth.src,vlan.id,ip.src,ip.dst,ipv6.src,tcp.flags,udp.length,icmp.type,arp.opcode,\
             dns.id,dns.qry.name,dns.resp.type,dns.a,tls.record.content_type,tls.handshake.type,\
             tls.handshake.extensions_server_name,http.host,http.request.uri,dhcp.option.dhcp,dhcp.hw.mac_addr",
        ],
        &["-vv", "-A", "--defrag", "-ttt"],
    ];
    let (mut ok, mut failed) = (0, 0);
    for f in &files {
        for args in modes {
            let mut c = pkt_decode();
            c.args(args).arg(f);
            let r = run_timed(c, None, Duration::from_secs(20));
            assert!(!r.timed_out, "hang: {} {:?}", f.display(), args);
            assert!(!r.stderr.contains("panicked"), "panic: {} {:?}: {}", f.display(), args, r.stderr);
            match r.code {
                Some(0) => {
                    ok += 1;
                    assert!(r.stderr.is_empty(), "{} {:?}: {}", f.display(), args, r.stderr);
                }
                Some(1) => {
                    failed += 1;
                    assert_eq!(r.stderr.lines().count(), 1, "{}: {}", f.display(), r.stderr);
                    assert!(r.stderr.starts_with("pkt-decode: "), "{}", r.stderr);
                }
                other => panic!("{} {:?}: exit {other:?}: {}", f.display(), args, r.stderr),
            }
            if args[0] == "--json" {
                for line in r.stdout_text().lines() {
                    let v: serde_json::Value = serde_json::from_str(line)
                        .unwrap_or_else(|e| panic!("{}: not JSON ({e}): {line}", f.display()));
                    assert_eq!(v["schema"], "pktkit.decode/2.1");
                }
            }
        }
    }
    eprintln!("corpus: {} captures, {ok} runs clean, {failed} runs ended on a damaged input", files.len());
}

/// Issue 19, point 7: `--help`, `-h` and `--version` written to a full device (`> /dev/full`)
/// exit 1 with the one-line write error, as every other write error does, for every tool; to a
/// pipe they print and exit 0.
#[test]
fn help_to_dev_full_exits_1_with_the_write_error() {
    let tools = [
        ("pkt-decode", env!("CARGO_BIN_EXE_pkt-decode")),
        ("pcap-filter", env!("CARGO_BIN_EXE_pcap-filter")),
        ("pkt-stats", env!("CARGO_BIN_EXE_pkt-stats")),
        ("pkt-send", env!("CARGO_BIN_EXE_pkt-send")),
        ("pcap-capture", env!("CARGO_BIN_EXE_pcap-capture")),
        ("tracert", env!("CARGO_BIN_EXE_tracert")),
        ("synscan", env!("CARGO_BIN_EXE_synscan")),
        ("netmon", env!("CARGO_BIN_EXE_netmon")),
    ];
    for (name, bin) in tools {
        for flag in ["--help", "-h", "--version"] {
            let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
            let out = std::process::Command::new(bin).arg(flag).stdout(full).output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{name} {flag}: {stderr}");
            assert_eq!(stderr, format!("{name}: write error: No space left on device\n"), "{name} {flag}");
            let ok = std::process::Command::new(bin).arg(flag).output().unwrap();
            assert_eq!(ok.status.code(), Some(0), "{name} {flag} to a pipe");
            assert!(ok.stdout.len() > 10 && ok.stderr.is_empty(), "{name} {flag}");
        }
    }
}
