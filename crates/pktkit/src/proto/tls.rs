//! TLS records and the ClientHello (RFC 8446, RFC 6066 server_name, RFC 7301 ALPN): zero-copy
//! views of one TCP segment, recognised by content on any port, and emit. tshark's fields
//! are printed by [`crate::render::fields::tls`].
//!
//! A segment may end in the middle of a record or a handshake message (the capture or the
//! sender cut it): [`records`] yields the part present, and [`ClientHello::parse`] returns
//! every field that was complete.

use thiserror::Error;

/// Record content type ChangeCipherSpec.
pub const CHANGE_CIPHER_SPEC: u8 = 20;
/// Record content type Alert.
pub const ALERT: u8 = 21;
/// Record content type Handshake.
pub const HANDSHAKE: u8 = 22;
/// Record content type ApplicationData.
pub const APPLICATION_DATA: u8 = 23;
/// Handshake type ClientHello.
pub const CLIENT_HELLO: u8 = 1;
/// Handshake type ServerHello.
pub const SERVER_HELLO: u8 = 2;
/// Extension server_name (RFC 6066).
pub const EXT_SERVER_NAME: u16 = 0;
/// Extension application_layer_protocol_negotiation (RFC 7301).
pub const EXT_ALPN: u16 = 16;
/// Extension supported_versions (RFC 8446).
pub const EXT_SUPPORTED_VERSIONS: u16 = 43;
/// Largest record fragment allowed (2^14 plus the 2048 bytes of expansion TLS 1.2 allows).
pub const MAX_FRAGMENT: usize = 16384 + 2048;

/// Why a segment or a message did not decode.
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
pub enum TlsError {
    /// The data does not start with a TLS record header.
    #[error("not a TLS record")]
    NotTls,
    /// The data ends inside `what`.
    #[error("truncated {what} at byte {offset}")]
    Truncated {
        /// Where the incomplete part starts.
        offset: usize,
        /// What was being read.
        what: &'static str,
    },
    /// A length field points past the end of the structure that holds it.
    #[error("{what} length at byte {offset} runs past its container")]
    BadLength {
        /// Where the length field is.
        offset: usize,
        /// What it measures.
        what: &'static str,
    },
}

/// One record of a segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record<'a> {
    /// Where the record header starts in the segment.
    pub offset: usize,
    /// Content type (20 to 24).
    pub content_type: u8,
    /// Record-layer version (0x0301 for most TLS 1.2 and 1.3 traffic).
    pub version: u16,
    /// Length announced by the header.
    pub length: u16,
    /// The fragment bytes present, at most `length` of them.
    pub fragment: &'a [u8],
}

impl<'a> Record<'a> {
    /// True when the whole fragment is present.
    pub fn is_complete(&self) -> bool {
        self.fragment.len() == self.length as usize
    }

    /// The handshake messages of a handshake record, as far as they are present. A message
    /// continued in a later record shows only its first part.
    pub fn handshakes(&self) -> Handshakes<'a> {
        let data = if self.content_type == HANDSHAKE { self.fragment } else { &[] };
        Handshakes { data, pos: 0, base: self.offset + 5 }
    }
}

/// True when a record header could start at `data`: content type 20 to 24, version 3.x
/// (SSL 3.0 to TLS 1.3) and a length no larger than [`MAX_FRAGMENT`].
fn header_ok(data: &[u8]) -> bool {
    data.len() >= 5
        && (20..=24).contains(&data[0])
        && data[1] == 3
        && data[2] <= 4
        && (u16::from_be_bytes([data[3], data[4]]) as usize) <= MAX_FRAGMENT
}

/// True when `data` starts with a TLS record header (any port).
pub fn is_tls(data: &[u8]) -> bool {
    header_ok(data)
}

/// The records of a segment that starts at a record boundary; ends at the first header that
/// does not look like TLS or is cut.
pub fn records(data: &[u8]) -> Records<'_> {
    Records { data, pos: 0 }
}

/// Iterator over the records of a segment.
#[derive(Clone, Debug)]
pub struct Records<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Iterator for Records<'a> {
    type Item = Record<'a>;

    fn next(&mut self) -> Option<Record<'a>> {
        let h = self.data.get(self.pos..)?;
        if !header_ok(h) {
            return None;
        }
        let length = u16::from_be_bytes([h[3], h[4]]);
        let end = (5 + length as usize).min(h.len());
        let rec = Record {
            offset: self.pos,
            content_type: h[0],
            version: u16::from_be_bytes([h[1], h[2]]),
            length,
            fragment: &h[5..end],
        };
        self.pos += end;
        Some(rec)
    }
}

/// A handshake message (or its first part when the record ends first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Handshake<'a> {
    /// Where its header starts in the segment.
    pub offset: usize,
    /// Handshake type (1 ClientHello, 2 ServerHello, 11 Certificate, ...).
    pub msg_type: u8,
    /// Length announced by its header.
    pub length: u32,
    /// The body bytes present, at most `length` of them.
    pub body: &'a [u8],
}

impl Handshake<'_> {
    /// True when the whole body is present.
    pub fn is_complete(&self) -> bool {
        self.body.len() == self.length as usize
    }
}

/// Iterator over the handshake messages of a record.
#[derive(Clone, Debug)]
pub struct Handshakes<'a> {
    data: &'a [u8],
    pos: usize,
    base: usize,
}

impl<'a> Iterator for Handshakes<'a> {
    type Item = Handshake<'a>;

    fn next(&mut self) -> Option<Handshake<'a>> {
        let h = self.data.get(self.pos..)?;
        if h.len() < 4 {
            return None;
        }
        let length = u32::from_be_bytes([0, h[1], h[2], h[3]]);
        let end = (4 + length as usize).min(h.len());
        let msg = Handshake { offset: self.base + self.pos, msg_type: h[0], length, body: &h[4..end] };
        self.pos += end;
        Some(msg)
    }
}

/// A bounds-checked reader over a message body.
struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    base: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], TlsError> {
        let s = self
            .data
            .get(self.pos..self.pos + n)
            .ok_or(TlsError::Truncated { offset: self.base + self.pos, what })?;
        self.pos += n;
        Ok(s)
    }

    fn u8(&mut self, what: &'static str) -> Result<u8, TlsError> {
        Ok(self.take(1, what)?[0])
    }

    fn u16(&mut self, what: &'static str) -> Result<u16, TlsError> {
        let b = self.take(2, what)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    /// A vector with a 1- or 2-byte length prefix.
    fn vec(&mut self, prefix: usize, what: &'static str) -> Result<&'a [u8], TlsError> {
        let len = if prefix == 1 { self.u8(what)? as usize } else { self.u16(what)? as usize };
        self.take(len, what)
    }
}

/// A ClientHello, as much of it as was present.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientHello<'a> {
    /// `legacy_version` (0x0303 for TLS 1.2 and 1.3).
    pub legacy_version: u16,
    /// The 32-byte random.
    pub random: &'a [u8],
    /// The legacy session id.
    pub session_id: &'a [u8],
    /// Cipher suites, two bytes each; empty when the list was cut.
    pub cipher_suites: &'a [u8],
    /// Compression methods; empty when the list was cut.
    pub compression_methods: &'a [u8],
    /// The complete extensions present, as raw bytes (type, length, data each).
    pub extensions: &'a [u8],
    /// Why reading stopped before the end of the message, if it did.
    pub stop: Option<TlsError>,
}

impl<'a> ClientHello<'a> {
    /// Reads a ClientHello body (after the 4-byte handshake header); `base` is its offset in
    /// the segment, for errors. Fails only when not even the version and random are there;
    /// otherwise keeps every part that was complete and records where it stopped.
    pub fn parse(body: &'a [u8], base: usize) -> Result<ClientHello<'a>, TlsError> {
        let mut r = Reader { data: body, pos: 0, base };
        let legacy_version = r.u16("ClientHello version")?;
        let random = r.take(32, "ClientHello random")?;
        let mut hello = ClientHello {
            legacy_version,
            random,
            session_id: &[],
            cipher_suites: &[],
            compression_methods: &[],
            extensions: &[],
            stop: None,
        };
        let mut rest = || -> Result<(), TlsError> {
            hello.session_id = r.vec(1, "session id")?;
            hello.cipher_suites = r.vec(2, "cipher suites")?;
            hello.compression_methods = r.vec(1, "compression methods")?;
            if r.pos == body.len() {
                return Ok(());
            }
            let ext_len_at = r.pos;
            let ext_len = r.u16("extensions")? as usize;
            let avail = body.len() - r.pos;
            let exts = &body[r.pos..r.pos + ext_len.min(avail)];
            // Keep only whole extensions.
            let mut pos = 0;
            while pos + 4 <= exts.len() {
                let len = u16::from_be_bytes([exts[pos + 2], exts[pos + 3]]) as usize;
                if pos + 4 + len > exts.len() {
                    break;
                }
                pos += 4 + len;
            }
            hello.extensions = &exts[..pos];
            if ext_len > avail {
                return Err(TlsError::Truncated { offset: base + ext_len_at, what: "extensions" });
            }
            if pos != exts.len() {
                return Err(TlsError::BadLength { offset: base + r.pos + pos, what: "extension" });
            }
            Ok(())
        };
        hello.stop = rest().err();
        Ok(hello)
    }

    /// The cipher suites offered.
    pub fn cipher_suite_list(&self) -> impl Iterator<Item = u16> + 'a {
        self.cipher_suites.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]]))
    }

    /// Number of cipher suites offered.
    pub fn cipher_suite_count(&self) -> usize {
        self.cipher_suites.len() / 2
    }

    /// The extensions as `(type, data)`.
    pub fn extension_list(&self) -> impl Iterator<Item = (u16, &'a [u8])> + 'a {
        let data = self.extensions;
        let mut pos = 0;
        std::iter::from_fn(move || {
            let h = data.get(pos..pos + 4)?;
            let len = u16::from_be_bytes([h[2], h[3]]) as usize;
            let body = data.get(pos + 4..pos + 4 + len)?;
            pos += 4 + len;
            Some((u16::from_be_bytes([h[0], h[1]]), body))
        })
    }

    /// The data of the first extension of type `ext`.
    pub fn extension(&self, ext: u16) -> Option<&'a [u8]> {
        self.extension_list().find(|(t, _)| *t == ext).map(|(_, d)| d)
    }

    /// The host_name of the server_name extension.
    pub fn server_name(&self) -> Option<&'a [u8]> {
        let d = self.extension(EXT_SERVER_NAME)?;
        server_names(d).find(|&(name_type, _)| name_type == 0).map(|(_, name)| name)
    }

    /// The protocol names of the ALPN extension.
    pub fn alpn(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let list = self.extension(EXT_ALPN).and_then(|d| Reader { data: d, pos: 0, base: 0 }.vec(2, "").ok());
        let list = list.unwrap_or(&[]);
        let mut r = Reader { data: list, pos: 0, base: 0 };
        std::iter::from_fn(move || r.vec(1, "protocol name").ok())
    }

    /// The versions of the supported_versions extension (0x0304 for TLS 1.3).
    pub fn supported_versions(&self) -> impl Iterator<Item = u16> + 'a {
        let list = self
            .extension(EXT_SUPPORTED_VERSIONS)
            .and_then(|d| Reader { data: d, pos: 0, base: 0 }.vec(1, "").ok());
        list.unwrap_or(&[]).chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]]))
    }
}

/// The `(name type, name)` entries of one server_name extension's data (RFC 6066 §3), up to
/// the first that is cut; none when the list's own length is cut.
pub fn server_names(ext: &[u8]) -> impl Iterator<Item = (u8, &[u8])> {
    let list = Reader { data: ext, pos: 0, base: 0 }.vec(2, "server name list").unwrap_or(&[]);
    let mut r = Reader { data: list, pos: 0, base: 0 };
    std::iter::from_fn(move || {
        if r.pos >= list.len() {
            return None;
        }
        Some((r.u8("name type").ok()?, r.vec(2, "host name").ok()?))
    })
}

/// The ClientHello of a segment that starts with a handshake record, as far as present.
pub fn client_hello(data: &[u8]) -> Option<ClientHello<'_>> {
    let rec = records(data).next()?;
    let hs = rec.handshakes().next()?;
    if hs.msg_type != CLIENT_HELLO {
        return None;
    }
    ClientHello::parse(hs.body, hs.offset + 4).ok()
}

/// An owned ClientHello that [`ClientHelloRepr::emit`] writes as one handshake record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientHelloRepr {
    /// Record-layer version.
    pub record_version: u16,
    /// `legacy_version`.
    pub legacy_version: u16,
    /// The random.
    pub random: [u8; 32],
    /// Session id (up to 32 bytes).
    pub session_id: Vec<u8>,
    /// Cipher suites.
    pub cipher_suites: Vec<u16>,
    /// Compression methods.
    pub compression_methods: Vec<u8>,
    /// Extensions as `(type, data)`.
    pub extensions: Vec<(u16, Vec<u8>)>,
}

impl ClientHelloRepr {
    /// The server_name extension data for `host`.
    pub fn server_name_extension(host: &[u8]) -> (u16, Vec<u8>) {
        let mut d = ((host.len() + 3) as u16).to_be_bytes().to_vec();
        d.push(0);
        d.extend_from_slice(&(host.len() as u16).to_be_bytes());
        d.extend_from_slice(host);
        (EXT_SERVER_NAME, d)
    }

    /// The ALPN extension data for `protocols`.
    pub fn alpn_extension(protocols: &[&[u8]]) -> (u16, Vec<u8>) {
        let mut list = Vec::new();
        for p in protocols {
            list.push(p.len() as u8);
            list.extend_from_slice(p);
        }
        let mut d = (list.len() as u16).to_be_bytes().to_vec();
        d.extend(list);
        (EXT_ALPN, d)
    }

    /// Writes a handshake record holding this ClientHello.
    pub fn emit(&self) -> Vec<u8> {
        let mut body = self.legacy_version.to_be_bytes().to_vec();
        body.extend_from_slice(&self.random);
        body.push(self.session_id.len() as u8);
        body.extend_from_slice(&self.session_id);
        body.extend_from_slice(&((self.cipher_suites.len() * 2) as u16).to_be_bytes());
        for c in &self.cipher_suites {
            body.extend_from_slice(&c.to_be_bytes());
        }
        body.push(self.compression_methods.len() as u8);
        body.extend_from_slice(&self.compression_methods);
        let mut exts = Vec::new();
        for (t, d) in &self.extensions {
            exts.extend_from_slice(&t.to_be_bytes());
            exts.extend_from_slice(&(d.len() as u16).to_be_bytes());
            exts.extend_from_slice(d);
        }
        body.extend_from_slice(&(exts.len() as u16).to_be_bytes());
        body.extend(exts);
        let mut out = vec![HANDSHAKE];
        out.extend_from_slice(&self.record_version.to_be_bytes());
        out.extend_from_slice(&((body.len() + 4) as u16).to_be_bytes());
        out.push(CLIENT_HELLO);
        out.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
        out.extend(body);
        out
    }

    /// Reads a complete ClientHello record back.
    pub fn parse(data: &[u8]) -> Result<ClientHelloRepr, TlsError> {
        let rec = records(data).next().ok_or(TlsError::NotTls)?;
        let hs = rec.handshakes().next().ok_or(TlsError::Truncated { offset: 5, what: "handshake" })?;
        if hs.msg_type != CLIENT_HELLO {
            return Err(TlsError::NotTls);
        }
        let h = ClientHello::parse(hs.body, hs.offset + 4)?;
        if let Some(e) = h.stop {
            return Err(e);
        }
        let mut random = [0u8; 32];
        random.copy_from_slice(h.random);
        Ok(ClientHelloRepr {
            record_version: rec.version,
            legacy_version: h.legacy_version,
            random,
            session_id: h.session_id.to_vec(),
            cipher_suites: h.cipher_suite_list().collect(),
            compression_methods: h.compression_methods.to_vec(),
            extensions: h.extension_list().map(|(t, d)| (t, d.to_vec())).collect(),
        })
    }
}

/// The version a ServerHello body chooses: the version of its supported_versions
/// extension (TLS 1.3 and its drafts) when it has one, else its legacy version. None when the
/// body is cut before the choice is known.
pub fn server_hello_version(body: &[u8]) -> Option<u16> {
    let mut r = Reader { data: body, pos: 0, base: 0 };
    let legacy = r.u16("ServerHello version").ok()?;
    let mut rest = || -> Result<Option<u16>, TlsError> {
        r.take(32, "ServerHello random")?;
        r.vec(1, "session id")?;
        r.take(3, "cipher suite and compression")?;
        if r.pos == body.len() {
            return Ok(None);
        }
        let exts = r.vec(2, "extensions")?;
        let mut e = Reader { data: exts, pos: 0, base: 0 };
        while e.pos < exts.len() {
            let (ty, data) = (e.u16("extension type")?, e.vec(2, "extension")?);
            if ty == EXT_SUPPORTED_VERSIONS && data.len() == 2 {
                return Ok(Some(u16::from_be_bytes([data[0], data[1]])));
            }
        }
        Ok(None)
    };
    match rest() {
        Ok(v) => Some(v.unwrap_or(legacy)),
        Err(_) => None,
    }
}

#[cfg(test)]
mod tests;
