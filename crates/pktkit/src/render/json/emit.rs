//! The record written by hand: the fixed part every packet has (the record's own keys, the
//! Ethernet, IPv4, IPv6, TCP and UDP objects) goes straight into the buffer with keys that
//! need no escaping; everything else (rarer layers, application objects, `stop`, `raw`) is
//! handed to serde. serde's walk of the same structs ([`JsonWriter::reference`]) is the
//! reference: the tests and the fuzz target check both give the same bytes.
//!
//! [`JsonWriter::reference`]: super::writer::JsonWriter::reference

use serde::Serialize;

use super::walk;
use super::wire::{
    AppJ, Eth, ExtraObjects, FlowJ, Hex, InnerJ, IpJ, Ipv4J, Ipv6J, LayersJ, Mac, Record, TcpJ, TcpOptsJ,
    UdpJ, V4, V6,
};
use crate::capture::Timestamp;
use crate::render::time::Rfc3339;

type Result = serde_json::Result<()>;

/// `,"k":` as one literal, for a key that is never the first of its object: the record's
/// keys after `schema`, and the layer keys, which always follow fixed ones. Each piece of
/// fixed text is one copy of a known length, which the compiler inlines.
macro_rules! key {
    ($k:literal) => {
        concat!(",\"", $k, "\":").as_bytes()
    };
}

/// Appends fixed text.
#[inline(always)]
fn lit(b: &mut Vec<u8>, text: &[u8]) {
    b.extend_from_slice(text);
}

/// Digits of `v` in decimal (1 for 0).
#[inline(always)]
fn digits(v: u64) -> usize {
    const POW10: [u64; 20] = {
        let mut p = [1u64; 20];
        let mut i = 1;
        while i < 20 {
            p[i] = p[i - 1] * 10;
            i += 1;
        }
        p
    };
    // floor(log10(2) * bit length), then one step up when v reaches the next power of ten.
    let bits = 64 - (v | 1).leading_zeros() as usize;
    let guess = (bits * 1233) >> 12;
    (guess + usize::from(v >= POW10[guess])).max(1)
}

/// Appends text of at most `N` bytes written in place by `fill`, which returns how many it
/// used: room is made with one fixed-size store and cut to length after. The bytes are
/// written straight into the buffer, never read back from a stack copy (a wide load of
/// bytes just stored one by one stalls the CPU's store forwarding).
#[inline(always)]
fn in_place<const N: usize>(b: &mut Vec<u8>, fill: impl FnOnce(&mut [u8; N]) -> usize) {
    let start = b.len();
    b.extend_from_slice(&[0u8; N]);
    let used = b[start..].first_chunk_mut::<N>().map_or(0, fill);
    b.truncate(start + used);
}

/// Appends an unsigned integer in decimal, written in place (no call to a variable-length
/// copy).
#[inline(always)]
fn num<I: Into<u64>>(b: &mut Vec<u8>, v: I) {
    let mut v: u64 = v.into();
    let n = digits(v);
    in_place::<20>(b, |out| {
        for d in out[..n].iter_mut().rev() {
            *d = b'0' + (v % 10) as u8;
            v /= 10;
        }
        n
    });
}

/// Appends a `usize` in decimal.
#[inline(always)]
fn num_usize(b: &mut Vec<u8>, v: usize) {
    num(b, v as u64);
}

fn bool(b: &mut Vec<u8>, v: bool) {
    lit(b, if v { b"true" } else { b"false" });
}

/// `"ascii"`: for text pktkit formats itself (digits, hex, `:` `.` `-`, letters), never
/// for bytes from a packet.
fn quoted(b: &mut Vec<u8>, ascii: &[u8]) {
    b.push(b'"');
    b.extend_from_slice(ascii);
    b.push(b'"');
}

/// `"a.b.c.d"`, written in place.
#[inline(always)]
fn v4(b: &mut Vec<u8>, a: &V4<'_>) {
    let Some(octets) = a.0.first_chunk::<4>() else {
        quoted(b, a.text().bytes());
        return;
    };
    in_place::<17>(b, |out| {
        out[0] = b'"';
        let mut n = 1;
        for (i, &x) in octets.iter().enumerate() {
            if i > 0 {
                out[n] = b'.';
                n += 1;
            }
            if x >= 100 {
                out[n] = b'0' + x / 100;
                n += 1;
            }
            if x >= 10 {
                out[n] = b'0' + x / 10 % 10;
                n += 1;
            }
            out[n] = b'0' + x % 10;
            n += 1;
        }
        out[n] = b'"';
        n + 1
    });
}

/// `"aa:bb:cc:dd:ee:ff"`: a 6-byte address written in place, others as [`Mac::text`].
#[inline(always)]
fn mac(b: &mut Vec<u8>, a: &Mac<'_>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let Ok(octets) = <&[u8; 6]>::try_from(a.0) else {
        quoted(b, a.text().bytes());
        return;
    };
    in_place::<19>(b, |out| {
        out[0] = b'"';
        for (i, &x) in octets.iter().enumerate() {
            out[1 + 3 * i] = HEX[(x >> 4) as usize];
            out[2 + 3 * i] = HEX[(x & 15) as usize];
            out[3 + 3 * i] = b':';
        }
        out[18] = b'"';
        19
    });
}

fn v6(b: &mut Vec<u8>, a: &V6<'_>) {
    b.push(b'"');
    crate::render::out::ip6(b, a.0);
    b.push(b'"');
}

fn hex(b: &mut Vec<u8>, h: &Hex<'_>) {
    use std::io::Write;
    b.push(b'"');
    let _ = write!(b, "{h}");
    b.push(b'"');
}

fn serde<T: Serialize + ?Sized>(b: &mut Vec<u8>, v: &T) -> Result {
    serde_json::to_writer(&mut *b, v)
}

/// The RFC 3339 text of the last second written (`YYYY-MM-DDTHH:MM:SS.`), reused while
/// packets fall in the same second: only the nanoseconds change.
#[derive(Default)]
pub(super) struct TimeCache {
    secs: Option<i64>,
    prefix: Vec<u8>,
}

impl TimeCache {
    /// Appends [`Rfc3339`]'s text of `ts`.
    fn write(&mut self, b: &mut Vec<u8>, ts: Timestamp) {
        if ts.nanos >= 1_000_000_000 {
            Rfc3339(ts).write_to(b);
            return;
        }
        if self.secs != Some(ts.secs) {
            self.prefix.clear();
            Rfc3339(Timestamp { secs: ts.secs, nanos: 0 }).write_to(&mut self.prefix);
            // Drop the nanoseconds and the `Z`.
            self.prefix.truncate(self.prefix.len() - 10);
            self.secs = Some(ts.secs);
        }
        b.extend_from_slice(&self.prefix);
        let mut v = ts.nanos;
        in_place::<10>(b, |out| {
            for d in out[..9].iter_mut().rev() {
                *d = b'0' + (v % 10) as u8;
                v /= 10;
            }
            out[9] = b'Z';
            10
        });
    }
}

/// One whole record (without the newline).
pub(super) fn record(b: &mut Vec<u8>, r: &Record<'_>, time: &mut TimeCache) -> Result {
    b.push(b'{');
    lit(b, b"\"schema\":");
    quoted(b, r.schema.as_bytes());
    lit(b, key!("number"));
    num(b, r.number);
    let t = r.time;
    b.extend_from_slice(b",\"");
    b.extend_from_slice(t.name.as_bytes());
    b.extend_from_slice(b"\":\"");
    time.write(b, t.ts);
    b.push(b'"');
    lit(b, key!("time_sec"));
    if t.ts.secs < 0 {
        b.push(b'-');
    }
    num(b, t.ts.secs.unsigned_abs());
    lit(b, key!("time_nsec"));
    num(b, t.ts.nanos);
    lit(b, key!("caplen"));
    num_usize(b, r.caplen);
    lit(b, key!("wire_len"));
    num(b, r.wire_len);
    lit(b, key!("interface"));
    num(b, r.interface);
    lit(b, key!("linktype"));
    num(b, r.linktype);
    layers(b, &r.layers)?;
    if let Some(d) = r.inner.0
        && !r.inner.is_empty()
    {
        lit(b, key!("inner"));
        b.push(b'[');
        let mut first = true;
        walk::each_inner(d, |inner| {
            if !first {
                b.push(b',');
            }
            first = false;
            inner_j(b, inner)
        })?;
        b.push(b']');
    }
    if let Some(a) = &r.app {
        lit(b, key!("app"));
        app(b, a);
    }
    if let Some(v) = &r.apps.dns {
        lit(b, key!("dns"));
        serde(b, v)?;
    }
    if let Some(v) = &r.apps.http {
        lit(b, key!("http"));
        serde(b, v)?;
    }
    if let Some(v) = &r.apps.tls {
        lit(b, key!("tls"));
        serde(b, v)?;
    }
    if let Some(v) = &r.apps.dhcp {
        lit(b, key!("dhcp"));
        serde(b, v)?;
    }
    if let Some(e) = r.extra {
        extra(b, e)?;
    }
    lit(b, key!("payload_caplen"));
    num_usize(b, r.payload_caplen);
    if r.snapped {
        lit(b, b",\"snapped\":true");
    }
    if let Some(v) = &r.reassembled {
        lit(b, key!("reassembled"));
        serde(b, v)?;
    }
    if let Some(v) = &r.stop {
        lit(b, key!("stop"));
        serde(b, v)?;
    }
    if let Some(v) = &r.raw {
        lit(b, key!("raw"));
        serde(b, v)?;
    }
    b.push(b'}');
    Ok(())
}

/// The objects of the protocols after the link or IP layer (rare: through serde).
fn extra(b: &mut Vec<u8>, e: &ExtraObjects<'_>) -> Result {
    if let Some(v) = &e.llc {
        lit(b, key!("llc"));
        serde(b, v)?;
    }
    if let Some(v) = &e.stp {
        lit(b, key!("stp"));
        serde(b, v)?;
    }
    if let Some(v) = &e.cdp {
        lit(b, key!("cdp"));
        serde(b, v)?;
    }
    if let Some(v) = &e.slarp {
        lit(b, key!("slarp"));
        serde(b, v)?;
    }
    if let Some(v) = &e.vrrp {
        lit(b, key!("vrrp"));
        serde(b, v)?;
    }
    if let Some(v) = &e.ospf {
        lit(b, key!("ospf"));
        serde(b, v)?;
    }
    Ok(())
}

fn app(b: &mut Vec<u8>, a: &AppJ) {
    lit(b, b"{\"proto\":");
    quoted(b, a.proto.as_bytes());
    if a.mdns {
        lit(b, b",\"mdns\":true");
    }
    lit(b, key!("offset"));
    num_usize(b, a.offset);
    lit(b, key!("caplen"));
    num_usize(b, a.caplen);
    b.push(b'}');
}

fn inner_j(b: &mut Vec<u8>, i: &InnerJ<'_>) -> Result {
    lit(b, b"{\"encap\":");
    quoted(b, i.encap.as_bytes());
    lit(b, key!("offset"));
    num_usize(b, i.offset);
    layers(b, &i.layers)?;
    if let Some(v) = &i.stop {
        lit(b, key!("stop"));
        serde(b, v)?;
    }
    b.push(b'}');
    Ok(())
}

/// The layer objects, as keys of the object being written (never its first keys).
fn layers(b: &mut Vec<u8>, l: &LayersJ<'_>) -> Result {
    flow(b, &l.flow);
    if let Some(v) = &l.eth {
        lit(b, key!("eth"));
        eth(b, v);
    }
    if let Some(v) = &l.sll {
        lit(b, key!("sll"));
        serde(b, v)?;
    }
    if let Some(v) = &l.null {
        lit(b, key!("null"));
        serde(b, v)?;
    }
    if !l.vlan.is_empty() {
        lit(b, key!("vlan"));
        serde(b, l.vlan)?;
    }
    if let Some(v) = &l.arp {
        lit(b, key!("arp"));
        serde(b, v)?;
    }
    if let Some(v) = &l.ipv4 {
        lit(b, key!("ipv4"));
        ipv4(b, v);
    }
    if let Some(v) = &l.ipv6 {
        lit(b, key!("ipv6"));
        ipv6(b, v);
    }
    if let Some(v) = &l.tcp {
        lit(b, key!("tcp"));
        tcp(b, v);
    }
    if let Some(v) = &l.udp {
        lit(b, key!("udp"));
        udp(b, v);
    }
    if let Some(v) = &l.icmp {
        lit(b, key!("icmp"));
        serde(b, v)?;
    }
    if let Some(v) = &l.icmpv6 {
        lit(b, key!("icmpv6"));
        serde(b, v)?;
    }
    Ok(())
}

/// The flow keys (`src`, `dst`, `transport`, `src_port`, `dst_port`), each when known.
fn flow(b: &mut Vec<u8>, f: &FlowJ<'_>) {
    for (k, a) in [(key!("src"), &f.src), (key!("dst"), &f.dst)] {
        match a {
            Some(IpJ::V4(a)) => {
                lit(b, k);
                v4(b, a);
            }
            Some(IpJ::V6(a)) => {
                lit(b, k);
                v6(b, a);
            }
            None => {}
        }
    }
    if let Some(t) = f.transport {
        lit(b, key!("transport"));
        quoted(b, t.as_bytes());
    }
    if let Some(p) = f.src_port {
        lit(b, key!("src_port"));
        num(b, p);
    }
    if let Some(p) = f.dst_port {
        lit(b, key!("dst_port"));
        num(b, p);
    }
}

fn eth(b: &mut Vec<u8>, e: &Eth<'_>) {
    lit(b, b"{\"src\":");
    mac(b, &e.src);
    lit(b, key!("dst"));
    mac(b, &e.dst);
    lit(b, key!("type"));
    num(b, e.ty);
    b.push(b'}');
}

fn ipv4(b: &mut Vec<u8>, ip: &Ipv4J<'_>) {
    lit(b, b"{\"src\":");
    v4(b, &ip.src);
    lit(b, key!("dst"));
    v4(b, &ip.dst);
    lit(b, key!("hlen"));
    num(b, ip.hlen);
    lit(b, key!("tos"));
    num(b, ip.tos);
    lit(b, key!("total_length"));
    num(b, ip.total_length);
    lit(b, key!("id"));
    num(b, ip.id);
    lit(b, key!("df"));
    bool(b, ip.df);
    lit(b, key!("mf"));
    bool(b, ip.mf);
    lit(b, key!("frag_offset"));
    num(b, ip.frag_offset);
    lit(b, key!("ttl"));
    num(b, ip.ttl);
    lit(b, key!("proto"));
    num(b, ip.proto);
    lit(b, key!("checksum"));
    num(b, ip.checksum);
    if let Some(h) = &ip.options {
        lit(b, key!("options"));
        hex(b, h);
    }
    b.push(b'}');
}

fn ipv6(b: &mut Vec<u8>, ip: &Ipv6J<'_>) {
    lit(b, b"{\"src\":");
    v6(b, &ip.src);
    lit(b, key!("dst"));
    v6(b, &ip.dst);
    lit(b, key!("traffic_class"));
    num(b, ip.traffic_class);
    lit(b, key!("flow_label"));
    num(b, ip.flow_label);
    lit(b, key!("payload_length"));
    num(b, ip.payload_length);
    lit(b, key!("next_header"));
    num(b, ip.next_header);
    lit(b, key!("hop_limit"));
    num(b, ip.hop_limit);
    if !ip.ext_headers.is_empty() {
        lit(b, key!("ext_headers"));
        b.push(b'[');
        for (i, k) in ip.ext_headers.iter().enumerate() {
            if i > 0 {
                b.push(b',');
            }
            num(b, *k);
        }
        b.push(b']');
    }
    if let Some(f) = &ip.fragment {
        lit(b, key!("fragment"));
        lit(b, b"{\"offset\":");
        num(b, f.offset);
        lit(b, key!("more"));
        bool(b, f.more);
        lit(b, key!("id"));
        num(b, f.id);
        b.push(b'}');
    }
    lit(b, key!("proto"));
    num(b, ip.proto);
    b.push(b'}');
}

fn tcp(b: &mut Vec<u8>, t: &TcpJ) {
    lit(b, b"{\"src_port\":");
    num(b, t.src_port);
    lit(b, key!("dst_port"));
    num(b, t.dst_port);
    lit(b, key!("seq"));
    num(b, t.seq);
    lit(b, key!("ack"));
    num(b, t.ack);
    lit(b, key!("hlen"));
    num(b, t.hlen);
    lit(b, key!("flags"));
    num(b, t.flags);
    lit(b, key!("flags_str"));
    quoted(b, t.flags_str.text().bytes());
    lit(b, key!("window"));
    num(b, t.window);
    lit(b, key!("checksum"));
    num(b, t.checksum);
    lit(b, key!("urgent"));
    num(b, t.urgent);
    lit(b, key!("payload_len"));
    num_usize(b, t.payload_len);
    if let Some(p) = &t.options {
        lit(b, key!("options"));
        tcp_options(b, p);
    }
    b.push(b'}');
}

/// The options object: every key is optional, so each but the first gets its comma.
fn tcp_options(b: &mut Vec<u8>, p: &TcpOptsJ) {
    b.push(b'{');
    let start = b.len();
    let key = |b: &mut Vec<u8>, k: &[u8]| {
        // `k` is `,"name":`; the first key of the object drops the comma.
        lit(b, if b.len() == start { &k[1..] } else { k });
    };
    if let Some(v) = p.mss {
        key(b, key!("mss"));
        num(b, v);
    }
    if let Some(v) = p.wscale {
        key(b, key!("wscale"));
        num(b, v);
    }
    if p.sack_ok {
        key(b, key!("sack_ok"));
        bool(b, true);
    }
    if p.sack_blocks != 0 {
        key(b, key!("sack_blocks"));
        num(b, p.sack_blocks);
    }
    if let Some(v) = p.ts_val {
        key(b, key!("ts_val"));
        num(b, v);
    }
    if let Some(v) = p.ts_ecr {
        key(b, key!("ts_ecr"));
        num(b, v);
    }
    b.push(b'}');
}

fn udp(b: &mut Vec<u8>, u: &UdpJ) {
    lit(b, b"{\"src_port\":");
    num(b, u.src_port);
    lit(b, key!("dst_port"));
    num(b, u.dst_port);
    lit(b, key!("length"));
    num(b, u.length);
    lit(b, key!("payload_len"));
    num_usize(b, u.payload_len);
    lit(b, key!("checksum"));
    num(b, u.checksum);
    b.push(b'}');
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
        // The objects of version 2.1: STP after LLC, VRRP, OSPF.
        "Ether(dst=01:80:c2:00:00:00,type=38)/Raw(hex=4242030000000000800100001c0e877800000000048001001c0e87850080040100001400020000f0)",
        "Ether()/IP(src=10.0.0.1,dst=224.0.0.18,proto=112)/Raw(hex=212a6402010100000a00000a0a00000b)",
        "Ether()/IPv6(src=fe80::1,dst=ff02::5,nh=89)/Raw(hex=03010024010101010000000100000000)",
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
    fn numbers_as_itoa_writes_them() {
        let mut values = vec![0u64, 1, 9, 10, 99, 100, u64::MAX, u64::MAX - 1];
        for p in 1..20 {
            let t = 10u64.pow(p);
            values.extend([t - 1, t, t + 1]);
        }
        for v in values {
            let mut b = b"x".to_vec();
            super::num(&mut b, v);
            assert_eq!(&b[1..], itoa::Buffer::new().format(v).as_bytes(), "{v}");
        }
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
