//! The record written by hand: the fixed part every packet has (the record's own keys, the
//! Ethernet, IPv4, IPv6, TCP and UDP objects) goes straight into the buffer with keys that
//! need no escaping; everything else (rarer layers, application objects, `stop`, `raw`) is
//! handed to serde. serde's walk of the same structs ([`JsonWriter::reference`]) is the
//! reference: the tests and the fuzz target check both give the same bytes.
//!
//! [`JsonWriter::reference`]: super::writer::JsonWriter::reference

use std::io::Write;

use serde::Serialize;

use super::wire::{Eth, FlowJ, Hex, InnerJ, IpJ, Ipv4J, Ipv6J, LayersJ, Record, TcpJ, TcpOptsJ, UdpJ, V6};
use crate::render::out;
use crate::render::time::Rfc3339;

type Result = serde_json::Result<()>;

/// An object being written: the separator before every key but the first.
struct Obj<'b> {
    b: &'b mut Vec<u8>,
    first: bool,
}

impl<'b> Obj<'b> {
    fn open(b: &'b mut Vec<u8>) -> Self {
        b.push(b'{');
        Obj { b, first: true }
    }

    fn close(self) {
        self.b.push(b'}');
    }

    /// `"k":` (keys are pktkit's fixed ASCII names: nothing to escape).
    fn key(&mut self, k: &str) -> &mut Vec<u8> {
        if !self.first {
            self.b.push(b',');
        }
        self.first = false;
        self.b.push(b'"');
        self.b.extend_from_slice(k.as_bytes());
        self.b.extend_from_slice(b"\":");
        self.b
    }

    fn num<I: itoa::Integer>(&mut self, k: &str, v: I) {
        let mut f = itoa::Buffer::new();
        let s = f.format(v).as_bytes();
        self.key(k).extend_from_slice(s);
    }

    fn bool(&mut self, k: &str, v: bool) {
        self.key(k).extend_from_slice(if v { b"true" } else { b"false" });
    }

    /// A string value that is ASCII without quotes or backslashes.
    fn ascii(&mut self, k: &str, v: &[u8]) {
        quoted(self.key(k), v);
    }

    fn serde<T: Serialize + ?Sized>(&mut self, k: &str, v: &T) -> Result {
        serde_json::to_writer(&mut *self.key(k), v)
    }
}

/// One whole record (without the newline).
pub(super) fn record(b: &mut Vec<u8>, r: &Record<'_>) -> Result {
    let mut o = Obj::open(b);
    o.ascii("schema", r.schema.as_bytes());
    o.num("number", r.number);
    let t = r.time;
    let text = o.key(t.name);
    text.push(b'"');
    Rfc3339(t.ts).write_to(text);
    text.push(b'"');
    o.num("time_sec", t.ts.secs);
    o.num("time_nsec", t.ts.nanos);
    o.num("caplen", r.caplen);
    o.num("wire_len", r.wire_len);
    o.num("interface", r.interface);
    o.num("linktype", r.linktype);
    layers(&mut o, &r.layers)?;
    if !r.inner.is_empty() {
        let b = o.key("inner");
        b.push(b'[');
        for (i, inner) in r.inner.0.iter().flatten().enumerate() {
            if i > 0 {
                b.push(b',');
            }
            inner_j(b, inner)?;
        }
        b.push(b']');
    }
    if let Some(a) = &r.app {
        o.serde("app", a)?;
    }
    if let Some(v) = &r.apps.dns {
        o.serde("dns", v)?;
    }
    if let Some(v) = &r.apps.http {
        o.serde("http", v)?;
    }
    if let Some(v) = &r.apps.tls {
        o.serde("tls", v)?;
    }
    if let Some(v) = &r.apps.dhcp {
        o.serde("dhcp", v)?;
    }
    o.num("payload_caplen", r.payload_caplen);
    if r.snapped {
        o.bool("snapped", true);
    }
    if let Some(v) = &r.reassembled {
        o.serde("reassembled", v)?;
    }
    if let Some(v) = &r.stop {
        o.serde("stop", v)?;
    }
    if let Some(v) = &r.raw {
        o.serde("raw", v)?;
    }
    o.close();
    Ok(())
}

fn inner_j(b: &mut Vec<u8>, i: &InnerJ<'_>) -> Result {
    let mut o = Obj::open(b);
    o.ascii("encap", i.encap.as_bytes());
    o.num("offset", i.offset);
    layers(&mut o, &i.layers)?;
    if let Some(v) = &i.stop {
        o.serde("stop", v)?;
    }
    o.close();
    Ok(())
}

/// The layer objects, as keys of the object `o` is writing.
fn layers(o: &mut Obj<'_>, l: &LayersJ<'_>) -> Result {
    flow(o, &l.flow);
    if let Some(v) = &l.eth {
        eth(o.key("eth"), v);
    }
    if let Some(v) = &l.sll {
        o.serde("sll", v)?;
    }
    if let Some(v) = &l.null {
        o.serde("null", v)?;
    }
    if !l.vlan.is_empty() {
        o.serde("vlan", l.vlan)?;
    }
    if let Some(v) = &l.arp {
        o.serde("arp", v)?;
    }
    if let Some(v) = &l.ipv4 {
        ipv4(o.key("ipv4"), v);
    }
    if let Some(v) = &l.ipv6 {
        ipv6(o.key("ipv6"), v);
    }
    if let Some(v) = &l.tcp {
        tcp(o.key("tcp"), v);
    }
    if let Some(v) = &l.udp {
        udp(o.key("udp"), v);
    }
    if let Some(v) = &l.icmp {
        o.serde("icmp", v)?;
    }
    if let Some(v) = &l.icmpv6 {
        o.serde("icmpv6", v)?;
    }
    Ok(())
}

/// The flow keys (`src`, `dst`, `transport`, `src_port`, `dst_port`), each when known.
fn flow(o: &mut Obj<'_>, f: &FlowJ<'_>) {
    for (k, a) in [("src", &f.src), ("dst", &f.dst)] {
        match a {
            Some(IpJ::V4(a)) => quoted(o.key(k), a.text().bytes()),
            Some(IpJ::V6(a)) => v6(o.key(k), a),
            None => {}
        }
    }
    if let Some(t) = f.transport {
        o.ascii("transport", t.as_bytes());
    }
    if let Some(p) = f.src_port {
        o.num("src_port", p);
    }
    if let Some(p) = f.dst_port {
        o.num("dst_port", p);
    }
}

fn eth(b: &mut Vec<u8>, e: &Eth<'_>) {
    let mut o = Obj::open(b);
    quoted(o.key("src"), e.src.text().bytes());
    quoted(o.key("dst"), e.dst.text().bytes());
    o.num("type", e.ty);
    o.close();
}

fn ipv4(b: &mut Vec<u8>, ip: &Ipv4J<'_>) {
    let mut o = Obj::open(b);
    quoted(o.key("src"), ip.src.text().bytes());
    quoted(o.key("dst"), ip.dst.text().bytes());
    o.num("hlen", ip.hlen);
    o.num("tos", ip.tos);
    o.num("total_length", ip.total_length);
    o.num("id", ip.id);
    o.bool("df", ip.df);
    o.bool("mf", ip.mf);
    o.num("frag_offset", ip.frag_offset);
    o.num("ttl", ip.ttl);
    o.num("proto", ip.proto);
    o.num("checksum", ip.checksum);
    if let Some(h) = &ip.options {
        hex(o.key("options"), h);
    }
    o.close();
}

fn ipv6(b: &mut Vec<u8>, ip: &Ipv6J<'_>) {
    let mut o = Obj::open(b);
    v6(o.key("src"), &ip.src);
    v6(o.key("dst"), &ip.dst);
    o.num("traffic_class", ip.traffic_class);
    o.num("flow_label", ip.flow_label);
    o.num("payload_length", ip.payload_length);
    o.num("next_header", ip.next_header);
    o.num("hop_limit", ip.hop_limit);
    if !ip.ext_headers.is_empty() {
        let b = o.key("ext_headers");
        b.push(b'[');
        for (i, k) in ip.ext_headers.iter().enumerate() {
            if i > 0 {
                b.push(b',');
            }
            b.extend_from_slice(itoa::Buffer::new().format(*k).as_bytes());
        }
        b.push(b']');
    }
    if let Some(f) = &ip.fragment {
        let mut f_o = Obj::open(o.key("fragment"));
        f_o.num("offset", f.offset);
        f_o.bool("more", f.more);
        f_o.num("id", f.id);
        f_o.close();
    }
    o.num("proto", ip.proto);
    o.close();
}

fn tcp(b: &mut Vec<u8>, t: &TcpJ) {
    let mut o = Obj::open(b);
    o.num("src_port", t.src_port);
    o.num("dst_port", t.dst_port);
    o.num("seq", t.seq);
    o.num("ack", t.ack);
    o.num("hlen", t.hlen);
    o.num("flags", t.flags);
    quoted(o.key("flags_str"), t.flags_str.text().bytes());
    o.num("window", t.window);
    o.num("checksum", t.checksum);
    o.num("urgent", t.urgent);
    o.num("payload_len", t.payload_len);
    if let Some(p) = &t.options {
        tcp_options(o.key("options"), p);
    }
    o.close();
}

fn tcp_options(b: &mut Vec<u8>, p: &TcpOptsJ) {
    let mut opts = Obj::open(b);
    if let Some(v) = p.mss {
        opts.num("mss", v);
    }
    if let Some(v) = p.wscale {
        opts.num("wscale", v);
    }
    if p.sack_ok {
        opts.bool("sack_ok", true);
    }
    if p.sack_blocks != 0 {
        opts.num("sack_blocks", p.sack_blocks);
    }
    if let Some(v) = p.ts_val {
        opts.num("ts_val", v);
    }
    if let Some(v) = p.ts_ecr {
        opts.num("ts_ecr", v);
    }
    opts.close();
}

fn udp(b: &mut Vec<u8>, u: &UdpJ) {
    let mut o = Obj::open(b);
    o.num("src_port", u.src_port);
    o.num("dst_port", u.dst_port);
    o.num("length", u.length);
    o.num("payload_len", u.payload_len);
    o.num("checksum", u.checksum);
    o.close();
}

/// `"ascii"`: for text pktkit formats itself (digits, hex, `:` `.` `-`, letters), never
/// for bytes from a packet.
fn quoted(b: &mut Vec<u8>, ascii: &[u8]) {
    b.push(b'"');
    b.extend_from_slice(ascii);
    b.push(b'"');
}

fn v6(b: &mut Vec<u8>, a: &V6<'_>) {
    b.push(b'"');
    out::ip6(b, a.0);
    b.push(b'"');
}

fn hex(b: &mut Vec<u8>, h: &Hex<'_>) {
    b.push(b'"');
    let _ = write!(b, "{h}");
    b.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::super::JsonWriter;
    use crate::capture::{Interface, LinkType, Packet, Precision, Timestamp};
    use crate::craft::{Offline, craft};
    use crate::decode::{DecodeOptions, decode};

    /// Crafted packets of every layer the hand-written path covers (and some it hands to
    /// serde), whole, cut at every length, and with bytes flipped.
    const SPECS: &[&str] = &[
        "Ether(src=02:00:00:00:00:01)/Dot1Q(vlan=7)/IP(src=10.0.0.1,dst=10.0.0.2)/TCP(sport=1,dport=80,flags=SA,options=[MSS=1460,WScale=7,SAckOK,Timestamp=(5,6)])/'GET / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n'",
        "Ether()/IPv6(src=fd00::1,dst=fd00::2)/UDP(dport=53)/DNS(qname=example.com)",
        "IP(src=1.1.1.1,dst=2.2.2.2,flags=MF,frag=3)/UDP(sport=68,dport=67)/Raw(load=\"x\")",
        "IP(src=1.1.1.1,dst=2.2.2.2)/ICMP(type=3,code=3)/IP(src=2.2.2.2,dst=1.1.1.1)/TCP(dport=9)",
        "Ether()/ARP(pdst=10.0.0.9)",
        "IPv6(src=::1,dst=::2)/ICMPv6EchoRequest(id=3,seq=4)",
        "IP(dst=10.0.0.2)/UDP(sport=4789,dport=4789)/Raw(hex=0800000000000100020000000000030000000000080045000014000100004000000001020304050607)",
        // DNS in GRE: the application object of the tunnelled packet, at the top level.
        "Ether()/IP(src=192.0.2.1,dst=192.0.2.2,proto=47)/Raw(hex=0000080045000039000100004011667e0a0000010a0000350fa0003500250c2c000001000001000000000000076578616d706c6503636f6d0000010001)",
    ];

    /// The hand-written and the reference record of one packet (as reassembled when
    /// `reassembled`), which must be equal.
    fn both(raw: bool, lt: LinkType, bytes: &[u8], orig: u32, ts: Timestamp) -> (Vec<u8>, Vec<u8>) {
        let iface = Interface::live(lt, 65535, Precision::Nano);
        let pkt = Packet::new(7, ts, bytes, orig, &iface);
        let d = decode(lt, bytes, orig, &DecodeOptions::default());
        let write = |mut w: JsonWriter, reassembled| {
            let mut out = Vec::new();
            w.packet(&mut out, &pkt, &d, reassembled).unwrap();
            out
        };
        let (a, r) = (write(JsonWriter::new(raw), Some(3)), write(JsonWriter::reference(raw), Some(3)));
        assert_eq!(String::from_utf8_lossy(&a), String::from_utf8_lossy(&r));
        (write(JsonWriter::new(raw), None), write(JsonWriter::reference(raw), None))
    }

    #[test]
    fn hand_written_records_equal_serdes() {
        let mut seed = 0x2545_f491u32;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed
        };
        let mut compared = 0;
        for (n, spec) in SPECS.iter().enumerate() {
            let mut p = craft(spec, &Offline).unwrap_or_else(|e| panic!("{spec}: {e}")).remove(0);
            match n {
                // IPv4 options (four NOPs... three and an end): IHL 6, total length + 4.
                0 => {
                    p.bytes.splice(38..38, [1, 1, 1, 0]);
                    p.bytes[18] = 0x46;
                    let len = u16::from_be_bytes([p.bytes[20], p.bytes[21]]) + 4;
                    p.bytes[20..22].copy_from_slice(&len.to_be_bytes());
                }
                // IPv6 hop-by-hop and fragment headers before the UDP header.
                1 => {
                    let next = p.bytes[20];
                    p.bytes[20] = 0;
                    let ext = [44, 0, 1, 4, 0, 0, 0, 0, next, 0, 0, 9, 0, 0, 0, 9];
                    p.bytes.splice(54..54, ext);
                    let len = u16::from_be_bytes([p.bytes[18], p.bytes[19]]) + 16;
                    p.bytes[18..20].copy_from_slice(&len.to_be_bytes());
                }
                _ => {}
            }
            let lt = p.start.linktype();
            let orig = p.bytes.len() as u32;
            let (whole, _) = both(true, lt, &p.bytes, orig, Timestamp::new(0, 0));
            let whole = String::from_utf8(whole).unwrap();
            let want = [
                "\"options\":\"01010100\"",
                "\"ext_headers\":[0,44],\"fragment\":{\"offset\":8,\"more\":true,\"id\":9}",
            ];
            if let Some(w) = want.get(n) {
                assert!(whole.contains(w), "{whole}");
            }
            for cut in 0..=p.bytes.len() {
                for raw in [false, true] {
                    let ts = Timestamp::new(next() as i64 - (1 << 31), (next() % 1_000_000_000) as u64);
                    let (a, r) = both(raw, lt, &p.bytes[..cut], orig, ts);
                    assert_eq!(String::from_utf8_lossy(&a), String::from_utf8_lossy(&r), "{spec} cut {cut}");
                    compared += 1;
                }
            }
            for _ in 0..2000 {
                let mut b = p.bytes.clone();
                for _ in 0..1 + next() % 4 {
                    let i = next() as usize % b.len();
                    b[i] = next() as u8;
                }
                let (a, r) = both(false, lt, &b, orig, Timestamp::new(next() as i64, 0));
                assert_eq!(String::from_utf8_lossy(&a), String::from_utf8_lossy(&r), "{spec} flipped");
                compared += 1;
            }
        }
        assert!(compared > 10_000);
    }
}
