//! The application objects of a record (`dns`, `http`, `tls`, `dhcp`; docs/json-schema.md):
//! read with the `proto/` parsers and serialized straight from the packet's bytes, without
//! allocating. Text from the packet (names aside) is written as UTF-8 when it is valid
//! UTF-8, else one character per byte (ISO 8859-1), so no byte is lost.

use std::fmt::{self, Write as _};
use std::net::Ipv4Addr;

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use super::wire::{Hex, Mac};
use crate::decode::{App, AppProto};
use crate::proto::dns::{self, DnsError, Entry, RData, Section};
use crate::proto::{dhcp, http, tls};

/// The application object of one packet, if its protocol is one pktkit reads and its data
/// starts like it.
#[derive(Default, Serialize)]
pub(super) struct AppObjects<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns: Option<DnsJ<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http: Option<HttpJ<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsJ<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dhcp: Option<DhcpJ<'a>>,
}

/// The objects for the application data `app` names.
pub(super) fn objects<'a>(app: Option<&App<'a>>) -> AppObjects<'a> {
    let mut o = AppObjects::default();
    let Some(app) = app else { return o };
    let data = app.data;
    match app.proto {
        AppProto::Dns if app.over_tcp => {
            // The first message of the segment, after its 2-byte length.
            if let Some(m) = dns::tcp_frames(data).next() {
                o.dns = Some(DnsJ { msg: m.data, tcp_length: Some(m.declared_len), mdns: false });
            }
        }
        AppProto::Dns => o.dns = Some(DnsJ { msg: data, tcp_length: None, mdns: app.mdns }),
        AppProto::Http => o.http = http::Message::parse(data).ok().map(HttpJ),
        AppProto::Tls => o.tls = tls::records(data).next().map(|_| TlsJ(data)),
        AppProto::Dhcp => o.dhcp = dhcp::Message::parse(data).ok().map(DhcpJ),
    }
    o
}

/// Bytes as text: UTF-8 when valid, else ISO 8859-1 (one character per byte).
struct Text<'a>(&'a [u8]);

impl fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for &b in self.0 {
            f.write_char(b as char)?;
        }
        Ok(())
    }
}

impl Serialize for Text<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match std::str::from_utf8(self.0) {
            Ok(t) => s.serialize_str(t),
            Err(_) => s.collect_str(self),
        }
    }
}

/// A value written with its `Display` (addresses, names).
struct Shown<T>(T);

impl<T: fmt::Display> Serialize for Shown<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// Where and why a message could not be read whole.
struct ErrorJ(usize, &'static str);

impl Serialize for ErrorJ {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("offset", &self.0)?;
        m.serialize_entry("reason", self.1)?;
        m.end()
    }
}

fn dns_error(e: &DnsError) -> ErrorJ {
    let reason = match e {
        DnsError::Truncated { .. } => "truncated",
        DnsError::ForwardPointer { .. } => "compression pointer points forward",
        DnsError::TooManyPointers { .. } => "too many compression pointers",
        DnsError::BadLabelType { .. } => "reserved label type",
        DnsError::NameTooLong { .. } => "name longer than 255 bytes",
        DnsError::BadRdata { .. } => "malformed record data",
    };
    ErrorJ(e.offset(), reason)
}

/// A DNS message (mDNS and LLMNR too).
pub(super) struct DnsJ<'a> {
    msg: &'a [u8],
    /// Over TCP: the message's 2-byte length prefix.
    tcp_length: Option<u16>,
    mdns: bool,
}

impl Serialize for DnsJ<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        if let Some(l) = self.tcp_length {
            m.serialize_entry("tcp_length", &l)?;
        }
        if self.mdns {
            m.serialize_entry("mdns", &true)?;
        }
        let msg = match dns::Message::parse(self.msg) {
            Ok(msg) => msg,
            Err(e) => {
                m.serialize_entry("error", &dns_error(&e))?;
                return m.end();
            }
        };
        let h = msg.header();
        m.serialize_entry("id", &h.id)?;
        m.serialize_entry("flags", &h.flags)?;
        m.serialize_entry("response", &h.is_response())?;
        m.serialize_entry("opcode", &h.opcode())?;
        m.serialize_entry("rcode", &h.rcode())?;
        m.serialize_entry("aa", &h.authoritative())?;
        m.serialize_entry("tc", &h.truncated())?;
        m.serialize_entry("rd", &h.recursion_desired())?;
        m.serialize_entry("ra", &h.recursion_available())?;
        m.serialize_entry("ad", &h.authentic_data())?;
        m.serialize_entry("cd", &h.checking_disabled())?;
        m.serialize_entry("qdcount", &h.qdcount)?;
        m.serialize_entry("ancount", &h.ancount)?;
        m.serialize_entry("nscount", &h.nscount)?;
        m.serialize_entry("arcount", &h.arcount)?;
        let questions = || {
            msg.entries().map_while(Result::ok).filter_map(|e| match e {
                Entry::Question(q) => Some(QuestionJ(q)),
                Entry::Record(..) => None,
            })
        };
        // Which lists have an entry, found in one walk: an empty list is left out.
        let mut present = [false; 4];
        for e in msg.entries().map_while(Result::ok) {
            present[match e {
                Entry::Question(_) => 0,
                Entry::Record(Section::Question, _) => continue,
                Entry::Record(Section::Answer, _) => 1,
                Entry::Record(Section::Authority, _) => 2,
                Entry::Record(Section::Additional, _) => 3,
            }] = true;
        }
        if present[0] {
            m.serialize_entry("questions", &Seq(questions))?;
        }
        let sections = [
            ("answers", Section::Answer),
            ("authority", Section::Authority),
            ("additional", Section::Additional),
        ];
        for ((key, section), _) in sections.into_iter().zip(&present[1..]).filter(|(_, here)| **here) {
            let records = || {
                msg.entries().map_while(Result::ok).filter_map(move |e| match e {
                    Entry::Record(sec, r) if sec == section => Some(RecordJ(r)),
                    _ => None,
                })
            };
            m.serialize_entry(key, &Seq(records))?;
        }
        if let Some(Err(e)) = msg.entries().find(Result::is_err) {
            m.serialize_entry("error", &dns_error(&e))?;
        }
        m.end()
    }
}

struct QuestionJ<'a>(dns::Question<'a>);

impl Serialize for QuestionJ<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let q = &self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("name", &Shown(q.name.unrooted()))?;
        m.serialize_entry("type", &q.qtype)?;
        if let Some(n) = dns::type_name(q.qtype) {
            m.serialize_entry("type_name", n)?;
        }
        m.serialize_entry("class", &q.qclass)?;
        m.end()
    }
}

struct RecordJ<'a>(dns::Record<'a>);

impl Serialize for RecordJ<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = &self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("name", &Shown(r.name.unrooted()))?;
        m.serialize_entry("type", &r.rtype)?;
        if let Some(n) = dns::type_name(r.rtype) {
            m.serialize_entry("type_name", n)?;
        }
        m.serialize_entry("class", &r.class)?;
        m.serialize_entry("ttl", &r.ttl)?;
        match r.data() {
            Ok(RData::Opt(o)) => {
                m.serialize_entry("udp_size", &o.udp_payload_size)?;
                m.serialize_entry("ext_rcode", &o.ext_rcode)?;
                m.serialize_entry("version", &o.version)?;
                m.serialize_entry("do", &o.dnssec_ok())?;
            }
            Ok(RData::Unknown(raw)) => m.serialize_entry("rdata", &Hex(raw))?,
            Ok(d) => m.serialize_entry("data", &Shown(DataText(d)))?,
            Err(_) => m.serialize_entry("rdata", &Hex(r.rdata))?,
        }
        m.end()
    }
}

/// Record data in presentation format (RFC 1035 §5.1), as `dig` shows it, but with names
/// written as every name in the record is, without the final dot.
struct DataText<'a>(RData<'a>);

impl fmt::Display for DataText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            RData::A(a) => write!(f, "{a}"),
            RData::Aaaa(a) => write!(f, "{a}"),
            RData::Ns(n) | RData::Cname(n) | RData::Ptr(n) => write!(f, "{}", n.unrooted()),
            RData::Mx { preference, exchange } => write!(f, "{preference} {}", exchange.unrooted()),
            RData::Srv { priority, weight, port, target } => {
                write!(f, "{priority} {weight} {port} {}", target.unrooted())
            }
            RData::Soa(s) => write!(
                f,
                "{} {} {} {} {} {} {}",
                s.mname.unrooted(),
                s.rname.unrooted(),
                s.serial,
                s.refresh,
                s.retry,
                s.expire,
                s.minimum
            ),
            RData::Txt(t) => {
                for (i, part) in t.strings().enumerate() {
                    if i > 0 {
                        f.write_char(' ')?;
                    }
                    f.write_char('"')?;
                    for &c in part {
                        match c {
                            b'"' | b'\\' => write!(f, "\\{}", c as char)?,
                            0x20..=0x7e => f.write_char(c as char)?,
                            _ => write!(f, "\\{c:03}")?,
                        }
                    }
                    f.write_char('"')?;
                }
                Ok(())
            }
            RData::Opt(_) | RData::Unknown(_) => Ok(()),
        }
    }
}

/// The start of an HTTP/1.x message.
pub(super) struct HttpJ<'a>(http::Message<'a>);

impl Serialize for HttpJ<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let msg = &self.0;
        let mut m = s.serialize_map(None)?;
        match msg.start {
            http::StartLine::Request { method, uri, version } => {
                m.serialize_entry("type", "request")?;
                m.serialize_entry("method", method)?;
                m.serialize_entry("uri", &Text(uri))?;
                m.serialize_entry("version", &Text(version))?;
            }
            http::StartLine::Response { version, code, reason } => {
                m.serialize_entry("type", "response")?;
                m.serialize_entry("version", &Text(version))?;
                m.serialize_entry("status", &code)?;
                m.serialize_entry("reason", &Text(reason))?;
            }
        }
        if let Some(h) = msg.host() {
            m.serialize_entry("host", &Text(h))?;
        }
        if let Some(ua) = msg.user_agent() {
            m.serialize_entry("user_agent", &Text(ua))?;
        }
        m.serialize_entry("headers_complete", &msg.headers_complete())?;
        m.end()
    }
}

/// The TLS records of a segment that starts at a record boundary.
pub(super) struct TlsJ<'a>(&'a [u8]);

impl Serialize for TlsJ<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let data = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("records", &RecordsJ(data))?;
        seq_entry(&mut m, "handshake_types", || handshake_types(data))?;
        if let Some(h) = tls::client_hello(data) {
            m.serialize_entry("client_hello", &ClientHelloJ(h))?;
        }
        let server = tls::records(data)
            .take_while(|r| r.content_type != tls::CHANGE_CIPHER_SPEC)
            .flat_map(|r| r.handshakes())
            .find(|h| h.msg_type == tls::SERVER_HELLO)
            .and_then(|h| tls::server_hello_version(h.body));
        if let Some(v) = server {
            m.serialize_entry("server_version", &v)?;
        }
        m.end()
    }
}

struct RecordsJ<'a>(&'a [u8]);

impl Serialize for RecordsJ<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for r in tls::records(self.0) {
            seq.serialize_element(&TlsRecordJ(r))?;
        }
        seq.end()
    }
}

struct TlsRecordJ<'a>(tls::Record<'a>);

impl Serialize for TlsRecordJ<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = &self.0;
        let mut m = s.serialize_map(Some(4))?;
        m.serialize_entry("content_type", &r.content_type)?;
        m.serialize_entry("version", &r.version)?;
        m.serialize_entry("length", &r.length)?;
        m.serialize_entry("complete", &r.is_complete())?;
        m.end()
    }
}

/// The handshake message types of the records before a ChangeCipherSpec (after it, the
/// handshake records are encrypted).
fn handshake_types(data: &[u8]) -> impl Iterator<Item = u8> + '_ {
    tls::records(data)
        .take_while(|r| r.content_type != tls::CHANGE_CIPHER_SPEC)
        .flat_map(|r| r.handshakes())
        .map(|h| h.msg_type)
}

struct ClientHelloJ<'a>(tls::ClientHello<'a>);

impl Serialize for ClientHelloJ<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let h = &self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("version", &h.legacy_version)?;
        if let Some(sni) = h.server_name() {
            m.serialize_entry("sni", &Text(sni))?;
        }
        seq_entry(&mut m, "alpn", || h.alpn().map(Text))?;
        seq_entry(&mut m, "supported_versions", || h.supported_versions())?;
        seq_entry(&mut m, "cipher_suites", || h.cipher_suite_list())?;
        seq_entry(&mut m, "extensions", || h.extension_list().map(|(t, _)| t))?;
        m.end()
    }
}

/// Writes `key` with the sequence `seq` makes, unless it is empty: in a record, an empty list
/// is absent, as an empty object is.
fn seq_entry<M, F, I>(m: &mut M, key: &'static str, seq: F) -> Result<(), M::Error>
where
    M: SerializeMap,
    F: Fn() -> I,
    I: Iterator,
    I::Item: Serialize,
{
    if seq().next().is_some() {
        m.serialize_entry(key, &Seq(seq))?;
    }
    Ok(())
}

/// A sequence made by a closure each time it is written.
struct Seq<F>(F);

impl<F, I> Serialize for Seq<F>
where
    F: Fn() -> I,
    I: Iterator,
    I::Item: Serialize,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq((self.0)())
    }
}

/// A BOOTP/DHCP message.
pub(super) struct DhcpJ<'a>(dhcp::Message<'a>);

impl Serialize for DhcpJ<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let d = &self.0;
        let ip = |a: Ipv4Addr| Shown(a);
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("op", &d.op())?;
        m.serialize_entry("htype", &d.htype())?;
        m.serialize_entry("hlen", &d.hlen())?;
        m.serialize_entry("hops", &d.hops())?;
        m.serialize_entry("xid", &d.xid())?;
        m.serialize_entry("secs", &d.secs())?;
        m.serialize_entry("flags", &d.flags())?;
        m.serialize_entry("ciaddr", &ip(d.ciaddr()))?;
        m.serialize_entry("yiaddr", &ip(d.yiaddr()))?;
        m.serialize_entry("siaddr", &ip(d.siaddr()))?;
        m.serialize_entry("giaddr", &ip(d.giaddr()))?;
        let ch = d.chaddr();
        m.serialize_entry("chaddr", &Mac(&ch[..(d.hlen() as usize).min(ch.len())]))?;
        m.serialize_entry("dhcp", &d.is_dhcp())?;
        if d.is_dhcp() {
            if let Some(t) = d.option(dhcp::OPT_MESSAGE_TYPE).and_then(|o| o.data.first().copied()) {
                m.serialize_entry("message_type", &t)?;
                if let Some(n) = message_type_name(t) {
                    m.serialize_entry("message_type_name", n)?;
                }
            }
            if let Some(a) = d.requested_ip() {
                m.serialize_entry("requested_ip", &ip(a))?;
            }
            if let Some(a) = d.server_id() {
                m.serialize_entry("server_id", &ip(a))?;
            }
            if let Some(t) = d.lease_time() {
                m.serialize_entry("lease_time", &t)?;
            }
            if let Some(h) = d.hostname() {
                m.serialize_entry("hostname", &Text(h))?;
            }
            if let Some(p) = d.parameter_list() {
                m.serialize_entry("parameter_list", p)?;
            }
            seq_entry(&mut m, "options", || d.options().map_while(Result::ok).map(|o| o.code))?;
            match d.options().find(Result::is_err) {
                Some(Err(dhcp::DhcpError::OptionTooLong { offset, .. })) => {
                    m.serialize_entry("error", &ErrorJ(offset, "option runs past the end of the data"))?
                }
                Some(Err(dhcp::DhcpError::MissingLength { offset, .. })) => {
                    m.serialize_entry("error", &ErrorJ(offset, "option without a length byte"))?
                }
                _ => {}
            }
        }
        m.end()
    }
}

fn message_type_name(t: u8) -> Option<&'static str> {
    Some(match t {
        1 => "discover",
        2 => "offer",
        3 => "request",
        4 => "decline",
        5 => "ack",
        6 => "nak",
        7 => "release",
        8 => "inform",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use crate::capture::{Interface, LinkType, Packet, Precision, Timestamp};
    use crate::decode::{DecodeOptions, decode};
    use crate::render::json::JsonWriter;
    use crate::test_frames::{tcp4, udp4};
    use serde_json::{Value, json};

    /// The record of a raw IPv4 frame (`extra` more bytes on the wire than captured).
    fn record(frame: &[u8], extra: usize) -> Value {
        let iface = Interface::live(LinkType::RAW, 65535, Precision::Micro);
        let orig = (frame.len() + extra) as u32;
        let pkt = Packet::new(1, Timestamp::new(1, 0), frame, orig, &iface);
        let d = decode(LinkType::RAW, frame, orig, &DecodeOptions::default());
        let mut out = Vec::new();
        JsonWriter::new(false).packet(&mut out, &pkt, &d, None).unwrap();
        serde_json::from_slice(&out).unwrap()
    }

    const RESPONSE: &[u8] = b"\x12\x34\x81\x80\x00\x01\x00\x02\x00\x00\x00\x00\
        \x07example\x03com\x00\x00\x01\x00\x01\
        \xc0\x0c\x00\x01\x00\x01\x00\x00\x0e\x10\x00\x04\x5d\xb8\xd8\x22\
        \xc0\x0c\x00\x10\x00\x01\x00\x00\x00\x3c\x00\x06\x05a \"b\xff";

    #[test]
    fn dns_object() {
        let r = record(&udp4(53, 40000, RESPONSE), 0);
        assert_eq!(r["app"], json!({"proto": "dns", "offset": 28, "caplen": RESPONSE.len()}));
        let d = &r["dns"];
        assert_eq!((d["id"].as_u64(), d["flags"].as_u64()), (Some(0x1234), Some(0x8180)));
        assert_eq!(
            (d["response"].as_bool(), d["rd"].as_bool(), d["ancount"].as_u64()),
            (Some(true), Some(true), Some(2))
        );
        assert_eq!(d["questions"], json!([{"name": "example.com", "type": 1, "type_name": "A", "class": 1}]));
        assert_eq!(d["answers"][0]["data"], "93.184.216.34");
        assert_eq!(d["answers"][1]["data"], "\"a \\\"b\\255\"");
        assert!(d.get("error").is_none());
        // Cut by the snaplen inside the question: what was read, and where it stopped.
        let cut = udp4(53, 40000, RESPONSE);
        let r = record(&cut[..28 + 20], cut.len() - 48);
        assert_eq!(r["snapped"], true);
        // Nothing read, so no list at all (absent, not empty).
        assert_eq!(["questions", "answers", "authority", "additional"].map(|k| r["dns"].get(k)), [None; 4]);
        assert_eq!(r["dns"]["error"], json!({"offset": 20, "reason": "truncated"}));
        // Over TCP: the first message and its length prefix; mDNS says so.
        let mut seg = (RESPONSE.len() as u16).to_be_bytes().to_vec();
        seg.extend_from_slice(RESPONSE);
        let r = record(&tcp4(53, 40000, &seg), 0);
        assert_eq!(r["dns"]["tcp_length"], RESPONSE.len());
        let r = record(&udp4(5353, 5353, RESPONSE), 0);
        assert_eq!((r["app"]["mdns"].as_bool(), r["dns"]["mdns"].as_bool()), (Some(true), Some(true)));
    }

    #[test]
    fn http_tls_dhcp_objects() {
        let get = b"GET /a\xe9 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: t\r\n";
        let r = record(&tcp4(40000, 80, get), 0);
        assert_eq!(
            r["http"],
            json!({"type": "request", "method": "GET", "uri": "/a\u{e9}", "version": "HTTP/1.1",
                   "host": "example.com", "user_agent": "t", "headers_complete": false})
        );
        let r = record(&tcp4(80, 40000, b"HTTP/1.1 404 Not Found\r\n\r\n"), 0);
        assert_eq!(
            (r["http"]["status"].as_u64(), r["http"]["reason"].as_str()),
            (Some(404), Some("Not Found"))
        );
        // A body segment on port 80 is HTTP but starts no message: no object.
        let r = record(&tcp4(80, 40000, b"<html>"), 0);
        assert_eq!((r["app"]["proto"].as_str(), r.get("http")), (Some("http"), None));
        let ccs = [20, 3, 3, 0, 1, 1, 23, 3, 3, 0, 2, 9, 9];
        let r = record(&tcp4(443, 40000, &ccs), 0);
        assert_eq!(
            r["tls"]["records"][1],
            json!({"content_type": 23, "version": 0x0303, "length": 2, "complete": true})
        );
        assert_eq!(r["tls"].get("handshake_types"), None, "an empty list is absent");
        let mut boot = vec![2, 1, 6, 0, 0, 0, 0, 7];
        boot.resize(16, 0);
        boot.extend([192, 168, 1, 4]);
        boot.resize(28, 0);
        boot.extend([2, 0, 0, 0, 0, 1]);
        boot.resize(236, 0);
        boot.extend([99, 130, 83, 99, 53, 1, 2, 54, 4, 192, 168, 1, 1, 51, 4, 0, 1, 81, 128, 255]);
        let r = record(&udp4(67, 68, &boot), 0);
        let d = &r["dhcp"];
        assert_eq!(
            (d["op"].as_u64(), d["xid"].as_u64(), d["yiaddr"].as_str()),
            (Some(2), Some(7), Some("192.168.1.4"))
        );
        assert_eq!(
            (d["chaddr"].as_str(), d["message_type_name"].as_str()),
            (Some("02:00:00:00:00:01"), Some("offer"))
        );
        assert_eq!((d["server_id"].as_str(), d["lease_time"].as_u64()), (Some("192.168.1.1"), Some(86400)));
        assert_eq!(d["options"], json!([53, 54, 51]));
    }
}
