//! Aligned text tables and human units for netmon's text output.

use std::borrow::Cow;
use std::io::{self, Write};

/// A table whose columns are as wide as their widest cell, two spaces apart. The cells are
/// kept one after the other in one string (no allocation per cell).
#[derive(Debug)]
pub struct TextTable<'a> {
    /// (header, right-aligned) per column.
    columns: Vec<(&'a str, bool)>,
    /// Every cell's text, row after row.
    text: String,
    /// Where each cell ends in `text`.
    ends: Vec<usize>,
    /// The widest cell of each column so far, in characters.
    widths: Vec<usize>,
}

impl<'a> TextTable<'a> {
    /// A table with these (header, right-aligned) columns.
    pub fn new(columns: Vec<(&'a str, bool)>) -> TextTable<'a> {
        let widths = vec![0; columns.len()];
        TextTable { columns, text: String::new(), ends: Vec::new(), widths }
    }

    /// Adds a row (one cell per column).
    pub fn push(&mut self, row: Vec<Cow<'_, str>>) {
        for cell in row {
            self.text.push_str(&cell);
            self.end_cell();
        }
    }

    /// The text to append the next cell to; [`TextTable::end_cell`] ends it.
    pub fn cell(&mut self) -> &mut String {
        &mut self.text
    }

    /// Ends the cell written since the last one ended (cells fill rows in column order).
    pub fn end_cell(&mut self) {
        let start = self.ends.last().copied().unwrap_or(0);
        let cell = &self.text[start..];
        let width = if cell.is_ascii() { cell.len() } else { cell.chars().count() };
        let column = self.ends.len() % self.columns.len().max(1);
        self.widths[column] = self.widths[column].max(width);
        self.ends.push(self.text.len());
    }

    /// Writes the header (when `header`) and the rows; the last column is not padded.
    pub fn write(&self, out: &mut impl Write, header: bool) -> io::Result<()> {
        let mut widths = self.widths.clone();
        if header {
            for (w, (h, _)) in widths.iter_mut().zip(&self.columns) {
                *w = (*w).max(h.chars().count());
            }
        }
        let last = self.columns.len().saturating_sub(1);
        let mut line = String::new();
        let mut emit = |cells: &mut dyn Iterator<Item = &str>, out: &mut dyn Write| -> io::Result<()> {
            for (i, cell) in cells.enumerate() {
                if i > 0 {
                    line.push_str("  ");
                }
                let width = if cell.is_ascii() { cell.len() } else { cell.chars().count() };
                let pad = widths[i].saturating_sub(width);
                let right = self.columns[i].1;
                if right {
                    push_spaces(&mut line, pad);
                }
                line.push_str(cell);
                if !right && i != last {
                    push_spaces(&mut line, pad);
                }
            }
            line.push('\n');
            // Written in blocks, not line by line.
            if line.len() >= 32 * 1024 {
                out.write_all(line.as_bytes())?;
                line.clear();
            }
            Ok(())
        };
        if header {
            emit(&mut self.columns.iter().map(|(h, _)| *h), out)?;
        }
        let mut start = 0;
        for row in self.ends.chunks(self.columns.len().max(1)) {
            let mut cells = row.iter().map(|&end| {
                let cell = &self.text[start..end];
                start = end;
                cell
            });
            emit(&mut cells, out)?;
        }
        out.write_all(line.as_bytes())
    }
}

/// Appends `count` spaces to `line`, a block at a time.
fn push_spaces(line: &mut String, mut count: usize) {
    const SPACES: &str = "                                                                ";
    while count > 0 {
        let block = count.min(SPACES.len());
        line.push_str(&SPACES[..block]);
        count -= block;
    }
}

/// Bytes in binary units: `512B`, `1.5KiB`, `20.0MiB`, `3.25GiB`.
pub fn bytes(n: u64) -> String {
    let mut text = String::new();
    write_bytes(&mut text, n);
    text
}

/// Appends [`bytes`] of `n` to `out`: the text of [`scaled`], computed in integers (a
/// count divided by a power of 1024 is exact in `f64` below 2^53, so the two round alike,
/// ties to even).
pub fn write_bytes(out: &mut String, n: u64) {
    const EXACT_BELOW: u64 = 1 << f64::MANTISSA_DIGITS;
    if n < 1024 {
        out.push_str(itoa::Buffer::new().format(n));
        out.push('B');
        return;
    }
    if n >= EXACT_BELOW {
        return scaled(out, n as f64, "B");
    }
    const STEPS: [&str; 5] = ["", "Ki", "Mi", "Gi", "Ti"];
    let (mut divisor, mut step) = (1024u64, 1);
    while n / divisor >= 1024 && step + 1 < STEPS.len() {
        divisor *= 1024;
        step += 1;
    }
    let (scale, digits) = if n / divisor < 10 { (100, 2) } else { (10, 1) };
    let scaled_up = n * scale;
    let (mut quotient, remainder) = (scaled_up / divisor, scaled_up % divisor);
    if 2 * remainder > divisor || (2 * remainder == divisor && quotient % 2 == 1) {
        quotient += 1;
    }
    write_decimal(out, quotient, scale, digits);
    out.push_str(STEPS[step]);
    out.push('B');
}

/// Appends `quotient / scale` with `digits` decimals (`scale` is 10^`digits`).
fn write_decimal(out: &mut String, quotient: u64, scale: u64, digits: usize) {
    let mut number = itoa::Buffer::new();
    out.push_str(number.format(quotient / scale));
    out.push('.');
    let fraction = number.format(quotient % scale);
    out.extend(std::iter::repeat_n('0', digits - fraction.len()));
    out.push_str(fraction);
}

/// A rate in bytes per second, binary units: `1.5KiB/s`.
pub fn rate(per_second: f64) -> String {
    let mut text = String::new();
    scaled(&mut text, per_second, "B/s");
    text
}

fn scaled(out: &mut String, value: f64, unit: &str) {
    use std::fmt::Write as _;
    const STEPS: [&str; 5] = ["", "Ki", "Mi", "Gi", "Ti"];
    let mut v = value;
    let mut step = 0;
    while v >= 1024.0 && step + 1 < STEPS.len() {
        v /= 1024.0;
        step += 1;
    }
    let _ = if step == 0 {
        write!(out, "{v:.0}{unit}")
    } else if v < 10.0 {
        write!(out, "{v:.2}{}{unit}", STEPS[step])
    } else {
        write!(out, "{v:.1}{}{unit}", STEPS[step])
    };
}

/// Microseconds as milliseconds: `0.05ms`, `12.3ms`.
pub fn millis(us: u32) -> String {
    let mut text = String::new();
    write_millis(&mut text, us);
    text
}

/// Appends [`millis`] of `us` to `out`.
pub fn write_millis(out: &mut String, us: u32) {
    use std::fmt::Write as _;
    // In integers, rounded half up, except at an exact half, where the text depends on the
    // nearest `f64` to `us / 1000` (rounded as that float is).
    let (scale, digits, unit) = if us < 10_000 { (100, 2, 10) } else { (10, 1, 100) };
    let (quotient, remainder) = (us / unit, us % unit);
    if 2 * remainder == unit {
        let ms = f64::from(us) / 1000.0;
        let _ = if ms < 10.0 { write!(out, "{ms:.2}ms") } else { write!(out, "{ms:.1}ms") };
        return;
    }
    let quotient = u64::from(quotient) + u64::from(2 * remainder > unit);
    write_decimal(out, quotient, scale, digits);
    out.push_str("ms");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units() {
        assert_eq!(bytes(512), "512B");
        assert_eq!(bytes(1536), "1.50KiB");
        assert_eq!(bytes(20 * 1024 * 1024), "20.0MiB");
        assert_eq!(rate(1_048_576.0), "1.00MiB/s");
        assert_eq!(millis(50), "0.05ms");
        assert_eq!(millis(12_345), "12.3ms");
    }

    /// The integer formatting of bytes and milliseconds writes what `f64` formatting writes.
    #[test]
    fn integer_units_match_float_formatting() {
        let float_millis = |us: u32| {
            let ms = f64::from(us) / 1000.0;
            if ms < 10.0 { format!("{ms:.2}ms") } else { format!("{ms:.1}ms") }
        };
        let float_bytes = |n: u64| {
            let mut text = String::new();
            scaled(&mut text, n as f64, "B");
            text
        };
        let mut samples: Vec<u64> = (0..300_000).collect();
        for shift in 10..62 {
            let base = 1u64 << shift;
            // Around each power of two and the rounding points just below and above it.
            samples.extend((0..64).flat_map(|d| {
                [base - d, base + d, base / 2 * 3 + d, (base / 1024).saturating_mul(10_000).saturating_add(d)]
            }));
        }
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            samples.push(state >> (state % 50));
        }
        samples.extend([u64::MAX, (1 << 53) - 1, 1 << 53, 10_239, 10_240, 10_245, 1_048_575]);
        for &n in &samples {
            assert_eq!(bytes(n), float_bytes(n), "bytes {n}");
            if let Ok(us) = u32::try_from(n) {
                assert_eq!(millis(us), float_millis(us), "millis {us}");
            }
        }
        for us in [u32::MAX, u32::MAX - 50, 9_995, 9_996, 10_050, 15, 25] {
            assert_eq!(millis(us), float_millis(us), "millis {us}");
        }
    }

    #[test]
    fn aligns_columns() {
        let mut t = TextTable::new(vec![("A", false), ("NUM", true), ("Z", false)]);
        t.push(vec!["long".into(), "5".into(), "x".into()]);
        t.push(vec!["s".into(), "12345".into(), "y".into()]);
        let mut out = Vec::new();
        t.write(&mut out, true).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "A       NUM  Z\nlong      5  x\ns     12345  y\n");
    }
}
