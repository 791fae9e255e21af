//! The pack's pages as readers get them: printed by Chromium on A4 (the board report in at most
//! 8 pages with no heading, caption or table header stranded at a page's foot; each unit report
//! in at most 4), checked by axe-core for WCAG 2.2 A and AA, and the unit reports' figures read
//! against the tables and audited.

use crate::common::*;
use crate::report::{FLAGS, chromium, pdf_pages, visible_text};
use std::path::{Path, PathBuf};

/// The sample pack (with its unit reports), run once for the tests of this file.
fn sample() -> &'static Sandbox {
    static PACK: std::sync::OnceLock<Sandbox> = std::sync::OnceLock::new();
    PACK.get_or_init(|| {
        let s = Sandbox::new();
        s.copy_dir("schemas", "schemas")
            .copy_dir("sample-data", "sample-data");
        s.run_sample();
        s
    })
}

/// A file of the sample's pack.
fn out(s: &Sandbox, rel: &str) -> PathBuf {
    s.path(&format!("{}/{rel}", s.pack("sample-data/out")))
}

/// Chromium, or why the test is skipped (never on CI, which installs it).
fn browser() -> Option<&'static str> {
    let b = chromium();
    if b.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is not installed: .ci/run installs Debian's chromium package"
        );
        eprintln!("skipped: install Debian's `chromium` to run it");
    }
    b
}

/// `page` printed to PDF on A4 by headless Chromium, as a reader's Print would.
fn print_pdf(browser: &str, s: &Sandbox, page: &Path, pdf: &Path) -> Vec<u8> {
    let profile = s.path(&format!(
        "chromium-profile-{}",
        pdf.file_stem().unwrap().to_string_lossy()
    ));
    let print = std::process::Command::new(browser)
        .args(FLAGS)
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(["--no-pdf-header-footer", "--virtual-time-budget=5000"])
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        print.status.success(),
        "{}",
        String::from_utf8_lossy(&print.stderr)
    );
    let bytes = std::fs::read(pdf).unwrap();
    let a4 = b"/MediaBox [0 0 594.9";
    assert!(
        bytes.windows(a4.len()).any(|w| w == a4),
        "A4 pages (595 x 842 points)"
    );
    bytes
}

/// The last lines of text on each page of a PDF (pypdf's reading), all but the last page.
fn page_tails(pdf: &Path) -> Vec<Vec<String>> {
    let script = "import sys, json\n\
        from pypdf import PdfReader\n\
        pages = PdfReader(sys.argv[1]).pages\n\
        tails = []\n\
        for p in pages[:-1]:\n\
        \x20   lines = [l.strip() for l in p.extract_text().splitlines() if l.strip()]\n\
        \x20   tails.append(lines[-2:])\n\
        print(json.dumps(tails))\n";
    let out = python(["-c".as_ref(), script.as_ref(), pdf.as_os_str()], None);
    serde_json::from_slice(&out).unwrap()
}

/// What must not end a page: headings, table captions and table header rows, as their text.
fn page_openers(html: &str) -> Vec<String> {
    let text = |from: &str, to: &str| -> Vec<String> {
        html.split(from)
            .skip(1)
            .filter_map(|rest| rest.split(to).next())
            .map(|inner| {
                let tagless: String = inner
                    .split('<')
                    .map(|part| part.split_once('>').map_or(part, |(_, t)| t))
                    .collect::<Vec<_>>()
                    .join(" ");
                visible_text(&tagless)
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .filter(|t| t.len() >= 6)
            .collect()
    };
    let mut out = Vec::new();
    for (from, to) in [
        ("<h2", "</h2>"),
        ("<h3", "</h3>"),
        ("<caption>", "</caption>"),
        ("<thead>", "</thead>"),
    ] {
        out.extend(text(from, to));
    }
    out
}

/// The board report prints on A4 in at most 8 pages (the print stylesheet, the data dictionary
/// on its own page) and no page ends with a heading, a table's caption or its header row.
#[test]
fn board_report_prints_on_at_most_eight_a4_pages_with_nothing_stranded() {
    let Some(browser) = browser() else { return };
    let s = sample();
    let pdf = s.path("report.pdf");
    let bytes = print_pdf(browser, s, &out(s, "report.html"), &pdf);
    let pages = pdf_pages(&bytes);
    assert!(
        (1..=8).contains(&pages),
        "the board report prints on {pages} A4 pages"
    );
    // The dictionary is a page of its own, linked from the report.
    let report = std::fs::read_to_string(out(s, "report.html")).unwrap();
    assert!(!report.contains("## Tables") && !report.contains("<h2>Relationships</h2>"));
    assert!(report.contains("data-dictionary.html"));
    assert!(
        !report.split("<figure class=\"half\">").skip(1).any(|f| f
            .split("</figure>")
            .next()
            .unwrap_or("")
            .contains("Control chart of")),
        "control charts print one to a row"
    );
    let dictionary = std::fs::read_to_string(out(s, "data-dictionary.html")).unwrap();
    assert!(dictionary.contains("<h2>Relationships</h2>"));
    // The dictionary: methods first, then a glossary, then the relationships drawn (an SVG made
    // at build time, no script and no Mermaid text), then the tables.
    let at = |needle: &str| {
        dictionary
            .find(needle)
            .unwrap_or_else(|| panic!("the dictionary has no {needle}"))
    };
    assert!(at("<h2>Suppression</h2>") < at("<h2>Glossary</h2>"));
    assert!(at("<h2>Glossary</h2>") < at("<h2>Relationships</h2>"));
    assert!(at("<title>How the tables relate</title>") < at("<h2>Tables</h2>"));
    assert!(!dictionary.contains("mermaid") && !dictionary.contains("erDiagram"));
    assert!(!dictionary.contains("<script"));
    if !python_has("pypdf") {
        return;
    }
    let openers = page_openers(&report);
    assert!(
        openers
            .iter()
            .any(|o| o == "Largest significant changes since the previous wave")
            && openers.iter().any(|o| o.starts_with("Indicator 2025 2026")),
        "headings and header rows: {openers:?}"
    );
    let mut stranded = Vec::new();
    for (i, tail) in page_tails(&pdf).iter().enumerate() {
        for line in tail.iter().rev().take(1) {
            if openers
                .iter()
                .any(|o| o == line || (line.len() >= 12 && o.starts_with(line.as_str())))
            {
                stranded.push(format!("page {} ends with {line:?}", i + 1));
            }
        }
    }
    assert!(stranded.is_empty(), "{}", stranded.join("\n"));
}

/// The unit reports of the sample, by file name (no extension).
fn unit_reports(s: &Sandbox) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(out(s, "unit-reports"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "html"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// `[unit_reports] breakdown = "directorate"`: one report for each directorate with published
/// figures, named for it; its headline figures are those of `fact_indicator_results`, and the
/// audit reads it.
#[test]
fn unit_reports_one_per_published_directorate_with_the_tables_figures() {
    let s = sample();
    assert_eq!(
        unit_reports(s),
        [
            "chief-executives-office",
            "childrens-services",
            "communities",
            "health-adults-and-community",
            "housing-and-regeneration",
            "place",
            "resources"
        ],
        "the Mayor's Office (too few answers) and Not stated get none"
    );
    let read =
        |t: &str| rows(&std::fs::read_to_string(out(s, &format!("tables/{t}.csv"))).unwrap());
    let results = read("fact_indicator_results");
    let names = read("dim_indicator");
    let label = |id: &str| {
        names
            .iter()
            .find(|r| r["indicator_id"] == id)
            .map(|r| r["indicator_name"].clone())
            .unwrap()
    };
    let md = std::fs::read_to_string(out(s, "unit-reports/resources.md")).unwrap();
    assert!(
        md.starts_with("# Resources: All-staff survey 2026\n"),
        "{md}"
    );
    assert!(md.contains("**Report for:** Directorate: Resources"));
    // Every headline row: the group's value and n, and the organisation's, as the table has them.
    let mut checked = 0;
    for r in results.iter().filter(|r| {
        r["wave_id"] == "2026"
            && r["group_key"] == "directorate=Resources"
            && r["suppressed"] == "false"
    }) {
        let org = results
            .iter()
            .find(|o| {
                o["wave_id"] == "2026"
                    && o["indicator_id"] == r["indicator_id"]
                    && o["group_key"] == "overall"
            })
            .unwrap();
        let row = format!(
            "| {} | {} | {} | {} |",
            label(&r["indicator_id"]),
            r["value"],
            r["n"],
            org["value"]
        );
        assert!(md.contains(&row), "{row} in:\n{md}");
        checked += 1;
    }
    assert!(checked >= 10, "{checked} indicators");
    // A withheld figure is [c] in the directorate's report too.
    let ceo = std::fs::read_to_string(out(s, "unit-reports/chief-executives-office.md")).unwrap();
    assert!(
        ceo.contains("| Respect | [c] | [c] | 70.0 | [c] | - |"),
        "{ceo}"
    );
    s.expect_exit(&["audit", "--config", SAMPLE_CONFIG], 0);
    // The end of the run says where they are.
    let again = s.expect_exit(&["run", "--config", SAMPLE_CONFIG, "--out", "again"], 0);
    assert!(
        stderr(&again)
            .contains("Start with report.html; unit-reports/ has 7 reports by directorate;"),
        "{}",
        stderr(&again)
    );
}

/// A withheld figure planted in a unit report, with the manifest's hash made to match so that
/// only the reading of the page can catch it, fails the audit, which names the page and row.
#[test]
fn withheld_figure_planted_in_a_unit_report_fails_the_audit() {
    let (ok, report) = sample().audit_tampered_copy("tampered-unit", |d| {
        let file = "unit-reports/chief-executives-office.html";
        let path = d.join(file);
        let html = std::fs::read_to_string(&path).unwrap();
        let row = "<tr><th scope=\"row\">Respect</th><td>[c]</td><td>[c]</td>";
        assert!(html.contains(row), "{html}");
        let planted = html.replacen(
            row,
            "<tr><th scope=\"row\">Respect</th><td>71.0</td><td>12</td>",
            1,
        );
        std::fs::write(&path, &planted).unwrap();
        reseal(d, file, planted.as_bytes());
    });
    assert!(!ok, "the planted figure passed:\n{report}");
    assert!(
        report.contains("unit-reports/chief-executives-office.html:")
            && report
                .contains("Respect shows `71.0` for directorate=Chief Executive's Office, 2026"),
        "{report}"
    );
    assert!(
        !report.contains("sha256"),
        "caught by reading the page, not by its hash:\n{report}"
    );
}

/// Make the manifest's hash and size of `file` match `bytes`.
fn reseal(dir: &Path, file: &str, bytes: &[u8]) {
    use sha2::Digest;
    let path = dir.join("manifest.json");
    let mut m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let hash: String = sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    for o in m["outputs"].as_array_mut().unwrap() {
        if o["path"] == file {
            o["sha256"] = hash.clone().into();
            o["bytes"] = bytes.len().into();
        }
    }
    std::fs::write(&path, serde_json::to_string_pretty(&m).unwrap()).unwrap();
}

/// Each unit report prints on at most 4 A4 pages.
#[test]
fn unit_reports_print_on_at_most_four_a4_pages() {
    let Some(browser) = browser() else { return };
    let s = sample();
    for name in unit_reports(s) {
        let pdf = s.path(&format!("{name}.pdf"));
        let bytes = print_pdf(
            browser,
            s,
            &out(s, &format!("unit-reports/{name}.html")),
            &pdf,
        );
        let pages = pdf_pages(&bytes);
        assert!(
            (1..=4).contains(&pages),
            "{name} prints on {pages} A4 pages"
        );
    }
}

/// axe-core (WCAG 2.2 A and AA rules) in headless Chromium finds nothing on the report, a deep
/// dive, a unit report and the data dictionary; and finds the planted fault on a page made to
/// fail, so a pass means something.
#[test]
fn pages_pass_axe_core_wcag_2_2_a_and_aa() {
    let Some(browser) = browser() else { return };
    let axe = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/axe");
    let node_ok = std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !node_ok || !axe.join("node_modules/axe-core").exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "Node or tests/axe/node_modules is missing: .ci/run installs them (npm ci --prefix tests/axe)"
        );
        eprintln!("skipped: install Node and run `npm ci --prefix tests/axe` to run it");
        return;
    }
    let s = sample();
    let bad = s.path("bad.html");
    std::fs::write(
        &bad,
        "<!DOCTYPE html><html><head><title>x</title></head><body><main><img src=\"a.png\"><p style=\"color:#bbb;background:#fff\">faint</p></main></body></html>",
    )
    .unwrap();
    let run = |pages: &[PathBuf]| {
        let out = std::process::Command::new("node")
            .arg(axe.join("check.js"))
            .arg(browser)
            .args(pages)
            .output()
            .unwrap();
        (
            out.status.code(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )
    };
    let (code, text) = run(&[bad]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("image-alt") && text.contains("color-contrast"),
        "{text}"
    );
    let pages: Vec<PathBuf> = [
        "report.html",
        "deep-dives/officer_member_trust.html",
        "unit-reports/resources.html",
        "data-dictionary.html",
    ]
    .iter()
    .map(|p| out(s, p))
    .collect();
    let (code, text) = run(&pages);
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(text.matches(": 0 violation(s)").count(), 4, "{text}");
    assert_eq!(
        structure_problems("<html><h1>a</h1><h3>b</h3><table><tr><th>x</th></tr></table>").len(),
        3,
        "the structure check sees a missing lang, a skipped level and an unscoped header"
    );
    let problems: Vec<String> = pages
        .iter()
        .flat_map(|page| {
            let html = std::fs::read_to_string(page).unwrap();
            structure_problems(&html)
                .into_iter()
                .map(move |p| format!("{}: {p}", page.display()))
        })
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// What a page's structure gets wrong: its language, one h1, headings that go down one level at
/// a time, column headers with their scope, a caption on every figure.
fn structure_problems(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    if !html.contains("<html lang=\"en-GB\">") {
        out.push("no lang on <html>".into());
    }
    if html.matches("<h1").count() != 1 {
        out.push(format!("{} h1 headings", html.matches("<h1").count()));
    }
    let mut level = 0;
    for part in html.split("<h").skip(1) {
        let Some(l) = part.chars().next().and_then(|c| c.to_digit(10)) else {
            continue;
        };
        if l > level + 1 {
            out.push(format!(
                "h{l} follows h{level}: {}",
                &part[..part.len().min(60)]
            ));
        }
        level = l;
    }
    if html.contains("<th>") || html.matches("<th ").count() != html.matches("<th scope=").count() {
        out.push("a table header without its scope".into());
    }
    if html.matches("<figure").count() != html.matches("<figcaption>").count() {
        out.push("a figure without a caption".into());
    }
    out
}

/// `[unit_reports]` names a field the pack breaks results down by; a wrong one is a config
/// error (exit 2) that says which fields it can be, reported with the config's other problems.
#[test]
fn unit_reports_by_an_unknown_field_is_a_config_error() {
    let s = Sandbox::new();
    s.copy_dir("schemas", "schemas")
        .copy_dir("sample-data", "sample-data");
    let config = std::fs::read_to_string(s.path(SAMPLE_CONFIG)).unwrap();
    s.write(
        SAMPLE_CONFIG,
        config
            .replace("breakdown = \"directorate\"", "breakdown = \"department\"")
            .replace("anonymity_threshold = 10", "anonymity_threshold = 2"),
    );
    let out = s.expect_exit(&["-q", "run", "--config", SAMPLE_CONFIG], 2);
    let err = stderr(&out);
    assert!(
        err.contains("unit_reports.breakdown: `department` is not a demographic field in `breakdowns`; choose one of: directorate, grade,"),
        "{err}"
    );
    assert!(
        err.contains("anonymity_threshold: 2 is below the floor"),
        "all problems at once: {err}"
    );
}
