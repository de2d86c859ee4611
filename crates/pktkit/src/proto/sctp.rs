//! SCTP (RFC 9260): the common header, chunk headers, and the fixed parts of the DATA, INIT
//! and SACK chunks; M3UA's common header (RFC 4666) and ForCES' message type (RFC 5810) that
//! ride in DATA chunks.

use thiserror::Error;

/// The common header: ports, verification tag, checksum.
pub const HEADER_LEN: usize = 12;
/// A chunk's type, flags and length.
pub const CHUNK_HEADER_LEN: usize = 4;
/// A DATA chunk's TSN, stream id, stream sequence and payload protocol id.
pub const DATA_LEN: usize = 12;
/// An INIT or INIT ACK chunk's fixed part.
pub const INIT_LEN: usize = 16;
/// A SACK chunk's fixed part.
pub const SACK_LEN: usize = 12;
/// A SACK gap ack block, and a duplicate TSN.
pub const SACK_ENTRY_LEN: usize = 4;

/// Chunk types.
pub mod chunk {
    pub const DATA: u8 = 0x00;
    pub const INIT: u8 = 0x01;
    pub const INIT_ACK: u8 = 0x02;
    pub const SACK: u8 = 0x03;
    pub const HEARTBEAT: u8 = 0x04;
    pub const HEARTBEAT_ACK: u8 = 0x05;
    pub const ABORT: u8 = 0x06;
    pub const SHUTDOWN: u8 = 0x07;
    pub const SHUTDOWN_ACK: u8 = 0x08;
    pub const ERROR: u8 = 0x09;
    pub const COOKIE_ECHO: u8 = 0x0a;
    pub const COOKIE_ACK: u8 = 0x0b;
    pub const ECNE: u8 = 0x0c;
    pub const CWR: u8 = 0x0d;
    pub const SHUTDOWN_COMPLETE: u8 = 0x0e;
    /// RFC 3758's FORWARD TSN.
    pub const FORWARD_TSN: u8 = 0xc0;
    /// ASCONF (RFC 5061), which tcpdump names "REL CTRL".
    pub const ASCONF: u8 = 0xc1;
    /// ASCONF-ACK, tcpdump's "REL CTRL ACK".
    pub const ASCONF_ACK: u8 = 0xc2;
}

/// DATA chunk flags.
pub mod data_flag {
    pub const UNORDERED: u8 = 0x04;
    pub const BEGINNING: u8 = 0x02;
    pub const ENDING: u8 = 0x01;
}

/// Payload protocol identifiers (IANA "SCTP Payload Protocol Identifiers").
pub mod ppid {
    pub const M3UA: u32 = 3;
    pub const FORCES_HP: u32 = 21;
    pub const FORCES_MP: u32 = 22;
    pub const FORCES_LP: u32 = 23;
}

/// RFC 5811's ForCES ports: high, medium and low priority channels.
pub const FORCES_PORTS: [u16; 3] = [6704, 6705, 6706];

/// Why a chunk could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum ChunkError {
    #[error("chunk header needs {CHUNK_HEADER_LEN} bytes, {0} left")]
    HeaderCut(usize),
    #[error("chunk length {0} is shorter than its header")]
    TooShort(u16),
    #[error("chunk length {length} needs {needed} bytes, {captured} captured")]
    Truncated { length: u16, needed: usize, captured: usize },
}

/// One chunk: its header fields and its value (after the 4-byte header, as long as the chunk
/// length says, all of it captured).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chunk<'a> {
    pub kind: u8,
    pub flags: u8,
    pub length: u16,
    pub value: &'a [u8],
}

impl<'a> Chunk<'a> {
    /// The chunk at the start of `data`.
    pub fn parse(data: &'a [u8]) -> Result<Chunk<'a>, ChunkError> {
        let h = data.first_chunk::<CHUNK_HEADER_LEN>().ok_or(ChunkError::HeaderCut(data.len()))?;
        let length = u16::from_be_bytes([h[2], h[3]]);
        if (length as usize) < CHUNK_HEADER_LEN {
            return Err(ChunkError::TooShort(length));
        }
        let value = data.get(CHUNK_HEADER_LEN..length as usize).ok_or(ChunkError::Truncated {
            length,
            needed: length as usize,
            captured: data.len(),
        })?;
        Ok(Chunk { kind: h[0], flags: h[1], length, value })
    }

    /// Bytes of padding after the chunk to the next multiple of 4.
    pub fn padding(&self) -> usize {
        (4 - self.length as usize % 4) % 4
    }
}

/// A DATA chunk's fixed part.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Data {
    pub tsn: u32,
    pub stream: u16,
    pub sequence: u16,
    pub ppid: u32,
}

impl Data {
    /// None when the value is shorter than [`DATA_LEN`].
    pub fn parse(value: &[u8]) -> Option<Data> {
        let v = value.first_chunk::<DATA_LEN>()?;
        Some(Data {
            tsn: u32::from_be_bytes([v[0], v[1], v[2], v[3]]),
            stream: u16::from_be_bytes([v[4], v[5]]),
            sequence: u16::from_be_bytes([v[6], v[7]]),
            ppid: u32::from_be_bytes([v[8], v[9], v[10], v[11]]),
        })
    }
}

/// An INIT or INIT ACK chunk's fixed part.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Init {
    pub tag: u32,
    pub rwnd: u32,
    pub outbound_streams: u16,
    pub inbound_streams: u16,
    pub initial_tsn: u32,
}

impl Init {
    /// None when the value is shorter than [`INIT_LEN`].
    pub fn parse(value: &[u8]) -> Option<Init> {
        let v = value.first_chunk::<INIT_LEN>()?;
        Some(Init {
            tag: u32::from_be_bytes([v[0], v[1], v[2], v[3]]),
            rwnd: u32::from_be_bytes([v[4], v[5], v[6], v[7]]),
            outbound_streams: u16::from_be_bytes([v[8], v[9]]),
            inbound_streams: u16::from_be_bytes([v[10], v[11]]),
            initial_tsn: u32::from_be_bytes([v[12], v[13], v[14], v[15]]),
        })
    }
}

/// A SACK chunk's fixed part.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sack {
    pub cumulative_tsn: u32,
    pub rwnd: u32,
    pub gap_blocks: u16,
    pub duplicates: u16,
}

impl Sack {
    /// None when the value is shorter than [`SACK_LEN`].
    pub fn parse(value: &[u8]) -> Option<Sack> {
        let v = value.first_chunk::<SACK_LEN>()?;
        Some(Sack {
            cumulative_tsn: u32::from_be_bytes([v[0], v[1], v[2], v[3]]),
            rwnd: u32::from_be_bytes([v[4], v[5], v[6], v[7]]),
            gap_blocks: u16::from_be_bytes([v[8], v[9]]),
            duplicates: u16::from_be_bytes([v[10], v[11]]),
        })
    }
}

/// M3UA (RFC 4666) carried in DATA chunks of payload protocol [`ppid::M3UA`].
pub mod m3ua {
    /// Version, reserved, class, type, length.
    pub const HEADER_LEN: usize = 8;
    /// A parameter's tag and length.
    pub const PARAM_HEADER_LEN: usize = 4;
    /// The only release.
    pub const VERSION: u8 = 1;

    /// Message classes.
    pub mod class {
        pub const MGMT: u8 = 0;
        pub const TRANSFER: u8 = 1;
        pub const SSNM: u8 = 2;
        pub const ASPSM: u8 = 3;
        pub const ASPTM: u8 = 4;
        pub const RKM: u8 = 9;
    }

    /// Parameter tags whose value is one 32-bit word.
    pub mod tag {
        pub const ROUTING_CONTEXT: u16 = 0x0006;
        pub const CORRELATION_ID: u16 = 0x0013;
        pub const NETWORK_APPEARANCE: u16 = 0x0200;
    }

    /// An M3UA common header.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Header {
        pub version: u8,
        pub class: u8,
        pub kind: u8,
        pub length: u32,
    }

    impl Header {
        /// None when fewer than [`HEADER_LEN`] bytes were captured.
        pub fn parse(data: &[u8]) -> Option<Header> {
            let h = data.first_chunk::<HEADER_LEN>()?;
            Some(Header {
                version: h[0],
                class: h[2],
                kind: h[3],
                length: u32::from_be_bytes([h[4], h[5], h[6], h[7]]),
            })
        }
    }
}

/// ForCES (RFC 5810) carried over SCTP.
pub mod forces {
    /// The common header: version, message type, length in words, ids, correlator, flags.
    pub const HEADER_LEN: usize = 24;

    /// Message types.
    pub mod kind {
        pub const ASSOCIATION_SETUP: u8 = 0x01;
        pub const ASSOCIATION_TEARDOWN: u8 = 0x02;
        pub const CONFIG: u8 = 0x03;
        pub const QUERY: u8 = 0x04;
        pub const EVENT_NOTIFICATION: u8 = 0x05;
        pub const PACKET_REDIRECT: u8 = 0x06;
        pub const HEARTBEAT: u8 = 0x0f;
        pub const ASSOCIATION_RESPONSE: u8 = 0x11;
        pub const CONFIG_RESPONSE: u8 = 0x13;
        pub const QUERY_RESPONSE: u8 = 0x14;
    }

    /// The message length in bytes (the header counts 32-bit words).
    pub fn length(data: &[u8]) -> Option<usize> {
        data.get(2..4).map(|l| (u16::from_be_bytes([l[0], l[1]]) as usize) << 2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_data_chunk() {
        let p = [0, 3, 0, 17, 0, 0, 0, 9, 0, 6, 0, 42, 0, 0, 0, 3, 0xaa, 0, 0, 0];
        let c = Chunk::parse(&p).unwrap();
        assert_eq!((c.kind, c.flags, c.length, c.padding()), (chunk::DATA, 3, 17, 3));
        assert_eq!(Data::parse(c.value), Some(Data { tsn: 9, stream: 6, sequence: 42, ppid: ppid::M3UA }));
        assert_eq!(&c.value[DATA_LEN..], &[0xaa]);
    }

    #[test]
    fn chunk_errors() {
        assert_eq!(Chunk::parse(&[0, 0, 0]), Err(ChunkError::HeaderCut(3)));
        assert_eq!(Chunk::parse(&[0, 0, 0, 3]), Err(ChunkError::TooShort(3)));
        assert_eq!(
            Chunk::parse(&[3, 0, 0, 16, 0, 0]),
            Err(ChunkError::Truncated { length: 16, needed: 16, captured: 6 })
        );
    }

    #[test]
    fn parses_init_and_sack() {
        let init = [0, 0, 0, 1, 0, 1, 0, 0, 0, 10, 0, 11, 0, 0, 1, 0];
        assert_eq!(
            Init::parse(&init),
            Some(Init { tag: 1, rwnd: 65536, outbound_streams: 10, inbound_streams: 11, initial_tsn: 256 })
        );
        assert_eq!(Init::parse(&init[..15]), None);
        let sack = [0, 0, 0, 5, 0, 0, 0xff, 0xff, 0, 1, 0, 2];
        assert_eq!(
            Sack::parse(&sack),
            Some(Sack { cumulative_tsn: 5, rwnd: 0xffff, gap_blocks: 1, duplicates: 2 })
        );
    }

    #[test]
    fn parses_m3ua_and_forces_headers() {
        let h = m3ua::Header::parse(&[1, 0, 1, 1, 0, 0, 0, 16]).unwrap();
        assert_eq!((h.version, h.class, h.kind, h.length), (1, m3ua::class::TRANSFER, 1, 16));
        assert_eq!(forces::length(&[0x10, 0x0f, 0, 6]), Some(24));
    }
}
