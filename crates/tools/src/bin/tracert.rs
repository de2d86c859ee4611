use pktkit_tools::{cli, tracert};

fn main() -> std::process::ExitCode {
    cli::main(tracert::TOOL, tracert::run)
}
