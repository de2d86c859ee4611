//! Round-trip time estimation as TCP does it (RFC 6298): a smoothed RTT, its variation, and
//! a retransmission timeout of `srtt + 4 * rttvar` kept within bounds.

use std::time::Duration;

/// RFC 6298's gains: alpha = 1/ALPHA, beta = 1/BETA.
const ALPHA: u32 = 8;
const BETA: u32 = 4;
/// RFC 6298's K.
const K: u32 = 4;

/// An adaptive round-trip estimate.
#[derive(Debug, Clone)]
pub struct RttEstimator {
    srtt: Option<Duration>,
    rttvar: Duration,
    initial: Duration,
    min: Duration,
    max: Duration,
    samples: u64,
}

impl RttEstimator {
    /// An estimator whose timeout is `initial` until the first sample, then within
    /// `min..=max`.
    pub fn new(initial: Duration, min: Duration, max: Duration) -> Self {
        RttEstimator { srtt: None, rttvar: Duration::ZERO, initial, min, max, samples: 0 }
    }

    /// Adds one measured round trip.
    pub fn sample(&mut self, rtt: Duration) {
        self.samples += 1;
        match self.srtt {
            None => {
                self.srtt = Some(rtt);
                self.rttvar = rtt / 2;
            }
            Some(srtt) => {
                let delta = srtt.abs_diff(rtt);
                self.rttvar = self.rttvar - self.rttvar / BETA + delta / BETA;
                self.srtt = Some(srtt - srtt / ALPHA + rtt / ALPHA);
            }
        }
    }

    /// The smoothed round-trip time, once there is a sample.
    pub fn srtt(&self) -> Option<Duration> {
        self.srtt
    }

    /// How many samples were taken.
    pub fn samples(&self) -> u64 {
        self.samples
    }

    /// How long to wait for an answer before giving up on it.
    pub fn timeout(&self) -> Duration {
        match self.srtt {
            None => self.initial,
            Some(srtt) => (srtt + self.rttvar * K).clamp(self.min, self.max),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn follows_rfc_6298() {
        let mut e = RttEstimator::new(MS * 1000, MS * 10, MS * 2000);
        assert_eq!(e.timeout(), MS * 1000);
        e.sample(MS * 100);
        assert_eq!((e.srtt(), e.timeout()), (Some(MS * 100), MS * 300));
        e.sample(MS * 100);
        // rttvar = 3/4 * 50 + 1/4 * 0 = 37.5 ms; srtt stays 100 ms.
        assert_eq!(e.timeout(), MS * 250);
        for _ in 0..100 {
            e.sample(MS);
        }
        assert_eq!(e.timeout(), MS * 10, "clamped to the minimum");
        assert_eq!(e.samples(), 102);
    }
}
