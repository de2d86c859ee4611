//! nmap's names for the ICMP destination-unreachable codes that make a scanned port filtered.

/// nmap's reason for an ICMP destination unreachable of `code` (ICMPv6 when `v6`) that marks
/// a port filtered (RFC 792 and RFC 4443 codes); `None` for codes nmap does not count as
/// filtering (the port stays unanswered).
pub fn unreachable_reason(v6: bool, code: u8) -> Option<&'static str> {
    Some(if v6 {
        match code {
            0 => "no-route",
            1 => "admin-prohibited",
            2 => "beyond-scope",
            3 => "addr-unreach",
            4 => "port-unreach",
            5 => "source-addr-failed-policy",
            6 => "reject-route",
            _ => return None,
        }
    } else {
        match code {
            0 => "net-unreach",
            1 => "host-unreach",
            2 => "proto-unreach",
            3 => "port-unreach",
            9 => "net-prohibited",
            10 => "host-prohibited",
            13 => "admin-prohibited",
            _ => return None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_as_nmap() {
        assert_eq!(unreachable_reason(false, 13), Some("admin-prohibited"));
        assert_eq!(unreachable_reason(false, 1), Some("host-unreach"));
        assert_eq!(unreachable_reason(false, 4), None);
        assert_eq!(unreachable_reason(true, 1), Some("admin-prohibited"));
        assert_eq!(unreachable_reason(true, 4), Some("port-unreach"));
    }
}
