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
    let out = s
        .cmd(&["init", "proj", "--export", "export.csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
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
    let first = s
        .cmd(&[
            "init",
            "proj2",
            "--export",
            "sample-data/staff-survey-2026-surveymonkey.csv",
        ])
        .output()
        .unwrap();
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let again = s
        .cmd(&[
            "add-wave",
            "--config",
            "proj2/pipeline.toml",
            "--export",
            "export.csv",
        ])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    let text = s.read("proj2/pipeline.toml");
    let config: toml::Table = toml::from_str(&text).expect("the config add-wave wrote parses");
    assert!(!config.contains_key("attribute_disclosure"), "{text}");
    assert_eq!(config["anonymity_threshold"].as_integer(), Some(10));
    assert_eq!(config["waves"].as_array().unwrap().len(), 2);
    let block = s
        .cmd(&["inspect", "export.csv", "--write", "block.toml"])
        .output()
        .unwrap();
    assert_eq!(block.status.code(), Some(0), "{}", stderr(&block));
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
    let out = s
        .cmd(&["validate", "--config", "sample-data/pipeline.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
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
