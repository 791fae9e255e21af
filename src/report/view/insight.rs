//! Key drivers, benchmarks and comment themes on the pages, from the published tables.

use super::{Input, PageBuilder, Table, figure_text};
use crate::disclosure::Suppression;
use crate::report::charts;
use crate::report::model::FactDriver;
use crate::report::registry::Figure;
use crate::report::tables::{fmt_decimals, fmt1};

/// Where the council sits among the organisations: "percentile 67.9, middle half".
fn place(percentile: &Figure<f64>, band: &Figure<String>) -> String {
    match (percentile, band) {
        (Figure::Shown(p), Figure::Shown(b)) => {
            let band = match b.as_str() {
                "lowest_quarter" => "lowest quarter",
                "highest_quarter" => "highest quarter",
                _ => "middle half",
            };
            format!("percentile {}, {band}", fmt1(*p))
        }
        (Figure::Withheld, _) | (_, Figure::Withheld) => {
            crate::disclosure::Suppression::MARK.into()
        }
        _ => "-".into(),
    }
}

/// A benchmark source as readers know it.
fn source_name(source: &str) -> String {
    match source {
        "CSPS" => "Civil Service median".into(),
        "NHS" => "NHS Staff Survey".into(),
        other => other.to_string(),
    }
}

/// Key drivers, benchmarks and comment themes for the report (`outcome` = `None`) or a deep
/// dive (that outcome's drivers only), from the published tables.
pub fn insight(page: &mut PageBuilder, input: &Input, outcome: Option<&str>) {
    key_drivers(page, input, outcome);
    if let Some(id) = outcome {
        no_benchmark_note(page, input, id);
    }
    benchmarks(page, input, outcome);
    if outcome.is_none() {
        organisations(page, input);
    }
    comment_themes(page, input);
}

/// An indicator's label, or its id when the schema does not know it.
fn indicator_label(input: &Input, id: &str) -> String {
    let s = input.schema();
    s.indicator(id)
        .map_or_else(|| id.to_string(), |i| s.indicators[i].label.clone())
}

/// Key drivers for the whole organisation, each outcome with its table, chart and groups.
fn key_drivers(page: &mut PageBuilder, input: &Input, outcome: Option<&str>) {
    let m = input.model;
    let mut outcomes: Vec<&str> = m
        .drivers
        .iter()
        .filter(|d| d.group_key == "overall")
        .map(|d| d.outcome_indicator_id.as_str())
        .filter(|o| outcome.is_none_or(|x| x == *o))
        .collect();
    outcomes.dedup();
    if outcomes.is_empty() {
        return;
    }
    page.section("What relates most to the outcome: key drivers");
    page.para(DRIVERS_METHOD);
    for o in outcomes {
        let mut rows: Vec<&FactDriver> = m
            .drivers
            .iter()
            .filter(|d| d.group_key == "overall" && d.outcome_indicator_id == o)
            .collect();
        rows.sort_by(|a, b| b.share_of_r2.total_cmp(&a.share_of_r2));
        let Some(first) = rows.first() else { continue };
        page.table(drivers_table(input, o, first, &rows));
        drivers_chart(page, input, o, &rows);
        driver_groups(page, input, o);
    }
}

/// How key drivers are found and read, for the board.
const DRIVERS_METHOD: &str = "Each theme's share of what the themes together explain of how the outcome varies between \
             respondents, shared out fairly between themes that overlap, with a 95% interval from resampling the \
             respondents. This is association, not cause: a large share says \
             where the outcome and the theme move together, not that acting on the theme will move the outcome. \
             Priority: above-average share and a score below the other drivers' median, where action may pay most; \
             strength: above-average share and a high score. A rank is given only where resampling separates a \
             theme from its neighbours (otherwise the range of ranks it takes), and a quadrant only where at least \
             90% of resamples put the theme there (otherwise unclear). When the themes together explain less than \
             10% of how the outcome varies, or fewer than three themes were asked, no theme is ranked or placed.";

/// One outcome's key drivers as a table: rank, share of what is explained (R²) with its
/// interval, score, quadrant.
fn drivers_table(input: &Input, o: &str, first: &FactDriver, rows: &[&FactDriver]) -> Table {
    let label = |id: &str| indicator_label(input, id);
    let f1 = |v: f64| fmt1(v);
    Table::new(
        format!(
            "Key drivers of {} ({}): the themes explain {}% of how it varies, {} respondents with every score ({} left out)",
            crate::report::model::lower_first(&label(o)),
            first.wave_id,
            fmt_decimals(100.0 * first.r_squared, 0),
            first.n,
            first.excluded
        ),
        vec![
            "Rank".into(),
            "Theme".into(),
            "Share of what is explained %".into(),
            "95% interval".into(),
            "Mean score (0-100)".into(),
            "Quadrant".into(),
        ],
        rows.iter()
            .map(|d| {
                vec![
                    match (d.rank, d.rank_low, d.rank_high) {
                        (Some(r), _, _) => r.to_string(),
                        (None, Some(l), Some(h)) if d.quadrant != "not_labelled" => {
                            format!("{l} to {h}")
                        }
                        _ => "-".into(),
                    },
                    label(&d.driver_indicator_id),
                    f1(d.share_of_r2),
                    match (&d.share_ci_low, &d.share_ci_high) {
                        (Figure::Shown(l), Figure::Shown(h)) => format!("{} to {}", f1(*l), f1(*h)),
                        _ => "-".into(),
                    },
                    match d.driver_score {
                        Figure::Shown(v) => f1(v),
                        _ => crate::report::tables::WITHHELD.to_string(),
                    },
                    match d.quadrant.as_str() {
                        "not_labelled" => "-".to_string(),
                        q => {
                            let mut q = q.to_string();
                            if let Some(c) = q.get_mut(0..1) {
                                c.make_ascii_uppercase();
                            }
                            q
                        }
                    },
                ]
            })
            .collect(),
    )
}

/// One outcome's drivers on the importance × score chart; a driver whose score is withheld
/// has no place on it.
fn drivers_chart(page: &mut PageBuilder, input: &Input, o: &str, rows: &[&FactDriver]) {
    let label = |id: &str| indicator_label(input, id);
    let mut scores: Vec<f64> = rows
        .iter()
        .filter_map(|d| d.driver_score.shown().copied())
        .collect();
    scores.sort_by(f64::total_cmp);
    let median = crate::stats::lmg::quantile(&scores, 0.5).unwrap_or(50.0);
    // A driver whose score is withheld has no place on the chart.
    let points: Vec<charts::DriverPoint> = rows
        .iter()
        .filter_map(|d| Some((d, *d.driver_score.shown()?)))
        .map(|(d, score)| charts::DriverPoint {
            label: label(&d.driver_indicator_id),
            share: d.share_of_r2,
            ci: match (&d.share_ci_low, &d.share_ci_high) {
                (Figure::Shown(l), Figure::Shown(h)) => Some((*l, *h)),
                _ => None,
            },
            score,
        })
        .collect();
    let name = label(o);
    page.figure(
    charts::quadrant(
                        &format!("drivers_{o}"),
                        &format!("What relates most to {}", crate::report::model::lower_first(&name)),
                        &points,
                        100.0 / rows.len() as f64,
                        median,
                    ),
    format!(
                        "Key drivers of {}: each theme's share of what is explained (with its 95% interval) against its current score; \
                         dashed lines at the average share and the drivers' median score",
                        crate::report::model::lower_first(&name)
                    ),
    );
}

/// Every group the analysis looked at is accounted for.
fn driver_groups(page: &mut PageBuilder, input: &Input, o: &str) {
    let m = input.model;
    let groups: Vec<&crate::report::model::FactDriverGroup> = m
        .driver_groups
        .iter()
        .filter(|g| g.outcome_indicator_id == o && g.group_key != "overall")
        .collect();
    let count = |status: &str| groups.iter().filter(|g| g.status == status).count();
    if !groups.is_empty() {
        page.para(format!(
            "Groups of staff: {} analysed (their drivers are in tables/fact_drivers.csv), {} withheld to \
             protect anonymity, {} with too few respondents answering every question (at least {} are \
             needed) and {} whose themes were too closely related to separate; \
             tables/fact_driver_groups.csv lists each.",
            count("analysed"),
            count("withheld"),
            count("too_few_respondents"),
            input.min_driver_respondents(),
            count("not_fitted"),
        ));
    }
}

/// In a deep dive whose indicator no external survey asks: why there is no benchmark.
fn no_benchmark_note(page: &mut PageBuilder, input: &Input, id: &str) {
    let s = input.schema();
    let Some(i) = s.indicator(id) else { return };
    let ind = &s.indicators[i];
    page.section("How we compare");
    if !has_benchmarks(input, i) {
        page.para(format!(
            "No external survey asks the questions behind {} in the same words (they are this council's own or \
             another survey's, without a published benchmark in the pack's benchmark files), so there is no \
             benchmark to compare with.",
            crate::report::model::lower_first(&ind.label)
        ));
    }
}

/// Whether an indicator or any of its questions is mapped to a benchmark.
fn has_benchmarks(input: &Input, i: usize) -> bool {
    let s = input.schema();
    let ind = &s.indicators[i];
    !ind.benchmarks.is_empty()
        || ind
            .items
            .iter()
            .any(|&q| !s.questions[q].benchmarks.is_empty())
}

/// Benchmarks, whole organisation (report only; a deep dive shows its own mapped ones).
fn benchmarks(page: &mut PageBuilder, input: &Input, outcome: Option<&str>) {
    let s = input.schema();
    let m = input.model;
    let mapped = outcome
        .and_then(|o| s.indicator(o))
        .is_some_and(|i| has_benchmarks(input, i));
    if outcome.is_some() && !mapped {
        return;
    }
    let rows = benchmark_rows(input, outcome);
    if !rows.is_empty() {
        if outcome.is_none() {
            page.section("How we compare: external benchmarks");
        }
        let margin = m
            .item_benchmarks
            .iter()
            .map(|b| b.margin)
            .chain(m.indicator_benchmarks.iter().map(|b| b.margin))
            .next()
            .unwrap_or(crate::config::BENCHMARK_MARGIN);
        page.para(format!(
            "The council's latest figures against published benchmarks (CSPS: the Civil Service People Survey median \
             of organisations, rounded to whole percent at source). Better or worse means the council differs from the \
             median by at least {} points and the median lies outside the council figure's 95% interval; otherwise \
             similar. Organisations differ widely, so the last column places the council among them: its percentile \
             (the share of organisations scoring lower) and quarter (lowest quarter, middle half, or highest quarter: \
             a high performer). Wording differs only in the organisation's name.",
            fmt1(margin).trim_end_matches(".0")
        ));
        page.table(Table::new(
            "Council against benchmarks, whole organisation",
            vec![
                "Measure".into(),
                "Compared with".into(),
                "Council".into(),
                "Benchmark".into(),
                "Difference (points)".into(),
                "Standing".into(),
                "Among organisations".into(),
            ],
            rows,
        ));
    }
}

/// The latest figures against each benchmark: indicators, then questions.
fn benchmark_rows(input: &Input, outcome: Option<&str>) -> Vec<Vec<String>> {
    let s = input.schema();
    let m = input.model;
    let label = |id: &str| indicator_label(input, id);
    let f1 = |v: f64| fmt1(v);
    let keep_q = |q: &str| match outcome.and_then(|o| s.indicator(o)) {
        Some(i) => s
            .question(q)
            .is_some_and(|q| s.indicators[i].items.contains(&q)),
        None => true,
    };
    let keep_i = |id: &str| outcome.is_none_or(|o| o == id);
    m.indicator_benchmarks
        .iter()
        .filter(|b| b.group_key == "overall" && keep_i(&b.indicator_id))
        .map(|b| {
            (
                label(&b.indicator_id),
                b.benchmark_source.clone(),
                b.benchmark_year,
                figure_text(&b.value, |v| f1(v.value)),
                f1(b.benchmark_value.value),
                figure_text(&b.difference, |v| f1(v.value)),
                figure_text(&b.standing, Clone::clone),
                place(&b.percentile, &b.quartile_band),
            )
        })
        .chain(
            m.item_benchmarks
                .iter()
                .filter(|b| b.group_key == "overall" && keep_q(&b.question_id))
                .map(|b| {
                    (
                        s.question(&b.question_id)
                            .map_or_else(|| b.question_id.clone(), |q| s.questions[q].text.clone()),
                        b.benchmark_source.clone(),
                        b.benchmark_year,
                        figure_text(&b.value, |v| f1(*v)),
                        f1(b.benchmark_value),
                        figure_text(&b.difference, |v| f1(*v)),
                        figure_text(&b.standing, Clone::clone),
                        place(&b.percentile, &b.quartile_band),
                    )
                }),
        )
        .map(|(what, key, year, v, b, d, st, pl)| {
            vec![
                what,
                format!(
                    "{} {}",
                    source_name(&key),
                    year.map_or_else(String::new, |y| y.to_string())
                ),
                v,
                b,
                d,
                st,
                pl,
            ]
        })
        .collect()
}

/// Several organisations in one export: how each compares, question by question.
fn organisations(page: &mut PageBuilder, input: &Input) {
    let m = input.model;
    let orgs: Vec<String> = {
        let mut seen = std::collections::HashSet::new();
        m.item_benchmarks
            .iter()
            .filter(|b| b.benchmark_key == crate::report::model::benchmarks::ORGANISATION_MEDIAN)
            .filter(|b| seen.insert(b.group_key.clone()))
            .map(|b| b.group_key.clone())
            .collect()
    };
    if orgs.is_empty() {
        return;
    }
    let rows: Vec<Vec<String>> = orgs
        .iter()
        .map(|g| {
            let label = m
                .group(g)
                .map_or_else(|| g.clone(), |d| d.group_label.clone());
            let (a, b) = (tally(input, g, true), tally(input, g, false));
            let cell = |t: [usize; 4], i: usize| {
                if t[3] > 0 && t[..3].iter().sum::<usize>() == 0 {
                    Suppression::MARK.to_string()
                } else {
                    t[i].to_string()
                }
            };
            vec![
                label,
                cell(a, 0),
                cell(a, 1),
                cell(a, 2),
                cell(b, 0),
                cell(b, 1),
                cell(b, 2),
            ]
        })
        .collect();
    page.section("How the organisations compare");
    page.para(format!(
        "This export holds {} organisations. Each organisation's questions are compared with the median of the \
         organisations' published figures (how the Civil Service benchmark is made) and with the external \
         benchmark: the count of questions where it is better, similar (the benchmark within its 95% interval) \
         or worse. An organisation too small to publish shows {}; it takes no part in the median. Figures per \
         question are in the benchmark tables.",
        orgs.len(),
        Suppression::MARK
    ));
    page.table(Table::new(
        "Questions better, similar and worse than the benchmarks, by organisation",
        vec![
            "Organisation".into(),
            "Better than median".into(),
            "Similar to median".into(),
            "Worse than median".into(),
            "Better than external".into(),
            "Similar to external".into(),
            "Worse than external".into(),
        ],
        rows,
    ));
}

/// An organisation's questions better, similar, worse than the organisations' median
/// (`median`) or the external benchmark, and withheld.
fn tally(input: &Input, group: &str, median: bool) -> [usize; 4] {
    let m = input.model;
    let mut t = [0; 4];
    for b in m.item_benchmarks.iter().filter(|b| {
        b.group_key == group
            && (b.benchmark_key == crate::report::model::benchmarks::ORGANISATION_MEDIAN) == median
    }) {
        let k = match &b.standing {
            Figure::Shown(x) if x == "better" => 0,
            Figure::Shown(x) if x == "similar" => 1,
            Figure::Shown(x) if x == "worse" => 2,
            _ => 3,
        };
        t[k] += 1;
    }
    t
}

/// Comment themes, whole organisation, latest wave with coded comments.
fn comment_themes(page: &mut PageBuilder, input: &Input) {
    let m = input.model;
    let f1 = |v: f64| fmt1(v);
    let Some(wave) = m.comment_themes.iter().map(|t| t.wave_id.clone()).max() else {
        return;
    };
    let rows: Vec<Vec<String>> = m
        .comment_theme_dim
        .iter()
        .filter_map(|t| {
            let r = m.comment_themes.iter().find(|r| {
                r.wave_id == wave && r.theme_id == t.theme_id && r.group_key == "overall"
            })?;
            Some(vec![
                t.theme_label.clone(),
                figure_text(&r.mentions, |n| n.to_string()),
                figure_text(&r.pct_of_comments, |v| f1(*v)),
            ])
        })
        .collect();
    let n = m
        .comment_themes
        .iter()
        .find(|r| r.wave_id == wave && r.group_key == "overall")
        .map_or_else(String::new, |r| figure_text(&r.n, |n| n.to_string()));
    page.section("What staff wrote about: comment themes");
    page.para(format!(
        "{n} coded comments in {wave}, counted by the themes they were coded to (a comment can have several). \
         Counts by group are in the comment-themes table, withheld for groups with fewer than {} coded comments; \
         the comments themselves are never published.",
        input.threshold()
    ));
    page.table(Table::new(
        format!("Comment themes, whole organisation ({wave})"),
        vec![
            "Theme".into(),
            "Comments".into(),
            "% of coded comments".into(),
        ],
        rows,
    ));
}
