//! Small allocation-free formatting helpers over a reusable line buffer.

use std::fmt;
use std::io::Write;

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends a string.
#[inline]
pub fn append_str(b: &mut Vec<u8>, t: &str) {
    b.extend_from_slice(t.as_bytes());
}

/// Appends an integer in decimal.
#[inline]
pub fn append_decimal<I: itoa::Integer>(b: &mut Vec<u8>, n: I) {
    let mut f = itoa::Buffer::new();
    b.extend_from_slice(f.format(n).as_bytes());
}

/// Appends an integer in decimal, right-aligned in `width` columns.
pub fn append_decimal_padded<I: itoa::Integer>(b: &mut Vec<u8>, n: I, width: usize, fill: u8) {
    let mut f = itoa::Buffer::new();
    let t = f.format(n);
    for _ in t.len()..width {
        b.push(fill);
    }
    b.extend_from_slice(t.as_bytes());
}

/// Appends `v` as `digits` lower-case hex digits (zero-padded).
pub fn hex(b: &mut Vec<u8>, v: u64, digits: usize) {
    for i in (0..digits).rev() {
        b.push(HEX[((v >> (i * 4)) & 15) as usize]);
    }
}

/// Appends `v` in lower-case hex without padding (like printf `%x`).
pub fn hex_min(b: &mut Vec<u8>, v: u64) {
    let digits = if v == 0 { 1 } else { (64 - v.leading_zeros() as usize).div_ceil(4) };
    hex(b, v, digits);
}

/// Appends bytes as contiguous lower-case hex.
pub fn hex_bytes(b: &mut Vec<u8>, bytes: &[u8]) {
    for &x in bytes {
        b.push(HEX[(x >> 4) as usize]);
        b.push(HEX[(x & 15) as usize]);
    }
}

/// Appends an IPv4 address in dotted quad.
#[inline]
pub fn ip4(b: &mut Vec<u8>, a: &[u8]) {
    for (i, x) in a.iter().take(4).enumerate() {
        if i > 0 {
            b.push(b'.');
        }
        append_decimal(b, *x);
    }
}

/// Appends an IPv6 address as [`Ipv6Text`] writes it (a short slice is padded with zeros).
pub fn ip6(b: &mut Vec<u8>, a: &[u8]) {
    // Writing to a Vec cannot fail.
    let _ = write!(b, "{}", Ipv6Text::from_slice(a));
}

/// An IPv6 address in the text tcpdump (`addrtostr6`, BIND's `inet_ntop`) and tshark print,
/// the one IPv6 formatter of every output form: lower-case hex groups, the longest run of two
/// or more zero groups (the first on a tie) as `::`, and the IPv4-compatible (`::a.b.c.d`) and
/// IPv4-mapped (`::ffff:a.b.c.d`) forms ending in dotted decimal. It differs from std's
/// `Ipv6Addr` display only in the IPv4-compatible form, which std prints as `::102:304`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ipv6Text(pub [u8; 16]);

impl Ipv6Text {
    /// The address in the first 16 bytes of `a`, zero-padded when `a` is shorter.
    pub fn from_slice(a: &[u8]) -> Self {
        let mut octets = [0u8; 16];
        let n = a.len().min(16);
        octets[..n].copy_from_slice(&a[..n]);
        Ipv6Text(octets)
    }
}

impl fmt::Display for Ipv6Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = &self.0;
        let mut words = [0u16; 8];
        for (i, w) in words.iter_mut().enumerate() {
            *w = u16::from_be_bytes([a[2 * i], a[2 * i + 1]]);
        }
        // The longest run of zero words: (start, length), the first one on a tie.
        let mut best: Option<(usize, usize)> = None;
        let mut run: Option<(usize, usize)> = None;
        for (i, &w) in words.iter().enumerate() {
            if w == 0 {
                run = Some(run.map_or((i, 1), |(start, len)| (start, len + 1)));
            } else if let Some(r) = run.take()
                && best.is_none_or(|b| r.1 > b.1)
            {
                best = Some(r);
            }
        }
        if let Some(r) = run
            && best.is_none_or(|b| r.1 > b.1)
        {
            best = Some(r);
        }
        let best = best.filter(|&(_, len)| len >= 2);
        let mut i = 0;
        while i < 8 {
            if let Some((start, len)) = best
                && (start..start + len).contains(&i)
            {
                if i == start {
                    f.write_str(":")?;
                }
                i += 1;
                continue;
            }
            if i != 0 {
                f.write_str(":")?;
            }
            let embeds_ipv4 =
                matches!(best, Some((0, 6))) || (matches!(best, Some((0, 5))) && words[5] == 0xffff);
            if i == 6 && embeds_ipv4 {
                return write!(f, "{}.{}.{}.{}", a[12], a[13], a[14], a[15]);
            }
            write!(f, "{:x}", words[i])?;
            i += 1;
        }
        if matches!(best, Some((start, len)) if start + len == 8) {
            f.write_str(":")?;
        }
        Ok(())
    }
}

/// A MAC address (`aa:bb:cc:dd:ee:ff`), or any length of bytes, as lower-case hex octets
/// separated by `:`: the text [`mac`] appends, for writers that build a `String`.
#[derive(Clone, Copy, Debug)]
pub struct MacText<'a>(pub &'a [u8]);

impl fmt::Display for MacText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, x) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(":")?;
            }
            write!(f, "{x:02x}")?;
        }
        Ok(())
    }
}

/// Appends a MAC address (`aa:bb:cc:dd:ee:ff`), or any length of bytes colon-separated.
pub fn mac(b: &mut Vec<u8>, a: &[u8]) {
    for (i, x) in a.iter().enumerate() {
        if i > 0 {
            b.push(b':');
        }
        b.push(HEX[(x >> 4) as usize]);
        b.push(HEX[(x & 15) as usize]);
    }
}

pub use crate::bytes::{be16, be32};

#[cfg(test)]
mod tests {
    use super::*;

    fn v6(s: &str) -> String {
        let a: std::net::Ipv6Addr = s.parse().unwrap();
        let text = Ipv6Text(a.octets()).to_string();
        assert_eq!(Ipv6Text::from_slice(&a.octets()), Ipv6Text(a.octets()));
        text
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
}
