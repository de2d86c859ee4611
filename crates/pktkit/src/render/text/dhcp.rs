//! The text tcpdump 4.99.3 prints for BOOTP/DHCP (`print-bootp.c`), reproduced: the
//! summary line at default verbosity, the header fields and every option at `-v` and above.

use std::fmt::Write as _;

use super::netdissect::{push_char, push_ipv4};

/// tcpdump's longjmp on reading past the captured data.
struct Trunc;

/// A read of the captured bytes: `Err(Trunc)` where tcpdump would stop.
type ReadResult<T> = Result<T, Trunc>;

/// tcpdump 4.99.3's option names and data formats (`tag2str`), read off the binary: `i` IPv4
/// addresses, `l`/`L` unsigned/signed 32-bit numbers, `s` 16-bit numbers, `b` bytes, `B`
/// booleans, `a` text, `p` address pairs, `$` options with their own printing.
fn option_info(tag: u8) -> Option<(&'static str, u8)> {
    Some(match tag {
        0 => ("PAD", b' '),
        255 => ("END", b' '),
        1 => ("Subnet-Mask", b'i'),
        2 => ("Time-Zone", b'L'),
        3 => ("Default-Gateway", b'i'),
        4 => ("Time-Server", b'i'),
        5 => ("IEN-Name-Server", b'i'),
        6 => ("Domain-Name-Server", b'i'),
        7 => ("LOG", b'i'),
        8 => ("CS", b'i'),
        9 => ("LPR-Server", b'i'),
        10 => ("IM", b'i'),
        11 => ("RL", b'i'),
        12 => ("Hostname", b'a'),
        13 => ("BS", b's'),
        14 => ("DP", b'a'),
        15 => ("Domain-Name", b'a'),
        16 => ("SS", b'i'),
        17 => ("RP", b'a'),
        18 => ("EP", b'a'),
        19 => ("IPF", b'B'),
        20 => ("SRT", b'B'),
        21 => ("PF", b'p'),
        22 => ("RSZ", b's'),
        23 => ("TTL", b'b'),
        24 => ("MTU-Timeout", b'l'),
        25 => ("MTU-Table", b's'),
        26 => ("MTU", b's'),
        27 => ("LSN", b'B'),
        28 => ("BR", b'i'),
        29 => ("MD", b'B'),
        30 => ("MS", b'B'),
        31 => ("Router-Discovery", b'B'),
        32 => ("RSA", b'i'),
        33 => ("Static-Route", b'p'),
        34 => ("UT", b'B'),
        35 => ("AT", b'l'),
        36 => ("IE", b'B'),
        37 => ("TT", b'b'),
        38 => ("KI", b'l'),
        39 => ("KG", b'B'),
        40 => ("YD", b'a'),
        41 => ("YS", b'i'),
        42 => ("NTP", b'i'),
        43 => ("Vendor-Option", b'b'),
        44 => ("Netbios-Name-Server", b'i'),
        45 => ("WDD", b'i'),
        46 => ("Netbios-Node", b'$'),
        47 => ("Netbios-Scope", b'a'),
        48 => ("XFS", b'i'),
        49 => ("XDM", b'i'),
        50 => ("Requested-IP", b'i'),
        51 => ("Lease-Time", b'l'),
        52 => ("OO", b'$'),
        53 => ("DHCP-Message", b'b'),
        54 => ("Server-ID", b'i'),
        55 => ("Parameter-Request", b'$'),
        56 => ("MSG", b'a'),
        57 => ("MSZ", b's'),
        58 => ("RN", b'l'),
        59 => ("RB", b'l'),
        60 => ("Vendor-Class", b'a'),
        61 => ("Client-ID", b'$'),
        64 => ("N+D", b's'),
        65 => ("N+S", b'i'),
        66 => ("TFTP", b'a'),
        67 => ("BF", b'a'),
        68 => ("MH", b'i'),
        69 => ("SMTP", b'i'),
        70 => ("POP3", b'i'),
        71 => ("NNTP", b'i'),
        72 => ("WWW", b'i'),
        73 => ("FG", b'i'),
        74 => ("IRC", b'i'),
        75 => ("STS", b'i'),
        76 => ("STDA", b'i'),
        77 => ("User-Class", b'$'),
        78 => ("SLP-DA", b'b'),
        79 => ("SLP-SCOPE", b'b'),
        80 => ("SLP-NA", b'a'),
        81 => ("FQDN", b'$'),
        82 => ("Agent-Information", b'$'),
        83 => ("ARMT", b'b'),
        88 => ("TZSTR", b'a'),
        89 => ("FQDNS", b'b'),
        90 => ("AUTH", b'b'),
        91 => ("Last-Transaction-Time", b'L'),
        92 => ("Associated-IP", b'i'),
        93 => ("ARCH", b's'),
        94 => ("NDI", b'b'),
        95 => ("LDAP", b'a'),
        97 => ("GUID", b'b'),
        98 => ("UAP", b'a'),
        100 => ("POSIX-TZ", b'a'),
        101 => ("TZ-Name", b'a'),
        112 => ("NI", b'i'),
        113 => ("NITAG", b'a'),
        114 => ("URL", b'a'),
        116 => ("NOAUTO", b'B'),
        117 => ("NSSEARCH", b's'),
        118 => ("SUBNET", b'i'),
        121 => ("Classless-Static-Route", b'$'),
        150 => ("TFTP-Server-Address", b'i'),
        161 => ("MUD-URL", b'a'),
        249 => ("Classless-Static-Route-Microsoft", b'$'),
        _ => return None,
    })
}

/// Appends what tcpdump 4.99.3 prints for a BOOTP/DHCP message after `src > dst: `.
///
/// `data` is the captured UDP payload, `length` its length on the wire (UDP length minus 8).
pub fn write_tcpdump(out: &mut String, data: &[u8], length: usize, verbosity: u8) {
    let mut p = Printer { d: data, out, v: verbosity };
    if p.bootp(length).is_err() {
        p.out.push_str(" [|bootp]");
    }
}

struct Printer<'a, 'o> {
    d: &'a [u8],
    out: &'o mut String,
    v: u8,
}

impl Printer<'_, '_> {
    fn u8(&self, at: usize) -> ReadResult<u8> {
        self.d.get(at).copied().ok_or(Trunc)
    }

    fn be16(&self, at: usize) -> ReadResult<u16> {
        Ok(u16::from_be_bytes([self.u8(at)?, self.u8(at + 1)?]))
    }

    fn be32(&self, at: usize) -> ReadResult<u32> {
        Ok(((self.be16(at)? as u32) << 16) | self.be16(at + 2)? as u32)
    }

    fn ip(&mut self, at: usize) -> ReadResult<()> {
        let b = self.d.get(at..at + 4).ok_or(Trunc)?;
        push_ipv4(self.out, [b[0], b[1], b[2], b[3]]);
        Ok(())
    }

    fn mac(&mut self, at: usize) -> ReadResult<()> {
        let b = self.d.get(at..at + 6).ok_or(Trunc)?;
        for (i, x) in b.iter().enumerate() {
            let _ = write!(self.out, "{}{x:02x}", if i > 0 { ":" } else { "" });
        }
        Ok(())
    }

    /// `nd_printjn`: exactly `n` characters.
    fn printjn(&mut self, at: usize, n: usize) -> ReadResult<()> {
        let b = self.d.get(at..at + n).ok_or(Trunc)?;
        for &c in b {
            push_char(self.out, c);
        }
        Ok(())
    }

    /// `nd_printztn`: up to a NUL within `n` bytes; false when there was none (or the data
    /// ended first).
    fn printztn(&mut self, at: usize, n: usize) -> ReadResult<bool> {
        for i in 0..n {
            let Some(&c) = self.d.get(at + i) else { return Ok(false) };
            if c == 0 {
                return Ok(true);
            }
            push_char(self.out, c);
        }
        Ok(false)
    }

    fn bootp(&mut self, length: usize) -> ReadResult<()> {
        let op = self.u8(0)?;
        self.out.push_str("BOOTP/DHCP, ");
        match op {
            1 => self.out.push_str("Request"),
            2 => self.out.push_str("Reply"),
            _ => {
                let _ = write!(self.out, "unknown (0x{op:02x})");
            }
        }
        let (htype, hlen) = (self.u8(1)?, self.u8(2)?);
        if htype == 1 && hlen == 6 && op == 1 {
            // tcpdump reads the address before printing " from ".
            self.d.get(28..34).ok_or(Trunc)?;
            self.out.push_str(" from ");
            self.mac(28)?;
        }
        let _ = write!(self.out, ", length {length}");
        if self.v == 0 {
            return Ok(());
        }
        self.be16(8)?;
        if htype != 1 {
            let _ = write!(self.out, ", htype {htype}");
        }
        if htype != 1 || hlen != 6 {
            let _ = write!(self.out, ", hlen {hlen}");
        }
        let hops = self.u8(3)?;
        if hops != 0 {
            let _ = write!(self.out, ", hops {hops}");
        }
        let xid = self.be32(4)?;
        if xid != 0 {
            let _ = write!(self.out, ", xid 0x{xid:x}");
        }
        let secs = self.be16(8)?;
        if secs != 0 {
            let _ = write!(self.out, ", secs {secs}");
        }
        let flags = self.be16(10)?;
        let _ = write!(self.out, ", Flags [{}]", if flags & 0x8000 != 0 { "Broadcast" } else { "none" });
        if self.v > 1 {
            let _ = write!(self.out, " (0x{flags:04x})");
        }
        for (at, label) in [(12, "Client-IP"), (16, "Your-IP"), (20, "Server-IP"), (24, "Gateway-IP")] {
            if self.be32(at)? != 0 {
                let _ = write!(self.out, "\n\t  {label} ");
                self.ip(at)?;
            }
        }
        if htype == 1 && hlen == 6 {
            self.d.get(28..34).ok_or(Trunc)?;
            self.out.push_str("\n\t  Client-Ethernet-Address ");
            self.mac(28)?;
        }
        for (at, n, label) in [(44, 64, "sname"), (108, 128, "file")] {
            if self.u8(at)? != 0 {
                let _ = write!(self.out, "\n\t  {label} \"");
                if !self.printztn(at, n)? {
                    self.out.push('"');
                    return Err(Trunc);
                }
                self.out.push('"');
            }
        }
        let vend = self.be32(236)?;
        match vend {
            0x6382_5363 => self.rfc1048(240),
            0x434d_5500 => self.cmu(),
            0 => Ok(()),
            _ => {
                let _ = write!(self.out, "\n\t  Vendor-#0x{vend:x}");
                Ok(())
            }
        }
    }

    /// `cmu_print`: the CMU vendor area.
    fn cmu(&mut self) -> ReadResult<()> {
        self.out.push_str(" vend-cmu");
        let flags = self.u8(240)?;
        self.be32(240)?;
        if flags & !1 != 0 {
            let _ = write!(self.out, " F:0x{flags:x}");
        }
        let sm = if flags & 1 != 0 { "SM" } else { "SM*" };
        for (at, label) in [
            (248, "DG"),
            (244, sm),
            (252, "NS1"),
            (256, "NS2"),
            (260, "IEN1"),
            (264, "IEN2"),
            (268, "TS1"),
            (272, "TS2"),
        ] {
            if self.be32(at)? != 0 {
                let _ = write!(self.out, " {label}:");
                self.ip(at)?;
            }
        }
        Ok(())
    }

    /// `rfc1048_print`: the options after the magic cookie at `bp - 4`.
    fn rfc1048(&mut self, bp: usize) -> ReadResult<()> {
        self.out.push_str("\n\t  Vendor-rfc1048 Extensions");
        let _ = write!(self.out, "\n\t    Magic Cookie 0x{:08x}", self.be32(bp - 4)?);
        let mut bp = bp;
        while bp < self.d.len() {
            let tag = self.d[bp];
            bp += 1;
            if tag == 0 && self.v < 3 {
                continue;
            }
            if tag == 255 && self.v < 3 {
                return Ok(());
            }
            let (name, fmt) = option_info(tag).unwrap_or(("Unknown", b'?'));
            let mut len = 0usize;
            if tag != 0 && tag != 255 {
                len = self.u8(bp)? as usize;
                bp += 1;
            }
            let _ =
                write!(self.out, "\n\t    {name} ({tag}), length {len}{}", if len > 0 { ": " } else { "" });
            if tag == 0 && self.v > 2 {
                let mut n = 1;
                while self.d.get(bp) == Some(&0) {
                    bp += 1;
                    n += 1;
                }
                if n > 1 {
                    let _ = write!(self.out, ", occurs {n}");
                }
            }
            if bp + len > self.d.len() {
                return Err(Trunc);
            }
            if tag == 53 && len == 1 {
                let t = self.d[bp];
                let name = match t {
                    1 => "Discover",
                    2 => "Offer",
                    3 => "Request",
                    4 => "Decline",
                    5 => "ACK",
                    6 => "NACK",
                    7 => "Release",
                    8 => "Inform",
                    10 => "LeaseQuery",
                    11 => "LeaseUnassigned",
                    12 => "LeaseUnknown",
                    13 => "LeaseActive",
                    _ => "",
                };
                if name.is_empty() {
                    let _ = write!(self.out, "Unknown ({t})");
                } else {
                    self.out.push_str(name);
                }
                bp += 1;
                continue;
            }
            if tag == 55 {
                for idx in 0..len {
                    let inner = self.d[bp + idx];
                    self.out.push_str(if idx % 4 == 0 { "\n\t      " } else { ", " });
                    let (n, _) = option_info(inner).unwrap_or(("Unknown", b'?'));
                    let _ = write!(self.out, "{n} ({inner})");
                }
                bp += len;
                continue;
            }
            let fmt = match fmt {
                b'?' if len & 1 != 0 => b'b',
                b'?' if len & 2 != 0 => b's',
                b'?' => b'l',
                f => f,
            };
            let consumed = self.option_data(tag, fmt, bp, len)?;
            bp += consumed;
            if consumed < len {
                let _ = write!(self.out, "\n\t  trailing data length {}", len - consumed);
                bp += len - consumed;
            }
        }
        Ok(())
    }

    /// Prints an option's data; returns how many bytes it used.
    fn option_data(&mut self, tag: u8, fmt: u8, bp: usize, len: usize) -> ReadResult<usize> {
        let d = &self.d[bp..bp + len];
        let mut used = 0;
        match fmt {
            b'a' => {
                self.out.push('"');
                self.printjn(bp, len)?;
                self.out.push('"');
                used = len;
            }
            b'i' | b'l' | b'L' => {
                while len - used >= 4 {
                    if used > 0 {
                        self.out.push(',');
                    }
                    let v = u32::from_be_bytes([d[used], d[used + 1], d[used + 2], d[used + 3]]);
                    match fmt {
                        b'i' => self.ip(bp + used)?,
                        b'L' => {
                            let _ = write!(self.out, "{}", v as i32);
                        }
                        _ => {
                            let _ = write!(self.out, "{v}");
                        }
                    }
                    used += 4;
                }
            }
            b'p' => {
                while len - used >= 8 {
                    if used > 0 {
                        self.out.push(',');
                    }
                    self.out.push('(');
                    self.ip(bp + used)?;
                    self.out.push(':');
                    self.ip(bp + used + 4)?;
                    self.out.push(')');
                    used += 8;
                }
            }
            b's' => {
                while len - used >= 2 {
                    if used > 0 {
                        self.out.push(',');
                    }
                    let _ = write!(self.out, "{}", u16::from_be_bytes([d[used], d[used + 1]]));
                    used += 2;
                }
            }
            b'B' => {
                for (i, &b) in d.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    match b {
                        0 => self.out.push('N'),
                        1 => self.out.push('Y'),
                        _ => {
                            let _ = write!(self.out, "{b}?");
                        }
                    }
                }
                used = len;
            }
            b'$' => used = self.special(tag, bp, len)?,
            _ => {
                for (i, &b) in d.iter().enumerate() {
                    let _ = write!(self.out, "{}{b}", if i > 0 { "." } else { "" });
                }
                used = len;
            }
        }
        Ok(used)
    }

    /// The options tcpdump prints its own way; returns how many bytes were used.
    fn special(&mut self, tag: u8, bp: usize, len: usize) -> ReadResult<usize> {
        let d = &self.d[bp..bp + len];
        match tag {
            46 | 52 => {
                let Some(&v) = d.first() else {
                    self.out.push_str("[ERROR: length < 1 bytes]");
                    return Ok(0);
                };
                let name = match (tag, v) {
                    (46, 1) => "b-node",
                    (46, 2) => "p-node",
                    (46, 4) => "m-node",
                    (46, 8) => "h-node",
                    (52, 1) => "file",
                    (52, 2) => "sname",
                    (52, 3) => "file+sname",
                    _ => "",
                };
                if name.is_empty() {
                    let _ = write!(self.out, "#{v}");
                } else {
                    self.out.push_str(name);
                }
                Ok(1)
            }
            61 => {
                let Some(&t) = d.first() else {
                    self.out.push_str("[ERROR: length < 1 bytes]");
                    return Ok(0);
                };
                if t == 0 {
                    self.out.push('"');
                    self.printjn(bp + 1, len - 1)?;
                    self.out.push('"');
                } else {
                    match t {
                        1 => self.out.push_str("ether"),
                        6 => self.out.push_str("ieee802"),
                        7 => self.out.push_str("arcnet"),
                        15 => self.out.push_str("frelay"),
                        23 => self.out.push_str("strip"),
                        24 => self.out.push_str("ieee1394"),
                        _ => {
                            let _ = write!(self.out, "hardware-type {t},");
                        }
                    }
                    self.out.push(' ');
                    for (i, b) in d[1..].iter().enumerate() {
                        let _ = write!(self.out, "{}{b:02x}", if i > 0 { ":" } else { "" });
                    }
                }
                Ok(len)
            }
            82 => {
                let mut used = 0;
                while len - used >= 2 {
                    let (sub, sublen) = (d[used], d[used + 1] as usize);
                    used += 2;
                    let name = match sub {
                        1 => "Circuit-ID",
                        2 => "Remote-ID",
                        6 => "Subscriber-ID",
                        _ => "Unknown",
                    };
                    if sublen > len - used {
                        let _ = write!(
                            self.out,
                            "\n\t      {name} SubOption {sub}, length {sublen}: length goes past end of option"
                        );
                        return Ok(len);
                    }
                    let _ = write!(self.out, "\n\t      {name} SubOption {sub}, length {sublen}: ");
                    if matches!(sub, 1 | 2 | 6) {
                        self.printjn(bp + used, sublen)?;
                    } else {
                        self.hex(&d[used..used + sublen]);
                    }
                    used += sublen;
                }
                Ok(used)
            }
            121 | 249 => {
                if len < 5 {
                    self.out.push_str("[ERROR: length < 5 bytes]");
                    return Ok(len);
                }
                let mut used = 0;
                while used < len {
                    if used > 0 {
                        self.out.push(',');
                    }
                    let width = d[used] as usize;
                    used += 1;
                    if width > 32 {
                        let _ = write!(self.out, "[ERROR: Mask width ({width}) > 32]");
                        return Ok(len);
                    }
                    let sig = width.div_ceil(8);
                    if len - used < sig + 4 {
                        let _ = write!(
                            self.out,
                            "[ERROR: Remaining length ({}) < {} bytes]",
                            len - used,
                            sig + 4
                        );
                        return Ok(len);
                    }
                    self.out.push('(');
                    if width == 0 {
                        self.out.push_str("default");
                    } else {
                        for i in 0..sig {
                            let _ = write!(self.out, "{}{}", if i > 0 { "." } else { "" }, d[used + i]);
                        }
                        for _ in sig..4 {
                            self.out.push_str(".0");
                        }
                        let _ = write!(self.out, "/{width}");
                    }
                    used += sig;
                    self.out.push(':');
                    self.ip(bp + used)?;
                    self.out.push(')');
                    used += 4;
                }
                Ok(used)
            }
            77 => {
                if len < 2 {
                    self.out.push_str("[ERROR: length < 2 bytes]");
                    return Ok(len);
                }
                let (mut used, mut n) = (0, 1);
                while used < len {
                    let sublen = d[used] as usize;
                    used += 1;
                    let _ = write!(self.out, "\n\t      instance#{n}: ");
                    if sublen == 0 {
                        self.out.push_str("[ERROR: suboption length must be non-zero]");
                        return Ok(len);
                    }
                    if len - used < sublen {
                        self.out.push_str("[ERROR: invalid option]");
                        return Ok(len);
                    }
                    self.out.push('"');
                    self.printjn(bp + used, sublen)?;
                    let _ = write!(self.out, "\", length {sublen}");
                    n += 1;
                    used += sublen;
                }
                Ok(used)
            }
            81 => {
                if len < 3 {
                    self.out.push_str("[ERROR: length < 3 bytes]");
                    return Ok(len);
                }
                let flags = d[0];
                if flags & 0xf0 != 0 {
                    let _ = write!(self.out, "[ERROR: MBZ nibble 0x{:x} != 0] ", flags >> 4);
                }
                if flags & 0x0f != 0 {
                    self.out.push('[');
                    for (bit, c) in [(1, 'S'), (2, 'O'), (4, 'E'), (8, 'N')] {
                        if flags & bit != 0 {
                            self.out.push(c);
                        }
                    }
                    self.out.push_str("] ");
                }
                if d[1] != 0 || d[2] != 0 {
                    let _ = write!(self.out, "{}/{} ", d[1], d[2]);
                }
                self.out.push('"');
                self.printjn(bp + 3, len - 3)?;
                self.out.push('"');
                Ok(len)
            }
            _ => {
                let _ = write!(self.out, "[unknown special tag {tag}, size {len}]");
                Ok(len)
            }
        }
    }

    /// `hex_print` with the `\n\t\t` indent: 16 bytes a line, in pairs.
    fn hex(&mut self, data: &[u8]) {
        for (i, chunk) in data.chunks(2).enumerate() {
            if i % 8 == 0 {
                let _ = write!(self.out, "\n\t\t0x{:04x}: ", i * 2);
            }
            match chunk {
                [a, b] => {
                    let _ = write!(self.out, " {a:02x}{b:02x}");
                }
                [a] => {
                    let _ = write!(self.out, " {a:02x}");
                }
                _ => {}
            }
        }
    }
}
