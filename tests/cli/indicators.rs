//! Indicators, response rates, FPC and the audit, on the hand-checked mini data.

use crate::common::*;

const INDICATORS: &str = r#"
[[indicators]]
id = "respect"
label = "Respect"
method = "theme-pct-positive"
items = ["Q1", "Q2"]

[[indicators]]
id = "engagement"
label = "Engagement"
method = "index-0-100"
items = ["Q1", "Q2"]
min_items = 2

[[indicators]]
id = "bullying"
label = "Bullying"
method = "yes-rate"
direction = "lower-is-better"
items = ["Q3"]
"#;

fn sandbox(extra_wave_lines: &str, top: &str) -> Sandbox {
    let s = mini_sandbox(mini_csv(), extra_wave_lines, 0.0);
    s.write("schema.toml", format!("{MINI_SCHEMA}{INDICATORS}"));
    let cfg = s
        .read("pipeline.toml")
        .replacen("schema = ", &format!("{top}schema = "), 1);
    s.write("pipeline.toml", cfg);
    s
}

fn rows<'a>(table: &'a str, prefix: &str) -> Vec<&'a str> {
    table.lines().filter(|l| l.starts_with(prefix)).collect()
}

#[test]
fn indicators_match_hand_and_reference_calculations() {
    let s = sandbox("", "");
    s.expect_exit(&["run", "--config", "pipeline.toml"], 0);
    let t = s.read_table("out", "fact_indicator_results");
    assert!(t.starts_with(
        "wave_id,indicator_id,group_key,n,value,ci_low,ci_high,ci_clipped,pct_positive,pct_neutral,pct_negative,mdd,weighted,design_effect,population,fpc_assumed,not_asked,suppressed,suppression_reason\n"
    ));
    // What each value is, once, in the indicator dimension.
    let dims = s.read_table("out", "dim_indicator");
    assert!(
        dims.contains("respect,mini,Mini,Respect,theme-pct-positive,% positive,"),
        "{dims}"
    );
    assert!(dims.contains("bullying,mini,Mini,Bullying,yes-rate,% yes,% answering Yes (whether that is good news is `higher_is_better`).,false,true,1,1,3\n"), "{dims}");
    // Theme: mean of Q1 63.33% and Q2 62.5% positive = 62.92. Respondent shares of positive
    // answers: 12 × 1, 17 × 0.5, 3 × 0 (n = 32); interval scipy.stats.t.interval(0.95, 31,
    // loc=62.9167, scale=100 * sd(shares, ddof=1) / sqrt(32)) = (51.48, 74.35); MDD
    // (norm.ppf(.975) + norm.ppf(.8)) * sqrt(2) * 100 * sd / sqrt(32) = 22.21.
    // Neutral (13.33 + 9.375) / 2 = 11.35; negative (23.33 + 28.125) / 2 = 25.73.
    assert_eq!(
        rows(&t, "2025,respect,overall,"),
        [
            "2025,respect,overall,32,62.9,51.5,74.3,false,62.9,11.4,25.7,22.2,false,,,false,false,false,"
        ]
    );
    // A dir would be Q1 10/18 and Q2 20/20 positive: (55.56 + 100) / 2 = 77.78 (t interval
    // 66.02 to 89.54), but both items are withheld for A (Q1 by the linear attack's repair,
    // Q2 by the attribute rule: all 20 agree), so the theme is withheld with them.
    assert!(
        t.contains("2025,respect,dir=A dir,,,,,,,,,,false,,,false,false,true,secondary"),
        "{t}"
    );
    // B dir (9) is below the threshold; Not stated (3) too.
    assert!(t.contains("2025,respect,dir=B dir,,"), "{t}");
    // Index: both items needed. Scores (Q1, Q2 on 0/25/50/75/100): A: SA 87.5 × 4, A 75 × 6,
    // N 62.5 × 4, D 50 × 3, SD 37.5; B 50 × 9; Not stated 25 × 3: n 30, mean 58.75,
    // sd 18.3212; t interval (51.91, 65.59); MDD 13.25.
    assert_eq!(
        rows(&t, "2025,engagement,overall,"),
        ["2025,engagement,overall,30,58.8,51.9,65.6,false,,,,13.3,false,,,false,false,false,"]
    );
    // Yes-rate (Q3 is reverse keyed for % positive, but the rate counts literal Yes answers):
    // 3 of 31; statsmodels proportion_confint(3, 31, method="wilson") = (3.35%, 24.90%).
    assert_eq!(
        rows(&t, "2025,bullying,overall,"),
        ["2025,bullying,overall,31,9.7,3.3,24.9,false,,,,21.0,false,,,false,false,false,"]
    );
}

#[test]
fn response_rates_and_fpc_use_the_hr_headcount() {
    // The finite population correction is off unless asked for.
    let s = sandbox(
        "headcount = \"hc.csv\"",
        "finite_population_correction = true\n",
    );
    s.write("hc.csv", "dir,headcount\nA dir,40\nB dir,12\nC dir,5\n");
    s.expect_exit(&["run", "--config", "pipeline.toml"], 0);
    let rr = s.read_table("out", "fact_response_rates");
    assert_eq!(
        rr,
        "wave_id,group_key,responses,headcount,response_rate,below_60,pct_of_respondents,pct_of_workforce,headcount_withheld,suppressed,suppression_reason\n\
         2025,overall,32,57,56.1,true,100.0,100.0,false,false,\n\
         2025,dir=A dir,20,40,50.0,true,62.5,70.2,false,false,\n\
         2025,dir=B dir,,,,,,,true,true,primary\n\
         2025,dir=C dir,,,,,,,true,true,primary\n\
         2025,dir=Not stated,,,,,,,true,true,primary\n"
    );
    // FPC: Q3 in A dir has 20 answers from 40 staff, so the interval is narrower than the
    // plain Wilson (69.9, 97.2): statsmodels proportion_confint(18/20 * m, m, method="wilson")
    // with m = 20 / ((40 - 20) / 39) = 39 gives (76.74, 96.09).
    let items = s.read_table("out", "fact_item_results");
    assert!(
        items.contains("2025,Q3,dir=A dir,20,18,0,2,90.0,0.0,10.0,76.7,96.1,"),
        "{items}"
    );
    // The population is recorded and the row says its interval assumes a random sample.
    assert!(
        items.contains(",40,true,false,,false\n"),
        "population recorded"
    );
    let report = s.read_pack("out", "report.md");
    assert!(
        report.contains("assumes that those who answered are a random sample of staff"),
        "the assumption is stated beside the intervals it touches"
    );

    // Switched off (the default): the same figures without the correction.
    let cfg = s.read("pipeline.toml").replacen(
        "finite_population_correction = true",
        "finite_population_correction = false",
        1,
    );
    s.write("pipeline.toml", cfg);
    assert!(
        s.cmd(&["-q", "run", "--config", "pipeline.toml"])
            .output()
            .unwrap()
            .status
            .success()
    );
    let items = s.read_table("out", "fact_item_results");
    assert!(
        items.contains(
            "2025,Q3,dir=A dir,20,18,0,2,90.0,0.0,10.0,69.9,97.2,26.6,false,,,false,false,,false\n"
        ),
        "{items}"
    );
    assert!(
        s.read_pack("out", "tables/README.md")
            .contains("finite population correction √((N−n)/(N−1)) is off (the default)")
    );
}

#[test]
fn crossing_a_field_with_itself_is_refused() {
    let s = sandbox("", "crosses = [[\"dir\", \"dir\"]]\n");
    let out = s.expect_exit(&["validate", "--config", "pipeline.toml"], 2);
    assert!(
        stderr(&out).contains("crosses a field with itself"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn audit_passes_on_a_run_and_fails_on_a_disclosive_pack() {
    let s = sandbox("headcount = \"hc.csv\"", "");
    s.write("hc.csv", "dir,headcount\nA dir,40\nB dir,12\nC dir,5\n");
    assert!(
        s.cmd(&["-q", "run", "--config", "pipeline.toml"])
            .output()
            .unwrap()
            .status
            .success()
    );
    let out = s.expect_exit(&["audit", &s.pack("out")], 0);
    assert!(
        stdout(&out).contains(&format!("(threshold 10): {} table(s)", published_tables())),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).trim_end().ends_with("PASS"),
        "{}",
        stdout(&out)
    );

    // Someone "fixes" the table by hand: un-hides the Not stated row of Q1 (3 answers) and
    // publishes B dir's figure; both are now disclosive.
    let items = s.read_table("out", "fact_item_results");
    let bad: String = items
        .lines()
        .map(|l| {
            if l.starts_with("2025,Q1,dir=Not stated,") {
                "2025,Q1,dir=Not stated,3,0,0,3,0.0,0.0,100.0,0.0,56.1,0.0,false,,,false,false,,false"
                    .to_string()
            } else if l.starts_with("2025,Q2,dir=B dir,") {
                "2025,Q2,dir=B dir,9,0,0,9,0.0,0.0,100.0,0.0,29.9,0.0,false,,12,false,false,,false"
                    .to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    s.write(
        &format!("{}/tables/fact_item_results.csv", s.pack("out")),
        bad,
    );
    let out = s.expect_exit(&["audit", &s.pack("out")], 1);
    let t = stdout(&out);
    assert!(t.contains("FAIL"), "{t}");
    assert!(
        t.contains(
            "tables/fact_item_results.csv:6: published figure rests on n = 3, fewer than 10"
        ),
        "{t}"
    );
    assert!(
        t.contains("published figure rests on n = 9, fewer than 10"),
        "{t}"
    );
    // With B dir's 9 published as all negative, Q2's published negatives account for every
    // negative answer: the linear attack pins the hidden groups' negatives at 0.
    assert!(
        t.contains("2025, Q2, dir=Not stated: a withheld figure can be worked out from the published ones: n_negative = 0"),
        "{t}"
    );
}

#[test]
fn audit_needs_a_pack() {
    let s = Sandbox::new();
    let out = s.expect_exit(&["audit", "nowhere"], 2);
    assert!(
        stderr(&out).contains("pass --threshold"),
        "{}",
        stderr(&out)
    );
}
