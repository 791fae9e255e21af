//! Member-meeting feedback on the pages: a control chart per series and the signals table.

use super::{PageBuilder, Table};
use crate::meetings::spc::{FREEZE_POINTS, Status};
use crate::meetings::{Feedback, Series, SpcPoint};
use crate::report::charts;

/// The board report's section: every series' control chart, then the signals by series.
pub fn control_charts(page: &mut PageBuilder, fb: &Feedback) {
    page.section("Member-meeting feedback: control charts");
    page.para(format!(
        "Monthly values for all committees together, each on the chart that fits it: a chart of a proportion for one \
         question's % positive and for forms per attendee (limits for each month's own number of forms, so \
         they step from month to month), and a chart of the mean of respondents' scores for a theme of several \
         questions. Limits come from the first {freeze} months with data; until then they are provisional \
         (dashed) and only a point outside them counts, drawn as an outlined triangle. Once frozen, four \
         rules apply: a point outside the limits, 7 points in a row on one side of the centre, 6 rising or \
         falling, 2 of 3 close to a limit. A declared step change starts new limits. Baseline months: {}. \
         Even on a stable process these rules signal at least once in about 15% of 18-month series, so a \
         signal is a prompt to look, not a finding.",
        fb.baseline_list(),
        freeze = FREEZE_POINTS,
    ));
    let mut series: Vec<Series> = fb.spc.iter().map(|p| p.series).collect();
    series.dedup();
    let mut rows = Vec::new();
    for name in series {
        let pts: Vec<&SpcPoint> = fb.spc.iter().filter(|p| p.series == name).collect();
        spc_figure(page, fb, name, true);
        let (limits, steps, flagged) = signal_summary(&pts);
        rows.push(vec![
            name.label(&fb.schema).to_string(),
            name.chart_kind_label(&fb.schema).into(),
            limits,
            steps,
            flagged,
        ]);
    }
    page.table(Table::new(
        "Signals by series",
        vec![
            "Series".into(),
            "Chart".into(),
            "Limits".into(),
            "Step changes".into(),
            "Months with a signal (rules)".into(),
        ],
        rows,
    ));
}

/// A series' limits in words, its step changes and the months with a signal (with the
/// rules), each "none" when empty.
fn signal_summary(pts: &[&SpcPoint]) -> (String, String, String) {
    let provisional = |p: &SpcPoint| p.chart.status == Some(Status::Provisional);
    let none_or = |v: Vec<String>| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join("; ")
        }
    };
    let flagged: Vec<String> = pts
        .iter()
        .filter(|p| !p.chart.signals.is_empty())
        .map(|p| {
            format!(
                "{} ({}{})",
                p.month,
                p.chart
                    .signals
                    .iter()
                    .map(|r| r.label())
                    .collect::<Vec<_>>()
                    .join(", "),
                if provisional(p) {
                    "; provisional limits"
                } else {
                    ""
                }
            )
        })
        .collect();
    let limits = match (
        pts.iter().find(|p| p.chart.frozen_here),
        pts.iter().any(|p| provisional(p)),
    ) {
        (Some(f), false) => format!("frozen at {}", f.month),
        (Some(f), true) => {
            format!("frozen at {}; provisional after a step change", f.month)
        }
        (None, true) => "provisional".into(),
        (None, false) => "none (too few months)".into(),
    };
    let steps: Vec<String> = pts
        .iter()
        .filter_map(|p| p.step_change.as_ref().map(|r| format!("{}: {r}", p.month)))
        .collect();
    (limits, none_or(steps), none_or(flagged))
}

/// A deep dive's section: the meeting-feedback series paired with its indicator.
pub fn paired_series(page: &mut PageBuilder, fb: &Feedback, indicator_id: &str, label: &str) {
    let paired: Vec<usize> = (0..fb.schema.indicators.len())
        .filter(|&j| fb.schema.indicators[j].counterpart.as_deref() == Some(indicator_id))
        .collect();
    if paired.is_empty() {
        return;
    }
    page.section("Member-meeting feedback");
    page.para(format!(
        "After committee meetings, officers and members say how the meeting went; these monthly series \
         ask about {} in the committee room. Limits come from the first {} months with data; a signal is \
         a prompt to look, not a finding (the main report explains the rules).",
        crate::report::model::lower_first(label),
        FREEZE_POINTS
    ));
    for j in paired {
        spc_figure(page, fb, Series::Indicator(j), false);
    }
}

/// A meeting-feedback series' control chart.
fn spc_figure(page: &mut PageBuilder, fb: &Feedback, name: Series, table_below: bool) {
    let months: Vec<charts::SpcMonth> = fb
        .spc
        .iter()
        .filter(|p| p.series == name)
        .map(|p| charts::SpcMonth {
            label: p.month.to_string(),
            value: p.value,
            centre: p.chart.centre,
            limits: p.chart.limits.map(|l| (l.lower, l.upper)),
            provisional: p.chart.status == Some(Status::Provisional),
            baseline: p.in_baseline,
            frozen_here: p.chart.frozen_here,
            step: p.step_change.clone(),
            signal: !p.chart.signals.is_empty(),
        })
        .collect();
    let id = name.id(&fb.schema);
    let label = name.label(&fb.schema);
    let decimals = if name == Series::Uptake { 2 } else { 1 };
    page.figure(
        charts::spc_chart(&format!("spc_{id}"), &label, &months, decimals),
        format!(
            "Control chart of {label}: monthly values with the centre line and limits for each month (dashed while provisional), the baseline shaded; signals are triangles{}; the values are in tables/fact_feedback_spc.csv",
            if table_below {
                " and are listed in the table below"
            } else {
                ""
            }
        ),
    );
}
