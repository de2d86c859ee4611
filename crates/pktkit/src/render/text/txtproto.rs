//! tcpdump 4.99.3's text protocols (`txtproto_print`): HTTP, RTSP, SIP, SMTP and FTP print
//! their name, then the first line of a request or response; at `-v` and above `, length: N`
//! and every text line, each after a newline and a tab.

use std::fmt::Write as _;

/// One of tcpdump's text protocols.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TxtProto {
    /// The name printed first (tcpdump's protocol name in capitals).
    pub name: &'static str,
    /// The truncation marker's name (`[|http]`).
    pub trunc: &'static str,
    /// Request commands that make a segment printable; None: every segment is.
    pub commands: Option<&'static [&'static str]>,
}

/// tcpdump 4.99.3's HTTP methods (`httpcmds`), matched case-insensitively.
const HTTP_COMMANDS: &[&str] = &[
    "GET",
    "PUT",
    "COPY",
    "HEAD",
    "LOCK",
    "MOVE",
    "POLL",
    "POST",
    "BCOPY",
    "BMOVE",
    "MKCOL",
    "TRACE",
    "LABEL",
    "MERGE",
    "DELETE",
    "SEARCH",
    "UNLOCK",
    "REPORT",
    "UPDATE",
    "NOTIFY",
    "BDELETE",
    "CONNECT",
    "OPTIONS",
    "CHECKIN",
    "PROPFIND",
    "CHECKOUT",
    "CCM_POST",
    "SUBSCRIBE",
    "PROPPATCH",
    "BPROPFIND",
    "BPROPPATCH",
    "UNCHECKOUT",
    "MKACTIVITY",
    "MKWORKSPACE",
    "UNSUBSCRIBE",
    "RPC_CONNECT",
    "VERSION-CONTROL",
    "BASELINE-CONTROL",
];

/// tcpdump's `fetch_token`: the token at `idx` (a slice of `data`) and where the next one
/// starts (0 when there is no usable token).
fn fetch_token(data: &[u8], idx: usize, len: usize) -> (usize, &[u8]) {
    let start = idx;
    let mut idx = idx;
    while idx < len {
        let Some(&c) = data.get(idx) else { return (0, &[]) };
        if !c.is_ascii() {
            return (0, &[]);
        }
        if matches!(c, b' ' | b'\t' | b'\r' | b'\n') {
            break;
        }
        // tcpdump's token buffer holds 128 characters and its terminator.
        if !(0x20..0x7f).contains(&c) || idx - start + 2 > 129 {
            return (0, &[]);
        }
        idx += 1;
    }
    let tok = &data[start..idx];
    if tok.is_empty() {
        return (0, tok);
    }
    while idx < len {
        let Some(&c) = data.get(idx) else { break };
        if c == b'\r' || c == b'\n' || !(0x20..0x7f).contains(&c) || (c != b' ' && c != b'\t') {
            break;
        }
        idx += 1;
    }
    (idx, tok)
}

/// tcpdump's `print_txt_line`: prints one line after `prefix`; returns where the next line
/// starts, 0 when printing should stop, or None when the data ran out (`[|proto]`).
fn print_txt_line(out: &mut String, prefix: &str, data: &[u8], start: usize, len: usize) -> Option<usize> {
    let mut idx = start;
    while idx < len {
        let c = *data.get(idx)?;
        if c == b'\n' {
            push_line(out, prefix, &data[start..idx]);
            return Some(idx + 1);
        } else if c == b'\r' {
            if idx + 1 >= len {
                return Some(0);
            }
            if *data.get(idx + 1)? == b'\n' {
                push_line(out, prefix, &data[start..idx]);
                return Some(idx + 2);
            }
            return Some(0);
        } else if !(0x20..0x7f).contains(&c) && c != b'\t' {
            return Some(0);
        }
        idx += 1;
    }
    // Printable to the end but no end of line: tcpdump prints it as truncated.
    push_line(out, prefix, &data[start..idx]);
    None
}

/// Lines reach here only when they are printable ASCII and tabs; tcpdump prints them raw.
fn push_line(out: &mut String, prefix: &str, line: &[u8]) {
    out.push_str(prefix);
    out.extend(line.iter().map(|&c| c as char));
}

/// tcpdump 4.99.3's SIP methods (`sipcmds`).
const SIP_COMMANDS: &[&str] = &[
    "ACK",
    "BYE",
    "CANCEL",
    "DO",
    "INFO",
    "INVITE",
    "MESSAGE",
    "NOTIFY",
    "OPTIONS",
    "PRACK",
    "QAUTH",
    "REFER",
    "REGISTER",
    "SPRACK",
    "SUBSCRIBE",
    "UPDATE",
    "PUBLISH",
];

/// tcpdump 4.99.3's RTSP methods (`rtspcmds`).
const RTSP_COMMANDS: &[&str] = &[
    "DESCRIBE",
    "ANNOUNCE",
    "GET_PARAMETER",
    "OPTIONS",
    "PAUSE",
    "PLAY",
    "RECORD",
    "REDIRECT",
    "SETUP",
    "SET_PARAMETER",
    "TEARDOWN",
];

/// HTTP (TCP ports 80 and 8080).
pub const HTTP: TxtProto = TxtProto { name: "HTTP", trunc: "http", commands: Some(HTTP_COMMANDS) };
/// RTSP (TCP ports 554 and 8554).
pub const RTSP: TxtProto = TxtProto { name: "RTSP", trunc: "rtsp", commands: Some(RTSP_COMMANDS) };
/// SIP (UDP port 5060).
pub const SIP: TxtProto = TxtProto { name: "SIP", trunc: "sip", commands: Some(SIP_COMMANDS) };
/// SMTP (TCP port 25): every segment is text.
pub const SMTP: TxtProto = TxtProto { name: "SMTP", trunc: "smtp", commands: None };
/// FTP control (TCP port 21): every segment is text.
pub const FTP: TxtProto = TxtProto { name: "FTP", trunc: "ftp", commands: None };

/// Appends what tcpdump 4.99.3 prints for a segment of `proto` (`txtproto_print`): the name,
/// then `: ` and the first line of a request or response (a command of `proto`'s, or a
/// three-digit code as second token); at `-v` and above, `, length: N` and every text line,
/// each after a newline and a tab. A protocol without commands prints every segment.
///
/// `data` is the captured payload, `length` its length on the wire.
pub fn write_tcpdump(out: &mut String, proto: &TxtProto, data: &[u8], length: usize, verbosity: u8) {
    let print_this = match proto.commands {
        None => true,
        Some(commands) => {
            let (idx, tok) = fetch_token(data, 0, length);
            let mut found = false;
            if idx != 0 {
                found = commands.iter().any(|m| m.as_bytes().eq_ignore_ascii_case(tok));
                let (idx, tok) = fetch_token(data, idx, length);
                if idx != 0 && tok.len() == 3 && tok.iter().all(u8::is_ascii_digit) {
                    found = true;
                }
            }
            found
        }
    };
    out.push_str(proto.name);
    if !print_this {
        return;
    }
    let truncated = if verbosity > 0 {
        let _ = write!(out, ", length: {length}");
        let mut idx = 0;
        loop {
            if idx >= length {
                break false;
            }
            match print_txt_line(out, "\n\t", data, idx, length) {
                None => break true,
                Some(0) => break false,
                Some(next) => idx = next,
            }
        }
    } else {
        print_txt_line(out, ": ", data, 0, length).is_none()
    };
    if truncated {
        let _ = write!(out, " [|{}]", proto.trunc);
    }
}

/// tcpdump 4.99.3's `ssh_print`: `: SSH: ` and the version line when the segment starts
/// with `SSH-` and holds a whole printable line; nothing otherwise.
pub fn write_ssh_banner(out: &mut String, data: &[u8], length: usize) {
    if !data.starts_with(b"SSH-") {
        return;
    }
    let mut idx = 4;
    while idx < length {
        let Some(&c) = data.get(idx) else { return };
        if c == b'\n' || (c == b'\r' && data.get(idx + 1) == Some(&b'\n') && idx + 1 < length) {
            out.push_str(": SSH: ");
            out.extend(data[..idx].iter().map(|&c| c as char));
            return;
        }
        if !(0x20..0x7f).contains(&c) {
            return;
        }
        idx += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GET: &[u8] =
        b"GET /index.html HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/8.0\r\nAccept: */*\r\n\r\n";
    const OK: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello";

    fn td(data: &[u8], v: u8) -> String {
        let mut s = String::new();
        write_tcpdump(&mut s, &HTTP, data, data.len(), v);
        s
    }

    /// Expected texts are what Debian's tcpdump 4.99.3 printed for these segments on port 80.
    #[test]
    fn tcpdump_text_examples() {
        assert_eq!(td(GET, 0), "HTTP: GET /index.html HTTP/1.1");
        assert_eq!(td(OK, 0), "HTTP: HTTP/1.1 200 OK");
        assert_eq!(td(b"get /x HTTP/1.0\r\n\r\n", 0), "HTTP: get /x HTTP/1.0");
        assert_eq!(td(b"\x16\x03\x01\x00\x05hello", 0), "HTTP");
        assert_eq!(td(b"GET / HTTP/1.1", 0), "HTTP: GET / HTTP/1.1 [|http]");
        assert_eq!(td(b"GET / HTTP/1.1\rX\n", 0), "HTTP");
        assert_eq!(td(b"HTTP/1.1 2000 OK\r\n\r\n", 0), "HTTP");
        assert_eq!(td(b"GET\r\n", 0), "HTTP: GET");
        assert_eq!(
            td(GET, 1),
            "HTTP, length: 82\n\tGET /index.html HTTP/1.1\n\tHost: example.com\n\tUser-Agent: curl/8.0\n\tAccept: */*\n\t"
        );
        assert_eq!(
            td(OK, 1),
            "HTTP, length: 68\n\tHTTP/1.1 200 OK\n\tContent-Type: text/html\n\tContent-Length: 5\n\t\n\thello [|http]"
        );
        // A segment captured short: the unfinished line is not printed.
        let mut s = String::new();
        write_tcpdump(&mut s, &HTTP, &GET[..30], GET.len(), 1);
        assert_eq!(s, "HTTP, length: 82\n\tGET /index.html HTTP/1.1 [|http]");
    }

    fn txt(proto: &TxtProto, data: &[u8], v: u8) -> String {
        let mut s = String::new();
        write_tcpdump(&mut s, proto, data, data.len(), v);
        s
    }

    /// As Debian's tcpdump 4.99.3 prints them (corpus: sip.pcap, smtp.pcap, ftp.pcap).
    #[test]
    fn sip_smtp_ftp_lines() {
        let invite = b"INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1\r\n\r\n";
        assert_eq!(txt(&SIP, invite, 0), "SIP: INVITE sip:bob@example.com SIP/2.0");
        assert_eq!(txt(&SIP, b"SIP/2.0 100 Trying\r\n\r\n", 0), "SIP: SIP/2.0 100 Trying");
        assert_eq!(txt(&SIP, b"\x00\x01binary", 0), "SIP");
        assert_eq!(
            txt(&SIP, invite, 1),
            "SIP, length: 65\n\tINVITE sip:bob@example.com SIP/2.0\n\tVia: SIP/2.0/UDP 10.0.0.1\n\t"
        );
        assert_eq!(txt(&SMTP, b"220 mail.example.com ESMTP\r\n", 0), "SMTP: 220 mail.example.com ESMTP");
        assert_eq!(txt(&SMTP, b"QUIT\r\n", 0), "SMTP: QUIT");
        assert_eq!(txt(&FTP, b"USER anonymous\r\n", 0), "FTP: USER anonymous");
        assert_eq!(txt(&FTP, b"USER anon", 0), "FTP: USER anon [|ftp]");
    }

    #[test]
    fn ssh_banner() {
        let mut s = String::new();
        write_ssh_banner(&mut s, b"SSH-2.0-OpenSSH_9.2\r\n", 21);
        assert_eq!(s, ": SSH: SSH-2.0-OpenSSH_9.2");
        for cut in [&b"SSH-2.0-OpenSSH_9.2"[..], b"SSH-2.0\r", b"SSX-2.0\r\n", b"SSH-\x012\r\n", b""] {
            let mut s = String::new();
            write_ssh_banner(&mut s, cut, cut.len());
            assert_eq!(s, "", "{cut:?}");
        }
    }

    #[test]
    fn every_prefix_is_safe() {
        for sample in [GET, OK, b"GET / HTTP/1.1\r\nHost: \xff\x00\r\n X\r\n\r\n".as_slice()] {
            for n in 0..=sample.len() {
                for v in 0..3 {
                    for proto in [&HTTP, &SIP, &SMTP] {
                        let mut s = String::new();
                        write_tcpdump(&mut s, proto, &sample[..n], sample.len(), v);
                    }
                }
                write_ssh_banner(&mut String::new(), &sample[..n], sample.len());
            }
        }
    }
}
