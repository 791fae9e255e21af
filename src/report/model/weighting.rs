//! Non-response weighting diagnostics: how the respondents compared with the workforce on
//! each margin before and after raking, and the weights' spread. Per-person weights are never
//! published; these are.

use super::dims::group_key;
use super::{Evidence, suppression};
use crate::indicators::{Breakdown, Group};
use crate::report::registry::Figure;
use crate::report::registry::published_table;
use std::collections::HashMap;

published_table! {
    /// One category of one weighting margin in one wave.
    pub struct FactWeightingMargin in "fact_weighting_margins" {
        title: "Weighting: respondents against the workforce on each margin",
        grain: "One row per wave × category of each weighting margin (and Not stated, where anyone left the question blank). Empty without [weighting].",
        primary_key: ["wave_id", "group_key"],
        foreign_keys: [
            "wave_id" -> "dim_wave"."wave_id",
            "group_key" -> "dim_group"."group_key",
            "suppression_reason" -> "dim_suppression_reason"."suppression_reason",
        ],
        disclosure: Disclosure::Figures { threshold: Threshold::Staff, additive: None },
        columns: {
            wave_id: String => (Key, Plain, "", "The wave."),
            group_key: String => (Key, Plain, "", "The margin's category (a one-way group of dim_group)."),
            margin: String => (Attribute, Plain, "", "The demographic field weighted to."),
            respondents: Figure<u64> => (Count, Plain, "respondents", "Respondents in the category (unweighted), as in fact_response_rates."),
            headcount: Figure<u64> => (Admin, Plain, "staff", "Staff in post (HR); empty for Not stated; withheld where fact_response_rates withholds it."),
            population_share: Figure<f64> => (Admin, D2, "%", "The category's share of the headcount: the target (withheld with the headcount)."),
            unweighted_share: Figure<f64> => (Value, D2, "%", "The category's share of respondents who stated the margin, before weighting."),
            weighted_share: Figure<f64> => (Value, D2, "%", "The same share after weighting: equal to population_share (to 1e-9) when the raking converged (withheld with the headcount)."),
            suppressed: bool => (Suppressed, Plain, "", "The row's figures are withheld (as in fact_response_rates)."),
            suppression_reason: Option<String> => (Reason, Plain, "", "Why."),
        }
    }
}

published_table! {
    /// One wave's weights, summarised.
    pub struct FactWeightingSummary in "fact_weighting_summary" {
        title: "Weighting: the weights of each wave",
        grain: "One row per weighted wave (empty without [weighting]).",
        primary_key: ["wave_id"],
        foreign_keys: [
            "wave_id" -> "dim_wave"."wave_id",
        ],
        disclosure: Disclosure::Figures { threshold: Threshold::Staff, additive: None },
        columns: {
            wave_id: String => (Key, Plain, "", "The wave."),
            method: String => (Attribute, Plain, "", "`cells`: post-stratification to the HR headcount's joint table of the margins (each directorate × grade cell gets its staff per respondent, small cells pooled: see min_cell); `rake`: iterative proportional fitting to each margin separately (the joint table is not reproduced)."),
            margins: String => (Attribute, Plain, "", "The demographic fields weighted to, `;`-separated."),
            trim: Option<String> => (Attribute, Plain, "", "Bounds on the weights as multiples of the mean weight, when set."),
            respondents: u64 => (Count, Plain, "respondents", "Respondents weighted."),
            headcount: u64 => (Admin, Plain, "staff", "Staff in post: raked weights sum to this; post-stratified weights sum to it over the respondents placed in a cell (those who left a margin blank add their average weight)."),
            weight_min: Option<f64> => (Value, D3, "staff per respondent", "Smallest weight among respondents whose margin categories are all published (a weight in a withheld category could reveal its size)."),
            weight_max: Option<f64> => (Value, D3, "staff per respondent", "Largest weight, on the same respondents."),
            weight_cv: Figure<f64> => (Value, D3, "", "Coefficient of variation of all the weights; withheld ([c]) when a margin's category has its respondents or headcount withheld (the weights' spread would tell them)."),
            design_effect: Figure<f64> => (Value, D3, "", "Kish's design effect 1 + CV²: variances are this many times larger than with equal weights (withheld as weight_cv)."),
            effective_n: Figure<f64> => (Value, D1, "respondents", "Kish's effective sample size: respondents / design_effect (withheld as weight_cv)."),
            iterations: u64 => (Attribute, Plain, "cycles", "Raking cycles until every margin fitted (0 for cells)."),
            max_share_gap: f64 => (Attribute, PValue, "", "Largest gap left between a weighted and a population share on a margin (as a proportion); at most 1e-9 when raked; for cells, what respondents who left a margin blank and pooled cells leave."),
            cells: Option<u64> => (Attribute, Plain, "cells", "Cells of the joint table (method cells)."),
            collapsed_cells: Option<u64> => (Attribute, Plain, "cells", "Cells pooled with a neighbour because they had fewer than min_cell respondents (or no staff): within a directorate (every margin but the last), consecutive grades (the last margin) are pooled until the pool has min_cell respondents; a short pool at the end joins the one before; a directorate with fewer than min_cell respondents is one pool."),
            min_cell: Option<u64> => (Attribute, Plain, "respondents", "Respondents a cell needs to carry its own weight (`[weighting] min_cell`, default 5)."),
        }
    }
}

/// Both weighting tables, from each wave's weights and the protected response counts.
pub fn weighting(e: &Evidence) -> (Vec<FactWeightingMargin>, Vec<FactWeightingSummary>) {
    let schema = &e.config.schema;
    let (mut margins, mut summary) = (Vec::new(), Vec::new());
    let Some(cfg) = &e.config.weighting else {
        return (margins, summary);
    };
    // The protected response counts: a category's count and suppression are those of
    // fact_response_rates, so nothing here can be subtracted that is hidden there.
    let responses: HashMap<(&str, Breakdown, Group), &crate::disclosure::Protected<()>> = e
        .tables
        .responses
        .iter()
        .map(|p| ((p.wave.as_str(), p.breakdown, p.group), p))
        .collect();
    let hc_withheld = e.tables.headcounts_withheld();
    for ww in e.weights.iter().flatten() {
        let wave = ww.wave.as_str();
        let mut published: HashMap<(usize, Option<u32>), bool> = HashMap::new();
        let mut any_withheld = false;
        for m in &ww.margins {
            let (b, g) = (Breakdown::Field(m.field), Group::One(m.category));
            let p = responses.get(&(wave, b, g));
            let hidden = p.is_none_or(|p| p.suppression.is_some());
            let hc_hidden = hidden || hc_withheld.get(&(wave, b, g)).copied().unwrap_or(false);
            any_withheld |= hc_hidden;
            published.insert((m.field, m.category), !hc_hidden);
            margins.push(FactWeightingMargin {
                wave_id: wave.to_string(),
                group_key: group_key(schema, b, g),
                margin: schema.demographics[m.field].id.clone(),
                respondents: Figure::of(Some(m.respondents), hidden),
                headcount: Figure::of(m.population, hc_hidden),
                population_share: Figure::of(m.population_share, hc_hidden),
                unweighted_share: Figure::of(m.unweighted_share, hidden),
                weighted_share: Figure::of(m.weighted_share, hc_hidden),
                suppressed: hidden,
                suppression_reason: suppression(
                    p.and_then(|p| p.suppression)
                        .or(hidden.then_some(crate::disclosure::Suppression::Primary)),
                ),
            });
        }
        // Weights' range over respondents whose every margin category is published.
        let r =
            ww.published_range(|field, cat| published.get(&(field, cat)).copied().unwrap_or(false));
        let s = &ww.summary;
        summary.push(FactWeightingSummary {
            wave_id: wave.to_string(),
            method: cfg.method.code().into(),
            margins: (cfg.margins.iter())
                .map(|&d| schema.demographics[d].id.as_str())
                .collect::<Vec<_>>()
                .join(";"),
            trim: cfg
                .trim
                .map(|(lo, hi)| format!("{lo} to {hi} × the mean weight")),
            respondents: s.respondents,
            headcount: weighted_headcount(cfg, ww),
            weight_min: r.map(|r| r.0),
            weight_max: r.map(|r| r.1),
            weight_cv: Figure::of(Some(s.cv), any_withheld),
            design_effect: Figure::of(Some(s.design_effect), any_withheld),
            effective_n: Figure::of(Some(s.effective_n), any_withheld),
            iterations: s.iterations as u64,
            max_share_gap: s.max_error,
            cells: (s.cells > 0).then_some(s.cells as u64),
            collapsed_cells: (s.cells > 0).then_some(s.collapsed_cells as u64),
            min_cell: cfg.method.min_cell(),
        });
    }
    (margins, summary)
}

/// The headcount the weights stand for: raked weights sum to it; post-stratified, the staff
/// of the cells (respondents who could not be placed in a cell add their average weight
/// beyond it).
fn weighted_headcount(cfg: &crate::config::Weighting, ww: &crate::weighting::WaveWeights) -> u64 {
    match cfg.method {
        crate::config::WeightingMethod::Rake => ww.weights.iter().sum::<f64>().round() as u64,
        crate::config::WeightingMethod::Cells { .. } => ww
            .margins
            .iter()
            .filter(|m| Some(&m.field) == cfg.margins.first())
            .filter_map(|m| m.population)
            .sum(),
    }
}
