//! The statistics toolbox shared by every stage: intervals, the finite population correction
//! and minimum detectable differences. Full precision throughout; rounding happens only when
//! tables are written.
//!
//! A staff survey is a census with non-response. When a group's headcount N is known, the
//! sampling variance is multiplied by the finite population correction f = (N − n)/(N − 1)
//! (the Civil Service People Survey's published margins match this), which assumes
//! non-response is ignorable. f = 1 means no correction; f = 0 (everyone answered) means no
//! sampling error.

pub mod lmg;
pub mod poststrat;
pub mod rake;

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// Two-sided 95% level throughout (methodology: 95%).
pub const CONFIDENCE: f64 = 0.95;
/// Power for the minimum detectable difference.
pub const POWER: f64 = 0.80;

/// The standard normal quantile.
pub fn z(p: f64) -> f64 {
    Normal::standard().inverse_cdf(p)
}

/// z for a two-sided 95% interval: 1.959963984540054.
pub fn z95() -> f64 {
    z(1.0 - (1.0 - CONFIDENCE) / 2.0)
}

/// Variance factor from the finite population correction: (N − n)/(N − 1), or 1 when the
/// population is unknown or inconsistent (more answers than people in post).
pub fn fpc(n: u64, population: Option<u64>) -> f64 {
    match population {
        Some(pop) if pop > 1 && n <= pop => (pop - n) as f64 / (pop - 1) as f64,
        _ => 1.0,
    }
}

/// Wilson score interval for x successes in n, as proportions in [0, 1]. With a variance
/// factor f < 1 (finite population correction) the effective sample size is n / f.
/// `None` when n = 0. With weights, x = p·n_eff and n = n_eff (Kish).
pub fn wilson(x: f64, n: f64, f: f64) -> Option<(f64, f64)> {
    if n <= 0.0 {
        return None;
    }
    let p = x / n;
    if f <= 0.0 {
        return Some((p, p));
    }
    let n_eff = n / f;
    let z = z95();
    let z2 = z * z;
    let denom = 1.0 + z2 / n_eff;
    let centre = (p + z2 / (2.0 * n_eff)) / denom;
    let half = z * (p * (1.0 - p) / n_eff + z2 / (4.0 * n_eff * n_eff)).sqrt() / denom;
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// t-based interval for a mean from n observations with sample standard deviation `sd`
/// (ddof = 1), with variance factor f. `None` for fewer than 2 observations.
/// With weights, n is Kish's effective sample size.
pub fn t_interval(mean: f64, sd: f64, n: f64, f: f64) -> Option<(f64, f64)> {
    if n < 2.0 {
        return None;
    }
    let t = StudentsT::new(0.0, 1.0, n - 1.0)
        .ok()?
        .inverse_cdf(1.0 - (1.0 - CONFIDENCE) / 2.0);
    let half = t * sd / n.sqrt() * f.max(0.0).sqrt();
    Some((mean - half, mean + half))
}

fn mdd_multiplier() -> f64 {
    z95() + z(POWER)
}

/// Minimum detectable difference (in percentage points) between two waves of a group with
/// n valid answers each, for a proportion near p, at 95% confidence and 80% power:
/// (z₀.₉₇₅ + z₀.₈) · √(2 p (1 − p) / n) · √f. `None` when n = 0.
pub fn mdd_proportion(p: f64, n: f64, f: f64) -> Option<f64> {
    (n > 0.0).then(|| 100.0 * mdd_multiplier() * (2.0 * p * (1.0 - p) / n * f).sqrt())
}

/// Minimum detectable difference for a mean (same units as the mean):
/// (z₀.₉₇₅ + z₀.₈) · √2 · sd / √n · √f. `None` for fewer than 2 observations.
pub fn mdd_mean(sd: f64, n: f64, f: f64) -> Option<f64> {
    (n >= 2.0).then(|| mdd_multiplier() * (2.0 * f).sqrt() * sd / n.sqrt())
}

/// The minimum detectable difference for a change whose standard error is `se`, at a
/// two-sided significance threshold `p_threshold` and 80% power:
/// (z₁₋ₜ/₂ + z₀.₈) · se. At t = 0.05 this is the unadjusted MDD; at a family's BH threshold
/// it is what a change has to be to get a verdict.
pub fn mdd_for(se: f64, p_threshold: f64) -> Option<f64> {
    (se.is_finite() && se > 0.0 && p_threshold > 0.0 && p_threshold < 1.0)
        .then(|| (z(1.0 - p_threshold / 2.0) + z(POWER)) * se)
}

/// Standard error of p₂ − p₁ (unpooled), each term scaled by its wave's FPC factor, as a
/// proportion.
pub fn se_difference_of_proportions(
    x1: f64,
    n1: f64,
    f1: f64,
    x2: f64,
    n2: f64,
    f2: f64,
) -> Option<f64> {
    if n1 <= 0.0 || n2 <= 0.0 {
        return None;
    }
    let v = |x: f64, n: f64, f: f64| {
        let p = x / n;
        f.max(0.0) * p * (1.0 - p) / n
    };
    Some((v(x1, n1, f1) + v(x2, n2, f2)).sqrt())
}

/// 95% interval for a change in a proportion p₂ − p₁ (as proportions): Newcombe's hybrid
/// score interval (1998, method 10), built from each wave's Wilson interval so it agrees with
/// the published levels' intervals and behaves near 0 and 1 and at small n (statsmodels
/// `confint_proportions_2indep(method="newcomb")`). The FPC enters through each Wilson
/// interval's effective n.
pub fn newcombe_difference(
    x1: f64,
    n1: f64,
    f1: f64,
    x2: f64,
    n2: f64,
    f2: f64,
) -> Option<(f64, f64)> {
    let (l1, u1) = wilson(x1, n1, f1)?;
    let (l2, u2) = wilson(x2, n2, f2)?;
    let (p1, p2) = (x1 / n1, x2 / n2);
    let d = p2 - p1;
    let low = d - ((p2 - l2).powi(2) + (u1 - p1).powi(2)).sqrt();
    let high = d + ((u2 - p2).powi(2) + (p1 - l1).powi(2)).sqrt();
    Some((low.max(-1.0), high.min(1.0)))
}

/// The variance of a difference of two means (each term scaled by its wave's FPC factor f)
/// and its Welch–Satterthwaite degrees of freedom, from (sd, n, f) per wave. `None` with
/// fewer than 2 observations on a side.
fn welch_variance(
    (sd1, n1, f1): (f64, f64, f64),
    (sd2, n2, f2): (f64, f64, f64),
) -> Option<(f64, f64)> {
    if n1 < 2.0 || n2 < 2.0 {
        return None;
    }
    let v1 = f1.max(0.0) * sd1 * sd1 / n1;
    let v2 = f2.max(0.0) * sd2 * sd2 / n2;
    let se2 = v1 + v2;
    Some((
        se2,
        se2 * se2 / (v1 * v1 / (n1 - 1.0) + v2 * v2 / (n2 - 1.0)),
    ))
}

/// 95% Welch interval for a change in a mean, mean₂ − mean₁ (as scipy
/// `ttest_ind(equal_var=False).confidence_interval()`), each variance term scaled by its
/// wave's FPC factor; with its standard error. `None` with fewer than 2 observations on a side.
#[allow(clippy::too_many_arguments)]
pub fn welch_interval(
    mean1: f64,
    sd1: f64,
    n1: f64,
    f1: f64,
    mean2: f64,
    sd2: f64,
    n2: f64,
    f2: f64,
) -> Option<((f64, f64), f64)> {
    let (se2, df) = welch_variance((sd1, n1, f1), (sd2, n2, f2))?;
    let se = se2.sqrt();
    let d = mean2 - mean1;
    if se <= 0.0 {
        return Some(((d, d), 0.0));
    }
    let t = StudentsT::new(0.0, 1.0, df)
        .ok()?
        .inverse_cdf(1.0 - (1.0 - CONFIDENCE) / 2.0);
    Some(((d - t * se, d + t * se), se))
}

/// 95% normal interval for a change in a net score (eNPS), in points, with its standard error
/// in points: unpooled variances (p₊ + p₋ − (p₊ − p₋)²)/n, scaled by FPC.
pub fn net_score_difference_interval(
    (pos1, neg1, n1, f1): (f64, f64, f64, f64),
    (pos2, neg2, n2, f2): (f64, f64, f64, f64),
) -> Option<((f64, f64), f64)> {
    if n1 <= 0.0 || n2 <= 0.0 {
        return None;
    }
    let var =
        |p: f64, q: f64, n: f64, f: f64| (p + q - (p - q) * (p - q)).max(0.0) / n * f.max(0.0);
    let se = 100.0 * (var(pos1, neg1, n1, f1) + var(pos2, neg2, n2, f2)).sqrt();
    let d = 100.0 * ((pos2 - neg2) - (pos1 - neg1));
    let half = z95() * se;
    Some((((d - half).max(-200.0), (d + half).min(200.0)), se))
}

/// Normal interval for a net score p₊ − p₋ (eNPS), in points (−100..100): each answer scores
/// +1, 0 or −1, so the variance is (p₊ + p₋ − (p₊ − p₋)²) / n.
pub fn net_score_interval(p_pos: f64, p_neg: f64, n: f64, f: f64) -> Option<(f64, f64)> {
    if n <= 0.0 {
        return None;
    }
    let e = p_pos - p_neg;
    let var = (p_pos + p_neg - e * e).max(0.0) / n * f;
    let half = z95() * var.sqrt();
    Some((100.0 * (e - half).max(-1.0), 100.0 * (e + half).min(1.0)))
}

/// A two-sided test of a change between two waves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Test {
    /// z or t statistic (positive when the second wave is higher).
    pub statistic: f64,
    pub p_value: f64,
    /// Degrees of freedom for t tests; `None` for z tests.
    pub df: Option<f64>,
}

/// Two-sided p-value of a standard normal statistic, from the survival function (no loss of
/// precision in the tail).
pub fn p_normal(z: f64) -> f64 {
    (2.0 * Normal::standard().sf(z.abs())).min(1.0)
}

/// Two-proportion z test (pooled, as statsmodels `proportions_ztest` and the 2×2 chi-square
/// without continuity correction) of x2/n2 against x1/n1, each term of the variance scaled by
/// its wave's finite population correction factor f. `None` when either n is 0 or the pooled
/// proportion is 0 or 1 (no variation to test).
pub fn two_proportion_z(x1: f64, n1: f64, f1: f64, x2: f64, n2: f64, f2: f64) -> Option<Test> {
    if n1 <= 0.0 || n2 <= 0.0 {
        return None;
    }
    let pooled = (x1 + x2) / (n1 + n2);
    let var = pooled * (1.0 - pooled) * (f1 / n1 + f2 / n2);
    if var <= 0.0 {
        return None;
    }
    let z = (x2 / n2 - x1 / n1) / var.sqrt();
    Some(Test {
        statistic: z,
        p_value: p_normal(z),
        df: None,
    })
}

/// Welch's t test of mean2 against mean1 (as scipy `ttest_ind_from_stats(equal_var=False)`),
/// each variance term scaled by its wave's FPC factor. `None` with fewer than 2 observations
/// on a side or no variance at all.
#[allow(clippy::too_many_arguments)]
pub fn welch_t(
    mean1: f64,
    sd1: f64,
    n1: f64,
    f1: f64,
    mean2: f64,
    sd2: f64,
    n2: f64,
    f2: f64,
) -> Option<Test> {
    let (se2, df) = welch_variance((sd1, n1, f1), (sd2, n2, f2))?;
    if se2 <= 0.0 {
        return None;
    }
    let t = (mean2 - mean1) / se2.sqrt();
    let dist = StudentsT::new(0.0, 1.0, df).ok()?;
    Some(Test {
        statistic: t,
        p_value: (2.0 * dist.sf(t.abs())).min(1.0),
        df: Some(df),
    })
}

/// z test of a change in a net score (eNPS) p₊ − p₋ between waves (unpooled variances
/// (p₊ + p₋ − (p₊ − p₋)²)/n, scaled by FPC).
pub fn net_score_z(
    (pos1, neg1, n1, f1): (f64, f64, f64, f64),
    (pos2, neg2, n2, f2): (f64, f64, f64, f64),
) -> Option<Test> {
    if n1 <= 0.0 || n2 <= 0.0 {
        return None;
    }
    let var = |p: f64, q: f64, n: f64, f: f64| (p + q - (p - q) * (p - q)).max(0.0) / n * f;
    let se2 = var(pos1, neg1, n1, f1) + var(pos2, neg2, n2, f2);
    if se2 <= 0.0 {
        return None;
    }
    let z = ((pos2 - neg2) - (pos1 - neg1)) / se2.sqrt();
    Some(Test {
        statistic: z,
        p_value: p_normal(z),
        df: None,
    })
}

/// Cohen's h for two proportions: 2·asin(√p2) − 2·asin(√p1).
pub fn cohens_h(p1: f64, p2: f64) -> f64 {
    2.0 * p2.sqrt().asin() - 2.0 * p1.sqrt().asin()
}

/// Cohen's d with the pooled standard deviation.
pub fn cohens_d(mean1: f64, sd1: f64, n1: f64, mean2: f64, sd2: f64, n2: f64) -> Option<f64> {
    if n1 + n2 < 3.0 {
        return None;
    }
    let pooled = (((n1 - 1.0) * sd1 * sd1 + (n2 - 1.0) * sd2 * sd2) / (n1 + n2 - 2.0)).sqrt();
    (pooled > 0.0).then(|| (mean2 - mean1) / pooled)
}

/// Benjamini–Hochberg adjusted p-values (q-values), in the input order (as statsmodels
/// `multipletests(method="fdr_bh")`).
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]).then(a.cmp(&b)));
    let mut q = vec![0.0; m];
    let mut running = 1.0f64;
    for (rank, &i) in order.iter().enumerate().rev() {
        running = running.min(p[i] * m as f64 / (rank + 1) as f64);
        q[i] = running.min(1.0);
    }
    q
}

/// The Benjamini–Hochberg procedure's effective p-value threshold at level `alpha` for a
/// family of m tests: the largest k·α/m with p₍ₖ₎ ≤ k·α/m (every test with p at or below it
/// is declared), or α/m, what the smallest p-value would need, when nothing is declared.
/// `None` for an empty family. A test is declared exactly when its q-value is below α
/// (ties at the boundary aside), so this is the p-value a change has to reach.
pub fn bh_threshold(p: &[f64], alpha: f64) -> Option<f64> {
    let m = p.len();
    if m == 0 {
        return None;
    }
    let mut sorted = p.to_vec();
    sorted.sort_by(f64::total_cmp);
    let step = alpha / m as f64;
    let k = (1..=m).rev().find(|&k| sorted[k - 1] <= k as f64 * step);
    Some(k.unwrap_or(1) as f64 * step)
}

/// The interval for a tested change at a two-sided level 1 − `threshold`, built by inverting
/// the change's own test: d ± c · se, where c is the test's critical value at that threshold
/// (normal, or Student's t on the test's degrees of freedom) and se = |d| / |statistic| is the
/// standard error the test used (the pooled one for a two-proportion z test). It therefore
/// excludes zero exactly when p < threshold. At a family's Benjamini–Hochberg threshold this is
/// Benjamini & Yekutieli's (2005) false-coverage-rate adjusted interval for the changes
/// declared. `fallback_se` is used when the statistic is 0 (no change: se unknown from it).
/// `None` for a threshold outside (0, 1) or no usable standard error.
pub fn interval_at(d: f64, test: &Test, threshold: f64, fallback_se: f64) -> Option<(f64, f64)> {
    if !(threshold > 0.0 && threshold < 1.0 && d.is_finite()) {
        return None;
    }
    let se = if test.statistic != 0.0 && test.statistic.is_finite() {
        (d / test.statistic).abs()
    } else {
        fallback_se
    };
    if !se.is_finite() || se < 0.0 {
        return None;
    }
    let c = match test.df {
        Some(df) => StudentsT::new(0.0, 1.0, df)
            .ok()?
            .inverse_cdf(1.0 - threshold / 2.0),
        None => z(1.0 - threshold / 2.0),
    };
    Some((d - c * se, d + c * se))
}

/// Welford's online mean and variance: one pass, no stored values.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MeanVar {
    pub n: u64,
    pub mean: f64,
    m2: f64,
}

impl MeanVar {
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }

    /// Sample standard deviation (ddof = 1).
    pub fn sd(&self) -> f64 {
        if self.n < 2 {
            0.0
        } else {
            (self.m2 / (self.n - 1) as f64).sqrt()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-9, "{a} vs {b}");
    }

    #[test]
    fn quantiles_match_scipy() {
        // scipy.stats.norm.ppf(0.975), norm.ppf(0.8)
        close(z95(), 1.959963984540054);
        close(z(0.8), 0.8416212335729143);
    }

    #[test]
    fn wilson_matches_statsmodels() {
        // statsmodels.stats.proportion.proportion_confint(x, n, alpha=0.05, method="wilson")
        let cases = [
            (19, 30, 0.45513563654794864, 0.7812607919389929),
            (0, 12, 0.0, 0.24249400665524096),
            (12, 12, 0.7575059933447589, 0.9999999999999999),
            (1655, 2863, 0.5598817691721947, 0.5960389562745061),
            (5, 10, 0.23659309051256394, 0.7634069094874361),
        ];
        for (x, n, lo, hi) in cases {
            let (l, h) = wilson(x as f64, n as f64, 1.0).unwrap();
            close(l, lo);
            close(h, hi);
        }
        assert_eq!(wilson(0.0, 0.0, 1.0), None);
    }

    #[test]
    fn wilson_with_fpc_uses_effective_n() {
        // 19 of 30 answered in a group of 50: f = 20/49 = 0.40816326530612246; statsmodels
        // proportion_confint(19/30 * n_eff, n_eff, method="wilson") with n_eff = 30 / f.
        let f = fpc(30, Some(50));
        close(f, 0.40816326530612246);
        let (l, h) = wilson(19.0, 30.0, f).unwrap();
        close(l, 0.5191094262970319);
        close(h, 0.7343122223098295);
        // Everyone answered: no sampling error.
        assert_eq!(
            wilson(7.0, 12.0, fpc(12, Some(12))),
            Some((7.0 / 12.0, 7.0 / 12.0))
        );
    }

    #[test]
    fn fpc_is_off_without_a_consistent_population() {
        assert_eq!(fpc(30, None), 1.0);
        assert_eq!(
            fpc(31, Some(30)),
            1.0,
            "more answers than staff: headcount is wrong, no correction"
        );
    }

    #[test]
    fn t_interval_matches_scipy() {
        // data = [0, 25, 50, 75, 100, 100, 75, 50, 75, 100]: mean 65, sd 33.74742788552764;
        // scipy.stats.t.interval(0.95, 9, loc=65, scale=sd/sqrt(10))
        let mut mv = MeanVar::default();
        for x in [0.0, 25.0, 50.0, 75.0, 100.0, 100.0, 75.0, 50.0, 75.0, 100.0] {
            mv.push(x);
        }
        close(mv.mean, 65.0);
        close(mv.sd(), 33.74742788552764);
        let (l, h) = t_interval(mv.mean, mv.sd(), 10.0, 1.0).unwrap();
        close(l, 40.858544403340815);
        close(h, 89.14145559665918);
        // With N = 40: scale multiplied by sqrt(30/39).
        let (l, h) = t_interval(mv.mean, mv.sd(), 10.0, fpc(10, Some(40))).unwrap();
        close(l, 43.826542771205496);
        close(h, 86.1734572287945);
        assert_eq!(t_interval(50.0, 0.0, 1.0, 1.0), None);
    }

    #[test]
    fn minimum_detectable_differences() {
        // 100 * (norm.ppf(.975) + norm.ppf(.8)) * sqrt(2 p (1-p) / n), p = 19/30, n = 30
        close(
            mdd_proportion(19.0 / 30.0, 30.0, 1.0).unwrap(),
            34.858612459147125,
        );
        close(
            mdd_proportion(19.0 / 30.0, 30.0, fpc(30, Some(50))).unwrap(),
            22.270350588564025,
        );
        // (z + z) * sqrt(2) * sd / sqrt(n) for the t-interval data above
        close(
            mdd_mean(33.74742788552764, 10.0, 1.0).unwrap(),
            42.28238857887607,
        );
    }

    #[test]
    fn net_score_interval_by_hand() {
        // 40 answers: 14 promoters, 10 passives, 16 detractors: eNPS -5;
        // var = (0.35 + 0.40 - 0.05^2) / 40; 100 * (-0.05 ± 1.959963984540054 * sqrt(var))
        let (l, h) = net_score_interval(14.0 / 40.0, 16.0 / 40.0, 40.0, 1.0).unwrap();
        close(l, -31.79314496503191);
        close(h, 21.793144965031903);
    }

    #[test]
    fn two_proportion_z_matches_statsmodels() {
        // statsmodels.stats.proportion.proportions_ztest([x2, x1], [n2, n1])
        let t = two_proportion_z(1100.0, 2900.0, 1.0, 1350.0, 2850.0, 1.0).unwrap();
        close(t.statistic, 7.235475610981355);
        assert!((t.p_value - 4.639005034319753e-13).abs() < 1e-18);
        let t = two_proportion_z(19.0, 30.0, 1.0, 12.0, 31.0, 1.0).unwrap();
        close(t.statistic, -1.923169006217875);
        close(t.p_value, 0.05445882830847652);
        let t = two_proportion_z(50.0, 100.0, 1.0, 50.0, 100.0, 1.0).unwrap();
        close(t.statistic, 0.0);
        close(t.p_value, 1.0);
        assert_eq!(
            two_proportion_z(0.0, 10.0, 1.0, 0.0, 12.0, 1.0),
            None,
            "no variation"
        );
    }

    #[test]
    fn two_proportion_z_with_fpc_by_hand() {
        // pooled p (1100 + 1350)/(2900 + 2850), variance p(1-p)(f1/n1 + f2/n2) with
        // f = (N - n)/(N - 1), N1 = 5900, N2 = 5850 (numpy, recorded).
        let t = two_proportion_z(
            1100.0,
            2900.0,
            fpc(2900, Some(5900)),
            1350.0,
            2850.0,
            fpc(2850, Some(5850)),
        )
        .unwrap();
        close(t.statistic, 10.12421729968713);
        assert!((t.p_value - 4.314164697381094e-24).abs() < 1e-30);
    }

    #[test]
    fn welch_t_matches_scipy() {
        // scipy.stats.ttest_ind_from_stats(62.0, 18.5, 400, 59.1, 19.2, 380, equal_var=False)
        let t = welch_t(59.1, 19.2, 380.0, 1.0, 62.0, 18.5, 400.0, 1.0).unwrap();
        close(t.statistic, 2.1462469483904494);
        close(t.p_value, 0.03216436608158557);
        close(t.df.unwrap(), 771.9619975907001);
    }

    #[test]
    fn benjamini_hochberg_matches_statsmodels() {
        // statsmodels.stats.multitest.multipletests(p, method="fdr_bh")[1]
        let p = [0.001, 0.04, 0.03, 0.2, 0.0004, 0.5, 0.049];
        let q = benjamini_hochberg(&p);
        let want = [
            0.0035,
            0.0686,
            0.0686,
            0.23333333333333336,
            0.0028000000000000004,
            0.5,
            0.0686,
        ];
        for (a, b) in q.iter().zip(want) {
            close(*a, b);
        }
        assert!(benjamini_hochberg(&[]).is_empty());
    }

    #[test]
    fn change_intervals_match_statsmodels_and_scipy() {
        // statsmodels 0.15 confint_proportions_2indep(29, 32, 20, 32, method="newcomb",
        // compare="diff") = (0.07328584895358944, 0.4642928330540585): 29/32 later, 20/32
        // earlier.
        let (l, h) = newcombe_difference(20.0, 32.0, 1.0, 29.0, 32.0, 1.0).unwrap();
        close(l, 0.07328584895358944);
        close(h, 0.4642928330540585);
        // (1650, 2843, 1657, 2887) → (-0.019152805099097562, 0.031978872364575195).
        let (l, h) = newcombe_difference(1657.0, 2887.0, 1.0, 1650.0, 2843.0, 1.0).unwrap();
        close(l, -0.019152805099097562);
        close(h, 0.031978872364575195);
        // A zero count: (3, 25, 0, 21) → (-0.05334676671199473, 0.2995579392092733).
        let (l, h) = newcombe_difference(0.0, 21.0, 1.0, 3.0, 25.0, 1.0).unwrap();
        close(l, -0.05334676671199473);
        close(h, 0.2995579392092733);
        // FPC: each Wilson interval on n/f, so f = 0.5 is the interval of twice the answers.
        let a = newcombe_difference(20.0, 32.0, 0.5, 29.0, 32.0, 0.5).unwrap();
        let b = newcombe_difference(40.0, 64.0, 1.0, 58.0, 64.0, 1.0).unwrap();
        close(a.0, b.0);
        close(a.1, b.1);

        // scipy 1.17 ttest_ind(b, a, equal_var=False).confidence_interval() with
        // a = 1..10, b = [3,5,6,7,8,9,9,10,12,14]: (-0.1608059824621142, 5.760805982462116);
        // means 5.5 and 8.3, sds 3.0276503540974917 and 3.2676869155073254.
        let ((l, h), se) = welch_interval(
            5.5,
            3.0276503540974917,
            10.0,
            1.0,
            8.3,
            3.2676869155073254,
            10.0,
            1.0,
        )
        .unwrap();
        close(l, -0.1608059824621142);
        close(h, 5.760805982462116);
        close(
            se,
            ((3.0276503540974917f64.powi(2) + 3.2676869155073254f64.powi(2)) / 10.0).sqrt(),
        );

        // eNPS by hand: 40% / 20% of 100 then 50% / 10% of 100. Variances
        // (0.6 − 0.04)/100 = 0.0056 and (0.6 − 0.16)/100 = 0.0044; se = 10 points;
        // change 40 − 20 = 20 points ± 1.959964 × 10.
        let ((l, h), se) =
            net_score_difference_interval((0.4, 0.2, 100.0, 1.0), (0.5, 0.1, 100.0, 1.0)).unwrap();
        close(se, 10.0);
        close(l, 20.0 - 19.59963984540054);
        close(h, 20.0 + 19.59963984540054);
    }

    #[test]
    fn mdd_at_a_stricter_threshold_is_larger() {
        // scipy: norm.ppf(0.975) + norm.ppf(0.8) = 2.801585218...; at p ≤ 0.0024,
        // norm.ppf(1 − 0.0012) + norm.ppf(0.8) = 3.8772936001999927 (1.384 times).
        close(mdd_for(1.0, 0.05).unwrap(), 2.8015852181129683);
        let strict = mdd_for(1.0, 0.0024).unwrap();
        close(strict, 3.8772936001999927);
        assert!(
            (strict / mdd_for(1.0, 0.05).unwrap() - 1.384).abs() < 0.001,
            "{strict}"
        );
        // The unadjusted MDD of a proportion at the same se agrees with mdd_proportion.
        let se = (2.0 * 0.6 * 0.4 / 400.0f64).sqrt();
        close(
            100.0 * mdd_for(se, 0.05).unwrap(),
            mdd_proportion(0.6, 400.0, 1.0).unwrap(),
        );
        assert_eq!(mdd_for(0.0, 0.05), None);
        assert_eq!(
            se_difference_of_proportions(30.0, 100.0, 1.0, 0.0, 0.0, 1.0),
            None
        );
    }

    #[test]
    fn bh_threshold_is_the_last_step_under_the_line() {
        // Sorted: 0.0004 0.001 0.03 0.04 0.049 0.2 0.5; m = 7, steps k·0.05/7 = 0.00714k.
        // k = 2 (0.001 ≤ 0.0143) is the largest k under the line: 0.03 > 0.0214, 0.04 > 0.0286,
        // 0.049 > 0.0357, 0.2 > 0.0429, 0.5 > 0.05.
        let p = [0.001, 0.04, 0.03, 0.2, 0.0004, 0.5, 0.049];
        close(bh_threshold(&p, 0.05).unwrap(), 2.0 * 0.05 / 7.0);
        // Declared (q < 0.05) exactly when p ≤ the threshold.
        let t = bh_threshold(&p, 0.05).unwrap();
        for (pi, qi) in p.iter().zip(benjamini_hochberg(&p)) {
            assert_eq!(*pi <= t, qi < 0.05, "p = {pi}");
        }
        // Nothing declared: what the smallest p would need.
        close(bh_threshold(&[0.3, 0.9], 0.05).unwrap(), 0.025);
        // Everything declared: alpha itself.
        close(bh_threshold(&[0.01, 0.02], 0.05).unwrap(), 0.05);
        assert_eq!(bh_threshold(&[], 0.05), None);
    }

    #[test]
    fn effect_sizes_by_reference() {
        // numpy: 2*arcsin(sqrt(p2)) - 2*arcsin(sqrt(p1)); (m2 - m1) / pooled sd
        close(
            cohens_h(1100.0 / 2900.0, 1350.0 / 2850.0),
            0.1911310302067657,
        );
        close(
            cohens_d(59.1, 19.2, 380.0, 62.0, 18.5, 400.0).unwrap(),
            0.15389308894507778,
        );
    }

    #[test]
    fn net_score_change_by_hand() {
        // Wave 1: 30% promoters, 40% detractors of 200; wave 2: 40%, 30% of 250.
        // var_i = (p + q - (p - q)^2)/n: 0.69/200 and 0.69/250; z = 0.2 / sqrt(sum).
        let t = net_score_z((0.3, 0.4, 200.0, 1.0), (0.4, 0.3, 250.0, 1.0)).unwrap();
        let want = 0.2 / (0.69f64 / 200.0 + 0.69 / 250.0).sqrt();
        close(t.statistic, want);
    }

    #[test]
    fn interval_at_a_threshold_inverts_the_test() {
        // z test: d = 2, z = 2.5, so se = 0.8; at 5%: scipy 2 ∓ norm.ppf(0.975) * 0.8.
        let z = Test {
            statistic: 2.5,
            p_value: p_normal(2.5),
            df: None,
        };
        let (l, h) = interval_at(2.0, &z, 0.05, f64::NAN).unwrap();
        close(l, 0.43202881236795676);
        close(h, 3.5679711876320432);
        // Welch t: d = -3.2, t = -2.1 on 57.3 df (p = 0.04014255587138378, scipy t.sf),
        // at a threshold of 0.004: -3.2 ∓ t.ppf(0.998, 57.3) * 3.2 / 2.1.
        let t = Test {
            statistic: -2.1,
            p_value: 0.04014255587138378,
            df: Some(57.3),
        };
        let (l, h) = interval_at(-3.2, &t, 0.004, f64::NAN).unwrap();
        close(l, -7.770271686328171);
        close(h, 1.370271686328171);
        // It excludes zero exactly when p is below the threshold.
        for threshold in [0.001, 0.01, 0.0401, 0.0402, 0.05, 0.2] {
            let (l, h) = interval_at(-3.2, &t, threshold, f64::NAN).unwrap();
            assert_eq!(h < 0.0 || l > 0.0, t.p_value < threshold, "at {threshold}");
        }
        // No change: the fallback standard error gives the width.
        let none = Test {
            statistic: 0.0,
            p_value: 1.0,
            df: None,
        };
        let (l, h) = interval_at(0.0, &none, 0.05, 1.0).unwrap();
        close(h, z95());
        close(l, -z95());
        assert_eq!(interval_at(1.0, &z, 0.0, 1.0), None);
    }
}
