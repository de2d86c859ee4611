//! Helpers shared by the pkt-decode integration tests: running the real binaries with a
//! timeout, finding the external corpus, and building small captures with pktkit itself.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use pktkit::capture::{CaptureWriter, Interface, LinkType, OutputFormat, Packet, Precision, Timestamp};

/// What a finished (or killed) run produced.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: String,
    pub timed_out: bool,
}

impl Run {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
}

/// Runs `cmd` with `stdin` bytes, killing it after `timeout`.
pub fn run(mut cmd: Command, stdin: Option<Vec<u8>>, timeout: Duration) -> Run {
    cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    let input = stdin.map(|data| {
        let mut w = child.stdin.take().unwrap();
        std::thread::spawn(move || {
            let _ = w.write_all(&data);
        })
    });
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let t_err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let start = Instant::now();
    let mut timed_out = false;
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break Some(s);
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            timed_out = true;
            break child.wait().ok();
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    if let Some(t) = input {
        let _ = t.join();
    }
    Run {
        code: status.and_then(|s| s.code()),
        stdout: t_out.join().unwrap_or_default(),
        stderr: String::from_utf8_lossy(&t_err.join().unwrap_or_default()).into_owned(),
        timed_out,
    }
}

pub fn pkt_decode() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pkt-decode"));
    c.env("TZ", "GMT0");
    c
}

pub fn pcap_filter() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pcap-filter"))
}

/// The external corpus (`$PKTKIT_CORPUS` or `../shared/corpus`), or `None` with a notice.
pub fn corpus(test: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("PKTKIT_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    if dir.join("README.md").exists() {
        Some(dir)
    } else {
        eprintln!("notice: {test} skipped: corpus not found at {} (set PKTKIT_CORPUS)", dir.display());
        None
    }
}

/// Every capture file under `dir` (by extension), sorted.
pub fn captures(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if matches!(p.extension().and_then(|x| x.to_str()), Some("pcap" | "pcapng" | "cap")) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// A classic pcap (microseconds) of `frames` with link type `lt`, one second apart.
pub fn pcap(lt: LinkType, frames: &[Vec<u8>]) -> Vec<u8> {
    let iface = Interface::live(lt, 65535, Precision::Micro);
    let mut w = CaptureWriter::new(Vec::new(), OutputFormat::Pcap);
    w.begin(&iface).unwrap();
    for (i, f) in frames.iter().enumerate() {
        let pkt = Packet {
            number: i as u64 + 1,
            record: i as u64 + 1,
            ts: Timestamp::new(1_700_000_000 + i as i64, 250_000_000),
            orig_len: f.len() as u32,
            data: f,
            stored: f,
            interface: &iface,
            raw_ts: None,
        };
        w.write(&pkt).unwrap();
    }
    w.finish().unwrap()
}
