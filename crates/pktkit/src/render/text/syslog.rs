//! Syslog as tcpdump 4.99.3's `syslog_print`: facility and severity, with `-v` the message,
//! with `-vv` a hex dump.

use crate::proto::syslog::{Priority, PriorityError};
use crate::render::out::{append_decimal, append_str};

use super::TextPrinter;
use super::dump::hex_indent;
use super::netdissect::push_char;

const SEVERITIES: [&str; 8] =
    ["emergency", "alert", "critical", "error", "warning", "notice", "info", "debug"];
const FACILITIES: [&str; 24] = [
    "kernel", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp",
    "ntp", "security", "console", "cron", "local0", "local1", "local2", "local3", "local4", "local5",
    "local6", "local7",
];

/// A table name, or tcpdump's `unknown (N)`.
fn name(b: &mut Vec<u8>, table: &[&str], n: u16) {
    match table.get(n as usize) {
        Some(s) => append_str(b, s),
        None => {
            append_str(b, "unknown (");
            append_decimal(b, n);
            b.push(b')');
        }
    }
}

impl TextPrinter {
    /// A syslog message of `length` bytes on the wire, `p` captured.
    pub(super) fn syslog(&self, b: &mut Vec<u8>, p: &[u8], length: usize) {
        let pri = match Priority::parse(p) {
            Ok(pri) => pri,
            Err(PriorityError::Invalid) => return append_str(b, " (invalid)"),
            Err(PriorityError::Truncated) => return append_str(b, " [|syslog]"),
        };
        if self.o.verbosity < 1 {
            append_str(b, "SYSLOG ");
            name(b, &FACILITIES, pri.facility);
            b.push(b'.');
            name(b, &SEVERITIES, pri.severity);
            append_str(b, ", length: ");
            append_decimal(b, length);
            return;
        }
        append_str(b, "SYSLOG, length: ");
        append_decimal(b, length);
        append_str(b, "\n\tFacility ");
        name(b, &FACILITIES, pri.facility);
        append_str(b, " (");
        append_decimal(b, pri.facility);
        append_str(b, "), Severity ");
        name(b, &SEVERITIES, pri.severity);
        append_str(b, " (");
        append_decimal(b, pri.severity);
        append_str(b, ")\n\tMsg: ");
        if length > pri.text_at {
            let text = p.get(pri.text_at..length.min(p.len())).unwrap_or(&[]);
            let mut s = String::with_capacity(text.len());
            for &c in text {
                push_char(&mut s, c);
            }
            append_str(b, &s);
            if p.len() < length {
                return append_str(b, " [|syslog]");
            }
        }
        if self.o.verbosity > 1 {
            hex_indent(b, &p[..length.min(p.len())], "\n\t");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::text::TextOptions;
    use crate::render::time::LocalTime;

    fn print(verbosity: u8, p: &[u8], length: usize) -> String {
        let o = TextOptions { verbosity, ..TextOptions::default() };
        let mut b = Vec::new();
        TextPrinter::with_time(o, LocalTime::utc()).syslog(&mut b, p, length);
        String::from_utf8(b).unwrap()
    }

    #[test]
    fn prints_as_tcpdump() {
        let m = b"<189>up\0";
        assert_eq!(print(0, m, m.len()), "SYSLOG local7.notice, length: 8");
        assert_eq!(
            print(1, m, m.len()),
            "SYSLOG, length: 8\n\tFacility local7 (23), Severity notice (5)\n\tMsg: up^@"
        );
        assert_eq!(print(0, b"<999>", 5), "SYSLOG unknown (124).debug, length: 5");
        assert_eq!(
            print(1, b"<1>abc", 9),
            "SYSLOG, length: 9\n\tFacility kernel (0), Severity alert (1)\n\tMsg: abc [|syslog]"
        );
        assert_eq!(print(0, b"x", 1), " (invalid)");
        assert_eq!(print(0, b"<12", 3), " [|syslog]");
    }
}
