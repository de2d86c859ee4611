//! NFS over UDP as tcpdump 4.99.3's `udp_print` and `nfsreply_noaddr_print` print a reply:
//! `NFS reply xid N reply ok LEN` (or the reason it was denied). tcpdump goes on with the
//! procedure's results when it saw the call; pktkit stops after the status.

use crate::proto::sunrpc::{Message, field, reject_stat, reply_stat};
use crate::render::out::{s, u};

use super::TextPrinter;

/// tcpdump's `sunrpc_auth_str`.
fn auth_reason(why: u32) -> Option<&'static str> {
    Some(match why {
        0 => "OK",
        1 => "Bogus Credentials (seal broken)",
        2 => "Rejected Credentials (client should begin new session)",
        3 => "Bogus Verifier (seal broken)",
        4 => "Verifier expired or was replayed",
        5 => "Credentials are too weak",
        6 => "Bogus response verifier",
        7 => "Unknown failure",
        _ => return None,
    })
}

impl TextPrinter {
    /// Prints an NFS reply (`msg` holds the RPC message, `length` its length on the wire).
    pub(super) fn nfs_reply(&self, b: &mut Vec<u8>, msg: &Message<'_>, length: usize) {
        s(b, "NFS reply xid ");
        u(b, msg.xid().unwrap_or(0));
        b.push(b' ');
        let Some(stat) = msg.word(field::REPLY_STAT) else { return s(b, " [|nfs]") };
        match stat {
            reply_stat::ACCEPTED => {
                s(b, "reply ok ");
                u(b, length);
            }
            reply_stat::DENIED => {
                s(b, "reply ERR ");
                u(b, length);
                s(b, ": ");
                let Some(reason) = msg.word(field::REJECT_STAT) else { return s(b, " [|nfs]") };
                match reason {
                    reject_stat::RPC_MISMATCH => {
                        let (Some(low), Some(high)) =
                            (msg.word(field::REJECT_LOW_OR_WHY), msg.word(field::REJECT_HIGH))
                        else {
                            return s(b, " [|nfs]");
                        };
                        s(b, "RPC Version mismatch (");
                        u(b, low);
                        b.push(b'-');
                        u(b, high);
                        b.push(b')');
                    }
                    reject_stat::AUTH_ERROR => {
                        let Some(why) = msg.word(field::REJECT_LOW_OR_WHY) else { return s(b, " [|nfs]") };
                        s(b, "Auth ");
                        match auth_reason(why) {
                            Some(r) => s(b, r),
                            None => {
                                s(b, "Invalid failure code ");
                                u(b, why);
                            }
                        }
                    }
                    other => {
                        s(b, "Unknown reason for rejecting rpc message ");
                        u(b, other);
                    }
                }
            }
            other => {
                s(b, "reply Unknown rpc response code=");
                u(b, other);
                b.push(b' ');
                u(b, length);
            }
        }
    }
}
