//! netmon against ss, psutil and `ip -s link`, in network namespaces of its own; the
//! unprivileged parts run as `nobody`. Tests that need root print why they skip.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::lab::{is_root, notice, unique_name};

const NETMON: &str = env!("CARGO_BIN_EXE_netmon");
/// Debian's python3, which has python3-psutil (not a pyenv shim earlier in PATH).
const PYTHON: &str = "/usr/bin/python3";
const NOBODY: [&str; 4] = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"];

/// A network namespace with `lo` up, deleted on drop; optionally a veth pair to a second one.
struct Netns {
    name: String,
    peer: Option<String>,
}

impl Netns {
    fn new() -> Option<Netns> {
        if !is_root() {
            let test = std::thread::current().name().unwrap_or("test").to_string();
            notice(&format!("SKIP {test}: needs root (CAP_NET_ADMIN) to make network namespaces"));
            return None;
        }
        let name = format!("nm{}", unique_name());
        sh(&["ip", "netns", "add", &name]);
        sh(&["ip", "-n", &name, "link", "set", "lo", "up"]);
        Some(Netns { name, peer: None })
    }

    /// Adds namespace `<name>p` joined by veth `a0` (10.77.0.1/24, here) and `b0`
    /// (10.77.0.2/24, there), both with MTU `mtu`.
    fn with_peer(mut self, mtu: u32) -> Netns {
        let peer = format!("{}p", self.name);
        sh(&["ip", "netns", "add", &peer]);
        sh(&["ip", "-n", &peer, "link", "set", "lo", "up"]);
        sh(&[
            "ip", "-n", &self.name, "link", "add", "a0", "type", "veth", "peer", "name", "b0", "netns", &peer,
        ]);
        let mtu = mtu.to_string();
        for (ns, dev, addr) in [(&self.name, "a0", "10.77.0.1/24"), (&peer, "b0", "10.77.0.2/24")] {
            // No IPv6 autoconfiguration chatter: the link's counters move only with the tests.
            sh(&[
                "ip",
                "netns",
                "exec",
                ns,
                "sysctl",
                "-q",
                "-w",
                &format!("net.ipv6.conf.{dev}.disable_ipv6=1"),
            ]);
            sh(&["ip", "-n", ns, "link", "set", dev, "mtu", &mtu, "up"]);
            sh(&["ip", "-n", ns, "addr", "add", addr, "dev", dev, "nodad"]);
        }
        self.peer = Some(peer);
        self
    }

    /// `ip netns exec <ns> prog args...` (`peer`: in the second namespace).
    fn cmd(&self, peer: bool, argv: &[&str]) -> Command {
        let ns = if peer { self.peer.as_deref().expect("a peer namespace") } else { &self.name };
        let mut c = Command::new("ip");
        c.args(["netns", "exec", ns]).args(argv);
        c
    }

    /// Runs `argv` here, panics unless it exits 0, returns stdout.
    fn run(&self, argv: &[&str]) -> String {
        output_ok(self.cmd(false, argv))
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        for ns in std::iter::once(&self.name).chain(self.peer.as_ref()) {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
    }
}

fn sh(argv: &[&str]) {
    let mut c = Command::new(argv[0]);
    c.args(&argv[1..]);
    output_ok(c);
}

fn output_ok(mut c: Command) -> String {
    let out = c.stdin(Stdio::null()).output().unwrap_or_else(|e| panic!("{c:?}: {e}"));
    assert!(out.status.success(), "{c:?} failed ({}):\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// A background helper that prints `ready` once set up and exits when its stdin closes.
struct Helper {
    child: Child,
    pid: u32,
}

impl Helper {
    fn start(mut cmd: Command) -> Helper {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().expect("piped")).read_line(&mut line).expect("helper output");
        let pid = line
            .strip_prefix("ready ")
            .and_then(|p| p.split_whitespace().next()?.parse().ok())
            .unwrap_or_else(|| panic!("helper said {line:?}"));
        Helper { child, pid }
    }
}

impl Drop for Helper {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// Known sockets on loopback: a TCP listener shared by two processes (fork), three
/// established pairs with known bytes each way, one TIME_WAIT, an IPv6 listener, bound and
/// connected UDP sockets. Prints `ready PID`.
const KNOWN_SOCKETS: &str = r#"
import os, socket, sys, time
lst = socket.socket(); lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lst.bind(("127.0.0.1", 5001)); lst.listen(16)
l6 = socket.socket(socket.AF_INET6); l6.bind(("::1", 5002)); l6.listen(4)
if os.fork() == 0:
    sys.stdin.read(); os._exit(0)
def recv_n(s, n):
    got = 0
    while got < n: got += len(s.recv(65536))
keep = []
for i in range(1, 4):
    c = socket.create_connection(("127.0.0.1", 5001)); s, _ = lst.accept()
    c.sendall(b"x" * 1000 * i); recv_n(s, 1000 * i)
    s.sendall(b"y" * 500 * i); recv_n(c, 500 * i)
    keep += [c, s]
c = socket.create_connection(("127.0.0.1", 5001)); s, _ = lst.accept()
c.close(); s.recv(10); s.close()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 5003))
u2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u2.connect(("127.0.0.1", 5003))
u6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u6.bind(("::1", 5004))
time.sleep(0.3)
print("ready", os.getpid(), flush=True)
sys.stdin.read()
"#;

/// One socket as compared: (proto, local, remote, status).
type Key = (String, String, String, String);

fn addr_text(v: Option<&Value>) -> String {
    match v {
        Some(Value::Object(o)) => {
            let ip = o["ip"].as_str().unwrap();
            let port = o["port"].as_u64().unwrap();
            if ip.contains(':') { format!("[{ip}]:{port}") } else { format!("{ip}:{port}") }
        }
        Some(Value::String(s)) => s.clone(),
        _ => "*".to_string(),
    }
}

fn netmon_records(text: &str) -> Vec<Value> {
    text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}"))).collect()
}

fn netmon_key(r: &Value) -> Key {
    let proto = r["proto"].as_str().unwrap().trim_end_matches('6').to_string();
    (proto, addr_text(r.get("laddr")), addr_text(r.get("raddr")), r["status"].as_str().unwrap().to_string())
}

/// One socket of `ss -tuanpi`: its key, pids and tcp_info byte counters.
#[derive(Debug, Default)]
struct SsSocket {
    pids: BTreeSet<u64>,
    counters: BTreeMap<String, u64>,
}

/// Parses `ss -tuanpi` (`-i` puts tcp_info on the following indented line).
fn parse_ss(text: &str) -> BTreeMap<Key, SsSocket> {
    let mut out: BTreeMap<Key, SsSocket> = BTreeMap::new();
    let mut last: Option<Key> = None;
    for line in text.lines().skip(1) {
        if line.starts_with(char::is_whitespace) {
            let socket = out.get_mut(last.as_ref().expect("info after a socket line")).unwrap();
            for word in line.split_whitespace() {
                if let Some((k, v)) = word.split_once(':')
                    && let Ok(v) = v.parse()
                {
                    socket.counters.insert(k.to_string(), v);
                }
            }
            continue;
        }
        let w: Vec<&str> = line.split_whitespace().collect();
        let status = match (w[0], w[1]) {
            ("udp", _) => "NONE".to_string(),
            (_, "ESTAB") => "ESTABLISHED".to_string(),
            (_, state) => state.replace("FIN-WAIT-", "FIN_WAIT").replace('-', "_"),
        };
        let remote = if w[5].ends_with(":*") { "*".to_string() } else { w[5].to_string() };
        let key = (w[0].to_string(), w[4].to_string(), remote, status);
        let mut socket = SsSocket::default();
        for part in line.split("pid=").skip(1) {
            socket.pids.insert(part.split(',').next().unwrap().parse().unwrap());
        }
        assert!(out.insert(key.clone(), socket).is_none(), "duplicate ss socket {key:?}");
        last = Some(key);
    }
    out
}

/// psutil's view: key -> pid (None as null), from `net_connections(kind)`.
const PSUTIL_DUMP: &str = r#"
import json, socket, sys, psutil
for c in psutil.net_connections(kind=sys.argv[1]):
    fam = {socket.AF_INET: "AF_INET", socket.AF_INET6: "AF_INET6"}.get(c.family, str(c.family))
    typ = {socket.SOCK_STREAM: "SOCK_STREAM", socket.SOCK_DGRAM: "SOCK_DGRAM"}.get(c.type, str(c.type))
    print(json.dumps({"family": fam, "type": typ, "laddr": list(c.laddr), "raddr": list(c.raddr) if c.raddr else None,
                      "status": c.status, "pid": c.pid, "fd": c.fd}))
"#;

#[test]
fn connections_equal_ss_and_psutil() {
    let Some(ns) = Netns::new() else { return };
    let helper = Helper::start(ns.cmd(false, &[PYTHON, "-c", KNOWN_SOCKETS]));
    let ours_text = ns.run(&[NETMON, "connections", "--json"]);
    let ss_text = ns.run(&["ss", "-tuanpi"]);
    let ours = netmon_records(&ours_text);
    let ss = parse_ss(&ss_text);

    let ours_keys: BTreeSet<Key> = ours.iter().map(netmon_key).collect();
    let ss_keys: BTreeSet<Key> = ss.keys().cloned().collect();
    assert_eq!(ours_keys, ss_keys, "netmon and ss -tuanpi list different sockets:\n{ours_text}\n{ss_text}");
    // 2 listeners + 6 established + 1 TIME_WAIT + 3 UDP.
    assert_eq!(ours.len(), 12, "{ours_text}");

    for r in &ours {
        let key = netmon_key(r);
        let theirs = &ss[&key];
        let pids: BTreeSet<u64> = r.get("pids").map_or_else(BTreeSet::new, |p| {
            p.as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect()
        });
        assert_eq!(pids, theirs.pids, "pids of {key:?}");
        if key.3 == "TIME_WAIT" {
            assert_eq!(r["unseen"], "no_process", "{r}");
            assert!(r.get("pid").is_none());
        } else {
            assert_eq!(r["pid"].as_u64(), theirs.pids.first().copied(), "{key:?}");
            assert_eq!(r["name"], "python3", "{r}");
            assert_eq!(r["user"], "root");
        }
        if key.3 == "LISTEN" {
            assert_eq!(pids.len(), 2, "the listeners are shared with the forked child: {r}");
            assert!(pids.contains(&u64::from(helper.pid)));
        }
        if key.3 == "ESTABLISHED" {
            // Idle sockets: the counters of one refresh are exactly ss's.
            for (ours_key, ss_key) in [
                ("bytes_acked", "bytes_acked"),
                ("bytes_received", "bytes_received"),
                ("bytes_sent", "bytes_sent"),
            ] {
                let ours_value = r[ours_key].as_u64().unwrap();
                let ss_value = theirs.counters.get(ss_key).copied().unwrap_or(0);
                // ss counts the SYN and FIN in bytes_acked as the kernel reports it; so do we.
                assert_eq!(ours_value, ss_value, "{ours_key} of {key:?}");
            }
            let received = r["bytes_received"].as_u64().unwrap();
            assert!([1000, 2000, 3000, 500, 1000, 1500].contains(&received), "{r}");
            assert!(r["rtt_us"].as_u64().unwrap() > 0);
        }
    }

    // psutil (as root it sees every pid): the same sockets and statuses; its pid is one of
    // the holders (psutil keeps one of them for a shared socket), None where netmon has none.
    let ps_text = ns.run(&[PYTHON, "-c", PSUTIL_DUMP, "inet"]);
    let addr = |v: &Value| {
        let a = v.as_array().unwrap();
        let ip = a[0].as_str().unwrap();
        let port = a[1].as_u64().unwrap();
        if ip.contains(':') { format!("[{ip}]:{port}") } else { format!("{ip}:{port}") }
    };
    let ps: BTreeMap<(String, String, String, String), Option<u64>> = netmon_records(&ps_text)
        .iter()
        .map(|p| {
            let raddr = if p["raddr"].is_null() { "*".to_string() } else { addr(&p["raddr"]) };
            let key = (
                p["family"].as_str().unwrap().to_string(),
                addr(&p["laddr"]),
                raddr,
                p["status"].as_str().unwrap().to_string(),
            );
            (key, p["pid"].as_u64())
        })
        .collect();
    let mine: BTreeMap<(String, String, String, String), &Value> = ours
        .iter()
        .map(|r| {
            let (_, l, rr, st) = netmon_key(r);
            ((r["family"].as_str().unwrap().to_string(), l, rr, st), r)
        })
        .collect();
    assert_eq!(
        mine.keys().collect::<Vec<_>>(),
        ps.keys().collect::<Vec<_>>(),
        "netmon and psutil differ:\n{ours_text}\n{ps_text}"
    );
    for (key, r) in &mine {
        match ps[key] {
            Some(pid) => {
                assert!(r["pids"].as_array().unwrap().contains(&pid.into()), "psutil pid {pid} for {r}")
            }
            None => assert!(r.get("pid").is_none(), "psutil has no pid for {r}"),
        }
    }

    // Filters: kind, state (in the kernel), port, pid.
    let count = |args: &[&str]| {
        let mut argv = vec![NETMON, "connections", "--json"];
        argv.extend_from_slice(args);
        netmon_records(&ns.run(&argv)).len()
    };
    assert_eq!(count(&["--kind", "tcp", "--state", "established"]), 6);
    assert_eq!(count(&["--kind", "tcp6"]), 1);
    assert_eq!(count(&["--kind", "udp"]), 3);
    assert_eq!(count(&["--state", "time-wait"]), 1);
    assert_eq!(count(&["--state", "listen,none"]), 5);
    assert_eq!(count(&["--port", "5003"]), 2);
    assert_eq!(count(&["--pid", &helper.pid.to_string()]), 11);
    assert_eq!(count(&["--user", "nobody"]), 0);

    // --fields picks the keys, and the text table has them as columns.
    let picked = ns.run(&[NETMON, "connections", "--json", "--fields", "laddr,status", "--state", "listen"]);
    for r in netmon_records(&picked) {
        let keys: Vec<&String> = r.as_object().unwrap().keys().collect();
        // The picked keys, with the record's own: schema and its time (docs/json-schema.md).
        assert_eq!(keys, ["laddr", "schema", "status", "time", "time_nsec", "time_sec"], "{r}");
    }
    let table = ns.run(&[NETMON, "connections", "--fields", "proto,laddr,status,pid", "--state", "listen"]);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines[0].split_whitespace().collect::<Vec<_>>(), ["PROTO", "LOCAL", "STATUS", "PID"]);
    assert_eq!(lines.len(), 3, "{table}");
    drop(helper);
}

/// A TCP server (sink) and client as `nobody` in the namespace, and another user's (root's)
/// listener: as nobody, netmon shows nobody's own pids and root's sockets with uid and reason.
#[test]
fn as_nobody_other_users_sockets_have_uid_and_reason() {
    let Some(ns) = Netns::new() else { return };
    let root_listener = Helper::start(ns.cmd(false, &[PYTHON, "-c", &listener_script(5101)]));
    let mut nobody_cmd = ns.cmd(false, &NOBODY);
    nobody_cmd.args([PYTHON, "-c", &listener_script(5102)]);
    let nobody_listener = Helper::start(nobody_cmd);
    let mut argv: Vec<&str> = NOBODY.to_vec();
    argv.extend([NETMON, "connections", "--json", "--state", "listen"]);
    let text = ns.run(&argv);
    let records = netmon_records(&text);
    let by_port = |port: u64| {
        records.iter().find(|r| r["laddr"]["port"] == port).unwrap_or_else(|| panic!("no {port}:\n{text}"))
    };
    let root = by_port(5101);
    assert_eq!(root["uid"], 0);
    assert_eq!(root["user"], "root");
    assert_eq!(root["unseen"], "other_user", "{root}");
    assert!(root.get("pid").is_none(), "{root}");
    assert!(root["inode"].as_u64().unwrap() > 0);
    let own = by_port(5102);
    assert_eq!(own["uid"], 65534);
    assert_eq!(own["pid"].as_u64(), Some(u64::from(nobody_listener.pid)), "{own}");
    assert!(own.get("unseen").is_none());
    // As nobody, ss -tuanpi sees the same sockets and names the same (own) processes.
    let mut argv: Vec<&str> = NOBODY.to_vec();
    argv.extend([NETMON, "connections", "--json"]);
    let all_text = ns.run(&argv);
    let mut argv: Vec<&str> = NOBODY.to_vec();
    argv.extend(["ss", "-tuanpi"]);
    let ss = parse_ss(&ns.run(&argv));
    let ours: BTreeMap<Key, Option<u64>> =
        netmon_records(&all_text).iter().map(|r| (netmon_key(r), r["pid"].as_u64())).collect();
    assert_eq!(ours.keys().collect::<Vec<_>>(), ss.keys().collect::<Vec<_>>(), "{all_text}");
    for (key, pid) in &ours {
        assert_eq!(*pid, ss[key].pids.first().copied(), "{key:?}");
    }
    // The text table names the reason instead of a bare unknown.
    let mut argv: Vec<&str> = NOBODY.to_vec();
    argv.extend([NETMON, "connections", "--state", "listen", "--port", "5101"]);
    let table = ns.run(&argv);
    assert!(table.contains("[other user's process]") && table.contains("root"), "{table}");
    // With /proc mounted hidepid=2 (a fresh proc instance in a mount namespace of its own),
    // root's processes are invisible to nobody, and the reason says so.
    let script = format!(
        "mount -t proc -o hidepid=2 proc /proc && exec {} {NETMON} connections --json --state listen",
        NOBODY.join(" ")
    );
    let text = ns.run(&["unshare", "-m", "sh", "-c", &script]);
    let records = netmon_records(&text);
    let root = records.iter().find(|r| r["laddr"]["port"] == 5101).unwrap_or_else(|| panic!("{text}"));
    assert_eq!(root["unseen"], "hidepid", "{root}");
    assert_eq!(root["uid"], 0);
    let own = records.iter().find(|r| r["laddr"]["port"] == 5102).unwrap_or_else(|| panic!("{text}"));
    assert_eq!(own["pid"].as_u64(), Some(u64::from(nobody_listener.pid)), "{own}");
    drop((root_listener, nobody_listener));
}

/// Listens on 127.0.0.1:5201, then runs PYTHON in the network namespace of process HOST with
/// the listener inherited; that prints `ready PID`.
const MOVED_LISTENER: &str = r#"
import os, socket
s = socket.socket(); s.bind(("127.0.0.1", 5201)); s.listen(1); s.set_inheritable(True)
child = "import os, sys; print('ready', os.getpid(), flush=True); sys.stdin.read()"
os.execvp("nsenter", ["nsenter", "--net=/proc/HOST/ns/net", "PYTHON", "-c", child])
"#;

/// A listener made in the namespace whose process then moved to the test's (the host's) namespace
/// (`nsenter`, the descriptor inherited): netmon reads processes of other namespaces for a
/// socket without a holder here, and names it as ss does.
#[test]
fn socket_held_from_another_namespace_is_named() {
    let Some(ns) = Netns::new() else { return };
    let script = MOVED_LISTENER.replace("PYTHON", PYTHON).replace("HOST", &std::process::id().to_string());
    let moved = Helper::start(ns.cmd(false, &[PYTHON, "-c", &script]));
    let here = std::fs::read_link("/proc/self/ns/net").expect("our namespace");
    let theirs = std::fs::read_link(format!("/proc/{}/ns/net", moved.pid)).expect("the helper's namespace");
    assert_eq!(here, theirs, "the helper runs in the test's namespace");
    let text = ns.run(&[NETMON, "connections", "--json", "--port", "5201"]);
    let records = netmon_records(&text);
    assert_eq!(records.len(), 1, "{text}");
    assert_eq!(records[0]["pid"].as_u64(), Some(u64::from(moved.pid)), "{text}");
    let ss = parse_ss(&ns.run(&["ss", "-tuanpi"]));
    let key = netmon_key(&records[0]);
    assert_eq!(ss[&key].pids.iter().copied().collect::<Vec<_>>(), [u64::from(moved.pid)], "{key:?}");
    drop(moved);
}

fn listener_script(port: u16) -> String {
    format!(
        "import os, socket, sys\ns = socket.socket(); s.bind(('127.0.0.1', {port})); s.listen(1)\nprint('ready', os.getpid(), flush=True)\nsys.stdin.read()\n"
    )
}

/// `ip -s -j link` counters of `dev` in psutil's names.
fn ip_link_counters(ns: &Netns, dev: &str) -> BTreeMap<String, u64> {
    let text = ns.run(&["ip", "-s", "-j", "link", "show", "dev", dev]);
    let v: Value = serde_json::from_str(&text).unwrap();
    let stats = &v[0]["stats64"];
    let (rx, tx) = (&stats["rx"], &stats["tx"]);
    let n = |v: &Value| v.as_u64().unwrap();
    BTreeMap::from([
        ("bytes_recv".to_string(), n(&rx["bytes"])),
        ("packets_recv".to_string(), n(&rx["packets"])),
        ("errin".to_string(), n(&rx["errors"])),
        ("dropin".to_string(), n(&rx["dropped"]) + rx.get("missed").map_or(0, n)),
        ("bytes_sent".to_string(), n(&tx["bytes"])),
        ("packets_sent".to_string(), n(&tx["packets"])),
        ("errout".to_string(), n(&tx["errors"])),
        ("dropout".to_string(), n(&tx["dropped"])),
    ])
}

fn netmon_counters(ns: &Netns, dev: &str) -> BTreeMap<String, u64> {
    let text = ns.run(&[NETMON, "interfaces", "--json", "-i", dev]);
    let records = netmon_records(&text);
    assert_eq!(records.len(), 1, "{text}");
    records[0].as_object().unwrap().iter().filter_map(|(k, v)| v.as_u64().map(|n| (k.clone(), n))).collect()
}

/// Sends `bytes` over TCP from the namespace to its peer (sink: socat in the peer).
fn transfer(ns: &Netns, bytes: usize) {
    let sink = ns
        .cmd(true, &["socat", "-u", "TCP-LISTEN:5201,reuseaddr", "OPEN:/dev/null"])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut sink = KillOnDrop(sink);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let mut send = ns.cmd(false, &["socat", "-u", "STDIN", "TCP:10.77.0.2:5201"]);
        let mut child = send.stdin(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
        let data = vec![0x5au8; bytes];
        let _ = child.stdin.take().unwrap().write_all(&data);
        if child.wait().unwrap().success() {
            break;
        }
        assert!(Instant::now() < deadline, "socat could not connect to the sink");
        sleep(Duration::from_millis(50));
    }
    let _ = sink.0.wait();
}

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn interface_counters_equal_ip_link_before_and_after_a_transfer() {
    let Some(ns) = Netns::new() else { return };
    let ns = ns.with_peer(1500);
    for dev in ["lo", "a0"] {
        assert_eq!(netmon_counters(&ns, dev), ip_link_counters(&ns, dev), "{dev} before");
    }
    let before = netmon_counters(&ns, "a0");
    transfer(&ns, 3_000_000);
    // The peer's last ACKs may still be arriving: wait until the counters settle.
    sleep(Duration::from_millis(300));
    let after = netmon_counters(&ns, "a0");
    assert_eq!(after, ip_link_counters(&ns, "a0"), "a0 after");
    let sent = after["bytes_sent"] - before["bytes_sent"];
    assert!((3_000_000..3_300_000).contains(&sent), "a0 sent {sent} bytes for a 3,000,000-byte transfer");
    let text = ns.run(&[NETMON, "interfaces"]);
    assert!(text.starts_with("NAME") && text.contains("a0") && text.contains("MiB"), "{text}");
}

#[test]
fn every_second_shows_a_known_transfer_within_two_percent() {
    let Some(ns) = Netns::new() else { return };
    let ns = ns.with_peer(1500);
    let monitor = ns
        .cmd(false, &[NETMON, "interfaces", "--every", "1s", "-c", "4", "--json", "-i", "a0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    sleep(Duration::from_millis(1300));
    // 20,000 UDP datagrams of 1,400 bytes: each leaves a0 as 1,442 bytes (Ethernet 14, IPv4
    // 20, UDP 8), a known size on the wire, whatever the receiver does.
    let (count, payload) = (20_000u64, 1400u64);
    let send = format!(
        "import socket\nu = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\nfor _ in range({count}): u.sendto(b'x' * {payload}, ('10.77.0.2', 5500))\n"
    );
    ns.run(&[PYTHON, "-c", &send]);
    let size = count * (payload + 42);
    let out = monitor.wait_with_output().unwrap();
    assert!(out.status.success());
    let lines = netmon_records(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(lines.len(), 4);
    let total: u64 = lines.iter().map(|l| l["delta"]["bytes_sent"].as_u64().unwrap()).sum();
    let error = (total as f64 - size as f64).abs() / size as f64;
    assert!(
        error < 0.02,
        "intervals summed to {total} bytes sent for {size} bytes sent ({:.2}%)",
        error * 100.0
    );
    let packets: u64 = lines.iter().map(|l| l["delta"]["packets_sent"].as_u64().unwrap()).sum();
    assert!((count..count + 20).contains(&packets), "{packets} packets for {count} datagrams");
    for l in &lines {
        // A loaded machine may stretch an interval; the rate is over the measured one.
        let seconds = l["seconds"].as_f64().unwrap();
        assert!((0.5..1.5).contains(&seconds), "{l}");
        let rate = l["rate"]["bytes_sent"].as_f64().unwrap();
        let delta = l["delta"]["bytes_sent"].as_f64().unwrap();
        assert!((rate * seconds - delta).abs() <= 1.0 + delta * 1e-6, "{l}");
    }
}

/// Sends to 127.0.0.1:PORT at RATE bytes per second (paced every 10 ms) until stdin closes.
const PACED_SENDER: &str = r#"
import os, socket, sys, threading, time
port, rate = int(sys.argv[1]), int(sys.argv[2])
lst = socket.socket(); lst.bind(("127.0.0.1", port)); lst.listen(1)
def sink():
    s, _ = lst.accept()
    while s.recv(1 << 20): pass
threading.Thread(target=sink, daemon=True).start()
c = socket.create_connection(("127.0.0.1", port))
def pace():
    chunk, start, sent = b"z" * 65536, time.monotonic(), 0
    while True:
        due = int((time.monotonic() - start) * rate) - sent
        while due > 0:
            n = min(due, len(chunk)); c.sendall(chunk[:n]); sent += n; due -= n
        time.sleep(0.01)
threading.Thread(target=pace, daemon=True).start()
print("ready", os.getpid(), flush=True)
sys.stdin.read()
"#;

#[test]
fn top_rates_per_connection_and_process_within_five_percent_as_nobody() {
    let Some(ns) = Netns::new() else { return };
    let rate = 2_000_000u64;
    let mut cmd = ns.cmd(false, &NOBODY);
    cmd.args([PYTHON, "-c", PACED_SENDER, "5301", &rate.to_string()]);
    let sender = Helper::start(cmd);
    sleep(Duration::from_millis(500));
    let mut argv: Vec<&str> = NOBODY.to_vec();
    argv.extend([NETMON, "top", "--every", "1s", "-c", "6"]);
    let text = ns.run(&argv);
    let snaps = netmon_records(&text);
    assert_eq!(snaps.len(), 6);
    let mut per_conn = Vec::new();
    let mut per_proc = Vec::new();
    for s in &snaps[1..] {
        assert_eq!(s["schema"], "pktkit.netmon.top/1");
        assert_eq!(s["mode"], "tcp_info");
        // A loaded machine may delay a refresh; the rate is over the measured interval.
        let seconds = s["seconds"].as_f64().unwrap();
        assert!((0.5..1.5).contains(&seconds), "{s}");
        let conn = entry(s, "connections", |c| c["raddr"]["port"] == 5301);
        assert_eq!(conn["pid"].as_u64(), Some(u64::from(sender.pid)));
        assert_eq!(conn["user"], "nobody");
        per_conn.push(conn["bytes_sent_per_s"].as_f64().unwrap());
        let proc = entry(s, "processes", |p| p["pid"].as_u64() == Some(u64::from(sender.pid)));
        // The process holds both ends: it sends and receives at the rate.
        per_proc
            .push((proc["bytes_sent_per_s"].as_f64().unwrap(), proc["bytes_recv_per_s"].as_f64().unwrap()));
    }
    per_conn.sort_by(f64::total_cmp);
    per_proc.sort_by(|a, b| a.0.total_cmp(&b.0));
    let median_conn = per_conn[per_conn.len() / 2];
    let (median_sent, median_recv) = per_proc[per_proc.len() / 2];
    for (what, measured) in
        [("connection sent", median_conn), ("process sent", median_sent), ("process received", median_recv)]
    {
        let error = (measured - rate as f64).abs() / rate as f64;
        assert!(
            error < 0.05,
            "{what}: {measured:.0} B/s for {rate} B/s ({:.1}%); all: {per_conn:?} {per_proc:?}",
            error * 100.0
        );
    }
    drop(sender);
}

/// The first element of snapshot `s`'s list `key` that `matches`; panics naming the snapshot.
fn entry<'a>(s: &'a Value, key: &str, matches: impl Fn(&Value) -> bool) -> &'a Value {
    s[key]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| matches(v))
        .unwrap_or_else(|| panic!("no such {key} entry in {s}"))
}

/// Sends 1000-byte UDP datagrams to ADDR:PORT at RATE payload bytes per second (paced every
/// 10 ms) until stdin closes; prints `ready PID PORT`.
const PACED_UDP: &str = r#"
import os, socket, sys, threading, time
addr, port, rate = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.connect((addr, port))
def pace():
    data, start, sent = b"u" * 1000, time.monotonic(), 0
    while True:
        while sent + 1000 <= (time.monotonic() - start) * rate:
            u.send(data); sent += 1000
        time.sleep(0.01)
threading.Thread(target=pace, daemon=True).start()
print("ready", os.getpid(), u.getsockname()[1], flush=True)
sys.stdin.read()
"#;

#[test]
fn top_as_root_captures_udp_and_per_host_rates() {
    let Some(ns) = Netns::new() else { return };
    let ns = ns.with_peer(1500);
    let sink = ns
        .cmd(true, &["socat", "-u", "UDP-RECV:5400", "OPEN:/dev/null"])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let _sink = KillOnDrop(sink);
    let rate = 1_000_000u64;
    let mut cmd = ns.cmd(false, &[PYTHON, "-c", PACED_UDP, "10.77.0.2", "5400", &rate.to_string()]);
    cmd.stdout(Stdio::piped());
    let sender = Helper::start(cmd);
    sleep(Duration::from_millis(300));
    let text = ns.run(&[NETMON, "top", "--every", "1s", "-c", "5"]);
    let snaps = netmon_records(&text);
    // IP bytes: each 1000-byte payload travels with 20 bytes of IPv4 and 8 of UDP header.
    let wire_rate = rate as f64 * 1028.0 / 1000.0;
    let mut host_rates = Vec::new();
    let mut udp_rates = Vec::new();
    let mut proc_rates = Vec::new();
    for s in &snaps[1..] {
        assert_eq!(s["mode"], "tcp_info+capture", "{s}");
        let host = entry(s, "hosts", |h| h["addr"] == "10.77.0.2");
        host_rates.push(host["bytes_sent_per_s"].as_f64().unwrap());
        let udp = entry(s, "connections", |c| c["proto"] == "udp");
        assert_eq!(udp["pid"].as_u64(), Some(u64::from(sender.pid)), "{udp}");
        udp_rates.push(udp["bytes_sent_per_s"].as_f64().unwrap());
        let proc = entry(s, "processes", |p| p["pid"].as_u64() == Some(u64::from(sender.pid)));
        proc_rates.push(proc["bytes_sent_per_s"].as_f64().unwrap());
    }
    for (what, mut v) in [("host", host_rates), ("udp socket", udp_rates), ("process", proc_rates)] {
        v.sort_by(f64::total_cmp);
        let median = v[v.len() / 2];
        let error = (median - wire_rate).abs() / wire_rate;
        assert!(
            error < 0.05,
            "{what}: {median:.0} B/s for {wire_rate:.0} B/s ({:.1}%): {v:?}",
            error * 100.0
        );
    }
    let plain = netmon_records(&ns.run(&[NETMON, "top", "--every", "200ms", "-c", "1", "--no-capture"]));
    assert_eq!(plain[0]["mode"], "tcp_info");
    assert!(plain[0].get("hosts").is_none());
    drop(sender);
}

#[test]
fn terminal_view_under_tmux_shows_the_table_and_refreshes() {
    let Some(ns) = Netns::new() else { return };
    if Command::new("tmux").arg("-V").output().is_err() {
        notice("SKIP terminal_view_under_tmux: no tmux (scripts/deps --test installs it)");
        return;
    }
    let socket = format!("netmon-test-{}", ns.name);
    let tmux = |args: &[&str]| {
        let out = Command::new("tmux").arg("-L").arg(&socket).args(args).output().unwrap();
        (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let command = format!("ip netns exec {} {NETMON} top --every 300ms", ns.name);
    let (ok, _) = tmux(&["new-session", "-d", "-s", "top", "-x", "150", "-y", "40", &command]);
    assert!(ok, "tmux new-session failed");
    let refresh_of = |screen: &str| -> Option<u64> {
        let rest = screen.split("refresh ").nth(1)?;
        rest.split_whitespace().next()?.parse().ok()
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut first = None;
    let mut screen = String::new();
    while Instant::now() < deadline {
        screen = tmux(&["capture-pane", "-p", "-t", "top"]).1;
        if let Some(n) = refresh_of(&screen) {
            match first {
                None => first = Some(n),
                Some(f) if n > f => break,
                _ => {}
            }
        }
        sleep(Duration::from_millis(200));
    }
    let _ = tmux(&["send-keys", "-t", "top", "q"]);
    sleep(Duration::from_millis(500));
    let still_running = tmux(&["has-session", "-t", "top"]).0;
    let _ = tmux(&["kill-server"]);
    for header in ["netmon top", "INTERFACE", "RECV/s", "PROCESS", "LOCAL", "REMOTE", "mode: tcp_info", "lo"]
    {
        assert!(screen.contains(header), "no {header:?} on the screen:\n{screen}");
    }
    let last = refresh_of(&screen);
    assert!(first.is_some() && last > first, "the view did not refresh ({first:?} -> {last:?}):\n{screen}");
    assert!(!still_running, "q did not quit netmon top");
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    for args in [
        &["connections", "--kind", "sctp"][..],
        &["connections", "--state", "sleeping"],
        &["connections", "--state", "established,"],
        &["connections", "--fields", "laddr,nope"],
        &["connections", "--port", "70000"],
        &["connections", "--user", "no-such-user-here"],
        &["connections", "--bogus"],
        &["interfaces", "--every", "soon"],
        &["interfaces", "--every", "0s"],
        &["interfaces", "--every", "1ms"],
        &["interfaces", "-c", "3"],
        &["top", "--every", "-1"],
        &["top", "-c", "0"],
        &["frobnicate"],
    ] {
        let out = Command::new(NETMON).args(args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        // One line; a command-line error adds the `try 'netmon --help'` hint.
        assert!(err.lines().count() <= 2, "{args:?}: {err}");
        assert!(err.lines().skip(1).all(|l| l == "try 'netmon --help'"), "{args:?}: {err}");
        assert!(err.starts_with("netmon: "), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    let out = Command::new(NETMON).args(["interfaces", "-i", "no-such-if0"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .starts_with("netmon: no-such-if0: no such interface; available: ")
    );
    let help = Command::new(NETMON).args(["connections", "--help"]).output().unwrap();
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).contains("--kind"));
}
