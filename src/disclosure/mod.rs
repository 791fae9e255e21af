//! Disclosure control: the stage between computation and every writer.
//!
//! Writers only accept [`Protected`] cells, which only this module can make, so no table can
//! be written that skipped it. For each wave and measure (an item, an indicator, or the
//! response count), following `methodology.md`:
//! - **primary**: no figure rests on fewer than the threshold (per figure: an item with 8 valid
//!   answers in a group of 12 is hidden);
//! - **small organisation**: no breakdowns at all when a wave has fewer than 30 respondents;
//! - **secondary**, one-way: within a breakdown, the hidden non-empty groups must number at
//!   least two and hold at least the threshold together, or the next-smallest group is hidden
//!   too, so that "overall minus the published groups" never isolates a small group;
//! - **secondary**, two-way crosses: a row (or column) whose one-way total is hidden is hidden
//!   whole; every other row and column obeys the one-way rule against its published total;
//!   rows and columns are revisited until nothing changes;
//! - **consistency**: a theme score (a mean of item percentages) is hidden wherever one of its
//!   items is, and eNPS / yes-rates follow their item, so no hidden item can be solved for.
//!
//! Suppressed values are removed, not just flagged. `audit` checks the written tables
//! independently.

pub mod attack;
pub mod redact;

use crate::ids::WaveId;
use crate::indicators::statistics::{IndicatorStats, ItemStats};
use crate::indicators::{Breakdown, Cell, Group};
use crate::schema::{Method, Schema};
use std::collections::{BTreeMap, HashMap};

/// Whether a group smaller than `below` answered a question all alike (0% or 100% positive or
/// negative), which tells each member's answer: the attribute rule's test.
pub fn all_alike(
    breakdown: Breakdown,
    counts: &crate::indicators::aggregates::ItemCounts,
    below: u64,
) -> bool {
    all_alike_as_published(Answers::Each, breakdown, counts, below)
}

/// [`all_alike`] for what a table publishes of the answers: with only % positive (member
/// feedback), all positive or none tells each answer.
fn all_alike_as_published(
    answers: Answers,
    breakdown: Breakdown,
    counts: &crate::indicators::aggregates::ItemCounts,
    below: u64,
) -> bool {
    let n = counts.positive + counts.neutral + counts.negative;
    let readable: &[u64] = match answers {
        Answers::Each => &[counts.positive, counts.negative],
        Answers::Positive => &[counts.positive],
    };
    breakdown != Breakdown::Overall
        && n > 0
        && n < below
        && readable.iter().any(|&x| x == 0 || x == n)
}

/// Fewer respondents than this in a wave: no demographic breakdowns (Victorian People Matter).
pub const MIN_RESPONDENTS_FOR_BREAKDOWNS: u64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Suppression {
    /// Fewer valid answers than the threshold.
    Primary,
    /// Hidden so that another hidden figure cannot be recovered.
    Secondary,
    /// The wave has too few respondents for any breakdown, or the whole organisation's
    /// figure is itself withheld, so no group's is shown.
    SmallOrganisation,
    /// Withheld, either reason (too few, or to protect another figure) and not saying which:
    /// where groups are as small as member feedback's committees, "too few" bounds a hidden
    /// count so tightly that subtraction recovers it.
    Confidential,
}

impl Suppression {
    /// The UK official-statistics marker shown in place of suppressed values.
    pub const MARK: &'static str = "[c]";

    pub fn code(self) -> &'static str {
        match self {
            Suppression::Primary => "primary",
            Suppression::Secondary => "secondary",
            Suppression::SmallOrganisation => "small_organisation",
            Suppression::Confidential => "confidential",
        }
    }
}

/// A figure that has been through disclosure control.
#[derive(Debug, Clone, PartialEq)]
pub struct Protected<T> {
    pub wave: WaveId,
    pub measure: usize,
    pub breakdown: Breakdown,
    pub group: Group,
    /// `None` when suppressed: the numbers are gone, not hidden.
    pub n: Option<u64>,
    pub stats: Option<T>,
    pub suppression: Option<Suppression>,
    sealed: Sealed,
}

/// Only this module can make a [`Protected`] figure.
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

impl Summary {
    fn add(&mut self, s: Option<Suppression>) {
        match s {
            None => self.published += 1,
            Some(Suppression::Primary) => self.primary += 1,
            Some(Suppression::Secondary) => self.secondary += 1,
            Some(Suppression::SmallOrganisation) => self.small_organisation += 1,
            // Cells are counted by their reason before it is replaced by this one.
            Some(Suppression::Confidential) => self.secondary += 1,
        }
    }
}

/// Hide more cells of one line (cells that add up to a published total) until the hidden
/// non-empty cells number at least two and hold at least `k` together, or none is hidden.
/// Returns whether anything changed.
fn enforce_line(line: &[usize], n: &[u64], d: &mut [Option<Suppression>], k: u64) -> bool {
    let mut changed = false;
    loop {
        let hidden: Vec<u64> = line
            .iter()
            .filter(|&&i| d[i].is_some() && n[i] > 0)
            .map(|&i| n[i])
            .collect();
        if hidden.is_empty() || (hidden.len() >= 2 && hidden.iter().sum::<u64>() >= k) {
            return changed;
        }
        // Next-smallest published non-empty cell (first in order on ties).
        let next = line
            .iter()
            .copied()
            .filter(|&i| d[i].is_none() && n[i] > 0)
            .min_by_key(|&i| (n[i], i));
        match next {
            Some(i) => {
                d[i] = Some(Suppression::Secondary);
                changed = true;
            }
            None => return changed,
        }
    }
}

/// Decide suppression for every cell of one wave and one measure. `cells` are
/// (breakdown, group, n); `forced[i]` hides a cell for consistency with another table.
pub fn decide(
    cells: &[(Breakdown, Group, u64)],
    k: u32,
    small_org: bool,
    forced: &[bool],
) -> Vec<Option<Suppression>> {
    let k = u64::from(k);
    let n: Vec<u64> = cells.iter().map(|c| c.2).collect();
    let mut d: Vec<Option<Suppression>> = cells
        .iter()
        .enumerate()
        .map(|(i, &(b, _, n))| {
            if b != Breakdown::Overall && small_org {
                Some(Suppression::SmallOrganisation)
            } else if n < k {
                Some(Suppression::Primary)
            } else if forced.get(i).copied().unwrap_or(false) {
                Some(Suppression::Secondary)
            } else {
                None
            }
        })
        .collect();
    let overall_hidden = cells
        .iter()
        .zip(&d)
        .any(|(c, s)| c.0 == Breakdown::Overall && s.is_some());
    if overall_hidden {
        // No breakdown of a figure the whole organisation cannot have: every group is
        // withheld for the same reason, so the reasons say nothing about any group's size
        // (a mix of primary and secondary would: see `attack`).
        for (c, s) in cells.iter().zip(d.iter_mut()) {
            if c.0 != Breakdown::Overall {
                *s = Some(Suppression::SmallOrganisation);
            }
        }
        return d;
    }

    let mut lines: BTreeMap<Breakdown, Vec<usize>> = BTreeMap::new();
    for (i, c) in cells.iter().enumerate() {
        lines.entry(c.0).or_default().push(i);
    }
    // One-way breakdowns: each adds up to the (published) overall figure.
    for (b, line) in &lines {
        if matches!(b, Breakdown::Field(_)) {
            enforce_line(line, &n, &mut d, k);
        }
    }
    // Two-way crosses: rows add up to the first field's groups, columns to the second's.
    let margin_hidden: HashMap<(usize, Option<u32>), bool> = cells
        .iter()
        .zip(&d)
        .filter_map(|(c, s)| match (c.0, c.1) {
            (Breakdown::Field(f), Group::One(x)) => Some(((f, x), s.is_some())),
            _ => None,
        })
        .collect();
    for (b, members) in &lines {
        let Breakdown::Cross(fa, fb) = *b else {
            continue;
        };
        let mut rows: BTreeMap<Option<u32>, Vec<usize>> = BTreeMap::new();
        let mut cols: BTreeMap<Option<u32>, Vec<usize>> = BTreeMap::new();
        for &i in members {
            if let Group::Two(x, y) = cells[i].1 {
                rows.entry(x).or_default().push(i);
                cols.entry(y).or_default().push(i);
            }
        }
        let hidden_total =
            |f: usize, x: Option<u32>| margin_hidden.get(&(f, x)).copied().unwrap_or(false);
        for (x, line) in &rows {
            if hidden_total(fa, *x) {
                for &i in line {
                    d[i].get_or_insert(Suppression::Secondary);
                }
            }
        }
        for (y, line) in &cols {
            if hidden_total(fb, *y) {
                for &i in line {
                    d[i].get_or_insert(Suppression::Secondary);
                }
            }
        }
        loop {
            let mut changed = false;
            for (x, line) in &rows {
                if !hidden_total(fa, *x) {
                    changed |= enforce_line(line, &n, &mut d, k);
                }
            }
            for (y, line) in &cols {
                if !hidden_total(fb, *y) {
                    changed |= enforce_line(line, &n, &mut d, k);
                }
            }
            if !changed {
                break;
            }
        }
    }
    d
}

fn seal<T>(c: Cell<T>, s: Option<Suppression>) -> Protected<T> {
    let show = s.is_none();
    Protected {
        wave: c.wave,
        measure: c.measure,
        breakdown: c.breakdown,
        group: c.group,
        n: show.then_some(c.n),
        stats: show.then_some(c.stats),
        suppression: s,
        sealed: Sealed,
    }
}

/// Runs of cells with the same wave and measure (cells come grouped that way).
fn partitions<T>(cells: &[Cell<T>]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < cells.len() {
        let mut end = start + 1;
        while end < cells.len()
            && cells[end].wave == cells[start].wave
            && cells[end].measure == cells[start].measure
        {
            end += 1;
        }
        out.push(start..end);
        start = end;
    }
    out
}

/// The protected tables of a run.
#[derive(Debug, Clone, Default)]
pub struct ProtectedTables {
    pub items: Vec<Protected<ItemStats>>,
    pub indicators: Vec<Protected<IndicatorStats>>,
    /// Respondents per group (for response rates).
    pub responses: Vec<Protected<()>>,
    /// Staff in post per group (HR's headcount, `n`), where the HR file describes the group:
    /// withheld with the group's responses and wherever else subtraction would tell one.
    pub headcounts: Vec<Protected<()>>,
    /// Comment themes: coded respondents and mentions per group.
    pub themes: Vec<Protected<crate::indicators::comments::ThemeStats>>,
    /// Key driver analyses (`measure` = the outcome indicator; `n` = respondents analysed).
    pub drivers: Vec<Protected<crate::drivers::Analysis>>,
    /// Every group the driver analysis looked at, and what became of it (so a group missing
    /// from the drivers says why).
    pub driver_groups: Vec<DriverGroup>,
    pub summary: BTreeMap<&'static str, Summary>,
}

/// What became of one group in one outcome's driver analysis. Carries no count but the
/// analysed n of a published analysis (already in the drivers table).
#[derive(Debug, Clone, PartialEq)]
pub struct DriverGroup {
    pub wave: WaveId,
    pub outcome: usize,
    pub breakdown: Breakdown,
    pub group: Group,
    pub status: DriverStatus,
}

/// Why a group's drivers are, or are not, published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriverStatus {
    /// Analysed and published, on this many respondents.
    Analysed(u64),
    /// Withheld by disclosure control (the group's outcome figure or size is withheld, or
    /// showing it would let a withheld count be worked out).
    Withheld,
    /// Fewer respondents with the outcome and every driver than the analysis needs.
    TooFew,
    /// Enough respondents, but the regression could not be fitted (the themes' scores are
    /// too closely related, or do not vary).
    NotFitted,
}

impl DriverStatus {
    pub fn code(self) -> &'static str {
        match self {
            DriverStatus::Analysed(_) => "analysed",
            DriverStatus::Withheld => "withheld",
            DriverStatus::TooFew => "too_few_respondents",
            DriverStatus::NotFitted => "not_fitted",
        }
    }
}

impl ProtectedTables {
    /// Whether each group's respondent count is withheld, by (wave, breakdown, group).
    fn responses_withheld(&self) -> HashMap<(&str, Breakdown, Group), bool> {
        self.responses
            .iter()
            .map(|p| {
                (
                    (p.wave.as_str(), p.breakdown, p.group),
                    p.suppression.is_some(),
                )
            })
            .collect()
    }

    /// Protect the HR headcounts published beside the responses (response rates, weighting
    /// margins, population columns). A group's headcount is withheld with its responses (the
    /// rate would tell one from the other), and more are withheld, by the rules and the
    /// differencing attacker that protect the responses, until no withheld headcount can be
    /// worked out from the whole organisation's and the other groups'.
    pub fn protect_headcounts(
        &mut self,
        headcount: &dyn Fn(&WaveId, Breakdown, Group) -> Option<u64>,
        k: u32,
    ) {
        let cells: Vec<Cell<()>> = self
            .responses
            .iter()
            .filter_map(|p| {
                Some(Cell {
                    wave: p.wave.clone(),
                    measure: p.measure,
                    breakdown: p.breakdown,
                    group: p.group,
                    n: headcount(&p.wave, p.breakdown, p.group)?,
                    stats: (),
                })
            })
            .collect();
        let responses_hidden = self.responses_withheld();
        let forced = |c: &Cell<()>| {
            responses_hidden
                .get(&(c.wave.as_str(), c.breakdown, c.group))
                .copied()
                .unwrap_or(true)
        };
        let d = decide_all(
            &cells,
            k,
            &|_| false,
            &forced,
            &Counting {
                values: &|c: &Cell<()>| vec![c.n as f64],
                sizes: false,
                upper: &|_| None,
                attack: true,
                hide_last: None,
            },
        );
        let s = self.summary.entry("headcounts").or_default();
        for x in &d {
            s.add(*x);
        }
        self.headcounts = cells.into_iter().zip(d).map(|(c, d)| seal(c, d)).collect();
    }

    /// Whether each group's headcount is withheld, by (wave, breakdown, group); groups the HR
    /// file does not describe are absent.
    pub fn headcounts_withheld(&self) -> HashMap<(&str, Breakdown, Group), bool> {
        self.headcounts
            .iter()
            .map(|p| {
                (
                    (p.wave.as_str(), p.breakdown, p.group),
                    p.suppression.is_some(),
                )
            })
            .collect()
    }

    /// Protect key driver analyses. Each outcome's groups form lines like any breakdown, with
    /// the respondents analysed as the count: a group not analysed (too few respondents),
    /// whose outcome figure or respondent count is withheld, is hidden, and more groups are
    /// hidden until no withheld count can be recovered as "overall minus the rest".
    pub fn protect_drivers(
        &mut self,
        mut runs: Vec<crate::drivers::GroupRun>,
        k: u32,
        min_respondents: u64,
    ) {
        runs.sort_by(|a, b| {
            (a.wave.as_str(), a.outcome, a.breakdown, a.group).cmp(&(
                b.wave.as_str(),
                b.outcome,
                b.breakdown,
                b.group,
            ))
        });
        let outcome_hidden: HashMap<(&str, usize, Breakdown, Group), bool> = self
            .indicators
            .iter()
            .map(|p| {
                (
                    (p.wave.as_str(), p.measure, p.breakdown, p.group),
                    p.suppression.is_some(),
                )
            })
            .collect();
        let count_hidden = self.responses_withheld();
        let cells: Vec<Cell<Option<crate::drivers::Analysis>>> = runs
            .into_iter()
            .map(|r| Cell {
                wave: r.wave,
                measure: r.outcome,
                breakdown: r.breakdown,
                group: r.group,
                n: r.used,
                stats: r.analysis,
            })
            .collect();
        // The group's outcome figure or its respondent count is withheld elsewhere.
        let hidden_size = |c: &Cell<Option<crate::drivers::Analysis>>| {
            outcome_hidden
                .get(&(c.wave.as_str(), c.measure, c.breakdown, c.group))
                .copied()
                .unwrap_or(true)
                || count_hidden
                    .get(&(c.wave.as_str(), c.breakdown, c.group))
                    .copied()
                    .unwrap_or(false)
        };
        let forced =
            |c: &Cell<Option<crate::drivers::Analysis>>| c.stats.is_none() || hidden_size(c);
        let d = decide_all(
            &cells,
            k,
            &|_| false,
            &forced,
            &Counting {
                values: &|c: &Cell<Option<crate::drivers::Analysis>>| vec![c.n as f64],
                sizes: true,
                upper: &|_| None,
                attack: true,
                hide_last: None,
            },
        );
        // What became of every group: withheld whenever disclosure control hid it, so a
        // status never says more about a withheld group than that it is withheld.
        let driver_groups: Vec<DriverGroup> = cells
            .iter()
            .zip(&d)
            .map(|(c, decision)| {
                let status = match (&c.stats, decision) {
                    _ if hidden_size(c) => DriverStatus::Withheld,
                    (Some(_), None) => DriverStatus::Analysed(c.n),
                    (Some(_), Some(_)) => DriverStatus::Withheld,
                    (None, _) if c.n < min_respondents => DriverStatus::TooFew,
                    (None, _) => DriverStatus::NotFitted,
                };
                DriverGroup {
                    wave: c.wave.clone(),
                    outcome: c.measure,
                    breakdown: c.breakdown,
                    group: c.group,
                    status,
                }
            })
            .collect();
        self.driver_groups = driver_groups;
        let s = self.summary.entry("drivers").or_default();
        for x in &d {
            s.add(*x);
        }

        self.drivers = cells
            .into_iter()
            .zip(d)
            .filter_map(|(c, d)| {
                let p = seal(c, d);
                // Only analysed groups become rows; the others only took part in the decision.
                p.stats.as_ref()?.as_ref()?;
                Some(Protected {
                    wave: p.wave,
                    measure: p.measure,
                    breakdown: p.breakdown,
                    group: p.group,
                    n: p.n,
                    stats: p.stats.flatten(),
                    suppression: p.suppression,
                    sealed: Sealed,
                })
            })
            .collect();
    }

    /// Protect comment-theme cells: the same rules, with the coded respondents as the count;
    /// a group whose respondent count is withheld shows no theme counts either.
    pub fn protect_themes(
        &mut self,
        cells: Vec<Cell<crate::indicators::comments::ThemeStats>>,
        respondents: &HashMap<WaveId, u64>,
        k: u32,
        min_for_breakdowns: u64,
    ) {
        let small_org = |w: &str| respondents.get(w).copied().unwrap_or(0) < min_for_breakdowns;
        let hidden_group = self.responses_withheld();
        let forced = |c: &Cell<crate::indicators::comments::ThemeStats>| {
            hidden_group
                .get(&(c.wave.as_str(), c.breakdown, c.group))
                .copied()
                .unwrap_or(false)
        };
        let d = decide_all(
            &cells,
            k,
            &small_org,
            &forced,
            &Counting {
                // Coded respondents who mentioned the theme, and who did not.
                values: &|c: &Cell<crate::indicators::comments::ThemeStats>| {
                    let m = c.stats.mentions.min(c.n);
                    vec![m as f64, (c.n - m) as f64]
                },
                sizes: true,
                upper: &|_| None,
                attack: true,
                hide_last: None,
            },
        );
        let s = self.summary.entry("comment_themes").or_default();
        for x in &d {
            s.add(*x);
        }
        self.themes
            .extend(cells.into_iter().zip(d).map(|(c, d)| seal(c, d)));
    }
}

/// How a family's cells are counted for the differencing attacker.
struct Counting<'a, T> {
    /// The counts of a cell that add up across groups (an item's positive, neutral and
    /// negative answers; one count elsewhere).
    values: &'a (dyn Fn(&Cell<T>) -> Vec<f64> + Sync),
    /// Whether a withheld cell's reason tells its size (primary: below the threshold,
    /// secondary: at least the threshold). Not for counts smaller than the cell's `n`.
    sizes: bool,
    /// A published upper bound on a cell's size (its group's respondents), as readers see.
    upper: &'a (dyn Fn(&Cell<T>) -> Option<f64> + Sync),
    /// Whether to run the differencing attacker.
    attack: bool,
    /// Groups of this breakdown are hidden to protect others only when nothing else will do.
    hide_last: Option<Breakdown>,
}

fn decide_all<T: Sync>(
    cells: &[Cell<T>],
    k: u32,
    small_org: &(dyn Fn(&str) -> bool + Sync),
    forced: &(dyn Fn(&Cell<T>) -> bool + Sync),
    counting: &Counting<T>,
) -> Vec<Option<Suppression>> {
    use rayon::prelude::*;
    partitions(cells)
        .into_par_iter()
        .map(|r| {
            let part = &cells[r];
            let keys: Vec<(Breakdown, Group, u64)> =
                part.iter().map(|c| (c.breakdown, c.group, c.n)).collect();
            let f: Vec<bool> = part.iter().map(forced).collect();
            let values: Vec<Vec<f64>> = part.iter().map(|c| (counting.values)(c)).collect();
            let upper: Vec<Option<f64>> = part.iter().map(|c| (counting.upper)(c)).collect();
            if !counting.attack {
                return decide(&keys, k, small_org(part[0].wave.as_str()), &f);
            }
            decide_safe(
                &keys,
                k,
                small_org(part[0].wave.as_str()),
                &f,
                &Seen {
                    values: &values,
                    upper: &upper,
                    sizes: counting.sizes,
                    hide_last: counting.hide_last,
                },
            )
        })
        .collect::<Vec<_>>()
        .into_iter()
        .flatten()
        .collect()
}

/// The lines a family's cells make, as (total, parts): the whole organisation is the sum of
/// each field's groups; a one-way group is the sum of its row (or column) of each cross.
fn family_lines(keys: &[(Breakdown, Group, u64)]) -> Vec<(usize, Vec<usize>)> {
    let overall = keys.iter().position(|c| c.0 == Breakdown::Overall);
    let mut fields: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let mut one: HashMap<(usize, Option<u32>), usize> = HashMap::new();
    let mut rows: BTreeMap<(usize, usize, Option<u32>), Vec<usize>> = BTreeMap::new();
    let mut cols: BTreeMap<(usize, usize, Option<u32>), Vec<usize>> = BTreeMap::new();
    for (i, &(b, g, _)) in keys.iter().enumerate() {
        match (b, g) {
            (Breakdown::Field(f), Group::One(x)) => {
                fields.entry(f).or_default().push(i);
                one.insert((f, x), i);
            }
            (Breakdown::Cross(fa, fb), Group::Two(x, y)) => {
                rows.entry((fa, fb, x)).or_default().push(i);
                cols.entry((fa, fb, y)).or_default().push(i);
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Some(o) = overall {
        out.extend(fields.into_values().map(|parts| (o, parts)));
    }
    for ((fa, _, x), parts) in rows {
        if let Some(&t) = one.get(&(fa, x)) {
            out.push((t, parts));
        }
    }
    for ((_, fb, y), parts) in cols {
        if let Some(&t) = one.get(&(fb, y)) {
            out.push((t, parts));
        }
    }
    out
}

/// What the attacker reads of a family's cells, by position, and which groups to hide last.
#[derive(Clone, Copy)]
struct Seen<'a> {
    /// Each cell's counts (see [`Counting::values`]).
    values: &'a [Vec<f64>],
    /// A published upper bound on each cell's size.
    upper: &'a [Option<f64>],
    /// Whether withheld cells' reasons tell their sizes.
    sizes: bool,
    hide_last: Option<Breakdown>,
}

/// [`decide`], then more cells hidden until the differencing attacker (an LP over every line
/// of the family, knowing what each withheld cell's reason says about its size) can work out
/// no withheld count: for each value it pins down, the smallest published group that shares
/// a line with it is hidden too, and the line rules applied again.
fn decide_safe(
    keys: &[(Breakdown, Group, u64)],
    k: u32,
    small_org: bool,
    forced: &[bool],
    seen: &Seen,
) -> Vec<Option<Suppression>> {
    let Seen {
        values,
        upper,
        sizes,
        hide_last,
    } = *seen;
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
        let family = attack::Family {
            counts: values.first().map_or(1, Vec::len),
            cells: (0..keys.len())
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
            lines: lines.clone(),
        };
        let out = attack::attack(&family, k);
        let leaks = out.leaks;
        if leaks.is_empty() {
            return d;
        }
        let mut added = false;
        for leak in leaks {
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
            let mut seen = vec![false; keys.len()];
            seen[leak.cell] = true;
            // (total?, hidden last?, not helpful?, distance, n, index): the cheapest cell to
            // hide.
            let mut best: Option<(bool, bool, bool, usize, u64, usize)> = None;
            let mut level = 0;
            while !frontier.is_empty() && level < 4 {
                level += 1;
                let mut mates: Vec<usize> = Vec::new();
                for (t, parts) in &lines {
                    if frontier.iter().any(|c| c == t || parts.contains(c)) {
                        for &i in parts.iter().chain(std::iter::once(t)) {
                            if !seen[i] {
                                seen[i] = true;
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
            let next = best.map(|b| b.5);
            if let Some(i) = next {
                forced[i] = true;
                added = true;
            }
        }
        if !added && all_hidden {
            // Every group is withheld already: what is left follows from the whole
            // organisation's figures alone.
            return d;
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

/// The rules a table family is protected by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// The anonymity threshold.
    pub k: u32,
    /// A wave with fewer respondents gets no breakdowns.
    pub min_for_breakdowns: u64,
    /// Groups smaller than this whose members all answered alike are withheld (`None`: off).
    pub attribute_below: Option<u64>,
    /// Hide more until the differencing attacker recovers nothing (see [`attack`]).
    pub linear_attack: bool,
    /// Groups of this breakdown are hidden to protect other figures only when nothing else
    /// will do (member feedback's months: they are the control charts' points).
    pub hide_last: Option<Breakdown>,
    /// Whether withheld cells say why (primary or secondary); if not, they are published as
    /// [`Suppression::Confidential`] and the attacker does not learn their sizes from them.
    pub reasons: bool,
    /// The answer counts a reader can work out from an item's published row.
    pub answers: Answers,
}

/// What an item's published row tells a reader about its answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answers {
    /// Positive, neutral and negative counts (the staff survey's item table).
    Each,
    /// Only the positive count (% positive × n: member feedback publishes no other share).
    Positive,
}

/// Apply disclosure control to everything a run computed. `respondents` is each wave's
/// number of accepted responses; a wave with fewer than `min_for_breakdowns` gets no
/// breakdowns (staff survey: [`MIN_RESPONDENTS_FOR_BREAKDOWNS`]).
pub fn protect(
    schema: &Schema,
    items: Vec<Cell<ItemStats>>,
    indicators: Vec<Cell<IndicatorStats>>,
    responses: Vec<Cell<()>>,
    respondents: &HashMap<WaveId, u64>,
    rules: Rules,
) -> ProtectedTables {
    let Rules {
        k,
        min_for_breakdowns,
        attribute_below,
        linear_attack,
        reasons,
        answers,
        hide_last,
    } = rules;
    let small_org = |w: &str| respondents.get(w).copied().unwrap_or(0) < min_for_breakdowns;

    // Attribute disclosure: in a group smaller than `attribute_below`, a question every
    // member answered the same way (0% or 100% positive or negative) tells each member's
    // answer; such cells are withheld (as secondary) unless the rule is off.
    let unanimous = |c: &Cell<ItemStats>| {
        attribute_below.is_some_and(|below| {
            all_alike_as_published(answers, c.breakdown, &c.stats.counts, below)
        })
    };
    // Respondents first: a group's published respondent count bounds its other counts.
    let resp_d = decide_all(
        &responses,
        k,
        &small_org,
        &|_| false,
        &Counting {
            values: &|c: &Cell<()>| vec![c.n as f64],
            sizes: reasons,
            upper: &|_| None,
            attack: linear_attack,
            hide_last,
        },
    );
    let respondents_shown: HashMap<(&str, Breakdown, Group), f64> = responses
        .iter()
        .zip(&resp_d)
        .filter(|(_, d)| d.is_none())
        .map(|(c, _)| ((c.wave.as_str(), c.breakdown, c.group), c.n as f64))
        .collect();
    let item_upper = |c: &Cell<ItemStats>| {
        respondents_shown
            .get(&(c.wave.as_str(), c.breakdown, c.group))
            .copied()
    };
    let item_counting = Counting {
        values: &|c: &Cell<ItemStats>| {
            let t = &c.stats.counts;
            match answers {
                Answers::Each => vec![t.positive as f64, t.neutral as f64, t.negative as f64],
                Answers::Positive => vec![t.positive as f64, (t.neutral + t.negative) as f64],
            }
        },
        sizes: reasons,
        upper: &item_upper,
        attack: linear_attack,
        hide_last,
    };
    let item_d = decide_all(&items, k, &small_org, &unanimous, &item_counting);
    let item_hidden: HashMap<(&str, usize, Breakdown, Group), bool> = items
        .iter()
        .zip(&item_d)
        .map(|(c, d)| {
            (
                (c.wave.as_str(), c.measure, c.breakdown, c.group),
                d.is_some(),
            )
        })
        .collect();
    let forced_by_items = |c: &Cell<IndicatorStats>| {
        let ind = &schema.indicators[c.measure];
        match ind.method {
            Method::ThemePctPositive | Method::YesRate | Method::Enps => {
                // Items this wave did not ask have no cells and hide nothing.
                ind.items.iter().any(|&q| {
                    item_hidden
                        .get(&(c.wave.as_str(), q, c.breakdown, c.group))
                        .copied()
                        .unwrap_or(false)
                })
            }
            Method::Index0To100 | Method::Score0To10 => false,
        }
    };
    let ind_d = decide_all(
        &indicators,
        k,
        &small_org,
        &forced_by_items,
        &Counting {
            values: &|c: &Cell<IndicatorStats>| vec![c.n as f64],
            sizes: reasons,
            upper: &|c: &Cell<IndicatorStats>| {
                respondents_shown
                    .get(&(c.wave.as_str(), c.breakdown, c.group))
                    .copied()
            },
            attack: linear_attack,
            hide_last,
        },
    );

    let mut tables = ProtectedTables::default();
    let mut sum = |name: &'static str, ds: &[Option<Suppression>]| {
        let s = tables.summary.entry(name).or_default();
        for d in ds {
            s.add(*d);
        }
    };
    sum("items", &item_d);
    sum("indicators", &ind_d);
    sum("response_rates", &resp_d);
    // Counted by reason above; published without it where reasons are not told.
    let told = |d: Option<Suppression>| match d {
        Some(Suppression::Primary | Suppression::Secondary) if !reasons => {
            Some(Suppression::Confidential)
        }
        d => d,
    };
    tables.items = items
        .into_iter()
        .zip(item_d)
        .map(|(c, d)| seal(c, told(d)))
        .collect();
    tables.indicators = indicators
        .into_iter()
        .zip(ind_d)
        .map(|(c, d)| seal(c, told(d)))
        .collect();
    tables.responses = responses
        .into_iter()
        .zip(resp_d)
        .map(|(c, d)| seal(c, told(d)))
        .collect();
    tables
}

#[cfg(test)]
mod tests {
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
}

#[cfg(test)]
mod properties {
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
}
#[cfg(test)]
mod kept_groups {
    use super::*;

    /// A member-feedback family: 5 committees × 3 months (forms, and positive answers), the
    /// committees' and months' totals and the whole quarter, with reasons not told.
    type Keys = Vec<(Breakdown, Group, u64)>;

    fn family() -> (Keys, Vec<Vec<f64>>) {
        let forms: [[u64; 3]; 5] = [[5, 1, 7], [4, 10, 6], [3, 10, 2], [10, 9, 10], [2, 10, 6]];
        let positive: [[u64; 3]; 5] = [[0, 1, 6], [2, 8, 4], [2, 7, 1], [2, 9, 0], [0, 1, 2]];
        let mut keys = Vec::new();
        let mut values = Vec::new();
        let mut push = |b, g, n: u64, p: u64| {
            keys.push((b, g, n));
            values.push(vec![p as f64, (n - p) as f64]);
        };
        let sum = |t: &[[u64; 3]; 5], c: Option<usize>, m: Option<usize>| -> u64 {
            (0..5)
                .filter(|&i| c.is_none_or(|c| c == i))
                .flat_map(|i| {
                    (0..3)
                        .filter(move |&j| m.is_none_or(|m| m == j))
                        .map(move |j| t[i][j])
                })
                .sum()
        };
        push(
            Breakdown::Overall,
            Group::All,
            sum(&forms, None, None),
            sum(&positive, None, None),
        );
        for c in 0..5 {
            let g = Group::One(Some(c as u32));
            push(
                Breakdown::Field(0),
                g,
                sum(&forms, Some(c), None),
                sum(&positive, Some(c), None),
            );
        }
        for m in 0..3 {
            let g = Group::One(Some(m as u32));
            push(
                Breakdown::Field(1),
                g,
                sum(&forms, None, Some(m)),
                sum(&positive, None, Some(m)),
            );
        }
        for c in 0..5 {
            for m in 0..3 {
                let g = Group::Two(Some(c as u32), Some(m as u32));
                push(Breakdown::Cross(0, 1), g, forms[c][m], positive[c][m]);
            }
        }
        (keys, values)
    }

    #[test]
    fn months_are_hidden_last_so_the_control_chart_keeps_its_points() {
        let (keys, values) = family();
        let upper = vec![None; keys.len()];
        let months_hidden = |d: &[Option<Suppression>]| {
            (0..keys.len())
                .filter(|&i| keys[i].0 == Breakdown::Field(1) && d[i].is_some())
                .count()
        };
        let seen = |hide_last| Seen {
            values: &values,
            upper: &upper,
            sizes: false,
            hide_last,
        };
        let cheapest = decide_safe(&keys, 5, false, &[], &seen(None));
        let kept = decide_safe(&keys, 5, false, &[], &seen(Some(Breakdown::Field(1))));
        // Hiding the cheapest cell each time takes two of the three months with it; keeping
        // months last hides committees instead, and the attacker still recovers nothing.
        assert_eq!(months_hidden(&cheapest), 2);
        assert_eq!(months_hidden(&kept), 0);
        let family = attack::Family {
            counts: 2,
            cells: (0..keys.len())
                .map(|i| attack::Cell {
                    published: kept[i].is_none().then(|| values[i].clone()),
                    size: attack::Size::Any,
                    upper: None,
                })
                .collect(),
            lines: family_lines(&keys),
        };
        assert!(attack::attack(&family, 5).leaks.is_empty());
    }
}
