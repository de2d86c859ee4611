//! Any bytes as pkt-stats JSON reports for `--merge`: reading, merging every report into the
//! first and writing the result as JSON and as text must end with a report or a typed error,
//! never a panic (an overflowing count panics in this debug-assertion build), a hang or an
//! unbounded allocation; counters saturate, so the merged summary holds at least each part's.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pktkit_tools::stats::{json, text};

fuzz_target!(|data: &[u8]| {
    let text_in = String::from_utf8_lossy(data);
    let Ok(reports) = json::parse_all(&text_in) else { return };
    let mut reports = reports.into_iter();
    let Some(mut total) = reports.next() else { return };
    for s in reports {
        let before = total.summary.packets.max(s.summary.packets);
        if total.merge(&s).is_ok() {
            assert!(total.summary.packets >= before, "a merged counter went down: it wrapped");
        }
    }
    let out = serde_json::to_vec(&json::report(&total, None)).expect("a report serializes");
    // What was written reads back as a report.
    json::parse(std::str::from_utf8(&out).expect("JSON is UTF-8")).expect("our own report reads back");
    let options = text::TextOptions { top: 10, io_rows: None, only: None, exact: false, terminal: false };
    text::write(&mut std::io::sink(), &total, options).expect("writing to a sink");
});
