//! sFlow version 5 datagrams (sflow.org's sFlow Version 5): the header with the agent
//! address, and the sample headers that follow it.

use thiserror::Error;

/// The UDP port of sFlow collectors.
pub const PORT: u16 = 6343;
/// The version this module reads.
pub const VERSION_5: u32 = 5;
/// Header length with an IPv4 agent address.
pub const HEADER_V4_LEN: usize = 28;
/// Header length with an IPv6 agent address.
pub const HEADER_V6_LEN: usize = 40;
/// A sample's format and length.
pub const SAMPLE_HEADER_LEN: usize = 8;
/// Bits of a sample's format word that hold its type (the rest is the enterprise).
pub const SAMPLE_TYPE_MASK: u32 = 0x0fff;

/// Agent address types.
pub mod address {
    pub const IPV4: u32 = 1;
    pub const IPV6: u32 = 2;
}

/// Sample types (enterprise 0).
pub mod sample {
    pub const FLOW: u32 = 1;
    pub const COUNTER: u32 = 2;
    pub const EXPANDED_FLOW: u32 = 3;
    pub const EXPANDED_COUNTER: u32 = 4;
}

/// Why a datagram header could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum HeaderError {
    #[error("sFlow header needs {needed} bytes, {captured} captured")]
    Truncated { needed: usize, captured: usize },
}

/// A datagram header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header<'a> {
    pub version: u32,
    /// [`address::IPV4`] or [`address::IPV6`]; any other value reads as IPv4's layout.
    pub address_type: u32,
    /// 4 or 16 bytes.
    pub agent: &'a [u8],
    pub agent_id: u32,
    pub sequence: u32,
    pub uptime: u32,
    pub samples: u32,
}

fn word(data: &[u8], at: usize) -> Option<u32> {
    data.get(at..at + 4).map(|w| u32::from_be_bytes([w[0], w[1], w[2], w[3]]))
}

impl<'a> Header<'a> {
    /// The header's length for this address type.
    pub fn len_for(address_type: u32) -> usize {
        if address_type == address::IPV6 { HEADER_V6_LEN } else { HEADER_V4_LEN }
    }

    /// Parses the header at the start of `data`.
    pub fn parse(data: &'a [u8]) -> Result<Header<'a>, HeaderError> {
        let cut = |needed| HeaderError::Truncated { needed, captured: data.len() };
        let address_type = word(data, 4).ok_or(cut(8))?;
        let needed = Self::len_for(address_type);
        if data.len() < needed {
            return Err(cut(needed));
        }
        let agent_len = needed - HEADER_V4_LEN + 4;
        let at = 8 + agent_len;
        Ok(Header {
            version: word(data, 0).ok_or(cut(4))?,
            address_type,
            agent: &data[8..at],
            agent_id: word(data, at).ok_or(cut(needed))?,
            sequence: word(data, at + 4).ok_or(cut(needed))?,
            uptime: word(data, at + 8).ok_or(cut(needed))?,
            samples: word(data, at + 12).ok_or(cut(needed))?,
        })
    }
}

/// A sample's header: its type (enterprise bits masked off) and length.
pub fn sample_header(data: &[u8]) -> Option<(u32, u32)> {
    Some((word(data, 0)? & SAMPLE_TYPE_MASK, word(data, 4)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_v4_and_v6_headers() {
        let mut p = vec![0, 0, 0, 5, 0, 0, 0, 1, 10, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 7];
        let h = Header::parse(&p).unwrap();
        assert_eq!(
            (h.version, h.agent, h.agent_id, h.sequence, h.uptime, h.samples),
            (5, &[10, 0, 0, 1][..], 2, 3, 4, 7)
        );
        p[7] = 2;
        assert_eq!(Header::parse(&p), Err(HeaderError::Truncated { needed: 40, captured: 28 }));
        p.extend_from_slice(&[0; 12]);
        assert_eq!(Header::parse(&p).unwrap().agent.len(), 16);
        assert_eq!(sample_header(&[0, 0, 0x10, 4, 0, 0, 0, 172]), Some((sample::EXPANDED_COUNTER, 172)));
    }
}
