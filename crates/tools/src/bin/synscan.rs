use clap::Parser;
use pktkit_tools::{cli, synscan};

fn main() -> std::process::ExitCode {
    let args = synscan::Args::parse_from(synscan::nmap_args(std::env::args_os()));
    cli::finish("synscan", synscan::run(args))
}
