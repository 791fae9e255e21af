//! `[weighting]`: raking or post-stratifying each wave to its HR margins.

use super::Wave;
use crate::schema::Schema;
use crate::schema::toml_load::Collector;
use serde::Deserialize;

/// The most raking iterations accepted (each is a pass over every respondent).
pub const MAX_RAKING_ITERATIONS: usize = 100_000;

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
    /// Post-stratification's smallest cell (`None` for raking, which has no cells).
    pub fn min_cell(self) -> Option<u64> {
        match self {
            WeightingMethod::Cells { min_cell } => Some(min_cell),
            WeightingMethod::Rake => None,
        }
    }

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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWeighting {
    method: String,
    margins: Vec<String>,
    #[serde(default)]
    trim: Option<[f64; 2]>,
    #[serde(default)]
    max_iterations: Option<usize>,
    #[serde(default)]
    min_cell: Option<u64>,
}

pub(super) fn build_weighting(
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
    let margins = margins(&w.margins, schema, c);
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
    check_headcounts(waves, c);
    Weighting {
        method,
        margins,
        trim,
        max_iterations: w.max_iterations.unwrap_or(10_000),
    }
}

/// The weighting's margins: demographic fields, each once.
fn margins(named: &[String], schema: &Schema, c: &mut Collector) -> Vec<usize> {
    let mut margins = Vec::new();
    for m in named {
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
    margins
}

/// Weighting needs every wave's HR headcount.
fn check_headcounts(waves: &[Wave], c: &mut Collector) {
    for wave in waves {
        if wave.headcount.is_none() {
            c.push(
                format!("waves ({})", wave.id),
                "weighting needs the wave's HR headcount: add `headcount = \"...\"` (a CSV with the margins' fields and a headcount column)",
            );
        }
    }
}

/// Every weighted margin must be a breakdown: the weighting diagnostics are published by its
/// groups.
pub(super) fn check_margins_broken_down(
    weighting: Option<&Weighting>,
    schema: &Schema,
    breakdowns: &[String],
    c: &mut Collector,
) {
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
}
