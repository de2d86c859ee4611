//! sFlow as tcpdump 4.99.3's `sflow_print`: the datagram header, and with `-v` the sample
//! headers (their records are not decoded yet).

use crate::proto::sflow::{self, Header, address, sample};
use crate::render::out::{self, append_decimal, append_str, be32};

use super::TextPrinter;
use super::dump::hex_indent;

/// tcpdump's name of a sample type.
fn sample_name(kind: u32) -> &'static str {
    match kind {
        sample::FLOW => "flow sample",
        sample::COUNTER => "counter sample",
        sample::EXPANDED_FLOW => "expanded flow sample",
        sample::EXPANDED_COUNTER => "expanded counter sample",
        _ => "Unknown",
    }
}

impl TextPrinter {
    /// An sFlow datagram of `length` bytes on the wire, `p` captured.
    pub(super) fn sflow(&self, b: &mut Vec<u8>, p: &[u8], length: usize) {
        let (Some(version), Some(address_type)) = (be32(p, 0), be32(p, 4)) else {
            return append_str(b, " [|sflow]");
        };
        let needed = Header::len_for(address_type);
        if length < needed && matches!(address_type, address::IPV4 | address::IPV6) {
            append_str(b, "sFlowv");
            append_decimal(b, version);
            append_str(b, " [length ");
            append_decimal(b, length);
            append_str(b, " < ");
            append_decimal(b, sflow::HEADER_V4_LEN);
            append_str(b, "] (invalid)");
            return;
        }
        // tcpdump checks that the IPv4 layout was captured before the version.
        if p.len() < sflow::HEADER_V4_LEN {
            return append_str(b, " [|sflow]");
        }
        if version != sflow::VERSION_5 {
            append_str(b, "sFlow version ");
            append_decimal(b, version);
            append_str(b, " packet not supported");
            return;
        }
        let Ok(h) = Header::parse(p) else {
            return append_str(b, " [|sflow]");
        };
        append_str(b, "sFlowv");
        append_decimal(b, h.version);
        append_str(b, if h.address_type == address::IPV4 { ", IPv4 agent " } else { ", IPv6 agent " });
        if h.address_type == address::IPV4 {
            out::ip4(b, h.agent);
        } else {
            out::ip6(b, h.agent);
        }
        append_str(b, ", agent-id ");
        append_decimal(b, h.agent_id);
        if self.o.verbosity < 1 {
            append_str(b, ", length ");
            append_decimal(b, length);
            return;
        }
        append_str(b, ", seqnum ");
        append_decimal(b, h.sequence);
        append_str(b, ", uptime ");
        append_decimal(b, h.uptime);
        append_str(b, ", samples ");
        append_decimal(b, h.samples);
        append_str(b, ", length ");
        append_decimal(b, length);
        let mut at = needed;
        let mut left = length.saturating_sub(needed);
        let mut samples = h.samples;
        while samples > 0 && left > 0 {
            let Some((kind, slen)) = sflow::sample_header(p.get(at..).unwrap_or(&[])) else {
                return append_str(b, " [|sflow]");
            };
            if left < sflow::SAMPLE_HEADER_LEN {
                return append_str(b, " (invalid)");
            }
            at += sflow::SAMPLE_HEADER_LEN;
            left -= sflow::SAMPLE_HEADER_LEN;
            append_str(b, "\n\t");
            append_str(b, sample_name(kind));
            append_str(b, " (");
            append_decimal(b, kind);
            append_str(b, "), length ");
            append_decimal(b, slen);
            b.push(b',');
            if kind == 0 || slen == 0 {
                return;
            }
            let slen = slen as usize;
            if left < slen {
                append_str(b, " (invalid)");
                return;
            }
            let Some(body) = p.get(at..at + slen) else {
                return append_str(b, " [|sflow]");
            };
            if !matches!(
                kind,
                sample::FLOW | sample::COUNTER | sample::EXPANDED_FLOW | sample::EXPANDED_COUNTER
            ) && self.o.verbosity <= 1
            {
                hex_indent(b, body, "\n\t    ");
            }
            at += slen;
            left -= slen;
            samples -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::text::TextOptions;
    use crate::render::time::LocalTime;

    fn print(verbosity: u8, p: &[u8]) -> String {
        let o = TextOptions { verbosity, ..TextOptions::default() };
        let mut b = Vec::new();
        TextPrinter::with_time(o, LocalTime::utc()).sflow(&mut b, p, p.len());
        String::from_utf8(b).unwrap()
    }

    #[test]
    fn prints_as_tcpdump() {
        let mut p = vec![0, 0, 0, 5, 0, 0, 0, 1, 10, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 1];
        p.extend_from_slice(&[0, 0, 0, 9, 0, 0, 0, 2, 0xab, 0xcd]);
        assert_eq!(print(0, &p), "sFlowv5, IPv4 agent 10.0.0.1, agent-id 2, length 38");
        assert_eq!(
            print(1, &p),
            "sFlowv5, IPv4 agent 10.0.0.1, agent-id 2, seqnum 3, uptime 4, samples 1, length 38\
             \n\tUnknown (9), length 2,\n\t    0x0000:  abcd"
        );
        p[3] = 4;
        assert_eq!(print(0, &p), "sFlow version 4 packet not supported");
        assert_eq!(print(0, &p[..12]), "sFlowv4 [length 12 < 28] (invalid)");
        assert_eq!(print(0, &p[..6]), " [|sflow]");
    }
}
