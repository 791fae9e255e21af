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
/// a cell it pinned, or one more cell beside a choice it found wanting), and, if `below`,
/// costs at most that; `None` if no choice can, or the solver gave up.
pub(super) fn fewest(
    part: &Part,
    d: &[Option<Suppression>],
    k: u32,
    allowed: &dyn Fn(usize) -> bool,
    cuts: &[Vec<usize>],
    below: Option<f64>,
) -> Option<Vec<usize>> {
    let mut program = Program {
        part,
        d,
        k: f64::from(k),
        p: Problem::new(OptimizationDirection::Minimize),
        x: vec![None; d.len()],
        binding: false,
    };
    for (t, parts) in &part.lines {
        if d[*t].is_none() && parts.iter().any(|&i| allowed(i)) {
            program.line(parts, allowed)?;
        }
    }
    for cut in cuts {
        program.cut(cut, allowed)?;
    }
    if let Some(below) = below {
        program.at_most(below);
    }
    if !program.binding {
        return Some(Vec::new());
    }
    solve(&program.p, &program.x)
}

/// The integer program being built: a 0/1 variable per candidate cell.
struct Program<'a> {
    part: &'a Part,
    d: &'a [Option<Suppression>],
    k: f64,
    p: Problem,
    x: Vec<Option<Variable>>,
    /// Whether a constraint needs some cell withheld (else withholding none is the answer).
    binding: bool,
}

impl Program<'_> {
    fn n(&self, i: usize) -> f64 {
        self.part.keys[i].2 as f64
    }

    /// Cell `i`'s variable, made on first use.
    fn var(&mut self, i: usize) -> Variable {
        let part = self.part;
        let p = &mut self.p;
        *self.x[i].get_or_insert_with(|| p.add_binary_var(cost(part, i)))
    }

    /// The published, non-empty, allowed cells of `cells`: the candidates.
    fn open(&self, cells: &[usize], allowed: &dyn Fn(usize) -> bool) -> Vec<usize> {
        cells
            .iter()
            .copied()
            .filter(|&i| self.d[i].is_none() && self.part.keys[i].2 > 0 && allowed(i))
            .collect()
    }

    /// Σ w(i)·x_i over `cells`.
    fn sum(&mut self, cells: &[usize], w: &dyn Fn(f64) -> f64) -> LinearExpr {
        let mut e = LinearExpr::empty();
        for &i in cells {
            let v = self.var(i);
            e.add(v, w(self.n(i)));
        }
        e
    }

    /// One line with a published total: `None` if it cannot be kept.
    fn line(&mut self, parts: &[usize], allowed: &dyn Fn(usize) -> bool) -> Option<()> {
        let held: Vec<usize> = parts
            .iter()
            .copied()
            .filter(|&i| self.d[i].is_some() && self.part.keys[i].2 > 0)
            .collect();
        let open = self.open(parts, allowed);
        if held.is_empty() {
            // Nothing withheld yet: withholding any means withholding two holding k.
            if open.len() >= 2 {
                let y = self.p.add_binary_var(0.0);
                for &i in &open {
                    let v = self.var(i);
                    self.p
                        .add_constraint([(v, 1.0), (y, -1.0)], ComparisonOp::Le, 0.0);
                }
                let mut two = self.sum(&open, &|_| 1.0);
                two.add(y, -2.0);
                self.p.add_constraint(two, ComparisonOp::Ge, 0.0);
                let mut enough = self.sum(&open, &|n| n);
                enough.add(y, -self.k);
                self.p.add_constraint(enough, ComparisonOp::Ge, 0.0);
            }
            return Some(());
        }
        let need = 2.0 - held.len() as f64;
        let short = self.k - held.iter().map(|&i| self.n(i)).sum::<f64>();
        let room: f64 = open.iter().map(|&i| self.n(i)).sum();
        if need > open.len() as f64 || short > room {
            return None;
        }
        if need > 0.0 {
            let e = self.sum(&open, &|_| 1.0);
            self.p.add_constraint(e, ComparisonOp::Ge, need);
            self.binding = true;
        }
        if short > 0.0 {
            let e = self.sum(&open, &|n| n);
            self.p.add_constraint(e, ComparisonOp::Ge, short);
            self.binding = true;
        }
        Some(())
    }

    /// At least one of `cut` withheld (nothing to add if one already is).
    fn cut(&mut self, cut: &[usize], allowed: &dyn Fn(usize) -> bool) -> Option<()> {
        if cut.iter().any(|&i| self.d[i].is_some()) {
            return Some(());
        }
        let open = self.open(cut, allowed);
        if open.is_empty() {
            return None;
        }
        let e = self.sum(&open, &|_| 1.0);
        self.p.add_constraint(e, ComparisonOp::Ge, 1.0);
        self.binding = true;
        Some(())
    }

    /// The cells chosen cost at most `below`.
    fn at_most(&mut self, below: f64) {
        let mut e = LinearExpr::empty();
        for (i, v) in self.x.iter().enumerate() {
            if let Some(v) = v {
                e.add(*v, cost(self.part, i));
            }
        }
        self.p.add_constraint(e, ComparisonOp::Le, below);
    }
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
