//! `[drivers]`: which outcomes key driver analysis explains, with which themes, for which
//! groups, and its bootstrap. The analysis itself is `crate::drivers`.

use crate::schema::{Method, Schema};

/// `[drivers]`, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct DriverSettings {
    /// Outcome indicators (schema indices).
    pub outcomes: Vec<usize>,
    /// Driver indicators; `None` = every theme scored from agreement questions except the
    /// outcome (and indices such as engagement, which are outcomes themselves).
    pub drivers: Option<Vec<usize>>,
    /// Smallest group (respondents with every score) analysed.
    pub min_respondents: u64,
    /// Bootstrap draws for each share's interval.
    pub bootstrap: usize,
    pub seed: u64,
}

pub const DEFAULT_OUTCOMES: [&str; 2] = ["engagement", "officer_member_trust"];
pub const DEFAULT_MIN_RESPONDENTS: u64 = 100;
pub const DEFAULT_BOOTSTRAP: usize = 200;
/// The most bootstrap draws accepted: a run must end in minutes, not hours.
pub const MAX_BOOTSTRAP: usize = 10_000;
pub const DEFAULT_SEED: u64 = 20_251_001;

/// The drivers of an outcome: the configured ones, or every theme scored per respondent from
/// agreement questions but the outcome (and indices, which are outcomes themselves).
pub fn drivers_of(schema: &Schema, s: &DriverSettings, outcome: usize) -> Vec<usize> {
    match &s.drivers {
        Some(d) => d.iter().copied().filter(|&i| i != outcome).collect(),
        None => (0..schema.indicators.len())
            .filter(|&i| {
                i != outcome
                    && schema.scored_per_respondent(i)
                    && schema.indicators[i].method != Method::Index0To100
            })
            .collect(),
    }
}
