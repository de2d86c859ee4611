//! `--replay`: send a capture's frames at the captured timing or a given rate, and report
//! what was achieved.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Instant;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{SyncSender, sync_channel};

use pktkit::capture::{CaptureReader, CaptureWriter, Input, LinkType, OutputFormat, Timestamp};
use pktkit::net::{self, L2Sender, L3Sender, NetError, Pacer, Schedule};
use pktkit::stream::Interrupts;
use serde_json::json;

use super::{Args, TOOL, input_paths, net_failure, sendable, shower};
use crate::cli::{self, Failure};

/// The schedule the rate options ask for (captured timing when none).
pub(crate) fn schedule(args: &Args) -> Schedule {
    if args.topspeed {
        Schedule::TopSpeed
    } else if let Some(pps) = args.pps.or(args.rate) {
        Schedule::Pps(pps)
    } else if let Some(mbps) = args.mbps {
        Schedule::Mbps(mbps)
    } else if let Some(every) = args.interval {
        Schedule::Interval(every)
    } else {
        Schedule::Captured { multiplier: args.multiplier.unwrap_or(1.0) }
    }
}

/// Sends frames of any sendable link type and keeps the numbers for the report.
pub(crate) struct Replayer {
    iface: Option<String>,
    l2: Option<L2Sender>,
    l3: Option<L3Sender>,
    pacer: Pacer,
    packets: u64,
    bytes: u64,
    failed: u64,
    first: Option<Instant>,
    last: Option<Instant>,
    last_len: u64,
    unsendable: BTreeMap<LinkType, u64>,
    last_error: Option<String>,
    /// At top speed, Ethernet frames are gathered and sent BATCH at a time.
    batch: Vec<u8>,
    batch_ends: Vec<usize>,
    /// End of the last send (top speed's elapsed time ends there).
    done: Option<Instant>,
    /// Ctrl-C: stops the sending (what was sent is still reported).
    interrupts: Option<Arc<Interrupts>>,
}

/// Frames per `sendmmsg` at top speed.
const BATCH: usize = 64;

impl Replayer {
    pub(crate) fn new(iface: Option<&str>, schedule: Schedule) -> Self {
        Replayer {
            iface: iface.map(str::to_string),
            l2: None,
            l3: None,
            pacer: Pacer::new(schedule),
            packets: 0,
            bytes: 0,
            failed: 0,
            first: None,
            last: None,
            last_len: 0,
            unsendable: BTreeMap::new(),
            last_error: None,
            batch: Vec::new(),
            batch_ends: Vec::new(),
            done: None,
            interrupts: None,
        }
    }

    /// Stops sending at the first of `interrupts` (docs/pipelines.md: a replay ends at once,
    /// as tcpreplay does, and reports what it sent).
    pub(crate) fn stop_on(&mut self, interrupts: Arc<Interrupts>) {
        self.interrupts = Some(interrupts);
    }

    /// True once an interrupt asked the replay to stop.
    pub(crate) fn stopped(&self) -> bool {
        self.interrupts.as_ref().is_some_and(|i| i.is_interrupted())
    }

    /// Waits for a frame's send time; false when an interrupt came first.
    fn wait_for(&self, due: Instant) -> bool {
        net::wait_until_or(due, || self.stopped())
    }

    fn open_l2(&mut self) -> Result<(), Failure> {
        if self.l2.is_none() {
            let Some(iface) = self.iface.as_deref() else {
                return Err(Failure::Usage("Ethernet frames are sent on an interface: give -i IFACE".into()));
            };
            self.l2 = Some(L2Sender::open(iface).map_err(net_failure)?);
        }
        Ok(())
    }

    /// Sends the gathered frames.
    pub(crate) fn flush(&mut self) -> Result<(), Failure> {
        if self.batch_ends.is_empty() {
            return Ok(());
        }
        let (batch, ends) = (std::mem::take(&mut self.batch), std::mem::take(&mut self.batch_ends));
        let frames = frames_of(&batch, &ends, 0);
        let result = self.send_frames(&frames);
        drop(frames);
        (self.batch, self.batch_ends) = (batch, ends);
        self.batch.clear();
        self.batch_ends.clear();
        result
    }

    /// Sends frames in `sendmmsg` batches; a frame the kernel refuses is counted and skipped.
    fn send_frames(&mut self, frames: &[&[u8]]) -> Result<(), Failure> {
        self.open_l2()?;
        let mut from = 0;
        while from < frames.len() {
            let part = &frames[from..(from + BATCH).min(frames.len())];
            let t = Instant::now();
            let Some(l2) = self.l2.as_mut() else { break };
            let sent = match l2.send_batch(part) {
                Ok(n) => n,
                Err(e @ NetError::Privilege { .. }) => return Err(net_failure(e)),
                Err(e) => {
                    self.last_error = Some(e.to_string());
                    0
                }
            };
            if sent > 0 {
                self.first.get_or_insert(t);
                // A batch's frames count as sent when the batch started.
                self.last = Some(t);
                self.last_len = part[sent - 1].len() as u64;
            }
            self.packets += sent as u64;
            self.bytes += part[..sent].iter().map(|f| f.len() as u64).sum::<u64>();
            if sent < part.len() {
                // The frame after the sent ones failed: count it and go on after it.
                self.failed += 1;
                from += sent + 1;
            } else {
                from += sent;
            }
        }
        self.done = Some(Instant::now());
        Ok(())
    }

    /// Sends a chunk read ahead by the reader thread.
    fn send_chunk(&mut self, c: &Chunk) -> Result<(), Failure> {
        let all_ethernet = c.pkts.iter().all(|p| p.1 == LinkType::ETHERNET);
        if self.pacer.schedule() == Schedule::TopSpeed && all_ethernet {
            self.flush()?;
            return self.send_frames(&frames_of(&c.data, &c.pkts, 0));
        }
        let mut start = 0;
        for &(end, linktype, ts) in &c.pkts {
            let frame = &c.data[start..end];
            start = end;
            if linktype != LinkType::ETHERNET {
                self.flush()?;
                self.send(linktype, frame, ts)?;
                continue;
            }
            // Paced Ethernet: frames already due (the sender fell behind) leave together in
            // one sendmmsg; the batch goes out before waiting for a frame not yet due.
            self.open_l2()?;
            if let Some(due) = self.pacer.due(frame.len(), ts)
                && Instant::now() < due
            {
                self.flush()?;
                if !self.wait_for(due) {
                    return Ok(());
                }
            }
            self.batch.extend_from_slice(frame);
            self.batch_ends.push(self.batch.len());
            if self.batch_ends.len() >= BATCH {
                self.flush()?;
            }
        }
        self.flush()
    }

    /// Starts the captured timing again (for the next --loop pass); rates run on.
    pub(crate) fn next_pass(&mut self) {
        if let Schedule::Captured { .. } = self.pacer.schedule() {
            self.pacer = Pacer::new(self.pacer.schedule());
        }
    }

    /// Sends one frame at its time. Failures are counted; a missing privilege or interface
    /// ends the run.
    pub(crate) fn send(&mut self, linktype: LinkType, data: &[u8], ts: Timestamp) -> Result<(), Failure> {
        if !sendable(linktype) {
            *self.unsendable.entry(linktype).or_default() += 1;
            self.failed += 1;
            return Ok(());
        }
        if linktype == LinkType::ETHERNET && self.pacer.schedule() == Schedule::TopSpeed {
            self.open_l2()?;
            self.batch.extend_from_slice(data);
            self.batch_ends.push(self.batch.len());
            if self.batch_ends.len() >= BATCH {
                self.flush()?;
            }
            return Ok(());
        }
        self.flush()?;
        // Open the sender before the clock starts: opening takes milliseconds.
        if linktype == LinkType::ETHERNET {
            self.open_l2()?;
        } else if self.l3.is_none() {
            self.l3 = Some(L3Sender::open(self.iface.as_deref()).map_err(net_failure)?);
        }
        if let Some(due) = self.pacer.due(data.len(), ts)
            && !self.wait_for(due)
        {
            return Ok(());
        }
        let t = Instant::now();
        let result = if linktype == LinkType::ETHERNET {
            self.l2.as_mut().map_or(Ok(()), |s| s.send(data))
        } else {
            self.l3.as_mut().map_or(Ok(0), |s| s.send(data, None)).map(|_| ())
        };
        match result {
            Ok(()) => {
                self.packets += 1;
                self.bytes += data.len() as u64;
                self.first.get_or_insert(t);
                self.last = Some(t);
                self.last_len = data.len() as u64;
                self.done = Some(Instant::now());
            }
            Err(e @ NetError::Privilege { .. }) => return Err(net_failure(e)),
            Err(e) => {
                self.failed += 1;
                self.last_error = Some(e.to_string());
            }
        }
        Ok(())
    }

    /// Prints the report (stderr, and stdout with --json); an error when nothing was sent.
    pub(crate) fn report(&mut self, args: &Args) -> Result<(), Failure> {
        self.flush()?;
        let sched = self.pacer.schedule();
        let top = sched == Schedule::TopSpeed;
        // Paced: rates between the first and the last packet's send times, what the pacing
        // achieved. Top speed: everything sent over the whole sending time.
        let end = if top { self.done } else { self.last };
        let span = match (self.first, end) {
            (Some(a), Some(b)) => (b - a).as_secs_f64(),
            _ => 0.0,
        };
        let (n, bits) = if top {
            (self.packets as f64, self.bytes as f64 * 8.0)
        } else {
            (self.packets.saturating_sub(1) as f64, self.bytes.saturating_sub(self.last_len) as f64 * 8.0)
        };
        let (pps, mbps) =
            if self.packets >= 2 && span > 0.0 { (n / span, bits / span / 1e6) } else { (0.0, 0.0) };
        let (requested, req_json) = match sched {
            Schedule::TopSpeed => ("top speed".to_string(), json!({"mode": "topspeed"})),
            Schedule::Pps(p) => (format!("{p} pps"), json!({"mode": "pps", "pps": p})),
            Schedule::Mbps(m) => (format!("{m} Mbps"), json!({"mode": "mbps", "mbps": m})),
            Schedule::Interval(d) => (
                format!("one every {} s", d.as_secs_f64()),
                json!({"mode": "interval", "interval_s": d.as_secs_f64()}),
            ),
            Schedule::Captured { multiplier } => (
                format!("captured timing x{multiplier}"),
                json!({"mode": "captured", "multiplier": multiplier}),
            ),
        };
        let deviation = match sched {
            Schedule::Pps(p) if pps > 0.0 => Some((pps - p) / p * 100.0),
            Schedule::Mbps(m) if mbps > 0.0 => Some((mbps - m) / m * 100.0),
            _ => None,
        };
        if !args.quiet {
            let dev = deviation.map(|d| format!(", {d:+.3}%")).unwrap_or_default();
            eprintln!(
                "{TOOL}: sent {} packets ({} bytes), {} failed, in {span:.6} s: {pps:.1} pps, {mbps:.2} Mbps (requested: {requested}{dev})",
                self.packets, self.bytes, self.failed
            );
            for (lt, n) in &self.unsendable {
                cli::warn(
                    TOOL,
                    format!("{n} packet(s) of link type {lt} not sent: only Ethernet and raw IP can be sent"),
                );
            }
            if let Some(e) = &self.last_error {
                cli::warn(TOOL, format!("last send error: {e}"));
            }
        }
        if args.json {
            let mut out = cli::open_output(None, false)?;
            let rec = json!({
                "packets": self.packets,
                "bytes": self.bytes,
                "failed": self.failed,
                "elapsed_s": span,
                "pps": pps,
                "mbps": mbps,
                "requested": req_json,
                "deviation_pct": deviation,
            });
            serde_json::to_writer(&mut out, &rec).map_err(|e| Failure::Runtime(e.to_string()))?;
            writeln!(out)?;
            out.flush()?;
        }
        if self.packets == 0 && self.failed > 0 {
            return Err(Failure::Runtime(format!("none of {} packet(s) could be sent", self.failed)));
        }
        Ok(())
    }
}

/// The frames of a buffer holding them back to back, given where each ends.
fn frames_of<'a, T: EndOf>(data: &'a [u8], ends: &[T], from: usize) -> Vec<&'a [u8]> {
    let mut start = from;
    ends.iter()
        .map(|e| {
            let f = &data[start..e.end()];
            start = e.end();
            f
        })
        .collect()
}

trait EndOf {
    fn end(&self) -> usize;
}
impl EndOf for usize {
    fn end(&self) -> usize {
        *self
    }
}
impl EndOf for (usize, LinkType, Timestamp) {
    fn end(&self) -> usize {
        self.0
    }
}

/// Packets read ahead: their bytes back to back, and each one's end, link type and time.
struct Chunk {
    data: Vec<u8>,
    pkts: Vec<(usize, LinkType, Timestamp)>,
}

enum Msg {
    Chunk(Chunk),
    PassEnd,
}

/// Packets per chunk, and chunks in flight between the reader thread and the sender.
const CHUNK: usize = 256;
const IN_FLIGHT: usize = 8;

/// Reads the inputs `loops` times on its own thread (the other core), so that reading the
/// file overlaps sending.
fn read_ahead(first: Vec<Input>, files: Vec<PathBuf>, loops: u64, tx: SyncSender<Result<Msg, Failure>>) {
    let mut inputs = Some(first);
    for _ in 0..loops {
        let this = match inputs.take() {
            Some(i) => i,
            None => match cli::inputs(&files) {
                Ok(i) => i,
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            },
        };
        let mut reader = CaptureReader::new(this);
        let mut chunk = Chunk { data: Vec::with_capacity(CHUNK * 1600), pkts: Vec::with_capacity(CHUNK) };
        loop {
            match reader.next_packet() {
                Ok(Some(p)) => {
                    chunk.data.extend_from_slice(p.data);
                    chunk.pkts.push((chunk.data.len(), p.linktype(), p.ts));
                    if chunk.pkts.len() >= CHUNK {
                        let full = std::mem::replace(
                            &mut chunk,
                            Chunk { data: Vec::with_capacity(CHUNK * 1600), pkts: Vec::with_capacity(CHUNK) },
                        );
                        if tx.send(Ok(Msg::Chunk(full))).is_err() {
                            return;
                        }
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    let _ = tx.send(Ok(Msg::Chunk(chunk)));
                    let _ = tx.send(Err(e.into()));
                    return;
                }
            }
        }
        if tx.send(Ok(Msg::Chunk(chunk))).is_err() || tx.send(Ok(Msg::PassEnd)).is_err() {
            return;
        }
    }
}

/// `--replay --show` and `--replay -w`: the capture's packets printed or copied (each
/// record as it was), not sent.
fn show_or_write(args: &Args, files: &[PathBuf]) -> Result<(), Failure> {
    let mut reader = CaptureReader::new(cli::inputs(files)?);
    if let Some(path) = &args.write {
        let format = if args.pcapng { OutputFormat::PcapNg } else { OutputFormat::Pcap };
        let mut w = CaptureWriter::new(cli::open_output(Some(path), true)?, format);
        reader.open_next()?;
        if let Some(i) = reader.interfaces().first() {
            w.begin(&i.clone())?;
        }
        while let Some(p) = reader.next_packet()? {
            w.write(&p)?;
        }
        let skipped = w.skipped().clone();
        w.finish()?;
        for (lt, n) in skipped {
            cli::warn(
                TOOL,
                format!(
                    "{n} packet(s) of link type {lt} not written: classic pcap holds one link type per file (use --pcapng)"
                ),
            );
        }
        return Ok(());
    }
    let mut out = cli::open_output(None, false)?;
    let mut show = shower(args, true);
    while let Some(p) = reader.next_packet()? {
        show.packet(&mut out, &p)?;
    }
    Ok(out.flush()?)
}

pub(crate) fn run(args: &Args) -> Result<(), Failure> {
    let files = input_paths(&args.args);
    if args.show || args.write.is_some() {
        return show_or_write(args, &files);
    }
    if args.iface.is_none() {
        return Err(Failure::Usage("--replay needs -i IFACE (the interface to send the frames on)".into()));
    }
    let stdin = files.is_empty() || files.iter().any(|f| f.as_os_str() == "-");
    if stdin && args.loops > 1 {
        return Err(Failure::Usage("--loop reads the input again: give a FILE, not stdin".into()));
    }
    net::require_cap_net_raw("replaying packets").map_err(net_failure)?;
    let mut rep = Replayer::new(args.iface.as_deref(), schedule(args));
    rep.stop_on(cli::interrupts()?);
    let first = cli::inputs(&files)?;
    let (tx, rx) = sync_channel(IN_FLIGHT);
    let loops = args.loops;
    let reader = std::thread::spawn(move || read_ahead(first, files, loops, tx));
    let mut outcome = Ok(());
    for msg in rx.iter() {
        if rep.stopped() {
            break;
        }
        let step = match msg {
            Ok(Msg::Chunk(c)) => rep.send_chunk(&c),
            Ok(Msg::PassEnd) => {
                rep.next_pass();
                Ok(())
            }
            Err(e) => Err(e),
        };
        if let Err(e) = step {
            outcome = Err(e);
            break;
        }
    }
    drop(rx);
    // Stopped by Ctrl-C, the reader may be waiting on a pipe that never closes: leave it.
    if !rep.stopped() {
        let _ = reader.join();
    }
    // What was sent before an input error is still reported.
    let report = rep.report(args);
    outcome.and(report)
}
