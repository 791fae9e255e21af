//! Small reference tables kept by the council (the HR headcount, the meeting register): one
//! header row, any encoding and delimiter the importer knows. Rows come back with their line
//! numbers; a malformed or ragged row becomes a problem message instead.

use csv::StringRecord;
use std::path::Path;

pub struct ReferenceTable {
    /// Trimmed header names.
    pub header: Vec<String>,
    /// (line, record) for every row with as many fields as the header.
    pub rows: Vec<(u64, StringRecord)>,
    /// Rows that could not be used, as messages with their line.
    pub problems: Vec<String>,
}

/// Read a reference table; `Err` holds the problems that stop it being read at all.
pub fn read(file: &Path) -> Result<ReferenceTable, Vec<String>> {
    let decoded = super::export::read_text(file, crate::config::EncodingChoice::Auto, None)
        .map_err(|e| match e {
            super::ImportError::Read { source, .. } => {
                vec![crate::file_errors::cannot_read("file", file, &source)]
            }
            super::ImportError::Decode { error, .. } => {
                vec![format!("line {}: {}", error.line, error.detail)]
            }
            super::ImportError::Workbook { problem, .. } => vec![problem],
            other => vec![other.to_string()],
        })?;
    let text = decoded.text;
    let delim = match decoded.encoding {
        super::decode::TextEncoding::Sheet(_) => b',',
        _ => super::layout::sniff_delimiter(&text, crate::config::DelimiterChoice::Auto),
    };
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delim)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| vec![e.to_string()])?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let mut lines = super::export::LineCounter::new(&text);
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                problems.push(e.to_string());
                continue;
            }
        };
        let line = lines.line_of(&rec);
        if rec.len() != header.len() {
            problems.push(format!(
                "line {line}: {} fields, header has {}",
                rec.len(),
                header.len()
            ));
            continue;
        }
        rows.push((line, rec));
    }
    Ok(ReferenceTable {
        header,
        rows,
        problems,
    })
}
