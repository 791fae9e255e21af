//! The evidence pack's report: renders in a real browser, is self-contained, escapes inputs,
//! and is the same bytes on every run.

use crate::common::*;
use std::path::Path;

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            std::process::Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

const FLAGS: [&str; 9] = [
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
    assert!(s.cmd(&["-q", "run"]).output().unwrap().status.success());
    let report = s.path("sample-data/out/evidence-pack/report.html");
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
        dom_text.matches("<svg").count() >= 2,
        "charts in the rendered page"
    );
    assert!(
        dom_text.matches("<table>").count() >= 5,
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
        r#"categories = ["<script>alert(1)</script>", "B dir", "C dir"]"#,
    ) + "\n[[indicators]]\nid = \"respect\"\nlabel = \"Respect <b>bold</b>\"\nmethod = \"theme-pct-positive\"\nitems = [\"Q1\", \"Q2\"]\n";
    let data = mini_csv().replace(",A dir,", ",<script>alert(1)</script>,");
    let s = mini_sandbox(data, "", 0.0);
    s.write("schema.toml", schema);
    let out = s
        .cmd(&["run", "--config", "pipeline.toml"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let html = s.read("out/pack/report.html");
    assert!(
        !html.contains("<script>") && !html.contains("<b>"),
        "markup survived"
    );
    assert!(
        html.contains("Respect &lt;b&gt;bold&lt;/b&gt;"),
        "labels shown as text"
    );
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "shown as text"
    );
    let md = s.read("out/pack/report.md");
    assert!(!md.contains("<script>"), "markup survived in Markdown");
}

#[test]
fn two_runs_give_byte_identical_tables_charts_reports_and_workbook() {
    let s = Sandbox::new();
    s.copy_dir("schemas", "schemas")
        .copy_dir("sample-data", "sample-data");
    for out in ["a", "b"] {
        let o = s
            .cmd(&["-q", "run", "--reimport", "--out", out])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
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
    let out = s
        .cmd(&["-q", "run", "--deep-dive", "respect"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    for id in ["officer_member_trust", "respect"] {
        let html = s.read(&format!(
            "sample-data/out/evidence-pack/deep-dives/{id}.html"
        ));
        assert!(html.contains("<h1>Deep dive: "), "{id}");
        assert!(
            html.contains("by directorate × grade"),
            "{id}: crosses are included"
        );
        assert!(html.contains("<svg"), "{id}: chart");
        let md = s.read(&format!("sample-data/out/evidence-pack/deep-dives/{id}.md"));
        assert!(
            md.contains("](../charts/deep_dive_"),
            "{id}: chart links resolve from deep-dives/"
        );
    }
    let html = s.read("sample-data/out/evidence-pack/deep-dives/officer_member_trust.html");
    assert!(html.contains(
        "S19: Officers and elected members at the Council work together with mutual trust"
    ));
    let bad = s
        .cmd(&["-q", "run", "--deep-dive", "happiness"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad)
            .contains("not an indicator in the schema; choose one of: officer_member_trust"),
        "{}",
        stderr(&bad)
    );
}
