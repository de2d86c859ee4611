//! IEEE 802.1D/802.1w/802.1Q spanning-tree BPDUs (STP, RSTP, MSTP; SPB's extension is only
//! recognised): a zero-copy view with the fields at their IEEE offsets.

use crate::bytes::{be16, be32};

/// Protocol version numbers.
pub mod version {
    /// 802.1D STP.
    pub const STP: u8 = 0;
    /// 802.1w Rapid STP.
    pub const RSTP: u8 = 2;
    /// 802.1s/802.1Q Multiple STP.
    pub const MSTP: u8 = 3;
    /// 802.1aq Shortest Path Bridging.
    pub const SPB: u8 = 4;
}

/// BPDU types.
pub mod bpdu_type {
    /// Configuration BPDU.
    pub const CONFIG: u8 = 0x00;
    /// RST/MST BPDU.
    pub const RSTP: u8 = 0x02;
    /// Topology change notification.
    pub const TOPOLOGY_CHANGE: u8 = 0x80;
}

/// Field offsets from the start of the BPDU.
pub mod field {
    /// Protocol identifier (2 bytes, 0).
    pub const PROTOCOL_ID: usize = 0;
    /// Protocol version (1 byte).
    pub const VERSION: usize = 2;
    /// BPDU type (1 byte).
    pub const TYPE: usize = 3;
    /// Flags (1 byte).
    pub const FLAGS: usize = 4;
    /// Root bridge identifier (8 bytes).
    pub const ROOT_ID: usize = 5;
    /// Root path cost (4 bytes).
    pub const ROOT_PATH_COST: usize = 13;
    /// Bridge identifier (8 bytes).
    pub const BRIDGE_ID: usize = 17;
    /// Port identifier (2 bytes).
    pub const PORT_ID: usize = 25;
    /// Message age, 1/256 s (2 bytes).
    pub const MESSAGE_AGE: usize = 27;
    /// Max age (2 bytes).
    pub const MAX_AGE: usize = 29;
    /// Hello time (2 bytes).
    pub const HELLO_TIME: usize = 31;
    /// Forward delay (2 bytes).
    pub const FORWARD_DELAY: usize = 33;
    /// Version 1 length (1 byte, RSTP and later).
    pub const V1_LENGTH: usize = 35;
    /// Version 3 length (2 bytes, MSTP).
    pub const V3_LENGTH: usize = 36;
    /// MST configuration name (32 bytes).
    pub const MST_CONFIG_NAME: usize = 39;
    /// MST configuration revision (2 bytes).
    pub const MST_REVISION: usize = 71;
    /// MST configuration digest (16 bytes).
    pub const MST_DIGEST: usize = 73;
    /// CIST internal root path cost (4 bytes).
    pub const CIST_INTERNAL_COST: usize = 89;
    /// CIST bridge identifier (8 bytes).
    pub const CIST_BRIDGE_ID: usize = 93;
    /// CIST remaining hops (1 byte).
    pub const CIST_REMAINING_HOPS: usize = 101;
    /// First MSTI configuration message.
    pub const MSTI: usize = 102;
}

/// Length of a configuration BPDU (through the forward delay).
pub const CONFIG_LEN: usize = 35;
/// Length of an RST BPDU (with the version 1 length).
pub const RSTP_LEN: usize = 36;
/// Shortest MST BPDU.
pub const MSTP_MIN_LEN: usize = 102;
/// Bytes of the MST configuration identifier and CIST fields counted by the v3 length.
pub const MST_CONFIG_INFO_LEN: usize = 64;
/// Length of one MSTI configuration message.
pub const MSTI_LEN: usize = 16;
/// Units of the timer fields per second.
pub const TIME_UNITS: u32 = 256;

/// A timer field (in [`TIME_UNITS`] per second) in seconds.
pub fn seconds(units: u16) -> f64 {
    units as f64 / TIME_UNITS as f64
}

/// An 8-byte bridge identifier's priority (its top 4 bits, a multiple of 4096) and system
/// id extension (the other 12 bits of its first two bytes); the MAC address follows them.
pub fn priority_ext(id: &[u8; 8]) -> (u16, u16) {
    let v = u16::from_be_bytes([id[0], id[1]]);
    (v & 0xf000, v & 0x0fff)
}

/// A BPDU (borrowed; accessors return None for fields the capture cut).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bpdu<'a> {
    /// The BPDU's bytes as captured.
    pub data: &'a [u8],
}

/// One MSTI configuration message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Msti<'a> {
    /// Its 16 bytes.
    pub data: &'a [u8; MSTI_LEN],
}

impl Msti<'_> {
    /// Flags (as the BPDU flags).
    pub fn flags(&self) -> u8 {
        self.data[0]
    }
    /// The MSTI number (the low 12 bits of the regional root's priority).
    pub fn id(&self) -> u16 {
        u16::from_be_bytes([self.data[1], self.data[2]]) & 0x0fff
    }
    /// Regional root identifier.
    pub fn regional_root(&self) -> &[u8] {
        &self.data[1..9]
    }
    /// Internal root path cost.
    pub fn path_cost(&self) -> u32 {
        u32::from_be_bytes([self.data[9], self.data[10], self.data[11], self.data[12]])
    }
    /// Bridge priority (high nibble).
    pub fn bridge_priority(&self) -> u8 {
        self.data[13] >> 4
    }
    /// Port priority (high nibble).
    pub fn port_priority(&self) -> u8 {
        self.data[14] >> 4
    }
    /// Remaining hops.
    pub fn remaining_hops(&self) -> u8 {
        self.data[15]
    }
}

impl<'a> Bpdu<'a> {
    /// A view of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Bpdu { data }
    }
    /// Protocol identifier (0 for every spanning tree version).
    pub fn protocol_id(&self) -> Option<u16> {
        be16(self.data, field::PROTOCOL_ID)
    }
    /// Protocol version.
    pub fn version(&self) -> Option<u8> {
        self.data.get(field::VERSION).copied()
    }
    /// BPDU type.
    pub fn bpdu_type(&self) -> Option<u8> {
        self.data.get(field::TYPE).copied()
    }
    /// Flags.
    pub fn flags(&self) -> Option<u8> {
        self.data.get(field::FLAGS).copied()
    }
    /// The port role of RSTP and MSTP flags (bits 2-3).
    pub fn port_role(flags: u8) -> u8 {
        (flags & 0x0c) >> 2
    }
    /// An 8-byte bridge identifier at `offset`.
    pub fn bridge_id_at(&self, offset: usize) -> Option<&'a [u8]> {
        self.data.get(offset..offset + 8)
    }
    /// A 2-byte field.
    pub fn u16_at(&self, offset: usize) -> Option<u16> {
        be16(self.data, offset)
    }
    /// A 4-byte field.
    pub fn u32_at(&self, offset: usize) -> Option<u32> {
        be32(self.data, offset)
    }
    /// A 1-byte field.
    pub fn u8_at(&self, offset: usize) -> Option<u8> {
        self.data.get(offset).copied()
    }
    /// The MSTI messages the v3 length announces (those captured).
    pub fn mstis(&self) -> impl Iterator<Item = Msti<'a>> + 'a {
        let v3 = self.u16_at(field::V3_LENGTH).unwrap_or(0) as usize;
        let count = v3.saturating_sub(MST_CONFIG_INFO_LEN) / MSTI_LEN;
        let data = self.data;
        (0..count).map_while(move |i| {
            let at = field::MSTI + i * MSTI_LEN;
            data.get(at..at + MSTI_LEN).and_then(|d| d.try_into().ok()).map(|data| Msti { data })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A configuration BPDU from the corpus (Stp.pcap frame 1, after the LLC header).
    pub(crate) const CONFIG: [u8; 35] = [
        0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x64, 0x00, 0x1c, 0x0e, 0x87, 0x78, 0x00, 0x00, 0x00, 0x00, 0x04,
        0x80, 0x64, 0x00, 0x1c, 0x0e, 0x87, 0x85, 0x00, 0x80, 0x04, 0x01, 0x00, 0x14, 0x00, 0x02, 0x00, 0x0f,
        0x00,
    ];

    #[test]
    fn reads_a_config_bpdu() {
        let b = Bpdu::new(&CONFIG);
        assert_eq!(
            (b.protocol_id(), b.version(), b.bpdu_type(), b.flags()),
            (Some(0), Some(0), Some(0), Some(0))
        );
        assert_eq!(b.bridge_id_at(field::BRIDGE_ID), Some(&CONFIG[17..25]));
        assert_eq!(b.u16_at(field::PORT_ID), Some(0x8004));
        assert_eq!(b.u32_at(field::ROOT_PATH_COST), Some(4));
        assert_eq!(b.mstis().count(), 0);
        assert_eq!(Bpdu::new(&CONFIG[..20]).u16_at(field::PORT_ID), None);
    }

    #[test]
    fn mstis_stop_at_the_capture() {
        let mut m = vec![0u8; field::MSTI + 2 * MSTI_LEN];
        m[field::V3_LENGTH + 1] = (MST_CONFIG_INFO_LEN + 3 * MSTI_LEN) as u8;
        m[field::MSTI + 1] = 0x80;
        m[field::MSTI + 2] = 0x05;
        let b = Bpdu::new(&m);
        let v: Vec<_> = b.mstis().map(|x| x.id()).collect();
        assert_eq!(v, [5, 0]);
    }
}
