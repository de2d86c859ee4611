//! TCP (RFC 9293). Header parsing is etherparse's [`TcpSlice`]; this module adds a lenient
//! option walker (tcpdump prints what it can of bad options) and flag spellings.

pub use etherparse::TcpSlice;

/// FIN flag bit.
pub const FIN: u8 = 0x01;
/// SYN flag bit.
pub const SYN: u8 = 0x02;
/// RST flag bit.
pub const RST: u8 = 0x04;
/// PSH flag bit.
pub const PSH: u8 = 0x08;
/// ACK flag bit.
pub const ACK: u8 = 0x10;
/// URG flag bit.
pub const URG: u8 = 0x20;
/// ECE flag bit.
pub const ECE: u8 = 0x40;
/// CWR flag bit.
pub const CWR: u8 = 0x80;

/// The 12 flag bits (the 8 classic ones plus NS / AE and two reserved bits) of a header.
pub fn flags12(header: &[u8]) -> u16 {
    if header.len() < 14 {
        return 0;
    }
    u16::from_be_bytes([header[12], header[13]]) & 0x0fff
}

/// tcpdump's `Flags [...]` letters for the low 8 flag bits, in tcpdump's order; "none" if 0.
pub fn tcpdump_flags(flags: u8, out: &mut [u8; 8]) -> &str {
    const TABLE: [(u8, u8); 8] = [
        (FIN, b'F'),
        (SYN, b'S'),
        (RST, b'R'),
        (PSH, b'P'),
        (ACK, b'.'),
        (URG, b'U'),
        (ECE, b'E'),
        (CWR, b'W'),
    ];
    let mut n = 0;
    for (bit, c) in TABLE {
        if flags & bit != 0 {
            out[n] = c;
            n += 1;
        }
    }
    if n == 0 {
        return "none";
    }
    std::str::from_utf8(&out[..n]).unwrap_or("none")
}

/// Option kinds.
pub mod opt {
    /// End of option list.
    pub const EOL: u8 = 0;
    /// No operation.
    pub const NOP: u8 = 1;
    /// Maximum segment size.
    pub const MSS: u8 = 2;
    /// Window scale.
    pub const WSCALE: u8 = 3;
    /// SACK permitted.
    pub const SACK_OK: u8 = 4;
    /// SACK blocks.
    pub const SACK: u8 = 5;
    /// Echo (RFC 1072).
    pub const ECHO: u8 = 6;
    /// Echo reply (RFC 1072).
    pub const ECHOREPLY: u8 = 7;
    /// Timestamps.
    pub const TIMESTAMP: u8 = 8;
    /// Connection count (RFC 1644).
    pub const CC: u8 = 11;
    /// CC.NEW.
    pub const CCNEW: u8 = 12;
    /// CC.ECHO.
    pub const CCECHO: u8 = 13;
    /// TCP MD5 signature.
    pub const MD5: u8 = 19;
    /// SCPS capabilities.
    pub const SCPS: u8 = 20;
    /// User timeout.
    pub const UTO: u8 = 28;
    /// TCP-AO.
    pub const TCPAO: u8 = 29;
    /// Multipath TCP.
    pub const MPTCP: u8 = 30;
    /// TCP Fast Open.
    pub const FASTOPEN: u8 = 34;
    /// Experimental (RFC 6994).
    pub const EXP2: u8 = 254;
}

/// tcpdump's name of a TCP option (`tcp_option_values` of print-tcp.c).
pub fn option_name(kind: u8) -> Option<&'static str> {
    Some(match kind {
        0 => "eol",
        1 => "nop",
        2 => "mss",
        3 => "wscale",
        4 => "sackOK",
        5 => "sack",
        6 => "echo",
        7 => "echoreply",
        8 => "TS",
        11 => "cc",
        12 => "ccnew",
        13 => "",
        19 => "md5",
        20 => "scps",
        28 => "uto",
        29 => "tcp-ao",
        30 => "mptcp",
        34 => "tfo",
        254 => "exp",
        _ => return None,
    })
}

/// One option as found on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TcpOpt<'a> {
    /// A well-formed option: kind, its length byte (1 for EOL/NOP) and the bytes after it.
    Opt {
        /// Option kind.
        kind: u8,
        /// Length byte (1 for EOL and NOP).
        len: u8,
        /// Data after kind and length, `len - 2` bytes.
        data: &'a [u8],
    },
    /// A kind whose length byte is missing, below 2 or past the end of the options.
    Bad {
        /// Option kind.
        kind: u8,
        /// Its length byte, if present.
        len: Option<u8>,
    },
}

/// Walks an options area leniently: after a bad option the walk ends.
pub fn options(area: &[u8]) -> OptIter<'_> {
    OptIter { area, pos: 0, done: false }
}

/// Iterator over TCP options.
#[derive(Clone, Debug)]
pub struct OptIter<'a> {
    area: &'a [u8],
    pos: usize,
    done: bool,
}

impl<'a> Iterator for OptIter<'a> {
    type Item = TcpOpt<'a>;

    fn next(&mut self) -> Option<TcpOpt<'a>> {
        if self.done || self.pos >= self.area.len() {
            return None;
        }
        let kind = self.area[self.pos];
        if kind == opt::EOL || kind == opt::NOP {
            self.pos += 1;
            return Some(TcpOpt::Opt { kind, len: 1, data: &[] });
        }
        let len = self.area.get(self.pos + 1).copied();
        match len {
            Some(l) if l >= 2 && self.pos + l as usize <= self.area.len() => {
                let data = &self.area[self.pos + 2..self.pos + l as usize];
                self.pos += l as usize;
                Some(TcpOpt::Opt { kind, len: l, data })
            }
            _ => {
                self.done = true;
                Some(TcpOpt::Bad { kind, len })
            }
        }
    }
}

/// Values of the common options of a header, for fields and JSON.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CommonOptions {
    /// Maximum segment size.
    pub mss: Option<u16>,
    /// Window scale shift.
    pub wscale: Option<u8>,
    /// SACK permitted.
    pub sack_ok: bool,
    /// Number of SACK blocks.
    pub sack_blocks: u8,
    /// Timestamp value and echo reply.
    pub timestamp: Option<(u32, u32)>,
}

/// Extracts MSS, window scale, SACK and timestamps from an options area.
pub fn common_options(area: &[u8]) -> CommonOptions {
    let mut c = CommonOptions::default();
    for o in options(area) {
        if let TcpOpt::Opt { kind, data, .. } = o {
            match (kind, data.len()) {
                (opt::MSS, 2) => c.mss = Some(u16::from_be_bytes([data[0], data[1]])),
                (opt::WSCALE, 1) => c.wscale = Some(data[0]),
                (opt::SACK_OK, 0) => c.sack_ok = true,
                (opt::SACK, n) if n % 8 == 0 => c.sack_blocks = (n / 8) as u8,
                (opt::TIMESTAMP, 8) => {
                    c.timestamp = Some((
                        u32::from_be_bytes([data[0], data[1], data[2], data[3]]),
                        u32::from_be_bytes([data[4], data[5], data[6], data[7]]),
                    ))
                }
                _ => {}
            }
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_spelling() {
        let mut b = [0; 8];
        assert_eq!(tcpdump_flags(SYN | ACK, &mut b), "S.");
        assert_eq!(tcpdump_flags(0, &mut b), "none");
        assert_eq!(tcpdump_flags(0xff, &mut b), "FSRP.UEW");
        let mut h = [0u8; 20];
        h[12] = 0x51;
        h[13] = 0x12;
        assert_eq!(flags12(&h), 0x112);
        assert_eq!(flags12(&h[..13]), 0);
    }

    #[test]
    fn options_lenient() {
        let area = [2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 1, 3, 3, 7];
        let c = common_options(&area);
        assert_eq!(c.mss, Some(1460));
        assert!(c.sack_ok);
        assert_eq!(c.timestamp, Some((1, 2)));
        assert_eq!(c.wscale, Some(7));
        // Length 0, and a length past the end: reported once, then the walk stops.
        let bad = [1, 2, 0, 1];
        let v: Vec<_> = options(&bad).collect();
        assert_eq!(
            v,
            vec![TcpOpt::Opt { kind: 1, len: 1, data: &[] }, TcpOpt::Bad { kind: 2, len: Some(0) }]
        );
        let bad = [8, 10, 0];
        assert_eq!(options(&bad).collect::<Vec<_>>(), vec![TcpOpt::Bad { kind: 8, len: Some(10) }]);
        let bad = [3];
        assert_eq!(options(&bad).collect::<Vec<_>>(), vec![TcpOpt::Bad { kind: 3, len: None }]);
    }

    #[test]
    fn slice_truncated() {
        let mut h = [0u8; 24];
        h[12] = 0x60; // data offset 6: 24 bytes
        assert!(TcpSlice::from_slice(&h).is_ok());
        assert!(TcpSlice::from_slice(&h[..23]).is_err());
        h[12] = 0x40; // data offset 4 < 5: invalid
        assert!(TcpSlice::from_slice(&h).is_err());
    }
}
