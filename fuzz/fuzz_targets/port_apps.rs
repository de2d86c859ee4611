//! Any bytes as the payload of the ports whose printers random frames seldom reach: the ONC RPC
//! message of an IPv4 datagram or TCP segment to and from NFS's port 2049, and a telnet
//! segment (TCP 23), SCTP chunks (raw, and as an M3UA DATA chunk, also on a ForCES port), syslog (UDP 514), sFlow (UDP 6343),
//! LISP control messages (UDP 4342).
//! tcpdump's NFS call and reply lines and its telnet commands at -n, -v, -vv
//! and -vvv must end without a panic or a hang, one line each.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pktkit::capture::{Interface, LinkType, Packet, Precision, Timestamp};
use pktkit::decode::{DecodeOptions, decode};
use pktkit::render::text::{TextOptions, TextPrinter};
use pktkit::render::time::LocalTime;

const NFS_PORT: u16 = 2049;
const CLIENT_PORT: u16 = 789;
const TELNET_PORT: u16 = 23;
const SYSLOG_PORT: u16 = 514;
const SFLOW_PORT: u16 = 6343;
const LISP_PORT: u16 = 4342;
const M3UA_PORT: u16 = 2905;
const M3UA_PPID: u32 = 3;
const FORCES_PORT: u16 = 6704;

/// A raw IPv4 packet of protocol `proto` carrying `transport`.
fn ipv4(proto: u8, transport: &[u8]) -> Vec<u8> {
    let total = (20 + transport.len()).min(0xffff) as u16;
    let mut p = vec![0x45, 0, 0, 0, 0, 1, 0, 0, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
    p[2..4].copy_from_slice(&total.to_be_bytes());
    p.extend_from_slice(transport);
    p
}

fn udp(sport: u16, dport: u16, data: &[u8]) -> Vec<u8> {
    let mut u = Vec::with_capacity(8 + data.len());
    u.extend_from_slice(&sport.to_be_bytes());
    u.extend_from_slice(&dport.to_be_bytes());
    u.extend_from_slice(&((8 + data.len()).min(0xffff) as u16).to_be_bytes());
    u.extend_from_slice(&[0, 0]);
    u.extend_from_slice(data);
    ipv4(17, &u)
}

/// A TCP segment carrying `data`.
fn tcp(sport: u16, dport: u16, data: &[u8]) -> Vec<u8> {
    let mut t = Vec::with_capacity(20 + data.len());
    t.extend_from_slice(&sport.to_be_bytes());
    t.extend_from_slice(&dport.to_be_bytes());
    t.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 1, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0]);
    t.extend_from_slice(data);
    ipv4(6, &t)
}

/// `data` behind an RPC record mark (RFC 5531 section 11), as over TCP.
fn record(data: &[u8]) -> Vec<u8> {
    let mut r = (0x8000_0000u32 | data.len() as u32).to_be_bytes().to_vec();
    r.extend_from_slice(data);
    r
}

/// An SCTP packet between `sport` and `dport` whose chunks are `chunks`.
fn sctp(sport: u16, dport: u16, chunks: &[u8]) -> Vec<u8> {
    let mut s = Vec::with_capacity(12 + chunks.len());
    s.extend_from_slice(&sport.to_be_bytes());
    s.extend_from_slice(&dport.to_be_bytes());
    s.extend_from_slice(&[0; 8]);
    s.extend_from_slice(chunks);
    ipv4(132, &s)
}

/// `data` as the payload of one SCTP DATA chunk of payload protocol `ppid`.
fn data_chunk(ppid: u32, data: &[u8]) -> Vec<u8> {
    let mut c = vec![0, 3];
    c.extend_from_slice(&((16 + data.len()).min(0xffff) as u16).to_be_bytes());
    c.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 0]);
    c.extend_from_slice(&ppid.to_be_bytes());
    c.extend_from_slice(data);
    c
}

fuzz_target!(|data: &[u8]| {
    let d = TextOptions::default();
    let mut printers: Vec<TextPrinter> = (0..4)
        .map(|verbosity| TextPrinter::with_time(TextOptions { verbosity, ..d }, LocalTime::utc()))
        .collect();
    let iface = Interface::live(LinkType::RAW, 65535, Precision::Nano);
    let frames = [
        udp(CLIENT_PORT, NFS_PORT, data),
        udp(NFS_PORT, CLIENT_PORT, data),
        tcp(CLIENT_PORT, NFS_PORT, &record(data)),
        tcp(NFS_PORT, CLIENT_PORT, &record(data)),
        tcp(TELNET_PORT, CLIENT_PORT, data),
        udp(CLIENT_PORT, SYSLOG_PORT, data),
        udp(CLIENT_PORT, SFLOW_PORT, data),
        udp(LISP_PORT, LISP_PORT, data),
        sctp(M3UA_PORT, M3UA_PORT, data),
        sctp(M3UA_PORT, M3UA_PORT, &data_chunk(M3UA_PPID, data)),
        sctp(FORCES_PORT, CLIENT_PORT, &data_chunk(0, data)),
    ];
    let mut out = Vec::new();
    for frame in &frames {
        let pkt = Packet::new(1, Timestamp::new(1_700_000_000, 0), frame, frame.len() as u32, &iface);
        let decoded = decode(LinkType::RAW, frame, frame.len() as u32, &DecodeOptions::default());
        for p in &mut printers {
            out.clear();
            p.packet(&mut out, &pkt, &decoded).expect("writing to memory");
            assert!(out.ends_with(b"\n"));
        }
    }
});
