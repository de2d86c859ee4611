//! The network a probe engine talks to: [`Network`] sends IP packets and hands over the IP
//! packets that come back. [`RawNetwork`] is the real one (raw IP sockets out and in); unit tests use a simulated path instead, and
//! [`Recording`] wraps any network to keep every packet for a capture file.

use std::os::fd::AsFd;
use std::time::Instant;

use nix::poll::{PollFd, PollFlags, ppoll};
use nix::sys::time::TimeSpec;
use socket2::{Domain, Protocol, Socket, Type};

use super::probe::ip_proto;
use super::{L3Sender, NetError, require_cap_net_raw};

/// Sends probes and receives what answers them, as IP packets (link type RAW).
pub trait Network {
    /// Sends one IP packet (IPv4 or IPv6 header first); returns the time it left.
    fn send(&mut self, packet: &[u8]) -> Result<Instant, NetError>;

    /// Waits until `deadline` for the next received IP packet; `None` when none came. A
    /// deadline already past returns a packet only if one is waiting.
    fn recv(&mut self, deadline: Instant) -> Result<Option<(Instant, &[u8])>, NetError>;
}

/// The receive buffer: room for the largest IP packet (65,535 bytes, an IPv6 payload after
/// its rebuilt header), rounded up to 128 KiB, glibc's default mmap threshold: an allocation
/// that large comes zeroed from the kernel, so `vec![0; RECV_BUF]` writes nothing and only the
/// pages an answer fills are ever touched (a 64 KiB buffer was zeroed by hand at start-up:
/// 80,000 instructions and 16 page faults before the first probe).
const RECV_BUF: usize = 128 * 1024;

/// Bytes of an IPv6 header.
const IPV6_HEADER_LEN: usize = 40;

/// The real network: probes go out on a raw IP socket ([`L3Sender`]); answers come from raw
/// sockets of the probes' family for ICMP (and, for TCP probes, TCP), as traceroute receives
/// them. IPv4 raw sockets hand over whole packets; for IPv6, whose raw sockets give only the
/// payload, the header is rebuilt from the source address, the packet-info destination and
/// the hop limit, so every answer reaches the decoder as an IP packet.
///
/// (A packet socket would see every family at once, but closing one waits for an RCU grace
/// period, several milliseconds: longer than a whole trace of a short path.)
pub struct RawNetwork {
    sender: L3Sender,
    rx: Vec<(Socket, u8)>,
    v6: bool,
    buf: Vec<u8>,
}

impl std::fmt::Debug for RawNetwork {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawNetwork")
            .field("sender", &self.sender)
            .field("v6", &self.v6)
            .finish_non_exhaustive()
    }
}

impl RawNetwork {
    /// Opens the sockets for probes of IPv6 (`v6`) or IPv4, receiving TCP too when `tcp`.
    /// `device` binds the sending socket to one interface. Needs CAP_NET_RAW.
    pub fn open(device: Option<&str>, v6: bool, tcp: bool) -> Result<Self, NetError> {
        require_cap_net_raw("sending probes")?;
        let (domain, icmp) =
            if v6 { (Domain::IPV6, ip_proto::ICMPV6) } else { (Domain::IPV4, ip_proto::ICMP) };
        let mut protos = vec![icmp];
        if tcp {
            protos.push(ip_proto::TCP);
        }
        let mut rx = Vec::new();
        for proto in protos {
            // Non-blocking from the start (SOCK_NONBLOCK): no fcntl calls after.
            let sock = Socket::new(domain, Type::RAW.nonblocking(), Some(Protocol::from(i32::from(proto))))
                .map_err(|e| NetError::io("opening a raw socket for answers", e))?;
            use nix::sys::socket::{setsockopt, sockopt};
            let what = |e: nix::errno::Errno| NetError::io("raw socket options", std::io::Error::from(e));
            // The kernel's arrival time: round trips do not include our own scheduling delay.
            setsockopt(&sock, sockopt::ReceiveTimestampns, &true).map_err(what)?;
            if v6 {
                setsockopt(&sock, sockopt::Ipv6RecvPacketInfo, &true).map_err(what)?;
                setsockopt(&sock, sockopt::Ipv6RecvHopLimit, &true).map_err(what)?;
            }
            rx.push((sock, proto));
        }
        let sender = L3Sender::open(device)?;
        Ok(RawNetwork { sender, rx, v6, buf: vec![0u8; RECV_BUF] })
    }

    /// Reads one waiting packet from socket `i` into the buffer (IPv6: after a rebuilt
    /// header); its length and arrival time, or `None` when nothing is waiting.
    fn read(&mut self, i: usize) -> Result<Option<(usize, Instant)>, NetError> {
        use nix::sys::socket::{ControlMessageOwned, MsgFlags, SockaddrIn6, recvmsg};
        use std::os::fd::AsRawFd;
        let (sock, proto) = &self.rx[i];
        let (fd, proto, v6) = (sock.as_raw_fd(), *proto, self.v6);
        // IPv4 packets come whole; IPv6 payloads go after room for the rebuilt header.
        let (head, body) = self.buf.split_at_mut(if v6 { IPV6_HEADER_LEN } else { 0 });
        let mut iov = [std::io::IoSliceMut::new(body)];
        let mut cmsg = nix::cmsg_space!(libc::in6_pktinfo, libc::c_int, nix::sys::time::TimeSpec);
        let msg = match recvmsg::<SockaddrIn6>(fd, &mut iov, Some(&mut cmsg), MsgFlags::MSG_DONTWAIT) {
            Ok(m) => m,
            Err(nix::errno::Errno::EAGAIN | nix::errno::Errno::EINTR) => return Ok(None),
            Err(e) => return Err(NetError::io("receiving answers", std::io::Error::from(e))),
        };
        let n = msg.bytes;
        let (mut dst, mut hops, mut arrived) = ([0u8; 16], 0u8, None);
        if let Ok(cmsgs) = msg.cmsgs() {
            for c in cmsgs {
                match c {
                    ControlMessageOwned::Ipv6PacketInfo(info) => dst = info.ipi6_addr.s6_addr,
                    ControlMessageOwned::Ipv6HopLimit(h) => hops = u8::try_from(h).unwrap_or(0),
                    ControlMessageOwned::ScmTimestampns(ts) => arrived = Some(ts),
                    _ => {}
                }
            }
        }
        let at = arrival(arrived);
        if !v6 {
            return Ok(Some((n, at)));
        }
        let src = msg.address.map(|a| a.ip().octets()).unwrap_or([0; 16]);
        head[0] = 0x60;
        head[1..4].fill(0);
        head[4..6].copy_from_slice(&u16::try_from(n).unwrap_or(u16::MAX).to_be_bytes());
        head[6] = proto;
        head[7] = hops;
        head[8..24].copy_from_slice(&src);
        head[24..40].copy_from_slice(&dst);
        Ok(Some((IPV6_HEADER_LEN + n, at)))
    }
}

/// The monotonic time of a kernel arrival timestamp (wall clock), or now without one.
pub(crate) fn arrival(kernel: Option<TimeSpec>) -> Instant {
    let now = Instant::now();
    let Some(ts) = kernel else { return now };
    let wall = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let stamp =
        std::time::Duration::new(ts.tv_sec().max(0) as u64, ts.tv_nsec().clamp(0, 999_999_999) as u32);
    // Never in the future, and never more than a second back (a clock step in between).
    now.checked_sub(wall.saturating_sub(stamp).min(std::time::Duration::from_secs(1))).unwrap_or(now)
}

/// Waits until one of `fds` is readable or `deadline` passes (nanosecond precision); true
/// when one is readable.
pub(crate) fn wait_readable(
    fds: &[std::os::fd::BorrowedFd<'_>],
    deadline: Instant,
) -> Result<bool, NetError> {
    let left = deadline.saturating_duration_since(Instant::now());
    let mut polls: Vec<PollFd<'_>> = fds.iter().map(|fd| PollFd::new(*fd, PollFlags::POLLIN)).collect();
    match ppoll(&mut polls, Some(TimeSpec::from_duration(left)), None) {
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
        loop {
            for i in 0..self.rx.len() {
                if let Some((n, at)) = self.read(i)? {
                    return Ok(Some((at, &self.buf[..n])));
                }
            }
            let fds: Vec<_> = self.rx.iter().map(|(s, _)| s.as_fd()).collect();
            if Instant::now() >= deadline || !wait_readable(&fds, deadline)? {
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
