//! `xtask fuzz-seeds DIR`: seed inputs for the fuzz targets, made by pktkit's own code, for the
//! cases a mutation campaign found (issue 19): pcapng interfaces with seconds resolution or a
//! huge `if_tsoffset`, records longer than their snaplen, and pkt-stats reports whose counters
//! are near `u64::MAX`, so that merging them overflows. `cargo fuzz run TARGET fuzz/corpus/TARGET`
//! then starts from them (fuzz/corpus is not committed).

use std::fs;
use std::path::Path;

use anyhow::{Context, Result};
use pktkit::capture::{CaptureReader, Input, LinkType};
use pktkit::craft::{Offline, craft};
use pktkit::decode::{DecodeOptions, decode};
use pktkit_tools::stats::engine::{Config, Net, Stats};
use pktkit_tools::stats::json;
use serde_json::Value;

#[path = "../../../tests/support/pcapng.rs"]
#[allow(dead_code)]
mod pcapng;

use pcapng::PcapNgFile;

/// A 50-odd byte Ethernet/IPv4/UDP frame.
fn udp_frame() -> Result<Vec<u8>> {
    let spec = "Ether(src=02:00:00:00:00:01,dst=02:00:00:00:00:02)/IP(src=10.0.0.1,dst=10.0.0.2)/UDP(sport=1000,dport=53)";
    Ok(craft(spec, &Offline).context("seed frame")?.remove(0).bytes)
}

/// A classic pcap file of snaplen `snaplen` with one record of `data` (any length).
fn classic(snaplen: u32, data: &[u8]) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend(0xA1B2_C3D4u32.to_le_bytes());
    f.extend(2u16.to_le_bytes());
    f.extend(4u16.to_le_bytes());
    f.extend([0u8; 8]);
    f.extend(snaplen.to_le_bytes());
    f.extend(u32::from(LinkType::ETHERNET.0).to_le_bytes());
    f.extend(1_700_000_000u32.to_le_bytes());
    f.extend(0u32.to_le_bytes());
    f.extend((data.len() as u32).to_le_bytes());
    f.extend((data.len() as u32).to_le_bytes());
    f.extend(data);
    f
}

fn capture_seeds(frame: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let len = frame.len() as u32;
    let mut long = frame.to_vec();
    long.resize(300, 0xab);
    vec![
        (
            "seconds-resolution.pcapng",
            PcapNgFile::new()
                .interface(1, 0, Some(0), None)
                .packet(0, 1_700_000_000, frame, len)
                .packet(0, 1 << 40, frame, len)
                .packet(0, u64::MAX, frame, len)
                .bytes(),
        ),
        (
            "huge-offsets.pcapng",
            PcapNgFile::new()
                .interface(1, 0, None, Some(i64::MAX))
                .interface(1, 0, Some(9), Some(i64::MIN))
                .interface(1, 0, Some(0x80 | 30), Some(1 << 62))
                .packet(0, 5, frame, len)
                .packet(1, 0, frame, len)
                .packet(2, u64::MAX, frame, len)
                .bytes(),
        ),
        (
            "exotic-resolutions.pcapng",
            PcapNgFile::new()
                .interface(1, 0, Some(19), None)
                .interface(1, 0, Some(0x80 | 63), Some(-1))
                .interface(1, 0, Some(0x7f), None)
                .packet(0, u64::MAX, frame, len)
                .packet(1, u64::MAX, frame, len)
                .packet(2, 1, frame, len)
                .bytes(),
        ),
        (
            "longer-than-snaplen.pcapng",
            PcapNgFile::new().interface(1, 64, None, None).packet(0, 1, &long, long.len() as u32).bytes(),
        ),
        ("longer-than-snaplen.pcap", classic(64, &long)),
    ]
}

/// Sets every counter of a report to `n` (keys naming frames, bytes, packets, decode tallies).
fn set_counters(v: &mut Value, n: u64) {
    const TALLIES: [&str; 7] =
        ["snapped", "complete", "truncated", "invalid", "unsupported", "queries", "responses"];
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                let counter = k.contains("frames")
                    || k.contains("bytes")
                    || k == "packets"
                    || TALLIES.contains(&k.as_str());
                if counter && x.is_u64() {
                    *x = n.into();
                } else {
                    set_counters(x, n);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| set_counters(x, n)),
        _ => {}
    }
}

/// pkt-stats' JSON report of the demo capture, with `--me 10.0.1.0/24 --interval 1s`.
fn demo_report(root: &Path) -> Result<Value> {
    let config = Config {
        interval_ns: Some(1_000_000_000),
        me: vec![Net::parse("10.0.1.0/24").map_err(anyhow::Error::msg)?],
        ..Config::default()
    };
    let mut stats = Stats::new(config);
    let mut reader = CaptureReader::new(vec![Input::File(root.join("tests/data/demo.pcap"))]);
    let opts = DecodeOptions::default();
    while let Some(p) = reader.next_packet()? {
        let d = decode(p.linktype(), p.data, p.orig_len, &opts);
        stats.add(p.ts, p.data.len(), p.orig_len, &d, true);
    }
    Ok(serde_json::to_value(json::report(&stats, None))?)
}

fn stats_seeds(root: &Path) -> Result<Vec<(&'static str, Vec<u8>)>> {
    let plain = demo_report(root)?;
    let with = |n: u64| {
        let mut r = plain.clone();
        set_counters(&mut r, n);
        r.to_string()
    };
    let two = |a: String, b: String| format!("{a}\n{b}\n").into_bytes();
    Ok(vec![
        ("demo.json", format!("{plain}\n").into_bytes()),
        ("two-halves-of-u64.ndjson", two(with(1 << 63), with(1 << 63))),
        ("max-plus-one.ndjson", two(with(u64::MAX), with(1))),
        ("near-max.ndjson", two(with(u64::MAX - 1), plain.to_string())),
    ])
}

/// Writes the seeds under `dir/<target>/`.
pub fn write(root: &Path, dir: &Path) -> Result<()> {
    let frame = udp_frame()?;
    let sets = [("capture_reader", capture_seeds(&frame)), ("stats_merge", stats_seeds(root)?)];
    for (target, seeds) in sets {
        let d = dir.join(target);
        fs::create_dir_all(&d).with_context(|| d.display().to_string())?;
        for (name, bytes) in seeds {
            fs::write(d.join(name), bytes).with_context(|| format!("{target}/{name}"))?;
        }
    }
    Ok(())
}
