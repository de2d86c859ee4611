//! The layers pktkit can craft and their fields in header order (Scapy's `fields_desc`
//! order, which also fixes the fan-out order), with the names each numeric field accepts.
//!
//! The builder names fields by the constants of [`ether`], [`ip`], [`tcp`], ...: each is a
//! [`Field`] found in its layer's table when the crate compiles, so a misspelt field is a
//! build error, not a lookup that fails at run time.

use super::error::CraftError;
use crate::services::SERVICE_NUMBERS;

/// What a layer is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Proto {
    Ether,
    Dot1Q,
    Arp,
    Ip,
    Ipv6,
    Tcp,
    Udp,
    Icmp,
    Icmpv6EchoRequest,
    Icmpv6EchoReply,
    NdRs,
    NdRa,
    NdNs,
    NdNa,
    NdOptSrcLLAddr,
    NdOptDstLLAddr,
    Dns,
    Raw,
}

impl Proto {
    /// ICMPv6 messages (checksummed with the IPv6 pseudo-header, next header 58).
    pub(crate) fn is_icmpv6(self) -> bool {
        matches!(
            self,
            Proto::Icmpv6EchoRequest
                | Proto::Icmpv6EchoReply
                | Proto::NdRs
                | Proto::NdRa
                | Proto::NdNs
                | Proto::NdNa
        )
    }
}

/// How a field's values are written and encoded.
#[derive(Clone, Copy, Debug)]
pub(crate) enum FieldKind {
    /// An unsigned integer of `bits` bits, or one of the names.
    Int {
        bits: u8,
        names: &'static [(&'static str, u64)],
    },
    /// TCP flags: letters of "FSRPAUECN" or a number.
    TcpFlags,
    /// IPv4 flags: `MF`, `DF`, `evil` joined with `+`, or a number.
    IpFlags,
    Ipv4,
    Ipv6,
    Mac,
    /// Bytes: a string (Python escapes) or a bare word.
    Bytes,
    /// Bytes written as hex digits.
    Hex,
    /// A DNS name.
    DnsName,
    /// DNS questions: `DNSQR(...)` or a list of them.
    Questions,
    /// TCP options: a list.
    TcpOptions,
}

/// One field of a layer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FieldDef {
    pub name: &'static str,
    /// Another accepted name (Scapy's deprecated or sibling spelling).
    pub alias: Option<&'static str>,
    pub kind: FieldKind,
}

/// One layer: its Scapy name and fields in header order.
#[derive(Debug)]
pub(crate) struct LayerDef {
    pub proto: Proto,
    pub name: &'static str,
    pub fields: &'static [FieldDef],
}

impl LayerDef {
    /// Index of a field by name (or alias).
    pub(crate) fn index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name || f.alias == Some(name))
    }

    pub(crate) fn known(&self) -> String {
        self.fields.iter().map(|f| f.name).collect::<Vec<_>>().join(", ")
    }
}

const fn int(name: &'static str, bits: u8) -> FieldDef {
    FieldDef { name, alias: None, kind: FieldKind::Int { bits, names: &[] } }
}

const fn named(name: &'static str, bits: u8, names: &'static [(&'static str, u64)]) -> FieldDef {
    FieldDef { name, alias: None, kind: FieldKind::Int { bits, names } }
}

const fn field(name: &'static str, kind: FieldKind) -> FieldDef {
    FieldDef { name, alias: None, kind }
}

const fn alias(name: &'static str, alias: &'static str, bits: u8) -> FieldDef {
    FieldDef { name, alias: Some(alias), kind: FieldKind::Int { bits, names: &[] } }
}

/// EtherType names (Scapy's spelling first).
pub(crate) const ETHER_TYPES: &[(&str, u64)] = &[
    ("IPv4", 0x0800),
    ("ARP", 0x0806),
    ("IPv6", 0x86dd),
    ("n_802_1Q", 0x8100),
    ("802_1Q", 0x8100),
    ("Dot1Q", 0x8100),
    ("802_1AD", 0x88a8),
    ("MPLS", 0x8847),
    ("PPPoE", 0x8864),
    ("LLDP", 0x88cc),
    ("LOOP", 0x9000),
];

const IP_PROTOS: &[(&str, u64)] = &[
    ("hopopt", 0),
    ("icmp", 1),
    ("igmp", 2),
    ("ipencap", 4),
    ("ipv4", 4),
    ("tcp", 6),
    ("udp", 17),
    ("ipv6", 41),
    ("ipv6_route", 43),
    ("ipv6_frag", 44),
    ("gre", 47),
    ("esp", 50),
    ("ah", 51),
    ("ipv6_icmp", 58),
    ("icmpv6", 58),
    ("ipv6_nonxt", 59),
    ("ipv6_opts", 60),
    ("ospf", 89),
    ("pim", 103),
    ("vrrp", 112),
    ("sctp", 132),
];

const ARP_OPS: &[(&str, u64)] = &[
    ("who-has", 1),
    ("is-at", 2),
    ("RARP-req", 3),
    ("RARP-rep", 4),
    ("Dyn-RARP-req", 5),
    ("Dyn-RAR-rep", 6),
    ("Dyn-RARP-err", 7),
    ("InARP-req", 8),
    ("InARP-rep", 9),
];

const ICMP_TYPES: &[(&str, u64)] = crate::proto::icmp::TYPE_NAMES;

/// DNS record types by name.
pub(crate) const DNS_TYPES: &[(&str, u64)] = &[
    ("A", 1),
    ("NS", 2),
    ("CNAME", 5),
    ("SOA", 6),
    ("PTR", 12),
    ("HINFO", 13),
    ("MX", 15),
    ("TXT", 16),
    ("AAAA", 28),
    ("LOC", 29),
    ("SRV", 33),
    ("NAPTR", 35),
    ("DNAME", 39),
    ("OPT", 41),
    ("DS", 43),
    ("SSHFP", 44),
    ("RRSIG", 46),
    ("NSEC", 47),
    ("DNSKEY", 48),
    ("NSEC3", 50),
    ("TLSA", 52),
    ("SVCB", 64),
    ("HTTPS", 65),
    ("IXFR", 251),
    ("AXFR", 252),
    ("ANY", 255),
    ("ALL", 255),
    ("CAA", 257),
];

const DNS_CLASSES: &[(&str, u64)] = &[("IN", 1), ("CS", 2), ("CH", 3), ("HS", 4), ("ANY", 255)];
const DNS_OPCODES: &[(&str, u64)] = &[("QUERY", 0), ("IQUERY", 1), ("STATUS", 2)];
const DNS_RCODES: &[(&str, u64)] = &[
    ("ok", 0),
    ("format-error", 1),
    ("server-failure", 2),
    ("name-error", 3),
    ("not-implemented", 4),
    ("refused", 5),
];
const RA_PREFS: &[(&str, u64)] = &[("Medium", 0), ("High", 1), ("Reserved", 2), ("Low", 3)];

const ICMPV6_HEAD: [FieldDef; 3] = [int("type", 8), int("code", 8), alias("cksum", "chksum", 16)];

/// The fields of both ICMPv6 echo messages.
const ICMPV6_ECHO_FIELDS: [FieldDef; 6] = [
    ICMPV6_HEAD[0],
    ICMPV6_HEAD[1],
    ICMPV6_HEAD[2],
    int("id", 16),
    int("seq", 16),
    field("data", FieldKind::Bytes),
];

/// The fields of both link-layer address options of neighbour discovery.
const ND_LLADDR_OPTION_FIELDS: [FieldDef; 3] =
    [int("type", 8), int("len", 8), field("lladdr", FieldKind::Mac)];

pub(crate) const ETHER: LayerDef = LayerDef {
    proto: Proto::Ether,
    name: "Ether",
    fields: &[field("dst", FieldKind::Mac), field("src", FieldKind::Mac), named("type", 16, ETHER_TYPES)],
};

const DOT1Q: LayerDef = LayerDef {
    proto: Proto::Dot1Q,
    name: "Dot1Q",
    fields: &[int("prio", 3), alias("dei", "id", 1), int("vlan", 12), named("type", 16, ETHER_TYPES)],
};

const ARP: LayerDef = LayerDef {
    proto: Proto::Arp,
    name: "ARP",
    fields: &[
        int("hwtype", 16),
        named("ptype", 16, ETHER_TYPES),
        int("hwlen", 8),
        int("plen", 8),
        named("op", 16, ARP_OPS),
        field("hwsrc", FieldKind::Mac),
        field("psrc", FieldKind::Ipv4),
        field("hwdst", FieldKind::Mac),
        field("pdst", FieldKind::Ipv4),
    ],
};

const IP: LayerDef = LayerDef {
    proto: Proto::Ip,
    name: "IP",
    fields: &[
        int("version", 4),
        int("ihl", 4),
        int("tos", 8),
        int("len", 16),
        int("id", 16),
        field("flags", FieldKind::IpFlags),
        int("frag", 13),
        int("ttl", 8),
        named("proto", 8, IP_PROTOS),
        int("chksum", 16),
        field("src", FieldKind::Ipv4),
        field("dst", FieldKind::Ipv4),
    ],
};

const IPV6: LayerDef = LayerDef {
    proto: Proto::Ipv6,
    name: "IPv6",
    fields: &[
        int("version", 4),
        int("tc", 8),
        int("fl", 20),
        int("plen", 16),
        named("nh", 8, IP_PROTOS),
        int("hlim", 8),
        field("src", FieldKind::Ipv6),
        field("dst", FieldKind::Ipv6),
    ],
};

const TCP: LayerDef = LayerDef {
    proto: Proto::Tcp,
    name: "TCP",
    fields: &[
        named("sport", 16, &SERVICE_NUMBERS),
        named("dport", 16, &SERVICE_NUMBERS),
        int("seq", 32),
        int("ack", 32),
        int("dataofs", 4),
        int("reserved", 3),
        field("flags", FieldKind::TcpFlags),
        int("window", 16),
        int("chksum", 16),
        int("urgptr", 16),
        field("options", FieldKind::TcpOptions),
    ],
};

const UDP: LayerDef = LayerDef {
    proto: Proto::Udp,
    name: "UDP",
    fields: &[
        named("sport", 16, &SERVICE_NUMBERS),
        named("dport", 16, &SERVICE_NUMBERS),
        int("len", 16),
        int("chksum", 16),
    ],
};

const ICMP: LayerDef = LayerDef {
    proto: Proto::Icmp,
    name: "ICMP",
    fields: &[
        named("type", 8, ICMP_TYPES),
        int("code", 8),
        int("chksum", 16),
        int("id", 16),
        int("seq", 16),
        int("ts_ori", 32),
        int("ts_rx", 32),
        int("ts_tx", 32),
        field("gw", FieldKind::Ipv4),
        int("ptr", 8),
        int("reserved", 8),
        int("length", 8),
        field("addr_mask", FieldKind::Ipv4),
        int("nexthopmtu", 16),
        int("unused", 32),
    ],
};

const ICMPV6_ECHO_REQUEST: LayerDef =
    LayerDef { proto: Proto::Icmpv6EchoRequest, name: "ICMPv6EchoRequest", fields: &ICMPV6_ECHO_FIELDS };

const ICMPV6_ECHO_REPLY: LayerDef =
    LayerDef { proto: Proto::Icmpv6EchoReply, name: "ICMPv6EchoReply", fields: &ICMPV6_ECHO_FIELDS };

const ND_NS: LayerDef = LayerDef {
    proto: Proto::NdNs,
    name: "ICMPv6ND_NS",
    fields: &[ICMPV6_HEAD[0], ICMPV6_HEAD[1], ICMPV6_HEAD[2], int("res", 32), field("tgt", FieldKind::Ipv6)],
};

const ND_NA: LayerDef = LayerDef {
    proto: Proto::NdNa,
    name: "ICMPv6ND_NA",
    fields: &[
        ICMPV6_HEAD[0],
        ICMPV6_HEAD[1],
        ICMPV6_HEAD[2],
        int("R", 1),
        int("S", 1),
        int("O", 1),
        int("res", 29),
        field("tgt", FieldKind::Ipv6),
    ],
};

const ND_RS: LayerDef = LayerDef {
    proto: Proto::NdRs,
    name: "ICMPv6ND_RS",
    fields: &[ICMPV6_HEAD[0], ICMPV6_HEAD[1], ICMPV6_HEAD[2], int("res", 32)],
};

const ND_RA: LayerDef = LayerDef {
    proto: Proto::NdRa,
    name: "ICMPv6ND_RA",
    fields: &[
        ICMPV6_HEAD[0],
        ICMPV6_HEAD[1],
        ICMPV6_HEAD[2],
        int("chlim", 8),
        int("M", 1),
        int("O", 1),
        int("H", 1),
        named("prf", 2, RA_PREFS),
        int("P", 1),
        int("res", 2),
        int("routerlifetime", 16),
        int("reachabletime", 32),
        int("retranstimer", 32),
    ],
};

const ND_OPT_SRC_LLADDR: LayerDef =
    LayerDef { proto: Proto::NdOptSrcLLAddr, name: "ICMPv6NDOptSrcLLAddr", fields: &ND_LLADDR_OPTION_FIELDS };

const ND_OPT_DST_LLADDR: LayerDef =
    LayerDef { proto: Proto::NdOptDstLLAddr, name: "ICMPv6NDOptDstLLAddr", fields: &ND_LLADDR_OPTION_FIELDS };

const DNS: LayerDef = LayerDef {
    proto: Proto::Dns,
    name: "DNS",
    fields: &[
        int("length", 16),
        int("id", 16),
        int("qr", 1),
        named("opcode", 4, DNS_OPCODES),
        int("aa", 1),
        int("tc", 1),
        int("rd", 1),
        int("ra", 1),
        int("z", 1),
        int("ad", 1),
        int("cd", 1),
        named("rcode", 4, DNS_RCODES),
        int("qdcount", 16),
        int("ancount", 16),
        int("nscount", 16),
        int("arcount", 16),
        field("qd", FieldKind::Questions),
        field("qname", FieldKind::DnsName),
        named("qtype", 16, DNS_TYPES),
        named("qclass", 16, DNS_CLASSES),
    ],
};

const RAW: LayerDef = LayerDef {
    proto: Proto::Raw,
    name: "Raw",
    fields: &[field("load", FieldKind::Bytes), field("hex", FieldKind::Hex)],
};

/// Every layer, in the order they are listed in messages.
pub(crate) static LAYERS: &[LayerDef] = &[
    ETHER,
    DOT1Q,
    ARP,
    IP,
    IPV6,
    TCP,
    UDP,
    ICMP,
    ICMPV6_ECHO_REQUEST,
    ICMPV6_ECHO_REPLY,
    ND_NS,
    ND_NA,
    ND_RS,
    ND_RA,
    ND_OPT_SRC_LLADDR,
    ND_OPT_DST_LLADDR,
    DNS,
    RAW,
];

/// `DNSQR`, only valid inside `qd=`.
pub(crate) const DNSQR: LayerDef = LayerDef {
    proto: Proto::Dns,
    name: "DNSQR",
    fields: &[
        field("qname", FieldKind::DnsName),
        named("qtype", 16, DNS_TYPES),
        int("unicastresponse", 1),
        named("qclass", 15, DNS_CLASSES),
    ],
};

/// Scapy's default question name.
pub(crate) const DEFAULT_QNAME: &str = "www.example.com";

/// The names of every layer, for messages and docs.
pub fn layer_names() -> Vec<&'static str> {
    LAYERS.iter().map(|l| l.name).collect()
}

/// Looks a layer up by its exact Scapy name.
pub(crate) fn find_layer(name: &str, pos: usize) -> Result<&'static LayerDef, CraftError> {
    LAYERS.iter().find(|l| l.name == name).ok_or_else(|| CraftError::UnknownLayer {
        pos,
        name: name.to_string(),
        known: layer_names().join(", "),
    })
}

/// A field of a layer (or of several layers that have it at the same place), by its index in
/// the layer's table. Made only by [`Field::of`] and [`Field::of_each`] in constant context,
/// where a name the table lacks stops the build.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Field {
    pub name: &'static str,
    pub index: usize,
}

const fn same_name(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn position(layer: &LayerDef, name: &str) -> usize {
    let mut i = 0;
    while i < layer.fields.len() {
        if same_name(layer.fields[i].name, name) {
            return i;
        }
        i += 1;
    }
    panic!("a craft field constant names a field its layer does not have")
}

impl Field {
    /// The field `name` of `layer`; a compile error when `layer` has no such field.
    const fn of(layer: &LayerDef, name: &'static str) -> Field {
        Field { name, index: position(layer, name) }
    }

    /// The field `name` that every layer of `layers` has at the same index.
    const fn of_each(layers: &[&LayerDef], name: &'static str) -> Field {
        let index = position(layers[0], name);
        let mut i = 1;
        while i < layers.len() {
            if position(layers[i], name) != index {
                panic!("a shared craft field is not at the same index in every layer");
            }
            i += 1;
        }
        Field { name, index }
    }
}

/// Declares one [`Field`] constant per `CONST = "name"` of one layer.
macro_rules! fields_of {
    ($layer:expr; $($konst:ident = $name:literal),* $(,)?) => {
        $(pub(crate) const $konst: super::Field = super::Field::of(&$layer, $name);)*
    };
}

/// Declares one [`Field`] constant per `CONST = "name"` shared by several layers.
macro_rules! fields_of_each {
    ($layers:expr; $($konst:ident = $name:literal),* $(,)?) => {
        $(pub(crate) const $konst: super::Field = super::Field::of_each(&$layers, $name);)*
    };
}

/// Ethernet's fields.
pub(crate) mod ether {
    fields_of!(super::ETHER; DST = "dst", SRC = "src", TYPE = "type");
}

/// 802.1Q's fields.
pub(crate) mod dot1q {
    fields_of!(super::DOT1Q; PRIO = "prio", DEI = "dei", VLAN = "vlan", TYPE = "type");
}

/// ARP's fields.
pub(crate) mod arp {
    fields_of!(super::ARP;
        HWTYPE = "hwtype", PTYPE = "ptype", HWLEN = "hwlen", PLEN = "plen", OP = "op",
        HWSRC = "hwsrc", PSRC = "psrc", HWDST = "hwdst", PDST = "pdst");
}

/// IPv4's fields.
pub(crate) mod ip {
    fields_of!(super::IP;
        VERSION = "version", IHL = "ihl", TOS = "tos", LEN = "len", ID = "id", FLAGS = "flags",
        FRAG = "frag", TTL = "ttl", PROTO = "proto", CHKSUM = "chksum", SRC = "src", DST = "dst");
}

/// IPv6's fields.
pub(crate) mod ipv6 {
    fields_of!(super::IPV6;
        VERSION = "version", TC = "tc", FL = "fl", PLEN = "plen", NH = "nh", HLIM = "hlim",
        SRC = "src", DST = "dst");
}

/// TCP's fields.
pub(crate) mod tcp {
    fields_of!(super::TCP;
        SPORT = "sport", DPORT = "dport", SEQ = "seq", ACK = "ack", DATAOFS = "dataofs",
        RESERVED = "reserved", FLAGS = "flags", WINDOW = "window", CHKSUM = "chksum",
        URGPTR = "urgptr", OPTIONS = "options");
}

/// UDP's fields.
pub(crate) mod udp {
    fields_of!(super::UDP; SPORT = "sport", DPORT = "dport", LEN = "len", CHKSUM = "chksum");
}

/// ICMP's fields; those after the checksum exist for some types only.
pub(crate) mod icmp {
    fields_of!(super::ICMP;
        TYPE = "type", CODE = "code", CHKSUM = "chksum", ID = "id", SEQ = "seq",
        TS_ORI = "ts_ori", TS_RX = "ts_rx", TS_TX = "ts_tx", GW = "gw", PTR = "ptr",
        RESERVED = "reserved", LENGTH = "length", ADDR_MASK = "addr_mask",
        NEXTHOPMTU = "nexthopmtu", UNUSED = "unused");
}

/// The fields every ICMPv6 message has, and those of echo messages.
pub(crate) mod icmpv6 {
    use super::{ICMPV6_ECHO_REPLY, ICMPV6_ECHO_REQUEST, ND_NA, ND_NS, ND_RA, ND_RS};
    fields_of_each!([&ICMPV6_ECHO_REQUEST, &ICMPV6_ECHO_REPLY, &ND_NS, &ND_NA, &ND_RS, &ND_RA];
        TYPE = "type", CODE = "code", CKSUM = "cksum");
    fields_of_each!([&ICMPV6_ECHO_REQUEST, &ICMPV6_ECHO_REPLY]; ID = "id", SEQ = "seq", DATA = "data");
}

/// Neighbour solicitation's own fields.
pub(crate) mod nd_ns {
    fields_of!(super::ND_NS; RES = "res", TGT = "tgt");
}

/// Neighbour advertisement's own fields.
pub(crate) mod nd_na {
    fields_of!(super::ND_NA; R = "R", S = "S", O = "O", RES = "res", TGT = "tgt");
}

/// Router solicitation's own field.
pub(crate) mod nd_rs {
    fields_of!(super::ND_RS; RES = "res");
}

/// Router advertisement's own fields.
pub(crate) mod nd_ra {
    fields_of!(super::ND_RA;
        CHLIM = "chlim", M = "M", O = "O", H = "H", PRF = "prf", P = "P", RES = "res",
        ROUTERLIFETIME = "routerlifetime", REACHABLETIME = "reachabletime",
        RETRANSTIMER = "retranstimer");
}

/// The fields of both link-layer address options of neighbour discovery.
pub(crate) mod nd_opt {
    use super::{ND_OPT_DST_LLADDR, ND_OPT_SRC_LLADDR};
    fields_of_each!([&ND_OPT_SRC_LLADDR, &ND_OPT_DST_LLADDR]; TYPE = "type", LEN = "len", LLADDR = "lladdr");
}

/// DNS's fields.
pub(crate) mod dns {
    fields_of!(super::DNS;
        LENGTH = "length", ID = "id", QR = "qr", OPCODE = "opcode", AA = "aa", TC = "tc",
        RD = "rd", RA = "ra", Z = "z", AD = "ad", CD = "cd", RCODE = "rcode",
        QDCOUNT = "qdcount", ANCOUNT = "ancount", NSCOUNT = "nscount", ARCOUNT = "arcount",
        QD = "qd", QNAME = "qname", QTYPE = "qtype", QCLASS = "qclass");
}

/// The fields of a DNS question inside `qd=`.
pub(crate) mod dnsqr {
    fields_of!(super::DNSQR;
        QNAME = "qname", QTYPE = "qtype", UNICASTRESPONSE = "unicastresponse", QCLASS = "qclass");
}

/// Raw's fields.
pub(crate) mod raw {
    fields_of!(super::RAW; LOAD = "load", HEX = "hex");
}
