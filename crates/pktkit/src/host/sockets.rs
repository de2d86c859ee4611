//! Sockets from the kernel's sock_diag netlink dump, as `ss` reads them.
//!
//! One [`SockDiag`] keeps its netlink socket and receive buffer between refreshes. Each
//! [`Table`] (tcp4, tcp6, udp4, udp6, unix) is one dump request; TCP states are filtered in the
//! kernel ([`StateMask`]) and TCP sockets come with `tcp_info`. Every socket of the namespace
//! is listed, also other users', with its uid and inode (no privilege is needed).

use std::net::SocketAddr;

use netlink_packet_core::{
    DecodeError, NLM_F_DUMP, NLM_F_REQUEST, NLMSG_ALIGNTO, NetlinkHeader, NetlinkMessage, Parseable,
};
use netlink_packet_sock_diag::SOCK_DIAG_BY_FAMILY;
use netlink_packet_sock_diag::constants::{AF_INET, AF_INET6, INET_DIAG_INFO, IPPROTO_TCP, IPPROTO_UDP};
use netlink_packet_sock_diag::inet::{self, ExtensionFlags, InetRequest, SocketId};
use netlink_packet_sock_diag::unix::{self, ShowFlags, UnixRequest, UnixResponse};
use netlink_packet_sock_diag::{SockDiagMessage, unix::nlas::UnixDiagName};
use netlink_sys::{Socket as NetlinkSocket, SocketAddr as NetlinkAddr, protocols::NETLINK_SOCK_DIAG};

use super::HostError;

/// A socket's address family, with psutil's (and the kernel's) names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    Inet,
    Inet6,
    Unix,
}

impl Family {
    /// `AF_INET`, `AF_INET6` or `AF_UNIX`.
    pub fn name(self) -> &'static str {
        match self {
            Family::Inet => "AF_INET",
            Family::Inet6 => "AF_INET6",
            Family::Unix => "AF_UNIX",
        }
    }
}

/// A socket's type, with the kernel's `SOCK_*` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SockType {
    Stream,
    Dgram,
    SeqPacket,
    /// Any other `SOCK_*` number.
    Other(u8),
}

/// `SOCK_STREAM` as `<linux/net.h>` numbers it.
const SOCK_STREAM: u8 = 1;
/// `SOCK_DGRAM`.
const SOCK_DGRAM: u8 = 2;
/// `SOCK_SEQPACKET`.
const SOCK_SEQPACKET: u8 = 5;

impl SockType {
    fn from_kernel(kind: u8) -> SockType {
        match kind {
            SOCK_STREAM => SockType::Stream,
            SOCK_DGRAM => SockType::Dgram,
            SOCK_SEQPACKET => SockType::SeqPacket,
            other => SockType::Other(other),
        }
    }

    /// `SOCK_STREAM`, `SOCK_DGRAM`, `SOCK_SEQPACKET` or `SOCK_OTHER`.
    pub fn name(self) -> &'static str {
        match self {
            SockType::Stream => "SOCK_STREAM",
            SockType::Dgram => "SOCK_DGRAM",
            SockType::SeqPacket => "SOCK_SEQPACKET",
            SockType::Other(_) => "SOCK_OTHER",
        }
    }
}

/// One sock_diag dump: a protocol in one family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Table {
    Tcp4,
    Tcp6,
    Udp4,
    Udp6,
    Unix,
}

impl Table {
    /// Every table.
    pub const ALL: [Table; 5] = [Table::Tcp4, Table::Tcp6, Table::Udp4, Table::Udp6, Table::Unix];

    /// `tcp4`, `tcp6`, `udp4`, `udp6` or `unix`.
    pub fn name(self) -> &'static str {
        match self {
            Table::Tcp4 => "tcp4",
            Table::Tcp6 => "tcp6",
            Table::Udp4 => "udp4",
            Table::Udp6 => "udp6",
            Table::Unix => "unix",
        }
    }

    /// True for the TCP tables.
    pub fn is_tcp(self) -> bool {
        matches!(self, Table::Tcp4 | Table::Tcp6)
    }

    /// The tables psutil's `net_connections(kind=...)` covers for `kind`, or None when `kind`
    /// is not one of psutil's kinds.
    pub fn for_kind(kind: &str) -> Option<&'static [Table]> {
        use Table::*;
        Some(match kind {
            "tcp" => &[Tcp4, Tcp6],
            "tcp4" => &[Tcp4],
            "tcp6" => &[Tcp6],
            "udp" => &[Udp4, Udp6],
            "udp4" => &[Udp4],
            "udp6" => &[Udp6],
            "inet" => &[Tcp4, Tcp6, Udp4, Udp6],
            "inet4" => &[Tcp4, Udp4],
            "inet6" => &[Tcp6, Udp6],
            "unix" => &[Unix],
            "all" => &Table::ALL,
            _ => return None,
        })
    }

    /// psutil's kind names, in its order.
    pub const KINDS: [&'static str; 11] =
        ["tcp", "tcp4", "tcp6", "udp", "udp4", "udp6", "inet", "inet4", "inet6", "unix", "all"];
}

/// A TCP state: the kernel's number, psutil's name and ss's name in one table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TcpState(u8);

/// (kernel number, psutil name, ss name) for every TCP state `/proc/net/tcp` and ss show.
/// `NEW_SYN_RECV` (12), a request socket, is shown as `SYN_RECV` by both.
const TCP_STATES: [(u8, &str, &str); 12] = [
    (1, "ESTABLISHED", "ESTAB"),
    (2, "SYN_SENT", "SYN-SENT"),
    (3, "SYN_RECV", "SYN-RECV"),
    (4, "FIN_WAIT1", "FIN-WAIT-1"),
    (5, "FIN_WAIT2", "FIN-WAIT-2"),
    (6, "TIME_WAIT", "TIME-WAIT"),
    (7, "CLOSE", "UNCONN"),
    (8, "CLOSE_WAIT", "CLOSE-WAIT"),
    (9, "LAST_ACK", "LAST-ACK"),
    (10, "LISTEN", "LISTEN"),
    (11, "CLOSING", "CLOSING"),
    (12, "SYN_RECV", "SYN-RECV"),
];

/// `TCP_TIME_WAIT` in the kernel's numbering.
const TCP_TIME_WAIT: u8 = 6;
/// `TCP_NEW_SYN_RECV`: a request socket (no full socket, no inode, no process yet).
const TCP_NEW_SYN_RECV: u8 = 12;

impl TcpState {
    /// The state with kernel number `n`.
    pub fn from_kernel(n: u8) -> TcpState {
        TcpState(n)
    }

    /// The kernel's number.
    pub fn number(self) -> u8 {
        self.0
    }

    /// psutil's name (`ESTABLISHED`, `TIME_WAIT`, ...); `UNKNOWN` for a number outside the table.
    pub fn name(self) -> &'static str {
        TCP_STATES.iter().find(|s| s.0 == self.0).map_or("UNKNOWN", |s| s.1)
    }

    /// ss's name (`ESTAB`, `TIME-WAIT`, ...).
    pub fn ss_name(self) -> &'static str {
        TCP_STATES.iter().find(|s| s.0 == self.0).map_or("UNKNOWN", |s| s.2)
    }

    /// True for TIME_WAIT and request sockets: states no process holds by design.
    pub fn is_processless(self) -> bool {
        matches!(self.0, TCP_TIME_WAIT | TCP_NEW_SYN_RECV)
    }

    /// Parses psutil's or ss's name, in any case, `-` and `_` alike (`time-wait`, `ESTAB`).
    /// Returns the kernel mask of the states it names (SYN_RECV names two).
    pub fn parse_mask(name: &str) -> Option<StateMask> {
        let want = name.trim().to_ascii_uppercase().replace('_', "-");
        let bits = TCP_STATES
            .iter()
            .filter(|(_, psutil, ss)| psutil.replace('_', "-") == want || *ss == want)
            .fold(0u32, |mask, (n, _, _)| mask | 1 << n);
        (bits != 0).then_some(StateMask(bits))
    }

    /// psutil's state names, each once, for help and error messages.
    pub fn names() -> Vec<&'static str> {
        let mut names: Vec<&'static str> = Vec::new();
        for (_, name, _) in TCP_STATES {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names
    }
}

/// A set of TCP states as the kernel filters them (bit n = state n).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateMask(pub u32);

impl StateMask {
    /// Every state ss's `-a` and psutil show (1 to 12; not 13, bound-inactive, which
    /// /proc/net/tcp does not list).
    pub const ALL: StateMask = StateMask(((1 << 13) - 1) & !1);

    /// True when state `s` is in the set.
    pub fn contains(self, s: TcpState) -> bool {
        self.0 & (1 << s.0) != 0
    }
}

/// A socket's address: IP and port, or a Unix socket's name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Address {
    Inet(SocketAddr),
    /// A path, `@name` for an abstract name, empty when unnamed.
    Unix(String),
}

impl Address {
    /// The port of an IP address; None for Unix.
    pub fn port(&self) -> Option<u16> {
        match self {
            Address::Inet(a) => Some(a.port()),
            Address::Unix(_) => None,
        }
    }
}

/// What `tcp_info` says about a TCP socket (the fields netmon shows and rates use).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TcpStats {
    /// Smoothed round-trip time, microseconds.
    pub rtt_us: u32,
    /// Its variance, microseconds.
    pub rttvar_us: u32,
    /// Retransmitted segments over the connection's life (`tcpi_total_retrans`).
    pub total_retrans: u32,
    /// Payload bytes sent (`tcpi_bytes_sent`, retransmissions included).
    pub bytes_sent: u64,
    /// Payload bytes the peer acknowledged (`tcpi_bytes_acked`).
    pub bytes_acked: u64,
    /// Payload bytes received in order (`tcpi_bytes_received`).
    pub bytes_received: u64,
    /// Payload bytes retransmitted (`tcpi_bytes_retrans`).
    pub bytes_retrans: u64,
    /// Segments sent.
    pub segs_out: u32,
    /// Segments received.
    pub segs_in: u32,
}

/// One socket of the dump.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Socket {
    /// The table it came from.
    pub table: Table,
    pub family: Family,
    pub sock_type: SockType,
    /// Local address.
    pub local: Address,
    /// Remote address; None when unconnected (listeners, unconnected UDP, unnamed peers).
    pub remote: Option<Address>,
    /// TCP state; None for UDP and Unix sockets (psutil's `NONE`).
    pub state: Option<TcpState>,
    /// The socket's owner uid (from the kernel; None for Unix sockets on kernels before 5.3).
    pub uid: Option<u32>,
    /// The socket's inode: 0 when no file refers to it (TIME_WAIT, request sockets).
    pub inode: u32,
    /// The kernel's socket cookie, unique while the socket lives.
    pub cookie: u64,
    /// Bytes in the receive queue (for listeners: pending connections).
    pub recv_q: u32,
    /// Bytes in the send queue (for listeners: the backlog).
    pub send_q: u32,
    /// `tcp_info`, for full TCP sockets.
    pub tcp: Option<TcpStats>,
}

/// A sock_diag netlink socket with its receive buffer, reused between dumps.
pub struct SockDiag {
    socket: NetlinkSocket,
    buf: Vec<u8>,
    seq: u32,
    /// IPv6 sockets of a combined TCP dump, appended after the IPv4 ones.
    tcp6: Vec<Socket>,
    /// False once the kernel refused the combined TCP dump: two dumps from then on.
    combined_tcp: bool,
}

impl std::fmt::Debug for SockDiag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SockDiag").field("seq", &self.seq).finish()
    }
}

/// The kernel fills at most 32 KiB per dump message batch; a larger buffer costs nothing.
const RECV_BUF: usize = 64 * 1024;
/// `UDIAG_SHOW_UID` (Linux 5.3): ask for a Unix socket's owner uid.
const UDIAG_SHOW_UID: u32 = 1 << 6;
/// `UNIX_DIAG_UID`: the attribute that carries it.
const UNIX_DIAG_UID: u16 = 7;
/// `TCPDIAG_GETSOCK`: the original inet_diag request (`struct inet_diag_req`). The kernel
/// answers it with the IPv4 and IPv6 TCP sockets of one walk of its hash tables, where a
/// `SOCK_DIAG_BY_FAMILY` request per family walks them twice (the walk, not the sockets,
/// is most of a dump's cost: 262,144 buckets here).
const TCPDIAG_GETSOCK: u16 = 18;
/// `NLMSG_ERROR` and `NLMSG_DONE` (`<linux/netlink.h>`).
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
/// `struct nlmsghdr`.
const NLMSG_HEADER_LEN: usize = 16;
/// `struct inet_diag_msg`: family, state, timer, retrans, the 48-byte `inet_diag_sockid`,
/// expires, rqueue, wqueue, uid, inode.
const INET_DIAG_MSG_LEN: usize = 72;
/// `struct inet_diag_sockid`: ports, addresses, interface, cookie.
const SOCKID_LEN: usize = 48;

/// Offsets in `struct inet_diag_msg` (`<linux/inet_diag.h>`); ports and addresses are in
/// network order, the rest native.
mod diag_msg {
    pub const FAMILY: usize = 0;
    pub const STATE: usize = 1;
    pub const SOURCE_PORT: usize = 4;
    pub const DESTINATION_PORT: usize = 6;
    pub const SOURCE: usize = 8;
    pub const DESTINATION: usize = 24;
    /// Two u32 halves, low first.
    pub const COOKIE: usize = 44;
    pub const RECV_QUEUE: usize = 56;
    pub const SEND_QUEUE: usize = 60;
    pub const UID: usize = 64;
    pub const INODE: usize = 68;
}

/// Offsets in `struct tcp_info` (`<linux/tcp.h>`) of the fields netmon reads. A shorter
/// `tcp_info` (an older kernel) leaves the fields past its end at 0.
mod tcp_info {
    pub const RTT: usize = 68;
    pub const RTTVAR: usize = 72;
    pub const TOTAL_RETRANS: usize = 100;
    pub const BYTES_ACKED: usize = 120;
    pub const BYTES_RECEIVED: usize = 128;
    pub const SEGS_OUT: usize = 136;
    pub const SEGS_IN: usize = 140;
    pub const BYTES_SENT: usize = 200;
    pub const BYTES_RETRANS: usize = 208;
}

impl SockDiag {
    /// Opens a sock_diag socket in the caller's network namespace.
    pub fn open() -> Result<SockDiag, HostError> {
        let netlink = |what| move |source| HostError::Netlink { what, source };
        let mut socket = NetlinkSocket::new(NETLINK_SOCK_DIAG).map_err(netlink("open"))?;
        socket.bind_auto().map_err(netlink("bind"))?;
        socket.connect(&NetlinkAddr::new(0, 0)).map_err(netlink("connect"))?;
        Ok(SockDiag {
            socket,
            buf: Vec::with_capacity(RECV_BUF),
            seq: 0,
            tcp6: Vec::new(),
            combined_tcp: true,
        })
    }

    /// Appends every socket of `tables` to `out`; TCP sockets only in `tcp_states`. When
    /// both TCP tables are asked for they come from one dump, IPv4 sockets first.
    pub fn dump(
        &mut self,
        tables: &[Table],
        tcp_states: StateMask,
        out: &mut Vec<Socket>,
    ) -> Result<(), HostError> {
        let both_tcp = tables.contains(&Table::Tcp4) && tables.contains(&Table::Tcp6);
        let mut tcp_done = false;
        for &table in tables {
            // Both TCP tables at the first of them; if the kernel refuses the combined dump,
            // each is dumped on its own.
            if both_tcp && table.is_tcp() && self.combined_tcp {
                if tcp_done {
                    continue;
                }
                if self.dump_both_tcp(tcp_states, out)? {
                    tcp_done = true;
                    continue;
                }
            }
            self.dump_table(table, tcp_states, out)?;
        }
        Ok(())
    }

    /// One `TCPDIAG_GETSOCK` dump of both TCP tables; false (nothing added) when the kernel
    /// refuses it, and then [`SockDiag::dump`] asks per table.
    fn dump_both_tcp(&mut self, tcp_states: StateMask, out: &mut Vec<Socket>) -> Result<bool, HostError> {
        // struct inet_diag_req: family, src_len, dst_len, ext, id, states, dbs.
        let mut body = [0u8; 4 + SOCKID_LEN + 8];
        body[0] = AF_INET;
        body[3] = 1 << (INET_DIAG_INFO - 1);
        body[4 + SOCKID_LEN..4 + SOCKID_LEN + 4].copy_from_slice(&tcp_states.0.to_ne_bytes());
        let mut tcp6 = std::mem::take(&mut self.tcp6);
        tcp6.clear();
        let first = out.len();
        let outcome = self.exchange(TCPDIAG_GETSOCK, &body, "tcp", |payload| {
            if payload.get(diag_msg::FAMILY) == Some(&AF_INET6) {
                tcp6.push(inet_socket(Table::Tcp6, payload)?);
            } else {
                out.push(inet_socket(Table::Tcp4, payload)?);
            }
            Ok(())
        });
        let done = match outcome {
            Ok(()) => true,
            Err(HostError::Refused { .. }) if out.len() == first && tcp6.is_empty() => {
                self.combined_tcp = false;
                false
            }
            Err(e) => return Err(e),
        };
        out.append(&mut tcp6);
        self.tcp6 = tcp6;
        Ok(done)
    }

    fn request(table: Table, tcp_states: StateMask) -> SockDiagMessage {
        let inet = |family, protocol, extensions, states| {
            SockDiagMessage::InetRequest(InetRequest {
                family,
                protocol,
                extensions,
                states: inet::StateFlags::from_bits_retain(states),
                socket_id: if family == AF_INET { SocketId::new_v4() } else { SocketId::new_v6() },
            })
        };
        let all = StateMask::ALL.0;
        match table {
            Table::Tcp4 => inet(AF_INET, IPPROTO_TCP, ExtensionFlags::INFO, tcp_states.0),
            Table::Tcp6 => inet(AF_INET6, IPPROTO_TCP, ExtensionFlags::INFO, tcp_states.0),
            Table::Udp4 => inet(AF_INET, IPPROTO_UDP, ExtensionFlags::empty(), all),
            Table::Udp6 => inet(AF_INET6, IPPROTO_UDP, ExtensionFlags::empty(), all),
            Table::Unix => SockDiagMessage::UnixRequest(UnixRequest {
                state_flags: unix::StateFlags::from_bits_retain(all),
                inode: 0,
                show_flags: ShowFlags::from_bits_retain(
                    (ShowFlags::NAME | ShowFlags::PEER | ShowFlags::RQLEN).bits() | UDIAG_SHOW_UID,
                ),
                cookie: [0xff; 8],
            }),
        }
    }

    fn dump_table(
        &mut self,
        table: Table,
        tcp_states: StateMask,
        out: &mut Vec<Socket>,
    ) -> Result<(), HostError> {
        let mut header = NetlinkHeader::default();
        header.flags = NLM_F_REQUEST | NLM_F_DUMP;
        let mut packet = NetlinkMessage::new(header, Self::request(table, tcp_states).into());
        packet.finalize();
        let mut request = vec![0; packet.buffer_len()];
        packet.serialize(&mut request);
        let body = request.get(NLMSG_HEADER_LEN..).unwrap_or(&[]).to_vec();
        // Unix peers are given as inodes; names are resolved once the dump is complete.
        let first = out.len();
        let mut peers: Vec<(usize, u32)> = Vec::new();
        let outcome = self.exchange(SOCK_DIAG_BY_FAMILY, &body, table.name(), |payload| {
            if table != Table::Unix {
                // An IP socket is read in place: its header and only the tcp_info attribute.
                out.push(inet_socket(table, payload)?);
                return Ok(());
            }
            let response = UnixResponse::parse(payload)?;
            let (socket, peer) = unix_socket(&response);
            if let Some(peer) = peer {
                peers.push((out.len(), peer));
            }
            out.push(socket);
            Ok(())
        });
        match outcome {
            // ENOENT: the kernel has no diag module for this protocol; nothing to list.
            Err(HostError::Refused { source, .. }) if source.raw_os_error() == Some(libc::ENOENT) => Ok(()),
            Err(HostError::Refused { source, .. }) => Err(HostError::Refused { table: table.name(), source }),
            Err(e) => Err(e),
            Ok(()) => {
                resolve_unix_peers(&mut out[first..], first, &peers);
                Ok(())
            }
        }
    }

    /// Sends one dump request (`kind`, then `body`) and hands each reply's payload to
    /// `each` until the kernel's NLMSG_DONE. A refusal is [`HostError::Refused`] (with
    /// `table` as its name), a malformed reply [`HostError::Decode`].
    fn exchange(
        &mut self,
        kind: u16,
        body: &[u8],
        table: &'static str,
        mut each: impl FnMut(&[u8]) -> Result<(), DecodeError>,
    ) -> Result<(), HostError> {
        let netlink = |what| move |source| HostError::Netlink { what, source };
        let decode = |message: String| HostError::Decode { table, message };
        self.seq = self.seq.wrapping_add(1);
        let mut request = Vec::with_capacity(NLMSG_HEADER_LEN + body.len());
        let length = u32::try_from(NLMSG_HEADER_LEN + body.len()).expect("a short request");
        request.extend_from_slice(&length.to_ne_bytes());
        request.extend_from_slice(&kind.to_ne_bytes());
        request.extend_from_slice(&(NLM_F_REQUEST | NLM_F_DUMP).to_ne_bytes());
        request.extend_from_slice(&self.seq.to_ne_bytes());
        request.extend_from_slice(&0u32.to_ne_bytes());
        request.extend_from_slice(body);
        self.socket.send(&request, 0).map_err(netlink("send"))?;
        loop {
            self.buf.clear();
            let len = self.socket.recv(&mut self.buf, 0).map_err(netlink("receive"))?;
            let mut rest = &self.buf[..len.min(self.buf.len())];
            while rest.len() >= NLMSG_HEADER_LEN {
                let size = u32_at(rest, 0) as usize;
                let message_type = u16::from_ne_bytes([rest[4], rest[5]]);
                let seq = u32_at(rest, 8);
                if size < NLMSG_HEADER_LEN || size > rest.len() {
                    return Err(decode(format!(
                        "netlink message of {size} bytes in {} received",
                        rest.len()
                    )));
                }
                let payload = &rest[NLMSG_HEADER_LEN..size];
                rest = rest.get(aligned(size)..).unwrap_or(&[]);
                if seq != self.seq {
                    continue;
                }
                match message_type {
                    NLMSG_DONE => {
                        // A dump that failed midway ends with a negative errno here.
                        let status =
                            payload.get(..4).map_or(0, |b| i32::from_ne_bytes([b[0], b[1], b[2], b[3]]));
                        if status < 0 {
                            let source = std::io::Error::from_raw_os_error(-status);
                            return Err(HostError::Refused { table, source });
                        }
                        return Ok(());
                    }
                    NLMSG_ERROR => {
                        let errno =
                            payload.get(..4).map_or(0, |b| i32::from_ne_bytes([b[0], b[1], b[2], b[3]]));
                        let source = std::io::Error::from_raw_os_error(-errno);
                        return Err(HostError::Refused { table, source });
                    }
                    _ => each(payload).map_err(|e| decode(e.to_string()))?,
                }
            }
        }
    }
}

/// The native-endian u32 at `offset` of `bytes` (which the caller checked is long enough).
fn u32_at(bytes: &[u8], offset: usize) -> u32 {
    u32::from_ne_bytes(bytes[offset..offset + 4].try_into().expect("4 bytes"))
}

/// A netlink message's length rounded up to the 4-byte alignment of the next one.
fn aligned(len: usize) -> usize {
    let align = usize::from(NLMSG_ALIGNTO);
    (len + align - 1) & !(align - 1)
}

/// An `inet_diag_msg` and its `INET_DIAG_INFO` attribute, read in place.
fn inet_socket(table: Table, payload: &[u8]) -> Result<Socket, DecodeError> {
    let Some(header) = payload.get(..INET_DIAG_MSG_LEN) else {
        return Err(DecodeError::from(format!(
            "inet_diag_msg of {} bytes (at least {INET_DIAG_MSG_LEN})",
            payload.len()
        )));
    };
    let be16 = |offset: usize| u16::from_be_bytes([header[offset], header[offset + 1]]);
    let inet6 = header[diag_msg::FAMILY] == AF_INET6;
    let ip = |offset: usize| -> std::net::IpAddr {
        let bytes: [u8; 16] = header[offset..offset + 16].try_into().expect("16 bytes");
        if inet6 {
            std::net::Ipv6Addr::from(bytes).into()
        } else {
            std::net::Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3]).into()
        }
    };
    let family = if inet6 { Family::Inet6 } else { Family::Inet };
    let (source_port, destination_port) = (be16(diag_msg::SOURCE_PORT), be16(diag_msg::DESTINATION_PORT));
    let (source, destination) = (ip(diag_msg::SOURCE), ip(diag_msg::DESTINATION));
    let local = Address::Inet(SocketAddr::new(source, source_port));
    let remote = (destination_port != 0 || !destination.is_unspecified())
        .then(|| Address::Inet(SocketAddr::new(destination, destination_port)));
    let cookie =
        u64::from(u32_at(header, diag_msg::COOKIE)) | u64::from(u32_at(header, diag_msg::COOKIE + 4)) << 32;
    let mut tcp = None;
    let mut attributes = &payload[INET_DIAG_MSG_LEN..];
    while attributes.len() >= 4 {
        let size = usize::from(u16::from_ne_bytes([attributes[0], attributes[1]]));
        let kind = u16::from_ne_bytes([attributes[2], attributes[3]]);
        let Some(value) = attributes.get(4..size) else {
            return Err(DecodeError::from(format!("attribute of {size} bytes in {} left", attributes.len())));
        };
        if kind == INET_DIAG_INFO {
            tcp = Some(tcp_stats(value));
        }
        attributes = attributes.get(aligned(size)..).unwrap_or(&[]);
    }
    let is_tcp = table.is_tcp();
    Ok(Socket {
        table,
        family,
        sock_type: if is_tcp { SockType::Stream } else { SockType::Dgram },
        local,
        remote,
        state: is_tcp.then(|| TcpState::from_kernel(header[diag_msg::STATE])),
        uid: Some(u32_at(header, diag_msg::UID)),
        inode: u32_at(header, diag_msg::INODE),
        cookie,
        recv_q: u32_at(header, diag_msg::RECV_QUEUE),
        send_q: u32_at(header, diag_msg::SEND_QUEUE),
        tcp,
    })
}

/// The fields netmon uses of a `tcp_info` attribute (0 past its end).
fn tcp_stats(info: &[u8]) -> TcpStats {
    let u32_field = |offset: usize| info.get(offset..offset + 4).map_or(0, |b| u32_at(b, 0));
    let u64_field = |offset: usize| {
        info.get(offset..offset + 8).map_or(0, |b| u64::from_ne_bytes(b.try_into().expect("8 bytes")))
    };
    TcpStats {
        rtt_us: u32_field(tcp_info::RTT),
        rttvar_us: u32_field(tcp_info::RTTVAR),
        total_retrans: u32_field(tcp_info::TOTAL_RETRANS),
        bytes_sent: u64_field(tcp_info::BYTES_SENT),
        bytes_acked: u64_field(tcp_info::BYTES_ACKED),
        bytes_received: u64_field(tcp_info::BYTES_RECEIVED),
        bytes_retrans: u64_field(tcp_info::BYTES_RETRANS),
        segs_out: u32_field(tcp_info::SEGS_OUT),
        segs_in: u32_field(tcp_info::SEGS_IN),
    }
}

/// A Unix socket and its peer's inode (connected sockets).
fn unix_socket(r: &UnixResponse) -> (Socket, Option<u32>) {
    use netlink_packet_sock_diag::unix::nlas::Nla;
    let h = &r.header;
    let mut name = String::new();
    let (mut peer, mut uid, mut queues) = (None, None, (0, 0));
    for nla in &r.nlas {
        match nla {
            Nla::Name(UnixDiagName::Pathname(p)) => name = p.to_string_lossy().into_owned(),
            Nla::Name(UnixDiagName::Abstract(a)) => name = format!("@{}", String::from_utf8_lossy(a)),
            Nla::Peer(p) if *p != 0 => peer = Some(*p),
            Nla::ReceiveQueueLength(rq, wq) => queues = (*rq, *wq),
            Nla::Other(attr) if netlink_packet_core::Nla::kind(attr) == UNIX_DIAG_UID => {
                let mut value = [0u8; 4];
                if netlink_packet_core::Nla::value_len(attr) == 4 {
                    netlink_packet_core::Nla::emit_value(attr, &mut value);
                    uid = Some(u32::from_ne_bytes(value));
                }
            }
            _ => {}
        }
    }
    let socket = Socket {
        table: Table::Unix,
        family: Family::Unix,
        sock_type: SockType::from_kernel(h.kind),
        local: Address::Unix(name),
        remote: None,
        state: None,
        uid,
        inode: h.inode,
        cookie: u64::from_ne_bytes(h.cookie),
        recv_q: queues.0,
        send_q: queues.1,
        tcp: None,
    };
    (socket, peer)
}

/// Gives connected Unix sockets their peer's name (psutil's raddr), found by the peer's inode.
fn resolve_unix_peers(sockets: &mut [Socket], first: usize, peers: &[(usize, u32)]) {
    if peers.is_empty() {
        return;
    }
    let mut by_inode: std::collections::HashMap<u32, String> =
        std::collections::HashMap::with_capacity(sockets.len());
    for s in sockets.iter() {
        if let Address::Unix(name) = &s.local {
            by_inode.insert(s.inode, name.clone());
        }
    }
    for &(index, peer) in peers {
        let name = by_inode.get(&peer).cloned().unwrap_or_default();
        sockets[index - first].remote = Some(Address::Unix(name));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An `inet_diag_msg` as the kernel lays it out, with a `tcp_info` attribute of `info_len`
    /// bytes whose byte counters are set.
    fn inet_diag_msg(family: u8, info_len: usize) -> Vec<u8> {
        let mut m = vec![0u8; INET_DIAG_MSG_LEN];
        let mut put = |offset: usize, bytes: &[u8]| m[offset..offset + bytes.len()].copy_from_slice(bytes);
        put(diag_msg::FAMILY, &[family, 1]); // ESTABLISHED
        put(diag_msg::SOURCE_PORT, &8080u16.to_be_bytes());
        put(diag_msg::DESTINATION_PORT, &40000u16.to_be_bytes());
        if family == AF_INET {
            put(diag_msg::SOURCE, &[10, 0, 0, 1]);
            put(diag_msg::DESTINATION, &[10, 0, 0, 2]);
        } else {
            put(diag_msg::SOURCE, &std::net::Ipv6Addr::LOCALHOST.octets());
        }
        put(diag_msg::COOKIE, &7u32.to_ne_bytes());
        put(diag_msg::COOKIE + 4, &1u32.to_ne_bytes());
        put(diag_msg::RECV_QUEUE, &11u32.to_ne_bytes());
        put(diag_msg::SEND_QUEUE, &22u32.to_ne_bytes());
        put(diag_msg::UID, &1000u32.to_ne_bytes());
        put(diag_msg::INODE, &424242u32.to_ne_bytes());
        // An attribute before tcp_info (INET_DIAG_SHUTDOWN, one byte padded to four).
        m.extend_from_slice(&5u16.to_ne_bytes());
        m.extend_from_slice(&8u16.to_ne_bytes());
        m.extend_from_slice(&[0, 0, 0, 0]);
        let mut info = vec![0u8; info_len];
        let mut put = |offset: usize, bytes: &[u8]| {
            if let Some(field) = info.get_mut(offset..offset + bytes.len()) {
                field.copy_from_slice(bytes);
            }
        };
        put(tcp_info::RTT, &250u32.to_ne_bytes());
        put(tcp_info::TOTAL_RETRANS, &3u32.to_ne_bytes());
        put(tcp_info::BYTES_ACKED, &5001u64.to_ne_bytes());
        put(tcp_info::BYTES_RECEIVED, &6002u64.to_ne_bytes());
        put(tcp_info::BYTES_SENT, &7003u64.to_ne_bytes());
        m.extend_from_slice(&u16::try_from(4 + info_len).unwrap().to_ne_bytes());
        m.extend_from_slice(&INET_DIAG_INFO.to_ne_bytes());
        m.extend_from_slice(&info);
        m
    }

    #[test]
    fn inet_diag_msg_read_in_place() {
        let socket = inet_socket(Table::Tcp4, &inet_diag_msg(AF_INET, 232)).unwrap();
        assert_eq!(socket.local, Address::Inet("10.0.0.1:8080".parse().unwrap()));
        assert_eq!(socket.remote, Some(Address::Inet("10.0.0.2:40000".parse().unwrap())));
        assert_eq!(socket.state.map(|s| s.name()), Some("ESTABLISHED"));
        assert_eq!((socket.uid, socket.inode, socket.cookie), (Some(1000), 424242, 7 | 1 << 32));
        assert_eq!((socket.recv_q, socket.send_q), (11, 22));
        let tcp = socket.tcp.unwrap();
        assert_eq!((tcp.rtt_us, tcp.total_retrans), (250, 3));
        assert_eq!((tcp.bytes_acked, tcp.bytes_received, tcp.bytes_sent), (5001, 6002, 7003));
        // An older kernel's shorter tcp_info (before bytes_sent, Linux 4.19): 0 past its end.
        let old = inet_socket(Table::Tcp6, &inet_diag_msg(AF_INET6, 160)).unwrap();
        assert_eq!(old.family, Family::Inet6);
        assert_eq!(old.local, Address::Inet("[::1]:8080".parse().unwrap()));
        assert_eq!((old.tcp.unwrap().bytes_acked, old.tcp.unwrap().bytes_sent), (5001, 0));
        // Truncated messages and attributes are errors, not panics.
        let whole = inet_diag_msg(AF_INET, 232);
        for cut in [0, 10, INET_DIAG_MSG_LEN - 1, INET_DIAG_MSG_LEN + 8 + 10, whole.len() - 1] {
            assert!(inet_socket(Table::Tcp4, &whole[..cut]).is_err(), "cut at {cut}");
        }
    }

    #[test]
    fn one_dump_lists_both_tcp_families() {
        let v4 = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let Ok(v6) = std::net::TcpListener::bind("[::1]:0") else { return };
        let mut diag = SockDiag::open().unwrap();
        let mut sockets = Vec::new();
        diag.dump(&[Table::Tcp4, Table::Tcp6], StateMask::ALL, &mut sockets).unwrap();
        let find = |port: u16, table: Table| {
            sockets.iter().any(|s| s.table == table && s.local.port() == Some(port))
        };
        assert!(find(v4.local_addr().unwrap().port(), Table::Tcp4));
        assert!(find(v6.local_addr().unwrap().port(), Table::Tcp6));
        // IPv4 sockets first, as with a dump per table.
        let first_v6 = sockets.iter().position(|s| s.table == Table::Tcp6).unwrap();
        assert!(sockets[first_v6..].iter().all(|s| s.table == Table::Tcp6));
    }

    #[test]
    fn kinds_cover_psutil() {
        for kind in Table::KINDS {
            assert!(Table::for_kind(kind).is_some(), "{kind}");
        }
        assert_eq!(Table::for_kind("inet6"), Some(&[Table::Tcp6, Table::Udp6][..]));
        assert_eq!(Table::for_kind("sctp"), None);
    }

    #[test]
    fn state_names_parse_both_spellings() {
        let est = TcpState::parse_mask("established").unwrap();
        assert_eq!(est, TcpState::parse_mask("ESTAB").unwrap());
        assert!(est.contains(TcpState::from_kernel(1)));
        let tw = TcpState::parse_mask("time-wait").unwrap();
        assert_eq!(tw, TcpState::parse_mask("TIME_WAIT").unwrap());
        assert_eq!(tw.0, 1 << 6);
        // SYN_RECV is the full socket (3) and the request socket (12).
        assert_eq!(TcpState::parse_mask("syn_recv").unwrap().0, 1 << 3 | 1 << 12);
        assert_eq!(TcpState::parse_mask("fin-wait-1").unwrap().0, 1 << 4);
        assert!(TcpState::parse_mask("bogus").is_none());
        assert_eq!(TcpState::from_kernel(12).name(), "SYN_RECV");
        assert_eq!(TcpState::from_kernel(10).ss_name(), "LISTEN");
    }

    #[test]
    fn state_names_are_unique() {
        let names = TcpState::names();
        assert_eq!(names.len(), 11);
        assert!(names.contains(&"CLOSE_WAIT"));
    }

    #[test]
    fn all_mask_is_states_one_to_twelve() {
        for n in 1..=12 {
            assert!(StateMask::ALL.contains(TcpState::from_kernel(n)), "{n}");
        }
        assert!(!StateMask::ALL.contains(TcpState::from_kernel(0)));
        assert!(!StateMask::ALL.contains(TcpState::from_kernel(13)));
    }
}
