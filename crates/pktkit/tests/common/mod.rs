//! Helpers for the oracle tests: build frames around an application payload, write them as
//! pcap with pktkit's own writer, run tcpdump or tshark on the file, find the corpus, and pull
//! the UDP/TCP payload out of a captured frame.

#![allow(dead_code)]

use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "../../../../tests/support/shared.rs"]
mod shared;
#[allow(unused_imports)]
pub use shared::{corpus, crafted, have, hex, raw_layer};

use etherparse::{LaxNetSlice, LaxSlicedPacket, TransportSlice};
use pktkit::capture::{
    CaptureReader, CaptureWriter, Input, Interface, LinkType, OutputFormat, Packet, Precision, Timestamp,
};

/// A frame to write: its bytes and its length on the wire (longer when "captured" short).
pub struct Frame {
    pub data: Vec<u8>,
    pub orig_len: usize,
}

/// The Ethernet and IPv4 layers of every test frame.
const LINK_AND_IP: &str =
    "Ether(src=00:11:22:33:44:55,dst=00:66:77:88:99:aa)/IP(src=10.0.0.1,dst=10.0.0.2,ttl=64)";

/// Ethernet + IPv4 + UDP around `payload` (built by craft), cut to `snap` bytes of payload
/// when given.
pub fn udp_frame(sport: u16, dport: u16, payload: &[u8], snap: Option<usize>) -> Frame {
    let spec = format!("{LINK_AND_IP}/UDP(sport={sport},dport={dport}){}", raw_layer(payload));
    cut(crafted(&spec), payload.len(), snap)
}

/// Ethernet + IPv4 + TCP (PSH, ACK) around `payload`, cut like [`udp_frame`].
pub fn tcp_frame(sport: u16, dport: u16, payload: &[u8], snap: Option<usize>) -> Frame {
    let spec = format!(
        "{LINK_AND_IP}/TCP(sport={sport},dport={dport},seq=1000,ack=2000,flags=PA,window=65535){}",
        raw_layer(payload)
    );
    cut(crafted(&spec), payload.len(), snap)
}

fn cut(mut data: Vec<u8>, payload_len: usize, snap: Option<usize>) -> Frame {
    let orig_len = data.len();
    if let Some(snap) = snap {
        data.truncate(orig_len - payload_len + snap.min(payload_len));
    }
    Frame { data, orig_len }
}

/// Writes the frames as an Ethernet pcap with pktkit's writer.
pub fn write_pcap(path: &Path, frames: &[Frame]) {
    let iface = Interface::live(LinkType::ETHERNET, 65535, Precision::Micro);
    let file = std::fs::File::create(path).expect("create pcap");
    let mut w = CaptureWriter::new(BufWriter::new(file), OutputFormat::Pcap);
    w.begin(&iface).expect("pcap header");
    for (i, f) in frames.iter().enumerate() {
        let ts = Timestamp::new(1_000_000 + i as i64, 0);
        let pkt = Packet::new(i as u64 + 1, ts, &f.data, f.orig_len as u32, &iface);
        w.write(&pkt).expect("write packet");
    }
    w.finish().expect("finish pcap");
}

/// A fresh path in the temporary directory for this test.
pub fn temp_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("pktkit-proto-{}-{name}.pcap", std::process::id()))
}

/// Runs `tcpdump -n -t -r FILE ARGS` and groups its output lines per packet.
pub fn tcpdump(path: &Path, args: &[&str]) -> Vec<String> {
    let out = Command::new("tcpdump")
        .args(["-n", "-t", "-r"])
        .arg(path)
        .args(args)
        .env("TZ", "GMT0")
        .output()
        .expect("run tcpdump");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut packets: Vec<String> = Vec::new();
    for line in text.lines() {
        match packets.last_mut() {
            Some(last) if line.starts_with(' ') || line.starts_with('\t') => {
                last.push('\n');
                last.push_str(line);
            }
            _ => packets.push(line.to_string()),
        }
    }
    packets
}

/// The application text of one tcpdump packet: after `src > dst: ` for UDP (a `[udp sum
/// ok] ` prefix removed), after `length N` for TCP.
pub fn app_text(packet: &str, tcp: bool) -> String {
    // Anything not shaped like a transport line comes back whole (and then differs).
    let Some(rest) = packet.find(" > ").map(|at| &packet[at..]) else { return packet.to_string() };
    let Some(colon) = rest.find(": ") else { return packet.to_string() };
    let mut text = &rest[colon + 2..];
    if tcp {
        let Some(l) = text.find("length ") else { return packet.to_string() };
        text = text[l + 7..].trim_start_matches(|c: char| c.is_ascii_digit());
    } else if let Some(t) = text.strip_prefix("[udp sum ok] ") {
        text = t;
    } else if text.starts_with("[bad udp cksum ") {
        text = text.split_once("] ").map_or(text, |(_, t)| t);
    }
    text.to_string()
}

/// [`app_text`] of a packet block that may start with a link-layer line (`-e`) and an IP
/// header line (`-v`): the transport line is the first other line holding `src > dst`.
pub fn app_text_in_block(block: &str, tcp: bool) -> String {
    let lines: Vec<&str> = block.lines().collect();
    let at = lines
        .iter()
        .position(|l| {
            let t = l.trim_start();
            let verbose_ip = (t.starts_with("IP (") || t.starts_with("IP6 (")) && !t.contains(" > ");
            l.contains(" > ") && !l.contains(", ethertype ") && !verbose_ip
        })
        .unwrap_or(0);
    app_text(&lines[at..].join("\n"), tcp)
}

/// The packets of a tcpdump `-#` output (`    N  timestamp ...` starts one), by number.
pub fn numbered_packets(text: &str) -> Vec<(u64, String)> {
    let mut out: Vec<(u64, String)> = Vec::new();
    for line in text.lines() {
        let t = line.trim_start();
        let num = t.split_once("  ").and_then(|(n, _)| n.parse::<u64>().ok());
        match (num, out.last_mut()) {
            (Some(n), _) if line.starts_with(' ') && !line.starts_with('\t') && line.len() - t.len() <= 5 => {
                out.push((n, t.split_once("  ").map_or("", |(_, r)| r).to_string()))
            }
            (_, Some((_, block))) => {
                block.push('\n');
                block.push_str(line);
            }
            _ => {}
        }
    }
    out
}

/// Runs `tshark -r FILE -T fields -e F...` and returns one row of values per packet.
pub fn tshark_fields(path: &Path, fields: &[&str], extra: &[&str]) -> Vec<Vec<String>> {
    let mut cmd = Command::new("tshark");
    cmd.arg("-r").arg(path).args(["-T", "fields", "-E", "separator=/t"]);
    cmd.args(["-o", "tcp.desegment_tcp_streams:FALSE"]);
    cmd.args(extra);
    for f in fields {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().expect("run tshark");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

/// Transport payload of a captured frame.
pub struct Payload {
    pub tcp: bool,
    pub sport: u16,
    pub dport: u16,
    /// Captured bytes (as far as the IP datagram goes).
    pub data: Vec<u8>,
    /// Length on the wire: UDP length minus 8, or the TCP segment's payload length.
    pub wire_len: usize,
}

/// The UDP or TCP payload of an Ethernet, SLL, null or raw-IP frame, when there is one
/// (first fragments only).
pub fn payload(linktype: LinkType, frame: &[u8]) -> Option<Payload> {
    let sliced = match linktype {
        LinkType::ETHERNET => LaxSlicedPacket::from_ethernet(frame).ok()?,
        LinkType::RAW | LinkType::DLT_RAW_12 | LinkType::DLT_RAW_14 | LinkType::IPV4 | LinkType::IPV6 => {
            LaxSlicedPacket::from_ip(frame).ok()?
        }
        LinkType::NULL | LinkType::LOOP => {
            // The address family, in either byte order: 2 for IPv4, 24, 28 or 30 for IPv6.
            let af = frame.get(..4)?;
            let family = u32::from_le_bytes([af[0], af[1], af[2], af[3]])
                .min(u32::from_be_bytes([af[0], af[1], af[2], af[3]]));
            if ![2, 24, 28, 30].contains(&family) {
                return None;
            }
            LaxSlicedPacket::from_ip(frame.get(4..)?).ok()?
        }
        LinkType::LINUX_SLL => {
            let proto = u16::from_be_bytes([*frame.get(14)?, *frame.get(15)?]);
            LaxSlicedPacket::from_ether_type(proto.into(), frame.get(16..)?)
        }
        _ => return None,
    };
    let ip_len = match sliced.net.as_ref()? {
        LaxNetSlice::Ipv4(v4) => {
            (v4.header().total_len() as usize).saturating_sub(v4.header().ihl() as usize * 4)
        }
        LaxNetSlice::Ipv6(v6) => v6.header().payload_length() as usize,
        _ => return None,
    };
    match sliced.transport.as_ref()? {
        TransportSlice::Udp(u) => Some(Payload {
            tcp: false,
            sport: u.source_port(),
            dport: u.destination_port(),
            data: u.payload().to_vec(),
            wire_len: (u.length() as usize).saturating_sub(8),
        }),
        TransportSlice::Tcp(t) => Some(Payload {
            tcp: true,
            sport: t.source_port(),
            dport: t.destination_port(),
            data: t.payload().to_vec(),
            wire_len: ip_len.saturating_sub(t.data_offset() as usize * 4),
        }),
        _ => None,
    }
}

/// Every packet of a capture file with its link type.
pub fn read_capture(path: &Path) -> Vec<(LinkType, Vec<u8>)> {
    let mut r = CaptureReader::new(vec![Input::File(path.to_path_buf())]);
    let mut out = Vec::new();
    while let Ok(Some(p)) = r.next_packet() {
        out.push((p.linktype(), p.data.to_vec()));
    }
    out
}

/// Seed and number of generated cases: the defaults, or `PKTKIT_ORACLE_SEED` and
/// `PKTKIT_ORACLE_CASES` from the environment (to search further than the default run).
pub fn generator_settings(seed: u64, count: usize) -> (u64, usize) {
    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse().ok());
    (env("PKTKIT_ORACLE_SEED").unwrap_or(seed), env("PKTKIT_ORACLE_CASES").unwrap_or(count as u64) as usize)
}

/// A small deterministic random generator (xorshift64*).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn byte(&mut self) -> u8 {
        self.next() as u8
    }
}

/// Fails with the first differences (all of them when `PKTKIT_ORACLE_VERBOSE` is set).
pub fn assert_no_differences(what: &str, failures: &[String]) {
    let shown = if std::env::var_os("PKTKIT_ORACLE_VERBOSE").is_some() { failures.len() } else { 15 };
    assert!(
        failures.is_empty(),
        "{what}: {} differences:\n{}",
        failures.len(),
        failures[..failures.len().min(shown)].join("\n")
    );
}
/// A generated application payload, and how much of it was captured when it was cut short.
pub struct Case {
    pub data: Vec<u8>,
    pub snap: Option<usize>,
}

impl Case {
    /// The captured bytes: all of them, or the first `snap`.
    pub fn captured(&self) -> &[u8] {
        &self.data[..self.snap.unwrap_or(self.data.len()).min(self.data.len())]
    }
}

/// `count` payloads from `generate` (seed and count as [`generator_settings`] gives them),
/// one in ten captured short at a random length.
pub fn generated_cases(seed: u64, count: usize, mut generate: impl FnMut(&mut Rng) -> Vec<u8>) -> Vec<Case> {
    let (seed, count) = generator_settings(seed, count);
    let mut r = Rng(seed);
    (0..count)
        .map(|_| {
            let data = generate(&mut r);
            let snap = r.chance(10).then(|| r.below(data.len() as u64 + 1) as usize);
            Case { data, snap }
        })
        .collect()
}

/// Writes `frames` to a temporary pcap named after `name`, runs [`tcpdump`] on it at each
/// verbosity from 0 (no flag) to `max_verbosity` (`-v`, `-vv`, ...) and returns each
/// verbosity's packets.
pub fn tcpdump_verbosities(name: &str, frames: &[Frame], max_verbosity: u8) -> Vec<(u8, Vec<String>)> {
    let path = temp_path(name);
    write_pcap(&path, frames);
    let runs = (0..=max_verbosity)
        .map(|v| {
            let flag = (v > 0).then(|| format!("-{}", "v".repeat(v as usize)));
            (v, tcpdump(&path, &flag.iter().map(String::as_str).collect::<Vec<_>>()))
        })
        .collect();
    let _ = std::fs::remove_file(&path);
    runs
}

/// tcpdump's application text of each case (`frames[i]` carries `cases[i]`, over TCP when
/// `tcp`) at each verbosity up to `max_verbosity`, against `ours(case, verbosity)`: one
/// failure line per difference.
pub fn tcpdump_text_differences(
    name: &str,
    cases: &[Case],
    frames: &[Frame],
    tcp: bool,
    max_verbosity: u8,
    ours: impl Fn(&Case, u8) -> String,
) -> Vec<String> {
    let mut failures = Vec::new();
    for (verbosity, got) in tcpdump_verbosities(name, frames, max_verbosity) {
        assert_eq!(got.len(), cases.len());
        for (i, (c, block)) in cases.iter().zip(&got).enumerate() {
            let theirs = app_text_in_block(block, tcp);
            let mine = ours(c, verbosity);
            if theirs != mine {
                failures.push(format!(
                    "case {i} -v x{verbosity} {:?} {}\n  tcpdump: {theirs:?}\n  ours:    {mine:?}",
                    c.snap,
                    hex(&c.data)
                ));
            }
        }
    }
    failures
}

/// Writes `frames` to a temporary pcap named after `name` and returns [`tshark_fields`]'
/// rows for it.
pub fn tshark_rows(name: &str, frames: &[Frame], fields: &[&str]) -> Vec<Vec<String>> {
    let path = temp_path(name);
    write_pcap(&path, frames);
    let rows = tshark_fields(&path, fields, &[]);
    let _ = std::fs::remove_file(&path);
    rows
}

/// Compares tshark's `row` for generated case number `case` (payload `data`) with
/// `write_field` for each of `fields`, adding a failure line per difference; returns how
/// many values it compared.
pub fn field_differences(
    case: usize,
    data: &[u8],
    row: &[String],
    fields: &[&str],
    write_field: fn(&[u8], &str, &mut String) -> bool,
    failures: &mut Vec<String>,
) -> usize {
    for (k, f) in fields.iter().enumerate() {
        let theirs = row.get(k).map(String::as_str).unwrap_or("");
        let mut mine = String::new();
        write_field(data, f, &mut mine);
        if theirs != mine {
            failures.push(format!("case {case} {f} {}\n  tshark: {theirs:?}\n  ours:   {mine:?}", hex(data)));
        }
    }
    fields.len()
}

/// The sample folders of the corpus that the stored oracles cover.
pub const SAMPLES: [&str; 3] = ["PacketExamples", "PcapExamples", "pcap_examples"];

/// One stored `tcpdump -n` output of a sample capture.
pub struct StoredOutput {
    /// `SUB/FILE`, the capture under `samples/`.
    pub name: String,
    pub capture: PathBuf,
    pub text: String,
}

/// The stored `tcpdump -n` outputs (`oracles/tcpdump-n/samples/SUB/FILE.txt`) of the sample
/// captures in the folders `subs`.
pub fn stored_tcpdump_outputs(corpus: &Path, subs: &[&str]) -> Vec<StoredOutput> {
    let mut out = Vec::new();
    for sub in subs {
        let Ok(entries) = std::fs::read_dir(corpus.join("oracles/tcpdump-n/samples").join(sub)) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path();
            let Some(file) = path.file_name().and_then(|f| f.to_str()).and_then(|f| f.strip_suffix(".txt"))
            else {
                continue;
            };
            out.push(StoredOutput {
                name: format!("{sub}/{file}"),
                capture: corpus.join("samples").join(sub).join(file),
                text: std::fs::read_to_string(&path).unwrap_or_default(),
            });
        }
    }
    out
}

/// The packets of `capture` that the tcpdump `-#` text `output` shows and that carry a UDP
/// or TCP payload: their number, their block of `output` and the payload.
pub fn numbered_payloads(capture: &Path, output: &str) -> Vec<(u64, String, Payload)> {
    let packets = read_capture(capture);
    numbered_packets(output)
        .into_iter()
        .filter_map(|(n, block)| {
            let (lt, frame) = packets.get(n as usize - 1)?;
            Some((n, block, payload(*lt, frame)?))
        })
        .collect()
}

/// A test of tcpdump's own suite (its TESTLIST) with the output it expects.
pub struct SuiteTest {
    pub input: PathBuf,
    pub options: Vec<String>,
    /// The number of `v`s among the short options.
    pub verbosity: u8,
    pub output: String,
}

/// The tests of tcpdump's suite in the corpus whose name passes `select` and whose output
/// Debian's tcpdump 4.99.3 reproduces (`same` in tcpdump_4.99.3_repro.tsv).
pub fn tcpdump_suite_tests(corpus: &Path, select: impl Fn(&str) -> bool) -> Vec<SuiteTest> {
    let dir = corpus.join("tcpdump");
    let repro = std::fs::read_to_string(dir.join("tcpdump_4.99.3_repro.tsv")).unwrap_or_default();
    let reproduced = |name: &str| repro.lines().any(|l| l.split_once('\t') == Some((name, "same")));
    let testlist = std::fs::read_to_string(dir.join("TESTLIST")).unwrap_or_default();
    let mut tests = Vec::new();
    for line in testlist.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let [name, input, output, options @ ..] = words.as_slice() else { continue };
        if !select(name) || !reproduced(name) {
            continue;
        }
        let verbosity = options
            .iter()
            .filter(|o| o.starts_with('-') && !o.starts_with("--"))
            .map(|o| o.matches('v').count() as u8)
            .sum();
        let Ok(output) = std::fs::read_to_string(dir.join(output)) else { continue };
        tests.push(SuiteTest {
            input: dir.join(input),
            options: options.iter().map(|o| o.to_string()).collect(),
            verbosity,
            output,
        });
    }
    tests
}

/// A row of the stored tshark fields of a sample capture.
pub struct TsharkRow {
    /// `SUB/FILE`, the capture under `samples/`.
    pub name: String,
    pub frame: usize,
    /// frame.protocols, e.g. `eth:ethertype:ip:udp:dns`.
    pub protocols: String,
    /// The requested fields' values, empty where the file has no such column.
    pub values: Vec<String>,
    pub payload: Payload,
}

/// The rows of the stored tshark fields (`oracles/tshark-fields/samples/SUB/FILE.tsv`) of the
/// sample captures in `subs` whose packet has one IP layer (tunnels, such as GTP, GRE and
/// ICMP quotes, carry another packet) and a UDP or TCP payload, with the values of `fields`.
pub fn stored_tshark_rows(corpus: &Path, subs: &[&str], fields: &[&str]) -> Vec<TsharkRow> {
    let root = corpus.join("oracles/tshark-fields/samples");
    let mut out = Vec::new();
    for sub in subs {
        let Ok(entries) = std::fs::read_dir(root.join(sub)) else { continue };
        for e in entries.flatten() {
            let path = e.path();
            let Some(file) = path.file_name().and_then(|f| f.to_str()).and_then(|f| f.strip_suffix(".tsv"))
            else {
                continue;
            };
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let mut lines = text.lines();
            let header: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
            let col = |name: &str| header.iter().position(|h| *h == name);
            let (Some(num), Some(protos)) = (col("frame.number"), col("frame.protocols")) else { continue };
            let cols: Vec<Option<usize>> = fields.iter().map(|f| col(f)).collect();
            let packets = read_capture(&corpus.join("samples").join(sub).join(file));
            for row in lines {
                let v: Vec<&str> = row.split('\t').collect();
                let chain = v.get(protos).copied().unwrap_or("");
                if chain.split(':').filter(|p| *p == "ip" || *p == "ipv6").count() != 1 {
                    continue;
                }
                let Some(n) = v.get(num).and_then(|n| n.parse::<usize>().ok()) else { continue };
                let Some((lt, frame)) = packets.get(n - 1) else { continue };
                let Some(payload) = payload(*lt, frame) else { continue };
                out.push(TsharkRow {
                    name: format!("{sub}/{file}"),
                    frame: n,
                    protocols: chain.to_string(),
                    values: cols
                        .iter()
                        .map(|c| c.and_then(|c| v.get(c)).copied().unwrap_or("").to_string())
                        .collect(),
                    payload,
                });
            }
        }
    }
    out
}
