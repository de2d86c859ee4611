//! ICMPv6 as tcpdump's `icmp6_print`: errors, echo, neighbour discovery and its options,
//! MLD, router advertisements.

use crate::proto::icmpv6 as icmp6c;
use crate::proto::ip_proto;
use crate::render::out::{self, append_decimal, append_str, be16, be32, hex};

use super::cksum::{fold, pseudo, shouldbe, sum_be};
use super::dump::{hex_ascii, hex_indent};
use super::netdissect;
use super::{IpCtx, TextPrinter};

impl TextPrinter {
    pub(super) fn icmp6(
        &mut self,
        b: &mut Vec<u8>,
        p: &[u8],
        length: usize,
        ctx: &IpCtx<'_>,
        fragmented: bool,
    ) {
        let (Some(&ty), Some(&code)) = (p.first(), p.get(1)) else {
            append_str(b, " [|icmp6]");
            return;
        };
        if self.o.verbosity > 0 && !fragmented && p.len() >= length {
            let field = be16(p, 2).unwrap_or(0);
            let sum = fold(sum_be(&p[..length], pseudo(ctx, 58, length)));
            if sum != 0xffff {
                append_str(b, "[bad icmp6 cksum 0x");
                hex(b, field as u64, 4);
                append_str(b, " -> 0x");
                hex(b, shouldbe(field, !sum) as u64, 4);
                append_str(b, "!] ");
            } else {
                append_str(b, "[icmp6 sum ok] ");
            }
        }
        let start = b.len();
        append_str(b, "ICMP6, ");
        match icmp6_name(ty) {
            Some(n) => append_str(b, n),
            None => {
                append_str(b, "unknown icmp6 type (");
                append_decimal(b, ty);
                b.push(b')');
            }
        }
        let v = self.o.verbosity;
        if v > 0 && matches!(ty, 133..=137 | 145 | 147) {
            append_str(b, ", length ");
            append_decimal(b, length);
        }
        let oip = p.get(8..).unwrap_or(&[]);
        let trunc = |b: &mut Vec<u8>| {
            append_str(b, " [|icmp6]");
        };
        match ty {
            icmp6c::UNREACH => {
                append_str(b, ", ");
                append_str(
                    b,
                    match code {
                        0 => "unreachable route",
                        1 => "unreachable prohibited",
                        2 => "beyond scope",
                        3 => "unreachable address",
                        4 => "unreachable port",
                        _ => "",
                    },
                );
                if code > 4 {
                    b.truncate(b.len() - 2);
                    append_str(b, ", unknown unreach code (");
                    append_decimal(b, code);
                    b.push(b')');
                }
                match code {
                    0 | 1 | 3 => match oip.get(24..40) {
                        Some(a) => {
                            b.push(b' ');
                            out::ip6(b, a);
                        }
                        None => return trunc(b),
                    },
                    2 => match (oip.get(24..40), oip.get(8..24)) {
                        (Some(dst), Some(src)) => {
                            b.push(b' ');
                            out::ip6(b, dst);
                            append_str(b, ", source address ");
                            out::ip6(b, src);
                        }
                        _ => return trunc(b),
                    },
                    4 => {
                        let Some((prot, ul)) = upper_layer6(oip) else {
                            return trunc(b);
                        };
                        let Some(dport) = be16(ul, 2) else {
                            return trunc(b);
                        };
                        let dst = &oip[24..40];
                        match prot {
                            ip_proto::TCP | ip_proto::UDP => {
                                append_str(b, ", ");
                                out::ip6(b, dst);
                                append_str(
                                    b,
                                    if prot == ip_proto::TCP { " tcp port " } else { " udp port " },
                                );
                                append_decimal(b, dport);
                            }
                            _ => {
                                append_str(b, ", ");
                                out::ip6(b, dst);
                                append_str(b, " protocol ");
                                append_decimal(b, prot);
                                append_str(b, " port ");
                                append_decimal(b, dport);
                                append_str(b, " unreachable");
                            }
                        }
                    }
                    _ => {}
                }
            }
            icmp6c::PACKET_TOO_BIG => match be32(p, 4) {
                Some(mtu) => {
                    append_str(b, ", mtu ");
                    append_decimal(b, mtu);
                }
                None => return trunc(b),
            },
            icmp6c::TIME_EXCEEDED => match code {
                0 => match oip.get(24..40) {
                    Some(a) => {
                        append_str(b, " for ");
                        out::ip6(b, a);
                    }
                    None => return trunc(b),
                },
                1 => append_str(b, " (reassembly)"),
                _ => {
                    append_str(b, ", unknown code (");
                    append_decimal(b, code);
                    b.push(b')');
                }
            },
            icmp6c::PARAM_PROBLEM => {
                let Some(ptr) = be32(p, 4) else { return trunc(b) };
                if oip.len() < 40 {
                    return trunc(b);
                }
                match code {
                    0 => append_str(b, ", erroneous - octet "),
                    1 => append_str(b, ", next header - octet "),
                    2 => append_str(b, ", option - octet "),
                    3 => append_str(b, ", incomplete header chain - octet "),
                    _ => {
                        append_str(b, ", code-#");
                        append_decimal(b, code);
                    }
                }
                if code <= 3 {
                    append_decimal(b, ptr);
                }
            }
            icmp6c::ECHO_REQUEST | icmp6c::ECHO_REPLY => match (be16(p, 4), be16(p, 6)) {
                (Some(id), Some(seq)) => {
                    append_str(b, ", id ");
                    append_decimal(b, id);
                    append_str(b, ", seq ");
                    append_decimal(b, seq);
                }
                _ => return trunc(b),
            },
            130 => {
                if length == 24 {
                    append_str(b, " v1");
                    if !mld6(b, p) {
                        return trunc(b);
                    }
                } else if length >= 28 {
                    append_str(b, " v2");
                    let Some(mrc) = be16(p, 4) else { return trunc(b) };
                    if v > 0 {
                        let mrt: u32 = if mrc < 32768 {
                            mrc as u32
                        } else {
                            ((mrc as u32 & 0x0fff) | 0x1000) << (((mrc as u32 & 0x7000) >> 12) + 3)
                        };
                        append_str(b, " [max resp delay=");
                        append_decimal(b, mrt);
                        b.push(b']');
                    }
                    let Some(g) = p.get(8..24) else { return trunc(b) };
                    append_str(b, " [gaddr ");
                    out::ip6(b, g);
                    if v > 0 {
                        let (Some(&f), Some(&qqic)) = (p.get(24), p.get(25)) else { return trunc(b) };
                        if f & 0x08 != 0 {
                            append_str(b, " sflag");
                        }
                        if f & 0x07 != 0 {
                            append_str(b, " robustness=");
                            append_decimal(b, f & 7);
                        }
                        let qqi: u32 = if qqic < 128 {
                            qqic as u32
                        } else {
                            ((qqic as u32 & 0x0f) | 0x10) << (((qqic as u32 & 0x70) >> 4) + 3)
                        };
                        append_str(b, " qqi=");
                        append_decimal(b, qqi);
                    }
                    let Some(nsrcs) = be16(p, 26) else { return trunc(b) };
                    if nsrcs > 0 {
                        if length < 28 + nsrcs as usize * 16 {
                            append_str(b, " [invalid number of sources]");
                        } else {
                            append_str(b, ", ");
                            append_decimal(b, nsrcs);
                            append_str(b, " source(s)");
                        }
                    }
                    b.push(b']');
                } else {
                    append_str(b, " unknown-version (len ");
                    append_decimal(b, length);
                    append_str(b, ") ");
                }
            }
            131 | 132 => {
                if !mld6(b, p) {
                    return trunc(b);
                }
            }
            133 => {
                if v > 0 && !nd_options(b, p, length, 8, v) {
                    return trunc(b);
                }
            }
            134 => {
                if v > 0 {
                    let (Some(&hl), Some(&fl), Some(life), Some(reach), Some(retrans)) =
                        (p.get(4), p.get(5), be16(p, 6), be32(p, 8), be32(p, 12))
                    else {
                        return trunc(b);
                    };
                    append_str(b, "\n\thop limit ");
                    append_decimal(b, hl);
                    append_str(b, ", Flags [");
                    netdissect::bit_names(
                        b,
                        u32::from(fl),
                        &[(0x80u8, "managed"), (0x40, "other stateful"), (0x20, "home agent")],
                    );
                    append_str(b, "], pref ");
                    append_str(
                        b,
                        match fl & 0x18 {
                            0x08 => "high",
                            0x18 => "low",
                            0x10 => "reserved",
                            _ => "medium",
                        },
                    );
                    append_str(b, ", router lifetime ");
                    append_decimal(b, life);
                    append_str(b, "s, reachable time ");
                    append_decimal(b, reach);
                    append_str(b, "ms, retrans timer ");
                    append_decimal(b, retrans);
                    append_str(b, "ms");
                    if !nd_options(b, p, length, 16, v) {
                        return trunc(b);
                    }
                }
            }
            icmp6c::NEIGHBOR_SOLICIT => match p.get(8..24) {
                Some(t) => {
                    append_str(b, ", who has ");
                    out::ip6(b, t);
                    if v > 0 && !nd_options(b, p, length, 24, v) {
                        return trunc(b);
                    }
                }
                None => return trunc(b),
            },
            icmp6c::NEIGHBOR_ADVERT => match p.get(8..24) {
                Some(t) => {
                    append_str(b, ", tgt is ");
                    out::ip6(b, t);
                    if v > 0 {
                        let f = be32(p, 4).unwrap_or(0);
                        append_str(b, ", Flags [");
                        netdissect::bit_names(
                            b,
                            f,
                            &[
                                (0x8000_0000u32, "router"),
                                (0x4000_0000, "solicited"),
                                (0x2000_0000, "override"),
                            ],
                        );
                        b.push(b']');
                        if !nd_options(b, p, length, 24, v) {
                            return trunc(b);
                        }
                    }
                }
                None => return trunc(b),
            },
            icmp6c::REDIRECT => match (p.get(24..40), p.get(8..24)) {
                (Some(dst), Some(tgt)) => {
                    append_str(b, ", ");
                    out::ip6(b, dst);
                    append_str(b, " to ");
                    out::ip6(b, tgt);
                    if v > 0 && !nd_options(b, p, length, 40, v) {
                        return trunc(b);
                    }
                }
                _ => return trunc(b),
            },
            143 => {
                if length < 8 {
                    append_str(b, " [invalid len ");
                    append_decimal(b, length);
                    b.push(b']');
                } else {
                    let Some(n) = be16(p, 6) else { return trunc(b) };
                    append_str(b, ", ");
                    append_decimal(b, n);
                    append_str(b, " group record(s)");
                    if v > 0 {
                        let mut g = 8usize;
                        for _ in 0..n {
                            if length < g + 20 {
                                append_str(b, " [invalid number of groups]");
                                return;
                            }
                            let (Some(addr), Some(&ty), Some(nsrcs)) =
                                (p.get(g + 4..g + 20), p.get(g), be16(p, g + 2))
                            else {
                                return trunc(b);
                            };
                            append_str(b, " [gaddr ");
                            out::ip6(b, addr);
                            b.push(b' ');
                            match ty {
                                1 => append_str(b, "is_in"),
                                2 => append_str(b, "is_ex"),
                                3 => append_str(b, "to_in"),
                                4 => append_str(b, "to_ex"),
                                5 => append_str(b, "allow"),
                                6 => append_str(b, "block"),
                                _ => {
                                    append_str(b, " [v2-report-#");
                                    append_decimal(b, ty);
                                    b.push(b']');
                                }
                            }
                            let ns = nsrcs as usize;
                            if length < g + 20 + ns * 16 {
                                append_str(b, " [invalid number of sources ");
                                append_decimal(b, ns);
                                b.push(b']');
                                return;
                            }
                            if v == 1 {
                                append_str(b, ", ");
                                append_decimal(b, ns);
                                append_str(b, " source(s)");
                            } else {
                                append_str(b, " {");
                                for j in 0..ns {
                                    let Some(src) = p.get(g + 20 + j * 16..g + 36 + j * 16) else {
                                        return trunc(b);
                                    };
                                    b.push(b' ');
                                    out::ip6(b, src);
                                }
                                append_str(b, " }");
                            }
                            g += 20 + ns * 16;
                            b.push(b']');
                        }
                    }
                }
            }
            141 | 142 => {}
            144 | 146 => match be16(p, 4) {
                Some(id) => {
                    append_str(b, ", id 0x");
                    hex(b, id as u64, 4);
                }
                None => return trunc(b),
            },
            _ => {
                if icmp6_name(ty).is_none() || !matches!(ty, 138 | 139 | 140 | 145 | 147 | 155) {
                    append_str(b, ", length ");
                    append_decimal(b, length);
                    if v <= 1 {
                        hex_ascii(b, p.get(..p.len().min(length)).unwrap_or(p), 0);
                    }
                    return;
                }
                b.truncate(start);
                append_str(b, "ICMP6, ");
                append_str(b, icmp6_name(ty).unwrap_or(""));
            }
        }
        if v == 0 {
            append_str(b, ", length ");
            append_decimal(b, length);
        }
    }
}

/// tcpdump's icmp6_opt_print: neighbour discovery options after `start` bytes of the
/// message (which is `length` bytes on the wire). False on a cut option.
pub(super) fn nd_options(b: &mut Vec<u8>, p: &[u8], length: usize, start: usize, verbosity: u8) -> bool {
    let end = length.min(p.len());
    let mut off = start;
    while off < end {
        let (Some(&ty), Some(&len8)) = (p.get(off), p.get(off + 1)) else {
            return false;
        };
        let olen = len8 as usize * 8;
        if len8 == 0 || off + olen > end {
            return false;
        }
        let o = &p[off..off + olen];
        append_str(b, "\n\t  ");
        append_str(
            b,
            match ty {
                1 => "source link-address",
                2 => "destination link-address",
                3 => "prefix info",
                4 => "redirected header",
                5 => "mtu",
                7 => "advertisement interval",
                8 => "homeagent information",
                24 => "route info",
                25 => "rdnss",
                31 => "dnssl",
                _ => "unknown",
            },
        );
        append_str(b, " option (");
        append_decimal(b, ty);
        append_str(b, "), length ");
        append_decimal(b, olen);
        append_str(b, " (");
        append_decimal(b, len8);
        append_str(b, "): ");
        let lifetime = |b: &mut Vec<u8>, v: u32| {
            if v == u32::MAX {
                append_str(b, "infinity");
            } else {
                append_decimal(b, v);
                b.push(b's');
            }
        };
        match ty {
            1 | 2 => out::mac(b, &o[2..]),
            3 if olen >= 32 => {
                out::ip6(b, &o[16..32]);
                b.push(b'/');
                append_decimal(b, o[2]);
                append_str(b, if len8 != 4 { "badlen" } else { "" });
                append_str(b, ", Flags [");
                netdissect::bit_names(
                    b,
                    u32::from(o[3]),
                    &[(0x80u8, "onlink"), (0x40, "auto"), (0x20, "router")],
                );
                append_str(b, "], valid time ");
                lifetime(b, be32(o, 4).unwrap_or(0));
                append_str(b, ", pref. time ");
                lifetime(b, be32(o, 8).unwrap_or(0));
            }
            5 => {
                b.push(b' ');
                append_decimal(b, be32(o, 4).unwrap_or(0));
                if len8 != 1 {
                    append_str(b, "badlen");
                }
            }
            7 => {
                b.push(b' ');
                append_decimal(b, be32(o, 4).unwrap_or(0));
                append_str(b, "ms");
            }
            8 => {
                append_str(b, " preference ");
                append_decimal(b, be16(o, 4).unwrap_or(0));
                append_str(b, ", lifetime ");
                append_decimal(b, be16(o, 6).unwrap_or(0));
            }
            24 => {
                let mut prefix = [0u8; 16];
                let n = (olen - 8).min(16);
                prefix[..n].copy_from_slice(&o[8..8 + n]);
                b.push(b' ');
                out::ip6(b, &prefix);
                b.push(b'/');
                append_decimal(b, o[2]);
                append_str(b, ", pref=");
                append_str(
                    b,
                    match o[3] & 0x18 {
                        0x08 => "high",
                        0x18 => "low",
                        0x10 => "rsv",
                        _ => "medium",
                    },
                );
                append_str(b, ", lifetime=");
                lifetime(b, be32(o, 4).unwrap_or(0));
            }
            25 => {
                append_str(b, " lifetime ");
                lifetime(b, be32(o, 4).unwrap_or(0));
                b.push(b',');
                for a in o[8..].chunks_exact(16) {
                    append_str(b, " addr: ");
                    out::ip6(b, a);
                }
            }
            31 => {
                append_str(b, " lifetime ");
                lifetime(b, be32(o, 4).unwrap_or(0));
                append_str(b, ", domain(s):");
                // Uncompressed DNS names, zero padded.
                let mut q = &o[8..];
                while let Some(&l) = q.first() {
                    if l == 0 {
                        q = &q[1..];
                        if q.iter().all(|&x| x == 0) {
                            break;
                        }
                        continue;
                    }
                    b.push(b' ');
                    let mut name = q;
                    while let Some(&ll) = name.first() {
                        if ll == 0 || ll as usize + 1 > name.len() {
                            break;
                        }
                        for &c in &name[1..=ll as usize] {
                            b.push(if c.is_ascii_graphic() { c } else { b'.' });
                        }
                        b.push(b'.');
                        name = &name[ll as usize + 1..];
                    }
                    q = name.get(1..).unwrap_or(&[]);
                }
            }
            _ => {
                if verbosity <= 1 {
                    hex_indent(b, &o[2..], "\n\t  ");
                    return true;
                }
            }
        }
        if verbosity > 1 {
            hex_indent(b, &o[2..], "\n\t    ");
        }
        off += olen;
    }
    true
}

pub(super) fn mld6(b: &mut Vec<u8>, p: &[u8]) -> bool {
    match (be16(p, 4), p.get(8..24)) {
        (Some(d), Some(a)) => {
            append_str(b, "max resp delay: ");
            append_decimal(b, d);
            append_str(b, " addr: ");
            out::ip6(b, a);
            true
        }
        _ => false,
    }
}

/// The transport header quoted in an ICMPv6 error (after the IPv6 header and extensions).
pub(super) fn upper_layer6(oip: &[u8]) -> Option<(u8, &[u8])> {
    if oip.len() < 40 {
        return None;
    }
    let mut nh = oip[6];
    let mut pos = 40;
    loop {
        match nh {
            ip_proto::HOP_BY_HOP | ip_proto::DESTINATION_OPTIONS | ip_proto::ROUTING => {
                let l = (*oip.get(pos + 1)? as usize + 1) * 8;
                nh = *oip.get(pos)?;
                pos += l;
            }
            ip_proto::FRAGMENT => {
                nh = *oip.get(pos)?;
                pos += 8;
            }
            ip_proto::AH => {
                let l = (*oip.get(pos + 1)? as usize + 2) * 4;
                nh = *oip.get(pos)?;
                pos += l;
            }
            _ => return Some((nh, oip.get(pos..)?)),
        }
    }
}

pub(super) fn icmp6_name(t: u8) -> Option<&'static str> {
    Some(match t {
        1 => "destination unreachable",
        2 => "packet too big",
        3 => "time exceeded in-transit",
        4 => "parameter problem",
        128 => "echo request",
        129 => "echo reply",
        130 => "multicast listener query",
        131 => "multicast listener report",
        132 => "multicast listener done",
        133 => "router solicitation",
        134 => "router advertisement",
        135 => "neighbor solicitation",
        136 => "neighbor advertisement",
        137 => "redirect",
        138 => "router renumbering",
        139 => "node information query",
        140 => "node information reply",
        141 => "inverse neighbor solicitation",
        142 => "inverse neighbor advertisement",
        143 => "multicast listener report v2",
        144 => "ha discovery request",
        145 => "ha discovery reply",
        146 => "mobile router solicitation",
        147 => "mobile router advertisement",
        155 => "RPL",
        _ => return None,
    })
}
