//! pktkit's shared library: every piece of capture and protocol knowledge the tools use.
//!
//! - [`bytes`]: bounds-checked big-endian reads (`be16`, `be32`) for every parser.
//! - [`checksum`]: the Internet checksum (RFC 1071) and its incremental update (RFC 1624).
//! - [`capability`]: which Linux capabilities (CAP_NET_RAW, CAP_NET_ADMIN) this process holds.
//! - [`capture`]: streaming readers and writers for pcap and pcapng files.
//! - [`bpf`]: libpcap filter expressions, compiled per link type and run on packets.
//! - [`craft`]: Scapy-style packet crafting (`IP(dst=10.0.0.2)/TCP(dport=80)` to bytes).
//! - [`decode`]: one call per frame turns bytes into every complete layer, zero-copy.
//! - [`dfilter`]: Wireshark display filters (`-Y`) over the `--fields` table.
//! - [`host`]: this host's sockets (sock_diag), their processes (/proc) and interface counters.
//! - [`live`]: live capture through libpcap (open an interface, list interfaces, read batches).
//! - [`net`]: raw sending (layer 2 and 3), answer capture and matching, pacing.
//! - [`rewrite`]: edit header fields in place with checksums kept right.
//! - [`scan`]: a port scan's target and port sets, probe order, cookies and retry state.
//! - [`services`]: TCP/UDP service names and the ports most often open.
//! - [`proto`]: one parser per protocol (link, network, transport and application layers).
//! - [`render`]: tcpdump text, NDJSON and Wireshark fields for decoded packets.
//! - [`stream`]: live pipelines: knowing when a read would block, and the Ctrl-C rule.

pub mod bpf;
pub mod bytes;
pub mod capability;
pub mod capture;
pub mod checksum;
pub mod craft;
pub mod decode;
pub mod dfilter;
pub mod host;
pub mod live;
pub mod net;
pub mod proto;
pub mod render;
pub mod rewrite;
pub mod scan;
pub mod services;
pub mod stream;
#[cfg(test)]
pub(crate) mod test_frames;
// The test support shared with the integration tests names this crate `pktkit`.
#[cfg(test)]
extern crate self as pktkit;
