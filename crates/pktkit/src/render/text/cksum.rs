//! Internet checksums as tcpdump verifies them (`-v`), over [`crate::checksum`].

use super::IpCtx;
use crate::checksum;

pub(super) use crate::checksum::{fold, should_be as shouldbe};

/// The unfolded one's-complement sum of `data`, added to `init`.
pub(super) fn sum_be(data: &[u8], init: u64) -> u64 {
    init + checksum::sum_words(data)
}

/// The unfolded sum of the pseudo-header of `ctx`'s IP header for `proto` and `len` bytes.
pub(super) fn pseudo(ctx: &IpCtx<'_>, proto: u8, len: usize) -> u64 {
    checksum::pseudo_header_sum(ctx.src, ctx.dst, proto, len as u32)
}
