//! What `init` learns of a council from its first export: each matched demographic's answers
//! compared with the schema's categories. A value written a little differently from a category
//! (`Asian` for `Asian or Asian British`, `Grade 1-6` for `Scale 1-6`... only where one
//! category alone is close) becomes an alias; where the export holds values like no category
//! (another council's directorates), the council's own list replaces the schema's, and aliases
//! that pointed at removed categories go. Every change is marked CHECK in the schema copy.
//! `add-wave` uses the same comparison to report new and vanished categories.

use crate::import::inspect::WaveProposal;
use crate::schema::{Schema, normalise_label};

/// What the export says of one demographic's categories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Learned {
    /// The demographic's id.
    pub field: String,
    /// (export value, category) pairs to add as aliases.
    pub aliases: Vec<(String, String)>,
    /// The council's own categories, replacing the schema's (`None`: the schema's stand).
    pub categories: Option<Vec<String>>,
    /// The schema's categories no value in the export maps to.
    pub unused: Vec<String>,
    /// The export's values like no category.
    pub new: Vec<String>,
}

impl Learned {
    /// Whether the schema needs changing for this field.
    pub fn changes(&self) -> bool {
        !self.aliases.is_empty() || self.categories.is_some()
    }
}

/// An export's answer written with an answer label's words in another order ("Agree
/// strongly" for "Strongly agree"): the scale, the value, the label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerAlias {
    pub scale: String,
    pub value: String,
    pub label: String,
}

/// The matched questions' answers that no answer of their scale reads but one answer's label
/// has the same words as (each once per scale).
pub fn learn_answers(schema: &Schema, proposal: &WaveProposal) -> Vec<AnswerAlias> {
    let words = |s: &str| {
        let mut w: Vec<String> = normalise_label(s)
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect();
        w.sort();
        w
    };
    let mut out: Vec<AnswerAlias> = Vec::new();
    for c in &proposal.columns {
        let (Some((id, _)), Some(values)) = (&c.id, &c.values) else {
            continue;
        };
        let Some(scale) = schema
            .question(id)
            .and_then(|q| schema.scale_of(&schema.questions[q]))
        else {
            continue;
        };
        for v in values.iter().filter(|v| scale.code_of(v).is_none()) {
            let same: Vec<&crate::schema::Answer> = scale
                .answers
                .iter()
                .filter(|a| words(&a.label) == words(v))
                .collect();
            if let [a] = same.as_slice() {
                let alias = AnswerAlias {
                    scale: scale.id.clone(),
                    value: v.clone(),
                    label: a.label.clone(),
                };
                if !out.contains(&alias) {
                    out.push(alias);
                }
            }
        }
    }
    out
}

/// The schema text with each answer alias added to its answer, marked CHECK.
pub fn apply_answers(schema_text: &str, aliases: &[AnswerAlias]) -> Result<String, String> {
    use toml_edit::{Array, DocumentMut, Item, Value};
    if aliases.is_empty() {
        return Ok(schema_text.to_string());
    }
    let mut doc: DocumentMut = schema_text
        .parse()
        .map_err(|e| format!("the schema could not be edited: {e}"))?;
    let Some(scales) = doc.get_mut("scales").and_then(Item::as_array_of_tables_mut) else {
        return Ok(schema_text.to_string());
    };
    for t in scales.iter_mut() {
        let id = t
            .get("id")
            .and_then(Item::as_str)
            .unwrap_or_default()
            .to_string();
        let mine: Vec<&AnswerAlias> = aliases.iter().filter(|a| a.scale == id).collect();
        if mine.is_empty() {
            continue;
        }
        let Some(answers) = t.get_mut("answers").and_then(Item::as_array_mut) else {
            continue;
        };
        for answer in answers.iter_mut().filter_map(Value::as_inline_table_mut) {
            let label = answer
                .get("label")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let add: Vec<&str> = mine
                .iter()
                .filter(|a| a.label == label)
                .map(|a| a.value.as_str())
                .collect();
            if add.is_empty() {
                continue;
            }
            let mut list = answer
                .get("aliases")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_else(Array::new);
            for v in add {
                list.push(v);
            }
            let mut list = Value::Array(list);
            if !answer.contains_key("aliases") {
                // The new key goes after the last, which kept the space before the brace.
                if let Some((_, last)) = answer.iter_mut().last() {
                    last.decor_mut().set_suffix("");
                }
                list.decor_mut().set_prefix(" ");
                list.decor_mut().set_suffix(" ");
            }
            answer.insert("aliases", list);
        }
        if let Some(mut key) = t.key_mut("answers") {
            let prefix = format!(
                "# CHECK: aliases added for your export's answers: {}\n",
                mine.iter()
                    .map(|a| format!("\"{}\" = \"{}\"", a.value, a.label))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            key.leaf_decor_mut().set_prefix(prefix);
        }
    }
    Ok(doc.to_string())
}

/// Answer aliases in words, for init's and add-wave's summaries.
pub fn answers_summary(aliases: &[AnswerAlias], written: bool) -> Vec<String> {
    aliases
        .iter()
        .map(|a| {
            format!(
                "answers on the {} scale: \"{}\" read as \"{}\"{}",
                a.scale,
                a.value,
                a.label,
                if written {
                    ""
                } else {
                    " if you add it to that answer's aliases in the schema (validate rejects it until then)"
                }
            )
        })
        .collect()
}

/// Compare every matched demographic's values with the schema's categories.
pub fn learn(schema: &Schema, proposal: &WaveProposal) -> Vec<Learned> {
    let mut out = Vec::new();
    for c in &proposal.columns {
        let (Some((id, _)), Some(values)) = (&c.id, &c.values) else {
            continue;
        };
        let Some(d) = schema.demographic(id) else {
            continue;
        };
        out.push(learn_field(&schema.demographics[d], values));
    }
    out
}

fn learn_field(dem: &crate::schema::Demographic, values: &[String]) -> Learned {
    let mut aliases = Vec::new();
    let mut own: Vec<String> = Vec::new();
    let mut mapped: Vec<usize> = Vec::new();
    for v in values {
        if let Some(k) = dem.category_of(v) {
            mapped.push(k);
        } else if let Some(k) = close_category(v, &dem.categories) {
            aliases.push((v.clone(), dem.categories[k].clone()));
            mapped.push(k);
        } else {
            own.push(v.clone());
        }
    }
    // A council with categories of its own keeps its wording throughout: a value close to a
    // bundled category ("Housing" beside "Housing and Regeneration") is its own category then.
    if !own.is_empty() {
        for (value, category) in aliases.drain(..) {
            let k = dem.categories.iter().position(|c| *c == category);
            if let Some(at) = mapped.iter().position(|m| Some(*m) == k) {
                mapped.remove(at);
            }
            own.push(value);
        }
    }
    let unused: Vec<String> = (0..dem.categories.len())
        .filter(|k| !mapped.contains(k))
        .map(|k| dem.categories[k].clone())
        .collect();
    let new = own.clone();
    let categories = (!own.is_empty()).then(|| {
        // The schema's categories the export uses, in the schema's order, then the council's
        // own in a natural order; "prefer not to say" and the like last.
        let mut list: Vec<String> = (0..dem.categories.len())
            .filter(|k| mapped.contains(k))
            .map(|k| dem.categories[k].clone())
            .collect();
        own.sort_by_key(|a| natural_key(a));
        list.extend(own);
        list.sort_by_key(|c| is_declined(c));
        list
    });
    Learned {
        field: dem.id.clone(),
        aliases,
        categories,
        unused,
        new,
    }
}

/// The one category a value is written a little differently from: the same words with more
/// or fewer after them (`Asian` / `Asian or Asian British`), or a few letters apart.
fn close_category(value: &str, categories: &[String]) -> Option<usize> {
    let v = normalise_label(value);
    if v.is_empty() {
        return None;
    }
    let close: Vec<usize> = categories
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            let c = normalise_label(c);
            let word_prefix = |long: &str, short: &str| {
                long.starts_with(short) && long[short.len()..].starts_with([' ', ',', '-', '('])
            };
            (v.len() >= 3 && (word_prefix(&c, &v) || word_prefix(&v, &c)))
                || (v.len() >= 5
                    && strsim::levenshtein(&v, &c) <= (v.len().min(c.len()) / 6).max(1))
        })
        .map(|(k, _)| k)
        .collect();
    (close.len() == 1).then(|| close[0])
}

/// Numbers within a label compared as numbers (`Band 2` before `Band 10`).
fn natural_key(s: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            let mut n = c.to_digit(10).map_or(0, u64::from);
            while let Some(d) = chars.peek().and_then(|d| d.to_digit(10)) {
                n = n.saturating_mul(10).saturating_add(u64::from(d));
                chars.next();
            }
            out.push((std::mem::take(&mut text).to_lowercase(), n));
        } else {
            text.push(c);
        }
    }
    out.push((text.to_lowercase(), 0));
    out
}

/// "Prefer not to say", "Not known", "Other": listed last.
fn is_declined(c: &str) -> bool {
    let c = normalise_label(c);
    c.starts_with("prefer not") || c.starts_with("not known") || c == "other" || c == "unknown"
}

/// The schema text with what was learned written in: aliases added, categories replaced, and
/// aliases that point at a removed category dropped, each change marked CHECK.
pub fn apply(schema_text: &str, learned: &[Learned]) -> Result<String, String> {
    use toml_edit::{Array, DocumentMut, Item, Value};
    let mut doc: DocumentMut = schema_text
        .parse()
        .map_err(|e| format!("the schema could not be edited: {e}"))?;
    let Some(dems) = doc
        .get_mut("demographics")
        .and_then(Item::as_array_of_tables_mut)
    else {
        return Ok(schema_text.to_string());
    };
    for l in learned.iter().filter(|l| l.changes()) {
        let Some(t) = dems
            .iter_mut()
            .find(|t| t.get("id").and_then(Item::as_str) == Some(l.field.as_str()))
        else {
            continue;
        };
        let mut note = Vec::new();
        if let Some(cats) = &l.categories {
            let mut a = Array::new();
            for c in cats {
                let mut v = Value::from(c.as_str());
                v.decor_mut().set_prefix("\n  ");
                a.push_formatted(v);
            }
            a.set_trailing("\n");
            a.set_trailing_comma(true);
            t.insert("categories", Item::Value(Value::Array(a)));
            note.push(format!(
                "# CHECK: categories as your export has them (init replaced {})",
                if l.unused.is_empty() {
                    "the bundled list".to_string()
                } else {
                    format!(
                        "the bundled list; not in your export: {}",
                        l.unused.join(", ")
                    )
                }
            ));
        }
        let aliases = edited_aliases(t, l, &mut note);
        if aliases.is_empty() {
            t.remove("aliases");
        } else {
            t.insert("aliases", Item::Value(Value::InlineTable(aliases)));
        }
        if let Some(mut key) = t.key_mut("categories") {
            let prefix = format!("{}\n", note.join("\n"));
            key.leaf_decor_mut().set_prefix(prefix);
        }
    }
    Ok(doc.to_string())
}

/// A demographic's aliases with what was learned: those of removed categories dropped, the
/// export's added; each change noted.
fn edited_aliases(
    t: &toml_edit::Table,
    l: &Learned,
    note: &mut Vec<String>,
) -> toml_edit::InlineTable {
    use toml_edit::{InlineTable, Item, Value};
    let kept: Vec<String> = l.categories.clone().unwrap_or_default();
    let mut aliases = t
        .get("aliases")
        .and_then(Item::as_inline_table)
        .cloned()
        .unwrap_or_else(InlineTable::new);
    if l.categories.is_some() {
        let stale: Vec<String> = aliases
            .iter()
            .filter(|(_, v)| v.as_str().is_some_and(|v| !kept.iter().any(|k| k == v)))
            .map(|(k, _)| k.to_string())
            .collect();
        for k in &stale {
            aliases.remove(k);
        }
        if !stale.is_empty() {
            note.push(format!(
                "# CHECK: aliases of removed categories dropped: {}",
                stale.join(", ")
            ));
        }
    }
    for (from, to) in &l.aliases {
        aliases.insert(from, Value::from(to.as_str()));
    }
    if !l.aliases.is_empty() {
        note.push(format!(
            "# CHECK: aliases added for your export's answers: {}",
            l.aliases
                .iter()
                .map(|(f, t)| format!("\"{f}\" = \"{t}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    aliases
}

/// What was learned, for init's summary (one line per field that changed).
pub fn summary(learned: &[Learned]) -> Vec<String> {
    learned
        .iter()
        .filter(|l| l.changes())
        .map(|l| match &l.categories {
            Some(c) => format!(
                "{}: your export's categories replace the bundled ones ({}){}",
                l.field,
                c.join(", "),
                if l.aliases.is_empty() {
                    String::new()
                } else {
                    format!("; {} alias(es) added", l.aliases.len())
                }
            ),
            None => format!("{}: aliases added for {}", l.field, arrows(&l.aliases)),
        })
        .collect()
}

/// `"Asian" → "Asian or Asian British", …`
fn arrows(aliases: &[(String, String)]) -> String {
    aliases
        .iter()
        .map(|(f, t)| format!("\"{f}\" → \"{t}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a later export says against the schema, for `add-wave` (which does not edit the
/// schema): values new to it, values written differently, categories no one chose.
pub fn against_schema(learned: &[Learned]) -> Vec<String> {
    let quoted = |v: &[String]| {
        v.iter()
            .map(|x| format!("\"{x}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = Vec::new();
    for l in learned {
        if !l.new.is_empty() {
            out.push(format!(
                "{}: values not in the schema: {} (validate rejects their rows until you add \
                 them to the schema's categories, or as aliases of a category they mean)",
                l.field,
                quoted(&l.new)
            ));
        }
        if !l.aliases.is_empty() {
            out.push(format!(
                "{}: values written differently from a category: {} (add them as aliases in the \
                 schema if that is what they mean)",
                l.field,
                arrows(&l.aliases)
            ));
        }
        if !l.unused.is_empty() && (l.new.is_empty() || l.unused.len() < 4) {
            out.push(format!(
                "{}: categories no one in this export chose: {}",
                l.field,
                quoted(&l.unused)
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dem(categories: &[&str]) -> crate::schema::Demographic {
        crate::schema::Demographic::derived(
            "ethnicity",
            "Ethnicity",
            categories.iter().map(|c| c.to_string()).collect(),
        )
    }

    #[test]
    fn values_written_a_little_differently_become_aliases() {
        let d = dem(&[
            "Asian or Asian British",
            "Black, Black British, Caribbean or African",
            "White",
            "Prefer not to say",
        ]);
        let values: Vec<String> = ["Asian", "Black", "White", "Prefer not to say"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let l = learn_field(&d, &values);
        assert_eq!(
            l.aliases,
            vec![
                ("Asian".into(), "Asian or Asian British".into()),
                (
                    "Black".into(),
                    "Black, Black British, Caribbean or African".into()
                )
            ]
        );
        assert_eq!(l.categories, None);
    }

    #[test]
    fn another_councils_categories_replace_the_bundled_ones() {
        let d = dem(&["Scale 1-6", "SO1-SO2", "PO1-PO4", "Senior management"]);
        let values: Vec<String> = [
            "Band 10",
            "Band 2",
            "Prefer not to say",
            "Senior management",
            "Band 1",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let l = learn_field(&d, &values);
        assert_eq!(
            l.categories.as_deref(),
            Some(
                &[
                    "Senior management".to_string(),
                    "Band 1".into(),
                    "Band 2".into(),
                    "Band 10".into(),
                    "Prefer not to say".into()
                ][..]
            )
        );
        assert_eq!(l.unused, vec!["Scale 1-6", "SO1-SO2", "PO1-PO4"]);
    }

    #[test]
    fn an_answer_with_a_labels_words_reordered_becomes_its_alias() {
        let text = "[[scales]]\nid = \"agree5\"\nanswers = [\n  { code = 4, label = \"Agree\", group = \"positive\" },\n  { code = 5, label = \"Strongly agree\", group = \"positive\" },\n]\n";
        let a = AnswerAlias {
            scale: "agree5".into(),
            value: "Agree strongly".into(),
            label: "Strongly agree".into(),
        };
        let out = apply_answers(text, &[a]).unwrap();
        assert!(out.contains("aliases = [\"Agree strongly\"]"), "{out}");
        assert!(
            out.contains("# CHECK: aliases added for your export's answers"),
            "{out}"
        );
        let _: toml::Table = toml::from_str(&out).unwrap();
    }

    #[test]
    fn the_schema_copy_gets_the_councils_categories_and_loses_stale_aliases() {
        let text = "[[demographics]]\nid = \"directorate\"\nlabel = \"Directorate\"\ncategories = [\"Resources\", \"Place\"]\naliases = { \"Res\" = \"Resources\", \"PL\" = \"Place\" }\n";
        let l = Learned {
            field: "directorate".into(),
            aliases: vec![("Resources Dept".into(), "Resources".into())],
            categories: Some(vec!["Resources".into(), "Adult Social Care".into()]),
            unused: vec!["Place".into()],
            new: vec!["Adult Social Care".into()],
        };
        let out = apply(text, &[l]).unwrap();
        assert!(
            out.contains("# CHECK: categories as your export has them"),
            "{out}"
        );
        assert!(out.contains("not in your export: Place"), "{out}");
        assert!(out.contains("\"Adult Social Care\""), "{out}");
        assert!(!out.contains("\"PL\""), "{out}");
        assert!(out.contains("\"Res\" = \"Resources\""), "{out}");
        assert!(out.contains("\"Resources Dept\" = \"Resources\""), "{out}");
        let doc: toml::Table = toml::from_str(&out).unwrap();
        assert!(doc.contains_key("demographics"));
    }
}
