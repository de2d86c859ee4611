//! netmon: connections with their processes, interface counters and rates, without root.
//!
//! The sockets, their processes and the interface counters come from [`pktkit::host`]; this
//! module holds the flags, the filters ([`connections`]), the columns ([`columns`]), the
//! interface rates ([`interfaces`]) and the live view ([`top`]).

pub mod capture;
pub mod columns;
pub mod connections;
pub mod interfaces;
pub mod table;
pub mod top;

use clap::{Parser, Subcommand};
use pktkit::host::HostError;
use pktkit::host::sockets::{StateMask, Table, TcpState};

use crate::cli::Failure;

pub(crate) const TOOL: &str = "netmon";

const EXAMPLES: &str = "\
Examples:
  netmon connections                        every TCP and UDP socket (psutil's kind 'inet')
  netmon connections --kind tcp --state listen
  netmon connections --port 443 --json | jq -c '{raddr, pid, name, bytes_received}'
  netmon connections --user www-data --fields laddr,raddr,status,pid,name,rtt
  netmon interfaces                         bytes, packets, errors and drops per interface
  netmon interfaces --every 1s              rates every second, as psutil's loop prints them
  netmon top                                live: interface, connection and process rates
  netmon top --json -c 10 > snapshots.ndjson

No root needed: every socket of the network namespace is listed with its uid and inode;
processes that cannot be seen (another user's, hidepid, none at all as in TIME_WAIT) are
named as such. Exit status: 0 done, 1 runtime error, 2 usage error.";

/// Network monitor without root: connections with their processes (psutil's
/// net_connections, ss -tunapi), interface counters and rates, a live top view.
#[derive(Debug, Parser)]
#[command(name = TOOL, version, after_help = EXAMPLES, subcommand_required = true, arg_required_else_help = true, disable_help_subcommand = true)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

/// netmon's three views.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Every socket with its process, user, queues and TCP counters (psutil's net_connections).
    Connections(ConnectionsArgs),
    /// Bytes, packets, errors and drops per interface, or their rates (--every).
    Interfaces(InterfacesArgs),
    /// Live view: interface rates, per-connection and per-process TCP rates.
    Top(TopArgs),
}

/// What `connections` and `top` list, and how.
#[derive(Debug, clap::Args)]
pub struct Filters {
    /// Which sockets, as psutil's kind: tcp, tcp4, tcp6, udp, udp4, udp6, inet, inet4,
    /// inet6, unix, all.
    #[arg(long, value_name = "KIND", default_value = "inet", value_parser = parse_kind)]
    pub kind: &'static [Table],

    /// Only these states (comma-separated, psutil's or ss's names: established, listen,
    /// time_wait, syn-sent, ...; 'none' for UDP and Unix sockets). TCP states are filtered in
    /// the kernel.
    #[arg(long, value_name = "STATE[,STATE...]", value_parser = parse_states)]
    pub state: Option<States>,

    /// Only sockets with this local or remote port (repeatable).
    #[arg(long, value_name = "PORT")]
    pub port: Vec<u16>,

    /// Only sockets held by this process (repeatable).
    #[arg(long, value_name = "PID")]
    pub pid: Vec<u32>,

    /// Only sockets owned by this user (name or uid; repeatable).
    #[arg(long, value_name = "USER", value_parser = parse_user)]
    pub user: Vec<u32>,
}

/// `netmon connections`.
#[derive(Debug, clap::Args)]
pub struct ConnectionsArgs {
    #[command(flatten)]
    pub filters: Filters,

    /// One JSON object per socket (NDJSON, schema pktkit.netmon.connection/1).
    #[arg(long)]
    pub json: bool,

    /// Columns (text) or keys (JSON) to show, comma-separated; an unknown name gets the list of known ones.
    #[arg(long, value_name = "FIELD[,FIELD...]", value_delimiter = ',', value_parser = columns::parse_one)]
    pub fields: Vec<columns::Column>,

    /// Leave out the header line of the table.
    #[arg(long)]
    pub no_header: bool,
}

/// `netmon interfaces`.
#[derive(Debug, clap::Args)]
pub struct InterfacesArgs {
    /// Print rates every DURATION (1s, 500ms, 2m) instead of the counters once.
    #[arg(long, value_name = "DURATION", value_parser = parse_interval)]
    pub every: Option<std::time::Duration>,

    /// With --every: stop after N intervals.
    #[arg(short = 'c', long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..), requires = "every")]
    pub count: Option<u64>,

    /// Only this interface (repeatable).
    #[arg(short = 'i', long = "interface", value_name = "IFACE")]
    pub interface: Vec<String>,

    /// One JSON object per interface (NDJSON, schema pktkit.netmon.interface/1).
    #[arg(long)]
    pub json: bool,

    /// Columns (text) or keys (JSON), comma-separated: name and psutil's counter names.
    #[arg(long, value_name = "FIELD[,FIELD...]", value_delimiter = ',', value_parser = interfaces::parse_field)]
    pub fields: Vec<interfaces::Field>,
}

/// `netmon top`.
#[derive(Debug, clap::Args)]
pub struct TopArgs {
    /// Refresh interval.
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = parse_interval)]
    pub every: std::time::Duration,

    /// Stop after N refreshes.
    #[arg(short = 'c', long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub count: Option<u64>,

    /// Write NDJSON snapshots (schema pktkit.netmon.top/1) even on a terminal; they are the
    /// default when stdout is not a terminal.
    #[arg(long)]
    pub json: bool,

    /// Rows per table in snapshots (0: all); the terminal view fits the screen.
    #[arg(short = 'n', long, value_name = "N", default_value_t = 0)]
    pub top: usize,

    /// List every connection in snapshots, also those that moved no byte in the interval.
    #[arg(long)]
    pub all: bool,

    /// Do not capture, even with CAP_NET_RAW: TCP rates from the socket counters only (by
    /// default a privileged top also captures on every interface for UDP and per-host rates).
    #[arg(long)]
    pub no_capture: bool,
}

/// The states `--state` names: a TCP mask and whether psutil's `NONE` (UDP, Unix) is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct States {
    pub tcp: StateMask,
    pub none: bool,
}

fn parse_kind(s: &str) -> Result<&'static [Table], String> {
    Table::for_kind(&s.to_ascii_lowercase())
        .ok_or_else(|| format!("unknown kind {s:?} (known: {})", Table::KINDS.join(", ")))
}

fn parse_states(s: &str) -> Result<States, String> {
    let mut states = States { tcp: StateMask(0), none: false };
    for name in s.split(',') {
        if name.trim().eq_ignore_ascii_case("none") {
            states.none = true;
        } else if let Some(mask) = TcpState::parse_mask(name) {
            states.tcp.0 |= mask.0;
        } else {
            return Err(format!("unknown state {name:?} (known: {}, NONE)", TcpState::names().join(", ")));
        }
    }
    Ok(states)
}

fn parse_user(s: &str) -> Result<u32, String> {
    pktkit::host::procs::Users::uid_of(s).ok_or_else(|| format!("no such user {s:?}"))
}

fn parse_interval(s: &str) -> Result<std::time::Duration, String> {
    let ns = crate::stats::parse_duration(s)?;
    if ns < 10_000_000 {
        return Err(format!("{s:?}: the interval must be at least 10ms"));
    }
    Ok(std::time::Duration::from_nanos(ns))
}

impl From<HostError> for Failure {
    fn from(e: HostError) -> Self {
        Failure::Runtime(e.to_string())
    }
}

/// Runs netmon.
pub fn run(args: Args) -> Result<(), Failure> {
    match args.command {
        Command::Connections(a) => connections::run(&a),
        Command::Interfaces(a) => interfaces::run(&a),
        Command::Top(a) => top::run(&a),
    }
}
