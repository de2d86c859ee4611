//! The objects of the protocols of [`crate::decode::extra`] (`llc`, `stp`, `cdp`, `slarp`,
//! `vrrp`, `ospf`; docs/json-schema.md): one struct per object, filled from the packet's
//! bytes without allocating. An object is there when its fixed header was captured; keys of
//! a part the capture cut are left out.

use serde::ser::SerializeSeq;
use serde::{Serialize, Serializer};

use super::wire::{Mac, V4, V6};
use crate::decode::extra::{Extra, IpMessage, LlcLayer};
use crate::proto::stp::{self, Bpdu, bpdu_type, field};
use crate::proto::{cdp, ospf, slarp, vrrp};

/// The objects of one record.
#[derive(Default, Serialize)]
pub(super) struct ExtraObjects<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) llc: Option<LlcJ>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) stp: Option<StpJ<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) cdp: Option<CdpJ>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) slarp: Option<SlarpJ<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) vrrp: Option<VrrpJ<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) ospf: Option<OspfJ<'a>>,
}

/// `llc`: the 802.2 header and its SNAP extension.
#[derive(Serialize)]
pub(super) struct LlcJ {
    dsap: u8,
    ssap: u8,
    control: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    oui: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pid: Option<u16>,
}

/// `stp`: a spanning-tree BPDU (STP, RSTP, MSTP).
#[derive(Serialize)]
pub(super) struct StpJ<'a> {
    protocol: u16,
    version: u8,
    #[serde(rename = "type")]
    ty: u8,
    #[serde(flatten)]
    config: Option<StpConfigJ<'a>>,
}

/// The fixed part of a configuration or RST BPDU.
#[derive(Serialize)]
struct StpConfigJ<'a> {
    flags: u8,
    root_priority: u16,
    root_ext: u16,
    root_mac: Mac<'a>,
    root_cost: u32,
    bridge_priority: u16,
    bridge_ext: u16,
    bridge_mac: Mac<'a>,
    port: u16,
    message_age: f64,
    max_age: f64,
    hello_time: f64,
    forward_delay: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    version_1_length: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version_3_length: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    msti_count: Option<usize>,
}

/// `cdp`: the CDP header.
#[derive(Serialize)]
pub(super) struct CdpJ {
    version: u8,
    ttl: u8,
    checksum: u16,
}

/// `slarp`: a Cisco SLARP message.
#[derive(Serialize)]
pub(super) struct SlarpJ<'a> {
    code: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    address: Option<V4<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    netmask: Option<V4<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    my_seq: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    your_seq: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reliability: Option<u16>,
}

/// `vrrp`: a VRRP advertisement.
#[derive(Serialize)]
pub(super) struct VrrpJ<'a> {
    version: u8,
    #[serde(rename = "type")]
    ty: u8,
    vrid: u8,
    priority: u8,
    addr_count: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    auth_type: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    adver_int: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_adver_int: Option<u16>,
    checksum: u16,
    #[serde(skip_serializing_if = "Addrs::is_empty")]
    addrs: Addrs<'a>,
}

/// The virtual addresses of a VRRP advertisement, as captured.
struct Addrs<'a> {
    bytes: &'a [u8],
    v6: bool,
}

impl Addrs<'_> {
    fn size(&self) -> usize {
        if self.v6 { 16 } else { 4 }
    }

    fn is_empty(&self) -> bool {
        self.bytes.len() < self.size()
    }
}

impl Serialize for Addrs<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for a in self.bytes.chunks_exact(self.size()) {
            if self.v6 {
                seq.serialize_element(&V6(a))?;
            } else {
                seq.serialize_element(&V4(a))?;
            }
        }
        seq.end()
    }
}

/// `ospf`: the OSPF packet header (version 2 or 3).
#[derive(Serialize)]
pub(super) struct OspfJ<'a> {
    version: u8,
    #[serde(rename = "type")]
    ty: u8,
    packet_length: u16,
    router_id: V4<'a>,
    area_id: V4<'a>,
    checksum: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    auth_type: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    instance_id: Option<u8>,
}

fn be16(d: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([d[at], d[at + 1]])
}

/// The objects of the protocols `x`.
pub(super) fn objects<'a>(x: &Extra<'a>) -> ExtraObjects<'a> {
    ExtraObjects {
        llc: x.llc.as_ref().map(llc_j),
        stp: x.stp.and_then(stp_j),
        cdp: x.cdp.and_then(cdp::Header::parse).map(|h| CdpJ {
            version: h.version,
            ttl: h.ttl,
            checksum: h.checksum,
        }),
        slarp: x.slarp.and_then(slarp_j),
        vrrp: x.vrrp.as_ref().and_then(vrrp_j),
        ospf: x.ospf.as_ref().and_then(ospf_j),
    }
}

fn llc_j(l: &LlcLayer<'_>) -> LlcJ {
    LlcJ {
        dsap: l.header.dsap_field,
        ssap: l.header.ssap_field,
        control: l.header.control,
        oui: l.snap.map(|s| s.oui),
        pid: l.snap.map(|s| s.pid),
    }
}

/// A bridge identifier's priority, system id extension and MAC.
fn bridge_id(id: &[u8]) -> (u16, u16, Mac<'_>) {
    let (priority, ext) = stp::priority_ext(id.try_into().unwrap_or(&[0; 8]));
    (priority, ext, Mac(&id[2..8]))
}

fn stp_j(data: &[u8]) -> Option<StpJ<'_>> {
    let p = Bpdu::new(data);
    let (protocol, version, ty) = (p.protocol_id()?, p.version()?, p.bpdu_type()?);
    let config = (ty != bpdu_type::TOPOLOGY_CHANGE && data.len() >= stp::CONFIG_LEN).then(|| {
        let (root_priority, root_ext, root_mac) = bridge_id(&data[field::ROOT_ID..field::ROOT_ID + 8]);
        let (bridge_priority, bridge_ext, bridge_mac) =
            bridge_id(&data[field::BRIDGE_ID..field::BRIDGE_ID + 8]);
        let seconds = |at| stp::seconds(be16(data, at));
        let mstp = version >= stp::version::MSTP;
        StpConfigJ {
            flags: data[field::FLAGS],
            root_priority,
            root_ext,
            root_mac,
            root_cost: p.u32_at(field::ROOT_PATH_COST).unwrap_or(0),
            bridge_priority,
            bridge_ext,
            bridge_mac,
            port: be16(data, field::PORT_ID),
            message_age: seconds(field::MESSAGE_AGE),
            max_age: seconds(field::MAX_AGE),
            hello_time: seconds(field::HELLO_TIME),
            forward_delay: seconds(field::FORWARD_DELAY),
            version_1_length: (version >= stp::version::RSTP).then(|| p.u8_at(field::V1_LENGTH)).flatten(),
            version_3_length: mstp.then(|| p.u16_at(field::V3_LENGTH)).flatten(),
            msti_count: (mstp && data.len() >= stp::MSTP_MIN_LEN).then(|| p.mstis().count()),
        }
    });
    Some(StpJ { protocol, version, ty, config })
}

fn slarp_j(s: &[u8]) -> Option<SlarpJ<'_>> {
    if s.len() < slarp::MIN_LEN {
        return None;
    }
    let code = slarp::word(s, 0)?;
    let address = matches!(code, slarp::code::REQUEST | slarp::code::REPLY);
    let keepalive = code == slarp::code::KEEPALIVE;
    Some(SlarpJ {
        code,
        address: address.then(|| V4(&s[4..8])),
        netmask: address.then(|| V4(&s[8..12])),
        my_seq: keepalive.then(|| slarp::word(s, 4)).flatten(),
        your_seq: keepalive.then(|| slarp::word(s, 8)).flatten(),
        reliability: keepalive.then(|| be16(s, 12)),
    })
}

fn vrrp_j<'a>(m: &IpMessage<'a>) -> Option<VrrpJ<'a>> {
    let h = vrrp::Header::parse(m.data)?;
    let v2 = h.version == 2;
    let size = if m.v6 { 16 } else { 4 };
    let addrs = &m.data[vrrp::HEADER_LEN..];
    let captured = (addrs.len() / size).min(h.addr_count as usize) * size;
    Some(VrrpJ {
        version: h.version,
        ty: h.kind,
        vrid: h.vrid,
        priority: h.priority,
        addr_count: h.addr_count,
        auth_type: v2.then_some(h.auth_or_reserved),
        adver_int: v2.then_some(h.interval),
        max_adver_int: (!v2).then(|| h.interval_cs()),
        checksum: be16(m.data, 6),
        addrs: Addrs { bytes: &addrs[..captured], v6: m.v6 },
    })
}

/// Bytes of the header fields both OSPF versions share (through the checksum and the
/// authentication type or instance id).
const OSPF_COMMON_LEN: usize = 16;

fn ospf_j<'a>(m: &IpMessage<'a>) -> Option<OspfJ<'a>> {
    let d = m.data;
    if d.len() < OSPF_COMMON_LEN {
        return None;
    }
    let (version, ty) = ospf::version_type(d)?;
    Some(OspfJ {
        version,
        ty,
        packet_length: be16(d, 2),
        router_id: V4(&d[4..8]),
        area_id: V4(&d[8..12]),
        checksum: be16(d, 12),
        auth_type: (version == 2).then(|| ospf::auth_type(d)).flatten(),
        instance_id: (version == 3).then_some(d[14]),
    })
}
