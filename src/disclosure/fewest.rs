//! The fewest cells to withhold so that every line keeps what it hides: an integer program
//! (τ-ARGUS `OPT`'s idea, on the line rules alone), solved exactly for a family's part; the
//! attacker then checks the result and `repair` adds what the lines alone do not cover.
//!
//! In a line whose total is published, the withheld non-empty cells must be none, or at
//! least two holding at least `k` together. With `H` the cells already withheld and `x` a
//! 0/1 choice per published candidate: a line with some `H` needs `Σx ≥ 2 − |H|` and
//! `Σ n·x ≥ k − Σ_H n`; a line with none needs, through a 0/1 `y`, `x ≤ y`, `Σx ≥ 2y` and
//! `Σ n·x ≥ k·y`. Each withheld cell costs one figure plus its share of the family's
//! respondents (so fewer figures first, then fewer respondents), many times more for a
//! breakdown to hide last.

use super::Suppression;
use super::repair::Part;
use microlp::{ComparisonOp, LinearExpr, OptimizationDirection, Problem, SolveOptions, Variable};

/// Branch-and-bound nodes before the best choice found so far is taken (a count, not a
/// time, so the same inputs always give the same tables).
const NODES: u64 = 2_000;

/// How much more a cell of the breakdown hidden last costs.
const LAST: f64 = 1_000.0;

/// What a withheld cell costs: one figure, plus its respondents as a share of the family's
/// (less than one more figure), many times that for a breakdown hidden last.
pub(super) fn cost(part: &Part, i: usize) -> f64 {
    let whole = part.keys.iter().map(|c| c.2).max().unwrap_or(0) as f64;
    let c = 1.0 + part.keys[i].2 as f64 / (1.0 + whole);
    if part.hide_last == Some(part.keys[i].0) {
        c * LAST
    } else {
        c
    }
}

/// The cheapest set of published cells (among those `allowed`, never empty ones) to withhold
/// so that every line with a published total keeps what it hides, given what `d` withholds,
/// that withholds at least one cell of each of `cuts` (the attacker's: one more line-mate of
/// a cell it pinned, or one more cell than a choice it found wanting), and, if `below`,
/// costs at most that; `None` if no choice can, or the solver gave up.
pub(super) fn fewest(
    part: &Part,
    d: &[Option<Suppression>],
    k: u32,
    allowed: &dyn Fn(usize) -> bool,
    cuts: &[Vec<usize>],
    below: Option<f64>,
) -> Option<Vec<usize>> {
    let k = f64::from(k);
    let n = |i: usize| part.keys[i].2 as f64;
    let free = |i: usize| d[i].is_none() && part.keys[i].2 > 0 && allowed(i);
    let mut p = Problem::new(OptimizationDirection::Minimize);
    let mut x: Vec<Option<Variable>> = vec![None; d.len()];
    let mut any = false;
    for (t, parts) in &part.lines {
        if d[*t].is_some() || !parts.iter().any(|&i| allowed(i)) {
            continue;
        }
        let held: Vec<usize> = parts
            .iter()
            .copied()
            .filter(|&i| d[i].is_some() && part.keys[i].2 > 0)
            .collect();
        let open: Vec<usize> = parts.iter().copied().filter(|&i| free(i)).collect();
        for &i in &open {
            if x[i].is_none() {
                x[i] = Some(p.add_binary_var(cost(part, i)));
            }
        }
        let sum = |w: &dyn Fn(usize) -> f64| {
            let mut e = LinearExpr::empty();
            for &i in &open {
                e.add(x[i].expect("added"), w(i));
            }
            e
        };
        if held.is_empty() {
            if open.len() < 2 {
                continue;
            }
            let y = p.add_binary_var(0.0);
            for &i in &open {
                p.add_constraint(
                    [(x[i].expect("added"), 1.0), (y, -1.0)],
                    ComparisonOp::Le,
                    0.0,
                );
            }
            let mut two = sum(&|_| 1.0);
            two.add(y, -2.0);
            p.add_constraint(two, ComparisonOp::Ge, 0.0);
            let mut enough = sum(&n);
            enough.add(y, -k);
            p.add_constraint(enough, ComparisonOp::Ge, 0.0);
            continue;
        }
        let need = 2.0 - held.len() as f64;
        let short = k - held.iter().map(|&i| n(i)).sum::<f64>();
        if need > open.len() as f64 || short > open.iter().map(|&i| n(i)).sum::<f64>() {
            return None;
        }
        if need > 0.0 {
            p.add_constraint(sum(&|_| 1.0), ComparisonOp::Ge, need);
            any = true;
        }
        if short > 0.0 {
            p.add_constraint(sum(&n), ComparisonOp::Ge, short);
            any = true;
        }
    }
    for cut in cuts {
        if cut.iter().any(|&i| d[i].is_some()) {
            continue;
        }
        let open: Vec<usize> = cut.iter().copied().filter(|&i| free(i)).collect();
        if open.is_empty() {
            return None;
        }
        let mut e = LinearExpr::empty();
        for &i in &open {
            let v = *x[i].get_or_insert_with(|| p.add_binary_var(cost(part, i)));
            e.add(v, 1.0);
        }
        p.add_constraint(e, ComparisonOp::Ge, 1.0);
        any = true;
    }
    if let Some(below) = below {
        let mut e = LinearExpr::empty();
        for (i, v) in x.iter().enumerate() {
            if let Some(v) = v {
                e.add(*v, cost(part, i));
            }
        }
        p.add_constraint(e, ComparisonOp::Le, below);
    }
    if !any {
        return Some(Vec::new());
    }
    solve(&p, &x)
}

/// The chosen cells, or `None` when the solver found no choice within its node budget.
fn solve(p: &Problem, x: &[Option<Variable>]) -> Option<Vec<usize>> {
    let mut options = SolveOptions::default();
    options.node_limit = Some(NODES);
    let run = || match p.solve_with(options) {
        Ok(s)
            if matches!(
                s.status(),
                microlp::Status::Optimal | microlp::Status::Feasible
            ) =>
        {
            Some(
                (0..x.len())
                    .filter(|&i| x[i].is_some_and(|v| s.var_value(v) > 0.5))
                    .collect(),
            )
        }
        _ => None,
    };
    // The solver is young: a panic inside it must not stop a run.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(run))
        .ok()
        .flatten()
}
