//! ARP and RARP (RFC 826). Parsing is etherparse's [`ArpPacketSlice`]; this module adds the
//! names and the checks tcpdump and Wireshark apply.

pub use etherparse::ArpPacketSlice;

use super::ethernet::ether_type;

/// Fixed part of an ARP packet before the addresses.
pub const FIXED_LEN: usize = 8;
/// Hardware type Ethernet (RFC 826; IANA ARP parameters).
pub const HTYPE_ETHERNET: u16 = 1;
/// Hardware type IEEE 802 networks.
pub const HTYPE_IEEE802: u16 = 6;

/// tcpdump's name of an ARP operation (`arpop_values` of print-arp.c).
pub fn op_name(op: u16) -> Option<&'static str> {
    Some(match op {
        1 => "Request",
        2 => "Reply",
        3 => "Reverse Request",
        4 => "Reverse Reply",
        8 => "Inverse Request",
        9 => "Inverse Reply",
        10 => "NACK Reply",
        _ => return None,
    })
}

/// True for Ethernet/IPv4 ARP (hardware type 1 or 6, protocol 0x0800, lengths 6 and 4).
pub fn is_ether_ipv4(arp: &ArpPacketSlice<'_>) -> bool {
    let s = arp.slice();
    let hrd = u16::from_be_bytes([s[0], s[1]]);
    let pro = u16::from_be_bytes([s[2], s[3]]);
    matches!(hrd, HTYPE_ETHERNET | HTYPE_IEEE802) && pro == ether_type::IPV4 && s[4] == 6 && s[5] == 4
}

/// The raw operation field.
pub fn operation(arp: &ArpPacketSlice<'_>) -> u16 {
    let s = arp.slice();
    u16::from_be_bytes([s[6], s[7]])
}

/// The sender protocol address as IPv4, when it is 4 bytes long.
pub fn sender_ipv4(arp: &ArpPacketSlice<'_>) -> Option<[u8; 4]> {
    arp.sender_protocol_addr().try_into().ok()
}

/// The target protocol address as IPv4, when it is 4 bytes long.
pub fn target_ipv4(arp: &ArpPacketSlice<'_>) -> Option<[u8; 4]> {
    arp.target_protocol_addr().try_into().ok()
}

/// ARP's request and reply operations (RFC 826).
const OP_REQUEST: u16 = 1;
const OP_REPLY: u16 = 2;

/// Wireshark's `arp.isgratuitous`: a request or reply whose sender and target protocol
/// addresses are the same.
pub fn is_gratuitous(arp: &ArpPacketSlice<'_>) -> bool {
    matches!(operation(arp), OP_REQUEST | OP_REPLY)
        && arp.sender_protocol_addr() == arp.target_protocol_addr()
}

/// Wireshark's `arp.isprobe` (RFC 5227's probe): a request, not gratuitous, from sender
/// protocol address zero, with a target hardware address of zeros.
pub fn is_probe(arp: &ArpPacketSlice<'_>) -> bool {
    let zero = |a: &[u8]| a.iter().all(|b| *b == 0);
    operation(arp) == OP_REQUEST
        && !is_gratuitous(arp)
        && zero(arp.sender_protocol_addr())
        && zero(arp.target_hw_addr())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> Vec<u8> {
        let mut p = vec![0, 1, 8, 0, 6, 4, 0, 1];
        p.extend_from_slice(&[1, 2, 3, 4, 5, 6, 10, 0, 0, 1]);
        p.extend_from_slice(&[0, 0, 0, 0, 0, 0, 10, 0, 0, 2]);
        p
    }

    #[test]
    fn parses_and_names() {
        let p = request();
        let a = ArpPacketSlice::from_slice(&p).unwrap();
        assert!(is_ether_ipv4(&a));
        assert_eq!(operation(&a), 1);
        assert_eq!(op_name(operation(&a)), Some("Request"));
        assert_eq!(sender_ipv4(&a), Some([10, 0, 0, 1]));
        assert_eq!(target_ipv4(&a), Some([10, 0, 0, 2]));
    }

    #[test]
    fn truncated_and_hostile() {
        let p = request();
        assert!(ArpPacketSlice::from_slice(&p[..27]).is_err());
        assert!(ArpPacketSlice::from_slice(&p[..3]).is_err());
        // Address lengths of 255 need 8 + 4 * 255 bytes: refused, not read past the end.
        let mut h = p.clone();
        h[4] = 255;
        h[5] = 255;
        assert!(ArpPacketSlice::from_slice(&h).is_err());
    }

    #[test]
    fn gratuitous_and_probe() {
        let arp = |op: u8, spa: [u8; 4], tha: [u8; 6], tpa: [u8; 4]| {
            let mut p = vec![0, 1, 8, 0, 6, 4, 0, op, 2, 0, 0, 0, 0, 1];
            p.extend_from_slice(&spa);
            p.extend_from_slice(&tha);
            p.extend_from_slice(&tpa);
            p
        };
        let check = |p: Vec<u8>| {
            let a = ArpPacketSlice::from_slice(&p).unwrap();
            (is_gratuitous(&a), is_probe(&a))
        };
        assert_eq!(check(arp(1, [10, 0, 0, 1], [0; 6], [10, 0, 0, 1])), (true, false));
        assert_eq!(check(arp(2, [10, 0, 0, 1], [0xff; 6], [10, 0, 0, 1])), (true, false));
        assert_eq!(check(arp(3, [10, 0, 0, 1], [0; 6], [10, 0, 0, 1])), (false, false));
        assert_eq!(check(arp(1, [0; 4], [0; 6], [10, 0, 0, 5])), (false, true));
        assert_eq!(check(arp(1, [0; 4], [0; 6], [0; 4])), (true, false));
        assert_eq!(check(arp(1, [0; 4], [9; 6], [10, 0, 0, 5])), (false, false));
        assert_eq!(check(arp(2, [0; 4], [0; 6], [10, 0, 0, 5])), (false, false));
        assert_eq!(check(arp(1, [10, 0, 0, 1], [0; 6], [10, 0, 0, 2])), (false, false));
    }
}
