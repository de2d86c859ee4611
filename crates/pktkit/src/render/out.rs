//! Small allocation-free formatting helpers over a reusable line buffer.

use std::io::Write;
use std::net::Ipv6Addr;

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends a string.
#[inline]
pub fn s(b: &mut Vec<u8>, t: &str) {
    b.extend_from_slice(t.as_bytes());
}

/// Appends an integer in decimal.
#[inline]
pub fn u<I: itoa::Integer>(b: &mut Vec<u8>, n: I) {
    let mut f = itoa::Buffer::new();
    b.extend_from_slice(f.format(n).as_bytes());
}

/// Appends an integer in decimal, right-aligned in `width` columns.
pub fn u_pad<I: itoa::Integer>(b: &mut Vec<u8>, n: I, width: usize, fill: u8) {
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
        u(b, *x);
    }
}

/// Appends an IPv6 address (RFC 5952 text).
pub fn ip6(b: &mut Vec<u8>, a: &[u8]) {
    let mut o = [0u8; 16];
    let n = a.len().min(16);
    o[..n].copy_from_slice(&a[..n]);
    let _ = write!(b, "{}", Ipv6Addr::from(o));
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

/// Big-endian u16 at `i`, if present.
#[inline]
pub fn be16(d: &[u8], i: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*d.get(i)?, *d.get(i + 1)?]))
}

/// Big-endian u32 at `i`, if present.
#[inline]
pub fn be32(d: &[u8], i: usize) -> Option<u32> {
    let c = d.get(i..i + 4)?;
    Some(u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
}
