//! Linux cooked capture headers: SLL (v1, 16 bytes) and SLL2 (v2, 20 bytes).
//!
//! Captures on Linux's "any" device carry these instead of an Ethernet header.

/// Length of an SLL v1 header.
pub const SLL_LEN: usize = 16;
/// Length of an SLL2 header.
pub const SLL2_LEN: usize = 20;

/// A Linux cooked header of either version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sll<'a> {
    /// 1 or 2.
    pub version: u8,
    /// Packet type: 0 to us, 1 broadcast, 2 multicast, 3 to someone else, 4 sent by us.
    pub pkttype: u16,
    /// ARPHRD_ type of the interface (1 Ethernet, 772 loopback, ...).
    pub hatype: u16,
    /// Link-layer address length as stored (may exceed 8).
    pub halen: u16,
    /// Link-layer address bytes (up to 8).
    pub addr: &'a [u8],
    /// The protocol field: an EtherType, or a Linux `ETH_P_` value below 0x0600.
    pub protocol: u16,
    /// Interface index (SLL2 only).
    pub ifindex: Option<u32>,
}

impl<'a> Sll<'a> {
    /// Parses an SLL v1 header.
    pub fn parse_v1(data: &'a [u8]) -> Option<Self> {
        let b = data.first_chunk::<SLL_LEN>()?;
        let halen = u16::from_be_bytes([b[4], b[5]]);
        Some(Sll {
            version: 1,
            pkttype: u16::from_be_bytes([b[0], b[1]]),
            hatype: u16::from_be_bytes([b[2], b[3]]),
            halen,
            addr: &data[6..6 + (halen as usize).min(8)],
            protocol: u16::from_be_bytes([b[14], b[15]]),
            ifindex: None,
        })
    }

    /// Parses an SLL2 header.
    pub fn parse_v2(data: &'a [u8]) -> Option<Self> {
        let b = data.first_chunk::<SLL2_LEN>()?;
        let halen = b[11] as u16;
        Some(Sll {
            version: 2,
            protocol: u16::from_be_bytes([b[0], b[1]]),
            ifindex: Some(u32::from_be_bytes([b[4], b[5], b[6], b[7]])),
            hatype: u16::from_be_bytes([b[8], b[9]]),
            pkttype: b[10] as u16,
            halen,
            addr: &data[12..12 + (halen as usize).min(8)],
        })
    }

    /// Header length (16 or 20).
    pub fn header_len(&self) -> usize {
        if self.version == 1 { SLL_LEN } else { SLL2_LEN }
    }

    /// tcpdump's short name of the packet type (`In`, `Out`, `B`, `M`, `P`).
    pub fn pkttype_name(&self) -> &'static str {
        match self.pkttype {
            0 => "In",
            1 => "B",
            2 => "M",
            3 => "P",
            4 => "Out",
            _ => "?",
        }
    }
}

/// Linux `ETH_P_` pseudo protocols that appear in the protocol field below 0x0600.
pub mod linux_proto {
    /// Novell 802.3 frames without 802.2 LLC.
    pub const ETH_P_802_3: u16 = 0x0001;
    /// 802.2 LLC frames.
    pub const ETH_P_802_2: u16 = 0x0004;
    /// CAN bus frames.
    pub const ETH_P_CAN: u16 = 0x000c;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_and_v2() {
        let v1 = [0, 4, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00, 0x45];
        let s = Sll::parse_v1(&v1).unwrap();
        assert_eq!((s.pkttype_name(), s.hatype, s.protocol, s.addr.len()), ("Out", 1, 0x0800, 6));
        assert!(Sll::parse_v1(&v1[..15]).is_none());
        let v2 = [0x86, 0xdd, 0, 0, 0, 0, 0, 7, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0];
        let s = Sll::parse_v2(&v2).unwrap();
        assert_eq!((s.pkttype, s.ifindex, s.protocol, s.header_len()), (0, Some(7), 0x86dd, 20));
        // A hostile address length is clamped to the 8 bytes the header has.
        let mut bad = v1;
        bad[5] = 200;
        assert_eq!(Sll::parse_v1(&bad).unwrap().addr.len(), 8);
        assert!(Sll::parse_v2(&v2[..19]).is_none());
    }
}
