//! Disclosure control: the stage between computation and every writer.
//!
//! Writers only accept [`ProtectedItem`]s, which only this module can make, so no table can
//! be written that skipped it. Rules (see `methodology.md`):
//! - **primary**: no figure rests on fewer than the threshold of valid answers (per figure:
//!   an item with 8 valid answers in a group of 12 is hidden);
//! - **secondary**: within a breakdown, the hidden cells together must hold at least the
//!   threshold and be at least two non-empty cells, or the next-smallest cell is hidden too,
//!   so no hidden cell can be recovered as "overall minus the published groups";
//! - **small organisation**: no breakdowns at all when a wave has fewer than 30 respondents.
//!
//! Suppressed values are removed, not just flagged.

use crate::indicators::items::ItemCounts;
use crate::indicators::{Breakdown, Group};

/// Fewer respondents than this in a wave: no demographic breakdowns (Victorian People Matter).
pub const MIN_RESPONDENTS_FOR_BREAKDOWNS: u64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Suppression {
    /// Fewer valid answers than the threshold.
    Primary,
    /// Hidden so that a primary-suppressed cell cannot be recovered by subtraction.
    Secondary,
    /// The wave has too few respondents for any breakdown.
    SmallOrganisation,
}

impl Suppression {
    /// The UK official-statistics marker shown in place of suppressed values.
    pub const MARK: &'static str = "[c]";

    pub fn code(self) -> &'static str {
        match self {
            Suppression::Primary => "primary",
            Suppression::Secondary => "secondary",
            Suppression::SmallOrganisation => "small_organisation",
        }
    }
}

/// The visible part of an item result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemValues {
    pub positive: u64,
    pub neutral: u64,
    pub negative: u64,
}

impl ItemValues {
    pub fn n(&self) -> u64 {
        self.positive + self.neutral + self.negative
    }
    pub fn pct(&self, count: u64) -> Option<f64> {
        let n = self.n();
        (n > 0).then(|| 100.0 * count as f64 / n as f64)
    }
}

/// An item result that has been through disclosure control.
#[derive(Debug, Clone, PartialEq)]
pub struct ProtectedItem {
    pub wave: String,
    pub item: usize,
    pub breakdown: Breakdown,
    pub group: Group,
    /// `None` when suppressed: the numbers are gone, not hidden.
    pub values: Option<ItemValues>,
    pub suppression: Option<Suppression>,
    sealed: Sealed,
}

/// Only this module can make a [`ProtectedItem`].
#[derive(Debug, Clone, PartialEq)]
struct Sealed;

/// Counts of cells by outcome, for the disclosure summary table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub published: usize,
    pub primary: usize,
    pub secondary: usize,
    pub small_organisation: usize,
}

/// Apply primary, secondary and small-organisation suppression to item counts.
/// `respondents` gives each wave's number of accepted responses.
pub fn protect_items(
    cells: Vec<ItemCounts>,
    threshold: u32,
    respondents: &dyn Fn(&str) -> u64,
) -> (Vec<ProtectedItem>, Summary) {
    let k = u64::from(threshold);
    let mut decision: Vec<Option<Suppression>> = cells
        .iter()
        .map(|c| {
            if c.breakdown != Breakdown::Overall
                && respondents(&c.wave) < MIN_RESPONDENTS_FOR_BREAKDOWNS
            {
                Some(Suppression::SmallOrganisation)
            } else if c.n() < k {
                Some(Suppression::Primary)
            } else {
                None
            }
        })
        .collect();

    // Secondary suppression, one partition (wave, item, breakdown) at a time. Cells of a
    // partition are contiguous in the indicators' output order.
    let mut start = 0;
    while start < cells.len() {
        fn key(c: &ItemCounts) -> (&str, usize, Breakdown) {
            (c.wave.as_str(), c.item, c.breakdown)
        }
        let mut end = start + 1;
        while end < cells.len() && key(&cells[end]) == key(&cells[start]) {
            end += 1;
        }
        if cells[start].breakdown != Breakdown::Overall {
            secondary(&cells[start..end], &mut decision[start..end], k);
        }
        start = end;
    }

    let mut summary = Summary::default();
    let out = cells
        .into_iter()
        .zip(decision)
        .map(|(c, s)| {
            match s {
                None => summary.published += 1,
                Some(Suppression::Primary) => summary.primary += 1,
                Some(Suppression::Secondary) => summary.secondary += 1,
                Some(Suppression::SmallOrganisation) => summary.small_organisation += 1,
            }
            ProtectedItem {
                values: s.is_none().then_some(ItemValues {
                    positive: c.positive,
                    neutral: c.neutral,
                    negative: c.negative,
                }),
                wave: c.wave,
                item: c.item,
                breakdown: c.breakdown,
                group: c.group,
                suppression: s,
                sealed: Sealed,
            }
        })
        .collect();
    (out, summary)
}

/// Hide more cells of one partition until the hidden non-empty cells number at least two and
/// together hold at least `k` answers (or everything is hidden).
fn secondary(cells: &[ItemCounts], decision: &mut [Option<Suppression>], k: u64) {
    loop {
        let hidden: Vec<u64> = cells
            .iter()
            .zip(decision.iter())
            .filter(|(c, d)| d.is_some() && c.n() > 0)
            .map(|(c, _)| c.n())
            .collect();
        if hidden.is_empty() || (hidden.len() >= 2 && hidden.iter().sum::<u64>() >= k) {
            return;
        }
        // Next-smallest published cell (first in order on ties).
        let next = cells
            .iter()
            .enumerate()
            .filter(|(i, c)| decision[*i].is_none() && c.n() > 0)
            .min_by_key(|(i, c)| (c.n(), *i))
            .map(|(i, _)| i);
        match next {
            Some(i) => decision[i] = Some(Suppression::Secondary),
            None => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(group: Group, breakdown: Breakdown, n: u64) -> ItemCounts {
        ItemCounts {
            wave: "2025".into(),
            item: 0,
            breakdown,
            group,
            positive: n / 2,
            neutral: 0,
            negative: n - n / 2,
            excluded: 0,
        }
    }

    fn run(ns: &[u64], respondents: u64) -> Vec<Option<Suppression>> {
        let total: u64 = ns.iter().sum();
        let mut cells = vec![cell(Group::All, Breakdown::Overall, total)];
        for (i, &n) in ns.iter().enumerate() {
            cells.push(cell(Group::Category(i as u32), Breakdown::Field(0), n));
        }
        let (out, _) = protect_items(cells, 10, &|_| respondents);
        out.into_iter().skip(1).map(|p| p.suppression).collect()
    }

    use Suppression::*;

    #[test]
    fn one_small_group_takes_the_next_smallest_with_it() {
        assert_eq!(
            run(&[50, 4, 30, 12], 200),
            [None, Some(Primary), None, Some(Secondary)]
        );
    }

    #[test]
    fn two_small_groups_that_sum_below_threshold_need_a_third() {
        // 3 + 4 = 7 < 10: the pair could be recovered as a group of 7.
        assert_eq!(
            run(&[50, 3, 4, 20, 25], 200),
            [None, Some(Primary), Some(Primary), Some(Secondary), None]
        );
    }

    #[test]
    fn two_small_groups_summing_to_threshold_are_enough() {
        assert_eq!(
            run(&[50, 6, 4, 20], 200),
            [None, Some(Primary), Some(Primary), None]
        );
    }

    #[test]
    fn empty_categories_hide_nothing_and_need_no_protection() {
        assert_eq!(run(&[50, 0, 20], 200), [None, Some(Primary), None]);
    }

    #[test]
    fn small_organisation_gets_no_breakdowns() {
        assert_eq!(
            run(&[15, 14], 29),
            [Some(SmallOrganisation), Some(SmallOrganisation)]
        );
    }

    #[test]
    fn suppressed_values_are_removed_not_flagged() {
        let cells = vec![
            cell(Group::All, Breakdown::Overall, 30),
            cell(Group::Category(0), Breakdown::Field(0), 25),
            cell(Group::Category(1), Breakdown::Field(0), 5),
        ];
        let (out, summary) = protect_items(cells, 10, &|_| 100);
        assert!(out[2].values.is_none() && out[1].values.is_none());
        assert_eq!(out[0].values.unwrap().n(), 30);
        assert_eq!(
            summary,
            Summary {
                published: 1,
                primary: 1,
                secondary: 1,
                small_organisation: 0
            }
        );
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn cells(ns: &[u64]) -> Vec<ItemCounts> {
        let mk = |group, breakdown, n: u64| ItemCounts {
            wave: "w".into(),
            item: 0,
            breakdown,
            group,
            positive: n / 3,
            neutral: n / 3,
            negative: n - 2 * (n / 3),
            excluded: 0,
        };
        let mut v = vec![mk(Group::All, Breakdown::Overall, ns.iter().sum())];
        for (i, &n) in ns.iter().enumerate() {
            v.push(mk(Group::Category(i as u32), Breakdown::Field(0), n));
        }
        v
    }

    proptest! {
        #[test]
        fn nothing_published_below_threshold_and_nothing_recoverable(
            ns in proptest::collection::vec(prop_oneof![0u64..12, 0u64..200], 1..12),
            k in 2u32..15,
        ) {
            let total: u64 = ns.iter().sum();
            let (out, summary) = protect_items(cells(&ns), k, &|_| total);
            let k = u64::from(k);
            // No published figure rests on fewer than k answers.
            for p in &out {
                if let Some(v) = p.values {
                    prop_assert!(v.n() >= k, "published n={} < {k}", v.n());
                }
            }
            let groups = &out[1..];
            let hidden: Vec<u64> = groups
                .iter()
                .zip(&ns)
                .filter(|(p, n)| p.values.is_none() && **n > 0)
                .map(|(_, n)| *n)
                .collect();
            // What can be recovered by subtraction is the hidden cells' total (overall minus
            // the published groups, when the overall is published): it must cover at least
            // two people-bearing cells and at least k answers, or be empty.
            if out[0].values.is_some() && !hidden.is_empty() && hidden.len() < ns.iter().filter(|&&n| n > 0).count() {
                prop_assert!(hidden.len() >= 2, "a single hidden cell is recoverable: {ns:?}");
                prop_assert!(hidden.iter().sum::<u64>() >= k, "hidden total below k: {ns:?}");
            }
            prop_assert_eq!(
                summary.published + summary.primary + summary.secondary + summary.small_organisation,
                out.len()
            );
        }
    }
}
