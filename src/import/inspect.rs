//! `inspect`: what a new user runs on an unfamiliar export. Describes the file (layout,
//! encoding, delimiter, header rows, columns with sample values) and prints a starter mapping
//! to paste into the pipeline config. With a schema, it matches columns to question ids by
//! wording; every suggestion is for a person to check, nothing is imported.

use super::ImportError;
use super::export::Export;
use super::layout::{column_letter, delimiter_name, is_personal_data};
use crate::config::{DelimiterChoice, EncodingChoice, LayoutChoice};
use crate::schema::{Schema, normalise_label};
use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::Path;

const SAMPLES: usize = 4;
const DISTINCT_CAP: usize = 50;

struct ColumnStats {
    filled: usize,
    distinct: HashSet<String>,
    samples: Vec<String>,
}

fn looks_like_mojibake(s: &str) -> bool {
    s.contains("â€") || s.contains("Ã©") || s.contains("Ã¨") || s.contains("Â£")
}

fn toml_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text from an export put in a TOML comment: one line, every control character (newlines
/// included) written as a visible `\u{..}` escape, so a crafted header cannot end the comment
/// and add settings of its own, nor make the config unreadable.
pub fn toml_comment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if ch.is_control() || matches!(ch, '\u{2028}' | '\u{2029}' | '\u{85}') {
            let _ = write!(out, "\\u{{{:04X}}}", ch as u32);
        } else {
            out.push(ch);
        }
    }
    out
}

/// For matrix rows ("Question - Sub-item") the sub-item is what tells columns apart.
fn short_text(s: &str) -> String {
    match s.rsplit_once(" - ") {
        Some((_, item)) if !item.trim().is_empty() => format!("… - {}", item.trim()),
        _ => s.to_string(),
    }
}

/// Status values that vendors use for previews, tests and spam.
const TEST_VALUES: &[&str] = &["Survey Preview", "Survey Test", "Spam", "1", "2", "8"];

fn truncate(s: &str, n: usize) -> String {
    let one_line = toml_comment(&s.replace(['\n', '\r'], " "));
    if one_line.chars().count() <= n {
        one_line
    } else {
        one_line.chars().take(n - 1).collect::<String>() + "…"
    }
}

/// Guess the schema id a column holds, by wording. Returns (id, how).
fn match_schema(schema: &Schema, key: &str, text: &str) -> Option<(String, Matched)> {
    let nk = normalise_label(key);
    let nt = normalise_label(text);
    for q in &schema.questions {
        if nk == normalise_label(&q.id) {
            return Some((q.id.clone(), Matched::ByName));
        }
    }
    for d in &schema.demographics {
        if nk == normalise_label(&d.id) {
            return Some((d.id.clone(), Matched::ByName));
        }
    }
    for q in &schema.questions {
        let w = normalise_label(&q.text);
        if nt == w || nt.ends_with(&format!(" - {w}")) || nk.ends_with(&format!(" - {w}")) {
            return Some((q.id.clone(), Matched::ByWording));
        }
    }
    for d in &schema.demographics {
        let candidates = [Some(&d.label), d.text.as_ref()];
        if candidates
            .into_iter()
            .flatten()
            .any(|c| normalise_label(c) == nt || normalise_label(c) == nk)
        {
            return Some((d.id.clone(), Matched::ByWording));
        }
    }
    None
}

/// Columns where vendors record when a response was given.
const DATE_KEYS: &[&str] = &[
    "startdate",
    "start date",
    "enddate",
    "end date",
    "recordeddate",
    "recorded date",
    "start time",
    "completion time",
];

/// Date formats seen in exports: ISO (Qualtrics), US (SurveyMonkey, Microsoft Forms), UK.
const DATE_FORMATS: &[&str] = &[
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
];

/// The first and last response dates in a date column, per format, so the format that reads
/// every value can be chosen at the end.
#[derive(Default)]
struct DateSpan {
    /// Per format: values that failed, and the earliest and latest date read.
    per_format: Vec<(usize, Option<(chrono::NaiveDate, chrono::NaiveDate)>)>,
}

impl DateSpan {
    fn add(&mut self, v: &str) {
        if self.per_format.is_empty() {
            self.per_format = vec![(0, None); DATE_FORMATS.len()];
        }
        for (f, (failed, span)) in DATE_FORMATS.iter().zip(self.per_format.iter_mut()) {
            let d = chrono::NaiveDateTime::parse_from_str(v, f)
                .map(|dt| dt.date())
                .or_else(|_| chrono::NaiveDate::parse_from_str(v, f));
            match d {
                Ok(d) => {
                    *span = Some(span.map_or((d, d), |(a, b)| (a.min(d), b.max(d))));
                }
                Err(_) => *failed += 1,
            }
        }
    }

    /// The span read by the first format that reads every value.
    fn span(&self) -> Option<(chrono::NaiveDate, chrono::NaiveDate)> {
        self.per_format
            .iter()
            .find(|(failed, span)| *failed == 0 && span.is_some())
            .and_then(|(_, span)| *span)
    }
}

const ID_KEYS: &[&str] = &[
    "responseid",
    "response id",
    "respondent id",
    "id",
    "respondentid",
];
const STATUS_KEYS: &[&str] = &["status", "response type", "collector id"];
const FINISHED_KEYS: &[&str] = &["finished"];

/// Describe an export file and propose a mapping.
pub fn inspect(
    file: &Path,
    encoding: EncodingChoice,
    delimiter: DelimiterChoice,
    layout: LayoutChoice,
    schema: Option<&Schema>,
) -> Result<String, ImportError> {
    inspect_with_proposal(file, encoding, delimiter, layout, schema).map(|(text, _)| text)
}

fn file_name(file: &Path) -> String {
    file.file_name()
        .map_or_else(String::new, |f| f.to_string_lossy().into_owned())
}

/// Read an export and propose its `[[waves]]` block (what `init`, `add-wave` and
/// `inspect --write` write).
pub fn propose_wave(file: &Path, schema: &Schema) -> Result<WaveProposal, ImportError> {
    inspect_with_proposal(
        file,
        EncodingChoice::Auto,
        DelimiterChoice::Auto,
        LayoutChoice::Auto,
        Some(schema),
    )
    .map(|(_, p)| p)
}

/// The description `inspect` prints, and the proposed wave.
pub fn inspect_with_proposal(
    file: &Path,
    encoding: EncodingChoice,
    delimiter: DelimiterChoice,
    layout: LayoutChoice,
    schema: Option<&Schema>,
) -> Result<(String, WaveProposal), ImportError> {
    let export = Export::open(file, encoding, delimiter, layout)?;
    let n_cols = export.columns.len();
    let mut stats: Vec<ColumnStats> = (0..n_cols)
        .map(|_| ColumnStats {
            filled: 0,
            distinct: HashSet::new(),
            samples: Vec::new(),
        })
        .collect();
    let date_cols: Vec<usize> = export
        .columns
        .iter()
        .filter(|c| DATE_KEYS.contains(&normalise_label(&c.key).as_str()))
        .map(|c| c.index)
        .collect();
    let mut dates = DateSpan::default();
    // How many rows each status / collector value has (a test link has few).
    let status_col = find_column(&export, STATUS_KEYS).map(|c| c.index);
    let mut status_counts: std::collections::BTreeMap<String, usize> = Default::default();
    let mut rows = 0usize;
    let mut ragged = Vec::new();
    let mut mojibake = 0usize;
    let mut rdr = export.data_reader()?;
    let mut lines = super::export::LineCounter::new(&export.decoded.text);
    let mut rec = csv::StringRecord::new();
    while rdr.read_record(&mut rec).map_err(|e| ImportError::Csv {
        file: file.to_path_buf(),
        line: e.position().map_or(0, |p| p.line()),
        message: e.to_string(),
    })? {
        rows += 1;
        let line = lines.line_of(&rec);
        if rec.len() != n_cols && ragged.len() < 5 {
            ragged.push((line, rec.len()));
        }
        for (i, v) in rec.iter().enumerate().take(n_cols) {
            let v = v.trim();
            if v.is_empty() {
                continue;
            }
            if date_cols.contains(&i) {
                dates.add(v);
            }
            if Some(i) == status_col && status_counts.len() < DISTINCT_CAP {
                *status_counts.entry(v.to_string()).or_default() += 1;
            } else if Some(i) == status_col
                && let Some(n) = status_counts.get_mut(v)
            {
                *n += 1;
            }
            let st = &mut stats[i];
            st.filled += 1;
            if looks_like_mojibake(v) {
                mojibake += 1;
            }
            if st.distinct.len() < DISTINCT_CAP
                && st.distinct.insert(v.to_string())
                && st.samples.len() < SAMPLES
            {
                st.samples.push(v.to_string());
            }
        }
    }

    let mut s = String::new();
    let _ = writeln!(s, "File:       {}", file.display());
    let _ = writeln!(
        s,
        "Encoding:   {} ({}{})",
        export.decoded.encoding,
        export.decoded.how,
        if export.decoded.had_bom {
            ", BOM stripped"
        } else {
            ""
        }
    );
    let _ = writeln!(s, "Delimiter:  {}", delimiter_name(export.delimiter));
    let _ = writeln!(s, "Layout:     {}", export.layout);
    let _ = writeln!(
        s,
        "Rows:       {rows} data rows after {} header row(s), first on line {}",
        export.layout.header_rows(),
        export.first_data_line
    );
    let _ = writeln!(s, "Columns:    {n_cols}");
    if !ragged.is_empty() {
        let _ = writeln!(
            s,
            "Warning:    rows with a different number of fields from the header ({n_cols}): {}",
            ragged
                .iter()
                .map(|(l, n)| format!("line {l} has {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if mojibake > 0 {
        let _ = writeln!(
            s,
            "Warning:    {mojibake} value(s) look like mojibake (e.g. `â€™`): the file may have been \
             decoded with the wrong encoding somewhere along the way; try encoding = \"utf-8\" or \"windows-1252\""
        );
    }
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "  col  key / question                                             filled  distinct  sample values"
    );
    for (c, st) in export.columns.iter().zip(&stats) {
        let label = if c.text != c.key && !c.text.is_empty() {
            format!("{}  \"{}\"", c.key, short_text(&c.text))
        } else {
            c.key.clone()
        };
        let distinct = if st.distinct.len() >= DISTINCT_CAP {
            format!("{DISTINCT_CAP}+")
        } else {
            st.distinct.len().to_string()
        };
        let samples = if is_personal_data(c) {
            "PERSONAL DATA: never imported".to_string()
        } else {
            st.samples
                .iter()
                .map(|v| truncate(v, 24))
                .collect::<Vec<_>>()
                .join(" | ")
        };
        let _ = writeln!(
            s,
            "  {:<4} {:<58} {:>6}  {:>8}  {}",
            column_letter(c.index),
            truncate(&label, 58),
            st.filled,
            distinct,
            samples
        );
    }

    let proposal = propose(&export, &stats, &dates, &status_counts, rows, schema);
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "# Starter mapping: paste into your pipeline config and check every line."
    );
    s.push_str(&proposal.render(&file_name(file), None, None));
    Ok((s, proposal))
}

fn find_column<'a>(export: &'a Export, names: &[&str]) -> Option<&'a super::layout::Column> {
    export
        .columns
        .iter()
        .find(|c| names.contains(&normalise_label(&c.key).as_str()))
}

/// How a column was matched to a schema id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matched {
    /// The column's name is the id itself.
    ByName,
    /// The column's wording is the question's (or the demographic's).
    ByWording,
}

/// One column of the export in the proposed mapping.
#[derive(Debug, Clone)]
pub struct ProposedColumn {
    /// The schema id it holds, when one matched.
    pub id: Option<(String, Matched)>,
    pub key: String,
    pub text: String,
}

/// The proposed filter for previews, tests and spam.
#[derive(Debug, Clone)]
pub struct TestFilter {
    pub column: String,
    pub values: Vec<String>,
    /// Every value seen, with its number of rows.
    pub seen: Vec<(String, usize)>,
    /// Values chosen only because few rows have them (a collector used as a test link).
    pub guessed_from_counts: bool,
}

/// A `[[waves]]` block proposed for an export: every value read from the file, every guess
/// marked for a person to check.
#[derive(Debug, Clone)]
pub struct WaveProposal {
    pub rows: usize,
    /// First and last response dates.
    pub span: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
    pub layout: &'static str,
    pub encoding: String,
    pub delimiter: u8,
    pub response_id: Option<String>,
    pub test: Option<TestFilter>,
    /// The finished flag's column, the values meaning finished, and every value seen.
    pub finished: Option<(String, Vec<String>, Vec<String>)>,
    /// With no finished flag: a minimum number of answered scored questions.
    pub min_answered: Option<usize>,
    pub columns: Vec<ProposedColumn>,
    /// Personal-data columns, never imported.
    pub personal: Vec<String>,
    /// Schema questions and demographics no column matched.
    pub unmatched_ids: Vec<String>,
}

impl WaveProposal {
    /// The wave's id: the survey year of its last response.
    pub fn year(&self) -> Option<String> {
        self.span
            .map(|(_, last)| chrono::Datelike::year(&last).to_string())
    }

    /// Questions and demographics matched to a column.
    pub fn matched(&self) -> usize {
        self.columns.iter().filter(|c| c.id.is_some()).count()
    }

    /// The `[[waves]]` block as TOML with comments: `file` as given (a path relative to the
    /// config), an optional headcount file and a wave id chosen by the user.
    pub fn render(&self, file: &str, headcount: Option<&str>, id: Option<&str>) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "[[waves]]");
        match (id, self.year()) {
            (Some(id), _) => {
                let _ = writeln!(s, "id = {}", toml_str(id));
            }
            (None, Some(y)) => {
                let _ = writeln!(
                    s,
                    "id = \"{y}\"  # the survey year (from the response dates)"
                );
            }
            (None, None) => {
                let _ = writeln!(s, "id = \"YYYY\"  # CHECK: the survey year, e.g. \"2025\"");
            }
        }
        match self.span {
            Some((first, last)) => {
                let _ = writeln!(
                    s,
                    "fieldwork_start = \"{first}\"  # CHECK: the first response; the survey may have opened earlier"
                );
                let _ = writeln!(
                    s,
                    "fieldwork_end = \"{last}\"    # CHECK: the last response; the survey may have closed later"
                );
            }
            None => {
                let _ = writeln!(
                    s,
                    "fieldwork_start = \"YYYY-MM-DD\"  # CHECK: the day the survey opened"
                );
                let _ = writeln!(
                    s,
                    "fieldwork_end = \"YYYY-MM-DD\"    # CHECK: the day it closed"
                );
            }
        }
        let _ = writeln!(s, "file = {}", toml_str(file));
        let _ = writeln!(s, "layout = \"{}\"", self.layout);
        let _ = writeln!(s, "encoding = \"{}\"", self.encoding);
        let _ = writeln!(
            s,
            "delimiter = {}",
            if self.delimiter == b'\t' {
                "\"tab\"".to_string()
            } else {
                toml_str(&(self.delimiter as char).to_string())
            }
        );
        match headcount {
            Some(h) => {
                let _ = writeln!(
                    s,
                    "headcount = {}  # staff in post by group (HR)",
                    toml_str(h)
                );
            }
            None => {
                let _ = writeln!(
                    s,
                    "# headcount = \"hr-headcount-YYYY.csv\"  # staff in post by group: response rates and finite population correction"
                );
            }
        }
        match &self.response_id {
            Some(c) => {
                let _ = writeln!(s, "response_id = {}", toml_str(c));
            }
            None => {
                let _ = writeln!(
                    s,
                    "response_id = \"\"  # CHECK: name the column with a unique id per response"
                );
            }
        }
        let _ = writeln!(s);
        let _ = writeln!(s, "[waves.filters]");
        if let Some(t) = &self.test {
            let seen = t
                .seen
                .iter()
                .map(|(v, n)| format!("{} ({n})", toml_str(v)))
                .collect::<Vec<_>>()
                .join(", ");
            let _ = writeln!(s, "test_column = {}", toml_str(&t.column));
            let values = t.values.iter().map(|v| toml_str(v)).collect::<Vec<_>>();
            let why = if t.guessed_from_counts {
                "CHECK: few responses came through this value: a test link? Remove it if it was a real channel"
            } else {
                "CHECK: the values that mean a preview or test"
            };
            let _ = writeln!(
                s,
                "test_values = [{}]  # {why}; seen (rows): {seen}",
                values.join(", ")
            );
        }
        if let Some((column, values, seen)) = &self.finished {
            let _ = writeln!(s, "finished_column = {}", toml_str(column));
            let _ = writeln!(
                s,
                "finished_values = [{}]  # CHECK: the values that mean finished; seen: {}",
                values
                    .iter()
                    .map(|v| toml_str(v))
                    .collect::<Vec<_>>()
                    .join(", "),
                seen.iter()
                    .map(|v| toml_str(v))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        match self.min_answered {
            Some(n) => {
                let _ = writeln!(
                    s,
                    "min_answered = {n}  # CHECK: no finished flag in this export, so a response answering fewer than half the scored questions counts as incomplete"
                );
            }
            None => {
                let _ = writeln!(
                    s,
                    "# min_answered = 5  # fewer answered questions = incomplete"
                );
            }
        }
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "[waves.columns]  # question or demographic id = the export's column"
        );
        for c in &self.columns {
            let text = truncate(&short_text(&c.text), 70);
            match &c.id {
                Some((id, Matched::ByName)) => {
                    let _ = writeln!(s, "{id} = {}  # {text}", toml_str(&c.key));
                }
                Some((id, Matched::ByWording))
                    if normalise_label(&c.key) == normalise_label(&c.text) =>
                {
                    let _ = writeln!(
                        s,
                        "{id} = {}  # CHECK: matched by wording",
                        toml_str(&c.key)
                    );
                }
                Some((id, Matched::ByWording)) => {
                    let _ = writeln!(
                        s,
                        "{id} = {}  # CHECK (matched by wording): {text}",
                        toml_str(&c.key)
                    );
                }
                None => {}
            }
        }
        let unmatched: Vec<&ProposedColumn> =
            self.columns.iter().filter(|c| c.id.is_none()).collect();
        if !unmatched.is_empty() {
            let _ = writeln!(
                s,
                "# Columns not matched to a question or demographic (not imported). If one is, \
                 put its id in front, e.g. S05 = \"Q1_5\":"
            );
            for c in unmatched {
                let _ = writeln!(
                    s,
                    "# ID = {}  # {}",
                    toml_str(&c.key),
                    truncate(&short_text(&c.text), 70)
                );
            }
        }
        if !self.personal.is_empty() {
            let _ = writeln!(
                s,
                "# Personal data, never imported: {}",
                toml_comment(&self.personal.join(", "))
            );
        }
        if !self.unmatched_ids.is_empty() {
            let _ = writeln!(
                s,
                "# Schema ids with no column in this export (map by hand if the export has them): {}",
                self.unmatched_ids.join(", ")
            );
        }
        s
    }
}

/// Propose the `[[waves]]` block from what was read.
fn propose(
    export: &Export,
    stats: &[ColumnStats],
    dates: &DateSpan,
    status_counts: &std::collections::BTreeMap<String, usize>,
    rows: usize,
    schema: Option<&Schema>,
) -> WaveProposal {
    let sorted = |i: usize| {
        let mut vals: Vec<String> = stats[i].distinct.iter().cloned().collect();
        vals.sort();
        vals
    };
    let test = find_column(export, STATUS_KEYS).map(|c| {
        let seen: Vec<(String, usize)> =
            status_counts.iter().map(|(v, n)| (v.clone(), *n)).collect();
        let mut values: Vec<String> = seen
            .iter()
            .filter(|(v, _)| TEST_VALUES.contains(&v.as_str()))
            .map(|(v, _)| v.clone())
            .collect();
        // A collector (SurveyMonkey's test link) with under 1% of the rows, beside a big one.
        let guessed = values.is_empty() && seen.len() >= 2;
        if guessed {
            values = seen
                .iter()
                .filter(|(_, n)| *n * 100 < rows && *n <= 20)
                .map(|(v, _)| v.clone())
                .collect();
        }
        TestFilter {
            column: c.key.clone(),
            guessed_from_counts: guessed && !values.is_empty(),
            values,
            seen,
        }
    });
    let finished = find_column(export, FINISHED_KEYS).map(|c| {
        let seen = sorted(c.index);
        let values = seen
            .iter()
            .filter(|v| matches!(v.as_str(), "1" | "True" | "TRUE" | "true"))
            .cloned()
            .collect();
        (c.key.clone(), values, seen)
    });
    let mut used = HashSet::new();
    let mut columns = Vec::new();
    let mut personal = Vec::new();
    for c in &export.columns {
        if c.key.is_empty() {
            continue;
        }
        if is_personal_data(c) {
            personal.push(c.key.clone());
            continue;
        }
        let id = schema
            .and_then(|sc| match_schema(sc, &c.key, &c.text))
            .filter(|(id, _)| used.insert(id.clone()));
        columns.push(ProposedColumn {
            id,
            key: c.key.clone(),
            text: c.text.clone(),
        });
    }
    let unmatched_ids = schema.map_or_else(Vec::new, |sc| {
        sc.questions
            .iter()
            .map(|q| q.id.clone())
            .chain(sc.demographics.iter().map(|d| d.id.clone()))
            .filter(|id| !used.contains(id))
            .collect()
    });
    let scored = schema.map_or(0, |sc| {
        sc.questions
            .iter()
            .filter(|q| q.kind != crate::schema::QuestionType::FreeText && used.contains(&q.id))
            .count()
    });
    WaveProposal {
        rows,
        span: dates.span(),
        layout: export.layout.config_name(),
        encoding: export.decoded.encoding.to_string(),
        delimiter: export.delimiter,
        response_id: find_column(export, ID_KEYS).map(|c| c.key.clone()),
        min_answered: (finished.is_none() && scored >= 2).then(|| scored.div_ceil(2)),
        test,
        finished,
        columns,
        personal,
        unmatched_ids,
    }
}
