use super::*;
use crate::report::model::registry;
use crate::report::registry::TableData;
use crate::report::write::settings_json;

/// [`super::audit`] on a test pack, with a manifest of the files as they are now (as the
/// run writes one): these tests are about the tables.
fn audit(dir: &Path, threshold: Option<u32>) -> Result<Report, AuditError> {
    seal(dir);
    super::audit(dir, threshold)
}

/// Write `manifest.json` listing every file of the pack with its SHA-256.
pub(super) fn seal(dir: &Path) {
    let mut outputs = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n != "manifest.json") {
                let rel = p
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                let sha = crate::report::sha256_hex(&std::fs::read(&p).unwrap());
                outputs.push(serde_json::json!({ "path": rel, "sha256": sha }));
            }
        }
    }
    std::fs::write(
        dir.join("manifest.json"),
        serde_json::json!({ "outputs": outputs }).to_string(),
    )
    .unwrap();
}

/// A pack with every declared table empty but the code lists (CSV and Parquet), the settings,
/// and then the given CSV tables (header taken from the declaration, `rows` as CSV lines).
fn pack(tables: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("tables")).unwrap();
    use crate::report::model::codes;
    for def in registry() {
        // The code lists are the same in every pack.
        let data = match def.name {
            "dim_verdict" => TableData::of(&codes::dim_verdict()),
            "dim_quadrant" => TableData::of(&codes::dim_quadrant()),
            "dim_comparison" => TableData::of(&codes::dim_comparison()),
            "dim_suppression_reason" => TableData::of(&codes::dim_suppression_reason()),
            _ => TableData {
                def,
                rows: Vec::new(),
            },
        };
        for (rel, bytes) in crate::report::write::table_files(&data).unwrap() {
            std::fs::write(dir.path().join(rel), bytes).unwrap();
        }
    }
    for (name, rows) in tables {
        let def = registry().into_iter().find(|t| t.name == *name).unwrap();
        let header: Vec<&str> = def.columns.iter().map(|c| c.name).collect();
        std::fs::write(
            dir.path().join(format!("tables/{name}.csv")),
            format!("{}\n{rows}", header.join(",")),
        )
        .unwrap();
    }
    std::fs::write(dir.path().join(SETTINGS_FILE), settings_json(10)).unwrap();
    dir
}

const GROUPS: &str = "overall,organisation,overall,All,All,,,,,,,,,false,1\n\
    dir=A,one-way,dir,Dir,A,dir,Dir,A,1,,,,,false,2\n\
    dir=B,one-way,dir,Dir,B,dir,Dir,B,2,,,,,false,3\n\
    dir=C,one-way,dir,Dir,C,dir,Dir,C,3,,,,,false,4\n\
    grade=Low,one-way,grade,Grade,Low,grade,Grade,Low,1,,,,,false,5\n\
    grade=High,one-way,grade,Grade,High,grade,Grade,High,2,,,,,false,6\n\
    dir=A | grade=Low,two-way,dir_by_grade,Dir by grade,A / Low,dir,Dir,A,1,grade,Grade,Low,1,false,7\n\
    dir=A | grade=High,two-way,dir_by_grade,Dir by grade,A / High,dir,Dir,A,1,grade,Grade,High,2,false,8\n\
    dir=B | grade=Low,two-way,dir_by_grade,Dir by grade,B / Low,dir,Dir,B,2,grade,Grade,Low,1,false,9\n\
    dir=B | grade=High,two-way,dir_by_grade,Dir by grade,B / High,dir,Dir,B,2,grade,Grade,High,2,false,10\n";
const WAVE: &str = "2025,2025 (Oct 2025),2025-10-01,2025-10-31,2025-10-01,2025/26,true,true,1\n";
const MONTH: &str =
    "2025-10-01,2025-10-31,2025-10,Oct 2025,2025,10,2025-Q4,2025/26,3,2025/26 Q3,false,1\n";
const QUARTER: &str = "2025-Q4,Oct-Dec 2025,2025-10-01,2025-12-31,2025,4,2025/26,3,2025/26 Q3,1\n";
const QUESTION: &str = "S01,staff-survey,Staff,Proud,Proud,likert,agree5,,false,,S01,,,,1\n";

/// Item rows `group,n,suppressed,reason`, with a value that shows or not.
fn items(rows: &[(&str, &str, &str)]) -> String {
    rows.iter()
        .map(|(g, n, reason)| {
            let hidden = !reason.is_empty();
            // As the pack writes them: a withheld number is empty (the flag says why).
            let v = if hidden { "" } else { "50.0" };
            let de = "";
            // Answer counts that add up: half positive, a quarter neutral, the rest negative.
            let counts = match n.parse::<u64>() {
                Ok(n) if !hidden => format!("{},{},{}", n / 2, n / 4, n - n / 2 - n / 4),
                _ => ",,".into(),
            };
            format!("2025,S01,{g},{n},{counts},{v},{v},{v},{v},{v},{v},false,{de},,false,{hidden},{reason},false\n")
        })
        .collect()
}

fn findings(item_rows: &str) -> Vec<String> {
    let d = pack(&[
        ("dim_group", GROUPS),
        ("dim_wave", WAVE),
        ("dim_month", MONTH),
        ("dim_quarter", QUARTER),
        ("dim_question", QUESTION),
        ("fact_item_results", item_rows),
    ]);
    audit(d.path(), None)
        .unwrap()
        .findings
        .into_iter()
        .map(|f| format!("{}:{}: {}", f.file, f.line, f.message))
        .collect()
}

#[test]
fn a_figure_slipped_into_the_parquet_file_alone_fails() {
    use crate::report::model::FactResponseRate;
    use crate::report::registry::Figure;
    // The CSV withholds B's responses; the Parquet copy was edited to show them.
    let rows = |shown: bool| {
        vec![FactResponseRate {
            wave_id: "2025".into(),
            group_key: "dir=B".into(),
            responses: if shown {
                Figure::Shown(4)
            } else {
                Figure::Withheld
            },
            headcount: Figure::Withheld,
            response_rate: Figure::Withheld,
            below_60: Figure::Withheld,
            pct_of_respondents: Figure::Withheld,
            pct_of_workforce: Figure::Withheld,
            headcount_withheld: true,
            suppressed: true,
            suppression_reason: Some("primary".into()),
        }]
    };
    let d = pack(&[("dim_group", GROUPS), ("dim_wave", WAVE)]);
    let csv = crate::report::tables::csv_bytes(&TableData::of(&rows(false)));
    std::fs::write(d.path().join("tables/fact_response_rates.csv"), csv).unwrap();
    let leaked = crate::report::parquet::parquet_bytes(&TableData::of(&rows(true))).unwrap();
    std::fs::write(d.path().join("tables/fact_response_rates.parquet"), leaked).unwrap();
    let f: Vec<String> = audit(d.path(), None)
        .unwrap()
        .findings
        .into_iter()
        .map(|f| format!("{}:{}: {}", f.file, f.line, f.message))
        .collect();
    assert!(
        f.contains(&"tables/fact_response_rates.parquet:2: `responses` holds a value the CSV withholds or leaves empty".to_string()),
        "{f:#?}"
    );
}

#[test]
fn a_protected_table_passes() {
    let f = findings(&items(&[
        ("overall", "60", ""),
        ("dir=A", "40", ""),
        ("dir=B", "", "primary"),
        ("dir=C", "", "secondary"),
    ]));
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn a_small_published_figure_fails() {
    let f = findings(&items(&[("overall", "4", "")]));
    assert_eq!(
        f,
        ["tables/fact_item_results.csv:2: published figure rests on n = 4, fewer than 10"]
    );
}

#[test]
fn a_single_hidden_group_is_recoverable() {
    let f = findings(&items(&[
        ("overall", "60", ""),
        ("dir=A", "54", ""),
        ("dir=B", "", "primary"),
    ]));
    assert_eq!(
        f[0],
        "tables/fact_item_results.csv:4: 2025, S01, dir: the only hidden group (dir=B) can be recovered: 60 - 54 = 6"
    );
    // The LP attacker recovers its answers too (30 - 27 positive, 15 - 13 neutral, ...).
    for what in ["n_positive = 3", "n_neutral = 2", "n_negative = 1", "n = 6"] {
        assert!(
            f.iter()
                .any(|m| m.contains("dir=B: a withheld figure can be worked out")
                    && m.ends_with(what)),
            "{what}: {f:#?}"
        );
    }
}

#[test]
fn hidden_groups_that_are_small_together_fail() {
    let f = findings(&items(&[
        ("overall", "60", ""),
        ("dir=A", "53", ""),
        ("dir=B", "", "primary"),
        ("dir=C", "", "primary"),
    ]));
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(
        f[0].contains("hold 7 (total 60 - published 53), fewer than 10"),
        "{f:?}"
    );
}

#[test]
fn a_suppressed_row_must_not_show_values() {
    let rows = items(&[
        ("overall", "60", ""),
        ("dir=A", "30", ""),
        ("dir=B", "", "primary"),
        ("dir=C", "", "secondary"),
    ])
    .replacen("2025,S01,dir=B,,", "2025,S01,dir=B,,41", 1);
    let f = findings(&rows);
    assert_eq!(
        f,
        ["tables/fact_item_results.csv:4: suppressed row shows `n_positive` = \"41\""]
    );
}

#[test]
fn cross_rows_are_checked_against_one_way_totals() {
    let f = findings(&items(&[
        ("overall", "100", ""),
        ("dir=A", "50", ""),
        ("dir=B", "50", ""),
        ("grade=Low", "50", ""),
        ("grade=High", "50", ""),
        ("dir=A | grade=Low", "", "primary"),
        ("dir=A | grade=High", "45", ""),
        ("dir=B | grade=Low", "45", ""),
        ("dir=B | grade=High", "", "secondary"),
    ]));
    // Row A: 50 - 45 = 5 in one hidden cell; so is column Low.
    assert!(
        f.iter()
            .any(|m| m.contains("dir × grade, dir = A: the only hidden group (dir=A | grade=Low)")),
        "{f:#?}"
    );
    assert!(
        f.iter()
            .any(|m| m.contains("dir × grade, grade = Low: the only hidden group")),
        "{f:#?}"
    );
}

#[test]
fn tables_must_match_their_declarations_and_references_must_resolve() {
    let d = pack(&[
        ("dim_group", GROUPS),
        ("dim_wave", WAVE),
        ("dim_month", MONTH),
        ("dim_quarter", QUARTER),
        ("dim_question", QUESTION),
        (
            "fact_item_results",
            &items(&[("overall", "60", "")]).replace(",S01,", ",S99,"),
        ),
    ]);
    // A column renamed in one CSV, a Parquet file with a different type, a missing table.
    let rr = d.path().join("tables/fact_response_rates.csv");
    let text = std::fs::read_to_string(&rr)
        .unwrap()
        .replace("below_60", "below_sixty");
    std::fs::write(&rr, text).unwrap();
    let wrong = polars::prelude::df!("wave_id" => [1i64]).unwrap();
    let mut buf = Vec::new();
    polars::prelude::ParquetWriter::new(&mut buf)
        .finish(&mut wrong.clone())
        .unwrap();
    std::fs::write(d.path().join("tables/dim_wave.parquet"), buf).unwrap();
    std::fs::remove_file(d.path().join("tables/run_info.csv")).unwrap();
    let r = audit(d.path(), None).unwrap();
    let msgs: Vec<String> = r
        .findings
        .iter()
        .map(|f| format!("{}:{}: {}", f.file, f.line, f.message))
        .collect();
    assert!(!r.passed());
    for want in [
        "tables/dim_wave.parquet:0: schema is wave_id:Int64 but the table declares wave_id:Utf8,",
        "tables/fact_response_rates.csv:1: columns are wave_id,group_key,responses,headcount,response_rate,below_sixty",
        "tables/run_info.csv:0: missing: every evidence pack has this table",
        "tables/fact_item_results.csv:2: question_id `S99` is not in dim_question.question_id",
    ] {
        assert!(
            msgs.iter().any(|m| m.starts_with(want)),
            "{want}\n{msgs:#?}"
        );
    }
}

#[test]
fn meeting_feedback_months_and_quarters_are_checked_together_under_their_own_threshold() {
    let groups = "overall,all forms,overall,All forms,All forms,,,,1\n\
        committee=Cabinet,one-way,committee,Committee,Cabinet,committee,Cabinet,Cabinet,2\n\
        committee=Planning,one-way,committee,Committee,Planning,committee,Planning,Planning,3\n";
    let committees = "Cabinet,Cabinet,3,1\nPlanning,Planning,3,2\n";
    // 6 forms is publishable under the meeting threshold of 5 (not under the staff 10).
    // The quarter's Planning total (14) is published and October's Planning cell is the
    // only hidden cell of Planning's months: 14 - 8 = 6 recovered.
    let quarter = "2025-Q4,overall,30,6,6,60,0.5,false,\n\
        2025-Q4,committee=Cabinet,16,3,3,30,0.533,false,\n\
        2025-Q4,committee=Planning,14,3,3,30,0.467,false,\n";
    let month = "2025-10-01,overall,30,6,6,60,0.5,false,\n\
        2025-10-01,committee=Cabinet,16,3,3,30,0.533,false,\n\
        2025-10-01,committee=Planning,,3,,30,,true,confidential\n";
    let d = pack(&[
        ("dim_month", MONTH),
        ("dim_quarter", QUARTER),
        ("dim_committee", committees),
        ("dim_feedback_group", groups),
        ("fact_feedback_uptake_quarter", quarter),
        ("fact_feedback_uptake_month", month),
    ]);
    std::fs::write(d.path().join(MEETINGS_SETTINGS_FILE), settings_json(5)).unwrap();
    let r = audit(d.path(), None).unwrap();
    let msgs: Vec<&str> = r.findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(
        msgs,
        [
            "2025-Q4, committee × month, committee = Planning: the only hidden group (committee=Planning) can be recovered: 14 - 0 = 14",
            "2025-Q4, committee × month, month = 2025-10-01: the only hidden group (committee=Planning) can be recovered: 30 - 16 = 14",
            "2025-Q4, 2025-10-01, committee=Planning: a withheld figure can be worked out from the published ones: forms = 14",
        ]
    );
}

#[test]
fn without_settings_the_threshold_must_be_given() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(
        audit(dir.path(), None),
        Err(AuditError::NoThreshold { .. })
    ));
    let r = audit(dir.path(), Some(10)).unwrap();
    assert!(!r.passed(), "an empty folder is not a pack");
}
