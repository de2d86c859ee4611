//! pcap-capture, run for real: traffic with known content crosses the namespace lab
//! (docs/lab.md) and the written captures are checked packet by packet. Tests that capture
//! need root; they print why they skip otherwise.

mod support;

use std::fs::{self, File};
use std::io::Read;
use std::net::Ipv4Addr;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use pktkit::bpf::{NETMASK_UNKNOWN, Program};
use pktkit::capture::LinkType;
use support::Scratch;
use support::lab::{Host, Lab, is_root, notice};

const BIN: &str = env!("CARGO_BIN_EXE_pcap-capture");

/// A pcap-capture process started in a lab namespace.
struct Running {
    child: Child,
    stderr: PathBuf,
}

impl Running {
    /// Starts `pcap-capture args` in `host` and waits until it reports that it listens.
    fn start(lab: &Lab, host: Host, args: &[&str], dir: &Scratch, stdout: Stdio) -> Running {
        let stderr = dir.path(&format!("stderr-{}", support::lab::unique_name()));
        let file = File::create(&stderr).expect("stderr file");
        let child = lab
            .command(host, BIN, args)
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(file)
            .spawn()
            .expect("spawn pcap-capture");
        let mut run = Running { child, stderr };
        let start = Instant::now();
        loop {
            let text = run.stderr_text();
            if text.contains("listening on") {
                return run;
            }
            if let Some(status) = run.child.try_wait().expect("try_wait") {
                panic!("pcap-capture {args:?} exited early ({status}):\n{text}");
            }
            if start.elapsed() > Duration::from_secs(20) {
                let _ = run.child.kill();
                panic!("pcap-capture {args:?} did not start listening:\n{text}");
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    fn stderr_text(&self) -> String {
        fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// Sends `sig` (INT, TERM, HUP) to the process (`ip netns exec` execs it: same pid).
    fn signal(&self, sig: &str) {
        let ok = Command::new("kill")
            .args([format!("-{sig}"), self.child.id().to_string()])
            .status()
            .expect("kill")
            .success();
        assert!(ok, "kill -{sig} failed");
    }

    /// Waits for the exit (at most `secs`), returns the status and stderr.
    fn wait(mut self, secs: u64) -> (ExitStatus, String) {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return (status, self.stderr_text());
            }
            if start.elapsed() > Duration::from_secs(secs) {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("pcap-capture did not exit within {secs} s:\n{}", self.stderr_text());
            }
            thread::sleep(Duration::from_millis(10));
        }
    }
}

/// Sends each payload as one UDP datagram from the client to `dst:port` (bash's /dev/udp),
/// `gap` apart.
fn send_udp(lab: &Lab, dst: &str, port: u16, payloads: &[String], gap: Duration) {
    let datagrams: Vec<(u16, String)> = payloads.iter().map(|p| (port, p.clone())).collect();
    send_udp_ports(lab, dst, &datagrams, gap);
}

/// Sends `(port, payload)` datagrams in order from the client to `dst`.
fn send_udp_ports(lab: &Lab, dst: &str, datagrams: &[(u16, String)], gap: Duration) {
    let script = format!(
        "while [ $# -gt 0 ]; do printf '%s' \"$2\" > /dev/udp/{dst}/$1 || exit 1; shift 2; sleep {}; done",
        gap.as_secs_f64()
    );
    let mut args = vec!["-c".to_string(), script, "send".to_string()];
    for (port, payload) in datagrams {
        args.push(port.to_string());
        args.push(payload.clone());
    }
    let out = lab.command(Host::Client, "bash", &args).output().expect("bash");
    assert!(out.status.success(), "sender failed: {}", String::from_utf8_lossy(&out.stderr));
}

fn payloads(tag: &str, n: usize, size: usize) -> Vec<String> {
    (0..n).map(|i| format!("{tag}-{i:05}-").chars().cycle().take(size.max(12)).collect()).collect()
}

/// A captured UDP/IPv4 datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Udp {
    src: Ipv4Addr,
    dst: Ipv4Addr,
    dport: u16,
    payload: Vec<u8>,
}

/// The UDP/IPv4 datagram of a frame whose network header starts at `l3`.
fn udp_of(frame: &[u8], l3: usize) -> Option<Udp> {
    let ip = frame.get(l3..)?;
    if ip.first()? >> 4 != 4 || *ip.get(9)? != 17 {
        return None;
    }
    let ihl = usize::from(ip[0] & 0x0f) * 4;
    let total = usize::from(u16::from_be_bytes([ip[2], ip[3]]));
    let udp = ip.get(ihl..total)?;
    Some(Udp {
        src: Ipv4Addr::new(ip[12], ip[13], ip[14], ip[15]),
        dst: Ipv4Addr::new(ip[16], ip[17], ip[18], ip[19]),
        dport: u16::from_be_bytes([*udp.get(2)?, *udp.get(3)?]),
        payload: udp.get(8..)?.to_vec(),
    })
}

/// The link type in a classic pcap file's header.
fn pcap_linktype(bytes: &[u8]) -> u32 {
    u32::from_le_bytes(bytes[20..24].try_into().expect("pcap header"))
}

/// Every packet of a capture file, with pktkit's reader (fails on a damaged file).
fn read_capture(path: &Path) -> Vec<support::Pkt> {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    support::packets(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// tcpdump's reading of a file: packet lines, and stderr (which would say "truncated").
fn tcpdump_read(path: &Path) -> (usize, String) {
    let out = Command::new("tcpdump").args(["-nn", "-r"]).arg(path).output().expect("tcpdump");
    assert!(out.status.success(), "tcpdump -r {}: {}", path.display(), String::from_utf8_lossy(&out.stderr));
    (String::from_utf8_lossy(&out.stdout).lines().count(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// The number in front of "packets WHAT" in the summary.
fn summary(stderr: &str, what: &str) -> u64 {
    stderr
        .lines()
        .find_map(|l| {
            let (n, rest) = l.split_once(' ')?;
            (rest == format!("packets {what}") || rest == format!("packet {what}")).then(|| n.parse().ok())?
        })
        .unwrap_or_else(|| panic!("no '{what}' line in:\n{stderr}"))
}

/// Datagrams in `files` (Ethernet), in order.
fn datagrams(files: &[PathBuf]) -> Vec<Udp> {
    files.iter().flat_map(|f| read_capture(f)).filter_map(|p| udp_of(&p.0, 14)).collect()
}

#[test]
fn udp_datagrams_are_captured_exactly_and_the_filter_keeps_only_matches() {
    let Some(lab) = Lab::up() else { return };
    let dir = Scratch::new("exact");
    let all = dir.path("all.pcap");
    let only = dir.path("only.pcap");
    let server = lab.get("SERVER_V4").to_string();
    let a = Running::start(
        &lab,
        Host::Server,
        &["-i", "eth0", "-w", all.to_str().unwrap(), "udp", "and", "dst", "host", &server],
        &dir,
        Stdio::null(),
    );
    let b = Running::start(
        &lab,
        Host::Server,
        &["-i", "eth0", "-w", only.to_str().unwrap(), "udp dst port 7001"],
        &dir,
        Stdio::null(),
    );
    let to_7000 = payloads("seven-thousand", 40, 64);
    let to_7001 = payloads("seven-thousand-one", 25, 300);
    // Interleaved: 7000, 7001, 7000, ...
    let mut want: Vec<(u16, String)> = Vec::new();
    for (i, p) in to_7000.iter().enumerate() {
        want.push((7000, p.clone()));
        if let Some(p) = to_7001.get(i) {
            want.push((7001, p.clone()));
        }
    }
    send_udp_ports(&lab, &server, &want, Duration::ZERO);
    thread::sleep(Duration::from_millis(300));
    a.signal("INT");
    b.signal("INT");
    let (sa, ea) = a.wait(10);
    let (sb, eb) = b.wait(10);
    assert!(sa.success() && sb.success(), "{sa} {sb}\n{ea}\n{eb}");

    let client: Ipv4Addr = lab.get("CLIENT_V4").parse().unwrap();
    let server_ip: Ipv4Addr = server.parse().unwrap();
    let got = datagrams(std::slice::from_ref(&all));
    assert_eq!(got.len(), want.len(), "{got:?}");
    for (g, (port, payload)) in got.iter().zip(&want) {
        assert_eq!((g.src, g.dst, g.dport), (client, server_ip, *port));
        assert_eq!(g.payload, payload.as_bytes());
    }
    assert_eq!(read_capture(&all).len(), want.len(), "nothing but the datagrams passed 'udp and dst host'");
    assert_eq!(summary(&ea, "captured"), want.len() as u64, "{ea}");

    let kept = datagrams(std::slice::from_ref(&only));
    assert_eq!(read_capture(&only).len(), to_7001.len(), "filter kept other packets");
    let kept_payloads: Vec<_> = kept.iter().map(|u| (u.dport, u.payload.clone())).collect();
    let want_payloads: Vec<_> = to_7001.iter().map(|p| (7001, p.as_bytes().to_vec())).collect();
    assert_eq!(kept_payloads, want_payloads);
    assert_eq!(summary(&eb, "captured"), to_7001.len() as u64, "{eb}");
    // Same bytes as tcpdump reads them.
    assert_eq!(tcpdump_read(&only).0, to_7001.len());
}

#[test]
fn count_stops_by_itself_and_formats_are_valid() {
    let Some(lab) = Lab::up() else { return };
    let dir = Scratch::new("count");
    let server = lab.get("SERVER_V4").to_string();
    // (extra args, expected link type, nanosecond magic, pcapng)
    let cases: [(&[&str], u32, bool, bool); 5] = [
        (&["-i", "eth0"], 1, false, false),
        (&["-i", "eth0", "--nano"], 1, true, false),
        (&["-i", "eth0", "--pcapng"], 1, false, true),
        (&["-i", "any"], 113, false, false),
        (&["-i", "any", "-y", "LINUX_SLL2"], 276, false, false),
    ];
    for (extra, linktype, nano, pcapng) in cases {
        let out = dir.path("out");
        let mut args: Vec<&str> = extra.to_vec();
        args.extend(["-c", "5", "-w", out.to_str().unwrap(), "udp dst port 7002"]);
        let run = Running::start(&lab, Host::Server, &args, &dir, Stdio::null());
        let sent = payloads("count", 12, 40);
        send_udp(&lab, &server, 7002, &sent, Duration::from_millis(5));
        let (status, err) = run.wait(10);
        assert!(status.success(), "{args:?}: {status}\n{err}");
        assert_eq!(summary(&err, "captured"), 5, "{args:?}\n{err}");
        let bytes = fs::read(&out).unwrap();
        let pkts = read_capture(&out);
        assert_eq!(pkts.len(), 5, "{args:?}");
        let l3 = match linktype {
            113 => 16,
            276 => 20,
            _ => 14,
        };
        for (p, want) in pkts.iter().zip(&sent) {
            let u = udp_of(&p.0, l3).unwrap_or_else(|| panic!("{args:?}: not UDP/IPv4: {:02x?}", p.0));
            assert_eq!((u.dport, u.payload.as_slice()), (7002, want.as_bytes()), "{args:?}");
        }
        if pcapng {
            assert_eq!(&bytes[..4], &[0x0a, 0x0d, 0x0d, 0x0a], "pcapng section header");
        } else {
            let magic = u32::from_le_bytes(bytes[..4].try_into().unwrap());
            assert_eq!(magic, if nano { 0xa1b2_3c4d } else { 0xa1b2_c3d4 }, "{args:?}");
            assert_eq!(pcap_linktype(&bytes), linktype, "{args:?}");
        }
        if linktype != 1 {
            // Cooked frames: libpcap (through the shared crate's BPF) reads the addresses in them.
            let prog = Program::compile(
                &format!("udp dst port 7002 and src host {} and dst host {server}", lab.get("CLIENT_V4")),
                LinkType(linktype as u16),
                NETMASK_UNKNOWN,
            )
            .expect("compile for cooked link type");
            for p in &pkts {
                assert!(prog.matches(&p.0, p.1), "{args:?}: {:02x?}", p.0);
                // SLL: packet type 0 (to us), ARPHRD_ETHER (1), protocol IPv4.
                if linktype == 113 {
                    assert_eq!(&p.0[..4], &[0, 0, 0, 1]);
                    assert_eq!(&p.0[14..16], &[8, 0]);
                } else {
                    assert_eq!(&p.0[..2], &[8, 0]);
                }
            }
        }
        let (lines, terr) = tcpdump_read(&out);
        assert_eq!(lines, 5, "{args:?}: {terr}");
        // The shared decoders read every format, cooked ones included: pkt-decode's lines.
        let dec = Command::new(env!("CARGO_BIN_EXE_pkt-decode")).arg(&out).output().expect("run pkt-decode");
        let text = String::from_utf8_lossy(&dec.stdout);
        assert!(dec.status.success(), "{args:?}: {}", String::from_utf8_lossy(&dec.stderr));
        let (from, to) =
            (format!("IP {}.", lab.get("CLIENT_V4")), format!(" > {server}.7002: UDP, length 40"));
        let decoded = text.lines().filter(|l| l.contains(&from) && l.ends_with(&to)).count();
        assert_eq!(decoded, 5, "{args:?}: {text}");
    }
}

/// Starts a fast flow (ping flood, 300-byte payloads) from the client to the server; it ends
/// by itself after `count` echoes.
fn flood(lab: &Lab, count: u32) -> Child {
    lab.command(
        Host::Client,
        "ping",
        ["-q", "-f", "-s", "300", "-c", &count.to_string(), lab.get("SERVER_V4")],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .expect("ping")
}

#[test]
fn signals_mid_flow_leave_valid_files_with_every_packet_counted() {
    let Some(lab) = Lab::up() else { return };
    let dir = Scratch::new("sigint");
    for (i, sig) in ["INT", "TERM", "HUP"].into_iter().enumerate() {
        let out = dir.path(&format!("flow-{sig}.pcap"));
        let run = Running::start(
            &lab,
            Host::Server,
            &["-i", "eth0", "-w", out.to_str().unwrap(), "icmp"],
            &dir,
            Stdio::null(),
        );
        let mut ping = flood(&lab, 1_000_000);
        thread::sleep(Duration::from_millis(700 + 100 * i as u64));
        run.signal(sig);
        let (status, err) = run.wait(10);
        let _ = ping.kill();
        let _ = ping.wait();
        assert!(status.success(), "SIG{sig}: {status}\n{err}");
        let pkts = read_capture(&out);
        let captured = summary(&err, "captured");
        let received = summary(&err, "received by filter");
        let dropped = summary(&err, "dropped by kernel");
        assert!(pkts.len() > 100, "SIG{sig}: only {} packets in the flow", pkts.len());
        assert_eq!(pkts.len() as u64, captured, "SIG{sig}: file vs summary\n{err}");
        // Every packet the kernel accepted before the stop is in the file or counted as dropped.
        assert_eq!(captured + dropped, received, "SIG{sig}:\n{err}");
        // tcpdump reads it to the end, every record whole.
        let (lines, terr) = tcpdump_read(&out);
        assert_eq!(lines, pkts.len(), "SIG{sig}: {terr}");
        assert!(!terr.contains("truncated"), "SIG{sig}: {terr}");
        // Echo requests and replies, in time order.
        assert!(pkts.windows(2).all(|w| (w[0].2, w[0].3) <= (w[1].2, w[1].3)), "SIG{sig}: out of order");
    }
}

#[test]
fn closed_pipe_downstream_stops_quietly() {
    let Some(lab) = Lab::up() else { return };
    let dir = Scratch::new("pipe");
    let mut run = Running::start(&lab, Host::Server, &["-i", "eth0", "icmp"], &dir, Stdio::piped());
    let mut ping = flood(&lab, 1_000_000);
    let mut stdout = run.child.stdout.take().expect("piped");
    let mut head = [0u8; 4000];
    stdout.read_exact(&mut head).expect("4000 bytes of capture");
    drop(stdout);
    let (status, err) = run.wait(10);
    let _ = ping.kill();
    let _ = ping.wait();
    assert_eq!(status.code(), Some(0), "{err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "only the listening line, no error and no summary:\n{err}");
    assert_eq!(&head[..4], &0xa1b2_c3d4u32.to_le_bytes());
}

/// Regular files in `dir` whose names start with `prefix`, sorted by name.
fn files_with_prefix(dir: &Path, prefix: &str) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with(prefix))
        .collect();
    v.sort();
    v
}

fn seq_of(u: &Udp) -> usize {
    let text = String::from_utf8_lossy(&u.payload);
    text.split('-').nth(1).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("no sequence in {text}"))
}

#[test]
fn rotation_by_size_names_files_as_tcpdump_and_loses_nothing() {
    let Some(lab) = Lab::up() else { return };
    let dir = Scratch::new("size");
    let server = lab.get("SERVER_V4").to_string();
    let base = dir.path("sized.pcap");
    let ring = dir.path("ring.pcap");
    let a = Running::start(
        &lab,
        Host::Server,
        &["-i", "eth0", "-C", "20k", "-w", base.to_str().unwrap(), "udp dst port 7003"],
        &dir,
        Stdio::null(),
    );
    let b = Running::start(
        &lab,
        Host::Server,
        &["-i", "eth0", "-C", "20k", "-W", "3", "-w", ring.to_str().unwrap(), "udp dst port 7003"],
        &dir,
        Stdio::null(),
    );
    let sent = payloads("size", 300, 1000);
    send_udp(&lab, &server, 7003, &sent, Duration::ZERO);
    thread::sleep(Duration::from_millis(300));
    a.signal("INT");
    b.signal("INT");
    let (sa, ea) = a.wait(10);
    let (sb, eb) = b.wait(10);
    assert!(sa.success() && sb.success(), "{ea}\n{eb}");

    // -C: sized.pcap, sized.pcap1, sized.pcap2, ...; each one rotated once it passed 20 KiB.
    let names = files_with_prefix(&dir.0, "sized.pcap");
    let n = names.len();
    assert!(n >= 10, "{names:?}");
    let want: Vec<String> =
        (0..n).map(|i| if i == 0 { "sized.pcap".to_string() } else { format!("sized.pcap{i}") }).collect();
    let mut sorted_want = want.clone();
    sorted_want.sort();
    assert_eq!(names, sorted_want);
    let paths: Vec<PathBuf> = want.iter().map(|w| dir.path(w)).collect();
    for (i, p) in paths.iter().enumerate() {
        let size = fs::metadata(p).unwrap().len();
        let frame = 14 + 20 + 8 + 1000 + 16;
        if i + 1 < n {
            assert!(size > 20 * 1024 && size <= 20 * 1024 + frame, "{}: {size} bytes", p.display());
        }
        assert_eq!(tcpdump_read(p).0, read_capture(p).len());
    }
    let got = datagrams(&paths);
    assert_eq!(got.len(), sent.len(), "packets lost across files");
    assert!(got.iter().zip(&sent).all(|(g, s)| g.payload == s.as_bytes()), "order or content differs");
    assert_eq!(summary(&ea, "captured"), sent.len() as u64);

    // -C -W 3: ring.pcap0..2 hold the newest packets, a contiguous tail ending with the last.
    assert_eq!(files_with_prefix(&dir.0, "ring.pcap"), ["ring.pcap0", "ring.pcap1", "ring.pcap2"]);
    let ring_paths: Vec<PathBuf> = (0..3).map(|i| dir.path(&format!("ring.pcap{i}"))).collect();
    let mut seqs: Vec<usize> = datagrams(&ring_paths).iter().map(seq_of).collect();
    seqs.sort();
    assert_eq!(seqs.last(), Some(&(sent.len() - 1)));
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "ring is not a contiguous tail: {seqs:?}");
    assert!(seqs.len() >= 2 * 20 && seqs.len() < sent.len(), "{} packets in the ring", seqs.len());
    assert_eq!(summary(&eb, "captured"), sent.len() as u64);
}

#[test]
fn rotation_by_time_uses_strftime_names_and_w_stops() {
    let Some(lab) = Lab::up() else { return };
    let dir = Scratch::new("time");
    let server = lab.get("SERVER_V4").to_string();
    let pattern = dir.path("t-%s.pcap");
    let limited = dir.path("w-%s.pcap");
    let a = Running::start(
        &lab,
        Host::Server,
        &["-i", "eth0", "-G", "1", "-w", pattern.to_str().unwrap(), "udp dst port 7004"],
        &dir,
        Stdio::null(),
    );
    let b = Running::start(
        &lab,
        Host::Server,
        &["-i", "eth0", "-G", "1", "-W", "2", "-w", limited.to_str().unwrap(), "udp dst port 7004"],
        &dir,
        Stdio::null(),
    );
    let sent = payloads("time", 35, 100);
    send_udp(&lab, &server, 7004, &sent, Duration::from_millis(100));
    // -G 1 -W 2 ends by itself at the rotation that would start a third file.
    let (sb, eb) = b.wait(10);
    thread::sleep(Duration::from_millis(300));
    a.signal("INT");
    let (sa, ea) = a.wait(10);
    assert!(sa.success(), "{ea}");
    assert!(sb.success(), "{eb}");
    assert!(eb.contains("Maximum file limit reached: 2"), "{eb}");
    assert_eq!(files_with_prefix(&dir.0, "w-").len(), 2);

    let names = files_with_prefix(&dir.0, "t-");
    assert!(names.len() >= 3, "{names:?}");
    let epochs: Vec<i64> = names
        .iter()
        .map(|n| n.strip_prefix("t-").and_then(|s| s.strip_suffix(".pcap")).unwrap().parse().unwrap())
        .collect();
    let paths: Vec<PathBuf> = names.iter().map(|n| dir.path(n)).collect();
    for (i, p) in paths.iter().enumerate() {
        for pkt in read_capture(p) {
            // A file holds the packets of its period: from its start to the next file's start.
            assert!(pkt.2 >= epochs[i], "{}: packet at {} before the period", p.display(), pkt.2);
            if let Some(next) = epochs.get(i + 1) {
                assert!(pkt.2 < *next, "{}: packet at {} after the period", p.display(), pkt.2);
            }
        }
    }
    let got = datagrams(&paths);
    assert_eq!(got.len(), sent.len(), "{names:?}");
    assert!(got.iter().zip(&sent).all(|(g, s)| g.payload == s.as_bytes()));
}

#[test]
fn list_shows_lab_interfaces_with_addresses_and_flags() {
    let Some(lab) = Lab::up() else { return };
    let out = lab.command(Host::Server, BIN, ["-D"]).output().expect("run");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let eth0 = text.lines().find(|l| l.contains(".eth0 ")).unwrap_or_else(|| panic!("{text}"));
    assert!(eth0.contains("[Up, Running"), "{eth0}");
    assert!(eth0.contains(&format!("{}/24", lab.get("SERVER_V4"))), "{eth0}");
    assert!(eth0.contains(&format!("{}/64", lab.get("SERVER_V6"))), "{eth0}");
    assert!(text.lines().any(|l| l.contains(".lo [Up, Running, Loopback] 127.0.0.1/8")), "{text}");
    assert!(text.lines().any(|l| l.contains(".any (")), "{text}");
    // `-i N` is the Nth interface of the list, as in tcpdump.
    let n = eth0.split('.').next().unwrap();
    let dir = Scratch::new("index");
    let out_path = dir.path("by-index.pcap");
    let run = Running::start(
        &lab,
        Host::Server,
        &["-i", n, "-c", "1", "-w", out_path.to_str().unwrap(), "udp"],
        &dir,
        Stdio::null(),
    );
    assert!(run.stderr_text().contains("listening on eth0,"), "{}", run.stderr_text());
    send_udp(&lab, lab.get("SERVER_V4"), 7005, &payloads("idx", 3, 20), Duration::from_millis(5));
    let (status, err) = run.wait(10);
    assert!(status.success(), "{err}");
}

#[test]
fn drop_to_user_after_opening_writes_files_as_that_user() {
    let Some(lab) = Lab::up() else { return };
    let dir = Scratch::new("dropz");
    let out = dir.path("as-nobody.pcap");
    let server = lab.get("SERVER_V4").to_string();
    let run = Running::start(
        &lab,
        Host::Server,
        &["-i", "eth0", "-Z", "nobody", "-c", "3", "-w", out.to_str().unwrap(), "udp dst port 7006"],
        &dir,
        Stdio::null(),
    );
    send_udp(&lab, &server, 7006, &payloads("dropz", 6, 30), Duration::from_millis(5));
    let (status, err) = run.wait(10);
    assert!(status.success(), "{err}");
    let meta = fs::metadata(&out).unwrap();
    let nobody = Command::new("id").args(["-u", "nobody"]).output().unwrap();
    let uid: u32 = String::from_utf8_lossy(&nobody.stdout).trim().parse().unwrap();
    assert_eq!(meta.uid(), uid, "output file not created by nobody");
    assert_eq!(read_capture(&out).len(), 3);
}

#[test]
fn without_privileges_the_error_says_what_is_missing() {
    // As root: run as nobody with no capabilities; otherwise the test user lacks them already.
    let mut cmd = if is_root() {
        let mut c = Command::new("setpriv");
        c.args([
            "--reuid=nobody",
            "--regid=nogroup",
            "--clear-groups",
            "--inh-caps=-all",
            "--bounding-set=-all",
        ]);
        c.arg(BIN);
        c
    } else {
        notice("without_privileges_the_error_says_what_is_missing: not root, running as this user");
        Command::new(BIN)
    };
    let out =
        cmd.args(["-i", "lo", "-c", "1"]).stdout(Stdio::piped()).stderr(Stdio::piped()).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "one line:\n{err}");
    for want in [
        "pcap-capture: lo: no permission to capture",
        "CAP_NET_RAW and CAP_NET_ADMIN",
        "setcap cap_net_raw,cap_net_admin=eip",
        "run as root",
    ] {
        assert!(err.contains(want), "missing '{want}' in: {err}");
    }
    assert!(out.stdout.is_empty());
}

#[test]
fn unknown_interface_lists_the_ones_that_exist() {
    let out = Command::new(BIN).args(["-i", "nosuchif0"]).stdout(Stdio::piped()).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.starts_with("pcap-capture: nosuchif0: no such interface; available: "), "{err}");
    assert!(err.contains("lo"), "{err}");
    assert!(err.contains("any"), "{err}");
}

#[test]
fn binary_output_to_a_terminal_is_refused() {
    // `script` gives the program a pseudo-terminal as stdout.
    let out = Command::new("script")
        .args(["-qec", &format!("{BIN} -i lo"), "/dev/null"])
        .stdin(Stdio::null())
        .output()
        .expect("script (util-linux)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("refusing to write binary pcap to a terminal"), "{text}");
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["-i", "lo", "-C", "1"][..],
        &["-i", "lo", "-W", "3", "-w", "x"],
        &["-C", "5x", "-w", "x"],
        &["-c", "0", "-w", "x"],
    ] {
        let out = Command::new(BIN).args(args).stdout(Stdio::piped()).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let Some(lab) = Lab::up() else { return };
    let out = lab
        .command(Host::Server, BIN, ["-i", "eth0", "-c", "1", "udp port"])
        .stdout(Stdio::piped())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("filter 'udp port'"), "{err}");
}

#[test]
fn duration_stops_by_itself_with_the_same_accounting() {
    let Some(lab) = Lab::up() else { return };
    let dir = Scratch::new("duration");
    let out = dir.path("minute.pcap");
    let started = Instant::now();
    let run = Running::start(
        &lab,
        Host::Server,
        &["-i", "eth0", "--duration", "1.5", "-w", out.to_str().unwrap(), "icmp"],
        &dir,
        Stdio::null(),
    );
    let mut ping = flood(&lab, 1_000_000);
    let (status, err) = run.wait(10);
    let took = started.elapsed();
    let _ = ping.kill();
    let _ = ping.wait();
    assert!(status.success(), "{err}");
    assert!(took >= Duration::from_millis(1500) && took < Duration::from_secs(5), "{took:?}");
    let captured = summary(&err, "captured");
    assert_eq!(read_capture(&out).len() as u64, captured);
    assert!(captured > 100, "{err}");
    assert_eq!(captured + summary(&err, "dropped by kernel"), summary(&err, "received by filter"), "{err}");
}
