//! Raking (iterative proportional fitting): weights that make the respondents' weighted
//! distribution on each margin match the population's, one margin at a time, until every
//! margin fits (as R's `survey::rake`, starting from equal weights).
//!
//! A respondent whose category on a margin is not stated is left out of that margin's step,
//! and the margin's targets are scaled to the weight of those who stated it: the step fits the
//! shares among those who answered and leaves everyone else's weight alone.
//!
//! Optional trimming keeps every weight within [min, max] times the mean weight: weights
//! outside are clipped and the margins raked again, until both hold.

/// A category that is not stated (the engine's `NOT_STATED`).
pub const NOT_STATED: u32 = u32::MAX;

/// One margin: each respondent's category, and the population in each category.
#[derive(Debug, Clone)]
pub struct Margin<'a> {
    /// Per respondent: the category index, or [`NOT_STATED`].
    pub codes: &'a [u32],
    /// Per category: its population (HR headcount).
    pub targets: Vec<f64>,
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq)]
pub enum RakeError {
    /// A category with people in it but no respondents: nothing to weight up.
    NoRespondents { margin: usize, category: usize },
    /// Respondents in a category the population says is empty.
    NoPopulation { margin: usize, category: usize },
    /// Nobody stated a category of this margin.
    NothingStated { margin: usize },
    /// The margins did not all fit within the tolerance.
    NoConvergence { iterations: usize, max_error: f64 },
    /// Trimming and the margins could not both be met.
    TrimInfeasible { rounds: usize, max_error: f64 },
}

/// Weights and how they were reached.
#[derive(Debug, Clone, PartialEq)]
pub struct Raked {
    pub weights: Vec<f64>,
    /// Raking cycles (each adjusts every margin once).
    pub iterations: usize,
    /// The largest gap between a category's weighted share (among those who stated the
    /// margin) and its population share, at the end.
    pub max_error: f64,
}

/// The largest gap between weighted and population shares over every margin's categories.
fn max_error(weights: &[f64], margins: &[Margin]) -> f64 {
    let mut worst = 0.0f64;
    for m in margins {
        let total: f64 = m.targets.iter().sum();
        let mut sums = vec![0.0; m.targets.len()];
        for (&c, &w) in m.codes.iter().zip(weights) {
            if let Some(s) = sums.get_mut(c as usize) {
                *s += w;
            }
        }
        let stated: f64 = sums.iter().sum();
        if stated <= 0.0 || total <= 0.0 {
            continue;
        }
        for (s, t) in sums.iter().zip(&m.targets) {
            worst = worst.max((s / stated - t / total).abs());
        }
    }
    worst
}

/// One cycle: each margin in turn, scaling every category's weights to its share of the
/// weight of those who stated the margin.
fn cycle(weights: &mut [f64], margins: &[Margin]) {
    for m in margins {
        let total: f64 = m.targets.iter().sum();
        let mut sums = vec![0.0; m.targets.len()];
        for (&c, &w) in m.codes.iter().zip(weights.iter()) {
            if let Some(s) = sums.get_mut(c as usize) {
                *s += w;
            }
        }
        let stated: f64 = sums.iter().sum();
        let factors: Vec<f64> = sums
            .iter()
            .zip(&m.targets)
            .map(|(&s, &t)| if s > 0.0 { t / total * stated / s } else { 1.0 })
            .collect();
        for (&c, w) in m.codes.iter().zip(weights.iter_mut()) {
            if let Some(f) = factors.get(c as usize) {
                *w *= f;
            }
        }
    }
}

/// Every margin has someone stated, and each category has respondents exactly where it has
/// staff.
fn check_margins(margins: &[Margin]) -> Result<(), RakeError> {
    for (mi, m) in margins.iter().enumerate() {
        let mut seen = vec![0u64; m.targets.len()];
        for &c in m.codes {
            if let Some(s) = seen.get_mut(c as usize) {
                *s += 1;
            }
        }
        if seen.iter().all(|&s| s == 0) {
            return Err(RakeError::NothingStated { margin: mi });
        }
        for (ci, (&s, &t)) in seen.iter().zip(&m.targets).enumerate() {
            if s == 0 && t > 0.0 {
                return Err(RakeError::NoRespondents {
                    margin: mi,
                    category: ci,
                });
            }
            if s > 0 && t <= 0.0 {
                return Err(RakeError::NoPopulation {
                    margin: mi,
                    category: ci,
                });
            }
        }
    }
    Ok(())
}

/// Rake `rows` respondents to `margins`, starting from equal weights that sum to the
/// population (the first margin's total), until every category's weighted share is within
/// `tolerance` of its population share. `trim`: (min, max) multiples of the mean weight.
pub fn rake(
    rows: usize,
    margins: &[Margin],
    trim: Option<(f64, f64)>,
    tolerance: f64,
    max_iterations: usize,
) -> Result<Raked, RakeError> {
    check_margins(margins)?;
    let population: f64 = margins
        .first()
        .map_or(rows as f64, |m| m.targets.iter().sum());
    let mut weights = vec![population / rows.max(1) as f64; rows];
    let mut iterations = 0;
    let rounds = if trim.is_some() { 1000 } else { 1 };
    for round in 1..=rounds {
        let mut err = max_error(&weights, margins);
        while err > tolerance {
            if iterations == max_iterations {
                return Err(RakeError::NoConvergence {
                    iterations,
                    max_error: err,
                });
            }
            cycle(&mut weights, margins);
            iterations += 1;
            err = max_error(&weights, margins);
        }
        let Some((lo, hi)) = trim else {
            return Ok(Raked {
                weights,
                iterations,
                max_error: err,
            });
        };
        let mean = weights.iter().sum::<f64>() / rows.max(1) as f64;
        let (lo, hi) = (lo * mean, hi * mean);
        // A little slack: raking after a clip moves weights by rounding-sized amounts.
        if weights
            .iter()
            .all(|&w| w >= lo * (1.0 - 1e-6) && w <= hi * (1.0 + 1e-6))
        {
            return Ok(Raked {
                weights,
                iterations,
                max_error: err,
            });
        }
        if round == rounds {
            return Err(RakeError::TrimInfeasible {
                rounds,
                max_error: err,
            });
        }
        for w in &mut weights {
            *w = w.clamp(lo, hi);
        }
    }
    unreachable!("the last round returns")
}

/// Kish's design effect from unequal weights: 1 + CV²(w) = n Σw² / (Σw)².
pub fn design_effect(weights: &[f64]) -> Option<f64> {
    let n = weights.len() as f64;
    let s: f64 = weights.iter().sum();
    let s2: f64 = weights.iter().map(|w| w * w).sum();
    (s > 0.0).then(|| n * s2 / (s * s))
}

/// Kish's effective sample size n / (1 + CV²(w)) = (Σw)² / Σw², from the sums.
pub fn effective_n(sum: f64, sum_sq: f64) -> Option<f64> {
    (sum_sq > 0.0).then(|| sum * sum / sum_sq)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() <= tol, "{a} vs {b}");
    }

    #[test]
    fn one_margin_is_post_stratification() {
        // 2 and 3 respondents in populations of 10 and 60: weights 5 and 20.
        let codes = [0, 0, 1, 1, 1];
        let r = rake(
            5,
            &[Margin {
                codes: &codes,
                targets: vec![10.0, 60.0],
            }],
            None,
            1e-12,
            100,
        )
        .unwrap();
        for (w, want) in r.weights.iter().zip([5.0, 5.0, 20.0, 20.0, 20.0]) {
            close(*w, want, 1e-9);
        }
    }

    #[test]
    fn two_margins_by_hand() {
        // Respondents (a, b): (0,0) (0,1) (1,0) (1,1) (1,1); margins a: 30/70, b: 40/60.
        // Classic IPF converges to weights w(a, b) with w(0,0)+w(0,1) = 30, w(1,0)+2 w(1,1) = 70,
        // w(0,0)+w(1,0) = 40, w(0,1)+2 w(1,1) = 60, and odds-ratio of the start kept (all
        // equal start: w(0,0) w(1,1) = w(0,1) w(1,0)).
        let a = [0, 0, 1, 1, 1];
        let b = [0, 1, 0, 1, 1];
        let r = rake(
            5,
            &[
                Margin {
                    codes: &a,
                    targets: vec![30.0, 70.0],
                },
                Margin {
                    codes: &b,
                    targets: vec![40.0, 60.0],
                },
            ],
            None,
            1e-12,
            1000,
        )
        .unwrap();
        let w = &r.weights;
        close(w[0] + w[1], 30.0, 1e-8);
        close(w[2] + w[3] + w[4], 70.0, 1e-8);
        close(w[0] + w[2], 40.0, 1e-8);
        close(w[1] + w[3] + w[4], 60.0, 1e-8);
        close(w[0] * w[3], w[1] * w[2], 1e-8);
        assert!(r.max_error <= 1e-12);
    }

    #[test]
    fn not_stated_respondents_sit_out_that_margins_step() {
        // The third respondent did not state a category: shares among the other two fit the
        // targets and the third keeps the starting weight (population 90 / 3 = 30).
        let codes = [0, 1, NOT_STATED];
        let r = rake(
            3,
            &[Margin {
                codes: &codes,
                targets: vec![30.0, 60.0],
            }],
            None,
            1e-12,
            100,
        )
        .unwrap();
        close(r.weights[2], 30.0, 1e-12);
        close(r.weights[0], 20.0, 1e-12);
        close(r.weights[1], 40.0, 1e-12);
    }

    #[test]
    fn impossible_margins_are_errors_not_weights() {
        let codes = [0, 0];
        let m = |t: Vec<f64>| Margin {
            codes: &codes,
            targets: t,
        };
        assert_eq!(
            rake(2, &[m(vec![10.0, 5.0])], None, 1e-9, 100),
            Err(RakeError::NoRespondents {
                margin: 0,
                category: 1
            })
        );
        assert_eq!(
            rake(2, &[m(vec![0.0, 5.0])], None, 1e-9, 100),
            Err(RakeError::NoPopulation {
                margin: 0,
                category: 0
            })
        );
        let none = [NOT_STATED, NOT_STATED];
        assert_eq!(
            rake(
                2,
                &[Margin {
                    codes: &none,
                    targets: vec![1.0]
                }],
                None,
                1e-9,
                100
            ),
            Err(RakeError::NothingStated { margin: 0 })
        );
    }

    #[test]
    fn trimming_keeps_weights_within_bounds_and_margins_fitted() {
        // Two respondents in a category of 50 people, ten in the other 50: untrimmed, the two
        // carry 25 each, three times the mean weight (100 / 12).
        let mut a = vec![0u32; 10];
        a.extend([1, 1]);
        let b: Vec<u32> = (0..12).map(|i| i % 2).collect();
        let margins = [
            Margin {
                codes: &a,
                targets: vec![50.0, 50.0],
            },
            Margin {
                codes: &b,
                targets: vec![50.0, 50.0],
            },
        ];
        let free = rake(12, &margins, None, 1e-9, 1000).unwrap();
        close(free.weights[10], 25.0, 1e-6);
        assert!(
            free.weights[10] >= 3.0 * 100.0 / 12.0 - 1e-6,
            "three times the mean weight"
        );
        // Bounds that cannot hold with two respondents carrying half the population.
        assert!(matches!(
            rake(12, &margins, Some((0.5, 2.5)), 1e-9, 1000),
            Err(RakeError::TrimInfeasible { .. })
        ));
        // Bounds that can hold, but only after clipping: four respondents in the second
        // category of a, one of them alone in b's larger category.
        let a: Vec<u32> = [vec![0; 10], vec![1; 4]].concat();
        let b: Vec<u32> = [vec![0, 1, 0, 1, 0, 1, 0, 1, 0, 1], vec![0, 0, 0, 1]].concat();
        let margins = [
            Margin {
                codes: &a,
                targets: vec![50.0, 50.0],
            },
            Margin {
                codes: &b,
                targets: vec![30.0, 70.0],
            },
        ];
        let mean = 100.0 / 14.0;
        let free = rake(14, &margins, None, 1e-9, 1000).unwrap();
        assert!(
            free.weights.iter().any(|w| *w > 4.0 * mean),
            "{:?}",
            free.weights
        );
        let t = rake(14, &margins, Some((0.1, 3.5)), 1e-9, 1000).unwrap();
        assert!(
            t.weights.iter().all(|w| *w <= 3.5 * mean * (1.0 + 1e-6)),
            "{:?}",
            t.weights
        );
        assert!(t.max_error <= 1e-9);
    }

    #[test]
    fn matches_r_survey_rake_on_its_published_example() {
        // R 4.2.2, survey 4.1.1, the example in ?rake: apiclus1 (183 schools, equal design
        // weights 33.847) raked to school type (E 4421, H 755, M 1018) and sch.wide
        // (No 1072, Yes 5122):
        //   dclus1 <- svydesign(id=~dnum, weights=~pw, data=apiclus1, fpc=~fpc)
        //   dclus1r <- rake(dclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide),
        //                   control = list(maxit = 100, epsilon = 1e-12))
        //   weights(dclus1r), one value per stype × sch.wide cell; svymean(~api00) 641.23.
        // The schools per cell (table(apiclus1$stype, apiclus1$sch.wide)) and R's weights:
        let cells: [((u32, u32), usize, f64); 6] = [
            ((0, 0), 12, 39.8392362471298),
            ((1, 0), 3, 67.1255292411947),
            ((2, 0), 8, 49.0690721638573),
            ((0, 1), 132, 29.8706754926847),
            ((1, 1), 11, 50.3294011160392),
            ((2, 1), 17, 36.7910248640700),
        ];
        let (mut stype, mut wide) = (Vec::new(), Vec::new());
        for ((s, w), n, _) in cells {
            stype.extend(std::iter::repeat_n(s, n));
            wide.extend(std::iter::repeat_n(w, n));
        }
        let r = rake(
            183,
            &[
                Margin {
                    codes: &stype,
                    targets: vec![4421.0, 755.0, 1018.0],
                },
                Margin {
                    codes: &wide,
                    targets: vec![1072.0, 5122.0],
                },
            ],
            None,
            1e-13,
            1000,
        )
        .unwrap();
        let mut at = 0;
        for (_, n, want) in cells {
            for w in &r.weights[at..at + n] {
                close(*w, want, 1e-9);
            }
            at += n;
        }
        close(r.weights.iter().sum::<f64>(), 6194.0, 1e-7);
    }

    #[test]
    fn kish_design_effect_and_effective_n() {
        // Weights 1, 1, 2, 4: n Σw²/(Σw)² = 4 × 22 / 64 = 1.375; n_eff = 64 / 22.
        close(design_effect(&[1.0, 1.0, 2.0, 4.0]).unwrap(), 1.375, 1e-12);
        close(effective_n(8.0, 22.0).unwrap(), 64.0 / 22.0, 1e-12);
        close(design_effect(&[3.0; 7]).unwrap(), 1.0, 1e-12);
    }
}
