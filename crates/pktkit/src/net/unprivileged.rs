//! Probing without privileges on Linux: UDP probes on ordinary datagram sockets and ICMP echo
//! on ping sockets (where `net.ipv4.ping_group_range` admits the caller's group), with the
//! TTL set per send and ICMP errors read from the socket's error queue (`IP_RECVERR`).
//!
//! [`DatagramNetwork`] takes the same IP packets as [`super::RawNetwork`] (it sends their
//! payload with their TTL and ports) and hands back IP packets rebuilt from what the kernel
//! reports, so the engine and the decoder work unchanged. What this mode cannot show: TCP
//! probes; the quoted packet as the router sent it (the kernel gives the original payload,
//! the router's address, type and code, so NAT rewrites stay invisible); ICMP extensions;
//! the IPv4 identification (no Dublin flows); ICMP Paris flows (the kernel fixes the echo
//! identifier to the socket's).

use std::collections::HashMap;
use std::io::IoSliceMut;
use std::net::{IpAddr, SocketAddr};
use std::os::fd::{AsFd, AsRawFd};
use std::time::Instant;

use nix::sys::socket::{ControlMessageOwned, MsgFlags, SockaddrStorage, recvmsg, setsockopt, sockopt};
use socket2::{Domain, Protocol, SockAddr, Socket, Type};

use super::network::wait_readable;
use super::probe::ip_proto;
use super::{NetError, Network};
use crate::capture::LinkType;
use crate::decode::{DecodeOptions, decode};

/// `SO_EE_ORIGIN_ICMP` and `SO_EE_ORIGIN_ICMP6`: the error came from an ICMP message.
const ORIGIN_ICMP: u8 = 2;
const ORIGIN_ICMP6: u8 = 3;

/// Largest answer kept.
const RECV_BUF: usize = 65_536;

/// Probes sent on datagram sockets, answers rebuilt from the error queue (module docs).
pub struct DatagramNetwork {
    src: IpAddr,
    icmp: bool,
    /// One socket per source port (UDP) or the ping socket, by port / identifier.
    sockets: HashMap<u16, Socket>,
    buf: Vec<u8>,
    out: Vec<u8>,
}

impl std::fmt::Debug for DatagramNetwork {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatagramNetwork")
            .field("src", &self.src)
            .field("icmp", &self.icmp)
            .finish_non_exhaustive()
    }
}

fn io(what: &str) -> impl Fn(std::io::Error) -> NetError + '_ {
    move |e| NetError::Io { what: what.to_string(), source: e }
}

fn errno(what: &str) -> impl Fn(nix::errno::Errno) -> NetError + '_ {
    move |e| NetError::Io { what: what.to_string(), source: std::io::Error::from(e) }
}

impl DatagramNetwork {
    /// A network for UDP probes (or, with `icmp`, echo requests on ping sockets) from `src`.
    /// Fails for ICMP when ping sockets are not allowed for this user.
    pub fn open(src: IpAddr, icmp: bool) -> Result<Self, NetError> {
        let mut net =
            DatagramNetwork { src, icmp, sockets: HashMap::new(), buf: vec![0; RECV_BUF], out: Vec::new() };
        if icmp {
            // Fail now, not at the first probe, when ping sockets are not allowed.
            net.socket(0)?;
            net.sockets.clear();
        }
        Ok(net)
    }

    fn socket(&mut self, port: u16) -> Result<&Socket, NetError> {
        if !self.sockets.contains_key(&port) {
            let v6 = self.src.is_ipv6();
            let domain = if v6 { Domain::IPV6 } else { Domain::IPV4 };
            let proto = match (self.icmp, v6) {
                (false, _) => Protocol::UDP,
                (true, false) => Protocol::ICMPV4,
                (true, true) => Protocol::ICMPV6,
            };
            let what = if self.icmp {
                "opening a ping socket (net.ipv4.ping_group_range must include your group)"
            } else {
                "opening a UDP socket"
            };
            let s = Socket::new(domain, Type::DGRAM, Some(proto)).map_err(io(what))?;
            // A ping socket's bound port is its echo identifier.
            s.bind(&SockAddr::from(SocketAddr::new(self.src, port)))
                .map_err(io("binding the probe socket"))?;
            s.set_nonblocking(true).map_err(io("probe socket"))?;
            if v6 {
                setsockopt(&s, sockopt::Ipv6RecvErr, &true).map_err(errno("IPV6_RECVERR"))?;
                setsockopt(&s, sockopt::Ipv6RecvHopLimit, &true).map_err(errno("IPV6_RECVHOPLIMIT"))?;
            } else {
                setsockopt(&s, sockopt::Ipv4RecvErr, &true).map_err(errno("IP_RECVERR"))?;
                setsockopt(&s, sockopt::Ipv4RecvTtl, &true).map_err(errno("IP_RECVTTL"))?;
            }
            setsockopt(&s, sockopt::ReceiveTimestampns, &true).map_err(errno("SO_TIMESTAMPNS"))?;
            self.sockets.insert(port, s);
        }
        Ok(&self.sockets[&port])
    }

    /// Reads one message (the error queue first) from the socket of `port`, rebuilt as an IP
    /// packet into `out`; its arrival time.
    fn read(&mut self, port: u16) -> Result<Option<Instant>, NetError> {
        let v6 = self.src.is_ipv6();
        let fd = self.sockets[&port].as_raw_fd();
        for flags in [MsgFlags::MSG_ERRQUEUE, MsgFlags::empty()] {
            let mut iov = [IoSliceMut::new(&mut self.buf)];
            let mut cmsg = nix::cmsg_space!(
                libc::sock_extended_err,
                libc::sockaddr_in6,
                libc::c_int,
                nix::sys::time::TimeSpec
            );
            let msg = match recvmsg::<SockaddrStorage>(
                fd,
                &mut iov,
                Some(&mut cmsg),
                flags | MsgFlags::MSG_DONTWAIT,
            ) {
                Ok(m) => m,
                Err(nix::errno::Errno::EAGAIN | nix::errno::Errno::EINTR) => continue,
                Err(e) => return Err(errno("receiving answers")(e)),
            };
            let n = msg.bytes;
            let peer = msg.address.and_then(|a| storage_addr(&a));
            let (mut err, mut ttl, mut stamp) = (None, 64u8, None);
            if let Ok(cmsgs) = msg.cmsgs() {
                for c in cmsgs {
                    match c {
                        ControlMessageOwned::Ipv4RecvErr(e, from) => {
                            err = Some((
                                e,
                                from.map(|a| IpAddr::from(u32::from_be(a.sin_addr.s_addr).to_be_bytes())),
                            ))
                        }
                        ControlMessageOwned::Ipv6RecvErr(e, from) => {
                            err = Some((e, from.map(|a| IpAddr::from(a.sin6_addr.s6_addr))))
                        }
                        ControlMessageOwned::Ipv4Ttl(t) => ttl = u8::try_from(t).unwrap_or(64),
                        ControlMessageOwned::Ipv6HopLimit(t) => ttl = u8::try_from(t).unwrap_or(64),
                        ControlMessageOwned::ScmTimestampns(ts) => stamp = Some(ts),
                        _ => {}
                    }
                }
            }
            let at = super::network::arrival(stamp);
            let body = &self.buf[..n];
            let Some(peer) = peer else { continue };
            self.out.clear();
            match err {
                Some((e, Some(router))) if e.ee_origin == ORIGIN_ICMP || e.ee_origin == ORIGIN_ICMP6 => {
                    // An ICMP error about our datagram to `peer`: rebuild it quoting the probe.
                    let mut quoted = Vec::with_capacity(48 + n);
                    let (proto, l4) = if self.icmp {
                        (if v6 { ip_proto::ICMPV6 } else { ip_proto::ICMP }, body.to_vec())
                    } else {
                        let mut udp = Vec::with_capacity(8 + n);
                        udp.extend_from_slice(&port.to_be_bytes());
                        udp.extend_from_slice(&peer.port().to_be_bytes());
                        udp.extend_from_slice(&((8 + n) as u16).to_be_bytes());
                        udp.extend_from_slice(&[0, 0]);
                        udp.extend_from_slice(body);
                        let ck = udp_checksum(self.src, peer.ip(), &udp);
                        udp[6..8].copy_from_slice(&ck.to_be_bytes());
                        (ip_proto::UDP, udp)
                    };
                    ip_header(&mut quoted, self.src, peer.ip(), proto, 1, l4.len());
                    quoted.extend_from_slice(&l4);
                    let mut icmp = vec![e.ee_type, e.ee_code, 0, 0];
                    let info = e.ee_info;
                    if v6 || e.ee_code == super::reply::FRAG_NEEDED {
                        icmp.extend_from_slice(&if v6 {
                            info.to_be_bytes()
                        } else {
                            [0, 0, (info >> 8) as u8, info as u8]
                        });
                    } else {
                        icmp.extend_from_slice(&[0; 4]);
                    }
                    icmp.extend_from_slice(&quoted);
                    let ip_p = if v6 { ip_proto::ICMPV6 } else { ip_proto::ICMP };
                    ip_header(&mut self.out, router, self.src, ip_p, ttl, icmp.len());
                    self.out.extend_from_slice(&icmp);
                }
                Some(_) => continue,
                None if self.icmp => {
                    // An echo reply (the ping socket keeps only those).
                    let ip_p = if v6 { ip_proto::ICMPV6 } else { ip_proto::ICMP };
                    ip_header(&mut self.out, peer.ip(), self.src, ip_p, ttl, n);
                    self.out.extend_from_slice(body);
                }
                None => continue,
            }
            return Ok(Some(at));
        }
        Ok(None)
    }
}

fn storage_addr(a: &SockaddrStorage) -> Option<SocketAddr> {
    if let Some(v4) = a.as_sockaddr_in() {
        return Some(SocketAddr::new(IpAddr::from(v4.ip()), v4.port()));
    }
    a.as_sockaddr_in6().map(|v6| SocketAddr::new(IpAddr::from(v6.ip()), v6.port()))
}

/// Appends an IPv4 or IPv6 header for a payload of `len` bytes.
fn ip_header(out: &mut Vec<u8>, src: IpAddr, dst: IpAddr, proto: u8, ttl: u8, len: usize) {
    match (src, dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            let total = u16::try_from(20 + len).unwrap_or(u16::MAX);
            let at = out.len();
            out.extend_from_slice(&[0x45, 0]);
            out.extend_from_slice(&total.to_be_bytes());
            out.extend_from_slice(&[0, 0, 0, 0, ttl, proto, 0, 0]);
            out.extend_from_slice(&s.octets());
            out.extend_from_slice(&d.octets());
            let ck = crate::checksum::checksum(&[&out[at..at + 20]]);
            out[at + 10..at + 12].copy_from_slice(&ck.to_be_bytes());
        }
        (s, d) => {
            let v6 = |a: IpAddr| match a {
                IpAddr::V6(x) => x.octets(),
                IpAddr::V4(x) => x.to_ipv6_mapped().octets(),
            };
            out.extend_from_slice(&[0x60, 0, 0, 0]);
            out.extend_from_slice(&u16::try_from(len).unwrap_or(u16::MAX).to_be_bytes());
            out.extend_from_slice(&[proto, ttl]);
            out.extend_from_slice(&v6(s));
            out.extend_from_slice(&v6(d));
        }
    }
}

/// The UDP checksum the datagram carried (the kernel computes it over the same bytes).
fn udp_checksum(src: IpAddr, dst: IpAddr, udp: &[u8]) -> u16 {
    use crate::checksum::{fold, pseudo_header_sum, sum_words};
    let len = udp.len() as u32;
    let pseudo = match (src, dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => pseudo_header_sum(&s.octets(), &d.octets(), ip_proto::UDP, len),
        (IpAddr::V6(s), IpAddr::V6(d)) => pseudo_header_sum(&s.octets(), &d.octets(), ip_proto::UDP, len),
        _ => 0,
    };
    // UDP sends a computed 0 as all ones (RFC 768).
    match !fold(pseudo + sum_words(udp)) {
        0 => 0xffff,
        c => c,
    }
}

impl Network for DatagramNetwork {
    fn send(&mut self, packet: &[u8]) -> Result<Instant, NetError> {
        let d = decode(LinkType::RAW, packet, packet.len() as u32, &DecodeOptions { app: false });
        let (dst, ttl) = match &d.net {
            Some(etherparse::LaxNetSlice::Ipv4(ip)) => {
                (IpAddr::from(ip.header().destination_addr()), ip.header().ttl())
            }
            Some(etherparse::LaxNetSlice::Ipv6(ip)) => {
                (IpAddr::from(ip.header().destination_addr()), ip.header().hop_limit())
            }
            _ => return Err(NetError::Unsupported("not an IP packet".into())),
        };
        let (port, dport, payload) = match &d.transport {
            Some(etherparse::TransportSlice::Udp(u)) if !self.icmp => {
                (u.source_port(), u.destination_port(), u.payload())
            }
            Some(etherparse::TransportSlice::Icmpv4(i)) if self.icmp => {
                let [a, b, ..] = i.bytes5to8();
                (u16::from_be_bytes([a, b]), 0, i.slice())
            }
            Some(etherparse::TransportSlice::Icmpv6(i)) if self.icmp => {
                let [a, b, ..] = i.bytes5to8();
                (u16::from_be_bytes([a, b]), 0, i.slice())
            }
            _ => {
                return Err(NetError::Unsupported(
                    "without CAP_NET_RAW only UDP and ICMP echo probes can be sent".into(),
                ));
            }
        };
        let sock = self.socket(port)?;
        if dst.is_ipv6() {
            sock.set_unicast_hops_v6(u32::from(ttl)).map_err(io("setting the hop limit"))?;
        } else {
            sock.set_ttl_v4(u32::from(ttl)).map_err(io("setting the TTL"))?;
        }
        // An ICMP error also sets the socket's pending error, which would fail (and drop) the
        // next send; the error queue keeps the message itself, so clear it.
        let _ = sock.take_error();
        let at = Instant::now();
        sock.send_to(payload, &SockAddr::from(SocketAddr::new(dst, dport)))
            .map_err(|e| NetError::io(format!("sending to {dst}"), e))?;
        Ok(at)
    }

    fn recv(&mut self, deadline: Instant) -> Result<Option<(Instant, &[u8])>, NetError> {
        loop {
            let ports: Vec<u16> = self.sockets.keys().copied().collect();
            for port in ports {
                if let Some(at) = self.read(port)? {
                    return Ok(Some((at, &self.out)));
                }
            }
            let fds: Vec<_> = self.sockets.values().map(|s| s.as_fd()).collect();
            if Instant::now() >= deadline || fds.is_empty() || !wait_readable(&fds, deadline)? {
                if fds.is_empty() {
                    super::pace::wait_until(deadline);
                }
                return Ok(None);
            }
        }
    }
}
