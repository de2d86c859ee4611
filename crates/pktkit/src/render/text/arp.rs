//! ARP and RARP as tcpdump's `arp_print`.

use crate::proto::{arp, ethernet};
use crate::render::out::{self, be16, hex, s, u};

use super::TextPrinter;

impl TextPrinter {
    pub(super) fn arp(&mut self, b: &mut Vec<u8>, p: &[u8], length: usize) {
        if !self.o.link_header {
            s(b, "ARP, ");
        }
        let (Some(hrd), Some(pro)) = (be16(p, 0), be16(p, 2)) else {
            s(b, "[|ARP]");
            return;
        };
        let (hln, pln) = (p.get(4).copied().unwrap_or(0) as usize, p.get(5).copied().unwrap_or(0) as usize);
        let Some(op) = be16(p, 6) else {
            s(b, "[|ARP]");
            return;
        };
        if !((pro == 0x0800 || pro == 0x1000) && pln == 4 && hln != 0) {
            s(b, arp_hrd_name(hrd).unwrap_or("Unknown Hardware"));
            if arp_hrd_name(hrd).is_none() {
                s(b, " (");
                u(b, hrd);
                b.push(b')');
            }
            s(b, ", ");
            match ethernet::ether_type_name(pro) {
                Some(n) => s(b, n),
                None => {
                    s(b, "Unknown Protocol (0x");
                    hex(b, pro as u64, 4);
                    b.push(b')');
                }
            }
            if p.len() < 8 + 2 * (hln + pln) {
                s(b, " [|ARP]");
                return;
            }
            s(b, ", length ");
            u(b, length);
            return;
        }
        if self.o.verbosity > 0 {
            match arp_hrd_name(hrd) {
                Some(n) => s(b, n),
                None => {
                    s(b, "Unknown Hardware (");
                    u(b, hrd);
                    b.push(b')');
                }
            }
            s(b, " (len ");
            u(b, hln);
            s(b, "), ");
            match ethernet::ether_type_name(pro) {
                Some(n) => s(b, n),
                None => {
                    s(b, "Unknown Protocol (0x");
                    hex(b, pro as u64, 4);
                    b.push(b')');
                }
            }
            s(b, " (len ");
            u(b, pln);
            s(b, "), ");
        }
        let sha = 8;
        let spa = sha + hln;
        let tha = spa + 4;
        let tpa = tha + hln;
        if p.len() < tpa + 4 {
            s(b, "[|ARP]");
            return;
        }
        let linkaddr = |b: &mut Vec<u8>, a: &[u8]| {
            if a.is_empty() { s(b, "<empty>") } else { out::mac(b, a) }
        };
        match op {
            1 => {
                s(b, "Request who-has ");
                out::ip4(b, &p[tpa..tpa + 4]);
                if p[tha..tha + hln].iter().any(|&x| x != 0) {
                    s(b, " (");
                    linkaddr(b, &p[tha..tha + hln]);
                    b.push(b')');
                }
                s(b, " tell ");
                out::ip4(b, &p[spa..spa + 4]);
            }
            2 => {
                s(b, "Reply ");
                out::ip4(b, &p[spa..spa + 4]);
                s(b, " is-at ");
                linkaddr(b, &p[sha..sha + hln]);
            }
            3 => {
                s(b, "Reverse Request who-is ");
                linkaddr(b, &p[tha..tha + hln]);
                s(b, " tell ");
                linkaddr(b, &p[sha..sha + hln]);
            }
            4 => {
                s(b, "Reverse Reply ");
                linkaddr(b, &p[tha..tha + hln]);
                s(b, " at ");
                out::ip4(b, &p[tpa..tpa + 4]);
            }
            8 => {
                s(b, "Inverse Request who-is ");
                linkaddr(b, &p[tha..tha + hln]);
                s(b, " tell ");
                linkaddr(b, &p[sha..sha + hln]);
            }
            9 => {
                s(b, "Inverse Reply ");
                linkaddr(b, &p[sha..sha + hln]);
                s(b, " at ");
                out::ip4(b, &p[spa..spa + 4]);
            }
            _ => {
                s(b, "Unknown Operation (");
                u(b, op);
                b.push(b')');
            }
        }
        let _ = arp::op_name(op);
        s(b, ", length ");
        u(b, length);
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
