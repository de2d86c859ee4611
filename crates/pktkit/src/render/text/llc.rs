//! 802.2 LLC and what it carries, as tcpdump 4.99.3's `llc_print` and `stp_print` print them:
//! spanning-tree BPDUs (STP, RSTP, MSTP) after the STP SAP, and CDP after SNAP (without `-v`). With `-e` the LLC header comes
//! first (`LLC, dsap STP (0x42) Individual, ssap STP (0x42) Command, ctrl 0x03: `).

use super::netdissect::push_char;
use crate::proto::cdp;
use crate::proto::llc::{self, Llc, Snap};
use crate::proto::stp::{self, Bpdu, bpdu_type, field, version};
use crate::render::out::{self, append_decimal, append_str, hex};

use super::TextPrinter;
use super::dump::hex_indent;

/// tcpdump's names of the SAPs (`llc_values`).
fn sap_name(sap: u8) -> &'static str {
    match sap {
        0x00 => "Null",
        0xff => "Global",
        0x02 => "802.1B I",
        0x03 => "802.1B G",
        0x06 => "IP",
        0x04 => "SNA",
        0x0e => "ProWay NM",
        0x42 => "STP",
        0x4e => "RS511",
        0x7e => "ISO8208",
        0x8e => "ProWay",
        0xaa => "SNAP",
        0xe0 => "IPX",
        0xf0 => "NetBeui",
        0xfe => "OSI",
        _ => "Unknown",
    }
}

/// tcpdump's `cdptlvs`: name, shortest and longest value (0: any).
fn cdp_tlv(ty: u16) -> Option<(&'static str, usize, usize)> {
    Some(match ty {
        0x01 => ("Device-ID", 0, 0),
        0x02 => ("Address", 0, 0),
        0x03 => ("Port-ID", 0, 0),
        0x04 => ("Capability", 4, 4),
        0x05 => ("Version String", 0, 0),
        0x06 => ("Platform", 0, 0),
        0x07 => ("Prefixes", 0, 0),
        0x08 => ("Protocol-Hello option", 0, 0),
        0x09 => ("VTP Management Domain", 0, 0),
        0x0a => ("Native VLAN ID", 2, 2),
        0x0b => ("Duplex", 1, 1),
        0x0e => ("ATA-186 VoIP VLAN assignment", 3, 3),
        0x0f => ("ATA-186 VoIP VLAN request", 2, 3),
        0x10 => ("power consumption", 1, 3),
        0x11 => ("MTU", 4, 4),
        0x12 => ("AVVID trust bitmap", 1, 1),
        0x13 => ("AVVID untrusted ports CoS", 1, 1),
        0x14 => ("System Name", 0, 0),
        0x15 => ("System Object ID (not decoded)", 0, 0),
        0x16 => ("Management Addresses", 4, 0),
        0x17 => ("Physical Location", 1, 0),
        _ => return None,
    })
}

/// tcpdump's `stp_bpdu_flag_values`.
const STP_FLAGS: [(u8, &str); 6] = [
    (0x01, "Topology change"),
    (0x02, "Proposal"),
    (0x10, "Learn"),
    (0x20, "Forward"),
    (0x40, "Agreement"),
    (0x80, "Topology change ACK"),
];

/// tcpdump's `rstp_obj_port_role_values`.
fn port_role(role: u8) -> &'static str {
    match role {
        1 => "Alternate",
        2 => "Root",
        3 => "Designated",
        _ => "Unknown",
    }
}

/// tcpdump's `bittok2str` with "none" for no flag.
fn flags(b: &mut Vec<u8>, v: u8) {
    super::netdissect::bit_names(b, u32::from(v), &STP_FLAGS);
}

/// A bridge identifier as `pppp.aa:bb:cc:dd:ee:ff`.
fn bridge_id(b: &mut Vec<u8>, id: &[u8]) {
    for (i, byte) in id.iter().enumerate() {
        match i {
            2 => b.push(b'.'),
            3..=7 => b.push(b':'),
            _ => {}
        }
        hex(b, *byte as u64, 2);
    }
}

/// A timer in 1/256 s as tcpdump's `%.2fs` prints it: exact, ties to even.
fn seconds(b: &mut Vec<u8>, v: u16) {
    let scaled = v as u32 * 100;
    let (mut hundredths, rest) = (scaled / stp::TIME_UNITS, scaled % stp::TIME_UNITS);
    let half = stp::TIME_UNITS / 2;
    if rest > half || (rest == half && hundredths % 2 == 1) {
        hundredths += 1;
    }
    append_decimal(b, hundredths / 100);
    b.push(b'.');
    out::append_decimal_padded(b, hundredths % 100, 2, b'0');
    b.push(b's');
}

/// The bytes needed for the fields printed next; false (after tcpdump's `[|stp]`) when cut.
fn need(b: &mut Vec<u8>, p: &[u8], len: usize) -> bool {
    if p.len() < len {
        append_str(b, " [|stp]");
        return false;
    }
    true
}

impl TextPrinter {
    /// Prints an LLC frame of `length` bytes (the 802.3 length) if tcpdump decodes what it
    /// carries; returns the LLC header length, or None (nothing printed) to let the caller
    /// print its generic summary.
    pub(super) fn llc(&mut self, b: &mut Vec<u8>, p: &[u8], length: usize) -> Option<usize> {
        let h = Llc::parse(p)?;
        let hl = h.header_len();
        if length < hl {
            return None;
        }
        let snap = if h.is_ui_for(llc::sap::SNAP) {
            let snap = Snap::parse(&p[hl..])?;
            if length < hl + llc::SNAP_LEN || (snap.oui, snap.pid) != (llc::OUI_CISCO, llc::PID_CDP) {
                return None;
            }
            Some(snap)
        } else if h.is_ui_for(llc::sap::STP) {
            None
        } else {
            return None;
        };
        if self.o.link_header {
            append_str(b, "LLC, dsap ");
            append_str(b, sap_name(h.dsap()));
            append_str(b, " (0x");
            hex(b, h.dsap() as u64, 2);
            append_str(
                b,
                if h.dsap_field & llc::DSAP_GROUP != 0 { ") Group, ssap " } else { ") Individual, ssap " },
            );
            append_str(b, sap_name(h.ssap()));
            append_str(b, " (0x");
            hex(b, h.ssap() as u64, 2);
            append_str(b, if h.ssap_field & llc::SSAP_RESPONSE != 0 { ") Response" } else { ") Command" });
            append_str(b, ", ctrl 0x");
            hex(b, h.control as u64, if h.unnumbered { 2 } else { 4 });
            append_str(b, ": ");
        }
        if snap.is_some() {
            if self.o.link_header {
                append_str(b, "oui Cisco (0x00000c), pid CDP (0x2000), length ");
                append_decimal(b, length - hl - llc::SNAP_LEN);
                append_str(b, ": ");
            }
            let at = hl + llc::SNAP_LEN;
            self.cdp(b, &p[at..], length - at);
            return Some(at);
        }
        self.stp(b, &p[hl..], length - hl);
        Some(hl)
    }

    /// tcpdump's `cdp_print` without `-v`: version, TTL, the Device-ID, a hex dump of each
    /// other field, and the length.
    fn cdp(&self, b: &mut Vec<u8>, p: &[u8], length: usize) {
        if length < cdp::HEADER_LEN {
            append_str(b, " (packet length ");
            append_decimal(b, length);
            append_str(b, " < 4) (invalid)");
            return;
        }
        let Some(h) = cdp::Header::parse(p) else { return append_str(b, " [|cdp]") };
        append_str(b, "CDPv");
        append_decimal(b, h.version);
        append_str(b, ", ttl: ");
        append_decimal(b, h.ttl);
        b.push(b's');
        let (mut at, mut left) = (cdp::HEADER_LEN, length - cdp::HEADER_LEN);
        while left > 0 {
            if left < cdp::TLV_HEADER_LEN {
                append_str(b, " (remaining packet length ");
                append_decimal(b, left);
                append_str(b, " < 4) (invalid)");
                return;
            }
            let Some((ty, len)) = cdp::tlv_header(&p[at.min(p.len())..]) else {
                return append_str(b, " [|cdp]");
            };
            let len = len as usize;
            let info = cdp_tlv(ty);
            if len < cdp::TLV_HEADER_LEN {
                append_str(b, ", ");
                append_str(b, info.map_or("unknown field type", |i| i.0));
                append_str(b, " TLV length ");
                append_decimal(b, len);
                append_str(b, " too short (invalid)");
                return;
            }
            if len > left {
                append_str(b, " (TLV length ");
                append_decimal(b, len);
                append_str(b, " > ");
                append_decimal(b, left);
                append_str(b, ") (invalid)");
                return;
            }
            at += cdp::TLV_HEADER_LEN;
            left -= len;
            let len = len - cdp::TLV_HEADER_LEN;
            let Some(value) = p.get(at..at + len) else { return append_str(b, " [|cdp]") };
            if ty == cdp::TLV_DEVICE_ID {
                append_str(b, ", Device-ID ");
            }
            let mut covered = false;
            if let Some((_, min, max)) = info {
                if (min > 0 && len < min) || (max > 0 && len > max) {
                    append_str(b, " (malformed TLV)");
                } else if ty == cdp::TLV_DEVICE_ID {
                    let mut t = String::new();
                    for &c in value {
                        push_char(&mut t, c);
                    }
                    b.push(b'\'');
                    append_str(b, &t);
                    b.push(b'\'');
                    covered = true;
                }
            }
            if !covered {
                hex_indent(b, value, "\n\t  ");
            }
            at += len;
        }
        append_str(b, ", length ");
        append_decimal(b, length);
    }

    /// tcpdump's `stp_print` for a BPDU of `length` bytes on the wire.
    fn stp(&self, b: &mut Vec<u8>, p: &[u8], length: usize) {
        let bpdu = Bpdu::new(p);
        if length < 4 {
            append_str(b, " (invalid)");
            return;
        }
        let Some(id) = bpdu.protocol_id() else { return append_str(b, " [|stp]") };
        if id != 0 {
            append_str(b, "unknown STP version, length ");
            append_decimal(b, length);
            return;
        }
        let Some(ver) = bpdu.version() else { return append_str(b, " [|stp]") };
        match ver {
            version::STP => append_str(b, "STP 802.1d"),
            version::RSTP => append_str(b, "STP 802.1w"),
            version::MSTP => append_str(b, "STP 802.1s"),
            version::SPB => append_str(b, "STP 802.1aq"),
            _ => {
                append_str(b, "STP Unknown STP protocol (0x");
                hex(b, ver as u64, 2);
                append_str(b, ")");
                return;
            }
        }
        let Some(ty) = bpdu.bpdu_type() else { return append_str(b, " [|stp]") };
        match ty {
            bpdu_type::CONFIG => append_str(b, ", Config"),
            bpdu_type::RSTP => append_str(b, ", Rapid STP"),
            bpdu_type::TOPOLOGY_CHANGE => append_str(b, ", Topology Change"),
            _ => {
                append_str(b, ", Unknown BPDU Type (0x");
                hex(b, ty as u64, 2);
                append_str(b, ")");
            }
        }
        match ty {
            bpdu_type::CONFIG if length < stp::CONFIG_LEN => append_str(b, " (invalid)"),
            bpdu_type::CONFIG => self.stp_config(b, &bpdu, length),
            bpdu_type::RSTP if ver == version::RSTP => {
                if length < stp::RSTP_LEN {
                    append_str(b, " (invalid)");
                } else {
                    self.stp_config(b, &bpdu, length);
                }
            }
            bpdu_type::RSTP if ver == version::MSTP || ver == version::SPB => {
                if length < stp::MSTP_MIN_LEN {
                    return append_str(b, " (invalid)");
                }
                let (Some(v1), Some(v3)) = (bpdu.u8_at(field::V1_LENGTH), bpdu.u16_at(field::V3_LENGTH))
                else {
                    return append_str(b, " [|stp]");
                };
                if v1 != 0 || length < stp::RSTP_LEN + v3 as usize + 2 {
                    return append_str(b, " (invalid)");
                }
                self.stp_mstp(b, &bpdu, length);
            }
            _ => {}
        }
    }

    fn stp_config(&self, b: &mut Vec<u8>, bpdu: &Bpdu<'_>, length: usize) {
        let p = bpdu.data;
        if !need(b, p, field::FLAGS + 1) {
            return;
        }
        let f = p[field::FLAGS];
        append_str(b, ", Flags [");
        flags(b, f);
        append_str(b, "]");
        if !need(b, p, field::PORT_ID + 2) {
            return;
        }
        append_str(b, ", bridge-id ");
        bridge_id(b, &p[field::BRIDGE_ID..field::BRIDGE_ID + 8]);
        b.push(b'.');
        hex(b, bpdu.u16_at(field::PORT_ID).unwrap_or(0) as u64, 4);
        append_str(b, ", length ");
        append_decimal(b, length);
        if self.o.verbosity == 0 {
            return;
        }
        if !need(b, p, field::FORWARD_DELAY + 2) {
            return;
        }
        self.stp_timers(b, bpdu);
        append_str(b, "\n\troot-id ");
        bridge_id(b, &p[field::ROOT_ID..field::ROOT_ID + 8]);
        append_str(b, ", root-pathcost ");
        append_decimal(b, bpdu.u32_at(field::ROOT_PATH_COST).unwrap_or(0));
        if bpdu.version() == Some(version::RSTP) {
            append_str(b, ", port-role ");
            append_str(b, port_role(Bpdu::port_role(f)));
        }
    }

    fn stp_timers(&self, b: &mut Vec<u8>, bpdu: &Bpdu<'_>) {
        let t = |at| bpdu.u16_at(at).unwrap_or(0);
        append_str(b, "\n\tmessage-age ");
        seconds(b, t(field::MESSAGE_AGE));
        append_str(b, ", max-age ");
        seconds(b, t(field::MAX_AGE));
        append_str(b, ", hello-time ");
        seconds(b, t(field::HELLO_TIME));
        append_str(b, ", forwarding-delay ");
        seconds(b, t(field::FORWARD_DELAY));
    }

    fn stp_mstp(&self, b: &mut Vec<u8>, bpdu: &Bpdu<'_>, length: usize) {
        let p = bpdu.data;
        if !need(b, p, field::FLAGS + 1) {
            return;
        }
        let f = p[field::FLAGS];
        append_str(b, ", CIST Flags [");
        flags(b, f);
        append_str(b, "], length ");
        append_decimal(b, length);
        if self.o.verbosity == 0 {
            return;
        }
        if !need(b, p, field::CIST_REMAINING_HOPS + 1) {
            return;
        }
        append_str(b, "\n\tport-role ");
        append_str(b, port_role(Bpdu::port_role(f)));
        append_str(b, ", CIST root-id ");
        bridge_id(b, &p[field::ROOT_ID..field::ROOT_ID + 8]);
        append_str(b, ", CIST ext-pathcost ");
        append_decimal(b, bpdu.u32_at(field::ROOT_PATH_COST).unwrap_or(0));
        append_str(b, "\n\tCIST regional-root-id ");
        bridge_id(b, &p[field::BRIDGE_ID..field::BRIDGE_ID + 8]);
        append_str(b, ", CIST port-id ");
        hex(b, bpdu.u16_at(field::PORT_ID).unwrap_or(0) as u64, 4);
        append_str(b, ",");
        self.stp_timers(b, bpdu);
        append_str(b, "\n\tv3len ");
        append_decimal(b, bpdu.u16_at(field::V3_LENGTH).unwrap_or(0));
        append_str(b, ", MCID Name ");
        // tcpdump's nd_printjnp: up to 32 bytes, stopping at a NUL.
        let mut name = String::new();
        for &c in p[field::MST_CONFIG_NAME..field::MST_CONFIG_NAME + 32].iter().take_while(|&&c| c != 0) {
            push_char(&mut name, c);
        }
        append_str(b, &name);
        append_str(b, ", rev ");
        append_decimal(b, bpdu.u16_at(field::MST_REVISION).unwrap_or(0));
        append_str(b, ",\n\t\tdigest ");
        for i in 0..4 {
            hex(b, bpdu.u32_at(field::MST_DIGEST + 4 * i).unwrap_or(0) as u64, 8);
        }
        append_str(b, ", CIST int-root-pathcost ");
        append_decimal(b, bpdu.u32_at(field::CIST_INTERNAL_COST).unwrap_or(0));
        append_str(b, ",\n\tCIST bridge-id ");
        bridge_id(b, &p[field::CIST_BRIDGE_ID..field::CIST_BRIDGE_ID + 8]);
        append_str(b, ", CIST remaining-hops ");
        append_decimal(b, p[field::CIST_REMAINING_HOPS]);
        let announced = (bpdu.u16_at(field::V3_LENGTH).unwrap_or(0) as usize)
            .saturating_sub(stp::MST_CONFIG_INFO_LEN)
            / stp::MSTI_LEN;
        let mut printed = 0;
        for m in bpdu.mstis() {
            append_str(b, "\n\tMSTI ");
            append_decimal(b, m.id());
            append_str(b, ", Flags [");
            flags(b, m.flags());
            append_str(b, "], port-role ");
            append_str(b, port_role(Bpdu::port_role(m.flags())));
            append_str(b, "\n\t\tMSTI regional-root-id ");
            bridge_id(b, m.regional_root());
            append_str(b, ", pathcost ");
            append_decimal(b, m.path_cost());
            append_str(b, "\n\t\tMSTI bridge-prio ");
            append_decimal(b, m.bridge_priority());
            append_str(b, ", port-prio ");
            append_decimal(b, m.port_priority());
            append_str(b, ", hops ");
            append_decimal(b, m.remaining_hops());
            printed += 1;
        }
        if printed < announced {
            append_str(b, " [|stp]");
        }
    }
}
