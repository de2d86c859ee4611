//! The human report: aligned tables, one section per report.

use std::io::{self, Write};

use pktkit::capture::{LinkType, Timestamp};

use super::engine::{Reports, Stats};
use super::hier::Branch;
use super::keys::{Addr, ConvCount};
use super::table::{Count, Merge, Rank, Table};
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
    if r.summary {
        summary(w, s, &mut clock)?;
    }
    if r.protocols {
        head(w, "Protocols (outermost IP header's transport)")?;
        let t = &s.transports;
        let frames = s.summary.packets;
        let mut g =
            Grid::new(&[("Protocol", L), ("Frames", R), ("Frames %", R), ("Bytes", R), ("Bytes %", R)]);
        for (name, c) in [("TCP", t.tcp), ("UDP", t.udp), ("ICMP", t.icmp), ("Other", t.other)] {
            g.row(vec![
                name.into(),
                c.frames.to_string(),
                pct(c.frames, frames),
                c.bytes.to_string(),
                pct(c.bytes, total),
            ]);
        }
        g.write(w)?;
    }
    if r.hierarchy {
        head(w, "Protocol hierarchy")?;
        fn walk(w: &mut dyn Write, b: &Branch, depth: usize, total: u64) -> io::Result<()> {
            let name = format!("{}{}", "  ".repeat(depth), b.proto.name());
            writeln!(
                w,
                "  {name:<40} frames:{} bytes:{} ({})",
                b.count.frames,
                b.count.bytes,
                pct(b.count.bytes, total)
            )?;
            for c in &b.children {
                walk(w, c, depth + 1, total)?;
            }
            Ok(())
        }
        for b in s.tree.branches() {
            walk(w, &b, 0, total)?;
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
        hosts(w, s, o.top)?;
    }
    if r.conversations {
        let first = s.summary.first;
        conv(w, "IP conversations", &s.conv_ip, o.top, first, |k, a_first| {
            if a_first { (k.a.to_string(), k.b.to_string()) } else { (k.b.to_string(), k.a.to_string()) }
        })?;
        let ep = |a: Addr, p: u16| if a.is_v6() { format!("[{a}]:{p}") } else { format!("{a}:{p}") };
        conv(w, "TCP conversations", &s.conv_tcp, o.top, first, |k, a_first| {
            let (x, y) = (ep(k.a, k.a_port), ep(k.b, k.b_port));
            if a_first { (x, y) } else { (y, x) }
        })?;
        conv(w, "UDP conversations", &s.conv_udp, o.top, first, |k, a_first| {
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
                v.frames.to_string(),
                v.bytes.to_string(),
                pct(v.bytes, total),
            ]);
        }
        g.write(w)?;
    }
    if r.names {
        names(w, s, o.top)?;
    }
    if r.io
        && let Some(iv) = s.config.interval_ns
    {
        io(w, s, iv, o.io_rows, &mut clock)?;
    }
    Ok(())
}

fn summary(w: &mut dyn Write, s: &Stats, clock: &mut Clock) -> io::Result<()> {
    let m = &s.summary;
    head(w, "Summary")?;
    let mut kv: Vec<(&str, String)> = vec![("Packets", m.packets.to_string())];
    kv.push(("Bytes on the wire", m.bytes.to_string()));
    kv.push(("Bytes captured", m.captured.to_string()));
    if m.packets > 0 {
        let d = m.duration_ns();
        let per = |x: f64| if d > 0 { format!("{:.2}", x * 1e9 / d as f64) } else { "-".to_string() };
        kv.push(("First packet", clock.format(m.first)));
        kv.push(("Last packet", clock.format(m.last)));
        kv.push(("Duration", format!("{} s", secs(d))));
        kv.push(("Average packet size", format!("{:.2} bytes", m.bytes as f64 / m.packets as f64)));
        kv.push(("Average packet rate", format!("{} packets/s", per(m.packets as f64))));
        kv.push(("Average byte rate", format!("{} bytes/s", per(m.bytes as f64))));
        kv.push(("Average bit rate", format!("{} bits/s", per(m.bytes as f64 * 8.0))));
    }
    let lts: Vec<String> =
        m.linktypes.iter().map(|(lt, c)| format!("{} ({} packets)", LinkType(*lt), c.frames)).collect();
    kv.push(("Link types", if lts.is_empty() { "-".to_string() } else { lts.join(", ") }));
    kv.push(("Snaplen-truncated", m.snapped.to_string()));
    kv.push((
        "Not fully decoded",
        format!(
            "{} (truncated {}, invalid {}, unsupported protocol {})",
            m.truncated.saturating_add(m.invalid).saturating_add(m.unsupported),
            m.truncated,
            m.invalid,
            m.unsupported
        ),
    ));
    for (k, v) in kv {
        writeln!(w, "  {:<21}{v}", format!("{k}:"))?;
    }
    Ok(())
}

fn hosts(w: &mut dyn Write, s: &Stats, top: usize) -> io::Result<()> {
    head(w, &title("Hosts by bytes", &s.hosts, top))?;
    let mut g = Grid::new(&[
        ("Address", L),
        ("Frames sent", R),
        ("Bytes sent", R),
        ("Frames recv", R),
        ("Bytes recv", R),
        ("Bytes", R),
    ]);
    let rows = view::sorted(&s.hosts, view::by_host);
    for (k, v) in rows.iter().take(shown(rows.len(), top)) {
        g.row(vec![
            k.to_string(),
            v.sent.frames.to_string(),
            v.sent.bytes.to_string(),
            v.recv.frames.to_string(),
            v.recv.bytes.to_string(),
            v.bytes().to_string(),
        ]);
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
            g.row(vec![name.to_string(), c.frames.to_string(), c.bytes.to_string()]);
        }
        g.write(w)?;
        head(w, &title("Peers by bytes", &d.peers, top))?;
        let mut g =
            Grid::new(&[("Peer", L), ("Frames in", R), ("Bytes in", R), ("Frames out", R), ("Bytes out", R)]);
        let rows = view::sorted(&d.peers, view::by_peer);
        for (k, v) in rows.iter().take(shown(rows.len(), top)) {
            g.row(vec![
                k.to_string(),
                v.inbound.frames.to_string(),
                v.inbound.bytes.to_string(),
                v.outbound.frames.to_string(),
                v.outbound.bytes.to_string(),
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
    top: usize,
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
            ab.frames.to_string(),
            ab.bytes.to_string(),
            ba.frames.to_string(),
            ba.bytes.to_string(),
            v.frames().to_string(),
            v.bytes().to_string(),
            secs(v.first().nanos_since(capture_first)),
            format!("{:.4}", v.last().nanos_since(v.first()) as f64 / 1e9),
        ]);
    }
    g.write(w)?;
    let o = t.other();
    folded_note(w, "conversations", t, Count { frames: o.frames(), bytes: o.bytes() })
}

fn names(w: &mut dyn Write, s: &Stats, top: usize) -> io::Result<()> {
    head(w, &title("DNS names (first question)", &s.dns, top))?;
    let mut g = Grid::new(&[("Name", L), ("Queries", R), ("Responses", R)]);
    let rows = view::sorted(&s.dns, view::by_dns);
    for (k, v) in rows.iter().take(shown(rows.len(), top)) {
        g.row(vec![k.to_string(), v.queries.to_string(), v.responses.to_string()]);
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
            g.row(vec![k.to_string(), v.0.to_string()]);
        }
        g.write(w)?;
        if t.folded() {
            writeln!(w, "  other: {} past the cap of {} names", t.other().0, t.cap())?;
        }
    }
    Ok(())
}

fn io(w: &mut dyn Write, s: &Stats, iv: u64, limit: Option<usize>, clock: &mut Clock) -> io::Result<()> {
    let rows = view::sorted(&s.io, view::by_key);
    head(w, &format!("I/O per {} s interval", secs(iv as i128)))?;
    let mut g = Grid::new(&[("Interval start", L), ("Frames", R), ("Bytes", R), ("Bits/s", R)]);
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
    for (k, v) in cells.iter().take(limit.map_or(n, |l| shown(n, l))) {
        let start = (*k as i128).saturating_mul(iv as i128);
        let ts = Timestamp {
            secs: start.div_euclid(1_000_000_000).clamp(i64::MIN as i128, i64::MAX as i128) as i64,
            nanos: start.rem_euclid(1_000_000_000) as u32,
        };
        g.row(vec![
            clock.format(ts),
            v.frames.to_string(),
            v.bytes.to_string(),
            format!("{:.0}", v.bytes as f64 * 8.0 * 1e9 / iv as f64),
        ]);
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
