//! UDP as tcpdump's `udp_print`: lengths, checksums, VXLAN, then the application summary
//! or tcpdump's generic `UDP, length N`.

use crate::proto::sunrpc;
use crate::proto::tunnel::VXLAN_PORT;
use crate::render::out::{append_decimal, append_str, be16, be32, hex};

use super::cksum::{fold, pseudo, shouldbe, sum_be};
use super::{IpCtx, TextPrinter};

impl TextPrinter {
    pub(super) fn udp(&mut self, b: &mut Vec<u8>, p: &[u8], length: usize, ctx: IpCtx<'_>) {
        let (Some(sport), Some(dport)) = (be16(p, 0), be16(p, 2)) else {
            Self::addrs(b, &ctx, None);
            append_str(b, " [|udp]");
            return;
        };
        if length < 8 {
            Self::addrs(b, &ctx, Some((sport, dport)));
            append_str(b, "truncated-udp ");
            append_decimal(b, length);
            return;
        }
        let Some(mut ulen) = be16(p, 4).map(|x| x as usize) else {
            Self::addrs(b, &ctx, Some((sport, dport)));
            append_str(b, " [|udp]");
            return;
        };
        if ulen == 0 && length > 65535 {
            ulen = length;
        }
        if ulen < 8 {
            Self::addrs(b, &ctx, Some((sport, dport)));
            append_str(b, "truncated-udplength ");
            append_decimal(b, ulen);
            return;
        }
        ulen -= 8;
        let mut length = length - 8;
        if ulen < length {
            length = ulen;
        }
        if p.len() < 8 {
            Self::addrs(b, &ctx, Some((sport, dport)));
            append_str(b, " [|udp]");
            return;
        }
        Self::addrs(b, &ctx, Some((sport, dport)));
        // tcpdump looks for an NFS call or reply before the checksum and its port list.
        let rpc = sunrpc::Message::new(&p[8..]);
        if !self.o.quiet && dport == sunrpc::NFS_PORT && rpc.direction() == Some(sunrpc::direction::CALL) {
            self.nfs_request(b, &rpc, length);
            return;
        }
        if !self.o.quiet && sport == sunrpc::NFS_PORT && rpc.direction() == Some(sunrpc::direction::REPLY) {
            self.nfs_reply(b, &rpc, length);
            return;
        }
        if !ctx.fragmented && (self.o.verbosity > 1 || (ctx.v6 && self.o.verbosity > 0)) {
            let field = be16(p, 6).unwrap_or(0);
            if !ctx.v6 && field == 0 {
                append_str(b, "[no cksum] ");
            } else if p.len() >= length + 8 {
                let sum = fold(sum_be(&p[..length + 8], pseudo(&ctx, 17, length + 8)));
                if sum != 0xffff {
                    append_str(b, "[bad udp cksum 0x");
                    hex(b, field as u64, 4);
                    append_str(b, " -> 0x");
                    hex(b, shouldbe(field, !sum) as u64, 4);
                    append_str(b, "!] ");
                } else {
                    append_str(b, "[udp sum ok] ");
                }
            }
        }
        // tcpdump tries DNS, mDNS and BOOTP before VXLAN; -q names no application.
        if !self.o.quiet && self.udp_app(b, sport, dport, &p[8..], length) {
            return;
        }
        if (dport == VXLAN_PORT || sport == VXLAN_PORT) && !ctx.fragmented && !self.o.quiet {
            // tcpdump's vxlan_print: the header, then the inner frame on its own line.
            let v = &p[8..];
            if let (Some(&flags), Some(vni)) = (v.first(), be32(v, 4)) {
                append_str(b, "VXLAN, flags [");
                append_str(b, if flags & 0x08 != 0 { "I" } else { "." });
                append_str(b, "] (0x");
                hex(b, flags as u64, 2);
                append_str(b, "), vni ");
                append_decimal(b, vni >> 8);
                b.push(b'\n');
                self.inner(
                    b,
                    crate::capture::LinkType::ETHERNET,
                    &v[8.min(v.len())..],
                    length.saturating_sub(8),
                );
                return;
            }
        }
        // A first fragment's UDP length counts the later fragments too (tcpdump's udp_print).
        if ulen > length && !ctx.fragmented {
            append_str(b, "UDP, bad length ");
            append_decimal(b, ulen);
            append_str(b, " > ");
            append_decimal(b, length);
        } else {
            append_str(b, "UDP, length ");
            append_decimal(b, ulen);
        }
    }
}
