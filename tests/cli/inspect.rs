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
