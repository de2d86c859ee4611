//! Rendering decoded packets for people and programs: tcpdump 4.99's `-n` text ([`text`]),
//! NDJSON records of schema `pktkit.decode/2` ([`json`]) and Wireshark-named fields as
//! `tshark -T fields` prints them ([`fields`]), also as typed Parquet columns ([`parquet`]). pkt-decode drives them over a capture;
//! pkt-send prints its packets and answers with the same writers.
//!
//! Every writer keeps its buffers between packets: rendering a packet allocates nothing.

pub mod fields;
pub mod json;
pub(crate) mod out;
pub mod parquet;
pub mod scapy;
#[cfg(test)]
pub(crate) mod test_frames;
pub mod text;
pub mod time;
