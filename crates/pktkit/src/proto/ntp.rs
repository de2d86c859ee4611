//! NTP (RFC 5905) packet header: the leap indicator, version and mode byte.

/// NTP's port.
pub const PORT: u16 = 123;

/// Association modes (the low three bits of the first byte).
pub mod mode {
    /// Reserved.
    pub const UNSPECIFIED: u8 = 0;
    /// Symmetric active.
    pub const SYMMETRIC_ACTIVE: u8 = 1;
    /// Symmetric passive.
    pub const SYMMETRIC_PASSIVE: u8 = 2;
    /// Client.
    pub const CLIENT: u8 = 3;
    /// Server.
    pub const SERVER: u8 = 4;
    /// Broadcast.
    pub const BROADCAST: u8 = 5;
    /// NTP control message.
    pub const CONTROL: u8 = 6;
    /// Reserved for private use.
    pub const PRIVATE: u8 = 7;
}

/// Length of a time message without extensions (RFC 5905's header, 48 bytes).
pub const TIME_MESSAGE_LEN: usize = 48;

/// Stratum values that print specially.
pub mod stratum {
    /// Unspecified or invalid.
    pub const UNSPECIFIED: u8 = 0;
    /// Primary reference (a reference clock; the reference id is text).
    pub const PRIMARY: u8 = 1;
    /// ntpd's implementation-dependent information query.
    pub const INFO_QUERY: u8 = 62;
    /// ntpd's implementation-dependent information reply.
    pub const INFO_REPLY: u8 = 63;
}

/// Leap indicator values (the top two bits of the first byte, shifted down).
pub mod leap {
    /// No warning.
    pub const NO_WARNING: u8 = 0;
    /// The last minute of the day has 61 seconds.
    pub const LAST_MINUTE_61: u8 = 1;
    /// The last minute of the day has 59 seconds.
    pub const LAST_MINUTE_59: u8 = 2;
    /// Clock unsynchronized.
    pub const UNSYNCHRONIZED: u8 = 3;
}

/// The first byte of an NTP packet, split.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Status {
    /// Leap indicator (two bits).
    pub leap: u8,
    /// Version (three bits).
    pub version: u8,
    /// Mode (three bits).
    pub mode: u8,
}

/// Reads the status byte at the start of `data`.
pub fn status(data: &[u8]) -> Option<Status> {
    let &b = data.first()?;
    Some(Status { leap: b >> 6, version: (b >> 3) & 7, mode: b & 7 })
}

#[cfg(test)]
mod tests {
    #[test]
    fn splits_the_status_byte() {
        assert_eq!(
            super::status(&[0x23]),
            Some(super::Status { leap: 0, version: 4, mode: super::mode::CLIENT })
        );
        assert_eq!(super::status(&[0xdc]).map(|s| (s.leap, s.version, s.mode)), Some((3, 3, 4)));
        assert_eq!(super::status(&[]), None);
    }
}
