//! Comment themes: what staff wrote about, counted by group under disclosure control. Raw
//! comments are never published.

use super::Evidence;
use super::dims::group_key;
use crate::report::registry::Figure;
use crate::report::registry::published_table;

published_table! {
    /// One theme comments are coded to.
    pub struct DimCommentTheme in "dim_comment_theme" {
        title: "Comment themes",
        grain: "One row per theme that free-text comments are coded to.",
        primary_key: ["theme_id"],
        foreign_keys: ["question_id" -> "dim_question"."question_id"],
        disclosure: Disclosure::None,
        columns: {
            theme_id: String => (Key, Plain, "", "The theme's id in the schema."),
            theme_label: String => (Attribute, Plain, "", "The theme as readers see it."),
            question_id: String => (Attribute, Plain, "", "The free-text question whose comments are coded."),
            sort_order: u32 => (Attribute, Plain, "", "Schema order, for sorting slicers."),
        }
    }
}

published_table! {
    /// One theme in one group.
    pub struct FactCommentTheme in "fact_comment_themes" {
        title: "What staff wrote about: comment themes",
        grain: "One row per wave × theme × group of staff with coded comments.",
        primary_key: ["wave_id", "theme_id", "group_key"],
        foreign_keys: [
            "wave_id" -> "dim_wave"."wave_id",
            "theme_id" -> "dim_comment_theme"."theme_id",
            "group_key" -> "dim_group"."group_key",
            "suppression_reason" -> "dim_suppression_reason"."suppression_reason",
        ],
        disclosure: Disclosure::Figures {
            threshold: Threshold::Staff,
            additive: Some(Additive { family: "comment_themes", period: Period::Column("wave_id"), group: "group_key", groups: "dim_group" }),
        },
        columns: {
            wave_id: String => (Key, Plain, "", "The wave."),
            theme_id: String => (Key, Plain, "", "The theme."),
            group_key: String => (Key, Plain, "", "The group of staff."),
            n: Figure<u64> => (Count, Plain, "respondents", "Respondents in the group whose comment was coded (the share's denominator)."),
            mentions: Figure<u64> => (Value, Plain, "respondents", "Of them, those whose comment was coded to this theme (a comment can have several themes)."),
            pct_of_comments: Figure<f64> => (Value, D1, "%", "100 × mentions / n."),
            suppressed: bool => (Suppressed, Plain, "", "The row's figures are withheld: empty in CSV and Parquet (`[c]` in text columns and the workbook)."),
            suppression_reason: Option<String> => (Reason, Plain, "", "`primary`, `secondary`, `cross_dropped` or `small_organisation`; empty when published."),
        }
    }
}

pub fn dim_comment_themes(e: &Evidence) -> Vec<DimCommentTheme> {
    let schema = &e.config.schema;
    schema
        .comment_themes
        .iter()
        .enumerate()
        .map(|(i, t)| DimCommentTheme {
            theme_id: t.id.clone(),
            theme_label: t.label.clone(),
            question_id: schema.questions[t.question].id.clone(),
            sort_order: i as u32 + 1,
        })
        .collect()
}

pub fn comment_themes(e: &Evidence) -> Vec<FactCommentTheme> {
    let schema = &e.config.schema;
    e.tables
        .themes
        .iter()
        .map(|p| {
            let hidden = p.suppression.is_some();
            let st = p.stats.as_ref().filter(|_| !hidden);
            FactCommentTheme {
                wave_id: p.wave.to_string(),
                theme_id: schema.comment_themes[p.measure].id.clone(),
                group_key: group_key(schema, p.breakdown, p.group),
                n: Figure::of(p.n, hidden),
                mentions: Figure::of(st.map(|s| s.mentions), hidden),
                pct_of_comments: Figure::of(st.and_then(|s| s.pct(p.n.unwrap_or(0))), hidden),
                suppressed: hidden,
                suppression_reason: super::suppression(p.suppression),
            }
        })
        .collect()
}
