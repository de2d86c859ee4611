//! IGMP as tcpdump's `igmp_print` (queries v1/v2/v3, reports, leave).

use crate::render::out::{self, append_decimal, append_str, be16, be32};

use super::TextPrinter;
use super::cksum::{fold, sum_be};

impl TextPrinter {
    /// tcpdump's igmp_print (queries, v1/v2/v3 reports, leave).
    pub(super) fn igmp(&mut self, b: &mut Vec<u8>, p: &[u8], len: usize) {
        let Some(&ty) = p.first() else {
            append_str(b, " [|igmp]");
            return;
        };
        if self.o.quiet {
            append_str(b, "igmp");
            return;
        }
        let addr4 = |b: &mut Vec<u8>| match p.get(4..8) {
            Some(a) => {
                out::ip4(b, a);
                true
            }
            None => false,
        };
        let ok = match ty {
            0x11 => {
                append_str(b, "igmp query");
                if len >= 12 {
                    igmpv3_query(b, p, len, self.o.verbosity)
                } else {
                    match (p.get(1), be32(p, 4)) {
                        (Some(&mrt), Some(g)) => {
                            if mrt != 0 {
                                append_str(b, " v2");
                                if mrt != 100 {
                                    append_str(b, " [max resp time ");
                                    append_decimal(b, mrt);
                                    b.push(b']');
                                }
                            } else {
                                append_str(b, " v1");
                            }
                            if g != 0 {
                                append_str(b, " [gaddr ");
                                out::ip4(b, &p[4..8]);
                                b.push(b']');
                            }
                            if len != 8 {
                                append_str(b, " [len ");
                                append_decimal(b, len);
                                b.push(b']');
                            }
                            true
                        }
                        _ => false,
                    }
                }
            }
            0x12 => {
                append_str(b, "igmp v1 report ");
                let ok = addr4(b);
                if ok && len != 8 {
                    append_str(b, " [len ");
                    append_decimal(b, len);
                    b.push(b']');
                }
                ok
            }
            0x16 => {
                append_str(b, "igmp v2 report ");
                addr4(b)
            }
            0x17 => {
                append_str(b, "igmp leave ");
                addr4(b)
            }
            0x22 => {
                append_str(b, "igmp v3 report");
                match be16(p, 6) {
                    Some(n) => {
                        append_str(b, ", ");
                        append_decimal(b, n);
                        append_str(b, " group record(s)");
                        true
                    }
                    None => false,
                }
            }
            _ => {
                append_str(b, "igmp-");
                append_decimal(b, ty);
                true
            }
        };
        if !ok {
            append_str(b, " [|igmp]");
            return;
        }
        if self.o.verbosity > 0 && len >= 4 && p.len() >= len && fold(sum_be(&p[..len], 0)) != 0xffff {
            append_str(b, " bad igmp cksum ");
            out::hex_min(b, be16(p, 2).unwrap_or(0) as u64);
            b.push(b'!');
        }
    }
}

/// tcpdump's print_igmpv3_query.
pub(super) fn igmpv3_query(b: &mut Vec<u8>, p: &[u8], len: usize, verbosity: u8) -> bool {
    let (Some(&mrc), Some(g), Some(nsrcs)) = (p.get(1), be32(p, 4), be16(p, 10)) else {
        return false;
    };
    append_str(b, " v3");
    let mrt: u32 =
        if mrc < 128 { mrc as u32 } else { ((mrc as u32 & 0x0f) | 0x10) << (((mrc as u32 & 0x70) >> 4) + 3) };
    if mrc != 100 {
        append_str(b, " [max resp time ");
        if mrt < 600 {
            append_decimal(b, mrt / 10);
            b.push(b'.');
            append_decimal(b, mrt % 10);
            b.push(b's');
        } else {
            relts(b, mrt / 10);
        }
        b.push(b']');
    }
    if g == 0 {
        return true;
    }
    append_str(b, " [gaddr ");
    out::ip4(b, &p[4..8]);
    if nsrcs > 0 {
        let n = nsrcs as usize;
        if len < 12 + n * 4 {
            append_str(b, " [invalid number of sources]");
        } else if verbosity > 1 {
            append_str(b, " {");
            for i in 0..n {
                let Some(a) = p.get(12 + i * 4..16 + i * 4) else { return false };
                b.push(b' ');
                out::ip4(b, a);
            }
            append_str(b, " }");
        } else {
            append_str(b, ", ");
            append_decimal(b, n);
            append_str(b, " source(s)");
        }
    }
    b.push(b']');
    true
}

/// tcpdump's unsigned_relts_print: 3072 as "51m12s".
pub(super) fn relts(b: &mut Vec<u8>, mut secs: u32) {
    if secs == 0 {
        append_str(b, "0s");
        return;
    }
    for (unit, name) in
        [(31_536_000u32, "y"), (604_800, "w"), (86_400, "d"), (3600, "h"), (60, "m"), (1, "s")]
    {
        if secs >= unit {
            append_decimal(b, secs / unit);
            append_str(b, name);
            secs %= unit;
        }
    }
}
