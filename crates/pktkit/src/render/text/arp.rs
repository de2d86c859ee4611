//! ARP and RARP as tcpdump's `arp_print`.

use crate::proto::{arp, ethernet};
use crate::render::out::{self, append_decimal, append_str, be16, hex};

use super::TextPrinter;

impl TextPrinter {
    pub(super) fn arp(&mut self, b: &mut Vec<u8>, p: &[u8], length: usize) {
        if !self.o.link_header {
            append_str(b, "ARP, ");
        }
        let (Some(hrd), Some(pro)) = (be16(p, 0), be16(p, 2)) else {
            append_str(b, "[|ARP]");
            return;
        };
        let (hln, pln) = (p.get(4).copied().unwrap_or(0) as usize, p.get(5).copied().unwrap_or(0) as usize);
        let Some(op) = be16(p, 6) else {
            append_str(b, "[|ARP]");
            return;
        };
        if !((pro == 0x0800 || pro == 0x1000) && pln == 4 && hln != 0) {
            append_str(b, arp_hrd_name(hrd).unwrap_or("Unknown Hardware"));
            if arp_hrd_name(hrd).is_none() {
                append_str(b, " (");
                append_decimal(b, hrd);
                b.push(b')');
            }
            append_str(b, ", ");
            match ethernet::ether_type_name(pro) {
                Some(n) => append_str(b, n),
                None => {
                    append_str(b, "Unknown Protocol (0x");
                    hex(b, pro as u64, 4);
                    b.push(b')');
                }
            }
            if p.len() < 8 + 2 * (hln + pln) {
                append_str(b, " [|ARP]");
                return;
            }
            append_str(b, ", length ");
            append_decimal(b, length);
            return;
        }
        if self.o.verbosity > 0 {
            match arp_hrd_name(hrd) {
                Some(n) => append_str(b, n),
                None => {
                    append_str(b, "Unknown Hardware (");
                    append_decimal(b, hrd);
                    b.push(b')');
                }
            }
            append_str(b, " (len ");
            append_decimal(b, hln);
            append_str(b, "), ");
            match ethernet::ether_type_name(pro) {
                Some(n) => append_str(b, n),
                None => {
                    append_str(b, "Unknown Protocol (0x");
                    hex(b, pro as u64, 4);
                    b.push(b')');
                }
            }
            append_str(b, " (len ");
            append_decimal(b, pln);
            append_str(b, "), ");
        }
        let sha = 8;
        let spa = sha + hln;
        let tha = spa + 4;
        let tpa = tha + hln;
        if p.len() < tpa + 4 {
            append_str(b, "[|ARP]");
            return;
        }
        let linkaddr = |b: &mut Vec<u8>, a: &[u8]| {
            if a.is_empty() { append_str(b, "<empty>") } else { out::mac(b, a) }
        };
        match op {
            1 => {
                append_str(b, "Request who-has ");
                out::ip4(b, &p[tpa..tpa + 4]);
                if p[tha..tha + hln].iter().any(|&x| x != 0) {
                    append_str(b, " (");
                    linkaddr(b, &p[tha..tha + hln]);
                    b.push(b')');
                }
                append_str(b, " tell ");
                out::ip4(b, &p[spa..spa + 4]);
            }
            2 => {
                append_str(b, "Reply ");
                out::ip4(b, &p[spa..spa + 4]);
                append_str(b, " is-at ");
                linkaddr(b, &p[sha..sha + hln]);
            }
            3 => {
                append_str(b, "Reverse Request who-is ");
                linkaddr(b, &p[tha..tha + hln]);
                append_str(b, " tell ");
                linkaddr(b, &p[sha..sha + hln]);
            }
            4 => {
                append_str(b, "Reverse Reply ");
                linkaddr(b, &p[tha..tha + hln]);
                append_str(b, " at ");
                out::ip4(b, &p[tpa..tpa + 4]);
            }
            8 => {
                append_str(b, "Inverse Request who-is ");
                linkaddr(b, &p[tha..tha + hln]);
                append_str(b, " tell ");
                linkaddr(b, &p[sha..sha + hln]);
            }
            9 => {
                append_str(b, "Inverse Reply ");
                linkaddr(b, &p[sha..sha + hln]);
                append_str(b, " at ");
                out::ip4(b, &p[spa..spa + 4]);
            }
            _ => {
                append_str(b, "Unknown Operation (");
                append_decimal(b, op);
                b.push(b')');
            }
        }
        let _ = arp::op_name(op);
        append_str(b, ", length ");
        append_decimal(b, length);
    }
}

pub(super) fn arp_hrd_name(h: u16) -> Option<&'static str> {
    Some(match h {
        1 => "Ethernet",
        6 => "IEEE 802",
        7 => "ARCNET",
        15 => "Frame Relay",
        16 => "ATM",
        17 => "HDLC",
        18 => "Fibre Channel",
        19 => "ATM",
        20 => "Serial",
        31 => "IPsec tunnel",
        32 => "InfiniBand",
        _ => return None,
    })
}
