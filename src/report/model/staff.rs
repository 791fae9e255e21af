//! Staff-survey facts: results per question and indicator, response rates, year-on-year
//! changes, the import reconciliation and the disclosure summary. Built from protected results
//! only.

use super::dims::{breakdown_id, group_key};
use super::{Evidence, suppression};
use crate::compare::{Delta, Family, Measure};
use crate::disclosure::Protected;
use crate::import::{Reason, WaveImport};
use crate::indicators::statistics::{IndicatorStats, ItemStats};
use crate::indicators::{Breakdown, Group};
use crate::report::registry::published_table;
use crate::report::registry::{Figure, InUnit};
use crate::schema::Schema;
use std::collections::{BTreeMap, HashMap};

/// Response rates below this are flagged (methodology: non-response bias risk).
pub const LOW_RESPONSE_RATE: f64 = 60.0;

published_table! {
    /// One question's answers in one group.
    pub struct FactItemResult in "fact_item_results" {
        title: "Answers to each question",
        grain: "One row per wave × question × group of staff.",
        primary_key: ["wave_id", "question_id", "group_key"],
        foreign_keys: [
            "wave_id" -> "dim_wave"."wave_id",
            "question_id" -> "dim_question"."question_id",
            "group_key" -> "dim_group"."group_key",
            "suppression_reason" -> "dim_suppression_reason"."suppression_reason",
        ],
        disclosure: Disclosure::Figures {
            threshold: Threshold::Staff,
            additive: Some(Additive { family: "items", period: Period::Column("wave_id"), group: "group_key", groups: "dim_group" }),
        },
        columns: {
            wave_id: String => (Key, Plain, "", "The wave."),
            question_id: String => (Key, Plain, "", "The question."),
            group_key: String => (Key, Plain, "", "The group of staff."),
            n: Figure<u64> => (Count, Plain, "answers", "Valid answers: positive + neutral + negative (Don't know and blanks are left out)."),
            n_positive: Figure<u64> => (Value, Plain, "answers", "Agree and Strongly agree; for reverse-keyed questions the favourable answers (No to \"Have you been bullied?\"); for 0-10 questions 9-10."),
            n_neutral: Figure<u64> => (Value, Plain, "answers", "Neither agree nor disagree (0-10 questions: 7-8)."),
            n_negative: Figure<u64> => (Value, Plain, "answers", "Disagree and Strongly disagree (0-10 questions: 0-6)."),
            pct_positive: Figure<f64> => (Value, D1, "%", "100 × n_positive / n; when `weighted`, the weighted share of valid answers."),
            pct_neutral: Figure<f64> => (Value, D1, "%", "100 × n_neutral / n (weighted when `weighted`)."),
            pct_negative: Figure<f64> => (Value, D1, "%", "100 × n_negative / n (weighted when `weighted`)."),
            ci_low: Figure<f64> => (Value, D1, "%", "Lower end of the 95% Wilson interval for pct_positive."),
            ci_high: Figure<f64> => (Value, D1, "%", "Upper end of the 95% Wilson interval for pct_positive."),
            mdd: Figure<f64> => (Value, D1, "percentage points", "Minimum detectable difference: the smallest change in pct_positive to the next wave that a 5% test would detect with 80% power for a group of this size."),
            weighted: bool => (Attribute, Plain, "", "Percentages, interval and MDD are weighted to the HR headcount ([weighting]); n and the counts are always unweighted."),
            design_effect: Figure<f64> => (Value, D3, "", "Kish's design effect of the weights behind the row (1 + CV²): the interval uses n / design_effect. Empty when unweighted."),
            population: Figure<u64> => (Admin, Plain, "staff", "HR headcount used for the finite population correction (empty: not known or not applied; withheld where fact_response_rates withholds the headcount)."),
            fpc_assumed: bool => (Attribute, Plain, "", "The interval and MDD use the finite population correction (only with `finite_population_correction = true`, where HR gives the group's headcount): they assume those who answered are a random sample of the group's staff, which a voluntary survey does not guarantee."),
            suppressed: bool => (Suppressed, Plain, "", "The row's figures are withheld: empty in CSV and Parquet (`[c]` in text columns and the workbook)."),
            suppression_reason: Option<String> => (Reason, Plain, "", "`primary`, `secondary`, `cross_dropped` or `small_organisation`; empty when published."),
            all_alike: bool => (Attribute, Plain, "", "Published although every member of this group (smaller than `[attribute_disclosure] below`) answered alike, 0% or 100% positive or negative, so each member's answer can be read off: only with `[attribute_disclosure] rule = \"mark\"`; under the default rule such rows are withheld, so this is false."),
        }
    }
}

published_table! {
    /// One indicator in one group.
    pub struct FactIndicatorResult in "fact_indicator_results" {
        title: "Indicators",
        grain: "One row per wave × indicator × group of staff.",
        primary_key: ["wave_id", "indicator_id", "group_key"],
        foreign_keys: [
            "wave_id" -> "dim_wave"."wave_id",
            "indicator_id" -> "dim_indicator"."indicator_id",
            "group_key" -> "dim_group"."group_key",
            "suppression_reason" -> "dim_suppression_reason"."suppression_reason",
        ],
        disclosure: Disclosure::Figures {
            threshold: Threshold::Staff,
            additive: Some(Additive { family: "indicators", period: Period::Column("wave_id"), group: "group_key", groups: "dim_group" }),
        },
        columns: {
            wave_id: String => (Key, Plain, "", "The wave."),
            indicator_id: String => (Key, Plain, "", "The indicator."),
            group_key: String => (Key, Plain, "", "The group of staff."),
            n: Figure<u64> => (Count, Plain, "respondents", "Respondents with a score (themes: answering at least the schema's min_items of its questions; yes-rate and eNPS: valid answers)."),
            value: Figure<InUnit> => (Value, Unit, "dim_indicator.unit", "The indicator, in its unit (dim_indicator.unit)."),
            ci_low: Figure<InUnit> => (Value, Unit, "dim_indicator.unit", "Lower end of the 95% interval for value (t interval on respondent scores; Wilson for yes-rates; normal for eNPS)."),
            ci_high: Figure<InUnit> => (Value, Unit, "dim_indicator.unit", "Upper end of the 95% interval for value."),
            ci_clipped: Figure<bool> => (Value, Plain, "", "The interval ran past the end of the scale and is cut there (0 or 100 for theme percentages, ±100 for eNPS): near the ends, read the cut end as \"at most\" / \"at least\"."),
            pct_positive: Figure<f64> => (Value, D1, "%", "Themes: mean of the questions' % positive; eNPS: % promoters; otherwise empty."),
            pct_neutral: Figure<f64> => (Value, D1, "%", "Themes: mean % neutral; eNPS: % passives."),
            pct_negative: Figure<f64> => (Value, D1, "%", "Themes: mean % negative; eNPS: % detractors."),
            mdd: Figure<InUnit> => (Value, Unit, "dim_indicator.unit", "Minimum detectable difference in value's unit (5% test, 80% power)."),
            weighted: bool => (Attribute, Plain, "", "value, interval and MDD are weighted to the HR headcount ([weighting]); n is always unweighted."),
            design_effect: Figure<f64> => (Value, D3, "", "Kish's design effect of the weights behind the row: the interval uses n / design_effect. Empty when unweighted."),
            population: Figure<u64> => (Admin, Plain, "staff", "HR headcount used for the finite population correction (empty: not known or not applied; withheld where fact_response_rates withholds the headcount)."),
            fpc_assumed: bool => (Attribute, Plain, "", "The interval and MDD use the finite population correction (only with `finite_population_correction = true`, where HR gives the group's headcount): they assume those who answered are a random sample of the group's staff, which a voluntary survey does not guarantee."),
            not_asked: bool => (Attribute, Plain, "", "The wave did not ask (enough of) the indicator's questions: every figure is empty (`[x]`, not available, in the workbook). Not the same as withheld."),
            suppressed: bool => (Suppressed, Plain, "", "The row's figures are withheld."),
            suppression_reason: Option<String> => (Reason, Plain, "", "`primary`, `secondary` (also: one of the indicator's questions is withheld), `cross_dropped` or `small_organisation`."),
        }
    }
}

published_table! {
    /// Responses against the workforce in one group.
    pub struct FactResponseRate in "fact_response_rates" {
        title: "Response rates",
        grain: "One row per wave × group of staff, for the breakdowns the HR headcount file describes.",
        primary_key: ["wave_id", "group_key"],
        foreign_keys: [
            "wave_id" -> "dim_wave"."wave_id",
            "group_key" -> "dim_group"."group_key",
            "suppression_reason" -> "dim_suppression_reason"."suppression_reason",
        ],
        disclosure: Disclosure::Figures {
            threshold: Threshold::Staff,
            additive: Some(Additive { family: "responses", period: Period::Column("wave_id"), group: "group_key", groups: "dim_group" }),
        },
        columns: {
            wave_id: String => (Key, Plain, "", "The wave."),
            group_key: String => (Key, Plain, "", "The group of staff."),
            responses: Figure<u64> => (Count, Plain, "responses", "Accepted responses in the group."),
            headcount: Figure<u64> => (Admin, Plain, "staff", "Staff in post (HR); empty for Not stated; withheld (empty, with headcount_withheld) with the group's responses, so a small group's size is not shown, and wherever the other groups' headcounts would give a withheld one by subtraction (the response rate and share of the workforce with it)."),
            response_rate: Figure<f64> => (Value, D1, "%", "100 × responses / headcount."),
            below_60: Figure<bool> => (Value, Plain, "", "Response rate under 60%: results for the group are more exposed to non-response bias."),
            pct_of_respondents: Figure<f64> => (Value, D1, "%", "The group's share of all responses in the wave."),
            pct_of_workforce: Figure<f64> => (Admin, D1, "%", "The group's share of the headcount: compare with pct_of_respondents to see who is under-represented (withheld with the group's responses)."),
            headcount_withheld: bool => (Attribute, Plain, "", "The headcount, response rate, below_60 and share of the workforce are withheld: with the row's figures, or on their own where subtraction across the groups' headcounts would give a withheld one. Empty headcount with this false: Not stated (HR has no such group)."),
            suppressed: bool => (Suppressed, Plain, "", "The row's figures are withheld."),
            suppression_reason: Option<String> => (Reason, Plain, "", "Why."),
        }
    }
}

published_table! {
    /// A question's change between two waves in one group.
    pub struct FactItemChange in "fact_item_changes" {
        title: "Change in each question since the previous wave and the baseline",
        grain: "One row per pair of waves × question × group of staff (the latest wave against the previous one, and against the baseline; one row when the previous wave is the baseline).",
        primary_key: ["wave_from", "wave_to", "question_id", "group_key"],
        foreign_keys: [
            "wave_from" -> "dim_wave"."wave_id",
            "wave_to" -> "dim_wave"."wave_id",
            "question_id" -> "dim_question"."question_id",
            "group_key" -> "dim_group"."group_key",
            "suppression_reason" -> "dim_suppression_reason"."suppression_reason",
            "verdict" -> "dim_verdict"."verdict",
            "comparison" -> "dim_comparison"."comparison",
        ],
        disclosure: Disclosure::Figures { threshold: Threshold::Staff, additive: None },
        columns: {
            comparison: String => (Attribute, Plain, "", "`since_previous`, `since_baseline`, or `since_previous_and_baseline` when the previous wave is the baseline (one row, tested once)."),
            since_previous: bool => (Attribute, Plain, "", "The row compares the latest wave with the previous one: filter on it for \"since the previous wave\"."),
            since_baseline: bool => (Attribute, Plain, "", "The row compares the latest wave with the baseline: filter on it for \"since the baseline\"."),
            wave_from: String => (Key, Plain, "", "The earlier wave."),
            wave_to: String => (Key, Plain, "", "The later wave."),
            question_id: String => (Key, Plain, "", "The question (its id in the later wave; a reworded comparable question is compared with the one it replaces)."),
            group_key: String => (Key, Plain, "", "The group of staff."),
            n_from: Figure<u64> => (Count, Plain, "answers", "Valid answers in the earlier wave."),
            n_to: Figure<u64> => (Count, Plain, "answers", "Valid answers in the later wave."),
            value_from: Figure<f64> => (Value, D1, "%", "% positive in the earlier wave."),
            value_to: Figure<f64> => (Value, D1, "%", "% positive in the later wave."),
            delta: Figure<f64> => (Value, D1, "percentage points", "value_to − value_from, from unrounded values."),
            delta_ci_low: Figure<f64> => (Value, D1, "percentage points", "Lower end of the 95% interval for the change (Newcombe's hybrid score interval from the two waves' Wilson intervals; no finite population correction)."),
            delta_ci_high: Figure<f64> => (Value, D1, "percentage points", "Upper end of the 95% interval for the change."),
            adjusted_ci_low: Figure<f64> => (Value, D1, "percentage points", "Lower end of the interval at the family's threshold (level 1 − family_threshold), from the test itself: it excludes zero exactly when a verdict is declared (Benjamini & Yekutieli's false-coverage-rate adjusted interval). Empty when not tested."),
            adjusted_ci_high: Figure<f64> => (Value, D1, "percentage points", "Upper end of the interval at the family's threshold."),
            low_reliability: Figure<bool> => (Value, Plain, "", "Fewer than 30 answers in a wave: the change is shown, marked [u] in the report, and given no verdict."),
            mdd_unadjusted: Figure<f64> => (Value, D1, "percentage points", "Minimum detectable difference at an unadjusted 5% test with 80% power, from the two waves' standard errors."),
            mdd_at_family_threshold: Figure<f64> => (Value, D1, "percentage points", "Minimum detectable difference at the family's threshold (family_threshold) with 80% power: the smallest change that would get a verdict."),
            weighted: bool => (Attribute, Plain, "", "Values, interval and test are weighted to the HR headcount, on Kish's effective n; n_from and n_to are unweighted."),
            design_effect_from: Figure<f64> => (Value, D3, "", "Kish's design effect of the weights in the earlier wave's figure (empty when unweighted)."),
            design_effect_to: Figure<f64> => (Value, D3, "", "The same for the later wave."),
            test: Option<String> => (Attribute, Plain, "", "`two_proportion_z` (pooled two-proportion z test)."),
            statistic: Figure<f64> => (Value, D3, "", "The z statistic."),
            p_value: Figure<f64> => (Value, PValue, "", "Two-sided p-value."),
            family: String => (Attribute, Plain, "", "The family of tests whose false discovery rate the q-value controls, for this pair of waves: `headline` (the indicators, whole organisation), `items` (every question, whole organisation) or `breakdown:<breakdown_id>` (every question and indicator of that breakdown, e.g. `breakdown:directorate`). Each test is in one family: a question that is a yes-rate indicator's only item (the bullying and discrimination questions) is tested once, as the indicator, and its row shows that family and q-value."),
            family_tests: u64 => (Attribute, Plain, "tests", "How many tests the family holds."),
            family_threshold: Option<f64> => (Attribute, PValue, "", "The p-value a change in this family had to reach to be declared: Benjamini-Hochberg's effective threshold (the largest k × 0.05 / family_tests under which the k smallest p-values fall; 0.05 / family_tests when none does)."),
            q_value: Figure<f64> => (Value, PValue, "", "Benjamini-Hochberg adjusted p-value within the row's family."),
            effect_size: Figure<f64> => (Value, D3, "", "Cohen's h."),
            effect_size_type: Option<String> => (Attribute, Plain, "", "`cohens_h`."),
            verdict: String => (Attribute, Plain, "", "`improved` / `declined` (q < 0.05 in the favourable / unfavourable direction), `no significant change` (tested, q ≥ 0.05) or `not tested`."),
            reason: Option<String> => (Attribute, Plain, "", "Why a row is not tested: suppressed in a wave; low reliability [u] (fewer than 30 answers in a wave); not asked in a wave; not comparable (see dim_question.series_id)."),
            suppressed: bool => (Suppressed, Plain, "", "Either wave's figure is withheld, so no numbers are shown."),
            suppression_reason: Option<String> => (Reason, Plain, "", "Why."),
        }
    }
}

published_table! {
    /// An indicator's change between two waves in one group.
    pub struct FactIndicatorChange in "fact_indicator_changes" {
        title: "Change in each indicator since the previous wave and the baseline",
        grain: "One row per pair of waves × indicator × group of staff (the latest wave against the previous one, and against the baseline; one row when the previous wave is the baseline).",
        primary_key: ["wave_from", "wave_to", "indicator_id", "group_key"],
        foreign_keys: [
            "wave_from" -> "dim_wave"."wave_id",
            "wave_to" -> "dim_wave"."wave_id",
            "indicator_id" -> "dim_indicator"."indicator_id",
            "group_key" -> "dim_group"."group_key",
            "suppression_reason" -> "dim_suppression_reason"."suppression_reason",
            "verdict" -> "dim_verdict"."verdict",
            "comparison" -> "dim_comparison"."comparison",
        ],
        disclosure: Disclosure::Figures { threshold: Threshold::Staff, additive: None },
        columns: {
            comparison: String => (Attribute, Plain, "", "`since_previous`, `since_baseline`, or `since_previous_and_baseline` when the previous wave is the baseline (one row, tested once)."),
            since_previous: bool => (Attribute, Plain, "", "The row compares the latest wave with the previous one: filter on it for \"since the previous wave\"."),
            since_baseline: bool => (Attribute, Plain, "", "The row compares the latest wave with the baseline: filter on it for \"since the baseline\"."),
            wave_from: String => (Key, Plain, "", "The earlier wave."),
            wave_to: String => (Key, Plain, "", "The later wave."),
            indicator_id: String => (Key, Plain, "", "The indicator."),
            group_key: String => (Key, Plain, "", "The group of staff."),
            n_from: Figure<u64> => (Count, Plain, "respondents", "Respondents with a score in the earlier wave."),
            n_to: Figure<u64> => (Count, Plain, "respondents", "Respondents with a score in the later wave."),
            value_from: Figure<InUnit> => (Value, Unit, "dim_indicator.unit", "The indicator in the earlier wave."),
            value_to: Figure<InUnit> => (Value, Unit, "dim_indicator.unit", "The indicator in the later wave."),
            delta: Figure<InUnit> => (Value, Unit, "dim_indicator.unit", "value_to − value_from, from unrounded values (percentage points for percentages)."),
            delta_ci_low: Figure<InUnit> => (Value, Unit, "dim_indicator.unit", "Lower end of the 95% interval for the change (Welch t for themes, indices and scores; Newcombe's hybrid score interval for yes-rates; normal for eNPS; no finite population correction)."),
            delta_ci_high: Figure<InUnit> => (Value, Unit, "dim_indicator.unit", "Upper end of the 95% interval for the change."),
            adjusted_ci_low: Figure<InUnit> => (Value, Unit, "dim_indicator.unit", "Lower end of the interval at the family's threshold (level 1 − family_threshold), from the test itself: it excludes zero exactly when a verdict is declared (Benjamini & Yekutieli's false-coverage-rate adjusted interval). Empty when not tested."),
            adjusted_ci_high: Figure<InUnit> => (Value, Unit, "dim_indicator.unit", "Upper end of the interval at the family's threshold."),
            low_reliability: Figure<bool> => (Value, Plain, "", "Fewer than 30 respondents with a score in a wave: the change is shown, marked [u] in the report, and given no verdict."),
            mdd_unadjusted: Figure<InUnit> => (Value, Unit, "dim_indicator.unit", "Minimum detectable difference at an unadjusted 5% test with 80% power, from the two waves' standard errors."),
            mdd_at_family_threshold: Figure<InUnit> => (Value, Unit, "dim_indicator.unit", "Minimum detectable difference at the family's threshold (family_threshold) with 80% power: the smallest change that would get a verdict."),
            weighted: bool => (Attribute, Plain, "", "Values, interval and test are weighted to the HR headcount, on Kish's effective n; n_from and n_to are unweighted."),
            design_effect_from: Figure<f64> => (Value, D3, "", "Kish's design effect of the weights in the earlier wave's figure (empty when unweighted)."),
            design_effect_to: Figure<f64> => (Value, D3, "", "The same for the later wave."),
            test: Option<String> => (Attribute, Plain, "", "`welch_t` (themes on respondent-level shares, indices, scores), `two_proportion_z` (yes-rates), `net_score_z` (eNPS)."),
            statistic: Figure<f64> => (Value, D3, "", "z or t."),
            p_value: Figure<f64> => (Value, PValue, "", "Two-sided p-value."),
            family: String => (Attribute, Plain, "", "The family of tests whose false discovery rate the q-value controls, for this pair of waves: `headline` (the indicators, whole organisation), `items` (every question, whole organisation) or `breakdown:<breakdown_id>` (every question and indicator of that breakdown, e.g. `breakdown:directorate`)."),
            family_tests: u64 => (Attribute, Plain, "tests", "How many tests the family holds."),
            family_threshold: Option<f64> => (Attribute, PValue, "", "The p-value a change in this family had to reach to be declared: Benjamini-Hochberg's effective threshold (the largest k × 0.05 / family_tests under which the k smallest p-values fall; 0.05 / family_tests when none does)."),
            q_value: Figure<f64> => (Value, PValue, "", "Benjamini-Hochberg adjusted p-value within the row's family."),
            effect_size: Figure<f64> => (Value, D3, "", "Cohen's h (yes-rates) or d (means, pooled SD); empty for eNPS."),
            effect_size_type: Option<String> => (Attribute, Plain, "", "`cohens_h` or `cohens_d`."),
            verdict: String => (Attribute, Plain, "", "`improved` / `declined` (q < 0.05, in the favourable / unfavourable direction: for bullying and discrimination rates lower is better), `no significant change` or `not tested`."),
            reason: Option<String> => (Attribute, Plain, "", "Why a row is not tested: suppressed; low reliability [u] (fewer than 30 respondents with a score in a wave); built from different questions in the two waves."),
            suppressed: bool => (Suppressed, Plain, "", "Either wave's figure is withheld, so no numbers are shown."),
            suppression_reason: Option<String> => (Reason, Plain, "", "Why."),
        }
    }
}

published_table! {
    /// Rows of one imported file with one outcome.
    pub struct FactImportReconciliation in "fact_import_reconciliation" {
        title: "Import reconciliation",
        grain: "One row per imported file × reason a row can end with (every reason listed, 0 where none): the rows add up to dim_import_source.rows_in.",
        primary_key: ["source_id", "reason"],
        foreign_keys: ["source_id" -> "dim_import_source"."source_id"],
        disclosure: Disclosure::None,
        columns: {
            source_id: String => (Key, Plain, "", "The imported file."),
            outcome: String => (Attribute, Plain, "", "`accepted`, `excluded` (set aside by a declared rule) or `rejected` (defective)."),
            reason: String => (Key, Plain, "", "`accepted`, `preview_or_test`, `incomplete`, `ragged_row`, `missing_response_id`, `duplicate_response_id`, `unknown_answer`, `unknown_category`, `unknown_meeting`, `date_outside_register`."),
            reason_description: String => (Attribute, Plain, "", "The reason in words."),
            rows: u64 => (Attribute, Plain, "rows", "Data rows of the file with this outcome."),
        }
    }
}

/// Whether a group's headcount is withheld, by (wave, breakdown, group)
/// (`ProtectedTables::headcounts_withheld`).
pub type HeadcountsWithheld<'a> = HashMap<(&'a str, Breakdown, Group), bool>;

/// The population (headcount) a row shows: withheld with the row, or where the headcount is.
fn population<T>(hc: &HeadcountsWithheld, p: &Protected<T>, value: Option<u64>) -> Figure<u64> {
    let (hidden, wave, b, g) = (
        p.suppression.is_some(),
        p.wave.as_str(),
        p.breakdown,
        p.group,
    );
    // Without the finite population correction there is no population to withhold.
    let hc_hidden = value.is_some() && hc.get(&(wave, b, g)).copied().unwrap_or(false);
    Figure::of(value, hidden || hc_hidden)
}

pub fn item_results(
    schema: &Schema,
    items: &[Protected<ItemStats>],
    weighted: bool,
    marked_below: Option<u64>,
    hc: &HeadcountsWithheld,
) -> Vec<FactItemResult> {
    items
        .iter()
        .map(|p| {
            let hidden = p.suppression.is_some();
            let st = p.stats.as_ref().filter(|_| !hidden);
            let c = st.map(|s| &s.counts);
            let f = |v: Option<f64>| Figure::of(v, hidden);
            FactItemResult {
                wave_id: p.wave.to_string(),
                question_id: schema.questions[p.measure].id.clone(),
                group_key: group_key(schema, p.breakdown, p.group),
                n: Figure::of(p.n, hidden),
                n_positive: Figure::of(c.map(|c| c.positive), hidden),
                n_neutral: Figure::of(c.map(|c| c.neutral), hidden),
                n_negative: Figure::of(c.map(|c| c.negative), hidden),
                pct_positive: f(c.and_then(|c| c.pct_positive())),
                pct_neutral: f(c.and_then(|c| c.pct_neutral())),
                pct_negative: f(c.and_then(|c| c.pct_negative())),
                ci_low: f(st.and_then(|s| s.ci_positive.map(|c| c.0))),
                ci_high: f(st.and_then(|s| s.ci_positive.map(|c| c.1))),
                mdd: f(st.and_then(|s| s.mdd)),
                weighted,
                design_effect: f(c.and_then(|c| c.design_effect())),
                population: population(hc, p, st.and_then(|s| s.population)),
                fpc_assumed: st.is_some_and(|s| s.population.is_some()),
                suppressed: hidden,
                suppression_reason: suppression(p.suppression),
                all_alike: c
                    .zip(marked_below)
                    .is_some_and(|(c, below)| crate::disclosure::all_alike(p.breakdown, c, below)),
            }
        })
        .collect()
}

pub fn indicator_results(
    schema: &Schema,
    rows: &[Protected<IndicatorStats>],
    weighted: bool,
    hc: &HeadcountsWithheld,
) -> Vec<FactIndicatorResult> {
    let mut out = computed_indicator_results(schema, rows, weighted, hc);
    // Waves that did not ask (enough of) an indicator's questions: its rows say so ([x]) for
    // every group the wave has, rather than leaving readers to guess.
    let present: std::collections::BTreeSet<(&str, usize)> =
        rows.iter().map(|p| (p.wave.as_str(), p.measure)).collect();
    let mut waves: Vec<&str> = Vec::new();
    for p in rows {
        if !waves.contains(&p.wave.as_str()) {
            waves.push(p.wave.as_str());
        }
    }
    for w in waves {
        // The wave's groups: those of its first indicator (every indicator has the same).
        let first = rows
            .iter()
            .find(|p| p.wave.as_str() == w)
            .map(|p| p.measure);
        let groups: Vec<String> = rows
            .iter()
            .filter(|r| r.wave.as_str() == w && Some(r.measure) == first)
            .map(|r| group_key(schema, r.breakdown, r.group))
            .collect();
        for (i, ind) in schema.indicators.iter().enumerate() {
            if !present.contains(&(w, i)) {
                out.extend(
                    groups
                        .iter()
                        .map(|g| not_asked_row(w, &ind.id, g, weighted)),
                );
            }
        }
    }
    out
}

/// An indicator's row in a wave that did not ask its questions: every figure not asked (empty,
/// flagged `not_asked`; `[x]` in the workbook).
fn not_asked_row(wave: &str, indicator: &str, group: &str, weighted: bool) -> FactIndicatorResult {
    FactIndicatorResult {
        wave_id: wave.to_string(),
        indicator_id: indicator.to_string(),
        group_key: group.to_string(),
        n: Figure::NotAsked,
        value: Figure::NotAsked,
        ci_low: Figure::NotAsked,
        ci_high: Figure::NotAsked,
        ci_clipped: Figure::NotAsked,
        pct_positive: Figure::NotAsked,
        pct_neutral: Figure::NotAsked,
        pct_negative: Figure::NotAsked,
        mdd: Figure::NotAsked,
        weighted,
        design_effect: Figure::NotAsked,
        population: Figure::Blank,
        fpc_assumed: false,
        not_asked: true,
        suppressed: false,
        suppression_reason: None,
    }
}

fn computed_indicator_results(
    schema: &Schema,
    rows: &[Protected<IndicatorStats>],
    weighted: bool,
    hc: &HeadcountsWithheld,
) -> Vec<FactIndicatorResult> {
    rows.iter()
        .map(|p| {
            let hidden = p.suppression.is_some();
            let st = p.stats.as_ref().filter(|_| !hidden);
            let f = |v: Option<f64>| Figure::of(v, hidden);
            let decimals = schema.indicators[p.measure].method.decimals();
            let u = |v: Option<f64>| Figure::of(v.map(|value| InUnit { value, decimals }), hidden);
            FactIndicatorResult {
                wave_id: p.wave.to_string(),
                indicator_id: schema.indicators[p.measure].id.clone(),
                group_key: group_key(schema, p.breakdown, p.group),
                n: Figure::of(p.n, hidden),
                value: u(st.and_then(|s| s.value)),
                ci_low: u(st.and_then(|s| s.ci.map(|c| c.0))),
                ci_high: u(st.and_then(|s| s.ci.map(|c| c.1))),
                ci_clipped: Figure::of(st.map(|s| s.ci_clipped), hidden),
                pct_positive: f(st.and_then(|s| s.pct.map(|p| p[0]))),
                pct_neutral: f(st.and_then(|s| s.pct.map(|p| p[1]))),
                pct_negative: f(st.and_then(|s| s.pct.map(|p| p[2]))),
                mdd: u(st.and_then(|s| s.mdd)),
                weighted,
                design_effect: f(st.and_then(|s| s.design_effect(p.n.unwrap_or(0)))),
                population: population(hc, p, st.and_then(|s| s.population)),
                fpc_assumed: st.is_some_and(|s| s.population.is_some()),
                not_asked: false,
                suppressed: hidden,
                suppression_reason: suppression(p.suppression),
            }
        })
        .collect()
}

/// Response rates for every group the HR headcount file describes.
pub fn response_rates(e: &Evidence) -> Vec<FactResponseRate> {
    let schema = &e.config.schema;
    let responses = &e.tables.responses;
    let hc_withheld = e.tables.headcounts_withheld();
    // Each wave's whole organisation: (responses, headcount).
    let mut totals: BTreeMap<&str, (Option<u64>, Option<u64>)> = BTreeMap::new();
    for p in responses
        .iter()
        .filter(|p| p.breakdown == Breakdown::Overall)
    {
        let hc = e
            .workforce
            .get(&p.wave)
            .and_then(|h| h.of(p.breakdown, p.group));
        totals.insert(p.wave.as_str(), (p.n, hc));
    }
    responses
        .iter()
        .filter_map(|p| {
            let pops = e.workforce.get(&p.wave)?;
            if !pops.describes(p.breakdown) {
                return None;
            }
            let hidden = p.suppression.is_some();
            // The headcount (and what is worked out from it) may be withheld on its own, where
            // subtraction across the groups would tell a withheld one.
            let hc_hidden = hidden
                || hc_withheld
                    .get(&(p.wave.as_str(), p.breakdown, p.group))
                    .copied()
                    .unwrap_or(false);
            let headcount = pops.of(p.breakdown, p.group);
            let (total_resp, total_hc) = totals.get(p.wave.as_str()).copied().unwrap_or_default();
            let n = p.n.filter(|_| !hidden);
            let rate = n
                .zip(headcount.filter(|&h| h > 0))
                .map(|(n, h)| 100.0 * n as f64 / h as f64);
            let share = |x: Option<u64>, t: Option<u64>| match (x, t) {
                (Some(x), Some(t)) if t > 0 => Some(100.0 * x as f64 / t as f64),
                _ => None,
            };
            Some(FactResponseRate {
                wave_id: p.wave.to_string(),
                group_key: group_key(schema, p.breakdown, p.group),
                responses: Figure::of(n, hidden),
                headcount: Figure::of(headcount, hc_hidden),
                response_rate: Figure::of(rate, hc_hidden),
                below_60: Figure::of(rate.map(|r| r < LOW_RESPONSE_RATE), hc_hidden),
                pct_of_respondents: Figure::of(share(n, total_resp), hidden),
                pct_of_workforce: Figure::of(share(headcount, total_hc), hc_hidden),
                headcount_withheld: hc_hidden,
                suppressed: hidden,
                suppression_reason: suppression(p.suppression),
            })
        })
        .collect()
}

/// `headline`, `items`, `breakdown:directorate`.
pub fn family_code(schema: &Schema, f: Family) -> String {
    match f {
        Family::Headline => "headline".into(),
        Family::Items => "items".into(),
        Family::Breakdown(b) => format!("breakdown:{}", breakdown_id(schema, b)),
    }
}

/// A change row of either table: the same columns but for the measure's key.
macro_rules! change_row {
    ($row:ident { $measure:ident: $id:expr }, $schema:expr, $d:expr, $weighted:expr, $num:expr) => {{
        let d: &Delta = $d;
        let hidden = d.suppression.is_some();
        let f = |v: Option<f64>| Figure::of(v, hidden);
        let u = |v: Option<f64>| Figure::of(v.map($num), hidden);
        // The side a wave did not ask is `[x]`, not blank.
        let not_asked = |w: &crate::ids::WaveId| {
            matches!(&d.reason, Some(crate::compare::NotTested::NotAsked(x)) if x == w)
        };
        let side = |w: &crate::ids::WaveId, v: Option<f64>| {
            if not_asked(w) { Figure::NotAsked } else { u(v) }
        };
        let side_n = |w: &crate::ids::WaveId, n: Option<u64>| {
            if not_asked(w) { Figure::NotAsked } else { Figure::of(n, hidden) }
        };
        $row {
            comparison: d.roles.code().into(),
            since_previous: d.roles.previous,
            since_baseline: d.roles.baseline,
            wave_from: d.from.to_string(),
            wave_to: d.to.to_string(),
            $measure: $id,
            group_key: group_key($schema, d.breakdown, d.group),
            n_from: side_n(&d.from, d.n.map(|n| n.0)),
            n_to: side_n(&d.to, d.n.map(|n| n.1)),
            value_from: side(&d.from, d.values.map(|v| v.0)),
            value_to: side(&d.to, d.values.map(|v| v.1)),
            delta: u(d.delta()),
            delta_ci_low: u(d.change_ci.map(|c| c.0)),
            delta_ci_high: u(d.change_ci.map(|c| c.1)),
            adjusted_ci_low: u(d.adjusted_ci.map(|c| c.0)),
            adjusted_ci_high: u(d.adjusted_ci.map(|c| c.1)),
            low_reliability: Figure::of(Some(d.low_reliability), hidden),
            mdd_unadjusted: u(d.mdd),
            mdd_at_family_threshold: u(d.mdd_family),
            weighted: $weighted,
            design_effect_from: f(d.design_effects.0),
            design_effect_to: f(d.design_effects.1),
            test: d.test.map(|t| t.0.code().to_string()),
            statistic: f(d.test.map(|t| t.1.statistic)),
            p_value: f(d.test.map(|t| t.1.p_value)),
            family: family_code($schema, d.family),
            family_tests: d.family_tests as u64,
            family_threshold: d.family_threshold,
            q_value: f(d.q_value),
            effect_size: f(d.effect.map(|e| e.1)),
            effect_size_type: d.effect.map(|e| e.0.code().to_string()),
            verdict: d.verdict.as_str().into(),
            reason: d.reason.as_ref().map(crate::compare::NotTested::text),
            suppressed: hidden,
            suppression_reason: suppression(d.suppression),
        }
    }};
}

pub fn changes(
    schema: &Schema,
    deltas: &[Delta],
    weighted: bool,
) -> (Vec<FactItemChange>, Vec<FactIndicatorChange>) {
    let (mut items, mut indicators) = (Vec::new(), Vec::new());
    for d in deltas {
        match d.measure {
            Measure::Question(q) => items.push(change_row!(
                FactItemChange {
                    question_id: schema.questions[q].id.clone()
                },
                schema,
                d,
                weighted,
                |v: f64| v
            )),
            Measure::Indicator(i) => indicators.push(change_row!(
                FactIndicatorChange {
                    indicator_id: schema.indicators[i].id.clone()
                },
                schema,
                d,
                weighted,
                |value: f64| InUnit {
                    value,
                    decimals: schema.indicators[i].method.decimals()
                }
            )),
        }
    }
    (items, indicators)
}

/// `staff-survey/2025`, `member-feedback/paper`.
pub fn source_id(survey: &str, import: &WaveImport) -> String {
    format!("{survey}/{}", import.wave)
}

pub fn reconciliation(sources: &[(String, &WaveImport)]) -> Vec<FactImportReconciliation> {
    let mut out = Vec::new();
    for (id, w) in sources {
        for r in Reason::ALL {
            out.push(FactImportReconciliation {
                source_id: id.clone(),
                outcome: r.outcome().as_str().into(),
                reason: r.code().into(),
                reason_description: r.describe().into(),
                rows: w.counts.get(&r).copied().unwrap_or(0) as u64,
            });
        }
    }
    out
}
