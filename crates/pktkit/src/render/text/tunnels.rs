//! Tunnels as tcpdump prints them: MPLS, PPPoE session, GRE (v0 and PPTP's v1), and the
//! packet they carry printed as its own link type.

use crate::proto::ethernet::ether_type;
use crate::proto::ppp_proto;
use crate::render::out::{self, append_decimal, append_str, be16, be32, hex};

use super::TextPrinter;
use super::netdissect;

impl TextPrinter {
    /// Prints a packet carried inside another (a tunnel), as its own link type.
    pub(super) fn inner(&mut self, b: &mut Vec<u8>, lt: crate::capture::LinkType, p: &[u8], length: usize) {
        // The link printer reads the frame's decoded layers; the application step is not needed.
        let opts = crate::decode::DecodeOptions { app: false };
        let inner = crate::decode::decode(lt, p, length as u32, &opts);
        self.link(b, &inner, p, length);
    }

    /// tcpdump's mpls_print: the label stack, then the payload guessed from its first nibble.
    pub(super) fn mpls(&mut self, b: &mut Vec<u8>, p: &[u8], length: usize) {
        append_str(b, "MPLS");
        let mut off = 0;
        loop {
            let Some(e) = be32(p, off) else {
                append_str(b, " [|MPLS]");
                return;
            };
            append_str(b, " (label ");
            append_decimal(b, e >> 12);
            append_str(b, ", tc ");
            append_decimal(b, (e >> 9) & 7);
            if e & 0x100 != 0 {
                append_str(b, ", [S]");
            }
            append_str(b, ", ttl ");
            append_decimal(b, e & 0xff);
            b.push(b')');
            off += 4;
            if e & 0x100 != 0 {
                break;
            }
        }
        let rest = &p[off..];
        let length = length.saturating_sub(off);
        // tcpdump puts the payload on its own line with -v.
        let sep = if self.o.verbosity > 0 { "\n\t" } else { " " };
        match rest.first().map(|x| x >> 4) {
            Some(4) => {
                append_str(b, sep);
                self.ip4(b, rest, length);
            }
            Some(6) => {
                append_str(b, sep);
                self.ip6(b, rest, length);
            }
            _ => {}
        }
    }

    /// tcpdump's pppoe_print for session data carrying IPv4 or IPv6.
    pub(super) fn pppoe_session(&mut self, b: &mut Vec<u8>, p: &[u8], length: usize) {
        append_str(b, "PPPoE ");
        let (Some(&code), Some(ses), Some(plen)) = (p.get(1), be16(p, 2), be16(p, 4)) else {
            append_str(b, " [|pppoe]");
            return;
        };
        if code != 0 {
            append_str(b, "[|pppoe]");
            return;
        }
        append_str(b, " [ses 0x");
        out::hex_min(b, ses as u64);
        append_str(b, "] ");
        let Some(proto) = be16(p, 6) else {
            append_str(b, "[|ppp]");
            return;
        };
        let plen = (plen as usize).min(length.saturating_sub(6));
        let rest = &p[8.min(p.len())..];
        let ety = match proto {
            ppp_proto::IPV4 => ether_type::IPV4,
            ppp_proto::IPV6 => ether_type::IPV6,
            _ => {
                if let Some(name) = ppp_control_name(proto) {
                    if self.o.link_header {
                        append_str(b, name);
                        append_str(b, " (0x");
                        hex(b, proto as u64, 4);
                        append_str(b, "), length ");
                        append_decimal(b, plen);
                        append_str(b, ": ");
                    }
                    return ppp_control(b, name, rest, plen.saturating_sub(2));
                }
                append_str(b, "PPP-#0x");
                hex(b, proto as u64, 4);
                return;
            }
        };
        if self.o.link_header {
            append_str(
                b,
                if ety == ether_type::IPV4 { "IP (0x0021), length " } else { "IP6 (0x0057), length " },
            );
            append_decimal(b, plen);
            append_str(b, ": ");
        }
        if ety == ether_type::IPV4 {
            self.ip4(b, rest, plen.saturating_sub(2));
        } else {
            self.ip6(b, rest, plen.saturating_sub(2));
        }
    }

    /// tcpdump's gre_print_1: PPTP's enhanced GRE, carrying PPP.
    pub(super) fn gre1(&mut self, b: &mut Vec<u8>, p: &[u8], length: usize, flags: u16) {
        let Some(prot) = be16(p, 2) else {
            append_str(b, " [|gre]");
            return;
        };
        let mut off = 4;
        if flags & 0x2000 != 0 {
            let Some(k) = be32(p, off) else {
                append_str(b, " [|gre]");
                return;
            };
            append_str(b, ", call ");
            append_decimal(b, k & 0xffff);
            off += 4;
        }
        if flags & 0x1000 != 0 {
            let Some(q) = be32(p, off) else {
                append_str(b, " [|gre]");
                return;
            };
            append_str(b, ", seq ");
            append_decimal(b, q);
            off += 4;
        }
        if flags & 0x0080 != 0 {
            let Some(a) = be32(p, off) else {
                append_str(b, " [|gre]");
                return;
            };
            append_str(b, ", ack ");
            append_decimal(b, a);
            off += 4;
        }
        if flags & 0x1000 == 0 {
            append_str(b, ", no-payload");
        }
        self.gre_proto(b, prot);
        append_str(b, ", length ");
        append_decimal(b, length);
        append_str(b, ": ");
        if flags & 0x1000 == 0 {
            return;
        }
        let rest = p.get(off..).unwrap_or(&[]);
        let len = length.saturating_sub(off);
        if prot != ether_type::PPP {
            append_str(b, "gre-proto-0x");
            out::hex_min(b, prot as u64);
            return;
        }
        // PPP: optional address/control, then a 1- or 2-byte protocol.
        let Some((pkind, poff)) = crate::proto::tunnel::ppp(rest) else {
            return;
        };
        let _ = pkind;
        let ip = &rest[poff..];
        let ilen = len.saturating_sub(poff);
        match ip.first().map(|x| x >> 4) {
            Some(6) => self.ip6(b, ip, ilen),
            _ => self.ip4(b, ip, ilen),
        }
    }

    /// With -e, GRE names the protocol it carries.
    fn gre_proto(&self, b: &mut Vec<u8>, prot: u16) {
        if self.o.link_header {
            append_str(b, ", proto ");
            append_str(b, crate::proto::ethernet::ether_type_name(prot).unwrap_or("unknown"));
            append_str(b, " (0x");
            hex(b, prot as u64, 4);
            b.push(b')');
        }
    }

    /// tcpdump's gre_print for GRE version 0.
    pub(super) fn gre(&mut self, b: &mut Vec<u8>, p: &[u8], length: usize) {
        let Some(flags) = be16(p, 0) else {
            append_str(b, "[|gre]");
            return;
        };
        append_str(b, "GREv");
        append_decimal(b, flags & 7);
        if flags & 7 == 1 {
            return self.gre1(b, p, length, flags);
        }
        if flags & 7 != 0 {
            return;
        }
        if self.o.verbosity > 0 {
            append_str(b, ", Flags [");
            netdissect::bit_names(
                b,
                u32::from(flags),
                &[
                    (0x8000u16, "checksum present"),
                    (0x4000, "routing present"),
                    (0x2000, "key present"),
                    (0x1000, "sequence# present"),
                    (0x0800, "strict source route"),
                ],
            );
            b.push(b']');
        }
        let Some(prot) = be16(p, 2) else {
            append_str(b, " [|gre]");
            return;
        };
        let mut off = 4;
        if flags & 0xc000 != 0 {
            let (Some(sum), Some(o)) = (be16(p, 4), be16(p, 6)) else {
                append_str(b, " [|gre]");
                return;
            };
            if self.o.verbosity > 0 {
                append_str(b, ", sum 0x");
                out::hex_min(b, sum as u64);
            }
            append_str(b, ", off 0x");
            out::hex_min(b, o as u64);
            off += 4;
        }
        if flags & 0x2000 != 0 {
            let Some(k) = be32(p, off) else {
                append_str(b, " [|gre]");
                return;
            };
            append_str(b, ", key=0x");
            out::hex_min(b, k as u64);
            off += 4;
        }
        if flags & 0x1000 != 0 {
            let Some(q) = be32(p, off) else {
                append_str(b, " [|gre]");
                return;
            };
            append_str(b, ", seq ");
            append_decimal(b, q);
            off += 4;
        }
        if flags & 0x4000 != 0 {
            // Source routing entries: not decoded; tcpdump prints them, pktkit stops.
            self.gre_proto(b, prot);
            append_str(b, ", length ");
            append_decimal(b, length);
            return;
        }
        self.gre_proto(b, prot);
        append_str(b, ", length ");
        append_decimal(b, length);
        append_str(b, ": ");
        let rest = p.get(off..).unwrap_or(&[]);
        let len = length.saturating_sub(off);
        match prot {
            ether_type::IPV4 | ether_type::IPV6 => {
                if prot == ether_type::IPV4 {
                    self.ip4(b, rest, len);
                } else {
                    self.ip6(b, rest, len);
                }
            }
            ether_type::TEB => self.inner(b, crate::capture::LinkType::ETHERNET, rest, len),
            ether_type::MPLS => self.mpls(b, rest, len),
            _ => {
                append_str(b, "gre-proto-0x");
                out::hex_min(b, prot as u64);
            }
        }
    }
}

/// tcpdump's names of the PPP control protocols it prints with `handle_ctrl_proto`.
fn ppp_control_name(proto: u16) -> Option<&'static str> {
    Some(match proto {
        ppp_proto::LCP => "LCP",
        0x8021 => "IPCP",
        0x8023 => "OSICP",
        0x8281 => "MPLSCP",
        0x8057 => "IP6CP",
        0x80fd => "CCP",
        0xc02b => "BACP",
        _ => return None,
    })
}

/// tcpdump's `handle_ctrl_proto` without `-v`: `LCP, Conf-Ack (0x02), id 2, length 20`
/// (`length` counts what follows the protocol field; the options are not printed).
fn ppp_control(b: &mut Vec<u8>, name: &str, p: &[u8], length: usize) {
    append_str(b, name);
    append_str(b, ", ");
    if length < 4 || p.len() < 2 {
        return append_str(b, " [|ppp]");
    }
    let code = p[0];
    const CODES: [&str; 16] = [
        "Vendor-Extension",
        "Conf-Request",
        "Conf-Ack",
        "Conf-Nack",
        "Conf-Reject",
        "Term-Request",
        "Term-Ack",
        "Code-Reject",
        "Prot-Reject",
        "Echo-Request",
        "Echo-Reply",
        "Disc-Req",
        "Ident",
        "Time-Rem",
        "Reset-Req",
        "Reset-Ack",
    ];
    append_str(b, CODES.get(code as usize).copied().unwrap_or("Unknown Opcode"));
    append_str(b, " (0x");
    hex(b, code as u64, 2);
    append_str(b, "), id ");
    append_decimal(b, p[1]);
    append_str(b, ", length ");
    append_decimal(b, length + 2);
}
