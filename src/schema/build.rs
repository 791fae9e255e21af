//! The schema file as written (its raw TOML sections) and the checks that build the schema
//! from it: every problem collected with where it is.

use super::*;
use toml_load::Collector;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSurvey {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) version: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAnswer {
    code: u8,
    label: String,
    group: AnswerGroup,
    #[serde(default)]
    aliases: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawScale {
    id: String,
    #[serde(default)]
    description: Option<String>,
    answers: Vec<RawAnswer>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawQuestion {
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
pub(super) struct RawDemographic {
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
pub(super) struct RawCrosswalk {
    question: String,
    replaces: String,
    comparable: bool,
    reason: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawIndicator {
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

/// `["CSPS:B47"]` → references, each malformed one reported.
pub(super) fn benchmark_refs(raw: &[String], loc: &str, c: &mut Collector) -> Vec<BenchmarkRef> {
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCommentTheme {
    id: String,
    label: String,
    #[serde(default)]
    question: Option<String>,
}

pub(super) fn build_comment_themes(
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

pub(super) fn check_id(id: &str, loc: &str, c: &mut Collector) {
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

pub(super) fn check_unique<'a>(kind: &str, ids: impl Iterator<Item = &'a str>, c: &mut Collector) {
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

pub(super) fn build_scales(raw: Vec<RawScale>, c: &mut Collector) -> Vec<Scale> {
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

pub(super) fn build_questions(
    raw: Vec<RawQuestion>,
    scales: &[Scale],
    c: &mut Collector,
) -> Vec<Question> {
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

pub(super) fn build_demographics(
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

pub(super) fn build_crosswalk(
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

/// The questions an indicator is built from, each one its method can score.
fn indicator_items(
    ind: &RawIndicator,
    questions: &[Question],
    loc: &str,
    c: &mut Collector,
) -> Vec<usize> {
    let mut items = Vec::new();
    for item in &ind.items {
        match questions.iter().position(|q| &q.id == item) {
            None => c.push(loc, format!("unknown question `{item}` in items")),
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
                        loc,
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
    items
}

pub(super) fn build_indicators(
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
            let items = indicator_items(&ind, questions, &loc, c);
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
