//! The published data model: a star schema for Power BI, built from protected results only.
//!
//! Dimensions (`dim_*`, `bridge_*`) describe waves, questions, indicators, groups, months,
//! quarters, committees and imported files, with labels and sort orders; facts (`fact_*`) hold
//! one grain each and point at dimensions by key; `run_info` says which run wrote the pack.
//! Every table is declared once (see [`registry`](super::registry)); every writer and the
//! audit follow those declarations, and the report reads these typed rows.

pub mod benchmarks;
pub mod codes;
pub mod comments;
pub mod dims;
pub mod drivers;
pub mod feedback;
pub mod loss;
pub mod staff;
pub mod weighting;
pub mod with_change;

pub use benchmarks::{FactIndicatorBenchmark, FactItemBenchmark};
pub use codes::{DimComparison, DimQuadrant, DimSuppressionReason, DimVerdict};
pub use comments::{DimCommentTheme, FactCommentTheme};
pub use dims::*;
pub use drivers::{FactDriver, FactDriverGroup};
pub use feedback::*;
pub use loss::FactDisclosureSummary;
pub use staff::*;
pub use weighting::{FactWeightingMargin, FactWeightingSummary};
pub use with_change::FactIndicatorResultWithChange;

use super::registry::{Row, Table, TableData};
use crate::calendar::YearMonth;
use crate::compare::Delta;
use crate::config::Config;
use crate::disclosure::ProtectedTables;
use crate::disclosure::Suppression;
use crate::ids::WaveId;
use crate::import::WaveImport;
use crate::indicators::statistics::Populations;
use crate::indicators::{Breakdown, Group};
use crate::meetings::Feedback;
use crate::report::registry::published_table;
use std::collections::BTreeSet;
use std::collections::HashMap;

published_table! {
    /// Which run wrote the pack, with the settings that shaped it.
    pub struct RunInfo in "run_info" {
        title: "This run",
        grain: "One row: the run that wrote these tables.",
        primary_key: ["run_id"],
        foreign_keys: [
            "latest_wave_id" -> "dim_wave"."wave_id",
            "baseline_wave_id" -> "dim_wave"."wave_id",
        ],
        disclosure: Disclosure::None,
        columns: {
            run_id: String => (Key, Plain, "", "The run's id: the latest wave and a fingerprint of the tool, config, schemas and every input (the run's folder name)."),
            tool_version: String => (Attribute, Plain, "", "culture-metrics version."),
            config_sha256: String => (Attribute, Plain, "", "SHA-256 of the pipeline config (manifest.json has every input's)."),
            latest_wave_id: Option<String> => (Key, Plain, "", "The latest wave."),
            baseline_wave_id: Option<String> => (Key, Plain, "", "The baseline wave."),
            waves: u32 => (Attribute, Plain, "waves", "Staff-survey waves in the pack."),
            anonymity_threshold: u32 => (Attribute, Plain, "answers", "No staff-survey figure rests on fewer valid answers than this."),
            feedback_threshold: Option<u32> => (Attribute, Plain, "forms", "No meeting-feedback figure rests on fewer forms or answers than this."),
            min_respondents_for_breakdowns: u64 => (Attribute, Plain, "respondents", "A wave with fewer respondents publishes no breakdowns."),
            finite_population_correction: bool => (Attribute, Plain, "", "The intervals of levels use the finite population correction where the HR headcount is known (assuming those who answered are a random sample of staff); change tests never do."),
            significance_level: f64 => (Attribute, D2, "", "Changes are called improved or declined when their Benjamini-Hochberg q-value is below this."),
        }
    }
}

/// The months of the fieldwork and of member feedback, and their quarters.
fn months_and_quarters(e: &Evidence, waves: &[DimWave]) -> (Vec<DimMonth>, Vec<DimQuarter>) {
    let mut months: Vec<YearMonth> = waves
        .iter()
        .flat_map(|w| {
            [
                YearMonth::of(w.fieldwork_start),
                YearMonth::of(w.fieldwork_end),
            ]
        })
        .collect();
    let mut baseline = Vec::new();
    if let Some(fb) = e.feedback {
        months.extend(fb.months.iter().copied());
        baseline = fb.baseline.clone();
    }
    dims::dim_month(&months, &baseline)
}

/// The committees in the meeting register, with how many meetings each held.
fn dim_committees(e: &Evidence) -> Vec<DimCommittee> {
    e.feedback.map_or_else(Vec::new, |fb| {
        fb.committees
            .iter()
            .enumerate()
            .map(|(i, (name, held))| DimCommittee {
                committee_id: name.clone(),
                committee_name: name.clone(),
                meetings_in_register: *held,
                sort_order: i as u32 + 1,
            })
            .collect()
    })
}

/// Every imported file: the survey's waves, then member feedback's sources, each with its
/// source id and (for a survey) its wave.
fn import_sources<'a>(
    e: &Evidence<'a>,
) -> Vec<(String, &'a crate::import::WaveImport, Option<String>)> {
    let schema = &e.config.schema;
    let feedback_schema = e.config.meetings.as_ref().map(|m| &m.schema);
    e.imports
        .iter()
        .map(|w| (staff::source_id(&schema.id, w), w, Some(w.wave.clone())))
        .chain(e.feedback.into_iter().flat_map(|fb| {
            let id = feedback_schema.map_or("member-feedback", |s| s.id.as_str());
            fb.imports
                .iter()
                .map(move |w| (staff::source_id(id, w), w, None))
        }))
        .collect()
}

/// `dim_import_source`: each file's reading and row accounting.
fn dim_import_sources(
    sources: &[(String, &crate::import::WaveImport, Option<String>)],
) -> Vec<DimImportSource> {
    sources
        .iter()
        .enumerate()
        .map(|(i, (id, w, wave))| DimImportSource {
            source_id: id.clone(),
            survey_id: id.split('/').next().unwrap_or_default().to_string(),
            wave_id: wave.clone(),
            file: w
                .file
                .file_name()
                .map_or_else(String::new, |f| f.to_string_lossy().into_owned()),
            layout: w.layout.config_name().to_string(),
            encoding: w
                .encoding
                .split(" (")
                .next()
                .unwrap_or_default()
                .to_string(),
            rows_in: w.rows_in as u64,
            accepted: w.accepted() as u64,
            excluded: w.count(crate::import::Outcome::Excluded) as u64,
            rejected: w.count(crate::import::Outcome::Rejected) as u64,
            rejected_pct: w.rejected_pct(),
            sort_order: i as u32 + 1,
        })
        .collect()
}

/// The run's own row: ids, thresholds and settings.
fn run_info(e: &Evidence) -> RunInfo {
    let config = e.config;
    RunInfo {
        run_id: e.run_id.to_string(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        config_sha256: e.config_sha256.to_string(),
        latest_wave_id: e.waves.last().map(ToString::to_string),
        baseline_wave_id: Some(config.baseline.to_string()),
        waves: e.waves.len() as u32,
        anonymity_threshold: config.anonymity_threshold,
        feedback_threshold: config.meetings.as_ref().map(|m| m.threshold),
        min_respondents_for_breakdowns: crate::disclosure::MIN_RESPONDENTS_FOR_BREAKDOWNS,
        finite_population_correction: config.fpc,
        significance_level: crate::compare::ALPHA,
    }
}

#[cfg(test)]
impl RunInfo {
    /// A run row for tests; its config hash looks like a formula, to test the writers' guard.
    pub fn example() -> RunInfo {
        RunInfo {
            run_id: "2026-abc".into(),
            tool_version: "0".into(),
            config_sha256: "=HYPERLINK(1)".into(),
            latest_wave_id: None,
            baseline_wave_id: Some("2025".into()),
            waves: 2,
            anonymity_threshold: 10,
            feedback_threshold: None,
            min_respondents_for_breakdowns: 30,
            finite_population_correction: true,
            significance_level: 0.05,
        }
    }
}

/// Everything the pack is written from: the config and the protected results.
pub struct Evidence<'a> {
    pub config: &'a Config,
    /// Survey waves in time order.
    pub waves: &'a [WaveId],
    /// The breakdowns results were computed for, in publication order.
    pub breakdowns: &'a [Breakdown],
    pub imports: &'a [WaveImport],
    pub tables: &'a ProtectedTables,
    pub deltas: &'a [Delta],
    /// Each wave's workforce from its HR headcount (for response rates).
    pub workforce: &'a HashMap<WaveId, Populations<'a>>,
    pub feedback: Option<&'a Feedback>,
    /// Indicators (indices into the schema) that get a deep dive.
    pub deep_dives: &'a [usize],
    /// The run's id and the config's SHA-256, for `run_info`.
    pub run_id: &'a str,
    pub config_sha256: &'a str,
    /// Each wave's non-response weights (`None` everywhere without `[weighting]`).
    pub weights: &'a [Option<crate::weighting::WaveWeights>],
    /// The latest wave against external benchmarks and the median of organisations.
    pub benchmarks: &'a [crate::compare::benchmarks::BenchmarkComparison],
    /// The opt-in quotes file (Markdown, internal use), when `[quotes]` is configured.
    pub quotes: Option<&'a str>,
}

/// Every table of the pack, typed.
#[derive(Default)]
pub struct Model {
    pub waves: Vec<DimWave>,
    pub questions: Vec<DimQuestion>,
    pub indicators: Vec<DimIndicator>,
    pub indicator_questions: Vec<BridgeIndicatorQuestion>,
    pub groups: Vec<DimGroup>,
    pub months: Vec<DimMonth>,
    pub quarters: Vec<DimQuarter>,
    pub committees: Vec<DimCommittee>,
    pub import_sources: Vec<DimImportSource>,
    pub item_results: Vec<FactItemResult>,
    pub indicator_results: Vec<FactIndicatorResult>,
    pub response_rates: Vec<FactResponseRate>,
    pub item_changes: Vec<FactItemChange>,
    pub indicator_changes: Vec<FactIndicatorChange>,
    pub indicator_results_with_change: Vec<FactIndicatorResultWithChange>,
    pub feedback: FeedbackFacts,
    pub import_reconciliation: Vec<FactImportReconciliation>,
    /// Respondents behind each results table's secondary cells, by level.
    pub behind: loss::Behind,
    pub weighting_margins: Vec<FactWeightingMargin>,
    pub weighting_summary: Vec<FactWeightingSummary>,
    pub drivers: Vec<FactDriver>,
    pub driver_groups: Vec<FactDriverGroup>,
    pub item_benchmarks: Vec<FactItemBenchmark>,
    pub indicator_benchmarks: Vec<FactIndicatorBenchmark>,
    pub comment_theme_dim: Vec<DimCommentTheme>,
    pub comment_themes: Vec<FactCommentTheme>,
    pub run: Vec<RunInfo>,
}

/// Every published table's declaration, in the order the pack lists them.
pub fn registry() -> Vec<&'static Table> {
    vec![
        DimWave::table(),
        DimQuestion::table(),
        DimIndicator::table(),
        BridgeIndicatorQuestion::table(),
        DimGroup::table(),
        DimMonth::table(),
        DimQuarter::table(),
        DimCommittee::table(),
        DimFeedbackGroup::table(),
        DimImportSource::table(),
        DimCommentTheme::table(),
        DimVerdict::table(),
        DimQuadrant::table(),
        DimComparison::table(),
        DimSuppressionReason::table(),
        FactItemResult::table(),
        FactIndicatorResult::table(),
        FactResponseRate::table(),
        FactWeightingMargin::table(),
        FactWeightingSummary::table(),
        FactItemChange::table(),
        FactIndicatorChange::table(),
        FactIndicatorResultWithChange::table(),
        FactDriver::table(),
        FactDriverGroup::table(),
        FactItemBenchmark::table(),
        FactIndicatorBenchmark::table(),
        FactCommentTheme::table(),
        FactFeedbackUptakeMonth::table(),
        FactFeedbackUptakeQuarter::table(),
        FactFeedbackItemMonth::table(),
        FactFeedbackItemQuarter::table(),
        FactFeedbackIndicatorMonth::table(),
        FactFeedbackIndicatorQuarter::table(),
        FactFeedbackSpc::table(),
        FactImportReconciliation::table(),
        FactDisclosureSummary::table(),
        RunInfo::table(),
    ]
}

/// The code of a suppression reason, as published.
pub(crate) fn suppression(s: Option<Suppression>) -> Option<String> {
    s.map(|s| s.code().to_string())
}

/// `Grade` → `grade` (but `LGBT` stays).
pub fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) if a.is_uppercase() && !b.is_uppercase() => {
            a.to_lowercase().chain(s.chars().skip(1)).collect()
        }
        _ => s.to_string(),
    }
}

/// Groups in publication order: the config's breakdowns in order, categories in schema order,
/// Not stated last.
fn staff_groups(e: &Evidence) -> Vec<(Breakdown, Group)> {
    let t = e.tables;
    let seen: BTreeSet<(Breakdown, Group)> = t
        .items
        .iter()
        .map(|p| (p.breakdown, p.group))
        .chain(t.indicators.iter().map(|p| (p.breakdown, p.group)))
        .chain(t.responses.iter().map(|p| (p.breakdown, p.group)))
        .collect();
    let cat = |c: Option<u32>| c.map_or(u32::MAX, crate::indicators::position);
    let mut groups: Vec<(Breakdown, Group)> = seen.into_iter().collect();
    groups.sort_by_key(|&(b, g)| {
        let at = e
            .breakdowns
            .iter()
            .position(|x| *x == b)
            .unwrap_or(usize::MAX);
        let within = match g {
            Group::All => (0, 0),
            Group::One(c) => (cat(c), 0),
            Group::Two(x, y) => (cat(x), cat(y)),
        };
        (at, within)
    });
    groups
}

impl Model {
    /// Build every table from the protected results.
    pub fn build(e: &Evidence) -> Model {
        let schema = &e.config.schema;
        let feedback_schema = e.config.meetings.as_ref().map(|m| &m.schema);
        let schemas: Vec<&crate::schema::Schema> =
            std::iter::once(schema).chain(feedback_schema).collect();
        let (indicators, indicator_questions) = dims::dim_indicator(&schemas);
        let waves = dims::dim_wave(e);
        let (months, quarters) = months_and_quarters(e, &waves);
        let (item_changes, indicator_changes) =
            staff::changes(schema, e.deltas, e.config.weighting.is_some());
        let (weighting_margins, weighting_summary) = weighting::weighting(e);
        let feedback = match (e.feedback, feedback_schema) {
            (Some(fb), Some(s)) => feedback::facts(fb, s),
            _ => FeedbackFacts::default(),
        };
        let committees = dim_committees(e);
        let sources = import_sources(e);
        let import_sources = dim_import_sources(&sources);
        let pairs: Vec<(String, &crate::import::WaveImport)> =
            sources.iter().map(|(id, w, _)| (id.clone(), *w)).collect();
        let headcounts_withheld = e.tables.headcounts_withheld();
        let mut model = Model {
            run: vec![run_info(e)],
            waves,
            questions: dims::dim_question(&schemas),
            indicators,
            indicator_questions,
            groups: dims::dim_group(schema, &staff_groups(e)),
            months,
            quarters,
            committees,
            import_sources,
            item_results: staff::item_results(
                schema,
                &e.tables.items,
                e.config.weighting.is_some(),
                e.config.attribute_disclosure.marked_below(),
                &headcounts_withheld,
            ),
            indicator_results: staff::indicator_results(
                schema,
                &e.tables.indicators,
                e.config.weighting.is_some(),
                &headcounts_withheld,
            ),
            response_rates: staff::response_rates(e),
            weighting_margins,
            weighting_summary,
            drivers: drivers::drivers(e),
            driver_groups: drivers::driver_groups(e),
            item_benchmarks: benchmarks::item_benchmarks(e),
            indicator_benchmarks: benchmarks::indicator_benchmarks(e),
            comment_theme_dim: comments::dim_comment_themes(e),
            comment_themes: comments::comment_themes(e),
            item_changes,
            indicator_changes,
            feedback,
            import_reconciliation: staff::reconciliation(&pairs),
            behind: loss::behind(e),
            ..Model::default()
        };
        model.indicator_results_with_change =
            with_change::with_change(&model.indicator_results, &model.indicator_changes);
        model
    }

    /// Every table as cells, in the order of [`registry`]; the disclosure summary is counted
    /// from the results tables themselves.
    pub fn tables(&self) -> Vec<TableData> {
        let fb = &self.feedback;
        let mut out = vec![
            TableData::of(&self.waves),
            TableData::of(&self.questions),
            TableData::of(&self.indicators),
            TableData::of(&self.indicator_questions),
            TableData::of(&self.groups),
            TableData::of(&self.months),
            TableData::of(&self.quarters),
            TableData::of(&self.committees),
            TableData::of(&fb.groups),
            TableData::of(&self.import_sources),
            TableData::of(&self.comment_theme_dim),
            // The code lists are the same in every pack.
            TableData::of(&codes::dim_verdict()),
            TableData::of(&codes::dim_quadrant()),
            TableData::of(&codes::dim_comparison()),
            TableData::of(&codes::dim_suppression_reason()),
            TableData::of(&self.item_results),
            TableData::of(&self.indicator_results),
            TableData::of(&self.response_rates),
            TableData::of(&self.weighting_margins),
            TableData::of(&self.weighting_summary),
            TableData::of(&self.item_changes),
            TableData::of(&self.indicator_changes),
            TableData::of(&self.indicator_results_with_change),
            TableData::of(&self.drivers),
            TableData::of(&self.driver_groups),
            TableData::of(&self.item_benchmarks),
            TableData::of(&self.indicator_benchmarks),
            TableData::of(&self.comment_themes),
            TableData::of(&fb.uptake_month),
            TableData::of(&fb.uptake_quarter),
            TableData::of(&fb.item_month),
            TableData::of(&fb.item_quarter),
            TableData::of(&fb.indicator_month),
            TableData::of(&fb.indicator_quarter),
            TableData::of(&fb.spc),
            TableData::of(&self.import_reconciliation),
        ];
        let summary = loss::disclosure_summary(&out, &self.behind);
        out.push(TableData::of(&summary));
        out.push(TableData::of(&self.run));
        out
    }

    /// The staff group a key names.
    pub fn group(&self, key: &str) -> Option<&DimGroup> {
        self.groups.iter().find(|g| g.group_key == key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_declaration_is_sound() {
        let problems = super::super::registry::check(&registry());
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn the_model_lists_its_tables_in_registry_order() {
        let names: Vec<&str> = Model::default()
            .tables()
            .iter()
            .map(|t| t.def.name)
            .collect();
        let declared: Vec<&str> = registry().iter().map(|t| t.name).collect();
        assert_eq!(names, declared);
    }

    #[test]
    fn labels_lower_only_ordinary_words() {
        assert_eq!(lower_first("Grade"), "grade");
        assert_eq!(lower_first("LGBT status"), "LGBT status");
        assert_eq!(lower_first(""), "");
    }
}
