//! Tests of the namespace lab itself (scripts/netlab, tests/support/lab.rs): routing, TTLs,
//! traceroute through both routers, the server's open/closed/filtered ports, ICMP rate limits
//! off, isolation between labs and complete teardown. Run as root; otherwise each test prints a
//! skip notice.

mod support;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use support::lab::{Host, Lab, is_root, netlab, parse_info, require_root, unique_name};

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn counter(map: &HashMap<String, u64>, key: &str) -> u64 {
    *map.get(key).unwrap_or_else(|| panic!("no counter {key}"))
}

/// Pings `dst` from `host` three times and returns the TTL of every reply.
fn ping_ttls(lab: &Lab, host: Host, dst: &str) -> Vec<u32> {
    let v6 = dst.contains(':');
    let mut cmd = vec!["ping", "-n", "-c", "3", "-i", "0.05", "-W", "2"];
    if v6 {
        cmd.push("-6");
    }
    cmd.push(dst);
    let out = lab.exec_ok(host, &cmd);
    assert!(out.contains("3 packets transmitted, 3 received"), "ping {dst}:\n{out}");
    out.lines()
        .filter(|l| l.contains(" bytes from "))
        .map(|l| {
            let ttl = l.split_whitespace().find_map(|w| w.strip_prefix("ttl=")).expect("ttl=");
            ttl.parse().expect("numeric ttl")
        })
        .collect()
}

#[test]
fn ping_v4_crosses_two_routers_both_ways() {
    let Some(lab) = Lab::up() else { return };
    assert_eq!(ping_ttls(&lab, Host::Client, lab.get("SERVER_V4")), [62, 62, 62]);
    assert_eq!(ping_ttls(&lab, Host::Server, lab.get("CLIENT_V4")), [62, 62, 62]);
    // One router away: r2's far side from the client, r1's far side from the server.
    assert_eq!(ping_ttls(&lab, Host::Client, lab.get("R2_ETH1_V4")), [63, 63, 63]);
    assert_eq!(ping_ttls(&lab, Host::Server, lab.get("R1_ETH0_V4")), [63, 63, 63]);
    assert_eq!(ping_ttls(&lab, Host::Client, lab.get("HOP1_V4")), [64, 64, 64]);
}

#[test]
fn ping_v6_crosses_two_routers_both_ways() {
    let Some(lab) = Lab::up() else { return };
    assert_eq!(ping_ttls(&lab, Host::Client, lab.get("SERVER_V6")), [62, 62, 62]);
    assert_eq!(ping_ttls(&lab, Host::Server, lab.get("CLIENT_V6")), [62, 62, 62]);
    assert_eq!(ping_ttls(&lab, Host::Client, lab.get("R2_ETH1_V6")), [63, 63, 63]);
    assert_eq!(ping_ttls(&lab, Host::Server, lab.get("R1_ETH0_V6")), [63, 63, 63]);
    assert_eq!(ping_ttls(&lab, Host::Client, lab.get("HOP1_V6")), [64, 64, 64]);
}

/// Runs traceroute from the client and returns each hop's addresses (one per probe).
fn traceroute_hops(lab: &Lab, args: &[&str]) -> Vec<Vec<String>> {
    let mut cmd = vec!["traceroute", "-n", "-q", "2", "-w", "2", "-m", "8"];
    cmd.extend_from_slice(args);
    let out = lab.exec_ok(Host::Client, &cmd);
    out.lines()
        .skip(1)
        .map(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            assert!(!l.contains('*') && !l.contains('!'), "{cmd:?}: lost or unreachable probe:\n{out}");
            words
                .iter()
                .skip(1)
                .filter(|w| w.parse::<std::net::IpAddr>().is_ok())
                .map(|w| w.to_string())
                .collect()
        })
        .collect()
}

fn assert_route(lab: &Lab, fam: &str, args: &[&str]) {
    let hops = traceroute_hops(lab, args);
    let want =
        [lab.get(&format!("HOP1_{fam}")), lab.get(&format!("HOP2_{fam}")), lab.get(&format!("SERVER_{fam}"))];
    assert_eq!(hops.len(), 3, "{args:?}: {hops:?}");
    for (hop, want) in hops.iter().zip(want) {
        assert_eq!(hop, &[want.to_string()], "{args:?}: {hops:?}");
    }
}

#[test]
fn traceroute_v4_sees_r1_then_r2_then_server() {
    let Some(lab) = Lab::up() else { return };
    let dst = lab.get("SERVER_V4");
    assert_route(&lab, "V4", &[dst]); // UDP probes: the last hop answers port unreachable
    assert_route(&lab, "V4", &["-I", dst]); // ICMP echo
    assert_route(&lab, "V4", &["-T", "-p", "80", dst]); // TCP SYN to an open port
}

#[test]
fn traceroute_v6_sees_r1_then_r2_then_server() {
    let Some(lab) = Lab::up() else { return };
    let dst = lab.get("SERVER_V6");
    assert_route(&lab, "V6", &["-6", dst]);
    assert_route(&lab, "V6", &["-6", "-I", dst]);
    assert_route(&lab, "V6", &["-6", "-T", "-p", "80", dst]);
}

/// socat address of `proto` (`TCP` or `UDP`) to `addr:port`.
fn socat_addr(proto: &str, addr: &str, port: u16) -> String {
    if addr.contains(':') { format!("{proto}6:[{addr}]:{port}") } else { format!("{proto}4:{addr}:{port}") }
}

/// A closure for [`parallel`].
type Job<'a, T> = Box<dyn FnOnce() -> T + Send + 'a>;

/// Runs many closures at once and returns their results in order.
fn parallel<T: Send>(jobs: Vec<Job<'_, T>>) -> Vec<T> {
    thread::scope(|s| {
        let handles: Vec<_> = jobs.into_iter().map(|j| s.spawn(j)).collect();
        handles.into_iter().map(|h| h.join().expect("job panicked")).collect()
    })
}

fn server_addrs(lab: &Lab) -> [String; 2] {
    [lab.get("SERVER_V4").to_string(), lab.get("SERVER_V6").to_string()]
}

#[test]
fn tcp_open_ports_accept_and_echo() {
    let Some(lab) = Lab::up() else { return };
    for addr in server_addrs(&lab) {
        for port in lab.ports("TCP_OPEN") {
            let msg = format!("hello {addr} {port}\n");
            let target = format!("{},connect-timeout=2", socat_addr("TCP", &addr, port));
            let out = lab.exec_stdin(Host::Client, &["socat", "-T", "2", "-", &target], msg.as_bytes());
            assert!(out.status.success(), "{target}: {}", text(&out));
            assert_eq!(stdout(&out), msg, "{target}");
        }
    }
}

#[test]
fn tcp_closed_ports_refuse_with_rst() {
    let Some(lab) = Lab::up() else { return };
    let before = lab.snmp(Host::Server);
    let mut probes = 0;
    for addr in server_addrs(&lab) {
        for port in lab.ports("TCP_CLOSED") {
            let target = format!("{},connect-timeout=2", socat_addr("TCP", &addr, port));
            let start = Instant::now();
            let out = lab.exec(Host::Client, &["socat", "-T", "2", "-", &target]);
            assert!(!out.status.success(), "{target}: connected");
            assert!(stderr(&out).contains("Connection refused"), "{target}: {}", text(&out));
            assert!(start.elapsed() < Duration::from_secs(1), "{target}: refused too slowly");
            probes += 1;
        }
    }
    let after = lab.snmp(Host::Server);
    // Each refused SYN is answered by exactly one RST from the server's kernel.
    assert_eq!(counter(&after, "Tcp:OutRsts") - counter(&before, "Tcp:OutRsts"), probes);
}

/// The packet count of the server's nftables rule with comment `comment`.
fn nft_drops(lab: &Lab, comment: &str) -> u64 {
    let rules = lab.exec_ok(Host::Server, &["nft", "list", "chain", "inet", "netlab", "input"]);
    let line = rules
        .lines()
        .find(|l| l.contains(&format!("comment \"{comment}\"")))
        .unwrap_or_else(|| panic!("no rule {comment}:\n{rules}"));
    let words: Vec<&str> = line.split_whitespace().collect();
    let at = words.iter().position(|w| *w == "packets").expect("counter packets N");
    words[at + 1].parse().expect("numeric counter")
}

#[test]
fn tcp_filtered_ports_time_out() {
    let Some(lab) = Lab::up() else { return };
    let before = lab.snmp(Host::Server);
    let dropped_before = nft_drops(&lab, "filtered TCP");
    let mut jobs: Vec<Job<'_, (String, Output, Duration)>> = Vec::new();
    for addr in server_addrs(&lab) {
        for port in lab.ports("TCP_FILTERED") {
            let (lab, addr) = (&lab, addr.clone());
            jobs.push(Box::new(move || {
                let target = format!("{},connect-timeout=1", socat_addr("TCP", &addr, port));
                let start = Instant::now();
                let out = lab.exec(Host::Client, &["socat", "-T", "2", "-", &target]);
                (target, out, start.elapsed())
            }));
        }
    }
    let n = jobs.len() as u64;
    for (target, out, took) in parallel(jobs) {
        assert!(!out.status.success(), "{target}: connected");
        assert!(stderr(&out).contains("timed out"), "{target}: {}", text(&out));
        assert!(took >= Duration::from_millis(900), "{target}: gave up after {took:?}");
    }
    let after = lab.snmp(Host::Server);
    assert_eq!(counter(&after, "Tcp:OutRsts"), counter(&before, "Tcp:OutRsts"), "filtered port sent RST");
    assert!(nft_drops(&lab, "filtered TCP") - dropped_before >= n, "nftables dropped fewer than {n} SYNs");
}

#[test]
fn udp_open_port_echoes() {
    let Some(lab) = Lab::up() else { return };
    for addr in server_addrs(&lab) {
        for port in lab.ports("UDP_OPEN") {
            let msg = format!("datagram {addr} {port}\n");
            let target = socat_addr("UDP", &addr, port);
            let out = lab.exec_stdin(Host::Client, &["socat", "-T", "2", "-", &target], msg.as_bytes());
            assert!(out.status.success(), "{target}: {}", text(&out));
            assert_eq!(stdout(&out), msg, "{target}");
        }
    }
}

#[test]
fn udp_closed_port_answers_port_unreachable() {
    let Some(lab) = Lab::up() else { return };
    let (server0, client0) = (lab.snmp(Host::Server), lab.snmp(Host::Client));
    let ports = lab.ports("UDP_CLOSED");
    for addr in server_addrs(&lab) {
        for &port in &ports {
            let target = socat_addr("UDP", &addr, port);
            // A connected UDP socket reports the ICMP port unreachable as ECONNREFUSED.
            let out = lab.exec_stdin(Host::Client, &["socat", "-T", "2", "-", &target], b"x\n");
            assert!(!out.status.success(), "{target}: {}", text(&out));
            assert!(stderr(&out).contains("Connection refused"), "{target}: {}", text(&out));
        }
    }
    let (server1, client1) = (lab.snmp(Host::Server), lab.snmp(Host::Client));
    let n = ports.len() as u64;
    let delta = |a: &HashMap<String, u64>, b: &HashMap<String, u64>, k: &str| counter(b, k) - counter(a, k);
    assert_eq!(delta(&server0, &server1, "Icmp:OutDestUnreachs"), n);
    assert_eq!(delta(&client0, &client1, "Icmp:InDestUnreachs"), n);
    assert_eq!(delta(&server0, &server1, "Icmp6OutDestUnreachs"), n);
    assert_eq!(delta(&client0, &client1, "Icmp6InDestUnreachs"), n);
}

#[test]
fn udp_filtered_port_is_silent() {
    let Some(lab) = Lab::up() else { return };
    let before = lab.snmp(Host::Server);
    let dropped_before = nft_drops(&lab, "filtered UDP");
    let ports = lab.ports("UDP_FILTERED");
    let mut jobs: Vec<Job<'_, (String, Output)>> = Vec::new();
    for addr in server_addrs(&lab) {
        for &port in &ports {
            let (lab, target) = (&lab, socat_addr("UDP", &addr, port));
            jobs.push(Box::new(move || {
                let cmd = ["socat", "-T", "1", "-t", "1", "-", &target];
                let out = lab.exec_stdin(Host::Client, &cmd, b"x\n");
                (target, out)
            }));
        }
    }
    for (target, out) in parallel(jobs) {
        assert!(out.status.success(), "{target}: {}", text(&out));
        assert_eq!(stdout(&out), "", "{target}: answered");
    }
    let after = lab.snmp(Host::Server);
    for key in ["Icmp:OutDestUnreachs", "Icmp6OutDestUnreachs"] {
        assert_eq!(counter(&after, key), counter(&before, key), "{key}");
    }
    assert_eq!(nft_drops(&lab, "filtered UDP") - dropped_before, 2 * ports.len() as u64);
}

/// Sends 200 echo requests with TTL 1 from the client as fast as ping can; returns how many
/// time-exceeded answers ping reported and how many r1's kernel counted as sent.
fn ttl1_burst(lab: &Lab, v6: bool) -> (u64, u64) {
    let (dst, key) = if v6 { ("SERVER_V6", "Icmp6OutTimeExcds") } else { ("SERVER_V4", "Icmp:OutTimeExcds") };
    let before = counter(&lab.snmp(Host::R1), key);
    let mut cmd = vec!["ping", "-n", "-q", "-c", "200", "-i", "0", "-t", "1", "-W", "0.5"];
    if v6 {
        cmd[6] = "0.002"; // ping -6 does not go faster with -i 0
        cmd.push("-6");
    }
    cmd.push(lab.get(dst));
    let out = lab.exec(Host::Client, &cmd);
    let summary = stdout(&out);
    let errors = summary
        .split(", ")
        .find_map(|w| w.strip_prefix('+').and_then(|w| w.strip_suffix(" errors")))
        .map_or(0, |n| n.parse().expect("numeric error count"));
    let sent = counter(&lab.snmp(Host::R1), key) - before;
    (errors, sent)
}

#[test]
fn icmp_rate_limits_are_off() {
    let Some(lab) = Lab::up() else { return };
    assert_eq!(ttl1_burst(&lab, false), (200, 200), "IPv4 time exceeded (answered, sent by r1)");
    assert_eq!(ttl1_burst(&lab, true), (200, 200), "IPv6 time exceeded (answered, sent by r1)");
    // traceroute's own burst: 32 probes at once, 10 a hop, none lost.
    for fam in [&["-4"][..], &["-6"][..]] {
        let dst = lab.get(if fam[0] == "-4" { "SERVER_V4" } else { "SERVER_V6" });
        let mut cmd = vec!["traceroute", "-n", "-q", "10", "-N", "32", "-w", "2"];
        cmd.extend_from_slice(fam);
        cmd.push(dst);
        let out = lab.exec_ok(Host::Client, &cmd);
        assert!(!out.contains('*'), "{cmd:?}:\n{out}");
        assert_eq!(out.lines().count(), 4, "{cmd:?}:\n{out}");
    }
}

/// Control for `icmp_rate_limits_are_off`: with the kernel's default limits back on r1, the same
/// burst loses answers, so that test can tell limits on from off.
#[test]
fn icmp_rate_limit_control_kernel_defaults_drop_answers() {
    let Some(lab) = Lab::up() else { return };
    lab.exec_ok(
        Host::R1,
        &[
            "sh",
            "-c",
            "echo 1000 > /proc/sys/net/ipv4/icmp_ratelimit; echo 6168 > /proc/sys/net/ipv4/icmp_ratemask; \
             echo 100 > /proc/sys/net/ipv6/icmp/ratelimit; echo 0-1,3-127 > /proc/sys/net/ipv6/icmp/ratemask",
        ],
    );
    let (v4, _) = ttl1_burst(&lab, false);
    let (v6, _) = ttl1_burst(&lab, true);
    assert!(v4 < 100, "IPv4: {v4} of 200 answered with default limits");
    assert!(v6 < 100, "IPv6: {v6} of 200 answered with default limits");
}

fn sysctl(lab: &Lab, host: Host, key: &str) -> String {
    lab.exec_ok(host, &["cat", &format!("/proc/sys/net/{key}")]).trim().to_string()
}

#[test]
fn namespaces_are_configured_as_documented() {
    let Some(lab) = Lab::up() else { return };
    for host in Host::ALL {
        let router = matches!(host, Host::R1 | Host::R2);
        let fwd = if router { "1" } else { "0" };
        assert_eq!(sysctl(&lab, host, "ipv4/ip_forward"), fwd, "{host:?}");
        assert_eq!(sysctl(&lab, host, "ipv6/conf/all/forwarding"), fwd, "{host:?}");
        assert_eq!(sysctl(&lab, host, "ipv4/icmp_ratelimit"), "0", "{host:?}");
        assert_eq!(sysctl(&lab, host, "ipv4/icmp_ratemask"), "0", "{host:?}");
        assert_eq!(sysctl(&lab, host, "ipv6/icmp/ratelimit"), "0", "{host:?}");
        assert_eq!(sysctl(&lab, host, "ipv6/icmp/ratemask"), "", "{host:?}");
        assert_eq!(sysctl(&lab, host, "ipv6/conf/all/accept_dad"), "0", "{host:?}");
        let addrs = lab.exec_ok(host, &["ip", "-o", "addr", "show"]);
        assert!(!addrs.contains("tentative"), "{host:?}: {addrs}");
        let ifaces: Vec<&str> = if router { vec!["eth0", "eth1"] } else { vec!["eth0"] };
        for ifc in ifaces {
            let key = format!("{}_{}", host.name().to_uppercase(), ifc.to_uppercase());
            let shown = lab.exec_ok(host, &["ip", "-o", "addr", "show", "dev", ifc]);
            for fam in ["V4", "V6"] {
                let a = lab.get(&format!("{key}_{fam}"));
                assert!(shown.contains(&format!(" {a}/")), "{key}: no {a} in {shown}");
            }
            let link = lab.exec_ok(host, &["ip", "-o", "link", "show", "dev", ifc]);
            assert!(link.contains(lab.get(&format!("{key}_MAC"))), "{key}: {link}");
            if host == Host::Host2 {
                // A macvlan keeps its offloads (the kernel refuses to turn them off); its
                // packets are checksummed when they leave through the server's veth.
                continue;
            }
            let offload = lab.exec_ok(host, &["ethtool", "-k", ifc]);
            for feature in
                ["tx-checksumming: off", "tcp-segmentation-offload: off", "generic-segmentation-offload: off"]
            {
                assert!(offload.contains(feature), "{key}: {feature} not set");
            }
        }
    }
}

fn netlab_list() -> Vec<String> {
    let out = netlab(&["list"]).output().expect("netlab list");
    assert!(out.status.success(), "{}", text(&out));
    stdout(&out).lines().map(str::to_string).collect()
}

fn netns_list() -> HashSet<String> {
    let out = Command::new("ip").args(["netns", "list"]).output().expect("ip netns list");
    stdout(&out).lines().filter_map(|l| l.split_whitespace().next()).map(str::to_string).collect()
}

/// Pids of the processes in `ns` (`ip netns pids`); empty when the namespace is gone.
fn ns_pids(ns: &str) -> Vec<u32> {
    let out = Command::new("ip").args(["netns", "pids", ns]).output().expect("ip netns pids");
    stdout(&out).lines().filter_map(|l| l.trim().parse().ok()).collect()
}

/// Waits until `pid` (started by `ip netns exec`) has entered namespace `ns`.
fn wait_in_ns(ns: &str, pid: u32) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !ns_pids(ns).contains(&pid) {
        assert!(Instant::now() < deadline, "process {pid} never entered {ns}");
        thread::sleep(Duration::from_millis(5));
    }
}

/// True when `pid` exists and is not a zombie.
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| s.rsplit_once(") ").map(|(_, rest)| !rest.starts_with(['Z', 'X'])))
        .unwrap_or(false)
}

fn lab_namespaces(name: &str) -> Vec<String> {
    Host::ALL.iter().map(|h| format!("nl-{name}-{}", h.name())).collect()
}

/// Asserts that nothing of lab `name` is left: namespaces, state, listed labs, `pids`.
fn assert_gone(name: &str, pids: &[u32]) {
    let all = netns_list();
    for ns in lab_namespaces(name) {
        assert!(!all.contains(&ns), "namespace {ns} left behind");
    }
    assert!(!Path::new("/run/netlab").join(name).exists(), "state of {name} left behind");
    assert!(!netlab_list().contains(&name.to_string()), "netlab list still shows {name}");
    for &pid in pids {
        assert!(!alive(pid), "process {pid} of lab {name} still alive");
    }
}

#[test]
fn down_leaves_nothing_behind() {
    let Some(lab) = Lab::up() else { return };
    let name = lab.name().to_string();
    let mut sleeper = lab.command(Host::Client, "sleep", ["600"]).spawn().expect("spawn sleep");
    wait_in_ns(lab.ns(Host::Client), sleeper.id());
    let mut pids: Vec<u32> = Vec::new();
    for host in Host::ALL {
        pids.extend(ns_pids(lab.ns(host)));
    }
    let listeners = ns_pids(lab.ns(Host::Server)).len();
    assert_eq!(listeners, lab.ports("TCP_OPEN").len() + lab.ports("UDP_OPEN").len(), "listeners");
    assert!(pids.contains(&sleeper.id()), "sleep not seen in the client namespace");
    assert!(netlab_list().contains(&name));
    let start = Instant::now();
    lab.down().expect("netlab down");
    eprintln!("netlab down took {:?}", start.elapsed());
    let status = sleeper.wait().expect("wait sleep");
    assert!(!status.success(), "sleep was not killed: {status}");
    assert_gone(&name, &pids);
    // Idempotent.
    let again = netlab(&["down", &name]).output().expect("netlab down");
    assert!(again.status.success(), "second down: {}", text(&again));
}

#[test]
fn down_removes_a_half_made_lab() {
    if !require_root() {
        return;
    }
    let name = unique_name();
    let [client, r1, ..] = &lab_namespaces(&name)[..] else { unreachable!() };
    for ns in [client, r1] {
        let out = Command::new("ip").args(["netns", "add", ns]).output().expect("ip netns add");
        assert!(out.status.success(), "{}", text(&out));
    }
    let mut sleeper: Child =
        Command::new("ip").args(["netns", "exec", r1, "sleep", "600"]).spawn().expect("spawn sleep in r1");
    wait_in_ns(r1, sleeper.id());
    assert_eq!(ns_pids(r1), [sleeper.id()]);
    assert!(netlab_list().contains(&name), "netlab list misses a half-made lab");
    let out = netlab(&["down", &name]).output().expect("netlab down");
    assert!(out.status.success(), "{}", text(&out));
    assert!(!sleeper.wait().expect("wait").success());
    assert_gone(&name, &[sleeper.id()]);
}

#[test]
fn failed_up_names_the_step_and_removes_what_it_made() {
    if !require_root() {
        return;
    }
    let steps = [
        "create namespaces",
        "set sysctls",
        "create veth links",
        "configure interfaces",
        "server firewall",
        "server listeners",
        "wait for listeners",
        "wait for links",
        "check reachability",
        "write info",
    ];
    for step in steps {
        let name = unique_name();
        let out = netlab(&["up", &name]).env("NETLAB_FAIL_AT", step).output().expect("netlab up");
        assert_eq!(out.status.code(), Some(1), "{step}: {}", text(&out));
        assert!(
            stderr(&out).contains(&format!("up {name} failed at step \"{step}\"")),
            "{step}: {}",
            text(&out)
        );
        assert_eq!(stdout(&out), "", "{step}: printed info");
        assert_gone(&name, &[]);
    }
}

/// Starts `netlab up NAME` and waits until its server namespace holds at least one listener
/// or up exited.
fn start_up_until_listeners(name: &str) -> Child {
    let mut child =
        netlab(&["up", name]).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("netlab up");
    let server = format!("nl-{name}-server");
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if !ns_pids(&server).is_empty() || child.try_wait().expect("try_wait").is_some() {
            break;
        }
        thread::sleep(Duration::from_millis(2));
    }
    child
}

#[test]
fn down_cleans_up_after_a_killed_up() {
    if !require_root() {
        return;
    }
    let name = unique_name();
    let mut child = start_up_until_listeners(&name);
    child.kill().expect("SIGKILL netlab up");
    child.wait().expect("wait");
    let mut pids = Vec::new();
    for ns in lab_namespaces(&name) {
        pids.extend(ns_pids(&ns));
    }
    let out = netlab(&["down", &name]).output().expect("netlab down");
    assert!(out.status.success(), "{}", text(&out));
    assert_gone(&name, &pids);
}

#[test]
fn interrupted_up_removes_what_it_made() {
    if !require_root() {
        return;
    }
    let name = unique_name();
    let child = start_up_until_listeners(&name);
    let mut pids = Vec::new();
    for ns in lab_namespaces(&name) {
        pids.extend(ns_pids(&ns));
    }
    let kill = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    assert!(kill.success());
    let out = child.wait_with_output().expect("wait");
    let err = stderr(&out);
    if out.status.success() {
        // up finished before the signal arrived: nothing to check but a normal down.
        let down = netlab(&["down", &name]).output().expect("netlab down");
        assert!(down.status.success(), "{}", text(&down));
        eprintln!("note: netlab up {name} finished before SIGTERM");
    } else {
        assert!(err.contains(&format!("up {name} failed at step")), "{err}");
    }
    assert_gone(&name, &pids);
}

#[test]
fn gc_removes_labs_of_dead_owners_only() {
    let Some(mine) = Lab::up() else { return };
    let mut owner = Command::new("sleep").arg("600").spawn().expect("spawn owner");
    let orphan = unique_name();
    let out = netlab(&["up", &orphan]).env("NETLAB_OWNER_PID", owner.id().to_string()).output().expect("up");
    assert!(out.status.success(), "{}", text(&out));
    let pids = ns_pids(&format!("nl-{orphan}-server"));
    let gc = netlab(&["gc"]).output().expect("gc");
    assert!(gc.status.success(), "{}", text(&gc));
    assert!(netlab_list().contains(&orphan), "gc removed a lab whose owner lives");
    owner.kill().expect("kill owner");
    owner.wait().expect("wait owner");
    let gc = netlab(&["gc"]).output().expect("gc");
    assert!(gc.status.success(), "{}", text(&gc));
    assert_gone(&orphan, &pids);
    assert!(netlab_list().contains(&mine.name().to_string()), "gc removed this process's lab");
}

#[test]
fn two_labs_at_once_do_not_collide() {
    if !require_root() {
        return;
    }
    let labs: Vec<Lab> =
        parallel(vec![Box::new(|| Lab::up().expect("root")), Box::new(|| Lab::up().expect("root"))]);
    let (a, b) = (&labs[0], &labs[1]);
    let ns_a: HashSet<&str> = Host::ALL.iter().map(|&h| a.ns(h)).collect();
    assert!(Host::ALL.iter().all(|&h| !ns_a.contains(b.ns(h))), "labs share a namespace");
    assert_eq!(a.get("SERVER_V4"), b.get("SERVER_V4"), "same addresses, different namespaces");
    // A listener in lab a's server is not reachable from lab b's client.
    let mut marker = a
        .command(Host::Server, "socat", ["TCP6-LISTEN:9999,ipv6only=0,reuseaddr,fork", "PIPE"])
        .stdin(Stdio::null())
        .spawn()
        .expect("marker listener");
    let target = format!("TCP4:{}:9999,connect-timeout=2,retry=20,interval=0.05", a.get("SERVER_V4"));
    let got_a = a.exec_stdin(Host::Client, &["socat", "-T", "2", "-", &target], b"mark\n");
    assert_eq!(stdout(&got_a), "mark\n", "{}", text(&got_a));
    let target = format!("TCP4:{}:9999,connect-timeout=2", b.get("SERVER_V4"));
    let got_b = b.exec_stdin(Host::Client, &["socat", "-T", "2", "-", &target], b"mark\n");
    assert!(stderr(&got_b).contains("Connection refused"), "{}", text(&got_b));
    // Both route at once.
    let pings: Vec<Vec<u32>> = parallel(vec![
        Box::new(|| ping_ttls(a, Host::Client, a.get("SERVER_V6"))),
        Box::new(|| ping_ttls(b, Host::Client, b.get("SERVER_V6"))),
    ]);
    assert_eq!(pings, [[62, 62, 62], [62, 62, 62]]);
    // Taking a down leaves b working.
    let mut labs = labs;
    let b = labs.pop().expect("b");
    let a = labs.pop().expect("a");
    let a_name = a.name().to_string();
    a.down().expect("down a");
    marker.wait().expect("marker killed by down");
    assert_gone(&a_name, &[marker.id()]);
    assert_eq!(ping_ttls(&b, Host::Client, b.get("SERVER_V4")), [62, 62, 62]);
}

#[test]
fn exec_info_and_list_report_the_lab() {
    let Some(lab) = Lab::up() else { return };
    let name = lab.name();
    let out =
        netlab(&["exec", name, "server", "ip", "-o", "-4", "addr", "show", "dev", "eth0"]).output().unwrap();
    assert!(stdout(&out).contains(&format!(" {}/24 ", lab.get("SERVER_V4"))), "{}", text(&out));
    let out = netlab(&["exec", name, "r2", "ip", "-o", "link", "show"]).output().unwrap();
    assert!(stdout(&out).contains("eth0") && stdout(&out).contains("eth1"), "{}", text(&out));
    let info = netlab(&["info", name]).output().unwrap();
    assert!(info.status.success());
    assert_eq!(&parse_info(&stdout(&info)), lab.info());
    assert!(netlab_list().contains(&name.to_string()));
    for bad in [
        &["exec", name, "router9", "true"][..],
        &["exec", "no-such-lab", "client", "true"],
        &["info", "no-such-lab"],
        &["up", "bad name"],
    ] {
        let out = netlab(bad).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{bad:?}: {}", text(&out));
        assert_eq!(stderr(&out).lines().count(), 1, "{bad:?}: {}", text(&out));
    }
    // exit status of the command run inside is passed through.
    let out = netlab(&["exec", name, "client", "sh", "-c", "exit 7"]).output().unwrap();
    assert_eq!(out.status.code(), Some(7));
}

#[test]
fn not_root_gets_a_one_line_error() {
    // As root, drop to nobody with setpriv (the script comes on stdin: nobody may not be
    // allowed into the checkout's directory); as non-root, run directly.
    let run = |args: &[&str]| -> Output {
        if is_root() {
            let script = std::fs::File::open(support::lab::netlab_path()).expect("open netlab");
            Command::new("setpriv")
                .args(["--reuid=65534", "--regid=65534", "--clear-groups", "bash", "-s", "--"])
                .args(args)
                .stdin(script)
                .output()
                .expect("setpriv (util-linux)")
        } else {
            netlab(args).output().expect("netlab")
        }
    };
    for args in
        [&["up", "nonroot"][..], &["down", "nonroot"], &["exec", "nonroot", "client", "true"], &["gc"]]
    {
        let out = run(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", text(&out));
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains("root (CAP_NET_ADMIN)"), "{args:?}: {err}");
    }
}

#[test]
fn netlab_passes_shellcheck() {
    if !support::have("shellcheck", "netlab_passes_shellcheck") {
        return;
    }
    let out = Command::new("shellcheck").arg(support::lab::netlab_path()).output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
}
