//! Dimension tables: short and wide, one row per wave, question, indicator, group, month,
//! quarter, committee and import source, with labels and sort orders. Facts point at them by
//! key.

use super::{Evidence, lower_first};
use crate::calendar::{Quarter, YearMonth};
use crate::indicators::{Breakdown, Group};
use crate::report::registry::published_table;
use crate::schema::{NOT_STATED, QuestionType, Schema};
use chrono::NaiveDate;

published_table! {
    /// One staff-survey wave.
    pub struct DimWave in "dim_wave" {
        title: "Survey waves",
        grain: "One row per staff-survey wave, in time order.",
        primary_key: ["wave_id"],
        foreign_keys: ["fieldwork_month" -> "dim_month"."month_start"],
        disclosure: Disclosure::None,
        columns: {
            wave_id: String => (Key, Plain, "", "The wave's id in the config, e.g. `2025`."),
            wave_label: String => (Attribute, Plain, "", "The wave for readers: its id and fieldwork month, e.g. `2025 (Oct 2025)`."),
            fieldwork_start: NaiveDate => (Attribute, Plain, "", "First day the survey was open."),
            fieldwork_end: NaiveDate => (Attribute, Plain, "", "Last day the survey was open."),
            fieldwork_month: NaiveDate => (Key, Plain, "", "First day of the month fieldwork started in: relates the wave to dim_month."),
            financial_year: String => (Attribute, Plain, "", "UK financial year (April to March) fieldwork started in, e.g. `2025/26`."),
            is_baseline: bool => (Attribute, Plain, "", "The baseline: the wave every later wave is compared with."),
            is_latest: bool => (Attribute, Plain, "", "The latest wave, which the headline figures describe."),
            sort_order: u32 => (Attribute, Plain, "", "1 for the earliest wave; sort wave_label by this."),
        }
    }
}

published_table! {
    /// One question of the staff survey or the meeting-feedback form.
    pub struct DimQuestion in "dim_question" {
        title: "Questions",
        grain: "One row per question of the staff survey and the meeting-feedback form, in schema order.",
        primary_key: ["question_id"],
        foreign_keys: [
            "replaces_question_id" -> "dim_question"."question_id",
            "primary_indicator_id" -> "dim_indicator"."indicator_id",
        ],
        disclosure: Disclosure::None,
        columns: {
            question_id: String => (Key, Plain, "", "The question's id in its schema, e.g. `S19` or `C01`."),
            survey_id: String => (Attribute, Plain, "", "`staff-survey` or `member-feedback` (the schema's id)."),
            survey: String => (Attribute, Plain, "", "The questionnaire for readers (the schema's title)."),
            question_text: String => (Attribute, Plain, "", "The full wording as asked."),
            short_label: String => (Attribute, Plain, "", "A short label for charts and slicers: the schema's `short`, or the wording cut at about 60 characters."),
            question_type: String => (Attribute, Plain, "", "`likert`, `yes-no`, `0-10` or `free-text`."),
            scale_id: Option<String> => (Attribute, Plain, "", "The answer scale (empty for free text)."),
            scale_description: Option<String> => (Attribute, Plain, "", "What the answer scale is."),
            reverse_keyed: bool => (Attribute, Plain, "", "Agreeing (or answering Yes) is unfavourable, so positive and negative are swapped."),
            source: Option<String> => (Attribute, Plain, "", "Where the question comes from (e.g. `CS B47`: Civil Service People Survey)."),
            series_id: String => (Attribute, Plain, "", "The time series the question belongs to: the id of the earliest comparable version (the schema's crosswalk). A reworded question that is not comparable starts its own series."),
            replaces_question_id: Option<String> => (Key, Plain, "", "The earlier question this one replaces, if any."),
            comparable_with_replaced: Option<bool> => (Attribute, Plain, "", "Whether it is compared with the question it replaces."),
            primary_indicator_id: Option<String> => (Key, Plain, "", "The first indicator built from this question (all of them: bridge_indicator_question)."),
            sort_order: u32 => (Attribute, Plain, "", "Schema order, staff survey first."),
        }
    }
}

published_table! {
    /// One indicator.
    pub struct DimIndicator in "dim_indicator" {
        title: "Indicators",
        grain: "One row per indicator of the staff survey and the meeting-feedback form, in schema order.",
        primary_key: ["indicator_id"],
        foreign_keys: [],
        disclosure: Disclosure::None,
        columns: {
            indicator_id: String => (Key, Plain, "", "The indicator's id in its schema, e.g. `officer_member_trust`."),
            survey_id: String => (Attribute, Plain, "", "`staff-survey` or `member-feedback`."),
            survey: String => (Attribute, Plain, "", "The questionnaire for readers."),
            indicator_name: String => (Attribute, Plain, "", "The indicator's name for readers."),
            method: String => (Attribute, Plain, "", "`theme-pct-positive`, `index-0-100`, `score-0-10`, `yes-rate` or `enps`."),
            unit: String => (Attribute, Plain, "", "What `value` is measured in: `% positive`, `index 0-100`, `score 0-10`, `% yes` or `eNPS -100 to 100`."),
            description: String => (Attribute, Plain, "", "How the value is scored."),
            higher_is_better: bool => (Attribute, Plain, "", "Whether a rise is good news, as the schema declares (false for bullying and discrimination rates)."),
            is_headline: bool => (Attribute, Plain, "", "On the board's headline: the staff survey's indicators (the report's first page, the `headline` family of changes); false for meeting-feedback indicators. Filter on it for headline cards."),
            questions: u32 => (Attribute, Plain, "questions", "How many questions it is built from."),
            decimals: u32 => (Attribute, Plain, "", "Decimal places its values are published with (2 for 0-10 scores, 1 otherwise): use it for the measure's format string."),
            sort_order: u32 => (Attribute, Plain, "", "Schema order, staff survey first."),
        }
    }
}

published_table! {
    /// Which questions an indicator is built from.
    pub struct BridgeIndicatorQuestion in "bridge_indicator_question" {
        title: "Questions behind each indicator",
        grain: "One row per indicator × question it is built from.",
        primary_key: ["indicator_id", "question_id"],
        foreign_keys: [
            "indicator_id" -> "dim_indicator"."indicator_id",
            "question_id" -> "dim_question"."question_id",
        ],
        disclosure: Disclosure::None,
        columns: {
            indicator_id: String => (Key, Plain, "", "The indicator."),
            question_id: String => (Key, Plain, "", "One of its questions."),
            position: u32 => (Attribute, Plain, "", "1 for the indicator's first question."),
        }
    }
}

published_table! {
    /// A group of staff respondents.
    pub struct DimGroup in "dim_group" {
        title: "Groups of staff",
        grain: "One row per group of staff that results are published for: the whole organisation, each category of each breakdown (with Not stated), and each pair of categories of each two-way breakdown.",
        primary_key: ["group_key"],
        foreign_keys: [],
        disclosure: Disclosure::None,
        columns: {
            group_key: String => (Key, Plain, "", "Stable key: `overall`, `directorate=Resources`, or `directorate=Resources | grade=PO1-PO4`. The same group has the same key every year."),
            level: String => (Attribute, Plain, "", "`organisation` (everyone), `one-way` (one breakdown field) or `two-way` (a cross of two fields)."),
            breakdown_id: String => (Attribute, Plain, "", "`overall`, the demographic field (`directorate`) or the cross (`directorate_by_grade`)."),
            breakdown_label: String => (Attribute, Plain, "", "The breakdown for readers: `All respondents`, `Directorate`, `Directorate and grade`."),
            group_label: String => (Attribute, Plain, "", "The group for readers: `All respondents`, `Resources`, `Resources / PO1-PO4`."),
            field_1_id: Option<String> => (Attribute, Plain, "", "The (first) demographic field; empty for the organisation."),
            field_1_label: Option<String> => (Attribute, Plain, "", "Its label, e.g. `Directorate`."),
            category_1: Option<String> => (Attribute, Plain, "", "The group's category of that field (or `Not stated`): filter a slicer on this."),
            category_1_order: Option<u32> => (Attribute, Plain, "", "The category's position in the schema (Not stated last): sort category_1 by this."),
            field_2_id: Option<String> => (Attribute, Plain, "", "The second field of a two-way breakdown."),
            field_2_label: Option<String> => (Attribute, Plain, "", "Its label, e.g. `Grade`."),
            category_2: Option<String> => (Attribute, Plain, "", "The group's category of the second field."),
            category_2_order: Option<u32> => (Attribute, Plain, "", "Sort category_2 by this."),
            not_stated: bool => (Attribute, Plain, "", "The group is (partly) people who left a demographic question blank."),
            sort_order: u32 => (Attribute, Plain, "", "Publication order: the organisation, then each breakdown's categories in schema order."),
        }
    }
}

published_table! {
    /// A calendar month.
    pub struct DimMonth in "dim_month" {
        title: "Months",
        grain: "One row per calendar month from the earliest to the latest month of the survey fieldwork and the meeting register.",
        primary_key: ["month_start"],
        foreign_keys: ["quarter_key" -> "dim_quarter"."quarter_key"],
        disclosure: Disclosure::None,
        columns: {
            month_start: NaiveDate => (Key, Plain, "", "First day of the month: the key facts use."),
            month_end: NaiveDate => (Attribute, Plain, "", "Last day of the month."),
            month_key: String => (Attribute, Plain, "", "`2025-03`."),
            month_label: String => (Attribute, Plain, "", "`Mar 2025`: sort by sort_order."),
            calendar_year: i64 => (Attribute, Plain, "", "2025."),
            calendar_month: u32 => (Attribute, Plain, "", "1 (January) to 12."),
            quarter_key: String => (Key, Plain, "", "The quarter the month is in (dim_quarter)."),
            financial_year: String => (Attribute, Plain, "", "UK financial year, April to March: `2024/25`."),
            financial_quarter: u32 => (Attribute, Plain, "", "1 (April to June) to 4 (January to March)."),
            financial_quarter_label: String => (Attribute, Plain, "", "`2024/25 Q4`."),
            feedback_baseline: bool => (Attribute, Plain, "", "One of the meeting-feedback control charts' baseline months."),
            sort_order: u32 => (Attribute, Plain, "", "1 for the earliest month."),
        }
    }
}

published_table! {
    /// A quarter.
    pub struct DimQuarter in "dim_quarter" {
        title: "Quarters",
        grain: "One row per quarter (three calendar months) covered by dim_month.",
        primary_key: ["quarter_key"],
        foreign_keys: [],
        disclosure: Disclosure::None,
        columns: {
            quarter_key: String => (Key, Plain, "", "Calendar key: `2025-Q1` is January to March 2025."),
            quarter_label: String => (Attribute, Plain, "", "`Jan-Mar 2025`: sort by sort_order."),
            start_date: NaiveDate => (Attribute, Plain, "", "First day of the quarter."),
            end_date: NaiveDate => (Attribute, Plain, "", "Last day of the quarter."),
            calendar_year: i64 => (Attribute, Plain, "", "2025."),
            calendar_quarter: u32 => (Attribute, Plain, "", "1 (January to March) to 4."),
            financial_year: String => (Attribute, Plain, "", "UK financial year: `2024/25`."),
            financial_quarter: u32 => (Attribute, Plain, "", "1 (April to June) to 4 (January to March)."),
            financial_quarter_label: String => (Attribute, Plain, "", "`2024/25 Q4`: the label councils report quarters by."),
            sort_order: u32 => (Attribute, Plain, "", "1 for the earliest quarter."),
        }
    }
}

published_table! {
    /// A committee in the meeting register.
    pub struct DimCommittee in "dim_committee" {
        title: "Committees",
        grain: "One row per committee in the meeting register (empty when meeting feedback is not configured).",
        primary_key: ["committee_id"],
        foreign_keys: [],
        disclosure: Disclosure::None,
        columns: {
            committee_id: String => (Key, Plain, "", "The committee's name as the register spells it."),
            committee_name: String => (Attribute, Plain, "", "The committee for readers."),
            meetings_in_register: u32 => (Attribute, Plain, "meetings", "Meetings the register lists for it."),
            sort_order: u32 => (Attribute, Plain, "", "Alphabetical."),
        }
    }
}

published_table! {
    /// A group of meeting-feedback forms.
    pub struct DimFeedbackGroup in "dim_feedback_group" {
        title: "Groups of meeting feedback",
        grain: "One row per group meeting feedback is published for: all forms, each committee, each role and each political group (never an individual).",
        primary_key: ["group_key"],
        foreign_keys: ["committee_id" -> "dim_committee"."committee_id"],
        disclosure: Disclosure::None,
        columns: {
            group_key: String => (Key, Plain, "", "`overall`, `committee=Planning Committee`, `role=Councillor`, `political_group=Green`."),
            level: String => (Attribute, Plain, "", "`all forms` or `one-way`."),
            breakdown_id: String => (Attribute, Plain, "", "`overall`, `committee`, `role` or `political_group`."),
            breakdown_label: String => (Attribute, Plain, "", "The breakdown for readers."),
            group_label: String => (Attribute, Plain, "", "The group for readers."),
            field_1_id: Option<String> => (Attribute, Plain, "", "The field the group is a category of; empty for all forms."),
            category_1: Option<String> => (Attribute, Plain, "", "The category (or `Not stated`)."),
            committee_id: Option<String> => (Key, Plain, "", "The committee, for committee groups."),
            sort_order: u32 => (Attribute, Plain, "", "All forms first, then committees, roles and political groups."),
        }
    }
}

published_table! {
    /// One imported file.
    pub struct DimImportSource in "dim_import_source" {
        title: "Imported files",
        grain: "One row per imported file: each staff-survey wave's export and each meeting-feedback source.",
        primary_key: ["source_id"],
        foreign_keys: ["wave_id" -> "dim_wave"."wave_id"],
        disclosure: Disclosure::None,
        columns: {
            source_id: String => (Key, Plain, "", "`staff-survey/2025` or `member-feedback/paper`."),
            survey_id: String => (Attribute, Plain, "", "`staff-survey` or `member-feedback`."),
            wave_id: Option<String> => (Key, Plain, "", "The staff-survey wave the file holds."),
            file: String => (Attribute, Plain, "", "The file's name."),
            layout: String => (Attribute, Plain, "", "The export layout it was read with."),
            encoding: String => (Attribute, Plain, "", "The text encoding it was read with."),
            rows_in: u64 => (Attribute, Plain, "rows", "Data rows in the file: accepted + excluded + rejected."),
            accepted: u64 => (Attribute, Plain, "rows", "Rows accepted as responses."),
            excluded: u64 => (Attribute, Plain, "rows", "Rows set aside by a declared rule (previews, tests, incomplete)."),
            rejected: u64 => (Attribute, Plain, "rows", "Rows rejected as defective."),
            rejected_pct: f64 => (Attribute, D2, "%", "Rejected rows as a percentage of rows in."),
            sort_order: u32 => (Attribute, Plain, "", "Staff waves in time order, then feedback sources."),
        }
    }
}

/// `overall`, `directorate=Resources`, `directorate=Resources | grade=PO1-PO4`.
pub fn group_key(schema: &Schema, b: Breakdown, g: Group) -> String {
    let one = |d: usize, c: Option<u32>| {
        format!("{}={}", schema.demographics[d].id, category(schema, d, c))
    };
    match (b, g) {
        (Breakdown::Field(d), Group::One(c)) => one(d, c),
        (Breakdown::Cross(a, b), Group::Two(x, y)) => format!("{} | {}", one(a, x), one(b, y)),
        _ => "overall".into(),
    }
}

/// A category's label: the schema's, `Not stated`, or a merge's members joined with ` + `
/// (`Scale 1-6 + SO1-SO2`).
fn category(schema: &Schema, field: usize, c: Option<u32>) -> std::borrow::Cow<'_, str> {
    let labels = &schema.demographics[field].categories;
    let label = |c: u32| labels.get(c as usize).map_or("?", String::as_str);
    match c {
        None => NOT_STATED.into(),
        Some(c) => match crate::indicators::members(c) {
            Some(m) => m
                .iter()
                .map(|&c| label(c))
                .collect::<Vec<_>>()
                .join(" + ")
                .into(),
            None => label(c).into(),
        },
    }
}

/// A category's position for sorting: schema order (a merge where its first member is), Not
/// stated last.
fn category_order(schema: &Schema, field: usize, c: Option<u32>) -> u32 {
    c.map_or(
        schema.demographics[field].categories.len() as u32 + 1,
        |c| crate::indicators::position(c) + 1,
    )
}

/// `directorate` or `directorate_by_grade`.
pub fn breakdown_id(schema: &Schema, b: Breakdown) -> String {
    match b {
        Breakdown::Overall => "overall".into(),
        Breakdown::Field(d) => schema.demographics[d].id.clone(),
        Breakdown::Cross(a, b) => format!(
            "{}_by_{}",
            schema.demographics[a].id, schema.demographics[b].id
        ),
    }
}

/// `All respondents`, `Directorate`, `Directorate and grade`.
pub fn breakdown_label(schema: &Schema, b: Breakdown) -> String {
    match b {
        Breakdown::Overall => "All respondents".into(),
        Breakdown::Field(d) => schema.demographics[d].label.clone(),
        Breakdown::Cross(a, b) => format!(
            "{} and {}",
            schema.demographics[a].label,
            lower_first(&schema.demographics[b].label)
        ),
    }
}

/// `All respondents`, `Resources`, `Resources / PO1-PO4`.
pub fn group_label(schema: &Schema, b: Breakdown, g: Group) -> String {
    match (b, g) {
        (Breakdown::Field(d), Group::One(c)) => category(schema, d, c).to_string(),
        (Breakdown::Cross(a, b), Group::Two(x, y)) => {
            format!("{} / {}", category(schema, a, x), category(schema, b, y))
        }
        _ => "All respondents".into(),
    }
}

pub fn dim_group(schema: &Schema, groups: &[(Breakdown, Group)]) -> Vec<DimGroup> {
    groups
        .iter()
        .enumerate()
        .map(|(i, &(b, g))| {
            let side = |d: usize, c: Option<u32>| {
                (
                    Some(schema.demographics[d].id.clone()),
                    Some(schema.demographics[d].label.clone()),
                    Some(category(schema, d, c).to_string()),
                    Some(category_order(schema, d, c)),
                )
            };
            let none = || (None, None, None, None);
            let (level, first, second) = match (b, g) {
                (Breakdown::Field(d), Group::One(c)) => ("one-way", side(d, c), none()),
                (Breakdown::Cross(a, bb), Group::Two(x, y)) => ("two-way", side(a, x), side(bb, y)),
                _ => ("organisation", none(), none()),
            };
            let not_stated = matches!(
                g,
                Group::One(None) | Group::Two(None, _) | Group::Two(_, None)
            );
            DimGroup {
                group_key: group_key(schema, b, g),
                level: level.into(),
                breakdown_id: breakdown_id(schema, b),
                breakdown_label: breakdown_label(schema, b),
                group_label: group_label(schema, b, g),
                field_1_id: first.0,
                field_1_label: first.1,
                category_1: first.2,
                category_1_order: first.3,
                field_2_id: second.0,
                field_2_label: second.1,
                category_2: second.2,
                category_2_order: second.3,
                not_stated,
                sort_order: i as u32 + 1,
            }
        })
        .collect()
}

pub fn dim_wave(e: &Evidence) -> Vec<DimWave> {
    let latest = e.waves.last();
    e.config
        .waves
        .iter()
        .zip(e.waves)
        .enumerate()
        .filter_map(|(i, (w, id))| {
            let f = w.fieldwork?;
            let month = YearMonth::of(f.start);
            Some(DimWave {
                wave_id: id.to_string(),
                wave_label: format!("{id} ({})", month.label()),
                fieldwork_start: f.start,
                fieldwork_end: f.end,
                fieldwork_month: month.first_day(),
                financial_year: month.financial_year().to_string(),
                is_baseline: *id == e.config.baseline,
                is_latest: Some(id) == latest,
                sort_order: i as u32 + 1,
            })
        })
        .collect()
}

/// Up to about 60 characters, cut at a word, with an ellipsis.
fn shorten(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        return text.to_string();
    }
    let cut: String = text.chars().take(MAX - 1).collect();
    let at = cut.rfind(' ').filter(|&i| i > MAX / 2).unwrap_or(cut.len());
    format!("{}…", cut[..at].trim_end_matches([',', ';', ':', ' ']))
}

fn question_type(t: QuestionType) -> &'static str {
    match t {
        QuestionType::Likert => "likert",
        QuestionType::YesNo => "yes-no",
        QuestionType::ZeroToTen => "0-10",
        QuestionType::FreeText => "free-text",
    }
}

/// The earliest comparable version of a question (its series), following the crosswalk.
fn series(schema: &Schema, q: usize) -> usize {
    let mut q = q;
    let mut steps = 0;
    while let Some(cw) = schema.replaced_by(q).filter(|cw| cw.comparable) {
        q = cw.replaces;
        steps += 1;
        if steps > schema.questions.len() {
            break; // a crosswalk cycle: the schema check forbids it, but never loop forever
        }
    }
    q
}

/// Questions of every schema in `schemas`, in order.
pub fn dim_question(schemas: &[&Schema]) -> Vec<DimQuestion> {
    let mut out = Vec::new();
    for s in schemas {
        for (q, question) in s.questions.iter().enumerate() {
            let scale = s.scale_of(question);
            let replaced = s.replaced_by(q);
            out.push(DimQuestion {
                question_id: question.id.clone(),
                survey_id: s.id.clone(),
                survey: s.title.clone(),
                question_text: question.text.clone(),
                short_label: question
                    .short
                    .clone()
                    .unwrap_or_else(|| shorten(&question.text)),
                question_type: question_type(question.kind).into(),
                scale_id: scale.map(|sc| sc.id.clone()),
                scale_description: scale.and_then(|sc| sc.description.clone()),
                reverse_keyed: question.reverse_keyed,
                source: question.source.clone(),
                series_id: s.questions[series(s, q)].id.clone(),
                replaces_question_id: replaced.map(|cw| s.questions[cw.replaces].id.clone()),
                comparable_with_replaced: replaced.map(|cw| cw.comparable),
                primary_indicator_id: s
                    .indicators
                    .iter()
                    .find(|i| i.items.contains(&q))
                    .map(|i| i.id.clone()),
                sort_order: out.len() as u32 + 1,
            });
        }
    }
    out
}

pub fn dim_indicator(schemas: &[&Schema]) -> (Vec<DimIndicator>, Vec<BridgeIndicatorQuestion>) {
    let (mut dims, mut bridge) = (Vec::new(), Vec::new());
    for (k, s) in schemas.iter().enumerate() {
        for ind in &s.indicators {
            dims.push(DimIndicator {
                indicator_id: ind.id.clone(),
                survey_id: s.id.clone(),
                survey: s.title.clone(),
                indicator_name: ind.label.clone(),
                method: ind.method.code().into(),
                unit: ind.method.unit().into(),
                description: ind.method.description().into(),
                higher_is_better: ind.direction == crate::schema::Direction::HigherIsBetter,
                // The staff survey comes first; the meeting-feedback form after it.
                is_headline: k == 0,
                questions: ind.items.len() as u32,
                decimals: u32::from(ind.method.decimals()),
                sort_order: dims.len() as u32 + 1,
            });
            for (i, &q) in ind.items.iter().enumerate() {
                bridge.push(BridgeIndicatorQuestion {
                    indicator_id: ind.id.clone(),
                    question_id: s.questions[q].id.clone(),
                    position: i as u32 + 1,
                });
            }
        }
    }
    (dims, bridge)
}

/// Every month from the earliest to the latest of `months`.
pub fn dim_month(months: &[YearMonth], baseline: &[YearMonth]) -> (Vec<DimMonth>, Vec<DimQuarter>) {
    let (Some(&first), Some(&last)) = (months.iter().min(), months.iter().max()) else {
        return (Vec::new(), Vec::new());
    };
    let all = YearMonth::range(first, last);
    let mut quarters: Vec<Quarter> = all.iter().map(|m| m.quarter()).collect();
    quarters.dedup();
    let fq_label = |q: Quarter| format!("{} Q{}", q.financial_year(), q.financial_quarter());
    let month_rows = all
        .iter()
        .enumerate()
        .map(|(i, &m)| {
            let q = m.quarter();
            DimMonth {
                month_start: m.first_day(),
                month_end: m.last_day(),
                month_key: m.to_string(),
                month_label: m.label(),
                calendar_year: m.year().into(),
                calendar_month: m.month(),
                quarter_key: q.to_string(),
                financial_year: m.financial_year().to_string(),
                financial_quarter: q.financial_quarter(),
                financial_quarter_label: fq_label(q),
                feedback_baseline: baseline.contains(&m),
                sort_order: i as u32 + 1,
            }
        })
        .collect();
    let quarter_rows = quarters
        .iter()
        .enumerate()
        .map(|(i, &q)| DimQuarter {
            quarter_key: q.to_string(),
            quarter_label: q.label(),
            start_date: q.first_month().first_day(),
            end_date: q.months()[2].last_day(),
            calendar_year: q.calendar_year().into(),
            calendar_quarter: q.calendar_quarter(),
            financial_year: q.financial_year().to_string(),
            financial_quarter: q.financial_quarter(),
            financial_quarter_label: fq_label(q),
            sort_order: i as u32 + 1,
        })
        .collect();
    (month_rows, quarter_rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_wording_is_shortened_at_a_word() {
        assert_eq!(
            shorten("I feel valued for the work I do"),
            "I feel valued for the work I do"
        );
        let s = shorten(
            "If I spoke up about something that concerned me I am confident the Council would address my concern",
        );
        assert_eq!(s, "If I spoke up about something that concerned me I am…");
        assert!(s.chars().count() <= 60);
    }

    #[test]
    fn months_cover_the_span_with_financial_quarters() {
        let ym = |y, m| YearMonth::new(y, m).unwrap();
        let (months, quarters) = dim_month(&[ym(2025, 10), ym(2025, 2)], &[ym(2025, 2)]);
        assert_eq!(months.len(), 9, "February to October");
        assert_eq!(months[0].month_key, "2025-02");
        assert!(months[0].feedback_baseline && !months[1].feedback_baseline);
        assert_eq!(months[0].financial_quarter_label, "2024/25 Q4");
        assert_eq!(months[2].financial_quarter_label, "2025/26 Q1", "April");
        assert_eq!(
            quarters
                .iter()
                .map(|q| q.quarter_key.as_str())
                .collect::<Vec<_>>(),
            ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
        );
        assert_eq!(
            quarters[3].end_date,
            NaiveDate::from_ymd_opt(2025, 12, 31).unwrap()
        );
    }
}
