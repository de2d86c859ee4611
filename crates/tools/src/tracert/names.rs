//! Host names for hop addresses, from the system resolver (getnameinfo: /etc/hosts, DNS),
//! each looked up once, on its own thread, and waited for at most [`NAME_WAIT`]; with `-A`
//! their AS numbers too ([`pktkit::net::asn`]).

use std::cell::RefCell;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::mpsc;
use std::time::Duration;

use pktkit::net::asn::AsLookup;

/// The longest wait for one address's name; without an answer by then, the address is shown.
pub const NAME_WAIT: Duration = Duration::from_secs(2);

/// Names of addresses (or none, with -n).
#[derive(Debug)]
pub struct Names {
    resolve: bool,
    cache: RefCell<HashMap<IpAddr, Option<String>>>,
    asn: Option<RefCell<AsLookup>>,
}

impl Names {
    /// Looks names up when `resolve`, AS numbers when `as_lookup`.
    pub fn new(resolve: bool, as_lookup: bool) -> Self {
        let asn = as_lookup.then(|| RefCell::new(AsLookup::system()));
        Names { resolve, cache: RefCell::new(HashMap::new()), asn }
    }

    /// The origin AS of `addr`, with `-A` and when the name servers know it.
    pub fn as_number(&self, addr: IpAddr) -> Option<u32> {
        self.asn.as_ref()?.borrow_mut().lookup(addr)
    }

    /// The name of `addr`, when resolving and the resolver has one.
    pub fn name(&self, addr: IpAddr) -> Option<String> {
        if !self.resolve {
            return None;
        }
        if let Some(n) = self.cache.borrow().get(&addr) {
            return n.clone();
        }
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(dns_lookup::lookup_addr(&addr).ok());
        });
        let name = rx.recv_timeout(NAME_WAIT).ok().flatten().filter(|n| n.parse::<IpAddr>().is_err());
        self.cache.borrow_mut().insert(addr, name.clone());
        name
    }

    /// traceroute's form: `addr` with -n, else `name (addr)` (the address twice without a
    /// name); with `-A` then ` [AS64500]`, or ` [*]` when the AS is not known.
    pub fn show(&self, addr: IpAddr) -> String {
        let mut shown = if self.resolve {
            let name = self.name(addr).unwrap_or_else(|| addr.to_string());
            format!("{name} ({addr})")
        } else {
            addr.to_string()
        };
        if self.asn.is_some() {
            match self.as_number(addr) {
                Some(asn) => shown.push_str(&format!(" [AS{asn}]")),
                None => shown.push_str(" [*]"),
            }
        }
        shown
    }
}
