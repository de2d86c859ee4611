//! AS numbers of addresses from DNS TXT records in the form Team Cymru's IP-to-ASN service
//! publishes (`origin.asn.cymru.com`, `origin6.asn.cymru.com`): the query name is the address
//! reversed (IPv4 octets, IPv6 nibbles) under the zone, and the first field of the answer's text
//! is the origin AS (`"64500 | 10.0.1.0/24 | ZZ | lab | 2026-12-03"`).
//!
//! Queries go to the name servers of `/etc/resolv.conf` (the system resolver's, so `ip netns
//! exec`'s `/etc/netns/NAME/resolv.conf` applies), over UDP, with a bounded wait.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use crate::proto::dns::{self, Message, RData, Section};

/// The zone of IPv4 origin records.
pub const ORIGIN_ZONE: &str = "origin.asn.cymru.com";
/// The zone of IPv6 origin records.
pub const ORIGIN6_ZONE: &str = "origin6.asn.cymru.com";
/// The system resolver's configuration.
pub const RESOLV_CONF: &str = "/etc/resolv.conf";
/// The DNS port (RFC 1035).
pub const DNS_PORT: u16 = 53;
/// The longest wait for all the answers of one [`AsLookup::lookup`].
pub const AS_WAIT: Duration = Duration::from_secs(2);
/// Largest DNS message over UDP without EDNS (RFC 1035 4.2.1).
const UDP_MESSAGE_MAX: usize = 512;

/// The origin query name of `addr`: `1.1.0.10.origin.asn.cymru.com`, or the 32 nibbles of an
/// IPv6 address reversed under [`ORIGIN6_ZONE`].
pub fn query_name(addr: IpAddr) -> String {
    match addr {
        IpAddr::V4(a) => {
            let [a, b, c, d] = a.octets();
            format!("{d}.{c}.{b}.{a}.{ORIGIN_ZONE}")
        }
        IpAddr::V6(a) => {
            let mut name = String::with_capacity(64 + ORIGIN6_ZONE.len());
            for byte in a.octets().iter().rev() {
                for nibble in [byte & 0xf, byte >> 4] {
                    name.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
                    name.push('.');
                }
            }
            name.push_str(ORIGIN6_ZONE);
            name
        }
    }
}

/// The origin AS of an origin record's text: the first number of its first field (a prefix
/// announced by several ASes lists them separated by spaces).
pub fn parse_origin(text: &[u8]) -> Option<u32> {
    let text = std::str::from_utf8(text).ok()?;
    text.split('|').next()?.split_whitespace().next()?.parse().ok()
}

/// The name servers of a resolv.conf text, port 53, in order.
pub fn nameservers(resolv_conf: &str) -> Vec<SocketAddr> {
    resolv_conf
        .lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            (words.next()? == "nameserver").then_some(())?;
            // A link-local IPv6 server may carry %zone, which IpAddr does not parse: skipped.
            words.next()?.parse::<IpAddr>().ok()
        })
        .map(|ip| SocketAddr::new(ip, DNS_PORT))
        .collect()
}

/// AS numbers of addresses, each asked once.
#[derive(Debug)]
pub struct AsLookup {
    servers: Vec<SocketAddr>,
    wait: Duration,
    cache: HashMap<IpAddr, Option<u32>>,
    next_id: u16,
}

impl AsLookup {
    /// Asks the name servers of [`RESOLV_CONF`] (none when it cannot be read: every lookup then
    /// finds nothing).
    pub fn system() -> AsLookup {
        let text = std::fs::read_to_string(RESOLV_CONF).unwrap_or_default();
        AsLookup::new(nameservers(&text), AS_WAIT)
    }

    /// Asks `servers` in turn, waiting at most `wait` per lookup.
    pub fn new(servers: Vec<SocketAddr>, wait: Duration) -> AsLookup {
        AsLookup { servers, wait, cache: HashMap::new(), next_id: (std::process::id() as u16) | 1 }
    }

    /// The origin AS of `addr`, if the servers know it (asked once per address).
    pub fn lookup(&mut self, addr: IpAddr) -> Option<u32> {
        if let Some(&asn) = self.cache.get(&addr) {
            return asn;
        }
        let asn = self.ask(addr);
        self.cache.insert(addr, asn);
        asn
    }

    /// One query per server in turn, each given an equal share of the wait.
    fn ask(&mut self, addr: IpAddr) -> Option<u32> {
        if self.servers.is_empty() {
            return None;
        }
        let name = query_name(addr);
        let share = self.wait / self.servers.len() as u32;
        for server in self.servers.clone() {
            self.next_id = self.next_id.wrapping_add(1);
            let id = self.next_id;
            if let Some(asn) = ask_server(server, id, &name, share) {
                return asn;
            }
        }
        None
    }
}

/// Asks `server` for `name`'s TXT record: `Some(answer)` when the server answered (with or
/// without an AS), `None` when it did not within `wait` (or the query could not be sent).
fn ask_server(server: SocketAddr, id: u16, name: &str, wait: Duration) -> Option<Option<u32>> {
    let query = dns::build_query(id, true, name, dns::TYPE_TXT).ok()?;
    let local: SocketAddr = if server.is_ipv4() { ([0, 0, 0, 0], 0).into() } else { ([0u16; 8], 0).into() };
    let socket = UdpSocket::bind(local).ok()?;
    socket.connect(server).ok()?;
    socket.send(&query).ok()?;
    let deadline = Instant::now() + wait;
    let mut buf = [0u8; UDP_MESSAGE_MAX];
    loop {
        let left = deadline.checked_duration_since(Instant::now()).filter(|d| !d.is_zero())?;
        socket.set_read_timeout(Some(left)).ok()?;
        let len = socket.recv(&mut buf).ok()?;
        if let Some(answer) = origin_of_response(&buf[..len], id, name) {
            return Some(answer);
        }
    }
}

/// The AS in a response to query `id` for `name`: `None` when the message is not that
/// response, `Some(None)` when it is but holds no origin record.
fn origin_of_response(msg: &[u8], id: u16, name: &str) -> Option<Option<u32>> {
    let msg = Message::parse(msg).ok()?;
    let header = msg.header();
    if header.id != id || !header.is_response() || !msg.first_question()?.name.eq_dotted(name) {
        return None;
    }
    Some(msg.records().find_map(|(section, record)| match (section, record.data()) {
        (Section::Answer, Ok(RData::Txt(txt))) => txt.strings().next().and_then(parse_origin),
        _ => None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_names_reverse_octets_and_nibbles() {
        assert_eq!(query_name("10.0.1.1".parse().unwrap()), "1.1.0.10.origin.asn.cymru.com");
        let v6 = query_name("fd00:1::1".parse().unwrap());
        assert!(v6.starts_with("1.0.0.0.0.0.0.0."), "{v6}");
        assert!(v6.ends_with(".1.0.0.0.0.0.d.f.origin6.asn.cymru.com"), "{v6}");
        assert_eq!(v6.split('.').count(), 32 + 4);
    }

    #[test]
    fn origin_is_the_first_number_of_the_first_field() {
        assert_eq!(parse_origin(b"64500 | 10.0.1.0/24 | ZZ | lab | 2026-12-03"), Some(64500));
        assert_eq!(parse_origin(b"23028 701 | 1.2.3.0/24 | US"), Some(23028));
        assert_eq!(parse_origin(b"NA | 10.0.0.0/8"), None);
        assert_eq!(parse_origin(b""), None);
        assert_eq!(parse_origin(&[0xff, 0xfe]), None);
    }

    #[test]
    fn nameservers_from_resolv_conf() {
        let conf = "# lab\nsearch lab\nnameserver 10.0.3.2\nnameserver fd00:3::2\nnameserver fe80::1%eth0\n";
        assert_eq!(
            nameservers(conf),
            vec!["10.0.3.2:53".parse::<SocketAddr>().unwrap(), "[fd00:3::2]:53".parse().unwrap()]
        );
    }

    #[test]
    fn a_response_is_checked_against_its_query() {
        let name = "1.1.0.10.origin.asn.cymru.com";
        let mut response = dns::build_query(7, true, name, dns::TYPE_TXT).unwrap();
        response[2] |= 0x80; // QR
        response[7] = 1; // ANCOUNT
        let text = b"64500 | 10.0.1.0/24 | ZZ";
        response.extend_from_slice(&[0xc0, 12]); // the question's name
        response.extend_from_slice(&dns::TYPE_TXT.to_be_bytes());
        response.extend_from_slice(&[0, 1, 0, 0, 0, 60]);
        response.extend_from_slice(&((text.len() + 1) as u16).to_be_bytes());
        response.push(text.len() as u8);
        response.extend_from_slice(text);
        assert_eq!(origin_of_response(&response, 7, name), Some(Some(64500)));
        assert_eq!(origin_of_response(&response, 8, name), None, "another id");
        assert_eq!(origin_of_response(&response, 7, "2.1.0.10.origin.asn.cymru.com"), None);
        response[7] = 0;
        assert_eq!(origin_of_response(&response, 7, name), Some(None), "no answer record");
        assert_eq!(origin_of_response(&response[..5], 7, name), None, "truncated");
    }

    #[test]
    fn no_servers_no_lookup() {
        let mut lookup = AsLookup::new(Vec::new(), Duration::from_millis(1));
        assert_eq!(lookup.lookup("10.0.1.1".parse().unwrap()), None);
    }
}
