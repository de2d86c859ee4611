//! Any bytes as a capture file: the reader must end with packets or a typed error, never a
//! panic, a hang or an unbounded allocation; whatever it reads must write back out, and a
//! pcapng copy keeps every pcapng packet's raw timestamp and its interface's clock.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use pktkit::capture::{CaptureReader, CaptureWriter, Input, Origin, OutputFormat};

fuzz_target!(|data: &[u8]| {
    for format in [OutputFormat::Pcap, OutputFormat::PcapNg] {
        let input = Input::Stream("fuzz".into(), Box::new(Cursor::new(data.to_vec())));
        let mut reader = CaptureReader::new(vec![input]);
        let mut writer = CaptureWriter::new(Vec::new(), format);
        // Raw pcapng timestamp and clock of each packet written.
        let mut clocks = Vec::new();
        while let Ok(Some(pkt)) = reader.next_packet() {
            assert!(pkt.data.len() <= pkt.stored.len());
            // A timestamp the format cannot hold is a typed error, not a panic.
            match writer.write(&pkt) {
                Ok(true) => clocks.push((pkt.pcapng_ts, pkt.interface.origin.clone())),
                Ok(false) => {}
                Err(_) => break,
            }
        }
        let out = writer.finish().expect("writing to memory");
        // What was written reads back.
        let again = Input::Stream("again".into(), Box::new(Cursor::new(out)));
        let mut reader = CaptureReader::new(vec![again]);
        let mut n = 0;
        while let Some(pkt) = reader.next_packet().expect("our own output reads back") {
            if format == OutputFormat::PcapNg
                && let Some((Some(raw), Origin::PcapNg(clock))) = clocks.get(n)
            {
                assert_eq!(pkt.pcapng_ts, Some(*raw), "raw timestamp kept");
                assert_eq!(pkt.interface.origin, Origin::PcapNg(*clock), "interface clock kept");
            }
            n += 1;
        }
        assert_eq!(n, clocks.len(), "every packet written reads back");
    }
});
