use pktkit_tools::tracert;

fn main() -> std::process::ExitCode {
    tracert::main()
}
