//! DNS messages (RFC 1035).

use thiserror::Error;

/// Errors building a DNS message.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum DnsBuildError {
    /// A label is empty (two dots in a row) or longer than 63 bytes.
    #[error("bad label {0:?} in name (labels are 1 to 63 bytes)")]
    BadLabel(String),
    /// The encoded name is longer than 255 bytes.
    #[error("name longer than 255 bytes")]
    NameTooLong,
}

/// Builds a query message with one question (`qtype`, class IN), recursion desired when `rd`.
pub fn build_query(id: u16, rd: bool, qname: &str, qtype: u16) -> Result<Vec<u8>, DnsBuildError> {
    let mut out = Vec::with_capacity(12 + qname.len() + 6);
    out.extend_from_slice(&id.to_be_bytes());
    out.extend_from_slice(&(if rd { 0x0100u16 } else { 0 }).to_be_bytes());
    out.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, 0]);
    encode_name(qname, &mut out)?;
    out.extend_from_slice(&qtype.to_be_bytes());
    out.extend_from_slice(&1u16.to_be_bytes());
    Ok(out)
}

/// Appends `name` in wire form (uncompressed labels); "." or "" is the root.
pub fn encode_name(name: &str, out: &mut Vec<u8>) -> Result<(), DnsBuildError> {
    let trimmed = name.strip_suffix('.').unwrap_or(name);
    let start = out.len();
    if !trimmed.is_empty() {
        for label in trimmed.split('.') {
            if label.is_empty() || label.len() > 63 {
                return Err(DnsBuildError::BadLabel(label.to_string()));
            }
            out.push(label.len() as u8);
            out.extend_from_slice(label.as_bytes());
        }
    }
    out.push(0);
    if out.len() - start > 255 {
        return Err(DnsBuildError::NameTooLong);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_bytes() {
        let q = build_query(0x1234, true, "example.com", 1).unwrap();
        assert_eq!(
            q,
            b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03com\x00\x00\x01\x00\x01"
        );
    }

    #[test]
    fn bad_names() {
        assert!(build_query(1, true, "a..b", 1).is_err());
        assert!(build_query(1, true, &"x".repeat(64), 1).is_err());
        let long = ["abcdefghij"; 30].join(".");
        assert_eq!(build_query(1, true, &long, 1), Err(DnsBuildError::NameTooLong));
        assert_eq!(build_query(1, false, ".", 2).unwrap().len(), 17);
    }
}
