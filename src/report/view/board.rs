//! The board report: cover, main points, headline indicators, largest changes, answers to
//! each question, the directorate heat map, groups, response rates, meeting feedback, key
//! drivers, benchmarks, comment themes and the methodology annex.

use super::{
    Cell, Input, Page, PageBuilder, Row, Table, answer_shares, change_text, decimals, figure_text,
    fmt, verdict_text,
};
use crate::compare::{Comparison, Delta, Family, Measure, Verdict};
use crate::disclosure::{Protected, Suppression};
use crate::indicators::statistics::IndicatorStats;
use crate::indicators::{Breakdown, Group};
use crate::report::charts::{self, Point};
use crate::report::model::group_label;
use crate::report::registry::Figure as Published;
use crate::report::tables::{fmt_decimals, fmt1};
use crate::schema::{Direction, Method, QuestionType, Schema};
use std::collections::HashMap;

/// What every interval narrowed by the finite population correction says beside it.
pub const FPC_ASSUMPTION: &str = "† This interval is narrowed because a large share of the group's staff answered: \
     it assumes that those who answered are a random sample of staff. A voluntary survey does not guarantee that, so \
     the interval may be too narrow. Changes between waves are never narrowed this way.";

/// The board report's view.
pub fn board_report(input: &Input, title: &str) -> Page {
    let board = Board::new(input);
    let mut page = PageBuilder::new(title, Some(&input.source), &input.facts);
    board.introduction(&mut page);
    board.headline(&mut page);
    board.largest_changes(&mut page);
    board.answers(&mut page);
    board.heat_map(&mut page);
    board.groups(&mut page);
    board.response_rates(&mut page);
    if let Some(fb) = input.feedback() {
        super::feedback::control_charts(&mut page, fb);
    }
    super::insight::insight(&mut page, input, None);
    board.methodology(&mut page);
    page.finish()
}

/// The methodology and data dictionary as a page of its own (`data-dictionary.html`, `.md`).
pub fn dictionary_page(input: &Input, title: &str) -> Page {
    let text = input
        .dictionary_md
        .strip_prefix("# Data dictionary\n")
        .unwrap_or(input.dictionary_md);
    let mut page = PageBuilder::new(title, None, &[]);
    // The Markdown's Mermaid diagram (for GitHub and tables/README.md) is drawn here instead.
    let diagram = text
        .split_once("```mermaid\n")
        .and_then(|(before, rest)| rest.split_once("```\n").map(|(_, after)| (before, after)));
    match diagram {
        Some((before, after)) => {
            page.markdown(before);
            page.figure(
                relationship_matrix(input.table_defs),
                "How the tables relate: each row is a table, each column a table its keys point at; a dot is a one-to-many relationship (a number: that many columns point there); the same relationships are listed below",
            );
            page.markdown(after);
        }
        None => page.markdown(text),
    }
    page.finish()
}

/// The relationships of the published tables as a matrix: rows the tables with foreign keys,
/// columns the tables they point at (dimensions first, in the pack's order).
fn relationship_matrix(defs: &[&crate::report::registry::Table]) -> charts::Chart {
    let mut targets: Vec<&str> = Vec::new();
    for t in defs {
        for f in t.foreign_keys {
            if !targets.contains(&f.table) {
                targets.push(f.table);
            }
        }
    }
    let order = |name: &str| {
        defs.iter()
            .position(|t| t.name == name)
            .unwrap_or(usize::MAX)
    };
    targets.sort_by_key(|&n| (!n.starts_with("dim_"), order(n)));
    let rows: Vec<charts::MatrixRow> = defs
        .iter()
        .filter(|t| !t.foreign_keys.is_empty())
        .map(|t| {
            let cells = targets
                .iter()
                .map(|&target| {
                    t.foreign_keys
                        .iter()
                        .filter(|f| f.table == target)
                        .map(|f| f.column.to_string())
                        .collect()
                })
                .collect();
            (t.name.to_string(), cells)
        })
        .collect();
    let columns: Vec<String> = targets.iter().map(ToString::to_string).collect();
    charts::relationship_matrix("relationships", "How the tables relate", &columns, &rows)
}

/// What the board report's sections share: the waves, the headline order, and the whole
/// organisation's published indicator figures and changes.
struct Board<'a> {
    input: &'a Input<'a>,
    s: &'a Schema,
    waves: Vec<String>,
    latest: String,
    previous: Option<String>,
    /// The headline indicators in reading order.
    order: Vec<usize>,
    cells: HashMap<(&'a str, usize, Breakdown, Group), &'a Protected<IndicatorStats>>,
}

impl<'a> Board<'a> {
    fn new(input: &'a Input<'a>) -> Self {
        let waves: Vec<String> = input.waves().iter().map(ToString::to_string).collect();
        Board {
            input,
            s: input.schema(),
            latest: waves.last().cloned().unwrap_or_default(),
            previous: waves.len().checked_sub(2).map(|i| waves[i].clone()),
            waves,
            order: super::headline_order(input.schema()),
            cells: input
                .tables()
                .indicators
                .iter()
                .map(|p| ((p.wave.as_str(), p.measure, p.breakdown, p.group), p))
                .collect(),
        }
    }

    /// A published indicator value and its interval.
    fn value(
        &self,
        wave: &str,
        ind: usize,
        b: Breakdown,
        g: Group,
    ) -> Option<(f64, Option<(f64, f64)>)> {
        self.cells
            .get(&(wave, ind, b, g))
            .and_then(|p| p.stats.as_ref())
            .and_then(|st| st.value.map(|v| (v, st.ci)))
    }

    /// Whether a wave asked an indicator's questions (it has figures, published or withheld).
    fn asked(&self, wave: &str, ind: usize) -> bool {
        super::words::asked(self.input.tables(), wave, ind)
    }

    /// `[c]` for a withheld figure, "not asked" where the wave did not ask the questions.
    fn missing(&self, wave: Option<&str>, ind: usize) -> String {
        match wave {
            Some(w) if !self.asked(w, ind) => super::NOT_ASKED_TEXT.to_string(),
            _ => Suppression::MARK.to_string(),
        }
    }

    /// Whether a published figure's interval uses the finite population correction (only with
    /// `finite_population_correction = true`, where HR gives the group's headcount).
    fn fpc_applied(&self, wave: &str, ind: usize, b: Breakdown, g: Group) -> bool {
        self.cells
            .get(&(wave, ind, b, g))
            .and_then(|p| p.stats.as_ref())
            .is_some_and(|st| st.population.is_some())
    }

    /// The whole organisation's change in a measure.
    fn delta(&self, comparison: Comparison, measure: Measure) -> Option<&'a Delta> {
        self.input.deltas().iter().find(|d| {
            d.serves(comparison) && d.measure == measure && d.breakdown == Breakdown::Overall
        })
    }

    fn introduction(&self, page: &mut PageBuilder) {
        let input = self.input;
        page.para(format!(
            "Staff survey waves {}, compared with the previous wave and with the baseline ({}). \
             Figures are suppressed ([c]) where fewer than {} people answered or where a hidden figure \
             could otherwise be worked out. A change is called an improvement or a decline only when it \
             is statistically significant after allowing for the number of comparisons made.",
            self.waves.join(", "),
            input.baseline(),
            input.threshold()
        ));
        // Main points, written from the figures.
        let points = super::main_points(
            self.s,
            input.tables(),
            input.deltas(),
            &self.latest,
            input.baseline().as_str(),
        );
        if !points.is_empty() {
            page.section("Main points");
            page.points(points);
        }
    }

    fn headline(&self, page: &mut PageBuilder) {
        let (s, latest) = (self.s, &self.latest);
        page.section("Headline indicators");
        let mut rows = Vec::new();
        let mut fpc_marked = false;
        for &i in &self.order {
            let ind = &s.indicators[i];
            let now = self.value(latest, i, Breakdown::Overall, Group::All);
            let before = self
                .previous
                .as_deref()
                .and_then(|p| self.value(p, i, Breakdown::Overall, Group::All));
            let since_prev = self.delta(Comparison::SincePrevious, Measure::Indicator(i));
            let dp = usize::from(ind.method.decimals());
            let num = |v: Option<f64>, wave: Option<&str>| {
                v.map_or_else(|| self.missing(wave, i), |v| fmt_decimals(v, dp))
            };
            rows.push(vec![
                ind.label.clone(),
                num(before.map(|b| b.0), self.previous.as_deref()),
                num(now.map(|n| n.0), Some(latest)),
                now.and_then(|n| n.1).map_or_else(
                    || "-".into(),
                    |(l, h)| {
                        let fpc = self.fpc_applied(latest, i, Breakdown::Overall, Group::All);
                        fpc_marked |= fpc;
                        format!(
                            "{} to {}{}",
                            fmt_decimals(l, dp),
                            fmt_decimals(h, dp),
                            if fpc { " †" } else { "" }
                        )
                    },
                ),
                since_prev.map_or_else(|| "-".into(), |d| change_text(s, d)),
                verdict_text(since_prev.as_ref()),
                verdict_text(
                    self.delta(Comparison::SinceBaseline, Measure::Indicator(i))
                        .as_ref(),
                ),
            ]);
        }
        page.table(Table::new(
            format!("Headline indicators, all respondents ({latest})"),
            vec![
                "Indicator".into(),
                self.previous.clone().unwrap_or_else(|| "Previous".into()),
                latest.clone(),
                "95% interval".into(),
                "Change since previous (adjusted interval)".into(),
                "Verdict since previous".into(),
                "Verdict since baseline".into(),
            ],
            rows,
        ));
        page.para(super::CHANGE_NOTE.to_string());
        if fpc_marked {
            page.para(FPC_ASSUMPTION.to_string());
        }
        page.para(self.interval_note());
        self.headline_panels(page);
    }

    /// What the intervals do not cover, beside them: who did not answer, and how weighting
    /// (or its absence) deals with it.
    fn interval_note(&self) -> String {
        let latest = &self.latest;
        // What the intervals do not cover, beside them: who did not answer.
        let overall_rate = self
            .input
            .model
            .response_rates
            .iter()
            .find(|r| r.wave_id == *latest && r.group_key == "overall")
            .and_then(|r| match r.response_rate {
                Published::Shown(v) => Some(v),
                _ => None,
            });
        let weighted_by = &self.input.weighted_by;
        format!(
    "The 95% intervals allow for sampling error only.{} They assume that staff who did not answer \
     would have answered like those who did{}. {}",
    overall_rate.map_or_else(String::new, |r| format!(
        " {}% of staff answered in {latest}.",
        fmt_decimals(r, 0)
    )),
    match (weighted_by, self.input.weighting_cells) {
        (Some(by), Some(_)) => {
            format!(" in the same {by} (non-response is otherwise ignorable)")
        }
        (Some(by), None) => format!(
            " with the same {by}, each taken separately (raking matches the workforce on each, \
             not on their combinations)"
        ),
        (None, _) => " (non-response is ignorable)".to_string(),
    },
    match weighted_by {
        Some(by) => format!(
            "Results are weighted to the HR headcount by {by}, so groups that answered less count \
             for their share of staff; intervals and tests allow for the weights (unequal weights count \
             as fewer respondents), and tables/fact_weighting_margins.csv shows how far respondents differed \
             from the workforce."
        ),
        None => "Results are not weighted: groups with higher response rates count for more (see the \
                 response rates below)."
            .to_string(),
    }
)
    }

    /// Every headline indicator, each panel of a unit on the same span: small multiples.
    fn headline_panels(&self, page: &mut PageBuilder) {
        let s = self.s;
        let panels: Vec<charts::Panel> = self
            .order
            .iter()
            .map(|&i| {
                let points: Vec<Option<Point>> = self
                    .waves
                    .iter()
                    .map(|w| {
                        self.value(w, i, Breakdown::Overall, Group::All)
                            .map(|(v, ci)| Point { value: v, ci })
                    })
                    .collect();
                super::panel(&s.indicators[i], points)
            })
            .collect();
        page.figure(
            charts::panels(
                "indicators_by_wave",
                "Headline indicators by wave, with 95% intervals",
                &self.waves,
                &panels,
            ),
            "One panel per indicator; every panel in the same unit spans the same distance on its axis, so equal changes look equal, and an axis that does not start at zero is marked as broken; each point has its 95% interval as a capped line; the latest wave is the filled point and earlier waves are hollow; the values are in the table above",
        );
    }

    fn largest_changes(&self, page: &mut PageBuilder) {
        let s = self.s;
        page.section("Largest significant changes since the previous wave");
        for (verdict, label) in [
            (Verdict::Improved, "Improvements"),
            (Verdict::Declined, "Declines"),
        ] {
            let mut ds: Vec<&Delta> = self
                .input
                .deltas()
                .iter()
                .filter(|d| {
                    d.serves(Comparison::SincePrevious)
                        && d.breakdown == Breakdown::Overall
                        && d.verdict == verdict
                        // A question tested as its headline indicator appears once, as that.
                        && !(matches!(d.measure, Measure::Question(_)) && d.family == Family::Headline)
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
                        d.values.map_or_else(String::new, |v| fmt_decimals(v.0, dp)),
                        d.values.map_or_else(String::new, |v| fmt_decimals(v.1, dp)),
                        change_text(s, d),
                    ]
                })
                .collect();
            if rows.is_empty() {
                page.para(format!("{label}: none that are statistically significant."));
            } else {
                page.table(Table::new(
                    format!("{label} (all respondents)"),
                    vec![
                        "Question or indicator".into(),
                        "Before".into(),
                        "Now".into(),
                        "Change (adjusted interval)".into(),
                    ],
                    rows,
                ));
            }
        }
        page.para(super::CHANGE_NOTE.to_string());
    }

    /// Answers to every agree–disagree question.
    fn answers(&self, page: &mut PageBuilder) {
        let (s, latest) = (self.s, &self.latest);
        let likert: Vec<usize> = (0..s.questions.len())
            .filter(|&q| s.questions[q].kind == QuestionType::Likert)
            .collect();
        if likert.is_empty() {
            return;
        }
        page.section(format!("Answers to each question ({latest})"));
        page.figure(
            charts::diverging(
                "answers",
                &format!("Answers to each question, all respondents ({latest})"),
                &answer_shares(self.input, latest, &likert),
            ),
            "Diverging bar chart: negative answers to the left of the centre line, positive to the right, neutral across it; the counts are in tables/fact_item_results.csv",
        );
    }

    /// The heat map's columns: each indicator with the organisation's value and its direction.
    fn heat_columns(&self, pct: &[usize]) -> Vec<charts::HeatColumn> {
        let s = self.s;
        pct.iter()
            .map(|&i| charts::HeatColumn {
                label: s.indicators[i].label.clone(),
                organisation: self
                    .value(&self.latest, i, Breakdown::Overall, Group::All)
                    .map(|v| v.0),
                lower_is_better: s.indicators[i].direction == Direction::LowerIsBetter,
            })
            .collect()
    }

    /// The percentage indicators by directorate: a heat map, and its values as a table.
    fn heat_map(&self, page: &mut PageBuilder) {
        let (s, latest) = (self.s, &self.latest);
        let Some(dir) = s.demographic("directorate") else {
            return;
        };
        page.section(format!("Indicators by directorate ({latest})"));
        let groups: Vec<Group> = (0..s.demographics[dir].categories.len() as u32)
            .map(|c| Group::One(Some(c)))
            .collect();
        let pct: Vec<usize> = self
            .order
            .iter()
            .copied()
            .filter(|&i| !matches!(s.indicators[i].method, Method::Score0To10 | Method::Enps))
            .filter(|&i| self.asked(latest, i))
            .collect();
        let rows: Vec<(String, Vec<Option<f64>>)> = groups
            .iter()
            .map(|g| {
                (
                    group_label(s, Breakdown::Field(dir), *g),
                    pct.iter()
                        .map(|&i| {
                            self.value(latest, i, Breakdown::Field(dir), *g)
                                .map(|v| v.0)
                        })
                        .collect(),
                )
            })
            .collect();
        let mut header = vec!["Directorate".to_string()];
        header.extend(pct.iter().map(|&i| s.indicators[i].label.clone()));
        page.figure(
            charts::heatmap(
                "heatmap_directorate",
                &format!("Indicators by directorate compared with the whole organisation ({latest})"),
                &self.heat_columns(&pct),
                &rows,
            ),
            "Heat map of each indicator by directorate: blue where a directorate does better than the whole organisation, orange where it does worse (for bullying and discrimination, lower is better), deeper for a larger gap; every value is printed, [c] = withheld",
        );
        page.table(Table {
            caption: format!("The heat map's values as a table ({latest}); [c] = withheld"),
            header,
            rows: rows
                .into_iter()
                .map(|(head, values)| Row {
                    head,
                    cells: values.into_iter().map(|v| Cell::plain(fmt(v))).collect(),
                })
                .collect(),
            repeats_figure: true,
        });
        let labelled: Vec<(Breakdown, Group, String)> = groups
            .iter()
            .map(|&g| {
                let b = Breakdown::Field(dir);
                (b, g, group_label(s, b, g))
            })
            .collect();
        let note = super::words::withheld_note(
            self.input.tables(),
            latest,
            &pct,
            &labelled,
            self.input.threshold(),
        );
        if let Some(note) = note {
            page.para(note);
        }
    }

    /// The first three headline indicators for every group of every demographic field.
    fn groups(&self, page: &mut PageBuilder) {
        let (s, latest) = (self.s, &self.latest);
        page.section("Headline indicators by group");
        for (d, dem) in s.demographics.iter().enumerate() {
            let b = Breakdown::Field(d);
            // The first three headline indicators the latest wave asked.
            let shown: Vec<usize> = self
                .order
                .iter()
                .copied()
                .filter(|&i| self.asked(latest, i))
                .take(3)
                .collect();
            let Some(&first) = shown.first() else {
                continue;
            };
            let groups: Vec<Group> = self
                .input
                .tables()
                .indicators
                .iter()
                .filter(|p| p.wave == *latest && p.breakdown == b && p.measure == first)
                .map(|p| p.group)
                .collect();
            if groups.is_empty() {
                continue;
            }
            let rows = groups
                .iter()
                .map(|g| {
                    let mut r = vec![group_label(s, b, *g)];
                    for &i in &shown {
                        let p = self.cells.get(&(latest.as_str(), i, b, *g));
                        r.push(fmt(self.value(latest, i, b, *g).map(|v| v.0)));
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
            page.table(Table::new(
                format!(
                    "By {} ({latest}); [c] = suppressed",
                    dem.label.to_lowercase()
                ),
                header,
                rows,
            ));
            let labelled: Vec<(Breakdown, Group, String)> = groups
                .iter()
                .map(|&g| (b, g, group_label(s, b, g)))
                .collect();
            let note = super::words::withheld_note(
                self.input.tables(),
                latest,
                &shown,
                &labelled,
                self.input.threshold(),
            );
            if let Some(note) = note {
                page.para(note);
            }
        }
    }

    /// Responses against HR headcount, whole organisation and by directorate.
    fn response_rates(&self, page: &mut PageBuilder) {
        let (model, latest) = (self.input.model, &self.latest);
        page.section("Response rates");
        let rows: Vec<Vec<String>> = model
            .response_rates
            .iter()
            .filter(|r| r.wave_id == *latest)
            .filter_map(|r| {
                let g = model.group(&r.group_key)?;
                matches!(g.breakdown_id.as_str(), "overall" | "directorate").then(|| {
                    vec![
                        g.group_label.clone(),
                        figure_text(&r.responses, |n| n.to_string()),
                        figure_text(&r.headcount, |h| h.to_string()),
                        figure_text(&r.response_rate, |v| fmt1(*v)),
                        if r.below_60 == Published::Shown(true) {
                            "yes".into()
                        } else {
                            String::new()
                        },
                    ]
                })
            })
            .collect();
        if rows.is_empty() {
            page.para("No HR headcount was given, so response rates cannot be shown.");
        } else {
            page.table(Table::new(
                format!("Responses against HR headcount ({latest})"),
                vec![
                    "Group".into(),
                    "Responses".into(),
                    "Headcount".into(),
                    "Response rate %".into(),
                    "Below 60%".into(),
                ],
                rows,
            ));
        }
    }

    /// The methodology annex (the methods in full are in the data dictionary).
    fn methodology(&self, page: &mut PageBuilder) {
        let input = self.input;
        page.section("Methodology");
        page.para(format!(
            "Percent positive counts Agree and Strongly agree among valid answers; Don't know and blanks are left out. \
             Theme scores are the mean of their questions' percent positive; the engagement index scores answers 0, 25, 50, 75 \
             and 100 and averages respondents. Every figure has a 95% interval: the range that would hold the figure for all \
             staff 95 times in 100 if those who answered were a random sample of them{}. A change between waves is called an \
             improvement or a decline only where it is larger than chance would explain, allowing for the number of \
             comparisons made in the same set of results, each set fixed in advance (the headline indicators; all questions \
             for the whole organisation; each breakdown), so adding a breakdown never changes a headline verdict; otherwise \
             it is no significant change: it could be chance. The interval beside each verdict is widened in the same way, so \
             it leaves out zero exactly when the change is called an improvement or a decline. A change resting on fewer than \
             30 answers in either wave is marked [u] (low reliability) and given no verdict. Baseline wave: {}. Anonymity \
             threshold: {} valid answers. The data dictionary's methods section names each test and interval.",
            if input.fpc() {
                "; where a group's HR headcount is known, its intervals are narrowed for the share of its staff who \
                 answered, which assumes that those who answered are a random sample of the group's staff, as a \
                 voluntary survey does not guarantee (changes between waves are never narrowed this way)"
            } else {
                ""
            },
            input.baseline(),
            input.threshold()
        ));
        page.para(super::words::withholding(input.tables(), input.threshold()));
        page.para(match &input.weighted_by {
            Some(by) => format!(
                "Non-response: each wave's respondents are weighted to the HR headcount by {by} ({}). \
                 Percentages, scores, intervals and tests use the weights, and unequal weights count as fewer \
                 respondents in the intervals; the counts n and every disclosure decision use the \
                 unweighted responses. Weighting corrects for who answered by {by} only: it assumes that within \
                 those groups staff who did not answer think like those who did.",
                match input.weighting_cells {
                    Some(min_cell) => format!(
                        "post-stratification: each cell of the HR table counts for its staff in post; cells with \
                         fewer than {min_cell} respondents are pooled with their neighbours"
                    ),
                    None => "each of those fields matched to the workforce in turn, and again, until every \
                             category's weighted share matches the workforce's"
                        .to_string(),
                }
            ),
            None => "Non-response: results are not weighted. They assume that staff who did not answer think like those \
                     who did; where response rates differ between groups (see the response rates), the groups that \
                     answered more count for more."
                .to_string(),
        });
        if let Some(fb) = input.feedback() {
            page.para(format!(
                "Control charts: limits are set from the first {} months with data and then frozen; on a process that \
                 did not change, the four rules still signal at least once in about 15% of 18-month series (simulated on \
                 months like the council's: about 70% positive, 17 to 59 forms), so a signal is a prompt to look, not a \
                 finding.{}",
                crate::meetings::spc::FREEZE_POINTS,
                fb.pack_false_alarm.map_or_else(String::new, |(rate, charts)| format!(
                    " That is for one chart: with the {charts} charts in this pack, the chance that at least one shows a \
                     signal somewhere when nothing has changed is about {:.0}% (seeded simulation of these charts).",
                    100.0 * rate
                ))
            ));
        }
        page.para(
            "The methods in full (scoring, suppression, intervals, tests, drivers, benchmarks, comment themes, \
             meeting feedback) and every published table and column are described in the methodology and data \
             dictionary (data-dictionary.html in this evidence pack; tables/README.md beside the tables).",
        );
    }
}
