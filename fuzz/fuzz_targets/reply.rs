//! Any bytes as a received IP packet: tracert's and synscan's answer classifier and the ICMP
//! extension parser must return an answer, nothing or a typed error, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pktkit::capture::LinkType;
use pktkit::net::probe::{Flow, ProbeKey};
use pktkit::net::reply::Reply;
use pktkit::proto::icmp_ext;

fuzz_target!(|data: &[u8]| {
    if let Some(r) = Reply::parse(LinkType::RAW, data) {
        for flow in [Flow::Classic, Flow::Paris, Flow::Dublin] {
            let _ = ProbeKey::of(&r.probe, flow);
        }
        if let Some(ext) = r.extensions() {
            let _ = icmp_ext::parse(ext).map(|o| icmp_ext::describe(&o));
        }
    }
    let _ = icmp_ext::parse(data).map(|o| icmp_ext::describe(&o));
});
