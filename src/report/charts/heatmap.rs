//! The groups × indicators heat map, coloured by how each group compares with the whole
//! organisation in the direction that is good news for each indicator.

use super::*;

/// One indicator's column of the heat map.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatColumn {
    pub label: String,
    /// The whole organisation's value: cells are coloured by their gap to it.
    pub organisation: Option<f64>,
    /// A fall is good news (bullying, discrimination).
    pub lower_is_better: bool,
}

/// A gap of this many points or more gets the full colour.
const FULL_GAP: f64 = 15.0;

/// Better or worse than the organisation, in words, for a value of `column`.
fn compared(column: &HeatColumn, v: f64) -> Option<(bool, f64)> {
    let org = column.organisation?;
    let gap = if column.lower_is_better {
        org - v
    } else {
        v - org
    };
    Some((gap >= 0.0, gap.abs()))
}

/// A heat map of groups (rows) by indicators (columns): blue where a group does better than
/// the whole organisation, orange where it does worse, deeper for a larger gap, each in the
/// direction that is good news for its indicator; every value printed, `[c]` where withheld.
pub fn heatmap(
    name: &str,
    title: &str,
    columns: &[HeatColumn],
    rows: &[(String, Vec<Option<f64>>)],
) -> Chart {
    let desc = rows
        .iter()
        .map(|(r, vs)| {
            let cells: Vec<String> = columns
                .iter()
                .zip(vs)
                .map(|(c, v)| match v {
                    None => format!("{} [c]", c.label),
                    Some(v) => match compared(c, *v) {
                        Some((_, gap)) if gap < 0.05 => format!("{} {}", c.label, fmt1(*v)),
                        Some((true, gap)) => {
                            format!("{} {} (better by {})", c.label, fmt1(*v), fmt1(gap))
                        }
                        Some((false, gap)) => {
                            format!("{} {} (worse by {})", c.label, fmt1(*v), fmt1(gap))
                        }
                        None => format!("{} {}", c.label, fmt1(*v)),
                    },
                })
                .collect();
            format!("{r}: {}", cells.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ");
    Chart {
        name: name.to_string(),
        title: title.to_string(),
        desc: format!("{LEGEND}; [c] = withheld. {desc}"),
        size: (
            300 + 112 * columns.len().max(1) as u32,
            70 + 30 + heat_header(columns) as u32 + 40 * rows.len() as u32,
        ),
        kind: Kind::Heatmap {
            columns: columns.to_vec(),
            rows: rows.to_vec(),
        },
    }
}

/// The heat map's legend, in words.
const LEGEND: &str = "Blue: better than the whole organisation; orange: worse; the deeper the colour, the larger the gap (full colour at 15 points); better means lower for indicators where lower is better";

/// Height of the heat map's column labels: 18 px per wrapped line, plus a gap.
fn heat_header(columns: &[HeatColumn]) -> f64 {
    let lines = columns
        .iter()
        .map(|c| wrap(&c.label, 12).len())
        .max()
        .unwrap_or(1);
    18.0 * lines as f64 + 16.0
}

/// A cell's colour: blue (better) or orange (worse), from nearly white to a mid tone by the
/// size of the gap, light enough for black text; light grey where there is nothing to compare.
pub(super) fn shade(column: &HeatColumn, v: f64) -> HSLColor {
    match compared(column, v) {
        None => HSLColor(0.0, 0.0, 0.93),
        Some((better, gap)) => {
            let t = (gap / FULL_GAP).clamp(0.0, 1.0);
            let hue = if better { 207.0 } else { 20.0 };
            HSLColor(hue / 360.0, 0.75, (97.0 - 30.0 * t) / 100.0)
        }
    }
}

pub(super) fn draw_heatmap<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    k: f64,
    title: &str,
    columns: &[HeatColumn],
    rows: &[(String, Vec<Option<f64>>)],
) -> DrawResult<DB> {
    let body = header(root, k, title, &[])?;
    let (key, body) = body.split_vertically(px(k, 30.0));
    heat_legend(&key, k)?;
    let (left, top) = (px(k, 290.0), px(k, heat_header(columns)));
    let (cw, ch) = (px(k, 112.0), px(k, 40.0));
    let (ox, oy) = body.get_base_pixel();
    let (ox, oy) = (ox + left, oy + top);
    for (ci, c) in columns.iter().enumerate() {
        let lines = wrap(&c.label, 12);
        let n = lines.len() as i32;
        for (li, line) in lines.iter().enumerate() {
            text_at(
                root,
                line.clone(),
                (
                    ox + ci as i32 * cw + cw / 2,
                    oy - px(k, 8.0) - (n - 1 - li as i32) * px(k, 18.0),
                ),
                font(k, 13.0),
                HPos::Center,
                VPos::Bottom,
            )?;
        }
    }
    for (ri, (label, values)) in rows.iter().enumerate() {
        let y0 = oy + ri as i32 * ch;
        text_at(
            root,
            shorten(label, 28),
            (ox - px(k, 10.0), y0 + ch / 2),
            font(k, 14.0),
            HPos::Right,
            VPos::Center,
        )?;
        for ((ci, v), column) in values.iter().enumerate().zip(columns) {
            let x0 = ox + ci as i32 * cw;
            let cell = [(x0, y0), (x0 + cw, y0 + ch)];
            match v {
                Some(v) => root.draw(&Rectangle::new(cell, shade(column, *v).filled()))?,
                None => root.draw(&Rectangle::new(cell, WHITE.filled()))?,
            }
            root.draw(&Rectangle::new(cell, GREY.stroke_width(stroke(k, 1.0))))?;
            text_at(
                root,
                v.map_or_else(|| "[c]".to_string(), fmt1),
                (x0 + cw / 2, y0 + ch / 2),
                font(k, 14.0),
                HPos::Center,
                VPos::Center,
            )?;
        }
    }
    Ok(())
}

/// The legend across the top: a swatch for better and one for worse, each with its words.
fn heat_legend<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, k: f64) -> DrawResult<DB> {
    let better = HeatColumn {
        label: String::new(),
        organisation: Some(0.0),
        lower_is_better: false,
    };
    let mut x = px(k, 16.0);
    let y = px(k, 12.0);
    for (value, words) in [
        (FULL_GAP, "Better than the whole organisation"),
        (-FULL_GAP, "Worse"),
        (f64::NAN, "Deeper colour: larger gap"),
    ] {
        if !value.is_nan() {
            let swatch = [(x, y - px(k, 7.0)), (x + px(k, 14.0), y + px(k, 7.0))];
            area.draw(&Rectangle::new(swatch, shade(&better, value).filled()))?;
            area.draw(&Rectangle::new(swatch, GREY.stroke_width(stroke(k, 1.0))))?;
            x += px(k, 20.0);
        }
        let style = font(k, 13.0).pos(Pos::new(HPos::Left, VPos::Center));
        let width = area
            .estimate_text_size(words, &style)
            .map_or(px(k, 8.0 * words.len() as f64), |(w, _)| w as i32);
        text_at(area, words, (x, y), font(k, 13.0), HPos::Left, VPos::Center)?;
        x += width + px(k, 24.0);
    }
    Ok(())
}
