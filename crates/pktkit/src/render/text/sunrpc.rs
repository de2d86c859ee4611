//! NFS over UDP as tcpdump 4.99.3's `udp_print` and `nfsreply_noaddr_print` print a reply:
//! `NFS reply xid N reply ok LEN` (or the reason it was denied). tcpdump goes on with the
//! procedure's results when it saw the call; pktkit stops after the status.

use crate::proto::sunrpc::{Message, field, reject_stat, reply_stat};
use crate::render::out::{append_decimal, append_str};

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
        append_str(b, "NFS reply xid ");
        append_decimal(b, msg.xid().unwrap_or(0));
        b.push(b' ');
        let Some(stat) = msg.word(field::REPLY_STAT) else { return append_str(b, " [|nfs]") };
        match stat {
            reply_stat::ACCEPTED => {
                append_str(b, "reply ok ");
                append_decimal(b, length);
            }
            reply_stat::DENIED => {
                append_str(b, "reply ERR ");
                append_decimal(b, length);
                append_str(b, ": ");
                let Some(reason) = msg.word(field::REJECT_STAT) else { return append_str(b, " [|nfs]") };
                match reason {
                    reject_stat::RPC_MISMATCH => {
                        let (Some(low), Some(high)) =
                            (msg.word(field::REJECT_LOW_OR_WHY), msg.word(field::REJECT_HIGH))
                        else {
                            return append_str(b, " [|nfs]");
                        };
                        append_str(b, "RPC Version mismatch (");
                        append_decimal(b, low);
                        b.push(b'-');
                        append_decimal(b, high);
                        b.push(b')');
                    }
                    reject_stat::AUTH_ERROR => {
                        let Some(why) = msg.word(field::REJECT_LOW_OR_WHY) else {
                            return append_str(b, " [|nfs]");
                        };
                        append_str(b, "Auth ");
                        match auth_reason(why) {
                            Some(r) => append_str(b, r),
                            None => {
                                append_str(b, "Invalid failure code ");
                                append_decimal(b, why);
                            }
                        }
                    }
                    other => {
                        append_str(b, "Unknown reason for rejecting rpc message ");
                        append_decimal(b, other);
                    }
                }
            }
            other => {
                append_str(b, "reply Unknown rpc response code=");
                append_decimal(b, other);
                b.push(b' ');
                append_decimal(b, length);
            }
        }
    }
}
