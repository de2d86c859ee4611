//! pcap-filter: keep the packets that match a libpcap filter expression.

use std::io::Write;
use std::path::PathBuf;

use clap::Parser;
use pktkit::bpf::{Filter, MAX_OPTIMIZED_OPERATORS, NETMASK_UNKNOWN, Plan};
use pktkit::capture::{CaptureReader, CaptureWriter, Event, OutputFormat, Packet};
use pktkit::decode::{DecodeOptions, decode};
use pktkit::dfilter::Filter as DisplayFilter;

use crate::cli::{self, Failure};
use crate::progress::Progress;
use crate::words::{self, Form, compile_first, report_failures};

const TOOL: &str = "pcap-filter";

const EXAMPLES: &str = "\
Examples:
  pcap-filter 'tcp port 80' < in.pcap > web.pcap
  pcap-filter -r in.pcap -w web.pcap tcp port 80    tcpdump's way
  pcap-filter tcp port 80 in.pcap > web.pcap        unquoted: inputs are the last words
  pcap-filter -F filter.txt in.pcap > out.pcap      the expression from a file
  pcap-filter -v 'arp or icmp' a.pcap b.pcapng -w rest.pcap
  pcap-filter --count 'udp port 53' capture.pcap
  pcap-filter -c 10 'tcp[tcpflags] & tcp-syn != 0' < in.pcap | pkt-decode
  pcap-capture -i eth0 | pcap-filter 'host 10.0.0.1' | pkt-decode --json
  pcap-filter -Y 'http.request.method == \"GET\"' capture.pcap -w gets.pcap
  pcap-filter -Y 'tls.handshake.type == 1' -f 'tcp port 443' capture.pcapng

The expression is libpcap's (man 7 pcap-filter), compiled by libpcap for each
interface's link type; a link type it cannot apply to matches nothing (a
warning says so). Output is classic pcap unless --pcapng; packets of a second
link type cannot go into classic pcap and are counted on stderr.
Output is flushed whenever the input has nothing more ready (and after every
packet with -U), so live pipelines stream. Ctrl-C: the input still on its way is
read (at most 2 s), everything is written, exit 0 (docs/pipelines.md).";

/// Keep the packets of a capture that match a libpcap (BPF) filter expression.
#[derive(Debug, Parser)]
#[command(name = TOOL, version, after_help = EXAMPLES)]
pub struct Args {
    /// libpcap filter expression, e.g. tcp port 80 and host 10.0.0.1 ("" keeps everything),
    /// then capture files (pcap or pcapng, by content; stdin when none or '-'): the trailing
    /// words that are existing files or paths are the inputs. With -r, every word is the
    /// expression. With -Y every word is an input file (give a BPF expression with -f).
    #[arg(value_name = "EXPRESSION [FILE]", required_unless_present_any = ["read", "expr_file", "display_filter"])]
    pub words: Vec<String>,

    /// Wireshark display filter (tshark -Y), e.g. 'http.request.method == "GET"'; with a BPF
    /// expression both must match.
    #[arg(short = 'Y', long = "display-filter", value_name = "DISPLAY_FILTER")]
    pub display_filter: Option<String>,

    /// With -Y: a libpcap filter expression as well (tshark's -f).
    #[arg(short = 'f', value_name = "EXPRESSION", requires = "display_filter", conflicts_with = "expr_file")]
    pub bpf: Option<String>,

    /// Read this capture file (tcpdump -r; may be repeated): the words are then the expression.
    #[arg(short = 'r', value_name = "FILE", action = clap::ArgAction::Append)]
    pub read: Vec<PathBuf>,

    /// Read the expression from FILE (tcpdump -F); the words are then input files.
    #[arg(short = 'F', value_name = "FILE")]
    pub expr_file: Option<PathBuf>,

    /// Accepted for tcpdump habits (-n, -nn); expressions never need names resolved.
    #[arg(short = 'n', action = clap::ArgAction::Count)]
    pub numeric: u8,

    /// Keep the packets that do NOT match (like grep -v).
    #[arg(short = 'v', long)]
    pub invert_match: bool,

    /// Stop after N kept packets.
    #[arg(short = 'c', value_name = "N")]
    pub max: Option<u64>,

    /// Print only the number of kept packets.
    #[arg(long, conflicts_with_all = ["write", "pcapng"])]
    pub count: bool,

    /// Write to FILE instead of stdout ('-' is stdout).
    #[arg(short = 'w', value_name = "FILE")]
    pub write: Option<PathBuf>,

    /// Write pcapng (keeps every interface and link type) instead of classic pcap.
    #[arg(long)]
    pub pcapng: bool,

    /// IPv4 netmask for 'ip broadcast' (dotted quad); unknown by default, as with tcpdump -r.
    #[arg(long, value_name = "MASK", value_parser = parse_netmask)]
    pub netmask: Option<u32>,

    /// Write each kept packet out at once (tcpdump -U); without it, output is written when the
    /// input has nothing more ready.
    #[arg(short = 'U', long = "packet-buffered", conflicts_with = "count")]
    pub packet_buffered: bool,
}

fn parse_netmask(s: &str) -> Result<u32, String> {
    s.parse::<std::net::Ipv4Addr>()
        .map(u32::from)
        .map_err(|e| format!("{e}: expected a mask like 255.255.255.0"))
}

/// Runs pcap-filter with parsed arguments.
pub fn run(args: Args) -> Result<(), Failure> {
    let (mut display, selection) = match &args.display_filter {
        // With -Y the words are all files, as tshark's `-r FILE -Y EXPR`; BPF comes from -f.
        Some(expr) => {
            let mut files = args.read.clone();
            files.extend(args.words.iter().map(PathBuf::from));
            (Some(cli::display_filter(expr)?), words::Selection { expression: args.bpf.clone(), files })
        }
        None => {
            (None, words::select(Form::ExpressionFirst, &args.read, args.expr_file.as_deref(), &args.words)?)
        }
    };
    let inputs = cli::inputs(&selection.files)?;
    let expression = selection.expression.unwrap_or_default();
    let mut filter = Filter::new(&expression, args.netmask.unwrap_or(NETMASK_UNKNOWN));
    note_plan(&filter);
    let progress = Progress::new(&selection.files);
    let mut reader = cli::reader(inputs)?;
    reader.open_next()?;
    let first = reader.interfaces().first().cloned();
    if let Some(iface) = &first {
        compile_first(&mut filter, iface, args.invert_match)?;
    }

    if args.count {
        let mut kept = 0u64;
        let mut checked_first = first.is_some();
        while let Some(pkt) = reader.next_packet()? {
            progress.packet(pkt.stored.len());
            if !checked_first {
                compile_first(&mut filter, pkt.interface, args.invert_match)?;
                checked_first = true;
            }
            if keep(&mut filter, &mut display, &pkt) != args.invert_match {
                kept += 1;
                if args.max.is_some_and(|n| kept >= n) {
                    break;
                }
            }
        }
        progress.finish();
        report_failures(TOOL, &filter);
        let mut out = cli::open_output(None, false)?;
        writeln!(out, "{kept}")?;
        out.flush()?;
        return Ok(());
    }

    let out = cli::open_output(args.write.as_deref(), true)?;
    let format = if args.pcapng { OutputFormat::PcapNg } else { OutputFormat::Pcap };
    let mut writer = CaptureWriter::new(out, format);
    if let Some(iface) = &first {
        writer.begin(iface)?;
    }
    let outcome = filter_loop(
        &mut reader,
        &mut writer,
        (&mut filter, &mut display),
        &args,
        (first.is_some(), &progress),
    );
    progress.finish();
    // Everything kept before an error is written out and flushed before the error is reported.
    if let Some(iface) = reader.interfaces().first() {
        writer.begin(iface)?;
    }
    let skipped = writer.skipped().clone();
    let finished = writer.finish();
    if !matches!(outcome, Err(Failure::Usage(_))) {
        report_failures(TOOL, &filter);
    }
    outcome?;
    finished?;
    for (linktype, n) in skipped {
        cli::warn(
            TOOL,
            format!(
                "{n} packet(s) of link type {linktype} not written: classic pcap holds one link type \
                 per file (use --pcapng to keep them)"
            ),
        );
    }
    Ok(())
}

/// Says on stderr how a large expression is compiled (see `pktkit::bpf::Plan`).
fn note_plan(filter: &Filter) {
    let (plan, operators) = filter.plan();
    let how = match plan {
        Plan::Optimized => return,
        Plan::Parts(parts) => format!(
            "cut into {} parts of at most {MAX_OPTIMIZED_OPERATORS} 'or's, each optimised",
            parts.len()
        ),
        Plan::Unoptimized => "compiled without libpcap's optimiser (as tcpdump -O)".to_string(),
    };
    eprintln!(
        "{TOOL}: note: the expression has {operators} and/or operators, more than {MAX_OPTIMIZED_OPERATORS}: \
         {how}, as libpcap's optimiser would take minutes on it whole"
    );
}

/// Whether a packet passes the BPF expression and then the display filter, if any.
fn keep(filter: &mut Filter, display: &mut Option<DisplayFilter>, pkt: &Packet<'_>) -> bool {
    if !filter.matches(pkt) {
        return false;
    }
    match display {
        Some(df) => {
            if df.rejects_undecoded(pkt) {
                return false;
            }
            let decoded = decode(pkt.linktype(), pkt.data, pkt.orig_len, &DecodeOptions::default());
            df.matches(pkt, &decoded)
        }
        None => true,
    }
}

fn filter_loop<W: Write>(
    reader: &mut CaptureReader,
    writer: &mut CaptureWriter<W>,
    (filter, display): (&mut Filter, &mut Option<DisplayFilter>),
    args: &Args,
    (mut checked_first, progress): (bool, &Progress),
) -> Result<(), Failure> {
    let mut kept = 0u64;
    while let Some(event) = reader.next_event()? {
        let pkt = match event {
            Event::Packet(pkt) => pkt,
            Event::Idle => {
                writer.flush()?;
                continue;
            }
        };
        progress.packet(pkt.stored.len());
        if !checked_first {
            compile_first(filter, pkt.interface, args.invert_match)?;
            writer.begin(pkt.interface)?;
            checked_first = true;
        }
        if keep(filter, display, &pkt) != args.invert_match {
            writer.write(&pkt)?;
            if args.packet_buffered {
                writer.flush()?;
            }
            kept += 1;
            if args.max.is_some_and(|n| kept >= n) {
                break;
            }
        }
    }
    Ok(())
}
