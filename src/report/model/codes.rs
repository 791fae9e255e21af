//! Small dimensions for the codes the fact tables carry (verdicts, drivers' quadrants,
//! comparisons and suppression reasons): each code with its label for readers, a sort order
//! and, where a dashboard colours by it, a colour. A card or a conditional format reads them by
//! relationship instead of spelling each code out.
//!
//! Colours are GOV.UK's (green, red, dark and mid grey, blue, orange), which keep their
//! contrast on white.

use crate::compare::{Roles, Verdict};
use crate::disclosure::Suppression;
use crate::drivers::{Quadrant, Shown};
use crate::report::registry::published_table;

published_table! {
    /// One verdict of a change between waves.
    pub struct DimVerdict in "dim_verdict" {
        title: "Verdicts on a change",
        grain: "One row per verdict a change between waves can have.",
        primary_key: ["verdict"],
        foreign_keys: [],
        disclosure: Disclosure::None,
        columns: {
            verdict: String => (Key, Plain, "", "The verdict as the changes tables hold it."),
            verdict_label: String => (Attribute, Plain, "", "The verdict for readers."),
            meaning: String => (Attribute, Plain, "", "What it says, in a sentence."),
            colour: String => (Attribute, Plain, "", "A colour for conditional formatting (hex): green improved, red declined, grey otherwise."),
            sort_order: u32 => (Attribute, Plain, "", "Improved first; sort verdict_label by this."),
        }
    }
}

published_table! {
    /// One place a driver can be shown in.
    pub struct DimQuadrant in "dim_quadrant" {
        title: "Drivers' quadrants",
        grain: "One row per quadrant (or reason for none) a driver can be shown in.",
        primary_key: ["quadrant"],
        foreign_keys: [],
        disclosure: Disclosure::None,
        columns: {
            quadrant: String => (Key, Plain, "", "The quadrant as fact_drivers holds it."),
            quadrant_label: String => (Attribute, Plain, "", "The quadrant for readers."),
            meaning: String => (Attribute, Plain, "", "What it says, in a sentence."),
            colour: String => (Attribute, Plain, "", "A colour for conditional formatting (hex): red priority, green strength, blue maintain, orange monitor, grey otherwise."),
            sort_order: u32 => (Attribute, Plain, "", "Priority first; sort quadrant_label by this."),
        }
    }
}

published_table! {
    /// One comparison between waves.
    pub struct DimComparison in "dim_comparison" {
        title: "Comparisons between waves",
        grain: "One row per comparison a change can be (with two waves the previous wave is the baseline: one comparison is both).",
        primary_key: ["comparison"],
        foreign_keys: [],
        disclosure: Disclosure::None,
        columns: {
            comparison: String => (Key, Plain, "", "The comparison as the changes tables hold it."),
            comparison_label: String => (Attribute, Plain, "", "The comparison for readers."),
            since_previous: bool => (Attribute, Plain, "", "It compares the latest wave with the previous one."),
            since_baseline: bool => (Attribute, Plain, "", "It compares the latest wave with the baseline."),
            sort_order: u32 => (Attribute, Plain, "", "Since the previous wave first; sort comparison_label by this."),
        }
    }
}

published_table! {
    /// One reason a figure is withheld.
    pub struct DimSuppressionReason in "dim_suppression_reason" {
        title: "Why a figure is withheld",
        grain: "One row per reason disclosure control gives for withholding a row's figures.",
        primary_key: ["suppression_reason"],
        foreign_keys: [],
        disclosure: Disclosure::None,
        columns: {
            suppression_reason: String => (Key, Plain, "", "The reason as the fact tables hold it."),
            reason_label: String => (Attribute, Plain, "", "The reason for readers."),
            meaning: String => (Attribute, Plain, "", "What it says, in a sentence."),
            sort_order: u32 => (Attribute, Plain, "", "Sort reason_label by this."),
        }
    }
}

/// Verdicts: (verdict, label, meaning, colour), in their sort order.
pub const VERDICTS: [(Verdict, &str, &str, &str); 4] = [
    (
        Verdict::Improved,
        "Improved",
        "Better than in the earlier wave, by more than chance would explain once the number of comparisons is allowed for.",
        "#00703C",
    ),
    (
        Verdict::Declined,
        "Declined",
        "Worse than in the earlier wave, by more than chance would explain once the number of comparisons is allowed for.",
        "#D4351C",
    ),
    (
        Verdict::NoSignificantChange,
        "No significant change",
        "Any difference could be chance.",
        "#505A5F",
    ),
    (
        Verdict::NotTested,
        "Not tested",
        "No test was made: a figure is withheld, too few answered, or the question changed (see the reason).",
        "#B1B4B6",
    ),
];

pub fn dim_verdict() -> Vec<DimVerdict> {
    VERDICTS
        .iter()
        .zip(1..)
        .map(|((v, label, meaning, colour), i)| DimVerdict {
            verdict: v.as_str().into(),
            verdict_label: (*label).into(),
            meaning: (*meaning).into(),
            colour: (*colour).into(),
            sort_order: i,
        })
        .collect()
}

pub fn dim_quadrant() -> Vec<DimQuadrant> {
    let named = |q: Quadrant| Shown::Named(q);
    let rows: [(&str, &str, &str, &str); 7] = [
        (
            named(Quadrant::Priority).code(),
            named(Quadrant::Priority).label(),
            "Matters more than most drivers and scores below their median: where to act.",
            "#D4351C",
        ),
        (
            named(Quadrant::Strength).code(),
            named(Quadrant::Strength).label(),
            "Matters more than most drivers and scores at or above their median: keep it up.",
            "#00703C",
        ),
        (
            named(Quadrant::Maintain).code(),
            named(Quadrant::Maintain).label(),
            "Matters less than most drivers and scores high.",
            "#1D70B8",
        ),
        (
            named(Quadrant::Monitor).code(),
            named(Quadrant::Monitor).label(),
            "Matters less than most drivers and scores low.",
            "#F47738",
        ),
        (
            Shown::Unclear.code(),
            Shown::Unclear.label(),
            "Resampling puts the driver in more than one quadrant: no quadrant is claimed.",
            "#B1B4B6",
        ),
        (
            Shown::NotLabelled.code(),
            Shown::NotLabelled.label(),
            "The drivers together explain too little of the outcome, or too few were asked, to place any.",
            "#B1B4B6",
        ),
        (
            "withheld",
            "Withheld",
            "The driver's score is withheld for this group, and its quadrant would tell it.",
            "#B1B4B6",
        ),
    ];
    rows.iter()
        .zip(1..)
        .map(|((code, label, meaning, colour), i)| DimQuadrant {
            quadrant: (*code).into(),
            quadrant_label: (*label).into(),
            meaning: (*meaning).into(),
            colour: (*colour).into(),
            sort_order: i,
        })
        .collect()
}

pub fn dim_comparison() -> Vec<DimComparison> {
    let roles = [(true, false), (false, true), (true, true)];
    roles
        .iter()
        .zip(1..)
        .map(|(&(previous, baseline), i)| {
            let r = Roles { previous, baseline };
            let label = r.label();
            DimComparison {
                comparison: r.code().into(),
                comparison_label: label[..1].to_uppercase() + &label[1..],
                since_previous: previous,
                since_baseline: baseline,
                sort_order: i,
            }
        })
        .collect()
}

pub fn dim_suppression_reason() -> Vec<DimSuppressionReason> {
    let rows = [
        (
            Suppression::Primary,
            "Too few answers",
            "Fewer people answered than the threshold.",
        ),
        (
            Suppression::Secondary,
            "Protects another figure",
            "Withheld so that another withheld figure cannot be worked out by subtraction.",
        ),
        (
            Suppression::CrossDropped,
            "Cross withheld whole",
            "A two-way breakdown withheld whole for this measure and wave, so that no one-way group is lost to protect it. Says nothing about the group's size.",
        ),
        (
            Suppression::SmallOrganisation,
            "Organisation too small",
            "Too few responded in the wave for any breakdown to be shown, or the whole organisation's figure is withheld.",
        ),
        (
            Suppression::Confidential,
            "Confidential",
            "Withheld, for too few answers or to protect another figure, without saying which (where groups are as small as committees, saying which would tell the size).",
        ),
    ];
    rows.iter()
        .zip(1..)
        .map(|((s, label, meaning), i)| DimSuppressionReason {
            suppression_reason: s.code().into(),
            reason_label: (*label).into(),
            meaning: (*meaning).into(),
            sort_order: i,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_the_facts_can_hold_has_a_row() {
        let verdicts: Vec<String> = dim_verdict().into_iter().map(|v| v.verdict).collect();
        for v in [
            Verdict::Improved,
            Verdict::Declined,
            Verdict::NoSignificantChange,
            Verdict::NotTested,
        ] {
            assert!(verdicts.contains(&v.as_str().to_string()), "{v:?}");
        }
        let quadrants: Vec<String> = dim_quadrant().into_iter().map(|q| q.quadrant).collect();
        for q in [
            "priority",
            "strength",
            "maintain",
            "monitor",
            "unclear",
            "not_labelled",
            "withheld",
        ] {
            assert!(quadrants.contains(&q.to_string()), "{q}");
        }
        let comparisons: Vec<String> = dim_comparison()
            .into_iter()
            .map(|c| c.comparison_label)
            .collect();
        assert_eq!(
            comparisons,
            [
                "Since the previous wave",
                "Since the baseline",
                "Since the previous wave (also the baseline)"
            ]
        );
        let reasons: Vec<String> = dim_suppression_reason()
            .into_iter()
            .map(|r| r.suppression_reason)
            .collect();
        for s in [
            Suppression::Primary,
            Suppression::Secondary,
            Suppression::SmallOrganisation,
            Suppression::Confidential,
            Suppression::CrossDropped,
        ] {
            assert!(reasons.contains(&s.code().to_string()), "{s:?}");
        }
    }
}
