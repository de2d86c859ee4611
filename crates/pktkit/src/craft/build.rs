//! Turns one concrete choice of every field into bytes: Scapy's defaults first (top-down,
//! addresses through the [`Environment`]), then the bytes bottom-up so that lengths and
//! checksums cover what follows. A field given in the spec is written as given, even when it
//! contradicts the packet (wrong checksum, length, header length, version).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::env::{Environment, Mac};
use super::error::CraftError;
use super::fields::{
    DEFAULT_QNAME, Field, LayerDef, Proto, arp, dns, dot1q, ether, icmp, icmpv6, ip, ipv6, nd_na, nd_ns,
    nd_opt, nd_ra, nd_rs, raw, tcp, udp,
};
use super::values::{Val, encode_question};
use super::{CraftedPacket, Probe, ProbeKind, StartLayer};
use crate::checksum::checksum;
use crate::proto::ethernet::ether_type;
use crate::proto::icmpv6 as icmpv6_type;
use crate::proto::ip_proto;

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

    /// True when `field` is a field of this layer (a constant of another layer's is not,
    /// unless that layer has the same field at the same place).
    fn has(&self, field: Field) -> bool {
        let here = self.def.fields.get(field.index).is_some_and(|f| f.name == field.name);
        debug_assert!(here, "{} has no field {} at {}", self.def.name, field.name, field.index);
        here
    }

    fn get(&self, field: Field) -> Option<&Val> {
        if !self.has(field) {
            return None;
        }
        self.vals.get(field.index).and_then(Option::as_ref)
    }

    fn given(&self, field: Field) -> bool {
        self.get(field).is_some()
    }

    fn int(&self, field: Field) -> Option<u64> {
        match self.get(field) {
            Some(Val::Int(n)) => Some(*n),
            _ => None,
        }
    }

    fn int_or(&self, field: Field, default: u64) -> u64 {
        self.int(field).unwrap_or(default)
    }

    fn v4(&self, field: Field) -> Ipv4Addr {
        match self.get(field) {
            Some(Val::V4(a)) => *a,
            _ => Ipv4Addr::UNSPECIFIED,
        }
    }

    fn v6(&self, field: Field) -> Ipv6Addr {
        match self.get(field) {
            Some(Val::V6(a)) => *a,
            _ => Ipv6Addr::UNSPECIFIED,
        }
    }

    fn mac(&self, field: Field) -> Mac {
        match self.get(field) {
            Some(Val::Mac(m)) => *m,
            _ => ZERO_MAC,
        }
    }

    fn bytes(&self, field: Field) -> &[u8] {
        match self.get(field) {
            Some(Val::Bytes(b)) => b,
            _ => &[],
        }
    }

    fn set_default(&mut self, field: Field, v: Val) {
        if self.has(field)
            && let Some(slot @ None) = self.vals.get_mut(field.index)
        {
            *slot = Some(v);
        }
    }

    fn pos_of(&self, field: Field) -> usize {
        self.field_pos.get(field.index).copied().unwrap_or(self.pos)
    }

    fn proto(&self) -> Proto {
        self.def.proto
    }
}

/// The ICMPv6 type a message layer has unless its spec gives one.
fn icmpv6_default_type(p: Proto) -> u64 {
    let t = match p {
        Proto::Icmpv6EchoRequest => icmpv6_type::ECHO_REQUEST,
        Proto::Icmpv6EchoReply => icmpv6_type::ECHO_REPLY,
        Proto::NdRs => icmpv6_type::ROUTER_SOLICIT,
        Proto::NdRa => icmpv6_type::ROUTER_ADVERT,
        Proto::NdNs => icmpv6_type::NEIGHBOR_SOLICIT,
        _ => icmpv6_type::NEIGHBOR_ADVERT,
    };
    u64::from(t)
}

/// This machine's IPv4 source address towards `dst` (0.0.0.0 when it has none).
fn source_v4(env: &dyn Environment, dst: IpAddr) -> Ipv4Addr {
    match env.source_address(dst) {
        Some(IpAddr::V4(a)) => a,
        _ => Ipv4Addr::UNSPECIFIED,
    }
}

/// The address a layer sends to, for routes and MAC resolution.
fn target(l: &Inst) -> Option<IpAddr> {
    match l.proto() {
        Proto::Ip => Some(l.v4(ip::DST).into()),
        Proto::Ipv6 => Some(l.v6(ipv6::DST).into()),
        Proto::Arp => Some(l.v4(arp::PDST).into()),
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
                l.set_default(ip::DST, Val::V4(Ipv4Addr::LOCALHOST));
                let src = source_v4(env, IpAddr::V4(l.v4(ip::DST)));
                l.set_default(ip::SRC, Val::V4(src));
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
                    l.set_default(ipv6::DST, Val::V6(d));
                    l.set_default(ipv6::HLIM, Val::Int(255));
                }
                l.set_default(ipv6::DST, Val::V6(Ipv6Addr::LOCALHOST));
                let dst = IpAddr::V6(l.v6(ipv6::DST));
                let src = match env.source_address(dst) {
                    Some(IpAddr::V6(a)) => a,
                    _ => Ipv6Addr::UNSPECIFIED,
                };
                l.set_default(ipv6::SRC, Val::V6(src));
            }
            Proto::Arp => {
                l.set_default(arp::PDST, Val::V4(Ipv4Addr::UNSPECIFIED));
                let pdst = IpAddr::V4(l.v4(arp::PDST));
                let psrc = source_v4(env, pdst);
                l.set_default(arp::PSRC, Val::V4(psrc));
                l.set_default(arp::HWSRC, Val::Mac(source_mac(env, Some(pdst)).0));
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
                    Some(a) if a.proto() == Proto::Arp && a.int_or(arp::OP, 1) == 1 => BROADCAST,
                    _ => dst.map_or(BROADCAST, |d| destination_mac(env, d)),
                };
                let l = &mut layers[i];
                l.set_default(ether::SRC, Val::Mac(src_mac));
                l.set_default(ether::DST, Val::Mac(dst_mac));
            }
            Proto::NdOptSrcLLAddr | Proto::NdOptDstLLAddr => {
                let dst = layers[..i].iter().rev().find(|l| l.proto() == Proto::Ipv6).and_then(target);
                let mac = source_mac(env, dst).0;
                layers[i].set_default(nd_opt::LLADDR, Val::Mac(mac));
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
        p.extend_from_slice(&ip.v4(ip::SRC).octets());
        p.extend_from_slice(&ip.v4(ip::DST).octets());
        p.extend_from_slice(&[0, proto]);
        p.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        p.extend_from_slice(&ip.v6(ipv6::SRC).octets());
        p.extend_from_slice(&ip.v6(ipv6::DST).octets());
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
    let t = match upper? {
        Proto::Ip => ether_type::IPV4,
        Proto::Ipv6 => ether_type::IPV6,
        Proto::Arp => ether_type::ARP,
        Proto::Dot1Q => ether_type::VLAN,
        _ => return None,
    };
    Some(u64::from(t))
}

fn ip_proto_of(upper: Option<Proto>, v6: bool) -> Option<u64> {
    let p = match upper? {
        Proto::Tcp => ip_proto::TCP,
        Proto::Udp => ip_proto::UDP,
        Proto::Icmp if !v6 => ip_proto::ICMP,
        Proto::Ip => ip_proto::IPIP,
        Proto::Ipv6 => ip_proto::IPV6,
        p if v6 && p.is_icmpv6() => ip_proto::ICMPV6,
        _ => return None,
    };
    Some(u64::from(p))
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
pub(crate) fn icmp_fields(t: u64) -> &'static [Field] {
    use icmp::*;
    match t {
        0 | 8 | 15 | 16 | 37 | 38 => &[ID, SEQ],
        13 | 14 => &[ID, SEQ, TS_ORI, TS_RX, TS_TX],
        17 | 18 => &[ID, SEQ, ADDR_MASK],
        3 => &[RESERVED, LENGTH, NEXTHOPMTU],
        5 => &[GW],
        11 => &[RESERVED, LENGTH, UNUSED],
        12 => &[PTR, LENGTH, UNUSED],
        _ => &[UNUSED],
    }
}

/// Every ICMP field that only some types have.
const ICMP_VARIABLE: [Field; 12] = {
    use icmp::*;
    [ID, SEQ, TS_ORI, TS_RX, TS_TX, GW, PTR, RESERVED, LENGTH, ADDR_MASK, NEXTHOPMTU, UNUSED]
};

pub(crate) fn millis_since_midnight_utc() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| (d.as_millis() % 86_400_000) as u64)
}

fn icmp_body(l: &Inst) -> Result<Vec<u8>, CraftError> {
    let t = l.int_or(icmp::TYPE, 8);
    let present = icmp_fields(t);
    for field in ICMP_VARIABLE {
        if l.given(field) && !present.contains(&field) {
            let names: Vec<&str> = present.iter().map(|f| f.name).collect();
            return Err(CraftError::invalid(
                l.pos_of(field),
                format!(
                    "ICMP type {t} has no field '{}' (its fields after chksum: {})",
                    field.name,
                    names.join(", ")
                ),
            ));
        }
    }
    let mut b = Vec::with_capacity(16);
    for &field in present {
        match field {
            icmp::ID | icmp::SEQ | icmp::NEXTHOPMTU => {
                b.extend_from_slice(&(l.int_or(field, 0) as u16).to_be_bytes())
            }
            icmp::TS_ORI | icmp::TS_RX | icmp::TS_TX => {
                let v = l.int(field).unwrap_or_else(millis_since_midnight_utc);
                b.extend_from_slice(&(v as u32).to_be_bytes());
            }
            icmp::GW | icmp::ADDR_MASK => b.extend_from_slice(&l.v4(field).octets()),
            icmp::PTR | icmp::RESERVED | icmp::LENGTH => b.push(l.int_or(field, 0) as u8),
            icmp::UNUSED if t == 11 || t == 12 => {
                let v = l.int_or(field, 0);
                if v > 0xffff {
                    return Err(CraftError::invalid(
                        l.pos_of(field),
                        format!("ICMP type {t} has a 16-bit unused field"),
                    ));
                }
                b.extend_from_slice(&(v as u16).to_be_bytes());
            }
            _ => b.extend_from_slice(&(l.int_or(field, 0) as u32).to_be_bytes()),
        }
    }
    Ok(b)
}

fn dns_message(l: &Inst, over_tcp: bool) -> Result<Vec<u8>, CraftError> {
    if l.given(dns::LENGTH) && !over_tcp {
        return Err(CraftError::invalid(
            l.pos_of(dns::LENGTH),
            "DNS has a length field only directly over TCP",
        ));
    }
    let (count, questions) = match l.get(dns::QD) {
        Some(Val::Questions { count, wire }) => (*count, wire.clone()),
        _ => {
            let qname = match l.get(dns::QNAME) {
                Some(Val::Name(n)) => n.as_str(),
                _ => DEFAULT_QNAME,
            };
            let mut wire = Vec::new();
            encode_question(
                qname,
                l.int_or(dns::QTYPE, 1) as u16,
                l.int_or(dns::QCLASS, 1) as u16,
                &mut wire,
            )
            .map_err(|e| CraftError::invalid(l.pos_of(dns::QNAME), e))?;
            (1, wire)
        }
    };
    let flags = l.int_or(dns::QR, 0) << 15
        | l.int_or(dns::OPCODE, 0) << 11
        | l.int_or(dns::AA, 0) << 10
        | l.int_or(dns::TC, 0) << 9
        | l.int_or(dns::RD, 1) << 8
        | l.int_or(dns::RA, 0) << 7
        | l.int_or(dns::Z, 0) << 6
        | l.int_or(dns::AD, 0) << 5
        | l.int_or(dns::CD, 0) << 4
        | l.int_or(dns::RCODE, 0);
    let mut m = Vec::with_capacity(12 + questions.len() + 2);
    for v in [
        l.int_or(dns::ID, 0),
        flags,
        l.int_or(dns::QDCOUNT, u64::from(count)),
        l.int_or(dns::ANCOUNT, 0),
        l.int_or(dns::NSCOUNT, 0),
        l.int_or(dns::ARCOUNT, 0),
    ] {
        m.extend_from_slice(&(v as u16).to_be_bytes());
    }
    m.extend_from_slice(&questions);
    if over_tcp {
        let len = l.int_or(dns::LENGTH, m.len() as u64) as u16;
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
            out.extend_from_slice(&l.mac(ether::DST));
            out.extend_from_slice(&l.mac(ether::SRC));
            let t = l.int(ether::TYPE).or(ether_type_of(upper)).unwrap_or(0x9000);
            out.extend_from_slice(&(t as u16).to_be_bytes());
        }
        Proto::Dot1Q => {
            out = Vec::with_capacity(4 + payload.len());
            let tci =
                l.int_or(dot1q::PRIO, 0) << 13 | l.int_or(dot1q::DEI, 0) << 12 | l.int_or(dot1q::VLAN, 1);
            out.extend_from_slice(&(tci as u16).to_be_bytes());
            let t = l.int(dot1q::TYPE).or(ether_type_of(upper)).unwrap_or(0);
            out.extend_from_slice(&(t as u16).to_be_bytes());
        }
        Proto::Arp => {
            out = Vec::with_capacity(28 + payload.len());
            out.extend_from_slice(&(l.int_or(arp::HWTYPE, 1) as u16).to_be_bytes());
            out.extend_from_slice(&(l.int_or(arp::PTYPE, ether_type::IPV4.into()) as u16).to_be_bytes());
            out.push(l.int_or(arp::HWLEN, 6) as u8);
            out.push(l.int_or(arp::PLEN, 4) as u8);
            out.extend_from_slice(&(l.int_or(arp::OP, 1) as u16).to_be_bytes());
            out.extend_from_slice(&l.mac(arp::HWSRC));
            out.extend_from_slice(&l.v4(arp::PSRC).octets());
            out.extend_from_slice(&l.mac(arp::HWDST));
            out.extend_from_slice(&l.v4(arp::PDST).octets());
        }
        Proto::Ip => {
            let total = 20 + payload.len();
            if total > 0xffff && !l.given(ip::LEN) {
                return Err(too_long(l.pos, "the IPv4 packet", total));
            }
            out = Vec::with_capacity(total);
            out.push((l.int_or(ip::VERSION, 4) << 4 | l.int_or(ip::IHL, 5)) as u8);
            out.push(l.int_or(ip::TOS, 0) as u8);
            out.extend_from_slice(&(l.int_or(ip::LEN, total as u64) as u16).to_be_bytes());
            out.extend_from_slice(&(l.int_or(ip::ID, 1) as u16).to_be_bytes());
            out.extend_from_slice(
                &((l.int_or(ip::FLAGS, 0) << 13 | l.int_or(ip::FRAG, 0)) as u16).to_be_bytes(),
            );
            out.push(l.int_or(ip::TTL, 64) as u8);
            out.push(l.int(ip::PROTO).or(ip_proto_of(upper, false)).unwrap_or(0) as u8);
            out.extend_from_slice(&[0, 0]);
            out.extend_from_slice(&l.v4(ip::SRC).octets());
            out.extend_from_slice(&l.v4(ip::DST).octets());
            put_checksum(&mut out, 10, l.int(ip::CHKSUM), |h| checksum(&[h]));
        }
        Proto::Ipv6 => {
            if payload.len() > 0xffff && !l.given(ipv6::PLEN) {
                return Err(too_long(l.pos, "the IPv6 payload", payload.len()));
            }
            out = Vec::with_capacity(40 + payload.len());
            let first =
                l.int_or(ipv6::VERSION, 6) << 28 | l.int_or(ipv6::TC, 0) << 20 | l.int_or(ipv6::FL, 0);
            out.extend_from_slice(&(first as u32).to_be_bytes());
            out.extend_from_slice(&(l.int_or(ipv6::PLEN, payload.len() as u64) as u16).to_be_bytes());
            out.push(l.int(ipv6::NH).or(ip_proto_of(upper, true)).unwrap_or(59) as u8);
            out.push(l.int_or(ipv6::HLIM, 64) as u8);
            out.extend_from_slice(&l.v6(ipv6::SRC).octets());
            out.extend_from_slice(&l.v6(ipv6::DST).octets());
        }
        Proto::Tcp => {
            let mut opts = match l.get(tcp::OPTIONS) {
                Some(Val::Options(o)) => o.clone(),
                _ => Vec::new(),
            };
            opts.resize(opts.len().div_ceil(4) * 4, 0);
            let header = 20 + opts.len();
            out = Vec::with_capacity(header + payload.len());
            let (sport, dport) = tcp_default_ports(layers, i);
            out.extend_from_slice(&(l.int_or(tcp::SPORT, sport) as u16).to_be_bytes());
            out.extend_from_slice(&(l.int_or(tcp::DPORT, dport) as u16).to_be_bytes());
            out.extend_from_slice(&(l.int_or(tcp::SEQ, 0) as u32).to_be_bytes());
            out.extend_from_slice(&(l.int_or(tcp::ACK, 0) as u32).to_be_bytes());
            let off = l.int_or(tcp::DATAOFS, header as u64 / 4) << 12
                | l.int_or(tcp::RESERVED, 0) << 9
                | l.int_or(tcp::FLAGS, 2);
            out.extend_from_slice(&(off as u16).to_be_bytes());
            out.extend_from_slice(&(l.int_or(tcp::WINDOW, 8192) as u16).to_be_bytes());
            out.extend_from_slice(&[0, 0]);
            out.extend_from_slice(&(l.int_or(tcp::URGPTR, 0) as u16).to_be_bytes());
            out.extend_from_slice(&opts);
            out.extend_from_slice(&payload);
            let pseudo = pseudo_header(layers, i, ip_proto::TCP, out.len());
            put_checksum(&mut out, 16, l.int(tcp::CHKSUM), |s| pseudo.map_or(0, |p| checksum(&[&p, s])));
            return Ok(out);
        }
        Proto::Udp => {
            let total = 8 + payload.len();
            if total > 0xffff && !l.given(udp::LEN) {
                return Err(too_long(l.pos, "the UDP datagram", total));
            }
            out = Vec::with_capacity(total);
            // Scapy binds DNS to UDP port 53 both ways, which is also UDP's own default.
            out.extend_from_slice(&(l.int_or(udp::SPORT, 53) as u16).to_be_bytes());
            out.extend_from_slice(&(l.int_or(udp::DPORT, 53) as u16).to_be_bytes());
            out.extend_from_slice(&(l.int_or(udp::LEN, total as u64) as u16).to_be_bytes());
            out.extend_from_slice(&[0, 0]);
            out.extend_from_slice(&payload);
            let pseudo = pseudo_header(layers, i, ip_proto::UDP, out.len());
            put_checksum(&mut out, 6, l.int(udp::CHKSUM), |s| match pseudo {
                Some(p) => match checksum(&[&p, s]) {
                    0 => 0xffff,
                    c => c,
                },
                None => 0,
            });
            return Ok(out);
        }
        Proto::Icmp => {
            out = vec![l.int_or(icmp::TYPE, 8) as u8, l.int_or(icmp::CODE, 0) as u8, 0, 0];
            out.extend_from_slice(&icmp_body(l)?);
            out.extend_from_slice(&payload);
            put_checksum(&mut out, 2, l.int(icmp::CHKSUM), |m| checksum(&[m]));
            return Ok(out);
        }
        p if p.is_icmpv6() => {
            let default_type = icmpv6_default_type(p);
            out = vec![l.int_or(icmpv6::TYPE, default_type) as u8, l.int_or(icmpv6::CODE, 0) as u8, 0, 0];
            match p {
                Proto::Icmpv6EchoRequest | Proto::Icmpv6EchoReply => {
                    out.extend_from_slice(&(l.int_or(icmpv6::ID, 0) as u16).to_be_bytes());
                    out.extend_from_slice(&(l.int_or(icmpv6::SEQ, 0) as u16).to_be_bytes());
                    out.extend_from_slice(l.bytes(icmpv6::DATA));
                }
                Proto::NdRs => out.extend_from_slice(&(l.int_or(nd_rs::RES, 0) as u32).to_be_bytes()),
                Proto::NdNs => {
                    out.extend_from_slice(&(l.int_or(nd_ns::RES, 0) as u32).to_be_bytes());
                    out.extend_from_slice(&l.v6(nd_ns::TGT).octets());
                }
                Proto::NdNa => {
                    let w = l.int_or(nd_na::R, 1) << 31
                        | l.int_or(nd_na::S, 0) << 30
                        | l.int_or(nd_na::O, 1) << 29
                        | l.int_or(nd_na::RES, 0);
                    out.extend_from_slice(&(w as u32).to_be_bytes());
                    out.extend_from_slice(&l.v6(nd_na::TGT).octets());
                }
                _ => {
                    out.push(l.int_or(nd_ra::CHLIM, 0) as u8);
                    let bits = l.int_or(nd_ra::M, 0) << 7
                        | l.int_or(nd_ra::O, 0) << 6
                        | l.int_or(nd_ra::H, 0) << 5
                        | l.int_or(nd_ra::PRF, 1) << 3
                        | l.int_or(nd_ra::P, 0) << 2
                        | l.int_or(nd_ra::RES, 0);
                    out.push(bits as u8);
                    out.extend_from_slice(&(l.int_or(nd_ra::ROUTERLIFETIME, 1800) as u16).to_be_bytes());
                    out.extend_from_slice(&(l.int_or(nd_ra::REACHABLETIME, 0) as u32).to_be_bytes());
                    out.extend_from_slice(&(l.int_or(nd_ra::RETRANSTIMER, 0) as u32).to_be_bytes());
                }
            }
            out.extend_from_slice(&payload);
            let pseudo = pseudo_header(layers, i, ip_proto::ICMPV6, out.len());
            put_checksum(&mut out, 2, l.int(icmpv6::CKSUM), |m| pseudo.map_or(0, |p| checksum(&[&p, m])));
            return Ok(out);
        }
        Proto::NdOptSrcLLAddr | Proto::NdOptDstLLAddr => {
            let t = if l.proto() == Proto::NdOptSrcLLAddr { 1 } else { 2 };
            out = vec![l.int_or(nd_opt::TYPE, t) as u8, l.int_or(nd_opt::LEN, 1) as u8];
            out.extend_from_slice(&l.mac(nd_opt::LLADDR));
        }
        Proto::Dns => {
            let over_tcp = i > 0 && layers[i - 1].proto() == Proto::Tcp;
            out = dns_message(l, over_tcp)?;
        }
        Proto::Raw => {
            out = if l.given(raw::HEX) { l.bytes(raw::HEX).to_vec() } else { l.bytes(raw::LOAD).to_vec() };
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
        Some(l) if l.proto() == Proto::Ip => (Some(l.v4(ip::SRC).into()), Some(l.v4(ip::DST).into())),
        Some(l) => (Some(l.v6(ipv6::SRC).into()), Some(l.v6(ipv6::DST).into())),
        None => (None, None),
    };
    let above_at = ip.map_or(layers.len(), |i| i + 1);
    let above = &layers[above_at.min(layers.len())..];
    let kind = if let Some(a) = layers.iter().find(|l| l.proto() == Proto::Arp).filter(|_| ip.is_none()) {
        ProbeKind::Arp { op: a.int_or(arp::OP, 1) as u16, psrc: a.v4(arp::PSRC), pdst: a.v4(arp::PDST) }
    } else if let Some(t) = above.first() {
        let next = above.get(1);
        match t.proto() {
            Proto::Tcp => ProbeKind::Tcp {
                sport: t.int_or(tcp::SPORT, tcp_default_ports(layers, above_at).0) as u16,
                dport: t.int_or(tcp::DPORT, tcp_default_ports(layers, above_at).1) as u16,
                seq: t.int_or(tcp::SEQ, 0) as u32,
                ack: t.int_or(tcp::ACK, 0) as u32,
                flags: t.int_or(tcp::FLAGS, 2) as u16,
                payload_len: tcp_payload.iter().find(|(i, _)| *i == above_at).map_or(0, |(_, n)| *n as u32),
            },
            Proto::Udp => ProbeKind::Udp {
                sport: t.int_or(udp::SPORT, 53) as u16,
                dport: t.int_or(udp::DPORT, 53) as u16,
                dns_id: next.filter(|n| n.proto() == Proto::Dns).map(|n| n.int_or(dns::ID, 0) as u16),
            },
            Proto::Icmp => {
                let ty = t.int_or(icmp::TYPE, 8);
                let echo = icmp_fields(ty).contains(&icmp::ID);
                ProbeKind::Icmp {
                    icmp_type: ty as u8,
                    code: t.int_or(icmp::CODE, 0) as u8,
                    id: echo.then(|| t.int_or(icmp::ID, 0) as u16),
                    seq: echo.then(|| t.int_or(icmp::SEQ, 0) as u16),
                }
            }
            p if p.is_icmpv6() => {
                let echo = matches!(p, Proto::Icmpv6EchoRequest | Proto::Icmpv6EchoReply);
                let default_type = icmpv6_default_type(p);
                ProbeKind::Icmpv6 {
                    icmp_type: t.int_or(icmpv6::TYPE, default_type) as u8,
                    code: t.int_or(icmpv6::CODE, 0) as u8,
                    id: echo.then(|| t.int_or(icmpv6::ID, 0) as u16),
                    seq: echo.then(|| t.int_or(icmpv6::SEQ, 0) as u16),
                    target: match p {
                        Proto::NdNs => Some(t.v6(nd_ns::TGT)),
                        Proto::NdNa => Some(t.v6(nd_na::TGT)),
                        _ => None,
                    },
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
        let names = |t| icmp_fields(t).iter().map(|f| f.name).collect::<Vec<_>>();
        assert_eq!(names(8), ["id", "seq"]);
        assert_eq!(names(3), ["reserved", "length", "nexthopmtu"]);
        assert_eq!(names(9), ["unused"]);
    }
}
