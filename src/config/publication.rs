//! What the pack says about itself and what it adds: `[publication]` (organisation, title,
//! status, contact, date), `[quotes]` (the internal quotes page) and `[benchmarks]`.

use crate::schema::Schema;
use crate::schema::toml_load::Collector;
use serde::Deserialize;
use std::path::{Path, PathBuf};

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
pub(super) struct RawPublication {
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
pub(super) struct RawQuotes {
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
pub(super) struct RawBenchmarks {
    #[serde(default)]
    files: Vec<String>,
    #[serde(default)]
    organisation: Option<String>,
    #[serde(default)]
    margin: Option<f64>,
}

/// Default practical margin for a benchmark standing, in points (CSPS reporting: 2).
pub const BENCHMARK_MARGIN: f64 = 2.0;

/// `[benchmarks]`: the files (relative to the config) and the organisation field.
pub(super) fn build_benchmarks(
    b: RawBenchmarks,
    base: &Path,
    schema: &Schema,
    breakdowns: &[String],
    c: &mut Collector,
) -> BenchmarkSettings {
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
}

/// `[quotes]`: the names file to redact and the field quotes are grouped by.
pub(super) fn build_quotes(
    q: RawQuotes,
    base: &Path,
    schema: &Schema,
    breakdowns: &[String],
    c: &mut Collector,
) -> Option<QuoteSettings> {
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
}

/// `[publication]`: the cover's details, blanks dropped.
pub(super) fn build_publication(p: RawPublication, c: &mut Collector) -> Publication {
    let published = p
        .published
        .as_ref()
        .and_then(|v| match super::timeline::date_value(v) {
            Ok(d) => Some(d),
            Err(e) => {
                c.push("publication.published", e);
                None
            }
        });
    let text = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    Publication {
        organisation: text(p.organisation),
        title: text(p.title),
        status: text(p.status),
        contact: text(p.contact),
        published,
    }
}

/// `[unit_reports]`: a short report for each group of one breakdown (each directorate), beside
/// the organisation's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitReports {
    /// Schema demographic index of the breakdown whose groups get a report.
    pub breakdown: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawUnitReports {
    breakdown: String,
}

/// The breakdown must be a demographic field the pack breaks results down by.
pub(super) fn build_unit_reports(
    u: RawUnitReports,
    schema: &Schema,
    breakdowns: &[String],
    c: &mut Collector,
) -> Option<UnitReports> {
    match schema.demographic(&u.breakdown) {
        Some(d) if breakdowns.contains(&u.breakdown) => Some(UnitReports { breakdown: d }),
        _ => {
            c.push(
                "unit_reports.breakdown",
                format!(
                    "`{}` is not a demographic field in `breakdowns`; choose one of: {}",
                    u.breakdown,
                    breakdowns.join(", ")
                ),
            );
            None
        }
    }
}
