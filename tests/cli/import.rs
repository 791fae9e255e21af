//! Import: real vendor files, encodings, and every bad-input case, with exact outcomes.

use crate::common::*;
use polars::prelude::*;

fn store_frame(s: &Sandbox, rel: &str) -> DataFrame {
    ParquetReader::new(std::fs::File::open(s.path(rel)).unwrap())
        .finish()
        .unwrap()
}

/// The newest pack's reconciliation as `source,outcome,reason,rows` lines, each file's
/// `rows_in` first.
fn reconciliation_in(s: &Sandbox, output: &str) -> String {
    let mut out = String::new();
    let files = s.read_table(output, "dim_import_source");
    let mut rdr = csv::Reader::from_reader(files.as_bytes());
    for r in rdr.records() {
        let r = r.unwrap();
        out.push_str(&format!("{},{},total,rows_in,{}\n", &r[0], &r[3], &r[6]));
    }
    let rec = s.read_table(output, "fact_import_reconciliation");
    let mut rdr = csv::Reader::from_reader(rec.as_bytes());
    for r in rdr.records() {
        let r = r.unwrap();
        out.push_str(&format!("{},{},{},{}\n", &r[0], &r[1], &r[2], &r[4]));
    }
    out
}

fn reconciliation(s: &Sandbox) -> String {
    reconciliation_in(s, "out")
}

#[test]
fn real_qualtrics_export_imports_and_drops_personal_data() {
    let s = Sandbox::new();
    s.copy_dir("tests/fixtures/qualtrics", "q");
    let out = s.expect_exit(&["run", "--config", "q/current.toml"], 0);
    let err = stderr(&out);
    assert!(err.contains("layout qualtrics; encoding utf-8"), "{err}");
    assert!(
        err.contains(
            "personal-data columns dropped (never read): IPAddress, RecipientLastName, RecipientFirstName, \
             RecipientEmail, ExternalReference, LocationLatitude, LocationLongitude"
        ),
        "{err}"
    );
    assert_eq!(
        reconciliation_in(&s, "q/out")
            .lines()
            .filter(|l| l.contains(",rows_in,") || l.contains(",accepted,"))
            .collect::<Vec<_>>(),
        [
            "qualtrics-fixture/2017,sample.csv,total,rows_in,1",
            "qualtrics-fixture/2017,accepted,accepted,1"
        ]
    );
    let df = store_frame(&s, "q/out/store/2017.parquet");
    assert_eq!(df.height(), 1);
    assert_eq!(
        df.column("response_id").unwrap().str().unwrap().get(0),
        Some("R_2YPOQ602ER1jkf1")
    );
    assert_eq!(df.column("MC1").unwrap().u8().unwrap().get(0), Some(2));
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    assert_eq!(names, ["response_id", "MC1"], "nothing personal is stored");
    let c = store_frame(&s, "q/out/store/2017.comments.parquet");
    assert_eq!(
        c.column("text").unwrap().str().unwrap().get(0),
        Some("Hello World!")
    );
}

#[test]
fn real_legacy_qualtrics_export_with_bom_and_trailing_comma_imports() {
    let s = Sandbox::new();
    s.copy_dir("tests/fixtures/qualtrics", "q");
    let out = s
        .cmd(&["validate", "--config", "q/legacy.toml"])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(
        text.contains("layout qualtrics-legacy; encoding utf-8 (byte-order mark)"),
        "{text}"
    );
    assert!(
        text.contains(
            "personal-data columns dropped (never read): Name, ExternalDataReference, EmailAddress, \
             IPAddress, LocationLatitude, LocationLongitude, LocationAccuracy"
        ),
        "{text}"
    );
    assert!(
        squash(&text).contains("accepted + excluded + rejected 1 (ok)"),
        "{text}"
    );
}

#[test]
fn mapping_a_personal_data_column_is_refused() {
    let s = Sandbox::new();
    s.copy_dir("tests/fixtures/qualtrics", "q");
    let cfg = s
        .read("q/current.toml")
        .replace("FT1 = \"Q2\"", "FT1 = \"RecipientEmail\"");
    s.write("q/current.toml", cfg);
    let out = s.expect_exit(&["validate", "--config", "q/current.toml"], 2);
    assert!(
        stderr(&out).contains("holds personal data and is never imported"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn empty_file_is_rejected_with_exit_1() {
    let s = mini_sandbox("", "", 0.0);
    let out = s.expect_exit(&["validate", "--config", "pipeline.toml"], 1);
    insta::assert_snapshot!(stderr(&out), @"error: data.csv: the file is empty. Check that the export finished downloading.");
}

#[test]
fn header_only_file_is_rejected_with_exit_1() {
    let s = mini_sandbox("id,dir,q1,q2,q3,comment\n", "", 0.0);
    let out = s.expect_exit(&["validate", "--config", "pipeline.toml"], 1);
    insta::assert_snapshot!(stderr(&out), @r"
    error: data.csv: the file has only 1 row(s), all of them header rows for the layout plain (1 header row of column names); there are no responses in it.
      How to fix: check the export's filters or date range, or set the right `layout` for this wave.
    ");
}

#[test]
fn unknown_column_in_mapping_is_a_config_error_with_suggestion() {
    let data = mini_csv().replacen("q2", "Q 2", 1);
    let s = mini_sandbox(data, "", 0.0);
    let out = s.expect_exit(&["validate", "--config", "pipeline.toml"], 2);
    insta::assert_snapshot!(stderr(&out), @r#"
    error: data.csv: wave 2025's mapping names 1 column(s) that the export does not have:
      - Q2 = "q2" (did you mean "Q 2"?)
      How to fix: run `culture-metrics inspect <file>` to list the export's columns, and correct that wave's [waves.columns] (or the feedback source's [meetings.sources.columns]) in the config.
    "#);
}

#[test]
fn wrong_delimiter_forced_is_explained() {
    let data = mini_csv().replace(',', ";");
    let s = mini_sandbox(data, "delimiter = \",\"", 0.0);
    let out = s.expect_exit(&["validate", "--config", "pipeline.toml"], 2);
    let err = stderr(&out);
    assert!(
        err.contains("mapping names 6 column(s) that the export does not have"),
        "{err}"
    );
    assert!(
        err.contains(
            "Note: delimiter is set to comma (,) but the file looks semicolon (;)-separated: the whole row may have been read as 1 column(s). Set delimiter = \"auto\"."
        ),
        "{err}"
    );
    // With auto-detection the same file imports.
    s.write("pipeline.toml", mini_config("data.csv", "", 0.0));
    let out = s.expect_exit(&["validate", "--config", "pipeline.toml"], 0);
    assert!(stdout(&out).contains("delimiter semicolon (;)"));
}

#[test]
fn ragged_rows_are_rejected_with_line_numbers() {
    let mut data = mini_csv();
    data.push_str("X1,A dir,Agree,Agree,No,,extra\nX2,A dir,Agree\n");
    let s = mini_sandbox(data, "", 0.0);
    let out = s.expect_exit(
        &[
            "validate",
            "--config",
            "pipeline.toml",
            "--rejects",
            "rejects.csv",
        ],
        1,
    );
    let text = squash(&stdout(&out));
    assert!(
        text.contains("rejected ragged row: field count differs from the header 2"),
        "{text}"
    );
    assert!(text.contains("DATA REJECTED: wave(s) 2025"), "{text}");
    let rejects = s.read("rejects.csv");
    // The mini data has a quoted two-line comment, so these rows start on lines 35 and 36.
    assert!(
        rejects.contains(
            "2025,data.csv,35,X1,rejected,ragged_row,,,has 7 fields but the header has 6"
        ),
        "{rejects}"
    );
    assert!(
        rejects.contains(
            "2025,data.csv,36,X2,rejected,ragged_row,,,has 3 fields but the header has 6"
        ),
        "{rejects}"
    );
}

#[test]
fn rejected_rows_within_tolerance_pass_and_are_counted() {
    let mut data = mini_csv();
    data.push_str("X2,A dir,Agree\n");
    let s = mini_sandbox(data, "", 5.0);
    s.expect_exit(&["run", "--config", "pipeline.toml"], 0);
    let rec = reconciliation(&s);
    assert!(rec.contains("mini/2025,data.csv,total,rows_in,33"), "{rec}");
    assert!(rec.contains("mini/2025,accepted,accepted,32"), "{rec}");
    assert!(rec.contains("mini/2025,rejected,ragged_row,1"), "{rec}");
}

#[test]
fn undecodable_bytes_name_line_and_column() {
    let mut data = mini_csv().into_bytes();
    // "Don't know" with a Windows-1252 apostrophe (0x92) in a file forced to UTF-8.
    let at = data.windows(5).position(|w| w == b"Don't").unwrap() + 3;
    data[at] = 0x92;
    let s = mini_sandbox(data, "encoding = \"utf-8\"", 0.0);
    let out = s.expect_exit(&["validate", "--config", "pipeline.toml"], 1);
    insta::assert_snapshot!(stderr(&out), @r#"
    error: data.csv: line 21, column 14: cannot decode the file as utf-8: byte 0x92 is not valid UTF-8.
      How to fix: if the file was saved from Excel as plain "CSV", set encoding = "windows-1252" for this wave; if it is meant to be UTF-8, the file is damaged: ask the vendor to re-export it
    "#);
}

#[test]
fn windows_1252_is_detected_and_curly_apostrophes_match() {
    let text = mini_csv().replace("Don't know", "Don\u{2019}t know");
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&text);
    let s = mini_sandbox(&bytes, "", 0.0);
    let out = s
        .cmd(&["validate", "--config", "pipeline.toml"])
        .output()
        .unwrap();
    let t = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(
        t.contains("encoding windows-1252 (detected: not valid UTF-8, read as Windows-1252)"),
        "{t}"
    );
    assert!(squash(&t).contains("accepted 32"), "{t}");
}

#[test]
fn utf16le_tab_separated_excel_unicode_text_imports() {
    let text = mini_csv().replace(",", "\t").replace(
        "\"Two lines\t\nwith a comma\"",
        "\"Two lines,\nwith a comma\"",
    );
    let mut bytes = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        bytes.extend(u.to_le_bytes());
    }
    let s = mini_sandbox(bytes, "", 0.0);
    let out = s.expect_exit(&["run", "--config", "pipeline.toml"], 0);
    assert!(stderr(&out).contains("encoding utf-16le (byte-order mark); delimiter tab"));
    let c = store_frame(&s, "out/store/2025.comments.parquet");
    assert_eq!(
        c.column("text").unwrap().str().unwrap().get(0),
        Some("Two lines,\nwith a comma"),
        "quoted embedded newline kept"
    );
}

#[test]
fn utf16be_with_bom_imports() {
    let mut bytes = vec![0xFE, 0xFF];
    for u in mini_csv().encode_utf16() {
        bytes.extend(u.to_be_bytes());
    }
    let s = mini_sandbox(bytes, "", 0.0);
    let out = s.expect_exit(&["validate", "--config", "pipeline.toml"], 0);
    assert!(stdout(&out).contains("encoding utf-16be (byte-order mark)"));
}

#[test]
fn duplicate_header_names_are_ambiguous() {
    let data = mini_csv().replacen("q3,comment", "q1,comment", 1);
    let s = mini_sandbox(data, "", 0.0);
    let out = s
        .cmd(&["validate", "--config", "pipeline.toml"])
        .output()
        .unwrap();
    // q3 is now missing too, but the ambiguity is found first.
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(stderr(&out), @r#"
    error: data.csv: the header names "q1" more than once (columns C, E), so wave 2025's mapping of `Q1` is ambiguous.
      How to fix: rename the duplicate headers in the export, or ask the vendor for unique export tags.
    "#);
}

#[test]
fn unknown_answer_label_is_counted_by_column_never_guessed() {
    let data = mini_csv()
        .replacen("B0,B dir,Agree", "B0,B dir,Agree strongly", 1)
        .replacen("B1,B dir,Agree", "B1,B dir,Agree strongly", 1);
    let s = mini_sandbox(data, "", 0.0);
    let out = s.expect_exit(&["validate", "--config", "pipeline.toml"], 1);
    let t = squash(&stdout(&out));
    assert!(
        t.contains("rejected answer not in the question's scale 2"),
        "{t}"
    );
    assert!(
        t.contains(r#"column C ("q1") [Q1]: "Agree strongly" x2 (first on line 23)"#),
        "{t}"
    );
    assert!(t.contains("add it to that answer's `aliases`"), "{t}");
}

#[test]
fn unknown_category_is_rejected_and_reported() {
    let data = mini_csv().replacen("B0,B dir", "B0,Finance", 1);
    let s = mini_sandbox(data, "", 10.0);
    let out = s.expect_exit(&["validate", "--config", "pipeline.toml"], 0);
    let t = squash(&stdout(&out));
    assert!(
        t.contains("rejected demographic value not in the schema 1"),
        "{t}"
    );
    assert!(
        t.contains(r#"column B ("dir") [dir]: "Finance" x1 (first on line 23)"#),
        "{t}"
    );
}

#[test]
fn previews_incomplete_and_duplicates_are_accounted_for() {
    let mut data = String::from("id,dir,q1,q2,q3,comment,status,finished\n");
    for i in 0..32 {
        data.push_str(&format!("R{i},A dir,Agree,Agree,No,,IP Address,True\n"));
    }
    data.push_str("P1,A dir,Agree,Agree,No,,Survey Preview,True\n"); // preview
    data.push_str("I1,A dir,Agree,,,,IP Address,False\n"); // not finished
    data.push_str("R5,A dir,Agree,Agree,No,,IP Address,True\n"); // duplicate id
    data.push_str(",A dir,Agree,Agree,No,,IP Address,True\n"); // no id
    let filters = "[waves.filters]\ntest_column = \"status\"\ntest_values = [\"Survey Preview\"]\nfinished_column = \"finished\"\nfinished_values = [\"True\"]\n";
    let cfg = mini_config("data.csv", "", 50.0).replace(
        "\n[waves.columns]",
        &format!("\n{filters}\n[waves.columns]"),
    );
    let s = Sandbox::new();
    s.write("schema.toml", MINI_SCHEMA)
        .write("data.csv", data)
        .write("pipeline.toml", cfg);
    s.expect_exit(&["run", "--config", "pipeline.toml"], 0);
    let rec = reconciliation(&s);
    for line in [
        "mini/2025,data.csv,total,rows_in,36",
        "mini/2025,accepted,accepted,32",
        "mini/2025,excluded,preview_or_test,1",
        "mini/2025,excluded,incomplete,1",
        "mini/2025,rejected,missing_response_id,1",
        "mini/2025,rejected,duplicate_response_id,1",
        "mini/2025,rejected,ragged_row,0",
    ] {
        assert!(rec.contains(line), "{line} missing from\n{rec}");
    }
}

#[test]
fn schema_typo_is_a_config_error_listing_every_problem() {
    let s = mini_sandbox(mini_csv(), "", 0.0);
    let bad = MINI_SCHEMA
        .replace("reverse_keyed = true", "reverse_keyd = true")
        .replace(
            "scale = \"agree5\"\n\n[[questions]]\nid = \"Q2\"",
            "scale = \"agree7\"\n\n[[questions]]\nid = \"Q2\"",
        );
    s.write("schema.toml", bad);
    let out = s.expect_exit(&["validate", "--config", "pipeline.toml"], 2);
    insta::assert_snapshot!(stderr(&out), @"
    error: the schema named by pipeline.toml is not valid.
    schema.toml has 2 problems:
      - questions[2] (Q3): unknown field `reverse_keyd`, expected one of `id`, `text`, `short`, `direction`, `type`, `scale`, `reverse_keyed`, `source`, `benchmarks`
      - questions (Q1): unknown scale `agree7`; known scales: agree5, yes_no
    ");
}

#[test]
fn config_typos_are_all_reported_at_once() {
    let s = mini_sandbox(mini_csv(), "", 0.0);
    let cfg = mini_config("data.csv", "", 0.0)
        .replace(
            "breakdowns = [\"dir\"]",
            "breakdowns = [\"directorate\"]\nthreshold = 5",
        )
        .replace("Q3 = \"q3\"", "Q3 = \"q3\"\nQ9 = \"q9\"");
    s.write("pipeline.toml", cfg);
    let out = s.expect_exit(&["validate", "--config", "pipeline.toml"], 2);
    insta::assert_snapshot!(stderr(&out), @"
    error: pipeline.toml has 3 problems:
      - threshold: unknown section or key `threshold`; expected one of: attribute_disclosure, unit_reports, deep_dives, meetings, baseline, schema, output, store, anonymity_threshold, breakdowns, crosses, finite_population_correction, tolerance, weighting, drivers, benchmarks, quotes, publication, waves
      - breakdowns: `directorate` is not a demographic field in the schema; known: dir
      - waves (2025, line 11).columns.Q9: `Q9` is neither a question nor a demographic id in schema.toml
    ");
}

#[test]
fn missing_file_is_a_config_error() {
    let s = mini_sandbox(mini_csv(), "", 0.0);
    std::fs::remove_file(s.path("data.csv")).unwrap();
    let out = s.expect_exit(&["validate", "--config", "pipeline.toml"], 2);
    let root = s.dir.path().canonicalize().unwrap().display().to_string();
    insta::assert_snapshot!(stderr(&out).replace(&root, "[sandbox]"), @r"
    error: pipeline.toml has 1 problem:
      - waves (2025, line 10).file: the export `data.csv` is not in the folder [sandbox] (paths are relative to the folder holding the config). If you archived this export, the store holds no copy of wave 2025 to use instead: put the file back.
    ");
}

#[test]
fn missing_config_is_a_usage_error() {
    let s = Sandbox::new();
    let out = s.expect_exit(&["validate", "--config", "nope.toml"], 2);
    assert!(
        stderr(&out).contains("the pipeline config `nope.toml` is not in the folder"),
        "{}",
        stderr(&out)
    );
}

/// The sample's config reading the workbook fixtures (written by openpyxl from the sample's CSV
/// files, `tests/fixtures/workbooks/make.py`) in place of the CSV files, into `outx`.
fn sample_with_workbooks(s: &Sandbox) -> &'static str {
    s.copy_dir("tests/fixtures/workbooks", "sample-data");
    let config = s
        .read(SAMPLE_CONFIG)
        .replace("member-feedback-online.csv", "member-feedback-online.xlsx")
        .replace(
            "file = \"member-feedback-paper.csv\"",
            "file = \"member-feedback-paper.xlsx\"\nsheet = \"Forms\"",
        )
        .replace(
            "staff-survey-2025-qualtrics.csv",
            "staff-survey-2025-qualtrics.xlsx",
        )
        .replace("hr-headcount-2025.csv", "hr-headcount-2025.xlsx")
        .replace("output = \"out\"", "output = \"outx\"")
        .replace("store = \"out/store\"", "store = \"outx/store\"");
    s.write("sample-data/workbooks.toml", config);
    "sample-data/workbooks.toml"
}

#[test]
fn excel_exports_give_the_same_tables_as_their_csv_copies() {
    // A Microsoft Forms download (date-time cells), paper forms keyed on the second sheet of a
    // workbook, a Qualtrics Excel export and the HR headcount as a workbook: the same rows
    // accepted, excluded and rejected as their CSV copies, and the same figures.
    let s = Sandbox::sample();
    s.run_sample();
    let config = sample_with_workbooks(&s);
    let out = s.expect_exit(&["validate", "--config", config], 0);
    assert!(
        stdout(&out).contains("encoding xlsx (sheet \"Sheet0\")"),
        "{}",
        stdout(&out)
    );
    s.expect_exit(&["-q", "run", "--config", config], 0);
    assert_eq!(
        reconciliation_in(&s, "sample-data/outx").replace(".xlsx", ".csv"),
        reconciliation_in(&s, "sample-data/out")
    );
    for table in [
        "fact_item_results",
        "fact_indicator_results",
        "fact_response_rates",
        "fact_feedback_item_month",
        "fact_feedback_uptake_month",
        "fact_import_reconciliation",
    ] {
        assert_eq!(
            s.read_table("sample-data/outx", table),
            s.read_table("sample-data/out", table),
            "{table}"
        );
    }
    let sources = s.read_table("sample-data/outx", "dim_import_source");
    assert!(
        sources.contains("member-feedback-paper.xlsx,plain,xlsx,343,340,0,3"),
        "{sources}"
    );
}

#[test]
fn a_workbook_that_cannot_be_read_says_which_cell_or_sheet_and_how_to_fix_it() {
    let s = Sandbox::sample();
    let config = sample_with_workbooks(&s);
    // A sheet named in the config that the workbook does not have.
    s.write(
        "sample-data/bad-sheet.toml",
        s.read(config)
            .replace("sheet = \"Forms\"", "sheet = \"Responses\""),
    );
    let out = s.expect_exit(&["-q", "run", "--config", "sample-data/bad-sheet.toml"], 1);
    assert!(
        stderr(&out).contains(
            "has no sheet named \"Responses\"; its sheets are: \"Notes\", \"Forms\".\n  How to fix: set `sheet` to one of them"
        ),
        "{}",
        stderr(&out)
    );
    // Merged cells and failed formulas, with their cell references.
    s.write(
        "sample-data/merged.toml",
        s.read(config)
            .replace("member-feedback-paper.xlsx", "merged-cells.xlsx"),
    );
    let out = s.expect_exit(&["-q", "run", "--config", "sample-data/merged.toml"], 1);
    assert!(
        stderr(&out).contains("sheet \"Forms\" has merged cells (Forms!B3:B4)"),
        "{}",
        stderr(&out)
    );
    let out = s.expect_exit(&["inspect", "sample-data/error-cells.xlsx"], 1);
    assert!(
        stderr(&out).contains("1 cell(s) hold an Excel error instead of a value: Forms!B3 (#N/A)"),
        "{}",
        stderr(&out)
    );
    // Not a data export at all.
    s.write("sample-data/minutes.pdf", "%PDF-1.7\n1 0 obj\n");
    let out = s.expect_exit(&["inspect", "sample-data/minutes.pdf"], 1);
    insta::assert_snapshot!("unsupported_file", stderr(&out));
}

#[test]
fn one_headcount_file_with_a_wave_column_serves_every_wave() {
    // Before: a headcount file holding both years with a `wave` column was taken by init and
    // add-wave, then validate failed with 13 problems and no advice; it had to be split.
    let s = Sandbox::sample();
    s.run_sample();
    let mut long = String::from("wave,directorate,grade,headcount\n");
    for wave in ["2025", "2026"] {
        let file = s.read(&format!("sample-data/hr-headcount-{wave}.csv"));
        for line in file.lines().skip(1) {
            long.push_str(&format!("{wave},{line}\n"));
        }
    }
    s.write("sample-data/hr-headcount.csv", &long);
    let config = s
        .read(SAMPLE_CONFIG)
        .replace("hr-headcount-2025.csv", "hr-headcount.csv")
        .replace("hr-headcount-2026.csv", "hr-headcount.csv")
        .replace("output = \"out\"", "output = \"outl\"")
        .replace("store = \"out/store\"", "store = \"outl/store\"");
    s.write("sample-data/long.toml", config.clone());
    s.expect_exit(&["-q", "run", "--config", "sample-data/long.toml"], 0);
    for table in ["fact_response_rates", "fact_indicator_results", "dim_wave"] {
        assert_eq!(
            s.read_table("sample-data/outl", table),
            s.read_table("sample-data/out", table),
            "{table}"
        );
    }
    // A row of a wave the config does not have is named with its line.
    s.write(
        "sample-data/hr-headcount.csv",
        format!("{long}2024,Resources,Scale 1-6,3\n"),
    );
    let out = s.expect_exit(&["-q", "validate", "--config", "sample-data/long.toml"], 1);
    assert!(
        stderr(&out).contains(
            "line 82, column A: wave `2024` is not a wave in the config (waves: 2025, 2026); correct it or remove the row"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn validate_checks_member_feedback_and_fails_on_bad_forms() {
    // Before: validate never read the feedback files (only run did).
    let s = Sandbox::sample();
    let out = s.expect_exit(&["validate", "--config", SAMPLE_CONFIG], 0);
    let t = stdout(&out);
    assert!(
        t.contains("Feedback forms (paper): sample-data/member-feedback-paper.csv"),
        "{t}"
    );
    assert!(
        t.contains(
            "rejected  meeting not in the meeting register                                   1"
        ),
        "{t}"
    );
    assert!(
        t.contains("Feedback forms (online): sample-data/member-feedback-online.csv"),
        "{t}"
    );
    // Three forms for a meeting the register does not hold tip the paper source over 1%.
    let mut paper = s.read("sample-data/member-feedback-paper.csv");
    for i in 0..3 {
        paper.push_str(&format!(
            "P-9{i},XX-2025-13-40,2025-01-08,Councillor,Labour,4,4,4,4,4,4,\n"
        ));
    }
    s.write("sample-data/member-feedback-paper.csv", paper);
    let out = s.expect_exit(&["validate", "--config", SAMPLE_CONFIG], 1);
    let t = stdout(&out);
    assert!(
        t.contains(
            "rejected  meeting not in the meeting register                                   4"
        ),
        "{t}"
    );
    assert!(
        t.contains(
            "DATA REJECTED: feedback source(s) paper are over the tolerance of 1% rejected rows."
        ),
        "{t}"
    );
}

#[test]
fn an_spss_export_gives_the_same_tables_as_its_csv() {
    // The 2025 wave as an SPSS file written by pyreadstat (tests/fixtures/spss): answers and
    // categories as value labels, a user-missing code for a blank ethnicity.
    let s = Sandbox::sample();
    s.run_sample();
    s.copy_dir("tests/fixtures/spss", "sample-data");
    let config = s
        .read(SAMPLE_CONFIG)
        .replace(
            "file = \"staff-survey-2025-qualtrics.csv\"\nlayout = \"qualtrics\"",
            "file = \"staff-survey-2025.sav\"\nlayout = \"auto\"",
        )
        .replace("output = \"out\"", "output = \"outs\"")
        .replace("store = \"out/store\"", "store = \"outs/store\"");
    assert!(config.contains("staff-survey-2025.sav"));
    s.write("sample-data/sav.toml", config);
    let out = s.expect_exit(&["validate", "--config", "sample-data/sav.toml"], 0);
    assert!(
        stdout(&out).contains("layout spss; encoding sav (value labels read as answers)"),
        "{}",
        stdout(&out)
    );
    s.expect_exit(&["-q", "run", "--config", "sample-data/sav.toml"], 0);
    for table in [
        "fact_item_results",
        "fact_indicator_results",
        "fact_response_rates",
        "fact_import_reconciliation",
        "fact_comment_themes",
    ] {
        assert_eq!(
            s.read_table("sample-data/outs", table),
            s.read_table("sample-data/out", table),
            "{table}"
        );
    }
    // inspect proposes it with its variable labels as wording, and no encoding.
    let t = stdout(&s.expect_exit(
        &[
            "inspect",
            "sample-data/staff-survey-2025.sav",
            "--schema",
            "schemas/staff-survey.toml",
        ],
        0,
    ));
    assert!(
        t.contains("ethnicity = \"Q11\"  # matched by wording"),
        "{t}"
    );
    assert!(
        t.contains("layout = \"spss\"") && !t.contains("encoding = \"sav\""),
        "{t}"
    );
    // A file cut short in the download is an error, never a short wave.
    let bytes = std::fs::read(s.path("sample-data/staff-survey-2025.sav")).unwrap();
    s.write("sample-data/cut.sav", &bytes[..bytes.len() / 2]);
    let out = s.expect_exit(&["inspect", "sample-data/cut.sav"], 1);
    assert!(
        stderr(&out).contains("the SPSS file looks damaged (header declares 3054 rows but"),
        "{}",
        stderr(&out)
    );
}
