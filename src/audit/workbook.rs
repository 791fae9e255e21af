//! The workbook against the tables: each sheet is chosen from the CSV copies by the workbook's
//! own declarations, and every figure cell must hold the CSV's number, or none.

use super::read::Csv;
use std::collections::HashMap;
use std::path::Path;

type Find<'a> = dyn FnMut(String, u64, String) + 'a;

/// Each workbook sheet shows, cell for cell, only what its source table publishes: the
/// sheets are chosen from the CSV copies as the writer chose them from the tables
/// ([`sheets`](crate::report::workbook::sheets)), and every figure cell (count, value or
/// administrative figure) holds the CSV's number, or no number where the CSV has none.
pub(super) fn workbook(dir: &Path, data: &HashMap<&'static str, Csv>, find: &mut Find) {
    use crate::report::workbook::sheets::{self, Dims};
    use calamine::{Reader, Xlsx, open_workbook};
    let path = dir.join("workbook.xlsx");
    if !path.exists() {
        return;
    }
    let file = "workbook.xlsx".to_string();
    let mut wb: Xlsx<_> = match open_workbook(&path) {
        Ok(wb) => wb,
        Err(e) => {
            find(file, 0, format!("cannot be read: {e}"));
            return;
        }
    };
    let text = as_text(data);
    let dims = Dims::new(&text);
    for sheet in sheets::sheets(&text, &dims) {
        match wb.worksheet_range(&sheet.name()) {
            Ok(range) => check_sheet(&sheet, &range, &data[sheet.def.source], find),
            Err(e) => find(file.clone(), 0, format!("sheet {}: {e}", sheet.name())),
        }
    }
}

/// The CSV copies as the workbook's declarations read tables.
fn as_text<'a>(
    data: &HashMap<&'a str, Csv>,
) -> HashMap<&'a str, crate::report::workbook::sheets::TextTable> {
    data.iter()
        .map(|(name, csv)| {
            let rows = csv
                .records
                .iter()
                .map(|(_, r)| r.iter().map(str::to_string).collect())
                .collect();
            let header = csv.header.clone();
            let t = crate::report::workbook::sheets::TextTable { header, rows };
            (*name, t)
        })
        .collect()
}

/// One sheet against its source's CSV: no rows beyond the source's, and each figure cell the
/// CSV's number or no number.
fn check_sheet(
    sheet: &crate::report::workbook::sheets::Sheet,
    range: &calamine::Range<calamine::Data>,
    csv: &Csv,
    find: &mut Find,
) {
    use crate::report::workbook::sheets::Source;
    let (file, name) = ("workbook.xlsx".to_string(), sheet.name());
    // The sheet's rows: a title, the key to the shorthand, the source, the header, then the
    // table.
    let end = range.end().map_or(0, |(r, _)| r);
    if end > 3 + sheet.rows.len() as u32 {
        let message = format!(
            "sheet {name} has rows beyond the {} its source gives",
            sheet.rows.len()
        );
        find(file.clone(), u64::from(end) + 1, message);
    }
    for (c, column) in sheet.columns().iter().enumerate() {
        let Source::Cell(col) = column.source else {
            continue;
        };
        let Some(j) = csv
            .column(col)
            .filter(|_| figure_column(sheet.def.source, col))
        else {
            continue;
        };
        for (i, &r) in sheet.rows.iter().enumerate() {
            let (line, rec) = &csv.records[r];
            let row = 4 + i as u32;
            let Some(got) = range.get_value((row, c as u32)).and_then(number) else {
                continue;
            };
            let want = rec.get(j).and_then(|v| match v {
                "true" => Some(1.0),
                "false" => Some(0.0),
                v => v.parse::<f64>().ok(),
            });
            if !want.is_some_and(|w| (got - w).abs() <= 1e-9 * w.abs().max(1.0)) {
                let what =
                    want.map_or_else(|| "withholds it".to_string(), |w| format!("shows {w}"));
                let source = sheet.def.source;
                let message = format!(
                    "sheet {name} shows {got} for `{col}` where tables/{source}.csv:{line} {what}"
                );
                find(file.clone(), u64::from(row) + 1, message);
            }
        }
    }
}

/// A workbook cell as a number (a flag as 1 or 0), if it holds one.
fn number(d: &calamine::Data) -> Option<f64> {
    use calamine::Data;
    match d {
        Data::Float(x) => Some(*x),
        Data::Int(i) => Some(*i as f64),
        Data::Bool(b) => Some(f64::from(u8::from(*b))),
        Data::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A column that holds figures about people (or HR's): what disclosure control may withhold.
fn figure_column(table: &str, column: &str) -> bool {
    use crate::report::registry::Role;
    crate::report::model::registry()
        .iter()
        .find(|t| t.name == table)
        .and_then(|t| t.columns.iter().find(|c| c.name == column))
        .is_some_and(|c| matches!(c.role, Role::Count | Role::Value | Role::Admin))
}
