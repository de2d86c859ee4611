//! `--plot FILE.svg|FILE.png`: the I/O graph (bits per second over time) above the protocol
//! mix (each hierarchy node's share of the bytes), drawn with plotters.
//!
//! Text is laid out with a TrueType font read at run time (DejaVu Sans or Liberation Sans
//! from the usual Debian paths, or `PKTKIT_FONT`), so the binary carries no font.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::engine::Stats;
use super::hier::Branch;
use super::units;
use super::view;
use crate::cli::Failure;

/// Picture size in pixels.
const SIZE: (u32, u32) = (1000, 720);

/// Height of the I/O graph; the protocol mix takes the rest.
const IO_HEIGHT: u32 = 330;

/// Most hierarchy rows drawn (the largest by bytes, in tree order).
const MAX_ROWS: usize = 14;

/// Fonts tried in order when `PKTKIT_FONT` is not set.
const FONTS: &[&str] = &[
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
];

/// The family name the charts ask for.
const FAMILY: &str = "sans-serif";

const IO_COLOUR: RGBColor = RGBColor(31, 119, 180);
const MIX_COLOUR: RGBColor = RGBColor(255, 127, 14);

/// The picture's format, from the file name's extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Svg,
    Png,
}

fn format_of(path: &Path) -> Result<Format, Failure> {
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("svg") => Ok(Format::Svg),
        Some("png") => Ok(Format::Png),
        _ => {
            Err(Failure::Usage(format!("--plot {}: the file name must end in .svg or .png", path.display())))
        }
    }
}

/// Checks the file name before anything is read (a usage error, exit 2).
pub fn check(path: &Path) -> Result<(), Failure> {
    format_of(path).map(|_| ())
}

/// Registers the font once per process.
fn load_font() -> Result<(), Failure> {
    let candidates: Vec<PathBuf> = match std::env::var_os("PKTKIT_FONT") {
        Some(f) => vec![PathBuf::from(f)],
        None => FONTS.iter().map(PathBuf::from).collect(),
    };
    for c in &candidates {
        if let Ok(bytes) = std::fs::read(c) {
            // The font registry wants bytes for the life of the process: one font, read once.
            let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
            if plotters::style::register_font(FAMILY, FontStyle::Normal, bytes).is_ok() {
                return Ok(());
            }
        }
    }
    Err(Failure::Runtime(format!(
        "--plot: no usable TrueType font ({}); install fonts-dejavu-core or set PKTKIT_FONT=FILE.ttf",
        candidates.iter().map(|c| c.display().to_string()).collect::<Vec<_>>().join(", ")
    )))
}

/// Draws the picture of `stats` to `path`.
pub fn draw(path: &Path, stats: &Stats) -> Result<(), Failure> {
    let format = format_of(path)?;
    load_font()?;
    let failed = |e: String| Failure::Runtime(format!("--plot {}: {e}", path.display()));
    match format {
        Format::Svg => {
            let root = SVGBackend::new(path, SIZE).into_drawing_area();
            picture(&root, stats).map_err(failed)?;
            root.present().map_err(|e| failed(e.to_string()))
        }
        Format::Png => {
            let root = BitMapBackend::new(path, SIZE).into_drawing_area();
            picture(&root, stats).map_err(failed)?;
            root.present().map_err(|e| failed(e.to_string()))
        }
    }
}

fn picture<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, stats: &Stats) -> Result<(), String> {
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let (top, bottom) = root.split_vertically(IO_HEIGHT);
    io_graph(&top, stats).map_err(|e| e.to_string())?;
    protocol_mix(&bottom, stats).map_err(|e| e.to_string())?;
    Ok(())
}

/// Bits per second per interval, as steps from each interval's start.
fn io_graph<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    stats: &Stats,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let interval = stats.config.interval_ns.unwrap_or(1_000_000_000);
    let seconds = interval as f64 / 1e9;
    let rows = view::sorted(&stats.io, view::by_key);
    let first = rows.first().map_or(0, |r| *r.0);
    let last = rows.last().map_or(0, |r| *r.0);
    // Every interval from the first to the last, the empty ones as zero.
    let span = (last - first).clamp(0, 1_000_000) as usize + 1;
    let mut rates = vec![0f64; span];
    for (k, c) in &rows {
        if let Some(slot) = usize::try_from(**k - first).ok().and_then(|i| rates.get_mut(i)) {
            *slot = c.bytes as f64 * 8.0 / seconds;
        }
    }
    let peak = rates.iter().copied().fold(0f64, f64::max).max(1.0);
    let width = span as f64 * seconds;
    let mut chart = ChartBuilder::on(area)
        .caption(
            format!("I/O: bits per second per {} interval", units::seconds_label(interval)),
            (FAMILY, 22),
        )
        .margin(12)
        .margin_right(28)
        .x_label_area_size(40)
        .y_label_area_size(90)
        .build_cartesian_2d(0f64..width, 0f64..peak * 1.08)?;
    chart
        .configure_mesh()
        .x_desc("seconds since the first interval")
        .light_line_style(RGBColor(238, 238, 238))
        .y_label_formatter(&|v| units::bit_rate(*v))
        .label_style((FAMILY, 14))
        .draw()?;
    let mut steps = Vec::with_capacity(span * 2 + 2);
    steps.push((0.0, 0.0));
    for (i, r) in rates.iter().enumerate() {
        steps.push((i as f64 * seconds, *r));
        steps.push(((i + 1) as f64 * seconds, *r));
    }
    steps.push((width, 0.0));
    chart.draw_series(
        AreaSeries::new(steps, 0.0, IO_COLOUR.mix(0.35)).border_style(IO_COLOUR.stroke_width(2)),
    )?;
    Ok(())
}

/// One horizontal bar per hierarchy node (below the link layer), its share of all bytes.
fn protocol_mix<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    stats: &Stats,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let total = stats.summary.bytes;
    let mut rows: Vec<(String, u64)> = Vec::new();
    fn walk(b: &Branch, path: &str, rows: &mut Vec<(String, u64)>) {
        let name =
            if path.is_empty() { b.proto.name().to_string() } else { format!("{path}/{}", b.proto.name()) };
        rows.push((name.clone(), b.count.bytes));
        for c in &b.children {
            walk(c, &name, rows);
        }
    }
    for b in stats.tree.branches() {
        walk(&b, "", &mut rows);
    }
    // The largest rows, kept in tree order so that a protocol stays under its parent.
    let mut by_size: Vec<usize> = (0..rows.len()).collect();
    by_size.sort_by(|a, b| rows[*b].1.cmp(&rows[*a].1).then(a.cmp(b)));
    by_size.truncate(MAX_ROWS);
    by_size.sort_unstable();
    let rows: Vec<&(String, u64)> = by_size.iter().map(|i| &rows[*i]).collect();
    let n = rows.len().max(1);
    let mut chart = ChartBuilder::on(area)
        .caption("Protocol mix: share of all bytes (protocol hierarchy)", (FAMILY, 22))
        .margin(12)
        .margin_right(28)
        .x_label_area_size(40)
        .y_label_area_size(10)
        .build_cartesian_2d(0f64..100f64, 0f64..n as f64)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .disable_y_axis()
        .light_line_style(RGBColor(238, 238, 238))
        .x_label_formatter(&|v| format!("{v:.0}%"))
        .x_desc("share of bytes")
        .label_style((FAMILY, 14))
        .draw()?;
    let share = |bytes: u64| if total == 0 { 0.0 } else { bytes as f64 * 100.0 / total as f64 };
    chart.draw_series(rows.iter().enumerate().map(|(i, (_, bytes))| {
        let y = (n - 1 - i) as f64;
        Rectangle::new([(0.0, y + 0.15), (share(*bytes), y + 0.85)], MIX_COLOUR.mix(0.8).filled())
    }))?;
    chart.draw_series(rows.iter().enumerate().map(|(i, (name, bytes))| {
        let y = (n - 1 - i) as f64;
        let pct = share(*bytes);
        // The label sits right of a short bar, inside a long one.
        let x = if pct > 70.0 { 1.0 } else { pct + 1.0 };
        Text::new(
            format!("{name}  {pct:.1}%  {}", units::bytes(*bytes)),
            (x, y + 0.5),
            (FAMILY, 15).into_font().color(&BLACK).pos(Pos::new(HPos::Left, VPos::Center)),
        )
    }))?;
    Ok(())
}
