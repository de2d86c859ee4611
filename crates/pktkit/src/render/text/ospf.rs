//! OSPF as tcpdump 4.99.3's `ospf_print` (version 2) and `ospf6_print` (version 3) print it
//! without `-v`: `OSPFv2, Hello, length 44`. The `-v` details are not printed.

use crate::proto::ospf::{self, packet_type};
use crate::render::out::{s, u};

use super::TextPrinter;

impl TextPrinter {
    pub(super) fn ospf(&self, b: &mut Vec<u8>, p: &[u8], length: usize, v6: bool) {
        let trunc = if v6 { " [|ospf3]" } else { " [|ospf2]" };
        let mut length = length;
        if !v6 {
            let Some(auth) = ospf::auth_type(p) else { return s(b, trunc) };
            if auth == ospf::AUTH_MD5 {
                length = length.wrapping_sub(ospf::MD5_DIGEST_LEN) & 0xffff_ffff;
            }
        }
        let Some((version, kind)) = ospf::version_type(p) else { return s(b, trunc) };
        s(b, "OSPFv");
        u(b, version);
        s(b, ", ");
        match kind {
            packet_type::HELLO => s(b, "Hello"),
            packet_type::DATABASE_DESCRIPTION => s(b, "Database Description"),
            packet_type::LS_REQUEST => s(b, "LS-Request"),
            packet_type::LS_UPDATE => s(b, "LS-Update"),
            packet_type::LS_ACK => s(b, "LS-Ack"),
            other => {
                s(b, if v6 { "unknown packet type (" } else { "unknown LS-type " });
                u(b, other);
                if v6 {
                    b.push(b')');
                }
            }
        }
        s(b, ", length ");
        u(b, length);
    }
}
