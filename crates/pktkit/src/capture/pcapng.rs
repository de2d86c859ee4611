//! pcapng files: several sections, several interfaces with their own link type, snaplen and
//! `if_tsresol`; enhanced, simple and obsolete packet blocks. Other blocks are skipped.
//!
//! Read by hand, leniently as Wireshark does: pcap-file 3.0.0-rc.3 refuses a whole file when one
//! interface option is malformed (pcapng-suite's test008 has a 1-byte `if_MACaddr`), where
//! tshark reads it. Options other than `if_name`, `if_tsresol` and `if_tsoffset` are skipped;
//! a malformed one ends the option list. Packet data is borrowed, never copied.

use std::io::Read;

use super::buffer::ReadBuffer;
use super::reader::{Meta, Step, format_error, read_error};
use super::{CaptureError, FormatError, Interface, LinkType, MAX_BLOCK, Origin, Precision, Timestamp};

const SHB: u32 = 0x0A0D_0D0A;
const IDB: u32 = 1;
const PB: u32 = 2;
const SPB: u32 = 3;
const EPB: u32 = 6;
const BYTE_ORDER_MAGIC: u32 = 0x1A2B_3C4D;
/// Option codes of an interface description block (RFC draft "PCAP Next Generation").
pub(crate) const IDB_TYPE: u32 = IDB;
pub(crate) const EPB_TYPE: u32 = EPB;
pub(crate) const OPT_IF_NAME: u16 = 2;
pub(crate) const OPT_IF_TSRESOL: u16 = 9;
pub(crate) const OPT_IF_TSOFFSET: u16 = 14;
/// `if_tsresol` of microseconds (the default) and of nanoseconds.
const TSRESOL_MICRO: u8 = 6;
const TSRESOL_NANO: u8 = 9;

/// Timestamp units of one pcapng interface, as its interface block gave them: `if_tsresol` and
/// `if_tsoffset`. Writers copy them, so a packet's raw timestamp is written back unchanged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PcapNgClock {
    /// `if_tsresol` as stored: units of 10^-n seconds, or 2^-n with the top bit set.
    pub tsresol: u8,
    /// `if_tsoffset`: seconds added to every timestamp.
    pub tsoffset: i64,
}

impl Default for PcapNgClock {
    /// Microseconds and no offset, what an interface block without these options means.
    fn default() -> Self {
        PcapNgClock::MICRO
    }
}

impl PcapNgClock {
    /// Microseconds, no offset.
    pub const MICRO: PcapNgClock = PcapNgClock { tsresol: TSRESOL_MICRO, tsoffset: 0 };
    /// Nanoseconds, no offset.
    pub const NANO: PcapNgClock = PcapNgClock { tsresol: TSRESOL_NANO, tsoffset: 0 };

    fn binary(&self) -> bool {
        self.tsresol & 0x80 != 0
    }

    /// The exponent n of the unit, capped where a 64-bit count of units stops being meaningful.
    fn exponent(&self) -> u32 {
        let n = u32::from(self.tsresol & 0x7f);
        if self.binary() { n.min(63) } else { n.min(19) }
    }

    /// True when finer than microseconds.
    pub fn is_fine(&self) -> bool {
        if self.binary() { self.exponent() >= 20 } else { self.exponent() > 6 }
    }

    /// The time of a raw 64-bit timestamp.
    pub fn decode(&self, raw: u64) -> Timestamp {
        let e = self.exponent();
        let (secs, nanos) = if self.binary() {
            let frac = raw & ((1u64 << e) - 1);
            (raw >> e, ((frac as u128 * NANOS_PER_SEC as u128) >> e) as u64)
        } else {
            let unit = 10u64.pow(e);
            let frac = raw % unit;
            let nanos = if e <= 9 { frac * 10u64.pow(9 - e) } else { frac / 10u64.pow(e - 9) };
            (raw / unit, nanos)
        };
        // Seconds past i64 (seconds resolution) and offsets that carry past it saturate.
        let secs = i64::try_from(secs).unwrap_or(i64::MAX).saturating_add(self.tsoffset);
        Timestamp::new(secs, nanos)
    }

    /// The raw 64-bit timestamp of `ts` in these units (fractions finer than the unit are
    /// dropped); `None` when `ts` is before the offset or needs more than 64 bits.
    pub fn encode(&self, ts: Timestamp) -> Option<u64> {
        let secs = u64::try_from(ts.secs.checked_sub(self.tsoffset)?).ok()?;
        let e = self.exponent();
        let nanos = u64::from(ts.nanos);
        if self.binary() {
            let whole = secs.checked_mul(1u64.checked_shl(e)?)?;
            whole.checked_add((((nanos as u128) << e) / NANOS_PER_SEC as u128) as u64)
        } else {
            let whole = secs.checked_mul(10u64.pow(e))?;
            let frac = if e <= 9 { nanos / 10u64.pow(9 - e) } else { nanos * 10u64.pow(e - 9) };
            whole.checked_add(frac)
        }
    }
}

const NANOS_PER_SEC: u64 = 1_000_000_000;

/// Reading state of one pcapng input.
pub(crate) struct PcapNgSource {
    big: bool,
    /// Global index and clock of each interface of the current section.
    section_ifaces: Vec<(usize, PcapNgClock)>,
    record: u64,
}

/// Checks a section header block body: byte order, version.
fn section(body: &[u8], input: &str, offset: u64) -> Result<bool, CaptureError> {
    let big = u32_at(body, 0, true) == BYTE_ORDER_MAGIC;
    let (major, minor) = (u16_at(body, 4, big), u16_at(body, 6, big));
    if major == 1 && (minor == 0 || minor == 2) {
        Ok(big)
    } else {
        Err(format_error(
            input,
            FormatError::UnsupportedVersion { format: "pcapng", major, minor },
            None,
            offset,
        ))
    }
}

/// Walks an option list, calling `f(code, value)` for each; stops at `opt_endofopt`, at the end,
/// or at an option whose length runs past the end.
fn options(mut opts: &[u8], big: bool, mut f: impl FnMut(u16, &[u8])) {
    while opts.len() >= 4 {
        let code = u16_at(opts, 0, big);
        let len = u16_at(opts, 2, big) as usize;
        if code == 0 || 4 + len > opts.len() {
            return;
        }
        f(code, &opts[4..4 + len]);
        let padded = (4 + len + 3) & !3;
        opts = &opts[padded.min(opts.len())..];
    }
}

fn u32_at(b: &[u8], at: usize, big: bool) -> u32 {
    let w = [b[at], b[at + 1], b[at + 2], b[at + 3]];
    if big { u32::from_be_bytes(w) } else { u32::from_le_bytes(w) }
}

fn u16_at(b: &[u8], at: usize, big: bool) -> u16 {
    let w = [b[at], b[at + 1]];
    if big { u16::from_be_bytes(w) } else { u16::from_le_bytes(w) }
}

/// Checks the framing of the block at the front of `buf` and buffers all of it.
///
/// Returns the block's type and total length, `None` at a clean end of input.
fn frame(
    buf: &mut ReadBuffer,
    src: &mut dyn Read,
    input: &str,
    big: bool,
    record: Option<u64>,
) -> Result<Option<(u32, usize, bool)>, CaptureError> {
    let start = buf.offset();
    let bad = |kind| format_error(input, kind, record, start);
    let truncated =
        |buf: &ReadBuffer, need| bad(FormatError::TruncatedBlock { need, got: buf.available().len() });
    if !buf.fill(src, 8).map_err(|e| read_error(input, buf, e))? {
        if buf.available().is_empty() && record.is_some() {
            return Ok(None);
        }
        return Err(truncated(buf, 12));
    }
    let btype = u32_at(buf.available(), 0, big);
    // A section header carries its own byte order.
    let big = if btype == SHB {
        if !buf.fill(src, 12).map_err(|e| read_error(input, buf, e))? {
            return Err(truncated(buf, 12));
        }
        match u32_at(buf.available(), 8, true) {
            BYTE_ORDER_MAGIC => true,
            m if m.swap_bytes() == BYTE_ORDER_MAGIC => false,
            m => return Err(bad(FormatError::BadBlock(format!("bad byte-order magic 0x{m:08x}")))),
        }
    } else {
        big
    };
    let len = u32_at(buf.available(), 4, big) as usize;
    if len < 12 || !len.is_multiple_of(4) {
        return Err(bad(FormatError::BadBlock(format!(
            "block total length {len} is not a multiple of 4 of at least 12"
        ))));
    }
    if len > MAX_BLOCK {
        return Err(bad(FormatError::RecordTooLarge { len: len as u64, max: MAX_BLOCK as u64 }));
    }
    if !buf.fill(src, len).map_err(|e| read_error(input, buf, e))? {
        return Err(truncated(buf, len));
    }
    let trailer = u32_at(buf.available(), len - 4, big) as usize;
    if trailer != len {
        return Err(bad(FormatError::BadBlock(format!(
            "block total length {len} in header but {trailer} in trailer"
        ))));
    }
    Ok(Some((btype, len, big)))
}

impl PcapNgSource {
    /// Reads the first section header block (the magic number is known to be pcapng's).
    pub(crate) fn open(buf: &mut ReadBuffer, src: &mut dyn Read, input: &str) -> Result<Self, CaptureError> {
        let Some((_, len, _)) = frame(buf, src, input, false, None)? else {
            return Err(format_error(input, FormatError::Empty, None, 0));
        };
        if len < 12 + 16 {
            let kind = FormatError::BadBlock(format!("section header block of {len} bytes is too short"));
            return Err(format_error(input, kind, None, 0));
        }
        let big = section(buf.slice(8, 8), input, 0)?;
        buf.consume(len);
        Ok(PcapNgSource { big, section_ifaces: Vec::new(), record: 0 })
    }

    /// The next packet, or the end of this input; other blocks are consumed on the way.
    pub(crate) fn next(
        &mut self,
        buf: &mut ReadBuffer,
        src: &mut dyn Read,
        input: &str,
        interfaces: &mut Vec<Interface>,
    ) -> Result<Step, CaptureError> {
        loop {
            let start = buf.offset();
            let record = self.record + 1;
            let Some((btype, len, big)) = frame(buf, src, input, self.big, Some(record))? else {
                return Ok(Step::End);
            };
            let bad = |kind| format_error(input, kind, Some(record), start);
            let body_len = len - 12;
            if btype == SHB {
                if body_len < 16 {
                    return Err(bad(FormatError::BadBlock(format!(
                        "section header block of {len} bytes is too short"
                    ))));
                }
                self.big = section(buf.slice(8, 8), input, start)?;
                self.section_ifaces.clear();
                buf.consume(len);
                continue;
            }
            if btype == IDB {
                if body_len < 8 {
                    return Err(bad(FormatError::BadBlock(format!(
                        "interface block of {len} bytes is too short"
                    ))));
                }
                let body = buf.slice(8, body_len);
                let linktype = LinkType(u16_at(body, 0, big));
                let snaplen = u32_at(body, 4, big);
                let mut clock = PcapNgClock::MICRO;
                let mut name = None;
                options(&body[8..], big, |code, value| match (code, value.len()) {
                    (OPT_IF_NAME, _) => {
                        name = Some(String::from_utf8_lossy(value).trim_end_matches('\0').to_string())
                    }
                    (OPT_IF_TSRESOL, 1) => clock.tsresol = value[0],
                    (OPT_IF_TSOFFSET, 8) => {
                        let b: [u8; 8] = value.try_into().expect("length checked");
                        clock.tsoffset = if big { i64::from_be_bytes(b) } else { i64::from_le_bytes(b) };
                    }
                    _ => {}
                });
                self.section_ifaces.push((interfaces.len(), clock));
                interfaces.push(Interface {
                    id: interfaces.len() as u32,
                    linktype,
                    snaplen,
                    precision: if clock.is_fine() { Precision::Nano } else { Precision::Micro },
                    name,
                    input: input.to_string(),
                    origin: Origin::PcapNg(clock),
                    swapped: big != cfg!(target_endian = "big"),
                });
                buf.consume(len);
                continue;
            }
            let body = buf.slice(8, body_len);
            let (local, hi, lo, caplen, orig_len, data_at) = match btype {
                EPB if body_len >= 20 => {
                    let local = u32_at(body, 0, big);
                    (
                        local,
                        u32_at(body, 4, big),
                        u32_at(body, 8, big),
                        u32_at(body, 12, big) as usize,
                        u32_at(body, 16, big),
                        20,
                    )
                }
                PB if body_len >= 20 => {
                    let local = u16_at(body, 0, big) as u32;
                    (
                        local,
                        u32_at(body, 4, big),
                        u32_at(body, 8, big),
                        u32_at(body, 12, big) as usize,
                        u32_at(body, 16, big),
                        20,
                    )
                }
                SPB if body_len >= 4 => {
                    let orig_len = u32_at(body, 0, big);
                    let snaplen = self
                        .section_ifaces
                        .first()
                        .map(|&(g, _)| interfaces[g].snaplen)
                        .filter(|&s| s != 0)
                        .unwrap_or(u32::MAX);
                    let caplen = (body_len - 4).min(orig_len as usize).min(snaplen as usize);
                    (0, 0, 0, caplen, orig_len, 4)
                }
                EPB | PB | SPB => {
                    return Err(bad(FormatError::BadBlock(format!(
                        "packet block of {len} bytes is too short"
                    ))));
                }
                _ => {
                    buf.consume(len);
                    continue;
                }
            };
            let Some(&(global, clock)) = self.section_ifaces.get(local as usize) else {
                return Err(bad(FormatError::UnknownInterface {
                    id: local,
                    count: self.section_ifaces.len(),
                }));
            };
            if data_at + caplen > body_len {
                return Err(bad(FormatError::BadBlock(format!(
                    "captured length {caplen} exceeds the packet block ({body_len} bytes of body)"
                ))));
            }
            // A simple packet block has no timestamp.
            let raw_ts = (btype != SPB).then_some((hi as u64) << 32 | lo as u64);
            let ts = raw_ts.map_or(Timestamp::default(), |raw| clock.decode(raw));
            let meta = Meta {
                pos: buf.position() + 8 + data_at,
                len: caplen,
                // libpcap cuts a packet longer than its interface's snaplen to it.
                shown: match interfaces[global].snaplen {
                    0 => caplen,
                    s => caplen.min(s as usize),
                },
                ts,
                orig_len,
                iface: global,
                raw_ts: None,
                pcapng_ts: raw_ts,
                offset: start,
                record,
            };
            buf.consume(len);
            self.record = record;
            return Ok(Step::Packet(meta));
        }
    }
}
