//! Coded comments: theme counts by group, and the opt-in quotes page.

use super::Error;
use crate::config::{self, Config};
use crate::{disclosure, ids, import, indicators, report, responses, schema, store};

/// Every wave's comment-theme cells, from its coded comments file matched to the stored
/// responses. A code for a response the wave did not accept stops the run (nothing dropped).
pub(super) fn comment_theme_cells(
    config: &Config,
    coded_files: &[Option<import::comment_codes::CommentCodes>],
    codes: &[responses::Responses],
    breakdowns: &[indicators::Breakdown],
) -> Result<Vec<indicators::Cell<indicators::comments::ThemeStats>>, Error> {
    let mut cells = Vec::new();
    for ((w, r), coded) in config.waves.iter().zip(codes).zip(coded_files) {
        let Some(coded) = coded else {
            continue;
        };
        let file = &coded.file;
        let ids = store::read_response_ids(&config.store, &w.id)?;
        let row_of: std::collections::HashMap<&str, usize> = ids
            .iter()
            .enumerate()
            .map(|(i, s)| (s.as_str(), i))
            .collect();
        let mut problems = Vec::new();
        // One entry per respondent: a response coded on several lines has its themes merged.
        let mut merged: std::collections::BTreeMap<usize, std::collections::BTreeSet<usize>> =
            Default::default();
        for (id, line, themes) in &coded.codes {
            match row_of.get(id.as_str()) {
                Some(&row) => merged.entry(row).or_default().extend(themes),
                None => problems.push(format!(
                    "line {line}: response `{id}` is not an accepted response of wave {} (a test, partial or rejected response, or from another wave); remove the line or check the file",
                    w.id
                )),
            }
        }
        if !problems.is_empty() {
            return Err(Error::CommentCodes(
                import::comment_codes::CommentCodesError {
                    file: file.clone(),
                    problems,
                },
            ));
        }
        let rows: Vec<(usize, &std::collections::BTreeSet<usize>)> =
            merged.iter().map(|(r, t)| (*r, t)).collect();
        cells.extend(indicators::comments::count(
            &config.schema,
            &ids::WaveId::new(w.id.as_str()),
            r,
            &rows,
            breakdowns,
        ));
    }
    Ok(cells)
}

/// Most quotes listed under one theme.
const QUOTES_PER_THEME: usize = 20;

/// The quotes file (Markdown) for the latest wave with coded comments: each theme's comments,
/// redacted, from respondents whose group (of `q.by`) has its theme count published.
pub(super) fn comment_quotes(
    config: &Config,
    q: &config::QuoteSettings,
    coded_files: &[Option<import::comment_codes::CommentCodes>],
    codes: &[responses::Responses],
    tables: &disclosure::ProtectedTables,
) -> Result<Option<String>, Error> {
    use indicators::{Breakdown, Group};
    let schema = &config.schema;
    let Some(((w, r), Some(coded))) = config
        .waves
        .iter()
        .zip(codes)
        .zip(coded_files)
        .rev()
        .find(|(_, c)| c.is_some())
    else {
        return Ok(None);
    };
    let ids = store::read_response_ids(&config.store, &w.id)?;
    let row_of: std::collections::HashMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i))
        .collect();
    let texts: std::collections::HashMap<(String, String), String> =
        store::read_comments(&config.store, &w.id)?
            .into_iter()
            .map(|(id, qid, text)| ((id, qid), text))
            .collect();
    let published: std::collections::HashSet<(usize, Group)> = tables
        .themes
        .iter()
        .filter(|p| {
            p.wave.as_str() == w.id
                && p.breakdown == Breakdown::Field(q.by)
                && p.suppression.is_none()
        })
        .map(|p| (p.measure, p.group))
        .collect();
    let source = QuoteSource {
        schema,
        q,
        responses: r,
        coded,
        row_of,
        texts,
        published,
        redactor: disclosure::redact::Redactor::new(&q.names),
    };
    let field = &schema.demographics[q.by];
    let mut left_out = 0;
    let themes = (schema.comment_themes.iter().enumerate())
        .map(|(t, theme)| report::view::QuoteTheme {
            label: theme.label.clone(),
            quotes: source.quotes(t, &mut left_out),
        })
        .collect();
    let page = report::view::QuotesPage {
        wave: w.id.to_string(),
        question: schema
            .comment_themes
            .first()
            .map_or_else(String::new, |t| schema.questions[t.question].text.clone()),
        names: q.names.len(),
        field: report::model::lower_first(&field.label),
        threshold: config.anonymity_threshold,
        per_theme: QUOTES_PER_THEME,
        left_out,
        themes,
    };
    report::render::quotes(&page).map(Some).map_err(|e| {
        Error::Output(report::WriteError {
            path: config.output.join("deep-dives/comment-quotes-internal.md"),
            source: std::io::Error::other(e),
        })
    })
}

/// What the quotes page draws on: the latest coded wave's comments, codes and groups, and
/// which theme counts are published by group.
struct QuoteSource<'a> {
    schema: &'a schema::Schema,
    q: &'a config::QuoteSettings,
    responses: &'a responses::Responses,
    coded: &'a import::comment_codes::CommentCodes,
    row_of: std::collections::HashMap<&'a str, usize>,
    texts: std::collections::HashMap<(String, String), String>,
    published: std::collections::HashSet<(usize, indicators::Group)>,
    redactor: disclosure::redact::Redactor,
}

impl QuoteSource<'_> {
    /// Up to `QUOTES_PER_THEME` redacted comments coded to theme `t`, from groups whose count
    /// is published; a comment redaction cannot make safe is left out (and counted).
    fn quotes(&self, t: usize, left_out: &mut usize) -> Vec<report::view::Quote> {
        use indicators::Group;
        let (schema, q) = (self.schema, self.q);
        let field = &schema.demographics[q.by];
        let qid = &schema.questions[schema.comment_themes[t].question].id;
        let mut quotes = Vec::new();
        for (id, _, coded_themes) in &self.coded.codes {
            if !coded_themes.contains(&t) || quotes.len() >= QUOTES_PER_THEME {
                continue;
            }
            let (Some(&row), Some(text)) = (
                self.row_of.get(id.as_str()),
                self.texts.get(&(id.clone(), qid.clone())),
            ) else {
                continue;
            };
            let cat = self.responses.fields[q.by].as_deref().map(|c| c[row]);
            let group = match cat {
                Some(c) if c != responses::NOT_STATED => Group::One(Some(c)),
                _ => Group::One(None),
            };
            if !self.published.contains(&(t, group)) {
                continue;
            }
            let Some((clean, _)) = self.redactor.quote(text) else {
                *left_out += 1;
                continue;
            };
            let label = match group {
                Group::One(Some(c)) => field.categories[c as usize].clone(),
                _ => schema::NOT_STATED.to_string(),
            };
            quotes.push(report::view::Quote {
                text: clean.split_whitespace().collect::<Vec<_>>().join(" "),
                group: label,
            });
        }
        quotes
    }
}
