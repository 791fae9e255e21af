//! Windows paths in the config, as analysts paste them from Explorer: `C:\Users\me\x.csv`.
//! In TOML's double-quoted strings a backslash starts an escape (`\U` must be a Unicode
//! escape, `\n` a new line), so such a path is either a syntax error or quietly a different
//! path. Before parsing, the strings of path settings are read literally: on Windows their
//! backslashes are escaped; elsewhere they become `/`, so a config written on Windows runs on
//! a Linux server too. A string already written with escaped backslashes (`C:\\Users`) is left
//! as TOML reads it (on Windows), and single-quoted strings are literal already.

use regex::Regex;
use std::borrow::Cow;
use std::sync::LazyLock;

/// Settings whose values are file or folder paths (in any section of the pipeline config).
const PATH_KEYS: &[&str] = &[
    "schema",
    "output",
    "store",
    "file",
    "files",
    "headcount",
    "comment_codes",
    "register",
    "names",
];

static KEY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*([A-Za-z_]+)\s*=\s*").expect("valid regex"));
static STRING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#""([^"\n]*)"|'([^'\n]*)'"#).expect("valid regex"));

/// The config text with the path settings' backslashes made safe (see the module comment).
pub fn accept_windows_paths(text: &str) -> Cow<'_, str> {
    if !text.contains('\\') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    // Inside a multi-line array of a path setting (`files = [` ... `]`).
    let mut in_array = false;
    for line in text.split_inclusive('\n') {
        let (is_path, value_at) = match KEY.captures(line) {
            Some(c) if !in_array => {
                let key = c.get(1).map_or("", |m| m.as_str());
                let end = c.get(0).map_or(0, |m| m.end());
                (PATH_KEYS.contains(&key), end)
            }
            _ => (in_array, 0),
        };
        if !is_path || !line.contains('\\') {
            if is_path {
                in_array = opens_array(&line[value_at..], in_array);
            }
            out.push_str(line);
            continue;
        }
        let (head, value) = line.split_at(value_at);
        out.push_str(head);
        out.push_str(&STRING.replace_all(value, |c: &regex::Captures| {
            match (c.get(1), c.get(2)) {
                (Some(s), _) => format!("\"{}\"", basic(s.as_str())),
                (_, Some(s)) => format!("'{}'", literal(s.as_str())),
                _ => c[0].to_string(),
            }
        }));
        in_array = opens_array(value, in_array);
    }
    Cow::Owned(out)
}

/// Whether, after this line's value, we are inside an unclosed `[` array.
fn opens_array(value: &str, was_in: bool) -> bool {
    let code = value.split('#').next().unwrap_or("");
    let opened = code.trim_start().starts_with('[') || was_in;
    opened && !code.contains(']')
}

/// A double-quoted path's text, to be read literally.
fn basic(s: &str) -> String {
    let escaped_already = s.replace("\\\\", "").find('\\').is_none();
    if cfg!(windows) {
        if escaped_already {
            s.to_string()
        } else {
            s.replace('\\', "\\\\")
        }
    } else if escaped_already {
        s.replace("\\\\", "/")
    } else {
        s.replace('\\', "/")
    }
}

/// A single-quoted (literal) path's text.
fn literal(s: &str) -> String {
    if cfg!(windows) {
        s.to_string()
    } else {
        s.replace('\\', "/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_of(text: &str) -> String {
        let t: toml::Table = accept_windows_paths(text).parse().unwrap();
        t["file"].as_str().unwrap().to_string()
    }

    #[test]
    #[cfg(not(windows))]
    fn windows_paths_read_as_written_in_every_quoting() {
        assert_eq!(
            file_of(r#"file = "exports\Users\new\table.csv""#),
            "exports/Users/new/table.csv"
        );
        assert_eq!(file_of(r#"file = "exports\\x.csv""#), "exports/x.csv");
        assert_eq!(file_of(r#"file = 'exports\x.csv'"#), "exports/x.csv");
        assert_eq!(
            file_of(r#"file = "exports/x.csv"  # a \ comment"#),
            "exports/x.csv"
        );
        let t: toml::Table = accept_windows_paths(
            "files = [\n  \"a\\b.csv\",\n  \"c\\d.csv\",\n]\nother = \"\\u00e9\"\n",
        )
        .parse()
        .unwrap();
        assert_eq!(t["files"][1].as_str(), Some("c/d.csv"));
        // Other settings keep TOML's escapes.
        assert_eq!(t["other"].as_str(), Some("é"));
    }

    #[test]
    fn text_without_backslashes_is_untouched() {
        assert!(matches!(
            accept_windows_paths("file = \"a/b.csv\"\n"),
            Cow::Borrowed(_)
        ));
    }
}
