//! IPv6 (RFC 8200) and its extension headers. Parsing is etherparse's lax slicing; this module
//! adds the extension header walk the outputs print (names, fragment fields).

pub use etherparse::{Ipv6HeaderSlice, LaxIpv6Slice};

/// One extension header as found on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExtHeader<'a> {
    /// Its protocol number (0 hop-by-hop, 43 routing, 44 fragment, 51 AH, 60 destination options).
    pub kind: u8,
    /// The next header field.
    pub next: u8,
    /// The header bytes.
    pub bytes: &'a [u8],
}

impl ExtHeader<'_> {
    /// For a fragment header: (offset in bytes, more fragments, identification).
    pub fn fragment(&self) -> Option<(u32, bool, u32)> {
        if self.kind != 44 || self.bytes.len() < 8 {
            return None;
        }
        let b = self.bytes;
        let off = u16::from_be_bytes([b[2], b[3]]);
        Some(((off & 0xfff8) as u32, off & 1 != 0, u32::from_be_bytes([b[4], b[5], b[6], b[7]])))
    }
}

/// True for the protocol numbers walked as extension headers.
pub fn is_ext(kind: u8) -> bool {
    matches!(kind, 0 | 43 | 44 | 51 | 60 | 135 | 139 | 140)
}

/// Walks the extension headers that start `data` (the IPv6 payload), first one `first`.
pub fn ext_headers(first: u8, data: &[u8]) -> ExtIter<'_> {
    ExtIter { kind: first, data, pos: 0 }
}

/// Iterator over IPv6 extension headers; stops at the first non-extension or a header that
/// does not fit.
#[derive(Clone, Debug)]
pub struct ExtIter<'a> {
    kind: u8,
    data: &'a [u8],
    pos: usize,
}

impl<'a> Iterator for ExtIter<'a> {
    type Item = ExtHeader<'a>;

    fn next(&mut self) -> Option<ExtHeader<'a>> {
        if !is_ext(self.kind) || self.kind == 135 {
            return None;
        }
        let rest = &self.data[self.pos.min(self.data.len())..];
        let b = rest.first_chunk::<2>()?;
        let len = match self.kind {
            44 => 8,
            51 => (b[1] as usize + 2) * 4,
            _ => (b[1] as usize + 1) * 8,
        };
        let bytes = rest.get(..len)?;
        let h = ExtHeader { kind: self.kind, next: b[0], bytes };
        self.kind = b[0];
        self.pos += len;
        Some(h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk() {
        // Hop-by-hop (8 bytes) then fragment (8 bytes) then UDP.
        let d = [44, 0, 1, 4, 0, 0, 0, 0, 17, 0, 0x05, 0xa9, 0, 0, 0, 9, 0xff];
        let v: Vec<_> = ext_headers(0, &d).collect();
        assert_eq!(v.len(), 2);
        assert_eq!(v[1].fragment(), Some((1448, true, 9)));
        assert_eq!(v[1].next, 17);
        // A length past the data ends the walk.
        let bad = [17, 200, 0, 0];
        assert_eq!(ext_headers(60, &bad).count(), 0);
        assert_eq!(ext_headers(6, &d).count(), 0);
    }
}
