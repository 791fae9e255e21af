//! Non-response weighting: each wave's respondents raked to the wave's HR headcount on the
//! configured margins (`[weighting]`), so groups that answered less count for their share of
//! the workforce. The assumption is that, within the margins' categories, the staff who
//! answered think like those who did not.
//!
//! The weights change percentages, indices and tests; intervals and tests use Kish's effective
//! sample size n/(1 + CV²(w)). Counts, and so disclosure control, stay unweighted. Weights are
//! kept in the store beside the wave and never published per person; what is published is
//! the diagnostics below.

use crate::config::{WEIGHTING_TOLERANCE, Weighting, WeightingMethod};
use crate::ids::WaveId;
use crate::import::headcount::Headcount;
use crate::responses::{NOT_STATED, Responses};
use crate::schema::Schema;
use crate::stats::poststrat::{CellTarget, PostStratError, post_stratify};
use crate::stats::rake::{self, Margin, RakeError};

/// One category of one margin: how the respondents compare with the workforce before and
/// after weighting.
#[derive(Debug, Clone, PartialEq)]
pub struct MarginCheck {
    /// The demographic field (schema index).
    pub field: usize,
    /// The category, or `None` for respondents who did not say.
    pub category: Option<u32>,
    /// HR headcount (`None` for Not stated).
    pub population: Option<u64>,
    /// Respondents in the category (unweighted).
    pub respondents: u64,
    /// Shares among those who stated the margin, in percent.
    pub population_share: Option<f64>,
    pub unweighted_share: Option<f64>,
    pub weighted_share: Option<f64>,
}

/// Summary of one wave's weights.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WeightSummary {
    pub respondents: u64,
    pub min: f64,
    pub max: f64,
    /// Coefficient of variation of the weights.
    pub cv: f64,
    /// Kish's design effect 1 + CV².
    pub design_effect: f64,
    pub effective_n: f64,
    pub iterations: usize,
    /// Largest gap between a weighted and a population share at the end (a proportion).
    pub max_error: f64,
    /// Post-stratification cells pooled with a neighbour (0 when raking).
    pub collapsed_cells: usize,
    /// Post-stratification cells of the joint table (0 when raking).
    pub cells: usize,
}

/// One wave's weights and diagnostics.
#[derive(Debug, Clone)]
pub struct WaveWeights {
    pub wave: WaveId,
    /// One per respondent, in the store's row order; they sum to the headcount.
    pub weights: Vec<f64>,
    pub margins: Vec<MarginCheck>,
    pub summary: WeightSummary,
    /// Each margin's field and respondents' categories (for the published weight range).
    codes: Vec<(usize, Vec<u32>)>,
}

impl WaveWeights {
    /// The smallest and largest weight among respondents for whom `published(field,
    /// category)` holds on every margin (`None` if there are none).
    pub fn published_range(
        &self,
        published: impl Fn(usize, Option<u32>) -> bool,
    ) -> Option<(f64, f64)> {
        let mut range: Option<(f64, f64)> = None;
        'rows: for (i, &w) in self.weights.iter().enumerate() {
            for (field, codes) in &self.codes {
                let c = codes[i];
                if !published(*field, (c != NOT_STATED).then_some(c)) {
                    continue 'rows;
                }
            }
            range = Some(range.map_or((w, w), |(lo, hi)| (lo.min(w), hi.max(w))));
        }
        range
    }
}

/// Why a wave cannot be weighted, in words an analyst can act on.
#[derive(Debug, thiserror::Error)]
#[error("weighting wave {wave}: {problem}\n  How to fix: {fix}\n  Nothing was written.")]
pub struct WeightingError {
    pub wave: WaveId,
    pub problem: String,
    pub fix: String,
}

/// Rake one wave's respondents to its headcount's margins.
pub fn weigh(
    schema: &Schema,
    cfg: &Weighting,
    wave: &WaveId,
    hc: Option<&Headcount>,
    r: &Responses,
) -> Result<WaveWeights, WeightingError> {
    let fail = |problem: String, fix: String| WeightingError {
        wave: wave.clone(),
        problem,
        fix,
    };
    let Some(hc) = hc else {
        return Err(fail(
            "the wave has no HR headcount file".into(),
            "add `headcount = \"...\"` to the wave in the config".into(),
        ));
    };
    let label = |d: usize| schema.demographics[d].label.as_str();
    let mut targets: Vec<Vec<f64>> = Vec::new();
    let mut codes: Vec<&[u32]> = Vec::new();
    let mut positions: Vec<usize> = Vec::new();
    for &d in &cfg.margins {
        let Some(pos) = hc.fields.iter().position(|&f| f == d) else {
            return Err(fail(
                format!(
                    "{} has no `{}` column, so there is no headcount to weight {} to",
                    hc.file.display(),
                    schema.demographics[d].id,
                    label(d).to_lowercase()
                ),
                format!(
                    "add the column to the headcount file, or take `{}` out of weighting.margins",
                    schema.demographics[d].id
                ),
            ));
        };
        let Some(col) = r.fields[d].as_deref() else {
            return Err(fail(
                format!(
                    "the wave's export does not map `{}`, so respondents cannot be placed on that margin",
                    schema.demographics[d].id
                ),
                format!(
                    "map the column in the wave's [waves.columns], or take `{}` out of weighting.margins",
                    schema.demographics[d].id
                ),
            ));
        };
        let mut t = vec![0.0; schema.demographics[d].categories.len()];
        for (key, n) in &hc.cells {
            if let Some(slot) = t.get_mut(key[pos] as usize) {
                *slot += *n as f64;
            }
        }
        targets.push(t);
        codes.push(col);
        positions.push(pos);
    }
    let made = match cfg.method {
        WeightingMethod::Rake => {
            rake_margins(schema, cfg, &codes, &targets, r.rows).map_err(|(p, f)| fail(p, f))?
        }
        WeightingMethod::Cells { min_cell } => cells(
            schema, cfg, hc, &positions, &codes, &targets, r.rows, min_cell,
        )
        .map_err(|(p, f)| fail(p, f))?,
    };
    finish(cfg, wave, made, &codes, &targets, r.rows)
}

/// Weights as made by a method, before the diagnostics.
struct Made {
    weights: Vec<f64>,
    iterations: usize,
    max_error: Option<f64>,
    collapsed_cells: usize,
    cells: usize,
}

/// A block of cells in words: its categories on every margin but the last.
fn block_name(schema: &Schema, cfg: &Weighting, sizes: &[usize], block: usize) -> String {
    let mut rest = block;
    let mut parts = Vec::new();
    for (m, &size) in sizes.iter().enumerate().take(sizes.len() - 1).rev() {
        let d = cfg.margins[m];
        parts.push(schema.demographics[d].categories[rest % size].clone());
        rest /= size;
    }
    parts.reverse();
    if parts.is_empty() {
        "the organisation".to_string()
    } else {
        parts.join(" × ")
    }
}

/// Post-stratify to the joint table of the margins (see [`crate::stats::poststrat`]).
#[allow(clippy::too_many_arguments)]
fn cells(
    schema: &Schema,
    cfg: &Weighting,
    hc: &Headcount,
    positions: &[usize],
    codes: &[&[u32]],
    targets: &[Vec<f64>],
    rows: usize,
    min_cell: u64,
) -> Result<Made, (String, String)> {
    let sizes: Vec<usize> = targets.iter().map(Vec::len).collect();
    let total: usize = sizes.iter().product();
    let last = *sizes.last().unwrap_or(&1);
    let index = |cats: &[u32]| -> Option<usize> {
        cats.iter()
            .zip(&sizes)
            .try_fold(0usize, |acc, (&c, &size)| {
                ((c as usize) < size).then_some(acc * size + c as usize)
            })
    };
    let mut staff = vec![0.0; total];
    for (key, n) in &hc.cells {
        let cats: Vec<u32> = positions.iter().map(|&p| key[p]).collect();
        if let Some(i) = index(&cats) {
            staff[i] += *n as f64;
        }
    }
    let targets_cells: Vec<CellTarget> = staff
        .iter()
        .enumerate()
        .map(|(i, &s)| CellTarget {
            block: i / last.max(1),
            staff: s,
        })
        .collect();
    // Each respondent's cell, without allocating per row (None: a margin not stated).
    let cell_of: Vec<Option<usize>> = (0..rows)
        .map(|row| {
            codes
                .iter()
                .zip(&sizes)
                .try_fold(0usize, |acc, (col, &size)| {
                    let c = col[row];
                    (c != NOT_STATED && (c as usize) < size).then_some(acc * size + c as usize)
                })
        })
        .collect();
    let p = post_stratify(&cell_of, &targets_cells, min_cell).map_err(|e| match e {
        PostStratError::EmptyBlock { block } => (
            format!(
                "{} has staff in the HR file but no respondent in any {} said they work there, so no one can stand for them",
                block_name(schema, cfg, &sizes, block),
                schema.demographics[*cfg.margins.last().expect("a margin")].label.to_lowercase()
            ),
            "merge it with a neighbouring category in the schema and the HR file, or use method = \"rake\"".into(),
        ),
        PostStratError::NobodyPlaced => (
            "no respondent stated every weighting margin, so no one can be placed in a cell".into(),
            "use method = \"rake\", which weights each margin separately".into(),
        ),
    })?;
    Ok(Made {
        weights: p.weights,
        iterations: 0,
        max_error: None,
        collapsed_cells: p.collapsed,
        cells: total,
    })
}

/// Why raking failed, in words: (the problem, how to fix it).
fn rake_problem(
    schema: &Schema,
    cfg: &Weighting,
    targets: &[Vec<f64>],
    e: RakeError,
) -> (String, String) {
    let label = |d: usize| schema.demographics[d].label.as_str();
    let fail = |p: String, f: String| (p, f);
    let field = |m: usize| cfg.margins[m];
    let category = |m: usize, c: usize| schema.demographics[field(m)].categories[c].as_str();
    match e {
        RakeError::NoRespondents {
            margin,
            category: c,
        } => fail(
            format!(
                "{} `{}` has {} staff in the HR file but no respondents said they work there, so no one can stand for them",
                label(field(margin)),
                category(margin, c),
                targets[margin][c]
            ),
            format!(
                "merge `{}` with a neighbouring category in the schema and the HR file, or take `{}` out of weighting.margins",
                category(margin, c),
                schema.demographics[field(margin)].id
            ),
        ),
        RakeError::NoPopulation {
            margin,
            category: c,
        } => fail(
            format!(
                "respondents say they are in {} `{}`, which has no staff in the HR file",
                label(field(margin)).to_lowercase(),
                category(margin, c)
            ),
            "check the HR headcount file for the wave's census date".into(),
        ),
        RakeError::NothingStated { margin } => fail(
            format!(
                "no respondent answered the {} question",
                label(field(margin)).to_lowercase()
            ),
            format!(
                "take `{}` out of weighting.margins",
                schema.demographics[field(margin)].id
            ),
        ),
        RakeError::NoConvergence {
            iterations,
            max_error,
        } => fail(
            format!(
                "the margins did not fit after {iterations} raking cycles (largest gap {max_error:.2e})"
            ),
            "raise weighting.max_iterations, or use fewer margins".into(),
        ),
        RakeError::TrimInfeasible { rounds, max_error } => fail(
            format!(
                "the weights cannot stay within weighting.trim and still fit the margins (gave up after {rounds} rounds, largest gap {max_error:.2e})"
            ),
            "widen weighting.trim (e.g. [0.2, 5.0]), or use fewer margins".into(),
        ),
    }
}

/// Rake to the margins.
fn rake_margins(
    schema: &Schema,
    cfg: &Weighting,
    codes: &[&[u32]],
    targets: &[Vec<f64>],
    rows: usize,
) -> Result<Made, (String, String)> {
    let margins: Vec<Margin> = codes
        .iter()
        .zip(targets)
        .map(|(c, t)| Margin {
            codes: c,
            targets: t.clone(),
        })
        .collect();
    let raked = rake::rake(
        rows,
        &margins,
        cfg.trim,
        WEIGHTING_TOLERANCE,
        cfg.max_iterations,
    )
    .map_err(|e| rake_problem(schema, cfg, targets, e))?;
    Ok(Made {
        weights: raked.weights,
        iterations: raked.iterations,
        max_error: Some(raked.max_error),
        collapsed_cells: 0,
        cells: 0,
    })
}

/// The diagnostics of a wave's weights, whatever made them.
fn finish(
    cfg: &Weighting,
    wave: &WaveId,
    made: Made,
    codes: &[&[u32]],
    targets: &[Vec<f64>],
    rows: usize,
) -> Result<WaveWeights, WeightingError> {
    let weights = made.weights;
    let mut checks = Vec::new();
    let mut gap = 0.0f64;
    for ((&d, t), col) in cfg.margins.iter().zip(targets).zip(codes) {
        let cats = t.len();
        let (mut n, mut w) = (vec![0u64; cats + 1], vec![0.0f64; cats + 1]);
        for (&c, &wi) in col.iter().zip(&weights) {
            let k = if c == NOT_STATED { cats } else { c as usize };
            n[k] += 1;
            w[k] += wi;
        }
        let (pop_total, n_stated, w_stated): (f64, u64, f64) = (
            t.iter().sum(),
            n[..cats].iter().sum(),
            w[..cats].iter().sum(),
        );
        let share = |x: f64, total: f64| (total > 0.0).then(|| 100.0 * x / total);
        for c in 0..cats {
            if let (Some(p), Some(w)) = (share(t[c], pop_total), share(w[c], w_stated)) {
                gap = gap.max((p - w).abs() / 100.0);
            }
            checks.push(MarginCheck {
                field: d,
                category: Some(c as u32),
                population: Some(t[c] as u64),
                respondents: n[c],
                population_share: share(t[c], pop_total),
                unweighted_share: share(n[c] as f64, n_stated as f64),
                weighted_share: share(w[c], w_stated),
            });
        }
        if n[cats] > 0 {
            checks.push(MarginCheck {
                field: d,
                category: None,
                population: None,
                respondents: n[cats],
                population_share: None,
                unweighted_share: None,
                weighted_share: None,
            });
        }
    }
    let count = weights.len() as f64;
    let mean = weights.iter().sum::<f64>() / count.max(1.0);
    let var = weights.iter().map(|w| (w - mean).powi(2)).sum::<f64>() / count.max(1.0);
    let summary = WeightSummary {
        respondents: rows as u64,
        min: weights.iter().copied().fold(f64::INFINITY, f64::min),
        max: weights.iter().copied().fold(0.0, f64::max),
        cv: if mean > 0.0 { var.sqrt() / mean } else { 0.0 },
        design_effect: rake::design_effect(&weights).unwrap_or(1.0),
        effective_n: rake::effective_n(weights.iter().sum(), weights.iter().map(|w| w * w).sum())
            .unwrap_or(0.0),
        iterations: made.iterations,
        max_error: made.max_error.unwrap_or(gap),
        collapsed_cells: made.collapsed_cells,
        cells: made.cells,
    };
    Ok(WaveWeights {
        wave: wave.clone(),
        weights,
        margins: checks,
        summary,
        codes: cfg
            .margins
            .iter()
            .zip(codes)
            .map(|(&d, c)| (d, c.to_vec()))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Schema {
        crate::schema::testing::schema(
            r#"
[[questions]]
id = "Q1"
text = "Q1"
type = "likert"
scale = "agree5"

[[demographics]]
id = "dir"
label = "Directorate"
categories = ["A", "B"]

[[demographics]]
id = "grade"
label = "Grade"
categories = ["Low", "High"]
"#,
        )
    }

    fn responses(s: &Schema, dir: Vec<u32>, grade: Vec<u32>) -> Responses {
        let mut r = Responses::new(s, dir.len());
        r.fields[0] = Some(dir);
        r.fields[1] = Some(grade);
        r
    }

    fn headcount(cells: Vec<(Vec<u32>, u64)>) -> Headcount {
        Headcount {
            file: "hr.csv".into(),
            fields: vec![0, 1],
            cells,
        }
    }

    #[test]
    fn weights_reproduce_the_headcount_margins_and_report_how() {
        let s = schema();
        // Directorate A: 60 staff, B: 40; Low: 70, High: 30. Respondents lean to A and High.
        let hc = headcount(vec![
            (vec![0, 0], 40),
            (vec![0, 1], 20),
            (vec![1, 0], 30),
            (vec![1, 1], 10),
        ]);
        let r = responses(
            &s,
            vec![0, 0, 0, 0, 0, 0, 1, 1, 1, NOT_STATED],
            vec![0, 1, 1, 1, 0, 1, 0, 0, 1, 0],
        );
        let cfg = Weighting {
            method: WeightingMethod::Rake,
            margins: vec![0, 1],
            trim: None,
            max_iterations: 1000,
        };
        let w = weigh(&s, &cfg, &WaveId::from("2025"), Some(&hc), &r).unwrap();
        assert!((w.weights.iter().sum::<f64>() - 100.0).abs() < 1e-6);
        let dir_a = w
            .margins
            .iter()
            .find(|m| m.field == 0 && m.category == Some(0))
            .unwrap();
        assert_eq!((dir_a.population, dir_a.respondents), (Some(60), 6));
        assert!((dir_a.weighted_share.unwrap() - 60.0).abs() < 1e-6);
        assert!((dir_a.unweighted_share.unwrap() - 66.666_666_666).abs() < 1e-6);
        // The respondent who did not give a directorate is listed, without shares.
        let ns = w
            .margins
            .iter()
            .find(|m| m.field == 0 && m.category.is_none())
            .unwrap();
        assert_eq!((ns.respondents, ns.weighted_share), (1, None));
        let high = w
            .margins
            .iter()
            .find(|m| m.field == 1 && m.category == Some(1))
            .unwrap();
        assert!((high.weighted_share.unwrap() - 30.0).abs() < 1e-6);
        assert!(w.summary.design_effect > 1.0 && w.summary.max_error <= 1e-9);
        assert!(w.summary.min > 0.0 && w.summary.max > w.summary.min);
    }

    #[test]
    fn a_category_nobody_answered_from_is_a_clear_error() {
        let s = schema();
        let hc = headcount(vec![(vec![0, 0], 40), (vec![1, 0], 30)]);
        let r = responses(&s, vec![0, 0, 0], vec![0, 0, 0]);
        let cfg = Weighting {
            method: WeightingMethod::Rake,
            margins: vec![0],
            trim: None,
            max_iterations: 1000,
        };
        let e = weigh(&s, &cfg, &WaveId::from("2025"), Some(&hc), &r)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("Directorate `B` has 30 staff in the HR file but no respondents said they work there"),
            "{e}"
        );
        assert!(e.contains("How to fix: merge `B`"), "{e}");
    }
}
