//! TCP ports to scan, in nmap's `-p` syntax.
//!
//! A list of comma-separated items: `22`, `20-25`, `-1024` (1-1024), `60000-` (to 65535),
//! `-` (1-65535, as in `-p-`), service names (`ssh`, `http`), an optional `T:` before the
//! list. Port 0 is scanned only when named (`0`, `0-10`), as nmap does.

use super::SpecError;
use crate::services::{TOP_TCP_PORTS, port_of};

/// A set of ports, stored as sorted disjoint ranges, with indexed access.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PortSet {
    ranges: Vec<(u16, u16)>,
    /// Number of ports before each range.
    starts: Vec<u32>,
    len: u32,
}

impl PortSet {
    /// The set of `ports`.
    pub fn from_ports(ports: impl IntoIterator<Item = u16>) -> Self {
        let mut v: Vec<u16> = ports.into_iter().collect();
        v.sort_unstable();
        v.dedup();
        let mut ranges: Vec<(u16, u16)> = Vec::new();
        for p in v {
            match ranges.last_mut() {
                Some((_, hi)) if u32::from(*hi) + 1 == u32::from(p) => *hi = p,
                _ => ranges.push((p, p)),
            }
        }
        Self::from_ranges(ranges)
    }

    fn from_ranges(mut ranges: Vec<(u16, u16)>) -> Self {
        ranges.sort_unstable();
        let mut merged: Vec<(u16, u16)> = Vec::new();
        for (lo, hi) in ranges {
            match merged.last_mut() {
                Some((_, h)) if u32::from(lo) <= u32::from(*h) + 1 => *h = (*h).max(hi),
                _ => merged.push((lo, hi)),
            }
        }
        let mut starts = Vec::with_capacity(merged.len());
        let mut len = 0u32;
        for (lo, hi) in &merged {
            starts.push(len);
            len += u32::from(hi - lo) + 1;
        }
        PortSet { ranges: merged, starts, len }
    }

    /// Parses nmap's port syntax (see the module documentation).
    pub fn parse(spec: &str) -> Result<Self, SpecError> {
        let err = |at: usize, m: &str| SpecError::new("port", spec, at, m);
        let (body, mut at) = match spec.strip_prefix("T:") {
            Some(rest) => (rest, 2),
            None => (spec, 0),
        };
        if body.is_empty() {
            return Err(err(at, "empty port list"));
        }
        let mut ranges = Vec::new();
        for item in body.split(',') {
            if item.is_empty() {
                return Err(err(at, "empty item"));
            }
            if let Some(proto) = item.get(..2).filter(|p| p.ends_with(':')) {
                let m = if proto == "U:" || proto == "S:" {
                    "only TCP ports can be SYN scanned"
                } else {
                    "unknown protocol prefix"
                };
                return Err(err(at, m));
            }
            if item.bytes().any(|b| b.is_ascii_alphabetic()) {
                let Some(p) = port_of(item) else {
                    return Err(err(at, &format!("unknown service name {item}")));
                };
                ranges.push((p, p));
            } else {
                let number = |s: &str, off: usize, default: u16| -> Result<u16, SpecError> {
                    if s.is_empty() {
                        return Ok(default);
                    }
                    if let Some(bad) = s.find(|c: char| !c.is_ascii_digit()) {
                        return Err(err(off + bad, "not a port number"));
                    }
                    let v: u32 = s.parse().map_err(|_| err(off, "not a port number"))?;
                    u16::try_from(v).map_err(|_| err(off, &format!("port {v} is out of range (0-65535)")))
                };
                let range = match item.split_once('-') {
                    Some((lo, hi)) => {
                        let (a, b) = (number(lo, at, 1)?, number(hi, at + lo.len() + 1, 65535)?);
                        if a > b {
                            return Err(err(at + lo.len(), "range ends before it starts"));
                        }
                        (a, b)
                    }
                    None => {
                        let p = number(item, at, 0)?;
                        (p, p)
                    }
                };
                ranges.push(range);
            }
            at += item.len() + 1;
        }
        Ok(Self::from_ranges(ranges))
    }

    /// The `n` most often open TCP ports (`--top-ports`); at most 1,000 are known.
    pub fn top(n: usize) -> Result<Self, SpecError> {
        if n == 0 || n > TOP_TCP_PORTS.len() {
            return Err(SpecError::new(
                "port",
                &n.to_string(),
                0,
                format!("--top-ports takes 1 to {}", TOP_TCP_PORTS.len()),
            ));
        }
        Ok(Self::from_ports(TOP_TCP_PORTS[..n].iter().copied()))
    }

    /// This set without the ports of `other` (`--exclude-ports`).
    pub fn without(&self, other: &PortSet) -> PortSet {
        Self::from_ports(self.iter().filter(|p| !other.contains(*p)))
    }

    /// Number of ports.
    pub fn len(&self) -> u32 {
        self.len
    }

    /// True when no port is in the set.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The `index`th port in ascending order (`index` < [`len`](Self::len)).
    pub fn get(&self, index: u32) -> u16 {
        let r = self.starts.partition_point(|s| *s <= index).saturating_sub(1);
        self.ranges[r].0 + (index - self.starts[r]) as u16
    }

    /// The index of `port` (the inverse of [`get`](Self::get)).
    pub fn index_of(&self, port: u16) -> Option<u32> {
        let r = self.ranges.partition_point(|(lo, _)| *lo <= port).checked_sub(1)?;
        (port <= self.ranges[r].1).then(|| self.starts[r] + u32::from(port - self.ranges[r].0))
    }

    /// Whether `port` is in the set.
    pub fn contains(&self, port: u16) -> bool {
        let r = self.ranges.partition_point(|(lo, _)| *lo <= port);
        r > 0 && port <= self.ranges[r - 1].1
    }

    /// The ports in ascending order.
    pub fn iter(&self) -> impl Iterator<Item = u16> + '_ {
        self.ranges.iter().flat_map(|(lo, hi)| *lo..=*hi)
    }

    /// nmap's compact form: `1-1024,8080`.
    pub fn to_nmap_list(&self) -> String {
        let parts: Vec<String> = self
            .ranges
            .iter()
            .map(|(lo, hi)| if lo == hi { lo.to_string() } else { format!("{lo}-{hi}") })
            .collect();
        parts.join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ports(s: &str) -> Vec<u16> {
        PortSet::parse(s).unwrap().iter().collect()
    }

    #[test]
    fn nmap_forms() {
        assert_eq!(ports("22"), [22]);
        assert_eq!(ports("22,80,443"), [22, 80, 443]);
        assert_eq!(ports("20-23"), [20, 21, 22, 23]);
        assert_eq!(PortSet::parse("-").unwrap().len(), 65535);
        assert_eq!(PortSet::parse("-").unwrap().get(0), 1);
        assert_eq!(PortSet::parse("-1024").unwrap().len(), 1024);
        assert_eq!(PortSet::parse("65530-").unwrap().len(), 6);
        assert_eq!(PortSet::parse("0-65535").unwrap().len(), 65536);
        assert_eq!(ports("T:22,ssh,http"), [22, 80]);
        assert_eq!(ports("25,20-22,21"), [20, 21, 22, 25]);
        assert_eq!(PortSet::parse("1-10,5-20,30").unwrap().to_nmap_list(), "1-20,30");
    }

    #[test]
    fn indexed_access() {
        let s = PortSet::parse("22,80-82,443").unwrap();
        let by_index: Vec<u16> = (0..s.len()).map(|i| s.get(i)).collect();
        assert_eq!(by_index, [22, 80, 81, 82, 443]);
        assert!(s.contains(81) && !s.contains(83) && !s.contains(21));
        assert_eq!(
            (s.index_of(22), s.index_of(82), s.index_of(443), s.index_of(83)),
            (Some(0), Some(3), Some(4), None)
        );
        let rest = s.without(&PortSet::parse("80-81").unwrap());
        assert_eq!(rest.iter().collect::<Vec<_>>(), [22, 82, 443]);
    }

    #[test]
    fn top_ports() {
        let t = PortSet::top(10).unwrap();
        assert_eq!(t.iter().collect::<Vec<_>>(), [21, 22, 23, 25, 80, 110, 139, 443, 445, 3389]);
        assert_eq!(PortSet::top(1000).unwrap().len(), 1000);
        assert!(PortSet::top(0).is_err() && PortSet::top(1001).is_err());
    }

    #[test]
    fn errors_have_positions() {
        let e = PortSet::parse("22,70000").unwrap_err();
        assert_eq!(
            e.to_string(),
            "bad port \"22,70000\" at position 4: port 70000 is out of range (0-65535)"
        );
        assert_eq!(PortSet::parse("22,,80").unwrap_err().position, 4);
        assert_eq!(PortSet::parse("100-20").unwrap_err().position, 4);
        assert_eq!(PortSet::parse("22,8x").unwrap_err().position, 4);
        assert_eq!(PortSet::parse("22,8.5").unwrap_err().position, 5);
        assert_eq!(PortSet::parse("U:53").unwrap_err().message, "only TCP ports can be SYN scanned");
        assert_eq!(PortSet::parse("nosuchservice").unwrap_err().position, 1);
        assert!(PortSet::parse("").is_err());
    }
}
