//! How the council compares: each mapped question and indicator of the latest wave against
//! its external benchmark (e.g. the Civil Service median), and — when one export holds several
//! organisations — each organisation against the others and against the median of their
//! published figures, which is how the Civil Service benchmark itself is made.
//!
//! Only published figures take part: a withheld organisation's row keeps the benchmark but
//! withholds its own figure and the difference, and the median of organisations is taken over
//! published figures only, so no hidden figure enters it.

use crate::disclosure::{Protected, ProtectedTables, Suppression};
use crate::ids::WaveId;
use crate::import::benchmarks::{BenchmarkValue, Benchmarks};
use crate::indicators::{Breakdown, Group};
use crate::schema::Schema;
use crate::stats;

use super::Measure;

/// What a figure is compared with.
#[derive(Debug, Clone, PartialEq)]
pub enum Against {
    /// A published external value.
    External(BenchmarkValue),
    /// The median of the organisations' published figures in this export.
    OrganisationMedian { value: f64, organisations: usize },
}

impl Against {
    pub fn value(&self) -> f64 {
        match self {
            Against::External(b) => b.value,
            Against::OrganisationMedian { value, .. } => *value,
        }
    }
}

/// Where the benchmark sits relative to the council's figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// The figure differs from the benchmark by at least the practical margin in the
    /// favourable direction, and the benchmark lies outside the figure's 95% interval.
    Better,
    Worse,
    /// Within the margin, or the benchmark within the figure's 95% interval.
    Similar,
}

/// Where the council's figure falls among the organisations behind a benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Band {
    /// Below the organisations' lower quartile (percentile under 25).
    LowestQuarter,
    MiddleHalf,
    /// Above the upper quartile (percentile over 75): a "high performer".
    HighestQuarter,
}

impl Band {
    pub fn code(self) -> &'static str {
        match self {
            Band::LowestQuarter => "lowest_quarter",
            Band::MiddleHalf => "middle_half",
            Band::HighestQuarter => "highest_quarter",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Band::LowestQuarter => "lowest quarter",
            Band::MiddleHalf => "middle half",
            Band::HighestQuarter => "highest quarter (high performer)",
        }
    }

    /// The band of a percentile (0–100) where higher scores are better: bands are by score, so
    /// for a measure where lower is better the highest quarter of scores is the worst.
    pub fn of(percentile: f64) -> Band {
        if percentile < 25.0 {
            Band::LowestQuarter
        } else if percentile > 75.0 {
            Band::HighestQuarter
        } else {
            Band::MiddleHalf
        }
    }
}

/// The council's percentile among organisations' scores (sorted or not): the share scoring
/// below it plus half of those scoring the same, in percent (mid-rank). The council's figure is
/// first rounded to whole points, as the organisations' published scores are, so it is
/// compared at the precision they were published with.
pub fn percentile(value: f64, organisations: &[f64]) -> Option<f64> {
    if organisations.is_empty() || !value.is_finite() {
        return None;
    }
    let v = value.round();
    let below = organisations.iter().filter(|&&o| o < v).count() as f64;
    let same = organisations.iter().filter(|&&o| o == v).count() as f64;
    Some(100.0 * (below + 0.5 * same) / organisations.len() as f64)
}

impl Standing {
    pub fn code(self) -> &'static str {
        match self {
            Standing::Better => "better",
            Standing::Worse => "worse",
            Standing::Similar => "similar",
        }
    }
}

/// The council's (or one organisation's) published figure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figure {
    pub value: f64,
    pub ci: Option<(f64, f64)>,
}

/// One comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchmarkComparison {
    pub wave: WaveId,
    pub measure: Measure,
    pub breakdown: Breakdown,
    pub group: Group,
    pub n: Option<u64>,
    /// `None` when withheld (see `suppression`) or not computable.
    pub figure: Option<Figure>,
    pub suppression: Option<Suppression>,
    pub against: Against,
    /// The organisations' scores behind an external benchmark, sorted (where a file gives
    /// them): the council's percentile and quartile band among them.
    pub spread: Option<Vec<f64>>,
    /// The practical margin a difference must reach for `better` or `worse`, in points.
    pub margin: f64,
}

impl BenchmarkComparison {
    /// Council minus benchmark, in the figure's units (percentage points for percentages).
    pub fn difference(&self) -> Option<f64> {
        self.figure.map(|f| f.value - self.against.value())
    }

    /// Whether the benchmark lies outside the figure's 95% interval.
    pub fn outside_interval(&self) -> Option<bool> {
        let (lo, hi) = self.figure?.ci?;
        let b = self.against.value();
        Some(b < lo || b > hi)
    }

    /// The council's percentile among the organisations (external benchmarks with a spread).
    pub fn percentile(&self) -> Option<f64> {
        percentile(self.figure?.value, self.spread.as_deref()?)
    }

    pub fn band(&self) -> Option<Band> {
        self.percentile().map(Band::of)
    }

    pub fn standing(&self, schema: &Schema) -> Option<Standing> {
        let d = self.difference()?;
        if !self.outside_interval()? || d.abs() < self.margin {
            return Some(Standing::Similar);
        }
        let good = (d > 0.0) == self.measure.higher_is_better(schema);
        Some(if good {
            Standing::Better
        } else {
            Standing::Worse
        })
    }
}

/// A published cell's figure, if published.
trait Published {
    fn figure(&self) -> Option<Figure>;
}

impl Published for Protected<crate::indicators::statistics::ItemStats> {
    fn figure(&self) -> Option<Figure> {
        if self.suppression.is_some() {
            return None;
        }
        let s = self.stats.as_ref()?;
        Some(Figure {
            value: s.counts.pct_positive()?,
            ci: s.ci_positive,
        })
    }
}

impl Published for Protected<crate::indicators::statistics::IndicatorStats> {
    fn figure(&self) -> Option<Figure> {
        if self.suppression.is_some() {
            return None;
        }
        let s = self.stats.as_ref()?;
        Some(Figure {
            value: s.value?,
            ci: s.ci,
        })
    }
}

/// Every comparison for the latest wave (`wave`, fieldwork in `year`).
pub fn compare(
    schema: &Schema,
    tables: &ProtectedTables,
    benchmarks: &Benchmarks,
    wave: &WaveId,
    year: i32,
    organisation: Option<usize>,
    margin: f64,
) -> Vec<BenchmarkComparison> {
    let mut out = Vec::new();
    for (q, question) in schema.questions.iter().enumerate() {
        let cells: Vec<_> = tables
            .items
            .iter()
            .filter(|p| &p.wave == wave && p.measure == q)
            .collect();
        one_measure(
            Measure::Question(q),
            &question.benchmarks,
            &cells,
            (benchmarks, year, margin),
            organisation,
            &mut out,
        );
    }
    for (i, indicator) in schema.indicators.iter().enumerate() {
        let cells: Vec<_> = tables
            .indicators
            .iter()
            .filter(|p| &p.wave == wave && p.measure == i)
            .collect();
        one_measure(
            Measure::Indicator(i),
            &indicator.benchmarks,
            &cells,
            (benchmarks, year, margin),
            organisation,
            &mut out,
        );
    }
    out
}

fn one_measure<T>(
    measure: Measure,
    refs: &[crate::schema::BenchmarkRef],
    cells: &[&Protected<T>],
    (benchmarks, year, margin): (&Benchmarks, i32, f64),
    organisation: Option<usize>,
    out: &mut Vec<BenchmarkComparison>,
) where
    Protected<T>: Published,
{
    let external: Vec<&BenchmarkValue> = refs
        .iter()
        .filter_map(|r| benchmarks.for_year(r, year))
        .collect();
    let row = |p: &Protected<T>, against: Against| BenchmarkComparison {
        wave: p.wave.clone(),
        measure,
        breakdown: p.breakdown,
        group: p.group,
        n: p.n,
        figure: p.figure(),
        suppression: p.suppression,
        spread: match &against {
            Against::External(b) => benchmarks.spread(b),
            Against::OrganisationMedian { .. } => None,
        },
        margin,
        against,
    };
    if let Some(all) = cells.iter().find(|p| p.breakdown == Breakdown::Overall) {
        for b in &external {
            out.push(row(all, Against::External((*b).clone())));
        }
    }
    let Some(org) = organisation else { return };
    let orgs: Vec<&&Protected<T>> = cells
        .iter()
        .filter(|p| p.breakdown == Breakdown::Field(org) && matches!(p.group, Group::One(Some(_))))
        .collect();
    let mut published: Vec<f64> = orgs
        .iter()
        .filter_map(|p| p.figure().map(|f| f.value))
        .collect();
    published.sort_by(f64::total_cmp);
    // A median of fewer than two organisations would be one organisation's own figure.
    let median = (published.len() >= 2)
        .then(|| stats::lmg::quantile(&published, 0.5))
        .flatten();
    for p in orgs {
        for b in &external {
            out.push(row(p, Against::External((*b).clone())));
        }
        if let Some(value) = median {
            out.push(row(
                p,
                Against::OrganisationMedian {
                    value,
                    organisations: published.len(),
                },
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_counts_those_below_and_half_of_those_level_by_hand() {
        // Ten organisations; the council at 61.4 is compared as 61: three below (55, 58, 60),
        // two level (61, 61): 100 × (3 + 1) / 10 = 40.
        let orgs = [55.0, 58.0, 60.0, 61.0, 61.0, 63.0, 64.0, 66.0, 70.0, 72.0];
        assert_eq!(percentile(61.4, &orgs), Some(40.0));
        // Below everyone; above everyone.
        assert_eq!(percentile(40.0, &orgs), Some(0.0));
        assert_eq!(percentile(90.0, &orgs), Some(100.0));
        assert_eq!(percentile(61.0, &[]), None);
        assert_eq!(Band::of(24.9), Band::LowestQuarter);
        assert_eq!(Band::of(25.0), Band::MiddleHalf);
        assert_eq!(Band::of(75.0), Band::MiddleHalf);
        assert_eq!(Band::of(75.1), Band::HighestQuarter);
    }
}
