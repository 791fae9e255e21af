//! Charts as SVG (plotters): indicator values with 95% interval whiskers by wave, and SPC
//! control charts. Every chart gets a `<title>` and `<desc>` so screen readers can read it,
//! and meaning never rests on colour alone (markers differ in shape, values are labelled in
//! the tables beside each chart).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// A value with its interval.
#[derive(Debug, Clone, Copy)]
pub struct Point {
    pub value: f64,
    pub ci: Option<(f64, f64)>,
}

const PALETTE: [RGBColor; 4] = [
    RGBColor(0, 94, 165),   // dark blue
    RGBColor(244, 119, 56), // orange
    RGBColor(0, 112, 60),   // green
    RGBColor(106, 38, 99),  // purple
];

fn escape(s: &str) -> String {
    super::html::escape(s)
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

/// Grouped bars: one group per indicator, one bar per wave, whiskers for the 95% interval.
/// `rows` are (indicator label, one optional point per wave).
pub fn indicator_bars(
    title: &str,
    waves: &[String],
    rows: &[(String, Vec<Option<Point>>)],
) -> String {
    let mut svg = String::new();
    {
        let height = 120 + 46 * rows.len() as u32;
        let root = SVGBackend::with_string(&mut svg, (900, height)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let n = rows.len().max(1) as f64;
        let mut chart = match ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 22))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(290)
            .build_cartesian_2d(0.0..100.0, 0.0..n)
        {
            Ok(c) => c,
            Err(_) => return String::new(),
        };
        let _ = chart
            .configure_mesh()
            .disable_y_mesh()
            .disable_y_axis()
            .x_desc("% or score (0-100)")
            .draw();
        // Indicator names beside their bars (a categorical axis).
        for (ri, (label, _)) in rows.iter().enumerate() {
            let (px, py) = chart.backend_coord(&(0.0, n - ri as f64 - 0.5));
            let style = ("sans-serif", 13)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Right, VPos::Center));
            let _ = root.draw(&Text::new(label.clone(), (px - 8, py), style));
        }
        let k = waves.len().max(1) as f64;
        for (wi, wave) in waves.iter().enumerate() {
            let colour = PALETTE[wi % PALETTE.len()];
            let mut bars = Vec::new();
            let mut whiskers = Vec::new();
            for (ri, (_, points)) in rows.iter().enumerate() {
                let Some(Some(p)) = points.get(wi) else {
                    continue;
                };
                let top = n - ri as f64 - 0.1 - (wi as f64) * 0.8 / k;
                let bottom = top - 0.8 / k + 0.04;
                bars.push(Rectangle::new(
                    [(0.0, bottom), (p.value, top)],
                    colour.filled(),
                ));
                if let Some((lo, hi)) = p.ci {
                    let mid = (top + bottom) / 2.0;
                    whiskers.push(PathElement::new(
                        vec![(lo, mid), (hi, mid)],
                        BLACK.stroke_width(2),
                    ));
                }
            }
            if let Ok(a) = chart.draw_series(bars) {
                a.label(wave.clone()).legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 14, y + 5)], colour.filled())
                });
            }
            let _ = chart.draw_series(whiskers);
        }
        let _ = chart
            .configure_series_labels()
            .border_style(BLACK)
            .background_style(WHITE)
            .position(SeriesLabelPosition::LowerRight)
            .draw();
        let _ = root.present();
    }
    let desc = rows
        .iter()
        .map(|(l, ps)| {
            let vals: Vec<String> = waves
                .iter()
                .zip(ps)
                .map(|(w, p)| match p {
                    Some(p) => format!("{w}: {:.1}", p.value),
                    None => format!("{w}: not published"),
                })
                .collect();
            format!("{l} ({})", vals.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ");
    accessible(svg, title, &desc)
}

/// An XmR control chart: values by month, the baseline centre line and process limits;
/// months with a signal are drawn as large triangles (not only in another colour).
pub fn spc_chart(
    title: &str,
    months: &[String],
    values: &[Option<f64>],
    limits: Option<(f64, f64, f64)>,
    signal: &[bool],
) -> String {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 380)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let present: Vec<f64> = values.iter().flatten().copied().collect();
        let (mut lo, mut hi) = present
            .iter()
            .fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(*v), b.max(*v)));
        if let Some((_, l, u)) = limits {
            lo = lo.min(l);
            hi = hi.max(u);
        }
        if present.is_empty() {
            (lo, hi) = (0.0, 1.0);
        }
        let pad = ((hi - lo) * 0.1).max(1e-3);
        let n = months.len().max(1);
        let mut chart = match ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(60)
            .build_cartesian_2d(0..n, (lo - pad)..(hi + pad))
        {
            Ok(c) => c,
            Err(_) => return String::new(),
        };
        let _ = chart
            .configure_mesh()
            .x_labels(n.min(18))
            .x_label_formatter(&|i| months.get(*i).cloned().unwrap_or_default())
            .draw();
        if let Some((c, l, u)) = limits {
            for (y, style) in [
                (c, BLACK.stroke_width(2)),
                (l, RGBColor(120, 120, 120).stroke_width(1)),
                (u, RGBColor(120, 120, 120).stroke_width(1)),
            ] {
                let _ = chart.draw_series(std::iter::once(PathElement::new(
                    vec![(0, y), (n - 1, y)],
                    style,
                )));
            }
        }
        // The series, broken at missing months.
        let mut segment: Vec<(usize, f64)> = Vec::new();
        let mut segments = Vec::new();
        for (i, v) in values.iter().enumerate() {
            match v {
                Some(v) => segment.push((i, *v)),
                None if !segment.is_empty() => segments.push(std::mem::take(&mut segment)),
                None => {}
            }
        }
        if !segment.is_empty() {
            segments.push(segment);
        }
        for s in segments {
            let _ = chart.draw_series(LineSeries::new(s, PALETTE[0].stroke_width(2)));
        }
        let _ = chart.draw_series(values.iter().enumerate().filter_map(|(i, v)| {
            v.map(|v| {
                if signal.get(i).copied().unwrap_or(false) {
                    EmptyElement::at((i, v)) + TriangleMarker::new((0, 0), 9, PALETTE[1].filled())
                } else {
                    EmptyElement::at((i, v)) + TriangleMarker::new((0, 0), 0, PALETTE[0].filled())
                }
            })
        }));
        let _ = chart.draw_series(values.iter().enumerate().filter_map(|(i, v)| {
            v.filter(|_| !signal.get(i).copied().unwrap_or(false))
                .map(|v| Circle::new((i, v), 4, PALETTE[0].filled()))
        }));
        let _ = root.present();
    }
    let flagged: Vec<&str> = months
        .iter()
        .zip(signal)
        .filter(|(_, s)| **s)
        .map(|(m, _)| m.as_str())
        .collect();
    let desc = format!(
        "Monthly values{}. Signals in: {}.",
        limits.map_or_else(String::new, |(c, l, u)| format!(
            "; centre line {c:.1}, lower limit {l:.1}, upper limit {u:.1}"
        )),
        if flagged.is_empty() {
            "none".to_string()
        } else {
            flagged.join(", ")
        }
    );
    accessible(svg, title, &desc)
}
