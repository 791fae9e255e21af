//! The audit's reading of the pack's other outputs: a figure the tables withhold must not
//! appear anywhere else a reader can see it.
//!
//! - **Workbook** (in `workbook.rs`): each sheet's figure cells hold the numbers of its source
//!   table's CSV, and no number where the CSV has none.
//! - **Report pages** (in `pages.rs`): the report, the deep dives and the unit reports show no
//!   number in a table cell whose figure the tables withhold.
//! - **Tables built on the results** (changes between waves, benchmarks, key drivers): a row
//!   shows figures only for a group, measure and wave whose results are published.
//! - **Control charts**: `fact_feedback_spc` shows a month's value only where the month's
//!   table publishes the whole month's figure, on the same number of forms.
//!
//! Like the rest of the audit this reads only the pack, as a reader would.

use super::read::{Csv, rows};
use std::collections::HashMap;
use std::path::Path;

type Find<'a> = dyn FnMut(String, u64, String) + 'a;

/// The control-chart table shows a month only where the month's own table publishes it.
pub(super) fn control_chart(data: &HashMap<&'static str, Csv>, find: &mut Find) {
    let Some(spc) = data.get("fact_feedback_spc") else {
        return;
    };
    // (month, indicator id or "" for forms per attendee) → the published n.
    let mut shown: HashMap<(String, String), String> = HashMap::new();
    if let Some(m) = data.get("fact_feedback_indicator_month") {
        for (_, r) in rows(
            m,
            &[
                "month_start",
                "indicator_id",
                "group_key",
                "n",
                "suppressed",
            ],
        ) {
            if r[2] == "overall" && r[4] != "true" {
                shown.insert((r[0].into(), r[1].into()), r[3].into());
            }
        }
    }
    if let Some(m) = data.get("fact_feedback_uptake_month") {
        for (_, r) in rows(m, &["month_start", "group_key", "forms", "suppressed"]) {
            if r[1] == "overall" && r[3] != "true" {
                shown.insert((r[0].into(), String::new()), r[2].into());
            }
        }
    }
    let file = "tables/fact_feedback_spc.csv".to_string();
    for (line, r) in rows(
        spc,
        &["series_label", "indicator_id", "month_start", "value", "n"],
    ) {
        if r[3].is_empty() && r[4].is_empty() {
            continue;
        }
        match shown.get(&(r[2].to_string(), r[1].to_string())) {
            None => find(
                file.clone(),
                line,
                format!(
                    "{} for {} is shown on the control chart, but the month's table withholds it",
                    r[0], r[2]
                ),
            ),
            Some(n) if n != r[4] => find(
                file.clone(),
                line,
                format!(
                    "{} for {} rests on n = {:?} on the control chart but {n} in the month's table",
                    r[0], r[2], r[4]
                ),
            ),
            Some(_) => {}
        }
    }
}

/// Tables built on the results show a group's figures only where its results are published:
/// (table, measure column, wave columns, results table, results' measure column).
const BUILT_ON_RESULTS: &[(&str, &str, &[&str], &str, &str)] = &[
    (
        "fact_item_changes",
        "question_id",
        &["wave_from", "wave_to"],
        "fact_item_results",
        "question_id",
    ),
    (
        "fact_indicator_changes",
        "indicator_id",
        &["wave_from", "wave_to"],
        "fact_indicator_results",
        "indicator_id",
    ),
    (
        "fact_item_benchmarks",
        "question_id",
        &["wave_id"],
        "fact_item_results",
        "question_id",
    ),
    (
        "fact_indicator_benchmarks",
        "indicator_id",
        &["wave_id"],
        "fact_indicator_results",
        "indicator_id",
    ),
    (
        "fact_drivers",
        "outcome_indicator_id",
        &["wave_id"],
        "fact_indicator_results",
        "indicator_id",
    ),
];

/// Changes, benchmarks and drivers withhold what the results they are built on withhold.
pub(super) fn built_on_results(data: &HashMap<&'static str, Csv>, find: &mut Find) {
    for &(table, measure, waves, results, results_measure) in BUILT_ON_RESULTS {
        let (Some(t), Some(r)) = (data.get(table), data.get(results)) else {
            continue;
        };
        let withheld: std::collections::HashSet<(&str, &str, &str)> =
            rows(r, &["wave_id", results_measure, "group_key", "suppressed"])
                .into_iter()
                .filter(|(_, r)| r[3] == "true")
                .map(|(_, r)| (r[0], r[1], r[2]))
                .collect();
        let mut names = vec![measure, "group_key", "suppressed"];
        names.extend(waves);
        for (line, row) in rows(t, &names) {
            if row[2] == "true" {
                continue;
            }
            if let Some(w) = row[3..]
                .iter()
                .find(|w| withheld.contains(&(**w, row[0], row[1])))
            {
                find(
                    format!("tables/{table}.csv"),
                    line,
                    format!(
                        "shows figures for {}, {}, {w}, which tables/{results}.csv withholds",
                        row[0], row[1]
                    ),
                );
            }
        }
    }
}

/// A key driver's score stands in for the group's result on that theme: withheld where the
/// result is.
pub(super) fn driver_scores(data: &HashMap<&'static str, Csv>, find: &mut Find) {
    let (Some(t), Some(r)) = (data.get("fact_drivers"), data.get("fact_indicator_results")) else {
        return;
    };
    let withheld: std::collections::HashSet<(&str, &str, &str)> =
        rows(r, &["wave_id", "indicator_id", "group_key", "suppressed"])
            .into_iter()
            .filter(|(_, r)| r[3] == "true")
            .map(|(_, r)| (r[0], r[1], r[2]))
            .collect();
    for (line, row) in rows(
        t,
        &[
            "wave_id",
            "driver_indicator_id",
            "group_key",
            "driver_score",
        ],
    ) {
        if withheld.contains(&(row[0], row[1], row[2]))
            && !(row[3].is_empty() || row[3] == crate::disclosure::Suppression::MARK)
        {
            find(
                "tables/fact_drivers.csv".into(),
                line,
                format!(
                    "shows the driver score of {}, {}, {}, which tables/fact_indicator_results.csv withholds",
                    row[1], row[2], row[0]
                ),
            );
        }
    }
}

/// A headcount the response rates withhold appears in no other table: not as a weighting
/// margin's staff or share, nor as a result's population.
pub(super) fn headcounts_elsewhere(data: &HashMap<&'static str, Csv>, find: &mut Find) {
    let Some(rates) = data.get("fact_response_rates") else {
        return;
    };
    let withheld: std::collections::HashSet<(&str, &str)> = rows(
        rates,
        &["wave_id", "group_key", "headcount", "headcount_withheld"],
    )
    .into_iter()
    .filter(|(_, r)| r[2] == crate::disclosure::Suppression::MARK || r[3] == "true")
    .map(|(_, r)| (r[0], r[1]))
    .collect();
    let elsewhere: [(&str, &[&str]); 3] = [
        (
            "fact_weighting_margins",
            &["headcount", "population_share", "weighted_share"],
        ),
        ("fact_item_results", &["population"]),
        ("fact_indicator_results", &["population"]),
    ];
    for (table, columns) in elsewhere {
        let Some(t) = data.get(table) else { continue };
        let mut names = vec!["wave_id", "group_key"];
        names.extend(columns);
        for (line, row) in rows(t, &names) {
            if !withheld.contains(&(row[0], row[1])) {
                continue;
            }
            for (name, v) in columns.iter().zip(&row[2..]) {
                if !(v.is_empty() || *v == crate::disclosure::Suppression::MARK || *v == "[x]") {
                    find(
                        format!("tables/{table}.csv"),
                        line,
                        format!(
                            "shows {name} = {v} for {}, {}, whose headcount tables/fact_response_rates.csv withholds",
                            row[1], row[0]
                        ),
                    );
                }
            }
        }
    }
}

/// The manifest run records, and the files the pack holds, agree: every file it lists is
/// there with its size and SHA-256, and no file is there that it does not list (a figure
/// slipped into a page or a chart, bytes appended to an image, a file planted in the folder).
pub(super) fn manifest(dir: &Path, find: &mut Find) {
    const MANIFEST: &str = "manifest.json";
    let text = match std::fs::read_to_string(dir.join(MANIFEST)) {
        Ok(t) => t,
        Err(e) => {
            find(
                MANIFEST.into(),
                0,
                format!("cannot be read ({e}): without it no file of the pack can be checked"),
            );
            return;
        }
    };
    let outputs = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v.get("outputs").and_then(|o| o.as_array()).cloned());
    let Some(outputs) = outputs else {
        find(
            MANIFEST.into(),
            0,
            "does not list the pack's files (`outputs`): it is not the one the run wrote".into(),
        );
        return;
    };
    let mut listed = std::collections::HashSet::new();
    for o in &outputs {
        let (Some(rel), Some(sha)) = (
            o.get("path").and_then(|p| p.as_str()),
            o.get("sha256").and_then(|p| p.as_str()),
        ) else {
            find(
                MANIFEST.into(),
                0,
                format!("an output without a path and hash: {o}"),
            );
            continue;
        };
        let safe = std::path::Path::new(rel)
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
        if !safe {
            find(
                MANIFEST.into(),
                0,
                format!("lists `{rel}`, outside the pack"),
            );
            continue;
        }
        listed.insert(rel.to_string());
        match std::fs::read(dir.join(rel)) {
            Ok(bytes) if crate::report::sha256_hex(&bytes) == sha => {}
            Ok(_) => find(
                rel.to_string(),
                0,
                "differs from the file the run wrote (its SHA-256 is not the one in manifest.json): it was changed afterwards".into(),
            ),
            Err(e) => find(
                rel.to_string(),
                0,
                format!("is listed in manifest.json but cannot be read: {e}"),
            ),
        }
    }
    let mut unlisted = files_not_in(dir, &listed, MANIFEST);
    unlisted.sort();
    for rel in unlisted {
        find(
            rel,
            0,
            "is not one of the files the run wrote (manifest.json does not list it): remove it before the pack is shared".into(),
        );
    }
}

/// Every file in the pack (but the manifest itself) that `listed` does not name, by its path
/// in the pack.
fn files_not_in(
    dir: &Path,
    listed: &std::collections::HashSet<String>,
    manifest: &str,
) -> Vec<String> {
    let mut stack = vec![dir.to_path_buf()];
    let mut unlisted = Vec::new();
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path();
            let Ok(kind) = e.file_type() else { continue };
            if kind.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(dir)
                .unwrap_or(&path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            if rel != manifest && !listed.contains(&rel) {
                unlisted.push(rel);
            }
        }
    }
    unlisted
}
