//! `netmon interfaces`: psutil's `net_io_counters(pernic=True)`, once or as rates.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Write;
use std::time::Instant;

use pktkit::host::interfaces::{self, Counters, Interface};
use pktkit::render::time::TimeKeys;

use super::InterfacesArgs;
use super::table::{self, TextTable};
use crate::cli::{self, Failure};

/// Schema of the JSON records.
pub const SCHEMA: &str = "pktkit.netmon.interface/1";

/// One column: the interface name or one of psutil's counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
    /// Index into [`Counters::fields`].
    Counter(usize),
}

/// psutil's counter names, in its order (the same as [`Counters::fields`]).
const COUNTERS: [&str; 8] =
    ["bytes_sent", "bytes_recv", "packets_sent", "packets_recv", "errin", "errout", "dropin", "dropout"];

fn all_fields() -> Vec<Field> {
    std::iter::once(Field::Name).chain((0..COUNTERS.len()).map(Field::Counter)).collect()
}

/// Parses one `--fields` name: `name` or one of psutil's counter names.
pub fn parse_field(s: &str) -> Result<Field, String> {
    match s.trim() {
        "name" => Ok(Field::Name),
        other => COUNTERS
            .iter()
            .position(|c| *c == other)
            .map(Field::Counter)
            .ok_or_else(|| format!("unknown field {other:?} (known: name,{})", COUNTERS.join(","))),
    }
}

/// An interface's counters between two reads.
#[derive(Debug, Clone)]
pub struct Rates {
    pub name: String,
    pub total: Counters,
    pub delta: Counters,
    pub seconds: f64,
}

impl Rates {
    /// Counter `index` per second.
    pub fn per_second(&self, index: usize) -> f64 {
        self.delta.fields()[index].1 as f64 / self.seconds
    }
}

/// The rates from `before` to `now` for every interface in `now` (new ones count from zero).
pub fn rates(before: &HashMap<String, Counters>, now: &[Interface], seconds: f64) -> Vec<Rates> {
    now.iter()
        .map(|i| Rates {
            name: i.name.clone(),
            total: i.counters,
            delta: before.get(&i.name).map_or(i.counters, |b| i.counters.since(b)),
            seconds,
        })
        .collect()
}

/// Writes `"key":{counters}` with per-second rates (floats) or counts.
pub fn write_counters_json(
    out: &mut Vec<u8>,
    key: &str,
    values: impl Iterator<Item = (&'static str, f64)>,
    integers: bool,
) {
    let _ = write!(out, ",\"{key}\":{{");
    for (i, (name, v)) in values.enumerate() {
        let sep = if i == 0 { "" } else { "," };
        if integers {
            let _ = write!(out, "{sep}\"{name}\":{}", v as u64);
        } else {
            let _ = write!(out, "{sep}\"{name}\":{}", round3(v));
        }
    }
    out.push(b'}');
}

/// A rate rounded to a thousandth, as a JSON number.
pub fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// Runs `netmon interfaces`.
pub fn run(args: &InterfacesArgs) -> Result<(), Failure> {
    let fields = if args.fields.is_empty() { all_fields() } else { args.fields.clone() };
    let wanted = |i: &Interface| args.interface.is_empty() || args.interface.contains(&i.name);
    let mut out = cli::open_output(None, false)?;
    let first = interfaces::read()?;
    for name in &args.interface {
        if !first.iter().any(|i| &i.name == name) {
            let known: Vec<&str> = first.iter().map(|i| i.name.as_str()).collect();
            return Err(Failure::Runtime(format!(
                "{name}: no such interface; available: {}",
                known.join(", ")
            )));
        }
    }
    let Some(every) = args.every else {
        let now: Vec<&Interface> = first.iter().filter(|i| wanted(i)).collect();
        if args.json {
            let mut line = Vec::new();
            for i in now {
                line.clear();
                let _ = write!(line, "{{\"schema\":\"{SCHEMA}\"");
                write_fields(&mut line, &fields, &i.name, &i.counters);
                line.extend_from_slice(b"}\n");
                out.write_all(&line)?;
            }
        } else {
            let mut t = TextTable::new(fields.iter().map(|f| header(*f)).collect());
            for i in now {
                t.push(fields.iter().map(|f| counter_text(*f, &i.name, &i.counters)).collect());
            }
            t.write(&mut out, true)?;
        }
        out.flush()?;
        return Ok(());
    };
    let mut before: HashMap<String, Counters> = first.into_iter().map(|i| (i.name, i.counters)).collect();
    let mut then = Instant::now();
    let start = then;
    let mut tick = 0u64;
    loop {
        tick += 1;
        sleep_until(start + every * u32::try_from(tick).unwrap_or(u32::MAX));
        let now_list = interfaces::read()?;
        let now = Instant::now();
        let seconds = now.duration_since(then).as_secs_f64();
        let rows: Vec<Rates> = rates(&before, &now_list, seconds)
            .into_iter()
            .filter(|r| args.interface.is_empty() || args.interface.contains(&r.name))
            .collect();
        if args.json {
            let time = TimeKeys::now("time");
            let mut line = Vec::new();
            for r in &rows {
                line.clear();
                let _ = write!(
                    line,
                    "{{\"schema\":\"{SCHEMA}\",{time},\"seconds\":{}",
                    (r.seconds * 1e6).round() / 1e6
                );
                write_fields(&mut line, &fields, &r.name, &r.total);
                let chosen =
                    || fields.iter().filter_map(|f| if let Field::Counter(i) = f { Some(*i) } else { None });
                write_counters_json(
                    &mut line,
                    "delta",
                    chosen().map(|i| (COUNTERS[i], r.delta.fields()[i].1 as f64)),
                    true,
                );
                write_counters_json(
                    &mut line,
                    "rate",
                    chosen().map(|i| (COUNTERS[i], r.per_second(i))),
                    false,
                );
                line.extend_from_slice(b"}\n");
                out.write_all(&line)?;
            }
        } else {
            let mut t = TextTable::new(fields.iter().map(|f| rate_header(*f)).collect());
            for r in &rows {
                t.push(fields.iter().map(|f| rate_text(*f, r)).collect());
            }
            writeln!(out, "{}  interval {:.3}s", jiff::Timestamp::now().strftime("%H:%M:%S"), seconds)?;
            t.write(&mut out, true)?;
            writeln!(out)?;
        }
        out.flush()?;
        before = now_list.into_iter().map(|i| (i.name, i.counters)).collect();
        then = now;
        if args.count.is_some_and(|c| tick >= c) {
            return Ok(());
        }
    }
}

/// Sleeps until `deadline` (returns at once when it passed).
pub fn sleep_until(deadline: Instant) {
    let now = Instant::now();
    if deadline > now {
        std::thread::sleep(deadline - now);
    }
}

fn write_fields(out: &mut Vec<u8>, fields: &[Field], name: &str, c: &Counters) {
    let values = c.fields();
    for f in fields {
        match f {
            Field::Name => {
                out.extend_from_slice(b",\"name\":");
                serde_json::to_writer(&mut *out, name).expect("writing to a Vec");
            }
            Field::Counter(i) => {
                let _ = write!(out, ",\"{}\":{}", values[*i].0, values[*i].1);
            }
        }
    }
}

fn header(f: Field) -> (&'static str, bool) {
    match f {
        Field::Name => ("NAME", false),
        Field::Counter(i) => (COUNTERS[i], true),
    }
}

fn rate_header(f: Field) -> (&'static str, bool) {
    const RATE: [&str; 8] =
        ["sent/s", "recv/s", "pkts_sent/s", "pkts_recv/s", "errin/s", "errout/s", "dropin/s", "dropout/s"];
    match f {
        Field::Name => ("NAME", false),
        Field::Counter(i) => (RATE[i], true),
    }
}

/// Bytes counters in human units, the others as numbers.
fn counter_text<'a>(f: Field, name: &'a str, c: &Counters) -> Cow<'a, str> {
    match f {
        Field::Name => Cow::Borrowed(name),
        Field::Counter(i) if i < 2 => table::bytes(c.fields()[i].1).into(),
        Field::Counter(i) => c.fields()[i].1.to_string().into(),
    }
}

fn rate_text(f: Field, r: &Rates) -> Cow<'_, str> {
    match f {
        Field::Name => Cow::Borrowed(r.name.as_str()),
        Field::Counter(i) if i < 2 => table::rate(r.per_second(i)).into(),
        Field::Counter(i) => format!("{:.1}", r.per_second(i)).into(),
    }
}
