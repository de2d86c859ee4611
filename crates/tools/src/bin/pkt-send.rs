use pktkit_tools::{cli, send};

fn main() -> std::process::ExitCode {
    cli::main("pkt-send", send::run)
}
