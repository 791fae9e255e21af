//! The groups × indicators heat map.

use super::*;

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

pub(super) fn draw_heatmap<DB: DrawingBackend>(
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
        for (ci, v) in values.iter().enumerate() {
            let x0 = ox + ci as i32 * cw;
            let cell = [(x0, y0), (x0 + cw, y0 + ch)];
            match v {
                Some(v) => root.draw(&Rectangle::new(cell, shade(*v).filled()))?,
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
