//! Member-meeting feedback facts, each at one grain: months (all committees, or one committee)
//! apart from quarters (all forms, a committee, a role or a political group), and uptake,
//! questions and indicators apart. Disclosure control protects each quarter as a whole (month ×
//! committee cells add up to month and committee totals), which the audit re-checks across the
//! month and quarter tables together.

use super::dims::{DimFeedbackGroup, breakdown_id, breakdown_label, group_key, group_label};
use super::suppression;
use crate::calendar::YearMonth;
use crate::disclosure::Protected;
use crate::indicators::statistics::{IndicatorStats, ItemStats};
use crate::indicators::{Breakdown, Group};
use crate::meetings::{Feedback, Quarter, Series};
use crate::report::registry::Figure;
use crate::report::registry::published_table;
use crate::schema::Schema;
use chrono::NaiveDate;
use std::collections::BTreeSet;

published_table! {
    /// Forms and uptake in one month.
    pub struct FactFeedbackUptakeMonth in "fact_feedback_uptake_month" {
        title: "Meeting feedback: forms and uptake by month",
        grain: "One row per month × committee group (all committees, or one committee).",
        primary_key: ["month_start", "group_key"],
        foreign_keys: [
            "month_start" -> "dim_month"."month_start",
            "group_key" -> "dim_feedback_group"."group_key",
            "suppression_reason" -> "dim_suppression_reason"."suppression_reason",
        ],
        disclosure: Disclosure::Figures {
            threshold: Threshold::Feedback,
            additive: Some(Additive { family: "feedback_forms", period: Period::MonthOfQuarter("month_start"), group: "group_key", groups: "dim_feedback_group" }),
        },
        columns: {
            month_start: NaiveDate => (Key, Plain, "", "The month of the meetings the forms are about."),
            group_key: String => (Key, Plain, "", "`overall` (all committees) or a committee."),
            forms: Figure<u64> => (Count, Plain, "forms", "Feedback forms accepted."),
            meetings_held: Option<u32> => (Admin, Plain, "meetings", "Meetings in the register (a register fact, always shown)."),
            meetings_covered: Figure<u32> => (Value, Plain, "meetings", "Meetings with at least one accepted form."),
            attendees: Option<u64> => (Admin, Plain, "people", "Members attending plus other speakers (register facts, always shown)."),
            forms_per_attendee: Figure<f64> => (Value, D3, "forms per attendee", "Uptake: forms / attendees."),
            suppressed: bool => (Suppressed, Plain, "", "The row's figures are withheld (meeting feedback's own threshold)."),
            suppression_reason: Option<String> => (Reason, Plain, "", "`confidential` (fewer forms than the threshold, or hidden to protect another figure: committees are too small to say which)."),
        }
    }
}

published_table! {
    /// Forms and uptake in one quarter.
    pub struct FactFeedbackUptakeQuarter in "fact_feedback_uptake_quarter" {
        title: "Meeting feedback: forms and uptake by quarter",
        grain: "One row per quarter × feedback group (all forms, a committee, a role or a political group).",
        primary_key: ["quarter_key", "group_key"],
        foreign_keys: [
            "quarter_key" -> "dim_quarter"."quarter_key",
            "group_key" -> "dim_feedback_group"."group_key",
            "suppression_reason" -> "dim_suppression_reason"."suppression_reason",
        ],
        disclosure: Disclosure::Figures {
            threshold: Threshold::Feedback,
            additive: Some(Additive { family: "feedback_forms", period: Period::Column("quarter_key"), group: "group_key", groups: "dim_feedback_group" }),
        },
        columns: {
            quarter_key: String => (Key, Plain, "", "The quarter."),
            group_key: String => (Key, Plain, "", "The feedback group."),
            forms: Figure<u64> => (Count, Plain, "forms", "Feedback forms accepted."),
            meetings_held: Option<u32> => (Admin, Plain, "meetings", "Meetings in the register (all forms and committees only)."),
            meetings_covered: Figure<u32> => (Value, Plain, "meetings", "Meetings with at least one accepted form (all forms and committees only)."),
            attendees: Option<u64> => (Admin, Plain, "people", "Members attending plus other speakers (all forms and committees only)."),
            forms_per_attendee: Figure<f64> => (Value, D3, "forms per attendee", "Uptake: forms / attendees."),
            suppressed: bool => (Suppressed, Plain, "", "The row's figures are withheld."),
            suppression_reason: Option<String> => (Reason, Plain, "", "`confidential` (fewer forms than the threshold, or hidden to protect another figure: committees are too small to say which)."),
        }
    }
}

published_table! {
    /// One feedback question in one month.
    pub struct FactFeedbackItemMonth in "fact_feedback_item_month" {
        title: "Meeting feedback: answers to each question by month",
        grain: "One row per month × question × committee group (all committees, or one committee).",
        primary_key: ["month_start", "question_id", "group_key"],
        foreign_keys: [
            "month_start" -> "dim_month"."month_start",
            "question_id" -> "dim_question"."question_id",
            "group_key" -> "dim_feedback_group"."group_key",
            "suppression_reason" -> "dim_suppression_reason"."suppression_reason",
        ],
        disclosure: Disclosure::Figures {
            threshold: Threshold::Feedback,
            additive: Some(Additive { family: "feedback_items", period: Period::MonthOfQuarter("month_start"), group: "group_key", groups: "dim_feedback_group" }),
        },
        columns: {
            month_start: NaiveDate => (Key, Plain, "", "The month."),
            question_id: String => (Key, Plain, "", "The question."),
            group_key: String => (Key, Plain, "", "`overall` (all committees) or a committee."),
            n: Figure<u64> => (Count, Plain, "answers", "Valid answers."),
            pct_positive: Figure<f64> => (Value, D1, "%", "% agreeing (Agree or Strongly agree)."),
            mean_0_100: Figure<f64> => (Value, D1, "0-100", "Mean answer on 0 (Strongly disagree) to 100 (Strongly agree)."),
            ci_low: Figure<f64> => (Value, D1, "%", "Lower end of the 95% Wilson interval for pct_positive."),
            ci_high: Figure<f64> => (Value, D1, "%", "Upper end of the 95% Wilson interval for pct_positive."),
            suppressed: bool => (Suppressed, Plain, "", "The row's figures are withheld."),
            suppression_reason: Option<String> => (Reason, Plain, "", "`confidential` (fewer forms than the threshold, or hidden to protect another figure: committees are too small to say which)."),
        }
    }
}

published_table! {
    /// One feedback question in one quarter.
    pub struct FactFeedbackItemQuarter in "fact_feedback_item_quarter" {
        title: "Meeting feedback: answers to each question by quarter",
        grain: "One row per quarter × question × feedback group.",
        primary_key: ["quarter_key", "question_id", "group_key"],
        foreign_keys: [
            "quarter_key" -> "dim_quarter"."quarter_key",
            "question_id" -> "dim_question"."question_id",
            "group_key" -> "dim_feedback_group"."group_key",
            "suppression_reason" -> "dim_suppression_reason"."suppression_reason",
        ],
        disclosure: Disclosure::Figures {
            threshold: Threshold::Feedback,
            additive: Some(Additive { family: "feedback_items", period: Period::Column("quarter_key"), group: "group_key", groups: "dim_feedback_group" }),
        },
        columns: {
            quarter_key: String => (Key, Plain, "", "The quarter."),
            question_id: String => (Key, Plain, "", "The question."),
            group_key: String => (Key, Plain, "", "The feedback group."),
            n: Figure<u64> => (Count, Plain, "answers", "Valid answers."),
            pct_positive: Figure<f64> => (Value, D1, "%", "% agreeing."),
            mean_0_100: Figure<f64> => (Value, D1, "0-100", "Mean answer on 0 to 100."),
            ci_low: Figure<f64> => (Value, D1, "%", "Lower end of the 95% Wilson interval for pct_positive."),
            ci_high: Figure<f64> => (Value, D1, "%", "Upper end of the 95% Wilson interval for pct_positive."),
            suppressed: bool => (Suppressed, Plain, "", "The row's figures are withheld."),
            suppression_reason: Option<String> => (Reason, Plain, "", "`confidential` (fewer forms than the threshold, or hidden to protect another figure: committees are too small to say which)."),
        }
    }
}

published_table! {
    /// One feedback indicator in one month.
    pub struct FactFeedbackIndicatorMonth in "fact_feedback_indicator_month" {
        title: "Meeting feedback: indicators by month",
        grain: "One row per month × indicator × committee group (all committees, or one committee).",
        primary_key: ["month_start", "indicator_id", "group_key"],
        foreign_keys: [
            "month_start" -> "dim_month"."month_start",
            "indicator_id" -> "dim_indicator"."indicator_id",
            "group_key" -> "dim_feedback_group"."group_key",
            "suppression_reason" -> "dim_suppression_reason"."suppression_reason",
        ],
        disclosure: Disclosure::Figures {
            threshold: Threshold::Feedback,
            additive: Some(Additive { family: "feedback_indicators", period: Period::MonthOfQuarter("month_start"), group: "group_key", groups: "dim_feedback_group" }),
        },
        columns: {
            month_start: NaiveDate => (Key, Plain, "", "The month."),
            indicator_id: String => (Key, Plain, "", "The indicator."),
            group_key: String => (Key, Plain, "", "`overall` (all committees) or a committee."),
            n: Figure<u64> => (Count, Plain, "forms", "Forms with a score."),
            value: Figure<f64> => (Value, D1, "dim_indicator.unit", "The indicator (% positive)."),
            ci_low: Figure<f64> => (Value, D1, "dim_indicator.unit", "Lower end of the 95% interval."),
            ci_high: Figure<f64> => (Value, D1, "dim_indicator.unit", "Upper end of the 95% interval."),
            suppressed: bool => (Suppressed, Plain, "", "The row's figures are withheld."),
            suppression_reason: Option<String> => (Reason, Plain, "", "`confidential` (fewer forms than the threshold, one of its questions is withheld, or hidden to protect another figure: committees are too small to say which)."),
        }
    }
}

published_table! {
    /// One feedback indicator in one quarter.
    pub struct FactFeedbackIndicatorQuarter in "fact_feedback_indicator_quarter" {
        title: "Meeting feedback: indicators by quarter",
        grain: "One row per quarter × indicator × feedback group.",
        primary_key: ["quarter_key", "indicator_id", "group_key"],
        foreign_keys: [
            "quarter_key" -> "dim_quarter"."quarter_key",
            "indicator_id" -> "dim_indicator"."indicator_id",
            "group_key" -> "dim_feedback_group"."group_key",
            "suppression_reason" -> "dim_suppression_reason"."suppression_reason",
        ],
        disclosure: Disclosure::Figures {
            threshold: Threshold::Feedback,
            additive: Some(Additive { family: "feedback_indicators", period: Period::Column("quarter_key"), group: "group_key", groups: "dim_feedback_group" }),
        },
        columns: {
            quarter_key: String => (Key, Plain, "", "The quarter."),
            indicator_id: String => (Key, Plain, "", "The indicator."),
            group_key: String => (Key, Plain, "", "The feedback group."),
            n: Figure<u64> => (Count, Plain, "forms", "Forms with a score."),
            value: Figure<f64> => (Value, D1, "dim_indicator.unit", "The indicator (% positive)."),
            ci_low: Figure<f64> => (Value, D1, "dim_indicator.unit", "Lower end of the 95% interval."),
            ci_high: Figure<f64> => (Value, D1, "dim_indicator.unit", "Upper end of the 95% interval."),
            suppressed: bool => (Suppressed, Plain, "", "The row's figures are withheld."),
            suppression_reason: Option<String> => (Reason, Plain, "", "`confidential` (fewer forms than the threshold, or hidden to protect another figure: committees are too small to say which)."),
        }
    }
}

published_table! {
    /// One month of a control chart.
    pub struct FactFeedbackSpc in "fact_feedback_spc" {
        title: "Meeting feedback: control charts",
        grain: "One row per series × month from the launch: uptake and each meeting indicator, all committees together.",
        primary_key: ["series_id", "month_start"],
        foreign_keys: [
            "indicator_id" -> "dim_indicator"."indicator_id",
            "month_start" -> "dim_month"."month_start",
        ],
        disclosure: Disclosure::Figures { threshold: Threshold::Feedback, additive: None },
        columns: {
            series_id: String => (Key, Plain, "", "`forms_per_attendee` or an indicator id."),
            series_label: String => (Attribute, Plain, "", "The series for readers."),
            indicator_id: Option<String> => (Key, Plain, "", "The indicator, for indicator series."),
            month_start: NaiveDate => (Key, Plain, "", "The month."),
            value: Option<f64> => (Value, D3, "forms per attendee, or %", "The month's published value (empty: no meetings, or too few forms)."),
            n: Option<u64> => (Count, Plain, "forms", "Forms (uptake) or respondents with a score (indicators) behind the value."),
            chart: String => (Attribute, Plain, "", "`p_chart` (one question's % positive, or forms out of attendees: limits centre ± 3√(p(1−p)/n) for the month's n) or `person_level_mean` (a composite of several questions: limits centre ± 3s/√n, s the pooled spread of respondents' scores)."),
            centre: Option<f64> => (Value, D3, "as value", "Centre line: the calibration months' pooled value (Σ value × n / Σ n)."),
            lower_limit: Option<f64> => (Value, D3, "as value", "Lower process limit for this month's n (3σ; at least 0). Empty in a month without data."),
            upper_limit: Option<f64> => (Value, D3, "as value", "Upper process limit for this month's n (3σ; at most 100%, or 1 form per attendee)."),
            limits_status: Option<String> => (Attribute, Plain, "", "`provisional` (fewer than 12 months with data since launch or the last step change: limits recomputed as months arrive, only the outside-the-limits rule applies) or `frozen` (fixed from the first 12 months with data; all four rules apply)."),
            in_baseline: bool => (Attribute, Plain, "", "The month is one of the programme's baseline months."),
            in_calibration: bool => (Attribute, Plain, "", "The month's data went into the limits."),
            limits_frozen: bool => (Attribute, Plain, "", "The limits were frozen at this month (the 12th month with data)."),
            step_change: Option<String> => (Attribute, Plain, "", "A step change the analyst declared from this month (the reason): limits are recalculated from here."),
            signals: Option<String> => (Attribute, Plain, "", "Rules that fired, `;`-separated: `outside_limits`, `shift` (7+ points on one side), `trend` (6+ rising or falling), `two_of_three_near_limit` (2 of 3 beyond 2σ)."),
            signal: bool => (Attribute, Plain, "", "Any rule fired (against provisional limits when limits_status is `provisional`)."),
            note: Option<String> => (Attribute, Plain, "", "Why a value or the limits are missing."),
        }
    }
}

/// Where a protected cell of a quarter goes: a month (with `None` for all committees or a
/// committee) or the quarter (with its one-way group).
enum Place {
    Month(YearMonth, Breakdown, Group),
    Quarter(Breakdown, Group),
}

struct Fields {
    committee: Option<usize>,
    month: Option<usize>,
}

fn fields(q: &Quarter) -> Fields {
    Fields {
        committee: q.schema.demographic("committee"),
        month: q.schema.demographic("month"),
    }
}

fn place(q: &Quarter, f: &Fields, b: Breakdown, g: Group) -> Option<Place> {
    let month = |m: Option<u32>| m.and_then(|m| q.months.get(m as usize).copied());
    match (b, g) {
        (Breakdown::Field(d), Group::One(m)) if Some(d) == f.month => {
            Some(Place::Month(month(m)?, Breakdown::Overall, Group::All))
        }
        (Breakdown::Cross(c, d), Group::Two(x, m))
            if Some(c) == f.committee && Some(d) == f.month =>
        {
            Some(Place::Month(month(m)?, Breakdown::Field(c), Group::One(x)))
        }
        (Breakdown::Cross(..), _) => None,
        _ => Some(Place::Quarter(b, g)),
    }
}

/// Every meeting-feedback fact table, and the groups they use.
#[derive(Default)]
pub struct FeedbackFacts {
    pub uptake_month: Vec<FactFeedbackUptakeMonth>,
    pub uptake_quarter: Vec<FactFeedbackUptakeQuarter>,
    pub item_month: Vec<FactFeedbackItemMonth>,
    pub item_quarter: Vec<FactFeedbackItemQuarter>,
    pub indicator_month: Vec<FactFeedbackIndicatorMonth>,
    pub indicator_quarter: Vec<FactFeedbackIndicatorQuarter>,
    pub spc: Vec<FactFeedbackSpc>,
    pub groups: Vec<DimFeedbackGroup>,
}

fn item_figures(s: &Schema, p: &Protected<ItemStats>) -> [Figure<f64>; 4] {
    let hidden = p.suppression.is_some();
    let st = p.stats.as_ref().filter(|_| !hidden);
    let f = |v: Option<f64>| Figure::of(v, hidden);
    [
        f(st.and_then(|s| s.counts.pct_positive())),
        f(st.and_then(|st| crate::meetings::mean_0_100(s, p.measure, &st.counts.codes))),
        f(st.and_then(|s| s.ci_positive.map(|c| c.0))),
        f(st.and_then(|s| s.ci_positive.map(|c| c.1))),
    ]
}

fn indicator_figures(p: &Protected<IndicatorStats>) -> [Figure<f64>; 3] {
    let hidden = p.suppression.is_some();
    let st = p.stats.as_ref().filter(|_| !hidden);
    let f = |v: Option<f64>| Figure::of(v, hidden);
    [
        f(st.and_then(|s| s.value)),
        f(st.and_then(|s| s.ci.map(|c| c.0))),
        f(st.and_then(|s| s.ci.map(|c| c.1))),
    ]
}

pub fn facts(fb: &Feedback, schema: &Schema) -> FeedbackFacts {
    let mut out = FeedbackFacts::default();
    let mut keys = GroupKeys::default();
    for q in &fb.quarters {
        quarter_facts(q, &mut out, &mut keys);
    }
    // Months in time order, then measure and group as the quarter listed them.
    out.uptake_month.sort_by_key(|r| r.month_start);
    out.item_month.sort_by_key(|r| r.month_start);
    out.indicator_month.sort_by_key(|r| r.month_start);
    out.spc = spc(fb, schema);
    if let Some(q) = fb.quarters.first() {
        out.groups = (keys.used.iter().enumerate())
            .map(|(i, &(_, b, g))| feedback_group(q, b, g, i))
            .collect();
    }
    out
}

/// (breakdown order, group) of every group used, for the dimension.
#[derive(Default)]
struct GroupKeys {
    used: BTreeSet<(u32, Breakdown, Group)>,
}

impl GroupKeys {
    /// A group's key, noting the group for the dimension.
    fn key(&mut self, q: &Quarter, f: &Fields, b: Breakdown, g: Group) -> String {
        let order = match b {
            Breakdown::Overall => 0,
            Breakdown::Field(d) if Some(d) == f.committee => 1,
            Breakdown::Field(d) => 2 + d as u32,
            Breakdown::Cross(..) => u32::MAX,
        };
        self.used.insert((order, b, g));
        group_key(&q.schema, b, g)
    }
}

// A row of the month table or of the quarter table: the same figures, keyed by period.
macro_rules! by_period {
    ($out:ident, $keys:ident, $place:expr, $q:expr, $f:expr, $month:ident: $month_row:ident, $quarter:ident: $quarter_row:ident,
     { $($field:ident: $value:expr),* $(,)? }) => {
        match $place {
            Some(Place::Month(m, b, g)) => $out.$month.push($month_row {
                month_start: m.first_day(),
                group_key: $keys.key($q, $f, b, g),
                $($field: $value),*
            }),
            Some(Place::Quarter(b, g)) => $out.$quarter.push($quarter_row {
                quarter_key: $q.quarter.to_string(),
                group_key: $keys.key($q, $f, b, g),
                $($field: $value),*
            }),
            None => {}
        }
    };
}

/// One quarter's uptake, item and indicator rows, each in the month table or the quarter's.
fn quarter_facts(q: &Quarter, out: &mut FeedbackFacts, keys: &mut GroupKeys) {
    let f = fields(q);
    for p in &q.tables.responses {
        let hidden = p.suppression.is_some();
        let up = q.uptake.get(&(p.breakdown, p.group)).copied();
        let n = p.n.filter(|_| !hidden);
        let per_attendee = n
            .zip(up.map(|u| u.2).filter(|&a| a > 0))
            .map(|(n, a)| n as f64 / a as f64);
        by_period!(
            out, keys, place(q, &f, p.breakdown, p.group), q, &f,
            uptake_month: FactFeedbackUptakeMonth,
            uptake_quarter: FactFeedbackUptakeQuarter,
            {
                forms: Figure::of(n, hidden),
                meetings_held: up.map(|u| u.0),
                meetings_covered: Figure::of(up.map(|u| u.1), hidden),
                attendees: up.map(|u| u.2),
                forms_per_attendee: Figure::of(per_attendee, hidden),
                suppressed: hidden,
                suppression_reason: suppression(p.suppression),
            }
        );
    }
    for p in &q.tables.items {
        let hidden = p.suppression.is_some();
        let [pct, mean, lo, hi] = item_figures(&q.schema, p);
        by_period!(
            out, keys, place(q, &f, p.breakdown, p.group), q, &f,
            item_month: FactFeedbackItemMonth,
            item_quarter: FactFeedbackItemQuarter,
            {
                question_id: q.schema.questions[p.measure].id.clone(),
                n: Figure::of(p.n, hidden),
                pct_positive: pct,
                mean_0_100: mean,
                ci_low: lo,
                ci_high: hi,
                suppressed: hidden,
                suppression_reason: suppression(p.suppression),
            }
        );
    }
    for p in &q.tables.indicators {
        let hidden = p.suppression.is_some();
        let [value, lo, hi] = indicator_figures(p);
        by_period!(
            out, keys, place(q, &f, p.breakdown, p.group), q, &f,
            indicator_month: FactFeedbackIndicatorMonth,
            indicator_quarter: FactFeedbackIndicatorQuarter,
            {
                indicator_id: q.schema.indicators[p.measure].id.clone(),
                n: Figure::of(p.n, hidden),
                value: value,
                ci_low: lo,
                ci_high: hi,
                suppressed: hidden,
                suppression_reason: suppression(p.suppression),
            }
        );
    }
}

fn feedback_group(q: &Quarter, b: Breakdown, g: Group, i: usize) -> DimFeedbackGroup {
    let s = &q.schema;
    let (field, category) = match (b, g) {
        (Breakdown::Field(d), Group::One(_)) => (
            Some(s.demographics[d].id.clone()),
            Some(group_label(s, b, g)),
        ),
        _ => (None, None),
    };
    let is_committee = field.as_deref() == Some("committee");
    DimFeedbackGroup {
        group_key: group_key(s, b, g),
        level: if b == Breakdown::Overall {
            "all forms"
        } else {
            "one-way"
        }
        .into(),
        breakdown_id: breakdown_id(s, b),
        breakdown_label: if b == Breakdown::Overall {
            "All forms".into()
        } else {
            breakdown_label(s, b)
        },
        group_label: if b == Breakdown::Overall {
            "All forms".into()
        } else {
            group_label(s, b, g)
        },
        committee_id: category.clone().filter(|_| is_committee),
        field_1_id: field,
        category_1: category,
        sort_order: i as u32 + 1,
    }
}

fn spc(fb: &Feedback, schema: &Schema) -> Vec<FactFeedbackSpc> {
    fb.spc
        .iter()
        .map(|p| {
            let indicator = match p.series {
                Series::Indicator(i) => Some(schema.indicators[i].id.clone()),
                Series::Uptake => None,
            };
            let c = &p.chart;
            let note = if c.status.is_none() {
                Some(format!(
                    "fewer than {} months with data since launch or the last step change: no limits",
                    crate::meetings::spc::MIN_POINTS
                ))
            } else if p.value.is_none() {
                Some("no published value this month (no meetings, or too few forms)".to_string())
            } else {
                None
            };
            FactFeedbackSpc {
                series_id: p.series.id(schema).to_string(),
                series_label: p.series.label(schema),
                indicator_id: indicator,
                month_start: p.month.first_day(),
                value: p.value,
                n: p.n,
                chart: p.kind.code().into(),
                centre: c.centre,
                lower_limit: c.limits.map(|l| l.lower),
                upper_limit: c.limits.map(|l| l.upper),
                limits_status: c.status.map(|s| s.code().to_string()),
                in_baseline: p.in_baseline,
                in_calibration: c.calibration,
                limits_frozen: c.frozen_here,
                step_change: p.step_change.clone(),
                signals: (!c.signals.is_empty()).then(|| {
                    c.signals
                        .iter()
                        .map(|r| r.code())
                        .collect::<Vec<_>>()
                        .join(";")
                }),
                signal: !c.signals.is_empty(),
                note,
            }
        })
        .collect()
}
