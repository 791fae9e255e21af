//! Spreadsheets (`.xlsx`, `.xlsm`, `.xls`, `.ods`) read as the importer reads text: one sheet's
//! cells become comma-separated rows, row *n* of the sheet on line *n*, so every reader after
//! this (layouts, header rows, reconciliation, line numbers in messages) is the one CSV files
//! go through.
//!
//! Cells are written as an analyst sees them: numbers without a trailing `.0` (a number stored
//! as text is text already), dates and times from Excel's serial numbers as ISO 8601
//! (`2025-10-06`, `2025-10-06 09:15:00`), TRUE/FALSE. A line break inside a cell becomes a
//! space (so rows keep their numbers). Merged cells (only the first keeps the value) and
//! cells holding an Excel error (`#N/A`, `#REF!`) stop the import with their references; a
//! formula's last computed value is read, and the formulas are counted in the description.

use calamine::{Data, Reader, Sheets, open_workbook_auto_from_rs};
use std::fmt::Write as _;
use std::io::Cursor;
use std::path::Path;

/// A spreadsheet format the importer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Office Open XML (`.xlsx`, `.xlsm`).
    Xlsx,
    /// The Excel 97–2003 binary format (`.xls`).
    Xls,
    /// OpenDocument (`.ods`).
    Ods,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Xlsx => "Excel workbook (.xlsx)",
            Kind::Xls => "Excel 97-2003 workbook (.xls)",
            Kind::Ods => "OpenDocument spreadsheet (.ods)",
        }
    }
}

/// The spreadsheet format of a file, from its first bytes and its name: a zip (`PK`) named
/// `.xlsx`/`.xlsm`/`.ods` or holding a workbook part, or an OLE compound file (`.xls`).
pub fn kind(file: &Path, bytes: &[u8]) -> Option<Kind> {
    let ext = file
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if bytes.starts_with(b"PK\x03\x04") {
        let has = |part: &[u8]| memchr::memmem::find(&bytes[..bytes.len().min(1 << 20)], part);
        return match ext.as_str() {
            "ods" => Some(Kind::Ods),
            "xlsx" | "xlsm" => Some(Kind::Xlsx),
            _ if has(b"xl/workbook.xml").is_some() || has(b"[Content_Types].xml").is_some() => {
                Some(Kind::Xlsx)
            }
            _ if has(b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet").is_some() => {
                Some(Kind::Ods)
            }
            _ => None,
        };
    }
    bytes
        .starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
        .then_some(Kind::Xls)
}

/// One sheet of a workbook as text.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub kind: Kind,
    pub name: String,
    /// Comma-separated, one line per sheet row (row 1 on line 1).
    pub text: String,
    /// Cells whose value a formula computed (their last computed value is read).
    pub formulas: usize,
    /// The first of them (`Sheet1!C14`).
    pub first_formula: Option<String>,
}

/// Read `sheet` (by name; `None`: the first sheet holding a table, else the first with data) of a
/// workbook. `Err` is what is wrong and how to fix it, in words.
pub fn read(kind: Kind, bytes: Vec<u8>, sheet: Option<&str>) -> Result<Sheet, String> {
    let mut wb = open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
        format!(
            "cannot read the file as an {}: {e}.\n  How to fix: open it in Excel and save it \
             again as .xlsx, or export the sheet as CSV UTF-8",
            kind.name()
        )
    })?;
    let names = wb.sheet_names();
    let name = choose(&mut wb, &names, sheet)?;
    let range = wb
        .worksheet_range(&name)
        .map_err(|e| format!("cannot read sheet \"{name}\": {e}"))?;
    let merged = merged_cells(&mut wb, &name);
    if !merged.is_empty() {
        return Err(format!(
            "sheet \"{name}\" has merged cells ({}): a merged cell keeps its value in its first \
             cell only, so the rows it spans would lose it.\n  How to fix: select the sheet, \
             Unmerge Cells, fill the values down, and save again",
            first_few(&merged)
        ));
    }
    let errors: Vec<String> = range
        .cells()
        .filter(|(_, _, v)| matches!(v, Data::Error(_)))
        .map(|(r, c, v)| {
            let (r0, c0) = range.start().unwrap_or((0, 0));
            format!("{} ({v})", cell_ref(&name, r0 + r as u32, c0 + c as u32))
        })
        .collect();
    if !errors.is_empty() {
        return Err(format!(
            "{} cell(s) hold an Excel error instead of a value: {}.\n  How to fix: correct the \
             formulas (or replace them with their values: Copy, Paste Special → Values) and \
             save again",
            errors.len(),
            first_few(&errors)
        ));
    }
    let (formulas, first_formula) = formula_cells(&mut wb, &name);
    Ok(Sheet {
        kind,
        text: as_text(&range),
        name,
        formulas,
        first_formula,
    })
}

/// The sheet to read: the named one, or the first sheet holding a table (else the first with
/// data).
fn choose<RS: std::io::Read + std::io::Seek>(
    wb: &mut Sheets<RS>,
    names: &[String],
    sheet: Option<&str>,
) -> Result<String, String> {
    if let Some(want) = sheet {
        return names
            .iter()
            .find(|n| n.as_str() == want)
            .or_else(|| {
                names
                    .iter()
                    .find(|n| n.trim().eq_ignore_ascii_case(want.trim()))
            })
            .cloned()
            .ok_or_else(|| {
                format!(
                    "has no sheet named \"{want}\"; its sheets are: {}.\n  How to fix: set \
                     `sheet` to one of them",
                    quoted(names)
                )
            });
    }
    // Per sheet with data: whether it is a table (a header and a row, two columns or more),
    // so a notes sheet before the data is passed over.
    let with_data: Vec<(&String, bool)> = names
        .iter()
        .filter_map(|n| {
            let r = wb.worksheet_range(n).ok()?;
            r.cells().any(|(_, _, v)| *v != Data::Empty).then(|| {
                let filled = |row: &[Data]| row.iter().filter(|v| **v != Data::Empty).count();
                let table = r.rows().filter(|row| filled(row) >= 2).take(2).count() == 2;
                (n, table)
            })
        })
        .collect();
    let table = with_data.iter().find(|(_, t)| *t).or(with_data.first());
    table.map(|(n, _)| n.to_string()).ok_or_else(|| {
        format!(
            "has no sheet with data (sheets: {}).\n  How to fix: check the export finished, or \
             choose the file that holds the responses",
            quoted(names)
        )
    })
}

/// The sheet's cells as comma-separated lines, row 1 of the sheet on line 1.
fn as_text(range: &calamine::Range<Data>) -> String {
    let mut out = String::new();
    let Some((r0, _)) = range.start() else {
        return out;
    };
    for _ in 0..r0 {
        out.push('\n');
    }
    let mut cell = String::new();
    // Every row as wide as the sheet's used area, as CSV exports write them.
    for row in range.rows() {
        for (i, v) in row.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            cell.clear();
            write_cell(&mut cell, v);
            push_field(&mut out, &cell);
        }
        out.push('\n');
    }
    out
}

/// A cell's value as text.
fn write_cell(out: &mut String, v: &Data) {
    match v {
        Data::Empty => {}
        Data::String(s) => {
            for (i, line) in s.split(['\r', '\n']).filter(|l| !l.is_empty()).enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(line);
            }
        }
        Data::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
            let _ = write!(out, "{}", *f as i64);
        }
        Data::Float(f) => {
            let _ = write!(out, "{f}");
        }
        Data::Bool(b) => out.push_str(if *b { "TRUE" } else { "FALSE" }),
        Data::DateTime(d) => {
            let (y, mo, day, h, mi, s, _) = d.to_ymd_hms_milli();
            if d.is_duration() {
                let hours = (d.as_f64() * 24.0).floor() as u64;
                let _ = write!(out, "{hours:02}:{mi:02}:{s:02}");
            } else if d.as_f64() < 1.0 {
                let _ = write!(out, "{h:02}:{mi:02}:{s:02}");
            } else if (h, mi, s) == (0, 0, 0) {
                let _ = write!(out, "{y:04}-{mo:02}-{day:02}");
            } else {
                let _ = write!(out, "{y:04}-{mo:02}-{day:02} {h:02}:{mi:02}:{s:02}");
            }
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => out.push_str(s),
        Data::Error(e) => {
            let _ = write!(out, "{e}");
        }
    }
}

/// A field, quoted when it holds a comma, a quote or a line break.
pub(super) fn push_field(out: &mut String, s: &str) {
    if s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') && s.trim().is_empty() {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

/// `Sheet1!C14` (row and column from 0).
pub fn cell_ref(sheet: &str, row: u32, col: u32) -> String {
    let mut letters = String::new();
    let mut c = col + 1;
    while c > 0 {
        let rem = (c - 1) % 26;
        letters.insert(0, char::from(b'A' + rem as u8));
        c = (c - 1) / 26;
    }
    let sheet = if sheet.contains([' ', '\'', '-']) {
        format!("'{}'", sheet.replace('\'', "''"))
    } else {
        sheet.to_string()
    };
    format!("{sheet}!{letters}{}", row + 1)
}

/// The merged areas of an `.xlsx` sheet (`Sheet1!A2:A5`); other formats do not say.
fn merged_cells<RS: std::io::Read + std::io::Seek>(wb: &mut Sheets<RS>, name: &str) -> Vec<String> {
    let Sheets::Xlsx(x) = wb else {
        return Vec::new();
    };
    let Ok(merged) = x.merge_cells_by_sheet_name(name) else {
        return Vec::new();
    };
    merged
        .into_iter()
        .map(|d| {
            let end = cell_ref("", d.end.0, d.end.1);
            format!(
                "{}:{}",
                cell_ref(name, d.start.0, d.start.1),
                end.trim_start_matches('!')
            )
        })
        .collect()
}

/// How many cells of the sheet hold a formula, and the first one's reference.
fn formula_cells<RS: std::io::Read + std::io::Seek>(
    wb: &mut Sheets<RS>,
    name: &str,
) -> (usize, Option<String>) {
    let Ok(f) = wb.worksheet_formula(name) else {
        return (0, None);
    };
    let (r0, c0) = f.start().unwrap_or((0, 0));
    let mut cells = f.cells().filter(|(_, _, s)| !s.is_empty());
    let first = cells
        .next()
        .map(|(r, c, _)| cell_ref(name, r0 + r as u32, c0 + c as u32));
    (first.iter().count() + cells.count(), first)
}

fn first_few(items: &[String]) -> String {
    let shown: Vec<&str> = items.iter().take(5).map(String::as_str).collect();
    if items.len() > shown.len() {
        format!(
            "{} and {} more",
            shown.join(", "),
            items.len() - shown.len()
        )
    } else {
        shown.join(", ")
    }
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_references_read_as_excel_writes_them() {
        assert_eq!(cell_ref("Sheet1", 13, 2), "Sheet1!C14");
        assert_eq!(cell_ref("Form responses", 0, 26), "'Form responses'!AA1");
        assert_eq!(cell_ref("S", 0, 701), "S!ZZ1");
        assert_eq!(cell_ref("S", 0, 702), "S!AAA1");
    }

    #[test]
    fn cells_are_written_as_an_analyst_sees_them() {
        let text = |v: Data| {
            let mut s = String::new();
            write_cell(&mut s, &v);
            s
        };
        assert_eq!(text(Data::Float(4.0)), "4");
        assert_eq!(text(Data::Float(4.5)), "4.5");
        assert_eq!(text(Data::String("Agree".into())), "Agree");
        assert_eq!(text(Data::String("two\r\nlines".into())), "two lines");
        use calamine::{ExcelDateTime, ExcelDateTimeType};
        // 45943.5 is 2025-10-13 12:00 (1900 epoch); 45936 is 2025-10-06.
        let dt = |v| Data::DateTime(ExcelDateTime::new(v, ExcelDateTimeType::DateTime, false));
        assert_eq!(text(dt(45943.5)), "2025-10-13 12:00:00");
        assert_eq!(text(dt(45936.0)), "2025-10-06");
        assert_eq!(text(dt(0.25)), "06:00:00");
        let mut out = String::new();
        push_field(&mut out, "a, \"b\"");
        assert_eq!(out, "\"a, \"\"b\"\"\"");
    }
}
