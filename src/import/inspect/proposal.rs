//! The `[[waves]]` block proposed for an export: what `inspect` prints and `init`, `add-wave`
//! and `inspect --write` write, every guess marked CHECK.

use super::{
    ColumnStats, DateSpan, FINISHED_KEYS, ID_KEYS, STATUS_KEYS, TEST_VALUES, find_column,
    match_schema, normalise_label, short_text, toml_comment, toml_str, truncate,
};
use crate::import::export::Export;
use crate::import::layout::is_personal_data;
use crate::schema::Schema;
use std::collections::HashSet;
use std::fmt::Write as _;

/// How a column was matched to a schema id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Matched {
    /// The column's name is the id itself.
    ByName,
    /// The column's wording is the question's (or the demographic's).
    ByWording,
    /// A guess for a person to check, and why it was made (`question 1 of the form`).
    Guessed(String),
}

/// One column of the export in the proposed mapping.
#[derive(Debug, Clone)]
pub struct ProposedColumn {
    /// The schema id it holds, when one matched.
    pub id: Option<(String, Matched)>,
    pub key: String,
    pub text: String,
    /// The values the column holds (not empty), each once; `None` when it holds more than
    /// a demographic's categories could be.
    pub values: Option<Vec<String>>,
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

/// Why an export's dates cannot be taken as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateDoubt {
    /// Every date reads both day-first and month-first (`10/06/2026`): the two spans.
    DayOrMonth {
        example: String,
        month_first: (chrono::NaiveDate, chrono::NaiveDate),
        day_first: (chrono::NaiveDate, chrono::NaiveDate),
    },
    /// Every response is dated the same day (often the day the file was exported).
    OneDay(chrono::NaiveDate),
}

/// A `[[waves]]` block proposed for an export: every value read from the file, every guess
/// marked for a person to check.
#[derive(Debug, Clone)]
pub struct WaveProposal {
    pub rows: usize,
    /// First and last response dates (of responses that are not previews or tests).
    pub span: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
    /// Why the dates cannot be taken as read, if they cannot.
    pub date_doubt: Option<DateDoubt>,
    /// For a workbook: the sheet read.
    pub sheet: Option<String>,
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
    /// The days the survey was open, as the analyst gave them (`--fieldwork`).
    pub fieldwork: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
}

impl WaveProposal {
    /// The wave's id: the year the survey closed (as given), else of its last response.
    pub fn year(&self) -> Option<String> {
        self.fieldwork
            .or(self.span)
            .map(|(_, last)| chrono::Datelike::year(&last).to_string())
    }

    /// Which reading of the export's dates falls within the fieldwork the analyst gave, when
    /// they read both ways: said beside the dates written.
    fn reading_within(&self, (start, end): (chrono::NaiveDate, chrono::NaiveDate)) -> String {
        let within = |(a, b): (chrono::NaiveDate, chrono::NaiveDate)| a >= start && b <= end;
        match &self.date_doubt {
            Some(DateDoubt::DayOrMonth {
                example,
                month_first,
                day_first,
            }) => match (within(*day_first), within(*month_first)) {
                (true, false) => format!("; the responses' dates (e.g. {example}) are day/month"),
                (false, true) => format!("; the responses' dates (e.g. {example}) are month/day"),
                _ => format!(
                    "; CHECK: the responses' dates (e.g. {example}) fit neither reading within these days"
                ),
            },
            _ => match self.span {
                Some((a, b)) if a < start || b > end => {
                    format!("; CHECK: responses are dated {a} to {b}, outside these days")
                }
                _ => String::new(),
            },
        }
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
        self.render_identity(&mut s, id);
        self.render_file(&mut s, file);
        self.render_reading(&mut s, headcount);
        let _ = writeln!(s);
        self.render_filters(&mut s, "waves");
        let _ = writeln!(s);
        self.render_columns(&mut s, "waves");
        s
    }

    /// The wave's id and fieldwork dates.
    fn render_identity(&self, s: &mut String, id: Option<&str>) {
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
        if let Some((start, end)) = self.fieldwork {
            let _ = writeln!(
                s,
                "fieldwork_start = \"{start}\"  # the day the survey opened (given with --fieldwork){}",
                self.reading_within((start, end))
            );
            let _ = writeln!(s, "fieldwork_end = \"{end}\"    # the day it closed");
            return;
        }
        match (&self.date_doubt, self.span) {
            (
                Some(DateDoubt::DayOrMonth {
                    example,
                    month_first,
                    day_first,
                }),
                _,
            ) => {
                let _ = writeln!(
                    s,
                    "fieldwork_start = \"YYYY-MM-DD\"  # CHECK: every date (e.g. {example}) reads as day/month and as month/day: {} to {}, or {} to {}; write the day the survey opened",
                    day_first.0, day_first.1, month_first.0, month_first.1
                );
                let _ = writeln!(
                    s,
                    "fieldwork_end = \"YYYY-MM-DD\"    # CHECK: and the day it closed"
                );
            }
            (Some(DateDoubt::OneDay(day)), _) => {
                let _ = writeln!(
                    s,
                    "fieldwork_start = \"{day}\"  # CHECK: every response is dated {day}, which is often the day the file was exported; write the day the survey opened"
                );
                let _ = writeln!(
                    s,
                    "fieldwork_end = \"{day}\"    # CHECK: and the day it closed"
                );
            }
            (None, Some((first, last))) => {
                let _ = writeln!(
                    s,
                    "fieldwork_start = \"{first}\"  # CHECK: the first response; the survey may have opened earlier"
                );
                let _ = writeln!(
                    s,
                    "fieldwork_end = \"{last}\"    # CHECK: the last response; the survey may have closed later"
                );
            }
            (None, None) => {
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
    }

    /// The export's file and how to read it (layout, sheet or encoding and delimiter).
    pub(crate) fn render_file(&self, s: &mut String, file: &str) {
        let _ = writeln!(s, "file = {}", toml_str(file));
        let _ = writeln!(s, "layout = \"{}\"", self.layout);
        match &self.sheet {
            Some(sheet) => {
                let _ = writeln!(s, "sheet = {}", toml_str(sheet));
            }
            // An SPSS file has neither: it is not text.
            None if self.encoding == "sav" => {}
            None => {
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
            }
        }
    }

    /// The headcount and the response id.
    fn render_reading(&self, s: &mut String, headcount: Option<&str>) {
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
        self.render_response_id(s);
    }

    /// The column with a unique id per response.
    pub(crate) fn render_response_id(&self, s: &mut String) {
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
    }

    /// `[waves.filters]`: test values, the finished flag, or a minimum of answers.
    pub(crate) fn render_filters(&self, s: &mut String, table: &str) {
        let _ = writeln!(s, "[{table}.filters]");
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
    }

    /// `[waves.columns]`: each matched column, then the unmatched, personal and missing ones.
    pub(crate) fn render_columns(&self, s: &mut String, table: &str) {
        let _ = writeln!(
            s,
            "[{table}.columns]  # question or demographic id = the export's column"
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
                    let _ = writeln!(s, "{id} = {}  # matched by wording", toml_str(&c.key));
                }
                Some((id, Matched::ByWording)) => {
                    let _ = writeln!(
                        s,
                        "{id} = {}  # matched by wording: {text}",
                        toml_str(&c.key)
                    );
                }
                Some((id, Matched::Guessed(why))) => {
                    let _ = writeln!(
                        s,
                        "{id} = {}  # CHECK: {}",
                        toml_str(&c.key),
                        toml_comment(why)
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
    }
}

/// Propose the `[[waves]]` block from what was read.
pub(super) fn propose(
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
    let test = test_filter(export, status_counts, rows);
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
        let st = &stats[c.index];
        columns.push(ProposedColumn {
            id,
            key: c.key.clone(),
            text: c.text.clone(),
            values: (st.distinct.len() < super::DISTINCT_CAP).then(|| st.seen.clone()),
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
        date_doubt: dates.doubt(),
        sheet: sheet_of(export),
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
        fieldwork: None,
    }
}

/// For a workbook, the sheet read (as `Decoded::how` names it).
fn sheet_of(export: &Export) -> Option<String> {
    match export.decoded.encoding {
        crate::import::decode::TextEncoding::Sheet(_) => export
            .decoded
            .how
            .strip_prefix("sheet \"")
            .and_then(|h| h.split('"').next())
            .map(str::to_string),
        _ => None,
    }
}

/// The status or collector column and the values that mean a preview or test: the known
/// ones, or a collector with under 1% of the rows beside a big one (a test link).
fn test_filter(
    export: &Export,
    status_counts: &std::collections::BTreeMap<String, usize>,
    rows: usize,
) -> Option<TestFilter> {
    find_column(export, STATUS_KEYS).map(|c| {
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
    })
}
