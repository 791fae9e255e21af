//! Loading TOML so that *every* mistake is reported at once.
//!
//! `serde` stops at the first error. An analyst fixing a schema or config file should not
//! have to run the tool ten times to find ten typos, so each table and each entry of an array
//! of tables is deserialised on its own and the errors are collected with their location
//! (`questions[7] (S07)`), vector-style.

use serde::de::DeserializeOwned;
use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in a configuration or schema file, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where in the file: a TOML path such as `questions[3] (S04).scale`, or `line 12`.
    pub location: String,
    /// What is wrong and, where possible, how to fix it.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.location.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.location, self.message)
        }
    }
}

/// All the problems found in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProblems {
    pub file: PathBuf,
    pub problems: Vec<Problem>,
}

impl fmt::Display for FileProblems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        writeln!(
            f,
            "{} has {} problem{}:",
            self.file.display(),
            n,
            if n == 1 { "" } else { "s" }
        )?;
        for p in &self.problems {
            writeln!(f, "  - {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for FileProblems {}

/// Collects problems while a file is being read and checked.
#[derive(Debug, Default)]
pub struct Collector {
    pub problems: Vec<Problem>,
}

impl Collector {
    pub fn push(&mut self, location: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            location: location.into(),
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.problems.is_empty()
    }

    pub fn into_result<T>(self, file: &Path, value: T) -> Result<T, FileProblems> {
        if self.problems.is_empty() {
            Ok(value)
        } else {
            Err(FileProblems {
                file: file.to_path_buf(),
                problems: self.problems,
            })
        }
    }

    /// Deserialise one TOML value into `T`, recording the error (if any) at `location`.
    pub fn take<T: DeserializeOwned>(&mut self, location: &str, value: toml::Value) -> Option<T> {
        match T::deserialize(value) {
            Ok(v) => Some(v),
            Err(e) => {
                self.push(location, tidy_serde_message(&e.to_string()));
                None
            }
        }
    }

    /// Deserialise every entry of an array of tables (`[[questions]]`) separately, so that a
    /// typo in one entry does not hide a typo in the next.
    pub fn take_array<T: DeserializeOwned>(
        &mut self,
        name: &str,
        value: Option<toml::Value>,
        required: bool,
    ) -> Vec<T> {
        self.take_array_indexed(name, value, required)
            .into_iter()
            .map(|(_, v)| v)
            .collect()
    }

    /// As [`Collector::take_array`], with each entry's position in the array (entries that
    /// fail are reported and left out, so positions can skip).
    pub fn take_array_indexed<T: DeserializeOwned>(
        &mut self,
        name: &str,
        value: Option<toml::Value>,
        required: bool,
    ) -> Vec<(usize, T)> {
        let Some(value) = value else {
            if required {
                self.push(
                    name,
                    format!("missing: add at least one [[{name}]] section"),
                );
            }
            return Vec::new();
        };
        let toml::Value::Array(items) = value else {
            self.push(
                name,
                format!("must be a list of tables written as [[{name}]] sections"),
            );
            return Vec::new();
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.into_iter().enumerate() {
            let loc = entry_location(name, i, &item);
            if let Some(v) = self.take(&loc, item) {
                out.push((i, v));
            }
        }
        out
    }
}

/// `questions[3] (S04)`: index plus the entry's `id`, when it has one, so people can find it.
pub fn entry_location(name: &str, index: usize, item: &toml::Value) -> String {
    match item.get("id").and_then(|v| v.as_str()) {
        Some(id) => format!("{name}[{index}] ({id})"),
        None => format!("{name}[{index}]"),
    }
}

/// The line of each entry of the array of tables `name` (`[[waves]]`): the line of its `id`
/// key, or of its `[[name]]` header when it has no id. Empty when the text has no such array.
pub fn entry_lines(text: &str, name: &str) -> Vec<usize> {
    let Ok(doc) = toml::de::DeTable::parse(text) else {
        return Vec::new();
    };
    let Some(value) = doc.get_ref().get(name) else {
        return Vec::new();
    };
    let toml::de::DeValue::Array(entries) = value.get_ref() else {
        return Vec::new();
    };
    entries
        .iter()
        .map(|e| {
            let at = match e.get_ref() {
                toml::de::DeValue::Table(t) => {
                    t.get("id").map_or(e.span().start, |v| v.span().start)
                }
                _ => e.span().start,
            };
            line_of(text, at)
        })
        .collect()
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Parse a TOML document into a table. Syntax errors stop here (nothing else can be read),
/// and are reported with their line and column.
pub fn parse_table(file: &Path, text: &str) -> Result<toml::Table, FileProblems> {
    text.parse::<toml::Table>().map_err(|e| {
        let location = match e.span() {
            Some(span) => line_col(text, span.start),
            None => String::new(),
        };
        FileProblems {
            file: file.to_path_buf(),
            problems: vec![Problem {
                location,
                message: format!("TOML syntax error: {}", e.message().trim()),
            }],
        }
    })
}

/// Report top-level keys that are not in `known` (the `deny_unknown_fields` rule, applied to
/// the document itself so that every unknown section is listed).
pub fn check_top_level(table: &toml::Table, known: &[&str], c: &mut Collector) {
    for key in table.keys() {
        if !known.contains(&key.as_str()) {
            c.push(
                key.as_str(),
                format!(
                    "unknown section or key `{key}`; expected one of: {}",
                    known.join(", ")
                ),
            );
        }
    }
}

fn line_col(text: &str, offset: usize) -> String {
    let before = &text[..offset.min(text.len())];
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("line {}, column {col}", line_of(text, offset))
}

/// serde's messages are good but wordy in places; keep them on one line.
fn tidy_serde_message(msg: &str) -> String {
    msg.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Entry {
        id: String,
        size: u32,
    }

    #[test]
    fn every_bad_entry_is_reported_not_just_the_first() {
        let text = r#"
[[things]]
id = "a"
size = 1
[[things]]
id = "b"
sise = 2
[[things]]
id = "c"
size = "big"
"#;
        let mut table = parse_table(Path::new("x.toml"), text).unwrap();
        let mut c = Collector::default();
        let got: Vec<Entry> = c.take_array("things", table.remove("things"), true);
        assert_eq!(got.len(), 1);
        assert_eq!(c.problems.len(), 2);
        assert_eq!(c.problems[0].location, "things[1] (b)");
        assert!(c.problems[0].message.contains("unknown field `sise`"));
        assert_eq!(c.problems[1].location, "things[2] (c)");
        assert!(c.problems[1].message.contains("invalid type"));
    }

    #[test]
    fn entries_are_found_by_line() {
        let text = "a = 1\n\n[[waves]]\nfile = \"x\"\nid = \"2025\"\n\n[[waves]]\nfile = \"y\"\n";
        assert_eq!(entry_lines(text, "waves"), [5, 7]);
        assert!(entry_lines(text, "questions").is_empty());
    }

    #[test]
    fn syntax_error_names_line_and_column() {
        let err = parse_table(Path::new("x.toml"), "a = 1\nb = [1,\nc = 2\n").unwrap_err();
        assert_eq!(err.problems.len(), 1);
        assert!(err.problems[0].location.starts_with("line 3"), "{err}");
    }
}
