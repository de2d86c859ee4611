//! Scan targets in nmap's and masscan's syntax, as a set that is iterated, never listed.
//!
//! One specification is one of:
//! - an address: `10.0.3.2`, `fd00:3::2`;
//! - a CIDR block: `10.0.0.0/24`, `fd00:3::/120` (every address, network and broadcast too,
//!   as nmap scans them);
//! - nmap octet ranges: `10.0.0-3.1-254`, `10.0.0.*`, `10.0.0,2.1` (each octet a list of
//!   numbers and `a-b` ranges, `-` alone meaning 0-255);
//! - a masscan range of full addresses: `10.0.0.1-10.0.0.50`, `fd00::1-fd00::ff`;
//! - a host name, resolved once (its first IPv4 address, or its first address when it has no
//!   IPv4 one).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, ToSocketAddrs};

use super::SpecError;

/// A set of addresses with a count and indexed access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// IPv4 addresses `first..=last`.
    V4 {
        /// Lowest address.
        first: u32,
        /// Highest address.
        last: u32,
    },
    /// IPv6 addresses `first..=last`.
    V6 {
        /// Lowest address.
        first: u128,
        /// Highest address.
        last: u128,
    },
    /// nmap octet ranges: every combination of one value per octet.
    Octets([Vec<(u8, u8)>; 4]),
}

fn octet_count(ranges: &[(u8, u8)]) -> u128 {
    ranges.iter().map(|(lo, hi)| u128::from(hi - lo) + 1).sum()
}

fn octet_nth(ranges: &[(u8, u8)], mut index: u128) -> u8 {
    for (lo, hi) in ranges {
        let n = u128::from(hi - lo) + 1;
        if index < n {
            return lo + index as u8;
        }
        index -= n;
    }
    0
}

impl Block {
    /// How many addresses the block holds.
    pub fn len(&self) -> u128 {
        match self {
            Block::V4 { first, last } => u128::from(last - first) + 1,
            Block::V6 { first, last } => (last - first).saturating_add(1),
            Block::Octets(o) => o.iter().map(|r| octet_count(r)).product(),
        }
    }

    /// Never true: every block holds at least one address.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The `index`th address (ascending for ranges; octet by octet, the last fastest).
    pub fn get(&self, index: u128) -> IpAddr {
        match self {
            Block::V4 { first, .. } => IpAddr::V4(Ipv4Addr::from(first + index as u32)),
            Block::V6 { first, .. } => IpAddr::V6(Ipv6Addr::from(first + index)),
            Block::Octets(o) => {
                let mut rest = index;
                let mut bytes = [0u8; 4];
                for i in (0..4).rev() {
                    let n = octet_count(&o[i]);
                    bytes[i] = octet_nth(&o[i], rest % n);
                    rest /= n;
                }
                IpAddr::V4(Ipv4Addr::from(bytes))
            }
        }
    }

    /// Whether `addr` is in the block.
    pub fn contains(&self, addr: IpAddr) -> bool {
        match (self, addr) {
            (Block::V4 { first, last }, IpAddr::V4(a)) => (*first..=*last).contains(&u32::from(a)),
            (Block::V6 { first, last }, IpAddr::V6(a)) => (*first..=*last).contains(&u128::from(a)),
            (Block::Octets(o), IpAddr::V4(a)) => {
                a.octets().iter().zip(o).all(|(b, r)| r.iter().any(|(lo, hi)| (lo..=hi).contains(&b)))
            }
            _ => false,
        }
    }

    /// The index of `addr` in the block (the inverse of [`get`](Self::get)).
    pub fn index_of(&self, addr: IpAddr) -> Option<u128> {
        if !self.contains(addr) {
            return None;
        }
        match (self, addr) {
            (Block::V4 { first, .. }, IpAddr::V4(a)) => Some(u128::from(u32::from(a) - first)),
            (Block::V6 { first, .. }, IpAddr::V6(a)) => Some(u128::from(a) - first),
            (Block::Octets(o), IpAddr::V4(a)) => {
                let mut index = 0u128;
                for (b, ranges) in a.octets().iter().zip(o) {
                    let mut before = 0u128;
                    let mut at = None;
                    for (lo, hi) in ranges {
                        if (lo..=hi).contains(&b) {
                            at = Some(before + u128::from(b - lo));
                            break;
                        }
                        before += u128::from(hi - lo) + 1;
                    }
                    index = index * octet_count(ranges) + at?;
                }
                Some(index)
            }
            _ => None,
        }
    }

    /// Parses one specification (see the module documentation). `resolve` turns a host name
    /// into an address (None: unknown).
    pub fn parse(spec: &str, resolve: &dyn Fn(&str) -> Option<IpAddr>) -> Result<Block, SpecError> {
        let err = |at: usize, m: &str| SpecError::new("target", spec, at, m);
        if spec.is_empty() {
            return Err(err(0, "empty target"));
        }
        if let Some(bad) = spec.find(|c: char| c.is_whitespace() || c.is_control()) {
            return Err(err(bad, "white space or control character"));
        }
        if let Some((addr, len)) = spec.split_once('/') {
            let at = addr.len() + 1;
            let bits: u32 = len.parse().map_err(|_| err(at, "prefix length is not a number"))?;
            let base = match addr.parse::<IpAddr>() {
                Ok(a) => a,
                Err(_) if looks_like_name(addr) => {
                    resolve(addr).ok_or_else(|| err(0, &format!("cannot resolve host name {addr}")))?
                }
                Err(_) => return Err(err(0, "not an address")),
            };
            return match base {
                IpAddr::V4(a) if bits <= 32 => {
                    let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits) };
                    let first = u32::from(a) & mask;
                    Ok(Block::V4 { first, last: first | !mask })
                }
                IpAddr::V6(a) if bits <= 128 => {
                    let mask = if bits == 0 { 0 } else { u128::MAX << (128 - bits) };
                    let first = u128::from(a) & mask;
                    Ok(Block::V6 { first, last: first | !mask })
                }
                IpAddr::V4(_) => Err(err(at, "IPv4 prefix length is more than 32")),
                IpAddr::V6(_) => Err(err(at, "IPv6 prefix length is more than 128")),
            };
        }
        if let Ok(a) = spec.parse::<IpAddr>() {
            return Ok(match a {
                IpAddr::V4(a) => Block::V4 { first: a.into(), last: a.into() },
                IpAddr::V6(a) => Block::V6 { first: a.into(), last: a.into() },
            });
        }
        if let Some((lo, hi)) = spec.split_once('-') {
            match (lo.parse::<IpAddr>(), hi.parse::<IpAddr>()) {
                (Ok(IpAddr::V4(a)), Ok(IpAddr::V4(b))) => {
                    let (first, last) = (u32::from(a), u32::from(b));
                    if first > last {
                        return Err(err(lo.len() + 1, "range ends before it starts"));
                    }
                    return Ok(Block::V4 { first, last });
                }
                (Ok(IpAddr::V6(a)), Ok(IpAddr::V6(b))) => {
                    let (first, last) = (u128::from(a), u128::from(b));
                    if first > last {
                        return Err(err(lo.len() + 1, "range ends before it starts"));
                    }
                    return Ok(Block::V6 { first, last });
                }
                (Ok(_), Ok(_)) => return Err(err(lo.len() + 1, "range mixes IPv4 and IPv6")),
                (Ok(IpAddr::V6(_)), Err(_)) => return Err(err(lo.len() + 1, "not an IPv6 address")),
                _ => {}
            }
        }
        if spec.contains(':') {
            let at = spec.find(|c: char| !(c.is_ascii_hexdigit() || c == ':' || c == '.')).unwrap_or(0);
            return Err(err(at, "not an IPv6 address"));
        }
        if spec.bytes().all(|b| b.is_ascii_digit() || b".,-*".contains(&b)) {
            return parse_octets(spec).map(Block::Octets);
        }
        if !looks_like_name(spec) {
            let at = spec.find(|c: char| !(c.is_ascii_alphanumeric() || "-._".contains(c))).unwrap_or(0);
            return Err(err(at, "not an address, range or host name"));
        }
        let a = resolve(spec).ok_or_else(|| err(0, &format!("cannot resolve host name {spec}")))?;
        Ok(match a {
            IpAddr::V4(a) => Block::V4 { first: a.into(), last: a.into() },
            IpAddr::V6(a) => Block::V6 { first: a.into(), last: a.into() },
        })
    }
}

fn looks_like_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.bytes().any(|b| b.is_ascii_alphabetic())
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b))
}

/// nmap's `a.b.c.d` where each part is `n`, `n-m`, `-m`, `n-`, `*` or a comma list of those.
fn parse_octets(spec: &str) -> Result<[Vec<(u8, u8)>; 4], SpecError> {
    let err = |at: usize, m: &str| SpecError::new("target", spec, at, m);
    let mut out: [Vec<(u8, u8)>; 4] = Default::default();
    let mut at = 0;
    let parts: Vec<&str> = spec.split('.').collect();
    if parts.len() != 4 {
        let pos = if parts.len() > 4 {
            parts[..4].iter().map(|p| p.len() + 1).sum::<usize>() - 1
        } else {
            spec.len()
        };
        return Err(err(pos, "an IPv4 address or octet range has four parts"));
    }
    for (slot, part) in out.iter_mut().zip(&parts) {
        let mut item_at = at;
        for item in part.split(',') {
            let number = |s: &str, off: usize, default: u8| -> Result<u8, SpecError> {
                if s.is_empty() {
                    return Ok(default);
                }
                let v: u32 = s.parse().map_err(|_| err(off, "not a number"))?;
                u8::try_from(v).map_err(|_| err(off, &format!("octet {v} is out of range (0-255)")))
            };
            let range = if item == "*" {
                (0, 255)
            } else if item.is_empty() {
                return Err(err(item_at, "empty octet"));
            } else if let Some((lo, hi)) = item.split_once('-') {
                let (a, b) = (number(lo, item_at, 0)?, number(hi, item_at + lo.len() + 1, 255)?);
                if a > b {
                    return Err(err(item_at + lo.len(), "range ends before it starts"));
                }
                (a, b)
            } else {
                let v = number(item, item_at, 0)?;
                (v, v)
            };
            slot.push(range);
            item_at += item.len() + 1;
        }
        at += part.len() + 1;
    }
    Ok(out)
}

/// Resolves a host name with the system resolver: its first IPv4 address, else its first.
pub fn resolve_host(name: &str) -> Option<IpAddr> {
    let addrs: Vec<IpAddr> = (name, 0).to_socket_addrs().ok()?.map(|s| s.ip()).collect();
    addrs.iter().find(|a| a.is_ipv4()).or(addrs.first()).copied()
}

/// Targets to scan minus targets to skip. Indices run over the included blocks in order
/// (excluded addresses keep their index and are skipped when probing), so memory is the
/// specifications only, whatever their size.
#[derive(Debug, Clone, Default)]
pub struct TargetSet {
    blocks: Vec<Block>,
    /// Index of the first address of each block.
    starts: Vec<u128>,
    excludes: Vec<Block>,
    len: u128,
}

impl TargetSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a block of targets.
    pub fn include(&mut self, block: Block) {
        self.starts.push(self.len);
        self.len = self.len.saturating_add(block.len());
        self.blocks.push(block);
    }

    /// Adds a block of addresses never to probe.
    pub fn exclude(&mut self, block: Block) {
        self.excludes.push(block);
    }

    /// Adds the specifications in `text` (white space separated, `#` comments to the
    /// end of a line, as nmap's `-iL`); errors name `source` and the line.
    pub fn parse_list(
        text: &str,
        source: &str,
        resolve: &dyn Fn(&str) -> Option<IpAddr>,
        mut add: impl FnMut(Block),
    ) -> Result<(), SpecError> {
        for (n, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("");
            for word in line.split(|c: char| c.is_whitespace()).filter(|w| !w.is_empty()) {
                let block = Block::parse(word, resolve).map_err(|mut e| {
                    e.input = word.to_string();
                    e.message = format!("{} ({source} line {})", e.message, n + 1);
                    e
                })?;
                add(block);
            }
        }
        Ok(())
    }

    /// The included blocks, in order.
    pub fn blocks(&self) -> &[Block] {
        &self.blocks
    }

    /// Number of target indices, excluded ones included.
    pub fn len(&self) -> u128 {
        self.len
    }

    /// True when no target was added.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The address at `index` (< [`len`](Self::len)).
    pub fn get(&self, index: u128) -> IpAddr {
        let b = self.starts.partition_point(|s| *s <= index).saturating_sub(1);
        self.blocks[b].get(index - self.starts[b])
    }

    /// The first index of `addr` (`None` when it is not a target).
    pub fn index_of(&self, addr: IpAddr) -> Option<u128> {
        self.blocks.iter().zip(&self.starts).find_map(|(b, start)| b.index_of(addr).map(|i| start + i))
    }

    /// True when `addr` is excluded.
    pub fn is_excluded(&self, addr: IpAddr) -> bool {
        self.excludes.iter().any(|b| b.contains(addr))
    }

    /// The addresses to probe, in index order, excluded ones left out.
    pub fn iter(&self) -> impl Iterator<Item = IpAddr> + '_ {
        (0..self.len).map(|i| self.get(i)).filter(|a| !self.is_excluded(*a))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_dns(_: &str) -> Option<IpAddr> {
        None
    }

    fn parse(s: &str) -> Result<Block, SpecError> {
        Block::parse(s, &no_dns)
    }

    fn all(b: &Block) -> Vec<String> {
        (0..b.len()).map(|i| b.get(i).to_string()).collect()
    }

    #[test]
    fn addresses_and_cidr() {
        assert_eq!(all(&parse("10.0.3.2").unwrap()), ["10.0.3.2"]);
        let b = parse("10.0.3.5/30").unwrap();
        assert_eq!(all(&b), ["10.0.3.4", "10.0.3.5", "10.0.3.6", "10.0.3.7"]);
        assert_eq!(parse("10.0.0.0/8").unwrap().len(), 1 << 24);
        assert_eq!(parse("0.0.0.0/0").unwrap().len(), 1 << 32);
        assert_eq!(all(&parse("fd00:3::2").unwrap()), ["fd00:3::2"]);
        assert_eq!(all(&parse("fd00:3::/127").unwrap()), ["fd00:3::", "fd00:3::1"]);
        assert_eq!(parse("fd00::/64").unwrap().len(), 1 << 64);
        assert!(parse("::/0").unwrap().len() == u128::MAX);
    }

    #[test]
    fn nmap_octets() {
        let b = parse("10.0.0-1.1-2").unwrap();
        assert_eq!(all(&b), ["10.0.0.1", "10.0.0.2", "10.0.1.1", "10.0.1.2"]);
        assert_eq!(parse("10.0.0-3.1-254").unwrap().len(), 4 * 254);
        assert_eq!(parse("10.0.0.*").unwrap().len(), 256);
        assert_eq!(parse("10.0.0.-").unwrap().len(), 256);
        assert_eq!(all(&parse("10.0.0,5.1").unwrap()), ["10.0.0.1", "10.0.5.1"]);
        assert_eq!(all(&parse("10.0.0.250-").unwrap()).len(), 6);
        assert!(parse("10.0.0-3.1-254").unwrap().contains("10.0.2.9".parse().unwrap()));
        assert!(!parse("10.0.0-3.1-254").unwrap().contains("10.0.4.9".parse().unwrap()));
    }

    #[test]
    fn masscan_ranges() {
        let b = parse("10.0.0.254-10.0.1.1").unwrap();
        assert_eq!(all(&b), ["10.0.0.254", "10.0.0.255", "10.0.1.0", "10.0.1.1"]);
        assert_eq!(all(&parse("fd00::1-fd00::3").unwrap()), ["fd00::1", "fd00::2", "fd00::3"]);
    }

    #[test]
    fn errors_have_positions() {
        let e = parse("10.0.0.300").unwrap_err();
        assert_eq!((e.position, e.message.as_str()), (8, "octet 300 is out of range (0-255)"));
        assert_eq!(
            e.to_string(),
            "bad target \"10.0.0.300\" at position 8: octet 300 is out of range (0-255)"
        );
        assert_eq!(parse("10.0.0.1/33").unwrap_err().position, 10);
        assert_eq!(parse("10.0.0.1/x").unwrap_err().position, 10);
        assert_eq!(parse("10.0.5-2.1").unwrap_err().position, 7);
        assert_eq!(parse("10.0.0.2-10.0.0.1").unwrap_err().position, 10);
        assert_eq!(parse("10.0.0").unwrap_err().message, "an IPv4 address or octet range has four parts");
        assert_eq!(parse("10.0.0.1.2").unwrap_err().position, 9);
        assert_eq!(parse("fd00::g").unwrap_err().position, 7);
        assert_eq!(parse("bad!name").unwrap_err().position, 4);
        assert!(parse("").is_err());
        assert!(parse("10.0.0.1-fd00::1").is_err());
        assert_eq!(parse("no.such.host").unwrap_err().message, "cannot resolve host name no.such.host");
    }

    #[test]
    fn names_resolve_through_the_resolver() {
        let lab = |n: &str| (n == "server").then(|| IpAddr::from([10, 0, 3, 2]));
        assert_eq!(all(&Block::parse("server", &lab).unwrap()), ["10.0.3.2"]);
        assert_eq!(all(&Block::parse("server/31", &lab).unwrap()), ["10.0.3.2", "10.0.3.3"]);
        assert_eq!(resolve_host("localhost").map(|a| a.is_loopback()), Some(true));
    }

    #[test]
    fn sets_exclude_and_index_lazily() {
        let mut set = TargetSet::new();
        set.include(parse("10.0.0.0/30").unwrap());
        set.include(parse("fd00::1").unwrap());
        set.exclude(parse("10.0.0.1-10.0.0.2").unwrap());
        assert_eq!(set.len(), 5);
        assert_eq!(set.get(4).to_string(), "fd00::1");
        let kept: Vec<String> = set.iter().map(|a| a.to_string()).collect();
        assert_eq!(kept, ["10.0.0.0", "10.0.0.3", "fd00::1"]);
        for i in 0..set.len() {
            assert_eq!(set.index_of(set.get(i)), Some(i));
        }
        assert_eq!(set.index_of("10.0.0.9".parse().unwrap()), None);
        let octets = parse("10.0.1,5-6.1-2,9").unwrap();
        for i in 0..octets.len() {
            assert_eq!(octets.index_of(octets.get(i)), Some(i));
        }
        let mut big = TargetSet::new();
        big.include(parse("10.0.0.0/8").unwrap());
        assert_eq!(big.get(70000).to_string(), "10.1.17.112");
    }

    #[test]
    fn lists_as_in_il_files() {
        let mut got = Vec::new();
        TargetSet::parse_list("10.0.0.1 10.0.0.2 # two\n\n  fd00::1\n", "t.txt", &no_dns, |b| got.push(b))
            .unwrap();
        assert_eq!(got.len(), 3);
        let e = TargetSet::parse_list("10.0.0.1\n10.0.0.999\n", "t.txt", &no_dns, |_| {}).unwrap_err();
        assert_eq!(
            e.to_string(),
            "bad target \"10.0.0.999\" at position 8: octet 999 is out of range (0-255) (t.txt line 2)"
        );
    }
}
