//! The streaming reader: inputs in order, format detected by magic number.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, Read};
use std::ops::Range;
use std::os::fd::AsFd;
use std::path::PathBuf;

use super::buffer::ReadBuffer;
use super::pcap::PcapSource;
use super::pcapng::PcapNgSource;
use super::{CaptureError, FormatError, Interface, Packet, Timestamp};

/// One input of a reader.
pub enum Input {
    /// Standard input.
    Stdin,
    /// A file, opened when its turn comes.
    File(PathBuf),
    /// Any byte stream (tests, pipes a program opened itself), with the name errors use.
    Stream(String, Box<dyn Read + Send>),
}

impl Input {
    /// The name errors and reports use for this input.
    pub fn name(&self) -> String {
        match self {
            Input::Stdin => "stdin".to_string(),
            Input::File(p) => p.display().to_string(),
            Input::Stream(name, _) => name.clone(),
        }
    }
}

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

/// What a format reader found next.
pub(crate) enum Step {
    Packet(Meta),
    End,
}

/// A packet's description, with its data as a range of the reader's buffer.
pub(crate) struct Meta {
    pub(crate) pos: usize,
    /// Bytes stored in the record.
    pub(crate) len: usize,
    /// Bytes libpcap would show: `len` cut to the interface's snaplen.
    pub(crate) shown: usize,
    pub(crate) ts: Timestamp,
    pub(crate) orig_len: u32,
    pub(crate) iface: usize,
    pub(crate) raw_ts: Option<(u32, u32)>,
    pub(crate) pcapng_ts: Option<u64>,
    /// Byte offset of the record or block in its input.
    pub(crate) offset: u64,
    pub(crate) record: u64,
}

impl Meta {
    fn range(&self) -> Range<usize> {
        self.pos..self.pos + self.len
    }
}

pub(crate) fn format_error(input: &str, kind: FormatError, packet: Option<u64>, offset: u64) -> CaptureError {
    CaptureError::Format { input: input.to_string(), kind, packet, offset }
}

pub(crate) fn read_error(input: &str, buf: &ReadBuffer, source: io::Error) -> CaptureError {
    CaptureError::Read { input: input.to_string(), offset: buf.offset(), source }
}

enum Format {
    Pcap(PcapSource),
    PcapNg(PcapNgSource),
}

struct Current {
    name: String,
    src: Box<dyn Read>,
    format: Format,
}

/// Reads packets from one or more capture inputs, in order, with constant memory.
///
/// ```no_run
/// use pktkit::capture::{CaptureReader, Input};
/// let mut reader = CaptureReader::new(vec![Input::Stdin]);
/// while let Some(packet) = reader.next_packet()? {
///     println!("{} {} bytes", packet.number, packet.data.len());
/// }
/// # Ok::<(), pktkit::capture::CaptureError>(())
/// ```
pub struct CaptureReader {
    pending: VecDeque<Input>,
    current: Option<Current>,
    buf: ReadBuffer,
    interfaces: Vec<Interface>,
    number: u64,
}

impl CaptureReader {
    /// A reader over `inputs`; each is opened when the previous one ends.
    pub fn new(inputs: Vec<Input>) -> Self {
        CaptureReader {
            pending: inputs.into(),
            current: None,
            buf: ReadBuffer::new(),
            interfaces: Vec::new(),
            number: 0,
        }
    }

    /// Every interface seen so far, indexed by [`Interface::id`].
    pub fn interfaces(&self) -> &[Interface] {
        &self.interfaces
    }

    /// Packets returned so far.
    pub fn count(&self) -> u64 {
        self.number
    }

    /// Opens the next input and reads its file header; false when none is left.
    ///
    /// Called by [`Self::next_packet`]; call it directly to learn the first input's interfaces
    /// (link type, snaplen) before its first packet.
    pub fn open_next(&mut self) -> Result<bool, CaptureError> {
        let Some(input) = self.pending.pop_front() else {
            return Ok(false);
        };
        let name = input.name();
        let mut src: Box<dyn Read> = match input {
            // Its own descriptor, not `io::Stdin`: no lock and no second buffer per read.
            Input::Stdin => match io::stdin().as_fd().try_clone_to_owned() {
                Ok(fd) => Box::new(File::from(fd)),
                Err(source) => return Err(CaptureError::Open { input: name, source }),
            },
            Input::File(path) => Box::new(
                File::open(&path).map_err(|source| CaptureError::Open { input: name.clone(), source })?,
            ),
            Input::Stream(_, r) => r,
        };
        self.buf.reset();
        let buf = &mut self.buf;
        if !buf.fill(&mut *src, 4).map_err(|e| read_error(&name, buf, e))? {
            let kind = match buf.available().len() {
                0 => FormatError::Empty,
                got => FormatError::TruncatedFileHeader { need: 24, got },
            };
            return Err(format_error(&name, kind, None, 0));
        }
        let m = buf.available();
        let magic = u32::from_be_bytes([m[0], m[1], m[2], m[3]]);
        let format = match magic {
            0xA1B2_C3D4 | 0xD4C3_B2A1 | 0xA1B2_3C4D | 0x4D3C_B2A1 => {
                Format::Pcap(PcapSource::open(buf, &mut *src, &name, &mut self.interfaces)?)
            }
            0x0A0D_0D0A => Format::PcapNg(PcapNgSource::open(buf, &mut *src, &name)?),
            _ => return Err(format_error(&name, FormatError::BadMagic(magic), None, 0)),
        };
        self.current = Some(Current { name, src, format });
        Ok(true)
    }

    /// The next packet of the stream; `None` after the last input ends.
    ///
    /// The packet borrows the reader until the next call.
    pub fn next_packet(&mut self) -> Result<Option<Packet<'_>>, CaptureError> {
        loop {
            let Some(cur) = self.current.as_mut() else {
                if !self.open_next()? {
                    return Ok(None);
                }
                continue;
            };
            let step = match &mut cur.format {
                Format::Pcap(s) => s.next(&mut self.buf, &mut *cur.src, &cur.name)?,
                Format::PcapNg(s) => s.next(&mut self.buf, &mut *cur.src, &cur.name, &mut self.interfaces)?,
            };
            match step {
                Step::End => self.current = None,
                Step::Packet(meta) => {
                    self.number += 1;
                    return Ok(Some(Packet {
                        number: self.number,
                        record: meta.record,
                        ts: meta.ts,
                        orig_len: meta.orig_len,
                        data: &self.buf.raw()[meta.pos..meta.pos + meta.shown],
                        stored: &self.buf.raw()[meta.range()],
                        interface: &self.interfaces[meta.iface],
                        raw_ts: meta.raw_ts,
                        pcapng_ts: meta.pcapng_ts,
                        offset: Some(meta.offset),
                    }));
                }
            }
        }
    }
}
