//! The TCP or UDP segment of a plain Ethernet frame, found without the full decoder.
//!
//! [`segment`] reads only the headers on the way (Ethernet, VLAN tags, IPv4 or IPv6 without
//! extension headers, TCP or UDP) and gives what [`super::decode`] would: the ports and the
//! payload as etherparse's lax slicing bounds it. It answers only where the two certainly
//! agree, and `None` for everything else (another link type, ARP, ICMP, fragments, IP
//! options that etherparse reads differently, a tunnel port, a cut header, ...): a caller
//! then decodes in full. Display filters use it to turn down a frame whose payload cannot
//! carry the protocol they need before decoding it.

use super::{MAX_VLANS, app};
use crate::capture::LinkType;
use crate::proto::ethernet::{self, Ethernet, VlanTag, ether_type};
use crate::proto::ip_proto;
use crate::proto::tunnel::{GTPU_PORT, VXLAN_PORT};

/// Lengths of the fixed IPv4, IPv6 and UDP headers and the smallest TCP header.
const IPV4_MIN: usize = 20;
const IPV6_LEN: usize = 40;
const UDP_LEN: usize = 8;
const TCP_MIN: usize = 20;

/// A TCP or UDP segment's ports and payload (as captured, cut to the IP and UDP lengths).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment<'a> {
    /// TCP (else UDP).
    pub over_tcp: bool,
    pub sport: u16,
    pub dport: u16,
    pub payload: &'a [u8],
}

impl<'a> Segment<'a> {
    /// The application protocol [`app::classify`] names for the segment.
    pub fn app(&self) -> Option<(app::AppProto, &'a [u8])> {
        app::classify_payload(self.over_tcp, self.sport, self.dport, self.payload)
            .map(|(p, _)| (p, self.payload))
    }
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    b.get(at..at + 2).map(|s| u16::from_be_bytes([s[0], s[1]]))
}

/// The segment of an Ethernet frame that carries TCP or UDP directly over IP (no tunnel,
/// no fragment, no extension header), as [`super::decode`] finds it; `None` when the frame
/// is anything else or its headers are cut.
pub fn segment(linktype: LinkType, data: &[u8]) -> Option<Segment<'_>> {
    if linktype != LinkType::ETHERNET {
        return None;
    }
    let mut ety = Ethernet::parse(data)?.type_or_len();
    let mut offset = ethernet::HEADER_LEN;
    let mut tags = 0;
    while ethernet::is_vlan(ety) {
        if tags == MAX_VLANS {
            return None;
        }
        ety = VlanTag::parse(ety, data.get(offset..)?)?.next;
        offset += ethernet::VLAN_TAG_LEN;
        tags += 1;
    }
    let ip = data.get(offset..)?;
    let (proto, seg) = match ety {
        ether_type::IPV4 => {
            let head = ip.get(..IPV4_MIN)?;
            let ihl = usize::from(head[0] & 0x0f) * 4;
            let total = usize::from(u16::from_be_bytes([head[2], head[3]]));
            let frag = u16::from_be_bytes([head[6], head[7]]);
            // Version 4; a header that is all there; a total length that covers it (0, TCP
            // segmentation offload, and shorter ones are read from the slice by etherparse);
            // no fragment (more-fragments bit or an offset).
            if head[0] >> 4 != 4 || ihl < IPV4_MIN || ip.len() < ihl || total < ihl || frag & 0x3fff != 0 {
                return None;
            }
            (head[9], &ip[ihl..total.min(ip.len())])
        }
        ether_type::IPV6 => {
            let head = ip.get(..IPV6_LEN)?;
            let len = usize::from(u16::from_be_bytes([head[4], head[5]]));
            if head[0] >> 4 != 6 || len == 0 {
                return None;
            }
            (head[6], &ip[IPV6_LEN..(IPV6_LEN + len).min(ip.len())])
        }
        _ => return None,
    };
    let (sport, dport) = (be16(seg, 0)?, be16(seg, 2)?);
    match proto {
        ip_proto::TCP => {
            let hlen = usize::from(*seg.get(12)? >> 4) * 4;
            if hlen < TCP_MIN || seg.len() < hlen {
                return None;
            }
            Some(Segment { over_tcp: true, sport, dport, payload: &seg[hlen..] })
        }
        ip_proto::UDP => {
            if seg.len() < UDP_LEN || [sport, dport].iter().any(|p| *p == VXLAN_PORT || *p == GTPU_PORT) {
                return None;
            }
            // etherparse's lax UDP: the length field when it fits the slice, else the slice.
            let len = usize::from(be16(seg, 4)?);
            let end = if len < UDP_LEN || len > seg.len() { seg.len() } else { len };
            Some(Segment { over_tcp: false, sport, dport, payload: &seg[UDP_LEN..end] })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{DecodeOptions, decode};
    use etherparse::TransportSlice;

    /// What the full decoder finds: the segment, and whether it sees a tunnel or a quote.
    fn decoded(data: &[u8]) -> (Option<Segment<'_>>, bool) {
        let d = decode(LinkType::ETHERNET, data, data.len() as u32, &DecodeOptions::default());
        let seg = match &d.transport {
            Some(TransportSlice::Tcp(t)) => Some(Segment {
                over_tcp: true,
                sport: t.source_port(),
                dport: t.destination_port(),
                payload: t.payload(),
            }),
            Some(TransportSlice::Udp(u)) => Some(Segment {
                over_tcp: false,
                sport: u.source_port(),
                dport: u.destination_port(),
                payload: u.payload(),
            }),
            _ => None,
        };
        (seg, d.encapsulated().is_some() || d.icmp_quoted().is_some())
    }

    /// Every frame of the shared test frames, and each of them cut at every length and with
    /// single bytes changed: where `segment` answers, the full decoder agrees.
    #[test]
    fn agrees_with_the_decoder() {
        let specs = [
            "Ether()/IP(src=10.0.0.1,dst=10.0.0.2)/TCP(sport=1234,dport=80,flags=PA)/Raw(load='GET / HTTP/1.1')",
            "Ether()/Dot1Q(vlan=5)/IP(src=10.0.0.1,dst=10.0.0.2)/UDP(sport=1234,dport=53)/Raw(load=abcdefghijklmnop)",
            "Ether()/Dot1Q(vlan=5)/Dot1Q(vlan=6)/IP(src=10.0.0.1,dst=10.0.0.2)/TCP(sport=443,dport=5000)",
            "Ether()/IPv6(src=fe80::1,dst=fe80::2)/TCP(sport=8080,dport=5000)/Raw(load='HTTP/1.1 200 OK')",
            "Ether()/IPv6(src=fe80::1,dst=fe80::2)/UDP(sport=5353,dport=5353)/Raw(load=0123456789abcdef)",
            "Ether()/IP(src=10.0.0.1,dst=10.0.0.2)/UDP(sport=1234,dport=4789)/Raw(load=0123456789abcdef)",
            "Ether()/IP(src=10.0.0.1,dst=10.0.0.2,flags=MF)/TCP(sport=1234,dport=80,flags=S)",
            "Ether()/IP(src=10.0.0.1,dst=10.0.0.2)/ICMP(type=8,id=5,seq=7)",
        ];
        let mut checked = 0;
        for frame in specs.iter().map(|s| crate::test_frames::crafted(s)) {
            let mut variants = vec![frame.clone()];
            variants.extend((0..frame.len()).map(|n| frame[..n].to_vec()));
            for at in 0..frame.len().min(80) {
                for v in [0x00, 0x45, 0x60, 0x81, 0xff] {
                    let mut f = frame.clone();
                    f[at] = v;
                    variants.push(f);
                }
            }
            for f in &variants {
                if let Some(seg) = segment(LinkType::ETHERNET, f) {
                    let (full, tunnel) = decoded(f);
                    assert_eq!(Some(seg), full, "{f:02x?}");
                    assert!(!tunnel, "{f:02x?}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 100, "{checked}");
    }
}
