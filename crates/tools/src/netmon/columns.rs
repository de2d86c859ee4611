//! The columns of `netmon connections`: one table of names, shared by the text table, the
//! JSON records (schema `pktkit.netmon.connection/1`, docs/netmon.md) and `--fields`.

use std::io::Write;

use pktkit::host::sockets::{Address, Table};
use pktkit::render::time::TimeKeys;

use super::connections::Row;
use super::table;

/// Schema of the JSON records.
pub const SCHEMA: &str = "pktkit.netmon.connection/1";

/// One column (a `--fields` name, which is also its JSON key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Proto,
    Fd,
    Family,
    Type,
    Laddr,
    Raddr,
    Status,
    Pid,
    Pids,
    Name,
    Cmdline,
    Uid,
    User,
    Inode,
    RecvQ,
    SendQ,
    RttUs,
    RttvarUs,
    Retransmits,
    BytesSent,
    BytesAcked,
    BytesReceived,
    BytesRetrans,
    Unseen,
}

/// (column, name and JSON key, text header, right-aligned).
const COLUMNS: [(Column, &str, &str, bool); 24] = [
    (Column::Proto, "proto", "PROTO", false),
    (Column::Fd, "fd", "FD", true),
    (Column::Family, "family", "FAMILY", false),
    (Column::Type, "type", "TYPE", false),
    (Column::Laddr, "laddr", "LOCAL", false),
    (Column::Raddr, "raddr", "REMOTE", false),
    (Column::Status, "status", "STATUS", false),
    (Column::Pid, "pid", "PID", true),
    (Column::Pids, "pids", "PIDS", false),
    (Column::Name, "name", "PROCESS", false),
    (Column::Cmdline, "cmdline", "COMMAND", false),
    (Column::Uid, "uid", "UID", true),
    (Column::User, "user", "USER", false),
    (Column::Inode, "inode", "INODE", true),
    (Column::RecvQ, "recv_q", "RECV-Q", true),
    (Column::SendQ, "send_q", "SEND-Q", true),
    (Column::RttUs, "rtt_us", "RTT", true),
    (Column::RttvarUs, "rttvar_us", "RTTVAR", true),
    (Column::Retransmits, "retransmits", "RETRANS", true),
    (Column::BytesSent, "bytes_sent", "SENT", true),
    (Column::BytesAcked, "bytes_acked", "ACKED", true),
    (Column::BytesReceived, "bytes_received", "RECEIVED", true),
    (Column::BytesRetrans, "bytes_retrans", "RETRANS-B", true),
    (Column::Unseen, "unseen", "WHY-NO-PID", false),
];

impl Column {
    /// Every column, in table order (the JSON default).
    pub const ALL: [Column; 24] = {
        let mut all = [Column::Proto; 24];
        let mut i = 0;
        while i < 24 {
            all[i] = COLUMNS[i].0;
            i += 1;
        }
        all
    };

    /// The text table's default columns.
    pub const DEFAULT: [Column; 12] = [
        Column::Proto,
        Column::Laddr,
        Column::Raddr,
        Column::Status,
        Column::Pid,
        Column::Name,
        Column::User,
        Column::RecvQ,
        Column::SendQ,
        Column::RttUs,
        Column::BytesSent,
        Column::BytesReceived,
    ];

    fn entry(self) -> &'static (Column, &'static str, &'static str, bool) {
        COLUMNS.iter().find(|c| c.0 == self).expect("every column is in COLUMNS")
    }

    /// The `--fields` name and JSON key.
    pub fn name(self) -> &'static str {
        self.entry().1
    }

    /// The text header.
    pub fn header(self) -> &'static str {
        self.entry().2
    }

    /// True for numeric columns.
    pub fn right_aligned(self) -> bool {
        self.entry().3
    }

    /// The cell of `row` in the text table (`-` when there is nothing to show).
    pub fn text(self, row: &Row) -> String {
        let mut cell = String::new();
        self.write_text(row, &mut cell);
        cell
    }

    /// Appends the cell of `row` in the text table to `out` (`-` when there is nothing to show).
    pub fn write_text(self, row: &Row, out: &mut String) {
        let s = row.socket;
        let tcp = s.tcp.as_ref();
        let number = |out: &mut String, n: Option<u64>| match n {
            Some(n) => out.push_str(itoa::Buffer::new().format(n)),
            None => out.push('-'),
        };
        let tcp_bytes = |out: &mut String, n: Option<u64>| match n {
            Some(n) => table::write_bytes(out, n),
            None => out.push('-'),
        };
        let tcp_millis = |out: &mut String, n: Option<u32>| match n {
            Some(n) => table::write_millis(out, n),
            None => out.push('-'),
        };
        match self {
            Column::Proto => out.push_str(proto(s.table)),
            Column::Fd => number(out, row.holders.first().map(|h| h.fd.into())),
            Column::Family => out.push_str(s.family.name()),
            Column::Type => out.push_str(s.sock_type.name()),
            Column::Laddr => write_address_text(out, Some(&s.local)),
            Column::Raddr => write_address_text(out, s.remote.as_ref()),
            Column::Status => out.push_str(s.state.map_or("NONE", |st| st.name())),
            Column::Pid => number(out, row.holders.first().map(|h| h.pid.into())),
            Column::Pids => {
                if row.holders.is_empty() {
                    out.push('-');
                }
                let mut last = None;
                for pid in row.holders.iter().map(|h| h.pid) {
                    if last == Some(pid) {
                        continue;
                    }
                    if last.is_some() {
                        out.push(',');
                    }
                    out.push_str(itoa::Buffer::new().format(pid));
                    last = Some(pid);
                }
            }
            Column::Name => match (row.process, row.unseen) {
                (Some(p), _) => out.push_str(&p.name),
                (None, Some(why)) => {
                    out.push('[');
                    out.push_str(why.phrase());
                    out.push(']');
                }
                (None, None) => out.push('-'),
            },
            Column::Cmdline => match row.process {
                Some(p) => {
                    for (i, arg) in p.cmdline.iter().enumerate() {
                        if i > 0 {
                            out.push(' ');
                        }
                        out.push_str(arg);
                    }
                }
                None => out.push('-'),
            },
            Column::Uid => number(out, s.uid.map(u64::from)),
            Column::User => match (row.user, s.uid) {
                (Some(name), _) => out.push_str(name),
                (None, uid) => number(out, uid.map(u64::from)),
            },
            Column::Inode => number(out, Some(s.inode.into())),
            Column::RecvQ => number(out, Some(s.recv_q.into())),
            Column::SendQ => number(out, Some(s.send_q.into())),
            Column::RttUs => tcp_millis(out, tcp.map(|t| t.rtt_us)),
            Column::RttvarUs => tcp_millis(out, tcp.map(|t| t.rttvar_us)),
            Column::Retransmits => number(out, tcp.map(|t| t.total_retrans.into())),
            Column::BytesSent => tcp_bytes(out, tcp.map(|t| t.bytes_sent)),
            Column::BytesAcked => tcp_bytes(out, tcp.map(|t| t.bytes_acked)),
            Column::BytesReceived => tcp_bytes(out, tcp.map(|t| t.bytes_received)),
            Column::BytesRetrans => tcp_bytes(out, tcp.map(|t| t.bytes_retrans)),
            Column::Unseen => out.push_str(row.unseen.map_or("-", |u| u.name())),
        }
    }

    /// Writes `"key":value` for `row` into `out`; returns false, writing nothing, when the
    /// value is absent (absent keys are left out of the record).
    fn json(self, row: &Row, out: &mut Vec<u8>) -> bool {
        let s = row.socket;
        let tcp = s.tcp.as_ref();
        let key = |out: &mut Vec<u8>| {
            out.extend_from_slice(b",\"");
            out.extend_from_slice(self.name().as_bytes());
            out.extend_from_slice(b"\":");
        };
        let number = |out: &mut Vec<u8>, n: u64| {
            key(out);
            out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
            true
        };
        let string = |out: &mut Vec<u8>, v: &str| {
            key(out);
            serde_json::to_writer(&mut *out, v).expect("writing to a Vec");
            true
        };
        match self {
            Column::Proto => string(out, proto(s.table)),
            Column::Fd => row.holders.first().is_some_and(|h| number(out, h.fd.into())),
            Column::Family => string(out, s.family.name()),
            Column::Type => string(out, s.sock_type.name()),
            Column::Laddr => {
                key(out);
                address_json(out, &s.local);
                true
            }
            Column::Raddr => s.remote.as_ref().is_some_and(|r| {
                key(out);
                address_json(out, r);
                true
            }),
            Column::Status => string(out, s.state.map_or("NONE", |st| st.name())),
            Column::Pid => row.holders.first().is_some_and(|h| number(out, h.pid.into())),
            Column::Pids => {
                if row.holders.is_empty() {
                    return false;
                }
                key(out);
                out.push(b'[');
                let mut last = None;
                for pid in row.holders.iter().map(|h| h.pid) {
                    if last == Some(pid) {
                        continue;
                    }
                    if last.is_some() {
                        out.push(b',');
                    }
                    out.extend_from_slice(itoa::Buffer::new().format(pid).as_bytes());
                    last = Some(pid);
                }
                out.push(b']');
                true
            }
            Column::Name => row.process.is_some_and(|p| string(out, &p.name)),
            Column::Cmdline => row.process.is_some_and(|p| {
                key(out);
                serde_json::to_writer(&mut *out, &p.cmdline).expect("writing to a Vec");
                true
            }),
            Column::Uid => s.uid.is_some_and(|u| number(out, u.into())),
            Column::User => row.user.is_some_and(|u| string(out, u)),
            Column::Inode => number(out, s.inode.into()),
            Column::RecvQ => number(out, s.recv_q.into()),
            Column::SendQ => number(out, s.send_q.into()),
            Column::RttUs => tcp.is_some_and(|t| number(out, t.rtt_us.into())),
            Column::RttvarUs => tcp.is_some_and(|t| number(out, t.rttvar_us.into())),
            Column::Retransmits => tcp.is_some_and(|t| number(out, t.total_retrans.into())),
            Column::BytesSent => tcp.is_some_and(|t| number(out, t.bytes_sent)),
            Column::BytesAcked => tcp.is_some_and(|t| number(out, t.bytes_acked)),
            Column::BytesReceived => tcp.is_some_and(|t| number(out, t.bytes_received)),
            Column::BytesRetrans => tcp.is_some_and(|t| number(out, t.bytes_retrans)),
            Column::Unseen => row.unseen.is_some_and(|u| string(out, u.name())),
        }
    }
}

/// netstat's protocol name of a table: `tcp`, `tcp6`, `udp`, `udp6`, `unix`.
pub fn proto(table: Table) -> &'static str {
    match table {
        Table::Tcp4 => "tcp",
        Table::Tcp6 => "tcp6",
        Table::Udp4 => "udp",
        Table::Udp6 => "udp6",
        Table::Unix => "unix",
    }
}

/// Appends `10.0.0.1:80`, `[::1]:80`, a Unix path, or `-` (no address, unnamed Unix socket).
pub fn write_address_text(out: &mut String, a: Option<&Address>) {
    use std::fmt::Write as _;
    match a {
        Some(Address::Inet(std::net::SocketAddr::V4(sa))) => {
            // What Display writes, without the formatting machinery (two per row).
            let mut number = itoa::Buffer::new();
            for (i, octet) in sa.ip().octets().into_iter().enumerate() {
                if i > 0 {
                    out.push('.');
                }
                out.push_str(number.format(octet));
            }
            out.push(':');
            out.push_str(number.format(sa.port()));
        }
        Some(Address::Inet(sa)) => {
            let _ = write!(out, "{sa}");
        }
        Some(Address::Unix(path)) if !path.is_empty() => out.push_str(path),
        _ => out.push('-'),
    }
}

/// `{"ip":"10.0.0.1","port":80}` or, for Unix sockets, the name as a string.
pub fn address_json(out: &mut Vec<u8>, a: &Address) {
    match a {
        Address::Inet(sa) => {
            let _ = write!(out, "{{\"ip\":\"{}\",\"port\":{}}}", sa.ip(), sa.port());
        }
        Address::Unix(path) => serde_json::to_writer(&mut *out, path).expect("writing to a Vec"),
    }
}

/// Writes one NDJSON record of `row` with the `fields` keys (and `schema`).
pub fn write_json(out: &mut Vec<u8>, row: &Row, fields: &[Column]) {
    out.extend_from_slice(b"{\"schema\":\"");
    out.extend_from_slice(SCHEMA.as_bytes());
    out.push(b'"');
    let _ = write!(out, ",{}", TimeKeys::now("time"));
    for f in fields {
        f.json(row, out);
    }
    out.extend_from_slice(b"}\n");
}

/// Parses one `--fields` name.
pub fn parse_one(name: &str) -> Result<Column, String> {
    let name = name.trim();
    COLUMNS.iter().find(|c| c.1 == name).map(|c| c.0).ok_or_else(|| {
        format!(
            "unknown field {name:?} (known: {})",
            COLUMNS.iter().map(|c| c.1).collect::<Vec<_>>().join(",")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_parse() {
        for (i, c) in COLUMNS.iter().enumerate() {
            assert_eq!(Column::ALL[i], c.0);
            assert!(COLUMNS.iter().filter(|d| d.1 == c.1).count() == 1, "{}", c.1);
        }
        assert_eq!(parse_one(" rtt_us").unwrap(), Column::RttUs);
        assert!(parse_one("bogus").unwrap_err().contains("\"bogus\""));
    }
}
