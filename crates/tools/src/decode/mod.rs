//! pkt-decode: turn a capture stream into tcpdump-style text, NDJSON, Wireshark-named fields or
//! their Parquet columns.

use std::io::{LineWriter, Write};
use std::path::PathBuf;

use clap::{ArgAction, Parser};
use pktkit::capture::{CaptureReader, Event, Packet};
use pktkit::decode::defrag::{DefragOutcome, Defragmenter};
use pktkit::decode::{DecodeOptions, Decoded, decode};
use pktkit::dfilter::Filter as DisplayFilter;
use pktkit::render::parquet::{ParquetOutputError, ParquetWriter};
use pktkit::render::{fields, json, text};

use crate::cli::{self, Failure};
use crate::progress::Progress;
use crate::words::{self, Form, StreamFilter};

const TOOL: &str = "pkt-decode";

const EXAMPLES: &str = "\
Examples:
  pkt-decode capture.pcap                       tcpdump -n style text
  pkt-decode -r capture.pcap -e -v -c 10        same options as tcpdump
  pkt-decode -r capture.pcap tcp port 80        with -r, the words are a filter
  pkt-decode tcp port 80 capture.pcap           or: the filter, then the files
  pkt-decode -tttt -X < capture.pcapng          date-time stamps, hex and ASCII
  pkt-decode --json capture.pcap | jq -c 'select(.udp.dst_port == 53)'
  pkt-decode --json --raw capture.pcap > packets.ndjson   (pkt-send can replay these)
  pkt-decode --fields frame.number,ip.src,tcp.dstport --header capture.pcap
  pkt-decode --fields dns.qry.name,tls.handshake.extensions_server_name,http.host capture.pcap
  pcap-filter 'udp port 53' < capture.pcap | pkt-decode --json
  pkt-decode -r capture.pcap -Y 'http.request' -T fields -e http.host -e http.request.uri
  pkt-decode -Y 'dns.qry.name contains \"example\"' --fields frame.number,dns.qry.name capture.pcap
  pkt-decode --fields frame.time_epoch,ip.src,ip.dst,frame.len --parquet packets.parquet capture.pcap
  pcap-capture -i eth0 | pkt-decode --fields frame.time_epoch,dns.qry.name -w dns.parquet

Text mode follows tcpdump 4.99 with -n: names are never resolved (-n is accepted
and changes nothing); times are local (TZ honoured); DNS, mDNS, BOOTP/DHCP and HTTP
are summarised where tcpdump does (by port). --json writes one object per packet,
schema \"pktkit.decode/2.1\" (docs/json-schema.md), with dns/http/tls/dhcp objects
and llc/stp/cdp/slarp/vrrp/ospf objects.
--fields takes Wireshark display-filter names (--fields list shows them) and prints
rows like tshark -T fields; application fields follow tshark's choice of protocol.
--parquet FILE (or -w FILE.parquet) writes the same rows as a Parquet file with one
typed column per field, named for SQL (ip.src is ip_src; docs/parquet.md).
A damaged input ends with one error line naming the input, the packet and the byte
offset (exit 1), after every good packet was written.
Output is flushed whenever the input has nothing more ready, so live pipelines
stream; -U flushes after every packet, -l after every line (as tcpdump). Ctrl-C:
the input still on its way is read (at most 2 s), everything is written, exit 0
(docs/pipelines.md).";

/// Decode packets: tcpdump-style text (default), NDJSON (--json), Wireshark-named fields or Parquet.
#[derive(Debug, Parser)]
#[command(name = TOOL, version, after_help = EXAMPLES, disable_help_flag = true)]
pub struct Args {
    /// Capture files (pcap or pcapng, by content), read in order (stdin when none or '-'),
    /// after an optional libpcap filter expression: the trailing words that are existing
    /// files or paths are the inputs. With -r, every word is the expression (tcpdump).
    #[arg(value_name = "EXPRESSION|FILE")]
    pub words: Vec<String>,

    /// Read this file (tcpdump -r; may be repeated): the words are then the filter expression.
    #[arg(short = 'r', value_name = "FILE", action = ArgAction::Append)]
    pub read: Vec<PathBuf>,

    /// Read the filter expression from FILE (tcpdump -F); the words are then input files.
    #[arg(short = 'F', value_name = "FILE")]
    pub expr_file: Option<PathBuf>,

    /// Stop after N packets.
    #[arg(short = 'c', value_name = "N")]
    pub count: Option<u64>,

    /// One JSON object per packet (NDJSON), schema pktkit.decode/2.1.
    #[arg(long, conflicts_with = "fields")]
    pub json: bool,

    /// With --json: add the frame bytes as hex, link type and raw timestamps.
    #[arg(long, requires = "json")]
    pub raw: bool,

    /// Tab-separated Wireshark fields, e.g. frame.number,ip.src,tcp.dstport ('list' lists them).
    #[arg(long, value_name = "F1,F2,...")]
    pub fields: Option<String>,

    /// With --fields (or -T fields -e F): write the rows to FILE as Parquet, one typed column
    /// per field named for SQL (ip.src is ip_src), '-' for stdout.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["json", "header", "write"])]
    pub parquet: Option<PathBuf>,

    /// Write the --fields rows to FILE.parquet (as --parquet; pkt-decode writes no pcap:
    /// pcap-filter -w does).
    #[arg(short = 'w', value_name = "FILE.parquet", conflicts_with_all = ["json", "header"])]
    pub write: Option<PathBuf>,

    /// With --fields: print the field names as a first row.
    #[arg(long, requires = "fields")]
    pub header: bool,

    /// Print only the packets that match this Wireshark display filter (tshark -Y), in every
    /// output mode, e.g. 'http.request' or 'tcp.port in {80 443} && ip.addr == 10.0.0.0/8'.
    #[arg(short = 'Y', long = "display-filter", value_name = "DISPLAY_FILTER")]
    pub display_filter: Option<String>,

    /// tshark's output format: only 'fields' (with -e FIELD, which then names a field, not
    /// tcpdump's -e).
    #[arg(short = 'T', value_name = "FORMAT", value_parser = ["fields"], conflicts_with_all = ["json", "fields"])]
    pub tshark_format: Option<String>,

    /// With -T fields: a field to print (tshark -e; given on the command line as -e FIELD).
    #[arg(long = "tshark-field", value_name = "FIELD", action = ArgAction::Append, requires = "tshark_format", hide = true)]
    pub tshark_fields: Vec<String>,

    /// With -T fields: tshark's -E options header=y|n, separator=C (t, s or a character),
    /// occurrence=f|l|a, aggregator=C.
    #[arg(short = 'E', value_name = "OPTION=VALUE", action = ArgAction::Append, requires = "tshark_format")]
    pub tshark_options: Vec<String>,

    /// Reassemble IPv4/IPv6 fragments (bounded pool: 1024 datagrams, 16 MiB, 30 s).
    #[arg(long)]
    pub defrag: bool,

    /// Print the link-layer header (tcpdump -e).
    #[arg(short = 'e')]
    pub link: bool,

    /// More detail (tcpdump -v, -vv).
    #[arg(short = 'v', action = ArgAction::Count)]
    pub verbose: u8,

    /// Hex dump after each line; -xx includes the link header (tcpdump -x).
    #[arg(short = 'x', action = ArgAction::Count)]
    pub hex: u8,

    /// Hex and ASCII dump; -XX includes the link header (tcpdump -X).
    #[arg(short = 'X', action = ArgAction::Count)]
    pub hex_ascii: u8,

    /// ASCII dump; -AA includes the link header (tcpdump -A).
    #[arg(short = 'A', action = ArgAction::Count)]
    pub ascii: u8,

    /// Number the packets (tcpdump -#).
    #[arg(short = '#')]
    pub number: bool,

    /// Timestamps: -t none, -tt epoch, -ttt delta, -tttt date, -ttttt since first (tcpdump).
    #[arg(short = 't', action = ArgAction::Count)]
    pub time: u8,

    /// Print nanosecond fractions (tcpdump --nano).
    #[arg(long)]
    pub nano: bool,

    /// Quiet: shorter lines, TCP as 'tcp N' and UDP as 'UDP, length N' (tcpdump -q).
    #[arg(short = 'q')]
    pub quiet: bool,

    /// Absolute TCP sequence numbers, not relative to the first seen (tcpdump -S).
    #[arg(short = 'S', long = "absolute-tcp-sequence-numbers")]
    pub absolute_seq: bool,

    /// Accepted for tcpdump habits; pkt-decode never resolves names.
    #[arg(short = 'n', action = ArgAction::Count)]
    pub numeric: u8,

    /// Line-buffered output: write each line at once (tcpdump -l).
    #[arg(short = 'l')]
    pub line_buffered: bool,

    /// Packet-buffered output: write each packet's output at once (tcpdump -U).
    #[arg(short = 'U', long = "packet-buffered")]
    pub packet_buffered: bool,

    /// Print help.
    #[arg(short = 'h', long, action = ArgAction::Help)]
    pub help: Option<bool>,
}

enum Mode {
    Text(Box<text::TextPrinter>),
    Json(json::JsonWriter),
    Fields(Box<fields::FieldsWriter>),
    Parquet(Box<ParquetWriter<cli::Output>>),
}

/// Runs pkt-decode with parsed arguments.
pub fn run(args: Args) -> Result<(), Failure> {
    refuse_text_options(&args)?;
    let mut display = match &args.display_filter {
        Some(expr) => Some(cli::display_filter(expr)?),
        None => None,
    };
    let mut header = args.header;
    let parquet = parquet_path(&args)?;
    let mode = if let Some(path) = parquet {
        parquet_mode(&args, path)?
    } else if args.tshark_format.is_some() {
        if args.tshark_fields.is_empty() {
            return Err(Failure::Usage("-T fields needs at least one -e FIELD".to_string()));
        }
        let mut style = fields::TsharkStyle::default();
        for opt in &args.tshark_options {
            header |= style.set(opt).map_err(Failure::Usage)?;
        }
        let w = fields::FieldsWriter::new(&args.tshark_fields.join(",")).map_err(Failure::Usage)?;
        Mode::Fields(Box::new(w.tshark_style(style)))
    } else if let Some(spec) = &args.fields {
        if spec == "list" {
            let mut out = cli::open_output(None, false)?;
            for name in fields::known_names() {
                writeln!(out, "{name}")?;
            }
            out.flush()?;
            return Ok(());
        }
        Mode::Fields(Box::new(fields::FieldsWriter::new(spec).map_err(Failure::Usage)?))
    } else if args.json {
        Mode::Json(json::JsonWriter::new(args.raw))
    } else {
        Mode::Text(Box::new(text::TextPrinter::new(text::TextOptions {
            link_header: args.link,
            verbosity: args.verbose,
            hex_dump: args.hex,
            hex_ascii_dump: args.hex_ascii,
            ascii_dump: args.ascii,
            number: args.number,
            time_format: args.time,
            nano: args.nano,
            quiet: args.quiet,
            absolute_seq: args.absolute_seq,
        })))
    };
    let selection = words::select(Form::FilesFirst, &args.read, args.expr_file.as_deref(), &args.words)?;
    let filter = StreamFilter::new(selection.expression.as_deref());
    let inputs = cli::inputs(&selection.files)?;
    let out = cli::open_output(None, false)?;
    let progress = Progress::new(&selection.files);
    let mut reader = cli::reader(inputs)?;
    if args.line_buffered {
        let (file, _) = out.into_parts();
        return decode_to(
            &mut reader,
            LineWriter::new(file),
            (mode, &mut display, header),
            (filter, &progress),
            &args,
        );
    }
    decode_to(&mut reader, out, (mode, &mut display, header), (filter, &progress), &args)
}

/// The Parquet file asked for (`--parquet FILE`, `-w FILE.parquet`), if any.
fn parquet_path(args: &Args) -> Result<Option<&std::path::Path>, Failure> {
    if let Some(path) = &args.write {
        let parquet = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("parquet"));
        if !parquet {
            return Err(Failure::Usage(format!(
                "-w {}: pkt-decode writes only Parquet (FILE.parquet, with --fields); \
                 pcap-filter -w writes pcap",
                path.display()
            )));
        }
        return Ok(Some(path));
    }
    Ok(args.parquet.as_deref())
}

/// The Parquet writer of `--fields` (or `-T fields -e F`) to `path`; options that shape the
/// text rows or its flushing cannot be combined (exit 2). A terminal is refused: Parquet is
/// binary.
fn parquet_mode(args: &Args, path: &std::path::Path) -> Result<Mode, Failure> {
    let flag = if args.write.is_some() { "-w" } else { "--parquet" };
    let spec = match (&args.fields, args.tshark_fields.is_empty()) {
        (Some(spec), _) if spec != "list" => spec.clone(),
        (None, false) => args.tshark_fields.join(","),
        _ => return Err(Failure::Usage(format!("{flag} needs --fields F1,F2,... (or -T fields -e F)"))),
    };
    let given: Vec<&str> =
        [(!args.tshark_options.is_empty(), "-E"), (args.line_buffered, "-l"), (args.packet_buffered, "-U")]
            .into_iter()
            .filter_map(|(on, option)| on.then_some(option))
            .collect();
    if !given.is_empty() {
        return Err(Failure::Usage(format!(
            "{} shapes text rows only: nothing with {flag}",
            given.join(" ")
        )));
    }
    if path == std::path::Path::new("-") && std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        return Err(Failure::Usage(
            "refusing to write binary Parquet to a terminal; redirect it (> file.parquet) or name a FILE"
                .to_string(),
        ));
    }
    // The field list first: a wrong name is reported before the file is created.
    pktkit::render::parquet::columns(&spec).map_err(|e| Failure::Usage(e.to_string()))?;
    let sink = cli::open_output(Some(path), false)?;
    let writer = ParquetWriter::new(&spec, sink).map_err(parquet_failure)?;
    Ok(Mode::Parquet(Box::new(writer)))
}

/// A Parquet error as a tool failure (a closed pipe ends quietly).
fn parquet_failure(e: ParquetOutputError) -> Failure {
    match e {
        ParquetOutputError::Fields(msg) => Failure::Usage(msg),
        e if e.is_broken_pipe() => Failure::PipeClosed,
        e => Failure::Runtime(format!("write error: {e}")),
    }
}

/// Options of the text mode do nothing with --json or --fields: say so (exit 2).
fn refuse_text_options(args: &Args) -> Result<(), Failure> {
    let mode = match (&args.fields, args.json) {
        _ if args.parquet.is_some() => "--parquet",
        _ if args.write.is_some() => "-w",
        (Some(_), _) => "--fields",
        (None, true) => "--json",
        (None, false) => return Ok(()),
    };
    let given: Vec<&str> = [
        (args.link, "-e"),
        (args.verbose > 0, "-v"),
        (args.hex > 0, "-x"),
        (args.hex_ascii > 0, "-X"),
        (args.ascii > 0, "-A"),
        (args.number, "-#"),
        (args.time > 0, "-t"),
        (args.nano, "--nano"),
        (args.quiet, "-q"),
        (args.absolute_seq, "-S"),
    ]
    .into_iter()
    .filter_map(|(on, flag)| on.then_some(flag))
    .collect();
    if given.is_empty() {
        return Ok(());
    }
    let verb = if given.len() == 1 { "shapes" } else { "shape" };
    Err(Failure::Usage(format!("{} {verb} text output only: nothing with {mode}", given.join(" "))))
}

/// Decodes everything to `out`; everything decoded before an error is written out before the
/// error is reported.
fn decode_to<W: Write>(
    reader: &mut CaptureReader,
    mut out: W,
    mode: (Mode, &mut Option<DisplayFilter>, bool),
    (mut filter, progress): (Option<StreamFilter>, &Progress),
    args: &Args,
) -> Result<(), Failure> {
    let (mut mode, display, header) = mode;
    let outcome =
        decode_loop(reader, &mut out, (&mut mode, display, header), (filter.as_mut(), progress), args);
    // A Parquet file gets its footer also after an error: every row before it is readable.
    let closed = match mode {
        Mode::Parquet(p) => p.finish().map_err(parquet_failure).and_then(|mut file| Ok(file.flush()?)),
        _ => Ok(()),
    };
    let flushed = out.flush();
    progress.finish();
    if let Some(f) = &filter
        && !matches!(outcome, Err(Failure::Usage(_)))
    {
        f.report(TOOL);
    }
    outcome?;
    closed?;
    flushed?;
    Ok(())
}

fn decode_loop<W: Write>(
    reader: &mut CaptureReader,
    out: &mut W,
    (mode, display, header): (&mut Mode, &mut Option<DisplayFilter>, bool),
    (mut filter, progress): (Option<&mut StreamFilter>, &Progress),
    args: &Args,
) -> Result<(), Failure> {
    let opts = DecodeOptions::default();
    let mut pool = args.defrag.then(Defragmenter::new);
    if let (Mode::Fields(f), true) = (&*mode, header) {
        f.header(out)?;
    }
    if args.count == Some(0) {
        return Ok(());
    }
    let mut n = 0u64;
    while let Some(event) = reader.next_event()? {
        let pkt = match event {
            Event::Packet(pkt) => pkt,
            Event::Idle => {
                out.flush()?;
                continue;
            }
        };
        progress.packet(pkt.stored.len());
        if let Some(f) = filter.as_deref_mut()
            && !f.matches(&pkt)?
        {
            continue;
        }
        n += 1;
        let d = decode(pkt.linktype(), pkt.data, pkt.orig_len, &opts);
        if let Some(pool) = pool.as_mut()
            && let DefragOutcome::Complete(frags) = pool.add(&d, pkt.ts)
        {
            let r = pool.decode_reassembled(&d, &opts);
            if display.as_mut().is_none_or(|f| f.matches(&pkt, &r)) {
                emit(mode, out, &pkt, &r, Some(frags))?;
            } else {
                skip(mode, &pkt, &r);
            }
        } else {
            let mut d = d;
            // With --defrag (tshark's reassembly view) a fragment not reassembled carries no
            // transport layer, also the first one, whose header the decoder reads.
            if pool.is_some() && d.net.as_ref().and_then(|n| n.ip_payload_ref()).is_some_and(|p| p.fragmented)
            {
                d.transport = None;
                d.app = None;
            }
            if display.as_mut().is_none_or(|f| f.matches(&pkt, &d)) {
                emit(mode, out, &pkt, &d, None)?;
            } else {
                skip(mode, &pkt, &d);
            }
        }
        if args.packet_buffered {
            out.flush()?;
        }
        // Stop right after the last one, as tcpdump does, not when another packet comes.
        if args.count.is_some_and(|c| n >= c) {
            break;
        }
    }
    Ok(())
}

fn emit<W: Write>(
    mode: &mut Mode,
    out: &mut W,
    pkt: &Packet<'_>,
    d: &Decoded<'_>,
    reassembled: Option<u32>,
) -> Result<(), Failure> {
    match mode {
        Mode::Text(t) => t.packet(out, pkt, d)?,
        Mode::Json(j) => j.packet(out, pkt, d, reassembled)?,
        Mode::Fields(f) => f.packet(out, pkt, d)?,
        Mode::Parquet(p) => p.packet(pkt, d).map_err(parquet_failure)?,
    }
    Ok(())
}

/// A packet the display filter dropped: stream indexes and time deltas count it too.
fn skip(mode: &mut Mode, pkt: &Packet<'_>, d: &Decoded<'_>) {
    match mode {
        Mode::Fields(f) => f.skip(pkt, d),
        Mode::Parquet(p) => p.skip(pkt, d),
        Mode::Text(_) | Mode::Json(_) => {}
    }
}

/// tshark's `-T fields -e FIELD`: with `-T fields` on the command line, each `-e X` names a
/// field (`--tshark-field X`) instead of being tcpdump's `-e` (link-layer header).
pub fn tshark_argv(argv: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let tshark =
        argv.windows(2).any(|w| w[0] == "-T" && w[1] == "fields") || argv.iter().any(|a| a == "-Tfields");
    if !tshark {
        return argv;
    }
    let mut out = Vec::with_capacity(argv.len());
    let mut it = argv.into_iter().peekable();
    while let Some(a) = it.next() {
        if a == "--" {
            out.push(a);
            out.extend(it);
            break;
        }
        if a == "-e" && it.peek().is_some() {
            out.push("--tshark-field".into());
        } else if a == "-Tfields" {
            out.push("-T".into());
            out.push("fields".into());
            continue;
        } else {
            out.push(a);
        }
    }
    out
}
