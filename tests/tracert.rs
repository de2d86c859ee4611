//! tracert against traceroute in the namespace lab (as root; otherwise each test says why it
//! skips), and its bad-input contract.

mod support;

use std::process::Output;

use support::lab::{Host, Lab, is_root, notice};

const TRACERT: &str = env!("CARGO_BIN_EXE_tracert");

/// A hop line without its times: the TTL, then addresses, `*` and annotations in order.
fn shape(line: &str) -> Vec<String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        if words.get(i + 1) == Some(&"ms") && words[i].parse::<f64>().is_ok() {
            i += 2;
            continue;
        }
        out.push(words[i].to_string());
        i += 1;
    }
    out
}

/// The hop lines (after the header) of a traceroute-style output, without times.
fn hops(out: &Output) -> Vec<Vec<String>> {
    String::from_utf8_lossy(&out.stdout).lines().skip(1).map(shape).collect()
}

fn text(out: &Output) -> String {
    format!(
        "stdout:\n{}stderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn tracert(lab: &Lab, args: &[&str]) -> Output {
    let out = lab.command(Host::Client, TRACERT, args).output().expect("run tracert");
    assert!(out.status.success(), "tracert {args:?}: {}", text(&out));
    out
}

fn traceroute(lab: &Lab, args: &[&str]) -> Output {
    let out = lab.command(Host::Client, "traceroute", args).output().expect("run traceroute");
    assert!(out.status.success(), "traceroute {args:?}: {}", text(&out));
    out
}

/// traceroute's hops, run again (up to 3 times) while it missed a probe of a hop that did
/// answer: on a loaded machine its own adaptive wait gives up early sometimes.
fn traceroute_hops(lab: &Lab, args: &[&str]) -> Vec<Vec<String>> {
    let partial = |h: &Vec<Vec<String>>| {
        h.iter().any(|hop| {
            hop.len() > 2 && hop.iter().any(|w| w == "*") && hop.iter().any(|w| w != "*" && w != &hop[0])
        })
    };
    let mut hops_seen = hops(&traceroute(lab, args));
    for _ in 0..2 {
        if !partial(&hops_seen) {
            break;
        }
        hops_seen = hops(&traceroute(lab, args));
    }
    hops_seen
}

#[test]
fn same_hops_as_traceroute_for_udp_icmp_and_tcp_over_ipv4_and_ipv6() {
    let Some(lab) = Lab::up() else { return };
    for dst in [lab.get("SERVER_V4"), lab.get("SERVER_V6")] {
        for mode in [&[][..], &["-I"], &["-T", "-p", "80"], &["-U"]] {
            let mut args = vec!["-n"];
            args.extend_from_slice(mode);
            args.push(dst);
            let want = traceroute_hops(&lab, &args);
            let got = hops(&tracert(&lab, &args));
            assert_eq!(got, want, "tracert {args:?}");
            assert_eq!(got.len(), 3, "{args:?}");
            assert_eq!(got[2], vec!["3".to_string(), dst.to_string()], "{args:?}");
        }
    }
}

#[test]
fn header_times_and_names_without_n() {
    let Some(lab) = Lab::up() else { return };
    let out = tracert(&lab, &["-q", "2", lab.get("SERVER_V4")]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut lines = stdout.lines();
    assert_eq!(lines.next(), Some("tracert to 10.0.3.2 (10.0.3.2), 30 hops max, 60 byte packets"));
    // No names for the lab's addresses: traceroute's `addr (addr)`, then two times.
    let hop1: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(&hop1[..3], ["1", "10.0.1.1", "(10.0.1.1)"], "{stdout}");
    assert_eq!(hop1.iter().filter(|w| **w == "ms").count(), 2, "{stdout}");
    for w in hop1.iter().skip(3).step_by(2) {
        let ms: f64 = w.parse().unwrap_or_else(|_| panic!("time {w} in {stdout}"));
        assert!(ms > 0.0 && ms < 1000.0);
    }
}

#[test]
fn json_records_per_hop_then_a_summary() {
    let Some(lab) = Lab::up() else { return };
    let out = tracert(&lab, &["-n", "--json", "-I", lab.get("SERVER_V6")]);
    let records: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(records.len(), 4, "{}", text(&out));
    for (i, r) in records[..3].iter().enumerate() {
        assert_eq!(r["version"], 1);
        assert_eq!(r["type"], "hop");
        assert_eq!(r["ttl"], i as u64 + 1);
        assert_eq!(r["probes"].as_array().unwrap().len(), 3);
    }
    assert_eq!(records[0]["addresses"][0], "fd00:1::1");
    assert_eq!(records[2]["probes"][0]["answer"], "echo-reply");
    assert_eq!(records[1]["probes"][0]["answer"], "time-exceeded");
    let s = &records[3];
    assert_eq!(
        (s["type"].as_str(), s["reached"].as_bool(), s["hops"].as_u64()),
        (Some("summary"), Some(true), Some(3))
    );
    assert_eq!(s["protocol"], "icmp");
    assert!(s["answered"].as_u64().unwrap() >= 9);
}

#[test]
fn pcap_holds_every_probe_and_answer() {
    let Some(lab) = Lab::up() else { return };
    let dir = std::env::temp_dir().join(format!("tracert-pcap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("trace.pcap");
    let path = file.to_str().unwrap();
    let out = tracert(&lab, &["-n", "-w", path, "-q", "1", "-N", "1", lab.get("SERVER_V4")]);
    let bytes = std::fs::read(&file).unwrap();
    let pkts = support::packets(&bytes).unwrap();
    // One probe in flight at a time, one per hop: 3 probes, 3 answers, alternating.
    assert_eq!(pkts.len(), 6, "{}", text(&out));
    let decoded = support::pkt_decode().arg(path).output().unwrap();
    let lines = String::from_utf8_lossy(&decoded.stdout).into_owned();
    let sent = lines.lines().filter(|l| l.contains("10.0.1.2.") && l.contains("> 10.0.3.2.")).count();
    let exceeded = lines.lines().filter(|l| l.contains("time exceeded")).count();
    assert_eq!((sent, exceeded), (3, 2), "{lines}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn report_counts_every_round() {
    let Some(lab) = Lab::up() else { return };
    let out = tracert(&lab, &["-n", "--report", "-c", "4", "--interval", "0.05", lab.get("SERVER_V4")]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("HOST: ") && lines[0].contains("Loss%"), "{stdout}");
    assert_eq!(lines.len(), 4, "{stdout}");
    for (i, hop) in ["10.0.1.1", "10.0.2.2", "10.0.3.2"].iter().enumerate() {
        let w: Vec<&str> = lines[i + 1].split_whitespace().collect();
        assert_eq!(w[0], format!("{}.|--", i + 1));
        assert_eq!((w[1], w[2], w[3]), (*hop, "0.0%", "4"), "{stdout}");
    }
}

/// One line on stderr naming tracert, nothing on stdout, exit 2.
fn assert_usage_error(out: &Output, needle: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{}", text(out));
    // One line; a command-line error adds the `try 'tracert --help'` hint.
    assert!(err.lines().skip(1).all(|l| l == "try 'tracert --help'") && err.lines().count() <= 2, "{err}");
    assert!(err.starts_with("tracert: ") && err.lines().next().unwrap().contains(needle), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn bad_options_are_one_line_and_exit_2() {
    // Checked before any socket or lookup: no privileges or lab needed.
    for (args, needle) in [
        (&["-m", "256", "10.0.3.2"][..], "256"),
        (&["-f", "0", "10.0.3.2"], "0"),
        (&["-q", "x", "10.0.3.2"], "x"),
        (&["-q", "11", "10.0.3.2"], "11"),
        (&["-w", "1,a,3", "10.0.3.2"], "1,a,3"),
        (&["-p", "70000", "10.0.3.2"], "70000"),
        (&["--flow", "sideways", "10.0.3.2"], "sideways"),
        (&["-f", "9", "-m", "3", "10.0.3.2"], "first TTL 9"),
        (&["-6", "10.0.3.2"], "10.0.3.2"),
        (&[], "<HOST>"),
    ] {
        let out = std::process::Command::new(TRACERT).args(args).output().unwrap();
        assert_usage_error(&out, needle);
    }
}

#[test]
fn unknown_host_is_one_line_and_exit_2() {
    // Inside the lab, where the resolver reaches no server: no query leaves the machine.
    let Some(lab) = Lab::up() else { return };
    let out = lab.command(Host::Client, TRACERT, ["-n", "no-such-host.invalid"]).output().unwrap();
    assert_usage_error(&out, "no-such-host.invalid: unknown host");
}

/// Runs tracert `args` in the lab's client as `nobody` (no capabilities).
fn as_nobody(lab: &Lab, args: &[&str]) -> Output {
    let mut all = vec!["--reuid=65534", "--regid=65534", "--clear-groups", TRACERT];
    all.extend_from_slice(args);
    lab.command(Host::Client, "setpriv", all).output().unwrap()
}

#[test]
fn without_privileges_udp_and_icmp_still_trace_and_tcp_names_cap_net_raw() {
    let Some(lab) = Lab::up() else { return };
    // UDP on datagram sockets with IP_RECVERR: the same hops as traceroute (run as root).
    for dst in [lab.get("SERVER_V4"), lab.get("SERVER_V6")] {
        for mode in [&[][..], &["-U"], &["--flow", "paris"]] {
            let mut args = vec!["-n"];
            args.extend_from_slice(mode);
            args.push(dst);
            let out = as_nobody(&lab, &args);
            assert!(out.status.success(), "{args:?}: {}", text(&out));
            let want = traceroute_hops(&lab, &["-n", dst]);
            assert_eq!(hops(&out), want, "{args:?}");
        }
    }
    // ICMP needs ping sockets: refused while ping_group_range admits nobody ...
    let dst = lab.get("SERVER_V4");
    let out = as_nobody(&lab, &["-n", "-I", dst]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(err.contains("CAP_NET_RAW") && err.contains("ping_group_range"), "{err}");
    // ... and the same hops once it does.
    lab.exec_ok(Host::Client, &["sh", "-c", "echo 0 2147483647 > /proc/sys/net/ipv4/ping_group_range"]);
    for dst in [lab.get("SERVER_V4"), lab.get("SERVER_V6")] {
        let out = as_nobody(&lab, &["-n", "-I", dst]);
        assert!(out.status.success(), "{}", text(&out));
        assert_eq!(hops(&out), traceroute_hops(&lab, &["-n", "-I", dst]), "-I {dst}");
    }
    // TCP has no unprivileged way: the one-line CAP_NET_RAW message with the setcap fix.
    let out = as_nobody(&lab, &["-n", "-T", dst]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("CAP_NET_RAW") && err.contains("setcap cap_net_raw"), "{err}");
    if !is_root() {
        notice("without_privileges: ran as a non-root user");
    }
}

/// The addresses each hop line shows.
fn addrs(hop: &[String]) -> Vec<String> {
    hop.iter().skip(1).filter(|w| w.parse::<std::net::IpAddr>().is_ok()).cloned().collect()
}

#[test]
fn a_silent_hop_is_starred_and_the_trace_still_reaches_the_server() {
    let Some(lab) = Lab::up_with(&["silent-hop"]) else { return };
    for dst in [lab.get("SERVER_V4"), lab.get("SERVER_V6")] {
        for mode in [&[][..], &["-I"], &["-T"]] {
            let mut args = vec!["-n"];
            args.extend_from_slice(mode);
            args.push(dst);
            let got = hops(&tracert(&lab, &args));
            assert_eq!(got[1], ["2", "*", "*", "*"], "{args:?}");
            assert_eq!(got[2], ["3", dst], "{args:?}");
            assert_eq!(got, traceroute_hops(&lab, &args), "{args:?}");
        }
    }
}

#[test]
fn rate_limited_routers_lose_no_hop_that_traceroute_shows() {
    let Some(lab) = Lab::up_with(&["rate-limit"]) else { return };
    // Linux lets 6 errors through to one destination, then one a second: wait between runs
    // so that each tool starts with the same allowance.
    let refill = std::time::Duration::from_millis(3500);
    for dst in [lab.get("SERVER_V4"), lab.get("SERVER_V6")] {
        let args = ["-n", "-q", "3", dst];
        let want = hops(&traceroute(&lab, &args));
        std::thread::sleep(refill);
        let got = hops(&tracert(&lab, &args));
        std::thread::sleep(refill);
        assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
        for (g, w) in got.iter().zip(&want) {
            for a in addrs(w) {
                assert!(addrs(g).contains(&a), "hop {}: traceroute saw {a}, tracert {g:?}", w[0]);
            }
        }
    }
}

/// The addresses of hop 2 over the ECMP pair, for tracert `args`.
fn hop2(lab: &Lab, args: &[&str]) -> std::collections::BTreeSet<String> {
    let h = hops(&tracert(lab, args));
    addrs(&h[1]).into_iter().collect()
}

#[test]
fn ecmp_classic_sees_both_paths_paris_one_per_flow_and_flows_both() {
    let Some(lab) = Lab::up_with(&["ecmp"]) else { return };
    let dst = lab.get("SERVER_V4");
    let both: std::collections::BTreeSet<String> =
        [lab.get("R2_ETH0_V4"), lab.get("R2_ETH2_V4")].iter().map(|s| s.to_string()).collect();
    // Classic: ten ports per hop; both paths within three runs (chance of failing ~1e-8).
    let seen: std::collections::BTreeSet<String> =
        (0..3).flat_map(|_| hop2(&lab, &["-n", "-q", "10", dst])).collect();
    assert_eq!(seen, both, "classic");
    // Paris: one flow is one path, the same in every run; flows differ by source port.
    let mut per_flow = Vec::new();
    for sport in [40001, 40002, 40003, 40004, 40005, 40006] {
        let s = sport.to_string();
        for proto in [&[][..], &["-I"], &["-T"]] {
            let mut args = vec!["-n", "-q", "6", "--flow", "paris", "--sport", &s];
            args.extend_from_slice(proto);
            args.push(dst);
            let first = hop2(&lab, &args);
            assert_eq!(first.len(), 1, "{args:?}: {first:?}");
            assert_eq!(hop2(&lab, &args), first, "{args:?} changed path");
            if proto.is_empty() {
                per_flow.extend(first);
            }
        }
    }
    assert!(per_flow.iter().all(|a| both.contains(a)));
    // --flows: sixteen Paris flows find both (chance of failing 2^-15).
    assert_eq!(hop2(&lab, &["-n", "-q", "1", "--flows", "16", dst]), both, "--flows");
}

#[test]
fn nat_is_flagged_where_the_quote_shows_the_rewrite() {
    // Linux's masquerade restores the quoted probe in ICMP errors (RFC 5508), byte for byte
    // but for what the routers change anyway (TTL, header checksum; docs/tracert.md): the
    // trace goes through and nothing is flagged, though r1 did translate every probe that it
    // forwarded (its connection table maps them to its own address).
    let Some(lab) = Lab::up_with(&["nat"]) else { return };
    let dst = lab.get("SERVER_V4").to_string();
    let dst = dst.as_str();
    let out = tracert(&lab, &["-n", "--nat", "--sport", "61999", dst]);
    let got = hops(&out);
    assert_eq!(got.len(), 3);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("!NAT"));
    let table = lab.exec_ok(Host::R1, &["cat", "/proc/net/nf_conntrack"]);
    let translated = format!("dst={} sport=33437 dport=61999", lab.get("R1_ETH1_V4"));
    assert!(
        table.lines().any(|l| l.contains("src=10.0.1.2") && l.contains(&translated)),
        "r1 did not masquerade the probe to port 33437:\n{table}"
    );
    drop(lab);
    // A NAT that rewrites only outer headers: hops past it quote the rewritten source.
    let Some(lab) = Lab::up_with(&["nat-stateless"]) else { return };
    for mode in [&[][..], &["-I"], &["-T"]] {
        let mut args = vec!["-n", "--nat"];
        args.extend_from_slice(mode);
        args.push(dst);
        let got = hops(&tracert(&lab, &args));
        assert_eq!(got.len(), 3, "{args:?}: {got:?}");
        assert!(!got[0].contains(&"!NAT".to_string()), "{args:?}: {got:?}");
        assert_eq!(got[1].iter().filter(|w| *w == "!NAT").count(), 3, "{args:?}: {got:?}");
        assert_eq!(addrs(&got[2]), [dst], "{args:?}");
    }
}

#[test]
fn mtu_reports_1400_at_the_hop_behind_the_small_link() {
    let Some(lab) = Lab::up_with(&["mtu"]) else { return };
    // Each trace teaches the client's kernel the path MTU (its answers pass its sockets), and
    // a probe above a known path MTU is refused at once, which shows the drop at hop 1: forget
    // it before each case (docs/tracert.md).
    let forget = || {
        lab.exec_ok(Host::Client, &["ip", "route", "flush", "cache"]);
        lab.exec_ok(Host::Client, &["ip", "-6", "route", "flush", "cache"]);
    };
    for (dst, mode) in
        [("SERVER_V4", &[][..]), ("SERVER_V4", &["-I"]), ("SERVER_V6", &[]), ("SERVER_V6", &["-T"])]
    {
        let mut args = vec!["-n", "--mtu"];
        args.extend_from_slice(mode);
        args.push(lab.get(dst));
        forget();
        let got = hops(&tracert(&lab, &args));
        assert_eq!(got.len(), 3, "{args:?}: {got:?}");
        let f: Vec<Vec<&String>> =
            got.iter().map(|h| h.iter().filter(|w| w.starts_with("F=")).collect()).collect();
        assert_eq!(f[0], ["F=1500"], "{args:?}: {got:?}");
        assert_eq!(f[1], ["F=1400"], "{args:?}: {got:?}");
        assert!(f[2].is_empty(), "{args:?}: {got:?}");
    }
    // traceroute agrees.
    let args = ["-n", "--mtu", lab.get("SERVER_V4")];
    forget();
    let ours = hops(&tracert(&lab, &args));
    forget();
    assert_eq!(hops(&traceroute(&lab, &args)), ours);
}

#[test]
fn report_figures_agree_with_the_capture_of_the_run() {
    let Some(lab) = Lab::up() else { return };
    let dir = std::env::temp_dir().join(format!("tracert-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("report.pcap");
    let path = file.to_str().unwrap();
    let args =
        ["-n", "--report", "--json", "-c", "10", "--interval", "0.02", "-w", path, lab.get("SERVER_V4")];
    let out = tracert(&lab, &args);
    let records: Vec<serde_json::Value> =
        String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let pkts = support::packets(&std::fs::read(&file).unwrap()).unwrap();
    // Sent probes by IPv4 id (tracert's probe id), with TTL and time; answers by the id they
    // quote, with their source and time.
    let secs = |p: &support::Pkt| p.2 as f64 + p.3 as f64 / 1e9;
    let mut sent = std::collections::HashMap::new();
    let mut rtts: std::collections::BTreeMap<String, Vec<f64>> = Default::default();
    for p in &pkts {
        let d = &p.0;
        let id = u16::from_be_bytes([d[4], d[5]]);
        if d[12..16] == [10, 0, 1, 2] {
            sent.insert(id, (d[8], secs(p)));
        } else if d[9] == 1 && d.len() >= 28 + 20 {
            let quoted = u16::from_be_bytes([d[28 + 4], d[28 + 5]]);
            let from = format!("{}.{}.{}.{}", d[12], d[13], d[14], d[15]);
            let (_, at) = sent[&quoted];
            rtts.entry(from).or_default().push((secs(p) - at) * 1000.0);
        }
    }
    let per_ttl = |ttl: u8| sent.values().filter(|(t, _)| *t == ttl).count();
    assert_eq!((per_ttl(1), per_ttl(2), per_ttl(3)), (10, 10, 10), "{}", text(&out));
    for (i, hop) in ["10.0.1.1", "10.0.2.2", "10.0.3.2"].iter().enumerate() {
        let r = &records[i];
        assert_eq!((r["ttl"].as_u64(), r["sent"].as_u64()), (Some(i as u64 + 1), Some(10)));
        let received = r["received"].as_u64().unwrap() as usize;
        let captured = &rtts[*hop];
        // Every answer the report counts is in the capture (the server's answers to probes
        // past the last hop are there too).
        assert!(captured.len() >= received && received == 10, "hop {hop}: {received} vs {captured:?}");
        assert_eq!(r["loss_pct"].as_f64(), Some(0.0));
        let mut report: Vec<f64> =
            r["rtts_ms"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
        report.sort_by(f64::total_cmp);
        let mut capture = captured.clone();
        capture.sort_by(f64::total_cmp);
        // The capture keeps microseconds; the report rounds to them.
        for want in &report {
            assert!(
                capture.iter().any(|c| (c - want).abs() < 0.003),
                "hop {hop}: rtt {want} not in {capture:?}"
            );
        }
        let avg = report.iter().sum::<f64>() / report.len() as f64;
        assert!((avg - r["avg_ms"].as_f64().unwrap()).abs() < 0.002);
        assert!(
            r["best_ms"].as_f64() <= r["avg_ms"].as_f64() && r["avg_ms"].as_f64() <= r["worst_ms"].as_f64()
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn report_on_a_terminal_redraws_the_table_every_round() {
    let Some(lab) = Lab::up() else { return };
    // `script` runs tracert on a pseudo-terminal and copies what it draws.
    let cmd = format!("{TRACERT} -n --report -c 3 --interval 0.05 {}", lab.get("SERVER_V4"));
    let out = lab.command(Host::Client, "script", ["-qec", &cmd, "/dev/null"]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let screen = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(screen.matches("\x1b[H\x1b[2J").count(), 3, "{screen:?}");
    let last = screen.rsplit("\x1b[H\x1b[2J").next().unwrap();
    assert!(last.contains("HOST: ") && last.contains("3.|-- 10.0.3.2"), "{last:?}");
    assert!(last.lines().any(|l| l.contains("10.0.1.1") && l.contains(" 3 ")), "{last:?}");
}

/// A dnsmasq in the server's namespace answering origin TXT records, and the client's
/// /etc/netns resolv.conf pointing at it (what `ip netns exec` mounts over /etc/resolv.conf);
/// both are removed on drop.
struct LabDns {
    dnsmasq: std::process::Child,
    resolv_dir: std::path::PathBuf,
}

impl LabDns {
    /// Serves `records` (query name, text) on `server` from the server's namespace.
    fn start(lab: &Lab, server: &str, records: &[(String, &str)]) -> LabDns {
        let mut args: Vec<String> = [
            "dnsmasq",
            "--no-daemon",
            "--no-resolv",
            "--no-hosts",
            "--conf-file=/dev/null",
            "--pid-file=",
            "--bind-interfaces",
            "--port=53",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.push(format!("--listen-address={server}"));
        for (name, text) in records {
            args.push(format!("--txt-record={name},{text}"));
        }
        let dnsmasq = lab
            .command(Host::Server, &args[0], &args[1..])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("run dnsmasq (Debian dnsmasq-base)");
        let resolv_dir = std::path::Path::new("/etc/netns").join(lab.ns(Host::Client));
        std::fs::create_dir_all(&resolv_dir).expect("create /etc/netns/NS");
        std::fs::write(resolv_dir.join("resolv.conf"), format!("nameserver {server}\n"))
            .expect("write the client's resolv.conf");
        let dns = LabDns { dnsmasq, resolv_dir };
        // Ready when the client's resolver gets the first record (dig, Debian dnsutils).
        let first = &records[0].0;
        let ready = (0..50).any(|_| {
            let out = lab.exec(Host::Client, &["dig", "+short", "+time=1", "+tries=1", "TXT", first]);
            if String::from_utf8_lossy(&out.stdout).contains('|') {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
            false
        });
        assert!(ready, "dnsmasq in the lab did not answer {first}");
        dns
    }
}

impl Drop for LabDns {
    fn drop(&mut self) {
        let _ = self.dnsmasq.kill();
        let _ = self.dnsmasq.wait();
        let _ = std::fs::remove_dir_all(&self.resolv_dir);
    }
}

#[test]
fn as_lookup_shows_each_hops_origin_as_from_the_lab_dns() {
    let Some(lab) = Lab::up() else { return };
    let addr = |key: &str| lab.addr(key);
    // The origin zones' names, written out here apart from the tool's own code.
    let origin = |key: &str| match addr(key) {
        std::net::IpAddr::V4(a) => {
            let o = a.octets();
            format!("{}.{}.{}.{}.origin.asn.cymru.com", o[3], o[2], o[1], o[0])
        }
        std::net::IpAddr::V6(a) => {
            let hex: String = a.octets().iter().map(|b| format!("{b:02x}")).collect();
            let nibbles: Vec<String> = hex.chars().rev().map(String::from).collect();
            format!("{}.origin6.asn.cymru.com", nibbles.join("."))
        }
    };
    let records = [
        (origin("HOP1_V4"), "64500 | 10.0.1.0/24 | ZZ | lab | 2026-12-03"),
        (origin("HOP2_V4"), "64501 64502 | 10.0.2.0/24 | ZZ | lab | 2026-12-03"),
        (origin("HOP1_V6"), "64510 | fd00:1::/64 | ZZ | lab | 2026-12-03"),
        (origin("HOP2_V6"), "64511 | fd00:2::/64 | ZZ | lab | 2026-12-03"),
    ];
    let _dns = LabDns::start(&lab, lab.get("SERVER_V4"), &records);
    for (dst, want) in [
        (lab.get("SERVER_V4"), ["[AS64500]", "[AS64501]", "[*]"]),
        (lab.get("SERVER_V6"), ["[AS64510]", "[AS64511]", "[*]"]),
    ] {
        // Text: traceroute -A's `addr [ASN]`, the server (no record) as `[*]`.
        let got = hops(&tracert(&lab, &["-n", "-A", "-q", "1", dst]));
        assert_eq!(got.len(), 3, "{got:?}");
        for (hop, asn) in got.iter().zip(want) {
            assert_eq!(hop.get(2).map(String::as_str), Some(asn), "{dst}: {got:?}");
        }
        // JSON: "asn" per answered probe.
        let out = tracert(&lab, &["-n", "-A", "--json", "-q", "1", dst]);
        let asns: Vec<Option<u64>> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("json"))
            .filter(|r| r["type"] == "hop")
            .map(|r| r["probes"][0]["asn"].as_u64())
            .collect();
        let want_json: Vec<Option<u64>> =
            want.iter().map(|w| w.trim_start_matches("[AS").trim_end_matches(']').parse().ok()).collect();
        assert_eq!(asns, want_json, "{dst}: {}", text(&out));
    }
}
