use super::*;

#[test]
fn all_alike_reads_only_what_the_table_publishes() {
    let counts = |positive, neutral, negative| crate::indicators::aggregates::ItemCounts {
        positive,
        neutral,
        negative,
        excluded: 0,
        codes: Vec::new(),
        weighted: None,
    };
    let b = Breakdown::Field(0);
    // No one negative: readable from each answer's count, not from % positive alone.
    assert!(all_alike_as_published(
        Answers::Each,
        b,
        &counts(2, 3, 0),
        10
    ));
    assert!(!all_alike_as_published(
        Answers::Positive,
        b,
        &counts(2, 3, 0),
        10
    ));
    // All positive, or none, is readable either way; not at or above the bound.
    assert!(all_alike_as_published(
        Answers::Positive,
        b,
        &counts(6, 0, 0),
        10
    ));
    assert!(all_alike_as_published(
        Answers::Positive,
        b,
        &counts(0, 4, 2),
        10
    ));
    assert!(!all_alike_as_published(
        Answers::Positive,
        b,
        &counts(10, 0, 0),
        10
    ));
    assert!(!all_alike_as_published(
        Answers::Positive,
        Breakdown::Overall,
        &counts(6, 0, 0),
        10
    ));
}
use Suppression::*;

/// One-way: an overall cell plus one group per n.
fn one_way(ns: &[u64], small_org: bool) -> Vec<Option<Suppression>> {
    let mut cells = vec![(Breakdown::Overall, Group::All, ns.iter().sum())];
    for (i, &n) in ns.iter().enumerate() {
        cells.push((Breakdown::Field(0), Group::One(Some(i as u32)), n));
    }
    decide(&cells, 10, small_org, &[])
        .into_iter()
        .skip(1)
        .collect()
}

#[test]
fn one_small_group_takes_the_next_smallest_with_it() {
    assert_eq!(
        one_way(&[50, 4, 30, 12], false),
        [None, Some(Primary), None, Some(Secondary)]
    );
}

#[test]
fn two_small_groups_that_sum_below_threshold_need_a_third() {
    // 3 + 4 = 7 < 10: the pair could be recovered as a group of 7.
    assert_eq!(
        one_way(&[50, 3, 4, 20, 25], false),
        [None, Some(Primary), Some(Primary), Some(Secondary), None]
    );
}

#[test]
fn two_small_groups_summing_to_threshold_are_enough() {
    assert_eq!(
        one_way(&[50, 6, 4, 20], false),
        [None, Some(Primary), Some(Primary), None]
    );
}

#[test]
fn empty_categories_hide_nothing_and_need_no_protection() {
    assert_eq!(one_way(&[50, 0, 20], false), [None, Some(Primary), None]);
}

#[test]
fn small_organisation_gets_no_breakdowns() {
    assert_eq!(
        one_way(&[15, 14], true),
        [Some(SmallOrganisation), Some(SmallOrganisation)]
    );
}

#[test]
fn forced_cells_are_protected_like_any_other() {
    // A theme hidden because an item is hidden: the line rule then hides one more.
    let cells = vec![
        (Breakdown::Overall, Group::All, 100),
        (Breakdown::Field(0), Group::One(Some(0)), 50),
        (Breakdown::Field(0), Group::One(Some(1)), 30),
        (Breakdown::Field(0), Group::One(Some(2)), 20),
    ];
    let d = decide(&cells, 10, false, &[false, false, false, true]);
    assert_eq!(d, [None, None, Some(Secondary), Some(Secondary)]);
}

/// A 3 × 3 cross with one-way totals.
fn cross(grid: [[u64; 3]; 3]) -> Vec<Option<Suppression>> {
    let total: u64 = grid.iter().flatten().sum();
    let mut cells = vec![(Breakdown::Overall, Group::All, total)];
    for (x, row) in grid.iter().enumerate() {
        cells.push((
            Breakdown::Field(0),
            Group::One(Some(x as u32)),
            row.iter().sum(),
        ));
    }
    for y in 0..3 {
        cells.push((
            Breakdown::Field(1),
            Group::One(Some(y as u32)),
            grid.iter().map(|r| r[y]).sum(),
        ));
    }
    for (x, row) in grid.iter().enumerate() {
        for (y, &n) in row.iter().enumerate() {
            cells.push((
                Breakdown::Cross(0, 1),
                Group::Two(Some(x as u32), Some(y as u32)),
                n,
            ));
        }
    }
    decide(&cells, 10, false, &[])
}

#[test]
fn a_small_cross_cell_is_protected_in_its_row_and_its_column() {
    let d = cross([[40, 40, 3], [40, 40, 40], [40, 40, 40]]);
    let grid: Vec<_> = d[7..].to_vec();
    // (0,2) primary; its row needs another hidden cell, so does its column; then those
    // cells' own column/row need partners: a rectangle of four hidden cells.
    assert_eq!(grid.iter().filter(|s| s.is_some()).count(), 4, "{grid:?}");
    assert_eq!(grid[2], Some(Primary));
    for line in [
        [0, 1, 2],
        [3, 4, 5],
        [6, 7, 8],
        [0, 3, 6],
        [1, 4, 7],
        [2, 5, 8],
    ] {
        let hidden = line.iter().filter(|&&i| grid[i].is_some()).count();
        assert!(
            hidden != 1,
            "line {line:?} has a single hidden cell: {grid:?}"
        );
    }
}

#[test]
fn a_row_whose_total_is_hidden_is_hidden_whole() {
    // Row 0 totals 8 < 10, so its one-way figure is primary-suppressed.
    let d = cross([[3, 3, 2], [40, 40, 40], [40, 40, 40]]);
    assert_eq!(d[1], Some(Primary), "row 0's one-way total");
    assert!(d[7..10].iter().all(|s| s.is_some()));
}

#[test]
fn a_merged_column_is_protected_against_its_members_groups() {
    // Grades g1 (4: too few), g2 (40), g3 (12); the cross directorate × grade merges g1 and
    // g2. One-way: g1 withheld, g3 beside it (the cheaper). The merged column's cells (24 and
    // 20) are each above the threshold, but published together they add up to g1 + g2, and
    // g2 is published: g1 = 44 − 40 = 4. Only the merge's line says so; the cross must pay.
    let m = crate::indicators::merged(&[0, 1]);
    let keys: Vec<(Breakdown, Group, u64)> = vec![
        (Breakdown::Overall, Group::All, 56),
        (Breakdown::Field(0), Group::One(Some(0)), 30),
        (Breakdown::Field(0), Group::One(Some(1)), 26),
        (Breakdown::Field(1), Group::One(Some(0)), 4),
        (Breakdown::Field(1), Group::One(Some(1)), 40),
        (Breakdown::Field(1), Group::One(Some(2)), 12),
        (Breakdown::Cross(0, 1), Group::Two(Some(0), Some(m)), 24),
        (Breakdown::Cross(0, 1), Group::Two(Some(0), Some(2)), 6),
        (Breakdown::Cross(0, 1), Group::Two(Some(1), Some(m)), 20),
        (Breakdown::Cross(0, 1), Group::Two(Some(1), Some(2)), 6),
    ];
    let values: Vec<Vec<f64>> = keys.iter().map(|k| vec![k.2 as f64]).collect();
    let upper = vec![None; keys.len()];
    let seen = Seen {
        values: &values,
        upper: &upper,
        sizes: true,
        hide_last: None,
    };
    let d = hierarchy::decide_safe(&keys, 10, false, &[], &seen);
    assert_eq!(d.len(), keys.len());
    let shown = |i: usize| d[i].is_none();
    assert!(shown(0) && shown(1) && shown(2) && shown(4), "{d:?}");
    assert_eq!(d[3], Some(Suppression::Primary));
    assert!(
        !(shown(6) && shown(8)),
        "the merged column gives g1 away: {d:?}"
    );
    // The attacker, told the merge adds up to g1 + g2, recovers nothing.
    let mut family = attack::Family {
        counts: 1,
        cells: (0..keys.len())
            .map(|i| attack::Cell {
                published: shown(i).then(|| values[i].clone()),
                size: match d[i] {
                    Some(Suppression::Primary) => attack::Size::Below,
                    Some(_) => attack::Size::AtLeast,
                    None => attack::Size::Any,
                },
                upper: None,
            })
            .collect(),
        ..Default::default()
    };
    family.cells.push(attack::Cell {
        published: None,
        size: attack::Size::Sum,
        upper: None,
    });
    family.lines = vec![
        (0, vec![1, 2]),
        (0, vec![3, 4, 5]),
        (1, vec![6, 7]),
        (2, vec![8, 9]),
        (5, vec![7, 9]),
        (10, vec![6, 8]),
        (10, vec![3, 4]),
    ];
    assert_eq!(attack::attack(&family, 10).leaks, vec![]);
    // With the merged column published, the same attacker finds g1.
    for i in [6, 8] {
        family.cells[i].published = Some(values[i].clone());
    }
    let leaks = attack::attack(&family, 10).leaks;
    assert!(
        leaks.iter().any(|l| l.cell == 3 && l.value == 4.0),
        "{leaks:?}"
    );
}
