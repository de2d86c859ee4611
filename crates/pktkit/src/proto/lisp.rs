//! LISP control messages (RFC 6830, RFC 9301): the Map-Register and Map-Notify header, EID
//! records and their locators.

/// The UDP port of LISP control messages.
pub const PORT: u16 = 4342;
/// Type, flags, record count, nonce, key id, authentication data length.
pub const HEADER_LEN: usize = 16;
/// An EID record up to its prefix: TTL, locator count, mask, flags, version, prefix AFI.
pub const RECORD_LEN: usize = 12;
/// A locator up to its address: priorities, weights, flags, AFI.
pub const LOCATOR_LEN: usize = 8;
/// The xTR-ID (16 bytes) and site-ID (8 bytes) after the records.
pub const XTR_SITE_LEN: usize = 24;

/// Message types (the top 4 bits of the first byte).
pub mod kind {
    pub const MAP_REGISTER: u8 = 3;
    pub const MAP_NOTIFY: u8 = 4;
}

/// Address family numbers (IANA) of prefixes and locators.
pub mod afi {
    pub const IPV4: u16 = 1;
    pub const IPV6: u16 = 2;
}

/// The address length of an AFI LISP's printers read.
pub fn address_len(afi: u16) -> Option<usize> {
    match afi {
        afi::IPV4 => Some(4),
        afi::IPV6 => Some(16),
        _ => None,
    }
}

/// A Map-Register or Map-Notify header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// The message type ([`kind`]).
    pub kind: u8,
    /// The first 32-bit word: type, flags, record count.
    pub first_word: u32,
    pub records: u8,
    pub key_id: u16,
    pub auth_len: u16,
}

impl Header {
    /// None when fewer than [`HEADER_LEN`] bytes were captured.
    pub fn parse(data: &[u8]) -> Option<Header> {
        let h = data.first_chunk::<HEADER_LEN>()?;
        Some(Header {
            kind: h[0] >> 4,
            first_word: u32::from_be_bytes([h[0], h[1], h[2], h[3]]),
            records: h[3],
            key_id: u16::from_be_bytes([h[12], h[13]]),
            auth_len: u16::from_be_bytes([h[14], h[15]]),
        })
    }

    /// The I bit: an xTR-ID and site-ID follow the records.
    pub fn xtr_present(&self) -> bool {
        let flags = (self.first_word >> 24) as u8;
        match self.kind {
            kind::MAP_REGISTER => flags & 0x02 != 0,
            kind::MAP_NOTIFY => flags & 0x08 != 0,
            _ => false,
        }
    }
}

/// An EID record's fixed part.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record {
    pub ttl: u32,
    pub locators: u8,
    pub mask_len: u8,
    /// Action (3 bits), authoritative bit, ...
    pub flags: u8,
    pub map_version: u16,
    pub afi: u16,
}

impl Record {
    /// None when fewer than [`RECORD_LEN`] bytes were captured.
    pub fn parse(data: &[u8]) -> Option<Record> {
        let r = data.first_chunk::<RECORD_LEN>()?;
        Some(Record {
            ttl: u32::from_be_bytes([r[0], r[1], r[2], r[3]]),
            locators: r[4],
            mask_len: r[5],
            flags: r[6],
            map_version: u16::from_be_bytes([r[8], r[9]]) & 0x0fff,
            afi: u16::from_be_bytes([r[10], r[11]]),
        })
    }

    pub fn authoritative(&self) -> bool {
        self.flags & 0x10 != 0
    }

    pub fn action(&self) -> u8 {
        self.flags >> 5
    }
}

/// A locator's fixed part.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Locator {
    pub priority: u8,
    pub weight: u8,
    pub multicast_priority: u8,
    pub multicast_weight: u8,
    pub flags: u16,
    pub afi: u16,
}

impl Locator {
    /// None when fewer than [`LOCATOR_LEN`] bytes were captured.
    pub fn parse(data: &[u8]) -> Option<Locator> {
        let l = data.first_chunk::<LOCATOR_LEN>()?;
        Some(Locator {
            priority: l[0],
            weight: l[1],
            multicast_priority: l[2],
            multicast_weight: l[3],
            flags: u16::from_be_bytes([l[4], l[5]]),
            afi: u16::from_be_bytes([l[6], l[7]]),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_header_record_and_locator() {
        let h = Header::parse(&[0x3a, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 20]).unwrap();
        assert_eq!(
            (h.kind, h.records, h.key_id, h.auth_len, h.xtr_present()),
            (kind::MAP_REGISTER, 2, 1, 20, true)
        );
        assert_eq!(Header::parse(&[0; 15]), None);
        let r = Record::parse(&[0, 0, 5, 0xa0, 1, 32, 0x10, 0, 0x10, 7, 0, 1]).unwrap();
        assert_eq!((r.ttl, r.locators, r.mask_len, r.map_version, r.afi), (1440, 1, 32, 7, afi::IPV4));
        assert!(r.authoritative() && r.action() == 0);
        let l = Locator::parse(&[1, 100, 1, 100, 0, 5, 0, 2]).unwrap();
        assert_eq!((l.priority, l.weight, l.flags, l.afi), (1, 100, 5, afi::IPV6));
        assert_eq!(address_len(3), None);
    }
}
