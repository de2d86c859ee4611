//! Wireshark DNS fields as tshark 4.0 prints them with `-T fields`.
//!
//! Wireshark reads names by its own rules (forward pointers are followed, loops are caught
//! by counting, a name over 254 characters shows as `<Name too long>`), and stops adding
//! fields at the first read past the end of the data. This module reproduces that so the
//! values match tshark's on broken messages too.

use std::fmt::Write as _;

use super::tshark_text::{Occurrences, push_format_text};
use crate::render::text::netdissect::push_ipv6;

/// The Wireshark field names [`write_field`] knows.
pub const FIELDS: &[&str] = &[
    "dns.id",
    "dns.flags",
    "dns.flags.response",
    "dns.flags.opcode",
    "dns.flags.authoritative",
    "dns.flags.conflict",
    "dns.flags.truncated",
    "dns.flags.recdesired",
    "dns.flags.tentative",
    "dns.flags.recavail",
    "dns.flags.z",
    "dns.flags.authenticated",
    "dns.flags.checkdisable",
    "dns.flags.rcode",
    "dns.count.queries",
    "dns.count.answers",
    "dns.count.auth_rr",
    "dns.count.add_rr",
    "dns.qry.name",
    "dns.qry.type",
    "dns.qry.class",
    "dns.qry.qu",
    "dns.qry.name.len",
    "dns.count.labels",
    "dns.resp.name",
    "dns.resp.type",
    "dns.resp.class",
    "dns.resp.cache_flush",
    "dns.resp.ttl",
    "dns.resp.len",
    "dns.resp.ext_rcode",
    "dns.resp.edns0_version",
    "dns.resp.z",
    "dns.resp.z.do",
    "dns.a",
    "dns.aaaa",
    "dns.cname",
];

/// Appends the value tshark prints for `field` of the DNS message `msg` (several values
/// joined by `,`); returns false, appending nothing, when the field is absent or unknown.
///
/// For DNS over TCP pass each message of [`crate::proto::dns::tcp_frames`] in turn and join the results
/// with `,`, as tshark does for one frame.
pub fn write_field(msg: &[u8], field: &str, out: &mut String) -> bool {
    write(msg, Flavor::Dns, field, out)
}

/// [`write_field`] for multicast DNS (UDP port 5353), where Wireshark shows classes without
/// their top (unicast-response or cache-flush) bit.
pub fn write_mdns_field(msg: &[u8], field: &str, out: &mut String) -> bool {
    write(msg, Flavor::Mdns, field, out)
}

/// [`write_field`] for LLMNR (UDP port 5355), whose header flags Wireshark names apart
/// (`dns.flags.conflict`, `dns.flags.tentative`; no authoritative, recursion flags).
pub fn write_llmnr_field(msg: &[u8], field: &str, out: &mut String) -> bool {
    write(msg, Flavor::Llmnr, field, out)
}

/// Which of the DNS protocols Wireshark dissects the message as.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flavor {
    Dns,
    Mdns,
    Llmnr,
}

fn write(msg: &[u8], flavor: Flavor, field: &str, out: &mut String) -> bool {
    let start = out.len();
    let mut occurrences = Occurrences::default();
    visit(msg, flavor, part_of(field), |f, v| {
        if f == field {
            occurrences.start(out);
            v.write(out);
        }
    });
    out.len() > start || occurrences.any()
}

/// A field value.
enum Value<'a> {
    Hex8(u8),
    Hex16(u16),
    Num(u32),
    Name(&'a WsName),
    V4([u8; 4]),
    V6([u8; 16]),
}

impl Value<'_> {
    fn write(&self, out: &mut String) {
        match self {
            Value::Hex8(v) => {
                let _ = write!(out, "0x{v:02x}");
            }
            Value::Hex16(v) => {
                let _ = write!(out, "0x{v:04x}");
            }
            Value::Num(v) => {
                let _ = write!(out, "{v}");
            }
            Value::Name(n) => n.write(out),
            Value::V4(a) => {
                let _ = write!(out, "{}.{}.{}.{}", a[0], a[1], a[2], a[3]);
            }
            Value::V6(a) => push_ipv6(out, a),
        }
    }
}

/// A name as Wireshark's `get_dns_name` leaves it.
#[expect(clippy::large_enum_variant, reason = "a stack value, never stored in bulk")]
enum WsName {
    Bytes { buf: [u8; 255], len: usize },
    Text(&'static str),
}

impl WsName {
    /// Wireshark's `dns.qry.name.len` (the name's length, 0 for a name of one character or
    /// none) and `dns.count.labels` (its dots plus one, 0 for such a name).
    fn length_and_labels(&self) -> (u32, u32) {
        let text = match self {
            WsName::Bytes { buf, len } => &buf[..*len],
            WsName::Text(t) => t.as_bytes(),
        };
        if text.len() <= 1 {
            return (0, 0);
        }
        (text.len() as u32, text.iter().filter(|c| **c == b'.').count() as u32 + 1)
    }

    fn write(&self, out: &mut String) {
        match self {
            WsName::Bytes { buf, len } => push_format_text(out, &buf[..*len]),
            WsName::Text(t) => out.push_str(t),
        }
    }
}

/// Header flag bits (RFC 1035 §4.1.1, RFC 4035 §3.2 for AD and CD).
const FLAG_AA: u16 = 0x0400;
const FLAG_TC: u16 = 0x0200;
const FLAG_RD: u16 = 0x0100;
const FLAG_RA: u16 = 0x0080;
const FLAG_Z: u16 = 0x0040;
const FLAG_AD: u16 = 0x0020;
const FLAG_CD: u16 = 0x0010;

/// Wireshark's shortest name in place (a pointer).
const MIN_DNAME_LEN: usize = 2;

/// Wireshark's `get_dns_name`: [`expand_name`], then `<Root>` for a name whose first
/// character is NUL and that takes at most two bytes, and a stop for other names of under
/// two bytes or with no counted characters.
fn ws_name(msg: &[u8], offset: usize, max_len: usize, budget: &mut usize) -> Result<(WsName, usize), Stop> {
    let (name, first, len) = expand_name(msg, offset, max_len, budget)?;
    if first == 0 && len <= MIN_DNAME_LEN {
        return Ok((WsName::Text("<Root>"), len));
    }
    if len < MIN_DNAME_LEN || (len > MIN_DNAME_LEN && matches!(name, WsName::Bytes { len: 0, .. })) {
        return Err(Stop);
    }
    Ok((name, len))
}

/// Wireshark stops dissecting here (it threw an exception).
struct Stop;

/// Most pointers Wireshark follows before calling the name a loop.
const MAX_DNAME_LEN: usize = 255;

/// Labels and pointers read for all the names of one message, at most. Wireshark has no such
/// bound: names that follow pointers into long label chains (tcpdump's dns_fwdptr test has
/// 10,519 names of about 16,000 labels each) make it read hundreds of millions of labels.
/// Real messages read a few hundred; past the bound the message stops as at its end.
const NAME_STEPS: usize = 1 << 20;

/// Wireshark's `expand_dns_name`: the name at `offset`, the first byte of its buffer (0 when
/// empty) and the bytes it takes in place. `max_len` (0 for no limit) bounds a name inside
/// record data.
///
/// Reproduced quirk: a bit-string label (RFC 2673) is written into the buffer without
/// counting towards the name's length, so only part of it, or of what follows, shows.
fn expand_name(
    msg: &[u8],
    offset: usize,
    max_len: usize,
    budget: &mut usize,
) -> Result<(WsName, u8, usize), Stop> {
    let start = offset;
    let mut off = offset;
    let mut len: Option<usize> = None;
    let mut pointers = 0;
    // Brent: a saved pointer target, steps since saving it, steps before saving the next.
    let mut cycle = (usize::MAX, 0usize, 1usize);
    let mut buf = [0u8; MAX_DNAME_LEN];
    let mut np = 0; // where the next character goes
    let mut name_len = 0; // characters that count
    let mut maxname: i32 = MAX_DNAME_LEN as i32;
    let get = |at: usize| msg.get(at).copied().ok_or(Stop);
    // Wireshark compares signed offsets: after a pointer back, `off` is before `start`.
    let past_limit = |off: usize| max_len != 0 && off as isize - start as isize > max_len as isize - 1;
    // snprintf into the remaining room, as Wireshark's bit-string printing does.
    let print = |text: &str, buf: &mut [u8; MAX_DNAME_LEN], np: &mut usize, maxname: &mut i32| {
        if *maxname > 0 {
            if text.len() as i32 <= *maxname {
                buf[*np..*np + text.len()].copy_from_slice(text.as_bytes());
                *np += text.len();
                *maxname -= text.len() as i32;
            } else {
                *maxname = 0;
            }
        }
    };
    loop {
        if past_limit(off) {
            break;
        }
        // Bounded work per message (see [`NAME_STEPS`]).
        *budget = budget.checked_sub(1).ok_or(Stop)?;
        let c = get(off)?;
        off += 1;
        if c == 0 {
            break;
        }
        match c & 0xc0 {
            0x00 => {
                if np > 0 {
                    if maxname > 0 {
                        buf[np] = b'.';
                        np += 1;
                        name_len += 1;
                        maxname -= 1;
                    }
                } else {
                    maxname -= 1;
                }
                if maxname <= 0 {
                    // The buffer is full: only where the label ends matters, and whether a
                    // byte of it lies past the data or the limit (as the byte loop finds).
                    let last = off + c as usize - 1;
                    if last >= msg.len() || past_limit(last) {
                        return Err(Stop);
                    }
                    off = last + 1;
                    continue;
                }
                for _ in 0..c {
                    if past_limit(off) {
                        return Err(Stop);
                    }
                    let b = get(off)?;
                    if maxname > 0 {
                        buf[np] = b;
                        np += 1;
                        name_len += 1;
                        maxname -= 1;
                    }
                    off += 1;
                }
            }
            0xc0 => {
                let lo = get(off)?;
                let target = (((c & 0x3f) as usize) << 8) | lo as usize;
                off += 1;
                pointers += 1;
                let l = *len.get_or_insert_with(|| off - start);
                // Wireshark's "pointer to itself" test compares with the position two bytes
                // after the pointer's end; it also counts pointers. A pointer target seen
                // before means a cycle the walk can only leave by that count (every test on
                // the way depends on the position alone): answer now rather than after 255
                // pointers (Brent's cycle detection).
                if target == off + 2 || pointers > MAX_DNAME_LEN || target == cycle.0 {
                    return Ok((WsName::Text("<Name contains a pointer that loops>"), b'<', l));
                }
                cycle.1 += 1;
                if cycle.1 == cycle.2 {
                    cycle = (target, 0, cycle.2 * 2);
                }
                off = target;
            }
            0x40 if c == 0x41 => {
                let bit_count = get(off)? as i32;
                off += 1;
                // C division: a bit count of 0 still takes one byte.
                let label_len = (bit_count - 1) / 8 + 1;
                print("\\[x", &mut buf, &mut np, &mut maxname);
                for _ in 0..label_len {
                    if maxname > 0 {
                        let b = get(off)?;
                        const HEX: &[u8; 16] = b"0123456789abcdef";
                        let h = [HEX[(b >> 4) as usize], HEX[(b & 15) as usize]];
                        print(std::str::from_utf8(&h).unwrap_or(""), &mut buf, &mut np, &mut maxname);
                    }
                    off += 1;
                }
                // "/N]" without allocating: N is at most 256.
                let mut t = [b'/', 0, 0, 0, 0, 0];
                let mut n = 1;
                for d in [bit_count / 100, bit_count / 10 % 10, bit_count % 10]
                    .into_iter()
                    .skip_while(|d| *d == 0)
                    .chain((bit_count == 0).then_some(0))
                {
                    t[n] = b'0' + d as u8;
                    n += 1;
                }
                t[n] = b']';
                print(std::str::from_utf8(&t[..n + 1]).unwrap_or(""), &mut buf, &mut np, &mut maxname);
            }
            // Other extended labels end the name with a note; Wireshark measures from
            // `start` even after a pointer.
            0x40 => {
                return match off.checked_sub(start) {
                    Some(l) if l >= 1 => Ok((WsName::Text("<Unknown extended label>"), b'<', l)),
                    _ => Err(Stop),
                };
            }
            // The reserved label type 0x80.
            _ => return Err(Stop),
        }
    }
    let len = len.unwrap_or_else(|| off - start);
    if maxname > 0 {
        let first = if np > 0 { buf[0] } else { 0 };
        Ok((WsName::Bytes { buf, len: name_len }, first, len))
    } else {
        Ok((WsName::Text("<Name too long>"), b'<', len))
    }
}

fn be16(msg: &[u8], at: usize) -> Result<u16, Stop> {
    crate::bytes::be16(msg, at).ok_or(Stop)
}

fn be32(msg: &[u8], at: usize) -> Result<u32, Stop> {
    crate::bytes::be32(msg, at).ok_or(Stop)
}

/// One byte of a type bit map: each set bit, from the high one, is the record type
/// `*rr_type`; `*rr_type` moves on by 8.
fn bitmap_byte(bits: u8, rr_type: &mut u32, emit: &mut impl FnMut(&str, Value<'_>)) {
    for i in 0..8 {
        if bits & (0x80 >> i) != 0 {
            emit("dns.resp.type", Value::Num(*rr_type));
        }
        *rr_type += 1;
    }
}

/// Wireshark's `dissect_type_bitmap` (NSEC, NSEC3, CSYNC): windows of a block number, a
/// length and that many bytes of bits, each set bit a record type. It counts `rr_len` down
/// and stops only when it reaches exactly 0, reading on through the message otherwise.
fn type_bitmap(
    msg: &[u8],
    mut at: usize,
    mut rr_len: isize,
    emit: &mut impl FnMut(&str, Value<'_>),
) -> Result<(), Stop> {
    let get = |i: usize| msg.get(i).copied().ok_or(Stop);
    while rr_len != 0 {
        let base = get(at)? as u32;
        let mut size = get(at + 1)?;
        at += 2;
        rr_len -= 2;
        let mut rr_type = base * 256;
        while size > 0 {
            bitmap_byte(get(at)?, &mut rr_type, emit);
            at += 1;
            rr_len -= 1;
            size -= 1;
        }
    }
    Ok(())
}

/// Wireshark's NXT bit map: bytes of bits from type 0 on, until `rr_len` reaches 0.
fn nxt_bitmap(
    msg: &[u8],
    mut at: usize,
    mut rr_len: isize,
    emit: &mut impl FnMut(&str, Value<'_>),
) -> Result<(), Stop> {
    let mut rr_type = 0u32;
    while rr_len != 0 {
        bitmap_byte(*msg.get(at).ok_or(Stop)?, &mut rr_type, emit);
        at += 1;
        rr_len -= 1;
    }
    Ok(())
}

/// How far into a message a field lies: the header, the questions, or the records.
#[derive(Clone, Copy, PartialEq, PartialOrd)]
enum Part {
    Header,
    Questions,
    Records,
}

fn part_of(field: &str) -> Part {
    if field.starts_with("dns.qry.") || field == "dns.count.labels" {
        Part::Questions
    } else if field.starts_with("dns.resp.") || matches!(field, "dns.a" | "dns.aaaa" | "dns.cname") {
        Part::Records
    } else {
        Part::Header
    }
}

/// Calls `emit` for every field Wireshark adds, in its order, until it would stop or the
/// part `upto` is done.
fn visit(msg: &[u8], flavor: Flavor, upto: Part, mut emit: impl FnMut(&str, Value<'_>)) {
    let _ = visit_inner(msg, flavor, upto, &mut emit);
}

fn visit_inner(
    msg: &[u8],
    flavor: Flavor,
    upto: Part,
    emit: &mut impl FnMut(&str, Value<'_>),
) -> Result<(), Stop> {
    let mdns = flavor == Flavor::Mdns;
    let llmnr = flavor == Flavor::Llmnr;
    let mut budget = NAME_STEPS;
    let id = be16(msg, 0)?;
    let flags = be16(msg, 2)?;
    let response = flags & 0x8000 != 0;
    let opcode = (flags >> 11) & 0xf;
    emit("dns.id", Value::Hex16(id));
    emit("dns.flags", Value::Hex16(flags));
    emit("dns.flags.response", Value::Num(response as u32));
    emit("dns.flags.opcode", Value::Num(opcode as u32));
    let bit = |mask: u16| Value::Num((flags & mask != 0) as u32);
    if llmnr {
        emit("dns.flags.conflict", bit(FLAG_AA));
    } else if response {
        emit("dns.flags.authoritative", bit(FLAG_AA));
    }
    emit("dns.flags.truncated", bit(FLAG_TC));
    if llmnr {
        emit("dns.flags.tentative", bit(FLAG_RD));
    } else {
        emit("dns.flags.recdesired", bit(FLAG_RD));
    }
    if response && !llmnr {
        emit("dns.flags.recavail", bit(FLAG_RA));
    }
    if !llmnr {
        emit("dns.flags.z", bit(FLAG_Z));
        // A query shows the AD bit only when it is set.
        if response || flags & FLAG_AD != 0 {
            emit("dns.flags.authenticated", bit(FLAG_AD));
        }
        emit("dns.flags.checkdisable", bit(FLAG_CD));
    }
    if response {
        emit("dns.flags.rcode", Value::Num((flags & 0xf) as u32));
    }
    // An UPDATE names its first three counts zones, prerequisites and updates (its
    // sections still use the query and record fields).
    let update = opcode == 5;
    let mut counts = [0u16; 4];
    for (k, field) in ["dns.count.queries", "dns.count.answers", "dns.count.auth_rr", "dns.count.add_rr"]
        .into_iter()
        .enumerate()
    {
        counts[k] = be16(msg, 4 + 2 * k)?;
        if !update || k == 3 {
            emit(field, Value::Num(counts[k] as u32));
        }
    }
    if upto == Part::Header {
        return Ok(());
    }
    let mut pos = 12;
    for _ in 0..counts[0] {
        let (name, used) = ws_name(msg, pos, 0, &mut budget)?;
        let qtype = be16(msg, pos + used)?;
        let qclass = be16(msg, pos + used + 2)?;
        emit("dns.qry.name", Value::Name(&name));
        let (len, labels) = name.length_and_labels();
        emit("dns.qry.name.len", Value::Num(len));
        emit("dns.count.labels", Value::Num(labels));
        emit("dns.qry.type", Value::Num(qtype as u32));
        emit("dns.qry.class", Value::Hex16(if mdns { qclass & 0x7fff } else { qclass }));
        if mdns {
            emit("dns.qry.qu", Value::Num((qclass >> 15) as u32));
        }
        pos += used + 4;
    }
    if upto == Part::Questions {
        return Ok(());
    }
    let records = counts[1] as u32 + counts[2] as u32 + counts[3] as u32;
    for _ in 0..records {
        let (name, used) = ws_name(msg, pos, 0, &mut budget)?;
        let at = pos + used;
        let rtype = be16(msg, at)?;
        let class = be16(msg, at + 2)?;
        let ttl = be32(msg, at + 4)?;
        let rdlen = be16(msg, at + 8)? as usize;
        let rd = at + 10;
        // The record's tree item spans its data: data past the end stops everything.
        if msg.len() < rd + rdlen {
            return Err(Stop);
        }
        // An SRV owner (`_service._proto.name`) is shown as dns.srv.* fields instead.
        if rtype != 33 {
            emit("dns.resp.name", Value::Name(&name));
        }
        emit("dns.resp.type", Value::Num(rtype as u32));
        if mdns {
            emit("dns.resp.cache_flush", Value::Num((class >> 15) as u32));
        }
        if rtype == crate::proto::dns::TYPE_OPT {
            // EDNS0: the class is the UDP payload size, the TTL extended flags.
            emit("dns.resp.ext_rcode", Value::Hex8((ttl >> 24) as u8));
            emit("dns.resp.edns0_version", Value::Num((ttl >> 16) & 0xff));
            emit("dns.resp.z", Value::Hex16(ttl as u16));
            emit("dns.resp.z.do", Value::Num((ttl >> 15) & 1));
        } else {
            emit("dns.resp.class", Value::Hex16(if mdns { class & 0x7fff } else { class }));
            emit("dns.resp.ttl", Value::Num(ttl));
        }
        emit("dns.resp.len", Value::Num(rdlen as u32));
        let data = &msg[rd..rd + rdlen];
        if !data.is_empty() {
            match rtype {
                1 => {
                    let a = data.get(..4).ok_or(Stop)?;
                    emit("dns.a", Value::V4([a[0], a[1], a[2], a[3]]));
                }
                28 => {
                    let mut v = [0u8; 16];
                    v.copy_from_slice(data.get(..16).ok_or(Stop)?);
                    emit("dns.aaaa", Value::V6(v));
                }
                5 => {
                    let (cname, _) = ws_name(msg, rd, rdlen, &mut budget)?;
                    emit("dns.cname", Value::Name(&cname));
                }
                // NXT, NSEC, NSEC3 and CSYNC list record types in a bit map; Wireshark adds
                // each as a dns.resp.type.
                30 | 47 => {
                    let (_, used) = ws_name(msg, rd, 0, &mut budget)?;
                    let rest = rdlen as isize - used as isize;
                    if rtype == 30 {
                        nxt_bitmap(msg, rd + used, rest, emit)?;
                    } else {
                        type_bitmap(msg, rd + used, rest, emit)?;
                    }
                }
                50 => {
                    // Algorithm, flags, iterations, salt length and salt, hash length and hash.
                    let salt_len = *msg.get(rd + 4).ok_or(Stop)? as usize;
                    let hash_at = rd + 5 + salt_len;
                    let hash_len = *msg.get(hash_at).ok_or(Stop)? as usize;
                    let end = hash_at + 1 + hash_len;
                    if end > msg.len() {
                        return Err(Stop);
                    }
                    type_bitmap(msg, end, rdlen as isize - (end - rd) as isize, emit)?;
                }
                62 => {
                    // SOA serial and flags.
                    if rd + 6 > msg.len() {
                        return Err(Stop);
                    }
                    type_bitmap(msg, rd + 6, rdlen as isize - 6, emit)?;
                }
                _ => {}
            }
        }
        pos = rd + rdlen;
    }
    Ok(())
}
