//! What every tool shares at its edge: exit codes, error lines, output sinks, pipe handling.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal};
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use pktkit::capture::{CaptureError, CaptureReader, Input, WriteError};
use pktkit::stream::Interrupts;
use thiserror::Error;

/// How a tool run failed; decides the exit code.
#[derive(Debug, Error)]
pub enum Failure {
    /// Bad arguments, expression or spec: exit 2.
    #[error("{0}")]
    Usage(String),
    /// The work itself failed (bad input, I/O, permissions): exit 1.
    #[error("{0}")]
    Runtime(String),
    /// The reader of our output went away (`| head`): quiet exit 0.
    #[error("output closed")]
    PipeClosed,
}

impl Failure {
    /// The process exit code: 0 ok, 1 runtime error, 2 usage error.
    pub fn code(&self) -> u8 {
        match self {
            Failure::Usage(_) => 2,
            Failure::Runtime(_) => 1,
            Failure::PipeClosed => 0,
        }
    }
}

impl From<CaptureError> for Failure {
    fn from(e: CaptureError) -> Self {
        Failure::Runtime(e.to_string())
    }
}

impl From<WriteError> for Failure {
    fn from(e: WriteError) -> Self {
        if e.is_broken_pipe() { Failure::PipeClosed } else { Failure::Runtime(format!("write error: {e}")) }
    }
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        if e.kind() == io::ErrorKind::BrokenPipe {
            Failure::PipeClosed
        } else {
            Failure::Runtime(format!("write error: {e}"))
        }
    }
}

/// Runs a tool's body and turns its outcome into an exit code, printing `tool: message` on error.
///
/// A run that a second interrupt cut short exits 128 + the signal's number (docs/pipelines.md).
pub fn finish(tool: &str, outcome: Result<(), Failure>) -> ExitCode {
    let cut_short = Interrupts::installed().and_then(|i| i.exit_code());
    if let (Some(code), Ok(()) | Err(Failure::PipeClosed)) = (cut_short, &outcome) {
        return ExitCode::from(code);
    }
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            if !matches!(f, Failure::PipeClosed) {
                eprintln!("{tool}: {}", without_os_error(&f.to_string()));
            }
            ExitCode::from(f.code())
        }
    }
}

/// The process's interrupts (SIGINT, SIGTERM, SIGHUP), handled from now on by the rule of
/// docs/pipelines.md instead of ending the process.
pub fn interrupts() -> Result<Arc<Interrupts>, Failure> {
    Interrupts::install().map_err(|e| Failure::Runtime(format!("cannot install signal handlers: {e}")))
}

/// A reader of `inputs` that follows the process's interrupts.
pub fn reader(inputs: Vec<Input>) -> Result<CaptureReader, Failure> {
    Ok(CaptureReader::new(inputs).with_interrupts(interrupts()?))
}

/// A tool's `main`: parses the arguments with clap and runs `run` on them (see [`finish`]).
///
/// clap prints `--help` and `--version` itself and ignores a failed write; here a failed
/// write (`--help > /dev/full`) is a write error like any other (exit 1, one line), and a
/// closed pipe (`--help | head -1`) ends quietly with 0.
pub fn main<A: clap::Parser>(tool: &str, run: impl FnOnce(A) -> Result<(), Failure>) -> ExitCode {
    main_from(tool, std::env::args_os().collect(), run)
}

/// [`main`] with the arguments given (a tool that rewrites its command line first).
pub fn main_from<A: clap::Parser>(
    tool: &str,
    argv: Vec<std::ffi::OsString>,
    run: impl FnOnce(A) -> Result<(), Failure>,
) -> ExitCode {
    use clap::error::ErrorKind;
    match A::try_parse_from(argv) {
        Ok(args) => finish(tool, run(args)),
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            let written = e.print().and_then(|()| io::Write::flush(&mut io::stdout()));
            finish(tool, written.map_err(Failure::from))
        }
        Err(e) if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            // A tool of subcommands run bare (netmon): the help on stderr, exit 2, as clap does.
            let _ = e.print();
            ExitCode::from(2)
        }
        Err(e) => {
            // A usage error, printed on stderr: nothing more can be told if that fails.
            eprintln!("{tool}: {}\ntry '{tool} --help'", usage_line(&e));
            ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2))
        }
    }
}

/// Parses seconds for clap (`0.5`, `2`).
pub fn parse_secs(s: &str) -> Result<std::time::Duration, String> {
    let v: f64 = s.parse().map_err(|e| format!("{e}: expected seconds, e.g. 0.5"))?;
    std::time::Duration::try_from_secs_f64(v).map_err(|e| format!("{e}: expected seconds, e.g. 0.5"))
}

/// Parses a rate (packets per second, a factor) above 0 for clap.
pub fn parse_rate(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|e| format!("{e}: expected a number"))?;
    if v.is_finite() && v > 0.0 { Ok(v) } else { Err("expected a number above 0".to_string()) }
}

/// clap's usage error as one line: its `error:` line, plus a "similar argument" tip if any.
fn usage_line(e: &clap::Error) -> String {
    let text = e.render().to_string();
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or("invalid arguments");
    let mut line = first.strip_prefix("error: ").unwrap_or(first).to_string();
    // "the following required arguments were not provided:" names them on the next line.
    if line.ends_with(':')
        && let Some(next) = lines.next()
    {
        line = format!("{line} {next}");
    }
    for tip in lines.filter_map(|l| l.strip_prefix("tip: ")).filter(|t| t.contains("similar")) {
        line.push_str(&format!(" ({tip})"));
    }
    line
}

/// An I/O error's message without Rust's ` (os error N)` suffix, as C tools print it.
pub fn io_message(e: &io::Error) -> String {
    without_os_error(&e.to_string())
}

/// `msg` with every ` (os error N)` removed.
pub fn without_os_error(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    let mut rest = msg;
    while let Some(at) = rest.find(" (os error ") {
        out.push_str(&rest[..at]);
        let tail = &rest[at + " (os error ".len()..];
        let digits = tail.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && tail[digits..].starts_with(')') {
            rest = &tail[digits + 1..];
        } else {
            out.push_str(" (os error ");
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

/// Prints a warning line on stderr.
pub fn warn(tool: &str, msg: impl std::fmt::Display) {
    eprintln!("{tool}: warning: {msg}");
}

/// Where a tool writes its data: stdout or a file, through one large buffer.
///
/// Standard output is written through its own file descriptor, not `io::Stdout`, whose line
/// buffering would scan binary data for newlines and split writes.
pub type Output = BufWriter<File>;

/// Standard output as a `File` (a duplicate of descriptor 1).
fn stdout_file() -> io::Result<File> {
    Ok(File::from(io::stdout().as_fd().try_clone_to_owned()?))
}

const BUF: usize = 256 * 1024;

/// Opens the data output: `path` None or `-` is stdout.
///
/// Binary output (`binary`) to a terminal is refused with a hint, as a usage error.
pub fn open_output(path: Option<&Path>, binary: bool) -> Result<Output, Failure> {
    match path {
        Some(p) if p != Path::new("-") => {
            let f = File::create(p).map_err(|e| Failure::Runtime(format!("{}: {e}", p.display())))?;
            Ok(BufWriter::with_capacity(BUF, f))
        }
        _ => {
            let stdout = io::stdout();
            if binary && stdout.is_terminal() {
                return Err(Failure::Usage(
                    "refusing to write binary pcap to a terminal; redirect it (> file.pcap), \
                     pipe it (| pkt-decode) or use -w FILE"
                        .to_string(),
                ));
            }
            let out = stdout_file().map_err(|e| Failure::Runtime(format!("stdout: {e}")))?;
            Ok(BufWriter::with_capacity(BUF, out))
        }
    }
}

/// Turns FILE arguments into reader inputs: none or `-` means stdin.
///
/// A capture on stdin when stdin is a terminal is refused with a hint.
pub fn inputs(files: &[PathBuf]) -> Result<Vec<Input>, Failure> {
    let stdin_named = files.is_empty() || files.iter().any(|f| f == Path::new("-"));
    if stdin_named && io::stdin().is_terminal() {
        return Err(Failure::Usage(
            "no capture on stdin (it is a terminal); pipe one in (< file.pcap) or name a FILE".to_string(),
        ));
    }
    if files.is_empty() {
        return Ok(vec![Input::Stdin]);
    }
    // Every named file is checked before anything is read, so that a missing one is
    // reported before any output.
    for f in files.iter().filter(|f| *f != Path::new("-")) {
        if let Err(e) = std::fs::metadata(f) {
            return Err(Failure::Runtime(format!("{}: {}", f.display(), io_message(&e))));
        }
    }
    Ok(files
        .iter()
        .map(|f| if f == Path::new("-") { Input::Stdin } else { Input::File(f.clone()) })
        .collect())
}

/// Compiles a `-Y` display filter; an error is a usage error naming the column (1-based)
/// and what was expected there.
pub fn display_filter(expr: &str) -> Result<pktkit::dfilter::Filter, Failure> {
    pktkit::dfilter::Filter::new(expr).map_err(|e| {
        let column = expr.get(..e.pos).map_or(e.pos, |s| s.chars().count()) + 1;
        Failure::Usage(format!("display filter '{expr}': column {column}: {}", e.msg))
    })
}
