use pktkit_tools::{cli, synscan};

fn main() -> std::process::ExitCode {
    cli::main_from("synscan", synscan::nmap_args(std::env::args_os()), synscan::run)
}
