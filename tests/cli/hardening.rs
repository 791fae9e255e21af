//! Hardening (issue 15): each case an attack on the pipeline found, as a regression test
//! named after what it guards.

use crate::common::*;

const SURVEYMONKEY: &str = "sample-data/staff-survey-2026-surveymonkey.csv";

/// `validate` on the sample with a rejects file: the outcome and everything it printed.
fn validate_sample(s: &Sandbox) -> (std::process::Output, String) {
    let out = s
        .cmd(&[
            "validate",
            "--config",
            "sample-data/pipeline.toml",
            "--rejects",
            "rejects.csv",
        ])
        .output()
        .unwrap();
    let text = stdout(&out) + &stderr(&out);
    (out, text)
}

/// The attack's case: one stray `"` at the start of a SurveyMonkey comment (data line 2,919
/// counting CRLF rows). The old importer read 2,969 rows from a file of 3,008 records: one
/// comment field of about 19,000 characters swallowed 39 whole rows, IP addresses included.
fn stray_quote(s: &Sandbox) {
    let bytes = std::fs::read(s.path(SURVEYMONKEY)).unwrap();
    let mut rows: Vec<Vec<u8>> = bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    // Physical rows split on CRLF (comments hold bare LFs): find the 2,919th CRLF row.
    let text = bytes;
    let mut crlf_rows: Vec<&[u8]> = Vec::new();
    let mut start = 0;
    for i in 0..text.len().saturating_sub(1) {
        if text[i] == b'\r' && text[i + 1] == b'\n' {
            crlf_rows.push(&text[start..i]);
            start = i + 2;
        }
    }
    let row = crlf_rows[2918].to_vec();
    let mut k = 0;
    let mut seen = 0;
    while seen < 42 {
        if row[k] == b';' {
            seen += 1;
        }
        k += 1;
    }
    let mut damaged = row.clone();
    damaged.insert(k, b'"');
    let i = rows
        .iter()
        .position(|r| r.strip_suffix(b"\r").unwrap_or(r) == row.as_slice())
        .unwrap();
    rows[i] = [damaged.as_slice(), b"\r"].concat();
    s.write(SURVEYMONKEY, rows.join(&b'\n'));
}

#[test]
fn unterminated_quote_rejects_every_row_it_swallowed_and_loses_none() {
    let s = Sandbox::sample();
    stray_quote(&s);
    let (out, text) = validate_sample(&s);
    // 40 of 3,008 rows rejected is over the 1% tolerance: the data is rejected, not published.
    assert_eq!(out.status.code(), Some(1), "{text}");
    let wave = &text[text.find("Wave 2026: sample-data").unwrap()..];
    let count = |what: &str| -> usize {
        let line = wave.lines().find(|l| l.contains(what)).unwrap();
        line.split_whitespace()
            .rev()
            .find_map(|w| w.parse().ok())
            .unwrap()
    };
    assert_eq!(
        count("rows in file"),
        3008,
        "rows in = records in the file\n{wave}"
    );
    assert_eq!(count("a quote left open"), 40, "{wave}");
    assert!(wave.contains("3008  (ok)"), "{wave}");
    let rejects = s.read("rejects.csv");
    let lines: Vec<u64> = rejects
        .lines()
        .filter(|l| l.contains(",unterminated_quote,"))
        .map(|l| l.split(',').nth(2).unwrap().parse().unwrap())
        .collect();
    assert_eq!(lines.len(), 40);
    assert!(
        lines.windows(2).all(|w| w[1] == w[0] + 1),
        "one line each: {lines:?}"
    );
    assert!(
        !rejects.contains("198.51.100."),
        "no swallowed text (IP addresses) in the rejects file"
    );
}

#[test]
fn overlong_comment_is_rejected_and_never_stored() {
    let s = Sandbox::sample();
    let text = std::fs::read(s.path(SURVEYMONKEY)).unwrap();
    let long = "word ".repeat(2_500);
    let needle = b";Less shouting in the chamber.";
    let at = text
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap();
    let damaged = [&text[..at + 1], long.as_bytes(), &text[at + 1..]].concat();
    s.write(SURVEYMONKEY, damaged);
    let (_, text) = validate_sample(&s);
    assert!(
        text.contains("a field longer than 10,000 characters"),
        "{text}"
    );
    let rejects = s.read("rejects.csv");
    let row = rejects
        .lines()
        .find(|l| l.contains(",overlong_field,"))
        .unwrap();
    assert!(!row.contains("word word"), "the text is not copied: {row}");
    // The coded-comments file must not name the rejected response.
    let codes_file = "sample-data/staff-survey-2026-comment-codes.csv";
    let codes: String = s
        .read(codes_file)
        .lines()
        .filter(|l| !l.starts_with("118204679526,"))
        .map(|l| format!("{l}\n"))
        .collect();
    s.write(codes_file, codes);
    s.expect_exit(&["-q", "run", "--config", SAMPLE_CONFIG, "--out", "out"], 0);
    // Nowhere but the export itself: not the store, the pack or the rejects file.
    for e in walk(&s.path("")) {
        if e.ends_with(SURVEYMONKEY) {
            continue;
        }
        let bytes = std::fs::read(&e).unwrap();
        assert!(
            !bytes.windows(20).any(|w| w == b"word word word word "),
            "the long comment reached {}",
            e.display()
        );
    }
}

/// Every file under a folder.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

const STORE_RECORD: &str = "sample-data/out/store/2026.import.json";
const LATEST_ITEMS: &str = "sample-data/out/latest/tables/fact_item_results.csv";

/// The 2026 export with different answers but the same respondents (so the coded comments
/// still match): every "Strongly agree" becomes "Disagree" (bytes, so Windows-1252 survives).
fn changed_answers(original: &[u8]) -> Vec<u8> {
    replace_bytes(original, b"Strongly agree", b"Disagree")
}

fn replace_bytes(hay: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(hay.len());
    let mut i = 0;
    while i < hay.len() {
        if hay[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(hay[i]);
            i += 1;
        }
    }
    out
}

fn run_ok(s: &Sandbox, args: &[&str]) {
    let out = s.cmd(args).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn store_killed_while_writing_then_export_restored_imports_again() {
    let s = Sandbox::sample();
    run_ok(&s, &["-q", "run", "--config", SAMPLE_CONFIG]);
    let before = s.read(LATEST_ITEMS);
    let original = std::fs::read(s.path(SURVEYMONKEY)).unwrap();
    // A changed export, and the run killed after the store's data files, before its record.
    s.write(SURVEYMONKEY, changed_answers(&original));
    let killed = s
        .cmd(&["-q", "run", "--config", SAMPLE_CONFIG])
        .env("CULTURE_METRICS_FAULT", "store-before-record")
        .output()
        .unwrap();
    assert!(!killed.status.success(), "the fault point stopped the run");
    // The original export back: the store holds the changed wave's files, so it must not
    // be trusted as "unchanged".
    s.write(SURVEYMONKEY, &original);
    run_ok(&s, &["-q", "run", "--config", SAMPLE_CONFIG]);
    assert_eq!(
        s.read(LATEST_ITEMS),
        before,
        "the published figures are the original export's"
    );
}

#[test]
fn store_files_that_do_not_match_their_record_are_imported_again() {
    let s = Sandbox::sample();
    run_ok(&s, &["-q", "run", "--config", SAMPLE_CONFIG]);
    let before = s.read(LATEST_ITEMS);
    let record_a = s.read(STORE_RECORD);
    let original = std::fs::read(s.path(SURVEYMONKEY)).unwrap();
    s.write(SURVEYMONKEY, changed_answers(&original));
    run_ok(&s, &["-q", "run", "--config", SAMPLE_CONFIG]);
    assert_ne!(
        s.read(LATEST_ITEMS),
        before,
        "the changed export changes the figures"
    );
    // The state a crash between the store's renames used to leave: the changed export's data
    // under the original export's record.
    s.write(STORE_RECORD, record_a);
    s.write(SURVEYMONKEY, &original);
    run_ok(&s, &["-q", "run", "--config", SAMPLE_CONFIG]);
    assert_eq!(
        s.read(LATEST_ITEMS),
        before,
        "the store's copy was checked, not trusted"
    );
}

/// Every complete pack a reader can reach: `latest/` and each run listed in `runs.csv`.
fn assert_packs_complete(s: &Sandbox, after: &str) {
    for f in [
        "report.html",
        "manifest.json",
        "tables/fact_item_results.csv",
    ] {
        assert!(
            s.exists(&format!("sample-data/out/latest/{f}")),
            "latest/{f} missing after {after}"
        );
    }
    let runs = s.read("sample-data/out/runs.csv");
    for line in runs.lines().skip(1) {
        let id = line.split(',').next().unwrap();
        assert!(
            s.exists(&format!("sample-data/out/{id}/manifest.json")),
            "run {id} in runs.csv has no pack after {after}"
        );
    }
}

#[test]
fn killing_a_run_at_every_rename_leaves_the_old_or_the_new_pack_never_none() {
    let s = Sandbox::sample();
    run_ok(&s, &["-q", "run", "--config", SAMPLE_CONFIG]);
    for point in [
        "store-between-files",
        "store-before-record",
        "pack-before-swap",
        "pack-after-swap",
        "runs-before-rename",
        "latest-before-swap",
        "latest-after-swap",
    ] {
        let out = s
            .cmd(&["-q", "run", "--config", SAMPLE_CONFIG, "--reimport"])
            .env("CULTURE_METRICS_FAULT", point)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{point}: the run was stopped");
        assert_packs_complete(&s, point);
    }
    // The next run cleans what the stopped ones left and publishes.
    run_ok(&s, &["-q", "run", "--config", SAMPLE_CONFIG]);
    assert_packs_complete(&s, "a clean run");
    let left: Vec<String> = std::fs::read_dir(s.path("sample-data/out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".partial-"))
        .collect();
    assert!(left.is_empty(), "stale folders left: {left:?}");
}

#[test]
fn concurrent_runs_on_one_output_wait_for_each_other() {
    let s = Sandbox::sample();
    let outs: Vec<std::process::Output> = std::thread::scope(|scope| {
        let runs: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| {
                    s.cmd(&["-q", "run", "--config", SAMPLE_CONFIG])
                        .output()
                        .unwrap()
                })
            })
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    for out in &outs {
        assert!(out.status.success(), "{}", stderr(out));
    }
    let runs = s.read("sample-data/out/runs.csv");
    assert_eq!(runs.lines().count(), 3, "both runs recorded: {runs}");
    assert_packs_complete(&s, "two runs at once");
}

#[test]
fn rejects_file_neutralises_formulas_from_the_export() {
    let data = mini_csv()
        + "=1+1,A dir,Agree,Agree,No,\n"
        + "X1,A dir,\"=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",Agree,No,\n";
    let s = mini_sandbox(data, "", 100.0);
    s.expect_exit(
        &[
            "validate",
            "--config",
            "pipeline.toml",
            "--rejects",
            "rejects.csv",
        ],
        0,
    );
    let rejects = s.read("rejects.csv");
    for line in rejects.lines().skip(1) {
        for cell in line.split(',') {
            let cell = cell.trim_start_matches('"');
            assert!(
                !cell.starts_with(['=', '+', '@']),
                "formula reaches Excel: {line}"
            );
        }
    }
    assert!(rejects.contains("'=HYPERLINK"), "{rejects}");
}

#[test]
fn markdown_and_html_carry_no_links_or_images_from_data() {
    let schema = MINI_SCHEMA.replace(
        r#"categories = ["A dir", "B dir", "C dir"]"#,
        r#"categories = ["[x](javascript:alert(1))", "![i](http://evil/p.png)", "C dir"]"#,
    ) + "\n[[indicators]]\nid = \"respect\"\nlabel = \"Respect [r](javascript:x)\"\nmethod = \"theme-pct-positive\"\nitems = [\"Q1\", \"Q2\"]\n";
    let data = mini_csv()
        .replace(",A dir,", ",[x](javascript:alert(1)),")
        .replace(",B dir,", ",![i](http://evil/p.png),");
    let s = mini_sandbox(data, "", 0.0);
    s.write("schema.toml", schema);
    s.expect_exit(&["-q", "run", "--config", "pipeline.toml"], 0);
    for file in [
        "report.md",
        "report.html",
        "data-dictionary.md",
        "data-dictionary.html",
    ] {
        let text = s.read(&format!("out/latest/{file}"));
        if file.ends_with(".md") {
            assert!(!text.contains("](javascript:"), "a live link in {file}");
            assert!(!text.contains("](http://evil"), "a remote image in {file}");
        }
        assert!(
            !text.to_ascii_lowercase().contains("href=\"javascript:"),
            "a javascript: URL in {file}"
        );
        assert!(!text.contains("<img"), "an image in {file}");
    }
    let md = s.read("out/latest/report.md");
    assert!(
        md.contains("[x]\\(javascript:alert(1))"),
        "the label is shown as text: {}",
        md.lines()
            .filter(|l| l.contains("javascript"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn headcount_too_large_to_be_real_is_an_error_not_a_wrapped_number() {
    let s = mini_sandbox(mini_csv(), "headcount = \"hc.csv\"", 0.0);
    s.write(
        "hc.csv",
        "dir,headcount\nA dir,18446744073709551615\nB dir,20\nC dir,5\n",
    );
    let out = s
        .cmd(&["-q", "run", "--config", "pipeline.toml"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("line 2") && err.contains("more than any organisation employs"),
        "{err}"
    );
    assert!(!s.exists("out/latest"), "nothing published");
}

#[test]
fn response_id_naming_a_personal_data_column_is_refused() {
    let data = mini_csv().replacen("id,dir,", "RecipientEmail,dir,", 1);
    let s = mini_sandbox(data, "", 0.0);
    s.write(
        "pipeline.toml",
        mini_config("data.csv", "", 0.0)
            .replace("response_id = \"id\"", "response_id = \"RecipientEmail\""),
    );
    let out = s.expect_exit(&["validate", "--config", "pipeline.toml"], 2);
    assert!(
        stderr(&out).contains("holds personal data"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn wave_id_outside_the_safe_pattern_is_a_config_error() {
    for id in [
        "../../etc/2025",
        "/tmp/2025",
        "2025/../x",
        "[b](javascript:x)2025",
    ] {
        let s = mini_sandbox(mini_csv(), "", 0.0);
        s.write(
            "pipeline.toml",
            mini_config("data.csv", "", 0.0).replace("id = \"2025\"", &format!("id = {id:?}")),
        );
        let out = s.expect_exit(&["-q", "run", "--config", "pipeline.toml"], 2);
        assert!(
            stderr(&out).contains("must use only letters, digits"),
            "{id}"
        );
        assert!(!s.exists("out/store"), "{id}: nothing written");
    }
}

#[test]
fn empty_wave_list_is_a_config_error() {
    let s = mini_sandbox(mini_csv(), "", 0.0);
    let config = mini_config("data.csv", "", 0.0);
    let head = &config[..config.find("[[waves]]").unwrap()];
    s.write("pipeline.toml", format!("{head}waves = []\n"));
    let out = s.expect_exit(&["-q", "run", "--config", "pipeline.toml"], 2);
    assert!(stderr(&out).contains("no survey waves"), "{}", stderr(&out));
}

#[test]
fn linear_attack_recovers_no_hidden_count_from_the_sample_pack() {
    // The attack's case: 222 hidden counts were recoverable by an LP over the published
    // tables (e.g. Children's Services × Senior management's bullied count: 86 − (22 + 14 +
    // 32 + 10) = 8). The built-in attacker runs in `audit`; an independent one (scipy's HiGHS,
    // tests/cli/attack.py) must agree, on the staff tables (threshold 10) and on member
    // feedback's quarters and months (threshold 5: 93 forms and answer counts were
    // recoverable there when its cells said which were too small).
    let s = Sandbox::sample();
    run_ok(&s, &["-q", "run", "--config", SAMPLE_CONFIG]);
    let audit = s
        .cmd(&["audit", "--config", SAMPLE_CONFIG])
        .current_dir(s.path(""))
        .output()
        .unwrap();
    let report = stdout(&audit);
    assert!(audit.status.success(), "{report}");
    assert!(!report.contains("can be worked out"), "{report}");
    // Member feedback's cells do not say which are too small: that bound is what pinned them.
    for table in ["fact_feedback_item_month", "fact_feedback_uptake_quarter"] {
        let text = s.read_table("sample-data/out", table);
        let mut rdr = csv::Reader::from_reader(text.as_bytes());
        let at = rdr
            .headers()
            .unwrap()
            .iter()
            .position(|h| h == "suppression_reason")
            .unwrap();
        let reasons: std::collections::BTreeSet<String> =
            rdr.records().map(|r| r.unwrap()[at].to_string()).collect();
        assert_eq!(
            reasons,
            ["".to_string(), "confidential".to_string()].into(),
            "{table}"
        );
    }
    assert_independent_attacker_recovers_nothing(&s.path("sample-data/out/latest"), &["10", "5"]);
}

/// The independent attacker (tests/cli/attack.py, scipy's HiGHS) on a pack: `thresholds` are
/// the staff survey's and, if given, member feedback's.
pub(crate) fn assert_independent_attacker_recovers_nothing(
    pack: &std::path::Path,
    thresholds: &[&str],
) {
    if !python_has("scipy") {
        eprintln!("scipy not installed: the independent attacker was skipped");
        return;
    }
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/attack.py");
    let mut args = vec![script.into_os_string(), pack.into()];
    args.extend(thresholds.iter().map(Into::into));
    let out = python(args, None);
    let text = String::from_utf8_lossy(&out);
    assert!(text.trim_end().ends_with("recovered 0"), "{text}");
}

#[test]
fn crafted_small_groups_leak_nothing_to_the_linear_attack() {
    // A small organisation's crafted export: a published group where nobody was bullied,
    // hidden cells beside it, and a cross: the pack must pass the LP audit.
    let mut data = mini_csv();
    // Everyone in B dir answers Q3 "No" already; make Not stated all "Yes" as well.
    data = data.replace(
        "N0,,Strongly disagree,Neither agree nor disagree,Yes,",
        "N0,,Agree,Agree,Yes,",
    );
    for i in 0..12 {
        data.push_str(&format!("X{i},C dir,Agree,Disagree,No,\n"));
    }
    let s = mini_sandbox(data, "", 100.0);
    s.expect_exit(&["-q", "run", "--config", "pipeline.toml"], 0);
    s.expect_exit(&["audit", "--config", "pipeline.toml"], 0);
    assert_independent_attacker_recovers_nothing(&s.path("out/latest"), &["10"]);
    // The attribute rule: C dir's 12 all agree with Q1, so that cell is withheld.
    let items = s.read_table("out", "fact_item_results");
    assert!(
        items.lines().any(|l| l.starts_with("2025,Q1,dir=C dir,,")),
        "{items}"
    );
}

#[test]
fn audit_takes_the_threshold_from_the_config_not_from_the_pack() {
    let s = Sandbox::sample();
    run_ok(&s, &["-q", "run", "--config", SAMPLE_CONFIG]);
    // A pack that claims a lower threshold of its own does not lower the bar.
    let settings = "sample-data/out/latest/disclosure.json";
    let text = s
        .read(settings)
        .replace("\"threshold\": 10", "\"threshold\": 3");
    s.write(settings, text);
    let out = s
        .cmd(&["audit", "sample-data/out/latest", "--config", SAMPLE_CONFIG])
        .output()
        .unwrap();
    assert!(stdout(&out).contains("(threshold 10)"), "{}", stdout(&out));
}

#[test]
fn headcount_of_a_withheld_group_is_withheld_too() {
    // The attack read Mayor's Office × Senior management = 1 from the HR headcount of a group
    // whose responses were withheld.
    let s = Sandbox::sample();
    run_ok(&s, &["-q", "run", "--config", SAMPLE_CONFIG]);
    let rates = s.read_csv("sample-data/out/latest/tables/fact_response_rates.csv");
    let mut withheld = 0;
    for line in rates.lines().skip(1) {
        let cells: Vec<&str> = line.rsplitn(10, ',').collect();
        // From the end: reason, suppressed, headcount_withheld, pct_of_workforce,
        // pct_of_respondents, below_60, response_rate, headcount, responses, wave + group.
        if cells[1] == "true" {
            withheld += 1;
            assert_eq!(cells[2], "true", "{line}");
            assert_eq!(cells[7], "", "headcount shown for a withheld group: {line}");
            assert_eq!(
                cells[3], "",
                "workforce share shown for a withheld group: {line}"
            );
        }
    }
    assert!(withheld > 10, "the sample withholds groups: {withheld}");
}

/// `audit` of the sample pack after `tamper` changed one output: its report.
fn audit_after(s: &Sandbox, tamper: impl FnOnce(&std::path::Path)) -> (bool, String) {
    let _ = std::fs::remove_dir_all(s.path("tampered"));
    s.audit_tampered_copy("tampered", tamper)
}

#[test]
fn audit_finds_a_withheld_figure_placed_only_in_the_report_workbook_or_control_chart() {
    // The attack placed figures the tables withhold in report.html, the workbook and the
    // control-chart table alone, and `audit` passed. Each is now read, and so are the tables
    // built on the results (changes between waves here).
    let s = Sandbox::sample();
    run_ok(&s, &["-q", "run", "--config", SAMPLE_CONFIG]);
    let (ok, report) = audit_after(&s, |_| {});
    assert!(ok, "the untouched pack passes: {report}");

    // A withheld directorate figure in the report's table of groups (first [c] cell of the
    // "By directorate (2026)" table), in each format.
    for page in ["report.md", "report.html"] {
        let (ok, report) = audit_after(&s, |dir| {
            let path = dir.join(page);
            let text = std::fs::read_to_string(&path).unwrap();
            let at = text
                .find("By directorate (2026)")
                .expect("table of directorates");
            // A cell, not the caption's key to the [c] mark.
            let cell = if page.ends_with(".md") {
                "| [c] |"
            } else {
                ">[c]<"
            };
            let rel = text[at..].find(cell).expect("a withheld cell") + cell.find('[').unwrap();
            let mut changed = text.clone();
            changed.replace_range(at + rel..at + rel + 3, "41.7");
            std::fs::write(&path, changed).unwrap();
        });
        assert!(!ok, "{page}: {report}");
        assert!(
            report.contains(&format!("  {page}:"))
                && report.contains("shows `41.7`")
                && report.contains("withholds"),
            "{page}: {report}"
        );
    }

    // A withheld indicator value written into its workbook sheet.
    if python_has("openpyxl") {
        let (ok, report) = audit_after(&s, |dir| {
            let script = "import sys, openpyxl\n\
                wb = openpyxl.load_workbook(sys.argv[1])\n\
                ws = wb[[n for n in wb.sheetnames if 'Indicators (%)' in n][0]]\n\
                done = False\n\
                for row in ws.iter_rows(min_row=5):\n\
                \x20   for c in row:\n\
                \x20       if c.value == '[c]' and not done:\n\
                \x20           c.value = 41.7; done = True\n\
                wb.save(sys.argv[1])\n";
            let book = dir.join("workbook.xlsx");
            python(["-c", script, book.to_str().unwrap()], None);
        });
        assert!(!ok, "{report}");
        assert!(
            report.contains("workbook.xlsx:")
                && report.contains(
                    "Indicators (%) shows 41.7 for `n` where tables/fact_indicator_with_change.csv:"
                ),
            "{report}"
        );
    } else {
        eprintln!("openpyxl not installed: the workbook case was skipped");
    }

    // A change between waves shown for a group whose results are withheld.
    let (ok, report) = audit_after(&s, |dir| {
        let path = dir.join("tables/fact_indicator_changes.csv");
        let text = std::fs::read_to_string(&path).unwrap();
        let line = text
            .lines()
            .find(|l| l.starts_with("since_previous") && l.ends_with(",true,secondary"))
            .expect("a withheld change")
            .to_string();
        // Every empty (withheld) cell given a figure, and the row marked published.
        let mut shown = line.replace(",true,secondary", ",false,");
        while shown.contains(",,") {
            shown = shown.replace(",,", ",50,");
        }
        std::fs::write(&path, text.replace(&line, &shown)).unwrap();
    });
    assert!(!ok, "{report}");
    assert!(
        report.contains("tables/fact_indicator_changes.csv:")
            && report.contains("which tables/fact_indicator_results.csv withholds"),
        "{report}"
    );

    // A month the member-feedback tables withhold, drawn on the control chart.
    let (ok, report) = audit_after(&s, |dir| {
        let path = dir.join("tables/fact_feedback_spc.csv");
        let text = std::fs::read_to_string(&path).unwrap();
        let line = text
            .lines()
            .find(|l| l.contains("no published value this month"))
            .expect("a month with no published value")
            .to_string();
        let mut fields: Vec<String> = line.split(',').map(str::to_string).collect();
        fields[4] = "50.000".into();
        std::fs::write(&path, text.replace(&line, &fields.join(","))).unwrap();
    });
    assert!(!ok, "{report}");
    assert!(
        report.contains("tables/fact_feedback_spc.csv:")
            && report.contains("is shown on the control chart, but the month's table withholds it"),
        "{report}"
    );
}

#[test]
fn attribute_rule_mark_publishes_a_unanimous_small_group_flagged() {
    // `[attribute_disclosure] rule = "mark"`: C dir's 12 all answer alike; the default rule
    // withholds such cells (see crafted_small_groups_leak_nothing_to_the_linear_attack),
    // "mark" publishes them with `all_alike` true, and every other row false.
    let mut data = mini_csv();
    for i in 0..12 {
        data.push_str(&format!("X{i},C dir,Agree,Disagree,No,\n"));
    }
    let s = mini_sandbox(data, "", 100.0);
    let config = s.read("pipeline.toml") + "\n[attribute_disclosure]\nrule = \"mark\"\n";
    s.write("pipeline.toml", config);
    s.expect_exit(&["-q", "run", "--config", "pipeline.toml"], 0);
    let items = s.read_table("out", "fact_item_results");
    let mut rdr = csv::Reader::from_reader(items.as_bytes());
    let head = rdr.headers().unwrap().clone();
    let at = |name: &str| head.iter().position(|h| h == name).unwrap();
    let mut flagged = Vec::new();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        if &rec[at("all_alike")] == "true" {
            flagged.push(format!(
                "{} {} {}",
                &rec[at("wave_id")],
                &rec[at("question_id")],
                &rec[at("group_key")]
            ));
            assert_eq!(&rec[at("suppressed")], "false");
        } else {
            assert_eq!(&rec[at("all_alike")], "false");
        }
    }
    // C dir's three cells are published, flagged: A dir is withheld beside B dir's instead
    // (with C dir withheld beside B dir, what the two held between them would be worked out).
    assert_eq!(
        flagged,
        [
            "2025 Q1 dir=C dir",
            "2025 Q2 dir=C dir",
            "2025 Q3 dir=C dir"
        ],
        "{items}"
    );
    s.expect_exit(&["audit", "--config", "pipeline.toml"], 0);
}
