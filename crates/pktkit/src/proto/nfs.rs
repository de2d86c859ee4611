//! NFS versions 2 and 3 (RFC 1094, RFC 1813) as carried in ONC RPC calls: the procedure
//! numbers, the request layout after the RPC header, and tcpdump's guess of the server's
//! operating system from a file handle (its `Parse_fh`), which decides how a handle prints.
//!
//! Zero-copy; the readers return None for a cut field, so a printer can stop where tcpdump
//! prints `[|nfs]`.

use crate::bytes::be32;

/// NFS version 3 (anything else is read as version 2, as tcpdump does).
pub const VERSION_3: u32 = 3;

/// The size of a version 2 file handle (`NFSX_V2FH`).
pub const V2_HANDLE_SIZE: usize = 32;

/// The largest version 3 file handle (`NFSX_V3FHMAX`).
pub const V3_HANDLE_MAX: usize = 64;

/// Procedure numbers (version 3 numbering; version 2 calls are mapped onto them).
pub mod proc {
    pub const NULL: u32 = 0;
    pub const GETATTR: u32 = 1;
    pub const SETATTR: u32 = 2;
    pub const LOOKUP: u32 = 3;
    pub const ACCESS: u32 = 4;
    pub const READLINK: u32 = 5;
    pub const READ: u32 = 6;
    pub const WRITE: u32 = 7;
    pub const CREATE: u32 = 8;
    pub const MKDIR: u32 = 9;
    pub const SYMLINK: u32 = 10;
    pub const MKNOD: u32 = 11;
    pub const REMOVE: u32 = 12;
    pub const RMDIR: u32 = 13;
    pub const RENAME: u32 = 14;
    pub const LINK: u32 = 15;
    pub const READDIR: u32 = 16;
    pub const READDIRPLUS: u32 = 17;
    pub const FSSTAT: u32 = 18;
    pub const FSINFO: u32 = 19;
    pub const PATHCONF: u32 = 20;
    pub const COMMIT: u32 = 21;
    /// tcpdump's marker for version 2 procedures version 3 lacks (ROOT, WRITECACHE).
    pub const NOOP: u32 = 25;
}

/// Version 2 procedure numbers (0..=17) in version 3 numbering (tcpdump's `nfsv3_procid`).
const V2_PROCEDURES: [u32; 18] = [
    proc::NULL,
    proc::GETATTR,
    proc::SETATTR,
    proc::NOOP,
    proc::LOOKUP,
    proc::READLINK,
    proc::READ,
    proc::NOOP,
    proc::WRITE,
    proc::CREATE,
    proc::REMOVE,
    proc::RENAME,
    proc::LINK,
    proc::SYMLINK,
    proc::MKDIR,
    proc::RMDIR,
    proc::READDIR,
    proc::FSSTAT,
];

/// tcpdump's `NFS_NPROCS`: version 2 procedures below it are mapped, 18..=25 become NOOP.
const V2_MAPPED_BELOW: u32 = 26;

/// A call's procedure in version 3 numbering.
pub fn v3_procedure(version: u32, procedure: u32) -> u32 {
    if version == VERSION_3 || procedure >= V2_MAPPED_BELOW {
        return procedure;
    }
    V2_PROCEDURES.get(procedure as usize).copied().unwrap_or(proc::NOOP)
}

/// tcpdump's names of the procedures (`nfsproc_str`).
pub fn procedure_name(procedure: u32) -> Option<&'static str> {
    Some(match procedure {
        proc::NOOP => "nop",
        proc::NULL => "null",
        proc::GETATTR => "getattr",
        proc::SETATTR => "setattr",
        proc::LOOKUP => "lookup",
        proc::ACCESS => "access",
        proc::READLINK => "readlink",
        proc::READ => "read",
        proc::WRITE => "write",
        proc::CREATE => "create",
        proc::MKDIR => "mkdir",
        proc::SYMLINK => "symlink",
        proc::MKNOD => "mknod",
        proc::REMOVE => "remove",
        proc::RMDIR => "rmdir",
        proc::RENAME => "rename",
        proc::LINK => "link",
        proc::READDIR => "readdir",
        proc::READDIRPLUS => "readdirplus",
        proc::FSSTAT => "fsstat",
        proc::FSINFO => "fsinfo",
        proc::PATHCONF => "pathconf",
        proc::COMMIT => "commit",
        _ => return None,
    })
}

/// ACCESS bits (RFC 1813 section 3.3.4).
pub mod access {
    pub const READ: u32 = 0x01;
    pub const LOOKUP: u32 = 0x02;
    pub const MODIFY: u32 = 0x04;
    pub const EXTEND: u32 = 0x08;
    pub const DELETE: u32 = 0x10;
    pub const EXECUTE: u32 = 0x20;
    /// Every bit RFC 1813 defines.
    pub const FULL: u32 = 0x3f;
}

/// File types (`ftype3`).
pub mod file_type {
    pub const BLK: u32 = 3;
    pub const CHR: u32 = 4;
}

/// tcpdump's names of the file types (`type2str`).
pub fn file_type_name(t: u32) -> Option<&'static str> {
    ["NON", "REG", "DIR", "BLK", "CHR", "LNK"].get(t as usize).copied().or((t == 7).then_some("FIFO"))
}

/// tcpdump's names of a version 3 write's stability (`nfsv3_writemodes`).
pub fn write_mode_name(mode: u32) -> Option<&'static str> {
    ["unstable", "datasync", "filesync"].get(mode as usize).copied()
}

/// A `set_time` that carries a time (`SET_TO_CLIENT_TIME`).
pub const SET_TO_CLIENT_TIME: u32 = 2;

/// A version 3 `sattr3`: the values that are set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SetAttributes {
    pub mode: Option<u32>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    pub size: Option<u32>,
    pub atime: Option<(u32, u32)>,
    pub mtime: Option<(u32, u32)>,
}

impl SetAttributes {
    /// Reads a `sattr3` at `at` as tcpdump does (the size as one 32-bit word); the attributes
    /// and the offset after them, or None when cut.
    pub fn parse(d: &[u8], mut at: usize) -> Option<(Self, usize)> {
        let mut word = || {
            let v = be32(d, at);
            at += 4;
            v
        };
        let optional = |word: &mut dyn FnMut() -> Option<u32>| -> Option<Option<u32>> {
            if word()? != 0 { Some(Some(word()?)) } else { Some(None) }
        };
        let mode = optional(&mut word)?;
        let uid = optional(&mut word)?;
        let gid = optional(&mut word)?;
        let size = optional(&mut word)?;
        let time = |word: &mut dyn FnMut() -> Option<u32>| -> Option<Option<(u32, u32)>> {
            if word()? == SET_TO_CLIENT_TIME { Some(Some((word()?, word()?))) } else { Some(None) }
        };
        let atime = time(&mut word)?;
        let mtime = time(&mut word)?;
        Some((SetAttributes { mode, uid, gid, size, atime, mtime }, at))
    }
}

/// What tcpdump's `Parse_fh` makes of a file handle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandleGuess {
    /// The server's file system name, for handles without a numeric one (VMS, unknown).
    pub fs_name: Option<Vec<u8>>,
    pub major: u32,
    pub minor: u32,
    pub inode: u32,
    /// What tcpdump's `Opaque_Handle` holds, which it prints instead of the inode when the
    /// minor number is [`UNKNOWN_MINOR`]: the handle in upper-case hex when no layout was
    /// recognised, a VMS handle's bytes 8 to 14.
    pub opaque: Option<Vec<u8>>,
}

/// tcpdump's minor device number for a handle it could not read (then shown as its bytes).
pub const UNKNOWN_MINOR: u32 = 257;

/// The server layouts `Parse_fh` tells apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layout {
    Unknown,
    Auspex,
    DecOsf,
    Irix4,
    SunOs4,
    SunOs5,
    Ultrix,
    VmsUcx,
    HpUx9,
    Bsd44,
}

/// tcpdump's `Parse_fh` on a handle of `words` 32-bit words at the start of `fh` (which may
/// run on into the rest of the message, as tcpdump reads it); None when a byte it reads was
/// not captured.
pub fn guess_handle(fh: &[u8], words: usize) -> Option<HandleGuess> {
    let at = |i: usize| fh.get(i).copied();
    let layout = if words < 4 {
        Layout::Unknown
    } else if at(0)? == 0 && at(1)? == 0 {
        if at(2)? == 0 && at(3)? == 0 {
            Layout::Auspex
        } else if at(4)? != 0 && at(5)? == 0 && at(8)? == 12 && at(9)? == 0 {
            Layout::DecOsf
        } else if at(4)? == 0 && at(5)? == 8 && at(6)? == 0 && at(7)? == 0 {
            Layout::Irix4
        } else {
            Layout::SunOs4
        }
    } else if at(2)? == 0 && at(3)? == 0 {
        if at(6)? == 0 && at(7)? == 0 {
            Layout::Bsd44
        } else if words >= 6 && at(21)? == 0 && at(23)? == 0 {
            Layout::Ultrix
        } else if at(9)? == 10 {
            Layout::SunOs5
        } else {
            Layout::Unknown
        }
    } else if at(8)? == 12 && at(9)? == 0 {
        Layout::DecOsf
    } else if at(8)? == 0 && at(9)? == 10 {
        if at(7)? == 0 && at(6)? == 0 && at(5)? == 0 && at(4)? == 0 { Layout::HpUx9 } else { Layout::SunOs5 }
    } else if is_ucx(fh, words)? {
        Layout::VmsUcx
    } else {
        Layout::Unknown
    };
    let be = |i: usize| be32(fh, i);
    let le = |i: usize| Some(u32::from_le_bytes(fh.get(i..i + 4)?.try_into().ok()?));
    let be16 = |i: usize| Some(u32::from(u16::from_be_bytes([at(i)?, at(i + 1)?])));
    let be24 = |i: usize| Some(u32::from_be_bytes([0, at(i)?, at(i + 1)?, at(i + 2)?]));
    let numeric =
        |major: u32, minor: u32, inode: u32| HandleGuess { fs_name: None, major, minor, inode, opaque: None };
    Some(match layout {
        Layout::Auspex => numeric(at(6)?.into(), at(7)?.into(), be(12)?),
        Layout::Bsd44 => numeric(at(1)?.into(), at(0)?.into(), le(12)?),
        Layout::DecOsf => {
            let dev = le(0)?;
            le(4)?;
            numeric(dev >> 20 & 0xfff, dev & 0xfffff, le(12)?)
        }
        Layout::Irix4 => numeric(at(2)?.into(), at(3)?.into(), be(8)?),
        Layout::SunOs4 => {
            be(4)?;
            numeric(at(2)?.into(), at(3)?.into(), be(12)?)
        }
        Layout::SunOs5 => {
            be(4)?;
            numeric(be16(0)? >> 2 & 0x3fff, be24(1)? & 0x3ffff, be(12)?)
        }
        Layout::Ultrix => numeric(at(1)?.into(), at(0)?.into(), le(4)?),
        Layout::HpUx9 => {
            be(4)?;
            numeric(at(0)?.into(), be24(1)?, be(12)?)
        }
        Layout::VmsUcx => {
            // tcpdump copies the first 14 bytes over its fsid structure (host order, so on
            // the usual little-endian machine): minor, major, then the start of the opaque
            // buffer; the name is the C string from byte 1.
            let inode = u32::from(at(26)?) << 24
                | u32::from(at(27)?) << 16
                | u32::from(u16::from_le_bytes([at(22)?, at(23)?]));
            let name: Vec<u8> = fh.get(1..).unwrap_or(&[]).iter().copied().take_while(|&c| c != 0).collect();
            let opaque: Vec<u8> =
                fh.get(8..14).unwrap_or(&[]).iter().copied().take_while(|&c| c != 0).collect();
            HandleGuess { fs_name: Some(name), major: le(4)?, minor: le(0)?, inode, opaque: Some(opaque) }
        }
        Layout::Unknown => {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            let shown = (words * 4).min(V3_HANDLE_MAX / 2);
            let mut opaque = Vec::with_capacity(2 * shown);
            for i in 0..shown {
                let c = at(i)?;
                opaque.extend_from_slice(&[HEX[usize::from(c >> 4)], HEX[usize::from(c & 15)]]);
            }
            HandleGuess {
                fs_name: Some(b"Unknown".to_vec()),
                major: UNKNOWN_MINOR,
                minor: UNKNOWN_MINOR,
                inode: 1,
                opaque: Some(opaque),
            }
        }
    })
}

/// tcpdump's `is_UCX`: bytes 1..14 printable, then only NULs once a NUL is seen.
fn is_ucx(fh: &[u8], words: usize) -> Option<bool> {
    if words < 7 {
        return Some(false);
    }
    let mut seen_null = false;
    for i in 1..14 {
        let c = *fh.get(i)?;
        if (0x20..0x7f).contains(&c) {
            if seen_null {
                return Some(false);
            }
        } else if c == 0 {
            seen_null = true;
        } else {
            return Some(false);
        }
    }
    Some(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_2_procedures_map_to_version_3() {
        assert_eq!(v3_procedure(2, 8), proc::WRITE);
        assert_eq!(v3_procedure(2, 7), proc::NOOP);
        assert_eq!(v3_procedure(2, 20), proc::NOOP);
        assert_eq!(v3_procedure(2, 40), 40);
        assert_eq!(v3_procedure(VERSION_3, 7), proc::WRITE);
        assert_eq!(procedure_name(proc::READDIRPLUS), Some("readdirplus"));
        assert_eq!(procedure_name(30), None);
    }

    #[test]
    fn handles_tcpdump_cannot_place_are_unknown() {
        // A Linux handle from the corpus: bytes 8 and 9 fit no layout.
        let fh = [
            0x01, 0, 0, 0x02, 0, 0x08, 0, 0x08, 0x02, 0, 0, 0, 0x28, 0xc0, 0x08, 0, 0x95, 0x84, 0x86, 0xd9,
            0x26, 0xc0, 0x08, 0,
        ];
        let g = guess_handle(&fh, 6).unwrap();
        assert_eq!(g.fs_name.as_deref(), Some(&b"Unknown"[..]));
        assert_eq!(g.minor, UNKNOWN_MINOR);
        assert_eq!(g.opaque.unwrap(), b"01000002000800080200000028C00800958486D926C00800".to_vec());
    }

    #[test]
    fn printable_handles_are_vms() {
        let fh = [b'0'; 32];
        let g = guess_handle(&fh, 8).unwrap();
        assert_eq!(g.inode, 808464432);
        assert_eq!(g.fs_name.unwrap().len(), 31);
        // BSD: zero bytes 2, 3, 6, 7; the inode little-endian at 12.
        let mut bsd = [0u8; 32];
        bsd[0] = 5;
        bsd[1] = 1;
        bsd[12] = 7;
        let g = guess_handle(&bsd, 8).unwrap();
        assert_eq!((g.major, g.minor, g.inode), (1, 5, 7));
        // Cut before a byte the guess reads.
        assert_eq!(guess_handle(&[1, 0, 0], 8), None);
    }

    #[test]
    fn set_attributes() {
        let d = [
            0, 0, 0, 1, 0, 0, 1, 0xed, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 9, 0, 0, 0,
            3, 0, 0, 0, 0,
        ];
        let (a, end) = SetAttributes::parse(&d, 0).unwrap();
        assert_eq!(a.mode, Some(0o755));
        assert_eq!(a.atime, Some((9, 3)));
        assert_eq!((a.mtime, end), (None, 36));
        assert_eq!(SetAttributes::parse(&d[..8], 0), None);
    }
}
