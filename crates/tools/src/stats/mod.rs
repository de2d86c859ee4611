//! pkt-stats: capinfos, tshark's statistics and a bandwidth monitor in one pass over a capture.
//!
//! The engine ([`engine::Stats`]) takes one decoded frame at a time and keeps every report in
//! bounded tables ([`table::Table`]); reports print as aligned tables ([`text`]) or as one
//! JSON document ([`json`]) that `--merge` reads back, so reports of parts of a capture
//! combine into the report of the whole. `--every` turns it into a live monitor ([`live`]).

pub mod engine;
pub mod hier;
pub mod json;
pub mod keys;
mod live;
pub mod names;
mod plot;
pub mod table;
pub mod text;
pub mod units;
pub mod view;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{ArgAction, Parser};
use pktkit::capture::{CaptureReader, Packet};
use pktkit::decode::defrag::{DefragOutcome, Defragmenter};
use pktkit::decode::{DecodeOptions, decode};

use crate::cli::{self, Failure};
use crate::progress::Progress;
use crate::words::{self, Form, StreamFilter};
use engine::{Caps, Config, Net, Reports, Stats};

const TOOL: &str = "pkt-stats";

const EXAMPLES: &str = "\
Examples:
  pkt-stats < capture.pcap                     summary, protocols, hierarchy, hosts,
                                               conversations, ports, names (top 10 each)
  pkt-stats --hierarchy --conversations --top 20 capture.pcapng
  pkt-stats --interval 1s --io capture.pcap    packets and bytes per second
  pkt-stats --me 192.168.1.0/24 capture.pcap   in/out traffic and peers, like a bandwidth monitor
  pkt-stats -r capture.pcap not arp            with -r, the words are a filter
  pkt-stats --json capture.pcap > report.json  one mergeable JSON document (pktkit.stats/3)
  pkt-stats --merge a.json b.json              the report of the whole from reports of parts
  pcap-capture -i eth0 | pkt-stats --every 1s  live: a top-like table (NDJSON when piped)

Sharded: split a capture, run pkt-stats --json on each part in parallel (xargs -P,
GNU parallel, Hadoop Streaming, Spark pipe), then pkt-stats --merge the parts: the
result equals the report of the whole (docs/pkt-stats.md).

Tables keep at most --max-hosts / --max-conversations / --max-names rows; past a
cap, rows fold into an 'other' row and the report says so. Ctrl-C prints the
report so far.";

/// Capture statistics in one pass: summary, protocol hierarchy, hosts, conversations,
/// ports, DNS/TLS/HTTP names, I/O over time; mergeable JSON; live monitoring.
#[derive(Debug, Parser)]
#[command(name = TOOL, version, after_help = EXAMPLES)]
pub struct Args {
    /// Capture files (pcap or pcapng, by content), read in order as one capture (stdin when
    /// none or '-'), after an optional libpcap filter expression: the trailing words that are
    /// existing files or paths are the inputs. With -r, every word is the expression
    /// (tcpdump). With --merge: JSON reports.
    #[arg(value_name = "EXPRESSION|FILE")]
    pub files: Vec<PathBuf>,

    /// Read this capture file (tcpdump -r; may be repeated): the words are then the filter
    /// expression.
    #[arg(short = 'r', value_name = "FILE", action = ArgAction::Append, conflicts_with = "merge")]
    pub read: Vec<PathBuf>,

    /// Read the filter expression from FILE (tcpdump -F); the words are then input files.
    #[arg(short = 'F', value_name = "FILE", conflicts_with = "merge")]
    pub expr_file: Option<PathBuf>,

    /// Accepted for tcpdump habits (-n, -nn); names in reports come from the traffic itself.
    #[arg(short = 'n', action = ArgAction::Count)]
    pub numeric: u8,

    /// Write one JSON document (schema pktkit.stats/3) instead of tables.
    #[arg(long)]
    pub json: bool,

    /// Combine JSON reports of parts of a capture into the report of the whole (FILEs hold
    /// one or more reports each; '-' is stdin).
    #[arg(long, conflicts_with_all = ["every", "interval", "me", "no_defrag", "max_hosts", "max_conversations", "max_names", "max_intervals"])]
    pub merge: bool,

    /// Tables with plain integers (no thousands separators, units or bars), for scripts that
    /// read the text; --json is better still.
    #[arg(long, conflicts_with = "json")]
    pub exact: bool,

    /// Draw the I/O graph and the protocol mix to FILE (.svg or .png) as well.
    #[arg(long, value_name = "FILE.svg|FILE.png", conflicts_with = "every")]
    pub plot: Option<PathBuf>,

    /// Rows per table: 10 by default for tables, all for --json (0: all).
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,

    /// I/O report: frames and bytes per interval (e.g. 1s, 100ms, 5m), aligned to the epoch.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub interval: Option<u64>,

    /// Live: refresh a top-like table every DURATION on a terminal, or write one NDJSON
    /// snapshot per DURATION when stdout is not one; the full report at the end.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub every: Option<u64>,

    /// Your own address or network (repeatable): adds in/out traffic and per-peer counts.
    #[arg(long, value_name = "ADDR[/PREFIX]", action = ArgAction::Append, value_parser = Net::parse)]
    pub me: Vec<Net>,

    /// Report: capture summary (capinfos).
    #[arg(long, help_heading = "Reports (default: all)")]
    pub summary: bool,
    /// Report: frames and bytes per transport (TCP, UDP, ICMP, other).
    #[arg(long, help_heading = "Reports (default: all)")]
    pub protocols: bool,
    /// Report: protocol hierarchy (tshark -z io,phs).
    #[arg(long, help_heading = "Reports (default: all)")]
    pub hierarchy: bool,
    /// Report: hosts by bytes sent and received (and --me directions).
    #[arg(long, help_heading = "Reports (default: all)")]
    pub hosts: bool,
    /// Report: conversations per address pair and per TCP/UDP endpoint pair.
    #[arg(long, help_heading = "Reports (default: all)")]
    pub conversations: bool,
    /// Report: service ports.
    #[arg(long, help_heading = "Reports (default: all)")]
    pub ports: bool,
    /// Report: DNS names, TLS server names, HTTP hosts.
    #[arg(long, help_heading = "Reports (default: all)")]
    pub names: bool,
    /// Report: I/O per --interval (1s when --interval is not given).
    #[arg(long, help_heading = "Reports (default: all)")]
    pub io: bool,

    /// Do not reassemble IP fragments (tshark reassembles by default).
    #[arg(long)]
    pub no_defrag: bool,

    /// Most hosts kept (and --me peers).
    #[arg(long, value_name = "N", help_heading = "Table caps")]
    pub max_hosts: Option<usize>,
    /// Most conversations kept per table (IP, TCP, UDP).
    #[arg(long, value_name = "N", help_heading = "Table caps")]
    pub max_conversations: Option<usize>,
    /// Most names kept per table (DNS, TLS SNI, HTTP hosts).
    #[arg(long, value_name = "N", help_heading = "Table caps")]
    pub max_names: Option<usize>,
    /// Most intervals kept (the earliest).
    #[arg(long, value_name = "N", help_heading = "Table caps")]
    pub max_intervals: Option<usize>,
}

/// Parses `1s`, `250ms`, `1.5s`, `2m`, `1h`, `100us`, `10ns` or plain seconds into nanoseconds.
pub fn parse_duration(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let scale: u64 = match unit {
        "" | "s" => 1_000_000_000,
        "ms" => 1_000_000,
        "us" | "µs" => 1_000,
        "ns" => 1,
        "m" | "min" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        _ => return Err(format!("{s:?}: unknown unit (use ns, us, ms, s, m or h)")),
    };
    let (int, frac) = num.split_once('.').unwrap_or((num, ""));
    if num.is_empty() || int.is_empty() && frac.is_empty() || frac.contains('.') {
        return Err(format!("{s:?} is not a duration like 1s or 250ms"));
    }
    let int: u64 =
        if int.is_empty() { 0 } else { int.parse().map_err(|_| format!("{s:?}: number too large"))? };
    let mut ns = int.checked_mul(scale).ok_or_else(|| format!("{s:?}: duration too large"))?;
    let mut place = scale;
    for d in frac.bytes() {
        place /= 10;
        ns = ns.saturating_add((d - b'0') as u64 * place);
    }
    if ns == 0 {
        return Err(format!("{s:?}: the duration must be more than 0"));
    }
    Ok(ns)
}

impl Args {
    fn reports(&self) -> Reports {
        let any = self.summary
            || self.protocols
            || self.hierarchy
            || self.hosts
            || self.conversations
            || self.ports
            || self.names
            || self.io;
        // --plot draws the I/O graph and the hierarchy, so it needs both reports.
        let io = self.io || self.interval.is_some() || self.plot.is_some();
        if !any {
            return Reports { io, ..Reports::ALL };
        }
        Reports {
            summary: self.summary,
            protocols: self.protocols,
            hierarchy: self.hierarchy || self.plot.is_some(),
            hosts: self.hosts,
            conversations: self.conversations,
            ports: self.ports,
            names: self.names,
            io,
        }
    }

    fn config(&self) -> Config {
        let d = Caps::default();
        let mut me = self.me.clone();
        me.sort();
        me.dedup();
        let reports = self.reports();
        Config {
            interval_ns: if reports.io { Some(self.interval.unwrap_or(1_000_000_000)) } else { None },
            me,
            defrag: !self.no_defrag,
            caps: Caps {
                hosts: self.max_hosts.unwrap_or(d.hosts).max(1),
                conversations: self.max_conversations.unwrap_or(d.conversations).max(1),
                names: self.max_names.unwrap_or(d.names).max(1),
                intervals: self.max_intervals.unwrap_or(d.intervals).max(1),
            },
            reports,
        }
    }

    /// Rows per ranked table in text output.
    fn text_options(&self) -> text::TextOptions {
        text::TextOptions {
            top: self.top.unwrap_or(10),
            io_rows: self.top.filter(|&n| n > 0),
            only: None,
            exact: self.exact,
            terminal: std::io::stdout().is_terminal(),
        }
    }

    /// Rows per table in JSON output: all unless --top was given.
    fn json_top(&self) -> Option<usize> {
        self.top.filter(|&n| n > 0)
    }
}

/// Runs pkt-stats with parsed arguments.
pub fn run(args: Args) -> Result<(), Failure> {
    if let Some(p) = &args.plot {
        plot::check(p)?;
    }
    if args.merge {
        return merge(&args);
    }
    let config = args.config();
    let words: Vec<String> = args.files.iter().map(|f| f.to_string_lossy().into_owned()).collect();
    let selection = words::select(Form::FilesFirst, &args.read, args.expr_file.as_deref(), &words)?;
    let mut filter = StreamFilter::new(selection.expression.as_deref());
    let inputs = cli::inputs(&selection.files)?;
    // An interrupt ends the input by the rule of docs/pipelines.md; the report follows.
    let mut reader = cli::reader(inputs)?;
    if let Some(every) = args.every {
        return live::run(&args, config, reader, filter, every);
    }
    let progress = Progress::new(&selection.files);
    let mut stats = Stats::new(config);
    let outcome = feed_all(&mut reader, &mut stats, filter.as_mut(), &progress);
    if let Some(f) = &filter {
        f.report(TOOL);
    }
    // Nothing read (a missing or empty input): no report, only the error.
    if outcome.is_err() && reader.count() == 0 {
        progress.finish();
        return outcome;
    }
    progress.finish();
    // A damaged input still gives the report of every packet before the damage.
    let written = write_report(&args, &stats);
    outcome?;
    written
}

/// Decodes and counts every packet of `reader` until its end or an interrupt.
fn feed_all(
    reader: &mut CaptureReader,
    stats: &mut Stats,
    mut filter: Option<&mut StreamFilter>,
    progress: &Progress,
) -> Result<(), Failure> {
    let mut feeder = Feeder::new(stats.config.defrag);
    while let Some(pkt) = reader.next_packet()? {
        progress.packet(pkt.stored.len());
        if let Some(f) = filter.as_deref_mut()
            && !f.matches(&pkt)?
        {
            continue;
        }
        feeder.feed(stats, &pkt);
    }
    Ok(())
}

/// One decode per packet (and reassembly when on), then the engine.
pub struct Feeder {
    opts: DecodeOptions,
    pool: Option<Defragmenter>,
}

impl Feeder {
    /// A feeder; `defrag` reassembles IP fragments.
    pub fn new(defrag: bool) -> Self {
        Feeder { opts: DecodeOptions::default(), pool: defrag.then(Defragmenter::new) }
    }

    /// Counts `pkt` in `stats`.
    #[inline]
    pub fn feed(&mut self, stats: &mut Stats, pkt: &Packet<'_>) {
        let d = decode(pkt.linktype(), pkt.data, pkt.orig_len, &self.opts);
        if let Some(pool) = self.pool.as_mut() {
            match pool.add(&d, pkt.ts) {
                DefragOutcome::Complete(_) => {
                    let r = pool.decode_reassembled(&d, &self.opts);
                    stats.add(pkt.ts, pkt.data.len(), pkt.orig_len, &r, true);
                    return;
                }
                DefragOutcome::Pending | DefragOutcome::Rejected => {
                    // tshark counts an IPv6 fragment in conversations only with its datagram.
                    let v6 = matches!(d.net, Some(etherparse::LaxNetSlice::Ipv6(_)));
                    stats.add(pkt.ts, pkt.data.len(), pkt.orig_len, &d, !v6);
                    return;
                }
                DefragOutcome::NotFragment => {}
            }
        }
        stats.add(pkt.ts, pkt.data.len(), pkt.orig_len, &d, true);
    }
}

fn write_report(args: &Args, stats: &Stats) -> Result<(), Failure> {
    let mut out = cli::open_output(None, false)?;
    if args.json {
        serde_json::to_writer(&mut out, &json::report(stats, args.json_top()))
            .map_err(|e| Failure::from(std::io::Error::from(e)))?;
        out.write_all(b"\n")?;
    } else {
        text::write(&mut out, stats, args.text_options())?;
    }
    out.flush()?;
    if let Some(p) = &args.plot {
        plot::draw(p, stats)?;
    }
    Ok(())
}

fn merge(args: &Args) -> Result<(), Failure> {
    if args.files.is_empty() {
        return Err(Failure::Usage(
            "--merge needs one or more JSON reports (pkt-stats --json output)".into(),
        ));
    }
    let mut total: Option<Stats> = None;
    let mut saturated = false;
    for f in &args.files {
        let text = if f.as_os_str() == "-" {
            std::io::read_to_string(std::io::stdin())
        } else {
            std::fs::read_to_string(f)
        }
        .map_err(|e| Failure::Runtime(format!("{}: {e}", f.display())))?;
        let all = json::parse_all(&text).map_err(|e| Failure::Runtime(format!("{}: {e}", f.display())))?;
        for s in all {
            match total.as_mut() {
                None => total = Some(s),
                Some(t) => t.merge(&s).map_err(|e| Failure::Runtime(format!("{}: {e}", f.display())))?,
            }
            if !saturated && total.as_ref().is_some_and(|t| t.summary.at_limit()) {
                saturated = true;
                cli::warn(
                    TOOL,
                    format!(
                        "{}: the summary's counters reach {} (2^64-1); sums past it stay there, they do not wrap",
                        f.display(),
                        u64::MAX
                    ),
                );
            }
        }
    }
    let mut stats = total.expect("at least one report");
    let wanted = args.reports();
    let any = args.summary
        || args.protocols
        || args.hierarchy
        || args.hosts
        || args.conversations
        || args.ports
        || args.names
        || args.io;
    if any && !args.json {
        let have = stats.config.reports;
        let missing: Vec<&str> = wanted.names().into_iter().filter(|n| !have.names().contains(n)).collect();
        if !missing.is_empty() {
            return Err(Failure::Usage(format!("the reports do not contain: {}", missing.join(", "))));
        }
        stats.config.reports = wanted;
    }
    write_report(args, &stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("1s"), Ok(1_000_000_000));
        assert_eq!(parse_duration("250ms"), Ok(250_000_000));
        assert_eq!(parse_duration("1.5s"), Ok(1_500_000_000));
        assert_eq!(parse_duration("2"), Ok(2_000_000_000));
        assert_eq!(parse_duration("2m"), Ok(120_000_000_000));
        assert_eq!(parse_duration("1h"), Ok(3_600_000_000_000));
        assert_eq!(parse_duration("100us"), Ok(100_000));
        assert_eq!(parse_duration(".5s"), Ok(500_000_000));
        for bad in ["", "0", "0s", "s", "1x", "1..2s", "-1s", "99999999999999999999h", "0.0000000001s"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn default_reports() {
        let a = Args::parse_from(["pkt-stats"]);
        let r = a.reports();
        assert!(r.summary && r.hierarchy && r.conversations && r.names && !r.io);
        let a = Args::parse_from(["pkt-stats", "--interval", "1s"]);
        assert!(a.reports().io && a.config().interval_ns == Some(1_000_000_000));
        let a = Args::parse_from(["pkt-stats", "--hosts", "--io"]);
        let r = a.reports();
        assert!(r.hosts && r.io && !r.summary && !r.conversations);
        assert_eq!(a.config().interval_ns, Some(1_000_000_000));
    }
}
