//! `--json`: the report as one JSON document, schema `pktkit.stats/3` (docs/pkt-stats.md),
//! and reading it back for `--merge`.
//!
//! A report without `--top` holds every kept table row, so reports merge exactly. Times are
//! exact decimal strings of seconds since the epoch (`"1412955323.956615000"`); derived
//! values (durations, rates, totals of a row) are written for convenience and ignored when
//! read back. Writing streams rows straight from the tables (no copy of a table is built).

mod read;
mod write;

pub use read::{parse, parse_all, parse_time};
pub use write::{ReportOut, interval_start, report, time_str};

/// Schema name and version.
pub const SCHEMA: &str = "pktkit.stats/3";

#[cfg(test)]
mod tests {
    use super::read::*;
    use super::write::*;
    use crate::stats::engine::{Caps, Config, Net, Stats};
    use pktkit::capture::Timestamp;

    #[test]
    fn report_round_trips_and_streams() {
        use etherparse::PacketBuilder;
        use pktkit::capture::LinkType;
        use pktkit::decode::{DecodeOptions, decode};
        let config = Config {
            interval_ns: Some(300_000_000),
            me: vec![Net::parse("10.0.0.0/8").unwrap()],
            caps: Caps { hosts: 2, conversations: 2, names: 2, intervals: 2 },
            ..Config::default()
        };
        let mut s = Stats::new(config);
        for i in 0..12u8 {
            let b =
                PacketBuilder::ethernet2([2; 6], [4; 6]).ipv6([i; 16], [9; 16], 64).udp(53, 1000 + i as u16);
            let mut f = Vec::new();
            b.write(
                &mut f,
                &pktkit::proto::dns::build_query(1, true, &format!("h{}.example", i % 3), 1).unwrap(),
            )
            .unwrap();
            let b = PacketBuilder::ethernet2([2; 6], [4; 6])
                .ipv4([10, 0, 0, i], [1, 1, 1, 1], 64)
                .tcp(80, 2, 3, 4);
            let mut g = Vec::new();
            b.write(&mut g, b"GET / HTTP/1.0\r\nHost: x\r\n\r\n").unwrap();
            for (k, frame) in [f, g].iter().enumerate() {
                let d = decode(LinkType::ETHERNET, frame, frame.len() as u32, &DecodeOptions::default());
                let t = Timestamp { secs: -2 + i as i64 / 4, nanos: 100_000_000 * k as u32 };
                s.add(t, frame.len(), frame.len() as u32, &d, true);
            }
        }
        let text = serde_json::to_string(&report(&s, None)).unwrap();
        let back = parse(&text).unwrap();
        assert_eq!(serde_json::to_string(&report(&back, None)).unwrap(), text);
        assert!(s.hosts.folded() && s.conv_tcp.folded() && s.io.folded(), "tables past their caps");
        // Two documents in one input, as from several runs appended to one file.
        let two = parse_all(&format!("{text}\n{text}\n")).unwrap();
        assert_eq!(two.len(), 2);
        let mut m = back.clone();
        m.merge(&two[1]).unwrap();
        assert_eq!(m.summary.packets, 48);
        assert!(parse_all("").is_err());
        assert!(parse_all("{}").is_err());
        let cut = serde_json::to_string(&report(&s, Some(3))).unwrap();
        assert!(parse(&cut).unwrap_err().contains("--top 3"));
    }

    #[test]
    fn times_round_trip() {
        for (t, s) in [
            (Timestamp { secs: 1412955323, nanos: 956615000 }, "1412955323.956615000"),
            (Timestamp { secs: 0, nanos: 0 }, "0.000000000"),
            (Timestamp { secs: -1, nanos: 500_000_000 }, "-0.500000000"),
            (Timestamp { secs: -2, nanos: 0 }, "-2.000000000"),
        ] {
            assert_eq!(time_str(t), s);
            assert_eq!(parse_time(s), Ok(t));
        }
        assert_eq!(parse_time("12.5"), Ok(Timestamp { secs: 12, nanos: 500_000_000 }));
        assert_eq!(parse_time("7"), Ok(Timestamp { secs: 7, nanos: 0 }));
        for bad in ["", ".5", "1.2.3", "1e9", "1.0000000001", "x", "--1", "99999999999999999999999999"] {
            assert!(parse_time(bad).is_err(), "{bad}");
        }
    }
}
