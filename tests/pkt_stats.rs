//! pkt-stats as users run it: the real binary on built captures, on the corpus against
//! tshark's io,phs and conv tables, merged shards against the whole, and live mode on a slow
//! stream.

mod support;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{corpus, frame, parallel, pcap, run};

const BIN: &str = env!("CARGO_BIN_EXE_pkt-stats");

fn json_of(args: &[&str], input: &[u8]) -> Value {
    let r = run(BIN, args, input);
    assert_eq!(r.code, Some(0), "pkt-stats {args:?}: {}", r.stderr);
    serde_json::from_slice(&r.stdout).unwrap_or_else(|e| panic!("pkt-stats {args:?}: not JSON: {e}"))
}

fn dns_query(id: u16, name: &str) -> Vec<u8> {
    pktkit::proto::dns::build_query(id, true, name, 1).unwrap()
}

/// A small capture: DNS, HTTP, TLS-less TCP, ICMP-less UDP, between three hosts.
fn sample() -> Vec<u8> {
    let q = dns_query(1, "Example.COM");
    let mut resp = q.clone();
    resp[2] |= 0x80;
    let a = frame(17, [10, 0, 0, 1], [10, 0, 0, 53], 40000, 53, &q);
    let b = frame(17, [10, 0, 0, 53], [10, 0, 0, 1], 53, 40000, &resp);
    let c = frame(
        6,
        [10, 0, 0, 1],
        [10, 0, 0, 80],
        40001,
        80,
        b"GET / HTTP/1.1\r\nHost: www.example.com\r\n\r\n",
    );
    let d = frame(6, [10, 0, 0, 80], [10, 0, 0, 1], 80, 40001, b"");
    let e = frame(17, [10, 0, 0, 2], [10, 0, 0, 1], 5000, 6000, b"x");
    pcap(
        1,
        65535,
        &[
            (100, 0, &a, a.len() as u32),
            (100, 500_000, &b, b.len() as u32),
            (101, 0, &c, c.len() as u32),
            (102, 250_000, &d, d.len() as u32),
            (103, 0, &e, 200),
        ],
    )
}

#[test]
fn json_report_of_a_built_capture() {
    let input = sample();
    let j = json_of(&["--json", "--interval", "1s"], &input);
    assert_eq!(j["schema"], "pktkit.stats/3");
    let s = &j["summary"];
    // Four frames captured whole, the fifth 200 bytes on the wire (43 captured).
    let wire: u64 = support::packets(&input).unwrap().iter().map(|p| p.1 as u64).sum();
    assert_eq!(wire, 2 * (14 + 20 + 8 + 29) + (14 + 20 + 20 + 41) + 54 + 200);
    assert_eq!(s["packets"], 5);
    assert_eq!(s["bytes"], wire);
    assert_eq!(s["snapped"], 1);
    // Times as every pktkit JSON document writes them: RFC 3339 UTC with nanoseconds, plus
    // the epoch integers.
    assert_eq!(s["first"], "1970-01-01T00:01:40.000000000Z");
    assert_eq!((s["first_sec"].as_i64(), s["first_nsec"].as_u64()), (Some(100), Some(0)));
    assert_eq!(s["last"], "1970-01-01T00:01:43.000000000Z");
    assert_eq!((s["last_sec"].as_i64(), s["last_nsec"].as_u64()), (Some(103), Some(0)));
    assert_eq!(s["link_types"][0]["name"], "EN10MB");
    assert_eq!(j["protocols"]["tcp"]["frames"], 2);
    assert_eq!(j["protocols"]["udp"]["frames"], 3);
    let h = &j["hierarchy"][0];
    assert_eq!((h["name"].as_str(), h["frames"].as_u64()), (Some("eth"), Some(5)));
    let names: Vec<String> = h["children"][0]["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| format!("{}:{}", n["name"].as_str().unwrap(), n["frames"]))
        .collect();
    assert_eq!(names, ["udp:3", "tcp:2"]);
    let dns = &j["names"]["dns"]["rows"][0];
    assert_eq!(
        (dns["name"].as_str(), dns["queries"].as_u64(), dns["responses"].as_u64()),
        (Some("example.com"), Some(1), Some(1))
    );
    assert_eq!(j["names"]["http_hosts"]["rows"][0]["name"], "www.example.com");
    // Conversations: canonical order, the initiator and each way's counts.
    let udp = j["conversations"]["udp"]["rows"].as_array().unwrap();
    let d53 = udp.iter().find(|c| c["b_port"] == 53).expect("DNS conversation");
    assert_eq!(
        (d53["a"].as_str(), d53["frames_ab"].as_u64(), d53["frames_ba"].as_u64()),
        (Some("10.0.0.1"), Some(1), Some(1))
    );
    assert_eq!(
        (d53["initiator"].as_str(), d53["first"].as_str(), d53["last_nsec"].as_u64()),
        (Some("a"), Some("1970-01-01T00:01:40.000000000Z"), Some(500_000_000))
    );
    let other = udp.iter().find(|c| c["a_port"] == 6000).expect("5000/6000 conversation");
    assert_eq!(other["initiator"], "b", "10.0.0.2 sent first but sorts second");
    // I/O aligned to whole seconds since the epoch.
    let io: Vec<(String, u64)> = j["io"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (r["start_sec"].to_string() + "." + &r["start_nsec"].to_string(), r["frames"].as_u64().unwrap())
        })
        .collect();
    assert_eq!(io, [("100.0".into(), 2), ("101.0".into(), 1), ("102.0".into(), 1), ("103.0".into(), 1)]);
    // Ports: the lower port of each packet.
    let ports: BTreeMap<String, u64> = j["ports"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (format!("{}/{}", r["port"], r["proto"].as_str().unwrap()), r["frames"].as_u64().unwrap()))
        .collect();
    assert_eq!(ports, BTreeMap::from([("53/udp".into(), 2), ("80/tcp".into(), 2), ("5000/udp".into(), 1)]));
    let hosts = j["hosts"]["rows"].as_array().unwrap();
    assert_eq!(hosts[0]["addr"], "10.0.0.1", "the busiest host first");
    assert_eq!(hosts[0]["sent_frames"].as_u64().unwrap() + hosts[0]["recv_frames"].as_u64().unwrap(), 5);
}

#[test]
fn me_gives_directions_and_peers() {
    let input = sample();
    let j = json_of(&["--json", "--me", "10.0.0.1"], &input);
    let d = &j["direction"];
    assert_eq!(d["outbound"]["frames"], 2, "query and request");
    assert_eq!(d["inbound"]["frames"], 3);
    assert_eq!(d["transit"]["frames"], 0);
    let peers = d["peers"]["rows"].as_array().unwrap();
    let p80 = peers.iter().find(|p| p["addr"] == "10.0.0.80").unwrap();
    assert_eq!((p80["out_frames"].as_u64(), p80["in_frames"].as_u64()), (Some(1), Some(1)));
    let j = json_of(&["--json", "--me", "10.0.0.0/24"], &input);
    assert_eq!(j["direction"]["local"]["frames"], 5);
    let r = run(BIN, &["--me", "10.0.0.1/40"], &input);
    assert_eq!(r.code, Some(2), "a bad prefix is a usage error: {}", r.stderr);
}

#[test]
fn text_tables_and_top() {
    let input = sample();
    let r = run(BIN, &[], &input);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let t = r.stdout_text();
    for section in [
        "== Summary",
        "== Protocols",
        "== Protocol hierarchy",
        "== Hosts by bytes (4)",
        "== IP conversations",
        "== TCP conversations",
        "== UDP conversations",
        "== Service ports",
        "== DNS names",
        "== TLS server names",
        "== HTTP hosts",
    ] {
        assert!(t.contains(section), "missing {section}:\n{t}");
    }
    assert!(t.contains("  Packets:             5\n"), "{t}");
    assert!(t.contains("example.com"), "{t}");
    assert!(!t.contains("== I/O"), "no I/O without --interval");
    let r = run(BIN, &["--hosts", "--top", "1"], &input);
    let t = r.stdout_text();
    assert!(t.contains("== Hosts by bytes (top 1 of 4)"), "{t}");
    assert_eq!(t.matches("10.0.0.").count(), 1, "{t}");
    assert!(!t.contains("== Summary"), "only the chosen report");
    let r = run(BIN, &["--io", "--interval", "500ms"], &input);
    let t = r.stdout_text();
    assert!(t.contains("== I/O per 0.500000 s interval"), "{t}");
    // 100.0 to 103.0 by half seconds: 7 rows, empty ones shown as zeros.
    let rows = t.lines().skip_while(|l| !l.starts_with("== I/O")).skip(2).count();
    assert_eq!(rows, 7, "{t}");
}

#[test]
fn usage_and_input_errors() {
    let input = sample();
    for args in [
        &["--interval", "0s"][..],
        &["--interval", "fast"],
        &["--merge"],
        &["--merge", "--me", "1.2.3.4", "x.json"],
    ] {
        let r = run(BIN, args, &input);
        assert_eq!(r.code, Some(2), "{args:?}: {}", r.stderr);
    }
    let r = run(BIN, &[], b"not a capture");
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.starts_with("pkt-stats: "), "{}", r.stderr);
    // A damaged input still gives the report of the packets before the damage.
    let mut cut = input.clone();
    cut.truncate(input.len() - 10);
    let r = run(BIN, &["--json"], &cut);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    let j: Value = serde_json::from_slice(&r.stdout).expect("report before the error");
    assert_eq!(j["summary"]["packets"], 4);
    // An empty capture (header only).
    let j = json_of(&["--json"], &pcap(1, 65535, &[]));
    assert_eq!(j["summary"]["packets"], 0);
    assert!(j["summary"].get("first").is_none() && j["summary"].get("first_sec").is_none());
}

static TMP: AtomicUsize = AtomicUsize::new(0);

/// A fresh scratch directory under the system temp dir, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let n = TMP.fetch_add(1, Ordering::Relaxed);
        let p = std::env::temp_dir().join(format!("pkt-stats-test-{}-{tag}-{n}", std::process::id()));
        std::fs::create_dir_all(&p).unwrap();
        Scratch(p)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Writes `capture` split before the packets numbered in `cuts` (0-based), as pcapng files.
fn split(capture: &[u8], cuts: &[usize], dir: &Path) -> Vec<PathBuf> {
    use pktkit::capture::{CaptureReader, CaptureWriter, Input, OutputFormat};
    let input = Input::Stream("capture".into(), Box::new(std::io::Cursor::new(capture.to_vec())));
    let mut reader = CaptureReader::new(vec![input]);
    let mut files = Vec::new();
    let mut writer: Option<CaptureWriter<std::fs::File>> = None;
    let mut i = 0usize;
    let open = |files: &mut Vec<PathBuf>| {
        let p = dir.join(format!("part{}.pcapng", files.len()));
        files.push(p.clone());
        CaptureWriter::new(std::fs::File::create(&p).unwrap(), OutputFormat::PcapNg)
    };
    while let Some(pkt) = reader.next_packet().unwrap() {
        if writer.is_none() || cuts.contains(&i) {
            if let Some(w) = writer.take() {
                w.finish().unwrap();
            }
            writer = Some(open(&mut files));
        }
        let w = writer.as_mut().unwrap();
        w.begin(pkt.interface).unwrap();
        assert!(w.write(&pkt).unwrap());
        i += 1;
    }
    if let Some(w) = writer.take() {
        w.finish().unwrap();
    }
    files
}

fn count_packets(capture: &[u8]) -> usize {
    support::packets(capture).expect("readable").len()
}

/// Runs pkt-stats on each shard and merges (the reports in reverse order when the cuts are an
/// odd number: merging does not depend on order); returns (whole, merged) JSON texts.
fn whole_and_merged(capture: &Path, cuts: &[usize], opts: &[&str], tag: &str) -> (String, String) {
    let bytes = std::fs::read(capture).unwrap();
    let dir = Scratch::new(tag);
    let parts = split(&bytes, cuts, &dir.0);
    let mut args: Vec<String> = vec!["--json".into()];
    args.extend(opts.iter().map(|s| s.to_string()));
    let mut whole_args = args.clone();
    whole_args.push(capture.display().to_string());
    let whole = Command::new(BIN).args(&whole_args).output().unwrap();
    assert!(whole.status.success(), "{}", String::from_utf8_lossy(&whole.stderr));
    let mut reports = Vec::new();
    for (i, p) in parts.iter().enumerate() {
        let mut a = args.clone();
        a.push(p.display().to_string());
        let out = Command::new(BIN).args(&a).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let r = dir.0.join(format!("report{i}.json"));
        std::fs::write(&r, &out.stdout).unwrap();
        reports.push(r.display().to_string());
    }
    if cuts.len() % 2 == 1 {
        reports.reverse();
    }
    let mut m = vec!["--merge".to_string(), "--json".to_string()];
    m.extend(reports);
    let merged = Command::new(BIN).args(&m).output().unwrap();
    assert!(merged.status.success(), "{}", String::from_utf8_lossy(&merged.stderr));
    (String::from_utf8(whole.stdout).unwrap(), String::from_utf8(merged.stdout).unwrap())
}

/// Many hosts and conversations over several seconds, so small caps fold rows.
fn busy_capture() -> Vec<u8> {
    let mut frames = Vec::new();
    let mut x: u32 = 12345;
    for i in 0..600u32 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        let src = [10, 0, (x >> 8) as u8 % 8, (x >> 16) as u8 % 16];
        let dst = [192, 168, 0, (x >> 24) as u8 % 20];
        let proto = if x & 1 == 0 { 6 } else { 17 };
        let payload: &[u8] =
            if i % 50 == 0 { b"GET / HTTP/1.1\r\nHost: busy.example\r\n\r\n" } else { b"data" };
        let f = frame(proto, src, dst, 1024 + (x % 7) as u16, if proto == 6 { 80 } else { 53 }, payload);
        frames.push((1_700_000_000 + i / 97, (i * 7919 % 1_000_000), f));
    }
    let recs: Vec<(u32, u32, &[u8], u32)> =
        frames.iter().map(|(s, us, f)| (*s, *us, f.as_slice(), f.len() as u32)).collect();
    pcap(1, 65535, &recs)
}

#[test]
fn merged_shards_equal_the_whole() {
    let dir = Scratch::new("busy");
    let busy = dir.0.join("busy.pcap");
    std::fs::write(&busy, busy_capture()).unwrap();
    let small_caps =
        ["--max-hosts", "7", "--max-conversations", "5", "--max-names", "1", "--max-intervals", "3"];
    let option_sets: Vec<Vec<&str>> = vec![
        vec![],
        vec!["--interval", "1s", "--me", "192.168.0.0/28"],
        [&small_caps[..], &["--interval", "250ms", "--me", "10.0.3.0/24"]].concat(),
    ];
    for opts in &option_sets {
        for cuts in [vec![300], vec![1, 599], vec![100, 200, 300, 400, 500], (1..600).step_by(37).collect()] {
            let (whole, merged) = whole_and_merged(&busy, &cuts, opts, "busy");
            assert_eq!(merged, whole, "options {opts:?}, cut before packets {cuts:?}");
        }
    }
    // The small caps really folded rows, so the 'other' rows were part of the comparison.
    let (whole, _) = whole_and_merged(&busy, &[300], &small_caps, "busy");
    let j: Value = serde_json::from_str(&whole).unwrap();
    assert_eq!(j["hosts"]["folded"], true);
    assert_eq!(j["conversations"]["tcp"]["folded"], true);
    assert!(j["conversations"]["tcp"]["other"]["frames"].as_u64().unwrap() > 0);
}

/// Corpus captures for the merge property; those with IP fragments run with --no-defrag (a
/// datagram whose fragments fall in two shards cannot be reassembled in either).
const MERGE_CAPTURES: &[(&str, bool)] = &[
    ("samples/PcapExamples/many_interfaces-1.pcapng", false),
    ("samples/PacketExamples/gtp-u.pcap", false),
    ("samples/PacketExamples/GrePackets.pcap", false),
    ("samples/PcapExamples/VlanPackets.pcap", false),
    ("samples/PcapExamples/ip4_fragments.pcap", true),
    ("samples/PcapExamples/ip6_fragments.pcap", true),
    ("samples/PacketExamples/TwoHttpRequests.pcap", false),
    ("samples/PcapExamples/raw_ip.pcap", false),
    ("pcapng-suite/output_le/difficult/test202.pcapng", false),
];

#[test]
fn merged_corpus_shards_equal_the_whole() {
    let Some(c) = corpus("merged_corpus_shards_equal_the_whole") else { return };
    let mut checked = 0;
    for (name, frags) in MERGE_CAPTURES {
        let path = c.join(name);
        let n = count_packets(&std::fs::read(&path).unwrap());
        assert!(n >= 2, "{name} has {n} packets");
        let mut opts: Vec<&str> = vec!["--interval", "100ms"];
        if *frags {
            opts.push("--no-defrag");
        }
        for cuts in [vec![n / 2], vec![1], vec![n - 1], vec![n / 3, 2 * n / 3], (1..n).collect()] {
            let (whole, merged) = whole_and_merged(&path, &cuts, &opts, "corpus");
            assert_eq!(merged, whole, "{name} split before {cuts:?}");
            checked += 1;
        }
    }
    eprintln!("merge property: {checked} splits of {} corpus captures equal the whole", MERGE_CAPTURES.len());
}

// ---------------------------------------------------------------------------------------
// Conformance with tshark 4.0 (oracles/stats: `tshark -q -z io,phs -z conv,ip -z conv,ipv6
// -z conv,tcp -z conv,udp`, run with tshark's defaults: IP reassembly and TCP desegmentation
// on; see docs/pkt-stats.md).

/// Protocols whose hierarchy nodes must equal tshark's (frames and bytes, per path). Not
/// compared: protocols over TCP, whose counts tshark's reassembly changes (it counts a
/// message where the segment completing it is, and nests one node per message of a
/// segment: bgp, ldap, mysql, pgsql, smtp, ftp, doip, http, tls), tshark's pseudo-protocols
/// (`_ws.short`, `_ws.malformed`, `tcp.segments`, `ftp.current-working-directory`), `data`,
/// gtpv2 (tshark nests a piggybacked message) and gquic (named from the conversation).
const PHS_PROTOCOLS: &[&str] = &[
    "eth",
    "ip",
    "ipv6",
    "tcp",
    "udp",
    "icmp",
    "icmpv6",
    "arp",
    "dns",
    "llc",
    "stp",
    "cdp",
    // issue 16: the entries of the protocols pkt-decode prints, and the link and tunnel layers
    "ah",
    "bjnp",
    "ccp",
    "chdlc",
    "cotp",
    "db-lsp-disc",
    "dhcp",
    "dhcpv6",
    "esp",
    "gre",
    "gtp",
    "ieee8021ad",
    "igmp",
    "lcp",
    "llmnr",
    "mbtcp",
    "mdns",
    "modbus",
    "mpls",
    "nbns",
    "nbss",
    "netlink",
    "netlink-route",
    "nfs",
    "ntp",
    "null",
    "ospf",
    "ppp",
    "pppoed",
    "pppoes",
    "pweth.cw",
    "pwethcw",
    "radius",
    "raw",
    "rip",
    "rpc",
    "s7comm",
    "sip",
    "slarp",
    "sll",
    "ssdp",
    "ssh",
    "telnet",
    "tpkt",
    "vlan",
    "vrrp",
    "vxlan",
    "wg",
    "wol",
];

/// Captures where tshark counts differently by design, and why. The part named is not
/// compared for that capture; every other part is.
const EXCEPTIONS: &[(&str, &str, &str)] = &[
    (
        "pcapng-suite/output_be/basic/test009.pcapng",
        "phs",
        "tshark puts frames with a pcapng comment under a 'pkt_comment' root; pktkit's reader does not expose comments",
    ),
    ("pcapng-suite/output_le/basic/test009.pcapng", "phs", "same as output_be/basic/test009.pcapng"),
    (
        "samples/PacketExamples/NullLoopback.pcap",
        "phs,conv",
        "one frame's BSD-null family is byte-swapped (0x0f000000); tshark guesses IP from the payload, tcpdump and pktkit report an unknown family",
    ),
    ("samples/PcapExamples/null_loopback.pcap", "phs,conv", "same frame as NullLoopback.pcap"),
    (
        "samples/PacketExamples/dns_over_tcp.pcapng",
        "phs",
        "tshark reassembles the TCP stream and counts DNS on the segment that completes a message; pktkit names each segment on port 53 DNS",
    ),
    (
        "samples/PacketExamples/ipv4-options.pcap",
        "conv",
        "tshark takes the destination of a packet with a source-route option (LSRR/SSRR) from the option; pktkit uses the IP header",
    ),
    (
        "samples/PacketExamples/ipv6_options.pcap",
        "conv",
        "tshark takes the UDP conversation's destination from the IPv6 routing header; pktkit uses the IP header",
    ),
];

/// tshark's size column: bytes below 10,000, then kB, MB, GB (SI, truncated).
fn tshark_size(n: u64) -> String {
    if n >= 10_000_000_000 {
        format!("{} GB", n / 1_000_000_000)
    } else if n >= 10_000_000 {
        format!("{} MB", n / 1_000_000)
    } else if n >= 10_000 {
        format!("{} kB", n / 1000)
    } else {
        format!("{n} bytes")
    }
}

/// The io,phs tree as path -> (frames, bytes).
fn tshark_phs(text: &str) -> BTreeMap<String, (u64, u64)> {
    let mut out = BTreeMap::new();
    let Some(at) = text.find("Protocol Hierarchy Statistics") else { return out };
    let mut stack: Vec<String> = Vec::new();
    for line in text[at..].lines().skip(3) {
        let indent = line.len() - line.trim_start().len();
        let mut words = line.split_whitespace();
        let (Some(name), Some(f), Some(b)) = (words.next(), words.next(), words.next()) else { continue };
        let (Some(f), Some(b)) = (f.strip_prefix("frames:"), b.strip_prefix("bytes:")) else { continue };
        stack.truncate(indent / 2);
        stack.push(name.to_string());
        out.insert(stack.join(":"), (f.parse().unwrap(), b.parse().unwrap()));
    }
    out
}

/// One tshark conversation table: (A, B) -> (frames A>B, size A>B, frames B>A, size B>A).
type ConvRows = BTreeMap<(String, String), (u64, String, u64, String)>;

fn tshark_conv(text: &str, title: &str) -> Option<ConvRows> {
    let at = text.find(&format!("{title} Conversations"))?;
    let body = &text[at..];
    let body = &body[..body.find("\n====").unwrap_or(body.len())];
    let mut rows = ConvRows::new();
    for line in body.lines().skip(4) {
        let w: Vec<&str> = line.split_whitespace().collect();
        // A <-> B  f_ba n unit  f_ab n unit  total...
        if w.len() < 9 || w[1] != "<->" {
            continue;
        }
        let key = (w[0].to_string(), w[2].to_string());
        let (f_ba, s_ba) = (w[3].parse::<u64>().unwrap(), format!("{} {}", w[4], w[5]));
        let (f_ab, s_ab) = (w[6].parse::<u64>().unwrap(), format!("{} {}", w[7], w[8]));
        assert!(!rows.contains_key(&key), "{title}: {key:?} twice (a reused port?)");
        rows.insert(key, (f_ab, s_ab, f_ba, s_ba));
    }
    Some(rows)
}

fn our_phs(nodes: &Value, prefix: &str, out: &mut BTreeMap<String, (u64, u64)>) {
    for n in nodes.as_array().into_iter().flatten() {
        let path = if prefix.is_empty() {
            n["name"].as_str().unwrap().to_string()
        } else {
            format!("{prefix}:{}", n["name"].as_str().unwrap())
        };
        out.insert(path.clone(), (n["frames"].as_u64().unwrap(), n["bytes"].as_u64().unwrap()));
        our_phs(&n["children"], &path, out);
    }
}

fn endpoint(addr: &str, port: &Value) -> String {
    match port.as_u64() {
        Some(p) => format!("{addr}:{p}"),
        None => addr.to_string(),
    }
}

/// Differences between our report and tshark's output for one capture.
fn compare(text: &str, j: &Value, parts: &str) -> Vec<String> {
    let mut diffs = Vec::new();
    if !parts.contains("phs") {
        let keep = |p: &String| PHS_PROTOCOLS.contains(&p.rsplit(':').next().unwrap_or(""));
        let want: BTreeMap<_, _> = tshark_phs(text).into_iter().filter(|(p, _)| keep(p)).collect();
        let mut got = BTreeMap::new();
        our_phs(&j["hierarchy"], "", &mut got);
        let got: BTreeMap<_, _> = got.into_iter().filter(|(p, _)| keep(p)).collect();
        for p in want.keys().chain(got.keys()).collect::<std::collections::BTreeSet<_>>() {
            if want.get(p) != got.get(p) {
                diffs.push(format!("phs {p}: tshark {:?}, pkt-stats {:?}", want.get(p), got.get(p)));
            }
        }
    }
    if !parts.contains("conv") {
        for (title, table, v6) in [
            ("IPv4", "ip", Some(false)),
            ("IPv6", "ip", Some(true)),
            ("TCP", "tcp", None),
            ("UDP", "udp", None),
        ] {
            let Some(want) = tshark_conv(text, title) else {
                diffs.push(format!("no {title} table in the oracle"));
                continue;
            };
            let mut got = ConvRows::new();
            for c in j["conversations"][table]["rows"].as_array().unwrap() {
                let a = c["a"].as_str().unwrap();
                if v6.is_some_and(|v6| v6 != a.contains(':')) {
                    continue;
                }
                let (ea, eb) = (endpoint(a, &c["a_port"]), endpoint(c["b"].as_str().unwrap(), &c["b_port"]));
                let n = |k: &str| c[k].as_u64().unwrap();
                let row =
                    (n("frames_ab"), tshark_size(n("bytes_ab")), n("frames_ba"), tshark_size(n("bytes_ba")));
                // tshark's A is the first sender; compare in its orientation when it is ours.
                if want.contains_key(&(eb.clone(), ea.clone()))
                    && !want.contains_key(&(ea.clone(), eb.clone()))
                {
                    got.insert((eb, ea), (row.2, row.3, row.0, row.1));
                } else {
                    got.insert((ea, eb), row);
                }
            }
            for k in want.keys().chain(got.keys()).collect::<std::collections::BTreeSet<_>>() {
                if want.get(k) != got.get(k) {
                    diffs.push(format!(
                        "conv,{title} {k:?}: tshark {:?}, pkt-stats {:?}",
                        want.get(k),
                        got.get(k)
                    ));
                }
            }
        }
    }
    diffs
}

fn oracle_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "txt") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn hierarchy_and_conversations_match_tshark() {
    let Some(c) = corpus("hierarchy_and_conversations_match_tshark") else { return };
    let oracles = c.join("oracles/stats");
    let files = oracle_files(&oracles);
    assert!(files.len() > 150, "only {} oracle files", files.len());
    let results = parallel(&files, |o| {
        let rel = o.strip_prefix(&oracles).unwrap().with_extension("");
        let rel = rel.to_str().unwrap().to_string();
        let capture = c.join(&rel);
        let text = std::fs::read_to_string(o).unwrap();
        let out = Command::new(BIN).arg("--json").arg(&capture).output().unwrap();
        if out.stdout.is_empty() {
            return (rel, vec![format!("no report: {}", String::from_utf8_lossy(&out.stderr))], "");
        }
        let j: Value = serde_json::from_slice(&out.stdout).unwrap();
        let parts = EXCEPTIONS.iter().find(|e| e.0 == rel).map_or("", |e| e.1);
        (rel, compare(&text, &j, parts), parts)
    });
    let (mut phs_ok, mut conv_ok, mut failures) = (0, 0, Vec::new());
    for (rel, diffs, parts) in &results {
        if !parts.contains("phs") && !diffs.iter().any(|d| d.starts_with("phs")) {
            phs_ok += 1;
        }
        if !parts.contains("conv") && !diffs.iter().any(|d| d.starts_with("conv") || d.starts_with("no ")) {
            conv_ok += 1;
        }
        if !diffs.is_empty() {
            failures.push(format!("{rel}:\n  {}", diffs.join("\n  ")));
        }
    }
    let phs_skipped = EXCEPTIONS.iter().filter(|e| e.1.contains("phs")).count();
    let conv_skipped = EXCEPTIONS.iter().filter(|e| e.1.contains("conv")).count();
    eprintln!(
        "tshark conformance: {} captures; hierarchy equal on {phs_ok} ({phs_skipped} documented exceptions), \
         conversations equal on {conv_ok} ({conv_skipped} documented exceptions)",
        results.len()
    );
    assert!(failures.is_empty(), "{} captures differ from tshark:\n{}", failures.len(), failures.join("\n"));
    // Each documented exception still differs; when one stops differing, drop it from the list.
    for (rel, parts, why) in EXCEPTIONS {
        let o = oracles.join(format!("{rel}.txt"));
        let text = std::fs::read_to_string(&o).unwrap();
        let out = Command::new(BIN).arg("--json").arg(c.join(rel)).output().unwrap();
        let j: Value = serde_json::from_slice(&out.stdout).unwrap();
        let other = if parts.contains("phs") { "conv" } else { "phs" };
        let all =
            compare(&text, &j, if parts.contains("phs") && parts.contains("conv") { "" } else { other });
        assert!(!all.is_empty(), "{rel} now matches tshark ({why}): remove it from EXCEPTIONS");
    }
}

// ---------------------------------------------------------------------------------------
// Live mode.

/// Feeds `records` one every `gap` into `pkt-stats --every`, returning the output lines with
/// their arrival times (from the start), and the exit code.
fn live(every: &str, gap: Duration, count: usize, hold: Duration) -> (Vec<(Duration, Value)>, Option<i32>) {
    let f = frame(17, [10, 0, 0, 1], [10, 0, 0, 2], 1000, 2000, b"live");
    let header = pcap(1, 65535, &[]);
    let record = pcap(1, 65535, &[(1_700_000_000, 0, &f, f.len() as u32)])[header.len()..].to_vec();
    let mut child = Command::new(BIN)
        .args(["--every", every])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut lines = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            lines.push((start.elapsed(), serde_json::from_str::<Value>(&line).unwrap()));
        }
        lines
    });
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&header).unwrap();
    for _ in 0..count {
        std::thread::sleep(gap);
        stdin.write_all(&record).unwrap();
        stdin.flush().unwrap();
    }
    std::thread::sleep(hold);
    drop(stdin);
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "pkt-stats --every did not end after its input closed");
        std::thread::sleep(Duration::from_millis(10));
    };
    (reader.join().unwrap(), status.code())
}

#[test]
fn live_snapshot_per_interval_then_final_report() {
    // 12 packets, one every 100 ms, then 300 ms of silence: about 1.5 s at 250 ms per snapshot.
    let (lines, code) = live("250ms", Duration::from_millis(100), 12, Duration::from_millis(300));
    assert_eq!(code, Some(0));
    let (last_at, last) = lines.last().expect("output").clone();
    assert_eq!(last["schema"], "pktkit.stats/3", "the final line is the full report");
    assert_eq!(last["summary"]["packets"], 12);
    let snaps: Vec<&(Duration, Value)> =
        lines.iter().filter(|l| l.1["schema"] == "pktkit.stats.snapshot/1").collect();
    // One snapshot per elapsed interval, whether or not packets arrived in it.
    let expected = last_at.as_millis() as f64 / 250.0;
    let n = snaps.len() as f64;
    assert!(n >= expected.floor() - 2.0 && n <= expected.ceil() + 1.0, "{n} snapshots over {last_at:?}");
    for (i, (at, s)) in snaps.iter().enumerate() {
        assert_eq!(s["seq"], i as u64 + 1);
        let elapsed = s["elapsed"].as_f64().unwrap();
        // Snapshot k is written at about k intervals: never early, and not bunched up.
        assert!(elapsed >= 0.25 * (i + 1) as f64 - 0.01, "snapshot {} at {elapsed}", i + 1);
        assert!(at.as_secs_f64() >= elapsed - 0.2);
        assert!(s["report"]["summary"]["packets"].as_u64().unwrap() <= 12);
    }
    let windows: u64 = snaps.iter().map(|s| s.1["window"]["frames"].as_u64().unwrap()).sum();
    assert!(windows <= 12);
    let during: Vec<_> =
        snaps.iter().filter(|s| s.1["report"]["summary"]["packets"].as_u64() < Some(12)).collect();
    assert!(during.len() >= 2, "snapshots came while the stream was still being fed");
}

#[test]
fn live_quiet_stream_and_interrupt() {
    // No packet at all for 700 ms: snapshots still come, with empty windows.
    let (lines, code) = live("200ms", Duration::from_millis(0), 0, Duration::from_millis(700));
    assert_eq!(code, Some(0));
    let snaps = lines.iter().filter(|l| l.1["schema"] == "pktkit.stats.snapshot/1").count();
    assert!((2..=5).contains(&snaps), "{snaps} snapshots in 700 ms at 200 ms");
    // Ctrl-C while the input stays open: the report so far, exit 0.
    let f = frame(17, [10, 0, 0, 1], [10, 0, 0, 2], 1000, 2000, b"x");
    let input = pcap(1, 65535, &[(1, 0, &f, f.len() as u32)]);
    let mut child = Command::new(BIN)
        .args(["--every", "10s", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&input).unwrap();
    stdin.flush().unwrap();
    std::thread::sleep(Duration::from_millis(400));
    let kill = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "no exit after SIGINT");
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = child.wait_with_output().unwrap();
    drop(stdin);
    assert_eq!(out.status.code(), Some(0));
    let j: Value = serde_json::from_slice(&out.stdout).expect("final report");
    assert_eq!(j["summary"]["packets"], 1);
}

// ---------------------------------------------------------------------------------------
// The sharded example of docs/pkt-stats.md, as written there.

#[test]
fn sharded_pipeline_of_the_docs() {
    let Some(c) = corpus("sharded_pipeline_of_the_docs") else { return };
    if !support::have("editcap", "sharded_pipeline_of_the_docs (editcap: wireshark-common)") {
        return;
    }
    let dir = Scratch::new("docs");
    std::fs::copy(c.join("samples/PcapExamples/many_interfaces-1.pcapng"), dir.0.join("big.pcapng")).unwrap();
    let bin_dir = Path::new(BIN).parent().unwrap();
    let script = r#"
        set -e
        editcap -c 10 big.pcapng shard.pcapng
        ls shard_*.pcapng | xargs -P2 -I{} sh -c 'pkt-stats --json "$1" > "$1.json"' _ {}
        pkt-stats --json --merge shard_*.pcapng.json > merged.json
        pkt-stats --json big.pcapng > whole.json
        cmp merged.json whole.json
        ls shard_*.pcapng | xargs -n1 pkt-stats --json | pkt-stats --json --merge - > streamed.json
        cmp streamed.json whole.json
        ls shard_*.pcapng | wc -l
    "#;
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let out =
        Command::new("sh").arg("-c").arg(script).current_dir(&dir.0).env("PATH", path).output().unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let shards: usize = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    assert_eq!(shards, 7, "64 packets in shards of 10");
}

fn is_counter(key: &str) -> bool {
    const TALLIES: [&str; 7] =
        ["snapped", "complete", "truncated", "invalid", "unsupported", "queries", "responses"];
    key.contains("frames") || key.contains("bytes") || key == "packets" || TALLIES.contains(&key)
}

/// Every counter of a report with its key.
fn each_counter(v: &Value, out: &mut Vec<(String, u64)>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match x.as_u64() {
                    Some(n) if is_counter(k) => out.push((k.clone(), n)),
                    _ => each_counter(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| each_counter(x, out)),
        _ => {}
    }
}

/// Sets every counter of a report (frames, bytes, packets and the decode tallies) to `n`.
fn set_counters(v: &mut Value, n: u64) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if is_counter(k) && x.is_u64() {
                    *x = n.into();
                } else {
                    set_counters(x, n);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| set_counters(x, n)),
        _ => {}
    }
}

/// Issue 19, point 3: two reports of 2^63 packets merge to 2^64-1 (saturated, with a warning
/// naming the file), never to a wrapped 0; the text report of such counts prints too.
#[test]
fn merge_saturates_counters_near_u64_max() {
    let mut report = json_of(&["--json", "--me", "10.0.0.1"], &sample());
    set_counters(&mut report, 1 << 63);
    assert_eq!(report["summary"]["packets"], 1u64 << 63);
    let dir = std::env::temp_dir().join(format!("pktkit-stats-saturate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (a, b) = (dir.join("a.json"), dir.join("b.json"));
    std::fs::write(&a, report.to_string()).unwrap();
    std::fs::write(&b, report.to_string()).unwrap();
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let r = run(BIN, &["--merge", "--json", a, b], &[]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(
        r.stderr.trim(),
        format!(
            "pkt-stats: warning: {b}: the summary's counters reach 18446744073709551615 (2^64-1); sums past it stay there, they do not wrap"
        )
    );
    let merged: Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(merged["summary"]["packets"], u64::MAX);
    assert_eq!(merged["hosts"]["rows"][0]["sent_frames"], u64::MAX, "{}", merged["hosts"]);
    // No counter wrapped: every one holds at least the 2^63 each report gave it.
    let mut counters = Vec::new();
    each_counter(&merged, &mut counters);
    assert!(counters.len() > 20, "{counters:?}");
    let wrapped: Vec<_> = counters.iter().filter(|(_, n)| *n < 1 << 63).collect();
    assert!(wrapped.is_empty(), "wrapped: {wrapped:?}");
    let text = run(BIN, &["--merge", a, b], &[]);
    assert_eq!(text.code, Some(0), "{}", text.stderr);
    assert!(text.stdout_text().contains("18,446,744,073,709,551,615"), "{}", text.stdout_text());
    let text = run(BIN, &["--merge", "--exact", a, b], &[]);
    assert!(text.stdout_text().contains("18446744073709551615"), "{}", text.stdout_text());
    std::fs::remove_dir_all(dir).ok();
}
