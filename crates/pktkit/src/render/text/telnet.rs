//! Telnet as tcpdump 4.99.3's `telnet_print` prints it after a TCP summary: the commands at
//! the start of the payload, ` [telnet WILL SUPPRESS GO AHEAD, DO NAWS, SB ... SE]`, and
//! ` [|telnet]` where a command runs past the captured bytes. (tcpdump's `-X -vvv` form, a
//! hex dump per command, is not printed.)

use crate::proto::telnet::{self, IAC, Parsed, Word};
use crate::render::out::{append_str, hex_min};

use super::TextPrinter;

impl TextPrinter {
    /// Appends the commands of a telnet payload (`length` bytes on the wire, `payload`
    /// captured); nothing when it does not start with one.
    pub(super) fn telnet(&self, b: &mut Vec<u8>, payload: &[u8], length: usize) {
        let (mut at, mut length, mut first) = (0usize, length, true);
        while length > 0 {
            match payload.get(at) {
                None => return append_str(b, " [|telnet]"),
                Some(&c) if c != IAC => break,
                Some(_) => {}
            }
            match telnet::parse(payload.get(at..).unwrap_or(&[]), length) {
                Parsed::End => break,
                Parsed::Cut => return append_str(b, " [|telnet]"),
                Parsed::Command(words, used) => {
                    append_str(b, if first { " [telnet " } else { ", " });
                    for (i, w) in words.iter().enumerate() {
                        if i > 0 {
                            b.push(b' ');
                        }
                        match *w {
                            Word::Name(n) => append_str(b, n),
                            // C's %#x: no prefix for zero.
                            Word::Number(0) => b.push(b'0'),
                            Word::Number(n) => {
                                append_str(b, "0x");
                                hex_min(b, n.into());
                            }
                        }
                    }
                    first = false;
                    at += used;
                    length = length.saturating_sub(used);
                }
            }
        }
        if !first {
            b.push(b']');
        }
    }
}
