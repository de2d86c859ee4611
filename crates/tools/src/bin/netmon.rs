use pktkit_tools::{cli, netmon};

fn main() -> std::process::ExitCode {
    cli::main("netmon", netmon::run)
}
