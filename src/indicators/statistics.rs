//! From aggregates to published statistics: values, 95% intervals (Wilson for proportions,
//! t for means, normal for net scores), the finite population correction where the group's
//! headcount is known, and the minimum detectable difference at 80% power.

use super::aggregates::{ItemCounts, ScoreSummary, WaveAggregates};
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
        // A merged category's staff are its members'.
        let positions: Option<Vec<(usize, Vec<u32>)>> = wanted
            .iter()
            .map(|&(d, c)| {
                let cats = super::members(c).unwrap_or_else(|| vec![c]);
                hc.fields.iter().position(|&f| f == d).map(|p| (p, cats))
            })
            .collect();
        let positions = positions?;
        Some(
            hc.cells
                .iter()
                .filter(|(key, _)| positions.iter().all(|(p, c)| c.contains(&key[*p])))
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
    /// Respondent-level standard deviation in `value`'s units (themes, indices, scores), for
    /// year-on-year tests. Not published.
    pub sd: Option<f64>,
    /// Literal positive / neutral / negative answer counts (yes-rate, eNPS), for tests.
    pub raw: Option<[u64; 3]>,
    /// Kish's effective n behind value (weighted waves only): intervals and tests use it.
    pub n_eff: Option<f64>,
    /// Themes: the mean of respondents' shares of positive answers (percent), which the
    /// person-level control chart plots; `value` is the mean of the questions' % positive.
    /// Not published in the results tables.
    pub person_mean: Option<f64>,
    /// The interval ran past the end of the scale (0–100%, ±100 for eNPS) and was cut there.
    pub ci_clipped: bool,
}

impl IndicatorStats {
    /// The design effect of the weights: n / n_eff (weighted waves only).
    pub fn design_effect(&self, n: u64) -> Option<f64> {
        self.n_eff.filter(|&e| e > 0.0).map(|e| n as f64 / e)
    }
}

/// Items with intervals and MDD.
pub fn items(agg: &WaveAggregates, pops: &Populations) -> Vec<Cell<ItemStats>> {
    agg.items
        .iter()
        .map(|c| {
            let population = pops.of(c.breakdown, c.group);
            let f = stats::fpc(c.n, population);
            let counts = c.stats.clone();
            let p = counts.pct_positive().map(|v| v / 100.0);
            // Counts, or with weights the weighted share on Kish's effective n.
            let (x, n) = counts.positive_of();
            Cell {
                wave: c.wave.clone(),
                measure: c.measure,
                breakdown: c.breakdown,
                group: c.group,
                n: c.n,
                stats: ItemStats {
                    ci_positive: stats::wilson(x, n, f).map(|(l, h)| (100.0 * l, 100.0 * h)),
                    mdd: p.and_then(|p| stats::mdd_proportion(p, n, f)),
                    population,
                    counts,
                },
            }
        })
        .collect()
}

/// Counts of the scale's raw groups (before reverse keying): yes/no and 0–10 items are
/// scored on what was literally answered.
/// The weighted shares of the literal groups and Kish's effective n (weighted waves).
fn raw_shares_weighted(
    schema: &Schema,
    item: usize,
    counts: &ItemCounts,
) -> Option<([f64; 3], f64)> {
    let w = counts.weighted.as_ref()?;
    let scale = schema.scale_of(&schema.questions[item])?;
    let (mut g, mut sq) = ([0.0f64; 3], 0.0);
    for ((a, &sum), &s2) in scale.answers.iter().zip(&w.codes).zip(&w.codes_sq) {
        let k = match a.group {
            AnswerGroup::Positive => 0,
            AnswerGroup::Neutral => 1,
            AnswerGroup::Negative => 2,
            AnswerGroup::Excluded => continue,
        };
        g[k] += sum;
        sq += s2;
    }
    let total: f64 = g.iter().sum();
    (total > 0.0).then(|| {
        (
            g.map(|x| x / total),
            stats::rake::effective_n(total, sq).unwrap_or(0.0),
        )
    })
}

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
            let item = |q: usize| item_at.get(&(q, b, group)).copied();
            let score = score_at.get(&(i, b, group));
            // None: an item of the indicator was not asked this wave.
            let made = match ind.method {
                Method::ThemePctPositive => {
                    score.map(|score| theme_share(ind, score, &item, population))
                }
                Method::Index0To100 | Method::Score0To10 => {
                    score.map(|score| mean_score(score, population))
                }
                Method::YesRate | Method::Enps => {
                    item(ind.items[0]).map(|c| answer_rate(schema, ind, c, population))
                }
            };
            let Some((n, stats)) = made else { continue };
            out.push(Cell {
                wave: agg.wave.clone(),
                measure: i,
                breakdown: b,
                group,
                n,
                stats,
            });
        }
    }
    out
}

/// A theme's share positive: the mean of its items' % positive (and neutral, negative), with
/// the respondent-level standard error of the share around it.
fn theme_share<'a>(
    ind: &crate::schema::Indicator,
    score: &Cell<ScoreSummary>,
    item: &dyn Fn(usize) -> Option<&'a Cell<ItemStats>>,
    population: Option<u64>,
) -> (u64, IndicatorStats) {
    let mut sums = [0.0; 3];
    let mut k = 0usize;
    for &q in &ind.items {
        if let Some(c) = item(q) {
            let ct = &c.stats.counts;
            if ct.n() > 0 {
                for (s, v) in
                    sums.iter_mut()
                        .zip([ct.pct_positive(), ct.pct_neutral(), ct.pct_negative()])
                {
                    *s += v.unwrap_or(0.0);
                }
                k += 1;
            }
        }
    }
    let pct = (k > 0).then(|| sums.map(|s| s / k as f64));
    let f = stats::fpc(score.n, population);
    let value = pct.map(|p| p[0]);
    let n = score.stats.n_eff.unwrap_or(score.n as f64);
    // Interval: the respondent-level standard error of the share of positive
    // answers, around the theme score (the mean of the items' % positive).
    let raw = value.and_then(|v| stats::t_interval(v, 100.0 * score.stats.sd, n, f));
    let ci_clipped = raw.is_some_and(|(l, h)| l < 0.0 || h > 100.0);
    let ci = raw.map(|(l, h)| (l.max(0.0), h.min(100.0)));
    (
        score.n,
        IndicatorStats {
            value,
            ci,
            pct,
            mdd: stats::mdd_mean(100.0 * score.stats.sd, n, f),
            population,
            sd: Some(100.0 * score.stats.sd),
            raw: None,
            n_eff: score.stats.n_eff,
            person_mean: (score.n > 0).then_some(100.0 * score.stats.mean),
            ci_clipped,
        },
    )
}

/// A 0-100 index or 0-10 score: the mean of respondents' scores with a t interval.
fn mean_score(score: &Cell<ScoreSummary>, population: Option<u64>) -> (u64, IndicatorStats) {
    let f = stats::fpc(score.n, population);
    let (mean, sd) = (score.stats.mean, score.stats.sd);
    let n = score.stats.n_eff.unwrap_or(score.n as f64);
    (
        score.n,
        IndicatorStats {
            value: (score.n > 0).then_some(mean),
            ci: stats::t_interval(mean, sd, n, f),
            pct: None,
            mdd: stats::mdd_mean(sd, n, f),
            population,
            sd: Some(sd),
            raw: None,
            n_eff: score.stats.n_eff,
            person_mean: None,
            ci_clipped: false,
        },
    )
}

/// A yes-rate or eNPS from its one question's answers: the counts, or with weights the
/// weighted shares on Kish's effective n.
fn answer_rate(
    schema: &Schema,
    ind: &crate::schema::Indicator,
    c: &Cell<ItemStats>,
    population: Option<u64>,
) -> (u64, IndicatorStats) {
    let q = ind.items[0];
    let [pos, neu, neg] = raw_groups(schema, q, &c.stats.counts);
    let n = pos + neu + neg;
    let f = stats::fpc(n, population);
    // Shares and the sample size for intervals: the counts, or with weights
    // the weighted shares on Kish's effective n.
    let weighted = raw_shares_weighted(schema, q, &c.stats.counts);
    let (shares, n_used) = match weighted {
        Some((sh, n_eff)) => (sh, n_eff),
        None if n > 0 => ([pos, neu, neg].map(|x| x as f64 / n as f64), n as f64),
        None => ([0.0; 3], 0.0),
    };
    let n_eff = weighted.map(|w| w.1);
    if ind.method == Method::YesRate {
        let p = shares[0];
        // Unweighted: exactly the counts (x of n), as before weighting existed.
        let x = if weighted.is_some() {
            p * n_used
        } else {
            pos as f64
        };
        (
            n,
            IndicatorStats {
                value: (n > 0).then_some(100.0 * p),
                ci: stats::wilson(x, n_used, f).map(|(l, h)| (100.0 * l, 100.0 * h)),
                pct: None,
                mdd: (n > 0)
                    .then(|| stats::mdd_proportion(p, n_used, f))
                    .flatten(),
                population,
                sd: None,
                raw: Some([pos, neu, neg]),
                n_eff,
                person_mean: None,
                ci_clipped: false,
            },
        )
    } else {
        let (pp, pn) = (shares[0], shares[2]);
        let var = pp + pn - (pp - pn) * (pp - pn);
        let ci = stats::net_score_interval(pp, pn, n_used, f);
        // Cut at ±100 when the normal interval runs past it.
        let ci_clipped = ci.is_some_and(|(l, h)| {
            (l <= -100.0 && 100.0 * (pp - pn) > -100.0) || (h >= 100.0 && 100.0 * (pp - pn) < 100.0)
        });
        (
            n,
            IndicatorStats {
                value: (n > 0).then_some(100.0 * (pp - pn)),
                ci,
                pct: (n > 0).then(|| [100.0 * pp, 100.0 * shares[1], 100.0 * pn]),
                mdd: (n > 0).then(|| {
                    100.0
                        * (stats::z95() + stats::z(stats::POWER))
                        * (2.0 * var.max(0.0) / n_used * f).sqrt()
                }),
                population,
                sd: None,
                raw: Some([pos, neu, neg]),
                n_eff,
                person_mean: None,
                ci_clipped,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::frame::compute_wave;
    use polars::prelude::{DataFrame, df};

    fn schema() -> Schema {
        crate::schema::testing::schema(
            r#"
[[scales]]
id = "nps11"
answers = [
  { code = 0, label = "0", group = "negative" }, { code = 1, label = "1", group = "negative" },
  { code = 2, label = "2", group = "negative" }, { code = 3, label = "3", group = "negative" },
  { code = 4, label = "4", group = "negative" }, { code = 5, label = "5", group = "negative" },
  { code = 6, label = "6", group = "negative" }, { code = 7, label = "7", group = "neutral" },
  { code = 8, label = "8", group = "neutral" }, { code = 9, label = "9", group = "positive" },
  { code = 10, label = "10", group = "positive" },
]
[[questions]]
id = "S21"
text = "Valued"
type = "likert"
scale = "agree5"
[[questions]]
id = "S23"
text = "Workload"
type = "likert"
scale = "agree5"
[[questions]]
id = "N01"
text = "Recommend"
type = "0-10"
scale = "nps11"
[[indicators]]
id = "morale"
label = "Morale"
method = "score-0-10"
items = ["S21", "S23"]
min_items = 1
[[indicators]]
id = "enps"
label = "eNPS"
method = "enps"
items = ["N01"]
"#,
        )
    }

    fn run(df: &DataFrame) -> Vec<Cell<IndicatorStats>> {
        let s = schema();
        let agg = compute_wave(&s, &"w".into(), df, &[Breakdown::Overall]).unwrap();
        let pops = Populations::new(None, true);
        let items = items(&agg, &pops);
        indicators(&s, &agg, &items, &pops)
    }

    #[test]
    fn nhs_style_score_and_enps_by_hand() {
        let df = df! {
            "S21" => [Some(5u8), Some(4), Some(2), None, Some(9)],
            "S23" => [Some(3u8), None, Some(1), None, Some(5)],
            "N01" => [Some(10u8), Some(9), Some(7), Some(3), Some(0)],
        }
        .unwrap();
        let cells = run(&df);
        // Score 0-10 (0/2.5/5/7.5/10), respondent mean over answered items, at least 1:
        // r1 (10 + 5)/2 = 7.5; r2 7.5; r3 (2.5 + 0)/2 = 1.25; r4 none; r5 DK excluded → 10.
        let m = &cells[0];
        assert_eq!(m.n, 4);
        let mean = (7.5 + 7.5 + 1.25 + 10.0) / 4.0;
        assert!((m.stats.value.unwrap() - mean).abs() < 1e-12);
        // eNPS: promoters 2 (10, 9), passive 1 (7), detractors 2 (3, 0) of 5: 40 - 40 = 0.
        let e = &cells[1];
        assert_eq!(e.n, 5);
        assert!(e.stats.value.unwrap().abs() < 1e-12);
        let [p, z, d] = e.stats.pct.unwrap();
        assert!((p - 40.0).abs() < 1e-12 && (z - 20.0).abs() < 1e-12 && (d - 40.0).abs() < 1e-12);
        // var = (0.4 + 0.4 - 0) / 5; 100 * 1.959963984540054 * sqrt(0.16) = 78.3985...
        let (lo, hi) = e.stats.ci.unwrap();
        assert!((hi - 78.39855938160216).abs() < 1e-9 && (lo + 78.39855938160216).abs() < 1e-9);
    }

    #[test]
    fn a_themes_person_mean_is_the_mean_of_respondents_shares_by_hand() {
        let s = crate::schema::testing::schema(
            r#"
[[questions]]
id = "Q1"
text = "One"
type = "likert"
scale = "agree5"
[[questions]]
id = "Q2"
text = "Two"
type = "likert"
scale = "agree5"
[[indicators]]
id = "theme"
label = "Theme"
method = "theme-pct-positive"
items = ["Q1", "Q2"]
"#,
        );
        // r1 SA, D → 1 of 2 positive; r2 A, blank → 1 of 1; r3 D, D → 0 of 2; r4 N, A → 1 of 2.
        let df = df! {
            "Q1" => [Some(5u8), Some(4), Some(2), Some(3)],
            "Q2" => [Some(2u8), None, Some(2), Some(4)],
        }
        .unwrap();
        let agg = compute_wave(&s, &"w".into(), &df, &[Breakdown::Overall]).unwrap();
        let pops = Populations::new(None, false);
        let items = items(&agg, &pops);
        let theme = &indicators(&s, &agg, &items, &pops)[0];
        // Published theme score: the mean of the questions' % positive, (2/4 + 1/3) / 2.
        let value = (50.0 + 100.0 / 3.0) / 2.0;
        assert!((theme.stats.value.unwrap() - value).abs() < 1e-12);
        // What the person-level chart plots: respondents' shares (0.5 + 1 + 0 + 0.5) / 4.
        assert!((theme.stats.person_mean.unwrap() - 50.0).abs() < 1e-12);
        // sd of the shares (ddof 1): √(((0)² + 0.5² + 0.5² + 0²) / 3) = 0.40825 → 40.825 points;
        // the t interval 41.67 ∓ t(0.975, 3) × 40.825 / 2 runs below 0 and above 100: cut, and
        // said so.
        assert!((theme.stats.sd.unwrap() - 100.0 * (0.5f64 / 3.0).sqrt()).abs() < 1e-9);
        assert!(theme.stats.ci_clipped);
        assert_eq!(theme.stats.ci, Some((0.0, 100.0)));
    }

    #[test]
    fn populations_sum_hr_cells_for_the_breakdown() {
        let hc = Headcount {
            file: "hc.csv".into(),
            fields: vec![0, 1],
            cells: vec![
                (vec![0, 0], 10),
                (vec![0, 1], 5),
                (vec![1, 0], 7),
                (vec![1, 1], 3),
            ],
        };
        let p = Populations::new(Some(&hc), true);
        assert_eq!(p.of(Breakdown::Overall, Group::All), Some(25));
        assert_eq!(p.of(Breakdown::Field(0), Group::One(Some(0))), Some(15));
        assert_eq!(p.of(Breakdown::Field(1), Group::One(Some(0))), Some(17));
        assert_eq!(
            p.of(Breakdown::Cross(0, 1), Group::Two(Some(1), Some(1))),
            Some(3)
        );
        assert_eq!(
            p.of(Breakdown::Field(0), Group::One(None)),
            None,
            "Not stated"
        );
        assert_eq!(
            p.of(Breakdown::Field(2), Group::One(Some(0))),
            None,
            "not an HR field"
        );
        assert!(!p.describes(Breakdown::Field(2)));
        assert_eq!(
            Populations::new(Some(&hc), false).of(Breakdown::Overall, Group::All),
            None
        );
    }
}
