//! Small multiples: one panel per indicator on its own scale.

use super::*;

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
        panel_points(root, &mut chart, k, panel)?;
    }
    Ok(())
}

/// A panel's line, each wave's point with its interval and value; the latest filled, the
/// earlier ones hollow.
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
        small_label(
            root,
            k,
            format!("{:.*}", panel.decimals, p.value),
            (at.0 + px(k, 9.0), at.1),
        )?;
    }
    Ok(())
}
