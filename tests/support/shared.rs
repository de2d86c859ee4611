//! Test support that every test crate shares: the root package's `tests/` (through
//! `tests/support/mod.rs`), `crates/pktkit/tests/` (through `common/mod.rs`) and pktkit's unit
//! tests (through `crates/pktkit/src/test_frames.rs`), which include this file by path. One
//! `corpus()`, test frames built from craft specs, and the check that an anchor tool runs.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace's root: the nearest directory at or above this crate's manifest that holds
/// the Cargo.lock.
fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.ancestors().find(|d| d.join("Cargo.lock").is_file()).unwrap_or(manifest).to_path_buf()
}

/// The external corpus (`$PKTKIT_CORPUS`, else `../shared/corpus` beside the workspace), or
/// `None` after a notice on stderr that `test` is skipped.
pub fn corpus(test: &str) -> Option<PathBuf> {
    let path = match std::env::var_os("PKTKIT_CORPUS") {
        Some(p) => PathBuf::from(p),
        None => workspace_root().join("../shared/corpus"),
    };
    if path.join("README.md").is_file() {
        Some(path)
    } else {
        eprintln!("{test}: SKIPPED: no corpus at {} (set PKTKIT_CORPUS)", path.display());
        None
    }
}

/// The bytes of the one packet `spec` makes (`pktkit::craft`, offline: no address or MAC
/// comes from this machine, so give the ones the test needs).
pub fn crafted(spec: &str) -> Vec<u8> {
    let mut packets =
        pktkit::craft::craft(spec, &pktkit::craft::Offline).unwrap_or_else(|e| panic!("craft {spec}: {e}"));
    assert_eq!(packets.len(), 1, "{spec} makes one packet");
    packets.remove(0).bytes
}

/// `bytes` as craft's `Raw(hex=...)` layer (nothing for no bytes).
pub fn raw_layer(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return String::new();
    }
    format!("/Raw(hex={})", hex(bytes))
}

/// `bytes` as lowercase hex digits, two a byte.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// True when `tool` runs (`tool --version` succeeds); otherwise prints why `test` skips.
pub fn have(tool: &str, test: &str) -> bool {
    let ok = Command::new(tool).arg("--version").output().is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("NOTICE: {test} skipped: `{tool}` is not installed");
    }
    ok
}
