//! RADIUS at `-v` and `-vv`, as tcpdump 4.99.3's `radius_print` prints it: the header line
//! with the authenticator, then one line per attribute (`  User-Name Attribute (1), length:
//! 14, Value: ...`), with `-vv` each attribute's value in hex beneath. EAP-Message values
//! print tcpdump's EAP header summary (`Response (2), id 0, len 17`, the type and an identity).
//! Not printed as tcpdump does: vendor names of Vendor-Specific (printed `Unknown`) and the
//! bodies of EAP types other than Identity, Notification and Nak.

use crate::proto::radius::{self, attr};
use crate::render::out::{append_decimal, append_decimal_padded, append_str, be16, be32, hex, ip4, ip6};
use crate::render::time;

use super::dump::{hex_ascii, hex_indent};
use super::netdissect::{ntp_timestamp, push_char};

/// How tcpdump prints one attribute's value.
#[derive(Clone, Copy)]
enum Value {
    Nothing,
    Text,
    Number,
    /// A number with named values: the names and the first value they start at.
    Named(&'static [&'static str], u32),
    Address,
    Address6,
    Prefix6,
    HomeLinkPrefix,
    OperatorName,
    LocationInformation,
    LocationData,
    LocationPolicyRules,
    Time,
    FeatureVector,
    Strange,
    Vendor,
}

const SERVICE_TYPES: &[&str] = &[
    "Login",
    "Framed",
    "Callback Login",
    "Callback Framed",
    "Outbound",
    "Administrative",
    "NAS Prompt",
    "Authenticate Only",
    "Callback NAS Prompt",
    "Call Check",
    "Callback Administrative",
    "Voice",
    "Fax",
    "Modem Relay",
    "IAPP-Register",
    "IAPP-AP-Check",
    "Authorize Only",
    "Framed-Management",
    "Additional-Authorization",
];
const FRAMED_PROTOCOLS: &[&str] = &[
    "PPP",
    "SLIP",
    "ARAP",
    "Gandalf proprietary",
    "Xylogics IPX/SLIP",
    "X.75 Synchronous",
    "GPRS PDP Context",
];
const FRAMED_ROUTING: &[&str] = &["None", "Send", "Listen", "Send&Listen"];
const FRAMED_COMPRESSION: &[&str] = &["None", "VJ TCP/IP", "IPX", "Stac-LZS"];
const LOGIN_SERVICES: &[&str] = &[
    "Telnet",
    "Rlogin",
    "TCP Clear",
    "PortMaster(proprietary)",
    "LAT",
    "X.25-PAD",
    "X.25-T3POS",
    "Unassigned",
    "TCP Clear Quiet",
];
const TERMINATION_ACTIONS: &[&str] = &["Default", "RADIUS-Request"];
const INGRESS_FILTERS: &[&str] = &["Enabled", "Disabled"];
const NAS_PORT_TYPES: &[&str] = &[
    "Async",
    "Sync",
    "ISDN Sync",
    "ISDN Async V.120",
    "ISDN Async V.110",
    "Virtual",
    "PIAFS",
    "HDLC Clear Channel",
    "X.25",
    "X.75",
    "G.3 Fax",
    "SDSL",
    "ADSL-CAP",
    "ADSL-DMT",
    "ISDN-DSL",
    "Ethernet",
    "xDSL",
    "Cable",
    "Wireless - Other",
    "Wireless - IEEE 802.11",
    "Token-Ring",
    "FDDI",
    "Wireless - CDMA200",
    "Wireless - UMTS",
    "Wireless - 1X-EV",
    "IAPP",
    "FTTP",
    "Wireless - IEEE 802.16",
    "Wireless - IEEE 802.20",
    "Wireless - IEEE 802.22",
    "PPPoA",
    "PPPoEoA",
    "PPPoEoE",
    "PPPoEoVLAN",
    "PPPoEoQinQ",
    "xPON",
    "Wireless - XGP",
    "WiMAX Pre-Release 8 IWK Function",
    "WIMAX-WIFI-IWK",
    "WIMAX-SFF",
    "WIMAX-HA-LMA",
    "WIMAX-DHCP",
    "WIMAX-LBS",
    "WIMAX-WVS",
];
const ACCT_STATUS_TYPES: &[&str] = &[
    "Start",
    "Stop",
    "Interim-Update",
    "Unassigned",
    "Unassigned",
    "Unassigned",
    "Accounting-On",
    "Accounting-Off",
    "Tunnel-Start",
    "Tunnel-Stop",
    "Tunnel-Reject",
    "Tunnel-Link-Start",
    "Tunnel-Link-Stop",
    "Tunnel-Link-Reject",
    "Failed",
];
const ACCT_AUTHENTIC: &[&str] = &["RADIUS", "Local", "Remote", "Diameter"];
const ACCT_TERMINATE_CAUSES: &[&str] = &[
    "User Request",
    "Lost Carrier",
    "Lost Service",
    "Idle Timeout",
    "Session Timeout",
    "Admin Reset",
    "Admin Reboot",
    "Port Error",
    "NAS Error",
    "NAS Request",
    "NAS Reboot",
    "Port Unneeded",
    "Port Preempted",
    "Port Suspended",
    "Service Unavailable",
    "Callback",
    "User Error",
    "Host Request",
    "Supplicant Restart",
    "Reauthentication Failure",
    "Port Reinitialized",
    "Port Administratively Disabled",
    "Lost Power",
];
const TUNNEL_TYPES: &[&str] = &[
    "PPTP",
    "L2F",
    "L2TP",
    "ATMP",
    "VTP",
    "AH",
    "IP-IP",
    "MIN-IP-IP",
    "ESP",
    "GRE",
    "DVS",
    "IP-in-IP Tunneling",
    "VLAN",
];
const TUNNEL_MEDIUM_TYPES: &[&str] = &[
    "IPv4",
    "IPv6",
    "NSAP",
    "HDLC",
    "BBN 1822",
    "802",
    "E.163",
    "E.164",
    "F.69",
    "X.121",
    "IPX",
    "Appletalk",
    "Decnet IV",
    "Banyan Vines",
    "E.164 with NSAP subaddress",
];
const ARAP_ZONE_ACCESS: &[&str] =
    &["Only access to dfl zone", "Use zone filter inc.", "Not used", "Use zone filter exc."];
const PROMPTS: &[&str] = &["No Echo", "Echo"];

/// The attribute names and value forms of tcpdump's `attr_type`, by type (0 to 129).
const ATTRIBUTES: &[(&str, Value)] = {
    use Value::*;
    &[
        ("Unknown", Nothing),
        ("User-Name", Text),
        ("User-Password", Nothing),
        ("CHAP-Password", Nothing),
        ("NAS-IP-Address", Address),
        ("NAS-Port", Number),
        ("Service-Type", Named(SERVICE_TYPES, 1)),
        ("Framed-Protocol", Named(FRAMED_PROTOCOLS, 1)),
        ("Framed-IP-Address", Address),
        ("Framed-IP-Netmask", Address),
        ("Framed-Routing", Named(FRAMED_ROUTING, 0)),
        ("Filter-Id", Text),
        ("Framed-MTU", Number),
        ("Framed-Compression", Named(FRAMED_COMPRESSION, 0)),
        ("Login-IP-Host", Address),
        ("Login-Service", Named(LOGIN_SERVICES, 0)),
        ("Login-TCP-Port", Number),
        ("Unassigned", Nothing),
        ("Reply-Message", Text),
        ("Callback-Number", Text),
        ("Callback-Id", Text),
        ("Unassigned", Nothing),
        ("Framed-Route", Text),
        ("Framed-IPX-Network", Number),
        ("State", Text),
        ("Class", Text),
        ("Vendor-Specific", Vendor),
        ("Session-Timeout", Number),
        ("Idle-Timeout", Number),
        ("Termination-Action", Named(TERMINATION_ACTIONS, 0)),
        ("Called-Station-Id", Text),
        ("Calling-Station-Id", Text),
        ("NAS-Identifier", Text),
        ("Proxy-State", Text),
        ("Login-LAT-Service", Text),
        ("Login-LAT-Node", Text),
        ("Login-LAT-Group", Text),
        ("Framed-AppleTalk-Link", Number),
        ("Framed-AppleTalk-Network", Number),
        ("Framed-AppleTalk-Zone", Text),
        ("Acct-Status-Type", Named(ACCT_STATUS_TYPES, 1)),
        ("Acct-Delay-Time", Number),
        ("Acct-Input-Octets", Number),
        ("Acct-Output-Octets", Number),
        ("Acct-Session-Id", Text),
        ("Acct-Authentic", Named(ACCT_AUTHENTIC, 1)),
        ("Acct-Session-Time", Number),
        ("Acct-Input-Packets", Number),
        ("Acct-Output-Packets", Number),
        ("Acct-Terminate-Cause", Named(ACCT_TERMINATE_CAUSES, 1)),
        ("Acct-Multi-Session-Id", Text),
        ("Acct-Link-Count", Number),
        ("Acct-Input-Gigawords", Number),
        ("Acct-Output-Gigawords", Number),
        ("Unassigned", Nothing),
        ("Event-Timestamp", Time),
        ("Egress-VLANID", Number),
        ("Ingress-Filters", Named(INGRESS_FILTERS, 1)),
        ("Egress-VLAN-Name", Text),
        ("User-Priority-Table", Nothing),
        ("CHAP-Challenge", Text),
        ("NAS-Port-Type", Named(NAS_PORT_TYPES, 0)),
        ("Port-Limit", Number),
        ("Login-LAT-Port", Text),
        ("Tunnel-Type", Named(TUNNEL_TYPES, 1)),
        ("Tunnel-Medium-Type", Named(TUNNEL_MEDIUM_TYPES, 1)),
        ("Tunnel-Client-Endpoint", Text),
        ("Tunnel-Server-Endpoint", Text),
        ("Acct-Tunnel-Connection", Text),
        ("Tunnel-Password", Text),
        ("ARAP-Password", Strange),
        ("ARAP-Features", Strange),
        ("ARAP-Zone-Access", Named(ARAP_ZONE_ACCESS, 1)),
        ("ARAP-Security", Text),
        ("ARAP-Security-Data", Text),
        ("Password-Retry", Number),
        ("Prompt", Named(PROMPTS, 0)),
        ("Connect-Info", Text),
        ("Configuration-Token", Text),
        ("EAP-Message", Text),
        ("Message-Authenticator", Text),
        ("Tunnel-Private-Group-ID", Text),
        ("Tunnel-Assignment-ID", Text),
        ("Tunnel-Preference", Number),
        ("ARAP-Challenge-Response", Strange),
        ("Acct-Interim-Interval", Number),
        ("Acct-Tunnel-Packets-Lost", Number),
        ("NAS-Port-Id", Text),
        ("Framed-Pool", Text),
        ("CUI", Text),
        ("Tunnel-Client-Auth-ID", Text),
        ("Tunnel-Server-Auth-ID", Text),
        ("NAS-Filter-Rule", Text),
        ("Unassigned", Nothing),
        ("Originating-Line-Info", Nothing),
        ("NAS-IPv6-Address", Address6),
        ("Framed-Interface-ID", Nothing),
        ("Framed-IPv6-Prefix", Prefix6),
        ("Login-IPv6-Host", Address6),
        ("Framed-IPv6-Route", Text),
        ("Framed-IPv6-Pool", Text),
        ("Error-Cause", Strange),
        ("EAP-Key-Name", Nothing),
        ("Digest-Response", Text),
        ("Digest-Realm", Text),
        ("Digest-Nonce", Text),
        ("Digest-Response-Auth", Text),
        ("Digest-Nextnonce", Text),
        ("Digest-Method", Text),
        ("Digest-URI", Text),
        ("Digest-Qop", Text),
        ("Digest-Algorithm", Text),
        ("Digest-Entity-Body-Hash", Text),
        ("Digest-CNonce", Text),
        ("Digest-Nonce-Count", Text),
        ("Digest-Username", Text),
        ("Digest-Opaque", Text),
        ("Digest-Auth-Param", Text),
        ("Digest-AKA-Auts", Text),
        ("Digest-Domain", Text),
        ("Digest-Stale", Text),
        ("Digest-HA1", Text),
        ("SIP-AOR", Text),
        ("Delegated-IPv6-Prefix", Prefix6),
        ("MIP6-Feature-Vector", FeatureVector),
        ("MIP6-Home-Link-Prefix", HomeLinkPrefix),
        ("Operator-Name", OperatorName),
        ("Location-Information", LocationInformation),
        ("Location-Data", LocationData),
        ("Basic-Location-Policy-Rules", LocationPolicyRules),
    ]
};

/// tcpdump's `errorcausetype` (RFC 5176 Error-Cause values).
fn error_cause(value: u32) -> Option<&'static str> {
    Some(match value {
        201 => "Residual Session Context Removed",
        202 => "Invalid EAP Packet (Ignored)",
        401 => "Unsupported Attribute",
        402 => "Missing Attribute",
        403 => "NAS Identification Mismatch",
        404 => "Invalid Request",
        405 => "Unsupported Service",
        406 => "Unsupported Extension",
        407 => "Invalid Attribute Value",
        501 => "Administratively Prohibited",
        502 => "Request Not Routable (Proxy)",
        503 => "Session Context Not Found",
        504 => "Session Context Not Removable",
        505 => "Other Proxy Processing Error",
        506 => "Resources Unavailable",
        507 => "Request Initiated",
        508 => "Multiple Session Selection Unsupported",
        509 => "Location Info Required",
        _ => return None,
    })
}

/// RFC 5447's MIP6-Feature-Vector bits, in tcpdump's order.
const FEATURE_BITS: [(u64, &str); 12] = [
    (0x0000_0000_0000_0001, "MIP6_INTEGRATED"),
    (0x0000_0000_0000_0002, "LOCAL_HOME_AGENT_ASSIGNMENT"),
    (0x0000_0100_0000_0000, "PMIP6_SUPPORTED"),
    (0x0000_0200_0000_0000, "IP4_HOA_SUPPORTED"),
    (0x0000_0400_0000_0000, "LOCAL_MAG_ROUTING_SUPPORTED"),
    (0x0000_0800_0000_0000, "ASSIGN_LOCAL_IP"),
    (0x0000_1000_0000_0000, "MIP4_SUPPORTED"),
    (0x0000_2000_0000_0000, "OPTIMIZED_IDLE_MODE_MOBILITY"),
    (0x0000_4000_0000_0000, "GTPv2_SUPPORTED"),
    (0x0000_8000_0000_0000, "IP4_TRANSPORT_SUPPORTED"),
    (0x0001_0000_0000_0000, "IP4_HOA_ONLY_SUPPORTED"),
    (0x0002_0000_0000_0000, "INTER_MAG_ROUTING_SUPPORTED"),
];

/// RFC 4675's tag byte of Egress-VLANID and Egress-VLAN-Name.
fn vlan_tag(b: &mut Vec<u8>, tag: u8) {
    append_str(
        b,
        match tag {
            0x31 => "Tagged",
            0x32 => "Untagged",
            _ => "Unknown tag",
        },
    );
    append_str(b, " (0x");
    hex(b, tag as u64, 2);
    append_str(b, ") ");
}

/// A tunnel attribute's tag byte: `Tag[3] ` or `Tag[Unused] `.
fn tunnel_tag(b: &mut Vec<u8>, tag: u8) {
    if tag == 0 {
        append_str(b, "Tag[Unused] ");
    } else {
        append_str(b, "Tag[");
        append_decimal(b, tag);
        append_str(b, "] ");
    }
}

/// netdissect's `nd_printn`: every byte as `fn_print_char` shows it.
fn printn(b: &mut Vec<u8>, data: &[u8]) {
    let mut s = String::new();
    for &c in data {
        push_char(&mut s, c);
    }
    append_str(b, &s);
}

/// The first 24 characters of C's `ctime`, in UTC (tcpdump uses the local zone; its tests run
/// in UTC): `Mon Nov 24 18:22:48 1986`.
fn ctime(b: &mut Vec<u8>, secs: u32) {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let civil = time::civil_utc(secs as i64);
    append_str(b, DAYS[(secs as usize / 86_400) % 7]);
    b.push(b' ');
    append_str(b, MONTHS[civil.month as usize - 1]);
    b.push(b' ');
    append_decimal_padded(b, civil.day, 2, b' ');
    b.push(b' ');
    time::hms(b, &civil);
    b.push(b' ');
    append_decimal(b, civil.year);
}

/// `ERROR: length N < M`.
fn short_error(b: &mut Vec<u8>, length: usize, least: usize) {
    append_str(b, "ERROR: length ");
    append_decimal(b, length);
    append_str(b, " < ");
    append_decimal(b, least);
}

/// `ERROR: length N != M`.
fn length_error(b: &mut Vec<u8>, length: usize, want: usize) {
    append_str(b, "ERROR: length ");
    append_decimal(b, length);
    append_str(b, " != ");
    append_decimal(b, want);
}

/// One attribute's value (tcpdump's per-type `print_attr_*`); `data` holds the value bytes
/// that were captured, `length` those the attribute claims.
fn value(b: &mut Vec<u8>, kind: u8, form: Value, data: &[u8], length: usize) -> Result<(), ()> {
    let need = |n: usize| if data.len() < n { Err(()) } else { Ok(()) };
    match form {
        Value::Nothing => {}
        Value::Text => {
            need(length)?;
            let mut rest = &data[..length];
            match kind {
                attr::TUNNEL_PASSWORD => {
                    if rest.len() < 3 {
                        return Err(());
                    }
                    if rest[0] != 0 && rest[0] <= 0x1f {
                        tunnel_tag(b, rest[0]);
                    } else {
                        append_str(b, "Tag[Unused] ");
                    }
                    append_str(b, "Salt ");
                    append_decimal(b, u16::from_be_bytes([rest[1], rest[2]]));
                    b.push(b' ');
                    rest = &rest[3..];
                }
                attr::TUNNEL_CLIENT_ENDPOINT
                | attr::TUNNEL_SERVER_ENDPOINT
                | attr::TUNNEL_PRIVATE_GROUP_ID
                | attr::TUNNEL_ASSIGNMENT_ID
                | attr::TUNNEL_CLIENT_AUTH_ID
                | attr::TUNNEL_SERVER_AUTH_ID
                    if rest[0] <= 0x1f =>
                {
                    tunnel_tag(b, rest[0]);
                    rest = &rest[1..];
                }
                attr::EGRESS_VLAN_NAME => {
                    vlan_tag(b, rest[0]);
                    rest = &rest[1..];
                }
                attr::EAP_MESSAGE => return eap(b, rest),
                _ => {}
            }
            for &c in rest.iter().take_while(|&&c| c != 0) {
                b.push(if (0x20..0x7f).contains(&c) { c } else { b'.' });
            }
        }
        Value::Number | Value::Named(..) => {
            if length != 4 {
                length_error(b, length, 4);
                return Ok(());
            }
            need(4)?;
            let whole = u32::from_be_bytes([data[0], data[1], data[2], data[3]]);
            let low24 = whole & 0x00ff_ffff;
            if let Value::Named(names, first) = form {
                let number = if kind == attr::TUNNEL_TYPE || kind == attr::TUNNEL_MEDIUM_TYPE {
                    tunnel_tag(b, data[0]);
                    low24
                } else {
                    whole
                };
                match number.checked_sub(first).and_then(|i| names.get(i as usize)) {
                    Some(name) => append_str(b, name),
                    None => {
                        b.push(b'#');
                        append_decimal(b, number);
                    }
                }
                return Ok(());
            }
            match kind {
                attr::FRAMED_IPX_NETWORK if whole == 0xffff_fffe => append_str(b, "NAS Select"),
                attr::SESSION_TIMEOUT
                | attr::IDLE_TIMEOUT
                | attr::ACCT_DELAY_TIME
                | attr::ACCT_SESSION_TIME
                | attr::ACCT_INTERIM_INTERVAL => {
                    let pad = |b: &mut Vec<u8>, n: u32| append_decimal_padded(b, n, 2, b'0');
                    if whole < 60 {
                        pad(b, whole);
                        append_str(b, " secs");
                    } else if whole < 3600 {
                        pad(b, whole / 60);
                        b.push(b':');
                        pad(b, whole % 60);
                        append_str(b, " min");
                    } else {
                        pad(b, whole / 3600);
                        b.push(b':');
                        pad(b, whole % 3600 / 60);
                        b.push(b':');
                        pad(b, whole % 60);
                        append_str(b, " hours");
                    }
                }
                attr::FRAMED_APPLETALK_LINK if whole == 0 => append_str(b, "Unnumbered"),
                attr::FRAMED_APPLETALK_NETWORK if whole == 0 => append_str(b, "NAS assigned"),
                attr::TUNNEL_PREFERENCE => {
                    tunnel_tag(b, data[0]);
                    append_decimal(b, low24);
                }
                attr::EGRESS_VLANID => {
                    vlan_tag(b, data[0]);
                    append_decimal(b, low24);
                }
                _ => append_decimal(b, whole),
            }
        }
        Value::Address => {
            if length != 4 {
                length_error(b, length, 4);
                return Ok(());
            }
            need(4)?;
            let whole = u32::from_be_bytes([data[0], data[1], data[2], data[3]]);
            match kind {
                attr::FRAMED_IP_ADDRESS | attr::LOGIN_IP_HOST if whole == 0xffff_ffff => {
                    append_str(b, "User Selected")
                }
                attr::FRAMED_IP_ADDRESS | attr::LOGIN_IP_HOST if whole == 0xffff_fffe => {
                    append_str(b, "NAS Select")
                }
                _ => ip4(b, &data[..4]),
            }
        }
        Value::Address6 => {
            if length != 16 {
                length_error(b, length, 16);
                return Ok(());
            }
            need(16)?;
            ip6(b, &data[..16]);
        }
        Value::Prefix6 => {
            if !(2..=18).contains(&length) {
                append_str(b, "ERROR: length ");
                append_decimal(b, length);
                append_str(b, " not in range (2..18)");
                return Ok(());
            }
            need(length)?;
            let bits = data[1];
            if bits > 128 {
                append_str(b, "ERROR: netmask ");
                append_decimal(b, bits);
                append_str(b, " not in range (0..128)");
                return Ok(());
            }
            let mut address = [0u8; 16];
            address[..length - 2].copy_from_slice(&data[2..length]);
            ip6(b, &address);
            b.push(b'/');
            append_decimal(b, bits);
            if bits as usize > 8 * (length - 2) {
                append_str(b, " (inconsistent prefix length)");
            }
        }
        Value::HomeLinkPrefix => {
            if length != 17 {
                length_error(b, length, 17);
                return Ok(());
            }
            need(17)?;
            if data[0] > 128 {
                append_str(b, "ERROR: netmask ");
                append_decimal(b, data[0]);
                append_str(b, " not in range (0..128)");
                return Ok(());
            }
            ip6(b, &data[1..17]);
            b.push(b'/');
            append_decimal(b, data[0]);
        }
        Value::OperatorName => {
            need(length)?;
            if length < 2 {
                short_error(b, length, 2);
                return Ok(());
            }
            append_str(b, "[");
            match data[0] {
                0x30 => append_str(b, "TADIG"),
                0x31 => append_str(b, "REALM"),
                0x32 => append_str(b, "E212"),
                0x33 => append_str(b, "ICC"),
                n => {
                    append_str(b, "unknown namespace ");
                    append_decimal(b, n);
                }
            }
            append_str(b, "] ");
            printn(b, &data[1..length]);
        }
        Value::LocationInformation => {
            need(length)?;
            if length < 21 {
                short_error(b, length, 21);
                return Ok(());
            }
            append_str(b, "index ");
            append_decimal(b, u16::from_be_bytes([data[0], data[1]]));
            append_str(b, ", code ");
            match data[2] {
                0 => append_str(b, "Civic"),
                1 => append_str(b, "Geospatial"),
                n => unknown(b, n),
            }
            append_str(b, ", entity ");
            match data[3] {
                0 => append_str(b, "User"),
                1 => append_str(b, "RADIUS"),
                n => unknown(b, n),
            }
            append_str(b, ", sighting time ");
            ntp_timestamp(b, &data[4..12]);
            append_str(b, ", time to live ");
            ntp_timestamp(b, &data[12..20]);
            append_str(b, ", method \"");
            printn(b, &data[20..length]);
            b.push(b'"');
        }
        Value::LocationData => {
            need(length)?;
            if length < 3 {
                short_error(b, length, 3);
                return Ok(());
            }
            append_str(b, "index ");
            append_decimal(b, u16::from_be_bytes([data[0], data[1]]));
            append_str(b, ", location");
            let start = b.len();
            hex_ascii(b, &data[2..length], 0);
            let dump = b.split_off(start);
            for line in dump.split(|&c| c == b'\n').filter(|l| !l.is_empty()) {
                append_str(b, "\n\t    ");
                b.extend_from_slice(&line[1..]);
            }
        }
        Value::LocationPolicyRules => {
            need(length)?;
            if length < 10 {
                short_error(b, length, 10);
                return Ok(());
            }
            let flags = u16::from_be_bytes([data[0], data[1]]);
            append_str(b, "flags [");
            if flags == 0 {
                append_str(b, "none");
            } else {
                // tcpdump's blpr_bm: bit 15 is "Retransmission Allowed", the rest must be zero.
                let mut sep = "";
                for bit in 0..16 {
                    let mask = 1u16 << bit;
                    if flags & mask != 0 {
                        append_str(b, sep);
                        if bit == 15 {
                            append_str(b, "Retransmission Allowed");
                        } else {
                            append_str(b, "MBZ-");
                            append_decimal(b, 15 - bit);
                        }
                        sep = ", ";
                    }
                }
            }
            append_str(b, "], retention expires ");
            ntp_timestamp(b, &data[2..10]);
            if length > 10 {
                append_str(b, ", note well \"");
                printn(b, &data[10..length]);
                b.push(b'"');
            }
        }
        Value::Time => {
            if length != 4 {
                length_error(b, length, 4);
                return Ok(());
            }
            need(4)?;
            ctime(b, u32::from_be_bytes([data[0], data[1], data[2], data[3]]));
        }
        Value::FeatureVector => {
            if length != 8 {
                length_error(b, length, 8);
                return Ok(());
            }
            need(8)?;
            let bits = u64::from_be_bytes(data[..8].try_into().map_err(|_| ())?);
            b.push(b'[');
            let mut sep = "";
            for (mask, name) in FEATURE_BITS {
                if bits & mask != 0 {
                    append_str(b, sep);
                    append_str(b, name);
                    sep = ", ";
                }
            }
            b.push(b']');
        }
        Value::Strange => strange(b, kind, data, length)?,
        Value::Vendor => vendor(b, data, length)?,
    }
    Ok(())
}

fn unknown(b: &mut Vec<u8>, n: u8) {
    append_str(b, "Unknown (");
    append_decimal(b, n);
    b.push(b')');
}

/// tcpdump's `print_attr_strange`: ARAP's fields and Error-Cause.
fn strange(b: &mut Vec<u8>, kind: u8, data: &[u8], length: usize) -> Result<(), ()> {
    let upper_hex = |b: &mut Vec<u8>, bytes: &[u8]| {
        for &c in bytes {
            b.extend_from_slice(format!("{c:02X}").as_bytes());
        }
    };
    let need = |n: usize| if data.len() < n { Err(()) } else { Ok(()) };
    match kind {
        attr::ARAP_PASSWORD => {
            if length != 16 {
                length_error(b, length, 16);
                return Ok(());
            }
            need(16)?;
            append_str(b, "User_challenge (");
            upper_hex(b, &data[..8]);
            append_str(b, ") User_resp(");
            upper_hex(b, &data[8..16]);
            b.push(b')');
        }
        attr::ARAP_FEATURES => {
            if length != 14 {
                length_error(b, length, 14);
                return Ok(());
            }
            need(14)?;
            append_str(
                b,
                if data[0] != 0 { "User can change password" } else { "User cannot change password" },
            );
            append_str(b, ", Min password length: ");
            append_decimal(b, data[1]);
            append_str(b, ", created at: ");
            upper_hex(b, &data[2..6]);
            append_str(b, ", expires in: ");
            upper_hex(b, &data[6..10]);
            append_str(b, ", Current Time: ");
            upper_hex(b, &data[10..14]);
        }
        attr::ARAP_CHALLENGE_RESPONSE => {
            if length < 8 {
                length_error(b, length, 8);
                return Ok(());
            }
            need(8)?;
            upper_hex(b, &data[..8]);
        }
        attr::ERROR_CAUSE => {
            if length != 4 {
                append_str(b, "Error: length ");
                append_decimal(b, length);
                append_str(b, " != 4");
                return Ok(());
            }
            need(4)?;
            let cause = u32::from_be_bytes([data[0], data[1], data[2], data[3]]);
            append_str(b, "Error cause ");
            append_decimal(b, cause);
            append_str(b, ": ");
            match error_cause(cause) {
                Some(name) => append_str(b, name),
                None => {
                    append_str(b, "Error-Cause ");
                    append_decimal(b, cause);
                    append_str(b, " not known");
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// tcpdump's `print_vendor_attr`: the vendor number and its sub-attributes as text.
fn vendor(b: &mut Vec<u8>, data: &[u8], length: usize) -> Result<(), ()> {
    if length < 4 {
        return Err(());
    }
    let id = be32(data, 0).ok_or(())?;
    append_str(b, "Vendor: Unknown (");
    append_decimal(b, id);
    b.push(b')');
    let mut rest = length - 4;
    let mut at = 4;
    while rest >= 2 {
        let (Some(&kind), Some(&len)) = (data.get(at), data.get(at + 1)) else { return Err(()) };
        let len = len as usize;
        append_str(b, "\n\t    Vendor Attribute: ");
        append_decimal(b, kind);
        append_str(b, ", Length: ");
        if len < 2 {
            append_decimal(b, len);
            append_str(b, " (bogus, must be >= 2)");
            return Ok(());
        }
        if len > rest {
            append_decimal(b, len);
            append_str(b, " (bogus, goes past end of vendor-specific attribute)");
            return Ok(());
        }
        let body = data.get(at + 2..at + len).ok_or(())?;
        append_decimal(b, len - 2);
        append_str(b, ", Value: ");
        for &c in body {
            b.push(if (0x20..0x7f).contains(&c) { c } else { b'.' });
        }
        at += len;
        rest -= len;
    }
    Ok(())
}

/// tcpdump's `eap_code_values` and `eap_type_values`.
fn eap_code(code: u8) -> &'static str {
    match code {
        1 => "Request",
        2 => "Response",
        3 => "Success",
        4 => "Failure",
        _ => "unknown",
    }
}

fn eap_type(t: u8) -> &'static str {
    match t {
        0 => "No proposed",
        1 => "Identity",
        2 => "Notification",
        3 => "Nak",
        4 => "MD5-challenge",
        5 => "OTP",
        6 => "GTC",
        13 => "TLS",
        18 => "SIM",
        21 => "TTLS",
        23 => "AKA",
        43 => "FAST",
        254 => "Expanded types",
        255 => "Experimental",
        _ => "unknown",
    }
}

/// tcpdump's `eap_print` as far as the header, the type and the Identity, Notification and
/// Nak bodies.
fn eap(b: &mut Vec<u8>, data: &[u8]) -> Result<(), ()> {
    let code = *data.first().ok_or(())?;
    let len = be16(data, 2).ok_or(())? as usize;
    if len != data.len() {
        append_str(b, "EAP fragment?");
        return Ok(());
    }
    append_str(b, eap_code(code));
    append_str(b, " (");
    append_decimal(b, code);
    append_str(b, "), id ");
    append_decimal(b, data[1]);
    append_str(b, ", len ");
    append_decimal(b, len);
    if len < 4 {
        append_str(b, " (too short for EAP header)");
        return Ok(());
    }
    if code != 1 && code != 2 {
        return Ok(());
    }
    if len < 5 {
        append_str(b, " (too short for EAP request/response)");
        return Ok(());
    }
    let subtype = data[4];
    append_str(b, "\n\t\t Type ");
    append_str(b, eap_type(subtype));
    append_str(b, " (");
    append_decimal(b, subtype);
    b.push(b')');
    match subtype {
        1 if len > 5 => {
            append_str(b, ", Identity: ");
            printn(b, &data[5..len]);
        }
        2 => {
            if len < 6 {
                append_str(b, " (too short for EAP Notification request/response)");
                return Ok(());
            }
            append_str(b, ", Notification: ");
            printn(b, &data[5..len]);
        }
        3 => {
            if len < 6 {
                append_str(b, " (too short for EAP Legacy NAK request/response)");
                return Ok(());
            }
            let mut sep = "";
            for &t in &data[5..len] {
                append_str(b, sep);
                b.push(b' ');
                append_str(b, eap_type(t));
                append_str(b, " (");
                append_decimal(b, t);
                b.push(b')');
                sep = ",";
            }
        }
        _ => {}
    }
    Ok(())
}

/// The `-v` form after `RADIUS, length: N`: the code line and the attributes (`len` is the
/// RADIUS length, at most the UDP payload's).
pub(super) fn write_verbose(b: &mut Vec<u8>, p: &[u8], h: &radius::Header, len: usize, verbosity: u8) {
    append_str(b, "\n\t");
    append_str(b, super::summaries::radius_command(h.code));
    append_str(b, " (");
    append_decimal(b, h.code);
    append_str(b, "), id: 0x");
    hex(b, h.id as u64, 2);
    append_str(b, ", Authenticator: ");
    for &c in &p[4..radius::HEADER_LEN] {
        hex(b, c as u64, 2);
    }
    if len <= radius::HEADER_LEN {
        return;
    }
    let mut at = radius::HEADER_LEN;
    let mut rest = len - radius::HEADER_LEN;
    while rest > 0 {
        let (true, Some(&kind), Some(&alen)) = (rest >= 2, p.get(at), p.get(at + 1)) else {
            return append_str(b, " [|radius]");
        };
        let alen = alen as usize;
        let (name, form) = ATTRIBUTES
            .get(kind as usize)
            .copied()
            .filter(|_| kind != 0)
            .unwrap_or(("Unknown", Value::Nothing));
        append_str(b, "\n\t  ");
        append_str(b, name);
        append_str(b, " Attribute (");
        append_decimal(b, kind);
        append_str(b, "), length: ");
        append_decimal(b, alen);
        if alen < 2 {
            return append_str(b, " (bogus, must be >= 2)");
        }
        if alen > rest {
            return append_str(b, " (bogus, goes past end of packet)");
        }
        append_str(b, ", Value: ");
        let data = p.get(at + 2..).unwrap_or(&[]);
        if alen > 2 && value(b, kind, form, data, alen - 2).is_err() {
            return append_str(b, " [|radius]");
        }
        if verbosity > 1 {
            let Some(bytes) = p.get(at + 2..at + alen) else { return append_str(b, " [|radius]") };
            hex_indent(b, bytes, "\n\t    ");
        }
        at += alen;
        rest -= alen;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verbose(p: &[u8], verbosity: u8) -> String {
        let h = radius::Header::parse(p).unwrap();
        let mut b = Vec::new();
        write_verbose(&mut b, p, &h, h.length as usize, verbosity);
        String::from_utf8(b).unwrap()
    }

    fn packet(code: u8, attributes: &[u8]) -> Vec<u8> {
        let mut p = vec![code, 5, 0, 0];
        p.extend(0..16u8);
        p.extend_from_slice(attributes);
        let len = p.len() as u16;
        p[2..4].copy_from_slice(&len.to_be_bytes());
        p
    }

    #[test]
    fn attributes_as_tcpdump_prints_them() {
        // Checked against tcpdump 4.99.3 -v: User-Name, NAS-IP-Address, Service-Type,
        // Session-Timeout, Framed-IP-Address 0xfffffffe, Egress-VLANID, Error-Cause.
        let p = packet(
            1,
            &[
                1, 6, b'j', b'o', b'h', b'n', 4, 6, 10, 0, 0, 1, 6, 6, 0, 0, 0, 2, 27, 6, 0, 0, 0x0e, 0x11,
                8, 6, 0xff, 0xff, 0xff, 0xfe, 56, 6, 0x31, 0, 0, 10, 101, 6, 0, 0, 1, 0x91,
            ],
        );
        assert_eq!(
            verbose(&p, 1),
            "\n\tAccess-Request (1), id: 0x05, Authenticator: 000102030405060708090a0b0c0d0e0f\
             \n\t  User-Name Attribute (1), length: 6, Value: john\
             \n\t  NAS-IP-Address Attribute (4), length: 6, Value: 10.0.0.1\
             \n\t  Service-Type Attribute (6), length: 6, Value: Framed\
             \n\t  Session-Timeout Attribute (27), length: 6, Value: 01:00:01 hours\
             \n\t  Framed-IP-Address Attribute (8), length: 6, Value: NAS Select\
             \n\t  Egress-VLANID Attribute (56), length: 6, Value: Tagged (0x31) 10\
             \n\t  Error-Cause Attribute (101), length: 6, Value: Error cause 401: Unsupported Attribute"
        );
    }

    #[test]
    fn eap_and_hex_with_vv_and_bogus_lengths() {
        let p = packet(2, &[79, 6, 3, 1, 0, 4, 200, 1]);
        assert_eq!(
            verbose(&p, 2),
            "\n\tAccess-Accept (2), id: 0x05, Authenticator: 000102030405060708090a0b0c0d0e0f\
             \n\t  EAP-Message Attribute (79), length: 6, Value: Success (3), id 1, len 4\
             \n\t    0x0000:  0301 0004\
             \n\t  Unknown Attribute (200), length: 1 (bogus, must be >= 2)"
        );
        let p = packet(1, &[79, 11, 2, 0, 0, 9, 1, b'j', b'o', b'h', b'n']);
        assert!(
            verbose(&p, 1)
                .ends_with("Value: Response (2), id 0, len 9\n\t\t Type Identity (1), Identity: john")
        );
        let p = packet(1, &[1, 9, b'x']);
        assert!(verbose(&p, 1).ends_with("length: 9 (bogus, goes past end of packet)"));
    }

    #[test]
    fn ntp_timestamps_and_ctime() {
        let mut b = Vec::new();
        ntp_timestamp(&mut b, &[0xe2, 0xb3, 0x0c, 0x67, 0x89, 0xab, 0xcd, 0xef]);
        assert_eq!(String::from_utf8(b).unwrap(), "3803384935.537777777 (2020-07-10T15:48:55Z)");
        let mut b = Vec::new();
        ctime(&mut b, 533_240_568);
        assert_eq!(String::from_utf8(b).unwrap(), "Mon Nov 24 18:22:48 1986");
    }
}
