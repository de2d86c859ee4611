//! pcap-filter: keep the packets that match a libpcap filter expression.

use std::io::Write;
use std::path::PathBuf;

use clap::Parser;
use pktkit::bpf::{Filter, MAX_OPTIMIZED_OPERATORS, NETMASK_UNKNOWN, Plan, Program};
use pktkit::capture::{CaptureReader, CaptureWriter, Event, Interface, LinkType, OutputFormat, Packet};
use pktkit::decode::{DecodeOptions, decode};
use pktkit::dfilter::Filter as DisplayFilter;

use crate::cli::{self, Failure};

const TOOL: &str = "pcap-filter";

const EXAMPLES: &str = "\
Examples:
  pcap-filter 'tcp port 80' < in.pcap > web.pcap
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
    /// libpcap filter expression, e.g. 'tcp port 80 and host 10.0.0.1' ("" keeps everything).
    /// With -Y every operand is a file; give a BPF expression with -f.
    #[arg(value_name = "EXPRESSION", required_unless_present = "display_filter")]
    pub expression: Option<String>,

    /// Wireshark display filter (tshark -Y), e.g. 'http.request.method == "GET"'; with a BPF
    /// expression both must match.
    #[arg(short = 'Y', long = "display-filter", value_name = "DISPLAY_FILTER")]
    pub display_filter: Option<String>,

    /// With -Y: a libpcap filter expression as well (tshark's -f).
    #[arg(short = 'f', value_name = "EXPRESSION", requires = "display_filter")]
    pub bpf: Option<String>,

    /// Capture files (pcap or pcapng, detected by content), read in order; stdin when none or '-'.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

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
pub fn run(mut args: Args) -> Result<(), Failure> {
    let mut display = None;
    if let Some(expr) = &args.display_filter {
        display = Some(crate::cli::display_filter(expr)?);
        // With -Y the operands are all files (tshark: `-r FILE -Y EXPR`).
        if let Some(first) = args.expression.take() {
            args.files.insert(0, first.into());
        }
        args.expression = args.bpf.take();
    }
    let expression = args.expression.clone().unwrap_or_default();
    let inputs = cli::inputs(&args.files)?;
    let mut filter = Filter::new(&expression, args.netmask.unwrap_or(NETMASK_UNKNOWN));
    note_plan(&filter);
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
        report_failures(&filter);
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
    let outcome = filter_loop(&mut reader, &mut writer, (&mut filter, &mut display), &args, first.is_some());
    // Everything kept before an error is written out and flushed before the error is reported.
    if let Some(iface) = reader.interfaces().first() {
        writer.begin(iface)?;
    }
    let skipped = writer.skipped().clone();
    let finished = writer.finish();
    if !matches!(outcome, Err(Failure::Usage(_))) {
        report_failures(&filter);
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

/// Compiles for the stream's first link type: an expression libpcap rejects there is a usage
/// error (exit 2). Inverted (`-v`), a well-formed expression that cannot apply to this link
/// type (it compiles for Ethernet) matches nothing, so every packet is kept, as for the other
/// link types of a stream.
fn compile_first(filter: &mut Filter, iface: &Interface, invert: bool) -> Result<(), Failure> {
    let expr = filter.expression().to_string();
    let netmask = filter.netmask();
    let linktype = iface.linktype;
    match filter.prepare(iface) {
        Ok(_) => Ok(()),
        Err(e)
            if invert
                && (e.rejects_all() || Program::compile(&expr, LinkType::ETHERNET, netmask).is_ok()) =>
        {
            Ok(())
        }
        Err(e) => Err(Failure::Usage(format!("filter '{expr}' on link type {linktype}: {}", e.message))),
    }
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
            let d = decode(pkt.linktype(), pkt.data, pkt.orig_len, &DecodeOptions::default());
            df.matches(pkt, &d)
        }
        None => true,
    }
}

fn report_failures(filter: &Filter) {
    for e in filter.failures() {
        cli::warn(
            TOOL,
            format!(
                "filter does not apply to link type {} ({}); its packets did not match",
                e.linktype, e.message
            ),
        );
    }
}

fn filter_loop<W: Write>(
    reader: &mut CaptureReader,
    writer: &mut CaptureWriter<W>,
    (filter, display): (&mut Filter, &mut Option<DisplayFilter>),
    args: &Args,
    mut checked_first: bool,
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
