//! `[meetings]`: member-meeting feedback: its schema, the meeting register, the feedback
//! sources (paper and online), the threshold, the launch and baseline months, and the step
//! changes declared for the control charts.

use super::timeline;
use super::waves::{
    DelimiterChoice, EncodingChoice, Filters, LayoutChoice, RawWave, Wave, build_wave,
};
use crate::schema::Schema;
use crate::schema::toml_load::Collector;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMeetings {
    schema: PathBuf,
    register: PathBuf,
    #[serde(default)]
    threshold: Option<u32>,
    #[serde(default)]
    launch: Option<String>,
    #[serde(default)]
    baseline_months: Option<usize>,
    #[serde(default)]
    max_days_after: Option<i64>,
    sources: Vec<RawSource>,
    #[serde(default)]
    step_changes: Vec<RawStepChange>,
}

/// `[[meetings.step_changes]]`: the analyst's declaration that a process changed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStepChange {
    month: String,
    reason: String,
    #[serde(default)]
    series: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSource {
    id: String,
    channel: String,
    file: PathBuf,
    #[serde(default)]
    layout: LayoutChoice,
    #[serde(default)]
    encoding: EncodingChoice,
    #[serde(default)]
    delimiter: DelimiterChoice,
    /// For a workbook (a Microsoft Forms export, a keyed sheet): the sheet to read.
    #[serde(default)]
    sheet: Option<String>,
    response_id: String,
    meeting: String,
    date: String,
    date_format: String,
    #[serde(default)]
    filters: Filters,
    columns: BTreeMap<String, String>,
}

/// One source of meeting feedback (keyed paper forms, an online-form export).
#[derive(Debug, Clone)]
pub struct FeedbackSource {
    /// How to read it; `keep` holds the `meeting` and `date` columns.
    pub wave: Wave,
    /// `Paper` or `Online`: a category of the feedback schema's `channel` field.
    pub channel: String,
    /// chrono format of the date column, e.g. `%Y-%m-%d` or `%m/%d/%Y %H:%M:%S`.
    pub date_format: String,
}

/// The uptake series' id (forms per attendee) in tables and config.
pub const UPTAKE_ID: &str = "forms_per_attendee";

/// Member-meeting feedback settings (`[meetings]`).
#[derive(Debug, Clone)]
pub struct MeetingsConfig {
    pub schema_path: PathBuf,
    pub schema: Schema,
    pub register: PathBuf,
    /// Disclosure threshold for meeting feedback (committees are small).
    pub threshold: u32,
    /// Launch date of the questionnaire (`YYYY-MM-DD` or `YYYY-MM`); default: the first month
    /// with data.
    pub launch: Option<chrono::NaiveDate>,
    /// Months in the baseline (default 3).
    pub baseline_months: usize,
    /// Days after the meeting a form may still be completed (online forms).
    pub max_days_after: i64,
    pub sources: Vec<FeedbackSource>,
    /// Declared step changes: control-chart limits are recalculated from these months.
    pub step_changes: Vec<StepChange>,
}

/// A change to the process the analyst declares (a new chairing protocol, say): the control
/// charts of `series` (all of them when empty) get new limits from `month`.
#[derive(Debug, Clone, PartialEq)]
pub struct StepChange {
    pub month: crate::calendar::YearMonth,
    pub reason: String,
    /// Series ids (`forms_per_attendee` or indicator ids); empty = every series.
    pub series: Vec<String>,
}

impl StepChange {
    pub fn applies_to(&self, series_id: &str) -> bool {
        self.series.is_empty() || self.series.iter().any(|s| s == series_id)
    }
}

/// The lowest disclosure threshold accepted for meeting feedback (committees are small).
pub const MIN_MEETING_THRESHOLD: u32 = 3;

/// Default disclosure threshold for meeting feedback.
pub const DEFAULT_MEETING_THRESHOLD: u32 = 5;

/// The published tables key questions and indicators of both questionnaires by id, so the
/// meeting-feedback schema may not reuse a staff-survey id.
pub(super) fn shared_ids(staff: &Schema, feedback: &Schema, c: &mut Collector) {
    for q in &feedback.questions {
        if staff.question(&q.id).is_some() {
            c.push(
                "meetings.schema",
                format!(
                    "question id `{}` is also a question in the staff-survey schema; the published tables key questions by id, so rename one",
                    q.id
                ),
            );
        }
    }
    for i in &feedback.indicators {
        if staff.indicator(&i.id).is_some() {
            c.push(
                "meetings.schema",
                format!(
                    "indicator id `{}` is also an indicator in the staff-survey schema; the published tables key indicators by id, so rename one",
                    i.id
                ),
            );
        }
    }
}

/// `YYYY-MM-DD` or `YYYY-MM` (the first of the month).
pub fn parse_month_or_date(s: &str) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| chrono::NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d"))
        .ok()
}

fn build_meetings(m: RawMeetings, base: &Path, c: &mut Collector) -> Option<MeetingsConfig> {
    let schema_path = base.join(&m.schema);
    let schema = match Schema::load(&schema_path) {
        Ok(s) => s,
        Err(problems) => {
            for p in problems.problems {
                c.push(
                    format!("meetings.schema {}: {}", schema_path.display(), p.location),
                    p.message,
                );
            }
            return None;
        }
    };
    let register = base.join(&m.register);
    if !register.is_file() {
        c.push(
            "meetings.register",
            format!(
                "file not found: {} (paths are relative to the config file)",
                register.display()
            ),
        );
    }
    let launch = m.launch.as_deref().and_then(|l| launch(l, c));
    let threshold = threshold(m.threshold, c);
    let baseline_months = m.baseline_months.unwrap_or(3);
    if baseline_months < 2 {
        c.push(
            "meetings.baseline_months",
            "process limits need at least 2 baseline months",
        );
    }
    let sources = sources(m.sources, &schema, &schema_path, base, c);
    let step_changes = step_changes(m.step_changes, &schema, c);
    Some(MeetingsConfig {
        schema_path,
        schema,
        register,
        threshold,
        launch,
        baseline_months,
        max_days_after: m.max_days_after.unwrap_or(28),
        sources,
        step_changes,
    })
}

/// The launch date: a date or month, not in the future.
fn launch(l: &str, c: &mut Collector) -> Option<chrono::NaiveDate> {
    let d = parse_month_or_date(l);
    match d {
        None => c.push(
            "meetings.launch",
            format!("`{l}` is not a date: use YYYY-MM-DD or YYYY-MM"),
        ),
        Some(day) if day > timeline::today() => c.push(
            "meetings.launch",
            format!(
                "{day} is after today ({}): the launch is the date feedback started; check the year",
                timeline::today()
            ),
        ),
        Some(_) => {}
    }
    d
}

/// The feedback threshold: the one set, or the default; never below its floor.
fn threshold(set: Option<u32>, c: &mut Collector) -> u32 {
    let threshold = set.unwrap_or(DEFAULT_MEETING_THRESHOLD);
    if threshold < MIN_MEETING_THRESHOLD {
        c.push(
            "meetings.threshold",
            format!(
                "{threshold} is below the floor of {MIN_MEETING_THRESHOLD}: on fewer forms a member's \
                 answer can be read; use at least {MIN_MEETING_THRESHOLD} (5 is the default)"
            ),
        );
    }
    threshold
}

/// Each feedback source, read like a survey wave (its meeting and date columns kept).
fn sources(
    raw: Vec<RawSource>,
    schema: &Schema,
    schema_path: &Path,
    base: &Path,
    c: &mut Collector,
) -> Vec<FeedbackSource> {
    let channels: Vec<String> = schema
        .demographic("channel")
        .map(|d| schema.demographics[d].categories.clone())
        .unwrap_or_default();
    let mut sources = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for src in raw {
        let loc = format!("meetings.sources ({})", src.id);
        if !seen.insert(src.id.clone()) {
            c.push(&loc, "source id used twice");
        }
        if !channels.contains(&src.channel) {
            c.push(
                format!("{loc}.channel"),
                format!(
                    "`{}` is not a category of the feedback schema's `channel` field ({})",
                    src.channel,
                    channels.join(", ")
                ),
            );
        }
        if src.date_format.trim().is_empty() {
            c.push(
                format!("{loc}.date_format"),
                "empty; e.g. \"%Y-%m-%d\" or \"%m/%d/%Y %H:%M:%S\"",
            );
        }
        let raw = RawWave {
            id: src.id,
            fieldwork_start: None,
            fieldwork_end: None,
            file: src.file,
            layout: src.layout,
            encoding: src.encoding,
            delimiter: src.delimiter,
            sheet: src.sheet,
            headcount: None,
            comment_codes: None,
            response_id: src.response_id,
            filters: src.filters,
            columns: src.columns,
        };
        let mut wave = build_wave(raw, &loc, schema, schema_path, base, None, c);
        wave.keep = vec![("meeting".into(), src.meeting), ("date".into(), src.date)];
        sources.push(FeedbackSource {
            wave,
            channel: src.channel,
            date_format: src.date_format,
        });
    }
    sources
}

/// The declared step changes: a month, a reason, and the control charts they apply to.
fn step_changes(raw: Vec<RawStepChange>, schema: &Schema, c: &mut Collector) -> Vec<StepChange> {
    let mut step_changes = Vec::new();
    for (i, st) in raw.into_iter().enumerate() {
        let loc = format!("meetings.step_changes[{i}]");
        let month = parse_month_or_date(&st.month).map(crate::calendar::YearMonth::of);
        if month.is_none() {
            c.push(
                format!("{loc}.month"),
                format!("`{}` is not a month: use YYYY-MM", st.month),
            );
        }
        if st.reason.trim().is_empty() {
            c.push(
                format!("{loc}.reason"),
                "say why the process changed (it is printed on the chart)",
            );
        }
        let known: Vec<&str> = std::iter::once(UPTAKE_ID)
            .chain(schema.indicators.iter().map(|i| i.id.as_str()))
            .collect();
        let series = st.series.unwrap_or_default();
        for id in &series {
            if !known.contains(&id.as_str()) {
                c.push(
                    format!("{loc}.series"),
                    format!("`{id}` is not a control chart; known: {}", known.join(", ")),
                );
            }
        }
        if let Some(month) = month {
            step_changes.push(StepChange {
                month,
                reason: st.reason.trim().to_string(),
                series,
            });
        }
    }
    step_changes
}

/// `[meetings]`, checked on its own and against the staff survey's schema.
pub(super) fn build(
    m: RawMeetings,
    base: &Path,
    staff: &Schema,
    c: &mut Collector,
) -> Option<MeetingsConfig> {
    let meetings = build_meetings(m, base, c)?;
    check_against_staff(&meetings, staff, c);
    Some(meetings)
}

/// The feedback schema against the staff survey's: shared ids mean the same thing, and each
/// counterpart names a staff-survey indicator.
fn check_against_staff(m: &MeetingsConfig, schema: &Schema, c: &mut Collector) {
    shared_ids(schema, &m.schema, c);
    for ind in &m.schema.indicators {
        if let Some(cp) = &ind.counterpart
            && schema.indicator(cp).is_none()
        {
            c.push(
                format!("meetings.schema: indicators ({}).counterpart", ind.id),
                format!(
                    "`{cp}` is not an indicator of the staff survey schema; known: {}",
                    schema.indicator_ids()
                ),
            );
        }
    }
}
