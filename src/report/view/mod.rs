//! The report's view model: every page of the evidence pack (the board report, the deep
//! dives, the data dictionary) as typed content — a cover, main points, sections of
//! paragraphs, tables and figures — built from the protected results before any markup is
//! written. The templates in `report/templates/` turn a [`Page`] into HTML and Markdown, so
//! what a page says is decided here once and both formats say the same.
//!
//! - `board`: the board report (headline indicators, largest changes, answers, heat map,
//!   groups, response rates, meeting feedback, methodology);
//! - `deep_dive`: one indicator's pack;
//! - `insight`: key drivers, benchmarks and comment themes, shared by both;
//! - `feedback`: member-meeting control charts;
//! - `quotes`: the internal file of redacted comments by theme;
//! - `terminal`: the headline `run` prints at the end;
//! - `unit`: one group's report (`[unit_reports]`, e.g. each directorate);
//! - `words`: figures, changes and verdicts in a reader's words (main points).
//!
//! Text here is plain: the templates escape it for the format they write.

mod board;
mod deep_dive;
mod feedback;
mod insight;
mod quotes;
mod terminal;
mod unit;
mod words;

pub use board::{board_report, dictionary_page};
pub use deep_dive::deep_dive;
pub use quotes::{Quote, QuoteTheme, QuotesPage};
pub use terminal::headline;
pub use unit::{unit_groups, unit_report};
pub use words::{
    LEAD_INDICATORS, MainPoint, Marker, change_words, headline_order, main_points, panel, reader_p,
    reader_reason, value_text,
};

use super::charts::{Chart, Shares};
use super::registry::Figure as Published;
use crate::compare::{Delta, Measure, Verdict};
use crate::disclosure::{ProtectedTables, Suppression};
use crate::ids::WaveId;
use crate::indicators::Breakdown;
use crate::schema::Schema;

/// What the pages are made from: the evidence the pack is written from, its published
/// tables, and the words derived from both once.
pub struct Input<'a> {
    pub evidence: &'a crate::report::model::Evidence<'a>,
    /// The published tables, typed.
    pub model: &'a crate::report::model::Model,
    pub dictionary_md: &'a str,
    /// Every published table's declaration, for the dictionary page's relationship matrix.
    pub table_defs: &'a [&'a crate::report::registry::Table],
    /// The margins results are weighted to, for readers (`directorate and grade`), when
    /// `[weighting]` is on.
    pub weighted_by: Option<String>,
    /// Post-stratified to the joint table (`Some(min_cell)`), or raked to the margins (`None`).
    pub weighting_cells: Option<u64>,
    /// What the release states about itself (organisation, date, status, fieldwork,
    /// responses, source, contact): the cover block.
    pub facts: Vec<(&'static str, String)>,
    /// The source line under every table and chart.
    pub source: String,
}

impl<'a> Input<'a> {
    pub fn schema(&self) -> &'a Schema {
        &self.evidence.config.schema
    }

    /// Survey waves in time order.
    pub fn waves(&self) -> &'a [WaveId] {
        self.evidence.waves
    }

    pub fn baseline(&self) -> &'a WaveId {
        &self.evidence.config.baseline
    }

    pub fn tables(&self) -> &'a ProtectedTables {
        self.evidence.tables
    }

    pub fn deltas(&self) -> &'a [Delta] {
        self.evidence.deltas
    }

    pub fn feedback(&self) -> Option<&'a crate::meetings::Feedback> {
        self.evidence.feedback
    }

    pub fn threshold(&self) -> u32 {
        self.evidence.config.anonymity_threshold
    }

    pub fn fpc(&self) -> bool {
        self.evidence.config.fpc
    }

    /// Respondents a group needs for its key drivers (`[drivers] min_respondents`).
    pub fn min_driver_respondents(&self) -> u64 {
        self.evidence.config.drivers.min_respondents
    }
}

/// One page of the pack.
#[derive(Debug)]
pub struct Page {
    pub title: String,
    /// The source line under every table and figure (none on the data dictionary).
    pub source: Option<String>,
    /// The cover block (label, text); the contents follow it.
    pub facts: Vec<Fact>,
    /// What comes before the first section.
    pub intro: Vec<Item>,
    pub sections: Vec<Section>,
    /// How many figures the page has (numbered from 0 in reading order).
    pub figures: usize,
}

impl Page {
    /// Contents are listed under the cover when there is more than one section to go to.
    pub fn has_contents(&self) -> bool {
        !self.facts.is_empty() && self.sections.len() > 1
    }

    /// The page's figures in reading order.
    pub fn figure_list(&self) -> Vec<&Figure> {
        self.intro
            .iter()
            .chain(self.sections.iter().flat_map(|s| &s.items))
            .filter_map(|i| match i {
                Item::Figure(f) => Some(f),
                _ => None,
            })
            .collect()
    }
}

#[derive(Debug)]
pub struct Fact {
    pub label: &'static str,
    pub text: String,
}

/// A second-level section: its heading, the anchor the contents link to, what it holds.
#[derive(Debug)]
pub struct Section {
    pub anchor: String,
    pub heading: String,
    pub items: Vec<Item>,
}

#[derive(Debug)]
pub enum Item {
    Para(String),
    /// The main points: a marker that does not rely on colour, and a sentence.
    Points(Vec<MainPoint>),
    Table(Table),
    Figure(Figure),
    /// Markdown this project wrote (the data dictionary): shown as Markdown, and in HTML
    /// converted with any raw HTML in it shown as text.
    Markdown(String),
}

/// A table: a caption, column headers, and rows whose first cell names the row.
#[derive(Debug)]
pub struct Table {
    pub caption: String,
    pub header: Vec<String>,
    pub rows: Vec<Row>,
    /// The values of the figure before it, for screen readers and copying: the page folds it
    /// away under a summary line (the figure is the one view of them) and print leaves it out.
    pub repeats_figure: bool,
}

impl Table {
    /// A plain table from rows of text (the first cell of each row names it).
    pub fn new(caption: impl Into<String>, header: Vec<String>, rows: Vec<Vec<String>>) -> Self {
        Table {
            caption: caption.into(),
            header,
            rows: rows
                .into_iter()
                .map(|r| {
                    let mut cells = r.into_iter();
                    Row {
                        head: cells.next().unwrap_or_default(),
                        cells: cells.map(Cell::plain).collect(),
                    }
                })
                .collect(),
            repeats_figure: false,
        }
    }
}

#[derive(Debug)]
pub struct Row {
    pub head: String,
    pub cells: Vec<Cell>,
}

#[derive(Debug)]
pub struct Cell {
    pub text: String,
}

impl Cell {
    pub fn plain(text: String) -> Self {
        Cell { text }
    }
}

/// A chart with its caption; drawn once by the renderer (SVG inline, SVG and PNG files).
#[derive(Debug)]
pub struct Figure {
    /// Its place among the page's figures.
    pub number: usize,
    pub chart: Chart,
    pub caption: String,
    /// Driver charts print two to a row.
    pub half: bool,
}

/// Builds a page in reading order: items go to the current section (or the intro before the
/// first), each section gets a unique anchor, each figure its number.
pub struct PageBuilder {
    page: Page,
}

impl PageBuilder {
    pub fn new(
        title: impl Into<String>,
        source: Option<&str>,
        facts: &[(&'static str, String)],
    ) -> Self {
        PageBuilder {
            page: Page {
                title: title.into(),
                source: source.map(str::to_string),
                facts: facts
                    .iter()
                    .map(|(label, text)| Fact {
                        label,
                        text: text.clone(),
                    })
                    .collect(),
                intro: Vec::new(),
                sections: Vec::new(),
                figures: 0,
            },
        }
    }

    /// Start a section.
    pub fn section(&mut self, heading: impl Into<String>) {
        let heading = heading.into();
        let mut anchor = slug(&heading);
        while self.page.sections.iter().any(|s| s.anchor == anchor) {
            anchor.push_str("-2");
        }
        self.page.sections.push(Section {
            anchor,
            heading,
            items: Vec::new(),
        });
    }

    fn push(&mut self, item: Item) {
        match self.page.sections.last_mut() {
            Some(s) => s.items.push(item),
            None => self.page.intro.push(item),
        }
    }

    pub fn para(&mut self, text: impl Into<String>) {
        self.push(Item::Para(text.into()));
    }

    pub fn points(&mut self, points: Vec<MainPoint>) {
        self.push(Item::Points(points));
    }

    pub fn table(&mut self, table: Table) {
        self.push(Item::Table(table));
    }

    pub fn markdown(&mut self, text: impl Into<String>) {
        self.push(Item::Markdown(text.into()));
    }

    pub fn figure(&mut self, chart: Chart, caption: impl Into<String>) {
        // Driver charts print two to a row; control charts one to a row, to stay readable.
        let half = chart.name.starts_with("drivers_");
        let number = self.page.figures;
        self.page.figures += 1;
        self.push(Item::Figure(Figure {
            number,
            chart,
            caption: caption.into(),
            half,
        }));
    }

    pub fn finish(self) -> Page {
        self.page
    }
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

/// A published figure as text: its value, `[c]` when withheld, empty when there is none.
fn figure_text<T>(f: &Published<T>, show: impl Fn(&T) -> String) -> String {
    match f {
        Published::Shown(v) => show(v),
        Published::Blank => String::new(),
        Published::Withheld => Suppression::MARK.to_string(),
        Published::NotAsked => NOT_ASKED_TEXT.to_string(),
    }
}

/// What readers see where a wave did not ask a figure's questions (never `[c]`).
pub const NOT_ASKED_TEXT: &str = "not asked";

/// A value to one decimal, `[c]` when withheld.
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
/// What readers are told about the intervals `change_text` shows, under a table of changes.
pub const CHANGE_NOTE: &str = "The interval beside a tested change is widened to allow for the number of \
     comparisons made, so an interval that leaves out zero goes with a verdict of improved or declined, and one that \
     includes zero with no significant change (it could be chance); changes marked [u] rest on fewer than 30 \
     answers and show their ordinary 95% interval. Changes are worked out from unrounded values, so a change can differ by 0.1 from \
     the difference of the rounded figures shown.";

/// A change with its interval: the adjusted interval when tested, the 95% interval when not.
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
    // A tested change shows the interval at its family's threshold, which agrees with its
    // verdict; an untested one ([u]) its 95% interval.
    if let Some((l, h)) = d.adjusted_ci.or(d.change_ci) {
        out.push_str(&format!(" ({} to {})", num(l), num(h)));
    }
    if d.low_reliability {
        out.push_str(" [u]");
    }
    out
}

/// A verdict in words; untested ones say why.
fn verdict_text(d: Option<&&Delta>) -> String {
    match d {
        None => "-".into(),
        Some(d) => match (d.verdict, &d.reason) {
            (Verdict::NotTested, Some(reason)) => {
                format!("not tested ({})", reader_reason(reason))
            }
            (v, _) => v.as_str().into(),
        },
    }
}

/// Negative, neutral and positive shares of valid answers to each question, for all
/// respondents in one wave; `None` where the question's figures are suppressed.
fn answer_shares(input: &Input, wave: &str, questions: &[usize]) -> Vec<(String, Option<Shares>)> {
    let s = input.schema();
    questions
        .iter()
        .filter_map(|&q| {
            // Questions not asked in this wave (e.g. replaced by a reworded one) are left out;
            // suppressed ones stay, marked.
            let cell =
                input.tables().items.iter().find(|p| {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_are_unique_and_readable() {
        let mut b = PageBuilder::new("T", None, &[]);
        b.para("intro");
        b.section("Response rates");
        b.section("Response rates");
        b.section("What relates most to the outcome: key drivers");
        let page = b.finish();
        let anchors: Vec<&str> = page.sections.iter().map(|s| s.anchor.as_str()).collect();
        assert_eq!(
            anchors,
            [
                "response-rates",
                "response-rates-2",
                "what-relates-most-to-the-outcome-key-drivers"
            ]
        );
        assert_eq!(page.intro.len(), 1);
        assert!(!page.has_contents(), "no cover, no contents");
    }
}
