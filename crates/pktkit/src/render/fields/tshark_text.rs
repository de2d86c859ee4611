//! Text helpers that print field values the way tshark 4.0 does with `-T fields`, shared by
//! the application fields (DNS, HTTP, TLS and DHCP, beside this file).

use std::fmt::Write as _;

/// The occurrences of one field in one packet, which tshark joins with `,`.
#[derive(Default)]
pub(crate) struct Occurrences {
    seen: bool,
}

impl Occurrences {
    /// Starts the next occurrence: a `,` before every one but the first.
    pub(crate) fn start(&mut self, out: &mut String) {
        if self.seen {
            out.push(',');
        }
        self.seen = true;
    }

    /// True once an occurrence was started (an empty value counts).
    pub(crate) fn any(&self) -> bool {
        self.seen
    }
}

/// True for code points GLib's `g_unichar_isprint` accepts, approximately: controls,
/// format characters, surrogates and noncharacters are not printable (private use is).
/// Code points unassigned in Unicode 15 are not printable for GLib; here only planes 3 to
/// 13 beyond the last assigned block are treated so, other unassigned code points print.
fn is_printable(cp: u32) -> bool {
    let format = matches!(
        cp,
        0xad | 0x600..=0x605
            | 0x61c
            | 0x6dd
            | 0x70f
            | 0x890..=0x891
            | 0x8e2
            | 0x180e
            | 0x200b..=0x200f
            | 0x202a..=0x202e
            | 0x2060..=0x2064
            | 0x2066..=0x206f
            | 0xfeff
            | 0xfff9..=0xfffb
            | 0x110bd
            | 0x110cd
            | 0x13430..=0x1343f
            | 0x1bca0..=0x1bca3
            | 0x1d173..=0x1d17a
            | 0xe0001
            | 0xe0020..=0xe007f
    );
    let control = cp < 0x20 || (0x7f..0xa0).contains(&cp);
    let nonchar = (0xfdd0..=0xfdef).contains(&cp) || cp & 0xfffe == 0xfffe;
    let unassigned = (0x323b0..=0xdffff).contains(&cp);
    !(format || control || nonchar || unassigned)
}

/// Appends `bytes` the way Wireshark's `format_text` shows a string: printable ASCII as
/// is, other ASCII as C escapes (`\n`, `\001`), valid UTF-8 as is when printable and as
/// `\uXXXX` otherwise, and each incomplete or invalid sequence as U+FFFD.
pub(crate) fn push_format_text(out: &mut String, bytes: &[u8]) {
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        i += 1;
        if c < 0x80 {
            if (0x20..0x7f).contains(&c) {
                out.push(c as char);
            } else {
                out.push('\\');
                match c {
                    7 => out.push('a'),
                    8 => out.push('b'),
                    9 => out.push('t'),
                    10 => out.push('n'),
                    11 => out.push('v'),
                    12 => out.push('f'),
                    13 => out.push('r'),
                    _ => {
                        let _ = write!(out, "{c:03o}");
                    }
                }
            }
            continue;
        }
        let (mut need, mut cp) = match c {
            0xc0..=0xdf => (1, (c & 0x1f) as u32),
            0xe0..=0xef => (2, (c & 0x0f) as u32),
            0xf0..=0xf7 => (3, (c & 0x07) as u32),
            // The old 5- and 6-byte forms: decoded, then rejected as out of range.
            0xf8..=0xfb => (4, (c & 0x03) as u32),
            0xfc..=0xfd => (5, (c & 0x01) as u32),
            _ => {
                out.push('\u{fffd}');
                continue;
            }
        };
        while need > 0 && i < bytes.len() && bytes[i] & 0xc0 == 0x80 {
            cp = (cp << 6) | (bytes[i] & 0x3f) as u32;
            i += 1;
            need -= 1;
        }
        if need > 0 {
            out.push('\u{fffd}');
            continue;
        }
        match char::from_u32(cp) {
            None => out.push('\u{fffd}'),
            Some(ch) if is_printable(cp) => out.push(ch),
            Some(_) if cp <= 0xffff => {
                let _ = write!(out, "\\u{cp:04X}");
            }
            Some(_) => {
                let _ = write!(out, "\\U{cp:08X}");
            }
        }
    }
}

/// Appends a string field as tshark shows text that Wireshark reads as ASCII (HTTP headers,
/// TLS server names): cut at a NUL (Wireshark keeps C strings), bytes above 0x7f as U+FFFD,
/// backspace, form feed, tab, CR and LF escaped by tshark's output writer, other bytes
/// (controls included) as they are.
pub(crate) fn push_ascii_string(out: &mut String, bytes: &[u8]) {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    for &b in &bytes[..end] {
        match b {
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            0x80.. => out.push('\u{fffd}'),
            _ => out.push(b as char),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(b: &[u8]) -> String {
        let mut s = String::new();
        push_format_text(&mut s, b);
        s
    }

    /// Expected values are what tshark 4.0.17 printed for DNS names holding these bytes.
    #[test]
    fn matches_tshark() {
        assert_eq!(f(b"a\x00b"), "a\\000b");
        assert_eq!(f(b"\x07\x08\t\n\x0b\x0c\r\x0e\x1f\x7f"), "\\a\\b\\t\\n\\v\\f\\r\\016\\037\\177");
        assert_eq!(f(b"a\\\"'b"), "a\\\"'b");
        assert_eq!(f(b"\x80"), "\u{fffd}");
        assert_eq!(f(b"\xe2\x82"), "\u{fffd}");
        assert_eq!(f(b"\xe2\x82x"), "\u{fffd}x");
        assert_eq!(f(b"\xf0\x9f\x98\x80"), "\u{1f600}");
        assert_eq!(f(b"\xed\xa0\x80"), "\u{fffd}");
        assert_eq!(f(b"\xc0\x80"), "\\u0000");
        assert_eq!(f(b"\xf4\x90\x80\x80"), "\u{fffd}");
        assert_eq!(f(b"\xe2\x82\xac"), "\u{20ac}");
        assert_eq!(f(b"\xef\xbf\xbf"), "\\uFFFF");
        assert_eq!(f(b"\xc2\x80\xc2\x9f"), "\\u0080\\u009F");
        assert_eq!(f(b"\xe2\x80\x8b"), "\\u200B");
        assert_eq!(f("é".as_bytes()), "é");
        assert_eq!(f(b"\x00\x00\xfb\x93"), "\\000\\000\u{fffd}");
        assert_eq!(f(b"y\xec\xfb\x93."), "y\u{fffd}\u{fffd}.");
        assert_eq!(f(b"\xfe\xff"), "\u{fffd}\u{fffd}");
    }
}
