//! Live pipelines (docs/pipelines.md), run for real: every stage writes each record before it
//! waits for more input, and an interrupt sent to the whole process group loses nothing.
//!
//! The first tests feed the pipeline from this process through a pipe, packet by packet, at
//! known instants. The lab tests capture real traffic with pcap-capture in the namespace lab
//! (docs/lab.md); they need root and say why they skip otherwise.

mod support;

use std::fs::{self, File};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

use support::lab::{Host, Lab, notice};
use support::{Scratch, frame, pcap, pcap_filter, pkt_decode};

/// The bound each record must meet, from its packet being sent to its line coming out.
const LATENCY_BOUND: Duration = Duration::from_millis(100);
/// pktkit::stream::DRAIN_LIMIT: how long a stage reads on after an interrupt.
const DRAIN_LIMIT: Duration = Duration::from_secs(2);

/// Processes joined by pipes, all in one new process group (as a shell runs a pipeline), the
/// last one's stdout read line by line with the instant each line came.
struct Pipeline {
    stages: Vec<(String, Child, PathBuf)>,
    pgid: u32,
    stdin: Option<ChildStdin>,
    lines: Receiver<(Instant, String)>,
}

impl Pipeline {
    /// Starts `stages` (name, command); stage stderr goes to files in `dir`. The first stage's
    /// stdin is a pipe from this process when `feed`, else /dev/null.
    fn start(stages: Vec<(&str, Command)>, dir: &Scratch, feed: bool) -> Pipeline {
        let mut children: Vec<(String, Child, PathBuf)> = Vec::new();
        let mut pgid = 0u32;
        let mut upstream: Option<Stdio> = Some(if feed { Stdio::piped() } else { Stdio::null() });
        let count = stages.len();
        for (i, (name, mut cmd)) in stages.into_iter().enumerate() {
            let err = dir.path(&format!("{i}-{name}.stderr"));
            cmd.process_group(pgid as i32)
                .stdin(upstream.take().expect("stdin"))
                .stdout(Stdio::piped())
                .stderr(File::create(&err).expect("stderr file"));
            let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {name}: {e}"));
            if i == 0 {
                pgid = child.id();
            }
            if i + 1 < count {
                upstream = Some(Stdio::from(child.stdout.take().expect("piped stdout")));
            }
            children.push((name.to_string(), child, err));
        }
        let stdin = children[0].1.stdin.take();
        let out = children.last_mut().expect("a stage").1.stdout.take().expect("piped stdout");
        let (tx, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if tx.send((Instant::now(), line)).is_err() {
                    break;
                }
            }
        });
        Pipeline { stages: children, pgid, stdin, lines }
    }

    /// Writes `bytes` to the first stage and returns the instant they were written.
    fn feed(&mut self, bytes: &[u8]) -> Instant {
        let stdin = self.stdin.as_mut().expect("fed pipeline");
        stdin.write_all(bytes).expect("write to the first stage");
        Instant::now()
    }

    /// Writes the records of UDP datagrams `seqs` to port 7.
    fn feed_records(&mut self, seqs: std::ops::Range<u32>) {
        for seq in seqs {
            self.feed(&record(seq, 7));
        }
    }

    /// Waits for `n` output lines, at most 5 s each.
    fn expect_lines(&self, n: usize) {
        for i in 0..n {
            self.line(Duration::from_secs(5)).unwrap_or_else(|| panic!("no line {i}"));
        }
    }

    /// The next output line, waiting at most `timeout`.
    fn line(&self, timeout: Duration) -> Option<(Instant, String)> {
        self.lines.recv_timeout(timeout).ok()
    }

    /// Sends `sig` (INT, TERM) to the whole process group, as Ctrl-C on a terminal does.
    fn signal_group(&self, sig: &str) {
        let ok = Command::new("kill")
            .args([format!("-{sig}"), "--".into(), format!("-{}", self.pgid)])
            .status()
            .expect("kill")
            .success();
        assert!(ok, "kill -{sig} -{} failed", self.pgid);
    }

    /// Closes the first stage's stdin (the upstream ends).
    fn close_input(&mut self) {
        self.stdin = None;
    }

    /// Waits for every stage (at most `limit` in all); returns (name, status, stderr) and the
    /// rest of the output lines.
    fn wait(mut self, limit: Duration) -> (Vec<(String, ExitStatus, String)>, Vec<String>) {
        let deadline = Instant::now() + limit;
        let mut done = Vec::new();
        for (name, mut child, err) in std::mem::take(&mut self.stages) {
            let status = loop {
                if let Some(s) = child.try_wait().expect("try_wait") {
                    break s;
                }
                if Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!(
                        "{name} did not exit within {limit:?}:\n{}",
                        fs::read_to_string(&err).unwrap_or_default()
                    );
                }
                thread::sleep(Duration::from_millis(5));
            };
            done.push((name, status, fs::read_to_string(&err).unwrap_or_default()));
        }
        let rest = self.lines.iter().map(|(_, l)| l).collect();
        (done, rest)
    }
}

/// Asserts that every stage exited with `code`.
fn assert_exits(stages: &[(String, ExitStatus, String)], code: i32) {
    for (name, status, err) in stages {
        assert_eq!(status.code(), Some(code), "{name}: {status} (signal {:?})\n{err}", status.signal());
    }
}

/// A pcap file header (Ethernet) and the record of UDP datagram `seq` to `dport`.
fn header() -> Vec<u8> {
    pcap(1, 65535, &[])
}

fn record(seq: u32, dport: u16) -> Vec<u8> {
    let payload = format!("record-{seq:05}");
    let f = frame(17, [10, 0, 1, 2], [10, 0, 3, 2], 40000, dport, payload.as_bytes());
    pcap(1, 65535, &[(1_700_000_000 + seq, 0, &f, f.len() as u32)])[24..].to_vec()
}

/// tcpdump's reading of `path`: the number of packets; panics on any complaint.
fn tcpdump_reads(path: &Path) -> usize {
    let out = Command::new("tcpdump").args(["-nn", "-r"]).arg(path).output().expect("tcpdump");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "tcpdump -r {}: {err}", path.display());
    assert!(!err.contains("truncated") && !err.contains("warning"), "tcpdump -r {}: {err}", path.display());
    String::from_utf8_lossy(&out.stdout).lines().count()
}

/// Median and worst of `values`.
fn median_worst(values: &mut [Duration]) -> (Duration, Duration) {
    values.sort();
    (values[values.len() / 2], *values.last().expect("values"))
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

#[test]
fn each_record_leaves_every_stage_before_it_waits_for_the_next() {
    // pcap-filter | pkt-decode --json --raw | pkt-send --from-json --show: the three readers
    // of pcap and NDJSON, fed one packet at a time; packets to port 9 are dropped on the way.
    let dir = Scratch::new("latency");
    let mut filter = pcap_filter();
    filter.arg("udp dst port 7");
    let mut decode = pkt_decode();
    decode.args(["--json", "--raw"]);
    let mut send = Command::new(env!("CARGO_BIN_EXE_pkt-send"));
    send.args(["--from-json", "--show", "--oneline", "-q"]);
    let mut p = Pipeline::start(
        vec![("pcap-filter", filter), ("pkt-decode", decode), ("pkt-send", send)],
        &dir,
        true,
    );
    p.feed(&header());
    let mut latencies = Vec::new();
    for seq in 0..12u32 {
        p.feed(&record(1000 + seq, 9));
        let sent = p.feed(&record(seq, 7));
        let (at, line) = p.line(Duration::from_secs(5)).unwrap_or_else(|| panic!("no line for packet {seq}"));
        assert!(line.contains(".7: UDP, length 12"), "packet {seq}: {line}");
        latencies.push(at.duration_since(sent));
        thread::sleep(Duration::from_millis(60));
    }
    p.close_input();
    let (stages, rest) = p.wait(Duration::from_secs(10));
    assert_exits(&stages, 0);
    assert!(rest.is_empty(), "{rest:?}");
    let (median, worst) = median_worst(&mut latencies);
    notice(&format!("pipe latency through 3 stages: median {}, worst {}", ms(median), ms(worst)));
    assert!(worst <= LATENCY_BOUND, "a record waited: median {}, worst {}", ms(median), ms(worst));
}

#[test]
fn packet_and_line_buffering_switches_are_accepted() {
    // -U and -l change when within a packet the output is written; the records are the same.
    let mut input = header();
    for seq in 0..3 {
        input.extend(record(seq, 7));
    }
    let plain = support::run_with(pkt_decode(), &input, Duration::from_secs(30));
    for flags in [["-U"], ["-l"]] {
        let mut cmd = pkt_decode();
        cmd.args(flags);
        let run = support::run_with(cmd, &input, Duration::from_secs(30));
        assert_eq!(run.code, Some(0), "{flags:?}: {}", run.stderr);
        assert_eq!(run.stdout, plain.stdout, "{flags:?}");
    }
    let mut cmd = pcap_filter();
    cmd.args(["-U", ""]);
    let run = support::run_with(cmd, &input, Duration::from_secs(30));
    assert_eq!((run.code, run.stdout), (Some(0), input), "{}", run.stderr);
}

#[test]
fn count_ends_a_stage_right_after_the_last_packet_not_at_the_next() {
    // `-c 2` on a live input that stays open: both tools end after the 2nd packet, as tcpdump.
    let dir = Scratch::new("count");
    let mut filter = pcap_filter();
    filter.args(["-c", "2", "udp"]);
    let mut decode = pkt_decode();
    decode.args(["-c", "2"]);
    for (name, cmd) in [("pcap-filter", filter), ("pkt-decode", decode)] {
        let mut p = Pipeline::start(vec![(name, cmd)], &dir, true);
        p.feed(&header());
        p.feed_records(0..2);
        let start = Instant::now();
        let (stages, _) = p.wait(Duration::from_secs(10));
        assert_exits(&stages, 0);
        assert!(start.elapsed() < Duration::from_secs(1), "{name}: {:?}", start.elapsed());
    }
}

/// Starts `pcap-filter [args] | pkt-decode --json`, fed by this process, after 5 records.
fn fed_pipeline(dir: &Scratch, filter_args: &[&str]) -> Pipeline {
    let mut filter = pcap_filter();
    filter.args(filter_args);
    let mut decode = pkt_decode();
    decode.arg("--json");
    let mut p = Pipeline::start(vec![("pcap-filter", filter), ("pkt-decode", decode)], dir, true);
    p.feed(&header());
    p.feed_records(0..5);
    p
}

#[test]
fn after_ctrl_c_each_stage_reads_what_is_still_on_its_way() {
    let dir = Scratch::new("drain");
    let mut p = fed_pipeline(&dir, &["udp"]);
    p.expect_lines(5);
    let start = Instant::now();
    p.signal_group("INT");
    // The upstream (this process) goes on for a while, as pcap-capture does after the signal.
    thread::sleep(Duration::from_millis(200));
    p.feed_records(5..8);
    p.close_input();
    let (stages, rest) = p.wait(Duration::from_secs(10));
    assert_exits(&stages, 0);
    assert_eq!(rest.len(), 3, "the 3 records sent after Ctrl-C: {rest:?}");
    assert!(start.elapsed() < DRAIN_LIMIT, "the stages ended when their input did: {:?}", start.elapsed());

    // The same with pcap-filter -w FILE: every packet is in a valid file.
    let file = dir.path("f.pcap");
    let mut filter = pcap_filter();
    filter.args(["udp", "-w"]).arg(&file);
    let mut p = Pipeline::start(vec![("pcap-filter", filter)], &dir, true);
    p.feed(&header());
    p.feed_records(0..5);
    thread::sleep(Duration::from_millis(100));
    p.signal_group("INT");
    thread::sleep(Duration::from_millis(100));
    p.feed_records(5..8);
    p.close_input();
    let (stages, _) = p.wait(Duration::from_secs(10));
    assert_exits(&stages, 0);
    assert_eq!(tcpdump_reads(&file), 8);
}

#[test]
fn after_ctrl_c_an_upstream_that_never_closes_is_given_up_after_the_bound() {
    let dir = Scratch::new("bound");
    let p = fed_pipeline(&dir, &["udp"]);
    p.expect_lines(5);
    let start = Instant::now();
    p.signal_group("TERM");
    let stdin_kept_open = p.stdin.is_some();
    let (stages, rest) = p.wait(Duration::from_secs(10));
    let took = start.elapsed();
    assert!(stdin_kept_open);
    // pcap-filter gives up after the bound; pkt-decode's input (pcap-filter's output) closes then.
    assert!(took >= DRAIN_LIMIT && took < DRAIN_LIMIT + Duration::from_millis(1500), "{took:?}");
    assert_exits(&stages, 0);
    assert!(rest.is_empty(), "{rest:?}");
}

#[test]
fn a_second_ctrl_c_ends_every_stage_at_once_with_valid_output() {
    let dir = Scratch::new("second");
    let file = dir.path("f.pcapng");
    let mut filter = pcap_filter();
    filter.args(["--pcapng", "udp", "-w"]).arg(&file);
    let mut p = Pipeline::start(vec![("pcap-filter", filter)], &dir, true);
    p.feed(&header());
    p.feed_records(0..5);
    // Half a record: the second Ctrl-C finds it unfinished.
    p.feed(&record(5, 7)[..20]);
    thread::sleep(Duration::from_millis(200));
    p.signal_group("INT");
    thread::sleep(Duration::from_millis(200));
    let start = Instant::now();
    p.signal_group("INT");
    let (stages, _) = p.wait(Duration::from_secs(10));
    assert!(start.elapsed() < Duration::from_millis(500), "{:?}", start.elapsed());
    assert_exits(&stages, 130);
    assert_eq!(tcpdump_reads(&file), 5);
}

#[test]
fn an_upstream_that_dies_mid_record_is_reported_and_what_came_before_is_kept() {
    for (tool, want_out) in [("pcap-filter", 3usize), ("pkt-decode", 3)] {
        let dir = Scratch::new(tool);
        let mut cmd = if tool == "pcap-filter" { pcap_filter() } else { pkt_decode() };
        if tool == "pcap-filter" {
            cmd.arg("udp");
        } else {
            cmd.arg("--json");
        }
        let mut p = Pipeline::start(vec![(tool, cmd)], &dir, true);
        p.feed(&header());
        p.feed_records(0..3);
        let cut = record(3, 7);
        p.feed(&cut[..30]);
        // The stage has read the part and waits for the rest when the upstream dies.
        thread::sleep(Duration::from_millis(150));
        p.close_input();
        let (stages, rest) = p.wait(Duration::from_secs(10));
        let (_, status, err) = &stages[0];
        assert_eq!(status.code(), Some(1), "{tool}: {err}");
        let offset = 24 + 3 * cut.len();
        assert_eq!(
            err.trim(),
            format!(
                "{tool}: stdin: truncated record (30 of {} bytes) at packet 4 (byte offset {offset})",
                cut.len()
            )
        );
        if tool == "pkt-decode" {
            assert_eq!(rest.len(), want_out, "{rest:?}");
        } else {
            // Binary pcap: the line reader saw bytes; check them as a capture instead.
            drop(rest);
        }
    }
    // pcap-filter's output, as a file: the 3 packets before the cut.
    let dir = Scratch::new("cut-file");
    let file = dir.path("f.pcap");
    let mut cmd = pcap_filter();
    cmd.args(["udp", "-w"]).arg(&file);
    let mut p = Pipeline::start(vec![("pcap-filter", cmd)], &dir, true);
    p.feed(&header());
    p.feed_records(0..3);
    p.feed(&record(3, 7)[..30]);
    thread::sleep(Duration::from_millis(150));
    p.close_input();
    let (stages, _) = p.wait(Duration::from_secs(10));
    assert_eq!(stages[0].1.code(), Some(1));
    assert_eq!(tcpdump_reads(&file), 3);
}

// ---------------------------------------------------------------------------------------
// In the lab: pcap-capture on the server, UDP datagrams sent one at a time by the client.

/// UDP port the client sends to: closed on the server (it answers ICMP, which the filters drop).
const PORT: u16 = 9;

/// A socat in the client that sends each write to its stdin as one datagram to the server.
struct Sender {
    child: Child,
    stdin: ChildStdin,
}

impl Sender {
    fn start(lab: &Lab) -> Sender {
        let to = format!("UDP-SENDTO:{}:{PORT}", lab.get("SERVER_V4"));
        let mut child = lab
            .command(Host::Client, "socat", ["-u", "-", to.as_str()])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("socat");
        let stdin = child.stdin.take().expect("piped");
        Sender { child, stdin }
    }

    /// Sends datagram `seq` now and returns the instant.
    fn send(&mut self, seq: u32) -> Instant {
        self.stdin.write_all(format!("datagram-{seq:05}").as_bytes()).expect("socat stdin");
        Instant::now()
    }
}

impl Drop for Sender {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `pcap-capture` on the server's eth0, writing pcap to stdout, as a pipeline stage.
fn capture_stage(lab: &Lab) -> Command {
    let filter = format!("udp dst port {PORT}");
    let mut cmd = lab.command(
        Host::Server,
        env!("CARGO_BIN_EXE_pcap-capture"),
        ["-i", "eth0", "--immediate", filter.as_str()],
    );
    cmd.env("TZ", "GMT0");
    cmd
}

/// jq at the end of the pipeline. It is not ours: it dies at SIGINT, losing what it holds, so
/// it ignores the interrupt here; and as its output is a pipe, not a terminal, it would hold
/// its lines in a buffer without --unbuffered (docs/pipelines.md says both).
fn jq_stage() -> Command {
    let mut cmd = Command::new("sh");
    cmd.args(["-c", "trap '' INT TERM; exec jq --unbuffered -c ."]);
    cmd
}

/// `pcap-capture | pcap-filter | pkt-decode --json | jq -c .`, waiting until pcap-capture
/// listens.
fn lab_pipeline(lab: &Lab, dir: &Scratch) -> Pipeline {
    let filter = format!("udp dst port {PORT}");
    let mut pf = pcap_filter();
    pf.arg(&filter);
    let mut decode = pkt_decode();
    decode.arg("--json");
    let p = Pipeline::start(
        vec![
            ("pcap-capture", capture_stage(lab)),
            ("pcap-filter", pf),
            ("pkt-decode", decode),
            ("jq", jq_stage()),
        ],
        dir,
        false,
    );
    wait_listening(&p.stages[0].2);
    p
}

fn wait_listening(stderr: &Path) {
    let start = Instant::now();
    while !fs::read_to_string(stderr).unwrap_or_default().contains("listening on") {
        assert!(start.elapsed() < Duration::from_secs(20), "pcap-capture did not start");
        thread::sleep(Duration::from_millis(20));
    }
}

/// The number in front of "packets captured" in pcap-capture's summary.
fn captured(stderr: &str) -> usize {
    stderr
        .lines()
        .find_map(|l| l.strip_suffix(" packets captured").or_else(|| l.strip_suffix(" packet captured")))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no 'captured' line in:\n{stderr}"))
}

#[test]
fn lab_each_datagram_reaches_jq_within_100_ms() {
    let Some(lab) = Lab::up() else { return };
    let dir = Scratch::new("lab-latency");
    let p = lab_pipeline(&lab, &dir);
    let mut sender = Sender::start(&lab);
    thread::sleep(Duration::from_millis(300));
    let mut latencies = Vec::new();
    for seq in 0..20u32 {
        let sent = sender.send(seq);
        let (at, line) =
            p.line(Duration::from_secs(5)).unwrap_or_else(|| panic!("no record for datagram {seq}"));
        let record: serde_json::Value = serde_json::from_str(&line).expect("jq -c prints JSON");
        assert_eq!(record["udp"]["dst_port"], PORT, "{line}");
        assert_eq!(record["udp"]["length"], 8 + 14, "{line}");
        latencies.push(at.duration_since(sent));
        // Known instants, 50 to 145 ms apart.
        thread::sleep(Duration::from_millis(50 + u64::from(seq % 4) * 30));
    }
    p.signal_group("INT");
    let (stages, rest) = p.wait(Duration::from_secs(10));
    assert_exits(&stages, 0);
    assert!(rest.is_empty(), "{rest:?}");
    assert_eq!(captured(&stages[0].2), 20);
    let (median, worst) = median_worst(&mut latencies);
    let msg = format!(
        "pcap-capture --immediate | pcap-filter | pkt-decode --json | jq --unbuffered -c . : 20 datagrams, latency median {}, worst {}",
        ms(median),
        ms(worst)
    );
    notice(&msg);
    assert!(worst <= LATENCY_BOUND, "{msg}");
}

/// Sends a datagram every 10 ms from the client while `p` runs, sends Ctrl-C to its process
/// group after 700 ms and waits for every stage, which must exit 0. Returns how many datagrams
/// were sent, pcap-capture's "captured" count and the output lines.
fn interrupt_mid_flow(lab: &Lab, p: Pipeline) -> (u32, usize, Vec<String>) {
    let mut sender = Sender::start(lab);
    let (stop, stopped) = mpsc::channel::<()>();
    let sending = thread::spawn(move || {
        let mut seq = 0;
        while stopped.try_recv().is_err() {
            sender.send(seq);
            seq += 1;
            thread::sleep(Duration::from_millis(10));
        }
        seq
    });
    thread::sleep(Duration::from_millis(700));
    p.signal_group("INT");
    // Datagrams go on while the stages finish.
    let (stages, lines) = p.wait(Duration::from_secs(10));
    let _ = stop.send(());
    let sent = sending.join().expect("sender");
    assert_exits(&stages, 0);
    let captured = captured(&stages[0].2);
    assert!(captured >= 20, "only {captured} captured of {sent} sent");
    (sent, captured, lines)
}

#[test]
fn lab_ctrl_c_mid_flow_loses_no_captured_packet() {
    let Some(lab) = Lab::up() else { return };
    let dir = Scratch::new("lab-interrupt");

    // pcap-capture | pcap-filter | pkt-decode --json | jq -c .
    let (sent, n, lines) = interrupt_mid_flow(&lab, lab_pipeline(&lab, &dir));
    for line in &lines {
        let record: serde_json::Value = serde_json::from_str(line).expect("jq -c prints JSON");
        assert_eq!(record["udp"]["dst_port"], PORT, "{line}");
    }
    notice(&format!("Ctrl-C mid-flow: {sent} sent, {n} captured, {} records out of jq", lines.len()));
    assert_eq!(lines.len(), n, "records out of jq = pcap-capture's captured");

    // pcap-capture | pcap-filter -w f.pcap
    let file = dir.path("f.pcap");
    let mut pf = pcap_filter();
    pf.args([format!("udp dst port {PORT}").as_str(), "-w"]).arg(&file);
    let p = Pipeline::start(vec![("pcap-capture", capture_stage(&lab)), ("pcap-filter", pf)], &dir, false);
    wait_listening(&p.stages[0].2);
    let (sent, n, _) = interrupt_mid_flow(&lab, p);
    let in_file = tcpdump_reads(&file);
    notice(&format!(
        "Ctrl-C mid-flow, -w: {sent} sent, {n} captured, {in_file} packets in f.pcap (tcpdump -r)"
    ));
    assert_eq!(in_file, n, "packets in f.pcap = pcap-capture's captured");
}
