//! The scan: a sending loop on this thread, a receiving loop on its own.
//!
//! - Probes are numbered `port_index * targets + target_index` and sent in the order of a
//!   keyed [`Permutation`] of that space (this run's [`Shard`] of it), in `sendmmsg` batches
//!   paced to the rate. Each is a copy of one crafted SYN template per address family with
//!   the destination, ports and sequence number written in and the checksums updated
//!   incrementally ([`SynTemplate`]).
//! - The sequence number and source port are the probe's [`SynCookie`], so the receiver
//!   validates an answer from its four-tuple alone and marks the probe answered in the
//!   [`AnswerBitmap`]; a second answer is counted as a duplicate.
//! - Retry rounds walk the permutation again and resend only where the bit is clear, after
//!   an RFC 6298 timeout from the round trips of every first-round answer ([`Samples`]), and
//!   only once the receiver has gone quiet.
//!
//! [`Shard`]: pktkit::scan::Shard
//! [`SynCookie`]: pktkit::scan::SynCookie

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::net::IpAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use pktkit::capture::{CaptureWriter, Interface, LinkType, OutputFormat, Packet, Precision, Timestamp};
use pktkit::craft::{Environment, System};
use pktkit::net::probe::Transport;
use pktkit::net::reply::{Reply, ReplyKind};
use pktkit::net::{self, DRAIN, L3Sender, Listener, NetError, SynTemplate, network_layer, wait_until};
use pktkit::scan::{
    AnswerBitmap, Permutation, PortSet, RttEstimator, Shard, SourcePorts, SynCookie, TargetSet,
};
use pktkit::stream::Interrupts;

use super::output::{self, HostReport, RunInfo};
use super::report::{Counters, HostTally, NO_RESPONSE, PortResult, Shown, State, unreachable_reason};
use super::{Args, Plan};
use crate::cli::{self, Failure, Output};

/// Probes per `sendmmsg` call at full rate.
const BATCH: usize = 64;
/// Probes per second given to one sending thread: a faster scan sends from one thread per
/// core, up to [`MAX_SENDERS`]. The kernel's per-packet work (routing, the qdisc, and on a
/// veth the whole far side's receive path) runs in the sending thread's system call, so one
/// thread is bound to one core.
const RATE_PER_SENDER: f64 = 100_000.0;
/// Most sending threads.
const MAX_SENDERS: usize = 4;
/// Fewest probes per sending thread worth a thread of its own.
const PROBES_PER_SENDER: u64 = 1_000;
/// Bytes kept of each answer: an ICMPv6 error quoting the SYN's IPv6 and TCP headers after
/// Ethernet, IPv6 and ICMPv6 headers fits in 160.
const CAPTURE_SNAPLEN: i32 = 256;
/// The capture's kernel buffer. libpcap's TPACKET_V3 ring packs each packet in what it
/// takes (a 54-byte RST with its headers in about 128 bytes), so 16 MiB holds over 100,000
/// answers, a second of answers at 100,000 probes/s. The kernel zeroes the whole ring when the
/// capture opens: 64 MiB cost about 80 ms of system time per scan (perf, docs/synscan.md).
const CAPTURE_BUFFER: i32 = 16 << 20;
/// Timeout before the first round-trip sample.
const INITIAL_TIMEOUT: Duration = Duration::from_millis(250);
/// Bounds of the adaptive timeout (nmap -T4 keeps its own within 100 ms .. 1.25 s; answers
/// on a LAN come in well under a millisecond).
const MIN_TIMEOUT: Duration = Duration::from_millis(20);
const MAX_TIMEOUT: Duration = Duration::from_millis(1500);
/// Most probes awaiting a round-trip sample at once (unanswered ones stay until the end).
const MAX_SAMPLES: usize = 1 << 16;
/// How long the receiving thread waits for packets between its other duties (flushing,
/// stopping, telling the sender it has read everything).
const RECEIVE_SLICE: Duration = Duration::from_millis(2);
/// How often buffered (not open) results are flushed while answers stream in.
const FLUSH_EVERY: Duration = Duration::from_millis(50);

fn runtime(e: NetError) -> Failure {
    Failure::Runtime(e.to_string())
}

fn now_ts() -> Timestamp {
    let d = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    Timestamp::new(d.as_secs() as i64, u64::from(d.subsec_nanos()))
}

/// Probes and answers written to `-w FILE` as raw IP (both threads write).
struct PcapOut {
    writer: CaptureWriter<Output>,
    iface: Interface,
    count: u64,
}

impl PcapOut {
    fn write(&mut self, ip: &[u8]) -> Result<(), Failure> {
        self.count += 1;
        let pkt = Packet::new(self.count, now_ts(), ip, ip.len() as u32, &self.iface);
        self.writer.write(&pkt)?;
        Ok(())
    }
}

/// What the two threads share.
struct Shared {
    answered: AnswerBitmap,
    start: Instant,
    stop: AtomicBool,
    received: AtomicU64,
    answers: AtomicU64,
    duplicates: AtomicU64,
    /// Nanoseconds after `start` of the last packet received.
    last_packet: AtomicU64,
    /// Nanoseconds after `start` before which the receiver has read every packet captured.
    drained: AtomicU64,
    rtt: Mutex<RttEstimator>,
    samples: Mutex<Samples>,
    pcap: Option<Mutex<PcapOut>>,
}

impl Shared {
    fn since_last_packet(&self) -> Duration {
        let last = Duration::from_nanos(self.last_packet.load(Relaxed));
        self.start.elapsed().saturating_sub(last)
    }

    fn timeout(&self) -> Duration {
        self.rtt.lock().map(|r| r.timeout()).unwrap_or(INITIAL_TIMEOUT)
    }
}

/// Send times of first-round probes awaiting an answer, for round-trip samples (Karn's rule:
/// an answer to a resent probe is ambiguous, so retries are not sampled).
///
/// A sample runs from the return of the `sendmmsg` call that carried the probe to the
/// capture's kernel timestamp of its answer: that is what the wait after a round's last call
/// has to cover (the receiving thread drains what the kernel holds before the scan ends, so
/// its own delays are not counted). An answer that came while its call still ran (on a veth
/// the far side answers inside the call) needs no wait at all and is a sample of zero.
#[derive(Default)]
struct Samples {
    /// Probe number to the number of the call that carried it.
    probes: HashMap<u64, u64>,
    /// By call number: when it returned (`None` while it runs), and how many of its probes
    /// still await an answer.
    calls: HashMap<u64, (Option<Timestamp>, usize)>,
    next_call: u64,
}

impl Samples {
    /// Records `probes` as about to be sent in one call; returns the call's number, or `None`
    /// when too many probes already await answers.
    fn sending(&mut self, probes: &[u64]) -> Option<u64> {
        if self.probes.len() + probes.len() > MAX_SAMPLES {
            return None;
        }
        let call = self.next_call;
        self.next_call += 1;
        self.probes.extend(probes.iter().map(|&p| (p, call)));
        self.calls.insert(call, (None, probes.len()));
        Some(call)
    }

    /// Records that call `call` returned at `at`.
    fn sent(&mut self, call: u64, at: Timestamp) {
        if let Some((returned, _)) = self.calls.get_mut(&call) {
            *returned = Some(at);
        }
    }

    /// The round trip of `probe`'s first answer, captured at `at`, if its send was recorded.
    fn answered(&mut self, probe: u64, at: Timestamp) -> Option<Duration> {
        let call = self.probes.remove(&probe)?;
        let (returned, waiting) = self.calls.get_mut(&call)?;
        let nanos = returned.map_or(0, |sent| at.nanos_since(sent).max(0));
        let rtt = Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX));
        *waiting -= 1;
        if *waiting == 0 {
            self.calls.remove(&call);
        }
        Some(rtt)
    }
}

/// The probe number space: `port_index * targets + target_index`.
#[derive(Clone)]
struct Space {
    targets: Arc<TargetSet>,
    ports: PortSet,
    ntargets: u64,
}

impl Space {
    fn split(&self, probe: u64) -> (u64, u32) {
        (probe % self.ntargets, (probe / self.ntargets) as u32)
    }

    fn join(&self, target: u64, port: u32) -> u64 {
        u64::from(port) * self.ntargets + target
    }
}

/// The receiving thread's state.
struct Receiver {
    shared: Arc<Shared>,
    space: Space,
    cookie: SynCookie,
    /// This run's part of the permutation: an answer to another part's probe (a shard running
    /// at the same time from this address, with the same seed) is not ours.
    shard: Shard,
    perm: Permutation,
    shown: Shown,
    /// Whether hidden ports are kept by number (for `-oX`).
    keep_hidden: bool,
    json: bool,
    stream: Option<Output>,
    tallies: HashMap<u64, HostTally>,
    dirty: bool,
    last_flush: Instant,
}

impl Receiver {
    fn handle(&mut self, linktype: LinkType, at: Timestamp, data: &[u8]) -> Result<(), Failure> {
        let shared = Arc::clone(&self.shared);
        shared.received.fetch_add(1, Relaxed);
        shared.last_packet.store(shared.start.elapsed().as_nanos() as u64, Relaxed);
        let Some(reply) = Reply::parse(linktype, data) else { return Ok(()) };
        let Transport::Tcp { sport, dport, seq } = reply.probe.transport else { return Ok(()) };
        let (src, dst) = (reply.probe.src, reply.probe.dst);
        let ours = match seq {
            Some(seq) => self.cookie.is_ours(src, dst, sport, dport, seq),
            // An RST or a SYN without ACK acknowledges nothing: the ports alone must match.
            None => self.cookie.source_port(src, dst, dport) == sport,
        };
        if !ours || self.space.targets.is_excluded(dst) {
            return Ok(());
        }
        let (Some(target), Some(port)) = (self.space.targets.index_of(dst), self.space.ports.index_of(dport))
        else {
            return Ok(());
        };
        let (state, reason, from) = match reply.kind {
            ReplyKind::SynAck => (State::Open, "syn-ack", None),
            ReplyKind::Syn => (State::Open, "split-handshake-syn", None),
            ReplyKind::Reset => (State::Closed, "reset", None),
            ReplyKind::Unreachable(_) => match unreachable_reason(dst.is_ipv6(), reply.icmp.1) {
                Some(reason) => (State::Filtered, reason, (reply.from != dst).then_some(reply.from)),
                None => return Ok(()),
            },
            _ => return Ok(()),
        };
        // Every valid answer goes to `-w`, a duplicate too.
        if let (Some(pcap), Some((_, ip))) = (&shared.pcap, network_layer(linktype, data))
            && let Ok(mut p) = pcap.lock()
        {
            p.write(ip)?;
        }
        let probe = self.space.join(target as u64, port);
        if self.shard != Shard::ALL && !self.shard.holds(self.perm.position(probe)) {
            return Ok(());
        }
        if !shared.answered.set(probe) {
            shared.duplicates.fetch_add(1, Relaxed);
            return Ok(());
        }
        shared.answers.fetch_add(1, Relaxed);
        if let Some(sample) = shared.samples.lock().ok().and_then(|mut s| s.answered(probe, at))
            && let Ok(mut rtt) = shared.rtt.lock()
        {
            rtt.sample(sample);
        }
        let result = PortResult {
            host: dst,
            port: dport,
            state,
            reason,
            ttl: Some(reply.ttl),
            from,
            at: shared.start.elapsed(),
        };
        if let Some(out) = &mut self.stream {
            output::stream_result(out, self.json, &result)?;
            self.dirty = true;
            if state == State::Open {
                out.flush()?;
                self.dirty = false;
                self.last_flush = Instant::now();
            }
        }
        let tally = self.tallies.entry(target as u64).or_default();
        *tally.counts.entry((state, reason)).or_default() += 1;
        if self.shown.shows(state) {
            tally.shown.push(result);
        } else if self.keep_hidden {
            tally.hidden_ports.entry((state, reason)).or_default().push(dport);
        }
        Ok(())
    }

    fn flush_if_due(&mut self) -> Result<(), Failure> {
        if self.dirty && self.last_flush.elapsed() >= FLUSH_EVERY {
            if let Some(out) = &mut self.stream {
                out.flush()?;
            }
            self.dirty = false;
            self.last_flush = Instant::now();
        }
        Ok(())
    }

    /// Receives until told to stop, then drains what is waiting. Returns the capture's
    /// drop count.
    fn run(&mut self, mut listener: Listener) -> Result<u64, Failure> {
        let linktype = listener.linktype();
        let mut failure = None;
        loop {
            let stopping = self.shared.stop.load(Relaxed);
            let deadline = if stopping { Instant::now() } else { Instant::now() + RECEIVE_SLICE };
            let mut late = 0;
            listener
                .wait_for(deadline, |at, data, _| {
                    late += usize::from(Instant::now() >= deadline);
                    match self.handle(linktype, at, data) {
                        Ok(()) => false,
                        Err(e) => {
                            failure = Some(e);
                            true
                        }
                    }
                })
                .map_err(runtime)?;
            if let Some(e) = failure.take() {
                return Err(e);
            }
            // Fewer than DRAIN packets after the deadline: the capture was empty after it.
            if late < DRAIN {
                let upto = deadline.saturating_duration_since(self.shared.start);
                self.shared.drained.store(upto.as_nanos() as u64, Relaxed);
            }
            self.flush_if_due()?;
            if stopping {
                break;
            }
        }
        if let Some(out) = &mut self.stream {
            out.flush()?;
        }
        let (_, dropped, if_dropped) = listener.stats().map_err(runtime)?;
        Ok(u64::from(dropped) + u64::from(if_dropped))
    }
}

/// The source address for targets of one family: `-S`, or the kernel's choice for the
/// first target of that family.
fn source_for(args: &Args, env: &System, first: IpAddr) -> Result<IpAddr, Failure> {
    match args.source {
        Some(s) if s.is_ipv4() == first.is_ipv4() => Ok(s),
        Some(s) => Err(Failure::Usage(format!("-S {s} is not of the same address family as target {first}"))),
        None => env
            .source_address(first)
            .ok_or_else(|| Failure::Runtime(format!("no route to {first}: no source address to send from"))),
    }
}

/// The capture filter: TCP answers to our source ports, ICMP and ICMPv6 unreachables.
fn answer_filter(ports: SourcePorts) -> String {
    let (lo, hi) = ports.bounds();
    format!("(tcp and dst portrange {lo}-{hi}) or (icmp and icmp[0] == 3) or (icmp6 and ip6[40] == 1)")
}

/// Waits for answers after a round: at least `timeout` after the last probe, until the
/// receiver has read what was captured by then, and until it has heard nothing for half of
/// the timeout (at most ten timeouts in all); no longer once all `expected` probes are
/// answered.
fn settle(shared: &Shared, last_send: Instant, timeout: Duration, expected: u64, interrupted: &Interrupts) {
    let quiet = timeout / 2;
    let cap = last_send + timeout * 10;
    let done = || shared.answers.load(Relaxed) >= expected || interrupted.is_interrupted();
    while Instant::now() < last_send + timeout && !done() {
        std::thread::sleep(Duration::from_millis(1));
    }
    let due = (last_send + timeout).saturating_duration_since(shared.start).as_nanos() as u64;
    while shared.drained.load(Relaxed) < due && Instant::now() < cap && !done() {
        std::thread::sleep(Duration::from_millis(1));
    }
    while shared.since_last_packet() < quiet && Instant::now() < cap && !done() {
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Batches probes and sends them at the rate: one per sending thread, each with its part
/// (`shard`) of the permutation and its share of the rate.
struct Sender<'a> {
    shard: Shard,
    sock: L3Sender,
    shared: &'a Shared,
    space: &'a Space,
    cookie: &'a SynCookie,
    templates: [Option<SynTemplate>; 2],
    sources: [Option<IpAddr>; 2],
    bufs: Vec<Vec<u8>>,
    pending: usize,
    probes: Vec<u64>,
    sent: u64,
    rate: f64,
    round_start: Instant,
    round_sent: u64,
    last_send: Instant,
    batch: usize,
    /// Whether this round's batches give round-trip samples (round 0 only).
    sampling: bool,
}

impl Sender<'_> {
    fn queue(&mut self, probe: u64) -> Result<bool, Failure> {
        let (target, port) = self.space.split(probe);
        let dst = self.space.targets.get(u128::from(target));
        if self.space.targets.is_excluded(dst) {
            return Ok(false);
        }
        let family = usize::from(dst.is_ipv6());
        let (Some(template), Some(src)) = (&self.templates[family], self.sources[family]) else {
            return Ok(false);
        };
        let dport = self.space.ports.get(port);
        let sport = self.cookie.source_port(src, dst, dport);
        let seq = self.cookie.sequence(src, dst, sport, dport);
        template.fill(&mut self.bufs[self.pending], dst, sport, dport, seq);
        self.probes[self.pending] = probe;
        self.pending += 1;
        if self.pending == self.batch {
            self.flush()?;
        }
        Ok(true)
    }

    fn flush(&mut self) -> Result<(), Failure> {
        if self.pending == 0 {
            return Ok(());
        }
        let due = self.round_start + Duration::from_secs_f64(self.round_sent as f64 / self.rate);
        wait_until(due);
        let packets: Vec<&[u8]> = self.bufs[..self.pending].iter().map(Vec::as_slice).collect();
        // Recorded before the call: the answers can be read while it runs.
        let call = if self.sampling {
            self.shared.samples.lock().ok().and_then(|mut s| s.sending(&self.probes[..self.pending]))
        } else {
            None
        };
        let mut done = 0;
        while done < packets.len() {
            let n = self.sock.send_batch(&packets[done..]).map_err(runtime)?;
            if n == 0 {
                std::thread::sleep(Duration::from_micros(200));
            }
            done += n;
        }
        let now = Instant::now();
        if let Some(call) = call
            && let Ok(mut s) = self.shared.samples.lock()
        {
            s.sent(call, now_ts());
        }
        if let Some(pcap) = &self.shared.pcap
            && let Ok(mut p) = pcap.lock()
        {
            for packet in &packets {
                p.write(packet)?;
            }
        }
        self.sent += packets.len() as u64;
        self.round_sent += packets.len() as u64;
        self.last_send = now;
        self.pending = 0;
        Ok(())
    }
}

impl Sender<'_> {
    /// Sends this sender's part of one round: every probe in round 0, afterwards only the
    /// unanswered ones. Returns how many probes it queued.
    fn send_round(
        &mut self,
        perm: &Permutation,
        round: u32,
        interrupted: &Interrupts,
    ) -> Result<u64, Failure> {
        self.round_start = Instant::now();
        self.round_sent = 0;
        self.sampling = round == 0;
        let mut queued = 0;
        for probe in perm.shard(self.shard) {
            if round > 0 && self.shared.answered.get(probe) {
                continue;
            }
            if self.queue(probe)? {
                queued += 1;
            }
            if self.pending == 0 && interrupted.is_interrupted() {
                return Ok(queued);
            }
        }
        self.flush()?;
        Ok(queued)
    }
}

/// How many threads send a scan of `probes` probes at `rate`.
fn sending_threads(rate: f64, probes: u64) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, usize::from).min(MAX_SENDERS);
    let by_rate = (rate / RATE_PER_SENDER).ceil() as usize;
    let by_size = (probes / PROBES_PER_SENDER) as usize;
    by_rate.min(by_size).clamp(1, cores)
}

/// Part `thread` of `threads` of `shard`: its positions `shard.index + shard.count * thread`,
/// then every `shard.count * threads`-th.
fn thread_shard(shard: Shard, thread: usize, threads: usize) -> Shard {
    Shard { index: shard.index + shard.count * thread as u32, count: shard.count * threads as u32 }
}

fn open_sink(path: &Path) -> Result<Output, Failure> {
    cli::open_output(Some(path), false)
}

/// Runs the scan and writes every output.
pub fn scan(args: &Args, plan: &Plan, command_line: &str) -> Result<(), Failure> {
    net::require_cap_net_raw("sending SYN probes").map_err(runtime)?;
    let env = System::for_sending();
    let targets = Arc::new(plan.targets.clone());
    let first = |v6: bool| targets.blocks().iter().find(|b| b.get(0).is_ipv6() == v6).map(|b| b.get(0));
    let firsts = [first(false), first(true)];
    let mut sources = [None, None];
    for (family, f) in firsts.iter().enumerate() {
        if let Some(f) = f {
            sources[family] = Some(source_for(args, &env, *f)?);
        }
    }
    let iface = match &args.iface {
        Some(i) => i.clone(),
        None => {
            let names: Vec<String> =
                firsts.iter().flatten().filter_map(|f| env.route(*f)).map(|r| r.interface).collect();
            match names.as_slice() {
                [one] => one.clone(),
                [a, b] if a == b => a.clone(),
                _ => "any".to_string(),
            }
        }
    };
    let mut templates = [None, None];
    for family in 0..2 {
        if let (Some(src), Some(dst)) = (sources[family], firsts[family]) {
            let t =
                SynTemplate::new(src, dst).map_err(|e| Failure::Runtime(format!("crafting the SYN: {e}")))?;
            templates[family] = Some(t);
        }
    }

    let ports = match args.source_port {
        Some(p) => SourcePorts::Fixed(p),
        None => SourcePorts::from_system(),
    };
    let cookie = SynCookie::from_seed(plan.seed, ports);
    let space =
        Space { targets: Arc::clone(&targets), ports: plan.ports.clone(), ntargets: targets.len() as u64 };
    let total = space.ntargets * u64::from(space.ports.len());
    let perm = Permutation::new(total, plan.seed);

    let text_on_stdout = !args.json
        && args.grepable.as_deref() != Some(Path::new("-"))
        && args.xml.as_deref() != Some(Path::new("-"));
    let shown = Shown { closed: args.closed || args.all, filtered: args.filtered || args.all };
    let pcap = match &args.write {
        Some(path) => {
            let out = cli::open_output(Some(path), true)?;
            let iface = Interface::live(LinkType::RAW, 65535, Precision::Micro);
            let mut writer = CaptureWriter::new(out, OutputFormat::Pcap);
            writer.begin(&iface)?;
            Some(Mutex::new(PcapOut { writer, iface, count: 0 }))
        }
        None => None,
    };
    let stream = if args.json || text_on_stdout { Some(cli::open_output(None, false)?) } else { None };

    let listener = Listener::open_sized(&iface, &answer_filter(ports), CAPTURE_SNAPLEN, Some(CAPTURE_BUFFER))
        .map_err(runtime)?;
    let threads = sending_threads(plan.rate, total / u64::from(plan.shard.count));
    let socks = (0..threads)
        .map(|_| L3Sender::open(args.iface.as_deref()).map_err(runtime))
        .collect::<Result<Vec<_>, _>>()?;
    let started_at = SystemTime::now();
    let shared = Arc::new(Shared {
        answered: AnswerBitmap::new(total),
        start: Instant::now(),
        stop: AtomicBool::new(false),
        received: AtomicU64::new(0),
        answers: AtomicU64::new(0),
        duplicates: AtomicU64::new(0),
        last_packet: AtomicU64::new(0),
        drained: AtomicU64::new(0),
        rtt: Mutex::new(RttEstimator::new(INITIAL_TIMEOUT, MIN_TIMEOUT, MAX_TIMEOUT)),
        samples: Mutex::new(Samples::default()),
        pcap,
    });
    // Ctrl-C (the rule of docs/pipelines.md): stop sending, print the results so far.
    let interrupted = cli::interrupts()?;

    let mut receiver = Receiver {
        shared: Arc::clone(&shared),
        space: space.clone(),
        cookie: cookie.clone(),
        shard: plan.shard,
        perm: perm.clone(),
        shown,
        keep_hidden: args.xml.is_some(),
        json: args.json,
        stream,
        tallies: HashMap::new(),
        dirty: false,
        last_flush: Instant::now(),
    };
    let handle = std::thread::Builder::new()
        .name("synscan-recv".into())
        .spawn(move || {
            let dropped = receiver.run(listener);
            (receiver, dropped)
        })
        .map_err(|e| Failure::Runtime(format!("starting the receiving thread: {e}")))?;

    let rate = plan.rate / threads as f64;
    let batch = ((rate / 1000.0) as usize).clamp(1, BATCH);
    let mut senders: Vec<Sender<'_>> = socks
        .into_iter()
        .enumerate()
        .map(|(thread, sock)| Sender {
            shard: thread_shard(plan.shard, thread, threads),
            sock,
            shared: &shared,
            space: &space,
            cookie: &cookie,
            templates: templates.clone(),
            sources,
            bufs: vec![Vec::new(); batch],
            pending: 0,
            probes: vec![0; batch],
            sent: 0,
            rate,
            round_start: Instant::now(),
            round_sent: 0,
            last_send: Instant::now(),
            batch,
            sampling: true,
        })
        .collect();
    let send_result = send_rounds(&mut senders, &perm, args, &interrupted);
    let probes: u64 = senders.iter().map(|s| s.sent).sum();
    let (first_round, first_round_time) = *send_result.as_ref().unwrap_or(&(0, Duration::ZERO));
    shared.stop.store(true, Relaxed);
    let (receiver, dropped) =
        handle.join().map_err(|_| Failure::Runtime("the receiving thread failed".into()))?;
    send_result?;
    let dropped = dropped?;
    let elapsed = shared.start.elapsed();
    if interrupted.is_interrupted() {
        cli::warn(super::TOOL, "interrupted: results so far");
    }

    // Settle what never answered, per host, in target order; after Ctrl-C nothing unanswered
    // is settled (its probe may not have been sent, or its answer not yet come): only the
    // answers so far are reported.
    let settle_unanswered = !interrupted.is_interrupted();
    let list_unanswered = shown.filtered || args.json || args.xml.is_some();
    let mut unanswered: BTreeMap<u64, (u64, Vec<u16>)> = BTreeMap::new();
    for probe in perm.shard(plan.shard) {
        let (target, port) = space.split(probe);
        if targets.is_excluded(targets.get(u128::from(target))) {
            continue;
        }
        let entry = unanswered.entry(target).or_default();
        if settle_unanswered && !shared.answered.get(probe) {
            entry.0 += 1;
            if list_unanswered {
                entry.1.push(space.ports.get(port));
            }
        }
    }
    let srtt = shared.rtt.lock().ok().and_then(|r| r.srtt());
    let empty = HostTally::default();
    let mut stdout = receiver.stream;
    let mut hosts = Vec::new();
    for (target, (no_response, mut ports)) in unanswered {
        let host = targets.get(u128::from(target));
        let tally = receiver.tallies.get(&target).unwrap_or(&empty);
        ports.sort_unstable();
        if args.json
            && let Some(out) = &mut stdout
        {
            for &port in &ports {
                let r = PortResult {
                    host,
                    port,
                    state: State::Filtered,
                    reason: NO_RESPONSE,
                    ttl: None,
                    from: None,
                    at: elapsed,
                };
                output::stream_result(out, true, &r)?;
            }
        }
        let answered = tally.answered() > 0;
        hosts.push(HostReport {
            host,
            tally,
            no_response,
            no_response_ports: ports,
            srtt: if answered { srtt } else { None },
        });
    }
    let mut counters = Counters {
        hosts: hosts.len() as u64,
        ports: u64::from(space.ports.len()),
        probes,
        retries: probes - first_round,
        received: shared.received.load(Relaxed),
        answers: shared.answers.load(Relaxed),
        duplicates: shared.duplicates.load(Relaxed),
        dropped,
        ..Counters::default()
    };
    let secs = first_round_time.as_secs_f64();
    counters.send_rate = if secs > 0.0 { (first_round as f64 / secs).round() as u64 } else { 0 };
    counters.ignored = counters.received - counters.answers - counters.duplicates;
    for h in &hosts {
        for ((state, _), n) in &h.tally.counts {
            match state {
                State::Open => counters.open += n,
                State::Closed => counters.closed += n,
                State::Filtered => counters.filtered += n,
            }
        }
        counters.filtered += h.no_response;
    }
    counters.hosts = hosts.len() as u64;

    if text_on_stdout && let Some(out) = &mut stdout {
        output::write_text(out, &hosts, shown, counters.ports)?;
    }
    let run = RunInfo {
        args: command_line.to_string(),
        start: started_at,
        services: space.ports.to_nmap_list(),
        nports: counters.ports,
    };
    if let Some(path) = &args.grepable {
        let mut out = open_sink(path)?;
        output::write_greppable(&mut out, &run, &hosts, shown, elapsed)?;
        out.flush()?;
    }
    if let Some(path) = &args.xml {
        let mut out = open_sink(path)?;
        output::write_xml(&mut out, &run, &hosts, shown, elapsed)?;
        out.flush()?;
    }
    if let Some(pcap) = &shared.pcap
        && let Ok(mut p) = pcap.lock()
    {
        p.writer.flush()?;
    }
    let shard = format!("{}/{}", plan.shard.index + 1, plan.shard.count);
    let line = output::summary_line(&counters, elapsed);
    match &mut stdout {
        Some(out) if args.json => {
            output::write_json_summary(out, &counters, elapsed, srtt, plan.seed, &shard)?
        }
        Some(out) => writeln!(out, "\n{line}")?,
        None => {}
    }
    if let Some(out) = &mut stdout {
        out.flush()?;
    }
    if !args.quiet && (args.json || !text_on_stdout) {
        eprintln!("{line}");
    }
    Ok(())
}

/// Sends one round from every sender, each on its own thread when there are several;
/// returns how many probes they queued.
fn send_parallel(
    senders: &mut [Sender<'_>],
    perm: &Permutation,
    round: u32,
    interrupted: &Interrupts,
) -> Result<u64, Failure> {
    if let [only] = senders {
        return only.send_round(perm, round, interrupted);
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> =
            senders.iter_mut().map(|s| scope.spawn(move || s.send_round(perm, round, interrupted))).collect();
        let mut queued = 0;
        for handle in handles {
            queued += handle.join().map_err(|_| Failure::Runtime("a sending thread failed".into()))??;
        }
        Ok(queued)
    })
}

/// Sends round 0 and the retry rounds; returns the number of first-round probes and how
/// long round 0 took to send.
fn send_rounds(
    senders: &mut [Sender<'_>],
    perm: &Permutation,
    args: &Args,
    interrupted: &Interrupts,
) -> Result<(u64, Duration), Failure> {
    let shared = senders[0].shared;
    let mut first_round = 0u64;
    let mut first_round_time = Duration::ZERO;
    for round in 0..=args.retries {
        let round_start = Instant::now();
        let queued = send_parallel(senders, perm, round, interrupted)?;
        if round == 0 {
            first_round = queued;
            first_round_time = round_start.elapsed();
        }
        if interrupted.is_interrupted() {
            break;
        }
        let last_send = senders.iter().map(|s| s.last_send).max().unwrap_or(round_start);
        match (round == args.retries || shared.answers.load(Relaxed) >= first_round, args.wait) {
            (true, Some(wait)) => wait_until(last_send + wait),
            _ => settle(shared, last_send, shared.timeout(), first_round, interrupted),
        }
        if shared.answers.load(Relaxed) >= first_round || interrupted.is_interrupted() {
            break;
        }
    }
    Ok((first_round, first_round_time))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_split_a_shard_into_disjoint_parts_that_cover_it() {
        let perm = Permutation::new(1000, 7);
        for shard in [Shard::ALL, Shard { index: 1, count: 3 }] {
            let whole: Vec<u64> = perm.shard(shard).collect();
            let mut parts: Vec<u64> =
                (0..3).flat_map(|t| perm.shard(thread_shard(shard, t, 3)).collect::<Vec<_>>()).collect();
            assert_eq!(parts.len(), whole.len(), "no probe twice");
            parts.sort_unstable();
            let mut whole = whole;
            whole.sort_unstable();
            assert_eq!(parts, whole, "together the shard");
        }
    }

    #[test]
    fn every_first_answer_is_a_sample_and_one_during_its_call_is_zero() {
        let ts = |micros: i64| Timestamp::new(micros / 1_000_000, (micros % 1_000_000) as u64 * 1000);
        let mut samples = Samples::default();
        let call = samples.sending(&[1, 2, 3]).unwrap();
        assert_eq!(samples.answered(1, ts(100)), Some(Duration::ZERO), "read while the call ran");
        samples.sent(call, ts(1_000));
        assert_eq!(samples.answered(2, ts(500)), Some(Duration::ZERO), "captured before it returned");
        assert_eq!(samples.answered(3, ts(3_500)), Some(Duration::from_micros(2_500)));
        assert_eq!(samples.answered(3, ts(4_000)), None, "a duplicate is no sample");
        assert!(samples.probes.is_empty() && samples.calls.is_empty(), "nothing kept once answered");
        let many: Vec<u64> = (0..MAX_SAMPLES as u64).collect();
        assert!(samples.sending(&many).is_some());
        assert_eq!(samples.sending(&[MAX_SAMPLES as u64]), None, "bounded");
    }

    #[test]
    fn one_thread_unless_the_rate_and_the_scan_are_large() {
        assert_eq!(sending_threads(10_000.0, 65_535), 1);
        assert_eq!(sending_threads(1_000_000.0, 1_500), 1, "a small scan");
        let cores = std::thread::available_parallelism().map_or(1, usize::from).min(MAX_SENDERS);
        assert_eq!(sending_threads(200_000.0, 65_535), cores.min(2));
        assert!(sending_threads(1e9, u64::MAX) <= MAX_SENDERS);
    }
}
