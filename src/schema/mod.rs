//! The survey schema: answer scales, questions, demographic fields and indicators.
//!
//! The schema is the contract between a vendor's export and everything downstream. It is a
//! TOML file (format in `schemas/README.md`) checked in full before any data is read: every
//! problem is reported at once with its location, and unknown keys are errors.

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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSurvey {
    id: String,
    title: String,
    version: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAnswer {
    code: u8,
    label: String,
    group: AnswerGroup,
    #[serde(default)]
    aliases: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScale {
    id: String,
    #[serde(default)]
    description: Option<String>,
    answers: Vec<RawAnswer>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    id: String,
    text: String,
    #[serde(default)]
    short: Option<String>,
    #[serde(default)]
    direction: Option<Direction>,
    #[serde(rename = "type")]
    kind: QuestionType,
    #[serde(default)]
    scale: Option<String>,
    #[serde(default)]
    reverse_keyed: bool,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    benchmarks: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDemographic {
    id: String,
    label: String,
    #[serde(default)]
    text: Option<String>,
    categories: Vec<String>,
    #[serde(default)]
    aliases: HashMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCrosswalk {
    question: String,
    replaces: String,
    comparable: bool,
    reason: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    id: String,
    label: String,
    method: Method,
    #[serde(default)]
    direction: Option<Direction>,
    items: Vec<String>,
    #[serde(default)]
    min_items: Option<usize>,
    #[serde(default)]
    min_coverage: Option<f64>,
    #[serde(default)]
    benchmarks: Vec<String>,
    #[serde(default)]
    counterpart: Option<String>,
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

/// `["CSPS:B47"]` → references, each malformed one reported.
fn benchmark_refs(raw: &[String], loc: &str, c: &mut Collector) -> Vec<BenchmarkRef> {
    let mut out: Vec<BenchmarkRef> = Vec::new();
    for r in raw {
        match r.split_once(':') {
            Some((source, id)) if !source.trim().is_empty() && !id.trim().is_empty() => {
                let r = BenchmarkRef {
                    source: source.trim().to_string(),
                    id: id.trim().to_string(),
                };
                if out.iter().any(|o| o.source == r.source) {
                    c.push(
                        loc,
                        format!("two benchmarks from {}: keep one per source", r.source),
                    );
                }
                out.push(r);
            }
            _ => c.push(
                loc,
                format!(
                    "benchmark `{r}` should be SOURCE:ID as the benchmark file names them, e.g. \"CSPS:B47\""
                ),
            ),
        }
    }
    out
}

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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCommentTheme {
    id: String,
    label: String,
    #[serde(default)]
    question: Option<String>,
}

fn build_comment_themes(
    raw: Vec<RawCommentTheme>,
    questions: &[Question],
    c: &mut Collector,
) -> Vec<CommentTheme> {
    check_unique("comment_themes", raw.iter().map(|t| t.id.as_str()), c);
    let free: Vec<usize> = (0..questions.len())
        .filter(|&q| questions[q].kind == QuestionType::FreeText)
        .collect();
    raw.into_iter()
        .filter_map(|t| {
            let loc = format!("comment_themes ({})", t.id);
            check_id(&t.id, &loc, c);
            if t.label.trim().is_empty() {
                c.push(
                    &loc,
                    "`label` is empty: give the theme's name as readers should see it",
                );
            }
            let question = match &t.question {
                Some(q) => match questions.iter().position(|x| &x.id == q) {
                    Some(i) if questions[i].kind == QuestionType::FreeText => Some(i),
                    Some(_) => {
                        c.push(&loc, format!("question `{q}` is not a free-text question"));
                        None
                    }
                    None => {
                        c.push(&loc, format!("unknown question `{q}`"));
                        None
                    }
                },
                None if free.len() == 1 => Some(free[0]),
                None => {
                    c.push(
                        &loc,
                        "say which free-text question it codes: question = \"T01\"",
                    );
                    None
                }
            };
            Some(CommentTheme {
                id: t.id,
                label: t.label,
                question: question?,
            })
        })
        .collect()
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

fn check_id(id: &str, loc: &str, c: &mut Collector) {
    let ok = !id.is_empty()
        && id
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-');
    if !ok {
        c.push(
            loc,
            format!("id `{id}` must be non-empty and use only letters, digits, `_` or `-`"),
        );
    }
}

fn check_unique<'a>(kind: &str, ids: impl Iterator<Item = &'a str>, c: &mut Collector) {
    let mut seen = HashSet::new();
    for id in ids {
        if !seen.insert(id) {
            c.push(
                format!("{kind} ({id})"),
                format!("id `{id}` is used twice; ids must be unique"),
            );
        }
    }
}

fn build_scales(raw: Vec<RawScale>, c: &mut Collector) -> Vec<Scale> {
    check_unique("scales", raw.iter().map(|s| s.id.as_str()), c);
    raw.into_iter()
        .map(|s| {
            let loc = format!("scales ({})", s.id);
            check_id(&s.id, &loc, c);
            if s.answers.is_empty() {
                c.push(&loc, "a scale needs at least one answer");
            }
            let mut exact = HashMap::new();
            let mut normalised: HashMap<String, u8> = HashMap::new();
            let mut groups = [None; 256];
            for a in &s.answers {
                if groups[a.code as usize].is_some() {
                    c.push(&loc, format!("answer code {} is used twice", a.code));
                }
                groups[a.code as usize] = Some(a.group);
                for name in std::iter::once(&a.label).chain(&a.aliases) {
                    exact.insert(name.clone(), a.code);
                    let key = normalise_label(name);
                    if let Some(&other) = normalised.get(&key)
                        && other != a.code
                    {
                        c.push(
                            &loc,
                            format!(
                                "label or alias `{name}` is given to both code {other} and code {}",
                                a.code
                            ),
                        );
                    }
                    normalised.insert(key, a.code);
                }
                if let Ok(n) = a.label.trim().parse::<u8>()
                    && n != a.code
                {
                    c.push(
                        &loc,
                        format!(
                            "answer label `{}` is a number different from its code {}; \
                                 numeric values are read as codes, so this would be ambiguous",
                            a.label, a.code
                        ),
                    );
                }
            }
            let answers = s
                .answers
                .into_iter()
                .map(|a| Answer {
                    code: a.code,
                    label: a.label,
                    group: a.group,
                    aliases: a.aliases,
                })
                .collect();
            Scale {
                id: s.id,
                description: s.description,
                answers,
                exact,
                normalised,
                groups,
            }
        })
        .collect()
}

fn build_questions(raw: Vec<RawQuestion>, scales: &[Scale], c: &mut Collector) -> Vec<Question> {
    check_unique("questions", raw.iter().map(|q| q.id.as_str()), c);
    raw.into_iter()
        .map(|q| {
            let loc = format!("questions ({})", q.id);
            check_id(&q.id, &loc, c);
            if q.text.trim().is_empty() {
                c.push(&loc, "`text` (the question wording) is empty");
            }
            let scale = match (&q.scale, q.kind) {
                (Some(s), QuestionType::FreeText) => {
                    c.push(
                        &loc,
                        format!(
                            "a free-text question has no answer scale; remove `scale = \"{s}\"`"
                        ),
                    );
                    None
                }
                (None, QuestionType::FreeText) => None,
                (None, _) => {
                    c.push(&loc, "missing `scale`: name one of the [[scales]] ids");
                    None
                }
                (Some(s), kind) => match scales.iter().position(|x| &x.id == s) {
                    None => {
                        let known: Vec<_> = scales.iter().map(|x| x.id.as_str()).collect();
                        c.push(
                            &loc,
                            format!("unknown scale `{s}`; known scales: {}", known.join(", ")),
                        );
                        None
                    }
                    Some(i) => {
                        check_scale_fits(kind, &scales[i], &loc, c);
                        Some(i)
                    }
                },
            };
            Question {
                id: q.id,
                text: q.text,
                short: q.short,
                direction: q.direction.unwrap_or(Direction::HigherIsBetter),
                kind: q.kind,
                scale,
                reverse_keyed: q.reverse_keyed,
                benchmarks: benchmark_refs(&q.benchmarks, &loc, c),
                source: q.source,
            }
        })
        .collect()
}

fn check_scale_fits(kind: QuestionType, scale: &Scale, loc: &str, c: &mut Collector) {
    let scored: Vec<u8> = scale
        .answers
        .iter()
        .filter(|a| a.group != AnswerGroup::Excluded)
        .map(|a| a.code)
        .collect();
    match kind {
        QuestionType::ZeroToTen => {
            if scored != (0..=10).collect::<Vec<u8>>() {
                c.push(
                    loc,
                    format!(
                        "a 0-10 question needs a scale whose scored codes are exactly 0..10; `{}` has {:?}",
                        scale.id, scored
                    ),
                );
            }
        }
        QuestionType::YesNo => {
            if scored.len() != 2 {
                c.push(
                    loc,
                    format!(
                        "a yes-no question needs a scale with exactly two scored answers; `{}` has {}",
                        scale.id,
                        scored.len()
                    ),
                );
            }
        }
        QuestionType::Likert => {
            if scored.len() < 2 {
                c.push(
                    loc,
                    format!(
                        "a likert question needs at least two scored answers in `{}`",
                        scale.id
                    ),
                );
            }
        }
        QuestionType::FreeText => {}
    }
}

fn build_demographics(
    raw: Vec<RawDemographic>,
    questions: &[Question],
    c: &mut Collector,
) -> Vec<Demographic> {
    check_unique("demographics", raw.iter().map(|d| d.id.as_str()), c);
    raw.into_iter()
        .map(|d| {
            let loc = format!("demographics ({})", d.id);
            check_id(&d.id, &loc, c);
            if questions.iter().any(|q| q.id == d.id) {
                c.push(
                    &loc,
                    format!("id `{}` is also a question id; use different ids", d.id),
                );
            }
            if d.categories.is_empty() {
                c.push(&loc, "`categories` is empty; list the allowed answers");
            }
            let mut exact = HashMap::new();
            let mut normalised = HashMap::new();
            for (i, cat) in d.categories.iter().enumerate() {
                if normalise_label(cat) == normalise_label(NOT_STATED) {
                    c.push(
                        &loc,
                        format!(
                            "`{NOT_STATED}` is reserved for blank answers; remove it from categories"
                        ),
                    );
                }
                if normalised.insert(normalise_label(cat), i).is_some() {
                    c.push(&loc, format!("category `{cat}` is listed twice"));
                }
                exact.insert(cat.clone(), i);
            }
            let mut aliases: Vec<_> = d.aliases.iter().collect();
            aliases.sort();
            for (alias, target) in aliases {
                match d.categories.iter().position(|x| x == target) {
                    Some(i) => {
                        exact.insert(alias.clone(), i);
                        normalised.insert(normalise_label(alias), i);
                    }
                    None => c.push(
                        &loc,
                        format!(
                            "alias `{alias}` points to `{target}`, which is not one of the categories"
                        ),
                    ),
                }
            }
            Demographic {
                id: d.id,
                label: d.label,
                text: d.text,
                categories: d.categories,
                exact,
                normalised,
            }
        })
        .collect()
}

fn build_crosswalk(
    raw: Vec<RawCrosswalk>,
    questions: &[Question],
    c: &mut Collector,
) -> Vec<Crosswalk> {
    let find = |id: &str| questions.iter().position(|q| q.id == id);
    let mut seen = HashSet::new();
    raw.into_iter()
        .filter_map(|x| {
            let loc = format!("crosswalk ({})", x.question);
            let (q, r) = (find(&x.question), find(&x.replaces));
            if q.is_none() {
                c.push(&loc, format!("unknown question `{}`", x.question));
            }
            if r.is_none() {
                c.push(&loc, format!("`replaces` names unknown question `{}`", x.replaces));
            }
            if x.reason.trim().is_empty() {
                c.push(&loc, "`reason` is empty: say what changed, readers see it");
            }
            if !seen.insert(x.question.clone()) {
                c.push(&loc, "the question has two crosswalk entries");
            }
            let (q, r) = (q?, r?);
            if q == r {
                c.push(&loc, "a question cannot replace itself");
                return None;
            }
            if x.comparable && questions[q].scale != questions[r].scale {
                c.push(
                    &loc,
                    format!(
                        "`{}` and `{}` use different scales, so they cannot be comparable; set comparable = false",
                        x.question, x.replaces
                    ),
                );
            }
            Some(Crosswalk {
                question: q,
                replaces: r,
                comparable: x.comparable,
                reason: x.reason,
            })
        })
        .collect()
}

fn build_indicators(
    raw: Vec<RawIndicator>,
    questions: &[Question],
    c: &mut Collector,
) -> Vec<Indicator> {
    check_unique("indicators", raw.iter().map(|d| d.id.as_str()), c);
    raw.into_iter()
        .map(|ind| {
            let loc = format!("indicators ({})", ind.id);
            check_id(&ind.id, &loc, c);
            if ind.items.is_empty() {
                c.push(&loc, "`items` is empty; list the question ids it is built from");
            }
            let mut items = Vec::new();
            for item in &ind.items {
                match questions.iter().position(|q| &q.id == item) {
                    None => c.push(&loc, format!("unknown question `{item}` in items")),
                    Some(i) => {
                        let kind = questions[i].kind;
                        let fits = match ind.method {
                            Method::ThemePctPositive | Method::Index0To100 | Method::Score0To10 => {
                                kind == QuestionType::Likert
                            }
                            Method::YesRate => kind == QuestionType::YesNo,
                            Method::Enps => kind == QuestionType::ZeroToTen,
                        };
                        if !fits {
                            c.push(
                                &loc,
                                format!(
                                    "question `{item}` is {kind:?}, which the method {:?} cannot score",
                                    ind.method
                                ),
                            );
                        }
                        items.push(i);
                    }
                }
            }
            let min_items = ind.min_items.unwrap_or(1);
            if min_items == 0 || min_items > ind.items.len().max(1) {
                c.push(
                    &loc,
                    format!(
                        "min_items = {min_items} must be between 1 and the number of items ({})",
                        ind.items.len()
                    ),
                );
            }
            let min_coverage = ind.min_coverage.unwrap_or(1.0);
            if !(min_coverage > 0.0 && min_coverage <= 1.0) {
                c.push(
                    &loc,
                    format!(
                        "min_coverage = {min_coverage} must be a share of the indicator's questions above 0 and \
                         at most 1 (e.g. 0.75: a wave must ask 3 of 4)"
                    ),
                );
            }
            if ind.method == Method::Enps && ind.items.len() != 1 {
                c.push(&loc, "an eNPS indicator is built from exactly one 0-10 item");
            }
            let direction = match (ind.direction, ind.method) {
                (Some(d), _) => d,
                (None, Method::YesRate) => {
                    c.push(
                        &loc,
                        "a yes-rate is good news or bad news depending on the question (bullied: lower is better; \
                         had an appraisal: higher is better); say which with direction = \"lower-is-better\" or \
                         \"higher-is-better\"",
                    );
                    Direction::LowerIsBetter
                }
                // Themes, indices, scores and eNPS count favourable answers up.
                (None, _) => Direction::HigherIsBetter,
            };
            Indicator {
                benchmarks: benchmark_refs(&ind.benchmarks, &loc, c),
                counterpart: ind.counterpart.clone(),
                id: ind.id,
                label: ind.label,
                method: ind.method,
                direction,
                items,
                min_items,
                min_coverage,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_yes_rate_must_say_which_way_is_good() {
        let body = |direction: &str| {
            format!(
                r#"[survey]
id = "s"
title = "S"
version = "1"
[[scales]]
id = "yn"
answers = [{{ code = 1, label = "Yes", group = "positive" }}, {{ code = 2, label = "No", group = "negative" }}]
[[questions]]
id = "E01"
text = "Have you had an appraisal?"
type = "yes-no"
scale = "yn"
[[indicators]]
id = "appraised"
label = "Had an appraisal"
method = "yes-rate"
items = ["E01"]
{direction}
"#
            )
        };
        let err = Schema::from_toml(Path::new("s.toml"), &body("")).unwrap_err();
        assert!(
            err.to_string()
                .contains("indicators (appraised): a yes-rate is good news or bad news"),
            "{err}"
        );
        let s = Schema::from_toml(
            Path::new("s.toml"),
            &body("direction = \"higher-is-better\""),
        )
        .unwrap();
        assert_eq!(s.indicators[0].direction, Direction::HigherIsBetter);
        assert_eq!(
            s.questions[0].direction,
            Direction::HigherIsBetter,
            "questions default"
        );
    }

    const MINI_BODY: &str = r#"
[[scales]]
id = "yesno"
answers = [
  { code = 1, label = "Yes", group = "positive" },
  { code = 2, label = "No", group = "negative" },
  { code = 3, label = "Prefer not to say", group = "excluded" },
]

[[questions]]
id = "S01"
text = "I am proud"
type = "likert"
scale = "agree5"

[[questions]]
id = "E01"
text = "Bullied?"
type = "yes-no"
scale = "yesno"
reverse_keyed = true

[[demographics]]
id = "directorate"
label = "Directorate"
categories = ["Resources", "Chief Executive's Office"]
aliases = { "CEO" = "Chief Executive's Office" }

[[indicators]]
id = "engagement"
label = "Engagement"
method = "index-0-100"
items = ["S01"]
"#;

    fn mini_text() -> String {
        format!(
            "[survey]\nid = \"mini\"\ntitle = \"Mini\"\nversion = \"1\"\n{}\n{MINI_BODY}",
            super::testing::AGREE5
        )
    }

    fn mini() -> Schema {
        Schema::from_toml(Path::new("mini.toml"), &mini_text()).unwrap()
    }

    #[test]
    fn labels_aliases_and_codes_map_to_codes() {
        let s = mini();
        let scale = &s.scales[0];
        assert_eq!(scale.code_of("Agree"), Some(4));
        assert_eq!(scale.code_of("  strongly   AGREE "), Some(5));
        assert_eq!(scale.code_of("Neither agree or disagree"), Some(3));
        assert_eq!(scale.code_of("Don\u{2019}t know"), Some(9));
        assert_eq!(scale.code_of("4"), Some(4));
        assert_eq!(scale.code_of("7"), None, "7 is not a code of the scale");
        assert_eq!(scale.code_of("Agree strongly"), None, "never guessed");
    }

    #[test]
    fn reverse_keyed_questions_swap_positive_and_negative() {
        let s = mini();
        let e01 = &s.questions[1];
        assert_eq!(s.scored_group(e01, 1), Some(AnswerGroup::Negative));
        assert_eq!(s.scored_group(e01, 2), Some(AnswerGroup::Positive));
        assert_eq!(s.scored_group(e01, 3), Some(AnswerGroup::Excluded));
    }

    #[test]
    fn demographic_aliases_and_case_map_to_categories() {
        let s = mini();
        let d = &s.demographics[0];
        assert_eq!(d.category_of("CEO"), Some(1));
        assert_eq!(d.category_of("Chief Executive\u{2019}s office"), Some(1));
        assert_eq!(d.category_of("Finance"), None);
    }

    #[test]
    fn schema_typos_are_all_reported_at_once() {
        let bad = mini_text()
            .replace("reverse_keyed = true", "reverse_keyd = true")
            .replace("scale = \"agree5\"", "scale = \"agree7\"")
            .replace("items = [\"S01\"]", "items = [\"S99\"]")
            + "\n[extras]\nx = 1\n";
        let err = Schema::from_toml(Path::new("bad.toml"), &bad).unwrap_err();
        let text = err.to_string();
        assert_eq!(err.problems.len(), 4, "{text}");
        assert!(text.contains("unknown section or key `extras`"), "{text}");
        assert!(
            text.contains("questions[1] (E01): unknown field `reverse_keyd`"),
            "{text}"
        );
        assert!(
            text.contains("questions (S01): unknown scale `agree7`"),
            "{text}"
        );
        assert!(
            text.contains("indicators (engagement): unknown question `S99`"),
            "{text}"
        );
    }

    #[test]
    fn normalise_label_folds_case_space_and_typography() {
        assert_eq!(normalise_label("  Don\u{2019}t   Know "), "don't know");
        assert_eq!(normalise_label("0 \u{2013} Not at all"), "0 - not at all");
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Case and spacing never change which answer a label means.
        #[test]
        fn case_and_spacing_do_not_change_the_code(
            idx in 0usize..6,
            upper in proptest::collection::vec(any::<bool>(), 40),
            pad in 0usize..3,
        ) {
            let s = tests_schema();
            let scale = &s.scales[0];
            let a = &scale.answers[idx];
            let varied: String = a
                .label
                .chars()
                .zip(upper.iter().cycle())
                .map(|(c, &u)| if u { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() })
                .collect::<String>()
                .replace(' ', &" ".repeat(pad + 1));
            let padded = format!("{}{varied}{}", " ".repeat(pad), " ".repeat(pad));
            prop_assert_eq!(scale.code_of(&padded), Some(a.code));
        }
    }

    fn tests_schema() -> Schema {
        super::testing::schema(
            "[[questions]]\nid = \"Q\"\ntext = \"Q\"\ntype = \"likert\"\nscale = \"agree5\"\n",
        )
    }
}

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
