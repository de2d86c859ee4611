//! traceroute's text lines and tracert's JSON records (schema in docs/tracert.md).

use std::fmt::Write as _;
use std::net::IpAddr;

use pktkit::net::probe::Ttl;
use pktkit::net::reply::ReplyKind;
use pktkit::net::trace::{Answer, ProbeResult, Tracer};
use pktkit::proto::icmp_ext;
use pktkit::render::time::TimeKeys;
use serde_json::{Value, json};

use super::names::Names;

/// Version of the JSON records (docs/tracert.md).
pub const JSON_VERSION: u32 = 1;

/// What a hop line shows beyond traceroute -n's default.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// ICMP extensions in `<...>`.
    pub extensions: bool,
    /// `!NAT` after answers whose quote shows a rewritten probe.
    pub nat: bool,
    /// JSON records instead of text.
    pub json: bool,
}

/// traceroute's first line.
pub fn header(host: &str, dst: IpAddr, max: Ttl, packet_len: usize) -> String {
    format!("tracert to {host} ({dst}), {} hops max, {packet_len} byte packets", max.0)
}

/// The annotation traceroute prints after an answer's time.
pub fn annotation(kind: ReplyKind) -> Option<String> {
    match kind {
        ReplyKind::Unreachable(u) => u.annotation(),
        _ => None,
    }
}

/// The `-e` text of an answer's extensions (`None` when it has none).
pub fn extensions(a: &Answer) -> Option<String> {
    let ext = a.extensions.as_deref()?;
    Some(match icmp_ext::parse(ext) {
        Ok(objects) => icmp_ext::describe(&objects),
        Err(e) => format!("bad extensions: {e}"),
    })
}

/// One hop: a traceroute line, or a JSON record with `opts.json`.
pub fn hop(probes: &[ProbeResult], names: &Names, opts: &Options) -> String {
    if opts.json {
        return hop_json(probes, names).to_string();
    }
    let ttl = probes.first().map_or(0, |p| p.ttl.0);
    let mut line = format!("{ttl:2} ");
    let mut prev: Option<IpAddr> = None;
    for p in probes {
        let Some(a) = &p.answer else {
            line.push_str(" *");
            continue;
        };
        if prev != Some(a.from) {
            line.push(' ');
            line.push_str(&names.show(a.from));
        }
        prev = Some(a.from);
        let _ = write!(line, "  {:.3} ms", a.rtt.as_secs_f64() * 1000.0);
        if let Some(mtu) = p.mtu {
            let _ = write!(line, " F={mtu}");
        }
        if let Some(ann) = annotation(a.kind) {
            let _ = write!(line, " {ann}");
        }
        if opts.nat && a.nat {
            line.push_str(" !NAT");
        }
        if opts.extensions
            && let Some(e) = extensions(a)
        {
            let _ = write!(line, " <{e}>");
        }
    }
    line
}

/// What an answer was, as JSON names it.
pub fn kind_name(kind: ReplyKind) -> &'static str {
    match kind {
        ReplyKind::TimeExceeded => "time-exceeded",
        ReplyKind::Unreachable(_) => "unreachable",
        ReplyKind::PacketTooBig(_) => "packet-too-big",
        ReplyKind::ParameterProblem => "parameter-problem",
        ReplyKind::EchoReply => "echo-reply",
        ReplyKind::SynAck => "syn-ack",
        ReplyKind::Syn => "syn",
        ReplyKind::Reset => "reset",
    }
}

fn probe_json(p: &ProbeResult, names: &Names) -> Value {
    let mut v = json!({ "flow": p.flow, "query": p.query, "id": p.id.0 });
    if let Some(a) = &p.answer {
        v["from"] = json!(a.from.to_string());
        if let Some(n) = names.name(a.from) {
            v["name"] = json!(n);
        }
        if let Some(asn) = names.as_number(a.from) {
            v["asn"] = json!(asn);
        }
        v["rtt_ms"] = json!((a.rtt.as_secs_f64() * 1e6).round() / 1e3);
        v["answer"] = json!(kind_name(a.kind));
        v["icmp_type"] = json!(a.icmp.0);
        v["icmp_code"] = json!(a.icmp.1);
        v["reply_ttl"] = json!(a.reply_ttl);
        if let Some(t) = a.quoted_ttl {
            v["quoted_ttl"] = json!(t);
        }
        if let Some(ann) = annotation(a.kind) {
            v["annotation"] = json!(ann);
        }
        if let Some(m) = a.kind.mtu() {
            v["mtu"] = json!(m);
        }
        if let Some(e) = extensions(a) {
            v["extensions"] = json!(e);
        }
        v["nat"] = json!(a.nat);
        if let Some(size) = p.mtu {
            v["packet_size"] = json!(size);
        }
    } else {
        v["from"] = Value::Null;
    }
    v
}

/// A hop record: `{"version":1,"type":"hop","ttl":N,"probes":[...]}`.
pub fn hop_json(probes: &[ProbeResult], names: &Names) -> Value {
    let ttl = probes.first().map_or(0, |p| p.ttl.0);
    let mut addrs: Vec<String> = Vec::new();
    for a in probes.iter().filter_map(|p| p.answer.as_ref()) {
        let s = a.from.to_string();
        if !addrs.contains(&s) {
            addrs.push(s);
        }
    }
    let mut v = json!({
        "version": JSON_VERSION,
        "type": "hop",
        "ttl": ttl,
        "addresses": addrs,
        "probes": probes.iter().map(|p| probe_json(p, names)).collect::<Vec<_>>(),
    });
    TimeKeys::now("time").insert_into(&mut v);
    v
}

/// The summary record after the hops.
pub fn summary_json(dst: IpAddr, tracer: &Tracer, results: &[ProbeResult]) -> Value {
    let s = tracer.stats();
    let reached = results.iter().filter_map(|r| r.answer.as_ref()).any(|a| a.kind.is_final());
    let hops = results.last().map_or(0, |r| r.ttl.0);
    let spec = tracer_spec(tracer);
    let mut v = json!({
        "version": JSON_VERSION,
        "type": "summary",
        "destination": dst.to_string(),
        "protocol": spec.0,
        "flow": spec.1,
        "reached": reached,
        "hops": hops,
        "sent": s.sent,
        "answered": s.answered,
        "duplicates": s.duplicates,
        "late": s.late,
        "unmatched": s.unmatched,
    });
    TimeKeys::now("time").insert_into(&mut v);
    v
}

fn tracer_spec(tracer: &Tracer) -> (&'static str, &'static str) {
    let spec = tracer.spec();
    (spec.protocol.name(), spec.flow.name())
}
