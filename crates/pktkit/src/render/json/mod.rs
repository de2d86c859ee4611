//! `--json`: one JSON object per packet (NDJSON), schema `pktkit.decode/2.1`
//! (docs/json-schema.md), written and read back here:
//!
//! - [`wire`]: the record's types, one struct per JSON object, and the value forms
//!   (addresses, hex, flags) they are written in;
//! - [`walk`]: a decoded frame (and its tunnelled packets) to those types;
//! - [`writer`]: [`JsonWriter`], which writes them, through [`emit`] (the fixed part by hand)
//!   and serde (the rest); [`app`]: the application objects; [`extra`]: the objects of
//!   LLC, STP, CDP, SLARP, VRRP and OSPF;
//! - [`read`]: a record back to the frame it describes (pkt-send `--from-json`).
//!
//! Keys are fixed names; numbers are numbers; addresses are strings. Addresses and hex are
//! formatted on the stack, so writing a record costs no heap allocation.

mod app;
mod emit;
mod extra;
pub mod read;
mod walk;
mod wire;
mod writer;

pub use writer::JsonWriter;

/// The schema name and version carried by every record: version 2, minor version 1 (2.0
/// and the objects of [`extra`]).
pub const SCHEMA: &str = "pktkit.decode/2.1";

/// Versions whose records [`read`] reads as [`SCHEMA`]'s: the same keys, fewer objects.
pub const COMPATIBLE_SCHEMAS: &[&str] = &["pktkit.decode/2"];

/// Earlier versions of the schema, which [`read`] refuses with a pointer to the migration
/// notes in docs/json-schema.md.
pub const OLD_SCHEMAS: &[&str] = &["pktkit.decode/1"];
