//! Comment themes: counts by group pass the disclosure audit; the opt-in quotes file holds
//! only redacted comments from groups whose counts are published, marked for internal use.

use crate::common::*;

fn sandbox() -> Sandbox {
    let s = Sandbox::new();
    s.copy_dir("schemas", "schemas")
        .copy_dir("sample-data", "sample-data");
    s
}

#[test]
fn comment_theme_counts_add_up_and_pass_the_disclosure_audit() {
    let s = sandbox();
    s.expect_exit(&["-q", "run", "--config", SAMPLE_CONFIG, "--out", "out"], 0);
    s.expect_exit(
        &["audit", "out", "--config", "sample-data/pipeline.toml"],
        0,
    );
    let text = s.read_csv("out/tables/fact_comment_themes.csv");
    let codes =
        std::fs::read_to_string(s.path("sample-data/staff-survey-2026-comment-codes.csv")).unwrap();
    let coded = codes.lines().count() - 1;
    let mut overall = 0;
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f[2] == "overall" {
            assert_eq!(f[3], coded.to_string(), "every coded comment counted once");
            let mentions: usize = f[4].parse().unwrap();
            let want = codes
                .lines()
                .skip(1)
                .filter(|l| {
                    l.split(',')
                        .nth(1)
                        .unwrap()
                        .split(';')
                        .any(|t| t.trim() == f[1])
                })
                .count();
            assert_eq!(mentions, want, "{}", f[1]);
            overall += 1;
        } else if f[6] == "false" {
            assert!(f[3].parse::<u32>().unwrap() >= 10, "{line}");
        }
    }
    assert_eq!(overall, 7, "seven themes");
    // The Mayor's Office (14 staff) never shows theme counts.
    assert!(text.contains("member_conduct,directorate=Mayor's Office,,,,true,primary"));
}

#[test]
fn code_for_a_response_that_was_not_accepted_stops_the_run_with_its_line() {
    let s = sandbox();
    let path = s.path("sample-data/staff-survey-2026-comment-codes.csv");
    let mut codes = std::fs::read_to_string(&path).unwrap();
    codes.push_str("999999999999,training\n");
    std::fs::write(&path, codes).unwrap();
    let run = s.expect_exit(&["-q", "run", "--config", SAMPLE_CONFIG, "--out", "out"], 1);
    let err = stderr(&run);
    assert!(
        err.contains("line 466: response `999999999999` is not an accepted response of wave 2026"),
        "{err}"
    );
    assert!(!s.path("out").exists(), "no partial pack");
}

#[test]
fn quotes_are_redacted_internal_and_only_from_published_groups() {
    let s = sandbox();
    s.write(
        "sample-data/names.txt",
        "# staff and councillors\nPatel\nMary Ann Smith\n",
    );
    let cfg = std::fs::read_to_string(s.path("sample-data/pipeline.toml")).unwrap();
    s.write(
        "sample-data/pipeline.toml",
        cfg.replace(
            "[benchmarks]",
            "[quotes]\nnames = \"names.txt\"\nby = \"directorate\"\n\n[benchmarks]",
        ),
    );
    s.expect_exit(&["-q", "run", "--config", SAMPLE_CONFIG, "--out", "out"], 0);
    let quotes =
        std::fs::read_to_string(s.path("out/deep-dives/comment-quotes-internal.md")).unwrap();
    assert!(quotes.starts_with("# Staff comments by theme, 2026: FOR INTERNAL USE ONLY"));
    assert!(quotes.contains("**Not for publication.**"));
    let themes = s.read_csv("out/tables/fact_comment_themes.csv");
    let dim = s.read_csv("out/tables/dim_comment_theme.csv");
    let mut shown = 0;
    let mut theme = String::new();
    for line in quotes.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            let label = h.rsplit_once(" (").unwrap().0;
            theme = dim
                .lines()
                .find(|l| l.contains(label))
                .unwrap()
                .split(',')
                .next()
                .unwrap()
                .trim_start_matches('\u{feff}')
                .to_string();
        }
        if let Some(q) = line.strip_prefix("- “") {
            let group = q.rsplit_once("” (").unwrap().1.trim_end_matches(')');
            let key = format!("{theme},directorate={group},");
            let row = themes
                .lines()
                .find(|l| {
                    l.contains(&key) || l.contains(&format!("{theme},\"directorate={group}\","))
                })
                .unwrap_or_else(|| panic!("{key}"));
            assert!(
                row.ends_with("false,"),
                "quote from a withheld group: {row}"
            );
            shown += 1;
        }
    }
    assert!(shown > 50, "{shown}");
    assert!(!quotes.contains("Mayor's Office"));
}

#[test]
fn validate_reports_an_unknown_theme_in_the_coded_comments_with_its_line() {
    let s = sandbox();
    s.write(
        "sample-data/staff-survey-2026-comment-codes.csv",
        "response_id,themes\n118204679526,member_conduct; parking\n",
    );
    let out = s.expect_exit(&["validate", "--config", SAMPLE_CONFIG], 1);
    insta::assert_snapshot!(stderr(&out), @"
    error: sample-data/staff-survey-2026-comment-codes.csv: 1 problem(s) in the coded comments file:
      - line 2, column B: `parking` is not a comment theme in the schema; known: member_conduct, joint_working, protocol, leadership_culture, training, responsiveness, no_change
    ");
}
