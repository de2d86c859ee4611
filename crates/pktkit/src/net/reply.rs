//! Received packets, classified once: which probe they answer and how.
//!
//! [`Reply::parse`] decodes a packet with the shared decoder ([`crate::decode`]) and returns
//! what tracert and synscan need: who sent it, what kind of answer it is (time exceeded,
//! unreachable with its code, packet too big, echo reply, SYN-ACK, bare SYN, RST), and the fields of
//! the probe it answers ([`ProbeFields`]): for an ICMP error, read from the packet it quotes
//! (lookups then check the quote against the probe sent); for a direct answer, mirrored
//! (ports swapped, TCP ack minus one). [`ProbeKey::of`] turns those fields into the key of a
//! hash lookup.
//!
//! [`ProbeKey::of`]: super::ProbeKey::of

use std::net::IpAddr;

use etherparse::{LaxNetSlice, LaxSlicedPacket, TransportSlice};

use super::probe::{ProbeFields, Transport, ip_proto};
use crate::bytes::{be16, be32};
use crate::capture::LinkType;
use crate::decode::{DecodeOptions, decode};
use crate::proto::{icmp, icmpv6};

/// ICMPv4 unreachable code: fragmentation needed and DF set (RFC 1191).
pub const FRAG_NEEDED: u8 = 4;
const TCP_SYN: u8 = 0x02;
const TCP_RST: u8 = 0x04;
const TCP_ACK: u8 = 0x10;

/// Why a destination was unreachable, in traceroute's terms (from ICMP or ICMPv6 codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unreachable {
    /// Network unreachable (ICMP 0; ICMPv6 0, no route): `!N`.
    Network,
    /// Host unreachable (ICMP 1; ICMPv6 3, address unreachable): `!H`.
    Host,
    /// Protocol unreachable (ICMP 2): `!P`.
    Protocol,
    /// Port unreachable (ICMP 3, ICMPv6 4): the destination answered.
    Port,
    /// Fragmentation needed (ICMP 4), with the next-hop MTU (0 when not given): `!F`.
    FragmentationNeeded(u16),
    /// Source route failed (ICMP 5): `!S`.
    SourceRoute,
    /// Administratively prohibited (ICMP 9, 10, 13; ICMPv6 1): `!X`.
    Prohibited,
    /// Host precedence violation (ICMP 14): `!V`.
    Precedence,
    /// Precedence cutoff (ICMP 15): `!C`.
    PrecedenceCutoff,
    /// Any other code.
    Other(u8),
}

impl Unreachable {
    fn v4(code: u8, mtu: u16) -> Self {
        match code {
            0 | 6 | 11 => Unreachable::Network,
            1 | 7 | 12 => Unreachable::Host,
            2 => Unreachable::Protocol,
            3 => Unreachable::Port,
            FRAG_NEEDED => Unreachable::FragmentationNeeded(mtu),
            5 => Unreachable::SourceRoute,
            9 | 10 | 13 => Unreachable::Prohibited,
            14 => Unreachable::Precedence,
            15 => Unreachable::PrecedenceCutoff,
            c => Unreachable::Other(c),
        }
    }

    fn v6(code: u8) -> Self {
        match code {
            0 => Unreachable::Network,
            1 | 5 | 6 => Unreachable::Prohibited,
            3 => Unreachable::Host,
            4 => Unreachable::Port,
            c => Unreachable::Other(c),
        }
    }

    /// traceroute's annotation (`!H`, `!N`, ...); `None` for port unreachable.
    pub fn annotation(self) -> Option<String> {
        Some(match self {
            Unreachable::Network => "!N".into(),
            Unreachable::Host => "!H".into(),
            Unreachable::Protocol => "!P".into(),
            Unreachable::Port => return None,
            Unreachable::FragmentationNeeded(mtu) => format!("!F-{mtu}"),
            Unreachable::SourceRoute => "!S".into(),
            Unreachable::Prohibited => "!X".into(),
            Unreachable::Precedence => "!V".into(),
            Unreachable::PrecedenceCutoff => "!C".into(),
            Unreachable::Other(c) => format!("!<{c}>"),
        })
    }
}

/// What kind of answer a packet is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReplyKind {
    /// ICMP time exceeded in transit (a router on the way).
    TimeExceeded,
    /// ICMP destination unreachable.
    Unreachable(Unreachable),
    /// ICMPv6 packet too big, with the MTU.
    PacketTooBig(u32),
    /// ICMP parameter problem.
    ParameterProblem,
    /// ICMP or ICMPv6 echo reply.
    EchoReply,
    /// TCP SYN-ACK (an open port).
    SynAck,
    /// TCP SYN without ACK: a simultaneous open, or a split handshake (an open port; nmap's
    /// reason `split-handshake-syn`). It acknowledges nothing, so only the ports match it.
    Syn,
    /// TCP RST (a closed port).
    Reset,
}

impl ReplyKind {
    /// True when the answer comes from where the probe was going rather than from a router
    /// on the way (the trace ends there).
    pub fn is_final(self) -> bool {
        !matches!(self, ReplyKind::TimeExceeded | ReplyKind::PacketTooBig(_))
    }

    /// The MTU that the answer reports, for fragmentation needed and packet too big.
    pub fn mtu(self) -> Option<u32> {
        match self {
            ReplyKind::Unreachable(Unreachable::FragmentationNeeded(m)) => Some(u32::from(m)),
            ReplyKind::PacketTooBig(m) => Some(m),
            _ => None,
        }
    }
}

/// A received packet that answers some probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reply<'a> {
    /// Who sent the answer.
    pub from: IpAddr,
    /// To whom.
    pub to: IpAddr,
    /// The answer's own TTL or hop limit.
    pub ttl: u8,
    /// What it is.
    pub kind: ReplyKind,
    /// ICMP type and code (0, 0 for TCP answers).
    pub icmp: (u8, u8),
    /// The probe it answers: quoted by an ICMP error, or mirrored from a direct answer.
    pub probe: ProbeFields,
    /// For an ICMP error: the quoted packet's TTL (what was left of it at the router).
    pub quoted_ttl: Option<u8>,
    /// For an ICMP error: the ICMP message after its 8-byte header (the quote and any
    /// RFC 4884 extensions).
    pub icmp_body: &'a [u8],
    /// For an ICMP error: the RFC 4884 length of the quote in bytes (0: not given).
    pub quote_len: usize,
}

fn ip_addrs(net: &LaxNetSlice<'_>) -> Option<(IpAddr, IpAddr, u8, Option<u16>)> {
    match net {
        LaxNetSlice::Ipv4(ip) => {
            let h = ip.header();
            Some((h.source_addr().into(), h.destination_addr().into(), h.ttl(), Some(h.identification())))
        }
        LaxNetSlice::Ipv6(ip) => {
            let h = ip.header();
            Some((h.source_addr().into(), h.destination_addr().into(), h.hop_limit(), None))
        }
        LaxNetSlice::Arp(_) => None,
    }
}

/// The probe fields of a quoted packet. Routers may quote only 8 bytes of the transport
/// header (RFC 792), so they are read from the quoted IP payload, not a full TCP header.
fn quoted_probe(q: &LaxSlicedPacket<'_>) -> Option<(ProbeFields, u8)> {
    let net = q.net.as_ref()?;
    let (src, dst, ttl, ip_id) = ip_addrs(net)?;
    let payload = match net {
        LaxNetSlice::Ipv4(ip) => ip.payload(),
        LaxNetSlice::Ipv6(ip) => ip.payload(),
        LaxNetSlice::Arp(_) => return None,
    };
    if payload.fragmented {
        return None;
    }
    let t = payload.payload;
    let transport = match payload.ip_number.0 {
        ip_proto::UDP => Transport::Udp { sport: be16(t, 0)?, dport: be16(t, 2)?, checksum: be16(t, 6) },
        ip_proto::TCP => Transport::Tcp { sport: be16(t, 0)?, dport: be16(t, 2)?, seq: be32(t, 4) },
        ip_proto::ICMP if src.is_ipv4() && t.first() == Some(&icmp::ECHO) => {
            Transport::Echo { ident: be16(t, 4)?, seq: be16(t, 6)? }
        }
        ip_proto::ICMPV6 if src.is_ipv6() && t.first() == Some(&icmpv6::ECHO_REQUEST) => {
            Transport::Echo { ident: be16(t, 4)?, seq: be16(t, 6)? }
        }
        _ => return None,
    };
    Some((ProbeFields { src, dst, ip_id, transport }, ttl))
}

impl<'a> Reply<'a> {
    /// Classifies one received packet of `linktype`; `None` when it answers no probe that
    /// tracert or synscan send (anything else, damaged, or cut before the needed fields).
    pub fn parse(linktype: LinkType, data: &'a [u8]) -> Option<Reply<'a>> {
        let d = decode(linktype, data, data.len() as u32, &DecodeOptions { app: false });
        let (from, to, ttl, _) = ip_addrs(d.net.as_ref()?)?;
        // ICMP and ICMPv6: type, code, bytes 4-7, what follows, and what the type means.
        let (ty, code, rest, body, kind) = match d.transport.as_ref()? {
            TransportSlice::Icmpv4(i) if from.is_ipv4() => {
                let (ty, code, rest) = (i.type_u8(), i.code_u8(), i.bytes5to8());
                let kind = match ty {
                    icmp::ECHO_REPLY => ReplyKind::EchoReply,
                    icmp::TIME_EXCEEDED => ReplyKind::TimeExceeded,
                    icmp::UNREACH => ReplyKind::Unreachable(Unreachable::v4(code, be16(&rest, 2)?)),
                    icmp::PARAM_PROBLEM => ReplyKind::ParameterProblem,
                    _ => return None,
                };
                // RFC 4884 length: 32-bit words, in byte 5.
                (ty, code, rest, (i.payload(), usize::from(rest[1]) * 4), kind)
            }
            TransportSlice::Icmpv6(i) if from.is_ipv6() => {
                let (ty, code, rest) = (i.type_u8(), i.code_u8(), i.bytes5to8());
                let kind = match ty {
                    icmpv6::ECHO_REPLY => ReplyKind::EchoReply,
                    icmpv6::TIME_EXCEEDED => ReplyKind::TimeExceeded,
                    icmpv6::UNREACH => ReplyKind::Unreachable(Unreachable::v6(code)),
                    icmpv6::PACKET_TOO_BIG => ReplyKind::PacketTooBig(u32::from_be_bytes(rest)),
                    icmpv6::PARAM_PROBLEM => ReplyKind::ParameterProblem,
                    _ => return None,
                };
                // RFC 4884 length: 64-bit words, in byte 4.
                (ty, code, rest, (i.payload(), usize::from(rest[0]) * 8), kind)
            }
            TransportSlice::Tcp(t) => return Self::tcp(from, to, ttl, t),
            _ => return None,
        };
        // An echo reply mirrors the request; an error quotes the probe.
        let (probe, quoted_ttl, (icmp_body, quote_len)) = if kind == ReplyKind::EchoReply {
            let (ident, seq) = (be16(&rest, 0)?, be16(&rest, 2)?);
            let echo = Transport::Echo { ident, seq };
            (ProbeFields { src: to, dst: from, ip_id: None, transport: echo }, None, (&[][..], 0))
        } else {
            let (probe, quoted_ttl) = quoted_probe(&d.icmp_quoted()?)?;
            (probe, Some(quoted_ttl), body)
        };
        Some(Reply { from, to, ttl, kind, icmp: (ty, code), probe, quoted_ttl, icmp_body, quote_len })
    }

    /// A TCP answer: SYN-ACK, bare SYN or RST, mirrored into the probe's fields.
    fn tcp(from: IpAddr, to: IpAddr, ttl: u8, t: &etherparse::TcpSlice<'_>) -> Option<Reply<'a>> {
        let flags = t.slice().get(13).copied()?;
        let kind = if flags & TCP_RST != 0 {
            ReplyKind::Reset
        } else if flags & (TCP_SYN | TCP_ACK) == TCP_SYN | TCP_ACK {
            ReplyKind::SynAck
        } else if flags & TCP_SYN != 0 {
            ReplyKind::Syn
        } else {
            return None;
        };
        // The answer acknowledges the probe's sequence number plus one (its SYN).
        let seq = (flags & TCP_ACK != 0).then(|| t.acknowledgment_number().wrapping_sub(1));
        let transport = Transport::Tcp { sport: t.destination_port(), dport: t.source_port(), seq };
        let probe = ProbeFields { src: to, dst: from, ip_id: None, transport };
        Some(Reply {
            from,
            to,
            ttl,
            kind,
            icmp: (0, 0),
            probe,
            quoted_ttl: None,
            icmp_body: &[],
            quote_len: 0,
        })
    }

    /// The RFC 4884 extension structure after the quote, when the answer carries one.
    pub fn extensions(&self) -> Option<&'a [u8]> {
        crate::proto::icmp_ext::locate(self.icmp_body, self.quote_len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::icmp_ext::{self, MplsLabel, Object};
    use crate::test_frames::{crafted as one, hex};

    const PROBE: &str = "IP(src=10.0.1.2,dst=10.0.3.2,ttl=1,id=7)/UDP(sport=61000,dport=33435)/Raw(load='@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`')";

    /// An RFC 4884 time exceeded from 10.0.2.2: the quote padded to 128 bytes, the length field
    /// in 32-bit words (`length_words`), then an extension structure holding `objects`.
    fn time_exceeded(length_words: u8, objects: &[&[u8]]) -> Vec<u8> {
        let mut quote = one(PROBE);
        quote.resize(128, 0);
        let mut ext = vec![icmp_ext::VERSION << 4, 0, 0, 0];
        for o in objects {
            ext.extend_from_slice(o);
        }
        let ck = crate::checksum::checksum(&[&ext]);
        ext[2..4].copy_from_slice(&ck.to_be_bytes());
        // ICMP type 11 code 0; byte 5 is the RFC 4884 length.
        let mut icmp = vec![11, 0, 0, 0, 0, length_words, 0, 0];
        icmp.extend_from_slice(&quote);
        icmp.extend_from_slice(&ext);
        let ck = crate::checksum::checksum(&[&icmp]);
        icmp[2..4].copy_from_slice(&ck.to_be_bytes());
        one(&format!("IP(src=10.0.2.2,dst=10.0.1.2,ttl=63,proto=1)/Raw(hex={})", hex(&icmp)))
    }

    #[test]
    fn time_exceeded_with_mpls_extensions_decodes_the_labels() {
        // Label 24000, TC 0, bottom of stack, TTL 1 (RFC 4950 class 1, c-type 1).
        let mpls = [0, 8, icmp_ext::CLASS_MPLS, 1, 0x05, 0xdc, 0x01, 0x01];
        for words in [32, 0] {
            let bytes = time_exceeded(words, &[&mpls]);
            let r = Reply::parse(LinkType::RAW, &bytes).expect("a reply");
            assert_eq!(r.kind, ReplyKind::TimeExceeded);
            assert_eq!(r.from, "10.0.2.2".parse::<IpAddr>().unwrap());
            assert_eq!(
                r.probe.transport,
                Transport::Udp {
                    sport: 61000,
                    dport: 33435,
                    checksum: Some(u16::from_be_bytes([one(PROBE)[26], one(PROBE)[27]]))
                }
            );
            let objects = icmp_ext::parse(r.extensions().expect("extensions")).unwrap();
            assert_eq!(
                objects,
                vec![Object::Mpls(vec![MplsLabel { label: 24000, tc: 0, bottom: true, ttl: 1 }])]
            );
        }
        // A plain time exceeded has none.
        let plain =
            one(&format!("IP(src=10.0.2.2,dst=10.0.1.2)/ICMP(type=11)/Raw(hex={})", hex(&one(PROBE))));
        assert_eq!(Reply::parse(LinkType::RAW, &plain).unwrap().extensions(), None);
    }

    #[test]
    fn direct_answers_are_mirrored_and_junk_is_no_answer() {
        let rst = one("IP(src=10.0.3.2,dst=10.0.1.2)/TCP(sport=80,dport=61000,flags=RA,ack=1001)");
        let r = Reply::parse(LinkType::RAW, &rst).unwrap();
        assert_eq!(r.kind, ReplyKind::Reset);
        assert_eq!(r.probe.transport, Transport::Tcp { sport: 61000, dport: 80, seq: Some(1000) });
        let synack = one("IPv6(src=fd00:3::2,dst=fd00:1::2)/TCP(sport=80,dport=61000,flags=SA,ack=1)");
        assert_eq!(Reply::parse(LinkType::RAW, &synack).unwrap().kind, ReplyKind::SynAck);
        let echo = one("IP(src=10.0.3.2,dst=10.0.1.2)/ICMP(type=0,id=9,seq=4)");
        let r = Reply::parse(LinkType::RAW, &echo).unwrap();
        assert_eq!((r.kind, r.probe.transport), (ReplyKind::EchoReply, Transport::Echo { ident: 9, seq: 4 }));
        let unreach =
            one(&format!("IP(src=10.0.2.2,dst=10.0.1.2)/ICMP(type=3,code=13)/Raw(hex={})", hex(&one(PROBE))));
        let r = Reply::parse(LinkType::RAW, &unreach).unwrap();
        assert_eq!(r.kind, ReplyKind::Unreachable(Unreachable::Prohibited));
        assert_eq!(text(r.kind), Some("!X".to_string()));
        // A bare SYN answers a SYN (simultaneous open): no ACK, so no sequence to match.
        let syn = one("IP(src=10.0.3.2,dst=10.0.1.2,ttl=62)/TCP(sport=443,dport=61000,flags=S,seq=77)");
        let r = Reply::parse(LinkType::RAW, &syn).unwrap();
        assert_eq!((r.kind, r.ttl), (ReplyKind::Syn, 62));
        assert_eq!(r.probe.transport, Transport::Tcp { sport: 61000, dport: 443, seq: None });
        let syn6 = one("IPv6(src=fd00:3::2,dst=fd00:1::2)/TCP(sport=22,dport=61000,flags=S)");
        assert_eq!(Reply::parse(LinkType::RAW, &syn6).unwrap().kind, ReplyKind::Syn);
        // SYN and RST together is a reset.
        let synrst = one("IP(src=10.0.3.2,dst=10.0.1.2)/TCP(flags=SR)");
        assert_eq!(Reply::parse(LinkType::RAW, &synrst).unwrap().kind, ReplyKind::Reset);
        // A bare ACK, an echo request, and every cut of an ICMP error: no answer, no panic.
        assert!(Reply::parse(LinkType::RAW, &one("IP(src=10.0.3.2,dst=10.0.1.2)/TCP(flags=A)")).is_none());
        assert!(Reply::parse(LinkType::RAW, &one("IP(src=10.0.3.2,dst=10.0.1.2)/ICMP()")).is_none());
        let full = time_exceeded(32, &[]);
        for cut in 0..full.len() {
            let _ = Reply::parse(LinkType::RAW, &full[..cut]);
        }
        // Cut inside the quoted ports: nothing to match by.
        assert!(Reply::parse(LinkType::RAW, &full[..20 + 8 + 20 + 3]).is_none());
    }

    fn text(kind: ReplyKind) -> Option<String> {
        match kind {
            ReplyKind::Unreachable(u) => u.annotation(),
            _ => None,
        }
    }
}
