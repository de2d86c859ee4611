//! Does this process hold CAP_NET_RAW, and the error that says how to grant it.

use super::NetError;

use crate::capability::{self, Capability};

/// True when CAP_NET_RAW is in this process's effective set ([`capability::holds`]: an
/// unreadable set counts as "yes", the socket call will tell).
pub fn has_cap_net_raw() -> bool {
    capability::holds(Capability::NetRaw)
}

/// `Ok` when CAP_NET_RAW is held; otherwise the one-line [`NetError::Privilege`] for `what`.
pub fn require_cap_net_raw(what: &str) -> Result<(), NetError> {
    if has_cap_net_raw() { Ok(()) } else { Err(privilege_error(what)) }
}

pub(crate) fn privilege_error(what: &str) -> NetError {
    let exe = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "/path/to/program".to_string());
    NetError::Privilege { what: what.to_string(), exe }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_names_the_capability_and_the_fix() {
        let m = privilege_error("sending raw packets").to_string();
        assert!(m.starts_with("sending raw packets needs CAP_NET_RAW"), "{m}");
        assert!(m.contains("setcap cap_net_raw,cap_net_admin+ep /"), "{m}");
        assert!(!m.contains('\n'));
    }
}
