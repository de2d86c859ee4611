//! SYN probes for a stateless port scan (synscan): one SYN crafted per source and address
//! family, copied per probe with the destination, ports and sequence number written in and
//! the IPv4 and TCP checksums updated incrementally ([`crate::rewrite`]). The fields match
//! nmap's SYN scan: TTL 64, window 1024, one MSS 1460 option, IPv4 id 0 (the kernel fills
//! one in).

use std::net::IpAddr;

use crate::capture::LinkType;
use crate::craft::{CraftError, Offline, craft};
use crate::rewrite::{Field, Layout, Value};

/// The SYN every probe is copied from.
#[derive(Debug, Clone)]
pub struct SynTemplate {
    bytes: Vec<u8>,
    layout: Layout,
}

impl SynTemplate {
    /// A SYN from `src` to `dst` (same family; the destination is rewritten per probe).
    pub fn new(src: IpAddr, dst: IpAddr) -> Result<SynTemplate, CraftError> {
        let ip = if dst.is_ipv6() {
            format!("IPv6(src={src},dst={dst},hlim=64)")
        } else {
            format!("IP(src={src},dst={dst},ttl=64,id=0)")
        };
        let spec = format!("{ip}/TCP(sport=1,dport=1,flags=S,seq=0,window=1024,options=[MSS=1460])");
        let bytes = craft(&spec, &Offline)?.remove(0).bytes;
        let layout = Layout::parse(LinkType::RAW, &bytes);
        Ok(SynTemplate { bytes, layout })
    }

    /// Writes the probe to `dst`:`dport` from `sport` with sequence number `seq` into `buf`
    /// (cleared first; its allocation is reused).
    pub fn fill(&self, buf: &mut Vec<u8>, dst: IpAddr, sport: u16, dport: u16, seq: u32) {
        buf.clear();
        buf.extend_from_slice(&self.bytes);
        let dst_field = if dst.is_ipv6() { Field::Ipv6Dst } else { Field::Ipv4Dst };
        let num = |v: u64| Value::Num(v);
        // Every field exists in the template and every value fits: a failure is a bug.
        let set = |b: &mut [u8], f: Field, v: Value| self.layout.set(b, f, v).expect("template field");
        set(buf, dst_field, Value::Ip(dst));
        set(buf, Field::TcpSrcPort, num(u64::from(sport)));
        set(buf, Field::TcpDstPort, num(u64::from(dport)));
        set(buf, Field::TcpSeq, num(u64::from(seq)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::reply::{Reply, ReplyKind};

    /// The same SYN crafted from scratch, checksums computed in full.
    fn crafted(src: &str, dst: &str, sport: u16, dport: u16, seq: u32) -> Vec<u8> {
        let ip = if dst.contains(':') {
            format!("IPv6(src={src},dst={dst},hlim=64)")
        } else {
            format!("IP(src={src},dst={dst},ttl=64,id=0)")
        };
        let spec =
            format!("{ip}/TCP(sport={sport},dport={dport},flags=S,seq={seq},window=1024,options=[MSS=1460])");
        craft(&spec, &Offline).unwrap().remove(0).bytes
    }

    #[test]
    fn patched_probes_equal_probes_crafted_in_full() {
        let t = SynTemplate::new("10.0.1.2".parse().unwrap(), "10.0.3.2".parse().unwrap()).unwrap();
        let mut buf = Vec::new();
        for (dst, sport, dport, seq) in
            [("10.0.3.2", 1024, 22, 0xdead_beef), ("192.168.255.1", 65535, 65535, 0)]
        {
            t.fill(&mut buf, dst.parse().unwrap(), sport, dport, seq);
            assert_eq!(buf, crafted("10.0.1.2", dst, sport, dport, seq), "{dst}:{dport}");
            assert_eq!(buf.len(), 44);
        }
        let t6 = SynTemplate::new("fd00:1::2".parse().unwrap(), "fd00:3::2".parse().unwrap()).unwrap();
        t6.fill(&mut buf, "fd00:3::99".parse().unwrap(), 40000, 443, 7);
        assert_eq!(buf, crafted("fd00:1::2", "fd00:3::99", 40000, 443, 7));
        assert_eq!(buf.len(), 64);
    }

    #[test]
    fn a_syn_ack_to_a_probe_is_classified_with_its_fields() {
        // The answer a server gives: ports swapped, ack = seq + 1.
        let answer = craft(
            "IP(src=10.0.3.2,dst=10.0.1.2,ttl=62)/TCP(sport=22,dport=40000,flags=SA,seq=5,ack=3735928560)",
            &Offline,
        )
        .unwrap()
        .remove(0)
        .bytes;
        let r = Reply::parse(LinkType::RAW, &answer).unwrap();
        assert_eq!((r.kind, r.ttl), (ReplyKind::SynAck, 62));
        assert_eq!(
            r.probe.transport,
            crate::net::probe::Transport::Tcp { sport: 40000, dport: 22, seq: Some(0xdead_beef) }
        );
    }
}
