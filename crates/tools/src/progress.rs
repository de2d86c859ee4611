//! A progress bar on stderr for large inputs (pcap-filter, pkt-decode, pkt-stats).
//!
//! Drawn only when a person is watching stderr and the data goes elsewhere: stderr is a
//! terminal, stdout is not, and the inputs (named files, or stdin when it is a regular file)
//! add up to [`MIN_BYTES`] or more. Compressed inputs, whose size says nothing about how much
//! capture they hold, get a bar that counts bytes without a total.

use std::cell::Cell;
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

/// Inputs of 64 MiB and more together get a bar.
pub const MIN_BYTES: u64 = 64 << 20;

/// Packets between redraws (a redraw costs far more than a packet) ...
const PACKETS_PER_UPDATE: u64 = 8192;

/// ... or bytes, whichever comes first (large packets).
const BYTES_PER_UPDATE: u64 = 1 << 20;

/// Record header bytes counted per packet (classic pcap's 16; pcapng's blocks are a little
/// larger, so the bar lags slightly there and jumps to the end when done).
const RECORD_HEADER: u64 = 16;

/// The bar, or nothing when it is not wanted.
#[derive(Debug)]
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
    consumed: Cell<u64>,
    packets: Cell<u64>,
    drawn: Cell<u64>,
}

impl Progress {
    /// A bar for reading `files` (stdin when empty or `-`), if one is wanted now.
    pub fn new(files: &[PathBuf]) -> Self {
        let watched = std::io::stderr().is_terminal() && !std::io::stdout().is_terminal();
        let bar = if watched { Self::bar(files) } else { None };
        Progress { bar, consumed: Cell::new(0), packets: Cell::new(0), drawn: Cell::new(0) }
    }

    fn bar(files: &[PathBuf]) -> Option<indicatif::ProgressBar> {
        let stdin = Path::new("/proc/self/fd/0");
        let paths: Vec<&Path> = if files.is_empty() {
            vec![stdin]
        } else {
            files.iter().map(|f| if f.as_os_str() == "-" { stdin } else { f.as_path() }).collect()
        };
        let mut total = 0u64;
        let mut compressed = false;
        for p in &paths {
            // Only regular files have a size to measure against (not pipes, not terminals).
            let meta = std::fs::metadata(p).ok().filter(|m| m.is_file())?;
            total = total.saturating_add(meta.len());
            compressed |= is_compressed(p);
        }
        if total < MIN_BYTES {
            return None;
        }
        let (bar, template) = if compressed {
            (
                indicatif::ProgressBar::new_spinner(),
                "{spinner} [{elapsed_precise}] {bytes} of capture read ({bytes_per_sec})",
            )
        } else {
            (
                indicatif::ProgressBar::new(total),
                "{spinner} [{elapsed_precise}] [{wide_bar}] {bytes}/{total_bytes} ({bytes_per_sec}, eta {eta})",
            )
        };
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        Some(bar)
    }

    /// True when a bar is drawn.
    pub fn shown(&self) -> bool {
        self.bar.is_some()
    }

    /// Counts one packet of `stored` captured bytes.
    #[inline]
    pub fn packet(&self, stored: usize) {
        if self.bar.is_none() {
            return;
        }
        self.consumed.set(self.consumed.get() + stored as u64 + RECORD_HEADER);
        let n = self.packets.get() + 1;
        self.packets.set(n);
        let pos = self.consumed.get();
        if (n.is_multiple_of(PACKETS_PER_UPDATE) || pos - self.drawn.get() >= BYTES_PER_UPDATE)
            && let Some(b) = &self.bar
        {
            self.drawn.set(pos);
            b.set_position(b.length().map_or(pos, |len| pos.min(len)));
        }
    }

    /// Removes the bar (before the report or an error line is written).
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// Whether a file is compressed (by its first bytes, as the capture reader knows them).
fn is_compressed(path: &Path) -> bool {
    let mut magic = [0u8; 4];
    let Ok(mut f) = std::fs::File::open(path) else { return false };
    f.read_exact(&mut magic).is_ok() && pktkit::capture::is_compressed(u32::from_be_bytes(magic))
}
