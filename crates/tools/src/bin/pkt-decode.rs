use clap::Parser;
use pktkit_tools::{cli, decode};

fn main() -> std::process::ExitCode {
    cli::finish("pkt-decode", decode::run(decode::Args::parse()))
}
