//! tshark's protocol path of a frame (`frame.protocols`, the rows of `tshark -z io,phs`): the
//! protocol names, outermost first, that tshark gives each layer of a decoded frame.
//!
//! Names are tshark's (`eth`, `vlan`, `ip`, `ipv6`, `tcp`, `udp`, `icmp`, `dns`, ...). Like
//! tshark, the packet an ICMP error quotes is not part of the path; an application protocol
//! pktkit does not recognise, and an IP fragment that is not (yet) reassembled, is `data`.
//! A tunnel's inner packet continues the path: [`Path::extend`] it with each packet of
//! [`Decoded::decode_encapsulated`].

use etherparse::{LaxNetSlice, TransportSlice};

use super::{AppProto, Decoded, Link, Payload};
use crate::capture::LinkType;
use crate::proto::ethernet::ether_type;
use crate::proto::ip_proto;
use crate::proto::llc::{self, Llc, Snap};
use crate::proto::tunnel::Encap;

macro_rules! protos {
    ($($v:ident => $n:literal,)*) => {
        /// A protocol of the hierarchy.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Proto { $($v,)* }

        impl Proto {
            /// Every protocol.
            pub const ALL: &[Proto] = &[$(Proto::$v,)*];

            /// tshark's name.
            pub fn name(self) -> &'static str {
                match self { $(Proto::$v => $n,)* }
            }

            /// The protocol named `name`.
            pub fn from_name(name: &str) -> Option<Proto> {
                match name { $($n => Some(Proto::$v),)* _ => None }
            }
        }
    };
}

impl Proto {
    /// The protocol an IP packet with protocol (IPv6 next header) `number` carries, for the
    /// protocols that sit where TCP and UDP do: the one table of IP protocol names. IP in IP
    /// and "no next header" are not among them.
    pub fn transport(number: u8) -> Option<Proto> {
        Some(match number {
            ip_proto::TCP => Proto::Tcp,
            ip_proto::UDP => Proto::Udp,
            ip_proto::ICMP => Proto::Icmp,
            ip_proto::ICMPV6 => Proto::Icmpv6,
            ip_proto::IGMP => Proto::Igmp,
            ip_proto::GRE => Proto::Gre,
            ip_proto::ESP => Proto::Esp,
            ip_proto::AH => Proto::Ah,
            ip_proto::SCTP => Proto::Sctp,
            ip_proto::VRRP => Proto::Vrrp,
            ip_proto::OSPF => Proto::Ospf,
            ip_proto::PIM => Proto::Pim,
            _ => return None,
        })
    }
}

protos! {
    Eth => "eth",
    Sll => "sll",
    Null => "null",
    Raw => "raw",
    Ipnet => "ipnet",
    Ipoib => "ipoib",
    Chdlc => "chdlc",
    Llc => "llc",
    Stp => "stp",
    Cdp => "cdp",
    Vlan => "vlan",
    Ieee8021ad => "ieee8021ad",
    Ip => "ip",
    Ipv6 => "ipv6",
    Arp => "arp",
    Rarp => "rarp",
    Mpls => "mpls",
    Pppoed => "pppoed",
    Pppoes => "pppoes",
    Ppp => "ppp",
    PwethCw => "pweth.cw",
    Pwethcw => "pwethcw",
    Lldp => "lldp",
    Eapol => "eapol",
    Tcp => "tcp",
    Udp => "udp",
    Icmp => "icmp",
    Icmpv6 => "icmpv6",
    Igmp => "igmp",
    Gre => "gre",
    Esp => "esp",
    Ah => "ah",
    Sctp => "sctp",
    Vrrp => "vrrp",
    Ospf => "ospf",
    Pim => "pim",
    Dns => "dns",
    Mdns => "mdns",
    Llmnr => "llmnr",
    Http => "http",
    Tls => "tls",
    Dhcp => "dhcp",
    Vxlan => "vxlan",
    Gtp => "gtp",
    Data => "data",
}

/// Longest path kept; deeper nesting is cut (it cannot come from the decoder today).
pub const MAX_DEPTH: usize = 16;

/// One frame's protocol path.
#[derive(Clone, Copy, Debug)]
pub struct Path {
    items: [Proto; MAX_DEPTH],
    len: usize,
}

impl Default for Path {
    fn default() -> Self {
        Path { items: [Proto::Data; MAX_DEPTH], len: 0 }
    }
}

impl Path {
    /// The protocols, outermost first.
    pub fn as_slice(&self) -> &[Proto] {
        &self.items[..self.len]
    }

    #[inline]
    fn push(&mut self, p: Proto) {
        if self.len < MAX_DEPTH {
            self.items[self.len] = p;
            self.len += 1;
        }
    }

    /// Appends the path of the decoded frame `d`; `inner` for a packet found inside a tunnel
    /// (an IP packet there has no link header of its own).
    pub fn extend(&mut self, d: &Decoded<'_>, inner: bool) {
        if !(inner && d.linktype == LinkType::RAW) {
            link(self, d);
        }
        if let Some(t) = d.ether_type {
            network(self, d, t);
        }
    }
}

fn link(p: &mut Path, d: &Decoded<'_>) {
    let lt = d.linktype;
    match d.link {
        Link::Ethernet(eth) => {
            p.push(Proto::Eth);
            if eth.is_8023() {
                p.push(Proto::Llc);
                llc_payload(p, d.data.get(d.net_offset..).unwrap_or(&[]));
            }
        }
        Link::Sll(sll) => {
            p.push(Proto::Sll);
            if sll.protocol == 0x0004 {
                p.push(Proto::Llc);
                llc_payload(p, d.data.get(d.net_offset..).unwrap_or(&[]));
            } else if sll.protocol < 0x0600 {
                p.push(Proto::Data);
            }
        }
        Link::Null { .. } => p.push(Proto::Null),
        Link::Ipnet => p.push(Proto::Ipnet),
        Link::Ipoib => p.push(Proto::Ipoib),
        Link::Chdlc { .. } => p.push(Proto::Chdlc),
        Link::Ppp { .. } => p.push(Proto::Ppp),
        // Link types 228 and 229, and Linux NFLOG, carry IP with no header tshark names:
        // its path starts at `ip` / `ipv6`.
        Link::Nflog { .. } => {}
        Link::Raw if lt == LinkType::IPV4 || lt == LinkType::IPV6 => {}
        Link::Raw => p.push(Proto::Raw),
        Link::None => p.push(match lt {
            LinkType::ETHERNET => Proto::Eth,
            LinkType::LINUX_SLL | LinkType::LINUX_SLL2 => Proto::Sll,
            LinkType::NULL | LinkType::LOOP => Proto::Null,
            LinkType::DLT_RAW_12 | LinkType::DLT_RAW_14 | LinkType::RAW => Proto::Raw,
            LinkType::C_HDLC => Proto::Chdlc,
            LinkType::IPV4 => Proto::Ip,
            LinkType::IPV6 => Proto::Ipv6,
            _ => Proto::Data,
        }),
    }
    for tag in d.vlans() {
        p.push(if tag.tpid == ether_type::QINQ { Proto::Ieee8021ad } else { Proto::Vlan });
    }
}

/// What tshark names after an LLC header: STP after the STP SAP, CDP after Cisco's SNAP.
fn llc_payload(p: &mut Path, bytes: &[u8]) {
    let Some(h) = Llc::parse(bytes) else { return };
    if h.is_ui_for(llc::sap::STP) {
        p.push(Proto::Stp);
    } else if h.is_ui_for(llc::sap::SNAP)
        && Snap::parse(&bytes[h.header_len()..])
            .is_some_and(|s| (s.oui, s.pid) == (llc::OUI_CISCO, llc::PID_CDP))
    {
        p.push(Proto::Cdp);
    }
}

fn network(p: &mut Path, d: &Decoded<'_>, ethertype: u16) {
    // A length, not a type, after VLAN tags: an LLC frame.
    if ethertype <= crate::proto::ethernet::MAX_8023_LENGTH && d.vlan_count > 0 {
        p.push(Proto::Llc);
        return llc_payload(p, d.data.get(d.net_offset..).unwrap_or(&[]));
    }
    let proto = match ethertype {
        ether_type::IPV4 => Proto::Ip,
        ether_type::IPV6 => Proto::Ipv6,
        ether_type::ARP => Proto::Arp,
        ether_type::RARP => Proto::Rarp,
        ether_type::MPLS | ether_type::MPLS_MULTICAST => Proto::Mpls,
        ether_type::PPPOE_DISCOVERY => Proto::Pppoed,
        ether_type::PPPOE_SESSION => Proto::Pppoes,
        ether_type::LLDP => Proto::Lldp,
        ether_type::EAPOL => Proto::Eapol,
        _ => Proto::Data,
    };
    p.push(proto);
    if d.net.is_none() {
        // MPLS and PPPoE sessions: name what lies between the header and the inner packet.
        if let Some((_, kind, inner)) = d.encapsulated() {
            let start = d.net_offset;
            let end = d.offset_of(inner);
            match proto {
                Proto::Mpls => {
                    let cw = if kind == Payload::Ethernet { 4 } else { 0 };
                    let labels = end.saturating_sub(start + cw) / 4;
                    for _ in 1..labels {
                        p.push(Proto::Mpls);
                    }
                    if kind == Payload::Ethernet {
                        p.push(Proto::PwethCw);
                        p.push(Proto::Pwethcw);
                    }
                }
                Proto::Pppoes => p.push(Proto::Ppp),
                _ => {}
            }
        }
        return;
    }
    if bad_ipv4_length(d) {
        return;
    }
    let ip = match &d.net {
        Some(LaxNetSlice::Ipv4(ip)) => {
            if ip.header().protocol().0 == ip_proto::AH {
                p.push(Proto::Ah);
            }
            ip.payload()
        }
        Some(LaxNetSlice::Ipv6(ip)) => ip.payload(),
        _ => return,
    };
    // A fragment not reassembled is `data`, also the first one, whose transport header the
    // decoder reads (tshark's hierarchy counts reassembled datagrams).
    if ip.fragmented {
        p.push(Proto::Data);
        return;
    }
    let next = match &d.transport {
        Some(TransportSlice::Tcp(_)) => Proto::Tcp,
        Some(TransportSlice::Udp(_)) => Proto::Udp,
        Some(TransportSlice::Icmpv4(_)) => Proto::Icmp,
        Some(TransportSlice::Icmpv6(_)) => Proto::Icmpv6,
        Some(TransportSlice::Igmp(_)) => Proto::Igmp,
        None => match ip.ip_number.0 {
            // IP in IP: the inner packet names itself, unless it cannot be read.
            ip_proto::IPIP | ip_proto::IPV6 if d.encapsulated().is_some() => return,
            ip_proto::IPIP => Proto::Ip,
            ip_proto::IPV6 => Proto::Ipv6,
            ip_proto::GRE => {
                p.push(Proto::Gre);
                let ppp = ip.payload.get(2..4) == Some(&[0x88, 0x0b]);
                if ppp && d.encapsulated().is_some() {
                    p.push(Proto::Ppp);
                }
                return;
            }
            ip_proto::NO_NEXT_HEADER => return,
            number => Proto::transport(number).unwrap_or(Proto::Data),
        },
    };
    p.push(next);
    let (payload, sport, dport) = match &d.transport {
        Some(TransportSlice::Tcp(t)) => (t.payload(), t.source_port(), t.destination_port()),
        Some(TransportSlice::Udp(u)) => (u.payload(), u.source_port(), u.destination_port()),
        _ => return,
    };
    match d.encapsulated() {
        Some((Encap::Vxlan, ..)) => return p.push(Proto::Vxlan),
        Some((Encap::GtpU, ..)) => return p.push(Proto::Gtp),
        _ => {}
    }
    match d.app {
        Some(app) => p.push(match app.proto {
            AppProto::Dns if app.mdns => Proto::Mdns,
            AppProto::Dns if (sport == 5355 || dport == 5355) && sport != 53 && dport != 53 => Proto::Llmnr,
            AppProto::Dns => Proto::Dns,
            AppProto::Http => Proto::Http,
            AppProto::Tls => Proto::Tls,
            AppProto::Dhcp => Proto::Dhcp,
        }),
        None if !payload.is_empty() => p.push(Proto::Data),
        None => {}
    }
}

/// True for an IPv4 header whose total length is below its header length (and not 0, which
/// TCP segmentation offload leaves): tshark reads nothing past such a header, and neither
/// do these reports.
pub fn bad_ipv4_length(d: &Decoded<'_>) -> bool {
    match &d.net {
        Some(LaxNetSlice::Ipv4(ip)) => {
            let h = ip.header();
            let total = h.total_len() as usize;
            total != 0 && total < h.slice().len()
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::LinkType;
    use crate::decode::{DecodeOptions, decode};

    fn path_of(lt: u16, frame: &[u8]) -> Vec<&'static str> {
        let d = decode(LinkType(lt), frame, frame.len() as u32, &DecodeOptions::default());
        let mut p = Path::default();
        p.extend(&d, false);
        p.as_slice().iter().map(|p| p.name()).collect()
    }

    fn eth(ether_type: u16, rest: &[u8]) -> Vec<u8> {
        let mut f = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1];
        f.extend(ether_type.to_be_bytes());
        f.extend_from_slice(rest);
        f
    }

    fn ipv4(proto: u8, frag: u16, payload: &[u8]) -> Vec<u8> {
        let total = (20 + payload.len()) as u16;
        let mut h = vec![0x45, 0];
        h.extend(total.to_be_bytes());
        h.extend([0, 1]);
        h.extend(frag.to_be_bytes());
        h.extend([64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
        h.extend_from_slice(payload);
        h
    }

    fn udp(sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
        let mut u = Vec::new();
        u.extend(sport.to_be_bytes());
        u.extend(dport.to_be_bytes());
        u.extend(((8 + payload.len()) as u16).to_be_bytes());
        u.extend([0, 0]);
        u.extend_from_slice(payload);
        u
    }

    #[test]
    fn paths_of_common_frames() {
        let dns = eth(0x0800, &ipv4(17, 0, &udp(40000, 53, &[0; 12])));
        assert_eq!(path_of(1, &dns), ["eth", "ip", "udp", "dns"]);
        let mdns = eth(0x0800, &ipv4(17, 0, &udp(5353, 5353, &[0; 12])));
        assert_eq!(path_of(1, &mdns), ["eth", "ip", "udp", "mdns"]);
        let llmnr = eth(0x0800, &ipv4(17, 0, &udp(50000, 5355, &[0; 12])));
        assert_eq!(path_of(1, &llmnr), ["eth", "ip", "udp", "llmnr"]);
        let other = eth(0x0800, &ipv4(17, 0, &udp(4000, 4001, b"x")));
        assert_eq!(path_of(1, &other), ["eth", "ip", "udp", "data"]);
        let empty = eth(0x0800, &ipv4(17, 0, &udp(4000, 4001, b"")));
        assert_eq!(path_of(1, &empty), ["eth", "ip", "udp"]);
        let frag = eth(0x0800, &ipv4(17, 0x2000, &udp(4000, 4001, b"abcdefgh")));
        assert_eq!(path_of(1, &frag), ["eth", "ip", "data"]);
        let gre = eth(0x0800, &ipv4(47, 0, &[0, 0, 0x08, 0]));
        assert_eq!(path_of(1, &gre), ["eth", "ip", "gre"]);
        let arp = eth(
            0x0806,
            &[0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 1, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2],
        );
        assert_eq!(path_of(1, &arp), ["eth", "arp"]);
        // 802.3 with LLC: STP's SAP, Cisco's SNAP for CDP (also inside a VLAN tag), another SAP.
        let stp = eth(38, &[0x42, 0x42, 0x03, 0, 0, 0, 0]);
        assert_eq!(path_of(1, &stp), ["eth", "llc", "stp"]);
        let cdp = [0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00, 2, 180, 0, 0];
        assert_eq!(path_of(1, &eth(12, &cdp)), ["eth", "llc", "cdp"]);
        let mut tagged = vec![0x00, 0x76, 0x00, 12];
        tagged.extend_from_slice(&cdp);
        assert_eq!(path_of(1, &eth(0x8100, &tagged)), ["eth", "vlan", "llc", "cdp"]);
        assert_eq!(path_of(1, &eth(7, &[0xf0, 0xf0, 0x03, 0, 0, 0, 0])), ["eth", "llc"]);
        let mut tagged = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x88, 0xa8, 0, 5, 0x81, 0, 0, 7, 0x08, 0];
        tagged.extend(ipv4(1, 0, &[8, 0, 0, 0, 0, 0, 0, 0]));
        assert_eq!(path_of(1, &tagged), ["eth", "ieee8021ad", "vlan", "ip", "icmp"]);
        assert_eq!(path_of(101, &ipv4(6, 0, &[0; 4])), ["raw", "ip", "tcp"], "truncated TCP still named");
        assert_eq!(path_of(228, &ipv4(17, 0, &udp(1, 53, &[0; 12]))), ["ip", "udp", "dns"]);
        assert_eq!(path_of(1, &eth(0x88cc, &[0; 10])), ["eth", "lldp"]);
        assert_eq!(path_of(1, &eth(0x1234, &[0; 10])), ["eth", "data"]);
        assert_eq!(path_of(147, &[1, 2, 3]), ["data"]);
        assert_eq!(path_of(1, &[1, 2, 3]), ["eth"], "a frame too short for its link header");
    }

    #[test]
    fn names_round_trip() {
        for p in Proto::ALL {
            assert_eq!(Proto::from_name(p.name()), Some(*p));
        }
    }
}
