//! How the council compares: the latest wave's published figures against external benchmarks
//! (the Civil Service median) and, for a multi-organisation export, against the median of the
//! organisations. Withheld figures stay withheld; the benchmark itself is public.

use super::Evidence;
use super::dims::group_key;
use crate::compare::Measure;
use crate::compare::benchmarks::{Against, BenchmarkComparison};
use crate::report::registry::published_table;
use crate::report::registry::{Figure, InUnit};

/// The key of an internal benchmark (not a published source).
pub const ORGANISATION_MEDIAN: &str = "median_of_organisations";

published_table! {
    /// One question against one benchmark.
    pub struct FactItemBenchmark in "fact_item_benchmarks" {
        title: "Questions against benchmarks",
        grain: "One row per wave × question × group of staff × benchmark, for the latest wave: the whole organisation against each external benchmark, and each organisation (multi-organisation exports) against each external benchmark and the median of the organisations.",
        primary_key: ["wave_id", "question_id", "group_key", "benchmark_key"],
        foreign_keys: [
            "wave_id" -> "dim_wave"."wave_id",
            "question_id" -> "dim_question"."question_id",
            "group_key" -> "dim_group"."group_key",
            "suppression_reason" -> "dim_suppression_reason"."suppression_reason",
        ],
        disclosure: Disclosure::Figures { threshold: Threshold::Staff, additive: None },
        columns: {
            wave_id: String => (Key, Plain, "", "The wave (the latest)."),
            question_id: String => (Key, Plain, "", "The question compared."),
            group_key: String => (Key, Plain, "", "`overall`, or one organisation (`organisation=...`) in a multi-organisation export."),
            benchmark_key: String => (Key, Plain, "", "`SOURCE:ID` of the external benchmark (e.g. `CSPS:B47`), or `median_of_organisations`."),
            benchmark_source: String => (Attribute, Plain, "", "Who published the benchmark (`CSPS` = Civil Service People Survey), or `Median of organisations`."),
            benchmark_label: String => (Attribute, Plain, "", "The benchmark's wording or name as published."),
            benchmark_year: Option<u32> => (Attribute, Plain, "", "The benchmark's survey year: the latest not after this wave's fieldwork."),
            benchmark_value: f64 => (Attribute, D1, "%", "The benchmark's value: public (as published, rounded at source) or the median of published figures, so shown on every row."),
            benchmark_organisations: Option<u64> => (Attribute, Plain, "organisations", "Organisations behind the benchmark where known (for the median of organisations: those whose figure is published)."),
            n: Figure<u64> => (Count, Plain, "answers", "The council's (or organisation's) valid answers."),
            value: Figure<f64> => (Value, D1, "%", "The council's (or organisation's) figure, as in the results table."),
            ci_low: Figure<f64> => (Value, D1, "%", "Lower end of its 95% interval."),
            ci_high: Figure<f64> => (Value, D1, "%", "Upper end of its 95% interval."),
            difference: Figure<f64> => (Value, D1, "%", "value − benchmark_value (percentage points for percentages)."),
            outside_interval: Figure<bool> => (Attribute, Plain, "", "TRUE when the benchmark lies outside the figure's 95% interval: a difference unlikely to be sampling noise alone."),
            standing: Figure<String> => (Attribute, Plain, "", "`better` or `worse`: the figure differs from the benchmark by at least `margin` in the direction that is good (or bad) news and the benchmark is outside the 95% interval; otherwise `similar`."),
            margin: f64 => (Attribute, D1, "points", "The practical margin a difference must reach for `better` or `worse` (`[benchmarks] margin`, default 2 points, as Civil Service People Survey reporting)."),
            percentile: Figure<f64> => (Value, D1, "percentile", "Where the figure falls among the organisations behind the benchmark (external benchmarks whose file gives each organisation's score): the % of organisations scoring below it plus half of those scoring the same, with the figure rounded to whole points as the organisations' scores are published. Empty without a spread."),
            quartile_band: Figure<String> => (Value, Plain, "", "`lowest_quarter` (percentile under 25), `middle_half` or `highest_quarter` (over 75: a high performer when higher is better; for measures where lower is better the highest quarter of scores is the worst). Empty without a spread."),
            spread_organisations: Option<u64> => (Attribute, Plain, "organisations", "How many organisations' scores the percentile is taken among."),
            suppressed: bool => (Suppressed, Plain, "", "The council's figures in this row are withheld: empty in CSV and Parquet (`[c]` in text columns and the workbook)."),
            suppression_reason: Option<String> => (Reason, Plain, "", "`primary`, `secondary`, `cross_dropped` or `small_organisation`; empty when published."),
        }
    }
}

published_table! {
    /// One indicator against one benchmark.
    pub struct FactIndicatorBenchmark in "fact_indicator_benchmarks" {
        title: "Indicators against benchmarks",
        grain: "One row per wave × indicator × group of staff × benchmark, for the latest wave: the whole organisation against each external benchmark, and each organisation (multi-organisation exports) against each external benchmark and the median of the organisations.",
        primary_key: ["wave_id", "indicator_id", "group_key", "benchmark_key"],
        foreign_keys: [
            "wave_id" -> "dim_wave"."wave_id",
            "indicator_id" -> "dim_indicator"."indicator_id",
            "group_key" -> "dim_group"."group_key",
            "suppression_reason" -> "dim_suppression_reason"."suppression_reason",
        ],
        disclosure: Disclosure::Figures { threshold: Threshold::Staff, additive: None },
        columns: {
            wave_id: String => (Key, Plain, "", "The wave (the latest)."),
            indicator_id: String => (Key, Plain, "", "The indicator compared."),
            group_key: String => (Key, Plain, "", "`overall`, or one organisation (`organisation=...`) in a multi-organisation export."),
            benchmark_key: String => (Key, Plain, "", "`SOURCE:ID` of the external benchmark (e.g. `CSPS:B47`), or `median_of_organisations`."),
            benchmark_source: String => (Attribute, Plain, "", "Who published the benchmark (`CSPS` = Civil Service People Survey), or `Median of organisations`."),
            benchmark_label: String => (Attribute, Plain, "", "The benchmark's wording or name as published."),
            benchmark_year: Option<u32> => (Attribute, Plain, "", "The benchmark's survey year: the latest not after this wave's fieldwork."),
            benchmark_value: InUnit => (Attribute, Unit, "", "The benchmark's value: public (as published, rounded at source) or the median of published figures, so shown on every row."),
            benchmark_organisations: Option<u64> => (Attribute, Plain, "organisations", "Organisations behind the benchmark where known (for the median of organisations: those whose figure is published)."),
            n: Figure<u64> => (Count, Plain, "answers", "The council's (or organisation's) valid answers."),
            value: Figure<InUnit> => (Value, Unit, "", "The council's (or organisation's) figure, as in the results table."),
            ci_low: Figure<InUnit> => (Value, Unit, "", "Lower end of its 95% interval."),
            ci_high: Figure<InUnit> => (Value, Unit, "", "Upper end of its 95% interval."),
            difference: Figure<InUnit> => (Value, Unit, "", "value − benchmark_value (percentage points for percentages)."),
            outside_interval: Figure<bool> => (Attribute, Plain, "", "TRUE when the benchmark lies outside the figure's 95% interval: a difference unlikely to be sampling noise alone."),
            standing: Figure<String> => (Attribute, Plain, "", "`better` or `worse`: the figure differs from the benchmark by at least `margin` in the direction that is good (or bad) news and the benchmark is outside the 95% interval; otherwise `similar`."),
            margin: f64 => (Attribute, D1, "points", "The practical margin a difference must reach for `better` or `worse` (`[benchmarks] margin`, default 2 points, as Civil Service People Survey reporting)."),
            percentile: Figure<f64> => (Value, D1, "percentile", "Where the figure falls among the organisations behind the benchmark (external benchmarks whose file gives each organisation's score): the % of organisations scoring below it plus half of those scoring the same, with the figure rounded to whole points as the organisations' scores are published. Empty without a spread."),
            quartile_band: Figure<String> => (Value, Plain, "", "`lowest_quarter` (percentile under 25), `middle_half` or `highest_quarter` (over 75: a high performer when higher is better; for measures where lower is better the highest quarter of scores is the worst). Empty without a spread."),
            spread_organisations: Option<u64> => (Attribute, Plain, "organisations", "How many organisations' scores the percentile is taken among."),
            suppressed: bool => (Suppressed, Plain, "", "The council's figures in this row are withheld: empty in CSV and Parquet (`[c]` in text columns and the workbook)."),
            suppression_reason: Option<String> => (Reason, Plain, "", "`primary`, `secondary`, `cross_dropped` or `small_organisation`; empty when published."),
        }
    }
}

struct Common {
    wave_id: String,
    group_key: String,
    benchmark_key: String,
    benchmark_source: String,
    benchmark_label: String,
    benchmark_year: Option<u32>,
    benchmark_organisations: Option<u64>,
    n: Figure<u64>,
    outside_interval: Figure<bool>,
    standing: Figure<String>,
    suppressed: bool,
    suppression_reason: Option<String>,
}

fn common(e: &Evidence, c: &BenchmarkComparison) -> Common {
    let schema = &e.config.schema;
    let hidden = c.suppression.is_some();
    let (key, source, label, year, orgs) = match &c.against {
        Against::External(b) => (
            format!("{}:{}", b.source, b.id),
            b.source.clone(),
            b.label.clone(),
            u32::try_from(b.year).ok(),
            b.n,
        ),
        Against::OrganisationMedian { organisations, .. } => (
            ORGANISATION_MEDIAN.to_string(),
            "Median of organisations".to_string(),
            format!(
                "Median of the {organisations} organisations' published figures in this survey"
            ),
            e.config
                .waves
                .last()
                .and_then(|w| w.fieldwork)
                .and_then(|f| u32::try_from(chrono::Datelike::year(&f.start)).ok()),
            Some(*organisations as u64),
        ),
    };
    Common {
        wave_id: c.wave.to_string(),
        group_key: group_key(schema, c.breakdown, c.group),
        benchmark_key: key,
        benchmark_source: source,
        benchmark_label: label,
        benchmark_year: year,
        benchmark_organisations: orgs,
        n: Figure::of(c.n, hidden),
        outside_interval: Figure::of(c.outside_interval(), hidden),
        standing: Figure::of(c.standing(schema).map(|s| s.code().to_string()), hidden),
        suppressed: hidden,
        suppression_reason: super::suppression(c.suppression),
    }
}

pub fn item_benchmarks(e: &Evidence) -> Vec<FactItemBenchmark> {
    let schema = &e.config.schema;
    e.benchmarks
        .iter()
        .filter_map(|c| {
            let Measure::Question(q) = c.measure else {
                return None;
            };
            let k = common(e, c);
            let hidden = k.suppressed;
            let f = |v: Option<f64>| Figure::of(v, hidden);
            Some(FactItemBenchmark {
                wave_id: k.wave_id,
                question_id: schema.questions[q].id.clone(),
                group_key: k.group_key,
                benchmark_key: k.benchmark_key,
                benchmark_source: k.benchmark_source,
                benchmark_label: k.benchmark_label,
                benchmark_year: k.benchmark_year,
                benchmark_value: c.against.value(),
                benchmark_organisations: k.benchmark_organisations,
                n: k.n,
                value: f(c.figure.map(|x| x.value)),
                ci_low: f(c.figure.and_then(|x| x.ci).map(|ci| ci.0)),
                ci_high: f(c.figure.and_then(|x| x.ci).map(|ci| ci.1)),
                difference: f(c.difference()),
                outside_interval: k.outside_interval,
                standing: k.standing,
                margin: c.margin,
                percentile: f(c.percentile()),
                quartile_band: Figure::of(c.band().map(|b| b.code().to_string()), hidden),
                spread_organisations: c.spread.as_ref().map(|s| s.len() as u64),
                suppressed: k.suppressed,
                suppression_reason: k.suppression_reason,
            })
        })
        .collect()
}

pub fn indicator_benchmarks(e: &Evidence) -> Vec<FactIndicatorBenchmark> {
    let schema = &e.config.schema;
    e.benchmarks
        .iter()
        .filter_map(|c| {
            let Measure::Indicator(i) = c.measure else {
                return None;
            };
            let decimals = schema.indicators[i].method.decimals();
            let k = common(e, c);
            let hidden = k.suppressed;
            let u = |v: Option<f64>| Figure::of(v.map(|value| InUnit { value, decimals }), hidden);
            Some(FactIndicatorBenchmark {
                wave_id: k.wave_id,
                indicator_id: schema.indicators[i].id.clone(),
                group_key: k.group_key,
                benchmark_key: k.benchmark_key,
                benchmark_source: k.benchmark_source,
                benchmark_label: k.benchmark_label,
                benchmark_year: k.benchmark_year,
                benchmark_value: InUnit {
                    value: c.against.value(),
                    decimals,
                },
                benchmark_organisations: k.benchmark_organisations,
                n: k.n,
                value: u(c.figure.map(|x| x.value)),
                ci_low: u(c.figure.and_then(|x| x.ci).map(|ci| ci.0)),
                ci_high: u(c.figure.and_then(|x| x.ci).map(|ci| ci.1)),
                difference: u(c.difference()),
                outside_interval: k.outside_interval,
                standing: k.standing,
                margin: c.margin,
                percentile: Figure::of(c.percentile(), hidden),
                quartile_band: Figure::of(c.band().map(|b| b.code().to_string()), hidden),
                spread_organisations: c.spread.as_ref().map(|s| s.len() as u64),
                suppressed: k.suppressed,
                suppression_reason: k.suppression_reason,
            })
        })
        .collect()
}
