//! Grouped bars of indicators by wave, with interval whiskers.

use super::*;

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

pub(super) fn draw_bars<DB: DrawingBackend>(
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
        text_at(
            root,
            shorten(label, 34),
            (x - px(k, 10.0), y),
            font(k, 14.0),
            HPos::Right,
            VPos::Center,
        )?;
        for (wi, p) in points.iter().enumerate() {
            let top = n - ri as f64 - 0.12 - (wi as f64) * 0.76 / wk;
            let bottom = top - 0.76 / wk + 0.04;
            let mid = (top + bottom) / 2.0;
            let Some(p) = p else {
                let (x, y) = chart.backend_coord(&(0.0, mid));
                not_published(root, k, (x, y))?;
                continue;
            };
            bar(
                root,
                &mut chart,
                k,
                PALETTE[wi % PALETTE.len()],
                p,
                (bottom, top),
            )?;
        }
    }
    Ok(())
}

/// One wave's bar with its interval whisker and its value printed after both.
fn bar<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &mut Plot<DB>,
    k: f64,
    colour: RGBColor,
    p: &Point,
    (bottom, top): (f64, f64),
) -> DrawResult<DB> {
    let mid = (top + bottom) / 2.0;
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
    small_label(root, k, fmt1(p.value), (x + px(k, 6.0), y))
}
