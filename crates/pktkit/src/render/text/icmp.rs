//! ICMP as tcpdump's `icmp_print`, with the quoted packet of errors.

use crate::render::out::{self, append_decimal, append_str, be16, be32, hex};

use super::cksum::{fold, shouldbe, sum_be};
use super::{IpCtx, TextPrinter};

impl TextPrinter {
    pub(super) fn icmp(&mut self, b: &mut Vec<u8>, p: &[u8], plen: usize, ctx: IpCtx<'_>) {
        let (Some(&ty), Some(&code)) = (p.first(), p.get(1)) else {
            append_str(b, " [|icmp]");
            return;
        };
        append_str(b, "ICMP ");
        let start = b.len();
        // The quoted IP header starts at offset 8.
        let q = p.get(8..).unwrap_or(&[]);
        let qdst = q.get(16..20);
        let need = |b: &mut Vec<u8>, x: Option<&[u8]>| -> bool {
            match x {
                Some(a) => {
                    out::ip4(b, a);
                    true
                }
                None => false,
            }
        };
        let ok: bool = match ty {
            0 | 8 => match (be16(p, 4), be16(p, 6)) {
                (Some(id), Some(seq)) => {
                    append_str(b, if ty == 8 { "echo request, id " } else { "echo reply, id " });
                    append_decimal(b, id);
                    append_str(b, ", seq ");
                    append_decimal(b, seq);
                    true
                }
                _ => false,
            },
            3 => match code {
                2 => {
                    if let (Some(a), Some(&pr)) = (qdst, q.get(9)) {
                        out::ip4(b, a);
                        append_str(b, " protocol ");
                        append_decimal(b, pr);
                        append_str(b, " unreachable");
                        true
                    } else {
                        false
                    }
                }
                3 => {
                    let hl = q.first().map_or(0, |v| (v & 15) as usize * 4);
                    match (qdst, q.get(9), be16(q, hl + 2)) {
                        (Some(a), Some(&pr), Some(dport)) => {
                            out::ip4(b, a);
                            match pr {
                                6 => append_str(b, " tcp port "),
                                17 => append_str(b, " udp port "),
                                _ => {
                                    append_str(b, " protocol ");
                                    append_decimal(b, pr);
                                    append_str(b, " port ");
                                }
                            }
                            append_decimal(b, dport);
                            append_str(b, " unreachable");
                            true
                        }
                        _ => false,
                    }
                }
                4 => match (qdst, be16(p, 6)) {
                    (Some(a), Some(mtu)) => {
                        out::ip4(b, a);
                        append_str(b, " unreachable - need to frag");
                        if mtu != 0 {
                            append_str(b, " (mtu ");
                            append_decimal(b, mtu);
                            b.push(b')');
                        }
                        true
                    }
                    _ => false,
                },
                _ => {
                    let (pre, post) = match code {
                        0 => ("net ", " unreachable"),
                        1 => ("host ", " unreachable"),
                        5 => ("", " unreachable - source route failed"),
                        6 => ("net ", " unreachable - unknown"),
                        7 => ("host ", " unreachable - unknown"),
                        8 => ("", " unreachable - source host isolated"),
                        9 => ("net ", " unreachable - admin prohibited"),
                        10 => ("host ", " unreachable - admin prohibited"),
                        11 => ("net ", " unreachable - tos prohibited"),
                        12 => ("host ", " unreachable - tos prohibited"),
                        13 => ("host ", " unreachable - admin prohibited filter"),
                        14 => ("host ", " unreachable - host precedence violation"),
                        15 => ("host ", " unreachable - precedence cutoff"),
                        _ => ("", ""),
                    };
                    if pre.is_empty() && post.is_empty() {
                        append_str(b, "#");
                        append_decimal(b, code);
                        b.push(b' ');
                        let ok = need(b, qdst);
                        append_str(b, " unreachable");
                        ok
                    } else {
                        append_str(b, pre);
                        let ok = need(b, qdst);
                        append_str(b, post);
                        ok
                    }
                }
            },
            5 => match (qdst, p.get(4..8)) {
                (Some(a), Some(gw)) => {
                    let (pre, mid) = match code {
                        0 => ("redirect ", " to net "),
                        1 => ("redirect ", " to host "),
                        2 => ("redirect-tos ", " to net "),
                        3 => ("redirect-tos ", " to host "),
                        _ => ("", ""),
                    };
                    if pre.is_empty() {
                        append_str(b, "redirect-#");
                        append_decimal(b, code);
                        b.push(b' ');
                        out::ip4(b, a);
                        append_str(b, " to ");
                    } else {
                        append_str(b, pre);
                        out::ip4(b, a);
                        append_str(b, mid);
                    }
                    out::ip4(b, gw);
                    true
                }
                _ => false,
            },
            11 => {
                match code {
                    0 => append_str(b, "time exceeded in-transit"),
                    1 => append_str(b, "ip reassembly time exceeded"),
                    _ => {
                        append_str(b, "time exceeded-#");
                        append_decimal(b, code);
                    }
                }
                true
            }
            12 => {
                if code != 0 {
                    append_str(b, "parameter problem - code ");
                    append_decimal(b, code);
                    true
                } else if let Some(&ptr) = p.get(4) {
                    append_str(b, "parameter problem - octet ");
                    append_decimal(b, ptr);
                    true
                } else {
                    false
                }
            }
            9 => match (p.get(4), p.get(5), be16(p, 6)) {
                (Some(&num), Some(&size), Some(life)) => {
                    append_str(b, "router advertisement lifetime ");
                    let life = life as u32;
                    if life < 60 {
                        append_decimal(b, life);
                    } else if life < 3600 {
                        append_decimal(b, life / 60);
                        b.push(b':');
                        out::append_decimal_padded(b, life % 60, 2, b'0');
                    } else {
                        append_decimal(b, life / 3600);
                        b.push(b':');
                        out::append_decimal_padded(b, life % 3600 / 60, 2, b'0');
                        b.push(b':');
                        out::append_decimal_padded(b, life % 60, 2, b'0');
                    }
                    b.push(b' ');
                    append_decimal(b, num);
                    b.push(b':');
                    if size != 2 {
                        append_str(b, " [size ");
                        append_decimal(b, size);
                        b.push(b']');
                        true
                    } else {
                        let mut ok = true;
                        for i in 0..num as usize {
                            match (p.get(8 + i * 8..12 + i * 8), be32(p, 12 + i * 8)) {
                                (Some(a), Some(pref)) => {
                                    append_str(b, " {");
                                    out::ip4(b, a);
                                    b.push(b' ');
                                    append_decimal(b, pref);
                                    b.push(b'}');
                                }
                                _ => {
                                    ok = false;
                                    break;
                                }
                            }
                        }
                        ok
                    }
                }
                _ => false,
            },
            18 => match be32(p, 8) {
                Some(m) => {
                    append_str(b, "address mask is 0x");
                    hex(b, m as u64, 8);
                    true
                }
                None => false,
            },
            13 => match (be16(p, 4), be16(p, 6)) {
                (Some(id), Some(seq)) => {
                    append_str(b, "time stamp query id ");
                    append_decimal(b, id);
                    append_str(b, " seq ");
                    append_decimal(b, seq);
                    true
                }
                _ => false,
            },
            14 => match (be16(p, 4), be16(p, 6), be32(p, 8), be32(p, 12), be32(p, 16)) {
                (Some(id), Some(seq), Some(org), Some(recv), Some(xmit)) => {
                    append_str(b, "time stamp reply id ");
                    append_decimal(b, id);
                    append_str(b, " seq ");
                    append_decimal(b, seq);
                    append_str(b, ": org ");
                    tstamp(b, org);
                    append_str(b, ", recv ");
                    tstamp(b, recv);
                    append_str(b, ", xmit ");
                    tstamp(b, xmit);
                    true
                }
                _ => false,
            },
            _ => {
                match ty {
                    4 => append_str(b, "source quench"),
                    10 => append_str(b, "router solicitation"),
                    15 => append_str(b, "information request"),
                    16 => append_str(b, "information reply"),
                    17 => append_str(b, "address mask request"),
                    _ => {
                        append_str(b, "type-#");
                        append_decimal(b, ty);
                    }
                }
                true
            }
        };
        if !ok {
            b.truncate(start);
            append_str(b, " [|icmp]");
            return;
        }
        append_str(b, ", length ");
        append_decimal(b, plen);
        if self.o.verbosity > 0 && !ctx.fragmented && p.len() >= plen {
            let sum = fold(sum_be(&p[..plen], 0));
            if sum != 0xffff {
                let field = be16(p, 2).unwrap_or(0);
                append_str(b, " (wrong icmp cksum ");
                out::hex_min(b, field as u64);
                append_str(b, " (->");
                out::hex_min(b, shouldbe(field, !sum) as u64);
                append_str(b, ")!)");
            }
        }
        if self.o.verbosity > 0 && matches!(ty, 3 | 4 | 5 | 11 | 12) && q.len() >= 4 {
            append_str(b, "\n\t");
            let qlen = be16(q, 2).unwrap_or(0) as usize;
            self.ip4(b, q, qlen);
        }
    }
}

/// tcpdump's icmp_tstamp_print: milliseconds since midnight as `hh:mm:ss.mmm` (the hours
/// are not wrapped).
fn tstamp(b: &mut Vec<u8>, ms: u32) {
    let secs = ms / 1000;
    out::append_decimal_padded(b, secs / 3600, 2, b'0');
    b.push(b':');
    out::append_decimal_padded(b, secs / 60 % 60, 2, b'0');
    b.push(b':');
    out::append_decimal_padded(b, secs % 60, 2, b'0');
    b.push(b'.');
    out::append_decimal_padded(b, ms % 1000, 3, b'0');
}
