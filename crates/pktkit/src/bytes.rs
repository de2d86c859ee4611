//! Bounds-checked big-endian reads from a byte slice: the one pair of helpers every parser,
//! printer and matcher uses to read a header field that may be missing.

/// The big-endian u16 at `at`, or None when the slice ends first.
#[inline]
pub fn be16(data: &[u8], at: usize) -> Option<u16> {
    let b = data.get(at..at.checked_add(2)?)?;
    Some(u16::from_be_bytes([b[0], b[1]]))
}

/// The big-endian u32 at `at`, or None when the slice ends first.
#[inline]
pub fn be32(data: &[u8], at: usize) -> Option<u32> {
    let b = data.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_inside_and_refuses_past_the_end() {
        let d = [1, 2, 3, 4, 5];
        assert_eq!(be16(&d, 3), Some(0x0405));
        assert_eq!(be16(&d, 4), None);
        assert_eq!(be32(&d, 1), Some(0x0203_0405));
        assert_eq!(be32(&d, 2), None);
        assert_eq!(be16(&d, usize::MAX), None);
        assert_eq!(be32(&d, usize::MAX - 1), None);
    }
}
