//! pcap-filter as users run it: the real binary, real pipes, real libpcap.

mod support;

use std::process::Command;

use support::{frame, packets, pcap, run};

const BIN: &str = env!("CARGO_BIN_EXE_pcap-filter");

fn sample() -> Vec<u8> {
    let a = frame(6, [10, 0, 0, 1], [10, 0, 0, 2], 40000, 80, b"GET / HTTP/1.1\r\n\r\n");
    let b = frame(6, [10, 0, 0, 1], [10, 0, 0, 3], 40001, 443, b"");
    let c = frame(17, [10, 0, 0, 4], [8, 8, 8, 8], 5353, 53, b"dnsq");
    let d = frame(17, [10, 0, 0, 5], [10, 0, 0, 6], 123, 123, b"ntp");
    pcap(
        1,
        65535,
        &[
            (1, 10, &a, a.len() as u32),
            (2, 20, &b, b.len() as u32),
            (3, 30, &c, c.len() as u32),
            (4, 40, &d, d.len() as u32),
        ],
    )
}

fn datas(capture: &[u8]) -> Vec<Vec<u8>> {
    packets(capture).expect("output is a readable capture").into_iter().map(|p| p.0).collect()
}

#[test]
fn keeps_matches_and_inverts() {
    let input = sample();
    let all = datas(&input);
    let kept = run(BIN, &["tcp port 80 or udp port 53"], &input);
    assert_eq!(kept.code, Some(0), "{}", kept.stderr);
    assert_eq!(datas(&kept.stdout), vec![all[0].clone(), all[2].clone()]);
    let rest = run(BIN, &["-v", "tcp port 80 or udp port 53"], &input);
    assert_eq!(rest.code, Some(0));
    assert_eq!(datas(&rest.stdout), vec![all[1].clone(), all[3].clone()]);
    let everything = run(BIN, &[""], &input);
    assert_eq!(everything.stdout, input, "an empty expression copies the capture byte for byte");
}

#[test]
fn count_and_stop_after_n() {
    let input = sample();
    let r = run(BIN, &["--count", "ip"], &input);
    assert_eq!((r.code, r.stdout_text()), (Some(0), "4\n".to_string()));
    let r = run(BIN, &["--count", "-v", "tcp"], &input);
    assert_eq!(r.stdout_text(), "2\n");
    let r = run(BIN, &["-c", "3", "ip"], &input);
    assert_eq!(datas(&r.stdout).len(), 3);
    let r = run(BIN, &["-c", "1", "--count", "udp"], &input);
    assert_eq!(r.stdout_text(), "1\n");
}

#[test]
fn write_file_and_pcapng() {
    let dir = tempdir("write");
    let out = dir.join("web.pcapng");
    let input = sample();
    let r = run(BIN, &["--pcapng", "-w", out.to_str().unwrap(), "tcp"], &input);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout.is_empty());
    let written = std::fs::read(&out).unwrap();
    assert_eq!(&written[..4], &[0x0a, 0x0d, 0x0d, 0x0a], "pcapng section header");
    assert_eq!(datas(&written).len(), 2);
    if let Some(lines) = tcpdump_lines(&out) {
        assert_eq!(lines.len(), 2, "tcpdump reads our pcapng: {lines:?}");
        assert!(lines[0].contains("10.0.0.1.40000 > 10.0.0.2.80"), "{}", lines[0]);
    }
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn bad_expression_is_a_usage_error() {
    let r = run(BIN, &["tcp port"], &sample());
    assert_eq!(r.code, Some(2));
    assert!(r.stdout.is_empty());
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.starts_with("pcap-filter: ") && r.stderr.contains("syntax error"), "{}", r.stderr);
    let r = run(BIN, &["ip broadcast"], &sample());
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("netmask"), "{}", r.stderr);
    let r = run(BIN, &["--netmask", "255.255.255.0", "ip broadcast"], &sample());
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let r = run(BIN, &["--bogus", "ip"], &sample());
    assert_eq!(r.code, Some(2));
}

#[test]
fn length_primitives_see_the_wire_length_of_truncated_packets() {
    let full = frame(6, [10, 0, 0, 1], [10, 0, 0, 2], 1, 80, &[0x55; 1460]);
    let cut = &full[..68];
    let input = pcap(1, 68, &[(1, 0, cut, full.len() as u32), (2, 0, &full[..60], 60)]);
    for (expr, want) in [("greater 1000", 1), ("len >= 1500", 1), ("less 100", 1), ("len == 1514", 1)] {
        let r = run(BIN, &["--count", expr], &input);
        assert_eq!(r.stdout_text(), format!("{want}\n"), "{expr}");
    }
    // tcpdump (libpcap) agrees, when installed.
    if which("tcpdump") {
        let dir = tempdir("wirelen");
        let f = dir.join("cut.pcap");
        std::fs::write(&f, &input).unwrap();
        let out = Command::new("tcpdump")
            .args(["-r", f.to_str().unwrap(), "-w", "-", "greater 1000"])
            .output()
            .unwrap();
        assert_eq!(datas(&out.stdout).len(), 1);
        std::fs::remove_dir_all(dir).ok();
    }
}

#[test]
fn damaged_input_keeps_what_came_before() {
    let mut input = sample();
    let last = datas(&input)[3].len();
    let fourth_at = input.len() - 16 - last;
    input.truncate(input.len() - 5);
    let r = run(BIN, &["ip"], &input);
    assert_eq!(r.code, Some(1));
    assert_eq!(datas(&r.stdout).len(), 3, "the three good packets are written and flushed");
    let line = r.stderr.trim_end();
    assert_eq!(line.lines().count(), 1);
    assert!(line.starts_with("pcap-filter: stdin: truncated record"), "{line}");
    assert!(line.ends_with(&format!("at packet 4 (byte offset {fourth_at})")), "{line}");

    let r = run(BIN, &["ip"], b"this is not a capture at all");
    assert_eq!(r.code, Some(1));
    assert_eq!(
        r.stderr.trim_end(),
        "pcap-filter: stdin: not a pcap or pcapng capture (magic number 0x74686973) at byte offset 0"
    );
    let r = run(BIN, &["ip"], b"");
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.contains("empty input"));
    let r = run(BIN, &["ip", "/nonexistent/x.pcap"], b"");
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.starts_with("pcap-filter: /nonexistent/x.pcap: "), "{}", r.stderr);
}

#[test]
fn several_files_in_order_and_mixed_link_types() {
    let dir = tempdir("multi");
    let a = dir.join("a.pcap");
    let b = dir.join("b.pcap");
    std::fs::write(&a, sample()).unwrap();
    let raw = &frame(17, [1, 1, 1, 1], [2, 2, 2, 2], 9, 9, b"raw")[14..];
    std::fs::write(&b, pcap(101, 65535, &[(9, 9, raw, raw.len() as u32)])).unwrap();
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());

    let r = run(BIN, &["udp", a, b], b"");
    assert_eq!(r.code, Some(0));
    assert_eq!(datas(&r.stdout).len(), 2, "classic pcap keeps the first link type");
    assert!(r.stderr.contains("1 packet(s) of link type RAW (101) not written"), "{}", r.stderr);

    let r = run(BIN, &["--pcapng", "udp", a, b], b"");
    assert_eq!(r.stderr, "");
    let got = datas(&r.stdout);
    assert_eq!(got.len(), 3);
    assert_eq!(got[2], raw);
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn closed_pipe_ends_quietly() {
    // 20,000 packets, far more than `head` reads.
    let f = frame(17, [10, 0, 0, 1], [10, 0, 0, 2], 1, 2, &[0; 200]);
    let recs: Vec<_> = (0..20_000).map(|i| (i, 0, f.as_slice(), f.len() as u32)).collect();
    let dir = tempdir("pipe");
    let big = dir.join("big.pcap");
    std::fs::write(&big, pcap(1, 65535, &recs)).unwrap();
    let script = format!(
        "'{BIN}' udp '{}' 2>'{}/err' | head -c 100 >/dev/null; echo ${{PIPESTATUS[0]}}",
        big.display(),
        dir.display()
    );
    let out = Command::new("bash").args(["-c", &script]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "0");
    assert_eq!(std::fs::read_to_string(dir.join("err")).unwrap(), "");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn binary_output_to_a_terminal_is_refused() {
    if !which("script") {
        eprintln!("binary_output_to_a_terminal_is_refused: SKIPPED: `script` (util-linux) is not installed");
        return;
    }
    let dir = tempdir("tty");
    let f = dir.join("in.pcap");
    std::fs::write(&f, sample()).unwrap();
    // `script` gives the command a pseudo-terminal as stdout.
    let cmd = format!("'{BIN}' ip '{}'; echo \"exit=$?\"", f.display());
    let out = Command::new("script").args(["-qec", &cmd, "/dev/null"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("refusing to write binary pcap to a terminal"), "{text}");
    assert!(text.contains("exit=2"), "{text}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn output_feeds_the_next_filter() {
    let first = run(BIN, &["ip"], &sample());
    let second = run(BIN, &["udp"], &first.stdout);
    assert_eq!(second.code, Some(0));
    assert_eq!(datas(&second.stdout).len(), 2);
    let none = run(BIN, &["arp"], &sample());
    assert_eq!(none.code, Some(0));
    assert_eq!(none.stdout.len(), 24, "no match still writes a valid, empty capture");
    assert_eq!(datas(&none.stdout).len(), 0);
}

fn which(prog: &str) -> bool {
    Command::new("sh").args(["-c", &format!("command -v {prog}")]).output().is_ok_and(|o| o.status.success())
}

fn tcpdump_lines(f: &std::path::Path) -> Option<Vec<String>> {
    if !which("tcpdump") {
        eprintln!("tcpdump not installed: cross-check skipped");
        return None;
    }
    let out = Command::new("tcpdump").args(["-nr", f.to_str().unwrap()]).output().unwrap();
    Some(String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect())
}

fn tempdir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("pktkit-test-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Every packet of a capture with its raw pcapng timestamp and its interface's clock.
fn pcapng_clocks(capture: &[u8]) -> Vec<(Option<u64>, pktkit::capture::Origin, pktkit::capture::Timestamp)> {
    use pktkit::capture::{CaptureReader, Input};
    let input = Input::Stream("out".into(), Box::new(std::io::Cursor::new(capture.to_vec())));
    let mut reader = CaptureReader::new(vec![input]);
    let mut out = Vec::new();
    while let Some(p) = reader.next_packet().expect("output reads back") {
        out.push((p.pcapng_ts, p.interface.origin.clone(), p.ts));
    }
    out
}

/// Issue 19, point 1: `--pcapng` keeps each interface's `if_tsresol` and `if_tsoffset`, so a
/// seconds-resolution interface or a huge offset is written; classic pcap output, which cannot
/// hold such a time, names the input, the packet and its byte offset.
#[test]
fn pcapng_output_keeps_seconds_resolution_and_huge_offsets() {
    use support::pcapng::PcapNgFile;
    let a = frame(17, [10, 0, 0, 1], [10, 0, 0, 2], 1000, 53, b"one");
    let b = frame(17, [10, 0, 0, 1], [10, 0, 0, 2], 1001, 53, b"two");
    let file = PcapNgFile::new()
        .interface(1, 0, Some(0), None) // seconds
        .interface(1, 65535, None, Some(1 << 62)) // microseconds, offset of 2^62 s
        .interface(1, 65535, Some(0x80 | 30), Some(-5_000)) // 2^-30 s, before 1970
        .packet(0, 1_700_000_000, &a, a.len() as u32);
    let huge_at = file.next_offset();
    let file = file
        .packet(0, 1 << 40, &b, b.len() as u32) // 2^40 s: past any nanosecond count in 64 bits
        .packet(1, 123_456, &a, a.len() as u32)
        .packet(2, 3 << 30, &b, b.len() as u32)
        .bytes();
    let dir = tempdir("tsresol");
    let input = dir.join("clocks.pcapng");
    std::fs::write(&input, &file).unwrap();

    let r = run(BIN, &["--pcapng", "", input.to_str().unwrap()], &[]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(pcapng_clocks(&r.stdout), pcapng_clocks(&file), "raw timestamps and clocks kept");
    let out = dir.join("out.pcapng");
    std::fs::write(&out, &r.stdout).unwrap();
    let decoded = support::run(env!("CARGO_BIN_EXE_pkt-decode"), &[out.to_str().unwrap()], &[]);
    assert_eq!(decoded.code, Some(0), "pkt-decode reads it: {}", decoded.stderr);
    assert_eq!(decoded.stdout_text().lines().count(), 4);
    if which("tshark") {
        let times = |f: &std::path::Path| {
            let o = Command::new("tshark")
                .args(["-r", f.to_str().unwrap(), "-T", "fields", "-e", "frame.time_epoch"])
                .output()
                .unwrap();
            assert!(o.status.success(), "tshark: {}", String::from_utf8_lossy(&o.stderr));
            String::from_utf8_lossy(&o.stdout).into_owned()
        };
        assert_eq!(times(&out), times(&input), "tshark sees the same times in input and output");
    } else {
        eprintln!("tshark not installed: cross-check skipped");
    }

    // Classic pcap holds 32-bit seconds: the packet of 2^40 s cannot be written.
    let r = run(BIN, &["", input.to_str().unwrap()], &[]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    let want = format!("{}: cannot write packet 2 (byte offset {huge_at}): its time", input.display());
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains(&want), "{}", r.stderr);
    assert_eq!(datas(&r.stdout).len(), 1, "the packet before is written");
    std::fs::remove_dir_all(dir).ok();
}

/// `host 10.H.L.1` for hosts `0..n`, joined by `or`.
fn host_clauses(n: usize) -> String {
    (0..n).map(|i| format!("host 10.{}.{}.1", i >> 8, i & 255)).collect::<Vec<_>>().join(" or ")
}

/// Issue 19, point 6: an expression of thousands of clauses (libpcap's optimiser takes minutes
/// on 2,000 `or`s) compiles past [`MAX_OPTIMIZED_OPERATORS`] as optimised parts, or without the
/// optimiser when it is not a disjunction, says so on stderr, and keeps what the small
/// equivalent expression keeps.
#[test]
fn filter_of_thousands_of_clauses_compiles_and_says_how() {
    let hit_first = frame(17, [10, 0, 0, 1], [10, 99, 0, 1], 1, 53, b"");
    let hit_last = frame(17, [10, 99, 0, 2], [10, 7, 207, 1], 1, 53, b"");
    let miss = frame(6, [10, 99, 0, 3], [10, 99, 0, 4], 1, 80, b"");
    let cap = pcap(
        1,
        65535,
        &[(1, 0, &hit_first, 60), (2, 0, &miss, 60), (3, 0, &hit_last, 60), (4, 0, &miss, 60)],
    );
    let small = run(BIN, &["host 10.0.0.1 or host 10.7.207.1"], &cap);
    assert_eq!(datas(&small.stdout).len(), 2);
    let cmd = || {
        let mut c = Command::new(BIN);
        c.arg(host_clauses(2000));
        c
    };
    let r = support::run_timed(cmd(), Some(cap.clone()), std::time::Duration::from_secs(120));
    assert!(!r.timed_out, "2,000 clauses took over 120 s");
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(
        r.stderr.trim(),
        "pcap-filter: note: the expression has 1999 and/or operators, more than 100: cut into 20 parts \
         of at most 100 'or's, each optimised, as libpcap's optimiser would take minutes on it whole"
    );
    assert_eq!(r.stdout, small.stdout, "the same packets as the small expression");
    // Not a disjunction: one program, not optimised.
    let expr = format!("({}) and udp", host_clauses(300));
    let r = run(BIN, &[&expr], &cap);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "300 and/or operators, more than 100: compiled without libpcap's optimiser (as tcpdump -O)"
        ),
        "{}",
        r.stderr
    );
    assert_eq!(r.stdout, run(BIN, &["host 10.0.0.1"], &cap).stdout, "10.7.207.1 is not among the 300");
    // A part libpcap refuses is reported as libpcap reports the whole expression.
    let bad = format!("{} or port 99999999", host_clauses(150));
    let r = run(BIN, &[&bad], &cap);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("port 99999999"), "{}", r.stderr);
}
