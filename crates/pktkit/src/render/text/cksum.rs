//! Internet checksums as tcpdump verifies them (`-v`).

use super::IpCtx;

/// One's-complement sum of big-endian 16-bit words, added to `init`.
pub(super) fn sum_be(data: &[u8], init: u32) -> u32 {
    let mut sum = init as u64;
    let mut chunks = data.chunks_exact(2);
    for c in &mut chunks {
        sum += u16::from_be_bytes([c[0], c[1]]) as u64;
    }
    if let [last] = chunks.remainder() {
        sum += (*last as u64) << 8;
    }
    while sum > 0xffff_ffff {
        sum = (sum & 0xffff_ffff) + (sum >> 32);
    }
    sum as u32
}

pub(super) fn fold(mut sum: u32) -> u16 {
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    sum as u16
}

/// tcpdump's in_cksum_shouldbe: the checksum field value that would have been right.
pub(super) fn shouldbe(field: u16, computed: u16) -> u16 {
    let mut v = field as u32 + computed as u32;
    v = (v & 0xffff) + (v >> 16);
    v = (v & 0xffff) + (v >> 16);
    v as u16
}

pub(super) fn pseudo(ctx: &IpCtx<'_>, proto: u8, len: usize) -> u32 {
    let mut sum = sum_be(ctx.src, 0);
    sum = sum_be(ctx.dst, sum);
    sum = sum.wrapping_add(proto as u32);
    sum.wrapping_add((len as u32 >> 16) + (len as u32 & 0xffff))
}
