//! Rendering decoded packets for people and programs: tcpdump 4.99's `-n` text ([`text`]),
//! NDJSON records of schema `pktkit.decode/2.1` ([`json`]), Wireshark-named fields as
//! `tshark -T fields` prints them ([`fields`]), and those fields as typed Parquet columns
//! ([`parquet`]). Each output form's printers live in its own place: tcpdump's DNS and DHCP
//! text in `text/`, tshark's DNS, HTTP, TLS and DHCP fields in `fields/`. pkt-decode drives them over a capture;
//! pkt-send prints its packets and answers with the same writers.
//!
//! Every writer keeps its buffers between packets: rendering a packet allocates nothing.

pub mod fields;
pub mod json;
pub(crate) mod out;
pub mod parquet;
pub mod scapy;
pub mod text;
pub mod time;
