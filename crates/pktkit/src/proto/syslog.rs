//! BSD syslog over UDP (RFC 3164, RFC 5424): the `<PRI>` prefix, facility and severity.

use thiserror::Error;

/// The UDP port of syslog.
pub const PORT: u16 = 514;
/// Digits a priority may have (tcpdump's `SYSLOG_MAX_DIGITS`).
pub const MAX_DIGITS: usize = 3;
/// Bits of the priority that hold the facility (shifted by 3).
const FACILITY_MASK: u16 = 0x03f8;
/// Bits of the priority that hold the severity.
const SEVERITY_MASK: u16 = 0x0007;

/// Why a message has no priority prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum PriorityError {
    #[error("syslog message cut before its priority ends")]
    Truncated,
    #[error("no <PRI> at the start of the message")]
    Invalid,
}

/// A message's priority and where its text starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Priority {
    pub facility: u16,
    pub severity: u16,
    /// Offset of the text after `>`.
    pub text_at: usize,
}

impl Priority {
    /// Reads `<PRI>`: `<`, up to [`MAX_DIGITS`] decimal digits, `>`.
    pub fn parse(data: &[u8]) -> Result<Priority, PriorityError> {
        let at = |i: usize| data.get(i).copied().ok_or(PriorityError::Truncated);
        if at(0)? != b'<' {
            return Err(PriorityError::Invalid);
        }
        let mut i = 1;
        let mut pri: u16 = 0;
        while i <= MAX_DIGITS && at(i)?.is_ascii_digit() {
            pri = pri * 10 + (at(i)? - b'0') as u16;
            i += 1;
        }
        if at(i)? != b'>' {
            return Err(PriorityError::Invalid);
        }
        Ok(Priority { facility: (pri & FACILITY_MASK) >> 3, severity: pri & SEVERITY_MASK, text_at: i + 1 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_priority() {
        assert_eq!(Priority::parse(b"<13>Sep 12"), Ok(Priority { facility: 1, severity: 5, text_at: 4 }));
        assert_eq!(Priority::parse(b"<0>x"), Ok(Priority { facility: 0, severity: 0, text_at: 3 }));
        assert_eq!(Priority::parse(b"<1234>"), Err(PriorityError::Invalid));
        assert_eq!(Priority::parse(b"13>"), Err(PriorityError::Invalid));
        assert_eq!(Priority::parse(b"<13"), Err(PriorityError::Truncated));
    }
}
