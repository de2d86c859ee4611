//! Names seen at the application layer: DNS question names, TLS server names (SNI), HTTP
//! Host headers.
//!
//! The application protocol comes from the shared decoder ([`pktkit::decode::app::classify`]),
//! the fields from the shared parsers ([`pktkit::proto::dns`], [`tls`], [`http`]); this module
//! only normalises them into table keys (lower case, non-printable bytes escaped).

use pktkit::decode::{App, AppProto};
use pktkit::proto::{dns, http, tls};

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
            let msg = if app.over_tcp {
                dns::tcp_frames(app.data).next().map_or(&[][..], |f| f.data)
            } else {
                app.data
            };
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
        // The decoder names any TCP port 80 segment HTTP: only a request start has a Host.
        AppProto::Http if starts_request(app.data) => {
            if let Some(n) = http_host(app.data, &mut buf) {
                slot(http, &buf[..n]).0 += 1;
            }
        }
        AppProto::Http | AppProto::Dhcp => {}
    }
}

/// True when `data` starts with an HTTP method (cheap test before parsing).
fn starts_request(data: &[u8]) -> bool {
    pktkit::proto::http::request_method(data).is_some()
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

/// The first question's name of a DNS message, as pkt-decode's JSON writes names
/// ([`dns::Name::unrooted`]: no final dot, the root `.`, `\DDD` and `\.` escapes) but in lower
/// case (one row per name, as DNS compares them), and whether the message is a response.
pub fn dns_question(msg: &[u8], out: &mut [u8; MAX_NAME]) -> Option<(usize, bool)> {
    use std::fmt::Write as _;
    let m = dns::Message::parse(msg).ok()?;
    let q = m.first_question()?;
    let mut key = Key { out, len: 0 };
    write!(key, "{}", q.name.unrooted()).ok()?;
    let n = key.len;
    out[..n].make_ascii_lowercase();
    Some((n, m.header().is_response()))
}

/// A name written into a key buffer; an error when it does not fit.
struct Key<'b> {
    out: &'b mut [u8; MAX_NAME],
    len: usize,
}

impl std::fmt::Write for Key<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        self.out.get_mut(self.len..end).ok_or(std::fmt::Error)?.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Writes `v` (cut to fit) as a key; `None` when empty.
fn copy(v: &[u8], out: &mut [u8; MAX_NAME]) -> Option<usize> {
    let mut n = 0;
    for &b in v {
        if !put(out, &mut n, b) {
            break;
        }
    }
    (n > 0).then_some(n)
}

/// The server name of a TLS ClientHello that starts in `data` (first record).
pub fn tls_sni(data: &[u8], out: &mut [u8; MAX_NAME]) -> Option<usize> {
    copy(tls::client_hello(data)?.server_name()?, out)
}

/// The Host header of an HTTP/1.x request in `data` (lower case).
pub fn http_host(data: &[u8], out: &mut [u8; MAX_NAME]) -> Option<usize> {
    let m = http::Message::parse(data).ok()?;
    if !matches!(m.start, http::StartLine::Request { .. }) {
        return None;
    }
    copy(m.host()?, out)
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
        odd.extend([2, b'a', 0, 0, 0, 1, 0, 1]);
        assert_eq!(name(dns_question(&odd, &mut b).map(|r| r.0), &b).as_deref(), Some("a\\000"));
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
