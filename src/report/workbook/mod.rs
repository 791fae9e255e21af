//! `workbook.xlsx`, the publication for people, following the UK Government Analysis Function
//! guidance for releasing statistics in spreadsheets: a cover sheet (title, organisation,
//! publication date, status, fieldwork, source, contact, and a link to every table), a contents
//! table and a notes table, then one table per sheet, headline first, each titled in words
//! ("Table 9: Answers to each question by group and wave") as a named Excel table under its
//! title lines, with one header row in plain English with units, frozen; no merged cells; no
//! empty cells inside a table (`[c]` withheld, `[x]` not asked, `[z]` not applicable); labels,
//! never ids (question wording, group names, wave years as numbers); one measure per column
//! (tables of indicators are split by unit); numbers stored as numbers with the column's
//! decimals, p-values as numbers shown to four decimals (`<0.0001` below); TRUE/FALSE as Excel
//! booleans. The database tables, with their codes, stay in `tables/` for Power BI.
//!
//! The sheets are declared in [`sheets`] from the registry's published tables (already through
//! disclosure control), so a sheet cannot show anything the CSV tables do not: numbers rounded
//! as the CSV rounds them, withheld where the CSV is. Cells are never formulas.

pub mod sheets;

use super::registry::{Cell, Format as NumberFormat, TableData};
use super::tables::{WITHHELD, cell_text, fmt_number};
use chrono::Datelike;
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, Table, TableColumn, TableStyle, Workbook, XlsxError,
};
use sheets::{Dims, Sheet, Source, TextTable};
use std::collections::HashMap;

/// The shorthand for a value that does not apply (no interval for one answer, no suppression
/// reason for a published row).
pub const NOT_APPLICABLE: &str = "[z]";

/// Build the workbook. `cover` lines go on the cover sheet under the title, followed by a link
/// to every table; `notes` are (note, text) rows for the notes table; then one sheet per table
/// for people ([`sheets::SHEETS`]) that has rows, made from the published `tables`.
pub fn workbook(
    title: &str,
    cover: &[(&str, String)],
    notes: &[(&str, &str)],
    tables: &[TableData],
) -> Result<Vec<u8>, XlsxError> {
    let text: HashMap<&str, TextTable> = tables
        .iter()
        .filter(|t| {
            sheets::SHEETS.iter().any(|s| s.source == t.def.name)
                || sheets::DIMS.iter().any(|d| d.0 == t.def.name)
        })
        .map(|t| (t.def.name, text_of(t)))
        .collect();
    let dims = Dims::new(&text);
    let sheets = sheets::sheets(&text, &dims);
    let mut wb = Workbook::new();
    // A fixed creation date keeps the file identical from one run to the next.
    wb.set_properties(
        &DocProperties::new()
            .set_title(title)
            .set_author("culture-metrics")
            .set_creation_datetime(&ExcelDateTime::from_ymd(2025, 1, 1)?),
    );
    cover_sheet(&mut wb, title, cover, &sheets)?;
    contents_sheet(&mut wb, &sheets)?;
    notes_sheet(&mut wb, notes)?;
    for sheet in &sheets {
        let Some(source) = tables.iter().find(|t| t.def.name == sheet.def.source) else {
            continue;
        };
        table_sheet(&mut wb, sheet, source, &text[sheet.def.source], &dims)?;
    }
    wb.save_to_buffer()
}

/// A table as text (as the CSV shows it, but labels not defused: a sheet writes them as text),
/// for choosing rows and looking up labels.
pub fn text_of(t: &TableData) -> TextTable {
    TextTable {
        header: t.def.columns.iter().map(|c| c.name.to_string()).collect(),
        rows: t
            .rows
            .iter()
            .map(|r| {
                r.iter()
                    .zip(t.def.columns)
                    .map(|(c, col)| match c {
                        // Labels as they are: a sheet's cell is text, never a formula.
                        Cell::Text(s) => s.clone(),
                        c => cell_text(c, col.format).into_owned(),
                    })
                    .collect()
            })
            .collect(),
    }
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

fn link(sheet: &Sheet) -> String {
    format!("internal:'{}'!A1", sheet.name())
}

/// The cover: the title, each label and its text, then a link to every table.
fn cover_sheet(
    wb: &mut Workbook,
    title: &str,
    cover: &[(&str, String)],
    sheets: &[Sheet],
) -> Result<(), XlsxError> {
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
    ws.write_string_with_format(row, 0, "Tables in this workbook", &bold)?;
    row += 1;
    for sheet in sheets {
        ws.write_url_with_text(row, 0, link(sheet).as_str(), sheet.title().as_str())?;
        row += 1;
    }
    ws.write_url_with_text(row, 0, "internal:'Contents'!A1", "Contents")?;
    ws.write_url_with_text(row + 1, 0, "internal:'Notes'!A1", "Notes")?;
    ws.set_column_width(0, 100)?;
    Ok(())
}

/// The contents: a table with a link to each sheet, its title and its rows.
fn contents_sheet(wb: &mut Workbook, sheets: &[Sheet]) -> Result<(), XlsxError> {
    let heading = heading();
    let ws = wb.add_worksheet();
    ws.set_name("Contents")?;
    ws.write_string_with_format(0, 0, "Contents", &heading)?;
    ws.write_string(
        1,
        0,
        "This worksheet contains one table. Select a sheet name to go to it.",
    )?;
    ws.write_string(2, 0, "The notes are in the Notes sheet.")?;
    for (i, sheet) in sheets.iter().enumerate() {
        let r = 4 + i as u32;
        ws.write_url_with_text(r, 0, link(sheet).as_str(), sheet.name().as_str())?;
        ws.write_string(r, 1, sheet.title())?;
        ws.write_number(r, 2, sheet.rows.len() as f64)?;
    }
    let columns = ["Sheet name", "Table title", "Rows"].map(|h| TableColumn::new().set_header(h));
    let table = Table::new()
        .set_name("Contents")
        .set_style(TableStyle::Light1)
        .set_columns(&columns);
    ws.add_table(3, 0, 3 + sheets.len().max(1) as u32, 2, &table)?;
    ws.set_freeze_panes(4, 0)?;
    ws.set_column_width(0, 28)?;
    ws.set_column_width(1, 90)?;
    ws.set_column_width(2, 10)?;
    Ok(())
}

/// Notes, suppression codes and methods, as a table.
fn notes_sheet(wb: &mut Workbook, notes: &[(&str, &str)]) -> Result<(), XlsxError> {
    let (heading, wrap) = (heading(), wrap());
    let ws = wb.add_worksheet();
    ws.set_name("Notes")?;
    ws.write_string_with_format(0, 0, "Notes", &heading)?;
    ws.write_string(1, 0, "This worksheet contains one table.")?;
    ws.write_string(2, 0, "Shorthand, rounding and methods behind every table.")?;
    for (i, (n, t)) in notes.iter().enumerate() {
        ws.write_string(4 + i as u32, 0, *n)?;
        ws.write_string_with_format(4 + i as u32, 1, *t, &wrap)?;
    }
    let columns = ["Note", "Note text"].map(|h| TableColumn::new().set_header(h));
    let table = Table::new()
        .set_name("Notes")
        .set_style(TableStyle::Light1)
        .set_columns(&columns);
    ws.add_table(3, 0, 3 + notes.len().max(1) as u32, 1, &table)?;
    ws.set_freeze_panes(4, 0)?;
    ws.set_column_width(0, 14)?;
    ws.set_column_width(1, 110)?;
    Ok(())
}

/// One table's sheet: its title, the shorthand's key, where the data come from, then the
/// table itself (named, frozen header).
fn table_sheet(
    wb: &mut Workbook,
    sheet: &Sheet,
    source: &TableData,
    text: &TextTable,
    dims: &Dims,
) -> Result<(), XlsxError> {
    let heading = heading();
    let formats = CellFormats::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet.name())?;
    ws.write_string_with_format(0, 0, sheet.title(), &heading)?;
    ws.write_string(
        1,
        0,
        "This worksheet contains one table. [c] = withheld to protect confidentiality; [x] = not asked in that wave; [z] = not applicable (see Notes).",
    )?;
    ws.write_string(
        2,
        0,
        format!(
            "Source: {} (tables/{}.csv in this evidence pack, with codes for software).",
            source.def.title, source.def.name
        ),
    )?;
    let columns = sheet.columns();
    let headers: Vec<String> = columns.iter().map(|c| sheet.header(c)).collect();
    for (c, h) in headers.iter().enumerate() {
        let width = (h.chars().count() as f64 * 0.8 + 4.0).clamp(12.0, 40.0);
        ws.set_column_width(c as u16, width)?;
    }
    for (i, &r) in sheet.rows.iter().enumerate() {
        let at = 4 + i as u32;
        for (c, column) in columns.iter().enumerate() {
            let at = (at, c as u16);
            match column.source {
                Source::Cell(name) => match source.def.column(name) {
                    Some(j) => {
                        write_cell(ws, at, &source.rows[r][j], &source.def.columns[j], &formats)?
                    }
                    None => write_text(ws, at, "")?,
                },
                Source::Year(name) => {
                    let wave = text.column(name).map_or("", |j| text.rows[r][j].as_str());
                    match dims.year(wave) {
                        Some(y) => ws.write_number(at.0, at.1, y).map(|_| ())?,
                        None => write_text(ws, at, "")?,
                    }
                }
                Source::Label(key, dim, _, label) => {
                    let key = text.column(key).map_or("", |j| text.rows[r][j].as_str());
                    write_text(ws, at, dims.get(dim, key, label).unwrap_or(""))?;
                }
                Source::Words(name) => {
                    let t = text.column(name).map_or("", |j| text.rows[r][j].as_str());
                    write_text(ws, at, &dims.in_words(t))?;
                }
            }
        }
    }
    let columns: Vec<TableColumn> = headers
        .iter()
        .map(|h| TableColumn::new().set_header(h))
        .collect();
    let table = Table::new()
        .set_name(format!("Table_{}", sheet.number))
        .set_style(TableStyle::Light1)
        .set_columns(&columns);
    let last_row = 3 + sheet.rows.len() as u32;
    ws.add_table(
        3,
        0,
        last_row,
        headers.len().saturating_sub(1) as u16,
        &table,
    )?;
    ws.set_freeze_panes(4, 0)?;
    Ok(())
}

/// Text, or `[z]` where there is none.
fn write_text(
    ws: &mut rust_xlsxwriter::Worksheet,
    (r, c): (u32, u16),
    s: &str,
) -> Result<(), XlsxError> {
    ws.write_string(r, c, if s.is_empty() { NOT_APPLICABLE } else { s })?;
    Ok(())
}

/// The number formats cells share (made once per sheet, not per cell).
struct CellFormats {
    date: Format,
    /// `0.0`, `0.00`, `0.000` by decimals.
    decimals: [Format; 4],
    /// p-values: four decimals, `<0.0001` below.
    p: Format,
}

impl CellFormats {
    fn new() -> CellFormats {
        let d = |n: usize| {
            Format::new().set_num_format(if n == 0 {
                "0".to_string()
            } else {
                format!("0.{}", "0".repeat(n))
            })
        };
        CellFormats {
            date: Format::new().set_num_format("yyyy-mm-dd"),
            decimals: [d(0), d(1), d(2), d(3)],
            p: Format::new().set_num_format("[<0.0001]\"<0.0001\";0.0000"),
        }
    }

    fn decimals(&self, d: usize) -> &Format {
        &self.decimals[d.min(3)]
    }
}

/// One cell as the CSV shows it: codes as text, numbers as numbers at the shown precision
/// (p-values with a format that shows tiny ones as `<0.0001`), dates as dates.
fn write_cell(
    ws: &mut rust_xlsxwriter::Worksheet,
    (r, c): (u32, u16),
    cell: &Cell,
    col: &crate::report::registry::Column,
    formats: &CellFormats,
) -> Result<(), XlsxError> {
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
            match col.format {
                NumberFormat::PValue => {
                    ws.write_number_with_format(r, c, shown, &formats.p)?;
                }
                f => match f.decimals() {
                    Some(d) => {
                        ws.write_number_with_format(r, c, shown, formats.decimals(d))?;
                    }
                    None => {
                        ws.write_number(r, c, shown)?;
                    }
                },
            }
        }
        Cell::Decimal(v, d) => {
            let d = usize::from(*d);
            let shown: f64 = super::tables::fmt_decimals(*v, d).parse().unwrap_or(*v);
            ws.write_number_with_format(r, c, shown, formats.decimals(d))?;
        }
        Cell::Bool(b) => {
            ws.write_boolean(r, c, *b)?;
        }
        Cell::Date(d) => {
            let x = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
            ws.write_datetime_with_format(r, c, &x, &formats.date)?;
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
