//! The pack's CSV tables, written from the registry's declarations: UTF-8 with a byte-order
//! mark (so Excel opens accents and dashes correctly; Power BI and pandas read it too), one
//! header row, numbers rounded only here, once, as each column declares, and text that a
//! spreadsheet would run as a formula defused. A withheld or not-asked figure is empty in a
//! number, flag or date column (the row's `suppressed` flag says why, as in Parquet), so
//! Power BI, pandas and DuckDB type the column as numbers; a text column shows `[c]` or `[x]`.

use super::registry::{ArrowType, Cell, Format, TableData};
use std::borrow::Cow;

/// The UTF-8 byte-order mark every CSV table starts with.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The marker shown in place of withheld values (UK official statistics).
pub const WITHHELD: &str = crate::disclosure::Suppression::MARK;
/// Not asked in the wave: "not available" in the UK official statistics' shorthand.
pub const NOT_ASKED: &str = "[x]";

/// A number to `decimals` places with a true minus sign when negative, and a plus sign when
/// positive if `plus` (a change); no sign when it rounds to zero.
pub fn fmt_signed(v: f64, decimals: usize, plus: bool) -> String {
    let s = format!("{:.decimals$}", v.abs());
    if s.chars().all(|c| !c.is_ascii_digit() || c == '0') {
        s
    } else if v < 0.0 {
        format!("\u{2212}{s}")
    } else if plus {
        format!("+{s}")
    } else {
        s
    }
}

/// `decimals` places, and never a negative zero.
pub fn fmt_decimals(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// One decimal place, and never "-0.0".
pub fn fmt1(v: f64) -> String {
    fmt_decimals(v, 1)
}

/// p- and q-values: six decimals, or scientific notation below 0.0001 so tiny values keep
/// their meaning (Power BI and Excel read both).
pub fn fmt_p(p: f64) -> String {
    if p < 1e-4 {
        format!("{p:.2e}")
    } else {
        format!("{p:.6}")
    }
}

/// Text that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab or carriage return
/// first) gets a leading apostrophe, so Excel shows it as text (OWASP CSV injection). Numbers,
/// negative ones included, are left alone.
pub fn defuse(cell: &str) -> Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && cell.parse::<f64>().is_err() {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// Undo [`defuse`] (for readers of the CSV that want the text as it was).
pub fn undefuse(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

/// A number as the column's format writes it.
pub fn fmt_number(v: f64, format: Format) -> String {
    match format {
        Format::PValue => fmt_p(v),
        f => match f.decimals() {
            Some(d) => fmt_decimals(v, d),
            None => v.to_string(),
        },
    }
}

/// A cell of a column of type `ty` as CSV text (before defusing): the shorthand `[c]` and
/// `[x]` only in text columns, empty in the others.
pub fn column_text(cell: &Cell, ty: ArrowType, format: Format) -> Cow<'_, str> {
    match cell {
        Cell::Withheld | Cell::NotAsked if ty != ArrowType::Utf8 => Cow::Borrowed(""),
        _ => cell_text(cell, format),
    }
}

/// A cell as text (before defusing), with the shorthand for withheld and not-asked figures.
pub fn cell_text(cell: &Cell, format: Format) -> Cow<'_, str> {
    match cell {
        Cell::Null => Cow::Borrowed(""),
        Cell::Withheld => Cow::Borrowed(WITHHELD),
        Cell::NotAsked => Cow::Borrowed(NOT_ASKED),
        Cell::Int(v) => Cow::Owned(v.to_string()),
        Cell::Float(v) => Cow::Owned(fmt_number(*v, format)),
        Cell::Decimal(v, d) => Cow::Owned(fmt_decimals(*v, usize::from(*d))),
        Cell::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
        Cell::Date(d) => Cow::Owned(d.format("%Y-%m-%d").to_string()),
        Cell::Text(s) => defuse(s),
    }
}

/// `tables/<name>.csv`.
pub fn csv_bytes(t: &TableData) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().from_writer(BOM.to_vec());
    w.write_record(t.def.columns.iter().map(|c| c.name))
        .expect("in-memory write");
    for row in &t.rows {
        w.write_record(
            row.iter()
                .zip(t.def.columns)
                .map(|(cell, col)| column_text(cell, col.ty, col.format).into_owned()),
        )
        .expect("in-memory write");
    }
    w.into_inner().expect("in-memory write")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_numbers_carry_a_true_minus_and_no_sign_at_zero() {
        assert_eq!(fmt_signed(-41.44, 1, false), "\u{2212}41.4");
        assert_eq!(fmt_signed(0.7, 1, true), "+0.7");
        assert_eq!(fmt_signed(0.7, 1, false), "0.7");
        assert_eq!(fmt_signed(-0.04, 1, true), "0.0");
        assert_eq!(fmt_signed(0.0, 2, true), "0.00");
    }

    #[test]
    fn spreadsheet_formulas_are_defused_but_numbers_are_not() {
        assert_eq!(
            defuse("=HYPERLINK(\"http://x\",\"y\")"),
            "'=HYPERLINK(\"http://x\",\"y\")"
        );
        assert_eq!(defuse("+44 20"), "'+44 20");
        assert_eq!(defuse("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(defuse("-Team"), "'-Team");
        assert_eq!(defuse("-5.0"), "-5.0");
        assert_eq!(defuse("1.2e-5"), "1.2e-5");
        assert_eq!(defuse("Resources"), "Resources");
        assert_eq!(undefuse("'=SUM(A1)"), "=SUM(A1)");
        assert_eq!(undefuse("'tis"), "'tis");
    }

    #[test]
    fn decimals_without_negative_zero() {
        assert_eq!(fmt1(63.333333), "63.3");
        assert_eq!(fmt1(9.375), "9.4");
        assert_eq!(fmt1(-0.04), "0.0");
        assert_eq!(fmt1(-5.0), "-5.0");
        assert_eq!(fmt_decimals(-0.0004, 3), "0.000");
        assert_eq!(fmt_number(0.00001234, Format::PValue), "1.23e-5");
        assert_eq!(fmt_number(0.5, Format::PValue), "0.500000");
    }

    #[test]
    fn cells_are_written_as_declared() {
        use chrono::NaiveDate;
        assert_eq!(cell_text(&Cell::Withheld, Format::D1), "[c]");
        // Numbers, flags and dates: empty where withheld or not asked, so the column stays
        // numeric for Power BI, pandas and DuckDB; text columns keep the shorthand.
        assert_eq!(
            column_text(&Cell::Withheld, ArrowType::Float64, Format::D1),
            ""
        );
        assert_eq!(
            column_text(&Cell::NotAsked, ArrowType::Int64, Format::Plain),
            ""
        );
        assert_eq!(
            column_text(&Cell::Withheld, ArrowType::Boolean, Format::Plain),
            ""
        );
        assert_eq!(
            column_text(&Cell::Withheld, ArrowType::Utf8, Format::Plain),
            "[c]"
        );
        assert_eq!(
            column_text(&Cell::NotAsked, ArrowType::Utf8, Format::Plain),
            "[x]"
        );
        assert_eq!(
            column_text(&Cell::Float(1.25), ArrowType::Float64, Format::D1),
            "1.2"
        );
        assert_eq!(cell_text(&Cell::Null, Format::D1), "");
        assert_eq!(cell_text(&Cell::Float(2.0 / 3.0), Format::D3), "0.667");
        // A 0–10 score keeps two decimals whatever the column's other rows use.
        assert_eq!(cell_text(&Cell::Decimal(6.549, 2), Format::Unit), "6.55");
        assert_eq!(cell_text(&Cell::Decimal(-0.004, 2), Format::Unit), "0.00");
        assert_eq!(cell_text(&Cell::Bool(true), Format::Plain), "true");
        assert_eq!(
            cell_text(
                &Cell::Date(NaiveDate::from_ymd_opt(2025, 10, 6).unwrap()),
                Format::Plain
            ),
            "2025-10-06"
        );
        assert_eq!(
            cell_text(&Cell::Text("=1+1".into()), Format::Plain),
            "'=1+1"
        );
    }
}
