//! The JSON schema a jq user can guess (issue 17), run through the real binaries: the flow view
//! on IPv4 and IPv6 records, Scapy's TCP flag letters, one meaning per length key, no empty
//! objects or lists, a tunnelled DNS message at the same path as a plain one, DNS names and
//! ICMP type names in one form, the time keys in every tool's JSON, and the round trip
//! pkt-decode --json --raw | pkt-send --from-json (and its refusal of version 1).

mod support;

use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use support::lab::{is_root, notice};
use support::{packets, run, run_with};

const DECODE: &str = env!("CARGO_BIN_EXE_pkt-decode");
const SEND: &str = env!("CARGO_BIN_EXE_pkt-send");
const STATS: &str = env!("CARGO_BIN_EXE_pkt-stats");
const NETMON: &str = env!("CARGO_BIN_EXE_netmon");
const TRACERT: &str = env!("CARGO_BIN_EXE_tracert");
const SYNSCAN: &str = env!("CARGO_BIN_EXE_synscan");

/// A pcap of the packets of `specs`, crafted by pkt-send (one spec may make several).
fn capture(specs: &[&str]) -> Vec<u8> {
    let mut frames = Vec::new();
    for spec in specs {
        let r = run(SEND, &["-w", "-", spec], b"");
        assert_eq!(r.code, Some(0), "{spec}: {}", r.stderr);
        frames.extend(packets(&r.stdout).unwrap().into_iter().map(|p| p.0));
    }
    support::pcap_frames(pktkit::capture::LinkType::ETHERNET, &frames)
}

/// The frame of one spec, as hex digits (to carry it inside a tunnel).
fn frame_hex(spec: &str) -> String {
    let r = run(SEND, &["-w", "-", spec], b"");
    assert_eq!(r.code, Some(0), "{spec}: {}", r.stderr);
    packets(&r.stdout).unwrap()[0].0.iter().map(|b| format!("{b:02x}")).collect()
}

/// pkt-decode `args` over `pcap`: its records.
fn records(pcap: &[u8], args: &[&str]) -> Vec<Value> {
    let r = run(DECODE, args, pcap);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    r.stdout_text().lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
}

fn has_jq() -> bool {
    support::have("jq", "the jq checks")
}

/// `jq -c FILTER` over `input`, when jq is installed.
fn jq(filter: &str, input: &[u8]) -> Option<String> {
    if !has_jq() {
        notice("SKIP jq part: jq is not installed");
        return None;
    }
    let mut cmd = Command::new("jq");
    cmd.args(["-c", filter]);
    let r = run_with(cmd, input, Duration::from_secs(30));
    assert_eq!(r.code, Some(0), "jq {filter}: {}", r.stderr);
    Some(r.stdout_text())
}

const V4_SYN_ACK: &str =
    "Ether()/IP(src=10.0.0.1,dst=10.0.0.2)/TCP(sport=80,dport=40000,flags=SA,options=[MSS=1460])";
const V6_DNS: &str =
    "Ether()/IPv6(src=2001:db8::1,dst=2001:db8::53)/UDP(sport=5353,dport=53)/DNS(qname=example.com)";
const V4_DNS: &str = "Ether()/IP(src=10.0.0.1,dst=10.0.0.53)/UDP(sport=4000,dport=53)/DNS(qname=example.com)";

#[test]
fn flow_view_selects_ipv4_and_ipv6_records_with_one_query() {
    let pcap = capture(&[V4_SYN_ACK, V6_DNS, "Ether()/ARP(pdst=10.0.0.9)"]);
    let recs = records(&pcap, &["--json"]);
    assert_eq!(recs[0]["schema"], "pktkit.decode/2.1");
    let flow = |r: &Value| {
        (
            r["src"].clone(),
            r["dst"].clone(),
            r["transport"].clone(),
            r["src_port"].clone(),
            r["dst_port"].clone(),
        )
    };
    assert_eq!(flow(&recs[0]), ("10.0.0.1".into(), "10.0.0.2".into(), "tcp".into(), 80.into(), 40000.into()));
    assert_eq!(
        flow(&recs[1]),
        ("2001:db8::1".into(), "2001:db8::53".into(), "udp".into(), 5353.into(), 53.into())
    );
    // The flow keys say what the layer objects say.
    assert_eq!(
        (&recs[0]["src"], &recs[0]["src_port"]),
        (&recs[0]["ipv4"]["src"], &recs[0]["tcp"]["src_port"])
    );
    assert_eq!(
        (&recs[1]["dst"], &recs[1]["dst_port"]),
        (&recs[1]["ipv6"]["dst"], &recs[1]["udp"]["dst_port"])
    );
    // ARP has no IP flow: no key at all.
    for k in ["src", "dst", "transport", "src_port", "dst_port"] {
        assert!(recs[2].get(k).is_none(), "{k} in {}", recs[2]);
    }
    let out = run(DECODE, &["--json"], &pcap).stdout;
    let Some(picked) =
        jq(r#"select(.src == "10.0.0.1" or .src == "2001:db8::1") | [.number, .transport, .dst_port]"#, &out)
    else {
        return;
    };
    assert_eq!(picked, "[1,\"tcp\",40000]\n[2,\"udp\",53]\n");
    let dns = jq(r#"select(.transport == "udp" and .dst_port == 53) | .dst"#, &out).unwrap();
    assert_eq!(dns, "\"2001:db8::53\"\n");
}

#[test]
fn tcp_flags_str_is_scapys_letters_as_pkt_send_takes_them() {
    let letters = ["S", "SA", "PA", "FA", "R", "RA", "FPU", "SAE", "SEC", "FSRPAUECN"];
    let specs: Vec<String> = letters.iter().map(|l| format!("Ether()/IP()/TCP(flags={l})")).collect();
    let pcap = capture(&specs.iter().map(String::as_str).collect::<Vec<_>>());
    let recs = records(&pcap, &["--json"]);
    let got: Vec<&str> = recs.iter().map(|r| r["tcp"]["flags_str"].as_str().unwrap()).collect();
    assert_eq!(got, letters, "the letters pkt-send read come back in the same order");
    assert_eq!(recs[1]["tcp"]["flags"], 0x12);
    if let Some(out) =
        jq(r#"select(.tcp.flags_str == "SA") | .number"#, &run(DECODE, &["--json"], &pcap).stdout)
    {
        assert_eq!(out, "2\n");
    }
}

#[test]
fn each_length_key_means_one_thing() {
    let pcap = capture(&[
        "Ether()/IP(src=10.0.0.1,dst=10.0.0.2)/UDP(sport=1,dport=9)/Raw(load=\"abcdef\")",
        "Ether()/IP(src=10.0.0.1,dst=10.0.0.2)/TCP(sport=1,dport=9)/Raw(load=\"abcd\")",
        "Ether()/IPv6(src=::1,dst=::2)/UDP(sport=1,dport=9)/Raw(load=\"ab\")",
    ]);
    let recs = records(&pcap, &["--json"]);
    let (udp, tcp, v6) = (&recs[0], &recs[1], &recs[2]);
    assert_eq!((udp["caplen"].as_u64(), udp["wire_len"].as_u64()), (Some(14 + 20 + 8 + 6), Some(48)));
    assert_eq!(udp["ipv4"]["total_length"], 20 + 8 + 6);
    assert_eq!((udp["udp"]["length"].as_u64(), udp["udp"]["payload_len"].as_u64()), (Some(14), Some(6)));
    assert_eq!(tcp["tcp"]["payload_len"], 4);
    assert_eq!(tcp["payload_caplen"], 4);
    assert_eq!(
        (v6["ipv6"]["payload_length"].as_u64(), v6["udp"]["payload_len"].as_u64()),
        (Some(10), Some(2))
    );
    for r in &recs {
        assert!(r.get("len").is_none() && r.get("ts_sec").is_none(), "a version 1 key: {r}");
        for layer in ["ipv4", "ipv6", "tcp", "udp", "app"] {
            assert!(r.get(layer).and_then(|l| l.get("len")).is_none(), "{layer}.len: {r}");
        }
    }
}

/// Every value in `v`: no `null`, no empty object, no empty list, at any depth.
fn assert_nothing_empty(v: &Value, at: &str) {
    match v {
        Value::Null => panic!("null at {at}"),
        Value::Object(m) => {
            assert!(!m.is_empty(), "empty object at {at}");
            for (k, x) in m {
                assert_nothing_empty(x, &format!("{at}.{k}"));
            }
        }
        Value::Array(a) => {
            assert!(!a.is_empty(), "empty list at {at}");
            for (i, x) in a.iter().enumerate() {
                assert_nothing_empty(x, &format!("{at}[{i}]"));
            }
        }
        _ => {}
    }
}

#[test]
fn absent_means_absent_no_empty_objects_or_lists() {
    let pcap = capture(&[
        "Ether()/IP()/TCP(flags=S)",
        V4_SYN_ACK,
        V6_DNS,
        "Ether()/IP(src=10.0.0.53,dst=10.0.0.1)/UDP(sport=53,dport=4000)/DNS(qr=1,qname=example.com)",
        "Ether()/IP()/ICMP(type=echo-request)",
        "Ether()/ARP(pdst=10.0.0.9)",
    ]);
    let recs = records(&pcap, &["--json", "--raw"]);
    assert!(recs[0]["tcp"].get("options").is_none(), "a TCP header without options has no options object");
    assert_eq!(recs[1]["tcp"]["options"]["mss"], 1460);
    assert!(recs[3]["dns"].get("answers").is_none(), "a response without answers: {}", recs[3]["dns"]);
    for (n, r) in recs.iter().enumerate() {
        assert_nothing_empty(r, &format!("record {}", n + 1));
    }
    // The demo capture too, whatever it holds.
    let demo = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/demo.pcap")).unwrap();
    for (n, r) in records(&demo, &["--json", "--raw"]).iter().enumerate() {
        assert_nothing_empty(r, &format!("demo.pcap record {}", n + 1));
    }
}

#[test]
fn tunnelled_dns_is_at_the_same_path_as_a_plain_one() {
    let inner_eth = frame_hex(V4_DNS);
    let inner_ip = &inner_eth[28..];
    let vxlan = format!(
        "Ether()/IP(src=192.0.2.1,dst=192.0.2.2)/UDP(sport=40000,dport=4789)/Raw(hex=0800000000000100{inner_eth})"
    );
    let gre = format!("Ether()/IP(src=192.0.2.1,dst=192.0.2.2,proto=47)/Raw(hex=00000800{inner_ip})");
    let pcap = capture(&[V4_DNS, &vxlan, &gre]);
    let recs = records(&pcap, &["--json", "--raw"]);
    for (r, encap) in recs.iter().zip(["", "vxlan", "gre"]) {
        assert_eq!(r["dns"]["questions"][0]["name"], "example.com", "{encap}: {r}");
        assert_eq!(r["app"]["proto"], "dns");
        // app.offset is where the DNS message starts in this frame.
        let hex = r["raw"]["hex"].as_str().unwrap();
        let at = r["app"]["offset"].as_u64().unwrap() as usize;
        let id = u16::from_str_radix(&hex[2 * at..2 * at + 4], 16).unwrap();
        assert_eq!(r["dns"]["id"], id, "{encap}");
        if !encap.is_empty() {
            let inner = &r["inner"][0];
            assert_eq!(inner["encap"], encap);
            assert!(inner.get("dns").is_none(), "the DNS object is at one place: {r}");
            // The outer flow at the top, the tunnelled one in its entry.
            assert_eq!((r["src"].as_str(), inner["src"].as_str()), (Some("192.0.2.1"), Some("10.0.0.1")));
            assert_eq!(inner["dst_port"], 53);
        }
    }
    let out = run(DECODE, &["--json"], &pcap).stdout;
    if let Some(names) = jq(".dns.questions[0].name", &out) {
        assert_eq!(names, "\"example.com\"\n".repeat(3));
    }
}

#[test]
fn dns_names_have_one_form_in_json_fields_and_pkt_stats() {
    let pcap = capture(&[V4_DNS]);
    let json = &records(&pcap, &["--json"])[0];
    let fields = run(DECODE, &["--fields", "dns.qry.name"], &pcap);
    assert_eq!(fields.code, Some(0), "{}", fields.stderr);
    let stats = run(STATS, &["--json"], &pcap);
    assert_eq!(stats.code, Some(0), "{}", stats.stderr);
    let stats: Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(json["dns"]["questions"][0]["name"], "example.com");
    assert_eq!(fields.stdout_text(), "example.com\n");
    assert_eq!(stats["names"]["dns"]["rows"][0]["name"], "example.com");
}

#[test]
fn icmp_type_names_are_the_ones_pkt_send_reads() {
    let names = [
        "echo-reply",
        "dest-unreach",
        "source-quench",
        "redirect",
        "echo-request",
        "time-exceeded",
        "parameter-problem",
        "timestamp-request",
        "information-response",
        "address-mask-reply",
    ];
    let specs: Vec<String> = names.iter().map(|n| format!("Ether()/IP()/ICMP(type={n})")).collect();
    let pcap = capture(&specs.iter().map(String::as_str).collect::<Vec<_>>());
    let got: Vec<String> = records(&pcap, &["--json"])
        .iter()
        .map(|r| r["icmp"]["type_name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, names);
}

/// `rec` has `name`, `name_sec`, `name_nsec`: RFC 3339 UTC with 9 fraction digits, the
/// same instant as the integers (checked against date(1)).
fn assert_time(rec: &Value, name: &str, what: &str) {
    let text = rec[name].as_str().unwrap_or_else(|| panic!("{what}: no {name} in {rec}"));
    let secs =
        rec[format!("{name}_sec")].as_i64().unwrap_or_else(|| panic!("{what}: no {name}_sec in {rec}"));
    let nanos =
        rec[format!("{name}_nsec")].as_u64().unwrap_or_else(|| panic!("{what}: no {name}_nsec in {rec}"));
    let out =
        Command::new("date").args(["-u", "-d", &format!("@{secs}"), "+%Y-%m-%dT%H:%M:%S"]).output().unwrap();
    let civil = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text, format!("{}.{nanos:09}Z", civil.trim()), "{what}: {rec}");
}

#[test]
fn every_tools_json_has_the_same_time_keys() {
    let pcap = capture(&[V4_DNS, V4_SYN_ACK]);
    for r in records(&pcap, &["--json"]) {
        assert_time(&r, "time", "pkt-decode");
    }
    let show = run(SEND, &["--show", "--json", "IP(dst=10.0.0.1)/UDP(dport=9)"], b"");
    assert_eq!(show.code, Some(0), "{}", show.stderr);
    let shown: Value = serde_json::from_str(show.stdout_text().lines().next().unwrap()).unwrap();
    assert_time(&shown, "time", "pkt-send --show --json");
    let stats = run(STATS, &["--json", "--interval", "1s"], &pcap);
    assert_eq!(stats.code, Some(0), "{}", stats.stderr);
    let stats: Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(stats["schema"], "pktkit.stats/3");
    assert_time(&stats["summary"], "first", "pkt-stats summary");
    assert_time(&stats["summary"], "last", "pkt-stats summary");
    assert_time(&stats["conversations"]["udp"]["rows"][0], "first", "pkt-stats conversation");
    assert_time(&stats["io"]["rows"][0], "start", "pkt-stats io");
    let ifaces = run(NETMON, &["interfaces", "--json", "--every", "10ms", "-c", "1"], b"");
    assert_eq!(ifaces.code, Some(0), "{}", ifaces.stderr);
    for l in ifaces.stdout_text().lines() {
        assert_time(&serde_json::from_str(l).unwrap(), "time", "netmon interfaces --every");
    }
    let conns = run(NETMON, &["connections", "--json"], b"");
    assert_eq!(conns.code, Some(0), "{}", conns.stderr);
    for l in conns.stdout_text().lines().take(5) {
        assert_time(&serde_json::from_str(l).unwrap(), "time", "netmon connections");
    }
    if !is_root() {
        notice("SKIP tracert and synscan time keys: they need root (raw sockets)");
        return;
    }
    let trace = run(TRACERT, &["--json", "-n", "-q", "1", "127.0.0.1"], b"");
    assert_eq!(trace.code, Some(0), "{}", trace.stderr);
    let lines: Vec<Value> = trace.stdout_text().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(lines.len() >= 2, "a hop and the summary: {}", trace.stdout_text());
    for r in &lines {
        assert_time(r, "time", "tracert");
    }
    let scan = run(SYNSCAN, &["--json", "-p", "1", "127.0.0.1"], b"");
    assert_eq!(scan.code, Some(0), "{}", scan.stderr);
    let lines: Vec<Value> = scan.stdout_text().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2, "a port and the summary: {}", scan.stdout_text());
    for r in &lines {
        assert_time(r, "time", "synscan");
    }
}

#[test]
fn from_json_round_trip_and_version_1_refused() {
    let pcap = capture(&[V4_SYN_ACK, V6_DNS, V4_DNS, "Ether()/IP()/ICMP(type=dest-unreach,code=3)"]);
    let json = run(DECODE, &["--json", "--raw"], &pcap);
    assert_eq!(json.code, Some(0), "{}", json.stderr);
    let back = run(SEND, &["--from-json", "-w", "-"], &json.stdout);
    assert_eq!(back.code, Some(0), "{}", back.stderr);
    assert_eq!(
        packets(&back.stdout).unwrap(),
        packets(&pcap).unwrap(),
        "decode -> send --from-json is the identity"
    );
    // An edit through a version 2 key is written in.
    let mut rec: Value = serde_json::from_str(json.stdout_text().lines().nth(2).unwrap()).unwrap();
    rec["udp"]["length"] = 200.into();
    rec["tcp"] = Value::Null;
    let edited = run(SEND, &["--from-json", "-w", "-"], (rec.to_string() + "\n").as_bytes());
    assert_eq!(edited.code, Some(0), "{}", edited.stderr);
    let frame = &packets(&edited.stdout).unwrap()[0].0;
    assert_eq!(u16::from_be_bytes([frame[38], frame[39]]), 200);
    // A version 1 record: one line, exit 2, nothing written.
    rec["schema"] = "pktkit.decode/1".into();
    let old = run(SEND, &["--from-json", "-w", "-"], (rec.to_string() + "\n").as_bytes());
    assert_eq!(old.code, Some(2), "{}", old.stderr);
    assert_eq!(old.stderr.trim_end().lines().count(), 1, "{}", old.stderr);
    assert!(old.stderr.starts_with("pkt-send: ") && old.stderr.contains("pktkit.decode/1"), "{}", old.stderr);
    assert!(packets(&old.stdout).unwrap_or_default().is_empty());
}

/// An 802.3 frame to the spanning-tree group address: LLC (the STP SAPs, UI) and `bpdu`.
fn stp_frame(bpdu: &[u8]) -> Vec<u8> {
    let mut f = vec![0x01, 0x80, 0xc2, 0, 0, 0, 0x02, 0, 0, 0, 0, 1];
    f.extend_from_slice(&((3 + bpdu.len()) as u16).to_be_bytes());
    f.extend_from_slice(&[0x42, 0x42, 0x03]);
    f.extend_from_slice(bpdu);
    f
}

/// Version 2.1's objects (`llc`, `stp`, `cdp`, `vrrp`, `ospf`, `slarp`): each holds the
/// values `--fields` gives under Wireshark's names for the same packet, nothing in them is
/// empty, and a record read back by pkt-send is read with them (and as version 2).
#[test]
fn link_and_routing_objects_hold_their_fields_values() {
    // A configuration BPDU: root 32768/1 00:1c:0e:87:78:00, cost 4, port 0x8004, timers
    // 1, 20, 2, 15 seconds.
    let config: [u8; 35] = [
        0, 0, 0, 0, 0, 0x80, 0x01, 0x00, 0x1c, 0x0e, 0x87, 0x78, 0x00, 0, 0, 0, 4, 0x80, 0x01, 0x00, 0x1c,
        0x0e, 0x87, 0x85, 0x00, 0x80, 0x04, 0x01, 0x00, 0x14, 0x00, 0x02, 0x00, 0x0f, 0x00,
    ];
    let mut frames = vec![stp_frame(&config)];
    // CDP after SNAP (Cisco's OUI, protocol id 0x2000): version 2, TTL 180.
    let mut cdp = vec![0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcc, 0x02, 0, 0, 0, 0, 2, 0, 17];
    cdp.extend_from_slice(&[
        0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00, 2, 180, 0xb0, 0xbd, 0, 1, 0, 5, b'R',
    ]);
    frames.push(cdp);
    for spec in [
        // VRRPv2: vrid 42, priority 100, two addresses, simple-text authentication, 1 s.
        "Ether()/IP(src=10.0.0.1,dst=224.0.0.18,proto=112,ttl=255)/Raw(hex=212a640201010000\
         0a00000a0a00000b)",
        // OSPFv2 hello header: router 1.1.1.1, area 0.0.0.1.
        "Ether()/IP(src=10.0.0.1,dst=224.0.0.5,proto=89,ttl=1)/Raw(hex=0201002c0101010100000001\
         abcd00000000000000000000)",
    ] {
        let r = run(SEND, &["-w", "-", spec], b"");
        assert_eq!(r.code, Some(0), "{spec}: {}", r.stderr);
        frames.push(packets(&r.stdout).unwrap().remove(0).0);
    }
    let pcap = support::pcap_frames(pktkit::capture::LinkType::ETHERNET, &frames);
    let recs = records(&pcap, &["--json", "--raw"]);
    let fields = |names: &str| {
        let r = run(DECODE, &["--fields", names], &pcap);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        r.stdout_text()
            .lines()
            .map(|l| l.split('\t').map(str::to_string).collect::<Vec<_>>())
            .collect::<Vec<_>>()
    };
    for (n, r) in recs.iter().enumerate() {
        assert_eq!(r["schema"], "pktkit.decode/2.1");
        assert_nothing_empty(r, &format!("record {}", n + 1));
    }
    let f = fields(
        "llc.dsap,stp.root.hw,stp.root.prio,stp.root.ext,stp.root.cost,stp.port,stp.hello,stp.forward",
    );
    let (llc, stp) = (&recs[0]["llc"], &recs[0]["stp"]);
    assert_eq!(f[0][0], format!("0x{:02x}", llc["dsap"].as_u64().unwrap()));
    assert_eq!(stp["root_mac"], f[0][1].as_str());
    assert_eq!(
        (stp["root_priority"].to_string(), stp["root_ext"].to_string()),
        (f[0][2].clone(), f[0][3].clone())
    );
    assert_eq!(stp["root_cost"].to_string(), f[0][4]);
    assert_eq!(format!("0x{:04x}", stp["port"].as_u64().unwrap()), f[0][5]);
    assert_eq!((stp["hello_time"].as_f64(), stp["forward_delay"].as_f64()), (Some(2.0), Some(15.0)));
    assert_eq!((f[0][6].as_str(), f[0][7].as_str()), ("2", "15"));
    assert!(stp.get("version_1_length").is_none(), "an STP (version 0) BPDU has no version 1 length: {stp}");
    let f = fields("llc.oui,cdp.version,cdp.ttl,cdp.checksum");
    assert_eq!(
        (recs[1]["llc"]["oui"].to_string(), recs[1]["llc"]["pid"].as_u64()),
        (f[1][0].clone(), Some(0x2000))
    );
    let cdp = &recs[1]["cdp"];
    assert_eq!((cdp["version"].to_string(), cdp["ttl"].to_string()), (f[1][1].clone(), f[1][2].clone()));
    assert_eq!(format!("0x{:04x}", cdp["checksum"].as_u64().unwrap()), f[1][3]);
    let f = fields("vrrp.virt_rtr_id,vrrp.prio,vrrp.addr_count,vrrp.auth_type,vrrp.adver_int,vrrp.ip_addr");
    let vrrp = &recs[2]["vrrp"];
    let keys = ["vrid", "priority", "addr_count", "auth_type", "adver_int"];
    let values: Vec<String> = keys.iter().map(|k| vrrp[k].to_string()).collect();
    assert_eq!(values, f[2][..5]);
    assert_eq!(vrrp["addrs"], serde_json::json!(["10.0.0.10", "10.0.0.11"]));
    assert_eq!(f[2][5], "10.0.0.10,10.0.0.11");
    assert!(vrrp.get("max_adver_int").is_none());
    let f = fields(
        "ospf.version,ospf.msg,ospf.packet_length,ospf.srcrouter,ospf.area_id,ospf.checksum,ospf.auth.type",
    );
    let ospf = &recs[3]["ospf"];
    assert_eq!(
        [&ospf["version"], &ospf["type"], &ospf["packet_length"]].map(|v| v.to_string()),
        [f[3][0].clone(), f[3][1].clone(), f[3][2].clone()]
    );
    assert_eq!(
        (ospf["router_id"].as_str(), ospf["area_id"].as_str()),
        (Some(f[3][3].as_str()), Some(f[3][4].as_str()))
    );
    assert_eq!(
        (format!("0x{:04x}", ospf["checksum"].as_u64().unwrap()), ospf["auth_type"].to_string()),
        (f[3][5].clone(), f[3][6].clone())
    );
    for (n, key) in ["stp", "cdp", "vrrp", "ospf"].iter().enumerate() {
        let others = ["stp", "cdp", "vrrp", "ospf", "slarp"]
            .iter()
            .filter(|k| *k != key && recs[n].get(**k).is_some())
            .count();
        assert_eq!(others, 0, "record {} has one protocol object: {}", n + 1, recs[n]);
    }
    // SLARP over Cisco HDLC: a keepalive.
    let slarp = [0x8f, 0x00, 0x80, 0x35, 0, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0, 2, 0xff, 0xff];
    let chdlc = support::pcap_frames(pktkit::capture::LinkType::C_HDLC, &[slarp.to_vec()]);
    let rec = &records(&chdlc, &["--json"])[0];
    assert_eq!(
        rec["slarp"],
        serde_json::json!({"code": 2, "my_seq": 5, "your_seq": 2, "reliability": 65535})
    );
    // Read back, as version 2.1 and as version 2: the same frames.
    let json = run(DECODE, &["--json", "--raw"], &pcap);
    let back = run(SEND, &["--from-json", "-w", "-"], &json.stdout);
    assert_eq!(back.code, Some(0), "{}", back.stderr);
    assert_eq!(packets(&back.stdout).unwrap(), packets(&pcap).unwrap());
    let v2 = json.stdout_text().replace("\"pktkit.decode/2.1\"", "\"pktkit.decode/2\"");
    let back = run(SEND, &["--from-json", "-w", "-"], v2.as_bytes());
    assert_eq!(back.code, Some(0), "{}", back.stderr);
    assert_eq!(packets(&back.stdout).unwrap(), packets(&pcap).unwrap());
}
