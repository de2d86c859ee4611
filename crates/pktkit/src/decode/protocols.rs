//! tshark's protocol path of a frame, in its two views: the rows of `tshark -z io,phs`
//! ([`View::Hierarchy`]: the protocols of the frame's top-level dissection tree) and
//! `frame.protocols` ([`View::Layers`]: every dissector that ran, in order).
//!
//! Names are tshark's (`eth`, `vlan`, `ip`, `ipv6`, `tcp`, `udp`, `icmp`, `dns`, ...). Like
//! tshark's hierarchy, the packet an ICMP error quotes is not part of that path (it is part
//! of `frame.protocols`); an application protocol pktkit does not recognise is `data`; an IP
//! fragment not reassembled is `data` in the hierarchy, while `frame.protocols` (tshark
//! without reassembly) names what the first fragment holds. A tunnel's inner packet
//! continues the path: [`Path::extend`] it with each packet of
//! [`Decoded::decode_encapsulated`].
//!
//! Protocols that pktkit does not decode otherwise are named here as tshark names them: by
//! port in Wireshark's order (the lower port first) and by the same simple heuristics
//! (`by_port`, `heuristic`), with the sub-protocols tshark finds in them.

use etherparse::{LaxNetSlice, TransportSlice};

use super::{AppProto, Decoded, Link, Payload, ports};
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
    Ethertype => "ethertype",
    Ipv6Hopopts => "ipv6.hopopts",
    Ipv6Dstopts => "ipv6.dstopts",
    Ipv6Routing => "ipv6.routing",
    Ipv6Fraghdr => "ipv6.fraghdr",
    Pwethheuristic => "pwethheuristic",
    Wol => "wol",
    Slarp => "slarp",
    Netlink => "netlink",
    NetlinkRoute => "netlink-route",
    Lcp => "lcp",
    Ipcp => "ipcp",
    Ipv6cp => "ipv6cp",
    Ccp => "ccp",
    Pap => "pap",
    Chap => "chap",
    Ssdp => "ssdp",
    Ftp => "ftp",
    FtpData => "ftp-data",
    Ssh => "ssh",
    Telnet => "telnet",
    Smtp => "smtp",
    Tpkt => "tpkt",
    Cotp => "cotp",
    S7comm => "s7comm",
    Nbss => "nbss",
    Nbns => "nbns",
    Bgp => "bgp",
    Ldap => "ldap",
    Mbtcp => "mbtcp",
    Modbus => "modbus",
    Gtpv2 => "gtpv2",
    Mysql => "mysql",
    Sip => "sip",
    Sdp => "sdp",
    Xml => "xml",
    Pgsql => "pgsql",
    X11 => "x11",
    Doip => "doip",
    Uds => "uds",
    Ntp => "ntp",
    Rip => "rip",
    Dhcpv6 => "dhcpv6",
    Radius => "radius",
    Eap => "eap",
    Bjnp => "bjnp",
    DbLspDisc => "db-lsp-disc",
    Json => "json",
    Rpc => "rpc",
    Nfs => "nfs",
    Wg => "wg",
    Gquic => "gquic",
    DataTextLines => "data-text-lines",
    UrlencodedForm => "urlencoded-form",
    ImageGif => "image-gif",
    ImageJfif => "image-jfif",
    Nflog => "nflog",
}

/// Which of tshark's two paths of a frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum View {
    /// The rows of `tshark -z io,phs`: the frame's top-level protocol tree items.
    #[default]
    Hierarchy,
    /// `frame.protocols`: every dissector that ran, also those tshark's tree shows inside
    /// another (`ethertype`, IPv6 extension headers, the data of an ICMP echo, the packet an
    /// ICMP error quotes, a message's body).
    Layers,
}

/// Longest path kept; deeper nesting is cut.
pub const MAX_DEPTH: usize = 32;

/// One frame's protocol path.
#[derive(Clone, Copy, Debug)]
pub struct Path {
    items: [Proto; MAX_DEPTH],
    len: usize,
    view: View,
}

impl Default for Path {
    fn default() -> Self {
        Path::new(View::Hierarchy)
    }
}

/// Wake-on-LAN's EtherType.
const ETHER_TYPE_WOL: u16 = 0x0842;
/// Cisco HDLC's protocol number of SLARP (the EtherType of RARP elsewhere).
const CHDLC_SLARP: u16 = 0x8035;
/// Linux netlink's link type (the cooked netlink header).
const LINKTYPE_NETLINK: LinkType = LinkType(253);
/// The netlink family of routing messages.
const NETLINK_ROUTE: u16 = 0;
/// The length of the cooked netlink header; its family is at bytes 14..16.
const NETLINK_HEADER_LEN: usize = 16;
/// The PPPoE header before the PPP protocol number.
const PPPOE_HEADER_LEN: usize = 6;
/// The PPP protocol number of PPP in GRE (RFC 2637).
const GRE_PPP: [u8; 2] = [0x88, 0x0b];

impl Path {
    /// An empty path of `view`.
    pub fn new(view: View) -> Path {
        Path { items: [Proto::Data; MAX_DEPTH], len: 0, view }
    }

    /// The protocols, outermost first.
    pub fn as_slice(&self) -> &[Proto] {
        &self.items[..self.len]
    }

    /// Writes the path as `frame.protocols` does: the names joined by `:`.
    pub fn write_joined(&self, out: &mut Vec<u8>) {
        for (i, p) in self.as_slice().iter().enumerate() {
            if i > 0 {
                out.push(b':');
            }
            out.extend_from_slice(p.name().as_bytes());
        }
    }

    /// Pushes `p` in both views.
    #[inline]
    fn push(&mut self, p: Proto) {
        if self.len < MAX_DEPTH {
            self.items[self.len] = p;
            self.len += 1;
        }
    }

    /// Pushes `p` in the [`View::Layers`] path only.
    #[inline]
    fn push_layer(&mut self, p: Proto) {
        if self.view == View::Layers {
            self.push(p);
        }
    }

    /// Pushes `p` in the [`View::Hierarchy`] path only.
    #[inline]
    fn push_tree(&mut self, p: Proto) {
        if self.view == View::Hierarchy {
            self.push(p);
        }
    }

    fn layers(&self) -> bool {
        self.view == View::Layers
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
    let typed = d.ether_type.is_some_and(|t| t > crate::proto::ethernet::MAX_8023_LENGTH);
    match d.link {
        Link::Ethernet(eth) => {
            p.push(Proto::Eth);
            if eth.is_8023() {
                p.push(Proto::Llc);
                llc_payload(p, d.data.get(d.net_offset..).unwrap_or(&[]));
            } else if typed || d.vlan_count > 0 {
                p.push_layer(Proto::Ethertype);
            }
        }
        Link::Sll(sll) => {
            p.push(Proto::Sll);
            if sll.protocol == 0x0004 {
                p.push(Proto::Llc);
                llc_payload(p, d.data.get(d.net_offset..).unwrap_or(&[]));
            } else if sll.protocol < 0x0600 {
                p.push(Proto::Data);
            } else {
                p.push_layer(Proto::Ethertype);
            }
        }
        Link::Null { .. } => p.push(Proto::Null),
        Link::Ipnet => p.push(Proto::Ipnet),
        Link::Ipoib => p.push(Proto::Ipoib),
        Link::Chdlc { .. } => p.push(Proto::Chdlc),
        Link::Ppp { .. } => p.push(Proto::Ppp),
        // Link types 228 and 229 carry IP with no header tshark names: its path starts at
        // `ip` / `ipv6`; Linux NFLOG's header is named in `frame.protocols` only.
        Link::Nflog { .. } => p.push_layer(Proto::Nflog),
        Link::Raw if lt == LinkType::IPV4 || lt == LinkType::IPV6 => {}
        Link::Raw => p.push(Proto::Raw),
        Link::None if lt == LINKTYPE_NETLINK => {
            p.push(Proto::Netlink);
            let family = d.data.get(14..NETLINK_HEADER_LEN).map(|f| u16::from_be_bytes([f[0], f[1]]));
            if family == Some(NETLINK_ROUTE) && d.data.len() > NETLINK_HEADER_LEN {
                p.push(Proto::NetlinkRoute);
            }
        }
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
    let tags = d.vlans();
    for (i, tag) in tags.iter().enumerate() {
        p.push(if tag.tpid == ether_type::QINQ { Proto::Ieee8021ad } else { Proto::Vlan });
        // Each tag is followed by an EtherType, unless the last one announces a length.
        if i + 1 < tags.len() || typed {
            p.push_layer(Proto::Ethertype);
        }
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

/// The PPP control protocol numbered `protocol` (RFC 1661, 1332, 5072, 1962, 1334, 1994).
fn ppp_control(protocol: u16) -> Option<Proto> {
    Some(match protocol {
        0xc021 => Proto::Lcp,
        0x8021 => Proto::Ipcp,
        0x8057 => Proto::Ipv6cp,
        0x80fd => Proto::Ccp,
        0xc023 => Proto::Pap,
        0xc223 => Proto::Chap,
        _ => return None,
    })
}

/// The PPP protocol number at the start of `bytes` (after an optional 0xff 0x03).
fn ppp_protocol(bytes: &[u8]) -> Option<u16> {
    let bytes = bytes.strip_prefix(&[0xff, 0x03]).unwrap_or(bytes);
    bytes.get(..2).map(|b| u16::from_be_bytes([b[0], b[1]]))
}

/// The bytes after an enhanced (version 1, RFC 2637) GRE header.
fn gre_payload(gre: &[u8]) -> Option<&[u8]> {
    let flags = *gre.first()?;
    let ack = gre.get(1).is_some_and(|b| b & 0x80 != 0);
    let len = 8 + if flags & 0x10 != 0 { 4 } else { 0 } + if ack { 4 } else { 0 };
    gre.get(len..)
}

fn network(p: &mut Path, d: &Decoded<'_>, ethertype: u16) {
    // A length, not a type, after VLAN tags: an LLC frame.
    if ethertype <= crate::proto::ethernet::MAX_8023_LENGTH && d.vlan_count > 0 {
        p.push(Proto::Llc);
        return llc_payload(p, d.data.get(d.net_offset..).unwrap_or(&[]));
    }
    if matches!(d.link, Link::Chdlc { .. }) && ethertype == CHDLC_SLARP {
        return p.push(Proto::Slarp);
    }
    if let Link::Ppp { protocol } = d.link
        && let Some(control) = ppp_control(protocol)
    {
        return p.push(control);
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
        ETHER_TYPE_WOL => Proto::Wol,
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
                        p.push_tree(Proto::Mpls);
                    }
                    if kind == Payload::Ethernet {
                        if p.layers() {
                            p.push(Proto::Pwethheuristic);
                        } else {
                            p.push(Proto::PwethCw);
                        }
                        p.push(Proto::Pwethcw);
                    }
                }
                Proto::Pppoes => p.push(Proto::Ppp),
                _ => {}
            }
        } else if proto == Proto::Pppoes {
            let session = d.data.get(d.net_offset + PPPOE_HEADER_LEN..).unwrap_or(&[]);
            if let Some(number) = ppp_protocol(session) {
                p.push(Proto::Ppp);
                if let Some(control) = ppp_control(number) {
                    p.push(control);
                }
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
        Some(LaxNetSlice::Ipv6(ip)) => {
            if p.layers() {
                let next = ip.header().slice()[6];
                for e in crate::proto::ipv6::ext_headers(next, ip.extensions().slice()) {
                    p.push(match e.kind {
                        ip_proto::HOP_BY_HOP => Proto::Ipv6Hopopts,
                        ip_proto::ROUTING => Proto::Ipv6Routing,
                        ip_proto::FRAGMENT => Proto::Ipv6Fraghdr,
                        ip_proto::AH => Proto::Ah,
                        _ => Proto::Ipv6Dstopts,
                    });
                }
            }
            ip.payload()
        }
        _ => return,
    };
    // A fragment not reassembled is `data` in the hierarchy, also the first one, whose
    // transport header the decoder reads (tshark's hierarchy counts reassembled
    // datagrams); `frame.protocols` names what a first fragment holds.
    if ip.fragmented && !(p.layers() && d.transport.is_some()) {
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
                let ppp = ip.payload.get(2..4) == Some(&GRE_PPP);
                if ppp && d.encapsulated().is_some() {
                    p.push(Proto::Ppp);
                } else if ppp
                    && let Some(number) = gre_payload(ip.payload).and_then(ppp_protocol)
                    && let Some(control) = ppp_control(number)
                {
                    p.push(Proto::Ppp);
                    p.push(control);
                }
                return;
            }
            ip_proto::NO_NEXT_HEADER => return,
            number => Proto::transport(number).unwrap_or(Proto::Data),
        },
    };
    p.push(next);
    let (payload, sport, dport, over_tcp) = match &d.transport {
        Some(TransportSlice::Tcp(t)) => (t.payload(), t.source_port(), t.destination_port(), true),
        Some(TransportSlice::Udp(u)) => (u.payload(), u.source_port(), u.destination_port(), false),
        Some(TransportSlice::Icmpv4(i)) => return icmp_layers(p, d, i.type_u8(), i.payload()),
        Some(TransportSlice::Icmpv6(i)) => return icmp_layers(p, d, i.type_u8(), i.payload()),
        Some(TransportSlice::Igmp(_)) => return p.push_layer(Proto::Igmp),
        None => return,
    };
    match d.encapsulated() {
        Some((Encap::Vxlan, ..)) => return p.push(Proto::Vxlan),
        Some((Encap::GtpU, ..)) => return p.push(Proto::Gtp),
        _ => {}
    }
    match d.app.or_else(|| super::app::classify(d)) {
        Some(app) => {
            let name = match app.proto {
                AppProto::Dns if app.mdns => Proto::Mdns,
                AppProto::Dns if (sport == 5355 || dport == 5355) && sport != 53 && dport != 53 => {
                    Proto::Llmnr
                }
                AppProto::Dns => Proto::Dns,
                AppProto::Http if !over_tcp && (sport == SSDP_PORT || dport == SSDP_PORT) => Proto::Ssdp,
                AppProto::Http => Proto::Http,
                AppProto::Tls => Proto::Tls,
                AppProto::Dhcp => Proto::Dhcp,
            };
            p.push(name);
            if name == Proto::Http && p.layers() {
                http_body(p, payload);
            }
        }
        None if !payload.is_empty() => named_app(p, over_tcp, sport, dport, payload),
        None => {}
    }
}

/// SSDP's UDP port: HTTP over UDP, named `ssdp`.
const SSDP_PORT: u16 = 1900;

/// The layers after an ICMP or ICMPv6 header in `frame.protocols`: the data of an echo, the
/// packet an error quotes.
fn icmp_layers(p: &mut Path, d: &Decoded<'_>, icmp_type: u8, payload: &[u8]) {
    if !p.layers() {
        return;
    }
    let v6 = matches!(d.transport, Some(TransportSlice::Icmpv6(_)));
    let echo = if v6 { matches!(icmp_type, 128 | 129) } else { matches!(icmp_type, 0 | 8) };
    if echo {
        if !payload.is_empty() {
            p.push(Proto::Data);
        }
        return;
    }
    let Some(quoted) = d.icmp_quoted() else { return };
    match quoted.net {
        Some(LaxNetSlice::Ipv4(_)) => p.push(Proto::Ip),
        Some(LaxNetSlice::Ipv6(_)) => p.push(Proto::Ipv6),
        _ => return,
    }
    match quoted.transport {
        Some(TransportSlice::Tcp(_)) => p.push(Proto::Tcp),
        Some(TransportSlice::Udp(_)) => p.push(Proto::Udp),
        Some(TransportSlice::Icmpv4(i)) => {
            p.push(Proto::Icmp);
            if matches!(i.type_u8(), 0 | 8) && !i.payload().is_empty() {
                p.push(Proto::Data);
            }
        }
        Some(TransportSlice::Icmpv6(i)) => {
            p.push(Proto::Icmpv6);
            if matches!(i.type_u8(), 128 | 129) && !i.payload().is_empty() {
                p.push(Proto::Data);
            }
        }
        // A transport header cut short by the quote: tshark still names it.
        _ => {
            let number = match &quoted.net {
                Some(LaxNetSlice::Ipv4(ip)) => ip.payload().ip_number.0,
                Some(LaxNetSlice::Ipv6(ip)) => ip.payload().ip_number.0,
                _ => return,
            };
            match number {
                ip_proto::TCP => p.push(Proto::Tcp),
                ip_proto::UDP => p.push(Proto::Udp),
                _ => {}
            }
        }
    }
}

/// What tshark names in the body of an HTTP message in `frame.protocols`: the media type's
/// dissector (`data-text-lines` for text, `json`, `urlencoded-form`, images), else `data`.
fn http_body(p: &mut Path, payload: &[u8]) {
    if !super::app::http_heuristic(payload) && !starts_with_method(payload) {
        // A continuation of a message (no reassembly): tshark names `data` after it only
        // where it knows from earlier segments where the body lies; it does not here.
        return;
    }
    let Some(end) = find(payload, b"\r\n\r\n") else { return };
    let (head, body) = (&payload[..end], &payload[end + 4..]);
    if body.is_empty() {
        return;
    }
    // A chunked body is dissected once its last chunk is in the segment.
    let chunked = header(head, b"transfer-encoding").is_some_and(|v| find(v, b"chunked").is_some());
    if chunked && find(body, b"0\r\n\r\n").is_none() {
        return;
    }
    let media = header(head, b"content-type").map(|v| {
        let v = v.split(|&b| b == b';').next().unwrap_or(v);
        v.trim_ascii().to_ascii_lowercase()
    });
    match media.as_deref() {
        Some(m)
            if m.starts_with(b"text/")
                || matches!(m, b"application/javascript" | b"application/x-javascript") =>
        {
            p.push(Proto::DataTextLines)
        }
        Some(b"application/json") => {
            p.push(Proto::Json);
            p.push(Proto::DataTextLines);
        }
        Some(b"application/x-www-form-urlencoded") => p.push(Proto::UrlencodedForm),
        Some(b"image/gif") => p.push(Proto::ImageGif),
        Some(b"image/jpeg") => p.push(Proto::ImageJfif),
        _ => p.push(Proto::Data),
    }
}

/// True when `payload` starts with an HTTP request line's method and a space.
fn starts_with_method(payload: &[u8]) -> bool {
    const METHODS: &[&[u8]] =
        &[b"GET ", b"POST ", b"HEAD ", b"PUT ", b"DELETE ", b"OPTIONS ", b"PATCH ", b"CONNECT ", b"TRACE "];
    METHODS.iter().any(|m| payload.starts_with(m))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The value of header `name` (lower case) among the lines of `head`, ignoring case.
fn header<'a>(head: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    head.split(|&b| b == b'\n').skip(1).find_map(|line| {
        let colon = line.iter().position(|&b| b == b':')?;
        line[..colon].trim_ascii().eq_ignore_ascii_case(name).then(|| line[colon + 1..].trim_ascii())
    })
}

/// Protocols tshark hands a TCP or UDP port to that pktkit names without decoding them here
/// (Wireshark 4.0's `tcp.port` / `udp.port` tables).
fn by_port(over_tcp: bool, port: u16) -> Option<Proto> {
    Some(if over_tcp {
        match port {
            20 => Proto::FtpData,
            21 => Proto::Ftp,
            22 => Proto::Ssh,
            23 => Proto::Telnet,
            25 => Proto::Smtp,
            102 => Proto::Tpkt,
            139 | 445 => Proto::Nbss,
            179 => Proto::Bgp,
            389 => Proto::Ldap,
            502 => Proto::Mbtcp,
            2123 => Proto::Gtp,
            3306 => Proto::Mysql,
            5060 => Proto::Sip,
            5432 => Proto::Pgsql,
            6000..=6063 => Proto::X11,
            13400 => Proto::Doip,
            _ => return None,
        }
    } else {
        match port {
            123 => Proto::Ntp,
            137 => Proto::Nbns,
            520 => Proto::Rip,
            546 | 547 => Proto::Dhcpv6,
            1645 | 1646 | 1812 | 1813 => Proto::Radius,
            2123 => Proto::Gtp,
            5060 => Proto::Sip,
            8611..=8614 => Proto::Bjnp,
            13400 => Proto::Doip,
            17500 => Proto::DbLspDisc,
            _ => return None,
        }
    })
}

/// Names a TCP or UDP payload that none of pktkit's application decoders took: by port, the
/// lower first, as Wireshark hands it on; a port registered to a dissector pktkit does not
/// name makes it `data`; else by Wireshark's heuristics.
fn named_app(p: &mut Path, over_tcp: bool, sport: u16, dport: u16, payload: &[u8]) {
    let (low, high) = if sport > dport { (dport, sport) } else { (sport, dport) };
    for port in [low, high] {
        if let Some(proto) = by_port(over_tcp, port) {
            if app_layers(p, proto, payload) {
                return;
            }
            continue;
        }
        let table = if over_tcp { ports::TCP } else { ports::UDP };
        if port != 0 && table.binary_search(&port).is_ok() {
            return p.push(Proto::Data);
        }
    }
    let found = if sip_start(payload) {
        Some(Proto::Sip)
    } else if over_tcp {
        None
    } else if rpc_call(payload).is_some() {
        Some(Proto::Rpc)
    } else if wireguard(payload) {
        Some(Proto::Wg)
    } else if wake_on_lan(payload) {
        Some(Proto::Wol)
    } else if gquic(payload) {
        Some(Proto::Gquic)
    } else {
        None
    };
    if !found.is_some_and(|proto| app_layers(p, proto, payload)) {
        p.push(Proto::Data);
    }
}

/// Pushes `proto` and what tshark finds inside it; false when its dissector turns the
/// payload down (tshark then tries the next port).
fn app_layers(p: &mut Path, proto: Proto, payload: &[u8]) -> bool {
    match proto {
        Proto::Radius => {
            // Code, identifier, a length within the data and at least the header.
            let Some(len) = payload.get(2..4).map(|l| u16::from_be_bytes([l[0], l[1]]) as usize) else {
                return false;
            };
            if !matches!(payload[0], 1..=5 | 11..=13 | 40..=45) || len < 20 || len > payload.len() {
                return false;
            }
            p.push(Proto::Radius);
            if radius_has_eap(&payload[20..len]) {
                p.push_layer(Proto::Eap);
            }
        }
        Proto::Gtp => match payload.first().map(|b| b >> 5) {
            Some(2) => {
                p.push_layer(Proto::Gtp);
                p.push(Proto::Gtpv2);
            }
            _ => p.push(Proto::Gtp),
        },
        Proto::Tpkt => {
            // TPKT version 3, then COTP; S7comm after a data TPDU that starts with 0x32.
            if payload.first() != Some(&3) || payload.len() < 5 {
                return false;
            }
            p.push(Proto::Tpkt);
            p.push(Proto::Cotp);
            let cotp = &payload[4..];
            let li = cotp[0] as usize;
            let user = cotp.get(1 + li..).unwrap_or(&[]);
            if cotp.get(1).is_some_and(|t| t & 0xf0 == 0xf0) && !user.is_empty() {
                p.push(if user[0] == 0x32 { Proto::S7comm } else { Proto::Data });
            }
        }
        Proto::Mbtcp => {
            p.push(Proto::Mbtcp);
            if payload.len() > 7 {
                p.push(Proto::Modbus);
            }
        }
        Proto::Bgp => {
            // The hierarchy nests one `bgp` per message of the segment.
            p.push(Proto::Bgp);
            let mut at = 0;
            let mut messages = 0;
            while let Some(h) = payload.get(at..at + 19) {
                let len = u16::from_be_bytes([h[16], h[17]]) as usize;
                if h[..16] != [0xff; 16] || len < 19 {
                    break;
                }
                messages += 1;
                at += len;
            }
            for _ in 1..messages {
                p.push_tree(Proto::Bgp);
            }
        }
        Proto::Doip => {
            p.push(Proto::Doip);
            // A diagnostic message (payload type 0x8001) carries UDS after the addresses.
            let diagnostic = payload.get(2..4) == Some(&[0x80, 0x01]);
            if diagnostic && payload.len() > 8 + 4 {
                p.push_layer(Proto::Uds);
            }
        }
        Proto::DbLspDisc => {
            p.push(Proto::DbLspDisc);
            p.push_layer(Proto::Json);
        }
        Proto::Sip => {
            p.push(Proto::Sip);
            if p.layers() {
                sip_body(p, payload);
            }
        }
        Proto::Rpc => {
            p.push(Proto::Rpc);
            if rpc_call(payload) == Some(NFS_PROGRAM) {
                p.push(Proto::Nfs);
            }
        }
        other => p.push(other),
    }
    true
}

/// The SunRPC program number of NFS.
const NFS_PROGRAM: u32 = 100_003;

/// The program of a SunRPC call (message type 0, RPC version 2) to a program tshark knows
/// by this heuristic (NFS, the port mapper, mount).
fn rpc_call(payload: &[u8]) -> Option<u32> {
    let word = |i: usize| payload.get(i..i + 4).map(|w| u32::from_be_bytes([w[0], w[1], w[2], w[3]]));
    let program = word(12)?;
    (word(4)? == 0 && word(8)? == 2 && matches!(program, 100_000 | NFS_PROGRAM | 100_005)).then_some(program)
}

/// Whether RADIUS attributes hold an EAP-Message (type 79).
fn radius_has_eap(mut attrs: &[u8]) -> bool {
    const EAP_MESSAGE: u8 = 79;
    while let [kind, len, ..] = *attrs {
        if kind == EAP_MESSAGE {
            return true;
        }
        if len < 2 {
            return false;
        }
        attrs = attrs.get(len as usize..).unwrap_or(&[]);
    }
    false
}

/// Wireshark's SIP heuristic: the first line is a request line ending `SIP/2.0` or a status
/// line starting with it.
fn sip_start(payload: &[u8]) -> bool {
    let end = payload.iter().position(|&b| b == b'\r' || b == b'\n').unwrap_or(payload.len());
    let line = &payload[..end];
    line.starts_with(b"SIP/2.0 ") || (line.ends_with(b" SIP/2.0") && line.contains(&b' '))
}

/// The body of a SIP message: SDP, or XML for an XML media type.
fn sip_body(p: &mut Path, payload: &[u8]) {
    let Some(end) = find(payload, b"\r\n\r\n") else { return };
    let (head, body) = (&payload[..end], &payload[end + 4..]);
    if body.is_empty() {
        return;
    }
    let media = header(head, b"content-type").or_else(|| header(head, b"c")).map(|v| v.to_ascii_lowercase());
    match media.as_deref() {
        Some(m) if m.starts_with(b"application/sdp") => p.push(Proto::Sdp),
        Some(m) if find(m, b"xml").is_some() => p.push(Proto::Xml),
        _ => {}
    }
}

/// Wireshark's WireGuard heuristic: a message type 1 to 4, three reserved zero bytes and
/// the length that type has.
fn wireguard(payload: &[u8]) -> bool {
    let Some(h) = payload.first_chunk::<4>() else { return false };
    h[1..] == [0, 0, 0]
        && match h[0] {
            1 => payload.len() == 148,
            2 => payload.len() == 92,
            3 => payload.len() == 64,
            4 => payload.len() >= 32 && (payload.len() - 32).is_multiple_of(16),
            _ => false,
        }
}

/// A Wake-on-LAN magic packet: six 0xff bytes, then one MAC address sixteen times.
fn wake_on_lan(payload: &[u8]) -> bool {
    let Some(body) = payload.strip_prefix(&[0xff; 6]) else { return false };
    let Some(mac) = body.get(..6) else { return false };
    body.len() >= 96 && body[..96].chunks(6).all(|c| c == mac)
}

/// Wireshark's Google QUIC heuristic: a public header with the version flag, then a
/// version `Q0nn` after the 8-byte connection ID.
fn gquic(payload: &[u8]) -> bool {
    payload.len() > 13 && payload[0] & 0x01 != 0 && payload[0] & 0x08 != 0 && payload[9..11] == *b"Q0"
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

    fn layers_of(lt: u16, frame: &[u8]) -> String {
        let d = decode(LinkType(lt), frame, frame.len() as u32, &DecodeOptions::default());
        let mut p = Path::new(View::Layers);
        p.extend(&d, false);
        let mut out = Vec::new();
        p.write_joined(&mut out);
        String::from_utf8(out).unwrap()
    }

    fn tcp(sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
        let mut t = Vec::new();
        t.extend(sport.to_be_bytes());
        t.extend(dport.to_be_bytes());
        t.extend([0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0]);
        t.extend_from_slice(payload);
        t
    }

    #[test]
    fn frame_protocols_as_tshark_names_them() {
        let dns = eth(0x0800, &ipv4(17, 0, &udp(40000, 53, &[0; 12])));
        assert_eq!(layers_of(1, &dns), "eth:ethertype:ip:udp:dns");
        let echo = eth(0x0800, &ipv4(1, 0, &[8, 0, 0, 0, 0, 1, 0, 1, b'x']));
        assert_eq!(layers_of(1, &echo), "eth:ethertype:ip:icmp:data");
        assert_eq!(path_of(1, &echo), ["eth", "ip", "icmp"], "the echo's data is inside icmp's tree");
        let mut tagged = vec![0x00, 0x05, 0x08, 0x06];
        tagged.extend([0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 1, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2]);
        assert_eq!(layers_of(1, &eth(0x8100, &tagged)), "eth:ethertype:vlan:ethertype:arp");
        let stp = eth(38, &[0x42, 0x42, 0x03, 0, 0, 0, 0]);
        assert_eq!(layers_of(1, &stp), "eth:llc:stp", "no ethertype before a length");
        // By port: NTP, a RADIUS request with an EAP-Message, a NUL on a port of another
        // dissector; by heuristic: SIP off its port, with an SDP body.
        assert_eq!(
            layers_of(1, &eth(0x0800, &ipv4(17, 0, &udp(123, 123, &[0x23; 48])))),
            "eth:ethertype:ip:udp:ntp"
        );
        let mut radius = vec![1, 7, 0, 26];
        radius.extend([0; 16]);
        radius.extend([79, 6, 2, 0, 0, 4]);
        let radius = eth(0x0800, &ipv4(17, 0, &udp(40000, 1812, &radius)));
        assert_eq!(layers_of(1, &radius), "eth:ethertype:ip:udp:radius:eap");
        assert_eq!(path_of(1, &radius), ["eth", "ip", "udp", "radius"]);
        let sip = b"INVITE sip:bob@example.com SIP/2.0\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n";
        let sip = eth(0x0800, &ipv4(17, 0, &udp(40000, 40001, sip)));
        assert_eq!(layers_of(1, &sip), "eth:ethertype:ip:udp:sip:sdp");
        assert_eq!(path_of(1, &sip), ["eth", "ip", "udp", "sip"]);
        assert_eq!(
            layers_of(1, &eth(0x0800, &ipv4(17, 0, &udp(40000, 161, b"x")))),
            "eth:ethertype:ip:udp:data"
        );
        // BGP: one `bgp` in frame.protocols, one hierarchy node per message.
        let mut keepalive = vec![0xff; 16];
        keepalive.extend([0, 19, 4]);
        let two = [keepalive.clone(), keepalive].concat();
        let bgp = eth(0x0800, &ipv4(6, 0, &tcp(179, 40000, &two)));
        assert_eq!(layers_of(1, &bgp), "eth:ethertype:ip:tcp:bgp");
        assert_eq!(path_of(1, &bgp), ["eth", "ip", "tcp", "bgp", "bgp"]);
        // HTTP: the body by its media type.
        let http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 2\r\n\r\nhi";
        let http = eth(0x0800, &ipv4(6, 0, &tcp(80, 40000, http)));
        assert_eq!(layers_of(1, &http), "eth:ethertype:ip:tcp:http:data-text-lines");
        // A first fragment names what it holds; the hierarchy waits for the datagram.
        let frag = eth(0x0800, &ipv4(17, 0x2000, &udp(4000, 53, &[0; 12])));
        assert_eq!(layers_of(1, &frag), "eth:ethertype:ip:udp:dns");
        assert_eq!(path_of(1, &frag), ["eth", "ip", "data"]);
    }

    #[test]
    fn names_round_trip() {
        for p in Proto::ALL {
            assert_eq!(Proto::from_name(p.name()), Some(*p));
        }
    }
}
