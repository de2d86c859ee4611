//! Link-layer header types (the LINKTYPE_ registry of tcpdump.org).

use std::fmt;

/// A LINKTYPE_ value, as stored in pcap and pcapng files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LinkType(pub u16);

impl LinkType {
    /// libpcap's largest sane capture length for this link type (`max_snaplen_for_dlt`):
    /// libpcap refuses longer records, and tcpdump calls a longer wire length invalid.
    pub fn max_caplen(self) -> u32 {
        match self.0 {
            231 => 128 * 1024 * 1024, // D-Bus
            279 => 8 * 1024 * 1024,   // EBHSCR
            249 => 1024 * 1024,       // USBPcap
            _ => 262_144,
        }
    }

    /// BSD loopback: a 4-byte address family in host byte order.
    pub const NULL: LinkType = LinkType(0);
    /// Ethernet II / 802.3.
    pub const ETHERNET: LinkType = LinkType(1);
    /// Raw IP as written by some systems (DLT_RAW on OpenBSD and old Linux).
    pub const DLT_RAW_12: LinkType = LinkType(12);
    /// Raw IP as written by other systems (DLT_RAW on BSD/OS).
    pub const DLT_RAW_14: LinkType = LinkType(14);
    /// Raw IPv4 or IPv6, version in the first nibble.
    pub const RAW: LinkType = LinkType(101);
    /// Cisco HDLC.
    pub const C_HDLC: LinkType = LinkType(104);
    /// OpenBSD loopback: a 4-byte address family in network byte order.
    pub const LOOP: LinkType = LinkType(108);
    /// Linux cooked capture v1 (16-byte header).
    pub const LINUX_SLL: LinkType = LinkType(113);
    /// Raw IPv4.
    pub const IPV4: LinkType = LinkType(228);
    /// Raw IPv6.
    pub const IPV6: LinkType = LinkType(229);
    /// Linux cooked capture v2 (20-byte header).
    pub const LINUX_SLL2: LinkType = LinkType(276);
    /// PPP: optional address and control, then the PPP protocol.
    pub const PPP: LinkType = LinkType(9);
    /// PPP in HDLC-like framing (RFC 1662).
    pub const PPP_HDLC: LinkType = LinkType(50);
    /// Apple PKTAP as written in pcap files.
    pub const PKTAP: LinkType = LinkType(258);
    /// Apple PKTAP under the DLT number macOS uses (DLT_USER2).
    pub const PKTAP_DLT_USER2: LinkType = LinkType(149);
    /// Solaris ipnet.
    pub const IPNET: LinkType = LinkType(226);
    /// Linux NFLOG.
    pub const NFLOG: LinkType = LinkType(239);
    /// IP over InfiniBand (RFC 4391).
    pub const IPOIB: LinkType = LinkType(242);

    /// libpcap's DLT name (`EN10MB`, `LINUX_SLL`, ...), as tcpdump prints it.
    pub fn dlt_name(self) -> Option<&'static str> {
        Some(match self.0 {
            0 => "NULL",
            1 => "EN10MB",
            12 | 14 | 101 => "RAW",
            108 => "LOOP",
            113 => "LINUX_SLL",
            228 => "IPV4",
            229 => "IPV6",
            276 => "LINUX_SLL2",
            _ => return None,
        })
    }

    /// libpcap's description (`Ethernet`, `Linux cooked v1`, ...), as tcpdump prints it.
    pub fn description(self) -> Option<&'static str> {
        Some(match self.0 {
            0 => "BSD loopback",
            1 => "Ethernet",
            12 | 14 | 101 => "Raw IP",
            108 => "OpenBSD loopback",
            113 => "Linux cooked v1",
            228 => "Raw IPv4",
            229 => "Raw IPv6",
            276 => "Linux cooked v2",
            _ => return None,
        })
    }
}

impl fmt::Display for LinkType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.dlt_name() {
            Some(name) => write!(f, "{name} ({})", self.0),
            None => write!(f, "{}", self.0),
        }
    }
}
