//! Coded comments: which themes each respondent's comment was coded to, as a vendor or an
//! analyst delivers them. Either one row per response and theme (`response_id,theme`) or one
//! row per response with its themes in one cell (`response_id,themes` with `;`, `|` or `,`
//! between them). Themes are matched by id or label (any case). Every problem is reported with
//! its line and column, all at once; a code for a response that is not an accepted response of
//! the wave stops the run rather than being dropped.

use crate::schema::Schema;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The codes of one wave's file: (response id, theme indexes), in file order.
#[derive(Debug, Clone, Default)]
pub struct CommentCodes {
    pub file: PathBuf,
    pub codes: Vec<(String, u64, BTreeSet<usize>)>,
}

#[derive(Debug, thiserror::Error)]
#[error("{}: {} problem(s) in the coded comments file:\n{}", file.display(), problems.len(), problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
pub struct CommentCodesError {
    pub file: PathBuf,
    pub problems: Vec<String>,
}

fn theme_of(schema: &Schema, s: &str) -> Option<usize> {
    let s = s.trim();
    schema
        .comment_themes
        .iter()
        .position(|t| t.id.eq_ignore_ascii_case(s) || t.label.trim().eq_ignore_ascii_case(s))
}

/// Read a coded comments file.
pub fn load(file: &Path, schema: &Schema) -> Result<CommentCodes, CommentCodesError> {
    let err = |problems: Vec<String>| CommentCodesError {
        file: file.to_path_buf(),
        problems,
    };
    let table = super::reference::read(file).map_err(err)?;
    let mut problems = table.problems.clone();
    let col = |c: &str| table.header.iter().position(|h| h.eq_ignore_ascii_case(c));
    let id_col = col("response_id");
    let theme_col = col("theme").or_else(|| col("themes"));
    if id_col.is_none() || theme_col.is_none() {
        return Err(err(vec![format!(
            "line 1: the header needs `response_id` and `theme` (one theme per row) or `themes` (several in one cell); found: {}",
            table.header.join(", ")
        )]));
    }
    let (id_col, theme_col) = (id_col.expect("checked"), theme_col.expect("checked"));
    let known = || {
        schema
            .comment_themes
            .iter()
            .map(|t| t.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = CommentCodes {
        file: file.to_path_buf(),
        codes: Vec::new(),
    };
    for (line, rec) in &table.rows {
        let id = rec.get(id_col).unwrap_or("").trim();
        if id.is_empty() {
            problems.push(format!(
                "line {line}, column {}: empty response id",
                super::layout::column_letter(id_col)
            ));
            continue;
        }
        let mut themes = BTreeSet::new();
        let cell = rec.get(theme_col).unwrap_or("");
        for part in cell
            .split([';', '|', ','])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            match theme_of(schema, part) {
                Some(t) => {
                    themes.insert(t);
                }
                None => problems.push(format!(
                    "line {line}, column {}: `{part}` is not a comment theme in the schema; known: {}",
                    super::layout::column_letter(theme_col),
                    known()
                )),
            }
        }
        out.codes.push((id.to_string(), *line, themes));
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(err(problems))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Schema {
        crate::schema::testing::schema(
            r#"
[[questions]]
id = "T01"
text = "What would help?"
type = "free-text"
[[comment_themes]]
id = "conduct"
label = "Members' conduct"
[[comment_themes]]
id = "training"
label = "Training for councillors"
"#,
        )
    }

    #[test]
    fn long_and_wide_files_and_labels_are_all_read() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("codes.csv");
        std::fs::write(
            &f,
            "Response_ID,Themes\nR1,conduct; Training for councillors\nR2,CONDUCT\n",
        )
        .unwrap();
        let c = load(&f, &schema()).unwrap();
        assert_eq!(c.codes.len(), 2);
        assert_eq!(c.codes[0].2, BTreeSet::from([0, 1]));
        assert_eq!(c.codes[1].2, BTreeSet::from([0]));
    }

    #[test]
    fn unknown_themes_and_empty_ids_are_reported_with_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("codes.csv");
        std::fs::write(&f, "response_id,theme\nR1,parking\n,conduct\n").unwrap();
        let text = load(&f, &schema()).unwrap_err().to_string();
        assert!(
            text.contains("line 2, column B: `parking` is not a comment theme in the schema; known: conduct, training"),
            "{text}"
        );
        assert!(
            text.contains("line 3, column A: empty response id"),
            "{text}"
        );
    }
}
