//! `run`: hand-checked tables, determinism, and no partial packs.

use crate::common::*;

/// A suppressed item row: ten counts and values (empty: withheld), weighted (false), the
/// design effect, the population, no finite population correction, then the flag.
const C: &str = ",,,,,,,,,,false,,,false,true";

/// Worked by hand from the counts documented on `mini_csv`.
fn expected_items() -> String {
    let mut rows = vec![
        "wave_id,question_id,group_key,n,n_positive,n_neutral,n_negative,pct_positive,pct_neutral,pct_negative,ci_low,ci_high,mdd,weighted,design_effect,population,fpc_assumed,suppressed,suppression_reason,all_alike".to_string(),
        // Intervals and MDDs: statsmodels proportion_confint(x, n, method="wilson") and
        // 100 * (norm.ppf(.975) + norm.ppf(.8)) * sqrt(2 p (1 - p) / n); no headcount, so no FPC.
        // Q1 overall: 18 + 9 + 3 valid; positive 10 + 9 = 19 (63.33%), neutral 4 (13.33%), negative 4 + 3 = 7 (23.33%).
        "2025,Q1,overall,30,19,4,7,63.3,13.3,23.3,45.5,78.1,34.9,false,,,false,false,,false".into(),
        // A dir would be 18 valid (DK and blank excluded): 10/18 = 55.56%, 4/18 = 22.22%
        // ("2025,Q1,dir=A dir,18,10,4,4,55.6,22.2,22.2,33.7,75.4,46.4,..."). But B dir 9 < 10,
        // C dir 0 and Not stated 3 are primary, and overall minus A would show that none of
        // the 12 in B and Not stated answered "neither" (4 - 4 = 0): the linear attack pins
        // their neutral counts at 0, so A is withheld too.
        format!("2025,Q1,dir=A dir,{C},secondary,false"),
        format!("2025,Q1,dir=B dir,{C},primary,false"),
        format!("2025,Q1,dir=C dir,{C},primary,false"),
        format!("2025,Q1,dir=Not stated,{C},primary,false"),
        // Q2 overall: 20 agree, 3 neither, 9 disagree of 32: 62.5%, 9.375% -> 9.4, 28.125% -> 28.1.
        "2025,Q2,overall,32,20,3,9,62.5,9.4,28.1,45.3,77.1,33.9,false,,,false,false,,false".into(),
        // A dir: all 20 agree (100%): a group under 30 where everyone answered alike is
        // withheld by the attribute rule (it would tell each member's answer).
        format!("2025,Q2,dir=A dir,{C},secondary,false"),
        format!("2025,Q2,dir=B dir,{C},primary,false"),
        format!("2025,Q2,dir=C dir,{C},primary,false"),
        format!("2025,Q2,dir=Not stated,{C},primary,false"),
        // Q3 is reverse keyed: "No" is favourable. Valid 20 + 9 + 2 (one prefers not to say):
        // positive 18 + 9 + 1 = 28 (90.32%), negative 2 + 1 = 3 (9.68%).
        "2025,Q3,overall,31,28,0,3,90.3,0.0,9.7,75.1,96.7,21.0,false,,,false,false,,false".into(),
        "2025,Q3,dir=A dir,20,18,0,2,90.0,0.0,10.0,69.9,97.2,26.6,false,,,false,false,,false".into(),
        format!("2025,Q3,dir=B dir,{C},primary,false"),
        format!("2025,Q3,dir=C dir,{C},primary,false"),
        format!("2025,Q3,dir=Not stated,{C},primary,false"),
    ];
    rows.push(String::new());
    rows.join("\n")
}

#[test]
fn items_match_hand_calculation() {
    let s = mini_sandbox(mini_csv(), "", 0.0);
    s.expect_exit(&["run", "--config", "pipeline.toml"], 0);
    assert_eq!(s.read_table("out", "fact_item_results"), expected_items());
    let summary = s.read_table("out", "fact_disclosure_summary");
    assert!(
        summary.starts_with(
            "table_name,level,cells,published,withheld_primary,withheld_secondary,\
             withheld_cross_dropped,withheld_small_organisation,withheld_confidential,\
             respondents_withheld_secondary\n\
             fact_item_results,organisation,3,3,0,0,0,0,0,0\n\
             fact_item_results,one-way,12,1,9,2,0,0,0,40\n"
        ),
        "{summary}"
    );
    assert!(
        s.read_pack("out", "tables/README.md")
            .contains("| pct_positive | Float64 | % | 100 × n_positive / n; when `weighted`, the weighted share of valid answers. Rounded to 1 decimal place. Empty where withheld. |")
    );
}

#[test]
fn a_lone_small_group_takes_the_next_smallest_with_it() {
    // Move 4 of A's respondents to B: A 16, B 13, C 0, Not stated 3. Not stated would be
    // "overall minus A minus B", so the next-smallest group (B) is hidden too.
    let mut data = mini_csv();
    for i in 0..4 {
        data = data.replace(&format!("A{i},A dir,"), &format!("A{i},B dir,"));
    }
    let s = mini_sandbox(data, "", 0.0);
    s.expect_exit(&["run", "--config", "pipeline.toml", "--out", "pack2"], 0);
    let items = s.read_csv("pack2/tables/fact_item_results.csv");
    let q2: Vec<&str> = items
        .lines()
        .filter(|l| l.starts_with("2025,Q2,"))
        .collect();
    assert_eq!(
        q2,
        [
            "2025,Q2,overall,32,20,3,9,62.5,9.4,28.1,45.3,77.1,33.9,false,,,false,false,,false"
                .to_string(),
            // A dir's 16 all agree: withheld by the attribute rule (under 30, unanimous).
            format!("2025,Q2,dir=A dir,{C},secondary,false"),
            format!("2025,Q2,dir=B dir,{C},secondary,false"),
            format!("2025,Q2,dir=C dir,{C},primary,false"),
            format!("2025,Q2,dir=Not stated,{C},primary,false"),
        ]
    );
}

#[test]
fn fewer_than_30_respondents_get_no_breakdowns() {
    let data: String = mini_csv().lines().take(30).collect::<Vec<_>>().join("\n") + "\n";
    let s = mini_sandbox(data, "", 0.0);
    s.expect_exit(&["run", "--config", "pipeline.toml"], 0);
    let items = s.read_table("out", "fact_item_results");
    assert!(
        items
            .lines()
            .filter(|l| l.contains(",dir="))
            .all(|l| l.ends_with(",true,small_organisation,false")),
        "{items}"
    );
}

#[test]
fn two_runs_give_byte_identical_tables() {
    let s = mini_sandbox(mini_csv(), "", 0.0);
    for out in ["a", "b"] {
        s.expect_exit(&["run", "--config", "pipeline.toml", "--out", out], 0);
    }
    let mut compared = 0;
    for e in std::fs::read_dir(s.path("a/tables")).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        let (a, b) = (
            std::fs::read(s.path(&format!("a/tables/{name}"))).unwrap(),
            std::fs::read(s.path(&format!("b/tables/{name}"))).unwrap(),
        );
        assert!(a == b, "{name} differs between runs");
        compared += 1;
    }
    assert_eq!(
        compared,
        2 * published_tables() + 2,
        "every table as CSV and Parquet, the README and schema.json"
    );
}

#[test]
fn failed_run_leaves_the_previous_pack_untouched_and_no_partial_folder() {
    let s = mini_sandbox(mini_csv(), "", 0.0);
    assert!(
        s.cmd(&["run", "--config", "pipeline.toml"])
            .output()
            .unwrap()
            .status
            .success()
    );
    let before = s.read_table("out", "fact_item_results");
    // Next year's export arrives damaged: more rows rejected than tolerated.
    let mut bad = mini_csv();
    bad.push_str("Z1,A dir,Agree strongly,Agree,No,\n");
    s.write("data.csv", bad);
    let out = s.expect_exit(&["run", "--config", "pipeline.toml"], 1);
    assert!(
        stderr(&out).contains("Nothing was written"),
        "{}",
        stderr(&out)
    );
    assert_eq!(s.read_table("out", "fact_item_results"), before);
    let names: Vec<String> = std::fs::read_dir(s.path("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains("partial")), "{names:?}");
}

#[test]
fn each_run_writes_its_own_folder_listed_in_runs_csv() {
    let s = mini_sandbox(mini_csv(), "", 0.0);
    let run = || {
        let out = s.expect_exit(&["run", "--config", "pipeline.toml"], 0);
        stderr(&out)
    };
    let said = run();
    let first = s.pack("out");
    let id = first.trim_start_matches("out/").to_string();
    assert!(id.starts_with("2025-") && id.len() == 15, "{id}");
    assert!(said.contains(&format!("(run {id};")), "{said}");
    let manifest: serde_json::Value =
        serde_json::from_str(&s.read_pack("out", "manifest.json")).unwrap();
    assert_eq!(manifest["run"]["id"], id.as_str());

    // Same inputs: the same folder, replaced; the index gets a line.
    run();
    assert_eq!(s.pack("out"), first);
    // A corrected export is a new run in a new folder; the earlier pack stays as published.
    s.write("data.csv", mini_csv() + "Z1,A dir,Agree,Agree,No,\n");
    run();
    let second = s.pack("out");
    assert_ne!(second, first);
    assert!(s.exists(&format!("{first}/report.html")));
    assert!(s.exists(&format!("{second}/report.html")));
    let runs = s.read("out/runs.csv");
    let ids: Vec<&str> = runs
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(
        ids,
        [id.as_str(), id.as_str(), &second["out/".len()..]],
        "{runs}"
    );
    assert!(
        runs.starts_with(
            "run_id,started_utc,finished_utc,tool_version,waves,config,config_sha256\n"
        )
    );

    // `audit` without a folder checks the newest run, as latest/ (what Power BI reads) holds it.
    let audit = s.expect_exit(&["audit", "--config", "pipeline.toml"], 0);
    assert!(
        stdout(&audit).contains(&format!("out/latest, run {}", &second["out/".len()..])),
        "{}",
        stdout(&audit)
    );
    // Given the output folder instead of a pack, it checks the newest run there (latest/).
    let audit = s.expect_exit(&["audit", "out"], 0);
    assert!(
        stdout(&audit).contains(&format!("out/latest, run {}", &second["out/".len()..])),
        "{}",
        stdout(&audit)
    );
}

#[test]
fn audit_without_a_run_says_what_to_do() {
    let s = mini_sandbox(mini_csv(), "", 0.0);
    let out = s.expect_exit(&["audit", "--config", "pipeline.toml"], 2);
    assert!(
        stderr(&out).contains("run `culture-metrics run --config pipeline.toml` first"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn help_has_examples_for_every_command() {
    let s = Sandbox::new();
    for cmd in ["run", "validate", "inspect", "generate"] {
        let out = s.expect_exit(&[cmd, "--help"], 0);
        assert!(
            stdout(&out).contains("Examples:"),
            "{cmd}: {}",
            stdout(&out)
        );
    }
    let out = s.cmd(&["--help"]).output().unwrap();
    assert!(stdout(&out).contains("Exit codes: 0 ok, 1 data rejected, 2 usage or config error"));
}

#[test]
fn bad_arguments_exit_2() {
    let s = Sandbox::new();
    s.expect_exit(&["run", "--no-such-flag"], 2);
}

#[test]
fn each_wave_is_imported_once_until_its_export_changes() {
    let s = mini_sandbox(mini_csv(), "", 0.0);
    let first = s.expect_exit(&["run", "--config", "pipeline.toml"], 0);
    assert!(!stderr(&first).contains("not imported again"));
    assert!(s.exists("out/store/2025.import.json"));
    let tables = s.read_table("out", "fact_item_results")
        + &s.read_table("out", "fact_import_reconciliation")
        + &s.read_table("out", "dim_import_source");

    let again = s.expect_exit(&["run", "--config", "pipeline.toml"], 0);
    assert!(
        stderr(&again).contains("unchanged since it was imported into the store"),
        "{}",
        stderr(&again)
    );
    let same = s.read_table("out", "fact_item_results")
        + &s.read_table("out", "fact_import_reconciliation")
        + &s.read_table("out", "dim_import_source");
    assert_eq!(
        tables, same,
        "the stored wave gives the same tables, reconciliation included"
    );

    // --reimport reads the export again.
    let forced = s
        .cmd(&["run", "--config", "pipeline.toml", "--reimport"])
        .output()
        .unwrap();
    assert!(
        !stderr(&forced).contains("not imported again"),
        "{}",
        stderr(&forced)
    );

    // A corrected export is imported again.
    s.write(
        "data.csv",
        mini_csv().replace("B0,B dir,Agree,Disagree", "B0,B dir,Agree,Agree"),
    );
    let changed = s
        .cmd(&["run", "--config", "pipeline.toml"])
        .output()
        .unwrap();
    assert!(
        !stderr(&changed).contains("not imported again"),
        "{}",
        stderr(&changed)
    );
    assert!(
        s.read_table("out", "fact_item_results")
            .contains("2025,Q2,overall,32,21,")
    );
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn manifest_lets_an_auditor_check_every_input_and_output() {
    let s = mini_sandbox(mini_csv(), "", 0.0);
    s.expect_exit(&["run", "--config", "pipeline.toml"], 0);
    let m: serde_json::Value = serde_json::from_str(&s.read_pack("out", "manifest.json")).unwrap();
    assert_eq!(m["tool"]["name"], "culture-metrics");
    assert_eq!(m["settings"]["anonymity_threshold"], 10);
    assert_eq!(
        m["config"]["sha256"],
        sha256(s.read("pipeline.toml").as_bytes())
    );
    let input = &m["inputs"][0];
    assert_eq!(
        input["sha256"],
        sha256(&std::fs::read(s.path("data.csv")).unwrap())
    );
    assert_eq!(
        (input["rows_in"].as_u64(), input["accepted"].as_u64()),
        (Some(32), Some(32))
    );
    let outputs = m["outputs"].as_array().unwrap();
    assert!(outputs.len() >= 8, "{outputs:?}");
    for o in outputs {
        let path = o["path"].as_str().unwrap();
        let bytes = std::fs::read(s.path(&format!("{}/{path}", s.pack("out")))).unwrap();
        assert_eq!(o["sha256"].as_str().unwrap(), sha256(&bytes), "{path}");
    }
    assert!(m["schemas"][0]["sha256"].as_str().unwrap().len() == 64);
}

#[test]
fn spreadsheet_formulas_in_input_never_reach_the_tables_as_formulas() {
    let schema = MINI_SCHEMA.replace(
        r#"categories = ["A dir", "B dir", "C dir"]"#,
        r#"categories = ['=HYPERLINK("http://x","A")', "@B dir", "+C dir"]"#,
    );
    let data = mini_csv()
        .replace(",A dir,", ",\"=HYPERLINK(\"\"http://x\"\",\"\"A\"\")\",")
        .replace(",B dir,", ",@B dir,");
    let s = mini_sandbox(data, "", 0.0);
    s.write("schema.toml", schema);
    s.expect_exit(&["run", "--config", "pipeline.toml"], 0);
    let pack = s.pack("out");
    let mut tables = 0;
    for e in std::fs::read_dir(s.path(&format!("{pack}/tables"))).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        if !name.ends_with(".csv") {
            continue;
        }
        tables += 1;
        let text = s.read_csv(&format!("{pack}/tables/{name}"));
        let mut rdr = csv::Reader::from_reader(text.as_bytes());
        for rec in rdr.records() {
            for field in rec.unwrap().iter() {
                assert!(
                    !field.starts_with(['=', '+', '@'])
                        && (!field.starts_with('-') || field.parse::<f64>().is_ok()),
                    "{name}: a cell a spreadsheet would run: {field:?}"
                );
            }
        }
    }
    assert_eq!(tables, published_tables());
    let groups = s.read_table("out", "dim_group");
    assert!(
        groups.contains(",\"'=HYPERLINK(\"\"http://x\"\",\"\"A\"\")\","),
        "{groups}"
    );
    assert!(groups.contains(",'@B dir,"), "{groups}");
}

#[test]
fn workbook_has_cover_contents_notes_and_no_formulas() {
    let schema = MINI_SCHEMA.replace(
        r#"categories = ["A dir", "B dir", "C dir"]"#,
        r#"categories = ['=HYPERLINK("http://x","A")', "B dir", "C dir"]"#,
    );
    let data = mini_csv().replace(",A dir,", ",\"=HYPERLINK(\"\"http://x\"\",\"\"A\"\")\",");
    let s = mini_sandbox(data, "", 0.0);
    s.write("schema.toml", schema);
    assert!(
        s.cmd(&["-q", "run", "--config", "pipeline.toml"])
            .output()
            .unwrap()
            .status
            .success()
    );
    let file = std::fs::File::open(s.path(&format!("{}/workbook.xlsx", s.pack("out")))).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut read = |name: &str| {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut text).unwrap();
        text
    };
    let book = read("xl/workbook.xml");
    // The tables for people (the database tables, with their codes, stay in tables/).
    for sheet in ["Cover", "Contents", "Notes", "1 Answers"] {
        assert!(
            book.contains(&format!("name=\"{sheet}\"")),
            "{sheet}: {book}"
        );
    }
    let strings = read("xl/sharedStrings.xml");
    let kept = [
        "<t>=HYPERLINK(\"http://x\",\"A\")</t>",
        "<t>=HYPERLINK(&quot;http://x&quot;,&quot;A&quot;)</t>",
    ];
    assert!(
        kept.iter().any(|k| strings.contains(k)),
        "kept as text, without the CSV apostrophe: {}",
        &strings[strings
            .find("HYPERLINK")
            .map_or(0, |i| i.saturating_sub(40))..][..120.min(strings.len())]
    );
    assert!(strings.contains("[c]"));
    let sheets = book.matches("<sheet ").count();
    assert!(sheets >= 4, "{book}");
    for i in 1..=sheets {
        let sheet = read(&format!("xl/worksheets/sheet{i}.xml"));
        assert!(!sheet.contains("<f>"), "sheet {i} has a formula");
        assert!(!sheet.contains("<mergeCell"), "sheet {i} merges cells");
    }
}

#[test]
fn latest_holds_the_newest_run_and_a_failed_run_leaves_it_untouched() {
    let s = mini_sandbox(mini_csv(), "", 0.0);
    let run = |args: &[&str]| {
        let mut all = vec!["run", "--config", "pipeline.toml"];
        all.extend_from_slice(args);
        s.cmd(&all).output().unwrap()
    };
    let first = run(&[]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stderr(&first).contains("Copied to out/latest: point Power BI at its tables/ folder once"),
        "{}",
        stderr(&first)
    );
    let latest = || s.read_csv("out/latest/tables/fact_item_results.csv");
    assert_eq!(latest(), s.read_table("out", "fact_item_results"));
    let run_id = |dir: &str| {
        let info = s.read_csv(&format!("{dir}/tables/run_info.csv"));
        info.lines()
            .nth(1)
            .unwrap()
            .split(',')
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        run_id("out/latest"),
        s.pack("out").trim_start_matches("out/")
    );

    // A corrected export: a new run folder, and latest/ follows it.
    s.write(
        "data.csv",
        mini_csv().replace("B0,B dir,Agree,Disagree", "B0,B dir,Agree,Agree"),
    );
    assert!(run(&[]).status.success());
    assert!(latest().contains("2025,Q2,overall,32,21,"), "{}", latest());
    assert_eq!(
        run_id("out/latest"),
        s.pack("out").trim_start_matches("out/")
    );
    let before = std::fs::read(s.path("out/latest/manifest.json")).unwrap();

    // A damaged export fails: latest/ is exactly as it was, with no half-copied folder beside it.
    let mut bad = mini_csv();
    bad.push_str("Z1,A dir,Agree strongly,Agree,No,\n");
    s.write("data.csv", bad);
    assert_eq!(run(&[]).status.code(), Some(1));
    assert_eq!(
        std::fs::read(s.path("out/latest/manifest.json")).unwrap(),
        before
    );
    // `--out` writes elsewhere and leaves latest/ alone.
    s.write("data.csv", mini_csv());
    assert!(run(&["--out", "elsewhere"]).status.success());
    assert_eq!(
        std::fs::read(s.path("out/latest/manifest.json")).unwrap(),
        before
    );
    let names: Vec<String> = std::fs::read_dir(s.path("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names
            .iter()
            .all(|n| !n.contains("partial") && !n.ends_with(".old")),
        "{names:?}"
    );
    // The audit reads latest/ like any pack.
    s.expect_exit(&["audit", "out/latest"], 0);
}

/// The workbook follows the government guidance for statistics in spreadsheets, read back as
/// a user's tool would (openpyxl): a named Excel table on every sheet but the cover (contents
/// and notes too), the headline table first, titles in words, no empty cell inside a table,
/// numeric columns numbers (or the [c]/[x]/[z] shorthand) and no number stored as text, no
/// code or id anywhere a reader looks (question, indicator, group, wave and code keys of the
/// pack's own tables), p-values as numbers with a format, plain-English headers, frozen header
/// rows, no merged cells, and a cover with date, contact, source and status that links every
/// table.
#[test]
fn workbook_meets_the_government_standard_for_statistics_in_spreadsheets() {
    if !python_has("openpyxl") {
        eprintln!("skipped: python3 with openpyxl is needed");
        return;
    }
    let s = Sandbox::new();
    s.copy_dir("schemas", "schemas")
        .copy_dir("sample-data", "sample-data");
    s.expect_exit(&["-q", "run", "--config", SAMPLE_CONFIG, "--out", "out"], 0);
    let script = r#"
import csv, openpyxl, re, sys
wb = openpyxl.load_workbook(sys.argv[1])
tables = sys.argv[2]
problems = []

def keys(table, *columns):
    with open(f"{tables}/{table}.csv", encoding="utf-8-sig") as f:
        return {r[c] for r in csv.DictReader(f) for c in columns if r[c]}

# Every id and code the database tables use: none may reach a reader.
codes = (keys("dim_question", "question_id") | keys("dim_indicator", "indicator_id")
         | keys("dim_group", "group_key", "breakdown_id") | keys("dim_wave", "wave_id")
         | keys("dim_feedback_group", "group_key") | keys("dim_verdict", "verdict")
         | keys("dim_quadrant", "quadrant") | keys("dim_comparison", "comparison")
         | keys("dim_suppression_reason", "suppression_reason") | keys("dim_quarter", "quarter_key"))
questions = keys("dim_question", "question_id")
cover = {}
rows = [r[0] for r in wb["Cover"].iter_rows(values_only=True)]
for label, value in zip(rows, rows[1:]):
    if label in ("Publication date", "Contact", "Source", "Status", "Organisation", "Fieldwork", "Responses"):
        cover[label] = value
for need in ("Publication date", "Contact", "Source", "Status"):
    if not cover.get(need) or str(cover[need]).startswith("Not stated"):
        problems.append(f"cover: {need} missing")
links = {c.hyperlink.location.split("!")[0].strip("'") for row in wb["Cover"].iter_rows() for c in row if c.hyperlink}
data = [ws for ws in wb.worksheets if ws.title not in ("Cover", "Contents", "Notes")]
if {ws.title for ws in data} - links:
    problems.append(f"cover does not link {sorted({ws.title for ws in data} - links)}")
if not data or not str(data[0]["A1"].value).startswith("Table 1: Headline"):
    problems.append(f"first data sheet: {data[0]['A1'].value if data else None}")
for ws in wb.worksheets:
    if ws.merged_cells.ranges:
        problems.append(f"{ws.title}: merged cells")
    if ws.title == "Cover":
        continue
    found = list(ws.tables.items())
    want = ws.title if ws.title in ("Contents", "Notes") else "Table_" + ws.title.split(" ")[0]
    if len(found) != 1 or found[0][0] != want:
        problems.append(f"{ws.title}: tables {found}")
        continue
    if ws.title not in ("Contents", "Notes") and not re.match(r"Table \d+: [A-Z]", str(ws["A1"].value)):
        problems.append(f"{ws.title}: title {ws['A1'].value}")
    ref = found[0][1]
    if not ref.startswith("A4:") or ws.freeze_panes != "A5":
        problems.append(f"{ws.title}: table at {ref}, frozen at {ws.freeze_panes}")
    cells = ws[ref]
    header = [c.value for c in cells[0]]
    if any(not h or "_" in h for h in header) or len(set(header)) != len(header):
        problems.append(f"{ws.title}: headers {header}")
    if len(cells) - 1 != ws.max_row - 4:
        problems.append(f"{ws.title}: the table does not cover every row")
    for j, h in enumerate(header):
        column = [row[j] for row in cells[1:]]
        values = [c.value for c in column]
        if any(v is None or v == "" for v in values):
            problems.append(f"{ws.title}: empty cell in {h}")
        numeric = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if numeric:
            odd = [v for v in values if not (isinstance(v, (int, float)) and not isinstance(v, bool)) and v not in ("[c]", "[x]", "[z]")]
            if odd:
                problems.append(f"{ws.title}: {h} mixes numbers with {odd[:3]}")
        text = [v for v in values if isinstance(v, str)]
        as_text = [v for v in text if re.fullmatch(r"\s*[-+−]?\d+(\.\d+)?([eE][-+]?\d+)?\s*", v)]
        if as_text:
            problems.append(f"{ws.title}: {h} holds numbers stored as text {as_text[:3]}")
        leaked = sorted({v for v in text if v in codes}
                        | {q for v in text for q in re.findall(r"[\w-]+", v) if q in questions})
        if leaked:
            problems.append(f"{ws.title}: {h} shows ids {leaked[:3]}")
        if any(v in ("true", "false", "TRUE", "FALSE") for v in values):
            problems.append(f"{ws.title}: {h} has TRUE/FALSE as text")
        if h.startswith("p-value"):
            if not numeric or any("0.0000" not in c.number_format for c in column if isinstance(c.value, float)):
                problems.append(f"{ws.title}: {h} not numbers with a p-value format")
print(len(data))
print("\n".join(problems))
"#;
    let out = python(
        [
            "-c",
            script,
            s.path("out/workbook.xlsx").to_str().unwrap(),
            s.path("out/tables").to_str().unwrap(),
        ],
        None,
    );
    let text = String::from_utf8_lossy(&out);
    let mut lines = text.lines();
    let sheets: usize = lines.next().unwrap().parse().unwrap();
    assert!(sheets >= 10, "{sheets} data sheets");
    let problems: Vec<&str> = lines.filter(|l| !l.is_empty()).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
