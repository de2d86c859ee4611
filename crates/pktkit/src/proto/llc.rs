//! IEEE 802.2 LLC headers (after an 802.3 length field, or Linux cooked protocol 0x0004) and
//! the SNAP extension (RFC 1042): DSAP, SSAP, control, and for SNAP the OUI and protocol id.

/// Service access points that pktkit names.
pub mod sap {
    /// SNAP (RFC 1042).
    pub const SNAP: u8 = 0xaa;
    /// IEEE 802.1D spanning tree.
    pub const STP: u8 = 0x42;
    /// Internet Protocol (RFC 948).
    pub const IP: u8 = 0x06;
    /// Novell IPX.
    pub const IPX: u8 = 0xe0;
    /// ISO network layer (CLNS).
    pub const ISO_NS: u8 = 0xfe;
    /// NetBIOS.
    pub const NETBEUI: u8 = 0xf0;
    /// Global DSAP (also the start of a raw 802.3 IPX frame).
    pub const GLOBAL: u8 = 0xff;
}

/// The Unnumbered Information control value.
pub const CONTROL_UI: u16 = 0x03;
/// Low bits of a one-byte (unnumbered, U-format) control field.
const U_FORMAT: u8 = 0x03;
/// The individual/group bit of the DSAP.
pub const DSAP_GROUP: u8 = 0x01;
/// The command/response bit of the SSAP.
pub const SSAP_RESPONSE: u8 = 0x01;
/// Length of a SNAP header (OUI and protocol id).
pub const SNAP_LEN: usize = 5;
/// Cisco's OUI.
pub const OUI_CISCO: u32 = 0x00000c;
/// SNAP protocol id of CDP under Cisco's OUI.
pub const PID_CDP: u16 = 0x2000;
/// SNAP protocol id of Cisco's per-VLAN spanning tree (PVST+) under Cisco's OUI: an STP BPDU.
pub const PID_PVSTP: u16 = 0x010b;

/// An LLC header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Llc {
    /// The DSAP byte, with its group bit.
    pub dsap_field: u8,
    /// The SSAP byte, with its response bit.
    pub ssap_field: u8,
    /// The control field: one byte for U frames, two (little-endian) for I and S frames.
    pub control: u16,
    /// True for a one-byte (unnumbered) control field.
    pub unnumbered: bool,
}

impl Llc {
    /// Parses the header at the start of `data`; None when it is cut.
    pub fn parse(data: &[u8]) -> Option<Llc> {
        let (&dsap_field, &ssap_field, &c0) = (data.first()?, data.get(1)?, data.get(2)?);
        if c0 & U_FORMAT == U_FORMAT {
            Some(Llc { dsap_field, ssap_field, control: c0 as u16, unnumbered: true })
        } else {
            let c1 = *data.get(3)?;
            Some(Llc { dsap_field, ssap_field, control: u16::from_le_bytes([c0, c1]), unnumbered: false })
        }
    }

    /// Header length: 3 for U frames, 4 for I and S frames.
    pub fn header_len(&self) -> usize {
        if self.unnumbered { 3 } else { 4 }
    }

    /// The DSAP without its group bit.
    pub fn dsap(&self) -> u8 {
        self.dsap_field & !DSAP_GROUP
    }

    /// The SSAP without its response bit.
    pub fn ssap(&self) -> u8 {
        self.ssap_field & !SSAP_RESPONSE
    }

    /// True when both SAPs are `sap` and the frame is Unnumbered Information.
    pub fn is_ui_for(&self, sap: u8) -> bool {
        self.dsap() == sap && self.ssap() == sap && self.control == CONTROL_UI
    }
}

/// A SNAP header: the OUI and the protocol id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Snap {
    /// Organizationally unique identifier (24 bits).
    pub oui: u32,
    /// Protocol id (an EtherType when the OUI is 0).
    pub pid: u16,
}

impl Snap {
    /// Parses the five bytes at the start of `data`.
    pub fn parse(data: &[u8]) -> Option<Snap> {
        let h = data.first_chunk::<SNAP_LEN>()?;
        Some(Snap { oui: u32::from_be_bytes([0, h[0], h[1], h[2]]), pid: u16::from_be_bytes([h[3], h[4]]) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_u_and_i_frames() {
        let stp = Llc::parse(&[0x42, 0x42, 0x03, 0x00]).unwrap();
        assert!(stp.unnumbered && stp.is_ui_for(sap::STP) && stp.header_len() == 3);
        let i = Llc::parse(&[0xf0, 0xf1, 0x10, 0x02]).unwrap();
        assert_eq!((i.unnumbered, i.control, i.header_len(), i.ssap()), (false, 0x0210, 4, 0xf0));
        assert_eq!(Llc::parse(&[0xf0, 0xf0, 0x10]), None);
        assert_eq!(Llc::parse(&[0xaa, 0xaa]), None);
        let snap = Snap::parse(&[0x00, 0x00, 0x0c, 0x20, 0x00]).unwrap();
        assert_eq!((snap.oui, snap.pid), (OUI_CISCO, PID_CDP));
    }
}
