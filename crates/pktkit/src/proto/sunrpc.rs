//! ONC RPC (RFC 5531) message headers, as NFS uses them: the transaction id, the direction,
//! a call's program, version and procedure, and a reply's status words. Zero-copy; each accessor returns None for a cut field.

use crate::bytes::be32;

/// NFS's well-known port (RFC 1813).
pub const NFS_PORT: u16 = 2049;

/// Message directions.
pub mod direction {
    /// A call.
    pub const CALL: u32 = 0;
    /// A reply.
    pub const REPLY: u32 = 1;
}

/// Reply status (`reply_stat`).
pub mod reply_stat {
    /// The call was accepted.
    pub const ACCEPTED: u32 = 0;
    /// The call was denied.
    pub const DENIED: u32 = 1;
}

/// Why a call was denied (`reject_stat`).
pub mod reject_stat {
    /// The RPC version is not supported.
    pub const RPC_MISMATCH: u32 = 0;
    /// Authentication failed.
    pub const AUTH_ERROR: u32 = 1;
}

/// Field offsets from the start of the message (over UDP; TCP adds a record mark first).
pub mod field {
    /// Transaction id.
    pub const XID: usize = 0;
    /// Direction (call or reply).
    pub const DIRECTION: usize = 4;
    /// A reply's status.
    pub const REPLY_STAT: usize = 8;
    /// A denied reply's reason.
    pub const REJECT_STAT: usize = 12;
    /// A version mismatch's lowest version, or an auth error's reason.
    pub const REJECT_LOW_OR_WHY: usize = 16;
    /// A version mismatch's highest version.
    pub const REJECT_HIGH: usize = 20;
    /// A call's RPC version.
    pub const RPC_VERSION: usize = 8;
    /// A call's program number.
    pub const PROGRAM: usize = 12;
    /// A call's program version.
    pub const VERSION: usize = 16;
    /// A call's procedure.
    pub const PROCEDURE: usize = 20;
    /// A call's credentials (flavor, length, body), then its verifier, then the arguments.
    pub const CREDENTIALS: usize = 24;
}

/// An RPC message (borrowed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Message<'a> {
    /// The message's bytes as captured.
    pub data: &'a [u8],
}

impl<'a> Message<'a> {
    /// A view of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Message { data }
    }
    /// Transaction id.
    pub fn xid(&self) -> Option<u32> {
        be32(self.data, field::XID)
    }
    /// Direction: [`direction::CALL`] or [`direction::REPLY`].
    pub fn direction(&self) -> Option<u32> {
        be32(self.data, field::DIRECTION)
    }
    /// A 4-byte word at `offset`.
    pub fn word(&self, offset: usize) -> Option<u32> {
        be32(self.data, offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_reply() {
        let m = Message::new(&[0xcc, 0x60, 0x32, 0x99, 0, 0, 0, 1, 0, 0, 0, 0]);
        assert_eq!((m.xid(), m.direction()), (Some(3428856473), Some(direction::REPLY)));
        assert_eq!(m.word(field::REPLY_STAT), Some(reply_stat::ACCEPTED));
        assert_eq!(m.word(field::REJECT_STAT), None);
    }
}
