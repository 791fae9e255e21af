//! Diverging stacked bars of each question's answers.

use super::*;

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

/// Negative, neutral and positive answers' colours.
const COLOURS: (RGBColor, RGBColor, RGBColor) = (PALETTE[1], LIGHT_GREY, PALETTE[0]);

pub(super) fn draw_diverging<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    k: f64,
    title: &str,
    rows: &[(String, Option<Shares>)],
) -> DrawResult<DB> {
    let (neg, neu, pos) = COLOURS;
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
        text_at(
            root,
            shorten(label, 60),
            (x - px(k, 10.0), y),
            font(k, 13.0),
            HPos::Right,
            VPos::Center,
        )?;
        let Some(s) = shares else {
            let (x, y) = chart.backend_coord(&(0.0, mid));
            not_published(root, k, (x, y))?;
            continue;
        };
        answer_bar(root, &mut chart, k, s, (bottom, top))?;
    }
    Ok(())
}

/// One question's answers: negative left of zero, neutral across it, positive right, with
/// the negative and positive percentages printed at the ends.
fn answer_bar<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &mut Plot<DB>,
    k: f64,
    s: &Shares,
    (bottom, top): (f64, f64),
) -> DrawResult<DB> {
    let (neg, neu, pos) = COLOURS;
    let mid = (top + bottom) / 2.0;
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
    text_at(
        root,
        format!("{}%", fmt1(s.negative)),
        (xl - px(k, 5.0), y),
        font(k, 12.0),
        HPos::Right,
        VPos::Center,
    )?;
    let (xr, y) = chart.backend_coord(&(half + s.positive, mid));
    small_label(
        root,
        k,
        format!("{}%", fmt1(s.positive)),
        (xr + px(k, 5.0), y),
    )?;
    Ok(())
}
