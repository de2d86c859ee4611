//! Reading answers: a live capture of what arrives on an interface.

use std::time::Instant;

use pcap::{Active, Capture, Direction};

use super::{NetError, require_cap_net_raw};
use crate::capture::{LinkType, Timestamp};

/// A live capture of incoming packets in immediate mode (each packet as soon as it arrives),
/// narrowed by a BPF filter run in the kernel.
pub struct Listener {
    cap: Capture<Active>,
    linktype: LinkType,
    iface: String,
}

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listener").field("iface", &self.iface).field("linktype", &self.linktype).finish()
    }
}

/// Most packets [`Listener::wait_for`] hands over once its deadline has passed.
pub const DRAIN: usize = 4096;

/// How long to sleep when no packet is waiting. libpcap's read timeout does not apply in
/// immediate mode (a read blocks until a packet comes), so the handle is non-blocking and
/// polled; this bounds the added latency.
const IDLE: std::time::Duration = std::time::Duration::from_micros(100);

impl Listener {
    /// Starts capturing what `iface` receives (`any` for every interface) that matches the
    /// libpcap expression `filter` (empty: everything). Open it before sending, so that no
    /// answer can arrive first. Needs CAP_NET_RAW.
    pub fn open(iface: &str, filter: &str) -> Result<Self, NetError> {
        Self::open_sized(iface, filter, 65535, None)
    }

    /// [`open`](Self::open) keeping the first `snaplen` bytes of each packet in a kernel
    /// buffer of `buffer` bytes (libpcap's default, 2 MiB, when `None`). The buffer holds
    /// `buffer / snaplen` packets: a scanner that takes answers at 100,000 a second wants a
    /// small snaplen and a large buffer.
    pub fn open_sized(
        iface: &str,
        filter: &str,
        snaplen: i32,
        buffer: Option<i32>,
    ) -> Result<Self, NetError> {
        require_cap_net_raw("capturing answers")?;
        let what = format!("capturing on {iface}");
        let mut inactive =
            Capture::from_device(iface).map_err(|e| NetError::pcap(&what, e))?.snaplen(snaplen);
        if let Some(bytes) = buffer {
            inactive = inactive.buffer_size(bytes);
        }
        let mut cap = inactive
            .immediate_mode(true)
            .open()
            .map_err(|e| NetError::pcap(&what, e))?
            .setnonblock()
            .map_err(|e| NetError::pcap(&what, e))?;
        cap.direction(Direction::In).map_err(|e| NetError::pcap(&what, e))?;
        if !filter.is_empty() {
            cap.filter(filter, true).map_err(|e| NetError::pcap(format!("filter '{filter}'"), e))?;
        }
        let linktype = LinkType(cap.get_datalink().0 as u16);
        Ok(Listener { cap, linktype, iface: iface.to_string() })
    }

    /// Packets received and dropped so far, as libpcap counts them: `(received, dropped by
    /// the capture buffer, dropped by the interface)`.
    pub fn stats(&mut self) -> Result<(u32, u32, u32), NetError> {
        let s = self.cap.stats().map_err(|e| NetError::pcap(format!("statistics of {}", self.iface), e))?;
        Ok((s.received, s.dropped, s.if_dropped))
    }

    /// The capture's link type (Ethernet on most interfaces, Linux cooked on `any`).
    pub fn linktype(&self) -> LinkType {
        self.linktype
    }

    /// Calls `f(timestamp, bytes, wire length)` for each packet received before `deadline`
    /// until it returns true; returns whether it did. Packets already waiting when the
    /// deadline passes are still handed over (at most [`DRAIN`] of them), so a deadline
    /// already past drains what has arrived without waiting: that interleaves sends and
    /// receives, as a scanner does.
    pub fn wait_for(
        &mut self,
        deadline: Instant,
        mut f: impl FnMut(Timestamp, &[u8], u32) -> bool,
    ) -> Result<bool, NetError> {
        let mut late = 0usize;
        loop {
            match self.cap.next_packet() {
                Ok(p) => {
                    let ts = Timestamp::new(p.header.ts.tv_sec, p.header.ts.tv_usec as u64 * 1000);
                    if f(ts, p.data, p.header.len) {
                        return Ok(true);
                    }
                    if Instant::now() >= deadline {
                        late += 1;
                        if late >= DRAIN {
                            return Ok(false);
                        }
                    }
                }
                Err(pcap::Error::TimeoutExpired) => {
                    if Instant::now() >= deadline {
                        return Ok(false);
                    }
                    std::thread::sleep(IDLE);
                }
                Err(e) => return Err(NetError::pcap(format!("capturing on {}", self.iface), e)),
            }
        }
    }
}
