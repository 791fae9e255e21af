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
//! - **the attacker**: more is withheld until the LP attacker ([`attack`]) can work out no
//!   withheld figure, in the hierarchy of what is published ([`hierarchy`]): the organisation
//!   and one-way groups first, as if no cross were published, then each cross with its own
//!   cells only (or withheld whole: [`Suppression::CrossDropped`]), each at least cost;
//! - **consistency**: a theme score (a mean of item percentages) is hidden wherever one of its
//!   items is, and eNPS / yes-rates follow their item, so no hidden item can be solved for.
//!
//! Suppressed values are removed, not just flagged. `audit` checks the written tables
//! independently.

pub mod attack;
mod fewest;
mod hierarchy;
pub mod redact;
mod repair;
mod tables;

use hierarchy::decide_safe;

pub use tables::{DriverGroup, DriverStatus, ProtectedTables};

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
    /// A two-way cross withheld whole for this measure and wave: hiding some of its cells
    /// could not protect the rest without withholding one-way groups, which a cross never
    /// costs. Says nothing about any cell's size.
    CrossDropped,
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
            Suppression::CrossDropped => "cross_dropped",
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

/// Where a group sits in the hierarchy of what is published: the whole organisation, one
/// breakdown field's groups (what the board reads), or a cross of two fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Organisation,
    OneWay,
    TwoWay,
}

impl Level {
    pub fn of(b: Breakdown) -> Level {
        match b {
            Breakdown::Overall => Level::Organisation,
            Breakdown::Field(_) => Level::OneWay,
            Breakdown::Cross(..) => Level::TwoWay,
        }
    }

    /// As `dim_group.level` spells it.
    pub fn code(self) -> &'static str {
        match self {
            Level::Organisation => "organisation",
            Level::OneWay => "one-way",
            Level::TwoWay => "two-way",
        }
    }
}

/// What protecting other figures cost in one table at one level: the cells withheld as
/// secondary (hidden so that another figure cannot be worked out) and the respondents
/// behind them (each cell's `n`; a respondent is counted once per cell).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Loss {
    pub secondary: usize,
    pub secondary_respondents: u64,
}

/// The loss of one table's cells, by level.
fn tally<T>(
    loss: &mut BTreeMap<(&'static str, Level), Loss>,
    table: &'static str,
    cells: &[Cell<T>],
    d: &[Option<Suppression>],
) {
    for (c, s) in cells.iter().zip(d) {
        let l = loss.entry((table, Level::of(c.breakdown))).or_default();
        if *s == Some(Suppression::Secondary) {
            l.secondary += 1;
            l.secondary_respondents += c.n;
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

/// A two-way cross: a row (or column) whose one-way total is hidden is hidden whole; every
/// other row and column obeys the one-way rule against its published total, revisited until
/// nothing changes.
fn enforce_cross(
    cells: &[(Breakdown, Group, u64)],
    members: &[usize],
    (fa, fb): (usize, usize),
    margin_hidden: &HashMap<(usize, Option<u32>), bool>,
    n: &[u64],
    d: &mut [Option<Suppression>],
    k: u64,
) {
    let mut rows: BTreeMap<Option<u32>, Vec<usize>> = BTreeMap::new();
    let mut cols: BTreeMap<Option<u32>, Vec<usize>> = BTreeMap::new();
    for &i in members {
        if let Group::Two(x, y) = cells[i].1 {
            rows.entry(x).or_default().push(i);
            cols.entry(y).or_default().push(i);
        }
    }
    let one_hidden =
        |f: usize, x: Option<u32>| margin_hidden.get(&(f, x)).copied().unwrap_or(false);
    // A merged category's total is its members' groups: unknown if any of them is hidden.
    let hidden_total = |f: usize, x: Option<u32>| match x.and_then(crate::indicators::members) {
        Some(m) => m.iter().any(|&c| one_hidden(f, Some(c))),
        None => one_hidden(f, x),
    };
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
                changed |= enforce_line(line, n, d, k);
            }
        }
        for (y, line) in &cols {
            if !hidden_total(fb, *y) {
                changed |= enforce_line(line, n, d, k);
            }
        }
        if !changed {
            break;
        }
    }
}

/// Primary suppression of one wave and one measure: cells below the threshold, those another
/// table forces, every group of a wave too small for breakdowns; and when the whole
/// organisation's figure is withheld, every group with it. The flag says whether that
/// settles the family (no secondary suppression to do).
fn primary(
    cells: &[(Breakdown, Group, u64)],
    k: u64,
    small_org: bool,
    forced: &[bool],
) -> (Vec<Option<Suppression>>, bool) {
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
    }
    let settled = overall_hidden || small_org;
    (d, settled)
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
    let (mut d, settled) = primary(cells, k, small_org, forced);
    if settled {
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
        if let Breakdown::Cross(fa, fb) = *b {
            enforce_cross(cells, members, (fa, fb), &margin_hidden, &n, &mut d, k);
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
    let mut one: BTreeMap<(usize, Option<u32>), usize> = BTreeMap::new();
    let mut rows: BTreeMap<(usize, usize, Option<u32>), Vec<usize>> = BTreeMap::new();
    let mut cols: BTreeMap<(usize, usize, Option<u32>), Vec<usize>> = BTreeMap::new();
    for (i, &(b, g, _)) in keys.iter().enumerate() {
        match (b, g) {
            (Breakdown::Field(f), Group::One(x)) => {
                if !merged(x) {
                    fields.entry(f).or_default().push(i);
                }
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
    // A merged category (a cross's, see `hierarchy::with_merges`) adds up to its members.
    for (&(f, x), &t) in &one {
        if let Some(m) = x.and_then(crate::indicators::members) {
            let parts: Option<Vec<usize>> =
                m.iter().map(|&c| one.get(&(f, Some(c))).copied()).collect();
            if let Some(parts) = parts {
                out.push((t, parts));
            }
        }
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

/// Whether a category is a merge of others (a cross's `collapse`).
fn merged(c: Option<u32>) -> bool {
    c.and_then(crate::indicators::members).is_some()
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
    let resp_d = decide_respondents(&responses, &rules, &small_org);
    let respondents_shown: HashMap<(&str, Breakdown, Group), f64> = (responses.iter().zip(&resp_d))
        .filter(|(_, d)| d.is_none())
        .map(|(c, _)| ((c.wave.as_str(), c.breakdown, c.group), c.n as f64))
        .collect();
    let shown = |w: &WaveId, b, g| respondents_shown.get(&(w.as_str(), b, g)).copied();
    let item_counting = Counting {
        values: &|c: &Cell<ItemStats>| item_values(answers, c),
        sizes: reasons,
        upper: &|c: &Cell<ItemStats>| shown(&c.wave, c.breakdown, c.group),
        attack: linear_attack,
        hide_last,
    };
    let item_d = decide_all(&items, k, &small_org, &unanimous, &item_counting);
    let item_hidden: HashMap<(&str, usize, Breakdown, Group), bool> = (items.iter().zip(&item_d))
        .map(|(c, d)| {
            (
                (c.wave.as_str(), c.measure, c.breakdown, c.group),
                d.is_some(),
            )
        })
        .collect();
    let forced_by_items = |c: &Cell<IndicatorStats>| hidden_with_items(schema, &item_hidden, c);
    let ind_d = decide_all(
        &indicators,
        k,
        &small_org,
        &forced_by_items,
        &Counting {
            values: &|c: &Cell<IndicatorStats>| vec![c.n as f64],
            sizes: reasons,
            upper: &|c: &Cell<IndicatorStats>| shown(&c.wave, c.breakdown, c.group),
            attack: linear_attack,
            hide_last,
        },
    );

    sealed_tables(
        (items, item_d),
        (indicators, ind_d),
        (responses, resp_d),
        reasons,
    )
}

/// Each group's respondent count withheld or not (primary, secondary by line, the attacker).
fn decide_respondents(
    responses: &[Cell<()>],
    rules: &Rules,
    small_org: &(dyn Fn(&str) -> bool + Sync),
) -> Vec<Option<Suppression>> {
    let counting = Counting {
        values: &|c: &Cell<()>| vec![c.n as f64],
        sizes: rules.reasons,
        upper: &|_| None,
        attack: rules.linear_attack,
        hide_last: rules.hide_last,
    };
    decide_all(responses, rules.k, small_org, &|_| false, &counting)
}

/// An item's counts as the attacker reads them: each answer group, or positive and the rest.
fn item_values(answers: Answers, c: &Cell<ItemStats>) -> Vec<f64> {
    let t = &c.stats.counts;
    match answers {
        Answers::Each => vec![t.positive as f64, t.neutral as f64, t.negative as f64],
        Answers::Positive => vec![t.positive as f64, (t.neutral + t.negative) as f64],
    }
}

/// A theme share, yes-rate or eNPS is withheld wherever one of its items is (so no hidden
/// item can be solved for); items this wave did not ask have no cells and hide nothing.
fn hidden_with_items(
    schema: &Schema,
    item_hidden: &HashMap<(&str, usize, Breakdown, Group), bool>,
    c: &Cell<IndicatorStats>,
) -> bool {
    let ind = &schema.indicators[c.measure];
    match ind.method {
        Method::ThemePctPositive | Method::YesRate | Method::Enps => ind.items.iter().any(|&q| {
            item_hidden
                .get(&(c.wave.as_str(), q, c.breakdown, c.group))
                .copied()
                .unwrap_or(false)
        }),
        Method::Index0To100 | Method::Score0To10 => false,
    }
}

/// Cells with the decision on each.
type Decided<T> = (Vec<Cell<T>>, Vec<Option<Suppression>>);

/// The decisions sealed into the tables every writer reads, counted by reason; published
/// without their reason (as confidential) where reasons are not told.
fn sealed_tables(
    (items, item_d): Decided<ItemStats>,
    (indicators, ind_d): Decided<IndicatorStats>,
    (responses, resp_d): Decided<()>,
    reasons: bool,
) -> ProtectedTables {
    let mut tables = ProtectedTables::default();
    tally(&mut tables.loss, "items", &items, &item_d);
    tally(&mut tables.loss, "indicators", &indicators, &ind_d);
    tally(&mut tables.loss, "response_rates", &responses, &resp_d);
    // Tables that never say why (member feedback) say so of a dropped cross too.
    let told = |d: Option<Suppression>| match d {
        Some(Suppression::Primary | Suppression::Secondary | Suppression::CrossDropped)
            if !reasons =>
        {
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
mod tests;

#[cfg(test)]
mod kept_groups;
#[cfg(test)]
mod optimum;
#[cfg(test)]
mod properties;
