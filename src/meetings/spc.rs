//! Statistical process control for monthly meeting-feedback series, as in NHS England's
//! "Making Data Count", with the chart that fits the data:
//!
//! - **p-chart** for a proportion (one question's % positive, or forms per attendee): centre
//!   p̄ = Σxᵢ / Σnᵢ over the calibration months, limits p̄ ± 3√(p̄(1 − p̄)/nᵢ) for each month's
//!   own nᵢ, so a month with few forms gets wide limits and a busy month narrow ones;
//! - **person-level mean chart** for a composite of several questions: one person's answers
//!   are correlated, so the spread comes from person-level scores: centre c̄ = Σnᵢvᵢ / Σnᵢ,
//!   limits c̄ ± 3s/√nᵢ with s the pooled within-month standard deviation of respondents'
//!   scores.
//!
//! Limits are computed from the first [`FREEZE_POINTS`] months with data of a segment (the
//! calibration months). Until a segment has that many, its limits are **provisional**: they
//! are recomputed from every month so far and only the outside-the-limits rule is applied
//! (a provisional signal is marked as such). From then on they are **frozen** and all four
//! rules apply to every month of the segment:
//!
//! - **outside**: a point above the upper or below the lower limit;
//! - **shift**: 7 or more consecutive points on the same side of the centre line (a point on
//!   the line breaks the run);
//! - **trend**: 6 or more consecutive points each higher (or each lower) than the one before;
//! - **near limit**: 2 of 3 consecutive points more than 2σ from the centre, on the same side.
//!
//! A declared step change (a month and a reason, from the analyst) starts a new segment with
//! its own limits. A missing month (no data, or suppressed) breaks runs and trends. Limits
//! are clipped to the scale (0–100%, or 0–1 forms per attendee).
//!
//! False signals: on stable series like the council's (about 70% positive, 17–59 forms a
//! month) the four rules with limits frozen at 12 months signal at least once in about 15% of
//! 18-month series (simulated in the tests below; with p known exactly, 17%). A signal is a
//! prompt to look, not a finding.

/// Months with data from which limits are computed and then frozen (MDC: 12–20).
pub const FREEZE_POINTS: usize = 12;
/// Months with data a segment needs before it has any limits.
pub const MIN_POINTS: usize = 2;
pub const SHIFT_RUN: usize = 7;
pub const TREND_RUN: usize = 6;

/// Which control chart a series is drawn on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChartKind {
    /// Binomial limits for each month's number of answers (or attendees).
    P,
    /// Laney's p′-chart: a p-chart whose calibration months vary more than binomial sampling
    /// allows (the dispersion test below), its limits widened by σ_z, the spread of the
    /// months' z-scores estimated from their moving ranges (Laney 2002).
    LaneyP,
    /// Limits from the spread of person-level scores (a composite of several questions).
    PersonMean,
}

impl ChartKind {
    pub fn code(self) -> &'static str {
        match self {
            ChartKind::P => "p_chart",
            ChartKind::LaneyP => "laney_p_chart",
            ChartKind::PersonMean => "person_level_mean",
        }
    }
}

/// A p-chart's calibration months are over-dispersed when the dispersion statistic
/// X² = Σ (pᵢ − p̄)² / σᵢ² on k − 1 degrees of freedom has an upper-tail p-value below this.
pub const DISPERSION_ALPHA: f64 = 0.05;
/// Calibration months the dispersion test needs (two degrees of freedom).
pub const DISPERSION_MIN_MONTHS: usize = 3;
/// d₂ for moving ranges of two: MR̄ / 1.128 estimates σ.
const D2: f64 = 1.128;

/// The dispersion test of a p-chart's calibration months: (X², degrees of freedom, p-value).
/// `None` with fewer than [`DISPERSION_MIN_MONTHS`] or no binomial spread.
pub fn dispersion(c: &Centre, calibration: &[Obs]) -> Option<(f64, f64, f64)> {
    use statrs::distribution::{ChiSquared, ContinuousCDF};
    if calibration.len() < DISPERSION_MIN_MONTHS || c.spread <= 0.0 {
        return None;
    }
    let x2: f64 = calibration
        .iter()
        .map(|o| ((o.value - c.centre) / (c.spread / o.size.sqrt())).powi(2))
        .sum();
    let df = (calibration.len() - 1) as f64;
    let p = ChiSquared::new(df).ok()?.sf(x2);
    Some((x2, df, p))
}

/// Laney's σ_z from the calibration months' z-scores (in month order): the mean moving range
/// over 1.128.
pub fn laney_sigma_z(c: &Centre, calibration: &[Obs]) -> Option<f64> {
    let z: Vec<f64> = calibration
        .iter()
        .map(|o| (o.value - c.centre) / (c.spread / o.size.sqrt()))
        .collect();
    if z.len() < 2 {
        return None;
    }
    let mr = z.windows(2).map(|w| (w[1] - w[0]).abs()).sum::<f64>() / (z.len() - 1) as f64;
    Some(mr / D2)
}

/// One month's observation, in the series' unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Obs {
    pub value: f64,
    /// nᵢ: answers, respondents or attendees.
    pub size: f64,
    /// Person-level standard deviation of respondents' scores (person-level charts).
    pub sd: Option<f64>,
}

/// A segment's centre line and the spread from which each month's σ follows: σᵢ = spread/√nᵢ
/// (times σ_z on a Laney p′-chart, already folded into `spread`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Centre {
    pub centre: f64,
    pub spread: f64,
}

/// Centre and spread from the calibration months. `scale` is the value of "everyone"
/// (100 for percentages, 1 for a ratio). `None` without usable months.
pub fn centre(kind: ChartKind, scale: f64, calibration: &[Obs]) -> Option<Centre> {
    let total: f64 = calibration.iter().map(|o| o.size).sum();
    if calibration.is_empty() || total <= 0.0 {
        return None;
    }
    let c = calibration.iter().map(|o| o.value * o.size).sum::<f64>() / total;
    let spread = match kind {
        ChartKind::P | ChartKind::LaneyP => {
            let p = (c / scale).clamp(0.0, 1.0);
            scale * (p * (1.0 - p)).sqrt()
        }
        ChartKind::PersonMean => {
            let (mut ss, mut df) = (0.0, 0.0);
            for o in calibration {
                if let Some(sd) = o.sd
                    && o.size > 1.0
                {
                    ss += (o.size - 1.0) * sd * sd;
                    df += o.size - 1.0;
                }
            }
            if df <= 0.0 {
                return None;
            }
            (ss / df).sqrt()
        }
    };
    Some(Centre { centre: c, spread })
}

/// One month's limits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    pub centre: f64,
    /// σ for this month's n (before clipping).
    pub sigma: f64,
    pub lower: f64,
    pub upper: f64,
}

impl Centre {
    /// Limits for a month of `size`, clipped to [0, scale].
    pub fn at(&self, size: f64, scale: f64) -> Limits {
        let sigma = if size > 0.0 {
            self.spread / size.sqrt()
        } else {
            f64::INFINITY
        };
        Limits {
            centre: self.centre,
            sigma,
            lower: (self.centre - 3.0 * sigma).max(0.0),
            upper: (self.centre + 3.0 * sigma).min(scale),
        }
    }
}

/// Whether a segment's limits are still being estimated or fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Fewer than [`FREEZE_POINTS`] months with data: only the outside rule applies.
    Provisional,
    /// Computed from the first [`FREEZE_POINTS`] months with data; all four rules apply.
    Frozen,
}

impl Status {
    pub fn code(self) -> &'static str {
        match self {
            Status::Provisional => "provisional",
            Status::Frozen => "frozen",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rule {
    Outside,
    Shift,
    Trend,
    NearLimit,
}

impl Rule {
    pub fn code(self) -> &'static str {
        match self {
            Rule::Outside => "outside_limits",
            Rule::Shift => "shift",
            Rule::Trend => "trend",
            Rule::NearLimit => "two_of_three_near_limit",
        }
    }

    /// The rule in a reader's words.
    pub fn label(self) -> &'static str {
        match self {
            Rule::Outside => "a point outside the limits",
            Rule::Shift => "7 or more points on one side of the centre",
            Rule::Trend => "6 or more points rising or falling",
            Rule::NearLimit => "2 of 3 points near a limit",
        }
    }
}

/// One month of a chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Charted {
    /// The segment's centre line (also for months without data).
    pub centre: Option<f64>,
    /// This month's limits (none without data: the limits depend on the month's n).
    pub limits: Option<Limits>,
    pub status: Option<Status>,
    /// The month's data went into its segment's limits.
    pub calibration: bool,
    /// The limits were frozen at this month (the last calibration month).
    pub frozen_here: bool,
    /// A declared step change starts a new segment here.
    pub segment_start: bool,
    pub signals: Vec<Rule>,
    /// The chart this month's segment is drawn on: a p-chart becomes Laney's p′ when its
    /// calibration months are over-dispersed.
    pub kind: ChartKind,
}

/// Chart a monthly series: `points[i]` is month i (`None`: no data), `steps` the months where
/// a declared step change starts a new segment, `scale` the top of the scale.
pub fn chart(kind: ChartKind, scale: f64, points: &[Option<Obs>], steps: &[usize]) -> Vec<Charted> {
    let n = points.len();
    let mut out: Vec<Charted> = (0..n)
        .map(|i| Charted {
            centre: None,
            limits: None,
            status: None,
            calibration: false,
            frozen_here: false,
            segment_start: steps.contains(&i),
            signals: Vec::new(),
            kind,
        })
        .collect();
    let mut bounds: Vec<usize> = steps.iter().copied().filter(|&s| s > 0 && s < n).collect();
    bounds.sort_unstable();
    bounds.dedup();
    let mut starts = vec![0];
    starts.extend(bounds);
    for (k, &start) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(n);
        let seg = &points[start..end];
        let observed: Vec<usize> = (0..seg.len()).filter(|&i| seg[i].is_some()).collect();
        if observed.len() < MIN_POINTS {
            continue;
        }
        let (status, used) = if observed.len() >= FREEZE_POINTS {
            (Status::Frozen, &observed[..FREEZE_POINTS])
        } else {
            (Status::Provisional, &observed[..])
        };
        let cal: Vec<Obs> = used.iter().map(|&i| seg[i].expect("observed")).collect();
        let Some(mut c) = centre(kind, scale, &cal) else {
            continue;
        };
        // Over-dispersed proportions: Laney's p′, limits widened by σ_z.
        let mut seg_kind = kind;
        if kind == ChartKind::P
            && dispersion(&c, &cal).is_some_and(|(_, _, p)| p < DISPERSION_ALPHA)
            && let Some(sz) = laney_sigma_z(&c, &cal)
        {
            c.spread *= sz;
            seg_kind = ChartKind::LaneyP;
        }
        let values: Vec<Option<f64>> = seg.iter().map(|o| o.map(|o| o.value)).collect();
        let sigma: Vec<Option<f64>> = seg
            .iter()
            .map(|o| o.map(|o| c.at(o.size, scale).sigma))
            .collect();
        let fired = signals(&values, c.centre, &sigma, status == Status::Frozen);
        for i in 0..seg.len() {
            let o = &mut out[start + i];
            o.centre = Some(c.centre);
            o.limits = seg[i].map(|p| c.at(p.size, scale));
            o.status = Some(status);
            o.calibration = used.contains(&i);
            o.frozen_here = status == Status::Frozen && used.last() == Some(&i);
            o.signals = fired[i].clone();
            o.kind = seg_kind;
        }
    }
    out
}

/// One chart of a pack, as a stable process to simulate: its chart, scale, centre and spread
/// (from its first segment's calibration) and each month's size (`None`: no data), with its
/// declared step changes.
#[derive(Debug, Clone, PartialEq)]
pub struct Stable {
    pub kind: ChartKind,
    pub scale: f64,
    pub centre: Centre,
    pub sizes: Vec<Option<f64>>,
    pub steps: Vec<usize>,
}

/// The chance that a pack of charts, every one on a process that did not change, shows at
/// least one signal somewhere: `sims` seeded simulations of every chart at once (months of the
/// same sizes, binomial answers on a p-chart, normal months with the chart's spread
/// otherwise), each charted as the pipeline charts it (limits estimated from the simulated
/// months). Charts are simulated independently; the real series share forms, which makes the
/// pack's rate somewhat lower than this.
pub fn pack_false_alarm(charts: &[Stable], sims: usize, seed: u64) -> f64 {
    use rand::SeedableRng;
    use rand_distr::{Binomial, Distribution, Normal};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let normal = Normal::new(0.0, 1.0).expect("valid");
    let mut alarms = 0usize;
    for _ in 0..sims {
        let mut any = false;
        for ch in charts {
            let pts: Vec<Option<Obs>> = ch
                .sizes
                .iter()
                .map(|s| {
                    let n = (*s)?;
                    let value = match ch.kind {
                        ChartKind::P => {
                            let p = (ch.centre.centre / ch.scale).clamp(0.0, 1.0);
                            let k = Binomial::new(n.round().max(1.0) as u64, p)
                                .ok()?
                                .sample(&mut rng);
                            ch.scale * k as f64 / n.round().max(1.0)
                        }
                        ChartKind::LaneyP | ChartKind::PersonMean => (ch.centre.centre
                            + ch.centre.spread / n.sqrt() * normal.sample(&mut rng))
                        .clamp(0.0, ch.scale),
                    };
                    Some(Obs {
                        value,
                        size: n,
                        sd: (ch.kind == ChartKind::PersonMean).then_some(ch.centre.spread),
                    })
                })
                .collect();
            let kind = if ch.kind == ChartKind::LaneyP {
                ChartKind::P
            } else {
                ch.kind
            };
            if chart(kind, ch.scale, &pts, &ch.steps)
                .iter()
                .any(|m| !m.signals.is_empty())
            {
                any = true;
            }
        }
        alarms += usize::from(any);
    }
    alarms as f64 / sims.max(1) as f64
}

/// Simulations behind the pack's stated false-alarm rate, and their seed.
pub const PACK_SIMULATIONS: usize = 500;
pub const PACK_SEED: u64 = 20_251_001;

/// Which rules fire at each point: z-scores against `centre` with each month's σ; only the
/// outside rule unless `all_rules`. With σ = 0 (p̄ of 0 or 1) any different value is outside.
pub fn signals(
    series: &[Option<f64>],
    centre: f64,
    sigma: &[Option<f64>],
    all_rules: bool,
) -> Vec<Vec<Rule>> {
    let n = series.len();
    // Distance from the centre in σ (±∞ off-centre when σ is 0; 0 on the line).
    let z: Vec<Option<f64>> = (0..n)
        .map(|i| {
            let v = series[i]?;
            let s = sigma.get(i).copied().flatten()?;
            let d = v - centre;
            Some(if d.abs() <= EPS {
                0.0
            } else if s <= EPS {
                d.signum() * f64::INFINITY
            } else {
                d / s
            })
        })
        .collect();
    let mut out: Vec<Vec<Rule>> = vec![Vec::new(); n];
    let mut mark = |points: Vec<usize>, r: Rule| {
        for i in points {
            if !out[i].contains(&r) {
                out[i].push(r);
            }
        }
    };
    mark(
        (0..n)
            .filter(|&i| z[i].is_some_and(|z| z.abs() > 3.0 + EPS))
            .collect(),
        Rule::Outside,
    );
    if all_rules {
        mark(shifts(&z), Rule::Shift);
        mark(trends(series), Rule::Trend);
        mark(near_limits(&z), Rule::NearLimit);
    }
    for v in out.iter_mut() {
        v.sort();
    }
    out
}

/// Differences smaller than this are no difference.
const EPS: f64 = 1e-12;

/// Shift: runs of `SHIFT_RUN` or more on one side of the centre.
fn shifts(z: &[Option<f64>]) -> Vec<usize> {
    let n = z.len();
    let side = |i: usize| {
        z[i].map(|z| {
            if z > 0.0 {
                1
            } else if z < 0.0 {
                -1
            } else {
                0
            }
        })
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        let Some(s) = side(i) else {
            i += 1;
            continue;
        };
        let mut j = i + 1;
        while s != 0 && j < n && side(j) == Some(s) {
            j += 1;
        }
        if s != 0 && j - i >= SHIFT_RUN {
            out.extend(i..j);
        }
        i = j.max(i + 1);
    }
    out
}

/// Trend: `TREND_RUN` or more consecutive rises (or falls) of the values.
fn trends(series: &[Option<f64>]) -> Vec<usize> {
    let n = series.len();
    let mut out = Vec::new();
    for dir in [1.0f64, -1.0] {
        let mut start = 0;
        while start < n {
            let mut end = start;
            while end + 1 < n
                && matches!((series[end], series[end + 1]), (Some(a), Some(b)) if (b - a) * dir > EPS)
            {
                end += 1;
            }
            if series[start].is_some() && end + 1 - start >= TREND_RUN {
                out.extend(start..=end);
            }
            start = end + 1;
        }
    }
    out
}

/// Two of three beyond 2σ, same side.
fn near_limits(z: &[Option<f64>]) -> Vec<usize> {
    let mut out = Vec::new();
    for start in 0..z.len().saturating_sub(2) {
        let win = &z[start..start + 3];
        if win.iter().any(Option::is_none) {
            continue;
        }
        for dir in [1.0f64, -1.0] {
            let beyond = (0..3).filter(|&k| win[k].expect("checked") * dir > 2.0 + EPS);
            let beyond: Vec<usize> = beyond.collect();
            if beyond.len() >= 2 {
                out.extend(beyond.into_iter().map(|k| start + k));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
