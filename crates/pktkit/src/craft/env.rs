//! Where defaults that depend on the machine come from: source addresses, the interface and
//! its MAC, neighbours' MACs and host names (Scapy's `conf.route`, `get_if_hwaddr` and ARP cache).
//!
//! [`System`] asks the kernel without privileges: a connected UDP socket (no packet is sent)
//! gives the source address the kernel would choose; `/proc/net/route`, `/proc/net/ipv6_route`,
//! `/proc/net/if_inet6`, `/proc/net/arp` and `/sys/class/net/*/address` give the rest.
//! [`Offline`] looks nothing up, so its output depends on the spec alone.

use std::cell::RefCell;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs, UdpSocket};

/// A MAC address.
pub type Mac = [u8; 6];

/// How packets to an address leave this host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// Outgoing interface name.
    pub interface: String,
    /// Next hop, when the destination is not on a connected network.
    pub gateway: Option<IpAddr>,
    /// The destination is this host (loopback or a local address).
    pub local: bool,
    /// The destination is the broadcast address of a connected IPv4 network.
    pub broadcast: bool,
}

/// Machine-dependent answers the defaults need. Every method may answer "don't know".
pub trait Environment {
    /// The source address the kernel would use to reach `dst`.
    fn source_address(&self, dst: IpAddr) -> Option<IpAddr>;
    /// The route to `dst`.
    fn route(&self, dst: IpAddr) -> Option<Route>;
    /// The MAC address to use as source on `interface`; `None` gives 00:00:00:00:00:00.
    fn interface_mac(&self, interface: &str) -> Option<Mac>;
    /// The MAC of a neighbour, from the neighbour (ARP) cache; nothing is sent.
    fn neighbor_mac(&self, addr: IpAddr) -> Option<Mac>;
    /// Resolves a host name to an IPv4 (or, with `v6`, IPv6) address.
    fn lookup_host(&self, name: &str, v6: bool) -> Result<IpAddr, String>;
}

/// Looks nothing up: sources 0.0.0.0 and ::, MACs 00:00:00:00:00:00, destination MACs
/// broadcast (multicast destinations still map to their multicast MACs), no host names.
#[derive(Debug, Clone, Copy, Default)]
pub struct Offline;

impl Environment for Offline {
    fn source_address(&self, _dst: IpAddr) -> Option<IpAddr> {
        None
    }
    fn route(&self, _dst: IpAddr) -> Option<Route> {
        None
    }
    fn interface_mac(&self, _interface: &str) -> Option<Mac> {
        None
    }
    fn neighbor_mac(&self, _addr: IpAddr) -> Option<Mac> {
        None
    }
    fn lookup_host(&self, _name: &str, _v6: bool) -> Result<IpAddr, String> {
        Err("host names are not resolved offline".to_string())
    }
}

/// This machine's routing and neighbour tables, read without privileges.
#[derive(Debug, Clone, Copy)]
pub struct System {
    interface_macs: bool,
}

impl System {
    /// For sending: Ethernet and ARP sources are the outgoing interface's MAC.
    pub fn for_sending() -> Self {
        System { interface_macs: true }
    }

    /// For writing files: like [`Self::for_sending`] but source MACs are 00:00:00:00:00:00.
    pub fn for_file() -> Self {
        System { interface_macs: false }
    }
}

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

fn ipv6_from_hex(h: &str) -> Option<Ipv6Addr> {
    (h.len() == 32).then(|| u128::from_str_radix(h, 16).ok().map(Ipv6Addr::from)).flatten()
}

/// Longest-prefix match in `/proc/net/route` (IPv4; addresses in host byte order as hex).
fn route_v4(table: &str, dst: Ipv4Addr) -> Option<Route> {
    if dst.is_loopback() {
        return Some(Route { interface: "lo".to_string(), gateway: None, local: true, broadcast: false });
    }
    let d = u32::from(dst);
    let mut best: Option<(u32, Route)> = None;
    for line in table.lines().skip(1) {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 8 {
            continue;
        }
        let hex = |s: &str| u32::from_str_radix(s, 16).ok().map(|v| u32::from_be_bytes(v.to_ne_bytes()));
        let (Some(net), Some(gw), Some(flags), Some(mask)) =
            (hex(f[1]), hex(f[2]), u32::from_str_radix(f[3], 16).ok(), hex(f[7]))
        else {
            continue;
        };
        const RTF_UP: u32 = 1;
        const RTF_REJECT: u32 = 0x200;
        if flags & RTF_UP == 0 || flags & RTF_REJECT != 0 || d & mask != net {
            continue;
        }
        if best.as_ref().is_some_and(|(m, _)| m.count_ones() >= mask.count_ones()) {
            continue;
        }
        let route = Route {
            interface: f[0].to_string(),
            gateway: (gw != 0).then(|| IpAddr::V4(Ipv4Addr::from(gw))),
            local: f[0] == "lo",
            broadcast: gw == 0 && mask.count_ones() < 31 && d == net | !mask,
        };
        best = Some((mask, route));
    }
    best.map(|(_, r)| r)
}

/// Longest-prefix match in `/proc/net/ipv6_route`.
fn route_v6(table: &str, dst: Ipv6Addr) -> Option<Route> {
    let d = u128::from(dst);
    let mut best: Option<(u32, Route)> = None;
    for line in table.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 10 {
            continue;
        }
        let (Some(net), Ok(plen), Some(gw), Ok(flags)) = (
            ipv6_from_hex(f[0]),
            u32::from_str_radix(f[1], 16),
            ipv6_from_hex(f[4]),
            u32::from_str_radix(f[8], 16),
        ) else {
            continue;
        };
        const RTF_GATEWAY: u32 = 2;
        const RTF_REJECT: u32 = 0x200;
        const RTF_LOCAL: u32 = 0x8000_0000;
        let mask = if plen == 0 { 0 } else { u128::MAX << (128 - plen.min(128)) };
        if flags & RTF_REJECT != 0 || d & mask != u128::from(net) {
            continue;
        }
        if best.as_ref().is_some_and(|(p, _)| *p >= plen) {
            continue;
        }
        let route = Route {
            interface: f[9].to_string(),
            gateway: (flags & RTF_GATEWAY != 0).then_some(IpAddr::V6(gw)),
            local: f[9] == "lo" || flags & RTF_LOCAL != 0,
            broadcast: false,
        };
        best = Some((plen, route));
    }
    best.map(|(_, r)| r)
}

/// The link-local address of `interface` (or of the first interface that has one).
fn link_local(table: &str, interface: Option<&str>) -> Option<Ipv6Addr> {
    let mut first = None;
    for line in table.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 6 || f[3] != "20" {
            continue;
        }
        let Some(addr) = ipv6_from_hex(f[0]) else { continue };
        if interface == Some(f[5]) {
            return Some(addr);
        }
        first = first.or(Some(addr));
    }
    first
}

/// A complete entry of `/proc/net/arp`.
fn arp_entry(table: &str, addr: Ipv4Addr) -> Option<Mac> {
    table.lines().skip(1).find_map(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        const ATF_COM: u32 = 2;
        let complete =
            f.get(2).and_then(|s| u32::from_str_radix(s.trim_start_matches("0x"), 16).ok())? & ATF_COM != 0;
        (complete && f.first()?.parse::<Ipv4Addr>().ok()? == addr).then(|| parse_mac(f.get(3)?)).flatten()
    })
}

fn parse_mac(s: &str) -> Option<Mac> {
    super::values::parse_mac(s.trim())
}

fn needs_scope(dst: Ipv6Addr) -> bool {
    let first = dst.segments()[0];
    (first & 0xffc0) == 0xfe80 || (first & 0xff0f) == 0xff02 || (first & 0xff0f) == 0xff01
}

impl Environment for System {
    fn source_address(&self, dst: IpAddr) -> Option<IpAddr> {
        if dst.is_unspecified() {
            return None;
        }
        if let IpAddr::V6(d) = dst
            && needs_scope(d)
        {
            let iface = route_v6(&read("/proc/net/ipv6_route"), d).map(|r| r.interface);
            return link_local(&read("/proc/net/if_inet6"), iface.as_deref()).map(IpAddr::V6);
        }
        let bind: SocketAddr = match dst {
            IpAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
            IpAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
        };
        let socket = UdpSocket::bind(bind).ok()?;
        // Connecting a UDP socket only asks the kernel for a route; nothing is sent.
        socket.set_broadcast(true).ok()?;
        socket.connect((dst, 9)).ok()?;
        Some(socket.local_addr().ok()?.ip())
    }

    fn route(&self, dst: IpAddr) -> Option<Route> {
        match dst {
            IpAddr::V4(d) => route_v4(&read("/proc/net/route"), d),
            IpAddr::V6(d) => route_v6(&read("/proc/net/ipv6_route"), d),
        }
    }

    fn interface_mac(&self, interface: &str) -> Option<Mac> {
        if !self.interface_macs || interface.is_empty() || interface.contains(['/', '.']) {
            return None;
        }
        parse_mac(&read(&format!("/sys/class/net/{interface}/address")))
    }

    fn neighbor_mac(&self, addr: IpAddr) -> Option<Mac> {
        match addr {
            IpAddr::V4(a) => arp_entry(&read("/proc/net/arp"), a),
            IpAddr::V6(_) => None,
        }
    }

    fn lookup_host(&self, name: &str, v6: bool) -> Result<IpAddr, String> {
        let addrs = (name, 0u16).to_socket_addrs().map_err(|e| e.to_string())?;
        addrs
            .map(|a| a.ip())
            .find(|ip| ip.is_ipv6() == v6)
            .ok_or_else(|| format!("no {} address", if v6 { "IPv6" } else { "IPv4" }))
    }
}

/// Remembers an environment's answers while one spec is built: fan-outs ask the same questions
/// for every packet. Each table is emptied when it reaches `MEMO_LIMIT` entries.
pub(crate) struct Memo<'a> {
    env: &'a dyn Environment,
    sources: RefCell<HashMap<IpAddr, Option<IpAddr>>>,
    routes: RefCell<HashMap<IpAddr, Option<Route>>>,
    macs: RefCell<HashMap<String, Option<Mac>>>,
    neighbors: RefCell<HashMap<IpAddr, Option<Mac>>>,
}

const MEMO_LIMIT: usize = 4096;

fn memo<K: std::hash::Hash + Eq, V: Clone>(
    table: &RefCell<HashMap<K, V>>,
    key: K,
    f: impl FnOnce() -> V,
) -> V {
    if let Some(v) = table.borrow().get(&key) {
        return v.clone();
    }
    let v = f();
    let mut t = table.borrow_mut();
    if t.len() >= MEMO_LIMIT {
        t.clear();
    }
    t.insert(key, v.clone());
    v
}

impl<'a> Memo<'a> {
    pub(crate) fn new(env: &'a dyn Environment) -> Self {
        Memo {
            env,
            sources: RefCell::default(),
            routes: RefCell::default(),
            macs: RefCell::default(),
            neighbors: RefCell::default(),
        }
    }
}

impl Environment for Memo<'_> {
    fn source_address(&self, dst: IpAddr) -> Option<IpAddr> {
        memo(&self.sources, dst, || self.env.source_address(dst))
    }
    fn route(&self, dst: IpAddr) -> Option<Route> {
        memo(&self.routes, dst, || self.env.route(dst))
    }
    fn interface_mac(&self, interface: &str) -> Option<Mac> {
        memo(&self.macs, interface.to_string(), || self.env.interface_mac(interface))
    }
    fn neighbor_mac(&self, addr: IpAddr) -> Option<Mac> {
        memo(&self.neighbors, addr, || self.env.neighbor_mac(addr))
    }
    fn lookup_host(&self, name: &str, v6: bool) -> Result<IpAddr, String> {
        self.env.lookup_host(name, v6)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROUTE: &str = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n\
        eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n\
        eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n";

    #[test]
    fn ipv4_routes() {
        let r = route_v4(ROUTE, Ipv4Addr::new(8, 8, 8, 8)).unwrap();
        assert_eq!(r.interface, "eth0");
        assert_eq!(r.gateway, Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1))));
        let r = route_v4(ROUTE, Ipv4Addr::new(192, 0, 2, 7)).unwrap();
        assert_eq!((r.gateway, r.broadcast), (None, false));
        assert!(route_v4(ROUTE, Ipv4Addr::new(192, 0, 2, 255)).unwrap().broadcast);
        assert!(route_v4(ROUTE, Ipv4Addr::new(127, 0, 0, 1)).unwrap().local);
        assert_eq!(route_v4("", Ipv4Addr::new(8, 8, 8, 8)), None);
        assert_eq!(route_v4("hdr\nbroken line\neth0 zz", Ipv4Addr::new(8, 8, 8, 8)), None);
    }

    const ROUTE6: &str = "\
fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0
00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000002 00000000 00000003     eth0
00000000000000000000000000000001 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000002 00000000 80200001       lo
00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo
";

    #[test]
    fn ipv6_routes() {
        let r = route_v6(ROUTE6, "2001:db8::1".parse().unwrap()).unwrap();
        assert_eq!(r.gateway, Some("fd00::1".parse().unwrap()));
        assert_eq!(r.interface, "eth0");
        let r = route_v6(ROUTE6, "fd00::9".parse().unwrap()).unwrap();
        assert_eq!(r.gateway, None);
        assert!(route_v6(ROUTE6, Ipv6Addr::LOCALHOST).unwrap().local);
    }

    #[test]
    fn neighbour_and_link_local_tables() {
        let arp = "IP address       HW type     Flags       HW address            Mask     Device\n\
                   192.0.2.1        0x1         0x2         02:fc:00:00:00:05     *        eth0\n\
                   192.0.2.9        0x1         0x0         00:00:00:00:00:00     *        eth0\n";
        assert_eq!(arp_entry(arp, Ipv4Addr::new(192, 0, 2, 1)), Some([2, 0xfc, 0, 0, 0, 5]));
        assert_eq!(arp_entry(arp, Ipv4Addr::new(192, 0, 2, 9)), None);
        let if6 = "fe8000000000000000fc00fffe000001 04 40 20 80     eth0\n\
                   00000000000000000000000000000001 01 80 10 80       lo\n";
        assert_eq!(link_local(if6, Some("eth0")), Some("fe80::fc:ff:fe00:1".parse().unwrap()));
        assert_eq!(link_local(if6, Some("eth9")), Some("fe80::fc:ff:fe00:1".parse().unwrap()));
        assert_eq!(link_local("", None), None);
    }

    #[test]
    fn system_source_for_loopback_is_loopback() {
        let s = System::for_file();
        assert_eq!(s.source_address(Ipv4Addr::LOCALHOST.into()), Some(Ipv4Addr::LOCALHOST.into()));
        assert_eq!(s.source_address(Ipv4Addr::UNSPECIFIED.into()), None);
        assert_eq!(s.interface_mac("lo"), None);
        assert_eq!(s.lookup_host("localhost", false), Ok(Ipv4Addr::LOCALHOST.into()));
        match System::for_sending().interface_mac("lo") {
            Some(mac) => assert_eq!(mac, [0; 6]),
            None => println!("skip: /sys/class/net/lo/address is not readable here"),
        }
    }
}
