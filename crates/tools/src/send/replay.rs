//! `--replay`: send a capture's frames at the captured timing or a given rate, and report
//! what was achieved.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Instant;

use pktkit::capture::{CaptureReader, LinkType, Timestamp};
use pktkit::net::{self, L2Sender, L3Sender, NetError, Pacer, Schedule};
use serde_json::json;

use super::{Args, TOOL, input_paths, net_failure, sendable};
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
}

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
        }
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
        self.pacer.pace(data.len(), ts);
        let t = Instant::now();
        let result = if linktype == LinkType::ETHERNET {
            if self.l2.is_none() {
                let Some(iface) = self.iface.as_deref() else {
                    return Err(Failure::Usage(
                        "Ethernet frames are sent on an interface: give -i IFACE".into(),
                    ));
                };
                self.l2 = Some(L2Sender::open(iface).map_err(net_failure)?);
            }
            self.l2.as_mut().map_or(Ok(()), |s| s.send(data))
        } else {
            if self.l3.is_none() {
                self.l3 = Some(L3Sender::open(self.iface.as_deref()).map_err(net_failure)?);
            }
            self.l3.as_mut().map_or(Ok(0), |s| s.send(data, None)).map(|_| ())
        };
        match result {
            Ok(()) => {
                self.packets += 1;
                self.bytes += data.len() as u64;
                self.first.get_or_insert(t);
                self.last = Some(t);
                self.last_len = data.len() as u64;
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
    pub(crate) fn report(&self, args: &Args) -> Result<(), Failure> {
        let span = match (self.first, self.last) {
            (Some(a), Some(b)) => (b - a).as_secs_f64(),
            _ => 0.0,
        };
        // Rates between the first and the last packet's send times: what the pacing achieved.
        let (pps, mbps) = if self.packets >= 2 && span > 0.0 {
            ((self.packets - 1) as f64 / span, (self.bytes - self.last_len) as f64 * 8.0 / span / 1e6)
        } else {
            (0.0, 0.0)
        };
        let sched = self.pacer.schedule();
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

pub(crate) fn run(args: &Args) -> Result<(), Failure> {
    if args.iface.is_none() {
        return Err(Failure::Usage("--replay needs -i IFACE (the interface to send the frames on)".into()));
    }
    let files = input_paths(&args.args);
    let stdin = files.is_empty() || files.iter().any(|f| f.as_os_str() == "-");
    if stdin && args.loops > 1 {
        return Err(Failure::Usage("--loop reads the input again: give a FILE, not stdin".into()));
    }
    net::require_cap_net_raw("replaying packets").map_err(net_failure)?;
    let mut rep = Replayer::new(args.iface.as_deref(), schedule(args));
    for _ in 0..args.loops {
        let mut reader = CaptureReader::new(cli::inputs(&files)?);
        while let Some(p) = reader.next_packet()? {
            rep.send(p.linktype(), p.data, p.ts)?;
        }
        rep.next_pass();
    }
    rep.report(args)
}
