//! A report for one group of a breakdown (`[unit_reports]`, e.g. each directorate), as the Civil
//! Service People Survey and FEVS give every unit its own: the group's headline indicators
//! beside the whole organisation's with their changes, the questions where the group differs
//! most from the organisation, and its response rate. It shows only published figures: the
//! group's own, as the main report's tables publish them.

use super::{Input, Page, PageBuilder, Table, change_text, decimals, verdict_text};
use crate::compare::{Comparison, Delta, Measure};
use crate::disclosure::Suppression;
use crate::indicators::{Breakdown, Group};
use crate::report::charts::{self, Point};
use crate::report::model::{group_key, group_label, lower_first};
use crate::report::registry::Figure as Published;
use crate::report::tables::{fmt_decimals, fmt1};
use crate::schema::{Method, QuestionType};

/// What readers call the organisation in a unit's report.
const ORGANISATION: &str = "Whole organisation";

/// The most questions a unit's report lists where it differs from the organisation.
const GAP_QUESTIONS: usize = 8;

/// The groups of demographic field `field` that get a report: every category (not "Not
/// stated") with a published figure on at least the threshold's number of respondents in the
/// latest wave. Each with its category index, label, and file name (no extension).
pub fn unit_groups(input: &Input, field: usize) -> Vec<(u32, String, String)> {
    let s = input.schema();
    let Some(latest) = input.waves().last() else {
        return Vec::new();
    };
    let b = Breakdown::Field(field);
    let mut out: Vec<(u32, String, String)> = Vec::new();
    for c in 0..s.demographics[field].categories.len() as u32 {
        let g = Group::One(Some(c));
        let reaches = input.tables().indicators.iter().any(|p| {
            p.wave == *latest
                && p.breakdown == b
                && p.group == g
                && p.stats.as_ref().is_some_and(|st| st.value.is_some())
                && p.n.is_some_and(|n| n >= u64::from(input.threshold()))
        });
        if !reaches {
            continue;
        }
        let label = group_label(s, b, g);
        let mut file = super::slug(&label.replace(['\'', '’'], ""));
        if file.is_empty() || out.iter().any(|(_, _, f)| *f == file) {
            file = format!(
                "{}-{}",
                if file.is_empty() { "group" } else { &file },
                c + 1
            );
        }
        out.push((c, label, file));
    }
    out
}

/// One group's report.
pub fn unit_report(input: &Input, field: usize, category: u32, file: &str) -> Page {
    let s = input.schema();
    let b = Breakdown::Field(field);
    let g = Group::One(Some(category));
    let label = group_label(s, b, g);
    let latest = input
        .waves()
        .last()
        .map(ToString::to_string)
        .unwrap_or_default();
    let unit = Unit {
        input,
        b,
        g,
        label: label.clone(),
        latest: latest.clone(),
        file: file.to_string(),
    };
    let mut facts: Vec<(&'static str, String)> = vec![(
        "Report for",
        format!("{}: {label}", s.demographics[field].label),
    )];
    // The organisation's response count would read as the group's: "Who answered" gives it.
    facts.extend(
        input
            .facts
            .iter()
            .filter(|(l, _)| *l != "Responses")
            .cloned(),
    );
    let mut page = PageBuilder::new(
        format!("{label}: {} {latest}", s.title),
        Some(&input.source),
        &facts,
    );
    page.para(format!(
        "The results of {label} beside the whole organisation's: the headline indicators and how \
         they changed, the questions where {label} differs most from the organisation, and who \
         answered. Only figures the evidence pack publishes are shown; a withheld figure is \
         shown as [c]. The whole organisation's results and the methods are in the evidence \
         pack's report (report.html) and its data dictionary."
    ));
    unit.headline(&mut page);
    unit.questions(&mut page);
    unit.response(&mut page);
    page.section("How to read this page");
    page.para(format!(
        "A change is called an improvement or a decline only where it is larger than chance would \
         explain, allowing for the number of comparisons made; otherwise it is no significant \
         change (it could be chance). {} A difference from the whole organisation is not tested: \
         {label} is part of the organisation, and a gap of a few points can be chance, above all \
         for a small group.",
        super::CHANGE_NOTE
    ));
    page.finish()
}

/// A published value with its 95% interval and its n (when published).
type Shown = (f64, Option<(f64, f64)>, Option<u64>);

/// One unit's report as it is built.
struct Unit<'a> {
    input: &'a Input<'a>,
    b: Breakdown,
    g: Group,
    label: String,
    latest: String,
    file: String,
}

impl Unit<'_> {
    /// An indicator's published value and interval for a group in the latest wave.
    fn value(&self, i: usize, b: Breakdown, g: Group) -> Option<Shown> {
        let p = self.input.tables().indicators.iter().find(|p| {
            p.wave == self.latest && p.measure == i && p.breakdown == b && p.group == g
        })?;
        let st = p.stats.as_ref()?;
        Some((st.value?, st.ci, p.n))
    }

    fn change(&self, i: usize) -> Option<&Delta> {
        self.input.deltas().iter().find(|d| {
            d.serves(Comparison::SincePrevious)
                && d.measure == Measure::Indicator(i)
                && d.breakdown == self.b
                && d.group == self.g
        })
    }

    /// The headline indicators: the group's value, its n, the organisation's, the change.
    fn headline(&self, page: &mut PageBuilder) {
        let (input, s, latest) = (self.input, self.input.schema(), &self.latest);
        page.section("Headline indicators");
        let asked: Vec<usize> = super::headline_order(s)
            .into_iter()
            .filter(|&i| super::words::asked(input.tables(), latest, i))
            .collect();
        let mark = || Suppression::MARK.to_string();
        let rows: Vec<Vec<String>> = asked
            .iter()
            .map(|&i| {
                let dp = decimals(s, Measure::Indicator(i));
                let mine = self.value(i, self.b, self.g);
                let org = self.value(i, Breakdown::Overall, Group::All);
                let d = self.change(i);
                vec![
                    s.indicators[i].label.clone(),
                    mine.map_or_else(mark, |v| fmt_decimals(v.0, dp)),
                    mine.and_then(|v| v.2).map_or_else(mark, |n| n.to_string()),
                    org.map_or_else(mark, |v| fmt_decimals(v.0, dp)),
                    match (mine, d) {
                        (Some(_), Some(d)) => change_text(s, d),
                        (None, _) => mark(),
                        _ => "-".into(),
                    },
                    match mine {
                        Some(_) => verdict_text(d.as_ref()),
                        None => "-".into(),
                    },
                ]
            })
            .collect();
        let previous = input.waves().len().checked_sub(2).map_or_else(
            || "the previous wave".to_string(),
            |i| input.waves()[i].to_string(),
        );
        page.table(Table::new(
            format!("{} beside the whole organisation ({latest})", self.label),
            vec![
                "Indicator".into(),
                self.label.clone(),
                "n".into(),
                ORGANISATION.into(),
                format!(
                    "Change in {} since {previous} (adjusted interval)",
                    self.label
                ),
                "Verdict".into(),
            ],
            rows,
        ));
        self.headline_chart(page, &asked);
    }

    /// The percentage indicators as bars: the group's and the organisation's, with intervals.
    fn headline_chart(&self, page: &mut PageBuilder, asked: &[usize]) {
        let s = self.input.schema();
        let point = |i: usize, b: Breakdown, g: Group| {
            self.value(i, b, g)
                .map(|(value, ci, _)| Point { value, ci })
        };
        let rows: Vec<(String, Vec<Option<Point>>)> = asked
            .iter()
            .copied()
            .filter(|&i| !matches!(s.indicators[i].method, Method::Score0To10 | Method::Enps))
            .map(|i| {
                (
                    s.indicators[i].label.clone(),
                    vec![
                        point(i, self.b, self.g),
                        point(i, Breakdown::Overall, Group::All),
                    ],
                )
            })
            .collect();
        if rows.is_empty() {
            return;
        }
        page.figure(
            charts::indicator_bars(
                &format!("unit_{}_indicators", self.file.replace('-', "_")),
                &format!("{} and the whole organisation ({})", self.label, self.latest),
                &[self.label.clone(), ORGANISATION.to_string()],
                &rows,
            ),
            format!(
                "Bar chart of the indicators measured in percent or out of 100: {} beside the whole \
                 organisation, with 95% intervals; withheld figures are marked [c] and have no bar; the \
                 values are in the table above",
                self.label
            ),
        );
    }

    /// The agree–disagree questions where the group's % positive differs most from the
    /// organisation's (published figures only), largest difference first.
    fn questions(&self, page: &mut PageBuilder) {
        let (input, s, latest) = (self.input, self.input.schema(), &self.latest);
        let pct = |q: usize, b: Breakdown, g: Group| {
            input
                .tables()
                .items
                .iter()
                .find(|p| p.wave == *latest && p.measure == q && p.breakdown == b && p.group == g)
                .map(|p| p.stats.as_ref().and_then(|st| st.counts.pct_positive()))
        };
        let mut gaps: Vec<(usize, f64, f64)> = Vec::new();
        let mut withheld = 0;
        for q in (0..s.questions.len()).filter(|&q| s.questions[q].kind == QuestionType::Likert) {
            match (
                pct(q, self.b, self.g),
                pct(q, Breakdown::Overall, Group::All),
            ) {
                (Some(Some(mine)), Some(Some(org))) => gaps.push((q, mine, org)),
                (Some(None), _) => withheld += 1,
                _ => {}
            }
        }
        gaps.sort_by(|a, b| {
            (b.1 - b.2)
                .abs()
                .total_cmp(&(a.1 - a.2).abs())
                .then(a.0.cmp(&b.0))
        });
        page.section(format!(
            "Where {} differs most from the organisation",
            self.label
        ));
        let rows: Vec<Vec<String>> = gaps
            .iter()
            .take(GAP_QUESTIONS)
            .map(|&(q, mine, org)| {
                let gap = mine - org;
                vec![
                    s.questions[q].text.clone(),
                    fmt1(mine),
                    fmt1(org),
                    format!("{}{}", if gap > 0.0 { "+" } else { "" }, fmt1(gap)),
                ]
            })
            .collect();
        if rows.is_empty() {
            page.para(format!(
                "No question has a published figure for {} in {latest}.",
                self.label
            ));
        } else {
            page.table(Table::new(
                format!("Questions with the largest differences, % positive ({latest})"),
                vec![
                    "Question".into(),
                    self.label.clone(),
                    ORGANISATION.into(),
                    "Difference (points)".into(),
                ],
                rows,
            ));
        }
        if withheld > 0 {
            page.para(format!(
                "{withheld} {} withheld for {} (too few answers, or to protect another figure).",
                if withheld == 1 {
                    "question is"
                } else {
                    "questions are"
                },
                self.label
            ));
        }
    }

    /// Responses against the HR headcount, where published.
    fn response(&self, page: &mut PageBuilder) {
        let (input, s, latest) = (self.input, self.input.schema(), &self.latest);
        let key = group_key(s, self.b, self.g);
        let row = |k: &str| {
            input
                .model
                .response_rates
                .iter()
                .find(|r| r.wave_id == *latest && r.group_key == k)
        };
        page.section("Who answered");
        let shown = |f: &Published<f64>| match f {
            Published::Shown(v) => Some(*v),
            _ => None,
        };
        let org_rate = row("overall").and_then(|r| shown(&r.response_rate));
        let text = match row(&key) {
            Some(r) => match (&r.responses, &r.headcount, shown(&r.response_rate)) {
                (Published::Shown(n), Published::Shown(h), Some(rate)) => format!(
                    "{n} of the {h} staff in {} answered in {latest}: a response rate of {}%{}.",
                    self.label,
                    fmt_decimals(rate, 0),
                    org_rate.map_or_else(String::new, |o| format!(
                        ", against {}% across the organisation",
                        fmt_decimals(o, 0)
                    ))
                ),
                (Published::Shown(n), _, _) => format!(
                    "{n} staff in {} answered in {latest}; the headcount is withheld, so that a \
                     withheld figure elsewhere cannot be worked out from it.",
                    self.label
                ),
                _ => format!("The number of responses from {} is withheld.", self.label),
            },
            None => format!(
                "The HR headcount file does not describe {}, so no response rate is given.",
                lower_first(
                    &s.demographics[match self.b {
                        Breakdown::Field(d) => d,
                        _ => 0,
                    }]
                    .label
                )
            ),
        };
        page.para(text);
        page.para(
            "A low response rate does not make the figures wrong, but it makes them more exposed to \
             who chose to answer: the intervals allow for chance, not for that."
                .to_string(),
        );
    }
}
