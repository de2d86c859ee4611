//! TCP as tcpdump's `tcp_print`: flags, relative sequence numbers, checksums, options
//! (MPTCP, TCP-AO, fast open, ...), then the application summary.

use crate::proto::tcp as tcpp;
use crate::render::out::{self, append_decimal, append_str, be16, be32, hex};

use super::cksum::{fold, pseudo, shouldbe, sum_be};
use super::{FlowKey, IpCtx, MAX_TCP_FLOWS, TextPrinter};

impl TextPrinter {
    pub(super) fn tcp(&mut self, b: &mut Vec<u8>, p: &[u8], length: usize, ctx: IpCtx<'_>) {
        let (Some(sport), Some(dport)) = (be16(p, 0), be16(p, 2)) else {
            Self::addrs(b, &ctx, None);
            append_str(b, " [|tcp]");
            return;
        };
        Self::addrs(b, &ctx, Some((sport, dport)));
        if p.len() < 20 {
            append_str(b, " [|tcp]");
            return;
        }
        let hlen = (p[12] >> 4) as usize * 4;
        if hlen < 20 {
            append_str(b, " tcp ");
            append_decimal(b, length.wrapping_sub(hlen) as u32);
            append_str(b, " [bad hdr length ");
            append_decimal(b, hlen);
            append_str(b, " - too short, < 20]");
            return;
        }
        if self.o.quiet {
            append_str(b, "tcp ");
            append_decimal(b, length.wrapping_sub(hlen) as u32);
            if hlen > length {
                bad_header_length(b, hlen, length);
            }
            return;
        }
        let mut seq = be32(p, 4).unwrap_or(0);
        let mut ack = be32(p, 8).unwrap_or(0);
        let flags = p[13];
        let win = be16(p, 14).unwrap_or(0);
        let urp = be16(p, 18).unwrap_or(0);
        append_str(b, "Flags [");
        let mut fb = [0u8; 8];
        append_str(b, tcpp::tcpdump_flags(flags, &mut fb));
        b.push(b']');
        let (mut thseq, mut thack, mut rev) = (0u32, 0u32, false);
        if flags & tcpp::ACK != 0 && !self.o.absolute_seq {
            let mut a = [0u8; 16];
            let mut z = [0u8; 16];
            a[..ctx.src.len()].copy_from_slice(ctx.src);
            z[..ctx.dst.len()].copy_from_slice(ctx.dst);
            rev = sport > dport || (sport == dport && a > z);
            let k = if rev {
                FlowKey { a: z, b: a, ports: (dport as u32) << 16 | sport as u32, v6: ctx.v6 }
            } else {
                FlowKey { a, b: z, ports: (sport as u32) << 16 | dport as u32, v6: ctx.v6 }
            };
            let entry = if flags & tcpp::SYN != 0 { None } else { self.tcp_seq.get(&k).copied() };
            match entry {
                Some((s0, a0)) => {
                    if rev {
                        seq = seq.wrapping_sub(a0);
                        ack = ack.wrapping_sub(s0);
                    } else {
                        seq = seq.wrapping_sub(s0);
                        ack = ack.wrapping_sub(a0);
                    }
                    thseq = s0;
                    thack = a0;
                }
                None => {
                    let v = if rev { (ack.wrapping_sub(1), seq) } else { (seq, ack.wrapping_sub(1)) };
                    if self.tcp_seq.len() < MAX_TCP_FLOWS || self.tcp_seq.contains_key(&k) {
                        self.tcp_seq.insert(k, v);
                    }
                    thseq = v.0;
                    thack = v.1;
                }
            }
        }
        if hlen > length {
            bad_header_length(b, hlen, length);
            return;
        }
        if self.o.verbosity > 0 && !ctx.fragmented && p.len() >= length {
            let field = be16(p, 16).unwrap_or(0);
            let sum = fold(sum_be(&p[..length], pseudo(&ctx, 6, length)));
            append_str(b, ", cksum 0x");
            hex(b, field as u64, 4);
            if sum != 0xffff {
                append_str(b, " (incorrect -> 0x");
                hex(b, shouldbe(field, !sum) as u64, 4);
                b.push(b')');
            } else {
                append_str(b, " (correct)");
            }
        }
        let dlen = length - hlen;
        if self.o.verbosity > 1 || dlen > 0 || flags & (tcpp::SYN | tcpp::FIN | tcpp::RST) != 0 {
            append_str(b, ", seq ");
            append_decimal(b, seq);
            if dlen > 0 {
                b.push(b':');
                append_decimal(b, seq.wrapping_add(dlen as u32));
            }
        }
        if flags & tcpp::ACK != 0 {
            append_str(b, ", ack ");
            append_decimal(b, ack);
        }
        append_str(b, ", win ");
        append_decimal(b, win);
        if flags & tcpp::URG != 0 {
            append_str(b, ", urg ");
            append_decimal(b, urp);
        }
        if hlen > 20 {
            append_str(b, ", options [");
            if !tcp_options(b, &p[20..p.len().min(hlen)], hlen - 20, rev, thseq, thack, flags) {
                return;
            }
            b.push(b']');
        }
        append_str(b, ", length ");
        append_decimal(b, dlen);
        if dlen > 0 {
            let payload = p.get(hlen..).unwrap_or(&[]);
            self.tcp_app(b, sport, dport, flags & tcpp::RST != 0, payload, dlen);
        }
    }
}

/// tcpdump's TCP option list; false when it ended on a bad option (the line then ends).
pub(super) fn tcp_options(
    b: &mut Vec<u8>,
    cp: &[u8],
    mut hlen: usize,
    rev: bool,
    thseq: u32,
    thack: u32,
    flags: u8,
) -> bool {
    let mut cp = cp;
    let mut first = true;
    while hlen > 0 {
        let had_prev = !first;
        if had_prev {
            b.push(b',');
        }
        first = false;
        let Some(&opt) = cp.first() else {
            append_str(b, "[|tcp]");
            return false;
        };
        match tcpp::option_name(opt) {
            Some(n) => append_str(b, n),
            None => {
                append_str(b, "unknown-");
                append_decimal(b, opt);
            }
        }
        let len;
        if opt <= 1 {
            len = 1;
        } else {
            let Some(&l) = cp.get(1) else {
                append_str(b, "[|tcp]");
                return false;
            };
            len = l as usize;
            if len < 2 || len > hlen {
                return bad_opt(b, had_prev);
            }
            hlen -= 1;
            cp = &cp[1..];
        }
        hlen -= 1;
        cp = &cp[1..];
        // cp now points at the option data, hlen counts what is left of the header.
        let bad = |b: &mut Vec<u8>| bad_opt(b, had_prev);
        let datalen: usize = match opt {
            tcpp::opt::MSS => {
                if 2 > hlen {
                    return bad(b);
                }
                let Some(v) = be16(cp, 0) else { return trunc_tcp(b) };
                b.push(b' ');
                append_decimal(b, v);
                2
            }
            tcpp::opt::WSCALE => {
                if 1 > hlen {
                    return bad(b);
                }
                let Some(&v) = cp.first() else { return trunc_tcp(b) };
                b.push(b' ');
                append_decimal(b, v);
                1
            }
            tcpp::opt::SACK => {
                let dl = len - 2;
                if dl > hlen {
                    return bad(b);
                }
                if dl % 8 != 0 {
                    append_str(b, " invalid sack");
                } else {
                    b.push(b' ');
                    append_decimal(b, dl / 8);
                    b.push(b' ');
                    for i in (0..dl).step_by(8) {
                        let (Some(mut st), Some(mut en)) = (be32(cp, i), be32(cp, i + 4)) else {
                            return trunc_tcp(b);
                        };
                        if rev {
                            st = st.wrapping_sub(thseq);
                            en = en.wrapping_sub(thseq);
                        } else {
                            st = st.wrapping_sub(thack);
                            en = en.wrapping_sub(thack);
                        }
                        b.push(b'{');
                        append_decimal(b, st);
                        b.push(b':');
                        append_decimal(b, en);
                        b.push(b'}');
                    }
                }
                dl
            }
            6 | 7 | 11 | 12 | 13 => {
                if 4 > hlen {
                    return bad(b);
                }
                let Some(v) = be32(cp, 0) else { return trunc_tcp(b) };
                b.push(b' ');
                append_decimal(b, v);
                4
            }
            tcpp::opt::TIMESTAMP => {
                if 8 > hlen {
                    return bad(b);
                }
                let (Some(v), Some(e)) = (be32(cp, 0), be32(cp, 4)) else { return trunc_tcp(b) };
                append_str(b, " val ");
                append_decimal(b, v);
                append_str(b, " ecr ");
                append_decimal(b, e);
                8
            }
            tcpp::opt::MD5 => {
                if 16 > hlen {
                    return bad(b);
                }
                let Some(sig) = cp.get(..16) else { return trunc_tcp(b) };
                append_str(b, "shared secret not supplied with -M, can't check - ");
                out::hex_bytes(b, sig);
                16
            }
            tcpp::opt::SACK_OK => 0,
            tcpp::opt::UTO => {
                if 2 > hlen {
                    return bad(b);
                }
                let Some(mut v) = be16(cp, 0) else { return trunc_tcp(b) };
                b.push(b' ');
                if v & 1 != 0 {
                    v = (v >> 1).wrapping_mul(60);
                } else {
                    v >>= 1;
                }
                append_decimal(b, v);
                2
            }
            tcpp::opt::FASTOPEN => {
                let dl = len - 2;
                if dl > hlen {
                    return bad(b);
                }
                let Some(c) = cp.get(..dl) else { return trunc_tcp(b) };
                fastopen(b, c);
                dl
            }
            tcpp::opt::EXP2 => {
                let dl = len - 2;
                if dl > hlen {
                    return bad(b);
                }
                if dl < 2 {
                    return bad(b);
                }
                let Some(magic) = be16(cp, 0) else { return trunc_tcp(b) };
                b.push(b'-');
                if magic == 0xf989 {
                    append_str(b, "tfo");
                    let Some(c) = cp.get(2..dl) else { return trunc_tcp(b) };
                    fastopen(b, c);
                } else {
                    hex(b, magic as u64, 4);
                }
                dl
            }
            tcpp::opt::MPTCP => {
                let dl = len - 2;
                if dl > hlen {
                    return bad(b);
                }
                // mptcp_print reads the option from its kind byte.
                let Some(o) = cp.get(..dl) else { return trunc_tcp(b) };
                if !mptcp(b, len, o, flags) {
                    return bad(b);
                }
                dl
            }
            tcpp::opt::EOL | tcpp::opt::NOP => 0,
            _ => {
                let dl = len - 2;
                if dl > 0 {
                    append_str(b, " 0x");
                }
                for i in 0..dl {
                    if i + 1 > hlen {
                        return bad(b);
                    }
                    let Some(&x) = cp.get(i) else { return trunc_tcp(b) };
                    hex(b, x as u64, 2);
                }
                dl
            }
        };
        cp = cp.get(datalen..).unwrap_or(&[]);
        hlen = hlen.saturating_sub(datalen);
        let mut seen = datalen + 1;
        if opt > 1 {
            seen += 1;
        }
        if seen != len {
            append_str(b, "[len ");
            append_decimal(b, len);
            b.push(b']');
        }
        if opt == tcpp::opt::EOL {
            break;
        }
    }
    true
}

/// tcpdump's mptcp_print; `o` is the option after kind and length. False: "[bad opt]".
pub(super) fn mptcp(b: &mut Vec<u8>, len: usize, o: &[u8], flags: u8) -> bool {
    if len < 3 {
        return false;
    }
    let sub = (o[0] >> 4).min(8);
    b.push(b' ');
    append_decimal(b, len);
    b.push(b' ');
    append_str(
        b,
        ["capable", "join", "dss", "add-addr", "rem-addr", "prio", "fail", "fast-close", "unknown"]
            [sub as usize],
    );
    let syn = flags & tcpp::SYN != 0;
    let ack_only = flags & (tcpp::SYN | tcpp::ACK) == tcpp::ACK;
    let be64 = |i: usize| {
        o.get(i..i + 8).map(|c| u64::from_be_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
    };
    // Offsets below are from the option's kind byte, as in tcpdump's structures.
    let at = |i: usize| i - 2;
    match sub {
        0 => {
            if !((len == 12 && syn)
                || (len == 20 && ack_only)
                || (len == 22 && ack_only)
                || (len == 4 && syn))
            {
                return false;
            }
            let version = o[0] & 0xf;
            if version > 1 {
                append_str(b, " Unknown Version (");
                append_decimal(b, version);
                b.push(b')');
                return true;
            }
            append_str(b, " v");
            append_decimal(b, version);
            let f = o.get(1).copied().unwrap_or(0);
            if f & 0x80 != 0 {
                append_str(b, " csum");
            }
            if len == 12 || len >= 20 {
                let Some(k) = be64(at(4)) else { return false };
                append_str(b, " {0x");
                out::hex_min(b, k);
                if len >= 20 {
                    let Some(k2) = be64(at(12)) else { return false };
                    append_str(b, ",0x");
                    out::hex_min(b, k2);
                }
                b.push(b'}');
            }
            true
        }
        1 => {
            let synack = flags & (tcpp::SYN | tcpp::ACK) == (tcpp::SYN | tcpp::ACK);
            if !((len == 12 && syn) || (len == 16 && synack) || (len == 24 && flags & tcpp::ACK != 0)) {
                return false;
            }
            if len != 24 {
                if o[0] & 1 != 0 {
                    append_str(b, " backup");
                }
                append_str(b, " id ");
                append_decimal(b, o.get(1).copied().unwrap_or(0));
            }
            match len {
                12 => {
                    append_str(b, " token 0x");
                    out::hex_min(b, be32(o, at(4)).unwrap_or(0) as u64);
                    append_str(b, " nonce 0x");
                    out::hex_min(b, be32(o, at(8)).unwrap_or(0) as u64);
                }
                16 => {
                    append_str(b, " hmac 0x");
                    out::hex_min(b, be64(at(4)).unwrap_or(0));
                    append_str(b, " nonce 0x");
                    out::hex_min(b, be32(o, at(12)).unwrap_or(0) as u64);
                }
                _ => {
                    append_str(b, " hmac 0x");
                    out::hex_bytes(b, o.get(at(4)..at(24)).unwrap_or(&[]));
                }
            }
            true
        }
        2 => {
            if len < 4 || syn {
                return false;
            }
            let f = o[1];
            if f & 0x10 != 0 {
                append_str(b, " fin");
            }
            let mut rest = &o[2..];
            let mut take = |n: usize| -> Option<&[u8]> {
                let (h, t) = (rest.get(..n)?, rest.get(n..)?);
                rest = t;
                Some(h)
            };
            let num = |c: &[u8]| c.iter().fold(0u64, |a, &x| a << 8 | x as u64);
            if f & 0x01 != 0 {
                append_str(b, " ack ");
                let Some(c) = take(if f & 0x02 != 0 { 8 } else { 4 }) else { return false };
                append_decimal(b, num(c));
            }
            if f & 0x04 != 0 {
                append_str(b, " seq ");
                let Some(c) = take(if f & 0x08 != 0 { 8 } else { 4 }) else { return false };
                append_decimal(b, num(c));
                let Some(c) = take(4) else { return false };
                append_str(b, " subseq ");
                append_decimal(b, num(c));
                let Some(c) = take(2) else { return false };
                append_str(b, " len ");
                append_decimal(b, num(c));
                if let Some(c) = take(2) {
                    append_str(b, " csum 0x");
                    out::hex_min(b, num(c));
                }
            }
            rest.is_empty()
        }
        3 => {
            let n = o[0] & 0xf;
            let id = o.get(1).copied().unwrap_or(0);
            let addr = |b: &mut Vec<u8>, v6: bool, port: bool| {
                b.push(b' ');
                if v6 {
                    out::ip6(b, &o[2..18]);
                    if port {
                        b.push(b':');
                        append_decimal(b, be16(o, 18).unwrap_or(0));
                    }
                } else {
                    out::ip4(b, &o[2..6]);
                    if port {
                        b.push(b':');
                        append_decimal(b, be16(o, 6).unwrap_or(0));
                    }
                }
            };
            if n == 4 || n == 6 {
                if !((n == 4 && (len == 8 || len == 10)) || (n == 6 && (len == 20 || len == 22))) {
                    return false;
                }
                append_str(b, " v0-ip");
                append_decimal(b, n);
                append_str(b, " id ");
                append_decimal(b, id);
                addr(b, n == 6, len == 10 || len == 22);
                return true;
            }
            let echo = n & 1 != 0;
            let (v6, port) = match (echo, len) {
                (true, 8) => (false, false),
                (true, 10) => (false, true),
                (true, 20) => (true, false),
                (true, 22) => (true, true),
                (false, 16) => (false, false),
                (false, 18) => (false, true),
                (false, 28) => (true, false),
                (false, 30) => (true, true),
                _ => return false,
            };
            append_str(b, if echo { " v1-echo id " } else { " v1 id " });
            append_decimal(b, id);
            addr(b, v6, port);
            if !echo {
                append_str(b, " hmac 0x");
                out::hex_min(b, be64(len - 2 - 8).unwrap_or(0));
            }
            true
        }
        4 => {
            if len < 4 {
                return false;
            }
            append_str(b, " id");
            for &x in &o[1..] {
                b.push(b' ');
                append_decimal(b, x);
            }
            true
        }
        5 => {
            if len != 3 && len != 4 {
                return false;
            }
            append_str(b, if o[0] & 1 != 0 { " backup" } else { " non-backup" });
            if len == 4 {
                append_str(b, " id ");
                append_decimal(b, o[1]);
            }
            true
        }
        6 => {
            if len != 12 {
                return false;
            }
            append_str(b, " seq ");
            append_decimal(b, be64(at(4)).unwrap_or(0));
            true
        }
        7 => {
            if len != 12 {
                return false;
            }
            append_str(b, " key 0x");
            out::hex_min(b, be64(at(4)).unwrap_or(0));
            true
        }
        _ => true,
    }
}

pub(super) fn bad_opt(b: &mut Vec<u8>, had_prev: bool) -> bool {
    append_str(b, "[bad opt]");
    if had_prev {
        b.push(b']');
    }
    false
}

pub(super) fn trunc_tcp(b: &mut Vec<u8>) -> bool {
    append_str(b, " [|tcp]");
    false
}

pub(super) fn fastopen(b: &mut Vec<u8>, c: &[u8]) {
    if c.is_empty() {
        append_str(b, " cookiereq");
    } else if !c.len().is_multiple_of(2) || c.len() < 4 || c.len() > 16 {
        append_str(b, " (invalid)");
    } else {
        append_str(b, " cookie ");
        out::hex_bytes(b, c);
    }
}

/// tcpdump's note for a TCP header longer than the segment: ` [bad hdr length H - too long, > L]`.
fn bad_header_length(b: &mut Vec<u8>, hlen: usize, length: usize) {
    append_str(b, " [bad hdr length ");
    append_decimal(b, hlen);
    append_str(b, " - too long, > ");
    append_decimal(b, length);
    b.push(b']');
}
