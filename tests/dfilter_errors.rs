//! Malformed and mistyped display filters: pkt-decode and pcap-filter exit 2 with one line
//! that names the column and what was expected there.

mod support;

use std::time::Duration;
use support::{pcap_filter, pkt_decode, run_timed};

const BAD: &[&str] = &[
    "",
    "tcp.port ==",
    "tcp.port == 80 tcp",
    "(tcp",
    "tcp)",
    "tcp &&",
    "|| tcp",
    "not",
    "tcp.prot == 80",
    "htp",
    "ip.scr == 10.0.0.1",
    "ip.src == 10.0.0.300",
    "ip.src == 10.0.0.0/33",
    "ip.src == foo",
    "ipv6.src == 2001:db8::g",
    "eth.src == 00:11:22",
    "eth.src == 00:11:22:33:44:zz",
    "tcp.port == -1",
    "tcp.port == 0x",
    "tcp.port == 99999999999999999999999",
    "tcp.port == \"http\"",
    "ip.flags.df == 2",
    "tcp.port contains 80",
    "ip.src contains 10",
    "tcp.port matches \"8.\"",
    "http.host matches \"(\"",
    "http.host matches host",
    "tcp.port in {}",
    "tcp.port in 80",
    "tcp.port in {80 ..}",
    "tcp.port in {80 foo}",
    "tcp.srcport[0:1] == 00",
    "eth.src[a:b] == 00",
    "eth.src[] == 00",
    "eth.src[0:3 == 00",
    "eth.src[0:3] == zz",
    "foo(tcp.port)",
    "len(tcp.port) == 2",
    "lower(tcp.port) == 2",
    "upper(http.host == \"A\"",
    "tcp.flags & ip.src",
    "ip.src & 0x1",
    "tcp.port == ip.src",
    "dns == 1",
    "http.request == 1",
    "10 == 20",
    "\"abc\"",
    "tcp.port == \"80",
    "tcp.port # 80",
    "tcp.port === ",
    "http.host == \"\\x\"",
];

#[test]
fn bad_expressions_exit_2_with_a_column() {
    assert!(BAD.len() >= 40);
    let t = Duration::from_secs(20);
    for expr in BAD {
        for tool in ["pkt-decode", "pcap-filter"] {
            let mut cmd = if tool == "pkt-decode" { pkt_decode() } else { pcap_filter() };
            cmd.args(["-Y", expr, "/dev/null"]);
            let run = run_timed(cmd, None, t);
            let err = run.stderr.clone();
            assert_eq!(run.code, Some(2), "{tool} -Y '{expr}': {err}");
            assert_eq!(err.lines().count(), 1, "{tool} -Y '{expr}': {err}");
            assert!(err.starts_with(&format!("{tool}: display filter")), "{err}");
            assert!(err.contains(": column ") && err.contains("expected"), "{tool} -Y '{expr}': {err}");
        }
    }
}

#[test]
fn unknown_field_suggests_close_names() {
    let mut cmd = pkt_decode();
    cmd.args(["-Y", "tcp.dstprot == 80", "/dev/null"]);
    let err = run_timed(cmd, None, Duration::from_secs(20)).stderr;
    assert!(err.contains("column 1") && err.contains("did you mean tcp.dstport"), "{err}");
}
