//! Secondary suppression in the order readers need the figures (`methodology.md`, "Least
//! loss"): the organisation and the one-way groups first, decided as if no cross were
//! published, so they are the same whatever crosses a pack has; then each cross, which pays
//! for its own protection with its own cells or, where they cannot protect it, is withheld
//! whole for that measure and wave ([`Suppression::CrossDropped`]).
//!
//! Each stage settles the same way: the fewest cells the line rules need ([`fewest`]), then
//! the attacker; while it pins a figure, the cheapest line-mate is withheld too and the lines
//! solved again; last, withheld cells are published again wherever the rules and the attacker
//! allow ([`prune`]).

use super::fewest::fewest;
use super::repair::{MAX_REPAIR_ROUNDS, Part, enforce_part_line, mates, prune, repair};
use super::*;

/// [`decide`], then more cells withheld until the differencing attacker (an LP over every
/// line of the family, knowing what each withheld cell's reason says about its size) can work
/// out no withheld figure, one-way groups only ever for one-way lines.
pub(super) fn decide_safe(
    keys: &[(Breakdown, Group, u64)],
    k: u32,
    small_org: bool,
    forced: &[bool],
    seen: &Seen,
) -> Vec<Option<Suppression>> {
    let mut forced = forced.to_vec();
    forced.resize(keys.len(), false);
    let (first, settled) = primary(keys, u64::from(k), small_org, &forced);
    if settled {
        return first;
    }
    let merges = Merges::of(keys, seen);
    let mut d = decide_merged(&merges, k, small_org, &forced);
    d.truncate(keys.len());
    d
}

/// A family with a cell added for each category a cross merges (its members' one-way groups
/// added up): the merged column's line. The added cells are never published or withheld as
/// figures; each is known to a reader exactly when all its members are published.
struct Merges {
    keys: Vec<(Breakdown, Group, u64)>,
    values: Vec<Vec<f64>>,
    upper: Vec<Option<f64>>,
    sizes: bool,
    hide_last: Option<Breakdown>,
}

impl Merges {
    fn of(keys: &[(Breakdown, Group, u64)], seen: &Seen) -> Merges {
        let mut out = Merges {
            keys: keys.to_vec(),
            values: seen.values.to_vec(),
            upper: seen.upper.to_vec(),
            sizes: seen.sizes,
            hide_last: seen.hide_last,
        };
        out.upper.resize(keys.len(), None);
        let one = |f: usize, c: u32| {
            keys.iter()
                .position(|x| x.0 == Breakdown::Field(f) && x.1 == Group::One(Some(c)))
        };
        for key in keys {
            let (Breakdown::Cross(fa, fb), Group::Two(x, y)) = (key.0, key.1) else {
                continue;
            };
            for (f, c) in [(fa, x), (fb, y)] {
                let Some(m) = c.and_then(crate::indicators::members) else {
                    continue;
                };
                let total = (Breakdown::Field(f), Group::One(c));
                if out.keys.iter().any(|x| (x.0, x.1) == (total.0, total.1)) {
                    continue;
                }
                let Some(at) = m.iter().map(|&c| one(f, c)).collect::<Option<Vec<usize>>>() else {
                    continue; // a member not counted: no line to keep
                };
                let n = at.iter().map(|&i| keys[i].2).sum();
                let mut v = vec![0.0; seen.values.first().map_or(1, Vec::len)];
                for &i in &at {
                    for (t, x) in v.iter_mut().zip(&seen.values[i]) {
                        *t += x;
                    }
                }
                let upper: Option<f64> = at.iter().map(|&i| out.upper[i]).sum();
                out.keys.push((total.0, total.1, n));
                out.values.push(v);
                out.upper.push(upper);
            }
        }
        out
    }

    fn seen(&self) -> Seen<'_> {
        Seen {
            values: &self.values,
            upper: &self.upper,
            sizes: self.sizes,
            hide_last: self.hide_last,
        }
    }
}

/// Whether a cell is a merged category's total (see [`Merges`]).
pub(super) fn is_merge(key: &(Breakdown, Group, u64)) -> bool {
    matches!(key.1, Group::One(c) if merged(c))
}

/// [`decide_safe`] on a family with its merged categories' totals added.
fn decide_merged(
    merges: &Merges,
    k: u32,
    small_org: bool,
    forced: &[bool],
) -> Vec<Option<Suppression>> {
    let keys = merges.keys.as_slice();
    let seen = &merges.seen();
    let mut forced = forced.to_vec();
    forced.resize(keys.len(), false);
    let mut d = one_way(keys, k, small_org, &forced, seen);
    let crosses = crosses_of(keys);
    if crosses.is_empty() {
        return d;
    }
    // No sizes told below groups that tell none.
    if d.contains(&Some(Suppression::Confidential)) {
        for (i, key) in keys.iter().enumerate() {
            if matches!(key.0, Breakdown::Cross(..)) {
                d[i] = Some(Suppression::Confidential);
            }
        }
        return d;
    }
    known_merges(keys, &mut d);
    for &cross in &crosses {
        match decide_cross(keys, k, seen, &forced, &d, cross) {
            Some(cells) => {
                for (i, s) in cells {
                    d[i] = s;
                }
            }
            None => return whole_family(keys, k, small_org, &forced, seen),
        }
    }
    if linked(keys, &d, &crosses) {
        together(keys, k, small_org, &forced, seen, d)
    } else {
        d
    }
}

/// A merged category's total is withheld (to the attacker: unknown) when any of its members
/// is, published (known) when all are.
fn known_merges(keys: &[(Breakdown, Group, u64)], d: &mut [Option<Suppression>]) {
    for i in 0..keys.len() {
        let (Breakdown::Field(f), Group::One(Some(c))) = (keys[i].0, keys[i].1) else {
            continue;
        };
        let Some(m) = crate::indicators::members(c) else {
            continue;
        };
        let hidden = keys.iter().zip(d.iter()).any(|(x, s)| {
            x.0 == Breakdown::Field(f)
                && matches!(x.1, Group::One(Some(y)) if m.contains(&y))
                && s.is_some()
        });
        d[i] = hidden.then_some(Suppression::Confidential);
    }
}

/// The organisation and the one-way groups, as if no cross were published.
fn one_way(
    keys: &[(Breakdown, Group, u64)],
    k: u32,
    small_org: bool,
    forced: &[bool],
    seen: &Seen,
) -> Vec<Option<Suppression>> {
    let at: Vec<usize> = (0..keys.len())
        .filter(|&i| !matches!(keys[i].0, Breakdown::Cross(..)) && !is_merge(&keys[i]))
        .collect();
    let part = Part::of(keys, seen, at);
    let f: Vec<bool> = part.at.iter().map(|&i| forced[i]).collect();
    let (mut pd, _) = primary(&part.keys, u64::from(k), small_org, &f);
    let group = |i: usize| part.keys[i].0 != Breakdown::Overall;
    if !settle(&part, &mut pd, k, &f, &group) {
        pd = repair(&part, k, small_org, &f);
    }
    let mut d = vec![None; keys.len()];
    for (&i, s) in part.at.iter().zip(pd) {
        d[i] = s;
    }
    d
}

/// Withhold the fewest `allowed` cells the line rules need, then more while the attacker
/// pins a figure, then publish again what need not be withheld. False when nothing allowed
/// is left to withhold beside a figure still pinned.
fn settle(
    part: &Part,
    d: &mut [Option<Suppression>],
    k: u32,
    forced: &[bool],
    allowed: &dyn Fn(usize) -> bool,
) -> bool {
    let base = d.to_vec();
    let mut cut: Option<Vec<usize>> = None;
    for _ in 0..MAX_REPAIR_ROUNDS {
        // The cells added in earlier rounds stay: each round adds the cheapest cells for the
        // attacker's newest cut and the lines they then need.
        match fewest(part, d, k, allowed, cut.as_slice(), None) {
            Some(cells) => {
                for i in cells {
                    d[i] = Some(Suppression::Secondary);
                }
            }
            None => lines_one_by_one(part, d, k, allowed),
        }
        let leaks = part.first_leaks(d, k);
        let Some(leak) = leaks.first() else {
            prune(part, d, k, forced, allowed);
            let free = (0..d.len())
                .filter(|&i| base[i].is_none() && allowed(i))
                .count();
            if cut.is_some() && free <= SEARCHED {
                improve(part, d, &base, k, (forced, allowed));
            }
            return true;
        };
        // One more of the nearest line-mates of the first cell with a figure pinned (its
        // counts are pinned together, and one more withheld beside it usually frees them
        // all), chosen with the lines they then need; then the attacker again.
        let mates = mates(part, d, forced, leak, allowed);
        if mates.is_empty() {
            return false;
        }
        cut = Some(mates);
    }
    false
}

/// Parts with at most this many cells to choose from are searched for a cheaper choice
/// ([`improve`]); on larger ones each round of the search costs more than it finds (on the
/// sample's 9 × 6 and 7 × 6 crosses, 8 rounds everywhere kept 16 more of 4,810 item cells
/// and took 1.5 s more). Crafted 3 × 4 families needed up to 42 rounds to reach the optimum.
const SEARCHED: usize = 24;

/// Rounds of [`improve`] before the choice made round by round stands.
const IMPROVE_ROUNDS: usize = 64;

/// Look for a cheaper choice than `d` (a search seeded by the round-by-round one): from the
/// cells withheld before any secondary suppression (`base`), the cheapest cells that keep the
/// lines and cost less than the best so far; when the attacker pins a figure, the next choice
/// must withhold one more of the cells beside it ([`frontier`]; withholding less nearly
/// always leaves at least as much to work out). Every choice taken is checked by the
/// attacker. Ends when no cheaper
/// choice keeps the lines or after [`IMPROVE_ROUNDS`].
fn improve(
    part: &Part,
    d: &mut [Option<Suppression>],
    base: &[Option<Suppression>],
    k: u32,
    (forced, allowed): (&[bool], &dyn Fn(usize) -> bool),
) {
    let price = |d: &[Option<Suppression>]| -> f64 {
        (0..d.len())
            .filter(|&i| d[i] == Some(Suppression::Secondary) && base[i].is_none())
            .map(|i| super::fewest::cost(part, i))
            .sum()
    };
    let free: Vec<usize> = (0..d.len())
        .filter(|&i| base[i].is_none() && allowed(i) && part.keys[i].2 > 0)
        .collect();
    let mut cuts: Vec<Vec<usize>> = Vec::new();
    for _ in 0..IMPROVE_ROUNDS {
        let below = price(d) - 1e-6;
        let Some(cells) = fewest(part, base, k, allowed, &cuts, Some(below)) else {
            return;
        };
        let mut t = base.to_vec();
        for &i in &cells {
            t[i] = Some(Suppression::Secondary);
        }
        let leaks = part.first_leaks(&t, k);
        match leaks.first() {
            None => {
                prune(part, &mut t, k, forced, allowed);
                d.copy_from_slice(&t);
            }
            Some(leak) => {
                let beside = frontier(part, &t, leak.cell, &free);
                if beside.is_empty() {
                    return;
                }
                cuts.push(beside);
            }
        }
    }
}

/// The `free` published cells on a line with the withheld cells the attacker solves together
/// with `cell` (those linked to it through lines): a figure of `cell` can only come back into
/// doubt if one of them is withheld too, since other cells join other programs.
fn frontier(part: &Part, d: &[Option<Suppression>], cell: usize, free: &[usize]) -> Vec<usize> {
    let mut linked = vec![false; d.len()];
    linked[cell] = true;
    let mut grew = true;
    while grew {
        grew = false;
        for (t, parts) in &part.lines {
            let on = || parts.iter().chain(std::iter::once(t));
            if on().any(|&i| linked[i] && d[i].is_some()) {
                for &i in on() {
                    if d[i].is_some() && !linked[i] {
                        linked[i] = true;
                        grew = true;
                    }
                }
            }
        }
    }
    free.iter()
        .copied()
        .filter(|&i| {
            d[i].is_none()
                && part.lines.iter().any(|(t, parts)| {
                    let on = |j: usize| j == *t || parts.contains(&j);
                    on(i) && (linked[*t] || parts.iter().any(|&j| linked[j]))
                })
        })
        .collect()
}

/// The line rules applied line by line (the next-smallest cell each time) where no choice
/// satisfies every line at once: on the lines whose cells are all `allowed`.
fn lines_one_by_one(
    part: &Part,
    d: &mut [Option<Suppression>],
    k: u32,
    allowed: &dyn Fn(usize) -> bool,
) {
    loop {
        let mut changed = false;
        for (t, parts) in &part.lines {
            if d[*t].is_none() && parts.iter().all(|&p| allowed(p)) {
                changed |= enforce_part_line(part, parts, d, k);
            }
        }
        if !changed {
            return;
        }
    }
}

/// The family's crosses, in the order their cells come.
fn crosses_of(keys: &[(Breakdown, Group, u64)]) -> Vec<Breakdown> {
    let mut out: Vec<Breakdown> = Vec::new();
    for key in keys {
        if matches!(key.0, Breakdown::Cross(..)) && !out.contains(&key.0) {
            out.push(key.0);
        }
    }
    out
}

/// One cross's cells decided (by family index).
type CrossCells = Vec<(usize, Option<Suppression>)>;

/// One cross decided with the one-way decisions `d` fixed: protected by its own cells, or
/// withheld whole. `None` when even withholding the whole cross would leave a figure pinned:
/// the one-way figures then give a cell of the cross away by themselves (all of a column's
/// "no" answers in the one row that has any), and only withholding more of them will do
/// (the family falls back to [`whole_family`]).
fn decide_cross(
    keys: &[(Breakdown, Group, u64)],
    k: u32,
    seen: &Seen,
    forced: &[bool],
    d: &[Option<Suppression>],
    cross: Breakdown,
) -> Option<CrossCells> {
    let Breakdown::Cross(fa, fb) = cross else {
        return Some(Vec::new());
    };
    let at: Vec<usize> = (0..keys.len())
        .filter(|&i| match keys[i].0 {
            Breakdown::Overall => true,
            Breakdown::Field(f) => f == fa || f == fb,
            b => b == cross,
        })
        .collect();
    let part = Part::of(keys, seen, at);
    let in_cross = |j: usize| part.keys[j].0 == cross;
    let f: Vec<bool> = part.at.iter().map(|&i| forced[i]).collect();
    let mut pd = first_cut(&part, k, &f, d, &in_cross);
    if !settle(&part, &mut pd, k, &f, &in_cross) {
        for (j, s) in pd.iter_mut().enumerate() {
            if in_cross(j) {
                *s = Some(Suppression::CrossDropped);
            }
        }
        if !part.leaks(&pd, k).is_empty() {
            return None;
        }
    }
    Some(
        (0..pd.len())
            .filter(|&j| in_cross(j))
            .map(|j| (part.at[j], pd[j]))
            .collect(),
    )
}

/// A cross's cells before the line rules: the one-way groups as decided, the cross's cells
/// below the threshold withheld, those another table forces, and every row (or column) whose
/// one-way group is withheld.
fn first_cut(
    part: &Part,
    k: u32,
    forced: &[bool],
    d: &[Option<Suppression>],
    in_cross: &dyn Fn(usize) -> bool,
) -> Vec<Option<Suppression>> {
    let mut pd: Vec<Option<Suppression>> = (0..part.at.len())
        .map(|j| {
            if !in_cross(j) {
                d[part.at[j]]
            } else if part.keys[j].2 < u64::from(k) {
                Some(Suppression::Primary)
            } else if forced[j] {
                Some(Suppression::Secondary)
            } else {
                None
            }
        })
        .collect();
    for (t, parts) in &part.lines {
        if parts.iter().any(|&p| in_cross(p)) && pd[*t].is_some() {
            for &p in parts {
                pd[p].get_or_insert(Suppression::Secondary);
            }
        }
    }
    pd
}

/// Whether two crosses share a withheld one-way group (a field of both with a group
/// withheld): only through one can the attacker work on both crosses at once, since every
/// other line a cross's cells are in is its own or has a published total.
fn linked(
    keys: &[(Breakdown, Group, u64)],
    d: &[Option<Suppression>],
    crosses: &[Breakdown],
) -> bool {
    let fields = |c: &Breakdown| match *c {
        Breakdown::Cross(a, b) => [a, b],
        _ => [usize::MAX; 2],
    };
    keys.iter().zip(d).any(|(key, s)| match key.0 {
        Breakdown::Field(f) if s.is_some() => {
            crosses.iter().filter(|c| fields(c).contains(&f)).count() > 1
        }
        _ => false,
    })
}

/// Every cross together, as published: where the attacker pins a figure through two crosses
/// at once, a cross it runs through is dropped, until it pins none.
fn together(
    keys: &[(Breakdown, Group, u64)],
    k: u32,
    small_org: bool,
    forced: &[bool],
    seen: &Seen,
    mut d: Vec<Option<Suppression>>,
) -> Vec<Option<Suppression>> {
    let part = Part::of(keys, seen, (0..keys.len()).collect());
    let mut open: Vec<Breakdown> = crosses_of(keys)
        .into_iter()
        .filter(|&c| {
            keys.iter()
                .zip(&d)
                .any(|(key, s)| key.0 == c && *s != Some(Suppression::CrossDropped))
        })
        .collect();
    loop {
        let leaks = part.leaks(&d, k);
        if leaks.is_empty() {
            return d;
        }
        let victim = leaks
            .iter()
            .map(|l| keys[l.cell].0)
            .find(|b| open.contains(b))
            .or_else(|| open.last().copied());
        let Some(cross) = victim else {
            return whole_family(keys, k, small_org, forced, seen);
        };
        open.retain(|&c| c != cross);
        for (key, s) in keys.iter().zip(d.iter_mut()) {
            if key.0 == cross {
                *s = Some(Suppression::CrossDropped);
            }
        }
    }
}

/// The last resort: the whole family repaired as one, any group hidden where needed.
fn whole_family(
    keys: &[(Breakdown, Group, u64)],
    k: u32,
    small_org: bool,
    forced: &[bool],
    seen: &Seen,
) -> Vec<Option<Suppression>> {
    // A cross with merged categories has lines only through its merges' totals, which are
    // no figures to withhold or publish: it is withheld whole.
    let collapsed: Vec<Breakdown> = keys
        .iter()
        .filter(|x| matches!(x.1, Group::Two(a, b) if merged(a) || merged(b)))
        .map(|x| x.0)
        .collect();
    let at: Vec<usize> = (0..keys.len())
        .filter(|&i| !is_merge(&keys[i]) && !collapsed.contains(&keys[i].0))
        .collect();
    let part = Part::of(keys, seen, at);
    let f: Vec<bool> = part.at.iter().map(|&i| forced[i]).collect();
    let mut d: Vec<Option<Suppression>> = keys
        .iter()
        .map(|x| {
            collapsed
                .contains(&x.0)
                .then_some(Suppression::CrossDropped)
        })
        .collect();
    for (&i, s) in part.at.iter().zip(repair(&part, k, small_org, &f)) {
        d[i] = s;
    }
    known_merges(keys, &mut d);
    d
}
