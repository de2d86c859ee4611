//! Any bytes as a frame of every link type pkt-decode reads: decoding and every renderer
//! (tcpdump text under several option sets, JSON, every --fields field) must end without a
//! panic, a hang or an unbounded allocation, and the JSON must parse back and equal the
//! reference writer's (serde's derive alone).
#![no_main]

use libfuzzer_sys::fuzz_target;
use pktkit::capture::{Interface, LinkType, Packet, Precision, Timestamp};
use pktkit::decode::defrag::{DefragOutcome, Defragmenter};
use pktkit::decode::{DecodeOptions, decode};
use pktkit::render::fields::{FieldsWriter, known_names};
use pktkit::render::json::JsonWriter;
use pktkit::render::text::{TextOptions, TextPrinter};
use pktkit::render::time::LocalTime;

/// Every link type the decoder reads.
/// And Linux netlink (253), which tcpdump prints as UNSUPPORTED.
const LINK_TYPES: [u16; 19] = [1, 113, 276, 0, 108, 226, 242, 149, 258, 9, 50, 104, 239, 12, 14, 101, 228, 229, 253];

/// tcpdump option sets: plain, -e -v, -vv -X -#, -vvv -xx -ttt, -A -tttt --nano, -XX -ttttt.
fn option_sets() -> [TextOptions; 6] {
    let d = TextOptions::default();
    [
        d,
        TextOptions { link_header: true, verbosity: 1, ..d },
        TextOptions { verbosity: 2, hex_ascii_dump: 1, number: true, ..d },
        TextOptions { verbosity: 3, hex_dump: 2, time_format: 3, ..d },
        TextOptions { ascii_dump: 1, time_format: 4, nano: true, ..d },
        TextOptions { hex_ascii_dump: 2, time_format: 5, link_header: true, ..d },
    ]
}

fuzz_target!(|data: &[u8]| {
    let spec: Vec<&str> = known_names().collect();
    let mut fields = FieldsWriter::new(&spec.join(",")).expect("every known field is accepted");
    let mut json = JsonWriter::new(true);
    let mut reference = JsonWriter::reference(true);
    let mut ref_out = Vec::new();
    let mut printers: Vec<TextPrinter> =
        option_sets().into_iter().map(|o| TextPrinter::with_time(o, LocalTime::utc())).collect();
    let mut pool = Defragmenter::new();
    let opts = DecodeOptions::default();
    let mut out = Vec::new();
    for (n, lt) in LINK_TYPES.into_iter().enumerate() {
        let linktype = LinkType(lt);
        let iface = Interface::live(linktype, 65535, Precision::Nano);
        // Whole, and as if the capture had cut the frame (more bytes on the wire).
        for orig_len in [data.len() as u32, data.len() as u32 + 64] {
            let ts = Timestamp::new(1_700_000_000 + n as i64, 123_456_789);
            let pkt = Packet::new(n as u64 + 1, ts, data, orig_len, &iface);
            let d = decode(linktype, data, orig_len, &opts);
            for p in &mut printers {
                out.clear();
                p.packet(&mut out, &pkt, &d).expect("writing to memory");
                assert!(out.ends_with(b"\n"));
            }
            out.clear();
            json.packet(&mut out, &pkt, &d, None).expect("writing to memory");
            let _: serde_json::Value = serde_json::from_slice(&out).expect("the record is JSON");
            // The hand-written record equals serde's walk of the same structs.
            ref_out.clear();
            reference.packet(&mut ref_out, &pkt, &d, None).expect("writing to memory");
            assert_eq!(out, ref_out);
            out.clear();
            fields.packet(&mut out, &pkt, &d).expect("writing to memory");
            assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 1);
            if let DefragOutcome::Complete(frags) = pool.add(&d, ts) {
                let r = pool.decode_reassembled(&d, &opts);
                out.clear();
                json.packet(&mut out, &pkt, &r, Some(frags)).expect("writing to memory");
                ref_out.clear();
                reference.packet(&mut ref_out, &pkt, &r, Some(frags)).expect("writing to memory");
                assert_eq!(out, ref_out);
            }
        }
    }
});
