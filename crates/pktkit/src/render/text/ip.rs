//! IPv4 and IPv6 as tcpdump's `ip_print` and `ip6_print` (options, extension headers,
//! fragments, AH) and the demultiplexing to the transport printers.

use crate::proto::ip_proto::{
    AH, DCCP, DESTINATION_OPTIONS, ESP, FRAGMENT, GRE, HOP_BY_HOP, ICMP, ICMPV6, IGMP, IPIP, IPV6, OSPF,
    ROUTING, SCTP, TCP, UDP, VRRP,
};
use crate::proto::ipv4 as ipv4p;
use crate::render::out::{self, append_decimal, append_str, be16, be32, hex};

use super::cksum::{fold, shouldbe, sum_be};
use super::netdissect;
use super::{IpCtx, TextPrinter};

impl TextPrinter {
    /// IPv4, as tcpdump's ip_print. `p` is the captured bytes from the IP header on, `length`
    /// the bytes on the wire from there.
    pub(super) fn ip4(&mut self, b: &mut Vec<u8>, p: &[u8], length: usize) {
        // With -e the link layer has named the protocol: tcpdump omits "IP ", also for
        // packets inside tunnels and ICMP errors.
        if !self.o.link_header {
            append_str(b, "IP ");
        }
        let Some(&vhl) = p.first() else {
            append_str(b, "[|ip]");
            return;
        };
        if vhl >> 4 != 4 {
            if vhl >> 4 == 6 {
                append_str(b, "IP6, wrong link-layer encapsulation (invalid)");
            } else {
                append_str(b, "IP");
                append_decimal(b, vhl >> 4);
                append_str(b, " (invalid)");
            }
            return;
        }
        if length < 20 {
            append_str(b, "truncated-ip ");
            append_decimal(b, length);
            return;
        }
        let hlen = (vhl & 15) as usize * 4;
        if hlen < 20 {
            append_str(b, "bad-hlen ");
            append_decimal(b, hlen);
            return;
        }
        let Some(len) = be16(p, 2) else {
            append_str(b, " [|ip]");
            return;
        };
        let mut len = len as usize;
        if length < len {
            append_str(b, "truncated-ip - ");
            append_decimal(b, len - length);
            append_str(b, " bytes missing! ");
        }
        if len < hlen {
            append_str(b, "bad-len ");
            append_decimal(b, len);
            return;
        }
        if p.len() < 20 {
            append_str(b, " [|ip]");
            return;
        }
        // Cut the captured data to the IP datagram.
        let p = &p[..p.len().min(len)];
        len -= hlen;
        let off = be16(p, 6).unwrap_or(0);
        let proto = p[9];
        let (src, dst) = (&p[12..16], &p[16..20]);
        if self.o.verbosity > 0 {
            let tos = p[1];
            append_str(b, "(tos 0x");
            out::hex_min(b, tos as u64);
            match tos & 3 {
                1 => append_str(b, ",ECT(1)"),
                2 => append_str(b, ",ECT(0)"),
                3 => append_str(b, ",CE"),
                _ => {}
            }
            if p[8] >= 1 {
                append_str(b, ", ttl ");
                append_decimal(b, p[8]);
            }
            append_str(b, ", id ");
            append_decimal(b, be16(p, 4).unwrap_or(0));
            append_str(b, ", offset ");
            append_decimal(b, (off & 0x1fff) as u32 * 8);
            append_str(b, ", flags [");
            netdissect::bit_names(b, u32::from(off), &[(0x2000u16, "+"), (0x4000, "DF"), (0x8000, "rsvd")]);
            append_str(b, "], proto ");
            append_str(b, ipv4p::proto_name(proto).unwrap_or("unknown"));
            append_str(b, " (");
            append_decimal(b, proto);
            append_str(b, "), length ");
            append_decimal(b, be16(p, 2).unwrap_or(0));
            if hlen > 20 {
                append_str(b, ", options (");
                ip_options(b, p.get(20..hlen).unwrap_or(&p[20..]));
                b.push(b')');
            }
            if p.len() >= hlen {
                let sum = fold(sum_be(&p[..hlen], 0));
                if sum != 0xffff {
                    let field = be16(p, 10).unwrap_or(0);
                    append_str(b, ", bad cksum ");
                    out::hex_min(b, field as u64);
                    append_str(b, " (->");
                    out::hex_min(b, shouldbe(field, !sum) as u64);
                    append_str(b, ")!");
                }
            }
            append_str(b, ")\n    ");
        }
        // Options or payload may be cut: what follows prints what it can, as tcpdump does.
        let payload = p.get(hlen..).unwrap_or(&[]);
        if off & 0x1fff == 0 {
            if !matches!(proto, TCP | UDP | SCTP | DCCP) {
                out::ip4(b, src);
                append_str(b, " > ");
                out::ip4(b, dst);
                append_str(b, ": ");
            }
            let ctx = IpCtx { v6: false, src, dst, direct: true, fragmented: off & 0x2000 != 0, ttl: p[8] };
            self.demux(b, payload, len, proto, ctx);
        } else {
            out::ip4(b, src);
            append_str(b, " > ");
            out::ip4(b, dst);
            append_str(b, ": ip-proto-");
            append_decimal(b, proto);
        }
    }

    pub(super) fn ip6(&mut self, b: &mut Vec<u8>, p: &[u8], length: usize) {
        if !self.o.link_header {
            append_str(b, "IP6 ");
        }
        if length < 40 {
            append_str(b, "truncated-ip6 ");
            append_decimal(b, length);
            return;
        }
        let Some(&v) = p.first() else {
            append_str(b, " [|ip6]");
            return;
        };
        if v >> 4 != 6 {
            append_str(b, "version error: ");
            append_decimal(b, v >> 4);
            append_str(b, " != 6");
            return;
        }
        let Some(plen) = be16(p, 4) else {
            append_str(b, " [|ip6]");
            return;
        };
        let mut len = if plen != 0 {
            let l = plen as usize + 40;
            if length < l {
                append_str(b, "truncated-ip6 - ");
                append_decimal(b, l - length);
                append_str(b, " bytes missing!");
            }
            l
        } else {
            length
        };
        if p.len() < 40 {
            if self.o.verbosity > 0 && p.len() >= 8 {
                self.ip6_vheader(b, p, plen);
            }
            append_str(b, " [|ip6]");
            return;
        }
        if self.o.verbosity > 0 {
            self.ip6_vheader(b, p, plen);
        }
        let p = &p[..p.len().min(len)];
        let (src, dst) = (&p[8..24], &p[24..40]);
        let mut nh = p[6];
        let mut pos = 40usize;
        let mut advance = 40usize;
        let mut fragmented = false;
        let _ = &mut advance;
        len -= 40;
        loop {
            if pos >= p.len() {
                return;
            }
            if pos == 40 && !matches!(nh, TCP | UDP | DCCP | SCTP) {
                out::ip6(b, src);
                append_str(b, " > ");
                out::ip6(b, dst);
                append_str(b, ": ");
            }
            let cp = &p[pos..];
            match nh {
                HOP_BY_HOP | DESTINATION_OPTIONS => {
                    let Some(&l) = cp.get(1) else {
                        append_str(b, " [|ip6]");
                        return;
                    };
                    let hl = (l as usize + 1) * 8;
                    if cp.len() < hl {
                        append_str(b, if nh == HOP_BY_HOP { " [|hbh]" } else { " [|dstopt]" });
                        return;
                    }
                    append_str(b, if nh == HOP_BY_HOP { "HBH " } else { "DSTOPT " });
                    if self.o.verbosity > 0 {
                        ip6_opts(b, &cp[2..hl]);
                    }
                    nh = cp[0];
                    advance = hl;
                }
                FRAGMENT => {
                    if cp.len() < 8 {
                        append_str(b, " [|frag]");
                        return;
                    }
                    let offlg = be16(cp, 2).unwrap_or(0);
                    let flen = (plen as usize + 40).saturating_sub(pos + 8);
                    append_str(b, "frag (");
                    if self.o.verbosity > 0 {
                        append_str(b, "0x");
                        hex(b, be32(cp, 4).unwrap_or(0) as u64, 8);
                        b.push(b':');
                    }
                    append_decimal(b, offlg & 0xfff8);
                    b.push(b'|');
                    append_decimal(b, flen);
                    b.push(b')');
                    if offlg & 0xfff8 != 0 {
                        return;
                    }
                    b.push(b' ');
                    fragmented = true;
                    nh = cp[0];
                    advance = 8;
                }
                ROUTING => {
                    let Some(hl) = self.rt6(b, cp) else {
                        return;
                    };
                    nh = cp[0];
                    advance = hl;
                }
                AH => {
                    let Some(hl) = ah(b, cp, self.o.verbosity) else {
                        return;
                    };
                    nh = cp[0];
                    advance = hl;
                }
                _ => {
                    let ctx = IpCtx { v6: true, src, dst, direct: pos == 40, fragmented, ttl: p[7] };
                    self.demux(b, cp, len, nh, ctx);
                    return;
                }
            }
            if len < advance {
                append_str(b, " [|ip6]");
                return;
            }
            pos += advance;
            len -= advance;
        }
    }

    pub(super) fn ip6_vheader(&self, b: &mut Vec<u8>, p: &[u8], plen: u16) {
        let flow = be32(p, 0).unwrap_or(0);
        b.push(b'(');
        if flow & 0x0ff0_0000 != 0 {
            append_str(b, "class 0x");
            hex(b, ((flow & 0x0ff0_0000) >> 20) as u64, 2);
            append_str(b, ", ");
        }
        if flow & 0x000f_ffff != 0 {
            append_str(b, "flowlabel 0x");
            hex(b, (flow & 0x000f_ffff) as u64, 5);
            append_str(b, ", ");
        }
        append_str(b, "hlim ");
        append_decimal(b, p[7]);
        append_str(b, ", next-header ");
        append_str(b, ipv4p::proto_name(p[6]).unwrap_or("unknown"));
        append_str(b, " (");
        append_decimal(b, p[6]);
        append_str(b, ") payload length: ");
        append_decimal(b, plen);
        append_str(b, ") ");
    }

    pub(super) fn rt6(&self, b: &mut Vec<u8>, cp: &[u8]) -> Option<usize> {
        let (Some(&l), Some(&ty), Some(&segleft)) = (cp.get(1), cp.get(2), cp.get(3)) else {
            append_str(b, " [|srcrt]");
            return None;
        };
        append_str(b, "RT6 (len=");
        append_decimal(b, l);
        append_str(b, ", type=");
        append_decimal(b, ty);
        if ty == 0 {
            append_str(b, " [Deprecated]");
        }
        append_str(b, ", segleft=");
        append_decimal(b, segleft);
        match ty {
            0 | 2 => {
                let rsv = be32(cp, 4);
                if let Some(r) = rsv
                    && self.o.verbosity > 0
                {
                    append_str(b, ", rsv=0x");
                    out::hex_min(b, r as u64);
                }
                if l % 2 == 1 {
                    append_str(b, " [|srcrt]");
                    return None;
                }
                for i in 0..(l as usize / 2) {
                    let Some(a) = cp.get(8 + i * 16..8 + i * 16 + 16) else {
                        append_str(b, " [|srcrt]");
                        return None;
                    };
                    append_str(b, ", [");
                    append_decimal(b, i);
                    b.push(b']');
                    out::ip6(b, a);
                }
                append_str(b, ") ");
                Some((l as usize + 1) * 8)
            }
            _ => {
                append_str(b, " [|srcrt]");
                None
            }
        }
    }

    /// tcpdump's ip_demux_print for the protocols pktkit prints.
    pub(super) fn demux(&mut self, b: &mut Vec<u8>, p: &[u8], length: usize, nh: u8, ctx: IpCtx<'_>) {
        match nh {
            TCP => self.tcp(b, p, length, ctx),
            UDP => self.udp(b, p, length, ctx),
            ICMP if !ctx.v6 => self.icmp(b, p, length, ctx),
            ICMPV6 => self.icmp6(b, p, length, &ctx, ctx.fragmented),
            AH if !ctx.v6 => {
                let Some(hl) = ah(b, p, self.o.verbosity) else {
                    return;
                };
                if p.len() < hl || length < hl {
                    return;
                }
                let ctx = IpCtx { direct: false, ..ctx };
                self.demux(b, &p[hl..], length - hl, p[0], ctx);
            }
            SCTP => self.sctp(b, p, length, ctx),
            DCCP => {
                // tcpdump's dccp_print starts with the addresses and ports; what follows is
                // not decoded here.
                let (Some(sp), Some(dp)) = (be16(p, 0), be16(p, 2)) else {
                    append_str(b, " [|sctp]");
                    return;
                };
                let ctx = IpCtx { direct: true, ..ctx };
                Self::addrs(b, &ctx, Some((sp, dp)));
                append_str(b, "DCCP");
            }
            IGMP if !ctx.v6 => self.igmp(b, p, length),
            IPIP | IPV6 => {
                if nh == IPIP {
                    self.ip4(b, p, length);
                } else {
                    self.ip6(b, p, length);
                }
            }
            GRE => self.gre(b, p, length),
            VRRP => self.vrrp(b, p, length, &ctx),
            OSPF => self.ospf(b, p, length, ctx.v6),
            ESP => {
                let (Some(spi), Some(seq)) = (be32(p, 0), be32(p, 4)) else {
                    append_str(b, " [|ESP]");
                    return;
                };
                append_str(b, "ESP(spi=0x");
                hex(b, spi as u64, 8);
                append_str(b, ",seq=0x");
                out::hex_min(b, seq as u64);
                append_str(b, "), length ");
                append_decimal(b, length);
            }
            _ => {
                append_str(b, " ip-proto-");
                append_decimal(b, nh);
                b.push(b' ');
                append_decimal(b, length);
            }
        }
    }

    pub(super) fn addrs(b: &mut Vec<u8>, ctx: &IpCtx<'_>, ports: Option<(u16, u16)>) {
        let addr = |b: &mut Vec<u8>, a: &[u8]| {
            if ctx.v6 { out::ip6(b, a) } else { out::ip4(b, a) }
        };
        if ctx.direct {
            addr(b, ctx.src);
            if let Some((sp, _)) = ports {
                b.push(b'.');
                append_decimal(b, sp);
            }
            append_str(b, " > ");
            addr(b, ctx.dst);
            if let Some((_, dp)) = ports {
                b.push(b'.');
                append_decimal(b, dp);
            }
            append_str(b, ": ");
        } else if let Some((sp, dp)) = ports {
            append_decimal(b, sp);
            append_str(b, " > ");
            append_decimal(b, dp);
            append_str(b, ": ");
        }
    }
}

/// tcpdump's ah_print; returns the header length.
pub(super) fn ah(b: &mut Vec<u8>, p: &[u8], verbosity: u8) -> Option<usize> {
    let (Some(&l), Some(spi), Some(seq)) = (p.get(1), be32(p, 4), be32(p, 8)) else {
        append_str(b, " [|AH]");
        return None;
    };
    let hl = (l as usize + 2) * 4;
    append_str(b, "AH(");
    if verbosity > 0 {
        append_str(b, "length=");
        append_decimal(b, l);
        b.push(b'(');
        append_decimal(b, hl);
        append_str(b, "-bytes),");
    }
    append_str(b, "spi=0x");
    hex(b, spi as u64, 8);
    append_str(b, ",seq=0x");
    out::hex_min(b, seq as u64);
    if hl > 12 {
        let Some(icv) = p.get(12..hl) else {
            append_str(b, " [|AH]");
            return None;
        };
        append_str(b, ",icv=0x");
        out::hex_bytes(b, icv);
    }
    append_str(b, "): ");
    Some(hl)
}

/// tcpdump's ip_optprint.
pub(super) fn ip_options(b: &mut Vec<u8>, mut cp: &[u8]) {
    let mut sep = "";
    while !cp.is_empty() {
        append_str(b, sep);
        sep = ",";
        let code = cp[0];
        match ipv4p::option_name(code) {
            Some(n) => append_str(b, n),
            None => {
                append_str(b, "unknown ");
                append_decimal(b, code);
            }
        }
        let olen = if code <= 1 {
            1
        } else {
            let Some(&l) = cp.get(1) else {
                append_str(b, "[|ip]");
                return;
            };
            if l < 2 {
                append_str(b, " [bad length ");
                append_decimal(b, l);
                b.push(b']');
                return;
            }
            l as usize
        };
        if olen > cp.len() {
            append_str(b, " [bad length ");
            append_decimal(b, olen);
            b.push(b']');
            return;
        }
        match code {
            0 => return,
            7 | 131 | 137 => {
                let o = &cp[..olen];
                if olen < 3 {
                    append_str(b, " [bad length ");
                    append_decimal(b, olen);
                    b.push(b']');
                } else {
                    if (olen + 1) & 3 != 0 {
                        append_str(b, " [bad length ");
                        append_decimal(b, olen);
                        b.push(b']');
                    }
                    let ptr = o[2] as usize;
                    let ptr1 = ptr.wrapping_sub(1);
                    if !(3..=olen + 1).contains(&ptr1) || (ptr1 + 1) & 3 != 0 {
                        append_str(b, " [bad ptr ");
                        append_decimal(b, ptr);
                        b.push(b']');
                    }
                    let mut l = 3;
                    while l + 4 <= olen {
                        b.push(b' ');
                        out::ip4(b, &o[l..l + 4]);
                        if ptr1 > l {
                            b.push(b',');
                        }
                        l += 4;
                    }
                }
            }
            68 => ip_timestamp(b, &cp[..olen]),
            148 => {
                if olen < 4 {
                    append_str(b, " [bad length ");
                    append_decimal(b, olen);
                    b.push(b']');
                } else {
                    let v = be16(cp, 2).unwrap_or(0);
                    if v != 0 {
                        append_str(b, " value ");
                        append_decimal(b, v);
                    }
                }
            }
            _ => {}
        }
        cp = &cp[olen..];
    }
}

/// tcpdump's ip_printts: the timestamp option.
pub(super) fn ip_timestamp(b: &mut Vec<u8>, cp: &[u8]) {
    let length = cp.len();
    if length < 4 {
        append_str(b, " [bad length ");
        append_decimal(b, length);
        b.push(b']');
        return;
    }
    append_str(b, " TS{");
    let flags = cp[3];
    let hoplen = if flags & 0xf != 0 { 8 } else { 4 };
    if (length - 4) & (hoplen - 1) != 0 {
        append_str(b, "[bad length ");
        append_decimal(b, length);
        b.push(b']');
    }
    let ptr = (cp[2] as usize).wrapping_sub(1);
    if ptr < 4 || ((ptr - 4) & (hoplen - 1)) != 0 || ptr > length + 1 {
        append_str(b, "[bad ptr ");
        append_decimal(b, cp[2]);
        b.push(b']');
    }
    let mut len = 4;
    match flags & 0xf {
        0 => append_str(b, "TSONLY"),
        1 => append_str(b, "TS+ADDR"),
        3 => append_str(b, "PRESPEC"),
        t => {
            append_str(b, "[bad ts type ");
            append_decimal(b, t);
            b.push(b']');
            len = 0;
        }
    }
    if len == 4 {
        while len < length {
            append_str(b, if ptr == len { " ^ " } else { " " });
            let Some(ts) = be32(cp, len + hoplen - 4) else {
                append_str(b, "[|ip]");
                return;
            };
            append_decimal(b, ts);
            b.push(b'@');
            if hoplen == 8 {
                out::ip4(b, &cp[len..len + 4]);
            }
            len += hoplen;
        }
    }
    if ptr == len {
        append_str(b, " ^ ");
    }
    if flags >> 4 != 0 {
        append_str(b, " [");
        append_decimal(b, flags >> 4);
        append_str(b, " hops not recorded]} ");
    } else {
        b.push(b'}');
    }
}

/// IPv6 hop-by-hop / destination options, as tcpdump -v prints them (common ones).
pub(super) fn ip6_opts(b: &mut Vec<u8>, mut cp: &[u8]) {
    while let Some(&t) = cp.first() {
        if t == 0 {
            append_str(b, "(pad1)");
            cp = &cp[1..];
            continue;
        }
        let Some(&l) = cp.get(1) else {
            append_str(b, "[|ip6]");
            break;
        };
        let l = l as usize + 2;
        if cp.len() < l {
            append_str(b, "[|ip6]");
            break;
        }
        match t {
            1 => append_str(b, "(padn)"),
            5 => {
                append_str(b, "(rtalert: 0x");
                hex(b, be16(cp, 2).unwrap_or(0) as u64, 4);
                append_str(b, ") ");
            }
            0xc2 => {
                append_str(b, "(jumbo: ");
                append_decimal(b, be32(cp, 2).unwrap_or(0));
                append_str(b, ") ");
            }
            _ => {
                append_str(b, "(opt_type 0x");
                hex(b, t as u64, 2);
                append_str(b, ": len=");
                append_decimal(b, l - 2);
                b.push(b')');
            }
        }
        cp = &cp[l..];
    }
    b.push(b' ');
}
