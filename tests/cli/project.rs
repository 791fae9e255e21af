//! An analyst's first hour: `init`, `add-wave`, `inspect --write`, the config found in the
//! current folder, archived exports, the end-of-run headline, and the README's walkthrough,
//! run command by command.

use crate::common::*;
use std::path::{Path, PathBuf};

/// A folder holding only the sample's exports and headcounts (no config, no schema).
fn exports_only() -> Sandbox {
    let s = Sandbox::new();
    s.copy_dir("sample-data", "sample-data");
    std::fs::remove_file(s.path("sample-data/pipeline.toml")).unwrap();
    s
}

/// The sandbox's path replaced by `[sandbox]`, so messages naming folders are stable.
fn stable(s: &Sandbox, text: &str) -> String {
    let root = s.dir.path().canonicalize().unwrap();
    text.replace(&root.display().to_string(), "[sandbox]")
        .replace(&s.dir.path().display().to_string(), "[sandbox]")
}

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("culture-metrics")
}

/// The README's walkthrough: the commands between its markers.
fn walkthrough() -> Vec<String> {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme
        .find("<!-- walkthrough")
        .expect("README has a walkthrough");
    let end = readme.find("<!-- /walkthrough -->").unwrap();
    readme[start..end]
        .lines()
        .skip(1)
        .filter(|l| !l.starts_with("```") && !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

#[test]
fn readme_walkthrough_runs_as_written_from_init_to_a_pack() {
    let s = exports_only();
    let commands = walkthrough();
    assert!(commands.len() >= 4, "{commands:?}");
    let mut cwd = s.path("");
    let mut last_stderr = String::new();
    for line in &commands {
        assert!(
            !line.contains(['"', '\'', '|', '>', '&']),
            "keep walkthrough commands plain: {line}"
        );
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["cd", dir] => cwd = cwd.join(dir),
            ["culture-metrics", args @ ..] => {
                let out = assert_cmd::Command::new(bin())
                    .current_dir(&cwd)
                    .args(args)
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "`{line}` failed:\n{}{}",
                    stdout(&out),
                    stderr(&out)
                );
                last_stderr = stderr(&out);
            }
            _ => panic!("the walkthrough has a command the test cannot follow: {line}"),
        }
    }
    // No hand edits: the config init and add-wave wrote produced the pack.
    let project = s.path("my-survey");
    assert!(project.join("out/latest/report.html").is_file());
    let items = s.read_csv("my-survey/out/latest/tables/fact_item_results.csv");
    assert!(items.lines().count() > 1000, "{}", items.lines().count());
    let waves = s.read_csv("my-survey/out/latest/tables/dim_wave.csv");
    assert!(waves.contains("2025") && waves.contains("2026"), "{waves}");
    // The feedback add-feedback set up is in the pack.
    let spc = s.read_csv("my-survey/out/latest/tables/fact_feedback_spc.csv");
    assert!(spc.lines().count() > 10, "{spc}");
    // The headline lists every headline indicator of the latest wave.
    let schema = culture_metrics::schema::Schema::load(&project.join("staff-survey.toml")).unwrap();
    let headline = &last_stderr[last_stderr
        .find("Headline, 2026, whole organisation")
        .expect("run prints the headline")..];
    for ind in &schema.indicators {
        let start: String = ind.label.chars().take(40).collect();
        assert!(
            headline.contains(&start),
            "{} missing:\n{headline}",
            ind.label
        );
    }
    for line in headline.lines() {
        assert!(line.chars().count() <= 80, "wider than 80 columns: {line}");
    }
}

#[test]
fn init_writes_a_commented_config_with_guesses_marked() {
    let s = exports_only();
    let out = s.expect_exit(
        &[
            "init",
            "proj",
            "--export",
            "sample-data/staff-survey-2026-surveymonkey.csv",
        ],
        0,
    );
    insta::assert_snapshot!("init_summary", stdout(&out));
    let config = s.read("proj/pipeline.toml");
    // Every guess is marked, every unmatched column listed, personal data never mapped.
    assert!(config.contains("file = \"../sample-data/staff-survey-2026-surveymonkey.csv\""));
    assert!(
        config.contains("test_values = [\"431220999\"]  # CHECK"),
        "{config}"
    );
    assert!(config.contains("min_answered = 13  # CHECK"), "{config}");
    assert!(config.contains("# ID = \"Start Date\""), "{config}");
    assert!(config.contains("# Personal data, never imported: IP Address, Email Address"));
    assert!(config.contains("S19 = \"To what extent"), "{config}");
    assert!(config.contains("# Schema ids with no column in this export"));
    // The bundled schema and benchmarks come with it, with what the export taught init: the
    // 2026 export writes "Agree strongly" twice, now an alias of "Strongly agree".
    assert_eq!(
        s.read("proj/staff-survey.toml"),
        culture_metrics::project::BUNDLED_SCHEMA
            .replace(
                "description = \"5-point agreement; Don't know is kept but not scored\"\n",
                "description = \"5-point agreement; Don't know is kept but not scored\"\n\
                 # CHECK: aliases added for your export's answers: \"Agree strongly\" = \"Strongly agree\"\n"
            )
            .replace(
                "{ code = 5, label = \"Strongly agree\", group = \"positive\" },",
                "{ code = 5, label = \"Strongly agree\", group = \"positive\", aliases = [\"Agree strongly\"] },"
            )
    );
    assert!(s.path("proj/benchmarks/csps-median.csv").is_file());
    // It validates as written.
    s.expect_exit(&["validate", "--config", "proj/pipeline.toml"], 0);
}

#[test]
fn init_refuses_to_overwrite_and_add_wave_refuses_a_wave_it_already_has() {
    let s = exports_only();
    let init = |args: &[&str]| s.cmd(args).output().unwrap();
    let first = init(&[
        "init",
        "proj",
        "--export",
        "sample-data/staff-survey-2025-qualtrics.csv",
    ]);
    assert!(first.status.success(), "{}", stderr(&first));
    let again = init(&[
        "init",
        "proj",
        "--export",
        "sample-data/staff-survey-2025-qualtrics.csv",
    ]);
    assert_eq!(again.status.code(), Some(2));
    insta::assert_snapshot!("init_existing_project", stderr(&again));
    let before = s.read("proj/pipeline.toml");
    let dup = s.expect_exit(
        &[
            "add-wave",
            "--config",
            "proj/pipeline.toml",
            "--export",
            "sample-data/staff-survey-2025-qualtrics.csv",
        ],
        2,
    );
    insta::assert_snapshot!("add_wave_duplicate", stable(&s, &stderr(&dup)));
    assert_eq!(
        s.read("proj/pipeline.toml"),
        before,
        "config left as it was"
    );
    // Named another way, the same export is a second wave that loads.
    let pulse = s
        .cmd(&[
            "add-wave",
            "--config",
            "proj/pipeline.toml",
            "--export",
            "sample-data/staff-survey-2025-qualtrics.csv",
            "--id",
            "2025-pulse",
        ])
        .output()
        .unwrap();
    // Its fieldwork is the same days as 2025's: the config would not load, so it is refused.
    assert_eq!(pulse.status.code(), Some(2), "{}", stdout(&pulse));
    assert!(
        stderr(&pulse).contains("was left as it was"),
        "{}",
        stderr(&pulse)
    );
    assert_eq!(s.read("proj/pipeline.toml"), before);
}

#[test]
fn run_without_config_outside_a_project_names_init() {
    let s = Sandbox::new();
    for cmd in ["run", "validate", "audit", "add-wave --export x.csv"] {
        let args: Vec<&str> = cmd.split(' ').collect();
        let out = s.cmd(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{cmd}");
        assert!(
            stderr(&out).contains("culture-metrics init my-survey --export"),
            "{cmd}: {}",
            stderr(&out)
        );
    }
    let out = s.cmd(&["run"]).output().unwrap();
    insta::assert_snapshot!("no_config", stable(&s, &stderr(&out)));
    // In a project folder, its pipeline.toml is used.
    let s = exports_only();
    s.cmd(&[
        "init",
        "proj",
        "--export",
        "sample-data/staff-survey-2025-qualtrics.csv",
    ])
    .assert()
    .success();
    let out = s
        .cmd(&["validate"])
        .current_dir(s.path("proj"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// The sample project (config, schemas, exports), run once so the store holds both waves.
fn stored_sample() -> Sandbox {
    let s = Sandbox::sample();
    s.expect_exit(&["-q", "run", "--config", SAMPLE_CONFIG], 0);
    s
}

#[test]
fn archived_export_of_a_stored_wave_runs_from_the_store_and_says_so() {
    let s = stored_sample();
    let tables = |s: &Sandbox| s.read_table("sample-data/out", "fact_indicator_results");
    let before = tables(&s);
    let first_run = s.pack("sample-data/out");
    std::fs::create_dir_all(s.path("archive")).unwrap();
    std::fs::rename(
        s.path("sample-data/staff-survey-2025-qualtrics.csv"),
        s.path("archive/staff-survey-2025-qualtrics.csv"),
    )
    .unwrap();
    let out = s.expect_exit(&["run", "--config", SAMPLE_CONFIG], 0);
    let err = stderr(&out);
    assert!(
        err.contains("Wave 2025: sample-data/staff-survey-2025-qualtrics.csv\n  export archived (not found at that path): the store's copy of this wave is used"),
        "{err}"
    );
    // The same inputs as far as the pack is concerned: same run id, same tables.
    assert_eq!(s.pack("sample-data/out"), first_run);
    assert_eq!(tables(&s), before);
    // validate reports the stored wave too.
    let v = s.expect_exit(&["validate", "--config", SAMPLE_CONFIG], 0);
    assert!(stdout(&v).contains("export archived"), "{}", stdout(&v));
    // --reimport needs the file.
    let re = s.expect_exit(&["run", "--config", SAMPLE_CONFIG, "--reimport"], 2);
    insta::assert_snapshot!("reimport_archived_export", stable(&s, &stderr(&re)));
}

#[test]
fn archived_export_with_a_changed_mapping_is_a_clear_error() {
    let s = stored_sample();
    std::fs::remove_file(s.path("sample-data/staff-survey-2025-qualtrics.csv")).unwrap();
    // The store's copy was imported with Q1_3 as S03: it cannot stand for another mapping.
    let cfg = s.read(SAMPLE_CONFIG).replacen("S03 = \"Q1_3\"\n", "", 1);
    s.write(SAMPLE_CONFIG, cfg);
    let out = s.expect_exit(&["run", "--config", SAMPLE_CONFIG], 2);
    insta::assert_snapshot!("archived_export_changed_mapping", stable(&s, &stderr(&out)));
}

#[test]
fn missing_export_never_stored_names_the_file_folder_and_similar_names() {
    let s = Sandbox::sample();
    let cfg = s.read(SAMPLE_CONFIG).replace(
        "file = \"staff-survey-2025-qualtrics.csv\"",
        "file = \"staff-survey-2025-qualtrix.csv\"",
    );
    s.write(SAMPLE_CONFIG, cfg);
    let out = s.expect_exit(&["validate", "--config", SAMPLE_CONFIG], 2);
    let err = stable(&s, &stderr(&out));
    assert!(!err.contains("os error"), "{err}");
    insta::assert_snapshot!("missing_export", err);
}

#[test]
fn windows_paths_in_the_config_are_read_as_pasted() {
    let s = Sandbox::sample();
    std::fs::create_dir_all(s.path("sample-data/exports")).unwrap();
    std::fs::rename(
        s.path("sample-data/staff-survey-2025-qualtrics.csv"),
        s.path("sample-data/exports/staff-survey-2025-qualtrics.csv"),
    )
    .unwrap();
    // Backslashes as Explorer copies them: `\s` is no TOML escape, so this failed to parse.
    let cfg = s
        .read(SAMPLE_CONFIG)
        .replace(
            "file = \"staff-survey-2025-qualtrics.csv\"",
            "file = \".\\exports\\staff-survey-2025-qualtrics.csv\"",
        )
        .replace(
            "schema = \"../schemas/staff-survey.toml\"",
            "schema = '..\\schemas\\staff-survey.toml'",
        );
    s.write(SAMPLE_CONFIG, cfg);
    s.expect_exit(&["validate", "--config", SAMPLE_CONFIG], 0);
}

#[test]
fn inspect_write_saves_the_wave_block_and_never_overwrites() {
    let s = exports_only();
    let args = [
        "inspect",
        "sample-data/staff-survey-2025-qualtrics.csv",
        "--schema",
        "schemas/staff-survey.toml",
        "--write",
        "blocks/wave-2025.toml",
    ];
    s.copy_dir("schemas", "schemas");
    let out = s.cmd(&args).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let block = s.read("blocks/wave-2025.toml");
    let parsed: toml::Table = block.parse().expect("the block is TOML");
    let wave = &parsed["waves"][0];
    assert_eq!(
        wave["file"].as_str(),
        Some("../sample-data/staff-survey-2025-qualtrics.csv")
    );
    assert_eq!(wave["columns"]["S19"].as_str(), Some("Q1_19"));
    let again = s.cmd(&args).output().unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("never overwrites"),
        "{}",
        stderr(&again)
    );
    assert_eq!(s.read("blocks/wave-2025.toml"), block);
}

#[test]
fn feedback_sources_are_not_called_waves() {
    let s = Sandbox::sample();
    let out = s.expect_exit(&["run", "--config", SAMPLE_CONFIG], 0);
    let err = stderr(&out);
    assert!(!err.contains("Wave paper"), "{err}");
    assert!(
        err.contains("Feedback forms (paper): sample-data/member-feedback-paper.csv"),
        "{err}"
    );
    // The headline, pinned.
    let headline = &err[err.find("\nHeadline").unwrap()..];
    insta::assert_snapshot!("run_headline", headline);
}

#[test]
fn completions_are_printed_for_each_shell() {
    let s = Sandbox::new();
    for shell in ["bash", "zsh", "powershell"] {
        let out = s.expect_exit(&["completions", shell], 0);
        let text = stdout(&out);
        assert!(
            text.contains("add-wave") && text.contains("init"),
            "{shell}"
        );
    }
}

#[test]
fn headline_with_three_waves_shows_previous_and_baseline_within_80_columns() {
    let s = Sandbox::sample();
    // A third wave: the 2026 export again, as a pulse survey fielded the month after (a wave
    // dated after the run is a config error, so it cannot be next October's).
    let cfg = s.read(SAMPLE_CONFIG);
    let start = cfg.find("# ---- 2026").unwrap();
    let end = cfg.find("# ---- Member-meeting").unwrap();
    let third = cfg[start..end]
        .replace("id = \"2026\"", "id = \"2026b\"")
        .replace("2026-10-06", "2026-11-02")
        .replace("2026-10-31", "2026-11-27");
    s.write(
        SAMPLE_CONFIG,
        format!("{}{third}{}", &cfg[..end], &cfg[end..]),
    );
    let out = s.expect_exit(&["run", "--config", SAMPLE_CONFIG], 0);
    let err = stderr(&out);
    let headline = &err[err.find("Headline, 2026b").expect("headline")..];
    let header = headline.lines().nth(1).unwrap();
    assert!(
        header.contains("since 2026") && header.contains("since 2025 (baseline)"),
        "{headline}"
    );
    // The same export twice: nothing changed since 2026, so no verdict says it did.
    let trust = headline
        .lines()
        .find(|l| l.contains("Officer-member trust"))
        .unwrap();
    assert!(trust.contains("0.0 not significant"), "{trust}");
    assert!(trust.contains("+8.9 improved"), "{trust}");
    for line in headline.lines() {
        assert!(line.chars().count() <= 80, "wider than 80 columns: {line}");
    }
}

/// The sample's 2025 export as another council would send it: its own directorates and grade
/// bands, ethnicity written short ("Asian", "Black", "Mixed"); and the staff in post by
/// directorate and grade (twice the respondents).
fn another_councils_export(
    s: &Sandbox,
) -> (String, std::collections::BTreeMap<(String, String), u64>) {
    let text = s.read("sample-data/staff-survey-2025-qualtrics.csv");
    let rows = rename_council(&text, b',', ["Q6", "Q7", "Q11"], 3);
    let at = |key: &str| rows[0].iter().position(|h| h == key).unwrap();
    let (dir, grade) = (at("Q6"), at("Q7"));
    let mut staff = std::collections::BTreeMap::new();
    let mut out = csv::Writer::from_writer(Vec::new());
    for (i, r) in rows.iter().enumerate() {
        if i >= 3 && r.len() > grade && !r[dir].is_empty() && !r[grade].is_empty() {
            *staff.entry((r[dir].clone(), r[grade].clone())).or_insert(0) += 2;
        }
        out.write_record(r).unwrap();
    }
    (String::from_utf8(out.into_inner().unwrap()).unwrap(), staff)
}

/// An export's rows with the directorate, grade and ethnicity columns (found by their header)
/// renamed to another council's categories; the first `header_rows` rows stay as they are.
fn rename_council(
    text: &str,
    delimiter: u8,
    [dir_key, grade_key, eth_key]: [&str; 3],
    header_rows: usize,
) -> Vec<Vec<String>> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    let at = |key: &str| rows[0].iter().position(|h| h == key).unwrap();
    let (dir, grade, eth) = (at(dir_key), at(grade_key), at(eth_key));
    let rename = |v: &str, map: &[(&str, &str)]| {
        let v = v.replace('\u{2019}', "'").replace('\u{2013}', "-");
        map.iter()
            .find(|(from, _)| *from == v)
            .map_or(v.clone(), |(_, to)| to.to_string())
    };
    let dirs = [
        ("Chief Executive's Office", "Corporate Core"),
        ("Mayor's Office", "Corporate Core"),
        ("Resources", "Finance and Resources"),
        ("Children's Services", "Children and Families"),
        ("Health, Adults and Community", "Adult Social Care"),
        ("Housing and Regeneration", "Housing"),
        ("Communities", "Neighbourhoods"),
        ("Place", "Neighbourhoods"),
    ];
    let grades = [
        ("Scale 1-6", "Band 1-4"),
        ("SO1-SO2", "Band 5-6"),
        ("PO1-PO4", "Band 7-8"),
        ("PO5-PO8", "Band 9-10"),
        ("Senior management", "Senior leadership"),
    ];
    let ethnicities = [
        ("Asian or Asian British", "Asian"),
        ("Black, Black British, Caribbean or African", "Black"),
        ("Mixed or multiple ethnic groups", "Mixed"),
    ];
    rows.iter()
        .enumerate()
        .map(|(i, r)| {
            let mut r: Vec<String> = r.iter().map(String::from).collect();
            if i >= header_rows && r.len() > dir.max(grade).max(eth) {
                r[dir] = rename(&r[dir], &dirs);
                r[grade] = rename(&r[grade], &grades);
                r[eth] = rename(&r[eth], &ethnicities);
            }
            r
        })
        .collect()
}

/// A Windows-1252 byte as the character it stands for (the sample's 2026 export).
fn windows_1252(b: u8) -> char {
    match b {
        0x92 => '\u{2019}',
        0x96 => '\u{2013}',
        0x93 => '\u{201C}',
        0x94 => '\u{201D}',
        0x85 => '\u{2026}',
        b => char::from(b),
    }
}

/// The sample's 2026 SurveyMonkey export as another council's workbook whose dates all read
/// both ways: every response moved into 1-12 October and written day first (`06/10/2026`).
fn ambiguous_workbook(s: &Sandbox, to: &str) {
    let bytes = std::fs::read(s.path("sample-data/staff-survey-2026-surveymonkey.csv")).unwrap();
    let text: String = bytes.iter().map(|&b| windows_1252(b)).collect();
    let mut rows = rename_council(
        &text,
        b';',
        [
            "Which directorate do you work in?",
            "What is your grade?",
            "What is your ethnic group?",
        ],
        2,
    );
    for row in rows.iter_mut().skip(2) {
        for v in row.iter_mut().skip(2).take(2) {
            // 10/26/2026 18:52:23 (month first) → 02/10/2026 18:52:23 (day first, day ≤ 12)
            let (date, time) = v.split_once(' ').unwrap();
            let day: u32 = date.split('/').nth(1).unwrap().parse().unwrap();
            *v = format!("{:02}/10/2026 {time}", (day - 1) % 12 + 1);
        }
    }
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, v).unwrap();
        }
    }
    book.save(s.path(to)).unwrap();
}

/// Rows accepted per wave and feedback source, as `validate` prints them.
fn accepted(validate_stdout: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut source = String::new();
    for line in validate_stdout.lines() {
        if let Some(rest) = line
            .strip_prefix("Wave ")
            .or(line.strip_prefix("Feedback forms "))
        {
            source = rest.split(':').next().unwrap().to_string();
        } else if let Some(Ok(n)) = line
            .trim()
            .strip_prefix("accepted ")
            .map(|n| n.trim().parse())
        {
            out.push((source.clone(), n));
        }
    }
    out
}

#[test]
fn a_second_council_sets_up_with_no_hand_edit() {
    // Before: another council's exports took seven hand edits: its directorate and grade lists
    // written into the schema copy, stale aliases deleted, ethnicity aliases added (49% of rows
    // were rejected without them), the two-year headcount file split by hand, a date guessed
    // silently, the [meetings] section written from the reference. Now: its agency's 2024
    // SPSS file, its 2025 CSV, its 2026 workbook whose dates read both ways, a long-form
    // headcount, paper and Microsoft Forms feedback as workbooks, and no edit of any file the
    // tool wrote.
    let s = exports_only();
    s.copy_dir("tests/fixtures/spss", "council");
    s.copy_dir("tests/fixtures/workbooks", "council");
    std::fs::rename(
        s.path("council/other-council-2024.zsav"),
        s.path("council/agency-2024.zsav"),
    )
    .unwrap();
    let (export, staff) = another_councils_export(&s);
    s.write("council/export-2025.csv", export);
    ambiguous_workbook(&s, "council/export-2026.xlsx");
    // HR's file grows a year at a time, one row per year and group.
    let headcount = |years: &[&str]| {
        let mut hc = String::from("year,directorate,grade,headcount\n");
        for year in years {
            for ((d, g), n) in &staff {
                hc.push_str(&format!("{year},\"{d}\",{g},{n}\n"));
            }
        }
        s.write("council/hr-headcount.csv", hc);
    };
    headcount(&["2024"]);
    let said = stdout(&s.expect_exit(
        &[
            "init",
            "proj",
            "--export",
            "council/agency-2024.zsav",
            "--headcount",
            "council/hr-headcount.csv",
            "--feedback",
            "council/member-feedback-paper.xlsx",
            "council/member-feedback-online.xlsx",
            "--register",
            "sample-data/meeting-register.csv",
        ],
        0,
    ));
    assert!(said.contains("directorate: your export's categories replace the bundled ones (Adult Social Care, Children and Families, Corporate Core, Finance and Resources, Housing, Neighbourhoods)"), "{said}");
    assert!(
        said.contains("ethnicity: aliases added for \"Asian\" → \"Asian or Asian British\""),
        "{said}"
    );
    assert!(
        said.contains("feedback source paper (Paper): 343 forms; 9 columns matched to questions or groups (7 by position, marked CHECK)"),
        "{said}"
    );
    let schema = s.read("proj/staff-survey.toml");
    assert!(
        schema.contains("# CHECK: aliases of removed categories dropped: CEO's Office, HAC"),
        "{schema}"
    );
    let config = s.read("proj/pipeline.toml");
    assert!(config.contains("id = \"2024\""), "{config}");
    assert!(
        config.contains("channel = \"Online\"  # a Microsoft Forms download"),
        "{config}"
    );
    // Next year's CSV, with HR's file a year longer.
    headcount(&["2024", "2025"]);
    s.expect_exit(
        &[
            "add-wave",
            "--config",
            "proj/pipeline.toml",
            "--export",
            "council/export-2025.csv",
            "--headcount",
            "council/hr-headcount.csv",
        ],
        0,
    );
    // The 2026 workbook's dates read both ways: add-wave asks when the survey was open.
    headcount(&["2024", "2025", "2026"]);
    let before = s.read("proj/pipeline.toml");
    let add_2026 = |fieldwork: Option<&str>| {
        let mut args = vec![
            "add-wave",
            "--config",
            "proj/pipeline.toml",
            "--export",
            "council/export-2026.xlsx",
            "--headcount",
            "council/hr-headcount.csv",
        ];
        if let Some(f) = fieldwork {
            args.extend(["--fieldwork", f]);
        }
        s.cmd(&args).output().unwrap()
    };
    let out = add_2026(None);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(
        stderr(&out)
            .contains("reads both as day/month (2026-10-01 to 2026-10-12) and as month/day"),
        "{}",
        stderr(&out)
    );
    assert_eq!(s.read("proj/pipeline.toml"), before);
    let out = add_2026(Some("2026-10-01..2026-10-12"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        s.read("proj/pipeline.toml").contains("fieldwork_start = \"2026-10-01\"  # the day the survey opened (given with --fieldwork); the responses' dates (e.g. "),
        "{}",
        s.read("proj/pipeline.toml")
    );
    // Every row accepted as with the sample's hand-written config, whose waves hold the same
    // responses (2024 is the 2025 sample a year earlier), and the same feedback.
    let out = s.expect_exit(&["validate", "--config", "proj/pipeline.toml"], 0);
    let ours = accepted(&stdout(&out));
    s.copy_dir("sample-data", "hand")
        .copy_dir("schemas", "schemas");
    let hand = accepted(&stdout(
        &s.expect_exit(&["validate", "--config", "hand/pipeline.toml"], 0),
    ));
    let n = |list: &[(String, u64)], name: &str| {
        list.iter()
            .find(|(s, _)| s == name)
            .map(|(_, n)| *n)
            .unwrap()
    };
    assert_eq!(n(&ours, "2024"), n(&hand, "2025"), "{ours:?} {hand:?}");
    assert_eq!(n(&ours, "2025"), n(&hand, "2025"), "{ours:?} {hand:?}");
    assert_eq!(n(&ours, "2026"), n(&hand, "2026"), "{ours:?} {hand:?}");
    assert_eq!(
        n(&ours, "(paper)"),
        n(&hand, "(paper)"),
        "{ours:?} {hand:?}"
    );
    assert_eq!(
        n(&ours, "(online)"),
        n(&hand, "(online)"),
        "{ours:?} {hand:?}"
    );
    s.expect_exit(&["-q", "run", "--config", "proj/pipeline.toml"], 0);
    assert!(s.path("proj/out/latest/manifest.json").is_file());
}

#[test]
fn add_feedback_writes_the_meetings_section_then_adds_forms() {
    // Before: the [meetings] section was written by hand from the reference.
    let s = exports_only();
    s.expect_exit(
        &[
            "init",
            "proj",
            "--export",
            "sample-data/staff-survey-2025-qualtrics.csv",
        ],
        0,
    );
    let add = |args: &[&str], code: i32| {
        let mut all = vec![
            "add-feedback",
            "--config",
            "proj/pipeline.toml",
            "--feedback",
        ];
        all.extend(args);
        s.expect_exit(&all, code)
    };
    let before = s.read("proj/pipeline.toml");
    // No [meetings] yet: the register is needed, and nothing is written without it.
    let out = add(&["sample-data/member-feedback-paper.csv"], 2);
    assert!(
        stderr(&out)
            .contains("has no [meetings] section yet, so the meeting register is needed too"),
        "{}",
        stderr(&out)
    );
    assert_eq!(s.read("proj/pipeline.toml"), before);
    let said = stdout(&add(
        &[
            "sample-data/member-feedback-paper.csv",
            "--register",
            "sample-data/meeting-register.csv",
        ],
        0,
    ));
    assert!(said.contains("Wrote proj/member-feedback.toml"), "{said}");
    // A second form joins the section; the register is named once.
    let out = add(
        &[
            "sample-data/member-feedback-online.csv",
            "--register",
            "sample-data/meeting-register.csv",
        ],
        2,
    );
    assert!(
        stderr(&out).contains("already names a meeting register"),
        "{}",
        stderr(&out)
    );
    add(&["sample-data/member-feedback-online.csv"], 0);
    let config = s.read("proj/pipeline.toml");
    let section = &config[config.find("# ---- Member-meeting feedback").unwrap()..];
    insta::assert_snapshot!("feedback_section", section);
    // The forms reconcile as with the sample's hand-written [meetings] section.
    let ours = accepted(&stdout(
        &s.expect_exit(&["validate", "--config", "proj/pipeline.toml"], 0),
    ));
    s.copy_dir("sample-data", "hand")
        .copy_dir("schemas", "schemas");
    let hand = accepted(&stdout(
        &s.expect_exit(&["validate", "--config", "hand/pipeline.toml"], 0),
    ));
    for source in ["(paper)", "(online)"] {
        let n = |list: &[(String, u64)]| list.iter().find(|(s, _)| s == source).map(|(_, n)| *n);
        assert_eq!(n(&ours), n(&hand), "{source}: {ours:?} {hand:?}");
    }
}
