//! `[[waves]]`: each survey wave's export, how to read it (layout, encoding, delimiter,
//! filters), its column mapping and its place in time; checked, and put in time order.

use super::{files, timeline};
use crate::ids::WaveId;
use crate::schema::toml_load::{Collector, entry_lines};
use crate::schema::{QuestionType, Schema};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Export layouts the importer knows (see `docs` in `schemas/README.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum LayoutChoice {
    #[default]
    Auto,
    /// Qualtrics: 3 header rows (export tags, question text, ImportId JSON).
    Qualtrics,
    /// Legacy Qualtrics: 2 header rows (`V1..V10, Q1..`, then labels).
    QualtricsLegacy,
    /// SurveyMonkey: 2 header rows (question text per block, then sub-labels).
    Surveymonkey,
    /// One header row.
    Plain,
    /// An SPSS data file: variable names, then variable labels.
    Spss,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
pub enum EncodingChoice {
    #[default]
    #[serde(rename = "auto")]
    Auto,
    #[serde(rename = "utf-8")]
    Utf8,
    #[serde(rename = "utf-16le")]
    Utf16Le,
    #[serde(rename = "utf-16be")]
    Utf16Be,
    #[serde(rename = "windows-1252")]
    Windows1252,
}

impl std::str::FromStr for EncodingChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        EncodingChoice::deserialize(toml::Value::String(s.to_ascii_lowercase())).map_err(|_| {
            format!("unknown encoding `{s}`; use auto, utf-8, utf-16le, utf-16be or windows-1252")
        })
    }
}

/// A delimiter as written in config: `"auto"`, `","`, `";"`, `"tab"` (or `"\t"`), `"|"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DelimiterChoice {
    #[default]
    Auto,
    Byte(u8),
}

impl std::str::FromStr for DelimiterChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "auto" => Ok(Self::Auto),
            "," => Ok(Self::Byte(b',')),
            ";" => Ok(Self::Byte(b';')),
            "tab" | "\t" | "\\t" => Ok(Self::Byte(b'\t')),
            "|" => Ok(Self::Byte(b'|')),
            other => Err(format!(
                "unknown delimiter `{other}`; use auto, \",\", \";\", \"tab\" or \"|\""
            )),
        }
    }
}

impl<'de> Deserialize<'de> for DelimiterChoice {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Rules that set aside rows which are not real, complete responses.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Filters {
    /// Column that marks previews and test responses (Qualtrics `Status`).
    pub test_column: Option<String>,
    /// Values of `test_column` that mean "preview or test" (e.g. `Survey Preview`, `1`).
    #[serde(default)]
    pub test_values: Vec<String>,
    /// Column that marks finished responses (Qualtrics `Finished`).
    pub finished_column: Option<String>,
    /// Values of `finished_column` that mean finished (e.g. `True`, `1`).
    #[serde(default)]
    pub finished_values: Vec<String>,
    /// A response must answer at least this many of the wave's mapped, scored questions.
    #[serde(default)]
    pub min_answered: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWave {
    pub(super) id: String,
    #[serde(default)]
    pub(super) fieldwork_start: Option<toml::Value>,
    #[serde(default)]
    pub(super) fieldwork_end: Option<toml::Value>,
    pub(super) file: PathBuf,
    #[serde(default)]
    pub(super) layout: LayoutChoice,
    #[serde(default)]
    pub(super) encoding: EncodingChoice,
    #[serde(default)]
    pub(super) delimiter: DelimiterChoice,
    /// For a workbook: the sheet to read.
    #[serde(default)]
    pub(super) sheet: Option<String>,
    #[serde(default)]
    pub(super) headcount: Option<PathBuf>,
    #[serde(default)]
    pub(super) comment_codes: Option<PathBuf>,
    pub(super) response_id: String,
    #[serde(default)]
    pub(super) filters: Filters,
    pub(super) columns: BTreeMap<String, String>,
}

/// One survey wave (one October export) and how to read it. Meeting-feedback sources are read
/// the same way.
#[derive(Debug, Clone)]
pub struct Wave {
    pub id: String,
    /// When the survey was open: always set for survey waves (checked when the config is
    /// loaded), `None` for meeting-feedback sources.
    pub fieldwork: Option<timeline::Fieldwork>,
    pub file: PathBuf,
    pub layout: LayoutChoice,
    pub encoding: EncodingChoice,
    pub delimiter: DelimiterChoice,
    /// For a workbook (`.xlsx`, `.xls`, `.ods`): the sheet to read (default: the only, else
    /// the first, sheet with data).
    pub sheet: Option<String>,
    pub headcount: Option<PathBuf>,
    /// Coded comments: response id → comment theme(s), as the vendor or analyst delivers them.
    pub comment_codes: Option<PathBuf>,
    /// Export column holding the vendor's response id.
    pub response_id: String,
    pub filters: Filters,
    /// Schema id (question or demographic) → export column key, in schema order.
    pub columns: Vec<(String, String)>,
    /// Extra columns whose raw text is kept for accepted rows (name, export column key), e.g.
    /// a meeting reference and date on a feedback form.
    pub keep: Vec<(String, String)>,
}

/// Check the survey waves, with their places in time, and put them in time order.
pub(super) fn survey_waves(
    raw: Vec<(usize, RawWave)>,
    text: &str,
    schema: &Schema,
    schema_path: &Path,
    base: &Path,
    store: &Path,
    c: &mut Collector,
) -> Vec<Wave> {
    let lines = entry_lines(text, "waves");
    if raw.is_empty() {
        c.push(
            "waves",
            "no survey waves: add a [[waves]] entry for each survey export (schemas/README.md, \"Pipeline config\")",
        );
    }
    let mut entries = Vec::with_capacity(raw.len());
    let mut waves = Vec::with_capacity(raw.len());
    for (i, w) in raw {
        let line = lines.get(i).copied();
        let loc = match line {
            Some(l) => format!("waves ({}, line {l})", w.id),
            None => format!("waves ({})", w.id),
        };
        let fieldwork = fieldwork_of(&w, &loc, c);
        if let Some(p) = timeline::id_problem(&w.id, fieldwork) {
            c.push(&loc, p);
        }
        entries.push(timeline::Entry {
            location: loc.clone(),
            id: WaveId::new(w.id.as_str()),
            line,
            fieldwork,
        });
        let mut wave = build_wave(w, &loc, schema, schema_path, base, Some(store), c);
        wave.fieldwork = fieldwork;
        waves.push(wave);
    }
    timeline::check(&entries, c);
    // Stable: waves whose dates are missing (already an error) keep their place.
    waves.sort_by_key(|w| w.fieldwork.map(|f| (f.start, f.end)));
    waves
}

/// A wave's fieldwork dates, each problem reported.
pub(super) fn fieldwork_of(
    w: &RawWave,
    loc: &str,
    c: &mut Collector,
) -> Option<timeline::Fieldwork> {
    let (start, end) = match (&w.fieldwork_start, &w.fieldwork_end) {
        (None, None) => {
            c.push(
                loc,
                "missing fieldwork dates: add the days the survey was open, e.g. \
                 fieldwork_start = \"2025-10-01\" and fieldwork_end = \"2025-10-31\"",
            );
            return None;
        }
        (start, end) => (start, end),
    };
    let mut date = |key: &str, v: &Option<toml::Value>| match v {
        None => {
            c.push(
                format!("{loc}.{key}"),
                "missing: give both fieldwork_start and fieldwork_end (YYYY-MM-DD)",
            );
            None
        }
        Some(v) => timeline::date_value(v)
            .map_err(|e| c.push(format!("{loc}.{key}"), e))
            .ok(),
    };
    let (start, end) = (date("fieldwork_start", start), date("fieldwork_end", end));
    let (start, end) = (start?, end?);
    if end < start {
        c.push(
            loc,
            format!("fieldwork_end {end} is before fieldwork_start {start}"),
        );
        return None;
    }
    let today = timeline::today();
    for (key, day) in [("fieldwork_start", start), ("fieldwork_end", end)] {
        if day > today {
            c.push(
                format!("{loc}.{key}"),
                format!(
                    "{day} is after today ({today}): a wave is published once its fieldwork has \
                     closed; check the year"
                ),
            );
        }
    }
    Some(timeline::Fieldwork { start, end })
}

/// Check one wave (or meeting-feedback source) and resolve its paths and mapping. A survey
/// wave's export may be missing when the store holds the wave (`store`): an archived export.
pub(super) fn build_wave(
    w: RawWave,
    loc: &str,
    schema: &Schema,
    schema_path: &Path,
    base: &Path,
    store: Option<&Path>,
    c: &mut Collector,
) -> Wave {
    let file = base.join(&w.file);
    check_export(&file, &w.id, loc, store, c);
    let headcount = w.headcount.map(|h| base.join(h));
    if let Some(h) = &headcount
        && !h.is_file()
    {
        c.push(
            format!("{loc}.headcount"),
            crate::file_errors::not_found("headcount file", h),
        );
    }
    let comment_codes = w.comment_codes.map(|h| base.join(h));
    if let Some(h) = &comment_codes {
        if !h.is_file() {
            c.push(
                format!("{loc}.comment_codes"),
                crate::file_errors::not_found("coded comments file", h),
            );
        }
        if schema.comment_themes.is_empty() {
            c.push(
                format!("{loc}.comment_codes"),
                "the schema lists no [[comment_themes]] to code comments to",
            );
        }
    }
    let columns = mapped_columns(&w.columns, loc, schema, schema_path, c);
    check_filters(&w.filters, loc, c);
    Wave {
        id: w.id,
        fieldwork: None,
        file,
        layout: w.layout,
        encoding: w.encoding,
        delimiter: w.delimiter,
        sheet: w.sheet,
        headcount,
        comment_codes,
        response_id: w.response_id,
        filters: w.filters,
        columns,
        keep: Vec::new(),
    }
}

/// The export must be there, unless the store holds the wave (an archived export).
fn check_export(file: &Path, id: &str, loc: &str, store: Option<&Path>, c: &mut Collector) {
    if file.is_file() {
        return;
    }
    match store {
        Some(store) if files::record_path(store, id).is_file() => {
            // Archived: the import stage checks the store's copy matches this mapping.
        }
        Some(_) => c.push(
            format!("{loc}.file"),
            format!(
                "{} (paths are relative to the folder holding the config). If you archived this \
                 export, the store holds no copy of wave {} to use instead: put the file back.",
                crate::file_errors::not_found("export", file),
                id
            ),
        ),
        None => c.push(
            format!("{loc}.file"),
            format!(
                "{} (paths are relative to the folder holding the config)",
                crate::file_errors::not_found("export", file)
            ),
        ),
    }
}

/// The column mapping, checked (known ids, one id a column, at least one scored question)
/// and put in schema order, so tables and the store are laid out the same every year.
fn mapped_columns(
    mapping: &BTreeMap<String, String>,
    loc: &str,
    schema: &Schema,
    schema_path: &Path,
    c: &mut Collector,
) -> Vec<(String, String)> {
    let mut first_id: BTreeMap<&str, &str> = BTreeMap::new();
    for (id, key) in mapping {
        if let Some(other) = first_id.insert(key.as_str(), id.as_str()) {
            c.push(
                format!("{loc}.columns.{id}"),
                format!(
                    "column \"{key}\" is already mapped to `{other}`: one column holds one question's \
                     answers, so two ids on it would publish a copy; map `{id}` to its own column or remove it"
                ),
            );
        }
        let known = schema.question(id).is_some() || schema.demographic(id).is_some();
        if !known {
            c.push(
                format!("{loc}.columns.{id}"),
                format!(
                    "`{id}` is neither a question nor a demographic id in {}",
                    schema_path.display()
                ),
            );
        }
        if key.trim().is_empty() {
            c.push(format!("{loc}.columns.{id}"), "the export column is empty");
        }
    }
    let ordered_ids = schema
        .demographics
        .iter()
        .map(|d| &d.id)
        .chain(schema.questions.iter().map(|q| &q.id));
    let columns = ordered_ids
        .filter_map(|id| mapping.get(id).map(|key| (id.clone(), key.clone())))
        .collect();
    if !schema
        .questions
        .iter()
        .any(|q| q.kind != QuestionType::FreeText && mapping.contains_key(&q.id))
    {
        c.push(
            format!("{loc}.columns"),
            "maps no scored question; map at least one question id to an export column",
        );
    }
    columns
}

fn check_filters(filters: &Filters, loc: &str, c: &mut Collector) {
    if !filters.test_values.is_empty() && filters.test_column.is_none() {
        c.push(
            format!("{loc}.filters"),
            "test_values given without test_column",
        );
    }
    if filters.finished_values.is_empty() == filters.finished_column.is_some() {
        c.push(
            format!("{loc}.filters"),
            "finished_column and finished_values go together",
        );
    }
}
