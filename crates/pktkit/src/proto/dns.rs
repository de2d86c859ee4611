//! DNS messages (RFC 1035, EDNS0 RFC 6891): zero-copy views, bounded name decompression,
//! a lenient whole-message parse, DNS over TCP framing and emit. The printers are elsewhere:
//! tcpdump's text in [`crate::render::text::dns`], tshark's fields in [`crate::render::fields::dns`].
//!
//! [`Message::parse`] checks the 12-byte header; [`Message::entries`] then walks questions and
//! records one by one without allocating. [`LaxMessage::parse`] collects everything that
//! decodes and keeps the error that stopped it, like etherparse's `Lax*` types.
//!
//! Names are validated when parsed: every compression pointer must point before the start of
//! the name piece that contains it (so decompression always ends), at most [`MAX_POINTERS`]
//! pointers are followed, and the decompressed name is at most [`MAX_NAME_LEN`] bytes.
//! [`Name::to_buf`] decompresses into a fixed-size [`NameBuf`].

mod emit;

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use thiserror::Error;

use crate::bytes::{be16, be32};

pub use emit::{MessageRepr, QuestionRepr, RDataRepr, RecordRepr};

/// Length of the fixed header.
pub const HEADER_LEN: usize = 12;
/// Longest name in wire form, length bytes and the root label included (RFC 1035 §3.1).
pub const MAX_NAME_LEN: usize = 255;
/// Most compression pointers followed while reading one name.
pub const MAX_POINTERS: usize = 64;

/// Record and query type A.
pub const TYPE_A: u16 = 1;
/// Record type NS.
pub const TYPE_NS: u16 = 2;
/// Record type CNAME.
pub const TYPE_CNAME: u16 = 5;
/// Record type SOA.
pub const TYPE_SOA: u16 = 6;
/// Record type PTR.
pub const TYPE_PTR: u16 = 12;
/// Record type MX.
pub const TYPE_MX: u16 = 15;
/// Record type TXT.
pub const TYPE_TXT: u16 = 16;
/// Record type AAAA.
pub const TYPE_AAAA: u16 = 28;
/// Record type SRV.
pub const TYPE_SRV: u16 = 33;
/// Pseudo-record type OPT (EDNS0).
pub const TYPE_OPT: u16 = 41;
/// Query type ANY (`*`).
pub const TYPE_ANY: u16 = 255;
/// Class IN.
pub const CLASS_IN: u16 = 1;

/// Errors building a DNS message.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum DnsBuildError {
    /// A label is empty (two dots in a row) or longer than 63 bytes.
    #[error("bad label {0:?} in name (labels are 1 to 63 bytes)")]
    BadLabel(String),
    /// The encoded name is longer than 255 bytes.
    #[error("name longer than 255 bytes")]
    NameTooLong,
    /// A section holds more than 65535 entries or a record's data more than 65535 bytes.
    #[error("{0} does not fit in 16 bits")]
    TooLarge(&'static str),
    /// An `Unknown` record data carries a type this module decodes into another variant,
    /// so it would not read back as itself.
    #[error("record type {0} must use its own RDataRepr variant")]
    KnownTypeAsUnknown(u16),
    /// A TXT character-string is longer than 255 bytes.
    #[error("TXT string longer than 255 bytes")]
    TxtTooLong,
}

/// Why a message stopped decoding; `offset` is the byte (from the start of the message)
/// where it stopped.
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
pub enum DnsError {
    /// The data ends before `what` does.
    #[error("truncated {what} at byte {offset}")]
    Truncated {
        /// Where the incomplete part starts.
        offset: usize,
        /// What was being read (`header`, `name`, `question`, `record`, `rdata`).
        what: &'static str,
    },
    /// A compression pointer does not point before the name piece containing it.
    #[error("compression pointer at byte {offset} points forward to byte {target}")]
    ForwardPointer {
        /// The pointer's position.
        offset: usize,
        /// Where it points.
        target: usize,
    },
    /// More than [`MAX_POINTERS`] compression pointers in one name.
    #[error("more than {MAX_POINTERS} compression pointers in the name at byte {offset}")]
    TooManyPointers {
        /// Where the name starts.
        offset: usize,
    },
    /// A label starts with the reserved bits `01` or `10`.
    #[error("reserved label type 0x{label:02x} at byte {offset}")]
    BadLabelType {
        /// The label's position.
        offset: usize,
        /// Its length byte.
        label: u8,
    },
    /// The decompressed name is longer than 255 bytes.
    #[error("name at byte {offset} is longer than 255 bytes")]
    NameTooLong {
        /// Where the name starts.
        offset: usize,
    },
    /// A record's data does not match its type (wrong length, trailing bytes).
    #[error("malformed data of type {rtype} record at byte {offset}")]
    BadRdata {
        /// Where the record data starts.
        offset: usize,
        /// The record type.
        rtype: u16,
    },
}

impl DnsError {
    /// The byte offset where decoding stopped.
    pub fn offset(&self) -> usize {
        match *self {
            DnsError::Truncated { offset, .. }
            | DnsError::ForwardPointer { offset, .. }
            | DnsError::TooManyPointers { offset }
            | DnsError::BadLabelType { offset, .. }
            | DnsError::NameTooLong { offset }
            | DnsError::BadRdata { offset, .. } => offset,
        }
    }
}

fn truncated(offset: usize, what: &'static str) -> DnsError {
    DnsError::Truncated { offset, what }
}

/// The IANA mnemonic of a record type (`A`, `AAAA`, `HTTPS`, ...), when it has one.
pub fn type_name(rtype: u16) -> Option<&'static str> {
    const LOW: [&str; 65] = [
        "A",
        "NS",
        "MD",
        "MF",
        "CNAME",
        "SOA",
        "MB",
        "MG",
        "MR",
        "NULL",
        "WKS",
        "PTR",
        "HINFO",
        "MINFO",
        "MX",
        "TXT",
        "RP",
        "AFSDB",
        "X25",
        "ISDN",
        "RT",
        "NSAP",
        "NSAP-PTR",
        "SIG",
        "KEY",
        "PX",
        "GPOS",
        "AAAA",
        "LOC",
        "NXT",
        "EID",
        "NIMLOC",
        "SRV",
        "ATMA",
        "NAPTR",
        "KX",
        "CERT",
        "A6",
        "DNAME",
        "SINK",
        "OPT",
        "APL",
        "DS",
        "SSHFP",
        "IPSECKEY",
        "RRSIG",
        "NSEC",
        "DNSKEY",
        "DHCID",
        "NSEC3",
        "NSEC3PARAM",
        "TLSA",
        "SMIMEA",
        "",
        "HIP",
        "NINFO",
        "RKEY",
        "TALINK",
        "CDS",
        "CDNSKEY",
        "OPENPGPKEY",
        "CSYNC",
        "ZONEMD",
        "SVCB",
        "HTTPS",
    ];
    Some(match rtype {
        1..=65 if rtype != 54 => LOW[rtype as usize - 1],
        99 => "SPF",
        100 => "UINFO",
        101 => "UID",
        102 => "GID",
        103 => "UNSPEC",
        104 => "NID",
        105 => "L32",
        106 => "L64",
        107 => "LP",
        108 => "EUI48",
        109 => "EUI64",
        249 => "TKEY",
        250 => "TSIG",
        251 => "IXFR",
        252 => "AXFR",
        253 => "MAILB",
        254 => "MAILA",
        255 => "ANY",
        256 => "URI",
        257 => "CAA",
        32768 => "TA",
        32769 => "DLV",
        _ => return None,
    })
}

/// The name of a response code (`NOERROR`, `NXDOMAIN`, ...), extended codes included.
pub fn rcode_name(rcode: u16) -> Option<&'static str> {
    Some(match rcode {
        0 => "NOERROR",
        1 => "FORMERR",
        2 => "SERVFAIL",
        3 => "NXDOMAIN",
        4 => "NOTIMP",
        5 => "REFUSED",
        6 => "YXDOMAIN",
        7 => "YXRRSET",
        8 => "NXRRSET",
        9 => "NOTAUTH",
        10 => "NOTZONE",
        16 => "BADVERS",
        17 => "BADKEY",
        18 => "BADTIME",
        19 => "BADMODE",
        20 => "BADNAME",
        21 => "BADALG",
        22 => "BADTRUNC",
        23 => "BADCOOKIE",
        _ => return None,
    })
}

/// The fixed 12-byte header.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Header {
    /// Query identifier.
    pub id: u16,
    /// The second 16-bit word: QR, opcode, AA, TC, RD, RA, Z, AD, CD, rcode.
    pub flags: u16,
    /// Number of questions.
    pub qdcount: u16,
    /// Number of answer records.
    pub ancount: u16,
    /// Number of authority records.
    pub nscount: u16,
    /// Number of additional records.
    pub arcount: u16,
}

impl Header {
    /// QR bit.
    pub const QR: u16 = 0x8000;
    /// AA bit: authoritative answer.
    pub const AA: u16 = 0x0400;
    /// TC bit: truncated.
    pub const TC: u16 = 0x0200;
    /// RD bit: recursion desired.
    pub const RD: u16 = 0x0100;
    /// RA bit: recursion available.
    pub const RA: u16 = 0x0080;
    /// Z bit (reserved).
    pub const Z: u16 = 0x0040;
    /// AD bit: authentic data (RFC 4035).
    pub const AD: u16 = 0x0020;
    /// CD bit: checking disabled (RFC 4035).
    pub const CD: u16 = 0x0010;

    /// Reads the header at the start of `buf`.
    pub fn parse(buf: &[u8]) -> Result<Header, DnsError> {
        let w = |i: usize| be16(buf, 2 * i).ok_or(truncated(0, "header"));
        Ok(Header { id: w(0)?, flags: w(1)?, qdcount: w(2)?, ancount: w(3)?, nscount: w(4)?, arcount: w(5)? })
    }

    /// Appends the 12 header bytes.
    pub fn emit(&self, out: &mut Vec<u8>) {
        for w in [self.id, self.flags, self.qdcount, self.ancount, self.nscount, self.arcount] {
            out.extend_from_slice(&w.to_be_bytes());
        }
    }

    /// True for a response (QR set).
    pub fn is_response(&self) -> bool {
        self.flags & Self::QR != 0
    }
    /// The 4-bit opcode (0 query, 1 inverse query, 2 status, 4 notify, 5 update).
    pub fn opcode(&self) -> u8 {
        ((self.flags >> 11) & 0xf) as u8
    }
    /// AA: authoritative answer.
    pub fn authoritative(&self) -> bool {
        self.flags & Self::AA != 0
    }
    /// TC: the message was truncated by the sender.
    pub fn truncated(&self) -> bool {
        self.flags & Self::TC != 0
    }
    /// RD: recursion desired.
    pub fn recursion_desired(&self) -> bool {
        self.flags & Self::RD != 0
    }
    /// RA: recursion available.
    pub fn recursion_available(&self) -> bool {
        self.flags & Self::RA != 0
    }
    /// Z: the reserved bit.
    pub fn z(&self) -> bool {
        self.flags & Self::Z != 0
    }
    /// AD: authentic data.
    pub fn authentic_data(&self) -> bool {
        self.flags & Self::AD != 0
    }
    /// CD: checking disabled.
    pub fn checking_disabled(&self) -> bool {
        self.flags & Self::CD != 0
    }
    /// The header's 4-bit response code (see [`Message::rcode`] for the EDNS-extended one).
    pub fn rcode(&self) -> u8 {
        (self.flags & 0xf) as u8
    }
}

/// A domain name inside a message, possibly compressed; validated when it was parsed.
#[derive(Clone, Copy)]
pub struct Name<'a> {
    msg: &'a [u8],
    offset: usize,
    len: u8,
}

/// Walks the name at `start`, calling `label` for each label; returns the offset just past
/// the name's in-place bytes and the decompressed wire length.
fn walk_name<'a>(
    msg: &'a [u8],
    start: usize,
    mut label: impl FnMut(&'a [u8]),
) -> Result<(usize, usize), DnsError> {
    let mut pos = start;
    let mut piece_start = start;
    let mut end = None;
    let mut pointers = 0;
    let mut total = 0usize;
    loop {
        let b = *msg.get(pos).ok_or(truncated(pos, "name"))?;
        match b & 0xc0 {
            0x00 if b == 0 => {
                total += 1;
                return Ok((end.unwrap_or(pos + 1), total));
            }
            0x00 => {
                let l = b as usize;
                let bytes = msg.get(pos + 1..pos + 1 + l).ok_or(truncated(pos, "name"))?;
                total += 1 + l;
                if total + 1 > MAX_NAME_LEN {
                    return Err(DnsError::NameTooLong { offset: start });
                }
                label(bytes);
                pos += 1 + l;
            }
            0xc0 => {
                let lo = *msg.get(pos + 1).ok_or(truncated(pos, "name"))?;
                let target = (((b & 0x3f) as usize) << 8) | lo as usize;
                if target >= piece_start {
                    return Err(DnsError::ForwardPointer { offset: pos, target });
                }
                pointers += 1;
                if pointers > MAX_POINTERS {
                    return Err(DnsError::TooManyPointers { offset: start });
                }
                end.get_or_insert(pos + 2);
                piece_start = target;
                pos = target;
            }
            _ => return Err(DnsError::BadLabelType { offset: pos, label: b }),
        }
    }
}

impl<'a> Name<'a> {
    /// Parses and validates the name at `offset` of the message `msg`; returns it and the
    /// offset just past its in-place bytes (after the first pointer, if compressed).
    pub fn parse(msg: &'a [u8], offset: usize) -> Result<(Name<'a>, usize), DnsError> {
        let (end, len) = walk_name(msg, offset, |_| ())?;
        Ok((Name { msg, offset, len: len as u8 }, end))
    }

    /// Where the name starts in the message.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Decompressed length in wire form (1 for the root).
    pub fn wire_len(&self) -> usize {
        self.len as usize
    }

    /// True for the root name.
    pub fn is_root(&self) -> bool {
        self.len == 1
    }

    /// The labels, first (leftmost) to last, pointers followed.
    pub fn labels(&self) -> Labels<'a> {
        Labels { msg: self.msg, pos: self.offset, pointers: 0, done: false }
    }

    /// Number of labels (0 for the root).
    pub fn label_count(&self) -> usize {
        self.labels().count()
    }

    /// The decompressed name in a fixed-size buffer (no allocation).
    pub fn to_buf(&self) -> NameBuf {
        let mut buf = NameBuf::root();
        for l in self.labels() {
            // Cannot fail: the name was validated to fit in 255 bytes.
            let _ = buf.push_label(l);
        }
        buf
    }

    /// Compares with a dotted name, ASCII case-insensitively (`"example.com"`, trailing dot
    /// optional, `"."` or `""` for the root).
    pub fn eq_dotted(&self, dotted: &str) -> bool {
        let dotted = dotted.strip_suffix('.').unwrap_or(dotted);
        let mut want = dotted.split('.').filter(|_| !dotted.is_empty());
        for l in self.labels() {
            match want.next() {
                Some(w) if w.as_bytes().eq_ignore_ascii_case(l) => {}
                _ => return false,
            }
        }
        want.next().is_none()
    }
}

impl PartialEq for Name<'_> {
    /// Byte-wise comparison of the decompressed names (case-sensitive).
    fn eq(&self, other: &Self) -> bool {
        self.labels().eq(other.labels())
    }
}

impl Eq for Name<'_> {}

impl fmt::Display for Name<'_> {
    /// Presentation format (RFC 1035 §5.1): dots between labels and at the end, `\.` and `\\`
    /// escaped, other bytes outside printable ASCII as `\DDD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        display_labels(self.labels(), f, true)
    }
}

impl<'a> Name<'a> {
    /// The presentation format without the final dot (`example.com`; the root stays `.`):
    /// the form of names in pkt-decode's JSON, as in tshark's fields and pkt-stats.
    pub fn unrooted(&self) -> Unrooted<Labels<'a>> {
        Unrooted(self.labels())
    }
}

/// A name in presentation format without its final dot (see [`Name::unrooted`]).
pub struct Unrooted<L>(L);

impl<'x, L: Iterator<Item = &'x [u8]> + Clone> fmt::Display for Unrooted<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        display_labels(self.0.clone(), f, false)
    }
}

impl fmt::Debug for Name<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Name({self})")
    }
}

/// Presentation format; `final_dot` ends a name other than the root with a dot.
fn display_labels<'x>(
    labels: impl Iterator<Item = &'x [u8]>,
    f: &mut fmt::Formatter<'_>,
    final_dot: bool,
) -> fmt::Result {
    let mut any = false;
    for l in labels {
        if any {
            f.write_str(".")?;
        }
        any = true;
        for &c in l {
            match c {
                b'.' | b'\\' => write!(f, "\\{}", c as char)?,
                0x21..=0x7e => write!(f, "{}", c as char)?,
                _ => write!(f, "\\{c:03}")?,
            }
        }
    }
    if final_dot || !any {
        f.write_str(".")?;
    }
    Ok(())
}

/// Labels of a [`Name`], compression pointers followed.
#[derive(Clone)]
pub struct Labels<'a> {
    msg: &'a [u8],
    pos: usize,
    pointers: usize,
    done: bool,
}

impl<'a> Iterator for Labels<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        while !self.done {
            let b = *self.msg.get(self.pos)?;
            match b & 0xc0 {
                0x00 if b == 0 => self.done = true,
                0x00 => {
                    let l = self.msg.get(self.pos + 1..self.pos + 1 + b as usize)?;
                    self.pos += 1 + b as usize;
                    return Some(l);
                }
                0xc0 if self.pointers < MAX_POINTERS => {
                    let lo = *self.msg.get(self.pos + 1)?;
                    self.pos = (((b & 0x3f) as usize) << 8) | lo as usize;
                    self.pointers += 1;
                }
                _ => self.done = true,
            }
        }
        None
    }
}

/// An uncompressed name in wire form held in a fixed 255-byte buffer.
#[derive(Clone, Copy)]
pub struct NameBuf {
    bytes: [u8; MAX_NAME_LEN],
    len: u8,
}

impl NameBuf {
    /// The root name.
    pub fn root() -> NameBuf {
        NameBuf { bytes: [0; MAX_NAME_LEN], len: 1 }
    }

    /// Builds a name from dotted text (`"www.example.com"`, trailing dot optional, `"."` or
    /// `""` for the root). Bytes are taken as they are: no escapes.
    pub fn from_dotted(name: &str) -> Result<NameBuf, DnsBuildError> {
        let trimmed = name.strip_suffix('.').unwrap_or(name);
        let mut buf = NameBuf::root();
        if !trimmed.is_empty() {
            for label in trimmed.split('.') {
                buf.push_label(label.as_bytes())?;
            }
        }
        Ok(buf)
    }

    /// Appends a label at the right end (before the root).
    pub fn push_label(&mut self, label: &[u8]) -> Result<(), DnsBuildError> {
        if label.is_empty() || label.len() > 63 {
            return Err(DnsBuildError::BadLabel(String::from_utf8_lossy(label).into_owned()));
        }
        let len = self.len as usize;
        if len + 1 + label.len() > MAX_NAME_LEN {
            return Err(DnsBuildError::NameTooLong);
        }
        // Overwrite the root byte, then put it back at the end.
        let start = len - 1;
        self.bytes[start] = label.len() as u8;
        self.bytes[start + 1..start + 1 + label.len()].copy_from_slice(label);
        self.bytes[start + 1 + label.len()] = 0;
        self.len = (len + 1 + label.len()) as u8;
        Ok(())
    }

    /// The wire form: length-prefixed labels and the final zero byte.
    pub fn as_wire(&self) -> &[u8] {
        &self.bytes[..self.len as usize]
    }

    /// The labels, leftmost first.
    pub fn labels(&self) -> impl Iterator<Item = &[u8]> + '_ {
        let wire = self.as_wire();
        let mut pos = 0;
        std::iter::from_fn(move || {
            let l = *wire.get(pos)? as usize;
            if l == 0 {
                return None;
            }
            let label = wire.get(pos + 1..pos + 1 + l)?;
            pos += 1 + l;
            Some(label)
        })
    }

    /// True for the root name.
    pub fn is_root(&self) -> bool {
        self.len == 1
    }
}

impl Default for NameBuf {
    fn default() -> Self {
        NameBuf::root()
    }
}

impl PartialEq for NameBuf {
    fn eq(&self, other: &Self) -> bool {
        self.as_wire() == other.as_wire()
    }
}

impl Eq for NameBuf {}

impl std::hash::Hash for NameBuf {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_wire().hash(state)
    }
}

impl fmt::Display for NameBuf {
    /// Presentation format, as for [`Name`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        display_labels(self.labels(), f, true)
    }
}

impl fmt::Debug for NameBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NameBuf({self})")
    }
}

/// A question.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Question<'a> {
    /// The name asked about.
    pub name: Name<'a>,
    /// QTYPE.
    pub qtype: u16,
    /// QCLASS (mDNS puts its unicast-response bit in the top bit).
    pub qclass: u16,
}

/// A resource record; its data is decoded on demand by [`Record::data`].
#[derive(Clone, Copy, Debug)]
pub struct Record<'a> {
    /// Owner name.
    pub name: Name<'a>,
    /// TYPE.
    pub rtype: u16,
    /// CLASS (for OPT: the requester's UDP payload size).
    pub class: u16,
    /// TTL (for OPT: extended rcode, version and flags).
    pub ttl: u32,
    /// RDATA bytes.
    pub rdata: &'a [u8],
    /// Where RDATA starts in the message.
    pub rdata_offset: usize,
    msg: &'a [u8],
}

/// Decoded record data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RData<'a> {
    /// IPv4 address.
    A(Ipv4Addr),
    /// IPv6 address.
    Aaaa(Ipv6Addr),
    /// Authoritative name server.
    Ns(Name<'a>),
    /// Canonical name.
    Cname(Name<'a>),
    /// Domain name pointer.
    Ptr(Name<'a>),
    /// Mail exchange.
    Mx {
        /// Preference (lower first).
        preference: u16,
        /// Exchange host.
        exchange: Name<'a>,
    },
    /// Text strings.
    Txt(Txt<'a>),
    /// Start of authority.
    Soa(Soa<'a>),
    /// Service location (RFC 2782).
    Srv {
        /// Priority.
        priority: u16,
        /// Weight.
        weight: u16,
        /// Port.
        port: u16,
        /// Target host.
        target: Name<'a>,
    },
    /// EDNS0 pseudo-record.
    Opt(Opt<'a>),
    /// Any other type: the raw RDATA.
    Unknown(&'a [u8]),
}

/// SOA record data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Soa<'a> {
    /// Primary name server.
    pub mname: Name<'a>,
    /// Responsible mailbox.
    pub rname: Name<'a>,
    /// Serial number.
    pub serial: u32,
    /// Refresh interval.
    pub refresh: u32,
    /// Retry interval.
    pub retry: u32,
    /// Expire limit.
    pub expire: u32,
    /// Minimum (negative caching) TTL.
    pub minimum: u32,
}

/// TXT record data: one or more character-strings; validated when parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Txt<'a> {
    data: &'a [u8],
}

impl<'a> Txt<'a> {
    /// The character-strings, in order.
    pub fn strings(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let data = self.data;
        let mut pos = 0;
        std::iter::from_fn(move || {
            let l = *data.get(pos)? as usize;
            let s = data.get(pos + 1..pos + 1 + l)?;
            pos += 1 + l;
            Some(s)
        })
    }
}

/// An EDNS0 OPT pseudo-record (RFC 6891).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Opt<'a> {
    /// Requester's UDP payload size (the record's CLASS).
    pub udp_payload_size: u16,
    /// Upper 8 bits of the 12-bit extended rcode.
    pub ext_rcode: u8,
    /// EDNS version.
    pub version: u8,
    /// Flags; bit 15 is DO (DNSSEC OK).
    pub flags: u16,
    options: &'a [u8],
}

impl<'a> Opt<'a> {
    /// True when the DO (DNSSEC OK) bit is set.
    pub fn dnssec_ok(&self) -> bool {
        self.flags & 0x8000 != 0
    }

    /// The options as `(code, data)`; stops at the first one that does not fit.
    pub fn options(&self) -> impl Iterator<Item = (u16, &'a [u8])> + 'a {
        let data = self.options;
        let mut pos = 0;
        std::iter::from_fn(move || {
            let code = be16(data, pos)?;
            let len = be16(data, pos + 2)? as usize;
            let body = data.get(pos + 4..pos + 4 + len)?;
            pos += 4 + len;
            Some((code, body))
        })
    }
}

impl<'a> Record<'a> {
    /// Decodes RDATA according to the type; `Unknown` for types not listed in [`RData`].
    pub fn data(&self) -> Result<RData<'a>, DnsError> {
        let bad = DnsError::BadRdata { offset: self.rdata_offset, rtype: self.rtype };
        let start = self.rdata_offset;
        let end = start + self.rdata.len();
        // A name inside RDATA: it must start and end (in place) within RDATA.
        let name_at = |at: usize| -> Result<(Name<'a>, usize), DnsError> {
            if at >= end {
                return Err(bad);
            }
            let (n, after) = Name::parse(self.msg, at)?;
            if after > end { Err(bad) } else { Ok((n, after)) }
        };
        let d = self.rdata;
        Ok(match self.rtype {
            TYPE_A => {
                let a: [u8; 4] = d.try_into().map_err(|_| bad)?;
                RData::A(Ipv4Addr::from(a))
            }
            TYPE_AAAA => {
                let a: [u8; 16] = d.try_into().map_err(|_| bad)?;
                RData::Aaaa(Ipv6Addr::from(a))
            }
            TYPE_NS | TYPE_CNAME | TYPE_PTR => {
                let (n, after) = name_at(start)?;
                if after != end {
                    return Err(bad);
                }
                match self.rtype {
                    TYPE_NS => RData::Ns(n),
                    TYPE_CNAME => RData::Cname(n),
                    _ => RData::Ptr(n),
                }
            }
            TYPE_MX => {
                let preference = be16(d, 0).ok_or(bad)?;
                let (exchange, after) = name_at(start + 2)?;
                if after != end {
                    return Err(bad);
                }
                RData::Mx { preference, exchange }
            }
            TYPE_SRV => {
                let (priority, weight, port) =
                    (be16(d, 0).ok_or(bad)?, be16(d, 2).ok_or(bad)?, be16(d, 4).ok_or(bad)?);
                let (target, after) = name_at(start + 6)?;
                if after != end {
                    return Err(bad);
                }
                RData::Srv { priority, weight, port, target }
            }
            TYPE_SOA => {
                let (mname, after) = name_at(start)?;
                let (rname, after) = name_at(after)?;
                if end - after != 20 {
                    return Err(bad);
                }
                let n = |i: usize| be32(self.msg, after + 4 * i).ok_or(bad);
                RData::Soa(Soa {
                    mname,
                    rname,
                    serial: n(0)?,
                    refresh: n(1)?,
                    retry: n(2)?,
                    expire: n(3)?,
                    minimum: n(4)?,
                })
            }
            TYPE_TXT => {
                let mut pos = 0;
                while pos < d.len() {
                    pos += 1 + d[pos] as usize;
                }
                if pos != d.len() || d.is_empty() {
                    return Err(bad);
                }
                RData::Txt(Txt { data: d })
            }
            TYPE_OPT => {
                let opt = Opt {
                    udp_payload_size: self.class,
                    ext_rcode: (self.ttl >> 24) as u8,
                    version: (self.ttl >> 16) as u8,
                    flags: self.ttl as u16,
                    options: d,
                };
                let mut pos = 0;
                while pos < d.len() {
                    let len = be16(d, pos + 2).ok_or(bad)? as usize;
                    pos += 4 + len;
                }
                if pos != d.len() {
                    return Err(bad);
                }
                RData::Opt(opt)
            }
            _ => RData::Unknown(d),
        })
    }
}

/// The four parts of a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Section {
    /// Question section.
    Question,
    /// Answer section.
    Answer,
    /// Authority section.
    Authority,
    /// Additional section.
    Additional,
}

/// One question or record, in message order.
#[derive(Clone, Copy, Debug)]
pub enum Entry<'a> {
    /// A question.
    Question(Question<'a>),
    /// A record and the section it is in.
    Record(Section, Record<'a>),
}

/// A DNS message view: the header is checked, the rest is read on demand.
#[derive(Clone, Copy, Debug)]
pub struct Message<'a> {
    buf: &'a [u8],
    header: Header,
}

impl<'a> Message<'a> {
    /// Checks the header; fails only when fewer than 12 bytes are given.
    pub fn parse(buf: &'a [u8]) -> Result<Message<'a>, DnsError> {
        Ok(Message { buf, header: Header::parse(buf)? })
    }

    /// The header.
    pub fn header(&self) -> Header {
        self.header
    }

    /// The message bytes.
    pub fn bytes(&self) -> &'a [u8] {
        self.buf
    }

    /// Every question and record in order; after an error the iterator ends.
    pub fn entries(&self) -> Entries<'a> {
        let h = self.header;
        Entries {
            msg: self.buf,
            pos: HEADER_LEN,
            left: [h.qdcount, h.ancount, h.nscount, h.arcount],
            failed: false,
        }
    }

    /// The questions; ends at the first error.
    pub fn questions(&self) -> impl Iterator<Item = Question<'a>> + 'a {
        self.entries().map_while(|e| match e {
            Ok(Entry::Question(q)) => Some(q),
            _ => None,
        })
    }

    /// The first question, if it decodes.
    pub fn first_question(&self) -> Option<Question<'a>> {
        self.questions().next()
    }

    /// The records of every section with their section; ends at the first error.
    pub fn records(&self) -> impl Iterator<Item = (Section, Record<'a>)> + 'a {
        self.entries().map_while(Result::ok).filter_map(|e| match e {
            Entry::Record(s, r) => Some((s, r)),
            Entry::Question(_) => None,
        })
    }

    /// The OPT pseudo-record of the additional section, if there is one and it decodes.
    pub fn opt(&self) -> Option<Opt<'a>> {
        self.records().find_map(|(s, r)| match (s, r.data()) {
            (Section::Additional, Ok(RData::Opt(o))) => Some(o),
            _ => None,
        })
    }

    /// The response code, extended by the OPT record's upper bits when there is one.
    pub fn rcode(&self) -> u16 {
        let low = self.header.rcode() as u16;
        match self.opt() {
            Some(o) => ((o.ext_rcode as u16) << 4) | low,
            None => low,
        }
    }
}

/// Iterator over the questions and records of a [`Message`].
#[derive(Clone, Debug)]
pub struct Entries<'a> {
    msg: &'a [u8],
    pos: usize,
    left: [u16; 4],
    failed: bool,
}

impl<'a> Entries<'a> {
    /// Offset of the next entry (after the last one, the end of the decoded part).
    pub fn offset(&self) -> usize {
        self.pos
    }

    fn question(&mut self) -> Result<Question<'a>, DnsError> {
        let (name, after) = Name::parse(self.msg, self.pos)?;
        let qtype = be16(self.msg, after).ok_or(truncated(self.pos, "question"))?;
        let qclass = be16(self.msg, after + 2).ok_or(truncated(self.pos, "question"))?;
        self.pos = after + 4;
        Ok(Question { name, qtype, qclass })
    }

    fn record(&mut self) -> Result<Record<'a>, DnsError> {
        let (name, after) = Name::parse(self.msg, self.pos)?;
        let fixed = self.msg.get(after..after + 10).ok_or(truncated(self.pos, "record"))?;
        let rtype = u16::from_be_bytes([fixed[0], fixed[1]]);
        let class = u16::from_be_bytes([fixed[2], fixed[3]]);
        let ttl = u32::from_be_bytes([fixed[4], fixed[5], fixed[6], fixed[7]]);
        let rdlen = u16::from_be_bytes([fixed[8], fixed[9]]) as usize;
        let rdata_offset = after + 10;
        let rdata =
            self.msg.get(rdata_offset..rdata_offset + rdlen).ok_or(truncated(rdata_offset, "rdata"))?;
        self.pos = rdata_offset + rdlen;
        Ok(Record { name, rtype, class, ttl, rdata, rdata_offset, msg: self.msg })
    }
}

impl<'a> Iterator for Entries<'a> {
    type Item = Result<Entry<'a>, DnsError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let i = self.left.iter().position(|&n| n > 0)?;
        self.left[i] -= 1;
        let r = if i == 0 {
            self.question().map(Entry::Question)
        } else {
            let s = [Section::Answer, Section::Authority, Section::Additional][i - 1];
            self.record().map(|r| Entry::Record(s, r))
        };
        self.failed = r.is_err();
        Some(r)
    }
}

/// Everything that decoded from a message, and the error that stopped decoding, if any.
#[derive(Clone, Debug)]
pub struct LaxMessage<'a> {
    /// The message view.
    pub message: Message<'a>,
    /// Decoded questions.
    pub questions: Vec<Question<'a>>,
    /// Decoded answer records.
    pub answers: Vec<Record<'a>>,
    /// Decoded authority records.
    pub authorities: Vec<Record<'a>>,
    /// Decoded additional records.
    pub additionals: Vec<Record<'a>>,
    /// Why decoding stopped before the counts in the header were reached.
    pub stop: Option<DnsError>,
    /// Bytes after the last record (0 for a well-formed message).
    pub trailing: usize,
}

impl<'a> LaxMessage<'a> {
    /// Decodes as much as possible; fails only when there is no complete header. The
    /// vectors grow with decoded entries only, never with the header's counts.
    pub fn parse(buf: &'a [u8]) -> Result<LaxMessage<'a>, DnsError> {
        let message = Message::parse(buf)?;
        let mut lax = LaxMessage {
            message,
            questions: Vec::new(),
            answers: Vec::new(),
            authorities: Vec::new(),
            additionals: Vec::new(),
            stop: None,
            trailing: 0,
        };
        let mut entries = message.entries();
        for e in entries.by_ref() {
            match e {
                Ok(Entry::Question(q)) => lax.questions.push(q),
                Ok(Entry::Record(Section::Answer, r)) => lax.answers.push(r),
                Ok(Entry::Record(Section::Authority, r)) => lax.authorities.push(r),
                Ok(Entry::Record(_, r)) => lax.additionals.push(r),
                Err(e) => lax.stop = Some(e),
            }
        }
        if lax.stop.is_none() {
            lax.trailing = buf.len().saturating_sub(entries.offset());
        }
        Ok(lax)
    }

    /// True when every entry the header announces decoded.
    pub fn is_complete(&self) -> bool {
        self.stop.is_none()
    }
}

/// One message of a DNS-over-TCP stream segment (RFC 1035 §4.2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TcpFrame<'a> {
    /// The 2-byte length prefix.
    pub declared_len: u16,
    /// The message bytes present, at most `declared_len` of them.
    pub data: &'a [u8],
}

impl TcpFrame<'_> {
    /// True when the whole message is present.
    pub fn is_complete(&self) -> bool {
        self.data.len() == self.declared_len as usize
    }
}

/// Splits a TCP payload that starts at a message boundary into length-prefixed messages;
/// the last one may be incomplete. A single trailing byte (half a prefix) is ignored.
pub fn tcp_frames(payload: &[u8]) -> impl Iterator<Item = TcpFrame<'_>> + '_ {
    let mut rest = payload;
    std::iter::from_fn(move || {
        let declared_len = be16(rest, 0)?;
        let avail = rest.len() - 2;
        let take = avail.min(declared_len as usize);
        let frame = TcpFrame { declared_len, data: &rest[2..2 + take] };
        rest = &rest[2 + take..];
        Some(frame)
    })
}

/// Builds a query message with one question (`qtype`, class IN), recursion desired when `rd`.
pub fn build_query(id: u16, rd: bool, qname: &str, qtype: u16) -> Result<Vec<u8>, DnsBuildError> {
    let mut out = Vec::with_capacity(12 + qname.len() + 6);
    out.extend_from_slice(&id.to_be_bytes());
    out.extend_from_slice(&(if rd { 0x0100u16 } else { 0 }).to_be_bytes());
    out.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, 0]);
    encode_name(qname, &mut out)?;
    out.extend_from_slice(&qtype.to_be_bytes());
    out.extend_from_slice(&1u16.to_be_bytes());
    Ok(out)
}

/// Appends `name` in wire form (uncompressed labels); "." or "" is the root.
pub fn encode_name(name: &str, out: &mut Vec<u8>) -> Result<(), DnsBuildError> {
    let trimmed = name.strip_suffix('.').unwrap_or(name);
    let start = out.len();
    if !trimmed.is_empty() {
        for label in trimmed.split('.') {
            if label.is_empty() || label.len() > 63 {
                return Err(DnsBuildError::BadLabel(label.to_string()));
            }
            out.push(label.len() as u8);
            out.extend_from_slice(label.as_bytes());
        }
    }
    out.push(0);
    if out.len() - start > 255 {
        return Err(DnsBuildError::NameTooLong);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
