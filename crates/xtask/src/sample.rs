//! The demo capture `tests/data/demo.pcap`: a small, realistic conversation mix crafted with
//! pktkit's own Scapy-style builder (`pktkit::craft`) and written with its own writer.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use anyhow::{Context, Result};
use pktkit::capture::{CaptureWriter, Interface, LinkType, OutputFormat, Packet, Precision, Timestamp};
use pktkit::craft::{Offline, craft};

const CLIENT_MAC: &str = "02:00:00:00:01:02";
const ROUTER_MAC: &str = "02:00:00:00:01:01";
const CLIENT: &str = "10.0.1.2";
const RESOLVER: &str = "10.0.3.53";
const WEB: &str = "93.184.215.14";

fn eth(src: &str, dst: &str) -> String {
    format!("Ether(src={src},dst={dst})")
}

/// A DNS answer for `example.com A` with one A record (93.184.215.14), id 0x1a2b.
fn dns_answer_hex() -> String {
    let mut m = vec![0x1a, 0x2b, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0];
    m.extend(b"\x07example\x03com\x00\x00\x01\x00\x01");
    m.extend([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 93, 184, 215, 14]);
    hex(&m)
}

/// A TLS 1.2 record holding a ClientHello with SNI `example.com` and ALPN h2, http/1.1.
fn client_hello_hex() -> String {
    let mut ext = Vec::new();
    let sni = b"example.com";
    let mut server_name = vec![0u8];
    server_name.extend((sni.len() as u16).to_be_bytes());
    server_name.extend(sni);
    let mut list = (server_name.len() as u16).to_be_bytes().to_vec();
    list.extend(server_name);
    ext.extend([0, 0]);
    ext.extend((list.len() as u16).to_be_bytes());
    ext.extend(list);
    let alpn: Vec<u8> =
        [&b"h2"[..], b"http/1.1"].iter().flat_map(|p| [&[p.len() as u8][..], p].concat()).collect();
    let mut alpn_list = (alpn.len() as u16).to_be_bytes().to_vec();
    alpn_list.extend(alpn);
    ext.extend([0, 16]);
    ext.extend((alpn_list.len() as u16).to_be_bytes());
    ext.extend(alpn_list);
    let mut hello = vec![3, 3];
    hello.extend((0..32u8).map(|i| i.wrapping_mul(37)));
    hello.push(0); // session id
    hello.extend([0, 4, 0x13, 0x01, 0xc0, 0x2f]); // two cipher suites
    hello.extend([1, 0]); // compression: null
    hello.extend((ext.len() as u16).to_be_bytes());
    hello.extend(ext);
    let mut hs = vec![1];
    hs.extend(&(hello.len() as u32).to_be_bytes()[1..]);
    hs.extend(hello);
    let mut rec = vec![22, 3, 1];
    rec.extend((hs.len() as u16).to_be_bytes());
    rec.extend(hs);
    hex(&rec)
}

/// A DHCPDISCOVER from the client's MAC asking for 10.0.1.2, host name `demo`.
fn dhcp_discover_hex() -> String {
    let mut m = vec![1, 1, 6, 0, 0x39, 0x03, 0xf3, 0x26, 0, 0, 0x80, 0];
    m.extend([0; 16]); // ciaddr yiaddr siaddr giaddr
    m.extend([2, 0, 0, 0, 1, 2]);
    m.extend([0; 10 + 64 + 128]);
    m.extend([99, 130, 83, 99]); // magic cookie
    m.extend([53, 1, 1, 50, 4, 10, 0, 1, 2, 12, 4]);
    m.extend(b"demo");
    m.extend([55, 4, 1, 3, 6, 15, 255]);
    hex(&m)
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// (microseconds after the first packet, spec) of every demo packet, in order.
fn specs() -> Vec<(u64, String)> {
    let out = eth(CLIENT_MAC, ROUTER_MAC);
    let back = eth(ROUTER_MAC, CLIENT_MAC);
    let http_get = "GET /index.html HTTP/1.1\\r\\nHost: example.com\\r\\nUser-Agent: pktkit-demo/1.0\\r\\nAccept: */*\\r\\n\\r\\n";
    let http_ok =
        "HTTP/1.1 200 OK\\r\\nContent-Type: text/html\\r\\nContent-Length: 13\\r\\n\\r\\n<html></html>";
    let web = |dir: &str, flags: &str, seq: u32, ack: u32, load: Option<&str>| {
        let (eth, ip, sport, dport) = match dir {
            ">" => (&out, format!("IP(src={CLIENT},dst={WEB},id=4242,ttl=64)"), 51000, 80),
            _ => (&back, format!("IP(src={WEB},dst={CLIENT},id=777,ttl=54)"), 80, 51000),
        };
        let tcp = format!("TCP(sport={sport},dport={dport},flags={flags},seq={seq},ack={ack},window=64240)");
        let raw = load.map(|l| format!("/Raw(load=\"{l}\")")).unwrap_or_default();
        format!("{eth}/{ip}/{tcp}{raw}")
    };
    let get_len = http_get.replace("\\r\\n", "..").len() as u32;
    let ok_len = http_ok.replace("\\r\\n", "..").len() as u32;
    vec![
        (
            0,
            format!(
                "{}/ARP(hwsrc={CLIENT_MAC},psrc={CLIENT},pdst=10.0.1.1)",
                eth(CLIENT_MAC, "ff:ff:ff:ff:ff:ff")
            ),
        ),
        (
            180,
            format!(
                "{}/ARP(op=2,hwsrc={ROUTER_MAC},psrc=10.0.1.1,hwdst={CLIENT_MAC},pdst={CLIENT})",
                eth(ROUTER_MAC, CLIENT_MAC)
            ),
        ),
        (
            1_000,
            format!(
                "{out}/IP(src={CLIENT},dst={RESOLVER},id=100)/UDP(sport=40123,dport=53)/DNS(id=0x1a2b,qname=example.com)"
            ),
        ),
        (
            13_500,
            format!(
                "{back}/IP(src={RESOLVER},dst={CLIENT},id=200,ttl=62)/UDP(sport=53,dport=40123)/Raw(hex={})",
                dns_answer_hex()
            ),
        ),
        (14_000, web(">", "S", 1_000_000, 0, None)),
        (36_000, web("<", "SA", 5_000_000, 1_000_001, None)),
        (36_100, web(">", "A", 1_000_001, 5_000_001, None)),
        (36_300, web(">", "PA", 1_000_001, 5_000_001, Some(http_get))),
        (58_900, web("<", "A", 5_000_001, 1_000_001 + get_len, None)),
        (59_200, web("<", "PA", 5_000_001, 1_000_001 + get_len, Some(http_ok))),
        (59_400, web(">", "FA", 1_000_001 + get_len, 5_000_001 + ok_len, None)),
        (81_000, web("<", "FA", 5_000_001 + ok_len, 1_000_002 + get_len, None)),
        (81_100, web(">", "A", 1_000_002 + get_len, 5_000_002 + ok_len, None)),
        (
            100_000,
            format!(
                "{out}/IP(src={CLIENT},dst={WEB},id=4243)/TCP(sport=51002,dport=443,flags=PA,seq=7,ack=9,window=64240)/Raw(hex={})",
                client_hello_hex()
            ),
        ),
        (
            150_000,
            format!(
                "{out}/IP(src={CLIENT},dst=10.0.3.2,id=300)/ICMP(id=77,seq=1)/Raw(load=\"ping from pktkit\")"
            ),
        ),
        (
            150_900,
            format!(
                "{back}/IP(src=10.0.3.2,dst={CLIENT},id=301,ttl=62)/ICMP(type=0,id=77,seq=1)/Raw(load=\"ping from pktkit\")"
            ),
        ),
        (200_000, format!("{out}/IPv6(src=fd00:1::2,dst=fd00:3::2)/ICMPv6EchoRequest(id=5,seq=1)")),
        (200_700, format!("{back}/IPv6(src=fd00:3::2,dst=fd00:1::2,hlim=62)/ICMPv6EchoReply(id=5,seq=1)")),
        (
            250_000,
            format!(
                "{out}/Dot1Q(vlan=20)/IP(src=10.20.0.5,dst=10.20.0.1,id=9)/UDP(sport=123,dport=123)/Raw(hex=23{})",
                "00".repeat(47)
            ),
        ),
        (
            300_000,
            format!(
                "{}/IP(src=0.0.0.0,dst=255.255.255.255,id=1)/UDP(sport=68,dport=67)/Raw(hex={})",
                eth(CLIENT_MAC, "ff:ff:ff:ff:ff:ff"),
                dhcp_discover_hex()
            ),
        ),
    ]
}

/// Writes the demo capture to `path`.
pub fn write(path: &Path) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let file = File::create(path).with_context(|| path.display().to_string())?;
    let iface = Interface::live(LinkType::ETHERNET, 262_144, Precision::Micro);
    let mut w = CaptureWriter::new(BufWriter::new(file), OutputFormat::Pcap);
    // 2026-01-01 12:00:00 UTC
    let start = 1_767_268_800i64;
    for (i, (offset_us, spec)) in specs().into_iter().enumerate() {
        let pkts = craft(&spec, &Offline).with_context(|| format!("demo packet {}: {spec}", i + 1))?;
        for p in &pkts {
            let ts = Timestamp::new(start, offset_us * 1000);
            w.write(&Packet::new(i as u64 + 1, ts, &p.bytes, p.bytes.len() as u32, &iface))?;
        }
    }
    w.finish()?;
    Ok(())
}
