//! Any bytes as a capture file: the reader must end with packets or a typed error, never a
//! panic, a hang or an unbounded allocation; whatever it reads must write back out.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use pktkit::capture::{CaptureReader, CaptureWriter, Input, OutputFormat};

fuzz_target!(|data: &[u8]| {
    for format in [OutputFormat::Pcap, OutputFormat::PcapNg] {
        let input = Input::Stream("fuzz".into(), Box::new(Cursor::new(data.to_vec())));
        let mut reader = CaptureReader::new(vec![input]);
        let mut writer = CaptureWriter::new(Vec::new(), format);
        while let Ok(Some(pkt)) = reader.next_packet() {
            assert!(pkt.data.len() <= pkt.stored.len());
            // A timestamp pcapng cannot hold is a typed error, not a panic.
            if writer.write(&pkt).is_err() {
                break;
            }
        }
        let out = writer.finish().expect("writing to memory");
        // What was written reads back.
        let again = Input::Stream("again".into(), Box::new(Cursor::new(out)));
        let mut reader = CaptureReader::new(vec![again]);
        while let Some(_pkt) = reader.next_packet().expect("our own output reads back") {}
    }
});
