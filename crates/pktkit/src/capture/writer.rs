//! Writers: classic pcap (one link type) or pcapng (an interface block per input interface).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::error::Error as _;
use std::io::{self, Write};
use std::time::Duration;

use pcap_file::pcap::{PcapHeader, PcapTsResolution, PcapWriteError, PcapWriter, RawPcapPacket};
use pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketBlock;
use pcap_file::pcapng::blocks::interface_description::{
    InterfaceDescriptionBlock, InterfaceDescriptionOption, InterfaceTsResolution,
};
use pcap_file::pcapng::blocks::section_header::{SectionHeaderBlock, SectionHeaderOption};
use pcap_file::pcapng::{PcapNgWriteError, PcapNgWriter};
use pcap_file::{DataLink, Endianness};
use thiserror::Error;

use super::{Interface, LinkType, Origin, Packet, Precision};

/// The file format to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OutputFormat {
    /// Classic pcap: one link type per file.
    #[default]
    Pcap,
    /// pcapng: any number of interfaces and link types.
    PcapNg,
}

/// Writing a capture failed.
#[derive(Debug, Error)]
pub enum WriteError {
    /// The output refused the bytes (a closed pipe shows up here as `BrokenPipe`).
    #[error(transparent)]
    Io(#[from] io::Error),
    /// A packet or interface the format cannot encode.
    #[error("cannot encode: {0}")]
    Encode(String),
}

impl WriteError {
    /// True when the reader of the output went away (`| head`).
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, WriteError::Io(e) if e.kind() == io::ErrorKind::BrokenPipe)
    }
}

fn from_pcap(e: PcapWriteError) -> WriteError {
    match e {
        PcapWriteError::Io(e) | PcapWriteError::FieldWriteFailed(_, e) => WriteError::Io(e),
        other => WriteError::Encode(other.to_string()),
    }
}

fn from_pcapng(e: PcapNgWriteError) -> WriteError {
    match e {
        PcapNgWriteError::Io(e) => WriteError::Io(e),
        other => {
            let detail = other.source().map(|s| format!(": {s}")).unwrap_or_default();
            WriteError::Encode(format!("{other}{detail}"))
        }
    }
}

enum State<W: Write> {
    /// Nothing written yet; the first interface decides the pcap header.
    Pending(W),
    Pcap {
        w: PcapWriter<W>,
        linktype: LinkType,
        nano: bool,
        /// The input header copied verbatim, when there was one.
        copied: Option<PcapHeader>,
    },
    PcapNg {
        w: PcapNgWriter<W>,
        /// Output interface id of each input interface id.
        ids: Vec<Option<u32>>,
        next_id: u32,
    },
    Done,
}

/// Writes packets as pcap or pcapng. Wrap the output in a `BufWriter`.
pub struct CaptureWriter<W: Write> {
    state: State<W>,
    format: OutputFormat,
    skipped: BTreeMap<LinkType, u64>,
    written: u64,
}

fn pcap_header_for(iface: &Interface) -> (PcapHeader, Option<PcapHeader>) {
    if let Origin::Pcap(h) = &iface.origin {
        return (*h, Some(*h));
    }
    let header = PcapHeader {
        version_major: 2,
        version_minor: 4,
        ts_correction: 0,
        ts_accuracy: 0,
        snaplen: if iface.snaplen == 0 { 262_144 } else { iface.snaplen },
        datalink: DataLink::from(iface.linktype.0 as u32),
        ts_resolution: match iface.precision {
            Precision::Nano => PcapTsResolution::NanoSecond,
            Precision::Micro => PcapTsResolution::MicroSecond,
        },
        endianness: Endianness::native(),
    };
    (header, None)
}

impl<W: Write> CaptureWriter<W> {
    /// A writer that writes nothing until the first interface or packet arrives.
    pub fn new(out: W, format: OutputFormat) -> Self {
        CaptureWriter { state: State::Pending(out), format, skipped: BTreeMap::new(), written: 0 }
    }

    /// Packets written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Packets left out because classic pcap holds one link type, per link type.
    pub fn skipped(&self) -> &BTreeMap<LinkType, u64> {
        &self.skipped
    }

    /// Writes the file header now, described by `iface`, if it is not written yet.
    ///
    /// Call it with the input's first interface so an output with no packets is still a
    /// valid capture of the right link type.
    pub fn begin(&mut self, iface: &Interface) -> Result<(), WriteError> {
        if !matches!(self.state, State::Pending(_)) {
            return Ok(());
        }
        let State::Pending(out) = std::mem::replace(&mut self.state, State::Done) else {
            unreachable!("checked above")
        };
        self.state = match self.format {
            OutputFormat::Pcap => {
                let (header, copied) = pcap_header_for(iface);
                State::Pcap {
                    w: PcapWriter::with_header(out, header).map_err(from_pcap)?,
                    linktype: iface.linktype,
                    nano: header.ts_resolution == PcapTsResolution::NanoSecond,
                    copied,
                }
            }
            OutputFormat::PcapNg => {
                let shb = SectionHeaderBlock {
                    endianness: Endianness::native(),
                    major_version: 1,
                    minor_version: 0,
                    section_length: -1,
                    options: vec![SectionHeaderOption::UserApplication(Cow::Borrowed(concat!(
                        "pktkit ",
                        env!("CARGO_PKG_VERSION")
                    )))],
                };
                State::PcapNg {
                    w: PcapNgWriter::with_section_header(out, shb).map_err(from_pcapng)?,
                    ids: Vec::new(),
                    next_id: 0,
                }
            }
        };
        Ok(())
    }

    /// Writes one packet; in classic pcap, a packet of another link type than the file's is
    /// counted in [`Self::skipped`] instead. Returns whether it was written.
    pub fn write(&mut self, pkt: &Packet<'_>) -> Result<bool, WriteError> {
        if matches!(self.state, State::Pending(_)) {
            self.begin(pkt.interface)?;
        }
        match &mut self.state {
            State::Pcap { w, linktype, nano, copied } => {
                if pkt.interface.linktype != *linktype {
                    *self.skipped.entry(pkt.interface.linktype).or_default() += 1;
                    return Ok(false);
                }
                let same_clock = match (&pkt.interface.origin, copied) {
                    (Origin::Pcap(h), Some(c)) => h.ts_resolution == c.ts_resolution,
                    (Origin::Pcap(h), None) => (h.ts_resolution == PcapTsResolution::NanoSecond) == *nano,
                    // A program-made packet's raw fields are in its interface's precision
                    // (pkt-send --from-json carries a record's raw.ts_sec/ts_frac).
                    (Origin::Live, _) => (pkt.interface.precision == Precision::Nano) == *nano,
                    _ => false,
                };
                let (ts_sec, ts_frac) = match pkt.raw_ts {
                    Some(raw) if same_clock => raw,
                    _ => (pkt.ts.secs as u32, if *nano { pkt.ts.nanos } else { pkt.ts.nanos / 1000 }),
                };
                let raw = RawPcapPacket {
                    ts_sec,
                    ts_frac,
                    incl_len: pkt.stored.len() as u32,
                    orig_len: pkt.orig_len,
                    data: Cow::Borrowed(pkt.stored),
                };
                w.write_raw_packet(&raw).map_err(from_pcap)?;
            }
            State::PcapNg { w, ids, next_id } => {
                let id = pkt.interface.id as usize;
                if ids.len() <= id {
                    ids.resize(id + 1, None);
                }
                let out_id = match ids[id] {
                    Some(out_id) => out_id,
                    None => {
                        let iface = pkt.interface;
                        let mut options = Vec::new();
                        if iface.precision == Precision::Nano {
                            options.push(InterfaceDescriptionOption::IfTsResol(InterfaceTsResolution::NANO));
                        }
                        if let Some(name) = &iface.name {
                            options.push(InterfaceDescriptionOption::IfName(Cow::Borrowed(name.as_str())));
                        }
                        let idb = InterfaceDescriptionBlock {
                            linktype: DataLink::from(iface.linktype.0 as u32),
                            snaplen: iface.snaplen,
                            options,
                        };
                        w.write_pcapng_block(idb).map_err(from_pcapng)?;
                        ids[id] = Some(*next_id);
                        *next_id += 1;
                        *next_id - 1
                    }
                };
                let epb = EnhancedPacketBlock {
                    interface_id: out_id,
                    timestamp: Duration::new(pkt.ts.secs.max(0) as u64, pkt.ts.nanos),
                    // pcapng requires original >= captured; some damaged inputs have less.
                    original_len: pkt.orig_len.max(pkt.stored.len() as u32),
                    data: Cow::Borrowed(pkt.stored),
                    options: Vec::new(),
                };
                w.write_pcapng_block(epb).map_err(from_pcapng)?;
            }
            State::Pending(_) | State::Done => unreachable!("begin() leaves a started state"),
        }
        self.written += 1;
        Ok(true)
    }

    /// Writes a header if none was written (Ethernet, when nothing described the input),
    /// flushes, and returns the output.
    pub fn finish(mut self) -> Result<W, WriteError> {
        if matches!(self.state, State::Pending(_)) {
            let fallback = Interface::live(LinkType::ETHERNET, 262_144, Precision::Micro);
            self.begin(&fallback)?;
        }
        let mut out = match std::mem::replace(&mut self.state, State::Done) {
            State::Pcap { w, .. } => w.into_inner(),
            State::PcapNg { w, .. } => w.into_inner(),
            State::Pending(_) | State::Done => unreachable!("begin() leaves a started state"),
        };
        out.flush()?;
        Ok(out)
    }

    /// Flushes the output without finishing (for live captures).
    pub fn flush(&mut self) -> Result<(), WriteError> {
        match &mut self.state {
            State::Pcap { w, .. } => w.flush().map_err(from_pcap),
            State::PcapNg { w, .. } => w.get_mut().flush().map_err(WriteError::Io),
            State::Pending(_) | State::Done => Ok(()),
        }
    }
}
