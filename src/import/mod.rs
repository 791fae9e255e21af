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

use crate::config::Wave;
use crate::responses::{NOT_STATED, Responses};
use crate::schema::{QuestionType, Schema};
use decode::DecodeError;
use export::Export;
use layout::{Layout, column_letter, delimiter_name, is_personal_data};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
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
        "\n  How to fix: run `culture-metrics inspect <file>` to list the export's columns, and correct [waves.columns] in the config.",
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

enum Target {
    Demographic(usize),
    Scored(usize),
    FreeText,
}

struct Mapped {
    id: String,
    index: usize,
    label: String,
    target: Target,
}

impl fmt::Debug for Mapped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} <- {}", self.id, self.label)
    }
}

/// What each distinct value of one column maps to, learned as the rows are read: a column holds a
/// handful of distinct labels, so the schema's lookup runs once per distinct value instead of
/// once per cell. Columns with many distinct values (past [`ValueCache::MAX`]) fall back to
/// the lookup for the rest.
struct ValueCache<T> {
    /// One-byte values (answer codes keyed as digits), by their byte: looked up directly.
    bytes: [Option<Option<T>>; 128],
    /// (the value packed into a word when it is at most 7 bytes long, the value, its meaning)
    entries: Vec<(u64, Box<str>, Option<T>)>,
}

/// A value of up to 8 bytes as one word (its length in the top byte keeps `"1"` and `"1\0"`
/// apart); `None` for longer values.
fn pack(value: &str) -> Option<u64> {
    let b = value.as_bytes();
    (b.len() <= 7).then(|| {
        let mut w = (b.len() as u64) << 56;
        for (i, &x) in b.iter().enumerate() {
            w |= u64::from(x) << (8 * i);
        }
        w
    })
}

impl<T: Copy> ValueCache<T> {
    const MAX: usize = 64;

    fn new() -> Self {
        ValueCache {
            bytes: [None; 128],
            entries: Vec::new(),
        }
    }

    fn get(&mut self, value: &str, lookup: impl FnOnce(&str) -> Option<T>) -> Option<T> {
        if let &[b] = value.as_bytes()
            && b < 128
        {
            return *self.bytes[b as usize].get_or_insert_with(|| lookup(value));
        }
        let packed = pack(value);
        let hit = match packed {
            Some(w) => self.entries.iter().find(|(k, _, _)| *k == w),
            None => self
                .entries
                .iter()
                .find(|(k, v, _)| *k == u64::MAX && **v == *value),
        };
        if let Some((_, _, found)) = hit {
            return *found;
        }
        let found = lookup(value);
        if self.entries.len() < Self::MAX {
            self.entries
                .push((packed.unwrap_or(u64::MAX), value.into(), found));
        }
        found
    }
}

/// Accepted rows' codes, gathered row by row and handed to the columns a block at a time: one
/// write stream per column per block instead of a scattered write per cell.
struct RowBlock {
    demographics: Vec<u32>,
    answers: Vec<u8>,
    rows: usize,
}

impl RowBlock {
    const ROWS: usize = 2048;

    fn new(fields: usize, questions: usize) -> RowBlock {
        RowBlock {
            demographics: Vec::with_capacity(Self::ROWS * fields),
            answers: Vec::with_capacity(Self::ROWS * questions),
            rows: 0,
        }
    }

    fn push(&mut self, demographics: &[u32], answers: &[u8], data: &mut WaveData) {
        self.demographics.extend_from_slice(demographics);
        self.answers.extend_from_slice(answers);
        self.rows += 1;
        if self.rows == Self::ROWS {
            self.flush(data);
        }
    }

    fn flush(&mut self, data: &mut WaveData) {
        let (nd, nq) = (data.demographics.len(), data.questions.len());
        for (i, (_, col)) in data.demographics.iter_mut().enumerate() {
            col.extend(self.demographics.iter().skip(i).step_by(nd));
        }
        for (i, (_, col)) in data.questions.iter_mut().enumerate() {
            col.extend(self.answers.iter().skip(i).step_by(nq));
        }
        self.demographics.clear();
        self.answers.clear();
        self.rows = 0;
    }
}

/// `str::trim`, without decoding characters when the value neither starts nor ends with a
/// space or a non-ASCII character (nearly every cell).
fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(&a), Some(&b)) if a > b' ' && a < 0x80 && b > b' ' && b < 0x80 => s,
        _ => s.trim(),
    }
}

/// The response ids seen so far, with the line of each first copy: one text buffer for all of
/// them (no allocation per row) and a hash index over it.
struct SeenIds {
    text: String,
    /// (start in `text`, length, line, next entry with the same hash or `u32::MAX`)
    entries: Vec<(u32, u32, u64, u32)>,
    heads: HashMap<u64, u32, foldhash::fast::FixedState>,
    hasher: foldhash::fast::FixedState,
}

impl SeenIds {
    fn with_capacity(rows: usize) -> SeenIds {
        SeenIds {
            text: String::with_capacity(rows * 16),
            entries: Vec::with_capacity(rows),
            heads: HashMap::with_capacity_and_hasher(rows, Default::default()),
            hasher: Default::default(),
        }
    }

    fn hash(&self, id: &str) -> u64 {
        std::hash::BuildHasher::hash_one(&self.hasher, id)
    }

    /// The line of the first row with this id.
    fn get(&self, id: &str) -> Option<u64> {
        let mut at = *self.heads.get(&self.hash(id))?;
        while at != u32::MAX {
            let (start, len, line, next) = self.entries[at as usize];
            if &self.text[start as usize..(start + len) as usize] == id {
                return Some(line);
            }
            at = next;
        }
        None
    }

    /// Remember `id` (not seen before) as first seen on `line`.
    fn insert(&mut self, id: &str, line: u64) {
        let h = self.hash(id);
        let next = self.heads.get(&h).copied().unwrap_or(u32::MAX);
        self.heads.insert(h, self.entries.len() as u32);
        self.entries
            .push((self.text.len() as u32, id.len() as u32, line, next));
        self.text.push_str(id);
    }
}

fn describe_column(export: &Export, index: usize) -> String {
    format!("{} ({:?})", column_letter(index), export.columns[index].key)
}

/// Find the column for one setting; errors are collected so all are reported together.
fn locate(
    export: &Export,
    wave: &Wave,
    id: &str,
    key: &str,
    missing: &mut Vec<(String, String, Vec<String>)>,
) -> Result<Option<usize>, ImportError> {
    let found = export.find_columns(key);
    match found.len() {
        0 => {
            missing.push((id.to_string(), key.to_string(), export.suggest(key)));
            Ok(None)
        }
        1 => Ok(Some(found[0].index)),
        _ => Err(ImportError::DuplicateColumn {
            file: export.file.clone(),
            wave: wave.id.clone(),
            id: id.to_string(),
            key: key.to_string(),
            columns: found.iter().map(|c| column_letter(c.index)).collect(),
        }),
    }
}

/// Import one wave's export according to its mapping.
pub fn import_wave(schema: &Schema, wave: &Wave) -> Result<WaveImport, ImportError> {
    let export = Export::open(&wave.file, wave.encoding, wave.delimiter, wave.layout)?;
    import_export(schema, wave, &export)
}

pub fn import_export(
    schema: &Schema,
    wave: &Wave,
    export: &Export,
) -> Result<WaveImport, ImportError> {
    let mut missing = Vec::new();
    let rid = locate(export, wave, "response_id", &wave.response_id, &mut missing)?;
    if let Some(r) = rid
        && is_personal_data(&export.columns[r])
    {
        return Err(ImportError::PersonalResponseId {
            file: export.file.clone(),
            wave: wave.id.clone(),
            key: wave.response_id.clone(),
        });
    }
    let f = &wave.filters;
    let test_col = match &f.test_column {
        Some(k) => locate(export, wave, "filters.test_column", k, &mut missing)?,
        None => None,
    };
    let fin_col = match &f.finished_column {
        Some(k) => locate(export, wave, "filters.finished_column", k, &mut missing)?,
        None => None,
    };
    let mut mapped = Vec::new();
    for (id, key) in &wave.columns {
        let Some(index) = locate(export, wave, id, key, &mut missing)? else {
            continue;
        };
        if is_personal_data(&export.columns[index]) {
            return Err(ImportError::PersonalData {
                file: export.file.clone(),
                wave: wave.id.clone(),
                id: id.clone(),
                key: key.clone(),
            });
        }
        let target = if let Some(d) = schema.demographic(id) {
            Target::Demographic(d)
        } else {
            let q = schema
                .question(id)
                .expect("config checked ids against schema");
            if schema.questions[q].kind == QuestionType::FreeText {
                Target::FreeText
            } else {
                Target::Scored(q)
            }
        };
        mapped.push(Mapped {
            id: id.clone(),
            index,
            label: describe_column(export, index),
            target,
        });
    }
    let mut kept_cols = Vec::new();
    for (name, key) in &wave.keep {
        if let Some(index) = locate(export, wave, name, key, &mut missing)? {
            kept_cols.push(index);
        }
    }
    if !missing.is_empty() {
        let hint = (export.delimiter_forced && export.delimiter != export.delimiter_sniffed)
            .then(|| {
                format!(
                    "delimiter is set to {} but the file looks {}-separated: the whole row may have been read as {} column(s). Set delimiter = \"auto\".",
                    delimiter_name(export.delimiter),
                    delimiter_name(export.delimiter_sniffed),
                    export.columns.len()
                )
            });
        return Err(ImportError::UnknownColumns {
            file: export.file.clone(),
            wave: wave.id.clone(),
            missing,
            hint,
        });
    }
    let rid = rid.expect("located");

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

    let n_cols = export.columns.len();
    let n_scored = mapped
        .iter()
        .filter(|m| matches!(m.target, Target::Scored(_)))
        .count();
    let mut data = WaveData {
        demographics: mapped
            .iter()
            .filter_map(|m| match m.target {
                Target::Demographic(d) => Some((d, Vec::new())),
                _ => None,
            })
            .collect(),
        questions: mapped
            .iter()
            .filter_map(|m| match m.target {
                Target::Scored(q) => Some((q, Vec::new())),
                _ => None,
            })
            .collect(),
        kept: wave
            .keep
            .iter()
            .map(|(n, _)| (n.clone(), Vec::new()))
            .collect(),
        ..WaveData::default()
    };
    // Every line is at most one row: size the columns once instead of growing them.
    let lines_in_file = memchr::memchr_iter(b'\n', export.decoded.text.as_bytes()).count() + 1;
    data.response_id.reserve(lines_in_file);
    data.line.reserve(lines_in_file);
    for (_, v) in &mut data.demographics {
        v.reserve(lines_in_file);
    }
    for (_, v) in &mut data.questions {
        v.reserve(lines_in_file);
    }
    let mut categories: Vec<ValueCache<usize>> = mapped.iter().map(|_| ValueCache::new()).collect();
    let mut answers: Vec<ValueCache<u8>> = mapped.iter().map(|_| ValueCache::new()).collect();
    // Per mapped scored column: its scale, and each scale code's answer slot.
    let scales: Vec<Option<(&crate::schema::Scale, [u8; 256])>> = mapped
        .iter()
        .map(|m| match m.target {
            Target::Scored(q) => Some((
                schema
                    .scale_of(&schema.questions[q])
                    .expect("scored questions have scales"),
                Responses::slots(schema, q),
            )),
            _ => None,
        })
        .collect();
    let mut counts: BTreeMap<Reason, usize> = BTreeMap::new();
    let mut rows: Vec<RowOutcome> = Vec::new();
    let mut unknown: BTreeMap<(usize, String), (usize, u64)> = BTreeMap::new();
    let mut seen = SeenIds::with_capacity(lines_in_file);
    let mut rows_in = 0usize;

    // Scratch buffers for one row, reused: no allocation per cell on the accepted path.
    let mut demo_buf: Vec<u32> = vec![NOT_STATED; data.demographics.len()];
    let mut q_buf: Vec<u8> = vec![0; data.questions.len()];
    let mut block = RowBlock::new(demo_buf.len(), q_buf.len());
    let mut text_buf: Vec<(usize, usize)> = Vec::new(); // (mapped index, field index)

    let mut rdr = export.data_reader()?;
    let mut lines = export::LineCounter::new(&export.decoded.text);
    let mut rec = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                return Err(ImportError::Csv {
                    file: export.file.clone(),
                    line: e.position().map_or(0, |p| p.line()),
                    message: e.to_string(),
                });
            }
        }
        rows_in += 1;
        let line = lines.line_of(&rec);
        // A quote left open runs a record on into the rows after it: reject every row it
        // took, each with its own line, so rows in = rows in the file.
        if memchr::memchr(b'\n', rec.as_slice().as_bytes()).is_some() {
            let start = rec.position().map_or(0, |p| p.byte()) as usize;
            let end = rdr.position().byte() as usize;
            let span = export.decoded.text.get(start..end).unwrap_or("");
            if let Some(taken) = export::runaway_rows(span, export.delimiter, n_cols, rid) {
                let last = line + taken.last().map_or(0, |t| t.0);
                for (k, id) in taken {
                    rows_in += usize::from(k > 0);
                    *counts.entry(Reason::UnterminatedQuote).or_default() += 1;
                    rows.push(RowOutcome {
                        line: line + k,
                        response_id: id,
                        reason: Reason::UnterminatedQuote,
                        column: None,
                        value: None,
                        detail: format!(
                            "a quote opened on line {line} is not closed where its field ends, so lines {line} to {last} \
                             were read as one row; close or remove the stray \" and export again"
                        ),
                    });
                }
                continue;
            }
        }
        let mut reject = |reason: Reason,
                          id: &str,
                          column: Option<String>,
                          value: Option<String>,
                          detail: String| {
            *counts.entry(reason).or_default() += 1;
            rows.push(RowOutcome {
                line,
                response_id: id.to_string(),
                reason,
                column,
                value,
                detail,
            });
        };
        if rec.len() != n_cols {
            reject(
                Reason::RaggedRow,
                rec.get(rid).unwrap_or("").trim(),
                None,
                None,
                format!(
                    "has {} fields but the header has {n_cols}; check for an unquoted delimiter or a cut-off line",
                    rec.len()
                ),
            );
            continue;
        }
        let id = rec[rid].trim();
        if rec.as_slice().len() > export::MAX_FIELD_BYTES
            && let Some(long) = rec.iter().position(|f| f.len() > export::MAX_FIELD_BYTES)
        {
            reject(
                Reason::OverlongField,
                id,
                Some(describe_column(export, long)),
                None,
                format!(
                    "{} characters; the longest field taken is {} (the text is not stored)",
                    rec[long].chars().count(),
                    export::MAX_FIELD_BYTES
                ),
            );
            continue;
        }
        if let Some(tc) = test_col {
            let v = rec[tc].trim();
            if f.test_values.iter().any(|t| t == v) {
                reject(
                    Reason::PreviewOrTest,
                    id,
                    Some(describe_column(export, tc)),
                    Some(v.to_string()),
                    String::new(),
                );
                continue;
            }
        }
        if let Some(fc) = fin_col {
            let v = rec[fc].trim();
            if !f.finished_values.iter().any(|t| t == v) {
                reject(
                    Reason::Incomplete,
                    id,
                    Some(describe_column(export, fc)),
                    Some(v.to_string()),
                    "not marked as finished".into(),
                );
                continue;
            }
        }
        if id.is_empty() {
            reject(
                Reason::MissingResponseId,
                id,
                Some(describe_column(export, rid)),
                None,
                String::new(),
            );
            continue;
        }
        if let Some(first) = seen.get(id) {
            reject(
                Reason::DuplicateResponseId,
                id,
                Some(describe_column(export, rid)),
                Some(id.to_string()),
                format!("first seen on line {first}; the first copy is kept"),
            );
            continue;
        }

        // Map every cell; remember the first problem of each kind.
        let mut first_unknown_answer: Option<(usize, String)> = None;
        let mut first_unknown_category: Option<(usize, String)> = None;
        let mut answered = 0usize;
        let (mut di, mut qi) = (0, 0);
        text_buf.clear();
        for (mi, m) in mapped.iter().enumerate() {
            let v = trim(&rec[m.index]);
            match m.target {
                Target::Demographic(d) => {
                    demo_buf[di] = if v.is_empty() {
                        NOT_STATED
                    } else {
                        let dem = &schema.demographics[d];
                        match categories[mi].get(v, |v| dem.category_of(v)) {
                            Some(c) => c as u32,
                            None => {
                                let e =
                                    unknown.entry((m.index, v.to_string())).or_insert((0, line));
                                e.0 += 1;
                                first_unknown_category.get_or_insert((mi, v.to_string()));
                                NOT_STATED
                            }
                        }
                    };
                    di += 1;
                }
                Target::Scored(_) => {
                    q_buf[qi] = if v.is_empty() {
                        0
                    } else {
                        answered += 1;
                        let (scale, slots) = scales[mi].as_ref().expect("scored");
                        match answers[mi].get(v, |v| scale.code_of(v).map(|c| slots[c as usize])) {
                            Some(slot) => slot,
                            None => {
                                let e =
                                    unknown.entry((m.index, v.to_string())).or_insert((0, line));
                                e.0 += 1;
                                first_unknown_answer.get_or_insert((mi, v.to_string()));
                                0
                            }
                        }
                    };
                    qi += 1;
                }
                Target::FreeText => {
                    if !v.is_empty() {
                        text_buf.push((mi, m.index));
                    }
                }
            }
        }
        if let Some(min) = f.min_answered
            && answered < min.min(n_scored)
        {
            reject(
                Reason::Incomplete,
                id,
                None,
                None,
                format!("answered {answered} of {n_scored} questions; at least {min} needed"),
            );
            continue;
        }
        seen.insert(id, line);
        if let Some((mi, v)) = first_unknown_answer {
            let m = &mapped[mi];
            reject(
                Reason::UnknownAnswer,
                id,
                Some(m.label.clone()),
                Some(v),
                format!("not an answer of `{}`'s scale", m.id),
            );
            continue;
        }
        if let Some((mi, v)) = first_unknown_category {
            let m = &mapped[mi];
            reject(
                Reason::UnknownCategory,
                id,
                Some(m.label.clone()),
                Some(v),
                format!("not a category of `{}`", m.id),
            );
            continue;
        }
        // Accepted.
        let row = data.response_id.len();
        data.response_id.push(id);
        data.line.push(line);
        for (slot, &c) in data.kept.iter_mut().zip(&kept_cols) {
            slot.1.push(rec[c].trim().to_string());
        }
        block.push(&demo_buf, &q_buf, &mut data);
        for &(mi, fi) in &text_buf {
            data.comments.push(Comment {
                row,
                question: mapped[mi].id.clone(),
                text: rec[fi].trim().to_string(),
            });
        }
    }
    block.flush(&mut data);
    *counts.entry(Reason::Accepted).or_default() = data.len();

    let unknown_values = unknown
        .into_iter()
        .map(|((index, value), (count, first_line))| UnknownValue {
            id: mapped
                .iter()
                .find(|m| m.index == index)
                .map_or_else(String::new, |m| m.id.clone()),
            column: describe_column(export, index),
            value,
            count,
            first_line,
        })
        .collect();

    Ok(WaveImport {
        wave: wave.id.clone(),
        file: export.file.clone(),
        encoding: format!("{} ({})", export.decoded.encoding, export.decoded.how),
        delimiter: export.delimiter,
        layout: export.layout,
        rows_in,
        counts,
        rows,
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
mod properties {
    use super::*;
    use crate::config::{DelimiterChoice, EncodingChoice, Filters, LayoutChoice};
    use proptest::prelude::*;

    const BODY: &str = r#"
[[questions]]
id = "Q1"
text = "Q1"
type = "likert"
scale = "agree5"
[[questions]]
id = "Q2"
text = "Q2"
type = "likert"
scale = "agree5"
[[demographics]]
id = "dir"
label = "Directorate"
categories = ["A", "B"]
"#;

    /// What a generated row should end as.
    #[derive(Debug, Clone, Copy)]
    enum Kind {
        Valid,
        Ragged,
        Preview,
        Unfinished,
        MissingId,
        Duplicate,
        UnknownAnswer,
        UnknownCategory,
    }

    fn kind() -> impl Strategy<Value = Kind> {
        prop_oneof![
            6 => Just(Kind::Valid),
            1 => Just(Kind::Ragged),
            1 => Just(Kind::Preview),
            1 => Just(Kind::Unfinished),
            1 => Just(Kind::MissingId),
            1 => Just(Kind::Duplicate),
            1 => Just(Kind::UnknownAnswer),
            1 => Just(Kind::UnknownCategory),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Every input row ends as accepted or with exactly the reason its defect calls for.
        #[test]
        fn every_row_is_accounted_for(kinds in proptest::collection::vec(kind(), 1..80), quote in any::<bool>()) {
            let schema = crate::schema::testing::schema(BODY);
            let mut text = String::from("id,status,finished,dir,q1,q2\n");
            let mut expected: BTreeMap<Reason, usize> = BTreeMap::new();
            let mut valid_ids: Vec<String> = Vec::new();
            for (i, k) in kinds.iter().enumerate() {
                let id = format!("R{i}");
                let q1 = if quote { "\"Agree\"" } else { "Agree" };
                let (line, reason) = match k {
                    Kind::Valid => (format!("{id},ok,1,A,{q1},Disagree"), Reason::Accepted),
                    Kind::Ragged => (format!("{id},ok,1,A,Agree"), Reason::RaggedRow),
                    Kind::Preview => (format!("{id},preview,1,A,Agree,Agree"), Reason::PreviewOrTest),
                    Kind::Unfinished => (format!("{id},ok,0,A,Agree,"), Reason::Incomplete),
                    Kind::MissingId => (",ok,1,B,Agree,Agree".to_string(), Reason::MissingResponseId),
                    Kind::Duplicate => match valid_ids.first() {
                        Some(first) => (format!("{first},ok,1,B,Agree,Agree"), Reason::DuplicateResponseId),
                        None => (format!("{id},ok,1,A,Agree,Agree"), Reason::Accepted),
                    },
                    Kind::UnknownAnswer => (format!("{id},ok,1,A,Agree strongly,Agree"), Reason::UnknownAnswer),
                    Kind::UnknownCategory => (format!("{id},ok,1,Z,Agree,Agree"), Reason::UnknownCategory),
                };
                if matches!(reason, Reason::Accepted | Reason::UnknownAnswer | Reason::UnknownCategory) {
                    // These ids are registered as seen, so later duplicates of them are caught.
                    valid_ids.push(id);
                }
                text.push_str(&line);
                text.push('\n');
                *expected.entry(reason).or_default() += 1;
            }
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join("x.csv");
            std::fs::write(&file, &text).unwrap();
            let wave = Wave {
                fieldwork: None,
                id: "w".into(),
                file,
                layout: LayoutChoice::Plain,
                encoding: EncodingChoice::Auto,
                delimiter: DelimiterChoice::Auto,
                headcount: None,
                comment_codes: None,
                response_id: "id".into(),
                filters: Filters {
                    test_column: Some("status".into()),
                    test_values: vec!["preview".into()],
                    finished_column: Some("finished".into()),
                    finished_values: vec!["1".into()],
                    min_answered: None,
                },
                columns: vec![("dir".into(), "dir".into()), ("Q1".into(), "q1".into()), ("Q2".into(), "q2".into())],
                keep: Vec::new(),
            };
            let got = import_wave(&schema, &wave).unwrap();
            prop_assert_eq!(got.rows_in, kinds.len());
            prop_assert_eq!(got.counts.values().sum::<usize>(), got.rows_in);
            prop_assert_eq!(got.accepted(), expected.get(&Reason::Accepted).copied().unwrap_or(0));
            expected.entry(Reason::Accepted).or_insert(0);
            prop_assert_eq!(&got.counts, &expected);
            prop_assert_eq!(got.rows.len(), got.rows_in - got.accepted(), "one row-level entry per set-aside row");
        }
    }

    /// A wave over `file` with the plain mini mapping (no filters).
    fn plain_wave(file: std::path::PathBuf) -> Wave {
        Wave {
            fieldwork: None,
            id: "w".into(),
            file,
            layout: LayoutChoice::Auto,
            encoding: EncodingChoice::Auto,
            delimiter: DelimiterChoice::Auto,
            headcount: None,
            comment_codes: None,
            response_id: "id".into(),
            filters: Filters::default(),
            columns: vec![
                ("dir".into(), "dir".into()),
                ("Q1".into(), "q1".into()),
                ("Q2".into(), "q2".into()),
            ],
            keep: Vec::new(),
        }
    }

    /// Import `bytes` as an export: an error is fine, a panic or a lost row is not.
    fn import_bytes(bytes: &[u8]) -> Result<WaveImport, ImportError> {
        let schema = crate::schema::testing::schema(BODY);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("x.csv");
        std::fs::write(&file, bytes).unwrap();
        import_wave(&schema, &plain_wave(file))
    }

    /// One damage done to a valid export: bytes inserted, deleted or replaced, with the
    /// characters that break CSVs most (quotes, delimiters, line ends, NUL, a Windows-1252
    /// byte, a UTF-8 character, a BOM).
    fn damage() -> impl Strategy<Value = (usize, u8, Vec<u8>)> {
        let nasty = prop_oneof![
            Just(b"\"".to_vec()),
            Just(b",".to_vec()),
            Just(b";".to_vec()),
            Just(b"\n".to_vec()),
            Just(b"\r".to_vec()),
            Just(b"\r\n".to_vec()),
            Just(vec![0u8]),
            Just(vec![0x92u8]),
            Just("é".as_bytes().to_vec()),
            Just(vec![0xEF, 0xBB, 0xBF]),
            Just(b"=HYPERLINK(\"x\")".to_vec()),
            proptest::collection::vec(any::<u8>(), 1..6),
        ];
        (any::<usize>(), 0u8..3, nasty)
    }

    proptest! {
        // Bounded: a few seconds in CI (the corpus below keeps what earlier runs found).
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// The importer's fuzz target: damaged exports never panic, and every row the file
        /// holds is accounted for (accepted, excluded or rejected with a reason).
        #[test]
        fn damaged_exports_never_panic_and_lose_no_row(
            rows in 1usize..30,
            damages in proptest::collection::vec(damage(), 1..6),
        ) {
            let mut bytes = b"id,dir,q1,q2,comment\n".to_vec();
            for i in 0..rows {
                bytes.extend_from_slice(format!("R{i},A,Agree,Disagree,\"fine, thanks\"\n").as_bytes());
            }
            for (at, op, insert) in damages {
                let at = at % (bytes.len() + 1);
                match op {
                    0 => {
                        bytes.splice(at..at, insert);
                    }
                    1 => {
                        let end = (at + insert.len()).min(bytes.len());
                        bytes.drain(at..end);
                    }
                    _ => {
                        let end = (at + insert.len()).min(bytes.len());
                        bytes.splice(at..end, insert);
                    }
                }
            }
            if let Ok(got) = import_bytes(&bytes) {
                prop_assert_eq!(got.counts.values().sum::<usize>(), got.rows_in);
                prop_assert_eq!(got.rows.len(), got.rows_in - got.accepted());
            }
        }
    }

    /// The committed corpus (`tests/fuzz-corpus/`): inputs that broke earlier versions or
    /// that the fuzz target should always meet.
    #[test]
    fn fuzz_corpus_never_panics_and_loses_no_row() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-corpus");
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            if let Ok(got) = import_bytes(&bytes) {
                assert_eq!(
                    got.counts.values().sum::<usize>(),
                    got.rows_in,
                    "{}",
                    path.display()
                );
            }
            seen += 1;
        }
        assert!(seen >= 8, "the corpus is there: {seen} files");
    }
}
