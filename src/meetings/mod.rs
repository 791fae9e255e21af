//! Member-meeting feedback: questionnaires after committee meetings (keyed paper forms and an
//! online-form export), checked against the meeting register, summarised by month and
//! quarter, protected, and watched with statistical process control.
//!
//! Periods: a form counts in the month of the meeting it is about. Quarters are the unit of
//! disclosure control: within a quarter, committee × month cells add up to committee totals
//! and to month totals, which add up to the quarter, so the same two-way protection as the
//! staff survey's crosses applies (with the meeting-feedback threshold, and no
//! small-organisation rule: committees are small by nature).

pub mod effects;
pub mod register;
pub mod spc;

use crate::calendar::{Quarter as Period, YearMonth};
use crate::config::MeetingsConfig;
use crate::disclosure::{self, ProtectedTables};
use crate::ids::WaveId;
use crate::import::{self, Reason, RowOutcome, WaveImport};
use crate::indicators::statistics::{self, Populations};
use crate::indicators::{Breakdown, Group, frame};
use crate::responses::{NOT_STATED, Responses};
use crate::schema::{Demographic, Schema};
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use polars::prelude::{Column, DataFrame};
use register::{Meeting, Register};
use std::collections::{BTreeMap, HashMap};

/// A form that passed every check.
struct Form {
    meeting: usize,
    channel: String,
    demographics: Vec<(usize, Option<u32>)>,
    answers: Vec<(usize, Option<u8>)>,
}

/// A date in the source's `date_format`, or in ISO 8601 (`2025-01-15`, `2025-01-15 21:47:40`):
/// how a workbook's date cells are read, and unambiguous in any source.
fn parse_date(s: &str, format: &str) -> Option<NaiveDate> {
    let s = s.trim();
    [format, "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"]
        .iter()
        .find_map(|f| {
            NaiveDateTime::parse_from_str(s, f)
                .map(|dt| dt.date())
                .or_else(|_| NaiveDate::parse_from_str(s, f))
                .ok()
        })
}

/// One quarter's protected tables, with the schema whose categories label them.
pub struct Quarter {
    pub quarter: Period,
    /// The quarter's months within the register's span: the categories of the `month` field.
    pub months: Vec<YearMonth>,
    pub schema: Schema,
    pub tables: ProtectedTables,
    /// (breakdown, group) → (meetings held, meetings with at least one form, attendees).
    pub uptake: HashMap<(Breakdown, Group), (u32, u32, u64)>,
}

pub use crate::config::UPTAKE_ID;

/// A monthly series watched with a control chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Series {
    /// Forms per attendee.
    Uptake,
    /// A meeting indicator (index into the feedback schema's indicators).
    Indicator(usize),
}

impl Series {
    /// The series' id in tables: `forms_per_attendee` or the indicator's id.
    pub fn id(self, schema: &Schema) -> &str {
        match self {
            Series::Uptake => UPTAKE_ID,
            Series::Indicator(i) => &schema.indicators[i].id,
        }
    }

    /// The kind of chart, for readers.
    pub fn chart_kind_label(self, schema: &Schema) -> &'static str {
        match self {
            Series::Uptake => "proportion (forms out of attendees)",
            Series::Indicator(i) if schema.indicators[i].items.len() == 1 => {
                "proportion (% positive)"
            }
            Series::Indicator(_) => "mean of respondents' scores",
        }
    }

    /// The series for readers.
    pub fn label(self, schema: &Schema) -> String {
        match self {
            Series::Uptake => "Uptake: forms per attendee".into(),
            Series::Indicator(i) => schema.indicators[i].label.clone(),
        }
    }
}

/// One point of an SPC series.
#[derive(Debug, Clone)]
pub struct SpcPoint {
    pub series: Series,
    pub month: YearMonth,
    pub value: Option<f64>,
    /// Forms (uptake) or respondents behind the value.
    pub n: Option<u64>,
    pub kind: spc::ChartKind,
    /// The month's place on the chart: limits, status, calibration, signals.
    pub chart: spc::Charted,
    pub in_baseline: bool,
    /// The declared step change that starts new limits at this month, if any.
    pub step_change: Option<String>,
}

/// Everything the meeting-feedback stage produces.
pub struct Feedback {
    /// The feedback schema (its questions and indicators name the series and tables).
    pub schema: Schema,
    pub imports: Vec<WaveImport>,
    pub quarters: Vec<Quarter>,
    pub spc: Vec<SpcPoint>,
    pub baseline: Vec<YearMonth>,
    /// Every month from the register's first meeting to its last.
    pub months: Vec<YearMonth>,
    /// Committees in the register (alphabetical) with how many meetings each held.
    pub committees: Vec<(String, u32)>,
    pub threshold: u32,
    /// The chance that the pack's charts, on processes that did not change, show at least one
    /// signal somewhere (seeded simulation of these charts: [`spc::pack_false_alarm`]), and
    /// how many charts there are.
    pub pack_false_alarm: Option<(f64, usize)>,
}

impl Feedback {
    /// The baseline months as text: `2025-01, 2025-02, 2025-03`.
    pub fn baseline_list(&self) -> String {
        self.baseline
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Demographic index of a derived field in the augmented schema.
struct Fields {
    committee: usize,
    month: usize,
}

fn augmented(base: &Schema, committees: &[String], months: &[YearMonth]) -> (Schema, Fields) {
    let mut s = base.clone();
    s.demographics.push(Demographic::derived(
        "committee",
        "Committee",
        committees.to_vec(),
    ));
    s.demographics.push(Demographic::derived(
        "month",
        "Month",
        months.iter().map(ToString::to_string).collect(),
    ));
    let n = s.demographics.len();
    (
        s,
        Fields {
            committee: n - 2,
            month: n - 1,
        },
    )
}

/// The attribute rule for meeting feedback: under the staff survey's `[attribute_disclosure]`
/// rule (when it suppresses), a committee's cell on fewer than twice the feedback threshold's
/// forms (10 by default) that is all positive, or has no positive answer, is withheld. The
/// staff survey's bound (30) would take the control charts' baseline months: committees are
/// small, and a month's forms often number 10 to 30.
pub fn attribute_below(config: &crate::config::Config, m: &MeetingsConfig) -> Option<u64> {
    config
        .attribute_disclosure
        .below()
        .map(|b| b.min(2 * u64::from(m.threshold)))
}

/// What can stop the member-feedback stage.
#[derive(Debug, thiserror::Error)]
pub enum FeedbackError {
    #[error("{0}")]
    Register(#[from] register::RegisterError),
    #[error("{0}")]
    Import(#[from] import::ImportError),
    #[error("computing results: {0}")]
    Compute(#[from] polars::prelude::PolarsError),
}

/// Import, check against the register, compute, protect and chart the meeting feedback.
/// `attribute_below`: the attribute rule's group size (`[attribute_disclosure]`, `None` when
/// not suppressing): a committee's item cell on fewer forms, all positive or none, is withheld.
pub fn run(cfg: &MeetingsConfig, attribute_below: Option<u64>) -> Result<Feedback, FeedbackError> {
    let reg = Register::load(&cfg.register)?;
    let schema = &cfg.schema;
    let (imports, forms) = import_sources(cfg, &reg)?;
    let committees = reg.committees();
    let month_of_form = |f: &Form| YearMonth::of(reg.meetings[f.meeting].date);
    let register_months = || reg.meetings.iter().map(|m| YearMonth::of(m.date));
    let all_months = match (register_months().min(), register_months().max()) {
        (Some(first), Some(last)) => YearMonth::range(first, last),
        _ => Vec::new(),
    };
    let mut quarter_months: BTreeMap<Period, Vec<YearMonth>> = BTreeMap::new();
    for &m in &all_months {
        quarter_months.entry(m.quarter()).or_default().push(m);
    }
    let mut quarters = Vec::new();
    for (&q, months) in &quarter_months {
        let in_q: Vec<&Form> = forms
            .iter()
            .filter(|x| month_of_form(x).quarter() == q)
            .collect();
        let context = (cfg, &reg, committees.as_slice(), attribute_below);
        quarters.push(quarter(context, q, months, &in_q)?);
    }
    // Baseline: the first full months after launch (default: the first month with data).
    let start = match cfg.launch {
        Some(d) if d.day() > 1 => Some(YearMonth::of(d).next()),
        Some(d) => Some(YearMonth::of(d)),
        None => forms.iter().map(month_of_form).min(),
    }
    .or(all_months.first().copied());
    let baseline: Vec<YearMonth> = all_months
        .iter()
        .filter(|m| start.is_some_and(|s| **m >= s))
        .take(cfg.baseline_months)
        .copied()
        .collect();
    let (spc, stable) = spc_series(
        schema,
        &quarters,
        &all_months,
        &baseline,
        start,
        &cfg.step_changes,
    );
    let committees = committees
        .into_iter()
        .map(|c| {
            let held = reg.meetings.iter().filter(|m| m.committee == c).count() as u32;
            (c, held)
        })
        .collect();
    Ok(Feedback {
        schema: schema.clone(),
        imports,
        quarters,
        spc,
        baseline,
        months: all_months,
        committees,
        threshold: cfg.threshold,
        pack_false_alarm: (!stable.is_empty()).then(|| {
            (
                spc::pack_false_alarm(&stable, spc::PACK_SIMULATIONS, spc::PACK_SEED),
                stable.len(),
            )
        }),
    })
}

/// What `validate` checks of member feedback: the register read, and every source imported
/// with each form checked against it, as `run` does.
pub fn check(cfg: &MeetingsConfig) -> Result<Vec<WaveImport>, FeedbackError> {
    let reg = Register::load(&cfg.register)?;
    Ok(import_sources(cfg, &reg)?.0)
}

/// Every feedback source imported and each form checked against the register: a form for a
/// meeting the register does not hold, or dated outside the meeting's window, is rejected.
fn import_sources(
    cfg: &MeetingsConfig,
    reg: &Register,
) -> Result<(Vec<WaveImport>, Vec<Form>), FeedbackError> {
    let schema = &cfg.schema;
    let mut imports = Vec::new();
    let mut forms: Vec<Form> = Vec::new();
    let index_of: HashMap<&str, usize> = reg
        .meetings
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id.as_str(), i))
        .collect();
    for src in &cfg.sources {
        let mut imp = import::import_wave(schema, &src.wave)?;
        let data = std::mem::take(&mut imp.data);
        let kept = |name: &str| &data.kept.iter().find(|(n, _)| n == name).expect("kept").1;
        let (meeting_col, date_col) = (kept("meeting"), kept("date"));
        for r in 0..data.len() {
            let (mid, date) = (meeting_col[r].as_str(), date_col[r].as_str());
            match form_problem(cfg, reg, src, index_of.get(mid).copied(), mid, date) {
                Some((reason, column, value, detail)) => {
                    *imp.counts.entry(Reason::Accepted).or_default() -= 1;
                    *imp.counts.entry(reason).or_default() += 1;
                    imp.rows.push(RowOutcome {
                        line: data.line[r],
                        response_id: data.response_id.get(r).to_string(),
                        reason,
                        column: Some(column),
                        value: Some(value.to_string()),
                        detail,
                    });
                }
                None => forms.push(Form {
                    meeting: index_of[mid],
                    channel: src.channel.clone(),
                    demographics: data
                        .demographics
                        .iter()
                        .map(|(d, v)| (*d, (v[r] != NOT_STATED).then_some(v[r])))
                        .collect(),
                    answers: data
                        .questions
                        .iter()
                        .map(|(q, v)| (*q, Responses::code_of_slot(schema, *q, v[r])))
                        .collect(),
                }),
            }
        }
        imp.rows.sort_by_key(|r| r.line);
        imports.push(imp);
    }
    Ok((imports, forms))
}

/// Why a form is rejected: (reason, column, value, detail); `None` when it stands. `meeting`
/// is the register's index of the meeting the form names.
fn form_problem<'v>(
    cfg: &MeetingsConfig,
    reg: &Register,
    src: &crate::config::FeedbackSource,
    meeting: Option<usize>,
    mid: &'v str,
    date: &'v str,
) -> Option<(Reason, String, &'v str, String)> {
    let key = |name: &str| {
        src.wave
            .keep
            .iter()
            .find(|(n, _)| n == name)
            .map_or_else(String::new, |(_, k)| format!("{k:?}"))
    };
    match meeting {
        None => Some((
            Reason::UnknownMeeting,
            key("meeting"),
            mid,
            "not in the meeting register".to_string(),
        )),
        Some(mi) => {
            let m: &Meeting = &reg.meetings[mi];
            match parse_date(date, &src.date_format) {
                None => Some((
                    Reason::DateOutsideRegister,
                    key("date"),
                    date,
                    format!("not a date in the format {}", src.date_format),
                )),
                Some(d) if d < m.date || (d - m.date).num_days() > cfg.max_days_after => Some((
                    Reason::DateOutsideRegister,
                    key("date"),
                    date,
                    format!(
                        "meeting {} was on {}; forms are accepted from that day to {} days after",
                        m.id, m.date, cfg.max_days_after
                    ),
                )),
                Some(_) => None,
            }
        }
    }
}

/// One quarter's forms counted by committee, month, role and group, protected under the
/// feedback threshold, with each month's uptake.
fn quarter(
    (cfg, reg, committees, attribute_below): (&MeetingsConfig, &Register, &[String], Option<u64>),
    q: Period,
    months: &[YearMonth],
    in_q: &[&Form],
) -> Result<Quarter, FeedbackError> {
    let (qs, f) = augmented(&cfg.schema, committees, months);
    let period = WaveId::new(q.to_string());
    let df = frame(&qs, reg, in_q)?;
    let mut breakdowns = vec![
        Breakdown::Overall,
        Breakdown::Field(f.committee),
        Breakdown::Field(f.month),
        Breakdown::Cross(f.committee, f.month),
    ];
    for id in ["role", "political_group"] {
        if let Some(d) = qs.demographic(id) {
            breakdowns.push(Breakdown::Field(d));
        }
    }
    let agg = frame::compute_wave(&qs, &period, &df, &breakdowns)?;
    let pops = Populations::new(None, false);
    let items = statistics::items(&agg, &pops);
    let inds = statistics::indicators(&qs, &agg, &items, &pops);
    let respondents: HashMap<WaveId, u64> = [(period, in_q.len() as u64)].into();
    let tables = disclosure::protect(
        &qs,
        items,
        inds,
        agg.respondents,
        &respondents,
        disclosure::Rules {
            k: cfg.threshold,
            min_for_breakdowns: 0,
            attribute_below,
            linear_attack: true,
            // Committees are small: saying which cells are too small would bound them so
            // tightly that a quarter's total gives its months away.
            reasons: false,
            // The months are the control charts' points.
            hide_last: Some(Breakdown::Field(f.month)),
            // The item tables publish % positive (and a mean), not each answer's count.
            answers: disclosure::Answers::Positive,
        },
    );
    let uptake = uptake(&f, reg, months, in_q, committees);
    Ok(Quarter {
        quarter: q,
        months: months.to_vec(),
        schema: qs,
        tables,
        uptake,
    })
}

/// A chart as a stable process (its first segment's centre and spread), for the pack's
/// false-alarm rate.
fn as_stable(
    charted: &[spc::Charted],
    points: &[Option<spc::Obs>],
    scale: f64,
    at: &[usize],
) -> Option<spc::Stable> {
    let first = charted.iter().zip(points).find_map(|(c, p)| {
        let (centre, limits, p) = (c.centre?, c.limits?, (*p)?);
        Some((c.kind, centre, limits.sigma * p.size.sqrt()))
    });
    match first {
        Some((kind, centre, spread)) if spread.is_finite() => Some(spc::Stable {
            kind,
            scale,
            centre: spc::Centre { centre, spread },
            sizes: points.iter().map(|p| p.map(|o| o.size)).collect(),
            steps: at.to_vec(),
        }),
        _ => None,
    }
}

/// The quarter's forms as a frame for `compute_wave`.
fn frame(s: &Schema, reg: &Register, forms: &[&Form]) -> Result<DataFrame, FeedbackError> {
    let n = forms.len();
    let mut cols = vec![
        Column::new(
            "committee".into(),
            forms
                .iter()
                .map(|x| reg.meetings[x.meeting].committee.as_str())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "month".into(),
            forms
                .iter()
                .map(|x| YearMonth::of(reg.meetings[x.meeting].date).to_string())
                .collect::<Vec<_>>(),
        ),
    ];
    for (d, dem) in s.demographics.iter().enumerate() {
        if dem.id == "committee" || dem.id == "month" {
            continue;
        }
        let values: Vec<Option<&str>> = forms
            .iter()
            .map(|x| {
                if dem.id == "channel" {
                    Some(x.channel.as_str())
                } else {
                    x.demographics
                        .iter()
                        .find(|(i, _)| *i == d)
                        .and_then(|(_, c)| c.map(|c| dem.categories[c as usize].as_str()))
                }
            })
            .collect();
        cols.push(Column::new(dem.id.as_str().into(), values));
    }
    for (q, question) in s.questions.iter().enumerate() {
        if question.scale.is_none() {
            continue;
        }
        if !forms.iter().any(|x| x.answers.iter().any(|(i, _)| *i == q)) && n > 0 {
            continue;
        }
        let values: Vec<Option<u8>> = forms
            .iter()
            .map(|x| {
                x.answers
                    .iter()
                    .find(|(i, _)| *i == q)
                    .and_then(|(_, v)| *v)
            })
            .collect();
        cols.push(Column::new(question.id.as_str().into(), values));
    }
    Ok(DataFrame::new(n, cols)?)
}

/// Meetings held, meetings with feedback, and attendees, for the groups uptake applies to.
fn uptake(
    f: &Fields,
    reg: &Register,
    months: &[YearMonth],
    forms: &[&Form],
    committees: &[String],
) -> HashMap<(Breakdown, Group), (u32, u32, u64)> {
    let mut with_forms = vec![false; reg.meetings.len()];
    for x in forms {
        with_forms[x.meeting] = true;
    }
    let mut out: HashMap<(Breakdown, Group), (u32, u32, u64)> = HashMap::new();
    for (i, m) in reg.meetings.iter().enumerate() {
        let month = YearMonth::of(m.date);
        let Some(mi) = months.iter().position(|x| *x == month) else {
            continue;
        };
        let ci = committees
            .iter()
            .position(|c| *c == m.committee)
            .expect("from the register") as u32;
        let mi = mi as u32;
        for key in [
            (Breakdown::Overall, Group::All),
            (Breakdown::Field(f.committee), Group::One(Some(ci))),
            (Breakdown::Field(f.month), Group::One(Some(mi))),
            (
                Breakdown::Cross(f.committee, f.month),
                Group::Two(Some(ci), Some(mi)),
            ),
        ] {
            let e = out.entry(key).or_default();
            e.0 += 1;
            e.1 += u32::from(with_forms[i]);
            e.2 += u64::from(m.attendees());
        }
    }
    out
}

/// Each series' published monthly figure: uptake (forms per attendee) and each indicator,
/// as (observation, n published) by (series, month).
fn monthly_values(
    schema: &Schema,
    quarters: &[Quarter],
) -> HashMap<(Series, YearMonth), (spc::Obs, u64)> {
    let mut values: HashMap<(Series, YearMonth), (spc::Obs, u64)> = HashMap::new();
    for q in quarters {
        let Some(month_field) = q.schema.demographic("month") else {
            continue;
        };
        let month_label = |g: Group| match g {
            Group::One(Some(i)) => q.months.get(i as usize).copied(),
            _ => None,
        };
        for r in &q.tables.responses {
            if r.breakdown != Breakdown::Field(month_field) {
                continue;
            }
            if let (Some(m), Some(n)) = (month_label(r.group), r.n)
                && let Some(&(_, _, att)) = q.uptake.get(&(r.breakdown, r.group))
                && att > 0
            {
                let o = spc::Obs {
                    value: n as f64 / att as f64,
                    size: att as f64,
                    sd: None,
                };
                values.insert((Series::Uptake, m), (o, n));
            }
        }
        for p in &q.tables.indicators {
            if p.breakdown != Breakdown::Field(month_field) {
                continue;
            }
            if let (Some(m), Some(s), Some(n)) = (month_label(p.group), &p.stats, p.n)
                && let Some(v) = s.value
            {
                // A theme of several questions is charted as the mean of respondents' scores
                // (person-level limits); one question as its % positive (p-chart).
                let several = schema.indicators[p.measure].items.len() > 1;
                let o = spc::Obs {
                    value: if several {
                        s.person_mean.unwrap_or(v)
                    } else {
                        v
                    },
                    size: n as f64,
                    sd: s.sd,
                };
                values.insert((Series::Indicator(p.measure), m), (o, n));
            }
        }
    }
    values
}

/// Monthly SPC series for all committees together: forms per attendee and every indicator,
/// each on the chart that fits it (see [`spc`]).
fn spc_series(
    schema: &Schema,
    quarters: &[Quarter],
    months: &[YearMonth],
    baseline: &[YearMonth],
    start: Option<YearMonth>,
    steps: &[crate::config::StepChange],
) -> (Vec<SpcPoint>, Vec<spc::Stable>) {
    // (series, month) → (observation, n published)
    let values = monthly_values(schema, quarters);
    let mut series = vec![Series::Uptake];
    series.extend((0..schema.indicators.len()).map(Series::Indicator));
    // The chart starts at launch.
    let shown: Vec<YearMonth> = months
        .iter()
        .copied()
        .filter(|m| start.is_some_and(|s| *m >= s))
        .collect();
    let mut out = Vec::new();
    let mut stable = Vec::new();
    for name in series {
        let (kind, scale) = match name {
            Series::Uptake => (spc::ChartKind::P, 1.0),
            // One question: a proportion of answers. Several: person-level scores.
            Series::Indicator(i) if schema.indicators[i].items.len() == 1 => {
                (spc::ChartKind::P, 100.0)
            }
            Series::Indicator(_) => (spc::ChartKind::PersonMean, 100.0),
        };
        let id = name.id(schema);
        let points: Vec<Option<spc::Obs>> = shown
            .iter()
            .map(|m| values.get(&(name, *m)).map(|v| v.0))
            .collect();
        let declared: Vec<(usize, &str)> = steps
            .iter()
            .filter(|s| s.applies_to(id))
            .filter_map(|s| {
                shown
                    .iter()
                    .position(|m| *m == s.month)
                    .map(|i| (i, s.reason.as_str()))
            })
            .collect();
        let at: Vec<usize> = declared.iter().map(|d| d.0).collect();
        let charted = spc::chart(kind, scale, &points, &at);
        stable.extend(as_stable(&charted, &points, scale, &at));
        for ((i, m), c) in shown.iter().enumerate().zip(charted) {
            out.push(SpcPoint {
                series: name,
                month: *m,
                value: points[i].map(|o| o.value),
                n: values.get(&(name, *m)).map(|v| v.1),
                kind: c.kind,
                chart: c,
                in_baseline: baseline.contains(m),
                step_change: declared.iter().find(|d| d.0 == i).map(|d| d.1.to_string()),
            });
        }
    }
    (out, stable)
}

/// Mean on 0–100 of an item's valid answers (Strongly disagree 0 … Strongly agree 100).
pub fn mean_0_100(schema: &Schema, item: usize, codes: &[u64]) -> Option<f64> {
    let question = &schema.questions[item];
    let scale = schema.scale_of(question)?;
    let points = schema.score_points(question, 100.0);
    let (mut sum, mut n) = (0.0, 0u64);
    for (a, &count) in scale.answers.iter().zip(codes) {
        if let Some(&(_, v)) = points.iter().find(|(c, _)| *c == a.code) {
            sum += v * count as f64;
            n += count;
        }
    }
    (n > 0).then(|| sum / n as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_the_source_format() {
        assert_eq!(
            parse_date("10/3/2025 14:22:01", "%m/%d/%Y %H:%M:%S"),
            NaiveDate::from_ymd_opt(2025, 10, 3)
        );
        assert_eq!(
            parse_date("2025-10-03", "%Y-%m-%d"),
            NaiveDate::from_ymd_opt(2025, 10, 3)
        );
        assert_eq!(parse_date("3rd Oct", "%Y-%m-%d"), None);
    }
}
