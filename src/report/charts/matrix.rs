//! The tables' relationships as a matrix (a "bus matrix"): one row per table that points at
//! others, one column per table pointed at, a dot where a row's column references the column's
//! key, with the number of such columns where there is more than one (a fact with `wave_from`
//! and `wave_to`). Unlike a box-and-arrow diagram of 90 relationships it stays readable, and
//! every relationship has its own cell.

use super::*;
use plotters::style::FontTransform;

/// One table's row of the matrix: its name and, for each column table, the columns of the row
/// table that reference it (empty: none).
pub type MatrixRow = (String, Vec<Vec<String>>);

pub fn relationship_matrix(
    name: &str,
    title: &str,
    columns: &[String],
    rows: &[MatrixRow],
) -> Chart {
    let desc = rows
        .iter()
        .map(|(table, cells)| {
            let refs: Vec<String> = columns
                .iter()
                .zip(cells)
                .filter(|(_, via)| !via.is_empty())
                .map(|(c, via)| format!("{c} (by {})", via.join(", ")))
                .collect();
            format!("{table} points at {}", refs.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ");
    let (left, head) = matrix_margins(columns, rows);
    Chart {
        name: name.to_string(),
        title: title.to_string(),
        desc: format!(
            "Rows are the tables that point at others, columns the tables they point at; a dot marks a one-to-many relationship, with the number of columns where there is more than one. {desc}"
        ),
        size: (
            (left + CELL * columns.len().max(1) as f64 + 30.0) as u32,
            (60.0 + head + CELL * rows.len() as f64 + 20.0) as u32,
        ),
        kind: Kind::Matrix {
            columns: columns.to_vec(),
            rows: rows.to_vec(),
        },
    }
}

/// A cell's side in pixels.
const CELL: f64 = 26.0;

/// Width of the row names and height of the (rotated) column names, from their lengths.
fn matrix_margins(columns: &[String], rows: &[MatrixRow]) -> (f64, f64) {
    let longest = |it: &mut dyn Iterator<Item = usize>| it.max().unwrap_or(4) as f64;
    let left = 20.0 + 0.55 * 12.0 * 1.15 * longest(&mut rows.iter().map(|r| r.0.chars().count()));
    let head = 20.0 + 0.55 * 12.0 * 1.15 * longest(&mut columns.iter().map(|c| c.chars().count()));
    (left, head)
}

pub(super) fn draw_matrix<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    k: f64,
    title: &str,
    columns: &[String],
    rows: &[MatrixRow],
) -> DrawResult<DB> {
    let body = header(root, k, title, &[])?;
    let (left, head) = matrix_margins(columns, rows);
    let (ox, oy) = body.get_base_pixel();
    let (ox, oy) = (ox + px(k, left), oy + px(k, head));
    let c = px(k, CELL);
    for (ci, name) in columns.iter().enumerate() {
        let x = ox + ci as i32 * c + c / 2;
        let style = font(k, 12.0)
            .transform(FontTransform::Rotate270)
            .pos(Pos::new(HPos::Left, VPos::Center));
        root.draw(&Text::new(name.clone(), (x, oy - px(k, 6.0)), style))?;
        root.draw(&PathElement::new(
            vec![(x, oy), (x, oy + c * rows.len() as i32)],
            LIGHT_GREY.stroke_width(stroke(k, 1.0)),
        ))?;
    }
    for (ri, (name, cells)) in rows.iter().enumerate() {
        let y = oy + ri as i32 * c + c / 2;
        root.draw(&PathElement::new(
            vec![(ox, y), (ox + c * columns.len() as i32, y)],
            LIGHT_GREY.stroke_width(stroke(k, 1.0)),
        ))?;
        text_at(
            root,
            name.clone(),
            (ox - px(k, 8.0), y),
            font(k, 12.0),
            HPos::Right,
            VPos::Center,
        )?;
        for (ci, via) in cells.iter().enumerate() {
            if via.is_empty() {
                continue;
            }
            let x = ox + ci as i32 * c + c / 2;
            root.draw(&Circle::new((x, y), px(k, 8.0), PALETTE[0].filled()))?;
            if via.len() > 1 {
                text_at(
                    root,
                    via.len().to_string(),
                    (x, y),
                    font(k, 10.0).color(&WHITE),
                    HPos::Center,
                    VPos::Center,
                )?;
            }
        }
    }
    Ok(())
}
