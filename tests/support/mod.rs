//! Helpers shared by the integration tests: the corpus, running binaries, building captures.
#![allow(dead_code)]

pub mod lab;
pub mod pcapng;
#[path = "shared.rs"]
mod shared;

#[allow(unused_imports)]
pub use shared::{corpus, crafted, have, hex, raw_layer};

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// What a finished (or, with [`run_timed`], killed) process left.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: String,
    /// Killed after the timeout ([`run_timed`] only: [`run_with`] panics instead).
    pub timed_out: bool,
}

impl Run {
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
}

/// Runs `cmd` with `input` on stdin; panics if it does not end within `timeout`.
pub fn run_with(cmd: Command, input: &[u8], timeout: Duration) -> Run {
    spawn_and_wait(cmd, Some(input.to_vec()), timeout, true)
}

/// Runs `cmd` with `stdin` on stdin (`None`: stdin is /dev/null), killing it after `timeout`:
/// the run then has `timed_out` set and holds what the process printed until then.
pub fn run_timed(cmd: Command, stdin: Option<Vec<u8>>, timeout: Duration) -> Run {
    spawn_and_wait(cmd, stdin, timeout, false)
}

fn spawn_and_wait(
    mut cmd: Command,
    stdin: Option<Vec<u8>>,
    timeout: Duration,
    panic_on_timeout: bool,
) -> Run {
    cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}"));
    let feeder = stdin.map(|input| {
        let mut w = child.stdin.take().expect("piped");
        thread::spawn(move || {
            let _ = w.write_all(&input);
        })
    });
    let mut out = child.stdout.take().expect("piped");
    let mut err = child.stderr.take().expect("piped");
    let reader = thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let ereader = thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let start = Instant::now();
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break Some(status);
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let status = child.wait().ok();
            if panic_on_timeout {
                panic!("{cmd:?} did not finish within {timeout:?} (hang?)");
            }
            timed_out = true;
            break status;
        }
        thread::sleep(Duration::from_millis(2));
    };
    if let Some(feeder) = feeder {
        let _ = feeder.join();
    }
    Run {
        code: status.and_then(|s| s.code()),
        stdout: reader.join().expect("reader"),
        stderr: String::from_utf8_lossy(&ereader.join().expect("reader")).into_owned(),
        timed_out,
    }
}

/// Runs a binary with arguments and stdin, 60 s timeout.
pub fn run(bin: &str, args: &[&str], input: &[u8]) -> Run {
    let mut cmd = Command::new(bin);
    cmd.args(args);
    run_with(cmd, input, Duration::from_secs(60))
}

/// A `Command` for this checkout's pkt-decode, with `TZ=GMT0` so that times print as UTC.
pub fn pkt_decode() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pkt-decode"));
    c.env("TZ", "GMT0");
    c
}

/// A `Command` for this checkout's pcap-filter.
pub fn pcap_filter() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pcap-filter"))
}

/// Builds a classic little-endian microsecond pcap: (ts_sec, ts_usec, data, orig_len) records.
pub fn pcap(linktype: u32, snaplen: u32, recs: &[(u32, u32, &[u8], u32)]) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend(0xA1B2_C3D4u32.to_le_bytes());
    f.extend(2u16.to_le_bytes());
    f.extend(4u16.to_le_bytes());
    f.extend(0u32.to_le_bytes());
    f.extend(0u32.to_le_bytes());
    f.extend(snaplen.to_le_bytes());
    f.extend(linktype.to_le_bytes());
    for (s, us, data, orig) in recs {
        f.extend(s.to_le_bytes());
        f.extend(us.to_le_bytes());
        f.extend((data.len() as u32).to_le_bytes());
        f.extend(orig.to_le_bytes());
        f.extend_from_slice(data);
    }
    f
}

/// A classic pcap (snaplen 65535) of whole `frames`, the first at 1700000000.250000 and the
/// others one second apart.
pub fn pcap_frames(linktype: pktkit::capture::LinkType, frames: &[Vec<u8>]) -> Vec<u8> {
    let recs: Vec<_> = frames
        .iter()
        .enumerate()
        .map(|(i, f)| (1_700_000_000 + i as u32, 250_000, f.as_slice(), f.len() as u32))
        .collect();
    pcap(linktype.0.into(), 65535, &recs)
}

/// An Ethernet + IPv4 (DF, id 1) + TCP (SYN, seq 1) or UDP frame, built by craft.
pub fn frame(proto: u8, src: [u8; 4], dst: [u8; 4], sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
    let (src, dst) = (std::net::Ipv4Addr::from(src), std::net::Ipv4Addr::from(dst));
    let transport = if proto == pktkit::proto::ip_proto::TCP {
        format!("TCP(sport={sport},dport={dport},seq=1,flags=S,window=65535)")
    } else {
        format!("UDP(sport={sport},dport={dport})")
    };
    crafted(&format!(
        "Ether(dst=02:00:00:00:00:02,src=02:00:00:00:00:01)/IP(src={src},dst={dst},id=1,flags=DF)/{transport}{}",
        raw_layer(payload)
    ))
}

/// A packet as (data, orig_len, secs, nanos, stored length).
pub type Pkt = (Vec<u8>, u32, i64, u32, usize);

/// Every packet of a capture, read with pktkit's reader.
pub fn packets(bytes: &[u8]) -> Result<Vec<Pkt>, String> {
    use pktkit::capture::{CaptureReader, Input};
    let input = Input::Stream("test".into(), Box::new(std::io::Cursor::new(bytes.to_vec())));
    let mut r = CaptureReader::new(vec![input]);
    let mut v = Vec::new();
    loop {
        match r.next_packet() {
            Ok(Some(p)) => v.push((p.data.to_vec(), p.orig_len, p.ts.secs, p.ts.nanos, p.stored.len())),
            Ok(None) => return Ok(v),
            Err(e) => return Err(e.to_string()),
        }
    }
}

/// Every capture file under `dir` (by name: .pcap, .pcapng or .cap), sorted.
pub fn captures(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if is_capture_name(&p) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn is_capture_name(p: &Path) -> bool {
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
    [".pcap", ".pcapng", ".cap", ".pcap.gz"].iter().any(|s| name.ends_with(s)) && !name.ends_with(".gz")
}

/// Runs `work` over `items` on two threads (the CI machine has two cores).
pub fn parallel<T: Sync, R: Send>(items: &[T], work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, R)>> = Mutex::new(Vec::new());
    thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= items.len() {
                        break;
                    }
                    let r = work(&items[i]);
                    results.lock().expect("lock").push((i, r));
                }
            });
        }
    });
    let mut v = results.into_inner().expect("lock");
    v.sort_by_key(|(i, _)| *i);
    v.into_iter().map(|(_, r)| r).collect()
}

/// A scratch directory, removed on drop; world-writable so a tool that dropped root
/// (`pcap-capture -Z nobody`) can write in it.
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// A fresh directory for test `name` of this process.
    pub fn new(name: &str) -> Scratch {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("pktkit-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).expect("chmod");
        Scratch(dir)
    }

    /// `name` inside the directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The dissector options every tshark oracle runs with (the stored fields oracles were made with
/// them): no TCP reassembly, no IP reassembly, no sequence analysis, so each frame stands alone
/// as pkt-decode decodes it.
pub const TSHARK_ORACLE_OPTIONS: [&str; 8] = [
    "-o",
    "tcp.desegment_tcp_streams:FALSE",
    "-o",
    "ip.defragment:FALSE",
    "-o",
    "ipv6.defragment:FALSE",
    "-o",
    "tcp.analyze_sequence_numbers:FALSE",
];
