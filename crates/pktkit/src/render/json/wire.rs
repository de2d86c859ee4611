//! The wire types of a `pktkit.decode/2.1` record (docs/json-schema.md): one struct per JSON
//! object, in key order, and the forms values are written in (addresses, hex, flags; the
//! time is [`TimeKeys`]). [`super::walk`] fills them, [`super::writer`] writes them.

use std::fmt;

use serde::ser::SerializeSeq;
use serde::{Serialize, Serializer};

pub(super) use super::app::AppObjects;
pub(super) use super::extra::ExtraObjects;
use crate::craft::TCP_FLAG_LETTERS;
use crate::decode::Decoded;
use crate::render::out::Ipv6Text;
use crate::render::time::TimeKeys;

/// Text built on the stack, then handed to serde as one string (no `fmt` machinery, no heap).
pub(super) struct Stack<const N: usize> {
    pub(super) buf: [u8; N],
    pub(super) len: usize,
}

impl<const N: usize> Stack<N> {
    pub(super) fn new() -> Self {
        Stack { buf: [0; N], len: 0 }
    }

    pub(super) fn push(&mut self, b: u8) {
        if self.len < N {
            self.buf[self.len] = b;
            self.len += 1;
        }
    }

    pub(super) fn push_str(&mut self, s: &[u8]) {
        for &b in s {
            self.push(b);
        }
    }

    pub(super) fn dec(&mut self, v: u64, width: usize) {
        let mut f = itoa::Buffer::new();
        let s = f.format(v).as_bytes();
        for _ in s.len()..width {
            self.push(b'0');
        }
        self.push_str(s);
    }

    pub(super) fn hex_byte(&mut self, b: u8) {
        const H: &[u8; 16] = b"0123456789abcdef";
        self.push(H[(b >> 4) as usize]);
        self.push(H[(b & 15) as usize]);
    }

    /// The text (only ASCII is ever pushed).
    pub(super) fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    pub(super) fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(std::str::from_utf8(self.bytes()).unwrap_or(""))
    }
}

pub(super) struct V4<'a>(pub(super) &'a [u8]);
impl V4<'_> {
    pub(super) fn text(&self) -> Stack<16> {
        let mut b = Stack::<16>::new();
        for (i, x) in self.0.iter().take(4).enumerate() {
            if i > 0 {
                b.push(b'.');
            }
            b.dec(*x as u64, 0);
        }
        b
    }
}
impl Serialize for V4<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.text().serialize(s)
    }
}

pub(super) struct V6<'a>(pub(super) &'a [u8]);
impl Serialize for V6<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&Ipv6Text::from_slice(self.0))
    }
}

/// A link-layer address (MAC or any length), colon-separated hex.
pub(super) struct Mac<'a>(pub(super) &'a [u8]);
impl Mac<'_> {
    pub(super) fn text(&self) -> Stack<64> {
        let mut b = Stack::<64>::new();
        for (i, x) in self.0.iter().take(21).enumerate() {
            if i > 0 {
                b.push(b':');
            }
            b.hex_byte(*x);
        }
        b
    }
}
impl Serialize for Mac<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.text().serialize(s)
    }
}

pub(super) struct Hex<'a>(pub(super) &'a [u8]);
impl fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const H: &[u8; 16] = b"0123456789abcdef";
        let mut buf = [0u8; 512];
        for chunk in self.0.chunks(256) {
            for (i, b) in chunk.iter().enumerate() {
                buf[2 * i] = H[(b >> 4) as usize];
                buf[2 * i + 1] = H[(b & 15) as usize];
            }
            f.write_str(std::str::from_utf8(&buf[..2 * chunk.len()]).map_err(|_| fmt::Error)?)?;
        }
        Ok(())
    }
}
impl Serialize for Hex<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[derive(Serialize)]
pub(super) struct Record<'a> {
    pub(super) schema: &'static str,
    pub(super) number: u64,
    #[serde(flatten)]
    pub(super) time: TimeKeys,
    pub(super) caplen: usize,
    pub(super) wire_len: u32,
    pub(super) interface: u32,
    pub(super) linktype: u16,
    #[serde(flatten)]
    pub(super) layers: LayersJ<'a>,
    #[serde(skip_serializing_if = "Inner::is_empty")]
    pub(super) inner: Inner<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) app: Option<AppJ>,
    #[serde(flatten)]
    pub(super) apps: AppObjects<'a>,
    /// Borrowed from the writer's stack: most records have none, and the struct is large.
    #[serde(flatten)]
    pub(super) extra: Option<&'a ExtraObjects<'a>>,
    pub(super) payload_caplen: usize,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub(super) snapped: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) reassembled: Option<Reassembled>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) stop: Option<StopJ>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) raw: Option<RawJ<'a>>,
}

/// The layers of one packet (the frame's own, or a tunnelled packet's).
#[derive(Serialize, Default)]
pub(super) struct LayersJ<'a> {
    #[serde(flatten)]
    pub(super) flow: FlowJ<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) eth: Option<Eth<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) sll: Option<SllJ<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) null: Option<NullJ>,
    #[serde(skip_serializing_if = "<[VlanJ]>::is_empty")]
    pub(super) vlan: &'a [VlanJ],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) arp: Option<ArpJ<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) ipv4: Option<Ipv4J<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) ipv6: Option<Ipv6J<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) tcp: Option<TcpJ>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) udp: Option<UdpJ>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) icmp: Option<IcmpJ<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) icmpv6: Option<IcmpJ<'a>>,
}

/// The flow view of a packet: addresses, transport and ports in one place, whatever the IP
/// version (the same values as in its `ipv4`/`ipv6` and `tcp`/`udp` objects).
#[derive(Serialize, Default)]
pub(super) struct FlowJ<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) src: Option<IpJ<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) dst: Option<IpJ<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) transport: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) src_port: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) dst_port: Option<u16>,
}

/// An IPv4 or IPv6 address.
pub(super) enum IpJ<'a> {
    V4(V4<'a>),
    V6(V6<'a>),
}

impl Serialize for IpJ<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            IpJ::V4(a) => a.serialize(s),
            IpJ::V6(a) => a.serialize(s),
        }
    }
}

/// One tunnelled packet.
#[derive(Serialize)]
pub(super) struct InnerJ<'a> {
    pub(super) encap: &'static str,
    pub(super) offset: usize,
    #[serde(flatten)]
    pub(super) layers: LayersJ<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) stop: Option<StopJ>,
}

/// The packets tunnelled in a frame, outermost first, as many as the decoder follows
/// ([`crate::decode::MAX_TUNNELS`]): a view of the frame, whose levels
/// [`super::walk::each_inner`] decodes one at a time as they are written, so that a record
/// holds no per-level arrays.
#[derive(Default, Clone, Copy)]
pub(super) struct Inner<'a>(pub(super) Option<&'a Decoded<'a>>);

impl Inner<'_> {
    pub(super) fn is_empty(&self) -> bool {
        self.0.is_none_or(|d| d.encapsulated().is_none())
    }
}

impl Serialize for Inner<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        if let Some(d) = self.0 {
            super::walk::each_inner(d, |inner| seq.serialize_element(inner))?;
        }
        seq.end()
    }
}

#[derive(Serialize)]
pub(super) struct Eth<'a> {
    pub(super) src: Mac<'a>,
    pub(super) dst: Mac<'a>,
    #[serde(rename = "type")]
    pub(super) ty: u16,
}

#[derive(Serialize)]
pub(super) struct SllJ<'a> {
    pub(super) version: u8,
    pub(super) pkttype: u16,
    pub(super) hatype: u16,
    pub(super) addr: Mac<'a>,
    pub(super) protocol: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) ifindex: Option<u32>,
}

#[derive(Serialize)]
pub(super) struct NullJ {
    pub(super) family: u32,
}

#[derive(Serialize, Clone, Copy, Default)]
pub(super) struct VlanJ {
    pub(super) id: u16,
    pub(super) pcp: u8,
    pub(super) dei: bool,
    pub(super) tpid: u16,
    #[serde(rename = "type")]
    pub(super) ty: u16,
}

#[derive(Serialize)]
pub(super) struct ArpJ<'a> {
    pub(super) hw_type: u16,
    pub(super) proto_type: u16,
    pub(super) op: u16,
    pub(super) sender_mac: Mac<'a>,
    pub(super) target_mac: Mac<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) sender_ip: Option<V4<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) target_ip: Option<V4<'a>>,
}

#[derive(Serialize)]
pub(super) struct Ipv4J<'a> {
    pub(super) src: V4<'a>,
    pub(super) dst: V4<'a>,
    pub(super) hlen: u8,
    pub(super) tos: u8,
    pub(super) total_length: u16,
    pub(super) id: u16,
    pub(super) df: bool,
    pub(super) mf: bool,
    pub(super) frag_offset: u32,
    pub(super) ttl: u8,
    pub(super) proto: u8,
    pub(super) checksum: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) options: Option<Hex<'a>>,
}

#[derive(Serialize)]
pub(super) struct FragJ {
    pub(super) offset: u32,
    pub(super) more: bool,
    pub(super) id: u32,
}

#[derive(Serialize)]
pub(super) struct Ipv6J<'a> {
    pub(super) src: V6<'a>,
    pub(super) dst: V6<'a>,
    pub(super) traffic_class: u8,
    pub(super) flow_label: u32,
    pub(super) payload_length: u16,
    pub(super) next_header: u8,
    pub(super) hop_limit: u8,
    #[serde(skip_serializing_if = "<[u8]>::is_empty")]
    pub(super) ext_headers: &'a [u8],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) fragment: Option<FragJ>,
    pub(super) proto: u8,
}

#[derive(Serialize, Default)]
pub(super) struct TcpOptsJ {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) mss: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) wscale: Option<u8>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub(super) sack_ok: bool,
    #[serde(skip_serializing_if = "is_zero")]
    pub(super) sack_blocks: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) ts_val: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) ts_ecr: Option<u32>,
}

impl TcpOptsJ {
    /// True when the header has none of the options the object names.
    pub(super) fn is_empty(&self) -> bool {
        self.mss.is_none()
            && self.wscale.is_none()
            && !self.sack_ok
            && self.sack_blocks == 0
            && self.ts_val.is_none()
            && self.ts_ecr.is_none()
    }
}

pub(super) fn is_zero(v: &u8) -> bool {
    *v == 0
}

#[derive(Serialize)]
pub(super) struct TcpJ {
    pub(super) src_port: u16,
    pub(super) dst_port: u16,
    pub(super) seq: u32,
    pub(super) ack: u32,
    pub(super) hlen: u8,
    pub(super) flags: u16,
    pub(super) flags_str: FlagsStr,
    pub(super) window: u16,
    pub(super) checksum: u16,
    pub(super) urgent: u16,
    pub(super) payload_len: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) options: Option<TcpOptsJ>,
}

pub(super) struct FlagsStr(pub(super) u16);
impl Serialize for FlagsStr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.text().serialize(s)
    }
}
impl FlagsStr {
    /// The letters of the set flags in Scapy's order (craft's [`TCP_FLAG_LETTERS`]: `SA`
    /// for SYN-ACK, as pkt-send's `flags=SA` takes them).
    pub(super) fn text(&self) -> Stack<9> {
        let mut b = Stack::<9>::new();
        for (bit, letter) in TCP_FLAG_LETTERS.bytes().enumerate() {
            if self.0 & 1 << bit != 0 {
                b.push(letter);
            }
        }
        b
    }
}

#[derive(Serialize)]
pub(super) struct UdpJ {
    pub(super) src_port: u16,
    pub(super) dst_port: u16,
    pub(super) length: u16,
    pub(super) payload_len: usize,
    pub(super) checksum: u16,
}

#[derive(Serialize)]
pub(super) struct IcmpJ<'a> {
    #[serde(rename = "type")]
    pub(super) ty: u8,
    pub(super) code: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) type_name: Option<&'static str>,
    pub(super) checksum: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) id: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) seq: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) mtu: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) target: Option<V6Owned>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) quoted: Option<Quoted<'a>>,
}

pub(super) struct V6Owned(pub(super) [u8; 16]);
impl Serialize for V6Owned {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&Ipv6Text(self.0))
    }
}

/// The packet quoted inside an ICMP error.
#[derive(Serialize)]
pub(super) struct Quoted<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) ipv4: Option<Ipv4J<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) ipv6: Option<Ipv6J<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) tcp: Option<QuotedPorts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) udp: Option<QuotedPorts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) icmp: Option<QuotedIcmp>,
}

#[derive(Serialize)]
pub(super) struct QuotedPorts {
    pub(super) src_port: u16,
    pub(super) dst_port: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) seq: Option<u32>,
}

#[derive(Serialize)]
pub(super) struct QuotedIcmp {
    #[serde(rename = "type")]
    pub(super) ty: u8,
    pub(super) code: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) id: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) seq: Option<u16>,
}

#[derive(Serialize)]
pub(super) struct AppJ {
    pub(super) proto: &'static str,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub(super) mdns: bool,
    pub(super) offset: usize,
    pub(super) caplen: usize,
}

#[derive(Serialize)]
pub(super) struct Reassembled {
    pub(super) fragments: u32,
    pub(super) caplen: usize,
}

#[derive(Serialize)]
pub(super) struct StopJ {
    pub(super) layer: &'static str,
    pub(super) offset: usize,
    pub(super) reason: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) need: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) have: Option<usize>,
}

#[derive(Serialize)]
pub(super) struct RawJ<'a> {
    pub(super) linktype: u16,
    pub(super) snaplen: u32,
    pub(super) precision: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) ts_sec: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) ts_frac: Option<u32>,
    pub(super) hex: Hex<'a>,
}
