//! The network a probe engine talks to: [`Network`] sends IP packets and hands over the IP
//! packets that come back. [`RawNetwork`] is the real one (a raw IP socket out, a packet
//! socket with a kernel BPF filter in); unit tests use a simulated path instead, and
//! [`Recording`] wraps any network to keep every packet for a capture file.

use std::net::IpAddr;
use std::os::fd::AsFd;
use std::time::Instant;

use nix::poll::{PollFd, PollFlags, ppoll};
use nix::sys::time::TimeSpec;
use socket2::{Domain, Protocol, SockFilter, Socket, Type};

use super::{L3Sender, NetError, require_cap_net_raw};
use crate::bpf::{NETMASK_UNKNOWN, Program};
use crate::capture::LinkType;

/// Sends probes and receives what answers them, as IP packets (link type RAW).
pub trait Network {
    /// Sends one IP packet (IPv4 or IPv6 header first); returns the time it left.
    fn send(&mut self, packet: &[u8]) -> Result<Instant, NetError>;

    /// Waits until `deadline` for the next received IP packet; `None` when none came. A
    /// deadline already past returns a packet only if one is waiting.
    fn recv(&mut self, deadline: Instant) -> Result<Option<(Instant, &[u8])>, NetError>;
}

/// Largest packet received.
const RECV_BUF: usize = 65_536;

/// `ETH_P_ALL`: every protocol, for a packet socket.
const ETH_P_ALL: u16 = 0x0003;

/// The real network: probes go out on a raw IP socket ([`L3Sender`]); answers come from a
/// packet socket (`AF_PACKET`, `SOCK_DGRAM`: the network layer, every interface) that a
/// kernel BPF filter narrows to what `filter` (a libpcap expression on raw IP) accepts.
pub struct RawNetwork {
    sender: L3Sender,
    rx: Socket,
    buf: Vec<u8>,
}

impl std::fmt::Debug for RawNetwork {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawNetwork").field("sender", &self.sender).finish_non_exhaustive()
    }
}

/// The libpcap expression that keeps ICMP errors and echo replies (and, with `tcp`, TCP
/// segments) addressed to `src`.
pub fn reply_filter(src: IpAddr, tcp: bool) -> String {
    let (ip, icmp) = if src.is_ipv6() { ("ip6", "icmp6") } else { ("ip", "icmp") };
    let tcp = if tcp { " or tcp" } else { "" };
    format!("{ip} and dst host {src} and ({icmp}{tcp})")
}

impl RawNetwork {
    /// Opens the sockets. `device` binds the sending socket to one interface. Needs
    /// CAP_NET_RAW.
    pub fn open(device: Option<&str>, filter: &str) -> Result<Self, NetError> {
        require_cap_net_raw("sending probes")?;
        let program = Program::compile(filter, LinkType::RAW, NETMASK_UNKNOWN)
            .map_err(|e| NetError::Unsupported(format!("filter '{filter}': {e}")))?;
        let code: Vec<SockFilter> =
            program.instructions().iter().map(|i| SockFilter::new(i.code, i.jt, i.jf, i.k)).collect();
        let proto = Protocol::from(i32::from(ETH_P_ALL.to_be()));
        let rx = Socket::new(Domain::PACKET, Type::DGRAM, Some(proto))
            .map_err(|e| NetError::io("opening a packet socket", e))?;
        rx.attach_filter(&code).map_err(|e| NetError::io("attaching the reply filter", e))?;
        // What arrived before the filter was attached is not ours: drop it.
        rx.set_nonblocking(true).map_err(|e| NetError::io("packet socket", e))?;
        let mut buf = vec![0u8; RECV_BUF];
        while nix::sys::socket::recv(
            std::os::fd::AsRawFd::as_raw_fd(&rx),
            &mut buf,
            nix::sys::socket::MsgFlags::MSG_DONTWAIT,
        )
        .is_ok()
        {}
        let sender = L3Sender::open(device)?;
        Ok(RawNetwork { sender, rx, buf })
    }
}

/// Waits until `fd` is readable or `deadline` passes (nanosecond precision); true when
/// readable.
pub(crate) fn wait_readable(fd: std::os::fd::BorrowedFd<'_>, deadline: Instant) -> Result<bool, NetError> {
    let left = deadline.saturating_duration_since(Instant::now());
    let mut fds = [PollFd::new(fd, PollFlags::POLLIN)];
    match ppoll(&mut fds, Some(TimeSpec::from_duration(left)), None) {
        Ok(n) => Ok(n > 0),
        Err(nix::errno::Errno::EINTR) => Ok(false),
        Err(e) => Err(NetError::io("waiting for answers", std::io::Error::from(e))),
    }
}

impl Network for RawNetwork {
    fn send(&mut self, packet: &[u8]) -> Result<Instant, NetError> {
        let at = Instant::now();
        match self.sender.send(packet, None) {
            Ok(_) => Ok(at),
            // Larger than the path MTU the kernel knows, with don't-fragment: the kernel
            // answers itself with "fragmentation needed" / "packet too big", which arrives
            // like any router's and is matched to the probe.
            Err(NetError::Io { source, .. }) if source.raw_os_error() == Some(libc::EMSGSIZE) => Ok(at),
            Err(e) => Err(e),
        }
    }

    fn recv(&mut self, deadline: Instant) -> Result<Option<(Instant, &[u8])>, NetError> {
        use std::os::fd::AsRawFd;
        loop {
            match nix::sys::socket::recv(
                self.rx.as_raw_fd(),
                &mut self.buf,
                nix::sys::socket::MsgFlags::MSG_DONTWAIT,
            ) {
                Ok(n) => {
                    let now = Instant::now();
                    return Ok(Some((now, &self.buf[..n])));
                }
                Err(nix::errno::Errno::EAGAIN | nix::errno::Errno::EINTR) => {}
                Err(e) => return Err(NetError::io("receiving answers", std::io::Error::from(e))),
            }
            if Instant::now() >= deadline || !wait_readable(self.rx.as_fd(), deadline)? {
                return Ok(None);
            }
        }
    }
}

/// One packet a [`Recording`] kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// When it was sent or received.
    pub at: Instant,
    /// True for a packet sent.
    pub sent: bool,
    /// The IP packet.
    pub bytes: Vec<u8>,
}

/// A network that also keeps a copy of every packet sent and received (for `-w FILE.pcap`),
/// when `keep` is set.
#[derive(Debug)]
pub struct Recording<N> {
    inner: N,
    keep: bool,
    packets: Vec<Recorded>,
    buf: Vec<u8>,
}

impl<N: Network> Recording<N> {
    /// Wraps `inner`; keeps packets only when `keep`.
    pub fn new(inner: N, keep: bool) -> Self {
        Recording { inner, keep, packets: Vec::new(), buf: Vec::new() }
    }

    /// Takes the packets kept so far.
    pub fn take(&mut self) -> Vec<Recorded> {
        std::mem::take(&mut self.packets)
    }
}

impl<N: Network> Network for Recording<N> {
    fn send(&mut self, packet: &[u8]) -> Result<Instant, NetError> {
        let at = self.inner.send(packet)?;
        if self.keep {
            self.packets.push(Recorded { at, sent: true, bytes: packet.to_vec() });
        }
        Ok(at)
    }

    fn recv(&mut self, deadline: Instant) -> Result<Option<(Instant, &[u8])>, NetError> {
        match self.inner.recv(deadline)? {
            Some((at, bytes)) => {
                if self.keep {
                    self.packets.push(Recorded { at, sent: false, bytes: bytes.to_vec() });
                }
                self.buf.clear();
                self.buf.extend_from_slice(bytes);
                Ok(Some((at, &self.buf)))
            }
            None => Ok(None),
        }
    }
}
