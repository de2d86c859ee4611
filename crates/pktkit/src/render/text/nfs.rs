//! NFS requests (ONC RPC calls to port 2049) as tcpdump 4.99.3's `nfsreq_noaddr_print`
//! prints them: `NFS request xid N LEN PROC` and the procedure's arguments (file handles as
//! its `nfs_printfh` guesses them, names, offsets and counts; more with `-v` and `-vv`).
//! Where tcpdump's reads run past the captured bytes it ends with ` [|nfs]`, and so does this.

use crate::proto::nfs::{self, SetAttributes, access, file_type, guess_handle, proc};
use crate::proto::sunrpc::{Message, NFS_PORT, direction, field};
use crate::render::out::{append_decimal, append_str, be32, hex};
use crate::render::text::netdissect::push_char;

use super::TextPrinter;

/// The length bits of an RPC record mark (RFC 5531 section 11; the top bit marks the last
/// fragment).
const RECORD_LENGTH: usize = 0x7fff_ffff;

/// tcpdump gave up here (` [|nfs]` follows).
struct Cut;

type Step<T> = Result<T, Cut>;

fn word(d: &[u8], at: usize) -> Step<u32> {
    be32(d, at).ok_or(Cut)
}

fn word64(d: &[u8], at: usize) -> Step<u64> {
    Ok(u64::from(word(d, at)?) << 32 | u64::from(word(d, at + 4)?))
}

/// `len` bytes from `at` were captured (tcpdump's `ND_TCHECK_LEN`).
fn captured(d: &[u8], at: usize, len: usize) -> Step<()> {
    if at.checked_add(len).is_some_and(|end| end <= d.len()) { Ok(()) } else { Err(Cut) }
}

/// tcpdump's `roundup2(len, 4)` in 32-bit arithmetic (it wraps for lengths near 2^32).
fn round4(len: u32) -> u32 {
    len.wrapping_add(3) & !3
}

/// tcpdump's `parsereq`: skips the credentials and the verifier; the offset of the arguments.
fn arguments(d: &[u8], length: u32) -> Step<usize> {
    let mut length = u64::from(length);
    let cred = field::CREDENTIALS;
    if length < 8 {
        return Err(Cut);
    }
    let len = word(d, cred + 4)?;
    captured(d, cred + 8, round4(len) as usize)?;
    if 8 + u64::from(round4(len)) > length {
        return Err(Cut);
    }
    let verifier = cred + 4 * ((len as usize + 11) / 4);
    length -= 8 + u64::from(round4(len));
    if length < 8 {
        return Err(Cut);
    }
    let len = word(d, verifier + 4)?;
    captured(d, verifier + 8, round4(len) as usize)?;
    if 8 + u64::from(round4(len)) >= length {
        return Err(Cut);
    }
    Ok(verifier + 4 * ((len as usize + 11) / 4))
}

/// tcpdump's `parsefh`: a file handle (its length first in version 3); the offset after it.
fn handle(b: &mut Vec<u8>, d: &[u8], at: usize, v3: bool) -> Step<usize> {
    let (words, at) = if v3 { (word(d, at)? as usize / 4, at + 4) } else { (nfs::V2_HANDLE_SIZE / 4, at) };
    captured(d, at, words * 4)?;
    let guess = guess_handle(&d[at..], words).ok_or(Cut)?;
    append_str(b, " fh ");
    match &guess.fs_name {
        Some(name) => {
            // tcpdump copies at most as many characters as the handle has words, up to the
            // first space.
            let name = &name[..name.len().min(words.min(nfs::V3_HANDLE_MAX))];
            let name = name.split(|&c| c == b' ').next().unwrap_or(&[]);
            b.extend_from_slice(name);
        }
        None => {
            append_decimal(b, guess.major);
            b.push(b',');
            append_decimal(b, guess.minor);
        }
    }
    b.push(b'/');
    if guess.minor == nfs::UNKNOWN_MINOR {
        b.extend_from_slice(guess.opaque.as_deref().unwrap_or(&[]));
    } else {
        append_decimal(b, guess.inode);
    }
    Ok(at + words * 4)
}

/// tcpdump's `parsefn`: a quoted file name; the offset after its padding.
fn name(b: &mut Vec<u8>, d: &[u8], at: usize) -> Step<usize> {
    let len = word(d, at)?;
    let at = at + 4;
    if u32::MAX - len < 3 {
        append_str(b, "[cannot pad to 32-bit boundaries] (invalid)");
        return Err(Cut);
    }
    captured(d, at, round4(len) as usize)?;
    let mut text = String::new();
    for &c in &d[at..at + len as usize] {
        push_char(&mut text, c);
    }
    b.push(b'"');
    append_str(b, &text);
    b.push(b'"');
    Ok(at + round4(len) as usize)
}

/// tcpdump's `parsefhn`: a handle, a space, a name.
fn handle_and_name(b: &mut Vec<u8>, d: &[u8], at: usize, v3: bool) -> Step<usize> {
    let at = handle(b, d, at, v3)?;
    b.push(b' ');
    name(b, d, at)
}

/// tcpdump's `print_sattr3`.
fn set_attributes(b: &mut Vec<u8>, a: &SetAttributes, verbosity: u8) {
    if let Some(mode) = a.mode {
        append_str(b, &format!(" mode {mode:o}"));
    }
    if let Some(uid) = a.uid {
        append_str(b, " uid ");
        append_decimal(b, uid);
    }
    if let Some(gid) = a.gid {
        append_str(b, " gid ");
        append_decimal(b, gid);
    }
    if verbosity > 1 {
        for (label, time) in [(" atime ", a.atime), (" mtime ", a.mtime)] {
            if let Some((sec, nsec)) = time {
                append_str(b, label);
                append_decimal(b, sec);
                append_str(b, &format!(".{nsec:06}"));
            }
        }
    }
}

/// `%u bytes @ %N` with the count at `count` and the 64-bit offset at `offset`.
fn bytes_at(b: &mut Vec<u8>, d: &[u8], count: usize, offset: usize, signed: bool) -> Step<()> {
    let (n, off) = (word(d, count)?, word64(d, offset)?);
    append_str(b, " ");
    append_decimal(b, n);
    append_str(b, " bytes @ ");
    if signed {
        append_str(b, &(off as i64).to_string())
    } else {
        append_decimal(b, off)
    }
    Ok(())
}

/// Version 2's ` %u bytes @ %u`: the 32-bit offset (or cookie) at `at`, the count after it.
fn v2_bytes_at(b: &mut Vec<u8>, d: &[u8], at: usize) -> Step<()> {
    let (count, offset) = (word(d, at + 4)?, word(d, at)?);
    append_str(b, " ");
    append_decimal(b, count);
    append_str(b, " bytes @ ");
    append_decimal(b, offset);
    Ok(())
}

/// The arguments of one call, after `NFS request xid N `.
fn request(b: &mut Vec<u8>, d: &[u8], length: u32, verbosity: u8) -> Step<()> {
    append_decimal(b, length);
    // tcpdump's xid_map_enter needs the procedure word.
    word(d, field::PROCEDURE)?;
    let v3 = word(d, field::VERSION)? == nfs::VERSION_3;
    let procedure = nfs::v3_procedure(word(d, field::VERSION)?, word(d, field::PROCEDURE)?);
    b.push(b' ');
    match nfs::procedure_name(procedure) {
        Some(n) => append_str(b, n),
        None => {
            append_str(b, "proc-");
            append_decimal(b, procedure);
        }
    }
    let args = || arguments(d, length);
    match procedure {
        proc::GETATTR | proc::SETATTR | proc::READLINK | proc::FSSTAT | proc::FSINFO | proc::PATHCONF => {
            handle(b, d, args()?, v3)?;
        }
        proc::LOOKUP | proc::CREATE | proc::MKDIR | proc::REMOVE | proc::RMDIR => {
            handle_and_name(b, d, args()?, v3)?;
        }
        proc::ACCESS => {
            let at = handle(b, d, args()?, v3)?;
            let flags = word(d, at)?;
            if flags & !access::FULL != 0 {
                append_str(b, &format!(" {flags:04x}"));
            } else if flags & access::FULL == access::FULL {
                append_str(b, " NFS_ACCESS_FULL");
            } else {
                let mut separator = b' ';
                for (bit, label) in [
                    (access::READ, "NFS_ACCESS_READ"),
                    (access::LOOKUP, "NFS_ACCESS_LOOKUP"),
                    (access::MODIFY, "NFS_ACCESS_MODIFY"),
                    (access::EXTEND, "NFS_ACCESS_EXTEND"),
                    (access::DELETE, "NFS_ACCESS_DELETE"),
                    (access::EXECUTE, "NFS_ACCESS_EXECUTE"),
                ] {
                    if flags & bit != 0 {
                        b.push(separator);
                        append_str(b, label);
                        separator = b'|';
                    }
                }
            }
        }
        proc::READ => {
            let at = handle(b, d, args()?, v3)?;
            if v3 {
                bytes_at(b, d, at + 8, at, false)?;
            } else {
                v2_bytes_at(b, d, at)?;
            }
        }
        proc::WRITE => {
            let at = handle(b, d, args()?, v3)?;
            if v3 {
                let (count, total, offset) = (word(d, at + 16)?, word(d, at + 8)?, word64(d, at)?);
                append_str(b, " ");
                append_decimal(b, count);
                append_str(b, " (");
                append_decimal(b, total);
                append_str(b, ") bytes @ ");
                append_decimal(b, offset);
                if verbosity > 0 {
                    let mode = word(d, at + 12)?;
                    append_str(b, " <");
                    match nfs::write_mode_name(mode) {
                        Some(m) => append_str(b, m),
                        None => append_str(b, &format!("#{}", mode as i32)),
                    }
                    b.push(b'>');
                }
            } else {
                let words = [word(d, at + 12)?, word(d, at + 8)?, word(d, at + 4)?, word(d, at)?];
                append_str(b, " ");
                append_decimal(b, words[0]);
                append_str(b, " (");
                append_decimal(b, words[1]);
                append_str(b, ") bytes @ ");
                append_decimal(b, words[2]);
                append_str(b, " (");
                append_decimal(b, words[3]);
                b.push(b')');
            }
        }
        proc::SYMLINK => {
            let mut at = handle_and_name(b, d, args()?, v3)?;
            append_str(b, " ->");
            let mut attrs = None;
            if v3 {
                let (a, end) = SetAttributes::parse(d, at).ok_or(Cut)?;
                attrs = Some(a);
                at = end;
            }
            name(b, d, at)?;
            if let Some(a) = attrs.filter(|_| verbosity > 0) {
                set_attributes(b, &a, verbosity);
            }
        }
        proc::MKNOD => {
            let at = handle_and_name(b, d, args()?, v3)?;
            let kind = word(d, at)?;
            let (attrs, at) = SetAttributes::parse(d, at + 4).ok_or(Cut)?;
            match nfs::file_type_name(kind) {
                Some(n) => {
                    b.push(b' ');
                    append_str(b, n);
                }
                None => {
                    append_str(b, " unk-ft ");
                    append_decimal(b, kind);
                }
            }
            if verbosity > 0 && (kind == file_type::CHR || kind == file_type::BLK) {
                let (major, minor) = (word(d, at)?, word(d, at + 4)?);
                b.push(b' ');
                append_decimal(b, major);
                b.push(b'/');
                append_decimal(b, minor);
            }
            if verbosity > 0 {
                set_attributes(b, &attrs, verbosity);
            }
        }
        proc::RENAME => {
            let at = handle_and_name(b, d, args()?, v3)?;
            append_str(b, " ->");
            handle_and_name(b, d, at, v3)?;
        }
        proc::LINK => {
            let at = handle(b, d, args()?, v3)?;
            append_str(b, " ->");
            handle_and_name(b, d, at, v3)?;
        }
        proc::READDIR => {
            let at = handle(b, d, args()?, v3)?;
            if v3 {
                // tcpdump prints the cookie signed.
                bytes_at(b, d, at + 16, at, true)?;
                if verbosity > 0 {
                    verifier(b, d, at + 8)?;
                }
            } else {
                v2_bytes_at(b, d, at)?;
            }
        }
        proc::READDIRPLUS => {
            let at = handle(b, d, args()?, v3)?;
            bytes_at(b, d, at + 16, at, true)?;
            if verbosity > 0 {
                let max = word(d, at + 20)?;
                word64(d, at + 8)?;
                append_str(b, " max ");
                append_decimal(b, max);
                verifier(b, d, at + 8)?;
            }
        }
        proc::COMMIT => {
            let at = handle(b, d, args()?, v3)?;
            bytes_at(b, d, at + 8, at, false)?;
        }
        _ => {}
    }
    Ok(())
}

/// ` verf %08x%08x`: a directory cookie verifier.
fn verifier(b: &mut Vec<u8>, d: &[u8], at: usize) -> Step<()> {
    let (high, low) = (word(d, at)?, word(d, at + 4)?);
    append_str(b, " verf ");
    hex(b, high.into(), 8);
    hex(b, low.into(), 8);
    Ok(())
}

impl TextPrinter {
    /// tcpdump's NFS over TCP: after the record mark, a call to port 2049 or a reply from it,
    /// each preceded by `: ` (`length` bytes of TCP payload on the wire, `payload` captured).
    pub(super) fn nfs_over_tcp(
        &self,
        b: &mut Vec<u8>,
        sport: u16,
        dport: u16,
        payload: &[u8],
        length: usize,
    ) {
        let Some(mark) = be32(payload, 0).filter(|_| length >= 4) else { return };
        let record = (mark as usize & RECORD_LENGTH).min(length - 4);
        let rpc = Message::new(&payload[4..]);
        match rpc.direction() {
            Some(direction::CALL) if dport == NFS_PORT => {
                append_str(b, ": ");
                self.nfs_request(b, &rpc, record);
            }
            Some(direction::REPLY) if sport == NFS_PORT => {
                append_str(b, ": ");
                self.nfs_reply(b, &rpc, record);
            }
            _ => {}
        }
    }

    /// Prints an NFS call (`msg` holds the RPC message, `length` its length on the wire or
    /// in its TCP record).
    pub(super) fn nfs_request(&self, b: &mut Vec<u8>, msg: &Message<'_>, length: usize) {
        append_str(b, "NFS request xid ");
        append_decimal(b, msg.xid().unwrap_or(0));
        b.push(b' ');
        if request(b, msg.data, length as u32, self.o.verbosity).is_err() {
            append_str(b, " [|nfs]");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An RPC call header (AUTH_NULL credentials and verifier) for `version`/`procedure`.
    fn call(version: u32, procedure: u32, args: &[u8]) -> Vec<u8> {
        let mut m = Vec::new();
        for w in [0x1234u32, 0, 2, 100003, version, procedure, 0, 0, 0, 0] {
            m.extend_from_slice(&w.to_be_bytes());
        }
        m.extend_from_slice(args);
        m
    }

    fn printed(msg: &[u8], verbosity: u8) -> String {
        let mut b = Vec::new();
        if request(&mut b, msg, msg.len() as u32, verbosity).is_err() {
            append_str(&mut b, " [|nfs]");
        }
        String::from_utf8_lossy(&b).into_owned()
    }

    /// A version 3 handle of 24 bytes no layout fits, as in the corpus.
    const FH: [u8; 28] = [
        0, 0, 0, 24, 0x01, 0, 0, 0x02, 0, 0x08, 0, 0x08, 0x02, 0, 0, 0, 0x28, 0xc0, 0x08, 0, 0x95, 0x84,
        0x86, 0xd9, 0x26, 0xc0, 0x08, 0,
    ];

    #[test]
    fn a_version_3_write() {
        let mut args = FH.to_vec();
        args.extend_from_slice(&[0, 0, 0, 0, 0, 1, 0x20, 0, 0, 0, 0x20, 0, 0, 0, 0, 2, 0, 0, 0x20, 0]);
        let m = call(3, proc::WRITE, &args);
        let fh = "fh Unknow/01000002000800080200000028C00800958486D926C00800";
        assert_eq!(printed(&m, 0), format!("{} write {fh} 8192 (8192) bytes @ 73728", m.len()));
        assert_eq!(printed(&m, 1), format!("{} write {fh} 8192 (8192) bytes @ 73728 <filesync>", m.len()));
        // Cut inside the counts.
        assert_eq!(printed(&m[..m.len() - 2], 0), format!("{} write {fh} [|nfs]", m.len() - 2));
    }

    #[test]
    fn names_access_and_version_2() {
        let mut args = FH.to_vec();
        args.extend_from_slice(&[0, 0, 0, 3, b'a', 0x01, 0xff, 0]);
        let m = call(3, proc::LOOKUP, &args);
        assert!(
            printed(&m, 0)
                .ends_with(" lookup fh Unknow/01000002000800080200000028C00800958486D926C00800 \"a^AM-^?\"")
        );
        let mut args = FH.to_vec();
        args.extend_from_slice(&[0, 0, 0, 0x03]);
        assert!(printed(&call(3, proc::ACCESS, &args), 0).ends_with(" NFS_ACCESS_READ|NFS_ACCESS_LOOKUP"));
        // Version 2 procedure 5 is READLINK; its handle is 32 bytes, here all '0' (VMS).
        let m = call(2, 5, &[b'0'; 32]);
        assert_eq!(printed(&m, 0), format!("{} readlink fh 00000000/808464432", m.len()));
        // The procedure word cut: tcpdump stops right after the length.
        assert_eq!(printed(&m[..22], 0), "22 [|nfs]");
        // A name whose length cannot be padded.
        let mut args = FH.to_vec();
        args.extend_from_slice(&[0xff, 0xff, 0xff, 0xfe]);
        assert!(
            printed(&call(3, proc::LOOKUP, &args), 0)
                .ends_with(" [cannot pad to 32-bit boundaries] (invalid) [|nfs]")
        );
    }
}
