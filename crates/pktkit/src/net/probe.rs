//! Probes: the packets tracert (and synscan) send, crafted once as a template and patched in
//! place per probe (TTL, ports, ids; checksums updated incrementally by [`crate::rewrite`]).
//!
//! A probe's number ([`ProbeId`]) travels in a field that its answers show back: the
//! destination or source port, the ICMP sequence, the TCP sequence, the UDP checksum or the
//! IPv4 identification, depending on the [`Flow`]. [`ProbeKey`] is what a reply is looked up
//! by: computed once from the probe when it is sent, and once from each received packet.

use std::net::IpAddr;

use crate::capture::LinkType;
use crate::craft::{CraftError, Offline, craft};
use crate::rewrite::{Field, Layout, Value};

/// An IPv4 time to live or IPv6 hop limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ttl(pub u8);

/// A probe's number in a run (it wraps after 65,536 probes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProbeId(pub u16);

pub use crate::proto::ip_proto;

/// The kind of packet a probe is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// A UDP datagram.
    Udp,
    /// An ICMP or ICMPv6 echo request.
    Icmp,
    /// A TCP SYN.
    Tcp,
}

impl Protocol {
    /// The IP protocol number for an IPv4 (`v6` false) or IPv6 packet.
    pub fn number(self, v6: bool) -> u8 {
        match self {
            Protocol::Udp => ip_proto::UDP,
            Protocol::Tcp => ip_proto::TCP,
            Protocol::Icmp if v6 => ip_proto::ICMPV6,
            Protocol::Icmp => ip_proto::ICMP,
        }
    }

    /// Lower-case name ("udp", "icmp", "tcp").
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Udp => "udp",
            Protocol::Icmp => "icmp",
            Protocol::Tcp => "tcp",
        }
    }
}

/// Which fields vary from probe to probe, which is what load balancers see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flow {
    /// traceroute's: the UDP destination port, the ICMP sequence or the TCP source port grows
    /// per probe, so each probe may take another path through a load balancer.
    Classic,
    /// Paris traceroute's: the fields load balancers hash stay the same for the whole trace.
    /// The id is carried in the UDP checksum (by two payload bytes), in the ICMP sequence with
    /// the identifier changed the opposite way (so the checksum stays), or in the TCP sequence.
    Paris,
    /// Dublin traceroute's, for UDP: ports fixed, the id in the IPv4 identification (over IPv6,
    /// which has none, in the checksum as Paris). ICMP and TCP probes go as classic.
    Dublin,
}

impl Flow {
    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Flow::Classic => "classic",
            Flow::Paris => "paris",
            Flow::Dublin => "dublin",
        }
    }
}

/// The transport fields of a probe that its answers show back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    /// UDP ports and checksum (`None` where unknown, e.g. not quoted).
    Udp {
        /// Source port.
        sport: u16,
        /// Destination port.
        dport: u16,
        /// Checksum.
        checksum: Option<u16>,
    },
    /// TCP ports and sequence number (`None` where unknown).
    Tcp {
        /// Source port.
        sport: u16,
        /// Destination port.
        dport: u16,
        /// Sequence number of the probe.
        seq: Option<u32>,
    },
    /// ICMP or ICMPv6 echo identifier and sequence.
    Echo {
        /// Identifier.
        ident: u16,
        /// Sequence number.
        seq: u16,
    },
}

/// The header fields of a probe: from the probe as sent, from the copy that an ICMP error
/// quotes, or mirrored from a direct answer (echo reply, SYN-ACK, RST).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProbeFields {
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// IPv4 identification (`None` for IPv6 or when unknown).
    pub ip_id: Option<u16>,
    /// Transport fields.
    pub transport: Transport,
}

/// What a reply is looked up by: the destination, the protocol, and the fields that tell the
/// probes of one run apart under its [`Flow`]. Equal keys mean the same probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProbeKey {
    /// The probe's destination.
    pub dst: IpAddr,
    /// Transport fields: ports or echo ident/sequence.
    pub ports: (u16, u16),
    /// The flow's extra id field (checksum, TCP sequence or IPv4 id), 0 when unused.
    pub tag: u32,
}

impl ProbeKey {
    /// The key of `fields` under `flow`; `None` when a field the flow needs is unknown.
    pub fn of(fields: &ProbeFields, flow: Flow) -> Option<ProbeKey> {
        let (ports, tag) = match (fields.transport, flow) {
            (Transport::Udp { sport, dport, .. }, Flow::Classic) => ((sport, dport), 0),
            (Transport::Udp { sport, dport, checksum }, Flow::Paris) => {
                ((sport, dport), u32::from(checksum?))
            }
            (Transport::Udp { sport, dport, checksum }, Flow::Dublin) => match fields.ip_id {
                Some(id) => ((sport, dport), u32::from(id)),
                None => ((sport, dport), u32::from(checksum?)),
            },
            (Transport::Tcp { sport, dport, .. }, Flow::Classic) => ((sport, dport), 0),
            (Transport::Tcp { sport, dport, seq }, _) => ((sport, dport), seq?),
            (Transport::Echo { ident, seq }, _) => ((ident, seq), 0),
        };
        Some(ProbeKey { dst: fields.dst, ports, tag })
    }
}

/// traceroute's UDP payload: 32 bytes from `@` (0x40) on.
const PAYLOAD: [u8; 32] = {
    let mut p = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        p[i] = 0x40 + i as u8;
        i += 1;
    }
    p
};

/// Offset in the UDP or ICMP payload of the word Paris steering changes.
const STEER_WORD: usize = 8;

/// The first port of traceroute's default UDP probes.
pub const TRACEROUTE_PORT: u16 = 33434;

/// How probes of one run are built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeSpec {
    /// Packet kind.
    pub protocol: Protocol,
    /// Flow strategy.
    pub flow: Flow,
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// Source port (UDP, TCP) or ICMP identifier: the first one; classic TCP adds the id.
    pub sport: u16,
    /// Destination port (UDP, TCP): the first one; classic UDP adds the id when `port_grows`.
    pub dport: u16,
    /// Classic UDP: the destination port grows by one per probe from `dport` (traceroute's
    /// default); otherwise it stays and the source port grows instead (traceroute's -U).
    pub port_grows: bool,
    /// Bytes of the whole IP packet (at least the headers; traceroute's default 60 / 80).
    pub packet_len: usize,
    /// Set IPv4's don't-fragment flag (path MTU discovery; IPv6 never fragments on the way).
    pub dont_fragment: bool,
}

impl ProbeSpec {
    /// Bytes of the IP and transport headers: the least `packet_len`.
    pub fn header_len(&self) -> usize {
        header_len(self.protocol, self.dst.is_ipv6())
    }
}

/// A probe ready to send.
#[derive(Debug, Clone)]
pub struct BuiltProbe {
    /// The IP packet.
    pub bytes: Vec<u8>,
    /// Its fields, as a reply shows them.
    pub fields: ProbeFields,
    /// Its lookup key.
    pub key: ProbeKey,
}

/// A crafted packet patched per probe.
#[derive(Debug, Clone)]
pub struct Template {
    spec: ProbeSpec,
    bytes: Vec<u8>,
    layout: Layout,
}

fn header_len(protocol: Protocol, v6: bool) -> usize {
    let ip = if v6 { 40 } else { 20 };
    ip + match protocol {
        Protocol::Udp | Protocol::Icmp => 8,
        Protocol::Tcp => 40,
    }
}

impl Template {
    /// Crafts the template for `spec`.
    pub fn new(spec: ProbeSpec) -> Result<Template, CraftError> {
        let v6 = spec.dst.is_ipv6();
        let payload_len = spec.packet_len.saturating_sub(header_len(spec.protocol, v6));
        let payload: Vec<u8> = PAYLOAD.iter().copied().cycle().take(payload_len).collect();
        let mut hex = Vec::with_capacity(2 * payload_len);
        crate::render::out::hex_bytes(&mut hex, &payload);
        let payload = String::from_utf8(hex).expect("hex digits are ASCII");
        let raw = if payload.is_empty() { String::new() } else { format!("/Raw(hex={payload})") };
        let ip = if v6 {
            format!("IPv6(src={},dst={},hlim=1)", spec.src, spec.dst)
        } else {
            let flags = if spec.dont_fragment { ",flags=DF" } else { "" };
            format!("IP(src={},dst={},ttl=1,id=0{flags})", spec.src, spec.dst)
        };
        let l4 = match spec.protocol {
            Protocol::Udp => format!("UDP(sport={},dport={})", spec.sport, spec.dport),
            Protocol::Icmp if v6 => format!("ICMPv6EchoRequest(id={},seq=0)", spec.sport),
            Protocol::Icmp => format!("ICMP(type=8,id={},seq=0)", spec.sport),
            // traceroute -T's SYN options: MSS, SACK permitted, timestamp, window scale.
            Protocol::Tcp => format!(
                "TCP(sport={},dport={},flags=S,seq=0,window=5840,options=[MSS=1460,SAckOK,Timestamp=(0,0),NOP,WScale=2])",
                spec.sport, spec.dport
            ),
        };
        let packet = craft(&format!("{ip}/{l4}{raw}"), &Offline)?.remove(0);
        let layout = Layout::parse(LinkType::RAW, &packet.bytes);
        Ok(Template { spec, bytes: packet.bytes, layout })
    }

    /// The same probes at another packet length.
    pub fn resized(&self, packet_len: usize) -> Result<Template, CraftError> {
        Template::new(ProbeSpec { packet_len, ..self.spec.clone() })
    }

    /// The spec the template was made from.
    pub fn spec(&self) -> &ProbeSpec {
        &self.spec
    }

    /// The probe with number `id` at `ttl`.
    pub fn build(&self, ttl: Ttl, id: ProbeId) -> BuiltProbe {
        let mut bytes = self.bytes.clone();
        let (fields, key) = self.patch(&mut bytes, ttl, id);
        BuiltProbe { bytes, fields, key }
    }

    /// Patches `bytes` (a copy of the template) into probe `id` at `ttl`.
    fn patch(&self, bytes: &mut [u8], ttl: Ttl, id: ProbeId) -> (ProbeFields, ProbeKey) {
        let s = &self.spec;
        let v6 = s.dst.is_ipv6();
        let l = &self.layout;
        let num = |v: u16| Value::Num(u64::from(v));
        // Every field below exists in the template, and every value fits: a failure is a bug.
        let set = |b: &mut [u8], f: Field, v: Value| l.set(b, f, v).expect("template field");
        if v6 {
            set(bytes, Field::Ipv6HopLimit, Value::Num(u64::from(ttl.0)));
        } else {
            set(bytes, Field::Ipv4Ttl, Value::Num(u64::from(ttl.0)));
            set(bytes, Field::Ipv4Id, num(id.0));
        }
        let transport = match (s.protocol, s.flow) {
            (Protocol::Udp, flow) => {
                // Classic: the destination port grows per probe (traceroute's default), or, to
                // one fixed port (-U), the source port does, as traceroute's socket per probe.
                let (sport, dport) = match (flow, s.port_grows) {
                    (Flow::Classic, true) => (s.sport, s.dport.wrapping_add(id.0.wrapping_sub(1))),
                    (Flow::Classic, false) => (s.sport.wrapping_add(id.0), s.dport),
                    _ => (s.sport, s.dport),
                };
                set(bytes, Field::UdpSrcPort, num(sport));
                set(bytes, Field::UdpDstPort, num(dport));
                // IPv6 has no identification: Dublin carries the id in the checksum there.
                let checksum = if flow == Flow::Paris || (flow == Flow::Dublin && v6) {
                    // Ids from 1: a UDP checksum of 0 means "none".
                    let target = id.0.max(1);
                    l.steer_checksum(bytes, 8 + STEER_WORD, target).expect("template payload");
                    target
                } else {
                    l.get(bytes, Field::UdpChecksum)
                        .and_then(|v| if let Value::Num(n) = v { Some(n as u16) } else { None })
                        .unwrap_or(0)
                };
                Transport::Udp { sport, dport, checksum: Some(checksum) }
            }
            (Protocol::Icmp, Flow::Classic | Flow::Dublin) => {
                set(bytes, Field::IcmpSeq, num(id.0));
                Transport::Echo { ident: s.sport, seq: id.0 }
            }
            (Protocol::Icmp, Flow::Paris) => {
                // ident + seq stays the same (one's complement), so does the checksum.
                let ident = s.sport.wrapping_sub(id.0);
                set(bytes, Field::IcmpSeq, num(id.0));
                set(bytes, Field::IcmpId, num(ident));
                Transport::Echo { ident, seq: id.0 }
            }
            (Protocol::Tcp, Flow::Classic | Flow::Dublin) => {
                let sport = s.sport.wrapping_add(id.0);
                set(bytes, Field::TcpSrcPort, num(sport));
                Transport::Tcp { sport, dport: s.dport, seq: Some(0) }
            }
            (Protocol::Tcp, Flow::Paris) => {
                let seq = u32::from(id.0) << 16 | u32::from(id.0);
                set(bytes, Field::TcpSeq, Value::Num(u64::from(seq)));
                Transport::Tcp { sport: s.sport, dport: s.dport, seq: Some(seq) }
            }
        };
        let fields = ProbeFields { src: s.src, dst: s.dst, ip_id: (!v6).then_some(id.0), transport };
        let key = ProbeKey::of(&fields, s.flow).expect("a sent probe knows every field");
        (fields, key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{DecodeOptions, decode};

    fn spec(protocol: Protocol, flow: Flow, dst: &str) -> ProbeSpec {
        let dst: IpAddr = dst.parse().unwrap();
        let src: IpAddr =
            if dst.is_ipv6() { "fd00:1::2".parse().unwrap() } else { "10.0.1.2".parse().unwrap() };
        let packet_len = if dst.is_ipv6() { 80 } else { 60 };
        let dport = if protocol == Protocol::Tcp { 80 } else { TRACEROUTE_PORT };
        ProbeSpec {
            protocol,
            flow,
            src,
            dst,
            sport: 40000,
            dport,
            port_grows: true,
            packet_len,
            dont_fragment: false,
        }
    }

    /// The bytes decode cleanly with valid checksums, TTL and length as asked.
    fn check_valid(p: &BuiltProbe, ttl: u8, len: usize) {
        assert_eq!(p.bytes.len(), len);
        let d = decode(LinkType::RAW, &p.bytes, p.bytes.len() as u32, &DecodeOptions::default());
        assert!(d.stop.is_none(), "{:?}", d.stop);
        let layout = Layout::parse(LinkType::RAW, &p.bytes);
        let hop = layout.get(&p.bytes, Field::Ipv4Ttl).or(layout.get(&p.bytes, Field::Ipv6HopLimit));
        assert_eq!(hop, Some(Value::Num(u64::from(ttl))));
        // A fresh craft of the same bytes with checksums recomputed gives the same bytes.
        let mut zeroed = p.bytes.clone();
        let ck = match layout.transport.unwrap() {
            (t, 6) => t + 16,
            (t, 17) => t + 6,
            (t, _) => t + 2,
        };
        zeroed[ck] = 0;
        zeroed[ck + 1] = 0;
        let (t, proto) = layout.transport.unwrap();
        let mut pseudo = Vec::new();
        match p.fields.src {
            IpAddr::V4(a) => {
                pseudo.extend(a.octets());
                pseudo.extend(match p.fields.dst {
                    IpAddr::V4(d) => d.octets(),
                    _ => unreachable!(),
                });
                pseudo.extend([0, proto]);
                pseudo.extend(((p.bytes.len() - t) as u16).to_be_bytes());
            }
            IpAddr::V6(a) => {
                pseudo.extend(a.octets());
                pseudo.extend(match p.fields.dst {
                    IpAddr::V6(d) => d.octets(),
                    _ => unreachable!(),
                });
                pseudo.extend(((p.bytes.len() - t) as u32).to_be_bytes());
                pseudo.extend([0, 0, 0, proto]);
            }
        }
        if proto == ip_proto::ICMP {
            pseudo.clear();
        }
        let want = crate::checksum::checksum(&[&pseudo, &zeroed[t..]]);
        let got = u16::from_be_bytes([p.bytes[ck], p.bytes[ck + 1]]);
        assert!(got == want || (want == 0 && got == 0xffff), "checksum {got:#x} want {want:#x}");
    }

    #[test]
    fn every_kind_and_flow_builds_valid_probes() {
        for protocol in [Protocol::Udp, Protocol::Icmp, Protocol::Tcp] {
            for flow in [Flow::Classic, Flow::Paris, Flow::Dublin] {
                for dst in ["10.0.3.2", "fd00:3::2"] {
                    let t = Template::new(spec(protocol, flow, dst)).unwrap();
                    let len = if dst.contains(':') { 80 } else { 60 };
                    let mut keys = std::collections::HashSet::new();
                    for (i, id) in [1u16, 2, 3, 500, 65535].into_iter().enumerate() {
                        let p = t.build(Ttl(i as u8 + 1), ProbeId(id));
                        check_valid(&p, i as u8 + 1, len);
                        assert!(keys.insert(p.key), "{protocol:?} {flow:?} {dst}: key repeats");
                    }
                }
            }
        }
    }

    /// The fields an ECMP hash sees: addresses, protocol, ports (or ICMP type/code/checksum).
    fn hashed(p: &BuiltProbe) -> (ProbeFields, [u8; 4]) {
        let layout = Layout::parse(LinkType::RAW, &p.bytes);
        let (t, _) = layout.transport.unwrap();
        let mut f = p.fields;
        f.ip_id = None;
        let mut head = [0u8; 4];
        head.copy_from_slice(&p.bytes[t..t + 4]);
        match &mut f.transport {
            Transport::Udp { checksum, .. } => *checksum = None,
            Transport::Tcp { seq, .. } => *seq = None,
            Transport::Echo { ident, seq } => {
                *ident = 0;
                *seq = 0;
            }
        }
        (f, head)
    }

    #[test]
    fn paris_keeps_the_hashed_fields_classic_does_not() {
        for protocol in [Protocol::Udp, Protocol::Icmp, Protocol::Tcp] {
            for dst in ["10.0.3.2", "fd00:3::2"] {
                let paris = Template::new(spec(protocol, Flow::Paris, dst)).unwrap();
                let first = paris.build(Ttl(1), ProbeId(1));
                for id in 2..40 {
                    assert_eq!(
                        hashed(&paris.build(Ttl(3), ProbeId(id))),
                        hashed(&first),
                        "{protocol:?} {dst}"
                    );
                }
                let classic = Template::new(spec(protocol, Flow::Classic, dst)).unwrap();
                let a = classic.build(Ttl(1), ProbeId(1));
                let b = classic.build(Ttl(1), ProbeId(2));
                if protocol != Protocol::Icmp {
                    assert_ne!(hashed(&a).0, hashed(&b).0, "{protocol:?}: classic varies the ports");
                }
            }
        }
    }

    #[test]
    fn port_modes_and_dublin_ids() {
        let mut s = spec(Protocol::Udp, Flow::Classic, "10.0.3.2");
        let t = Template::new(s.clone()).unwrap();
        assert!(matches!(t.build(Ttl(1), ProbeId(1)).fields.transport, Transport::Udp { dport: 33434, .. }));
        assert!(matches!(t.build(Ttl(1), ProbeId(3)).fields.transport, Transport::Udp { dport: 33436, .. }));
        s.port_grows = false;
        s.dport = 53;
        let t = Template::new(s).unwrap();
        assert!(matches!(
            t.build(Ttl(1), ProbeId(2)).fields.transport,
            Transport::Udp { sport: 40002, dport: 53, .. }
        ));
        let d = Template::new(spec(Protocol::Udp, Flow::Dublin, "10.0.3.2")).unwrap();
        let p = d.build(Ttl(4), ProbeId(77));
        assert_eq!(u16::from_be_bytes([p.bytes[4], p.bytes[5]]), 77);
        assert_eq!(p.key.tag, 77);
    }
}
