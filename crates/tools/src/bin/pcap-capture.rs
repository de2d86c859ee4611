use clap::Parser;
use pktkit_tools::{capture, cli};

fn main() -> std::process::ExitCode {
    cli::finish("pcap-capture", capture::run(capture::Args::parse()))
}
