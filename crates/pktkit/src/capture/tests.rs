//! Reader and writer tests on files built here byte by byte (not by our writer), so the two
//! check each other.

use std::io::Cursor;

use super::*;

/// Builds a classic pcap file.
fn pcap_file(big: bool, nano: bool, linktype: u32, snaplen: u32, recs: &[(u32, u32, &[u8], u32)]) -> Vec<u8> {
    let w32 = |v: u32| if big { v.to_be_bytes() } else { v.to_le_bytes() };
    let w16 = |v: u16| if big { v.to_be_bytes() } else { v.to_le_bytes() };
    let mut f = Vec::new();
    f.extend(w32(if nano { 0xA1B2_3C4D } else { 0xA1B2_C3D4 }));
    f.extend(w16(2));
    f.extend(w16(4));
    f.extend(w32(0));
    f.extend(w32(0));
    f.extend(w32(snaplen));
    f.extend(w32(linktype));
    for (sec, frac, data, orig) in recs {
        f.extend(w32(*sec));
        f.extend(w32(*frac));
        f.extend(w32(data.len() as u32));
        f.extend(w32(*orig));
        f.extend_from_slice(data);
    }
    f
}

/// Builds pcapng blocks in one byte order.
struct Ng {
    big: bool,
    out: Vec<u8>,
}

impl Ng {
    fn new(big: bool) -> Self {
        let mut ng = Ng { big, out: Vec::new() };
        ng.shb();
        ng
    }
    fn w32(&self, v: u32) -> [u8; 4] {
        if self.big { v.to_be_bytes() } else { v.to_le_bytes() }
    }
    fn w16(&self, v: u16) -> [u8; 2] {
        if self.big { v.to_be_bytes() } else { v.to_le_bytes() }
    }
    fn block(&mut self, btype: u32, body: &[u8]) {
        let mut body = body.to_vec();
        while !body.len().is_multiple_of(4) {
            body.push(0);
        }
        let len = body.len() as u32 + 12;
        let (t, l) = (self.w32(btype), self.w32(len));
        self.out.extend(t);
        self.out.extend(l);
        self.out.extend(body);
        self.out.extend(l);
    }
    fn shb(&mut self) {
        let mut b = Vec::new();
        b.extend(self.w32(0x1A2B_3C4D));
        b.extend(self.w16(1));
        b.extend(self.w16(0));
        b.extend([0xff; 8]);
        self.block(0x0A0D_0D0A, &b);
    }
    fn idb(&mut self, linktype: u16, snaplen: u32, tsresol: Option<u8>) {
        let mut b = Vec::new();
        b.extend(self.w16(linktype));
        b.extend(self.w16(0));
        b.extend(self.w32(snaplen));
        if let Some(r) = tsresol {
            b.extend(self.w16(9));
            b.extend(self.w16(1));
            b.extend([r, 0, 0, 0]);
            b.extend([0; 4]); // opt_endofopt
        }
        self.block(1, &b);
    }
    fn epb(&mut self, iface: u32, ts: u64, data: &[u8], orig: u32) {
        let mut b = Vec::new();
        b.extend(self.w32(iface));
        b.extend(self.w32((ts >> 32) as u32));
        b.extend(self.w32(ts as u32));
        b.extend(self.w32(data.len() as u32));
        b.extend(self.w32(orig));
        b.extend_from_slice(data);
        self.block(6, &b);
    }
    fn spb(&mut self, data: &[u8], orig: u32) {
        let mut b = Vec::new();
        b.extend(self.w32(orig));
        b.extend_from_slice(data);
        self.block(3, &b);
    }
    fn obsolete_pb(&mut self, iface: u16, ts: u64, data: &[u8]) {
        let mut b = Vec::new();
        b.extend(self.w16(iface));
        b.extend(self.w16(0));
        b.extend(self.w32((ts >> 32) as u32));
        b.extend(self.w32(ts as u32));
        b.extend(self.w32(data.len() as u32));
        b.extend(self.w32(data.len() as u32));
        b.extend_from_slice(data);
        self.block(2, &b);
    }
}

fn reader(bytes: Vec<u8>) -> CaptureReader {
    CaptureReader::new(vec![Input::Stream("test".into(), Box::new(Cursor::new(bytes)))])
}

/// (number, secs, nanos, data, orig_len, linktype, interface id) of every packet, or the error.
type Seen = (u64, i64, u32, Vec<u8>, u32, u16, u32);

fn read_all(r: &mut CaptureReader) -> (Vec<Seen>, Option<CaptureError>) {
    let mut seen = Vec::new();
    loop {
        match r.next_packet() {
            Ok(Some(p)) => seen.push((
                p.number,
                p.ts.secs,
                p.ts.nanos,
                p.data.to_vec(),
                p.orig_len,
                p.linktype().0,
                p.interface.id,
            )),
            Ok(None) => return (seen, None),
            Err(e) => return (seen, Some(e)),
        }
    }
}

#[test]
fn classic_both_byte_orders_and_resolutions() {
    for big in [false, true] {
        for nano in [false, true] {
            let frac = if nano { 123_456_789 } else { 123_456 };
            let f = pcap_file(big, nano, 1, 96, &[(1_600_000_000, frac, b"abcdef", 1514), (7, 0, b"", 0)]);
            let (seen, err) = read_all(&mut reader(f));
            assert!(err.is_none(), "{err:?}");
            assert_eq!(seen.len(), 2);
            let want_nanos = if nano { 123_456_789 } else { 123_456_000 };
            assert_eq!(seen[0], (1, 1_600_000_000, want_nanos, b"abcdef".to_vec(), 1514, 1, 0));
            assert_eq!(seen[1].3, b"");
        }
    }
}

#[test]
fn snaplen_truncated_records_are_normal() {
    // caplen 60 of a 1514-byte frame in a file with snaplen 60: not an error.
    let data = [0u8; 60];
    let f = pcap_file(false, false, 1, 60, &[(1, 2, &data, 1514)]);
    let mut r = reader(f);
    let p = r.next_packet().unwrap().unwrap();
    assert!(p.is_snapped());
    assert_eq!((p.data.len(), p.orig_len), (60, 1514));
}

#[test]
fn truncated_record_error_names_packet_and_offset() {
    let mut f = pcap_file(false, false, 1, 65535, &[(1, 0, b"0123456789", 10), (2, 0, b"abcdefghij", 10)]);
    f.truncate(f.len() - 3);
    let (seen, err) = read_all(&mut reader(f));
    assert_eq!(seen.len(), 1);
    let msg = err.unwrap().to_string();
    assert_eq!(msg, "test: truncated record (23 of 26 bytes) at packet 2 (byte offset 50)");
}

/// A reader over a socket pair (a pipe as far as polling goes) then `more`, and the writing end.
fn pipe_reader(more: Vec<Input>) -> (CaptureReader, std::os::unix::net::UnixStream) {
    let (rx, tx) = std::os::unix::net::UnixStream::pair().unwrap();
    let file = std::fs::File::from(std::os::fd::OwnedFd::from(rx));
    let mut inputs = vec![Input::Open("pipe".into(), file)];
    inputs.extend(more);
    (CaptureReader::new(inputs), tx)
}

/// What `next_event` returns, as text: `p<number>`, `idle`, `end` or the error.
fn event(r: &mut CaptureReader) -> String {
    match r.next_event() {
        Ok(Some(Event::Packet(p))) => format!("p{}", p.number),
        Ok(Some(Event::Idle)) => "idle".into(),
        Ok(None) => "end".into(),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_pipe_reports_idle_between_records_and_names_a_record_its_writer_cut() {
    use std::io::Write;
    let f = pcap_file(false, false, 1, 65535, &[(1, 0, b"0123456789", 10), (2, 0, b"abcdefghij", 10)]);
    let (mut r, mut tx) = pipe_reader(Vec::new());
    // The header, the first record and half of the second.
    tx.write_all(&f[..24 + 26 + 13]).unwrap();
    assert_eq!(event(&mut r), "p1");
    assert_eq!(event(&mut r), "idle", "half a record is buffered: the next read would wait");
    tx.write_all(&f[24 + 26 + 13..]).unwrap();
    assert_eq!(event(&mut r), "p2");
    assert_eq!(event(&mut r), "idle");
    tx.write_all(&f[24..24 + 20]).unwrap(); // the writer dies in the middle of a third record
    drop(tx);
    assert_eq!(event(&mut r), "pipe: truncated record (20 of 26 bytes) at packet 3 (byte offset 76)");

    let mut ng = Ng::new(false);
    ng.idb(1, 0, None);
    ng.epb(0, 1, b"abc", 3);
    let (mut r, mut tx) = pipe_reader(Vec::new());
    tx.write_all(&ng.out).unwrap();
    assert_eq!(event(&mut r), "p1");
    assert_eq!(event(&mut r), "idle");
    drop(tx);
    assert_eq!(event(&mut r), "end");
}

#[test]
fn after_an_interrupt_a_pipe_is_read_to_its_end_and_no_further_input_is_opened() {
    use std::io::Write;
    let f = pcap_file(false, false, 1, 65535, &[(1, 0, b"0123456789", 10), (2, 0, b"abcdefghij", 10)]);
    let interrupts = crate::stream::Interrupts::new().unwrap();
    let (r, mut tx) = pipe_reader(vec![Input::Stream("never".into(), Box::new(Cursor::new(f.clone())))]);
    let mut r = r.with_interrupts(std::sync::Arc::clone(&interrupts));
    tx.write_all(&f[..24 + 26]).unwrap();
    assert_eq!(event(&mut r), "p1");
    interrupts.interrupt(2);
    let writer = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(50));
        tx.write_all(&f[24 + 26..]).unwrap();
    });
    assert_eq!(event(&mut r), "idle");
    assert_eq!(event(&mut r), "p2", "the packet still on its way is read");
    writer.join().unwrap();
    assert_eq!(event(&mut r), "end", "the writer closed; the next input is not opened");
    assert_eq!(interrupts.exit_code(), None);
}

#[test]
fn damaged_headers() {
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (Vec::new(), "test: empty input, no capture file header at byte offset 0"),
        (b"\xd4\xc3".to_vec(), "test: truncated file header (2 of 24 bytes) at byte offset 0"),
        (
            b"GET / HTTP/1.1\r\n\r\n..............".to_vec(),
            "test: not a pcap or pcapng capture (magic number 0x47455420) at byte offset 0",
        ),
        (
            pcap_file(false, false, 1, 65535, &[])[..20].to_vec(),
            "test: truncated file header (20 of 24 bytes) at byte offset 0",
        ),
    ];
    for (bytes, want) in cases {
        let (_, err) = read_all(&mut reader(bytes));
        assert_eq!(err.unwrap().to_string(), want);
    }
    let mut f = pcap_file(false, false, 1, 65535, &[]);
    f[4] = 3; // version 3.4
    assert!(read_all(&mut reader(f)).1.unwrap().to_string().contains("unsupported pcap version 3.4"));
    let mut f = pcap_file(false, false, 1, 65535, &[]);
    f[22] = 0x30; // reserved link-type bits
    assert!(read_all(&mut reader(f)).1.unwrap().to_string().contains("reserved bits"));
}

#[test]
fn absurd_lengths_are_refused_without_allocating() {
    let mut f = pcap_file(false, false, 1, 65535, &[]);
    f.extend(1u32.to_le_bytes());
    f.extend(0u32.to_le_bytes());
    f.extend(0xFFFF_FFF0u32.to_le_bytes());
    f.extend(60u32.to_le_bytes());
    let err = read_all(&mut reader(f)).1.unwrap().to_string();
    assert_eq!(
        err,
        "test: record length 4294967280 exceeds the maximum of 262144 at packet 1 (byte offset 24)"
    );

    let mut ng = Ng::new(false);
    let huge = ng.w32(0x7FFF_FFF0);
    ng.out.extend(ng.w32(6));
    ng.out.extend(huge);
    let err = read_all(&mut reader(ng.out)).1.unwrap().to_string();
    assert!(err.contains("exceeds the maximum"), "{err}");
}

#[test]
fn pcapng_two_link_types_resolutions_and_block_kinds() {
    for big in [false, true] {
        let mut ng = Ng::new(big);
        ng.idb(1, 0, None); // Ethernet, microseconds
        ng.idb(101, 65535, Some(9)); // raw IP, nanoseconds
        ng.epb(0, 1_700_000_000_123_456, b"eth-frame", 9);
        ng.epb(1, 1_700_000_000_123_456_789, b"ip-packet", 100);
        ng.spb(b"simple", 6);
        ng.obsolete_pb(1, 5_000_000_007, b"old");
        ng.block(0x0000_0BAD, b"custom block, skipped");
        ng.block(5, &[0; 12]); // interface statistics, skipped
        // A second section with its own single interface, binary resolution 2^-10.
        ng.shb();
        ng.idb(113, 0, Some(0x80 | 10));
        ng.epb(0, 1024 * 3 + 512, b"sll", 3);
        let (seen, err) = read_all(&mut reader(ng.out));
        assert!(err.is_none(), "{err:?}");
        let got: Vec<_> = seen.iter().map(|s| (s.1, s.2, s.3.as_slice(), s.4, s.5, s.6)).collect();
        assert_eq!(
            got,
            vec![
                (1_700_000_000, 123_456_000, &b"eth-frame"[..], 9, 1, 0),
                (1_700_000_000, 123_456_789, &b"ip-packet"[..], 100, 101, 1),
                (0, 0, &b"simple"[..], 6, 1, 0),
                (5, 7, &b"old"[..], 3, 101, 1),
                (3, 500_000_000, &b"sll"[..], 3, 113, 2),
            ]
        );
    }
}

#[test]
fn pcapng_damage() {
    let mut ng = Ng::new(false);
    ng.idb(1, 0, None);
    ng.epb(3, 0, b"x", 1);
    let err = read_all(&mut reader(ng.out)).1.unwrap().to_string();
    assert!(err.contains("packet on interface 3, but the section describes 1"), "{err}");

    let mut ng = Ng::new(false);
    ng.idb(1, 0, None);
    ng.epb(0, 0, b"first", 5);
    ng.epb(0, 0, b"second", 6);
    let n = ng.out.len();
    ng.out[n - 4] ^= 0xff; // trailer length mismatch in the last block
    let (seen, err) = read_all(&mut reader(ng.out));
    assert_eq!(seen.len(), 1);
    assert!(err.unwrap().to_string().contains("in header but"));
}

#[test]
fn several_inputs_in_order() {
    let a = pcap_file(false, false, 1, 65535, &[(1, 0, b"a1", 2), (2, 0, b"a2", 2)]);
    let mut ng = Ng::new(true);
    ng.idb(101, 0, None);
    ng.epb(0, 3_000_000, b"b1", 2);
    let mut r = CaptureReader::new(vec![
        Input::Stream("a".into(), Box::new(Cursor::new(a))),
        Input::Stream("b".into(), Box::new(Cursor::new(ng.out))),
    ]);
    let (seen, err) = read_all(&mut r);
    assert!(err.is_none());
    let got: Vec<_> = seen.iter().map(|s| (s.0, s.3.clone(), s.6)).collect();
    assert_eq!(got, vec![(1, b"a1".to_vec(), 0), (2, b"a2".to_vec(), 0), (3, b"b1".to_vec(), 1)]);
    assert_eq!(r.interfaces().len(), 2);
    assert_eq!(r.interfaces()[1].input, "b");
}

fn copy(bytes: Vec<u8>, format: OutputFormat) -> (Vec<u8>, std::collections::BTreeMap<LinkType, u64>) {
    let mut r = reader(bytes);
    let mut w = CaptureWriter::new(Vec::new(), format);
    while let Some(p) = r.next_packet().unwrap() {
        w.write(&p).unwrap();
    }
    let skipped = w.skipped().clone();
    (w.finish().unwrap(), skipped)
}

#[test]
fn classic_copies_are_byte_identical() {
    for big in [false, true] {
        for nano in [false, true] {
            // Includes a fraction out of range and a record longer than the snaplen: kept as is.
            let f = pcap_file(big, nano, 113, 64, &[(1, 2_000_000_000, b"abc", 3), (3, 4, &[7; 100], 1000)]);
            let (out, _) = copy(f.clone(), OutputFormat::Pcap);
            assert_eq!(out, f);
            // What analysis sees is cut to the snaplen, as libpcap cuts it.
            let (seen, _) = read_all(&mut reader(f));
            assert_eq!(seen[1].3.len(), 64);
        }
    }
}

#[test]
fn pcapng_round_trip_and_link_type_split() {
    let mut ng = Ng::new(false);
    ng.idb(1, 0, None);
    ng.idb(101, 0, Some(9));
    ng.epb(0, 1_000_001, b"eth", 3);
    ng.epb(1, 2_000_000_003, b"raw", 30);
    ng.epb(0, 3_000_000, b"eth2", 4);
    let input = ng.out;

    // pcapng keeps both interfaces and the nanosecond clock.
    let (out, _) = copy(input.clone(), OutputFormat::PcapNg);
    let (a, _) = read_all(&mut reader(input.clone()));
    let (b, _) = read_all(&mut reader(out));
    assert_eq!(a, b);

    // Classic pcap keeps the first link type and counts the rest.
    let (out, skipped) = copy(input, OutputFormat::Pcap);
    assert_eq!(skipped.get(&LinkType::RAW), Some(&1));
    let (c, _) = read_all(&mut reader(out));
    let got: Vec<_> = c.iter().map(|s| (s.1, s.2, s.3.clone(), s.5)).collect();
    assert_eq!(got, vec![(1, 1000, b"eth".to_vec(), 1), (3, 0, b"eth2".to_vec(), 1)]);
}

#[test]
fn empty_output_still_has_a_header() {
    let f = pcap_file(true, true, 228, 1500, &[]);
    let mut r = reader(f.clone());
    r.open_next().unwrap();
    let mut w = CaptureWriter::new(Vec::new(), OutputFormat::Pcap);
    w.begin(&r.interfaces()[0]).unwrap();
    assert!(r.next_packet().unwrap().is_none());
    assert_eq!(w.finish().unwrap(), f);
}

#[test]
fn pcapng_lenient_interface_options_and_tsoffset() {
    let mut ng = Ng::new(false);
    let mut b = Vec::new();
    b.extend(ng.w16(1));
    b.extend(ng.w16(0));
    b.extend(ng.w32(0));
    b.extend(ng.w16(6)); // if_MACaddr with a wrong size: skipped, as tshark does
    b.extend(ng.w16(1));
    b.extend([0xaa, 0, 0, 0]);
    b.extend(ng.w16(2)); // if_name
    b.extend(ng.w16(4));
    b.extend(*b"eth0");
    b.extend(ng.w16(9)); // if_tsresol 10^-3
    b.extend(ng.w16(1));
    b.extend([3, 0, 0, 0]);
    b.extend(ng.w16(14)); // if_tsoffset 100 s
    b.extend(ng.w16(8));
    b.extend(100i64.to_le_bytes());
    ng.block(1, &b);
    ng.epb(0, 1_234, b"x", 1);
    let mut r = reader(ng.out);
    let p = r.next_packet().unwrap().unwrap();
    assert_eq!((p.ts.secs, p.ts.nanos), (101, 234_000_000));
    assert_eq!(p.interface.name.as_deref(), Some("eth0"));
    assert_eq!(p.interface.precision, Precision::Micro);
}

#[test]
fn clock_encode_inverts_decode_for_decimal_units() {
    for tsresol in 0..=9u8 {
        let clock = PcapNgClock { tsresol, tsoffset: -7 };
        for raw in [0u64, 1, 999, 1_700_000_000_123, u64::MAX / 10u64.pow(u32::from(tsresol).max(1))] {
            assert_eq!(clock.encode(clock.decode(raw)), Some(raw), "tsresol {tsresol}, raw {raw}");
        }
    }
    // Seconds resolution past i64 seconds saturates instead of wrapping negative.
    let seconds = PcapNgClock { tsresol: 0, tsoffset: 0 };
    assert_eq!(seconds.decode(u64::MAX).secs, i64::MAX);
    assert_eq!(PcapNgClock::MICRO.encode(Timestamp { secs: -1, nanos: 0 }), None);
    assert_eq!(PcapNgClock::NANO.encode(Timestamp { secs: i64::MAX, nanos: 0 }), None);
}

#[test]
fn pcapng_copies_keep_exotic_clocks_and_raw_timestamps() {
    let mut ng = Ng::new(true);
    // Picoseconds and 2^-63 s: finer than pcap-file writes; big-endian input, native output.
    ng.idb(1, 0, Some(12));
    ng.idb(1, 0, Some(0x80 | 63));
    ng.epb(0, u64::MAX, &[1; 20], 20);
    ng.epb(1, 12_345, &[2; 20], 20);
    let input = ng.out;
    let (out, _) = copy(input.clone(), OutputFormat::PcapNg);
    let stamps = |bytes: Vec<u8>| {
        let mut r = reader(bytes);
        let mut v = Vec::new();
        while let Some(p) = r.next_packet().unwrap() {
            v.push((p.pcapng_ts, p.ts, p.interface.origin.clone(), p.interface.precision));
        }
        v
    };
    assert_eq!(stamps(out), stamps(input));
}
