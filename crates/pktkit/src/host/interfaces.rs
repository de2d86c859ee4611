//! Per-interface counters from `/proc/net/dev`, with psutil's `net_io_counters` names.
//!
//! The kernel fills `/proc/net/dev` from the same `dev_get_stats` that `ip -s link` reads over
//! netlink; the drop columns include missed frames (rx) and carrier drops as the kernel counts them.

use super::HostError;

const PROC_NET_DEV: &str = "/proc/net/dev";

/// One interface's counters since it came up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counters {
    pub bytes_sent: u64,
    pub bytes_recv: u64,
    pub packets_sent: u64,
    pub packets_recv: u64,
    /// Receive errors.
    pub errin: u64,
    /// Transmit errors.
    pub errout: u64,
    /// Received packets dropped.
    pub dropin: u64,
    /// Packets dropped before sending.
    pub dropout: u64,
}

impl Counters {
    /// The counters as (psutil name, value), in psutil's order.
    pub fn fields(&self) -> [(&'static str, u64); 8] {
        [
            ("bytes_sent", self.bytes_sent),
            ("bytes_recv", self.bytes_recv),
            ("packets_sent", self.packets_sent),
            ("packets_recv", self.packets_recv),
            ("errin", self.errin),
            ("errout", self.errout),
            ("dropin", self.dropin),
            ("dropout", self.dropout),
        ]
    }

    /// What grew from `earlier` to `self`, counter by counter (a counter that went back, as
    /// after an interface reset, counts from zero).
    pub fn since(&self, earlier: &Counters) -> Counters {
        let d = |now: u64, then: u64| if now >= then { now - then } else { now };
        Counters {
            bytes_sent: d(self.bytes_sent, earlier.bytes_sent),
            bytes_recv: d(self.bytes_recv, earlier.bytes_recv),
            packets_sent: d(self.packets_sent, earlier.packets_sent),
            packets_recv: d(self.packets_recv, earlier.packets_recv),
            errin: d(self.errin, earlier.errin),
            errout: d(self.errout, earlier.errout),
            dropin: d(self.dropin, earlier.dropin),
            dropout: d(self.dropout, earlier.dropout),
        }
    }
}

/// An interface's name and counters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interface {
    pub name: String,
    pub counters: Counters,
}

/// Every interface of the caller's network namespace, in the kernel's order.
pub fn read() -> Result<Vec<Interface>, HostError> {
    let text = std::fs::read_to_string(PROC_NET_DEV)
        .map_err(|source| HostError::Proc { path: PROC_NET_DEV.to_string(), source })?;
    parse(&text)
}

/// Columns of a `/proc/net/dev` line after the name: 8 receive, then 8 transmit.
const RX_BYTES: usize = 0;
const RX_PACKETS: usize = 1;
const RX_ERRS: usize = 2;
const RX_DROP: usize = 3;
const TX_BYTES: usize = 8;
const TX_PACKETS: usize = 9;
const TX_ERRS: usize = 10;
const TX_DROP: usize = 11;
const COLUMNS: usize = 16;

/// Parses the text of `/proc/net/dev` (two header lines, then `name: 16 numbers` per line).
pub fn parse(text: &str) -> Result<Vec<Interface>, HostError> {
    let mut out = Vec::new();
    for (index, line) in text.lines().enumerate().skip(2) {
        let bad = |message: String| HostError::Format { path: PROC_NET_DEV, line: index + 1, message };
        let Some((name, rest)) = line.split_once(':') else {
            return Err(bad("no `name:`".to_string()));
        };
        let mut values = [0u64; COLUMNS];
        let mut count = 0;
        for word in rest.split_whitespace() {
            if count == COLUMNS {
                return Err(bad(format!("more than {COLUMNS} counters")));
            }
            values[count] = word.parse().map_err(|_| bad(format!("{word:?} is not a counter")))?;
            count += 1;
        }
        if count != COLUMNS {
            return Err(bad(format!("{count} counters, expected {COLUMNS}")));
        }
        out.push(Interface {
            name: name.trim().to_string(),
            counters: Counters {
                bytes_sent: values[TX_BYTES],
                bytes_recv: values[RX_BYTES],
                packets_sent: values[TX_PACKETS],
                packets_recv: values[RX_PACKETS],
                errin: values[RX_ERRS],
                errout: values[TX_ERRS],
                dropin: values[RX_DROP],
                dropout: values[TX_DROP],
            },
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:    1200      12    0    0    0     0          0         0     1200      12    0    0    0     0       0          0
veth-c0: 98765432101 4321 1 2 0 0 0 7 123456 789 3 4 0 0 0 0
";

    #[test]
    fn parses_psutil_fields() {
        let v = parse(SAMPLE).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].name, "lo");
        let c = v[1].counters;
        assert_eq!(v[1].name, "veth-c0");
        assert_eq!((c.bytes_recv, c.packets_recv, c.errin, c.dropin), (98_765_432_101, 4321, 1, 2));
        assert_eq!((c.bytes_sent, c.packets_sent, c.errout, c.dropout), (123_456, 789, 3, 4));
    }

    #[test]
    fn rejects_short_and_bad_lines() {
        let short = "h\nh\neth0: 1 2 3\n";
        assert!(matches!(parse(short), Err(HostError::Format { line: 3, .. })));
        let bad = "h\nh\neth0: 1 2 x 4 5 6 7 8 9 10 11 12 13 14 15 16\n";
        assert!(parse(bad).unwrap_err().to_string().contains("\"x\""));
        assert!(parse("h\nh\nno colon here\n").is_err());
    }

    #[test]
    fn since_subtracts_and_survives_resets() {
        let a = Counters { bytes_sent: 100, bytes_recv: 50, ..Default::default() };
        let b = Counters { bytes_sent: 160, bytes_recv: 20, ..Default::default() };
        let d = b.since(&a);
        assert_eq!(d.bytes_sent, 60);
        assert_eq!(d.bytes_recv, 20);
    }
}
