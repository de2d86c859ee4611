//! VRRP versions 2 and 3 as tcpdump 4.99.3's `vrrp_print`: the summary, and with `-v` the
//! checksum check, the virtual addresses and a version 2 password.

use super::netdissect::push_char;
use crate::proto::{ip_proto, vrrp};
use crate::render::out::{self, s, u};

use super::cksum::{fold, pseudo, sum_be};
use super::{IpCtx, TextPrinter};

impl TextPrinter {
    pub(super) fn vrrp(&self, b: &mut Vec<u8>, p: &[u8], length: usize, ctx: &IpCtx<'_>) {
        s(b, "VRRP");
        let Some(h) = vrrp::Header::parse(p) else { return s(b, " [|vrrp]") };
        s(b, "v");
        u(b, h.version);
        s(b, ", ");
        if h.kind == vrrp::TYPE_ADVERTISEMENT {
            s(b, "Advertisement");
        } else {
            s(b, "unknown type (");
            u(b, h.kind);
            b.push(b')');
        }
        if ctx.ttl != 255 {
            s(b, ", (ttl ");
            u(b, ctx.ttl);
            b.push(b')');
        }
        if !(2..=3).contains(&h.version) || h.kind != vrrp::TYPE_ADVERTISEMENT {
            return;
        }
        s(b, ", vrid ");
        u(b, h.vrid);
        s(b, ", prio ");
        u(b, h.priority);
        if h.version == 2 {
            s(b, ", authtype ");
            match h.auth_or_reserved {
                vrrp::AUTH_NONE => s(b, "none"),
                vrrp::AUTH_SIMPLE => s(b, "simple"),
                vrrp::AUTH_AH => s(b, "ah"),
                // tok2str with no default format prints "#N".
                other => {
                    b.push(b'#');
                    u(b, other);
                }
            }
            s(b, ", intvl ");
            u(b, h.interval);
            s(b, "s, length ");
        } else {
            s(b, ", intvl ");
            u(b, h.interval_cs());
            s(b, "cs, length ");
        }
        u(b, length);
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
                s(b, ", (bad vrrp cksum ");
                out::hex_min(b, u16::from_be_bytes([p[6], p[7]]) as u64);
                b.push(b')');
            }
        }
        s(b, ", addrs");
        if h.addr_count > 1 {
            b.push(b'(');
            u(b, h.addr_count);
            b.push(b')');
        }
        b.push(b':');
        let size = if ctx.v6 { 16 } else { 4 };
        let mut at = 8;
        for i in 0..h.addr_count {
            let Some(a) = p.get(at..at + size) else { return s(b, " [|vrrp]") };
            b.push(if i == 0 { b' ' } else { b',' });
            if ctx.v6 {
                out::ip6(b, a)
            } else {
                out::ip4(b, a)
            }
            at += size;
        }
        if h.version == 2 && h.auth_or_reserved == vrrp::AUTH_SIMPLE {
            let Some(pw) = p.get(at..at + 8) else { return s(b, " auth \"[|vrrp]") };
            s(b, " auth \"");
            let mut t = String::new();
            for &c in pw.iter().take_while(|&&c| c != 0) {
                push_char(&mut t, c);
            }
            s(b, &t);
            b.push(b'"');
        }
    }
}
