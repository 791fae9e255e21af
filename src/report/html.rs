//! `report.html` (one self-contained file: inline CSS and SVG, no scripts) and `report.md`
//! (the same content for committee papers), built from the protected tables only.
//!
//! Accessibility (WCAG 2.2 AA): real table headers with scope, captions, charts with titles
//! and descriptions, values always printed beside any colour, readable without CSS, and
//! every text that comes from inputs is HTML-escaped.

use super::charts::{self, Chart, ChartError, Point, Shares};
pub use super::markup::escape;
use crate::compare::{Comparison, Delta, Measure, Verdict};
use crate::config::WaveId;
use crate::disclosure::{ProtectedTables, Suppression};
use crate::indicators::{Breakdown, Group};
use crate::report::model::{breakdown_label, group_label};
use crate::report::registry::Figure;
use crate::schema::{Method, Schema};
use std::collections::HashMap;
use std::fmt::Write as _;

/// Escape text for Markdown: no HTML (`&`, `<`, `>` as entities), no pipes, no line breaks.
/// Apostrophes and quotes stay as they are, so the text reads as written.
fn md(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

/// Everything the report shows.
pub struct Input<'a> {
    pub schema: &'a Schema,
    /// Survey waves in time order.
    pub waves: &'a [WaveId],
    pub baseline: &'a WaveId,
    pub tables: &'a ProtectedTables,
    pub deltas: &'a [Delta],
    pub feedback: Option<&'a crate::meetings::Feedback>,
    pub threshold: u32,
    pub fpc: bool,
    /// The published tables, typed.
    pub model: &'a crate::report::model::Model,
    pub dictionary_md: &'a str,
    /// The margins results are weighted to, for readers (`directorate and grade`), when
    /// `[weighting]` is on.
    pub weighted_by: Option<String>,
    /// What the release states about itself (organisation, date, status, fieldwork,
    /// responses, source, contact): the cover block.
    pub facts: Vec<(&'static str, String)>,
    /// The source line under every table and chart.
    pub source: String,
}

pub struct Rendered {
    pub html: String,
    pub markdown: String,
    /// (file name in `charts/`, contents): every chart as SVG and as PNG.
    pub charts: Vec<(String, Vec<u8>)>,
}

/// A published figure as text: its value, `[c]` when withheld, empty when there is none.
fn figure_text<T>(f: &Figure<T>, show: impl Fn(&T) -> String) -> String {
    match f {
        Figure::Shown(v) => show(v),
        Figure::Blank => String::new(),
        Figure::Withheld => Suppression::MARK.to_string(),
    }
}

fn fmt(v: Option<f64>) -> String {
    v.map_or_else(|| Suppression::MARK.to_string(), super::tables::fmt1)
}

/// Decimals a measure is published with (0–10 scores to two).
fn decimals(s: &Schema, m: Measure) -> usize {
    match m {
        Measure::Question(_) => 1,
        Measure::Indicator(i) => usize::from(s.indicators[i].method.decimals()),
    }
}

/// A change with its sign, its 95% interval and `[u]` when it rests on fewer than 30 answers:
/// `+8.9 (6.7 to 11.1)`, `-27.4 (-45.0 to -8.1) [u]`.
fn change_text(s: &Schema, d: &Delta) -> String {
    let dp = decimals(s, d.measure);
    let num = |v: f64| super::tables::fmt_decimals(v, dp);
    let Some(delta) = d.delta() else {
        return if d.suppression.is_some() {
            Suppression::MARK.into()
        } else {
            "-".into()
        };
    };
    let signed = |v: f64| {
        let t = num(v);
        if v > 0.0 && t.chars().any(|c| c.is_ascii_digit() && c != '0') {
            format!("+{t}")
        } else {
            t
        }
    };
    let mut out = signed(delta);
    if let Some((l, h)) = d.change_ci {
        out.push_str(&format!(" ({} to {})", num(l), num(h)));
    }
    if d.low_reliability {
        out.push_str(" [u]");
    }
    out
}

struct Table {
    caption: String,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    /// Optional background shade per cell (heat map); the value is always printed too.
    shade: Option<Vec<Vec<Option<f64>>>>,
}

impl Table {
    fn html(&self) -> String {
        // The heat map's table repeats the chart's printed values: on screen for screen
        // readers and copying, left out of print.
        let mut s = String::from(if self.shade.is_some() {
            "<table class=\"heat\">\n"
        } else {
            "<table>\n"
        });
        let _ = writeln!(s, "<caption>{}</caption>", escape(&self.caption));
        s.push_str("<thead><tr>");
        for h in &self.header {
            let _ = write!(s, "<th scope=\"col\">{}</th>", escape(h));
        }
        s.push_str("</tr></thead>\n<tbody>\n");
        for (r, row) in self.rows.iter().enumerate() {
            s.push_str("<tr>");
            for (c, cell) in row.iter().enumerate() {
                if c == 0 {
                    let _ = write!(s, "<th scope=\"row\">{}</th>", escape(cell));
                } else {
                    let style = self
                        .shade
                        .as_ref()
                        .and_then(|sh| sh.get(r)?.get(c).copied().flatten())
                        .map(|v| {
                            // Light to dark blue by value; text stays dark enough to read.
                            let t = (v / 100.0).clamp(0.0, 1.0);
                            let l = 96.0 - 40.0 * t;
                            format!(" style=\"background:hsl(207,60%,{l:.0}%)\"")
                        })
                        .unwrap_or_default();
                    let _ = write!(s, "<td{style}>{}</td>", escape(cell));
                }
            }
            s.push_str("</tr>\n");
        }
        s.push_str("</tbody>\n</table>\n");
        s
    }

    fn markdown(&self) -> String {
        let mut s = format!("*{}*\n\n", md(&self.caption));
        let _ = writeln!(
            s,
            "| {} |",
            self.header
                .iter()
                .map(|h| md(h))
                .collect::<Vec<_>>()
                .join(" | ")
        );
        let _ = writeln!(s, "|{}", "---|".repeat(self.header.len()));
        for row in &self.rows {
            let _ = writeln!(
                s,
                "| {} |",
                row.iter().map(|c| md(c)).collect::<Vec<_>>().join(" | ")
            );
        }
        s.push('\n');
        s
    }
}

enum Block {
    Heading(u8, String),
    Para(String),
    Table(Table),
    /// A chart, with a caption that says where its values are tabulated.
    Chart {
        chart: Chart,
        caption: String,
    },
    Markdown(String),
    /// A bulleted list of plain-text points.
    Bullets(Vec<String>),
    /// The cover block: (label, text) pairs; the contents follow it.
    Facts(Vec<(&'static str, String)>),
}

fn verdict_text(d: Option<&&Delta>) -> String {
    match d {
        None => "-".into(),
        Some(d) => match d.verdict {
            Verdict::NotTested if d.reason.is_some() => {
                format!(
                    "not tested ({})",
                    super::view::reader_reason(d.reason.as_ref().expect("checked"))
                )
            }
            v => v.as_str().into(),
        },
    }
}

/// Build the report's blocks from the protected results.
fn blocks(input: &Input) -> Vec<Block> {
    let s = input.schema;
    let mut out = Vec::new();
    let waves: Vec<String> = input.waves.iter().map(ToString::to_string).collect();
    let latest = waves.last().cloned().unwrap_or_default();
    let previous = waves.len().checked_sub(2).map(|i| waves[i].clone());
    let ind_cell: HashMap<(&str, usize, Breakdown, Group), &crate::disclosure::Protected<_>> =
        input
            .tables
            .indicators
            .iter()
            .map(|p| ((p.wave.as_str(), p.measure, p.breakdown, p.group), p))
            .collect();
    let value = |wave: &str, ind: usize, b: Breakdown, g: Group| {
        ind_cell
            .get(&(wave, ind, b, g))
            .and_then(|p| p.stats.as_ref())
            .and_then(|st| st.value.map(|v| (v, st.ci)))
    };
    let delta = |comparison: Comparison, measure: Measure| {
        input.deltas.iter().find(|d| {
            d.comparison == comparison && d.measure == measure && d.breakdown == Breakdown::Overall
        })
    };

    out.push(Block::Facts(input.facts.clone()));
    out.push(Block::Para(format!(
        "Staff survey waves {}, compared with the previous wave and with the baseline ({}). \
         Figures are suppressed ([c]) where fewer than {} people answered or where a hidden figure \
         could otherwise be worked out. A change is called an improvement or a decline only when it \
         is statistically significant after allowing for the number of comparisons made.",
        waves.join(", "),
        input.baseline,
        input.threshold
    )));

    // Main points, written from the figures.
    let points = super::view::main_points(
        s,
        input.tables,
        input.deltas,
        &latest,
        input.baseline.as_str(),
    );
    if !points.is_empty() {
        out.push(Block::Heading(2, "Main points".into()));
        out.push(Block::Bullets(
            points
                .iter()
                .map(|p| format!("{} {}", p.marker.symbol(), p.text))
                .collect(),
        ));
    }

    // Headline indicators.
    out.push(Block::Heading(2, "Headline indicators".into()));
    let order = super::view::headline_order(s);
    let mut rows = Vec::new();
    for &i in &order {
        let ind = &s.indicators[i];
        let now = value(&latest, i, Breakdown::Overall, Group::All);
        let before = previous
            .as_deref()
            .and_then(|p| value(p, i, Breakdown::Overall, Group::All));
        let since_prev = delta(Comparison::SincePrevious, Measure::Indicator(i));
        let dp = usize::from(ind.method.decimals());
        let num = |v: Option<f64>| {
            v.map_or_else(
                || Suppression::MARK.to_string(),
                |v| super::tables::fmt_decimals(v, dp),
            )
        };
        rows.push(vec![
            ind.label.clone(),
            num(before.map(|b| b.0)),
            num(now.map(|n| n.0)),
            now.and_then(|n| n.1).map_or_else(
                || "-".into(),
                |(l, h)| {
                    format!(
                        "{} to {}",
                        super::tables::fmt_decimals(l, dp),
                        super::tables::fmt_decimals(h, dp)
                    )
                },
            ),
            since_prev.map_or_else(|| "-".into(), |d| change_text(s, d)),
            verdict_text(since_prev.as_ref()),
            verdict_text(delta(Comparison::SinceBaseline, Measure::Indicator(i)).as_ref()),
        ]);
    }
    out.push(Block::Table(Table {
        caption: format!("Headline indicators, all respondents ({latest})"),
        header: vec![
            "Indicator".into(),
            previous.clone().unwrap_or_else(|| "Previous".into()),
            latest.clone(),
            "95% interval".into(),
            "Change since previous (95% interval)".into(),
            "Verdict since previous".into(),
            "Verdict since baseline".into(),
        ],
        rows,
        shade: None,
    }));
    // What the intervals do not cover, beside them: who did not answer.
    let overall_rate = input
        .model
        .response_rates
        .iter()
        .find(|r| r.wave_id == latest && r.group_key == "overall")
        .and_then(|r| match r.response_rate {
            Figure::Shown(v) => Some(v),
            _ => None,
        });
    out.push(Block::Para(format!(
        "The 95% intervals allow for sampling error only.{} They assume that staff who did not answer \
         would have answered like those who did{}. {}",
        overall_rate.map_or_else(String::new, |r| format!(
            " {}% of staff answered in {latest}.",
            super::tables::fmt_decimals(r, 0)
        )),
        match &input.weighted_by {
            Some(by) => format!(" in the same {by} (non-response is otherwise ignorable)"),
            None => " (non-response is ignorable)".to_string(),
        },
        match &input.weighted_by {
            Some(by) => format!(
                "Results are weighted to the HR headcount by {by}, so groups that answered less count \
                 for their share of staff; intervals and tests allow for the weights (Kish's effective \
                 sample size), and tables/fact_weighting_margins.csv shows how far respondents differed \
                 from the workforce."
            ),
            None => "Results are not weighted: groups with higher response rates count for more (see the \
                     response rates below)."
                .to_string(),
        }
    )));
    // Every headline indicator, each on its own scale: small multiples.
    let panels: Vec<charts::Panel> = order
        .iter()
        .map(|&i| {
            let ind = &s.indicators[i];
            let points: Vec<Option<Point>> = waves
                .iter()
                .map(|w| {
                    value(w, i, Breakdown::Overall, Group::All)
                        .map(|(v, ci)| Point { value: v, ci })
                })
                .collect();
            super::view::panel(ind, points)
        })
        .collect();
    out.push(Block::Chart {
        chart: charts::panels(
            "indicators_by_wave",
            "Headline indicators by wave, with 95% intervals",
            &waves,
            &panels,
        ),
        caption: "One panel per indicator, each on its own scale; the latest wave is the filled point and earlier waves are hollow; the values are in the table above".into(),
    });

    // Biggest significant changes.
    out.push(Block::Heading(
        2,
        "Largest significant changes since the previous wave".into(),
    ));
    for (verdict, label) in [
        (Verdict::Improved, "Improvements"),
        (Verdict::Declined, "Declines"),
    ] {
        let mut ds: Vec<&Delta> = input
            .deltas
            .iter()
            .filter(|d| {
                d.comparison == Comparison::SincePrevious
                    && d.breakdown == Breakdown::Overall
                    && d.verdict == verdict
            })
            .collect();
        ds.sort_by(|a, b| {
            let (x, y) = (
                a.delta().unwrap_or(0.0).abs(),
                b.delta().unwrap_or(0.0).abs(),
            );
            y.total_cmp(&x).then(a.measure.id(s).cmp(b.measure.id(s)))
        });
        let name = |d: &Delta| match d.measure {
            Measure::Question(q) => s.questions[q].text.clone(),
            Measure::Indicator(i) => s.indicators[i].label.clone(),
        };
        let rows: Vec<Vec<String>> = ds
            .iter()
            .take(5)
            .map(|d| {
                let dp = decimals(s, d.measure);
                vec![
                    name(d),
                    d.values
                        .map_or_else(String::new, |v| super::tables::fmt_decimals(v.0, dp)),
                    d.values
                        .map_or_else(String::new, |v| super::tables::fmt_decimals(v.1, dp)),
                    change_text(s, d),
                ]
            })
            .collect();
        if rows.is_empty() {
            out.push(Block::Para(format!(
                "{label}: none that are statistically significant."
            )));
        } else {
            out.push(Block::Table(Table {
                caption: format!("{label} (all respondents)"),
                header: vec![
                    "Question or indicator".into(),
                    "Before".into(),
                    "Now".into(),
                    "Change (95% interval)".into(),
                ],
                rows,
                shade: None,
            }));
        }
    }

    // Answers to every question.
    let likert: Vec<usize> = (0..s.questions.len())
        .filter(|&q| s.questions[q].kind == crate::schema::QuestionType::Likert)
        .collect();
    if !likert.is_empty() {
        out.push(Block::Heading(
            2,
            format!("Answers to each question ({latest})"),
        ));
        out.push(Block::Chart {
            chart: charts::diverging(
                "answers",
                &format!("Answers to each question, all respondents ({latest})"),
                &answer_shares(input, &latest, &likert),
            ),
            caption: "Diverging bar chart: negative answers to the left of the centre line, positive to the right, neutral across it; the counts are in tables/fact_item_results.csv".into(),
        });
    }

    // Heat map and breakdowns.
    if let Some(dir) = s.demographic("directorate") {
        out.push(Block::Heading(
            2,
            format!("Indicators by directorate ({latest})"),
        ));
        let groups: Vec<Group> = (0..s.demographics[dir].categories.len() as u32)
            .map(|c| Group::One(Some(c)))
            .collect();
        let pct: Vec<usize> = order
            .iter()
            .copied()
            .filter(|&i| !matches!(s.indicators[i].method, Method::Score0To10 | Method::Enps))
            .collect();
        let mut rows = Vec::new();
        let mut shade = Vec::new();
        for g in &groups {
            let mut row = vec![group_label(s, Breakdown::Field(dir), *g)];
            let mut sh = vec![None];
            for &i in &pct {
                let v = value(&latest, i, Breakdown::Field(dir), *g).map(|v| v.0);
                row.push(fmt(v));
                sh.push(v);
            }
            rows.push(row);
            shade.push(sh);
        }
        let mut header = vec!["Directorate".to_string()];
        header.extend(pct.iter().map(|&i| s.indicators[i].label.clone()));
        out.push(Block::Chart {
            chart: charts::heatmap(
                "heatmap_directorate",
                &format!("Indicators by directorate ({latest})"),
                &header[1..],
                &rows
                    .iter()
                    .zip(&shade)
                    .map(|(r, sh)| (r[0].clone(), sh[1..].to_vec()))
                    .collect::<Vec<_>>(),
            ),
            caption: "Heat map of each indicator by directorate: darker cells are higher values, every value is printed, [c] = suppressed; the same values are in the table below".into(),
        });
        out.push(Block::Table(Table {
            caption:
                "Heat map: darker cells are higher values; every value is printed; [c] = suppressed"
                    .into(),
            header,
            rows,
            shade: Some(shade),
        }));
    }
    out.push(Block::Heading(2, "Headline indicators by group".into()));
    for (d, dem) in s.demographics.iter().enumerate() {
        let b = Breakdown::Field(d);
        let groups: Vec<Group> = input
            .tables
            .indicators
            .iter()
            .filter(|p| p.wave == latest && p.breakdown == b && p.measure == order[0])
            .map(|p| p.group)
            .collect();
        if groups.is_empty() {
            continue;
        }
        let shown: Vec<usize> = order.iter().copied().take(3).collect();
        let rows = groups
            .iter()
            .map(|g| {
                let mut r = vec![group_label(s, b, *g)];
                for &i in &shown {
                    let p = ind_cell.get(&(latest.as_str(), i, b, *g));
                    r.push(fmt(value(&latest, i, b, *g).map(|v| v.0)));
                    r.push(
                        p.and_then(|p| p.n)
                            .map_or_else(|| Suppression::MARK.into(), |n| n.to_string()),
                    );
                }
                r
            })
            .collect();
        let mut header = vec![dem.label.clone()];
        for &i in &shown {
            header.push(s.indicators[i].label.clone());
            header.push("n".into());
        }
        out.push(Block::Table(Table {
            caption: format!(
                "By {} ({latest}); [c] = suppressed",
                dem.label.to_lowercase()
            ),
            header,
            rows,
            shade: None,
        }));
    }

    // Response rates.
    out.push(Block::Heading(2, "Response rates".into()));
    let rows: Vec<Vec<String>> = input
        .model
        .response_rates
        .iter()
        .filter(|r| r.wave_id == latest)
        .filter_map(|r| {
            let g = input.model.group(&r.group_key)?;
            matches!(g.breakdown_id.as_str(), "overall" | "directorate").then(|| {
                vec![
                    g.group_label.clone(),
                    figure_text(&r.responses, |n| n.to_string()),
                    r.headcount.map_or_else(String::new, |h| h.to_string()),
                    figure_text(&r.response_rate, |v| super::tables::fmt1(*v)),
                    if r.below_60 == Figure::Shown(true) {
                        "yes".into()
                    } else {
                        String::new()
                    },
                ]
            })
        })
        .collect();
    if rows.is_empty() {
        out.push(Block::Para(
            "No HR headcount was given, so response rates cannot be shown.".into(),
        ));
    } else {
        out.push(Block::Table(Table {
            caption: format!("Responses against HR headcount ({latest})"),
            header: vec![
                "Group".into(),
                "Responses".into(),
                "Headcount".into(),
                "Response rate %".into(),
                "Below 60%".into(),
            ],
            rows,
            shade: None,
        }));
    }

    // Meeting feedback.
    if let Some(fb) = input.feedback {
        out.push(Block::Heading(
            2,
            "Member-meeting feedback: control charts".into(),
        ));
        out.push(Block::Para(format!(
            "Monthly values for all committees together, each on the chart that fits it: a p-chart for one \
             question's % positive and for forms per attendee (limits for each month's own number of forms, so \
             they step from month to month), and limits from respondents' scores for a theme of several \
             questions. Limits come from the first {freeze} months with data; until then they are provisional \
             (dashed) and only a point outside them counts, drawn as an outlined triangle. Once frozen, four \
             rules apply: a point outside the limits, 7 points in a row on one side of the centre, 6 rising or \
             falling, 2 of 3 close to a limit. A declared step change starts new limits. Baseline months: {}. \
             Even on a stable process these rules signal at least once in about 15% of 18-month series, so a \
             signal is a prompt to look, not a finding.",
            fb.baseline_list(),
            freeze = crate::meetings::spc::FREEZE_POINTS,
        )));
        let mut series: Vec<crate::meetings::Series> = fb.spc.iter().map(|p| p.series).collect();
        series.dedup();
        let mut rows = Vec::new();
        for name in series {
            let pts: Vec<&crate::meetings::SpcPoint> =
                fb.spc.iter().filter(|p| p.series == name).collect();
            let provisional = |p: &crate::meetings::SpcPoint| {
                p.chart.status == Some(crate::meetings::spc::Status::Provisional)
            };
            out.push(spc_block(fb, name, true));
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
                            .map(|r| r.code())
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
            rows.push(vec![
                name.label(&fb.schema).to_string(),
                name.chart_kind_label(&fb.schema).into(),
                limits,
                if steps.is_empty() {
                    "none".into()
                } else {
                    steps.join("; ")
                },
                if flagged.is_empty() {
                    "none".into()
                } else {
                    flagged.join("; ")
                },
            ]);
        }
        out.push(Block::Table(Table {
            caption: "Signals by series".into(),
            header: vec![
                "Series".into(),
                "Chart".into(),
                "Limits".into(),
                "Step changes".into(),
                "Months with a signal (rules)".into(),
            ],
            rows,
            shade: None,
        }));
    }

    out.extend(insight_blocks(input, None));

    // Methodology and dictionary.
    out.push(Block::Heading(2, "Methodology".into()));
    out.push(Block::Para(format!(
        "Percent positive counts Agree and Strongly agree among valid answers; Don't know and blanks are left out. \
         Theme scores are the mean of their questions' percent positive; the engagement index scores answers 0, 25, 50, 75 \
         and 100 and averages respondents. Intervals are 95% (Wilson for percentages, t for means){}. \
         Year-on-year changes use a two-proportion z test for percentages and Welch's t test for means; p-values are \
         adjusted for the number of comparisons (Benjamini-Hochberg) within families fixed in advance (the headline \
         indicators; all questions for the whole organisation; each breakdown), and a change is reported only where the \
         adjusted value is below 0.05, so adding a breakdown never changes a headline verdict. Every change has a 95% interval \
         (Newcombe's score interval for percentages, Welch's t for means); it is not adjusted for the number of comparisons, \
         so an interval can exclude zero without the change getting a verdict. A change resting on fewer than 30 answers in \
         either wave is marked [u] (low reliability) and given no verdict. Baseline wave: {}. Anonymity threshold: {} valid answers, with secondary suppression so that no hidden \
         figure can be recovered by subtraction.",
        if input.fpc {
            ", with the finite population correction where the HR headcount of the group is known (this assumes that \
             who did not respond does not bias the results)"
        } else {
            "; no finite population correction was applied"
        },
        input.baseline,
        input.threshold
    )));
    out.push(Block::Para(match &input.weighted_by {
        Some(by) => format!(
            "Non-response: each wave's respondents are weighted to the HR headcount by {by} (raking: iterative \
             proportional fitting until every category's weighted share matches the workforce's to 1e-9). \
             Percentages, scores, intervals and tests use the weights, with Kish's effective sample size \
             n / (1 + CV² of the weights) in place of n; the counts n and every disclosure decision use the \
             unweighted responses. Weighting corrects for who answered by {by} only: it assumes that within \
             those groups staff who did not answer think like those who did."
        ),
        None => "Non-response: results are not weighted. They assume that staff who did not answer think like those \
                 who did; where response rates differ between groups (see the response rates), the groups that \
                 answered more count for more."
            .to_string(),
    }));
    if input.feedback.is_some() {
        out.push(Block::Para(format!(
            "Control charts: limits are set from the first {} months with data and then frozen; on a process that \
             did not change, the four rules still signal at least once in about 15% of 18-month series (simulated on \
             months like the council's: about 70% positive, 17 to 59 forms), so a signal is a prompt to look, not a \
             finding.",
            crate::meetings::spc::FREEZE_POINTS
        )));
    }
    out.push(Block::Para(
        "The methods in full (scoring, suppression, intervals, tests, drivers, benchmarks, comment themes, \
         meeting feedback) and every published table and column are described in the methodology and data \
         dictionary (data-dictionary.html in this evidence pack; tables/README.md beside the tables)."
            .into(),
    ));
    out
}

/// The methodology and data dictionary as a page of its own (`data-dictionary.html`, `.md`).
pub fn dictionary_page(input: &Input, title: &str) -> Result<Rendered, ChartError> {
    let text = input
        .dictionary_md
        .strip_prefix("# Data dictionary\n")
        .unwrap_or(input.dictionary_md);
    render_blocks(vec![Block::Markdown(text.to_string())], title, None)
}

/// Negative, neutral and positive shares of valid answers to each question, for all
/// respondents in one wave; `None` where the question's figures are suppressed.
fn answer_shares(input: &Input, wave: &str, questions: &[usize]) -> Vec<(String, Option<Shares>)> {
    let s = input.schema;
    questions
        .iter()
        .filter_map(|&q| {
            // Questions not asked in this wave (e.g. replaced by a reworded one) are left out;
            // suppressed ones stay, marked.
            let cell =
                input.tables.items.iter().find(|p| {
                    p.wave == wave && p.measure == q && p.breakdown == Breakdown::Overall
                })?;
            let shares = cell.stats.as_ref().and_then(|st| {
                let c = &st.counts;
                Some(Shares {
                    negative: c.pct_negative()?,
                    neutral: c.pct_neutral()?,
                    positive: c.pct_positive()?,
                })
            });
            Some((s.questions[q].text.clone(), shares))
        })
        .collect()
}

/// Markdown to HTML with any raw HTML in the source shown as text, never interpreted.
fn markdown_to_html(text: &str) -> String {
    use pulldown_cmark::{Event, Options, Parser, html};
    let parser = Parser::new_ext(text, Options::ENABLE_TABLES).map(|e| match e {
        Event::Html(t) | Event::InlineHtml(t) => Event::Text(t),
        e => e,
    });
    let mut out = String::new();
    html::push_html(&mut out, parser);
    out
}

const CSS: &str = "body{font-family:Arial,Helvetica,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#0b0c0c;line-height:1.5}\
table{border-collapse:collapse;margin:1em 0 2em;font-size:0.95em}caption{text-align:left;font-weight:bold;padding:0.3em 0}\
th,td{border:1px solid #b1b4b6;padding:0.3em 0.6em;text-align:left;vertical-align:top}thead th{background:#f3f2f1}\
figure{margin:1em 0 2em}svg{max-width:100%;height:auto}h1,h2,h3{line-height:1.2}\
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:0.1em 1em;margin:0 0 1em}dl.facts dt{font-weight:bold}dl.facts dd{margin:0}\
.source{font-size:0.85em;color:#505a5f}ul.points{list-style:none;padding-left:0}ul.points li{margin:0.3em 0}\
@page{size:A4;margin:12mm 12mm 14mm}\
@media print{body{font-size:8pt;line-height:1.25;max-width:none;margin:0;padding:0}\
h1{font-size:15pt;margin:0 0 0.3em}h2{font-size:11pt;margin:0.7em 0 0.2em;break-after:avoid}h3{font-size:9.5pt}\
p{margin:0.25em 0}ul{margin:0.2em 0;padding-left:1.2em}table{font-size:7pt;margin:0.3em 0 0.6em;break-inside:auto}\
th,td{padding:1px 3px}tr{break-inside:avoid}caption{padding:0.1em 0}\
figure{margin:0.2em 0 0.5em;break-inside:avoid}svg{width:auto;max-width:100%;max-height:7.5cm;display:block}\
figcaption{font-size:7pt}table.heat{display:none}\
figure.half{display:inline-block;width:49%;vertical-align:top;margin-right:0.5%}\
ul.contents{columns:3;font-size:7pt}nav h2{font-size:9pt}.source{font-size:6.5pt}p.source{margin:0 0 0.4em}}";

/// Render the report as HTML and Markdown.
pub fn render(input: &Input, title: &str) -> Result<Rendered, ChartError> {
    render_blocks(blocks(input), title, Some(&input.source))
}

/// A heading's anchor: lower case, words joined by hyphens.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// HTML and Markdown from the blocks; charts are drawn here, once each, as SVG (inline in the
/// HTML and in `charts/`) and PNG (`charts/`, linked from the Markdown for Word and slides).
fn render_blocks(
    blocks: Vec<Block>,
    title: &str,
    source: Option<&str>,
) -> Result<Rendered, ChartError> {
    let mut files = Vec::new();
    // Anchors for the second-level headings, and the contents that link to them.
    let mut anchors: Vec<(String, String)> = Vec::new();
    for b in &blocks {
        if let Block::Heading(2, t) = b {
            let mut a = slug(t);
            while anchors.iter().any(|(x, _)| x == &a) {
                a.push('-');
                a.push('2');
            }
            anchors.push((a, t.clone()));
        }
    }
    let mut next_anchor = anchors.iter();
    let contents_html = {
        let mut h = String::from(
            "<nav aria-label=\"Contents\">\n<h2>Contents</h2>\n<ul class=\"contents\">\n",
        );
        for (a, t) in &anchors {
            let _ = writeln!(h, "<li><a href=\"#{a}\">{}</a></li>", escape(t));
        }
        h.push_str("</ul>\n</nav>\n");
        h
    };
    let contents_md = {
        let mut m = String::from("## Contents\n\n");
        for (a, t) in &anchors {
            let _ = writeln!(m, "- [{}](#{a})", md(t));
        }
        m.push('\n');
        m
    };
    let source_html = |html: &mut String| {
        if let Some(src) = source {
            let _ = writeln!(html, "<p class=\"source\">Source: {}</p>", escape(src));
        }
    };
    let source_md = |markdown: &mut String| {
        if let Some(src) = source {
            let _ = writeln!(markdown, "Source: {}\n", md(src));
        }
    };
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n<h1>{}</h1>\n",
        escape(title),
        escape(title)
    );
    let mut markdown = format!("# {}\n\n", md(title));
    for b in blocks {
        match b {
            Block::Heading(2, t) => {
                let a = next_anchor.next().map_or_else(String::new, |x| x.0.clone());
                let _ = writeln!(html, "<h2 id=\"{a}\">{}</h2>", escape(&t));
                let _ = writeln!(markdown, "## {}\n", md(&t));
            }
            Block::Heading(level, t) => {
                let _ = writeln!(html, "<h{level}>{}</h{level}>", escape(&t));
                let _ = writeln!(markdown, "{} {}\n", "#".repeat(level as usize), md(&t));
            }
            Block::Para(t) => {
                let _ = writeln!(html, "<p>{}</p>", escape(&t));
                let _ = writeln!(markdown, "{}\n", md(&t));
            }
            Block::Table(t) => {
                html.push_str(&t.html());
                markdown.push_str(&t.markdown());
                source_html(&mut html);
                source_md(&mut markdown);
            }
            Block::Facts(facts) => {
                html.push_str("<dl class=\"facts\">\n");
                for (k, v) in &facts {
                    let _ = writeln!(html, "<dt>{}</dt><dd>{}</dd>", escape(k), escape(v));
                    let _ = writeln!(markdown, "**{}:** {}  ", md(k), md(v));
                }
                html.push_str("</dl>\n");
                markdown.push('\n');
                if anchors.len() > 1 {
                    html.push_str(&contents_html);
                    markdown.push_str(&contents_md);
                }
            }
            Block::Chart { chart, caption } => {
                let svg = chart.svg()?;
                // Control charts and driver charts print two to a row.
                let class = if chart.name.starts_with("spc_") || chart.name.starts_with("drivers_")
                {
                    " class=\"half\""
                } else {
                    ""
                };
                let _ = writeln!(
                    html,
                    "<figure{class}>\n{svg}\n<figcaption>{}{}</figcaption>\n</figure>",
                    escape(&caption),
                    source.map_or_else(String::new, |s| format!(
                        "<span class=\"source\"> Source: {}</span>",
                        escape(s)
                    ))
                );
                let _ = writeln!(
                    markdown,
                    "![{}](charts/{}.png)\n\n*{}*\n",
                    md(&chart.title),
                    chart.name,
                    md(&caption)
                );
                source_md(&mut markdown);
                files.push((format!("{}.svg", chart.name), svg.into_bytes()));
                files.push((format!("{}.png", chart.name), chart.png()?));
            }
            Block::Bullets(items) => {
                html.push_str("<ul class=\"points\">\n");
                for i in &items {
                    let _ = writeln!(html, "<li>{}</li>", escape(i));
                    let _ = writeln!(markdown, "- {}", md(i));
                }
                html.push_str("</ul>\n");
                markdown.push('\n');
            }
            Block::Markdown(text) => {
                html.push_str("<section>\n");
                html.push_str(&markdown_to_html(&text));
                html.push_str("</section>\n");
                markdown.push_str(&text);
            }
        }
    }
    html.push_str("</main>\n</body>\n</html>\n");
    Ok(Rendered {
        html,
        markdown,
        charts: files,
    })
}

/// A meeting-feedback series' control chart, as a block.
fn spc_block(
    fb: &crate::meetings::Feedback,
    name: crate::meetings::Series,
    table_below: bool,
) -> Block {
    let pts: Vec<&crate::meetings::SpcPoint> = fb.spc.iter().filter(|p| p.series == name).collect();
    let months: Vec<charts::SpcMonth> = pts
        .iter()
        .map(|p| charts::SpcMonth {
            label: p.month.to_string(),
            value: p.value,
            centre: p.chart.centre,
            limits: p.chart.limits.map(|l| (l.lower, l.upper)),
            provisional: p.chart.status == Some(crate::meetings::spc::Status::Provisional),
            baseline: p.in_baseline,
            frozen_here: p.chart.frozen_here,
            step: p.step_change.clone(),
            signal: !p.chart.signals.is_empty(),
        })
        .collect();
    let id = name.id(&fb.schema);
    let label = name.label(&fb.schema);
    let decimals = if name == crate::meetings::Series::Uptake {
        2
    } else {
        1
    };
    Block::Chart {
        chart: charts::spc_chart(&format!("spc_{id}"), &label, &months, decimals),
        caption: format!(
            "Control chart of {label}: monthly values with the centre line and limits for each month (dashed while provisional), the baseline shaded; signals are triangles{}; the values are in tables/fact_feedback_spc.csv",
            if table_below {
                " and are listed in the table below"
            } else {
                ""
            }
        ),
    }
}

/// A focused pack for one indicator: its trend, its questions, and every breakdown.
pub fn deep_dive(input: &Input, indicator: usize) -> Result<Rendered, ChartError> {
    let s = input.schema;
    let dp = usize::from(s.indicators[indicator].method.decimals());
    let num = |v: Option<f64>| {
        v.map_or_else(
            || Suppression::MARK.to_string(),
            |v| super::tables::fmt_decimals(v, dp),
        )
    };
    let range = |l: f64, h: f64| {
        format!(
            "{} to {}",
            super::tables::fmt_decimals(l, dp),
            super::tables::fmt_decimals(h, dp)
        )
    };
    let ind = &s.indicators[indicator];
    let waves: Vec<String> = input.waves.iter().map(ToString::to_string).collect();
    let latest = waves.last().cloned().unwrap_or_default();
    let mut out = Vec::new();
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
            d.comparison == comparison && d.measure == measure && d.breakdown == b && d.group == g
        })
    };
    out.push(Block::Para(format!(
        "Everything the survey says about {}: its trend since the baseline ({}), the questions it is built \
         from, and every published group. Suppressed figures are shown as [c]. Driver analysis (what most \
         relates to this indicator) is not part of this pack.",
        ind.label, input.baseline
    )));
    out.push(Block::Heading(2, "Trend, all respondents".into()));
    let rows = waves
        .iter()
        .map(|w| {
            let p = cell(w, Breakdown::Overall, Group::All);
            let st = p.and_then(|p| p.stats.as_ref());
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
    out.push(Block::Table(Table {
        caption: format!("{} by wave", ind.label),
        header: vec![
            "Wave".into(),
            "Value".into(),
            "95% interval".into(),
            "n".into(),
        ],
        rows,
        shade: None,
    }));
    for comparison in Comparison::ALL {
        if let Some(d) = delta_of(
            comparison,
            Measure::Indicator(indicator),
            Breakdown::Overall,
            Group::All,
        ) {
            let dp = decimals(s, d.measure);
            let detectable = match (d.mdd, d.mdd_family) {
                (Some(m), Some(f)) => format!(
                    " A change of {} could be detected at 5% without adjustment; a verdict in this family \
                     (p below {}) needs about {}.",
                    super::tables::fmt_decimals(m, dp),
                    super::tables::fmt_p(d.family_threshold.unwrap_or(f64::NAN)),
                    super::tables::fmt_decimals(f, dp)
                ),
                _ => String::new(),
            };
            out.push(Block::Para(format!(
                "Change {} ({} to {}): {} (95% interval in brackets), {}.{detectable}",
                comparison.label(),
                d.from,
                d.to,
                change_text(s, d),
                verdict_text(Some(&d))
            )));
        }
    }
    let overall: Vec<Option<Point>> = waves
        .iter()
        .map(|w| point(w, Breakdown::Overall, Group::All))
        .collect();
    out.push(Block::Chart {
        chart: charts::trend(
            &format!("deep_dive_{}_trend", ind.id),
            &format!("{} by wave, all respondents", ind.label),
            &waves,
            &[(ind.label.clone(), overall)],
        ),
        caption: format!(
            "Line chart of {} by wave with 95% intervals; the values are in the table above",
            ind.label
        ),
    });
    out.push(Block::Heading(2, "Questions".into()));
    let rows =
        ind.items
            .iter()
            .map(|&q| {
                let question = &s.questions[q];
                let mut r = vec![question.text.clone()];
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
    out.push(Block::Table(Table {
        caption: "The questions behind the indicator".into(),
        header,
        rows,
        shade: None,
    }));
    let likert: Vec<usize> = ind
        .items
        .iter()
        .copied()
        .filter(|&q| s.questions[q].kind == crate::schema::QuestionType::Likert)
        .collect();
    if !likert.is_empty() {
        out.push(Block::Chart {
            chart: charts::diverging(
                &format!("deep_dive_{}_answers", ind.id),
                &format!("Answers to the questions behind {} ({latest})", ind.label),
                &answer_shares(input, &latest, &likert),
            ),
            caption: "Diverging bar chart: negative answers to the left of the centre line, positive to the right, neutral across it; the counts are in tables/fact_item_results.csv".into(),
        });
    }
    out.push(Block::Heading(2, format!("Every group ({latest})")));
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
        out.push(Block::Table(Table {
            caption: format!(
                "{} by {}",
                ind.label,
                crate::report::model::lower_first(&breakdown_label(s, b))
            ),
            header: vec![
                "Group".into(),
                "Value".into(),
                "95% interval".into(),
                "n".into(),
                "Change since previous (95% interval)".into(),
                "Verdict".into(),
            ],
            rows,
            shade: None,
        }));
        if b == Breakdown::Field(s.demographic("directorate").unwrap_or(usize::MAX)) {
            let bars: Vec<(String, Vec<Option<Point>>)> = groups
                .iter()
                .map(|&g| {
                    (
                        group_label(s, b, g),
                        waves.iter().map(|w| point(w, b, g)).collect(),
                    )
                })
                .collect();
            out.push(Block::Chart {
                chart: charts::indicator_bars(
                    &format!("deep_dive_{}_by_directorate", ind.id),
                    &format!("{} by directorate", ind.label),
                    &waves,
                    &bars,
                ),
                caption: format!(
                    "{} by directorate and wave, with 95% intervals; suppressed groups are marked [c] and have no bar",
                    ind.label
                ),
            });
        }
    }
    // The same relationship seen from the committee room: meeting-feedback series that the
    // feedback schema pairs with this indicator (`counterpart`).
    if let Some(fb) = input.feedback {
        let paired: Vec<usize> = (0..fb.schema.indicators.len())
            .filter(|&j| fb.schema.indicators[j].counterpart.as_deref() == Some(ind.id.as_str()))
            .collect();
        if !paired.is_empty() {
            out.push(Block::Heading(2, "Member-meeting feedback".into()));
            out.push(Block::Para(format!(
                "After committee meetings, officers and members say how the meeting went; these monthly series \
                 ask about {} in the committee room. Limits come from the first {} months with data; a signal is \
                 a prompt to look, not a finding (the main report explains the rules).",
                crate::report::model::lower_first(&ind.label),
                crate::meetings::spc::FREEZE_POINTS
            )));
            for j in paired {
                out.push(spc_block(fb, crate::meetings::Series::Indicator(j), false));
            }
        }
    }
    out.extend(insight_blocks(input, Some(&ind.id)));
    out.insert(0, Block::Facts(input.facts.clone()));
    render_blocks(
        out,
        &format!("Deep dive: {}", ind.label),
        Some(&input.source),
    )
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
fn insight_blocks(input: &Input, outcome: Option<&str>) -> Vec<Block> {
    let s = input.schema;
    let m = input.model;
    let mut out = Vec::new();
    let label = |id: &str| {
        s.indicator(id)
            .map_or_else(|| id.to_string(), |i| s.indicators[i].label.clone())
    };
    let f1 = |v: f64| super::tables::fmt1(v);
    // Key drivers for the whole organisation.
    let mut outcomes: Vec<&str> = m
        .drivers
        .iter()
        .filter(|d| d.group_key == "overall")
        .map(|d| d.outcome_indicator_id.as_str())
        .filter(|o| outcome.is_none_or(|x| x == *o))
        .collect();
    outcomes.dedup();
    if !outcomes.is_empty() {
        out.push(Block::Heading(
            2,
            "What relates most to the outcome: key drivers".into(),
        ));
        out.push(Block::Para(
            "Each theme's share of what a regression of the outcome on all the themes explains (R², shared out by the \
             Shapley method, LMG), with a bootstrap 95% interval. This is association, not cause: a large share says \
             where the outcome and the theme move together, not that acting on the theme will move the outcome. \
             *Priority*: above-average share and a score below the other drivers' median, where action may pay most; \
             *strength*: above-average share and a high score."
                .into(),
        ));
        for o in outcomes {
            let mut rows: Vec<&crate::report::model::FactDriver> = m
                .drivers
                .iter()
                .filter(|d| d.group_key == "overall" && d.outcome_indicator_id == o)
                .collect();
            rows.sort_by_key(|d| d.rank);
            let Some(first) = rows.first() else { continue };
            out.push(Block::Table(Table {
                caption: format!(
                    "Key drivers of {} ({}): R² {:.2}, {} respondents with every score ({} left out)",
                    crate::report::model::lower_first(&label(o)),
                    first.wave_id,
                    first.r_squared,
                    first.n,
                    first.excluded
                ),
                header: vec![
                    "Rank".into(),
                    "Theme".into(),
                    "Share of R² %".into(),
                    "95% interval".into(),
                    "Mean score (0-100)".into(),
                    "Quadrant".into(),
                ],
                rows: rows
                    .iter()
                    .map(|d| {
                        vec![
                            d.rank.to_string(),
                            label(&d.driver_indicator_id),
                            f1(d.share_of_r2),
                            match (&d.share_ci_low, &d.share_ci_high) {
                                (Figure::Shown(l), Figure::Shown(h)) => format!("{} to {}", f1(*l), f1(*h)),
                                _ => "-".into(),
                            },
                            f1(d.driver_score),
                            {
                                let mut q = d.quadrant.clone();
                                if let Some(c) = q.get_mut(0..1) {
                                    c.make_ascii_uppercase();
                                }
                                q
                            },
                        ]
                    })
                    .collect(),
                shade: None,
            }));
            let mut scores: Vec<f64> = rows.iter().map(|d| d.driver_score).collect();
            scores.sort_by(f64::total_cmp);
            let median = crate::stats::lmg::quantile(&scores, 0.5).unwrap_or(50.0);
            let points: Vec<charts::DriverPoint> = rows
                .iter()
                .map(|d| charts::DriverPoint {
                    label: label(&d.driver_indicator_id),
                    share: d.share_of_r2,
                    ci: match (&d.share_ci_low, &d.share_ci_high) {
                        (Figure::Shown(l), Figure::Shown(h)) => Some((*l, *h)),
                        _ => None,
                    },
                    score: d.driver_score,
                })
                .collect();
            let name = label(o);
            out.push(Block::Chart {
                chart: charts::quadrant(
                    &format!("drivers_{o}"),
                    &format!("What relates most to {}", crate::report::model::lower_first(&name)),
                    &points,
                    100.0 / rows.len() as f64,
                    median,
                ),
                caption: format!(
                    "Key drivers of {}: each theme's share of R² (with its 95% interval) against its current score; \
                     dashed lines at the average share and the drivers' median score",
                    crate::report::model::lower_first(&name)
                ),
            });
        }
    }
    // In a deep dive, the benchmarks of its indicator and its questions (if any are mapped).
    if let Some(id) = outcome
        && let Some(i) = s.indicator(id)
    {
        let ind = &s.indicators[i];
        let mapped = !ind.benchmarks.is_empty()
            || ind
                .items
                .iter()
                .any(|&q| !s.questions[q].benchmarks.is_empty());
        out.push(Block::Heading(2, "How we compare".into()));
        if !mapped {
            out.push(Block::Para(format!(
                "No external survey asks the questions behind {} in the same words (they are this council's own or \
                 another survey's, without a published benchmark in the pack's benchmark files), so there is no \
                 benchmark to compare with.",
                crate::report::model::lower_first(&ind.label)
            )));
        }
    }
    // Benchmarks, whole organisation (report only; a deep dive shows its own mapped ones).
    if outcome.is_none()
        || outcome.and_then(|o| s.indicator(o)).is_some_and(|i| {
            let ind = &s.indicators[i];
            !ind.benchmarks.is_empty()
                || ind
                    .items
                    .iter()
                    .any(|&q| !s.questions[q].benchmarks.is_empty())
        })
    {
        let keep_q = |q: &str| match outcome.and_then(|o| s.indicator(o)) {
            Some(i) => s
                .question(q)
                .is_some_and(|q| s.indicators[i].items.contains(&q)),
            None => true,
        };
        let keep_i = |id: &str| outcome.is_none_or(|o| o == id);
        let rows: Vec<Vec<String>> = m
            .indicator_benchmarks
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
                )
            })
            .chain(
                m.item_benchmarks
                    .iter()
                    .filter(|b| b.group_key == "overall" && keep_q(&b.question_id))
                    .map(|b| {
                        (
                            s.question(&b.question_id).map_or_else(
                                || b.question_id.clone(),
                                |q| s.questions[q].text.clone(),
                            ),
                            b.benchmark_source.clone(),
                            b.benchmark_year,
                            figure_text(&b.value, |v| f1(*v)),
                            f1(b.benchmark_value),
                            figure_text(&b.difference, |v| f1(*v)),
                            figure_text(&b.standing, Clone::clone),
                        )
                    }),
            )
            .map(|(what, key, year, v, b, d, st)| {
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
                ]
            })
            .collect();
        if !rows.is_empty() {
            if outcome.is_none() {
                out.push(Block::Heading(
                    2,
                    "How we compare: external benchmarks".into(),
                ));
            }
            out.push(Block::Para(
                "The council's latest figures against published benchmarks (CSPS: the Civil Service People Survey median \
                 of organisations, rounded to whole percent at source). *Better* or *worse* means the benchmark lies \
                 outside the council figure's 95% interval; *similar* means it lies within it. Wording differs only in \
                 the organisation's name."
                    .into(),
            ));
            out.push(Block::Table(Table {
                caption: "Council against benchmarks, whole organisation".into(),
                header: vec![
                    "Measure".into(),
                    "Compared with".into(),
                    "Council".into(),
                    "Benchmark".into(),
                    "Difference (points)".into(),
                    "Standing".into(),
                ],
                rows,
                shade: None,
            }));
        }
    }
    // Several organisations in one export: how each compares, question by question.
    let orgs: Vec<String> = {
        let mut seen = std::collections::HashSet::new();
        m.item_benchmarks
            .iter()
            .filter(|b| b.benchmark_key == super::model::benchmarks::ORGANISATION_MEDIAN)
            .filter(|b| seen.insert(b.group_key.clone()))
            .map(|b| b.group_key.clone())
            .collect()
    };
    if outcome.is_none() && !orgs.is_empty() {
        let tally = |group: &str, median: bool| -> [usize; 4] {
            let mut t = [0; 4];
            for b in m.item_benchmarks.iter().filter(|b| {
                b.group_key == group
                    && (b.benchmark_key == super::model::benchmarks::ORGANISATION_MEDIAN) == median
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
        };
        let rows: Vec<Vec<String>> = orgs
            .iter()
            .map(|g| {
                let label = m
                    .group(g)
                    .map_or_else(|| g.clone(), |d| d.group_label.clone());
                let (a, b) = (tally(g, true), tally(g, false));
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
        out.push(Block::Heading(2, "How the organisations compare".into()));
        out.push(Block::Para(format!(
            "This export holds {} organisations. Each organisation's questions are compared with the median of the \
             organisations' published figures (how the Civil Service benchmark is made) and with the external \
             benchmark: the count of questions where it is better, similar (the benchmark within its 95% interval) \
             or worse. An organisation too small to publish shows {}; it takes no part in the median. Figures per \
             question are in the benchmark tables.",
            orgs.len(),
            Suppression::MARK
        )));
        out.push(Block::Table(Table {
            caption: "Questions better, similar and worse than the benchmarks, by organisation"
                .into(),
            header: vec![
                "Organisation".into(),
                "Better than median".into(),
                "Similar to median".into(),
                "Worse than median".into(),
                "Better than external".into(),
                "Similar to external".into(),
                "Worse than external".into(),
            ],
            rows,
            shade: None,
        }));
    }
    // Comment themes, whole organisation, latest wave with coded comments.
    if let Some(wave) = m.comment_themes.iter().map(|t| t.wave_id.clone()).max() {
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
        out.push(Block::Heading(
            2,
            "What staff wrote about: comment themes".into(),
        ));
        out.push(Block::Para(format!(
            "{n} coded comments in {wave}, counted by the themes they were coded to (a comment can have several). \
             Counts by group are in the comment-themes table, withheld for groups with fewer than {} coded comments; \
             the comments themselves are never published.",
            input.threshold
        )));
        out.push(Block::Table(Table {
            caption: format!("Comment themes, whole organisation ({wave})"),
            header: vec![
                "Theme".into(),
                "Comments".into(),
                "% of coded comments".into(),
            ],
            rows,
            shade: None,
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_cells_are_escaped() {
        assert_eq!(md("a|b\n<c>"), "a\\|b &lt;c&gt;");
    }

    #[test]
    fn raw_html_in_markdown_is_shown_as_text() {
        let h = markdown_to_html(
            "Baseline <script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n",
        );
        assert!(!h.contains("<script>") && !h.contains("<img"), "{h}");
        assert!(h.contains("&lt;script&gt;"), "{h}");
    }
}
