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

mod proposal;

use proposal::propose;
pub use proposal::{DateDoubt, Matched, ProposedColumn, TestFilter, WaveProposal};

const SAMPLES: usize = 4;
pub(crate) const DISTINCT_CAP: usize = 50;

struct ColumnStats {
    filled: usize,
    distinct: HashSet<String>,
    samples: Vec<String>,
    /// The distinct values in the order first seen (as many as `distinct` holds).
    seen: Vec<String>,
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
pub(crate) const DATE_FORMATS: &[&str] = &[
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
    /// Values read, and the first of them.
    values: usize,
    example: String,
}

impl DateSpan {
    fn add(&mut self, v: &str) {
        if self.per_format.is_empty() {
            self.per_format = vec![(0, None); DATE_FORMATS.len()];
            self.example = v.to_string();
        }
        self.values += 1;
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

    /// Why the dates cannot be taken as read: every value reads both month-first and
    /// day-first with different spans, or every response falls on one day.
    fn doubt(&self) -> Option<proposal::DateDoubt> {
        let reads_all = |month_first: bool| {
            DATE_FORMATS
                .iter()
                .zip(&self.per_format)
                .filter(|(f, _)| f.starts_with(if month_first { "%m/%d" } else { "%d/%m" }))
                .find(|(_, (failed, span))| *failed == 0 && span.is_some())
                .and_then(|(_, (_, span))| *span)
        };
        if let (Some(m), Some(d)) = (reads_all(true), reads_all(false))
            && m != d
        {
            return Some(proposal::DateDoubt::DayOrMonth {
                example: self.example.clone(),
                month_first: m,
                day_first: d,
            });
        }
        match self.span() {
            Some((a, b)) if a == b && self.values > 1 => Some(proposal::DateDoubt::OneDay(a)),
            _ => None,
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
    "form id",
    "form_id",
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
    inspect_with_proposal(file, (encoding, delimiter, layout), None, schema).map(|(text, _)| text)
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
        (
            EncodingChoice::Auto,
            DelimiterChoice::Auto,
            LayoutChoice::Auto,
        ),
        None,
        Some(schema),
    )
    .map(|(_, p)| p)
}

/// The description `inspect` prints, and the proposed wave.
pub fn inspect_with_proposal(
    file: &Path,
    reading: (EncodingChoice, DelimiterChoice, LayoutChoice),
    sheet: Option<&str>,
    schema: Option<&Schema>,
) -> Result<(String, WaveProposal), ImportError> {
    let export = Export::open(file, reading, sheet)?;
    let scan = scan(file, &export)?;
    let mut s = describe(file, &export, &scan);
    s.push_str(&column_table(&export, &scan.stats));
    let proposal = propose(
        &export,
        &scan.stats,
        &scan.dates,
        &scan.status_counts,
        scan.rows,
        schema,
    );
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "# Starter mapping: paste into your pipeline config and check every line."
    );
    s.push_str(&proposal.render(&file_name(file), None, None));
    Ok((s, proposal))
}

/// What one pass over an export's rows found.
struct Scan {
    stats: Vec<ColumnStats>,
    dates: DateSpan,
    /// How many rows each status / collector value has (a test link has few).
    status_counts: std::collections::BTreeMap<String, usize>,
    rows: usize,
    /// (line, fields) of the first rows whose field count differs from the header's.
    ragged: Vec<(u64, usize)>,
    mojibake: usize,
}

/// Every row read once: each column's fill, distinct values and samples, the span of the
/// dates, the status values' counts, ragged rows and mojibake.
fn scan(file: &Path, export: &Export) -> Result<Scan, ImportError> {
    let n_cols = export.columns.len();
    let mut stats: Vec<ColumnStats> = (0..n_cols)
        .map(|_| ColumnStats {
            seen: Vec::new(),
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
    let status_col = find_column(export, STATUS_KEYS).map(|c| c.index);
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
        // Previews and tests are not fieldwork: their dates are left out of the span.
        let preview = status_col
            .and_then(|c| rec.get(c))
            .is_some_and(|v| TEST_VALUES.contains(&v.trim()));
        if rec.len() != n_cols && ragged.len() < 5 {
            ragged.push((line, rec.len()));
        }
        for (i, v) in rec.iter().enumerate().take(n_cols) {
            let v = v.trim();
            if v.is_empty() {
                continue;
            }
            if date_cols.contains(&i) && !preview {
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
            if st.distinct.len() < DISTINCT_CAP && st.distinct.insert(v.to_string()) {
                st.seen.push(v.to_string());
                if st.samples.len() < SAMPLES {
                    st.samples.push(v.to_string());
                }
            }
        }
    }

    Ok(Scan {
        stats,
        dates,
        status_counts,
        rows,
        ragged,
        mojibake,
    })
}

/// The file's reading: encoding, delimiter, layout, rows, columns, and warnings.
/// Microsoft Forms' downloads start with these columns, whatever the form asks.
pub(crate) const MICROSOFT_FORMS: [&str; 5] =
    ["ID", "Start time", "Completion time", "Email", "Name"];

/// Whether the export is a Microsoft Forms download (CSV or workbook).
fn is_microsoft_forms(export: &Export) -> bool {
    export.columns.len() > MICROSOFT_FORMS.len()
        && export
            .columns
            .iter()
            .zip(MICROSOFT_FORMS)
            .all(|(c, k)| c.key.eq_ignore_ascii_case(k))
}

fn describe(file: &Path, export: &Export, scan: &Scan) -> String {
    let (rows, ragged, mojibake) = (scan.rows, &scan.ragged, scan.mojibake);
    let n_cols = export.columns.len();
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
    // A workbook's cells and an SPSS file's variables have no delimiter.
    if matches!(
        export.decoded.encoding,
        super::decode::TextEncoding::Sheet(_) | super::decode::TextEncoding::Spss
    ) {
        let _ = writeln!(s, "Delimiter:  none (cells, not delimited text)");
    } else {
        let _ = writeln!(s, "Delimiter:  {}", delimiter_name(export.delimiter));
    }
    let _ = writeln!(s, "Layout:     {}", export.layout);
    if is_microsoft_forms(export) {
        let _ = writeln!(
            s,
            "Looks like: a Microsoft Forms download (ID, Start time, Completion time, Email, \
             Name): member feedback; Email and Name are personal data and never read"
        );
    }
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
    s
}

/// One line per column: its key and question, how often filled, distinct values, samples
/// (never of personal data).
fn column_table(export: &Export, stats: &[ColumnStats]) -> String {
    let mut s = String::new();
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "  col  key / question                                             filled  distinct  sample values"
    );
    for (c, st) in export.columns.iter().zip(stats) {
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

    s
}

fn find_column<'a>(export: &'a Export, names: &[&str]) -> Option<&'a super::layout::Column> {
    export
        .columns
        .iter()
        .find(|c| names.contains(&normalise_label(&c.key).as_str()))
}
