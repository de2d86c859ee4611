use super::*;
// The printer's tests stay beside the parser's: they share its sample messages and hostile inputs.
use crate::render::fields::http::{FIELDS, write_field};

const GET: &[u8] =
    b"GET /index.html HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/8.0\r\nAccept: */*\r\n\r\n";
const OK: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello";

#[test]
fn parses_a_request() {
    let m = Message::parse(GET).unwrap();
    assert_eq!(m.start, StartLine::Request { method: "GET", uri: b"/index.html", version: b"HTTP/1.1" });
    assert_eq!(m.host(), Some(&b"example.com"[..]));
    assert_eq!(m.user_agent(), Some(&b"curl/8.0"[..]));
    assert_eq!(m.header("ACCEPT"), Some(&b"*/*"[..]));
    assert_eq!(m.header("cookie"), None);
    assert_eq!(m.body_offset, Some(GET.len()));
    assert!(is_http(GET));
}

#[test]
fn parses_a_response() {
    let m = Message::parse(OK).unwrap();
    assert_eq!(m.start, StartLine::Response { version: b"HTTP/1.1", code: 200, reason: b"OK" });
    assert_eq!(&OK[m.body_offset.unwrap()..], b"hello");
    let m = Message::parse(b"HTTP/1.0 204\r\n\r\n").unwrap();
    assert_eq!(m.start, StartLine::Response { version: b"HTTP/1.0", code: 204, reason: b"" });
}

#[test]
fn odd_but_accepted_forms() {
    // LF-only lines, folded headers, HTTP/0.9, blanks around values.
    let m = Message::parse(b"GET / HTTP/1.0\nHost:  a.example \n X-Folded: more\nUser-Agent:ua\n\n").unwrap();
    assert_eq!(m.host(), Some(&b"a.example"[..]));
    assert_eq!(m.headers().count(), 2);
    assert!(m.headers_complete());
    let m = Message::parse(b"GET /old\r\n").unwrap();
    assert_eq!(m.start, StartLine::Request { method: "GET", uri: b"/old", version: b"" });
    // A header block cut by the segment end: the complete lines are there.
    let m = Message::parse(b"POST /a HTTP/1.1\r\nHost: h\r\nContent-Le").unwrap();
    assert_eq!(m.host(), Some(&b"h"[..]));
    assert!(!m.headers_complete());
}

#[test]
fn not_http() {
    assert_eq!(Message::parse(b"\x16\x03\x01\x00\x05hello").map(|_| ()), Err(HttpError::NotHttp));
    assert_eq!(Message::parse(b"get / HTTP/1.1\r\n").map(|_| ()), Err(HttpError::NotHttp));
    assert_eq!(Message::parse(b"GET\r\n").map(|_| ()), Err(HttpError::NotHttp));
    assert_eq!(Message::parse(b"").map(|_| ()), Err(HttpError::NotHttp));
    assert_eq!(Message::parse(b"HTTP/1.1 2000 OK\r\n").map(|_| ()), Err(HttpError::BadStatus { offset: 9 }));
    assert_eq!(Message::parse(b"HTTP/1.1 20x OK\r\n").map(|_| ()), Err(HttpError::BadStatus { offset: 9 }));
    assert_eq!(Message::parse(b"HTTP/1.1 20").map(|_| ()), Err(HttpError::Truncated { offset: 11 }));
    assert_eq!(Message::parse(b"GET /x HTTP/1.1").map(|_| ()), Err(HttpError::Truncated { offset: 15 }));
    assert!(is_http(b"GET /x HTTP/1.1"));
    assert!(!is_http(b"SSH-2.0-OpenSSH_9.2\r\n"));
}

#[test]
fn emit_then_parse_round_trips() {
    let reprs = [
        MessageRepr {
            start: StartRepr::Request {
                method: "GET".into(),
                uri: b"/a?b=c".to_vec(),
                version: "HTTP/1.1".into(),
            },
            headers: vec![
                ("Host".into(), b"example.com".to_vec()),
                ("User-Agent".into(), b"pktkit".to_vec()),
            ],
        },
        MessageRepr {
            start: StartRepr::Response {
                version: "HTTP/1.1".into(),
                code: 404,
                reason: b"Not Found".to_vec(),
            },
            headers: vec![("Content-Length".into(), b"0".to_vec())],
        },
    ];
    for r in &reprs {
        let wire = r.emit();
        assert_eq!(&MessageRepr::parse(&Message::parse(&wire).unwrap()), r);
    }
    assert_eq!(reprs[0].emit(), b"GET /a?b=c HTTP/1.1\r\nHost: example.com\r\nUser-Agent: pktkit\r\n\r\n");
}

fn ts(data: &[u8], field: &str) -> Option<String> {
    let mut s = String::new();
    write_field(data, field, &mut s).then_some(s)
}

/// Expected values are what tshark 4.0.17 printed for these segments.
#[test]
fn tshark_field_examples() {
    assert_eq!(ts(GET, "http.request.method").as_deref(), Some("GET"));
    assert_eq!(ts(GET, "http.request.uri").as_deref(), Some("/index.html"));
    assert_eq!(ts(GET, "http.host").as_deref(), Some("example.com"));
    assert_eq!(ts(GET, "http.user_agent").as_deref(), Some("curl/8.0"));
    assert_eq!(ts(GET, "http.response.code"), None);
    assert_eq!(ts(OK, "http.response.code").as_deref(), Some("200"));
    let two = b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\nUser-Agent: x\r\nUser-Agent: y\r\n\r\n";
    assert_eq!(ts(two, "http.host").as_deref(), Some("a,b"));
    assert_eq!(ts(two, "http.user_agent").as_deref(), Some("x,y"));
    assert_eq!(
        ts(b"PATCH /p HTTP/1.1\r\nhost:   spaced  \r\n\r\n", "http.host").as_deref(),
        Some("spaced  ")
    );
    assert_eq!(ts(b"GET / HTTP/1.1\r\nHost : x\r\n\r\n", "http.host"), None);
    assert_eq!(ts(b"GET / HTTP/1.1\r\nHost: a\tb\x7f\r\n\r\n", "http.host").as_deref(), Some("a\\tb\x7f"));
    assert_eq!(ts(b"GET  /two HTTP/1.1\r\n\r\n", "http.request.uri"), None);
    assert_eq!(ts(b"HEAD /\t HTTP/1.1\r\n\r\n", "http.request.uri").as_deref(), Some("/\\t"));
    // Wireshark's reading: unfinished lines count, a lone CR ends a line, a line without a
    // colon ends the headers, NUL cuts a value, the code is read like atoi.
    assert_eq!(ts(b"GET / HTTP/1.1\r\nHost: exa", "http.host").as_deref(), Some("exa"));
    assert_eq!(ts(b"PATCH", "http.request.method").as_deref(), Some("PATCH"));
    assert_eq!(ts(b"GET\r\n", "http.request.method"), None);
    assert_eq!(ts(b"GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", "http.host").as_deref(), Some("a"));
    assert_eq!(ts(b"GET / HTTP/1.1\r\ngarbage\r\nHost: x\r\n\r\n", "http.host"), None);
    assert_eq!(ts(b"GET / HTTP/1.1\r\nHost : x\r\nHost: y\r\n\r\n", "http.host").as_deref(), Some("y"));
    assert_eq!(ts(b"GET / HTTP/1.1\r\nHost: a\x00b\r\n\r\n", "http.host").as_deref(), Some("a"));
    assert_eq!(
        ts(b"GET / HTTP/1.1\r\nHost: caf\xc3\xa9\r\n\r\n", "http.host").as_deref(),
        Some("caf\u{fffd}\u{fffd}")
    );
    assert_eq!(ts(b"HTTP/1.1 2000 Bad\r\n\r\n", "http.response.code").as_deref(), Some("200"));
    assert_eq!(ts(b"HTTP/1.0 4$4 Odd\r\n\r\n", "http.response.code").as_deref(), Some("4"));
}

#[test]
fn every_prefix_is_safe() {
    for sample in [GET, OK, b"GET / HTTP/1.1\r\nHost: \xff\x00\r\n X\r\n\r\n".as_slice()] {
        for n in 0..=sample.len() {
            let d = &sample[..n];
            let _ = Message::parse(d).map(|m| (m.host(), m.headers().count()));
            for f in FIELDS {
                ts(d, f);
            }
        }
    }
}

#[test]
fn request_method_reads_only_the_start() {
    assert_eq!(request_method(b"GET / HTTP/1.1\r\n"), Some("GET"));
    assert_eq!(request_method(b"BASELINE-CONTROL /x HTTP/1.1\r\n"), Some("BASELINE-CONTROL"));
    assert_eq!(request_method(b"M-SEARCH * HTTP/1.1\r\n"), Some("M-SEARCH"));
    assert_eq!(request_method(b"GET"), None);
    assert_eq!(request_method(b"GET\n / HTTP/1.1"), None);
    assert_eq!(request_method(b"HTTP/1.1 200 OK\r\n"), None);
    assert_eq!(request_method(b"get / HTTP/1.1\r\n"), None);
}
