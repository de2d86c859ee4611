//! Stateless probe validation: a keyed hash of the probe's four-tuple goes into the SYN's
//! sequence number (and its source port when that is free to choose), so an answer proves it
//! answers one of our probes by its addresses and ports alone. A SYN-ACK or RST acknowledges
//! `cookie + 1`; an ICMP error quotes the SYN, sequence number included.

use std::hash::Hasher;
use std::net::IpAddr;

use siphasher::sip::SipHasher13;

/// The source ports probes may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourcePorts {
    /// Always this port (`--source-port`).
    Fixed(u16),
    /// A port in `first..=last` chosen by the cookie of the destination.
    Range {
        /// Lowest port.
        first: u16,
        /// Highest port.
        last: u16,
    },
}

impl SourcePorts {
    /// Ports outside the kernel's ephemeral range (`lo..=hi` from
    /// `net.ipv4.ip_local_port_range`), so no connection of this machine shares a four-tuple
    /// with a probe: the larger of `hi+1..=65535` and `1024..=lo-1`.
    pub fn outside_ephemeral(lo: u16, hi: u16) -> SourcePorts {
        let above = (hi.saturating_add(1), 65535u16);
        let below = (1024u16, lo.saturating_sub(1));
        let size = |(a, b): (u16, u16)| if b >= a { u32::from(b - a) + 1 } else { 0 };
        let (first, last) = if size(above) >= size(below) { above } else { below };
        SourcePorts::Range { first, last }
    }

    /// Reads `/proc/sys/net/ipv4/ip_local_port_range` (Linux's default 32768-60999 when
    /// unreadable) and picks the ports outside it.
    pub fn from_system() -> SourcePorts {
        let text = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").unwrap_or_default();
        let mut it = text.split_whitespace().filter_map(|w| w.parse::<u16>().ok());
        match (it.next(), it.next()) {
            (Some(lo), Some(hi)) if lo <= hi => Self::outside_ephemeral(lo, hi),
            _ => Self::outside_ephemeral(32768, 60999),
        }
    }

    /// Whether `port` can be one of ours.
    pub fn contains(&self, port: u16) -> bool {
        match *self {
            SourcePorts::Fixed(p) => p == port,
            SourcePorts::Range { first, last } => (first..=last).contains(&port),
        }
    }

    /// The lowest and highest port (for a capture filter).
    pub fn bounds(&self) -> (u16, u16) {
        match *self {
            SourcePorts::Fixed(p) => (p, p),
            SourcePorts::Range { first, last } => (first, last),
        }
    }
}

/// Mixed into a seed to make the key ("synscan!", "cookies!").
const SEED_KEY: (u64, u64) = (0x7379_6e73_6361_6e21, 0x636f_6f6b_6965_7321);

/// The keyed hash of probes' four-tuples.
#[derive(Debug, Clone)]
pub struct SynCookie {
    key: (u64, u64),
    ports: SourcePorts,
}

fn write_addr(h: &mut SipHasher13, a: IpAddr) {
    match a {
        IpAddr::V4(a) => h.write(&a.octets()),
        IpAddr::V6(a) => h.write(&a.octets()),
    }
}

impl SynCookie {
    /// Cookies keyed by `key` (two 64-bit halves), with source ports from `ports`.
    pub fn new(key: (u64, u64), ports: SourcePorts) -> Self {
        SynCookie { key, ports }
    }

    /// Cookies keyed by a scan's seed (what `synscan --seed N` uses), so that a capture of
    /// its probes can be checked.
    pub fn from_seed(seed: u64, ports: SourcePorts) -> Self {
        Self::new((seed ^ SEED_KEY.0, seed.rotate_left(29) ^ SEED_KEY.1), ports)
    }

    /// The source ports in use.
    pub fn source_ports(&self) -> SourcePorts {
        self.ports
    }

    fn hash(&self, tag: u8, src: IpAddr, dst: IpAddr, dport: u16, sport: u16) -> u64 {
        let mut h = SipHasher13::new_with_keys(self.key.0, self.key.1);
        h.write_u8(tag);
        write_addr(&mut h, src);
        write_addr(&mut h, dst);
        h.write_u16(dport);
        h.write_u16(sport);
        h.finish()
    }

    /// The source port of the probe from `src` to `dst`:`dport`.
    pub fn source_port(&self, src: IpAddr, dst: IpAddr, dport: u16) -> u16 {
        match self.ports {
            SourcePorts::Fixed(p) => p,
            SourcePorts::Range { first, last } => {
                let span = u64::from(last - first) + 1;
                first + (self.hash(1, src, dst, dport, 0) % span) as u16
            }
        }
    }

    /// The sequence number of the probe with this four-tuple.
    pub fn sequence(&self, src: IpAddr, dst: IpAddr, sport: u16, dport: u16) -> u32 {
        self.hash(2, src, dst, dport, sport) as u32
    }

    /// True when a probe from `src`:`sport` to `dst`:`dport` with sequence number `seq` is
    /// ours: the source port is the one the cookie picks and `seq` is its cookie.
    pub fn is_ours(&self, src: IpAddr, dst: IpAddr, sport: u16, dport: u16, seq: u32) -> bool {
        self.source_port(src, dst, dport) == sport && self.sequence(src, dst, sport, dport) == seq
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 1, 2));
    const DST: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 3, 2));

    #[test]
    fn ports_avoid_the_ephemeral_range() {
        assert_eq!(
            SourcePorts::outside_ephemeral(32768, 60999),
            SourcePorts::Range { first: 1024, last: 32767 }
        );
        assert_eq!(
            SourcePorts::outside_ephemeral(1024, 40000),
            SourcePorts::Range { first: 40001, last: 65535 }
        );
        let p = SourcePorts::from_system();
        assert!(matches!(p, SourcePorts::Range { first, .. } if first >= 1024));
    }

    #[test]
    fn cookies_validate_only_our_probes() {
        let c = SynCookie::new((1, 2), SourcePorts::Range { first: 61000, last: 65535 });
        let sport = c.source_port(SRC, DST, 22);
        assert!((61000..=65535).contains(&sport));
        let seq = c.sequence(SRC, DST, sport, 22);
        assert!(c.is_ours(SRC, DST, sport, 22, seq));
        assert!(!c.is_ours(SRC, DST, sport, 22, seq.wrapping_add(1)));
        assert!(!c.is_ours(SRC, DST, sport, 23, seq));
        assert!(!c.is_ours(DST, SRC, sport, 22, seq));
        let other = SynCookie::new((1, 3), c.source_ports());
        assert_ne!(other.sequence(SRC, DST, sport, 22), seq);
        let fixed = SynCookie::new((1, 2), SourcePorts::Fixed(53));
        assert_eq!(fixed.source_port(SRC, DST, 80), 53);
    }

    #[test]
    fn source_ports_spread() {
        let c = SynCookie::new((5, 6), SourcePorts::Range { first: 61000, last: 65535 });
        let distinct: std::collections::HashSet<u16> =
            (1..=1000).map(|p| c.source_port(SRC, DST, p)).collect();
        assert!(distinct.len() > 800, "{}", distinct.len());
    }
}
