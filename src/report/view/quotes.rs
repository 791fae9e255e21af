//! The internal quotes file (`deep-dives/comment-quotes-internal.md`): redacted comments by
//! theme for the programme team, never published.

/// Everything the quotes file says.
#[derive(Debug)]
pub struct QuotesPage {
    pub wave: String,
    /// The comment question's wording.
    pub question: String,
    /// How many names the redaction list holds.
    pub names: usize,
    /// The field whose published groups the quotes come from, as a reader says it.
    pub field: String,
    pub threshold: u32,
    /// Most quotes listed under one theme.
    pub per_theme: usize,
    /// Comments left out because, redacted, they still held an `@`-like form or a long run of
    /// digits.
    pub left_out: usize,
    pub themes: Vec<QuoteTheme>,
}

#[derive(Debug)]
pub struct QuoteTheme {
    pub label: String,
    pub quotes: Vec<Quote>,
}

/// One redacted comment on one line, and the group it came from.
#[derive(Debug)]
pub struct Quote {
    pub text: String,
    pub group: String,
}
