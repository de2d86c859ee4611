//! PPPoE discovery as tcpdump 4.99.3's `pppoe_print`: the code, the session id, and each tag
//! (as text when most of it is printable, else in hex).

use crate::proto::pppoe::{self, Header, code};
use crate::render::out::{self, append_decimal, append_str};

use super::TextPrinter;

/// tcpdump's `MAXTAGPRINT`: at most this many characters of a tag, less one, are printed.
const MAX_TAG_PRINT: usize = 80;

/// Upper-case hex digits (tcpdump prints a binary tag with `%02X`).
const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// tcpdump's `pppoetag2str`.
fn tag_name(b: &mut Vec<u8>, t: u16) {
    let name = match t {
        0x0000 => "EOL",
        0x0101 => "Service-Name",
        0x0102 => "AC-Name",
        0x0103 => "Host-Uniq",
        0x0104 => "AC-Cookie",
        0x0105 => "Vendor-Specific",
        0x0110 => "Relay-Session-ID",
        0x0120 => "PPP-Max-Payload",
        0x0201 => "Service-Name-Error",
        0x0202 => "AC-System-Error",
        0x0203 => "Generic-Error",
        _ => {
            append_str(b, "TAG-0x");
            out::hex_min(b, t as u64);
            return;
        }
    };
    append_str(b, name);
}

impl TextPrinter {
    /// A discovery frame of `length` bytes.
    pub(super) fn pppoe_discovery(&self, b: &mut Vec<u8>, p: &[u8], length: usize) {
        if length < pppoe::HEADER_LEN {
            append_str(b, " (length ");
            append_decimal(b, length);
            append_str(b, " < 6) (invalid)");
            return;
        }
        let Some(h) = Header::parse(p) else { return append_str(b, " [|pppoe]") };
        let length = length - pppoe::HEADER_LEN;
        if h.version != 1 {
            append_str(b, " [ver ");
            append_decimal(b, h.version);
            b.push(b']');
        }
        if h.kind != 1 {
            append_str(b, " [type ");
            append_decimal(b, h.kind);
            b.push(b']');
        }
        append_str(b, "PPPoE ");
        match h.code {
            code::PADI => append_str(b, "PADI"),
            code::PADO => append_str(b, "PADO"),
            code::PADR => append_str(b, "PADR"),
            code::PADS => append_str(b, "PADS"),
            code::PADT => append_str(b, "PADT"),
            0 => {}
            other => {
                append_str(b, "PAD-");
                out::hex_min(b, other as u64);
            }
        }
        let mut plen = h.length as usize;
        if h.code == code::PADI && plen > 1484 - pppoe::HEADER_LEN {
            append_str(b, " [len ");
            append_decimal(b, plen);
            append_str(b, "!]");
        }
        if plen > length {
            append_str(b, " [len ");
            append_decimal(b, plen);
            append_str(b, " > ");
            append_decimal(b, length);
            append_str(b, "!]");
            plen = length;
        }
        if h.session != 0 {
            append_str(b, " [ses 0x");
            out::hex_min(b, h.session as u64);
            b.push(b']');
        }
        let tags = &p[pppoe::HEADER_LEN..];
        let mut at = 0;
        let mut tag = 0xffff;
        while tag != 0 && at < plen {
            let Some((t, len)) = pppoe::tag_header(&tags[at.min(tags.len())..]) else {
                return append_str(b, " [|pppoe]");
            };
            tag = t;
            at += 4;
            let len = len as usize;
            if len == 0 {
                append_str(b, " [");
                tag_name(b, t);
                b.push(b']');
                continue;
            }
            let Some(value) = tags.get(at..at + len) else { return append_str(b, " [|pppoe]") };
            let shown = &value[..len.min(MAX_TAG_PRINT - 1)];
            let printable = shown.iter().filter(|c| (0x20..0x7f).contains(*c)).count();
            append_str(b, " [");
            tag_name(b, t);
            if printable > shown.len() - printable {
                append_str(b, " \"");
                for &c in shown {
                    b.push(if (0x20..0x7f).contains(&c) { c } else { b'.' });
                }
                append_str(b, "\"]");
            } else {
                append_str(b, " 0x");
                for &c in value {
                    b.push(HEX_UPPER[(c >> 4) as usize]);
                    b.push(HEX_UPPER[(c & 15) as usize]);
                }
                b.push(b']');
            }
            at += len;
        }
    }
}
