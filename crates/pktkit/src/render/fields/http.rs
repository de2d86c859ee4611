//! Wireshark HTTP fields as tshark 4.0 prints them with `-T fields`, read from one TCP
//! segment by Wireshark's own line rules (which differ from [`crate::proto::http::Message`]'s).

use std::fmt::Write as _;

use super::tshark_text::push_ascii_string as push_ws_string;
use crate::proto::http::longest;

/// The Wireshark field names [`write_field`] knows.
pub const FIELDS: &[&str] =
    &["http.request.method", "http.request.uri", "http.host", "http.user_agent", "http.response.code"];

/// Wireshark 4.0's request methods.
const WS_METHODS: &[&str] = &[
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
    "PATCH",
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
    "M-SEARCH",
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

/// Lines as Wireshark finds them: CRLF, LF or a lone CR ends one; the rest of the data is a
/// last line. Yields the line and whether an end of line followed it.
fn ws_lines(data: &[u8]) -> impl Iterator<Item = (&[u8], bool)> {
    let mut rest = data;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        match rest.iter().position(|&b| b == b'\r' || b == b'\n') {
            Some(e) => {
                let line = &rest[..e];
                let skip = if rest[e] == b'\r' && rest.get(e + 1) == Some(&b'\n') { 2 } else { 1 };
                rest = &rest[e + skip..];
                Some((line, true))
            }
            None => {
                let line = rest;
                rest = &[];
                Some((line, false))
            }
        }
    })
}

/// A request line's start as Wireshark reads it: one of [`WS_METHODS`] and a space (or
/// the method alone in data that ends without an end of line), and the URI up to the next
/// space or end of line. Looks no further than the longest method before the URI.
fn ws_request(data: &[u8]) -> Option<(&'static str, &[u8])> {
    const LONGEST: usize = longest(WS_METHODS);
    let ends_token = |b: &u8| matches!(b, b' ' | b'\r' | b'\n');
    let head = &data[..data.len().min(LONGEST + 1)];
    let (method, uri_at) = match head.iter().position(ends_token) {
        Some(sp) if head[sp] == b' ' => (&head[..sp], sp + 1),
        None if data.len() <= LONGEST => (data, data.len()),
        _ => return None,
    };
    let method = WS_METHODS.iter().find(|m| m.as_bytes() == method)?;
    let rest = &data[uri_at..];
    Some((method, &rest[..rest.iter().position(ends_token).unwrap_or(rest.len())]))
}

/// Whether [`write_field`] may find `field` in `data`: false when a look at the start
/// of the data rules it out (no request line for `http.request.*`, no status line for
/// `http.response.code`).
pub fn may_have_field(data: &[u8], field: &str) -> bool {
    match field {
        "http.request.method" | "http.request.uri" => {
            !data.starts_with(b"HTTP/") && ws_request(data).is_some()
        }
        "http.response.code" => data.starts_with(b"HTTP/"),
        _ => true,
    }
}

/// Appends the value tshark 4.0 prints for `field` of a TCP segment the caller treats as
/// HTTP (several values joined by `,`); false, appending nothing, when absent. A segment that
/// does not start with a request or status line still gives the header lines it holds, as
/// Wireshark reports them for a connection on an HTTP port.
///
/// This follows Wireshark's own reading, which differs from [`Message`](crate::proto::http::Message): a lone CR ends a
/// line, an unfinished last line counts, header reading stops at the first line without a
/// colon, values are cut at a NUL, an empty value is an occurrence. tshark sometimes leaves a segment undissected where this
/// function reports values: it keeps state across packets (pairing responses with
/// requests), which a per-segment function cannot.
pub fn write_field(data: &[u8], field: &str, out: &mut String) -> bool {
    let response = data.starts_with(b"HTTP/");
    let request = if response { None } else { ws_request(data) };
    let start = out.len();
    match field {
        "http.request.method" => match request {
            Some((m, _)) => out.push_str(m),
            None => return false,
        },
        "http.request.uri" => match request {
            Some((_, uri)) => push_ws_string(out, uri),
            None => return false,
        },
        "http.response.code" if response => {
            // The three characters after the version, read as a number like atoi does; no
            // code when the line is shorter.
            let Some(sp) = data.iter().position(|&b| matches!(b, b' ' | b'\r' | b'\n')) else { return false };
            let Some(digits) = data.get(sp + 1..sp + 4) else { return false };
            if data[sp] != b' ' || digits.iter().any(|&b| b == b'\r' || b == b'\n') {
                return false;
            }
            let code = digits
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .fold(0u32, |n, d| n * 10 + (d - b'0') as u32);
            let _ = write!(out, "{code}");
        }
        "http.host" | "http.user_agent" => {
            let mut lines = ws_lines(data);
            if response || request.is_some() {
                lines.next();
            }
            let want: &[u8] = if field == "http.host" { b"host" } else { b"user-agent" };
            let mut found = false;
            for (line, _) in lines {
                let Some(colon) = line.iter().position(|&b| b == b':') else { break };
                if !line[..colon].eq_ignore_ascii_case(want) {
                    continue;
                }
                let v = &line[colon + 1..];
                let v = &v[v.iter().position(|&b| b != b' ' && b != b'\t').unwrap_or(v.len())..];
                if found {
                    out.push(',');
                }
                found = true;
                push_ws_string(out, v);
            }
            return found;
        }
        _ => return false,
    }
    out.len() > start
}
