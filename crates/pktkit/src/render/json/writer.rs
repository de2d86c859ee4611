//! [`JsonWriter`]: the records of a capture, one per line.

use std::io::{self, Write};

use super::emit;
use super::walk;
use super::wire::Inner;
use crate::capture::Packet;
use crate::decode::Decoded;

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
        // Everything the record borrows lives here, on the stack: the ICMP quote, VLAN tags and
        // extension header lists (a tunnelled packet's are on the stack of the call that
        // writes it, [`walk::each_inner`]).
        let quoted = d.icmp_quoted();
        let vlans = walk::vlans_j(d);
        let (mut ext, mut qext) = ([0u8; 8], [0u8; 8]);
        let mut rec = walk::record(pkt, d, self.raw, reassembled);
        if let Some(app) = walk::innermost_app(d) {
            let (j, objects) = walk::app_j(d.data, &app);
            rec.app = Some(j);
            rec.apps = objects;
        }
        let extra = walk::extra_j(d);
        rec.extra = extra.as_ref();
        rec.layers = walk::layers(d, &vlans[..d.vlan_count], &mut ext, &mut qext, &quoted);
        rec.inner = Inner(Some(d));
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
