//! OSPF as tcpdump 4.99.3's `ospf_print` (version 2) and `ospf6_print` (version 3) print it
//! without `-v`: `OSPFv2, Hello, length 44`. The `-v` details are not printed.

use crate::proto::ospf::{self, packet_type};
use crate::render::out::{append_decimal, append_str};

use super::TextPrinter;

impl TextPrinter {
    pub(super) fn ospf(&self, b: &mut Vec<u8>, p: &[u8], length: usize, v6: bool) {
        let trunc = if v6 { " [|ospf3]" } else { " [|ospf2]" };
        let mut length = length;
        if !v6 {
            let Some(auth) = ospf::auth_type(p) else { return append_str(b, trunc) };
            if auth == ospf::AUTH_MD5 {
                length = length.wrapping_sub(ospf::MD5_DIGEST_LEN) & 0xffff_ffff;
            }
        }
        let Some((version, kind)) = ospf::version_type(p) else { return append_str(b, trunc) };
        append_str(b, "OSPFv");
        append_decimal(b, version);
        append_str(b, ", ");
        match kind {
            packet_type::HELLO => append_str(b, "Hello"),
            packet_type::DATABASE_DESCRIPTION => append_str(b, "Database Description"),
            packet_type::LS_REQUEST => append_str(b, "LS-Request"),
            packet_type::LS_UPDATE => append_str(b, "LS-Update"),
            packet_type::LS_ACK => append_str(b, "LS-Ack"),
            other => {
                append_str(b, if v6 { "unknown packet type (" } else { "unknown LS-type " });
                append_decimal(b, other);
                if v6 {
                    b.push(b')');
                }
            }
        }
        append_str(b, ", length ");
        append_decimal(b, length);
    }
}
