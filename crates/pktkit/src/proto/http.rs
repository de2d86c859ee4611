//! HTTP/1.x start lines and the headers people grep for (Host, User-Agent): a zero-copy
//! view of one TCP segment, recognised by its content on any port, and emit. The printers
//! are elsewhere: tcpdump's text in `render::text::txtproto`, tshark's fields in
//! [`crate::render::fields::http`].

use thiserror::Error;

/// Request methods recognised at the start of a segment (RFC 9110, WebDAV, SSDP and the
/// extensions tcpdump and Wireshark know).
pub const METHODS: &[&str] = &[
    "GET",
    "HEAD",
    "POST",
    "PUT",
    "DELETE",
    "CONNECT",
    "OPTIONS",
    "TRACE",
    "PATCH",
    "PROPFIND",
    "PROPPATCH",
    "MKCOL",
    "COPY",
    "MOVE",
    "LOCK",
    "UNLOCK",
    "SEARCH",
    "REPORT",
    "MERGE",
    "LABEL",
    "CHECKIN",
    "CHECKOUT",
    "UNCHECKOUT",
    "MKACTIVITY",
    "MKWORKSPACE",
    "VERSION-CONTROL",
    "BASELINE-CONTROL",
    "UPDATE",
    "NOTIFY",
    "SUBSCRIBE",
    "UNSUBSCRIBE",
    "M-SEARCH",
    "POLL",
    "BCOPY",
    "BMOVE",
    "BDELETE",
    "BPROPFIND",
    "BPROPPATCH",
    "CCM_POST",
    "RPC_CONNECT",
    "RPC_IN_DATA",
    "RPC_OUT_DATA",
    "MKCALENDAR",
    "BIND",
    "REBIND",
    "UNBIND",
    "ACL",
    "ORDERPATCH",
];

/// Why a segment is not an HTTP/1.x start.
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
pub enum HttpError {
    /// The data does not start with a request line of a known method or a status line.
    #[error("not an HTTP/1.x request or status line")]
    NotHttp,
    /// The start line looks like HTTP but is cut before its end of line.
    #[error("HTTP start line truncated at byte {offset}")]
    Truncated {
        /// Where the data ends.
        offset: usize,
    },
    /// A status line whose code is not three digits.
    #[error("bad status code at byte {offset}")]
    BadStatus {
        /// Where the code starts.
        offset: usize,
    },
}

/// The first line of a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartLine<'a> {
    /// `METHOD SP request-target [SP HTTP-version]`.
    Request {
        /// The method, one of [`METHODS`].
        method: &'a str,
        /// The request target as sent.
        uri: &'a [u8],
        /// The version (`HTTP/1.1`), empty for an HTTP/0.9 request.
        version: &'a [u8],
    },
    /// `HTTP-version SP status-code [SP reason-phrase]`.
    Response {
        /// The version (`HTTP/1.1`).
        version: &'a [u8],
        /// The three-digit status code.
        code: u16,
        /// The reason phrase, possibly empty.
        reason: &'a [u8],
    },
}

/// One line and where the next starts (LF or CRLF ends a line).
fn next_line(data: &[u8], from: usize) -> Option<(&[u8], usize)> {
    let rest = data.get(from..)?;
    let nl = rest.iter().position(|&b| b == b'\n')?;
    let line = &rest[..nl];
    Some((line.strip_suffix(b"\r").unwrap_or(line), from + nl + 1))
}

/// A message head in one segment: the start line and the header lines present.
#[derive(Clone, Copy, Debug)]
pub struct Message<'a> {
    /// The start line.
    pub start: StartLine<'a>,
    data: &'a [u8],
    headers_at: usize,
    /// Offset of the body (just after the empty line), when the header block is complete.
    pub body_offset: Option<usize>,
}

impl<'a> Message<'a> {
    /// Reads the start line and finds the header block of a segment that begins a message.
    pub fn parse(data: &'a [u8]) -> Result<Message<'a>, HttpError> {
        let start = parse_start(data)?;
        let (_, headers_at) = next_line(data, 0).ok_or(HttpError::Truncated { offset: data.len() })?;
        let mut pos = headers_at;
        let mut body_offset = None;
        while let Some((line, next)) = next_line(data, pos) {
            if line.is_empty() {
                body_offset = Some(next);
                break;
            }
            pos = next;
        }
        Ok(Message { start, data, headers_at, body_offset })
    }

    /// True when the empty line ending the header block is in the segment.
    pub fn headers_complete(&self) -> bool {
        self.body_offset.is_some()
    }

    /// Complete header lines as `(name, value)`, the value without surrounding blanks;
    /// continuation lines and lines without a colon are skipped.
    pub fn headers(&self) -> impl Iterator<Item = (&'a [u8], &'a [u8])> + 'a {
        let data = self.data;
        let mut pos = self.headers_at;
        std::iter::from_fn(move || {
            loop {
                let (line, next) = next_line(data, pos)?;
                if line.is_empty() {
                    return None;
                }
                pos = next;
                if line[0] == b' ' || line[0] == b'\t' {
                    continue;
                }
                if let Some(colon) = line.iter().position(|&b| b == b':') {
                    return Some((&line[..colon], trim(&line[colon + 1..])));
                }
            }
        })
    }

    /// The value of the first header called `name` (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&'a [u8]> {
        self.headers().find(|(n, _)| n.eq_ignore_ascii_case(name.as_bytes())).map(|(_, v)| v)
    }

    /// The Host header.
    pub fn host(&self) -> Option<&'a [u8]> {
        self.header("host")
    }

    /// The User-Agent header.
    pub fn user_agent(&self) -> Option<&'a [u8]> {
        self.header("user-agent")
    }
}

fn trim(v: &[u8]) -> &[u8] {
    let start = v.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(v.len());
    let end = v.iter().rposition(|b| !b.is_ascii_whitespace()).map_or(start, |e| e + 1);
    &v[start..end]
}

/// The length of the longest of `names` (for bounded looks at a request line's start).
pub(crate) const fn longest(names: &[&str]) -> usize {
    let (mut i, mut n) = (0, 0);
    while i < names.len() {
        if names[i].len() > n {
            n = names[i].len();
        }
        i += 1;
    }
    n
}

/// The method when `data` starts with one of [`METHODS`] and a space (a request line's
/// start); looks no further than the longest method and its space.
pub fn request_method(data: &[u8]) -> Option<&'static str> {
    const LONGEST: usize = longest(METHODS);
    let head = &data[..data.len().min(LONGEST + 1)];
    let sp = head.iter().position(|&b| b == b' ' || b == b'\n')?;
    if head[sp] != b' ' {
        return None;
    }
    METHODS.iter().find(|m| m.as_bytes() == &head[..sp]).copied()
}

fn parse_start(data: &[u8]) -> Result<StartLine<'_>, HttpError> {
    // A request starts with a method and a space: refuse anything else before looking for
    // the line end, which would read the whole segment.
    let method =
        if data.starts_with(b"HTTP/") { None } else { Some(request_method(data).ok_or(HttpError::NotHttp)?) };
    let line_end = data.iter().position(|&b| b == b'\n');
    let line = match line_end {
        Some(e) => data[..e].strip_suffix(b"\r").unwrap_or(&data[..e]),
        None => data,
    };
    let Some(method) = method else {
        let sp = line.iter().position(|&b| b == b' ').ok_or(HttpError::NotHttp)?;
        let version = &line[..sp];
        let code = line.get(sp + 1..sp + 4).ok_or(HttpError::Truncated { offset: data.len() })?;
        if !code.iter().all(u8::is_ascii_digit) || line.get(sp + 4).is_some_and(|&b| b != b' ') {
            return Err(HttpError::BadStatus { offset: sp + 1 });
        }
        line_end.ok_or(HttpError::Truncated { offset: data.len() })?;
        let code = code.iter().fold(0u16, |n, d| n * 10 + (d - b'0') as u16);
        let reason = line.get(sp + 5..).unwrap_or(&[]);
        return Ok(StartLine::Response { version, code, reason });
    };
    // request_method saw the method and its space before any line end.
    let sp = method.len();
    line_end.ok_or(HttpError::Truncated { offset: data.len() })?;
    let rest = &line[sp + 1..];
    let (uri, version) = match rest.iter().rposition(|&b| b == b' ') {
        Some(at) if rest[at + 1..].starts_with(b"HTTP/") => (&rest[..at], &rest[at + 1..]),
        _ => (rest, &rest[rest.len()..]),
    };
    Ok(StartLine::Request { method, uri, version })
}

/// True when `data` starts with a request line of a known method or a status line.
pub fn is_http(data: &[u8]) -> bool {
    matches!(parse_start(data), Ok(_) | Err(HttpError::Truncated { .. }))
}

/// A message head, owned: what [`MessageRepr::emit`] writes and [`MessageRepr::parse`] reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageRepr {
    /// The start line's three parts: method, target, version for a request; version, code,
    /// reason for a response.
    pub start: StartRepr,
    /// Header lines in order, values without surrounding blanks.
    pub headers: Vec<(String, Vec<u8>)>,
}

/// An owned start line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StartRepr {
    /// A request line.
    Request {
        /// Method (one of [`METHODS`]).
        method: String,
        /// Request target.
        uri: Vec<u8>,
        /// Version, e.g. `HTTP/1.1`.
        version: String,
    },
    /// A status line.
    Response {
        /// Version, e.g. `HTTP/1.1`.
        version: String,
        /// Status code, 100 to 999.
        code: u16,
        /// Reason phrase.
        reason: Vec<u8>,
    },
}

impl MessageRepr {
    /// Writes the head: start line, headers, empty line, all ending in CRLF.
    pub fn emit(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match &self.start {
            StartRepr::Request { method, uri, version } => {
                out.extend_from_slice(method.as_bytes());
                out.push(b' ');
                out.extend_from_slice(uri);
                out.push(b' ');
                out.extend_from_slice(version.as_bytes());
            }
            StartRepr::Response { version, code, reason } => {
                out.extend_from_slice(version.as_bytes());
                out.extend_from_slice(format!(" {code:03} ").as_bytes());
                out.extend_from_slice(reason);
            }
        }
        out.extend_from_slice(b"\r\n");
        for (name, value) in &self.headers {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
        out
    }

    /// Reads a parsed head back into owned form.
    pub fn parse(msg: &Message<'_>) -> MessageRepr {
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        let start = match msg.start {
            StartLine::Request { method, uri, version } => {
                StartRepr::Request { method: method.to_string(), uri: uri.to_vec(), version: text(version) }
            }
            StartLine::Response { version, code, reason } => {
                StartRepr::Response { version: text(version), code, reason: reason.to_vec() }
            }
        };
        MessageRepr { start, headers: msg.headers().map(|(n, v)| (text(n), v.to_vec())).collect() }
    }
}

#[cfg(test)]
mod tests;
