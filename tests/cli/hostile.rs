//! Third hardening round: what a red team did to main, each finding with the test that guards
//! it. A header cannot rewrite the config, redaction survives evasion, every published size is
//! protected, configs that weaken protection are refused, the audit reads every file, and
//! `runs.csv` names only runs `latest/` holds.

use crate::common::*;

/// The 2025 Qualtrics sample export with two crafted header cells: a personal-data tag that
/// tries to end its comment and switch the attribute rule off, and an unmatched column whose
/// key and wording hold control characters.
fn hostile_headers_export() -> String {
    let original = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("sample-data/staff-survey-2025-qualtrics.csv"),
    )
    .unwrap();
    let injected = "\"RecipientEmail\n[attribute_disclosure]\nrule = \"\"off\"\"\n\"";
    let text = original
        .replacen("RecipientEmail", injected, 1)
        .replacen(
            "DistributionChannel",
            "\"Chan\u{1}nel\r\nanonymity_threshold = 1\"",
            1,
        )
        .replacen(
            "Distribution Channel",
            "\"Channel\u{b}\u{7f}\n[publication]\nstatus = \"\"hacked\"\"\"",
            1,
        );
    assert_ne!(
        text, original,
        "the fixture changed: the header cells were not found"
    );
    text
}

#[test]
fn crafted_export_header_cannot_rewrite_the_config() {
    let s = Sandbox::new();
    s.write("export.csv", hostile_headers_export());
    s.expect_exit(&["init", "proj", "--export", "export.csv"], 0);
    let text = s.read("proj/pipeline.toml");
    let config: toml::Table = toml::from_str(&text).expect("the config init wrote parses");
    // Exactly the settings init means to write: no table or key smuggled in by a header.
    let mut keys: Vec<&str> = config.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "anonymity_threshold",
            "benchmarks",
            "output",
            "publication",
            "schema",
            "store",
            "tolerance",
            "waves"
        ],
        "{text}"
    );
    assert_eq!(config["anonymity_threshold"].as_integer(), Some(10));
    assert_eq!(
        config["publication"]["status"].as_str(),
        Some("Management information: not official statistics")
    );
    assert!(!text.contains("\nrule ="), "{text}");
    // The hostile text is still shown to the analyst, escaped on one line.
    assert!(text.contains("# Personal data, never imported: IPAddress, RecipientLastName, RecipientFirstName, RecipientEmail\\u{000A}[attribute_disclosure]"), "{text}");
    // add-wave (onto a project of the 2026 export) and inspect --write write it the same way.
    s.copy_dir("sample-data", "sample-data");
    s.expect_exit(
        &[
            "init",
            "proj2",
            "--export",
            "sample-data/staff-survey-2026-surveymonkey.csv",
        ],
        0,
    );
    s.expect_exit(
        &[
            "add-wave",
            "--config",
            "proj2/pipeline.toml",
            "--export",
            "export.csv",
        ],
        0,
    );
    let text = s.read("proj2/pipeline.toml");
    let config: toml::Table = toml::from_str(&text).expect("the config add-wave wrote parses");
    assert!(!config.contains_key("attribute_disclosure"), "{text}");
    assert_eq!(config["anonymity_threshold"].as_integer(), Some(10));
    assert_eq!(config["waves"].as_array().unwrap().len(), 2);
    s.expect_exit(&["inspect", "export.csv", "--write", "block.toml"], 0);
    let block: toml::Table = toml::from_str(&s.read("block.toml")).expect("the block parses");
    assert_eq!(block.keys().collect::<Vec<_>>(), ["waves"]);
}

/// The run `runs.csv` names last and the run `latest/` holds.
fn newest_listed_and_latest(s: &Sandbox) -> (String, String) {
    let runs = s.read("sample-data/out/runs.csv");
    let listed = runs.lines().last().unwrap().split(',').next().unwrap();
    let manifest: serde_json::Value =
        serde_json::from_str(&s.read("sample-data/out/latest/manifest.json")).unwrap();
    let held = manifest["run"]["id"].as_str().unwrap().to_string();
    (listed.to_string(), held)
}

#[test]
fn runs_csv_names_only_a_run_latest_holds_after_a_kill() {
    let s = Sandbox::sample();
    s.run_sample();
    let (listed, held) = newest_listed_and_latest(&s);
    assert_eq!(listed, held);
    // Another config (so another run id), and the run stopped just before `latest/` is swapped.
    let config = s.read("sample-data/pipeline.toml");
    s.write("sample-data/pipeline.toml", config + "\n# a new run\n");
    let out = s
        .cmd(&["-q", "run", "--config", "sample-data/pipeline.toml"])
        .env("CULTURE_METRICS_FAULT", "latest-before-swap")
        .output()
        .unwrap();
    assert!(!out.status.success(), "the run was stopped");
    let (listed, still) = newest_listed_and_latest(&s);
    assert_eq!(still, held, "latest/ keeps the old pack");
    assert_eq!(listed, held, "runs.csv names the pack latest/ holds");
    // `audit` with no folder checks the pack Power BI reads.
    let audit = s
        .cmd(&["audit", "--config", "sample-data/pipeline.toml"])
        .output()
        .unwrap();
    assert!(stdout(&audit).contains("latest"), "{}", stdout(&audit));
}

#[test]
fn configs_that_weaken_protection_are_refused_all_problems_at_once() {
    let s = Sandbox::sample();
    let config = s
        .read("sample-data/pipeline.toml")
        .replace("anonymity_threshold = 10 ", "anonymity_threshold = 4 ")
        .replace(
            "crosses = [[\"directorate\", \"grade\"], [\"ethnicity\", \"grade\"]]",
            "crosses = [[\"directorate\", \"grade\"], [\"ethnicity\", \"grade\"], [\"grade\", \"directorate\"]]",
        )
        .replace("S02 = \"Q1_2\"", "S02 = \"Q1_1\"")
        .replace("fieldwork_end = \"2026-10-31\"", "fieldwork_end = \"2099-10-31\"")
        .replace("threshold = 5  ", "threshold = 2  ")
        .replace("launch = \"2025-01\"", "launch = \"2099-01\"")
        + "\n[drivers]\nbootstrap = 100000000\n";
    s.write("sample-data/pipeline.toml", &config);
    let out = s.expect_exit(&["validate", "--config", "sample-data/pipeline.toml"], 2);
    let err = stderr(&out);
    for expected in [
        "anonymity_threshold: 4 is below the floor of 5",
        "[\"grade\", \"directorate\"] repeats [\"directorate\", \"grade\"]",
        "columns.S02: column \"Q1_1\" is already mapped to `S01`",
        "fieldwork_end: 2099-10-31 is after today",
        "meetings.threshold: 2 is below the floor of 3",
        "meetings.launch: 2099-01-01 is after today",
        "drivers.bootstrap: 100000000 draws would run for hours; at most 10000",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
}

/// The sample run once for the tests that only read its pack (they copy it to tamper).
fn sample_pack() -> &'static Sandbox {
    static SAMPLE: std::sync::OnceLock<Sandbox> = std::sync::OnceLock::new();
    SAMPLE.get_or_init(|| {
        let s = Sandbox::sample();
        s.run_sample();
        s
    })
}

/// The sample's rows of one table, as header → value maps.
fn table(s: &Sandbox, name: &str) -> Vec<std::collections::HashMap<String, String>> {
    rows(&s.read_table("sample-data/out", name))
}

#[test]
fn withheld_headcounts_cannot_be_worked_out_by_subtraction() {
    // 12 withheld headcounts came back as "the whole organisation's (or a directorate's) staff
    // less the other groups'" (e.g. each directorate's Senior management). Independently of
    // the LP: in every line of groups that add up (the whole organisation = its directorates;
    // a directorate = its grades), a withheld headcount has at least one withheld beside it.
    let s = sample_pack();
    let rates = table(s, "fact_response_rates");
    let groups = table(s, "dim_group");
    let fields = |key: &str| -> Vec<(String, String)> {
        let g = groups.iter().find(|g| g["group_key"] == key).unwrap();
        [1, 2]
            .iter()
            .filter(|i| !g[&format!("field_{i}_id")].is_empty())
            .map(|i| {
                (
                    g[&format!("field_{i}_id")].clone(),
                    g[&format!("category_{i}")].clone(),
                )
            })
            .collect()
    };
    // (wave, line) → withheld headcounts in it; a line is named by its fixed part.
    let mut lines: std::collections::BTreeMap<(String, String), (usize, usize)> =
        Default::default();
    let mut withheld_total = 0;
    for r in &rates {
        let hidden = r["headcount_withheld"] == "true";
        if r["headcount"].is_empty() && !hidden {
            continue; // Not stated: HR has no headcount for it
        }
        withheld_total += usize::from(hidden);
        let f = fields(&r["group_key"]);
        let names: Vec<String> = match f.as_slice() {
            [] => vec![],
            [(field, _)] => vec![format!("all {field}")],
            [(fa, ca), (fb, cb)] => {
                vec![format!("{fa}={ca} by {fb}"), format!("{fb}={cb} by {fa}")]
            }
            _ => unreachable!(),
        };
        for name in names {
            let e = lines.entry((r["wave_id"].clone(), name)).or_default();
            e.0 += usize::from(hidden);
            e.1 += 1;
        }
    }
    assert!(
        withheld_total > 20,
        "the sample withholds headcounts: {withheld_total}"
    );
    for ((wave, line), (hidden, _)) in &lines {
        assert_ne!(
            *hidden, 1,
            "{wave}, {line}: one withheld headcount, recoverable"
        );
    }
    // A response rate or share of the workforce never outlives its headcount.
    for r in rates.iter().filter(|r| r["headcount_withheld"] == "true") {
        assert_eq!(r["headcount"], "", "{r:?}");
        assert_eq!(r["response_rate"], "", "{r:?}");
        assert_eq!(r["pct_of_workforce"], "", "{r:?}");
    }
}

#[test]
fn driver_scores_are_withheld_where_the_groups_result_is() {
    // fact_drivers published a mean score for 9 group × theme pairs (respect for every grade,
    // say) whose results fact_indicator_results withholds.
    let s = sample_pack();
    let withheld: std::collections::HashSet<(String, String, String)> =
        table(s, "fact_indicator_results")
            .into_iter()
            .filter(|r| r["suppressed"] == "true")
            .map(|r| {
                (
                    r["wave_id"].clone(),
                    r["indicator_id"].clone(),
                    r["group_key"].clone(),
                )
            })
            .collect();
    let drivers = table(s, "fact_drivers");
    let covered: Vec<_> = drivers
        .iter()
        .filter(|d| {
            withheld.contains(&(
                d["wave_id"].clone(),
                d["driver_indicator_id"].clone(),
                d["group_key"].clone(),
            ))
        })
        .collect();
    // 9 before disclosure control stopped withholding one-way groups for the crosses.
    assert!(
        covered.len() >= 4,
        "the sample has such rows: {}",
        covered.len()
    );
    for d in covered {
        assert_eq!(d["driver_score"], "", "{d:?}");
        assert_eq!(d["quadrant"], "withheld", "{d:?}");
        assert_eq!(d["quadrant_support"], "", "{d:?}");
        assert!(
            num(d, "share_of_r2") >= 0.0,
            "the share is still shown: {d:?}"
        );
    }
}

#[test]
fn member_feedback_all_positive_on_a_few_forms_is_withheld() {
    // 16 committee cells were 100% (or 0%) positive on 5–7 forms: each member's answer read
    // off. The attribute rule now covers member feedback below twice its threshold (10 forms).
    let s = sample_pack();
    let mut checked = 0;
    for name in ["fact_feedback_item_quarter", "fact_feedback_item_month"] {
        for r in table(s, name) {
            if r["suppressed"] == "true" || r["group_key"] == "overall" {
                continue;
            }
            checked += 1;
            let (n, pct) = (num(&r, "n"), num(&r, "pct_positive"));
            assert!(
                n >= 10.0 || (pct > 0.0 && pct < 100.0),
                "{name}: {pct}% positive on {n} forms: {r:?}"
            );
        }
    }
    assert!(checked > 100, "{checked}");
    // The control charts keep their points: fair speaking time's first months (the chairing
    // protocol's series) would go under the staff survey's bound of 30 forms.
    let spc = table(s, "fact_feedback_spc");
    for month in ["2025-10-01", "2025-11-01", "2025-12-01"] {
        let r = spc
            .iter()
            .find(|r| r["series_id"] == "fair_speaking_time" && r["month_start"] == month)
            .expect("the series' month");
        assert!(!r["value"].is_empty(), "a point went missing: {r:?}");
    }
}

#[test]
fn weighting_spread_does_not_pin_a_withheld_groups_respondents() {
    // Weighted to directorate alone, each weight is headcount / respondents, so weight_cv,
    // design_effect and effective_n pinned the Mayor's Office's withheld respondents (2025: 7,
    // 2026: 4). They are withheld when a margin group is; the independent attacker (which
    // checks that, and runs its LP over every size) recovers nothing.
    let s = Sandbox::sample();
    rake_sample_by_directorate(&s);
    s.run_sample();
    let summary = table(&s, "fact_weighting_summary");
    assert_eq!(summary.len(), 2);
    for r in &summary {
        for c in ["weight_cv", "design_effect", "effective_n"] {
            assert_eq!(r[c], "", "{c}: {r:?}");
        }
    }
    for r in table(&s, "fact_weighting_margins")
        .iter()
        .filter(|r| r["suppressed"] == "true")
    {
        assert_eq!(r["respondents"], "", "{r:?}");
        assert_eq!(r["headcount"], "", "{r:?}");
        assert_eq!(r["weighted_share"], "", "{r:?}");
    }
    s.expect_exit(&["audit", "--config", "sample-data/pipeline.toml"], 0);
    crate::hardening::assert_independent_attacker_recovers_nothing(
        &s.path("sample-data/out/latest"),
        &["10", "5"],
    );
}

/// `audit` of a copy of the sample pack after `tamper`: whether it passed, and its report.
fn audit_tampered(name: &str, tamper: impl FnOnce(&std::path::Path)) -> (bool, String) {
    sample_pack().audit_tampered_copy(&format!("tampered-{name}"), tamper)
}

/// Replace the first `from` in a pack's file with `to`.
fn edit(dir: &std::path::Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} has no {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

/// One tamper class: the audit fails and names the file.
macro_rules! tamper_fails_naming {
    ($name:ident, $file:expr, $tamper:expr) => {
        #[test]
        fn $name() {
            let (ok, report) = audit_tampered(stringify!($name), $tamper);
            assert!(!ok, "the tampered pack passed:\n{report}");
            assert!(
                report.contains(&format!("  {}:", $file)),
                "the finding does not name {}:\n{report}",
                $file
            );
        }
    };
}

#[test]
fn untouched_sample_pack_passes_the_audit_of_every_file() {
    let (ok, report) = audit_tampered("none", |_| {});
    assert!(ok, "{report}");
}

tamper_fails_naming!(
    withheld_figure_in_report_prose_fails_the_audit,
    "report.md",
    |d| edit(
        d,
        "report.md",
        "\n\n",
        "\n\nIn the Mayor's Office, respect stood at 38.0%.\n\n"
    )
);
tamper_fails_naming!(
    withheld_figure_in_a_deep_dive_table_fails_the_audit,
    "deep-dives/officer_member_trust.md",
    |d| edit(
        d,
        "deep-dives/officer_member_trust.md",
        "| Resources |",
        "| Mayor's Office | 38.0 | 30.0 to 46.0 | 12 | - | - |\n| Resources |"
    )
);
tamper_fails_naming!(
    withheld_figure_in_a_deep_dive_page_fails_the_audit,
    "deep-dives/officer_member_trust.html",
    |d| edit(d, "deep-dives/officer_member_trust.html", "[c]", "38.0")
);
tamper_fails_naming!(
    withheld_figure_in_deep_dive_prose_fails_the_audit,
    "deep-dives/officer_member_trust.md",
    |d| edit(
        d,
        "deep-dives/officer_member_trust.md",
        "Withheld figures are shown as [c].",
        "The Mayor's Office scored 38.0."
    )
);
tamper_fails_naming!(
    withheld_figure_in_chart_text_fails_the_audit,
    "charts/heatmap_directorate.svg",
    |d| edit(
        d,
        "charts/heatmap_directorate.svg",
        "</text>",
        " 38.0</text>"
    )
);
tamper_fails_naming!(
    withheld_figure_in_chart_description_fails_the_audit,
    "charts/heatmap_directorate.svg",
    |d| edit(
        d,
        "charts/heatmap_directorate.svg",
        "Mayor&#39;s Office: Officer-member trust [c]",
        "Mayor&#39;s Office: Officer-member trust 38.0"
    )
);
tamper_fails_naming!(
    withheld_figure_in_the_data_dictionary_fails_the_audit,
    "data-dictionary.md",
    |d| edit(
        d,
        "data-dictionary.md",
        "\n\n",
        "\n\nMayor's Office respondents: 7.\n\n"
    )
);
tamper_fails_naming!(
    manifest_hash_replaced_fails_the_audit,
    "tables/fact_item_results.csv",
    |d| {
        let path = d.join("manifest.json");
        let mut m: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for o in m["outputs"].as_array_mut().unwrap() {
            if o["path"] == "tables/fact_item_results.csv" {
                o["sha256"] = serde_json::Value::String("0".repeat(64));
            }
        }
        std::fs::write(&path, m.to_string()).unwrap();
    }
);
tamper_fails_naming!(
    withheld_headcount_restored_in_the_csv_fails_the_audit,
    "tables/fact_response_rates.csv",
    |d| edit(
        d,
        "tables/fact_response_rates.csv",
        "2025,directorate=Mayor's Office,,,",
        "2025,directorate=Mayor's Office,,12,"
    )
);
tamper_fails_naming!(
    bytes_appended_to_a_chart_image_fails_the_audit,
    "charts/heatmap_directorate.png",
    |d| {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(d.join("charts/heatmap_directorate.png"))
            .unwrap();
        f.write_all(b"Mayor's Office: 7 respondents").unwrap();
    }
);
tamper_fails_naming!(
    internal_quotes_file_planted_in_the_pack_fails_the_audit,
    "deep-dives/comment-quotes-internal.md",
    |d| std::fs::write(
        d.join("deep-dives/comment-quotes-internal.md"),
        "# Staff comments by theme: FOR INTERNAL USE ONLY\n"
    )
    .unwrap()
);

#[test]
fn withheld_headcount_restored_in_the_parquet_fails_the_audit() {
    if !python_has("pyarrow") {
        return;
    }
    let (ok, report) = audit_tampered("parquet", |d| {
        let script = "import sys, pyarrow.parquet as pq, pyarrow as pa\n\
            t = pq.read_table(sys.argv[1])\n\
            h = t.column('headcount').to_pylist()\n\
            i = h.index(None)\n\
            h[i] = 12\n\
            t = t.set_column(t.schema.get_field_index('headcount'), 'headcount', pa.array(h, t.schema.field('headcount').type))\n\
            pq.write_table(t, sys.argv[1])\n";
        let path = d.join("tables/fact_response_rates.parquet");
        python(["-c".as_ref(), script.as_ref(), path.as_os_str()], None);
    });
    assert!(!ok, "{report}");
    assert!(
        report.contains("  tables/fact_response_rates.parquet:"),
        "{report}"
    );
}
#[test]
fn a_view_showing_a_figure_its_source_does_not_fails_the_audit() {
    let (ok, report) = audit_tampered("view", |d| {
        edit(
            d,
            "tables/fact_indicator_with_change.csv",
            "2026,officer_member_trust,overall,2916,49.2,",
            "2026,officer_member_trust,overall,2916,49.9,",
        )
    });
    assert!(!ok, "the tampered pack passed:\n{report}");
    // Named by the view's check, not only by the manifest's hash.
    assert!(
        report.contains("`value` = \"49.9\" but tables/fact_indicator_results.csv:"),
        "{report}"
    );
}
