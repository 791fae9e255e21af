//! Waves in time: each wave declares its fieldwork, waves are ordered by date whatever their
//! order in the config, and ids or dates that cannot be right are config errors naming the line.

use crate::common::*;

/// The sample config with its two `[[waves]]` blocks swapped (and no explicit baseline, so the
/// default, the earliest wave, must be found by date).
fn reversed(config: &str) -> String {
    let first = config.find("# ---- 2025 baseline").unwrap();
    let second = config.find("# ---- 2026").unwrap();
    let end = config.find("# ---- Member-meeting").unwrap();
    format!(
        "{}{}{}{}",
        &config[..first],
        &config[second..end],
        &config[first..second],
        &config[end..]
    )
    .replace("baseline = \"2025\"", "")
}

#[test]
fn waves_given_in_reverse_order_give_the_same_pack() {
    let s = Sandbox::new();
    s.copy_dir("schemas", "schemas")
        .copy_dir("sample-data", "sample-data");
    let cfg = s.read("sample-data/pipeline.toml");
    let rev = reversed(&cfg);
    assert!(
        rev.find("id = \"2026\"").unwrap() < rev.find("id = \"2025\"").unwrap(),
        "the 2026 wave comes first in the reversed config"
    );
    s.write("sample-data/reversed.toml", rev);
    for (config, out) in [
        ("sample-data/pipeline.toml", "in-order"),
        ("sample-data/reversed.toml", "reversed"),
    ] {
        s.expect_exit(&["-q", "run", "--config", config, "--out", out], 0);
    }
    let mut compared = 0;
    for sub in ["", "tables", "charts", "deep-dives"] {
        for e in std::fs::read_dir(s.path(&format!("in-order/{sub}"))).unwrap() {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            // The manifest, the run table and the workbook (which shows the run table) name
            // the config file's hash.
            if !e.file_type().unwrap().is_file()
                || name == "manifest.json"
                || name == "workbook.xlsx"
                || name.starts_with("run_info.")
            {
                continue;
            }
            let a = std::fs::read(e.path()).unwrap();
            let b = std::fs::read(s.path(&format!("reversed/{sub}/{name}"))).unwrap();
            assert!(a == b, "{sub}/{name} differs when the waves are reversed");
            compared += 1;
        }
    }
    assert!(compared > 30, "{compared} files compared");
}

#[test]
fn wave_mistakes_in_time_are_config_errors_naming_the_line() {
    let s = mini_sandbox(mini_csv(), "", 0.0);
    let one = mini_config("data.csv", "", 0.0);
    let wave = &one[one.find("[[waves]]").unwrap()..];
    // A template id, a date in the wrong format, a duplicate that overlaps, a wave without dates.
    let cfg = format!(
        "{}\n{}\n{}\n{}",
        one.replace("id = \"2025\"", "id = \"YYYY\""),
        wave.replace("2025-10-01", "01/11/2025"),
        wave.replace("2025-10-31", "2025-11-15")
            .replace("2025-10-01", "2025-10-20"),
        wave.replace("id = \"2025\"", "id = \"2024\"").replace(
            "fieldwork_start = \"2025-10-01\"\nfieldwork_end = \"2025-10-31\"\n",
            ""
        ),
    );
    s.write("pipeline.toml", cfg);
    let out = s.expect_exit(&["validate", "--config", "pipeline.toml"], 2);
    insta::assert_snapshot!(stderr(&out), @r#"
    error: pipeline.toml has 5 problems:
      - waves (YYYY, line 10): wave id `YYYY` does not name the survey year: use the year, e.g. `2025` (or `2025-pulse` for a second survey that year)
      - waves (2025, line 25).fieldwork_start: `01/11/2025` is not a date: write it as YYYY-MM-DD, e.g. "2025-10-01"
      - waves (2024, line 55): missing fieldwork dates: add the days the survey was open, e.g. fieldwork_start = "2025-10-01" and fieldwork_end = "2025-10-31"
      - waves (2025, line 40): wave id `2025` is already used by the wave at line 25; give each wave its own id
      - waves (2025, line 40): fieldwork 2025-10-20 to 2025-11-15 overlaps wave YYYY at line 10 (2025-10-01 to 2025-10-31); two waves cannot be in the field at once, so check the dates
    "#);
}

#[test]
fn fieldwork_end_before_start_is_a_config_error() {
    let s = mini_sandbox(mini_csv(), "", 0.0);
    s.write(
        "pipeline.toml",
        mini_config("data.csv", "", 0.0).replace("2025-10-31", "2025-09-30"),
    );
    let out = s.expect_exit(&["validate", "--config", "pipeline.toml"], 2);
    assert!(
        stderr(&out).contains(
            "waves (2025, line 10): fieldwork_end 2025-09-30 is before fieldwork_start 2025-10-01"
        ),
        "{}",
        stderr(&out)
    );
}
