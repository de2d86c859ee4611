//! One-line application summaries after UDP, as tcpdump 4.99.3 prints them without `-v`:
//! NTP (`ntp_print`), RADIUS (`radius_print`), RIP (`rip_print`), DHCPv6 (`dhcp6_print`) and
//! SOME/IP (`someip_print`, the same at every verbosity). The `-v` details of the first four
//! (NTP timestamps, RIP routes, DHCPv6 options) are not printed; RADIUS's are in `radius.rs`.

use crate::proto::{dhcp6, ntp, radius, rip, someip};
use crate::render::out::{append_decimal, append_decimal_padded, append_str, be32, hex, ip4};

use super::netdissect::{ntp_timestamp, push_char};

use super::TextPrinter;

/// tcpdump's `ntp_mode_values`.
fn ntp_mode(mode: u8) -> &'static str {
    match mode {
        ntp::mode::UNSPECIFIED => "unspecified",
        ntp::mode::SYMMETRIC_ACTIVE => "symmetric active",
        ntp::mode::SYMMETRIC_PASSIVE => "symmetric passive",
        ntp::mode::CLIENT => "Client",
        ntp::mode::SERVER => "Server",
        ntp::mode::BROADCAST => "Broadcast",
        ntp::mode::CONTROL => "Control Message",
        _ => "Reserved",
    }
}

/// tcpdump's `ntp_leapind_values`, by the two leap bits.
fn ntp_leap(leap: u8) -> &'static str {
    match leap {
        ntp::leap::NO_WARNING => "",
        ntp::leap::LAST_MINUTE_61 => "+1s",
        ntp::leap::LAST_MINUTE_59 => "-1s",
        _ => "clock unsynchronized",
    }
}

/// tcpdump's `ntp_time_print` after the leap indicator: stratum, poll, precision, root delay
/// and dispersion, reference id, the four timestamps and the two differences, and the key id
/// and digest when the length says they are there. None when the packet was cut.
fn ntp_time(b: &mut Vec<u8>, p: &[u8], length: usize) -> Option<()> {
    if length < ntp::TIME_MESSAGE_LEN {
        append_str(b, " (invalid)");
        return Some(());
    }
    let stratum = *p.get(1)?;
    append_str(b, ", Stratum ");
    append_decimal(b, stratum);
    append_str(
        b,
        match stratum {
            ntp::stratum::UNSPECIFIED => " (unspecified)",
            ntp::stratum::PRIMARY => " (primary reference)",
            2..=15 => " (secondary reference)",
            _ => " (reserved)",
        },
    );
    let poll = *p.get(2)? as i8;
    append_str(b, ", poll ");
    append_decimal(b, poll);
    if (0..32).contains(&poll) {
        append_str(b, " (");
        append_decimal(b, 1u32 << poll);
        append_str(b, "s)");
    } else if (-31..0).contains(&poll) {
        append_str(b, " (1/");
        append_decimal(b, 1u32 << -poll);
        append_str(b, "s)");
    }
    append_str(b, ", precision ");
    append_decimal(b, *p.get(3)? as i8);
    append_str(b, "\n\tRoot Delay: ");
    short_fixed(b, p.get(4..8)?);
    append_str(b, ", Root dispersion: ");
    short_fixed(b, p.get(8..12)?);
    append_str(b, ", Reference-ID: ");
    let refid = p.get(12..16)?;
    match stratum {
        ntp::stratum::UNSPECIFIED => append_str(b, "(unspec)"),
        ntp::stratum::PRIMARY => {
            let mut t = String::new();
            for &c in refid {
                push_char(&mut t, c);
            }
            append_str(b, &t);
        }
        ntp::stratum::INFO_QUERY | ntp::stratum::INFO_REPLY => {
            ip4(b, refid);
            append_str(b, if stratum == ntp::stratum::INFO_QUERY { " INFO_QUERY" } else { " INFO_REPLY" });
            return Some(());
        }
        _ => {
            append_str(b, "0x");
            hex(b, be32(refid, 0)? as u64, 8);
        }
    }
    let labels = [
        "\n\t  Reference Timestamp:  ",
        "\n\t  Originator Timestamp: ",
        "\n\t  Receive Timestamp:    ",
        "\n\t  Transmit Timestamp:   ",
    ];
    for (i, label) in labels.into_iter().enumerate() {
        let at = 16 + 8 * i;
        let stamp = p.get(at..at + 8)?;
        append_str(b, label);
        ntp_timestamp(b, stamp);
    }
    let origin = p.get(24..32)?;
    append_str(b, "\n\t    Originator - Receive Timestamp:  ");
    ntp_delta(b, origin, p.get(32..40)?);
    append_str(b, "\n\t    Originator - Transmit Timestamp: ");
    ntp_delta(b, origin, p.get(40..48)?);
    let extra = length - ntp::TIME_MESSAGE_LEN;
    if matches!(extra, 4 | 20 | 24) {
        append_str(b, "\n\tKey id: ");
        append_decimal(b, be32(p, 48)?);
        if extra > 4 {
            append_str(b, "\n\tAuthentication: ");
            for &c in p.get(52..52 + extra - 4)? {
                hex(b, c as u64, 2);
            }
        }
    } else if extra > 0 {
        append_str(b, "\n\t(");
        append_decimal(b, extra);
        append_str(b, " more bytes after the header)");
    }
    Some(())
}

/// netdissect's `p_sfix`: a 16.16 fixed-point number as `seconds.microseconds`.
fn short_fixed(b: &mut Vec<u8>, data: &[u8]) {
    let whole = u16::from_be_bytes([data[0], data[1]]);
    let fraction = u16::from_be_bytes([data[2], data[3]]);
    append_decimal(b, whole);
    b.push(b'.');
    append_decimal_padded(b, (fraction as f64 / 65536.0 * 1e6) as u32, 6, b'0');
}

/// netdissect's `p_ntp_delta`: `later - origin` with its sign, or `later` itself when the
/// origin is zero.
fn ntp_delta(b: &mut Vec<u8>, origin: &[u8], later: &[u8]) {
    let (Some(ou), Some(ouf), Some(u), Some(uf)) =
        (be32(origin, 0), be32(origin, 4), be32(later, 0), be32(later, 4))
    else {
        return;
    };
    if ou == 0 && ouf == 0 {
        return ntp_timestamp(b, later);
    }
    let (negative, whole, fraction) = if u > ou {
        (false, (u - ou).wrapping_sub((ouf > uf) as u32), uf.wrapping_sub(ouf))
    } else if u < ou {
        (true, (ou - u).wrapping_sub((uf > ouf) as u32), ouf.wrapping_sub(uf))
    } else if uf > ouf {
        (false, 0, uf - ouf)
    } else {
        (true, 0, ouf - uf)
    };
    b.push(if negative { b'-' } else { b'+' });
    append_decimal(b, whole);
    b.push(b'.');
    append_decimal_padded(b, (fraction as f64 / 4_294_967_296.0 * 1e9) as u32, 9, b'0');
}

/// tcpdump's `radius_command_values`.
pub(super) fn radius_command(code: u8) -> &'static str {
    match code {
        1 => "Access-Request",
        2 => "Access-Accept",
        3 => "Access-Reject",
        4 => "Accounting-Request",
        5 => "Accounting-Response",
        11 => "Access-Challenge",
        12 => "Status-Server",
        13 => "Status-Client",
        40 => "Disconnect-Request",
        41 => "Disconnect-ACK",
        42 => "Disconnect-NAK",
        43 => "CoA-Request",
        44 => "CoA-ACK",
        45 => "CoA-NAK",
        255 => "Reserved",
        _ => "Unknown Command",
    }
}

/// tcpdump's `dh6_msgtype_str`.
fn dhcp6_type(t: u8) -> Option<&'static str> {
    Some(match t {
        1 => "solicit",
        2 => "advertise",
        3 => "request",
        4 => "confirm",
        5 => "renew",
        6 => "rebind",
        7 => "reply",
        8 => "release",
        9 => "decline",
        10 => "reconfigure",
        11 => "inf-req",
        12 => "relay-fwd",
        13 => "relay-reply",
        14 => "leasequery",
        15 => "leasequery-reply",
        _ => return None,
    })
}

/// tcpdump's SOME/IP `message_type_values`.
fn someip_type(t: u8) -> &'static str {
    match t {
        0x00 => "REQUEST",
        0x01 => "REQUEST_NO_RETURN",
        0x02 => "NOTIFICATION",
        0x80 => "RESPONSE",
        0x81 => "ERROR",
        0x20 => "TP_REQUEST",
        0x21 => "TP_REQUEST_NO_RETURN",
        0x22 => "TP_NOTIFICATION",
        0xa0 => "TP_RESPONSE",
        0xa1 => "TP_ERROR",
        _ => "Unknown",
    }
}

/// tcpdump's SOME/IP `return_code_values`.
fn someip_code(c: u8) -> &'static str {
    const NAMES: [&str; 16] = [
        "E_OK",
        "E_NOT_OK",
        "E_UNKNOWN_SERVICE",
        "E_UNKNOWN_METHOD",
        "E_NOT_READY",
        "E_NOT_REACHABLE",
        "E_TIMEOUT",
        "E_WRONG_PROTOCOL_VERSION",
        "E_WRONG_INTERFACE_VERSION",
        "E_MALFORMED_MESSAGE",
        "E_WRONG_MESSAGE_TYPE",
        "E_E2E_REPEATED",
        "E_E2E_WRONG_SEQUENCE",
        "E_E2E",
        "E_E2E_NOT_AVAILABLE",
        "E_E2E_NO_NEW_DATA",
    ];
    NAMES.get(c as usize).copied().unwrap_or("Unknown")
}

impl TextPrinter {
    /// `NTPv4, Client, length 48`; with `-v` also the leap indicator on its own line and a
    /// time message's fields (a control message's body is not printed yet).
    pub(super) fn ntp(&self, b: &mut Vec<u8>, p: &[u8], length: usize) {
        let Some(st) = ntp::status(p) else { return append_str(b, " [|ntp]") };
        append_str(b, "NTPv");
        append_decimal(b, st.version);
        append_str(b, ", ");
        append_str(b, ntp_mode(st.mode));
        append_str(b, ", length ");
        append_decimal(b, length);
        if self.o.verbosity == 0 {
            return;
        }
        // tcpdump prints the two leap bits in place (0, 64, 128 or 192), not shifted down.
        let leap = st.leap << 6;
        append_str(b, "\n\tLeap indicator: ");
        append_str(b, ntp_leap(st.leap));
        append_str(b, " (");
        append_decimal(b, leap);
        b.push(b')');
        if st.mode <= ntp::mode::BROADCAST && ntp_time(b, p, length).is_none() {
            append_str(b, " [|ntp]");
        }
    }

    /// `RADIUS, Access-Request (1), id: 0x05 length: 139`; with `-v` the attributes
    /// ([`super::radius`]).
    pub(super) fn radius(&self, b: &mut Vec<u8>, p: &[u8], length: usize) {
        let Some(h) = radius::Header::parse(p) else { return append_str(b, " [|radius]") };
        if (h.length as usize) < radius::HEADER_LEN {
            return append_str(b, " [|radius]");
        }
        let len = (h.length as usize).min(length);
        if self.o.verbosity > 0 {
            append_str(b, "RADIUS, length: ");
            append_decimal(b, len);
            return super::radius::write_verbose(b, p, &h, len, self.o.verbosity);
        }
        append_str(b, "RADIUS, ");
        append_str(b, radius_command(h.code));
        append_str(b, " (");
        append_decimal(b, h.code);
        append_str(b, "), id: 0x");
        hex(b, h.id as u64, 2);
        append_str(b, " length: ");
        append_decimal(b, (h.length as usize).min(length));
    }

    /// `RIPv2, Response, length: 24`.
    pub(super) fn rip(&self, b: &mut Vec<u8>, p: &[u8], length: usize) {
        if p.len().min(length) < rip::HEADER_LEN {
            return append_str(b, " [|rip]");
        }
        let Some((cmd, version)) = rip::command_version(p) else { return append_str(b, " [|rip]") };
        append_str(b, "RIPv");
        append_decimal(b, version);
        if version == 0 {
            return;
        }
        append_str(b, ", ");
        match cmd {
            1 => append_str(b, "Request"),
            2 => append_str(b, "Response"),
            3 => append_str(b, "Trace on"),
            4 => append_str(b, "Trace off"),
            5 => append_str(b, "Poll"),
            6 => append_str(b, "Poll Entry"),
            _ => {
                append_str(b, "unknown command (");
                append_decimal(b, cmd);
                b.push(b')');
            }
        }
        append_str(b, ", length: ");
        append_decimal(b, length);
    }

    /// `dhcp6 solicit`.
    pub(super) fn dhcp6(&self, b: &mut Vec<u8>, p: &[u8]) {
        append_str(b, "dhcp6");
        let Some(t) = dhcp6::message_type(p) else { return append_str(b, " [|dhcp6]") };
        b.push(b' ');
        match dhcp6_type(t) {
            Some(name) => append_str(b, name),
            None => {
                append_str(b, "msgtype-");
                append_decimal(b, t);
            }
        }
    }

    /// `SOMEIP, service 65535, event 256, len 48, ...`, ending in a newline as tcpdump's does.
    pub(super) fn someip(&self, b: &mut Vec<u8>, p: &[u8], length: usize) {
        append_str(b, "SOMEIP");
        if length < someip::HEADER_LEN {
            return append_str(b, " (invalid)");
        }
        let Some(h) = someip::Header::parse(p) else { return append_str(b, " [|someip]") };
        append_str(b, ", service ");
        append_decimal(b, h.service);
        append_str(b, if h.event { ", event " } else { ", method " });
        append_decimal(b, h.method);
        append_str(b, ", len ");
        append_decimal(b, h.length);
        append_str(b, ", client ");
        append_decimal(b, h.client);
        append_str(b, ", session ");
        append_decimal(b, h.session);
        append_str(b, ", pver ");
        append_decimal(b, h.protocol_version);
        append_str(b, ", iver ");
        append_decimal(b, h.interface_version);
        append_str(b, ", msgtype ");
        append_str(b, someip_type(h.message_type));
        append_str(b, ", retcode ");
        append_str(b, someip_code(h.return_code));
        b.push(b'\n');
    }
}

#[cfg(test)]
mod tests {
    use super::super::{TextOptions, TextPrinter};
    use crate::render::time::LocalTime;

    fn printer(verbosity: u8) -> TextPrinter {
        TextPrinter::with_time(TextOptions { verbosity, ..TextOptions::default() }, LocalTime::utc())
    }

    #[test]
    fn ntp_leap_indicator_with_v() {
        // NTPv2, mode 7 (private), leap bits 10: as tcpdump 4.99.3 prints ntp-mode7.pcap.
        let packet = [0x97, 0, 0x03, 0x2a];
        let mut b = Vec::new();
        printer(0).ntp(&mut b, &packet, 32);
        assert_eq!(String::from_utf8(b).unwrap(), "NTPv2, Reserved, length 32");
        let mut b = Vec::new();
        printer(1).ntp(&mut b, &packet, 32);
        assert_eq!(String::from_utf8(b).unwrap(), "NTPv2, Reserved, length 32\n\tLeap indicator: -1s (128)");
        let mut b = Vec::new();
        printer(1).ntp(&mut b, &[0x17], 192);
        assert_eq!(String::from_utf8(b).unwrap(), "NTPv2, Reserved, length 192\n\tLeap indicator:  (0)");
    }

    #[test]
    fn ntp_time_message_with_v() {
        // An NTPv4 server reply, stratum 2, poll 8, precision -24, in tcpdump 4.99.3's layout.
        let mut p = vec![0x24, 2, 8, 0xe8, 0, 0, 0, 0x15, 0, 0, 0x09, 0x53, 0x84, 0xc7, 0x07, 0xc9];
        for stamp in [
            [0xdd, 0x47, 0x5f, 0x3a],
            [0xdd, 0x47, 0x63, 0xf4],
            [0xdd, 0x47, 0x63, 0xf4],
            [0xdd, 0x47, 0x63, 0xf5],
        ] {
            p.extend_from_slice(&stamp);
            p.extend_from_slice(&[0x80, 0, 0, 0]);
        }
        let mut b = Vec::new();
        printer(1).ntp(&mut b, &p, 48);
        assert_eq!(
            String::from_utf8(b).unwrap(),
            "NTPv4, Server, length 48\n\tLeap indicator:  (0), Stratum 2 (secondary reference), poll 8 (256s), \
             precision -24\n\tRoot Delay: 0.000320, Root dispersion: 0.036422, Reference-ID: 0x84c707c9\
             \n\t  Reference Timestamp:  3712442170.500000000 (2017-08-23T01:56:10Z)\
             \n\t  Originator Timestamp: 3712443380.500000000 (2017-08-23T02:16:20Z)\
             \n\t  Receive Timestamp:    3712443380.500000000 (2017-08-23T02:16:20Z)\
             \n\t  Transmit Timestamp:   3712443381.500000000 (2017-08-23T02:16:21Z)\
             \n\t    Originator - Receive Timestamp:  -0.000000000\
             \n\t    Originator - Transmit Timestamp: +1.000000000"
        );
        let mut b = Vec::new();
        printer(1).ntp(&mut b, &p[..20], 48);
        assert!(String::from_utf8(b).unwrap().ends_with("Reference-ID: 0x84c707c9 [|ntp]"));
    }
}
