//! Key drivers: each theme's share of what the outcome's regression explains, for the whole
//! organisation and the large groups, as disclosure control lets them through.

use super::Evidence;
use super::dims::group_key;
use crate::report::registry::Figure;
use crate::report::registry::published_table;

published_table! {
    /// One theme's part in explaining one outcome in one group.
    pub struct FactDriver in "fact_drivers" {
        title: "Key drivers: what relates most to each outcome",
        grain: "One row per wave × outcome indicator × group of staff × driver theme, for the latest wave, the whole organisation and groups with enough respondents (association, not cause).",
        primary_key: ["wave_id", "outcome_indicator_id", "group_key", "driver_indicator_id"],
        foreign_keys: [
            "wave_id" -> "dim_wave"."wave_id",
            "outcome_indicator_id" -> "dim_indicator"."indicator_id",
            "driver_indicator_id" -> "dim_indicator"."indicator_id",
            "group_key" -> "dim_group"."group_key",
            "quadrant" -> "dim_quadrant"."quadrant",
        ],
        disclosure: Disclosure::Figures { threshold: Threshold::Staff, additive: None },
        columns: {
            wave_id: String => (Key, Plain, "", "The wave (the latest)."),
            outcome_indicator_id: String => (Key, Plain, "", "The outcome explained."),
            group_key: String => (Key, Plain, "", "The group of staff analysed."),
            driver_indicator_id: String => (Key, Plain, "", "The theme whose part this row gives."),
            respondents: u64 => (Attribute, Plain, "respondents", "Respondents in the group."),
            n: u64 => (Count, Plain, "respondents", "Respondents with the outcome and every driver (the regression's n; at least drivers.min_respondents, 100 by default)."),
            excluded: u64 => (Attribute, Plain, "respondents", "Respondents left out because the outcome or a driver was missing (listwise deletion)."),
            r_squared: f64 => (Value, D3, "", "Share of the outcome's variance the drivers explain together (R²)."),
            share_of_r2: f64 => (Value, D1, "%", "The driver's share of R²: the Shapley decomposition (LMG), its average gain in R² over every order the drivers can enter. The drivers' shares add up to 100."),
            share_ci_low: Figure<f64> => (Value, D1, "%", "Lower end of the bootstrap 95% percentile interval for the share (seeded: the same every run)."),
            share_ci_high: Figure<f64> => (Value, D1, "%", "Upper end of that interval."),
            standardised_beta: f64 => (Value, D3, "", "The driver's standardised coefficient in the model with every driver (it can be small or negative when drivers overlap; the share is the measure to read)."),
            driver_score: Figure<f64> => (Value, D1, "score 0-100", "The group's mean score on the driver (questions scored 0, 25, 50, 75, 100), among the respondents analysed; withheld where fact_indicator_results withholds the group's result for the driver (the score would stand in for it)."),
            rank: Option<u32> => (Attribute, Plain, "", "1 = the largest share; empty where the bootstrap does not separate the driver from its neighbours (rank_low < rank_high) or the analysis is not labelled (see quadrant)."),
            rank_low: Option<u32> => (Attribute, Plain, "", "The best rank the driver takes in the middle 95% of bootstrap resamples."),
            rank_high: Option<u32> => (Attribute, Plain, "", "The worst rank it takes in the middle 95% of bootstrap resamples."),
            quadrant: String => (Attribute, Plain, "", "`priority` (above-average share, score below the drivers' median: where to act), `strength` (above-average share, score at or above the median), `maintain` or `monitor` (below-average share, high or low score), named only when at least 90% of bootstrap resamples put the driver there; else `unclear`. `not_labelled` when the drivers together explain less than 10% of the outcome (R² < 0.10) or fewer than 3 themes were asked: no driver is ranked or placed then. `withheld` where the driver's score is withheld (the quadrant would tell it)."),
            quadrant_support: Option<f64> => (Attribute, D1, "%", "Share of bootstrap resamples that put the driver in the quadrant its point estimate is in."),
            bootstrap_draws: u32 => (Attribute, Plain, "draws", "Bootstrap resamples behind the interval."),
        }
    }
}

/// Every published driver row: analyses that disclosure control let through (their group's
/// outcome figure and respondent count are published, and no withheld group's count can be
/// recovered from the groups shown).
pub fn drivers(e: &Evidence) -> Vec<FactDriver> {
    let schema = &e.config.schema;
    // A group's result withheld for a theme: its driver score is withheld too.
    let withheld: std::collections::HashSet<_> = e
        .tables
        .indicators
        .iter()
        .filter(|p| p.suppression.is_some())
        .map(|p| (p.wave.as_str(), p.measure, p.breakdown, p.group))
        .collect();
    let mut out = Vec::new();
    for p in &e.tables.drivers {
        let Some(a) = p.stats.as_ref().filter(|_| p.suppression.is_none()) else {
            continue;
        };
        for d in &a.drivers {
            let hidden = withheld.contains(&(a.wave.as_str(), d.indicator, a.breakdown, a.group));
            out.push(FactDriver {
                wave_id: a.wave.to_string(),
                outcome_indicator_id: schema.indicators[a.outcome].id.clone(),
                group_key: group_key(schema, a.breakdown, a.group),
                driver_indicator_id: schema.indicators[d.indicator].id.clone(),
                respondents: a.respondents,
                n: a.used,
                excluded: a.respondents - a.used,
                r_squared: a.r2,
                share_of_r2: 100.0 * d.share,
                share_ci_low: Figure::of(d.share_ci.map(|c| 100.0 * c.0), false),
                share_ci_high: Figure::of(d.share_ci.map(|c| 100.0 * c.1), false),
                standardised_beta: d.beta,
                driver_score: Figure::of(Some(d.score), hidden),
                rank: d.rank_shown(a).map(|r| r as u32),
                rank_low: d.rank_interval.map(|r| r.0 as u32),
                rank_high: d.rank_interval.map(|r| r.1 as u32),
                quadrant: if hidden {
                    "withheld".into()
                } else {
                    d.quadrant_shown(a).code().into()
                },
                quadrant_support: d.quadrant_support.filter(|_| !hidden).map(|s| 100.0 * s),
                bootstrap_draws: a.replicates as u32,
            });
        }
    }
    out
}

published_table! {
    /// What became of one group in one outcome's driver analysis.
    pub struct FactDriverGroup in "fact_driver_groups" {
        title: "Key drivers: which groups were analysed, and why not",
        grain: "One row per wave × outcome indicator × group of staff the driver analysis looked at (the whole organisation and every one-way group), for the latest wave.",
        primary_key: ["wave_id", "outcome_indicator_id", "group_key"],
        foreign_keys: [
            "wave_id" -> "dim_wave"."wave_id",
            "outcome_indicator_id" -> "dim_indicator"."indicator_id",
            "group_key" -> "dim_group"."group_key",
        ],
        disclosure: Disclosure::Figures { threshold: Threshold::Staff, additive: None },
        columns: {
            wave_id: String => (Key, Plain, "", "The wave (the latest)."),
            outcome_indicator_id: String => (Key, Plain, "", "The outcome."),
            group_key: String => (Key, Plain, "", "The group of staff."),
            status: String => (Attribute, Plain, "", "`analysed` (its drivers are in fact_drivers), `withheld` (disclosure control withheld the analysis, the group's outcome figure or its size), `too_few_respondents` (fewer respondents with the outcome and every driver than drivers.min_respondents) or `not_fitted` (the themes' scores were too closely related to fit)."),
            n: Figure<u64> => (Count, Plain, "respondents", "Respondents analysed, for analysed groups (as fact_drivers.n); empty otherwise."),
        }
    }
}

/// Every group the driver analysis looked at, with what became of it.
pub fn driver_groups(e: &Evidence) -> Vec<FactDriverGroup> {
    let schema = &e.config.schema;
    e.tables
        .driver_groups
        .iter()
        .map(|g| FactDriverGroup {
            wave_id: g.wave.to_string(),
            outcome_indicator_id: schema.indicators[g.outcome].id.clone(),
            group_key: group_key(schema, g.breakdown, g.group),
            status: g.status.code().into(),
            n: match g.status {
                crate::disclosure::DriverStatus::Analysed(n) => Figure::Shown(n),
                _ => Figure::Blank,
            },
        })
        .collect()
}
