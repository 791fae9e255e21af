//! How the council compares: each mapped question and indicator of the latest wave against
//! its external benchmark (e.g. the Civil Service median), and — when one export holds several
//! organisations — each organisation against the others and against the median of their
//! published figures, which is how the Civil Service benchmark itself is made.
//!
//! Only published figures take part: a withheld organisation's row keeps the benchmark but
//! withholds its own figure and the difference, and the median of organisations is taken over
//! published figures only, so no hidden figure enters it.

use crate::config::WaveId;
use crate::disclosure::{Protected, ProtectedTables, Suppression};
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

/// Where the benchmark sits relative to the council's interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// The benchmark is below the interval's lower end and higher is better (or above the
    /// upper end and lower is better).
    Better,
    Worse,
    /// The benchmark lies within the council figure's 95% interval.
    Similar,
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

    pub fn standing(&self, schema: &Schema) -> Option<Standing> {
        let d = self.difference()?;
        if !self.outside_interval()? {
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

impl Published for Protected<crate::indicators::derive::ItemStats> {
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

impl Published for Protected<crate::indicators::derive::IndicatorStats> {
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
            benchmarks,
            year,
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
            benchmarks,
            year,
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
    benchmarks: &Benchmarks,
    year: i32,
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
