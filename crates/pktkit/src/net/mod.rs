//! Putting packets on the wire and taking answers off it: what pkt-send, tracert and synscan
//! share.
//!
//! - [`L3Sender`]: raw IPv4/IPv6 sockets with the header included; the kernel routes. One
//!   packet at a time or in batches (`sendmmsg`).
//! - [`L2Sender`]: whole Ethernet frames on one interface (libpcap's packet socket), one at a
//!   time or in batches.
//! - [`Listener`]: a live capture of incoming packets in immediate mode, narrowed by a kernel
//!   BPF filter ([`answer_filter`]), for reading answers.
//! - [`answers`]: does a received packet answer a [`Probe`], as Scapy's `answers()` decides.
//! - [`Pacer`]: precise send times (packets per second, bits per second, captured timing).
//! - [`probe`], [`reply`], [`Network`] and [`trace`]: the probe engine tracert and synscan
//!   share: probes patched from a crafted template with their id in a flow-dependent field,
//!   every received packet classified once and looked up by key, a network trait with the
//!   raw-socket implementation ([`RawNetwork`]), and traceroute's scheduler and adaptive wait.
//! - [`SynTemplate`] and [`L3Sender::send_batch`]: what a stateless scanner adds (synscan):
//!   SYNs patched per probe from one template, many per `sendmmsg`.
//! - [`asn`]: AS numbers of addresses from origin TXT records, through the system's name servers.
//! - [`has_cap_net_raw`] and [`NetError::Privilege`]: the one-line error naming CAP_NET_RAW.
//!
//! [`Probe`]: crate::craft::Probe

mod answer;
pub mod asn;
mod batch;
mod listen;
mod network;
mod pace;
mod privilege;
pub mod probe;
pub mod reply;
mod send;
mod syn;
pub mod trace;
mod unprivileged;

use thiserror::Error;

pub use answer::{answer_filter, answers, network_layer};
pub use listen::{DRAIN, Listener};
pub use network::{Network, RawNetwork, Recorded, Recording};
pub use pace::{Pacer, Schedule, wait_until, wait_until_or};
pub use privilege::{has_cap_net_raw, require_cap_net_raw};
pub use send::{L2Sender, L3Sender, interface_index};
pub use syn::SynTemplate;
pub use unprivileged::DatagramNetwork;

/// A sending or receiving operation failed.
#[derive(Debug, Error)]
pub enum NetError {
    /// The process lacks CAP_NET_RAW.
    #[error(
        "{what} needs CAP_NET_RAW: run it as root, or once: sudo setcap cap_net_raw,cap_net_admin+ep {exe}"
    )]
    Privilege {
        /// What was attempted (e.g. "sending raw packets").
        what: String,
        /// This program's path, for the `setcap` command.
        exe: String,
    },
    /// A system call failed.
    #[error("{what}: {source}")]
    Io {
        /// What was attempted.
        what: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// libpcap refused (opening an interface, compiling a filter, sending).
    #[error("{what}: {message}")]
    Pcap {
        /// What was attempted.
        what: String,
        /// libpcap's message.
        message: String,
    },
    /// The packet cannot be sent this way (e.g. not IP on a raw IP socket).
    #[error("{0}")]
    Unsupported(String),
}

impl NetError {
    pub(crate) fn io(what: impl Into<String>, source: std::io::Error) -> Self {
        let what = what.into();
        if matches!(source.kind(), std::io::ErrorKind::PermissionDenied) && !has_cap_net_raw() {
            return privilege::privilege_error(&what);
        }
        NetError::Io { what, source }
    }

    pub(crate) fn pcap(what: impl Into<String>, e: pcap::Error) -> Self {
        let what = what.into();
        let message = e.to_string();
        let denied = message.contains("ermission") || message.contains("not permitted");
        if denied && !has_cap_net_raw() {
            return privilege::privilege_error(&what);
        }
        NetError::Pcap { what, message }
    }

    /// True for [`NetError::Privilege`].
    pub fn is_privilege(&self) -> bool {
        matches!(self, NetError::Privilege { .. })
    }
}
