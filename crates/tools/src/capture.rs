//! pcap-capture: capture live packets through libpcap and write pcap (or pcapng), with
//! tcpdump's options, rotation and file names.
//!
//! A reader thread only copies packets out of the kernel ring into reusable batches, so the
//! kernel gets its buffer back at once; the main thread writes the batches (and rotates files).

use std::cell::Cell;
use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};
use std::sync::{Arc, OnceLock};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clap::Parser;
use pktkit::capture::{CaptureWriter, Interface, OutputFormat, Packet};
use pktkit::live::{self, Batch, Interrupter, Live, LiveError, Options, Stats};
use pktkit::stream::Interrupts;

use crate::cli::{self, Failure, Output};

const TOOL: &str = "pcap-capture";

const EXAMPLES: &str = "\
Examples:
  pcap-capture -i eth0 | pkt-decode
  pcap-capture -i eth0 -c 100 'tcp port 443' -w tls.pcap
  pcap-capture -i any --duration 60 -w minute.pcap
  pcap-capture -i eth0 -C 100 -W 10 -w ring.pcap       ring of ring.pcap0 .. ring.pcap9
  pcap-capture -i eth0 -G 3600 -w 'trace-%Y%m%d-%H%M.pcap'
  pcap-capture -i eth0 -Z nobody -w /tmp/cap/x.pcap
  pcap-capture -D

The filter is libpcap's (man 7 pcap-filter), installed in the kernel. Output is
classic pcap on stdout unless -w FILE; never to a terminal. Ctrl-C (SIGINT),
SIGTERM, SIGHUP, -c and --duration stop the capture: every packet read is
written, files are flushed and complete, a summary goes to stderr, exit 0.
Capturing needs CAP_NET_RAW and CAP_NET_ADMIN: run as root, or once
`sudo setcap cap_net_raw,cap_net_admin=eip $(command -v pcap-capture)`.
Exit status: 0 done (also when the reader of stdout went away), 1 capture or
write error, 2 usage error.";

/// Capture packets live (libpcap) and write them as pcap, with tcpdump's options.
#[derive(Debug, Parser)]
#[command(name = TOOL, version, after_help = EXAMPLES)]
pub struct Args {
    /// Interface to capture on ('any': every interface, Linux cooked headers; a number: the Nth
    /// of -D); libpcap's default interface when omitted.
    #[arg(short = 'i', long = "interface", value_name = "IFACE")]
    pub interface: Option<String>,

    /// List the interfaces (with flags and addresses) and exit.
    #[arg(short = 'D', long = "list-interfaces")]
    pub list: bool,

    /// Stop after N packets.
    #[arg(short = 'c', value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub count: Option<u64>,

    /// Bytes kept of each packet (0: 262144, the default).
    #[arg(
        short = 's',
        long = "snapshot-length",
        value_name = "SNAPLEN",
        default_value_t = 0,
        hide_default_value = true
    )]
    pub snaplen: u32,

    /// Do not put the interface in promiscuous mode.
    #[arg(short = 'p', long = "no-promiscuous-mode")]
    pub no_promisc: bool,

    /// Kernel ring buffer size in KiB (libpcap's default: 2048).
    #[arg(short = 'B', long = "buffer-size", value_name = "KiB", value_parser = clap::value_parser!(u32).range(1..=2_097_151))]
    pub buffer_kib: Option<u32>,

    /// Deliver each packet at once (lower latency, more CPU) instead of in ring blocks.
    #[arg(long, visible_alias = "immediate-mode")]
    pub immediate: bool,

    /// Write to FILE ('-' or none: stdout).
    #[arg(short = 'w', value_name = "FILE")]
    pub write: Option<PathBuf>,

    /// Start a new file every SECONDS (with the first packet captured after); FILE may hold
    /// strftime(3) conversions, expanded in local time, as tcpdump does.
    #[arg(short = 'G', value_name = "SECONDS", value_parser = clap::value_parser!(u32).range(1..))]
    pub rotate_seconds: Option<u32>,

    /// Start a new file once the current one is larger than SIZE: millions of bytes as in
    /// tcpdump, or with a suffix k, m, g for KiB, MiB, GiB. Files: FILE, FILE1, FILE2, ...
    #[arg(short = 'C', value_name = "SIZE", value_parser = parse_size)]
    pub file_size: Option<u64>,

    /// With -C: keep a ring of N files (FILE0 .. FILE<N-1>, zero-padded). With -G alone: stop
    /// after N files.
    #[arg(short = 'W', value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub file_count: Option<u32>,

    /// Write pcapng instead of classic pcap.
    #[arg(long)]
    pub pcapng: bool,

    /// Stop after SECONDS (decimals allowed).
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    pub duration: Option<Duration>,

    /// Nanosecond timestamps (pcap's nanosecond format).
    #[arg(long)]
    pub nano: bool,

    /// After opening the capture, before opening any output file, drop root for USER (and its
    /// groups), as tcpdump -Z does.
    #[arg(short = 'Z', long = "relinquish-privileges", value_name = "USER")]
    pub user: Option<String>,

    /// Link type to capture with, by libpcap name or number (e.g. LINUX_SLL2 with -i any).
    #[arg(short = 'y', long = "linktype", value_name = "TYPE")]
    pub linktype: Option<String>,

    /// Flush output after every packet read (tcpdump -U); output is flushed whenever the
    /// capture is idle anyway.
    #[arg(short = 'U', long = "packet-buffered")]
    pub packet_buffered: bool,

    /// libpcap capture filter, e.g. 'udp port 53' (several words are joined, as in tcpdump).
    #[arg(value_name = "EXPRESSION", trailing_var_arg = true)]
    pub expression: Vec<String>,
}

fn parse_size(s: &str) -> Result<u64, String> {
    let (digits, unit) = match s.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&s[..i], c),
        _ => (s, ' '),
    };
    let mult: u64 = match unit.to_ascii_lowercase() {
        ' ' => 1_000_000,
        'k' => 1 << 10,
        'm' => 1 << 20,
        'g' => 1 << 30,
        _ => return Err(format!("unknown size suffix '{unit}' (use k, m or g)")),
    };
    let n: u64 = digits.parse().map_err(|e| format!("{e}: expected a whole number, e.g. 100 or 512k"))?;
    match n.checked_mul(mult) {
        Some(v) if v > 0 => Ok(v),
        Some(_) => Err("size must be at least 1".into()),
        None => Err("size too large".into()),
    }
}

fn parse_seconds(s: &str) -> Result<Duration, String> {
    let secs: f64 = s.parse().map_err(|e| format!("{e}: expected seconds, e.g. 10 or 0.5"))?;
    if !(secs.is_finite() && secs > 0.0 && secs < 1e9) {
        return Err("expected a positive number of seconds".into());
    }
    Ok(Duration::from_secs_f64(secs))
}

/// Why the capture stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum Stop {
    Running = 0,
    Signal = 1,
    Duration = 2,
    Count = 3,
    /// The writer asked: pipe closed, write error, or the -G -W file limit.
    Writer = 4,
}

/// The first reason to stop wins; requesting a stop interrupts the reader.
struct StopState {
    reason: AtomicU8,
    interrupter: OnceLock<Arc<Interrupter>>,
}

impl StopState {
    fn request(&self, why: Stop) {
        let _ =
            self.reason.compare_exchange(Stop::Running as u8, why as u8, Ordering::SeqCst, Ordering::SeqCst);
        if let Some(i) = self.interrupter.get() {
            i.interrupt();
        }
    }

    fn reason(&self) -> Stop {
        match self.reason.load(Ordering::SeqCst) {
            1 => Stop::Signal,
            2 => Stop::Duration,
            3 => Stop::Count,
            4 => Stop::Writer,
            _ => Stop::Running,
        }
    }
}

/// Largest number of packets copied per read.
const READ_MAX: usize = 4096;
/// Bytes of batches handed to the writer and not yet written back, beyond which the reader
/// waits (the kernel ring then fills and drops, as it would without the queue).
const MAX_IN_FLIGHT: usize = 64 << 20;
/// libpcap read timeout: how long a packet can wait in a partly filled ring block.
const TIMEOUT_MS: u32 = 100;

/// Runs pcap-capture with parsed arguments.
pub fn run(args: Args) -> Result<(), Failure> {
    if args.list {
        return list_interfaces();
    }
    let to_stdout = args.write.as_deref().is_none_or(|p| p == Path::new("-"));
    if to_stdout && (args.rotate_seconds.is_some() || args.file_size.is_some()) {
        return Err(Failure::Usage("-C and -G need -w FILE (rotation writes files)".into()));
    }
    if args.file_count.is_some() && args.rotate_seconds.is_none() && args.file_size.is_none() {
        return Err(Failure::Usage("-W needs -C or -G".into()));
    }
    if to_stdout && io::stdout().is_terminal() {
        // Checked before opening anything, so the hint comes first; the same check as open_output.
        return Err(cli::open_output(None, true)
            .err()
            .unwrap_or_else(|| Failure::Usage("stdout is a terminal".into())));
    }
    let naming = match (&args.write, to_stdout) {
        (Some(p), false) => Some(Naming::new(p.clone(), &args)?),
        _ => None,
    };

    // Signals are caught before the capture opens: from then on SIGINT/SIGTERM/SIGHUP end it
    // cleanly (docs/pipelines.md).
    let stop = Arc::new(StopState { reason: AtomicU8::new(0), interrupter: OnceLock::new() });
    let interrupts = cli::interrupts()?;

    let device = match &args.interface {
        Some(i) => i.clone(),
        None => live::default_interface().map_err(|e| Failure::Runtime(e.to_string()))?.ok_or_else(|| {
            Failure::Runtime("no interface to capture on; name one with -i (see -D)".into())
        })?,
    };
    let mut opts = Options::new(device);
    opts.snaplen = args.snaplen;
    opts.promisc = !args.no_promisc;
    opts.immediate = args.immediate;
    opts.buffer_bytes = args.buffer_kib.map(|k| k * 1024);
    opts.timeout_ms = TIMEOUT_MS;
    opts.nano = args.nano;
    opts.linktype = args.linktype.clone();
    let expr = args.expression.join(" ");
    opts.filter = (!expr.trim().is_empty()).then_some(expr);
    let live = Live::open(&opts).map_err(live_failure)?;
    let _ = stop.interrupter.set(live.interrupter());
    let sig_stop = Arc::clone(&stop);
    interrupts.on_interrupt(move || sig_stop.request(Stop::Signal));
    if interrupts.is_interrupted() {
        stop.request(Stop::Signal);
    }

    let iface = live.interface().clone();
    eprintln!(
        "{TOOL}: listening on {}, link-type {}, snapshot length {} bytes",
        iface.input,
        live.link_description(),
        iface.snaplen
    );

    if let Some(user) = &args.user {
        if live::is_root() {
            live::drop_privileges(user).map_err(|e| Failure::Runtime(e.to_string()))?;
        } else {
            cli::warn(TOOL, format!("-Z {user} ignored: not running as root"));
        }
    }

    let format = if args.pcapng { OutputFormat::PcapNg } else { OutputFormat::Pcap };
    let mut sink = match naming {
        Some(n) => Sink::files(n, format, iface.clone())?,
        None => Sink::stdout(format, iface.clone())?,
    };

    if let Some(d) = args.duration {
        let timer_stop = Arc::clone(&stop);
        thread::spawn(move || {
            thread::sleep(d);
            timer_stop.request(Stop::Duration);
        });
    }

    let (full_tx, full_rx) = mpsc::channel::<Batch>();
    let (free_tx, free_rx) = mpsc::channel::<Batch>();
    let reader_stop = Arc::clone(&stop);
    let limit = args.count;
    let reader = thread::Builder::new()
        .name("capture-reader".into())
        .spawn(move || read_loop(live, full_tx, free_rx, limit, &reader_stop, &interrupts))
        .map_err(|e| Failure::Runtime(format!("cannot start the reader thread: {e}")))?;

    let mut failure: Option<Failure> = None;
    let mut limit_reached = false;
    loop {
        let batch = match full_rx.try_recv() {
            Ok(b) => b,
            Err(TryRecvError::Empty) => {
                // Idle: what was written so far reaches the file or pipe now.
                if failure.is_none()
                    && !limit_reached
                    && let Err(e) = sink.flush()
                {
                    failure = Some(e);
                    stop.request(Stop::Writer);
                }
                match full_rx.recv() {
                    Ok(b) => b,
                    Err(_) => break,
                }
            }
            Err(TryRecvError::Disconnected) => break,
        };
        if failure.is_none() && !limit_reached {
            for pkt in batch.packets(&iface, sink.written + 1) {
                match sink.write(&pkt) {
                    Ok(true) => {}
                    Ok(false) => {
                        limit_reached = true;
                        stop.request(Stop::Writer);
                        break;
                    }
                    Err(e) => {
                        failure = Some(e);
                        stop.request(Stop::Writer);
                        break;
                    }
                }
            }
            if args.packet_buffered
                && failure.is_none()
                && let Err(e) = sink.flush()
            {
                failure = Some(e);
                stop.request(Stop::Writer);
            }
        }
        // Returned unemptied: the reader counts its bytes back.
        let _ = free_tx.send(batch);
    }
    let read_outcome = reader.join().map_err(|_| Failure::Runtime("the reader thread panicked".into()))?;
    let written = sink.written;
    let finished = sink.finish();
    if matches!(failure, Some(Failure::PipeClosed)) {
        return Err(Failure::PipeClosed);
    }
    if let Some(f) = failure {
        return Err(f);
    }
    finished?;
    if limit_reached {
        eprintln!("Maximum file limit reached: {}", args.file_count.unwrap_or(0));
    }
    let stats = match read_outcome {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{}", summary(written, None));
            return Err(Failure::Runtime(e.to_string()));
        }
    };
    eprintln!("{}", summary(written, Some(stats)));
    Ok(())
}

fn live_failure(e: LiveError) -> Failure {
    match e {
        LiveError::Filter { .. } | LiveError::LinkType { .. } => Failure::Usage(e.to_string()),
        other => Failure::Runtime(other.to_string()),
    }
}

fn list_interfaces() -> Result<(), Failure> {
    let list = live::interfaces().map_err(|e| Failure::Runtime(e.to_string()))?;
    let mut out = cli::open_output(None, false)?;
    for (i, iface) in list.iter().enumerate() {
        writeln!(out, "{}.{iface}", i + 1)?;
    }
    out.flush()?;
    Ok(())
}

fn plural(n: u64, what: &str) -> String {
    format!("{n} packet{} {what}", if n == 1 { "" } else { "s" })
}

/// tcpdump's closing lines.
fn summary(captured: u64, stats: Option<Stats>) -> String {
    let mut lines = vec![plural(captured, "captured")];
    if let Some(s) = stats {
        lines.push(plural(u64::from(s.received), "received by filter"));
        lines.push(plural(u64::from(s.dropped), "dropped by kernel"));
        lines.push(plural(u64::from(s.if_dropped), "dropped by interface"));
    }
    lines.join("\n")
}

/// The reader thread: copy packets out of the ring, hand them over, and after a signal or
/// --duration drain what the kernel still holds.
fn read_loop(
    mut live: Live,
    full: Sender<Batch>,
    free: Receiver<Batch>,
    limit: Option<u64>,
    stop: &StopState,
    interrupts: &Interrupts,
) -> Result<Stats, LiveError> {
    let mut pool: Vec<Batch> = Vec::new();
    let mut in_flight = 0usize;
    let mut remaining = limit;
    let mut delivered = 0u64;
    let mut batch = Batch::new();
    let reclaim = |b: Batch, pool: &mut Vec<Batch>, in_flight: &mut usize| {
        let mut b = b;
        *in_flight -= b.bytes();
        b.clear();
        pool.push(b);
    };
    let mut writer_gone = false;
    // Hands a batch over; false when the writer is gone.
    let send = |batch: &mut Batch, pool: &mut Vec<Batch>, in_flight: &mut usize| -> bool {
        let next = pool.pop().unwrap_or_default();
        let full_batch = std::mem::replace(batch, next);
        *in_flight += full_batch.bytes();
        full.send(full_batch).is_ok()
    };
    loop {
        while let Ok(b) = free.try_recv() {
            reclaim(b, &mut pool, &mut in_flight);
        }
        while in_flight > MAX_IN_FLIGHT {
            match free.recv() {
                Ok(b) => reclaim(b, &mut pool, &mut in_flight),
                Err(_) => break,
            }
        }
        if stop.reason() != Stop::Running {
            break;
        }
        let max = remaining.map_or(READ_MAX, |r| r.min(READ_MAX as u64) as usize);
        let read = live.read(&mut batch, Some(max));
        if !batch.is_empty() {
            delivered += batch.len() as u64;
            remaining = remaining.map(|r| r.saturating_sub(batch.len() as u64));
            if !send(&mut batch, &mut pool, &mut in_flight) {
                writer_gone = true;
                break;
            }
        }
        read?;
        if remaining == Some(0) {
            stop.request(Stop::Count);
            break;
        }
    }
    if !writer_gone && matches!(stop.reason(), Stop::Signal | Stop::Duration) {
        // The kernel's count at the stop says how many packets it accepted: those not dropped
        // are in the ring, the block being filled handed over at most one timeout later. Read
        // exactly those, so the summary adds up: captured + dropped = received.
        let mut live_nb = live.into_nonblocking()?;
        let at_stop = live_nb.stats()?;
        let accepted = u64::from(at_stop.received.saturating_sub(at_stop.dropped));
        let deadline = Instant::now() + Duration::from_millis(u64::from(TIMEOUT_MS) + 100);
        while delivered < accepted && remaining != Some(0) {
            while let Ok(b) = free.try_recv() {
                reclaim(b, &mut pool, &mut in_flight);
            }
            let want = (accepted - delivered).min(remaining.unwrap_or(u64::MAX)).min(READ_MAX as u64);
            let read = live_nb.read(&mut batch, Some(want as usize));
            let got = batch.len() as u64;
            if got > 0 {
                delivered += got;
                remaining = remaining.map(|r| r.saturating_sub(got));
                if !send(&mut batch, &mut pool, &mut in_flight) {
                    break;
                }
            }
            read?;
            if got == 0 {
                // Packets libpcap discards itself (outgoing copies on lo) never come: give up
                // after the timeout, or at once after a second interrupt.
                if Instant::now() >= deadline || interrupts.count() >= 2 {
                    break;
                }
                thread::sleep(Duration::from_millis(2));
            }
        }
        return Ok(at_stop);
    }
    live.stats()
}

/// Output file names as tcpdump makes them for -C, -G and -W.
#[derive(Debug)]
struct Naming {
    pattern: PathBuf,
    /// strftime is applied (only with -G).
    strftime: bool,
    /// Digits of the -C counter: enough for N-1 with -W N, else 0 (no padding).
    width: usize,
    size_limit: Option<u64>,
    seconds: Option<u32>,
    files: Option<u32>,
}

/// strftime(3) of `secs` since the epoch in local time (`TZ`, else /etc/localtime), as
/// tcpdump names `-G` files.
fn strftime_local(pattern: &str, secs: i64) -> Result<String, jiff::Error> {
    let t = jiff::ZonedDateTime::new(jiff::Timestamp::from_second(secs)?, jiff::tz::TimeZone::system());
    jiff::fmt::strtime::format(pattern, &t)
}

impl Naming {
    fn new(pattern: PathBuf, args: &Args) -> Result<Self, Failure> {
        let strftime = args.rotate_seconds.is_some();
        if strftime {
            let text = pattern.to_str().ok_or_else(|| {
                Failure::Usage("-G: the file name must be UTF-8 to hold strftime conversions".into())
            })?;
            if strftime_local(text, 0).is_err() {
                return Err(Failure::Usage(format!("-w '{text}': invalid strftime conversion")));
            }
        }
        let width = match (args.file_size, args.file_count) {
            (Some(_), Some(w)) => digits(w.saturating_sub(1)),
            _ => 0,
        };
        Ok(Naming {
            pattern,
            strftime,
            width,
            size_limit: args.file_size,
            seconds: args.rotate_seconds,
            files: args.file_count,
        })
    }

    /// The name of file number `count` (of -C) in the period that started at `period`.
    fn name(&self, period: i64, count: u32) -> Result<PathBuf, Failure> {
        let mut base: OsString = if self.strftime {
            let text = self.pattern.to_str().unwrap_or_default();
            strftime_local(text, period)
                .map_err(|e| Failure::Runtime(format!("-G: -w '{text}': {e}")))?
                .into()
        } else {
            self.pattern.clone().into_os_string()
        };
        if count != 0 || self.width != 0 {
            let mut bytes = base.into_vec();
            bytes.extend(format!("{count:0w$}", w = self.width).as_bytes());
            base = OsString::from_vec(bytes);
        }
        if base.as_bytes().is_empty() {
            return Err(Failure::Usage("-w: empty file name".into()));
        }
        Ok(PathBuf::from(base))
    }
}

fn digits(mut n: u32) -> usize {
    let mut d = 0;
    while n > 0 {
        d += 1;
        n /= 10;
    }
    d
}

fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// Counts the bytes written through it (the file size, for -C).
struct Counted {
    inner: Output,
    bytes: Rc<Cell<u64>>,
}

impl Write for Counted {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes.set(self.bytes.get() + n as u64);
        Ok(n)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.inner.write_all(buf)?;
        self.bytes.set(self.bytes.get() + buf.len() as u64);
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Rotation state of -C/-G/-W.
struct Rotation {
    naming: Naming,
    /// -C counter (reset by each -G period).
    count: u32,
    /// -G periods begun after the first.
    periods: u32,
    /// Start of the current -G period (unix seconds).
    period: i64,
}

/// Where packets go: stdout, one file, or rotated files.
struct Sink {
    w: Option<CaptureWriter<Counted>>,
    /// Bytes written to the current file.
    bytes: Rc<Cell<u64>>,
    format: OutputFormat,
    iface: Interface,
    rotation: Option<Rotation>,
    written: u64,
}

impl Sink {
    fn stdout(format: OutputFormat, iface: Interface) -> Result<Self, Failure> {
        let out = cli::open_output(None, true)?;
        let mut s = Sink { w: None, bytes: Rc::default(), format, iface, rotation: None, written: 0 };
        s.start(out)?;
        Ok(s)
    }

    fn files(naming: Naming, format: OutputFormat, iface: Interface) -> Result<Self, Failure> {
        let period = unix_now();
        let first = naming.name(period, 0)?;
        let mut s = Sink {
            w: None,
            bytes: Rc::default(),
            format,
            iface,
            rotation: Some(Rotation { naming, count: 0, periods: 0, period }),
            written: 0,
        };
        s.open(&first)?;
        Ok(s)
    }

    fn start(&mut self, out: Output) -> Result<(), Failure> {
        self.bytes.set(0);
        let mut w = CaptureWriter::new(Counted { inner: out, bytes: Rc::clone(&self.bytes) }, self.format);
        w.begin(&self.iface)?;
        self.w = Some(w);
        Ok(())
    }

    fn open(&mut self, path: &Path) -> Result<(), Failure> {
        let out = cli::open_output(Some(path), true)?;
        self.start(out)
    }

    fn close(&mut self) -> Result<(), Failure> {
        if let Some(w) = self.w.take() {
            w.finish()?;
        }
        Ok(())
    }

    /// Writes a packet, rotating first as tcpdump does; false when -G -W's file limit is reached
    /// (the packet is not written).
    fn write(&mut self, pkt: &Packet<'_>) -> Result<bool, Failure> {
        if let Some(r) = &mut self.rotation {
            let mut next = None;
            if let Some(g) = r.naming.seconds {
                // By the packet's capture time, so a file holds exactly its period's packets
                // (tcpdump looks at the clock when it writes, up to its 1 s buffering later).
                let now = pkt.ts.secs;
                if now - r.period >= i64::from(g) {
                    r.period = now;
                    r.periods += 1;
                    if r.naming.size_limit.is_none() && r.naming.files.is_some_and(|w| r.periods >= w) {
                        return Ok(false);
                    }
                    r.count = 0;
                    next = Some(r.naming.name(r.period, 0)?);
                }
            }
            if next.is_none()
                && let Some(limit) = r.naming.size_limit
                && self.bytes.get() > limit
            {
                r.count += 1;
                if r.naming.files.is_some_and(|w| r.count >= w) {
                    r.count = 0;
                }
                next = Some(r.naming.name(r.period, r.count)?);
            }
            if let Some(path) = next {
                self.close()?;
                self.open(&path)?;
            }
        }
        let w = self.w.as_mut().ok_or_else(|| Failure::Runtime("output already closed".into()))?;
        w.write(pkt)?;
        self.written += 1;
        Ok(true)
    }

    fn flush(&mut self) -> Result<(), Failure> {
        match &mut self.w {
            Some(w) => w.flush().map_err(Failure::from),
            None => Ok(()),
        }
    }

    fn finish(mut self) -> Result<(), Failure> {
        self.close()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(extra: &[&str]) -> Args {
        let mut v = vec!["pcap-capture"];
        v.extend_from_slice(extra);
        Args::try_parse_from(v).expect("parse")
    }

    fn names(a: &[&str], counts: &[u32]) -> Vec<String> {
        let a = args(a);
        let n = Naming::new(a.write.clone().expect("-w"), &a).expect("naming");
        counts.iter().map(|&c| n.name(0, c).unwrap().display().to_string()).collect()
    }

    #[test]
    fn names_as_tcpdump_4_99_3() {
        // Checked against tcpdump 4.99.3: -C alone counts from the bare name.
        assert_eq!(names(&["-C", "1", "-w", "f"], &[0, 1, 2, 10]), ["f", "f1", "f2", "f10"]);
        // -C with -W N: a ring named with enough zero-padded digits for N-1.
        assert_eq!(names(&["-C", "1", "-W", "3", "-w", "f"], &[0, 1, 2]), ["f0", "f1", "f2"]);
        assert_eq!(names(&["-C", "1", "-W", "12", "-w", "f"], &[0, 1, 11]), ["f00", "f01", "f11"]);
        assert_eq!(names(&["-C", "1", "-W", "1", "-w", "f"], &[0]), ["f"]);
        // -G without -C: no number, -W only limits the count.
        assert_eq!(names(&["-G", "1", "-W", "2", "-w", "f"], &[0]), ["f"]);
        assert_eq!(names(&["-G", "2", "-C", "1", "-W", "3", "-w", "f"], &[0, 1]), ["f0", "f1"]);
    }

    #[test]
    fn strftime_in_local_time() {
        let a = args(&["-G", "60", "-w", "cap-%Y-%m-%d_%H%M%S.pcap"]);
        let n = Naming::new(a.write.clone().unwrap(), &a).unwrap();
        let t = 1_700_000_000;
        let want = strftime_local("cap-%Y-%m-%d_%H%M%S.pcap", t).unwrap();
        assert_eq!(n.name(t, 0).unwrap().display().to_string(), want);
        assert!(want.starts_with("cap-2023-11-1"), "{want}");
        // No strftime without -G: '%' stays.
        let a = args(&["-C", "1", "-w", "x%Y"]);
        assert_eq!(
            Naming::new(a.write.clone().unwrap(), &a).unwrap().name(t, 2).unwrap(),
            PathBuf::from("x%Y2")
        );
        let a = args(&["-G", "1", "-w", "bad%"]);
        assert!(matches!(Naming::new(a.write.clone().unwrap(), &a), Err(Failure::Usage(_))));
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1"), Ok(1_000_000));
        assert_eq!(parse_size("20k"), Ok(20 * 1024));
        assert_eq!(parse_size("3M"), Ok(3 << 20));
        assert_eq!(parse_size("1g"), Ok(1 << 30));
        assert!(parse_size("0").is_err());
        assert!(parse_size("1.5").is_err());
        assert!(parse_size("5x").is_err());
        assert!(parse_size("").is_err());
        assert!(parse_size("99999999999999999999k").is_err());
    }

    #[test]
    fn seconds_and_summary() {
        assert_eq!(parse_seconds("0.5"), Ok(Duration::from_millis(500)));
        assert!(parse_seconds("0").is_err());
        assert!(parse_seconds("-1").is_err());
        assert!(parse_seconds("inf").is_err());
        let s = summary(1, Some(Stats { received: 3, dropped: 0, if_dropped: 2 }));
        assert_eq!(
            s,
            "1 packet captured\n3 packets received by filter\n0 packets dropped by kernel\n2 packets dropped by interface"
        );
    }

    #[test]
    fn expression_words_are_joined() {
        let a = args(&["-i", "lo", "-c", "3", "udp", "port", "53"]);
        assert_eq!(a.expression.join(" "), "udp port 53");
        assert_eq!(a.count, Some(3));
        assert_eq!(digits(0), 0);
        assert_eq!(digits(9), 1);
        assert_eq!(digits(10), 2);
    }
}
