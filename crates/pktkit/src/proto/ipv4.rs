//! IPv4 (RFC 791). Header parsing is etherparse's lax slicing; this module adds protocol
//! names, option walking and the fragment fields the outputs print.

pub use etherparse::{Ipv4HeaderSlice, LaxIpv4Slice};

/// tcpdump's name of an IP protocol number (`ipproto_values` of ipproto.c), when it has one.
pub fn proto_name(p: u8) -> Option<&'static str> {
    Some(match p {
        0 => "Options",
        1 => "ICMP",
        2 => "IGMP",
        4 => "IPIP",
        6 => "TCP",
        8 => "EGP",
        9 => "IGRP",
        17 => "UDP",
        33 => "DCCP",
        41 => "IPv6",
        43 => "Routing",
        44 => "Fragment",
        46 => "RSVP",
        47 => "GRE",
        50 => "ESP",
        51 => "AH",
        55 => "Mobile IP",
        58 => "ICMPv6",
        59 => "none",
        60 => "Destination Options",
        62 => "Mobile IP (old)",
        88 => "EIGRP",
        89 => "OSPF",
        97 => "ETHERIP",
        103 => "PIM",
        108 => "Compressed IP",
        112 => "VRRP",
        113 => "PGM",
        132 => "SCTP",
        135 => "Mobility",
        _ => return None,
    })
}

/// Fragment offset in bytes (the header field times 8).
pub fn frag_offset_bytes(h: &Ipv4HeaderSlice<'_>) -> u32 {
    h.fragments_offset().value() as u32 * 8
}

/// One IPv4 option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ipv4Option<'a> {
    /// Option type byte.
    pub kind: u8,
    /// Option bytes after type and length (empty for EOL and NOP).
    pub data: &'a [u8],
    /// The length byte (1 for EOL/NOP).
    pub len: u8,
}

/// Walks the options area; stops (returning `Err(offset)`) at a length that does not fit.
pub fn options(area: &[u8]) -> OptionIter<'_> {
    OptionIter { area, pos: 0, done: false }
}

/// Iterator over IPv4 options.
#[derive(Clone, Debug)]
pub struct OptionIter<'a> {
    area: &'a [u8],
    pos: usize,
    done: bool,
}

impl<'a> Iterator for OptionIter<'a> {
    type Item = Result<Ipv4Option<'a>, usize>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.pos >= self.area.len() {
            return None;
        }
        let kind = self.area[self.pos];
        if kind == 0 || kind == 1 {
            self.pos += 1;
            if kind == 0 {
                self.done = true;
            }
            return Some(Ok(Ipv4Option { kind, data: &[], len: 1 }));
        }
        let Some(&len) = self.area.get(self.pos + 1) else {
            self.done = true;
            return Some(Err(self.pos));
        };
        if len < 2 || self.pos + len as usize > self.area.len() {
            self.done = true;
            return Some(Err(self.pos));
        }
        let data = &self.area[self.pos + 2..self.pos + len as usize];
        self.pos += len as usize;
        Some(Ok(Ipv4Option { kind, data, len }))
    }
}

/// tcpdump's name of an IPv4 option (`ip_option_values` of print-ip.c).
pub fn option_name(kind: u8) -> Option<&'static str> {
    Some(match kind {
        0 => "EOL",
        1 => "NOP",
        7 => "RR",
        68 => "timestamp",
        82 => "traceroute",
        130 => "security",
        131 => "LSRR",
        137 => "SSRR",
        148 => "RA",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_walk() {
        let area = [1, 148, 4, 0, 0, 0];
        let v: Vec<_> = options(&area).collect();
        assert_eq!(v.len(), 3);
        assert_eq!(v[1], Ok(Ipv4Option { kind: 148, data: &[0, 0], len: 4 }));
        assert_eq!(v[2].unwrap().kind, 0);
        // A length running past the area is an error, not a panic.
        let bad = [7, 40, 1, 2];
        assert_eq!(options(&bad).next(), Some(Err(0)));
        let bad = [7];
        assert_eq!(options(&bad).next(), Some(Err(0)));
        let bad = [7, 1];
        assert_eq!(options(&bad).next(), Some(Err(0)));
        assert_eq!(proto_name(6), Some("TCP"));
        assert_eq!(option_name(148), Some("RA"));
    }

    #[test]
    fn truncated_header() {
        let h = [0x45, 0, 0, 40, 0, 1, 0x20, 0x01, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
        let s = Ipv4HeaderSlice::from_slice(&h).unwrap();
        assert_eq!(frag_offset_bytes(&s), 8);
        assert!(s.more_fragments());
        assert!(Ipv4HeaderSlice::from_slice(&h[..19]).is_err());
        let mut bad = h;
        bad[0] = 0x44; // IHL 4 < 5
        assert!(Ipv4HeaderSlice::from_slice(&bad).is_err());
    }
}
