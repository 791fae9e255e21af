//! Statistical process control for monthly series, as in NHS England's "Making Data Count":
//! an XmR chart whose centre line and natural process limits come from the baseline period,
//! and four signal rules.
//!
//! - centre = mean of the baseline points; MR̄ = mean moving range of consecutive baseline
//!   points; limits = centre ± 2.66 × MR̄ (2.66 = 3 / 1.128, so the limits sit at 3σ);
//! - **outside**: a point above the upper or below the lower limit;
//! - **shift**: 7 or more consecutive points on the same side of the centre line (a point on
//!   the line breaks the run);
//! - **trend**: 6 or more consecutive points each higher (or each lower) than the one before;
//! - **near limit**: 2 of 3 consecutive points beyond two-thirds of the way to a limit (2σ),
//!   on the same side.
//!
//! A missing month (no data, or suppressed) breaks moving ranges, runs and trends.

/// Centre line and limits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    pub centre: f64,
    /// Mean moving range of the baseline.
    pub mr_bar: f64,
    pub lower: f64,
    pub upper: f64,
}

/// NHS "Making Data Count" constant: 3 / d2, d2 = 1.128 for moving ranges of two points.
pub const E2: f64 = 2.66;
pub const SHIFT_RUN: usize = 7;
pub const TREND_RUN: usize = 6;

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
}

/// Limits from the baseline points (`None` = missing month). Needs at least two points and
/// one moving range between consecutive months; otherwise `None`.
pub fn limits(baseline: &[Option<f64>]) -> Option<Limits> {
    let points: Vec<f64> = baseline.iter().flatten().copied().collect();
    if points.len() < 2 {
        return None;
    }
    let ranges: Vec<f64> = baseline
        .windows(2)
        .filter_map(|w| match (w[0], w[1]) {
            (Some(a), Some(b)) => Some((b - a).abs()),
            _ => None,
        })
        .collect();
    if ranges.is_empty() {
        return None;
    }
    let centre = points.iter().sum::<f64>() / points.len() as f64;
    let mr_bar = ranges.iter().sum::<f64>() / ranges.len() as f64;
    Some(Limits {
        centre,
        mr_bar,
        lower: centre - E2 * mr_bar,
        upper: centre + E2 * mr_bar,
    })
}

/// Which rules fire at each point of `series` against `lim`. With no variation in the
/// baseline (MR̄ = 0) the limits coincide with the centre, so any different value is outside.
pub fn signals(series: &[Option<f64>], lim: &Limits) -> Vec<Vec<Rule>> {
    let n = series.len();
    let mut out: Vec<Vec<Rule>> = vec![Vec::new(); n];
    let eps = 1e-12;
    let mark = |i: usize, r: Rule, out: &mut Vec<Vec<Rule>>| {
        if !out[i].contains(&r) {
            out[i].push(r);
        }
    };
    // Outside the limits.
    for (i, v) in series.iter().enumerate() {
        if let Some(v) = v
            && (*v > lim.upper + eps || *v < lim.lower - eps)
        {
            mark(i, Rule::Outside, &mut out);
        }
    }
    // Shift: runs on one side of the centre.
    let side = |v: f64| {
        if v > lim.centre + eps {
            1
        } else if v < lim.centre - eps {
            -1
        } else {
            0
        }
    };
    let mut i = 0;
    while i < n {
        let Some(v) = series[i] else {
            i += 1;
            continue;
        };
        let s = side(v);
        let mut j = i + 1;
        while s != 0 && j < n && series[j].is_some_and(|w| side(w) == s) {
            j += 1;
        }
        if s != 0 && j - i >= SHIFT_RUN {
            for k in i..j {
                mark(k, Rule::Shift, &mut out);
            }
        }
        i = j.max(i + 1);
    }
    // Trend: consecutive rises (or falls).
    for dir in [1.0f64, -1.0] {
        let mut start = 0;
        while start < n {
            let mut end = start;
            while end + 1 < n
                && matches!((series[end], series[end + 1]), (Some(a), Some(b)) if (b - a) * dir > eps)
            {
                end += 1;
            }
            if series[start].is_some() && end + 1 - start >= TREND_RUN {
                for k in start..=end {
                    mark(k, Rule::Trend, &mut out);
                }
            }
            start = end + 1;
        }
    }
    // Two of three beyond 2σ (two-thirds of the way to a limit), same side.
    let two_sigma = 2.0 / 3.0 * (lim.upper - lim.centre);
    if two_sigma > eps {
        for start in 0..n.saturating_sub(2) {
            let win = &series[start..start + 3];
            if win.iter().any(Option::is_none) {
                continue;
            }
            for dir in [1.0f64, -1.0] {
                let beyond: Vec<usize> = (0..3)
                    .filter(|&k| (win[k].expect("checked") - lim.centre) * dir > two_sigma + eps)
                    .collect();
                if beyond.len() >= 2 {
                    for k in beyond {
                        mark(start + k, Rule::NearLimit, &mut out);
                    }
                }
            }
        }
    }
    for v in out.iter_mut() {
        v.sort();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[f64]) -> Vec<Option<f64>> {
        v.iter().copied().map(Some).collect()
    }

    fn fired(series: &[Option<f64>], lim: &Limits, rule: Rule) -> Vec<usize> {
        signals(series, lim)
            .iter()
            .enumerate()
            .filter(|(_, r)| r.contains(&rule))
            .map(|(i, _)| i)
            .collect()
    }

    #[test]
    fn limits_by_hand() {
        // Baseline 10, 14, 12: mean 12; moving ranges 4, 2 → MR̄ 3; limits 12 ± 7.98.
        let l = limits(&s(&[10.0, 14.0, 12.0])).unwrap();
        assert!((l.centre - 12.0).abs() < 1e-12);
        assert!((l.mr_bar - 3.0).abs() < 1e-12);
        assert!((l.upper - 19.98).abs() < 1e-12 && (l.lower - 4.02).abs() < 1e-12);
    }

    #[test]
    fn too_few_baseline_points_give_no_limits() {
        assert_eq!(limits(&s(&[10.0])), None);
        assert_eq!(
            limits(&[Some(10.0), None, Some(12.0)]),
            None,
            "no consecutive pair"
        );
        assert_eq!(limits(&[]), None);
    }

    #[test]
    fn a_missing_baseline_month_is_skipped_for_moving_ranges() {
        // 10, -, 14, 12: only 14→12 is a moving range (2); mean of points 12.
        let l = limits(&[Some(10.0), None, Some(14.0), Some(12.0)]).unwrap();
        assert!((l.mr_bar - 2.0).abs() < 1e-12 && (l.centre - 12.0).abs() < 1e-12);
    }

    #[test]
    fn point_outside_the_limits() {
        let l = limits(&s(&[10.0, 14.0, 12.0])).unwrap();
        let series = s(&[10.0, 14.0, 12.0, 20.5, 12.0, 3.9]);
        assert_eq!(fired(&series, &l, Rule::Outside), [3, 5]);
    }

    #[test]
    fn run_of_seven_on_one_side_is_a_shift_and_six_is_not() {
        let l = Limits {
            centre: 50.0,
            mr_bar: 10.0,
            lower: 23.4,
            upper: 76.6,
        };
        let seven = s(&[49.0, 51.0, 52.0, 53.0, 51.0, 55.0, 52.0, 51.0, 48.0]);
        assert_eq!(fired(&seven, &l, Rule::Shift), [1, 2, 3, 4, 5, 6, 7]);
        let six = s(&[49.0, 51.0, 52.0, 53.0, 51.0, 55.0, 52.0, 48.0]);
        assert!(fired(&six, &l, Rule::Shift).is_empty());
        // A point on the centre line breaks the run; so does a missing month.
        let broken = s(&[51.0, 52.0, 53.0, 50.0, 51.0, 52.0, 53.0, 54.0]);
        assert!(fired(&broken, &l, Rule::Shift).is_empty());
        let mut gap = s(&[51.0; 8]);
        gap[3] = None;
        assert!(fired(&gap, &l, Rule::Shift).is_empty());
    }

    #[test]
    fn six_consecutive_rises_are_a_trend() {
        let l = Limits {
            centre: 50.0,
            mr_bar: 10.0,
            lower: 23.4,
            upper: 76.6,
        };
        let up = s(&[40.0, 42.0, 44.0, 45.0, 47.0, 49.0, 48.0]);
        assert_eq!(fired(&up, &l, Rule::Trend), [0, 1, 2, 3, 4, 5]);
        let five = s(&[40.0, 42.0, 44.0, 45.0, 47.0, 46.0]);
        assert!(fired(&five, &l, Rule::Trend).is_empty());
        let down = s(&[60.0, 58.0, 57.0, 55.0, 54.0, 52.0]);
        assert_eq!(fired(&down, &l, Rule::Trend), [0, 1, 2, 3, 4, 5]);
        // Equal neighbours break a trend.
        let flat = s(&[40.0, 42.0, 42.0, 45.0, 47.0, 49.0, 50.0]);
        assert!(fired(&flat, &l, Rule::Trend).is_empty());
    }

    #[test]
    fn two_of_three_near_a_limit() {
        // Limits 50 ± 26.6: 2σ is 17.73 from the centre.
        let l = Limits {
            centre: 50.0,
            mr_bar: 10.0,
            lower: 23.4,
            upper: 76.6,
        };
        let near = s(&[50.0, 68.0, 55.0, 69.0, 50.0]);
        assert_eq!(fired(&near, &l, Rule::NearLimit), [1, 3]);
        // Opposite sides do not count together.
        let split = s(&[50.0, 68.0, 31.0, 50.0]);
        assert!(fired(&split, &l, Rule::NearLimit).is_empty());
    }

    #[test]
    fn a_constant_baseline_makes_any_change_a_signal() {
        let l = limits(&s(&[40.0, 40.0, 40.0])).unwrap();
        assert_eq!((l.lower, l.upper), (40.0, 40.0));
        let series = s(&[40.0, 40.0, 40.0, 40.0, 41.0]);
        assert_eq!(fired(&series, &l, Rule::Outside), [4]);
        assert!(fired(&series, &l, Rule::NearLimit).is_empty());
    }

    #[test]
    fn a_stable_series_raises_nothing() {
        let series = s(&[52.0, 47.0, 50.0, 53.0, 48.0, 51.0, 49.0, 52.0, 47.0, 50.0]);
        let l = limits(&series[..3]).unwrap();
        assert!(signals(&series, &l).iter().all(Vec::is_empty));
    }
}
