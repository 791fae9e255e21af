//! Compare: did a figure move between waves, and is the move real?
//!
//! The latest wave is compared with the previous one and with the baseline. Only published
//! figures are compared (a delta is never shown where either side is suppressed), only
//! comparable questions (the schema's crosswalk decides). Every change has a 95% interval and
//! its minimum detectable differences (at 5%, and at the threshold its family's false discovery
//! rate needed). A change resting on fewer than 30 answers in either wave is shown with its
//! interval but marked low reliability (`[u]`) and given no verdict.
//!
//! The Benjamini–Hochberg false discovery rate is controlled within pre-specified families,
//! for each pair of waves: the headline indicators for the whole organisation, every item for
//! the whole organisation, and each breakdown's tests. The verdict uses the q-value within its
//! family, so the board's headline does not move when an analyst adds a breakdown. Each test
//! belongs to one family: a question that is a yes-rate indicator's only item is tested once,
//! as the indicator. Beside the 95% interval every tested change has the interval at its
//! family's threshold (Benjamini & Yekutieli's false-coverage-rate adjustment), which excludes
//! zero exactly when a verdict is declared. A pair of waves that is both "previous" and
//! "baseline" is one row with both roles. No finite population correction enters a change:
//! two waves are two different workforces.

use crate::disclosure::{Protected, Suppression};
use crate::ids::WaveId;
use crate::indicators::statistics::{IndicatorStats, ItemStats};
use crate::indicators::{Breakdown, Group};
use crate::schema::{Method, Schema};
use crate::stats::{self, Test};

pub mod benchmarks;
mod families;
mod rows;
use std::collections::{BTreeSet, HashMap};

/// Significance level for verdicts, applied to BH q-values.
pub const ALPHA: f64 = 0.05;
/// Answers needed in each wave for a change to be tested; below it the change is shown as
/// low reliability (`[u]`) with no verdict (ONS and Civil Service practice: 30).
pub const MIN_N_RELIABLE: u64 = 30;

/// Which earlier wave the latest one is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Comparison {
    SincePrevious,
    SinceBaseline,
}

impl Comparison {
    pub const ALL: [Comparison; 2] = [Comparison::SincePrevious, Comparison::SinceBaseline];

    /// The code in published tables.
    pub fn code(self) -> &'static str {
        match self {
            Comparison::SincePrevious => "since_previous",
            Comparison::SinceBaseline => "since_baseline",
        }
    }

    /// Words for readers.
    pub fn label(self) -> &'static str {
        match self {
            Comparison::SincePrevious => "since the previous wave",
            Comparison::SinceBaseline => "since the baseline",
        }
    }
}

/// The roles a pair of waves plays: with two waves the previous wave is the baseline, and the
/// one comparison is both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Roles {
    pub previous: bool,
    pub baseline: bool,
}

impl Roles {
    pub fn has(self, c: Comparison) -> bool {
        match c {
            Comparison::SincePrevious => self.previous,
            Comparison::SinceBaseline => self.baseline,
        }
    }

    /// Words for readers.
    pub fn label(self) -> &'static str {
        match (self.previous, self.baseline) {
            (true, true) => "since the previous wave (also the baseline)",
            (false, true) => "since the baseline",
            _ => "since the previous wave",
        }
    }

    /// The code in published tables.
    pub fn code(self) -> &'static str {
        match (self.previous, self.baseline) {
            (true, true) => "since_previous_and_baseline",
            (false, true) => "since_baseline",
            _ => "since_previous",
        }
    }
}

/// What a figure measures: a question or an indicator (indices into the schema).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Measure {
    Question(usize),
    Indicator(usize),
}

impl Measure {
    /// The question's or indicator's id in the schema.
    pub fn id(self, schema: &Schema) -> &str {
        match self {
            Measure::Question(q) => &schema.questions[q].id,
            Measure::Indicator(i) => &schema.indicators[i].id,
        }
    }

    /// Whether a rise is an improvement, as the schema declares.
    pub fn higher_is_better(self, schema: &Schema) -> bool {
        let d = match self {
            Measure::Question(q) => schema.questions[q].direction,
            Measure::Indicator(i) => schema.indicators[i].direction,
        };
        d == crate::schema::Direction::HigherIsBetter
    }
}

/// A pre-specified family of tests for the false discovery rate (within one pair of waves).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// The indicators, for the whole organisation.
    Headline,
    /// Every question, for the whole organisation.
    Items,
    /// Every test (questions and indicators) of one breakdown.
    Breakdown(Breakdown),
}

impl Family {
    pub fn of(measure: Measure, breakdown: Breakdown) -> Family {
        match (breakdown, measure) {
            (Breakdown::Overall, Measure::Indicator(_)) => Family::Headline,
            (Breakdown::Overall, Measure::Question(_)) => Family::Items,
            (b, _) => Family::Breakdown(b),
        }
    }
}

/// Which two waves a row compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    pub comparison: Comparison,
    pub from: WaveId,
    pub to: WaveId,
}

/// The distinct pairs of waves and the roles each plays: a pair that is both the previous
/// wave and the baseline is one pair with both roles, tested once.
fn distinct(pairs: &[Pair]) -> Vec<(Roles, &Pair)> {
    let mut out: Vec<(Roles, &Pair)> = Vec::with_capacity(pairs.len());
    for p in pairs {
        let at = match out
            .iter()
            .position(|(_, u)| u.from == p.from && u.to == p.to)
        {
            Some(i) => i,
            None => {
                out.push((Roles::default(), p));
                out.len() - 1
            }
        };
        match p.comparison {
            Comparison::SincePrevious => out[at].0.previous = true,
            Comparison::SinceBaseline => out[at].0.baseline = true,
        }
    }
    out
}

/// The latest wave against the previous one and against the baseline. `waves` are in time
/// order.
pub fn pairs(waves: &[WaveId], baseline: &WaveId) -> Vec<Pair> {
    let mut out = Vec::new();
    let Some(latest) = waves.last() else {
        return out;
    };
    if waves.len() >= 2 {
        out.push(Pair {
            comparison: Comparison::SincePrevious,
            from: waves[waves.len() - 2].clone(),
            to: latest.clone(),
        });
    }
    if baseline != latest && waves.contains(baseline) {
        out.push(Pair {
            comparison: Comparison::SinceBaseline,
            from: baseline.clone(),
            to: latest.clone(),
        });
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Improved,
    Declined,
    NoSignificantChange,
    NotTested,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Improved => "improved",
            Verdict::Declined => "declined",
            Verdict::NoSignificantChange => "no significant change",
            Verdict::NotTested => "not tested",
        }
    }
}

/// The test behind a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestKind {
    /// Pooled two-proportion z test (percentages, yes-rates).
    TwoProportionZ,
    /// Welch's t test on respondent-level scores (themes, indices, scores).
    WelchT,
    /// z test for a difference of net scores (eNPS).
    NetScoreZ,
}

impl TestKind {
    pub fn code(self) -> &'static str {
        match self {
            TestKind::TwoProportionZ => "two_proportion_z",
            TestKind::WelchT => "welch_t",
            TestKind::NetScoreZ => "net_score_z",
        }
    }
}

/// The effect size reported beside a test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EffectKind {
    CohensH,
    CohensD,
}

impl EffectKind {
    pub fn code(self) -> &'static str {
        match self {
            EffectKind::CohensH => "cohens_h",
            EffectKind::CohensD => "cohens_d",
        }
    }
}

/// Why a change was not tested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotTested {
    /// Either wave's figure is suppressed.
    Suppressed,
    /// The question's wording or scale changed (the crosswalk's reason, in words).
    NotComparable(String),
    /// Fewer than [`MIN_N_RELIABLE`] answers in a wave: low reliability, no verdict.
    LowReliability,
    NoVariation,
    NoAnswers,
    /// Not asked in this wave.
    NotAsked(WaveId),
}

impl NotTested {
    /// The reason as published.
    pub fn text(&self) -> String {
        match self {
            NotTested::Suppressed => "suppressed in one of the waves".into(),
            NotTested::NotComparable(why) => why.clone(),
            NotTested::LowReliability => format!(
                "low reliability [u]: fewer than {MIN_N_RELIABLE} answers in a wave, so no verdict"
            ),
            NotTested::NoVariation => "no variation to test".into(),
            NotTested::NoAnswers => "no answers in one of the waves".into(),
            NotTested::NotAsked(w) => format!("not asked in {w}"),
        }
    }
}

/// One year-on-year change of one measure in one group.
#[derive(Debug, Clone, PartialEq)]
pub struct Delta {
    /// Whether the pair is the latest wave against the previous one, the baseline, or both.
    pub roles: Roles,
    pub from: WaveId,
    pub to: WaveId,
    /// The question (by its id in the later wave, or the earlier if only asked then) or
    /// indicator.
    pub measure: Measure,
    pub breakdown: Breakdown,
    pub group: Group,
    /// Both sides, only when both are published (unweighted).
    pub n: Option<(u64, u64)>,
    /// Kish's design effect of each side's weights (weighted waves only).
    pub design_effects: (Option<f64>, Option<f64>),
    pub values: Option<(f64, f64)>,
    pub test: Option<(TestKind, Test)>,
    /// 95% interval for the change (value_to − value_from), in the measure's unit.
    pub change_ci: Option<(f64, f64)>,
    /// The interval at the family's threshold (level 1 − `family_threshold`), from the test:
    /// excludes zero exactly when a verdict is declared (tested rows only).
    pub adjusted_ci: Option<(f64, f64)>,
    /// The change's standard error, in the measure's unit.
    pub se: Option<f64>,
    /// Minimum detectable difference (80% power) at an unadjusted 5% test.
    pub mdd: Option<f64>,
    /// Minimum detectable difference at the family's BH threshold: the change a verdict needs.
    pub mdd_family: Option<f64>,
    /// Fewer than [`MIN_N_RELIABLE`] answers in a wave: published with `[u]`, no verdict.
    pub low_reliability: bool,
    /// The family whose false discovery rate the q-value controls.
    pub family: Family,
    /// How many tests the family holds (for this pair of waves).
    pub family_tests: usize,
    /// The p-value a change in this family had to reach to be declared (BH's effective
    /// threshold); `None` when the family has no tests.
    pub family_threshold: Option<f64>,
    pub q_value: Option<f64>,
    pub effect: Option<(EffectKind, f64)>,
    pub verdict: Verdict,
    /// Why a row is not tested (`None` when tested).
    pub reason: Option<NotTested>,
    /// Set when either side is suppressed: the row then carries no numbers.
    pub suppression: Option<Suppression>,
}

impl Delta {
    /// Whether the row answers "since the previous wave" or "since the baseline".
    pub fn serves(&self, c: Comparison) -> bool {
        self.roles.has(c)
    }

    pub fn delta(&self) -> Option<f64> {
        self.values.map(|(a, b)| b - a)
    }

    /// The reason as published (empty when tested).
    pub fn reason_text(&self) -> String {
        self.reason
            .as_ref()
            .map_or_else(String::new, NotTested::text)
    }
}

/// A figure ready to compare: value, n, and what its test needs.
#[derive(Debug, Clone, Copy)]
enum Sample {
    /// x of n (percent value = 100 x / n). With weights, x = p·n_eff and n = n_eff (Kish).
    Proportion { x: f64, n: f64 },
    /// mean, sd (value units), n (n_eff with weights).
    Mean { mean: f64, sd: f64, n: f64 },
    /// eNPS: shares of promoters and detractors.
    Net { pos: f64, neg: f64, n: f64 },
}

impl Sample {
    fn value(&self) -> f64 {
        match *self {
            Sample::Proportion { x, n, .. } => 100.0 * x / n,
            Sample::Mean { mean, .. } => mean,
            Sample::Net { pos, neg, .. } => 100.0 * (pos - neg),
        }
    }
}

/// What comparing two figures gives: the test (kind, result, effect size) and the change's
/// 95% interval with its standard error, in the measure's unit.
struct Compared {
    test: Option<Tested>,
    interval: Option<((f64, f64), f64)>,
}

/// A test's kind, result and effect size.
type Tested = (TestKind, Test, Option<(EffectKind, f64)>);

/// Test a change and put an interval around it, by the kind of figure. Two waves are two
/// different workforces, so no finite population correction enters a change (f = 1).
fn compare(a: Sample, b: Sample) -> Compared {
    const F: f64 = 1.0;
    let (f1, f2) = (F, F);
    match (a, b) {
        (Sample::Proportion { x: x1, n: n1 }, Sample::Proportion { x: x2, n: n2 }) => Compared {
            test: stats::two_proportion_z(x1, n1, f1, x2, n2, f2).map(|t| {
                let h = stats::cohens_h(x1 / n1, x2 / n2);
                (TestKind::TwoProportionZ, t, Some((EffectKind::CohensH, h)))
            }),
            interval: stats::newcombe_difference(x1, n1, f1, x2, n2, f2)
                .zip(stats::se_difference_of_proportions(x1, n1, f1, x2, n2, f2))
                .map(|((l, h), se)| ((100.0 * l, 100.0 * h), 100.0 * se)),
        },
        (
            Sample::Mean {
                mean: m1,
                sd: s1,
                n: n1,
            },
            Sample::Mean {
                mean: m2,
                sd: s2,
                n: n2,
            },
        ) => Compared {
            test: stats::welch_t(m1, s1, n1, f1, m2, s2, n2, f2).map(|t| {
                let d = stats::cohens_d(m1, s1, n1, m2, s2, n2).map(|d| (EffectKind::CohensD, d));
                (TestKind::WelchT, t, d)
            }),
            interval: stats::welch_interval(m1, s1, n1, f1, m2, s2, n2, f2),
        },
        (
            Sample::Net {
                pos: p1,
                neg: q1,
                n: n1,
            },
            Sample::Net {
                pos: p2,
                neg: q2,
                n: n2,
            },
        ) => Compared {
            test: stats::net_score_z((p1, q1, n1, f1), (p2, q2, n2, f2))
                .map(|t| (TestKind::NetScoreZ, t, None)),
            interval: stats::net_score_difference_interval((p1, q1, n1, f1), (p2, q2, n2, f2)),
        },
        _ => Compared {
            test: None,
            interval: None,
        },
    }
}

/// An item's figure for testing: counts, or with weights the weighted share on Kish's
/// effective n.
fn item_sample(p: &Protected<ItemStats>) -> Option<Sample> {
    let s = p.stats.as_ref()?;
    let n = p.n?;
    let (x, n_used) = s.counts.positive_of();
    (n > 0).then_some(Sample::Proportion { x, n: n_used })
}

fn indicator_sample(method: Method, p: &Protected<IndicatorStats>) -> Option<Sample> {
    let s = p.stats.as_ref()?;
    let n = p.n?;
    if n == 0 {
        return None;
    }
    let n_used = s.n_eff.unwrap_or(n as f64);
    Some(match method {
        Method::ThemePctPositive | Method::Index0To100 | Method::Score0To10 => Sample::Mean {
            mean: s.value?,
            sd: s.sd?,
            n: n_used,
        },
        Method::YesRate => match s.n_eff {
            Some(n_eff) => Sample::Proportion {
                x: s.value? / 100.0 * n_eff,
                n: n_eff,
            },
            None => Sample::Proportion {
                x: s.raw?[0] as f64,
                n: n as f64,
            },
        },
        Method::Enps => match (s.n_eff, s.pct) {
            (Some(n_eff), Some(pct)) => Sample::Net {
                pos: pct[0] / 100.0,
                neg: pct[2] / 100.0,
                n: n_eff,
            },
            _ => {
                let [pos, _, neg] = s.raw?;
                Sample::Net {
                    pos: pos as f64 / n as f64,
                    neg: neg as f64 / n as f64,
                    n: n as f64,
                }
            }
        },
    })
}

/// Compute every delta of the run from the protected tables.
pub fn deltas(
    schema: &Schema,
    pairs: &[Pair],
    items: &[Protected<ItemStats>],
    indicators: &[Protected<IndicatorStats>],
) -> Vec<Delta> {
    let mut item_cells: rows::Cells<ItemStats> = HashMap::new();
    for c in items {
        item_cells
            .entry((c.wave.as_str(), c.measure))
            .or_default()
            .push(c);
    }
    let mut ind_cells: rows::Cells<IndicatorStats> = HashMap::new();
    for c in indicators {
        ind_cells
            .entry((c.wave.as_str(), c.measure))
            .or_default()
            .push(c);
    }
    let asked = |wave: &str| -> BTreeSet<usize> {
        item_cells
            .keys()
            .filter(|(w, _)| *w == wave)
            .map(|(_, q)| *q)
            .collect()
    };
    // The same two waves under two names (previous = baseline) are one row with both roles.
    let mut out = Vec::new();
    for (roles, pair) in distinct(pairs) {
        let (before, after) = (asked(pair.from.as_str()), asked(pair.to.as_str()));
        rows::item_rows(
            schema,
            (roles, pair),
            (&before, &after),
            &item_cells,
            &mut out,
        );
        rows::indicator_rows(
            schema,
            (roles, pair),
            (&before, &after),
            &ind_cells,
            &mut out,
        );
    }
    families::adjust(schema, &mut out);
    out
}

#[cfg(test)]
mod tests;
