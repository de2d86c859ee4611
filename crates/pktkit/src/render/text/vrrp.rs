//! VRRP versions 2 and 3 as tcpdump 4.99.3's `vrrp_print`: the summary, and with `-v` the
//! checksum check, the virtual addresses and a version 2 password.

use super::netdissect::push_char;
use crate::proto::{ip_proto, vrrp};
use crate::render::out::{self, append_decimal, append_str};

use super::cksum::{fold, pseudo, sum_be};
use super::{IpCtx, TextPrinter};

impl TextPrinter {
    pub(super) fn vrrp(&self, b: &mut Vec<u8>, p: &[u8], length: usize, ctx: &IpCtx<'_>) {
        append_str(b, "VRRP");
        let Some(h) = vrrp::Header::parse(p) else { return append_str(b, " [|vrrp]") };
        append_str(b, "v");
        append_decimal(b, h.version);
        append_str(b, ", ");
        if h.kind == vrrp::TYPE_ADVERTISEMENT {
            append_str(b, "Advertisement");
        } else {
            append_str(b, "unknown type (");
            append_decimal(b, h.kind);
            b.push(b')');
        }
        if ctx.ttl != 255 {
            append_str(b, ", (ttl ");
            append_decimal(b, ctx.ttl);
            b.push(b')');
        }
        if !(2..=3).contains(&h.version) || h.kind != vrrp::TYPE_ADVERTISEMENT {
            return;
        }
        append_str(b, ", vrid ");
        append_decimal(b, h.vrid);
        append_str(b, ", prio ");
        append_decimal(b, h.priority);
        if h.version == 2 {
            append_str(b, ", authtype ");
            match h.auth_or_reserved {
                vrrp::AUTH_NONE => append_str(b, "none"),
                vrrp::AUTH_SIMPLE => append_str(b, "simple"),
                vrrp::AUTH_AH => append_str(b, "ah"),
                // tok2str with no default format prints "#N".
                other => {
                    b.push(b'#');
                    append_decimal(b, other);
                }
            }
            append_str(b, ", intvl ");
            append_decimal(b, h.interval);
            append_str(b, "s, length ");
        } else {
            append_str(b, ", intvl ");
            append_decimal(b, h.interval_cs());
            append_str(b, "cs, length ");
        }
        append_decimal(b, length);
        if self.o.verbosity == 0 {
            return;
        }
        if p.len() >= length {
            let data = &p[..length];
            let sum = if h.version == 2 {
                fold(sum_be(data, 0))
            } else {
                fold(sum_be(data, pseudo(ctx, ip_proto::VRRP, length)))
            };
            if sum != 0xffff {
                append_str(b, ", (bad vrrp cksum ");
                out::hex_min(b, u16::from_be_bytes([p[6], p[7]]) as u64);
                b.push(b')');
            }
        }
        append_str(b, ", addrs");
        if h.addr_count > 1 {
            b.push(b'(');
            append_decimal(b, h.addr_count);
            b.push(b')');
        }
        b.push(b':');
        let size = if ctx.v6 { 16 } else { 4 };
        let mut at = 8;
        for i in 0..h.addr_count {
            let Some(a) = p.get(at..at + size) else { return append_str(b, " [|vrrp]") };
            b.push(if i == 0 { b' ' } else { b',' });
            if ctx.v6 {
                out::ip6(b, a)
            } else {
                out::ip4(b, a)
            }
            at += size;
        }
        if h.version == 2 && h.auth_or_reserved == vrrp::AUTH_SIMPLE {
            let Some(pw) = p.get(at..at + 8) else { return append_str(b, " auth \"[|vrrp]") };
            append_str(b, " auth \"");
            let mut t = String::new();
            for &c in pw.iter().take_while(|&&c| c != 0) {
                push_char(&mut t, c);
            }
            append_str(b, &t);
            b.push(b'"');
        }
    }
}
