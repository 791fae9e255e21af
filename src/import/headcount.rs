//! HR headcount per group (e.g. directorate × grade): one file per wave, or one file for
//! every wave with a `wave` (or `year`) column saying which each row is of (HR systems export
//! it that way). Response rates and the finite population correction rest on it, so it is
//! checked like survey data: every category must be in the schema, every count a whole number,
//! every wave one the config has.

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

/// Which wave's rows to read from a file that may hold several: `wave` is the wave being read,
/// `waves` every wave the config has.
#[derive(Debug, Clone, Copy)]
pub struct ForWave<'a> {
    pub wave: &'a str,
    pub waves: &'a [&'a str],
}

/// The column naming each row's wave, if the file has one.
fn wave_column(header: &[String]) -> Option<usize> {
    ["wave", "year", "wave_id"]
        .iter()
        .find_map(|w| header.iter().position(|h| h.trim().eq_ignore_ascii_case(w)))
}

pub fn load(file: &Path, schema: &Schema, for_wave: ForWave) -> Result<Headcount, HeadcountError> {
    let err = |problems: Vec<String>| HeadcountError {
        file: file.to_path_buf(),
        problems,
    };
    let mut table = super::reference::read(file).map_err(err)?;
    let mut problems = std::mem::take(&mut table.problems);
    if let Some(col) = wave_column(&table.header) {
        keep_wave(&mut table, col, for_wave, &mut problems);
    }
    let header = &table.header;
    let Some(hc_col) = header.iter().position(|h| h == "headcount") else {
        return Err(err(vec![format!(
            "line 1: no `headcount` column; the header should be the demographic ids and `headcount`, e.g. `directorate,grade,headcount` (found: {})",
            header.join(", ")
        )]));
    };
    let (fields, field_cols) = group_columns(header, hc_col, schema, &mut problems);
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
        problems.push(match wave_column(header) {
            Some(_) => format!(
                "no rows for wave {}: the file's `{}` column never names it",
                for_wave.wave,
                header[wave_column(header).unwrap_or(0)]
            ),
            None => "no rows after the header".into(),
        });
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

/// The demographic fields the header names (schema index, column), all but the headcount and
/// the wave; a name that is no demographic is a problem.
fn group_columns(
    header: &[String],
    hc_col: usize,
    schema: &Schema,
    problems: &mut Vec<String>,
) -> (Vec<usize>, Vec<usize>) {
    let mut fields = Vec::new();
    let mut field_cols = Vec::new();
    for (i, h) in header.iter().enumerate() {
        if i == hc_col || Some(i) == wave_column(header) {
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
    (fields, field_cols)
}

/// Keep the rows of `for_wave.wave` (by the `wave` column `col`), and note each row of a wave
/// the config does not have.
fn keep_wave(
    table: &mut super::reference::ReferenceTable,
    col: usize,
    for_wave: ForWave,
    problems: &mut Vec<String>,
) {
    let name = table.header[col].clone();
    table.rows.retain(|(line, rec)| {
        let w = rec[col].trim();
        if w == for_wave.wave {
            return true;
        }
        if !for_wave.waves.contains(&w) {
            problems.push(format!(
                "line {line}, column {}: {name} `{w}` is not a wave in the config (waves: {}); \
                 correct it or remove the row",
                super::layout::column_letter(col),
                for_wave.waves.join(", ")
            ));
        }
        false
    });
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
