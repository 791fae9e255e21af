//! Benchmarks: every mapped question and indicator against the shipped Civil Service medians,
//! and a generated multi-organisation export against the median of its organisations.

use crate::common::*;
use std::collections::BTreeMap;

#[test]
fn every_mapped_question_and_indicator_is_compared_with_the_civil_service_median() {
    let s = Sandbox::new();
    s.copy_dir("schemas", "schemas")
        .copy_dir("sample-data", "sample-data");
    s.expect_exit(&["-q", "run", "--config", SAMPLE_CONFIG, "--out", "out"], 0);
    let schema = std::fs::read_to_string(s.path("schemas/staff-survey.toml")).unwrap();
    // The CSPS medians for 2019 as published (csps-2009-2019-median-benchmark-scores.csv).
    let published: BTreeMap<&str, f64> = [
        ("S01", 67.0),
        ("S02", 61.0),
        ("S03", 52.0),
        ("S04", 52.0),
        ("S05", 50.0),
        ("S06", 86.0),
        ("S08", 82.0),
        ("S09", 78.0),
        ("S11", 50.0),
        ("S15", 82.0),
        ("S16", 84.0),
        ("S17", 51.0),
        ("S18", 35.0),
        ("S21", 68.0),
        ("S23", 63.0),
    ]
    .into();
    assert_eq!(
        schema.matches("benchmarks = [\"CSPS:B").count(),
        published.len(),
        "every mapped question is checked here"
    );
    let items = rows(&s.read_csv("out/tables/fact_item_results.csv"));
    let bench = rows(&s.read_csv("out/tables/fact_item_benchmarks.csv"));
    assert_eq!(bench.len(), published.len());
    let organisations = rows(
        &std::fs::read_to_string(s.path("schemas/benchmarks/csps-2019-organisations.csv")).unwrap(),
    );
    for b in &bench {
        let q = b["question_id"].as_str();
        assert_eq!(b["group_key"], "overall");
        assert_eq!(b["benchmark_year"], "2019");
        assert_eq!(num(b, "benchmark_value"), published[q], "{q}");
        let council = items
            .iter()
            .find(|r| {
                r["wave_id"] == "2026" && r["question_id"] == q && r["group_key"] == "overall"
            })
            .unwrap();
        assert_eq!(
            b["value"], council["pct_positive"],
            "{q}: the results table's figure"
        );
        assert_eq!(b["ci_low"], council["ci_low"]);
        // Difference from unrounded figures: within rounding of the published ones.
        let d = num(b, "value") - num(b, "benchmark_value");
        assert!((num(b, "difference") - d).abs() <= 0.051, "{q}");
        let outside = num(b, "benchmark_value") < num(b, "ci_low")
            || num(b, "benchmark_value") > num(b, "ci_high");
        assert_eq!(b["outside_interval"], outside.to_string(), "{q}");
        // Better or worse only with the benchmark outside the interval and a difference of at
        // least the practical margin (2 points, as CSPS reporting).
        assert_eq!(num(b, "margin"), 2.0);
        let unrounded = num(b, "difference");
        let standing = match (outside && unrounded.abs() >= 2.0, d > 0.0) {
            (false, _) => "similar",
            (true, true) => "better",
            (true, false) => "worse",
        };
        assert_eq!(b["standing"], standing, "{q}");
        // Percentile among the 109 organisations, worked out here from the committed table of
        // organisation scores: the share below the council's figure (rounded to whole percent,
        // as the organisations' scores are published) plus half of those level with it.
        let id = b["benchmark_key"].trim_start_matches("CSPS:");
        let scores: Vec<f64> = organisations
            .iter()
            .filter(|r| r["id"] == id)
            .map(|r| num(r, "value"))
            .collect();
        assert_eq!(scores.len(), 109, "{q}");
        let council: f64 = {
            let counts = items
                .iter()
                .find(|r| {
                    r["wave_id"] == "2026" && r["question_id"] == q && r["group_key"] == "overall"
                })
                .unwrap();
            (100.0 * num(counts, "n_positive") / num(counts, "n")).round()
        };
        let below = scores.iter().filter(|&&v| v < council).count() as f64;
        let level = scores.iter().filter(|&&v| v == council).count() as f64;
        let percentile = 100.0 * (below + level / 2.0) / 109.0;
        assert!((num(b, "percentile") - percentile).abs() < 0.051, "{q}");
        let band = if percentile < 25.0 {
            "lowest_quarter"
        } else if percentile > 75.0 {
            "highest_quarter"
        } else {
            "middle_half"
        };
        assert_eq!(b["quartile_band"], band, "{q}");
        assert_eq!(b["spread_organisations"], "109");
    }
    // By hand: respect from colleagues (S06, CSPS B26) is 2,325 of 2,854 = 81.46%, 81 when
    // rounded as the organisations' scores are; of the 109 organisations 12 score below 81 and
    // 2 score 81, so the council is at 100 × (12 + 1) / 109 = 11.93: the lowest quarter,
    // although the median comparison alone says only "worse".
    let s06 = bench.iter().find(|b| b["question_id"] == "S06").unwrap();
    assert_eq!(
        (
            s06["percentile"].as_str(),
            s06["quartile_band"].as_str(),
            s06["standing"].as_str()
        ),
        ("11.9", "lowest_quarter", "worse")
    );
    // S16 is 1.8 points above the median with the median outside its interval: under the
    // 2-point margin, so similar (it was "better" against the point median alone).
    let s16 = bench.iter().find(|b| b["question_id"] == "S16").unwrap();
    assert_eq!(s16["outside_interval"], "true");
    assert_eq!(s16["standing"], "similar");
    // The sample's S23 is 13.8 points below the Civil Service (49.2% vs 63%): a clear gap.
    let s23 = bench.iter().find(|b| b["question_id"] == "S23").unwrap();
    assert_eq!(s23["standing"], "worse");
    let inds = rows(&s.read_csv("out/tables/fact_indicator_benchmarks.csv"));
    let keys: Vec<(&str, &str)> = inds
        .iter()
        .map(|r| (r["indicator_id"].as_str(), r["benchmark_key"].as_str()))
        .collect();
    assert_eq!(
        keys,
        [
            ("engagement", "CSPS:EES"),
            ("understanding_priorities", "CSPS:op_ts")
        ]
    );
    assert_eq!(num(&inds[0], "benchmark_value"), 63.0);
    assert_eq!(num(&inds[1], "benchmark_value"), 83.0);
}

#[test]
fn a_multi_organisation_export_gives_each_organisation_and_the_median_of_organisations() {
    let s = Sandbox::new();
    s.expect_exit(
        &[
            "-q",
            "generate",
            "--out",
            "group",
            "--workload",
            "3000",
            "--organisations",
            "8",
        ],
        0,
    );
    s.expect_exit(
        &[
            "-q",
            "run",
            "--config",
            "group/pipeline.toml",
            "--out",
            "pack",
        ],
        0,
    );
    s.expect_exit(&["audit", "pack", "--config", "group/pipeline.toml"], 0);

    let items = rows(&s.read_csv("pack/tables/fact_item_results.csv"));
    let bench = rows(&s.read_csv("pack/tables/fact_item_benchmarks.csv"));
    let orgs: Vec<String> = (1..=8)
        .map(|k| format!("organisation=Organisation {k:02}"))
        .collect();
    let mut medians_checked = 0;
    for q in (1..=60).map(|i| format!("B{i:02}")) {
        let mine: Vec<_> = bench.iter().filter(|b| b["question_id"] == q).collect();
        // Everyone against CSPS; each organisation against CSPS and the median.
        assert_eq!(mine.len(), 1 + 2 * orgs.len(), "{q}");
        let org_values: Vec<Option<f64>> = orgs
            .iter()
            .map(|g| {
                let r = items
                    .iter()
                    .find(|r| {
                        r["wave_id"] == "2026" && r["question_id"] == q && &r["group_key"] == g
                    })
                    .unwrap();
                r["pct_positive"].parse().ok()
            })
            .collect();
        let mut published: Vec<f64> = org_values.iter().flatten().copied().collect();
        published.sort_by(f64::total_cmp);
        let m = published.len();
        assert!(
            m >= 5 && m < orgs.len(),
            "{q}: the smallest organisation is withheld"
        );
        let median = if m % 2 == 1 {
            published[m / 2]
        } else {
            (published[m / 2 - 1] + published[m / 2]) / 2.0
        };
        for (g, v) in orgs.iter().zip(&org_values) {
            let row = |key: &str| {
                mine.iter()
                    .find(|b| &b["group_key"] == g && b["benchmark_key"] == key)
                    .unwrap_or_else(|| panic!("{q} {g} {key}"))
            };
            let against_median = row("median_of_organisations");
            assert_eq!(against_median["benchmark_organisations"], m.to_string());
            // The median of the rounded figures is within rounding of the published one.
            assert!(
                (num(against_median, "benchmark_value") - median).abs() <= 0.051,
                "{q}: {} vs {median}",
                against_median["benchmark_value"]
            );
            match v {
                Some(v) => {
                    assert_eq!(num(against_median, "value"), *v);
                    assert!(
                        (num(against_median, "difference") - (v - median)).abs() <= 0.11,
                        "{q} {g}"
                    );
                }
                None => {
                    // Withheld for the organisation: its figure and difference stay hidden.
                    for r in [against_median, row(&format!("CSPS:{q}"))] {
                        assert_eq!(r["value"], "");
                        assert_eq!(r["difference"], "");
                        assert_eq!(r["suppressed"], "true");
                    }
                }
            }
            medians_checked += 1;
        }
        let all = mine.iter().find(|b| b["group_key"] == "overall").unwrap();
        assert_eq!(all["benchmark_key"], format!("CSPS:{q}"));
    }
    assert_eq!(medians_checked, 60 * 8);
    // The report summarises each organisation against the median and the Civil Service.
    let report = std::fs::read_to_string(s.path("pack/report.md")).unwrap();
    assert!(
        report.contains("This export holds 8 organisations."),
        "{report}"
    );
    assert!(report.contains("| Organisation 08 | [c] | [c] | [c] | [c] | [c] | [c] |"));
    let section = &report[report.find("## How the organisations compare").unwrap()..];
    let first = section
        .lines()
        .find(|l| l.starts_with("| Organisation 01 |"))
        .unwrap();
    let counts: Vec<usize> = first
        .split('|')
        .skip(2)
        .take(6)
        .map(|c| c.trim().parse().unwrap())
        .collect();
    assert_eq!(counts[..3].iter().sum::<usize>(), 60, "{first}");
    assert_eq!(counts[3..].iter().sum::<usize>(), 60, "{first}");
}
