//! The only `unsafe` code of pktkit: calls into libpcap's BPF compiler and interpreter.
//!
//! The `pcap` crate compiles filters with the netmask fixed at 0 and runs them with the
//! captured length as the wire length, which breaks `ip broadcast`, `len`, `greater` and
//! `less` on snaplen-truncated packets. These few calls give both values back to the caller.
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
    fn pcap_open_dead(linktype: c_int, snaplen: c_int) -> *mut c_void;
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

/// Compiles `expr` for libpcap link type `dlt`, optimized; the error is libpcap's message.
pub fn compile(expr: &str, dlt: i32, snaplen: i32, netmask: u32) -> Result<Vec<BpfInsn>, String> {
    let expr = CString::new(expr).map_err(|_| "expression contains a NUL byte".to_string())?;
    // SAFETY: pcap_open_dead returns an owned handle or NULL; it is closed on every path below.
    let handle = unsafe { pcap_open_dead(dlt, snaplen) };
    if handle.is_null() {
        return Err(format!("libpcap cannot open a handle for link type {dlt}"));
    }
    let mut prog = BpfProgram { bf_len: 0, bf_insns: std::ptr::null_mut() };
    // SAFETY: handle is live; prog and expr outlive the call.
    let rc = unsafe { pcap_compile(handle, &mut prog, expr.as_ptr(), 1, netmask) };
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
    // SAFETY: handle came from pcap_open_dead and is not used after this.
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
