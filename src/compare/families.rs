//! Benjamini–Hochberg within each family of each pair of waves, and the verdicts: improved,
//! declined, or no significant change.

use super::{ALPHA, Delta, Family, Measure, Verdict};
use crate::ids::WaveId;
use crate::indicators::{Breakdown, Group};
use crate::schema::{Method, Schema};
use crate::stats;
use std::collections::{BTreeMap, HashMap};

/// Adjust every tested row for the family it belongs to and give it its verdict.
pub(super) fn adjust(schema: &Schema, out: &mut [Delta]) {
    // A question that is a yes-rate indicator's only item is the same test as the indicator
    // (its % positive is the favourable answer's share, the complement of the yes-rate): it is
    // tested once, in the indicator's family, and its row carries that test's verdict.
    let same_test = linked_items(schema, out);

    // Benjamini–Hochberg within each family of each pair of waves.
    let mut families: BTreeMap<(&WaveId, &WaveId, Family), Vec<usize>> = BTreeMap::new();
    for (i, d) in out.iter().enumerate() {
        if !same_test.contains_key(&i) {
            families
                .entry((&d.from, &d.to, d.family))
                .or_default()
                .push(i);
        }
    }
    let families: Vec<Vec<usize>> = families.into_values().collect();
    for members in families {
        let tested: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&i| out[i].test.is_some())
            .collect();
        let p: Vec<f64> = tested
            .iter()
            .map(|&i| out[i].test.expect("tested").1.p_value)
            .collect();
        let threshold = stats::bh_threshold(&p, ALPHA);
        for &i in &members {
            out[i].family_tests = tested.len();
            out[i].family_threshold = threshold;
        }
        for (&i, q) in tested.iter().zip(stats::benjamini_hochberg(&p)) {
            out[i].q_value = Some(q);
        }
    }
    for (&item, &indicator) in &same_test {
        let (family, tests, threshold) = {
            let ind = &out[indicator];
            (ind.family, ind.family_tests, ind.family_threshold)
        };
        let q = out[indicator].q_value;
        let d = &mut out[item];
        d.family = family;
        d.family_tests = tests;
        d.family_threshold = threshold;
        d.q_value = d.test.and(q);
    }
    for d in out.iter_mut() {
        d.mdd_family =
            d.se.zip(d.family_threshold)
                .and_then(|(se, t)| stats::mdd_for(se, t));
        let Some(q) = d.q_value else { continue };
        let (_, test) = d.test.expect("a q-value belongs to a test");
        let up = d.delta().unwrap_or(0.0) > 0.0;
        let better = up == d.measure.higher_is_better(schema);
        d.verdict = if q < ALPHA {
            if better {
                Verdict::Improved
            } else {
                Verdict::Declined
            }
        } else {
            Verdict::NoSignificantChange
        };
        d.adjusted_ci = d
            .family_threshold
            .zip(d.delta())
            .and_then(|(t, delta)| stats::interval_at(delta, &test, t, d.se.unwrap_or(f64::NAN)));
    }
}

/// Rows of questions that are the only item of a yes-rate indicator, each with the row of
/// that indicator for the same pair of waves and group, where both are tested: by position in
/// `rows`.
fn linked_items(schema: &Schema, rows: &[Delta]) -> HashMap<usize, usize> {
    let yes_rate_of: HashMap<usize, usize> = schema
        .indicators
        .iter()
        .enumerate()
        .filter(|(_, ind)| ind.method == Method::YesRate && ind.items.len() == 1)
        .map(|(i, ind)| (ind.items[0], i))
        .collect();
    let at: HashMap<(&WaveId, &WaveId, usize, Breakdown, Group), usize> = rows
        .iter()
        .enumerate()
        .filter_map(|(k, d)| match d.measure {
            Measure::Indicator(i) => Some(((&d.from, &d.to, i, d.breakdown, d.group), k)),
            Measure::Question(_) => None,
        })
        .collect();
    rows.iter()
        .enumerate()
        .filter_map(|(k, d)| {
            let Measure::Question(q) = d.measure else {
                return None;
            };
            let i = *yes_rate_of.get(&q)?;
            let j = *at.get(&(&d.from, &d.to, i, d.breakdown, d.group))?;
            (d.test.is_some() && rows[j].test.is_some()).then_some((k, j))
        })
        .collect()
}
