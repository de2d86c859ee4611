use pktkit_tools::{capture, cli};

fn main() -> std::process::ExitCode {
    cli::main("pcap-capture", capture::run)
}
