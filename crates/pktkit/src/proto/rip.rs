//! RIP (RFC 1058, RFC 2453) header: command and version.

/// RIP's UDP port.
pub const PORT: u16 = 520;
/// Header length (command, version, two zero bytes).
pub const HEADER_LEN: usize = 4;

/// Reads the command and version of a RIP message; None when its header was cut.
pub fn command_version(data: &[u8]) -> Option<(u8, u8)> {
    let h = data.first_chunk::<HEADER_LEN>()?;
    Some((h[0], h[1]))
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_the_header() {
        assert_eq!(super::command_version(&[2, 1, 0, 0]), Some((2, 1)));
        assert_eq!(super::command_version(&[2, 1, 0]), None);
    }
}
