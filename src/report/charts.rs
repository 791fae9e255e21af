//! Charts (plotters), each written as SVG (for the HTML report and the web) and as PNG (for
//! slides and Word): indicator bars with 95% interval whiskers by wave, trend lines over waves,
//! diverging stacked bars of the answers to each question, a directorate × indicator heat map,
//! SPC control charts, and the key-driver quadrant (importance × current score).
//!
//! Every chart carries a `<title>` and a `<desc>` listing its values so screen readers can read
//! it, and meaning never rests on colour alone: series differ in marker shape or position,
//! values are printed on the chart, and the same figures are in the tables beside each chart.
//! PNGs are drawn at twice the SVG's size with a bundled font (DejaVu Sans, `fonts/LICENSE`),
//! so they are crisp on a slide and identical on every machine.

use plotters::coord::Shift;
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

static FONT: &[u8] = include_bytes!("fonts/DejaVuSans.ttf");

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
        columns: Vec<String>,
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
    Quadrant {
        drivers: Vec<DriverPoint>,
        average_share: f64,
        median_score: f64,
    },
}

/// One indicator's panel in a small-multiples chart: its own scale and unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    pub label: String,
    /// The axis in words: "% positive", "out of 100", "out of 10", "% yes", "eNPS".
    pub unit: String,
    /// The axis range (the scale's natural bounds, or narrower around the data).
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
            Kind::Quadrant {
                drivers,
                average_share,
                median_score,
            } => draw_quadrant(root, k, &self.title, drivers, *average_share, *median_score),
        }
    }
}

use super::markup::{SafeMarkup, escape};

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
    super::tables::fmt1(v)
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
    top.draw(&Text::new(
        title.to_string(),
        (px(k, 14.0), px(k, 22.0)),
        font(k, 20.0).pos(Pos::new(HPos::Left, VPos::Center)),
    ))?;
    let mut x = px(k, 16.0);
    let y = px(k, 56.0);
    for (marker, colour, label) in legend {
        marker.draw(&top, (x + px(k, 7.0), y), k, *colour)?;
        let style = font(k, 14.0).pos(Pos::new(HPos::Left, VPos::Center));
        let width = top
            .estimate_text_size(label, &style)
            .map_or(px(k, 8.0 * label.len() as f64), |(w, _)| w as i32);
        top.draw(&Text::new(label.clone(), (x + px(k, 20.0), y), style))?;
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

/// Grouped bars: one group per indicator, one bar per wave, whiskers for the 95% interval.
/// `rows` are (indicator label, one optional point per wave).
pub fn indicator_bars(
    name: &str,
    title: &str,
    waves: &[String],
    rows: &[(String, Vec<Option<Point>>)],
) -> Chart {
    let desc = rows
        .iter()
        .map(|(l, ps)| format!("{l} ({})", series_desc(waves, ps)))
        .collect::<Vec<_>>()
        .join("; ");
    Chart {
        name: name.to_string(),
        title: title.to_string(),
        desc: format!("95% intervals are shown as black lines. {desc}"),
        size: (
            960,
            130 + 22 * (waves.len().max(1) as u32 + 1) * rows.len() as u32,
        ),
        kind: Kind::Bars {
            waves: waves.to_vec(),
            rows: rows.to_vec(),
        },
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

fn draw_bars<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    k: f64,
    title: &str,
    waves: &[String],
    rows: &[(String, Vec<Option<Point>>)],
) -> DrawResult<DB> {
    let legend: Vec<_> = waves
        .iter()
        .enumerate()
        .map(|(i, w)| (Marker::Square, PALETTE[i % PALETTE.len()], w.clone()))
        .collect();
    let body = header(root, k, title, &legend)?;
    let n = rows.len().max(1) as f64;
    let mut chart = ChartBuilder::on(&body)
        .margin_right(px(k, 40.0))
        .margin_left(px(k, 10.0))
        .x_label_area_size(px(k, 44.0))
        .y_label_area_size(px(k, 340.0))
        .build_cartesian_2d(0.0..100.0, 0.0..n)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .disable_y_axis()
        .light_line_style(TRANSPARENT)
        .x_label_formatter(&|x: &f64| format!("{x:.0}"))
        .label_style(font(k, 13.0))
        .axis_desc_style(font(k, 14.0))
        .x_desc("Percent positive or score out of 100")
        .draw()?;
    let wk = waves.len().max(1) as f64;
    for (ri, (label, points)) in rows.iter().enumerate() {
        let (x, y) = chart.backend_coord(&(0.0, n - ri as f64 - 0.5));
        root.draw(&Text::new(
            shorten(label, 34),
            (x - px(k, 10.0), y),
            font(k, 14.0).pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
        for (wi, p) in points.iter().enumerate() {
            let top = n - ri as f64 - 0.12 - (wi as f64) * 0.76 / wk;
            let bottom = top - 0.76 / wk + 0.04;
            let mid = (top + bottom) / 2.0;
            let Some(p) = p else {
                let (x, y) = chart.backend_coord(&(0.0, mid));
                root.draw(&Text::new(
                    "[c] not published",
                    (x + px(k, 6.0), y),
                    font(k, 12.0).pos(Pos::new(HPos::Left, VPos::Center)),
                ))?;
                continue;
            };
            let colour = PALETTE[wi % PALETTE.len()];
            chart.draw_series(std::iter::once(Rectangle::new(
                [(0.0, bottom), (p.value.clamp(0.0, 100.0), top)],
                colour.filled(),
            )))?;
            let end = match p.ci {
                Some((lo, hi)) => {
                    let (lo, hi) = (lo.clamp(0.0, 100.0), hi.clamp(0.0, 100.0));
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(lo, mid), (hi, mid)],
                        BLACK.stroke_width(stroke(k, 2.0)),
                    )))?;
                    for x in [lo, hi] {
                        let (px_, py) = chart.backend_coord(&(x, mid));
                        let h = px(k, 4.0);
                        root.draw(&PathElement::new(
                            vec![(px_, py - h), (px_, py + h)],
                            BLACK.stroke_width(stroke(k, 2.0)),
                        ))?;
                    }
                    hi.max(p.value)
                }
                None => p.value,
            };
            let (x, y) = chart.backend_coord(&(end.clamp(0.0, 100.0), mid));
            root.draw(&Text::new(
                fmt1(p.value),
                (x + px(k, 6.0), y),
                font(k, 12.0).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
        }
    }
    Ok(())
}

/// Lines over waves, one per indicator, with interval whiskers and a label at the line's end.
pub fn trend(
    name: &str,
    title: &str,
    waves: &[String],
    lines: &[(String, Vec<Option<Point>>)],
) -> Chart {
    let desc = lines
        .iter()
        .map(|(l, ps)| format!("{l}: {}", series_desc(waves, ps)))
        .collect::<Vec<_>>()
        .join("; ");
    Chart {
        name: name.to_string(),
        title: title.to_string(),
        desc: format!("One line per indicator; 95% intervals as vertical lines. {desc}"),
        size: (960, 560),
        kind: Kind::Trend {
            waves: waves.to_vec(),
            lines: lines.to_vec(),
        },
    }
}

fn draw_trend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    k: f64,
    title: &str,
    waves: &[String],
    lines: &[(String, Vec<Option<Point>>)],
) -> DrawResult<DB> {
    // Colour and shape together: unique for up to 16 lines.
    let style_of = |i: usize| {
        (
            MARKERS[(i + i / PALETTE.len()) % MARKERS.len()],
            PALETTE[i % PALETTE.len()],
        )
    };
    let body = header(root, k, title, &[])?;
    let n = waves.len().max(1);
    let (mut lo, mut hi) = (f64::MAX, f64::MIN);
    for p in lines.iter().flat_map(|(_, ps)| ps.iter().flatten()) {
        let (a, b) = p.ci.unwrap_or((p.value, p.value));
        lo = lo.min(a.min(p.value));
        hi = hi.max(b.max(p.value));
    }
    if lo > hi {
        (lo, hi) = (0.0, 100.0);
    }
    // Whole tens around the data, so small changes are visible but the axis stays honest.
    let lo = ((lo - 5.0) / 10.0).floor().max(0.0) * 10.0;
    let hi = ((hi + 5.0) / 10.0).ceil().min(10.0) * 10.0;
    let hi = if hi <= lo { lo + 10.0 } else { hi };
    let mut chart = ChartBuilder::on(&body)
        .margin_left(px(k, 10.0))
        .margin_right(px(k, 330.0))
        .margin_top(px(k, 10.0))
        .x_label_area_size(px(k, 40.0))
        .y_label_area_size(px(k, 60.0))
        .build_cartesian_2d(-0.3..(n as f64 - 0.7), lo..hi)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n)
        .x_label_formatter(&|x| wave_at(waves, *x))
        .light_line_style(TRANSPARENT)
        .y_label_formatter(&|y: &f64| format!("{y:.0}"))
        .label_style(font(k, 13.0))
        .axis_desc_style(font(k, 14.0))
        .y_desc("Percent positive or score out of 100")
        .draw()?;
    // Lines are nudged sideways a little so their intervals do not hide each other.
    let spread = (0.16 / lines.len().max(1) as f64).min(0.03);
    let mut ends: Vec<(i32, String, usize)> = Vec::new();
    for (li, (label, points)) in lines.iter().enumerate() {
        let (marker, colour) = style_of(li);
        let offset = (li as f64 - (lines.len() as f64 - 1.0) / 2.0) * spread;
        let pts: Vec<(f64, f64)> = points
            .iter()
            .enumerate()
            .filter_map(|(i, p)| p.map(|p| (i as f64 + offset, p.value)))
            .collect();
        chart.draw_series(std::iter::once(PathElement::new(
            pts.clone(),
            colour.stroke_width(stroke(k, 2.5)),
        )))?;
        for (i, p) in points.iter().enumerate() {
            let Some(p) = p else { continue };
            let x = i as f64 + offset;
            if let Some((a, b)) = p.ci {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(x, a), (x, b)],
                    colour.stroke_width(stroke(k, 1.5)),
                )))?;
            }
            let at = chart.backend_coord(&(x, p.value));
            marker.draw(root, at, k, colour)?;
            if lines.len() == 1 {
                root.draw(&Text::new(
                    fmt1(p.value),
                    (at.0 + px(k, 10.0), at.1 - px(k, 4.0)),
                    font(k, 13.0).pos(Pos::new(HPos::Left, VPos::Bottom)),
                ))?;
            }
        }
        if let Some(&(x, y)) = pts.last() {
            let (_, py) = chart.backend_coord(&(x, y));
            ends.push((py, label.clone(), li));
        }
    }
    // Direct labels at the right, moved apart so they never overlap.
    ends.sort_by_key(|e| e.0);
    let gap = px(k, 20.0);
    let mut last = i32::MIN;
    let (xr, _) = chart.backend_coord(&(n as f64 - 0.7, lo));
    for (py, label, li) in &mut ends {
        if *py < last + gap {
            *py = last + gap;
        }
        last = *py;
        let (marker, colour) = style_of(*li);
        marker.draw(root, (xr + px(k, 14.0), *py), k, colour)?;
        root.draw(&Text::new(
            shorten(label, 30),
            (xr + px(k, 26.0), *py),
            font(k, 14.0).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    Ok(())
}

/// Diverging stacked bars: negative answers to the left of zero, positive to the right,
/// neutral split across the middle; the positive and negative percentages are printed.
pub fn diverging(name: &str, title: &str, rows: &[(String, Option<Shares>)]) -> Chart {
    let desc = rows
        .iter()
        .map(|(l, s)| match s {
            Some(s) => format!(
                "{l}: {}% positive, {}% neutral, {}% negative",
                fmt1(s.positive),
                fmt1(s.neutral),
                fmt1(s.negative)
            ),
            None => format!("{l}: not published"),
        })
        .collect::<Vec<_>>()
        .join("; ");
    Chart {
        name: name.to_string(),
        title: title.to_string(),
        desc,
        size: (1160, 150 + 36 * rows.len() as u32),
        kind: Kind::Diverging {
            rows: rows.to_vec(),
        },
    }
}

fn draw_diverging<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    k: f64,
    title: &str,
    rows: &[(String, Option<Shares>)],
) -> DrawResult<DB> {
    let (neg, neu, pos) = (PALETTE[1], LIGHT_GREY, PALETTE[0]);
    let legend = vec![
        (Marker::Square, neg, "Negative (left)".to_string()),
        (Marker::Square, neu, "Neutral (middle)".to_string()),
        (Marker::Square, pos, "Positive (right)".to_string()),
    ];
    let body = header(root, k, title, &legend)?;
    let n = rows.len().max(1) as f64;
    let mut chart = ChartBuilder::on(&body)
        .margin_right(px(k, 20.0))
        .margin_left(px(k, 10.0))
        .x_label_area_size(px(k, 44.0))
        .y_label_area_size(px(k, 520.0))
        .build_cartesian_2d(-100.0..100.0, 0.0..n)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .disable_y_axis()
        .x_labels(11)
        .light_line_style(TRANSPARENT)
        .x_label_formatter(&|x: &f64| format!("{:.0}%", x.abs()))
        .label_style(font(k, 13.0))
        .axis_desc_style(font(k, 14.0))
        .x_desc("Percent of valid answers")
        .draw()?;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, 0.0), (0.0, n)],
        BLACK.stroke_width(stroke(k, 1.0)),
    )))?;
    for (ri, (label, shares)) in rows.iter().enumerate() {
        let (top, bottom) = (n - ri as f64 - 0.15, n - ri as f64 - 0.85);
        let mid = (top + bottom) / 2.0;
        let (x, y) = chart.backend_coord(&(-100.0, mid));
        root.draw(&Text::new(
            shorten(label, 60),
            (x - px(k, 10.0), y),
            font(k, 13.0).pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
        let Some(s) = shares else {
            let (x, y) = chart.backend_coord(&(0.0, mid));
            root.draw(&Text::new(
                "[c] not published",
                (x + px(k, 6.0), y),
                font(k, 12.0).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
            continue;
        };
        let half = s.neutral / 2.0;
        for (from, to, colour) in [
            (-half - s.negative, -half, neg),
            (-half, half, neu),
            (half, half + s.positive, pos),
        ] {
            if to > from {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(from, bottom), (to, top)],
                    colour.filled(),
                )))?;
            }
        }
        let (xl, y) = chart.backend_coord(&(-half - s.negative, mid));
        root.draw(&Text::new(
            format!("{}%", fmt1(s.negative)),
            (xl - px(k, 5.0), y),
            font(k, 12.0).pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
        let (xr, y) = chart.backend_coord(&(half + s.positive, mid));
        root.draw(&Text::new(
            format!("{}%", fmt1(s.positive)),
            (xr + px(k, 5.0), y),
            font(k, 12.0).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    Ok(())
}

/// A heat map of groups (rows) by indicators (columns): darker is higher, every value printed,
/// `[c]` where suppressed.
pub fn heatmap(
    name: &str,
    title: &str,
    columns: &[String],
    rows: &[(String, Vec<Option<f64>>)],
) -> Chart {
    let desc = rows
        .iter()
        .map(|(r, vs)| {
            let cells: Vec<String> = columns
                .iter()
                .zip(vs)
                .map(|(c, v)| format!("{c} {}", v.map_or_else(|| "[c]".to_string(), fmt1)))
                .collect();
            format!("{r}: {}", cells.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ");
    Chart {
        name: name.to_string(),
        title: title.to_string(),
        desc: format!("Darker cells are higher values; [c] = suppressed. {desc}"),
        size: (
            300 + 112 * columns.len().max(1) as u32,
            70 + heat_header(columns) as u32 + 40 * rows.len() as u32,
        ),
        kind: Kind::Heatmap {
            columns: columns.to_vec(),
            rows: rows.to_vec(),
        },
    }
}

/// Height of the heat map's column labels: 18 px per wrapped line, plus a gap.
fn heat_header(columns: &[String]) -> f64 {
    let lines = columns.iter().map(|c| wrap(c, 12).len()).max().unwrap_or(1);
    18.0 * lines as f64 + 16.0
}

/// The heat map's shade for a value from 0 to 100: light to dark blue, as in the HTML tables.
fn shade(v: f64) -> HSLColor {
    let t = (v / 100.0).clamp(0.0, 1.0);
    HSLColor(207.0 / 360.0, 0.6, (96.0 - 40.0 * t) / 100.0)
}

fn draw_heatmap<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    k: f64,
    title: &str,
    columns: &[String],
    rows: &[(String, Vec<Option<f64>>)],
) -> DrawResult<DB> {
    let body = header(root, k, title, &[])?;
    let (left, top) = (px(k, 290.0), px(k, heat_header(columns)));
    let (cw, ch) = (px(k, 112.0), px(k, 40.0));
    let (ox, oy) = body.get_base_pixel();
    let (ox, oy) = (ox + left, oy + top);
    for (ci, c) in columns.iter().enumerate() {
        let lines = wrap(c, 12);
        let n = lines.len() as i32;
        for (li, line) in lines.iter().enumerate() {
            root.draw(&Text::new(
                line.clone(),
                (
                    ox + ci as i32 * cw + cw / 2,
                    oy - px(k, 8.0) - (n - 1 - li as i32) * px(k, 18.0),
                ),
                font(k, 13.0).pos(Pos::new(HPos::Center, VPos::Bottom)),
            ))?;
        }
    }
    for (ri, (label, values)) in rows.iter().enumerate() {
        let y0 = oy + ri as i32 * ch;
        root.draw(&Text::new(
            shorten(label, 28),
            (ox - px(k, 10.0), y0 + ch / 2),
            font(k, 14.0).pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
        for (ci, v) in values.iter().enumerate() {
            let x0 = ox + ci as i32 * cw;
            let cell = [(x0, y0), (x0 + cw, y0 + ch)];
            match v {
                Some(v) => root.draw(&Rectangle::new(cell, shade(*v).filled()))?,
                None => root.draw(&Rectangle::new(cell, WHITE.filled()))?,
            }
            root.draw(&Rectangle::new(cell, GREY.stroke_width(stroke(k, 1.0))))?;
            root.draw(&Text::new(
                v.map_or_else(|| "[c]".to_string(), fmt1),
                (x0 + cw / 2, y0 + ch / 2),
                font(k, 14.0).pos(Pos::new(HPos::Center, VPos::Center)),
            ))?;
        }
    }
    Ok(())
}

/// One month of a control chart as drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct SpcMonth {
    pub label: String,
    pub value: Option<f64>,
    /// The centre line in force this month.
    pub centre: Option<f64>,
    /// (lower, upper) for this month's n.
    pub limits: Option<(f64, f64)>,
    /// The limits are provisional (fewer than 12 months with data behind them).
    pub provisional: bool,
    pub baseline: bool,
    /// The limits were frozen at this month.
    pub frozen_here: bool,
    /// A declared step change starts here (its reason).
    pub step: Option<String>,
    pub signal: bool,
}

/// A control chart: monthly values, the centre line and limits for each month (stepped, as
/// each month's n and each step change moves them; dashed while provisional), the baseline
/// months shaded, the point where the limits were frozen, and signals (filled triangles;
/// outlined against provisional limits).
pub fn spc_chart(name: &str, title: &str, months: &[SpcMonth], decimals: usize) -> Chart {
    let num = |v: f64| super::tables::fmt_decimals(v, decimals);
    let list = |f: &dyn Fn(&SpcMonth) -> bool| {
        let v: Vec<&str> = months
            .iter()
            .filter(|m| f(m))
            .map(|m| m.label.as_str())
            .collect();
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join(", ")
        }
    };
    let mut desc = format!(
        "Monthly values with the centre line and process limits for each month's number of forms. \
         Baseline months: {}. ",
        list(&|m| m.baseline)
    );
    if let Some(f) = months.iter().find(|m| m.frozen_here) {
        desc.push_str(&format!("Limits frozen at {}. ", f.label));
    }
    if months.iter().any(|m| m.provisional) {
        desc.push_str(&format!(
            "Provisional limits (only points outside them count) in: {}. ",
            list(&|m| m.provisional)
        ));
    }
    for m in months.iter().filter(|m| m.step.is_some()) {
        desc.push_str(&format!(
            "Step change from {}: {}. ",
            m.label,
            m.step.as_deref().unwrap_or_default()
        ));
    }
    desc.push_str(&format!("Signals in: {}. Values: ", list(&|m| m.signal)));
    desc.push_str(
        &months
            .iter()
            .map(|m| match (m.value, m.limits) {
                (Some(v), Some((l, u))) => {
                    format!("{} {} (limits {} to {})", m.label, num(v), num(l), num(u))
                }
                (Some(v), None) => format!("{} {}", m.label, num(v)),
                (None, _) => format!("{} none", m.label),
            })
            .collect::<Vec<_>>()
            .join(", "),
    );
    desc.push('.');
    Chart {
        name: name.to_string(),
        title: title.to_string(),
        desc,
        size: (960, 460),
        kind: Kind::Spc {
            months: months.to_vec(),
            decimals,
        },
    }
}

/// Small multiples: one panel per indicator, each on its own scale, every wave a point with
/// its 95% interval and its value printed, the latest wave filled and the earlier ones hollow.
pub fn panels(name: &str, title: &str, waves: &[String], panels: &[Panel]) -> Chart {
    let desc = panels
        .iter()
        .map(|p| {
            let d = p.decimals;
            let values = waves
                .iter()
                .zip(&p.points)
                .map(|(w, pt)| match pt {
                    Some(pt) => match pt.ci {
                        Some((a, b)) => {
                            format!("{w}: {:.d$} (95% interval {a:.d$} to {b:.d$})", pt.value)
                        }
                        None => format!("{w}: {:.d$}", pt.value),
                    },
                    None => format!("{w}: not published"),
                })
                .collect::<Vec<_>>()
                .join(", ");
            format!("{} ({}): {values}", p.label, p.unit)
        })
        .collect::<Vec<_>>()
        .join("; ");
    let cols = PANEL_COLUMNS.min(panels.len().max(1));
    let rows = panels.len().div_ceil(cols).max(1);
    Chart {
        name: name.to_string(),
        title: title.to_string(),
        desc: format!(
            "One panel per indicator, each on its own scale; 95% intervals as vertical lines. {desc}"
        ),
        size: (1160, 60 + 250 * rows as u32),
        kind: Kind::Panels {
            waves: waves.to_vec(),
            panels: panels.to_vec(),
        },
    }
}

/// Panels in a row of a small-multiples chart.
const PANEL_COLUMNS: usize = 4;

fn draw_panels<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    k: f64,
    title: &str,
    waves: &[String],
    panels: &[Panel],
) -> DrawResult<DB> {
    let body = header(root, k, title, &[])?;
    let cols = PANEL_COLUMNS.min(panels.len().max(1));
    let rows = panels.len().div_ceil(cols).max(1);
    let areas = body.split_evenly((rows, cols));
    let n = waves.len().max(1);
    for (panel, area) in panels.iter().zip(areas) {
        let (top, plot) = area.split_vertically(px(k, 46.0));
        for (i, line) in wrap(&panel.label, 34).iter().take(2).enumerate() {
            top.draw(&Text::new(
                line.clone(),
                (px(k, 10.0), px(k, 4.0 + 18.0 * i as f64)),
                font(k, 13.0).pos(Pos::new(HPos::Left, VPos::Top)),
            ))?;
        }
        let (lo, hi) = panel.range;
        let mut chart = ChartBuilder::on(&plot)
            .margin_left(px(k, 6.0))
            .margin_right(px(k, 18.0))
            .margin_bottom(px(k, 6.0))
            .x_label_area_size(px(k, 26.0))
            .y_label_area_size(px(k, 46.0))
            .build_cartesian_2d(-0.5..(n as f64 - 0.5), lo..hi)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n)
            .x_label_formatter(&|x| wave_at(waves, *x))
            .y_labels(5)
            .light_line_style(TRANSPARENT)
            .y_label_formatter(&|y: &f64| format!("{y:.0}"))
            .label_style(font(k, 11.0))
            .axis_desc_style(font(k, 11.0))
            .y_desc(panel.unit.as_str())
            .draw()?;
        let pts: Vec<(f64, f64)> = panel
            .points
            .iter()
            .enumerate()
            .filter_map(|(i, p)| p.map(|p| (i as f64, p.value)))
            .collect();
        chart.draw_series(std::iter::once(PathElement::new(
            pts.clone(),
            GREY.stroke_width(stroke(k, 1.5)),
        )))?;
        let last = panel.points.iter().rposition(Option::is_some);
        for (i, p) in panel.points.iter().enumerate() {
            let Some(p) = p else { continue };
            let x = i as f64;
            if let Some((a, b)) = p.ci {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(x, a), (x, b)],
                    PALETTE[0].stroke_width(stroke(k, 2.0)),
                )))?;
            }
            let at = chart.backend_coord(&(x, p.value));
            if Some(i) == last {
                Marker::Circle.draw(root, at, k, PALETTE[0])?;
            } else {
                root.draw(&Circle::new(at, px(k, 5.0), WHITE.filled()))?;
                root.draw(&Circle::new(
                    at,
                    px(k, 5.0),
                    PALETTE[0].stroke_width(stroke(k, 2.0)),
                ))?;
            }
            root.draw(&Text::new(
                format!("{:.*}", panel.decimals, p.value),
                (at.0 + px(k, 9.0), at.1),
                font(k, 12.0).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
        }
    }
    Ok(())
}

/// Key drivers: importance (share of R², with its 95% interval) against the current score,
/// split at the average share and the drivers' median score into priorities (important, low
/// score), strengths (important, high score), monitor and maintain. Every point is labelled.
pub fn quadrant(
    name: &str,
    title: &str,
    drivers: &[DriverPoint],
    average_share: f64,
    median_score: f64,
) -> Chart {
    let desc = format!(
        "Average share {}%, median score {}. {}",
        fmt1(average_share),
        fmt1(median_score),
        drivers
            .iter()
            .map(|d| format!(
                "{}: share of R² {}%{}, score {}",
                d.label,
                fmt1(d.share),
                d.ci.map_or_else(String::new, |(l, h)| format!(
                    " (95% interval {} to {})",
                    fmt1(l),
                    fmt1(h)
                )),
                fmt1(d.score)
            ))
            .collect::<Vec<_>>()
            .join("; ")
    );
    Chart {
        name: name.to_string(),
        title: title.to_string(),
        desc,
        size: (1160, 700),
        kind: Kind::Quadrant {
            drivers: drivers.to_vec(),
            average_share,
            median_score,
        },
    }
}

fn draw_quadrant<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    k: f64,
    title: &str,
    drivers: &[DriverPoint],
    average_share: f64,
    median_score: f64,
) -> DrawResult<DB> {
    let body = header(root, k, title, &[])?;
    let top = drivers
        .iter()
        .map(|d| d.ci.map_or(d.share, |c| c.1))
        .fold(average_share, f64::max);
    let y_max = ((top * 1.15) / 5.0).ceil() * 5.0;
    let (lo, hi) = drivers
        .iter()
        .map(|d| d.score)
        .fold((median_score, median_score), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    let x_min = ((lo - 8.0) / 10.0).floor().max(0.0) * 10.0;
    let x_max = (((hi + 8.0) / 10.0).ceil() * 10.0).min(100.0);
    let mut chart = ChartBuilder::on(&body)
        .margin_right(px(k, 30.0))
        .margin_left(px(k, 10.0))
        .x_label_area_size(px(k, 50.0))
        .y_label_area_size(px(k, 70.0))
        .build_cartesian_2d(x_min..x_max, 0.0..y_max)?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .label_style(font(k, 13.0))
        .axis_desc_style(font(k, 14.0))
        .x_desc("Current score (mean, 0-100)")
        .x_label_formatter(&|x: &f64| format!("{x:.0}"))
        .y_desc("Share of R² (%)")
        .y_label_formatter(&|y: &f64| format!("{y:.0}%"))
        .draw()?;
    let grey = GREY.stroke_width(stroke(k, 1.0));
    let (ax, ay) = chart.backend_coord(&(x_min, average_share));
    let (bx, by) = chart.backend_coord(&(x_max, average_share));
    dashed(root, (ax, ay), (bx, by), grey, px(k, 6.0))?;
    let (cx, cy) = chart.backend_coord(&(median_score, 0.0));
    let (dx, dy) = chart.backend_coord(&(median_score, y_max));
    dashed(root, (cx, cy), (dx, dy), grey, px(k, 6.0))?;
    // Quadrant names in the corners.
    for (x, y, left, upper, text) in [
        (
            x_min,
            y_max,
            true,
            true,
            "Priorities: important, lower score",
        ),
        (
            x_max,
            y_max,
            false,
            true,
            "Strengths: important, higher score",
        ),
        (x_min, 0.0, true, false, "Monitor"),
        (x_max, 0.0, false, false, "Maintain"),
    ] {
        let (px_, py) = chart.backend_coord(&(x, y));
        let pos = (
            px_ + px(k, if left { 8.0 } else { -8.0 }),
            py + px(k, if upper { 8.0 } else { -8.0 }),
        );
        let h = if left { HPos::Left } else { HPos::Right };
        let v = if upper { VPos::Top } else { VPos::Bottom };
        root.draw(&Text::new(
            text.to_string(),
            pos,
            font(k, 14.0).color(&GREY).pos(Pos::new(h, v)),
        ))?;
    }
    // Points and intervals first, then labels placed clear of each other (and of the edge).
    for d in drivers {
        if let Some((l, h)) = d.ci {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(d.score, l), (d.score, h)],
                PALETTE[0].stroke_width(stroke(k, 2.0)),
            )))?;
        }
        let (x, y) = chart.backend_coord(&(d.score, d.share));
        Marker::Circle.draw(root, (x, y), k, PALETTE[0])?;
    }
    let mut order: Vec<&DriverPoint> = drivers.iter().collect();
    order.sort_by(|a, b| b.share.total_cmp(&a.share));
    let (right_edge, _) = chart.backend_coord(&(x_max, 0.0));
    let mut placed: Vec<(i32, i32, i32)> = Vec::new();
    for d in order {
        let (x, y) = chart.backend_coord(&(d.score, d.share));
        let text = format!("{} ({}%)", shorten(&d.label, 48), fmt1(d.share));
        let style = font(k, 13.0);
        let w = root
            .estimate_text_size(&text, &style)
            .map_or(px(k, 7.5 * text.len() as f64), |(w, _)| w as i32);
        let left = x + px(k, 12.0) + w > right_edge;
        let (x0, x1) = if left {
            (x - px(k, 12.0) - w, x - px(k, 12.0))
        } else {
            (x + px(k, 12.0), x + px(k, 12.0) + w)
        };
        let line = px(k, 18.0);
        let mut ty = y - px(k, 4.0);
        while placed
            .iter()
            .any(|&(a, b, py)| a < x1 && x0 < b && (py - ty).abs() < line)
        {
            ty += line;
        }
        placed.push((x0, x1, ty));
        root.draw(&Text::new(
            text,
            (x0, ty),
            style.pos(Pos::new(HPos::Left, VPos::Bottom)),
        ))?;
    }
    Ok(())
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

fn draw_spc<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    k: f64,
    title: &str,
    months: &[SpcMonth],
    decimals: usize,
) -> DrawResult<DB> {
    let num = |v: f64| super::tables::fmt_decimals(v, decimals);
    let mut legend = vec![
        (Marker::Circle, PALETTE[0], "Monthly value".to_string()),
        (Marker::Triangle, PALETTE[1], "Signal".to_string()),
    ];
    if months.iter().any(|m| m.provisional) {
        legend.push((
            Marker::TriangleOutline,
            PALETTE[1],
            "Signal against provisional limits".to_string(),
        ));
    }
    let body = header(root, k, title, &legend)?;
    let mut lo = f64::MAX;
    let mut hi = f64::MIN;
    for m in months {
        for v in [
            m.value,
            m.centre,
            m.limits.map(|l| l.0),
            m.limits.map(|l| l.1),
        ]
        .into_iter()
        .flatten()
        {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    if lo > hi {
        (lo, hi) = (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.12).max(1e-3);
    let n = months.len().max(1);
    let mut chart = ChartBuilder::on(&body)
        .margin_left(px(k, 10.0))
        .margin_right(px(k, 150.0))
        .margin_top(px(k, 24.0))
        .x_label_area_size(px(k, 50.0))
        .y_label_area_size(px(k, 60.0))
        .build_cartesian_2d(-0.5..(n as f64 - 0.5), (lo - pad)..(hi + pad))?;
    let every = n.div_ceil(12).max(1);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n.min(24))
        .x_label_formatter(&|x| {
            let i = x.round();
            if (x - i).abs() < 1e-9 && i >= 0.0 && (i as usize).is_multiple_of(every) {
                months
                    .get(i as usize)
                    .map(|m| m.label.clone())
                    .unwrap_or_default()
            } else {
                String::new()
            }
        })
        .light_line_style(TRANSPARENT)
        .y_label_formatter(&|y: &f64| num(*y))
        .label_style(font(k, 13.0))
        .draw()?;
    let (y_top, y_bottom) = (hi + pad, lo - pad);
    // Baseline months, shaded.
    let base: Vec<usize> = (0..months.len()).filter(|&i| months[i].baseline).collect();
    if let (Some(&a), Some(&b)) = (base.first(), base.last()) {
        let tl = chart.backend_coord(&(a as f64 - 0.5, y_top));
        let br = chart.backend_coord(&(b as f64 + 0.5, y_bottom));
        root.draw(&Rectangle::new([tl, br], RGBColor(236, 236, 236).filled()))?;
        root.draw(&Text::new(
            "Baseline".to_string(),
            (tl.0 + px(k, 4.0), tl.1 - px(k, 12.0)),
            font(k, 12.0).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    // Step changes and the freeze point, as vertical lines.
    for (i, m) in months.iter().enumerate() {
        if let Some(reason) = &m.step {
            let top = chart.backend_coord(&(i as f64 - 0.5, y_top));
            let bottom = chart.backend_coord(&(i as f64 - 0.5, y_bottom));
            root.draw(&PathElement::new(
                vec![top, bottom],
                BLACK.stroke_width(stroke(k, 1.5)),
            ))?;
            root.draw(&Text::new(
                format!("Step change: {}", shorten(reason, 40)),
                (top.0 + px(k, 4.0), top.1 - px(k, 12.0)),
                font(k, 12.0).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
        }
        if m.frozen_here {
            let top = chart.backend_coord(&(i as f64 + 0.5, y_top));
            let bottom = chart.backend_coord(&(i as f64 + 0.5, y_bottom));
            dashed(
                root,
                top,
                bottom,
                GREY.stroke_width(stroke(k, 1.5)),
                px(k, 5.0),
            )?;
            root.draw(&Text::new(
                "Limits frozen".to_string(),
                (top.0 + px(k, 4.0), bottom.1 - px(k, 10.0)),
                font(k, 12.0).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
        }
    }
    // Centre line and limits, month by month (stepped); dashed while provisional.
    for (i, m) in months.iter().enumerate() {
        let (x0, x1) = (i as f64 - 0.5, i as f64 + 0.5);
        let lines = [
            (m.centre, BLACK.stroke_width(stroke(k, 2.0))),
            (m.limits.map(|l| l.0), GREY.stroke_width(stroke(k, 1.5))),
            (m.limits.map(|l| l.1), GREY.stroke_width(stroke(k, 1.5))),
        ];
        for (y, style) in lines {
            let Some(y) = y else { continue };
            let (a, b) = (chart.backend_coord(&(x0, y)), chart.backend_coord(&(x1, y)));
            if m.provisional {
                dashed(root, a, b, style, px(k, 4.0))?;
            } else {
                root.draw(&PathElement::new(vec![a, b], style))?;
            }
        }
        // Risers join this month's limits to the next month's, so the steps read as lines.
        if let (Some(next), Some((l, u))) = (months.get(i + 1), m.limits)
            && let Some((nl, nu)) = next.limits
        {
            for (y0, y1) in [(l, nl), (u, nu)] {
                let a = chart.backend_coord(&(x1, y0));
                let b = chart.backend_coord(&(x1, y1));
                root.draw(&PathElement::new(
                    vec![a, b],
                    GREY.stroke_width(stroke(k, 1.0)),
                ))?;
            }
        }
    }
    // Labels at the right for the last month with limits.
    if let Some((i, m)) = months
        .iter()
        .enumerate()
        .rev()
        .find(|(_, m)| m.limits.is_some())
    {
        let (l, u) = m.limits.expect("found");
        let mut placed: Vec<i32> = Vec::new();
        let centre = m.centre.unwrap_or(f64::NAN);
        let mut labels = vec![
            (centre, format!("Centre {}", num(centre))),
            (u, format!("Upper limit {}", num(u))),
            (l, format!("Lower limit {}", num(l))),
        ];
        if m.provisional {
            // Under the centre label: the limits are not settled yet.
            labels.insert(1, (centre, "(limits provisional)".to_string()));
        }
        for (y, label) in labels {
            if !y.is_finite() {
                continue;
            }
            let (_, py) = chart.backend_coord(&(i as f64, y));
            let mut py = py;
            while placed.iter().any(|p| (p - py).abs() < px(k, 14.0)) {
                py += px(k, 14.0);
            }
            placed.push(py);
            let (x, _) = chart.backend_coord(&(n as f64 - 0.5, y));
            root.draw(&Text::new(
                label,
                (x + px(k, 8.0), py),
                font(k, 12.0).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
        }
    }
    // The series, broken at missing months.
    let mut segment: Vec<(f64, f64)> = Vec::new();
    for (i, m) in months.iter().enumerate() {
        match m.value {
            Some(v) => segment.push((i as f64, v)),
            None if !segment.is_empty() => {
                chart.draw_series(std::iter::once(PathElement::new(
                    std::mem::take(&mut segment),
                    PALETTE[0].stroke_width(stroke(k, 2.0)),
                )))?;
            }
            None => {}
        }
    }
    if !segment.is_empty() {
        chart.draw_series(std::iter::once(PathElement::new(
            segment,
            PALETTE[0].stroke_width(stroke(k, 2.0)),
        )))?;
    }
    for (i, m) in months.iter().enumerate() {
        let Some(v) = m.value else { continue };
        let at = chart.backend_coord(&(i as f64, v));
        if m.signal {
            let r = px(k, 10.0);
            let (x, y) = at;
            let outline = vec![
                (x, y - r),
                (x - r, y + r * 3 / 4),
                (x + r, y + r * 3 / 4),
                (x, y - r),
            ];
            if m.provisional {
                root.draw(&Polygon::new(outline[..3].to_vec(), WHITE.filled()))?;
                root.draw(&PathElement::new(
                    outline,
                    PALETTE[1].stroke_width(stroke(k, 2.5)),
                ))?;
            } else {
                root.draw(&Polygon::new(outline[..3].to_vec(), PALETTE[1].filled()))?;
                root.draw(&PathElement::new(
                    outline,
                    BLACK.stroke_width(stroke(k, 1.0)),
                ))?;
            }
        } else {
            Marker::Circle.draw(root, at, k * 0.8, PALETTE[0])?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(v: f64) -> Option<Point> {
        Some(Point {
            value: v,
            ci: Some((v - 2.0, v + 2.0)),
        })
    }

    fn all_kinds() -> Vec<Chart> {
        let waves = vec!["2025".to_string(), "2026".to_string()];
        vec![
            indicator_bars(
                "bars",
                "Bars",
                &waves,
                &[
                    ("Trust".into(), vec![p(40.0), p(47.5)]),
                    ("Respect".into(), vec![None, p(60.0)]),
                ],
            ),
            trend(
                "trend",
                "Trend",
                &waves,
                &[
                    ("Trust".into(), vec![p(40.0), p(47.5)]),
                    ("Respect".into(), vec![p(41.0), None]),
                ],
            ),
            diverging(
                "answers",
                "Answers",
                &[
                    (
                        "S19 Officers and members work together with mutual trust".into(),
                        Some(Shares {
                            negative: 30.0,
                            neutral: 20.0,
                            positive: 50.0,
                        }),
                    ),
                    ("S20 Suppressed".into(), None),
                ],
            ),
            heatmap(
                "heat",
                "Heat",
                &["Officer-member trust".into(), "Respect".into()],
                &[("Place".into(), vec![Some(55.0), None])],
            ),
            spc_chart(
                "spc",
                "SPC",
                &[
                    SpcMonth {
                        label: "2025-09".into(),
                        value: Some(3.0),
                        centre: Some(4.0),
                        limits: Some((1.0, 7.0)),
                        provisional: true,
                        baseline: true,
                        frozen_here: false,
                        step: None,
                        signal: false,
                    },
                    SpcMonth {
                        label: "2025-10".into(),
                        value: None,
                        centre: Some(4.0),
                        limits: None,
                        provisional: false,
                        baseline: false,
                        frozen_here: true,
                        step: None,
                        signal: false,
                    },
                    SpcMonth {
                        label: "2025-11".into(),
                        value: Some(9.0),
                        centre: Some(6.0),
                        limits: Some((2.0, 8.5)),
                        provisional: false,
                        baseline: false,
                        frozen_here: false,
                        step: Some("New chairing protocol".into()),
                        signal: true,
                    },
                ],
                1,
            ),
        ]
    }

    #[test]
    fn every_chart_draws_as_accessible_svg_and_valid_png() {
        for c in all_kinds() {
            let svg = c.svg().unwrap().into_string();
            assert!(svg.starts_with("<svg"), "{}", c.name);
            assert!(svg.contains("role=\"img\"><title>"), "{}", c.name);
            assert!(svg.contains("<text"), "{} has text", c.name);
            let png = c.png().unwrap();
            assert_eq!(&png[1..4], b"PNG", "{}", c.name);
            let decoder = png::Decoder::new(std::io::Cursor::new(&png));
            let reader = decoder.read_info().unwrap();
            let info = reader.info();
            assert_eq!(
                (info.width, info.height),
                (c.size.0 * PNG_SCALE, c.size.1 * PNG_SCALE)
            );
        }
    }

    #[test]
    fn png_text_is_drawn_with_the_bundled_font() {
        // A title alone must put dark pixels on the white canvas: without a font the text
        // would silently be missing.
        let c = heatmap("h", "Title", &[], &[]);
        let png = c.png().unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(&png));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        reader.next_frame(&mut buf).unwrap();
        assert!(buf.iter().any(|&b| b < 100), "dark pixels from the title");
    }

    #[test]
    fn the_same_chart_draws_byte_identically() {
        for c in all_kinds() {
            assert_eq!(c.svg().unwrap(), c.svg().unwrap());
            assert_eq!(c.png().unwrap(), c.png().unwrap());
        }
    }

    #[test]
    fn descriptions_carry_the_values_and_suppression() {
        let kinds = all_kinds();
        assert!(
            kinds[0]
                .desc
                .contains("2026: 47.5 (95% interval 45.5 to 49.5)")
        );
        assert!(kinds[0].desc.contains("Respect (2025: not published"));
        assert!(
            kinds[2]
                .desc
                .contains("50.0% positive, 20.0% neutral, 30.0% negative")
        );
        assert!(kinds[3].desc.contains("Respect [c]"));
        assert!(kinds[4].desc.contains("Signals in: 2025-11"));
    }

    #[test]
    fn markup_in_labels_is_escaped_in_svg() {
        let c = heatmap(
            "h",
            "<b>x</b>",
            &["<script>".into()],
            &[("a&b".into(), vec![None])],
        );
        let svg = c.svg().unwrap().into_string();
        assert!(!svg.contains("<script>"));
        assert!(!svg.contains("<b>"));
        assert!(svg.contains("&lt;script&gt;"));
    }

    #[test]
    fn long_labels_are_shortened_at_a_word() {
        assert_eq!(shorten("short", 10), "short");
        assert_eq!(
            shorten("I feel safe to speak up about anything", 20),
            "I feel safe to…"
        );
        assert_eq!(
            wrap("Speaking up and challenge", 14),
            vec!["Speaking up", "and challenge"]
        );
    }
}
