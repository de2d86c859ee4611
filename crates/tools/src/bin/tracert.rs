use pktkit_tools::{cli, tracert};

fn main() -> std::process::ExitCode {
    cli::finish(tracert::TOOL, tracert::parse_args().and_then(tracert::run))
}
