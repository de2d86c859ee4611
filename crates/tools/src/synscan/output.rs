//! synscan's output forms: nmap's port table (text), `-oG` (greppable), `-oX` (XML, valid
//! against nmap.dtd) and `--json` (NDJSON, schema `pktkit.synscan/1` in docs/json-schema.md).
//! Streamed lines (each port as it settles) and end-of-scan reports.

use std::io::{self, Write};
use std::net::IpAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pktkit::render::time::TimeKeys;
use pktkit::scan::PortSet;
use serde::Serialize;

use super::report::{Counters, HostTally, NO_RESPONSE, PortResult, Shown, State};

/// The `schema` value of every `--json` record.
pub const SCHEMA: &str = "pktkit.synscan/1";

/// What the headers of the report forms say about the run.
#[derive(Debug, Clone)]
pub struct RunInfo {
    /// The command line as given.
    pub args: String,
    /// When the scan started.
    pub start: SystemTime,
    /// Ports per host, in nmap's compact form.
    pub services: String,
    /// Number of ports per host.
    pub nports: u64,
}

/// One host's settled results at the end of the scan.
#[derive(Debug, Clone)]
pub struct HostReport<'a> {
    /// The address.
    pub host: IpAddr,
    /// Answered ports by state and reason, and the ports to show.
    pub tally: &'a HostTally,
    /// Ports that got no answer after the retries.
    pub no_response: u64,
    /// Those ports, when filtered ports are shown.
    pub no_response_ports: Vec<u16>,
    /// Smoothed round-trip time, when measured.
    pub srtt: Option<Duration>,
}

/// One reason within an [`Extra`]: how many ports, and which (when kept, for `-oX`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraReason {
    /// nmap's reason.
    pub reason: &'static str,
    /// Number of ports.
    pub count: u64,
    /// The ports, ascending (empty when not kept).
    pub ports: Vec<u16>,
}

/// The ports of one state that are not shown, as nmap's `extraports` element and its
/// "Not shown" words: the state, its count, and its reasons (most ports first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extra {
    /// The hidden state.
    pub state: State,
    /// Ports in it.
    pub count: u64,
    /// Per reason, most ports first.
    pub reasons: Vec<ExtraReason>,
}

impl HostReport<'_> {
    /// Every shown port, sorted, with no-response ports included when filtered ports are shown.
    fn ports(&self, shown: Shown) -> Vec<PortResult> {
        let mut v = self.tally.shown.clone();
        if shown.filtered {
            v.extend(self.no_response_ports.iter().map(|&port| PortResult {
                host: self.host,
                port,
                state: State::Filtered,
                reason: NO_RESPONSE,
                ttl: None,
                from: None,
                at: Duration::ZERO,
            }));
        }
        v.sort_by_key(|r| r.port);
        v
    }

    /// The hidden states in nmap's order (most ports first; closed before filtered on a
    /// tie), each with its reasons (most ports first, then by name).
    fn extras(&self, shown: Shown) -> Vec<Extra> {
        let mut groups: Vec<(State, ExtraReason)> = self
            .tally
            .counts
            .iter()
            .filter(|((state, _), n)| !shown.shows(*state) && **n > 0)
            .map(|(&(state, reason), &count)| {
                let mut ports = self.tally.hidden_ports.get(&(state, reason)).cloned().unwrap_or_default();
                ports.sort_unstable();
                (state, ExtraReason { reason, count, ports })
            })
            .collect();
        if !shown.filtered && self.no_response > 0 {
            let reason = ExtraReason {
                reason: NO_RESPONSE,
                count: self.no_response,
                ports: self.no_response_ports.clone(),
            };
            groups.push((State::Filtered, reason));
        }
        let mut extras: Vec<Extra> = Vec::new();
        for (state, reason) in groups {
            match extras.iter_mut().find(|e| e.state == state) {
                Some(e) => {
                    e.count += reason.count;
                    e.reasons.push(reason);
                }
                None => extras.push(Extra { state, count: reason.count, reasons: vec![reason] }),
            }
        }
        for e in &mut extras {
            e.reasons.sort_by(|a, b| b.count.cmp(&a.count).then(a.reason.cmp(b.reason)));
        }
        extras.sort_by(|a, b| b.count.cmp(&a.count).then(a.state.cmp(&b.state)));
        extras
    }

    fn is_up(&self) -> bool {
        self.tally.answered() > 0
    }

    /// Whether the host is listed in the reports: with only open ports shown (nmap's
    /// `--open`), a host with an open port; else one that answered, or any when filtered
    /// ports are shown. Every host counts as scanned.
    pub fn listed(&self, shown: Shown) -> bool {
        if !shown.closed && !shown.filtered {
            self.tally.counts.iter().any(|((state, _), n)| *state == State::Open && *n > 0)
        } else {
            self.is_up() || shown.filtered
        }
    }
}

fn service(port: u16) -> &'static str {
    pktkit::services::service_name(port).unwrap_or("unknown")
}

/// nmap's reason column: `syn-ack ttl 62`, `admin-prohibited from 10.0.2.2 ttl 63`.
fn reason_text(r: &PortResult) -> String {
    let mut s = r.reason.to_string();
    if let Some(from) = r.from {
        s.push_str(&format!(" from {from}"));
    }
    if let Some(ttl) = r.ttl {
        s.push_str(&format!(" ttl {ttl}"));
    }
    s
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Writes each result as it settles: a `--json` record, or in text mode nmap's
/// `Discovered open port 22/tcp on 10.0.3.2` line for open ports.
pub fn stream_result(out: &mut dyn Write, json: bool, r: &PortResult) -> io::Result<()> {
    if json {
        serde_json::to_writer(&mut *out, &PortRecord::of(r))?;
        out.write_all(b"\n")
    } else if r.state == State::Open {
        writeln!(out, "Discovered open port {}/tcp on {}", r.port, r.host)
    } else {
        Ok(())
    }
}

/// nmap's normal output: one port table per host.
pub fn write_text(
    out: &mut dyn Write,
    hosts: &[HostReport<'_>],
    shown: Shown,
    nports: u64,
) -> io::Result<()> {
    for h in hosts.iter().filter(|h| h.listed(shown)) {
        writeln!(out, "\nsynscan report for {}", h.host)?;
        match (h.is_up(), h.srtt) {
            (true, Some(rtt)) => writeln!(out, "Host is up ({:.6}s latency).", rtt.as_secs_f64())?,
            (true, None) => writeln!(out, "Host is up.")?,
            (false, _) => writeln!(out, "Host did not answer.")?,
        }
        let ports = h.ports(shown);
        let extras = h.extras(shown);
        if ports.is_empty() {
            writeln!(out, "All {nports} scanned ports on {} are in ignored states.", h.host)?;
        }
        if !extras.is_empty() {
            // nmap's words: the plural follows the state's count, not the reason's.
            let parts: Vec<String> = extras
                .iter()
                .flat_map(|e| {
                    let noun = if e.count == 1 { "port" } else { "ports" };
                    e.reasons
                        .iter()
                        .map(move |r| format!("{} {} tcp {noun} ({})", r.count, e.state.name(), r.reason))
                })
                .collect();
            writeln!(out, "Not shown: {}", parts.join(", "))?;
        }
        if ports.is_empty() {
            continue;
        }
        let rows: Vec<[String; 4]> = ports
            .iter()
            .map(|r| {
                [
                    format!("{}/tcp", r.port),
                    r.state.name().to_string(),
                    service(r.port).to_string(),
                    reason_text(r),
                ]
            })
            .collect();
        let head = ["PORT", "STATE", "SERVICE", "REASON"];
        let width = |i: usize| rows.iter().map(|r| r[i].len()).chain([head[i].len()]).max().unwrap_or(0);
        let (w0, w1, w2) = (width(0), width(1), width(2));
        writeln!(out, "{:w0$} {:w1$} {:w2$} {}", head[0], head[1], head[2], head[3])?;
        for r in rows {
            writeln!(out, "{:w0$} {:w1$} {:w2$} {}", r[0], r[1], r[2], r[3])?;
        }
    }
    Ok(())
}

/// The summary line: elapsed time, rate, counters.
pub fn summary_line(c: &Counters, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64();
    let rate = if secs > 0.0 { c.probes as f64 / secs } else { 0.0 };
    format!(
        "synscan done: {} x {} in {secs:.2} s: {} ({} retries), {rate:.0}/s overall, sent at {}/s; {} open, {} closed, {} filtered; \
         {} received, {} answers, {} duplicates, {} ignored, {} dropped",
        plural(c.hosts, "address", "addresses"),
        plural(c.ports, "port", "ports"),
        plural(c.probes, "probe", "probes"),
        c.retries,
        c.send_rate,
        c.open,
        c.closed,
        c.filtered,
        c.received,
        c.answers,
        c.duplicates,
        c.ignored,
        c.dropped,
    )
}

/// `ctime(3)`'s form, in UTC: `Thu Dec  3 09:00:00 2026`.
fn ctime(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs() as i64;
    match jiff::Timestamp::from_second(secs) {
        Ok(ts) => ts.strftime("%a %b %e %H:%M:%S %Y").to_string(),
        Err(_) => secs.to_string(),
    }
}

fn unix(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs()
}

/// nmap's greppable form (`-oG`).
pub fn write_greppable(
    out: &mut dyn Write,
    run: &RunInfo,
    hosts: &[HostReport<'_>],
    shown: Shown,
    elapsed: Duration,
) -> io::Result<()> {
    writeln!(
        out,
        "# synscan {} scan initiated {} as: {}",
        env!("CARGO_PKG_VERSION"),
        ctime(run.start),
        run.args
    )?;
    writeln!(out, "# Ports scanned: TCP({};{}) UDP(0;) SCTP(0;) PROTOCOLS(0;)", run.nports, run.services)?;
    for h in hosts.iter().filter(|h| h.listed(shown)) {
        let status = if h.is_up() { "Up" } else { "Unknown" };
        writeln!(out, "Host: {} ()\tStatus: {status}", h.host)?;
        let ports: Vec<String> = h
            .ports(shown)
            .iter()
            .map(|r| format!("{}/{}/tcp//{}///", r.port, r.state.name(), service(r.port)))
            .collect();
        let mut line = format!("Host: {} ()\tPorts: {}", h.host, ports.join(", "));
        // nmap's greppable form has room for one ignored state only: with two, neither.
        if let [only] = h.extras(shown).as_slice() {
            line.push_str(&format!("\tIgnored State: {} ({})", only.state.name(), only.count));
        }
        writeln!(out, "{line}")?;
    }
    writeln!(out, "# synscan done at {} -- {}", ctime(run.start + elapsed), scanned(hosts, elapsed))
}

/// nmap's closing words: `2 IP addresses (2 hosts up) scanned in 0.41 seconds`.
fn scanned(hosts: &[HostReport<'_>], elapsed: Duration) -> String {
    let up = hosts.iter().filter(|h| h.is_up()).count() as u64;
    format!(
        "{} ({} up) scanned in {:.2} seconds",
        plural(hosts.len() as u64, "IP address", "IP addresses"),
        plural(up, "host", "hosts"),
        elapsed.as_secs_f64()
    )
}

/// Escapes text for an XML attribute.
fn xml_attr(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => o.push(c),
        }
    }
    o
}

/// nmap's XML form (`-oX`), valid against nmap.dtd. The DTD allows only `scanner="nmap"`;
/// `version` names synscan.
pub fn write_xml(
    out: &mut dyn Write,
    run: &RunInfo,
    hosts: &[HostReport<'_>],
    shown: Shown,
    elapsed: Duration,
) -> io::Result<()> {
    let start = unix(run.start);
    writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(out, "<!DOCTYPE nmaprun>")?;
    writeln!(
        out,
        "<nmaprun scanner=\"nmap\" args=\"{}\" start=\"{start}\" startstr=\"{}\" version=\"synscan {}\" xmloutputversion=\"1.05\">",
        xml_attr(&run.args),
        ctime(run.start),
        env!("CARGO_PKG_VERSION")
    )?;
    writeln!(
        out,
        "<scaninfo type=\"syn\" protocol=\"tcp\" numservices=\"{}\" services=\"{}\"/>",
        run.nports, run.services
    )?;
    writeln!(out, "<verbose level=\"0\"/>\n<debugging level=\"0\"/>")?;
    let end = unix(run.start + elapsed);
    for h in hosts.iter().filter(|h| h.listed(shown)) {
        let (state, reason) = if h.is_up() { ("up", "user-set") } else { ("unknown", "user-set") };
        writeln!(
            out,
            "<host starttime=\"{start}\" endtime=\"{end}\"><status state=\"{state}\" reason=\"{reason}\" reason_ttl=\"0\"/>"
        )?;
        let kind = if h.host.is_ipv4() { "ipv4" } else { "ipv6" };
        writeln!(out, "<address addr=\"{}\" addrtype=\"{kind}\"/>", h.host)?;
        writeln!(out, "<hostnames>\n</hostnames>")?;
        writeln!(out, "<ports>")?;
        for extra in h.extras(shown) {
            writeln!(out, "<extraports state=\"{}\" count=\"{}\">", extra.state.name(), extra.count)?;
            for r in &extra.reasons {
                let ports = PortSet::from_ports(r.ports.iter().copied()).to_nmap_list();
                writeln!(
                    out,
                    "<extrareasons reason=\"{}\" count=\"{}\" proto=\"tcp\" ports=\"{ports}\"/>",
                    r.reason, r.count
                )?;
            }
            writeln!(out, "</extraports>")?;
        }
        for r in h.ports(shown) {
            let mut st = format!(
                "<state state=\"{}\" reason=\"{}\" reason_ttl=\"{}\"",
                r.state.name(),
                r.reason,
                r.ttl.unwrap_or(0)
            );
            if let Some(from) = r.from {
                st.push_str(&format!(" reason_ip=\"{from}\""));
            }
            writeln!(
                out,
                "<port protocol=\"tcp\" portid=\"{}\">{st}/><service name=\"{}\" method=\"table\" conf=\"3\"/></port>",
                r.port,
                service(r.port)
            )?;
        }
        writeln!(out, "</ports>")?;
        writeln!(out, "</host>")?;
    }
    let up = hosts.iter().filter(|h| h.is_up()).count();
    let done = ctime(run.start + elapsed);
    let summary = xml_attr(&format!("synscan done at {done}; {}", scanned(hosts, elapsed)));
    let secs = elapsed.as_secs_f64();
    writeln!(
        out,
        "<runstats><finished time=\"{end}\" timestr=\"{done}\" summary=\"{summary}\" elapsed=\"{secs:.2}\" exit=\"success\"/>"
    )?;
    writeln!(out, "<hosts up=\"{up}\" down=\"{}\" total=\"{}\"/>", hosts.len() - up, hosts.len())?;
    writeln!(out, "</runstats>\n</nmaprun>")
}

/// A `--json` port record.
#[derive(Debug, Serialize)]
pub struct PortRecord<'a> {
    schema: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(flatten)]
    time: TimeKeys,
    host: String,
    port: u16,
    proto: &'static str,
    state: &'static str,
    reason: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason_ttl: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason_ip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    service: Option<&'static str>,
    elapsed: f64,
}

impl<'a> PortRecord<'a> {
    fn of(r: &'a PortResult) -> Self {
        PortRecord {
            schema: SCHEMA,
            kind: "port",
            time: TimeKeys::now("time"),
            host: r.host.to_string(),
            port: r.port,
            proto: "tcp",
            state: r.state.name(),
            reason: r.reason,
            reason_ttl: r.ttl,
            reason_ip: r.from.map(|a| a.to_string()),
            service: pktkit::services::service_name(r.port),
            elapsed: (r.at.as_secs_f64() * 1e6).round() / 1e6,
        }
    }
}

/// The `--json` summary record, last.
#[derive(Debug, Serialize)]
struct SummaryRecord<'a> {
    schema: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(flatten)]
    time: TimeKeys,
    elapsed: f64,
    rate: u64,
    send_rate: u64,
    hosts: u64,
    ports: u64,
    probes: u64,
    retries: u64,
    received: u64,
    answers: u64,
    duplicates: u64,
    ignored: u64,
    dropped: u64,
    open: u64,
    closed: u64,
    filtered: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    srtt: Option<f64>,
    seed: u64,
    shard: &'a str,
}

/// Writes the `--json` summary record.
pub fn write_json_summary(
    out: &mut dyn Write,
    c: &Counters,
    elapsed: Duration,
    srtt: Option<Duration>,
    seed: u64,
    shard: &str,
) -> io::Result<()> {
    let secs = elapsed.as_secs_f64();
    let rec = SummaryRecord {
        schema: SCHEMA,
        kind: "summary",
        time: TimeKeys::now("time"),
        elapsed: (secs * 1e6).round() / 1e6,
        rate: if secs > 0.0 { (c.probes as f64 / secs).round() as u64 } else { 0 },
        send_rate: c.send_rate,
        hosts: c.hosts,
        ports: c.ports,
        probes: c.probes,
        retries: c.retries,
        received: c.received,
        answers: c.answers,
        duplicates: c.duplicates,
        ignored: c.ignored,
        dropped: c.dropped,
        open: c.open,
        closed: c.closed,
        filtered: c.filtered,
        srtt: srtt.map(|d| (d.as_secs_f64() * 1e6).round() / 1e6),
        seed,
        shard,
    };
    serde_json::to_writer(&mut *out, &rec)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally() -> HostTally {
        let mut t = HostTally::default();
        let host: IpAddr = [10, 0, 3, 2].into();
        let r = |port, state, reason, ttl| PortResult {
            host,
            port,
            state,
            reason,
            ttl,
            from: None,
            at: Duration::ZERO,
        };
        t.shown.push(r(80, State::Open, "syn-ack", Some(62)));
        t.shown.push(r(22, State::Open, "syn-ack", Some(62)));
        t.counts.insert((State::Open, "syn-ack"), 2);
        t.counts.insert((State::Closed, "reset"), 95);
        t.counts.insert((State::Filtered, "admin-prohibited"), 1);
        t
    }

    fn report(t: &HostTally) -> HostReport<'_> {
        HostReport {
            host: [10, 0, 3, 2].into(),
            tally: t,
            no_response: 2,
            no_response_ports: vec![],
            srtt: None,
        }
    }

    #[test]
    fn text_table_as_nmap() {
        let t = tally();
        let mut out = Vec::new();
        write_text(&mut out, &[report(&t)], Shown { closed: false, filtered: false }, 100).unwrap();
        let text = String::from_utf8(out).unwrap();
        // nmap's plural follows the state's count (3 filtered), not the reason's.
        assert!(text.contains("Not shown: 95 closed tcp ports (reset), 2 filtered tcp ports (no-response), 1 filtered tcp ports (admin-prohibited)\n"), "{text}");
        assert!(text.contains("PORT   STATE SERVICE REASON\n22/tcp open  ssh     syn-ack ttl 62\n80/tcp open  http    syn-ack ttl 62\n"), "{text}");
    }

    #[test]
    fn xml_lists_hidden_ports_per_state_and_reason_as_nmap() {
        let mut t = tally();
        t.hidden_ports
            .insert((State::Closed, "reset"), (3..=97).rev().filter(|p| *p != 22 && *p != 80).collect());
        t.hidden_ports.insert((State::Filtered, "admin-prohibited"), vec![113]);
        t.counts.insert((State::Closed, "reset"), 93);
        let mut h = report(&t);
        h.no_response_ports = vec![25, 135];
        let run =
            RunInfo { args: "synscan x".into(), start: UNIX_EPOCH, services: "1-100".into(), nports: 100 };
        let mut out = Vec::new();
        write_xml(&mut out, &run, &[h], Shown { closed: false, filtered: false }, Duration::from_secs(1))
            .unwrap();
        let xml = String::from_utf8(out).unwrap();
        let want = "<extraports state=\"closed\" count=\"93\">\n\
            <extrareasons reason=\"reset\" count=\"93\" proto=\"tcp\" ports=\"3-21,23-79,81-97\"/>\n\
            </extraports>\n\
            <extraports state=\"filtered\" count=\"3\">\n\
            <extrareasons reason=\"no-response\" count=\"2\" proto=\"tcp\" ports=\"25,135\"/>\n\
            <extrareasons reason=\"admin-prohibited\" count=\"1\" proto=\"tcp\" ports=\"113\"/>\n\
            </extraports>\n";
        assert!(xml.contains(want), "{xml}");
    }

    #[test]
    fn greppable_and_json() {
        let t = tally();
        let run =
            RunInfo { args: "synscan x".into(), start: UNIX_EPOCH, services: "1-100".into(), nports: 100 };
        let mut out = Vec::new();
        write_greppable(
            &mut out,
            &run,
            &[report(&t)],
            Shown { closed: false, filtered: false },
            Duration::from_secs(1),
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        // Two hidden states (closed, filtered): nmap's form then names neither.
        assert!(
            text.contains("Host: 10.0.3.2 ()\tPorts: 22/open/tcp//ssh///, 80/open/tcp//http///\n"),
            "{text}"
        );
        let mut out = Vec::new();
        let shown = Shown { closed: false, filtered: true };
        write_greppable(&mut out, &run, &[report(&t)], shown, Duration::from_secs(1)).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("80/open/tcp//http///\tIgnored State: closed (95)\n"), "{text}");
        let mut out = Vec::new();
        stream_result(&mut out, true, &t.shown[0]).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["schema"], SCHEMA);
        assert_eq!(
            (v["port"].as_u64(), v["state"].as_str(), v["reason_ttl"].as_u64()),
            (Some(80), Some("open"), Some(62))
        );
    }
}
