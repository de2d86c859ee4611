//! tracert: traceroute's options and hop lines, mtr's report, Paris and Dublin flows, on
//! pktkit's probe engine ([`pktkit::net::trace`]).

mod names;
mod report;
mod text;

use std::ffi::OsString;
use std::io::Write;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use pktkit::craft::{Environment, System};
use pktkit::net::probe::{Flow, ProbeSpec, Protocol, TRACEROUTE_PORT, Template, Ttl};
use pktkit::net::trace::{ProbeResult, TraceConfig, Tracer, Wait};
use pktkit::net::{Network, RawNetwork, Recording};

use crate::cli::Failure;

/// The tool's name in messages.
pub const TOOL: &str = "tracert";

const EXAMPLES: &str = "\
Examples:
  tracert -n 10.0.3.2                   UDP probes to ports from 33434, as traceroute -n
  tracert -I example.com                ICMP echo; names from the system resolver
  tracert -T -p 443 -n 10.0.3.2         TCP SYN to port 443
  tracert --flow paris -q 6 -n 10.0.3.2 one path through load balancers, every probe
  tracert --flows 8 -n 10.0.3.2         8 Paris flows: every address seen per hop (ECMP)
  tracert --report -c 10 -n 10.0.3.2    mtr's report: Loss%, Snt, Last, Avg, Best, Wrst, StDev
  tracert --json -n 10.0.3.2 | jq .     one NDJSON record per hop, then a summary
  tracert -w trace.pcap -n 10.0.3.2     also write every probe and answer (pkt-decode reads it)

Hop lines are traceroute's: the TTL, each answering address (once per change), round-trip
times, `*` for a probe not answered in time, and !H !N !P !X !S !F-MTU annotations for ICMP
unreachable answers. -w takes traceroute's MAX,HERE,NEAR wait, or a capture FILE (a value
that is not numbers). Sending raw probes needs CAP_NET_RAW. Exit status: 0 the trace ran,
1 an error (such as no privileges), 2 bad usage (unknown host, bad option value).";

/// Probe type (traceroute's -I, -T, -U or the default UDP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FlowArg {
    /// The port or sequence changes per probe (traceroute).
    Classic,
    /// The fields load balancers hash stay constant (Paris traceroute).
    Paris,
    /// UDP with the id in the IPv4 identification (Dublin traceroute).
    Dublin,
}

/// Print the route packets take to a host: traceroute, mtr and Paris traceroute in one.
#[derive(Debug, Parser)]
#[command(name = TOOL, version, after_help = EXAMPLES)]
pub struct Args {
    /// The destination: an address or a host name.
    #[arg(value_name = "HOST")]
    pub host: String,

    /// Bytes of each probe packet, IP header included (traceroute's packetlen).
    #[arg(value_name = "PACKETLEN", value_parser = clap::value_parser!(u16).range(28..=65000))]
    pub packet_len: Option<u16>,

    /// ICMP echo probes.
    #[arg(short = 'I', long = "icmp", conflicts_with_all = ["tcp", "udp_fixed"])]
    pub icmp: bool,

    /// TCP SYN probes (port 80 unless -p).
    #[arg(short = 'T', long = "tcp", conflicts_with = "udp_fixed")]
    pub tcp: bool,

    /// UDP probes to one fixed port (53 unless -p), as traceroute -U.
    #[arg(short = 'U', long = "udp")]
    pub udp_fixed: bool,

    /// Destination port: the first of the growing UDP ports, or the fixed UDP/TCP port.
    #[arg(short = 'p', long = "port", value_name = "PORT", value_parser = clap::value_parser!(u16).range(1..))]
    pub port: Option<u16>,

    /// Use IPv4.
    #[arg(short = '4', conflicts_with = "ipv6")]
    pub ipv4: bool,

    /// Use IPv6.
    #[arg(short = '6')]
    pub ipv6: bool,

    /// Start from this TTL [default: 1].
    #[arg(short = 'f', long = "first", value_name = "FIRST_TTL", value_parser = ttl)]
    pub first: Option<u8>,

    /// The largest TTL [default: 30].
    #[arg(short = 'm', long = "max-hops", value_name = "MAX_TTL", value_parser = ttl)]
    pub max: Option<u8>,

    /// Probes per hop (default 3; 1 per round with --report).
    #[arg(short = 'q', long = "queries", value_name = "NQUERIES", value_parser = clap::value_parser!(u8).range(1..=10))]
    pub queries: Option<u8>,

    /// Probes in flight at once [default: 16].
    #[arg(short = 'N', long = "sim-queries", value_name = "SQUERIES", value_parser = clap::value_parser!(u16).range(1..))]
    pub in_flight: Option<u16>,

    /// traceroute's wait MAX[,HERE[,NEAR]] (default 5.0,3,10), or a capture FILE to write
    /// every probe and answer to (may be given twice).
    #[arg(short = 'w', long = "wait", value_name = "MAX,HERE,NEAR | FILE", value_parser = wait_or_file)]
    pub wait: Vec<WaitOrFile>,

    /// Write every probe and answer to FILE as pcap.
    #[arg(long = "pcap", value_name = "FILE")]
    pub pcap: Option<PathBuf>,

    /// Least time between probes: seconds, or milliseconds above 10.
    #[arg(short = 'z', long = "sendwait", value_name = "SENDWAIT", value_parser = sendwait)]
    pub sendwait: Option<Duration>,

    /// Source port of UDP and TCP probes, or the ICMP identifier (the first flow's; default:
    /// from the process id, above the kernel's local port range).
    #[arg(long = "sport", value_name = "PORT", value_parser = clap::value_parser!(u16).range(1..))]
    pub sport: Option<u16>,

    /// Source address of the probes.
    #[arg(short = 's', long = "source", value_name = "SRC_ADDR")]
    pub source: Option<IpAddr>,

    /// Send through this interface.
    #[arg(short = 'i', long = "interface", value_name = "DEVICE")]
    pub interface: Option<String>,

    /// Print addresses only, no names.
    #[arg(short = 'n')]
    pub numeric: bool,

    /// Look up each hop's AS number (origin TXT records of origin.asn.cymru.com's form,
    /// through the name servers of /etc/resolv.conf, at most 2 s per address).
    #[arg(short = 'A', long = "as-lookup")]
    pub as_lookup: bool,

    /// Show ICMP extensions (RFC 4884: MPLS labels, interface information).
    #[arg(short = 'e', long = "extensions")]
    pub extensions: bool,

    /// Discover the path MTU: probes start at the interface's MTU with don't-fragment set,
    /// shrink where a router says so, and the hop where the size changed shows F=SIZE
    /// (implies -N 1, as traceroute's --mtu).
    #[arg(long = "mtu")]
    pub mtu: bool,

    /// Flag hops whose answers show the probe rewritten by a NAT (`!NAT`).
    #[arg(long = "nat")]
    pub nat: bool,

    /// Which fields vary between probes [default: classic].
    #[arg(long = "flow", value_enum)]
    pub flow: Option<FlowArg>,

    /// Trace N Paris flows (source ports) and show every address seen per hop.
    #[arg(long = "flows", value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub flows: Option<u16>,

    /// mtr's report: run the rounds, then print Loss%, Snt, Last, Avg, Best, Wrst, StDev, Jttr.
    #[arg(short = 'r', long = "report")]
    pub report: bool,

    /// Rounds for --report (and --json with -c) [default: 10].
    #[arg(short = 'c', long = "report-cycles", value_name = "COUNT", value_parser = clap::value_parser!(u32).range(1..))]
    pub cycles: Option<u32>,

    /// Seconds between rounds [default: 1].
    #[arg(long = "interval", value_name = "SECONDS", value_parser = seconds)]
    pub interval: Option<Duration>,

    /// NDJSON: one record per hop as it is settled, then a summary (each record carries its schema version).
    #[arg(long = "json")]
    pub json: bool,
}

// Defaults are applied here, not by clap: clap parses every default value on each run, which
// was a quarter of its start-up cost.
impl Args {
    /// -f, default 1.
    pub fn first(&self) -> u8 {
        self.first.unwrap_or(1)
    }
    /// -m, default 30 (traceroute's).
    pub fn max(&self) -> u8 {
        self.max.unwrap_or(30)
    }
    /// -N, default 16 (traceroute's).
    pub fn in_flight(&self) -> u16 {
        self.in_flight.unwrap_or(16)
    }
    /// --flow, default classic.
    pub fn flow(&self) -> FlowArg {
        self.flow.unwrap_or(FlowArg::Classic)
    }
    /// -c, default 10 (mtr's).
    pub fn cycles(&self) -> u32 {
        self.cycles.unwrap_or(10)
    }
    /// --interval, default 1 s (mtr's).
    pub fn interval(&self) -> Duration {
        self.interval.unwrap_or(Duration::from_secs(1))
    }
}

/// A -w value: traceroute's wait or a capture file.
#[derive(Debug, Clone, PartialEq)]
pub enum WaitOrFile {
    /// MAX,HERE,NEAR.
    Wait(Wait),
    /// A capture file.
    File(PathBuf),
}

fn ttl(s: &str) -> Result<u8, String> {
    match s.parse::<u32>() {
        Ok(v @ 1..=255) => Ok(v as u8),
        Ok(v) => Err(format!("TTL {v} is not in 1..=255")),
        Err(e) => Err(format!("{e}")),
    }
}

fn seconds(s: &str) -> Result<Duration, String> {
    let v: f64 = s.parse().map_err(|e| format!("{e}: expected seconds"))?;
    if !(v.is_finite() && v >= 0.0) {
        return Err("expected seconds, 0 or more".into());
    }
    Duration::try_from_secs_f64(v).map_err(|e| e.to_string())
}

fn sendwait(s: &str) -> Result<Duration, String> {
    let v = seconds(s)?;
    // traceroute: above 10 it is milliseconds.
    Ok(if v.as_secs_f64() > 10.0 { v / 1000 } else { v })
}

fn wait_or_file(s: &str) -> Result<WaitOrFile, String> {
    // Numbers, or anything with a comma, is a wait; other words name a file.
    if !s.contains(',') && s.parse::<f64>().is_err() {
        return Ok(WaitOrFile::File(PathBuf::from(s)));
    }
    let bad = || "expected MAX[,HERE[,NEAR]], numbers 0 or more, or a FILE name".to_string();
    let numbers: Vec<f64> =
        s.split(',').map(|p| p.trim().parse::<f64>().map_err(|_| bad())).collect::<Result<_, _>>()?;
    if numbers.len() > 3 || numbers.iter().any(|v| !v.is_finite() || *v < 0.0) {
        return Err(bad());
    }
    let d = Wait::default();
    let max = Duration::try_from_secs_f64(numbers[0]).map_err(|e| e.to_string())?;
    Ok(WaitOrFile::Wait(Wait {
        max,
        here: numbers.get(1).copied().unwrap_or(d.here),
        near: numbers.get(2).copied().unwrap_or(d.near),
    }))
}

/// Resolves `host` as the system resolver does (/etc/hosts, DNS), in the family asked for.
fn resolve(host: &str, v4: bool, v6: bool) -> Result<IpAddr, Failure> {
    let unknown = || Failure::Usage(format!("{host}: unknown host"));
    if let Ok(a) = host.parse::<IpAddr>() {
        return if (v4 && a.is_ipv6()) || (v6 && a.is_ipv4()) {
            Err(Failure::Usage(format!("{host}: not an IPv{} address", if v6 { 6 } else { 4 })))
        } else {
            Ok(a)
        };
    }
    let addrs: Vec<SocketAddr> = (host, 0).to_socket_addrs().map_err(|_| unknown())?.collect();
    addrs
        .iter()
        .map(SocketAddr::ip)
        .find(|a| {
            if v6 {
                a.is_ipv6()
            } else if v4 {
                a.is_ipv4()
            } else {
                true
            }
        })
        .ok_or_else(unknown)
}

/// The MTU of `device`, or of the interface the route to `dst` leaves by.
fn interface_mtu(device: Option<&str>, dst: IpAddr) -> Option<usize> {
    let dev = match device {
        Some(d) => d.to_string(),
        None => System::for_sending().route(dst)?.interface,
    };
    if dev.is_empty() || dev.contains('/') {
        return None;
    }
    std::fs::read_to_string(format!("/sys/class/net/{dev}/mtu")).ok()?.trim().parse().ok()
}

/// Everything a run needs, worked out from the arguments.
struct Plan {
    dst: IpAddr,
    templates: Vec<Template>,
    config: TraceConfig,
    pcap: Option<PathBuf>,
    packet_len: usize,
}

fn plan(args: &Args) -> Result<Plan, Failure> {
    if args.first() > args.max() {
        return Err(Failure::Usage(format!(
            "first TTL {} is above the largest TTL {}",
            args.first(),
            args.max()
        )));
    }
    let dst = resolve(&args.host, args.ipv4, args.ipv6)?;
    let v6 = dst.is_ipv6();
    let src = match args.source {
        Some(s) if s.is_ipv6() != v6 => {
            return Err(Failure::Usage(format!(
                "source {s} and destination {dst} are not the same IP version"
            )));
        }
        Some(s) => s,
        None => System::for_sending()
            .source_address(dst)
            .ok_or_else(|| Failure::Runtime(format!("{dst}: no route to host")))?,
    };
    let protocol = if args.icmp {
        Protocol::Icmp
    } else if args.tcp {
        Protocol::Tcp
    } else {
        Protocol::Udp
    };
    let flow = match (args.flows, args.flow()) {
        (Some(_), FlowArg::Classic) => Flow::Paris,
        (_, FlowArg::Classic) => Flow::Classic,
        (_, FlowArg::Paris) => Flow::Paris,
        (_, FlowArg::Dublin) => Flow::Dublin,
    };
    let dport = match protocol {
        Protocol::Tcp => args.port.unwrap_or(80),
        Protocol::Udp if args.udp_fixed => args.port.unwrap_or(53),
        Protocol::Udp => args.port.unwrap_or(TRACEROUTE_PORT),
        Protocol::Icmp => 0,
    };
    let default_len = if args.mtu {
        interface_mtu(args.interface.as_deref(), dst).unwrap_or(1500)
    } else if v6 {
        80
    } else {
        60
    };
    let packet_len = args.packet_len.map_or(default_len, usize::from);
    // Source ports (and ICMP identifiers) above the kernel's local port range, per process.
    let base = args.sport.unwrap_or(61_000 + (std::process::id() % 2000) as u16);
    let flows = args.flows.unwrap_or(1);
    let templates = (0..flows)
        .map(|f| {
            Template::new(ProbeSpec {
                protocol,
                flow,
                src,
                dst,
                sport: base.wrapping_add(f.wrapping_mul(if flow == Flow::Classic { 1 } else { 97 })),
                dport,
                port_grows: !args.udp_fixed,
                packet_len,
                dont_fragment: args.mtu,
            })
            .map_err(|e| Failure::Usage(format!("packet length {packet_len}: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut wait = Wait::default();
    let mut pcap = args.pcap.clone();
    for w in &args.wait {
        match w {
            WaitOrFile::Wait(x) => wait = *x,
            WaitOrFile::File(f) => pcap = Some(f.clone()),
        }
    }
    let config = TraceConfig {
        first_ttl: Ttl(args.first()),
        max_ttl: Ttl(args.max()),
        queries: usize::from(args.queries.unwrap_or(if args.report { 1 } else { 3 })),
        in_flight: if args.mtu { 1 } else { usize::from(args.in_flight()) },
        wait,
        send_wait: args.sendwait.unwrap_or(Duration::ZERO),
        discover_mtu: args.mtu,
    };
    Ok(Plan { dst, templates, config, pcap, packet_len })
}

/// tracert's `main`: the command line, then [`run`].
pub fn main() -> std::process::ExitCode {
    let argv: Vec<OsString> = std::env::args_os().collect();
    match plain_args(&argv[1..]) {
        Some(args) => crate::cli::finish(TOOL, run(args)),
        None => crate::cli::main_from(TOOL, argv, run),
    }
}

/// An option that takes no value: its short and long names, and the field it sets.
struct Flag {
    short: Option<char>,
    long: Option<&'static str>,
    set: fn(&mut Args),
}

/// The options that take no value.
const FLAGS: [Flag; 12] = [
    Flag { short: Some('I'), long: Some("icmp"), set: |a| a.icmp = true },
    Flag { short: Some('T'), long: Some("tcp"), set: |a| a.tcp = true },
    Flag { short: Some('U'), long: Some("udp"), set: |a| a.udp_fixed = true },
    Flag { short: Some('4'), long: None, set: |a| a.ipv4 = true },
    Flag { short: Some('6'), long: None, set: |a| a.ipv6 = true },
    Flag { short: Some('n'), long: None, set: |a| a.numeric = true },
    Flag { short: Some('A'), long: Some("as-lookup"), set: |a| a.as_lookup = true },
    Flag { short: Some('e'), long: Some("extensions"), set: |a| a.extensions = true },
    Flag { short: Some('r'), long: Some("report"), set: |a| a.report = true },
    Flag { short: None, long: Some("mtu"), set: |a| a.mtu = true },
    Flag { short: None, long: Some("nat"), set: |a| a.nat = true },
    Flag { short: None, long: Some("json"), set: |a| a.json = true },
];

/// The common command line, options without values (`-n -I`, `-nT`, `--json`) and one host,
/// parsed without clap into the [`Args`] clap gives; None for anything else (an option with a
/// value, a second operand, `--help`, a flag given twice, a conflict, a misspelling), which
/// clap then parses. Building clap's command and parsing was a quarter of the instructions of
/// a short trace.
fn plain_args(argv: &[OsString]) -> Option<Args> {
    let mut args = Args {
        host: String::new(),
        packet_len: None,
        icmp: false,
        tcp: false,
        udp_fixed: false,
        port: None,
        ipv4: false,
        ipv6: false,
        first: None,
        max: None,
        queries: None,
        in_flight: None,
        wait: Vec::new(),
        pcap: None,
        sendwait: None,
        sport: None,
        source: None,
        interface: None,
        numeric: false,
        as_lookup: false,
        extensions: false,
        mtu: false,
        nat: false,
        flow: None,
        flows: None,
        report: false,
        cycles: None,
        interval: None,
        json: false,
    };
    let mut host = None;
    let mut given = [false; FLAGS.len()];
    let mut set = |index: Option<usize>, args: &mut Args| {
        let index = index?;
        // A flag given twice is clap's to judge.
        if std::mem::replace(&mut given[index], true) {
            return None;
        }
        (FLAGS[index].set)(args);
        Some(())
    };
    for arg in argv {
        let arg = arg.to_str()?;
        if let Some(long) = arg.strip_prefix("--") {
            set(FLAGS.iter().position(|f| f.long == Some(long)), &mut args)?;
        } else if let Some(shorts) = arg.strip_prefix('-').filter(|s| !s.is_empty()) {
            for c in shorts.chars() {
                set(FLAGS.iter().position(|f| f.short == Some(c)), &mut args)?;
            }
        } else if host.is_none() && !arg.is_empty() && !arg.starts_with('-') {
            host = Some(arg);
        } else {
            return None;
        }
    }
    let conflict = (args.icmp && (args.tcp || args.udp_fixed))
        || (args.tcp && args.udp_fixed)
        || (args.ipv4 && args.ipv6);
    if conflict {
        return None;
    }
    args.host = host?.to_string();
    Some(args)
}

/// Runs tracert with parsed arguments.
pub fn run(args: Args) -> Result<(), Failure> {
    let plan = plan(&args)?;
    let spec = plan.templates[0].spec();
    let runtime = |e: pktkit::net::NetError| Failure::Runtime(e.to_string());
    // Without CAP_NET_RAW, UDP and ICMP probes still go out on datagram sockets (docs/tracert.md).
    if !pktkit::net::has_cap_net_raw()
        && spec.protocol != Protocol::Tcp
        && !args.mtu
        && spec.flow != Flow::Dublin
    {
        let icmp = spec.protocol == Protocol::Icmp;
        let net = pktkit::net::DatagramNetwork::open(spec.src, icmp).map_err(|e| {
            // No ping sockets for this user: the privilege message says how to fix it.
            match pktkit::net::require_cap_net_raw("sending ICMP probes") {
                Err(p) => Failure::Runtime(format!("{p} (or allow ping sockets: {e})")),
                Ok(()) => runtime(e),
            }
        })?;
        return trace(&args, &plan, net);
    }
    let net = RawNetwork::open(args.interface.as_deref(), spec.dst.is_ipv6(), spec.protocol == Protocol::Tcp)
        .map_err(runtime)?;
    trace(&args, &plan, net)
}

fn trace<N: Network>(args: &Args, plan: &Plan, net: N) -> Result<(), Failure> {
    let mut net = Recording::new(net, plan.pcap.is_some());
    let mut tracer = Tracer::new(plan.templates.clone(), plan.config.clone());
    let names = names::Names::new(!args.numeric, args.as_lookup);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let outcome = if args.report {
        report::run(args, &plan.dst, &mut tracer, &mut net, &names, &mut out)
    } else {
        single(args, plan, &mut tracer, &mut net, &names, &mut out)
    };
    if let Some(path) = &plan.pcap {
        report::write_pcap(path, &net.take())?;
    }
    outcome
}

/// One traceroute-style trace, hop lines (or JSON hop records) as they are settled.
fn single<N: Network>(
    args: &Args,
    plan: &Plan,
    tracer: &mut Tracer,
    net: &mut N,
    names: &names::Names,
    out: &mut impl Write,
) -> Result<(), Failure> {
    if !args.json {
        writeln!(out, "{}", text::header(&args.host, plan.dst, tracer.config().max_ttl, plan.packet_len))?;
        out.flush()?;
    }
    let mut hop: Vec<ProbeResult> = Vec::new();
    let mut failure: Option<Failure> = None;
    let opts = text::Options { extensions: args.extensions, nat: args.nat, json: args.json };
    let per_hop = tracer.config().queries * plan.templates.len();
    let results = tracer
        .run_round(net, |r| {
            hop.push(r.clone());
            if hop.len() == per_hop && failure.is_none() {
                let line = text::hop(&hop, names, &opts);
                if let Err(e) = writeln!(out, "{line}").and_then(|()| out.flush()) {
                    failure = Some(e.into());
                }
                hop.clear();
            }
        })
        .map_err(|e| Failure::Runtime(e.to_string()))?;
    if let Some(f) = failure {
        return Err(f);
    }
    if !hop.is_empty() {
        writeln!(out, "{}", text::hop(&hop, names, &opts))?;
    }
    if args.json {
        writeln!(out, "{}", text::summary_json(plan.dst, tracer, &results))?;
    }
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(line: &str) -> Vec<OsString> {
        line.split_whitespace().map(OsString::from).collect()
    }

    /// What clap makes of `line`, or its error kind.
    fn clap_args(line: &str) -> String {
        let mut all = argv(TOOL);
        all.extend(argv(line));
        match Args::try_parse_from(all) {
            Ok(a) => format!("{a:?}"),
            Err(e) => format!("{:?}", e.kind()),
        }
    }

    #[test]
    fn plain_command_lines_parse_as_clap_parses_them() {
        let lines = [
            "-n 10.0.3.2",
            "-n -I 10.0.3.2",
            "-nT example.com",
            "-I -n --json 10.0.3.2",
            "10.0.3.2 -n -U",
            "-4 -e -A --nat --mtu -r h",
            "--icmp --extensions --as-lookup --report h",
            "--tcp -n h",
            "--udp -6 h",
        ];
        for line in lines {
            let ours = plain_args(&argv(line)).unwrap_or_else(|| panic!("{line}: not a plain command line"));
            assert_eq!(format!("{ours:?}"), clap_args(line), "{line}");
        }
    }

    /// Every set of value-less options, each in its short and its long spelling where it has
    /// one: the fast path either declines or gives exactly clap's Args, and it never accepts a
    /// line that clap refuses.
    #[test]
    fn every_flag_combination_agrees_with_clap() {
        for set in 0u32..(1 << FLAGS.len()) {
            for long in [false, true] {
                let mut line = String::new();
                for (index, flag) in FLAGS.iter().enumerate() {
                    if set & (1 << index) == 0 {
                        continue;
                    }
                    match (flag.short, flag.long) {
                        (Some(short), Some(_)) if !long => line += &format!("-{short} "),
                        (_, Some(name)) => line += &format!("--{name} "),
                        (Some(short), None) => line += &format!("-{short} "),
                        (None, None) => unreachable!("a flag has a name"),
                    }
                }
                line += "h";
                let clap = clap_args(&line);
                let ours = plain_args(&argv(&line));
                if let Some(ours) = &ours {
                    assert_eq!(format!("{ours:?}"), clap, "{line}");
                }
                if clap.starts_with("Args") {
                    assert!(ours.is_some(), "{line}: clap takes it, the fast path declines");
                }
            }
        }
    }

    #[test]
    fn other_command_lines_are_left_to_clap() {
        let lines = [
            "",
            "-n",
            "-n -n h",
            "-nn h",
            "-I -T h",
            "-T -U h",
            "-4 -6 h",
            "-q 3 h",
            "-q3 h",
            "h 60",
            "-n -- h",
            "- h",
            "--help",
            "-h",
            "-V",
            "--icmp=1 h",
            "--jsn h",
            "-x h",
        ];
        for line in lines {
            assert!(plain_args(&argv(line)).is_none(), "{line}: parsed without clap");
        }
    }
}
