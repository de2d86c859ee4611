//! The application summary after TCP and UDP, as tcpdump 4.99.3 chooses and prints it.
//!
//! tcpdump picks the printer by port alone, walking a fixed list (`udp_print`, `tcp_print`);
//! the first port that matches wins, even when the payload is something else. The protocols
//! pktkit prints are DNS (UDP and TCP port 53), multicast DNS (UDP 5353), BOOTP/DHCP (UDP 67
//! and 68) and HTTP (TCP 80 and 8080); the ports tcpdump checks before them belong to
//! printers pktkit does not have, and then nothing is printed here (the caller falls back to
//! its generic summary). The printers themselves are `proto::{dns, dhcp, http}`.

use crate::proto::tcpdump_text::push_char;
use crate::proto::{dhcp, dns, http};
use crate::render::out::be32;

use super::TextPrinter;

/// tcpdump's `MAX_RST_DATA_LEN`: data of a RST segment printed with `-v`.
const MAX_RST_DATA_LEN: usize = 30;

/// What tcpdump prints after a UDP header, by port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum UdpChoice {
    Dns,
    Mdns,
    Bootp,
    /// A printer pktkit does not have.
    Other,
    /// None of tcpdump's ports up to BOOTP.
    None,
}

/// tcpdump 4.99.3's `udp_print` choice, as far as BOOTP: NFS over RPC (port 2049, by the
/// RPC direction word), then DNS 53, mDNS 5353, timed 525, TFTP 69, BOOTP 67/68.
fn udp_choice(sport: u16, dport: u16, payload: &[u8]) -> UdpChoice {
    let port = |p: u16| sport == p || dport == p;
    let direction = be32(payload, 4);
    if (dport == 2049 && direction == Some(0)) || (sport == 2049 && direction == Some(1)) {
        UdpChoice::Other
    } else if port(53) {
        UdpChoice::Dns
    } else if port(5353) {
        UdpChoice::Mdns
    } else if port(525) || port(69) {
        UdpChoice::Other
    } else if port(67) || port(68) {
        UdpChoice::Bootp
    } else {
        UdpChoice::None
    }
}

/// What tcpdump prints after a TCP segment's `length N`, by port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TcpChoice {
    Http,
    Dns,
    Other,
}

/// tcpdump 4.99.3's `tcp_print` choice, as far as DNS: telnet 23, SMTP 25, whois 43, BGP 179,
/// PPTP 1723, RESP 6379, SSH 22, BEEP 10288, OpenFlow 6633/6653, FTP 21, then HTTP 80/8080,
/// RTSP 554/8554, DNS 53 (Debian builds without SMB, so 139 and 445 are not checked).
fn tcp_choice(sport: u16, dport: u16) -> TcpChoice {
    let port = |p: u16| sport == p || dport == p;
    if [23, 25, 43, 179, 1723, 6379, 22, 10288, 6633, 6653, 21].into_iter().any(port) {
        TcpChoice::Other
    } else if port(80) || port(8080) {
        TcpChoice::Http
    } else if port(554) || port(8554) {
        TcpChoice::Other
    } else if port(53) {
        TcpChoice::Dns
    } else {
        TcpChoice::Other
    }
}

impl TextPrinter {
    /// Appends what follows a TCP summary's `, length N` (`len` > 0 bytes on the wire, of
    /// which `payload` was captured): with `-v`, a RST segment's data; else the application
    /// printer tcpdump picks by port.
    pub(super) fn tcp_app(
        &mut self,
        b: &mut Vec<u8>,
        sport: u16,
        dport: u16,
        rst: bool,
        payload: &[u8],
        len: usize,
    ) {
        if rst && self.o.verbosity > 0 {
            // tcpdump's print_tcp_rst_data.
            let mut t = std::mem::take(&mut self.app);
            t.clear();
            t.push_str(if payload.len() >= len { " [RST" } else { " [!RST" });
            if len > MAX_RST_DATA_LEN {
                t.push('+');
            }
            t.push(' ');
            for &c in payload.iter().take(len.min(MAX_RST_DATA_LEN)) {
                push_char(&mut t, c);
            }
            t.push(']');
            b.extend_from_slice(t.as_bytes());
            self.app = t;
            return;
        }
        let choice = tcp_choice(sport, dport);
        if choice == TcpChoice::Other {
            return;
        }
        let mut t = std::mem::take(&mut self.app);
        t.clear();
        if choice == TcpChoice::Http {
            t.push_str(": ");
            http::write_tcpdump(&mut t, payload, len, self.o.verbosity);
        } else {
            dns::write_tcpdump(&mut t, payload, len, dns::TcpdumpOptions::tcp(self.o.verbosity));
        }
        b.extend_from_slice(t.as_bytes());
        self.app = t;
    }

    /// Appends the application summary of a UDP datagram instead of tcpdump's generic
    /// `UDP, length N`; false when tcpdump's port choice is not one pktkit prints.
    pub(super) fn udp_app(
        &mut self,
        b: &mut Vec<u8>,
        sport: u16,
        dport: u16,
        payload: &[u8],
        len: usize,
    ) -> bool {
        let choice = udp_choice(sport, dport, payload);
        if matches!(choice, UdpChoice::Other | UdpChoice::None) {
            return false;
        }
        let mut t = std::mem::take(&mut self.app);
        t.clear();
        let v = self.o.verbosity;
        match choice {
            UdpChoice::Dns => dns::write_tcpdump(&mut t, payload, len, dns::TcpdumpOptions::udp(v)),
            UdpChoice::Mdns => dns::write_tcpdump(&mut t, payload, len, dns::TcpdumpOptions::mdns(v)),
            _ => dhcp::write_tcpdump(&mut t, payload, len, v),
        }
        b.extend_from_slice(t.as_bytes());
        self.app = t;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tcpdump_port_choices() {
        // Checked against tcpdump 4.99.3 with crafted packets.
        assert_eq!(udp_choice(67, 5353, &[]), UdpChoice::Mdns);
        assert_eq!(udp_choice(53, 5353, &[]), UdpChoice::Dns);
        assert_eq!(udp_choice(4789, 53, &[]), UdpChoice::Dns);
        assert_eq!(udp_choice(67, 69, &[]), UdpChoice::Other);
        assert_eq!(udp_choice(67, 525, &[]), UdpChoice::Other);
        assert_eq!(udp_choice(67, 123, &[]), UdpChoice::Bootp);
        assert_eq!(udp_choice(40000, 2049, &[0, 0, 0, 1, 0, 0, 0, 0]), UdpChoice::Other);
        assert_eq!(udp_choice(2049, 53, &[0, 0, 0, 1, 0, 0, 0, 0]), UdpChoice::Dns);
        assert_eq!(udp_choice(1000, 2000, &[]), UdpChoice::None);
        assert_eq!(tcp_choice(43, 80), TcpChoice::Other);
        assert_eq!(tcp_choice(139, 80), TcpChoice::Http);
        assert_eq!(tcp_choice(554, 80), TcpChoice::Http);
        assert_eq!(tcp_choice(8080, 53), TcpChoice::Http);
        assert_eq!(tcp_choice(554, 53), TcpChoice::Other);
        assert_eq!(tcp_choice(5353, 53), TcpChoice::Dns);
        assert_eq!(tcp_choice(40000, 3128), TcpChoice::Other);
        assert_eq!(tcp_choice(40000, 443), TcpChoice::Other);
    }
}
