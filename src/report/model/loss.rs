//! The disclosure summary: what each results table publishes and withholds, by level, and
//! what protecting other figures cost.

use super::Evidence;
use super::comments::FactCommentTheme;
use super::staff::{FactIndicatorResult, FactItemResult, FactResponseRate};
use crate::disclosure::Suppression;
use crate::report::registry::published_table;
use crate::report::registry::{Cell, Disclosure, Role, Row, TableData};
use std::collections::{BTreeMap, HashMap};

published_table! {
    /// Cells published and withheld in one table, at one level.
    pub struct FactDisclosureSummary in "fact_disclosure_summary" {
        title: "Disclosure control summary",
        grain: "One row per results table × level of group (the whole organisation, one-way groups, two-way crosses).",
        primary_key: ["table_name", "level"],
        foreign_keys: [],
        disclosure: Disclosure::None,
        columns: {
            table_name: String => (Key, Plain, "", "A results table in this folder."),
            level: String => (Key, Plain, "", "The groups' level, as in `dim_group` (`organisation`, `one-way`, `two-way`) or `dim_feedback_group` (`all forms`, `one-way`)."),
            cells: u64 => (Attribute, Plain, "rows", "Rows of the table at this level."),
            published: u64 => (Attribute, Plain, "rows", "Rows published."),
            withheld_primary: u64 => (Attribute, Plain, "rows", "Rows withheld because fewer than the threshold answered (`primary`)."),
            withheld_secondary: u64 => (Attribute, Plain, "rows", "Rows withheld so that another withheld figure cannot be worked out (`secondary`)."),
            withheld_cross_dropped: u64 => (Attribute, Plain, "rows", "Rows of a two-way cross withheld whole for that measure and wave (`cross_dropped`)."),
            withheld_small_organisation: u64 => (Attribute, Plain, "rows", "Rows withheld because the wave is too small for breakdowns (`small_organisation`)."),
            withheld_confidential: u64 => (Attribute, Plain, "rows", "Rows withheld without saying why (`confidential`: member feedback, and groups whose reasons would give sizes away)."),
            respondents_withheld_secondary: Option<u64> => (Attribute, Plain, "respondents", "Respondents behind the rows withheld as `secondary` (each row's valid answers, summed; a person counts once per row), rounded to the nearest 10 so the total cannot be set against the tables to work out a withheld figure. Empty where the tables do not say which rows are secondary (member feedback)."),
        }
    }
}

/// Respondents behind the cells withheld as secondary, by (results table, level): counted
/// by disclosure control, since the tables no longer hold a withheld cell's size.
pub type Behind = BTreeMap<(&'static str, &'static str), u64>;

/// [`Behind`] from a run's protected tables.
pub fn behind(e: &Evidence) -> Behind {
    let name = |id: &str| match id {
        "items" => Some(FactItemResult::table().name),
        "indicators" => Some(FactIndicatorResult::table().name),
        "response_rates" => Some(FactResponseRate::table().name),
        "comment_themes" => Some(FactCommentTheme::table().name),
        _ => None,
    };
    e.tables
        .loss
        .iter()
        .filter_map(|((id, level), loss)| {
            Some(((name(id)?, level.code()), loss.secondary_respondents))
        })
        .collect()
}

/// The reasons a row can give, in the summary's column order.
const REASONS: [Suppression; 5] = [
    Suppression::Primary,
    Suppression::Secondary,
    Suppression::CrossDropped,
    Suppression::SmallOrganisation,
    Suppression::Confidential,
];

/// Each group key's level in each group dimension among `tables`, by (dimension, key).
fn levels(tables: &[TableData]) -> HashMap<(&'static str, String), String> {
    let mut out = HashMap::new();
    for t in tables {
        let col = |name: &str| t.def.columns.iter().position(|c| c.name == name);
        let (Some(key), Some(level)) = (col("group_key"), col("level")) else {
            continue;
        };
        for row in &t.rows {
            if let (Cell::Text(k), Cell::Text(l)) = (&row[key], &row[level]) {
                out.insert((t.def.name, k.clone()), l.clone());
            }
        }
    }
    out
}

/// The organisation first, then one-way groups, then crosses.
fn rank(level: &str) -> u8 {
    match level {
        "organisation" | "all forms" => 0,
        "one-way" => 1,
        "two-way" => 2,
        _ => 3,
    }
}

/// Rows published and withheld (by reason and level) in each results table with a
/// suppression column, with the respondents `behind` its secondary cells.
pub fn disclosure_summary(tables: &[TableData], behind: &Behind) -> Vec<FactDisclosureSummary> {
    let levels = levels(tables);
    let mut out = Vec::new();
    for t in tables {
        let additive = matches!(
            t.def.disclosure,
            Disclosure::Figures {
                additive: Some(_),
                ..
            }
        );
        let reason = t.def.columns.iter().position(|c| c.role == Role::Reason);
        let group = t.def.columns.iter().position(|c| c.name == "group_key");
        let dim = t.def.foreign_keys.iter().find(|f| f.column == "group_key");
        let (true, Some(reason), Some(group), Some(dim)) = (additive, reason, group, dim) else {
            continue;
        };
        // Published, then each reason a row can give, by level.
        let mut counts: BTreeMap<(u8, String), [u64; 6]> = BTreeMap::new();
        for row in &t.rows {
            let level = match &row[group] {
                Cell::Text(k) => levels
                    .get(&(dim.table, k.clone()))
                    .cloned()
                    .unwrap_or_default(),
                _ => String::new(),
            };
            let i = match &row[reason] {
                Cell::Text(r) => REASONS
                    .iter()
                    .position(|s| s.code() == r)
                    .map_or(0, |i| i + 1),
                _ => 0,
            };
            counts.entry((rank(&level), level)).or_default()[i] += 1;
        }
        for ((_, level), c) in counts {
            let respondents = behind
                .get(&(t.def.name, level.as_str()))
                .map(|&n| (n + 5) / 10 * 10);
            out.push(FactDisclosureSummary {
                table_name: t.def.name.into(),
                cells: c.iter().sum(),
                published: c[0],
                withheld_primary: c[1],
                withheld_secondary: c[2],
                withheld_cross_dropped: c[3],
                withheld_small_organisation: c[4],
                withheld_confidential: c[5],
                respondents_withheld_secondary: respondents,
                level,
            });
        }
    }
    out
}
