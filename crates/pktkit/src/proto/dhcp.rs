//! DHCP and BOOTP (RFC 2131, RFC 2132): a zero-copy view of the fixed header and the
//! options, and emit. The printers are elsewhere: tcpdump's text in
//! [`crate::render::text::dhcp`], tshark's fields in [`crate::render::fields::dhcp`].
//!
//! Options are read up to option 255 or the end of the data; every length is checked
//! against what is present, and nothing is allocated from a length field.

use std::net::Ipv4Addr;
use std::ops::Range;

use thiserror::Error;

/// Length of the fixed BOOTP header (before the magic cookie).
pub const FIXED_LEN: usize = 236;
/// Where the header fields a printer reads before [`Message::parse`] accepts the data lie.
pub mod field {
    use super::Range;
    /// Hardware type.
    pub const HTYPE: usize = 1;
    /// Hardware address length.
    pub const HLEN: usize = 2;
    /// The 16-byte client hardware address.
    pub const CHADDR: Range<usize> = 28..44;
}
/// Hardware type Ethernet (`htype` takes ARP's hardware types, one byte wide here).
pub const HTYPE_ETHERNET: u8 = super::arp::HTYPE_ETHERNET as u8;
/// Hardware type IEEE 802 networks.
pub const HTYPE_IEEE802: u8 = super::arp::HTYPE_IEEE802 as u8;
/// The DHCP magic cookie (99.130.83.99).
pub const MAGIC: [u8; 4] = [99, 130, 83, 99];

/// Option: pad.
pub const OPT_PAD: u8 = 0;
/// Option 12: host name.
pub const OPT_HOSTNAME: u8 = 12;
/// Option 50: requested IP address.
pub const OPT_REQUESTED_IP: u8 = 50;
/// Option 51: lease time.
pub const OPT_LEASE_TIME: u8 = 51;
/// Option 52: option overload (1 file, 2 sname, 3 both).
pub const OPT_OVERLOAD: u8 = 52;
/// Option 53: DHCP message type.
pub const OPT_MESSAGE_TYPE: u8 = 53;
/// Option 54: server identifier.
pub const OPT_SERVER_ID: u8 = 54;
/// Option 55: parameter request list.
pub const OPT_PARAMETER_LIST: u8 = 55;
/// Option 61: client identifier.
pub const OPT_CLIENT_ID: u8 = 61;
/// Option: end.
pub const OPT_END: u8 = 255;

/// Why a BOOTP message or one of its options did not decode.
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
pub enum DhcpError {
    /// Fewer than 236 bytes: no complete fixed header.
    #[error("BOOTP header truncated: {len} of 236 bytes")]
    Truncated {
        /// Bytes present.
        len: usize,
    },
    /// An option's length runs past the end of the data.
    #[error("option {code} at byte {offset} runs past the end of the data")]
    OptionTooLong {
        /// The option code.
        code: u8,
        /// Where the option starts.
        offset: usize,
    },
    /// The data ends between an option code and its length.
    #[error("option {code} at byte {offset} has no length byte")]
    MissingLength {
        /// The option code.
        code: u8,
        /// Where the option starts.
        offset: usize,
    },
}

/// DHCP message types (option 53).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MessageType {
    /// 1
    Discover,
    /// 2
    Offer,
    /// 3
    Request,
    /// 4
    Decline,
    /// 5
    Ack,
    /// 6
    Nak,
    /// 7
    Release,
    /// 8
    Inform,
    /// Any other value.
    Other(u8),
}

impl From<u8> for MessageType {
    fn from(v: u8) -> Self {
        match v {
            1 => MessageType::Discover,
            2 => MessageType::Offer,
            3 => MessageType::Request,
            4 => MessageType::Decline,
            5 => MessageType::Ack,
            6 => MessageType::Nak,
            7 => MessageType::Release,
            8 => MessageType::Inform,
            other => MessageType::Other(other),
        }
    }
}

/// One option (pad and end are not yielded).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DhcpOption<'a> {
    /// Option code.
    pub code: u8,
    /// Option data.
    pub data: &'a [u8],
    /// Where the option starts in the message.
    pub offset: usize,
}

/// A BOOTP/DHCP message view; the fixed header is checked.
#[derive(Clone, Copy, Debug)]
pub struct Message<'a> {
    buf: &'a [u8],
}

fn ipv4(b: &[u8]) -> Ipv4Addr {
    Ipv4Addr::new(b[0], b[1], b[2], b[3])
}

impl<'a> Message<'a> {
    /// Checks that the 236-byte fixed header is present.
    pub fn parse(buf: &'a [u8]) -> Result<Message<'a>, DhcpError> {
        if buf.len() < FIXED_LEN {
            return Err(DhcpError::Truncated { len: buf.len() });
        }
        Ok(Message { buf })
    }

    /// The message bytes.
    pub fn bytes(&self) -> &'a [u8] {
        self.buf
    }
    /// 1 BOOTREQUEST, 2 BOOTREPLY.
    pub fn op(&self) -> u8 {
        self.buf[0]
    }
    /// Hardware type (1 for Ethernet).
    pub fn htype(&self) -> u8 {
        self.buf[field::HTYPE]
    }
    /// Hardware address length.
    pub fn hlen(&self) -> u8 {
        self.buf[field::HLEN]
    }
    /// Relay hops.
    pub fn hops(&self) -> u8 {
        self.buf[3]
    }
    /// Transaction id.
    pub fn xid(&self) -> u32 {
        u32::from_be_bytes([self.buf[4], self.buf[5], self.buf[6], self.buf[7]])
    }
    /// Seconds since the client began.
    pub fn secs(&self) -> u16 {
        u16::from_be_bytes([self.buf[8], self.buf[9]])
    }
    /// Flags (0x8000 broadcast).
    pub fn flags(&self) -> u16 {
        u16::from_be_bytes([self.buf[10], self.buf[11]])
    }
    /// Client IP address.
    pub fn ciaddr(&self) -> Ipv4Addr {
        ipv4(&self.buf[12..16])
    }
    /// "Your" (offered) IP address.
    pub fn yiaddr(&self) -> Ipv4Addr {
        ipv4(&self.buf[16..20])
    }
    /// Next server IP address.
    pub fn siaddr(&self) -> Ipv4Addr {
        ipv4(&self.buf[20..24])
    }
    /// Relay agent IP address.
    pub fn giaddr(&self) -> Ipv4Addr {
        ipv4(&self.buf[24..28])
    }
    /// The 16-byte client hardware address field.
    pub fn chaddr(&self) -> &'a [u8] {
        &self.buf[field::CHADDR]
    }
    /// The client MAC address when the hardware is Ethernet (htype 1, hlen 6).
    pub fn client_mac(&self) -> Option<[u8; 6]> {
        (self.htype() == HTYPE_ETHERNET && self.hlen() == 6).then(|| {
            let mut m = [0; 6];
            m.copy_from_slice(&self.chaddr()[..6]);
            m
        })
    }
    /// The 64-byte server host name field.
    pub fn sname(&self) -> &'a [u8] {
        &self.buf[44..108]
    }
    /// The 128-byte boot file name field.
    pub fn file(&self) -> &'a [u8] {
        &self.buf[108..236]
    }
    /// True when the magic cookie follows the fixed header (a DHCP message).
    pub fn is_dhcp(&self) -> bool {
        self.buf.get(FIXED_LEN..FIXED_LEN + 4) == Some(&MAGIC[..])
    }

    /// The options after the magic cookie (none for plain BOOTP), then those of the file and
    /// sname fields when option 52 says so (RFC 2131 §4.1 order).
    pub fn options(&self) -> Options<'a> {
        let start = if self.is_dhcp() { FIXED_LEN + 4 } else { self.buf.len() };
        Options { buf: self.buf, pos: start, end: self.buf.len(), area: 0, overload: 0, failed: false }
    }

    /// The first option with code `code`.
    pub fn option(&self, code: u8) -> Option<DhcpOption<'a>> {
        self.options().map_while(Result::ok).find(|o| o.code == code)
    }

    /// Option 53.
    pub fn message_type(&self) -> Option<MessageType> {
        match self.option(OPT_MESSAGE_TYPE)?.data {
            [v] => Some(MessageType::from(*v)),
            _ => None,
        }
    }
    /// Option 50.
    pub fn requested_ip(&self) -> Option<Ipv4Addr> {
        self.option(OPT_REQUESTED_IP).filter(|o| o.data.len() == 4).map(|o| ipv4(o.data))
    }
    /// Option 54.
    pub fn server_id(&self) -> Option<Ipv4Addr> {
        self.option(OPT_SERVER_ID).filter(|o| o.data.len() == 4).map(|o| ipv4(o.data))
    }
    /// Option 51, in seconds.
    pub fn lease_time(&self) -> Option<u32> {
        let d = self.option(OPT_LEASE_TIME)?.data;
        Some(u32::from_be_bytes(d.try_into().ok()?))
    }
    /// Option 12.
    pub fn hostname(&self) -> Option<&'a [u8]> {
        self.option(OPT_HOSTNAME).map(|o| o.data)
    }
    /// Option 55: the codes requested.
    pub fn parameter_list(&self) -> Option<&'a [u8]> {
        self.option(OPT_PARAMETER_LIST).map(|o| o.data)
    }
    /// Option 61: `(type, identifier)`.
    pub fn client_id(&self) -> Option<(u8, &'a [u8])> {
        let d = self.option(OPT_CLIENT_ID)?.data;
        Some((*d.first()?, &d[1..]))
    }
}

/// Iterator over the options of a [`Message`]; ends after an error.
#[derive(Clone, Debug)]
pub struct Options<'a> {
    buf: &'a [u8],
    pos: usize,
    end: usize,
    /// 0 options field, 1 file, 2 sname.
    area: u8,
    overload: u8,
    failed: bool,
}

impl Options<'_> {
    /// Moves to the next overloaded field; false when there is none.
    fn next_area(&mut self) -> bool {
        let (file, sname) = (self.overload & 1 != 0, self.overload & 2 != 0);
        let next = match self.area {
            0 if file => 1,
            0 | 1 if sname => 2,
            _ => return false,
        };
        self.area = next;
        (self.pos, self.end) = if next == 1 { (108, 236) } else { (44, 108) };
        true
    }
}

impl<'a> Iterator for Options<'a> {
    type Item = Result<DhcpOption<'a>, DhcpError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        loop {
            if self.pos >= self.end {
                if self.next_area() {
                    continue;
                }
                return None;
            }
            let offset = self.pos;
            let code = self.buf[offset];
            match code {
                OPT_PAD => self.pos += 1,
                OPT_END => {
                    self.pos = self.end;
                }
                _ => {
                    let Some(&len) = self.buf[..self.end].get(offset + 1) else {
                        self.failed = true;
                        return Some(Err(DhcpError::MissingLength { code, offset }));
                    };
                    let Some(data) = self.buf[..self.end].get(offset + 2..offset + 2 + len as usize) else {
                        self.failed = true;
                        return Some(Err(DhcpError::OptionTooLong { code, offset }));
                    };
                    self.pos = offset + 2 + len as usize;
                    if code == OPT_OVERLOAD && self.area == 0 && len == 1 {
                        self.overload = data[0] & 3;
                    }
                    return Some(Ok(DhcpOption { code, data, offset }));
                }
            }
        }
    }
}

/// An owned message that [`MessageRepr::emit`] writes and [`MessageRepr::parse`] reads back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageRepr {
    /// 1 request, 2 reply.
    pub op: u8,
    /// Hardware type.
    pub htype: u8,
    /// Hardware address length.
    pub hlen: u8,
    /// Hops.
    pub hops: u8,
    /// Transaction id.
    pub xid: u32,
    /// Seconds.
    pub secs: u16,
    /// Flags.
    pub flags: u16,
    /// Client, your, server and gateway addresses.
    pub addrs: [Ipv4Addr; 4],
    /// Client hardware address field.
    pub chaddr: [u8; 16],
    /// Options in order (pad and end excluded), written after the magic cookie and ended
    /// with option 255; data beyond 255 bytes does not fit an option and is cut.
    pub options: Vec<(u8, Vec<u8>)>,
}

impl MessageRepr {
    /// A DHCP request from an Ethernet client with a message type option.
    pub fn request(xid: u32, mac: [u8; 6], message_type: u8) -> MessageRepr {
        let mut chaddr = [0; 16];
        chaddr[..6].copy_from_slice(&mac);
        MessageRepr {
            op: 1,
            htype: 1,
            hlen: 6,
            hops: 0,
            xid,
            secs: 0,
            flags: 0,
            addrs: [Ipv4Addr::UNSPECIFIED; 4],
            chaddr,
            options: vec![(OPT_MESSAGE_TYPE, vec![message_type])],
        }
    }

    /// Writes the message (sname and file zeroed), padded to the 300 bytes of RFC 951.
    pub fn emit(&self) -> Vec<u8> {
        let mut out = vec![self.op, self.htype, self.hlen, self.hops];
        out.extend(self.xid.to_be_bytes());
        out.extend(self.secs.to_be_bytes());
        out.extend(self.flags.to_be_bytes());
        for a in self.addrs {
            out.extend(a.octets());
        }
        out.extend(self.chaddr);
        out.resize(FIXED_LEN, 0);
        out.extend(MAGIC);
        for (code, data) in &self.options {
            out.push(*code);
            out.push(data.len().min(255) as u8);
            out.extend_from_slice(&data[..data.len().min(255)]);
        }
        out.push(OPT_END);
        if out.len() < 300 {
            out.resize(300, 0);
        }
        out
    }

    /// Reads a message back; fails on a short header or a broken option.
    pub fn parse(msg: &Message<'_>) -> Result<MessageRepr, DhcpError> {
        let mut chaddr = [0; 16];
        chaddr.copy_from_slice(msg.chaddr());
        let mut options = Vec::new();
        for o in msg.options() {
            let o = o?;
            options.push((o.code, o.data.to_vec()));
        }
        Ok(MessageRepr {
            op: msg.op(),
            htype: msg.htype(),
            hlen: msg.hlen(),
            hops: msg.hops(),
            xid: msg.xid(),
            secs: msg.secs(),
            flags: msg.flags(),
            addrs: [msg.ciaddr(), msg.yiaddr(), msg.siaddr(), msg.giaddr()],
            chaddr,
            options,
        })
    }
}

#[cfg(test)]
mod tests;
