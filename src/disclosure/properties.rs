use super::*;
use proptest::prelude::*;

/// What the audit checks: in every line whose total is published, what the hidden cells
/// hold together (the total minus the published cells) is nothing, or is spread over at
/// least two hidden cells and is at least k. (An attacker does not know which hidden
/// cells are empty, so an empty hidden cell still counts as a hiding place.)
fn line_ok(ns: &[u64], hidden: &[bool], k: u64) -> bool {
    let rest: u64 = ns
        .iter()
        .zip(hidden)
        .filter(|(_, h)| **h)
        .map(|(n, _)| *n)
        .sum();
    let count = hidden.iter().filter(|h| **h).count();
    rest == 0 || (count >= 2 && rest >= k)
}

proptest! {
    #[test]
    fn no_published_cell_is_small_or_recoverable(
        rows in 1usize..5,
        cols in 1usize..5,
        seed in proptest::collection::vec(prop_oneof![0u64..6, 0u64..15, 0u64..120], 25),
        k in 2u32..12,
    ) {
        let grid: Vec<Vec<u64>> = (0..rows).map(|x| (0..cols).map(|y| seed[x * 5 + y]).collect()).collect();
        let total: u64 = grid.iter().flatten().sum();
        let mut cells = vec![(Breakdown::Overall, Group::All, total)];
        for (x, r) in grid.iter().enumerate() {
            cells.push((Breakdown::Field(0), Group::One(Some(x as u32)), r.iter().sum()));
        }
        for y in 0..cols {
            cells.push((Breakdown::Field(1), Group::One(Some(y as u32)), grid.iter().map(|r| r[y]).sum()));
        }
        for (x, r) in grid.iter().enumerate() {
            for (y, &n) in r.iter().enumerate() {
                cells.push((Breakdown::Cross(0, 1), Group::Two(Some(x as u32), Some(y as u32)), n));
            }
        }
        let d = decide(&cells, k, false, &[]);
        let k = u64::from(k);
        for (c, s) in cells.iter().zip(&d) {
            prop_assert!(s.is_some() || c.2 >= k, "published n={} < {k}", c.2);
        }
        if d[0].is_none() {
            let row_tot: Vec<u64> = (1..=rows).map(|i| cells[i].2).collect();
            let row_hidden: Vec<bool> = (1..=rows).map(|i| d[i].is_some()).collect();
            prop_assert!(line_ok(&row_tot, &row_hidden, k), "first field");
            let col_tot: Vec<u64> = (rows + 1..=rows + cols).map(|i| cells[i].2).collect();
            let col_hidden: Vec<bool> = (rows + 1..=rows + cols).map(|i| d[i].is_some()).collect();
            prop_assert!(line_ok(&col_tot, &col_hidden, k), "second field");
            let base = 1 + rows + cols;
            for x in 0..rows {
                if d[1 + x].is_none() {
                    let ns: Vec<u64> = (0..cols).map(|y| grid[x][y]).collect();
                    let hs: Vec<bool> = (0..cols).map(|y| d[base + x * cols + y].is_some()).collect();
                    prop_assert!(line_ok(&ns, &hs, k), "row {x}: {ns:?} {hs:?}");
                }
            }
            for y in 0..cols {
                if d[1 + rows + y].is_none() {
                    let ns: Vec<u64> = (0..rows).map(|x| grid[x][y]).collect();
                    let hs: Vec<bool> = (0..rows).map(|x| d[base + x * cols + y].is_some()).collect();
                    prop_assert!(line_ok(&ns, &hs, k), "column {y}: {ns:?} {hs:?}");
                }
            }
        }
    }
}
