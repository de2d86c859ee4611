//! The only `unsafe` code of pktkit: calls into libpcap's BPF compiler and interpreter.
//!
//! The `pcap` crate compiles filters on a "dead" handle with the netmask fixed at 0 and runs
//! them with the captured length as the wire length. That breaks `ip broadcast`, `len`,
//! `greater` and `less` on truncated packets, and differs from `tcpdump -r`, whose libpcap
//! compiles for a savefile: BSD loopback then matches every BSD's AF_INET6 value, in the file's
//! byte order. So filters are compiled here on a handle reading a 24-byte savefile header held
//! in memory (the link type and byte order of the real input), and run with the wire length.
#![allow(unsafe_code)]

use std::ffi::{CStr, CString, c_char, c_int, c_uint, c_void};

/// One BPF instruction, laid out as libpcap's `struct bpf_insn`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BpfInsn {
    /// Opcode.
    pub code: u16,
    /// Jump offset if true.
    pub jt: u8,
    /// Jump offset if false.
    pub jf: u8,
    /// Generic field (constant, offset).
    pub k: u32,
}

/// libpcap's `struct bpf_program`.
#[repr(C)]
struct BpfProgram {
    bf_len: c_uint,
    bf_insns: *mut BpfInsn,
}

/// `PCAP_NETMASK_UNKNOWN`: what tcpdump passes when reading files.
pub const NETMASK_UNKNOWN: u32 = 0xffff_ffff;

#[link(name = "pcap")]
unsafe extern "C" {
    fn pcap_fopen_offline(fp: *mut libc::FILE, errbuf: *mut c_char) -> *mut c_void;
    fn pcap_close(p: *mut c_void);
    fn pcap_geterr(p: *mut c_void) -> *mut c_char;
    fn pcap_compile(
        p: *mut c_void,
        fp: *mut BpfProgram,
        expr: *const c_char,
        optimize: c_int,
        netmask: u32,
    ) -> c_int;
    fn pcap_freecode(fp: *mut BpfProgram);
    fn bpf_filter(pc: *const BpfInsn, pkt: *const u8, wirelen: c_uint, buflen: c_uint) -> c_uint;
}

/// A classic pcap file header with no packets: the link-type field (a LINKTYPE_ value, maybe
/// with FCS bits) in a file of the host's byte order,
/// or of the other one when `swapped`.
fn savefile_header(link_field: u32, swapped: bool) -> [u8; 24] {
    let u32b = |v: u32| if swapped { v.swap_bytes() } else { v }.to_ne_bytes();
    let u16b = |v: u16| if swapped { v.swap_bytes() } else { v }.to_ne_bytes();
    let mut h = [0u8; 24];
    h[0..4].copy_from_slice(&u32b(0xA1B2_C3D4));
    h[4..6].copy_from_slice(&u16b(2));
    h[6..8].copy_from_slice(&u16b(4));
    h[16..20].copy_from_slice(&u32b(262_144));
    h[20..24].copy_from_slice(&u32b(link_field));
    h
}

/// Compiles `expr` (with libpcap's optimiser when `optimize`) as libpcap does for a savefile
/// whose link-type field is `link_field` written in the host's byte order or, when `swapped`,
/// the other. The error is libpcap's.
pub fn compile(
    expr: &str,
    link_field: u32,
    swapped: bool,
    netmask: u32,
    optimize: bool,
) -> Result<Vec<BpfInsn>, String> {
    let expr = CString::new(expr).map_err(|_| "expression contains a NUL byte".to_string())?;
    let mut header = savefile_header(link_field, swapped);
    let mut errbuf = [0 as c_char; 256];
    // SAFETY: fmemopen reads from `header`, which outlives the stream (closed by pcap_close
    // below, or here when libpcap refuses it).
    let fp = unsafe { libc::fmemopen(header.as_mut_ptr().cast(), header.len(), c"r".as_ptr()) };
    if fp.is_null() {
        return Err("cannot open an in-memory stream for libpcap".to_string());
    }
    // SAFETY: fp is a valid read stream; errbuf has PCAP_ERRBUF_SIZE (256) bytes. On success
    // the handle owns fp.
    let handle = unsafe { pcap_fopen_offline(fp, errbuf.as_mut_ptr()) };
    if handle.is_null() {
        // SAFETY: libpcap did not take fp; errbuf is NUL-terminated by libpcap.
        unsafe { libc::fclose(fp) };
        return Err(unsafe { CStr::from_ptr(errbuf.as_ptr()) }.to_string_lossy().into_owned());
    }
    let mut prog = BpfProgram { bf_len: 0, bf_insns: std::ptr::null_mut() };
    // SAFETY: handle is live; prog and expr outlive the call.
    let rc = unsafe { pcap_compile(handle, &mut prog, expr.as_ptr(), c_int::from(optimize), netmask) };
    let result = if rc == 0 {
        let insns = if prog.bf_insns.is_null() {
            Vec::new()
        } else {
            // SAFETY: on success libpcap fills bf_insns with bf_len instructions.
            unsafe { std::slice::from_raw_parts(prog.bf_insns, prog.bf_len as usize) }.to_vec()
        };
        // SAFETY: prog was filled by a successful pcap_compile and is freed once.
        unsafe { pcap_freecode(&mut prog) };
        Ok(insns)
    } else {
        // SAFETY: pcap_geterr returns a NUL-terminated string owned by the live handle.
        Err(unsafe { CStr::from_ptr(pcap_geterr(handle)) }.to_string_lossy().into_owned())
    };
    // SAFETY: handle came from pcap_fopen_offline and is not used after this; it closes fp.
    unsafe { pcap_close(handle) };
    result
}

/// Runs a program on a packet: `data` is what was captured, `wire_len` its length on the wire.
///
/// `insns` must come from [`compile`], which only returns programs libpcap validated.
pub fn run(insns: &[BpfInsn], data: &[u8], wire_len: u32) -> bool {
    if insns.is_empty() {
        return false;
    }
    let buflen = c_uint::try_from(data.len()).unwrap_or(c_uint::MAX);
    // SAFETY: the program is non-empty and validated by pcap_compile; bpf_filter reads at most
    // `buflen` bytes of `data`, which is exactly the slice's length.
    unsafe { bpf_filter(insns.as_ptr(), data.as_ptr(), wire_len, buflen) != 0 }
}
