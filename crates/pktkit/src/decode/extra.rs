//! The protocols after a decoded frame's link or IP layer that the decoder itself does not
//! walk into, found once for `--json` and `--fields`: 802.2 LLC (and the STP BPDU or CDP
//! message it carries), CDP and SLARP over Cisco HDLC, VRRP and OSPF. Where each one starts
//! is the choice of Wireshark's dissectors (an 802.3 length field, Linux cooked protocol 4,
//! Cisco HDLC types 0x2000 and 0x8035, IP protocols 112 and 89).

use etherparse::LaxNetSlice;

use super::{Decoded, Link};
use crate::proto::ethernet::MAX_8023_LENGTH;
use crate::proto::llc::{self, Llc, Snap};
use crate::proto::{cdp, ip_proto, slarp};

/// Linux cooked capture's protocol value for 802.2 LLC frames.
const SLL_PROTOCOL_LLC: u16 = 0x0004;

/// An LLC header, its SNAP extension and what follows them.
#[derive(Clone, Copy, Debug)]
pub struct LlcLayer<'a> {
    /// The header.
    pub header: Llc,
    /// The SNAP header, after the SNAP SAPs in a UI frame.
    pub snap: Option<Snap>,
    /// The bytes after the header (and SNAP), as captured within the 802.3 length.
    pub payload: &'a [u8],
}

impl<'a> LlcLayer<'a> {
    /// Reads an LLC header at the start of `data`.
    pub fn parse(data: &'a [u8]) -> Option<LlcLayer<'a>> {
        let header = Llc::parse(data)?;
        let rest = &data[header.header_len()..];
        let snap = header.is_ui_for(llc::sap::SNAP).then(|| Snap::parse(rest)).flatten();
        let payload = if snap.is_some() { &rest[llc::SNAP_LEN..] } else { rest };
        Some(LlcLayer { header, snap, payload })
    }

    /// The spanning-tree BPDU, after the STP SAPs in a UI frame, or after SNAP with Cisco's
    /// OUI and PVST+'s protocol id (Wireshark's `stp` both).
    pub fn stp(&self) -> Option<&'a [u8]> {
        let pvst = self.snap.is_some_and(|s| (s.oui, s.pid) == (llc::OUI_CISCO, llc::PID_PVSTP));
        (self.header.is_ui_for(llc::sap::STP) || pvst).then_some(self.payload)
    }

    /// The CDP message, after SNAP with Cisco's OUI and CDP's protocol id.
    pub fn cdp(&self) -> Option<&'a [u8]> {
        self.snap.is_some_and(|s| (s.oui, s.pid) == (llc::OUI_CISCO, llc::PID_CDP)).then_some(self.payload)
    }
}

/// An IP protocol's message and the IP version it came in.
#[derive(Clone, Copy, Debug)]
pub struct IpMessage<'a> {
    /// The message bytes (the IP payload as captured).
    pub data: &'a [u8],
    /// Carried by IPv6.
    pub v6: bool,
}

/// The protocols of this module that one frame carries (each at most once).
#[derive(Clone, Copy, Debug, Default)]
pub struct Extra<'a> {
    /// 802.2 LLC.
    pub llc: Option<LlcLayer<'a>>,
    /// A spanning-tree BPDU (after LLC).
    pub stp: Option<&'a [u8]>,
    /// A CDP message (after LLC/SNAP, or Cisco HDLC type 0x2000).
    pub cdp: Option<&'a [u8]>,
    /// Cisco SLARP.
    pub slarp: Option<&'a [u8]>,
    /// VRRP (IP protocol 112).
    pub vrrp: Option<IpMessage<'a>>,
    /// OSPF (IP protocol 89).
    pub ospf: Option<IpMessage<'a>>,
}

impl<'a> Extra<'a> {
    /// True when the frame carries none of them.
    pub fn is_empty(&self) -> bool {
        self.llc.is_none()
            && self.cdp.is_none()
            && self.slarp.is_none()
            && self.vrrp.is_none()
            && self.ospf.is_none()
    }
}

/// The bytes at the network offset of `d`, cut to `len` when it is an 802.3 length.
fn after_link<'a>(d: &Decoded<'a>, len: Option<u16>) -> &'a [u8] {
    let rest = d.data.get(d.net_offset..).unwrap_or(&[]);
    match len {
        Some(l) => &rest[..rest.len().min(l as usize)],
        None => rest,
    }
}

/// The protocols of this module in the frame `d` (not in packets tunnelled in it).
pub fn extra<'a>(d: &Decoded<'a>) -> Extra<'a> {
    let mut x = Extra::default();
    let llc_len = match d.link {
        Link::Ethernet(e) if e.is_8023() => Some(Some(e.type_or_len())),
        Link::Sll(s) if s.protocol == SLL_PROTOCOL_LLC => Some(None),
        _ => match d.ether_type {
            // A length, not a type, after VLAN tags.
            Some(t) if t <= MAX_8023_LENGTH && d.vlan_count > 0 => Some(Some(t)),
            _ => None,
        },
    };
    if let Some(len) = llc_len {
        x.llc = LlcLayer::parse(after_link(d, len));
        x.stp = x.llc.as_ref().and_then(LlcLayer::stp);
        x.cdp = x.llc.as_ref().and_then(LlcLayer::cdp);
        return x;
    }
    if matches!(d.link, Link::Chdlc { .. }) {
        match d.ether_type {
            Some(slarp::CHDLC_TYPE) => x.slarp = Some(after_link(d, None)),
            Some(cdp::CHDLC_TYPE) => x.cdp = Some(after_link(d, None)),
            _ => {}
        }
        return x;
    }
    if d.transport.is_some() {
        return x;
    }
    let (payload, v6) = match &d.net {
        Some(LaxNetSlice::Ipv4(ip)) if ip.header().fragments_offset().value() == 0 => (ip.payload(), false),
        Some(LaxNetSlice::Ipv6(ip)) if !ip.payload().fragmented => (ip.payload(), true),
        _ => return x,
    };
    let message = Some(IpMessage { data: payload.payload, v6 });
    match payload.ip_number.0 {
        ip_proto::VRRP => x.vrrp = message,
        ip_proto::OSPF => x.ospf = message,
        _ => {}
    }
    x
}
