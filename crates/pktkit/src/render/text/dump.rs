//! Payload dumps: tcpdump's `-x`, `-X`, `-A` hex and ASCII layouts and its default print of
//! a payload it does not decode.

use crate::render::out::{append_str, hex};

use super::TextPrinter;

impl TextPrinter {
    pub(super) fn default_print(&self, b: &mut Vec<u8>, p: &[u8]) {
        if !self.suppress_default() {
            hex_ascii(b, p, 0);
        }
    }

    pub(super) fn dumps(&self, b: &mut Vec<u8>, data: &[u8], hdrlen: usize) {
        let o = &self.o;
        if o.hex_ascii_dump > 0 {
            if o.hex_ascii_dump > 1 {
                hex_ascii(b, data, 0);
            } else if data.len() > hdrlen {
                hex_ascii(b, &data[hdrlen..], 0);
            }
        } else if o.hex_dump > 0 {
            if o.hex_dump > 1 {
                hex_only(b, data);
            } else if data.len() > hdrlen {
                hex_only(b, &data[hdrlen..]);
            }
        } else if o.ascii_dump > 0 {
            if o.ascii_dump > 1 {
                ascii(b, data);
            } else if data.len() > hdrlen {
                ascii(b, &data[hdrlen..]);
            }
        }
    }
}

/// tcpdump's print_unknown_data: hex lines, each starting with `indent`.
pub(super) fn hex_indent(b: &mut Vec<u8>, p: &[u8], indent: &str) {
    let start = b.len();
    hex_only(b, p);
    let dumped = b.split_off(start);
    for chunk in dumped.split(|&c| c == b'\n') {
        if chunk.is_empty() {
            continue;
        }
        append_str(b, indent);
        b.extend_from_slice(&chunk[1..]);
    }
}

/// tcpdump's hex_print ("\n\t0x0000:  4500 ...").
pub fn hex_only(b: &mut Vec<u8>, p: &[u8]) {
    let mut oset = 0usize;
    let mut i = 0usize;
    let mut chunks = p.chunks_exact(2);
    for c in &mut chunks {
        if i.is_multiple_of(8) {
            append_str(b, "\n\t0x");
            hex(b, oset as u64, 4);
            append_str(b, ": ");
            oset += 16;
        }
        i += 1;
        b.push(b' ');
        hex(b, c[0] as u64, 2);
        hex(b, c[1] as u64, 2);
    }
    if let [last] = chunks.remainder() {
        if i.is_multiple_of(8) {
            append_str(b, "\n\t0x");
            hex(b, oset as u64, 4);
            append_str(b, ": ");
        }
        b.push(b' ');
        hex(b, *last as u64, 2);
    }
}

pub(super) fn graph(c: u8) -> u8 {
    if c > 0x20 && c < 0x7f { c } else { b'.' }
}

/// tcpdump's hex_and_ascii_print ("\n\t0x0000:  4500 ...  E..").
pub fn hex_ascii(b: &mut Vec<u8>, p: &[u8], start: usize) {
    let mut oset = start;
    for line in p.chunks(16) {
        append_str(b, "\n\t0x");
        hex(b, oset as u64, 4);
        append_str(b, ": ");
        let before = b.len();
        for c in line.chunks(2) {
            b.push(b' ');
            hex(b, c[0] as u64, 2);
            if let Some(&x) = c.get(1) {
                hex(b, x as u64, 2);
            }
        }
        for _ in (b.len() - before)..40 {
            b.push(b' ');
        }
        append_str(b, "  ");
        for &c in line {
            b.push(graph(c));
        }
        oset += 16;
    }
}

/// tcpdump's ascii_print (-A).
pub fn ascii(b: &mut Vec<u8>, p: &[u8]) {
    b.push(b'\n');
    for (i, &c) in p.iter().enumerate() {
        if c == b'\r' {
            if i + 1 == p.len() || p[i + 1] != b'\n' {
                b.push(b'.');
            }
        } else if (c > 0x20 && c < 0x7f) || c == b'\t' || c == b' ' || c == b'\n' {
            b.push(c);
        } else {
            b.push(b'.');
        }
    }
}
