//! [`JsonWriter`]: the records of a capture, one per line.

use std::io::{self, Write};

use super::emit;
use super::walk;
use super::wire::{InnerJ, MAX_INNER, VlanJ};
use crate::capture::Packet;
use crate::decode::{DecodeOptions, Decoded, offset_in};
use etherparse::LaxSlicedPacket;

/// Writes NDJSON records.
pub struct JsonWriter {
    raw: bool,
    buf: Vec<u8>,
    reference: bool,
    time: emit::TimeCache,
}

impl JsonWriter {
    /// A writer; `raw` adds the frame bytes and what is needed to write the packet back.
    pub fn new(raw: bool) -> Self {
        JsonWriter { raw, buf: Vec::with_capacity(4096), reference: false, time: emit::TimeCache::default() }
    }

    /// The same records written by serde's derive alone: the reference the hand-written
    /// path is checked against (tests, fuzz target). Slower.
    #[doc(hidden)]
    pub fn reference(raw: bool) -> Self {
        JsonWriter { reference: true, ..Self::new(raw) }
    }

    /// Writes one record and its newline.
    pub fn packet<W: Write>(
        &mut self,
        w: &mut W,
        pkt: &Packet<'_>,
        d: &Decoded<'_>,
        reassembled: Option<u32>,
    ) -> io::Result<()> {
        // Everything the record borrows lives here, on the stack: the tunnelled packets,
        // their ICMP quotes, VLAN tags and extension header lists.
        const L: usize = MAX_INNER + 1;
        let opts = DecodeOptions { app: true };
        let mut levels: [Option<Decoded<'_>>; L] = Default::default();
        let mut encaps = [""; L];
        let mut cur = d.encapsulated().map(|(e, _, _)| e).zip(d.decode_encapsulated(&opts));
        for i in 1..L {
            let Some((e, inner)) = cur.take() else { break };
            cur = inner.encapsulated().map(|(e, _, _)| e).zip(inner.decode_encapsulated(&opts));
            encaps[i] = e.name();
            levels[i] = Some(inner);
        }
        let mut quoted: [Option<LaxSlicedPacket<'_>>; L] = Default::default();
        let mut vlans = [[VlanJ::default(); crate::decode::MAX_VLANS]; L];
        for i in 0..L {
            let level = if i == 0 { Some(d) } else { levels[i].as_ref() };
            let Some(level) = level else { break };
            quoted[i] = level.icmp_quoted();
            for (v, t) in vlans[i].iter_mut().zip(level.vlans()) {
                *v = VlanJ { id: t.vid, pcp: t.pcp, dei: t.dei, tpid: t.tpid, ty: t.next };
            }
        }
        let mut ext = [[0u8; 8]; L];
        let mut qext = [[0u8; 8]; L];
        let mut rec = walk::record(pkt, d, self.raw, reassembled);
        // The application data of the innermost packet that has some: one place for it,
        // tunnelled or not.
        let app = levels.iter().rev().flatten().chain([d]).find_map(|level| level.app);
        if let Some(app) = &app {
            let (j, objects) = walk::app_j(d.data, app);
            rec.app = Some(j);
            rec.apps = objects;
        }
        let [e0, ext_rest @ ..] = &mut ext;
        let [q0, qext_rest @ ..] = &mut qext;
        rec.layers = walk::layers(d, &vlans[0][..d.vlan_count], e0, q0, &quoted[0]);
        for (i, (e, q)) in (1..L).zip(ext_rest.iter_mut().zip(qext_rest.iter_mut())) {
            let Some(level) = levels[i].as_ref() else { break };
            rec.inner.0[i - 1] = Some(InnerJ {
                encap: encaps[i],
                offset: offset_in(d.data, level.data),
                layers: walk::layers(level, &vlans[i][..level.vlan_count], e, q, &quoted[i]),
                stop: walk::stop_j(level),
            });
        }
        self.buf.clear();
        if self.reference {
            serde_json::to_writer(&mut self.buf, &rec).map_err(io::Error::other)?;
        } else {
            emit::record(&mut self.buf, &rec, &mut self.time).map_err(io::Error::other)?;
        }
        self.buf.push(b'\n');
        w.write_all(&self.buf)
    }
}
