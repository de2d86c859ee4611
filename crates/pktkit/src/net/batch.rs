//! Many IP packets per system call: [`L3Sender::send_batch`] hands a batch to the kernel with
//! one `sendmmsg(2)` per address family, each packet to the destination in its own header.

use std::io::IoSlice;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddrV4, SocketAddrV6};

use nix::sys::socket::{MsgFlags, MultiHeaders, SockaddrStorage, sendmmsg};
use socket2::Domain;

use super::send::{L3Sender, raw_socket};
use super::{NetError, interface_index};

/// The destination of an IP packet, as a socket address for a raw socket.
fn destination(packet: &[u8], device: Option<&str>) -> Option<SockaddrStorage> {
    match packet.first().map(|b| b >> 4) {
        Some(4) if packet.len() >= 20 => {
            let dst = Ipv4Addr::new(packet[16], packet[17], packet[18], packet[19]);
            Some(SockaddrStorage::from(SocketAddrV4::new(dst, 0)))
        }
        Some(6) if packet.len() >= 40 => {
            let mut a = [0u8; 16];
            a.copy_from_slice(&packet[24..40]);
            let dst = Ipv6Addr::from(a);
            let scope = if dst.is_unicast_link_local() || dst.is_multicast() {
                device.and_then(interface_index).unwrap_or(0)
            } else {
                0
            };
            Some(SockaddrStorage::from(SocketAddrV6::new(dst, 0, 0, scope)))
        }
        _ => None,
    }
}

impl L3Sender {
    /// Sends `packets` (IPv4 or IPv6, header included), in order, with one `sendmmsg` per run
    /// of packets of one IP version; returns how many the kernel took (the first `n`). A
    /// packet that is neither IPv4 nor IPv6 stops the batch with an error.
    pub fn send_batch(&mut self, packets: &[&[u8]]) -> Result<usize, NetError> {
        let mut sent = 0;
        while sent < packets.len() {
            let version = packets[sent].first().map(|b| b >> 4);
            let run = packets[sent..].iter().take_while(|p| p.first().map(|b| b >> 4) == version).count();
            let part = &packets[sent..sent + run];
            let addrs: Vec<Option<SockaddrStorage>> =
                part.iter().map(|p| destination(p, self.device.as_deref())).collect();
            if addrs.iter().any(Option::is_none) {
                return Err(NetError::Unsupported(
                    "a packet that is not IPv4 or IPv6 cannot go on a raw IP socket".into(),
                ));
            }
            let sock = if version == Some(6) {
                if self.v6.is_none() {
                    self.v6 = Some(raw_socket(Domain::IPV6, self.device.as_deref())?);
                }
                self.v6.as_ref().ok_or_else(|| NetError::Unsupported("no IPv6 socket".into()))?
            } else {
                &self.v4
            };
            let iovs: Vec<[IoSlice<'_>; 1]> = part.iter().map(|p| [IoSlice::new(p)]).collect();
            let mut headers = MultiHeaders::<SockaddrStorage>::preallocate(part.len(), None);
            use std::os::fd::AsRawFd;
            let n = match sendmmsg(sock.as_raw_fd(), &mut headers, &iovs, &addrs, [], MsgFlags::empty()) {
                Ok(results) => results.count(),
                // A full socket buffer: the caller retries what was not taken.
                Err(nix::errno::Errno::EAGAIN | nix::errno::Errno::ENOBUFS) => 0,
                Err(errno) => {
                    return Err(NetError::io(
                        "sending a batch of raw IP packets",
                        std::io::Error::from(errno),
                    ));
                }
            };
            sent += n;
            if n < run {
                break;
            }
        }
        Ok(sent)
    }
}
