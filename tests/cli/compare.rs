//! Year-on-year comparison: hand/reference-checked deltas on the mini data, and the sample
//! council's designed changes.

use crate::common::*;

fn two_waves() -> Sandbox {
    let s = mini_sandbox(mini_csv(), "", 0.0);
    // 2026: B dir now agree that members treat officers with respect.
    let later = mini_csv().replace("B dir,Agree,Disagree,No", "B dir,Agree,Agree,No");
    s.write("data26.csv", later);
    let one = mini_config("data.csv", "", 0.0);
    let wave26 = one[one.find("[[waves]]").unwrap()..]
        .replace("id = \"2025\"", "id = \"2026\"")
        .replace("2025-10-", "2026-10-")
        .replace("data.csv", "data26.csv");
    s.write("pipeline.toml", format!("{one}\n{wave26}"));
    s
}

#[test]
fn deltas_match_statsmodels() {
    let s = two_waves();
    s.expect_exit(&["run", "--config", "pipeline.toml"], 0);
    let d = s.read_table("out", "fact_item_changes");
    assert!(d.starts_with("comparison,since_previous,since_baseline,wave_from,wave_to,question_id,group_key,n_from,n_to,value_from,value_to,delta,delta_ci_low,delta_ci_high,adjusted_ci_low,adjusted_ci_high,low_reliability,mdd_unadjusted,mdd_at_family_threshold,weighted,design_effect_from,design_effect_to,test,statistic,p_value,family,family_tests,family_threshold,q_value,effect_size,effect_size_type,verdict,reason,suppressed,suppression_reason\n"));
    let rows: Vec<&str> = d.lines().filter(|l| l.contains(",Q2,")).collect();
    assert_eq!(
        rows,
        [
            // statsmodels proportions_ztest([29, 20], [32, 32]) = (2.655760008827943,
            // 0.007912990605738073); multipletests([1, p, 1], method="fdr_bh") gives q =
            // 0.023738971817214218 within the family of the organisation's 3 items (Q1 and Q3
            // did not change: p = 1); BH's threshold 1 × 0.05 / 3; Cohen's h 0.6957.
            // Change interval: confint_proportions_2indep(29, 32, 20, 32, method="newcomb")
            // = (0.0733, 0.4643). MDD: (norm.ppf(0.975) + norm.ppf(0.8)) × se with
            // se = √(0.625·0.375/32 + 0.90625·0.09375/32) = 27.987 points, and at the family's
            // threshold (norm.ppf(1 − 0.05/3/2) + norm.ppf(0.8)) × se = 32.322.
            // Adjusted interval (at the family's threshold 0.05/3, from the test): d = 28.125
            // points, se = d / z = 10.590188837285904, 28.125 ∓ norm.ppf(1 − 0.05/3/2) × se =
            // (2.7723018472740684, 53.477698152725935): clear of zero, as the verdict is.
            // With two waves the baseline is the previous wave: one row with both roles.
            "since_previous_and_baseline,true,true,2025,2026,Q2,overall,32,32,62.5,90.6,28.1,7.3,46.4,2.8,53.5,false,28.0,32.3,false,,,two_proportion_z,2.656,0.007913,items,3,0.016667,0.023739,0.696,cohens_h,improved,,false,",
            // A dir: 20 of 20 agree in both waves, withheld by the attribute rule.
            "since_previous_and_baseline,true,true,2025,2026,Q2,dir=A dir,,,,,,,,,,,,,false,,,,,,breakdown:dir,0,,,,,not tested,suppressed in one of the waves,true,secondary",
            "since_previous_and_baseline,true,true,2025,2026,Q2,dir=B dir,,,,,,,,,,,,,false,,,,,,breakdown:dir,0,,,,,not tested,suppressed in one of the waves,true,primary",
            "since_previous_and_baseline,true,true,2025,2026,Q2,dir=C dir,,,,,,,,,,,,,false,,,,,,breakdown:dir,0,,,,,not tested,suppressed in one of the waves,true,primary",
            "since_previous_and_baseline,true,true,2025,2026,Q2,dir=Not stated,,,,,,,,,,,,,false,,,,,,breakdown:dir,0,,,,,not tested,suppressed in one of the waves,true,primary",
        ]
    );
    // No change (z = 0): the adjusted interval uses the change's standard error,
    // √(2 × (19/30)(11/30)/30) = 12.4426 points: ∓ 2.39398 × 12.4426 = ∓ 29.787.
    assert!(d.contains("since_previous_and_baseline,true,true,2025,2026,Q1,overall,30,30,63.3,63.3,0.0,-23.2,23.2,-29.8,29.8,false,34.9,40.3,false,,,two_proportion_z,0.000,1.000000,items,3,0.016667,1.000000,0.000,cohens_h,no significant change,,false,"), "{d}");
    s.expect_exit(&["audit", &s.pack("out")], 0);
}

#[test]
fn an_unknown_baseline_is_a_config_error() {
    let s = two_waves();
    let cfg = s
        .read("pipeline.toml")
        .replacen("schema = ", "baseline = \"2019\"\nschema = ", 1);
    s.write("pipeline.toml", cfg);
    let out = s.expect_exit(&["validate", "--config", "pipeline.toml"], 2);
    assert!(
        stderr(&out).contains("baseline: `2019` is not one of the waves (2025, 2026)"),
        "{}",
        stderr(&out)
    );
}
