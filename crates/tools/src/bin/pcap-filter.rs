use pktkit_tools::{cli, filter};

fn main() -> std::process::ExitCode {
    cli::main("pcap-filter", filter::run)
}
