//! Owned representations of DNS messages that parse from and emit to wire form
//! (`MessageRepr::parse(&Message::parse(&repr.emit(c)?)?)? == repr`).

use std::net::{Ipv4Addr, Ipv6Addr};

use super::{
    CLASS_IN, DnsBuildError, DnsError, Entry, HEADER_LEN, Header, Message, NameBuf, RData, Section, TYPE_A,
    TYPE_AAAA, TYPE_CNAME, TYPE_MX, TYPE_NS, TYPE_OPT, TYPE_PTR, TYPE_SOA, TYPE_SRV, TYPE_TXT,
};

/// A whole message, owned.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MessageRepr {
    /// Query identifier.
    pub id: u16,
    /// Header flags word (see [`Header`]'s constants); the counts come from the vectors.
    pub flags: u16,
    /// Question section.
    pub questions: Vec<QuestionRepr>,
    /// Answer section.
    pub answers: Vec<RecordRepr>,
    /// Authority section.
    pub authorities: Vec<RecordRepr>,
    /// Additional section.
    pub additionals: Vec<RecordRepr>,
}

/// A question, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuestionRepr {
    /// Name asked about.
    pub name: NameBuf,
    /// QTYPE.
    pub qtype: u16,
    /// QCLASS.
    pub qclass: u16,
}

/// A resource record, owned; its type comes from `data`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordRepr {
    /// Owner name.
    pub name: NameBuf,
    /// CLASS (UDP payload size for OPT).
    pub class: u16,
    /// TTL (extended rcode, version and flags for OPT).
    pub ttl: u32,
    /// Typed record data.
    pub data: RDataRepr,
}

/// Record data, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
#[expect(clippy::large_enum_variant, reason = "names are inline 255-byte buffers; SOA holds two")]
pub enum RDataRepr {
    /// A.
    A(Ipv4Addr),
    /// AAAA.
    Aaaa(Ipv6Addr),
    /// NS.
    Ns(NameBuf),
    /// CNAME.
    Cname(NameBuf),
    /// PTR.
    Ptr(NameBuf),
    /// MX.
    Mx {
        /// Preference.
        preference: u16,
        /// Exchange host.
        exchange: NameBuf,
    },
    /// TXT: one or more character-strings of at most 255 bytes.
    Txt(Vec<Vec<u8>>),
    /// SOA.
    Soa {
        /// Primary name server.
        mname: NameBuf,
        /// Responsible mailbox.
        rname: NameBuf,
        /// Serial.
        serial: u32,
        /// Refresh.
        refresh: u32,
        /// Retry.
        retry: u32,
        /// Expire.
        expire: u32,
        /// Minimum TTL.
        minimum: u32,
    },
    /// SRV.
    Srv {
        /// Priority.
        priority: u16,
        /// Weight.
        weight: u16,
        /// Port.
        port: u16,
        /// Target host (never compressed, RFC 2782).
        target: NameBuf,
    },
    /// OPT: the EDNS options as `(code, data)`.
    Opt(Vec<(u16, Vec<u8>)>),
    /// Any type without its own variant, with raw data.
    Unknown {
        /// The record type.
        rtype: u16,
        /// RDATA.
        data: Vec<u8>,
    },
}

impl RDataRepr {
    /// The record type this data is written with.
    pub fn rtype(&self) -> u16 {
        match self {
            RDataRepr::A(_) => TYPE_A,
            RDataRepr::Aaaa(_) => TYPE_AAAA,
            RDataRepr::Ns(_) => TYPE_NS,
            RDataRepr::Cname(_) => TYPE_CNAME,
            RDataRepr::Ptr(_) => TYPE_PTR,
            RDataRepr::Mx { .. } => TYPE_MX,
            RDataRepr::Txt(_) => TYPE_TXT,
            RDataRepr::Soa { .. } => TYPE_SOA,
            RDataRepr::Srv { .. } => TYPE_SRV,
            RDataRepr::Opt(_) => TYPE_OPT,
            RDataRepr::Unknown { rtype, .. } => *rtype,
        }
    }
}

const DECODED_TYPES: [u16; 10] =
    [TYPE_A, TYPE_AAAA, TYPE_NS, TYPE_CNAME, TYPE_PTR, TYPE_MX, TYPE_TXT, TYPE_SOA, TYPE_SRV, TYPE_OPT];

impl RecordRepr {
    /// A record of class IN.
    pub fn new(name: NameBuf, ttl: u32, data: RDataRepr) -> RecordRepr {
        RecordRepr { name, class: CLASS_IN, ttl, data }
    }

    /// The record type.
    pub fn rtype(&self) -> u16 {
        self.data.rtype()
    }

    /// An OPT pseudo-record: root owner, `udp_size` in CLASS, the DO bit in TTL when `dnssec_ok`.
    pub fn opt(udp_size: u16, dnssec_ok: bool, options: Vec<(u16, Vec<u8>)>) -> RecordRepr {
        RecordRepr {
            name: NameBuf::root(),
            class: udp_size,
            ttl: if dnssec_ok { 0x8000 } else { 0 },
            data: RDataRepr::Opt(options),
        }
    }
}

/// Suffixes already written (decompressed name, offset), for compression.
type Table = Vec<(NameBuf, u16)>;

fn put_name(out: &mut Vec<u8>, name: &NameBuf, table: Option<&mut Table>) {
    let Some(table) = table else {
        out.extend_from_slice(name.as_wire());
        return;
    };
    let labels: Vec<&[u8]> = name.labels().collect();
    for k in 0..labels.len() {
        let mut suffix = NameBuf::root();
        for l in &labels[k..] {
            // Cannot fail: a suffix of a valid name.
            let _ = suffix.push_label(l);
        }
        if let Some(&(_, off)) = table.iter().find(|(n, _)| *n == suffix) {
            out.extend_from_slice(&(0xc000 | off).to_be_bytes());
            return;
        }
        if out.len() < 0x4000 {
            table.push((suffix, out.len() as u16));
        }
        out.push(labels[k].len() as u8);
        out.extend_from_slice(labels[k]);
    }
    out.push(0);
}

fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_be_bytes());
}

fn count(n: usize, what: &'static str) -> Result<u16, DnsBuildError> {
    u16::try_from(n).map_err(|_| DnsBuildError::TooLarge(what))
}

fn put_record(out: &mut Vec<u8>, r: &RecordRepr, mut table: Option<&mut Table>) -> Result<(), DnsBuildError> {
    put_name(out, &r.name, table.as_deref_mut());
    put_u16(out, r.rtype());
    put_u16(out, r.class);
    put_u32(out, r.ttl);
    let len_at = out.len();
    put_u16(out, 0);
    match &r.data {
        RDataRepr::A(a) => out.extend_from_slice(&a.octets()),
        RDataRepr::Aaaa(a) => out.extend_from_slice(&a.octets()),
        RDataRepr::Ns(n) | RDataRepr::Cname(n) | RDataRepr::Ptr(n) => put_name(out, n, table),
        RDataRepr::Mx { preference, exchange } => {
            put_u16(out, *preference);
            put_name(out, exchange, table);
        }
        RDataRepr::Txt(strings) => {
            for s in strings {
                let l = u8::try_from(s.len()).map_err(|_| DnsBuildError::TxtTooLong)?;
                out.push(l);
                out.extend_from_slice(s);
            }
        }
        RDataRepr::Soa { mname, rname, serial, refresh, retry, expire, minimum } => {
            put_name(out, mname, table.as_deref_mut());
            put_name(out, rname, table);
            for v in [*serial, *refresh, *retry, *expire, *minimum] {
                put_u32(out, v);
            }
        }
        RDataRepr::Srv { priority, weight, port, target } => {
            for v in [*priority, *weight, *port] {
                put_u16(out, v);
            }
            put_name(out, target, None);
        }
        RDataRepr::Opt(options) => {
            for (code, data) in options {
                put_u16(out, *code);
                put_u16(out, count(data.len(), "an EDNS option")?);
                out.extend_from_slice(data);
            }
        }
        RDataRepr::Unknown { rtype, data } => {
            if DECODED_TYPES.contains(rtype) {
                return Err(DnsBuildError::KnownTypeAsUnknown(*rtype));
            }
            out.extend_from_slice(data);
        }
    }
    let len = count(out.len() - len_at - 2, "record data")?;
    out[len_at..len_at + 2].copy_from_slice(&len.to_be_bytes());
    Ok(())
}

impl MessageRepr {
    /// A query with one question of class IN.
    pub fn query(id: u16, recursion_desired: bool, name: NameBuf, qtype: u16) -> MessageRepr {
        MessageRepr {
            id,
            flags: if recursion_desired { Header::RD } else { 0 },
            questions: vec![QuestionRepr { name, qtype, qclass: CLASS_IN }],
            ..MessageRepr::default()
        }
    }

    /// Reads every question and record of `msg`; fails at the first one that does not decode.
    /// Bytes after the last record are ignored.
    pub fn parse(msg: &Message<'_>) -> Result<MessageRepr, DnsError> {
        let h = msg.header();
        let mut repr = MessageRepr { id: h.id, flags: h.flags, ..MessageRepr::default() };
        for e in msg.entries() {
            match e? {
                Entry::Question(q) => repr.questions.push(QuestionRepr {
                    name: q.name.to_buf(),
                    qtype: q.qtype,
                    qclass: q.qclass,
                }),
                Entry::Record(section, r) => {
                    let data = match r.data()? {
                        RData::A(a) => RDataRepr::A(a),
                        RData::Aaaa(a) => RDataRepr::Aaaa(a),
                        RData::Ns(n) => RDataRepr::Ns(n.to_buf()),
                        RData::Cname(n) => RDataRepr::Cname(n.to_buf()),
                        RData::Ptr(n) => RDataRepr::Ptr(n.to_buf()),
                        RData::Mx { preference, exchange } => {
                            RDataRepr::Mx { preference, exchange: exchange.to_buf() }
                        }
                        RData::Txt(t) => RDataRepr::Txt(t.strings().map(<[u8]>::to_vec).collect()),
                        RData::Soa(s) => RDataRepr::Soa {
                            mname: s.mname.to_buf(),
                            rname: s.rname.to_buf(),
                            serial: s.serial,
                            refresh: s.refresh,
                            retry: s.retry,
                            expire: s.expire,
                            minimum: s.minimum,
                        },
                        RData::Srv { priority, weight, port, target } => {
                            RDataRepr::Srv { priority, weight, port, target: target.to_buf() }
                        }
                        RData::Opt(o) => RDataRepr::Opt(o.options().map(|(c, d)| (c, d.to_vec())).collect()),
                        RData::Unknown(d) => RDataRepr::Unknown { rtype: r.rtype, data: d.to_vec() },
                    };
                    let rec = RecordRepr { name: r.name.to_buf(), class: r.class, ttl: r.ttl, data };
                    match section {
                        Section::Answer => repr.answers.push(rec),
                        Section::Authority => repr.authorities.push(rec),
                        _ => repr.additionals.push(rec),
                    }
                }
            }
        }
        Ok(repr)
    }

    /// Writes the message; with `compress`, names repeat as pointers to earlier suffixes
    /// (owner names and the names inside NS, CNAME, PTR, MX and SOA data).
    pub fn emit(&self, compress: bool) -> Result<Vec<u8>, DnsBuildError> {
        let mut out = Vec::with_capacity(512);
        Header {
            id: self.id,
            flags: self.flags,
            qdcount: count(self.questions.len(), "the question count")?,
            ancount: count(self.answers.len(), "the answer count")?,
            nscount: count(self.authorities.len(), "the authority count")?,
            arcount: count(self.additionals.len(), "the additional count")?,
        }
        .emit(&mut out);
        debug_assert_eq!(out.len(), HEADER_LEN);
        let mut table = Table::new();
        let mut table = compress.then_some(&mut table);
        for q in &self.questions {
            put_name(&mut out, &q.name, table.as_deref_mut());
            put_u16(&mut out, q.qtype);
            put_u16(&mut out, q.qclass);
        }
        for r in self.answers.iter().chain(&self.authorities).chain(&self.additionals) {
            put_record(&mut out, r, table.as_deref_mut())?;
        }
        Ok(out)
    }

    /// Writes the message with the 2-byte length prefix of DNS over TCP.
    pub fn emit_tcp(&self, compress: bool) -> Result<Vec<u8>, DnsBuildError> {
        let msg = self.emit(compress)?;
        let len = count(msg.len(), "a DNS-over-TCP message")?;
        let mut out = Vec::with_capacity(msg.len() + 2);
        put_u16(&mut out, len);
        out.extend_from_slice(&msg);
        Ok(out)
    }
}
