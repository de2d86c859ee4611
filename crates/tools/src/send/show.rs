//! How pkt-send shows a packet (`--show`, `--sr1` answers): pkt-decode's renderers from
//! the shared crate, so the line is tcpdump's and the record is `pktkit.decode/2.1`.

use std::io::{self, Write};
use std::net::IpAddr;

use pktkit::capture::{LinkType, Packet};
use pktkit::decode::{DecodeOptions, decode};
use pktkit::render::json::JsonWriter;
use pktkit::render::scapy;
use pktkit::render::text::{TextOptions, TextPrinter};
use pktkit::rewrite::{Field, Layout, Value};

/// Scapy's blocks, pkt-decode's text printer or JSON writer.
pub enum Show {
    /// Scapy's `show2()` of each packet (every layer and field, computed lengths and
    /// checksums), or its `hexdump()` when `hexdump`.
    Scapy {
        /// `hexdump()` instead of `show2()`.
        hexdump: bool,
    },
    /// tcpdump's line, as `pkt-decode` prints it (`-t` for crafted packets, `-v` for an
    /// `--sr1` answer).
    Text(Box<TextPrinter>),
    /// pkt-decode's `--json` record (`--raw` adds the bytes).
    Json(JsonWriter),
}

impl Show {
    /// A shower for `--json` (with `raw`) or text: `timestamps` off prints as `-t`,
    /// `verbose` as `-v` (the IP header's TTL, id and length).
    pub fn new(json: bool, raw: bool, timestamps: bool, verbose: bool) -> Self {
        if json {
            Show::Json(JsonWriter::new(raw))
        } else {
            let o = TextOptions {
                time_format: u8::from(!timestamps),
                verbosity: u8::from(verbose),
                ..TextOptions::default()
            };
            Show::Text(Box::new(TextPrinter::new(o)))
        }
    }

    /// Scapy's view: `show2()` blocks, or `hexdump()` lines when `hexdump`.
    pub fn scapy(hexdump: bool) -> Self {
        Show::Scapy { hexdump }
    }

    /// Writes one packet's blocks, line or record.
    pub fn packet<W: Write>(&mut self, out: &mut W, pkt: &Packet<'_>) -> io::Result<()> {
        if let Show::Scapy { hexdump } = self {
            let text =
                if *hexdump { scapy::hexdump(pkt.data) } else { scapy::show(pkt.linktype(), pkt.data) };
            return out.write_all(text.as_bytes());
        }
        let d = decode(pkt.linktype(), pkt.data, pkt.orig_len, &DecodeOptions::default());
        match self {
            Show::Scapy { .. } => Ok(()),
            Show::Text(t) => t.packet(out, pkt, &d),
            Show::Json(j) => j.packet(out, pkt, &d, None),
        }
    }
}

/// The source address and TTL / hop limit of an IP packet, for the `--sr1` status line.
pub fn source_and_ttl(linktype: LinkType, d: &[u8]) -> Option<(IpAddr, u8)> {
    let l = Layout::parse(linktype, d);
    let (src, ttl) = if l.ipv4.is_some() {
        (l.get(d, Field::Ipv4Src)?, l.get(d, Field::Ipv4Ttl)?)
    } else {
        (l.get(d, Field::Ipv6Src)?, l.get(d, Field::Ipv6HopLimit)?)
    };
    match (src, ttl) {
        (Value::Ip(a), Value::Num(t)) => Some((a, t as u8)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pktkit::capture::{Interface, Precision};
    use pktkit::craft::{Offline, craft};

    const SPECS: &[&str] = &[
        "Ether()/Dot1Q(vlan=3)/IP(src=1.1.1.1,dst=2.2.2.2)/TCP(options=[MSS=1460])/'x'",
        "Ether()/ARP(op=is-at,psrc=1.1.1.1,pdst=2.2.2.2)",
        "IP(src=1.1.1.1,dst=2.2.2.2)/ICMP(type=3,code=3)/IP(src=2.2.2.2,dst=1.1.1.1)/UDP(dport=9)",
        "IPv6(src=::1,dst=::2)/ICMPv6ND_NS(tgt=fe80::1)",
        "IPv6(src=::1,dst=::2)/UDP()/DNS()",
    ];

    fn show(s: &mut Show, spec: &str) -> String {
        let p = craft(spec, &Offline).unwrap().remove(0);
        let iface = Interface::live(p.start.linktype(), 65535, Precision::Micro);
        let pkt = Packet::new(1, Default::default(), &p.bytes, p.bytes.len() as u32, &iface);
        let mut out = Vec::new();
        s.packet(&mut out, &pkt).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn text_is_pkt_decodes_line() {
        // What `pkt-send -w - SPEC | tcpdump -t -nn -r -` prints (tcpdump 4.99.3).
        let mut s = Show::new(false, false, false, false);
        let text = show(&mut s, SPECS[0]);
        let want =
            "IP 1.1.1.1.20 > 2.2.2.2.80: Flags [S], seq 0:1, win 8192, options [mss 1460], length 1: HTTP\n";
        assert_eq!(text, want);
        let text = show(&mut s, SPECS[2]);
        assert_eq!(text, "IP 1.1.1.1 > 2.2.2.2: ICMP 1.1.1.1 udp port 9 unreachable, length 36\n");
    }

    #[test]
    fn json_is_pkt_decodes_record() {
        let mut s = Show::new(true, true, true, false);
        for spec in SPECS {
            let v: serde_json::Value = serde_json::from_str(&show(&mut s, spec)).unwrap();
            assert_eq!(v["schema"], "pktkit.decode/2.1");
            assert!(v["raw"]["hex"].is_string());
        }
    }

    #[test]
    fn source_and_ttl_of_an_ip_packet() {
        let p = craft("IP(src=1.1.1.1,dst=2.2.2.2,ttl=9)/ICMP()", &Offline).unwrap().remove(0);
        assert_eq!(source_and_ttl(p.start.linktype(), &p.bytes), Some(("1.1.1.1".parse().unwrap(), 9)));
    }
}
