//! What a wave's counting produces, per breakdown and group:
//! - per item and answer code, how many chose it (so any grouping of answers can be derived);
//! - per indicator that scores respondents (theme share, 0–100 index, 0–10 score), the mean,
//!   standard deviation and count of respondent scores;
//! - the number of respondents.
//!
//! `counting.rs` fills these in one pass over a wave's codes.

use super::Cell;
use crate::ids::WaveId;

/// Sums of weights for one item in one group (weighted waves).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WeightedCounts {
    /// Σw per answer, in the order of the scale's `answers`.
    pub codes: Vec<f64>,
    /// Σw² per answer.
    pub codes_sq: Vec<f64>,
    /// Σw of positive, neutral and negative answers (after reverse keying).
    pub positive: f64,
    pub neutral: f64,
    pub negative: f64,
    /// Σw² over valid answers, for Kish's effective n.
    pub valid_sq: f64,
}

impl WeightedCounts {
    pub fn valid(&self) -> f64 {
        self.positive + self.neutral + self.negative
    }
}

/// Answer counts for one item in one group.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ItemCounts {
    /// After reverse keying.
    pub positive: u64,
    pub neutral: u64,
    pub negative: u64,
    /// Answers in the scale's excluded group (e.g. "Don't know").
    pub excluded: u64,
    /// Count per answer, in the order of the scale's `answers`.
    pub codes: Vec<u64>,
    /// Sums of weights, when the wave is weighted.
    pub weighted: Option<WeightedCounts>,
}

impl ItemCounts {
    /// Valid answers: the denominator of every percentage.
    pub fn n(&self) -> u64 {
        self.positive + self.neutral + self.negative
    }

    /// Percentage of valid answers, at full precision; `None` when there are none.
    /// Unweighted: for published figures use [`ItemCounts::pct_positive`] and friends.
    pub fn pct(&self, count: u64) -> Option<f64> {
        let n = self.n();
        (n > 0).then(|| 100.0 * count as f64 / n as f64)
    }

    /// % positive of valid answers (weighted when the wave is).
    pub fn pct_positive(&self) -> Option<f64> {
        match &self.weighted {
            Some(w) => (self.n() > 0 && w.valid() > 0.0).then(|| 100.0 * w.positive / w.valid()),
            None => self.pct(self.positive),
        }
    }

    /// % neutral of valid answers (weighted when the wave is).
    pub fn pct_neutral(&self) -> Option<f64> {
        match &self.weighted {
            Some(w) => (self.n() > 0 && w.valid() > 0.0).then(|| 100.0 * w.neutral / w.valid()),
            None => self.pct(self.neutral),
        }
    }

    /// % negative of valid answers (weighted when the wave is).
    pub fn pct_negative(&self) -> Option<f64> {
        match &self.weighted {
            Some(w) => (self.n() > 0 && w.valid() > 0.0).then(|| 100.0 * w.negative / w.valid()),
            None => self.pct(self.negative),
        }
    }

    /// Positive answers and the sample size for tests and intervals: the counts, or with
    /// weights p·n_eff and Kish's effective n = (Σw)²/Σw².
    pub fn positive_of(&self) -> (f64, f64) {
        match &self.weighted {
            Some(w) => {
                let n_eff = crate::stats::rake::effective_n(w.valid(), w.valid_sq).unwrap_or(0.0);
                let p = if w.valid() > 0.0 {
                    w.positive / w.valid()
                } else {
                    0.0
                };
                (p * n_eff, n_eff)
            }
            None => (self.positive as f64, self.n() as f64),
        }
    }

    /// Kish's design effect of the weights behind the valid answers (1 when unweighted).
    pub fn design_effect(&self) -> Option<f64> {
        let w = self.weighted.as_ref()?;
        let n_eff = crate::stats::rake::effective_n(w.valid(), w.valid_sq)?;
        (n_eff > 0.0).then(|| self.n() as f64 / n_eff)
    }
}

/// Summary of respondent-level scores in one group (n is the cell's `n`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ScoreSummary {
    /// Weighted when the wave is.
    pub mean: f64,
    /// Sample standard deviation (ddof = 1); 0 with fewer than two scores.
    pub sd: f64,
    /// Kish's effective n of the scores' weights (weighted waves only).
    pub n_eff: Option<f64>,
}

/// Everything one wave's pass produces, in table order.
#[derive(Debug, Clone, Default)]
pub struct WaveAggregates {
    pub wave: WaveId,
    /// Respondents per breakdown group.
    pub respondents: Vec<Cell<()>>,
    /// Ordered by item, then breakdown, then group.
    pub items: Vec<Cell<ItemCounts>>,
    /// Respondent-score indicators only (theme, index, score), ordered by indicator,
    /// breakdown, group.
    pub scores: Vec<Cell<ScoreSummary>>,
}
