//! Tests of whole specs: bytes against Scapy's, defaults, fan-out order, errors, probes.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::process::Command;

use super::*;
use crate::test_frames::hex;

/// (name, pktkit spec, the same packet in Scapy, Scapy 2.8.0's bytes as hex)
const SCAPY_CASES: &[(&str, &str, &str, &str)] = &[
    (
        "ip_tcp_syn",
        "IP(src=192.0.2.2,dst=10.0.0.2,ttl=5)/TCP(dport=80,flags=S)",
        "IP(src='192.0.2.2',dst='10.0.0.2',ttl=5)/TCP(dport=80,flags='S')",
        "45000028000100000506e9cbc00002020a00000200140050000000000000000050022000c37a0000",
    ),
    (
        "ip_tcp_defaults",
        "IP(src=192.0.2.2,dst=10.0.0.2)/TCP()",
        "IP(src='192.0.2.2',dst='10.0.0.2')/TCP()",
        "45000028000100004006aecbc00002020a00000200140050000000000000000050022000c37a0000",
    ),
    (
        "ip_tcp_everything",
        "IP(src=1.2.3.4,dst=5.6.7.8,id=0x1234,flags=DF,tos=0x10,frag=0)/TCP(sport=1234,dport=443,seq=1000,ack=2000,flags=PA,window=65535,urgptr=7,options=[('MSS',1460),('SAckOK',b''),('WScale',7),('Timestamp',(1,2)),('NOP',None),('EOL',None)])/Raw(load=\"hello\")",
        "IP(src='1.2.3.4',dst='5.6.7.8',id=0x1234,flags='DF',tos=0x10,frag=0)/TCP(sport=1234,dport=443,seq=1000,ack=2000,flags='PA',window=65535,urgptr=7,options=[('MSS',1460),('SAckOK',b''),('WScale',7),('Timestamp',(1,2)),('NOP',None),('EOL',None)])/Raw(load='hello')",
        "45100045123440004006185c010203040506070804d201bb000003e8000007d0b018ffffc6b70007020405b40402030307080a0000000100000002010000000068656c6c6f",
    ),
    (
        "tcp_short_options",
        "IP(src=1.2.3.4,dst=5.6.7.8)/TCP(options=[MSS=536,NOP,NOP,SAckOK])",
        "IP(src='1.2.3.4',dst='5.6.7.8')/TCP(options=[('MSS',536),('NOP',None),('NOP',None),('SAckOK',b'')])",
        "450000300001000040066ab4010203040506070800140050000000000000000070022000564400000204021801010402",
    ),
    (
        "tcp_fpu_ns",
        "IP(src=1.2.3.4,dst=5.6.7.8)/TCP(flags=FPUN,reserved=5)",
        "IP(src='1.2.3.4',dst='5.6.7.8')/TCP(flags='FPUN',reserved=5)",
        "450000280001000040066abc01020304050607080014005000000000000000005b29200074440000",
    ),
    (
        "ip_flags_frag",
        "IP(src=1.2.3.4,dst=5.6.7.8,flags='MF+DF',frag=100,proto=99)/Raw(load=abc)",
        "IP(src='1.2.3.4',dst='5.6.7.8',flags='MF+DF',frag=100,proto=99)/Raw(load=b'abc')",
        "450000170001606440630a0c0102030405060708616263",
    ),
    (
        "ip_raw_proto0",
        "IP(src=1.2.3.4,dst=5.6.7.8)/Raw(hex=616263)",
        "IP(src='1.2.3.4',dst='5.6.7.8')/Raw(load=b'abc')",
        "450000170001000040006ad30102030405060708616263",
    ),
    (
        "ip_only_default_dst",
        "IP(src=1.2.3.4)",
        "IP(src='1.2.3.4')",
        "45000014000100004000f7e2010203047f000001",
    ),
    (
        "udp_defaults",
        "IP(src=1.2.3.4,dst=5.6.7.8)/UDP()",
        "IP(src='1.2.3.4',dst='5.6.7.8')/UDP()",
        "4500001c0001000040116abd0102030405060708003500350008ef60",
    ),
    (
        "udp_payload",
        "IP(src=1.2.3.4,dst=5.6.7.8)/UDP(sport=12345,dport=9)/'x\\x00y'",
        "IP(src='1.2.3.4',dst='5.6.7.8')/UDP(sport=12345,dport=9)/b'x\\x00y'",
        "4500001f0001000040116aba010203040506070830390009000bce81780079",
    ),
    (
        "icmp_echo_default",
        "IP(src=1.2.3.4,dst=5.6.7.8)/ICMP()",
        "IP(src='1.2.3.4',dst='5.6.7.8')/ICMP()",
        "4500001c0001000040016acd01020304050607080800f7ff00000000",
    ),
    (
        "icmp_echo_reply_payload",
        "IP(src=1.2.3.4,dst=5.6.7.8)/ICMP(type=echo-reply,id=0x1234,seq=7)/Raw(load=ping)",
        "IP(src='1.2.3.4',dst='5.6.7.8')/ICMP(type='echo-reply',id=0x1234,seq=7)/Raw(load=b'ping')",
        "450000200001000040016ac9010203040506070800000ef41234000770696e67",
    ),
    (
        "icmp_unreach",
        "IP(src=1.2.3.4,dst=5.6.7.8)/ICMP(type=3,code=4,nexthopmtu=1400)",
        "IP(src='1.2.3.4',dst='5.6.7.8')/ICMP(type=3,code=4,nexthopmtu=1400)",
        "4500001c0001000040016acd01020304050607080304f78300000578",
    ),
    (
        "icmp_time_exceeded",
        "IP(src=1.2.3.4,dst=5.6.7.8)/ICMP(type=11,length=2)",
        "IP(src='1.2.3.4',dst='5.6.7.8')/ICMP(type=11,length=2)",
        "4500001c0001000040016acd01020304050607080b00f4fd00020000",
    ),
    (
        "icmp_redirect",
        "IP(src=1.2.3.4,dst=5.6.7.8)/ICMP(type=5,code=1,gw=9.9.9.9)",
        "IP(src='1.2.3.4',dst='5.6.7.8')/ICMP(type=5,code=1,gw='9.9.9.9')",
        "4500001c0001000040016acd01020304050607080501e8ec09090909",
    ),
    (
        "icmp_param_problem",
        "IP(src=1.2.3.4,dst=5.6.7.8)/ICMP(type=12,ptr=5)",
        "IP(src='1.2.3.4',dst='5.6.7.8')/ICMP(type=12,ptr=5)",
        "4500001c0001000040016acd01020304050607080c00eeff05000000",
    ),
    (
        "icmp_timestamp",
        "IP(src=1.2.3.4,dst=5.6.7.8)/ICMP(type=13,id=1,seq=2,ts_ori=3,ts_rx=4,ts_tx=5)",
        "IP(src='1.2.3.4',dst='5.6.7.8')/ICMP(type=13,id=1,seq=2,ts_ori=3,ts_rx=4,ts_tx=5)",
        "450000280001000040016ac101020304050607080d00f2f000010002000000030000000400000005",
    ),
    (
        "icmp_addr_mask",
        "IP(src=1.2.3.4,dst=5.6.7.8)/ICMP(type=18,addr_mask=255.255.255.0)",
        "IP(src='1.2.3.4',dst='5.6.7.8')/ICMP(type=18,addr_mask='255.255.255.0')",
        "450000200001000040016ac901020304050607081200eefe00000000ffffff00",
    ),
    (
        "icmp_router_adv_unused",
        "IP(src=1.2.3.4,dst=5.6.7.8)/ICMP(type=9,unused=0x01020304)",
        "IP(src='1.2.3.4',dst='5.6.7.8')/ICMP(type=9,unused=0x01020304)",
        "4500001c0001000040016acd01020304050607080900f2f901020304",
    ),
    (
        "ether_ip_icmp",
        "Ether(src=00:11:22:33:44:55,dst=66:77:88:99:aa:bb)/IP(src=1.2.3.4,dst=5.6.7.8)/ICMP()",
        "Ether(src='00:11:22:33:44:55',dst='66:77:88:99:aa:bb')/IP(src='1.2.3.4',dst='5.6.7.8')/ICMP()",
        "66778899aabb00112233445508004500001c0001000040016acd01020304050607080800f7ff00000000",
    ),
    (
        "ether_dot1q_ip",
        "Ether(src=00:11:22:33:44:55,dst=66:77:88:99:aa:bb)/Dot1Q(vlan=5,prio=3,dei=1)/IP(src=1.2.3.4,dst=5.6.7.8)/UDP()",
        "Ether(src='00:11:22:33:44:55',dst='66:77:88:99:aa:bb')/Dot1Q(vlan=5,prio=3,dei=1)/IP(src='1.2.3.4',dst='5.6.7.8')/UDP()",
        "66778899aabb0011223344558100700508004500001c0001000040116abd0102030405060708003500350008ef60",
    ),
    (
        "ether_raw_type",
        "Ether(src=00:11:22:33:44:55,dst=66:77:88:99:aa:bb)/Raw(load=x)",
        "Ether(src='00:11:22:33:44:55',dst='66:77:88:99:aa:bb')/Raw(load=b'x')",
        "66778899aabb001122334455900078",
    ),
    (
        "arp_who_has",
        "Ether(src=00:11:22:33:44:55)/ARP(hwsrc=00:11:22:33:44:55,psrc=192.0.2.2,pdst=192.0.2.1)",
        "Ether(src='00:11:22:33:44:55')/ARP(hwsrc='00:11:22:33:44:55',psrc='192.0.2.2',pdst='192.0.2.1')",
        "ffffffffffff00112233445508060001080006040001001122334455c0000202000000000000c0000201",
    ),
    (
        "arp_is_at",
        "Ether(src=00:11:22:33:44:55,dst=66:77:88:99:aa:bb)/ARP(op=is-at,hwsrc=00:11:22:33:44:55,psrc=192.0.2.2,hwdst=66:77:88:99:aa:bb,pdst=192.0.2.1)",
        "Ether(src='00:11:22:33:44:55',dst='66:77:88:99:aa:bb')/ARP(op='is-at',hwsrc='00:11:22:33:44:55',psrc='192.0.2.2',hwdst='66:77:88:99:aa:bb',pdst='192.0.2.1')",
        "66778899aabb00112233445508060001080006040002001122334455c000020266778899aabbc0000201",
    ),
    (
        "ipv6_echo_request",
        "IPv6(src=fe80::1,dst=fe80::2)/ICMPv6EchoRequest(id=1,seq=2,data=abc)",
        "IPv6(src='fe80::1',dst='fe80::2')/ICMPv6EchoRequest(id=1,seq=2,data=b'abc')",
        "60000000000b3a40fe800000000000000000000000000001fe8000000000000000000000000000028000be4f00010002616263",
    ),
    (
        "ipv6_echo_reply",
        "IPv6(src=2001:db8::1,dst=2001:db8::2,hlim=7,tc=3,fl=0x12345)/ICMPv6EchoReply(id=0xabcd,seq=9)",
        "IPv6(src='2001:db8::1',dst='2001:db8::2',hlim=7,tc=3,fl=0x12345)/ICMPv6EchoReply(id=0xabcd,seq=9)",
        "6031234500083a0720010db800000000000000000000000120010db800000000000000000000000281007771abcd0009",
    ),
    (
        "nd_ns",
        "IPv6(src=fe80::1)/ICMPv6ND_NS(tgt=fe80::2)/ICMPv6NDOptSrcLLAddr(lladdr=00:11:22:33:44:55)",
        "IPv6(src='fe80::1')/ICMPv6ND_NS(tgt='fe80::2')/ICMPv6NDOptSrcLLAddr(lladdr='00:11:22:33:44:55')",
        "6000000000203afffe800000000000000000000000000001ff0200000000000000000000000000018700150200000000fe8000000000000000000000000000020101001122334455",
    ),
    (
        "nd_na",
        "Ether(src=00:11:22:33:44:55,dst=33:33:00:00:00:01)/IPv6(src=fe80::2)/ICMPv6ND_NA(tgt=fe80::2,R=0,S=1,O=1)/ICMPv6NDOptDstLLAddr(lladdr=00:11:22:33:44:55)",
        "Ether(src='00:11:22:33:44:55',dst='33:33:00:00:00:01')/IPv6(src='fe80::2')/ICMPv6ND_NA(tgt='fe80::2',R=0,S=1,O=1)/ICMPv6NDOptDstLLAddr(lladdr='00:11:22:33:44:55')",
        "33330000000100112233445586dd6000000000203afffe800000000000000000000000000002ff0200000000000000000000000000018800b30060000000fe8000000000000000000000000000020201001122334455",
    ),
    (
        "nd_rs",
        "IPv6(src=fe80::1)/ICMPv6ND_RS()/ICMPv6NDOptSrcLLAddr(lladdr=00:11:22:33:44:55)",
        "IPv6(src='fe80::1')/ICMPv6ND_RS()/ICMPv6NDOptSrcLLAddr(lladdr='00:11:22:33:44:55')",
        "6000000000103afffe800000000000000000000000000001ff02000000000000000000000000000285001594000000000101001122334455",
    ),
    (
        "nd_ra",
        "IPv6(src=fe80::1)/ICMPv6ND_RA(chlim=64,M=1,prf=High,routerlifetime=600)",
        "IPv6(src='fe80::1')/ICMPv6ND_RA(chlim=64,M=1,prf='High',routerlifetime=600)",
        "6000000000103afffe800000000000000000000000000001ff0200000000000000000000000000018600394f408802580000000000000000",
    ),
    (
        "dns_qd_aaaa",
        "IP(src=1.2.3.4,dst=8.8.8.8)/UDP()/DNS(qd=DNSQR(qname=\"example.com\",qtype=\"AAAA\"))",
        "IP(src='1.2.3.4',dst='8.8.8.8')/UDP()/DNS(qd=DNSQR(qname='example.com',qtype='AAAA'))",
        "45000039000100004011669e010203040808080800350035002500b7000001000001000000000000076578616d706c6503636f6d00001c0001",
    ),
    (
        "dns_short_form",
        "IP(src=1.2.3.4,dst=8.8.8.8)/UDP(sport=33333)/DNS(id=0x1234,rd=0,qname=example.com,qtype=MX)",
        "IP(src='1.2.3.4',dst='8.8.8.8')/UDP(sport=33333)/DNS(id=0x1234,rd=0,qd=DNSQR(qname='example.com',qtype='MX'))",
        "45000039000100004011669e01020304080808088235003500257a82123400000001000000000000076578616d706c6503636f6d00000f0001",
    ),
    (
        "dns_default",
        "IP(src=1.2.3.4,dst=8.8.8.8)/UDP()/DNS()",
        "IP(src='1.2.3.4',dst='8.8.8.8')/UDP()/DNS()",
        "4500003d000100004011669a0102030408080808003500350029a0c000000100000100000000000003777777076578616d706c6503636f6d0000010001",
    ),
    (
        "dns_two_questions",
        "IP(src=1.2.3.4,dst=8.8.8.8)/UDP()/DNS(qd=[DNSQR(qname=a.example),DNSQR(qname=b.example,qtype=TXT)])",
        "IP(src='1.2.3.4',dst='8.8.8.8')/UDP()/DNS(qd=[DNSQR(qname='a.example'),DNSQR(qname='b.example',qtype='TXT')])",
        "45000046000100004011669101020304080808080035003500328e9f0000010000020000000000000161076578616d706c6500000100010162076578616d706c650000100001",
    ),
    (
        "dns_over_tcp",
        "IP(src=1.2.3.4,dst=8.8.8.8)/TCP(dport=53)/DNS(qname=example.com)",
        "IP(src='1.2.3.4',dst='8.8.8.8')/TCP(dport=53)/DNS(qd=DNSQR(qname='example.com'))",
        "45000047000100004006669b010203040808080800350035000000000000000050022000abb90000001d000001000001000000000000076578616d706c6503636f6d0000010001",
    ),
    (
        "ipv6_tcp",
        "IPv6(src=2001:db8::1,dst=2001:db8::2)/TCP(sport=1000,dport=22,flags=SA,seq=0xdeadbeef)",
        "IPv6(src='2001:db8::1',dst='2001:db8::2')/TCP(sport=1000,dport=22,flags='SA',seq=0xdeadbeef)",
        "600000000014064020010db800000000000000000000000120010db800000000000000000000000203e80016deadbeef000000005012200092c20000",
    ),
    (
        "ipv6_udp_dns",
        "IPv6(src=2001:db8::1,dst=2001:db8::2)/UDP()/DNS(qname=example.org,qtype=A)",
        "IPv6(src='2001:db8::1',dst='2001:db8::2')/UDP()/DNS(qd=DNSQR(qname='example.org',qtype='A'))",
        "600000000025114020010db800000000000000000000000120010db8000000000000000000000002003500350025d151000001000001000000000000076578616d706c65036f72670000010001",
    ),
    (
        "ipv6_raw_nh59",
        "IPv6(src=::1,dst=::1)/Raw(load=abc)",
        "IPv6(src='::1',dst='::1')/Raw(load=b'abc')",
        "6000000000033b400000000000000000000000000000000100000000000000000000000000000001616263",
    ),
    (
        "ip_in_ip",
        "IP(src=1.2.3.4,dst=5.6.7.8)/IP(src=10.0.0.1,dst=10.0.0.2)/ICMP()",
        "IP(src='1.2.3.4',dst='5.6.7.8')/IP(src='10.0.0.1',dst='10.0.0.2')/ICMP()",
        "450000300001000040046ab601020304050607084500001c00010000400166de0a0000010a0000020800f7ff00000000",
    ),
    (
        "ip_in_ipv6",
        "IPv6(src=::1,dst=::1)/IP(src=1.2.3.4,dst=5.6.7.8)",
        "IPv6(src='::1',dst='::1')/IP(src='1.2.3.4',dst='5.6.7.8')",
        "60000000001404400000000000000000000000000000000100000000000000000000000000000001450000140001000040006ad60102030405060708",
    ),
    (
        "ipv6_in_ip",
        "IP(src=1.2.3.4,dst=5.6.7.8)/IPv6(src=::1,dst=::2)/UDP()",
        "IP(src='1.2.3.4',dst='5.6.7.8')/IPv6(src='::1',dst='::2')/UDP()",
        "450000440001000040296a7d010203040506070860000000000811400000000000000000000000000000000100000000000000000000000000000002003500350008ff71",
    ),
    (
        "explicit_bad_checksums",
        "IP(src=1.2.3.4,dst=5.6.7.8,chksum=0x1234)/TCP(chksum=0)",
        "IP(src='1.2.3.4',dst='5.6.7.8',chksum=0x1234)/TCP(chksum=0)",
        "45000028000100004006123401020304050607080014005000000000000000005002200000000000",
    ),
    (
        "explicit_udp_len_chksum",
        "IP(src=1.2.3.4,dst=5.6.7.8,len=1000)/UDP(len=3,chksum=0xbeef)/Raw(load=abcdef)",
        "IP(src='1.2.3.4',dst='5.6.7.8',len=1000)/UDP(len=3,chksum=0xbeef)/Raw(load=b'abcdef')",
        "450003e800010000401166f10102030405060708003500350003beef616263646566",
    ),
    (
        "explicit_icmp_chksum",
        "IP(src=1.2.3.4,dst=5.6.7.8,ihl=6,version=5)/ICMP(chksum=1)",
        "IP(src='1.2.3.4',dst='5.6.7.8',ihl=6,version=5)/ICMP(chksum=1)",
        "5600001c00010000400159cd01020304050607080800000100000000",
    ),
    (
        "explicit_icmpv6_cksum",
        "IPv6(src=::1,dst=::2,plen=99,nh=17)/ICMPv6EchoRequest(cksum=2)",
        "IPv6(src='::1',dst='::2',plen=99,nh=17)/ICMPv6EchoRequest(cksum=2)",
        "600000000063114000000000000000000000000000000001000000000000000000000000000000028000000200000000",
    ),
    (
        "explicit_dataofs",
        "IP(src=1.2.3.4,dst=5.6.7.8)/TCP(dataofs=15)",
        "IP(src='1.2.3.4',dst='5.6.7.8')/TCP(dataofs=15)",
        "450000280001000040066abc0102030405060708001400500000000000000000f0022000df6a0000",
    ),
    (
        "ether_types_explicit",
        "Ether(src=00:11:22:33:44:55,dst=66:77:88:99:aa:bb,type=0x88b5)/IP(src=1.2.3.4,dst=5.6.7.8)",
        "Ether(src='00:11:22:33:44:55',dst='66:77:88:99:aa:bb',type=0x88b5)/IP(src='1.2.3.4',dst='5.6.7.8')",
        "66778899aabb00112233445588b5450000140001000040006ad60102030405060708",
    ),
    (
        "raw_escapes",
        "IP(src=1.2.3.4,dst=5.6.7.8)/Raw(load=\"GET / HTTP/1.0\\r\\n\\r\\n\")",
        "IP(src='1.2.3.4',dst='5.6.7.8')/Raw(load=b'GET / HTTP/1.0\\r\\n\\r\\n')",
        "450000260001000040006ac40102030405060708474554202f20485454502f312e300d0a0d0a",
    ),
];

fn one(spec: &str) -> CraftedPacket {
    let mut v = craft(spec, &Offline).unwrap_or_else(|e| panic!("{spec}: {e}"));
    assert_eq!(v.len(), 1, "{spec}");
    v.remove(0)
}

fn err(spec: &str) -> String {
    craft(spec, &Offline).unwrap_err().to_string()
}

#[test]
fn bytes_equal_scapys() {
    for (name, spec, _, expected) in SCAPY_CASES {
        assert_eq!(hex(&one(spec).bytes), *expected, "case {name}: {spec}");
    }
}

/// Runs Python Scapy on `exprs` (one per line) and returns each packet's hex; None (with a
/// printed notice) when Python or Scapy is missing.
fn scapy(exprs: &[String]) -> Option<Vec<String>> {
    let program = "import sys, logging\n\
        logging.getLogger('scapy').setLevel(logging.ERROR)\n\
        from scapy.all import *\n\
        for line in sys.argv[1:]:\n    print(' '.join(bytes(p).hex() for p in eval(line)))\n";
    let out = Command::new("python3").arg("-c").arg(program).args(exprs).output();
    match out {
        Ok(o) if o.status.success() => {
            Some(String::from_utf8_lossy(&o.stdout).lines().map(str::to_string).collect())
        }
        Ok(o) => {
            println!(
                "skip: Python Scapy is not usable here ({})",
                String::from_utf8_lossy(&o.stderr).lines().last().unwrap_or("")
            );
            None
        }
        Err(e) => {
            println!("skip: python3 not found ({e})");
            None
        }
    }
}

#[test]
fn scapy_oracle_when_installed() {
    let exprs: Vec<String> = SCAPY_CASES.iter().map(|(_, _, e, _)| format!("[{e}]")).collect();
    let Some(got) = scapy(&exprs) else { return };
    assert_eq!(got.len(), SCAPY_CASES.len());
    for ((name, spec, _, _), scapy_hex) in SCAPY_CASES.iter().zip(&got) {
        assert_eq!(&hex(&one(spec).bytes), scapy_hex, "case {name}: live Scapy differs");
    }
    // Fan-out order, compared packet by packet.
    let fan = [
        (
            "IP(src=1.1.1.1,dst=[2.2.2.2,3.3.3.3],ttl=[1,2])/TCP(dport=[1,2],sport=[5,6])",
            "IP(src='1.1.1.1',dst=['2.2.2.2','3.3.3.3'],ttl=[1,2])/TCP(dport=[1,2],sport=[5,6])",
        ),
        (
            "IP(src=1.1.1.1,dst=10.0.0.0/30)/ICMP(seq=(1,3))",
            "IP(src='1.1.1.1',dst='10.0.0.0/30')/ICMP(seq=(1,3))",
        ),
        (
            "Ether(src=00:00:00:00:00:01,dst=00:00:00:00:00:02)/IP(src=1.1.1.1,dst=2.2.2.2)/UDP(dport=[53,(1000,1001)])",
            "Ether(src='00:00:00:00:00:01',dst='00:00:00:00:00:02')/IP(src='1.1.1.1',dst='2.2.2.2')/UDP(dport=[53,1000,1001])",
        ),
    ];
    let exprs: Vec<String> = fan.iter().map(|(_, e)| format!("list({e})")).collect();
    let Some(got) = scapy(&exprs) else { return };
    for ((spec, _), line) in fan.iter().zip(got) {
        let ours: Vec<String> = craft(spec, &Offline).unwrap().iter().map(|p| hex(&p.bytes)).collect();
        let theirs: Vec<&str> = line.split(' ').collect();
        assert_eq!(ours, theirs, "{spec}");
    }
    println!("Scapy agreed on {} single packets and {} fan-outs", SCAPY_CASES.len(), fan.len());
}

#[test]
fn scapy_defaults() {
    let p = one("IP()/TCP()");
    let b = &p.bytes;
    assert_eq!(b[0], 0x45, "version 4, ihl 5");
    assert_eq!(b[1], 0, "tos");
    assert_eq!(&b[2..4], &[0, 40], "len");
    assert_eq!(&b[4..6], &[0, 1], "id 1");
    assert_eq!(&b[6..8], &[0, 0], "flags and frag 0");
    assert_eq!(b[8], 64, "ttl");
    assert_eq!(b[9], 6, "proto from TCP");
    assert_eq!(&b[12..16], &[0, 0, 0, 0], "Offline: src 0.0.0.0");
    assert_eq!(&b[16..20], &[127, 0, 0, 1], "dst 127.0.0.1");
    assert_eq!(&b[20..24], &[0, 20, 0, 80], "sport 20, dport 80");
    assert_eq!(&b[24..32], &[0; 8], "seq, ack 0");
    assert_eq!(&b[32..34], &[0x50, 0x02], "dataofs 5, flags S");
    assert_eq!(&b[34..36], &8192u16.to_be_bytes(), "window");
    assert_eq!(&b[38..40], &[0, 0], "urgptr");

    let b = one("IP()/UDP()").bytes;
    assert_eq!(&b[20..26], &[0, 53, 0, 53, 0, 8]);
    let b = one("IP()/ICMP()").bytes;
    assert_eq!(b[9], 1);
    assert_eq!(&b[20..22], &[8, 0]);
    assert_eq!(&b[24..28], &[0; 4]);

    let b = one("IPv6()/TCP()").bytes;
    assert_eq!(&b[0..4], &[0x60, 0, 0, 0]);
    assert_eq!((b[6], b[7]), (6, 64), "nh from TCP, hlim 64");
    assert_eq!(&b[24..40], &Ipv6Addr::LOCALHOST.octets());
    assert_eq!(one("IPv6()").bytes[6], 59, "no next header");
    assert_eq!(one("IPv6()/ICMPv6EchoRequest()").bytes[6], 58);

    let b = one("Ether()/ARP()").bytes;
    assert_eq!(&b[0..6], &[0xff; 6], "who-has goes to broadcast");
    assert_eq!(&b[6..12], &[0; 6], "Offline: source MAC zero");
    assert_eq!(&b[12..14], &[8, 6]);
    assert_eq!(&b[14..22], &[0, 1, 8, 0, 6, 4, 0, 1], "hwtype 1, ptype IPv4, lengths, who-has");

    let b = one("Ether()/Dot1Q()").bytes;
    assert_eq!(&b[12..18], &[0x81, 0x00, 0, 1, 0, 0], "vlan 1, type 0");
    assert_eq!(&one("Ether()").bytes[12..14], &[0x90, 0x00]);

    let b = one("IP()/UDP()/DNS()").bytes;
    assert_eq!(&b[28..40], &[0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0], "id 0, rd 1, qdcount 1");
    assert_eq!(&b[40..], b"\x03www\x07example\x03com\x00\x00\x01\x00\x01");
}

#[test]
fn arp_and_dot1q_alone_get_ethernet() {
    let p = one("ARP(pdst=192.0.2.1)");
    assert_eq!(p.start, StartLayer::Link);
    assert_eq!(p.bytes.len(), 42);
    assert_eq!(&p.bytes[12..14], &[8, 6]);
    assert_eq!(one("Dot1Q(vlan=7)/IP()").bytes[12..16], [0x81, 0, 0, 7]);
    assert_eq!(err("TCP()"), "at 0: a packet starts with Ether, IP or IPv6 (or ARP/Dot1Q), not TCP");
}

#[test]
fn destination_macs_without_lookups() {
    let dst = |spec: &str| one(spec).bytes[0..6].to_vec();
    assert_eq!(dst("Ether()/IP(dst=224.0.0.251)"), [1, 0, 0x5e, 0, 0, 0xfb]);
    assert_eq!(dst("Ether()/IP(dst=239.200.1.2)"), [1, 0, 0x5e, 0x48, 1, 2]);
    assert_eq!(dst("Ether()/IPv6(dst=ff02::1:ff00:1234)"), [0x33, 0x33, 0xff, 0, 0x12, 0x34]);
    assert_eq!(dst("Ether()/IPv6()/ICMPv6ND_RS()"), [0x33, 0x33, 0, 0, 0, 2]);
    assert_eq!(dst("Ether()/Dot1Q()/IP(dst=224.0.0.1)"), [1, 0, 0x5e, 0, 0, 1]);
    assert_eq!(dst("Ether()/IP(dst=255.255.255.255)"), [0xff; 6]);
    assert_eq!(dst("Ether()/IP(dst=10.1.2.3)"), [0xff; 6], "unresolvable: broadcast");
    assert_eq!(dst("Ether()/ARP(op=2,pdst=10.1.2.3)"), [0xff; 6]);
}

#[test]
fn neighbour_discovery_overloads_ipv6() {
    let b = one("IPv6()/ICMPv6ND_NS(tgt=fe80::9)").bytes;
    assert_eq!(b[7], 255, "hlim 255");
    assert_eq!(&b[24..40], &"ff02::1".parse::<Ipv6Addr>().unwrap().octets());
    let b = one("IPv6(dst=ff02::1:ff00:9,hlim=7)/ICMPv6ND_NS(tgt=fe80::9)").bytes;
    assert_eq!(b[7], 7);
    assert_eq!(&b[24..40], &"ff02::1:ff00:9".parse::<Ipv6Addr>().unwrap().octets());
    // The option's default lladdr is the interface's MAC; Offline knows none.
    let b = one("IPv6()/ICMPv6ND_NS()/ICMPv6NDOptSrcLLAddr()").bytes;
    assert_eq!(&b[64..72], &[1, 1, 0, 0, 0, 0, 0, 0]);
}

/// Checks a transport checksum by summing the pseudo-header and segment to zero.
fn verify_l4(b: &[u8], proto: u8) {
    let (src, dst, body) = (&b[12..16], &b[16..20], &b[20..]);
    let mut pseudo = Vec::new();
    pseudo.extend_from_slice(src);
    pseudo.extend_from_slice(dst);
    pseudo.extend_from_slice(&[0, proto]);
    pseudo.extend_from_slice(&(body.len() as u16).to_be_bytes());
    assert_eq!(crate::checksum::checksum(&[&pseudo, body]), 0, "{proto}: {}", hex(b));
}

#[test]
fn computed_checksums_verify() {
    for spec in [
        "IP(src=10.9.8.7,dst=1.2.3.4)/TCP(sport=4242,dport=22,seq=99,flags=SA)/Raw(load=odd)",
        "IP(src=10.9.8.7,dst=1.2.3.4)/TCP(options=[MSS=1400,WScale=3])",
    ] {
        let b = one(spec).bytes;
        assert_eq!(crate::checksum::checksum(&[&b[..20]]), 0);
        verify_l4(&b, 6);
    }
    let b = one("IP(src=10.9.8.7,dst=1.2.3.4)/UDP()/Raw(load=abc)").bytes;
    verify_l4(&b, 17);
    let b = one("IP(src=10.9.8.7,dst=1.2.3.4)/ICMP(seq=9)/Raw(load=abc)").bytes;
    assert_eq!(crate::checksum::checksum(&[&b[20..]]), 0);
    // A UDP checksum that computes to 0 is sent as 0xffff: with source port 0 the checksum is
    // c, so source port c makes the one's-complement sum 0xffff and the checksum 0.
    let c = one("IP(src=1.2.3.4,dst=5.6.7.8)/UDP(sport=0,dport=0)").bytes[26..28].to_vec();
    let port = u16::from_be_bytes([c[0], c[1]]);
    let b = one(&format!("IP(src=1.2.3.4,dst=5.6.7.8)/UDP(sport={port},dport=0)")).bytes;
    assert_eq!(&b[26..28], &[0xff, 0xff]);
    verify_l4(&b, 17);
}

#[test]
fn explicit_fields_are_honoured() {
    let b = one("IP(src=1.2.3.4,dst=5.6.7.8,chksum=0x1234,len=7,ihl=15,version=6,proto=200)/TCP(chksum=0xabcd,dataofs=2)").bytes;
    assert_eq!(&b[10..12], &[0x12, 0x34]);
    assert_eq!(&b[2..4], &[0, 7]);
    assert_eq!(b[0], 0x6f);
    assert_eq!(b[9], 200);
    assert_eq!(&b[36..38], &[0xab, 0xcd]);
    assert_eq!(b[32] >> 4, 2);
    let b = one("IP(src=1.2.3.4,dst=5.6.7.8)/UDP(chksum=0)").bytes;
    assert_eq!(&b[26..28], &[0, 0]);
    let b = one("IPv6()/ICMPv6EchoRequest(cksum=0xdead,type=200,code=3)").bytes;
    assert_eq!(&b[40..44], &[200, 3, 0xde, 0xad]);
    let b = one("IPv6()/ICMPv6ND_NS()/ICMPv6NDOptSrcLLAddr(type=9,len=3,lladdr=01:02:03:04:05:06)").bytes;
    assert_eq!(&b[64..72], &[9, 3, 1, 2, 3, 4, 5, 6]);
    let b = one("IP()/TCP(dport=53)/DNS(length=1,qdcount=9,ancount=1)").bytes;
    assert_eq!(&b[40..42], &[0, 1]);
    assert_eq!(&b[46..50], &[0, 9, 0, 1]);
}

#[test]
fn fan_out_counts_and_order() {
    let spec =
        Spec::parse("IP(src=1.1.1.1,dst=[2.2.2.2,3.3.3.3],ttl=[1,2])/TCP(dport=[1,2],sport=[5,6])").unwrap();
    assert_eq!(spec.count(), 16);
    let got: Vec<(u8, u8, u16, u16)> = spec
        .packets(&Offline)
        .unwrap()
        .map(|p| {
            let b = p.unwrap().bytes;
            (b[19], b[8], u16::from_be_bytes([b[20], b[21]]), u16::from_be_bytes([b[22], b[23]]))
        })
        .collect();
    // Scapy 2.8.0: `for p in IP(dst=[..],ttl=[..])/TCP(dport=[..],sport=[..])`.
    let mut expected = Vec::new();
    for dst in [2, 3] {
        for ttl in [1, 2] {
            for dport in [1, 2] {
                for sport in [5, 6] {
                    expected.push((dst, ttl, sport, dport));
                }
            }
        }
    }
    assert_eq!(got, expected);

    let p = craft("IP(dst=10.0.0.0/30)/TCP(dport=(20,25))", &Offline).unwrap();
    assert_eq!(p.len(), 24);
    assert_eq!(p[0].dst, Some(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 0))));
    assert_eq!(p[23].dst, Some(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 3))));
    let ports: Vec<u16> = p[..6].iter().map(|p| u16::from_be_bytes([p.bytes[22], p.bytes[23]])).collect();
    assert_eq!(ports, [20, 21, 22, 23, 24, 25]);

    let p = craft("IP()/TCP(flags=[S,SA,R],options=[MSS=1])", &Offline).unwrap();
    let flags: Vec<u8> = p.iter().map(|p| p.bytes[33]).collect();
    assert_eq!(flags, [0x02, 0x12, 0x04]);
    let p = craft("IP()/UDP()/DNS(qname=[a.example,b.example],qtype=[A,AAAA])", &Offline).unwrap();
    let names: Vec<(u8, u8)> = p.iter().map(|p| (p.bytes[41], p.bytes[52])).collect();
    assert_eq!(names, [(b'a', 1), (b'b', 1), (b'a', 28), (b'b', 28)]);
}

#[test]
fn fan_out_limits() {
    let spec = Spec::parse("IP(dst=10.0.0.0/8)/TCP(dport=(1,65535))").unwrap();
    assert_eq!(spec.count(), (1u128 << 24) * 65535);
    assert!(matches!(
        craft("IP(dst=10.0.0.0/8)", &Offline),
        Err(CraftError::TooMany { count: 16_777_216, .. })
    ));
    // The iterator builds lazily: the first packets come without building the rest.
    let mut it = spec.packets(&Offline).unwrap();
    let first = it.next().unwrap().unwrap();
    assert_eq!(first.dst, Some(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 0))));
    let spec = Spec::parse("IPv6(dst=::/0)/ICMPv6EchoRequest(seq=(0,65535))").unwrap();
    assert_eq!(spec.count(), u128::MAX);
    assert!(spec.packets(&Offline).unwrap().next().unwrap().is_ok());
}

#[test]
fn malformed_specs_report_positions() {
    let cases: &[(&str, &str)] = &[
        ("IP(dst=10.0.0.2,ttl=5", "at 21: expected ',' or ')' after field value, found end of spec"),
        ("IP(dst=10.0.0.2 ttl=5)", "at 16: expected ',' or ')' after field value, found 't'"),
        (
            "IP(dst=10.0.0.2)/TCPP(dport=80)",
            "unknown layer 'TCPP' at 17 (known: Ether, Dot1Q, ARP, IP, IPv6, TCP, UDP, ICMP, ICMPv6EchoRequest, ICMPv6EchoReply, ICMPv6ND_NS, ICMPv6ND_NA, ICMPv6ND_RS, ICMPv6ND_RA, ICMPv6NDOptSrcLLAddr, ICMPv6NDOptDstLLAddr, DNS, Raw)",
        ),
        (
            "IP()/TCP(dport=80,dprt=1)",
            "unknown field 'dprt' for TCP at 18 (known: sport, dport, seq, ack, dataofs, reserved, flags, window, chksum, urgptr, options)",
        ),
        ("IP(dst=10.0.0.300)", "bad IPv4 address '10.0.0.300' at 7"),
        ("IP(dst=\"10.0.0.300\")", "bad IPv4 address '10.0.0.300' at 7"),
        (
            "IP()/TCP(flags=SYN)",
            "bad TCP flags 'SYN' at 15: expected letters of FSRPAUECN (e.g. S, SA, FPU) or a number below 512",
        ),
        (
            "IP()/TCP(dport=65536)",
            "bad value '65536' at 15: dport takes a number from 0 to 65535 or a name (echo, discard, daytime, ftp-data, ftp_data, ftp, ssh, telnet, smtp, time, domain, bootps, ...)",
        ),
        ("IP()/TCP(dport=(10,1))", "bad range '(10,1)' at 15: first is above last: it would make no packet"),
        (
            "Ether(dst=ff:ff)/IP()",
            "bad MAC address 'ff:ff' at 10: expected six hex bytes like 00:11:22:33:44:55",
        ),
        (
            "IP()/ICMP(type=3,id=5)",
            "at 17: ICMP type 3 has no field 'id' (its fields after chksum: reserved, length, nexthopmtu)",
        ),
        ("IP()/UDP()/DNS(length=5)", "at 15: DNS has a length field only directly over TCP"),
        (
            "IP()/UDP()/DNS(qname=a..b)",
            "bad DNS name 'a..b' at 21: bad label \"\" in name (labels are 1 to 63 bytes)",
        ),
        (
            "IP(dst=www.example.com)",
            "cannot resolve host name 'www.example.com' at 7: host names are not resolved offline",
        ),
        (
            "IP()/TCP(options=[('MSS',1460,1)])",
            "bad TCP option '('MSS',1460,1)' at 18: expected (name, value)",
        ),
        ("IP()//TCP()", "at 5: expected a layer name, found '/'"),
        ("IP()/Raw(load=x)/", "at 17: expected a layer name, found end of spec"),
    ];
    for (spec, message) in cases {
        let e = craft(spec, &Offline).unwrap_err();
        assert_eq!(e.to_string(), *message, "{spec}");
    }
    let e = craft("IP()/UDP(dport=(1,10))/ICMP(type=3,seq=1)", &Offline).unwrap_err();
    assert_eq!(e.pos(), Some(35));
}

#[test]
fn oversized_payloads_are_refused_unless_lengths_are_given() {
    let big = "x".repeat(70_000);
    assert!(err(&format!("IP()/Raw(load={big})")).contains("more than its 16-bit length field holds"));
    assert!(err(&format!("IPv6()/UDP()/Raw(load={big})")).contains("UDP datagram"));
    let p = craft(&format!("IP(len=20)/Raw(load={big})"), &Offline).unwrap();
    assert_eq!(p[0].bytes.len(), 70_020);
}

#[test]
fn probes_describe_the_request() {
    let p = one("IP(src=10.0.0.1,dst=10.0.0.2)/TCP(sport=1234,dport=443,seq=77,flags=S)");
    assert_eq!(p.start, StartLayer::Network);
    assert_eq!(p.start.linktype(), crate::capture::LinkType::RAW);
    assert_eq!(p.dst, Some(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2))));
    assert_eq!(p.probe.src, Some(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1))));
    assert_eq!(
        p.probe.kind,
        ProbeKind::Tcp { sport: 1234, dport: 443, seq: 77, ack: 0, flags: 2, payload_len: 0 }
    );
    let p = one("Ether()/IP(dst=8.8.8.8)/UDP(sport=5353)/DNS(id=99)");
    assert_eq!(p.start.linktype(), crate::capture::LinkType::ETHERNET);
    assert_eq!(p.probe.kind, ProbeKind::Udp { sport: 5353, dport: 53, dns_id: Some(99) });
    let p = one("IP()/TCP(flags=PA,ack=5)/'hello'");
    assert_eq!(
        p.probe.kind,
        ProbeKind::Tcp { sport: 20, dport: 80, seq: 0, ack: 5, flags: 0x18, payload_len: 5 }
    );
    let p = one("IP()/TCP()/DNS()");
    assert_eq!(
        p.probe.kind,
        ProbeKind::Tcp { sport: 53, dport: 53, seq: 0, ack: 0, flags: 2, payload_len: 35 }
    );
    let p = one("IP()/ICMP(id=7,seq=8)");
    assert_eq!(p.probe.kind, ProbeKind::Icmp { icmp_type: 8, code: 0, id: Some(7), seq: Some(8) });
    let p = one("IP()/ICMP(type=11)");
    assert_eq!(p.probe.kind, ProbeKind::Icmp { icmp_type: 11, code: 0, id: None, seq: None });
    let p = one("IPv6(dst=::2)/ICMPv6EchoRequest(id=3,seq=4)");
    assert_eq!(p.probe.dst, Some("::2".parse().unwrap()));
    assert_eq!(
        p.probe.kind,
        ProbeKind::Icmpv6 { icmp_type: 128, code: 0, id: Some(3), seq: Some(4), target: None }
    );
    let p = one("IPv6()/ICMPv6ND_NS(tgt=fe80::5)");
    assert_eq!(
        p.probe.kind,
        ProbeKind::Icmpv6 {
            icmp_type: 135,
            code: 0,
            id: None,
            seq: None,
            target: Some("fe80::5".parse().unwrap())
        }
    );
    let p = one("ARP(psrc=1.1.1.1,pdst=2.2.2.2)");
    assert_eq!(
        p.probe.kind,
        ProbeKind::Arp { op: 1, psrc: Ipv4Addr::new(1, 1, 1, 1), pdst: Ipv4Addr::new(2, 2, 2, 2) }
    );
    assert_eq!(p.dst, None);
    assert_eq!(one("IP()/Raw(load=x)").probe.kind, ProbeKind::Other);
}

#[test]
fn system_environment_on_this_machine() {
    let env = System::for_file();
    let p = craft("IP(dst=127.0.0.1)/TCP()", &env).unwrap().remove(0);
    assert_eq!(&p.bytes[12..16], &[127, 0, 0, 1], "the kernel's source for the loopback");
    let p = craft("IP(dst=localhost)/ICMP()", &env).unwrap().remove(0);
    assert_eq!(p.dst, Some(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    let p = craft("Ether()/IP(dst=127.0.0.1)", &env).unwrap().remove(0);
    assert_eq!(
        &p.bytes[0..12],
        &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0],
        "loopback: Scapy's broadcast"
    );

    // The default gateway, when there is one: Ethernet goes to its ARP cache entry.
    let route = std::fs::read_to_string("/proc/net/route").unwrap_or_default();
    let gateway = route.lines().skip(1).find_map(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        (f.get(1) == Some(&"00000000") && f.get(2) != Some(&"00000000"))
            .then(|| u32::from_str_radix(f.get(2)?, 16).ok())
            .flatten()
            .map(|g| (Ipv4Addr::from(g.to_ne_bytes()), f[0].to_string()))
    });
    let Some((gw, iface)) = gateway else {
        println!("skip: no IPv4 default route on this machine");
        return;
    };
    let send = System::for_sending();
    let p = craft("Ether()/IP(dst=198.51.100.7)/ICMP()", &send).unwrap().remove(0);
    assert_eq!(p.interface.as_deref(), Some(iface.as_str()));
    let mac = std::fs::read_to_string(format!("/sys/class/net/{iface}/address")).unwrap_or_default();
    assert_eq!(hex(&p.bytes[6..12]), mac.trim().replace(':', ""), "source MAC of {iface}");
    let arp = std::fs::read_to_string("/proc/net/arp").unwrap_or_default();
    match arp.lines().find(|l| l.split_whitespace().next() == Some(&gw.to_string()) && l.contains("0x2")) {
        Some(line) => {
            let gw_mac = line.split_whitespace().nth(3).unwrap().replace(':', "");
            assert_eq!(hex(&p.bytes[0..6]), gw_mac, "destination MAC is the gateway's");
        }
        None => println!("skip: the gateway {gw} is not in the ARP cache"),
    }
    let file = craft("Ether()/IP(dst=198.51.100.7)/ICMP()", &env).unwrap().remove(0);
    assert_eq!(&file.bytes[6..12], &[0; 6], "for files the source MAC is zero");
    assert_eq!(file.bytes[26..30], p.bytes[26..30], "same IP source either way");
}

#[test]
fn mutated_specs_never_panic() {
    // Every prefix of every spec, and every spec with one byte replaced by a character the
    // grammar treats specially: each gives packets or an error, never a panic.
    let specials = [",", "(", ")", "[", "]", "=", "'", "\"", "/", "\\", " ", "0x", "é", "(1,2)", "[]"];
    let mut outcomes = (0usize, 0usize);
    for (_, spec, _, _) in SCAPY_CASES {
        let cuts: Vec<usize> = (0..=spec.len()).filter(|i| spec.is_char_boundary(*i)).collect();
        for &i in &cuts {
            let variants = std::iter::once(spec[..i].to_string()).chain(specials.iter().filter_map(|s| {
                let next = cuts.iter().find(|&&j| j > i)?;
                Some(format!("{}{s}{}", &spec[..i], &spec[*next..]))
            }));
            for v in variants {
                match craft(&v, &Offline) {
                    Ok(_) => outcomes.0 += 1,
                    Err(e) => {
                        if let Some(pos) = e.pos() {
                            assert!(pos <= v.len(), "{v}: {e}");
                        }
                        outcomes.1 += 1;
                    }
                }
            }
        }
    }
    assert!(outcomes.0 > 0 && outcomes.1 > 0, "{outcomes:?}");
}

#[test]
fn system_defaults_match_scapy_on_this_machine() {
    // Specs whose defaults come from this machine's routes and interfaces, and for which Scapy
    // sends nothing while building (no ARP resolution: broadcast and multicast destinations).
    let specs = [
        ("IP(dst=10.0.0.2,ttl=5)/TCP(dport=80,flags=S)", "IP(dst='10.0.0.2',ttl=5)/TCP(dport=80,flags='S')"),
        ("IP(dst=192.0.2.1)/ICMP()", "IP(dst='192.0.2.1')/ICMP()"),
        ("IPv6(dst=fd00::99)/ICMPv6EchoRequest()", "IPv6(dst='fd00::99')/ICMPv6EchoRequest()"),
        ("IPv6(dst=2001:db8::1)/UDP()/DNS()", "IPv6(dst='2001:db8::1')/UDP()/DNS()"),
        ("IPv6()/ICMPv6ND_RS()", "IPv6()/ICMPv6ND_RS()"),
        ("Ether()/ARP(pdst=192.0.2.1)", "Ether()/ARP(pdst='192.0.2.1')"),
        ("Ether()/IP(dst=224.0.0.251)/UDP()", "Ether()/IP(dst='224.0.0.251')/UDP()"),
        (
            "Ether(dst=ff:ff:ff:ff:ff:ff)/IPv6()/ICMPv6ND_NS(tgt=fe80::1)/ICMPv6NDOptSrcLLAddr(lladdr=02:00:00:00:00:01)",
            "Ether(dst='ff:ff:ff:ff:ff:ff')/IPv6()/ICMPv6ND_NS(tgt='fe80::1')/ICMPv6NDOptSrcLLAddr(lladdr='02:00:00:00:00:01')",
        ),
    ];
    let exprs: Vec<String> = specs.iter().map(|(_, e)| format!("[{e}]")).collect();
    let Some(got) = scapy(&exprs) else { return };
    let env = System::for_sending();
    let mut same = 0;
    for ((spec, _), theirs) in specs.iter().zip(&got) {
        let ours = hex(&craft(spec, &env).unwrap()[0].bytes);
        if &ours == theirs {
            same += 1;
        } else {
            println!("differs on this machine: {spec}\n  pktkit {ours}\n  scapy  {theirs}");
        }
    }
    println!("{same} of {} machine-dependent packets equal Scapy's", specs.len());
    assert_eq!(same, specs.len());
}
