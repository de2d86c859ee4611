//! Wireshark TLS fields as tshark 4.0 (without TCP reassembly) prints them with
//! `-T fields`, from the records of one segment ([`crate::proto::tls`] parses them).

use std::fmt::Write as _;

use super::tshark_text::{Occurrences, push_ascii_string as push_ws_string};
use crate::proto::tls::{
    APPLICATION_DATA, CHANGE_CIPHER_SPEC, CLIENT_HELLO, ClientHello, EXT_SERVER_NAME, SERVER_HELLO, records,
    server_hello_version, server_names,
};

/// The Wireshark field names [`write_field`] knows.
pub const FIELDS: &[&str] =
    &["tls.record.content_type", "tls.handshake.type", "tls.handshake.extensions_server_name"];

/// Handshake types Wireshark 4.0 accepts as such (others mark an encrypted message).
fn ws_valid_handshake_type(t: u8) -> bool {
    matches!(t, 0..=2 | 4..=6 | 8 | 11..=16 | 20..=25 | 67 | 254)
}

/// True for TLS 1.3 and its draft versions (0x7fXX).
fn is_tls13(version: u16) -> bool {
    version == 0x0304 || version >> 8 == 0x7f
}

/// Appends the value tshark 4.0 (without TCP reassembly) prints for `field` of a segment
/// that starts at a record boundary (several values joined by `,`); false when absent.
///
/// Records cut by the end of the segment are not dissected. A handshake record is taken as
/// encrypted (no handshake type) when it follows a ChangeCipherSpec record of the segment, or
/// when its first message has an unknown type or does not fit. Every name of every
/// server_name extension counts, empty ones included. After a ServerHello that chooses
/// TLS 1.3, application data records are Wireshark's `tls.record.opaque_type`, not a
/// content type ([`write_field_in_session`] carries that choice across segments).
///
/// tshark also carries other state across packets (a ChangeCipherSpec seen earlier,
/// handshake messages continued from earlier records, damaged records that stop its
/// dissector); a per-segment function cannot, so on such traffic the values can differ.
pub fn write_field(data: &[u8], field: &str, out: &mut String) -> bool {
    write_field_in_session(data, field, &mut false, out)
}

/// [`write_field`] for a segment of a connection whose earlier segments may have chosen
/// TLS 1.3: `tls13` says so, and becomes true when a ServerHello of this segment chooses it.
pub fn write_field_in_session(data: &[u8], field: &str, tls13: &mut bool, out: &mut String) -> bool {
    let start = out.len();
    let mut occurrences = Occurrences::default();
    let mut after_ccs = false;
    for rec in records(data) {
        if !rec.is_complete() {
            break;
        }
        if field == "tls.record.content_type" && !(*tls13 && rec.content_type == APPLICATION_DATA) {
            occurrences.start(out);
            let _ = write!(out, "{}", rec.content_type);
        }
        if rec.content_type == CHANGE_CIPHER_SPEC {
            after_ccs = true;
        }
        if after_ccs {
            continue;
        }
        let mut remaining = rec.fragment.len();
        for (k, hs) in rec.handshakes().enumerate() {
            let fits = hs.length as usize + 4 <= remaining;
            if !fits || (k == 0 && !ws_valid_handshake_type(hs.msg_type)) {
                break;
            }
            remaining -= hs.length as usize + 4;
            if hs.msg_type == SERVER_HELLO && server_hello_version(hs.body).is_some_and(is_tls13) {
                *tls13 = true;
            }
            match field {
                "tls.handshake.type" => {
                    occurrences.start(out);
                    let _ = write!(out, "{}", hs.msg_type);
                }
                "tls.handshake.extensions_server_name" if hs.msg_type == CLIENT_HELLO => {
                    let Ok(h) = ClientHello::parse(hs.body, hs.offset + 4) else { continue };
                    for (_, ext) in h.extension_list().filter(|(t, _)| *t == EXT_SERVER_NAME) {
                        for (_, name) in server_names(ext) {
                            occurrences.start(out);
                            push_ws_string(out, name);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    out.len() > start || occurrences.any()
}
