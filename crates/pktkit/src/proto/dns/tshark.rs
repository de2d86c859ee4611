//! Wireshark DNS fields as tshark 4.0 prints them with `-T fields`.
//!
//! Wireshark reads names by its own rules (forward pointers are followed, loops are caught
//! by counting, a name over 254 characters shows as `<Name too long>`), and stops adding
//! fields at the first read past the end of the data. This module reproduces that so the
//! values match tshark's on broken messages too.

use std::fmt::Write as _;

use crate::proto::tcpdump_text::push_ipv6;
use crate::proto::tshark_text::push_format_text;

/// The Wireshark field names [`write_field`] knows.
pub const FIELDS: &[&str] = &[
    "dns.id",
    "dns.flags.response",
    "dns.flags.opcode",
    "dns.flags.rcode",
    "dns.count.queries",
    "dns.count.answers",
    "dns.count.auth_rr",
    "dns.count.add_rr",
    "dns.qry.name",
    "dns.qry.type",
    "dns.qry.class",
    "dns.resp.name",
    "dns.resp.type",
    "dns.resp.ttl",
    "dns.a",
    "dns.aaaa",
    "dns.cname",
];

/// Appends the value tshark prints for `field` of the DNS message `msg` (several values
/// joined by `,`); returns false, appending nothing, when the field is absent or unknown.
///
/// For DNS over TCP pass each message of [`super::tcp_frames`] in turn and join the results
/// with `,`, as tshark does for one frame.
pub fn write_field(msg: &[u8], field: &str, out: &mut String) -> bool {
    write(msg, false, field, out)
}

/// [`write_field`] for multicast DNS (UDP port 5353), where Wireshark shows classes without
/// their top (unicast-response or cache-flush) bit.
pub fn write_mdns_field(msg: &[u8], field: &str, out: &mut String) -> bool {
    write(msg, true, field, out)
}

fn write(msg: &[u8], mdns: bool, field: &str, out: &mut String) -> bool {
    let start = out.len();
    let mut first = true;
    visit(msg, mdns, |f, v| {
        if f == field {
            if !first {
                out.push(',');
            }
            first = false;
            v.write(out);
        }
    });
    out.len() > start || !first
}

/// A field value.
enum Value<'a> {
    Hex16(u16),
    Num(u32),
    Name(&'a WsName),
    V4([u8; 4]),
    V6([u8; 16]),
}

impl Value<'_> {
    fn write(&self, out: &mut String) {
        match self {
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
    fn write(&self, out: &mut String) {
        match self {
            WsName::Bytes { buf, len } => push_format_text(out, &buf[..*len]),
            WsName::Text(t) => out.push_str(t),
        }
    }
}

/// Wireshark's shortest name in place (a pointer).
const MIN_DNAME_LEN: usize = 2;

/// Wireshark's `get_dns_name`: [`expand_name`], then `<Root>` for a name whose first
/// character is NUL and that takes at most two bytes, and a stop for other names of under
/// two bytes or with no counted characters.
fn ws_name(msg: &[u8], offset: usize, max_len: usize) -> Result<(WsName, usize), Stop> {
    let (name, first, len) = expand_name(msg, offset, max_len)?;
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

/// Wireshark's `expand_dns_name`: the name at `offset`, the first byte of its buffer (0 when
/// empty) and the bytes it takes in place. `max_len` (0 for no limit) bounds a name inside
/// record data.
///
/// Reproduced quirk: a bit-string label (RFC 2673) is written into the buffer without
/// counting towards the name's length, so only part of it, or of what follows, shows.
fn expand_name(msg: &[u8], offset: usize, max_len: usize) -> Result<(WsName, u8, usize), Stop> {
    let start = offset;
    let mut off = offset;
    let mut len: Option<usize> = None;
    let mut pointers = 0;
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
                // after the pointer's end; it also counts pointers.
                if target == off + 2 || pointers > MAX_DNAME_LEN {
                    return Ok((WsName::Text("<Name contains a pointer that loops>"), b'<', l));
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
                        print(&format!("{b:02x}"), &mut buf, &mut np, &mut maxname);
                    }
                    off += 1;
                }
                print(&format!("/{bit_count}]"), &mut buf, &mut np, &mut maxname);
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
    Ok(u16::from_be_bytes([*msg.get(at).ok_or(Stop)?, *msg.get(at + 1).ok_or(Stop)?]))
}

fn be32(msg: &[u8], at: usize) -> Result<u32, Stop> {
    Ok(((be16(msg, at)? as u32) << 16) | be16(msg, at + 2)? as u32)
}

/// Calls `emit` for every field Wireshark adds, in its order, until it would stop.
fn visit(msg: &[u8], mdns: bool, mut emit: impl FnMut(&str, Value<'_>)) {
    let _ = visit_inner(msg, mdns, &mut emit);
}

fn visit_inner(msg: &[u8], mdns: bool, emit: &mut impl FnMut(&str, Value<'_>)) -> Result<(), Stop> {
    let id = be16(msg, 0)?;
    let flags = be16(msg, 2)?;
    let response = flags & 0x8000 != 0;
    let opcode = (flags >> 11) & 0xf;
    emit("dns.id", Value::Hex16(id));
    emit("dns.flags.response", Value::Num(response as u32));
    emit("dns.flags.opcode", Value::Num(opcode as u32));
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
    let mut pos = 12;
    for _ in 0..counts[0] {
        let (name, used) = ws_name(msg, pos, 0)?;
        let qtype = be16(msg, pos + used)?;
        let qclass = be16(msg, pos + used + 2)?;
        emit("dns.qry.name", Value::Name(&name));
        emit("dns.qry.type", Value::Num(qtype as u32));
        emit("dns.qry.class", Value::Hex16(if mdns { qclass & 0x7fff } else { qclass }));
        pos += used + 4;
    }
    let records = counts[1] as u32 + counts[2] as u32 + counts[3] as u32;
    for _ in 0..records {
        let (name, used) = ws_name(msg, pos, 0)?;
        let at = pos + used;
        let rtype = be16(msg, at)?;
        let _class = be16(msg, at + 2)?;
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
        if rtype != 41 {
            emit("dns.resp.ttl", Value::Num(ttl));
        }
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
                    let (cname, _) = ws_name(msg, rd, rdlen)?;
                    emit("dns.cname", Value::Name(&cname));
                }
                _ => {}
            }
        }
        pos = rd + rdlen;
    }
    Ok(())
}
