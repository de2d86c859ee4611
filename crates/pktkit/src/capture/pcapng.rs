//! pcapng files: several sections, several interfaces with their own link type, snaplen and
//! `if_tsresol`; enhanced, simple and obsolete packet blocks. Other blocks are skipped.
//!
//! pcap-file parses the block framing and the section and interface blocks (state it must keep
//! for timestamps); packet blocks are read here, borrowing their data, without parsing options.

use std::error::Error;
use std::io::Read;

use pcap_file::Endianness;
use pcap_file::pcapng::PcapNgParser;
use pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionOption;

use super::buffer::ReadBuffer;
use super::reader::{Meta, Step, format_error, read_error};
use super::{CaptureError, FormatError, Interface, LinkType, MAX_BLOCK, Origin, Precision, Timestamp};

const SHB: u32 = 0x0A0D_0D0A;
const IDB: u32 = 1;
const PB: u32 = 2;
const SPB: u32 = 3;
const EPB: u32 = 6;
const BYTE_ORDER_MAGIC: u32 = 0x1A2B_3C4D;

/// Reading state of one pcapng input.
pub(crate) struct PcapNgSource {
    parser: PcapNgParser,
    /// Global interface index of each interface of the current section.
    section_ifaces: Vec<usize>,
    record: u64,
}

fn chain(e: &dyn Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(inner) = cur {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        cur = inner.source();
    }
    s
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
    if !buf.fill(src, 12).map_err(|e| read_error(input, buf, e))? {
        let got = buf.available().len();
        if got == 0 && record.is_some() {
            return Ok(None);
        }
        return Err(bad(FormatError::TruncatedBlock { need: 12, got }));
    }
    let head = buf.available();
    let btype = u32_at(head, 0, big);
    // A section header carries its own byte order.
    let big = if btype == SHB {
        match u32_at(head, 8, true) {
            BYTE_ORDER_MAGIC => true,
            m if m.swap_bytes() == BYTE_ORDER_MAGIC => false,
            m => return Err(bad(FormatError::BadBlock(format!("bad byte-order magic 0x{m:08x}")))),
        }
    } else {
        big
    };
    let len = u32_at(head, 4, big) as usize;
    if len < 12 || len % 4 != 0 {
        return Err(bad(FormatError::BadBlock(format!(
            "block total length {len} is not a multiple of 4 of at least 12"
        ))));
    }
    if len > MAX_BLOCK {
        return Err(bad(FormatError::RecordTooLarge { len: len as u64, max: MAX_BLOCK as u64 }));
    }
    if !buf.fill(src, len).map_err(|e| read_error(input, buf, e))? {
        return Err(bad(FormatError::TruncatedBlock { need: len, got: buf.available().len() }));
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
        let (_, parser) = PcapNgParser::new(&buf.available()[..len])
            .map_err(|e| format_error(input, FormatError::BadBlock(chain(&e)), None, 0))?;
        let source = PcapNgSource { parser, section_ifaces: Vec::new(), record: 0 };
        source.check_version(input, 0)?;
        buf.consume(len);
        Ok(source)
    }

    fn big(&self) -> bool {
        self.parser.section().endianness == Endianness::Big
    }

    fn check_version(&self, input: &str, offset: u64) -> Result<(), CaptureError> {
        let s = self.parser.section();
        let (major, minor) = (s.major_version, s.minor_version);
        if major == 1 && (minor == 0 || minor == 2) {
            Ok(())
        } else {
            Err(format_error(
                input,
                FormatError::UnsupportedVersion { format: "pcapng", major, minor },
                None,
                offset,
            ))
        }
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
            let Some((btype, len, big)) = frame(buf, src, input, self.big(), Some(record))? else {
                return Ok(Step::End);
            };
            let bad = |kind| format_error(input, kind, Some(record), start);
            if btype == SHB || btype == IDB {
                self.parser
                    .next_raw_block(&buf.available()[..len])
                    .map_err(|e| bad(FormatError::BadBlock(chain(&e))))?;
                if btype == SHB {
                    self.check_version(input, start)?;
                    self.section_ifaces.clear();
                } else {
                    let idb = self.parser.interfaces().last().expect("an interface block was just parsed");
                    let res = idb.ts_resolution();
                    let fine = if res.is_bin() { res.resolution() >= 20 } else { res.resolution() > 6 };
                    let name = idb.options.iter().find_map(|o| match o {
                        InterfaceDescriptionOption::IfName(n) => Some(n.to_string()),
                        _ => None,
                    });
                    self.section_ifaces.push(interfaces.len());
                    interfaces.push(Interface {
                        id: interfaces.len() as u32,
                        linktype: LinkType(u32::from(idb.linktype) as u16),
                        snaplen: idb.snaplen,
                        precision: if fine { Precision::Nano } else { Precision::Micro },
                        name,
                        input: input.to_string(),
                        origin: Origin::PcapNg,
                    });
                }
                buf.consume(len);
                continue;
            }
            let body_len = len - 12;
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
                        .map(|&g| interfaces[g].snaplen)
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
            let Some(&global) = self.section_ifaces.get(local as usize) else {
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
            let ts = if btype == SPB {
                Timestamp::default()
            } else {
                let d = self
                    .parser
                    .state()
                    .decode_timestamp(local, hi, lo)
                    .map_err(|e| bad(FormatError::BadBlock(chain(&e))))?;
                Timestamp::new(d.as_secs().min(i64::MAX as u64) as i64, d.subsec_nanos() as u64)
            };
            let meta = Meta {
                pos: buf.position() + 8 + data_at,
                len: caplen,
                ts,
                orig_len,
                iface: global,
                raw_ts: None,
                record,
            };
            buf.consume(len);
            self.record = record;
            return Ok(Step::Packet(meta));
        }
    }
}
