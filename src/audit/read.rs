//! A table as the audit reads it: header and records as text.

use super::AuditError;
use std::path::Path;

/// A table as the audit reads it: its header and records, as text.
pub(crate) struct Csv {
    pub(crate) header: Vec<String>,
    pub(crate) records: Vec<(u64, csv::StringRecord)>,
}

impl Csv {
    /// The position of the column `name`.
    pub(crate) fn column(&self, name: &str) -> Option<usize> {
        self.header
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
    }
}

pub(super) fn read_csv(path: &Path) -> Result<Csv, AuditError> {
    let unreadable = |message: String| AuditError::Unreadable {
        path: path.to_path_buf(),
        message,
    };
    let mut rdr = csv::Reader::from_path(path).map_err(|e| unreadable(e.to_string()))?;
    let header = rdr
        .headers()
        .map_err(|e| unreadable(e.to_string()))?
        .iter()
        .map(str::to_string)
        .collect();
    let mut records = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| unreadable(e.to_string()))?;
        records.push((rec.position().map_or(0, |p| p.line()), rec));
    }
    Ok(Csv { header, records })
}

/// Rows of `csv` as the named columns, with their line (missing columns read as "").
pub(super) fn rows<'c>(csv: &'c Csv, names: &[&str]) -> Vec<(u64, Vec<&'c str>)> {
    let at: Vec<Option<usize>> = names.iter().map(|n| csv.column(n)).collect();
    csv.records
        .iter()
        .map(|(line, rec)| {
            (
                *line,
                at.iter()
                    .map(|c| c.and_then(|c| rec.get(c)).unwrap_or(""))
                    .collect(),
            )
        })
        .collect()
}
