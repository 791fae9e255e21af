//! The tables as a Power BI model reads them: described by `tables/schema.json`, typed
//! Parquet whose schema never changes between runs, keys that resolve, and one folder that
//! always holds the newest run.

use crate::common::*;
use polars::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

fn run(s: &Sandbox, config: &str, out: &str) {
    s.expect_exit(&["-q", "run", "--config", config, "--out", out], 0);
}

/// Every Parquet file of a pack: table → [(column, type as schema.json names it)].
fn parquet_schemas(s: &Sandbox, pack: &str) -> BTreeMap<String, Vec<(String, String)>> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(s.path(&format!("{pack}/tables"))).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_none_or(|x| x != "parquet") {
            continue;
        }
        let df = ParquetReader::new(std::fs::File::open(&path).unwrap())
            .finish()
            .unwrap();
        let cols = df
            .columns()
            .iter()
            .map(|c| {
                let ty = match c.dtype() {
                    DataType::Int64 => "Int64",
                    DataType::Float64 => "Float64",
                    DataType::Boolean => "Boolean",
                    DataType::Date => "Date32",
                    DataType::String => "Utf8",
                    other => panic!("{}: {} has type {other}", path.display(), c.name()),
                };
                (c.name().to_string(), ty.to_string())
            })
            .collect();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        out.insert(name, cols);
    }
    out
}

fn text(schemas: &BTreeMap<String, Vec<(String, String)>>) -> String {
    let mut s = String::new();
    for (table, cols) in schemas {
        s.push_str(table);
        s.push('\n');
        for (c, t) in cols {
            s.push_str(&format!("  {c}: {t}\n"));
        }
    }
    s
}

#[test]
fn schema_json_describes_every_table_and_every_file_matches_it() {
    let s = Sandbox::sample();
    run(&s, "sample-data/pipeline.toml", "pack");
    let schema: serde_json::Value =
        serde_json::from_str(&s.read("pack/tables/schema.json")).unwrap();
    let tables = schema["tables"].as_array().unwrap();
    let declared: BTreeSet<String> = tables
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect();
    let files = |ext: &str| -> BTreeSet<String> {
        std::fs::read_dir(s.path("pack/tables"))
            .unwrap()
            .filter_map(|e| {
                let name = e.unwrap().file_name().to_string_lossy().into_owned();
                name.strip_suffix(ext).map(str::to_string)
            })
            .collect()
    };
    assert_eq!(files(".csv"), declared, "every CSV table is declared");
    assert_eq!(
        files(".parquet"),
        declared,
        "every Parquet table is declared"
    );

    let parquet = parquet_schemas(&s, "pack");
    // Every table's rows, as CSV text, for the key checks.
    let mut rows: HashMap<String, Vec<HashMap<String, String>>> = HashMap::new();
    for t in tables {
        let name = t["name"].as_str().unwrap();
        let cols: Vec<(String, String)> = t["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let ty = c["type"].as_str().unwrap();
                assert!(
                    ["Int64", "Float64", "Boolean", "Date32", "Utf8"].contains(&ty),
                    "{name}: {ty}"
                );
                (c["name"].as_str().unwrap().to_string(), ty.to_string())
            })
            .collect();
        assert_eq!(
            parquet[name], cols,
            "{name}.parquet matches its declaration"
        );
        let csv = s.read_csv(&format!("pack/tables/{name}.csv"));
        let mut rdr = csv::Reader::from_reader(csv.as_bytes());
        let header: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
        assert_eq!(
            header,
            cols.iter().map(|c| c.0.clone()).collect::<Vec<_>>(),
            "{name}.csv columns in declared order"
        );
        let records: Vec<HashMap<String, String>> = rdr
            .records()
            .map(|r| {
                header
                    .iter()
                    .cloned()
                    .zip(r.unwrap().iter().map(str::to_string))
                    .collect()
            })
            .collect();
        // Primary keys are unique.
        let pk: Vec<&str> = t["primary_key"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k.as_str().unwrap())
            .collect();
        let mut seen = HashSet::new();
        for r in &records {
            let key: Vec<&str> = pk.iter().map(|k| r[*k].as_str()).collect();
            assert!(seen.insert(key.join("|")), "{name}: repeated key {key:?}");
        }
        // Text columns hold text: never only numbers or only flags (identifiers such as the
        // wave `2025` excepted: a wave may also be `2025-pulse`).
        let keys: HashSet<&str> = pk
            .iter()
            .copied()
            .chain(
                t["foreign_keys"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| f["columns"][0].as_str().unwrap()),
            )
            .collect();
        for (c, ty) in &cols {
            if ty != "Utf8" || keys.contains(c.as_str()) {
                continue;
            }
            let values: Vec<&str> = records
                .iter()
                .map(|r| r[c].as_str())
                .filter(|v| !v.is_empty() && *v != "[c]")
                .collect();
            if values.is_empty() {
                continue;
            }
            assert!(
                !values.iter().all(|v| v.parse::<f64>().is_ok()),
                "{name}.{c} is text holding only numbers"
            );
            assert!(
                !values.iter().all(|v| *v == "true" || *v == "false"),
                "{name}.{c} is text holding only true/false"
            );
        }
        rows.insert(name.to_string(), records);
    }
    // Every foreign key value resolves in its dimension.
    let mut resolved = 0;
    for t in tables {
        let name = t["name"].as_str().unwrap();
        for fk in t["foreign_keys"].as_array().unwrap() {
            let col = fk["columns"][0].as_str().unwrap();
            let dim = fk["references"]["table"].as_str().unwrap();
            let key = fk["references"]["columns"][0].as_str().unwrap();
            let keys: HashSet<&str> = rows[dim].iter().map(|r| r[key].as_str()).collect();
            for r in &rows[name] {
                let v = r[col].as_str();
                assert!(
                    v.is_empty() || keys.contains(v),
                    "{name}.{col} = {v:?} is not in {dim}"
                );
                resolved += usize::from(!v.is_empty());
            }
        }
    }
    assert!(resolved > 50_000, "{resolved} references checked");
    // The dimensions say what facts only name: question wording, indicator names, each side
    // of a two-way group; and no "A × B" strings anywhere.
    let question = rows["dim_question"]
        .iter()
        .find(|r| r["question_id"] == "S19")
        .unwrap();
    assert_eq!(
        question["question_text"],
        "Officers and elected members at the Council work together with mutual trust"
    );
    let ind = rows["dim_indicator"]
        .iter()
        .find(|r| r["indicator_id"] == "officer_member_trust")
        .unwrap();
    assert_eq!(
        (ind["unit"].as_str(), ind["higher_is_better"].as_str()),
        ("% positive", "true")
    );
    let cross = rows["dim_group"]
        .iter()
        .find(|r| r["group_key"] == "directorate=Resources | grade=PO1-PO4")
        .unwrap();
    assert_eq!(
        (
            cross["category_1"].as_str(),
            cross["category_2"].as_str(),
            cross["level"].as_str()
        ),
        ("Resources", "PO1-PO4", "two-way")
    );
    for (name, records) in &rows {
        for r in records {
            assert!(!r.values().any(|v| v.contains(" × ")), "{name}: {r:?}");
        }
    }
    // Quarters carry UK financial labels; waves their fieldwork and financial year.
    let q = rows["dim_quarter"]
        .iter()
        .find(|r| r["quarter_key"] == "2025-Q1")
        .unwrap();
    assert_eq!(q["financial_quarter_label"], "2024/25 Q4");
    let w = &rows["dim_wave"][0];
    assert_eq!(
        (
            w["wave_id"].as_str(),
            w["fieldwork_start"].as_str(),
            w["financial_year"].as_str()
        ),
        ("2025", "2025-10-06", "2025/26")
    );
}

#[test]
fn parquet_schemas_are_the_same_whatever_the_waves_and_suppression() {
    let s = Sandbox::sample();
    let cfg = s.read("sample-data/pipeline.toml");
    // The first year: only the 2025 wave.
    let start = cfg.find("# ---- 2026").unwrap();
    let end = cfg.find("# ---- Member-meeting").unwrap();
    s.write(
        "sample-data/first-year.toml",
        format!("{}{}", &cfg[..start], &cfg[end..]),
    );
    // Everything suppressed: every count and value column is entirely null.
    s.write(
        "sample-data/all-suppressed.toml",
        cfg.replace("anonymity_threshold = 10", "anonymity_threshold = 100000")
            .replace("threshold = 5 ", "threshold = 100000 "),
    );
    run(&s, "sample-data/pipeline.toml", "two-waves");
    run(&s, "sample-data/first-year.toml", "first-year");
    run(&s, "sample-data/all-suppressed.toml", "all-suppressed");
    let two = parquet_schemas(&s, "two-waves");
    assert_eq!(two.len(), published_tables());
    for other in ["first-year", "all-suppressed"] {
        let schemas = parquet_schemas(&s, other);
        for (table, cols) in &two {
            assert_eq!(&schemas[table], cols, "{other}: {table}");
        }
        assert_eq!(schemas.len(), two.len(), "{other}");
    }
    // They really differ in content: no change rows in the first year, no figures at all
    // when everything is suppressed.
    assert_eq!(
        s.read_csv("first-year/tables/fact_item_changes.csv")
            .lines()
            .count(),
        1
    );
    let hidden = s.read_csv("all-suppressed/tables/fact_indicator_results.csv");
    assert!(
        hidden
            .lines()
            .skip(1)
            .all(|l| l.contains(",,,,,,,,,,false,,,false,false,true,")),
        "{hidden}"
    );
    insta::assert_snapshot!("parquet_schemas", text(&two));
}

#[test]
fn pyarrow_reads_every_table_with_its_declared_types() {
    if !python_has("pyarrow") {
        return;
    }
    let s = Sandbox::sample();
    run(&s, "sample-data/pipeline.toml", "pack");
    let script = r#"
import json, sys
import pyarrow.parquet as pq
want = {"Int64": "int64", "Float64": "double", "Boolean": "bool", "Date32": "date32[day]", "Utf8": "string"}
schema = json.load(open("pack/tables/schema.json"))
for t in schema["tables"]:
    table = pq.read_table(f"pack/tables/{t['name']}.parquet")
    got = [(f.name, str(f.type)) for f in table.schema]
    declared = [(c["name"], want[c["type"]]) for c in t["columns"]]
    if got != declared:
        sys.exit(f"{t['name']}: {got} != {declared}")
print(len(schema["tables"]))
"#;
    let out = python(["-c", script], Some(&s.path("")));
    assert_eq!(
        String::from_utf8_lossy(&out).trim(),
        published_tables().to_string()
    );
}

#[test]
fn a_feedback_question_id_shared_with_the_staff_survey_is_a_config_error() {
    let s = Sandbox::sample();
    let schema = s
        .read("schemas/member-feedback.toml")
        .replace("id = \"C01\"", "id = \"S01\"")
        .replace("items = [\"C01\", \"C02\"]", "items = [\"S01\", \"C02\"]");
    s.write("schemas/member-feedback.toml", schema);
    let cfg = s
        .read("sample-data/pipeline.toml")
        .replace("C01 = ", "S01 = ");
    s.write("sample-data/pipeline.toml", cfg);
    let out = s.expect_exit(&["validate", "--config", SAMPLE_CONFIG], 2);
    assert!(
        stderr(&out).contains(
            "meetings.schema: question id `S01` is also a question in the staff-survey schema; the published tables key questions by id, so rename one"
        ),
        "{}",
        stderr(&out)
    );
}

/// Numbers in the CSV copies load as numbers in pandas and DuckDB with their default type
/// inference (and flags as flags in DuckDB): a withheld or not-asked figure is an empty cell,
/// never `[c]` or `[x]`, which would make the whole column text in Power BI too. The sample
/// is weighted here so the weighting tables (withheld spreads included) have rows.
#[test]
fn numeric_csv_columns_load_as_numbers_in_pandas_and_duckdb() {
    if !python_has("pandas, duckdb") {
        return;
    }
    let s = Sandbox::sample();
    rake_sample_by_directorate(&s);
    run(&s, "sample-data/pipeline.toml", "pack");
    let script = r#"
import json, sys
import duckdb, pandas as pd
numeric = {"BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "DOUBLE", "FLOAT",
           "UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT"}
schema = json.load(open("pack/tables/schema.json"))
bad, checked, withheld = [], 0, 0
for t in schema["tables"]:
    path = f"pack/tables/{t['name']}.csv"
    rel = duckdb.sql(f"select * from read_csv('{path}')")
    rows = rel.fetchall()
    if not rows:
        continue
    types = dict(zip(rel.columns, map(str, rel.types)))
    df = pd.read_csv(path, encoding="utf-8-sig")
    if "suppressed" in df:
        withheld += int(df["suppressed"].astype(str).str.lower().eq("true").sum())
    for i, c in enumerate(t["columns"]):
        name, ty = c["name"], c["type"]
        # A column with no value at all gives DuckDB nothing to infer from (pandas: float).
        empty = all(r[i] is None for r in rows)
        if ty in ("Int64", "Float64"):
            checked += 1
            if not pd.api.types.is_numeric_dtype(df[name]):
                bad.append(f"pandas {t['name']}.{name}: {df[name].dtype}")
            if types[name] not in numeric and not empty:
                bad.append(f"duckdb {t['name']}.{name}: {types[name]}")
        if ty == "Boolean" and types[name] != "BOOLEAN" and not empty:
            bad.append(f"duckdb {t['name']}.{name}: {types[name]}")
if bad:
    sys.exit("\n".join(bad))
print(checked, withheld)
"#;
    let out = python(["-c", script], Some(&s.path("")));
    let out = String::from_utf8_lossy(&out);
    let (checked, withheld) = out.trim().split_once(' ').unwrap();
    // Every numeric column of every table with rows, and the pack withholds figures (so
    // the test would see a `[c]` if one were written).
    assert!(checked.parse::<u32>().unwrap() > 150, "{out}");
    assert!(withheld.parse::<u32>().unwrap() > 100, "{out}");
}
