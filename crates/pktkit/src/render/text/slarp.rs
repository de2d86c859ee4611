//! Cisco SLARP as tcpdump 4.99.3's `chdlc_slarp_print`.

use crate::proto::slarp::{self, code};
use crate::render::out::{self, append_decimal, append_str, hex};

use super::TextPrinter;
use super::dump::hex_indent;

impl TextPrinter {
    pub(super) fn slarp(&self, b: &mut Vec<u8>, p: &[u8], length: usize) {
        append_str(b, "SLARP (length: ");
        append_decimal(b, length);
        append_str(b, "), ");
        if length < slarp::MIN_LEN || p.len() < slarp::MIN_LEN {
            return append_str(b, " [|chdlc_slarp]");
        }
        let c = slarp::word(p, 0).unwrap_or(0);
        match c {
            code::REQUEST => append_str(b, "request"),
            code::REPLY => {
                append_str(b, "reply ");
                out::ip4(b, &p[4..8]);
                b.push(b'/');
                out::ip4(b, &p[8..12]);
            }
            code::KEEPALIVE => {
                append_str(b, "keepalive: mineseen=0x");
                hex(b, slarp::word(p, 4).unwrap_or(0) as u64, 8);
                append_str(b, ", yourseen=0x");
                hex(b, slarp::word(p, 8).unwrap_or(0) as u64, 8);
                append_str(b, ", reliability=0x");
                hex(b, u16::from_be_bytes([p[12], p[13]]) as u64, 4);
                if length >= slarp::MAX_LEN {
                    let Some(ms) = slarp::word(p, slarp::MIN_LEN) else {
                        return append_str(b, " [|chdlc_slarp]");
                    };
                    let secs = ms / 1000;
                    let (days, hrs, min, sec) = (secs / 86400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
                    append_str(b, ", link uptime=");
                    append_decimal(b, days);
                    b.push(b'd');
                    append_decimal(b, hrs);
                    b.push(b'h');
                    append_decimal(b, min);
                    b.push(b'm');
                    append_decimal(b, sec);
                    b.push(b's');
                }
            }
            other => {
                append_str(b, "0x");
                hex(b, other as u64, 2);
                append_str(b, " unknown");
                if self.o.verbosity <= 1 {
                    hex_indent(b, p.get(4..length.min(p.len())).unwrap_or(&[]), "\n\t");
                }
            }
        }
        if slarp::MAX_LEN < length && self.o.verbosity > 0 {
            append_str(b, ", (trailing junk: ");
            append_decimal(b, length - slarp::MAX_LEN);
            append_str(b, " bytes)");
        }
        if self.o.verbosity > 1 {
            // tcpdump dumps `length - 4` bytes from 4 bytes past its cursor, which the uptime
            // moved on by 14: what the capture holds of that.
            let from = if c == code::KEEPALIVE && length >= slarp::MAX_LEN { slarp::MIN_LEN + 4 } else { 4 };
            let to = (from + length - 4).min(p.len());
            hex_indent(b, p.get(from..to).unwrap_or(&[]), "\n\t");
        }
    }
}
