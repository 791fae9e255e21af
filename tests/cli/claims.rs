//! Headline claims a statistician would sign: no finite population correction in a change
//! test, themes only where their questions were asked, intervals that agree with verdicts,
//! one family per test, drivers labelled only where the bootstrap supports it, and the
//! control charts' pack-level false-alarm rate stated.

use crate::common::*;
use std::collections::BTreeMap;

#[test]
fn no_change_verdict_rests_on_the_finite_population_correction() {
    // Off by default: the sample's intervals carry no assumption and no row says it does.
    let s = Sandbox::sample();
    s.run_sample();
    let items = rows(&s.read_table("sample-data/out", "fact_item_results"));
    assert!(items.iter().all(|r| r["fpc_assumed"] == "false"));
    let report = s.read_pack("sample-data/out", "report.md");
    assert!(!report.contains("random sample of staff. A voluntary survey"));
    let changes_off = s.read_table("sample-data/out", "fact_indicator_changes");
    let item_changes_off = s.read_table("sample-data/out", "fact_item_changes");
    // Morale's decline was a verdict only under the correction: −0.11 on a 0–10 scale is
    // not a significant change (q 0.22 without it).
    let changes = rows(&changes_off);
    let morale = changes
        .iter()
        .find(|r| r["indicator_id"] == "morale_wellbeing" && r["group_key"] == "overall")
        .unwrap();
    assert_eq!(morale["verdict"], "no significant change", "{morale:?}");

    // Switched on: level intervals narrow where HR gives a headcount, and say so beside the
    // interval; every change, test and verdict stays exactly as it was.
    let cfg = s.read("sample-data/pipeline.toml").replacen(
        "# finite_population_correction = true",
        "finite_population_correction = true",
        1,
    );
    assert!(cfg.contains("\nfinite_population_correction = true"));
    s.write("sample-data/pipeline.toml", cfg);
    s.run_sample();
    let items = rows(&s.read_table("sample-data/out", "fact_item_results"));
    let overall = items
        .iter()
        .find(|r| {
            r["wave_id"] == "2026" && r["question_id"] == "S19" && r["group_key"] == "overall"
        })
        .unwrap();
    assert_eq!(overall["fpc_assumed"], "true", "{overall:?}");
    let report = s.read_pack("sample-data/out", "report.md");
    assert!(
        report.contains(
            "This interval is narrowed because a large share of the group's staff answered: it assumes that those who answered are a random sample of staff"
        ),
        "the assumption is stated beside the intervals"
    );
    assert!(report.contains(" †"), "the intervals it touches are marked");
    assert_eq!(
        s.read_table("sample-data/out", "fact_indicator_changes"),
        changes_off,
        "changes never use the correction"
    );
    assert_eq!(
        s.read_table("sample-data/out", "fact_item_changes"),
        item_changes_off
    );
}

#[test]
fn every_declared_change_has_an_adjusted_interval_clear_of_zero_and_each_test_one_family() {
    let s = Sandbox::sample();
    s.run_sample();
    let items = rows(&s.read_table("sample-data/out", "fact_item_changes"));
    let inds = rows(&s.read_table("sample-data/out", "fact_indicator_changes"));
    let (mut declared, mut undeclared) = (0, 0);
    for r in items.iter().chain(&inds) {
        // Two waves: the previous wave is the baseline, one row with both roles.
        assert_eq!(
            (
                r["comparison"].as_str(),
                r["since_previous"].as_str(),
                r["since_baseline"].as_str()
            ),
            ("since_previous_and_baseline", "true", "true")
        );
        if r["test"].is_empty() || r["suppressed"] == "true" {
            assert!(r["adjusted_ci_low"].is_empty() || r["adjusted_ci_low"] == "[c]");
            continue;
        }
        let (lo, hi) = (num(r, "adjusted_ci_low"), num(r, "adjusted_ci_high"));
        // The adjusted interval is at least as wide as the 95% one (its level is 1 − the
        // family's threshold, and the threshold is at most 5%).
        let width = |a: f64, b: f64| b - a;
        assert!(
            width(lo, hi) + 0.11 >= width(num(r, "delta_ci_low"), num(r, "delta_ci_high")),
            "{r:?}"
        );
        match r["verdict"].as_str() {
            "improved" | "declined" => {
                declared += 1;
                assert!(lo >= 0.0 && hi > 0.0 || hi <= 0.0 && lo < 0.0, "{r:?}");
            }
            "no significant change" => {
                undeclared += 1;
                assert!(lo <= 0.0 && hi >= 0.0, "{r:?}");
            }
            v => panic!("tested row with verdict {v}: {r:?}"),
        }
    }
    assert!(
        declared >= 10 && undeclared >= 100,
        "{declared} {undeclared}"
    );

    // The bullying and discrimination questions are the yes-rates' only items: tested once,
    // in the headline family, with the indicator's q-value; the items family does not count
    // them.
    for (q, ind) in [("E01", "bullying"), ("E02", "discrimination")] {
        let item = items
            .iter()
            .find(|r| r["question_id"] == q && r["group_key"] == "overall")
            .unwrap();
        let indicator = inds
            .iter()
            .find(|r| r["indicator_id"] == ind && r["group_key"] == "overall")
            .unwrap();
        assert_eq!(item["family"], "headline", "{item:?}");
        assert_eq!(item["q_value"], indicator["q_value"]);
        assert_eq!(item["p_value"], indicator["p_value"]);
        assert_eq!(item["family_tests"], indicator["family_tests"]);
    }
    // Every family holds exactly the tests that name it (the linked questions aside).
    let mut tests: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for r in items.iter().chain(&inds) {
        let linked = matches!(
            r.get("question_id").map(String::as_str),
            Some("E01" | "E02")
        );
        if r["test"].is_empty() || linked {
            continue;
        }
        let e = tests
            .entry(r["family"].clone())
            .or_insert((0, r["family_tests"].clone()));
        e.0 += 1;
        assert_eq!(e.1, r["family_tests"]);
    }
    for (family, (counted, stated)) in &tests {
        assert_eq!(counted.to_string(), *stated, "{family}");
    }
    // 22 agreement questions asked in both waves and the recommend question; the reworded
    // S10/S10b are not compared, and E01 and E02 are tested as headline indicators.
    assert_eq!(tests["items"].0, 23);
    // The report shows the adjusted interval with the verdict and says what it is.
    let report = s.read_pack("sample-data/out", "report.md");
    assert!(report.contains("Change since previous (adjusted interval)"));
    assert!(report.contains(
        "widened to allow for the number of \
         comparisons made, so an interval that leaves out zero goes with a verdict"
    ));
}

#[test]
fn a_theme_whose_questions_were_not_asked_is_not_asked_never_a_verdict() {
    // A new council's export asks only one of the four speaking-up questions in 2026.
    let s = Sandbox::sample();
    let cfg = s.read("sample-data/pipeline.toml");
    let at = cfg.find("id = \"2026\"").unwrap();
    let (head, tail) = cfg.split_at(at);
    let tail: String = tail
        .lines()
        .filter(|l| {
            !(l.starts_with("S11 = ") || l.starts_with("S13 = ") || l.starts_with("S14 = "))
        })
        .map(|l| format!("{l}\n"))
        .collect();
    s.write("sample-data/pipeline.toml", format!("{head}{tail}"));
    let out = s.expect_exit(&["run", "--config", SAMPLE_CONFIG], 0);
    // The terminal headline (on stderr) says not asked, never a change.
    let headline = stderr(&out);
    let line = headline
        .lines()
        .find(|l| l.contains("Speaking up and challenge"))
        .unwrap();
    assert!(line.contains("[x]") && line.contains("not asked"), "{line}");
    assert!(headline.contains("[x] not asked"), "{headline}");

    // Tables: every 2026 speaking-up row is not asked (empty figures, flagged), none
    // withheld; the change is not tested.
    let results = rows(&s.read_table("sample-data/out", "fact_indicator_results"));
    let theme: Vec<_> = results
        .iter()
        .filter(|r| r["wave_id"] == "2026" && r["indicator_id"] == "speaking_up")
        .collect();
    assert!(theme.len() > 10, "every group of 2026 has its row");
    for r in &theme {
        assert_eq!((r["n"].as_str(), r["value"].as_str()), ("", ""), "{r:?}");
        assert_eq!(r["not_asked"], "true");
        assert_eq!(r["suppressed"], "false");
    }
    let changes = rows(&s.read_table("sample-data/out", "fact_indicator_changes"));
    let change = changes
        .iter()
        .find(|r| r["indicator_id"] == "speaking_up" && r["group_key"] == "overall")
        .unwrap();
    assert_eq!(change["verdict"], "not tested");
    assert_eq!(change["reason"], "not asked in 2026");
    // Not asked: no figure (empty in a number column).
    assert_eq!(change["value_to"], "");
    // No change is computed, so no figure is repeated here (2025's is in the results table).
    assert_eq!(
        (change["value_from"].as_str(), change["delta"].as_str()),
        ("", "")
    );
    // The report: the headline and the 2026 value say not asked, not [c]; no main point.
    let report = s.read_pack("sample-data/out", "report.md");
    let row = report
        .lines()
        .find(|l| l.starts_with("| Speaking up and challenge |"))
        .unwrap();
    assert!(row.contains("| not asked |"), "{row}");
    assert!(!row.contains("[c]"), "{row}");
    assert!(!report.contains("- ▼ Speaking up") && !report.contains("- ▲ Speaking up"));
    // The workbook shows [x] too.
    if python_has("openpyxl") {
        let script = "import sys, openpyxl\n\
            wb = openpyxl.load_workbook(sys.argv[1])\n\
            ws = wb[[n for n in wb.sheetnames if 'Indicators (%)' in n][0]]\n\
            print(sum(1 for row in ws.iter_rows(values_only=True) if '[x]' in row))\n";
        let book = s.path(&format!("{}/workbook.xlsx", s.pack("sample-data/out")));
        let n: usize = String::from_utf8(python(["-c", script, book.to_str().unwrap()], None))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        assert_eq!(n, theme.len(), "the workbook's [x] rows");
    }
    s.expect_exit(&["audit", &s.pack("sample-data/out")], 0);

    // Declared comparable at a quarter of its questions, the theme exists in 2026 but is not
    // compared with 2025, which asked all four.
    let schema = s.read("schemas/staff-survey.toml").replacen(
        "items = [\"S11\", \"S12\", \"S13\", \"S14\"]",
        "items = [\"S11\", \"S12\", \"S13\", \"S14\"]\nmin_coverage = 0.25",
        1,
    );
    s.write("schemas/staff-survey.toml", schema);
    s.run_sample();
    let changes = rows(&s.read_table("sample-data/out", "fact_indicator_changes"));
    let change = changes
        .iter()
        .find(|r| r["indicator_id"] == "speaking_up" && r["group_key"] == "overall")
        .unwrap();
    assert_eq!(change["verdict"], "not tested");
    assert_eq!(
        change["reason"],
        "not comparable: different questions (2025 asked S11, S12, S13, S14; 2026 asked S12)"
    );
}

#[test]
fn drivers_are_ranked_and_placed_only_where_the_bootstrap_separates_them() {
    let s = Sandbox::sample();
    s.run_sample();
    let drivers = rows(&s.read_table("sample-data/out", "fact_drivers"));
    let trust: Vec<_> = drivers
        .iter()
        .filter(|r| {
            r["outcome_indicator_id"] == "officer_member_trust" && r["group_key"] == "overall"
        })
        .collect();
    assert_eq!(trust.len(), 6);
    for r in &trust {
        let (lo, hi) = (num(r, "rank_low"), num(r, "rank_high"));
        // A rank only where its 95% range is that one rank.
        if lo == hi {
            assert_eq!(num(r, "rank"), lo, "{r:?}");
        } else {
            assert_eq!(r["rank"], "", "{r:?}");
        }
        // A quadrant only with 90% bootstrap support.
        let support = num(r, "quadrant_support");
        assert_eq!(r["quadrant"] == "unclear", support < 90.0, "{r:?}");
    }
    // Respect and fairness overlap (intervals 14.8–17.8 and 15.6–18.4): neither is ranked.
    for id in ["respect", "fairness_inclusion"] {
        let r = trust
            .iter()
            .find(|r| r["driver_indicator_id"] == id)
            .unwrap();
        assert_eq!(r["rank"], "", "{r:?}");
    }
    // Every group the analysis looked at says what became of it; the analysed ones are those
    // in fact_drivers.
    let groups = rows(&s.read_table("sample-data/out", "fact_driver_groups"));
    let dims = rows(&s.read_table("sample-data/out", "dim_group"));
    let one_way = dims
        .iter()
        .filter(|g| g["level"] == "one-way" || g["level"] == "organisation")
        .count();
    for outcome in ["officer_member_trust", "engagement"] {
        let mine: Vec<_> = groups
            .iter()
            .filter(|g| g["outcome_indicator_id"] == outcome)
            .collect();
        assert_eq!(mine.len(), one_way, "{outcome}: every one-way group");
        for g in &mine {
            let analysed = drivers
                .iter()
                .any(|d| d["outcome_indicator_id"] == outcome && d["group_key"] == g["group_key"]);
            assert_eq!(g["status"] == "analysed", analysed, "{g:?}");
        }
        // Groups large enough that disclosure control withheld are listed as withheld.
        assert!(
            mine.iter()
                .any(|g| g["group_key"] == "grade=Senior management" && g["status"] == "withheld")
        );
    }
    let report = s.read_pack("sample-data/out", "report.md");
    assert!(report.contains("tables/fact_driver_groups.csv lists each"));
}

#[test]
fn the_pack_states_its_control_charts_chance_of_a_false_signal() {
    let s = Sandbox::sample();
    s.run_sample();
    let report = s.read_pack("sample-data/out", "report.md");
    let at = report
        .find("with the 6 charts in this pack, the chance that at least one shows a signal somewhere when nothing has changed is about ")
        .expect("the pack-level rate in the report");
    let rate: f64 = report[at..]
        .split("about ")
        .nth(1)
        .unwrap()
        .split('%')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    // Six charts at up to ~15% each; one with a declared step has short provisional segments.
    assert!((25.0..=70.0).contains(&rate), "{rate}");
    let dictionary = s.read_pack("sample-data/out", "tables/README.md");
    assert!(dictionary.contains(&format!("is about **{rate:.0}%**")));
    // The theme chart plots respondents' mean score, as documented: with its respondents'
    // person-level spread, not the mean of the questions' % positive.
    assert!(dictionary.contains("plotted as the **mean\nof respondents' scores**"));
}
