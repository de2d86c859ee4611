//! `pkt-send --show`, `--show -X` and `--list LAYER` against Scapy itself (Debian's
//! python3-scapy): the same packet bytes through Scapy's show2() and hexdump(), the field
//! names and defaults of ls(LAYER) in order.

mod support;

use std::io::Write;
use std::process::{Command, Stdio};

use support::{hex, packets, run};

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
    // Neighbour discovery and its options, with Scapy's quirks: the link-layer option is 8
    // bytes whatever its len says, an unknown option type and a lone byte are Raw.
    (
        "Ether(src=02:00:00:00:00:01,dst=33:33:ff:00:00:02)/IPv6(src=fe80::1,dst=ff02::1:ff00:2)/ICMPv6ND_NS(tgt=fe80::2)/ICMPv6NDOptSrcLLAddr(lladdr=02:00:00:00:00:01)",
        "Ether",
    ),
    (
        "IPv6(src=fe80::2,dst=fe80::1)/ICMPv6ND_NA(S=1,res=5,tgt=fe80::2)/ICMPv6NDOptDstLLAddr(lladdr=02:00:00:00:00:02)",
        "IPv6",
    ),
    ("IPv6(src=fe80::1)/ICMPv6ND_RS()/Raw(hex=0102aabbccddeeff0000000000000000)", "IPv6"),
    (
        "IPv6(src=fe80::1,dst=ff02::1)/ICMPv6ND_RA(chlim=64,M=1,O=1,prf=3,routerlifetime=600,reachabletime=30000)/ICMPv6NDOptSrcLLAddr(lladdr=02:00:00:00:00:01)/Raw(hex=05010000000005dc030440c000278d0000093a800000000020010db80000000000000000000000001903000000000e1020010db8000000000000000000000053c801000000000000ff)",
        "IPv6",
    ),
    ("IPv6(src=fe80::1,dst=ff02::1)/ICMPv6ND_RA(prf=0)/Raw(hex=0101aabbcc)", "IPv6"),
    // DNS answers (records made by Scapy itself, then compressed by it): TXT, MX, a type
    // without a class of its own, SOA, A, AAAA and OPT with an option.
    (
        "IP(src=192.0.2.53,dst=10.0.0.2)/UDP(sport=53,dport=40000)/Raw(hex=123485800001000300010003076578616d706c6503636f6d00000f0001c00c001000010000012c00110b763d73706631202d616c6c0469742773c00c000f000100000e100009000a046d61696cc00c0178c00c000d000100000000000b0341524d054c696e7578ffc00c00060001ffffffff0021026e73c00c0561646d696ec00c78c4246d00001c2000000384001275000000012cc04800010001000000000004c0000219c048001c000100000000001020010db800000000000000000000002500002904d000008000000c000a00080102030405060708)",
        "IP",
    ),
    // SRV, CNAME and PTR, compressed (rdlen None) and not, and bytes after the message.
    (
        "IP(src=192.0.2.53,dst=10.0.0.2)/UDP(sport=53,dport=40001)/Raw(hex=000781000001000300000000045f736970045f756470076578616d706c6503636f6d0000210001c00c0021000100000000000c0001000513c403736970c016c0390005000100000000000704686f7374c016013401330132013107696e2d61646472046172706100000c00010000003c0002c04b)",
        "IP",
    ),
    (
        "IPv6(src=fd00::53,dst=fd00::2)/UDP(sport=53,dport=40002)/Raw(hex=000781000001000300000000045f736970045f756470076578616d706c6503636f6d0000210001045f736970045f756470076578616d706c6503636f6d00002100010000000000170001000513c403736970076578616d706c6503636f6d0003736970076578616d706c6503636f6d000005000100000000001204686f7374076578616d706c6503636f6d00013401330132013107696e2d61646472046172706100000c00010000003c001204686f7374076578616d706c6503636f6d0074726169)",
        "IPv6",
    ),
    // mDNS (port 5353): no question, an answer with the cache-flush bit in its class.
    (
        "IP(src=192.168.1.20,dst=224.0.0.251)/UDP(sport=5353,dport=5353)/Raw(hex=000084000000000100000000077072696e746572056c6f63616c0000018001000000780004c0a80114)",
        "IP",
    ),
];

/// Layers whose ls() field names and defaults must match ours, in order.
const LISTED: &[&str] = &[
    "Ether",
    "ARP",
    "IP",
    "IPv6",
    "TCP",
    "UDP",
    "ICMP",
    "ICMPv6EchoRequest",
    "ICMPv6EchoReply",
    "ICMPv6ND_NS",
    "ICMPv6ND_NA",
    "ICMPv6ND_RS",
    "ICMPv6ND_RA",
    "ICMPv6NDOptSrcLLAddr",
    "ICMPv6NDOptDstLLAddr",
];

/// Fields whose ls() default is not compared, and why.
const DEFAULT_EXCEPTIONS: &[(&str, &str, &str)] = &[
    ("ICMP", "ts_ori", "milliseconds since midnight, read at a different moment"),
    ("ICMP", "ts_rx", "milliseconds since midnight, read at a different moment"),
    ("ICMP", "ts_tx", "milliseconds since midnight, read at a different moment"),
    ("ICMPv6NDOptSrcLLAddr", "lladdr", "pktkit fills in the interface's MAC (None), Scapy zeros"),
    ("ICMPv6NDOptDstLLAddr", "lladdr", "pktkit fills in the interface's MAC (None), Scapy zeros"),
];

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
from scapy.all import *
for line in sys.stdin:
    what, arg = line.split()
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        if what == "ls":
            ls(globals()[arg])
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

/// (name, default) from a line of ls() or --list: `name : kind = (default)`.
fn ls_line(line: &str) -> (String, String) {
    let name = line.split(" : ").next().unwrap_or("").trim().to_string();
    let default = line.rsplit_once(" = ").map_or("", |(_, d)| d).to_string();
    (name, default)
}

#[test]
fn list_names_the_fields_and_defaults_of_scapys_ls() {
    if !scapy_available() {
        return;
    }
    let input: String = LISTED.iter().map(|l| format!("ls {l}\n")).collect();
    let theirs = scapy(&input);
    for (i, layer) in LISTED.iter().enumerate() {
        let r = run(BIN, &["--list", layer], &[]);
        assert_eq!(r.code, Some(0), "{layer}: {}", r.stderr);
        let ours: Vec<(String, String)> = r.stdout_text().lines().map(ls_line).collect();
        // IP options are shown (--show) but not crafted: the one field ls(IP) has and we lack.
        let want: Vec<(String, String)> =
            theirs[i].lines().map(ls_line).filter(|(n, _)| !(*layer == "IP" && n == "options")).collect();
        let names = |v: &[(String, String)]| v.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
        assert_eq!(names(&ours), names(&want), "--list {layer} against ls({layer})");
        for ((name, default), (_, scapy_default)) in ours.iter().zip(&want) {
            if DEFAULT_EXCEPTIONS.iter().any(|(l, f, _)| l == layer && f == name) {
                continue;
            }
            assert_eq!(default, scapy_default, "--list {layer}: default of {name} against ls({layer})");
        }
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
