//! The results-with-change view: each indicator's value in each wave and group beside its
//! change since the previous wave and since the baseline, so that a dashboard card (value,
//! change, verdict) needs one table and no filter on `comparison`.
//!
//! Built from the published rows of `fact_indicator_results` and `fact_indicator_changes`
//! alone, after disclosure control: it repeats their figures and withholds what they
//! withhold, so it cannot show anything new (the audit checks it against them).

use super::staff::{FactIndicatorChange, FactIndicatorResult};
use crate::report::registry::{Figure, InUnit, published_table};
use std::collections::HashMap;

published_table! {
    /// One indicator in one group and wave, with its changes.
    pub struct FactIndicatorResultWithChange in "fact_indicator_with_change" {
        title: "Indicators with their change since the previous wave and the baseline",
        grain: "One row per wave × indicator × group of staff (as fact_indicator_results); the change columns are filled for the latest wave, which the changes tables compare.",
        primary_key: ["wave_id", "indicator_id", "group_key"],
        foreign_keys: [
            "wave_id" -> "dim_wave"."wave_id",
            "indicator_id" -> "dim_indicator"."indicator_id",
            "group_key" -> "dim_group"."group_key",
            "verdict_since_previous" -> "dim_verdict"."verdict",
            "verdict_since_baseline" -> "dim_verdict"."verdict",
            "suppression_reason" -> "dim_suppression_reason"."suppression_reason",
        ],
        disclosure: Disclosure::Figures { threshold: Threshold::Staff, additive: None },
        columns: {
            wave_id: String => (Key, Plain, "", "The wave."),
            indicator_id: String => (Key, Plain, "", "The indicator."),
            group_key: String => (Key, Plain, "", "The group of staff."),
            n: Figure<u64> => (Count, Plain, "respondents", "Respondents with a score (as fact_indicator_results)."),
            value: Figure<InUnit> => (Value, Unit, "dim_indicator.unit", "The indicator, in its unit (as fact_indicator_results)."),
            ci_low: Figure<InUnit> => (Value, Unit, "dim_indicator.unit", "Lower end of the 95% interval for value."),
            ci_high: Figure<InUnit> => (Value, Unit, "dim_indicator.unit", "Upper end of the 95% interval for value."),
            value_previous: Figure<InUnit> => (Value, Unit, "dim_indicator.unit", "The value in the previous wave (latest wave only)."),
            change_since_previous: Figure<InUnit> => (Value, Unit, "dim_indicator.unit", "value − value_previous, from unrounded values (percentage points for percentages)."),
            change_since_previous_ci_low: Figure<InUnit> => (Value, Unit, "dim_indicator.unit", "Lower end of the 95% interval for the change since the previous wave."),
            change_since_previous_ci_high: Figure<InUnit> => (Value, Unit, "dim_indicator.unit", "Upper end of that interval."),
            verdict_since_previous: Option<String> => (Attribute, Plain, "", "The change's verdict (dim_verdict); `not tested` with its reason in fact_indicator_changes. Empty before the latest wave."),
            value_baseline: Figure<InUnit> => (Value, Unit, "dim_indicator.unit", "The value in the baseline wave (latest wave only)."),
            change_since_baseline: Figure<InUnit> => (Value, Unit, "dim_indicator.unit", "value − value_baseline, from unrounded values."),
            change_since_baseline_ci_low: Figure<InUnit> => (Value, Unit, "dim_indicator.unit", "Lower end of the 95% interval for the change since the baseline."),
            change_since_baseline_ci_high: Figure<InUnit> => (Value, Unit, "dim_indicator.unit", "Upper end of that interval."),
            verdict_since_baseline: Option<String> => (Attribute, Plain, "", "The change's verdict (dim_verdict). With two waves the previous wave is the baseline: both columns say the same."),
            not_asked: bool => (Attribute, Plain, "", "The wave did not ask (enough of) the indicator's questions: its figures are empty (as in fact_indicator_results)."),
            suppressed: bool => (Suppressed, Plain, "", "The row's figures are withheld (as in fact_indicator_results); a change is also empty where the other wave's figure is withheld."),
            suppression_reason: Option<String> => (Reason, Plain, "", "Why (as in fact_indicator_results)."),
        }
    }
}

/// One row per result, with the changes that end in its wave.
pub fn with_change(
    results: &[FactIndicatorResult],
    changes: &[FactIndicatorChange],
) -> Vec<FactIndicatorResultWithChange> {
    let mut previous: HashMap<(&str, &str, &str), &FactIndicatorChange> = HashMap::new();
    let mut baseline: HashMap<(&str, &str, &str), &FactIndicatorChange> = HashMap::new();
    for c in changes {
        let key = (
            c.wave_to.as_str(),
            c.indicator_id.as_str(),
            c.group_key.as_str(),
        );
        if c.since_previous {
            previous.insert(key, c);
        }
        if c.since_baseline {
            baseline.insert(key, c);
        }
    }
    results
        .iter()
        .map(|r| {
            let key = (
                r.wave_id.as_str(),
                r.indicator_id.as_str(),
                r.group_key.as_str(),
            );
            let p = Side::of(previous.get(&key).copied());
            let b = Side::of(baseline.get(&key).copied());
            FactIndicatorResultWithChange {
                wave_id: r.wave_id.clone(),
                indicator_id: r.indicator_id.clone(),
                group_key: r.group_key.clone(),
                n: r.n,
                value: r.value,
                ci_low: r.ci_low,
                ci_high: r.ci_high,
                value_previous: p.value,
                change_since_previous: p.change,
                change_since_previous_ci_low: p.low,
                change_since_previous_ci_high: p.high,
                verdict_since_previous: p.verdict,
                value_baseline: b.value,
                change_since_baseline: b.change,
                change_since_baseline_ci_low: b.low,
                change_since_baseline_ci_high: b.high,
                verdict_since_baseline: b.verdict,
                not_asked: r.not_asked,
                suppressed: r.suppressed,
                suppression_reason: r.suppression_reason.clone(),
            }
        })
        .collect()
}

/// What a row takes from one change.
struct Side {
    value: Figure<InUnit>,
    change: Figure<InUnit>,
    low: Figure<InUnit>,
    high: Figure<InUnit>,
    verdict: Option<String>,
}

impl Side {
    fn of(c: Option<&FactIndicatorChange>) -> Side {
        match c {
            Some(c) => Side {
                value: c.value_from,
                change: c.delta,
                low: c.delta_ci_low,
                high: c.delta_ci_high,
                verdict: Some(c.verdict.clone()),
            },
            None => Side {
                value: Figure::Blank,
                change: Figure::Blank,
                low: Figure::Blank,
                high: Figure::Blank,
                verdict: None,
            },
        }
    }
}
