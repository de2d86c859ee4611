//! `--from-json`: pkt-decode's `--json --raw` records back to packets, read by
//! [`pktkit::render::json::read`] (next to the writer of the schema) and written, shown or
//! sent here.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::Path;

use pktkit::capture::{CaptureWriter, Interface, LinkType, OutputFormat, Packet, Precision};
use pktkit::render::json::read::{ReadError, packet_of};
use pktkit::stream::{LineEvent, LineReader, Source};
use serde_json::Value as Json;

use super::replay::{Replayer, schedule};
use super::{Args, input_paths, shower};
use crate::cli::{self, Failure};

/// Longest record line accepted (a 16 MiB frame as hex, plus its fields).
const MAX_LINE: usize = 40 << 20;

enum Sink {
    Write { w: Box<CaptureWriter<cli::Output>>, ifaces: HashMap<(LinkType, u32, Precision), Interface> },
    Show(cli::Output, super::show::Show),
    Send(Box<Replayer>),
}

impl Sink {
    /// Writes out what is buffered (before waiting for more input).
    fn flush(&mut self) -> Result<(), Failure> {
        match self {
            Sink::Write { w, .. } => Ok(w.flush()?),
            Sink::Show(out, _) => Ok(out.flush()?),
            Sink::Send(_) => Ok(()),
        }
    }
}

pub(crate) fn run(args: &Args) -> Result<(), Failure> {
    let files = input_paths(&args.args);
    if (files.is_empty() || files.iter().any(|f| f.as_os_str() == "-"))
        && io::IsTerminal::is_terminal(&io::stdin())
    {
        return Err(Failure::Usage(
            "no JSON records on stdin (it is a terminal); pipe them in (pkt-decode --json --raw ... |) or name a FILE".into(),
        ));
    }
    let mut sink = if let Some(path) = &args.write {
        let format = if args.pcapng { OutputFormat::PcapNg } else { OutputFormat::Pcap };
        Sink::Write {
            w: Box::new(CaptureWriter::new(cli::open_output(Some(path), true)?, format)),
            ifaces: HashMap::new(),
        }
    } else if args.show {
        Sink::Show(cli::open_output(None, false)?, shower(args, true))
    } else {
        pktkit::net::require_cap_net_raw("sending packets").map_err(super::net_failure)?;
        Sink::Send(Box::new(Replayer::new(args.iface.as_deref(), schedule(args))))
    };
    let names: Vec<String> = if files.is_empty() {
        vec!["-".into()]
    } else {
        files.iter().map(|f| f.display().to_string()).collect()
    };
    let interrupts = cli::interrupts()?;
    let mut number = 0u64;
    let mut unchecked: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    // Records written cut to their snaplen.
    let mut cut = 0u64;
    for name in &names {
        if interrupts.is_interrupted() {
            break;
        }
        let mut src = if name == "-" { Source::stdin() } else { Source::open(Path::new(name)) }
            .map_err(|e| Failure::Runtime(format!("{name}: {e}")))?;
        src.set_interrupts(Some(std::sync::Arc::clone(&interrupts)));
        let mut input = LineReader::new(src, MAX_LINE);
        while let Some(event) = input.next_event().map_err(|e| Failure::Runtime(format!("{name}: {e}")))? {
            let (lineno, line) = match event {
                LineEvent::Line { number, bytes } => (number, bytes),
                LineEvent::Idle => {
                    sink.flush()?;
                    continue;
                }
            };
            let text = String::from_utf8_lossy(line);
            if text.trim().is_empty() {
                continue;
            }
            let at = format!("{name}: record {} (line {lineno})", number + 1);
            let rec: Json = serde_json::from_str(&text)
                .map_err(|e| Failure::Runtime(format!("{at}: not a JSON record: {e}")))?;
            let b = packet_of(&rec).map_err(|e| match e {
                ReadError::OldSchema(_) => Failure::Usage(format!("{at}: {e}")),
                ReadError::Record(_) => Failure::Runtime(format!("{at}: {e}")),
            })?;
            number += 1;
            for key in &b.unchecked {
                *unchecked.entry(key.clone()).or_insert(0u64) += 1;
            }
            match &mut sink {
                Sink::Write { w, ifaces } => {
                    let next_id = ifaces.len() as u32;
                    let iface = ifaces.entry((b.linktype, b.snaplen, b.precision)).or_insert_with(|| {
                        let mut i = Interface::live(b.linktype, b.snaplen, b.precision);
                        i.id = next_id;
                        i
                    });
                    // Cut to what libpcap reads for the output's snaplen; the wire length is kept.
                    let keep = b.bytes.len().min(iface.snapshot() as usize);
                    cut += u64::from(keep < b.bytes.len());
                    let mut pkt = Packet::new(number, b.ts, &b.bytes[..keep], b.orig_len, iface);
                    pkt.raw_ts = b.raw_ts;
                    w.write(&pkt)?;
                }
                Sink::Show(out, show) => {
                    let iface = Interface::live(b.linktype, b.snaplen, b.precision);
                    show.packet(out, &Packet::new(number, b.ts, &b.bytes, b.orig_len, &iface))?;
                }
                Sink::Send(rep) => rep.send(b.linktype, &b.bytes, b.ts)?,
            }
        }
    }
    if !unchecked.is_empty() && !args.quiet {
        let keys: Vec<String> = unchecked.iter().map(|(k, n)| format!("{k} ({n})")).collect();
        cli::warn(
            super::TOOL,
            format!(
                "not compared or written, as pkt-send does not locate their headers in those frames (the bytes are raw.hex's): {}",
                keys.join(", ")
            ),
        );
    }
    if cut > 0 && !args.quiet {
        cli::warn(
            super::TOOL,
            format!(
                "{cut} record(s) held more bytes than their snaplen: written cut to it, with their wire length"
            ),
        );
    }
    match sink {
        Sink::Write { w, .. } => {
            let skipped = w.skipped().clone();
            w.finish()?;
            for (lt, n) in skipped {
                cli::warn(
                    super::TOOL,
                    format!(
                        "{n} packet(s) of link type {lt} not written: classic pcap holds one link type per file (use --pcapng)"
                    ),
                );
            }
            Ok(())
        }
        Sink::Show(mut out, _) => Ok(out.flush()?),
        Sink::Send(mut rep) => rep.report(args),
    }
}
