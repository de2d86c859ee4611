//! pkt-send: craft packets in Scapy's syntax and send them (layer 3 or 2), wait for the
//! answer (`--sr1`), write them as pcap (`-w`), show them (`--show`), replay a capture
//! (`--replay`) or write back pkt-decode's JSON records (`--from-json`).

mod json;
mod replay;
pub mod show;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clap::Parser;
use pktkit::capture::{CaptureWriter, Interface, LinkType, OutputFormat, Packet, Precision, Timestamp};
use pktkit::craft::{CraftError, CraftedPacket, Probe, Spec, StartLayer, System};
use pktkit::net::{self, L2Sender, L3Sender, Listener, NetError, Pacer, Schedule};

use crate::cli::{self, Failure};

const TOOL: &str = "pkt-send";

const EXAMPLES: &str = "\
Examples:
  pkt-send --sr1 'IP(dst=10.0.0.2)/ICMP()'                  ping: prints the reply (source, TTL)
  pkt-send --sr1 'IP(dst=10.0.0.2)/TCP(dport=80,flags=S)'    SYN: SYN-ACK (open) or RST (closed)
  pkt-send --sr1 'ARP(pdst=10.0.0.1)'                        who has 10.0.0.1? (layer 2)
  pkt-send -c 5 --interval 0.2 'IP(dst=10.0.0.2,ttl=(1,3))/UDP(dport=33434)'
  pkt-send --show 'IP(dst=10.0.0.2)/TCP(dport=80,flags=S)'   Scapy's show2(): every field
  pkt-send --show -X 'IP(dst=10.0.0.2)/ICMP()'               Scapy's hexdump()
  pkt-send --show --oneline 'IP(dst=10.0.0.0/30)/TCP(dport=[22,80],flags=S)'   8 tcpdump lines
  pkt-send --list TCP                                        TCP's fields (Scapy's ls(TCP))
  pkt-send -w - 'Ether()/IP(dst=10.0.0.2)/UDP()/DNS(qname=example.com)' | tcpdump -vv -r -
  pkt-send --replay -i eth0 --pps 10000 capture.pcap         replay at 10,000 packets/s
  pkt-send --replay -i eth0 --topspeed --loop 3 capture.pcap
  pcap-filter 'udp port 53' < capture.pcap | pkt-send --replay -i eth0 --multiplier 2
  pkt-decode --json --raw in.pcap | jq -c '.ipv4.dst=\"10.9.9.9\"' |
    pkt-send --from-json -w - > out.pcap

A spec is a stack of layers, Scapy's syntax: Ether, Dot1Q, ARP, IP, IPv6, TCP, UDP, ICMP,
ICMPv6EchoRequest/Reply, ICMPv6ND_NS/NA/RS/RA and options, DNS, Raw (docs/craft.md). Lists
[a,b], ranges (lo,hi) and networks a.b.c.d/n make several packets. A spec starting with IP or
IPv6 is sent on a raw IP socket (the kernel routes); one starting with Ether (or ARP), or any
spec with -i, is sent as a frame on the interface. Sending needs CAP_NET_RAW; -w and --show
need no privileges. Exit status: 0 sent (and answered), 1 no answer or an error, 2 bad usage
or a malformed spec.";

/// Craft, send, capture answers to, write, show and replay packets (Scapy and tcpreplay in one).
#[derive(Debug, Parser)]
#[command(name = TOOL, version, after_help = EXAMPLES)]
pub struct Args {
    /// The packet spec, e.g. 'IP(dst=10.0.0.2)/TCP(dport=80)'; with --replay or --from-json,
    /// input files (stdin when none or '-').
    #[arg(value_name = "SPEC | FILE")]
    pub args: Vec<String>,

    /// Send frames on IFACE (layer 2); an IP spec gets an Ethernet header. Required by --replay.
    #[arg(short = 'i', long = "iface", value_name = "IFACE")]
    pub iface: Option<String>,

    /// Send the spec's packets N times (0: until interrupted).
    #[arg(short = 'c', long = "count", value_name = "N", default_value_t = 1)]
    pub count: u64,

    /// Wait SECS between packets (Scapy's inter=).
    #[arg(long, value_name = "SECS", value_parser = cli::parse_secs, conflicts_with = "rate")]
    pub interval: Option<Duration>,

    /// Send PPS packets per second.
    #[arg(long, value_name = "PPS", value_parser = cli::parse_rate)]
    pub rate: Option<f64>,

    /// Write the packets to FILE as pcap instead of sending them ('-': stdout). No privileges needed.
    #[arg(short = 'w', value_name = "FILE")]
    pub write: Option<PathBuf>,

    /// With -w: write pcapng instead of classic pcap.
    #[arg(long, requires = "write")]
    pub pcapng: bool,

    /// Print the packets instead of sending them, as Scapy's show2(): one block per layer,
    /// every field with its value, computed lengths and checksums included.
    #[arg(long, conflicts_with = "write")]
    pub show: bool,

    /// With --show: one tcpdump line per packet (pkt-decode's text) instead of Scapy's blocks.
    #[arg(long, requires = "show", conflicts_with = "json")]
    pub oneline: bool,

    /// With --show: the bytes as Scapy's hexdump().
    #[arg(short = 'X', long = "hexdump", requires = "show", conflicts_with_all = ["json", "oneline"])]
    pub hexdump: bool,

    /// List the fields of LAYER, as Scapy's ls(LAYER); without LAYER, the layers.
    #[arg(long, value_name = "LAYER", num_args = 0..=1, default_missing_value = "", exclusive = true)]
    pub list: Option<String>,

    /// JSON output: packets (--show), the answer (--sr1) or the replay report (--replay).
    #[arg(long)]
    pub json: bool,

    /// With --json: add the packet bytes and what --from-json needs to write them back.
    #[arg(long, requires = "json")]
    pub raw: bool,

    /// Send, then wait for the first packet that answers (Scapy's sr1); print it. Exit 1 if none.
    #[arg(long, visible_alias = "wait", conflicts_with_all = ["write", "show", "replay", "from_json"])]
    pub sr1: bool,

    /// With --sr1: seconds to wait for the answer after the last packet.
    #[arg(long, value_name = "SECS", value_parser = cli::parse_secs, default_value = "2")]
    pub timeout: Duration,

    /// Replay capture files (stdin by default) on -i IFACE, at their captured timing by default.
    #[arg(long, conflicts_with = "from_json")]
    pub replay: bool,

    /// Replay at N packets per second.
    #[arg(long, value_name = "N", value_parser = cli::parse_rate, conflicts_with_all = ["mbps", "multiplier", "topspeed", "rate", "interval"])]
    pub pps: Option<f64>,

    /// Replay at N megabits per second (frame bytes).
    #[arg(long, value_name = "N", value_parser = cli::parse_rate, conflicts_with_all = ["multiplier", "topspeed", "rate", "interval"])]
    pub mbps: Option<f64>,

    /// Replay at the captured timing sped up X times.
    #[arg(long, value_name = "X", value_parser = cli::parse_rate, conflicts_with_all = ["topspeed", "rate", "interval"])]
    pub multiplier: Option<f64>,

    /// Replay as fast as possible.
    #[arg(long, conflicts_with_all = ["rate", "interval"])]
    pub topspeed: bool,

    /// Replay the input N times.
    #[arg(long = "loop", value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    pub loops: u64,

    /// Read pkt-decode's `--json --raw` records (files or stdin) and send, write (-w) or show
    /// the packets they describe; edited fields are written in, checksums updated.
    #[arg(long = "from-json")]
    pub from_json: bool,

    /// No status lines on stderr.
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

/// Runs pkt-send with parsed arguments.
pub fn run(args: Args) -> Result<(), Failure> {
    if let Some(layer) = &args.list {
        return list(layer);
    }
    let replay_only = args.pps.is_some() || args.mbps.is_some() || args.multiplier.is_some() || args.topspeed;
    if replay_only && !(args.replay || args.from_json) {
        return Err(Failure::Usage(
            "--pps, --mbps, --multiplier and --topspeed go with --replay or --from-json".into(),
        ));
    }
    if args.sr1 && args.count == 0 {
        return Err(Failure::Usage("--sr1 waits after the last packet: give -c N with N above 0".into()));
    }
    if args.loops != 1 && !args.replay {
        return Err(Failure::Usage("--loop goes with --replay".into()));
    }
    if args.replay {
        replay::run(&args)
    } else if args.from_json {
        json::run(&args)
    } else {
        run_craft(&args)
    }
}

/// A malformed spec: exit 2, the message with its position, and the spec with a caret.
///
/// A host name that does not resolve is the environment's failure, not the spec's: exit 1.
fn spec_error(spec: &str, e: &CraftError) -> Failure {
    let (failure, what): (fn(String) -> Failure, _) = match e {
        CraftError::Unresolved { .. } => (Failure::Runtime, "packet spec"),
        _ => (Failure::Usage, "bad packet spec"),
    };
    match e.caret(spec) {
        Some(caret) => {
            let caret = caret.lines().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n");
            failure(format!("{what}: {e}\n{caret}"))
        }
        None => failure(format!("{what}: {e}")),
    }
}

fn net_failure(e: NetError) -> Failure {
    Failure::Runtime(e.to_string())
}

fn now() -> Timestamp {
    let d = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    Timestamp::new(d.as_secs() as i64, u64::from(d.subsec_nanos()))
}

/// Most probes --sr1 keeps for matching.
const MAX_PROBES: usize = 65_536;

fn run_craft(args: &Args) -> Result<(), Failure> {
    let [text] = args.args.as_slice() else {
        return Err(Failure::Usage(format!(
            "give one packet spec (in quotes), e.g. pkt-send --sr1 'IP(dst=10.0.0.2)/ICMP()'; got {} arguments",
            args.args.len()
        )));
    };
    let spec = Spec::parse(text).map_err(|e| spec_error(text, &e))?;
    // An IP spec sent with -i gets an Ethernet header, as if written Ether()/...
    let spec = if args.iface.is_some() && spec.start() == StartLayer::Network && args.write.is_none() {
        Spec::parse(&format!("Ether()/{text}")).map_err(|e| spec_error(text, &e))?
    } else {
        spec
    };
    let env = if args.write.is_some() { System::for_file() } else { System::for_sending() };
    let passes = if args.count == 0 { u64::MAX } else { args.count };
    // Repeated passes (-c) of a spec small enough are built once (host names resolved once);
    // a bigger one is built again lazily for each pass.
    let mut built: Option<Vec<CraftedPacket>> = None;
    let mut each = |f: &mut PacketFn<'_>| -> Result<(), Failure> {
        for _ in 0..passes {
            if let Some(all) = &built {
                for p in all {
                    f(p.clone())?;
                }
                continue;
            }
            let keep = passes > 1 && spec.count() <= pktkit::craft::MAX_PACKETS;
            let mut kept = Vec::new();
            for p in spec.packets(&env).map_err(|e| spec_error(text, &e))? {
                let p = p.map_err(|e| spec_error(text, &e))?;
                if keep {
                    kept.push(p.clone());
                }
                f(p)?;
            }
            if keep {
                built = Some(kept);
            }
        }
        Ok(())
    };

    if let Some(path) = &args.write {
        let format = if args.pcapng { OutputFormat::PcapNg } else { OutputFormat::Pcap };
        let open = || -> Result<CaptureWriter<cli::Output>, Failure> {
            Ok(CaptureWriter::new(cli::open_output(Some(path), true)?, format))
        };
        let iface = Interface::live(spec.start().linktype(), 262_144, Precision::Micro);
        // Opened at the first packet built: a spec error found while building the first one
        // writes nothing, not even a file header.
        let mut w = None;
        let mut n = 0u64;
        let outcome = each(&mut |p| {
            let w = match &mut w {
                Some(w) => w,
                None => w.insert(open()?),
            };
            n += 1;
            let len = p.bytes.len() as u32;
            w.write(&Packet::new(n, now(), &p.bytes, len, &iface))?;
            Ok(())
        });
        return match w {
            // The packets before an error are written out.
            Some(w) => w.finish().map_err(Failure::from).and(outcome),
            None => {
                outcome?;
                let mut w = open()?;
                w.begin(&iface)?;
                Ok(w.finish().map(|_| ())?)
            }
        };
    }
    if args.show {
        let mut out = cli::open_output(None, false)?;
        let iface = Interface::live(spec.start().linktype(), 262_144, Precision::Micro);
        let mut n = 0u64;
        let mut show = shower(args, false);
        each(&mut |p| {
            n += 1;
            let pkt = Packet::new(n, now(), &p.bytes, p.bytes.len() as u32, &iface);
            Ok(show.packet(&mut out, &pkt)?)
        })?;
        use std::io::Write;
        out.flush()?;
        return Ok(());
    }
    send_crafted(args, &spec, &mut each)
}

/// pkt-decode's view of packets for this run: JSON (`--json`, `--raw`) or text, with
/// timestamps unless the packets were just crafted.
fn shower(args: &Args, timestamps: bool) -> show::Show {
    if args.json || args.oneline {
        show::Show::new(args.json, args.raw, timestamps, false)
    } else {
        show::Show::scapy(args.hexdump)
    }
}

/// `--list [LAYER]`: Scapy's ls(LAYER), or the layer names.
fn list(layer: &str) -> Result<(), Failure> {
    use std::io::Write;
    let text = if layer.is_empty() {
        let mut names = pktkit::render::scapy::layer_names().join("\n");
        names.push('\n');
        names
    } else {
        pktkit::render::scapy::list(layer).ok_or_else(|| {
            Failure::Usage(format!(
                "--list {layer}: no such layer (known: {})",
                pktkit::render::scapy::layer_names().join(", ")
            ))
        })?
    };
    let mut out = cli::open_output(None, false)?;
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// Where crafted packets go: opened at the first packet, which tells the interface.
#[derive(Default)]
struct Senders {
    l2: Option<L2Sender>,
    l3: Option<L3Sender>,
}

impl Senders {
    /// Opens what `p` is sent with, if not open yet.
    fn open(&mut self, p: &CraftedPacket, iface: Option<&str>) -> Result<(), NetError> {
        match p.start {
            StartLayer::Link if self.l2.is_none() => {
                let Some(name) = iface.or(p.interface.as_deref()) else {
                    return Err(NetError::Unsupported(
                        "no interface to send this Ethernet frame on (no route tells one): give -i IFACE"
                            .into(),
                    ));
                };
                self.l2 = Some(L2Sender::open(name)?);
            }
            StartLayer::Network if self.l3.is_none() => self.l3 = Some(L3Sender::open(None)?),
            _ => {}
        }
        Ok(())
    }

    fn send(&mut self, p: &CraftedPacket) -> Result<(), NetError> {
        match p.start {
            StartLayer::Link => self.l2.as_mut().map_or(Ok(()), |s| s.send(&p.bytes)),
            StartLayer::Network => {
                self.l3.as_mut().map_or(Ok(0), |s| s.send(&p.bytes, p.interface.as_deref())).map(|_| ())
            }
        }
    }
}

/// What is done with each crafted packet.
type PacketFn<'a> = dyn FnMut(CraftedPacket) -> Result<(), Failure> + 'a;

fn send_crafted(
    args: &Args,
    spec: &Spec,
    each: &mut dyn FnMut(&mut PacketFn<'_>) -> Result<(), Failure>,
) -> Result<(), Failure> {
    net::require_cap_net_raw("sending raw packets").map_err(net_failure)?;
    let schedule = match (args.rate, args.interval) {
        (Some(pps), _) => Schedule::Pps(pps),
        (_, Some(every)) => Schedule::Interval(every),
        _ => Schedule::TopSpeed,
    };
    let mut pacer = Pacer::new(schedule);
    let mut senders = Senders::default();
    let mut listener: Option<Listener> = None;
    let mut probes: Vec<Probe> = Vec::new();
    let (mut sent, mut bytes, mut failed) = (0u64, 0u64, 0u64);
    let mut last_error: Option<String> = None;
    let mut first_sent: Option<Timestamp> = None;
    each(&mut |p| {
        if args.sr1 {
            if listener.is_none() {
                let iface =
                    args.iface.clone().or_else(|| p.interface.clone()).unwrap_or_else(|| "any".into());
                let mut first = p.probe.clone();
                if spec.count() > 1 {
                    first.src = None;
                }
                let filter = net::answer_filter([&first]);
                listener = Some(Listener::open(&iface, &filter).map_err(net_failure)?);
            }
            if probes.len() < MAX_PROBES && !probes.contains(&p.probe) {
                probes.push(p.probe.clone());
            }
        }
        // Opened before the clock starts: opening takes milliseconds.
        senders.open(&p, args.iface.as_deref()).map_err(net_failure)?;
        pacer.pace(p.bytes.len(), Timestamp::default());
        let at = now();
        match senders.send(&p) {
            Ok(()) => {
                sent += 1;
                bytes += p.bytes.len() as u64;
                first_sent.get_or_insert(at);
            }
            Err(e) if e.is_privilege() => return Err(net_failure(e)),
            Err(e) => {
                failed += 1;
                last_error = Some(e.to_string());
            }
        }
        Ok(())
    })?;
    if !args.quiet {
        let mut line = format!("sent {sent} packet(s), {bytes} bytes");
        if failed > 0 {
            line += &format!(", {failed} failed ({})", last_error.as_deref().unwrap_or(""));
        }
        eprintln!("{TOOL}: {line}");
    }
    if sent == 0 && failed > 0 {
        return Err(Failure::Runtime(last_error.unwrap_or_else(|| "nothing was sent".into())));
    }
    let Some(mut listener) = listener.filter(|_| args.sr1) else {
        return if failed > 0 { Err(Failure::Runtime(format!("{failed} packet(s) failed"))) } else { Ok(()) };
    };
    let linktype = listener.linktype();
    let mut answer: Option<(Timestamp, Vec<u8>, u32)> = None;
    let deadline = Instant::now() + args.timeout;
    listener
        .wait_for(deadline, |ts, data, len| {
            if probes.iter().any(|p| net::answers(p, linktype, data)) {
                answer = Some((ts, data.to_vec(), len));
                true
            } else {
                false
            }
        })
        .map_err(net_failure)?;
    let Some((ts, data, len)) = answer else {
        return Err(Failure::Runtime(format!(
            "no answer within {} s",
            trim_secs(args.timeout.as_secs_f64())
        )));
    };
    // Kernel capture time of the answer minus the time the first probe was handed over.
    let after_ms = first_sent.map_or(0.0, |t| ts.nanos_since(t) as f64 / 1e6);
    let iface = Interface::live(linktype, 65_535, Precision::Micro);
    let pkt = Packet::new(1, ts, &data, len, &iface);
    let mut out = cli::open_output(None, false)?;
    // As `tcpdump -v`: the answer's TTL is in the line.
    show::Show::new(args.json, args.raw, true, true).packet(&mut out, &pkt)?;
    use std::io::Write;
    out.flush()?;
    if !args.quiet
        && let Some((src, ttl)) = show::source_and_ttl(linktype, &data)
    {
        eprintln!("{TOOL}: answer from {src}, ttl {ttl}, {after_ms:.3} ms after the first packet");
    }
    Ok(())
}

fn trim_secs(s: f64) -> String {
    let t = format!("{s:.3}");
    t.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The link type a capture's frames can be sent with: Ethernet on an interface, raw IP.
pub(crate) fn sendable(linktype: LinkType) -> bool {
    matches!(
        linktype,
        LinkType::ETHERNET
            | LinkType::RAW
            | LinkType::IPV4
            | LinkType::IPV6
            | LinkType::DLT_RAW_12
            | LinkType::DLT_RAW_14
    )
}

/// `-` or nothing means stdin.
pub(crate) fn input_paths(args: &[String]) -> Vec<PathBuf> {
    args.iter().map(|a| Path::new(a).to_path_buf()).collect()
}
