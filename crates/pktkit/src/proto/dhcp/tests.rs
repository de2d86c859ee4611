use super::*;
// The printer's tests stay beside the parser's: they share its sample messages and hostile inputs.
use crate::render::fields::dhcp::{FIELDS, write_field, write_field_captured};
use crate::render::text::dhcp::write_tcpdump;

const MAC: [u8; 6] = [0x00, 0x0c, 0x29, 0x12, 0x34, 0x56];

fn discover() -> MessageRepr {
    let mut r = MessageRepr::request(0x6e32864, MAC, 1);
    r.options.push((OPT_REQUESTED_IP, vec![192, 168, 1, 4]));
    r.options.push((OPT_PARAMETER_LIST, vec![1, 28, 2, 3, 15, 6, 12]));
    r.options.push((OPT_HOSTNAME, b"laptop".to_vec()));
    r.options.push((OPT_CLIENT_ID, [&[1u8][..], &MAC].concat()));
    r
}

fn offer() -> MessageRepr {
    let mut r = discover();
    r.op = 2;
    r.addrs[1] = Ipv4Addr::new(192, 168, 1, 4);
    r.options = vec![
        (OPT_MESSAGE_TYPE, vec![2]),
        (OPT_SERVER_ID, vec![192, 168, 1, 1]),
        (OPT_LEASE_TIME, 86400u32.to_be_bytes().to_vec()),
        (1, vec![255, 255, 255, 0]),
        (15, b"Home".to_vec()),
    ];
    r
}

#[test]
fn reads_a_discover() {
    let wire = discover().emit();
    assert_eq!(wire.len(), 300);
    let m = Message::parse(&wire).unwrap();
    assert_eq!((m.op(), m.htype(), m.hlen(), m.xid()), (1, 1, 6, 0x6e32864));
    assert_eq!(m.client_mac(), Some(MAC));
    assert!(m.is_dhcp());
    assert_eq!(m.message_type(), Some(MessageType::Discover));
    assert_eq!(m.requested_ip(), Some(Ipv4Addr::new(192, 168, 1, 4)));
    assert_eq!(m.hostname(), Some(&b"laptop"[..]));
    assert_eq!(m.parameter_list(), Some(&[1u8, 28, 2, 3, 15, 6, 12][..]));
    assert_eq!(m.client_id(), Some((1, &MAC[..])));
    assert_eq!(m.server_id(), None);
    assert_eq!(MessageRepr::parse(&m).unwrap(), discover());
}

#[test]
fn reads_an_offer() {
    let wire = offer().emit();
    let m = Message::parse(&wire).unwrap();
    assert_eq!(m.message_type(), Some(MessageType::Offer));
    assert_eq!(m.yiaddr(), Ipv4Addr::new(192, 168, 1, 4));
    assert_eq!(m.server_id(), Some(Ipv4Addr::new(192, 168, 1, 1)));
    assert_eq!(m.lease_time(), Some(86400));
    assert_eq!(MessageRepr::parse(&m).unwrap(), offer());
}

#[test]
fn overloaded_fields_are_read_after_the_options() {
    let mut wire = MessageRepr::request(1, MAC, 1).emit();
    // Option 52 = 3, then options in file (108..) and sname (44..).
    let end = wire.iter().rposition(|&b| b == OPT_END).unwrap();
    wire.splice(end..end, [OPT_OVERLOAD, 1, 3]);
    wire[108..115].copy_from_slice(&[OPT_REQUESTED_IP, 4, 9, 9, 9, 9, OPT_END]);
    wire[44..50].copy_from_slice(&[OPT_HOSTNAME, 3, b's', b'n', b'm', OPT_END]);
    let m = Message::parse(&wire).unwrap();
    let codes: Vec<u8> = m.options().map(|o| o.unwrap().code).collect();
    assert_eq!(codes, vec![53, 52, 50, 12]);
    assert_eq!(m.requested_ip(), Some(Ipv4Addr::new(9, 9, 9, 9)));
    assert_eq!(m.hostname(), Some(&b"snm"[..]));
}

#[test]
fn hostile_options() {
    let base = MessageRepr::request(1, MAC, 1).emit();
    // An option whose length runs past the data.
    let mut w = base[..243].to_vec();
    w.extend([OPT_HOSTNAME, 200, b'x']);
    let m = Message::parse(&w).unwrap();
    let all: Vec<_> = m.options().collect();
    assert_eq!(all.len(), 2);
    assert_eq!(all[1], Err(DhcpError::OptionTooLong { code: 12, offset: 243 }));
    assert_eq!(m.hostname(), None);
    assert_eq!(m.message_type(), Some(MessageType::Discover));
    // A code with no length byte.
    let mut w = base[..243].to_vec();
    w.push(OPT_HOSTNAME);
    let m = Message::parse(&w).unwrap();
    assert_eq!(m.options().nth(1), Some(Err(DhcpError::MissingLength { code: 12, offset: 243 })));
    // No end option: reading stops at the data end.
    let w = base[..243].to_vec();
    assert_eq!(Message::parse(&w).unwrap().options().count(), 1);
    // Wrong lengths for fixed-size options.
    let mut r = MessageRepr::request(1, MAC, 1);
    r.options =
        vec![(OPT_MESSAGE_TYPE, vec![1, 2]), (OPT_REQUESTED_IP, vec![1, 2, 3]), (OPT_LEASE_TIME, vec![])];
    let w = r.emit();
    let m = Message::parse(&w).unwrap();
    assert_eq!((m.message_type(), m.requested_ip(), m.lease_time()), (None, None, None));
    // Short header, no magic cookie.
    assert_eq!(Message::parse(&base[..100]).map(|_| ()), Err(DhcpError::Truncated { len: 100 }));
    let m = Message::parse(&base[..236]).unwrap();
    assert!(!m.is_dhcp());
    assert_eq!(m.options().count(), 0);
}

fn td(data: &[u8], v: u8) -> String {
    let mut s = String::new();
    write_tcpdump(&mut s, data, data.len(), v);
    s
}

/// Expected texts are what Debian's tcpdump 4.99.3 printed for these messages.
#[test]
fn tcpdump_text_examples() {
    let d = discover().emit();
    assert_eq!(td(&d, 0), "BOOTP/DHCP, Request from 00:0c:29:12:34:56, length 300");
    assert_eq!(td(&offer().emit(), 0), "BOOTP/DHCP, Reply, length 300");
    assert_eq!(
        td(&d, 1),
        "BOOTP/DHCP, Request from 00:0c:29:12:34:56, length 300, xid 0x6e32864, Flags [none]\n\
         \t  Client-Ethernet-Address 00:0c:29:12:34:56\n\
         \t  Vendor-rfc1048 Extensions\n\
         \t    Magic Cookie 0x63825363\n\
         \t    DHCP-Message (53), length 1: Discover\n\
         \t    Requested-IP (50), length 4: 192.168.1.4\n\
         \t    Parameter-Request (55), length 7: \n\
         \t      Subnet-Mask (1), BR (28), Time-Zone (2), Default-Gateway (3)\n\
         \t      Domain-Name (15), Domain-Name-Server (6), Hostname (12)\n\
         \t    Hostname (12), length 6: \"laptop\"\n\
         \t    Client-ID (61), length 7: ether 00:0c:29:12:34:56"
    );
    assert_eq!(
        td(&offer().emit(), 1),
        "BOOTP/DHCP, Reply, length 300, xid 0x6e32864, Flags [none]\n\
         \t  Your-IP 192.168.1.4\n\
         \t  Client-Ethernet-Address 00:0c:29:12:34:56\n\
         \t  Vendor-rfc1048 Extensions\n\
         \t    Magic Cookie 0x63825363\n\
         \t    DHCP-Message (53), length 1: Offer\n\
         \t    Server-ID (54), length 4: 192.168.1.1\n\
         \t    Lease-Time (51), length 4: 86400\n\
         \t    Subnet-Mask (1), length 4: 255.255.255.0\n\
         \t    Domain-Name (15), length 4: \"Home\""
    );
    // Cut inside the options.
    let mut s = String::new();
    write_tcpdump(&mut s, &d[..250], 300, 1);
    assert!(s.ends_with("Requested-IP (50), length 4: 192.168.1.4 [|bootp]"), "{s}");
}

fn ts(data: &[u8], field: &str) -> Option<String> {
    let mut s = String::new();
    write_field(data, field, &mut s).then_some(s)
}

/// Expected values are what tshark 4.0.17 printed for these messages.
#[test]
fn tshark_field_examples() {
    let d = discover().emit();
    assert_eq!(ts(&d, "dhcp.option.dhcp").as_deref(), Some("1"));
    assert_eq!(ts(&d, "dhcp.hw.mac_addr").as_deref(), Some("00:0c:29:12:34:56,00:0c:29:12:34:56"));
    assert_eq!(ts(&d, "dhcp.option.requested_ip_address").as_deref(), Some("192.168.1.4"));
    assert_eq!(ts(&d, "dhcp.option.hostname").as_deref(), Some("laptop"));
    assert_eq!(ts(&offer().emit(), "dhcp.option.hostname"), None);
    let mut r = MessageRepr::request(1, MAC, 1);
    r.options.push((OPT_MESSAGE_TYPE, vec![5]));
    r.options.push((OPT_HOSTNAME, b"a\0b".to_vec()));
    r.options.push((OPT_HOSTNAME, "é".as_bytes().to_vec()));
    assert_eq!(ts(&r.emit(), "dhcp.option.dhcp").as_deref(), Some("1,5"));
    assert_eq!(ts(&r.emit(), "dhcp.option.hostname").as_deref(), Some("a,\u{fffd}\u{fffd}"));
}

#[test]
fn every_prefix_and_mutation_is_safe() {
    let samples = [discover().emit(), offer().emit()];
    let check = |d: &[u8]| {
        if let Ok(m) = Message::parse(d) {
            let _ = (m.message_type(), m.hostname(), m.client_id(), m.options().count());
            let _ = MessageRepr::parse(&m);
        }
        for v in 0..4 {
            td(d, v);
        }
        let mut s = String::new();
        for f in FIELDS {
            write_field(d, f, &mut s);
        }
    };
    for s in &samples {
        for n in 0..=s.len() {
            check(&s[..n]);
        }
    }
    let mut x = 0x0bad_cafe_dead_beefu64;
    for i in 0..4000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let mut m = samples[i % 2].clone();
        for k in 0..3 {
            let at = 236 + ((x >> (8 * k)) as usize) % 64;
            m[at] = (x >> (24 + k)) as u8;
        }
        check(&m);
    }
}

/// A message cut by the snaplen, as tshark 4.0 shows it (pcapng-suite test004 and test012):
/// without the magic cookie, the client address if captured; with it, nothing at all when
/// Wireshark's first walk over the options runs into the missing bytes.
#[test]
fn captured_part_of_a_message_as_tshark() {
    let wire = discover().emit();
    let mac = |data: &[u8], wire_len: usize| {
        let mut out = String::new();
        write_field_captured(data, wire_len, "dhcp.hw.mac_addr", &mut out);
        out
    };
    assert_eq!(mac(&wire[..54], wire.len()), "00:0c:29:12:34:56");
    assert_eq!(mac(&wire[..33], wire.len()), "");
    // A short message whole on the wire reads the same way.
    assert_eq!(mac(&wire[..54], 54), "00:0c:29:12:34:56");
    // Cookie captured, options cut: no field.
    assert_eq!(mac(&wire[..260], wire.len()), "");
    let mut out = String::new();
    assert!(!write_field_captured(&wire[..260], wire.len(), "dhcp.option.dhcp", &mut out));
    // Cut after the End option (only padding missing): every field.
    let end = wire.iter().rposition(|&b| b == OPT_END).unwrap();
    assert_eq!(mac(&wire[..end + 1], wire.len()), "00:0c:29:12:34:56,00:0c:29:12:34:56");
    assert!(write_field_captured(&wire[..end + 1], wire.len(), "dhcp.option.dhcp", &mut out));
    assert_eq!(out, "1");
}
