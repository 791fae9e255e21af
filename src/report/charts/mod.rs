//! Charts (plotters), each written as SVG (for the HTML report and the web) and as PNG (for
//! slides and Word): indicator bars with 95% interval whiskers by wave, trend lines over waves,
//! diverging stacked bars of the answers to each question, a directorate × indicator heat map
//! (better or worse than the organisation),
//! SPC control charts, the key-driver quadrant (importance × current score), and the data
//! dictionary's matrix of the tables' relationships.
//!
//! Every chart carries a `<title>` and a `<desc>` listing its values so screen readers can read
//! it, and meaning never rests on colour alone: series differ in marker shape or position,
//! values are printed on the chart, and the same figures are in the tables beside each chart.
//! PNGs are drawn at twice the SVG's size with a bundled font (DejaVu Sans, `fonts/LICENSE`),
//! so they are crisp on a slide and identical on every machine.

mod bars;
mod diverging;
mod heatmap;
mod matrix;
mod panels;
mod quadrant;
mod spc;

pub use bars::indicator_bars;
pub use diverging::diverging;
pub use heatmap::{HeatColumn, heatmap};
pub use matrix::{MatrixRow, relationship_matrix};
pub use panels::{common_scale, panels};
pub use quadrant::quadrant;
pub use spc::{SpcMonth, spc_chart};
pub use trend::trend;
mod trend;

use bars::draw_bars;
use diverging::draw_diverging;
use heatmap::draw_heatmap;
use matrix::draw_matrix;
use panels::draw_panels;
use quadrant::draw_quadrant;
use spc::draw_spc;
use trend::draw_trend;

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// A value with its interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub value: f64,
    pub ci: Option<(f64, f64)>,
}

/// Shares of valid answers to one question, in percent (they add up to 100).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shares {
    pub negative: f64,
    pub neutral: f64,
    pub positive: f64,
}

/// Colour-blind-safe colours (GOV.UK analysis function palette).
const PALETTE: [RGBColor; 4] = [
    RGBColor(18, 67, 109),  // dark blue
    RGBColor(244, 119, 56), // orange
    RGBColor(40, 161, 151), // turquoise
    RGBColor(128, 22, 80),  // dark pink
];
const GREY: RGBColor = RGBColor(110, 110, 110);
const LIGHT_GREY: RGBColor = RGBColor(207, 207, 207);

/// PNGs are drawn this many times larger than the SVG.
pub const PNG_SCALE: u32 = 2;

static FONT: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");

/// Register the bundled font as the family every chart uses (once per process).
fn register_font() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if plotters::style::register_font("sans-serif", FontStyle::Normal, FONT).is_err() {
            tracing::error!("the bundled chart font could not be read");
        }
    });
}

#[derive(Debug, thiserror::Error)]
#[error("cannot draw chart {name}: {message}")]
pub struct ChartError {
    pub name: String,
    pub message: String,
}

/// A chart, ready to be drawn as SVG or PNG.
#[derive(Debug, Clone)]
pub struct Chart {
    /// File name in `charts/` without extension.
    pub name: String,
    pub title: String,
    /// Text alternative: what the chart shows, with its values.
    pub desc: String,
    size: (u32, u32),
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    Bars {
        waves: Vec<String>,
        rows: Vec<(String, Vec<Option<Point>>)>,
    },
    Trend {
        waves: Vec<String>,
        lines: Vec<(String, Vec<Option<Point>>)>,
    },
    Diverging {
        rows: Vec<(String, Option<Shares>)>,
    },
    Heatmap {
        columns: Vec<HeatColumn>,
        rows: Vec<(String, Vec<Option<f64>>)>,
    },
    Spc {
        months: Vec<SpcMonth>,
        decimals: usize,
    },
    Panels {
        waves: Vec<String>,
        panels: Vec<Panel>,
    },
    Matrix {
        columns: Vec<String>,
        rows: Vec<MatrixRow>,
    },
    Quadrant {
        drivers: Vec<DriverPoint>,
        average_share: f64,
        median_score: f64,
    },
}

/// One indicator's panel in a small-multiples chart: its unit, its scale and the part of it
/// shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    pub label: String,
    /// The axis in words: "% positive", "out of 100", "out of 10", "% yes", "eNPS".
    pub unit: String,
    /// The scale's natural bounds (0 to 100, 0 to 10, -100 to 100).
    pub bounds: (f64, f64),
    /// The axis' gridline step (10 points, 1 point).
    pub step: f64,
    /// The axis range shown: set by [`panels`] to the same span for every panel of a unit.
    pub range: (f64, f64),
    pub decimals: usize,
    /// One point per wave (None: not asked, or withheld).
    pub points: Vec<Option<Point>>,
}

/// One driver on the importance × score chart.
#[derive(Debug, Clone, PartialEq)]
pub struct DriverPoint {
    pub label: String,
    /// Share of R², percent.
    pub share: f64,
    pub ci: Option<(f64, f64)>,
    /// Mean score 0–100.
    pub score: f64,
}

/// A chart's plotting area on two numeric axes.
type Plot<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

impl Chart {
    /// The chart as a standalone SVG with an accessible name and description; every text in
    /// it is escaped as it is drawn, so pages print it as it is.
    pub fn svg(&self) -> Result<SafeMarkup, ChartError> {
        register_font();
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, self.size).into_drawing_area();
            self.draw(&root, 1.0).map_err(|e| self.error(e))?;
            root.present().map_err(|e| self.error(e))?;
        }
        Ok(SafeMarkup::escaped_at_source(accessible(
            svg,
            &self.title,
            &self.desc,
        )))
    }

    /// The chart as a PNG, `PNG_SCALE` times the SVG's size.
    pub fn png(&self) -> Result<Vec<u8>, ChartError> {
        register_font();
        let (w, h) = (self.size.0 * PNG_SCALE, self.size.1 * PNG_SCALE);
        let mut pixels = vec![255u8; (w * h * 3) as usize];
        {
            let root = BitMapBackend::with_buffer(&mut pixels, (w, h)).into_drawing_area();
            self.draw(&root, PNG_SCALE as f64)
                .map_err(|e| self.error(e))?;
            root.present().map_err(|e| self.error(e))?;
        }
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder
            .write_header()
            .and_then(|mut wr| wr.write_image_data(&pixels))
            .map_err(|e| self.error(e))?;
        Ok(out)
    }

    fn error(&self, e: impl std::fmt::Display) -> ChartError {
        ChartError {
            name: self.name.clone(),
            message: e.to_string(),
        }
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, k: f64) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        match &self.kind {
            Kind::Bars { waves, rows } => draw_bars(root, k, &self.title, waves, rows),
            Kind::Trend { waves, lines } => draw_trend(root, k, &self.title, waves, lines),
            Kind::Diverging { rows } => draw_diverging(root, k, &self.title, rows),
            Kind::Heatmap { columns, rows } => draw_heatmap(root, k, &self.title, columns, rows),
            Kind::Spc { months, decimals } => draw_spc(root, k, &self.title, months, *decimals),
            Kind::Panels { waves, panels } => draw_panels(root, k, &self.title, waves, panels),
            Kind::Matrix { columns, rows } => draw_matrix(root, k, &self.title, columns, rows),
            Kind::Quadrant {
                drivers,
                average_share,
                median_score,
            } => draw_quadrant(root, k, &self.title, drivers, *average_share, *median_score),
        }
    }
}

use super::markup::{SafeMarkup, escape};

/// Text drawn at `at`, anchored there by (`h`, `v`): every label on every chart.
fn text_at<DB: DrawingBackend, T: std::borrow::Borrow<str>>(
    area: &DrawingArea<DB, Shift>,
    text: T,
    at: (i32, i32),
    style: TextStyle,
    h: HPos,
    v: VPos,
) -> DrawResult<DB> {
    area.draw(&Text::new(text, at, style.pos(Pos::new(h, v))))
}

/// A note or value in the charts' small type (12), starting at `at`.
fn small_label<DB: DrawingBackend, T: std::borrow::Borrow<str>>(
    area: &DrawingArea<DB, Shift>,
    k: f64,
    text: T,
    at: (i32, i32),
) -> DrawResult<DB> {
    label_from(area, k, 12.0, text, at)
}

/// A label at `size`, starting at `at` and centred on it vertically.
fn label_from<DB: DrawingBackend, T: std::borrow::Borrow<str>>(
    area: &DrawingArea<DB, Shift>,
    k: f64,
    size: f64,
    text: T,
    at: (i32, i32),
) -> DrawResult<DB> {
    text_at(area, text, at, font(k, size), HPos::Left, VPos::Center)
}

/// "[c] not published" where a withheld figure's bar would start (at `(x, y)`).
fn not_published<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    k: f64,
    (x, y): (i32, i32),
) -> DrawResult<DB> {
    small_label(area, k, "[c] not published", (x + px(k, 6.0), y))
}

/// Give a plotters SVG an accessible name and description.
fn accessible(svg: String, title: &str, desc: &str) -> String {
    let Some(end) = svg.find('>') else {
        return svg;
    };
    format!(
        "{} role=\"img\"><title>{}</title><desc>{}</desc>{}",
        &svg[..end],
        escape(title),
        escape(desc),
        &svg[end + 1..]
    )
}

fn fmt1(v: f64) -> String {
    crate::report::tables::fmt1(v)
}

/// The wave at a whole-number position of a wave axis (empty between waves).
fn wave_at(waves: &[String], x: f64) -> String {
    let i = x.round();
    if (x - i).abs() < 1e-9 && i >= 0.0 {
        waves.get(i as usize).cloned().unwrap_or_default()
    } else {
        String::new()
    }
}

/// Pixels at scale `k`.
fn px(k: f64, v: f64) -> i32 {
    (v * k).round() as i32
}

/// Text at `size` (in the sizes used below) at scale `k`. Everything is drawn 15% larger
/// than those sizes so charts stay readable when a page or slide shrinks them.
fn font(k: f64, size: f64) -> TextStyle<'static> {
    ("sans-serif", size * 1.15 * k).into_font().color(&BLACK)
}

fn stroke(k: f64, width: f64) -> u32 {
    (width * k).round().max(1.0) as u32
}

/// Shorten a label to about `max` characters, at a word boundary, with an ellipsis.
fn shorten(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        return label.to_string();
    }
    let cut: String = label.chars().take(max.saturating_sub(1)).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end_matches([' ', ',', ';', ':']))
}

/// Split a label into lines of about `width` characters.
fn wrap(label: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in label.split_whitespace() {
        match lines.last_mut() {
            Some(l) if l.chars().count() + 1 + word.chars().count() <= width => {
                l.push(' ');
                l.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

/// The title and a legend of (marker, label) pairs across the top; returns the area below.
fn header<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    k: f64,
    title: &str,
    legend: &[(Marker, RGBColor, String)],
) -> Result<DrawingArea<DB, Shift>, DrawingAreaErrorKind<DB::ErrorType>> {
    let height = if legend.is_empty() { 44.0 } else { 74.0 };
    let (top, body) = root.split_vertically(px(k, height));
    text_at(
        &top,
        title.to_string(),
        (px(k, 14.0), px(k, 22.0)),
        font(k, 20.0),
        HPos::Left,
        VPos::Center,
    )?;
    let mut x = px(k, 16.0);
    let y = px(k, 56.0);
    for (marker, colour, label) in legend {
        marker.draw(&top, (x + px(k, 7.0), y), k, *colour)?;
        let style = font(k, 14.0).pos(Pos::new(HPos::Left, VPos::Center));
        let width = top
            .estimate_text_size(label, &style)
            .map_or(px(k, 8.0 * label.len() as f64), |(w, _)| w as i32);
        text_at(
            &top,
            label.clone(),
            (x + px(k, 20.0), y),
            font(k, 14.0),
            HPos::Left,
            VPos::Center,
        )?;
        x += px(k, 20.0) + width + px(k, 22.0);
    }
    Ok(body)
}

/// Marker shapes, so series differ by more than colour.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Marker {
    Square,
    Circle,
    Triangle,
    Diamond,
    /// An outlined triangle (a signal against provisional limits).
    TriangleOutline,
}

const MARKERS: [Marker; 4] = [
    Marker::Circle,
    Marker::Square,
    Marker::Triangle,
    Marker::Diamond,
];

impl Marker {
    fn draw<DB: DrawingBackend>(
        self,
        area: &DrawingArea<DB, Shift>,
        (x, y): (i32, i32),
        k: f64,
        colour: RGBColor,
    ) -> DrawResult<DB> {
        let r = px(k, 6.0);
        let style = colour.filled();
        match self {
            Marker::Square => area.draw(&Rectangle::new([(x - r, y - r), (x + r, y + r)], style)),
            Marker::Circle => area.draw(&Circle::new((x, y), r, style)),
            Marker::Triangle => area.draw(&Polygon::new(
                vec![(x, y - r - 1), (x - r - 1, y + r), (x + r + 1, y + r)],
                style,
            )),
            Marker::TriangleOutline => area.draw(&PathElement::new(
                vec![
                    (x, y - r - 1),
                    (x - r - 1, y + r),
                    (x + r + 1, y + r),
                    (x, y - r - 1),
                ],
                colour.stroke_width(stroke(k, 2.0)),
            )),
            Marker::Diamond => area.draw(&Polygon::new(
                vec![
                    (x, y - r - 1),
                    (x + r + 1, y),
                    (x, y + r + 1),
                    (x - r - 1, y),
                ],
                style,
            )),
        }
    }
}

fn series_desc(waves: &[String], points: &[Option<Point>]) -> String {
    waves
        .iter()
        .zip(points)
        .map(|(w, p)| match p {
            Some(p) => match p.ci {
                Some((lo, hi)) => format!(
                    "{w}: {} (95% interval {} to {})",
                    fmt1(p.value),
                    fmt1(lo),
                    fmt1(hi)
                ),
                None => format!("{w}: {}", fmt1(p.value)),
            },
            None => format!("{w}: not published"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A dashed horizontal or sloped line from `a` to `b` in backend pixels.
fn dashed<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    a: (i32, i32),
    b: (i32, i32),
    style: ShapeStyle,
    dash: i32,
) -> DrawResult<DB> {
    let (dx, dy) = ((b.0 - a.0) as f64, (b.1 - a.1) as f64);
    let len = (dx * dx + dy * dy).sqrt();
    if len < 1.0 {
        return Ok(());
    }
    let steps = (len / f64::from(dash.max(1))).ceil() as i32;
    for i in (0..steps).step_by(2) {
        let t0 = f64::from(i) / f64::from(steps);
        let t1 = (f64::from(i + 1) / f64::from(steps)).min(1.0);
        let p = |t: f64| (a.0 + (dx * t).round() as i32, a.1 + (dy * t).round() as i32);
        root.draw(&PathElement::new(vec![p(t0), p(t1)], style))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
