//! Key drivers: the shares of R² the pipeline computes for the sample equal an independent
//! computation (numpy, every subset of drivers) from the stored responses and the schema.

use crate::common::*;
use culture_metrics::config::Config;
use culture_metrics::drivers;
use culture_metrics::ids::WaveId;
use culture_metrics::indicators::{Breakdown, Group};

/// The independent computation: theme scores from the stored answer slots and the schema's
/// scales (0/25/50/75/100, reverse keying, Don't know not scored, `min_items`), listwise
/// deletion, and LMG as the average over subset sizes of the mean gain in R² — every R²
/// from least squares on the raw scores (numpy.linalg.lstsq), not from correlations.
const INDEPENDENT_LMG: &str = r#"
import itertools, json, math, sys, tomllib
import numpy as np, pyarrow.parquet as pq

schema = tomllib.load(open(sys.argv[1], "rb"))
t = pq.read_table(sys.argv[2])
asked = json.loads(sys.argv[3])
scales = {s["id"]: s["answers"] for s in schema["scales"]}
questions = {q["id"]: q for q in schema["questions"]}
inds = {i["id"]: i for i in schema["indicators"]}

def points(q):
    answers = scales[q["scale"]]
    scored = sorted(a["code"] for a in answers if a["group"] != "excluded")
    by_code = {c: 100.0 * k / (len(scored) - 1) for k, c in enumerate(scored)}
    if q.get("reverse_keyed"):
        by_code = {c: 100.0 - v for c, v in by_code.items()}
    # Stored slot s (1-based) is the scale's s-th answer; 0 is no answer.
    return [math.nan] + [by_code.get(a["code"], math.nan) for a in answers]

def score(ind_id):
    ind = inds[ind_id]
    cols = [np.array(points(questions[q]))[t.column(q).to_numpy(zero_copy_only=False).astype(int)]
            for q in ind["items"] if q in t.column_names]
    m = np.vstack(cols)
    k = np.sum(~np.isnan(m), axis=0)
    s = np.nansum(m, axis=0) / np.where(k > 0, k, 1)
    return np.where(k >= max(ind.get("min_items", 1), 1), s, np.nan)

def r2(y, X):
    A = np.column_stack([np.ones(len(y))] + X)
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    resid = y - A @ coef
    return 1.0 - resid @ resid / np.sum((y - y.mean()) ** 2)

out = []
for job in asked:
    y = score(job["outcome"])
    xs = [score(d) for d in job["drivers"]]
    rows = ~np.isnan(y)
    for x in xs:
        rows &= ~np.isnan(x)
    if job["field"] is not None:
        rows &= t.column(job["field"]).to_numpy() == job["slot"]
    y = y[rows]
    xs = [x[rows] for x in xs]
    p = len(xs)
    cache = {(): 0.0}
    for size in range(1, p + 1):
        for sub in itertools.combinations(range(p), size):
            cache[sub] = r2(y, [xs[j] for j in sub])
    lmg = []
    for j in range(p):
        others = [i for i in range(p) if i != j]
        total = 0.0
        for size in range(p):
            gains = [cache[tuple(sorted(s + (j,)))] - cache[s]
                     for s in itertools.combinations(others, size)]
            total += sum(gains) / len(gains)
        lmg.append(total / p)
    full = cache[tuple(range(p))]
    out.append({"n": int(rows.sum()), "r2": full, "shares": [v / full for v in lmg]})
print(json.dumps(out))
"#;

#[test]
fn sample_drivers_match_an_independent_lmg_to_1e_9() {
    if !python_has("numpy, pyarrow") {
        eprintln!("skipped: python3 with numpy and pyarrow is needed");
        return;
    }
    let s = Sandbox::new();
    s.copy_dir("schemas", "schemas")
        .copy_dir("sample-data", "sample-data");
    s.expect_exit(&["-q", "run", "--config", SAMPLE_CONFIG], 0);

    let config = Config::load(&s.path("sample-data/pipeline.toml")).unwrap();
    let schema = &config.schema;
    let wave = config.waves.last().unwrap().id.as_str().to_string();
    let responses = culture_metrics::store::read_responses(&config.store, schema, &wave).unwrap();
    let directorate = schema.demographic("directorate").unwrap();
    let runs = drivers::analyse(
        schema,
        &config.drivers,
        &WaveId::new(&wave),
        &responses,
        &[Breakdown::Field(directorate)],
    );
    let analyses: Vec<drivers::Analysis> = runs.into_iter().filter_map(|r| r.analysis).collect();
    // The whole organisation for both outcomes, and the largest directorate.
    let largest = analyses
        .iter()
        .filter(|a| matches!(a.group, Group::One(Some(_))))
        .max_by_key(|a| a.used)
        .expect("a directorate is analysed")
        .group;
    let picked: Vec<&drivers::Analysis> = analyses
        .iter()
        .filter(|a| a.group == Group::All || a.group == largest)
        .collect();
    assert_eq!(
        picked.len(),
        4,
        "two outcomes × (everyone, one directorate)"
    );
    let jobs: Vec<String> = picked
        .iter()
        .map(|a| {
            let ids: Vec<String> = a
                .drivers
                .iter()
                .map(|d| format!("\"{}\"", schema.indicators[d.indicator].id))
                .collect();
            let (field, slot) = match a.group {
                // Stored demographic codes are 1-based category slots.
                Group::One(Some(c)) => ("\"directorate\"".to_string(), c + 1),
                _ => ("null".to_string(), 0),
            };
            format!(
                "{{\"outcome\":\"{}\",\"drivers\":[{}],\"field\":{field},\"slot\":{slot}}}",
                schema.indicators[a.outcome].id,
                ids.join(",")
            )
        })
        .collect();
    let out = python(
        [
            "-c",
            INDEPENDENT_LMG,
            config.schema_path.to_str().unwrap(),
            config
                .store
                .join(format!("{wave}.parquet"))
                .to_str()
                .unwrap(),
            &format!("[{}]", jobs.join(",")),
        ],
        None,
    );
    let reference: serde_json::Value = serde_json::from_slice(&out).unwrap();
    for (a, r) in picked.iter().zip(reference.as_array().unwrap()) {
        assert_eq!(a.used, r["n"].as_u64().unwrap(), "listwise n");
        let r2 = r["r2"].as_f64().unwrap();
        assert!((a.r2 - r2).abs() < 1e-9, "R² {} vs {r2}", a.r2);
        let shares = r["shares"].as_array().unwrap();
        assert_eq!(a.drivers.len(), shares.len());
        assert!(a.drivers.len() >= 6, "the sample has six or more drivers");
        for (d, want) in a.drivers.iter().zip(shares) {
            let want = want.as_f64().unwrap();
            assert!(
                (d.share - want).abs() < 1e-9,
                "{}: share {} vs numpy {want}",
                schema.indicators[d.indicator].id,
                d.share
            );
        }
    }
}

#[test]
fn no_withheld_group_count_can_be_recovered_from_the_published_drivers() {
    let s = Sandbox::new();
    s.copy_dir("schemas", "schemas")
        .copy_dir("sample-data", "sample-data");
    s.expect_exit(&["-q", "run", "--config", SAMPLE_CONFIG, "--out", "out"], 0);
    let text = s.read_csv("out/tables/fact_drivers.csv");
    let mut rdr = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    // (outcome, group) → analysed n, once per analysis.
    let mut n: std::collections::BTreeMap<(String, String), u64> = Default::default();
    for r in rdr.records() {
        let r = r.unwrap();
        n.insert((r[1].to_string(), r[2].to_string()), r[5].parse().unwrap());
    }
    let groups = s.read_csv("out/tables/dim_group.csv");
    let mut gr = csv::Reader::from_reader(groups.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = gr.headers().unwrap().iter().map(String::from).collect();
    let (key, level, breakdown) = (
        header.iter().position(|h| h == "group_key").unwrap(),
        header.iter().position(|h| h == "level").unwrap(),
        header.iter().position(|h| h == "breakdown_id").unwrap(),
    );
    let mut by_breakdown: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for r in gr.records() {
        let r = r.unwrap();
        if &r[level] == "one-way" {
            by_breakdown
                .entry(r[breakdown].to_string())
                .or_default()
                .push(r[key].to_string());
        }
    }
    let mut lines = 0;
    let mut hidden_somewhere = 0;
    for outcome in ["engagement", "officer_member_trust"] {
        let overall = n[&(outcome.to_string(), "overall".to_string())];
        for (b, members) in &by_breakdown {
            let shown: Vec<u64> = members
                .iter()
                .filter_map(|g| n.get(&(outcome.to_string(), g.clone())).copied())
                .collect();
            let rest = overall - shown.iter().sum::<u64>();
            let missing = members.len() - shown.len();
            assert!(
                rest == 0 || (rest >= 10 && missing >= 2),
                "{outcome} by {b}: {rest} respondents in {missing} withheld group(s) could be recovered"
            );
            lines += 1;
            hidden_somewhere += usize::from(rest > 0);
        }
    }
    assert!(
        lines >= 14 && hidden_somewhere > 0,
        "{lines} {hidden_somewhere}"
    );
}

#[test]
fn drivers_benchmarks_and_themes_reach_the_report_deep_dive_workbook_and_tables() {
    let s = Sandbox::new();
    s.copy_dir("schemas", "schemas")
        .copy_dir("sample-data", "sample-data");
    s.expect_exit(&["-q", "run", "--config", SAMPLE_CONFIG, "--out", "out"], 0);
    let report = std::fs::read_to_string(s.path("out/report.md")).unwrap();
    for heading in [
        "## What relates most to the outcome: key drivers",
        "## How we compare: external benchmarks",
        "## What staff wrote about: comment themes",
    ] {
        assert!(report.contains(heading), "report: {heading}");
    }
    assert!(report.contains("charts/drivers_officer_member_trust.png"));
    let dive = std::fs::read_to_string(s.path("out/deep-dives/officer_member_trust.md")).unwrap();
    for heading in [
        "## What relates most to the outcome: key drivers",
        "## How we compare",
        "## What staff wrote about: comment themes",
    ] {
        assert!(dive.contains(heading), "deep dive: {heading}");
    }
    assert!(
        !dive.contains("Key drivers of engagement"),
        "the dive shows its own outcome"
    );
    let svg =
        std::fs::read_to_string(s.path("out/charts/drivers_officer_member_trust.svg")).unwrap();
    assert!(svg.contains("<title>What relates most to officer-member trust</title>"));
    assert!(
        svg.contains("Speaking up and challenge: share of what is explained"),
        "values in the description"
    );
    if !python_has("openpyxl") {
        eprintln!("skipped the workbook check: python3 with openpyxl is needed");
        return;
    }
    let script = r#"
import openpyxl, sys
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
# The workbook's table of key drivers (benchmarks and comment themes stay in tables/).
for sheet, name in [("Key drivers", "fact_drivers")]:
    ws = wb[[n for n in wb.sheetnames if n.endswith(sheet)][0]]
    rows = [r for r in ws.iter_rows(values_only=True) if any(c is not None for c in r)]
    print(name, len(rows))
"#;
    let out = python(
        ["-c", script, s.path("out/workbook.xlsx").to_str().unwrap()],
        None,
    );
    for line in String::from_utf8_lossy(&out).lines() {
        let (name, rows) = line.split_once(' ').unwrap();
        let rows: usize = rows.parse().unwrap();
        let csv_rows = s
            .read_csv(&format!("out/tables/{name}.csv"))
            .lines()
            .count()
            - 1;
        assert!(csv_rows > 0, "{name} has rows");
        // The sheet holds three title lines, the header and one row per table row.
        assert_eq!(rows, csv_rows + 4, "{name}");
    }
}
