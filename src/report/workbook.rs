//! `workbook.xlsx`, following the UK Government Analysis Function guidance for releasing
//! statistics in spreadsheets: a cover sheet (title, organisation, publication date, status,
//! fieldwork, source, contact), a contents sheet with links, a notes sheet, and one table per
//! sheet: an Excel table with a name, under its title lines, with one header row in plain
//! English with units, frozen; no merged cells; no empty cells inside a table (`[c]` for a
//! withheld value, `[z]` where a value does not apply); numbers stored as numbers with the
//! column's decimals; TRUE/FALSE as Excel booleans.
//!
//! Each sheet is a table of the registry, written from its typed cells (already through
//! disclosure control), so it cannot show anything the CSV tables do not: numbers rounded as
//! the CSV rounds them, flags as TRUE/FALSE, dates as dates. Cells are never formulas.

use super::registry::{Cell, Format as NumberFormat, TableData};
use super::tables::{WITHHELD, fmt_number};
use chrono::Datelike;
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, Table, TableColumn, TableStyle, Workbook, XlsxError,
};

/// The shorthand for a value that does not apply (no interval for one answer, no suppression
/// reason for a published row).
pub const NOT_APPLICABLE: &str = "[z]";

/// A column's header in plain English, with its unit: `pct_positive` → "Percent positive (%)".
pub fn plain_header(col: &super::registry::Column) -> String {
    let words: Vec<String> = col
        .name
        .split('_')
        .map(|w| match w {
            "pct" => "percent".to_string(),
            "ci" => "95% interval".to_string(),
            "n" => "number".to_string(),
            "id" => "ID".to_string(),
            "mdd" => "minimum detectable difference".to_string(),
            "r2" => "R²".to_string(),
            "q" => "q".to_string(),
            "p" => "p".to_string(),
            "fpc" => "finite population correction".to_string(),
            "sd" => "standard deviation".to_string(),
            "spc" => "control chart".to_string(),
            "enps" => "eNPS".to_string(),
            "nps" => "NPS".to_string(),
            "hr" => "HR".to_string(),
            other => other.to_string(),
        })
        .collect();
    let mut text = words.join(" ");
    if let Some(first) = text.get(0..1) {
        text = first.to_uppercase() + &text[1..];
    }
    let unit = match col.unit {
        "" => String::new(),
        "dim_indicator.unit" => " (indicator's unit)".to_string(),
        // "Respondents", not "Respondents (respondents)".
        u if text.to_lowercase() == u => String::new(),
        u => format!(" ({u})"),
    };
    text + &unit
}

/// Build the workbook. `cover` lines go on the cover sheet under the title; `notes` are
/// (note, text) rows for the notes sheet; one sheet per table that has rows.
pub fn workbook(
    title: &str,
    cover: &[(&str, String)],
    notes: &[(&str, &str)],
    tables: &[TableData],
) -> Result<Vec<u8>, XlsxError> {
    let sheets: Vec<&TableData> = tables.iter().filter(|t| !t.rows.is_empty()).collect();
    let mut wb = Workbook::new();
    // A fixed creation date keeps the file identical from one run to the next.
    wb.set_properties(
        &DocProperties::new()
            .set_title(title)
            .set_author("culture-metrics")
            .set_creation_datetime(&ExcelDateTime::from_ymd(2025, 1, 1)?),
    );
    cover_sheet(&mut wb, title, cover)?;
    contents_sheet(&mut wb, &sheets)?;
    notes_sheet(&mut wb, notes)?;
    for t in sheets {
        table_sheet(&mut wb, t)?;
    }
    wb.save_to_buffer()
}

fn bold() -> Format {
    Format::new().set_bold()
}

fn heading() -> Format {
    Format::new().set_bold().set_font_size(14)
}

fn wrap() -> Format {
    Format::new().set_text_wrap()
}

/// The cover: the title, then each label and its text.
fn cover_sheet(wb: &mut Workbook, title: &str, cover: &[(&str, String)]) -> Result<(), XlsxError> {
    let (bold, heading, wrap) = (bold(), heading(), wrap());
    let ws = wb.add_worksheet();
    ws.set_name("Cover")?;
    ws.write_string_with_format(0, 0, title, &heading)?;
    let mut row = 1;
    for (label, text) in cover {
        ws.write_string_with_format(row, 0, *label, &bold)?;
        row += 1;
        ws.write_string_with_format(row, 0, text, &wrap)?;
        row += 1;
    }
    ws.set_column_width(0, 100)?;

    Ok(())
}

/// The contents: a link to each sheet with its table's title.
fn contents_sheet(wb: &mut Workbook, sheets: &[&TableData]) -> Result<(), XlsxError> {
    let (bold, heading) = (bold(), heading());
    let ws = wb.add_worksheet();
    ws.set_name("Contents")?;
    ws.write_string_with_format(0, 0, "Table of contents", &heading)?;
    ws.write_string(
        1,
        0,
        "This worksheet contains one table. Select a sheet name to go to it.",
    )?;
    ws.write_string_with_format(2, 0, "Sheet name", &bold)?;
    ws.write_string_with_format(2, 1, "Table title", &bold)?;
    ws.write_url_with_text(3, 0, "internal:'Notes'!A1", "Notes")?;
    ws.write_string(3, 1, "Notes, suppression codes and methods")?;
    for (i, t) in sheets.iter().enumerate() {
        let r = 4 + i as u32;
        let name = t.def.name;
        ws.write_url_with_text(r, 0, format!("internal:'{name}'!A1").as_str(), name)?;
        ws.write_string(r, 1, t.def.title)?;
    }
    ws.set_column_width(0, 28)?;
    ws.set_column_width(1, 90)?;

    Ok(())
}

/// Notes, suppression codes and methods.
fn notes_sheet(wb: &mut Workbook, notes: &[(&str, &str)]) -> Result<(), XlsxError> {
    let (bold, heading, wrap) = (bold(), heading(), wrap());
    let ws = wb.add_worksheet();
    ws.set_name("Notes")?;
    ws.write_string_with_format(0, 0, "Notes", &heading)?;
    ws.write_string(1, 0, "This worksheet contains one table.")?;
    ws.write_string_with_format(2, 0, "Note", &bold)?;
    ws.write_string_with_format(2, 1, "Note text", &bold)?;
    for (i, (n, t)) in notes.iter().enumerate() {
        ws.write_string(3 + i as u32, 0, *n)?;
        ws.write_string_with_format(3 + i as u32, 1, *t, &wrap)?;
    }
    ws.set_column_width(0, 12)?;
    ws.set_column_width(1, 110)?;

    Ok(())
}

/// One table's sheet: title, grain, the codes' key, then the table itself (named, frozen
/// header).
fn table_sheet(wb: &mut Workbook, t: &TableData) -> Result<(), XlsxError> {
    let heading = heading();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let ws = wb.add_worksheet();
    ws.set_name(t.def.name)?;
    ws.write_string_with_format(0, 0, t.def.title, &heading)?;
    ws.write_string(1, 0, t.def.grain)?;
    ws.write_string(
        2,
        0,
        "This worksheet contains one table. [c] = withheld to protect confidentiality; [x] = not asked in that wave; [z] = not applicable (see Notes).",
    )?;
    let mut seen = std::collections::HashSet::new();
    let headers: Vec<TableColumn> = t
        .def
        .columns
        .iter()
        .map(|col| {
            let mut h = plain_header(col);
            if !seen.insert(h.clone()) {
                h = format!("{h} [{}]", col.name);
            }
            TableColumn::new().set_header(h)
        })
        .collect();
    for (c, col) in t.def.columns.iter().enumerate() {
        let width = (plain_header(col).chars().count() as f64 + 4.0).clamp(12.0, 48.0);
        ws.set_column_width(c as u16, width)?;
    }
    for (r, row) in t.rows.iter().enumerate() {
        let r = 4 + r as u32;
        for ((c, cell), col) in row.iter().enumerate().zip(t.def.columns) {
            write_cell(ws, (r, c as u16), cell, col, &date)?;
        }
    }
    let last_row = 3 + t.rows.len() as u32;
    let last_col = t.def.columns.len().saturating_sub(1) as u16;
    let table = Table::new()
        .set_name(t.def.name)
        .set_style(TableStyle::Light1)
        .set_columns(&headers);
    ws.add_table(3, 0, last_row, last_col, &table)?;
    ws.set_freeze_panes(4, 0)?;
    Ok(())
}

/// One cell as the CSV shows it: codes as text, numbers as numbers at the shown precision,
/// dates as dates.
fn write_cell(
    ws: &mut rust_xlsxwriter::Worksheet,
    (r, c): (u32, u16),
    cell: &Cell,
    col: &crate::report::registry::Column,
    date: &Format,
) -> Result<(), XlsxError> {
    let decimals = |d: usize| Format::new().set_num_format(format!("0.{}", "0".repeat(d)));
    match cell {
        Cell::Null => {
            ws.write_string(r, c, NOT_APPLICABLE)?;
        }
        Cell::Withheld => {
            ws.write_string(r, c, WITHHELD)?;
        }
        Cell::NotAsked => {
            ws.write_string(r, c, super::tables::NOT_ASKED)?;
        }
        Cell::Int(v) => {
            ws.write_number(r, c, *v as f64)?;
        }
        Cell::Float(v) => {
            // The number the CSV shows, stored as a number.
            let shown: f64 = fmt_number(*v, col.format).parse().unwrap_or(*v);
            match col.format.decimals() {
                Some(d) if col.format != NumberFormat::Plain => {
                    ws.write_number_with_format(r, c, shown, &decimals(d))?;
                }
                _ => {
                    ws.write_number(r, c, shown)?;
                }
            }
        }
        Cell::Decimal(v, d) => {
            let d = usize::from(*d);
            let shown: f64 = super::tables::fmt_decimals(*v, d).parse().unwrap_or(*v);
            ws.write_number_with_format(r, c, shown, &decimals(d))?;
        }
        Cell::Bool(b) => {
            ws.write_boolean(r, c, *b)?;
        }
        Cell::Date(d) => {
            let x = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
            ws.write_datetime_with_format(r, c, &x, date)?;
        }
        Cell::Text(s) if s.is_empty() => {
            ws.write_string(r, c, NOT_APPLICABLE)?;
        }
        Cell::Text(s) => {
            ws.write_string(r, c, s)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::RunInfo;

    #[test]
    fn headers_are_plain_english_with_units_said_once() {
        let col = |name, unit| super::super::registry::Column {
            name,
            ty: super::super::registry::ArrowType::Int64,
            role: super::super::registry::Role::Value,
            format: NumberFormat::Plain,
            unit,
            description: "",
        };
        assert_eq!(
            plain_header(&col("pct_positive", "%")),
            "Percent positive (%)"
        );
        assert_eq!(plain_header(&col("ci_low", "%")), "95% interval low (%)");
        assert_eq!(
            plain_header(&col("respondents", "respondents")),
            "Respondents"
        );
        assert_eq!(plain_header(&col("n", "answers")), "Number (answers)");
        assert_eq!(plain_header(&col("wave_id", "")), "Wave ID");
    }

    #[test]
    fn builds_a_workbook_and_is_deterministic() {
        let run = RunInfo::example();
        let tables = [TableData::of(&[run])];
        let make = || {
            workbook(
                "T",
                &[("About", "x".into())],
                &[("[c]", "confidential")],
                &tables,
            )
            .unwrap()
        };
        let a = make();
        assert!(a.starts_with(b"PK"), "an xlsx is a zip file");
        assert_eq!(a, make());
    }
}
