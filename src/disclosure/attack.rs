//! The differencing attacker: what a reader could work out about withheld figures from
//! everything published beside them, by linear programming.
//!
//! A *family* is one table's cells for one wave and one measure (an item's answer counts, an
//! indicator's respondents, the response counts...). Each cell has `K` non-negative counts
//! (positive, neutral, negative for an item; one count elsewhere) and its size `n` is their
//! sum. The attacker knows:
//! - every published cell's counts;
//! - every *line*: a total equals the sum of its parts, count by count (the whole
//!   organisation = the groups of a field; a one-way group = its row or column of a cross);
//! - each withheld cell's reason: primary means `n` is below the threshold, any other
//!   reason means it is at least the threshold;
//! - an upper bound on a withheld cell's `n` where one is published (its respondents).
//!
//! For every withheld cell it asks the smallest and largest value each count, the size, and
//! the size less each count ("everyone answered the same") can take. A value with no room
//! (the smallest equals the largest) is recovered: a leak. Values that already differ
//! between two feasible solutions found on the way are not solved for again, so most
//! figures cost no linear program of their own.

use microlp::{ComparisonOp, LinearExpr, OptimizationDirection, Problem, Variable};

/// What a withheld cell's published reason says about its size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// Primary: fewer than the threshold.
    Below,
    /// Secondary: at least the threshold (it was hidden to protect another figure).
    AtLeast,
    /// Nothing (e.g. a wave too small for any breakdown).
    Any,
    /// Not a figure of its own but a sum of others the lines need (a merged category's
    /// total): nothing told, and never a target.
    Sum,
}

/// One cell of a family.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// The published counts (`K` of them), or `None` when withheld.
    pub published: Option<Vec<f64>>,
    /// What the reader knows about a withheld cell's size from its reason.
    pub size: Size,
    /// A published upper bound on `n` (e.g. the group's respondents).
    pub upper: Option<f64>,
}

/// A family: cells, lines (total, parts), and the number of counts per cell.
#[derive(Debug, Clone, Default)]
pub struct Family {
    pub counts: usize,
    pub cells: Vec<Cell>,
    pub lines: Vec<(usize, Vec<usize>)>,
    /// Every cell's true counts, when the one attacking is the one protecting (empty when
    /// not known, as for `audit`): one solution known from the start, so a figure is shown
    /// to have room by any other solution with a different value. What is pinned is the
    /// same either way; it is found with fewer programs.
    pub truth: Vec<Vec<f64>>,
}

/// What a recovered value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Figure {
    /// One of the cell's counts (by position).
    Count(usize),
    /// The cell's size.
    Size,
    /// The size less one count: 0 means every member gave that answer.
    AllBut(usize),
}

/// A withheld value the attacker pins down.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Leak {
    pub cell: usize,
    pub figure: Figure,
    pub value: f64,
}

/// The outcome of an attack on a family.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    pub leaks: Vec<Leak>,
    /// The published figures contradict each other (no solution): nothing can be said.
    pub inconsistent: bool,
    /// Linear programs solved.
    pub programs: usize,
}

/// A linear expression: (variable, coefficient) pairs.
type Terms = Vec<(usize, f64)>;
/// A constraint: terms, comparison, right-hand side.
type Constraint = (Terms, ComparisonOp, f64);

/// Values closer than this are equal (counts are whole numbers).
const PIN: f64 = 0.5;

/// Programs in random directions solved first; their solutions rule out most figures.
const SEED_PROGRAMS: usize = 2;

/// Attack one family with threshold `k`.
pub fn attack(f: &Family, k: u32) -> Outcome {
    attack_near(f, k, None, false)
}

/// [`attack`] on only the withheld cells that share a line with one of `near` (and those
/// solved with them), or on all of them when `near` is `None`: after one cell of a family
/// the attacker found nothing in is published, only the figures beside it can change. With
/// `first`, it stops at the first cell with a figure pinned (enough to know it is not safe).
pub fn attack_near(f: &Family, k: u32, near: Option<&[usize]>, first: bool) -> Outcome {
    let mut out = Outcome::default();
    if f.cells.iter().all(|c| c.published.is_some()) {
        return out;
    }
    let touched = |members: &[usize]| {
        near.is_none_or(|near| {
            f.lines.iter().any(|(t, parts)| {
                let on = |c: &usize| *c == *t || parts.contains(c);
                near.iter().any(on) && members.iter().any(on)
            })
        })
    };
    let (none_above, all_above) = implied_from_above(f);
    for members in components(f).into_iter().filter(|m| touched(m)) {
        let (part, keep) = sub_family(f, &members);
        let none: Vec<Vec<bool>> = keep.iter().map(|&c| none_above[c].clone()).collect();
        let all: Vec<Vec<bool>> = keep.iter().map(|&c| all_above[c].clone()).collect();
        let o = attack_part(&part, k, (&none, &all), first);
        out.programs += o.programs;
        out.inconsistent |= o.inconsistent;
        out.leaks.extend(o.leaks.into_iter().map(|l| Leak {
            cell: keep[l.cell],
            ..l
        }));
        if first && !out.leaks.is_empty() {
            break;
        }
    }
    out.leaks.sort_by_key(|l| l.cell);
    out
}

/// A flag per cell and count.
type PerCount = Vec<Vec<bool>>;

/// What a published group says of every group inside it is not a leak of the inner group:
/// if a published group has none of a count (no one in it answered that way), or every member
/// in one count, so has every group inside it (a yes/no question has no neutral answers; "0
/// of 60 senior managers" covers each directorate's senior managers). Whether such a
/// published figure may stand is the attribute rule's business. Returns, per cell and count,
/// (none above, all above).
fn implied_from_above(f: &Family) -> (PerCount, PerCount) {
    let mut none_above = vec![vec![false; f.counts]; f.cells.len()];
    let mut all_above = vec![vec![false; f.counts]; f.cells.len()];
    loop {
        let mut changed = false;
        for (t, parts) in &f.lines {
            for j in 0..f.counts {
                let (none, all) = match &f.cells[*t].published {
                    Some(v) => (
                        v[j] == 0.0 || none_above[*t][j],
                        (v.iter().sum::<f64>() - v[j] == 0.0 && v[j] > 0.0) || all_above[*t][j],
                    ),
                    None => (none_above[*t][j], all_above[*t][j]),
                };
                for &p in parts {
                    if none && !none_above[p][j] {
                        none_above[p][j] = true;
                        changed = true;
                    }
                    if all && !all_above[p][j] {
                        all_above[p][j] = true;
                        changed = true;
                    }
                }
            }
        }
        if !changed {
            return (none_above, all_above);
        }
    }
}

/// Withheld cells that share a line are solved together; groups of them that share none are
/// independent programs (smaller, so much faster).
fn components(f: &Family) -> Vec<Vec<usize>> {
    let mut root: Vec<usize> = (0..f.cells.len()).collect();
    fn find(root: &mut [usize], mut i: usize) -> usize {
        while root[i] != i {
            root[i] = root[root[i]];
            i = root[i];
        }
        i
    }
    for (t, parts) in &f.lines {
        let mut first: Option<usize> = None;
        for &c in parts.iter().chain(std::iter::once(t)) {
            if f.cells[c].published.is_none() {
                match first {
                    None => first = Some(c),
                    Some(a) => {
                        let (ra, rc) = (find(&mut root, a), find(&mut root, c));
                        root[rc] = ra;
                    }
                }
            }
        }
    }
    let mut components: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for c in (0..f.cells.len()).filter(|&c| f.cells[c].published.is_none()) {
        let r = find(&mut root, c);
        components.entry(r).or_default().push(c);
    }
    components.into_values().collect()
}

/// One component's lines, with the published cells in them as constants, as a family of its
/// own; and which cell of `f` each of its cells is.
fn sub_family(f: &Family, members: &[usize]) -> (Family, Vec<usize>) {
    let lines: Vec<&(usize, Vec<usize>)> = f
        .lines
        .iter()
        .filter(|(t, parts)| members.contains(t) || parts.iter().any(|p| members.contains(p)))
        .collect();
    let mut keep: Vec<usize> = members.to_vec();
    for (t, parts) in &lines {
        keep.extend(parts.iter().chain(std::iter::once(t)));
    }
    keep.sort_unstable();
    keep.dedup();
    let at = |c: usize| keep.binary_search(&c).expect("kept");
    let part = Family {
        counts: f.counts,
        truth: if f.truth.is_empty() {
            Vec::new()
        } else {
            keep.iter().map(|&c| f.truth[c].clone()).collect()
        },
        cells: keep.iter().map(|&c| f.cells[c].clone()).collect(),
        lines: lines
            .iter()
            .map(|(t, parts)| (at(*t), parts.iter().map(|&p| at(p)).collect()))
            .collect(),
    };
    (part, keep)
}

/// A figure to bound: (cell, which figure, its terms).
type Target = (usize, Figure, Terms);

/// [`attack`] on one connected group of withheld cells, with what published groups above
/// them already say (`none_above`, `all_above`).
fn attack_part(f: &Family, k: u32, above: (&PerCount, &PerCount), first: bool) -> Outcome {
    let (none_above, all_above) = above;
    let mut out = Outcome::default();
    let hidden: Vec<usize> = (0..f.cells.len())
        .filter(|&c| f.cells[c].published.is_none())
        .collect();
    // Variable index of each withheld cell's first count.
    let mut base = vec![usize::MAX; f.cells.len()];
    for (i, &c) in hidden.iter().enumerate() {
        base[c] = i * f.counts;
    }
    let vars = hidden.len() * f.counts;
    let constraints = constraints(f, k, &hidden, &base);
    let targets = targets(f, &hidden, &base, none_above, all_above);
    let mut bounds = Bounds {
        targets: &targets,
        seen: vec![(f64::INFINITY, f64::NEG_INFINITY); targets.len()],
    };
    if !f.truth.is_empty() {
        let mut x = vec![0.0; vars];
        for &c in &hidden {
            for j in 0..f.counts {
                x[base[c] + j] = f.truth[c][j];
            }
        }
        bounds.note(&x);
    }
    let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
    if !seed_programs(vars, &constraints, &mut bounds, &mut seed, &mut out) {
        out.inconsistent = true;
        return out;
    }
    joint_rounds(vars, &constraints, &mut bounds, &mut seed, &mut out);
    for (t, target) in targets.iter().enumerate() {
        // Asked only whether anything is pinned: stop after the first cell with a leak.
        let last = out.leaks.last().map(|l| l.cell);
        if first && last.is_some_and(|c| c != target.0 && !shown_empty(&out.leaks, c)) {
            break;
        }
        bound_one(vars, &constraints, &mut bounds, t, &mut out);
        let seen = &bounds.seen;
        // A size pinned at the group's published respondents says only that every
        // respondent in the group answered: the group's size is published already.
        let at_upper = target.1 == Figure::Size
            && f.cells[target.0]
                .upper
                .is_some_and(|u| (seen[t].0 - u).abs() < PIN);
        if seen[t].1 - seen[t].0 < PIN && seen[t].0.is_finite() && !at_upper {
            out.leaks.push(Leak {
                cell: target.0,
                figure: target.1,
                value: seen[t].0.round(),
            });
        }
    }
    // A group shown to be empty gives nothing away about anyone (disclosure control does not
    // protect empty groups): its counts are all 0 because it has no members.
    let leaks = std::mem::take(&mut out.leaks);
    out.leaks = leaks
        .iter()
        .filter(|l| !shown_empty(&leaks, l.cell))
        .copied()
        .collect();
    out
}

/// Whether the attacker found cell `c` empty (its size pinned at 0).
fn shown_empty(leaks: &[Leak], c: usize) -> bool {
    leaks
        .iter()
        .any(|l| l.cell == c && l.figure == Figure::Size && l.value == 0.0)
}

/// Every line adds up, for each count; each withheld cell's size is what its reason says
/// (below k, at least k) and at most its published upper bound.
fn constraints(f: &Family, k: u32, hidden: &[usize], base: &[usize]) -> Vec<Constraint> {
    let mut constraints: Vec<Constraint> = Vec::new();
    for (total, parts) in &f.lines {
        for j in 0..f.counts {
            // Σ parts − total = 0, with published values moved to the right-hand side.
            let mut terms = Vec::new();
            let mut rhs = 0.0;
            for (c, sign) in parts
                .iter()
                .map(|&p| (p, 1.0))
                .chain(std::iter::once((*total, -1.0)))
            {
                match &f.cells[c].published {
                    Some(v) => rhs -= sign * v[j],
                    None => terms.push((base[c] + j, sign)),
                }
            }
            if !terms.is_empty() {
                constraints.push((terms, ComparisonOp::Eq, rhs));
            }
        }
    }
    for &c in hidden {
        let size: Vec<(usize, f64)> = (0..f.counts).map(|j| (base[c] + j, 1.0)).collect();
        match f.cells[c].size {
            Size::Below => constraints.push((size.clone(), ComparisonOp::Le, f64::from(k) - 1.0)),
            Size::AtLeast => constraints.push((size.clone(), ComparisonOp::Ge, f64::from(k))),
            Size::Any | Size::Sum => {}
        }
        if let Some(u) = f.cells[c].upper {
            constraints.push((size, ComparisonOp::Le, u));
        }
    }
    constraints
}

/// The figures to bound: every count, the size, and the size less each count.
fn targets(
    f: &Family,
    hidden: &[usize],
    base: &[usize],
    none_above: &[Vec<bool>],
    all_above: &[Vec<bool>],
) -> Vec<Target> {
    let mut targets: Vec<Target> = Vec::new();
    for &c in hidden.iter().filter(|&&c| f.cells[c].size != Size::Sum) {
        // With one count, the count is the size.
        for j in (0..f.counts).filter(|&j| f.counts > 1 && !none_above[c][j]) {
            targets.push((c, Figure::Count(j), vec![(base[c] + j, 1.0)]));
        }
        targets.push((
            c,
            Figure::Size,
            (0..f.counts).map(|j| (base[c] + j, 1.0)).collect(),
        ));
        if f.counts > 1 {
            for j in (0..f.counts).filter(|&j| !none_above[c][j] && !all_above[c][j]) {
                targets.push((
                    c,
                    Figure::AllBut(j),
                    (0..f.counts)
                        .filter(|&i| i != j)
                        .map(|i| (base[c] + i, 1.0))
                        .collect(),
                ));
            }
        }
    }
    targets
}

/// The lowest and highest value each target has taken in any solution so far.
struct Bounds<'t> {
    targets: &'t [Target],
    seen: Vec<(f64, f64)>,
}

impl Bounds<'_> {
    fn note(&mut self, x: &[f64]) {
        for (t, s) in self.targets.iter().zip(self.seen.iter_mut()) {
            let v = t.2.iter().map(|&(v, a)| a * x[v]).sum::<f64>();
            s.0 = s.0.min(v);
            s.1 = s.1.max(v);
        }
    }

    /// Targets no solution has moved yet.
    fn unsettled(&self) -> Vec<usize> {
        (0..self.targets.len())
            .filter(|&t| self.seen[t].1 - self.seen[t].0 < PIN)
            .collect()
    }
}

/// The next xorshift state.
fn xorshift(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

/// A few solutions in different directions first: most figures vary among them. False when
/// the published figures contradict each other (no solution).
fn seed_programs(
    vars: usize,
    constraints: &[Constraint],
    bounds: &mut Bounds,
    seed: &mut u64,
    out: &mut Outcome,
) -> bool {
    for round in 0..SEED_PROGRAMS {
        let objective: Vec<(usize, f64)> = (0..vars)
            .map(|v| {
                let s = xorshift(seed);
                let r = (s % 1000) as f64 / 1000.0 + 0.01;
                // All down, all up, then mixed directions.
                let sign = match round {
                    0 => 1.0,
                    1 => -1.0,
                    _ if s & (1 << 20) == 0 => 1.0,
                    _ => -1.0,
                };
                (v, sign * r)
            })
            .collect();
        match solve(vars, constraints, &objective) {
            Solve::Optimal(x) => {
                out.programs += 1;
                bounds.note(&x);
            }
            Solve::Infeasible => return false,
            Solve::Unbounded | Solve::Failed => out.programs += 1,
        }
    }
    true
}

/// Then many figures at once: push all the unresolved ones down together, and up, with
/// random weights; each solution settles every figure it moves. Rounds stop paying when the
/// figures left are the ones with no room (or nearly none).
fn joint_rounds(
    vars: usize,
    constraints: &[Constraint],
    bounds: &mut Bounds,
    seed: &mut u64,
    out: &mut Outcome,
) {
    loop {
        let open = bounds.unsettled();
        if open.len() < 3 {
            break;
        }
        let before = open.len();
        for sign in [1.0, -1.0] {
            let mut objective: Vec<(usize, f64)> = Vec::new();
            for &t in &open {
                let w = (xorshift(seed) % 1000) as f64 / 1000.0 + 0.01;
                objective.extend(bounds.targets[t].2.iter().map(|&(v, a)| (v, sign * w * a)));
            }
            out.programs += 1;
            if let Solve::Optimal(x) = solve(vars, constraints, &objective) {
                bounds.note(&x);
            }
        }
        if before - bounds.unsettled().len() < 3 {
            break;
        }
    }
}

/// Last, each unsettled figure on its own, down and up.
fn bound_one(
    vars: usize,
    constraints: &[Constraint],
    bounds: &mut Bounds,
    t: usize,
    out: &mut Outcome,
) {
    for sign in [1.0, -1.0] {
        if bounds.seen[t].1 - bounds.seen[t].0 >= PIN {
            break;
        }
        let objective: Vec<(usize, f64)> = bounds.targets[t]
            .2
            .iter()
            .map(|&(v, a)| (v, sign * a))
            .collect();
        out.programs += 1;
        match solve(vars, constraints, &objective) {
            Solve::Optimal(x) => bounds.note(&x),
            // No limit in that direction: certainly not pinned.
            Solve::Unbounded if sign < 0.0 => bounds.seen[t].1 = f64::INFINITY,
            Solve::Unbounded => bounds.seen[t].0 = f64::NEG_INFINITY,
            Solve::Infeasible | Solve::Failed => {}
        }
    }
}

enum Solve {
    Optimal(Vec<f64>),
    Infeasible,
    Unbounded,
    /// The solver gave up or failed: treated as no information (never a leak on its own).
    Failed,
}

/// Minimise `objective` over non-negative variables under `constraints`.
fn solve(vars: usize, constraints: &[Constraint], objective: &[(usize, f64)]) -> Solve {
    let mut coef = vec![0.0; vars];
    for &(v, a) in objective {
        coef[v] += a;
    }
    let run = || {
        let mut p = Problem::new(OptimizationDirection::Minimize);
        let xs: Vec<Variable> = coef
            .iter()
            .map(|&c| p.add_var(c, (0.0, f64::INFINITY)))
            .collect();
        for (terms, op, rhs) in constraints {
            let mut e = LinearExpr::empty();
            for &(v, a) in terms {
                e.add(xs[v], a);
            }
            p.add_constraint(e, *op, *rhs);
        }
        match p.solve() {
            Ok(s) => Solve::Optimal(xs.iter().map(|&x| s[x]).collect()),
            Err(microlp::Error::Infeasible) => Solve::Infeasible,
            Err(microlp::Error::Unbounded) => Solve::Unbounded,
            Err(_) => Solve::Failed,
        }
    };
    // The solver is young: a panic inside it must not stop a run.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).unwrap_or(Solve::Failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(v: &[f64]) -> Cell {
        Cell {
            published: Some(v.to_vec()),
            size: Size::Any,
            upper: None,
        }
    }

    fn hidden(primary: bool) -> Cell {
        Cell {
            published: None,
            size: if primary { Size::Below } else { Size::AtLeast },
            upper: None,
        }
    }

    #[test]
    fn a_lone_hidden_cell_is_recovered_by_subtraction() {
        // Total 30 = 12 + hidden: the hidden cell is 18.
        let f = Family {
            truth: Vec::new(),
            counts: 1,
            cells: vec![shown(&[30.0]), shown(&[12.0]), hidden(false)],
            lines: vec![(0, vec![1, 2])],
        };
        let out = attack(&f, 10);
        assert_eq!(
            out.leaks,
            [Leak {
                cell: 2,
                figure: Figure::Size,
                value: 18.0
            }]
        );
    }

    #[test]
    fn two_hidden_cells_with_room_leak_nothing() {
        // 40 = 10 + a + b, a primary (< 10), b secondary (≥ 10): a ∈ [0, 9], b ∈ [21, 30].
        let f = Family {
            truth: Vec::new(),
            counts: 1,
            cells: vec![shown(&[40.0]), shown(&[10.0]), hidden(true), hidden(false)],
            lines: vec![(0, vec![1, 2, 3])],
        };
        assert!(attack(&f, 10).leaks.is_empty());
    }

    #[test]
    fn a_published_zero_pins_the_hidden_cells_under_it() {
        // The case the attack found: a published "grade / Not stated" with 0 bullied forces
        // every hidden cell of its column to 0 bullied, and the directorate's row then gives
        // the other hidden cell's count by subtraction (the Children's Services ×
        // Senior management: 86 − (22 + 14 + 32 + 10) = 8).
        //   counts: (bullied, not bullied)
        //   row total (directorate):   (12, 80)
        //   row parts: published (4, 30); hidden A (in the Not stated column); hidden B
        //   column total (Not stated): (0, 22) = hidden A + published (0, 19)
        let f = Family {
            truth: Vec::new(),
            counts: 2,
            cells: vec![
                shown(&[12.0, 80.0]),
                shown(&[4.0, 30.0]),
                hidden(true),
                hidden(false),
                shown(&[0.0, 22.0]),
                shown(&[0.0, 19.0]),
            ],
            lines: vec![(0, vec![1, 2, 3]), (4, vec![2, 5])],
        };
        let out = attack(&f, 10);
        let got = |cell, figure| {
            out.leaks
                .iter()
                .find(|l| l.cell == cell && l.figure == figure)
                .map(|l| l.value)
        };
        assert_eq!(got(2, Figure::Size), Some(3.0), "hidden A: 3 people");
        assert_eq!(got(3, Figure::Count(0)), Some(8.0), "hidden B: 8 bullied");
        // "None of A was bullied" is what the published column already says of all its
        // members: the attribute rule decides whether that column may be published.
        assert_eq!(got(2, Figure::Count(0)), None);
        assert_eq!(got(2, Figure::AllBut(1)), None);
    }

    #[test]
    fn contradictory_tables_are_reported_not_solved() {
        let f = Family {
            truth: Vec::new(),
            counts: 1,
            cells: vec![shown(&[10.0]), shown(&[12.0]), hidden(false)],
            lines: vec![(0, vec![1, 2])],
        };
        assert!(attack(&f, 10).inconsistent);
    }
}
