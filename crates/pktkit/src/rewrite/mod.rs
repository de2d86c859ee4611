//! Editing header fields of a packet in place, keeping checksums right: tcprewrite's job,
//! used by `pkt-send --from-json`.
//!
//! [`Layout::parse`] finds the headers of a frame in the layers of [`crate::decode`] (Ethernet
//! with VLAN tags, Linux cooked, raw IP, ...; ARP, IPv4, IPv6 with extension headers; TCP, UDP,
//! ICMP, ICMPv6). [`Layout::get`]
//! reads a [`Field`]; [`Layout::set`] writes one and updates every checksum that covers it
//! incrementally (RFC 1624): the IPv4 header checksum, and the TCP, UDP or ICMPv6 checksum
//! through the pseudo-header. A correct checksum stays correct, a wrong one stays wrong by
//! the same amount, and packets cut by a snaplen are handled (nothing is summed over the
//! payload). Setting a checksum field itself writes it as given.

#[cfg(test)]
mod tests;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use thiserror::Error;

use crate::capture::LinkType;
use crate::checksum::{self, fold};
use crate::decode::ip::ip_layer;
use crate::decode::{DecodeOptions, Link, decode, offset_in};
use crate::proto::ethernet::{self, ether_type};
use crate::proto::ip_proto;
use etherparse::LaxNetSlice;

/// A header field that can be read and written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// Ethernet source MAC.
    EthSrc,
    /// Ethernet destination MAC.
    EthDst,
    /// EtherType of the Ethernet header (before any VLAN tag).
    EthType,
    /// VLAN id (12 bits) of tag `n` (0: outermost).
    VlanId(usize),
    /// VLAN priority (3 bits).
    VlanPcp(usize),
    /// VLAN drop eligible indicator (1 bit).
    VlanDei(usize),
    /// ARP operation.
    ArpOp,
    /// ARP sender hardware address.
    ArpSenderMac,
    /// ARP target hardware address.
    ArpTargetMac,
    /// ARP sender protocol address.
    ArpSenderIp,
    /// ARP target protocol address.
    ArpTargetIp,
    /// IPv4 source.
    Ipv4Src,
    /// IPv4 destination.
    Ipv4Dst,
    /// IPv4 type of service byte.
    Ipv4Tos,
    /// IPv4 total length.
    Ipv4Len,
    /// IPv4 identification.
    Ipv4Id,
    /// IPv4 don't-fragment flag.
    Ipv4Df,
    /// IPv4 more-fragments flag.
    Ipv4Mf,
    /// IPv4 fragment offset in bytes (a multiple of 8).
    Ipv4FragOffset,
    /// IPv4 time to live.
    Ipv4Ttl,
    /// IPv4 protocol.
    Ipv4Proto,
    /// IPv4 header checksum.
    Ipv4Checksum,
    /// IPv6 source.
    Ipv6Src,
    /// IPv6 destination.
    Ipv6Dst,
    /// IPv6 traffic class.
    Ipv6TrafficClass,
    /// IPv6 flow label (20 bits).
    Ipv6FlowLabel,
    /// IPv6 payload length.
    Ipv6PayloadLen,
    /// IPv6 next header (of the fixed header).
    Ipv6NextHeader,
    /// IPv6 hop limit.
    Ipv6HopLimit,
    /// TCP source port.
    TcpSrcPort,
    /// TCP destination port.
    TcpDstPort,
    /// TCP sequence number.
    TcpSeq,
    /// TCP acknowledgement number.
    TcpAck,
    /// TCP flags: the 12 bits after the data offset (FSRPAUECN from bit 0, then the 3
    /// reserved bits).
    TcpFlags,
    /// TCP window.
    TcpWindow,
    /// TCP checksum.
    TcpChecksum,
    /// TCP urgent pointer.
    TcpUrgent,
    /// UDP source port.
    UdpSrcPort,
    /// UDP destination port.
    UdpDstPort,
    /// UDP length.
    UdpLen,
    /// UDP checksum.
    UdpChecksum,
    /// ICMP or ICMPv6 type.
    IcmpType,
    /// ICMP or ICMPv6 code.
    IcmpCode,
    /// ICMP or ICMPv6 checksum.
    IcmpChecksum,
    /// ICMP or ICMPv6 identifier (bytes 4-5; echo and similar messages).
    IcmpId,
    /// ICMP or ICMPv6 sequence number (bytes 6-7).
    IcmpSeq,
}

/// A field's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    /// A number (ports, lengths, flags, ...).
    Num(u64),
    /// A flag.
    Bool(bool),
    /// A MAC address.
    Mac([u8; 6]),
    /// An IP address.
    Ip(IpAddr),
}

/// A field could not be written.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RewriteError {
    /// The packet has no such header (or it was cut before the field).
    #[error("the packet has no {0:?} field")]
    Absent(Field),
    /// The value does not fit the field.
    #[error("{value} does not fit {field:?}: expected {expected}")]
    BadValue {
        /// The field.
        field: Field,
        /// The rejected value.
        value: Value,
        /// What the field takes, e.g. `a number from 0 to 255`.
        expected: String,
    },
}

impl std::fmt::Display for Value {
    /// As pkt-decode's JSON writes it: a number, `true`/`false`, `aa:bb:..`, an IP address.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Num(n) => write!(f, "{n}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Mac(m) => {
                let [a, b, c, d, e, g] = m;
                write!(f, "{a:02x}:{b:02x}:{c:02x}:{d:02x}:{e:02x}:{g:02x}")
            }
            Value::Ip(ip) => write!(f, "{ip}"),
        }
    }
}

/// The largest number `field` holds when it is `width` bytes wide; `None` for fields that are
/// not numbers.
fn max_number(field: Field, width: usize) -> Option<u64> {
    use Field::*;
    match field {
        EthSrc | EthDst | ArpSenderMac | ArpTargetMac | ArpSenderIp | ArpTargetIp | Ipv4Src | Ipv4Dst
        | Ipv6Src | Ipv6Dst | VlanDei(_) | Ipv4Df | Ipv4Mf => None,
        VlanId(_) | TcpFlags => Some(0xfff),
        VlanPcp(_) => Some(7),
        // 13 bits counting 8-byte units.
        Ipv4FragOffset => Some(0x1fff * 8),
        Ipv6TrafficClass => Some(0xff),
        Ipv6FlowLabel => Some(0xfffff),
        _ if width >= 8 => Some(u64::MAX),
        _ => Some((1u64 << (8 * width)) - 1),
    }
}

/// What `field` takes, for messages: `a number from 0 to 255`, `an IPv4 address`, ...
fn expected(field: Field, width: usize) -> String {
    use Field::*;
    match field {
        EthSrc | EthDst | ArpSenderMac | ArpTargetMac => "a MAC address".into(),
        ArpSenderIp | ArpTargetIp | Ipv4Src | Ipv4Dst => "an IPv4 address".into(),
        Ipv6Src | Ipv6Dst => "an IPv6 address".into(),
        VlanDei(_) | Ipv4Df | Ipv4Mf => "true or false".into(),
        Ipv4FragOffset => format!("a multiple of 8 from 0 to {}", 0x1fff * 8),
        _ => format!("a number from 0 to {}", max_number(field, width).unwrap_or(0)),
    }
}

/// Where the headers of one packet are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layout {
    /// Offset of the Ethernet header.
    pub eth: Option<usize>,
    /// Offsets of the VLAN tags' TCI fields (2 bytes each; the EtherType follows).
    pub vlans: Vec<usize>,
    /// Offset of the ARP header (Ethernet/IPv4 ARP only).
    pub arp: Option<usize>,
    /// Offset of the IPv4 header.
    pub ipv4: Option<usize>,
    /// Offset of the IPv6 header.
    pub ipv6: Option<usize>,
    /// Offset of the transport header, with its IP protocol (6, 17, 1 or 58).
    pub transport: Option<(usize, u8)>,
}

fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

/// RFC 1624 eqn. 3: the checksum after words summing to `old` became words summing to `new`.
fn adjust(check: u16, old: u64, new: u64) -> u16 {
    checksum::update(check, fold(old), fold(new))
}

impl Layout {
    /// Finds the headers of `data`, a frame of `linktype`, from the layers of
    /// [`crate::decode`]. Headers cut short are left out; the transport header is found in
    /// first fragments too.
    pub fn parse(linktype: LinkType, data: &[u8]) -> Layout {
        let d = decode(linktype, data, data.len() as u32, &DecodeOptions { app: false });
        let mut l = Layout::default();
        // Links edited: Ethernet, Linux cooked, raw IP, BSD null/loop (not PKTAP, PPP, ...).
        let editable = matches!(d.link, Link::Ethernet(_) | Link::Sll(_) | Link::Raw | Link::Null { .. });
        if !editable || d.pktap.is_some() {
            return l;
        }
        if let Link::Ethernet(_) = d.link {
            l.eth = Some(0);
            // Each tag is its TCI, then the next EtherType; the last one ends at the network layer.
            let tags_start = d.net_offset - d.vlan_count * ethernet::VLAN_TAG_LEN;
            l.vlans = (0..d.vlan_count).map(|i| tags_start + i * ethernet::VLAN_TAG_LEN).collect();
        }
        let at = d.net_offset;
        let rest = data.get(at..).unwrap_or(&[]);
        match &d.net {
            Some(LaxNetSlice::Arp(_))
                if rest.len() >= 28 && be16(rest, 2) == ether_type::IPV4 && rest[4] == 6 && rest[5] == 4 =>
            {
                l.arp = Some(at)
            }
            Some(net @ (LaxNetSlice::Ipv4(_) | LaxNetSlice::Ipv6(_))) => {
                if let LaxNetSlice::Ipv4(_) = net {
                    l.ipv4 = Some(at);
                } else {
                    l.ipv6 = Some(at);
                }
                if let Some(ip) = ip_layer(net)
                    && let Some(payload) = ip.payload
                {
                    l.transport =
                        transport(payload, ip.protocol).map(|proto| (offset_in(data, payload), proto));
                }
            }
            // A fixed header decode refused (a header length past the packet's end) can
            // still be edited; there is no transport header to find behind it.
            None if d.ether_type == Some(ether_type::IPV4) && rest.len() >= 20 && rest[0] >> 4 == 4 => {
                l.ipv4 = Some(at)
            }
            None if d.ether_type == Some(ether_type::IPV6) && rest.len() >= 40 && rest[0] >> 4 == 6 => {
                l.ipv6 = Some(at)
            }
            _ => {}
        }
        l
    }

    fn loc(&self, field: Field) -> Option<(usize, usize)> {
        use Field::*;
        let (base, off, len) = match field {
            EthSrc => (self.eth?, 6, 6),
            EthDst => (self.eth?, 0, 6),
            EthType => (self.eth?, 12, 2),
            VlanId(n) | VlanPcp(n) | VlanDei(n) => (*self.vlans.get(n)?, 0, 2),
            ArpOp => (self.arp?, 6, 2),
            ArpSenderMac => (self.arp?, 8, 6),
            ArpSenderIp => (self.arp?, 14, 4),
            ArpTargetMac => (self.arp?, 18, 6),
            ArpTargetIp => (self.arp?, 24, 4),
            Ipv4Tos => (self.ipv4?, 1, 1),
            Ipv4Len => (self.ipv4?, 2, 2),
            Ipv4Id => (self.ipv4?, 4, 2),
            Ipv4Df | Ipv4Mf | Ipv4FragOffset => (self.ipv4?, 6, 2),
            Ipv4Ttl => (self.ipv4?, 8, 1),
            Ipv4Proto => (self.ipv4?, 9, 1),
            Ipv4Checksum => (self.ipv4?, 10, 2),
            Ipv4Src => (self.ipv4?, 12, 4),
            Ipv4Dst => (self.ipv4?, 16, 4),
            Ipv6TrafficClass | Ipv6FlowLabel => (self.ipv6?, 0, 4),
            Ipv6PayloadLen => (self.ipv6?, 4, 2),
            Ipv6NextHeader => (self.ipv6?, 6, 1),
            Ipv6HopLimit => (self.ipv6?, 7, 1),
            Ipv6Src => (self.ipv6?, 8, 16),
            Ipv6Dst => (self.ipv6?, 24, 16),
            TcpSrcPort | TcpDstPort | TcpSeq | TcpAck | TcpFlags | TcpWindow | TcpChecksum | TcpUrgent => {
                let (t, 6) = self.transport? else { return None };
                match field {
                    TcpSrcPort => (t, 0, 2),
                    TcpDstPort => (t, 2, 2),
                    TcpSeq => (t, 4, 4),
                    TcpAck => (t, 8, 4),
                    TcpFlags => (t, 12, 2),
                    TcpWindow => (t, 14, 2),
                    TcpChecksum => (t, 16, 2),
                    _ => (t, 18, 2),
                }
            }
            UdpSrcPort | UdpDstPort | UdpLen | UdpChecksum => {
                let (t, 17) = self.transport? else { return None };
                let off = match field {
                    UdpSrcPort => 0,
                    UdpDstPort => 2,
                    UdpLen => 4,
                    _ => 6,
                };
                (t, off, 2)
            }
            IcmpType | IcmpCode | IcmpChecksum | IcmpId | IcmpSeq => {
                let (t, 1 | 58) = self.transport? else { return None };
                match field {
                    IcmpType => (t, 0, 1),
                    IcmpCode => (t, 1, 1),
                    IcmpChecksum => (t, 2, 2),
                    IcmpId => (t, 4, 2),
                    _ => (t, 6, 2),
                }
            }
        };
        Some((base + off, len))
    }

    /// Reads `field`; `None` when the packet has no such header or is cut before it.
    pub fn get(&self, data: &[u8], field: Field) -> Option<Value> {
        use Field::*;
        let (at, len) = self.loc(field)?;
        let b = data.get(at..at + len)?;
        let num = |b: &[u8]| b.iter().fold(0u64, |n, &x| n << 8 | u64::from(x));
        Some(match field {
            EthSrc | EthDst | ArpSenderMac | ArpTargetMac => {
                let mut m = [0u8; 6];
                m.copy_from_slice(b);
                Value::Mac(m)
            }
            ArpSenderIp | ArpTargetIp | Ipv4Src | Ipv4Dst => {
                Value::Ip(IpAddr::V4(Ipv4Addr::new(b[0], b[1], b[2], b[3])))
            }
            Ipv6Src | Ipv6Dst => {
                let mut a = [0u8; 16];
                a.copy_from_slice(b);
                Value::Ip(IpAddr::V6(Ipv6Addr::from(a)))
            }
            VlanId(_) => Value::Num(num(b) & 0xfff),
            VlanPcp(_) => Value::Num(num(b) >> 13),
            VlanDei(_) => Value::Bool(num(b) & 0x1000 != 0),
            Ipv4Df => Value::Bool(b[0] & 0x40 != 0),
            Ipv4Mf => Value::Bool(b[0] & 0x20 != 0),
            Ipv4FragOffset => Value::Num((num(b) & 0x1fff) * 8),
            Ipv6TrafficClass => Value::Num((num(b) >> 20) & 0xff),
            Ipv6FlowLabel => Value::Num(num(b) & 0xfffff),
            TcpFlags => Value::Num(num(b) & 0xfff),
            _ => Value::Num(num(b)),
        })
    }

    /// The new bytes of the field's location for `value` (given the current bytes `cur`).
    fn encode(field: Field, cur: &[u8], value: Value) -> Option<Vec<u8>> {
        use Field::*;
        let max = max_number(field, cur.len());
        let n = || match value {
            Value::Num(v) if max.is_some_and(|max| v <= max) => Some(v),
            _ => None,
        };
        let b = |v: Value| match v {
            Value::Bool(x) => Some(x),
            _ => None,
        };
        let word = u16::from_be_bytes([cur[0], cur.get(1).copied().unwrap_or(0)]);
        Some(match field {
            EthSrc | EthDst | ArpSenderMac | ArpTargetMac => match value {
                Value::Mac(m) => m.to_vec(),
                _ => return None,
            },
            ArpSenderIp | ArpTargetIp | Ipv4Src | Ipv4Dst => match value {
                Value::Ip(IpAddr::V4(a)) => a.octets().to_vec(),
                _ => return None,
            },
            Ipv6Src | Ipv6Dst => match value {
                Value::Ip(IpAddr::V6(a)) => a.octets().to_vec(),
                _ => return None,
            },
            VlanId(_) => ((word & !0xfff) | n()? as u16).to_be_bytes().to_vec(),
            VlanPcp(_) => ((word & 0x1fff) | (n()? as u16) << 13).to_be_bytes().to_vec(),
            VlanDei(_) => ((word & !0x1000) | u16::from(b(value)?) << 12).to_be_bytes().to_vec(),
            Ipv4Df => ((word & !0x4000) | u16::from(b(value)?) << 14).to_be_bytes().to_vec(),
            Ipv4Mf => ((word & !0x2000) | u16::from(b(value)?) << 13).to_be_bytes().to_vec(),
            Ipv4FragOffset => {
                let off = n()?;
                if off % 8 != 0 {
                    return None;
                }
                ((word & !0x1fff) | (off / 8) as u16).to_be_bytes().to_vec()
            }
            Ipv6TrafficClass | Ipv6FlowLabel => {
                let w = u32::from_be_bytes([cur[0], cur[1], cur[2], cur[3]]);
                let w = if field == Ipv6TrafficClass {
                    (w & !0x0ff0_0000) | (n()? as u32) << 20
                } else {
                    (w & !0xfffff) | n()? as u32
                };
                w.to_be_bytes().to_vec()
            }
            TcpFlags => ((word & !0xfff) | n()? as u16).to_be_bytes().to_vec(),
            _ => n()?.to_be_bytes()[8 - cur.len()..].to_vec(),
        })
    }

    /// The pseudo-header sum of the transport checksum and the checksum's offset, when the
    /// transport has a checksum that covers a pseudo-header (TCP, UDP, ICMPv6; not a UDP
    /// checksum of 0 over IPv4, which means "none").
    fn pseudo(&self, data: &[u8]) -> Option<(u64, usize)> {
        let (t, proto) = self.transport?;
        let ck = match proto {
            ip_proto::TCP => t + 16,
            ip_proto::UDP => t + 6,
            ip_proto::ICMPV6 => t + 2,
            _ => return None,
        };
        data.get(ck..ck + 2)?;
        let l4_len = |ip_payload: usize| -> Option<u32> {
            if proto == ip_proto::UDP {
                data.get(t + 4..t + 6).map(|_| u32::from(be16(data, t + 4)))
            } else {
                Some(ip_payload as u32)
            }
        };
        if let Some(ip) = self.ipv4 {
            if proto == ip_proto::UDP && be16(data, ck) == 0 {
                return None;
            }
            // The transport length as the receiver computes it: total length minus the header.
            let total = usize::from(be16(data, ip + 2));
            let len = l4_len(total.saturating_sub(t - ip))?;
            let s = checksum::pseudo_header_sum(&data[ip + 12..ip + 16], &data[ip + 16..ip + 20], proto, len);
            Some((s, ck))
        } else {
            let ip = self.ipv6?;
            let plen = usize::from(be16(data, ip + 4));
            let len = l4_len((40 + plen).saturating_sub(t - ip))?;
            let s = checksum::pseudo_header_sum(&data[ip + 8..ip + 24], &data[ip + 24..ip + 40], proto, len);
            Some((s, ck))
        }
    }

    /// Writes `field` and updates the checksums that cover it (see the module docs).
    pub fn set(&self, data: &mut [u8], field: Field, value: Value) -> Result<(), RewriteError> {
        use Field::*;
        let (at, len) = self.loc(field).ok_or(RewriteError::Absent(field))?;
        if data.len() < at + len {
            return Err(RewriteError::Absent(field));
        }
        let new = Self::encode(field, &data[at..at + len], value).ok_or_else(|| RewriteError::BadValue {
            field,
            value,
            expected: expected(field, len),
        })?;
        if data[at..at + len] == new[..] {
            return Ok(());
        }
        let is_checksum = matches!(field, Ipv4Checksum | TcpChecksum | UdpChecksum | IcmpChecksum);
        if is_checksum {
            data[at..at + len].copy_from_slice(&new);
            return Ok(());
        }
        // Which header the field is in, to align its words to the checksummed data.
        let header = [self.eth, self.arp, self.ipv4, self.ipv6, self.transport.map(|t| t.0)]
            .into_iter()
            .flatten()
            .chain(self.vlans.iter().copied())
            .filter(|&h| h <= at)
            .max()
            .unwrap_or(0);
        let a = header + (at - header) / 2 * 2;
        let b = (header + (at + len - header).div_ceil(2) * 2).min(data.len());
        let old_words = checksum::sum_words(&data[a..b]);
        let old_pseudo = self.pseudo(data);
        data[at..at + len].copy_from_slice(&new);
        let new_words = checksum::sum_words(&data[a..b]);
        // The IPv4 header checksum covers the IPv4 header.
        if let Some(ip) = self.ipv4
            && at >= ip
            && at < ip + usize::from(data[ip] & 15) * 4
        {
            let ck = be16(data, ip + 10);
            data[ip + 10..ip + 12].copy_from_slice(&adjust(ck, old_words, new_words).to_be_bytes());
        }
        if let Some((t, proto)) = self.transport {
            let new_pseudo = self.pseudo(data);
            let in_transport = at >= t;
            let (mut old_s, mut new_s) = (0u64, 0u64);
            if in_transport {
                old_s += old_words;
                new_s += new_words;
            }
            let ck_at = match (old_pseudo, new_pseudo) {
                (Some((o, ck)), Some((n, _))) => {
                    old_s += o;
                    new_s += n;
                    Some(ck)
                }
                // ICMPv4 has no pseudo-header.
                _ if proto == ip_proto::ICMP && in_transport && data.len() >= t + 4 => Some(t + 2),
                _ => None,
            };
            if let Some(ck) = ck_at
                && old_s != new_s
            {
                let mut c = adjust(be16(data, ck), old_s, new_s);
                if proto == ip_proto::UDP && c == 0 {
                    c = 0xffff;
                }
                data[ck..ck + 2].copy_from_slice(&c.to_be_bytes());
            }
        }
        Ok(())
    }
}

impl Layout {
    /// Makes the transport checksum (TCP, UDP, ICMP or ICMPv6) read `target` by changing the
    /// 16-bit word `word_at` bytes after the transport header (even, inside the packet), so
    /// that the checksum carries a value while every header field stays the same: Paris
    /// traceroute's UDP probe id.
    pub fn steer_checksum(&self, data: &mut [u8], word_at: usize, target: u16) -> Result<(), RewriteError> {
        let field = Field::UdpChecksum;
        let (t, proto) = self.transport.ok_or(RewriteError::Absent(field))?;
        let ck = match proto {
            ip_proto::TCP => t + 16,
            ip_proto::UDP => t + 6,
            _ => t + 2,
        };
        let at = t + word_at;
        if !word_at.is_multiple_of(2) || at == ck || data.len() < (at + 2).max(ck + 2) {
            return Err(RewriteError::Absent(field));
        }
        // RFC 1624: the checksum moves opposite to the word, so the word absorbs the change.
        let word = fold(u64::from(!target) + u64::from(be16(data, ck)) + u64::from(be16(data, at)));
        data[at..at + 2].copy_from_slice(&word.to_be_bytes());
        data[ck..ck + 2].copy_from_slice(&target.to_be_bytes());
        Ok(())
    }
}

/// `proto` when `payload` holds a whole header of that transport (TCP, UDP, ICMP, ICMPv6).
fn transport(payload: &[u8], proto: u8) -> Option<u8> {
    let need = match proto {
        ip_proto::TCP => 20,
        ip_proto::UDP | ip_proto::ICMP | ip_proto::ICMPV6 => 8,
        _ => return None,
    };
    (payload.len() >= need).then_some(proto)
}
