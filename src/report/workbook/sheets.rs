//! The workbook's tables for people, declared once: which published table each is made from,
//! which of its rows, and its columns in words (labels for keys, wave years as numbers, one
//! measure per column with its unit in the header). The writer and the audit both follow these
//! declarations, reading the same rows: the writer from the typed tables, the audit from the
//! CSV copies, through [`TextTable`].
//!
//! An indicator's value is in its own unit (% positive, an index 0-100, a score 0-10, eNPS),
//! so a table of indicators is split into one sheet per unit: no column mixes units.

use std::collections::HashMap;

/// Where a column's cells come from.
#[derive(Debug, Clone, Copy)]
pub enum Source {
    /// The source row's cell, written as its type says (numbers as numbers).
    Cell(&'static str),
    /// The year of a wave (`dim_wave.fieldwork_start`), a number: the column holds a wave id.
    Year(&'static str),
    /// A label from a dimension: (the source's key column, dimension, its key, its label).
    Label(&'static str, &'static str, &'static str, &'static str),
    /// Text whose question ids (a reason naming the question a reworded one replaces) are
    /// written as the questions' short labels.
    Words(&'static str),
}

/// One column: its header (`{unit}` and `{change}` stand for the sheet's unit and the unit of
/// a change in it) and its cells.
#[derive(Debug, Clone, Copy)]
pub struct SheetColumn {
    pub header: &'static str,
    pub source: Source,
    /// Says which group a row is, or why its figures are withheld: left out of the headline,
    /// whose rows are all the organisation's.
    pub per_group: bool,
}

/// Which of the source table's rows a sheet shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rows {
    All,
    /// Every row of the indicators in the sheet's unit.
    InUnit,
    /// The latest wave, all staff, the headline indicators in the sheet's unit.
    Headline,
}

#[derive(Debug)]
pub struct SheetDef {
    /// The title after "Table N: ", with `{unit}` for split sheets.
    pub title: &'static str,
    /// The sheet's short name after its number (Excel allows 31 characters in all).
    pub short: &'static str,
    pub source: &'static str,
    pub rows: Rows,
    pub columns: &'static [SheetColumn],
}

const fn col(header: &'static str, source: Source) -> SheetColumn {
    SheetColumn {
        header,
        source,
        per_group: false,
    }
}

/// A column the headline leaves out (see [`SheetColumn::per_group`]).
const fn group_col(header: &'static str, source: Source) -> SheetColumn {
    SheetColumn {
        per_group: true,
        ..col(header, source)
    }
}

const INDICATOR: Source = Source::Label(
    "indicator_id",
    "dim_indicator",
    "indicator_id",
    "indicator_name",
);
const MEASURED_AS: Source = Source::Label("indicator_id", "dim_indicator", "indicator_id", "unit");
const BREAKDOWN: Source = Source::Label("group_key", "dim_group", "group_key", "breakdown_label");
const GROUP: Source = Source::Label("group_key", "dim_group", "group_key", "group_label");
const WITHHELD: Source = Source::Label(
    "suppression_reason",
    "dim_suppression_reason",
    "suppression_reason",
    "reason_label",
);
const fn verdict(column: &'static str) -> Source {
    Source::Label(column, "dim_verdict", "verdict", "verdict_label")
}

const WITH_CHANGE: &[SheetColumn] = &[
    col("Indicator", INDICATOR),
    col("Measured as", MEASURED_AS),
    col("Survey year", Source::Year("wave_id")),
    group_col("Breakdown", BREAKDOWN),
    group_col("Group", GROUP),
    col("Respondents", Source::Cell("n")),
    col("Value ({unit})", Source::Cell("value")),
    col("Lower end of 95% interval ({unit})", Source::Cell("ci_low")),
    col(
        "Upper end of 95% interval ({unit})",
        Source::Cell("ci_high"),
    ),
    col(
        "Previous wave's value ({unit})",
        Source::Cell("value_previous"),
    ),
    col(
        "Change since the previous wave ({change})",
        Source::Cell("change_since_previous"),
    ),
    col(
        "Lower end of the change's 95% interval ({change})",
        Source::Cell("change_since_previous_ci_low"),
    ),
    col(
        "Upper end of the change's 95% interval ({change})",
        Source::Cell("change_since_previous_ci_high"),
    ),
    col(
        "Verdict since the previous wave",
        verdict("verdict_since_previous"),
    ),
    col("Baseline value ({unit})", Source::Cell("value_baseline")),
    col(
        "Change since the baseline ({change})",
        Source::Cell("change_since_baseline"),
    ),
    col(
        "Lower end of the baseline change's 95% interval ({change})",
        Source::Cell("change_since_baseline_ci_low"),
    ),
    col(
        "Upper end of the baseline change's 95% interval ({change})",
        Source::Cell("change_since_baseline_ci_high"),
    ),
    col(
        "Verdict since the baseline",
        verdict("verdict_since_baseline"),
    ),
    group_col("Why withheld", WITHHELD),
];

/// The workbook's tables, in order: the headline first.
pub const SHEETS: &[SheetDef] = &[
    SheetDef {
        title: "Headline indicators ({unit}): the latest wave, all staff",
        short: "Headline",
        source: "fact_indicator_with_change",
        rows: Rows::Headline,
        columns: WITH_CHANGE,
    },
    SheetDef {
        title: "Indicators ({unit}) by group and wave, with their change",
        short: "Indicators",
        source: "fact_indicator_with_change",
        rows: Rows::InUnit,
        columns: WITH_CHANGE,
    },
    SheetDef {
        title: "Answers to each question by group and wave",
        short: "Answers",
        source: "fact_item_results",
        rows: Rows::All,
        columns: &[
            col(
                "Question",
                Source::Label(
                    "question_id",
                    "dim_question",
                    "question_id",
                    "question_text",
                ),
            ),
            col("Survey year", Source::Year("wave_id")),
            col("Breakdown", BREAKDOWN),
            col("Group", GROUP),
            col("Valid answers", Source::Cell("n")),
            col("Positive (%)", Source::Cell("pct_positive")),
            col("Neutral (%)", Source::Cell("pct_neutral")),
            col("Negative (%)", Source::Cell("pct_negative")),
            col(
                "Lower end of 95% interval for positive (%)",
                Source::Cell("ci_low"),
            ),
            col(
                "Upper end of 95% interval for positive (%)",
                Source::Cell("ci_high"),
            ),
            col("Why withheld", WITHHELD),
        ],
    },
    SheetDef {
        title: "Change in each question's positive answers by group",
        short: "Answer changes",
        source: "fact_item_changes",
        rows: Rows::All,
        columns: &[
            col(
                "Question",
                Source::Label(
                    "question_id",
                    "dim_question",
                    "question_id",
                    "question_text",
                ),
            ),
            col(
                "Comparison",
                Source::Label(
                    "comparison",
                    "dim_comparison",
                    "comparison",
                    "comparison_label",
                ),
            ),
            col("From survey year", Source::Year("wave_from")),
            col("To survey year", Source::Year("wave_to")),
            col("Breakdown", BREAKDOWN),
            col("Group", GROUP),
            col("Positive then (%)", Source::Cell("value_from")),
            col("Positive now (%)", Source::Cell("value_to")),
            col("Change (percentage points)", Source::Cell("delta")),
            col(
                "Lower end of the change's 95% interval (percentage points)",
                Source::Cell("delta_ci_low"),
            ),
            col(
                "Upper end of the change's 95% interval (percentage points)",
                Source::Cell("delta_ci_high"),
            ),
            col("p-value", Source::Cell("p_value")),
            col(
                "p-value allowing for the number of comparisons (q-value)",
                Source::Cell("q_value"),
            ),
            col("Verdict", verdict("verdict")),
            col("Why not tested", Source::Words("reason")),
            col("Why withheld", WITHHELD),
        ],
    },
    SheetDef {
        title: "Responses against staff in post by group",
        short: "Response rates",
        source: "fact_response_rates",
        rows: Rows::All,
        columns: &[
            col("Survey year", Source::Year("wave_id")),
            col("Breakdown", BREAKDOWN),
            col("Group", GROUP),
            col("Responses", Source::Cell("responses")),
            col("Staff in post", Source::Cell("headcount")),
            col("Response rate (%)", Source::Cell("response_rate")),
            col("Share of responses (%)", Source::Cell("pct_of_respondents")),
            col(
                "Share of staff in post (%)",
                Source::Cell("pct_of_workforce"),
            ),
            col("Why withheld", WITHHELD),
        ],
    },
    SheetDef {
        title: "What relates most to each outcome (key drivers)",
        short: "Key drivers",
        source: "fact_drivers",
        rows: Rows::All,
        columns: &[
            col("Survey year", Source::Year("wave_id")),
            col(
                "Outcome",
                Source::Label(
                    "outcome_indicator_id",
                    "dim_indicator",
                    "indicator_id",
                    "indicator_name",
                ),
            ),
            col("Breakdown", BREAKDOWN),
            col("Group", GROUP),
            col(
                "Driver",
                Source::Label(
                    "driver_indicator_id",
                    "dim_indicator",
                    "indicator_id",
                    "indicator_name",
                ),
            ),
            col("Respondents analysed", Source::Cell("n")),
            col(
                "Share of what the drivers explain (%)",
                Source::Cell("share_of_r2"),
            ),
            col(
                "Lower end of the share's 95% interval (%)",
                Source::Cell("share_ci_low"),
            ),
            col(
                "Upper end of the share's 95% interval (%)",
                Source::Cell("share_ci_high"),
            ),
            col("Driver score (0-100)", Source::Cell("driver_score")),
            col("Rank (1 = relates most)", Source::Cell("rank")),
            col(
                "Quadrant",
                Source::Label("quadrant", "dim_quadrant", "quadrant", "quadrant_label"),
            ),
        ],
    },
    SheetDef {
        title: "Member-meeting feedback: each indicator by quarter",
        short: "Feedback by quarter",
        source: "fact_feedback_indicator_quarter",
        rows: Rows::All,
        columns: &[
            col(
                "Quarter",
                Source::Label("quarter_key", "dim_quarter", "quarter_key", "quarter_label"),
            ),
            col("Indicator", INDICATOR),
            col(
                "Breakdown",
                Source::Label(
                    "group_key",
                    "dim_feedback_group",
                    "group_key",
                    "breakdown_label",
                ),
            ),
            col(
                "Group",
                Source::Label(
                    "group_key",
                    "dim_feedback_group",
                    "group_key",
                    "group_label",
                ),
            ),
            col("Forms", Source::Cell("n")),
            col("Positive (%)", Source::Cell("value")),
            col("Lower end of 95% interval (%)", Source::Cell("ci_low")),
            col("Upper end of 95% interval (%)", Source::Cell("ci_high")),
            col("Why withheld", WITHHELD),
        ],
    },
    SheetDef {
        title: "Member-meeting feedback: forms returned each month",
        short: "Feedback forms",
        source: "fact_feedback_uptake_month",
        rows: Rows::All,
        columns: &[
            col(
                "Month",
                Source::Label("month_start", "dim_month", "month_start", "month_label"),
            ),
            col(
                "Breakdown",
                Source::Label(
                    "group_key",
                    "dim_feedback_group",
                    "group_key",
                    "breakdown_label",
                ),
            ),
            col(
                "Group",
                Source::Label(
                    "group_key",
                    "dim_feedback_group",
                    "group_key",
                    "group_label",
                ),
            ),
            col("Forms", Source::Cell("forms")),
            col("Meetings held", Source::Cell("meetings_held")),
            col("Meetings with a form", Source::Cell("meetings_covered")),
            col("Attendees", Source::Cell("attendees")),
            col("Forms per attendee", Source::Cell("forms_per_attendee")),
            col("Why withheld", WITHHELD),
        ],
    },
];

/// A table as text, keyed by column name: the writer's typed rows or the audit's CSV.
pub struct TextTable {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl TextTable {
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
    }

    fn cell(&self, row: usize, name: &str) -> &str {
        self.column(name)
            .and_then(|c| self.rows.get(row)?.get(c))
            .map_or("", String::as_str)
    }
}

/// The dimensions' text, for labels and for choosing rows.
pub struct Dims {
    /// (table, key) → (column → text).
    rows: HashMap<(&'static str, String), HashMap<String, String>>,
}

/// The dimensions a sheet reads (the columns' labels and the rows' filters).
pub const DIMS: [(&str, &str); 11] = [
    ("dim_wave", "wave_id"),
    ("dim_indicator", "indicator_id"),
    ("dim_question", "question_id"),
    ("dim_group", "group_key"),
    ("dim_feedback_group", "group_key"),
    ("dim_quarter", "quarter_key"),
    ("dim_month", "month_start"),
    ("dim_verdict", "verdict"),
    ("dim_comparison", "comparison"),
    ("dim_suppression_reason", "suppression_reason"),
    ("dim_quadrant", "quadrant"),
];

impl Dims {
    /// From each dimension's text (missing ones give no labels).
    pub fn new(tables: &HashMap<&str, TextTable>) -> Dims {
        let mut rows = HashMap::new();
        for (dim, key) in &DIMS {
            let Some(t) = tables.get(dim) else { continue };
            let Some(k) = t.column(key) else { continue };
            for r in &t.rows {
                let cols = t
                    .header
                    .iter()
                    .map(|h| h.trim_start_matches('\u{feff}').to_string())
                    .zip(r.iter().cloned())
                    .collect();
                rows.insert((*dim, r[k].clone()), cols);
            }
        }
        Dims { rows }
    }

    pub fn get(&self, dim: &str, key: &str, column: &str) -> Option<&str> {
        let dim = DIMS.iter().map(|d| d.0).find(|d| *d == dim)?;
        self.rows
            .get(&(dim, key.to_string()))?
            .get(column)
            .map(String::as_str)
    }

    /// `text` with every question id in it (a whole word) written as the question's short
    /// label, in quotes: "S10b replaces S10" → "“Fair pay” replaces “Pay based on merit”".
    pub fn in_words(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut word = String::new();
        let flush = |word: &mut String, out: &mut String| {
            match self.get("dim_question", word, "short_label") {
                Some(label) => {
                    out.push('\u{201c}');
                    out.push_str(label);
                    out.push('\u{201d}');
                }
                None => out.push_str(word),
            }
            word.clear();
        };
        for ch in text.chars() {
            if ch.is_alphanumeric() || ch == '_' || ch == '-' {
                word.push(ch);
            } else {
                flush(&mut word, &mut out);
                out.push(ch);
            }
        }
        flush(&mut word, &mut out);
        out
    }

    /// A wave's year, from its fieldwork start (`2025-10-06` → 2025).
    pub fn year(&self, wave: &str) -> Option<f64> {
        self.get("dim_wave", wave, "fieldwork_start")?
            .get(..4)?
            .parse()
            .ok()
    }
}

/// How a unit is written in headers, and the unit of a change in it: percentages change in
/// percentage points, everything else in points of its scale.
pub fn unit_words(unit: &str) -> (String, &'static str) {
    if unit.starts_with('%') {
        ("%".to_string(), "percentage points")
    } else {
        (unit.to_string(), "points")
    }
}

/// One sheet of the workbook: its declaration, its unit (split sheets) and the source rows it
/// shows, in the source's order.
pub struct Sheet<'d> {
    pub number: usize,
    pub def: &'d SheetDef,
    pub unit: Option<String>,
    pub rows: Vec<usize>,
}

impl Sheet<'_> {
    /// `Table 3: Answers to each question by group and wave`.
    pub fn title(&self) -> String {
        let unit = self.unit.as_deref().map(|u| unit_words(u).0);
        format!(
            "Table {}: {}",
            self.number,
            self.def
                .title
                .replace("{unit}", unit.as_deref().unwrap_or(""))
        )
    }

    /// The sheet's tab: `3 Answers`, `1 Headline (%)` (at most 31 characters).
    pub fn name(&self) -> String {
        let name = match &self.unit {
            Some(u) => format!("{} {} ({})", self.number, self.def.short, unit_words(u).0),
            None => format!("{} {}", self.number, self.def.short),
        };
        name.chars()
            .filter(|c| !"[]:*?/\\".contains(*c))
            .take(31)
            .collect()
    }

    /// The sheet's columns: the declaration's, less the per-group ones on the headline.
    pub fn columns(&self) -> Vec<&SheetColumn> {
        let headline = self.def.rows == Rows::Headline;
        self.def
            .columns
            .iter()
            .filter(|c| !(headline && c.per_group))
            .collect()
    }

    /// A column's header with the sheet's units.
    pub fn header(&self, c: &SheetColumn) -> String {
        let (unit, change) = self.unit.as_deref().map_or((String::new(), ""), unit_words);
        c.header
            .replace("{unit}", &unit)
            .replace("{change}", change)
    }
}

/// Every sheet with rows, numbered from 1, from the source tables' text.
pub fn sheets<'a>(tables: &HashMap<&str, TextTable>, dims: &Dims) -> Vec<Sheet<'a>> {
    let mut out: Vec<Sheet<'a>> = Vec::new();
    for def in SHEETS {
        let Some(source) = tables.get(def.source) else {
            continue;
        };
        let units: Vec<Option<String>> = match def.rows {
            Rows::All => vec![None],
            Rows::InUnit | Rows::Headline => units_of(source, dims).into_iter().map(Some).collect(),
        };
        for unit in units {
            let rows: Vec<usize> = (0..source.rows.len())
                .filter(|&r| keeps(def.rows, unit.as_deref(), source, r, dims))
                .collect();
            if rows.is_empty() {
                continue;
            }
            out.push(Sheet {
                number: out.len() + 1,
                def,
                unit,
                rows,
            });
        }
    }
    out
}

/// The units (as headers write them) of the indicators a table's rows hold, in first-seen
/// order.
fn units_of(t: &TextTable, dims: &Dims) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in 0..t.rows.len() {
        let unit = dims
            .get("dim_indicator", t.cell(r, "indicator_id"), "unit")
            .map(|u| unit_words(u).0);
        if let Some(u) = unit
            && !out.contains(&u)
        {
            out.push(u);
        }
    }
    out
}

fn keeps(rows: Rows, unit: Option<&str>, t: &TextTable, r: usize, dims: &Dims) -> bool {
    let indicator = t.cell(r, "indicator_id");
    let in_unit = || {
        dims.get("dim_indicator", indicator, "unit")
            .map(|u| unit_words(u).0)
            .as_deref()
            == unit
    };
    match rows {
        Rows::All => true,
        Rows::InUnit => in_unit(),
        Rows::Headline => {
            in_unit()
                && t.cell(r, "group_key") == "overall"
                && dims.get("dim_wave", t.cell(r, "wave_id"), "is_latest") == Some("true")
                && dims.get("dim_indicator", indicator, "is_headline") == Some("true")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dims() -> Dims {
        let table = |header: &[&str], rows: &[&[&str]]| TextTable {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect(),
        };
        let mut t = HashMap::new();
        t.insert(
            "dim_question",
            table(
                &["question_id", "short_label"],
                &[&["S10", "Pay based on merit"], &["S10b", "Fair pay"]],
            ),
        );
        t.insert(
            "dim_wave",
            table(
                &["wave_id", "fieldwork_start", "is_latest"],
                &[&["2025", "2025-10-06", "true"]],
            ),
        );
        Dims::new(&t)
    }

    #[test]
    fn reasons_name_questions_by_their_labels_not_their_ids() {
        let d = dims();
        assert_eq!(
            d.in_words("S10b replaces S10, not comparable: wording changed in 2026"),
            "\u{201c}Fair pay\u{201d} replaces \u{201c}Pay based on merit\u{201d}, not comparable: wording changed in 2026"
        );
        // Only whole words: an id inside another word stays as it is.
        assert_eq!(d.in_words("XS10 S10x"), "XS10 S10x");
        assert_eq!(d.year("2025"), Some(2025.0));
        assert_eq!(d.year("2024"), None);
    }

    #[test]
    fn split_sheets_say_their_unit_in_title_name_and_headers() {
        let def = &SHEETS[0];
        let sheet = Sheet {
            number: 1,
            def,
            unit: Some("%".into()),
            rows: vec![0],
        };
        assert_eq!(
            sheet.title(),
            "Table 1: Headline indicators (%): the latest wave, all staff"
        );
        assert_eq!(sheet.name(), "1 Headline (%)");
        let change = def
            .columns
            .iter()
            .find(|c| matches!(c.source, Source::Cell("change_since_baseline")))
            .unwrap();
        assert_eq!(
            sheet.header(change),
            "Change since the baseline (percentage points)"
        );
        assert_eq!(
            unit_words("score 0-10"),
            ("score 0-10".to_string(), "points")
        );
        assert!(sheet.name().chars().count() <= 31);
    }
}
