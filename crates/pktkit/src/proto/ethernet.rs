//! Ethernet II / 802.3 headers and 802.1Q / 802.1ad VLAN tags.

/// Length of an Ethernet header (destination, source, type or length).
pub const HEADER_LEN: usize = 14;
/// Length of one VLAN tag (TCI and the next type).
pub const VLAN_TAG_LEN: usize = 4;
/// Largest 802.3 length in the type/length field; above it the field is an EtherType.
pub const MAX_8023_LENGTH: u16 = 1500;
/// The smallest EtherType (IEEE 802.3 clause 3.2.6): values from 1501 to 1535 are neither.
pub const MIN_ETHER_TYPE: u16 = 0x0600;

/// EtherType values used by the decoders.
pub mod ether_type {
    /// IPv4.
    pub const IPV4: u16 = 0x0800;
    /// ARP.
    pub const ARP: u16 = 0x0806;
    /// Reverse ARP.
    pub const RARP: u16 = 0x8035;
    /// IPv6.
    pub const IPV6: u16 = 0x86dd;
    /// Transparent Ethernet bridging: an Ethernet frame inside GRE (RFC 1701).
    pub const TEB: u16 = 0x6558;
    /// PPP inside PPTP's enhanced GRE (RFC 2637).
    pub const PPP: u16 = 0x880b;
    /// 802.1Q VLAN tag.
    pub const VLAN: u16 = 0x8100;
    /// 802.1ad provider bridging (QinQ outer tag).
    pub const QINQ: u16 = 0x88a8;
    /// Pre-standard QinQ outer tag.
    pub const QINQ_9100: u16 = 0x9100;
    /// Pre-standard QinQ outer tag.
    pub const QINQ_9200: u16 = 0x9200;
    /// MPLS unicast (RFC 3032).
    pub const MPLS: u16 = 0x8847;
    /// MPLS multicast (RFC 5332).
    pub const MPLS_MULTICAST: u16 = 0x8848;
    /// PPPoE discovery stage (RFC 2516).
    pub const PPPOE_DISCOVERY: u16 = 0x8863;
    /// PPPoE session stage (RFC 2516).
    pub const PPPOE_SESSION: u16 = 0x8864;
    /// 802.1X EAP over LAN.
    pub const EAPOL: u16 = 0x888e;
    /// 802.1AB LLDP.
    pub const LLDP: u16 = 0x88cc;
}

/// True for the EtherTypes that introduce a VLAN tag.
pub fn is_vlan(t: u16) -> bool {
    matches!(t, ether_type::VLAN | ether_type::QINQ | ether_type::QINQ_9100 | ether_type::QINQ_9200)
}

/// A view of an Ethernet header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ethernet<'a> {
    bytes: &'a [u8; HEADER_LEN],
}

impl<'a> Ethernet<'a> {
    /// The header at the start of `data`, or `None` when fewer than 14 bytes are present.
    pub fn parse(data: &'a [u8]) -> Option<Self> {
        data.first_chunk::<HEADER_LEN>().map(|bytes| Ethernet { bytes })
    }

    /// Destination MAC address.
    pub fn dst(&self) -> [u8; 6] {
        let mut a = [0; 6];
        a.copy_from_slice(&self.bytes[0..6]);
        a
    }

    /// Source MAC address.
    pub fn src(&self) -> [u8; 6] {
        let mut a = [0; 6];
        a.copy_from_slice(&self.bytes[6..12]);
        a
    }

    /// The type/length field: an EtherType when above 1500 (0x05dc), else an 802.3 length.
    pub fn type_or_len(&self) -> u16 {
        u16::from_be_bytes([self.bytes[12], self.bytes[13]])
    }

    /// True when the type/length field is an 802.3 length (LLC follows).
    pub fn is_8023(&self) -> bool {
        self.type_or_len() <= MAX_8023_LENGTH
    }
}

/// One 802.1Q tag.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VlanTag {
    /// The EtherType that announced this tag (0x8100, 0x88a8, ...).
    pub tpid: u16,
    /// Priority code point (3 bits).
    pub pcp: u8,
    /// Drop eligible indicator.
    pub dei: bool,
    /// VLAN identifier (12 bits).
    pub vid: u16,
    /// The EtherType that follows the tag.
    pub next: u16,
}

impl VlanTag {
    /// Parses the 4-byte tag at the start of `data` (announced by `tpid`).
    pub fn parse(tpid: u16, data: &[u8]) -> Option<Self> {
        let b = data.first_chunk::<VLAN_TAG_LEN>()?;
        let tci = u16::from_be_bytes([b[0], b[1]]);
        Some(VlanTag {
            tpid,
            pcp: (tci >> 13) as u8,
            dei: tci & 0x1000 != 0,
            vid: tci & 0x0fff,
            next: u16::from_be_bytes([b[2], b[3]]),
        })
    }
}

/// tcpdump's name for an EtherType (`ethertype_values` of print-ether.c), if it has one.
pub fn ether_type_name(t: u16) -> Option<&'static str> {
    Some(match t {
        0x0800 => "IPv4",
        0x0806 => "ARP",
        0x86dd => "IPv6",
        0x8100 => "802.1Q",
        0x88a8 => "802.1Q-QinQ",
        0x9100 => "802.1Q-9100",
        0x9200 => "802.1Q-9200",
        0x88e5 => "802.1AE MACsec",
        0x8035 => "Reverse ARP",
        0x0200 => "PUP",
        0x0500 => "Sprite",
        0x1000 => "Trail",
        0x6001 => "MOP DL",
        0x6002 => "MOP RC",
        0x6003 => "DN",
        0x6004 => "LAT",
        0x6007 => "SCA",
        0x6558 => "TEB",
        0x8038 => "Lanbridge",
        0x803c => "DEC DNS",
        0x803e => "DEC DTS",
        0x805b => "VEXP",
        0x805c => "VPROD",
        0x809b => "Appletalk",
        0x80f3 => "Appletalk ARP",
        0x8137 => "IPX",
        0x8808 => "MPCP",
        0x8809 => "Slow Protocols",
        0x880b => "PPP",
        0x8847 => "MPLS unicast",
        0x8848 => "MPLS multicast",
        0x8863 => "PPPoE D",
        0x8864 => "PPPoE S",
        0x886f => "MS NLB heartbeat",
        0x8870 => "Jumbo",
        0x888e => "EAPOL",
        0x8899 => "Realtek protocols",
        0x88a2 => "AoE",
        0x88cc => "LLDP",
        0x88ca => "TIPC",
        0x8902 => "CFM",
        0xabcd => "CFM (old)",
        0x893a => "IEEE1905.1",
        0x894f => "NSH",
        0x9000 => "Loopback",
        0xfefe => "OSI",
        0x00fe => "GRE-OSI",
        0x0600 => "NS",
        0x1111 => "CALM FAST",
        0x0707 => "GeoNet (old)",
        0x8947 => "GeoNet",
        0xd28b => "Arista Vendor Specific Protocol",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_and_tag() {
        let mut f = [0u8; 18];
        f[..6].copy_from_slice(&[0xff; 6]);
        f[6..12].copy_from_slice(&[0, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e]);
        f[12..14].copy_from_slice(&[0x81, 0x00]);
        f[14..18].copy_from_slice(&[0xa0, 0x64, 0x08, 0x00]);
        let e = Ethernet::parse(&f).unwrap();
        assert_eq!(e.type_or_len(), 0x8100);
        assert!(!e.is_8023());
        assert_eq!(e.src(), [0, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e]);
        let t = VlanTag::parse(0x8100, &f[14..]).unwrap();
        assert_eq!((t.pcp, t.dei, t.vid, t.next), (5, false, 100, 0x0800));
        assert!(Ethernet::parse(&f[..13]).is_none());
        assert!(VlanTag::parse(0x8100, &f[15..]).is_none());
        assert_eq!(ether_type_name(0x88a8), Some("802.1Q-QinQ"));
        assert_eq!(ether_type_name(0x1234), None);
    }
}
