//! The human report: aligned tables, one section per report.

use std::io::{self, Write};

use pktkit::capture::{LinkType, Timestamp};

use super::engine::{Reports, Stats};
use super::hier::Branch;
use super::keys::{Addr, ConvCount};
use super::table::{Count, Merge, Rank, Table};
use super::units;
use super::view;
use pktkit::render::time::{self, LocalTime};

/// How tables are cut.
#[derive(Clone, Copy, Debug)]
pub struct TextOptions {
    /// Rows per ranked table (0: all).
    pub top: usize,
    /// Rows of the I/O table (None: all).
    pub io_rows: Option<usize>,
    /// Reports to print instead of the configuration's.
    pub only: Option<Reports>,
    /// Plain integers without separators, units or bars (`--exact`).
    pub exact: bool,
    /// Stdout is a terminal: the I/O report starts with a sparkline.
    pub terminal: bool,
}

/// Width of a full bar (100%), in cells.
const BAR_WIDTH: usize = 20;

/// Width of the I/O sparkline, in characters.
const SPARK_WIDTH: usize = 64;

/// How numbers are spelled: for people (separators, SI units, bars) or exact.
#[derive(Clone, Copy)]
struct Num {
    exact: bool,
}

impl Num {
    /// A count of frames, packets or names.
    fn count(self, n: u64) -> String {
        if self.exact { n.to_string() } else { units::count(n) }
    }

    /// A number of bytes.
    fn bytes(self, n: u64) -> String {
        if self.exact { n.to_string() } else { units::bytes(n) }
    }

    /// A bar for `part` of `whole` (empty with --exact).
    fn bar(self, part: u64, whole: u64) -> String {
        if self.exact { String::new() } else { units::bar(part, whole, BAR_WIDTH) }
    }
}

/// Left- or right-aligned column.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    Right,
}

/// A table of strings printed with aligned columns.
struct Grid {
    head: Vec<(&'static str, Align)>,
    rows: Vec<Vec<String>>,
}

impl Grid {
    fn new(head: &[(&'static str, Align)]) -> Self {
        Grid { head: head.to_vec(), rows: Vec::new() }
    }

    fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    fn write(&self, w: &mut dyn Write) -> io::Result<()> {
        let mut width: Vec<usize> = self.head.iter().map(|h| h.0.chars().count()).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate() {
                width[i] = width[i].max(c.chars().count());
            }
        }
        let line = |w: &mut dyn Write, cells: &mut dyn Iterator<Item = &str>| -> io::Result<()> {
            let mut s = String::from(" ");
            for (i, c) in cells.enumerate() {
                let pad = width[i].saturating_sub(c.chars().count());
                s.push(' ');
                if self.head[i].1 == Align::Right {
                    s.extend(std::iter::repeat_n(' ', pad));
                    s.push_str(c);
                } else {
                    s.push_str(c);
                    s.extend(std::iter::repeat_n(' ', pad));
                }
                s.push(' ');
            }
            writeln!(w, "{}", s.trim_end())
        };
        line(w, &mut self.head.iter().map(|h| h.0))?;
        for r in &self.rows {
            line(w, &mut r.iter().map(String::as_str))?;
        }
        Ok(())
    }
}

use Align::{Left as L, Right as R};

/// Formats capture times in local time (TZ honoured), as capinfos does.
struct Clock(LocalTime);

impl Clock {
    fn format(&mut self, t: Timestamp) -> String {
        // Beyond ±3000 years civil dates mean nothing: print the epoch value.
        if t.secs.unsigned_abs() > 32_503_680_000 {
            return super::json::time_str(t);
        }
        let c = self.0.civil(t.secs);
        let mut b = Vec::with_capacity(32);
        time::ymd(&mut b, &c);
        b.push(b' ');
        time::hms(&mut b, &c);
        b.push(b'.');
        time::frac(&mut b, t.nanos, true);
        String::from_utf8(b).unwrap_or_default()
    }
}

fn secs(ns: i128) -> String {
    format!("{:.6}", ns as f64 / 1e9)
}

fn pct(part: u64, whole: u64) -> String {
    if whole == 0 { "-".to_string() } else { format!("{:.1}%", part as f64 * 100.0 / whole as f64) }
}

fn head(w: &mut dyn Write, title: &str) -> io::Result<()> {
    writeln!(w, "\n== {title}")
}

fn shown(n: usize, top: usize) -> usize {
    if top == 0 { n } else { n.min(top) }
}

/// "top 10 of 123 hosts" and the folding note.
fn title<K: Rank + std::hash::Hash + Clone, V: Merge>(name: &str, t: &Table<K, V>, top: usize) -> String {
    let n = t.len();
    let mut s = if shown(n, top) < n {
        format!("{name} (top {} of {n}", shown(n, top))
    } else {
        format!("{name} ({n}")
    };
    s.push(')');
    s
}

fn folded_note<K: Rank + std::hash::Hash + Clone, V: Merge>(
    w: &mut dyn Write,
    what: &str,
    t: &Table<K, V>,
    other: Count,
) -> io::Result<()> {
    if t.folded() {
        writeln!(
            w,
            "  other: {} frames, {} bytes of {what} past the table cap of {} (raise it with --max-{what})",
            other.frames,
            other.bytes,
            t.cap()
        )?;
    }
    Ok(())
}

/// Writes the human report of `s`.
pub fn write(w: &mut dyn Write, s: &Stats, o: TextOptions) -> io::Result<()> {
    let r = o.only.unwrap_or(s.config.reports);
    let mut clock = Clock(LocalTime::new());
    let total = s.summary.bytes;
    let num = Num { exact: o.exact };
    if r.summary {
        summary(w, s, &mut clock, num)?;
    }
    if r.protocols {
        head(w, "Protocols (outermost IP header's transport)")?;
        let t = &s.transports;
        let frames = s.summary.packets;
        let mut columns = vec![("Protocol", L), ("Frames", R), ("Frames %", R), ("Bytes", R), ("Bytes %", R)];
        if !o.exact {
            columns.push(("", L));
        }
        let mut g = Grid::new(&columns);
        for (name, c) in [("TCP", t.tcp), ("UDP", t.udp), ("ICMP", t.icmp), ("Other", t.other)] {
            let mut row = vec![
                name.into(),
                num.count(c.frames),
                pct(c.frames, frames),
                num.bytes(c.bytes),
                pct(c.bytes, total),
            ];
            if !o.exact {
                row.push(num.bar(c.bytes, total));
            }
            g.row(row);
        }
        g.write(w)?;
    }
    if r.hierarchy {
        head(w, "Protocol hierarchy")?;
        // tshark's `frames:N bytes:N` form with --exact; a table with bars otherwise.
        fn walk(
            w: &mut dyn Write,
            b: &Branch,
            depth: usize,
            total: u64,
            g: &mut Option<Grid>,
        ) -> io::Result<()> {
            let name = format!("{}{}", "  ".repeat(depth), b.proto.name());
            match g {
                None => writeln!(
                    w,
                    "  {name:<40} frames:{} bytes:{} ({})",
                    b.count.frames,
                    b.count.bytes,
                    pct(b.count.bytes, total)
                )?,
                Some(g) => {
                    let num = Num { exact: false };
                    g.row(vec![
                        name,
                        num.count(b.count.frames),
                        num.bytes(b.count.bytes),
                        pct(b.count.bytes, total),
                        num.bar(b.count.bytes, total),
                    ]);
                }
            }
            for c in &b.children {
                walk(w, c, depth + 1, total, g)?;
            }
            Ok(())
        }
        let mut grid = (!o.exact)
            .then(|| Grid::new(&[("Protocol", L), ("Frames", R), ("Bytes", R), ("Bytes %", R), ("", L)]));
        for b in s.tree.branches() {
            walk(w, &b, 0, total, &mut grid)?;
        }
        if let Some(g) = grid {
            g.write(w)?;
        }
        if s.tree.truncated {
            writeln!(
                w,
                "  (cut at {} nodes: deeper paths count at their longest kept prefix)",
                super::hier::MAX_NODES
            )?;
        }
    }
    if r.hosts {
        hosts(w, s, o.top, num)?;
    }
    if r.conversations {
        let first = s.summary.first;
        conv(w, "IP conversations", &s.conv_ip, (o.top, num), first, |k, a_first| {
            if a_first { (k.a.to_string(), k.b.to_string()) } else { (k.b.to_string(), k.a.to_string()) }
        })?;
        let ep = |a: Addr, p: u16| if a.is_v6() { format!("[{a}]:{p}") } else { format!("{a}:{p}") };
        conv(w, "TCP conversations", &s.conv_tcp, (o.top, num), first, |k, a_first| {
            let (x, y) = (ep(k.a, k.a_port), ep(k.b, k.b_port));
            if a_first { (x, y) } else { (y, x) }
        })?;
        conv(w, "UDP conversations", &s.conv_udp, (o.top, num), first, |k, a_first| {
            let (x, y) = (ep(k.a, k.a_port), ep(k.b, k.b_port));
            if a_first { (x, y) } else { (y, x) }
        })?;
    }
    if r.ports {
        head(w, &title("Service ports (lower port of each TCP/UDP packet)", &s.ports, o.top))?;
        let mut g = Grid::new(&[("Port", L), ("Service", L), ("Frames", R), ("Bytes", R), ("Bytes %", R)]);
        let rows = view::sorted(&s.ports, view::by_count);
        for (k, v) in rows.iter().take(shown(rows.len(), o.top)) {
            g.row(vec![
                format!("{}/{}", k.port, k.transport_name()),
                view::service(k).unwrap_or("").to_string(),
                num.count(v.frames),
                num.bytes(v.bytes),
                pct(v.bytes, total),
            ]);
        }
        g.write(w)?;
    }
    if r.names {
        names(w, s, o.top, num)?;
    }
    if r.io
        && let Some(iv) = s.config.interval_ns
    {
        io(w, s, iv, o, &mut clock)?;
    }
    Ok(())
}

fn summary(w: &mut dyn Write, s: &Stats, clock: &mut Clock, num: Num) -> io::Result<()> {
    let m = &s.summary;
    head(w, "Summary")?;
    // Byte totals: the exact count, then (for people) the same in SI units.
    let total = |n: u64| {
        if num.exact || n < 1000 { num.count(n) } else { format!("{} ({})", num.count(n), num.bytes(n)) }
    };
    let mut kv: Vec<(&str, String)> = vec![("Packets", num.count(m.packets))];
    kv.push(("Bytes on the wire", total(m.bytes)));
    kv.push(("Bytes captured", total(m.captured)));
    if m.packets > 0 {
        let d = m.duration_ns();
        let rate = |x: f64| (d > 0).then(|| x * 1e9 / d as f64);
        let per = |x: f64, exact_unit: &str, unit: &str| match rate(x) {
            None => "-".to_string(),
            Some(r) if num.exact => format!("{r:.2} {exact_unit}"),
            Some(r) => units::per_second(r, unit),
        };
        kv.push(("First packet", clock.format(m.first)));
        kv.push(("Last packet", clock.format(m.last)));
        kv.push(("Duration", format!("{} s", secs(d))));
        kv.push(("Average packet size", format!("{:.2} bytes", m.bytes as f64 / m.packets as f64)));
        kv.push(("Average packet rate", per(m.packets as f64, "packets/s", "packets/s")));
        kv.push(("Average byte rate", per(m.bytes as f64, "bytes/s", "B/s")));
        kv.push(("Average bit rate", per(m.bytes as f64 * 8.0, "bits/s", "bit/s")));
    }
    let lts: Vec<String> = m
        .linktypes
        .iter()
        .map(|(lt, c)| format!("{} ({} packets)", LinkType(*lt), num.count(c.frames)))
        .collect();
    kv.push(("Link types", if lts.is_empty() { "-".to_string() } else { lts.join(", ") }));
    kv.push(("Snaplen-truncated", num.count(m.snapped)));
    kv.push((
        "Not fully decoded",
        format!(
            "{} (truncated {}, invalid {}, unsupported protocol {})",
            num.count(m.truncated.saturating_add(m.invalid).saturating_add(m.unsupported)),
            num.count(m.truncated),
            num.count(m.invalid),
            num.count(m.unsupported)
        ),
    ));
    for (k, v) in kv {
        writeln!(w, "  {:<21}{v}", format!("{k}:"))?;
    }
    Ok(())
}

fn hosts(w: &mut dyn Write, s: &Stats, top: usize, num: Num) -> io::Result<()> {
    head(w, &title("Hosts by bytes", &s.hosts, top))?;
    let mut columns = vec![
        ("Address", L),
        ("Frames sent", R),
        ("Bytes sent", R),
        ("Frames recv", R),
        ("Bytes recv", R),
        ("Bytes", R),
    ];
    if !num.exact {
        // A host's share of all bytes (sent or received by it).
        columns.extend([("Share", R), ("", L)]);
    }
    let mut g = Grid::new(&columns);
    let total = s.summary.bytes;
    let rows = view::sorted(&s.hosts, view::by_host);
    for (k, v) in rows.iter().take(shown(rows.len(), top)) {
        let mut row = vec![
            k.to_string(),
            num.count(v.sent.frames),
            num.bytes(v.sent.bytes),
            num.count(v.recv.frames),
            num.bytes(v.recv.bytes),
            num.bytes(v.bytes()),
        ];
        if !num.exact {
            row.extend([pct(v.bytes(), total), num.bar(v.bytes(), total)]);
        }
        g.row(row);
    }
    g.write(w)?;
    let o = s.hosts.other();
    folded_note(w, "hosts", &s.hosts, Count { frames: o.frames(), bytes: o.bytes() })?;
    if let Some(d) = &s.direction {
        let me: Vec<String> = s.config.me.iter().map(|n| n.to_string()).collect();
        head(w, &format!("Traffic relative to me ({})", me.join(", ")))?;
        let mut g = Grid::new(&[("Direction", L), ("Frames", R), ("Bytes", R)]);
        for (name, c) in [
            ("in", d.inbound),
            ("out", d.outbound),
            ("local (me to me)", d.local),
            ("transit (neither)", d.transit),
            ("not IP", d.non_ip),
        ] {
            g.row(vec![name.to_string(), num.count(c.frames), num.bytes(c.bytes)]);
        }
        g.write(w)?;
        head(w, &title("Peers by bytes", &d.peers, top))?;
        let mut g =
            Grid::new(&[("Peer", L), ("Frames in", R), ("Bytes in", R), ("Frames out", R), ("Bytes out", R)]);
        let rows = view::sorted(&d.peers, view::by_peer);
        for (k, v) in rows.iter().take(shown(rows.len(), top)) {
            g.row(vec![
                k.to_string(),
                num.count(v.inbound.frames),
                num.bytes(v.inbound.bytes),
                num.count(v.outbound.frames),
                num.bytes(v.outbound.bytes),
            ]);
        }
        g.write(w)?;
        let o = d.peers.other();
        folded_note(w, "hosts", &d.peers, Count { frames: o.frames(), bytes: o.bytes() })?;
    }
    Ok(())
}

fn conv<K: Rank + std::hash::Hash + Clone>(
    w: &mut dyn Write,
    name: &str,
    t: &Table<K, ConvCount>,
    (top, num): (usize, Num),
    capture_first: Timestamp,
    ends: impl Fn(&K, bool) -> (String, String),
) -> io::Result<()> {
    head(w, &title(name, t, top))?;
    let mut g = Grid::new(&[
        ("A (first sender)", L),
        ("B", L),
        ("Frames A>B", R),
        ("Bytes A>B", R),
        ("Frames B>A", R),
        ("Bytes B>A", R),
        ("Frames", R),
        ("Bytes", R),
        ("Rel start", R),
        ("Duration", R),
    ]);
    let rows = view::sorted(t, view::by_conv);
    for (k, v) in rows.iter().take(shown(rows.len(), top)) {
        let (a, b) = ends(k, !v.first_ba());
        let (ab, ba) = if v.first_ba() { (v.ba, v.ab) } else { (v.ab, v.ba) };
        g.row(vec![
            a,
            b,
            num.count(ab.frames),
            num.bytes(ab.bytes),
            num.count(ba.frames),
            num.bytes(ba.bytes),
            num.count(v.frames()),
            num.bytes(v.bytes()),
            secs(v.first().nanos_since(capture_first)),
            format!("{:.4}", v.last().nanos_since(v.first()) as f64 / 1e9),
        ]);
    }
    g.write(w)?;
    let o = t.other();
    folded_note(w, "conversations", t, Count { frames: o.frames(), bytes: o.bytes() })
}

fn names(w: &mut dyn Write, s: &Stats, top: usize, num: Num) -> io::Result<()> {
    head(w, &title("DNS names (first question)", &s.dns, top))?;
    let mut g = Grid::new(&[("Name", L), ("Queries", R), ("Responses", R)]);
    let rows = view::sorted(&s.dns, view::by_dns);
    for (k, v) in rows.iter().take(shown(rows.len(), top)) {
        g.row(vec![k.to_string(), num.count(v.queries), num.count(v.responses)]);
    }
    g.write(w)?;
    if s.dns.folded() {
        let o = s.dns.other();
        writeln!(
            w,
            "  other: {} queries, {} responses past the cap of {} names",
            o.queries,
            o.responses,
            s.dns.cap()
        )?;
    }
    for (label, t, col) in
        [("TLS server names (SNI)", &s.sni, "ClientHellos"), ("HTTP hosts (requests)", &s.http, "Requests")]
    {
        head(w, &title(label, t, top))?;
        let mut g = Grid::new(&[("Name", L), (col, R)]);
        let rows = view::sorted(t, view::by_hits);
        for (k, v) in rows.iter().take(shown(rows.len(), top)) {
            g.row(vec![k.to_string(), num.count(v.0)]);
        }
        g.write(w)?;
        if t.folded() {
            writeln!(w, "  other: {} past the cap of {} names", t.other().0, t.cap())?;
        }
    }
    Ok(())
}

fn io(w: &mut dyn Write, s: &Stats, iv: u64, o: TextOptions, clock: &mut Clock) -> io::Result<()> {
    let num = Num { exact: o.exact };
    let rows = view::sorted(&s.io, view::by_key);
    head(w, &format!("I/O per {} s interval", secs(iv as i128)))?;
    let mut columns = vec![("Interval start", L), ("Frames", R), ("Bytes", R), ("Bits/s", R)];
    if !o.exact {
        columns.push(("", L));
    }
    let mut g = Grid::new(&columns);
    let (Some(first), Some(last)) = (rows.first().map(|r| *r.0), rows.last().map(|r| *r.0)) else {
        return g.write(w);
    };
    // Empty intervals between busy ones are shown as zeros when the span is printable.
    let dense = (last as i128 - first as i128) < 100_000;
    let mut cells: Vec<(i64, Count)> = Vec::new();
    if dense {
        let mut it = rows.iter().peekable();
        for k in first..=last {
            match it.peek() {
                Some((rk, v)) if **rk == k => {
                    cells.push((k, **v));
                    it.next();
                }
                _ => cells.push((k, Count::default())),
            }
        }
    } else {
        cells = rows.iter().map(|(k, v)| (**k, **v)).collect();
    }
    let n = cells.len();
    let most = cells.iter().map(|c| c.1.bytes).max().unwrap_or(0);
    if o.terminal && !o.exact && dense {
        let bytes: Vec<u64> = cells.iter().map(|c| c.1.bytes).collect();
        let (line, group) = units::fold_to_width(&bytes, SPARK_WIDTH);
        let each = if group == 1 { String::new() } else { format!(", {group} intervals per mark") };
        writeln!(w, "  bytes |{}| peak {}{each}", units::sparkline(&line), num.bytes(most))?;
    }
    for (k, v) in cells.iter().take(o.io_rows.map_or(n, |l| shown(n, l))) {
        let start = (*k as i128).saturating_mul(iv as i128);
        let ts = Timestamp {
            secs: start.div_euclid(1_000_000_000).clamp(i64::MIN as i128, i64::MAX as i128) as i64,
            nanos: start.rem_euclid(1_000_000_000) as u32,
        };
        let bits = v.bytes as f64 * 8.0 * 1e9 / iv as f64;
        let mut row = vec![
            clock.format(ts),
            num.count(v.frames),
            num.bytes(v.bytes),
            if o.exact { format!("{bits:.0}") } else { units::bit_rate(bits) },
        ];
        if !o.exact {
            row.push(num.bar(v.bytes, most));
        }
        g.row(row);
    }
    g.write(w)?;
    if s.io.folded() {
        let o = s.io.other();
        writeln!(
            w,
            "  other: {} frames, {} bytes after the first {} intervals (raise --max-intervals)",
            o.frames,
            o.bytes,
            s.io.cap()
        )?;
    }
    Ok(())
}
