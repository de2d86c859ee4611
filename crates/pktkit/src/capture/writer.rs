//! Writers: classic pcap (one link type) or pcapng (an interface block per input interface).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::error::Error as _;
use std::io::{self, Write};

use pcap_file::pcap::{PcapHeader, PcapTsResolution, PcapWriteError, PcapWriter, RawPcapPacket};
use pcap_file::pcapng::blocks::section_header::{SectionHeaderBlock, SectionHeaderOption};
use pcap_file::pcapng::{PcapNgWriteError, PcapNgWriter};
use pcap_file::{DataLink, Endianness};
use thiserror::Error;

use super::pcapng::{EPB_TYPE, IDB_TYPE, OPT_IF_NAME, OPT_IF_TSOFFSET, OPT_IF_TSRESOL};
use super::{Interface, LinkType, MAX_BLOCK, Origin, Packet, PcapNgClock, Precision, Timestamp};

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
    /// A file header or interface the format cannot encode.
    #[error("cannot encode: {0}")]
    Encode(String),
    /// A packet the format cannot hold.
    #[error("{}cannot write packet {packet}{}: {reason}", input_prefix(input), at_offset(*offset))]
    Packet {
        /// The input it was read from (empty for a packet the program made).
        input: String,
        /// 1-based record number in that input.
        packet: u64,
        /// Byte offset of its record in the input, when it was read from one.
        offset: Option<u64>,
        /// Why it cannot be written.
        reason: String,
    },
}

fn input_prefix(input: &str) -> String {
    if input.is_empty() { String::new() } else { format!("{input}: ") }
}

fn at_offset(offset: Option<u64>) -> String {
    offset.map(|o| format!(" (byte offset {o})")).unwrap_or_default()
}

impl WriteError {
    /// The error `reason` about `pkt`, naming its input, record number and byte offset.
    fn packet(pkt: &Packet<'_>, reason: String) -> Self {
        WriteError::Packet {
            input: pkt.interface.input.clone(),
            packet: pkt.record,
            offset: pkt.offset,
            reason,
        }
    }
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
        /// Output interface id and timestamp units of each input interface id.
        ids: Vec<Option<(u32, PcapNgClock)>>,
        next_id: u32,
    },
    Done,
}

/// The timestamp units an interface gets in pcapng output: its own when it came from pcapng.
fn output_clock(iface: &Interface) -> PcapNgClock {
    match (&iface.origin, iface.precision) {
        (Origin::PcapNg(clock), _) => *clock,
        (_, Precision::Nano) => PcapNgClock::NANO,
        (_, Precision::Micro) => PcapNgClock::MICRO,
    }
}

/// Bytes that pad `len` to a multiple of 4.
fn padding(len: usize) -> &'static [u8] {
    &[0u8; 3][..(4 - len % 4) % 4]
}

/// Appends one pcapng option (code, length, value, padding) in native byte order.
fn push_option(body: &mut Vec<u8>, code: u16, value: &[u8]) {
    body.extend_from_slice(&code.to_ne_bytes());
    body.extend_from_slice(&(value.len() as u16).to_ne_bytes());
    body.extend_from_slice(value);
    body.extend_from_slice(padding(value.len()));
}

/// Writes an interface description block with the interface's link type, snaplen, name and
/// the timestamp units `clock` (written by hand, as pcap-file 3.0.0-rc.3 refuses
/// `if_tsresol` finer than 10^-9 or 2^-29 s, which Wireshark and pktkit's reader read).
fn write_idb<W: Write>(out: &mut W, iface: &Interface, clock: PcapNgClock) -> io::Result<()> {
    let mut body = Vec::with_capacity(64);
    body.extend_from_slice(&iface.linktype.0.to_ne_bytes());
    body.extend_from_slice(&[0, 0]);
    body.extend_from_slice(&iface.snaplen.to_ne_bytes());
    if let Some(name) = &iface.name {
        push_option(&mut body, OPT_IF_NAME, name.as_bytes());
    }
    if clock.tsresol != PcapNgClock::MICRO.tsresol {
        push_option(&mut body, OPT_IF_TSRESOL, &[clock.tsresol]);
    }
    if clock.tsoffset != 0 {
        push_option(&mut body, OPT_IF_TSOFFSET, &clock.tsoffset.to_ne_bytes());
    }
    if body.len() > 8 {
        push_option(&mut body, 0, &[]);
    }
    let total = (12 + body.len()) as u32;
    out.write_all(&IDB_TYPE.to_ne_bytes())?;
    out.write_all(&total.to_ne_bytes())?;
    out.write_all(&body)?;
    out.write_all(&total.to_ne_bytes())
}

/// Writes an enhanced packet block with the raw 64-bit timestamp `raw_ts` (written by hand,
/// as pcap-file encodes timestamps from a `Duration`, which cannot hold every time a pcapng
/// interface can: seconds resolution up to 2^64 s, offsets before 1970).
fn write_epb<W: Write>(
    out: &mut W,
    interface_id: u32,
    raw_ts: u64,
    pkt: &Packet<'_>,
) -> Result<(), WriteError> {
    let data = pkt.stored;
    let total = 32 + data.len() + padding(data.len()).len();
    if total > MAX_BLOCK {
        return Err(WriteError::packet(
            pkt,
            format!("its {} bytes are more than a pcapng block holds ({MAX_BLOCK} bytes)", data.len()),
        ));
    }
    let total = (total as u32).to_ne_bytes();
    let mut head = [0u8; 28];
    head[0..4].copy_from_slice(&EPB_TYPE.to_ne_bytes());
    head[4..8].copy_from_slice(&total);
    head[8..12].copy_from_slice(&interface_id.to_ne_bytes());
    head[12..16].copy_from_slice(&((raw_ts >> 32) as u32).to_ne_bytes());
    head[16..20].copy_from_slice(&(raw_ts as u32).to_ne_bytes());
    head[20..24].copy_from_slice(&(data.len() as u32).to_ne_bytes());
    // pcapng requires original >= captured; some damaged inputs have less.
    head[24..28].copy_from_slice(&pkt.orig_len.max(data.len() as u32).to_ne_bytes());
    out.write_all(&head)?;
    out.write_all(data)?;
    out.write_all(padding(data.len()))?;
    out.write_all(&total)?;
    Ok(())
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
                    _ => {
                        // libpcap reads the seconds field as a signed 32-bit number.
                        let secs = i32::try_from(pkt.ts.secs).map_err(|_| {
                            WriteError::packet(
                                pkt,
                                format!(
                                    "its time {} s does not fit classic pcap's 32-bit seconds (--pcapng keeps it)",
                                    pkt.ts.secs
                                ),
                            )
                        })?;
                        (secs as u32, if *nano { pkt.ts.nanos } else { pkt.ts.nanos / 1000 })
                    }
                };
                let raw = RawPcapPacket {
                    ts_sec,
                    ts_frac,
                    incl_len: pkt.stored.len() as u32,
                    orig_len: pkt.orig_len,
                    data: Cow::Borrowed(pkt.stored),
                };
                w.write_raw_packet(&raw).map_err(|e| match from_pcap(e) {
                    WriteError::Encode(reason) => WriteError::packet(pkt, reason),
                    other => other,
                })?;
            }
            State::PcapNg { w, ids, next_id } => {
                let id = pkt.interface.id as usize;
                if ids.len() <= id {
                    ids.resize(id + 1, None);
                }
                let (out_id, clock) = match ids[id] {
                    Some(known) => known,
                    None => {
                        let clock = output_clock(pkt.interface);
                        write_idb(w.get_mut(), pkt.interface, clock)?;
                        ids[id] = Some((*next_id, clock));
                        *next_id += 1;
                        (*next_id - 1, clock)
                    }
                };
                // A pcapng packet's own timestamp is copied; others are put in its clock's units.
                let ts = match (pkt.raw_ts, &pkt.interface.origin) {
                    // A classic record's seconds field as Wireshark reads it, unsigned (libpcap
                    // reads it signed): no classic time is then before 1970.
                    (Some((secs, frac)), Origin::Pcap(h)) => {
                        let nanos = match h.ts_resolution {
                            PcapTsResolution::NanoSecond => u64::from(frac),
                            PcapTsResolution::MicroSecond => u64::from(frac) * 1000,
                        };
                        Timestamp::new(i64::from(secs), nanos)
                    }
                    _ => pkt.ts,
                };
                let raw_ts = match (pkt.pcapng_ts, &pkt.interface.origin) {
                    (Some(raw), Origin::PcapNg(_)) => raw,
                    _ => clock.encode(ts).ok_or_else(|| {
                        WriteError::packet(
                            pkt,
                            format!(
                                "its time {}.{:09} s cannot be held by a pcapng timestamp \
                                 (if_tsresol {}, if_tsoffset {} s)",
                                ts.secs, ts.nanos, clock.tsresol, clock.tsoffset
                            ),
                        )
                    })?,
                };
                write_epb(w.get_mut(), out_id, raw_ts, pkt)?;
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
