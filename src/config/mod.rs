//! The pipeline config (`pipeline.toml`): which schema, which waves with which files and
//! column mappings, where outputs go, and the settings an analyst changes yearly.
//!
//! Paths inside the config are relative to the config file. Every problem is reported at
//! once; unknown keys are errors.

pub mod attribute;
pub mod drivers;
pub mod files;
mod meetings;
mod paths;
mod publication;
pub mod timeline;
mod waves;
mod weighting;

pub use meetings::{
    DEFAULT_MEETING_THRESHOLD, FeedbackSource, MIN_MEETING_THRESHOLD, MeetingsConfig, StepChange,
    UPTAKE_ID, parse_month_or_date,
};
pub use publication::{BENCHMARK_MARGIN, BenchmarkSettings, Publication, QuoteSettings};
pub use waves::{DelimiterChoice, EncodingChoice, Filters, LayoutChoice, Wave};
pub use weighting::{
    DEFAULT_MIN_CELL, MAX_RAKING_ITERATIONS, WEIGHTING_TOLERANCE, Weighting, WeightingMethod,
};

use crate::schema::Schema;
use crate::schema::toml_load::{Collector, FileProblems, Problem, check_top_level, parse_table};
use serde::Deserialize;

use crate::ids::WaveId;
use std::path::{Path, PathBuf};

/// The lowest anonymity threshold accepted for staff-survey figures.
pub const MIN_THRESHOLD: u32 = 5;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTolerance {
    #[serde(default)]
    max_rejected_pct: Option<f64>,
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
    /// Categories a cross publishes merged (`[[crosses]] collapse`).
    pub collapse: Vec<CrossCollapse>,
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
    /// A short report for each group of one breakdown (`[unit_reports]`), if configured.
    pub unit_reports: Option<publication::UnitReports>,
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
    crosses: Vec<toml::Value>,
    #[serde(default)]
    finite_population_correction: Option<bool>,
    #[serde(default)]
    baseline: Option<String>,
    #[serde(default)]
    deep_dives: Vec<String>,
}

/// A cross as written: `["directorate", "grade"]`, or a `[[crosses]]` table that may merge
/// some categories of its fields.
#[derive(Debug)]
enum RawCross {
    Pair([String; 2]),
    Table(RawCrossTable),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCrossTable {
    fields: [String; 2],
    #[serde(default)]
    collapse: std::collections::BTreeMap<String, Vec<Vec<String>>>,
}

/// Each cross as written, read one by one so that every malformed one is reported.
fn read_crosses(top: &RawTop, c: &mut Collector) -> Vec<RawCross> {
    let mut out = Vec::new();
    for (i, v) in top.crosses.iter().enumerate() {
        let at = format!("crosses[{}]", i + 1);
        let read = if v.is_table() {
            v.clone()
                .try_into::<RawCrossTable>()
                .map(RawCross::Table)
                .map_err(|e| e.message().to_string())
        } else {
            v.clone()
                .try_into::<[String; 2]>()
                .map(RawCross::Pair)
                .map_err(|_| {
                    "expected a pair of fields such as [\"directorate\", \"grade\"], or a table \
                     with `fields = [\"directorate\", \"grade\"]` and optionally \
                     `collapse = { grade = [[\"Scale 1-6\", \"SO1-SO2\"]] }`"
                        .to_string()
                })
        };
        match read {
            Ok(x) => out.push(x),
            Err(e) => c.push(at, e),
        }
    }
    out
}

impl RawCross {
    fn fields(&self) -> (String, String) {
        let [a, b] = match self {
            RawCross::Pair(f) => f,
            RawCross::Table(t) => &t.fields,
        };
        (a.clone(), b.clone())
    }
}

/// Categories of one field of a cross published merged: the cross (its index in
/// [`Config::crosses`]), the field (a demographic's index) and each merge's categories (their
/// indices in the schema, in schema order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrossCollapse {
    pub cross: usize,
    pub field: usize,
    pub merges: Vec<Vec<u32>>,
}

/// The config's sections as read, before checking.
struct Sections {
    waves: Vec<(usize, waves::RawWave)>,
    meetings: Option<meetings::RawMeetings>,
    tolerance: Option<RawTolerance>,
    weighting: Option<weighting::RawWeighting>,
    drivers: Option<drivers::RawDrivers>,
    publication: Option<publication::RawPublication>,
    quotes: Option<publication::RawQuotes>,
    benchmarks: Option<publication::RawBenchmarks>,
    attribute: Option<attribute::RawAttribute>,
    unit_reports: Option<publication::RawUnitReports>,
    top: Option<RawTop>,
}

/// The settings every config has at its top level.
const KNOWN: [&str; 19] = [
    "attribute_disclosure",
    "unit_reports",
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

impl Config {
    /// Read and check a pipeline config and the schemas it names; every problem is reported
    /// at once.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let (text, base, sections, top, mut c) = read_sections(path)?;
        let schema_path = base.join(&top.schema);
        let schema = load_schema(path, &schema_path, &mut c)?;
        let threshold = threshold(top.anonymity_threshold, &mut c);
        let breakdowns = top
            .breakdowns
            .clone()
            .unwrap_or_else(|| schema.demographic_ids());
        let (crosses, collapse) = crosses(&top, &schema, &breakdowns, &mut c);
        check_lists(&top.deep_dives, &breakdowns, &schema, &mut c);
        let max_rejected_pct = tolerance(sections.tolerance, &mut c);
        let store = base.join(&top.store);
        let waves = waves::survey_waves(
            sections.waves,
            &text,
            &schema,
            &schema_path,
            &base,
            &store,
            &mut c,
        );
        let weighting = sections
            .weighting
            .map(|w| weighting::build_weighting(w, &schema, &waves, &mut c));
        let drivers = drivers::build_drivers(sections.drivers, &schema, threshold, &mut c);
        let attribute_disclosure = attribute::build(sections.attribute, threshold, &mut c);
        weighting::check_margins_broken_down(weighting.as_ref(), &schema, &breakdowns, &mut c);
        let benchmarks = sections
            .benchmarks
            .map(|b| publication::build_benchmarks(b, &base, &schema, &breakdowns, &mut c));
        let quotes = sections
            .quotes
            .and_then(|q| publication::build_quotes(q, &base, &schema, &breakdowns, &mut c));
        let publication = sections.publication.map_or_else(Publication::default, |p| {
            publication::build_publication(p, &mut c)
        });
        let meetings = sections
            .meetings
            .and_then(|m| meetings::build(m, &base, &schema, &mut c));
        let unit_reports = sections
            .unit_reports
            .and_then(|u| publication::build_unit_reports(u, &schema, &breakdowns, &mut c));
        let baseline = baseline(top.baseline.as_deref(), &waves, &mut c);
        c.into_result(
            path,
            Config {
                deep_dives: top.deep_dives.clone(),
                unit_reports,
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
                collapse,
                fpc: top.finite_population_correction.unwrap_or(false),
                max_rejected_pct,
                waves,
            },
        )
        .map_err(ConfigError::Config)
    }
}

/// The config's text, its folder, its sections and top-level settings, and the problems found
/// in them so far; an error when the file cannot be read or parsed, or its top level is not
/// a config.
fn read_sections(
    path: &Path,
) -> Result<(String, PathBuf, Sections, RawTop, Collector), ConfigError> {
    let text = read_config(path)?;
    let base = path.parent().unwrap_or(Path::new("")).to_path_buf();
    let text = paths::accept_windows_paths(&text).into_owned();
    let table = parse_table(path, &text).map_err(ConfigError::Config)?;
    let mut c = Collector::default();
    let mut sections = take_sections(table, &mut c);
    let Some(top) = sections.top.take() else {
        return Err(ConfigError::Config(FileProblems {
            file: path.to_path_buf(),
            problems: c.problems,
        }));
    };
    Ok((text, base, sections, top, c))
}

/// The config file's text, or what stops it being read, in words.
fn read_config(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|e| {
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
    })
}

/// Every section, read into its raw form (problems collected, unknown keys reported).
fn take_sections(mut table: toml::Table, c: &mut Collector) -> Sections {
    check_top_level(&table, &KNOWN, c);
    // Reported above; drop them so every other setting is still checked.
    table.retain(|k, _| KNOWN.contains(&k));
    let mut section = |key: &str| table.remove(key);
    let waves = c.take_array_indexed("waves", section("waves"), true);
    let meetings = section("meetings").and_then(|v| c.take("meetings", v));
    let tolerance = section("tolerance").and_then(|v| c.take("tolerance", v));
    let weighting = section("weighting").and_then(|v| c.take("weighting", v));
    let drivers = section("drivers").and_then(|v| c.take("drivers", v));
    let publication = section("publication").and_then(|v| c.take("publication", v));
    let quotes = section("quotes").and_then(|v| c.take("quotes", v));
    let benchmarks = section("benchmarks").and_then(|v| c.take("benchmarks", v));
    let attribute = section("attribute_disclosure").and_then(|v| c.take("attribute_disclosure", v));
    let unit_reports = section("unit_reports").and_then(|v| c.take("unit_reports", v));
    let top = c.take("top level", toml::Value::Table(table));
    Sections {
        waves,
        meetings,
        tolerance,
        weighting,
        drivers,
        publication,
        quotes,
        benchmarks,
        attribute,
        unit_reports,
        top,
    }
}

/// The staff survey's schema; when it fails, the config's own problems are reported with it.
fn load_schema(path: &Path, schema_path: &Path, c: &mut Collector) -> Result<Schema, ConfigError> {
    match Schema::load(schema_path) {
        Ok(s) => Ok(s),
        Err(problems) if !c.is_empty() => {
            // Report the config's own problems too, not only the schema's.
            Err(ConfigError::Config(FileProblems {
                file: path.to_path_buf(),
                problems: std::mem::take(&mut c.problems)
                    .into_iter()
                    .chain(problems.problems.into_iter().map(|p| Problem {
                        location: format!("schema {}: {}", schema_path.display(), p.location),
                        message: p.message,
                    }))
                    .collect(),
            }))
        }
        Err(problems) => Err(ConfigError::Schema {
            config: path.to_path_buf(),
            problems,
        }),
    }
}

/// The anonymity threshold: the one set, or the default; never below the floor.
fn threshold(set: Option<u32>, c: &mut Collector) -> u32 {
    let threshold = set.unwrap_or(DEFAULT_THRESHOLD);
    if threshold < MIN_THRESHOLD {
        c.push(
            "anonymity_threshold",
            format!(
                "{threshold} is below the floor of {MIN_THRESHOLD}: a figure on fewer people can \
                 single someone out; use at least {MIN_THRESHOLD} (10 is the default)"
            ),
        );
    }
    threshold
}

/// The crosses as written and the categories they merge, checked.
fn crosses(
    top: &RawTop,
    schema: &Schema,
    breakdowns: &[String],
    c: &mut Collector,
) -> (Vec<(String, String)>, Vec<CrossCollapse>) {
    let raw = read_crosses(top, c);
    let crosses = check_crosses(&raw, schema, breakdowns, c);
    (crosses, check_collapse(&raw, schema, c))
}

/// The deep dives' indicators, then the breakdowns' fields, are the schema's.
fn check_lists(deep_dives: &[String], breakdowns: &[String], schema: &Schema, c: &mut Collector) {
    check_deep_dives(deep_dives, schema, c);
    check_breakdowns(breakdowns, schema, c);
}

/// The two-way crosses: each pair of known, broken-down fields, once.
fn check_crosses(
    raw: &[RawCross],
    schema: &Schema,
    breakdowns: &[String],
    c: &mut Collector,
) -> Vec<(String, String)> {
    let crosses: Vec<(String, String)> = raw.iter().map(RawCross::fields).collect();
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
    crosses
}

/// The merges `[[crosses]]` tables declare: each of a field of its cross, each of at least
/// two of the field's categories, none in two merges, and not all of them in one.
fn check_collapse(raw: &[RawCross], schema: &Schema, c: &mut Collector) -> Vec<CrossCollapse> {
    let mut out = Vec::new();
    for (i, cross) in raw.iter().enumerate() {
        let RawCross::Table(t) = cross else { continue };
        let [a, b] = &t.fields;
        let at = format!("crosses[{}] ([\"{a}\", \"{b}\"])", i + 1);
        for (field, merges) in &t.collapse {
            if field != a && field != b {
                c.push(
                    &at,
                    format!(
                        "collapse names `{field}`, which is not one of this cross's fields; \
                         merge categories of `{a}` or `{b}`"
                    ),
                );
                continue;
            }
            let Some(d) = schema.demographic(field) else {
                continue; // reported with the cross
            };
            let dem = &schema.demographics[d];
            let mut seen: Vec<u32> = Vec::new();
            let mut resolved = Vec::new();
            for merge in merges {
                let mut members = merge_members(merge, (field, dem), &mut seen, &at, c);
                members.sort_unstable();
                resolved.push(members);
            }
            if !resolved.is_empty() {
                out.push(CrossCollapse {
                    cross: i,
                    field: d,
                    merges: resolved,
                });
            }
        }
    }
    out
}

/// One merge's categories (schema indices), each problem reported at `at`: a label that is not
/// a category, one past the categories a merge can hold, one already merged (`seen`), fewer
/// than two, or every category of the field.
fn merge_members(
    merge: &[String],
    (field, dem): (&str, &crate::schema::Demographic),
    seen: &mut Vec<u32>,
    at: &str,
    c: &mut Collector,
) -> Vec<u32> {
    let mut members = Vec::new();
    for label in merge {
        match dem.category_of(label) {
            None => c.push(
                at,
                format!(
                    "collapse: \"{label}\" is not a category of `{field}`; its \
                     categories are: {}",
                    dem.categories.join(", ")
                ),
            ),
            Some(k) if k as u32 >= crate::schema::MERGEABLE => c.push(
                at,
                format!(
                    "collapse: \"{label}\" is category {} of `{field}`; only its \
                     first {} categories can be merged",
                    k + 1,
                    crate::schema::MERGEABLE
                ),
            ),
            Some(k) if seen.contains(&(k as u32)) => c.push(
                at,
                format!(
                    "collapse: \"{label}\" is in two merges of `{field}` (or twice \
                     in one); a category can be merged once"
                ),
            ),
            Some(k) => {
                seen.push(k as u32);
                members.push(k as u32);
            }
        }
    }
    if merge.len() < 2 {
        c.push(
            at,
            format!(
                "collapse: [{}] merges fewer than two categories of `{field}`; \
                 list at least two, e.g. [\"{}\", \"{}\"]",
                quoted(merge),
                dem.categories.first().map_or("", String::as_str),
                dem.categories.get(1).map_or("", String::as_str)
            ),
        );
    } else if members.len() == dem.categories.len() {
        c.push(
            at,
            format!(
                "collapse merges every category of `{field}`, so the cross would \
                 only repeat the one-way results of the other field; leave `{field}` \
                 out of the cross instead"
            ),
        );
    }
    members
}

/// `"a", "b"`.
fn quoted(labels: &[String]) -> String {
    labels
        .iter()
        .map(|l| format!("\"{l}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

fn check_deep_dives(deep_dives: &[String], schema: &Schema, c: &mut Collector) {
    for d in deep_dives {
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
}

fn check_breakdowns(breakdowns: &[String], schema: &Schema, c: &mut Collector) {
    for b in breakdowns {
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
}

/// `[tolerance] max_rejected_pct`: a percentage, 0 by default.
fn tolerance(t: Option<RawTolerance>, c: &mut Collector) -> f64 {
    let max_rejected_pct = t.and_then(|t| t.max_rejected_pct).unwrap_or(0.0);
    if !(0.0..=100.0).contains(&max_rejected_pct) {
        c.push(
            "tolerance.max_rejected_pct",
            "must be a percentage between 0 and 100",
        );
    }
    max_rejected_pct
}

/// The baseline wave: the one named, or the first in time.
fn baseline(named: Option<&str>, waves: &[Wave], c: &mut Collector) -> WaveId {
    match named {
        Some(b) => {
            if !waves.iter().any(|w: &Wave| w.id == b) {
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
            WaveId::new(b)
        }
        None => waves
            .first()
            .map(|w| WaveId::new(w.id.as_str()))
            .unwrap_or_default(),
    }
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
