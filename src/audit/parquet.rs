//! The Parquet copies against the CSV copies: Power BI reads the Parquet, so a figure slipped
//! into it alone would reach the dashboard unseen by every check on the CSV.

use super::read::Csv;
use std::path::Path;

/// The Parquet copy of a table withholds what the CSV withholds: the same rows, in the same
/// order, and no value where the CSV shows none (`[c]` or `[x]` in a text column, empty in a
/// number, flag or date column): a figure slipped into the Parquet file alone would reach
/// Power BI unseen by the CSV checks.
pub(super) fn check_parquet_withholds(
    path: &Path,
    csv: &Csv,
    file: &str,
    find: &mut impl FnMut(String, u64, String),
) {
    use polars::prelude::{ParquetReader, SerReader};
    let Ok(df) = std::fs::File::open(path)
        .map_err(|e| e.to_string())
        .and_then(|f| ParquetReader::new(f).finish().map_err(|e| e.to_string()))
    else {
        return;
    };
    if df.height() > csv.records.len() {
        // Rows the CSV does not have cannot be checked against it.
        find(
            file.to_string(),
            0,
            format!(
                "holds {} rows but the CSV holds {}",
                df.height(),
                csv.records.len()
            ),
        );
        return;
    }
    if df.height() < csv.records.len() {
        return;
    }
    for (j, name) in csv.header.iter().enumerate() {
        let Ok(column) = df.column(name.trim_start_matches('\u{feff}')) else {
            continue;
        };
        // A text column may hold an empty string where the CSV is empty.
        let text = column.dtype() == &polars::prelude::DataType::String;
        let nulls = column.is_null();
        for (row, (line, rec)) in csv.records.iter().enumerate() {
            let shows_none = match rec.get(j) {
                Some(v) if v == crate::disclosure::Suppression::MARK || v == "[x]" => true,
                Some("") => !text,
                _ => false,
            };
            if shows_none && nulls.get(row) == Some(false) {
                find(
                    file.to_string(),
                    *line,
                    format!("`{name}` holds a value the CSV withholds or leaves empty"),
                );
            }
        }
    }
}
