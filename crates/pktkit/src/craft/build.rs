//! Turns one concrete choice of every field into bytes: Scapy's defaults first (top-down,
//! addresses through the [`Environment`]), then the bytes bottom-up so that lengths and
//! checksums cover what follows. A field given in the spec is written as given, even when it
//! contradicts the packet (wrong checksum, length, header length, version).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::env::{Environment, Mac};
use super::error::CraftError;
use super::layers::{DEFAULT_QNAME, LayerDef, Proto, Val, encode_question};
use super::{CraftedPacket, Probe, ProbeKind, StartLayer};
use crate::checksum::checksum;

const BROADCAST: Mac = [0xff; 6];
const ZERO_MAC: Mac = [0; 6];

/// One layer with one value (or none: default) per field.
#[derive(Debug, Clone)]
pub(crate) struct Inst {
    pub def: &'static LayerDef,
    pub pos: usize,
    pub vals: Vec<Option<Val>>,
    /// Byte offset of each given field's name in the spec.
    pub field_pos: Vec<usize>,
}

impl Inst {
    pub(crate) fn new(def: &'static LayerDef, pos: usize) -> Self {
        Inst { def, pos, vals: vec![None; def.fields.len()], field_pos: vec![pos; def.fields.len()] }
    }

    fn index(&self, name: &str) -> usize {
        match self.def.index(name) {
            Some(i) => i,
            None => {
                debug_assert!(false, "{} has no field {name}", self.def.name);
                usize::MAX
            }
        }
    }

    fn get(&self, name: &str) -> Option<&Val> {
        self.vals.get(self.index(name)).and_then(Option::as_ref)
    }

    fn given(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    fn int(&self, name: &str) -> Option<u64> {
        match self.get(name) {
            Some(Val::Int(n)) => Some(*n),
            _ => None,
        }
    }

    fn u(&self, name: &str, default: u64) -> u64 {
        self.int(name).unwrap_or(default)
    }

    fn v4(&self, name: &str) -> Ipv4Addr {
        match self.get(name) {
            Some(Val::V4(a)) => *a,
            _ => Ipv4Addr::UNSPECIFIED,
        }
    }

    fn v6(&self, name: &str) -> Ipv6Addr {
        match self.get(name) {
            Some(Val::V6(a)) => *a,
            _ => Ipv6Addr::UNSPECIFIED,
        }
    }

    fn mac(&self, name: &str) -> Mac {
        match self.get(name) {
            Some(Val::Mac(m)) => *m,
            _ => ZERO_MAC,
        }
    }

    fn bytes(&self, name: &str) -> &[u8] {
        match self.get(name) {
            Some(Val::Bytes(b)) => b,
            _ => &[],
        }
    }

    fn set_default(&mut self, name: &str, v: Val) {
        let i = self.index(name);
        if let Some(slot @ None) = self.vals.get_mut(i) {
            *slot = Some(v);
        }
    }

    fn pos_of(&self, name: &str) -> usize {
        self.field_pos.get(self.index(name)).copied().unwrap_or(self.pos)
    }

    fn proto(&self) -> Proto {
        self.def.proto
    }
}

/// The address a layer sends to, for routes and MAC resolution.
fn target(l: &Inst) -> Option<IpAddr> {
    match l.proto() {
        Proto::Ip => Some(l.v4("dst").into()),
        Proto::Ipv6 => Some(l.v6("dst").into()),
        Proto::Arp => Some(l.v4("pdst").into()),
        _ => None,
    }
}

fn source_mac(env: &dyn Environment, dst: Option<IpAddr>) -> (Mac, Option<String>) {
    let route = env.route(dst.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)));
    match route {
        Some(r) => (env.interface_mac(&r.interface).unwrap_or(ZERO_MAC), Some(r.interface)),
        None => (ZERO_MAC, None),
    }
}

/// Scapy's `getmacbyip`/`getmacbyip6` without sending anything: multicast maps to its MAC,
/// broadcasts and the loopback give ff:ff:ff:ff:ff:ff, otherwise the neighbour cache entry of
/// the next hop, and ff:ff:ff:ff:ff:ff when there is none.
fn destination_mac(env: &dyn Environment, dst: IpAddr) -> Mac {
    match dst {
        IpAddr::V4(a) if a.is_multicast() => {
            let o = a.octets();
            [0x01, 0x00, 0x5e, o[1] & 0x7f, o[2], o[3]]
        }
        IpAddr::V6(a) if a.is_multicast() => {
            let o = a.octets();
            [0x33, 0x33, o[12], o[13], o[14], o[15]]
        }
        IpAddr::V4(a) if a.is_broadcast() => BROADCAST,
        _ => match env.route(dst) {
            Some(r) if r.local || r.broadcast => BROADCAST,
            Some(r) => env.neighbor_mac(r.gateway.unwrap_or(dst)).unwrap_or(BROADCAST),
            None => env.neighbor_mac(dst).unwrap_or(BROADCAST),
        },
    }
}

/// Fills the defaults that depend on other layers or on the machine.
fn resolve(layers: &mut [Inst], env: &dyn Environment) -> Option<String> {
    for i in 0..layers.len() {
        let upper = layers.get(i + 1).map(Inst::proto);
        let l = &mut layers[i];
        match l.proto() {
            Proto::Ip => {
                l.set_default("dst", Val::V4(Ipv4Addr::LOCALHOST));
                let dst = IpAddr::V4(l.v4("dst"));
                let src = match env.source_address(dst) {
                    Some(IpAddr::V4(a)) => a,
                    _ => Ipv4Addr::UNSPECIFIED,
                };
                l.set_default("src", Val::V4(src));
            }
            Proto::Ipv6 => {
                // Scapy's ND classes overload the IPv6 layer under them.
                let nd_dst = match upper {
                    Some(Proto::NdRs) => Some(Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 2)),
                    Some(Proto::NdRa | Proto::NdNs | Proto::NdNa) => {
                        Some(Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1))
                    }
                    _ => None,
                };
                if let Some(d) = nd_dst {
                    l.set_default("dst", Val::V6(d));
                    l.set_default("hlim", Val::Int(255));
                }
                l.set_default("dst", Val::V6(Ipv6Addr::LOCALHOST));
                let dst = IpAddr::V6(l.v6("dst"));
                let src = match env.source_address(dst) {
                    Some(IpAddr::V6(a)) => a,
                    _ => Ipv6Addr::UNSPECIFIED,
                };
                l.set_default("src", Val::V6(src));
            }
            Proto::Arp => {
                l.set_default("pdst", Val::V4(Ipv4Addr::UNSPECIFIED));
                let pdst = IpAddr::V4(l.v4("pdst"));
                let psrc = match env.source_address(pdst) {
                    Some(IpAddr::V4(a)) => a,
                    _ => Ipv4Addr::UNSPECIFIED,
                };
                l.set_default("psrc", Val::V4(psrc));
                l.set_default("hwsrc", Val::Mac(source_mac(env, Some(pdst)).0));
            }
            _ => {}
        }
    }
    let mut interface = None;
    for i in 0..layers.len() {
        match layers[i].proto() {
            Proto::Ether => {
                let upper = layers[i + 1..].iter().find(|l| l.proto() != Proto::Dot1Q);
                let dst = upper.and_then(target);
                let (src_mac, iface) = source_mac(env, dst);
                if interface.is_none() {
                    interface = iface;
                }
                let dst_mac = match upper {
                    Some(a) if a.proto() == Proto::Arp && a.u("op", 1) == 1 => BROADCAST,
                    _ => dst.map_or(BROADCAST, |d| destination_mac(env, d)),
                };
                let l = &mut layers[i];
                l.set_default("src", Val::Mac(src_mac));
                l.set_default("dst", Val::Mac(dst_mac));
            }
            Proto::NdOptSrcLLAddr | Proto::NdOptDstLLAddr => {
                let dst = layers[..i].iter().rev().find(|l| l.proto() == Proto::Ipv6).and_then(target);
                let mac = source_mac(env, dst).0;
                layers[i].set_default("lladdr", Val::Mac(mac));
            }
            _ => {}
        }
    }
    interface
}

/// The pseudo-header of the nearest IP layer below layer `i`, for protocol `proto`.
fn pseudo_header(layers: &[Inst], i: usize, proto: u8, len: usize) -> Option<Vec<u8>> {
    let ip = layers[..i].iter().rev().find(|l| matches!(l.proto(), Proto::Ip | Proto::Ipv6))?;
    let mut p = Vec::with_capacity(40);
    if ip.proto() == Proto::Ip {
        p.extend_from_slice(&ip.v4("src").octets());
        p.extend_from_slice(&ip.v4("dst").octets());
        p.extend_from_slice(&[0, proto]);
        p.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        p.extend_from_slice(&ip.v6("src").octets());
        p.extend_from_slice(&ip.v6("dst").octets());
        p.extend_from_slice(&(len as u32).to_be_bytes());
        p.extend_from_slice(&[0, 0, 0, proto]);
    }
    Some(p)
}

/// Writes `value` into `out[at..at + 2]` unless the field was given.
fn put_checksum(out: &mut [u8], at: usize, given: Option<u64>, compute: impl FnOnce(&[u8]) -> u16) {
    let ck = match given {
        Some(v) => v as u16,
        None => compute(out),
    };
    out[at..at + 2].copy_from_slice(&ck.to_be_bytes());
}

fn ether_type_of(upper: Option<Proto>) -> Option<u64> {
    match upper? {
        Proto::Ip => Some(0x0800),
        Proto::Ipv6 => Some(0x86dd),
        Proto::Arp => Some(0x0806),
        Proto::Dot1Q => Some(0x8100),
        _ => None,
    }
}

fn ip_proto_of(upper: Option<Proto>, v6: bool) -> Option<u64> {
    match upper? {
        Proto::Tcp => Some(6),
        Proto::Udp => Some(17),
        Proto::Icmp if !v6 => Some(1),
        Proto::Ip => Some(4),
        Proto::Ipv6 => Some(41),
        p if v6 && p.is_icmpv6() => Some(58),
        _ => None,
    }
}

/// TCP's default ports: Scapy's 20 and 80, or 53 both ways under DNS (Scapy gives sport 53
/// but keeps dport 80 there; a DNS query to port 80 is never what is meant).
fn tcp_default_ports(layers: &[Inst], i: usize) -> (u64, u64) {
    match layers.get(i + 1).map(Inst::proto) {
        Some(Proto::Dns) => (53, 53),
        _ => (20, 80),
    }
}

fn too_long(pos: usize, what: &str, len: usize) -> CraftError {
    CraftError::invalid(pos, format!("{what} would be {len} bytes, more than its 16-bit length field holds"))
}

/// ICMP fields present for a type, after the checksum (Scapy's conditional fields).
pub(crate) fn icmp_fields(t: u64) -> &'static [&'static str] {
    match t {
        0 | 8 | 15 | 16 | 37 | 38 => &["id", "seq"],
        13 | 14 => &["id", "seq", "ts_ori", "ts_rx", "ts_tx"],
        17 | 18 => &["id", "seq", "addr_mask"],
        3 => &["reserved", "length", "nexthopmtu"],
        5 => &["gw"],
        11 => &["reserved", "length", "unused"],
        12 => &["ptr", "length", "unused"],
        _ => &["unused"],
    }
}

const ICMP_VARIABLE: [&str; 12] = [
    "id",
    "seq",
    "ts_ori",
    "ts_rx",
    "ts_tx",
    "gw",
    "ptr",
    "reserved",
    "length",
    "addr_mask",
    "nexthopmtu",
    "unused",
];

fn millis_since_midnight_utc() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| (d.as_millis() % 86_400_000) as u64)
}

fn icmp_body(l: &Inst) -> Result<Vec<u8>, CraftError> {
    let t = l.u("type", 8);
    let present = icmp_fields(t);
    for name in ICMP_VARIABLE {
        if l.given(name) && !present.contains(&name) {
            return Err(CraftError::invalid(
                l.pos_of(name),
                format!(
                    "ICMP type {t} has no field '{name}' (its fields after chksum: {})",
                    present.join(", ")
                ),
            ));
        }
    }
    let mut b = Vec::with_capacity(16);
    for name in present {
        match *name {
            "id" | "seq" | "nexthopmtu" => b.extend_from_slice(&(l.u(name, 0) as u16).to_be_bytes()),
            "ts_ori" | "ts_rx" | "ts_tx" => {
                let v = l.int(name).unwrap_or_else(millis_since_midnight_utc);
                b.extend_from_slice(&(v as u32).to_be_bytes());
            }
            "gw" | "addr_mask" => b.extend_from_slice(&l.v4(name).octets()),
            "ptr" | "reserved" | "length" => b.push(l.u(name, 0) as u8),
            "unused" if t == 11 || t == 12 => {
                let v = l.u(name, 0);
                if v > 0xffff {
                    return Err(CraftError::invalid(
                        l.pos_of(name),
                        format!("ICMP type {t} has a 16-bit unused field"),
                    ));
                }
                b.extend_from_slice(&(v as u16).to_be_bytes());
            }
            _ => b.extend_from_slice(&(l.u(name, 0) as u32).to_be_bytes()),
        }
    }
    Ok(b)
}

fn dns_message(l: &Inst, over_tcp: bool) -> Result<Vec<u8>, CraftError> {
    if l.given("length") && !over_tcp {
        return Err(CraftError::invalid(l.pos_of("length"), "DNS has a length field only directly over TCP"));
    }
    let (count, questions) = match l.get("qd") {
        Some(Val::Questions { count, wire }) => (*count, wire.clone()),
        _ => {
            let qname = match l.get("qname") {
                Some(Val::Name(n)) => n.as_str(),
                _ => DEFAULT_QNAME,
            };
            let mut wire = Vec::new();
            encode_question(qname, l.u("qtype", 1) as u16, l.u("qclass", 1) as u16, &mut wire)
                .map_err(|e| CraftError::invalid(l.pos_of("qname"), e))?;
            (1, wire)
        }
    };
    let flags = l.u("qr", 0) << 15
        | l.u("opcode", 0) << 11
        | l.u("aa", 0) << 10
        | l.u("tc", 0) << 9
        | l.u("rd", 1) << 8
        | l.u("ra", 0) << 7
        | l.u("z", 0) << 6
        | l.u("ad", 0) << 5
        | l.u("cd", 0) << 4
        | l.u("rcode", 0);
    let mut m = Vec::with_capacity(12 + questions.len() + 2);
    for v in [
        l.u("id", 0),
        flags,
        l.u("qdcount", u64::from(count)),
        l.u("ancount", 0),
        l.u("nscount", 0),
        l.u("arcount", 0),
    ] {
        m.extend_from_slice(&(v as u16).to_be_bytes());
    }
    m.extend_from_slice(&questions);
    if over_tcp {
        let len = l.u("length", m.len() as u64) as u16;
        m.splice(0..0, len.to_be_bytes());
    }
    Ok(m)
}

/// Serializes layer `i` in front of `payload`.
fn serialize(layers: &[Inst], i: usize, payload: Vec<u8>) -> Result<Vec<u8>, CraftError> {
    let l = &layers[i];
    let upper = layers.get(i + 1).map(Inst::proto);
    let mut out: Vec<u8>;
    match l.proto() {
        Proto::Ether => {
            out = Vec::with_capacity(14 + payload.len());
            out.extend_from_slice(&l.mac("dst"));
            out.extend_from_slice(&l.mac("src"));
            let t = l.int("type").or(ether_type_of(upper)).unwrap_or(0x9000);
            out.extend_from_slice(&(t as u16).to_be_bytes());
        }
        Proto::Dot1Q => {
            out = Vec::with_capacity(4 + payload.len());
            let tci = l.u("prio", 0) << 13 | l.u("dei", 0) << 12 | l.u("vlan", 1);
            out.extend_from_slice(&(tci as u16).to_be_bytes());
            let t = l.int("type").or(ether_type_of(upper)).unwrap_or(0);
            out.extend_from_slice(&(t as u16).to_be_bytes());
        }
        Proto::Arp => {
            out = Vec::with_capacity(28 + payload.len());
            out.extend_from_slice(&(l.u("hwtype", 1) as u16).to_be_bytes());
            out.extend_from_slice(&(l.u("ptype", 0x0800) as u16).to_be_bytes());
            out.push(l.u("hwlen", 6) as u8);
            out.push(l.u("plen", 4) as u8);
            out.extend_from_slice(&(l.u("op", 1) as u16).to_be_bytes());
            out.extend_from_slice(&l.mac("hwsrc"));
            out.extend_from_slice(&l.v4("psrc").octets());
            out.extend_from_slice(&l.mac("hwdst"));
            out.extend_from_slice(&l.v4("pdst").octets());
        }
        Proto::Ip => {
            let total = 20 + payload.len();
            if total > 0xffff && !l.given("len") {
                return Err(too_long(l.pos, "the IPv4 packet", total));
            }
            out = Vec::with_capacity(total);
            out.push((l.u("version", 4) << 4 | l.u("ihl", 5)) as u8);
            out.push(l.u("tos", 0) as u8);
            out.extend_from_slice(&(l.u("len", total as u64) as u16).to_be_bytes());
            out.extend_from_slice(&(l.u("id", 1) as u16).to_be_bytes());
            out.extend_from_slice(&((l.u("flags", 0) << 13 | l.u("frag", 0)) as u16).to_be_bytes());
            out.push(l.u("ttl", 64) as u8);
            out.push(l.int("proto").or(ip_proto_of(upper, false)).unwrap_or(0) as u8);
            out.extend_from_slice(&[0, 0]);
            out.extend_from_slice(&l.v4("src").octets());
            out.extend_from_slice(&l.v4("dst").octets());
            put_checksum(&mut out, 10, l.int("chksum"), |h| checksum(&[h]));
        }
        Proto::Ipv6 => {
            if payload.len() > 0xffff && !l.given("plen") {
                return Err(too_long(l.pos, "the IPv6 payload", payload.len()));
            }
            out = Vec::with_capacity(40 + payload.len());
            let first = l.u("version", 6) << 28 | l.u("tc", 0) << 20 | l.u("fl", 0);
            out.extend_from_slice(&(first as u32).to_be_bytes());
            out.extend_from_slice(&(l.u("plen", payload.len() as u64) as u16).to_be_bytes());
            out.push(l.int("nh").or(ip_proto_of(upper, true)).unwrap_or(59) as u8);
            out.push(l.u("hlim", 64) as u8);
            out.extend_from_slice(&l.v6("src").octets());
            out.extend_from_slice(&l.v6("dst").octets());
        }
        Proto::Tcp => {
            let mut opts = match l.get("options") {
                Some(Val::Options(o)) => o.clone(),
                _ => Vec::new(),
            };
            opts.resize(opts.len().div_ceil(4) * 4, 0);
            let header = 20 + opts.len();
            out = Vec::with_capacity(header + payload.len());
            let (sport, dport) = tcp_default_ports(layers, i);
            out.extend_from_slice(&(l.u("sport", sport) as u16).to_be_bytes());
            out.extend_from_slice(&(l.u("dport", dport) as u16).to_be_bytes());
            out.extend_from_slice(&(l.u("seq", 0) as u32).to_be_bytes());
            out.extend_from_slice(&(l.u("ack", 0) as u32).to_be_bytes());
            let off = l.u("dataofs", header as u64 / 4) << 12 | l.u("reserved", 0) << 9 | l.u("flags", 2);
            out.extend_from_slice(&(off as u16).to_be_bytes());
            out.extend_from_slice(&(l.u("window", 8192) as u16).to_be_bytes());
            out.extend_from_slice(&[0, 0]);
            out.extend_from_slice(&(l.u("urgptr", 0) as u16).to_be_bytes());
            out.extend_from_slice(&opts);
            out.extend_from_slice(&payload);
            let pseudo = pseudo_header(layers, i, 6, out.len());
            put_checksum(&mut out, 16, l.int("chksum"), |s| pseudo.map_or(0, |p| checksum(&[&p, s])));
            return Ok(out);
        }
        Proto::Udp => {
            let total = 8 + payload.len();
            if total > 0xffff && !l.given("len") {
                return Err(too_long(l.pos, "the UDP datagram", total));
            }
            out = Vec::with_capacity(total);
            // Scapy binds DNS to UDP port 53 both ways, which is also UDP's own default.
            out.extend_from_slice(&(l.u("sport", 53) as u16).to_be_bytes());
            out.extend_from_slice(&(l.u("dport", 53) as u16).to_be_bytes());
            out.extend_from_slice(&(l.u("len", total as u64) as u16).to_be_bytes());
            out.extend_from_slice(&[0, 0]);
            out.extend_from_slice(&payload);
            let pseudo = pseudo_header(layers, i, 17, out.len());
            put_checksum(&mut out, 6, l.int("chksum"), |s| match pseudo {
                Some(p) => match checksum(&[&p, s]) {
                    0 => 0xffff,
                    c => c,
                },
                None => 0,
            });
            return Ok(out);
        }
        Proto::Icmp => {
            out = vec![l.u("type", 8) as u8, l.u("code", 0) as u8, 0, 0];
            out.extend_from_slice(&icmp_body(l)?);
            out.extend_from_slice(&payload);
            put_checksum(&mut out, 2, l.int("chksum"), |m| checksum(&[m]));
            return Ok(out);
        }
        p if p.is_icmpv6() => {
            let default_type = match p {
                Proto::Icmpv6EchoRequest => 128,
                Proto::Icmpv6EchoReply => 129,
                Proto::NdRs => 133,
                Proto::NdRa => 134,
                Proto::NdNs => 135,
                _ => 136,
            };
            out = vec![l.u("type", default_type) as u8, l.u("code", 0) as u8, 0, 0];
            match p {
                Proto::Icmpv6EchoRequest | Proto::Icmpv6EchoReply => {
                    out.extend_from_slice(&(l.u("id", 0) as u16).to_be_bytes());
                    out.extend_from_slice(&(l.u("seq", 0) as u16).to_be_bytes());
                    out.extend_from_slice(l.bytes("data"));
                }
                Proto::NdRs => out.extend_from_slice(&(l.u("res", 0) as u32).to_be_bytes()),
                Proto::NdNs => {
                    out.extend_from_slice(&(l.u("res", 0) as u32).to_be_bytes());
                    out.extend_from_slice(&l.v6("tgt").octets());
                }
                Proto::NdNa => {
                    let w = l.u("R", 1) << 31 | l.u("S", 0) << 30 | l.u("O", 1) << 29 | l.u("res", 0);
                    out.extend_from_slice(&(w as u32).to_be_bytes());
                    out.extend_from_slice(&l.v6("tgt").octets());
                }
                _ => {
                    out.push(l.u("chlim", 0) as u8);
                    let bits = l.u("M", 0) << 7
                        | l.u("O", 0) << 6
                        | l.u("H", 0) << 5
                        | l.u("prf", 1) << 3
                        | l.u("P", 0) << 2
                        | l.u("res", 0);
                    out.push(bits as u8);
                    out.extend_from_slice(&(l.u("routerlifetime", 1800) as u16).to_be_bytes());
                    out.extend_from_slice(&(l.u("reachabletime", 0) as u32).to_be_bytes());
                    out.extend_from_slice(&(l.u("retranstimer", 0) as u32).to_be_bytes());
                }
            }
            out.extend_from_slice(&payload);
            let pseudo = pseudo_header(layers, i, 58, out.len());
            put_checksum(&mut out, 2, l.int("cksum"), |m| pseudo.map_or(0, |p| checksum(&[&p, m])));
            return Ok(out);
        }
        Proto::NdOptSrcLLAddr | Proto::NdOptDstLLAddr => {
            let t = if l.proto() == Proto::NdOptSrcLLAddr { 1 } else { 2 };
            out = vec![l.u("type", t) as u8, l.u("len", 1) as u8];
            out.extend_from_slice(&l.mac("lladdr"));
        }
        Proto::Dns => {
            let over_tcp = i > 0 && layers[i - 1].proto() == Proto::Tcp;
            out = dns_message(l, over_tcp)?;
        }
        Proto::Raw => {
            out = if l.given("hex") { l.bytes("hex").to_vec() } else { l.bytes("load").to_vec() };
        }
        _ => out = Vec::new(),
    }
    out.extend_from_slice(&payload);
    Ok(out)
}

/// The probe of a packet; `tcp_payload` is the byte count above the TCP layer it describes.
fn probe(layers: &[Inst], tcp_payload: &[(usize, usize)]) -> Probe {
    let ip = layers.iter().position(|l| matches!(l.proto(), Proto::Ip | Proto::Ipv6));
    let (src, dst) = match ip.map(|i| &layers[i]) {
        Some(l) if l.proto() == Proto::Ip => (Some(l.v4("src").into()), Some(l.v4("dst").into())),
        Some(l) => (Some(l.v6("src").into()), Some(l.v6("dst").into())),
        None => (None, None),
    };
    let above_at = ip.map_or(layers.len(), |i| i + 1);
    let above = &layers[above_at.min(layers.len())..];
    let kind = if let Some(a) = layers.iter().find(|l| l.proto() == Proto::Arp).filter(|_| ip.is_none()) {
        ProbeKind::Arp { op: a.u("op", 1) as u16, psrc: a.v4("psrc"), pdst: a.v4("pdst") }
    } else if let Some(t) = above.first() {
        let next = above.get(1);
        match t.proto() {
            Proto::Tcp => ProbeKind::Tcp {
                sport: t.u("sport", tcp_default_ports(layers, above_at).0) as u16,
                dport: t.u("dport", tcp_default_ports(layers, above_at).1) as u16,
                seq: t.u("seq", 0) as u32,
                ack: t.u("ack", 0) as u32,
                flags: t.u("flags", 2) as u16,
                payload_len: tcp_payload.iter().find(|(i, _)| *i == above_at).map_or(0, |(_, n)| *n as u32),
            },
            Proto::Udp => ProbeKind::Udp {
                sport: t.u("sport", 53) as u16,
                dport: t.u("dport", 53) as u16,
                dns_id: next.filter(|n| n.proto() == Proto::Dns).map(|n| n.u("id", 0) as u16),
            },
            Proto::Icmp => {
                let ty = t.u("type", 8);
                let echo = icmp_fields(ty).contains(&"id");
                ProbeKind::Icmp {
                    icmp_type: ty as u8,
                    code: t.u("code", 0) as u8,
                    id: echo.then(|| t.u("id", 0) as u16),
                    seq: echo.then(|| t.u("seq", 0) as u16),
                }
            }
            p if p.is_icmpv6() => {
                let echo = matches!(p, Proto::Icmpv6EchoRequest | Proto::Icmpv6EchoReply);
                let default_type = match p {
                    Proto::Icmpv6EchoRequest => 128,
                    Proto::Icmpv6EchoReply => 129,
                    Proto::NdRs => 133,
                    Proto::NdRa => 134,
                    Proto::NdNs => 135,
                    _ => 136,
                };
                ProbeKind::Icmpv6 {
                    icmp_type: t.u("type", default_type) as u8,
                    code: t.u("code", 0) as u8,
                    id: echo.then(|| t.u("id", 0) as u16),
                    seq: echo.then(|| t.u("seq", 0) as u16),
                    target: matches!(p, Proto::NdNs | Proto::NdNa).then(|| t.v6("tgt")),
                }
            }
            _ => ProbeKind::Other,
        }
    } else {
        ProbeKind::Other
    };
    Probe { src, dst, kind }
}

/// Builds one packet from concrete layers.
pub(crate) fn build(mut layers: Vec<Inst>, env: &dyn Environment) -> Result<CraftedPacket, CraftError> {
    let interface = resolve(&mut layers, env);
    let mut bytes = Vec::new();
    let mut tcp_payload = Vec::new();
    for i in (0..layers.len()).rev() {
        if layers[i].proto() == Proto::Tcp {
            tcp_payload.push((i, bytes.len()));
        }
        bytes = serialize(&layers, i, bytes)?;
    }
    let start = if layers.first().map(Inst::proto) == Some(Proto::Ether) {
        StartLayer::Link
    } else {
        StartLayer::Network
    };
    let dst = layers.iter().find_map(|l| match l.proto() {
        Proto::Ip | Proto::Ipv6 => target(l),
        _ => None,
    });
    let interface = match start {
        StartLayer::Link => interface,
        StartLayer::Network => dst.and_then(|d| env.route(d)).map(|r| r.interface),
    };
    Ok(CraftedPacket { bytes, start, dst, interface, probe: probe(&layers, &tcp_payload) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icmp_layouts_follow_scapy() {
        assert_eq!(icmp_fields(8), ["id", "seq"]);
        assert_eq!(icmp_fields(3), ["reserved", "length", "nexthopmtu"]);
        assert_eq!(icmp_fields(9), ["unused"]);
    }
}
