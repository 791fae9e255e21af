//! Lines over waves, one per indicator.

use super::*;

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

/// Where each line ends: (pixel row, label, line index).
type Ends = Vec<(i32, String, usize)>;

/// Colour and shape together: unique for up to 16 lines.
fn style_of(i: usize) -> (Marker, RGBColor) {
    (
        MARKERS[(i + i / PALETTE.len()) % MARKERS.len()],
        PALETTE[i % PALETTE.len()],
    )
}

pub(super) fn draw_trend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    k: f64,
    title: &str,
    waves: &[String],
    lines: &[(String, Vec<Option<Point>>)],
) -> DrawResult<DB> {
    let body = header(root, k, title, &[])?;
    let n = waves.len().max(1);
    let (lo, hi) = axis_range(lines);
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
    let ends = draw_lines(root, &mut chart, k, lines)?;
    let (xr, _) = chart.backend_coord(&(n as f64 - 0.7, lo));
    end_labels(root, k, ends, xr)
}

/// Whole tens around the data (points and intervals), so small changes are visible but the
/// axis stays honest.
fn axis_range(lines: &[(String, Vec<Option<Point>>)]) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::MAX, f64::MIN);
    for p in lines.iter().flat_map(|(_, ps)| ps.iter().flatten()) {
        let (a, b) = p.ci.unwrap_or((p.value, p.value));
        lo = lo.min(a.min(p.value));
        hi = hi.max(b.max(p.value));
    }
    if lo > hi {
        (lo, hi) = (0.0, 100.0);
    }
    let lo = ((lo - 5.0) / 10.0).floor().max(0.0) * 10.0;
    let hi = ((hi + 5.0) / 10.0).ceil().min(10.0) * 10.0;
    let hi = if hi <= lo { lo + 10.0 } else { hi };
    (lo, hi)
}

/// Each line with its points, intervals (and values, when it is the only line); returns
/// where each line ends, for its label.
fn draw_lines<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &mut Plot<DB>,
    k: f64,
    lines: &[(String, Vec<Option<Point>>)],
) -> Result<Ends, DrawingAreaErrorKind<DB::ErrorType>> {
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
                text_at(
                    root,
                    fmt1(p.value),
                    (at.0 + px(k, 10.0), at.1 - px(k, 4.0)),
                    font(k, 13.0),
                    HPos::Left,
                    VPos::Bottom,
                )?;
            }
        }
        if let Some(&(x, y)) = pts.last() {
            let (_, py) = chart.backend_coord(&(x, y));
            ends.push((py, label.clone(), li));
        }
    }
    Ok(ends)
}

/// Direct labels at the right, moved apart so they never overlap.
fn end_labels<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    k: f64,
    mut ends: Ends,
    xr: i32,
) -> DrawResult<DB> {
    ends.sort_by_key(|e| e.0);
    let gap = px(k, 20.0);
    let mut last = i32::MIN;
    for (py, label, li) in &mut ends {
        if *py < last + gap {
            *py = last + gap;
        }
        last = *py;
        let (marker, colour) = style_of(*li);
        marker.draw(root, (xr + px(k, 14.0), *py), k, colour)?;
        text_at(
            root,
            shorten(label, 30),
            (xr + px(k, 26.0), *py),
            font(k, 14.0),
            HPos::Left,
            VPos::Center,
        )?;
    }
    Ok(())
}
