//! Indicators: what the store's responses say, at full precision. Nothing here is
//! published directly: every result goes through `disclosure` before any writer sees it.

pub mod items;

use crate::schema::{NOT_STATED, Schema};

/// Which cut of the respondents a figure describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Breakdown {
    /// Everyone in the wave.
    Overall,
    /// One demographic field (index into `Schema::demographics`).
    Field(usize),
}

impl Breakdown {
    /// Name used in tables: `overall` or the demographic id.
    pub fn name(self, schema: &Schema) -> &str {
        match self {
            Breakdown::Overall => "overall",
            Breakdown::Field(d) => &schema.demographics[d].id,
        }
    }
}

/// A group within a breakdown, ordered as the schema lists categories, `Not stated` last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Group {
    All,
    Category(u32),
    NotStated,
}

impl Group {
    pub fn label(self, schema: &Schema, breakdown: Breakdown) -> &str {
        match (self, breakdown) {
            (Group::All, _) => "All respondents",
            (Group::Category(c), Breakdown::Field(d)) => {
                &schema.demographics[d].categories[c as usize]
            }
            (Group::NotStated, _) => NOT_STATED,
            (Group::Category(_), Breakdown::Overall) => unreachable!("overall has one group"),
        }
    }
}
