//! The streaming reader: inputs in order, format detected by magic number.

use std::collections::VecDeque;
use std::io::{self, Read};
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use super::buffer::ReadBuffer;
use super::pcap::PcapSource;
use super::pcapng::PcapNgSource;
use super::{CaptureError, FormatError, Interface, Packet, Timestamp};
use crate::stream::{Interrupts, Pause, Source};

/// One input of a reader.
pub enum Input {
    /// Standard input.
    Stdin,
    /// A file, opened when its turn comes.
    File(PathBuf),
    /// Any byte stream (tests, in-memory data), with the name errors use; its reads are never
    /// polled, so it reports no [`Event::Idle`].
    Stream(String, Box<dyn Read + Send>),
    /// An open file, pipe or socket (one a program made itself), with the name errors use.
    Open(String, std::fs::File),
}

impl Input {
    /// The name errors and reports use for this input.
    pub fn name(&self) -> String {
        match self {
            Input::Stdin => "stdin".to_string(),
            Input::File(p) => p.display().to_string(),
            Input::Stream(name, _) | Input::Open(name, _) => name.clone(),
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
    src: Source,
    format: Format,
}

/// What [`CaptureReader::next_event`] found.
#[derive(Debug)]
pub enum Event<'a> {
    /// The next packet.
    Packet(Packet<'a>),
    /// Every complete packet read so far was returned and the input has nothing more ready:
    /// the next call waits for it. Write out (flush) what you hold now, then call again.
    Idle,
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
///
/// In a live pipeline, read with [`Self::next_event`] and flush on [`Event::Idle`], and follow
/// the process's interrupts with [`Self::with_interrupts`] (see [`crate::stream`]).
pub struct CaptureReader {
    pending: VecDeque<Input>,
    current: Option<Current>,
    buf: ReadBuffer,
    interfaces: Vec<Interface>,
    number: u64,
    interrupts: Option<Arc<Interrupts>>,
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
            interrupts: None,
        }
    }

    /// Follows `interrupts`: after the first, a pipe is read until its writer closes (at most
    /// [`crate::stream::DRAIN_LIMIT`]) and a file stops at once; after the second, reading
    /// stops at once. Either way the stream then ends as if the input had, on a record
    /// boundary, and no further input is opened.
    pub fn with_interrupts(mut self, interrupts: Arc<Interrupts>) -> Self {
        self.interrupts = Some(interrupts);
        self
    }

    /// Ends the stream: what the interrupt left unread is dropped.
    fn stop(&mut self) {
        self.current = None;
        self.pending.clear();
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
        if self.interrupts.as_ref().is_some_and(|i| i.is_interrupted()) {
            self.stop();
        }
        let Some(input) = self.pending.pop_front() else {
            return Ok(false);
        };
        let name = input.name();
        let opened = match input {
            Input::Stdin => Source::stdin(),
            Input::File(path) => Source::open(&path),
            Input::Stream(_, r) => Ok(Source::plain(r)),
            Input::Open(_, file) => Source::file(file),
        };
        let mut src = opened.map_err(|source| CaptureError::Open { input: name.clone(), source })?;
        src.set_interrupts(self.interrupts.clone());
        self.buf.reset();
        match self.open_source(name, src, false) {
            Err(e) if e.pause() == Some(Pause::Stop) => {
                self.stop();
                Ok(false)
            }
            other => other,
        }
    }

    /// Reads the file header of `src` and makes it the current input.
    /// `decompressed`: `src` is already a decoder's output (one layer of compression only).
    fn open_source(
        &mut self,
        name: String,
        mut src: Source,
        decompressed: bool,
    ) -> Result<bool, CaptureError> {
        let buf = &mut self.buf;
        if !buf.fill(&mut src, 4).map_err(|e| read_error(&name, buf, e))? {
            let kind = match buf.available().len() {
                0 => FormatError::Empty,
                got => FormatError::TruncatedFileHeader { need: 24, got },
            };
            return Err(format_error(&name, kind, None, 0));
        }
        let m = buf.available();
        let magic = u32::from_be_bytes([m[0], m[1], m[2], m[3]]);
        if let Some(compression) = Compression::of(magic) {
            if decompressed {
                return Err(format_error(&name, FormatError::BadMagic(magic), None, 0));
            }
            // The bytes already read, then the rest, through the decoder; offsets in error
            // messages then count decompressed bytes.
            let read_ahead = io::Cursor::new(buf.available().to_vec());
            let inner = compression.decoder(Box::new(read_ahead.chain(src)));
            let inner = inner.map_err(|source| CaptureError::Open { input: name.clone(), source })?;
            let mut plain = Source::plain(inner);
            plain.set_interrupts(self.interrupts.clone());
            self.buf.reset();
            return self.open_source(name, plain, true);
        }
        let format = match magic {
            0xA1B2_C3D4 | 0xD4C3_B2A1 | 0xA1B2_3C4D | 0x4D3C_B2A1 => {
                Format::Pcap(PcapSource::open(buf, &mut src, &name, &mut self.interfaces)?)
            }
            0x0A0D_0D0A => Format::PcapNg(PcapNgSource::open(buf, &mut src, &name)?),
            _ => return Err(format_error(&name, FormatError::BadMagic(magic), None, 0)),
        };
        self.current = Some(Current { name, src, format });
        Ok(true)
    }

    /// The next packet of the stream; `None` after the last input ends.
    ///
    /// The packet borrows the reader until the next call. It waits for input as long as it
    /// takes; a live pipeline uses [`Self::next_event`] instead.
    pub fn next_packet(&mut self) -> Result<Option<Packet<'_>>, CaptureError> {
        match self.step(false)? {
            Some(Event::Packet(p)) => Ok(Some(p)),
            // Not reported when not asked for.
            Some(Event::Idle) | None => Ok(None),
        }
    }

    /// The next packet, or [`Event::Idle`] once before a read that would wait for more input;
    /// `None` after the last input ends.
    ///
    /// ```no_run
    /// use std::io::Write;
    /// use pktkit::capture::{CaptureReader, Event, Input};
    /// let mut reader = CaptureReader::new(vec![Input::Stdin]);
    /// let mut out = std::io::BufWriter::new(std::io::stdout());
    /// while let Some(event) = reader.next_event()? {
    ///     match event {
    ///         Event::Packet(p) => writeln!(out, "{} {} bytes", p.number, p.data.len())?,
    ///         Event::Idle => out.flush()?,
    ///     }
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn next_event(&mut self) -> Result<Option<Event<'_>>, CaptureError> {
        self.step(true)
    }

    fn step(&mut self, report_idle: bool) -> Result<Option<Event<'_>>, CaptureError> {
        loop {
            let Some(cur) = self.current.as_mut() else {
                if !self.open_next()? {
                    return Ok(None);
                }
                continue;
            };
            cur.src.set_report_idle(report_idle);
            let step = match &mut cur.format {
                Format::Pcap(s) => s.next(&mut self.buf, &mut cur.src, &cur.name),
                Format::PcapNg(s) => s.next(&mut self.buf, &mut cur.src, &cur.name, &mut self.interfaces),
            };
            // The format readers consume a record only once all of it is buffered, so after a
            // pause the same record is read again from its start.
            let step = match step {
                Ok(step) => step,
                Err(e) => match e.pause() {
                    Some(Pause::Idle) => return Ok(Some(Event::Idle)),
                    Some(Pause::Stop) => {
                        self.stop();
                        return Ok(None);
                    }
                    None => return Err(e),
                },
            };
            match step {
                Step::End => self.current = None,
                Step::Packet(meta) => {
                    self.number += 1;
                    return Ok(Some(Event::Packet(Packet {
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
                    })));
                }
            }
        }
    }
}

/// Whether a stream that starts with these four bytes (big-endian) is compressed in a form
/// the reader decompresses (gzip, zstd, xz).
pub fn is_compressed(magic: u32) -> bool {
    Compression::of(magic).is_some()
}

/// A compression format a capture may come in, known by its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Compression {
    Gzip,
    Zstd,
    Xz,
}

impl Compression {
    /// gzip (RFC 1952) starts 1f 8b, zstd (RFC 8878) 28 b5 2f fd, xz fd 37 7a 58 ("\xfd7zX").
    fn of(magic: u32) -> Option<Self> {
        match magic {
            m if m >> 16 == 0x1F8B => Some(Compression::Gzip),
            0x28B5_2FFD => Some(Compression::Zstd),
            0xFD37_7A58 => Some(Compression::Xz),
            _ => None,
        }
    }

    /// A reader of the decompressed stream (every member or frame, as gzip -d and zstd -d read).
    fn decoder(self, compressed: Box<dyn Read>) -> io::Result<Box<dyn Read>> {
        Ok(match self {
            Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(compressed)),
            Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(compressed)?),
            Compression::Xz => Box::new(xz2::read::XzDecoder::new_multi_decoder(compressed)),
        })
    }
}
