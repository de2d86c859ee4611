//! mtr's mode: rounds of traces, per-hop statistics (Loss%, Snt, Last, Avg, Best, Wrst,
//! StDev, jitter), a table redrawn every round on a terminal, and the capture of `-w FILE`.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::net::IpAddr;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use pktkit::capture::{CaptureWriter, Interface, LinkType, OutputFormat, Packet, Precision, Timestamp};
use pktkit::net::trace::{ProbeResult, Tracer};
use pktkit::net::{Network, Recorded, Recording};
use pktkit::render::time::TimeKeys;
use serde_json::json;

use super::Args;
use super::names::Names;
use super::text::JSON_VERSION;
use crate::cli::{self, Failure};

/// Statistics of one hop over the rounds.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct HopStats {
    /// Probes sent.
    pub sent: u32,
    /// Probes answered.
    pub received: u32,
    /// Round trips in milliseconds, in order.
    pub rtts: Vec<f64>,
    /// Addresses that answered, with counts, in order of first answer.
    pub addrs: Vec<(IpAddr, u32)>,
}

impl HopStats {
    fn add(&mut self, r: &ProbeResult) {
        self.sent += 1;
        if let Some(a) = &r.answer {
            self.received += 1;
            self.rtts.push(a.rtt.as_secs_f64() * 1000.0);
            match self.addrs.iter_mut().find(|(x, _)| *x == a.from) {
                Some((_, n)) => *n += 1,
                None => self.addrs.push((a.from, 1)),
            }
        }
    }

    /// Loss in percent.
    pub fn loss(&self) -> f64 {
        if self.sent == 0 { 0.0 } else { f64::from(self.sent - self.received) * 100.0 / f64::from(self.sent) }
    }

    /// Last, average, best, worst, standard deviation (mtr's: sample) and mean jitter (mean
    /// difference between consecutive round trips), in milliseconds; zeros without answers.
    pub fn figures(&self) -> [f64; 6] {
        let n = self.rtts.len();
        if n == 0 {
            return [0.0; 6];
        }
        let last = self.rtts[n - 1];
        let avg = self.rtts.iter().sum::<f64>() / n as f64;
        let best = self.rtts.iter().copied().fold(f64::INFINITY, f64::min);
        let worst = self.rtts.iter().copied().fold(0.0, f64::max);
        let sd = if n > 1 {
            (self.rtts.iter().map(|r| (r - avg).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
        } else {
            0.0
        };
        let jitter = if n > 1 {
            self.rtts.windows(2).map(|w| (w[1] - w[0]).abs()).sum::<f64>() / (n - 1) as f64
        } else {
            0.0
        };
        [last, avg, best, worst, sd, jitter]
    }
}

/// mtr's report table.
pub fn table(host: &str, hops: &BTreeMap<u8, HopStats>, names: &Names) -> String {
    let width = hops
        .values()
        .flat_map(|h| h.addrs.iter().map(|(a, _)| names.show(*a).len()))
        .chain([host.len(), 10])
        .max()
        .unwrap_or(10);
    let mut out = format!(
        "HOST: {host:<width$}  {:>6} {:>5} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6}\n",
        "Loss%", "Snt", "Last", "Avg", "Best", "Wrst", "StDev", "Javg"
    );
    for (ttl, h) in hops {
        let first = h.addrs.first().map_or_else(|| "???".to_string(), |(a, _)| names.show(*a));
        let [last, avg, best, worst, sd, jitter] = h.figures();
        out += &format!(
            "{ttl:3}.|-- {first:<width$} {:>5.1}% {:>5} {last:>6.1} {avg:>6.1} {best:>6.1} {worst:>6.1} {sd:>6.1} {jitter:>6.1}\n",
            h.loss(),
            h.sent,
        );
        for (a, _) in h.addrs.iter().skip(1) {
            out += &format!("        {}\n", names.show(*a));
        }
    }
    out
}

fn hop_record(ttl: u8, h: &HopStats) -> serde_json::Value {
    let [last, avg, best, worst, sd, jitter] = h.figures();
    let round3 = |v: f64| (v * 1000.0).round() / 1000.0;
    json!({
        "version": JSON_VERSION,
        "type": "hop",
        "ttl": ttl,
        "addresses": h.addrs.iter().map(|(a, _)| a.to_string()).collect::<Vec<_>>(),
        "sent": h.sent,
        "received": h.received,
        "loss_pct": round3(h.loss()),
        "last_ms": round3(last),
        "avg_ms": round3(avg),
        "best_ms": round3(best),
        "worst_ms": round3(worst),
        "stdev_ms": round3(sd),
        "jitter_ms": round3(jitter),
        "rtts_ms": h.rtts.iter().map(|&r| round3(r)).collect::<Vec<_>>(),
    })
}

/// Runs `args.cycles` rounds and prints the report (or JSON records).
pub fn run<N: Network>(
    args: &Args,
    dst: &IpAddr,
    tracer: &mut Tracer,
    net: &mut Recording<N>,
    names: &Names,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let mut hops: BTreeMap<u8, HopStats> = BTreeMap::new();
    let live = !args.json && std::io::stdout().is_terminal();
    let start = Instant::now();
    for round in 0..args.cycles() {
        let due = start + args.interval() * round;
        pktkit::net::wait_until(due);
        let results = tracer.run_round(net, |_| {}).map_err(|e| Failure::Runtime(e.to_string()))?;
        for r in &results {
            hops.entry(r.ttl.0).or_default().add(r);
        }
        if live {
            // Home and clear, then the table so far.
            write!(out, "\x1b[H\x1b[2J{}", table(&args.host, &hops, names))?;
            out.flush()?;
        }
    }
    if args.json {
        for (ttl, h) in &hops {
            let mut record = hop_record(*ttl, h);
            TimeKeys::now("time").insert_into(&mut record);
            writeln!(out, "{record}")?;
        }
        let s = tracer.stats();
        let mut summary = json!({
            "version": JSON_VERSION,
            "type": "summary",
            "destination": dst.to_string(),
            "protocol": tracer.spec().protocol.name(),
            "flow": tracer.spec().flow.name(),
            "rounds": args.cycles(),
            "hops": hops.len(),
            "sent": s.sent,
            "answered": s.answered,
            "duplicates": s.duplicates,
            "late": s.late,
            "unmatched": s.unmatched,
        });
        TimeKeys::now("time").insert_into(&mut summary);
        writeln!(out, "{summary}")?;
    } else if !live {
        write!(out, "{}", table(&args.host, &hops, names))?;
    }
    out.flush()?;
    Ok(())
}

/// Writes the packets of a run as a classic pcap of raw IP (link type 101).
pub fn write_pcap(path: &Path, packets: &[Recorded]) -> Result<(), Failure> {
    let out = cli::open_output(Some(path), true)?;
    let mut w = CaptureWriter::new(out, OutputFormat::Pcap);
    let iface = Interface::live(LinkType::RAW, 262_144, Precision::Micro);
    w.begin(&iface)?;
    let (now_wall, now) = (SystemTime::now(), Instant::now());
    for (n, p) in packets.iter().enumerate() {
        let wall = now_wall - now.saturating_duration_since(p.at);
        let since = wall.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
        let ts = Timestamp::new(since.as_secs() as i64, u64::from(since.subsec_nanos()));
        w.write(&Packet::new(n as u64 + 1, ts, &p.bytes, p.bytes.len() as u32, &iface))?;
    }
    w.finish()?;
    Ok(())
}
