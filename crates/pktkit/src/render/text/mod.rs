//! Text output: tcpdump 4.99's `-n` format, line for line, for the protocols pktkit decodes.
//!
//! What [`crate::decode`] found picks the printers down to the network layer: the link
//! layer ([`Decoded::link`] and its VLAN tags), the network layer's EtherType
//! ([`Decoded::ether_type`]) and where it starts ([`Decoded::net_offset`]). From the IP header
//! on, the printers still choose the next layer from the header fields they read (the IP
//! protocol and IPv6 extension chain, tunnels, the packet quoted in an ICMP error): that is
//! the part of issue 14's "one walk" still open. The header fields are read here from the
//! frame's bytes so that cut and damaged packets print exactly what tcpdump prints (its
//! `[|tcp]` markers, `truncated-ip`, `bad-hlen` and so on). One reusable line buffer, no
//! per-packet allocation.

//!
//! One file per protocol family: `link.rs` (link layers and the EtherType dispatch),
//! `arp.rs`, `ip.rs` (IPv4, IPv6, options, extension headers), `tcp.rs`, `udp.rs`,
//! `icmp.rs`, `icmp6.rs`, `igmp.rs`, `tunnels.rs` (MPLS, PPPoE, GRE), `app.rs` (which
//! application printer tcpdump picks), `dns.rs` and `dhcp.rs` (`print-domain.c`, `print-bootp.c`),
//! `netdissect.rs` (netdissect's character, address and time helpers), `txtproto.rs` (HTTP,
//! SIP, SMTP, FTP, RTSP, SSH), `llc.rs` (802.2 LLC, STP), `sunrpc.rs` (NFS replies), `nfs.rs`
//! (NFS calls), `telnet.rs`,
//! `summaries.rs` (NTP, RADIUS, RIP, DHCPv6, SOME/IP), `radius.rs` (RADIUS at `-v`), `vrrp.rs`, `ospf.rs`, `slarp.rs`, `pppoe.rs`
//! (PPPoE discovery), `dump.rs` (`-x`, `-X`, `-A`) and `cksum.rs`. Each adds
//! methods to [`TextPrinter`].

mod app;
mod arp;
mod cksum;
pub mod dhcp;
pub mod dns;
mod dump;
mod icmp;
mod icmp6;
mod igmp;
mod ip;
mod link;
mod lisp;
mod llc;
pub(crate) mod netdissect;
mod nfs;
mod ospf;
mod pppoe;
mod radius;
mod sctp;
mod sflow;
mod slarp;
mod summaries;
mod sunrpc;
mod syslog;
mod tcp;
mod telnet;
mod tunnels;
pub mod txtproto;
mod udp;
mod vrrp;

use std::collections::HashMap;
use std::io::{self, Write};

use crate::capture::{Packet, Timestamp};
use crate::decode::Decoded;
use crate::render::out::{self, append_decimal, append_str};
use crate::render::time::{self, LocalTime};

pub use dump::{ascii, hex_ascii, hex_only};

/// Which tcpdump options shape the text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TextOptions {
    /// `-e`: print the link-layer header.
    pub link_header: bool,
    /// `-v` count.
    pub verbosity: u8,
    /// `-x` count (hex).
    pub hex_dump: u8,
    /// `-X` count (hex and ASCII).
    pub hex_ascii_dump: u8,
    /// `-A` count (ASCII).
    pub ascii_dump: u8,
    /// `-#`: packet numbers.
    pub number: bool,
    /// `-t` count: 0 time of day, 1 none, 2 epoch, 3 delta, 4 date and time, 5 since first.
    pub time_format: u8,
    /// `--nano`: nanosecond fractions.
    pub nano: bool,
    /// `-q`: quiet lines (TCP and UDP as `tcp N` and `UDP, length N`).
    pub quiet: bool,
    /// `-S`: absolute TCP sequence numbers.
    pub absolute_seq: bool,
}

/// Bound on the TCP relative-sequence table (tcpdump's grows without bound).
const MAX_TCP_FLOWS: usize = 200_000;

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct FlowKey {
    a: [u8; 16],
    b: [u8; 16],
    ports: u32,
    v6: bool,
}

/// Renders packets as tcpdump does.
pub struct TextPrinter {
    o: TextOptions,
    line: Vec<u8>,
    lt: LocalTime,
    prev: Option<Timestamp>,
    first: Option<Timestamp>,
    /// Keyed by flow, hashed with foldhash (a per-process random seed, several times faster
    /// than std's SipHash on these small keys).
    tcp_seq: HashMap<FlowKey, (u32, u32), foldhash::fast::RandomState>,
    /// Scratch text of the application printers of `proto/` (reused, never shrunk).
    app: String,
}

/// What the network printers need to know about the enclosing IP header.
#[derive(Clone, Copy)]
struct IpCtx<'p> {
    v6: bool,
    src: &'p [u8],
    dst: &'p [u8],
    /// The IP header's own next-header field is this transport (no extension header between).
    direct: bool,
    fragmented: bool,
    /// The IPv4 TTL or IPv6 hop limit.
    ttl: u8,
}

impl TextPrinter {
    /// A printer with these options, in the local time zone.
    pub fn new(o: TextOptions) -> Self {
        Self::with_time(o, LocalTime::new())
    }

    /// A printer with an explicit time zone converter.
    pub fn with_time(o: TextOptions, lt: LocalTime) -> Self {
        TextPrinter {
            o,
            line: Vec::with_capacity(512),
            lt,
            prev: None,
            first: None,
            tcp_seq: HashMap::default(),
            app: String::with_capacity(512),
        }
    }

    /// Writes one packet's line(s).
    pub fn packet<W: Write>(&mut self, w: &mut W, pkt: &Packet<'_>, d: &Decoded<'_>) -> io::Result<()> {
        let mut b = std::mem::take(&mut self.line);
        b.clear();
        if self.o.number {
            out::append_decimal_padded(&mut b, pkt.number, 5, b' ');
            append_str(&mut b, "  ");
        }
        self.timestamp(&mut b, pkt.ts);
        let hdrlen = self.frame(&mut b, d);
        self.dumps(&mut b, d.data, hdrlen);
        b.push(b'\n');
        let r = w.write_all(&b);
        self.line = b;
        r
    }

    fn timestamp(&mut self, b: &mut Vec<u8>, ts: Timestamp) {
        let nano = self.o.nano;
        match self.o.time_format {
            1 => {}
            2 => {
                append_decimal(b, ts.secs);
                b.push(b'.');
                time::frac(b, ts.nanos, nano);
                b.push(b' ');
            }
            3 | 5 => {
                let base = if self.o.time_format == 3 {
                    self.prev.unwrap_or(ts)
                } else {
                    *self.first.get_or_insert(ts)
                };
                let mut delta = ts.nanos_since(base);
                if !nano {
                    // tcpdump subtracts microsecond timestamps.
                    delta = (ts.as_nanos() / 1000 - base.as_nanos() / 1000) * 1000;
                }
                b.push(if delta < 0 { b'-' } else { b' ' });
                let delta = delta.unsigned_abs();
                let secs = (delta / 1_000_000_000) as u64;
                let nanos = (delta % 1_000_000_000) as u32;
                out::append_decimal_padded(b, secs / 3600, 2, b'0');
                b.push(b':');
                out::append_decimal_padded(b, secs / 60 % 60, 2, b'0');
                b.push(b':');
                out::append_decimal_padded(b, secs % 60, 2, b'0');
                b.push(b'.');
                time::frac(b, nanos, nano);
                b.push(b' ');
                self.prev = Some(ts);
            }
            4 => {
                let c = self.lt.civil(ts.secs);
                time::ymd(b, &c);
                b.push(b' ');
                time::hms(b, &c);
                b.push(b'.');
                time::frac(b, ts.nanos, nano);
                b.push(b' ');
            }
            _ => {
                let c = self.lt.civil(ts.secs);
                time::hms(b, &c);
                b.push(b'.');
                time::frac(b, ts.nanos, nano);
                b.push(b' ');
            }
        }
    }

    fn suppress_default(&self) -> bool {
        self.o.hex_dump > 0 || self.o.hex_ascii_dump > 0 || self.o.ascii_dump > 0 || self.o.quiet
    }

    /// Prints the frame from its link layer on; returns the link header length (for -x).
    fn frame(&mut self, b: &mut Vec<u8>, d: &Decoded<'_>) -> usize {
        let Some((dlt, hl)) = d.pktap else {
            return self.link(b, d, d.data, d.orig_len as usize);
        };
        if self.o.link_header {
            let name = u16::try_from(dlt).ok().and_then(|v| crate::capture::LinkType(v).dlt_name());
            if self.o.quiet {
                // tcpdump -q: the link type's bare name.
                append_str(b, name.unwrap_or("UNKNOWN"));
            } else {
                append_str(b, "DLT ");
                append_str(b, name.unwrap_or("Unknown"));
                append_str(b, " (");
                append_decimal(b, dlt);
                append_str(b, ") len ");
                append_decimal(b, hl);
            }
            append_str(b, ", length ");
            append_decimal(b, d.orig_len);
            append_str(b, ": ");
        }
        hl + self.link(b, d, &d.data[hl..], (d.orig_len as usize).saturating_sub(hl))
    }
}

#[cfg(test)]
mod tests;
