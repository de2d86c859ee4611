//! Live capture through libpcap: listing interfaces, opening one (with missing privileges and
//! unknown names explained), reading packets in batches, interrupting a read, dropping root.
//!
//! [`Live::read`] copies every packet libpcap hands over into a reusable [`Batch`] and returns,
//! so the kernel gets its ring buffer block back at once; writing happens elsewhere.

use std::ffi::CString;
use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use pcap::{Active, Capture, ConnectionStatus, Device, IfFlags};
use thiserror::Error;

use crate::capability::{self, Capability};
use crate::capture::{Interface, LinkType, Packet, Precision, Timestamp};

/// libpcap's largest snapshot length, tcpdump's default.
pub const MAX_SNAPLEN: u32 = 262_144;

/// Why a live capture could not be opened or read.
#[derive(Debug, Error)]
pub enum LiveError {
    /// The interface does not exist; `available` lists those that do.
    #[error("{name}: no such interface; available: {}", available.join(", "))]
    NoSuchInterface {
        /// The name asked for.
        name: String,
        /// Every interface libpcap can capture on.
        available: Vec<String>,
    },
    /// The process may not capture: it lacks CAP_NET_RAW and CAP_NET_ADMIN.
    #[error(
        "{name}: no permission to capture ({detail}): capturing needs CAP_NET_RAW and CAP_NET_ADMIN \
         (missing: {}); run as root, or grant them once with: sudo setcap cap_net_raw,cap_net_admin=eip {exe}",
        missing.join(" and ")
    )]
    Permission {
        /// The interface.
        name: String,
        /// The capabilities this process lacks (may be empty when the kernel refused anyway).
        missing: Vec<&'static str>,
        /// libpcap's message.
        detail: String,
        /// This program's path, for the `setcap` hint.
        exe: String,
    },
    /// libpcap rejected the capture filter.
    #[error("filter '{expr}': {message}")]
    Filter {
        /// The expression.
        expr: String,
        /// libpcap's message.
        message: String,
    },
    /// The interface cannot give the requested link type.
    #[error("{name}: link type {linktype}: {message}")]
    LinkType {
        /// The interface.
        name: String,
        /// The name asked for.
        linktype: String,
        /// libpcap's message.
        message: String,
    },
    /// `-Z USER`: the user is unknown or the switch failed.
    #[error("cannot change to user {user}: {message}")]
    User {
        /// The user name.
        user: String,
        /// What failed.
        message: String,
    },
    /// Any other libpcap failure.
    #[error("{name}: {message}")]
    Pcap {
        /// The interface (or `interfaces` when listing).
        name: String,
        /// libpcap's message.
        message: String,
    },
}

/// One interface as `tcpdump -D` shows it, plus its addresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterfaceInfo {
    /// Interface name, e.g. `eth0`, `any`.
    pub name: String,
    /// libpcap's description, when it has one.
    pub description: Option<String>,
    /// tcpdump's flag words: `Up`, `Running`, `Loopback`, `Wireless`, `Connected`, ...
    pub flags: Vec<&'static str>,
    /// Addresses with prefix lengths (from the netmask, when known).
    pub addresses: Vec<(IpAddr, Option<u8>)>,
}

impl fmt::Display for InterfaceInfo {
    /// `eth0 [Up, Running, Connected] 10.0.1.2/24 fd00:1::2/64`: tcpdump's `-D` line (without its
    /// number) followed by the addresses.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name)?;
        if let Some(d) = &self.description {
            write!(f, " ({d})")?;
        }
        if !self.flags.is_empty() {
            write!(f, " [{}]", self.flags.join(", "))?;
        }
        for (addr, prefix) in &self.addresses {
            match prefix {
                Some(p) => write!(f, " {addr}/{p}")?,
                None => write!(f, " {addr}")?,
            }
        }
        Ok(())
    }
}

fn prefix_len(mask: IpAddr) -> Option<u8> {
    let (bits, width) = match mask {
        IpAddr::V4(m) => (u128::from(u32::from(m)) << 96, 32),
        IpAddr::V6(m) => (u128::from(m), 128),
    };
    let ones = bits.leading_ones();
    // A netmask is contiguous ones; anything else has no prefix length.
    (bits.checked_shl(ones).unwrap_or(0) == 0 && ones <= width).then_some(ones as u8)
}

fn flag_words(dev: &Device) -> Vec<&'static str> {
    let fl = &dev.flags;
    let mut words = Vec::new();
    for (bit, word) in [
        (IfFlags::UP, "Up"),
        (IfFlags::RUNNING, "Running"),
        (IfFlags::LOOPBACK, "Loopback"),
        (IfFlags::WIRELESS, "Wireless"),
    ] {
        if fl.contains(bit) {
            words.push(word);
        }
    }
    let wireless = fl.contains(IfFlags::WIRELESS);
    let status = match (&fl.connection_status, wireless) {
        (ConnectionStatus::Unknown, false) => Some("Connection status unknown"),
        (ConnectionStatus::Unknown, true) => Some("Association status unknown"),
        (ConnectionStatus::Connected, false) => Some("Connected"),
        (ConnectionStatus::Connected, true) => Some("Associated"),
        (ConnectionStatus::Disconnected, false) => Some("Disconnected"),
        (ConnectionStatus::Disconnected, true) => Some("Not associated"),
        (ConnectionStatus::NotApplicable, _) => None,
    };
    // tcpdump prints the brackets only when some flag bit is set: "Connection status unknown" is
    // status 0, which alone means no bits at all.
    let unknown_only = words.is_empty() && matches!(fl.connection_status, ConnectionStatus::Unknown);
    if unknown_only {
        return Vec::new();
    }
    if words.is_empty() {
        words.push("none");
    }
    words.extend(status);
    words
}

/// Every interface libpcap can capture on, in its order (the order `tcpdump -D` numbers).
pub fn interfaces() -> Result<Vec<InterfaceInfo>, LiveError> {
    let devices =
        Device::list().map_err(|e| LiveError::Pcap { name: "interfaces".into(), message: e.to_string() })?;
    Ok(devices
        .iter()
        .map(|d| InterfaceInfo {
            name: d.name.clone(),
            description: d.desc.clone(),
            flags: flag_words(d),
            addresses: d.addresses.iter().map(|a| (a.addr, a.netmask.and_then(prefix_len))).collect(),
        })
        .collect())
}

/// The interface libpcap picks when none is named (tcpdump's default), if any.
pub fn default_interface() -> Result<Option<String>, LiveError> {
    Device::lookup()
        .map(|d| d.map(|d| d.name))
        .map_err(|e| LiveError::Pcap { name: "interfaces".into(), message: e.to_string() })
}

/// How to open a live capture.
#[derive(Clone, Debug)]
pub struct Options {
    /// Interface name; `any` captures on every interface (Linux cooked headers). A number N
    /// that is not an interface name means the Nth interface of [`interfaces`], as in tcpdump.
    pub device: String,
    /// Bytes kept per packet; 0 means [`MAX_SNAPLEN`].
    pub snaplen: u32,
    /// Promiscuous mode (never on `any`, where libpcap does not support it).
    pub promisc: bool,
    /// Deliver each packet at once instead of in ring buffer blocks.
    pub immediate: bool,
    /// Kernel ring buffer size in bytes; libpcap's default (2 MiB) when None.
    pub buffer_bytes: Option<u32>,
    /// Read timeout: the longest a packet waits in a partly filled block before delivery.
    pub timeout_ms: u32,
    /// Nanosecond timestamps.
    pub nano: bool,
    /// Link type to ask for (`LINUX_SLL2` on `any`, ...), by libpcap's DLT name.
    pub linktype: Option<String>,
    /// Capture filter (libpcap syntax), installed in the kernel.
    pub filter: Option<String>,
}

impl Options {
    /// tcpdump's defaults for `device`: full snaplen, promiscuous, 100 ms timeout.
    pub fn new(device: impl Into<String>) -> Self {
        Options {
            device: device.into(),
            snaplen: MAX_SNAPLEN,
            promisc: true,
            immediate: false,
            buffer_bytes: None,
            timeout_ms: 100,
            nano: false,
            linktype: None,
            filter: None,
        }
    }
}

/// Kernel counters of a capture, as `pcap_stats` reports them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Packets that passed the filter (tcpdump's "received by filter"), dropped ones included.
    pub received: u32,
    /// Packets dropped because the ring buffer was full ("dropped by kernel").
    pub dropped: u32,
    /// Packets dropped by the interface or its driver ("dropped by interface").
    pub if_dropped: u32,
}

/// Stops a read from another thread (a signal thread, a timer, a writer that lost its pipe).
pub struct Interrupter {
    flag: AtomicBool,
    brk: pcap::BreakLoop,
}

impl Interrupter {
    /// Makes the current or next [`Live::read`] return; every later read returns at once too.
    pub fn interrupt(&self) {
        self.flag.store(true, Ordering::SeqCst);
        self.brk.breakloop();
    }

    /// True once [`Self::interrupt`] was called.
    pub fn is_interrupted(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }
}

impl fmt::Debug for Interrupter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Interrupter").field("interrupted", &self.is_interrupted()).finish()
    }
}

#[derive(Clone, Copy, Debug)]
struct Record {
    ts: Timestamp,
    orig_len: u32,
    end: usize,
}

/// Packets copied out of the kernel ring in one read; reused from read to read (no allocation
/// per packet once its buffers have grown).
#[derive(Debug, Default)]
pub struct Batch {
    data: Vec<u8>,
    recs: Vec<Record>,
}

impl Batch {
    /// An empty batch.
    pub fn new() -> Self {
        Batch::default()
    }

    /// Number of packets.
    pub fn len(&self) -> usize {
        self.recs.len()
    }

    /// True when it holds no packet.
    pub fn is_empty(&self) -> bool {
        self.recs.is_empty()
    }

    /// Captured bytes held.
    pub fn bytes(&self) -> usize {
        self.data.len()
    }

    /// Empties it, keeping its buffers.
    pub fn clear(&mut self) {
        self.data.clear();
        self.recs.clear();
    }

    /// Appends a packet.
    pub fn push(&mut self, ts: Timestamp, orig_len: u32, data: &[u8]) {
        self.data.extend_from_slice(data);
        self.recs.push(Record { ts, orig_len, end: self.data.len() });
    }

    /// The packets, numbered from `first`, as captured on `iface`.
    pub fn packets<'a>(&'a self, iface: &'a Interface, first: u64) -> impl Iterator<Item = Packet<'a>> + 'a {
        let mut start = 0;
        self.recs.iter().enumerate().map(move |(i, r)| {
            let data = &self.data[start..r.end];
            start = r.end;
            Packet::new(first + i as u64, r.ts, data, r.orig_len, iface)
        })
    }
}

/// An open live capture.
pub struct Live {
    cap: Capture<Active>,
    iface: Interface,
    interrupter: Arc<Interrupter>,
    nano: bool,
}

impl fmt::Debug for Live {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Live").field("iface", &self.iface).finish()
    }
}

/// The capture capabilities this process is known to lack: `CAP_NET_RAW`, `CAP_NET_ADMIN`
/// (none when its capabilities cannot be read: libpcap's error then tells).
pub fn missing_capabilities() -> Vec<&'static str> {
    capability::missing(&[Capability::NetRaw, Capability::NetAdmin])
        .into_iter()
        .map(Capability::name)
        .collect()
}

fn resolve_device(name: &str) -> Result<String, LiveError> {
    if name == "any" || !name.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(name.to_string());
    }
    let list = interfaces()?;
    if list.iter().any(|i| i.name == name) {
        return Ok(name.to_string());
    }
    // tcpdump: `-i 2` is the second interface of `-D`.
    match name.parse::<usize>() {
        Ok(n) if n >= 1 && n <= list.len() => Ok(list[n - 1].name.clone()),
        _ => Err(LiveError::NoSuchInterface {
            name: name.to_string(),
            available: list.into_iter().map(|i| i.name).collect(),
        }),
    }
}

/// Explains why opening `name` failed: unknown interface, missing privileges, or libpcap's word.
fn open_failure(name: &str, message: String) -> LiveError {
    if let Ok(list) = interfaces()
        && !list.iter().any(|i| i.name == name)
    {
        return LiveError::NoSuchInterface {
            name: name.to_string(),
            available: list.into_iter().map(|i| i.name).collect(),
        };
    }
    let missing = missing_capabilities();
    let lower = message.to_ascii_lowercase();
    if lower.contains("permission") || lower.contains("not permitted") || missing.contains(&"CAP_NET_RAW") {
        let exe = std::env::current_exe()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| "/path/to/program".into());
        return LiveError::Permission { name: name.to_string(), missing, detail: message, exe };
    }
    LiveError::Pcap { name: name.to_string(), message }
}

impl Live {
    /// Opens and activates a live capture, sets the link type and installs the filter.
    pub fn open(opts: &Options) -> Result<Live, LiveError> {
        let name = resolve_device(&opts.device)?;
        let snaplen = if opts.snaplen == 0 { MAX_SNAPLEN } else { opts.snaplen.min(MAX_SNAPLEN) };
        let pcap_err = |e: pcap::Error| LiveError::Pcap { name: name.clone(), message: e.to_string() };
        let mut inactive = Capture::from_device(name.as_str())
            .map_err(pcap_err)?
            .snaplen(snaplen as i32)
            // libpcap refuses promiscuous mode on "any" with a warning that the binding treats
            // as an error; tcpdump goes on without it.
            .promisc(opts.promisc && name != "any")
            .immediate_mode(opts.immediate)
            .timeout(opts.timeout_ms.max(1).min(i32::MAX as u32) as i32);
        if let Some(b) = opts.buffer_bytes {
            inactive = inactive.buffer_size(b.min(i32::MAX as u32) as i32);
        }
        if opts.nano {
            inactive = inactive.precision(pcap::Precision::Nano);
        }
        let mut cap = inactive.open().map_err(|e| open_failure(&name, e.to_string()))?;
        if let Some(lt) = &opts.linktype {
            let linktype_err =
                |message: String| LiveError::LinkType { name: name.clone(), linktype: lt.clone(), message };
            let want = match lt.parse::<i32>() {
                Ok(n) => pcap::Linktype(n),
                Err(_) => pcap::Linktype::from_name(lt).map_err(|e| linktype_err(e.to_string()))?,
            };
            cap.set_datalink(want).map_err(|e| linktype_err(e.to_string()))?;
        }
        if let Some(expr) = &opts.filter {
            cap.filter(expr, true)
                .map_err(|e| LiveError::Filter { expr: expr.clone(), message: e.to_string() })?;
        }
        let dlt = cap.get_datalink().0;
        let linktype = LinkType(u16::try_from(dlt).unwrap_or(u16::MAX));
        let precision = if opts.nano { Precision::Nano } else { Precision::Micro };
        let mut iface = Interface::live(linktype, snaplen, precision);
        iface.name = Some(name.clone());
        iface.input = name;
        let interrupter = Arc::new(Interrupter { flag: AtomicBool::new(false), brk: cap.breakloop_handle() });
        Ok(Live { cap, iface, interrupter, nano: opts.nano })
    }

    /// The interface its packets come from (link type, snaplen, precision, name).
    pub fn interface(&self) -> &Interface {
        &self.iface
    }

    /// libpcap's name and description of the link type, as tcpdump prints them:
    /// `EN10MB (Ethernet)`, `LINUX_SLL (Linux cooked v1)`.
    pub fn link_description(&self) -> String {
        let lt = pcap::Linktype(i32::from(self.iface.linktype.0));
        match (lt.get_name(), lt.get_description()) {
            (Ok(n), Ok(d)) => format!("{n} ({d})"),
            (Ok(n), Err(_)) => n,
            _ => self.iface.linktype.0.to_string(),
        }
    }

    /// A handle that interrupts reads from any thread.
    pub fn interrupter(&self) -> Arc<Interrupter> {
        Arc::clone(&self.interrupter)
    }

    /// Copies the packets the kernel has ready (at most `max`) into `batch` and returns how many.
    ///
    /// Blocking mode waits until a ring block is ready (at most the timeout after its first
    /// packet) or [`Interrupter::interrupt`] is called; 0 means nothing came. Packets of a block
    /// that an interruption cut short stay in the ring for the next read.
    pub fn read(&mut self, batch: &mut Batch, max: Option<usize>) -> Result<usize, LiveError> {
        if max == Some(0) {
            return Ok(0);
        }
        let nano = self.nano;
        let mut n = 0usize;
        let outcome = self.cap.dispatch(max, |p| {
            let tv = p.header.ts;
            let frac = u64::try_from(tv.tv_usec).unwrap_or(0);
            let ts = Timestamp::new(tv.tv_sec, if nano { frac } else { frac * 1000 });
            batch.push(ts, p.header.len, p.data);
            n += 1;
        });
        match outcome {
            Ok(_) => Ok(n),
            // pcap_breakloop makes the read fail with PCAP_ERROR_BREAK.
            Err(_) if self.interrupter.is_interrupted() => Ok(n),
            Err(e) => Err(LiveError::Pcap { name: self.iface.input.clone(), message: e.to_string() }),
        }
    }

    /// Switches to non-blocking reads (a read with nothing ready returns 0 at once); used to
    /// drain the ring after an interruption.
    pub fn into_nonblocking(self) -> Result<Live, LiveError> {
        let Live { cap, iface, interrupter, nano } = self;
        let name = iface.input.clone();
        let cap = cap.setnonblock().map_err(|e| LiveError::Pcap { name, message: e.to_string() })?;
        Ok(Live { cap, iface, interrupter, nano })
    }

    /// The kernel's counters since the capture was opened.
    pub fn stats(&mut self) -> Result<Stats, LiveError> {
        self.cap
            .stats()
            .map(|s| Stats { received: s.received, dropped: s.dropped, if_dropped: s.if_dropped })
            .map_err(|e| LiveError::Pcap { name: self.iface.input.clone(), message: e.to_string() })
    }
}

/// True when this process runs with effective user id 0.
pub fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

/// Gives up root as tcpdump's `-Z USER` does: the user's groups, primary group, then user id.
pub fn drop_privileges(user: &str) -> Result<(), LiveError> {
    use nix::unistd::{User, initgroups, setgid, setuid};
    let fail = |message: String| LiveError::User { user: user.to_string(), message };
    let u = User::from_name(user)
        .map_err(|e| fail(e.to_string()))?
        .ok_or_else(|| fail("no such user".to_string()))?;
    let cname = CString::new(user).map_err(|e| fail(e.to_string()))?;
    initgroups(&cname, u.gid).map_err(|e| fail(format!("initgroups: {e}")))?;
    setgid(u.gid).map_err(|e| fail(format!("setgid: {e}")))?;
    setuid(u.uid).map_err(|e| fail(format!("setuid: {e}")))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    #[test]
    fn prefix_lengths() {
        assert_eq!(prefix_len(IpAddr::V4(Ipv4Addr::new(255, 255, 255, 0))), Some(24));
        assert_eq!(prefix_len(IpAddr::V4(Ipv4Addr::new(255, 255, 255, 255))), Some(32));
        assert_eq!(prefix_len(IpAddr::V4(Ipv4Addr::new(0, 0, 0, 0))), Some(0));
        assert_eq!(prefix_len(IpAddr::V4(Ipv4Addr::new(255, 0, 255, 0))), None);
        assert_eq!(prefix_len(IpAddr::V6("ffff:ffff:ffff:ffff::".parse::<Ipv6Addr>().unwrap())), Some(64));
        assert_eq!(prefix_len(IpAddr::V6(Ipv6Addr::from(u128::MAX))), Some(128));
    }

    #[test]
    fn batch_keeps_packets_in_order() {
        let iface = Interface::live(LinkType::ETHERNET, 100, Precision::Micro);
        let mut b = Batch::new();
        b.push(Timestamp::new(1, 5), 10, b"abc");
        b.push(Timestamp::new(2, 6), 3, b"");
        b.push(Timestamp::new(3, 7), 4, b"wxyz");
        assert_eq!((b.len(), b.bytes()), (3, 7));
        let got: Vec<_> =
            b.packets(&iface, 41).map(|p| (p.number, p.ts.secs, p.data.to_vec(), p.orig_len)).collect();
        assert_eq!(
            got,
            vec![(41, 1, b"abc".to_vec(), 10), (42, 2, Vec::new(), 3), (43, 3, b"wxyz".to_vec(), 4)]
        );
        b.clear();
        assert!(b.is_empty());
        assert_eq!(b.packets(&iface, 1).count(), 0);
    }

    #[test]
    fn interface_line_like_tcpdump() {
        let i = InterfaceInfo {
            name: "eth0".into(),
            description: None,
            flags: vec!["Up", "Running", "Connected"],
            addresses: vec![("10.0.1.2".parse().unwrap(), Some(24)), ("fd00:1::2".parse().unwrap(), None)],
        };
        assert_eq!(i.to_string(), "eth0 [Up, Running, Connected] 10.0.1.2/24 fd00:1::2");
        let any = InterfaceInfo {
            name: "any".into(),
            description: Some("Pseudo-device that captures on all interfaces".into()),
            flags: vec!["Up", "Running"],
            addresses: vec![],
        };
        assert_eq!(any.to_string(), "any (Pseudo-device that captures on all interfaces) [Up, Running]");
    }

    #[test]
    fn listing_works_without_privileges() {
        let list = interfaces().expect("pcap_findalldevs");
        assert!(list.iter().any(|i| i.name == "any"), "{list:?}");
        assert!(list.iter().any(|i| i.name == "lo" && i.flags.contains(&"Loopback")), "{list:?}");
    }

    #[test]
    fn unknown_interface_lists_the_real_ones() {
        let err = Live::open(&Options::new("nosuchif0")).unwrap_err();
        match &err {
            LiveError::NoSuchInterface { name, available } => {
                assert_eq!(name, "nosuchif0");
                assert!(available.iter().any(|a| a == "lo"), "{available:?}");
            }
            other => panic!("{other:?}"),
        }
        assert!(err.to_string().starts_with("nosuchif0: no such interface; available: "), "{err}");
        let err = Live::open(&Options::new("999")).unwrap_err();
        assert!(matches!(err, LiveError::NoSuchInterface { .. }), "{err:?}");
    }
}
