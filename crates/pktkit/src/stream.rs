//! Reading a live stream: when a read is about to block, and what an interrupt means.
//!
//! Every tool that reads a pipe follows one rule (docs/pipelines.md):
//!
//! - **Before it blocks, it writes.** A [`Source`] that reports idleness returns
//!   [`Pause::Idle`] once when its input has nothing ready, so the tool flushes what it holds
//!   and calls again (which then waits). Files and fast pipes never pause: their reads find
//!   data ready, so output stays in large buffers.
//! - **The first SIGINT, SIGTERM or SIGHUP** ([`Interrupts`]) lets a pipe or socket be read on
//!   until its writer closes, at most [`DRAIN_LIMIT`] after the signal; a regular file stops at
//!   once (as `tcpdump -r` does). The tool then writes everything and exits 0.
//! - **A second one** stops the read at once, even in a wait; the tool still writes what it
//!   processed and leaves its files valid, then exits 128 + the signal's number.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use thiserror::Error;

/// How long, after the first interrupt, a stage still reads a pipe whose writer has not closed.
///
/// pcap-capture hands its last packets on within about 0.2 s of a signal; each later stage
/// closes right after its input does, so every stage of a pipeline ends well inside the bound.
pub const DRAIN_LIMIT: Duration = Duration::from_secs(2);

/// Signals that interrupt a tool: Ctrl-C, `kill`, a closed terminal.
pub const SIGNALS: [i32; 3] =
    [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM, signal_hook::consts::SIGHUP];

type Hook = Box<dyn Fn() + Send + Sync>;

/// The process's interrupts, once installed.
static INSTALLED: Mutex<Option<Arc<Interrupts>>> = Mutex::new(None);

/// Interrupts received so far, and a descriptor that wakes a waiting read when one comes.
pub struct Interrupts {
    count: AtomicUsize,
    last_signal: AtomicI32,
    first: OnceLock<Instant>,
    wake_rx: UnixStream,
    wake_tx: UnixStream,
    hooks: Mutex<Vec<Hook>>,
}

impl std::fmt::Debug for Interrupts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Interrupts").field("count", &self.count()).finish()
    }
}

impl Interrupts {
    /// Interrupts that only [`Self::interrupt`] raises (no signal handlers): for tests and
    /// programs that stop themselves.
    pub fn new() -> io::Result<Arc<Interrupts>> {
        let (wake_rx, wake_tx) = UnixStream::pair()?;
        wake_rx.set_nonblocking(true)?;
        wake_tx.set_nonblocking(true)?;
        Ok(Arc::new(Interrupts {
            count: AtomicUsize::new(0),
            last_signal: AtomicI32::new(0),
            first: OnceLock::new(),
            wake_rx,
            wake_tx,
            hooks: Mutex::new(Vec::new()),
        }))
    }

    /// The process's interrupts: installs handlers for [`SIGNALS`] on the first call (a thread
    /// receives them), returns the same value on later calls.
    pub fn install() -> io::Result<Arc<Interrupts>> {
        let mut installed = INSTALLED.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = installed.as_ref() {
            return Ok(Arc::clone(i));
        }
        let interrupts = Interrupts::new()?;
        let mut signals = signal_hook::iterator::Signals::new(SIGNALS)?;
        let receiver = Arc::clone(&interrupts);
        std::thread::Builder::new().name("signals".into()).spawn(move || {
            for signal in signals.forever() {
                receiver.interrupt(signal);
            }
        })?;
        *installed = Some(Arc::clone(&interrupts));
        Ok(interrupts)
    }

    /// The process's interrupts if [`Self::install`] was called.
    pub fn installed() -> Option<Arc<Interrupts>> {
        INSTALLED.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Records an interrupt by `signal`, wakes waiting reads and runs the hooks.
    pub fn interrupt(&self, signal: i32) {
        self.first.get_or_init(Instant::now);
        self.last_signal.store(signal, Ordering::SeqCst);
        self.count.fetch_add(1, Ordering::SeqCst);
        // Full means a wake-up is already pending; nothing else can fail that matters here.
        let _ = (&self.wake_tx).write(&[1]);
        for hook in self.hooks.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            hook();
        }
    }

    /// Runs `hook` on every interrupt, on the thread that receives it (e.g. to break a
    /// libpcap loop).
    pub fn on_interrupt(&self, hook: impl Fn() + Send + Sync + 'static) {
        self.hooks.lock().unwrap_or_else(|e| e.into_inner()).push(Box::new(hook));
    }

    /// Interrupts received so far.
    pub fn count(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }

    /// True once an interrupt came.
    pub fn is_interrupted(&self) -> bool {
        self.count() > 0
    }

    /// When reads stop waiting for a writer to close: [`DRAIN_LIMIT`] after the first interrupt.
    pub fn deadline(&self) -> Option<Instant> {
        self.first.get().map(|t| *t + DRAIN_LIMIT)
    }

    /// The exit status after a second interrupt, 128 + the signal's number (130 for SIGINT);
    /// `None` when the tool finished its input (0, as tcpdump exits after Ctrl-C).
    pub fn exit_code(&self) -> Option<u8> {
        let signal = self.last_signal.load(Ordering::SeqCst);
        (self.count() >= 2).then(|| u8::try_from(128 + signal).unwrap_or(u8::MAX))
    }

    /// Empties the wake-up descriptor.
    fn drain_wake(&self) {
        let mut sink = [0u8; 64];
        while matches!((&self.wake_rx).read(&mut sink), Ok(n) if n > 0) {}
    }
}

/// Why a [`Source`] read returned without data (carried in an [`io::Error`]; see [`Pause::of`]).
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
pub enum Pause {
    /// Nothing is ready and the next read will wait: write out what you hold, then read again.
    #[error("no input ready")]
    Idle,
    /// An interrupt ended the input (see the module's rule): finish as at the end of input.
    #[error("input ended by an interrupt")]
    Stop,
}

impl Pause {
    /// The pause an error of a [`Source`] read stands for, if it is one.
    pub fn of(e: &io::Error) -> Option<Pause> {
        e.get_ref()?.downcast_ref::<Pause>().copied()
    }
}

impl From<Pause> for io::Error {
    fn from(p: Pause) -> io::Error {
        io::Error::other(p)
    }
}

enum Inner {
    /// A pipe, socket or device: reads may wait, so they are polled.
    Pollable(File),
    /// A regular file or an in-memory stream: reads never wait for a writer.
    Plain(Box<dyn Read>),
}

enum Wait {
    Read,
    Idle,
    Stop,
}

/// An input stream that knows when a read would block and honours [`Interrupts`].
///
/// Reads return data, `Ok(0)` at the end, or an error carrying a [`Pause`].
pub struct Source {
    inner: Inner,
    interrupts: Option<Arc<Interrupts>>,
    report_idle: bool,
    idle_reported: bool,
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source").field("pollable", &matches!(self.inner, Inner::Pollable(_))).finish()
    }
}

impl Source {
    /// A stream that never waits for a writer (its reads are not polled).
    pub fn plain(inner: Box<dyn Read>) -> Source {
        Source { inner: Inner::Plain(inner), interrupts: None, report_idle: false, idle_reported: false }
    }

    /// An open file, pipe or socket; reads are polled unless it is a regular file.
    pub fn file(file: File) -> io::Result<Source> {
        let inner =
            if file.metadata()?.is_file() { Inner::Plain(Box::new(file)) } else { Inner::Pollable(file) };
        Ok(Source { inner, interrupts: None, report_idle: false, idle_reported: false })
    }

    /// Standard input, through its own descriptor (no lock, no second buffer).
    pub fn stdin() -> io::Result<Source> {
        Source::file(File::from(io::stdin().as_fd().try_clone_to_owned()?))
    }

    /// Opens the file at `path`.
    pub fn open(path: &Path) -> io::Result<Source> {
        Source::file(File::open(path)?)
    }

    /// Follows `interrupts` (see the module's rule).
    pub fn set_interrupts(&mut self, interrupts: Option<Arc<Interrupts>>) {
        self.interrupts = interrupts;
    }

    /// Whether a read that would wait first returns [`Pause::Idle`] (once per wait).
    pub fn set_report_idle(&mut self, on: bool) {
        self.report_idle = on;
    }

    fn wait(&mut self) -> io::Result<Wait> {
        let interrupts = self.interrupts.as_deref();
        let count = interrupts.map_or(0, Interrupts::count);
        let past_deadline = || interrupts.and_then(Interrupts::deadline).is_some_and(|d| Instant::now() >= d);
        let file = match &self.inner {
            _ if count >= 2 => return Ok(Wait::Stop),
            Inner::Plain(_) if count == 1 => return Ok(Wait::Stop),
            Inner::Plain(_) => return Ok(Wait::Read),
            Inner::Pollable(_) if count == 1 && past_deadline() => return Ok(Wait::Stop),
            // Nobody to tell and nothing to wait for but the data: a plain blocking read.
            Inner::Pollable(_) if !self.report_idle && interrupts.is_none() => return Ok(Wait::Read),
            Inner::Pollable(f) => f,
        };
        if readable(file.as_fd(), None, Some(Duration::ZERO))?.0 {
            return Ok(Wait::Read);
        }
        if self.report_idle && !self.idle_reported {
            self.idle_reported = true;
            return Ok(Wait::Idle);
        }
        let Some(interrupts) = interrupts else { return Ok(Wait::Read) };
        loop {
            let timeout = match (interrupts.count(), interrupts.deadline()) {
                (0, _) | (_, None) => None,
                (1, Some(deadline)) => match deadline.checked_duration_since(Instant::now()) {
                    Some(left) if !left.is_zero() => Some(left),
                    _ => return Ok(Wait::Stop),
                },
                _ => return Ok(Wait::Stop),
            };
            let (input, woken) = readable(file.as_fd(), Some(interrupts.wake_rx.as_fd()), timeout)?;
            if input {
                return Ok(Wait::Read);
            }
            if woken {
                interrupts.drain_wake();
            }
        }
    }
}

impl Read for Source {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        match self.wait()? {
            Wait::Read => {}
            Wait::Idle => return Err(Pause::Idle.into()),
            Wait::Stop => return Err(Pause::Stop.into()),
        }
        let n = match &mut self.inner {
            Inner::Pollable(f) => f.read(out)?,
            Inner::Plain(r) => r.read(out)?,
        };
        if n > 0 {
            self.idle_reported = false;
        }
        Ok(n)
    }
}

/// Polls `input` (and `wake`) for up to `timeout` (`None`: no limit): which are readable.
///
/// A hang-up or error counts as readable: the read that follows returns it.
fn readable(
    input: BorrowedFd<'_>,
    wake: Option<BorrowedFd<'_>>,
    timeout: Option<Duration>,
) -> io::Result<(bool, bool)> {
    let flags = PollFlags::POLLIN;
    let mut fds = vec![PollFd::new(input, flags)];
    if let Some(w) = wake {
        fds.push(PollFd::new(w, flags));
    }
    let timeout = match timeout {
        None => PollTimeout::NONE,
        Some(d) => {
            PollTimeout::try_from(d.as_millis().max(u128::from(!d.is_zero()))).unwrap_or(PollTimeout::MAX)
        }
    };
    match poll(&mut fds, timeout) {
        Ok(_) => {}
        Err(Errno::EINTR) => return Ok((false, false)),
        Err(e) => return Err(e.into()),
    }
    let ready = |fd: &PollFd<'_>| fd.revents().is_some_and(|r| !r.is_empty());
    Ok((ready(&fds[0]), fds.get(1).is_some_and(ready)))
}

/// What [`LineReader::next_event`] found.
#[derive(Debug)]
pub enum LineEvent<'a> {
    /// One line, with its newline if it had one.
    Line {
        /// 1-based line number in the input.
        number: u64,
        /// The line's bytes.
        bytes: &'a [u8],
    },
    /// Nothing is ready: write out what you hold, then call again.
    Idle,
}

/// Reads newline-delimited records (NDJSON) from a [`Source`], with a bound on line length.
#[derive(Debug)]
pub struct LineReader {
    src: BufReader<Source>,
    line: Vec<u8>,
    complete: bool,
    max: usize,
    number: u64,
}

impl LineReader {
    /// Lines of `src`, each at most `max` bytes with its newline.
    pub fn new(mut src: Source, max: usize) -> LineReader {
        src.set_report_idle(true);
        LineReader {
            src: BufReader::with_capacity(64 * 1024, src),
            line: Vec::new(),
            complete: true,
            max,
            number: 0,
        }
    }

    /// The next line; `None` at the end (or after an interrupt, which drops a partial line).
    ///
    /// A line longer than the bound is an [`io::ErrorKind::InvalidData`] error.
    pub fn next_event(&mut self) -> io::Result<Option<LineEvent<'_>>> {
        if self.complete {
            self.line.clear();
            self.complete = false;
        }
        loop {
            let available = match self.src.fill_buf() {
                Ok(b) => b,
                Err(e) => match Pause::of(&e) {
                    Some(Pause::Idle) => return Ok(Some(LineEvent::Idle)),
                    Some(Pause::Stop) => return Ok(None),
                    None if e.kind() == io::ErrorKind::Interrupted => continue,
                    None => return Err(e),
                },
            };
            if available.is_empty() {
                if self.line.is_empty() {
                    return Ok(None);
                }
                break;
            }
            let (take, done) = match available.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (available.len(), false),
            };
            if self.line.len() + take > self.max {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("a line longer than {} bytes", self.max),
                ));
            }
            self.line.extend_from_slice(&available[..take]);
            self.src.consume(take);
            if done {
                break;
            }
        }
        self.complete = true;
        self.number += 1;
        Ok(Some(LineEvent::Line { number: self.number, bytes: &self.line }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;
    use std::thread;

    /// A pipe as a (reading `Source`, writing end) pair, through a Unix socket pair.
    fn pipe(interrupts: Option<Arc<Interrupts>>) -> (Source, UnixStream) {
        let (rx, tx) = UnixStream::pair().unwrap();
        let mut src = Source::file(File::from(std::os::fd::OwnedFd::from(rx))).unwrap();
        src.set_interrupts(interrupts);
        (src, tx)
    }

    #[test]
    fn an_empty_pipe_reports_idle_once_then_waits_for_data() {
        let (mut src, mut tx) = pipe(None);
        src.set_report_idle(true);
        let mut buf = [0u8; 8];
        let e = src.read(&mut buf).unwrap_err();
        assert_eq!(Pause::of(&e), Some(Pause::Idle));
        let writer = thread::spawn(move || {
            thread::sleep(Duration::from_millis(30));
            tx.write_all(b"abc").unwrap();
            tx
        });
        assert_eq!(src.read(&mut buf).unwrap(), 3);
        let e = src.read(&mut buf).unwrap_err();
        assert_eq!(Pause::of(&e), Some(Pause::Idle), "idle again after data");
        drop(writer.join().unwrap());
        assert_eq!(src.read(&mut buf).unwrap(), 0, "closed writer: end");
    }

    #[test]
    fn ready_data_and_files_never_pause() {
        let (mut src, mut tx) = pipe(None);
        src.set_report_idle(true);
        tx.write_all(b"xy").unwrap();
        let mut buf = [0u8; 8];
        assert_eq!(src.read(&mut buf).unwrap(), 2);
        let mut plain = Source::plain(Box::new(Cursor::new(b"hello".to_vec())));
        plain.set_report_idle(true);
        assert_eq!(plain.read(&mut buf).unwrap(), 5);
        assert!(Pause::of(&io::Error::other("x")).is_none());
    }

    #[test]
    fn after_one_interrupt_a_pipe_is_read_until_its_writer_closes() {
        let interrupts = Interrupts::new().unwrap();
        let (mut src, mut tx) = pipe(Some(Arc::clone(&interrupts)));
        interrupts.interrupt(signal_hook::consts::SIGINT);
        let writer = thread::spawn(move || {
            thread::sleep(Duration::from_millis(50));
            tx.write_all(b"late").unwrap();
        });
        let mut got = Vec::new();
        src.read_to_end(&mut got).unwrap();
        writer.join().unwrap();
        assert_eq!(got, b"late");
        assert_eq!(interrupts.exit_code(), None);
    }

    #[test]
    fn after_one_interrupt_a_writer_that_never_closes_is_given_up_at_the_deadline() {
        let interrupts = Interrupts::new().unwrap();
        let (mut src, _tx) = pipe(Some(Arc::clone(&interrupts)));
        let start = Instant::now();
        interrupts.interrupt(signal_hook::consts::SIGTERM);
        let e = src.read(&mut [0u8; 4]).unwrap_err();
        assert_eq!(Pause::of(&e), Some(Pause::Stop));
        let waited = start.elapsed();
        assert!(waited >= DRAIN_LIMIT && waited < DRAIN_LIMIT + Duration::from_millis(500), "{waited:?}");
    }

    #[test]
    fn a_second_interrupt_ends_a_waiting_read_at_once() {
        let interrupts = Interrupts::new().unwrap();
        let (mut src, _tx) = pipe(Some(Arc::clone(&interrupts)));
        let (mut plain_src, mut buf) = (Source::plain(Box::new(Cursor::new(vec![1u8; 4]))), [0u8; 4]);
        plain_src.set_interrupts(Some(Arc::clone(&interrupts)));
        interrupts.interrupt(signal_hook::consts::SIGINT);
        assert_eq!(
            Pause::of(&plain_src.read(&mut buf).unwrap_err()),
            Some(Pause::Stop),
            "a file stops at once"
        );
        let second = Arc::clone(&interrupts);
        let start = Instant::now();
        let t = thread::spawn(move || {
            thread::sleep(Duration::from_millis(100));
            second.interrupt(signal_hook::consts::SIGINT);
        });
        let e = src.read(&mut buf).unwrap_err();
        t.join().unwrap();
        assert_eq!(Pause::of(&e), Some(Pause::Stop));
        assert!(start.elapsed() < Duration::from_secs(1), "{:?}", start.elapsed());
        assert_eq!(interrupts.exit_code(), Some(130));
    }

    #[test]
    fn lines_resume_after_idle_and_the_bound_holds() {
        let (src, mut tx) = pipe(None);
        let mut lines = LineReader::new(src, 16);
        assert!(matches!(lines.next_event().unwrap(), Some(LineEvent::Idle)));
        tx.write_all(b"{\"a\":").unwrap();
        let writer = thread::spawn(move || {
            thread::sleep(Duration::from_millis(30));
            tx.write_all(b"1}\nlast").unwrap();
            thread::sleep(Duration::from_millis(30));
            tx.write_all(b"-no-newline").unwrap();
        });
        let mut got = Vec::new();
        while let Some(ev) = lines.next_event().unwrap() {
            if let LineEvent::Line { number, bytes } = ev {
                got.push(format!("{number}:{}", String::from_utf8_lossy(bytes)));
            }
        }
        writer.join().unwrap();
        assert_eq!(got, ["1:{\"a\":1}\n", "2:last-no-newline"]);
        let mut long = LineReader::new(Source::plain(Box::new(Cursor::new(vec![b'x'; 40]))), 16);
        let e = long.next_event().unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert_eq!(e.to_string(), "a line longer than 16 bytes");
    }
}
