//! pkt-send, run as a program: crafting to pcap checked by tcpdump, spec errors, the
//! privilege error, the JSON round trip, and (as root, in the namespace lab) --sr1 answers
//! and replay across a veth link.

mod support;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::lab::{Host, Lab, is_root, notice};
use support::{Run, packets, run, run_with};

const BIN: &str = env!("CARGO_BIN_EXE_pkt-send");

/// Held by the tests that load both cores (the corpus round trip) and by the one that
/// measures a send rate, so that this test binary does not disturb its own measurement.
static HEAVY: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn heavy() -> std::sync::MutexGuard<'static, ()> {
    HEAVY.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn send(args: &[&str]) -> Run {
    run(BIN, args, b"")
}

/// `tcpdump -e -vv -n -r -` over `pcap`: its text, after checking it read the file.
fn tcpdump(pcap: &[u8]) -> String {
    let mut cmd = Command::new("tcpdump");
    cmd.args(["-e", "-vv", "-n", "-r", "-"]);
    let r = run_with(cmd, pcap, Duration::from_secs(30));
    assert_eq!(r.code, Some(0), "tcpdump failed: {}", r.stderr);
    r.stdout_text()
}

/// tcpdump's remarks about a damaged packet.
fn damage(text: &str) -> Option<&str> {
    ["bad cksum", "bad udp cksum", "bad tcp cksum", "incorrect", "[|", "truncated", "malformed", "invalid"]
        .into_iter()
        .find(|w| text.contains(w))
}

/// Every layer pkt-send crafts, each written with `-w -` and read back by tcpdump: no
/// checksum or truncation remarks, and the fields of the spec in its output.
#[test]
fn crafted_packets_read_cleanly_by_tcpdump_with_the_spec_fields() {
    let cases: &[(&str, &[&str])] = &[
        (
            "Ether(src=02:00:00:00:00:01,dst=02:00:00:00:00:02)/IP(src=10.0.0.1,dst=10.0.0.2,ttl=5,id=77,tos=0x10)/TCP(sport=1234,dport=80,seq=1000,flags=S,window=512,options=[MSS=1460,SAckOK,WScale=7,Timestamp=(1,2)])",
            &[
                "02:00:00:00:00:01 > 02:00:00:00:00:02",
                "ttl 5",
                "id 77",
                "tos 0x10",
                "10.0.0.1.1234 > 10.0.0.2.80",
                "Flags [S]",
                "seq 1000",
                "win 512",
                "mss 1460",
                "sackOK",
                "wscale 7",
                "TS val 1 ecr 2",
                "cksum",
                "(correct)",
            ],
        ),
        (
            "Ether(src=02:00:00:00:00:01,dst=02:00:00:00:00:02)/Dot1Q(vlan=42,prio=3)/IP(src=10.0.0.1,dst=10.0.0.2)/UDP(sport=5000,dport=7)/'hello'",
            &["vlan 42", "p 3", "10.0.0.1.5000 > 10.0.0.2.7", "[udp sum ok]", "UDP, length 5"],
        ),
        (
            "Ether(src=02:00:00:00:00:01)/ARP(psrc=10.0.0.1,pdst=10.0.0.2,hwsrc=02:00:00:00:00:01)",
            &["Request who-has 10.0.0.2 tell 10.0.0.1", "ff:ff:ff:ff:ff:ff"],
        ),
        (
            "Ether(src=02:00:00:00:00:01,dst=02:00:00:00:00:02)/ARP(op=is-at,psrc=10.0.0.2,hwsrc=02:00:00:00:00:02,pdst=10.0.0.1,hwdst=02:00:00:00:00:01)",
            &["Reply 10.0.0.2 is-at 02:00:00:00:00:02"],
        ),
        (
            "IP(src=10.0.0.1,dst=10.0.0.2,flags=DF)/ICMP(id=7,seq=9)/'ping'",
            &["flags [DF]", "ICMP echo request, id 7, seq 9", "proto ICMP (1)"],
        ),
        (
            "IP(src=10.0.0.2,dst=10.0.0.1)/ICMP(type=3,code=3)/IP(src=10.0.0.1,dst=10.0.0.2)/UDP(sport=4000,dport=9)",
            &["10.0.0.2 udp port 9 unreachable", "10.0.0.1.4000 > 10.0.0.2.9"],
        ),
        (
            "IP(src=10.0.0.1,dst=10.0.0.2)/ICMP(type=11)/IP(src=10.0.0.9,dst=10.0.0.2)/ICMP()",
            &["time exceeded in-transit"],
        ),
        (
            "IP(src=10.0.0.1,dst=10.0.0.2)/UDP(sport=3333)/DNS(id=4242,qname=example.com,qtype=AAAA)",
            &["4242+ AAAA? example.com.", "[udp sum ok]", "10.0.0.1.3333 > 10.0.0.2.53"],
        ),
        (
            "IP(src=10.0.0.1,dst=10.0.0.2)/TCP(sport=5353,dport=53,flags=PA)/DNS(id=9,qname=example.org)",
            &["9+ A? example.org.", "Flags [P.]"],
        ),
        (
            "IPv6(src=fd00::1,dst=fd00::2,hlim=9,fl=0x12345)/TCP(sport=1,dport=443,flags=SA,ack=5)",
            &["hlim 9", "flowlabel 0x12345", "fd00::1.1 > fd00::2.443", "Flags [S.]", "ack 5", "(correct)"],
        ),
        (
            "IPv6(src=fd00::1,dst=fd00::2)/UDP(sport=9,dport=10)/Raw(hex=00010203)",
            &["fd00::1.9 > fd00::2.10", "[udp sum ok]"],
        ),
        (
            "IPv6(src=fd00::1,dst=fd00::2)/ICMPv6EchoRequest(id=3,seq=4,data=abc)",
            &["ICMP6, echo request", "id 3, seq 4"],
        ),
        ("IPv6(src=fd00::2,dst=fd00::1)/ICMPv6EchoReply(id=3,seq=4)", &["ICMP6, echo reply", "id 3, seq 4"]),
        (
            "Ether(src=02:00:00:00:00:01)/IPv6(src=fe80::1)/ICMPv6ND_NS(tgt=fe80::2)/ICMPv6NDOptSrcLLAddr(lladdr=02:00:00:00:00:01)",
            &[
                "neighbor solicitation",
                "who has fe80::2",
                "source link-address option",
                "02:00:00:00:00:01",
                "hlim 255",
            ],
        ),
        (
            "IPv6(src=fe80::2,dst=fe80::1)/ICMPv6ND_NA(tgt=fe80::2,S=1)/ICMPv6NDOptDstLLAddr(lladdr=02:00:00:00:00:02)",
            &["neighbor advertisement", "tgt is fe80::2", "Flags [router, solicited, override]"],
        ),
        ("IPv6(src=fe80::1)/ICMPv6ND_RS()", &["router solicitation", "ff02::2"]),
        (
            "IPv6(src=fe80::1)/ICMPv6ND_RA(chlim=64,routerlifetime=600)",
            &["router advertisement", "hop limit 64", "router lifetime 600s"],
        ),
    ];
    for (spec, want) in cases {
        let r = send(&["-w", "-", spec]);
        assert_eq!(r.code, Some(0), "{spec}: {}", r.stderr);
        let text = tcpdump(&r.stdout);
        assert_eq!(damage(&text), None, "{spec}: tcpdump remarks on damage:\n{text}");
        for w in *want {
            assert!(text.contains(w), "{spec}: tcpdump output lacks {w:?}:\n{text}");
        }
    }
}

#[test]
fn fan_out_writes_every_packet_in_scapy_order() {
    let r = send(&["-w", "-", "IP(src=10.0.0.1,dst=10.0.0.0/31)/TCP(dport=[22,80],flags=S)"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let text = tcpdump(&r.stdout);
    let order: Vec<&str> = text
        .lines()
        .filter_map(|l| l.split(" > ").nth(1))
        .map(|s| s.split(':').next().unwrap_or(""))
        .collect();
    assert_eq!(order, ["10.0.0.0.22", "10.0.0.0.80", "10.0.0.1.22", "10.0.0.1.80"]);
    // -c repeats, --show --oneline prints one line per packet.
    let r = send(&["--show", "--oneline", "-c", "3", "IP(dst=10.0.0.1)/UDP(dport=[1,2])"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(r.stdout_text().lines().count(), 6);
}

#[test]
fn malformed_spec_exits_2_with_the_position_and_what_was_expected() {
    let r = send(&["--show", "IP(dst=10.0.0.2 ttl=5)"]);
    assert_eq!(r.code, Some(2));
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(
        lines[0], "pkt-send: bad packet spec: at 16: expected ',' or ')' after field value, found 't'",
        "{}",
        r.stderr
    );
    assert_eq!(lines[1], "  IP(dst=10.0.0.2 ttl=5)");
    assert_eq!(lines[2], format!("  {}^", " ".repeat(16)));
    let r = send(&["-w", "/dev/null", "IP()/TCPP(dport=80)"]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("unknown layer 'TCPP' at 5"), "{}", r.stderr);
    // Sending (which would need privileges) checks the spec first: still exit 2.
    let r = send(&["IP(ttl=256)/ICMP()"]);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr.contains("at 7") && r.stderr.contains("ttl takes a number from 0 to 255"),
        "{}",
        r.stderr
    );
    let r = send(&[]);
    assert_eq!(r.code, Some(2));
    let r = send(&["--pps", "5", "IP()"]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
}

/// A command that runs `pkt-send args` without CAP_NET_RAW: as root, through setpriv with
/// the capability removed from the bounding set (so exec cannot grant it); otherwise as is.
fn unprivileged(args: &[&str]) -> Option<Command> {
    if !is_root() {
        let mut c = Command::new(BIN);
        c.args(args);
        return Some(c);
    }
    let ok = Command::new("setpriv").arg("--help").stdout(Stdio::null()).stderr(Stdio::null()).status();
    if !ok.is_ok_and(|s| s.success()) {
        notice("SKIP privilege test: setpriv (util-linux) is not installed");
        return None;
    }
    let mut c = Command::new("setpriv");
    c.args(["--bounding-set", "-net_raw", "--inh-caps", "-net_raw", "--", BIN]).args(args);
    Some(c)
}

#[test]
fn without_cap_net_raw_one_line_names_it_and_the_setcap_fix() {
    for args in [
        &["IP(dst=127.0.0.1)/ICMP()"][..],
        &["--sr1", "IP(dst=127.0.0.1)/ICMP()"],
        &["-i", "lo", "IP(dst=127.0.0.1)/ICMP()"],
        &["--replay", "-i", "lo", "/dev/null"],
    ] {
        let Some(cmd) = unprivileged(args) else { return };
        let r = run_with(cmd, b"", Duration::from_secs(30));
        assert_eq!(r.code, Some(1), "{args:?}: {}", r.stderr);
        let lines: Vec<&str> = r.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{args:?}: one line, got {}", r.stderr);
        assert!(lines[0].starts_with("pkt-send: ") && lines[0].contains("needs CAP_NET_RAW"), "{}", lines[0]);
        assert!(lines[0].contains(&format!("setcap cap_net_raw,cap_net_admin+ep {BIN}")), "{}", lines[0]);
    }
    // Writing and showing need nothing.
    let Some(mut cmd) = unprivileged(&["-w", "-", "IP(dst=127.0.0.1)/ICMP()"]) else { return };
    cmd.stdout(Stdio::piped());
    let r = run_with(cmd, b"", Duration::from_secs(30));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(packets(&r.stdout).unwrap().len(), 1);
}

/// A capture made by pktkit itself: every kind of packet pkt-send crafts, Ethernet-framed,
/// with distinct timestamps (written by -w, one spec per file, joined here).
fn mixed_capture() -> Vec<u8> {
    let specs = [
        "Ether()/IP(src=10.0.0.1,dst=10.0.0.2)/TCP(sport=[1000,1001],dport=80,flags=S,options=[MSS=1460])",
        "Ether()/IP(src=10.0.0.2,dst=10.0.0.1)/TCP(sport=80,dport=1000,flags=SA,seq=5,ack=1)/'x'",
        "Ether()/Dot1Q(vlan=7)/IP(src=10.0.0.1,dst=10.0.0.2)/UDP(sport=5000,dport=53)/DNS(qname=a.example)",
        "Ether()/IP(src=10.0.0.1,dst=10.0.0.3,flags=MF)/UDP(sport=1,dport=2)/'fragment'",
        "Ether()/IP(src=10.0.0.2,dst=10.0.0.1)/ICMP(type=3,code=3)/IP(src=10.0.0.1,dst=10.0.0.2)/UDP(sport=4,dport=9)",
        "Ether()/IP(src=10.0.0.1,dst=10.0.0.2)/ICMP(seq=(1,3))",
        "Ether()/IP(src=10.0.0.1,dst=10.0.0.2)/UDP(sport=1111,dport=2222,chksum=0)/'no checksum'",
        "Ether()/IPv6(src=fd00::1,dst=fd00::2)/TCP(dport=22)",
        "Ether()/IPv6(src=fd00::1,dst=fd00::2)/ICMPv6EchoRequest(id=1)",
        "Ether()/ARP(psrc=10.0.0.1,pdst=10.0.0.2)",
    ];
    let mut file = Vec::new();
    let mut n = 0u32;
    for spec in specs {
        let r = send(&["-w", "-", spec]);
        assert_eq!(r.code, Some(0), "{spec}: {}", r.stderr);
        if file.is_empty() {
            file.extend_from_slice(&r.stdout[..24]);
        }
        // Records, with timestamps replaced by a fixed 1 ms grid.
        let mut at = 24;
        while at + 16 <= r.stdout.len() {
            let caplen = u32::from_ne_bytes(r.stdout[at + 8..at + 12].try_into().unwrap()) as usize;
            file.extend(1_700_000_000u32.to_ne_bytes());
            file.extend((n * 1000).to_ne_bytes());
            file.extend_from_slice(&r.stdout[at + 8..at + 16 + caplen]);
            n += 1;
            at += 16 + caplen;
        }
    }
    file
}

/// `pkt-send --from-json -w -` over records (stdin), checked to exit 0.
fn from_json(records: &[u8]) -> Vec<u8> {
    let r = run(BIN, &["--from-json", "-w", "-"], records);
    assert_eq!(r.code, Some(0), "--from-json: {}", r.stderr);
    r.stdout
}

/// `--replay --show --json --raw` of a capture: one record per packet, pkt-decode's names.
fn records(pcap: &[u8]) -> Vec<u8> {
    let r = run(BIN, &["--replay", "--show", "--json", "--raw", "-"], pcap);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    r.stdout
}

#[test]
fn json_round_trip_is_byte_for_byte() {
    let cap = mixed_capture();
    let recs = records(&cap);
    assert_eq!(String::from_utf8_lossy(&recs).lines().count(), packets(&cap).unwrap().len());
    assert_eq!(from_json(&recs), cap, "records written back differ from the capture");
    // The external generator's capture too, when the shared bench folder is there.
    let gen_path = std::env::var_os("PKTKIT_BENCH_GEN").map(std::path::PathBuf::from).unwrap_or_else(|| {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/gen-mix.py")
    });
    if gen_path.is_file() {
        let mut cmd = Command::new("python3");
        cmd.arg(&gen_path).args(["-", "--packets", "5000", "--snaplen", "200"]);
        let g = run_with(cmd, b"", Duration::from_secs(60));
        assert_eq!(g.code, Some(0), "{}", g.stderr);
        assert_eq!(
            from_json(&records(&g.stdout)),
            g.stdout,
            "gen-mix capture (snaplen 200) differs after the round trip"
        );
    } else {
        notice(&format!("SKIP gen-mix part of json_round_trip_is_byte_for_byte: no {}", gen_path.display()));
    }
}

/// Every classic pcap file of the corpus: records written back hold the same packets
/// (bytes, lengths, timestamps), through pkt-send's own records and, when built,
/// pkt-decode's.
#[test]
fn corpus_json_round_trip_keeps_every_packet() {
    let Some(corpus) = support::corpus("corpus_json_round_trip_keeps_every_packet") else { return };
    let _heavy = heavy();
    let files: Vec<_> = support::captures(&corpus)
        .into_iter()
        .filter(|f| {
            std::fs::read(f).is_ok_and(|b| {
                b.len() >= 24
                    && matches!(
                        &b[..4],
                        [0xd4, 0xc3, 0xb2, 0xa1]
                            | [0x4d, 0x3c, 0xb2, 0xa1]
                            | [0xa1, 0xb2, 0xc3, 0xd4]
                            | [0xa1, 0xb2, 0x3c, 0x4d]
                    )
            })
        })
        .collect();
    assert!(files.len() > 100, "only {} classic pcap files in the corpus", files.len());
    let decode = env!("CARGO_BIN_EXE_pkt-decode");
    let results = support::parallel(&files, |f| {
        let bytes = std::fs::read(f).unwrap();
        let Ok(want) = packets(&bytes) else { return None };
        let recs = [
            run(BIN, &["--replay", "--show", "--json", "--raw", "-"], &bytes),
            run(decode, &["--json", "--raw"], &bytes),
        ];
        for r in recs {
            if r.code != Some(0) {
                return Some(format!("{}: records: {}", f.display(), r.stderr));
            }
            let back = run(BIN, &["--from-json", "-q", "-w", "-"], &r.stdout);
            if back.code != Some(0) {
                return Some(format!("{}: --from-json: {}", f.display(), back.stderr));
            }
            let got = packets(&back.stdout).unwrap();
            let same =
                |a: &support::Pkt, b: &support::Pkt| a.0 == b.0 && a.1 == b.1 && a.2 == b.2 && a.3 == b.3;
            if got.len() != want.len() || !got.iter().zip(&want).all(|(a, b)| same(a, b)) {
                return Some(format!("{}: packets differ after the round trip", f.display()));
            }
        }
        None
    });
    let failures: Vec<String> = results.into_iter().flatten().collect();
    assert!(failures.is_empty(), "{} of {} files:\n{}", failures.len(), files.len(), failures.join("\n"));
}

/// Edits as jq would make them: every IPv4 destination, TTL and TCP/UDP port changed.
fn edit(records: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for line in String::from_utf8_lossy(records).lines() {
        let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
        if let Some(ip) = v.get_mut("ipv4") {
            ip["dst"] = "192.168.200.9".into();
            ip["ttl"] = 3.into();
        }
        if let Some(ip) = v.get_mut("ipv6") {
            ip["src"] = "fd00:99::1".into();
        }
        for l4 in ["tcp", "udp"] {
            if let Some(t) = v.get_mut(l4) {
                t["dst_port"] = 8443.into();
            }
        }
        writeln!(out, "{v}").unwrap();
    }
    out
}

#[test]
fn json_edits_are_written_in_with_valid_checksums() {
    let cap = mixed_capture();
    let edited = from_json(&edit(&records(&cap)));
    let text = tcpdump(&edited);
    assert_eq!(damage(&text), None, "{text}");
    // The records without an ICMP quote show the new fields; checksums tcpdump verifies are ok.
    assert!(text.matches("> 192.168.200.9.8443").count() >= 5, "{text}");
    assert!(text.contains("ttl 3"), "{text}");
    assert!(text.contains("fd00:99::1.20 > fd00::2.8443"), "{text}");
    assert!(text.matches("(correct)").count() + text.matches("sum ok]").count() >= 6, "{text}");
    // The same edit through jq itself, when installed.
    if support::have("jq", "the edit through jq") {
        let mut jq = Command::new("jq");
        jq.args(["-c", r#"if .ipv4 then .ipv4.dst = "10.9.9.9" else . end"#]);
        let j = run_with(jq, &records(&cap), Duration::from_secs(30));
        assert_eq!(j.code, Some(0), "{}", j.stderr);
        let text = tcpdump(&from_json(&j.stdout));
        assert_eq!(damage(&text), None, "{text}");
        assert!(text.contains("10.0.0.1.1000 > 10.9.9.9.80"), "{text}");
    } else {
        notice("SKIP jq part of json_edits_are_written_in_with_valid_checksums: jq is not installed");
    }
    // A record without raw bytes, or with a value of the wrong kind: a clear error, exit 1.
    let r = run(BIN, &["--from-json", "-w", "-"], b"{\"ipv4\":{\"dst\":\"10.0.0.1\"}}\n");
    assert_eq!(r.code, Some(1));
    assert!(
        r.stderr.contains("-: record 1 (line 1): raw: missing")
            && r.stderr.contains("pkt-decode --json --raw"),
        "{}",
        r.stderr
    );
    let bad = String::from_utf8_lossy(&records(&cap))
        .lines()
        .next()
        .unwrap()
        .replace("\"dst\":\"10.0.0.2\"", "\"dst\":\"nope\"");
    let r = run(BIN, &["--from-json", "-w", "-"], format!("{bad}\n").as_bytes());
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.contains("ipv4.dst: got \"nope\", expected an IPv4 address"), "{}", r.stderr);
}

/// pkt-decode's own records.
#[test]
fn pkt_decode_records_round_trip() {
    let decode = env!("CARGO_BIN_EXE_pkt-decode");
    let cap = mixed_capture();
    let r = run(decode, &["--json", "--raw"], &cap);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(
        from_json(&r.stdout),
        cap,
        "pkt-decode --json --raw | pkt-send --from-json -w - changed the capture"
    );
    let text = tcpdump(&from_json(&edit(&r.stdout)));
    assert_eq!(damage(&text), None, "{text}");
    assert!(text.contains("> 192.168.200.9.8443"), "{text}");
}

// ---- live, in the namespace lab (root) ----

fn sr1(lab: &Lab, args: &[&str]) -> (Run, Duration) {
    let mut cmd = lab.command(Host::Client, BIN, ["--sr1"].iter().chain(args));
    cmd.stdin(Stdio::null());
    let t = Instant::now();
    let r = run_with(cmd, b"", Duration::from_secs(30));
    (r, t.elapsed())
}

#[test]
fn sr1_in_the_lab_gets_the_answers_scapy_would_match() {
    let Some(lab) = Lab::up() else { return };
    let server = lab.get("SERVER_V4").to_string();
    let client = lab.get("CLIENT_V4").to_string();
    let [open, ..] = lab.ports("TCP_OPEN")[..] else { panic!("no open port") };
    let [closed, ..] = lab.ports("TCP_CLOSED")[..] else { panic!("no closed port") };
    let [filtered, ..] = lab.ports("TCP_FILTERED")[..] else { panic!("no filtered port") };
    let [udp_closed, ..] = lab.ports("UDP_CLOSED")[..] else { panic!("no closed UDP port") };

    // The seed's ping: the reply's source and TTL (two routers: 62).
    let (r, _) = sr1(&lab, &[&format!("IP(dst={server})/ICMP(id=77,seq=3)")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let out = r.stdout_text();
    assert!(out.contains(&format!("{server} > {client}: ICMP echo reply, id 77, seq 3")), "{out}");
    assert!(out.contains("ttl 62"), "{out}");
    assert!(r.stderr.contains(&format!("answer from {server}, ttl 62")), "{}", r.stderr);

    let (r, _) = sr1(&lab, &[&format!("IP(dst={server})/TCP(sport=40001,dport={open},flags=S,seq=1000)")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stdout_text().contains(&format!("{server}.{open} > {client}.40001: Flags [S.]")),
        "{}",
        r.stdout_text()
    );
    assert!(r.stdout_text().contains("ack 1001"), "{}", r.stdout_text());

    let (r, _) = sr1(&lab, &[&format!("IP(dst={server})/TCP(sport=40002,dport={closed},flags=S)")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stdout_text().contains(&format!("{server}.{closed} > {client}.40002: Flags [R.]")),
        "{}",
        r.stdout_text()
    );

    let (r, took) = sr1(
        &lab,
        &["--timeout", "1", &format!("IP(dst={server})/TCP(sport=40003,dport={filtered},flags=S)")],
    );
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stdout.is_empty());
    assert!(r.stderr.contains("no answer within 1 s"), "{}", r.stderr);
    assert!(took >= Duration::from_secs(1), "gave up after {took:?}");

    let (r, _) = sr1(&lab, &[&format!("IP(dst={server})/UDP(sport=40004,dport={udp_closed})")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stdout_text().contains(&format!("ICMP {server} udp port {udp_closed} unreachable")),
        "{}",
        r.stdout_text()
    );
    // ... matched to its probe: a probe from another source port gets no answer from it.
    let (r, _) = sr1(&lab, &["--json", &format!("IP(dst={server})/UDP(sport=40005,dport={udp_closed})")]);
    let v: serde_json::Value = serde_json::from_str(r.stdout_text().trim()).unwrap();
    assert_eq!(v["icmp"]["type"], 3);
    assert_eq!(v["icmp"]["code"], 3);

    // ARP on the client's link: the router's MAC.
    let hop = lab.get("HOP1_V4");
    let (r, _) = sr1(&lab, &[&format!("ARP(pdst={hop})")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stdout_text().contains(&format!("Reply {hop} is-at {}", lab.get("GATEWAY_MAC"))),
        "{}",
        r.stdout_text()
    );

    // IPv6 and layer 2 with -i.
    let server6 = lab.get("SERVER_V6");
    let (r, _) = sr1(&lab, &[&format!("IPv6(dst={server6})/ICMPv6EchoRequest(id=5,seq=6)")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout_text().contains("ICMP6, echo reply, id 5, seq 6"), "{}", r.stdout_text());
    let (r, _) = sr1(&lab, &["-i", "eth0", &format!("IP(dst={server})/ICMP(seq=9)")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout_text().contains("echo reply, id 0, seq 9"), "{}", r.stdout_text());

    // Plain sending: -c repeats the spec's packets, --interval spaces them; the server's
    // kernel counts what arrived.
    let before = lab.snmp(Host::Server)["Icmp:InEchos"];
    let t = Instant::now();
    let spec = format!("IP(dst={server})/ICMP(seq=(1,2))");
    let r = run_with(
        lab.command(Host::Client, BIN, ["-c", "5", "--interval", "0.05", &spec]),
        b"",
        Duration::from_secs(30),
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stderr.contains("sent 10 packet(s)"), "{}", r.stderr);
    assert!(t.elapsed() >= Duration::from_millis(450), "10 packets 50 ms apart took {:?}", t.elapsed());
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(lab.snmp(Host::Server)["Icmp:InEchos"] - before, 10);
}

/// Frames with a sequence number in their UDP payload, to a MAC nobody has (r1 drops them
/// after its capture sees them).
fn numbered_frames(n: u32) -> Vec<u8> {
    let mut recs: Vec<(u32, u32, Vec<u8>, u32)> = Vec::new();
    for i in 0..n {
        let spec = format!(
            "Ether(src=02:00:00:00:01:02,dst=02:00:00:00:99:99)/IP(src=10.0.1.2,dst=10.0.1.99)/UDP(sport=7000,dport=7001)/'seq{i:06}'"
        );
        let p = pktkit::craft::craft(&spec, &pktkit::craft::Offline).unwrap().remove(0);
        let len = p.bytes.len() as u32;
        recs.push((1_700_000_000 + i / 1000, (i % 1000) * 1000, p.bytes, len));
    }
    let refs: Vec<(u32, u32, &[u8], u32)> = recs.iter().map(|(s, u, d, l)| (*s, *u, &d[..], *l)).collect();
    support::pcap(1, 65535, &refs)
}

/// Replays `frames` from the client with `args`, capturing on r1's end of the link.
/// Returns the far side's packets and pkt-send's JSON report.
fn replay_across(
    lab: &Lab,
    frames: &[u8],
    n: usize,
    args: &[&str],
) -> (Vec<support::Pkt>, serde_json::Value) {
    let dir = std::env::temp_dir().join(format!("pkt-send-{}", lab.name()));
    std::fs::create_dir_all(&dir).unwrap();
    let (input, seen) = (dir.join("in.pcap"), dir.join("seen.pcap"));
    std::fs::write(&input, frames).unwrap();
    // `frames` holds pkt-decode records instead of a capture when `args` has --from-json.
    let mode = if args.contains(&"--from-json") { "--from-json" } else { "--replay" };
    let args: Vec<&str> = args.iter().copied().filter(|a| *a != "--from-json").collect();
    let mut tcpdump = lab
        .command(
            Host::R1,
            "tcpdump",
            [
                "-i",
                "eth0",
                "-n",
                "-U",
                "-c",
                &n.to_string(),
                "-w",
                seen.to_str().unwrap(),
                "ether dst 02:00:00:00:99:99",
            ],
        )
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for "listening on" so no frame is sent before the capture runs.
    let mut err = tcpdump.stderr.take().unwrap();
    let mut buf = [0u8; 256];
    let mut said = String::new();
    while !said.contains("listening on") {
        let k = std::io::Read::read(&mut err, &mut buf).unwrap();
        assert!(k > 0, "tcpdump ended: {said}");
        said += &String::from_utf8_lossy(&buf[..k]);
    }
    let mut all = vec![mode, "-i", "eth0", "--json"];
    all.extend(args);
    all.push(input.to_str().unwrap());
    let r = run_with(lab.command(Host::Client, BIN, &all), b"", Duration::from_secs(120));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let report: serde_json::Value = serde_json::from_str(r.stdout_text().trim()).unwrap();
    let start = Instant::now();
    while tcpdump.try_wait().unwrap().is_none() {
        assert!(start.elapsed() < Duration::from_secs(20), "tcpdump on r1 did not see {n} frames");
        std::thread::sleep(Duration::from_millis(20));
    }
    let got = packets(&std::fs::read(&seen).unwrap()).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    (got, report)
}

#[test]
fn replay_across_a_veth_link_arrives_in_order_and_at_the_rate() {
    let Some(lab) = Lab::up() else { return };
    let _heavy = heavy();
    // 5000 frames: at 10,000 pps the run lasts 0.5 s, so a 10 ms stall of a loaded machine at
    // the end still stays within the 2% the test allows.
    let n = 5000;
    let frames = numbered_frames(n as u32);
    let sent = packets(&frames).unwrap();

    // Captured timing (1 ms apart, x10), then 10,000 packets/s: the same frames, in order.
    for args in [&["--multiplier", "10"][..], &["--pps", "10000"]] {
        let (got, report) = replay_across(&lab, &frames, n, args);
        assert_eq!(report["packets"], n, "{report}");
        assert_eq!(report["failed"], 0, "{report}");
        assert_eq!(got.len(), n);
        for (i, (g, s)) in got.iter().zip(&sent).enumerate() {
            assert_eq!(g.0, s.0, "{args:?}: frame {i} differs or is out of order");
        }
        if args[0] == "--pps" {
            // The rate seen on the far side, from its capture timestamps.
            let t = |p: &support::Pkt| p.2 as f64 + p.3 as f64 / 1e9;
            let far = (n - 1) as f64 / (t(&got[n - 1]) - t(&got[0]));
            assert!((far - 10_000.0).abs() / 10_000.0 < 0.02, "far side saw {far:.1} pps");
            let own = report["pps"].as_f64().unwrap();
            assert!((own - 10_000.0).abs() / 10_000.0 < 0.02, "pkt-send reports {own:.1} pps");
        } else {
            // 1 ms gaps sped up 10x: 5000 frames in about 0.5 s.
            let secs = report["elapsed_s"].as_f64().unwrap();
            assert!((0.45..0.8).contains(&secs), "captured timing x10 took {secs} s");
        }
    }
    // Top speed, batched: all frames, in order.
    let (got, report) = replay_across(&lab, &frames, n, &["--topspeed"]);
    assert_eq!(report["failed"], 0, "{report}");
    assert!(got.iter().zip(&sent).all(|(g, s)| g.0 == s.0), "top speed reordered or changed frames");

    // The same frames as JSON records, sent by --from-json: the same frames arrive.
    let (got, report) = replay_across(&lab, &records(&frames), n, &["--from-json", "--topspeed"]);
    assert_eq!(report["packets"], n, "{report}");
    assert!(got.iter().zip(&sent).all(|(g, s)| g.0 == s.0), "--from-json changed or reordered frames");

    // A raw-IP capture (as -w writes IP specs) goes out through the raw IP socket on -i.
    let server = lab.get("SERVER_V4");
    let r = send(&["-w", "-", &format!("IP(src={},dst={server})/ICMP(seq=(1,5))", lab.get("CLIENT_V4"))]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let before = lab.snmp(Host::Server)["Icmp:InEchos"];
    let out = lab.exec_stdin(Host::Client, &[BIN, "--replay", "-i", "eth0", "--pps", "1000", "-"], &r.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("sent 5 packets"), "{err}");
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(lab.snmp(Host::Server)["Icmp:InEchos"] - before, 5);
}

/// One pkt-decode record (`--json --raw`) of a small UDP frame, as JSON.
fn udp_record() -> serde_json::Value {
    let frame = support::frame(17, [10, 0, 0, 1], [10, 0, 0, 2], 1000, 53, b"payload");
    let cap = support::pcap(1, 65535, &[(1, 0, &frame, frame.len() as u32)]);
    serde_json::from_slice(&records(&cap)).unwrap()
}

/// Issue 19, point 2: a record whose bytes are longer than the output's snaplen is written cut
/// to the snaplen with its wire length kept, so pkt-decode and tcpdump read the file; one longer
/// than libpcap reads at all (300,000 bytes) is refused with its record number, after the
/// records before it are written.
#[test]
fn from_json_record_longer_than_the_snaplen_is_cut_to_it() {
    let rec = udp_record();
    let frame_len = rec["raw"]["hex"].as_str().unwrap().len() / 2;
    let long = |len: usize, snaplen: u64| {
        let mut r = rec.clone();
        let mut hex = r["raw"]["hex"].as_str().unwrap().to_string();
        hex.push_str(&"ab".repeat(len - frame_len));
        r["raw"]["hex"] = hex.into();
        r["wire_len"] = serde_json::Value::Null;
        r["raw"]["snaplen"] = snaplen.into();
        r.to_string() + "\n"
    };
    // One snaplen: classic pcap has one, and libpcap refuses pcapng interfaces of several.
    let input = long(262_144, 1000) + &long(2000, 1000);
    for format in [&[][..], &["--pcapng"]] {
        let out = run(BIN, &[&["--from-json", "-w", "-"], format].concat(), input.as_bytes());
        assert_eq!(out.code, Some(0), "{}", out.stderr);
        assert_eq!(
            out.stderr.trim(),
            "pkt-send: warning: 2 record(s) held more bytes than their snaplen: written cut to it, with their wire length"
        );
        let got: Vec<(usize, u32)> = packets(&out.stdout).unwrap().iter().map(|p| (p.0.len(), p.1)).collect();
        assert_eq!(got, [(1000, 262_144), (1000, 2000)]);
        let decoded = run(env!("CARGO_BIN_EXE_pkt-decode"), &["-"], &out.stdout);
        assert_eq!(decoded.code, Some(0), "pkt-decode: {}", decoded.stderr);
        assert_eq!(decoded.stdout_text().lines().count(), 2, "{}", decoded.stdout_text());
        let text = tcpdump(&out.stdout);
        assert_eq!(text.lines().filter(|l| l.contains("10.0.0.1.1000 > 10.0.0.2.53")).count(), 2, "{text}");
        assert!(!text.contains("Invalid"), "{text}");
    }
    let too_long = long(200, 96) + &long(300_000, 262_144);
    let r = run(BIN, &["--from-json", "-w", "-"], too_long.as_bytes());
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert_eq!(
        r.stderr.trim(),
        "pkt-send: -: record 2 (line 2): raw.hex: 300000 bytes, expected at most 262144, the longest packet of link type EN10MB (1) libpcap and tcpdump read"
    );
    assert_eq!(packets(&r.stdout).unwrap().len(), 1, "the record before is written");
}

/// Issue 19, point 5: `--from-json` errors name the record, the key, the value and what was
/// expected, in pkt-decode's terms (no Rust names such as `Num(300)` or `Ipv4Ttl`), and tell a
/// missing `raw.linktype` from one present but wrong.
#[test]
fn from_json_messages_name_record_key_value_and_expectation() {
    let good = udp_record();
    type Edit = dyn Fn(&mut serde_json::Value);
    let edited = |edit: &Edit| {
        let mut r = good.clone();
        edit(&mut r);
        format!("{good}\n\n{r}\n")
    };
    let cases: [(&Edit, &str); 8] = [
        (&|r| r["ipv4"]["ttl"] = 300.into(), "ipv4.ttl: got 300, expected a number from 0 to 255"),
        (
            &|r| r["udp"]["dst_port"] = 70000.into(),
            "udp.dst_port: got 70000, expected a number from 0 to 65535",
        ),
        (
            &|r| r["ipv4"]["frag_offset"] = 7.into(),
            "ipv4.frag_offset: got 7, expected a multiple of 8 from 0 to 65528",
        ),
        (
            &|r| r["raw"]["linktype"] = "ethernet".into(),
            "raw.linktype: got \"ethernet\", expected a whole number from 0 to 65535",
        ),
        (
            &|r| r["raw"]["linktype"] = 70000.into(),
            "raw.linktype: got 70000, expected a whole number from 0 to 65535",
        ),
        (
            &|r| {
                r["raw"].as_object_mut().unwrap().remove("linktype");
                r.as_object_mut().unwrap().remove("linktype");
            },
            "raw.linktype: missing, expected the link type number",
        ),
        (&|r| r["raw"]["hex"] = "00zz".into(), "raw.hex: 'z' at digit 3, expected hex digits"),
        (
            &|r| r["raw"]["precision"] = "pico".into(),
            "raw.precision: got \"pico\", expected \"micro\" or \"nano\"",
        ),
    ];
    for (edit, want) in cases {
        let r = run(BIN, &["--from-json", "-w", "-"], edited(edit).as_bytes());
        assert_eq!(r.code, Some(1), "{want}: {}", r.stderr);
        assert!(
            r.stderr.starts_with(&format!("pkt-send: -: record 2 (line 3): {want}")),
            "{want}:\n{}",
            r.stderr
        );
        assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
        assert!(!r.stderr.contains("Num(") && !r.stderr.contains("Ipv4"), "{}", r.stderr);
        assert_eq!(packets(&r.stdout).unwrap().len(), 1, "record 1 is written: {want}");
    }
}

/// Issue 19, point 4: a spec error that only building finds (ICMP type 3 has no `id`) writes
/// nothing, not even the pcap header, and no -w file; packets built before a later error are
/// written out.
#[test]
fn spec_error_found_while_building_writes_nothing() {
    let r = send(&["-w", "-", "IP(dst=10.0.0.1)/ICMP(type=3,id=5)"]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(
        r.stderr.starts_with("pkt-send: bad packet spec: at 29: ICMP type 3 has no field 'id'"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty(), "{} bytes written", r.stdout.len());
    let file = std::env::temp_dir().join(format!("pktkit-build-error-{}.pcap", std::process::id()));
    let r = send(&["-w", file.to_str().unwrap(), "IP(dst=10.0.0.1)/ICMP(type=3,id=5)"]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(!file.exists(), "{} was created", file.display());
    // Types 0 and 1 of the range: type 0 has an id, type 1 does not.
    let r = send(&["-w", "-", "IP(dst=10.0.0.1)/ICMP(type=(0,3),id=5)"]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("ICMP type 1 has no field 'id'"), "{}", r.stderr);
    assert_eq!(packets(&r.stdout).unwrap().len(), 1, "the packet built before the error is written");
}

/// Ctrl-C during a replay stops the sending at once, as tcpreplay does: the report says what
/// was sent, the exit status is 0, and the frames it counts are the ones that left.
#[test]
fn replay_stops_at_ctrl_c_and_reports_what_it_sent() {
    let Some(lab) = Lab::up() else { return };
    let n = 200;
    let frames = numbered_frames(n);
    let dir = std::env::temp_dir().join(format!("pkt-send-int-{}", lab.name()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("in.pcap");
    std::fs::write(&input, &frames).unwrap();
    // 20 frames a second: the whole replay would take 10 s.
    let mut child = lab
        .command(
            Host::Client,
            BIN,
            ["--replay", "-i", "eth0", "--pps", "20", "--json", input.to_str().unwrap()],
        )
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1000));
    let interrupted = Instant::now();
    let kill = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    while child.try_wait().unwrap().is_none() {
        assert!(interrupted.elapsed() < Duration::from_secs(2), "pkt-send --replay did not stop at SIGINT");
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON report");
    let sent = report["packets"].as_u64().unwrap();
    // About 20 frames in the second before the signal; far fewer than all 200.
    assert!((5..=60).contains(&sent), "sent {sent} frames in about 1 s at 20 pps: {report}");
    assert!(stderr.contains(&format!("sent {sent} packets")), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}
