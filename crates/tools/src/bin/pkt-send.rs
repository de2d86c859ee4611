use clap::Parser;
use pktkit_tools::{cli, send};

fn main() -> std::process::ExitCode {
    cli::finish("pkt-send", send::run(send::Args::parse()))
}
