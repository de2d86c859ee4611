use pktkit_tools::{cli, stats};

fn main() -> std::process::ExitCode {
    cli::main("pkt-stats", stats::run)
}
