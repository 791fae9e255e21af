//! Secondary suppression checked by the LP attacker and repaired: while a withheld figure can
//! be worked out, the cheapest published line-mate is withheld too; then pruned, so that no
//! withheld cell stays withheld that the rules and the attacker would let go.

use super::*;

/// Part of a family (or all of it) as a family of its own: which of the family's cells it
/// holds, their keys, what the attacker reads of them, its lines and which cells are totals.
pub(super) struct Part {
    /// The family's index of each cell of the part.
    pub(super) at: Vec<usize>,
    pub(super) keys: Vec<(Breakdown, Group, u64)>,
    values: Vec<Vec<f64>>,
    upper: Vec<Option<f64>>,
    pub(super) lines: Vec<(usize, Vec<usize>)>,
    is_total: Vec<bool>,
    sizes: bool,
    pub(super) hide_last: Option<Breakdown>,
}

impl Part {
    /// The cells `at` of a family, with the lines among them.
    pub(super) fn of(keys: &[(Breakdown, Group, u64)], seen: &Seen, at: Vec<usize>) -> Part {
        let part_keys: Vec<(Breakdown, Group, u64)> = at.iter().map(|&i| keys[i]).collect();
        let lines = family_lines(&part_keys);
        let is_total = (0..at.len())
            .map(|i| lines.iter().any(|(t, _)| *t == i))
            .collect();
        Part {
            values: at.iter().map(|&i| seen.values[i].clone()).collect(),
            upper: at
                .iter()
                .map(|&i| seen.upper.get(i).copied().flatten())
                .collect(),
            at,
            keys: part_keys,
            lines,
            is_total,
            sizes: seen.sizes,
            hide_last: seen.hide_last,
        }
    }

    fn n(&self) -> Vec<u64> {
        self.keys.iter().map(|c| c.2).collect()
    }

    /// What the LP attacker sees when cells `d` are withheld: published counts, what a
    /// withheld cell's reason says of its size, published upper bounds, the lines.
    fn family(&self, d: &[Option<Suppression>]) -> attack::Family {
        attack::Family {
            counts: self.values.first().map_or(1, Vec::len),
            truth: self.values.clone(),
            cells: (0..d.len())
                .map(|i| attack::Cell {
                    published: d[i].is_none().then(|| self.values[i].clone()),
                    size: match d[i] {
                        _ if hierarchy::is_merge(&self.keys[i]) => attack::Size::Sum,
                        Some(Suppression::Primary) if self.sizes => attack::Size::Below,
                        Some(Suppression::Secondary) if self.sizes => attack::Size::AtLeast,
                        _ => attack::Size::Any,
                    },
                    upper: self.upper[i],
                })
                .collect(),
            lines: self.lines.clone(),
        }
    }

    /// The withheld figures the attacker pins down when cells `d` are withheld.
    pub(super) fn leaks(&self, d: &[Option<Suppression>], k: u32) -> Vec<attack::Leak> {
        self.leaks_near(d, k, None, false)
    }

    /// The figures of the first cell the attacker pins, if any: enough to know the cells
    /// withheld do not protect everything, and where to add one.
    pub(super) fn first_leaks(&self, d: &[Option<Suppression>], k: u32) -> Vec<attack::Leak> {
        self.leaks_near(d, k, None, true)
    }

    /// [`Part::leaks`] beside the cells `near` only (see [`attack::attack_near`]), or the
    /// `first` cell's.
    fn leaks_near(
        &self,
        d: &[Option<Suppression>],
        k: u32,
        near: Option<&[usize]>,
        first: bool,
    ) -> Vec<attack::Leak> {
        if d.iter().all(Option::is_none) || self.lines.is_empty() {
            return Vec::new();
        }
        attack::attack_near(&self.family(d), k, near, first).leaks
    }

    /// Whether every line through cell `i` keeps what it hides: a line whose total is
    /// withheld is withheld whole; in any other, the withheld non-empty cells are none, or at
    /// least two holding at least `k` together (see [`enforce_line`]).
    pub(super) fn lines_hold_at(&self, d: &[Option<Suppression>], k: u32, i: usize) -> bool {
        let through = |(t, parts): &&(usize, Vec<usize>)| *t == i || parts.contains(&i);
        self.lines.iter().filter(through).all(|(t, parts)| {
            if d[*t].is_some() {
                return parts.iter().all(|&p| d[p].is_some());
            }
            let hidden: Vec<u64> = parts
                .iter()
                .filter(|&&p| d[p].is_some() && self.keys[p].2 > 0)
                .map(|&p| self.keys[p].2)
                .collect();
            hidden.is_empty() || (hidden.len() >= 2 && hidden.iter().sum::<u64>() >= u64::from(k))
        })
    }
}

/// Every group of the family withheld and a figure still pinned: when the reasons told the
/// attacker the groups' sizes, they become `Confidential` (withheld, without saying which
/// rule), so only the whole organisation's figures remain to go on.
fn without_sizes(mut d: Vec<Option<Suppression>>, part: &Part) -> Vec<Option<Suppression>> {
    if !part.sizes {
        return d;
    }
    for (s, key) in d.iter_mut().zip(&part.keys) {
        if key.0 != Breakdown::Overall
            && matches!(s, Some(Suppression::Primary | Suppression::Secondary))
        {
            *s = Some(Suppression::Confidential);
        }
    }
    d
}

/// A candidate to withhold: (total?, hidden last?, not helpful?, distance, n, index), the
/// cheapest first.
type Rank = (bool, bool, bool, usize, u64, usize);

/// The published groups (of those `allowed`) to withhold so that a leak is no longer pinned
/// down, ranked: the nearest line-mates first (sharing a line with the cell, else with the
/// withheld groups beside it, outwards), cross cells before one-way groups, groups that bring
/// doubt before those that do not, and the smallest.
fn ranked_mates(
    part: &Part,
    d: &[Option<Suppression>],
    forced: &[bool],
    leak: &attack::Leak,
    allowed: &dyn Fn(usize) -> bool,
) -> Vec<Rank> {
    let Part {
        keys,
        values,
        lines,
        is_total,
        hide_last,
        ..
    } = part;
    // A line-mate that brings some of what was pinned back into doubt: for a count,
    // a group with some of that count; for "everyone answered alike", a group where
    // not everyone did; for a size, any group with members.
    let helps = |i: usize| {
        let v = &values[i];
        let total: f64 = v.iter().sum();
        match leak.figure {
            attack::Figure::Count(j) => v[j] > 0.0,
            attack::Figure::AllBut(j) => total - v[j] > 0.0,
            attack::Figure::Size => total > 0.0,
        }
    };
    // The nearest published groups: those sharing a line with the cell, else with
    // the withheld groups beside it, and so on outwards.
    let mut frontier = vec![leak.cell];
    let mut visited = vec![false; keys.len()];
    visited[leak.cell] = true;
    let mut ranked: Vec<Rank> = Vec::new();
    let mut level = 0;
    while !frontier.is_empty() && level < 4 {
        level += 1;
        let mut mates: Vec<usize> = Vec::new();
        for (t, parts) in lines {
            if frontier.iter().any(|c| c == t || parts.contains(c)) {
                for &i in parts.iter().chain(std::iter::once(t)) {
                    if !visited[i] {
                        visited[i] = true;
                        mates.push(i);
                    }
                }
            }
        }
        for &i in &mates {
            if d[i].is_none() && !forced[i] && keys[i].0 != Breakdown::Overall && allowed(i) {
                // Cross cells before one-way groups: hiding a one-way group hides its
                // row of every cross and every theme built on the item for that group.
                let last = Some(keys[i].0) == *hide_last;
                ranked.push((is_total[i], last, !helps(i), level, keys[i].2, i));
            }
        }
        if ranked.iter().any(|b| !b.0 && !b.1 && !b.2) {
            break;
        }
        frontier = mates.into_iter().filter(|&i| d[i].is_some()).collect();
    }
    ranked.sort_unstable();
    ranked
}

/// The cheapest published group (of those `allowed`) to withhold so that a leak is no longer
/// pinned down (see [`ranked_mates`]).
pub(super) fn cheapest_mate(
    part: &Part,
    d: &[Option<Suppression>],
    forced: &[bool],
    leak: &attack::Leak,
    allowed: &dyn Fn(usize) -> bool,
) -> Option<usize> {
    ranked_mates(part, d, forced, leak, allowed)
        .first()
        .map(|r| r.5)
}

/// The groups as cheap as the cheapest (as near, of the same kind) of which one more is to be
/// withheld for a leak: the choice among them is left to [`super::fewest::fewest`].
pub(super) fn mates(
    part: &Part,
    d: &[Option<Suppression>],
    forced: &[bool],
    leak: &attack::Leak,
    allowed: &dyn Fn(usize) -> bool,
) -> Vec<usize> {
    let ranked = ranked_mates(part, d, forced, leak, allowed);
    let Some(best) = ranked.first().copied() else {
        return Vec::new();
    };
    ranked
        .iter()
        .filter(|r| (r.0, r.1, r.2, r.3) == (best.0, best.1, best.2, best.3))
        .map(|r| r.5)
        .collect()
}

/// [`decide`] on a part, then more cells hidden until the differencing attacker (an LP over
/// every line of the part, knowing what each withheld cell's reason says about its size) can
/// work out no withheld count: for each value it pins down, the smallest published group that
/// shares a line with it is hidden too, and the line rules applied again. Any group of the
/// part may be hidden: `decide_safe` calls it on the organisation and one-way groups alone,
/// and on a whole family only as a last resort.
pub(super) fn repair(
    part: &Part,
    k: u32,
    small_org: bool,
    forced: &[bool],
) -> Vec<Option<Suppression>> {
    let keys = &part.keys;
    let mut forced = forced.to_vec();
    forced.resize(keys.len(), false);
    let mut all_hidden = false;
    let mut rounds = 0;
    loop {
        rounds += 1;
        if rounds > MAX_REPAIR_ROUNDS && !all_hidden {
            // A table this tangled is not worth publishing below the whole organisation:
            // withhold every group rather than search on (the run must end).
            for (i, key) in keys.iter().enumerate() {
                forced[i] |= key.0 != Breakdown::Overall;
            }
            all_hidden = true;
        }
        let d = decide(keys, k, small_org, &forced);
        let leaks = part.leaks(&d, k);
        if leaks.is_empty() {
            return d;
        }
        let mut added = false;
        for leak in leaks {
            if let Some(i) = cheapest_mate(part, &d, &forced, &leak, &|_| true) {
                forced[i] = true;
                added = true;
            }
        }
        if !added && all_hidden {
            // Every group is withheld already: what is left follows from the whole
            // organisation's figures and from the reasons (a line of groups each withheld as
            // secondary, "at least the threshold", can add up to exactly that many each).
            // Their reasons then say nothing: withheld, without saying which rule.
            return without_sizes(d, part);
        }
        if !added {
            // Nothing left to hide beside it: withhold every group.
            for (i, key) in keys.iter().enumerate() {
                forced[i] |= key.0 != Breakdown::Overall;
            }
            all_hidden = true;
        }
    }
}

/// Publish again what need not be withheld: each cell withheld as secondary (not `forced`
/// by another table, and `allowed`), the most respondents first, is published if the line
/// rules still hold and the attacker still pins nothing.
pub(super) fn prune(
    part: &Part,
    d: &mut [Option<Suppression>],
    k: u32,
    forced: &[bool],
    allowed: &dyn Fn(usize) -> bool,
) {
    let settled = |s: &Option<Suppression>| {
        matches!(
            s,
            Some(
                Suppression::SmallOrganisation
                    | Suppression::Confidential
                    | Suppression::CrossDropped
            )
        )
    };
    if d.iter().any(settled) {
        return;
    }
    let mut candidates: Vec<usize> = (0..d.len())
        .filter(|&i| d[i] == Some(Suppression::Secondary) && !forced[i] && allowed(i))
        .collect();
    candidates.sort_by_key(|&i| (std::cmp::Reverse(part.keys[i].2), i));
    for i in candidates {
        d[i] = None;
        let safe =
            part.lines_hold_at(d, k, i) && part.leaks_near(d, k, Some(&[i]), true).is_empty();
        if !safe {
            d[i] = Some(Suppression::Secondary);
        }
    }
}

/// Rounds of "attack, then hide more" before a part's groups are all withheld instead.
pub(super) const MAX_REPAIR_ROUNDS: usize = 64;

/// The line rule on one line, by position in a part (see [`enforce_line`]).
pub(super) fn enforce_part_line(
    part: &Part,
    line: &[usize],
    d: &mut [Option<Suppression>],
    k: u32,
) -> bool {
    enforce_line(line, &part.n(), d, u64::from(k))
}
