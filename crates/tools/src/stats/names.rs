//! Names seen at the application layer: DNS question names, TLS server names (SNI), HTTP
//! Host headers.
//!
//! The application protocol comes from the shared decoder ([`pktkit::decode::app::classify`]).
//! Reading the one field each report needs is done here with small bounded readers until the
//! application parsers of `pktkit::proto` (`dns`, `tls`, `http`) are merged; then these calls
//! move to them.

use pktkit::decode::{App, AppProto};

use super::keys::{DnsCount, Hits};
use super::table::Table;

/// Longest name kept (DNS names are at most 253 characters; longer SNI or Host values are cut).
const MAX_NAME: usize = 255;

/// Counts the name `app` carries, if any.
pub fn count(
    app: &App<'_>,
    dns: &mut Table<String, DnsCount>,
    sni: &mut Table<String, Hits>,
    http: &mut Table<String, Hits>,
) {
    let mut buf = [0u8; MAX_NAME];
    match app.proto {
        AppProto::Dns => {
            let msg = if app.over_tcp { app.data.get(2..).unwrap_or(&[]) } else { app.data };
            if let Some((n, response)) = dns_question(msg, &mut buf) {
                let c = slot(dns, &buf[..n]);
                if response {
                    c.responses += 1;
                } else {
                    c.queries += 1;
                }
            }
        }
        AppProto::Tls => {
            if let Some(n) = tls_sni(app.data, &mut buf) {
                slot(sni, &buf[..n]).0 += 1;
            }
        }
        AppProto::Http => {
            if let Some(n) = http_host(app.data, &mut buf) {
                slot(http, &buf[..n]).0 += 1;
            }
        }
        AppProto::Dhcp => {}
    }
}

fn slot<'t, V: super::table::Merge>(t: &'t mut Table<String, V>, name: &[u8]) -> &'t mut V {
    // Names are written lower-case ASCII, other bytes escaped, so they are valid UTF-8.
    let s = std::str::from_utf8(name).unwrap_or("");
    t.slot_by(s, |s| s.to_string())
}

/// Writes `b` lower-cased into `out` at `*n`, escaping bytes outside printable ASCII as `\xNN`.
fn put(out: &mut [u8; MAX_NAME], n: &mut usize, b: u8) -> bool {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    if b.is_ascii_graphic() && b != b'\\' {
        if *n >= MAX_NAME {
            return false;
        }
        out[*n] = b.to_ascii_lowercase();
        *n += 1;
    } else {
        if *n + 4 > MAX_NAME {
            return false;
        }
        out[*n..*n + 4].copy_from_slice(&[b'\\', b'x', HEX[(b >> 4) as usize], HEX[(b & 15) as usize]]);
        *n += 4;
    }
    true
}

/// The first question's name of a DNS message (lower case, no trailing dot; the root is `.`),
/// and whether the message is a response.
pub fn dns_question(msg: &[u8], out: &mut [u8; MAX_NAME]) -> Option<(usize, bool)> {
    if msg.len() < 12 || u16::from_be_bytes([msg[4], msg[5]]) == 0 {
        return None;
    }
    let response = msg[2] & 0x80 != 0;
    let mut at = 12usize;
    let mut n = 0usize;
    let mut hops = 0;
    loop {
        let len = *msg.get(at)? as usize;
        match len & 0xc0 {
            0x00 if len == 0 => break,
            0x00 => {
                let label = msg.get(at + 1..at + 1 + len)?;
                if n > 0 && !put(out, &mut n, b'.') {
                    return None;
                }
                for &b in label {
                    if !put(out, &mut n, b) {
                        return None;
                    }
                }
                at += 1 + len;
            }
            0xc0 => {
                hops += 1;
                if hops > 16 {
                    return None;
                }
                let lo = *msg.get(at + 1)? as usize;
                at = ((len & 0x3f) << 8) | lo;
            }
            _ => return None,
        }
    }
    if n == 0 {
        out[0] = b'.';
        n = 1;
    }
    Some((n, response))
}

/// The server name of a TLS ClientHello that starts in `data` (first record).
pub fn tls_sni(data: &[u8], out: &mut [u8; MAX_NAME]) -> Option<usize> {
    // Record header (5), handshake header (4): type 1 is ClientHello.
    if data.len() < 9 || data[0] != 22 || data[5] != 1 {
        return None;
    }
    let rec_len = u16::from_be_bytes([data[3], data[4]]) as usize;
    let rec = data.get(5..(5 + rec_len).min(data.len()))?;
    let body = rec.get(4..)?;
    // version (2), random (32), session id, cipher suites, compression methods, extensions.
    let mut at = 34usize;
    let sid = *body.get(at)? as usize;
    at += 1 + sid;
    let cs = u16::from_be_bytes([*body.get(at)?, *body.get(at + 1)?]) as usize;
    at += 2 + cs;
    let cm = *body.get(at)? as usize;
    at += 1 + cm;
    let ext_len = u16::from_be_bytes([*body.get(at)?, *body.get(at + 1)?]) as usize;
    at += 2;
    let end = (at + ext_len).min(body.len());
    while at + 4 <= end {
        let ty = u16::from_be_bytes([body[at], body[at + 1]]);
        let len = u16::from_be_bytes([body[at + 2], body[at + 3]]) as usize;
        let ext = body.get(at + 4..at + 4 + len)?;
        if ty == 0 {
            // server_name_list: length (2), then entries of type (1), length (2), name.
            let list = ext.get(2..)?;
            if *list.first()? != 0 {
                return None;
            }
            let nlen = u16::from_be_bytes([*list.get(1)?, *list.get(2)?]) as usize;
            let name = list.get(3..3 + nlen)?;
            let mut n = 0;
            for &b in name.iter().take(MAX_NAME) {
                if !put(out, &mut n, b) {
                    break;
                }
            }
            return (n > 0).then_some(n);
        }
        at += 4 + len;
    }
    None
}

/// The Host header of an HTTP/1.x request in `data` (lower case).
pub fn http_host(data: &[u8], out: &mut [u8; MAX_NAME]) -> Option<usize> {
    if data.starts_with(b"HTTP/") {
        return None;
    }
    // Only the header block: at most 8 KiB of the segment is looked at.
    let head = &data[..data.len().min(8192)];
    let mut lines = head.split(|&b| b == b'\n');
    lines.next()?;
    for line in lines {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            break;
        }
        if line.len() > 5 && line[..5].eq_ignore_ascii_case(b"host:") {
            let v = line[5..].trim_ascii();
            let mut n = 0;
            for &b in v.iter().take(MAX_NAME) {
                if !put(out, &mut n, b) {
                    break;
                }
            }
            return (n > 0).then_some(n);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(r: Option<usize>, buf: &[u8; MAX_NAME]) -> Option<String> {
        r.map(|n| String::from_utf8(buf[..n].to_vec()).unwrap())
    }

    #[test]
    fn dns_names() {
        let q = pktkit::proto::dns::build_query(7, true, "WWW.Example.com", 1).unwrap();
        let mut b = [0; MAX_NAME];
        let r = dns_question(&q, &mut b);
        assert_eq!(r.map(|r| r.1), Some(false));
        assert_eq!(name(r.map(|r| r.0), &b).as_deref(), Some("www.example.com"));
        let mut resp = q.clone();
        resp[2] |= 0x80;
        assert_eq!(dns_question(&resp, &mut b).map(|r| r.1), Some(true));
        let root = pktkit::proto::dns::build_query(7, true, ".", 2).unwrap();
        assert_eq!(name(dns_question(&root, &mut b).map(|r| r.0), &b).as_deref(), Some("."));
        // Truncated, no question, pointer loop, odd bytes.
        assert_eq!(dns_question(&q[..20], &mut b), None);
        let mut none = q.clone();
        none[5] = 0;
        assert_eq!(dns_question(&none, &mut b), None);
        let mut lp = q[..12].to_vec();
        lp.extend([0xc0, 12]);
        assert_eq!(dns_question(&lp, &mut b), None);
        let mut odd = q[..12].to_vec();
        odd.extend([2, b'a', 0, 0]);
        assert_eq!(name(dns_question(&odd, &mut b).map(|r| r.0), &b).as_deref(), Some("a\\x00"));
        let mut long = q[..12].to_vec();
        for _ in 0..5 {
            long.push(63);
            long.extend([0xff; 63]);
        }
        long.push(0);
        assert_eq!(dns_question(&long, &mut b), None, "name too long to keep");
    }

    fn client_hello(sni: Option<&[u8]>) -> Vec<u8> {
        let mut body = vec![3, 3];
        body.extend([0u8; 32]);
        body.push(0);
        body.extend([0, 2, 0x13, 0x01, 1, 0]);
        let mut exts = Vec::new();
        exts.extend([0, 23, 0, 0]);
        if let Some(s) = sni {
            let mut list = vec![0];
            list.extend((s.len() as u16).to_be_bytes());
            list.extend_from_slice(s);
            let mut ext = (list.len() as u16).to_be_bytes().to_vec();
            ext.extend(list);
            exts.extend([0, 0]);
            exts.extend((ext.len() as u16).to_be_bytes());
            exts.extend(ext);
        }
        body.extend((exts.len() as u16).to_be_bytes());
        body.extend(exts);
        let mut hs = vec![1, 0];
        hs.extend((body.len() as u16).to_be_bytes());
        hs.extend(body);
        let mut rec = vec![22, 3, 1];
        rec.extend((hs.len() as u16).to_be_bytes());
        rec.extend(hs);
        rec
    }

    #[test]
    fn tls_server_names() {
        let mut b = [0; MAX_NAME];
        let ch = client_hello(Some(b"Example.ORG"));
        assert_eq!(name(tls_sni(&ch, &mut b), &b).as_deref(), Some("example.org"));
        assert_eq!(tls_sni(&client_hello(None), &mut b), None);
        for cut in 0..ch.len() {
            assert_eq!(tls_sni(&ch[..cut], &mut b), None, "cut at {cut}");
        }
        let mut server = ch.clone();
        server[5] = 2;
        assert_eq!(tls_sni(&server, &mut b), None);
    }

    #[test]
    fn http_hosts() {
        let mut b = [0; MAX_NAME];
        let req = b"GET / HTTP/1.1\r\nUser-Agent: x\r\nHOST:  Www.Example.com:8080 \r\n\r\n";
        assert_eq!(name(http_host(req, &mut b), &b).as_deref(), Some("www.example.com:8080"));
        assert_eq!(http_host(b"GET / HTTP/1.1\r\n\r\nHost: late\r\n", &mut b), None);
        assert_eq!(http_host(b"HTTP/1.1 200 OK\r\nHost: x\r\n\r\n", &mut b), None);
        assert_eq!(http_host(b"GET / HTTP/1.0\n", &mut b), None);
        assert_eq!(name(http_host(b"GET / HTTP/1.0\nhost: a b\n", &mut b), &b).as_deref(), Some("a\\x20b"));
    }
}
