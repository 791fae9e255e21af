//! A deep dive: one indicator's trend, its questions, every published group, the meeting
//! feedback paired with it, its key drivers and how it compares.

use super::{
    Input, Page, PageBuilder, Table, answer_shares, change_text, decimals, fmt, verdict_text,
};
use crate::compare::{Comparison, Delta, Measure};
use crate::disclosure::Protected;
use crate::disclosure::Suppression;
use crate::indicators::statistics::IndicatorStats;
use crate::indicators::{Breakdown, Group};
use crate::report::charts::{self, Point};
use crate::report::model::{breakdown_label, group_label, lower_first};
use crate::report::tables::fmt_decimals;
use crate::schema::QuestionType;

/// The most withheld groups a deep dive names after a table; more are only counted.
const NAMED_WITHHELD: usize = 8;

/// One indicator's deep dive as it is built: the figures it reads, and its number format.
struct Dive<'a> {
    input: &'a Input<'a>,
    indicator: usize,
    /// Decimal places of the indicator's values.
    dp: usize,
    waves: Vec<String>,
    latest: String,
}

/// The deep dive's view for one indicator.
pub fn deep_dive(input: &Input, indicator: usize) -> Page {
    let ind = &input.schema().indicators[indicator];
    let waves: Vec<String> = input.waves().iter().map(ToString::to_string).collect();
    let dive = Dive {
        input,
        indicator,
        dp: usize::from(ind.method.decimals()),
        latest: waves.last().cloned().unwrap_or_default(),
        waves,
    };
    let mut page = PageBuilder::new(
        format!("Deep dive: {}", ind.label),
        Some(&input.source),
        &input.facts,
    );
    page.para(format!(
        "Everything the survey says about {}: its trend since the baseline ({}), the questions it is built \
         from, and every published group; then, where the data allow, the meeting feedback paired with it, \
         what relates most to it (key drivers) and how it compares with other organisations. Withheld \
         figures are shown as [c].",
        ind.label, input.baseline()
    ));
    dive.trend(&mut page);
    dive.questions(&mut page);
    dive.groups(&mut page);
    // The same relationship seen from the committee room: meeting-feedback series that the
    // feedback schema pairs with this indicator (`counterpart`).
    if let Some(fb) = input.feedback() {
        super::feedback::paired_series(&mut page, fb, &ind.id, &ind.label);
    }
    super::insight::insight(&mut page, input, Some(&ind.id));
    page.finish()
}

impl<'a> Dive<'a> {
    fn num(&self, v: Option<f64>) -> String {
        v.map_or_else(
            || Suppression::MARK.to_string(),
            |v| fmt_decimals(v, self.dp),
        )
    }

    fn range(&self, l: f64, h: f64) -> String {
        format!(
            "{} to {}",
            fmt_decimals(l, self.dp),
            fmt_decimals(h, self.dp)
        )
    }

    fn cell(&self, wave: &str, b: Breakdown, g: Group) -> Option<&'a Protected<IndicatorStats>> {
        self.input.tables().indicators.iter().find(|p| {
            p.wave == wave && p.measure == self.indicator && p.breakdown == b && p.group == g
        })
    }

    fn point(&self, wave: &str, b: Breakdown, g: Group) -> Option<Point> {
        let st = self.cell(wave, b, g)?.stats.as_ref()?;
        Some(Point {
            value: st.value?,
            ci: st.ci,
        })
    }

    fn delta_of(
        &self,
        comparison: Comparison,
        measure: Measure,
        b: Breakdown,
        g: Group,
    ) -> Option<&'a Delta> {
        self.input.deltas().iter().find(|d| {
            d.serves(comparison) && d.measure == measure && d.breakdown == b && d.group == g
        })
    }

    /// Trend, all respondents: the table by wave, the changes, and the line chart.
    fn trend(&self, page: &mut PageBuilder) {
        let s = self.input.schema();
        let indicator = self.indicator;
        let ind = &s.indicators[indicator];
        page.section("Trend, all respondents");
        let rows = self
            .waves
            .iter()
            .map(|w| {
                let p = self.cell(w, Breakdown::Overall, Group::All);
                let st = p.and_then(|p| p.stats.as_ref());
                if p.is_none() {
                    let not_asked = super::NOT_ASKED_TEXT.to_string();
                    return vec![w.clone(), not_asked.clone(), "-".into(), not_asked];
                }
                vec![
                    w.clone(),
                    self.num(st.and_then(|s| s.value)),
                    st.and_then(|s| s.ci)
                        .map_or_else(|| "-".into(), |(l, h)| self.range(l, h)),
                    p.and_then(|p| p.n)
                        .map_or_else(|| Suppression::MARK.into(), |n| n.to_string()),
                ]
            })
            .collect();
        page.table(Table::new(
            format!("{} by wave", ind.label),
            vec![
                "Wave".into(),
                "Value".into(),
                "95% interval".into(),
                "n".into(),
            ],
            rows,
        ));
        for comparison in Comparison::ALL {
            self.change(page, comparison);
        }
        page.para(super::CHANGE_NOTE.to_string());
        let overall: Vec<Option<Point>> = self
            .waves
            .iter()
            .map(|w| self.point(w, Breakdown::Overall, Group::All))
            .collect();
        page.figure(
            charts::trend(
                &format!("deep_dive_{}_trend", ind.id),
                &format!("{} by wave, all respondents", ind.label),
                &self.waves,
                &[(ind.label.clone(), overall)],
            ),
            format!(
                "Line chart of {} by wave with 95% intervals; the values are in the table above",
                ind.label
            ),
        );
    }

    /// The questions behind the indicator: % positive by wave, verdicts, answers chart.
    fn questions(&self, page: &mut PageBuilder) {
        let s = self.input.schema();
        let input = self.input;
        let ind = &s.indicators[self.indicator];
        page.section("Questions");
        let rows = ind
            .items
            .iter()
            .map(|&q| {
                let mut r = vec![s.questions[q].text.clone()];
                for w in &self.waves {
                    let p = input.tables().items.iter().find(|p| {
                        p.wave == *w && p.measure == q && p.breakdown == Breakdown::Overall
                    });
                    r.push(fmt(p
                        .and_then(|p| p.stats.as_ref())
                        .and_then(|st| st.counts.pct_positive())));
                }
                r.push(verdict_text(
                    self.delta_of(
                        Comparison::SincePrevious,
                        Measure::Question(q),
                        Breakdown::Overall,
                        Group::All,
                    )
                    .as_ref(),
                ));
                r
            })
            .collect();
        let mut header = vec!["Question".to_string()];
        header.extend(self.waves.iter().map(|w| format!("{w} % positive")));
        header.push("Verdict since previous".into());
        page.table(Table::new(
            "The questions behind the indicator",
            header,
            rows,
        ));
        let likert: Vec<usize> = ind
            .items
            .iter()
            .copied()
            .filter(|&q| s.questions[q].kind == QuestionType::Likert)
            .collect();
        if !likert.is_empty() {
            page.figure(
                charts::diverging(
                    &format!("deep_dive_{}_answers", ind.id),
                    &format!("Answers to the questions behind {} ({})", ind.label, self.latest),
                    &answer_shares(input, &self.latest, &likert),
                ),
                "Diverging bar chart: negative answers to the left of the centre line, positive to the right, neutral across it; the counts are in tables/fact_item_results.csv",
            );
        }
    }

    /// Every published group of the latest wave, breakdown by breakdown.
    fn groups(&self, page: &mut PageBuilder) {
        let s = self.input.schema();
        let input = self.input;
        let indicator = self.indicator;
        page.section(format!("Every group ({})", self.latest));
        let mut breakdowns: Vec<Breakdown> = Vec::new();
        for p in &input.tables().indicators {
            if p.measure == indicator
                && p.wave == self.latest
                && p.breakdown != Breakdown::Overall
                && !breakdowns.contains(&p.breakdown)
            {
                breakdowns.push(p.breakdown);
            }
        }
        let directorate = s.demographic("directorate").map(Breakdown::Field);
        for b in breakdowns {
            let groups: Vec<Group> = input
                .tables()
                .indicators
                .iter()
                .filter(|p| p.measure == indicator && p.wave == self.latest && p.breakdown == b)
                .map(|p| p.group)
                .collect();
            self.group_table(page, b, &groups);
            if Some(b) == directorate {
                self.directorate_chart(page, b, &groups);
            }
        }
    }
    /// The change of all respondents' figure for one comparison, with what could be detected.
    fn change(&self, page: &mut PageBuilder, comparison: Comparison) {
        let s = self.input.schema();
        let indicator = self.indicator;
        if let Some(d) = self
            .delta_of(
                comparison,
                Measure::Indicator(indicator),
                Breakdown::Overall,
                Group::All,
            )
            .filter(|d| comparison == Comparison::SincePrevious || !d.roles.previous)
        {
            let dp = decimals(s, d.measure);
            let detectable = match (d.mdd, d.mdd_family) {
                (Some(m), Some(f)) => format!(
                    " A change of about {} could be told apart from chance on its own; allowing for the \
                     number of comparisons, a change needs to be about {} to be called a real change.",
                    fmt_decimals(m, dp),
                    fmt_decimals(f, dp)
                ),
                _ => String::new(),
            };
            page.para(format!(
                "Change {} ({} to {}): {} (interval in brackets), {}.{detectable}",
                d.roles.label(),
                d.from,
                d.to,
                change_text(s, d),
                verdict_text(Some(&d))
            ));
        }
    }

    /// One breakdown's groups with a published value: value, interval, n, change since previous
    /// and verdict; the groups whose value is withheld are counted and named in a line after it.
    fn group_table(&self, page: &mut PageBuilder, b: Breakdown, groups: &[Group]) {
        let s = self.input.schema();
        let indicator = self.indicator;
        let ind = &s.indicators[indicator];
        let mut withheld: Vec<String> = Vec::new();
        let mut rows: Vec<Vec<String>> = Vec::new();
        for &g in groups {
            let p = self.cell(&self.latest, b, g);
            let st = p.and_then(|p| p.stats.as_ref());
            let Some(value) = st.and_then(|s| s.value) else {
                withheld.push(group_label(s, b, g));
                continue;
            };
            let d = self.delta_of(
                Comparison::SincePrevious,
                Measure::Indicator(indicator),
                b,
                g,
            );
            rows.push(vec![
                group_label(s, b, g),
                self.num(Some(value)),
                st.and_then(|s| s.ci)
                    .map_or_else(|| "-".into(), |(l, h)| self.range(l, h)),
                p.and_then(|p| p.n)
                    .map_or_else(|| Suppression::MARK.into(), |n| n.to_string()),
                d.as_ref().map_or_else(|| "-".into(), |d| change_text(s, d)),
                verdict_text(d.as_ref()),
            ]);
        }
        let by = lower_first(&breakdown_label(s, b));
        if !rows.is_empty() {
            page.table(Table::new(
                format!("{} by {by}", ind.label),
                vec![
                    "Group".into(),
                    "Value".into(),
                    "95% interval".into(),
                    "n".into(),
                    "Change since previous (adjusted interval)".into(),
                    "Verdict".into(),
                ],
                rows,
            ));
        }
        if !withheld.is_empty() {
            let n = withheld.len();
            page.para(format!(
                "Not shown by {by}: {n} {} whose figure is withheld (too few answers, or to protect \
                 another group's figure){}.",
                if n == 1 { "group" } else { "groups" },
                if n <= NAMED_WITHHELD {
                    format!(": {}", withheld.join("; "))
                } else {
                    String::new()
                }
            ));
        }
    }

    /// Directorates by wave as bars with intervals.
    fn directorate_chart(&self, page: &mut PageBuilder, b: Breakdown, groups: &[Group]) {
        let s = self.input.schema();
        let ind = &s.indicators[self.indicator];
        let bars: Vec<(String, Vec<Option<Point>>)> = groups
            .iter()
            .map(|&g| {
                (
                    group_label(s, b, g),
                    self.waves.iter().map(|w| self.point(w, b, g)).collect(),
                )
            })
            .collect();
        page.figure(
            charts::indicator_bars(
                &format!("deep_dive_{}_by_directorate", ind.id),
                &format!("{} by directorate", ind.label),
                &self.waves,
                &bars,
            ),
            format!(
                "{} by directorate and wave, with 95% intervals; suppressed groups are marked [c] and have no bar",
                ind.label
            ),
        );
    }
}
