//! Indicators: what the store's responses say, at full precision, with their uncertainty.
//! Nothing here is published directly: every result goes through `disclosure` before any
//! writer sees it.
//!
//! `counting` makes one columnar pass per breakdown over a wave's codes (answer counts per
//! item and code, and respondent-level score summaries per indicator) into `aggregates`;
//! `frame` reads a stored wave into those codes; `statistics` turns the aggregates into
//! values, intervals and minimum detectable differences.

pub mod aggregates;
pub mod comments;
pub mod counting;
pub mod frame;
pub mod statistics;

use crate::ids::WaveId;

/// Which cut of the respondents a figure describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Breakdown {
    /// Everyone in the wave.
    Overall,
    /// One demographic field (index into `Schema::demographics`).
    Field(usize),
    /// A two-way cross of demographic fields (e.g. directorate × grade).
    Cross(usize, usize),
}

impl Breakdown {
    /// The demographic fields this breakdown groups by.
    pub fn fields(self) -> Vec<usize> {
        match self {
            Breakdown::Overall => vec![],
            Breakdown::Field(d) => vec![d],
            Breakdown::Cross(a, b) => vec![a, b],
        }
    }
}

/// A group within a breakdown. A category is its index in the schema; `None` is
/// "Not stated" (left blank), so groups always add up to their total. Labels and keys for
/// readers and tables come from `report::model` (`group_label`, `group_key`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Group {
    All,
    One(Cat),
    Two(Cat, Cat),
}

/// A category of one field: `Some(index)`, or `None` for Not stated. A cross may publish
/// some categories of a field merged ([`Collapse`]): such a category is [`merged`]'s code for
/// its members, never a schema index.
pub type Cat = Option<u32>;

/// The bit that marks a merged category's code; the other bits are its members.
const MERGED: u32 = 1 << 31;

use crate::schema::MERGEABLE;

/// The code of the category made by merging `members` (schema indices below [`MERGEABLE`]).
pub fn merged(members: &[u32]) -> u32 {
    members
        .iter()
        .filter(|&&m| m < MERGEABLE)
        .fold(MERGED, |acc, &m| acc | (1 << m))
}

/// The schema indices a merged category's code holds, in schema order; `None` for a category
/// of the schema's own.
pub fn members(c: u32) -> Option<Vec<u32>> {
    (c & MERGED != 0).then(|| (0..MERGEABLE).filter(|&m| c & (1 << m) != 0).collect())
}

/// A category's place in schema order: its index, or a merge's first member's.
pub fn position(c: u32) -> u32 {
    members(c).and_then(|m| m.first().copied()).unwrap_or(c)
}

/// Categories of one field of a cross published merged (`[[crosses]] collapse`): the cross
/// counts each merge as one category, and its protection knows the merge adds up to its
/// members' one-way groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collapse {
    /// The cross (as configured, fields in order).
    pub cross: Breakdown,
    /// The field whose categories are merged (one of the cross's).
    pub field: usize,
    /// Each merge's members (schema indices, at least two, in no other merge).
    pub merges: Vec<Vec<u32>>,
}

impl Collapse {
    /// The category each of the field's `categories` is counted in: its merge's code, or its
    /// own index.
    pub fn category(&self, c: u32) -> u32 {
        self.merges
            .iter()
            .find(|m| m.contains(&c))
            .map_or(c, |m| merged(m))
    }
}

/// One computed figure before disclosure control: which wave, which measure (an item or an
/// indicator, by schema index), which group, on how many valid answers, and its statistics.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell<T> {
    /// The survey wave (for meeting feedback, the quarter).
    pub wave: WaveId,
    pub measure: usize,
    pub breakdown: Breakdown,
    pub group: Group,
    /// Valid answers (items) or respondents with a score (indicators): the figure rests on
    /// these, and disclosure control compares them with the threshold.
    pub n: u64,
    pub stats: T,
}
