//! `netmon top`'s capture mode: with CAP_NET_RAW, every interface (`any`) is captured, as
//! bandwhich does, and IP bytes are counted per remote host and per local UDP port, which the
//! kernel's socket counters cannot give.
//!
//! The direction comes from the Linux cooked header's packet type: outgoing packets count as
//! sent (local = source), the others as received (local = destination). Loopback traffic is
//! seen once each way. Bytes are IP bytes (the wire length less the cooked header).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

use etherparse::{LaxNetSlice, TransportSlice};
use pktkit::decode::{DecodeOptions, Link, decode};
use pktkit::live::{Batch, Live, LiveError, Options};

/// `PACKET_OUTGOING` in a Linux cooked header: sent by this host.
const PACKET_OUTGOING: u16 = 4;
/// `PACKET_OTHERHOST`: to another host (seen only in promiscuous mode); not ours.
const PACKET_OTHERHOST: u16 = 3;
/// Enough for the cooked, IPv6 and UDP headers.
const SNAPLEN: u32 = 128;

/// Bytes (sent, received) counted since the last [`Capture::take`].
#[derive(Debug, Default, Clone)]
pub struct Counts {
    /// Per remote address.
    pub hosts: HashMap<IpAddr, (u64, u64)>,
    /// Per local UDP port.
    pub udp_ports: HashMap<u16, (u64, u64)>,
}

/// A running capture on `any`, counted by a thread of its own.
#[derive(Debug)]
pub struct Capture {
    counts: Arc<Mutex<Counts>>,
}

impl Capture {
    /// Opens `any` (not promiscuous) and starts counting.
    pub fn start() -> Result<Capture, LiveError> {
        let mut options = Options::new("any");
        options.snaplen = SNAPLEN;
        options.promisc = false;
        options.timeout_ms = 50;
        options.filter = Some("ip or ip6".to_string());
        let live = Live::open(&options)?;
        let counts = Arc::new(Mutex::new(Counts::default()));
        let shared = Arc::clone(&counts);
        std::thread::Builder::new()
            .name("netmon-capture".to_string())
            .spawn(move || count_packets(live, &shared))
            .map_err(|e| LiveError::Pcap { name: "any".to_string(), message: e.to_string() })?;
        Ok(Capture { counts })
    }

    /// The counts since the last call, resetting them.
    pub fn take(&self) -> Counts {
        std::mem::take(&mut *self.counts.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

fn count_packets(mut live: Live, counts: &Mutex<Counts>) {
    let mut batch = Batch::new();
    let iface = live.interface().clone();
    let options = DecodeOptions { app: false };
    loop {
        batch.clear();
        if live.read(&mut batch, None).is_err() {
            return;
        }
        let mut counts = counts.lock().unwrap_or_else(PoisonError::into_inner);
        for packet in batch.packets(&iface, 0) {
            let d = decode(iface.linktype, packet.data, packet.orig_len, &options);
            let Link::Sll(sll) = &d.link else { continue };
            if sll.pkttype == PACKET_OTHERHOST {
                continue;
            }
            let outgoing = sll.pkttype == PACKET_OUTGOING;
            let (src, dst) = match &d.net {
                Some(LaxNetSlice::Ipv4(ip)) => {
                    (IpAddr::V4(ip.header().source_addr()), IpAddr::V4(ip.header().destination_addr()))
                }
                Some(LaxNetSlice::Ipv6(ip)) => {
                    (IpAddr::V6(ip.header().source_addr()), IpAddr::V6(ip.header().destination_addr()))
                }
                _ => continue,
            };
            let bytes = u64::from(packet.orig_len).saturating_sub(d.net_offset as u64);
            let remote = if outgoing { dst } else { src };
            let host = counts.hosts.entry(remote).or_default();
            add(host, outgoing, bytes);
            if let Some(TransportSlice::Udp(udp)) = &d.transport {
                let port = if outgoing { udp.source_port() } else { udp.destination_port() };
                add(counts.udp_ports.entry(port).or_default(), outgoing, bytes);
            }
        }
    }
}

fn add(entry: &mut (u64, u64), outgoing: bool, bytes: u64) {
    if outgoing {
        entry.0 += bytes;
    } else {
        entry.1 += bytes;
    }
}
