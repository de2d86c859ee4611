//! BSD loopback headers (LINKTYPE_NULL, host byte order; LINKTYPE_LOOP, network byte order)
//! and Solaris ipnet headers (LINKTYPE_IPNET).

/// Length of a null/loop header.
pub const HEADER_LEN: usize = 4;

/// Reads the address family of a LINKTYPE_NULL header, whose byte order is the capturing
/// host's: like tcpdump, a value with bits set in its upper half is byte-swapped.
pub fn family_null(data: &[u8]) -> Option<u32> {
    let b = data.first_chunk::<4>()?;
    let v = u32::from_ne_bytes(*b);
    Some(if v & 0xffff_0000 != 0 { v.swap_bytes() } else { v })
}

/// Reads the address family of a LINKTYPE_LOOP header (network byte order).
pub fn family_loop(data: &[u8]) -> Option<u32> {
    data.first_chunk::<4>().map(|b| u32::from_be_bytes(*b))
}

/// The network protocol of a BSD address family: 4 or 6 (for IPv4 / IPv6), or `None`.
pub fn family_ip_version(af: u32) -> Option<u8> {
    match af {
        2 => Some(4),
        10 | 23 | 24 | 28 | 30 => Some(6),
        _ => None,
    }
}

/// tcpdump's name of a BSD address family (`bsd_af_values` of print-null.c).
pub fn family_name(af: u32) -> Option<&'static str> {
    Some(match af {
        2 => "IPv4",
        7 => "OSI",
        16 => "Appletalk",
        23 | 24 | 28 | 30 => "IPv6",
        6 => "IPX",
        _ => return None,
    })
}

/// Length of a Solaris ipnet header.
pub const IPNET_LEN: usize = 24;

/// The IP version of a Solaris ipnet header's family field (2 IPv4, 26 IPv6).
pub fn ipnet_ip_version(data: &[u8]) -> Option<Option<u8>> {
    let b = data.first_chunk::<IPNET_LEN>()?;
    Some(match b[1] {
        2 => Some(4),
        26 => Some(6),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families() {
        assert_eq!(family_null(&2u32.to_le_bytes()), Some(2));
        assert_eq!(family_null(&2u32.to_be_bytes()), Some(2));
        assert_eq!(family_loop(&[0, 0, 0, 24]), Some(24));
        assert_eq!(family_null(&[2, 0]), None);
        assert_eq!(family_ip_version(30), Some(6));
        assert_eq!(family_ip_version(99), None);
        let mut ipnet = [0u8; 24];
        ipnet[1] = 26;
        assert_eq!(ipnet_ip_version(&ipnet), Some(Some(6)));
        assert_eq!(ipnet_ip_version(&ipnet[..10]), None);
    }
}
