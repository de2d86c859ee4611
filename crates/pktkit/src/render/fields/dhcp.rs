//! Wireshark BOOTP/DHCP fields as tshark 4.0 prints them with `-T fields`, with its reading
//! of cut messages ([`crate::proto::dhcp`] parses them).

use std::fmt::Write as _;

use super::tshark_text::{Occurrences, push_ascii_string};
use crate::proto::dhcp::{
    FIXED_LEN, HTYPE_ETHERNET, HTYPE_IEEE802, MAGIC, Message, OPT_CLIENT_ID, OPT_END, OPT_HOSTNAME,
    OPT_MESSAGE_TYPE, OPT_PAD, OPT_REQUESTED_IP, field,
};
use crate::render::out::MacText;

/// The Wireshark field names [`write_field`] knows.
pub const FIELDS: &[&str] =
    &["dhcp.option.dhcp", "dhcp.hw.mac_addr", "dhcp.option.requested_ip_address", "dhcp.option.hostname"];

/// Appends the value tshark 4.0 prints for `field` of a BOOTP/DHCP message (several values
/// joined by `,`); false, appending nothing, when absent.
///
/// Like Wireshark: the client hardware address counts for Ethernet and IEEE 802 hardware of
/// length 6, then a client identifier of type 1 and 7 bytes; options are read after the
/// magic cookie and from the overloaded fields, and an option running past the data stops
/// the reading; a message type is the option's first byte; a host name is cut at a NUL;
/// requested addresses of the wrong length are skipped. Wireshark also stops at options its
/// own dissectors reject (a malformed FQDN or route list, say); this function does not
/// check every option's layout, so after such an option the values can differ.
pub fn write_field(data: &[u8], field: &str, out: &mut String) -> bool {
    let Ok(msg) = Message::parse(data) else { return false };
    let start = out.len();
    let mut occurrences = Occurrences::default();
    if field == "dhcp.hw.mac_addr" && is_802_mac(msg.htype(), msg.hlen()) {
        occurrences.start(out);
        push_mac(out, &msg.chaddr()[..6]);
    }
    if !msg.is_dhcp() {
        return out.len() > start;
    }
    for o in msg.options() {
        let Ok(o) = o else { break };
        match (field, o.code, o.data) {
            ("dhcp.option.dhcp", OPT_MESSAGE_TYPE, [t, ..]) => {
                occurrences.start(out);
                let _ = write!(out, "{t}");
            }
            ("dhcp.hw.mac_addr", OPT_CLIENT_ID, [1, m @ ..]) if m.len() == 6 => {
                occurrences.start(out);
                push_mac(out, m);
            }
            ("dhcp.option.requested_ip_address", OPT_REQUESTED_IP, [a, b, c, d]) => {
                occurrences.start(out);
                let _ = write!(out, "{a}.{b}.{c}.{d}");
            }
            ("dhcp.option.hostname", OPT_HOSTNAME, name) => {
                occurrences.start(out);
                push_ascii_string(out, name);
            }
            _ => {}
        }
    }
    out.len() > start
}

/// [`write_field`] for a message of which `data` was captured, out of `wire_len` bytes on
/// the wire (the UDP payload length).
///
/// Like Wireshark, which first walks the options to the end of the datagram to find the
/// message type: when the magic cookie was captured but that walk reaches bytes that were
/// not, it adds no field at all. A message shorter than the fixed header (cut, or short on
/// the wire) gives the fields read before the first missing byte: the client hardware
/// address when its 34 bytes are there.
pub fn write_field_captured(data: &[u8], wire_len: usize, field: &str, out: &mut String) -> bool {
    if data.len() < wire_len
        && data.get(FIXED_LEN..FIXED_LEN + 4) == Some(&MAGIC[..])
        && !first_pass_fits(data, wire_len)
    {
        return false;
    }
    if data.len() >= FIXED_LEN {
        return write_field(data, field, out);
    }
    let mac_at = field::CHADDR.start..field::CHADDR.start + 6;
    if field == "dhcp.hw.mac_addr"
        && data.len() >= mac_at.end
        && is_802_mac(data[field::HTYPE], data[field::HLEN])
    {
        push_mac(out, &data[mac_at]);
        return true;
    }
    false
}

/// True when Wireshark shows the client hardware address: Ethernet or IEEE 802 hardware
/// with 6-byte addresses.
fn is_802_mac(htype: u8, hlen: u8) -> bool {
    matches!(htype, HTYPE_ETHERNET | HTYPE_IEEE802) && hlen == 6
}

/// Appends a MAC address as `00:0c:29:12:34:56`.
fn push_mac(out: &mut String, mac: &[u8]) {
    let _ = write!(out, "{}", MacText(mac));
}

/// Wireshark's first pass over the options (after the magic cookie, up to `end`, the
/// datagram's length on the wire): false when it would read a byte that was not captured.
fn first_pass_fits(data: &[u8], end: usize) -> bool {
    let mut at = FIXED_LEN + 4;
    while at < end {
        let Some(&code) = data.get(at) else { return false };
        at += match code {
            OPT_PAD => {
                // The run of padding, read up to the end.
                let mut i = at + 1;
                while i < end {
                    match data.get(i) {
                        None => return false,
                        Some(0) => i += 1,
                        Some(_) => break,
                    }
                }
                i - at
            }
            OPT_END => return true,
            // A missing length byte is not read: the code alone is consumed.
            _ => data.get(at + 1).map_or(1, |&len| len as usize + 2),
        };
    }
    true
}
