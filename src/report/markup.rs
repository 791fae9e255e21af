//! Escaping for the markup the pack writes (HTML, SVG and Markdown): every text that comes
//! from inputs goes through here before it reaches a page or a chart. The page templates
//! escape every value by default (HTML with askama's escaper, Markdown with [`Markdown`]);
//! the only markup they print as it is comes as [`SafeMarkup`], which only this crate's chart
//! drawing and Markdown conversion make, each escaping the text it puts in.

use std::fmt;

/// Markup this crate wrote and escaped at its source: a chart's SVG (its title, description
/// and labels escaped as they are drawn), or HTML converted from the data dictionary's
/// Markdown with any raw HTML in it shown as text. Templates print it without escaping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SafeMarkup(String);

impl SafeMarkup {
    /// Only for markup whose every input text has been escaped on the way in.
    pub(super) fn escaped_at_source(markup: String) -> Self {
        SafeMarkup(markup)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for SafeMarkup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl askama::filters::HtmlSafe for SafeMarkup {}

/// The Markdown templates' escaper: no HTML and no entities (`<`, `>`, and an `&` that could
/// start a character reference, escaped with a backslash as CommonMark allows, so the file
/// reads as written: `Adults & Health`), no pipes (they would split a table cell), no line
/// breaks. Apostrophes and quotes stay as they are.
#[derive(Debug, Clone, Copy, Default)]
pub struct Markdown;

impl askama::filters::Escaper for Markdown {
    fn write_escaped_str<W: fmt::Write>(&self, mut dest: W, string: &str) -> fmt::Result {
        let mut rest = string;
        while let Some(i) = rest.find(['&', '<', '>', '|', '\n', '\r', ']']) {
            dest.write_str(&rest[..i])?;
            dest.write_str(match rest.as_bytes()[i] {
                // `&amp;` or `&#60;` would be read as a character reference.
                b'&' if rest
                    .as_bytes()
                    .get(i + 1)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'#') =>
                {
                    "\\&"
                }
                b'&' => "&",
                b'<' => "\\<",
                b'>' => "\\>",
                b'|' => "\\|",
                // `](`, `][` and `]:` would make a link, an image or a link definition out of
                // a value; a lone `[c]` stays as it is.
                b']' if matches!(rest.as_bytes().get(i + 1), Some(b'(' | b'[' | b':')) => "]\\",
                b']' => "]",
                _ => " ",
            })?;
            rest = &rest[i + 1..];
        }
        dest.write_str(rest)
    }
}

/// Escape text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn markdown(s: &str) -> String {
        let mut out = String::new();
        askama::filters::Escaper::write_escaped_str(&Markdown, &mut out, s).unwrap();
        out
    }

    #[test]
    fn markdown_cells_are_escaped() {
        assert_eq!(
            markdown("a|b\n<c> & Council's \"x\""),
            "a\\|b \\<c\\> & Council's \"x\""
        );
        // No entity can be written, and none is read: `&amp;` stays as typed.
        assert_eq!(markdown("AT&T &amp; &#60;"), "AT\\&T \\&amp; \\&#60;");
        assert_eq!(markdown("a\r\nb"), "a  b");
        // No links, images or link definitions from values; `[c]` stays readable.
        assert_eq!(
            markdown("[b](javascript:alert(1))"),
            "[b]\\(javascript:alert(1))"
        );
        assert_eq!(
            markdown("![x](http://evil/p.png)"),
            "![x]\\(http://evil/p.png)"
        );
        assert_eq!(markdown("[r]: javascript:x"), "[r]\\: javascript:x");
        assert_eq!(markdown("[a][r]"), "[a]\\[r]");
        assert_eq!(markdown("45.2 [c] [u]"), "45.2 [c] [u]");
    }

    #[test]
    fn markup_characters_are_escaped() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }
}
