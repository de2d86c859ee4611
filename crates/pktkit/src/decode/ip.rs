//! The IP layer of a decoded frame (or of the packet an ICMP error quotes) as reply matching
//! and header editing need it: addresses, the protocol after the extension headers, and the
//! payload when this is the first fragment (whose payload starts with the transport header,
//! even when more fragments follow).

use std::net::IpAddr;

use etherparse::LaxNetSlice;

use crate::proto::{ip_proto, ipv6};

/// The IP layer of a packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpLayer<'a> {
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// The protocol of the payload (after IPv6 extension headers and the IPv4 AH).
    pub protocol: u8,
    /// The payload as captured (cut to the IP length); `None` for a fragment other than the
    /// first.
    pub payload: Option<&'a [u8]>,
}

/// The IP layer of `net`; `None` for ARP.
pub fn ip_layer<'a>(net: &LaxNetSlice<'a>) -> Option<IpLayer<'a>> {
    match net {
        LaxNetSlice::Ipv4(ip) => {
            let h = ip.header();
            let first = h.fragments_offset().value() == 0;
            Some(IpLayer {
                src: IpAddr::V4(h.source_addr()),
                dst: IpAddr::V4(h.destination_addr()),
                protocol: ip.payload().ip_number.0,
                payload: first.then_some(ip.payload().payload),
            })
        }
        LaxNetSlice::Ipv6(ip) => {
            let h = ip.header();
            let after_fixed = ip.extensions().slice();
            let first = ipv6::ext_headers(h.next_header().0, after_fixed)
                .find(|e| e.kind == ip_proto::FRAGMENT)
                .and_then(|e| e.fragment())
                .is_none_or(|(offset, _, _)| offset == 0);
            Some(IpLayer {
                src: IpAddr::V6(h.source_addr()),
                dst: IpAddr::V6(h.destination_addr()),
                protocol: ip.payload().ip_number.0,
                payload: first.then_some(ip.payload().payload),
            })
        }
        LaxNetSlice::Arp(_) => None,
    }
}
