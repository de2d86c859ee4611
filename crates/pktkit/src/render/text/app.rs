//! The application summary after TCP and UDP, as tcpdump 4.99.3 chooses and prints it.
//!
//! tcpdump picks the printer by port alone, walking a fixed list (`udp_print`, `tcp_print`);
//! the first port that matches wins, even when the payload is something else. The protocols
//! pktkit prints are DNS (UDP and TCP port 53), telnet (TCP 23), NFS (2049), multicast DNS (UDP 5353), syslog (UDP 514), sFlow (UDP 6343), LISP (UDP 4342), BOOTP/DHCP (UDP 67
//! and 68), SIP (UDP 5060), and over TCP SMTP (25), SSH's version line (22), FTP (21), HTTP
//! (80 and 8080) and RTSP (554 and 8554); a port tcpdump checks before them that belongs to
//! a printer pktkit does not have prints nothing here (the caller falls back to its generic
//! summary). The printers are [`super::dns`], [`super::dhcp`] and [`super::txtproto`].

use super::netdissect::push_char;
use crate::proto::{lisp, radius, sflow, someip, syslog};
use crate::render::out::be32;

use super::txtproto::{self, TxtProto};
use super::{TextPrinter, dhcp, dns};

/// tcpdump's `MAX_RST_DATA_LEN`: data of a RST segment printed with `-v`.
const MAX_RST_DATA_LEN: usize = 30;

/// What tcpdump prints after a UDP header, by port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum UdpChoice {
    Dns,
    Mdns,
    Bootp,
    Rip,
    Ntp,
    Dhcp6,
    Radius,
    Sip,
    Syslog,
    Sflow,
    Lisp,
    SomeIp,
    /// A printer pktkit does not have.
    Other,
    /// None of tcpdump's ports.
    None,
}

/// A port rule of tcpdump's `udp_print`: either port, or only the destination or source.
#[derive(Clone, Copy)]
enum PortRule {
    Either(&'static [u16]),
    Dst(u16),
    Src(u16),
    Range(u16, u16),
}

/// tcpdump 4.99.3's `udp_print` port list, in its order (Debian builds without SMB, so the
/// NetBIOS ports are not checked); the first rule that matches picks the printer.
const UDP_PORTS: &[(PortRule, UdpChoice)] = {
    use PortRule::{Dst, Either, Range, Src};
    use UdpChoice::{Bootp, Dhcp6, Dns, Lisp, Mdns, Ntp, Other, Radius, Rip, Sflow, Sip, SomeIp, Syslog};
    &[
        (Either(&[53]), Dns),
        (Either(&[5353]), Mdns),
        (Either(&[525, 69]), Other), // timed, TFTP
        (Either(&[68, 67]), Bootp),  // BOOTP client, server
        (Either(&[520]), Rip),
        (Either(&[654, 500, 4500, 7500, 8500, 161, 162]), Other), // AODV, ISAKMP, SNMP
        (Either(&[123]), Ntp),
        (Either(&[88, 750, 1701]), Other), // Kerberos, L2TP
        (Dst(3456), Other),                // vat
        (Either(&[2103, 2104]), Other),    // zephyr
        (Range(7000, 7009), Other),        // rx
        (Either(&[521]), Other),           // RIPng
        (Either(&[546, 547]), Dhcp6),
        (Either(&[5359, 6696, 6697, 8231]), Other), // AHCP, Babel, HNCP
        (Dst(4567), Other),                         // wb
        (Either(&[496]), Other),                    // Cisco Auto-RP
        (Either(&radius::PORTS), Radius),
        (Dst(1985), Other), // HSRP
        (Either(&[921, 646, 698, 3503]), Other),
        (Src(49152), Other), // BCM LI
        (Dst(3784), Other),  // BFD
        (Dst(4784), Other),
        (Dst(6784), Other),
        (Dst(3785), Other),
        (Either(&[701, 1589]), Other), // LMP, VQP
        (Either(&[sflow::PORT]), Sflow),
        (Dst(12223), Other), // LWAPP control
        (Src(12223), Other),
        (Either(&[12222]), Other),
        (Either(&[5060]), Sip),
        (Either(&[syslog::PORT]), Syslog),
        (Either(&[8472]), Other),       // OTV
        (Either(&[4789, 6081]), Other), // VXLAN, Geneve
        (Either(&[lisp::PORT]), Lisp),
        (Either(&[4790]), Other),                  // VXLAN-GPE
        (Either(&[17754, 6635, 319, 320]), Other), // ZEP, MPLS over UDP, PTP
        (Either(&[someip::PORT]), SomeIp),
    ]
};

/// tcpdump 4.99.3's `udp_print` choice: NFS over RPC (port 2049, by the RPC direction word),
/// then its port list ([`UDP_PORTS`]) as far as SOME/IP (the AppleTalk check before PTP is
/// left out).
fn udp_choice(sport: u16, dport: u16, payload: &[u8]) -> UdpChoice {
    let direction = be32(payload, 4);
    if (dport == 2049 && direction == Some(0)) || (sport == 2049 && direction == Some(1)) {
        return UdpChoice::Other;
    }
    for &(rule, choice) in UDP_PORTS {
        let hit = match rule {
            PortRule::Either(ports) => ports.iter().any(|&p| sport == p || dport == p),
            PortRule::Dst(p) => dport == p,
            PortRule::Src(p) => sport == p,
            PortRule::Range(low, high) => (low..=high).contains(&sport) || (low..=high).contains(&dport),
        };
        if hit {
            return choice;
        }
    }
    UdpChoice::None
}

/// What tcpdump prints after a TCP segment's `length N`, by port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TcpChoice {
    Text(&'static TxtProto),
    Bgp,
    Ssh,
    Dns,
    Nfs,
    Telnet,
    Other,
}

/// tcpdump 4.99.3's `tcp_print` choice, as far as NFS: telnet 23, SMTP 25, whois 43, BGP 179,
/// PPTP 1723, RESP 6379, SSH 22, BEEP 10288, OpenFlow 6633/6653, FTP 21, HTTP 80/8080,
/// RTSP 554/8554, DNS 53, MSDP 639, RPKI-RTR 323, LDP 646, NFS 2049 (Debian builds without
/// SMB, so 139 and 445 are not checked).
fn tcp_choice(sport: u16, dport: u16) -> TcpChoice {
    let port = |p: u16| sport == p || dport == p;
    if port(23) {
        TcpChoice::Telnet
    } else if port(25) {
        TcpChoice::Text(&txtproto::SMTP)
    } else if port(43) {
        TcpChoice::Other
    } else if port(179) {
        TcpChoice::Bgp
    } else if [1723, 6379].into_iter().any(port) {
        TcpChoice::Other
    } else if port(22) {
        TcpChoice::Ssh
    } else if [10288, 6633, 6653].into_iter().any(port) {
        TcpChoice::Other
    } else if port(21) {
        TcpChoice::Text(&txtproto::FTP)
    } else if port(80) || port(8080) {
        TcpChoice::Text(&txtproto::HTTP)
    } else if port(554) || port(8554) {
        TcpChoice::Text(&txtproto::RTSP)
    } else if port(53) {
        TcpChoice::Dns
    } else if [639, 323, 646].into_iter().any(port) {
        TcpChoice::Other
    } else if port(crate::proto::sunrpc::NFS_PORT) {
        TcpChoice::Nfs
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
        if choice == TcpChoice::Nfs {
            return self.nfs_over_tcp(b, sport, dport, payload, len);
        }
        if choice == TcpChoice::Telnet {
            return self.telnet(b, payload, len);
        }
        let mut t = std::mem::take(&mut self.app);
        t.clear();
        match choice {
            TcpChoice::Text(proto) => {
                t.push_str(": ");
                txtproto::write_tcpdump(&mut t, proto, payload, len, self.o.verbosity);
            }
            TcpChoice::Ssh => txtproto::write_ssh_banner(&mut t, payload, len),
            // tcpdump's bgp_print without -v; the messages themselves are not printed.
            TcpChoice::Bgp => t.push_str(": BGP"),
            _ => dns::write_tcpdump(&mut t, payload, len, dns::TcpdumpOptions::tcp(self.o.verbosity)),
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
        match choice {
            UdpChoice::Other | UdpChoice::None => return false,
            UdpChoice::Rip => self.rip(b, payload, len),
            UdpChoice::Ntp => self.ntp(b, payload, len),
            UdpChoice::Dhcp6 => self.dhcp6(b, payload),
            UdpChoice::Radius => self.radius(b, payload, len),
            UdpChoice::SomeIp => self.someip(b, payload, len),
            UdpChoice::Syslog => self.syslog(b, payload, len),
            UdpChoice::Sflow => self.sflow(b, payload, len),
            UdpChoice::Lisp => self.lisp(b, payload, len),
            _ => {}
        }
        if !matches!(choice, UdpChoice::Dns | UdpChoice::Mdns | UdpChoice::Bootp | UdpChoice::Sip) {
            return true;
        }
        let mut t = std::mem::take(&mut self.app);
        t.clear();
        let v = self.o.verbosity;
        match choice {
            UdpChoice::Dns => dns::write_tcpdump(&mut t, payload, len, dns::TcpdumpOptions::udp(v)),
            UdpChoice::Mdns => dns::write_tcpdump(&mut t, payload, len, dns::TcpdumpOptions::mdns(v)),
            UdpChoice::Sip => txtproto::write_tcpdump(&mut t, &txtproto::SIP, payload, len, v),
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
        assert_eq!(udp_choice(5060, 5061, &[]), UdpChoice::Sip);
        assert_eq!(udp_choice(5060, 123, &[]), UdpChoice::Ntp);
        assert_eq!(udp_choice(30490, 30490, &[]), UdpChoice::SomeIp);
        assert_eq!(udp_choice(1812, 520, &[]), UdpChoice::Rip);
        assert_eq!(udp_choice(7005, 5060, &[]), UdpChoice::Other);
        assert_eq!(udp_choice(3456, 5060, &[]), UdpChoice::Sip);
        assert_eq!(udp_choice(514, 4789, &[]), UdpChoice::Syslog);
        assert_eq!(udp_choice(6343, 514, &[]), UdpChoice::Sflow);
        assert_eq!(udp_choice(4342, 4790, &[]), UdpChoice::Lisp);
        assert_eq!(udp_choice(4342, 6081, &[]), UdpChoice::Other);
        let http = TcpChoice::Text(&txtproto::HTTP);
        assert_eq!(tcp_choice(43, 80), TcpChoice::Other);
        assert_eq!(tcp_choice(139, 80), http);
        assert_eq!(tcp_choice(554, 80), http);
        assert_eq!(tcp_choice(8080, 53), http);
        assert_eq!(tcp_choice(25, 80), TcpChoice::Text(&txtproto::SMTP));
        assert_eq!(tcp_choice(21, 22), TcpChoice::Ssh);
        assert_eq!(tcp_choice(21, 80), TcpChoice::Text(&txtproto::FTP));
        assert_eq!(tcp_choice(554, 40000), TcpChoice::Text(&txtproto::RTSP));
        assert_eq!(tcp_choice(554, 53), TcpChoice::Text(&txtproto::RTSP));
        assert_eq!(tcp_choice(5353, 53), TcpChoice::Dns);
        assert_eq!(tcp_choice(40000, 3128), TcpChoice::Other);
        assert_eq!(tcp_choice(40000, 443), TcpChoice::Other);
    }
}
