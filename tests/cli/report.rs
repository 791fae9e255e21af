//! The evidence pack's report: renders in a real browser, is self-contained, escapes inputs,
//! and is the same bytes on every run.

use crate::common::*;
use std::path::Path;

pub(crate) fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            std::process::Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

pub(crate) const FLAGS: [&str; 9] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
];

#[test]
fn report_renders_in_headless_chromium_with_charts_and_tables() {
    let s = Sandbox::new();
    s.copy_dir("schemas", "schemas")
        .copy_dir("sample-data", "sample-data");
    s.run_sample();
    let report = s.path(&format!("{}/report.html", s.pack("sample-data/out")));
    let html = std::fs::read_to_string(&report).unwrap();
    // Self-contained: no scripts, nothing fetched from elsewhere.
    assert!(!html.contains("<script"), "no scripts");
    for attr in ["src=\"http", "href=\"http", "url(http"] {
        assert!(!html.contains(attr), "external resource: {attr}");
    }
    assert!(
        html.contains("<svg") && html.contains("role=\"img\"><title>"),
        "inline, titled charts"
    );
    assert!(html.contains("<th scope=\"col\">"), "real table headers");

    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is not installed: .ci/run installs Debian's chromium package"
        );
        eprintln!("skipped the browser check: install Debian's `chromium` to run it");
        return;
    };
    let profile = s.path("chromium-profile");
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-screenshot");
    std::fs::create_dir_all(&out_dir).unwrap();
    let shot = out_dir.join("report.png");
    let url = format!("file://{}", report.display());
    let dom = std::process::Command::new(browser)
        .args(FLAGS)
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(["--virtual-time-budget=5000", "--dump-dom", &url])
        .output()
        .unwrap();
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom_text = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom_text.contains("<h1>All-staff survey: evidence pack</h1>"),
        "rendered page"
    );
    assert!(
        dom_text.matches("<svg").count() >= 5,
        "charts in the rendered page"
    );
    for title in [
        "<title>Headline indicators by wave, with 95% intervals</title>",
        "<title>Answers to each question, all respondents (2026)</title>",
        "<title>Indicators by directorate compared with the whole organisation (2026)</title>",
    ] {
        assert!(dom_text.contains(title), "rendered chart {title}");
    }
    assert!(
        dom_text.matches("<table").count() >= 5,
        "tables in the rendered page"
    );
    let console = String::from_utf8_lossy(&dom.stderr);
    for line in console.lines() {
        assert!(
            !(line.contains(":CONSOLE(") || line.contains("Uncaught")),
            "console error: {line}"
        );
    }
    let pic = std::process::Command::new(browser)
        .args(FLAGS)
        .arg(format!("--user-data-dir={}", profile.display()))
        .args([
            "--window-size=1200,2400",
            &format!("--screenshot={}", shot.display()),
            &url,
        ])
        .output()
        .unwrap();
    assert!(
        pic.status.success(),
        "{}",
        String::from_utf8_lossy(&pic.stderr)
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "a real screenshot"
    );
    eprintln!("screenshot: {}", shot.display());
}

#[test]
fn html_in_group_names_is_escaped_everywhere() {
    let schema = MINI_SCHEMA.replace(
        r#"categories = ["A dir", "B dir", "C dir"]"#,
        r#"categories = ["<script>alert(1)</script>", "Adults & Health", "C dir"]"#,
    ) + "\n[[indicators]]\nid = \"respect\"\nlabel = \"Respect <b>bold</b>\"\nmethod = \"theme-pct-positive\"\nitems = [\"Q1\", \"Q2\"]\n";
    let data = mini_csv()
        .replace(",A dir,", ",<script>alert(1)</script>,")
        .replace(",B dir,", ",Adults & Health,");
    let s = mini_sandbox(data, "", 0.0);
    s.write("schema.toml", schema);
    s.expect_exit(&["run", "--config", "pipeline.toml"], 0);
    let html = s.read_pack("out", "report.html");
    assert!(
        !html.contains("<script>") && !html.contains("<b>"),
        "markup survived"
    );
    // Escaped (named or numeric entities), so a reader sees the text as typed.
    let text = visible_text(&html);
    assert!(text.contains("Respect <b>bold</b>"), "labels shown as text");
    assert!(text.contains("<script>alert(1)</script>"), "shown as text");
    let md = s.read_pack("out", "report.md");
    assert!(!md.contains("<script>"), "markup survived in Markdown");
    // Markdown escapes with backslashes, never entities: the file reads as typed.
    for entity in ["&amp;", "&lt;", "&gt;", "&#"] {
        assert!(!md.contains(entity), "{entity} in report.md");
    }
    assert!(md.contains("\\<script\\>alert(1)\\</script\\>"), "{md}");
    s.expect_exit(&["audit", &s.pack("out")], 0);
    let charts = s.path(&format!("{}/charts", s.pack("out")));
    let mut svgs = 0;
    for e in std::fs::read_dir(charts).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_some_and(|x| x == "svg") {
            let svg = std::fs::read_to_string(&path).unwrap();
            assert!(
                !svg.contains("<script") && !svg.contains("<b>"),
                "markup survived in {}",
                path.display()
            );
            svgs += 1;
        }
    }
    assert!(svgs >= 2, "charts were checked");
}

#[test]
fn every_chart_is_written_as_svg_and_png_and_linked_from_the_markdown() {
    let s = Sandbox::new();
    s.copy_dir("schemas", "schemas")
        .copy_dir("sample-data", "sample-data");
    s.run_sample();
    let pack = s.pack("sample-data/out");
    for name in [
        "indicators_by_wave",
        "answers",
        "heatmap_directorate",
        "spc_forms_per_attendee",
        "deep_dive_officer_member_trust_trend",
        "deep_dive_officer_member_trust_answers",
        "deep_dive_officer_member_trust_by_directorate",
    ] {
        let svg = s.read(&format!("{pack}/charts/{name}.svg"));
        assert!(
            svg.contains("role=\"img\"><title>"),
            "{name}: accessible svg"
        );
        let png = std::fs::read(s.path(&format!("{pack}/charts/{name}.png"))).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{name}: png");
        // Drawn at twice the SVG's size, for slides.
        let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
        let svg_width: u32 = svg
            .split("width=\"")
            .nth(1)
            .and_then(|w| w.split('"').next())
            .and_then(|w| w.parse().ok())
            .unwrap();
        assert_eq!(width, 2 * svg_width, "{name}");
    }
    // Every headline indicator is charted, morale (out of 10) and eNPS included.
    let panels = s.read(&format!("{pack}/charts/indicators_by_wave.svg"));
    for want in [
        "Morale and wellbeing (out of 10, axis from 4 to 8, broken below): 2025: 6.64",
        "Employee Net Promoter Score (eNPS, axis from -70 to -30, broken below): 2025: -42.1",
        "Officer-member trust (% positive, axis from 20 to 60, broken below): 2025: 40.4",
    ] {
        assert!(panels.contains(want), "{want}");
    }
    assert!(
        !std::path::Path::new(&s.path(&format!("{pack}/charts/indicator_trends.svg"))).exists()
    );
    // The diverging chart says what it shows, question by question.
    let answers = s.read(&format!("{pack}/charts/answers.svg"));
    assert!(
        answers.contains(
            "Officers and elected members at the Council work together with mutual trust: "
        )
    );
    assert!(answers.contains("% positive, "));
    // Markdown links PNGs (Word and slides take them) and every link resolves.
    for (md, base) in [
        ("report.md".to_string(), pack.clone()),
        (
            "deep-dives/officer_member_trust.md".to_string(),
            format!("{pack}/deep-dives"),
        ),
    ] {
        let text = s.read(&format!("{pack}/{md}"));
        let links: Vec<&str> = text
            .split("](")
            .skip(1)
            .filter_map(|l| l.split(')').next())
            .filter(|l| l.ends_with(".png"))
            .collect();
        assert!(links.len() >= 3, "{md}: {links:?}");
        for l in links {
            assert!(s.exists(&format!("{base}/{l}")), "{md}: broken link {l}");
        }
    }
}

#[test]
fn two_runs_give_byte_identical_tables_charts_reports_and_workbook() {
    let s = Sandbox::new();
    s.copy_dir("schemas", "schemas")
        .copy_dir("sample-data", "sample-data");
    for out in ["a", "b"] {
        s.expect_exit(
            &[
                "-q",
                "run",
                "--config",
                SAMPLE_CONFIG,
                "--reimport",
                "--out",
                out,
            ],
            0,
        );
    }
    let files = |dir: &str| {
        let mut v: Vec<String> = Vec::new();
        for sub in ["", "tables", "charts"] {
            for e in std::fs::read_dir(s.path(&format!("{dir}/{sub}"))).unwrap() {
                let e = e.unwrap();
                if e.file_type().unwrap().is_file() && e.file_name() != "manifest.json" {
                    v.push(format!("{sub}/{}", e.file_name().to_string_lossy()));
                }
            }
        }
        v.sort();
        v
    };
    let (a, b) = (files("a"), files("b"));
    assert_eq!(a, b);
    assert!(a.len() >= 20, "{a:?}");
    for f in &a {
        let (x, y) = (
            std::fs::read(s.path(&format!("a/{f}"))).unwrap(),
            std::fs::read(s.path(&format!("b/{f}"))).unwrap(),
        );
        assert!(x == y, "{f} differs between runs");
    }
}

#[test]
fn deep_dive_for_one_indicator() {
    let s = Sandbox::new();
    s.copy_dir("schemas", "schemas")
        .copy_dir("sample-data", "sample-data");
    s.expect_exit(
        &[
            "-q",
            "run",
            "--config",
            SAMPLE_CONFIG,
            "--deep-dive",
            "respect",
        ],
        0,
    );
    for id in ["officer_member_trust", "respect"] {
        let html = s.read(&format!(
            "{}/deep-dives/{id}.html",
            s.pack("sample-data/out")
        ));
        assert!(html.contains("<h1>Deep dive: "), "{id}");
        assert!(
            html.contains("by directorate and grade"),
            "{id}: crosses are included"
        );
        assert!(html.contains("<svg"), "{id}: chart");
        let md = s.read(&format!("{}/deep-dives/{id}.md", s.pack("sample-data/out")));
        assert!(
            md.contains("](../charts/deep_dive_"),
            "{id}: chart links resolve from deep-dives/"
        );
    }
    let html = s.read_pack("sample-data/out", "deep-dives/officer_member_trust.html");
    assert!(
        html.contains(
            "Officers and elected members at the Council work together with mutual trust"
        )
    );
    assert!(!html.contains("S19:"), "wording, not question ids");
    // Members' view of officers' advice is a different construct from the staff's trust: it
    // is not paired with this deep dive. Respect is paired with members' respect for officers.
    assert!(
        !html.contains("(meetings)</title>"),
        "no paired meeting series"
    );
    let respect = s.read_pack("sample-data/out", "deep-dives/respect.html");
    assert!(respect.contains("<h2 id=\"member-meeting-feedback\">Member-meeting feedback</h2>"));
    assert!(respect.contains("<title>Officer-member respect</title>"));
    assert!(
        !respect.contains("<title>Officers&#39; advice impartial and helpful (meetings)</title>")
    );
    let bad = s.expect_exit(
        &[
            "-q",
            "run",
            "--config",
            SAMPLE_CONFIG,
            "--deep-dive",
            "happiness",
        ],
        2,
    );
    assert!(
        stderr(&bad)
            .contains("not an indicator in the schema; choose one of: officer_member_trust"),
        "{}",
        stderr(&bad)
    );
}

/// The text a reader of an HTML page sees, one block a line: no styles, charts as their
/// accessible name and description, entities decoded.
/// Named and numeric character references (`&lt;`, `&#60;`, `&#x3C;`) as the characters they
/// stand for, as a browser shows them.
fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.find(';').filter(|&j| j <= 10);
        let entity = end.map(|j| &rest[1..j]);
        let ch = match entity {
            Some("lt") => Some('<'),
            Some("gt") => Some('>'),
            Some("amp") => Some('&'),
            Some("quot") => Some('"'),
            Some("apos") => Some('\''),
            Some("nbsp") => Some(' '),
            Some(e) if e.starts_with("#x") || e.starts_with("#X") => {
                u32::from_str_radix(&e[2..], 16)
                    .ok()
                    .and_then(char::from_u32)
            }
            Some(e) if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match (ch, end) {
            (Some(c), Some(j)) => {
                out.push(c);
                rest = &rest[j + 1..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

pub(crate) fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    // Drop <style> and <head> matter; keep <svg> only as its <title> and <desc>.
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let tag_end = rest[i..].find('>').map_or(rest.len(), |j| i + j + 1);
        let tag = &rest[i..tag_end];
        let name: String = tag[1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '/')
            .collect::<String>()
            .to_ascii_lowercase();
        rest = &rest[tag_end..];
        match name.as_str() {
            "style" | "script" | "head" => {
                let close = format!("</{name}>");
                rest = rest.find(&close).map_or("", |j| &rest[j + close.len()..]);
            }
            "svg" => {
                let end = rest.find("</svg>").unwrap_or(rest.len());
                let svg = &rest[..end];
                let inner = |t: &str| {
                    let open = format!("<{t}>");
                    svg.find(&open).and_then(|a| {
                        let a = a + open.len();
                        svg[a..]
                            .find(&format!("</{t}>"))
                            .map(|b| svg[a..a + b].to_string())
                    })
                };
                out.push_str(&format!(
                    "\n[chart: {} | {}]\n",
                    inner("title").unwrap_or_default(),
                    inner("desc").unwrap_or_default()
                ));
                rest = rest.get(end + "</svg>".len()..).unwrap_or("");
            }
            "p" | "/p" | "br" | "h1" | "/h1" | "h2" | "/h2" | "h3" | "/h3" | "tr" | "/tr"
            | "li" | "caption" | "/caption" | "figcaption" | "/figcaption" | "div" | "/div"
            | "table" | "/table" => out.push('\n'),
            "td" | "th" => out.push_str(" | "),
            _ => {}
        }
    }
    out.push_str(rest);
    let decoded = decode_entities(&out);
    decoded
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// What the board reads, pinned before the report is rebuilt (issue 14): any change to the
/// sample's report.md, the report page's visible text or the trust deep dive is deliberate.
#[test]
fn sample_report_text_is_pinned() {
    let s = Sandbox::new();
    s.copy_dir("schemas", "schemas")
        .copy_dir("sample-data", "sample-data");
    s.expect_exit(&["-q", "run", "--config", SAMPLE_CONFIG, "--out", "out"], 0);
    let read = |p: &str| std::fs::read_to_string(s.path(p)).unwrap();
    insta::assert_snapshot!("report_md", read("out/report.md"));
    insta::assert_snapshot!("report_html_text", visible_text(&read("out/report.html")));
    insta::assert_snapshot!(
        "deep_dive_trust_md",
        read("out/deep-dives/officer_member_trust.md")
    );
    insta::assert_snapshot!(
        "deep_dive_trust_html_text",
        visible_text(&read("out/deep-dives/officer_member_trust.html"))
    );
}

/// Ids a reader could meet: the schema's question, indicator and demographic ids that do not
/// read as words (`S19`, `officer_member_trust`, `line_manager`; not `respect`).
fn id_like(schema_toml: &str) -> Vec<String> {
    let v: toml::Value = toml::from_str(schema_toml).unwrap();
    let mut out = Vec::new();
    for section in ["questions", "indicators", "demographics"] {
        for e in v[section].as_array().unwrap() {
            let id = e["id"].as_str().unwrap();
            if id.chars().any(|c| c.is_ascii_digit() || c == '_') {
                out.push(id.to_string());
            }
        }
    }
    out
}

/// Every place `id` stands as a word in `text`, ignoring link targets and file names.
fn id_hits(text: &str, id: &str) -> Vec<String> {
    let mut hits = Vec::new();
    for line in text.lines() {
        // Link targets and chart file names are for software, not readers.
        let mut reader = String::new();
        let mut rest = line;
        while let Some(i) = rest.find("](") {
            reader.push_str(&rest[..i]);
            rest = rest[i..].find(')').map_or("", |j| &rest[i + j + 1..]);
        }
        reader.push_str(rest);
        let bytes = reader.as_bytes();
        let mut from = 0;
        while let Some(i) = reader[from..].find(id) {
            let at = from + i;
            let before = at.checked_sub(1).map(|b| bytes[b]);
            let after = bytes.get(at + id.len()).copied();
            let word = |c: Option<u8>| {
                c.is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'/' || c == b'.')
            };
            if !word(before) && !word(after) {
                hits.push(line.chars().take(160).collect());
                break;
            }
            from = at + id.len();
        }
    }
    hits
}

/// Methods' technical names, which readers meet only in the data dictionary's methods section
/// and glossary.
const JARGON: [&str; 17] = [
    "Benjamini",
    "Hochberg",
    "Yekutieli",
    "q-value",
    "LMG",
    "Shapley",
    "R²",
    "p-chart",
    "Newcombe",
    "Wilson",
    "Welch",
    "Kish",
    "bootstrap",
    "finite population correction",
    "z test",
    "p below",
    "regression",
];

/// Codes (`outside_limits`, `not_labelled`, a column name) in a reader's text: a word joined
/// by underscores, not part of a file name or path.
fn code_hits(text: &str) -> Vec<String> {
    let mut hits = Vec::new();
    for line in text.lines() {
        for word in line.split(|c: char| c.is_whitespace() || "()[],;:'\"“”|".contains(c)) {
            let word = word.trim_end_matches('.');
            let code = word.contains('_')
                && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && word.chars().any(|c| c.is_ascii_lowercase());
            if code {
                hits.push(format!(
                    "`{word}` in: {}",
                    line.chars().take(160).collect::<String>()
                ));
            }
        }
    }
    hits
}

/// Markdown syntax shown as text in a web page: emphasis asterisks, links, backticks.
fn markdown_hits(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| {
            l.contains("**")
                || l.contains("](")
                || l.contains('`')
                || l.split(' ')
                    .any(|w| w.len() > 2 && w.starts_with('*') && w.ends_with('*'))
        })
        .map(|l| l.chars().take(160).collect())
        .collect()
}

/// Readers see wording and labels: no question, indicator or field id, no code, no method's
/// technical name and no Markdown syntax in the report, the deep dive or a directorate's report
/// (the data dictionary, written for Power BI authors, names columns, keys and methods).
#[test]
fn no_ids_jargon_or_codes_where_readers_look() {
    let s = Sandbox::new();
    s.copy_dir("schemas", "schemas")
        .copy_dir("sample-data", "sample-data");
    s.expect_exit(&["-q", "run", "--config", SAMPLE_CONFIG, "--out", "out"], 0);
    let ids = id_like(&std::fs::read_to_string(s.path("schemas/staff-survey.toml")).unwrap());
    assert!(ids.contains(&"S19".to_string()) && ids.contains(&"officer_member_trust".to_string()));
    // The scanners find an id as a word and ignore file names and link targets.
    assert_eq!(id_hits("| S19: Officers and members", "S19").len(), 1);
    assert!(id_hits("by line_manager (2026)", "line_manager").len() == 1);
    assert!(
        id_hits(
            "![Trust](../charts/deep_dive_officer_member_trust.png)",
            "officer_member_trust"
        )
        .is_empty()
    );
    assert_eq!(code_hits("| Forms | 2025-12 (outside_limits) |").len(), 1);
    assert!(code_hits("see tables/fact_item_results.csv and charts/spc_x.png").is_empty());
    assert_eq!(markdown_hits("Quadrant: *Priority* here").len(), 1);
    let reader_part = |text: String| match text.find("Data dictionary") {
        Some(i) => text[..i].to_string(),
        None => text,
    };
    let read = |p: &str| std::fs::read_to_string(s.path(p)).unwrap();
    let mut pages = vec![
        (
            "report.md".to_string(),
            reader_part(read("out/report.md")),
            false,
        ),
        (
            "report.html".to_string(),
            reader_part(visible_text(&read("out/report.html"))),
            true,
        ),
        (
            "trust deep dive (md)".to_string(),
            reader_part(read("out/deep-dives/officer_member_trust.md")),
            false,
        ),
        (
            "trust deep dive (html)".to_string(),
            reader_part(visible_text(&read(
                "out/deep-dives/officer_member_trust.html",
            ))),
            true,
        ),
    ];
    let units: Vec<_> = std::fs::read_dir(s.path("out/unit-reports"))
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    for path in units {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        match path.extension().and_then(|x| x.to_str()) {
            Some("html") => pages.push((name, visible_text(&text), true)),
            Some("md") => pages.push((name, text, false)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    for (page, text, html) in &pages {
        for id in &ids {
            for hit in id_hits(text, id) {
                found.push(format!("{page}: `{id}` in: {hit}"));
            }
        }
        for term in JARGON {
            for line in text.lines().filter(|l| l.contains(term)) {
                found.push(format!(
                    "{page}: {term:?} in: {}",
                    line.chars().take(160).collect::<String>()
                ));
            }
        }
        for hit in code_hits(text) {
            found.push(format!("{page}: {hit}"));
        }
        if *html {
            for hit in markdown_hits(text) {
                found.push(format!("{page}: Markdown in: {hit}"));
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// Pages of a PDF as Chromium writes it (each page object says `/Type /Page`).
pub(crate) fn pdf_pages(pdf: &[u8]) -> usize {
    let needle = b"/Type";
    let mut pages = 0;
    let mut i = 0;
    while let Some(at) = pdf[i..].windows(needle.len()).position(|w| w == needle) {
        let mut j = i + at + needle.len();
        while pdf.get(j).is_some_and(|c| c.is_ascii_whitespace()) {
            j += 1;
        }
        if pdf[j..].starts_with(b"/Page") && pdf.get(j + 5).is_none_or(|c| *c != b's') {
            pages += 1;
        }
        i = j;
    }
    pages
}

#[test]
fn a_meeting_indicator_paired_with_an_unknown_staff_indicator_is_a_config_error() {
    let s = Sandbox::new();
    s.copy_dir("schemas", "schemas")
        .copy_dir("sample-data", "sample-data");
    let schema = std::fs::read_to_string(s.path("schemas/member-feedback.toml")).unwrap();
    s.write(
        "schemas/member-feedback.toml",
        schema.replace("counterpart = \"respect\"", "counterpart = \"respekt\""),
    );
    let out = s.expect_exit(&["-q", "run", "--config", SAMPLE_CONFIG], 2);
    assert!(
        stderr(&out).contains("indicators (officer_member_respect).counterpart: `respekt` is not an indicator of the staff survey schema"),
        "{}",
        stderr(&out)
    );
}
