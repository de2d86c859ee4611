use clap::Parser;
use pktkit_tools::{cli, filter};

fn main() -> std::process::ExitCode {
    cli::finish("pcap-filter", filter::run(filter::Args::parse()))
}
