//! Encapsulations that carry a whole packet: GRE (v0 and PPTP's v1), VXLAN, GTP-U,
//! IP-in-IP, MPLS (with an Ethernet pseudowire) and PPPoE sessions.
//!
//! Each function takes the bytes after the outer header that announces the tunnel and returns
//! what is inside and where it starts; none allocates or reads past its input.

use super::ethernet::ether_type;

/// What an encapsulation carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Payload {
    /// An Ethernet frame.
    Ethernet,
    /// An IPv4 or IPv6 packet (version in its first nibble).
    Ip,
}

/// The encapsulation protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encap {
    /// GRE (RFC 2784), or PPTP's enhanced GRE.
    Gre,
    /// IPv4 or IPv6 directly in IP (protocol 4 or 41).
    IpInIp,
    /// VXLAN (RFC 7348).
    Vxlan,
    /// GTP-U (3GPP TS 29.281).
    GtpU,
    /// MPLS label stack.
    Mpls,
    /// PPPoE session.
    Pppoe,
}

impl Encap {
    /// Lower-case name used in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Encap::Gre => "gre",
            Encap::IpInIp => "ip-in-ip",
            Encap::Vxlan => "vxlan",
            Encap::GtpU => "gtp-u",
            Encap::Mpls => "mpls",
            Encap::Pppoe => "pppoe",
        }
    }
}

/// UDP port of VXLAN.
pub const VXLAN_PORT: u16 = 4789;
/// UDP port of GTP-U.
pub const GTPU_PORT: u16 = 2152;

/// The inner packet of a GRE packet: its kind and offset in `gre`.
pub fn gre(gre: &[u8]) -> Option<(Payload, usize)> {
    let flags = u16::from_be_bytes([*gre.first()?, *gre.get(1)?]);
    let proto = u16::from_be_bytes([*gre.get(2)?, *gre.get(3)?]);
    let version = flags & 7;
    let mut off = 4;
    match version {
        0 => {
            if flags & 0x8000 != 0 || flags & 0x4000 != 0 {
                off += 4; // checksum and offset (present when C or R is set)
            }
            if flags & 0x2000 != 0 {
                off += 4; // key
            }
            if flags & 0x1000 != 0 {
                off += 4; // sequence number
            }
        }
        1 => {
            off += 4; // payload length and call id
            if flags & 0x1000 != 0 {
                off += 4;
            }
            if flags & 0x0080 != 0 {
                off += 4; // acknowledgment number
            }
        }
        _ => return None,
    }
    let rest = gre.get(off..)?;
    match proto {
        ether_type::IPV4 | ether_type::IPV6 => Some((Payload::Ip, off)),
        ether_type::TEB => Some((Payload::Ethernet, off)),
        ether_type::PPP => ppp(rest).map(|(p, o)| (p, off + o)),
        _ => None,
    }
}

/// A PPP frame (address and control optional, protocol 1 or 2 bytes) carrying IP.
pub fn ppp(p: &[u8]) -> Option<(Payload, usize)> {
    let mut off = 0;
    if p.first() == Some(&0xff) && p.get(1) == Some(&0x03) {
        off = 2;
    }
    let b0 = *p.get(off)?;
    let (proto, len) =
        if b0 & 1 == 1 { (b0 as u16, 1) } else { (u16::from_be_bytes([b0, *p.get(off + 1)?]), 2) };
    match proto {
        0x21 | 0x57 => Some((Payload::Ip, off + len)),
        _ => None,
    }
}

/// The Ethernet frame inside a VXLAN header (8 bytes, I flag set).
pub fn vxlan(p: &[u8]) -> Option<(Payload, usize)> {
    (p.len() >= 8 && p[0] & 0x08 != 0).then_some((Payload::Ethernet, 8))
}

/// The IP packet of a GTP-U G-PDU (version 1, message type 255), after optional fields and
/// extension headers.
pub fn gtpu(p: &[u8]) -> Option<(Payload, usize)> {
    let flags = *p.first()?;
    if flags >> 5 != 1 || *p.get(1)? != 255 {
        return None;
    }
    let mut off = 8;
    if flags & 0x07 != 0 {
        let mut next = *p.get(11)?;
        off = 12;
        if flags & 0x04 != 0 {
            while next != 0 {
                let len = *p.get(off)? as usize * 4;
                if len == 0 {
                    return None;
                }
                next = *p.get(off + len - 1)?;
                off += len;
            }
        }
    }
    match p.get(off)? >> 4 {
        4 | 6 => Some((Payload::Ip, off)),
        _ => None,
    }
}

/// The packet under an MPLS label stack: IP (by version nibble) or an Ethernet pseudowire
/// with a control word (first nibble 0).
pub fn mpls(p: &[u8]) -> Option<(Payload, usize)> {
    let mut off = 0;
    loop {
        let entry = p.get(off..off + 4)?;
        off += 4;
        if entry[2] & 1 == 1 {
            break;
        }
        if off > 64 {
            return None;
        }
    }
    match p.get(off)? >> 4 {
        4 | 6 => Some((Payload::Ip, off)),
        0 if p.len() >= off + 4 + 14 => Some((Payload::Ethernet, off + 4)),
        _ => None,
    }
}

/// The IP packet of a PPPoE session frame (6-byte header, then PPP protocol 0x0021/0x0057).
pub fn pppoe_session(p: &[u8]) -> Option<(Payload, usize)> {
    if p.len() < 8 || p[1] != 0 {
        return None;
    }
    match u16::from_be_bytes([p[6], p[7]]) {
        0x0021 | 0x0057 => Some((Payload::Ip, 8)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gre_variants() {
        assert_eq!(gre(&[0, 0, 0x08, 0, 0x45]), Some((Payload::Ip, 4)));
        assert_eq!(gre(&[0x20, 0, 0x65, 0x58, 0, 0, 0, 1, 0]), Some((Payload::Ethernet, 8)));
        // PPTP GRE v1 with sequence number, carrying PPP/IPv4.
        let v1 = [0x30, 0x01, 0x88, 0x0b, 0, 40, 0, 1, 0, 0, 0, 5, 0xff, 0x03, 0x00, 0x21, 0x45];
        assert_eq!(gre(&v1), Some((Payload::Ip, 16)));
        assert_eq!(gre(&[0, 0, 0x08]), None);
        assert_eq!(gre(&[0x80, 0, 0x08, 0]), None);
        assert_eq!(gre(&[0, 2, 0x08, 0, 0x45]), None);
    }

    #[test]
    fn gtp_vxlan_mpls_pppoe() {
        let g = [0x30, 0xff, 0, 4, 0, 0, 0, 1, 0x45];
        assert_eq!(gtpu(&g), Some((Payload::Ip, 8)));
        // Sequence flag and one extension header (length 1 = 4 bytes, next type 0).
        let g = [0x36, 0xff, 0, 8, 0, 0, 0, 1, 0, 1, 0, 0x85, 1, 0x10, 0, 0, 0x60];
        assert_eq!(gtpu(&g), Some((Payload::Ip, 16)));
        let bad = [0x34, 0xff, 0, 8, 0, 0, 0, 1, 0, 1, 0, 0x85, 0, 0];
        assert_eq!(gtpu(&bad), None);
        assert_eq!(gtpu(&g[..10]), None);
        assert_eq!(vxlan(&[8, 0, 0, 0, 0, 0, 1, 0]), Some((Payload::Ethernet, 8)));
        assert_eq!(vxlan(&[8, 0, 0]), None);
        assert_eq!(mpls(&[0x03, 0xe8, 0x01, 0x7e, 0x45]), Some((Payload::Ip, 4)));
        assert_eq!(mpls(&[0, 0, 0, 0, 0, 0, 0, 0]), None);
        assert_eq!(mpls(&[0, 0x10, 0x01, 0xff]), None);
        assert_eq!(pppoe_session(&[0x11, 0, 0, 0x11, 0, 20, 0, 0x21, 0x45]), Some((Payload::Ip, 8)));
        assert_eq!(pppoe_session(&[0x11, 0, 0, 0x11, 0, 20, 0xc0, 0x21]), None);
        assert_eq!(ppp(&[0x21, 0x45]), Some((Payload::Ip, 1)));
    }
}
