//! Small multiples: one panel per indicator, every panel of a unit on the same whole scale.

use super::*;

/// Small multiples: one panel per indicator on its unit's whole scale (0 to 100, 0 to 10), every
/// wave a point with its 95% interval as a capped whisker and its value printed clear of the
/// line, the latest wave filled and the earlier ones hollow.
pub fn panels(name: &str, title: &str, waves: &[String], panels: &[Panel]) -> Chart {
    let mut panels = panels.to_vec();
    common_scale(&mut panels);
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
            let axis = if p.range.0 > p.bounds.0 {
                format!("axis from {} to {}, broken below", p.range.0, p.range.1)
            } else {
                format!("axis from {} to {}", p.range.0, p.range.1)
            };
            format!("{} ({}, {axis}): {values}", p.label, p.unit)
        })
        .collect::<Vec<_>>()
        .join("; ");
    let cols = PANEL_COLUMNS.min(panels.len().max(1));
    let rows = panels.len().div_ceil(cols).max(1);
    Chart {
        name: name.to_string(),
        title: title.to_string(),
        desc: format!(
            "One panel per indicator; every panel of a unit spans the same distance on its axis, so equal changes look equal; 95% intervals as capped vertical lines. {desc}"
        ),
        size: (1160, 60 + 250 * rows as u32),
        kind: Kind::Panels {
            waves: waves.to_vec(),
            panels,
        },
    }
}

/// The span every panel of a unit shows, in gridline steps, at least.
const MIN_STEPS: f64 = 4.0;

/// Give every panel of a unit (same `unit` words) the same span, wide enough for the widest
/// panel's values and intervals with a step to spare at each end, placed around each panel's
/// own values within its scale's bounds. A panel whose axis does not start at the scale's
/// lower bound is drawn with a break mark.
pub fn common_scale(panels: &mut [Panel]) {
    let extent = |p: &Panel| {
        let mut lo_hi: Option<(f64, f64)> = None;
        for pt in p.points.iter().flatten() {
            let (a, b) = pt.ci.unwrap_or((pt.value, pt.value));
            let (a, b) = (a.min(pt.value), b.max(pt.value));
            lo_hi = Some(lo_hi.map_or((a, b), |(l, h)| (l.min(a), h.max(b))));
        }
        lo_hi
    };
    let units: Vec<String> = panels.iter().map(|p| p.unit.clone()).collect();
    for unit in &units {
        let same: Vec<usize> = (0..panels.len())
            .filter(|&i| &panels[i].unit == unit)
            .collect();
        let step = panels[same[0]].step;
        let bounds = panels[same[0]].bounds;
        let widest = same
            .iter()
            .filter_map(|&i| extent(&panels[i]))
            .map(|(l, h)| h - l)
            .fold(0.0_f64, f64::max);
        let span = (((widest / step).ceil() + 2.0).max(MIN_STEPS) * step).min(bounds.1 - bounds.0);
        for &i in &same {
            panels[i].range = match extent(&panels[i]) {
                None => bounds,
                Some((l, h)) => {
                    let centre = (l + h) / 2.0;
                    let lo = (((centre - span / 2.0) / step).floor() * step)
                        .min(bounds.1 - span)
                        .max(bounds.0);
                    (lo, lo + span)
                }
            };
        }
    }
}

/// Panels in a row of a small-multiples chart.
const PANEL_COLUMNS: usize = 4;

pub(super) fn draw_panels<DB: DrawingBackend>(
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
            text_at(
                &top,
                line.clone(),
                (px(k, 10.0), px(k, 4.0 + 18.0 * i as f64)),
                font(k, 13.0),
                HPos::Left,
                VPos::Top,
            )?;
        }
        let (lo, hi) = panel.range;
        let mut chart = ChartBuilder::on(&plot)
            .margin_left(px(k, 6.0))
            .margin_right(px(k, 18.0))
            .margin_bottom(px(k, 6.0))
            .x_label_area_size(px(k, 26.0))
            .y_label_area_size(px(k, 46.0))
            .build_cartesian_2d(-0.6..(n as f64 - 0.4), lo..hi)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n)
            .x_label_formatter(&|x| wave_at(waves, *x))
            .y_labels(6)
            .light_line_style(TRANSPARENT)
            .y_label_formatter(&|y: &f64| format!("{y:.0}"))
            .label_style(font(k, 11.0))
            .axis_desc_style(font(k, 11.0))
            .y_desc(panel.unit.as_str())
            .draw()?;
        if panel.range.0 > panel.bounds.0 {
            axis_break(root, k, chart.backend_coord(&(-0.6, lo)))?;
        }
        panel_points(root, &mut chart, k, panel)?;
    }
    Ok(())
}

/// A panel's line, each wave's point with its interval (a whisker with caps) and its value;
/// the latest filled, the earlier ones hollow. The first wave's value is printed to the left
/// of its point, the last one's to the right, and any between above its whisker, so no value
/// sits on the line or on another value.
fn panel_points<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &mut Plot<DB>,
    k: f64,
    panel: &Panel,
) -> DrawResult<DB> {
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
    let first = panel.points.iter().position(Option::is_some);
    let last = panel.points.iter().rposition(Option::is_some);
    for (i, p) in panel.points.iter().enumerate() {
        let Some(p) = p else { continue };
        let x = i as f64;
        let at = chart.backend_coord(&(x, p.value));
        let mut top = at.1;
        if let Some((a, b)) = p.ci {
            let (lo, hi) = (chart.backend_coord(&(x, a)), chart.backend_coord(&(x, b)));
            whisker(root, k, at.0, (lo.1, hi.1))?;
            top = hi.1.min(top);
        }
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
        let value = format!("{:.*}", panel.decimals, p.value);
        let style = font(k, 12.0);
        if Some(i) == last {
            text_at(
                root,
                value,
                (at.0 + px(k, 10.0), at.1),
                style,
                HPos::Left,
                VPos::Center,
            )?;
        } else if Some(i) == first {
            text_at(
                root,
                value,
                (at.0 - px(k, 10.0), at.1),
                style,
                HPos::Right,
                VPos::Center,
            )?;
        } else {
            let y = top.min(at.1 - px(k, 6.0)) - px(k, 3.0);
            text_at(root, value, (at.0, y), style, HPos::Center, VPos::Bottom)?;
        }
    }
    Ok(())
}

/// Two short slanted strokes across the foot of a y axis that does not start at the scale's
/// lower bound (`at`: where the axis meets the x axis).
fn axis_break<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    k: f64,
    (x, y): (i32, i32),
) -> DrawResult<DB> {
    let (w, h) = (px(k, 6.0), px(k, 3.0));
    for dy in [px(k, 9.0), px(k, 14.0)] {
        root.draw(&Rectangle::new(
            [(x - w, y - dy - h), (x + w, y - dy + h)],
            WHITE.filled(),
        ))?;
    }
    for dy in [px(k, 7.0), px(k, 13.0)] {
        root.draw(&PathElement::new(
            vec![(x - w, y - dy + h), (x + w, y - dy - h)],
            BLACK.stroke_width(stroke(k, 1.5)),
        ))?;
    }
    Ok(())
}

/// A 95% interval drawn from `y0` to `y1` at `x`: a line 2.5 px wide with caps 10 px across.
fn whisker<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    k: f64,
    x: i32,
    (y0, y1): (i32, i32),
) -> DrawResult<DB> {
    let style = PALETTE[0].stroke_width(stroke(k, 2.5));
    root.draw(&PathElement::new(vec![(x, y0), (x, y1)], style))?;
    let cap = px(k, 5.0);
    for y in [y0, y1] {
        root.draw(&PathElement::new(vec![(x - cap, y), (x + cap, y)], style))?;
    }
    Ok(())
}
