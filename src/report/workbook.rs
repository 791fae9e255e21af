//! `workbook.xlsx`, following the UK Government Analysis Function guidance for accessible
//! statistical spreadsheets: a cover sheet, a contents sheet with links, a notes sheet, one
//! table per sheet starting in A1 after its title lines, a single header row, no merged cells,
//! no blank rows inside tables, `[c]` for suppressed values, and numbers stored as numbers.
//!
//! It is built from the pack's own CSV tables (already through disclosure control), so it
//! cannot show anything the tables do not. Cells are written as strings or numbers, never as
//! formulas; the CSVs' leading apostrophe on formula-like text is a CSV-only guard and is
//! removed here.

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, XlsxError};

/// A table for the workbook: sheet name (≤ 31 characters), title, description, CSV bytes.
pub struct Sheet<'a> {
    pub name: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub csv: &'a [u8],
}

use super::tables::undefuse as cell_text;

/// Build the workbook. `cover` lines go on the cover sheet under the title; `notes` are
/// (note, text) rows for the notes sheet.
pub fn workbook(
    title: &str,
    cover: &[(&str, String)],
    notes: &[(&str, &str)],
    sheets: &[Sheet],
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    // A fixed creation date keeps the file identical from one run to the next.
    wb.set_properties(
        &DocProperties::new()
            .set_title(title)
            .set_author("culture-metrics")
            .set_creation_datetime(&ExcelDateTime::from_ymd(2025, 1, 1)?),
    );
    let bold = Format::new().set_bold();
    let heading = Format::new().set_bold().set_font_size(14);
    let wrap = Format::new().set_text_wrap();

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
    for (i, s) in sheets.iter().enumerate() {
        let r = 4 + i as u32;
        ws.write_url_with_text(r, 0, format!("internal:'{}'!A1", s.name).as_str(), s.name)?;
        ws.write_string(r, 1, s.title)?;
    }
    ws.set_column_width(0, 28)?;
    ws.set_column_width(1, 90)?;

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

    for s in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(s.name)?;
        ws.write_string_with_format(0, 0, s.title, &heading)?;
        ws.write_string(1, 0, s.description)?;
        ws.write_string(
            2,
            0,
            "This worksheet contains one table. Suppressed values are shown as [c]; see Notes.",
        )?;
        let mut rdr = csv::ReaderBuilder::new().from_reader(s.csv);
        let header: Vec<String> = rdr
            .headers()
            .map(|h| h.iter().map(str::to_string).collect())
            .unwrap_or_default();
        for (c, h) in header.iter().enumerate() {
            ws.write_string_with_format(3, c as u16, h, &bold)?;
            ws.set_column_width(c as u16, (h.len() as f64 + 4.0).max(12.0))?;
        }
        for (r, rec) in rdr.records().flatten().enumerate() {
            let r = 4 + r as u32;
            for (c, v) in rec.iter().enumerate() {
                let c = c as u16;
                match v.parse::<f64>() {
                    Ok(n) if n.is_finite() => ws.write_number(r, c, n)?,
                    _ => ws.write_string(r, c, cell_text(v))?,
                };
            }
        }
    }
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_guard_is_removed_only_from_formula_like_text() {
        assert_eq!(cell_text("'=SUM(A1)"), "=SUM(A1)");
        assert_eq!(cell_text("'tis"), "'tis");
        assert_eq!(cell_text("Resources"), "Resources");
    }

    #[test]
    fn builds_a_workbook_and_is_deterministic() {
        let csv = b"wave,group,n\n2025,A,12\n2025,'=HYPERLINK(1),[c]\n";
        let sheets = [Sheet {
            name: "items",
            title: "Items",
            description: "d",
            csv,
        }];
        let a = workbook(
            "T",
            &[("About", "x".into())],
            &[("[c]", "confidential")],
            &sheets,
        )
        .unwrap();
        let b = workbook(
            "T",
            &[("About", "x".into())],
            &[("[c]", "confidential")],
            &sheets,
        )
        .unwrap();
        assert!(a.starts_with(b"PK"), "an xlsx is a zip file");
        assert_eq!(a, b);
    }
}
