//! SCTP as tcpdump 4.99.3's `sctp_print`: the chunks, with DATA, INIT, INIT ACK and SACK
//! decoded; with `-vv` each chunk on its own line and M3UA (`m3ua_print`) or a payload dump
//! inside DATA; ForCES' message type (`forces_print`, the type line only) on its ports and
//! payload protocols.

use crate::proto::sctp::{self, Chunk, Data, Init, Sack, chunk, data_flag, forces, m3ua, ppid};
use crate::render::out::{append_decimal, append_str, be16, be32, hex, hex_min};

use super::dump::{hex_ascii, hex_indent};
use super::{IpCtx, TextPrinter};

/// tcpdump's name of a chunk type.
fn chunk_name(kind: u8) -> Option<&'static str> {
    Some(match kind {
        chunk::DATA => "DATA",
        chunk::INIT => "INIT",
        chunk::INIT_ACK => "INIT ACK",
        chunk::SACK => "SACK",
        chunk::HEARTBEAT => "HB REQ",
        chunk::HEARTBEAT_ACK => "HB ACK",
        chunk::ABORT => "ABORT",
        chunk::SHUTDOWN => "SHUTDOWN",
        chunk::SHUTDOWN_ACK => "SHUTDOWN ACK",
        chunk::ERROR => "OP ERR",
        chunk::COOKIE_ECHO => "COOKIE ECHO",
        chunk::COOKIE_ACK => "COOKIE ACK",
        chunk::ECNE => "ECN ECHO",
        chunk::CWR => "ECN CWR",
        chunk::SHUTDOWN_COMPLETE => "SHUTDOWN COMPLETE",
        chunk::FORWARD_TSN => "FOR CUM TSN",
        chunk::ASCONF => "REL CTRL",
        chunk::ASCONF_ACK => "REL CTRL ACK",
        _ => return None,
    })
}

/// tcpdump's name of a payload protocol identifier.
fn ppid_name(id: u32) -> Option<&'static str> {
    const NAMES: [&str; 28] = [
        "",
        "ISDN Q.921",
        "M2UA",
        "M3UA",
        "SUA",
        "M2PA",
        "V5.2",
        "H.248",
        "BICC",
        "TALI",
        "DUA",
        "ASAP",
        "ENRP",
        "H.323",
        "Q.IPC",
        "SIMCO",
        "DDPSC",
        "DDPSSC",
        "S1AP",
        "RUA",
        "HNBAP",
        "ForCES HP",
        "ForCES MP",
        "ForCES LP",
        "SBc-AP",
        "NBAP",
        "",
        "X2AP",
    ];
    NAMES.get(id as usize).copied().filter(|n| !n.is_empty())
}

/// tcpdump's name of a ForCES port.
fn forces_channel(port: u16) -> Option<&'static str> {
    match sctp::FORCES_PORTS.iter().position(|&p| p == port)? {
        0 => Some("ForCES HP"),
        1 => Some("ForCES MP"),
        _ => Some("ForCES LP"),
    }
}

/// tcpdump's name of a ForCES message type.
fn forces_type(kind: u8) -> Option<&'static str> {
    use forces::kind::*;
    Some(match kind {
        ASSOCIATION_SETUP => "Association Setup",
        ASSOCIATION_TEARDOWN => "Association TearDown",
        CONFIG => "Config",
        QUERY => "Query",
        EVENT_NOTIFICATION => "Event Notification",
        PACKET_REDIRECT => "Packet Redirect",
        HEARTBEAT => "HeartBeat",
        ASSOCIATION_RESPONSE => "Association Response",
        CONFIG_RESPONSE => "Config Response",
        QUERY_RESPONSE => "Query Response",
        _ => return None,
    })
}

/// tcpdump's `tom_valid`: the message types its table may hold.
fn forces_type_valid(kind: u8) -> bool {
    kind > 0 && !(0x07..=0x0e).contains(&kind) && kind != 0x10 && kind <= 0x14
}

/// tcpdump's name of an M3UA message class and, for the classes it knows, the names of
/// their message types by number.
fn m3ua_names(class: u8) -> (Option<&'static str>, Option<&'static [&'static str]>) {
    use m3ua::class::*;
    const MGMT_TYPES: &[&str] = &["Error", "Notify"];
    const TRANSFER_TYPES: &[&str] = &["", "Data"];
    const SSNM_TYPES: &[&str] = &[
        "",
        "Destination Unavailable",
        "Destination Available",
        "Destination State Audit",
        "Signalling Congestion",
        "Destination User Part Unavailable",
        "Destination Restricted",
    ];
    const ASPSM_TYPES: &[&str] = &[
        "",
        "Up",
        "Down",
        "Heartbeat",
        "Up Acknowledgement",
        "Down Acknowledgement",
        "Heartbeat Acknowledgement",
    ];
    const ASPTM_TYPES: &[&str] =
        &["", "Active", "Inactive", "Active Acknowledgement", "Inactive Acknowledgement"];
    const RKM_TYPES: &[&str] = &[
        "",
        "Registration Request",
        "Registration Response",
        "Deregistration Request",
        "Deregistration Response",
    ];
    match class {
        MGMT => (Some("Management"), Some(MGMT_TYPES)),
        TRANSFER => (Some("Transfer"), Some(TRANSFER_TYPES)),
        SSNM => (Some("SS7"), Some(SSNM_TYPES)),
        ASPSM => (Some("ASP"), Some(ASPSM_TYPES)),
        ASPTM => (Some("ASP"), Some(ASPTM_TYPES)),
        RKM => (Some("Routing Key Management"), Some(RKM_TYPES)),
        _ => (None, None),
    }
}

/// tcpdump's name of an M3UA parameter tag.
fn m3ua_param(tag: u16) -> Option<&'static str> {
    Some(match tag {
        0x0004 => "INFO String",
        0x0006 => "Routing Context",
        0x0007 => "Diagnostic Info",
        0x0009 => "Heartbeat Data",
        0x000b => "Traffic Mode Type",
        0x000c => "Error Code",
        0x000d => "Status",
        0x0011 => "ASP Identifier",
        0x0012 => "Affected Point Code",
        0x0013 => "Correlation ID",
        0x0200 => "Network Appearance",
        0x0204 => "User/Cause",
        0x0205 => "Congestion Indications",
        0x0206 => "Concerned Destination",
        0x0207 => "Routing Key",
        0x0208 => "Registration Result",
        0x0209 => "Deregistration Result",
        0x020a => "Local Routing Key Identifier",
        0x020b => "Destination Point Code",
        0x020c => "Service Indicators",
        0x020e => "Originating Point Code List",
        0x0210 => "Protocol Data",
        0x0212 => "Registration Status",
        0x0213 => "Deregistration Status",
        _ => return None,
    })
}

/// A capture that ends early, with the name tcpdump prints in ` [|name]`.
struct Cut(&'static str);

/// The wire bytes left of the SCTP packet; tcpdump counts them in an unsigned int that a
/// chunk longer than the packet wraps.
fn consume(remaining: u32, n: usize) -> u32 {
    remaining.wrapping_sub(n as u32)
}

impl TextPrinter {
    pub(super) fn sctp(&mut self, b: &mut Vec<u8>, p: &[u8], length: usize, ctx: IpCtx<'_>) {
        if length < sctp::HEADER_LEN {
            append_str(b, "truncated-sctp - ");
            append_decimal(b, sctp::HEADER_LEN - length);
            append_str(b, " bytes missing!");
            return;
        }
        let (Some(sport), Some(dport)) = (be16(p, 0), be16(p, 2)) else {
            return append_str(b, " [|sctp]");
        };
        if p.len() < sctp::HEADER_LEN {
            return append_str(b, " [|sctp]");
        }
        Self::addrs(b, &IpCtx { direct: true, ..ctx }, Some((sport, dport)));
        append_str(b, "sctp");
        let mut is_forces = false;
        for port in [sport, dport] {
            if let Some(name) = forces_channel(port) {
                b.push(b'[');
                append_str(b, name);
                b.push(b']');
                is_forces = true;
            }
        }
        if let Err(Cut(name)) = self.sctp_chunks(b, p, length, is_forces) {
            append_str(b, " [|");
            append_str(b, name);
            b.push(b']');
        }
    }

    fn sctp_chunks(&self, b: &mut Vec<u8>, p: &[u8], length: usize, mut is_forces: bool) -> Result<(), Cut> {
        let vv = self.o.verbosity >= 2;
        let mut sep = if vv { "\n\t" } else { " (" };
        let mut remaining = (length - sctp::HEADER_LEN) as u32;
        let mut at = sctp::HEADER_LEN;
        let mut count = 0u32;
        while remaining != 0 {
            count += 1;
            if (remaining as usize) < sctp::CHUNK_HEADER_LEN {
                append_str(b, sep);
                append_decimal(b, count);
                append_str(b, ") [chunk descriptor cut off at end of packet]");
                return Ok(());
            }
            let rest = p.get(at..).unwrap_or(&[]);
            let Some(clen) = be16(rest, 2) else {
                return Err(Cut("sctp"));
            };
            if (clen as usize) < sctp::CHUNK_HEADER_LEN {
                append_str(b, sep);
                append_decimal(b, count);
                append_str(b, ") [Bad chunk length ");
                append_decimal(b, clen);
                append_str(b, ", < size of chunk descriptor]");
                return Ok(());
            }
            let align = (4 - clen as usize % 4) % 4;
            if (remaining as usize) < align {
                append_str(b, sep);
                append_decimal(b, count);
                append_str(b, ") [Bad chunk length ");
                append_decimal(b, clen);
                append_str(b, ", > remaining data in packet]");
                return Ok(());
            }
            let c = Chunk::parse(rest).map_err(|_| Cut("sctp"))?;
            append_str(b, sep);
            append_decimal(b, count);
            append_str(b, ") [");
            match chunk_name(c.kind) {
                Some(name) => append_str(b, name),
                None => {
                    append_str(b, "Unknown chunk type: 0x");
                    hex_min(b, c.kind as u64);
                }
            }
            append_str(b, "] ");
            let bogus = |b: &mut Vec<u8>| {
                append_str(b, "bogus chunk length ");
                append_decimal(b, c.length);
                b.push(b']');
            };
            match c.kind {
                chunk::DATA => {
                    if c.flags & data_flag::UNORDERED != 0 {
                        append_str(b, "(U)");
                    }
                    if c.flags & data_flag::BEGINNING != 0 {
                        append_str(b, "(B)");
                    }
                    if c.flags & data_flag::ENDING != 0 {
                        append_str(b, "(E)");
                    }
                    if c.flags & (data_flag::UNORDERED | data_flag::BEGINNING | data_flag::ENDING) != 0 {
                        b.push(b' ');
                    }
                    let Some(d) = Data::parse(c.value) else {
                        bogus(b);
                        return Ok(());
                    };
                    append_str(b, "[TSN: ");
                    append_decimal(b, d.tsn);
                    append_str(b, "] [SID: ");
                    append_decimal(b, d.stream);
                    append_str(b, "] [SSEQ ");
                    append_decimal(b, d.sequence);
                    append_str(b, "] [PPID ");
                    match ppid_name(d.ppid) {
                        Some(name) => append_str(b, name),
                        None => {
                            append_str(b, "0x");
                            hex_min(b, d.ppid as u64);
                        }
                    }
                    append_str(b, "] ");
                    is_forces |= matches!(d.ppid, ppid::FORCES_HP | ppid::FORCES_MP | ppid::FORCES_LP);
                    let payload = &c.value[sctp::DATA_LEN..];
                    if payload.is_empty() {
                        bogus(b);
                        return Ok(());
                    }
                    if is_forces {
                        forces_print(b, payload);
                    } else if vv {
                        if d.ppid == ppid::M3UA {
                            m3ua_print(b, &p[at + sctp::CHUNK_HEADER_LEN + sctp::DATA_LEN..], payload.len())?;
                        } else {
                            append_str(b, "[Payload");
                            if !self.suppress_default() {
                                b.push(b':');
                                hex_ascii(b, payload, 0);
                            }
                            b.push(b']');
                        }
                    }
                }
                chunk::INIT | chunk::INIT_ACK => {
                    let Some(i) = Init::parse(c.value) else {
                        bogus(b);
                        return Ok(());
                    };
                    append_str(b, "[init tag: ");
                    append_decimal(b, i.tag);
                    append_str(b, "] [rwnd: ");
                    append_decimal(b, i.rwnd);
                    append_str(b, "] [OS: ");
                    append_decimal(b, i.outbound_streams);
                    append_str(b, "] [MIS: ");
                    append_decimal(b, i.inbound_streams);
                    append_str(b, "] [init TSN: ");
                    append_decimal(b, i.initial_tsn);
                    append_str(b, "] ");
                }
                chunk::SACK => {
                    let Some(s) = Sack::parse(c.value) else {
                        bogus(b);
                        return Ok(());
                    };
                    append_str(b, "[cum ack ");
                    append_decimal(b, s.cumulative_tsn);
                    append_str(b, "] [a_rwnd ");
                    append_decimal(b, s.rwnd);
                    append_str(b, "] [#gap acks ");
                    append_decimal(b, s.gap_blocks);
                    append_str(b, "] [#dup tsns ");
                    append_decimal(b, s.duplicates);
                    append_str(b, "] ");
                    let mut entries = c.value[sctp::SACK_LEN..].chunks(sctp::SACK_ENTRY_LEN);
                    for n in 1..=s.gap_blocks {
                        let Some(e) = entries.next() else { break };
                        if e.len() < sctp::SACK_ENTRY_LEN {
                            bogus(b);
                            return Ok(());
                        }
                        let start = s.cumulative_tsn.wrapping_add(u16::from_be_bytes([e[0], e[1]]) as u32);
                        let end = s.cumulative_tsn.wrapping_add(u16::from_be_bytes([e[2], e[3]]) as u32);
                        append_str(b, "\n\t\t[gap ack block #");
                        append_decimal(b, n);
                        append_str(b, ": start = ");
                        append_decimal(b, start);
                        append_str(b, ", end = ");
                        append_decimal(b, end);
                        append_str(b, "] ");
                    }
                    for n in 1..=s.duplicates {
                        let Some(e) = entries.next() else { break };
                        if e.len() < sctp::SACK_ENTRY_LEN {
                            bogus(b);
                            return Ok(());
                        }
                        append_str(b, "\n\t\t[dup TSN #");
                        append_decimal(b, n);
                        append_str(b, ": ");
                        append_decimal(b, u32::from_be_bytes([e[0], e[1], e[2], e[3]]));
                        append_str(b, "] ");
                    }
                }
                _ => {}
            }
            at += c.length as usize;
            remaining = consume(remaining, c.length as usize);
            if !vv {
                sep = ", (";
            }
            if align != 0 {
                if p.len() < at + align {
                    return Err(Cut("sctp"));
                }
                at += align;
                remaining = consume(remaining, align);
            }
        }
        Ok(())
    }
}

/// tcpdump's `forces_print` as far as the message type line.
fn forces_print(b: &mut Vec<u8>, payload: &[u8]) {
    let Some(&kind) = payload.get(1) else {
        return append_str(b, " [|forces]");
    };
    if !forces_type_valid(kind) {
        append_str(b, "Invalid ForCES message type ");
        append_decimal(b, kind);
        b.push(b'\n');
        return forces_error(b, payload);
    }
    let Some(length) = forces::length(payload) else {
        return append_str(b, " [|forces]");
    };
    let Some(name) = forces_type(kind) else {
        append_str(b, "\n\tUnknown ForCES message type=0x");
        hex_min(b, kind as u64);
        return forces_error(b, payload);
    };
    append_str(b, "\n\tForCES ");
    append_str(b, name);
    b.push(b' ');
    if !(payload.len() >= forces::HEADER_LEN && length >= forces::HEADER_LEN && length == payload.len()) {
        append_str(b, "Illegal ForCES pkt len - min ");
        append_decimal(b, forces::HEADER_LEN);
        append_str(b, ", total recvd ");
        append_decimal(b, payload.len());
        append_str(b, ", advertised ");
        append_decimal(b, length);
        b.push(b' ');
        forces_error(b, payload);
    }
}

/// tcpdump's dump of a ForCES message it cannot decode.
fn forces_error(b: &mut Vec<u8>, payload: &[u8]) {
    hex_indent(b, payload, "\n\t[");
    append_str(b, "\n\t]");
}

/// tcpdump's `m3ua_print` of a DATA payload of `size` bytes at the start of `data` (the rest
/// of the capture: tcpdump's parameter walk may read past the chunk).
fn m3ua_print(b: &mut Vec<u8>, data: &[u8], size: usize) -> Result<(), Cut> {
    if size < m3ua::HEADER_LEN {
        append_str(b, " (invalid)");
        return Ok(());
    }
    let h = m3ua::Header::parse(data).ok_or(Cut("m3ua"))?;
    if h.version != m3ua::VERSION {
        return Ok(());
    }
    let (class, types) = m3ua_names(h.class);
    append_str(b, "\n\t\t");
    match class {
        Some(name) => append_str(b, name),
        None => {
            append_str(b, "Unknown message class ");
            append_decimal(b, h.class);
        }
    }
    if let Some(types) = types {
        b.push(b' ');
        match types.get(h.kind as usize).filter(|n| !n.is_empty()) {
            Some(name) => append_str(b, name),
            None => {
                append_str(b, "Unknown (0x");
                hex(b, h.kind as u64, 2);
                b.push(b')');
            }
        }
        append_str(b, " Message");
    }
    if size != h.length as usize {
        append_str(b, "\n\t\t\t@@@@@@ Corrupted length ");
        append_decimal(b, h.length);
        append_str(b, " of message @@@@@@");
        return Ok(());
    }
    // The parameters, as tcpdump's m3ua_tags_print walks them.
    let params = &data[m3ua::HEADER_LEN..];
    let size = size - m3ua::HEADER_LEN;
    let mut at = 0usize;
    while at < size {
        if at + m3ua::PARAM_HEADER_LEN > size {
            append_str(b, " (invalid)");
            return if params.len() < size { Err(Cut("m3ua")) } else { Ok(()) };
        }
        let tag = be16(params, at).ok_or(Cut("m3ua"))?;
        append_str(b, "\n\t\t\t");
        match m3ua_param(tag) {
            Some(name) => append_str(b, name),
            None => {
                append_str(b, "Unknown Parameter (0x");
                hex(b, tag as u64, 4);
                b.push(b')');
            }
        }
        append_str(b, ": ");
        let plen = be16(params, at + 2).ok_or(Cut("m3ua"))? as usize;
        if plen < m3ua::PARAM_HEADER_LEN {
            append_str(b, " (invalid)");
            return if params.len() < size { Err(Cut("m3ua")) } else { Ok(()) };
        }
        let align = (4 - (at + plen) % 4) % 4;
        if params.len() < at + plen + align {
            return Err(Cut("m3ua"));
        }
        let value_len = plen - m3ua::PARAM_HEADER_LEN;
        match tag {
            // tcpdump prints the word at the parameter's header, not its value.
            m3ua::tag::NETWORK_APPEARANCE | m3ua::tag::ROUTING_CONTEXT | m3ua::tag::CORRELATION_ID => {
                if value_len < 4 {
                    append_str(b, " (invalid)");
                } else {
                    append_str(b, "0x");
                    hex(b, be32(params, at).unwrap_or(0) as u64, 8);
                }
            }
            _ => {
                append_str(b, "(length ");
                append_decimal(b, plen);
                b.push(b')');
            }
        }
        at += plen + align;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(chunk_name(chunk::SACK), Some("SACK"));
        assert_eq!(chunk_name(0x80), None);
        assert_eq!(ppid_name(ppid::M3UA), Some("M3UA"));
        assert_eq!(ppid_name(26), None);
        assert_eq!(ppid_name(0), None);
        assert!(forces_type_valid(0x12) && !forces_type_valid(0x10));
        assert_eq!(forces_type(0x12), None);
    }

    #[test]
    fn m3ua_transfer_data() {
        // Transfer Data with one unknown parameter of 9 bytes (padded to 12).
        let mut m = vec![1, 0, 1, 1, 0, 0, 0, 20, 0, 2, 0, 9];
        m.extend_from_slice(&[0xab; 8]);
        let mut b = Vec::new();
        assert!(m3ua_print(&mut b, &m, 20).is_ok());
        assert_eq!(
            String::from_utf8(b).unwrap(),
            "\n\t\tTransfer Data Message\n\t\t\tUnknown Parameter (0x0002): (length 9)"
        );
    }

    /// tcpdump's line for a raw IPv4 packet carrying `sctp`.
    fn line(verbosity: u8, sctp: &[u8]) -> String {
        use crate::capture::{Interface, LinkType, Packet, Precision, Timestamp};
        use crate::decode::{DecodeOptions, decode};
        use crate::render::text::TextOptions;
        use crate::render::time::LocalTime;
        let mut frame = vec![0x45, 0, 0, 0, 0, 1, 0, 0, 64, 132, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
        frame[2..4].copy_from_slice(&((20 + sctp.len()) as u16).to_be_bytes());
        frame.extend_from_slice(sctp);
        let iface = Interface::live(LinkType::RAW, 65535, Precision::Micro);
        let pkt = Packet::new(1, Timestamp::new(0, 0), &frame, frame.len() as u32, &iface);
        let d = decode(LinkType::RAW, &frame, frame.len() as u32, &DecodeOptions::default());
        let o = TextOptions { verbosity, ..TextOptions::default() };
        let mut p = TextPrinter::with_time(o, LocalTime::utc());
        let mut out = Vec::new();
        p.packet(&mut out, &pkt, &d).unwrap();
        let text = String::from_utf8(out).unwrap();
        text[text.find("IP ").unwrap()..].to_string()
    }

    #[test]
    fn init_and_sack_chunks() {
        let mut s = vec![0x0b, 0x59, 0x0b, 0x59, 0, 0, 0, 0, 0, 0, 0, 0];
        s.extend_from_slice(&[1, 0, 0, 20, 0, 0, 0, 7, 0, 1, 0, 0, 0, 10, 0, 11, 0, 0, 0, 5]);
        s.extend_from_slice(&[3, 0, 0, 24, 0, 0, 0, 100, 0, 0, 0x10, 0, 0, 1, 0, 1, 0, 2, 0, 3, 0, 0, 0, 99]);
        assert_eq!(
            line(0, &s),
            "IP 10.0.0.1.2905 > 10.0.0.2.2905: sctp (1) [INIT] [init tag: 7] [rwnd: 65536] [OS: 10] \
             [MIS: 11] [init TSN: 5] , (2) [SACK] [cum ack 100] [a_rwnd 4096] [#gap acks 1] [#dup tsns 1] \
             \n\t\t[gap ack block #1: start = 102, end = 103] \n\t\t[dup TSN #1: 99] \n"
        );
    }

    #[test]
    fn chunk_errors_and_truncation() {
        let head = [0x0b, 0x59, 0x0b, 0x59, 0, 0, 0, 0, 0, 0, 0, 0];
        let mut s = head.to_vec();
        s.extend_from_slice(&[0x80, 0, 0, 2]);
        assert!(line(0, &s).ends_with("sctp (1) [Bad chunk length 2, < size of chunk descriptor]\n"));
        let mut s = head.to_vec();
        s.extend_from_slice(&[4, 0, 0, 40, 0, 0]);
        assert!(line(0, &s).ends_with("sctp [|sctp]\n"));
        let mut s = head.to_vec();
        s.extend_from_slice(&[0xc0, 0, 0, 4, 0xee]);
        assert!(
            line(2, &s)
                .ends_with("sctp\n\t1) [FOR CUM TSN] \n\t2) [chunk descriptor cut off at end of packet]\n")
        );
    }
}
