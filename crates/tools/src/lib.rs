//! pktkit's command-line tools. Each tool is a module with its clap definition and a `run`
//! function; the binaries in `src/bin/` only parse arguments, call `run` and exit.
