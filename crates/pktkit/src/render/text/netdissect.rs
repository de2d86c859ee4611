//! Text helpers that print the way tcpdump's netdissect library does, shared by the
//! text printers (DNS, DHCP, the text protocols, LLC, VRRP).

use std::fmt::Write as _;

use crate::render::out::{self, Ipv6Text};
use crate::render::time;

/// tcpdump's `bittok2str`: the names of the bits of `value` that `table` names, in the
/// table's order and joined by ", ", or `none` when it names none.
pub(crate) fn bit_names<T: Copy + Into<u32>>(b: &mut Vec<u8>, value: u32, table: &[(T, &str)]) {
    let mut any = false;
    for &(bit, name) in table {
        if value & bit.into() != 0 {
            if any {
                b.extend_from_slice(b", ");
            }
            b.extend_from_slice(name.as_bytes());
            any = true;
        }
    }
    if !any {
        b.extend_from_slice(b"none");
    }
}

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

/// Appends an IPv6 address as tcpdump and tshark print it ([`Ipv6Text`]).
pub(crate) fn push_ipv6(out: &mut String, a: &[u8; 16]) {
    let _ = write!(out, "{}", Ipv6Text(*a));
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

/// netdissect's `p_ntp_time`: `seconds.nanoseconds`, and the UTC date when seconds are not 0.
pub(crate) fn ntp_timestamp(b: &mut Vec<u8>, data: &[u8]) {
    let (Some(seconds), Some(fraction)) = (out::be32(data, 0), out::be32(data, 4)) else { return };
    const NTP_TO_UNIX: i64 = 2_208_988_800;
    let nanos = (fraction as f64 / 4_294_967_296.0 * 1e9) as u32;
    out::append_decimal(b, seconds);
    b.push(b'.');
    out::append_decimal_padded(b, nanos, 9, b'0');
    if seconds != 0 {
        let civil = time::civil_utc(seconds as i64 - NTP_TO_UNIX);
        out::append_str(b, " (");
        time::ymd(b, &civil);
        b.push(b'T');
        time::hms(b, &civil);
        out::append_str(b, "Z)");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
