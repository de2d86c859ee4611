//! Text helpers that print the way tcpdump's netdissect library does, shared by the
//! application-layer printers (DNS, DHCP, HTTP).

use std::fmt::Write as _;

/// Appends one byte the way tcpdump's `fn_print_char` does: `M-` for bytes above 0x7f,
/// `^X` for control characters (DEL becomes `^?`), the character itself otherwise.
pub(crate) fn push_char(out: &mut String, c: u8) {
    let mut c = c;
    if !c.is_ascii() {
        c &= 0x7f;
        out.push_str("M-");
    }
    if !(0x20..0x7f).contains(&c) {
        c ^= 0x40;
        out.push('^');
    }
    out.push(c as char);
}

/// Appends an IPv4 address in dotted decimal.
pub(crate) fn push_ipv4(out: &mut String, a: [u8; 4]) {
    let _ = write!(out, "{}.{}.{}.{}", a[0], a[1], a[2], a[3]);
}

/// Appends an IPv6 address as tcpdump's `addrtostr6` (BIND's `inet_ntop`) writes it: the
/// longest run of two or more zero groups (the first one on a tie) becomes `::`, and the
/// IPv4-compatible (`::a.b.c.d`) and IPv4-mapped (`::ffff:a.b.c.d`) forms end in dotted
/// decimal.
pub(crate) fn push_ipv6(out: &mut String, a: &[u8; 16]) {
    let mut words = [0u16; 8];
    for (i, w) in words.iter_mut().enumerate() {
        *w = u16::from_be_bytes([a[2 * i], a[2 * i + 1]]);
    }
    // Longest run of zero words.
    let (mut best_base, mut best_len) = (usize::MAX, 0usize);
    let (mut cur_base, mut cur_len) = (usize::MAX, 0usize);
    for (i, &w) in words.iter().enumerate() {
        if w == 0 {
            if cur_base == usize::MAX {
                cur_base = i;
                cur_len = 1;
            } else {
                cur_len += 1;
            }
        } else if cur_base != usize::MAX {
            if best_base == usize::MAX || cur_len > best_len {
                best_base = cur_base;
                best_len = cur_len;
            }
            cur_base = usize::MAX;
        }
    }
    if cur_base != usize::MAX && (best_base == usize::MAX || cur_len > best_len) {
        best_base = cur_base;
        best_len = cur_len;
    }
    if best_base != usize::MAX && best_len < 2 {
        best_base = usize::MAX;
    }
    let mut i = 0;
    while i < 8 {
        if best_base != usize::MAX && i >= best_base && i < best_base + best_len {
            if i == best_base {
                out.push(':');
            }
            i += 1;
            continue;
        }
        if i != 0 {
            out.push(':');
        }
        if i == 6 && best_base == 0 && (best_len == 6 || (best_len == 5 && words[5] == 0xffff)) {
            push_ipv4(out, [a[12], a[13], a[14], a[15]]);
            return;
        }
        let _ = write!(out, "{:x}", words[i]);
        i += 1;
    }
    if best_base != usize::MAX && best_base + best_len == 8 {
        out.push(':');
    }
}

/// Appends a number of seconds as tcpdump's `unsigned_relts_print` does (`1d2h3m4s`).
pub(crate) fn push_relts(out: &mut String, secs: u32) {
    const UNITS: [(u32, &str); 6] =
        [(31_536_000, "y"), (604_800, "w"), (86_400, "d"), (3_600, "h"), (60, "m"), (1, "s")];
    if secs == 0 {
        out.push_str("0s");
        return;
    }
    let mut secs = secs;
    for (size, unit) in UNITS {
        if secs >= size {
            let _ = write!(out, "{}{}", secs / size, unit);
            secs %= size;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v6(s: &str) -> String {
        let a: std::net::Ipv6Addr = s.parse().unwrap();
        let mut out = String::new();
        push_ipv6(&mut out, &a.octets());
        out
    }

    #[test]
    fn ipv6_forms() {
        assert_eq!(v6("::"), "::");
        assert_eq!(v6("::1"), "::1");
        assert_eq!(v6("2001:db8::1"), "2001:db8::1");
        assert_eq!(v6("2001:db8:0:1:0:0:0:1"), "2001:db8:0:1::1");
        assert_eq!(v6("2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1");
        assert_eq!(v6("2001:db8:1:1:1:1:0:1"), "2001:db8:1:1:1:1:0:1");
        assert_eq!(v6("::ffff:1.2.3.4"), "::ffff:1.2.3.4");
        assert_eq!(v6("::1.2.3.4"), "::1.2.3.4");
        assert_eq!(v6("fe80::"), "fe80::");
        assert_eq!(v6("2607:f0b0:f::babe:f00d"), "2607:f0b0:f::babe:f00d");
    }

    #[test]
    fn chars_and_times() {
        let mut s = String::new();
        for &c in b"a\x01\xfb\x7f\xff " {
            push_char(&mut s, c);
        }
        assert_eq!(s, "a^AM-{^?M-^? ");
        let mut s = String::new();
        push_relts(&mut s, 90061);
        assert_eq!(s, "1d1h1m1s");
        let mut s = String::new();
        push_relts(&mut s, 0);
        assert_eq!(s, "0s");
    }
}
