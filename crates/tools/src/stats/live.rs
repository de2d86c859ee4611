//! `--every`: live statistics on a stream.
//!
//! The main thread reads and counts packets; an output thread wakes every interval (wall
//! clock, whether or not packets arrive) and writes a snapshot: on a terminal it redraws a
//! top-like screen, otherwise it appends one NDJSON line (schema `pktkit.stats.snapshot/1`).
//! At the end of input, or when an interrupt ended it (docs/pipelines.md: the input still on
//! its way is counted first), it writes the full report (tables on a terminal, one
//! `pktkit.stats/3` line otherwise).

use std::io::{self, IsTerminal, Write};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use pktkit::capture::CaptureReader;
use serde::Serialize;

use super::engine::{Config, Reports, Stats};
use super::keys::Addr;
use super::table::Map;
use super::{Args, Feeder, json, text};
use crate::cli::{self, Failure, Output};
use crate::words::StreamFilter;

/// Schema of the snapshot lines.
pub const SNAPSHOT_SCHEMA: &str = "pktkit.stats.snapshot/1";

#[derive(Serialize)]
struct Window {
    seconds: f64,
    frames: u64,
    bytes: u64,
    packets_per_second: f64,
    bits_per_second: f64,
}

#[derive(Serialize)]
struct HostRate {
    addr: String,
    frames: u64,
    bytes: u64,
    bits_per_second: f64,
}

#[derive(Serialize)]
struct Snapshot<'a> {
    schema: &'static str,
    seq: u64,
    elapsed: f64,
    window: Window,
    window_hosts: Vec<HostRate>,
    report: json::ReportOut<'a>,
}

enum Done {
    Finished(Result<(), Failure>),
}

fn lock(m: &Mutex<Stats>) -> MutexGuard<'_, Stats> {
    // A panic while counting cannot leave the tables half-updated in a way that matters for
    // printing them, so a poisoned lock is still used.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs the live mode.
pub fn run(
    args: &Args,
    config: Config,
    mut reader: CaptureReader,
    mut filter: Option<StreamFilter>,
    every_ns: u64,
) -> Result<(), Failure> {
    let out = cli::open_output(None, false)?;
    let ndjson = args.json || !io::stdout().is_terminal();
    let defrag = config.defrag;
    let stats = Arc::new(Mutex::new(Stats::new(config)));
    let (tx, rx) = mpsc::channel::<Done>();
    let screen = Screen {
        stats: Arc::clone(&stats),
        out,
        ndjson,
        top: args.top.unwrap_or(10),
        json_top: args.json_top(),
        text: args.text_options(),
        every: Duration::from_nanos(every_ns),
    };
    let printer = std::thread::spawn(move || screen.run(rx));
    let mut feeder = Feeder::new(defrag);
    let outcome = (|| {
        while let Some(pkt) = reader.next_packet()? {
            if let Some(f) = filter.as_mut()
                && !f.matches(&pkt)?
            {
                continue;
            }
            feeder.feed(&mut lock(&stats), &pkt);
        }
        Ok(())
    })();
    let _ = tx.send(Done::Finished(outcome));
    printer.join().unwrap_or_else(|_| Err(Failure::Runtime("output thread failed".into())))
}

struct Screen {
    stats: Arc<Mutex<Stats>>,
    out: Output,
    ndjson: bool,
    top: usize,
    json_top: Option<usize>,
    text: text::TextOptions,
    every: Duration,
}

struct Prev {
    at: Instant,
    frames: u64,
    bytes: u64,
    hosts: Map<Addr, (u64, u64)>,
}

impl Screen {
    fn run(mut self, rx: mpsc::Receiver<Done>) -> Result<(), Failure> {
        let start = Instant::now();
        let mut next = start + self.every;
        let mut seq = 0u64;
        let mut prev = Prev { at: start, frames: 0, bytes: 0, hosts: Map::default() };
        loop {
            let now = Instant::now();
            if now >= next {
                seq += 1;
                self.snapshot(seq, start, &mut prev)?;
                while next <= Instant::now() {
                    next += self.every;
                }
            }
            let wait = next.saturating_duration_since(Instant::now()).min(Duration::from_millis(50));
            match rx.recv_timeout(wait) {
                Ok(Done::Finished(outcome)) => {
                    let written = self.final_report();
                    outcome?;
                    return written;
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return self.final_report(),
            }
        }
    }

    fn snapshot(&mut self, seq: u64, start: Instant, prev: &mut Prev) -> Result<(), Failure> {
        let now = Instant::now();
        let stats = lock(&self.stats);
        let secs = now.duration_since(prev.at).as_secs_f64().max(1e-9);
        let (frames, bytes) = (stats.summary.packets - prev.frames, stats.summary.bytes - prev.bytes);
        let window = Window {
            seconds: secs,
            frames,
            bytes,
            packets_per_second: frames as f64 / secs,
            bits_per_second: bytes as f64 * 8.0 / secs,
        };
        let mut hosts: Vec<HostRate> = Vec::new();
        let mut seen: Map<Addr, (u64, u64)> = Map::default();
        for (a, c) in stats.hosts.iter() {
            let (f, b) = (c.frames(), c.bytes());
            let (pf, pb) = prev.hosts.get(a).copied().unwrap_or((0, 0));
            if b > pb || f > pf {
                hosts.push(HostRate {
                    addr: a.to_string(),
                    frames: f - pf,
                    bytes: b - pb,
                    bits_per_second: (b - pb) as f64 * 8.0 / secs,
                });
            }
            seen.insert(*a, (f, b));
        }
        hosts.sort_by(|x, y| y.bytes.cmp(&x.bytes).then(y.frames.cmp(&x.frames)).then(x.addr.cmp(&y.addr)));
        if self.top > 0 {
            hosts.truncate(self.top);
        }
        *prev = Prev { at: now, frames: stats.summary.packets, bytes: stats.summary.bytes, hosts: seen };
        let elapsed = now.duration_since(start).as_secs_f64();
        if self.ndjson {
            let snap = Snapshot {
                schema: SNAPSHOT_SCHEMA,
                seq,
                elapsed,
                window,
                window_hosts: hosts,
                report: json::report(&stats, Some(if self.top == 0 { usize::MAX } else { self.top })),
            };
            // Written under the lock: the snapshot borrows the tables (top rows only).
            serde_json::to_writer(&mut self.out, &snap).map_err(|e| Failure::from(io::Error::from(e)))?;
            drop(snap);
            drop(stats);
            self.out.write_all(b"\n")?;
        } else {
            let mut b: Vec<u8> = Vec::new();
            b.extend_from_slice(b"\x1b[H\x1b[2J");
            writeln!(
                b,
                "pkt-stats  {elapsed:.0}s  {} packets, {} bytes  |  last {:.1}s: {:.0} packets/s, {} bits/s",
                stats.summary.packets,
                stats.summary.bytes,
                window.seconds,
                window.packets_per_second,
                human_rate(window.bits_per_second)
            )?;
            writeln!(b, "\n== Hosts, last interval")?;
            writeln!(b, "  {:<40} {:>10} {:>12} {:>12}", "Address", "Frames", "Bytes", "Bits/s")?;
            for h in &hosts {
                writeln!(
                    b,
                    "  {:<40} {:>10} {:>12} {:>12}",
                    h.addr,
                    h.frames,
                    h.bytes,
                    human_rate(h.bits_per_second)
                )?;
            }
            let only = Reports {
                protocols: true,
                hosts: true,
                conversations: true,
                ..Reports::from_names([]).unwrap_or(Reports::ALL)
            };
            text::write(
                &mut b,
                &stats,
                text::TextOptions { only: Some(only), top: self.top.max(1), io_rows: None, ..self.text },
            )?;
            drop(stats);
            self.out.write_all(&b)?;
        }
        self.out.flush()?;
        Ok(())
    }

    fn final_report(&mut self) -> Result<(), Failure> {
        let stats = lock(&self.stats);
        if self.ndjson {
            serde_json::to_writer(&mut self.out, &json::report(&stats, self.json_top))
                .map_err(|e| Failure::from(io::Error::from(e)))?;
            self.out.write_all(b"\n")?;
        } else {
            self.out.write_all(b"\x1b[H\x1b[2J")?;
            text::write(&mut self.out, &stats, self.text)?;
        }
        self.out.flush()?;
        Ok(())
    }
}

fn human_rate(bps: f64) -> String {
    if bps >= 1e9 {
        format!("{:.2}G", bps / 1e9)
    } else if bps >= 1e6 {
        format!("{:.2}M", bps / 1e6)
    } else if bps >= 1e3 {
        format!("{:.1}k", bps / 1e3)
    } else {
        format!("{bps:.0}")
    }
}
