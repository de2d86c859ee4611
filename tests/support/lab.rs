//! The namespace lab live tests run in: `client — r1 — r2 — server`, built by `scripts/netlab`
//! (see docs/lab.md). A [`Lab`] owns one uniquely named lab and tears it down when dropped, also
//! when the test panics.
//!
//! ```ignore
//! let Some(lab) = Lab::up() else { return }; // not root: a skip notice was printed
//! let out = lab.exec(Host::Client, &["ping", "-c1", lab.get("SERVER_V4")]);
//! ```
#![allow(dead_code)] // each test crate uses a different part of this module

use std::collections::HashMap;
use std::ffi::OsStr;
use std::io::Write;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Once;
use std::sync::atomic::{AtomicU32, Ordering};

/// One of the lab's five namespaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Host {
    Client,
    R1,
    R2,
    Server,
    /// A second host on the server's link (a macvlan of its eth0), with no listeners.
    Host2,
}

impl Host {
    /// All hosts, from the client to the server.
    pub const ALL: [Host; 5] = [Host::Client, Host::R1, Host::R2, Host::Server, Host::Host2];

    /// The name `scripts/netlab` uses: `client`, `r1`, `r2`, `server` or `host2`.
    pub fn name(self) -> &'static str {
        match self {
            Host::Client => "client",
            Host::R1 => "r1",
            Host::R2 => "r2",
            Host::Server => "server",
            Host::Host2 => "host2",
        }
    }

    /// The info key of this host's namespace, e.g. `NS_CLIENT`.
    fn ns_key(self) -> &'static str {
        match self {
            Host::Client => "NS_CLIENT",
            Host::R1 => "NS_R1",
            Host::R2 => "NS_R2",
            Host::Server => "NS_SERVER",
            Host::Host2 => "NS_HOST2",
        }
    }
}

/// Path of `scripts/netlab` in this checkout.
pub fn netlab_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts").join("netlab")
}

/// A `Command` running `scripts/netlab` with `args`.
pub fn netlab(args: &[&str]) -> Command {
    let mut cmd = Command::new(netlab_path());
    cmd.args(args);
    cmd
}

/// True when this process runs with effective uid 0 (read from /proc/self/status).
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .and_then(|ids| ids.split_whitespace().nth(1).map(|euid| euid == "0"))
        })
        .unwrap_or(false)
}

/// Returns false after printing a one-line skip notice naming the running test when not root.
pub fn require_root() -> bool {
    if is_root() {
        return true;
    }
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("test");
    notice(&format!(
        "SKIP {test}: needs root (CAP_NET_ADMIN) to build network namespaces with scripts/netlab"
    ));
    false
}

/// Writes one line to the real stderr: unlike `eprintln!`, the test harness does not capture
/// it, so skip notices show in a plain `cargo test` run.
pub fn notice(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// A lab name unique to this process and call: `t<pid>n<counter>`.
pub fn unique_name() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!("t{}n{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Parses `KEY=VALUE` lines (the output of `netlab up` and `netlab info`).
pub fn parse_info(text: &str) -> HashMap<String, String> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// One running lab; `Drop` runs `netlab down`.
#[derive(Debug)]
pub struct Lab {
    name: String,
    info: HashMap<String, String>,
    down: bool,
}

impl Lab {
    /// Builds a new, uniquely named lab. Returns `None` after printing a skip notice when not
    /// root; panics with netlab's message when `netlab up` fails.
    pub fn up() -> Option<Lab> {
        if !require_root() {
            return None;
        }
        static GC: Once = Once::new();
        // Labs left by test processes that were killed (no Drop ran) are removed once.
        GC.call_once(|| {
            let _ = netlab(&["gc"]).stdin(Stdio::null()).status();
        });
        Some(Lab::up_named(&unique_name()).unwrap_or_else(|e| panic!("{e}")))
    }

    /// Builds a new lab with netlab's `variants` (e.g. `silent-hop`, `ecmp`; docs/lab.md).
    pub fn up_with(variants: &[&str]) -> Option<Lab> {
        if !require_root() {
            return None;
        }
        Some(Lab::up_variants(&unique_name(), variants).unwrap_or_else(|e| panic!("{e}")))
    }

    /// Builds lab `name` (owned by this process, for `netlab gc`), or returns netlab's error.
    pub fn up_named(name: &str) -> Result<Lab, String> {
        Lab::up_variants(name, &[])
    }

    /// Builds lab `name` with `variants`, or returns netlab's error.
    pub fn up_variants(name: &str, variants: &[&str]) -> Result<Lab, String> {
        let mut args = vec!["up", name];
        args.extend_from_slice(variants);
        let out = netlab(&args)
            .env("NETLAB_OWNER_PID", std::process::id().to_string())
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", netlab_path().display()))?;
        if !out.status.success() {
            return Err(format!(
                "netlab up {name} failed ({}):\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let info = parse_info(&String::from_utf8_lossy(&out.stdout));
        if info.get("NETLAB_NAME").map(String::as_str) != Some(name) {
            let _ = netlab(&["down", name]).status();
            return Err(format!("netlab up {name} printed no NETLAB_NAME={name}"));
        }
        Ok(Lab { name: name.to_string(), info, down: false })
    }

    /// The lab's name, as given to `netlab`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Every `KEY=VALUE` of `netlab info` (see docs/lab.md).
    pub fn info(&self) -> &HashMap<String, String> {
        &self.info
    }

    /// The value of info key `key`; panics when the key is missing.
    pub fn get(&self, key: &str) -> &str {
        self.info.get(key).unwrap_or_else(|| panic!("lab info has no {key}"))
    }

    /// An address from the info, e.g. `addr("SERVER_V6")`.
    pub fn addr(&self, key: &str) -> IpAddr {
        self.get(key).parse().unwrap_or_else(|e| panic!("lab info {key}: {e}"))
    }

    /// A comma-separated port list from the info, e.g. `ports("TCP_OPEN")`.
    pub fn ports(&self, key: &str) -> Vec<u16> {
        self.get(key)
            .split(',')
            .filter(|p| !p.is_empty())
            .map(|p| p.parse().unwrap_or_else(|e| panic!("lab info {key}: {p}: {e}")))
            .collect()
    }

    /// The namespace name of `host` (for `ip netns exec`, `ip -n`).
    pub fn ns(&self, host: Host) -> &str {
        self.get(host.ns_key())
    }

    /// A `Command` that runs `prog args...` inside `host`'s namespace (`ip netns exec`).
    pub fn command<I, S>(&self, host: Host, prog: impl AsRef<OsStr>, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", self.ns(host)]).arg(prog).args(args);
        cmd
    }

    /// Runs `cmd[0] cmd[1..]` inside `host` with stdin closed and returns its output.
    pub fn exec(&self, host: Host, cmd: &[&str]) -> Output {
        self.exec_stdin(host, cmd, b"")
    }

    /// Runs `cmd` inside `host`, writes `input` to its stdin, closes it, returns the output.
    pub fn exec_stdin(&self, host: Host, cmd: &[&str], input: &[u8]) -> Output {
        let (prog, args) = cmd.split_first().expect("exec: empty command");
        let mut child = self
            .command(host, prog, args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run ip netns exec: {e}"));
        let mut stdin = child.stdin.take().expect("piped stdin");
        let input = input.to_vec();
        // A separate thread, so a command that does not read its input cannot block us.
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
        let out = child.wait_with_output().unwrap_or_else(|e| panic!("waiting for {cmd:?}: {e}"));
        let _ = writer.join();
        out
    }

    /// Runs `cmd` inside `host`, panics unless it exits 0, returns its stdout.
    pub fn exec_ok(&self, host: Host, cmd: &[&str]) -> String {
        let out = self.exec(host, cmd);
        assert!(
            out.status.success(),
            "{cmd:?} in {} failed ({}):\n{}{}",
            host.name(),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `host`'s kernel counters from /proc/net/snmp and /proc/net/snmp6, keyed like
    /// `Icmp:OutTimeExcds`, `Tcp:OutRsts`, `Udp:InDatagrams` and `Icmp6OutTimeExcds`.
    pub fn snmp(&self, host: Host) -> HashMap<String, u64> {
        let text = self.exec_ok(host, &["cat", "/proc/net/snmp", "/proc/net/snmp6"]);
        parse_snmp(&text)
    }

    /// Runs `netlab down` now and reports its error instead of panicking in `Drop`.
    pub fn down(mut self) -> Result<(), String> {
        self.down = true;
        run_down(&self.name)
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        if self.down {
            return;
        }
        if let Err(e) = run_down(&self.name) {
            if std::thread::panicking() {
                eprintln!("{e}");
            } else {
                panic!("{e}");
            }
        }
    }
}

fn run_down(name: &str) -> Result<(), String> {
    let out = netlab(&["down", name])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run netlab down {name}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "netlab down {name} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Parses /proc/net/snmp (header line, value line per protocol) and /proc/net/snmp6 (one
/// `name value` pair a line).
pub fn parse_snmp(text: &str) -> HashMap<String, u64> {
    let mut map = HashMap::new();
    let mut header: Option<(&str, Vec<&str>)> = None;
    for line in text.lines() {
        let mut words = line.split_whitespace();
        let Some(first) = words.next() else { continue };
        if let Some(proto) = first.strip_suffix(':') {
            let rest: Vec<&str> = words.collect();
            match header.take() {
                Some((p, names)) if p == proto => {
                    for (n, v) in names.iter().zip(&rest) {
                        if let Ok(v) = v.parse() {
                            map.insert(format!("{proto}:{n}"), v);
                        }
                    }
                }
                _ => header = Some((proto, rest)),
            }
        } else if let (Some(v), None) = (words.next(), words.next())
            && let Ok(v) = v.parse()
        {
            map.insert(first.to_string(), v);
        }
    }
    map
}
