//! The traceroute engine: probes for every TTL in flight at once (up to a limit), replies
//! matched by key, and traceroute's adaptive wait. Generic over its [`Network`], so it is
//! unit-tested on a simulated path and run on raw sockets.
//!
//! A round sends `queries` probes per hop (per flow, with several [`Template`]s) for TTLs
//! `first..=max`, in traceroute's order: probe `n` is hop `n / per_hop`. At most `in_flight`
//! probes are outstanding; results are handed over in probe order as soon as each is settled
//! (answered or timed out), so a caller prints hop lines as traceroute does. The first final
//! answer (from the destination, or unreachable) ends the trace at its hop.
//!
//! Every received packet is classified once ([`Reply::parse`]), keyed ([`ProbeKey::of`]) and
//! looked up in a hash map of this round's probes; the quoted or mirrored fields are then
//! checked against the probe found. Probe ids are never reused within 30,000 probes, so a
//! late answer from an earlier round finds nothing, and a duplicate finds its probe settled.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use super::NetError;
use super::network::Network;
use super::probe::{Flow, ProbeFields, ProbeId, ProbeKey, Template, Transport, Ttl};
use super::reply::{Reply, ReplyKind};
use crate::capture::LinkType;

/// traceroute's `-w MAX,HERE,NEAR`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Wait {
    /// The longest wait for an answer.
    pub max: Duration,
    /// Wait at most this many times the round trip of an answer from the same hop (0: off).
    pub here: f64,
    /// Otherwise, at most this many times that of an answer from a later hop (0: off).
    pub near: f64,
}

impl Default for Wait {
    /// traceroute's default, `5.0,3,10`.
    fn default() -> Self {
        Wait { max: Duration::from_secs(5), here: 3.0, near: 10.0 }
    }
}

/// What is added to a round trip before multiplying it. traceroute adds 1 ms (its
/// `DEF_WAIT_PREC`, for clocks of millisecond precision); the clock here is monotonic with
/// nanoseconds and round trips come from kernel arrival stamps, so a tenth of that is kept.
pub const WAIT_PRECISION: Duration = Duration::from_micros(100);

/// Ids cycle through `1..=ID_SPAN` (classic UDP adds them to port 33434).
pub const ID_SPAN: u16 = 30_000;

/// How a trace runs.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceConfig {
    /// First TTL (traceroute's -f).
    pub first_ttl: Ttl,
    /// Last TTL (-m).
    pub max_ttl: Ttl,
    /// Probes per hop and flow (-q).
    pub queries: usize,
    /// Most probes outstanding (-N).
    pub in_flight: usize,
    /// Adaptive wait (-w).
    pub wait: Wait,
    /// Least time between two sends (-z).
    pub send_wait: Duration,
    /// Path MTU discovery (--mtu): on "fragmentation needed" or "packet too big", probes
    /// shrink to the MTU given and the probe is sent again; the first probe at each size
    /// reports it ([`ProbeResult::mtu`]).
    pub discover_mtu: bool,
}

/// An answer to one probe.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// Who answered.
    pub from: IpAddr,
    /// Round-trip time.
    pub rtt: Duration,
    /// What the answer was.
    pub kind: ReplyKind,
    /// ICMP type and code (0, 0 for TCP).
    pub icmp: (u8, u8),
    /// The answer's TTL.
    pub reply_ttl: u8,
    /// The quoted probe's TTL (ICMP errors).
    pub quoted_ttl: Option<u8>,
    /// The RFC 4884 extension structure, as received.
    pub extensions: Option<Vec<u8>>,
    /// The quote shows the probe rewritten on the way (source address, ports or checksum):
    /// a NAT between here and the hop.
    pub nat: bool,
}

/// One probe of a round and what became of it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeResult {
    /// Its TTL.
    pub ttl: Ttl,
    /// Its flow (index of the template).
    pub flow: usize,
    /// Its number within its hop and flow (0..queries).
    pub query: usize,
    /// Its id.
    pub id: ProbeId,
    /// Its fields as sent.
    pub fields: ProbeFields,
    /// When it was sent.
    pub sent: Instant,
    /// The answer, or `None` when none came in time.
    pub answer: Option<Answer>,
    /// With MTU discovery: the packet size, on the first probe sent at that size.
    pub mtu: Option<usize>,
}

/// Counters of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TraceStats {
    /// Probes sent.
    pub sent: u64,
    /// Answers matched to a probe.
    pub answered: u64,
    /// Answers to a probe already answered.
    pub duplicates: u64,
    /// Answers that came after their probe timed out (or its round ended).
    pub late: u64,
    /// Packets received that answer no probe of this run.
    pub unmatched: u64,
}

struct Slot {
    ttl: Ttl,
    flow: usize,
    query: usize,
    sent: Option<(Instant, ProbeId, ProbeFields)>,
    answer: Option<Answer>,
    expired: bool,
    mtu: Option<usize>,
}

impl Slot {
    fn done(&self) -> bool {
        self.answer.is_some() || self.expired
    }

    fn is_final(&self) -> bool {
        self.answer.as_ref().is_some_and(|a| a.kind.is_final())
    }

    fn rtt(&self) -> Option<Duration> {
        self.answer.as_ref().map(|a| a.rtt).filter(|r| !r.is_zero())
    }
}

/// Runs traces (rounds) over a network.
#[derive(Debug)]
pub struct Tracer {
    templates: Vec<Template>,
    config: TraceConfig,
    next_id: u16,
    stats: TraceStats,
    /// MTU discovery: the packet size changed and the next probe sent reports it.
    announce_mtu: bool,
}

impl Tracer {
    /// A tracer sending probes from `templates` (one per flow; at least one).
    pub fn new(templates: Vec<Template>, config: TraceConfig) -> Self {
        assert!(!templates.is_empty(), "a tracer needs a template");
        let announce_mtu = config.discover_mtu;
        Tracer { templates, config, next_id: 0, stats: TraceStats::default(), announce_mtu }
    }

    /// The configuration.
    pub fn config(&self) -> &TraceConfig {
        &self.config
    }

    /// The spec of the first flow's probes.
    pub fn spec(&self) -> &super::probe::ProbeSpec {
        self.templates[0].spec()
    }

    /// The counters so far.
    pub fn stats(&self) -> TraceStats {
        self.stats
    }

    fn per_hop(&self) -> usize {
        self.config.queries * self.templates.len()
    }

    fn flow(&self) -> Flow {
        self.templates[0].spec().flow
    }

    fn take_id(&mut self) -> ProbeId {
        self.next_id = self.next_id % ID_SPAN + 1;
        ProbeId(self.next_id)
    }

    /// traceroute's `get_timeout`: HERE times an answered probe's round trip at the same
    /// hop, else NEAR times that of the nearest answered probe sent after it, else MAX.
    fn timeout(&self, slots: &[Slot], n: usize) -> Duration {
        let w = &self.config.wait;
        let scaled = |rtt: Duration, by: f64| (rtt + WAIT_PRECISION).mul_f64(by).min(w.max);
        let per_hop = self.per_hop();
        if w.here > 0.0 {
            let hop = n / per_hop * per_hop;
            if let Some(rtt) = slots[hop..(hop + per_hop).min(slots.len())].iter().find_map(Slot::rtt) {
                return scaled(rtt, w.here);
            }
        }
        if w.near > 0.0
            && let Some(rtt) = slots[n + 1..].iter().take_while(|s| s.sent.is_some()).find_map(Slot::rtt)
        {
            return scaled(rtt, w.near);
        }
        w.max
    }

    /// Runs one round; `on_probe` gets each probe's result in order as soon as it and every
    /// probe before it are settled. Returns the results (up to the final hop).
    pub fn run_round<N: Network>(
        &mut self,
        net: &mut N,
        mut on_probe: impl FnMut(&ProbeResult),
    ) -> Result<Vec<ProbeResult>, NetError> {
        let per_hop = self.per_hop();
        let (first, last) = (self.config.first_ttl.0, self.config.max_ttl.0.max(self.config.first_ttl.0));
        let total = usize::from(last - first + 1) * per_hop;
        let mut slots: Vec<Slot> = (0..total)
            .map(|n| Slot {
                ttl: Ttl(first + (n / per_hop) as u8),
                flow: n % per_hop / self.config.queries,
                query: n % self.config.queries,
                sent: None,
                answer: None,
                expired: false,
                mtu: None,
            })
            .collect();
        let mut keys: HashMap<ProbeKey, usize> = HashMap::with_capacity(total);
        let mut results = Vec::with_capacity(total);
        let (mut start, mut end) = (0, total);
        let mut last_send: Option<Instant> = None;
        let in_flight = self.config.in_flight.max(1);
        while start < end {
            // Answers already waiting are taken before any probe can expire.
            while let Some((at, bytes)) = net.recv(Instant::now() - Duration::from_nanos(1))? {
                self.handle(&mut slots, &keys, at, bytes);
            }
            let now = Instant::now();
            let mut wake = now + self.config.wait.max;
            let mut busy = 0;
            let mut n = start;
            while n < end {
                if let Some((sent, ..)) = slots[n].sent
                    && !slots[n].done()
                {
                    let expire = sent + self.timeout(&slots, n);
                    if expire <= now {
                        slots[n].expired = true;
                    } else {
                        wake = wake.min(expire);
                    }
                }
                if slots[n].done() {
                    if n == start {
                        let r = result(&slots[n]);
                        on_probe(&r);
                        results.push(r);
                        start += 1;
                    }
                    if slots[n].is_final() {
                        end = end.min((n / per_hop + 1) * per_hop);
                    }
                    n += 1;
                    continue;
                }
                if slots[n].sent.is_none() {
                    // -z: the next send waits its turn (`now` is from before earlier sends).
                    if let Some(t) = last_send
                        && !self.config.send_wait.is_zero()
                        && Instant::now() < t + self.config.send_wait
                    {
                        wake = wake.min(t + self.config.send_wait);
                        break;
                    }
                    let id = self.take_id();
                    let probe = self.templates[slots[n].flow].build(slots[n].ttl, id);
                    let at = net.send(&probe.bytes)?;
                    self.stats.sent += 1;
                    // Keys are unique among a round's probes: each flow varies a field per id.
                    let earlier = keys.insert(probe.key, n);
                    debug_assert!(earlier.is_none(), "probe key {:?} repeats", probe.key);
                    slots[n].sent = Some((at, id, probe.fields));
                    if std::mem::take(&mut self.announce_mtu) {
                        slots[n].mtu = Some(probe.bytes.len());
                    }
                    last_send = Some(at);
                    wake = wake.min(at + self.timeout(&slots, n));
                }
                busy += 1;
                if busy >= in_flight {
                    break;
                }
                n += 1;
            }
            if start >= end {
                break;
            }
            // Wait for the next answer or deadline, then take whatever else has arrived.
            let mut deadline = wake;
            while let Some((at, bytes)) = net.recv(deadline)? {
                self.handle(&mut slots, &keys, at, bytes);
                deadline = Instant::now() - Duration::from_nanos(1);
            }
        }
        // Answers still in flight for probes past the final hop are dropped with the round.
        Ok(results)
    }

    /// Settles the probe that `bytes` answers, if any.
    fn handle(&mut self, slots: &mut [Slot], keys: &HashMap<ProbeKey, usize>, at: Instant, bytes: &[u8]) {
        let flow = self.flow();
        let found = Reply::parse(LinkType::RAW, bytes)
            .and_then(|r| ProbeKey::of(&r.probe, flow).and_then(|k| keys.get(&k)).map(|&n| (r, n)));
        let Some((reply, n)) = found else {
            self.stats.unmatched += 1;
            return;
        };
        let slot = &mut slots[n];
        let Some((sent, _, fields)) = slot.sent else {
            self.stats.unmatched += 1;
            return;
        };
        if slot.answer.is_some() {
            self.stats.duplicates += 1;
            return;
        }
        if slot.expired {
            self.stats.late += 1;
            return;
        }
        let Some(nat) = check_quote(&fields, &reply) else {
            self.stats.unmatched += 1;
            return;
        };
        if self.config.discover_mtu
            && let Some(mtu) = reply.kind.mtu()
        {
            let current = self.templates[0].spec().packet_len;
            let mtu = usize::try_from(mtu).unwrap_or(current);
            if mtu < current
                && mtu >= self.templates[0].spec().header_len()
                && let Ok(smaller) =
                    self.templates.iter().map(|t| t.resized(mtu)).collect::<Result<Vec<_>, _>>()
            {
                self.templates = smaller;
                self.announce_mtu = true;
            }
            // Sent again, smaller (or, when the MTU cannot shrink further, settled below).
            if self.announce_mtu {
                slot.sent = None;
                slot.mtu = None;
                return;
            }
        }
        self.stats.answered += 1;
        slot.answer = Some(Answer {
            from: reply.from,
            rtt: at.saturating_duration_since(sent),
            kind: reply.kind,
            icmp: reply.icmp,
            reply_ttl: reply.ttl,
            quoted_ttl: reply.quoted_ttl,
            extensions: reply.extensions().map(<[u8]>::to_vec),
            nat,
        });
    }
}

fn result(slot: &Slot) -> ProbeResult {
    let (sent, id, fields) = slot.sent.expect("a settled probe was sent");
    ProbeResult {
        ttl: slot.ttl,
        flow: slot.flow,
        query: slot.query,
        id,
        fields,
        sent,
        answer: slot.answer.clone(),
        mtu: slot.mtu,
    }
}

/// Checks the probe fields a reply shows against the probe sent. `None`: the reply is not
/// for this probe after all (another flow or destination). `Some(true)`: it is, but the
/// quote shows the probe rewritten by a NAT (source address, or a UDP checksum that no
/// longer matches what was sent).
fn check_quote(sent: &ProbeFields, reply: &Reply<'_>) -> Option<bool> {
    let q = &reply.probe;
    if q.dst != sent.dst {
        return None;
    }
    let mut nat = q.src != sent.src;
    match (q.transport, sent.transport) {
        (Transport::Udp { sport, dport, checksum }, Transport::Udp { sport: s, dport: d, checksum: c }) => {
            if dport != d {
                return None;
            }
            nat |= sport != s || (checksum.is_some() && checksum != c);
        }
        (Transport::Tcp { sport, dport, seq }, Transport::Tcp { sport: s, dport: d, seq: c }) => {
            if dport != d || (seq.is_some() && seq != c) {
                return None;
            }
            nat |= sport != s;
        }
        (Transport::Echo { ident, seq }, Transport::Echo { ident: i, seq: s }) => {
            if seq != s {
                return None;
            }
            nat |= ident != i;
        }
        _ => return None,
    }
    // Direct answers (echo reply, SYN-ACK, RST) are mirrored, not quoted: nothing to compare.
    Some(nat && reply.quoted_ttl.is_some())
}

#[cfg(test)]
mod tests;
