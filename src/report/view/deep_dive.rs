//! A deep dive: one indicator's trend, its questions, every published group, the meeting
//! feedback paired with it, its key drivers and how it compares.

use super::{
    Input, Page, PageBuilder, Table, answer_shares, change_text, decimals, fmt, verdict_text,
};
use crate::compare::{Comparison, Measure};
use crate::disclosure::Suppression;
use crate::indicators::{Breakdown, Group};
use crate::report::charts::{self, Point};
use crate::report::model::{breakdown_label, group_label, lower_first};
use crate::report::tables::{fmt_decimals, fmt_p};
use crate::schema::QuestionType;

/// The deep dive's view for one indicator.
pub fn deep_dive(input: &Input, indicator: usize) -> Page {
    let s = input.schema;
    let ind = &s.indicators[indicator];
    let dp = usize::from(ind.method.decimals());
    let num =
        |v: Option<f64>| v.map_or_else(|| Suppression::MARK.to_string(), |v| fmt_decimals(v, dp));
    let range = |l: f64, h: f64| format!("{} to {}", fmt_decimals(l, dp), fmt_decimals(h, dp));
    let waves: Vec<String> = input.waves.iter().map(ToString::to_string).collect();
    let latest = waves.last().cloned().unwrap_or_default();
    let cell =
        |wave: &str, b: Breakdown, g: Group| {
            input.tables.indicators.iter().find(|p| {
                p.wave == wave && p.measure == indicator && p.breakdown == b && p.group == g
            })
        };
    let point = |wave: &str, b: Breakdown, g: Group| {
        let st = cell(wave, b, g)?.stats.as_ref()?;
        Some(Point {
            value: st.value?,
            ci: st.ci,
        })
    };
    let delta_of = |comparison: Comparison, measure: Measure, b: Breakdown, g: Group| {
        input.deltas.iter().find(|d| {
            d.serves(comparison) && d.measure == measure && d.breakdown == b && d.group == g
        })
    };
    let mut page = PageBuilder::new(
        format!("Deep dive: {}", ind.label),
        Some(&input.source),
        &input.facts,
    );
    page.para(format!(
        "Everything the survey says about {}: its trend since the baseline ({}), the questions it is built \
         from, and every published group. Suppressed figures are shown as [c]. Driver analysis (what most \
         relates to this indicator) is not part of this pack.",
        ind.label, input.baseline
    ));

    // Trend, all respondents.
    page.section("Trend, all respondents");
    let rows = waves
        .iter()
        .map(|w| {
            let p = cell(w, Breakdown::Overall, Group::All);
            let st = p.and_then(|p| p.stats.as_ref());
            if p.is_none() {
                let not_asked = super::NOT_ASKED_TEXT.to_string();
                return vec![w.clone(), not_asked.clone(), "-".into(), not_asked];
            }
            vec![
                w.clone(),
                num(st.and_then(|s| s.value)),
                st.and_then(|s| s.ci)
                    .map_or_else(|| "-".into(), |(l, h)| range(l, h)),
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
        if let Some(d) = delta_of(
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
                    " A change of {} could be detected at 5% without adjustment; a verdict in this family \
                     (p below {}) needs about {}.",
                    fmt_decimals(m, dp),
                    fmt_p(d.family_threshold.unwrap_or(f64::NAN)),
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
    page.para(super::CHANGE_NOTE.to_string());
    let overall: Vec<Option<Point>> = waves
        .iter()
        .map(|w| point(w, Breakdown::Overall, Group::All))
        .collect();
    page.figure(
        charts::trend(
            &format!("deep_dive_{}_trend", ind.id),
            &format!("{} by wave, all respondents", ind.label),
            &waves,
            &[(ind.label.clone(), overall)],
        ),
        format!(
            "Line chart of {} by wave with 95% intervals; the values are in the table above",
            ind.label
        ),
    );

    // The questions behind it.
    page.section("Questions");
    let rows =
        ind.items
            .iter()
            .map(|&q| {
                let mut r = vec![s.questions[q].text.clone()];
                for w in &waves {
                    let p = input.tables.items.iter().find(|p| {
                        p.wave == *w && p.measure == q && p.breakdown == Breakdown::Overall
                    });
                    r.push(fmt(p
                        .and_then(|p| p.stats.as_ref())
                        .and_then(|st| st.counts.pct_positive())));
                }
                r.push(verdict_text(
                    delta_of(
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
    header.extend(waves.iter().map(|w| format!("{w} % positive")));
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
                &format!("Answers to the questions behind {} ({latest})", ind.label),
                &answer_shares(input, &latest, &likert),
            ),
            "Diverging bar chart: negative answers to the left of the centre line, positive to the right, neutral across it; the counts are in tables/fact_item_results.csv",
        );
    }

    // Every published group.
    page.section(format!("Every group ({latest})"));
    let mut breakdowns: Vec<Breakdown> = Vec::new();
    for p in &input.tables.indicators {
        if p.measure == indicator
            && p.wave == latest
            && p.breakdown != Breakdown::Overall
            && !breakdowns.contains(&p.breakdown)
        {
            breakdowns.push(p.breakdown);
        }
    }
    let directorate = s.demographic("directorate").map(Breakdown::Field);
    for b in breakdowns {
        let groups: Vec<Group> = input
            .tables
            .indicators
            .iter()
            .filter(|p| p.measure == indicator && p.wave == latest && p.breakdown == b)
            .map(|p| p.group)
            .collect();
        let rows = groups
            .iter()
            .map(|&g| {
                let p = cell(&latest, b, g);
                let st = p.and_then(|p| p.stats.as_ref());
                let d = delta_of(
                    Comparison::SincePrevious,
                    Measure::Indicator(indicator),
                    b,
                    g,
                );
                vec![
                    group_label(s, b, g),
                    num(st.and_then(|s| s.value)),
                    st.and_then(|s| s.ci)
                        .map_or_else(|| "-".into(), |(l, h)| range(l, h)),
                    p.and_then(|p| p.n)
                        .map_or_else(|| Suppression::MARK.into(), |n| n.to_string()),
                    d.as_ref().map_or_else(|| "-".into(), |d| change_text(s, d)),
                    verdict_text(d.as_ref()),
                ]
            })
            .collect();
        page.table(Table::new(
            format!("{} by {}", ind.label, lower_first(&breakdown_label(s, b))),
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
        if Some(b) == directorate {
            let bars: Vec<(String, Vec<Option<Point>>)> = groups
                .iter()
                .map(|&g| {
                    (
                        group_label(s, b, g),
                        waves.iter().map(|w| point(w, b, g)).collect(),
                    )
                })
                .collect();
            page.figure(
                charts::indicator_bars(
                    &format!("deep_dive_{}_by_directorate", ind.id),
                    &format!("{} by directorate", ind.label),
                    &waves,
                    &bars,
                ),
                format!(
                    "{} by directorate and wave, with 95% intervals; suppressed groups are marked [c] and have no bar",
                    ind.label
                ),
            );
        }
    }
    // The same relationship seen from the committee room: meeting-feedback series that the
    // feedback schema pairs with this indicator (`counterpart`).
    if let Some(fb) = input.feedback {
        super::feedback::paired_series(&mut page, fb, &ind.id, &ind.label);
    }
    super::insight::insight(&mut page, input, Some(&ind.id));
    page.finish()
}
