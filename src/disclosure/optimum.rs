//! The chosen suppression against the exact optimum on small crafted families: every choice
//! of cells tried (brute force), the cheapest that keeps the line rules and leaves the
//! attacker nothing, at each stage of the hierarchy.

use super::fewest::cost;
use super::hierarchy::decide_safe;
use super::repair::Part;
use super::*;

type Keys = Vec<(Breakdown, Group, u64)>;

/// A family of `rows` × `cols` cells of an item (positive, neutral, negative), with both
/// fields' groups and the whole organisation, from a seed.
fn family(rows: usize, cols: usize, seed: &mut u64) -> (Keys, Vec<Vec<f64>>) {
    let mut next = |m: u64| {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *seed % m
    };
    let grid: Vec<Vec<[u64; 3]>> = (0..rows)
        .map(|_| {
            (0..cols)
                .map(|_| {
                    // Mostly cells of a few to a dozen or two, some empty.
                    let n = [0, 2, 4, 7, 9, 12, 15, 20, 30][next(9) as usize];
                    let p = next(n + 1);
                    let q = next(n - p + 1);
                    [p, q, n - p - q]
                })
                .collect()
        })
        .collect();
    let mut keys = Vec::new();
    let mut values = Vec::new();
    let mut push = |b, g, v: [u64; 3]| {
        keys.push((b, g, v.iter().sum()));
        values.push(v.iter().map(|&x| x as f64).collect());
    };
    let add = |a: [u64; 3], b: [u64; 3]| [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
    let all = grid.iter().flatten().fold([0; 3], |s, v| add(s, *v));
    push(Breakdown::Overall, Group::All, all);
    for (x, r) in grid.iter().enumerate() {
        let v = r.iter().fold([0; 3], |s, v| add(s, *v));
        push(Breakdown::Field(0), Group::One(Some(x as u32)), v);
    }
    for y in 0..cols {
        let v = grid.iter().fold([0; 3], |s, r| add(s, r[y]));
        push(Breakdown::Field(1), Group::One(Some(y as u32)), v);
    }
    for (x, r) in grid.iter().enumerate() {
        for (y, v) in r.iter().enumerate() {
            let g = Group::Two(Some(x as u32), Some(y as u32));
            push(Breakdown::Cross(0, 1), g, *v);
        }
    }
    (keys, values)
}

/// The cheapest cost of withholding more of the part's `free` cells (beyond `d`) so that
/// every line holds and the attacker pins nothing; `None` if no choice does.
fn optimum(part: &Part, d: &[Option<Suppression>], free: &[usize], k: u32) -> Option<f64> {
    let mut best: Option<f64> = None;
    for mask in 0u32..(1 << free.len()) {
        let mut t = d.to_vec();
        let mut c = 0.0;
        for (bit, &i) in free.iter().enumerate() {
            if mask & (1 << bit) != 0 {
                t[i] = Some(Suppression::Secondary);
                c += cost(part, i);
            }
        }
        if best.is_some_and(|b| c >= b) {
            continue;
        }
        let holds = (0..t.len()).all(|i| part.lines_hold_at(&t, k, i));
        if holds && part.leaks(&t, k).is_empty() {
            best = Some(c);
        }
    }
    best
}

/// What the chosen cells cost at one stage: the cells `of` the stage withheld as secondary.
fn chosen(part: &Part, d: &[Option<Suppression>], of: &dyn Fn(usize) -> bool) -> f64 {
    (0..d.len())
        .filter(|&i| of(i) && d[i] == Some(Suppression::Secondary))
        .map(|i| cost(part, i))
        .sum()
}

#[test]
fn chosen_suppression_costs_at_most_the_exact_optimum_plus_ten_percent() {
    let k = 5;
    let mut seed = 0x2545_F491_4F6C_DD1D_u64;
    let mut compared = 0;
    for case in 0..60 {
        let (rows, cols) = [(3, 3), (2, 4), (3, 4)][case % 3];
        let (keys, values) = family(rows, cols, &mut seed);
        let upper = vec![None; keys.len()];
        let seen = Seen {
            values: &values,
            upper: &upper,
            sizes: true,
            hide_last: None,
        };
        let d = decide_safe(&keys, k, false, &[], &seen);
        if d.iter().any(|s| {
            matches!(
                s,
                Some(
                    Suppression::CrossDropped
                        | Suppression::Confidential
                        | Suppression::SmallOrganisation
                )
            )
        }) {
            continue;
        }
        // One-way stage: the organisation and both fields' groups.
        let one: Vec<usize> = (0..keys.len())
            .filter(|&i| !matches!(keys[i].0, Breakdown::Cross(..)))
            .collect();
        let part = Part::of(&keys, &seen, one.clone());
        let first: Vec<Option<Suppression>> = part
            .keys
            .iter()
            .map(|c| (c.2 < u64::from(k)).then_some(Suppression::Primary))
            .collect();
        let free: Vec<usize> = (1..part.keys.len())
            .filter(|&i| first[i].is_none() && part.keys[i].2 > 0)
            .collect();
        let best = optimum(&part, &first, &free, k).expect("withholding every group works");
        let one_keys: Keys = one.iter().map(|&i| keys[i]).collect();
        let one_values: Vec<Vec<f64>> = one.iter().map(|&i| values[i].clone()).collect();
        let one_upper = vec![None; one.len()];
        let alone = Seen {
            values: &one_values,
            upper: &one_upper,
            sizes: true,
            hide_last: None,
        };
        let pd = decide_safe(&one_keys, k, false, &[], &alone);
        let got = chosen(&part, &pd, &|_| true);
        assert!(
            got <= best * 1.1 + 1e-9,
            "case {case}, one-way: {got} > {best}"
        );
        // Where the one-way figures give a cell of the cross away even with the cross
        // withheld whole, the family is repaired as one (one-way groups may then be
        // withheld): not this comparison.
        if one.iter().zip(&pd).any(|(&i, s)| d[i] != *s) {
            continue;
        }
        // The cross, with the one-way groups as decided.
        let part = Part::of(&keys, &seen, (0..keys.len()).collect());
        let is_cross = |i: usize| matches!(keys[i].0, Breakdown::Cross(..));
        let mut first = d.clone();
        for (i, s) in first.iter_mut().enumerate() {
            if is_cross(i) {
                let margin_hidden = part
                    .lines
                    .iter()
                    .any(|(t, parts)| parts.contains(&i) && d[*t].is_some());
                *s = if keys[i].2 < u64::from(k) {
                    Some(Suppression::Primary)
                } else if margin_hidden {
                    Some(Suppression::Secondary)
                } else {
                    None
                };
            }
        }
        let free: Vec<usize> = (0..keys.len())
            .filter(|&i| is_cross(i) && first[i].is_none() && keys[i].2 > 0)
            .collect();
        let Some(best) = optimum(&part, &first, &free, k) else {
            continue;
        };
        let fixed = |i: usize| is_cross(i) && first[i].is_none();
        let got = chosen(&part, &d, &fixed);
        assert!(
            got <= best * 1.1 + 1e-9,
            "case {case}, cross: {got} > {best}: {d:?}"
        );
        compared += 1;
    }
    assert!(compared >= 30, "only {compared} families compared");
}
