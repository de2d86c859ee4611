use pktkit_tools::{cli, decode};

fn main() -> std::process::ExitCode {
    cli::main("pkt-decode", decode::run)
}
