//! Secondary suppression checked by the LP attacker and repaired: while a withheld figure can
//! be worked out, the cheapest published line-mate is withheld too.

use super::*;

/// What the LP attacker sees of a family when cells `d` are withheld: published counts,
/// what a withheld cell's reason says of its size, published upper bounds, the lines.
fn attack_family(
    d: &[Option<Suppression>],
    seen: &Seen,
    lines: &[(usize, Vec<usize>)],
) -> attack::Family {
    let Seen {
        values,
        upper,
        sizes,
        ..
    } = *seen;
    attack::Family {
        counts: values.first().map_or(1, Vec::len),
        cells: (0..d.len())
            .map(|i| attack::Cell {
                published: d[i].is_none().then(|| values[i].clone()),
                size: match d[i] {
                    Some(Suppression::Primary) if sizes => attack::Size::Below,
                    Some(Suppression::Secondary) if sizes => attack::Size::AtLeast,
                    _ => attack::Size::Any,
                },
                upper: upper.get(i).copied().flatten(),
            })
            .collect(),
        lines: lines.to_vec(),
    }
}

/// Every group of the family withheld and a figure still pinned: when the reasons told the
/// attacker the groups' sizes, they become `Confidential` (withheld, without saying which
/// rule), so only the whole organisation's figures remain to go on.
fn without_sizes(
    mut d: Vec<Option<Suppression>>,
    keys: &[(Breakdown, Group, u64)],
    seen: &Seen,
) -> Vec<Option<Suppression>> {
    if !seen.sizes {
        return d;
    }
    for (s, key) in d.iter_mut().zip(keys) {
        if key.0 != Breakdown::Overall
            && matches!(s, Some(Suppression::Primary | Suppression::Secondary))
        {
            *s = Some(Suppression::Confidential);
        }
    }
    d
}

/// The cheapest published group to withhold so that a leak is no longer pinned down: the
/// nearest line-mates first (sharing a line with the cell, else with the withheld groups
/// beside it, outwards), cross cells before one-way groups, groups that bring doubt before
/// those that do not, and the smallest.
fn cheapest_mate(
    keys: &[(Breakdown, Group, u64)],
    d: &[Option<Suppression>],
    forced: &[bool],
    lines: &[(usize, Vec<usize>)],
    is_total: &[bool],
    seen: &Seen,
    leak: &attack::Leak,
) -> Option<usize> {
    let Seen {
        values, hide_last, ..
    } = *seen;
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
    // (total?, hidden last?, not helpful?, distance, n, index): the cheapest cell to
    // hide.
    let mut best: Option<(bool, bool, bool, usize, u64, usize)> = None;
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
            if d[i].is_none() && !forced[i] && keys[i].0 != Breakdown::Overall {
                // Cross cells before one-way groups: hiding a one-way group hides its
                // row of every cross and every theme built on the item for that group.
                let last = Some(keys[i].0) == hide_last;
                let cost = (is_total[i], last, !helps(i), level, keys[i].2, i);
                if best.is_none_or(|b| cost < b) {
                    best = Some(cost);
                }
            }
        }
        if best.is_some_and(|b| !b.0 && !b.1 && !b.2) {
            break;
        }
        frontier = mates.into_iter().filter(|&i| d[i].is_some()).collect();
    }
    best.map(|b| b.5)
}

/// [`decide`], then more cells hidden until the differencing attacker (an LP over every line
/// of the family, knowing what each withheld cell's reason says about its size) can work out
/// no withheld count: for each value it pins down, the smallest published group that shares
/// a line with it is hidden too, and the line rules applied again.
pub(super) fn decide_safe(
    keys: &[(Breakdown, Group, u64)],
    k: u32,
    small_org: bool,
    forced: &[bool],
    seen: &Seen,
) -> Vec<Option<Suppression>> {
    let lines = family_lines(keys);
    let is_total: Vec<bool> = (0..keys.len())
        .map(|i| lines.iter().any(|(t, _)| *t == i))
        .collect();
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
        if d.iter().all(Option::is_none) || lines.is_empty() {
            return d;
        }
        let family = attack_family(&d, seen, &lines);
        let out = attack::attack(&family, k);
        let leaks = out.leaks;
        if leaks.is_empty() {
            return d;
        }
        let mut added = false;
        for leak in leaks {
            let next = cheapest_mate(keys, &d, &forced, &lines, &is_total, seen, &leak);
            if let Some(i) = next {
                forced[i] = true;
                added = true;
            }
        }
        if !added && all_hidden {
            // Every group is withheld already: what is left follows from the whole
            // organisation's figures and from the reasons (a line of groups each withheld as
            // secondary, "at least the threshold", can add up to exactly that many each).
            // Their reasons then say nothing: withheld, without saying which rule.
            return without_sizes(d, keys, seen);
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

/// Rounds of "attack, then hide more" before a family's groups are all withheld instead.
const MAX_REPAIR_ROUNDS: usize = 64;
