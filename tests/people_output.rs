//! Output people would rather look at (issue 17): pkt-stats' human units, bars and
//! sparkline, `--plot` pictures, and the progress bar of pcap-filter, pkt-decode and
//! pkt-stats on large inputs, the terminal cases under `script`.

mod support;

use std::path::Path;
use std::process::Command;

use support::{Scratch, frame, pcap, run};

const STATS: &str = env!("CARGO_BIN_EXE_pkt-stats");
const DECODE: &str = env!("CARGO_BIN_EXE_pkt-decode");
const FILTER: &str = env!("CARGO_BIN_EXE_pcap-filter");

/// Three hosts, 1,234,000 bytes on the wire over three seconds (snaplen-cut records).
fn traffic() -> Vec<u8> {
    let a = frame(6, [10, 0, 0, 1], [10, 0, 0, 2], 40000, 80, b"GET /");
    let b = frame(17, [10, 0, 0, 3], [10, 0, 0, 1], 5000, 53, b"x");
    let mut recs: Vec<(u32, u32, &[u8], u32)> = Vec::new();
    for i in 0..1000u32 {
        recs.push((100 + i / 400, (i % 400) * 2500, &a, 1200));
    }
    for i in 0..34u32 {
        recs.push((102, 500_000 + i * 1000, &b, 1000));
    }
    pcap(1, 96, &recs)
}

fn has_script() -> bool {
    support::have("script", "the terminal part")
}

/// Runs `command` (a shell line) with a terminal on stdin, stdout and stderr (`script`);
/// returns what the terminal showed, without carriage returns.
fn on_terminal(command: &str) -> String {
    let out = Command::new("script").args(["-qec", command, "/dev/null"]).output().unwrap();
    String::from_utf8_lossy(&out.stdout).replace('\r', "")
}

#[test]
fn stats_text_has_units_separators_and_bars() {
    let input = traffic();
    let r = run(STATS, &["--summary", "--protocols", "--hierarchy", "--hosts"], &input);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let t = r.stdout_text();
    assert!(t.contains("  Packets:             1,034\n"), "{t}");
    assert!(t.contains("  Bytes on the wire:   1,234,000 (1.23 MB)\n"), "{t}");
    assert!(t.contains("  Average bit rate:    "), "{t}");
    assert!(t.contains(" kbit/s\n") || t.contains(" Mbit/s\n"), "{t}");
    // The hierarchy is a table with bars: eth is all the bytes, a full 20-cell bar.
    let eth = t.lines().find(|l| l.trim_start().starts_with("eth ")).expect("eth row");
    assert!(eth.contains("1,034") && eth.contains("1.23 MB") && eth.contains("100.0%"), "{eth}");
    assert!(eth.ends_with(&"█".repeat(20)), "{eth}");
    let udp = t.lines().find(|l| l.trim_start().starts_with("udp ")).expect("udp row");
    assert!(udp.contains("34.0 kB") && udp.contains("2.8%") && udp.ends_with('▌'), "{udp}");
    // Top talkers: the share of all bytes and its bar.
    let host = t.lines().find(|l| l.starts_with("  10.0.0.1 ")).expect("10.0.0.1 row");
    assert!(host.contains("1.23 MB") && host.contains("100.0%") && host.ends_with('█'), "{host}");
    let host = t.lines().find(|l| l.starts_with("  10.0.0.3 ")).expect("10.0.0.3 row");
    assert!(host.contains("2.8%") && !host.ends_with('█'), "{host}");
    // --exact: the plain integers of before, no bars.
    let r = run(STATS, &["--exact", "--summary", "--hierarchy"], &input);
    let t = r.stdout_text();
    assert!(t.contains("  Bytes on the wire:   1234000\n"), "{t}");
    assert!(t.contains("frames:1034 bytes:1234000 (100.0%)"), "{t}");
    assert!(!t.contains('█') && !t.contains("1,0") && !t.contains(" kB"), "{t}");
    let r = run(STATS, &["--exact", "--json"], &input);
    assert_eq!(r.code, Some(2), "--exact shapes tables only: {}", r.stderr);
}

#[test]
fn io_has_a_bar_column_and_a_sparkline_on_a_terminal() {
    let input = traffic();
    let r = run(STATS, &["--io", "--interval", "1s"], &input);
    let t = r.stdout_text();
    let rows: Vec<&str> = t.lines().skip_while(|l| !l.starts_with("== I/O")).skip(2).collect();
    assert_eq!(rows.len(), 3, "{t}");
    // 400 frames of 1200 bytes a second, then 200 and 34 of 1000: bars of 20, 20 and 10+.
    assert!(
        rows[0].contains("480 kB") && rows[0].contains("3.84 Mbit/s") && rows[0].ends_with(&"█".repeat(20)),
        "{t}"
    );
    assert!(rows[2].contains("274 kB"), "{t}");
    assert!(!t.contains("bytes |"), "no sparkline when piped:\n{t}");
    if !has_script() {
        return;
    }
    let dir = Scratch::new("io-terminal");
    let file = dir.path("t.pcap");
    std::fs::write(&file, &input).unwrap();
    let shown = on_terminal(&format!("{STATS} --io --interval 500ms {}", file.display()));
    let spark = shown.lines().find(|l| l.starts_with("  bytes |")).unwrap_or_else(|| panic!("{shown}"));
    // Six half seconds: five of 240 kB, then 34 kB (a seventh: the second level of eight).
    assert_eq!(spark, "  bytes |█████▂| peak 240 kB", "{shown}");
}

fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    let be = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

#[test]
fn plot_draws_svg_and_png() {
    let dir = Scratch::new("plot");
    let input = dir.path("t.pcap");
    std::fs::write(&input, traffic()).unwrap();
    let svg = dir.path("io.svg");
    let r = run(
        STATS,
        &["--summary", "--interval", "500ms", "--plot", svg.to_str().unwrap(), input.to_str().unwrap()],
        &[],
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout_text().contains("== Summary"), "the report is printed as well");
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.starts_with("<svg"), "{}", &text[..100.min(text.len())]);
    for label in [
        "I/O: bits per second per 500 ms interval",
        "Protocol mix",
        "eth/ip/tcp",
        "eth/ip/udp",
        "share of bytes",
    ] {
        assert!(text.contains(label), "the SVG lacks {label:?}");
    }
    let png = dir.path("io.PNG");
    let r = run(STATS, &["--plot", png.to_str().unwrap(), input.to_str().unwrap()], &[]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(png_size(&bytes), (1000, 720));
    assert!(bytes.len() > 20_000, "a picture with text and bars, not a blank: {} bytes", bytes.len());
    // A name that is neither: exit 2 before reading anything.
    let r = run(STATS, &["--plot", dir.path("io.jpg").to_str().unwrap(), "/nonexistent.pcap"], &[]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.starts_with("pkt-stats: --plot "), "{}", r.stderr);
    // Live mode draws nothing: said, exit 2.
    let r = run(STATS, &["--every", "1s", "--plot", svg.to_str().unwrap()], &[]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    // No font: one line naming the fix, exit 1.
    let mut cmd = Command::new(STATS);
    cmd.env("PKTKIT_FONT", "/nonexistent.ttf").args([
        "--json",
        "--plot",
        png.to_str().unwrap(),
        input.to_str().unwrap(),
    ]);
    let out = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("no usable TrueType font") && err.contains("fonts-dejavu-core"), "{err}");
}

/// A 64 MiB+ capture: 1,100 records of 61,058 bytes.
fn big_capture(path: &Path) {
    let f = frame(17, [10, 0, 0, 1], [10, 0, 0, 2], 5000, 6000, &vec![0u8; 61_000]);
    let recs: Vec<(u32, u32, &[u8], u32)> = (0..1100).map(|i| (100 + i, 0, &f[..], f.len() as u32)).collect();
    let bytes = pcap(1, 65535, &recs);
    assert!(bytes.len() as u64 >= pktkit_tools::progress::MIN_BYTES);
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn progress_bar_on_a_terminal_for_large_inputs() {
    if !has_script() {
        return;
    }
    let dir = Scratch::new("progress");
    let big = dir.path("big.pcap");
    big_capture(&big);
    let small = dir.path("small.pcap");
    std::fs::write(&small, traffic()).unwrap();
    let (big, small) = (big.display().to_string(), small.display().to_string());
    // stderr a terminal, stdout a file: a bar that counts to the size.
    for command in [
        format!("{STATS} --json {big} > /dev/null"),
        format!("{STATS} --json < {big} > /dev/null"),
        format!("{DECODE} {big} > /dev/null"),
        format!("{DECODE} -r {big} udp > /dev/null"),
        format!("{FILTER} udp {big} > /dev/null"),
        format!("{FILTER} -r {big} --count udp > /dev/null"),
    ] {
        let shown = on_terminal(&format!("{command}; echo rc=$?"));
        assert!(shown.contains("MiB/"), "{command}: no progress bar:\n{shown}");
        assert!(shown.contains("[="), "{command}: no bar:\n{shown}");
        assert!(shown.trim_end().ends_with("rc=0"), "{command}:\n{shown}");
    }
    // No bar when stdout is the terminal, when the input is small, or when stdin is a pipe.
    for command in [
        format!("{FILTER} --count udp {big}"),
        format!("{STATS} --json {small} > /dev/null"),
        format!("cat {big} | {STATS} --json > /dev/null"),
    ] {
        let shown = on_terminal(&format!("{command}; echo rc=$?"));
        assert!(!shown.contains("MiB"), "{command}: a progress bar:\n{shown}");
        assert!(shown.trim_end().ends_with("rc=0"), "{command}:\n{shown}");
    }
    // Not a terminal at all (stderr captured): nothing but the data.
    let r = run(STATS, &["--json", &big], &[]);
    assert_eq!(r.code, Some(0));
    assert!(r.stderr.is_empty(), "{}", r.stderr);
}
