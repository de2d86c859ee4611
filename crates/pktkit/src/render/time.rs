//! Timestamps as tcpdump prints them, in local time, and as every pktkit JSON document
//! writes them ([`Rfc3339`], [`TimeKeys`]).
//!
//! The zone comes from jiff: `TZ` when set (a name from the system tz database, or a POSIX TZ
//! string such as `GMT0`), else `/etc/localtime`. jiff reads the system database without
//! `unsafe` and without libc's `localtime_r`, and gives the UTC offset in force at an
//! instant; the civil date is then computed here. The offset is cached for the second it was
//! computed for, and reused while the next packets fall in the same hour-aligned window
//! as long as the zone has no transition inside it.

use jiff::tz::TimeZone;

use super::out;
use crate::capture::Timestamp;

/// Converts epoch seconds to local civil time, caching the zone offset.
pub struct LocalTime {
    tz: TimeZone,
    /// Cached (window start, window end, offset seconds): valid for secs in [start, end).
    cache: Option<(i64, i64, i32)>,
}

impl Default for LocalTime {
    fn default() -> Self {
        Self::new()
    }
}

/// A civil date and time of day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Civil {
    /// Year.
    pub year: i64,
    /// Month, 1-12.
    pub month: u32,
    /// Day, 1-31.
    pub day: u32,
    /// Hour.
    pub hour: u32,
    /// Minute.
    pub minute: u32,
    /// Second.
    pub second: u32,
}

impl LocalTime {
    /// The system's zone (`TZ`, then `/etc/localtime`; UTC when neither can be read).
    pub fn new() -> Self {
        LocalTime { tz: TimeZone::try_system().unwrap_or(TimeZone::UTC), cache: None }
    }

    /// UTC, for tests.
    pub fn utc() -> Self {
        LocalTime { tz: TimeZone::UTC, cache: None }
    }

    fn offset(&mut self, secs: i64) -> i32 {
        if let Some((a, b, off)) = self.cache
            && secs >= a
            && secs < b
        {
            return off;
        }
        let at =
            |s: i64| jiff::Timestamp::from_second(s).map(|t| self.tz.to_offset(t).seconds()).unwrap_or(0);
        let off = at(secs);
        // Reuse the offset for the rest of this hour when the zone agrees at the hour's end.
        let start = secs - secs.rem_euclid(3600);
        let end = start + 3600;
        if at(start) == off && at(end - 1) == off {
            self.cache = Some((start, end, off));
        } else {
            self.cache = None;
        }
        off
    }

    /// Local civil time of `secs` since the epoch.
    pub fn civil(&mut self, secs: i64) -> Civil {
        let local = secs + self.offset(secs) as i64;
        civil_utc(local)
    }
}

/// Civil time of `secs` since the epoch in UTC (Howard Hinnant's days-to-civil).
pub fn civil_utc(secs: i64) -> Civil {
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    Civil {
        year: if m <= 2 { y + 1 } else { y },
        month: m,
        day: d,
        hour: (sod / 3600) as u32,
        minute: (sod / 60 % 60) as u32,
        second: (sod % 60) as u32,
    }
}

/// Appends `HH:MM:SS`.
pub fn hms(b: &mut Vec<u8>, c: &Civil) {
    out::append_decimal_padded(b, c.hour, 2, b'0');
    b.push(b':');
    out::append_decimal_padded(b, c.minute, 2, b'0');
    b.push(b':');
    out::append_decimal_padded(b, c.second, 2, b'0');
}

/// Appends `YYYY-MM-DD`.
pub fn ymd(b: &mut Vec<u8>, c: &Civil) {
    out::append_decimal_padded(b, c.year, 4, b'0');
    b.push(b'-');
    out::append_decimal_padded(b, c.month, 2, b'0');
    b.push(b'-');
    out::append_decimal_padded(b, c.day, 2, b'0');
}

/// Appends the fraction: 6 digits (microseconds, truncated) or 9 (nanoseconds).
pub fn frac(b: &mut Vec<u8>, nanos: u32, nano: bool) {
    if nano {
        out::append_decimal_padded(b, nanos, 9, b'0');
    } else {
        out::append_decimal_padded(b, nanos / 1000, 6, b'0');
    }
}

/// A time as pktkit's JSON documents write it: RFC 3339 in UTC with nanoseconds
/// (`2023-11-14T22:13:20.250000000Z`). The one formatter of that form: pkt-decode, pkt-send,
/// pkt-stats, tracert, synscan and netmon all use it, through [`TimeKeys`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rfc3339(pub Timestamp);

/// Longest [`Rfc3339`] text (a year of 19 digits and its sign).
const RFC3339_MAX: usize = 40;

impl Rfc3339 {
    /// The text in a stack buffer: the bytes and how many are used (ASCII only).
    fn text(&self) -> ([u8; RFC3339_MAX], usize) {
        let c = civil_utc(self.0.secs);
        let mut b = [0u8; RFC3339_MAX];
        let mut n = usize::from(c.year < 0);
        b[0] = b'-';
        let mut put = |v: u64, width: usize, after: u8| {
            let mut digits = itoa::Buffer::new();
            let d = digits.format(v).as_bytes();
            for _ in d.len()..width {
                b[n] = b'0';
                n += 1;
            }
            b[n..n + d.len()].copy_from_slice(d);
            n += d.len();
            b[n] = after;
            n += 1;
        };
        put(c.year.unsigned_abs(), 4, b'-');
        put(c.month as u64, 2, b'-');
        put(c.day as u64, 2, b'T');
        put(c.hour as u64, 2, b':');
        put(c.minute as u64, 2, b':');
        put(c.second as u64, 2, b'.');
        put(self.0.nanos as u64, 9, b'Z');
        (b, n)
    }

    /// Appends the text to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        let (b, n) = self.text();
        out.extend_from_slice(&b[..n]);
    }
}

impl std::fmt::Display for Rfc3339 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (b, n) = self.text();
        f.write_str(std::str::from_utf8(&b[..n]).map_err(|_| std::fmt::Error)?)
    }
}

impl serde::Serialize for Rfc3339 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The three keys a time named `name` has in every pktkit JSON document: `name` (the
/// [`Rfc3339`] text), `name_sec` (whole seconds since 1970-01-01 UTC, negative before) and
/// `name_nsec` (nanoseconds, 0 to 999999999). `Display` writes them as JSON object members
/// (`"time":"...","time_sec":1,"time_nsec":2`) for hand-written records; `Serialize` writes
/// them as a map, for `#[serde(flatten)]`.
#[derive(Clone, Copy, Debug)]
pub struct TimeKeys {
    /// The key of the text; `_sec` and `_nsec` are appended for the integers.
    pub name: &'static str,
    /// The instant.
    pub ts: Timestamp,
}

impl TimeKeys {
    /// The keys of time `name`.
    pub fn new(name: &'static str, ts: Timestamp) -> Self {
        TimeKeys { name, ts }
    }

    /// The three keys and values, for documents built as `serde_json::Value`.
    pub fn to_json(self) -> [(String, serde_json::Value); 3] {
        [
            (self.name.to_string(), Rfc3339(self.ts).to_string().into()),
            (format!("{}_sec", self.name), self.ts.secs.into()),
            (format!("{}_nsec", self.name), self.ts.nanos.into()),
        ]
    }

    /// The keys of time `name` for the system clock's time now.
    pub fn now(name: &'static str) -> Self {
        TimeKeys::new(name, Timestamp::now())
    }

    /// Adds the three keys to `value` when it is a JSON object.
    pub fn insert_into(self, value: &mut serde_json::Value) {
        if let Some(obj) = value.as_object_mut() {
            obj.extend(self.to_json());
        }
    }
}

impl std::fmt::Display for TimeKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.name;
        write!(
            f,
            "\"{n}\":\"{}\",\"{n}_sec\":{},\"{n}_nsec\":{}",
            Rfc3339(self.ts),
            self.ts.secs,
            self.ts.nanos
        )
    }
}

impl serde::Serialize for TimeKeys {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry(self.name, &Rfc3339(self.ts))?;
        // The names of the integers, made without allocating: the two suffixes are fixed.
        m.serialize_key(&Suffixed(self.name, "_sec"))?;
        m.serialize_value(&self.ts.secs)?;
        m.serialize_key(&Suffixed(self.name, "_nsec"))?;
        m.serialize_value(&self.ts.nanos)?;
        m.end()
    }
}

/// A key written as two parts.
struct Suffixed(&'static str, &'static str);

impl serde::Serialize for Suffixed {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("{}{}", self.0, self.1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_utc(0), Civil { year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0 });
        let c = civil_utc(1_418_145_369);
        assert_eq!((c.year, c.month, c.day, c.hour, c.minute, c.second), (2014, 12, 9, 17, 16, 9));
        let c = civil_utc(-1);
        assert_eq!((c.year, c.month, c.day, c.hour), (1969, 12, 31, 23));
        let c = civil_utc(951_825_600); // 2000-02-29 12:00
        assert_eq!((c.month, c.day, c.hour), (2, 29, 12));
    }

    #[test]
    fn zone_offsets() {
        let tz = TimeZone::get("Europe/Paris");
        if let Ok(tz) = tz {
            let mut lt = LocalTime { tz, cache: None };
            // 2021-03-28 00:59:59 UTC is 01:59:59 CET; one second later is 03:00:00 CEST.
            assert_eq!(lt.civil(1_616_893_199).hour, 1);
            assert_eq!(lt.civil(1_616_893_200).hour, 3);
            assert_eq!(lt.civil(1_616_893_199).hour, 1);
        } else {
            eprintln!("notice: no tz database here; zone transition test skipped");
        }
        let mut u = LocalTime::utc();
        assert_eq!(u.civil(3600).hour, 1);
    }
}
