//! Errors of the capture-file layer. Every message names the input and where it went wrong.

use std::fmt;
use std::io;

use thiserror::Error;

/// Reading a capture failed.
#[derive(Debug, Error)]
pub enum CaptureError {
    /// The input could not be opened.
    #[error("{input}: {source}")]
    Open {
        /// File name, or `stdin`.
        input: String,
        /// The system's error.
        #[source]
        source: io::Error,
    },
    /// Reading the input failed.
    #[error("{input}: read error at byte offset {offset}: {source}")]
    Read {
        /// File name, or `stdin`.
        input: String,
        /// Where the read started.
        offset: u64,
        /// The system's error.
        #[source]
        source: io::Error,
    },
    /// The input is not a well-formed capture at this point.
    #[error("{input}: {kind} {}", Location(*.packet, *.offset))]
    Format {
        /// File name, or `stdin`.
        input: String,
        /// What is wrong.
        kind: FormatError,
        /// 1-based record number in this input, when the error is in a record.
        packet: Option<u64>,
        /// Byte offset in this input where the bad header, record or block starts.
        offset: u64,
    },
}

impl CaptureError {
    /// The [`Pause`](crate::stream::Pause) a read stopped at, when it is one (not an error).
    pub(crate) fn pause(&self) -> Option<crate::stream::Pause> {
        match self {
            CaptureError::Read { source, .. } => crate::stream::Pause::of(source),
            _ => None,
        }
    }
}

struct Location(Option<u64>, u64);

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(n) => write!(f, "at packet {n} (byte offset {})", self.1),
            None => write!(f, "at byte offset {}", self.1),
        }
    }
}

/// What is wrong with a capture file.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum FormatError {
    /// Nothing at all to read.
    #[error("empty input, no capture file header")]
    Empty,
    /// The first four bytes are neither pcap's nor pcapng's magic number.
    #[error("not a pcap or pcapng capture (magic number 0x{0:08x})")]
    BadMagic(u32),
    /// The input ends inside the file header.
    #[error("truncated file header ({got} of {need} bytes)")]
    TruncatedFileHeader {
        /// Bytes the header needs.
        need: usize,
        /// Bytes present.
        got: usize,
    },
    /// A pcap or pcapng version this reader (and libpcap) does not read.
    #[error("unsupported {format} version {major}.{minor}")]
    UnsupportedVersion {
        /// `pcap` or `pcapng`.
        format: &'static str,
        /// Major version.
        major: u16,
        /// Minor version.
        minor: u16,
    },
    /// The pcap header's link-type field has reserved bits set.
    #[error("invalid link-type field 0x{0:08x} (reserved bits set)")]
    BadLinkTypeField(u32),
    /// The input ends inside a record header.
    #[error("truncated record header ({got} of 16 bytes)")]
    TruncatedRecordHeader {
        /// Bytes present.
        got: usize,
    },
    /// The input ends inside a record's data.
    #[error("truncated record ({got} of {need} bytes)")]
    TruncatedRecord {
        /// Bytes the record needs.
        need: usize,
        /// Bytes present.
        got: usize,
    },
    /// A length field beyond any sane bound.
    #[error("record length {len} exceeds the maximum of {max}")]
    RecordTooLarge {
        /// The length field.
        len: u64,
        /// The largest accepted.
        max: u64,
    },
    /// The input ends inside a pcapng block.
    #[error("truncated block ({got} of {need} bytes)")]
    TruncatedBlock {
        /// Bytes the block needs.
        need: usize,
        /// Bytes present.
        got: usize,
    },
    /// A pcapng block that cannot be read.
    #[error("bad pcapng block: {0}")]
    BadBlock(String),
    /// A packet block names an interface its section never described.
    #[error("packet on interface {id}, but the section describes {count} interface(s)")]
    UnknownInterface {
        /// The interface id in the block.
        id: u32,
        /// Interfaces described so far in the section.
        count: usize,
    },
}
