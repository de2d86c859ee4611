//! Which Linux capabilities this process holds: the one check behind the privilege errors of
//! live capture ([`crate::live`]) and raw sending ([`crate::net`]). It reads the effective set
//! (`CapEff` in /proc/self/status). When that cannot be read, a capability counts as held:
//! the system call that needs it then gives the answer.

/// A capability the tools need (numbers from linux/capability.h).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Capability {
    /// `CAP_NET_ADMIN` (12): libpcap's capture setup on Linux.
    NetAdmin,
    /// `CAP_NET_RAW` (13): raw and packet sockets.
    NetRaw,
}

impl Capability {
    /// Its bit in the capability sets.
    pub fn bit(self) -> u32 {
        match self {
            Capability::NetAdmin => 12,
            Capability::NetRaw => 13,
        }
    }

    /// Its name as `setcap` and the man pages write it.
    pub fn name(self) -> &'static str {
        match self {
            Capability::NetAdmin => "CAP_NET_ADMIN",
            Capability::NetRaw => "CAP_NET_RAW",
        }
    }
}

/// The effective capability set, `None` when /proc/self/status is unreadable or has no
/// `CapEff` line. Read once per process: tools ask before each socket they open, and the set
/// does not change while they run (pcap-capture's `-Z` drops it only after its last check).
pub fn effective_set() -> Option<u64> {
    static SET: std::sync::OnceLock<Option<u64>> = std::sync::OnceLock::new();
    *SET.get_or_init(|| parse_effective(&read_status()?))
}

/// /proc/self/status (about 1.5 KiB) in one or two reads: `fs::read_to_string` stats the file,
/// whose size /proc gives as 0, and then reads it from 32 bytes up, doubling.
fn read_status() -> Option<String> {
    use std::io::Read;
    let mut status = String::with_capacity(4096);
    std::fs::File::open("/proc/self/status").ok()?.take(1 << 20).read_to_string(&mut status).ok()?;
    Some(status)
}

fn parse_effective(status: &str) -> Option<u64> {
    // The kernel escapes a newline in the Name line, so the key starts a line only here.
    let rest = status.strip_prefix("CapEff:").or_else(|| status.split_once("\nCapEff:").map(|(_, r)| r))?;
    u64::from_str_radix(rest.split('\n').next()?.trim(), 16).ok()
}

/// Whether this process holds `cap` (true when the effective set cannot be read).
pub fn holds(cap: Capability) -> bool {
    held_in(effective_set(), cap)
}

/// The capabilities of `wanted` this process is known to lack (none when the effective set
/// cannot be read).
pub fn missing(wanted: &[Capability]) -> Vec<Capability> {
    let set = effective_set();
    wanted.iter().copied().filter(|&c| !held_in(set, c)).collect()
}

fn held_in(set: Option<u64>, cap: Capability) -> bool {
    set.is_none_or(|s| s & (1 << cap.bit()) != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_effective_set() {
        let status =
            "Name:\tx\nCapInh:\t0000000000000000\nCapEff:\t0000000000003000\nCapBnd:\t000001ffffffffff\n";
        let set = parse_effective(status);
        assert_eq!(set, Some(0x3000));
        assert!(held_in(set, Capability::NetRaw) && held_in(set, Capability::NetAdmin));
        let only_raw = parse_effective("CapEff:\t0000000000002000\n");
        assert!(held_in(only_raw, Capability::NetRaw));
        assert!(!held_in(only_raw, Capability::NetAdmin));
        assert!(!held_in(parse_effective("CapEff:\t0000000000000000\n"), Capability::NetRaw));
    }

    #[test]
    fn an_unreadable_set_counts_as_held() {
        assert_eq!(parse_effective("Name:\tx\n"), None);
        assert_eq!(parse_effective("CapEff:\tzz\n"), None);
        assert!(held_in(None, Capability::NetRaw));
        assert!(held_in(None, Capability::NetAdmin));
    }

    #[test]
    fn this_process_agrees_with_its_status() {
        let set = effective_set().expect("/proc/self/status is readable here");
        for cap in [Capability::NetRaw, Capability::NetAdmin] {
            assert_eq!(holds(cap), set & (1 << cap.bit()) != 0);
            assert_eq!(missing(&[cap]).is_empty(), holds(cap));
        }
    }
}
