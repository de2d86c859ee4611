use pktkit_tools::{cli, decode};

fn main() -> std::process::ExitCode {
    cli::main_from("pkt-decode", decode::tshark_argv(std::env::args_os().collect()), decode::run)
}
