//! Key driver analysis: what most relates to an outcome (the engagement index, officer–member
//! trust). For each outcome, the latest wave's respondents' outcome score is regressed on the
//! other themes' scores and R² is shared out among the themes by the Shapley decomposition
//! (LMG, [`crate::stats::lmg`]), with a seeded bootstrap interval for each share. As the Civil
//! Service People Survey does, this is presented as association, not cause, and only for
//! the whole organisation and groups large enough to carry a regression.
//!
//! A respondent's score on a theme is the mean of the 0–100 scores (0, 25, 50, 75, 100) of
//! the theme's questions they answered, needing the indicator's `min_items`. Yes/no and 0–10
//! questions are not scored this way, so yes-rates and eNPS are never drivers. A respondent
//! missing the outcome or any driver is left out (listwise) and counted.

use crate::ids::WaveId;
use crate::indicators::{Breakdown, Group};
use crate::responses::{NOT_STATED, Responses};
use crate::schema::Schema;
use crate::stats::lmg::{self, Correlations};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

pub use crate::config::drivers::{
    DEFAULT_BOOTSTRAP, DEFAULT_MIN_RESPONDENTS, DEFAULT_OUTCOMES, DEFAULT_SEED, DriverSettings,
    drivers_of,
};

/// Up to this many respondents the bootstrap resamples respondents. A larger group is dealt
/// at random (seeded) into this many blocks, each summarised once by its sums and cross-products, and
/// the bootstrap resamples blocks: the block sums are independent and identically
/// distributed, so resampling them bootstraps the correlations (and so the shares), and a
/// million respondents cost what a few thousand do.
pub const BOOTSTRAP_CAP: usize = 5_000;
pub const BOOTSTRAP_BLOCKS: usize = 500;

/// Below this R² the drivers together explain too little for their ranks and quadrants to
/// mean anything: the shares are published, the labels are not.
pub const MIN_R2_FOR_LABELS: f64 = 0.10;
/// Fewer drivers than this (themes asked in the wave) and ranking them says little.
pub const MIN_DRIVERS_FOR_LABELS: usize = 3;
/// A quadrant is named only when at least this share of bootstrap resamples put the driver
/// in it; otherwise it is "unclear".
pub const QUADRANT_SUPPORT: f64 = 0.90;

/// Each respondent's 0–100 score on an indicator (NaN: fewer answered questions than
/// `min_items`); `None` when the wave asked none of its questions.
pub fn scores_0_100(schema: &Schema, r: &Responses, indicator: usize) -> Option<Vec<f64>> {
    let ind = &schema.indicators[indicator];
    let tables: Vec<(&[u8], Vec<Option<f64>>)> = ind
        .items
        .iter()
        .filter_map(|&q| {
            let col = r.answers[q].as_deref()?;
            let question = &schema.questions[q];
            let scale = schema.scale_of(question)?;
            let points = schema.score_points(question, 100.0);
            let by_slot: Vec<Option<f64>> = std::iter::once(None)
                .chain(
                    scale
                        .answers
                        .iter()
                        .map(|a| points.iter().find(|(c, _)| *c == a.code).map(|p| p.1)),
                )
                .collect();
            Some((col, by_slot))
        })
        .collect();
    if tables.is_empty() {
        return None;
    }
    let min = ind.min_items.max(1) as f64;
    Some(
        (0..r.rows)
            .map(|row| {
                let (mut sum, mut k) = (0.0, 0.0);
                for (col, by_slot) in &tables {
                    if let Some(v) = by_slot.get(col[row] as usize).copied().flatten() {
                        sum += v;
                        k += 1.0;
                    }
                }
                if k >= min { sum / k } else { f64::NAN }
            })
            .collect(),
    )
}

/// One driver's part in one analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct DriverRow {
    pub indicator: usize,
    /// Share of R² (0–1).
    pub share: f64,
    /// Bootstrap 95% percentile interval for the share.
    pub share_ci: Option<(f64, f64)>,
    pub beta: f64,
    /// Mean 0–100 score of the respondents analysed.
    pub score: f64,
    /// 1 = the largest share.
    pub rank: usize,
    /// The 95% range of the driver's rank over the bootstrap resamples (1 = largest share).
    pub rank_interval: Option<(usize, usize)>,
    pub quadrant: Quadrant,
    /// Share of bootstrap resamples that put the driver in `quadrant` (importance against
    /// the resample's average share, score against the resample's median score).
    pub quadrant_support: Option<f64>,
}

impl DriverRow {
    /// The rank, when the bootstrap separates it from its neighbours (its 95% range is that
    /// one rank) and the analysis may be labelled.
    pub fn rank_shown(&self, a: &Analysis) -> Option<usize> {
        (a.labelled() && self.rank_interval == Some((self.rank, self.rank))).then_some(self.rank)
    }

    /// The quadrant as published: named only with enough bootstrap support, in an analysis
    /// that may be labelled.
    pub fn quadrant_shown(&self, a: &Analysis) -> Shown {
        if !a.labelled() {
            Shown::NotLabelled
        } else if self.quadrant_support.is_some_and(|s| s >= QUADRANT_SUPPORT) {
            Shown::Named(self.quadrant)
        } else {
            Shown::Unclear
        }
    }
}

/// A driver's quadrant as readers see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    Named(Quadrant),
    /// The bootstrap puts it in more than one quadrant.
    Unclear,
    /// The model explains too little, or too few drivers were asked, to label any.
    NotLabelled,
}

impl Shown {
    pub fn code(self) -> &'static str {
        match self {
            Shown::Named(q) => q.code(),
            Shown::Unclear => "unclear",
            Shown::NotLabelled => "not_labelled",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Shown::Named(q) => q.label(),
            Shown::Unclear => "Unclear",
            Shown::NotLabelled => "Not labelled",
        }
    }
}

/// Where a driver sits: importance against current score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quadrant {
    /// Above-average importance, score at or above the drivers' median: keep it up.
    Strength,
    /// Above-average importance, score below the median: where to act.
    Priority,
    /// Below-average importance, high score.
    Maintain,
    /// Below-average importance, low score.
    Monitor,
}

impl Quadrant {
    pub fn code(self) -> &'static str {
        match self {
            Quadrant::Strength => "strength",
            Quadrant::Priority => "priority",
            Quadrant::Maintain => "maintain",
            Quadrant::Monitor => "monitor",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Quadrant::Strength => "Strength",
            Quadrant::Priority => "Priority",
            Quadrant::Maintain => "Maintain",
            Quadrant::Monitor => "Monitor",
        }
    }
}

/// One outcome in one group.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    pub wave: WaveId,
    pub outcome: usize,
    pub breakdown: Breakdown,
    pub group: Group,
    /// Respondents in the group.
    pub respondents: u64,
    /// Respondents with the outcome and every driver (the regression's n).
    pub used: u64,
    pub r2: f64,
    /// Bootstrap draws that gave a decomposition.
    pub replicates: usize,
    pub drivers: Vec<DriverRow>,
}

impl Analysis {
    /// Whether ranks and quadrants may be named at all: R² at least [`MIN_R2_FOR_LABELS`] and
    /// at least [`MIN_DRIVERS_FOR_LABELS`] drivers.
    pub fn labelled(&self) -> bool {
        self.r2 >= MIN_R2_FOR_LABELS && self.drivers.len() >= MIN_DRIVERS_FOR_LABELS
    }
}

/// One outcome in one group, analysed or not: how many respondents it has and how many have
/// the outcome and every driver. Disclosure control decides from these which groups'
/// analyses may be published.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupRun {
    pub wave: WaveId,
    pub outcome: usize,
    pub breakdown: Breakdown,
    pub group: Group,
    pub respondents: u64,
    pub used: u64,
    /// `None` below `min_respondents`.
    pub analysis: Option<Analysis>,
}

/// A deterministic seed for one analysis (the same whatever order analyses run in).
fn seed_for(seed: u64, outcome: usize, b: Breakdown, g: Group) -> u64 {
    use std::hash::{Hash, Hasher};
    // FNV-1a over a fixed encoding: stable across Rust versions, unlike DefaultHasher.
    struct Fnv(u64);
    impl Hasher for Fnv {
        fn finish(&self) -> u64 {
            self.0
        }
        fn write(&mut self, bytes: &[u8]) {
            for &b in bytes {
                self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
    }
    let mut h = Fnv(0xcbf2_9ce4_8422_2325 ^ seed);
    (outcome, b, g).hash(&mut h);
    h.finish()
}

/// Key drivers of every configured outcome, for the whole organisation and every one-way
/// group of `breakdowns` with at least `min_respondents` complete respondents; every group
/// (with respondents) is listed with its counts, analysed or not.
pub fn analyse(
    schema: &Schema,
    s: &DriverSettings,
    wave: &WaveId,
    r: &Responses,
    breakdowns: &[Breakdown],
) -> Vec<GroupRun> {
    // Scores once per indicator.
    let needed: std::collections::BTreeSet<usize> = s
        .outcomes
        .iter()
        .flat_map(|&o| std::iter::once(o).chain(drivers_of(schema, s, o)))
        .collect();
    let scores: std::collections::HashMap<usize, Vec<f64>> = needed
        .into_par_iter()
        .filter_map(|i| scores_0_100(schema, r, i).map(|v| (i, v)))
        .collect();
    let groups = groups(schema, r, breakdowns);
    let prepared: Vec<Prepared> = (s.outcomes.iter())
        .filter_map(|&outcome| Prepared::new(schema, s, r, &scores, outcome))
        .collect();
    type Job<'a> = (&'a Prepared, &'a (Breakdown, Group, Vec<u32>));
    let jobs: Vec<Job> = prepared
        .iter()
        .flat_map(|p| groups.iter().map(move |g| (p, g)))
        .collect();
    jobs.into_par_iter()
        .filter(|(_, (_, _, rows))| !rows.is_empty())
        .map(|(p, (b, g, rows))| {
            // Listwise: the group's respondents with the outcome and every driver.
            let used: Vec<u32> = rows.iter().filter_map(|&i| p.at[i as usize]).collect();
            GroupRun {
                wave: wave.clone(),
                outcome: p.outcome,
                breakdown: *b,
                group: *g,
                respondents: rows.len() as u64,
                used: used.len() as u64,
                analysis: (used.len() as u64 >= s.min_respondents)
                    .then(|| analyse_group(s, wave, p, (*b, *g), rows.len(), &used))
                    .flatten(),
            }
        })
        .collect()
}

/// The groups: everyone, then each category of each one-way breakdown, with their rows.
fn groups(
    schema: &Schema,
    r: &Responses,
    breakdowns: &[Breakdown],
) -> Vec<(Breakdown, Group, Vec<u32>)> {
    let mut groups: Vec<(Breakdown, Group, Vec<u32>)> =
        vec![(Breakdown::Overall, Group::All, (0..r.rows as u32).collect())];
    for &b in breakdowns {
        let Breakdown::Field(d) = b else { continue };
        let Some(col) = r.fields[d].as_deref() else {
            continue;
        };
        let cats = schema.demographics[d].categories.len();
        let mut rows: Vec<Vec<u32>> = vec![Vec::new(); cats + 1];
        for (i, &c) in col.iter().enumerate() {
            let k = if c == NOT_STATED { cats } else { c as usize };
            rows[k].push(i as u32);
        }
        for (k, rows) in rows.into_iter().enumerate() {
            let cat = (k < cats).then_some(k as u32);
            groups.push((b, Group::One(cat), rows));
        }
    }
    groups
}

/// Per outcome, once: its drivers and the respondents with every score, as a row-major
/// matrix (outcome first); each respondent's row in it, or None.
struct Prepared {
    outcome: usize,
    drivers: Vec<usize>,
    k: usize,
    matrix: Vec<f64>,
    at: Vec<Option<u32>>,
}

impl Prepared {
    fn new(
        schema: &Schema,
        s: &DriverSettings,
        r: &Responses,
        scores: &std::collections::HashMap<usize, Vec<f64>>,
        outcome: usize,
    ) -> Option<Prepared> {
        let drivers: Vec<usize> = drivers_of(schema, s, outcome)
            .into_iter()
            .filter(|i| scores.contains_key(i))
            .collect();
        let y = scores.get(&outcome)?;
        if drivers.is_empty() || drivers.len() > lmg::MAX_DRIVERS {
            return None;
        }
        let cols: Vec<&[f64]> = std::iter::once(y.as_slice())
            .chain(drivers.iter().map(|d| scores[d].as_slice()))
            .collect();
        let k = cols.len();
        let mut matrix = Vec::new();
        let mut at = vec![None; r.rows];
        let mut next = 0u32;
        for (i, slot) in at.iter_mut().enumerate() {
            if cols.iter().all(|c| !c[i].is_nan()) {
                matrix.extend(cols.iter().map(|c| c[i]));
                *slot = Some(next);
                next += 1;
            }
        }
        Some(Prepared {
            outcome,
            drivers,
            k,
            matrix,
            at,
        })
    }
}

/// Each driver's rank by share (1 = the largest; ties to the earlier driver).
fn ranks(shares: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|&a, &b| shares[b].total_cmp(&shares[a]).then(a.cmp(&b)));
    let mut rank = vec![0; shares.len()];
    for (r, &j) in order.iter().enumerate() {
        rank[j] = r + 1;
    }
    rank
}

/// The quadrant of a driver from its importance (share at or above the average) and its score
/// (at or above the drivers' median).
fn quadrant(important: bool, high: bool) -> Quadrant {
    match (important, high) {
        (true, true) => Quadrant::Strength,
        (true, false) => Quadrant::Priority,
        (false, true) => Quadrant::Maintain,
        (false, false) => Quadrant::Monitor,
    }
}

/// The full sample's decomposition and mean scores, with each kept resample's shares (per
/// driver) and mean scores.
struct Bootstrap {
    full: lmg::Decomposition,
    means: Vec<f64>,
    draws: Vec<Vec<f64>>,
    mean_draws: Vec<Vec<f64>>,
}

/// Room for each driver's shares and each resample's means.
fn empty_draws(drivers: usize, replicates: usize) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
    (
        vec![Vec::with_capacity(replicates); drivers],
        Vec::with_capacity(replicates),
    )
}

/// Keep a resample's decomposition (when it has one) and its mean driver scores.
fn keep(
    draws: &mut [Vec<f64>],
    mean_draws: &mut Vec<Vec<f64>>,
    d: Option<lmg::Decomposition>,
    means: Vec<f64>,
) {
    if let Some(d) = d {
        for (slot, share) in draws.iter_mut().zip(d.shares()) {
            slot.push(share);
        }
        mean_draws.push(means);
    }
}

/// Resample respondents with replacement.
fn bootstrap_rows(
    s: &DriverSettings,
    p: &Prepared,
    used: &[u32],
    rng: &mut ChaCha8Rng,
) -> Option<Bootstrap> {
    let (k, matrix, n) = (p.k, &p.matrix, used.len());
    let (mut draws, mut mean_draws) = empty_draws(p.drivers.len(), s.bootstrap);
    let full = lmg::lmg(&Correlations::of_matrix(matrix, k, Some(used))?)?;
    let mut pick = vec![0u32; n];
    for _ in 0..s.bootstrap {
        for q in pick.iter_mut() {
            *q = used[rng.random_range(0..n)];
        }
        let mut sums = vec![0.0; k];
        for &i in &pick {
            let row = &matrix[i as usize * k..(i as usize + 1) * k];
            sums.iter_mut().zip(row).for_each(|(s, v)| *s += v);
        }
        let means: Vec<f64> = sums[1..].iter().map(|s| s / n as f64).collect();
        let d = Correlations::of_matrix(matrix, k, Some(&pick)).and_then(|c| lmg::lmg(&c));
        keep(&mut draws, &mut mean_draws, d, means);
    }
    let means: Vec<f64> = (1..k)
        .map(|j| {
            used.iter()
                .map(|&i| matrix[i as usize * k + j])
                .sum::<f64>()
                / n as f64
        })
        .collect();
    Some(Bootstrap {
        full,
        means,
        draws,
        mean_draws,
    })
}

/// Very large groups: each respondent dealt at random into one of the blocks (rows read in
/// order, so the matrix streams through the cache), each block summed once; the bootstrap
/// resamples the blocks.
fn bootstrap_blocks(
    s: &DriverSettings,
    p: &Prepared,
    used: &[u32],
    rng: &mut ChaCha8Rng,
) -> Option<Bootstrap> {
    let (k, matrix) = (p.k, &p.matrix);
    let (mut draws, mut mean_draws) = empty_draws(p.drivers.len(), s.bootstrap);
    let mut blocks = vec![lmg::Moments::new(k); BOOTSTRAP_BLOCKS];
    for &row in used {
        let row = row as usize;
        blocks[rng.random_range(0..BOOTSTRAP_BLOCKS)].push(&matrix[row * k..(row + 1) * k]);
    }
    let mut all = lmg::Moments::new(k);
    blocks.iter().for_each(|m| all.add(m));
    let full = lmg::lmg(&Correlations::of_moments(&all)?)?;
    for _ in 0..s.bootstrap {
        let mut total = lmg::Moments::new(k);
        for _ in 0..BOOTSTRAP_BLOCKS {
            total.add(&blocks[rng.random_range(0..BOOTSTRAP_BLOCKS)]);
        }
        let means: Vec<f64> = (1..k).map(|j| total.sum[j] / total.n).collect();
        let d = Correlations::of_moments(&total).and_then(|c| lmg::lmg(&c));
        keep(&mut draws, &mut mean_draws, d, means);
    }
    let means: Vec<f64> = (1..k).map(|j| all.sum[j] / all.n).collect();
    Some(Bootstrap {
        full,
        means,
        draws,
        mean_draws,
    })
}

/// One group's decomposition and bootstrap (`used`: its rows of the prepared matrix).
fn analyse_group(
    s: &DriverSettings,
    wave: &WaveId,
    p: &Prepared,
    (b, g): (Breakdown, Group),
    respondents: usize,
    used: &[u32],
) -> Option<Analysis> {
    let n = used.len();
    let mut rng = ChaCha8Rng::seed_from_u64(seed_for(s.seed, p.outcome, b, g));
    let boot = if n <= BOOTSTRAP_CAP {
        bootstrap_rows(s, p, used, &mut rng)?
    } else {
        bootstrap_blocks(s, p, used, &mut rng)?
    };
    let replicates = boot.draws.first().map_or(0, Vec::len);
    Some(Analysis {
        wave: wave.clone(),
        outcome: p.outcome,
        breakdown: b,
        group: g,
        respondents: respondents as u64,
        used: n as u64,
        r2: boot.full.r2,
        replicates,
        drivers: driver_rows(&p.drivers, boot),
    })
}

/// Each driver's share with its interval, score, rank (with the range the resamples give it)
/// and quadrant (with the share of resamples that agree).
fn driver_rows(drivers: &[usize], boot: Bootstrap) -> Vec<DriverRow> {
    let Bootstrap {
        full,
        means,
        mut draws,
        mean_draws,
    } = boot;
    let replicates = draws.first().map_or(0, Vec::len);
    let shares = full.shares();
    let mut sorted_means = means.clone();
    sorted_means.sort_by(f64::total_cmp);
    let median = lmg::quantile(&sorted_means, 0.5).unwrap_or(0.0);
    let average = 1.0 / drivers.len() as f64;
    let order = ranks(&shares);
    // Each resample's ranks and quadrants, for the rank ranges and the quadrants' support.
    let m = drivers.len();
    let mut rank_draws: Vec<Vec<f64>> = vec![Vec::with_capacity(replicates); m];
    let mut quadrant_draws: Vec<Vec<Quadrant>> = vec![Vec::with_capacity(replicates); m];
    for (r, means_r) in mean_draws.iter().enumerate() {
        let shares_r: Vec<f64> = (0..m).map(|j| draws[j][r]).collect();
        let ranks_r = ranks(&shares_r);
        let mut sorted = means_r.clone();
        sorted.sort_by(f64::total_cmp);
        let median_r = lmg::quantile(&sorted, 0.5).unwrap_or(0.0);
        for j in 0..m {
            rank_draws[j].push(ranks_r[j] as f64);
            quadrant_draws[j].push(quadrant(shares_r[j] >= average, means_r[j] >= median_r));
        }
    }
    drivers
        .iter()
        .enumerate()
        .map(|(j, &indicator)| {
            let mut d = std::mem::take(&mut draws[j]);
            d.sort_by(f64::total_cmp);
            let ci = lmg::quantile(&d, 0.025).zip(lmg::quantile(&d, 0.975));
            let here = quadrant(shares[j] >= average, means[j] >= median);
            let mut r = std::mem::take(&mut rank_draws[j]);
            r.sort_by(f64::total_cmp);
            let rank_interval = lmg::quantile(&r, 0.025)
                .zip(lmg::quantile(&r, 0.975))
                .map(|(lo, hi)| (lo.floor() as usize, hi.ceil() as usize));
            let q = &quadrant_draws[j];
            let quadrant_support = (!q.is_empty())
                .then(|| q.iter().filter(|&&x| x == here).count() as f64 / q.len() as f64);
            DriverRow {
                indicator,
                share: shares[j],
                share_ci: ci,
                beta: full.beta[j],
                score: means[j],
                rank: order[j],
                rank_interval,
                quadrant: here,
                quadrant_support,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Schema {
        crate::schema::testing::schema(
            r#"
[[questions]]
id = "Q1"
text = "Q1"
type = "likert"
scale = "agree5"
[[questions]]
id = "Q2"
text = "Q2"
type = "likert"
scale = "agree5"
[[questions]]
id = "Q3"
text = "Q3"
type = "likert"
scale = "agree5"
[[indicators]]
id = "outcome"
label = "Outcome"
method = "index-0-100"
items = ["Q1"]
[[indicators]]
id = "a"
label = "A"
method = "theme-pct-positive"
items = ["Q2", "Q3"]
min_items = 2
[[indicators]]
id = "b"
label = "B"
method = "theme-pct-positive"
items = ["Q3"]
[[demographics]]
id = "dir"
label = "Directorate"
categories = ["X", "Y"]
"#,
        )
    }

    fn analysis(r2: f64, drivers: usize) -> Analysis {
        Analysis {
            wave: "2026".into(),
            outcome: 0,
            breakdown: Breakdown::Overall,
            group: Group::All,
            respondents: 500,
            used: 480,
            r2,
            replicates: 200,
            drivers: (0..drivers)
                .map(|j| DriverRow {
                    indicator: j + 1,
                    share: 1.0 / drivers as f64,
                    share_ci: None,
                    beta: 0.1,
                    score: 60.0,
                    rank: j + 1,
                    rank_interval: Some(if j == 0 { (1, 1) } else { (2, drivers) }),
                    quadrant: Quadrant::Priority,
                    quadrant_support: Some(if j == 0 { 0.95 } else { 0.6 }),
                })
                .collect(),
        }
    }

    #[test]
    fn labels_only_where_the_bootstrap_and_the_model_support_them() {
        // A separated first driver with 95% support is ranked and placed; the others, whose
        // ranks range over 2..n in the resamples and whose quadrant holds in 60%, are not.
        let a = analysis(0.45, 4);
        assert_eq!(a.drivers[0].rank_shown(&a), Some(1));
        assert_eq!(
            a.drivers[0].quadrant_shown(&a),
            Shown::Named(Quadrant::Priority)
        );
        assert_eq!(a.drivers[1].rank_shown(&a), None);
        assert_eq!(a.drivers[1].quadrant_shown(&a), Shown::Unclear);
        // R² of 0 (or under the floor): nothing is ranked or placed.
        let weak = analysis(0.0, 4);
        assert!(!weak.labelled());
        assert_eq!(weak.drivers[0].rank_shown(&weak), None);
        assert_eq!(weak.drivers[0].quadrant_shown(&weak), Shown::NotLabelled);
        assert!(!analysis(MIN_R2_FOR_LABELS - 1e-9, 4).labelled());
        // Two drivers asked: too few to rank.
        let two = analysis(0.6, 2);
        assert_eq!(two.drivers[0].quadrant_shown(&two).code(), "not_labelled");
    }

    #[test]
    fn ranks_by_share_with_ties_to_the_earlier_driver() {
        assert_eq!(ranks(&[0.2, 0.5, 0.2, 0.1]), vec![2, 1, 3, 4]);
    }

    #[test]
    fn respondent_scores_are_means_of_answered_questions_on_0_100() {
        let s = schema();
        let mut r = Responses::new(&s, 3);
        let slot = |code| Responses::answer_slot(&s, 1, code);
        // Q2: Agree, Don't know, (none); Q3: Strongly agree, Disagree, Neither.
        r.answers[1] = Some(vec![slot(4), slot(9), 0]);
        r.answers[2] = Some(vec![slot(5), slot(2), slot(3)]);
        let a = scores_0_100(&s, &r, 1).unwrap();
        assert_eq!(a[0], (75.0 + 100.0) / 2.0);
        assert!(
            a[1].is_nan() && a[2].is_nan(),
            "min_items 2: Don't know and blank don't count"
        );
        let b = scores_0_100(&s, &r, 2).unwrap();
        assert_eq!(b, [100.0, 25.0, 50.0]);
        assert_eq!(scores_0_100(&s, &r, 0), None, "Q1 not asked");
    }

    #[test]
    fn small_groups_are_not_analysed_and_listwise_deletion_is_counted() {
        let s = schema();
        let n = 300;
        let mut r = Responses::new(&s, n);
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let pick = |rng: &mut ChaCha8Rng| Responses::answer_slot(&s, 0, rng.random_range(1..=5u8));
        let q2: Vec<u8> = (0..n).map(|_| pick(&mut rng)).collect();
        let q3: Vec<u8> = (0..n).map(|_| pick(&mut rng)).collect();
        // The outcome follows Q2 and Q3 with noise; 20 respondents skip it.
        let q1: Vec<u8> = (0..n)
            .map(|i| {
                if i < 20 {
                    0
                } else {
                    let v = (q2[i] + q3[i]) / 2 + u8::from(rng.random_bool(0.3));
                    v.clamp(1, 5)
                }
            })
            .collect();
        r.answers = vec![Some(q1), Some(q2), Some(q3)];
        // 250 in X, 50 in Y: only X (and everyone) reach 100.
        r.fields = vec![Some((0..n as u32).map(|i| u32::from(i >= 250)).collect())];
        let settings = DriverSettings {
            outcomes: vec![0],
            drivers: None,
            min_respondents: 100,
            bootstrap: 50,
            seed: 1,
        };
        let out = analyse(
            &s,
            &settings,
            &WaveId::from("w"),
            &r,
            &[Breakdown::Field(0)],
        );
        // Every group with respondents is listed with its counts; only X and everyone reach 100.
        let listed: Vec<(Group, u64, bool)> = out
            .iter()
            .map(|g| (g.group, g.respondents, g.analysis.is_some()))
            .collect();
        assert_eq!(
            listed,
            [
                (Group::All, 300, true),
                (Group::One(Some(0)), 250, true),
                (Group::One(Some(1)), 50, false)
            ]
        );
        let all = out[0].analysis.as_ref().unwrap();
        assert_eq!((all.respondents, all.used), (300, 280));
        assert_eq!(out[0].used, 280);
        let total: f64 = all.drivers.iter().map(|d| d.share).sum();
        assert!((total - 1.0).abs() < 1e-12);
        assert_eq!(all.replicates, 50);
        for d in &all.drivers {
            let (lo, hi) = d.share_ci.unwrap();
            assert!(lo <= d.share && d.share <= hi, "{d:?}");
        }
        // The same seed gives the same intervals.
        let again = analyse(
            &s,
            &settings,
            &WaveId::from("w"),
            &r,
            &[Breakdown::Field(0)],
        );
        assert_eq!(out, again);
    }
}
