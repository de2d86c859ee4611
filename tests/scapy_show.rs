//! `pkt-send --show`, `--show -X` and `--list LAYER` against Scapy itself (Debian's
//! python3-scapy): the same packet bytes through Scapy's show2() and hexdump(), the field
//! names of ls(LAYER) in order.

mod support;

use std::io::Write;
use std::process::{Command, Stdio};

use support::{packets, run};

const BIN: &str = env!("CARGO_BIN_EXE_pkt-send");

/// Debian's Python, which has python3-scapy (a pyenv python first in PATH may not).
const PYTHON: &str = "/usr/bin/python3";

/// Specs whose layers both dissect; the Scapy class that reads the frame back.
const SPECS: &[(&str, &str)] = &[
    (
        "Ether(src=02:fc:00:00:00:01,dst=02:fc:00:00:00:05)/IP(src=192.0.2.2,dst=10.0.0.2)/TCP(dport=80,flags=S)/'x'",
        "Ether",
    ),
    (
        "Ether(src=02:00:00:00:00:01,dst=ff:ff:ff:ff:ff:ff)/IP(src=10.0.0.1,dst=10.0.0.2,flags=DF,ttl=3,tos=0x10,id=7)/UDP(sport=5000,dport=6000)/'hel\\'lo\\x00\\xff'",
        "Ether",
    ),
    ("IP(src=10.0.0.1,dst=10.0.0.2)/ICMP()", "IP"),
    ("IP(src=10.0.0.1,dst=10.0.0.2)/ICMP(type=echo-reply,id=0x1234,seq=9)/'ping'", "IP"),
    (
        "IP(src=10.0.0.1,dst=10.0.0.2)/ICMP(type=3,code=3)/IP(src=10.0.0.2,dst=10.0.0.1)/UDP(sport=4000,dport=9)",
        "IP",
    ),
    ("IP(src=10.0.0.1,dst=10.0.0.2)/ICMP(type=11)/IP(src=10.0.0.2,dst=10.0.0.9,ttl=1)/ICMP()", "IP"),
    (
        "Ether(src=02:00:00:00:00:01,dst=02:00:00:00:00:02)/ARP(op=is-at,hwsrc=02:00:00:00:00:01,psrc=10.0.0.1,hwdst=02:00:00:00:00:02,pdst=10.0.0.2)",
        "Ether",
    ),
    (
        "IPv6(src=fd00::1,dst=fd00::2,hlim=9)/TCP(sport=40000,dport=443,flags=SA,seq=1000,ack=2000,options=[MSS=1460,NOP,WScale=7,SAckOK,Timestamp=(5,6)])",
        "IPv6",
    ),
    ("IP(src=10.0.0.1,dst=10.0.0.2)/TCP(sport=1234,dport=5678,flags=FPU,window=0)/'GET'", "IP"),
    ("IP(src=10.0.0.1,dst=10.0.0.2)/UDP(sport=40000)/DNS(id=7,qname=example.com)", "IP"),
    ("IPv6(src=fd00::1,dst=fd00::2)/ICMPv6EchoRequest(id=5,seq=1)/'abc'", "IPv6"),
    (
        "Ether(src=02:00:00:00:00:01,dst=02:00:00:00:00:02)/IPv6(src=fd00::2,dst=fd00::1)/ICMPv6EchoReply()",
        "Ether",
    ),
    (
        "IPv6(src=fd00::1,dst=fd00::2)/UDP()/DNS(rd=0,qd=[DNSQR(qname=a.example,qtype=AAAA),DNSQR(qname=b.example,qtype=MX)])",
        "IPv6",
    ),
];

/// Layers whose ls() field names must match ours, in order.
const LISTED: &[&str] = &["Ether", "ARP", "IP", "IPv6", "TCP", "UDP"];

fn scapy_available() -> bool {
    let ok = Command::new(PYTHON)
        .args(["-c", "import scapy"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!(
            "NOTICE: skipped: {PYTHON} has no scapy (apt-get install python3-scapy; scripts/deps --test)"
        );
    }
    ok
}

/// Runs Scapy on `input` lines (`CLASS HEX` or `ls NAME`), one process for all: each answer
/// ends with a line `---END---`.
fn scapy(input: &str) -> Vec<String> {
    let script = r#"
import sys, io, contextlib
from scapy.all import Ether, IP, IPv6, ARP, TCP, UDP, hexdump
for line in sys.stdin:
    what, arg = line.split()
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        if what == "ls":
            print("\n".join(f.name for f in globals()[arg].fields_desc))
        elif what == "hexdump":
            hexdump(bytes.fromhex(arg))
        else:
            globals()[what](bytes.fromhex(arg)).show2()
    sys.stdout.write(buf.getvalue() + "---END---\n")
"#;
    let mut child = Command::new(PYTHON)
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3");
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "scapy: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    text.split("---END---\n").map(str::to_string).collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn show_and_hexdump_match_scapy() {
    if !scapy_available() {
        return;
    }
    let mut input = String::new();
    let mut ours = Vec::new();
    for (spec, class) in SPECS {
        let w = run(BIN, &["-w", "-", spec], &[]);
        assert_eq!(w.code, Some(0), "{spec}: {}", w.stderr);
        let frame = packets(&w.stdout).unwrap().remove(0).0;
        input.push_str(&format!("{class} {}\nhexdump {}\n", hex(&frame), hex(&frame)));
        let show = run(BIN, &["--show", spec], &[]);
        assert_eq!(show.code, Some(0), "{spec}: {}", show.stderr);
        let dump = run(BIN, &["--show", "-X", spec], &[]);
        assert_eq!(dump.code, Some(0), "{spec}: {}", dump.stderr);
        ours.push((spec, show.stdout_text(), dump.stdout_text()));
    }
    let theirs = scapy(&input);
    for (i, (spec, show, dump)) in ours.iter().enumerate() {
        assert_eq!(*show, theirs[2 * i], "{spec}: --show differs from Scapy's show2()");
        assert_eq!(*dump, theirs[2 * i + 1], "{spec}: --show -X differs from Scapy's hexdump()");
    }
    // Every field of every layer is shown, the computed ones included.
    assert!(
        ours[1].1.contains("     len       = 36\n") && ours[1].1.contains("        len       = 16\n"),
        "{}",
        ours[1].1
    );
}

#[test]
fn list_names_the_fields_of_scapys_ls() {
    if !scapy_available() {
        return;
    }
    let input: String = LISTED.iter().map(|l| format!("ls {l}\n")).collect();
    let theirs = scapy(&input);
    for (i, layer) in LISTED.iter().enumerate() {
        let r = run(BIN, &["--list", layer], &[]);
        assert_eq!(r.code, Some(0), "{layer}: {}", r.stderr);
        let names: Vec<String> =
            r.stdout_text().lines().map(|l| l.split(" : ").next().unwrap_or("").trim().to_string()).collect();
        // IP options are shown (--show) but not crafted: the one field ls(IP) has and we lack.
        let want: Vec<String> =
            theirs[i].lines().filter(|n| !(*layer == "IP" && *n == "options")).map(str::to_string).collect();
        assert_eq!(names, want, "--list {layer} against ls({layer})");
    }
}

#[test]
fn list_and_hexdump_usage() {
    let r = run(BIN, &["--list"], &[]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout_text().lines().any(|l| l == "TCP"), "{}", r.stdout_text());
    let r = run(BIN, &["--list", "Nope"], &[]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.starts_with("pkt-send: --list Nope: no such layer (known: Ether, "), "{}", r.stderr);
    // -X needs --show and means nothing with --json: said, exit 2.
    for args in
        [&["-X", "IP()/ICMP()"][..], &["--show", "-X", "--json", "IP()/ICMP()"], &["--oneline", "IP()"]]
    {
        let r = run(BIN, args, &[]);
        assert_eq!(r.code, Some(2), "{args:?}: {}", r.stderr);
        assert_eq!(r.stderr.lines().count(), 2, "{args:?}: one line and the --help hint: {}", r.stderr);
    }
    // --oneline keeps pkt-decode's tcpdump line.
    let r = run(BIN, &["--show", "--oneline", "IP(src=1.1.1.1,dst=2.2.2.2)/ICMP()"], &[]);
    assert_eq!(r.stdout_text(), "IP 1.1.1.1 > 2.2.2.2: ICMP echo request, id 0, seq 0, length 8\n");
}
