//! Aligned text tables and human units for netmon's text output.

use std::borrow::Cow;
use std::io::{self, Write};

/// A table whose columns are as wide as their widest cell, two spaces apart.
#[derive(Debug)]
pub struct TextTable<'a> {
    /// (header, right-aligned) per column.
    columns: Vec<(&'a str, bool)>,
    rows: Vec<Vec<Cow<'a, str>>>,
}

impl<'a> TextTable<'a> {
    /// A table with these (header, right-aligned) columns.
    pub fn new(columns: Vec<(&'a str, bool)>) -> TextTable<'a> {
        TextTable { columns, rows: Vec::new() }
    }

    /// Adds a row (one cell per column).
    pub fn push(&mut self, row: Vec<Cow<'a, str>>) {
        self.rows.push(row);
    }

    /// Writes the header (when `header`) and the rows; the last column is not padded.
    pub fn write(&self, out: &mut impl Write, header: bool) -> io::Result<()> {
        let mut widths: Vec<usize> =
            self.columns.iter().map(|(h, _)| if header { h.chars().count() } else { 0 }).collect();
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let last = self.columns.len().saturating_sub(1);
        let mut line = String::new();
        let mut emit = |cells: &mut dyn Iterator<Item = &str>, out: &mut dyn Write| -> io::Result<()> {
            line.clear();
            for (i, cell) in cells.enumerate() {
                if i > 0 {
                    line.push_str("  ");
                }
                let pad = widths[i].saturating_sub(cell.chars().count());
                let right = self.columns[i].1;
                if right {
                    line.extend(std::iter::repeat_n(' ', pad));
                }
                line.push_str(cell);
                if !right && i != last {
                    line.extend(std::iter::repeat_n(' ', pad));
                }
            }
            line.push('\n');
            out.write_all(line.as_bytes())
        };
        if header {
            emit(&mut self.columns.iter().map(|(h, _)| *h), out)?;
        }
        for row in &self.rows {
            emit(&mut row.iter().map(|c| c.as_ref()), out)?;
        }
        Ok(())
    }
}

/// Bytes in binary units: `512B`, `1.5KiB`, `20.0MiB`, `3.25GiB`.
pub fn bytes(n: u64) -> String {
    scaled(n as f64, "B")
}

/// A rate in bytes per second, binary units: `1.5KiB/s`.
pub fn rate(per_second: f64) -> String {
    scaled(per_second, "B/s")
}

fn scaled(value: f64, unit: &str) -> String {
    const STEPS: [&str; 5] = ["", "Ki", "Mi", "Gi", "Ti"];
    let mut v = value;
    let mut step = 0;
    while v >= 1024.0 && step + 1 < STEPS.len() {
        v /= 1024.0;
        step += 1;
    }
    if step == 0 {
        format!("{v:.0}{unit}")
    } else if v < 10.0 {
        format!("{v:.2}{}{unit}", STEPS[step])
    } else {
        format!("{v:.1}{}{unit}", STEPS[step])
    }
}

/// Microseconds as milliseconds: `0.05ms`, `12.3ms`.
pub fn millis(us: u32) -> String {
    let ms = f64::from(us) / 1000.0;
    if ms < 10.0 { format!("{ms:.2}ms") } else { format!("{ms:.1}ms") }
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
