use pktkit_tools::{cli, netmon};

fn main() -> std::process::ExitCode {
    cli::finish("netmon", netmon::parse_args().and_then(netmon::run))
}
