//! Raw sending: IP packets through the kernel's routing (layer 3), whole frames on one
//! interface (layer 2).

use std::io::IoSlice;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddrV4, SocketAddrV6};

use pcap::{Active, Capture};
use socket2::{Domain, Protocol, SockAddr, SockFilter, SockRef, Socket, Type};

use super::{NetError, require_cap_net_raw};

/// The index of network interface `name` (from /sys/class/net), for IPv6 scope ids.
pub fn interface_index(name: &str) -> Option<u32> {
    if name.is_empty() || name.contains('/') || name.starts_with('.') {
        return None;
    }
    std::fs::read_to_string(format!("/sys/class/net/{name}/ifindex")).ok()?.trim().parse().ok()
}

/// Sends IPv4 and IPv6 packets whose bytes include the IP header, on raw sockets
/// (`IPPROTO_RAW`): the kernel routes them and fills only what it must (an IPv4 header
/// checksum, and a zero IPv4 id or source).
pub struct L3Sender {
    pub(super) v4: Socket,
    pub(super) v6: Option<Socket>,
    pub(super) device: Option<String>,
}

impl std::fmt::Debug for L3Sender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("L3Sender").field("device", &self.device).finish_non_exhaustive()
    }
}

pub(super) fn raw_socket(domain: Domain, device: Option<&str>) -> Result<Socket, NetError> {
    let what = if domain == Domain::IPV6 { "raw IPv6 socket" } else { "raw IPv4 socket" };
    let s = Socket::new(domain, Type::RAW, Some(Protocol::from(libc::IPPROTO_RAW)))
        .map_err(|e| NetError::io(format!("opening a {what}"), e))?;
    if let Some(dev) = device {
        s.bind_device(Some(dev.as_bytes()))
            .map_err(|e| NetError::io(format!("binding to interface {dev}"), e))?;
    }
    Ok(s)
}

impl L3Sender {
    /// Opens the sockets; with `device`, packets leave through that interface only
    /// (`SO_BINDTODEVICE`). Needs CAP_NET_RAW.
    pub fn open(device: Option<&str>) -> Result<Self, NetError> {
        require_cap_net_raw("sending raw IP packets")?;
        let v4 = raw_socket(Domain::IPV4, device)?;
        Ok(L3Sender { v4, v6: None, device: device.map(str::to_string) })
    }

    /// Sends one IPv4 or IPv6 packet (the version nibble decides) to its destination
    /// address. `scope` names the interface of a link-local IPv6 destination (the bound
    /// device when `None`).
    pub fn send(&mut self, packet: &[u8], scope: Option<&str>) -> Result<usize, NetError> {
        match packet.first().map(|b| b >> 4) {
            Some(4) if packet.len() >= 20 => {
                let dst = Ipv4Addr::new(packet[16], packet[17], packet[18], packet[19]);
                let addr = SockAddr::from(SocketAddrV4::new(dst, 0));
                self.v4.send_to(packet, &addr).map_err(|e| NetError::io(format!("sending to {dst}"), e))
            }
            Some(6) if packet.len() >= 40 => {
                let mut a = [0u8; 16];
                a.copy_from_slice(&packet[24..40]);
                let dst = Ipv6Addr::from(a);
                let scope_id = if dst.is_unicast_link_local() || dst.is_multicast() {
                    scope.or(self.device.as_deref()).and_then(interface_index).unwrap_or(0)
                } else {
                    0
                };
                if self.v6.is_none() {
                    self.v6 = Some(raw_socket(Domain::IPV6, self.device.as_deref())?);
                }
                let sock = self.v6.as_ref().ok_or_else(|| NetError::Unsupported("no IPv6 socket".into()))?;
                let addr = SockAddr::from(SocketAddrV6::new(dst, 0, 0, scope_id));
                sock.send_to(packet, &addr).map_err(|e| NetError::io(format!("sending to {dst}"), e))
            }
            _ => Err(NetError::Unsupported(format!(
                "a {}-byte packet that is not IPv4 or IPv6 cannot go on a raw IP socket",
                packet.len()
            ))),
        }
    }
}

/// Sends whole link-layer frames on one interface, through a libpcap handle (a packet
/// socket bound to the interface). Frames are sent as they are: nothing is filled in.
pub struct L2Sender {
    cap: Capture<Active>,
    iface: String,
}

impl std::fmt::Debug for L2Sender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("L2Sender").field("iface", &self.iface).finish_non_exhaustive()
    }
}

impl L2Sender {
    /// Opens interface `iface` for sending. Needs CAP_NET_RAW.
    pub fn open(iface: &str) -> Result<Self, NetError> {
        require_cap_net_raw("sending raw frames")?;
        let what = format!("opening interface {iface}");
        let cap = Capture::from_device(iface)
            .map_err(|e| NetError::pcap(&what, e))?
            .snaplen(64)
            .buffer_size(1 << 16)
            .immediate_mode(true)
            .open()
            .map_err(|e| NetError::pcap(&what, e))?;
        // The handle is only for sending: a kernel filter that accepts nothing keeps received
        // traffic from being copied into its buffer.
        SockRef::from(&cap)
            .attach_filter(&[SockFilter::new(0x06, 0, 0, 0)])
            .map_err(|e| NetError::io(format!("filtering {iface}"), e))?;
        Ok(L2Sender { cap, iface: iface.to_string() })
    }

    /// The interface name.
    pub fn interface(&self) -> &str {
        &self.iface
    }

    /// The interface's link type, as libpcap reports it.
    pub fn linktype(&self) -> crate::capture::LinkType {
        crate::capture::LinkType(self.cap.get_datalink().0 as u16)
    }

    /// Sends one frame.
    pub fn send(&mut self, frame: &[u8]) -> Result<(), NetError> {
        self.cap.sendpacket(frame).map_err(|e| NetError::pcap(format!("sending on {}", self.iface), e))
    }

    /// Sends several frames with one system call (`sendmmsg`); returns how many were sent
    /// (the first `n`; the frame after them failed when `n < frames.len()`).
    pub fn send_batch(&mut self, frames: &[&[u8]]) -> Result<usize, NetError> {
        use nix::sys::socket::{MsgFlags, MultiHeaders, SockaddrStorage, sendmmsg};
        use std::os::fd::AsRawFd;
        if frames.is_empty() {
            return Ok(0);
        }
        let iovs: Vec<[IoSlice<'_>; 1]> = frames.iter().map(|f| [IoSlice::new(f)]).collect();
        let addrs: Vec<Option<SockaddrStorage>> = vec![None; frames.len()];
        let mut headers = MultiHeaders::<SockaddrStorage>::preallocate(frames.len(), None);
        match sendmmsg(self.cap.as_raw_fd(), &mut headers, &iovs, &addrs, [], MsgFlags::empty()) {
            Ok(results) => Ok(results.count()),
            Err(errno) => {
                Err(NetError::io(format!("sending on {}", self.iface), std::io::Error::from(errno)))
            }
        }
    }

    /// Sends one frame given in pieces (gathered by the kernel, no copy).
    pub fn send_vectored(&mut self, parts: &[IoSlice<'_>]) -> Result<usize, NetError> {
        SockRef::from(&self.cap)
            .send_vectored(parts)
            .map_err(|e| NetError::io(format!("sending on {}", self.iface), e))
    }
}
