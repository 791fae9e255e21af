//! The survey schema: answer scales, questions, demographic fields and indicators.
//!
//! The schema is the contract between a vendor's export and everything downstream. It is a
//! TOML file (format in `schemas/README.md`) checked in full before any data is read: every
//! problem is reported at once with its location, and unknown keys are errors.

mod build;
use build::{
    RawCommentTheme, RawCrosswalk, RawDemographic, RawIndicator, RawQuestion, RawScale, RawSurvey,
    build_comment_themes, build_crosswalk, build_demographics, build_indicators, build_questions,
    build_scales,
};
pub mod toml_load;

use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use toml_load::{Collector, FileProblems, check_top_level, parse_table};

/// How an answer counts when scoring. Reverse-keyed questions swap positive and negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AnswerGroup {
    Positive,
    Neutral,
    Negative,
    /// "Don't know", "Not applicable", "Prefer not to say": kept in the store, left out of
    /// numerator and denominator.
    Excluded,
}

/// The kind of question; decides which scales fit and how it can be scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QuestionType {
    Likert,
    YesNo,
    #[serde(rename = "0-10")]
    ZeroToTen,
    FreeText,
}

/// Scoring methods an indicator can declare (computed by the indicators stage).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Mean of the items' % positive (Civil Service theme score).
    ThemePctPositive,
    /// 0/25/50/75/100 per answer, respondent mean, then mean of respondents.
    #[serde(rename = "index-0-100")]
    Index0To100,
    /// 0/2.5/5/7.5/10 per answer (NHS Staff Survey theme score).
    #[serde(rename = "score-0-10")]
    Score0To10,
    /// % answering yes (e.g. bullying; lower is better).
    YesRate,
    /// % 9–10 minus % 0–6 on a 0–10 item.
    Enps,
}

/// Whether a rise in a figure is good news.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    HigherIsBetter,
    LowerIsBetter,
}

impl Method {
    /// The code in published tables and the schema file.
    pub fn code(self) -> &'static str {
        match self {
            Method::ThemePctPositive => "theme-pct-positive",
            Method::Index0To100 => "index-0-100",
            Method::Score0To10 => "score-0-10",
            Method::YesRate => "yes-rate",
            Method::Enps => "enps",
        }
    }

    /// What the value is, as a short unit for labels and Power BI.
    pub fn unit(self) -> &'static str {
        match self {
            Method::ThemePctPositive => "% positive",
            Method::Index0To100 => "index 0-100",
            Method::Score0To10 => "score 0-10",
            Method::YesRate => "% yes",
            Method::Enps => "eNPS -100 to 100",
        }
    }

    /// Decimal places a value (and its interval and change) is published with: two for a 0–10
    /// score, where one decimal hides most real movement; one for everything on a 0–100 scale.
    pub fn decimals(self) -> u8 {
        match self {
            Method::Score0To10 => 2,
            _ => 1,
        }
    }

    /// How the value is scored, in a sentence.
    pub fn description(self) -> &'static str {
        match self {
            Method::ThemePctPositive => {
                "Mean of its questions' % positive (Civil Service theme score)."
            }
            Method::Index0To100 => {
                "Answers scored 0, 25, 50, 75 and 100; each respondent's mean over the questions they answered, then the mean of respondents (Civil Service engagement index)."
            }
            Method::Score0To10 => {
                "Answers scored 0, 2.5, 5, 7.5 and 10; each respondent's mean, then the mean of respondents (NHS Staff Survey theme score)."
            }
            Method::YesRate => "% answering Yes (whether that is good news is `higher_is_better`).",
            Method::Enps => {
                "% scoring 9-10 (promoters) minus % scoring 0-6 (detractors), from -100 to 100."
            }
        }
    }
}

/// One answer option of a scale.
#[derive(Debug, Clone)]
pub struct Answer {
    pub code: u8,
    pub label: String,
    pub group: AnswerGroup,
    pub aliases: Vec<String>,
}

/// An answer scale with its lookup tables.
#[derive(Debug, Clone)]
pub struct Scale {
    pub id: String,
    pub description: Option<String>,
    pub answers: Vec<Answer>,
    /// Exact label or alias → code: the fast path, no allocation per cell.
    exact: HashMap<String, u8>,
    /// Normalised label or alias → code (case, spacing, typographic quotes).
    normalised: HashMap<String, u8>,
    /// code → group, for every code of the scale.
    groups: [Option<AnswerGroup>; 256],
}

impl Scale {
    /// Map one exported answer (a label, an alias, or a numeric code) to the scale's code.
    /// `None` means the value is not part of this scale: the caller reports it, never guesses.
    pub fn code_of(&self, value: &str) -> Option<u8> {
        if let Some(&c) = self.exact.get(value) {
            return Some(c);
        }
        let trimmed = value.trim();
        if let Ok(n) = trimmed.parse::<u8>()
            && self.groups[n as usize].is_some()
        {
            return Some(n);
        }
        self.normalised.get(&normalise_label(trimmed)).copied()
    }

    /// The group of a code of this scale (`None` for a code the scale does not have).
    pub fn group_of(&self, code: u8) -> Option<AnswerGroup> {
        self.groups[code as usize]
    }

    pub fn label_of(&self, code: u8) -> Option<&str> {
        self.answers
            .iter()
            .find(|a| a.code == code)
            .map(|a| a.label.as_str())
    }
}

#[derive(Debug, Clone)]
pub struct Question {
    pub id: String,
    pub text: String,
    /// A short label for charts and slicers (optional).
    pub short: Option<String>,
    /// Whether a rise in % positive is good news (default: it is; positive answers are the
    /// favourable ones, reverse keying included).
    pub direction: Direction,
    pub kind: QuestionType,
    /// Index into `Schema::scales`; `None` for free text.
    pub scale: Option<usize>,
    pub reverse_keyed: bool,
    pub source: Option<String>,
    /// The external benchmark questions it is compared with (`benchmarks = ["CSPS:B47"]`).
    pub benchmarks: Vec<BenchmarkRef>,
}

/// A benchmark measure in a benchmark file: its source (e.g. `CSPS`) and id there (`B47`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BenchmarkRef {
    pub source: String,
    pub id: String,
}

impl std::fmt::Display for BenchmarkRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.source, self.id)
    }
}

/// Categories a cross may merge (`[[crosses]] collapse`): a field's first 31.
pub const MERGEABLE: u32 = 31;

#[derive(Debug, Clone)]
pub struct Demographic {
    pub id: String,
    pub label: String,
    /// The wording as asked, used by `inspect` to suggest a mapping.
    pub text: Option<String>,
    pub categories: Vec<String>,
    exact: HashMap<String, usize>,
    normalised: HashMap<String, usize>,
}

impl Demographic {
    /// A field made by the pipeline rather than read from a schema file (e.g. the committee
    /// or month of a meeting), with exact-match categories.
    pub fn derived(id: &str, label: &str, categories: Vec<String>) -> Demographic {
        let exact = categories
            .iter()
            .enumerate()
            .map(|(i, c)| (c.clone(), i))
            .collect();
        let normalised = categories
            .iter()
            .enumerate()
            .map(|(i, c)| (normalise_label(c), i))
            .collect();
        Demographic {
            id: id.into(),
            label: label.into(),
            text: None,
            categories,
            exact,
            normalised,
        }
    }

    /// Index of the category an exported value names (exactly, by alias, or after
    /// normalising case and spacing); `None` if it is not in the schema.
    pub fn category_of(&self, value: &str) -> Option<usize> {
        if let Some(&i) = self.exact.get(value) {
            return Some(i);
        }
        self.normalised.get(&normalise_label(value)).copied()
    }
}

#[derive(Debug, Clone)]
pub struct Indicator {
    pub id: String,
    pub label: String,
    pub method: Method,
    /// Whether a rise is good news: declared in the schema (a yes-rate must say).
    pub direction: Direction,
    /// Indexes into `Schema::questions`.
    pub items: Vec<usize>,
    pub min_items: usize,
    /// The share of the indicator's questions a wave must ask for the indicator to exist in
    /// that wave (`min_coverage`, default 1: all of them). A question and the one it replaces
    /// (crosswalk) count as one question.
    pub min_coverage: f64,
    /// The external benchmark measures it is compared with (`benchmarks = ["CSPS:EES"]`).
    pub benchmarks: Vec<BenchmarkRef>,
    /// In the meeting-feedback schema: the staff-survey indicator this one mirrors (its deep
    /// dive shows this series).
    pub counterpart: Option<String>,
}

/// How a question relates to an earlier one (the crosswalk between waves).
#[derive(Debug, Clone)]
pub struct Crosswalk {
    /// Index of the newer question.
    pub question: usize,
    /// Index of the question it replaces in earlier waves.
    pub replaces: usize,
    /// `true`: the same question under a new id (compare them); `false`: a new series
    /// (never compared).
    pub comparable: bool,
    pub reason: String,
}

/// A checked survey schema.
#[derive(Debug, Clone)]
pub struct Schema {
    pub id: String,
    pub title: String,
    pub version: String,
    pub scales: Vec<Scale>,
    pub questions: Vec<Question>,
    pub demographics: Vec<Demographic>,
    pub indicators: Vec<Indicator>,
    pub crosswalk: Vec<Crosswalk>,
    /// The themes comments are coded to (`[[comment_themes]]`).
    pub comment_themes: Vec<CommentTheme>,
}

/// A theme that free-text comments are coded to.
#[derive(Debug, Clone)]
pub struct CommentTheme {
    pub id: String,
    pub label: String,
    /// Index of the free-text question whose comments it codes.
    pub question: usize,
}

/// The label for respondents who left a demographic question blank. Reserved: a schema may
/// not use it as a category, so breakdown groups always add up to the overall total.
pub const NOT_STATED: &str = "Not stated";

impl Schema {
    /// Every demographic field's id, in schema order.
    pub fn demographic_ids(&self) -> Vec<String> {
        self.demographics.iter().map(|d| d.id.clone()).collect()
    }

    /// Whether an indicator can be scored 0–100 per respondent from agreement questions (so
    /// it can take part in key driver analysis; yes-rates and eNPS cannot).
    pub fn scored_per_respondent(&self, indicator: usize) -> bool {
        let ind = &self.indicators[indicator];
        matches!(
            ind.method,
            Method::ThemePctPositive | Method::Index0To100 | Method::Score0To10
        ) && ind
            .items
            .iter()
            .all(|&q| self.questions[q].kind == QuestionType::Likert)
    }

    pub fn load(path: &Path) -> Result<Schema, FileProblems> {
        let text = std::fs::read_to_string(path).map_err(|e| FileProblems {
            file: path.to_path_buf(),
            problems: vec![toml_load::Problem {
                location: String::new(),
                message: crate::file_errors::cannot_read("schema", path, &e),
            }],
        })?;
        Self::from_toml(path, &text)
    }

    pub fn from_toml(path: &Path, text: &str) -> Result<Schema, FileProblems> {
        let mut table = parse_table(path, text)?;
        let mut c = Collector::default();
        check_top_level(
            &table,
            &[
                "survey",
                "scales",
                "questions",
                "demographics",
                "indicators",
                "crosswalk",
                "comment_themes",
            ],
            &mut c,
        );
        let survey: Option<RawSurvey> = match table.remove("survey") {
            Some(v) => c.take("survey", v),
            None => {
                c.push(
                    "survey",
                    "missing [survey] section with id, title and version",
                );
                None
            }
        };
        let scales: Vec<RawScale> = c.take_array("scales", table.remove("scales"), true);
        let questions: Vec<RawQuestion> =
            c.take_array("questions", table.remove("questions"), true);
        let demographics: Vec<RawDemographic> =
            c.take_array("demographics", table.remove("demographics"), false);
        let indicators: Vec<RawIndicator> =
            c.take_array("indicators", table.remove("indicators"), false);
        let crosswalk: Vec<RawCrosswalk> =
            c.take_array("crosswalk", table.remove("crosswalk"), false);
        let comment_themes: Vec<RawCommentTheme> =
            c.take_array("comment_themes", table.remove("comment_themes"), false);

        let scales = build_scales(scales, &mut c);
        let questions = build_questions(questions, &scales, &mut c);
        let demographics = build_demographics(demographics, &questions, &mut c);
        let indicators = build_indicators(indicators, &questions, &mut c);
        let crosswalk = build_crosswalk(crosswalk, &questions, &mut c);
        let comment_themes = build_comment_themes(comment_themes, &questions, &mut c);

        let survey = survey.unwrap_or(RawSurvey {
            id: String::new(),
            title: String::new(),
            version: String::new(),
        });
        c.into_result(
            path,
            Schema {
                id: survey.id,
                title: survey.title,
                version: survey.version,
                scales,
                questions,
                demographics,
                indicators,
                crosswalk,
                comment_themes,
            },
        )
    }

    /// The crosswalk entry saying what `question` replaces, if any.
    /// An indicator's questions as slots: a question and the one it replaces (crosswalk, when
    /// both are among the indicator's questions) are one slot, asked under either id.
    pub fn indicator_slots(&self, indicator: usize) -> Vec<Vec<usize>> {
        let items = &self.indicators[indicator].items;
        let mut slots: Vec<Vec<usize>> = Vec::new();
        for &q in items {
            let linked = |s: &Vec<usize>| {
                s.iter().any(|&o| {
                    self.crosswalk.iter().any(|c| {
                        (c.question == q && c.replaces == o) || (c.question == o && c.replaces == q)
                    })
                })
            };
            match slots.iter_mut().find(|s| linked(s)) {
                Some(s) => s.push(q),
                None => slots.push(vec![q]),
            }
        }
        slots
    }

    /// Whether a wave that asked the questions `asked` says covers enough of an indicator's
    /// questions for the indicator to exist in it (`min_coverage`), as (asked slots, slots).
    pub fn coverage(&self, indicator: usize, asked: &dyn Fn(usize) -> bool) -> (usize, usize) {
        let slots = self.indicator_slots(indicator);
        let covered = slots.iter().filter(|s| s.iter().any(|&q| asked(q))).count();
        (covered, slots.len())
    }

    /// Whether the wave asked enough of the indicator's questions (`min_coverage`).
    pub fn covers(&self, indicator: usize, asked: &dyn Fn(usize) -> bool) -> bool {
        let (covered, slots) = self.coverage(indicator, asked);
        let need = self.indicators[indicator].min_coverage * slots as f64;
        covered > 0 && covered as f64 + 1e-9 >= need
    }

    pub fn replaced_by(&self, question: usize) -> Option<&Crosswalk> {
        self.crosswalk.iter().find(|c| c.question == question)
    }

    pub fn question(&self, id: &str) -> Option<usize> {
        self.questions.iter().position(|q| q.id == id)
    }

    pub fn demographic(&self, id: &str) -> Option<usize> {
        self.demographics.iter().position(|d| d.id == id)
    }

    pub fn indicator(&self, id: &str) -> Option<usize> {
        self.indicators.iter().position(|i| i.id == id)
    }

    /// Every indicator id, comma-separated (for "choose one of" messages).
    pub fn indicator_ids(&self) -> String {
        self.indicators
            .iter()
            .map(|i| i.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn scale_of(&self, question: &Question) -> Option<&Scale> {
        question.scale.map(|i| &self.scales[i])
    }

    /// Where each scored answer sits on a 0..`top` scale (Strongly disagree 0 … Strongly
    /// agree `top`, equally spaced by code order; reversed for reverse-keyed questions).
    /// Excluded answers ("Don't know") have no place. Used by the 0–100 index and the 0–10
    /// score.
    pub fn score_points(&self, question: &Question, top: f64) -> Vec<(u8, f64)> {
        let Some(scale) = self.scale_of(question) else {
            return Vec::new();
        };
        let mut scored: Vec<u8> = scale
            .answers
            .iter()
            .filter(|a| a.group != AnswerGroup::Excluded)
            .map(|a| a.code)
            .collect();
        scored.sort_unstable();
        let steps = (scored.len().max(2) - 1) as f64;
        scored
            .iter()
            .enumerate()
            .map(|(k, &code)| {
                let v = top * k as f64 / steps;
                (code, if question.reverse_keyed { top - v } else { v })
            })
            .collect()
    }

    /// The group an answer code counts in for this question, after reverse keying.
    pub fn scored_group(&self, question: &Question, code: u8) -> Option<AnswerGroup> {
        let g = self.scale_of(question)?.group_of(code)?;
        Some(if question.reverse_keyed {
            match g {
                AnswerGroup::Positive => AnswerGroup::Negative,
                AnswerGroup::Negative => AnswerGroup::Positive,
                other => other,
            }
        } else {
            g
        })
    }
}

/// Case, spacing and typographic quotes/dashes do not make a different answer:
/// `"  Strongly  Agree "`, `"strongly agree"` and `"Strongly agree"` are the same label, and so
/// are `Don’t know` and `Don't know`. Anything else needs a declared alias.
pub fn normalise_label(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for ch in s.trim().chars() {
        if ch.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space && !out.is_empty() {
            out.push(' ');
        }
        pending_space = false;
        let ch = match ch {
            '\u{2018}' | '\u{2019}' | '\u{02BC}' | '`' => '\'',
            '\u{201C}' | '\u{201D}' => '"',
            '\u{2013}' | '\u{2014}' | '\u{2212}' => '-',
            c => c,
        };
        out.extend(ch.to_lowercase());
    }
    out
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod properties;

/// Schemas for unit tests across the crate: the 5-point agreement scale every test needs,
/// plus whatever questions and demographics the test adds.
#[cfg(test)]
pub(crate) mod testing {
    use super::Schema;
    use std::path::Path;

    pub const AGREE5: &str = r#"
[[scales]]
id = "agree5"
answers = [
  { code = 1, label = "Strongly disagree", group = "negative" },
  { code = 2, label = "Disagree", group = "negative" },
  { code = 3, label = "Neither agree nor disagree", group = "neutral", aliases = ["Neither agree or disagree"] },
  { code = 4, label = "Agree", group = "positive" },
  { code = 5, label = "Strongly agree", group = "positive" },
  { code = 9, label = "Don't know", group = "excluded" },
]
"#;

    /// A valid schema: `[survey]`, the agree5 scale, and `body`.
    pub fn schema(body: &str) -> Schema {
        let text =
            format!("[survey]\nid = \"t\"\ntitle = \"t\"\nversion = \"1\"\n{AGREE5}\n{body}");
        Schema::from_toml(Path::new("test.toml"), &text).unwrap_or_else(|e| panic!("{e}"))
    }
}
