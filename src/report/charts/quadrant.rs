//! The key-driver quadrant: importance against current score.

use super::*;

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
                "{}: share of what is explained {}%{}, score {}",
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

pub(super) fn draw_quadrant<DB: DrawingBackend>(
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
        .y_desc("Share of what is explained (%)")
        .y_label_formatter(&|y: &f64| format!("{y:.0}%"))
        .draw()?;
    let grey = GREY.stroke_width(stroke(k, 1.0));
    let (ax, ay) = chart.backend_coord(&(x_min, average_share));
    let (bx, by) = chart.backend_coord(&(x_max, average_share));
    dashed(root, (ax, ay), (bx, by), grey, px(k, 6.0))?;
    let (cx, cy) = chart.backend_coord(&(median_score, 0.0));
    let (dx, dy) = chart.backend_coord(&(median_score, y_max));
    dashed(root, (cx, cy), (dx, dy), grey, px(k, 6.0))?;
    corner_names(root, &chart, k, (x_min, x_max), y_max)?;
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
    driver_labels(root, &chart, k, drivers, x_max)
}

/// Quadrant names in the corners.
fn corner_names<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Plot<DB>,
    k: f64,
    (x_min, x_max): (f64, f64),
    y_max: f64,
) -> DrawResult<DB> {
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
        text_at(
            root,
            text.to_string(),
            pos,
            font(k, 14.0).color(&GREY),
            h,
            v,
        )?;
    }
    Ok(())
}

/// Each driver's label beside its point, largest share first, placed clear of the labels
/// already drawn and of the right edge.
fn driver_labels<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Plot<DB>,
    k: f64,
    drivers: &[DriverPoint],
    x_max: f64,
) -> DrawResult<DB> {
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
        text_at(root, text, (x0, ty), style, HPos::Left, VPos::Bottom)?;
    }
    Ok(())
}
