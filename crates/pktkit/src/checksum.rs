//! The Internet checksum (RFC 1071) and its incremental update (RFC 1624): the one
//! implementation behind crafting, defragmentation, tcpdump's `-v` checks, rewriting and the
//! probe templates.

/// The one's-complement sum of `data` as big-endian 16-bit words, an odd last byte padded with
/// zero, not yet folded: add several such sums (and [`pseudo_header_sum`]) before [`fold`].
pub fn sum_words(data: &[u8]) -> u64 {
    let mut words = data.chunks_exact(2);
    let mut sum: u64 = words.by_ref().map(|w| u64::from(u16::from_be_bytes([w[0], w[1]]))).sum();
    if let [last] = words.remainder() {
        sum += u64::from(*last) << 8;
    }
    sum
}

/// Folds a sum of 16-bit words to 16 bits with end-around carry (the one's-complement sum).
pub fn fold(mut sum: u64) -> u16 {
    while sum >> 16 != 0 {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    sum as u16
}

/// The Internet checksum of the concatenation of `parts` (a pseudo-header, then the data): the
/// complement of their folded sum. A part of odd length pairs its last byte with the next
/// part's first, as if the parts were one buffer.
pub fn checksum(parts: &[&[u8]]) -> u16 {
    let mut sum = 0u64;
    let mut odd: Option<u8> = None;
    for part in parts {
        let mut rest = *part;
        if let Some(high) = odd.take() {
            match rest.split_first() {
                Some((&low, tail)) => {
                    sum += u64::from(u16::from_be_bytes([high, low]));
                    rest = tail;
                }
                None => {
                    odd = Some(high);
                    continue;
                }
            }
        }
        let even = rest.len() & !1;
        sum += sum_words(&rest[..even]);
        odd = rest.get(even).copied();
    }
    if let Some(high) = odd {
        sum += u64::from(high) << 8;
    }
    !fold(sum)
}

/// The unfolded sum of the TCP/UDP/ICMPv6 pseudo-header: source and destination address (4
/// bytes each for IPv4, RFC 793/768; 16 for IPv6, RFC 8200 section 8.1), the upper-layer
/// protocol and the upper-layer length.
pub fn pseudo_header_sum(src: &[u8], dst: &[u8], protocol: u8, length: u32) -> u64 {
    sum_words(src)
        + sum_words(dst)
        + u64::from(protocol)
        + u64::from(length >> 16)
        + u64::from(length & 0xffff)
}

/// RFC 1624 eqn. 3, `HC' = ~(~HC + ~m + m')`: the checksum `check` after the covered words
/// whose folded sum was `old` became words whose folded sum is `new`.
pub fn update(check: u16, old: u16, new: u16) -> u16 {
    !fold(u64::from(!check) + u64::from(!old) + u64::from(new))
}

/// tcpdump's `in_cksum_shouldbe`: the value the checksum field should have held, from the
/// field as received and the checksum `computed` over the data with that field in place.
pub fn should_be(field: u16, computed: u16) -> u16 {
    fold(u64::from(field) + u64::from(computed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc1071_example() {
        // RFC 1071's example: 0001 f203 f4f5 f6f7 sums to ddf2; the checksum is its complement.
        let data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        assert_eq!(fold(sum_words(&data)), 0xddf2);
        assert_eq!(checksum(&[&data]), !0xddf2);
    }

    #[test]
    fn parts_join_like_one_buffer() {
        let whole = [1, 2, 3, 4, 5, 6, 7];
        assert_eq!(checksum(&[&whole]), checksum(&[&whole[..1], &whole[1..3], &[], &whole[3..]]));
        assert_eq!(checksum(&[&[1, 2, 3]]), checksum(&[&[1], &[2, 3]]));
        assert_eq!(checksum(&[&[1, 2, 3]]), !0x0402);
        assert_eq!(checksum(&[&[1, 2, 3]]), checksum(&[&[1, 2, 3, 0]]));
        assert_eq!(checksum(&[]), 0xffff);
    }

    #[test]
    fn a_correct_checksum_sums_to_all_ones() {
        // An IPv4 header (RFC 791) with its checksum in place.
        let mut header = [0x45, 0, 0, 0x54, 0x12, 0x34, 0x40, 0, 64, 1, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
        let ck = checksum(&[&header]);
        header[10..12].copy_from_slice(&ck.to_be_bytes());
        assert_eq!(fold(sum_words(&header)), 0xffff);
        assert_eq!(checksum(&[&header]), 0);
    }

    #[test]
    fn incremental_update_matches_a_full_recompute() {
        let mut header = [0x45, 0, 0, 0x54, 0x12, 0x34, 0x40, 0, 64, 1, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
        let ck = checksum(&[&header]);
        header[10..12].copy_from_slice(&ck.to_be_bytes());
        for ttl in [0u8, 1, 63, 255] {
            let old = fold(sum_words(&header[8..10]));
            let mut changed = header;
            changed[8] = ttl;
            let new = fold(sum_words(&changed[8..10]));
            let updated = update(ck, old, new);
            changed[10..12].fill(0);
            assert_eq!(updated, checksum(&[&changed]), "ttl {ttl}");
        }
    }

    #[test]
    fn pseudo_header_of_both_families() {
        let v4 = pseudo_header_sum(&[10, 0, 0, 1], &[10, 0, 0, 2], 17, 8);
        assert_eq!(v4, 0x0a00 + 0x0001 + 0x0a00 + 0x0002 + 17 + 8);
        let big = pseudo_header_sum(&[0; 16], &[0; 16], 6, 0x1_0002);
        assert_eq!(big, 6 + 1 + 2);
    }

    #[test]
    fn should_be_is_tcpdumps() {
        // A field of 0x1234 over data whose checksum came out 0x0f00 should have been 0x2134.
        assert_eq!(should_be(0x1234, 0x0f00), 0x2134);
        assert_eq!(should_be(0xffff, 0x0001), 0x0001);
    }
}
