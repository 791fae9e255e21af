//! From aggregates to published statistics: values, 95% intervals (Wilson for proportions,
//! t for means, normal for net scores), the finite population correction where the group's
//! headcount is known, and the minimum detectable difference at 80% power.

use super::compute::{ItemCounts, ScoreSummary, WaveAggregates};
use super::{Breakdown, Cell, Group};
use crate::import::headcount::Headcount;
use crate::schema::{AnswerGroup, Method, Schema};
use crate::stats;
use std::collections::HashMap;

/// Headcounts for the finite population correction, when known and switched on.
pub struct Populations<'a> {
    headcount: Option<&'a Headcount>,
}

impl<'a> Populations<'a> {
    /// `enabled = false` switches the finite population correction off.
    pub fn new(headcount: Option<&'a Headcount>, enabled: bool) -> Self {
        Populations {
            headcount: headcount.filter(|_| enabled),
        }
    }

    /// Whether the HR file has every field of the breakdown (and so a headcount for each of
    /// its stated groups).
    pub fn describes(&self, breakdown: Breakdown) -> bool {
        self.headcount
            .is_some_and(|hc| breakdown.fields().iter().all(|d| hc.fields.contains(d)))
    }

    /// Staff in post in a group, if the HR file has the breakdown's fields. Not stated has
    /// no headcount.
    pub fn of(&self, breakdown: Breakdown, group: Group) -> Option<u64> {
        let hc = self.headcount?;
        let wanted: Vec<(usize, u32)> = match (breakdown, group) {
            (Breakdown::Overall, Group::All) => vec![],
            (Breakdown::Field(d), Group::One(Some(c))) => vec![(d, c)],
            (Breakdown::Cross(a, b), Group::Two(Some(x), Some(y))) => vec![(a, x), (b, y)],
            _ => return None,
        };
        let positions: Option<Vec<(usize, u32)>> = wanted
            .iter()
            .map(|&(d, c)| hc.fields.iter().position(|&f| f == d).map(|p| (p, c)))
            .collect();
        let positions = positions?;
        Some(
            hc.cells
                .iter()
                .filter(|(key, _)| positions.iter().all(|&(p, c)| key[p] == c))
                .map(|(_, n)| n)
                .sum(),
        )
    }
}

/// An item's published statistics in one group.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemStats {
    pub counts: ItemCounts,
    /// 95% Wilson interval for % positive, in percent.
    pub ci_positive: Option<(f64, f64)>,
    /// Minimum detectable difference in % positive, in percentage points.
    pub mdd: Option<f64>,
    /// Headcount used for the finite population correction.
    pub population: Option<u64>,
}

/// An indicator's published statistics in one group.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorStats {
    pub value: Option<f64>,
    pub ci: Option<(f64, f64)>,
    /// % positive / neutral / negative where the method has them (themes, eNPS).
    pub pct: Option<[f64; 3]>,
    pub mdd: Option<f64>,
    pub population: Option<u64>,
}

/// Items with intervals and MDD.
pub fn items(agg: &WaveAggregates, pops: &Populations) -> Vec<Cell<ItemStats>> {
    agg.items
        .iter()
        .map(|c| {
            let population = pops.of(c.breakdown, c.group);
            let f = stats::fpc(c.n, population);
            let counts = c.stats.clone();
            let p = counts.pct(counts.positive).map(|v| v / 100.0);
            Cell {
                wave: c.wave.clone(),
                measure: c.measure,
                breakdown: c.breakdown,
                group: c.group,
                n: c.n,
                stats: ItemStats {
                    ci_positive: stats::wilson(counts.positive, c.n, f)
                        .map(|(l, h)| (100.0 * l, 100.0 * h)),
                    mdd: p.and_then(|p| stats::mdd_proportion(p, c.n, f)),
                    population,
                    counts,
                },
            }
        })
        .collect()
}

/// Counts of the scale's raw groups (before reverse keying): yes/no and 0–10 items are
/// scored on what was literally answered.
fn raw_groups(schema: &Schema, item: usize, counts: &ItemCounts) -> [u64; 3] {
    let scale = schema
        .scale_of(&schema.questions[item])
        .expect("scored item");
    let mut g = [0u64; 3];
    for (a, &n) in scale.answers.iter().zip(&counts.codes) {
        match a.group {
            AnswerGroup::Positive => g[0] += n,
            AnswerGroup::Neutral => g[1] += n,
            AnswerGroup::Negative => g[2] += n,
            AnswerGroup::Excluded => {}
        }
    }
    g
}

/// Indicators for one wave, in schema order, then breakdown and group order.
pub fn indicators(
    schema: &Schema,
    agg: &WaveAggregates,
    items: &[Cell<ItemStats>],
    pops: &Populations,
) -> Vec<Cell<IndicatorStats>> {
    let item_at: HashMap<(usize, Breakdown, Group), &Cell<ItemStats>> = items
        .iter()
        .map(|c| ((c.measure, c.breakdown, c.group), c))
        .collect();
    let score_at: HashMap<(usize, Breakdown, Group), &Cell<ScoreSummary>> = agg
        .scores
        .iter()
        .map(|c| ((c.measure, c.breakdown, c.group), c))
        .collect();
    let mut out = Vec::new();
    for (i, ind) in schema.indicators.iter().enumerate() {
        for g in &agg.respondents {
            let (b, group) = (g.breakdown, g.group);
            let population = pops.of(b, group);
            let cell = |n: u64, stats: IndicatorStats| Cell {
                wave: agg.wave.clone(),
                measure: i,
                breakdown: b,
                group,
                n,
                stats,
            };
            let made = match ind.method {
                Method::ThemePctPositive => {
                    let Some(score) = score_at.get(&(i, b, group)) else {
                        continue; // an item of the theme was not asked this wave
                    };
                    let mut sums = [0.0; 3];
                    let mut k = 0usize;
                    for &q in &ind.items {
                        if let Some(c) = item_at.get(&(q, b, group)) {
                            let ct = &c.stats.counts;
                            if ct.n() > 0 {
                                for (s, v) in
                                    sums.iter_mut().zip([ct.positive, ct.neutral, ct.negative])
                                {
                                    *s += ct.pct(v).unwrap_or(0.0);
                                }
                                k += 1;
                            }
                        }
                    }
                    let pct = (k > 0).then(|| sums.map(|s| s / k as f64));
                    let f = stats::fpc(score.n, population);
                    let value = pct.map(|p| p[0]);
                    // Interval: the respondent-level standard error of the share of positive
                    // answers, around the theme score (the mean of the items' % positive).
                    let ci = value.and_then(|v| {
                        stats::t_interval(v, 100.0 * score.stats.sd, score.n, f)
                            .map(|(l, h)| (l.max(0.0), h.min(100.0)))
                    });
                    cell(
                        score.n,
                        IndicatorStats {
                            value,
                            ci,
                            pct,
                            mdd: stats::mdd_mean(100.0 * score.stats.sd, score.n, f),
                            population,
                        },
                    )
                }
                Method::Index0To100 | Method::Score0To10 => {
                    let Some(score) = score_at.get(&(i, b, group)) else {
                        continue;
                    };
                    let f = stats::fpc(score.n, population);
                    let (mean, sd) = (score.stats.mean, score.stats.sd);
                    cell(
                        score.n,
                        IndicatorStats {
                            value: (score.n > 0).then_some(mean),
                            ci: stats::t_interval(mean, sd, score.n, f),
                            pct: None,
                            mdd: stats::mdd_mean(sd, score.n, f),
                            population,
                        },
                    )
                }
                Method::YesRate | Method::Enps => {
                    let q = ind.items[0];
                    let Some(c) = item_at.get(&(q, b, group)) else {
                        continue;
                    };
                    let [pos, neu, neg] = raw_groups(schema, q, &c.stats.counts);
                    let n = pos + neu + neg;
                    let f = stats::fpc(n, population);
                    let share = |x: u64| x as f64 / n as f64;
                    if ind.method == Method::YesRate {
                        cell(
                            n,
                            IndicatorStats {
                                value: (n > 0).then(|| 100.0 * share(pos)),
                                ci: stats::wilson(pos, n, f).map(|(l, h)| (100.0 * l, 100.0 * h)),
                                pct: None,
                                mdd: (n > 0)
                                    .then(|| stats::mdd_proportion(share(pos), n, f))
                                    .flatten(),
                                population,
                            },
                        )
                    } else {
                        let (pp, pn) = if n > 0 {
                            (share(pos), share(neg))
                        } else {
                            (0.0, 0.0)
                        };
                        let var = pp + pn - (pp - pn) * (pp - pn);
                        cell(
                            n,
                            IndicatorStats {
                                value: (n > 0).then_some(100.0 * (pp - pn)),
                                ci: stats::net_score_interval(pp, pn, n, f),
                                pct: (n > 0).then(|| [100.0 * pp, 100.0 * share(neu), 100.0 * pn]),
                                mdd: (n > 0).then(|| {
                                    100.0
                                        * (stats::z95() + stats::z(stats::POWER))
                                        * (2.0 * var.max(0.0) / n as f64 * f).sqrt()
                                }),
                                population,
                            },
                        )
                    }
                }
            };
            out.push(made);
        }
    }
    out
}
