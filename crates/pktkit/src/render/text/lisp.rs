//! LISP control messages as tcpdump 4.99.3's `lisp_print`: Map-Register and Map-Notify with
//! their EID records and locators; other types by name only.

use crate::proto::lisp::{self, Header, Locator, Record, kind};
use crate::render::out::{self, append_decimal, append_str};

use super::TextPrinter;
use super::dump::hex_indent;

/// tcpdump's name of a message type.
fn type_name(b: &mut Vec<u8>, t: u8) {
    let name = match t {
        0 => "LISP-Reserved",
        1 => "LISP-Map-Request",
        2 => "LISP-Map-Reply",
        kind::MAP_REGISTER => "LISP-Map-Register",
        kind::MAP_NOTIFY => "LISP-Map-Notify",
        8 => "LISP-Encapsulated-Contol-Message",
        _ => {
            append_str(b, "unknown-type-");
            return append_decimal(b, t);
        }
    };
    append_str(b, name);
}

/// The ` flags [...],` of a message or locator (tcpdump's `bittok2str`).
fn flags(b: &mut Vec<u8>, value: u32, table: &[(u32, &str)]) {
    append_str(b, " flags [");
    super::netdissect::bit_names(b, value, table);
    append_str(b, "],");
}

const REGISTER_FLAGS: [(u32, &str); 5] = [
    (0x0800_0000, "P-Proxy-Map-Reply"),
    (0x0400_0000, "S-LISP-SEC-Capable"),
    (0x0200_0000, "I-xTR-ID-Present"),
    (0x0100_0000, "R-Build-For-RTR"),
    (0x0000_0100, "M-Want-Map-Notify"),
];
const NOTIFY_FLAGS: [(u32, &str); 2] = [(0x0800_0000, "I-xTR-ID-Present"), (0x0400_0000, "R-Build-For-RTR")];
const LOCATOR_FLAGS: [(u32, &str); 3] =
    [(0x0004, "Local-Locator"), (0x0002, "RLoc-Probed"), (0x0001, "Reachable")];
const AUTH_TYPES: [&str; 3] = ["None", "SHA1", "SHA256"];
const ACTIONS: [&str; 4] = ["No-Action", "Natively-Forward", "Send-Map-Request", "Drop"];

/// How a message ends early: tcpdump's ` [|lisp]` or ` (invalid)`.
enum Stop {
    Cut,
    Invalid,
}

/// An address of `afi` at `at`, with a leading space; None when not captured.
fn address(b: &mut Vec<u8>, p: &[u8], at: usize, len: usize) -> Option<()> {
    let a = p.get(at..at + len)?;
    if len == 4 {
        out::ip4(b, a)
    } else {
        out::ip6(b, a)
    }
    Some(())
}

impl TextPrinter {
    /// A LISP control message of `length` bytes on the wire, `p` captured.
    pub(super) fn lisp(&self, b: &mut Vec<u8>, p: &[u8], length: usize) {
        match self.lisp_message(b, p, length) {
            Ok(()) => {}
            Err(Stop::Cut) => append_str(b, " [|lisp]"),
            Err(Stop::Invalid) => append_str(b, " (invalid)"),
        }
    }

    fn lisp_message(&self, b: &mut Vec<u8>, p: &[u8], length: usize) -> Result<(), Stop> {
        let v = self.o.verbosity > 0;
        let h = Header::parse(p).ok_or(Stop::Cut)?;
        type_name(b, h.kind);
        b.push(b',');
        if v {
            match h.kind {
                kind::MAP_REGISTER => flags(b, h.first_word, &REGISTER_FLAGS),
                kind::MAP_NOTIFY => flags(b, h.first_word, &NOTIFY_FLAGS),
                _ => {}
            }
        }
        if h.kind != kind::MAP_REGISTER && h.kind != kind::MAP_NOTIFY {
            return Ok(());
        }
        let mut at = lisp::HEADER_LEN;
        let auth_len = h.auth_len as usize;
        if v {
            append_str(b, "\n    ");
            append_decimal(b, h.records);
            append_str(b, " record(s), Authentication ");
            append_str(b, AUTH_TYPES.get(h.key_id as usize).copied().unwrap_or("unknown-type"));
            b.push(b',');
            let auth = &p[at..(at + auth_len).min(p.len())];
            hex_indent(b, auth, "\n    Authentication-Data: ");
            if auth.len() < auth_len {
                return Err(Stop::Cut);
            }
        } else {
            b.push(b' ');
            append_decimal(b, h.records);
            append_str(b, " record(s),");
        }
        at += auth_len;
        if h.records == 0 {
            return Err(Stop::Invalid);
        }
        let mut records = h.records;
        while length > at && records != 0 {
            records -= 1;
            let r = Record::parse(p.get(at..).unwrap_or(&[])).ok_or(Stop::Cut)?;
            b.push(b'\n');
            at += lisp::RECORD_LEN;
            if v {
                append_str(b, "      Record TTL ");
                append_decimal(b, r.ttl);
                append_str(b, if r.authoritative() { ", Authoritative, " } else { ", Non-Authoritative, " });
                append_str(b, ACTIONS.get(r.action() as usize).copied().unwrap_or("unknown"));
                append_str(b, ", Map Version: ");
                append_decimal(b, r.map_version);
                b.push(b',');
            }
            // tcpdump stops at an EID prefix it cannot read (LCAF).
            let Some(alen) = lisp::address_len(r.afi) else { return Ok(()) };
            append_str(b, " EID ");
            address(b, p, at, alen).ok_or(Stop::Cut)?;
            b.push(b'/');
            append_decimal(b, r.mask_len);
            append_str(b, ", ");
            at += alen;
            append_decimal(b, r.locators);
            append_str(b, " locator(s)");
            for _ in 0..r.locators {
                let l = Locator::parse(p.get(at..).unwrap_or(&[])).ok_or(Stop::Cut)?;
                at += lisp::LOCATOR_LEN;
                if v {
                    append_str(b, "\n       ");
                }
                if let Some(alen) = lisp::address_len(l.afi) {
                    append_str(b, " LOC ");
                    address(b, p, at, alen).ok_or(Stop::Cut)?;
                    at += alen;
                }
                if v {
                    append_str(b, "\n          Priority/Weight ");
                    append_decimal(b, l.priority);
                    b.push(b'/');
                    append_decimal(b, l.weight);
                    append_str(b, ", Multicast Priority/Weight ");
                    append_decimal(b, l.multicast_priority);
                    b.push(b'/');
                    append_decimal(b, l.multicast_weight);
                    b.push(b',');
                    flags(b, l.flags as u32, &LOCATOR_FLAGS);
                }
            }
        }
        if h.xtr_present() {
            let Some(xs) = p.get(at..at + lisp::XTR_SITE_LEN) else { return Err(Stop::Invalid) };
            hex_indent(b, &xs[..16], "\n    xTR-ID: ");
            append_str(b, "\n    SITE-ID: ");
            append_decimal(b, u64::from_be_bytes(xs[16..24].try_into().unwrap_or([0; 8])));
        } else if at < p.len() {
            hex_indent(b, &p[at..], "\n    Data: ");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::text::TextOptions;
    use crate::render::time::LocalTime;

    fn print(verbosity: u8, p: &[u8]) -> String {
        let o = TextOptions { verbosity, ..TextOptions::default() };
        let mut b = Vec::new();
        TextPrinter::with_time(o, LocalTime::utc()).lisp(&mut b, p, p.len());
        String::from_utf8(b).unwrap()
    }

    /// A Map-Register with the I bit, one record (10.0.0.0/8) with one locator (192.0.2.1).
    fn register() -> Vec<u8> {
        let mut p = vec![0x32, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2, 0xaa, 0xbb];
        p.extend_from_slice(&[0, 0, 0, 60, 1, 8, 0x10, 0, 0, 3, 0, 1, 10, 0, 0, 0]);
        p.extend_from_slice(&[1, 50, 255, 0, 0, 1, 0, 1, 192, 0, 2, 1]);
        p.extend_from_slice(&[0x11; 16]);
        p.extend_from_slice(&7u64.to_be_bytes());
        p
    }

    #[test]
    fn prints_as_tcpdump() {
        let id = "\n    xTR-ID: 0x0000:  1111 1111 1111 1111 1111 1111 1111 1111\n    SITE-ID: 7";
        assert_eq!(
            print(0, &register()),
            format!("LISP-Map-Register, 1 record(s),\n EID 10.0.0.0/8, 1 locator(s) LOC 192.0.2.1{id}")
        );
        assert_eq!(
            print(1, &register()),
            format!(
                "LISP-Map-Register, flags [I-xTR-ID-Present, M-Want-Map-Notify],\n    1 record(s), \
                 Authentication SHA1,\n    Authentication-Data: 0x0000:  aabb\n      Record TTL 60, \
                 Authoritative, No-Action, Map Version: 3, EID 10.0.0.0/8, 1 locator(s)\n        LOC 192.0.2.1\
                 \n          Priority/Weight 1/50, Multicast Priority/Weight 255/0, flags [Reachable],{id}"
            )
        );
        let p = register();
        assert!(print(0, &p[..p.len() - 1]).ends_with("LOC 192.0.2.1 (invalid)"));
        assert!(print(0, &p[..40]).ends_with("1 locator(s) [|lisp]"));
        assert_eq!(print(0, &[0x10; 16]), "LISP-Map-Request,");
        assert_eq!(print(0, &[0x30; 8]), " [|lisp]");
    }
}
