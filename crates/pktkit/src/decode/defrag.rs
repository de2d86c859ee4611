//! `--defrag`: IPv4 and IPv6 reassembly with a bounded pool.
//!
//! Fragments are collected per (VLAN ids, addresses, identification, protocol) with etherparse's
//! [`IpDefragBuf`]. Memory is bounded: at most [`MAX_DATAGRAMS`] datagrams are pending and they
//! hold at most [`MAX_BYTES`] bytes together; past either bound the oldest pending datagram is
//! dropped. A datagram whose last fragment is older than [`TIMEOUT_SECS`] (capture time) is
//! dropped too, as Linux does after `ipfrag_time`.

use std::collections::HashMap;

use etherparse::defrag::{IpDefragBuf, IpFragRange};
use etherparse::{IpFragOffset, IpNumber, LaxNetSlice};

use super::{DecodeOptions, Decoded, decode};
use crate::capture::Timestamp;
use crate::proto::ipv6;

/// Most datagrams pending at once.
pub const MAX_DATAGRAMS: usize = 1024;
/// Most payload bytes held by pending datagrams together (16 MiB).
pub const MAX_BYTES: usize = 16 * 1024 * 1024;
/// Seconds (capture time) after which an incomplete datagram is dropped.
pub const TIMEOUT_SECS: i64 = 30;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Key {
    vlans: [u16; super::MAX_VLANS],
    src: [u8; 16],
    dst: [u8; 16],
    id: u32,
    proto: u8,
    v6: bool,
}

struct Pending {
    buf: IpDefragBuf,
    last: Timestamp,
    seq: u64,
    bytes: usize,
    fragments: u32,
}

/// What a fragment did to the pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefragOutcome {
    /// Not a fragment.
    NotFragment,
    /// Stored; the datagram is still incomplete.
    Pending,
    /// Completed a datagram, now in [`Defragmenter::reassembled`] (fragment count given).
    Complete(u32),
    /// Refused (overlapping or inconsistent fragments, or a fragment beyond 64 KiB).
    Rejected,
}

/// A bounded pool of datagrams being reassembled.
pub struct Defragmenter {
    pending: HashMap<Key, Pending>,
    bytes: usize,
    seq: u64,
    spare: Vec<(Vec<u8>, Vec<IpFragRange>)>,
    out: Vec<u8>,
    dropped: u64,
}

impl Default for Defragmenter {
    fn default() -> Self {
        Self::new()
    }
}

impl Defragmenter {
    /// An empty pool.
    pub fn new() -> Self {
        Defragmenter {
            pending: HashMap::new(),
            bytes: 0,
            seq: 0,
            spare: Vec::new(),
            out: Vec::new(),
            dropped: 0,
        }
    }

    /// Datagrams dropped so far (timeout, memory bound, bad fragments).
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Datagrams pending now.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Feeds a decoded frame captured at `ts`.
    ///
    /// On [`DefragOutcome::Complete`], [`Self::reassembled`] holds the frame rebuilt with the
    /// whole datagram: the link header and tags of this frame, the IP header (IPv4: this
    /// fragment's header with its options, offset and MF cleared, length and checksum
    /// fixed; IPv6: the fixed header only, extension headers before the fragment header are
    /// not kept) and the reassembled payload.
    pub fn add(&mut self, d: &Decoded<'_>, ts: Timestamp) -> DefragOutcome {
        self.expire(ts);
        let (key, offset, more, payload, header): (Key, u16, bool, &[u8], &[u8]) = match &d.net {
            Some(LaxNetSlice::Ipv4(ip)) => {
                let h = ip.header();
                if !h.is_fragmenting_payload() {
                    return DefragOutcome::NotFragment;
                }
                let mut src = [0; 16];
                let mut dst = [0; 16];
                src[..4].copy_from_slice(&h.source());
                dst[..4].copy_from_slice(&h.destination());
                let key = Key {
                    vlans: vlan_ids(d),
                    src,
                    dst,
                    id: h.identification() as u32,
                    proto: h.protocol().0,
                    v6: false,
                };
                let hs = h.slice();
                (key, h.fragments_offset().value(), h.more_fragments(), ip.payload().payload, hs)
            }
            Some(LaxNetSlice::Ipv6(ip)) => {
                let h = ip.header();
                let payload_start = &d.data[d.net_offset + 40.min(d.data.len() - d.net_offset)..];
                let Some(frag) = ipv6::ext_headers(h.next_header().0, payload_start).find(|e| e.kind == 44)
                else {
                    return DefragOutcome::NotFragment;
                };
                let Some((off, more, id)) = frag.fragment() else {
                    return DefragOutcome::NotFragment;
                };
                if off == 0 && !more {
                    return DefragOutcome::NotFragment;
                }
                let key = Key {
                    vlans: vlan_ids(d),
                    src: h.source(),
                    dst: h.destination(),
                    id,
                    proto: frag.next,
                    v6: true,
                };
                (key, (off / 8) as u16, more, ip.payload().payload, h.slice())
            }
            _ => return DefragOutcome::NotFragment,
        };
        let proto = key.proto;
        let v6 = key.v6;
        self.seq += 1;
        let seq = self.seq;
        let entry = match self.pending.remove(&key) {
            Some(p) => p,
            None => {
                let (data, sections) = self.spare.pop().unwrap_or_default();
                Pending {
                    buf: IpDefragBuf::new(IpNumber(proto), data, sections),
                    last: ts,
                    seq,
                    bytes: 0,
                    fragments: 0,
                }
            }
        };
        let mut entry = entry;
        self.bytes -= entry.bytes.min(self.bytes);
        let Ok(off) = IpFragOffset::try_new(offset) else {
            self.recycle(entry);
            return DefragOutcome::Rejected;
        };
        if entry.buf.add(off, more, payload).is_err() {
            self.recycle(entry);
            return DefragOutcome::Rejected;
        }
        entry.last = ts;
        entry.seq = seq;
        entry.fragments += 1;
        entry.bytes = entry.buf.data().capacity();
        if entry.buf.is_complete() {
            let n = entry.fragments;
            let (data, sections) = entry.buf.take_bufs();
            self.rebuild(d, header, &data, proto, v6);
            self.spare.push((data, sections));
            self.spare.truncate(8);
            return DefragOutcome::Complete(n);
        }
        self.bytes += entry.bytes;
        self.pending.insert(key, entry);
        self.enforce_bounds();
        DefragOutcome::Pending
    }

    /// The last reassembled frame (valid after [`DefragOutcome::Complete`]).
    pub fn reassembled(&self) -> &[u8] {
        &self.out
    }

    /// Decodes the last reassembled frame.
    pub fn decode_reassembled<'a>(&'a self, d: &Decoded<'_>, opts: &DecodeOptions) -> Decoded<'a> {
        decode(d.linktype, &self.out, self.out.len() as u32, opts)
    }

    fn rebuild(&mut self, d: &Decoded<'_>, header: &[u8], payload: &[u8], proto: u8, v6: bool) {
        self.out.clear();
        self.out.extend_from_slice(&d.data[..d.net_offset]);
        let start = self.out.len();
        if v6 {
            self.out.extend_from_slice(&header[..40]);
            let len = payload.len().min(u16::MAX as usize) as u16;
            self.out[start + 4..start + 6].copy_from_slice(&len.to_be_bytes());
            self.out[start + 6] = proto;
        } else {
            self.out.extend_from_slice(header);
            let total = (header.len() + payload.len()).min(u16::MAX as usize) as u16;
            let h = &mut self.out[start..];
            h[2..4].copy_from_slice(&total.to_be_bytes());
            h[6] &= 0x40; // keep DF, clear MF and the offset
            h[7] = 0;
            h[10] = 0;
            h[11] = 0;
            let sum = crate::checksum::checksum(&[&h[..header.len()]]);
            h[10..12].copy_from_slice(&sum.to_be_bytes());
        }
        self.out.extend_from_slice(payload);
    }

    fn recycle(&mut self, p: Pending) {
        self.dropped += 1;
        let bufs = p.buf.take_bufs();
        if self.spare.len() < 8 {
            self.spare.push(bufs);
        }
    }

    fn expire(&mut self, now: Timestamp) {
        if self.pending.is_empty() {
            return;
        }
        let before = self.pending.len();
        let mut freed = 0;
        self.pending.retain(|_, p| {
            let keep = now.secs.saturating_sub(p.last.secs) <= TIMEOUT_SECS;
            if !keep {
                freed += p.bytes;
            }
            keep
        });
        self.bytes -= freed.min(self.bytes);
        self.dropped += (before - self.pending.len()) as u64;
    }

    fn enforce_bounds(&mut self) {
        while self.pending.len() > MAX_DATAGRAMS || self.bytes > MAX_BYTES {
            let Some(oldest) = self.pending.iter().min_by_key(|(_, p)| p.seq).map(|(k, _)| k.clone()) else {
                break;
            };
            if let Some(p) = self.pending.remove(&oldest) {
                self.bytes -= p.bytes.min(self.bytes);
                self.recycle(p);
            }
        }
    }
}

fn vlan_ids(d: &Decoded<'_>) -> [u16; super::MAX_VLANS] {
    let mut v = [0; super::MAX_VLANS];
    for (i, t) in d.vlans().iter().enumerate() {
        v[i] = t.vid;
    }
    v
}
