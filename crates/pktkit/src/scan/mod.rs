//! What a port scanner needs beyond sending and matching packets (that is [`crate::net`]):
//!
//! - [`TargetSet`]: nmap's and masscan's target syntax (addresses, names, CIDR, octet ranges,
//!   address ranges, IPv6 prefixes, exclusions), iterated lazily in constant memory.
//! - [`PortSet`]: nmap's port syntax (`22-1024`, `22,80,443`, `-`, `--top-ports`).
//! - [`Permutation`]: a keyed random order of the target × port index space, with no list in
//!   memory, split into disjoint [`Shard`]s.
//! - [`SynCookie`]: the keyed hash of a probe's four-tuple carried in its sequence number and
//!   source port, so that answers are validated without per-probe state.
//! - [`AnswerBitmap`]: one bit per target × port, set when an answer came (retries go only
//!   where it is clear).
//! - [`RttEstimator`]: RFC 6298's smoothed round-trip time and retransmission timeout.
//! - [`unreachable_reason`]: nmap's reason for an ICMP unreachable that filters a port.

mod bitmap;
mod cookie;
mod permute;
mod port;
mod reason;
mod rtt;
mod target;

use thiserror::Error;

pub use bitmap::AnswerBitmap;
pub use cookie::{SourcePorts, SynCookie};
pub use permute::{Permutation, Shard};
pub use port::PortSet;
pub use reason::unreachable_reason;
pub use rtt::RttEstimator;
pub use target::{Block, TargetSet, resolve_host};

/// A target, port or shard specification that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("bad {what} \"{input}\" at position {position}: {message}")]
pub struct SpecError {
    /// What was being parsed: "target", "port", "shard", ...
    pub what: &'static str,
    /// The specification as given.
    pub input: String,
    /// 1-based character position of the problem in `input`.
    pub position: usize,
    /// What is wrong.
    pub message: String,
}

impl SpecError {
    pub(crate) fn new(what: &'static str, input: &str, offset: usize, message: impl Into<String>) -> Self {
        SpecError { what, input: input.to_string(), position: offset + 1, message: message.into() }
    }
}
