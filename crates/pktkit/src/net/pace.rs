//! Send times: a fixed schedule computed from the first packet's send time (no drift: a late
//! packet does not delay the ones after it), and a wait that sleeps while the deadline is
//! far and spins for the last stretch.

use std::time::{Duration, Instant};

use crate::capture::Timestamp;

/// How send times are chosen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Schedule {
    /// As fast as possible.
    TopSpeed,
    /// This many packets per second.
    Pps(f64),
    /// This many megabits (10^6 bits) of frame bytes per second.
    Mbps(f64),
    /// One packet every interval.
    Interval(Duration),
    /// The packets' capture timestamps, gaps divided by `multiplier` (1.0: as captured).
    Captured {
        /// Speed factor (2.0 replays twice as fast).
        multiplier: f64,
    },
}

/// Below this much time left, [`wait_until`] spins instead of sleeping.
const SPIN: Duration = Duration::from_micros(200);

/// Waits until `deadline`: sleeps while it is far, then spins.
pub fn wait_until(deadline: Instant) {
    wait_until_or(deadline, || false);
}

/// Longest sleep of [`wait_until_or`] between two looks at its `stop` test.
const STOP_POLL: Duration = Duration::from_millis(20);

/// Waits until `deadline` as [`wait_until`] does, unless `stop` turns true first (looked at
/// every [`STOP_POLL`] while the deadline is far). True when the deadline was reached.
pub fn wait_until_or(deadline: Instant, stop: impl Fn() -> bool) -> bool {
    loop {
        if stop() {
            return false;
        }
        let now = Instant::now();
        if now >= deadline {
            return true;
        }
        let left = deadline - now;
        if left > SPIN {
            std::thread::sleep((left - SPIN).min(STOP_POLL));
        } else {
            std::hint::spin_loop();
        }
    }
}

/// Gives each packet its send time under a [`Schedule`].
#[derive(Debug, Clone)]
pub struct Pacer {
    schedule: Schedule,
    start: Option<Instant>,
    first_ts: Option<Timestamp>,
    count: u64,
    bits: u128,
    last_offset: Duration,
}

fn secs(s: f64) -> Duration {
    Duration::try_from_secs_f64(s).unwrap_or(Duration::MAX)
}

impl Pacer {
    /// A pacer whose clock starts at the first packet.
    pub fn new(schedule: Schedule) -> Self {
        Pacer { schedule, start: None, first_ts: None, count: 0, bits: 0, last_offset: Duration::ZERO }
    }

    /// The schedule.
    pub fn schedule(&self) -> Schedule {
        self.schedule
    }

    /// When the next packet (`len` bytes, captured at `ts`) is due; `None`: at once.
    pub fn due(&mut self, len: usize, ts: Timestamp) -> Option<Instant> {
        let start = *self.start.get_or_insert_with(Instant::now);
        let offset = match self.schedule {
            Schedule::TopSpeed => None,
            Schedule::Pps(pps) => Some(secs(self.count as f64 / pps)),
            Schedule::Mbps(mbps) => Some(secs(self.bits as f64 / (mbps * 1e6))),
            Schedule::Interval(every) => {
                Some(every.saturating_mul(u32::try_from(self.count).unwrap_or(u32::MAX)))
            }
            Schedule::Captured { multiplier } => {
                let first = *self.first_ts.get_or_insert(ts);
                let gap = ts.nanos_since(first).max(0) as f64 / 1e9;
                // Timestamps that go backwards send at once, never before an earlier packet.
                Some(secs(gap / multiplier).max(self.last_offset))
            }
        };
        self.count += 1;
        self.bits += len as u128 * 8;
        offset.map(|o| {
            self.last_offset = o;
            start.checked_add(o).unwrap_or(start)
        })
    }

    /// Waits until the next packet is due (see [`Self::due`]).
    pub fn pace(&mut self, len: usize, ts: Timestamp) {
        if let Some(t) = self.due(len, ts) {
            wait_until(t);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offsets(mut p: Pacer, pkts: &[(usize, Timestamp)]) -> Vec<Option<Duration>> {
        let mut start = None;
        pkts.iter()
            .map(|&(len, ts)| {
                let due = p.due(len, ts);
                let s = *start.get_or_insert_with(|| p.start.expect("started"));
                due.map(|d| d - s)
            })
            .collect()
    }

    #[test]
    fn schedules() {
        let ts = |s: i64, n: u64| Timestamp::new(s, n);
        let three = [(100, ts(5, 0)), (100, ts(5, 500_000_000)), (1000, ts(5, 400_000_000))];
        assert_eq!(offsets(Pacer::new(Schedule::TopSpeed), &three), vec![None, None, None]);
        let ms = Duration::from_millis;
        assert_eq!(
            offsets(Pacer::new(Schedule::Pps(10.0)), &three),
            vec![Some(ms(0)), Some(ms(100)), Some(ms(200))]
        );
        // 100 bytes = 800 bits at 0.008 Mbps = 8000 bit/s: 100 ms per 100-byte packet.
        assert_eq!(
            offsets(Pacer::new(Schedule::Mbps(0.008)), &three),
            vec![Some(ms(0)), Some(ms(100)), Some(ms(200))]
        );
        assert_eq!(
            offsets(Pacer::new(Schedule::Interval(ms(7))), &three),
            vec![Some(ms(0)), Some(ms(7)), Some(ms(14))]
        );
        // Captured gaps, halved; the third timestamp goes backwards and is not sent earlier.
        assert_eq!(
            offsets(Pacer::new(Schedule::Captured { multiplier: 2.0 }), &three),
            vec![Some(ms(0)), Some(ms(250)), Some(ms(250))]
        );
    }

    #[test]
    fn wait_until_is_not_early() {
        for us in [0u64, 50, 300, 2000] {
            let deadline = Instant::now() + Duration::from_micros(us);
            wait_until(deadline);
            assert!(Instant::now() >= deadline);
        }
    }
}
