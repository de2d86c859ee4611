//! ICMP multi-part messages (RFC 4884): the extension structure after the quoted datagram of
//! an ICMP or ICMPv6 error, with MPLS label stacks (RFC 4950) and interface information
//! (RFC 5837) decoded; other objects are kept as bytes.
//!
//! Layout: the error's "length" field gives the quote's length (32-bit words for ICMP, 64-bit
//! words for ICMPv6); the quote is padded to at least 128 bytes; then the extension header
//! (version 2, 12 reserved bits, a checksum over the structure) and objects (length, class,
//! c-type, payload).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The extension structure's version (RFC 4884 section 7).
pub const VERSION: u8 = 2;
/// Where the structure starts when the length field is 0 (non-compliant senders, RFC 4884
/// section 5.5: the original 128-byte convention).
pub const COMPAT_OFFSET: usize = 128;
/// Object class: MPLS label stack (RFC 4950).
pub const CLASS_MPLS: u8 = 1;
/// Object class: interface information (RFC 5837).
pub const CLASS_INTERFACE: u8 = 2;
const HEADER_LEN: usize = 4;
const OBJECT_HEADER_LEN: usize = 4;

/// One MPLS label stack entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MplsLabel {
    /// Label (20 bits).
    pub label: u32,
    /// Traffic class (formerly EXP, 3 bits).
    pub tc: u8,
    /// Bottom of stack.
    pub bottom: bool,
    /// TTL.
    pub ttl: u8,
}

/// The role of the interface an RFC 5837 object describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InterfaceRole {
    /// The interface the datagram arrived on.
    Incoming,
    /// A sub-IP component of the incoming interface.
    SubIp,
    /// The interface the datagram would have left on.
    Outgoing,
    /// The next hop's interface.
    NextHop,
}

impl InterfaceRole {
    /// Short name.
    pub fn name(self) -> &'static str {
        match self {
            InterfaceRole::Incoming => "incoming",
            InterfaceRole::SubIp => "sub-ip",
            InterfaceRole::Outgoing => "outgoing",
            InterfaceRole::NextHop => "next-hop",
        }
    }
}

/// An RFC 5837 interface information object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterfaceInfo {
    /// Which interface.
    pub role: InterfaceRole,
    /// ifIndex.
    pub index: Option<u32>,
    /// An address of the interface.
    pub addr: Option<IpAddr>,
    /// Its name (UTF-8, lossy).
    pub name: Option<String>,
    /// Its MTU.
    pub mtu: Option<u32>,
}

/// One extension object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Object<'a> {
    /// An MPLS label stack, outermost first.
    Mpls(Vec<MplsLabel>),
    /// Interface information.
    Interface(InterfaceInfo),
    /// Any other object (or one that did not decode).
    Other {
        /// Class number.
        class: u8,
        /// C-type.
        ctype: u8,
        /// Payload.
        payload: &'a [u8],
    },
}

/// Why an extension structure did not decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ExtError {
    /// Shorter than its header.
    #[error("extension structure of {0} bytes is shorter than its 4-byte header")]
    Short(usize),
    /// Not version 2.
    #[error("extension version {0} is not 2")]
    Version(u8),
    /// The checksum does not verify.
    #[error("extension checksum does not verify")]
    Checksum,
    /// An object's length is below its header or past the end.
    #[error("extension object at byte {offset} has length {len}")]
    ObjectLength {
        /// Offset of the object in the structure.
        offset: usize,
        /// Its length field.
        len: usize,
    },
}

/// The extension structure in `body` (an ICMP error's bytes after its 8-byte header) whose
/// quote is `quote_len` bytes (from the length field; 0 when not given); `None` when there is
/// none.
pub fn locate(body: &[u8], quote_len: usize) -> Option<&[u8]> {
    let at = if quote_len > 0 { quote_len.max(COMPAT_OFFSET) } else { COMPAT_OFFSET };
    let ext = body.get(at..)?;
    // Without a length field, only a structure that looks like one (version 2) counts.
    if ext.len() < HEADER_LEN || (quote_len == 0 && ext[0] >> 4 != VERSION) {
        return None;
    }
    Some(ext)
}

/// Decodes an extension structure into its objects.
pub fn parse(ext: &[u8]) -> Result<Vec<Object<'_>>, ExtError> {
    if ext.len() < HEADER_LEN {
        return Err(ExtError::Short(ext.len()));
    }
    if ext[0] >> 4 != VERSION {
        return Err(ExtError::Version(ext[0] >> 4));
    }
    // A checksum of 0 means "not computed" in practice (some routers).
    if ext[2..4] != [0, 0] && crate::checksum::checksum(&[ext]) != 0 {
        return Err(ExtError::Checksum);
    }
    let mut objects = Vec::new();
    let mut at = HEADER_LEN;
    while at < ext.len() {
        let head = ext
            .get(at..at + OBJECT_HEADER_LEN)
            .ok_or(ExtError::ObjectLength { offset: at, len: ext.len() - at })?;
        let len = usize::from(u16::from_be_bytes([head[0], head[1]]));
        if len < OBJECT_HEADER_LEN || at + len > ext.len() {
            return Err(ExtError::ObjectLength { offset: at, len });
        }
        let (class, ctype) = (head[2], head[3]);
        let payload = &ext[at + OBJECT_HEADER_LEN..at + len];
        objects.push(match class {
            CLASS_MPLS if ctype == 1 => Object::Mpls(
                payload
                    .chunks_exact(4)
                    .map(|e| {
                        let v = u32::from_be_bytes([e[0], e[1], e[2], e[3]]);
                        MplsLabel {
                            label: v >> 12,
                            tc: (v >> 9 & 7) as u8,
                            bottom: v >> 8 & 1 == 1,
                            ttl: v as u8,
                        }
                    })
                    .collect(),
            ),
            CLASS_INTERFACE => match interface(ctype, payload) {
                Some(info) => Object::Interface(info),
                None => Object::Other { class, ctype, payload },
            },
            _ => Object::Other { class, ctype, payload },
        });
        at += len;
    }
    Ok(objects)
}

/// RFC 5837 section 4.1: the c-type's bits say which sub-objects follow, in this order.
fn interface(ctype: u8, p: &[u8]) -> Option<InterfaceInfo> {
    const IFINDEX: u8 = 0x08;
    const IPADDR: u8 = 0x04;
    const NAME: u8 = 0x02;
    const MTU: u8 = 0x01;
    let role = match ctype >> 6 {
        0 => InterfaceRole::Incoming,
        1 => InterfaceRole::SubIp,
        2 => InterfaceRole::Outgoing,
        _ => InterfaceRole::NextHop,
    };
    let mut at = 0;
    let mut take = |n: usize| -> Option<&[u8]> {
        let part = p.get(at..at + n)?;
        at += n;
        Some(part)
    };
    let word = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    let mut info = InterfaceInfo { role, index: None, addr: None, name: None, mtu: None };
    if ctype & IFINDEX != 0 {
        info.index = Some(word(take(4)?));
    }
    if ctype & IPADDR != 0 {
        let head = take(4)?;
        info.addr = Some(match u16::from_be_bytes([head[0], head[1]]) {
            1 => IpAddr::V4(Ipv4Addr::from(word(take(4)?))),
            2 => {
                let mut a = [0u8; 16];
                a.copy_from_slice(take(16)?);
                IpAddr::V6(Ipv6Addr::from(a))
            }
            _ => return None,
        });
    }
    if ctype & NAME != 0 {
        // The name sub-object: its length (a multiple of 4, counting itself), then the name.
        let len = usize::from(*take(1)?.first()?);
        if len == 0 || !len.is_multiple_of(4) {
            return None;
        }
        let name = take(len - 1)?;
        let text = name.split(|&b| b == 0).next().unwrap_or(&[]);
        info.name = Some(String::from_utf8_lossy(text).into_owned());
    }
    if ctype & MTU != 0 {
        info.mtu = Some(word(take(4)?));
    }
    Some(info)
}

/// traceroute's `-e` text of the objects: `MPLS:L=16,E=0,S=1,T=1`, label stack entries
/// joined by `/`; interface objects as `IF:incoming,index=2,ip=10.0.2.2,name=eth0,mtu=1500`;
/// others as `class/ctype:hex`. Objects are joined by `;`.
pub fn describe(objects: &[Object<'_>]) -> String {
    let mut parts = Vec::new();
    for o in objects {
        parts.push(match o {
            Object::Mpls(labels) => {
                let entries: Vec<String> = labels
                    .iter()
                    .map(|l| format!("L={},E={},S={},T={}", l.label, l.tc, u8::from(l.bottom), l.ttl))
                    .collect();
                format!("MPLS:{}", entries.join("/"))
            }
            Object::Interface(i) => {
                let mut s = format!("IF:{}", i.role.name());
                if let Some(x) = i.index {
                    s += &format!(",index={x}");
                }
                if let Some(a) = i.addr {
                    s += &format!(",ip={a}");
                }
                if let Some(n) = &i.name {
                    s += &format!(",name={n}");
                }
                if let Some(m) = i.mtu {
                    s += &format!(",mtu={m}");
                }
                s
            }
            Object::Other { class, ctype, payload } => {
                let hex: String = payload.iter().map(|b| format!("{b:02x}")).collect();
                format!("{class}/{ctype}:{hex}")
            }
        });
    }
    parts.join(";")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An extension structure with `objects` and a correct checksum.
    fn structure(objects: &[&[u8]]) -> Vec<u8> {
        let mut ext = vec![VERSION << 4, 0, 0, 0];
        for o in objects {
            ext.extend_from_slice(o);
        }
        let ck = crate::checksum::checksum(&[&ext]);
        ext[2..4].copy_from_slice(&ck.to_be_bytes());
        ext
    }

    /// A time-exceeded ICMP body: a 28-byte quote padded to 128 bytes, then `ext`.
    fn body(ext: &[u8]) -> Vec<u8> {
        let mut b = vec![0x45; 28];
        b.resize(128, 0);
        b.extend_from_slice(ext);
        b
    }

    #[test]
    fn mpls_label_stack_rfc4950() {
        // Two entries: label 16, TC 0, not bottom, TTL 1; label 1048575, TC 5, bottom, TTL 255.
        let obj = [0, 12, CLASS_MPLS, 1, 0x00, 0x01, 0x00, 0x01, 0xff, 0xff, 0xfb, 0xff];
        let ext = structure(&[&obj]);
        let b = body(&ext);
        // Length field 32 words (128 bytes), and the 0 length of older routers.
        for quote_len in [128, 0] {
            let found = locate(&b, quote_len).unwrap();
            let objects = parse(found).unwrap();
            assert_eq!(
                objects,
                vec![Object::Mpls(vec![
                    MplsLabel { label: 16, tc: 0, bottom: false, ttl: 1 },
                    MplsLabel { label: 0xfffff, tc: 5, bottom: true, ttl: 255 },
                ])]
            );
            assert_eq!(describe(&objects), "MPLS:L=16,E=0,S=0,T=1/L=1048575,E=5,S=1,T=255");
        }
    }

    #[test]
    fn interface_information_rfc5837() {
        // Incoming interface: ifIndex 7, IPv4 10.0.2.2, name "eth0" (1 + 4 bytes, padded to
        // 8), MTU 1400.
        let mut obj = vec![0, 0, CLASS_INTERFACE, 0x0f];
        obj.extend([0, 0, 0, 7]);
        obj.extend([0, 1, 0, 0, 10, 0, 2, 2]);
        obj.extend([8, b'e', b't', b'h', b'0', 0, 0, 0]);
        obj.extend(1400u32.to_be_bytes());
        let len = obj.len() as u16;
        obj[..2].copy_from_slice(&len.to_be_bytes());
        let ext = structure(&[&obj]);
        let b = body(&ext);
        let objects = parse(locate(&b, 128).unwrap()).unwrap();
        let want = InterfaceInfo {
            role: InterfaceRole::Incoming,
            index: Some(7),
            addr: Some("10.0.2.2".parse().unwrap()),
            name: Some("eth0".into()),
            mtu: Some(1400),
        };
        assert_eq!(objects, vec![Object::Interface(want)]);
        assert_eq!(describe(&objects), "IF:incoming,index=7,ip=10.0.2.2,name=eth0,mtu=1400");
        // Outgoing with an IPv6 address only.
        let mut obj = vec![0, 24, CLASS_INTERFACE, 0x84, 0, 2, 0, 0];
        obj.extend("fd00:2::2".parse::<Ipv6Addr>().unwrap().octets());
        let ext6 = structure(&[&obj]);
        let objects = parse(&ext6).unwrap();
        assert_eq!(describe(&objects), "IF:outgoing,ip=fd00:2::2");
    }

    #[test]
    fn damaged_structures() {
        assert_eq!(parse(&[0x20, 0]), Err(ExtError::Short(2)));
        assert_eq!(parse(&structure(&[])[..]).unwrap(), vec![]);
        let mut v1 = structure(&[]);
        v1[0] = 0x10;
        assert_eq!(parse(&v1), Err(ExtError::Version(1)));
        let mut bad = structure(&[&[0, 8, 9, 9, 1, 2, 3, 4]]);
        bad[7] ^= 1;
        assert_eq!(parse(&bad), Err(ExtError::Checksum));
        assert_eq!(parse(&structure(&[&[0, 2, 1, 1]])), Err(ExtError::ObjectLength { offset: 4, len: 2 }));
        assert_eq!(parse(&structure(&[&[0, 40, 1, 1]])), Err(ExtError::ObjectLength { offset: 4, len: 40 }));
        // No structure: a plain quote, or bytes after 128 that are not version 2 without a length.
        assert_eq!(locate(&[0u8; 60], 0), None);
        assert_eq!(locate(&[0u8; 140], 0), None);
        assert!(locate(&[0u8; 140], 128).is_some());
        // Unknown classes and an undecodable interface object are kept as bytes.
        let odd = structure(&[&[0, 8, 9, 3, 0xde, 0xad, 0xbe, 0xef], &[0, 4, CLASS_INTERFACE, 0x08]]);
        let objects = parse(&odd).unwrap();
        assert_eq!(describe(&objects), "9/3:deadbeef;2/8:");
        // Every cut of a valid structure: an error or fewer objects, never a panic.
        let full = structure(&[&[0, 8, 1, 1, 0, 1, 1, 1]]);
        for cut in 0..full.len() {
            let _ = parse(&full[..cut]);
        }
    }
}
