//! Capture files: streaming, zero-copy readers for pcap and pcapng, and writers.
//!
//! [`CaptureReader`] reads one or more inputs in order (stdin or files), detects each one's
//! format by its magic number and yields [`Packet`]s that borrow the reader's buffer.
//! [`CaptureWriter`] writes classic pcap or pcapng.

mod buffer;
mod error;
mod linktype;
mod pcap;
mod pcapng;
mod reader;
mod writer;

#[cfg(test)]
mod tests;

pub use error::{CaptureError, FormatError};
pub use linktype::LinkType;
pub use pcapng::PcapNgClock;
pub use reader::{CaptureReader, Event, Input, is_compressed};
pub use writer::{CaptureWriter, OutputFormat, WriteError};

/// Largest pcapng block or pcap record accepted (libpcap uses the same bound for pcapng).
pub const MAX_BLOCK: usize = 16 * 1024 * 1024;

/// A packet's time: seconds and nanoseconds since 1970-01-01 00:00:00 UTC.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    /// Whole seconds.
    pub secs: i64,
    /// Nanoseconds, below 1,000,000,000.
    pub nanos: u32,
}

impl Timestamp {
    /// Builds a timestamp, carrying nanoseconds past one second into the seconds.
    pub fn new(secs: i64, nanos: u64) -> Self {
        Timestamp {
            secs: secs.saturating_add((nanos / 1_000_000_000) as i64),
            nanos: (nanos % 1_000_000_000) as u32,
        }
    }

    /// Nanoseconds since the epoch.
    pub fn as_nanos(self) -> i128 {
        self.secs as i128 * 1_000_000_000 + self.nanos as i128
    }

    /// The system clock's time now (a clock before 1970 reads as the epoch).
    pub fn now() -> Self {
        let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        Timestamp::new(since.as_secs() as i64, since.subsec_nanos() as u64)
    }

    /// The signed difference `self - earlier` in nanoseconds.
    pub fn nanos_since(self, earlier: Timestamp) -> i128 {
        self.as_nanos() - earlier.as_nanos()
    }
}

/// Timestamp precision of an input interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Precision {
    /// Microseconds or coarser.
    Micro,
    /// Finer than microseconds; written as nanoseconds.
    Nano,
}

/// How an interface was described in its input file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A classic pcap file; the raw 24-byte header, kept so a copy can be byte-identical.
    Pcap(pcap_file::pcap::PcapHeader),
    /// An interface description block of a pcapng section, with its timestamp units.
    PcapNg(PcapNgClock),
    /// Built by the program (pkt-send, pcap-capture), not read from a file.
    Live,
}

/// A capture interface: where a packet's link type, snaplen and time precision come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interface {
    /// Index among every interface the reader has seen, over all inputs and sections.
    pub id: u32,
    /// Link-layer header type of its packets.
    pub linktype: LinkType,
    /// Snapshot length; 0 means no limit.
    pub snaplen: u32,
    /// Timestamp precision.
    pub precision: Precision,
    /// Interface name (pcapng `if_name`), when known.
    pub name: Option<String>,
    /// The input this interface came from (file name or `stdin`).
    pub input: String,
    /// The file format that described it.
    pub origin: Origin,
    /// Written on a host of the other byte order (libpcap's `swapped`; it changes how a few
    /// filters compile, e.g. on BSD loopback).
    pub swapped: bool,
}

impl Interface {
    /// libpcap's snapshot length for this interface: its snaplen, or the link type's largest
    /// capture length (262,144 bytes for most) when the snaplen is 0 or larger. A record longer
    /// than this cannot be read by libpcap (classic pcap) or is cut by it (pcapng).
    pub fn snapshot(&self) -> u32 {
        let max = self.linktype.max_caplen();
        if self.snaplen == 0 { max } else { self.snaplen.min(max) }
    }

    /// An interface made by the program itself (e.g. for crafted or live packets).
    pub fn live(linktype: LinkType, snaplen: u32, precision: Precision) -> Self {
        Interface {
            id: 0,
            linktype,
            snaplen,
            precision,
            name: None,
            input: String::new(),
            origin: Origin::Live,
            swapped: false,
        }
    }
}

/// One captured packet, borrowing the reader's buffer.
#[derive(Clone, Copy, Debug)]
pub struct Packet<'a> {
    /// 1-based number over the whole stream (every input, in order).
    pub number: u64,
    /// 1-based record number within its input file.
    pub record: u64,
    /// Capture time.
    pub ts: Timestamp,
    /// Length on the wire; at least `data.len()` in well-formed files.
    pub orig_len: u32,
    /// Captured bytes, starting with the link-layer header: what libpcap shows, so at most the
    /// interface's snaplen (a damaged record can hold more, see `stored`).
    pub data: &'a [u8],
    /// The record's bytes as stored in the file; longer than `data` only when a damaged file's
    /// record exceeds its snaplen. Writers copy these, so copies stay byte-identical.
    pub stored: &'a [u8],
    /// The interface the packet was captured on.
    pub interface: &'a Interface,
    /// A classic pcap record's raw `(ts_sec, ts_frac)`, kept for byte-identical copies.
    pub raw_ts: Option<(u32, u32)>,
    /// A pcapng packet block's raw 64-bit timestamp, in its interface's [`PcapNgClock`] units:
    /// pcapng writers copy it, so no timestamp is lost to a conversion.
    pub pcapng_ts: Option<u64>,
    /// Byte offset of the packet's record or block in its input (`None`: made by the program).
    pub offset: Option<u64>,
}

impl<'a> Packet<'a> {
    /// A packet made by the program (crafted or captured live), numbered `number`.
    pub fn new(number: u64, ts: Timestamp, data: &'a [u8], orig_len: u32, interface: &'a Interface) -> Self {
        Packet {
            number,
            record: number,
            ts,
            orig_len,
            data,
            stored: data,
            interface,
            raw_ts: None,
            pcapng_ts: None,
            offset: None,
        }
    }

    /// The packet's link type.
    pub fn linktype(&self) -> LinkType {
        self.interface.linktype
    }

    /// True when fewer bytes were captured than were on the wire (cut by the snap length).
    pub fn is_snapped(&self) -> bool {
        is_snapped(self.data.len(), self.orig_len)
    }
}

/// True when `captured` bytes are fewer than the `wire_len` the packet had on the wire.
pub fn is_snapped(captured: usize, wire_len: u32) -> bool {
    (captured as u64) < u64::from(wire_len)
}
