//! HR headcount per group (e.g. directorate × grade), one file per wave. Response rates and
//! the finite population correction rest on it, so it is checked like survey data: every
//! category must be in the schema, every count a whole number.

use crate::schema::Schema;
use std::path::{Path, PathBuf};

/// Staff in post per cell of the HR file's demographic fields.
#[derive(Debug, Clone)]
pub struct Headcount {
    pub file: PathBuf,
    /// Schema demographic indexes, in the file's column order.
    pub fields: Vec<usize>,
    /// One entry per cell: category index per field, and the headcount.
    pub cells: Vec<(Vec<u32>, u64)>,
}

impl Headcount {
    pub fn total(&self) -> u64 {
        self.cells.iter().map(|c| c.1).sum()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{}: {} problem(s) in the HR headcount file:\n{}", file.display(), problems.len(), problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
pub struct HeadcountError {
    pub file: PathBuf,
    pub problems: Vec<String>,
}

/// The largest headcount a group can have (more than the NHS employs): larger numbers are a
/// wrong column or a damaged file, and sums of them could not overflow.
pub const MAX_HEADCOUNT: u64 = 10_000_000;

pub fn load(file: &Path, schema: &Schema) -> Result<Headcount, HeadcountError> {
    let err = |problems: Vec<String>| HeadcountError {
        file: file.to_path_buf(),
        problems,
    };
    let table = super::reference::read(file).map_err(err)?;
    let header = &table.header;
    let mut problems = table.problems;
    let Some(hc_col) = header.iter().position(|h| h == "headcount") else {
        return Err(err(vec![format!(
            "line 1: no `headcount` column; the header should be the demographic ids and `headcount`, e.g. `directorate,grade,headcount` (found: {})",
            header.join(", ")
        )]));
    };
    let mut fields = Vec::new();
    let mut field_cols = Vec::new();
    for (i, h) in header.iter().enumerate() {
        if i == hc_col {
            continue;
        }
        match schema.demographic(h) {
            Some(d) => {
                fields.push(d);
                field_cols.push(i);
            }
            None => problems.push(format!(
                "line 1, column {}: `{h}` is not a demographic id in the schema",
                super::layout::column_letter(i)
            )),
        }
    }
    let mut cells = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for (line, rec) in &table.rows {
        let line = *line;
        let mut key = Vec::with_capacity(fields.len());
        for (&d, &c) in fields.iter().zip(&field_cols) {
            let v = rec[c].trim();
            match schema.demographics[d].category_of(v) {
                Some(i) => key.push(i as u32),
                None => problems.push(format!(
                    "line {line}, column {}: `{v}` is not a category of `{}`",
                    super::layout::column_letter(c),
                    schema.demographics[d].id
                )),
            }
        }
        let Some(n) = headcount_value(rec, hc_col, line, &mut problems) else {
            continue;
        };
        if key.len() == fields.len() {
            if let Some(first) = seen.insert(key.clone(), line) {
                problems.push(format!(
                    "line {line}: the same group is listed again (first on line {first})"
                ));
            }
            cells.push((key, n));
        }
    }
    if cells.is_empty() && problems.is_empty() {
        problems.push("no rows after the header".into());
    }
    if problems.is_empty() {
        Ok(Headcount {
            file: file.to_path_buf(),
            fields,
            cells,
        })
    } else {
        Err(err(problems))
    }
}

/// A row's headcount: a whole number no organisation exceeds; `None` with the problem noted.
fn headcount_value(
    rec: &csv::StringRecord,
    hc_col: usize,
    line: u64,
    problems: &mut Vec<String>,
) -> Option<u64> {
    match rec[hc_col].trim().parse::<u64>() {
        Ok(n) if n <= MAX_HEADCOUNT => Some(n),
        Ok(n) => {
            problems.push(format!(
                "line {line}, column {}: headcount {n} is more than any organisation employs \
                 (the largest taken is {MAX_HEADCOUNT}); check the column is a headcount",
                super::layout::column_letter(hc_col),
            ));
            None
        }
        Err(_) => {
            problems.push(format!(
                "line {line}, column {}: headcount `{}` is not a whole number",
                super::layout::column_letter(hc_col),
                &rec[hc_col]
            ));
            None
        }
    }
}
