//! Classic pcap files (microsecond and nanosecond, either byte order).

use std::io::Read;

use pcap_file::Endianness;
use pcap_file::pcap::{PcapHeader, PcapParser, PcapTsResolution};

use super::buffer::ReadBuffer;
use super::reader::{Meta, Step, format_error, read_error};
use super::{CaptureError, FormatError, Interface, LinkType, Origin, Precision, Timestamp};

/// Reading state of one classic pcap input.
pub(crate) struct PcapSource {
    parser: PcapParser,
    iface: usize,
    nano: bool,
    max_caplen: usize,
    /// libpcap's snapshot length: the header's, or the link type's maximum when 0 or larger.
    snapshot: usize,
    record: u64,
}

impl PcapSource {
    /// Reads the 24-byte file header (the magic number is known to be pcap's).
    pub(crate) fn open(
        buf: &mut ReadBuffer,
        src: &mut dyn Read,
        input: &str,
        interfaces: &mut Vec<Interface>,
    ) -> Result<Self, CaptureError> {
        if !buf.fill(src, 24).map_err(|e| read_error(input, buf, e))? {
            let got = buf.available().len();
            return Err(format_error(input, FormatError::TruncatedFileHeader { need: 24, got }, None, 0));
        }
        let (_, parser) = PcapParser::new(buf.available())
            .map_err(|e| format_error(input, FormatError::BadBlock(e.to_string()), None, 0))?;
        let header: PcapHeader = parser.header();
        let (major, minor) = (header.version_major, header.version_minor);
        if !((major == 2 && minor <= 4) || (major == 543 && minor == 0)) {
            return Err(format_error(
                input,
                FormatError::UnsupportedVersion { format: "pcap", major, minor },
                None,
                0,
            ));
        }
        let raw_linktype: u32 = header.datalink.into();
        // Bits 16-25 are reserved; 26-31 carry an FCS length that we carry through untouched.
        if raw_linktype & 0x03FF_0000 != 0 {
            return Err(format_error(input, FormatError::BadLinkTypeField(raw_linktype), None, 0));
        }
        let linktype = LinkType(raw_linktype as u16);
        let nano = header.ts_resolution == PcapTsResolution::NanoSecond;
        interfaces.push(Interface {
            id: interfaces.len() as u32,
            linktype,
            snaplen: header.snaplen,
            precision: if nano { Precision::Nano } else { Precision::Micro },
            name: None,
            input: input.to_string(),
            origin: Origin::Pcap(header),
            swapped: header.endianness != Endianness::native(),
        });
        buf.consume(24);
        Ok(PcapSource {
            parser,
            iface: interfaces.len() - 1,
            nano,
            max_caplen: linktype.max_caplen() as usize,
            snapshot: interfaces[interfaces.len() - 1].snapshot() as usize,
            record: 0,
        })
    }

    /// The next record, or the end of this input.
    pub(crate) fn next(
        &mut self,
        buf: &mut ReadBuffer,
        src: &mut dyn Read,
        input: &str,
    ) -> Result<Step, CaptureError> {
        let start = buf.offset();
        let record = self.record + 1;
        if !buf.fill(src, 16).map_err(|e| read_error(input, buf, e))? {
            let got = buf.available().len();
            if got == 0 {
                return Ok(Step::End);
            }
            return Err(format_error(input, FormatError::TruncatedRecordHeader { got }, Some(record), start));
        }
        let head = buf.slice(8, 4);
        let incl_len = match self.parser.header().endianness {
            Endianness::Big => u32::from_be_bytes([head[0], head[1], head[2], head[3]]),
            Endianness::Little => u32::from_le_bytes([head[0], head[1], head[2], head[3]]),
        } as usize;
        if incl_len > self.max_caplen {
            let kind = FormatError::RecordTooLarge { len: incl_len as u64, max: self.max_caplen as u64 };
            return Err(format_error(input, kind, Some(record), start));
        }
        if !buf.fill(src, 16 + incl_len).map_err(|e| read_error(input, buf, e))? {
            let kind = FormatError::TruncatedRecord { need: 16 + incl_len, got: buf.available().len() };
            return Err(format_error(input, kind, Some(record), start));
        }
        let (_, raw) = self
            .parser
            .next_raw_packet(buf.available())
            .map_err(|e| format_error(input, FormatError::BadBlock(e.to_string()), Some(record), start))?;
        // libpcap reads the seconds as a signed 32-bit number.
        let secs = raw.ts_sec as i32 as i64;
        let nanos = if self.nano { raw.ts_frac as u64 } else { raw.ts_frac as u64 * 1000 };
        let meta = Meta {
            pos: buf.position() + 16,
            len: incl_len,
            // libpcap cuts a record longer than the snapshot length to it.
            shown: incl_len.min(self.snapshot),
            ts: Timestamp::new(secs, nanos),
            orig_len: raw.orig_len,
            iface: self.iface,
            raw_ts: Some((raw.ts_sec, raw.ts_frac)),
            pcapng_ts: None,
            offset: start,
            record,
        };
        buf.consume(16 + incl_len);
        self.record = record;
        Ok(Step::Packet(meta))
    }
}
