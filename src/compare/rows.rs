//! The rows of a comparison: for each pair of waves, every question and indicator asked in
//! either, each group a row, tested where both waves publish it.

use super::{
    ALPHA, Delta, Family, MIN_N_RELIABLE, Measure, NotTested, Pair, Roles, Sample, Verdict,
    compare, indicator_sample, item_sample,
};
use crate::disclosure::Protected;
use crate::ids::WaveId;
use crate::indicators::statistics::{IndicatorStats, ItemStats};
use crate::indicators::{Breakdown, Group};
use crate::schema::Schema;
use crate::stats;
use std::collections::{BTreeSet, HashMap};

/// Published cells by (wave, measure).
pub(super) type Cells<'a, T> = HashMap<(&'a str, usize), Vec<&'a Protected<T>>>;

/// Every question asked in either wave of the pair, in schema order, with what replaced it.
pub(super) fn item_rows(
    schema: &Schema,
    (roles, pair): (Roles, &Pair),
    (before, after): (&BTreeSet<usize>, &BTreeSet<usize>),
    item_cells: &Cells<ItemStats>,
    out: &mut Vec<Delta>,
) {
    for q in 0..schema.questions.len() {
        let (in_from, in_to) = (before.contains(&q), after.contains(&q));
        if !in_from && !in_to {
            continue;
        }
        let (from, not_comparable) = if in_from && in_to {
            (Some(q), None)
        } else if in_to {
            match schema.replaced_by(q) {
                Some(cw) if cw.comparable && before.contains(&cw.replaces) => {
                    (Some(cw.replaces), None)
                }
                Some(cw) => (
                    None,
                    Some(format!(
                        "new series: replaces {} ({})",
                        schema.questions[cw.replaces].id, cw.reason
                    )),
                ),
                None => (None, None),
            }
        } else {
            // Only asked earlier: say what replaced it, if anything.
            let successor = schema
                .crosswalk
                .iter()
                .find(|cw| cw.replaces == q && after.contains(&cw.question));
            match successor {
                Some(cw) if cw.comparable => continue, // compared under the new id
                Some(cw) => (
                    Some(q),
                    Some(format!(
                        "series ended: replaced by {} ({})",
                        schema.questions[cw.question].id, cw.reason
                    )),
                ),
                None => (Some(q), None),
            }
        };
        rows_for(
            (roles, pair),
            Measure::Question(q),
            from,
            in_to.then_some(q),
            item_cells,
            not_comparable,
            &item_sample,
            &|p| p.stats.as_ref().and_then(|s| s.counts.design_effect()),
            out,
        );
    }
}

/// Indicators: comparable when built from the same (comparable) items in both waves.
pub(super) fn indicator_rows(
    schema: &Schema,
    (roles, pair): (Roles, &Pair),
    (before, after): (&BTreeSet<usize>, &BTreeSet<usize>),
    ind_cells: &Cells<IndicatorStats>,
    out: &mut Vec<Delta>,
) {
    for (i, ind) in schema.indicators.iter().enumerate() {
        let comp = |set: &BTreeSet<usize>| -> Result<BTreeSet<usize>, String> {
            ind.items
                .iter()
                .filter(|q| set.contains(q))
                .map(|&q| comparable_id(schema, q))
                .collect()
        };
        // Only waves that both have the indicator (asked enough of its questions) are
        // compared, and only when they asked the same questions; otherwise it is "not asked".
        let has = |w: &WaveId| ind_cells.contains_key(&(w.as_str(), i));
        let ids = |set: &BTreeSet<usize>| -> String {
            let asked: Vec<&str> = ind
                .items
                .iter()
                .filter(|q| set.contains(q))
                .map(|&q| schema.questions[q].id.as_str())
                .collect();
            asked.join(", ")
        };
        let not_comparable = match (comp(before), comp(after)) {
            _ if !(has(&pair.from) && has(&pair.to)) => None,
            (Ok(a), Ok(b)) if a == b => None,
            (Err(e), _) | (_, Err(e)) => Some(format!("items changed: {e}")),
            _ => Some(format!(
                "not comparable: different questions ({} asked {}; {} asked {})",
                pair.from,
                ids(before),
                pair.to,
                ids(after)
            )),
        };
        let method = ind.method;
        rows_for(
            (roles, pair),
            Measure::Indicator(i),
            Some(i),
            Some(i),
            ind_cells,
            not_comparable,
            &|p| indicator_sample(method, p),
            &|p| {
                p.stats
                    .as_ref()
                    .and_then(|s| s.design_effect(p.n.unwrap_or(0)))
            },
            out,
        );
    }
}

/// Items of an indicator asked in a wave, mapped to their earliest comparable id, for
/// comparing composition.
fn comparable_id(schema: &Schema, q: usize) -> Result<usize, String> {
    match schema.replaced_by(q) {
        Some(cw) if cw.comparable => comparable_id(schema, cw.replaces),
        Some(cw) => Err(format!(
            "{} replaces {}, not comparable: {}",
            schema.questions[q].id, schema.questions[cw.replaces].id, cw.reason
        )),
        None => Ok(q),
    }
}

impl Delta {
    /// A row not (yet) tested.
    fn untested(
        roles: Roles,
        pair: &Pair,
        measure: Measure,
        breakdown: Breakdown,
        group: Group,
    ) -> Delta {
        Delta {
            roles,
            from: pair.from.clone(),
            to: pair.to.clone(),
            measure,
            breakdown,
            group,
            n: None,
            design_effects: (None, None),
            values: None,
            test: None,
            change_ci: None,
            adjusted_ci: None,
            se: None,
            mdd: None,
            mdd_family: None,
            low_reliability: false,
            family: Family::of(measure, breakdown),
            family_tests: 0,
            family_threshold: None,
            q_value: None,
            effect: None,
            verdict: Verdict::NotTested,
            reason: None,
            suppression: None,
        }
    }
}

/// The rows of one measure for one pair, before q-values.
#[allow(clippy::too_many_arguments)]
fn rows_for<T>(
    (roles, pair): (Roles, &Pair),
    measure: Measure,
    from: Option<usize>,
    to: Option<usize>,
    cells: &Cells<T>,
    not_comparable: Option<String>,
    sample: &dyn Fn(&Protected<T>) -> Option<Sample>,
    design_effect: &dyn Fn(&Protected<T>) -> Option<f64>,
    out: &mut Vec<Delta>,
) {
    let from_cells: HashMap<(Breakdown, Group), &Protected<T>> = from
        .and_then(|m| cells.get(&(pair.from.as_str(), m)))
        .map(|v| v.iter().map(|c| ((c.breakdown, c.group), *c)).collect())
        .unwrap_or_default();
    let to_cells: Vec<&Protected<T>> = to
        .and_then(|m| cells.get(&(pair.to.as_str(), m)))
        .cloned()
        .unwrap_or_default();
    // Rows follow the later wave's groups; a measure only asked earlier follows the earlier.
    let driver: Vec<&Protected<T>> = if to_cells.is_empty() {
        from.and_then(|m| cells.get(&(pair.from.as_str(), m)))
            .cloned()
            .unwrap_or_default()
    } else {
        to_cells.clone()
    };
    let to_map: HashMap<(Breakdown, Group), &Protected<T>> = to_cells
        .iter()
        .map(|c| ((c.breakdown, c.group), *c))
        .collect();
    for c in driver {
        let key = (c.breakdown, c.group);
        let (a, b) = (from_cells.get(&key), to_map.get(&key));
        let mut row = Delta::untested(roles, pair, measure, c.breakdown, c.group);
        let suppressed = [a, b].into_iter().flatten().find_map(|p| p.suppression);
        if let Some(s) = suppressed {
            row.suppression = Some(s);
            row.reason = Some(NotTested::Suppressed);
        } else if let Some(why) = &not_comparable {
            row.reason = Some(NotTested::NotComparable(why.clone()));
        } else if let (Some(a), Some(b)) = (a, b) {
            test(&mut row, a, b, sample, design_effect);
        } else {
            row.reason = Some(NotTested::NotAsked(if a.is_none() {
                pair.from.clone()
            } else {
                pair.to.clone()
            }));
        }
        out.push(row);
    }
}

/// Test a row whose two waves both publish the group: n, design effects, values, the change's
/// interval and its test (or why it is not tested).
fn test<T>(
    row: &mut Delta,
    a: &Protected<T>,
    b: &Protected<T>,
    sample: &dyn Fn(&Protected<T>) -> Option<Sample>,
    design_effect: &dyn Fn(&Protected<T>) -> Option<f64>,
) {
    match (sample(a), sample(b)) {
        (Some(sa), Some(sb)) => {
            let (na, nb) = (a.n.unwrap_or(0), b.n.unwrap_or(0));
            row.n = Some((na, nb));
            row.design_effects = (design_effect(a), design_effect(b));
            row.values = Some((sa.value(), sb.value()));
            let compared = compare(sa, sb);
            if let Some((ci, se)) = compared.interval {
                row.change_ci = Some(ci);
                row.se = Some(se);
                row.mdd = stats::mdd_for(se, ALPHA);
            }
            if na < MIN_N_RELIABLE || nb < MIN_N_RELIABLE {
                row.low_reliability = true;
                row.reason = Some(NotTested::LowReliability);
            } else if let Some((name, t, effect)) = compared.test {
                row.test = Some((name, t));
                row.effect = effect;
            } else {
                row.reason = Some(NotTested::NoVariation);
            }
        }
        _ => row.reason = Some(NotTested::NoAnswers),
    }
}
