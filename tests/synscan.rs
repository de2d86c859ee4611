//! synscan, run as a program: bad input and the privilege error anywhere; as root, in the
//! namespace lab, nmap's answers (`nmap -sS --reason`) for every port of the server, for
//! 1-2000 on both hosts and over IPv6, repeatability, a high rate, shards, the probes on the
//! wire (captured at the server), a bare-SYN answer (split handshake) and the three output
//! forms read back by other tools.

mod support;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use support::lab::{Host, Lab, is_root, notice};
use support::{Run, run, run_with};

const BIN: &str = env!("CARGO_BIN_EXE_synscan");

/// Labs and scans load both cores: one scanning test at a time in this binary.
static SCANS: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    SCANS.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// (host, port) -> (state, reason).
type Results = BTreeMap<(String, u16), (String, String)>;

fn scan_in(lab: &Lab, args: &[&str]) -> Run {
    let mut cmd = lab.command(Host::Client, BIN, args);
    cmd.stdin(Stdio::null());
    run_with(cmd, b"", Duration::from_secs(120))
}

/// synscan `--json --all` records: every port's state and reason, and the summary record.
fn scan_json(lab: &Lab, args: &[&str]) -> (Results, serde_json::Value) {
    let mut all = vec!["--json", "--all", "-q"];
    all.extend_from_slice(args);
    let r = scan_in(lab, &all);
    assert_eq!(r.code, Some(0), "synscan {all:?}: {}", r.stderr);
    let mut results = Results::new();
    let mut summary = serde_json::Value::Null;
    for line in r.stdout_text().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert_eq!(v["schema"], "pktkit.synscan/1");
        match v["type"].as_str() {
            Some("port") => {
                let key = (v["host"].as_str().unwrap().to_string(), v["port"].as_u64().unwrap() as u16);
                let val =
                    (v["state"].as_str().unwrap().to_string(), v["reason"].as_str().unwrap().to_string());
                assert!(results.insert(key.clone(), val).is_none(), "{key:?} reported twice");
            }
            Some("summary") => summary = v,
            other => panic!("unknown record type {other:?}"),
        }
    }
    assert!(summary.is_object(), "no summary record");
    (results, summary)
}

/// A value of attribute `name` in an XML line.
fn attr<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let start = line.find(&format!(" {name}=\""))? + name.len() + 3;
    line[start..].split('"').next()
}

fn expand_ports(list: &str) -> Vec<u16> {
    list.split(',')
        .flat_map(|part| match part.split_once('-') {
            Some((a, b)) => (a.parse().unwrap()..=b.parse().unwrap()).collect::<Vec<u16>>(),
            None => vec![part.parse().unwrap()],
        })
        .collect()
}

/// Every port of nmap's XML (shown ports and the `extrareasons` port lists).
fn nmap_xml_results(xml: &str) -> Results {
    let mut results = Results::new();
    let (mut host, mut extra_state) = (String::new(), String::new());
    for line in xml.lines() {
        for element in line.split('<').filter(|e| !e.is_empty()) {
            let e = format!("<{element}");
            if e.starts_with("<address ") && attr(&e, "addrtype") != Some("mac") {
                host = attr(&e, "addr").unwrap().to_string();
            } else if e.starts_with("<extraports ") {
                extra_state = attr(&e, "state").unwrap().to_string();
            } else if e.starts_with("<extrareasons ") {
                let reason = attr(&e, "reason").unwrap();
                // nmap 7.90+ lists the ports; synscan gives only the count.
                for p in attr(&e, "ports").map(expand_ports).unwrap_or_default() {
                    results.insert((host.clone(), p), (extra_state.clone(), reason.to_string()));
                }
            } else if e.starts_with("<port ") {
                let port: u16 = attr(&e, "portid").unwrap().parse().unwrap();
                let state_at = line.find(&format!("portid=\"{port}\"")).unwrap();
                let state = &line[state_at..];
                let state = &state[state.find("<state ").unwrap()..];
                results.insert(
                    (host.clone(), port),
                    (attr(state, "state").unwrap().to_string(), attr(state, "reason").unwrap().to_string()),
                );
            }
        }
    }
    results
}

/// The elements of an nmap XML report that say which ports are where: the addresses,
/// `<extraports>`, `<extrareasons>` and each `<port>`'s `<state>`, in order, as text (the
/// service names come from each tool's own table and are left out).
fn xml_structure(xml: &str) -> Vec<String> {
    xml.split('<')
        .filter(|e| {
            ["address ", "extraports ", "extrareasons ", "port ", "state ", "/extraports"]
                .iter()
                .any(|p| e.starts_with(p))
        })
        .map(|e| format!("<{}", e.trim_end()))
        .collect()
}

/// The `Host:` lines of nmap's greppable form, with each port's service name left out.
fn greppable_hosts(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.starts_with("Host: "))
        .map(|l| {
            l.split('\t')
                .map(|field| match field.strip_prefix("Ports: ") {
                    Some(ports) => {
                        let ports: Vec<String> = ports
                            .split(", ")
                            .map(|p| {
                                let mut f: Vec<&str> = p.split('/').collect();
                                if f.len() > 4 {
                                    f[4] = "";
                                }
                                f.join("/")
                            })
                            .collect();
                        format!("Ports: {}", ports.join(", "))
                    }
                    None => field.to_string(),
                })
                .collect::<Vec<_>>()
                .join("\t")
        })
        .collect()
}

/// Debian's python3-nmap (`nmap.PortScanner().analyse_nmap_xml_scan`) reading each file:
/// per host, the TCP ports with state and reason, as Python prints the dict. None (with a
/// notice) when python3-nmap is not installed.
fn python_nmap(files: &[&std::path::Path]) -> Option<Vec<String>> {
    const SCRIPT: &str = "import sys, nmap\n\
        r = nmap.PortScanner().analyse_nmap_xml_scan(open(sys.argv[1]).read())\n\
        print({h: {p: (v['state'], v['reason']) for p, v in sorted(d.get('tcp', {}).items())} for h, d in sorted(r['scan'].items())})";
    let mut out = Vec::new();
    for file in files {
        let r = Command::new("/usr/bin/python3").args(["-c", SCRIPT]).arg(file).output();
        match r {
            Ok(o) if o.status.success() => out.push(String::from_utf8_lossy(&o.stdout).trim().to_string()),
            Ok(o) if String::from_utf8_lossy(&o.stderr).contains("No module named 'nmap'") => {
                notice("SKIP python3-nmap check: not installed (apt-get install python3-nmap)");
                return None;
            }
            Err(e) => {
                notice(&format!("SKIP python3-nmap check: /usr/bin/python3: {e}"));
                return None;
            }
            Ok(o) => panic!("python3-nmap on {}: {}", file.display(), String::from_utf8_lossy(&o.stderr)),
        }
    }
    Some(out)
}

fn nmap(lab: &Lab, args: &[&str]) -> Results {
    let mut all = vec!["-sS", "-n", "-Pn", "--reason", "-T4", "-oX", "-"];
    all.extend_from_slice(args);
    let out = lab.command(Host::Client, "nmap", &all).stdin(Stdio::null()).output().expect("nmap");
    assert!(out.status.success(), "nmap {all:?}: {}", String::from_utf8_lossy(&out.stderr));
    nmap_xml_results(&String::from_utf8_lossy(&out.stdout))
}

fn differences(a: &Results, b: &Results) -> Vec<String> {
    let keys: BTreeSet<&(String, u16)> = a.keys().chain(b.keys()).collect();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .take(20)
        .map(|k| format!("{}:{} synscan {:?} nmap {:?}", k.0, k.1, a.get(k), b.get(k)))
        .collect()
}

fn lab() -> Option<Lab> {
    if !is_root() {
        notice("SKIP synscan lab test: needs root (CAP_NET_ADMIN) for the namespace lab");
        return None;
    }
    if !support::have("nmap", "synscan lab test (apt-get install nmap)") {
        return None;
    }
    Lab::up()
}

fn by_state(r: &Results, host: &str, state: &str) -> Vec<u16> {
    r.iter().filter(|((h, _), (s, _))| h == host && s == state).map(|((_, p), _)| *p).collect()
}

fn assert_lab_answers(lab: &Lab, r: &Results, host: &str, ports: std::ops::RangeInclusive<u16>) {
    let open: Vec<u16> = lab.ports("TCP_OPEN").into_iter().filter(|p| ports.contains(p)).collect();
    let mut filtered: Vec<u16> = lab.ports("TCP_FILTERED");
    filtered.extend(lab.ports("TCP_REJECTED"));
    filtered.retain(|p| ports.contains(p));
    filtered.sort_unstable();
    assert_eq!(by_state(r, host, "open"), open);
    assert_eq!(by_state(r, host, "filtered"), filtered);
    assert_eq!(by_state(r, host, "closed").len(), ports.count() - open.len() - filtered.len());
}

#[test]
fn every_port_of_the_server_as_nmap_reports_it() {
    let _one = one_at_a_time();
    let Some(lab) = lab() else { return };
    let server = lab.get("SERVER_V4");
    let (ours, summary) = scan_json(&lab, &["--rate", "100000", "-p-", server]);
    assert_lab_answers(&lab, &ours, server, 1..=65535);
    let theirs = nmap(&lab, &["-p-", server]);
    assert_eq!(theirs.len(), 65535, "nmap's extrareasons list the ports");
    assert!(differences(&ours, &theirs).is_empty(), "{:#?}", differences(&ours, &theirs));
    let reasons: BTreeSet<&str> = ours.values().map(|v| v.1.as_str()).collect();
    assert_eq!(reasons, BTreeSet::from(["admin-prohibited", "no-response", "reset", "syn-ack"]));
    assert_eq!(summary["dropped"], 0);
}

#[test]
fn two_hosts_and_ipv6_as_nmap_reports_them() {
    let _one = one_at_a_time();
    let Some(lab) = lab() else { return };
    let (server, host2) = (lab.get("SERVER_V4"), lab.get("HOST2_V4"));
    let (ours, _) = scan_json(&lab, &["--rate", "50000", "-p", "1-2000", server, host2]);
    assert_lab_answers(&lab, &ours, server, 1..=2000);
    assert_eq!(by_state(&ours, host2, "closed").len(), 2000, "host2 has no listeners");
    let theirs = nmap(&lab, &["-p", "1-2000", server, host2]);
    assert!(differences(&ours, &theirs).is_empty(), "{:#?}", differences(&ours, &theirs));

    let (server6, host2_6) = (lab.get("SERVER_V6"), lab.get("HOST2_V6"));
    let (ours6, _) = scan_json(&lab, &["--rate", "50000", "-p", "1-2000", server6, host2_6]);
    assert_lab_answers(&lab, &ours6, server6, 1..=2000);
    let theirs6 = nmap(&lab, &["-6", "-p", "1-2000", server6, host2_6]);
    assert!(differences(&ours6, &theirs6).is_empty(), "{:#?}", differences(&ours6, &theirs6));
}

#[test]
fn twenty_runs_give_identical_results() {
    let _one = one_at_a_time();
    let Some(lab) = lab() else { return };
    let (server, host2) = (lab.get("SERVER_V4"), lab.get("HOST2_V4"));
    let (first, _) = scan_json(&lab, &["--rate", "50000", "-p", "1-2000", server, host2]);
    assert_eq!(first.len(), 4000);
    for run in 1..20 {
        let (again, _) = scan_json(&lab, &["--rate", "50000", "-p", "1-2000", server, host2]);
        assert!(again == first, "run {run}: {:#?}", differences(&again, &first));
    }
}

#[test]
fn a_high_rate_loses_nothing_and_the_counters_add_up() {
    let _one = one_at_a_time();
    let Some(lab) = lab() else { return };
    let server = lab.get("SERVER_V4");
    let (slow, slow_summary) = scan_json(&lab, &["--rate", "5000", "-p", "1-20000", server]);
    // The pacer keeps to the rate asked (never above it; within 20% below on a loaded machine).
    let slow_rate = slow_summary["send_rate"].as_u64().unwrap();
    assert!((4000..=5100).contains(&slow_rate), "--rate 5000 sent at {slow_rate}/s");
    let (fast, s) = scan_json(&lab, &["--rate", "50000", "-p", "1-20000", server]);
    assert!(fast == slow, "{:#?}", differences(&fast, &slow));
    let n = |k: &str| s[k].as_u64().unwrap_or_else(|| panic!("summary has no {k}: {s}"));
    let answered = fast.values().filter(|v| v.1 != "no-response").count() as u64;
    let no_response = fast.values().filter(|v| v.1 == "no-response").count() as u64;
    assert_eq!((n("hosts"), n("ports")), (1, 20000));
    assert_eq!(n("open") + n("closed") + n("filtered"), 20000);
    assert_eq!(n("answers"), answered);
    assert_eq!(n("received"), n("answers") + n("duplicates") + n("ignored"));
    assert_eq!(n("probes"), 20000 + n("retries"));
    // Each retry round resends only what is still unanswered: the dropped ports twice each,
    // and any answer lost on the way once more.
    assert!(n("retries") >= 2 * no_response && n("retries") < 2 * no_response + 200, "{s}");
    assert_eq!(n("dropped"), 0);
    assert!(n("send_rate") <= 51000, "above the rate asked: {s}");
}

/// tcpdump capturing at the server (started and ready before the scan).
struct ServerCapture {
    child: Child,
    path: std::path::PathBuf,
}

impl ServerCapture {
    fn start(lab: &Lab, name: &str) -> ServerCapture {
        let path = std::env::temp_dir().join(format!("synscan-{}-{name}.pcap", lab.name()));
        let p = path.to_str().unwrap();
        let mut child = lab
            .command(
                Host::Server,
                "tcpdump",
                [
                    "-i",
                    "eth0",
                    "-n",
                    "-s",
                    "128",
                    "--immediate-mode",
                    "-U",
                    "-w",
                    p,
                    "tcp[tcpflags] == tcp-syn or ip6",
                ],
            )
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("tcpdump");
        // tcpdump says "listening on" once the capture is open.
        use std::io::Read;
        let mut err = child.stderr.take().unwrap();
        let mut seen = Vec::new();
        let mut byte = [0u8; 1];
        while !String::from_utf8_lossy(&seen).contains("listening on") {
            assert_eq!(err.read(&mut byte).unwrap(), 1, "tcpdump ended: {}", String::from_utf8_lossy(&seen));
            seen.push(byte[0]);
        }
        std::thread::spawn(move || std::io::copy(&mut err, &mut std::io::sink()));
        ServerCapture { child, path }
    }

    /// Stops the capture; the SYNs it saw as (dst, dport, sport, seq) in order.
    fn syns(mut self) -> Vec<(IpAddr, u16, u16, u32, IpAddr)> {
        std::thread::sleep(Duration::from_millis(200));
        let _ = Command::new("kill").args(["-INT", &self.child.id().to_string()]).status();
        let _ = self.child.wait();
        let bytes = std::fs::read(&self.path).expect("capture");
        let _ = std::fs::remove_file(&self.path);
        let mut out = Vec::new();
        for (data, ..) in support::packets(&bytes).expect("capture reads") {
            let Some((_, ip)) = pktkit::net::network_layer(pktkit::capture::LinkType::ETHERNET, &data) else {
                continue;
            };
            let (src, dst, tcp): (IpAddr, IpAddr, &[u8]) = match ip[0] >> 4 {
                4 if ip.len() >= 40 && ip[9] == 6 => {
                    let hl = usize::from(ip[0] & 15) * 4;
                    (
                        <[u8; 4]>::try_from(&ip[12..16]).unwrap().into(),
                        <[u8; 4]>::try_from(&ip[16..20]).unwrap().into(),
                        &ip[hl..],
                    )
                }
                6 if ip.len() >= 60 && ip[6] == 6 => (
                    <[u8; 16]>::try_from(&ip[8..24]).unwrap().into(),
                    <[u8; 16]>::try_from(&ip[24..40]).unwrap().into(),
                    &ip[40..],
                ),
                _ => continue,
            };
            if tcp.len() < 14 || tcp[13] != 0x02 {
                continue;
            }
            let sport = u16::from_be_bytes([tcp[0], tcp[1]]);
            let dport = u16::from_be_bytes([tcp[2], tcp[3]]);
            let seq = u32::from_be_bytes([tcp[4], tcp[5], tcp[6], tcp[7]]);
            out.push((dst, dport, sport, seq, src));
        }
        out
    }
}

#[test]
fn shards_are_disjoint_and_together_the_whole_scan() {
    let _one = one_at_a_time();
    let Some(lab) = lab() else { return };
    let (server, host2) = (lab.get("SERVER_V4"), lab.get("HOST2_V4"));
    let base = ["--rate", "50000", "--retries", "0", "--seed", "77", "-p", "1-2000", server, host2];
    let (whole, _) = scan_json(&lab, &base);
    let capture = ServerCapture::start(&lab, "shards");
    let mut union = Results::new();
    for k in 1..=3 {
        let shard = format!("{k}/3");
        let mut args = base.to_vec();
        args.extend(["--shard", shard.as_str()]);
        let (part, _) = scan_json(&lab, &args);
        assert!(part.len() > 1000 && part.len() < 1700, "shard {k} has {} ports", part.len());
        for (key, val) in part {
            assert!(union.insert(key.clone(), val).is_none(), "{key:?} in two shards");
        }
    }
    assert!(union == whole, "{:#?}", differences(&union, &whole));
    let syns = capture.syns();
    let distinct: BTreeSet<(IpAddr, u16)> = syns.iter().map(|s| (s.0, s.1)).collect();
    assert_eq!((syns.len(), distinct.len()), (4000, 4000), "every probe exactly once at the server");

    // Two shards at the same time from one address, with the same seed and source ports: each
    // sees the other's answers, and keeps only its own.
    let (first, second) = std::thread::scope(|scope| {
        let run = |shard: &'static str| {
            let lab = &lab;
            let base = &base;
            scope.spawn(move || {
                let mut args = base.to_vec();
                args.extend(["--shard", shard]);
                scan_json(lab, &args).0
            })
        };
        let (one, two) = (run("1/2"), run("2/2"));
        (one.join().unwrap(), two.join().unwrap())
    });
    assert_eq!(first.len() + second.len(), 4000, "concurrent shards report only their own ports");
    let mut together = first;
    together.extend(second);
    assert!(together == whole, "{:#?}", differences(&together, &whole));
}

#[test]
fn probes_on_the_wire_are_permuted_with_valid_cookies_and_retried_only_unanswered() {
    let _one = one_at_a_time();
    let Some(lab) = lab() else { return };
    let server = lab.get("SERVER_V4");
    let capture = ServerCapture::start(&lab, "wire");
    let (results, summary) = scan_json(&lab, &["--rate", "20000", "--seed", "4242", "-p", "1-2000", server]);
    let syns = capture.syns();
    let firsts: Vec<u16> = {
        let mut seen = BTreeSet::new();
        syns.iter().filter(|s| seen.insert(s.1)).map(|s| s.1).collect()
    };
    assert_eq!(firsts.len(), 2000);
    let in_order = firsts.windows(2).filter(|w| w[1] == w[0] + 1).count();
    assert!(in_order < 20, "{in_order} of 2000 probes follow their port neighbour: not permuted");
    let mut sorted = firsts.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (1..=2000).collect::<Vec<u16>>());

    // The cookie: the seed gives the key; the source ports are outside the ephemeral range.
    let cookie = pktkit::scan::SynCookie::from_seed(4242, pktkit::scan::SourcePorts::from_system());
    for (dst, dport, sport, seq, src) in &syns {
        assert!(cookie.is_ours(*src, *dst, *sport, *dport, *seq), "bad cookie on the probe to port {dport}");
    }
    let mut per_port: HashMap<u16, usize> = HashMap::new();
    for s in &syns {
        *per_port.entry(s.1).or_default() += 1;
    }
    let retried: BTreeSet<u16> = per_port.iter().filter(|(_, n)| **n > 1).map(|(p, _)| *p).collect();
    let no_response: BTreeSet<u16> =
        results.iter().filter(|(_, v)| v.1 == "no-response").map(|((_, p), _)| *p).collect();
    assert_eq!(retried, no_response, "retries go exactly to the ports that never answered");
    assert!(retried.iter().all(|p| per_port[p] == 3), "two retries each: {per_port:?}");
    assert_eq!(summary["retries"].as_u64(), Some(2 * no_response.len() as u64));
}

#[test]
fn greppable_xml_and_json_are_read_by_other_tools() {
    let _one = one_at_a_time();
    let Some(lab) = lab() else { return };
    if !support::have("xmllint", "greppable_xml_and_json_are_read_by_other_tools (libxml2-utils)") {
        return;
    }
    let (server, host2) = (lab.get("SERVER_V4"), lab.get("HOST2_V4"));
    let dir = std::env::temp_dir().join(format!("synscan-out-{}", lab.name()));
    std::fs::create_dir_all(&dir).unwrap();
    // Ports 1-2000 and 6000: open, closed, dropped (no-response) and rejected
    // (admin-prohibited) ports on the server, every port closed on host2.
    let ports = "1-2000,6000";
    let (xml, gnmap) = (dir.join("scan.xml"), dir.join("scan.gnmap"));
    let (xml_s, gnmap_s) = (xml.to_str().unwrap(), gnmap.to_str().unwrap());
    let r = scan_in(&lab, &["--rate", "50000", "-p", ports, "-oX", xml_s, "-oG", gnmap_s, server, host2]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let text = r.stdout_text();
    assert!(text.contains("Discovered open port 22/tcp on 10.0.3.2"), "{text}");
    assert!(text.contains("22/tcp  open  ssh     syn-ack ttl 62"), "{text}");
    assert!(text.contains("synscan done: 2 addresses x 2001 ports"), "{text}");
    let open: Vec<u16> = lab.ports("TCP_OPEN").into_iter().filter(|p| *p <= 2000).collect();

    // synscan shows open ports only by default: the same reports as `nmap --open`, and with
    // --filtered (closed ports hidden) the same as nmap's default here (nmap shows a state
    // of at most 25 ports, and hides the closed ones). Same <extraports>/<extrareasons>
    // (state, count, reason, ports), same <port> elements, same -oG Host lines.
    for (ours, theirs) in [(&[][..], &["--open"][..]), (&["--filtered"][..], &[][..])] {
        let (nxml, ngnmap) = (dir.join("nmap.xml"), dir.join("nmap.gnmap"));
        let mut args = vec!["-q", "--rate", "50000", "-p", ports, "-oX", xml_s, "-oG", gnmap_s];
        args.extend_from_slice(ours);
        args.extend([server, host2]);
        let r = scan_in(&lab, &args);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        let mut args = vec!["-sS", "-n", "-Pn", "--reason", "-T4", "-p", ports];
        args.extend_from_slice(theirs);
        args.extend(["-oX", nxml.to_str().unwrap(), "-oG", ngnmap.to_str().unwrap(), server, host2]);
        let out = lab.command(Host::Client, "nmap", &args).stdin(Stdio::null()).output().expect("nmap");
        assert!(out.status.success(), "nmap {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        for file in [&xml, &nxml] {
            let lint = Command::new("xmllint")
                .args(["--noout", "--dtdvalid", "/usr/share/nmap/nmap.dtd"])
                .arg(file)
                .output()
                .unwrap();
            assert!(
                lint.status.success(),
                "xmllint {}: {}",
                file.display(),
                String::from_utf8_lossy(&lint.stderr)
            );
        }
        let (x, nx) = (std::fs::read_to_string(&xml).unwrap(), std::fs::read_to_string(&nxml).unwrap());
        assert_eq!(xml_structure(&x), xml_structure(&nx), "synscan {ours:?} against nmap {theirs:?}");
        assert_eq!(nmap_xml_results(&x), nmap_xml_results(&nx));
        let (g, ng) = (std::fs::read_to_string(&gnmap).unwrap(), std::fs::read_to_string(&ngnmap).unwrap());
        assert_eq!(
            greppable_hosts(&g),
            greppable_hosts(&ng),
            "-oG: synscan {ours:?} against nmap {theirs:?}"
        );
        assert!(g.lines().last().unwrap().starts_with("# synscan done at "), "{g}");
        if let Some(parsed) = python_nmap(&[&xml, &nxml]) {
            assert_eq!(parsed[0], parsed[1], "python3-nmap reads the same ports");
            assert!(parsed[0].contains("'10.0.3.2': {22: ('open', 'syn-ack')"), "{}", parsed[0]);
        }
    }
    let x = std::fs::read_to_string(&xml).unwrap();
    assert!(
        x.contains("<extrareasons reason=\"reset\" count=\"2001\" proto=\"tcp\" ports=\"1-2000,6000\"/>"),
        "host2: every port closed: {x}"
    );
    assert_eq!(by_state(&nmap_xml_results(&x), server, "open"), open);
    let _ = std::fs::remove_dir_all(&dir);

    // -w: every probe and every valid answer (a duplicate too), as raw IP.
    let pcap = dir.join("scan.pcap");
    std::fs::create_dir_all(&dir).unwrap();
    let r = scan_in(
        &lab,
        &["--json", "-q", "--rate", "50000", "-p", "1-1000", "-w", pcap.to_str().unwrap(), server],
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let summary: serde_json::Value = serde_json::from_str(r.stdout_text().lines().last().unwrap()).unwrap();
    let written = support::packets(&std::fs::read(&pcap).unwrap()).expect("-w writes a readable capture");
    let sent = written.iter().filter(|p| p.0.get(12..16) == Some(&[10, 0, 1, 2][..])).count() as u64;
    assert_eq!(sent, summary["probes"].as_u64().unwrap(), "every probe in the capture");
    assert_eq!(
        written.len() as u64 - sent,
        summary["answers"].as_u64().unwrap() + summary["duplicates"].as_u64().unwrap(),
        "every answer in the capture"
    );
    let _ = std::fs::remove_dir_all(&dir);

    // --json through jq: the open ports of the server.
    let r = scan_in(&lab, &["--json", "--rate", "50000", "-p", "1-1000", server]);
    let mut jq = Command::new("jq");
    jq.args(["-r", "select(.type == \"port\" and .state == \"open\") | .port"]);
    let out = run_with(jq, &r.stdout, Duration::from_secs(10));
    assert_eq!(out.code, Some(0), "jq: {}", out.stderr);
    let mut from_jq: Vec<u16> = out.stdout_text().lines().map(|l| l.parse().unwrap()).collect();
    from_jq.sort_unstable();
    assert_eq!(from_jq, open);
}

/// An open port is printed when its answer arrives, long before the scan ends (here held
/// open by `--wait 3` after the last probe).
#[test]
fn open_ports_stream_as_they_arrive() {
    let _one = one_at_a_time();
    let Some(lab) = lab() else { return };
    use std::io::BufRead;
    let start = std::time::Instant::now();
    let mut child = lab
        .command(Host::Client, BIN, ["--retries", "0", "--wait", "3", "-p", "22,25", lab.get("SERVER_V4")])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    let at = start.elapsed();
    assert_eq!(first, "Discovered open port 22/tcp on 10.0.3.2\n");
    assert!(at < Duration::from_millis(1500), "first line after {at:?}");
    assert!(child.wait().unwrap().success());
    assert!(start.elapsed() >= Duration::from_secs(3), "the scan waited after its last probe");
}

#[test]
fn ctrl_c_mid_scan_prints_the_results_so_far_and_exits_0() {
    let _one = one_at_a_time();
    let Some(lab) = lab() else { return };
    // -p- at 5,000 probes/s takes 13 s; SIGINT after 1.5 s stops it in the first round.
    let start = std::time::Instant::now();
    let child = lab
        .command(Host::Client, BIN, ["--json", "--all", "-q", "--rate", "5000", "-p-", lab.get("SERVER_V4")])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    // `ip netns exec` execs synscan in place: the child's pid is synscan's.
    let kill = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let out = child.wait_with_output().unwrap();
    let elapsed = start.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(elapsed < Duration::from_secs(8), "stopped after {elapsed:?}");
    assert!(stderr.contains("interrupted: results so far"), "{stderr}");
    let records: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let summary = records.last().expect("a summary record");
    assert_eq!(summary["type"], "summary");
    let ports = records.iter().filter(|r| r["type"] == "port").count() as u64;
    // Some ports settled, not all of them, and the summary counts what was printed.
    assert!(ports > 0 && ports < 65535, "{ports} port records");
    let counted: u64 = ["open", "closed", "filtered"].iter().map(|k| summary[*k].as_u64().unwrap()).sum();
    assert_eq!(counted, ports, "{summary}");
}

/// A port answered with a bare SYN (no ACK: one side of a split handshake, here the lab's
/// scapy answerer, variant bare-syn) is open with nmap's reason `split-handshake-syn`, over
/// IPv4 and IPv6, and nmap says the same; the ports beside it stay closed.
#[test]
fn a_bare_syn_answer_is_open_split_handshake_as_nmap_says() {
    let _one = one_at_a_time();
    if !is_root() {
        notice("SKIP a_bare_syn_answer_is_open_split_handshake_as_nmap_says: needs root for the lab");
        return;
    }
    let scapy = Command::new("/usr/bin/python3").args(["-c", "import scapy.all"]).output();
    if !scapy.is_ok_and(|o| o.status.success()) {
        notice(
            "SKIP a_bare_syn_answer_is_open_split_handshake_as_nmap_says: no python3-scapy (apt-get install python3-scapy)",
        );
        return;
    }
    let Some(lab) = Lab::up_with(&["bare-syn"]) else { return };
    let port = lab.ports("TCP_BARE_SYN")[0];
    let ports = format!("{}-{}", port - 1, port + 1);
    let (server, server6) = (lab.get("SERVER_V4"), lab.get("SERVER_V6"));
    let (ours, summary) = scan_json(&lab, &["-p", &ports, server, server6]);
    for host in [server, server6] {
        let want = |p: u16, s: &str, r: &str| ((host.to_string(), p), (s.to_string(), r.to_string()));
        let expected: Results = [
            want(port - 1, "closed", "reset"),
            want(port, "open", "split-handshake-syn"),
            want(port + 1, "closed", "reset"),
        ]
        .into_iter()
        .collect();
        let got: Results =
            ours.iter().filter(|(k, _)| k.0 == host).map(|(k, v)| (k.clone(), v.clone())).collect();
        assert_eq!(got, expected, "{host}");
    }
    // Every port answered; the scapy answerer may be slower than the timeout learnt from the
    // kernel's RSTs (a retry, counted as a duplicate answer), which changes no result.
    assert_eq!((summary["open"].as_u64(), summary["answers"].as_u64()), (Some(2), Some(6)), "{summary}");
    let text = scan_in(&lab, &["-p", &ports, server]).stdout_text();
    assert!(text.contains(&format!("{port}/tcp open  unknown split-handshake-syn ttl 62")), "{text}");
    if support::have("nmap", "the comparison with nmap") {
        let theirs = nmap(&lab, &["-p", &ports, server]);
        let theirs6 = nmap(&lab, &["-6", "-p", &ports, server6]);
        let both: Results = theirs.into_iter().chain(theirs6).collect();
        assert!(differences(&ours, &both).is_empty(), "{:#?}", differences(&ours, &both));
    }
}

#[test]
fn bad_targets_ports_and_options_exit_2_with_one_line() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["10.0.0.300", "22"],
            "synscan: bad target \"10.0.0.300\" at position 8: octet 300 is out of range (0-255)",
        ),
        (
            &["10.0.0.1", "22-99999"],
            "synscan: bad port \"22-99999\" at position 4: port 99999 is out of range (0-65535)",
        ),
        (&["-p", "22,,80", "10.0.0.1"], "synscan: bad port \"22,,80\" at position 4: empty item"),
        (
            &["-p", "22", "10.0.0.0/33"],
            "synscan: bad target \"10.0.0.0/33\" at position 10: IPv4 prefix length is more than 32",
        ),
        (
            &["-p", "22", "10.0.5-2.1"],
            "synscan: bad target \"10.0.5-2.1\" at position 7: range ends before it starts",
        ),
        (
            &["--seed", "1", "--shard", "4/3", "-p", "22", "10.0.0.1"],
            "synscan: bad shard \"4/3\" at position 1: K must be between 1 and N",
        ),
        (
            &["--top-ports", "5000", "10.0.0.1"],
            "synscan: bad port \"5000\" at position 1: --top-ports takes 1 to 1000",
        ),
        (&["-p", "22"], "synscan: no targets"),
    ];
    for (args, want) in cases {
        let r = run(BIN, args, b"");
        assert_eq!(r.code, Some(2), "{args:?}: {}", r.stderr);
        // One line; a command-line error adds the `try 'synscan --help'` hint.
        assert!(r.stderr.lines().count() <= 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.lines().skip(1).all(|l| l == "try 'synscan --help'"), "{args:?}: {}", r.stderr);
        assert!(r.stderr.starts_with(want), "{args:?}: {}", r.stderr);
        assert!(r.stdout.is_empty());
    }
    // Options clap refuses: exit 2 too.
    for args in [&["--rate", "0", "10.0.0.1"][..], &["--shard", "1/3", "10.0.0.1"], &["--no-such-option"]] {
        let r = run(BIN, args, b"");
        assert_eq!(r.code, Some(2), "{args:?}: {}", r.stderr);
    }
}

#[test]
fn without_cap_net_raw_one_line_with_the_setcap_fix() {
    if !is_root() {
        let r = run(BIN, &["-p", "22", "127.0.0.1"], b"");
        assert_eq!(r.code, Some(1), "{}", r.stderr);
        assert!(r.stderr.contains("CAP_NET_RAW") && r.stderr.contains("setcap"), "{}", r.stderr);
        return;
    }
    // As root: drop to nobody with no capabilities (util-linux setpriv).
    let out = Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--inh-caps=-all",
            BIN,
            "-p",
            "22",
            "127.0.0.1",
        ])
        .output()
        .expect("setpriv");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("synscan: sending SYN probes needs CAP_NET_RAW"), "{err}");
    assert!(err.contains("sudo setcap cap_net_raw,cap_net_admin+ep "), "{err}");
}
