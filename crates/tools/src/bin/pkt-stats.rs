use clap::Parser;
use pktkit_tools::{cli, stats};

fn main() -> std::process::ExitCode {
    cli::finish("pkt-stats", stats::run(stats::Args::parse()))
}
