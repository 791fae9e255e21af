//! The pipeline config (`pipeline.toml`): which schema, which waves with which files and
//! column mappings, where outputs go, and the settings an analyst changes yearly.
//!
//! Paths inside the config are relative to the config file. Every problem is reported at
//! once; unknown keys are errors.

pub mod attribute;
pub mod drivers;
pub mod files;
mod paths;
pub mod timeline;

use crate::schema::toml_load::{
    Collector, FileProblems, Problem, check_top_level, entry_lines, parse_table,
};
use crate::schema::{QuestionType, Schema};
use serde::Deserialize;

use crate::ids::WaveId;
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
struct RawWave {
    id: String,
    #[serde(default)]
    fieldwork_start: Option<toml::Value>,
    #[serde(default)]
    fieldwork_end: Option<toml::Value>,
    file: PathBuf,
    #[serde(default)]
    layout: LayoutChoice,
    #[serde(default)]
    encoding: EncodingChoice,
    #[serde(default)]
    delimiter: DelimiterChoice,
    #[serde(default)]
    headcount: Option<PathBuf>,
    #[serde(default)]
    comment_codes: Option<PathBuf>,
    response_id: String,
    #[serde(default)]
    filters: Filters,
    columns: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeetings {
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
struct RawStepChange {
    month: String,
    reason: String,
    #[serde(default)]
    series: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    id: String,
    channel: String,
    file: PathBuf,
    #[serde(default)]
    layout: LayoutChoice,
    #[serde(default)]
    encoding: EncodingChoice,
    #[serde(default)]
    delimiter: DelimiterChoice,
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

/// The most raking iterations accepted (each is a pass over every respondent).
pub const MAX_RAKING_ITERATIONS: usize = 100_000;

/// The lowest anonymity threshold accepted for staff-survey figures.
pub const MIN_THRESHOLD: u32 = 5;
/// The lowest disclosure threshold accepted for meeting feedback (committees are small).
pub const MIN_MEETING_THRESHOLD: u32 = 3;

/// Default disclosure threshold for meeting feedback.
pub const DEFAULT_MEETING_THRESHOLD: u32 = 5;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTolerance {
    #[serde(default)]
    max_rejected_pct: Option<f64>,
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

/// A checked pipeline config.
#[derive(Debug, Clone)]
pub struct Config {
    pub path: PathBuf,
    pub schema_path: PathBuf,
    pub schema: Schema,
    pub output: PathBuf,
    pub store: PathBuf,
    /// No published figure rests on fewer respondents than this.
    pub anonymity_threshold: u32,
    /// Small groups whose members all answered alike (`[attribute_disclosure]`).
    pub attribute_disclosure: attribute::AttributeDisclosure,
    /// Demographic fields to break results down by (default: all of them).
    pub breakdowns: Vec<String>,
    /// Two-way crosses, e.g. directorate × grade.
    pub crosses: Vec<(String, String)>,
    /// Apply the finite population correction to levels where headcounts are known (default
    /// off: it assumes those who answered are a random sample of staff). Never in change tests.
    pub fpc: bool,
    /// The wave every later wave is compared with (default: the earliest wave).
    pub baseline: WaveId,
    /// Indicators that get a focused deep-dive report in every pack.
    pub deep_dives: Vec<String>,
    /// `validate` and `run` fail when more than this % of rows are rejected as defective
    /// (previews, tests and incomplete responses are excluded by rule and do not count).
    pub max_rejected_pct: f64,
    /// Survey waves in time order (by fieldwork), whatever their order in the file.
    pub waves: Vec<Wave>,
    /// Member-meeting feedback, if configured.
    pub meetings: Option<MeetingsConfig>,
    /// Non-response weighting of the staff survey, if configured.
    pub weighting: Option<Weighting>,
    /// Key driver analysis (on by default for the outcomes the schema has).
    pub drivers: drivers::DriverSettings,
    /// External benchmarks and the organisation field, if configured.
    pub benchmarks: Option<BenchmarkSettings>,
    /// The opt-in quotes file for the deep dive (redacted comments, internal use).
    pub quotes: Option<QuoteSettings>,
    /// Who publishes the pack, and its status (`[publication]`): the workbook's cover and the
    /// report's furniture.
    pub publication: Publication,
}

/// `[publication]`: what a published statistical release states about itself.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Publication {
    pub organisation: Option<String>,
    /// The release's title (default: the schema's title).
    pub title: Option<String>,
    /// E.g. "Management information" or "Official statistics in development".
    pub status: Option<String>,
    /// Who to ask: a team and an email address.
    pub contact: Option<String>,
    /// The publication date (not the run date: the same inputs give the same pack).
    pub published: Option<chrono::NaiveDate>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawPublication {
    #[serde(default)]
    organisation: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    contact: Option<String>,
    #[serde(default)]
    published: Option<toml::Value>,
}

/// `[quotes]`: redacted comments for the deep dive, marked for internal use.
#[derive(Debug, Clone, PartialEq)]
pub struct QuoteSettings {
    /// Names to remove (one per line in the file).
    pub names: Vec<String>,
    /// Schema demographic index: quotes only from groups of it whose theme counts are published.
    pub by: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuotes {
    names: String,
    by: String,
}

/// `[benchmarks]`: files of published results to compare with, and (when one export holds
/// several organisations) the demographic field that names the organisation.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchmarkSettings {
    pub files: Vec<PathBuf>,
    /// A council figure is `better` or `worse` than a benchmark only when it differs by at
    /// least this much (points; default 2, as Civil Service People Survey reporting) and the
    /// benchmark lies outside its 95% interval.
    pub margin: f64,
    /// Schema demographic index of the organisation field.
    pub organisation: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBenchmarks {
    #[serde(default)]
    files: Vec<String>,
    #[serde(default)]
    organisation: Option<String>,
    #[serde(default)]
    margin: Option<f64>,
}

/// Default practical margin for a benchmark standing, in points (CSPS reporting: 2).
pub const BENCHMARK_MARGIN: f64 = 2.0;

/// `[weighting]`: rake each wave's respondents to its HR headcount margins.
#[derive(Debug, Clone, PartialEq)]
pub struct Weighting {
    /// How the weights are made.
    pub method: WeightingMethod,
    /// Demographic fields (schema indices) whose HR headcount the weights must reproduce.
    pub margins: Vec<usize>,
    /// Weights kept within [min, max] × the mean weight, if set.
    pub trim: Option<(f64, f64)>,
    /// Raking cycles before giving up.
    pub max_iterations: usize,
}

/// How respondents are weighted to the HR headcount.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WeightingMethod {
    /// Iterative proportional fitting to each margin separately.
    Rake,
    /// Post-stratification to the joint table of the margins (each directorate × grade cell),
    /// cells with fewer than `min_cell` respondents collapsed with their neighbours.
    Cells { min_cell: u64 },
}

impl WeightingMethod {
    pub fn code(self) -> &'static str {
        match self {
            WeightingMethod::Rake => "rake",
            WeightingMethod::Cells { .. } => "cells",
        }
    }
}

/// Default smallest number of respondents a post-stratification cell may rest on.
pub const DEFAULT_MIN_CELL: u64 = 5;

/// Margins must fit to this (difference in shares).
pub const WEIGHTING_TOLERANCE: f64 = 1e-9;

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawDrivers {
    #[serde(default)]
    outcomes: Option<Vec<String>>,
    #[serde(default)]
    drivers: Option<Vec<String>>,
    #[serde(default)]
    min_respondents: Option<u64>,
    #[serde(default)]
    bootstrap: Option<usize>,
    #[serde(default)]
    seed: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWeighting {
    method: String,
    margins: Vec<String>,
    #[serde(default)]
    trim: Option<[f64; 2]>,
    #[serde(default)]
    max_iterations: Option<usize>,
    #[serde(default)]
    min_cell: Option<u64>,
}

/// Default anonymity threshold: the Civil Service People Survey's 10 respondents.
pub const DEFAULT_THRESHOLD: u32 = 10;

/// Config or schema problems: the error behind exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0}")]
    Config(FileProblems),
    #[error("the schema named by {config} is not valid.\n{problems}")]
    Schema {
        config: PathBuf,
        problems: FileProblems,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTop {
    schema: PathBuf,
    output: PathBuf,
    store: PathBuf,
    #[serde(default)]
    anonymity_threshold: Option<u32>,
    #[serde(default)]
    breakdowns: Option<Vec<String>>,
    #[serde(default)]
    crosses: Vec<[String; 2]>,
    #[serde(default)]
    finite_population_correction: Option<bool>,
    #[serde(default)]
    baseline: Option<String>,
    #[serde(default)]
    deep_dives: Vec<String>,
}

impl Config {
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            ConfigError::Config(FileProblems {
                file: path.to_path_buf(),
                problems: vec![Problem {
                    location: String::new(),
                    message: format!(
                        "{}. Pass the right file with --config, or make one with `culture-metrics init`",
                        crate::file_errors::cannot_read("pipeline config", path, &e)
                    ),
                }],
            })
        })?;
        let base = path.parent().unwrap_or(Path::new("")).to_path_buf();
        let text = paths::accept_windows_paths(&text);
        let mut table = parse_table(path, &text).map_err(ConfigError::Config)?;
        let mut c = Collector::default();
        const KNOWN: [&str; 18] = [
            "attribute_disclosure",
            "deep_dives",
            "meetings",
            "baseline",
            "schema",
            "output",
            "store",
            "anonymity_threshold",
            "breakdowns",
            "crosses",
            "finite_population_correction",
            "tolerance",
            "weighting",
            "drivers",
            "benchmarks",
            "quotes",
            "publication",
            "waves",
        ];
        check_top_level(&table, &KNOWN, &mut c);
        // Reported above; drop them so every other setting is still checked.
        table.retain(|k, _| KNOWN.contains(&k));
        let waves_raw: Vec<(usize, RawWave)> =
            c.take_array_indexed("waves", table.remove("waves"), true);
        let meetings_raw: Option<RawMeetings> =
            table.remove("meetings").and_then(|v| c.take("meetings", v));
        let tolerance: Option<RawTolerance> = table
            .remove("tolerance")
            .and_then(|v| c.take("tolerance", v));
        let weighting_raw: Option<RawWeighting> = table
            .remove("weighting")
            .and_then(|v| c.take("weighting", v));
        let drivers_raw: Option<RawDrivers> =
            table.remove("drivers").and_then(|v| c.take("drivers", v));
        let publication_raw: Option<RawPublication> = table
            .remove("publication")
            .and_then(|v| c.take("publication", v));
        let quotes_raw: Option<RawQuotes> =
            table.remove("quotes").and_then(|v| c.take("quotes", v));
        let benchmarks_raw: Option<RawBenchmarks> = table
            .remove("benchmarks")
            .and_then(|v| c.take("benchmarks", v));
        let attribute_raw: Option<attribute::RawAttribute> = table
            .remove("attribute_disclosure")
            .and_then(|v| c.take("attribute_disclosure", v));
        let top: Option<RawTop> = c.take("top level", toml::Value::Table(table));

        let Some(top) = top else {
            return Err(ConfigError::Config(FileProblems {
                file: path.to_path_buf(),
                problems: c.problems,
            }));
        };
        let schema_path = base.join(&top.schema);
        let schema = match Schema::load(&schema_path) {
            Ok(s) => s,
            Err(problems) => {
                if !c.is_empty() {
                    // Report the config's own problems too, not only the schema's.
                    return Err(ConfigError::Config(FileProblems {
                        file: path.to_path_buf(),
                        problems: c
                            .problems
                            .into_iter()
                            .chain(problems.problems.into_iter().map(|p| Problem {
                                location: format!(
                                    "schema {}: {}",
                                    schema_path.display(),
                                    p.location
                                ),
                                message: p.message,
                            }))
                            .collect(),
                    }));
                }
                return Err(ConfigError::Schema {
                    config: path.to_path_buf(),
                    problems,
                });
            }
        };

        let threshold = top.anonymity_threshold.unwrap_or(DEFAULT_THRESHOLD);
        if threshold < MIN_THRESHOLD {
            c.push(
                "anonymity_threshold",
                format!(
                    "{threshold} is below the floor of {MIN_THRESHOLD}: a figure on fewer people can \
                     single someone out; use at least {MIN_THRESHOLD} (10 is the default)"
                ),
            );
        }
        let breakdowns = top
            .breakdowns
            .clone()
            .unwrap_or_else(|| schema.demographics.iter().map(|d| d.id.clone()).collect());
        let crosses: Vec<(String, String)> = top
            .crosses
            .iter()
            .map(|[a, b]| (a.clone(), b.clone()))
            .collect();
        for (i, (a, b)) in crosses.iter().enumerate() {
            if let Some((x, y)) = crosses[..i]
                .iter()
                .find(|(x, y)| (x, y) == (a, b) || (x, y) == (b, a))
            {
                c.push(
                    "crosses",
                    format!(
                        "[\"{a}\", \"{b}\"] repeats [\"{x}\", \"{y}\"]: one cross in either order is the \
                         same table, and two copies protected apart can publish what the other hides; \
                         keep one"
                    ),
                );
            }
            for f in [a, b] {
                if schema.demographic(f).is_none() {
                    c.push(
                        "crosses",
                        format!(
                            "`{f}` (in [\"{a}\", \"{b}\"]) is not a demographic field in the schema"
                        ),
                    );
                } else if !breakdowns.contains(f) {
                    c.push(
                        "crosses",
                        format!(
                            "`{f}` is crossed but not in `breakdowns`; a cross is protected against its one-way totals, so add it there"
                        ),
                    );
                }
            }
            if a == b {
                c.push(
                    "crosses",
                    format!("[\"{a}\", \"{b}\"] crosses a field with itself"),
                );
            }
        }
        for d in &top.deep_dives {
            if schema.indicator(d).is_none() {
                c.push(
                    "deep_dives",
                    format!(
                        "`{d}` is not an indicator in the schema; known: {}",
                        schema.indicator_ids()
                    ),
                );
            }
        }
        for b in &breakdowns {
            if schema.demographic(b).is_none() {
                c.push(
                    "breakdowns",
                    format!(
                        "`{b}` is not a demographic field in the schema; known: {}",
                        schema
                            .demographics
                            .iter()
                            .map(|d| d.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
            }
        }
        let max_rejected_pct = tolerance.and_then(|t| t.max_rejected_pct).unwrap_or(0.0);
        if !(0.0..=100.0).contains(&max_rejected_pct) {
            c.push(
                "tolerance.max_rejected_pct",
                "must be a percentage between 0 and 100",
            );
        }

        let store = base.join(&top.store);
        let waves = survey_waves(
            waves_raw,
            &text,
            &schema,
            &schema_path,
            &base,
            &store,
            &mut c,
        );

        let weighting = weighting_raw.map(|w| build_weighting(w, &schema, &waves, &mut c));
        let drivers = build_drivers(drivers_raw, &schema, threshold, &mut c);
        let attribute_disclosure = attribute::build(attribute_raw, threshold, &mut c);
        for m in weighting.iter().flat_map(|w| &w.margins) {
            let id = &schema.demographics[*m].id;
            if !breakdowns.contains(id) {
                c.push(
                    "weighting.margins",
                    format!(
                        "`{id}` is weighted to but not in `breakdowns`; the weighting diagnostics are published by its groups, so add it there"
                    ),
                );
            }
        }
        let benchmarks = benchmarks_raw.map(|b| {
            if b.files.is_empty() && b.organisation.is_none() {
                c.push(
                    "benchmarks",
                    "empty: list benchmark files (files = [\"../schemas/benchmarks/csps-median.csv\"]) or name the organisation field",
                );
            }
            let files: Vec<PathBuf> = b.files.iter().map(|f| base.join(f)).collect();
            for (f, raw) in files.iter().zip(&b.files) {
                if !f.is_file() {
                    c.push(
                        "benchmarks.files",
                        format!("`{raw}` is not a file (paths are relative to this config)"),
                    );
                }
            }
            let organisation = b.organisation.as_ref().and_then(|o| match schema.demographic(o) {
                Some(d) if breakdowns.contains(o) => Some(d),
                Some(_) => {
                    c.push(
                        "benchmarks.organisation",
                        format!("`{o}` is not in `breakdowns`; results per organisation are its groups, so add it there"),
                    );
                    None
                }
                None => {
                    c.push(
                        "benchmarks.organisation",
                        format!("`{o}` is not a demographic field in the schema"),
                    );
                    None
                }
            });
            let margin = b.margin.unwrap_or(BENCHMARK_MARGIN);
            if !(margin.is_finite() && margin >= 0.0) {
                c.push(
                    "benchmarks.margin",
                    format!("{margin} is not a difference in points of 0 or more (e.g. 2)"),
                );
            }
            BenchmarkSettings {
                files,
                organisation,
                margin,
            }
        });
        let quotes = quotes_raw.and_then(|q| {
            let path = base.join(&q.names);
            let names = match std::fs::read_to_string(&path) {
                Ok(t) => t
                    .lines()
                    .map(|l| l.trim().trim_start_matches('\u{feff}').to_string())
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .collect(),
                Err(e) => {
                    c.push(
                        "quotes.names",
                        format!(
                            "{} (one name per line; paths are relative to this config)",
                            crate::file_errors::cannot_read("names file", &path, &e)
                        ),
                    );
                    Vec::new()
                }
            };
            match schema.demographic(&q.by) {
                Some(d) if breakdowns.contains(&q.by) => Some(QuoteSettings { names, by: d }),
                _ => {
                    c.push(
                        "quotes.by",
                        format!("`{}` is not a demographic field in `breakdowns`", q.by),
                    );
                    None
                }
            }
        });
        let publication = publication_raw.map_or_else(Publication::default, |p| {
            let published = p
                .published
                .as_ref()
                .and_then(|v| match timeline::date_value(v) {
                    Ok(d) => Some(d),
                    Err(e) => {
                        c.push("publication.published", e);
                        None
                    }
                });
            let text =
                |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
            Publication {
                organisation: text(p.organisation),
                title: text(p.title),
                status: text(p.status),
                contact: text(p.contact),
                published,
            }
        });
        let meetings = meetings_raw.and_then(|m| build_meetings(m, &base, &mut c));
        if let Some(m) = &meetings {
            shared_ids(&schema, &m.schema, &mut c);
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
        let baseline = match &top.baseline {
            Some(b) => {
                if !waves.iter().any(|w: &Wave| &w.id == b) {
                    c.push(
                        "baseline",
                        format!(
                            "`{b}` is not one of the waves ({})",
                            waves
                                .iter()
                                .map(|w| w.id.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    );
                }
                WaveId::new(b.as_str())
            }
            None => waves
                .first()
                .map(|w| WaveId::new(w.id.as_str()))
                .unwrap_or_default(),
        };
        c.into_result(
            path,
            Config {
                deep_dives: top.deep_dives.clone(),
                meetings,
                weighting,
                drivers,
                benchmarks,
                quotes,
                publication,
                baseline,
                path: path.to_path_buf(),
                schema_path,
                schema,
                output: base.join(top.output),
                store: base.join(top.store),
                anonymity_threshold: threshold,
                attribute_disclosure,
                breakdowns,
                crosses,
                fpc: top.finite_population_correction.unwrap_or(false),
                max_rejected_pct,
                waves,
            },
        )
        .map_err(ConfigError::Config)
    }
}

/// Check the survey waves, with their places in time, and put them in time order.
fn survey_waves(
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
fn fieldwork_of(w: &RawWave, loc: &str, c: &mut Collector) -> Option<timeline::Fieldwork> {
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
fn build_wave(
    w: RawWave,
    loc: &str,
    schema: &Schema,
    schema_path: &Path,
    base: &Path,
    store: Option<&Path>,
    c: &mut Collector,
) -> Wave {
    let file = base.join(&w.file);
    if !file.is_file() {
        match store {
            Some(store) if files::record_path(store, &w.id).is_file() => {
                // Archived: the import stage checks the store's copy matches this mapping.
            }
            Some(_) => c.push(
                format!("{loc}.file"),
                format!(
                    "{} (paths are relative to the folder holding the config). If you archived this \
                     export, the store holds no copy of wave {} to use instead: put the file back.",
                    crate::file_errors::not_found("export", &file),
                    w.id
                ),
            ),
            None => c.push(
                format!("{loc}.file"),
                format!(
                    "{} (paths are relative to the folder holding the config)",
                    crate::file_errors::not_found("export", &file)
                ),
            ),
        }
    }
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
    // Schema order, so tables and the store are laid out the same every year.
    let mut columns = Vec::new();
    let mut first_id: BTreeMap<&str, &str> = BTreeMap::new();
    for (id, key) in &w.columns {
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
    for id in ordered_ids {
        if let Some(key) = w.columns.get(id) {
            columns.push((id.clone(), key.clone()));
        }
    }
    if !schema
        .questions
        .iter()
        .any(|q| q.kind != QuestionType::FreeText && w.columns.contains_key(&q.id))
    {
        c.push(
            format!("{loc}.columns"),
            "maps no scored question; map at least one question id to an export column",
        );
    }
    if !w.filters.test_values.is_empty() && w.filters.test_column.is_none() {
        c.push(
            format!("{loc}.filters"),
            "test_values given without test_column",
        );
    }
    if w.filters.finished_values.is_empty() == w.filters.finished_column.is_some() {
        c.push(
            format!("{loc}.filters"),
            "finished_column and finished_values go together",
        );
    }
    Wave {
        id: w.id,
        fieldwork: None,
        file,
        layout: w.layout,
        encoding: w.encoding,
        delimiter: w.delimiter,
        headcount,
        comment_codes,
        response_id: w.response_id,
        filters: w.filters,
        columns,
        keep: Vec::new(),
    }
}

/// The published tables key questions and indicators of both questionnaires by id, so the
/// meeting-feedback schema may not reuse a staff-survey id.
fn shared_ids(staff: &Schema, feedback: &Schema, c: &mut Collector) {
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

fn build_drivers(
    raw: Option<RawDrivers>,
    schema: &Schema,
    threshold: u32,
    c: &mut Collector,
) -> drivers::DriverSettings {
    use drivers as d;
    let configured = raw.is_some();
    let raw = raw.unwrap_or_default();
    let lookup = |key: &str, ids: &[String], c: &mut Collector| -> Vec<usize> {
        let mut out = Vec::new();
        for id in ids {
            match schema.indicator(id) {
                Some(i) if schema.scored_per_respondent(i) => out.push(i),
                Some(_) => c.push(
                    format!("drivers.{key}"),
                    format!(
                        "`{id}` is not scored from agreement questions (yes/no, 0-10 and eNPS indicators cannot take part)"
                    ),
                ),
                None => c.push(
                    format!("drivers.{key}"),
                    format!(
                        "`{id}` is not an indicator in the schema; known: {}",
                        schema.indicator_ids()
                    ),
                ),
            }
        }
        out
    };
    let outcomes = match &raw.outcomes {
        Some(ids) => lookup("outcomes", ids, c),
        // By default the outcomes the board asks about, where the schema has them.
        None => d::DEFAULT_OUTCOMES
            .iter()
            .filter_map(|id| schema.indicator(id))
            .filter(|&i| schema.scored_per_respondent(i))
            .collect(),
    };
    let drivers = raw.drivers.as_ref().map(|ids| lookup("drivers", ids, c));
    let settings = d::DriverSettings {
        outcomes,
        drivers,
        // Never below the anonymity threshold unless asked (and then it is refused below).
        min_respondents: raw
            .min_respondents
            .unwrap_or(d::DEFAULT_MIN_RESPONDENTS.max(u64::from(threshold))),
        bootstrap: raw.bootstrap.unwrap_or(d::DEFAULT_BOOTSTRAP),
        seed: raw.seed.unwrap_or(d::DEFAULT_SEED),
    };
    if settings.min_respondents < u64::from(threshold).max(30) {
        c.push(
            "drivers.min_respondents",
            format!(
                "{} is too few for a regression of several themes; use at least 30 (and the anonymity threshold); the Civil Service uses 100",
                settings.min_respondents
            ),
        );
    }
    if configured && settings.bootstrap == 0 {
        c.push(
            "drivers.bootstrap",
            "0 draws gives no interval; use 200 or more (200 is the default)",
        );
    }
    if settings.bootstrap > d::MAX_BOOTSTRAP {
        c.push(
            "drivers.bootstrap",
            format!(
                "{} draws would run for hours; at most {} (200 is the default, and 2,000 settles the \
                 interval's second decimal)",
                settings.bootstrap,
                d::MAX_BOOTSTRAP
            ),
        );
    }
    for &o in &settings.outcomes {
        let n = d::drivers_of(schema, &settings, o).len();
        if n > crate::stats::lmg::MAX_DRIVERS {
            c.push(
                "drivers",
                format!(
                    "{} has {n} drivers; an exact decomposition takes at most {}: list fewer in drivers.drivers",
                    schema.indicators[o].id,
                    crate::stats::lmg::MAX_DRIVERS
                ),
            );
        }
    }
    settings
}

fn build_weighting(
    w: RawWeighting,
    schema: &Schema,
    waves: &[Wave],
    c: &mut Collector,
) -> Weighting {
    let min_cell = w.min_cell.unwrap_or(DEFAULT_MIN_CELL);
    let method = match w.method.as_str() {
        "rake" => WeightingMethod::Rake,
        "cells" => WeightingMethod::Cells { min_cell },
        other => {
            c.push(
                "weighting.method",
                format!(
                    "`{other}` is not a weighting method; use \"cells\" (post-stratification to the HR headcount's \
                     joint table, e.g. directorate × grade) or \"rake\" (iterative proportional fitting to its margins)"
                ),
            );
            WeightingMethod::Rake
        }
    };
    if w.min_cell == Some(0) {
        c.push(
            "weighting.min_cell",
            "0 respondents cannot carry a cell's weight; use 1 or more (default 5)",
        );
    }
    if w.trim.is_some() && matches!(method, WeightingMethod::Cells { .. }) {
        c.push(
            "weighting.trim",
            "applies to method = \"rake\" only: post-stratified weights are each cell's staff per respondent",
        );
    }
    if w.min_cell.is_some() && method == WeightingMethod::Rake {
        c.push(
            "weighting.min_cell",
            "applies to method = \"cells\" only; raking has no cells",
        );
    }
    if w.margins.is_empty() {
        c.push(
            "weighting.margins",
            "name at least one demographic field whose HR headcount is known, e.g. [\"directorate\", \"grade\"]",
        );
    }
    let mut margins = Vec::new();
    for m in &w.margins {
        match schema.demographic(m) {
            Some(d) if margins.contains(&d) => {
                c.push("weighting.margins", format!("`{m}` is listed twice"));
            }
            Some(d) => margins.push(d),
            None => c.push(
                "weighting.margins",
                format!(
                    "`{m}` is not a demographic field in the schema; known: {}",
                    schema
                        .demographics
                        .iter()
                        .map(|d| d.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
        }
    }
    if let Some(n) = w.max_iterations
        && !(1..=MAX_RAKING_ITERATIONS).contains(&n)
    {
        c.push(
            "weighting.max_iterations",
            format!(
                "{n} is outside 1 to {MAX_RAKING_ITERATIONS}: raking that has not settled by then \
                 never will; use fewer margins instead (10,000 is the default)"
            ),
        );
    }
    let trim = w.trim.map(|[lo, hi]| (lo, hi));
    if let Some((lo, hi)) = trim
        && !(lo > 0.0 && lo < 1.0 && hi > 1.0 && hi.is_finite())
    {
        c.push(
            "weighting.trim",
            format!(
                "[{lo}, {hi}] are multiples of the mean weight: the first must be between 0 and 1, the second above 1 (e.g. [0.3, 3.0])"
            ),
        );
    }
    for wave in waves {
        if wave.headcount.is_none() {
            c.push(
                format!("waves ({})", wave.id),
                "weighting needs the wave's HR headcount: add `headcount = \"...\"` (a CSV with the margins' fields and a headcount column)",
            );
        }
    }
    Weighting {
        method,
        margins,
        trim,
        max_iterations: w.max_iterations.unwrap_or(10_000),
    }
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
    let launch = m.launch.as_deref().and_then(|l| {
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
    });
    let threshold = m.threshold.unwrap_or(DEFAULT_MEETING_THRESHOLD);
    if threshold < MIN_MEETING_THRESHOLD {
        c.push(
            "meetings.threshold",
            format!(
                "{threshold} is below the floor of {MIN_MEETING_THRESHOLD}: on fewer forms a member's \
                 answer can be read; use at least {MIN_MEETING_THRESHOLD} (5 is the default)"
            ),
        );
    }
    let baseline_months = m.baseline_months.unwrap_or(3);
    if baseline_months < 2 {
        c.push(
            "meetings.baseline_months",
            "process limits need at least 2 baseline months",
        );
    }
    let channels: Vec<String> = schema
        .demographic("channel")
        .map(|d| schema.demographics[d].categories.clone())
        .unwrap_or_default();
    let mut sources = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for src in m.sources {
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
            headcount: None,
            comment_codes: None,
            response_id: src.response_id,
            filters: src.filters,
            columns: src.columns,
        };
        let mut wave = build_wave(raw, &loc, &schema, &schema_path, base, None, c);
        wave.keep = vec![("meeting".into(), src.meeting), ("date".into(), src.date)];
        sources.push(FeedbackSource {
            wave,
            channel: src.channel,
            date_format: src.date_format,
        });
    }
    let mut step_changes = Vec::new();
    for (i, st) in m.step_changes.into_iter().enumerate() {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_names() {
        assert_eq!(
            "tab".parse::<DelimiterChoice>(),
            Ok(DelimiterChoice::Byte(b'\t'))
        );
        assert_eq!(
            ";".parse::<DelimiterChoice>(),
            Ok(DelimiterChoice::Byte(b';'))
        );
        assert!("::".parse::<DelimiterChoice>().is_err());
    }

    #[test]
    fn encoding_names() {
        assert_eq!("UTF-8".parse::<EncodingChoice>(), Ok(EncodingChoice::Utf8));
        assert_eq!(
            "windows-1252".parse::<EncodingChoice>(),
            Ok(EncodingChoice::Windows1252)
        );
        assert!("latin9".parse::<EncodingChoice>().is_err());
    }
}
