//! What this host knows about its own network use, without root and without capturing:
//! sockets, the processes that hold them, and interface counters.
//!
//! - [`sockets`]: the kernel's sock_diag netlink dump (what `ss` reads): TCP, UDP and Unix
//!   sockets with uid, inode, queues and, for TCP, `tcp_info` (RTT, retransmits, bytes).
//! - [`procs`]: which process holds each socket, from one pass over `/proc/*/fd`, cached
//!   between refreshes and updated incrementally; and why a socket's process cannot be seen.
//! - [`interfaces`]: per-interface byte, packet, error and drop counters (`/proc/net/dev`).
//!
//! Everything here reads the caller's network namespace and the caller's view of `/proc`.

pub mod interfaces;
pub mod procs;
pub mod sockets;

use thiserror::Error;

/// Why the host's tables could not be read.
#[derive(Debug, Error)]
pub enum HostError {
    /// The sock_diag netlink socket could not be opened, written or read.
    #[error("sock_diag netlink socket: {what}: {source}")]
    Netlink {
        /// The step that failed (open, send, receive).
        what: &'static str,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The kernel refused a dump request (its errno), e.g. a protocol without a diag module.
    #[error("sock_diag dump of {table}: {source}")]
    Refused {
        /// The table asked for (`tcp4`, `udp6`, `unix`...).
        table: &'static str,
        /// The kernel's error.
        source: std::io::Error,
    },
    /// A reply the netlink crate could not decode.
    #[error("sock_diag dump of {table}: undecodable reply: {message}")]
    Decode {
        /// The table asked for.
        table: &'static str,
        /// The decoder's message.
        message: String,
    },
    /// A /proc file could not be read.
    #[error("{path}: {source}")]
    Proc {
        /// The file.
        path: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A /proc file did not have the expected layout.
    #[error("{path}: line {line}: {message}")]
    Format {
        /// The file.
        path: &'static str,
        /// The 1-based line number.
        line: usize,
        /// What was wrong.
        message: String,
    },
}
