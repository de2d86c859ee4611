//! pktkit's command-line tools. Each tool is a module with its clap definition and a `run`
//! function; the binaries in `src/bin/` only parse arguments, call `run` and exit.

pub mod capture;
pub mod cli;
pub mod decode;
pub mod filter;
pub mod netmon;
pub mod progress;
pub mod send;
pub mod stats;
pub mod synscan;
pub mod tracert;
pub mod words;

/// Every tool's name and clap definition, for man pages and completions.
pub fn commands() -> Vec<clap::Command> {
    use clap::CommandFactory;
    vec![
        filter::Args::command(),
        decode::Args::command(),
        stats::Args::command(),
        capture::Args::command(),
        send::Args::command(),
        tracert::Args::command(),
        synscan::Args::command(),
        netmon::Args::command(),
    ]
}
