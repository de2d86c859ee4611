//! UDP (RFC 768). Parsing is etherparse's [`UdpSlice`] in lax mode (a length field larger than
//! the captured data falls back to the data).

pub use etherparse::UdpSlice;

/// Length of the UDP header.
pub const HEADER_LEN: usize = 8;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lax_lengths() {
        let d = [0x14, 0xe9, 0, 53, 0, 12, 0, 0, 1, 2, 3, 4, 5, 6];
        let u = UdpSlice::from_slice_lax(&d).unwrap();
        assert_eq!((u.source_port(), u.destination_port(), u.length()), (5353, 53, 12));
        assert_eq!(u.payload(), &[1, 2, 3, 4]);
        // Length field past the data: the payload is what was captured.
        let mut long = d;
        long[5] = 200;
        assert_eq!(UdpSlice::from_slice_lax(&long).unwrap().payload().len(), 6);
        assert!(UdpSlice::from_slice_lax(&d[..7]).is_err());
    }
}
