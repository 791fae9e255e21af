//! `[drivers]`: which outcomes key driver analysis explains, with which themes, for which
//! groups, and its bootstrap. The analysis itself is `crate::drivers`.

use crate::schema::toml_load::Collector;
use crate::schema::{Method, Schema};
use serde::Deserialize;

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

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDrivers {
    #[serde(default)]
    outcomes: Option<Vec<String>>,
    #[serde(default)]
    drivers: Option<Vec<String>>,
    #[serde(default)]
    min_respondents: Option<u64>,
    #[serde(default)]
    bootstrap: Option<usize>,
    #[serde(default)]
    seed: Option<u64>,
}

pub(super) fn build_drivers(
    raw: Option<RawDrivers>,
    schema: &Schema,
    threshold: u32,
    c: &mut Collector,
) -> DriverSettings {
    let configured = raw.is_some();
    let raw = raw.unwrap_or_default();
    let outcomes = match &raw.outcomes {
        Some(ids) => lookup(schema, "outcomes", ids, c),
        // By default the outcomes the board asks about, where the schema has them.
        None => DEFAULT_OUTCOMES
            .iter()
            .filter_map(|id| schema.indicator(id))
            .filter(|&i| schema.scored_per_respondent(i))
            .collect(),
    };
    let drivers = raw
        .drivers
        .as_ref()
        .map(|ids| lookup(schema, "drivers", ids, c));
    let settings = DriverSettings {
        outcomes,
        drivers,
        // Never below the anonymity threshold unless asked (and then it is refused below).
        min_respondents: raw
            .min_respondents
            .unwrap_or(DEFAULT_MIN_RESPONDENTS.max(u64::from(threshold))),
        bootstrap: raw.bootstrap.unwrap_or(DEFAULT_BOOTSTRAP),
        seed: raw.seed.unwrap_or(DEFAULT_SEED),
    };
    check(&settings, schema, threshold, configured, c);
    settings
}

/// Indicators by id, each scored per respondent from agreement questions.
fn lookup(schema: &Schema, key: &str, ids: &[String], c: &mut Collector) -> Vec<usize> {
    let mut out = Vec::new();
    for id in ids {
        match schema.indicator(id) {
            Some(i) if schema.scored_per_respondent(i) => out.push(i),
            Some(_) => c.push(
                format!("drivers.{key}"),
                format!(
                    "`{id}` is not scored from agreement questions (yes/no, 0-10 and eNPS indicators cannot take part)"
                ),
            ),
            None => c.push(
                format!("drivers.{key}"),
                format!(
                    "`{id}` is not an indicator in the schema; known: {}",
                    schema.indicator_ids()
                ),
            ),
        }
    }
    out
}

/// The settings' limits: enough respondents, a bounded bootstrap, few enough drivers.
fn check(
    settings: &DriverSettings,
    schema: &Schema,
    threshold: u32,
    configured: bool,
    c: &mut Collector,
) {
    if settings.min_respondents < u64::from(threshold).max(30) {
        c.push(
            "drivers.min_respondents",
            format!(
                "{} is too few for a regression of several themes; use at least 30 (and the anonymity threshold); the Civil Service uses 100",
                settings.min_respondents
            ),
        );
    }
    if configured && settings.bootstrap == 0 {
        c.push(
            "drivers.bootstrap",
            "0 draws gives no interval; use 200 or more (200 is the default)",
        );
    }
    if settings.bootstrap > MAX_BOOTSTRAP {
        c.push(
            "drivers.bootstrap",
            format!(
                "{} draws would run for hours; at most {} (200 is the default, and 2,000 settles the \
                 interval's second decimal)",
                settings.bootstrap,
                MAX_BOOTSTRAP
            ),
        );
    }
    for &o in &settings.outcomes {
        let n = drivers_of(schema, settings, o).len();
        if n > crate::stats::lmg::MAX_DRIVERS {
            c.push(
                "drivers",
                format!(
                    "{} has {n} drivers; an exact decomposition takes at most {}: list fewer in drivers.drivers",
                    schema.indicators[o].id,
                    crate::stats::lmg::MAX_DRIVERS
                ),
            );
        }
    }
}
