//! Any bytes as an Ethernet or raw IP frame through pkt-send's Scapy views (`--show`'s
//! show2(), `--show -X`'s hexdump()): they must end without a panic or a hang, and show2()'s
//! text ends with Scapy's blank line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pktkit::capture::LinkType;
use pktkit::render::scapy::{hexdump, show};

fuzz_target!(|data: &[u8]| {
    for linktype in [LinkType::ETHERNET, LinkType::RAW] {
        assert!(show(linktype, data).ends_with('\n'));
    }
    assert_eq!(hexdump(data).lines().count(), data.len().div_ceil(16));
});
