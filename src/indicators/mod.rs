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

/// A category of one field: `Some(index)`, or `None` for Not stated.
pub type Cat = Option<u32>;

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
