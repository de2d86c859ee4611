//! What a scan found: one [`PortResult`] per settled port, tallied per host, and the run's
//! counters. The writers in [`super::output`] print it.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::Duration;

pub use pktkit::scan::unreachable_reason;

/// A port's state, as nmap names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum State {
    /// A SYN-ACK (or a bare SYN) came back.
    Open,
    /// An RST came back.
    Closed,
    /// No answer after the retries, or an ICMP unreachable that nmap counts as filtering.
    Filtered,
}

impl State {
    /// nmap's name.
    pub fn name(self) -> &'static str {
        match self {
            State::Open => "open",
            State::Closed => "closed",
            State::Filtered => "filtered",
        }
    }
}

/// nmap's reason for a port left without any answer.
pub const NO_RESPONSE: &str = "no-response";

/// One settled port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortResult {
    /// The target.
    pub host: IpAddr,
    /// The TCP port.
    pub port: u16,
    /// Its state.
    pub state: State,
    /// nmap's reason: `syn-ack`, `reset`, `no-response`, `admin-prohibited`, ...
    pub reason: &'static str,
    /// The answer's TTL or hop limit (none for no-response).
    pub ttl: Option<u8>,
    /// Who answered, when not the target (an ICMP error from a router).
    pub from: Option<IpAddr>,
    /// When the port was settled, since the scan started.
    pub at: Duration,
}

/// Per-host tally of states and reasons, for the "Not shown" lines.
#[derive(Debug, Clone, Default)]
pub struct HostTally {
    /// Ports per (state, reason), answered ones only.
    pub counts: BTreeMap<(State, &'static str), u64>,
    /// Shown ports, any order.
    pub shown: Vec<PortResult>,
    /// Ports not shown per (state, reason), any order; kept only for `-oX`, whose
    /// `extrareasons` list them.
    pub hidden_ports: BTreeMap<(State, &'static str), Vec<u16>>,
}

impl HostTally {
    /// Number of ports that got an answer.
    pub fn answered(&self) -> u64 {
        self.counts.values().sum()
    }
}

/// The run's counters, for the summary line and record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters {
    /// Target addresses scanned (excluded ones left out).
    pub hosts: u64,
    /// Ports per host.
    pub ports: u64,
    /// Probes sent, retries included.
    pub probes: u64,
    /// Of those, retries.
    pub retries: u64,
    /// Probes per second while the first round was sent (the sustained sending rate).
    pub send_rate: u64,
    /// Packets the capture handed over (after the kernel filter).
    pub received: u64,
    /// Valid answers (first answer per probe).
    pub answers: u64,
    /// Valid answers for a probe already answered.
    pub duplicates: u64,
    /// Received packets that answer no probe of this scan (bad cookie, unrelated).
    pub ignored: u64,
    /// Packets the capture dropped (libpcap's ps_drop + ps_ifdrop).
    pub dropped: u64,
    /// Ports per state.
    pub open: u64,
    /// Closed ports.
    pub closed: u64,
    /// Filtered ports (ICMP or no response).
    pub filtered: u64,
}

/// Which states are printed (all are counted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shown {
    /// Closed ports (`--closed`).
    pub closed: bool,
    /// Filtered ports (`--filtered`).
    pub filtered: bool,
}

impl Shown {
    /// Whether ports in `state` are printed.
    pub fn shows(self, state: State) -> bool {
        match state {
            State::Open => true,
            State::Closed => self.closed,
            State::Filtered => self.filtered,
        }
    }
}
