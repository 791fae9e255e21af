//! Import: a vendor export → checked, canonical responses for one wave.
//!
//! Nothing is lost and nothing is guessed. Every data row ends as *accepted* or as
//! *excluded/rejected with a reason*; unknown answer labels and categories are counted per
//! column and reported, never mapped by guesswork; personal-data columns are never read.

pub mod benchmarks;
pub mod comment_codes;
pub mod decode;
pub mod export;
pub mod headcount;
pub mod inspect;
pub mod layout;
pub mod reconcile;
pub mod reference;
mod rows;
pub mod spss;
pub mod workbook;

use crate::config::Wave;
use crate::responses::Responses;
use crate::schema::Schema;
use decode::DecodeError;
use export::Export;
use layout::{Layout, is_personal_data};
use std::collections::BTreeMap;
use std::path::PathBuf;

pub use reconcile::{Outcome, Reason};

/// Why a file could not be imported at all.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{}", crate::file_errors::cannot_read("file", file, source))]
    Read {
        file: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{}: line {}, column {}: cannot decode the file as {}: {}.\n  How to fix: {}",
        file.display(), error.line, error.column, error.encoding, error.detail, error.hint
    )]
    Decode { file: PathBuf, error: DecodeError },
    #[error("{}: the file is empty. Check that the export finished downloading.", file.display())]
    Empty { file: PathBuf },
    #[error(
        "{}: the file has only {rows} row(s), all of them header rows for the layout {layout}; there are no responses in it.\n  How to fix: check the export's filters or date range, or set the right `layout` for this wave.",
        file.display()
    )]
    HeaderOnly {
        file: PathBuf,
        layout: Layout,
        rows: usize,
    },
    #[error(
        "{}: layout = \"{}\" is set, but row 3 does not hold Qualtrics ImportId cells; the file looks like {detected}.\n  How to fix: set layout = \"{}\" (or \"auto\") for this wave.",
        file.display(), expected.config_name(), detected.config_name()
    )]
    LayoutMismatch {
        file: PathBuf,
        expected: Layout,
        detected: Layout,
    },
    #[error("{}: {problem}", file.display())]
    Workbook { file: PathBuf, problem: String },
    #[error(
        "{}: {what}, not a data export. {}",
        file.display(), READ_FORMATS
    )]
    Unsupported { file: PathBuf, what: &'static str },
    #[error("{}: line {line}: the CSV cannot be parsed: {message}", file.display())]
    Csv {
        file: PathBuf,
        line: u64,
        message: String,
    },
    #[error("{}", format_unknown_columns(file, wave, missing, hint))]
    UnknownColumns {
        file: PathBuf,
        wave: String,
        /// (schema id or setting, export column named in config, suggestions)
        missing: Vec<(String, String, Vec<String>)>,
        hint: Option<String>,
    },
    #[error(
        "{}: the header names {key:?} more than once (columns {}), so wave {wave}'s mapping of `{id}` is ambiguous.\n  How to fix: rename the duplicate headers in the export, or ask the vendor for unique export tags.",
        file.display(), columns.join(", ")
    )]
    DuplicateColumn {
        file: PathBuf,
        wave: String,
        id: String,
        key: String,
        columns: Vec<String>,
    },
    #[error(
        "{}: wave {wave} maps `{id}` to column {key:?}, which holds personal data and is never imported.\n  How to fix: remove `{id}` from [waves.columns]; the pipeline only stores anonymised answers.",
        file.display()
    )]
    PersonalData {
        file: PathBuf,
        wave: String,
        id: String,
        key: String,
    },
    #[error(
        "{}: wave {wave} uses column {key:?} as response_id, but it holds personal data (an email, a name, an IP address...) and response ids are stored.\n  How to fix: set response_id to the vendor's anonymous response id (Qualtrics `ResponseId`, SurveyMonkey `Respondent ID`).",
        file.display()
    )]
    PersonalResponseId {
        file: PathBuf,
        wave: String,
        key: String,
    },
}

/// The formats the importer reads, as a sentence with the fix.
pub const READ_FORMATS: &str = "The importer reads CSV and other delimited text (UTF-8, UTF-16 \
     or Windows-1252), Excel workbooks (.xlsx, .xlsm, .xls), OpenDocument spreadsheets (.ods) \
     and SPSS data files (.sav, .zsav).\n  How to fix: export the responses in one of these \
     formats (Qualtrics: Data & Analysis → Export → CSV, Excel or SPSS; SurveyMonkey: Analyze → \
     Save as → All responses data; Microsoft Forms: Open results in Excel)";

impl ImportError {
    /// Config/mapping mistakes are usage errors (exit 2); the rest are data problems (exit 1).
    pub fn is_config_error(&self) -> bool {
        matches!(
            self,
            ImportError::UnknownColumns { .. }
                | ImportError::PersonalData { .. }
                | ImportError::PersonalResponseId { .. }
        )
    }
}

fn format_unknown_columns(
    file: &std::path::Path,
    wave: &str,
    missing: &[(String, String, Vec<String>)],
    hint: &Option<String>,
) -> String {
    let mut s = format!(
        "{}: wave {wave}'s mapping names {} column(s) that the export does not have:",
        file.display(),
        missing.len()
    );
    for (id, key, sugg) in missing {
        s.push_str(&format!("\n  - {id} = {key:?}"));
        if !sugg.is_empty() {
            s.push_str(&format!(
                " (did you mean {}?)",
                sugg.iter()
                    .map(|k| format!("{k:?}"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ));
        }
    }
    s.push_str(
        "\n  How to fix: run `culture-metrics inspect <file>` to list the export's columns, and correct that wave's [waves.columns] (or the feedback source's [meetings.sources.columns]) in the config.",
    );
    if let Some(h) = hint {
        s.push_str("\n  Note: ");
        s.push_str(h);
    }
    s
}

/// One rejected or excluded row, for the analyst's row-level list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RowOutcome {
    pub line: u64,
    pub response_id: String,
    pub reason: Reason,
    /// Export column involved (key and spreadsheet letter), if any.
    pub column: Option<String>,
    pub value: Option<String>,
    pub detail: String,
}

/// A value that is not in the schema, with how often it occurred.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UnknownValue {
    pub id: String,
    pub column: String,
    pub value: String,
    pub count: usize,
    pub first_line: u64,
}

/// A free-text answer, kept apart from the scored answers (never published raw).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub row: usize,
    pub question: String,
    pub text: String,
}

/// Response ids, one after another in one text buffer (no allocation per row).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ids {
    text: String,
    ends: Vec<usize>,
}

impl Ids {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn push(&mut self, id: &str) {
        self.text.push_str(id);
        self.ends.push(self.text.len());
    }

    pub fn reserve(&mut self, rows: usize) {
        self.ends.reserve(rows);
        self.text.reserve(rows * 16);
    }

    /// The `i`-th id.
    pub fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|i| self.get(i))
    }
}

impl<S: AsRef<str>> FromIterator<S> for Ids {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Ids {
        let mut ids = Ids::default();
        for id in iter {
            ids.push(id.as_ref());
        }
        ids
    }
}

/// Accepted responses of one wave, column by column.
#[derive(Debug, Clone, Default)]
pub struct WaveData {
    pub response_id: Ids,
    /// Line in the export where each accepted row starts.
    pub line: Vec<u64>,
    /// The wave's `keep` columns: (name, raw trimmed text per row).
    pub kept: Vec<(String, Vec<String>)>,
    /// (demographic index in the schema, category index per row, or
    /// [`NOT_STATED`](crate::responses::NOT_STATED) where left blank)
    pub demographics: Vec<(usize, Vec<u32>)>,
    /// (question index in the schema, answer per row as its position in the question's scale
    /// plus one; 0 = no answer): the counting engine's codes, one byte each
    pub questions: Vec<(usize, Vec<u8>)>,
    pub comments: Vec<Comment>,
}

impl WaveData {
    pub fn len(&self) -> usize {
        self.response_id.len()
    }
    pub fn is_empty(&self) -> bool {
        self.response_id.is_empty()
    }

    /// The accepted responses' code columns, moved out (the import already holds them in the
    /// engine's layout); response ids and comments stay.
    pub fn take_responses(&mut self, schema: &Schema) -> Responses {
        let mut r = Responses::new(schema, self.len());
        for (d, values) in std::mem::take(&mut self.demographics) {
            r.fields[d] = Some(values);
        }
        for (q, values) in std::mem::take(&mut self.questions) {
            r.answers[q] = Some(values);
        }
        r
    }
}

/// What importing one wave produced and found. Everything but the data is kept in the store
/// beside the wave, so an unchanged export is not imported again.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct WaveImport {
    /// SHA-256 over the export, the schema and the wave's mapping (see `store::fingerprint`).
    #[serde(default)]
    pub fingerprint: String,
    /// The export's SHA-256 and size (for the manifest; recorded in the store so that the
    /// wave can be used once its export is archived).
    #[serde(default, rename = "export_sha256")]
    pub file_sha256: Option<(String, u64)>,
    pub wave: String,
    pub file: PathBuf,
    pub encoding: String,
    pub delimiter: u8,
    pub layout: Layout,
    pub rows_in: usize,
    pub counts: BTreeMap<Reason, usize>,
    pub rows: Vec<RowOutcome>,
    pub unknown_values: Vec<UnknownValue>,
    pub personal_data_dropped: Vec<String>,
    pub warnings: Vec<String>,
    /// The accepted responses; empty when the wave was read from the store instead.
    #[serde(skip)]
    pub data: WaveData,
    /// True when this import was recorded by an earlier run and the store already holds it.
    #[serde(skip)]
    pub from_store: bool,
    /// True when the export was not found and the store's copy stands in for it.
    #[serde(skip)]
    pub archived: bool,
    /// The store's data files for this wave and their SHA-256, as written (set in the import
    /// record only: see `store::write_record`).
    #[serde(default, skip_serializing)]
    pub store_files: BTreeMap<String, String>,
}

impl WaveImport {
    pub fn accepted(&self) -> usize {
        self.counts.get(&Reason::Accepted).copied().unwrap_or(0)
    }
    pub fn count(&self, outcome: Outcome) -> usize {
        self.counts
            .iter()
            .filter(|(r, _)| r.outcome() == outcome)
            .map(|(_, n)| n)
            .sum()
    }
    /// Share of rows rejected as defective (not counting rule-based exclusions), in %.
    pub fn rejected_pct(&self) -> f64 {
        if self.rows_in == 0 {
            0.0
        } else {
            100.0 * self.count(Outcome::Rejected) as f64 / self.rows_in as f64
        }
    }
}

/// Import one wave's export according to its mapping.
pub fn import_wave(schema: &Schema, wave: &Wave) -> Result<WaveImport, ImportError> {
    let export = Export::open(
        &wave.file,
        (wave.encoding, wave.delimiter, wave.layout),
        wave.sheet.as_deref(),
    )?;
    import_export(schema, wave, &export)
}

/// Import one wave from an opened export: every row accepted or set aside with a reason.
pub fn import_export(
    schema: &Schema,
    wave: &Wave,
    export: &Export,
) -> Result<WaveImport, ImportError> {
    let plan = rows::Plan::new(schema, wave, export)?;
    let mut warnings = Vec::new();
    if export.layout != export.layout_detected {
        warnings.push(format!(
            "layout is set to {} but the header looks like {}",
            export.layout.config_name(),
            export.layout_detected.config_name()
        ));
    }
    let personal_data_dropped: Vec<String> = export
        .columns
        .iter()
        .filter(|c| is_personal_data(c))
        .map(|c| c.key.clone())
        .collect();
    let (data, mut tally) = rows::read(schema, wave, export, &plan)?;
    let unknown_values = tally.unknown_values(&plan, export);
    Ok(WaveImport {
        wave: wave.id.clone(),
        file: export.file.clone(),
        encoding: format!("{} ({})", export.decoded.encoding, export.decoded.how),
        delimiter: export.delimiter,
        layout: export.layout,
        rows_in: tally.rows_in,
        counts: tally.counts,
        rows: tally.rows,
        unknown_values,
        personal_data_dropped,
        warnings,
        data,
        fingerprint: String::new(),
        file_sha256: None,
        from_store: false,
        archived: false,
        store_files: BTreeMap::new(),
    })
}

#[cfg(test)]
mod properties;
