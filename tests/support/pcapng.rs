//! A small pcapng builder (little-endian): a section header, interfaces with any `if_tsresol`
//! and `if_tsoffset`, enhanced packet blocks with raw 64-bit timestamps. Used by tests and by
//! `xtask fuzz-seeds`, so captures of strange but valid clocks are made by the project's code.

/// A pcapng file being built.
pub struct PcapNgFile {
    bytes: Vec<u8>,
}

/// Option codes and block types (draft-ietf-opsawg-pcapng).
const SHB: u32 = 0x0A0D_0D0A;
const IDB: u32 = 1;
const EPB: u32 = 6;
const IF_TSRESOL: u16 = 9;
const IF_TSOFFSET: u16 = 14;

fn block(out: &mut Vec<u8>, btype: u32, body: &[u8]) {
    let padded = body.len().div_ceil(4) * 4;
    let total = (12 + padded) as u32;
    out.extend(btype.to_le_bytes());
    out.extend(total.to_le_bytes());
    out.extend(body);
    out.resize(out.len() + padded - body.len(), 0);
    out.extend(total.to_le_bytes());
}

fn option(body: &mut Vec<u8>, code: u16, value: &[u8]) {
    body.extend(code.to_le_bytes());
    body.extend((value.len() as u16).to_le_bytes());
    body.extend(value);
    body.resize(body.len().div_ceil(4) * 4, 0);
}

impl Default for PcapNgFile {
    fn default() -> Self {
        Self::new()
    }
}

impl PcapNgFile {
    /// A file with one section header (version 1.0, unknown section length).
    pub fn new() -> Self {
        let mut body = Vec::new();
        body.extend(0x1A2B_3C4Du32.to_le_bytes());
        body.extend(1u16.to_le_bytes());
        body.extend(0u16.to_le_bytes());
        body.extend((-1i64).to_le_bytes());
        let mut bytes = Vec::new();
        block(&mut bytes, SHB, &body);
        PcapNgFile { bytes }
    }

    /// Adds an interface; `tsresol`/`tsoffset` are written as options when given.
    pub fn interface(
        mut self,
        linktype: u16,
        snaplen: u32,
        tsresol: Option<u8>,
        tsoffset: Option<i64>,
    ) -> Self {
        let mut body = Vec::new();
        body.extend(linktype.to_le_bytes());
        body.extend([0, 0]);
        body.extend(snaplen.to_le_bytes());
        if let Some(r) = tsresol {
            option(&mut body, IF_TSRESOL, &[r]);
        }
        if let Some(o) = tsoffset {
            option(&mut body, IF_TSOFFSET, &o.to_le_bytes());
        }
        if tsresol.is_some() || tsoffset.is_some() {
            option(&mut body, 0, &[]);
        }
        block(&mut self.bytes, IDB, &body);
        self
    }

    /// Adds an enhanced packet block on interface `iface` with the raw timestamp `raw_ts`.
    pub fn packet(mut self, iface: u32, raw_ts: u64, data: &[u8], orig_len: u32) -> Self {
        let mut body = Vec::new();
        body.extend(iface.to_le_bytes());
        body.extend(((raw_ts >> 32) as u32).to_le_bytes());
        body.extend((raw_ts as u32).to_le_bytes());
        body.extend((data.len() as u32).to_le_bytes());
        body.extend(orig_len.to_le_bytes());
        body.extend(data);
        block(&mut self.bytes, EPB, &body);
        self
    }

    /// Byte offset where the next block will start.
    pub fn next_offset(&self) -> usize {
        self.bytes.len()
    }

    /// The file's bytes.
    pub fn bytes(self) -> Vec<u8> {
        self.bytes
    }
}
