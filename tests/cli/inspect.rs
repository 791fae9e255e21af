//! `inspect`: what a new user sees for an unfamiliar export.

use crate::common::*;

#[test]
fn inspect_describes_a_surveymonkey_export_and_suggests_a_mapping() {
    let s = Sandbox::new();
    s.copy_dir("schemas", "schemas")
        .copy_dir("sample-data", "sample-data");
    let out = s.expect_exit(
        &[
            "inspect",
            "sample-data/staff-survey-2026-surveymonkey.csv",
            "--schema",
            "schemas/staff-survey.toml",
        ],
        0,
    );
    let t = stdout(&out);
    assert!(
        t.contains("Encoding:   windows-1252 (detected: not valid UTF-8, read as Windows-1252)"),
        "{t}"
    );
    assert!(t.contains("Delimiter:  semicolon (;)"), "{t}");
    assert!(
        t.contains("Layout:     SurveyMonkey (2 header rows: question, sub-label)"),
        "{t}"
    );
    assert!(
        t.contains("Rows:       3008 data rows after 2 header row(s), first on line 3"),
        "{t}"
    );
    assert!(t.contains("PERSONAL DATA: never imported"), "{t}");
    assert!(t.contains("response_id = \"Respondent ID\""), "{t}");
    // Fieldwork from the response dates (SurveyMonkey writes them month first).
    assert!(t.contains("id = \"2026\"  # the survey year"), "{t}");
    assert!(t.contains("fieldwork_start = \"2026-10-06\""), "{t}");
    assert!(t.contains("fieldwork_end = \"2026-10-31\""), "{t}");
    assert!(
        t.contains("directorate = \"Which directorate do you work in?\""),
        "{t}"
    );
    assert!(
        t.contains("S19 = \"To what extent do you agree or disagree with the following statements about working at the Council? - Officers and elected members at the Council work together with mutual trust\""),
        "{t}"
    );
    assert!(
        t.contains(
            "T01 = \"What one thing would most improve trust between officers and members?\""
        ),
        "{t}"
    );
    // The starter mapping is valid TOML.
    let start = t.find("[[waves]]").unwrap();
    let toml_part = &t[start..];
    toml_part
        .parse::<toml::Table>()
        .expect("starter mapping parses as TOML");
}

#[test]
fn inspect_the_real_qualtrics_fixture() {
    let s = Sandbox::new();
    s.copy_dir("tests/fixtures/qualtrics", "q");
    let out = s.expect_exit(&["inspect", "q/sample.csv"], 0);
    let t = stdout(&out);
    assert!(
        t.contains("Layout:     Qualtrics (3 header rows: export tags, question text, ImportId)"),
        "{t}"
    );
    assert!(
        t.contains("Rows:       1 data rows after 3 header row(s), first on line 4"),
        "{t}"
    );
    assert!(t.contains("response_id = \"ResponseId\""), "{t}");
    assert!(t.contains("finished_values = [\"1\"]"), "{t}");
    assert!(
        t.contains("# ID = \"Q1\"  # This is a multiple choice question."),
        "{t}"
    );
}

#[test]
fn inspect_a_missing_file_fails_clearly() {
    let s = Sandbox::new();
    let out = s.expect_exit(&["inspect", "nope.csv"], 1);
    assert!(
        stderr(&out).contains("the file `nope.csv` is not in the folder"),
        "{}",
        stderr(&out)
    );
}

/// A small plain export: `dates` in the `StartDate` column, `status` beside each.
fn dated_export(rows: &[(&str, &str)]) -> String {
    let mut csv = String::from("ResponseId,Status,StartDate,Q1\n");
    for (i, (status, date)) in rows.iter().enumerate() {
        csv.push_str(&format!("R{i},{status},{date},Agree\n"));
    }
    csv
}

#[test]
fn dates_that_read_day_or_month_first_are_not_guessed() {
    // Before: an export dated 10/06/2026 throughout (10 June or 6 October?) got a fieldwork
    // span from one reading, silently; the 2025 fieldwork start came from the preview rows.
    let s = Sandbox::new();
    let rows: Vec<(&str, &str)> = ["10/06/2026 09:15", "11/06/2026 10:00", "12/06/2026 17:30"]
        .iter()
        .map(|d| ("IP Address", *d))
        .collect();
    s.write("ambiguous.csv", dated_export(&rows));
    let t = stdout(&s.expect_exit(&["inspect", "ambiguous.csv"], 0));
    assert!(
        t.contains(
            "fieldwork_start = \"YYYY-MM-DD\"  # CHECK: every date (e.g. 10/06/2026 09:15) reads as day/month and as month/day: 2026-06-10 to 2026-06-12, or 2026-10-06 to 2026-12-06; write the day the survey opened"
        ),
        "{t}"
    );
    // init does not guess either: it asks for the days the survey was open, writing nothing.
    let out = s.expect_exit(&["init", "proj", "--export", "ambiguous.csv"], 2);
    assert!(
        stderr(&out).contains("How to fix: say when the survey was open: `culture-metrics init proj --export ambiguous.csv ... --fieldwork 2026-06-10..2026-06-12`"),
        "{}",
        stderr(&out)
    );
    assert!(!s.path("proj/pipeline.toml").exists());
    // A preview before the survey opened is not fieldwork.
    let rows = [
        ("Survey Preview", "2026-09-28 12:00:00"),
        ("IP Address", "2026-10-06 09:00:00"),
        ("IP Address", "2026-10-20 09:00:00"),
    ];
    s.write("preview.csv", dated_export(&rows));
    let t = stdout(&s.expect_exit(&["inspect", "preview.csv"], 0));
    assert!(t.contains("fieldwork_start = \"2026-10-06\""), "{t}");
    assert!(t.contains("fieldwork_end = \"2026-10-20\""), "{t}");
    // Every response on one day: often the export's date, not the answers'.
    let rows = [
        ("IP Address", "2026-11-02 09:00:00"),
        ("IP Address", "2026-11-02 10:00:00"),
    ];
    s.write("one-day.csv", dated_export(&rows));
    let t = stdout(&s.expect_exit(&["inspect", "one-day.csv"], 0));
    assert!(
        t.contains("# CHECK: every response is dated 2026-11-02, which is often the day the file was exported"),
        "{t}"
    );
}

#[test]
fn a_microsoft_forms_workbook_is_inspected_and_proposed_with_its_sheet() {
    let s = Sandbox::new();
    s.copy_dir("tests/fixtures/workbooks", "w");
    let t = stdout(&s.expect_exit(&["inspect", "w/member-feedback-online.xlsx"], 0));
    assert!(t.contains("Encoding:   xlsx (sheet \"Sheet1\")"), "{t}");
    assert!(t.contains("Looks like: a Microsoft Forms download"), "{t}");
    assert!(t.contains("sheet = \"Sheet1\""), "{t}");
    assert!(!t.contains("encoding = \"xlsx\""), "{t}");
    // Its personal-data columns are never read.
    assert!(
        t.contains("Email") && t.contains("PERSONAL DATA: never imported"),
        "{t}"
    );
    // The date-time cells read as dates.
    assert!(t.contains("2025-01-15 21:47:40"), "{t}");
}
