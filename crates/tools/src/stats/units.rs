//! Numbers for people: thousands separators, SI units, proportional bars and sparklines.
//!
//! Units are decimal (SI), as tshark and capinfos print them: 1 kB = 1,000 bytes, 1 MB =
//! 1,000,000 bytes; rates in bit/s, kbit/s, Mbit/s. `--exact` prints plain integers instead.

/// `1234567` as `1,234,567`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

const PREFIXES: [&str; 7] = ["", "k", "M", "G", "T", "P", "E"];

/// `value` with an SI prefix before `unit`, three significant digits: `838 B`, `1.68 kB`,
/// `16.8 MB`, `168 GB`; below 1000 a whole number when `whole` (bytes), else also three
/// significant digits (`66.7 packets/s`).
fn scaled(value: f64, unit: &str, whole: bool) -> String {
    let mut v = value;
    let mut step = 0;
    while v >= 999.5 && step + 1 < PREFIXES.len() {
        v /= 1000.0;
        step += 1;
    }
    let prefix = PREFIXES[step];
    if step == 0 && (whole || v == 0.0) {
        format!("{v:.0} {unit}")
    } else if v < 9.995 {
        format!("{v:.2} {prefix}{unit}")
    } else if v < 99.95 {
        format!("{v:.1} {prefix}{unit}")
    } else {
        format!("{v:.0} {prefix}{unit}")
    }
}

/// Bytes in SI units: `838 B`, `1.68 kB`, `2.10 GB`.
pub fn bytes(n: u64) -> String {
    scaled(n as f64, "B", true)
}

/// A bit rate: `44.7 kbit/s`.
pub fn bit_rate(bits_per_second: f64) -> String {
    scaled(bits_per_second, "bit/s", false)
}

/// A rate of things per second: `66.7 /s`, `1.20 k/s`.
pub fn per_second(value: f64, unit: &str) -> String {
    scaled(value, unit, false)
}

/// A duration in nanoseconds in its largest whole unit: `1 s`, `50 ms`, `1.5 s`.
pub fn seconds_label(ns: u64) -> String {
    for (size, unit) in [(1_000_000_000, "s"), (1_000_000, "ms"), (1_000, "us")] {
        if ns >= size {
            return if ns.is_multiple_of(size) {
                format!("{} {unit}", ns / size)
            } else {
                format!("{} {unit}", ns as f64 / size as f64)
            };
        }
    }
    format!("{ns} ns")
}

/// Eighth blocks, from one eighth of a cell to a full one.
const EIGHTHS: [char; 8] = ['▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];

/// A bar `width` cells wide at full scale, as long as `part / whole` of it (eighths of a
/// cell); at least a sliver when `part` is not zero.
pub fn bar(part: u64, whole: u64, width: usize) -> String {
    if whole == 0 || part == 0 {
        return String::new();
    }
    let eighths = ((part as f64 / whole as f64).min(1.0) * (width * 8) as f64).round().max(1.0) as usize;
    let mut s: String = std::iter::repeat_n(EIGHTHS[7], eighths / 8).collect();
    if !eighths.is_multiple_of(8) {
        s.push(EIGHTHS[eighths % 8 - 1]);
    }
    s
}

/// Levels of a sparkline, lowest to highest.
const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// One character per value, its height proportional to the largest value; a zero is a space
/// so that silence shows.
pub fn sparkline(values: &[u64]) -> String {
    let most = values.iter().copied().max().unwrap_or(0);
    values
        .iter()
        .map(|&v| {
            if v == 0 || most == 0 {
                ' '
            } else {
                let level = ((v as f64 / most as f64) * LEVELS.len() as f64).ceil() as usize;
                LEVELS[level.clamp(1, LEVELS.len()) - 1]
            }
        })
        .collect()
}

/// `values` summed in consecutive groups so that at most `width` remain (for a sparkline
/// that fits a line); the group size is returned too.
pub fn fold_to_width(values: &[u64], width: usize) -> (Vec<u64>, usize) {
    let group = values.len().div_ceil(width.max(1)).max(1);
    (values.chunks(group).map(|c| c.iter().fold(0u64, |a, v| a.saturating_add(*v))).collect(), group)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(count(u64::MAX), "18,446,744,073,709,551,615");
    }

    #[test]
    fn si_units() {
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(838), "838 B");
        assert_eq!(bytes(999), "999 B");
        assert_eq!(bytes(1000), "1.00 kB");
        assert_eq!(bytes(1678), "1.68 kB");
        assert_eq!(bytes(16_780), "16.8 kB");
        assert_eq!(bytes(167_800), "168 kB");
        assert_eq!(bytes(999_999), "1.00 MB");
        assert_eq!(bytes(2_100_000_000), "2.10 GB");
        assert_eq!(bytes(u64::MAX), "18.4 EB");
        assert_eq!(bit_rate(44_746.67), "44.7 kbit/s");
        assert_eq!(per_second(66.667, "packets/s"), "66.7 packets/s");
        assert_eq!(per_second(0.0, "B/s"), "0 B/s");
    }

    #[test]
    fn durations() {
        assert_eq!(seconds_label(1_000_000_000), "1 s");
        assert_eq!(seconds_label(1_500_000_000), "1.5 s");
        assert_eq!(seconds_label(50_000_000), "50 ms");
        assert_eq!(seconds_label(10), "10 ns");
    }

    #[test]
    fn bars_and_sparklines() {
        assert_eq!(bar(0, 10, 20), "");
        assert_eq!(bar(10, 10, 4), "████");
        assert_eq!(bar(5, 10, 4), "██");
        assert_eq!(bar(1, 16, 4), "▎", "two eighths of 32");
        assert_eq!(bar(1, 1_000_000, 4), "▏", "a sliver for anything above zero");
        assert_eq!(sparkline(&[0, 1, 2, 4, 8]), " ▁▂▄█");
        assert_eq!(sparkline(&[]), "");
        assert_eq!(fold_to_width(&[1, 2, 3, 4, 5], 2), (vec![6, 9], 3));
        assert_eq!(fold_to_width(&[1, 2], 10), (vec![1, 2], 1));
    }
}
