//! `netmon top`: interface, connection and process rates, refreshed every interval.
//!
//! Connection rates come from the kernel's per-socket counters (`tcp_info` bytes_acked and
//! bytes_received) between two sock_diag dumps, so no root and no capture are needed; a
//! process's rate is the sum over the connections it holds (a socket shared by several
//! processes counts for the lowest pid). On a terminal the view is drawn with ratatui; when
//! stdout is not a terminal (or with `--json`) each refresh is one NDJSON line.

use std::collections::HashMap;
use std::io::{self, IsTerminal, Write};
use std::time::Instant;

use pktkit::host::interfaces::{self, Counters};
use pktkit::host::procs::Owner;
use pktkit::host::sockets::{StateMask, Table, TcpState};
use pktkit::render::time::TimeKeys;

use super::TopArgs;
use super::capture::{Capture, Counts};
use super::columns::{self, address_json, proto};
use super::connections::{Monitor, Row};
use super::interfaces::{Rates, rates, round3, sleep_until};
use super::table;
use crate::cli::{self, Failure};

/// Schema of the snapshot lines.
pub const SCHEMA: &str = "pktkit.netmon.top/1";
/// Rates from `tcp_info` counters only (no capture).
pub const MODE: &str = "tcp_info";
/// `tcp_info` counters for TCP, and a capture for UDP and per-host rates.
pub const MODE_CAPTURE: &str = "tcp_info+capture";
const MODE_TEXT: &str =
    "mode: tcp_info counters, no capture (TCP only; UDP and per-host rates need CAP_NET_RAW)";
const MODE_CAPTURE_TEXT: &str = "mode: tcp_info counters + capture on any (UDP and per-host rates)";

/// TCP states whose sockets can move bytes (not listeners, TIME_WAIT or request sockets).
fn moving_states() -> StateMask {
    let skip = ["LISTEN", "TIME_WAIT", "SYN_RECV"]
        .iter()
        .filter_map(|n| TcpState::parse_mask(n))
        .fold(0, |m, s| m | s.0);
    StateMask(StateMask::ALL.0 & !skip)
}

/// A connection's rates over the last interval.
#[derive(Debug, Clone, Copy)]
pub struct ConnRate {
    /// Index into the monitor's sockets.
    pub index: usize,
    /// Bytes acknowledged by the peer per second.
    pub sent: f64,
    /// Bytes received per second.
    pub recv: f64,
}

/// A process's (or an unseen group's) rates over the last interval.
#[derive(Debug, Clone)]
pub struct ProcRate {
    pub pid: Option<u32>,
    pub name: String,
    pub user: String,
    pub connections: usize,
    pub sent: f64,
    pub recv: f64,
}

/// A remote host's rates over the last interval (capture mode).
#[derive(Debug, Clone, Copy)]
pub struct HostRate {
    pub addr: std::net::IpAddr,
    pub sent: f64,
    pub recv: f64,
}

/// One refresh: rates of everything over `seconds`.
#[derive(Debug)]
pub struct Snapshot {
    pub seq: u64,
    pub seconds: f64,
    pub interfaces: Vec<Rates>,
    pub connections: Vec<ConnRate>,
    pub processes: Vec<ProcRate>,
    /// Per remote host, fastest first; None without a capture.
    pub hosts: Option<Vec<HostRate>>,
    /// TCP connections seen (moving or not).
    pub tcp_sockets: usize,
}

/// The counters of the previous refresh.
#[derive(Debug)]
struct Previous {
    sockets: SocketCounters,
    sockets_at: Instant,
    interfaces: HashMap<String, Counters>,
    interfaces_at: Instant,
}

/// Computes snapshots from successive refreshes.
#[derive(Debug)]
pub struct Tracker {
    monitor: Monitor,
    previous: Previous,
    seq: u64,
    capture: Option<Capture>,
}

impl Tracker {
    /// Takes the baseline counters; with a `capture`, UDP sockets are dumped too.
    pub fn start(capture: Option<Capture>) -> Result<Tracker, Failure> {
        let interfaces = interfaces::read()?.into_iter().map(|i| (i.name, i.counters)).collect();
        let interfaces_at = Instant::now();
        let mut monitor = Monitor::open()?;
        monitor.refresh(tables(capture.is_some()), moving_states())?;
        if let Some(c) = &capture {
            c.take();
        }
        let mut sockets = SocketCounters::default();
        sockets.fill(&monitor);
        let previous = Previous { sockets, sockets_at: monitor.dumped_at(), interfaces, interfaces_at };
        Ok(Tracker { monitor, previous, seq: 0, capture })
    }

    /// The mode: [`MODE`] or [`MODE_CAPTURE`].
    pub fn mode(&self) -> &'static str {
        if self.capture.is_some() { MODE_CAPTURE } else { MODE }
    }

    /// The monitor of the last refresh (for rows).
    pub fn monitor(&self) -> &Monitor {
        &self.monitor
    }

    /// Refreshes and returns the rates since the previous refresh.
    pub fn refresh(&mut self) -> Result<Snapshot, Failure> {
        // Each kind of counter is divided by the time between its own two reads.
        let ifaces = interfaces::read()?;
        let interfaces_at = Instant::now();
        let if_seconds = interfaces_at.duration_since(self.previous.interfaces_at).as_secs_f64().max(1e-9);
        self.monitor.refresh(tables(self.capture.is_some()), moving_states())?;
        let captured = self.capture.as_ref().map(Capture::take);
        let seconds =
            self.monitor.dumped_at().duration_since(self.previous.sockets_at).as_secs_f64().max(1e-9);
        self.seq += 1;
        let interfaces = rates(&self.previous.interfaces, &ifaces, if_seconds);
        let mut connections = Vec::new();
        let sockets = self.monitor.sockets();
        let mut udp_ports = captured.as_ref().map(|c| c.udp_ports.clone()).unwrap_or_default();
        for (index, s) in sockets.iter().enumerate() {
            if !s.table.is_tcp() {
                // A UDP port's captured bytes go to the first socket bound to it.
                if let Some((sent, recv)) = s.local.port().and_then(|p| udp_ports.remove(&p)) {
                    connections.push(ConnRate {
                        index,
                        sent: sent as f64 / seconds,
                        recv: recv as f64 / seconds,
                    });
                }
                continue;
            }
            let Some(t) = s.tcp else { continue };
            // A socket born during the interval moved all its bytes in it.
            let (acked, received) = self.previous.sockets.get(s.cookie);
            let sent = t.bytes_acked.saturating_sub(acked) as f64 / seconds;
            let recv = t.bytes_received.saturating_sub(received) as f64 / seconds;
            connections.push(ConnRate { index, sent, recv });
        }
        let processes = self.processes(&connections);
        connections.sort_by(|a, b| (b.sent + b.recv).total_cmp(&(a.sent + a.recv)));
        self.previous.sockets.fill(&self.monitor);
        self.previous.sockets_at = self.monitor.dumped_at();
        self.previous.interfaces = ifaces.into_iter().map(|i| (i.name, i.counters)).collect();
        self.previous.interfaces_at = interfaces_at;
        Ok(Snapshot {
            seq: self.seq,
            seconds,
            interfaces,
            connections,
            processes,
            hosts: captured.map(|c| host_rates(&c, seconds)),
            tcp_sockets: sockets.iter().filter(|s| s.table.is_tcp()).count(),
        })
    }

    fn processes(&self, connections: &[ConnRate]) -> Vec<ProcRate> {
        // Grouped by pid, or by reason and uid for sockets without one; names are made once
        // per group.
        // Neighbouring connections mostly belong to the same group: the last one is tried first.
        let mut groups: HashMap<GroupKey, usize> = HashMap::new();
        let mut v: Vec<ProcRate> = Vec::new();
        let mut last: Option<(GroupKey, usize)> = None;
        let sockets = self.monitor.sockets();
        for c in connections {
            let (pid, unseen) = match self.monitor.owner(c.index) {
                Owner::Held(holders) => (holders.first().map(|h| h.pid), None),
                Owner::Unseen(why) => (None, Some(why.name())),
            };
            let key = (pid, unseen, if pid.is_some() { None } else { sockets[c.index].uid });
            let at = match last {
                Some((k, at)) if k == key => at,
                _ => *groups.entry(key).or_insert_with(|| {
                    let row = self.monitor.row(c.index);
                    v.push(ProcRate {
                        pid,
                        name: columns::Column::Name.text(&row),
                        user: columns::Column::User.text(&row),
                        connections: 0,
                        sent: 0.0,
                        recv: 0.0,
                    });
                    v.len() - 1
                }),
            };
            last = Some((key, at));
            let entry = &mut v[at];
            entry.connections += 1;
            entry.sent += c.sent;
            entry.recv += c.recv;
        }
        v.sort_by(|a, b| (b.sent + b.recv).total_cmp(&(a.sent + a.recv)).then(a.pid.cmp(&b.pid)));
        v
    }
}

/// A process row: the pid, or for sockets without one, the reason and the socket's uid.
type GroupKey = (Option<u32>, Option<&'static str>, Option<u32>);

/// The tables top dumps: TCP, and UDP when a capture gives UDP rates.
fn tables(capturing: bool) -> &'static [Table] {
    if capturing {
        &[Table::Tcp4, Table::Tcp6, Table::Udp4, Table::Udp6]
    } else {
        &[Table::Tcp4, Table::Tcp6]
    }
}

fn host_rates(counts: &Counts, seconds: f64) -> Vec<HostRate> {
    let mut v: Vec<HostRate> = counts
        .hosts
        .iter()
        .map(|(addr, (sent, recv))| HostRate {
            addr: *addr,
            sent: *sent as f64 / seconds,
            recv: *recv as f64 / seconds,
        })
        .collect();
    v.sort_by(|a, b| (b.sent + b.recv).total_cmp(&(a.sent + a.recv)).then(a.addr.cmp(&b.addr)));
    v
}

/// The byte counters of one dump's TCP sockets, looked up by cookie in the next dump. The
/// kernel lists sockets in the same order from one dump to the next (its hash table's), so
/// the next socket is almost always the one after the last found; a table by cookie is built
/// only when it is not.
#[derive(Debug, Default)]
struct SocketCounters {
    /// (cookie, bytes_acked, bytes_received), in dump order.
    counters: Vec<(u64, u64, u64)>,
    /// Where the next lookup looks first.
    cursor: usize,
    /// cookie -> index in `counters`, built on the first lookup that misses.
    by_cookie: HashMap<u64, usize>,
}

impl SocketCounters {
    /// Takes the counters of `monitor`'s sockets, reusing the allocations of `self`.
    fn fill(&mut self, monitor: &Monitor) {
        self.counters.clear();
        self.counters.extend(
            monitor
                .sockets()
                .iter()
                .filter_map(|s| s.tcp.map(|t| (s.cookie, t.bytes_acked, t.bytes_received))),
        );
        self.cursor = 0;
        self.by_cookie.clear();
    }

    /// (bytes_acked, bytes_received) of the socket `cookie`, (0, 0) when it is new.
    fn get(&mut self, cookie: u64) -> (u64, u64) {
        if let Some(&(c, acked, received)) = self.counters.get(self.cursor)
            && c == cookie
        {
            self.cursor += 1;
            return (acked, received);
        }
        if self.by_cookie.is_empty() {
            self.by_cookie.extend(self.counters.iter().enumerate().map(|(i, c)| (c.0, i)));
        }
        match self.by_cookie.get(&cookie) {
            Some(&i) => {
                self.cursor = i + 1;
                (self.counters[i].1, self.counters[i].2)
            }
            None => (0, 0),
        }
    }
}

/// Starts the capture unless `--no-capture` or without CAP_NET_RAW; a capture that cannot
/// open is a warning, and top goes on from the socket counters alone.
fn capture(args: &TopArgs) -> Option<Capture> {
    if args.no_capture || !pktkit::net::has_cap_net_raw() {
        return None;
    }
    match Capture::start() {
        Ok(c) => Some(c),
        Err(e) => {
            cli::warn(super::TOOL, format!("no capture ({e}); rates from tcp_info counters only"));
            None
        }
    }
}

/// Runs `netmon top`.
pub fn run(args: &TopArgs) -> Result<(), Failure> {
    if args.json || !io::stdout().is_terminal() { run_ndjson(args) } else { run_terminal(args) }
}

fn run_ndjson(args: &TopArgs) -> Result<(), Failure> {
    let mut out = cli::open_output(None, false)?;
    let mut tracker = Tracker::start(capture(args))?;
    let start = Instant::now();
    let mut line = Vec::with_capacity(64 * 1024);
    for tick in 1u64.. {
        sleep_until(start + args.every.saturating_mul(u32::try_from(tick).unwrap_or(u32::MAX)));
        let snap = tracker.refresh()?;
        line.clear();
        write_snapshot(&mut line, &snap, &tracker, args);
        out.write_all(&line)?;
        out.flush()?;
        if args.count.is_some_and(|c| tick >= c) {
            break;
        }
    }
    Ok(())
}

fn limit<T>(items: &[T], n: usize) -> &[T] {
    if n == 0 { items } else { &items[..items.len().min(n)] }
}

fn write_snapshot(out: &mut Vec<u8>, snap: &Snapshot, tracker: &Tracker, args: &TopArgs) {
    let _ = write!(
        out,
        "{{\"schema\":\"{SCHEMA}\",\"seq\":{},{},\"seconds\":{},\"mode\":\"{}\",\"tcp_sockets\":{}",
        snap.seq,
        TimeKeys::now("time"),
        (snap.seconds * 1e6).round() / 1e6,
        tracker.mode(),
        snap.tcp_sockets
    );
    out.extend_from_slice(b",\"interfaces\":[");
    for (i, r) in limit(&snap.interfaces, args.top).iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"name\":");
        serde_json::to_writer(&mut *out, &r.name).expect("writing to a Vec");
        let _ = write!(
            out,
            ",\"bytes_sent\":{},\"bytes_recv\":{},\"bytes_sent_per_s\":{},\"bytes_recv_per_s\":{},\"packets_sent_per_s\":{},\"packets_recv_per_s\":{}}}",
            r.total.bytes_sent,
            r.total.bytes_recv,
            round3(r.per_second(0)),
            round3(r.per_second(1)),
            round3(r.per_second(2)),
            round3(r.per_second(3))
        );
    }
    out.extend_from_slice(b"],\"connections\":[");
    let moving: Vec<&ConnRate> =
        snap.connections.iter().filter(|c| args.all || c.sent > 0.0 || c.recv > 0.0).collect();
    for (i, c) in limit(&moving, args.top).iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let row = tracker.monitor().row(c.index);
        write_connection(out, &row, c);
    }
    if let Some(hosts) = &snap.hosts {
        out.extend_from_slice(b"],\"hosts\":[");
        for (i, h) in limit(hosts, args.top).iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            let _ = write!(
                out,
                "{{\"addr\":\"{}\",\"bytes_sent_per_s\":{},\"bytes_recv_per_s\":{}}}",
                h.addr,
                round3(h.sent),
                round3(h.recv)
            );
        }
    }
    out.extend_from_slice(b"],\"processes\":[");
    for (i, p) in limit(&snap.processes, args.top).iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'{');
        if let Some(pid) = p.pid {
            let _ = write!(out, "\"pid\":{pid},");
        }
        out.extend_from_slice(b"\"name\":");
        serde_json::to_writer(&mut *out, &p.name).expect("writing to a Vec");
        out.extend_from_slice(b",\"user\":");
        serde_json::to_writer(&mut *out, &p.user).expect("writing to a Vec");
        let _ = write!(
            out,
            ",\"connections\":{},\"bytes_sent_per_s\":{},\"bytes_recv_per_s\":{}}}",
            p.connections,
            round3(p.sent),
            round3(p.recv)
        );
    }
    out.extend_from_slice(b"]}\n");
}

fn write_connection(out: &mut Vec<u8>, row: &Row, c: &ConnRate) {
    let s = row.socket;
    let _ = write!(out, "{{\"proto\":\"{}\",\"laddr\":", proto(s.table));
    address_json(out, &s.local);
    if let Some(r) = &s.remote {
        out.extend_from_slice(b",\"raddr\":");
        address_json(out, r);
    }
    let _ = write!(out, ",\"status\":\"{}\"", s.state.map_or("NONE", |st| st.name()));
    if let Some(h) = row.holders.first() {
        let _ = write!(out, ",\"pid\":{}", h.pid);
    }
    if let Some(p) = row.process {
        out.extend_from_slice(b",\"name\":");
        serde_json::to_writer(&mut *out, &p.name).expect("writing to a Vec");
    }
    if let Some(why) = row.unseen {
        let _ = write!(out, ",\"unseen\":\"{}\"", why.name());
    }
    if let Some(uid) = s.uid {
        let _ = write!(out, ",\"uid\":{uid}");
    }
    if let Some(user) = row.user {
        out.extend_from_slice(b",\"user\":");
        serde_json::to_writer(&mut *out, user).expect("writing to a Vec");
    }
    if let Some(t) = s.tcp {
        let _ = write!(
            out,
            ",\"bytes_acked\":{},\"bytes_received\":{},\"rtt_us\":{}",
            t.bytes_acked, t.bytes_received, t.rtt_us
        );
    }
    let _ = write!(out, ",\"bytes_sent_per_s\":{},\"bytes_recv_per_s\":{}}}", round3(c.sent), round3(c.recv));
}

fn run_terminal(args: &TopArgs) -> Result<(), Failure> {
    let mut tracker = Tracker::start(capture(args))?;
    let mut terminal = ratatui::try_init().map_err(|e| Failure::Runtime(format!("terminal: {e}")))?;
    let outcome = terminal_loop(&mut terminal, &mut tracker, args);
    ratatui::restore();
    outcome
}

fn terminal_loop(
    terminal: &mut ratatui::DefaultTerminal,
    tracker: &mut Tracker,
    args: &TopArgs,
) -> Result<(), Failure> {
    use ratatui::crossterm::event::{self, Event, KeyCode, KeyModifiers};
    let start = Instant::now();
    let draw_error = |e: io::Error| Failure::Runtime(format!("terminal: {e}"));
    terminal.draw(|f| draw(f, None, tracker, args)).map_err(draw_error)?;
    for tick in 1u64.. {
        let deadline = start + args.every.saturating_mul(u32::try_from(tick).unwrap_or(u32::MAX));
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            if event::poll(left).map_err(draw_error)?
                && let Event::Key(key) = event::read().map_err(draw_error)?
            {
                let quit = matches!(key.code, KeyCode::Char('q') | KeyCode::Esc)
                    || key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
                if quit {
                    return Ok(());
                }
            }
        }
        let snap = tracker.refresh()?;
        terminal.draw(|f| draw(f, Some(&snap), tracker, args)).map_err(draw_error)?;
        if args.count.is_some_and(|c| tick >= c) {
            break;
        }
    }
    Ok(())
}

fn draw(frame: &mut ratatui::Frame, snap: Option<&Snapshot>, tracker: &Tracker, args: &TopArgs) {
    use ratatui::layout::{Constraint, Layout};
    use ratatui::style::{Modifier, Style};
    use ratatui::widgets::{Block, Paragraph, Row as TuiRow, Table as TuiTable};

    let bold = Style::default().add_modifier(Modifier::BOLD);
    let empty: Vec<Rates> = Vec::new();
    let ifaces = snap.map_or(&empty, |s| &s.interfaces);
    let iface_height = (ifaces.len() as u16).saturating_add(3).min(10);
    let [title, iface_area, proc_area, conn_area] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(iface_height),
        Constraint::Percentage(35),
        Constraint::Fill(1),
    ])
    .areas(frame.area());
    let mode = if tracker.mode() == MODE_CAPTURE { MODE_CAPTURE_TEXT } else { MODE_TEXT };
    let status = match snap {
        Some(s) => format!(
            "netmon top  refresh {} every {:.1}s  {}  {} TCP connections\n{mode}; q quits",
            s.seq,
            args.every.as_secs_f64(),
            jiff::Timestamp::now().strftime("%H:%M:%S"),
            s.tcp_sockets
        ),
        None => format!(
            "netmon top  waiting {:.1}s for the first rates\n{mode}; q quits",
            args.every.as_secs_f64()
        ),
    };
    frame.render_widget(Paragraph::new(status), title);
    // With a capture, remote hosts sit beside the interfaces.
    let (iface_area, host_area) = if tracker.mode() == MODE_CAPTURE {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(55), Constraint::Fill(1)]).areas(iface_area);
        (left, Some(right))
    } else {
        (iface_area, None)
    };
    if let (Some(area), Some(hosts)) = (host_area, snap.and_then(|s| s.hosts.as_ref())) {
        let rows = hosts
            .iter()
            .map(|h| TuiRow::new(vec![h.addr.to_string(), table::rate(h.recv), table::rate(h.sent)]));
        let widths = [Constraint::Length(28), Constraint::Length(12), Constraint::Length(12)];
        frame.render_widget(
            TuiTable::new(rows, widths)
                .header(TuiRow::new(vec!["REMOTE HOST", "RECV/s", "SENT/s"]).style(bold))
                .block(Block::bordered().title("hosts (capture)")),
            area,
        );
    }

    let rows = ifaces.iter().map(|r| {
        TuiRow::new(vec![
            r.name.clone(),
            table::rate(r.per_second(1)),
            table::rate(r.per_second(0)),
            format!("{:.0}", r.per_second(3)),
            format!("{:.0}", r.per_second(2)),
        ])
    });
    let widths = [
        Constraint::Length(16),
        Constraint::Length(12),
        Constraint::Length(12),
        Constraint::Length(10),
        Constraint::Length(10),
    ];
    frame.render_widget(
        TuiTable::new(rows, widths)
            .header(TuiRow::new(vec!["INTERFACE", "RECV/s", "SENT/s", "PKTS IN/s", "PKTS OUT/s"]).style(bold))
            .block(Block::bordered().title("interfaces")),
        iface_area,
    );

    let no_procs = Vec::new();
    let procs = snap.map_or(&no_procs, |s| &s.processes);
    let rows = procs.iter().map(|p| {
        TuiRow::new(vec![
            p.pid.map_or_else(|| "-".to_string(), |pid| pid.to_string()),
            p.name.clone(),
            p.user.clone(),
            p.connections.to_string(),
            table::rate(p.recv),
            table::rate(p.sent),
        ])
    });
    let widths = [
        Constraint::Length(8),
        Constraint::Length(24),
        Constraint::Length(12),
        Constraint::Length(6),
        Constraint::Length(12),
        Constraint::Length(12),
    ];
    frame.render_widget(
        TuiTable::new(rows, widths)
            .header(TuiRow::new(vec!["PID", "PROCESS", "USER", "CONNS", "RECV/s", "SENT/s"]).style(bold))
            .block(Block::bordered().title("processes")),
        proc_area,
    );

    let no_conns = Vec::new();
    let conns = snap.map_or(&no_conns, |s| &s.connections);
    let rows = conns.iter().filter(|c| args.all || c.sent > 0.0 || c.recv > 0.0).map(|c| {
        let row = tracker.monitor().row(c.index);
        let cell = |col: columns::Column| col.text(&row);
        TuiRow::new(vec![
            cell(columns::Column::Laddr),
            cell(columns::Column::Raddr),
            cell(columns::Column::Pid),
            cell(columns::Column::Name),
            table::rate(c.recv),
            table::rate(c.sent),
            cell(columns::Column::RttUs),
        ])
    });
    let widths = [
        Constraint::Length(24),
        Constraint::Length(24),
        Constraint::Length(8),
        Constraint::Length(20),
        Constraint::Length(12),
        Constraint::Length(12),
        Constraint::Length(9),
    ];
    frame.render_widget(
        TuiTable::new(rows, widths)
            .header(
                TuiRow::new(vec!["LOCAL", "REMOTE", "PID", "PROCESS", "RECV/s", "SENT/s", "RTT"]).style(bold),
            )
            .block(Block::bordered().title("connections (moving)")),
        conn_area,
    );
}
