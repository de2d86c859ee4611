//! Scapy-style packet crafting: `IP(dst=10.0.0.2,ttl=5)/TCP(dport=80,flags=S)` to bytes.
//!
//! A spec is parsed once ([`Spec::parse`]); fields given as lists `[a,b]`, ranges `(lo,hi)`
//! or networks `10.0.0.0/30` fan out to several packets in Scapy's order ([`Spec::packets`]).
//! Unset fields take Scapy's defaults; lengths and checksums are computed unless given.
//! Defaults that depend on the machine (source addresses, MACs) come from an
//! [`Environment`]: [`System`] or [`Offline`]. The grammar and defaults are in `docs/craft.md`.
//!
//! ```
//! use pktkit::craft::{craft, Offline};
//! let pkts = craft("IP(src=10.0.0.1,dst=10.0.0.2,ttl=5)/TCP(dport=[80,443],flags=S)", &Offline).unwrap();
//! assert_eq!(pkts.len(), 2);
//! assert_eq!(pkts[1].bytes[8], 5); // TTL
//! ```

mod build;
mod env;
mod error;
mod fields;
mod parse;
mod tcp_options;
mod values;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

pub use env::{Environment, Mac, Offline, Route, System};
pub use error::CraftError;
pub use fields::layer_names;
pub use values::{TCP_FLAG_LETTERS, parse_mac, tcp_flag_letters};
// For Scapy's views of a packet (render::scapy): the same field tables.
pub(crate) use build::{icmp_fields, millis_since_midnight_utc};
pub(crate) use fields::{FieldDef, FieldKind, LAYERS, LayerDef};

use crate::capture::LinkType;
use build::Inst;
use fields::Proto;
use values::{SpecLayer, Val};

/// Bytes as hex digits (an optional `0x`, `:` and spaces between them ignored), as
/// `Raw(load=...)` takes them; `None` for an odd count or a character that is not a digit.
pub fn parse_hex(t: &str) -> Option<Vec<u8>> {
    values::hex(t)
}

/// Most packets [`craft`] collects in memory; iterate [`Spec::packets`] for more.
pub const MAX_PACKETS: u128 = 65_536;

/// Where a crafted packet's bytes start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StartLayer {
    /// An Ethernet frame (send on a packet socket, write as link type ETHERNET).
    Link,
    /// An IPv4 or IPv6 packet (send on a raw IP socket, write as link type RAW).
    Network,
}

impl StartLayer {
    /// The pcap link type for packets that start here.
    pub fn linktype(self) -> LinkType {
        match self {
            StartLayer::Link => LinkType::ETHERNET,
            StartLayer::Network => LinkType::RAW,
        }
    }
}

/// What a reply to a packet would have to match: its first IP layer's addresses and the
/// protocol fields right above it (or the ARP request when there is no IP layer).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Probe {
    /// Source address of the first IP/IPv6 layer.
    pub src: Option<IpAddr>,
    /// Destination address of the first IP/IPv6 layer.
    pub dst: Option<IpAddr>,
    /// The protocol above that layer.
    pub kind: ProbeKind,
}

/// The protocol-specific part of a [`Probe`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ProbeKind {
    /// TCP segment.
    Tcp {
        /// Source port.
        sport: u16,
        /// Destination port.
        dport: u16,
        /// Sequence number.
        seq: u32,
        /// Acknowledgement number.
        ack: u32,
        /// Flags (9 bits, FSRPAUECN from bit 0).
        flags: u16,
        /// Bytes after the TCP header (Scapy's `len(payload)`, used to check the answer's ack).
        payload_len: u32,
    },
    /// UDP datagram.
    Udp {
        /// Source port.
        sport: u16,
        /// Destination port.
        dport: u16,
        /// The DNS message id, when DNS is right above.
        dns_id: Option<u16>,
    },
    /// ICMPv4 message.
    Icmp {
        /// Type.
        icmp_type: u8,
        /// Code.
        code: u8,
        /// Identifier, for types that have one (echo, timestamp, ...).
        id: Option<u16>,
        /// Sequence number, for types that have one.
        seq: Option<u16>,
    },
    /// ICMPv6 message.
    Icmpv6 {
        /// Type.
        icmp_type: u8,
        /// Code.
        code: u8,
        /// Echo identifier.
        id: Option<u16>,
        /// Echo sequence number.
        seq: Option<u16>,
        /// Neighbour solicitation/advertisement target.
        target: Option<Ipv6Addr>,
    },
    /// ARP message (no IP layer).
    Arp {
        /// Operation (1 who-has, 2 is-at).
        op: u16,
        /// Sender protocol address.
        psrc: Ipv4Addr,
        /// Target protocol address.
        pdst: Ipv4Addr,
    },
    /// Anything else (IP with a raw payload, Ethernet alone, ...).
    Other,
}

/// One crafted packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CraftedPacket {
    /// The packet's bytes.
    pub bytes: Vec<u8>,
    /// Whether the bytes start with Ethernet or with IP.
    pub start: StartLayer,
    /// Destination of the first IP/IPv6 layer (where a layer-3 send goes).
    pub dst: Option<IpAddr>,
    /// Outgoing interface from the routing table, when the environment knows it.
    pub interface: Option<String>,
    /// Fields a reply would be matched on.
    pub probe: Probe,
}

/// A parsed spec.
#[derive(Debug, Clone)]
pub struct Spec {
    layers: Vec<SpecLayer>,
    /// (layer, field) of every field that fans out, slowest-varying first.
    axes: Vec<(usize, usize)>,
    count: u128,
}

impl Spec {
    /// Parses a spec such as `Ether()/IP(dst=10.0.0.2)/ICMP(seq=(1,5))`.
    pub fn parse(spec: &str) -> Result<Spec, CraftError> {
        let parsed = parse::parse(spec)?;
        let mut layers = parsed.iter().map(values::interpret).collect::<Result<Vec<_>, _>>()?;
        match layers[0].def.proto {
            Proto::Ether | Proto::Ip | Proto::Ipv6 => {}
            // Scapy's send() of an ARP or 802.1Q packet needs Ethernet under it: add it.
            Proto::Arp | Proto::Dot1Q => {
                let ether = &fields::ETHER;
                layers.insert(0, SpecLayer { def: ether, pos: layers[0].pos, fields: Vec::new() });
            }
            _ => {
                return Err(CraftError::invalid(
                    layers[0].pos,
                    format!(
                        "a packet starts with Ether, IP or IPv6 (or ARP/Dot1Q), not {}",
                        layers[0].def.name
                    ),
                ));
            }
        }
        // Scapy's Packet.__iter__: outer layers vary slowest; inside a layer, the field that
        // comes last in the header varies slowest.
        let mut axes = Vec::new();
        for (li, l) in layers.iter().enumerate() {
            for (fi, f) in l.fields.iter().enumerate().rev() {
                if f.choices.len() > 1 {
                    axes.push((li, fi));
                }
            }
        }
        let count = axes.iter().fold(1u128, |n, &(l, f)| n.saturating_mul(layers[l].fields[f].choices.len()));
        Ok(Spec { layers, axes, count })
    }

    /// How many packets the spec makes (saturating at `u128::MAX`).
    pub fn count(&self) -> u128 {
        self.count
    }

    /// Where the spec's packets start (Ethernet, or IP/IPv6).
    pub fn start(&self) -> StartLayer {
        if self.layers[0].def.proto == Proto::Ether { StartLayer::Link } else { StartLayer::Network }
    }

    /// The packets in Scapy's order. Host names are resolved here, once, through `env`.
    pub fn packets<'a>(&self, env: &'a dyn Environment) -> Result<Packets<'a>, CraftError> {
        let mut layers = self.layers.clone();
        for l in &mut layers {
            for f in &mut l.fields {
                f.choices.try_map(&mut |v| {
                    if let Val::Host { name, v6, pos } = v {
                        let addr = env.lookup_host(name, *v6).map_err(|e| CraftError::Unresolved {
                            pos: *pos,
                            name: name.clone(),
                            detail: format!(": {e}"),
                        })?;
                        *v = match addr {
                            IpAddr::V4(a) => Val::V4(a),
                            IpAddr::V6(a) => Val::V6(a),
                        };
                    }
                    Ok(())
                })?;
            }
        }
        Ok(Packets { layers, axes: self.axes.clone(), count: self.count, next: 0, env: env::Memo::new(env) })
    }
}

/// Iterator over a spec's packets; it stops after the first error.
pub struct Packets<'a> {
    layers: Vec<SpecLayer>,
    axes: Vec<(usize, usize)>,
    count: u128,
    next: u128,
    env: env::Memo<'a>,
}

impl Packets<'_> {
    fn instance(&self, mut index: u128) -> Vec<Inst> {
        let mut picks = vec![0u128; self.axes.len()];
        for (k, &(l, f)) in self.axes.iter().enumerate().rev() {
            let n = self.layers[l].fields[f].choices.len();
            picks[k] = index % n;
            index /= n;
        }
        let mut insts: Vec<Inst> = self.layers.iter().map(|l| Inst::new(l.def, l.pos)).collect();
        for (li, l) in self.layers.iter().enumerate() {
            for (fi, f) in l.fields.iter().enumerate() {
                let pick = self.axes.iter().position(|a| *a == (li, fi)).map_or(0, |k| picks[k]);
                insts[li].vals[f.index] = Some(f.choices.get(pick));
                insts[li].field_pos[f.index] = f.pos;
            }
        }
        insts
    }
}

impl Iterator for Packets<'_> {
    type Item = Result<CraftedPacket, CraftError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.next >= self.count {
            return None;
        }
        let insts = self.instance(self.next);
        self.next += 1;
        let result = build::build(insts, &self.env);
        if result.is_err() {
            self.next = self.count;
        }
        Some(result)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.count - self.next;
        (usize::try_from(left).unwrap_or(usize::MAX), usize::try_from(left).ok())
    }
}

/// Parses `spec` and builds all its packets (at most [`MAX_PACKETS`]).
pub fn craft(spec: &str, env: &dyn Environment) -> Result<Vec<CraftedPacket>, CraftError> {
    let spec = Spec::parse(spec)?;
    if spec.count() > MAX_PACKETS {
        return Err(CraftError::TooMany { count: spec.count(), limit: MAX_PACKETS });
    }
    spec.packets(env)?.collect()
}

#[cfg(test)]
mod tests;
