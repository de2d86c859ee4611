//! BPF filters: libpcap expressions compiled per link type, run on each packet with its real
//! wire length.

mod ffi;
mod large;

use thiserror::Error;

use crate::capture::{Interface, LinkType, Origin, Packet};

pub use ffi::{BpfInsn, NETMASK_UNKNOWN};
pub use large::{MAX_OPTIMIZED_OPERATORS, Plan};

/// An expression libpcap rejected.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error("{message}")]
pub struct CompileError {
    /// The link type it was compiled for.
    pub linktype: LinkType,
    /// libpcap's message, e.g. `syntax error` or `ip6 not supported on link type`.
    pub message: String,
}

impl CompileError {
    /// True when libpcap compiled the expression but found it can never match on this link
    /// type (`expression rejects all packets`), e.g. `ip` on raw IPv6.
    pub fn rejects_all(&self) -> bool {
        self.message.contains("expression rejects all packets")
    }
}

/// The opcode of BPF's `ret #k` (class BPF_RET 0x06, source BPF_K 0x00).
const BPF_RET_K: u16 = 0x06;

/// A compiled program for one link type.
#[derive(Clone, Debug)]
pub struct Program {
    insns: Vec<BpfInsn>,
}

impl Program {
    /// Compiles `expr` as `tcpdump -r` would for a file of `linktype` in this host's byte order
    /// (netmask as a host-order IPv4 mask, or [`NETMASK_UNKNOWN`]).
    pub fn compile(expr: &str, linktype: LinkType, netmask: u32) -> Result<Self, CompileError> {
        Self::compile_for(expr, linktype, false, netmask)
    }

    /// Compiles `expr` for a file of `linktype` written in the other byte order when `swapped`.
    pub fn compile_for(
        expr: &str,
        linktype: LinkType,
        swapped: bool,
        netmask: u32,
    ) -> Result<Self, CompileError> {
        let optimize = Plan::of(expr).0 == Plan::Optimized;
        Self::compile_field(expr, u32::from(linktype.0), linktype, swapped, netmask, optimize)
    }

    /// Compiles for a link-type field (maybe with FCS bits beside the link type).
    fn compile_field(
        expr: &str,
        field: u32,
        linktype: LinkType,
        swapped: bool,
        netmask: u32,
        optimize: bool,
    ) -> Result<Self, CompileError> {
        ffi::compile(expr, field, swapped, netmask, optimize)
            .map(|insns| Program { insns })
            .map_err(|message| CompileError { linktype, message })
    }

    /// True when the packet matches; `wire_len` is its length on the wire.
    pub fn matches(&self, data: &[u8], wire_len: u32) -> bool {
        match self.constant() {
            Some(verdict) => verdict,
            None => ffi::run(&self.insns, data, wire_len),
        }
    }

    /// The verdict of a program that is a single `ret #k` (what libpcap compiles for the
    /// empty expression): it matches every packet when k > 0, none when k = 0, without a
    /// call into libpcap.
    fn constant(&self) -> Option<bool> {
        match self.insns.as_slice() {
            [only] if only.code == BPF_RET_K => Some(only.k != 0),
            _ => None,
        }
    }

    /// The instructions, as libpcap compiled them.
    pub fn instructions(&self) -> &[BpfInsn] {
        &self.insns
    }
}

/// The programs of an expression's parts for one link type (a match of any is a match), or
/// why it does not apply there.
type Compiled = Result<Vec<Program>, CompileError>;

/// An expression applied to a stream whose packets may have several link types.
///
/// Each link type gets its own program, compiled when its first packet arrives. A link type
/// the expression cannot apply to (libpcap refuses to compile it there) matches nothing. A
/// large expression is compiled as its [`Plan`] says: a disjunction as several programs, any
/// of which matching is a match.
#[derive(Debug)]
pub struct Filter {
    expr: String,
    netmask: u32,
    plan: Plan,
    operators: usize,
    /// One outcome per (link-type field, byte order): the programs of the plan's parts.
    programs: Vec<((u32, bool), Compiled)>,
    /// Index into `programs` of each interface id seen (the per-packet lookup).
    by_iface: Vec<Option<usize>>,
}

impl Filter {
    /// A filter for `expr`; nothing is compiled yet.
    pub fn new(expr: &str, netmask: u32) -> Self {
        let (plan, operators) = Plan::of(expr);
        Filter {
            expr: expr.to_string(),
            netmask,
            plan,
            operators,
            programs: Vec::new(),
            by_iface: Vec::new(),
        }
    }

    /// How the expression is compiled, and its number of `and`/`or` operators.
    pub fn plan(&self) -> (&Plan, usize) {
        (&self.plan, self.operators)
    }

    /// The expression.
    pub fn expression(&self) -> &str {
        &self.expr
    }

    /// The netmask it compiles with.
    pub fn netmask(&self) -> u32 {
        self.netmask
    }

    /// Compiles for an interface's link type and byte order now (if not done yet) and returns
    /// the outcome.
    pub fn prepare(&mut self, iface: &Interface) -> Result<&[Program], &CompileError> {
        let id = iface.id as usize;
        let slot = match self.by_iface.get(id).copied().flatten() {
            Some(slot) => slot,
            None => {
                let slot = self.slot_for(iface);
                if self.by_iface.len() <= id {
                    self.by_iface.resize(id + 1, None);
                }
                self.by_iface[id] = Some(slot);
                slot
            }
        };
        self.programs[slot].1.as_ref().map(Vec::as_slice)
    }

    fn slot_for(&mut self, iface: &Interface) -> usize {
        // A classic header's link-type field may carry FCS bits beside the link type.
        let field = match &iface.origin {
            Origin::Pcap(h) => u32::from(h.datalink),
            _ => u32::from(iface.linktype.0),
        };
        let key = (field, iface.swapped);
        if let Some(slot) = self.programs.iter().position(|(k, _)| *k == key) {
            return slot;
        }
        let compile = |expr: &str, optimize| {
            Program::compile_field(expr, field, iface.linktype, iface.swapped, self.netmask, optimize)
        };
        let outcome = match &self.plan {
            Plan::Optimized => compile(&self.expr, true).map(|p| vec![p]),
            Plan::Unoptimized => compile(&self.expr, false).map(|p| vec![p]),
            Plan::Parts(parts) => {
                let compiled: Vec<_> = parts.iter().map(|part| compile(part, true)).collect();
                let usable = compiled.iter().all(|c| c.as_ref().map_or_else(|e| e.rejects_all(), |_| true));
                match compiled.iter().position(Result::is_ok) {
                    // Parts that can never match are left out; the others are the filter.
                    Some(_) if usable => Ok(compiled.into_iter().filter_map(Result::ok).collect()),
                    // Every part rejects every packet: so does the whole.
                    None if usable => Err(compiled.into_iter().find_map(Result::err).expect("parts")),
                    // A part libpcap refuses: the whole expression, as libpcap sees it.
                    _ => compile(&self.expr, false).map(|p| vec![p]),
                }
            }
        };
        self.programs.push((key, outcome));
        self.programs.len() - 1
    }

    /// True when the packet matches.
    pub fn matches(&mut self, pkt: &Packet<'_>) -> bool {
        match self.prepare(pkt.interface) {
            Ok(parts) => parts.iter().any(|p| p.matches(pkt.data, pkt.orig_len)),
            Err(_) => false,
        }
    }

    /// Link types the expression could not be compiled for, with libpcap's message.
    pub fn failures(&self) -> impl Iterator<Item = &CompileError> {
        self.programs.iter().filter_map(|(_, r)| r.as_ref().err())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An Ethernet + IPv4 + TCP SYN frame to port 80, 60 bytes.
    fn syn80() -> Vec<u8> {
        let mut f = vec![0xff; 6];
        f.extend([0x02, 0, 0, 0, 0, 1, 0x08, 0x00]);
        f.extend([0x45, 0, 0, 40, 0, 1, 0, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
        f.extend([0x30, 0x39, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0x20, 0, 0, 0, 0, 0]);
        f.resize(60, 0);
        f
    }

    #[test]
    fn matches_ports_and_flags() {
        let f = syn80();
        let yes = Program::compile(
            "tcp dst port 80 and tcp[tcpflags] & tcp-syn != 0",
            LinkType::ETHERNET,
            NETMASK_UNKNOWN,
        )
        .unwrap();
        let no = Program::compile("udp or tcp port 443", LinkType::ETHERNET, NETMASK_UNKNOWN).unwrap();
        assert!(yes.matches(&f, 60));
        let all = Program::compile("", LinkType::ETHERNET, NETMASK_UNKNOWN).unwrap();
        assert_eq!(all.constant(), Some(true));
        assert!(all.matches(&f, 60) && yes.constant().is_none());
        assert!(!no.matches(&f, 60));
    }

    #[test]
    fn length_primitives_see_the_wire_length() {
        let f = syn80();
        let greater = Program::compile("greater 1000", LinkType::ETHERNET, NETMASK_UNKNOWN).unwrap();
        // Captured 60 bytes of a 1514-byte frame: `greater 1000` must hold.
        assert!(greater.matches(&f, 1514));
        assert!(!greater.matches(&f, 60));
    }

    #[test]
    fn errors_carry_libpcap_messages() {
        let e = Program::compile("tcp port", LinkType::ETHERNET, NETMASK_UNKNOWN).unwrap_err();
        assert!(e.message.contains("syntax error"), "{}", e.message);
        let e = Program::compile("ip broadcast", LinkType::ETHERNET, NETMASK_UNKNOWN).unwrap_err();
        assert!(e.message.contains("netmask"), "{}", e.message);
        assert!(Program::compile("ip broadcast", LinkType::ETHERNET, 0xffff_ff00).is_ok());
    }

    #[test]
    fn raw_ip_link_type() {
        let f = syn80();
        let p = Program::compile("tcp port 80", LinkType::RAW, NETMASK_UNKNOWN).unwrap();
        assert!(p.matches(&f[14..], 46));
    }
}
