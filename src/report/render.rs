//! A page of the view model as HTML and Markdown, through the templates in
//! `report/templates/` (askama: checked when the crate compiles, so a template cannot name a
//! field the view does not have, and every value is escaped for its format unless it is
//! [`SafeMarkup`]: a chart's SVG or converted Markdown, escaped where it was made).
//!
//! Why askama rather than maud: the templates are files a report writer can read and edit as
//! HTML and Markdown (maud's are Rust macros), one engine writes both formats with an
//! escaper for each, and the data dictionary's Markdown stays Markdown.
//!
//! `report.html` is one self-contained file (inline CSS and SVG, no scripts). Accessibility
//! (WCAG 2.2 AA): real table headers with scope, captions, charts with titles and
//! descriptions, values always printed beside any colour, readable without CSS.

use super::charts::ChartError;
use super::markup::SafeMarkup;
use super::view::{Figure, Item, Page, QuotesPage};
use askama::Template;

/// A page written out: HTML, Markdown, and its charts.
pub struct Rendered {
    pub html: String,
    pub markdown: String,
    /// (file name in `charts/`, contents): every chart as SVG and as PNG.
    pub charts: Vec<(String, Vec<u8>)>,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(transparent)]
    Chart(#[from] ChartError),
    #[error("cannot write the page {title:?}: {message}")]
    Template { title: String, message: String },
}

#[derive(Template)]
#[template(path = "page.html", config = "src/report/templates/askama.toml")]
struct HtmlPage<'a> {
    page: &'a Page,
    /// Each figure's SVG, by its number.
    svgs: &'a [SafeMarkup],
}

impl HtmlPage<'_> {
    fn svg(&self, figure: &Figure) -> &SafeMarkup {
        &self.svgs[figure.number]
    }

    fn markdown_html(&self, text: &str) -> SafeMarkup {
        markdown_to_html(text)
    }
}

#[derive(Template)]
#[template(path = "page.md", config = "src/report/templates/askama.toml")]
struct MarkdownPage<'a> {
    page: &'a Page,
}

#[derive(Template)]
#[template(path = "quotes.md", config = "src/report/templates/askama.toml")]
struct QuotesMarkdown<'a> {
    page: &'a QuotesPage,
}

/// The internal quotes file as Markdown (comments escaped: a comment cannot add markup).
pub fn quotes(page: &QuotesPage) -> Result<String, askama::Error> {
    QuotesMarkdown { page }.render()
}

/// HTML and Markdown for a page; its charts are drawn here, once each, as SVG (inline in the
/// HTML and in `charts/`) and PNG (`charts/`, linked from the Markdown for Word and slides).
pub fn render(page: &Page) -> Result<Rendered, RenderError> {
    let figures = page.figure_list();
    debug_assert!(figures.iter().enumerate().all(|(i, f)| f.number == i));
    let mut svgs = Vec::with_capacity(figures.len());
    let mut charts = Vec::with_capacity(2 * figures.len());
    for f in &figures {
        let svg = f.chart.svg()?;
        charts.push((
            format!("{}.svg", f.chart.name),
            svg.as_str().as_bytes().to_vec(),
        ));
        charts.push((format!("{}.png", f.chart.name), f.chart.png()?));
        svgs.push(svg);
    }
    let failed = |e: askama::Error| RenderError::Template {
        title: page.title.clone(),
        message: e.to_string(),
    };
    let html = HtmlPage { page, svgs: &svgs }.render().map_err(failed)?;
    let markdown = MarkdownPage { page }.render().map_err(failed)?;
    Ok(Rendered {
        html,
        markdown,
        charts,
    })
}

/// Markdown to HTML with any raw HTML in the source shown as text, never interpreted; links
/// only to places in the page, web pages and email addresses (a `javascript:` or other URL
/// becomes its text), and no images (the pack loads nothing from elsewhere).
fn markdown_to_html(text: &str) -> SafeMarkup {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};
    let safe_url = |url: &str| {
        let lower = url.trim().to_ascii_lowercase();
        let scheme = lower.split_once(':').map(|(s, _)| s);
        match scheme {
            None => true,
            Some(s) if s.contains(['/', '?', '#']) => true,
            Some(s) => matches!(s, "http" | "https" | "mailto"),
        }
    };
    // For each open link, whether it is kept (its end tag follows suit).
    let mut links: Vec<bool> = Vec::new();
    let parser = Parser::new_ext(text, Options::ENABLE_TABLES).filter_map(|e| match e {
        Event::Html(t) | Event::InlineHtml(t) => Some(Event::Text(t)),
        Event::Start(Tag::Link { ref dest_url, .. }) => {
            let keep = safe_url(dest_url);
            links.push(keep);
            keep.then_some(e)
        }
        Event::End(TagEnd::Link) => links.pop().unwrap_or(false).then_some(e),
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
        e => Some(e),
    });
    let mut out = String::new();
    html::push_html(&mut out, parser);
    // A Markdown table's header cells are its columns' headers: say so, as the report's do.
    // (Text cannot hold `<th>`: raw HTML in the Markdown was turned into escaped text above.)
    SafeMarkup::escaped_at_source(out.replace("<th>", "<th scope=\"col\">"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::view::{MainPoint, Marker, PageBuilder, Table};

    #[test]
    fn raw_html_in_markdown_is_shown_as_text() {
        let h = markdown_to_html(
            "Baseline <script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n",
        )
        .into_string();
        assert!(!h.contains("<script>") && !h.contains("<img"), "{h}");
        assert!(h.contains("&lt;script&gt;"), "{h}");
    }

    #[test]
    fn markdown_links_go_only_to_pages_and_images_are_dropped() {
        let h = markdown_to_html(
            "[a](javascript:alert(1)) [b](JavaScript:x) [c](https://www.gov.uk) [d](#methods) \
             [e](tables/README.md) ![f](http://evil/x.png) [g](data:text/html,x)",
        )
        .into_string();
        assert!(!h.to_ascii_lowercase().contains("javascript:"), "{h}");
        assert!(!h.contains("<img") && !h.contains("data:"), "{h}");
        for keep in [
            "href=\"https://www.gov.uk\"",
            "href=\"#methods\"",
            "href=\"tables/README.md\"",
        ] {
            assert!(h.contains(keep), "{keep}: {h}");
        }
        assert!(h.starts_with("<p>a b "), "the text stays: {h}");
    }

    /// A small page with markup in every kind of text.
    fn hostile_page() -> Page {
        let mut b = PageBuilder::new(
            "Report <b>",
            Some("Staff survey & <i>feedback</i>"),
            &[("Organisation", "A <script>alert(1)</script> council".into())],
        );
        b.para("Intro with <img src=x onerror=alert(1)> & more");
        b.section("Main <points>");
        b.points(vec![MainPoint {
            marker: Marker::Up,
            text: "Trust | up \"6\" points".into(),
        }]);
        b.section("Tables");
        b.figure(
            crate::report::charts::trend(
                "trend",
                "Trend <b>",
                &["2025".into(), "2026".into()],
                &[("Trust <i>".into(), vec![None, None])],
            ),
            "Caption <em>",
        );
        b.table(Table::new(
            "Caption <u>",
            vec!["Group".into(), "Value | %".into()],
            vec![vec!["<Team>".into(), "1 & 2".into()]],
        ));
        b.finish()
    }

    #[test]
    fn every_value_is_escaped_in_html() {
        let r = render(&hostile_page()).unwrap();
        for raw in [
            "<b>", "<script>", "<img", "<i>", "<points>", "<u>", "<Team>",
        ] {
            assert!(!r.html.contains(raw), "{raw} reached the HTML:\n{}", r.html);
        }
        assert!(
            r.html
                .contains("Intro with &#60;img src=x onerror=alert(1)&#62; &#38; more")
        );
        assert!(
            r.html
                .contains("<h2 id=\"main-points\">Main &#60;points&#62;</h2>")
        );
        assert!(
            r.html.contains("<a href=\"#tables\">Tables</a>"),
            "contents link"
        );
        // The chart's SVG is printed as markup, its texts escaped where it was drawn.
        assert!(r.html.contains("<figure>\n<svg"), "{}", r.html);
        assert!(r.html.contains("Trend &lt;b&gt;") && r.html.contains("Caption &#60;em&#62;"));
        assert_eq!(r.charts.len(), 2, "the chart as SVG and PNG");
    }

    #[test]
    fn quotes_file_escapes_comments_and_says_when_a_theme_has_none() {
        use crate::report::view::{Quote, QuoteTheme};
        let md = quotes(&QuotesPage {
            wave: "2026".into(),
            question: "What one thing would improve trust?".into(),
            names: 3,
            field: "directorate".into(),
            threshold: 10,
            per_theme: 20,
            left_out: 2,
            themes: vec![
                QuoteTheme {
                    label: "Trust".into(),
                    quotes: vec![Quote {
                        text: "<script>x</script> | more".into(),
                        group: "Resources".into(),
                    }],
                },
                QuoteTheme {
                    label: "Pay".into(),
                    quotes: vec![],
                },
            ],
        })
        .unwrap();
        assert!(
            md.contains("2 comments were left out because, after redaction, they still looked like an email address or a long number."),
            "{md}"
        );
        assert!(md.starts_with("# Staff comments by theme, 2026: FOR INTERNAL USE ONLY\n\n> **Not for publication.** Comments to the question “What one thing would improve trust?”"), "{md}");
        assert!(
            md.contains(
                "\n## Trust (1 shown)\n\n- “\\<script\\>x\\</script\\> \\| more” (Resources)\n"
            ),
            "{md}"
        );
        assert!(
            md.ends_with("\n## Pay (0 shown)\n\nNo comment can be shown for this theme.\n"),
            "{md}"
        );
    }

    #[test]
    fn html_templates_never_switch_escaping_off() {
        // Only `SafeMarkup` (charts' SVG, converted Markdown) reaches HTML unescaped.
        for (name, text) in [
            ("page.html", include_str!("templates/page.html")),
            ("item.html", include_str!("templates/item.html")),
        ] {
            for off in ["|safe", "| safe", "escape(", "|e(", "autoescape"] {
                assert!(!text.contains(off), "{name} uses {off}");
            }
        }
    }

    #[test]
    fn markdown_is_escaped_and_tables_keep_their_columns() {
        let r = render(&hostile_page()).unwrap();
        let md = &r.markdown;
        assert!(md.starts_with("# Report \\<b\\>\n\n**Organisation:** A \\<script\\>alert(1)\\</script\\> council  \n\n"), "{md}");
        assert!(md.contains("- ▲ Trust \\| up \"6\" points\n"), "{md}");
        assert!(
            md.contains("| Group | Value \\| % |\n|---|---|\n| \\<Team\\> | 1 & 2 |\n\n"),
            "{md}"
        );
        assert!(
            md.contains("Source: Staff survey & \\<i\\>feedback\\</i\\>\n\n"),
            "{md}"
        );
        assert!(
            md.contains(
                "## Contents\n\n- [Main \\<points\\>](#main-points)\n- [Tables](#tables)\n\n"
            ),
            "{md}"
        );
    }
}
