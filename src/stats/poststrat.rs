//! Post-stratification: each respondent weighted by the staff per respondent of their cell of
//! a joint table (e.g. directorate × grade), so the weights reproduce every cell's headcount,
//! not only the margins' as raking does.
//!
//! Collapsing rule (stated in the methodology): cells are taken in blocks that agree on every
//! margin but the last (a directorate's grades), in the last margin's order. Within a block,
//! consecutive cells are pooled until the pool has at least `min_cell` respondents and some
//! staff; a short pool left at the end joins the pool before it. A block with fewer than
//! `min_cell` respondents in all is one pool. Each pool's weight is its staff over its
//! respondents, so a pool reproduces its own total and an uncollapsed cell its cell's total
//! exactly. Respondents who left a margin blank cannot be placed: they take the average weight
//! (all staff placed over all respondents placed), counting as a typical respondent.

/// One cell of the joint table.
#[derive(Debug, Clone, PartialEq)]
pub struct CellTarget {
    /// The block the cell belongs to (cells agreeing on every margin but the last).
    pub block: usize,
    /// Staff in post in the cell.
    pub staff: f64,
}

/// The weights and how the cells were pooled.
#[derive(Debug, Clone, PartialEq)]
pub struct PostStratified {
    /// One per respondent.
    pub weights: Vec<f64>,
    /// For each cell, the pool it ended in (cells in one pool share a weight).
    pub pool_of: Vec<usize>,
    /// Cells pooled with at least one other cell.
    pub collapsed: usize,
}

/// Why the cells cannot carry weights.
#[derive(Debug, Clone, PartialEq)]
pub enum PostStratError {
    /// A block has staff but no respondent at all: nobody can stand for them.
    EmptyBlock { block: usize },
    /// No respondent could be placed in a cell.
    NobodyPlaced,
}

/// Pool one block's cells in order until each pool has `min_cell` respondents and some
/// staff; a short pool at the end joins the one before it (or, alone, is the block's pool).
fn pool_block(
    n: &[u64],
    cells: &[CellTarget],
    block: std::ops::Range<usize>,
    min_cell: u64,
    pools: &mut Vec<(u64, f64)>,
    pool_of: &mut [usize],
) {
    let (start, end) = (block.start, block.end);
    let first_pool = pools.len();
    let (mut acc_n, mut acc_staff) = (0u64, 0.0);
    let mut members: Vec<usize> = Vec::new();
    for i in start..end {
        acc_n += n[i];
        acc_staff += cells[i].staff;
        members.push(i);
        if acc_n >= min_cell && acc_staff > 0.0 {
            for &m in &members {
                pool_of[m] = pools.len();
            }
            pools.push((acc_n, acc_staff));
            members.clear();
            acc_n = 0;
            acc_staff = 0.0;
        }
    }
    if !members.is_empty() {
        if pools.len() > first_pool {
            // A short pool at the end joins the one before it.
            let last = pools.len() - 1;
            pools[last].0 += acc_n;
            pools[last].1 += acc_staff;
            for &m in &members {
                pool_of[m] = last;
            }
        } else {
            // The whole block is smaller than min_cell: one pool.
            for &m in &members {
                pool_of[m] = pools.len();
            }
            pools.push((acc_n, acc_staff));
        }
    }
}

/// Weight respondents to cells. `cell_of[i]` is respondent i's cell (an index into
/// `cells`), or `None` when they left a margin blank; cells are listed block by block, each
/// block's cells in the last margin's order.
pub fn post_stratify(
    cell_of: &[Option<usize>],
    cells: &[CellTarget],
    min_cell: u64,
) -> Result<PostStratified, PostStratError> {
    let mut n = vec![0u64; cells.len()];
    for c in cell_of.iter().flatten() {
        n[*c] += 1;
    }
    // Pools, block by block.
    let mut pool_of = vec![0usize; cells.len()];
    let mut pools: Vec<(u64, f64)> = Vec::new(); // (respondents, staff)
    let mut start = 0;
    while start < cells.len() {
        let block = cells[start].block;
        let end = (start..cells.len())
            .find(|&i| cells[i].block != block)
            .unwrap_or(cells.len());
        let (block_n, block_staff): (u64, f64) =
            (start..end).fold((0, 0.0), |(a, b), i| (a + n[i], b + cells[i].staff));
        if block_n == 0 {
            if block_staff > 0.0 {
                return Err(PostStratError::EmptyBlock { block });
            }
            // No staff and no respondents: nothing to weight.
            for p in pool_of.iter_mut().take(end).skip(start) {
                *p = pools.len();
            }
            pools.push((0, 0.0));
            start = end;
            continue;
        }
        pool_block(&n, cells, start..end, min_cell, &mut pools, &mut pool_of);
        start = end;
    }
    let placed: u64 = n.iter().sum();
    if placed == 0 {
        return Err(PostStratError::NobodyPlaced);
    }
    let staff_placed: f64 = pools.iter().map(|p| p.1).sum();
    let average = staff_placed / placed as f64;
    let weights = cell_of
        .iter()
        .map(|c| match c {
            Some(c) => {
                let (pn, ps) = pools[pool_of[*c]];
                if pn > 0 { ps / pn as f64 } else { average }
            }
            None => average,
        })
        .collect();
    let mut size = vec![0usize; pools.len()];
    for &p in &pool_of {
        size[p] += 1;
    }
    let collapsed = pool_of.iter().filter(|&&p| size[p] > 1).count();
    Ok(PostStratified {
        weights,
        pool_of,
        collapsed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(block: usize, staff: f64) -> CellTarget {
        CellTarget { block, staff }
    }

    #[test]
    fn every_cell_with_enough_respondents_gets_its_staff_per_respondent() {
        // Two directorates × two grades: A×1 (staff 40, 8 answered), A×2 (20, 5), B×1 (30, 6),
        // B×2 (10, 5); one respondent left the grade blank.
        let cells = [cell(0, 40.0), cell(0, 20.0), cell(1, 30.0), cell(1, 10.0)];
        let mut cell_of = Vec::new();
        for (c, n) in [(0, 8), (1, 5), (2, 6), (3, 5)] {
            cell_of.extend(std::iter::repeat_n(Some(c), n));
        }
        cell_of.push(None);
        let p = post_stratify(&cell_of, &cells, 5).unwrap();
        assert_eq!(p.collapsed, 0);
        // By hand: 40/8 = 5, 20/5 = 4, 30/6 = 5, 10/5 = 2; the unplaced respondent takes
        // 100 staff / 24 placed = 4.1666...
        assert_eq!(&p.weights[..8], &[5.0; 8]);
        assert_eq!(&p.weights[8..13], &[4.0; 5]);
        assert_eq!(&p.weights[13..19], &[5.0; 6]);
        assert_eq!(&p.weights[19..24], &[2.0; 5]);
        assert!((p.weights[24] - 100.0 / 24.0).abs() < 1e-12);
        // Each cell's weights add up to its staff exactly.
        for (c, t) in cells.iter().enumerate() {
            let sum: f64 = cell_of
                .iter()
                .zip(&p.weights)
                .filter(|(x, _)| **x == Some(c))
                .map(|(_, w)| w)
                .sum();
            assert_eq!(sum, t.staff);
        }
    }

    #[test]
    fn small_cells_pool_with_their_neighbours_within_the_block() {
        // One block of three grades: 2, 9 and 1 respondents for 10, 30 and 5 staff, min 5.
        // Grade 1 (2) is pooled with grade 2 (9): 11 ≥ 5, weight 40/11; grade 3 (1) is left
        // short at the end and joins that pool: 45 staff over 12 respondents.
        let cells = [cell(0, 10.0), cell(0, 30.0), cell(0, 5.0)];
        let cell_of: Vec<Option<usize>> = [0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2]
            .into_iter()
            .map(Some)
            .collect();
        let p = post_stratify(&cell_of, &cells, 5).unwrap();
        assert_eq!(p.collapsed, 3);
        assert!(p.weights.iter().all(|&w| (w - 45.0 / 12.0).abs() < 1e-12));
        // A block of 4 respondents (under 5) is one pool; a block with staff and nobody who
        // answered cannot be weighted.
        let p = post_stratify(
            &[Some(0), Some(0), Some(1), Some(1)],
            &[cell(0, 2.0), cell(0, 12.0)],
            5,
        )
        .unwrap();
        assert!(p.weights.iter().all(|&w| (w - 14.0 / 4.0).abs() < 1e-12));
        assert_eq!(
            post_stratify(&[Some(0)], &[cell(0, 3.0), cell(1, 4.0)], 1),
            Err(PostStratError::EmptyBlock { block: 1 })
        );
    }
}
