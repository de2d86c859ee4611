//! synscan: a stateless TCP SYN port scanner with nmap's states and reasons. Probes go out in
//! a keyed random order of target × port, carry a SYN cookie, and are retried only where no
//! answer came; answers are read on their own thread and printed as they arrive.

mod engine;
mod output;
mod report;

use std::ffi::OsString;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use pktkit::scan::{Block, PortSet, Shard, SpecError, TargetSet, resolve_host};

use crate::cli::{self, Failure};

pub use report::{State, unreachable_reason};

const TOOL: &str = "synscan";

const EXAMPLES: &str = "\
Examples:
  synscan 10.0.0.1 22-1024                      ports 22-1024 of one host
  synscan -p- 10.0.3.2                           every port (1-65535)
  synscan --top-ports 100 10.0.0.0/24            the 100 most often open ports of 256 hosts
  synscan -p 22,80,443 10.0.0-3.1-254 --exclude 10.0.0.1
  synscan -iL hosts.txt -p 80 --rate 50000 --json | jq -c 'select(.state==\"open\")'
  synscan -p- 10.0.3.2 -oX scan.xml -oG scan.gnmap -w probes.pcap
  synscan --seed 7 --shard 2/3 -p- 10.0.0.0/16   part 2 of 3 (same seed on each machine)

Targets: addresses, host names, CIDR (10.0.0.0/24, fd00::/120), nmap octet ranges
(10.0.0-3.1-254), masscan ranges (10.0.0.1-10.0.0.50). Ports: nmap's syntax (22-1024,
22,80,443, -p- for 1-65535); without -p the last argument is the port list when it is one,
else the 1,000 most often open ports are scanned. Every target is probed (no ping first, as
nmap -Pn). States and reasons are nmap's: open (syn-ack), closed (reset), filtered
(no-response, or ICMP unreachable: admin-prohibited, host-unreach, ...). The local kernel
answers each SYN-ACK with an RST (no connection is made); probes use source ports outside
net.ipv4.ip_local_port_range. Needs CAP_NET_RAW. Exit status: 0 done, 1 runtime error (e.g.
no privileges), 2 bad target, port or option.";

/// TCP SYN port scanner: nmap's states and reasons at masscan's speed.
#[derive(Debug, Parser)]
#[command(name = TOOL, version, after_help = EXAMPLES)]
pub struct Args {
    /// Targets, then (without -p) the ports: `synscan 10.0.0.1 22-1024`.
    #[arg(value_name = "TARGET... [PORTS]")]
    pub args: Vec<String>,

    /// Ports to scan (nmap's syntax: 22-1024, 22,80,443, - for 1-65535).
    #[arg(short = 'p', value_name = "PORTS", allow_hyphen_values = true)]
    pub ports: Option<String>,

    /// Scan the N most often open TCP ports (1-1000).
    #[arg(long = "top-ports", value_name = "N", conflicts_with = "ports")]
    pub top_ports: Option<usize>,

    /// Ports not to scan.
    #[arg(long = "exclude-ports", value_name = "PORTS", allow_hyphen_values = true)]
    pub exclude_ports: Option<String>,

    /// Read targets from FILE ('-': stdin), white-space separated, # comments (nmap's -iL).
    #[arg(long = "input-list", visible_alias = "iL", value_name = "FILE")]
    pub input_list: Option<PathBuf>,

    /// Targets not to scan (comma-separated specifications).
    #[arg(long, value_name = "TARGETS")]
    pub exclude: Vec<String>,

    /// Read targets not to scan from FILE.
    #[arg(long, value_name = "FILE")]
    pub excludefile: Option<PathBuf>,

    /// Send PPS probes per second (default 10000).
    #[arg(long, value_name = "PPS", value_parser = cli::parse_rate)]
    pub rate: Option<f64>,

    /// Never send more than PPS probes per second.
    #[arg(long = "max-rate", value_name = "PPS", value_parser = cli::parse_rate)]
    pub max_rate: Option<f64>,

    /// Send at least PPS probes per second.
    #[arg(long = "min-rate", value_name = "PPS", value_parser = cli::parse_rate)]
    pub min_rate: Option<f64>,

    /// Resend up to N times to ports that have not answered.
    #[arg(long, visible_alias = "max-retries", value_name = "N", default_value_t = 2)]
    pub retries: u32,

    /// Seconds to wait for answers after the last probe (default: adaptive, from the
    /// measured round-trip time).
    #[arg(long, value_name = "SECONDS", value_parser = cli::parse_secs)]
    pub wait: Option<Duration>,

    /// Key of the probe order and cookies (random by default; give it for --shard).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,

    /// Scan part K of N (1 <= K <= N) of the probe order; needs --seed.
    #[arg(long, value_name = "K/N", requires = "seed")]
    pub shard: Option<String>,

    /// Send from this TCP source port (default: ports outside the ephemeral range, chosen
    /// per probe by its cookie).
    #[arg(short = 'g', long = "source-port", value_name = "PORT")]
    pub source_port: Option<u16>,

    /// Source address of the probes (default: the kernel's choice for each target).
    #[arg(short = 'S', value_name = "ADDR")]
    pub source: Option<IpAddr>,

    /// Interface to capture answers on (default: the route's interface).
    #[arg(short = 'e', value_name = "IFACE")]
    pub iface: Option<String>,

    /// Never resolve addresses to names (synscan never does; accepted for nmap's habit).
    #[arg(short = 'n')]
    pub no_dns: bool,

    /// Resolve host names to IPv6 addresses (nmap's -6); address literals need no flag.
    #[arg(short = '6')]
    pub ipv6: bool,

    /// Also show closed ports.
    #[arg(long)]
    pub closed: bool,

    /// Also show filtered ports.
    #[arg(long)]
    pub filtered: bool,

    /// Show every port (closed and filtered too).
    #[arg(long)]
    pub all: bool,

    /// Only open ports are shown (the default; nmap's --open).
    #[arg(long)]
    pub open: bool,

    /// Reasons are always shown (accepted for nmap's --reason).
    #[arg(long)]
    pub reason: bool,

    /// Write NDJSON to stdout: one record per port as it settles, then a summary
    /// (schema pktkit.synscan/1).
    #[arg(long)]
    pub json: bool,

    /// Write nmap's greppable form to FILE ('-': stdout) (nmap's -oG).
    #[arg(long = "output-grepable", visible_alias = "oG", value_name = "FILE")]
    pub grepable: Option<PathBuf>,

    /// Write nmap's XML form to FILE ('-': stdout) (nmap's -oX).
    #[arg(long = "output-xml", visible_alias = "oX", value_name = "FILE")]
    pub xml: Option<PathBuf>,

    /// Write every probe and every answer to FILE as pcap (raw IP).
    #[arg(short = 'w', value_name = "FILE.pcap")]
    pub write: Option<PathBuf>,

    /// No summary line on stderr.
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

/// nmap's two-letter options (`-iL`, `-oG`, `-oX`) as their long forms, so that clap (one
/// letter per short option) parses them; `-sS` and `-Pn` describe what synscan always does
/// and are dropped.
pub fn nmap_args(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    args.into_iter()
        .filter(|a| a != "-sS" && a != "-Pn")
        .map(|a| match a.to_str() {
            Some("-iL") => "--input-list".into(),
            Some("-oG") => "--output-grepable".into(),
            Some("-oX") => "--output-xml".into(),
            _ => a,
        })
        .collect()
}

/// Default probes per second without --rate.
const DEFAULT_RATE: f64 = 10_000.0;

fn usage(e: SpecError) -> Failure {
    Failure::Usage(e.to_string())
}

fn read_list(path: &PathBuf) -> Result<String, Failure> {
    if path.as_os_str() == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .map_err(|e| Failure::Runtime(format!("stdin: {e}")))?;
        return Ok(s);
    }
    std::fs::read_to_string(path).map_err(|e| Failure::Runtime(format!("{}: {e}", path.display())))
}

/// The target specifications in list file `path` (`-iL`, `--excludefile`).
fn read_blocks(path: &PathBuf, resolve: &dyn Fn(&str) -> Option<IpAddr>) -> Result<Vec<Block>, Failure> {
    let text = read_list(path)?;
    let mut blocks = Vec::new();
    TargetSet::parse_list(&text, &path.display().to_string(), resolve, |b| blocks.push(b)).map_err(usage)?;
    Ok(blocks)
}

/// Everything the command line decides, checked.
#[derive(Debug)]
pub struct Plan {
    targets: TargetSet,
    ports: PortSet,
    rate: f64,
    shard: Shard,
    seed: u64,
}

fn plan(args: &Args) -> Result<Plan, Failure> {
    let v6 = args.ipv6;
    let resolve = move |name: &str| -> Option<IpAddr> {
        if v6 {
            use std::net::ToSocketAddrs;
            (name, 0).to_socket_addrs().ok()?.map(|s| s.ip()).find(IpAddr::is_ipv6)
        } else {
            resolve_host(name)
        }
    };
    let mut words: Vec<&str> = args.args.iter().map(String::as_str).collect();
    let mut ports = match (&args.ports, args.top_ports) {
        (Some(p), _) => PortSet::parse(p).map_err(usage)?,
        (None, Some(n)) => PortSet::top(n).map_err(usage)?,
        (None, None) => match words.last() {
            Some(last) if words.len() > 1 || args.input_list.is_some() => match PortSet::parse(last) {
                Ok(p) => {
                    words.pop();
                    p
                }
                Err(e) if !last.contains(['.', ':', '/']) => return Err(usage(e)),
                Err(_) => PortSet::top(1000).map_err(usage)?,
            },
            _ => PortSet::top(1000).map_err(usage)?,
        },
    };
    if let Some(x) = &args.exclude_ports {
        ports = ports.without(&PortSet::parse(x).map_err(usage)?);
    }
    if ports.is_empty() {
        return Err(Failure::Usage("no ports left to scan".into()));
    }
    let mut targets = TargetSet::new();
    for w in &words {
        targets.include(Block::parse(w, &resolve).map_err(usage)?);
    }
    if let Some(path) = &args.input_list {
        read_blocks(path, &resolve)?.into_iter().for_each(|b| targets.include(b));
    }
    for x in args.exclude.iter().flat_map(|x| x.split(',')) {
        targets.exclude(Block::parse(x, &resolve).map_err(usage)?);
    }
    if let Some(path) = &args.excludefile {
        read_blocks(path, &resolve)?.into_iter().for_each(|b| targets.exclude(b));
    }
    if targets.is_empty() {
        return Err(Failure::Usage(
            "no targets: give addresses, ranges or host names, e.g. synscan 10.0.0.1 22-1024".into(),
        ));
    }
    if targets.len().saturating_mul(u128::from(ports.len())) > u128::from(u64::MAX / 2) {
        return Err(Failure::Usage(
            "too many targets times ports for one scan: split it with --shard".into(),
        ));
    }
    let mut rate = args.rate.unwrap_or(DEFAULT_RATE);
    if let Some(max) = args.max_rate {
        rate = rate.min(max);
    }
    if let Some(min) = args.min_rate {
        if args.max_rate.is_some_and(|max| max < min) {
            return Err(Failure::Usage("--min-rate is above --max-rate".into()));
        }
        rate = rate.max(min);
    }
    let shard = match &args.shard {
        Some(s) => Shard::parse(s).map_err(usage)?,
        None => Shard::ALL,
    };
    let seed = args.seed.unwrap_or_else(random_seed);
    Ok(Plan { targets, ports, rate, shard, seed })
}

/// A seed from the clock and the process id (unpredictable enough for a probe order; the
/// cookie key is derived from it).
fn random_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos(),
    );
    h.write_u32(std::process::id());
    h.finish()
}

/// Runs synscan with parsed arguments.
pub fn run(args: Args) -> Result<(), Failure> {
    let plan = plan(&args)?;
    let command_line = std::env::args().collect::<Vec<_>>().join(" ");
    engine::scan(&args, &plan, &command_line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> Result<Args, clap::Error> {
        let all = std::iter::once("synscan").chain(v.iter().copied()).map(OsString::from);
        Args::try_parse_from(nmap_args(all))
    }

    fn planned(v: &[&str]) -> Result<Plan, Failure> {
        plan(&args(v).unwrap())
    }

    #[test]
    fn targets_then_ports() {
        let p = planned(&["10.0.3.2", "22-1024"]).unwrap();
        assert_eq!((p.targets.len(), p.ports.len()), (1, 1003));
        let p = planned(&["10.0.3.2", "10.0.3.3"]).unwrap();
        assert_eq!((p.targets.len(), p.ports.len()), (2, 1000));
        let p = planned(&["-p-", "10.0.3.2"]).unwrap();
        assert_eq!(p.ports.len(), 65535);
        let p =
            planned(&["-sS", "-Pn", "-p", "22,80", "10.0.3.0/30", "--exclude", "10.0.3.1,10.0.3.2"]).unwrap();
        assert_eq!(p.targets.iter().count(), 2);
        let p = planned(&["--top-ports", "10", "--exclude-ports", "80", "10.0.3.2"]).unwrap();
        assert_eq!(p.ports.len(), 9);
    }

    #[test]
    fn bad_input_is_a_usage_error() {
        for bad in
            [&["10.0.3.300", "22"][..], &["10.0.3.2", "22-99999"], &["-p", "x-y", "10.0.3.2"], &["-p", "22"]]
        {
            match planned(bad) {
                Err(Failure::Usage(m)) => assert!(!m.contains('\n'), "{m}"),
                other => panic!("{bad:?}: {other:?}"),
            }
        }
        assert!(args(&["--shard", "1/2", "10.0.3.2"]).is_err(), "--shard needs --seed");
        assert!(matches!(planned(&["--seed", "1", "--shard", "3/2", "10.0.3.2"]), Err(Failure::Usage(_))));
    }

    #[test]
    fn rates() {
        assert_eq!(planned(&["10.0.3.2"]).unwrap().rate, DEFAULT_RATE);
        assert_eq!(planned(&["--rate", "500000", "--max-rate", "1000", "10.0.3.2"]).unwrap().rate, 1000.0);
        assert_eq!(planned(&["--min-rate", "50000", "10.0.3.2"]).unwrap().rate, 50000.0);
    }
}
