//! The text tcpdump 4.99.3 prints for a DNS message (`print-domain.c`), reproduced with its
//! quirks: it walks the raw bytes as tcpdump does (not the validated [`crate::proto::dns::Message`]) so
//! that broken messages print the same partial text, `<BAD PTR>`, `[|domain]` and all.

use std::fmt::Write as _;

use super::netdissect::{push_char, push_ipv4, push_ipv6, push_relts};

/// How tcpdump was asked to print, and how the message arrived.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TcpdumpOptions {
    /// Number of `-v` flags (0 to 3; more behave as 3).
    pub verbosity: u8,
    /// The payload is a DNS-over-TCP segment starting with the 2-byte length prefix.
    pub over_tcp: bool,
    /// Multicast DNS (UDP port 5353): tcpdump shows the class's top bit as `(QU)`/`(QM)` in
    /// questions and `(Cache flush)` in records.
    pub mdns: bool,
}

impl TcpdumpOptions {
    /// Plain DNS over UDP at the given verbosity.
    pub fn udp(verbosity: u8) -> Self {
        TcpdumpOptions { verbosity, ..Self::default() }
    }

    /// DNS over TCP at the given verbosity.
    pub fn tcp(verbosity: u8) -> Self {
        TcpdumpOptions { verbosity, over_tcp: true, mdns: false }
    }

    /// Multicast DNS at the given verbosity.
    pub fn mdns(verbosity: u8) -> Self {
        TcpdumpOptions { verbosity, over_tcp: false, mdns: true }
    }
}

/// Appends what tcpdump 4.99.3 prints for a DNS message.
///
/// `payload` is the captured UDP (or TCP) payload, as far as the IP datagram goes;
/// `length` is its length on the wire (the UDP length minus 8, or the TCP segment's
/// payload length), printed at the end as `(length)`.
///
/// Over UDP the text is what follows `IP a.b > c.d: `, e.g. `4660+ A? example.com. (29)`.
/// Over TCP it is what follows `length N` (it starts with a space, as tcpdump's does).
pub fn write_tcpdump(out: &mut String, payload: &[u8], length: usize, opts: TcpdumpOptions) {
    let mut p = Printer { m: payload, out, v: opts.verbosity, mdns: opts.mdns };
    if p.domain(length, opts.over_tcp).is_err() {
        p.out.push_str(" [|domain]");
    }
}

/// tcpdump's longjmp on reading past the captured data.
struct Trunc;

/// A read of the captured bytes: `Err(Trunc)` where tcpdump would stop.
type ReadResult<T> = Result<T, Trunc>;

const INDIR_MASK: u8 = 0xc0;
const EDNS0_MASK: u8 = 0x40;
const T_OPT: u16 = 41;
const MAXCDNAME: usize = 255;

struct Printer<'a, 'o> {
    /// The message, from its first header byte to the end of the captured data.
    m: &'a [u8],
    out: &'o mut String,
    v: u8,
    mdns: bool,
}

/// The opcode names tcpdump appends after the id.
const OPS: [&str; 16] = [
    "",
    " inv_q",
    " stat",
    " op3",
    " notify",
    " update",
    " op6",
    " op7",
    " op8",
    " updateA",
    " updateD",
    " updateDA",
    " updateM",
    " updateMA",
    " zoneInit",
    " zoneRef",
];

fn push_rcode(out: &mut String, rcode: u32) {
    const RESP: [&str; 24] = [
        "",
        " FormErr",
        " ServFail",
        " NXDomain",
        " NotImp",
        " Refused",
        " YXDomain",
        " YXRRSet",
        " NXRRSet",
        " NotAuth",
        " NotZone",
        " Resp11",
        " Resp12",
        " Resp13",
        " Resp14",
        " NoChange",
        " BadVers",
        "Resp17",
        " Resp18",
        " Resp19",
        " Resp20",
        "Resp21",
        " Resp22",
        " BadCookie",
    ];
    match RESP.get(rcode as usize) {
        Some(s) => out.push_str(s),
        None => {
            let _ = write!(out, " Resp{}", rcode & 0xfff);
        }
    }
}

/// tcpdump 4.99.3's record type names (`ns_type2str`), checked against the binary.
pub(super) fn type_mnemonic(t: u16) -> Option<&'static str> {
    const LOW: [&str; 48] = [
        "A", "NS", "MD", "MF", "CNAME", "SOA", "MB", "MG", "MR", "NULL", "WKS", "PTR", "HINFO", "MINFO",
        "MX", "TXT", "RP", "AFSDB", "X25", "ISDN", "RT", "NSAP", "NSAP_PTR", "SIG", "KEY", "PX", "GPOS",
        "AAAA", "LOC", "NXT", "EID", "NIMLOC", "SRV", "ATMA", "NAPTR", "KX", "CERT", "A6", "DNAME", "SINK",
        "OPT", "APL", "DS", "SSHFP", "IPSECKEY", "RRSIG", "NSEC", "DNSKEY",
    ];
    Some(match t {
        1..=48 => LOW[t as usize - 1],
        99 => "SPF",
        100 => "UINFO",
        101 => "UID",
        102 => "GID",
        103 => "UNSPEC",
        104 => "UNSPECA",
        249 => "TKEY",
        250 => "TSIG",
        251 => "IXFR",
        252 => "AXFR",
        253 => "MAILB",
        254 => "MAILA",
        255 => "ANY",
        256 => "URI",
        _ => return None,
    })
}

fn push_type(out: &mut String, t: u16) {
    match type_mnemonic(t) {
        Some(s) => out.push_str(s),
        None => {
            let _ = write!(out, "Type{t}");
        }
    }
}

fn push_class(out: &mut String, c: u16) {
    match c {
        1 => out.push_str("IN"),
        3 => out.push_str("CHAOS"),
        4 => out.push_str("HS"),
        255 => out.push_str("ANY"),
        _ => {
            let _ = write!(out, "(Class {c})");
        }
    }
}

fn edns_opt_name(code: u16) -> Option<&'static str> {
    Some(match code {
        1 => "LLQ",
        2 => "UL",
        3 => "NSID",
        5 => "DAU",
        6 => "DHU",
        7 => "N3U",
        8 => "ECS",
        9 => "EXPIRE",
        10 => "COOKIE",
        11 => "KEEPALIVE",
        12 => "PADDING",
        13 => "CHAIN",
        14 => "KEY-TAG",
        16 => "CLIENT-TAG",
        17 => "SERVER-TAG",
        _ => return None,
    })
}

/// DNSSEC algorithm names as tcpdump 4.99.3 prints them (3 really is `DS`).
fn dnssec_alg_name(a: u8) -> Option<&'static str> {
    Some(match a {
        0 => "DELETE",
        1 => "RSAMD5",
        2 => "DH",
        3 => "DS",
        5 => "RSASHA1",
        6 => "DSA-NSEC3-SHA1",
        7 => "RSASHA1-NSEC3-SHA1",
        8 => "RSASHA256",
        10 => "RSASHA512",
        12 => "ECC-GOST",
        13 => "ECDSAP256SHA256",
        14 => "ECDSAP384SHA384",
        15 => "ED25519",
        16 => "ED448",
        252 => "INDIRECT",
        253 => "PRIVATEDNS",
        254 => "PRIVATEOID",
        _ => return None,
    })
}

fn ds_digest_name(a: u8) -> Option<&'static str> {
    Some(match a {
        1 => "SHA-1",
        2 => "SHA-256",
        3 => "GOST_R_34.11-94",
        4 => "SHA-384",
        _ => return None,
    })
}

fn nsec_digest_name(a: u8) -> Option<&'static str> {
    (a == 1).then_some("SHA-1")
}

impl Printer<'_, '_> {
    fn avail(&self, cp: usize, n: usize) -> bool {
        cp.checked_add(n).is_some_and(|end| end <= self.m.len())
    }

    fn u8(&self, cp: usize) -> ReadResult<u8> {
        self.m.get(cp).copied().ok_or(Trunc)
    }

    fn be16(&self, cp: usize) -> ReadResult<u16> {
        Ok(u16::from_be_bytes([self.u8(cp)?, self.u8(cp.saturating_add(1))?]))
    }

    fn be32(&self, cp: usize) -> ReadResult<u32> {
        Ok(((self.be16(cp)? as u32) << 16) | self.be16(cp.saturating_add(2))? as u32)
    }

    fn append(&mut self, text: &str) {
        self.out.push_str(text);
    }

    /// `nd_printn`: prints up to `n` bytes, stopping at the end of the data; true when it
    /// stopped early.
    fn printn(&mut self, cp: usize, n: usize) -> bool {
        let end = cp.saturating_add(n).min(self.m.len());
        let start = cp.min(end);
        for &c in &self.m[start..end] {
            push_char(self.out, c);
        }
        end - start != n
    }

    /// `labellen`: the length of the label at `cp`, or None (after printing why) when it
    /// is not a label tcpdump understands.
    fn labellen(&mut self, cp: usize) -> Option<usize> {
        let i = *self.m.get(cp)?;
        match i & INDIR_MASK {
            EDNS0_MASK => {
                let elt = i & !INDIR_MASK;
                if elt != 1 {
                    let _ = write!(self.out, "<ELT {elt}>");
                    return None;
                }
                let bitlen = match *self.m.get(cp + 1)? {
                    0 => 256,
                    b => b as usize,
                };
                Some(bitlen.div_ceil(8) + 1)
            }
            0x00 | INDIR_MASK => Some(i as usize),
            _ => {
                self.append("<BAD LABEL TYPE>");
                None
            }
        }
    }

    /// `blabel_print`: an EDNS0 bit-string label.
    fn blabel(&mut self, cp: usize) -> ReadResult<Option<usize>> {
        let Some(&first) = self.m.get(cp) else { return Ok(None) };
        let bitlen: usize = if first == 0 { 256 } else { first as usize };
        let lim = cp + 1 + bitlen.div_ceil(4);
        self.append("\\[x");
        let mut bitp = cp + 1;
        let mut b = bitlen;
        while bitp < lim && b > 7 {
            let c = self.u8(bitp)?;
            let _ = write!(self.out, "{c:02x}");
            b -= 8;
            bitp += 1;
        }
        if b > 4 {
            let tc = self.u8(bitp)? as u32;
            let _ = write!(self.out, "{:02x}", tc & (0xff << (8 - b)));
        } else if b > 0 {
            let tc = self.u8(bitp)? as u32;
            let _ = write!(self.out, "{:1x}", ((tc >> 4) & 0x0f) & (0x0f << (4 - b)));
        }
        let _ = write!(self.out, "/{bitlen}]");
        Ok(Some(lim))
    }

    /// `fqdn_print`: prints the name at `cp` (pointers relative to `base`); returns where
    /// the bytes after the name start, or None when tcpdump's function returns NULL.
    fn fqdn(&mut self, cp: usize, base: usize) -> ReadResult<Option<usize>> {
        let Some(mut l) = self.labellen(cp) else { return Ok(None) };
        let Some(&first) = self.m.get(cp) else { return Ok(None) };
        // Offsets are unsigned in tcpdump: a base after `cp` makes every pointer acceptable.
        let mut max_offset = (cp as i64 - base as i64) as u32;
        let mut i = first;
        let mut cp = cp + 1;
        let mut rp: Option<usize> = None;
        let mut compress = false;
        let mut name_chars = 0usize;
        if i & INDIR_MASK != INDIR_MASK {
            rp = Some(cp + l);
        }
        if i == 0 {
            self.append(".");
            return Ok(rp);
        }
        while i != 0 && cp < self.m.len() {
            if i & INDIR_MASK == INDIR_MASK {
                if !compress {
                    rp = Some(cp + 1);
                    compress = true;
                }
                let Some(&lo) = self.m.get(cp) else { return Ok(None) };
                let offset = (((i as u32) << 8) | lo as u32) & 0x3fff;
                if offset >= max_offset {
                    self.append("<BAD PTR>");
                    return Ok(None);
                }
                max_offset = offset;
                cp = base + offset as usize;
                let Some(&next) = self.m.get(cp) else { return Ok(None) };
                i = next;
                let Some(nl) = self.labellen(cp) else { return Ok(None) };
                l = nl;
                cp += 1;
                continue;
            }
            if i & INDIR_MASK == EDNS0_MASK {
                let elt = i & !INDIR_MASK;
                if elt == 1 {
                    if self.blabel(cp)?.is_none() {
                        return Ok(None);
                    }
                } else {
                    let _ = write!(self.out, "<ELT {elt}>");
                    return Ok(None);
                }
            } else {
                if name_chars + l <= MAXCDNAME {
                    if self.printn(cp, l) {
                        return Ok(None);
                    }
                } else if name_chars < MAXCDNAME && self.printn(cp, MAXCDNAME - name_chars) {
                    return Ok(None);
                }
                name_chars += l;
            }
            cp += l;
            if name_chars <= MAXCDNAME {
                self.append(".");
            }
            name_chars += 1;
            let Some(&next) = self.m.get(cp) else { return Ok(None) };
            i = next;
            let Some(nl) = self.labellen(cp) else { return Ok(None) };
            l = nl;
            cp += 1;
            if !compress {
                rp = rp.map(|r| r + l + 1);
            }
        }
        if name_chars > MAXCDNAME {
            self.append("<DOMAIN NAME TOO LONG>");
        }
        Ok(rp)
    }

    /// `ns_nskip`: the position after the name at `cp`, without printing.
    fn nskip(&self, cp: usize) -> Option<usize> {
        let mut i = *self.m.get(cp)?;
        let mut cp = cp + 1;
        while i != 0 {
            match i & INDIR_MASK {
                INDIR_MASK => return Some(cp + 1),
                EDNS0_MASK => {
                    if i & !INDIR_MASK != 1 {
                        return None;
                    }
                    let bitlen = match *self.m.get(cp)? {
                        0 => 256,
                        b => b as usize,
                    };
                    cp += 1 + bitlen.div_ceil(8);
                }
                0x80 => return None,
                _ => cp += i as usize,
            }
            i = *self.m.get(cp)?;
            cp += 1;
        }
        Some(cp)
    }

    /// `ns_cprint`: a character-string.
    fn cprint(&mut self, cp: usize) -> Option<usize> {
        let i = *self.m.get(cp)? as usize;
        if self.printn(cp + 1, i) {
            return None;
        }
        Some(cp + 1 + i)
    }

    /// `ns_qprint`: a question.
    fn qprint(&mut self, cp: usize) -> ReadResult<Option<usize>> {
        let np = cp;
        let Some(cp) = self.nskip(cp) else { return Ok(None) };
        if !self.avail(cp, 4) {
            return Ok(None);
        }
        let qtype = self.be16(cp)?;
        self.append(" ");
        push_type(self.out, qtype);
        let raw = self.be16(cp + 2)?;
        let class = if self.mdns { raw & !0x8000 } else { raw };
        if class != 1 {
            self.append(" ");
            push_class(self.out, class);
        }
        if self.mdns {
            self.append(if raw & 0x8000 != 0 { " (QU)" } else { " (QM)" });
        }
        self.append("? ");
        Ok(self.fqdn(np, 0)?.map(|c| c + 4))
    }

    /// `ns_rprint`: a resource record.
    fn rprint(&mut self, cp: usize) -> ReadResult<Option<usize>> {
        let cp = if self.v > 0 {
            self.append(" ");
            match self.fqdn(cp, 0)? {
                Some(c) => Some(c),
                None => return Ok(None),
            }
        } else {
            self.nskip(cp)
        };
        let cp = match cp {
            Some(c) if self.avail(c, 10) => c,
            _ => return Ok(Some(self.m.len())),
        };
        let typ = self.be16(cp)?;
        let raw_class = self.be16(cp + 2)?;
        let class = if self.mdns { raw_class & !0x8000 } else { raw_class };
        if class != 1 && typ != T_OPT {
            self.append(" ");
            push_class(self.out, class);
        }
        if self.mdns && raw_class & 0x8000 != 0 {
            self.append(" (Cache flush)");
        }
        let mut opt_flags = 0;
        if typ == T_OPT {
            opt_flags = self.be16(cp + 6)?;
        } else if self.v > 2 {
            let ttl = self.be32(cp + 4)?;
            self.append(" [");
            push_relts(self.out, ttl);
            self.append("]");
        }
        let len = self.be16(cp + 8)? as usize;
        let cp = cp + 10;
        let rp = cp + len;
        self.append(" ");
        push_type(self.out, typ);
        if rp > self.m.len() {
            return Ok(None);
        }
        match typ {
            1 => {
                if !self.avail(cp, 4) {
                    return Ok(None);
                }
                self.append(" ");
                push_ipv4(self.out, [self.m[cp], self.m[cp + 1], self.m[cp + 2], self.m[cp + 3]]);
            }
            2 | 5 | 12 | 39 => {
                self.append(" ");
                if self.fqdn(cp, 0)?.is_none() {
                    return Ok(None);
                }
            }
            6 => {
                if self.v == 0 {
                    return Ok(Some(rp));
                }
                self.append(" ");
                let Some(cp) = self.fqdn(cp, 0)? else { return Ok(None) };
                self.append(" ");
                let Some(cp) = self.fqdn(cp, 0)? else { return Ok(None) };
                if !self.avail(cp, 20) {
                    return Ok(None);
                }
                for k in 0..5 {
                    let n = self.be32(cp + 4 * k)?;
                    let _ = write!(self.out, " {n}");
                }
            }
            15 => {
                self.append(" ");
                if !self.avail(cp, 2) {
                    return Ok(None);
                }
                if self.fqdn(cp + 2, 0)?.is_none() {
                    return Ok(None);
                }
                let pref = self.be16(cp)?;
                let _ = write!(self.out, " {pref}");
            }
            16 => {
                let mut cp = cp;
                while cp < rp {
                    self.append(" \"");
                    match self.cprint(cp) {
                        Some(c) => cp = c,
                        None => return Ok(None),
                    }
                    self.append("\"");
                }
            }
            33 => {
                self.append(" ");
                if !self.avail(cp, 6) {
                    return Ok(None);
                }
                if self.fqdn(cp + 6, 0)?.is_none() {
                    return Ok(None);
                }
                let (port, prio, weight) = (self.be16(cp + 4)?, self.be16(cp)?, self.be16(cp + 2)?);
                let _ = write!(self.out, ":{port} {prio} {weight}");
            }
            28 => {
                if !self.avail(cp, 16) {
                    return Ok(None);
                }
                let mut a = [0u8; 16];
                a.copy_from_slice(&self.m[cp..cp + 16]);
                self.append(" ");
                push_ipv6(self.out, &a);
            }
            38 => {
                let pbit = self.u8(cp)? as usize;
                let pbyte = (pbit & !7) / 8;
                if pbit > 128 {
                    let _ = write!(self.out, " {pbit}(bad plen)");
                    return Ok(Some(rp));
                } else if pbit < 128 {
                    let src = cp + 1;
                    let n = 16 - pbyte;
                    if !self.avail(src, n) {
                        return Err(Trunc);
                    }
                    let mut a = [0u8; 16];
                    a[pbyte..].copy_from_slice(&self.m[src..src + n]);
                    let _ = write!(self.out, " {pbit} ");
                    push_ipv6(self.out, &a);
                }
                if pbit > 0 {
                    self.append(" ");
                    if self.fqdn(cp + 1 + 16 - pbyte, 0)?.is_none() {
                        return Ok(None);
                    }
                }
            }
            256 => {
                if !self.avail(cp, len) {
                    return Ok(None);
                }
                let (prio, weight) = (self.be16(cp)?, self.be16(cp + 2)?);
                let _ = write!(self.out, " {prio} {weight} ");
                // tcpdump computes len - 4 in unsigned arithmetic.
                let n = (len as u32).wrapping_sub(4) as usize;
                if self.printn(cp + 4, n) {
                    return Ok(None);
                }
            }
            T_OPT => {
                let _ = write!(self.out, " UDPsize={class}");
                if opt_flags & 0x8000 != 0 {
                    self.append(" DO");
                }
                if cp < rp {
                    self.append(" [");
                    let mut cp = cp;
                    while cp < rp {
                        match self.eopt(cp)? {
                            Some(c) => cp = c,
                            None => return Ok(None),
                        }
                        if cp < rp {
                            self.append(",");
                        }
                    }
                    self.append("]");
                }
            }
            // UNSPECA: the data as one string.
            104 if !self.avail(cp, len) || self.printn(cp, len) => return Ok(None),
            250 => {
                if self.v == 0 {
                    return Ok(Some(rp));
                }
                self.append(" ");
                let Some(cp) = self.fqdn(cp, 0)? else { return Ok(None) };
                let cp = cp + 6;
                let fudge = self.be16(cp)?;
                let _ = write!(self.out, " fudge={fudge}");
                let maclen = self.be16(cp + 2)?;
                let _ = write!(self.out, " maclen={maclen}");
                let cp = cp + 4 + maclen as usize;
                let origid = self.be16(cp)?;
                let _ = write!(self.out, " origid={origid}");
                let error = self.be16(cp + 2)?;
                let _ = write!(self.out, " error={error}");
                let otherlen = self.be16(cp + 4)?;
                let _ = write!(self.out, " otherlen={otherlen}");
            }
            _ => {}
        }
        Ok(Some(rp))
    }

    /// `eopt_print`: one EDNS option.
    fn eopt(&mut self, cp: usize) -> ReadResult<Option<usize>> {
        if !self.avail(cp, 2) {
            return Ok(None);
        }
        let opt = self.be16(cp)?;
        match edns_opt_name(opt) {
            Some(n) => self.append(n),
            None => {
                let _ = write!(self.out, "Opt{opt}");
            }
        }
        if !self.avail(cp + 2, 2) {
            return Ok(None);
        }
        let len = self.be16(cp + 2)? as usize;
        let cp = cp + 4;
        if !self.avail(cp, len) {
            return Ok(None);
        }
        if len > 0 {
            self.append(" ");
            let data = &self.m[cp..cp + len];
            match opt {
                8 => self.ecs(data),
                10 => {
                    if len < 8 || (len > 8 && len < 16) || len > 40 {
                        self.append(" (invalid)");
                    } else {
                        for (k, b) in data.iter().enumerate() {
                            if k == 8 {
                                self.append(" ");
                            }
                            let _ = write!(self.out, "{b:02x}");
                        }
                    }
                }
                11 => {
                    if len != 2 {
                        self.append(" (invalid)");
                    } else {
                        let t = u16::from_be_bytes([data[0], data[1]]);
                        let _ = write!(self.out, "{:.1} sec", t as f64 / 10.0);
                    }
                }
                9 => {
                    if len != 4 {
                        self.append(" (invalid)");
                    } else {
                        let t = u32::from_be_bytes([data[0], data[1], data[2], data[3]]);
                        let _ = write!(self.out, "{t} sec");
                    }
                }
                12 => {
                    let _ = write!(self.out, "({len})");
                }
                14 => {
                    if !len.is_multiple_of(2) {
                        self.append(" (invalid)");
                    } else {
                        for (k, pair) in data.chunks(2).enumerate() {
                            if k > 0 {
                                self.append(" ");
                            }
                            let _ = write!(self.out, "{}", u16::from_be_bytes([pair[0], pair[1]]));
                        }
                    }
                }
                5..=7 => {
                    let table = match opt {
                        5 => dnssec_alg_name,
                        6 => ds_digest_name,
                        _ => nsec_digest_name,
                    };
                    for (k, &b) in data.iter().enumerate() {
                        if k > 0 {
                            self.append(" ");
                        }
                        match table(b) {
                            Some(n) => self.append(n),
                            None => {
                                let _ = write!(self.out, "Alg_{b}");
                            }
                        }
                    }
                }
                13 => {
                    // tcpdump passes the option's end as the message base here.
                    self.fqdn(cp, cp + len)?;
                }
                _ => {
                    for b in data {
                        let _ = write!(self.out, "{b:02x}");
                    }
                }
            }
        }
        Ok(Some(cp + len))
    }

    /// `edns0_ecs_print`: EDNS client subnet.
    fn ecs(&mut self, data: &[u8]) {
        if data.len() < 4 {
            self.append(" (invalid)");
            return;
        }
        let family = u16::from_be_bytes([data[0], data[1]]);
        let (src_len, scope_len) = (data[2] as usize, data[3] as usize);
        let addr_bits = match family {
            1 => 32,
            2 => 128,
            _ => {
                self.append(" (invalid)");
                return;
            }
        };
        let n = data.len() - 4;
        if n > addr_bits / 8 || src_len > addr_bits || scope_len > addr_bits || src_len.div_ceil(8) != n {
            self.append(" (invalid)");
            return;
        }
        let mut padded = [0u8; 16];
        padded[..n].copy_from_slice(&data[4..]);
        if family == 1 {
            push_ipv4(self.out, [padded[0], padded[1], padded[2], padded[3]]);
        } else {
            push_ipv6(self.out, &padded);
        }
        let _ = write!(self.out, "/{src_len}/{scope_len}");
    }

    /// Prints records while data remains; `prefix` goes before the first one.
    fn rsection(&mut self, cp: &mut usize, count: &mut u16, prefix: &str) -> ReadResult<bool> {
        if *cp < self.m.len() && *count > 0 {
            self.append(prefix);
            match self.rprint(*cp)? {
                Some(c) => *cp = c,
                None => return Ok(false),
            }
            *count -= 1;
            while *cp < self.m.len() && *count > 0 {
                self.append(",");
                match self.rprint(*cp)? {
                    Some(c) => *cp = c,
                    None => return Ok(false),
                }
                *count -= 1;
            }
        }
        Ok(*count == 0)
    }

    /// The extended rcode: the header's 4 bits plus the OPT record's upper 8, found the way
    /// tcpdump's pre-scan finds them.
    fn scan_rcode(&self, counts: [u16; 4]) -> u32 {
        let mut rcode = (self.m[3] & 0xf) as u32;
        let snapend = self.m.len();
        let mut cp = 12;
        for _ in 0..counts[0] {
            let Some(c) = self.nskip(cp) else { return rcode };
            cp = c + 4;
            if cp >= snapend {
                return rcode;
            }
        }
        for _ in 0..counts[1] as u32 + counts[2] as u32 {
            let Some(c) = self.nskip(cp) else { return rcode };
            cp = c + 8;
            let Some(len) = self.m.get(cp..cp + 2) else { return rcode };
            cp += 2 + u16::from_be_bytes([len[0], len[1]]) as usize;
            if cp >= snapend {
                return rcode;
            }
        }
        for _ in 0..counts[3] {
            let Some(c) = self.nskip(cp) else { return rcode };
            cp = c;
            let Some(t) = self.m.get(cp..cp + 2) else { return rcode };
            let typ = u16::from_be_bytes([t[0], t[1]]);
            cp += 4;
            let Some(&ext) = self.m.get(cp) else { return rcode };
            if typ == T_OPT {
                rcode |= (ext as u32) << 4;
                return rcode;
            }
            cp += 4;
            let Some(len) = self.m.get(cp..cp + 2) else { return rcode };
            cp += 2 + u16::from_be_bytes([len[0], len[1]]) as usize;
            if cp >= snapend {
                return rcode;
            }
        }
        rcode
    }

    /// `domain_print`.
    fn domain(&mut self, length: usize, over_tcp: bool) -> ReadResult<()> {
        let mut length = length;
        if over_tcp {
            if length < 2 {
                let _ = write!(self.out, " [DNS over TCP: length {length} < 2] (invalid)");
                return Ok(());
            }
            length -= 2;
            let prefix = self.be16(0)? as usize;
            if prefix != length {
                let _ = write!(self.out, " [prefix length({prefix}) != length({length})] (invalid)");
                return Ok(());
            }
            self.m = &self.m[2..];
            self.append(" ");
        }
        if length < 12 {
            let _ = write!(self.out, "domain [length {length} < 12] (invalid)");
            return Ok(());
        }
        if self.m.len() < 12 {
            return Err(Trunc);
        }
        let id = self.be16(0)?;
        let flags = self.be16(2)?;
        let mut qd = self.be16(4)?;
        let mut an = self.be16(6)?;
        let mut ns = self.be16(8)?;
        let mut ar = self.be16(10)?;
        let rcode = self.scan_rcode([qd, an, ns, ar]);
        let opcode = ((flags >> 11) & 0xf) as usize;
        let _ = write!(self.out, "{id}{}", OPS[opcode]);
        let mut cp = 12;
        if flags & 0x8000 != 0 {
            push_rcode(self.out, rcode);
            for (bit, on, off) in [(0x0400, "*", ""), (0x0080, "", "-"), (0x0200, "|", ""), (0x0020, "$", "")]
            {
                self.append(if flags & bit != 0 { on } else { off });
            }
            if qd != 1 {
                let _ = write!(self.out, " [{qd}q]");
            }
            for k in 0..qd {
                if k != 0 {
                    self.append(",");
                }
                if self.v > 1 {
                    self.append(" q:");
                    match self.qprint(cp)? {
                        Some(c) => cp = c,
                        None => return Err(Trunc),
                    }
                } else {
                    match self.nskip(cp) {
                        Some(c) => cp = c + 4,
                        None => return Err(Trunc),
                    }
                }
            }
            let _ = write!(self.out, " {an}/{ns}/{ar}");
            if an > 0 {
                match self.rprint(cp)? {
                    Some(c) => cp = c,
                    None => return Err(Trunc),
                }
                an -= 1;
                while cp < self.m.len() && an > 0 {
                    self.append(",");
                    match self.rprint(cp)? {
                        Some(c) => cp = c,
                        None => return Err(Trunc),
                    }
                    an -= 1;
                }
            }
            if an > 0 {
                return Err(Trunc);
            }
            if self.v > 1
                && (!self.rsection(&mut cp, &mut ns, " ns:")? || !self.rsection(&mut cp, &mut ar, " ar:")?)
            {
                return Err(Trunc);
            }
        } else {
            self.append(if flags & 0x0100 != 0 { "+" } else { "" });
            self.append(if flags & 0x0010 != 0 { "%" } else { "" });
            if flags & 0x6cf != 0 {
                let _ = write!(self.out, " [b2&3=0x{flags:x}]");
            }
            if opcode == 1 {
                if qd != 0 {
                    let _ = write!(self.out, " [{qd}q]");
                }
                if an != 1 {
                    let _ = write!(self.out, " [{an}a]");
                }
            } else {
                if an != 0 {
                    let _ = write!(self.out, " [{an}a]");
                }
                if qd != 1 {
                    let _ = write!(self.out, " [{qd}q]");
                }
            }
            if ns != 0 {
                let _ = write!(self.out, " [{ns}n]");
            }
            if ar != 0 {
                let _ = write!(self.out, " [{ar}au]");
            }
            if qd > 0 {
                match self.qprint(cp)? {
                    Some(c) => cp = c,
                    None => return Err(Trunc),
                }
                qd -= 1;
                while cp < self.m.len() && qd > 0 {
                    match self.qprint(cp)? {
                        Some(c) => cp = c,
                        None => return Err(Trunc),
                    }
                    qd -= 1;
                }
            }
            if qd > 0 {
                return Err(Trunc);
            }
            if self.v > 1 {
                if an > 0 {
                    match self.rprint(cp)? {
                        Some(c) => cp = c,
                        None => return Err(Trunc),
                    }
                    an -= 1;
                    while cp < self.m.len() && an > 0 {
                        self.append(",");
                        match self.rprint(cp)? {
                            Some(c) => cp = c,
                            None => return Err(Trunc),
                        }
                        an -= 1;
                    }
                }
                if an > 0
                    || !self.rsection(&mut cp, &mut ns, " ns:")?
                    || !self.rsection(&mut cp, &mut ar, " ar:")?
                {
                    return Err(Trunc);
                }
            }
        }
        let _ = write!(self.out, " ({length})");
        Ok(())
    }
}
