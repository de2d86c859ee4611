//! The engine on a simulated path: routers that answer (or not) with real ICMP bytes crafted
//! by pktkit, at real times, so matching, ordering and the adaptive wait are exercised.

use std::collections::HashSet;

use super::*;
use crate::craft::{Offline, craft};
use crate::decode::{DecodeOptions, decode};
use crate::net::probe::{ProbeSpec, Protocol, TRACEROUTE_PORT};
use crate::test_frames::hex;

#[derive(Clone)]
struct Router {
    addr: IpAddr,
    silent: bool,
    extra: Duration,
}

/// A path `src - routers... - dst` answering as Linux does.
struct Sim {
    src: IpAddr,
    dst: IpAddr,
    routers: Vec<Router>,
    per_hop: Duration,
    duplicate: bool,
    /// Added to the quoted TCP sequence number (a quote that is not of the probe).
    bad_seq: u32,
    /// XORed into the quoted UDP checksum (a NAT that did not restore it).
    nat_checksum: u16,
    pending: Vec<(Instant, Vec<u8>)>,
    buf: Vec<u8>,
    sent: usize,
    delivered: usize,
    max_outstanding: usize,
}

fn one(spec: &str) -> Vec<u8> {
    craft(spec, &Offline).unwrap_or_else(|e| panic!("{spec}: {e}")).remove(0).bytes
}

impl Sim {
    fn new(dst: &str, routers: &[&str]) -> Sim {
        let dst: IpAddr = dst.parse().unwrap();
        let src: IpAddr =
            if dst.is_ipv6() { "fd00:1::2".parse().unwrap() } else { "10.0.1.2".parse().unwrap() };
        let routers = routers
            .iter()
            .map(|a| Router { addr: a.parse().unwrap(), silent: false, extra: Duration::ZERO })
            .collect();
        Sim {
            src,
            dst,
            routers,
            per_hop: Duration::from_millis(4),
            duplicate: false,
            bad_seq: 0,
            nat_checksum: 0,
            pending: Vec::new(),
            buf: Vec::new(),
            sent: 0,
            delivered: 0,
            max_outstanding: 0,
        }
    }

    fn ip(&self, from: IpAddr) -> String {
        if from.is_ipv6() {
            format!("IPv6(src={from},dst={})", self.src)
        } else {
            format!("IP(src={from},dst={},ttl=64)", self.src)
        }
    }

    /// An ICMP error of `ty`/`code` from `from` quoting `probe`.
    fn error(&self, from: IpAddr, v4: (u8, u8), v6: (u8, u8), probe: &[u8]) -> Vec<u8> {
        let l4 = if from.is_ipv6() {
            format!("ICMPv6EchoReply(type={},code={},id=0,seq=0)", v6.0, v6.1)
        } else {
            format!("ICMP(type={},code={})", v4.0, v4.1)
        };
        one(&format!("{}/{l4}/Raw(hex={})", self.ip(from), hex(probe)))
    }

    /// An echo reply from the destination, `layer` being the reply layer's spec up to its
    /// fields, with the request's id, sequence and payload.
    fn echo_reply(&self, layer: &str, id_seq: [u8; 4], payload: &[u8]) -> Vec<u8> {
        let (id, seq) =
            (u16::from_be_bytes([id_seq[0], id_seq[1]]), u16::from_be_bytes([id_seq[2], id_seq[3]]));
        let sep = if layer.ends_with('(') { "" } else { "," };
        one(&format!("{}/{layer}{sep}id={id},seq={seq})/Raw(hex={})", self.ip(self.dst), hex(payload)))
    }

    fn answer(&self, probe: &[u8]) -> Option<(usize, Vec<u8>)> {
        let v6 = probe[0] >> 4 == 6;
        let ttl = usize::from(if v6 { probe[7] } else { probe[8] });
        let mut quoted = probe.to_vec();
        // Linux quotes the packet as it arrived: TTL 1.
        quoted[if v6 { 7 } else { 8 }] = 1;
        let t = if v6 { 40 } else { 20 };
        let proto = if v6 { probe[6] } else { probe[9] };
        if proto == 17 && self.nat_checksum != 0 {
            quoted[t + 7] ^= self.nat_checksum as u8;
            quoted[t + 6] ^= (self.nat_checksum >> 8) as u8;
        }
        if proto == 6 && self.bad_seq != 0 {
            let seq = u32::from_be_bytes([quoted[t + 4], quoted[t + 5], quoted[t + 6], quoted[t + 7]]);
            quoted[t + 4..t + 8].copy_from_slice(&seq.wrapping_add(self.bad_seq).to_be_bytes());
        }
        if ttl <= self.routers.len() {
            let r = &self.routers[ttl - 1];
            return (!r.silent).then(|| (ttl, self.error(r.addr, (11, 0), (3, 0), &quoted)));
        }
        let hop = self.routers.len() + 1;
        let d = decode(LinkType::RAW, probe, probe.len() as u32, &DecodeOptions { app: false });
        let reply = match d.transport? {
            etherparse::TransportSlice::Udp(_) => self.error(self.dst, (3, 3), (1, 4), &quoted),
            etherparse::TransportSlice::Tcp(tcp) => one(&format!(
                "{}/TCP(sport={},dport={},flags=RA,seq=0,ack={})",
                self.ip(self.dst),
                tcp.destination_port(),
                tcp.source_port(),
                u64::from(tcp.sequence_number()) + 1
            )),
            etherparse::TransportSlice::Icmpv4(i) => {
                self.echo_reply("ICMP(type=0", i.bytes5to8(), i.payload())
            }
            etherparse::TransportSlice::Icmpv6(i) => {
                self.echo_reply("ICMPv6EchoReply(", i.bytes5to8(), i.payload())
            }
            _ => return None,
        };
        Some((hop, reply))
    }
}

impl Network for Sim {
    fn send(&mut self, packet: &[u8]) -> Result<Instant, NetError> {
        let now = Instant::now();
        self.sent += 1;
        self.max_outstanding = self.max_outstanding.max(self.sent.saturating_sub(self.delivered));
        match self.answer(packet) {
            Some((hop, reply)) => {
                let extra = self.routers.get(hop - 1).map_or(Duration::ZERO, |r| r.extra);
                let due = now + self.per_hop * hop as u32 + extra;
                if self.duplicate {
                    self.pending.push((due, reply.clone()));
                }
                self.pending.push((due, reply));
            }
            // Silent: counts as settled for the outstanding count once it would have expired.
            None => self.delivered += 1,
        }
        Ok(now)
    }

    fn recv(&mut self, deadline: Instant) -> Result<Option<(Instant, &[u8])>, NetError> {
        let next =
            self.pending.iter().enumerate().min_by_key(|(_, (due, _))| *due).map(|(i, (due, _))| (i, *due));
        match next {
            Some((i, due)) if due <= deadline => {
                crate::net::wait_until(due);
                let (_, bytes) = self.pending.remove(i);
                self.delivered += 1;
                self.buf = bytes;
                Ok(Some((Instant::now(), &self.buf)))
            }
            _ => {
                crate::net::wait_until(deadline);
                Ok(None)
            }
        }
    }
}

fn config(wait: Wait) -> TraceConfig {
    TraceConfig {
        first_ttl: Ttl(1),
        max_ttl: Ttl(30),
        queries: 3,
        in_flight: 16,
        wait,
        send_wait: Duration::ZERO,
        discover_mtu: false,
    }
}

fn tracer(sim: &Sim, protocol: Protocol, flow: Flow, flows: u16, config: TraceConfig) -> Tracer {
    let templates = (0..flows)
        .map(|f| {
            Template::new(ProbeSpec {
                protocol,
                flow,
                src: sim.src,
                dst: sim.dst,
                sport: 40000 + f,
                dport: if protocol == Protocol::Tcp { 80 } else { TRACEROUTE_PORT },
                port_grows: true,
                packet_len: if sim.dst.is_ipv6() { 80 } else { 60 },
                dont_fragment: false,
            })
            .unwrap()
        })
        .collect();
    Tracer::new(templates, config)
}

/// Per hop, the addresses that answered each probe (`None`: silent).
fn hops(results: &[ProbeResult]) -> Vec<(u8, Vec<Option<IpAddr>>)> {
    let mut out: Vec<(u8, Vec<Option<IpAddr>>)> = Vec::new();
    for r in results {
        let a = r.answer.as_ref().map(|a| a.from);
        match out.last_mut() {
            Some((ttl, v)) if *ttl == r.ttl.0 => v.push(a),
            _ => out.push((r.ttl.0, vec![a])),
        }
    }
    out
}

const V4: (&str, [&str; 2]) = ("10.0.3.2", ["10.0.1.1", "10.0.2.2"]);
const V6: (&str, [&str; 2]) = ("fd00:3::2", ["fd00:1::1", "fd00:2::2"]);

#[test]
fn every_protocol_and_family_finds_the_path_in_order() {
    for (dst, routers) in [V4, V6] {
        for protocol in [Protocol::Udp, Protocol::Icmp, Protocol::Tcp] {
            for flow in [Flow::Classic, Flow::Paris] {
                let mut sim = Sim::new(dst, &routers);
                let mut t = tracer(&sim, protocol, flow, 1, config(Wait::default()));
                let mut streamed = Vec::new();
                let results = t.run_round(&mut sim, |r| streamed.push(r.clone())).unwrap();
                assert_eq!(streamed, results);
                let addr = |s: &str| Some(s.parse::<IpAddr>().unwrap());
                assert_eq!(
                    hops(&results),
                    vec![
                        (1, vec![addr(routers[0]); 3]),
                        (2, vec![addr(routers[1]); 3]),
                        (3, vec![addr(dst); 3]),
                    ],
                    "{protocol:?} {flow:?} {dst}"
                );
                let last = results.last().unwrap().answer.as_ref().unwrap();
                assert!(last.kind.is_final());
                assert!(results.iter().all(|r| !r.answer.as_ref().unwrap().nat));
                let s = t.stats();
                // Probes past the destination may be answered too before the trace ends.
                assert!(
                    s.answered >= 9 && s.duplicates == 0 && s.late == 0,
                    "{protocol:?} {flow:?} {dst}: {s:?}"
                );
            }
        }
    }
}

#[test]
fn a_silent_hop_is_starred_and_costs_near_times_a_later_round_trip() {
    let mut sim = Sim::new(V4.0, &V4.1);
    sim.routers[1].silent = true;
    let mut t = tracer(
        &sim,
        Protocol::Udp,
        Flow::Classic,
        1,
        config(Wait { max: Duration::from_secs(3), ..Wait::default() }),
    );
    let start = Instant::now();
    let results = t.run_round(&mut sim, |_| {}).unwrap();
    let took = start.elapsed();
    let h = hops(&results);
    assert_eq!(h[1], (2, vec![None, None, None]));
    assert_eq!(h.len(), 3);
    // NEAR (10) times the server's ~1 ms, not the 3 s maximum.
    assert!(took < Duration::from_millis(500), "took {took:?}");
}

#[test]
fn duplicates_are_counted_once() {
    let mut sim = Sim::new(V6.0, &V6.1);
    sim.duplicate = true;
    let mut t = tracer(&sim, Protocol::Icmp, Flow::Classic, 1, config(Wait::default()));
    let results = t.run_round(&mut sim, |_| {}).unwrap();
    assert_eq!(hops(&results).len(), 3);
    let s = t.stats();
    assert!(s.answered >= 9);
    // Duplicates of the last hop may still be in flight when the round ends.
    assert!(s.duplicates >= 6, "{s:?}");
}

#[test]
fn late_answers_never_land_on_a_later_round() {
    let mut sim = Sim::new(V4.0, &V4.1);
    // r1 answers after 120 ms; the wait is 40 ms flat.
    sim.routers[0].extra = Duration::from_millis(120);
    let wait = Wait { max: Duration::from_millis(40), here: 0.0, near: 0.0 };
    let mut t = tracer(&sim, Protocol::Udp, Flow::Classic, 1, config(wait));
    let mut rounds = Vec::new();
    for _ in 0..4 {
        rounds.push(t.run_round(&mut sim, |_| {}).unwrap());
    }
    for results in &rounds {
        let h = hops(results);
        assert_eq!(h[0], (1, vec![None, None, None]));
        assert!(h[1].1.iter().all(Option::is_some));
    }
    // Round 1's answers arrived during round 3 or 4 and matched nothing there.
    assert!(t.stats().unmatched >= 3, "{:?}", t.stats());
}

#[test]
fn a_quote_of_another_probe_is_not_an_answer() {
    let mut sim = Sim::new(V4.0, &V4.1);
    sim.bad_seq = 1000;
    let wait = Wait { max: Duration::from_millis(60), ..Wait::default() };
    let mut t = tracer(&sim, Protocol::Tcp, Flow::Classic, 1, config(wait));
    let h = hops(&t.run_round(&mut sim, |_| {}).unwrap());
    // Routers quote a wrong sequence number; the server's RST still matches.
    assert_eq!(h[0].1, vec![None; 3]);
    assert_eq!(h[1].1, vec![None; 3]);
    assert!(h[2].1.iter().all(|a| *a == Some(V4.0.parse().unwrap())));
    assert!(t.stats().unmatched >= 6);
}

#[test]
fn a_rewritten_checksum_is_flagged_as_nat() {
    let mut sim = Sim::new(V4.0, &V4.1);
    sim.nat_checksum = 0x0101;
    let mut t = tracer(&sim, Protocol::Udp, Flow::Classic, 1, config(Wait::default()));
    let results = t.run_round(&mut sim, |_| {}).unwrap();
    assert!(results.iter().all(|r| r.answer.as_ref().is_some_and(|a| a.nat)));
}

#[test]
fn in_flight_limit_and_first_ttl_hold() {
    let routers: Vec<String> = (1..=8).map(|i| format!("10.0.{i}.1")).collect();
    let refs: Vec<&str> = routers.iter().map(String::as_str).collect();
    let mut sim = Sim::new("10.0.9.2", &refs);
    let mut c = config(Wait::default());
    c.in_flight = 2;
    c.first_ttl = Ttl(3);
    let mut t = tracer(&sim, Protocol::Icmp, Flow::Classic, 1, c);
    let results = t.run_round(&mut sim, |_| {}).unwrap();
    let h = hops(&results);
    assert_eq!(h.first().unwrap().0, 3);
    assert_eq!(h.last().unwrap().0, 9);
    assert!(sim.max_outstanding <= 2, "{}", sim.max_outstanding);
}

#[test]
fn several_flows_probe_each_hop_per_flow_with_distinct_ids() {
    let mut sim = Sim::new(V4.0, &V4.1);
    let mut t = tracer(&sim, Protocol::Udp, Flow::Paris, 3, config(Wait::default()));
    let results = t.run_round(&mut sim, |_| {}).unwrap();
    assert_eq!(results.len(), 3 * 9);
    let flows: HashSet<usize> = results.iter().map(|r| r.flow).collect();
    assert_eq!(flows.len(), 3);
    let ids: HashSet<ProbeId> = results.iter().map(|r| r.id).collect();
    assert_eq!(ids.len(), results.len());
}

#[test]
fn max_ttl_bounds_an_unreachable_destination() {
    let mut sim = Sim::new(V4.0, &V4.1);
    let mut c = config(Wait { max: Duration::from_millis(30), ..Wait::default() });
    c.max_ttl = Ttl(2);
    let mut t = tracer(&sim, Protocol::Udp, Flow::Classic, 1, c);
    let h = hops(&t.run_round(&mut sim, |_| {}).unwrap());
    assert_eq!(h.len(), 2);
}

#[test]
fn probes_go_out_together_and_sendwait_spaces_them() {
    // 16 in flight: every probe of hops 1-3 leaves before the first answer is read.
    let mut sim = Sim::new(V4.0, &V4.1);
    let mut t = tracer(&sim, Protocol::Udp, Flow::Classic, 1, config(Wait::default()));
    t.run_round(&mut sim, |_| {}).unwrap();
    assert!(sim.max_outstanding >= 9, "{}", sim.max_outstanding);
    // -z 5 ms: 9 probes take at least 8 gaps.
    let mut sim = Sim::new(V4.0, &V4.1);
    let mut c = config(Wait::default());
    c.send_wait = Duration::from_millis(5);
    let mut t = tracer(&sim, Protocol::Udp, Flow::Classic, 1, c);
    let start = Instant::now();
    t.run_round(&mut sim, |_| {}).unwrap();
    assert!(start.elapsed() >= Duration::from_millis(40), "{:?}", start.elapsed());
}
