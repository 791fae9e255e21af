//! SPC control charts of member feedback.

use super::*;

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
    let num = |v: f64| crate::report::tables::fmt_decimals(v, decimals);
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
        size: SPC_SIZE,
        kind: Kind::Spc {
            months: months.to_vec(),
            decimals,
        },
    }
}

/// A control chart's size: printed one to a row on A4 (186 mm wide, at most 7.5 cm tall, as
/// `style.css` prints figures) it is drawn at about 0.93 of this, so its smallest text (13)
/// prints at 8 pt or more.
pub const SPC_SIZE: (u32, u32) = (760, 270);

/// A control chart's labels, at the size of its axis labels (13), not the other charts' 12.
fn small_label<DB: DrawingBackend, T: std::borrow::Borrow<str>>(
    area: &DrawingArea<DB, Shift>,
    k: f64,
    text: T,
    at: (i32, i32),
) -> DrawResult<DB> {
    label_from(area, k, 13.0, text, at)
}

pub(super) fn draw_spc<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    k: f64,
    title: &str,
    months: &[SpcMonth],
    decimals: usize,
) -> DrawResult<DB> {
    let num = |v: f64| crate::report::tables::fmt_decimals(v, decimals);
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
    let (lo, hi) = value_range(months);
    let pad = ((hi - lo) * 0.12).max(1e-3);
    let n = months.len().max(1);
    let mut chart = ChartBuilder::on(&body)
        .margin_left(px(k, 10.0))
        .margin_right(px(k, 150.0))
        .margin_top(px(k, 20.0))
        .x_label_area_size(px(k, 50.0))
        .y_label_area_size(px(k, 60.0))
        .build_cartesian_2d(-0.5..(n as f64 - 0.5), (lo - pad)..(hi + pad))?;
    let every = n.div_ceil(8).max(1);
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
    shade_baseline(root, &chart, k, months, (y_top, y_bottom))?;
    step_and_freeze_lines(root, &chart, k, months, (y_top, y_bottom))?;
    limit_lines(root, &chart, k, months)?;
    limit_labels(root, &chart, k, months, &num)?;
    values(root, &mut chart, k, months)
}

/// The lowest and highest of every value, centre and limit (0 to 1 when there are none).
fn value_range(months: &[SpcMonth]) -> (f64, f64) {
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
    if lo > hi {
        (lo, hi) = (0.0, 1.0);
    }
    (lo, hi)
}

/// Baseline months, shaded.
fn shade_baseline<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Plot<DB>,
    k: f64,
    months: &[SpcMonth],
    (y_top, y_bottom): (f64, f64),
) -> DrawResult<DB> {
    let base: Vec<usize> = (0..months.len()).filter(|&i| months[i].baseline).collect();
    if let (Some(&a), Some(&b)) = (base.first(), base.last()) {
        let tl = chart.backend_coord(&(a as f64 - 0.5, y_top));
        let br = chart.backend_coord(&(b as f64 + 0.5, y_bottom));
        root.draw(&Rectangle::new([tl, br], RGBColor(236, 236, 236).filled()))?;
        small_label(
            root,
            k,
            "Baseline".to_string(),
            (tl.0 + px(k, 4.0), tl.1 - px(k, 12.0)),
        )?;
    }
    Ok(())
}

/// Step changes and the freeze point, as vertical lines.
fn step_and_freeze_lines<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Plot<DB>,
    k: f64,
    months: &[SpcMonth],
    (y_top, y_bottom): (f64, f64),
) -> DrawResult<DB> {
    for (i, m) in months.iter().enumerate() {
        if let Some(reason) = &m.step {
            let top = chart.backend_coord(&(i as f64 - 0.5, y_top));
            let bottom = chart.backend_coord(&(i as f64 - 0.5, y_bottom));
            root.draw(&PathElement::new(
                vec![top, bottom],
                BLACK.stroke_width(stroke(k, 1.5)),
            ))?;
            small_label(
                root,
                k,
                format!("Step change: {}", shorten(reason, 40)),
                (top.0 + px(k, 4.0), top.1 - px(k, 12.0)),
            )?;
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
            small_label(
                root,
                k,
                "Limits frozen".to_string(),
                (top.0 + px(k, 4.0), bottom.1 - px(k, 10.0)),
            )?;
        }
    }
    Ok(())
}

/// Centre line and limits, month by month (stepped); dashed while provisional.
fn limit_lines<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Plot<DB>,
    k: f64,
    months: &[SpcMonth],
) -> DrawResult<DB> {
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
    Ok(())
}

/// Labels at the right for the last month with limits.
fn limit_labels<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Plot<DB>,
    k: f64,
    months: &[SpcMonth],
    num: &dyn Fn(f64) -> String,
) -> DrawResult<DB> {
    let n = months.len().max(1);
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
            small_label(root, k, label, (x + px(k, 8.0), py))?;
        }
    }
    Ok(())
}

/// The series, broken at missing months, and each month's marker (signals as triangles).
fn values<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &mut Plot<DB>,
    k: f64,
    months: &[SpcMonth],
) -> DrawResult<DB> {
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
