//! Views that repeat other tables' figures must repeat them exactly: a view could otherwise
//! show, unseen by the checks on its sources, a figure they withhold.
//!
//! `fact_indicator_with_change` holds, cell for cell, the figures of
//! `fact_indicator_results` for its wave, indicator and group, and those of the changes in
//! `fact_indicator_changes` that end in its wave (since the previous wave, since the
//! baseline); where there is no such change its change columns are empty.

use super::read::Csv;
use std::collections::HashMap;

type Find<'a> = dyn FnMut(String, u64, String) + 'a;

const VIEW: &str = "fact_indicator_with_change";

/// (view column, source column) pairs: from the results, and from a change.
const FROM_RESULTS: [(&str, &str); 4] = [
    ("n", "n"),
    ("value", "value"),
    ("ci_low", "ci_low"),
    ("ci_high", "ci_high"),
];
const FROM_CHANGE: [(&str, &str); 5] = [
    ("value_{}", "value_from"),
    ("change_since_{}", "delta"),
    ("change_since_{}_ci_low", "delta_ci_low"),
    ("change_since_{}_ci_high", "delta_ci_high"),
    ("verdict_since_{}", "verdict"),
];

/// The cells of `csv`'s rows by the values of `key` columns, as column → value.
fn index<'c>(csv: &'c Csv, key: &[&str]) -> HashMap<Vec<&'c str>, (u64, &'c csv::StringRecord)> {
    let at: Vec<Option<usize>> = key.iter().map(|k| csv.column(k)).collect();
    csv.records
        .iter()
        .map(|(line, rec)| {
            let k = at
                .iter()
                .map(|c| c.and_then(|c| rec.get(c)).unwrap_or(""))
                .collect();
            (k, (*line, rec))
        })
        .collect()
}

fn cell<'r>(csv: &Csv, rec: &'r csv::StringRecord, name: &str) -> &'r str {
    csv.column(name).and_then(|c| rec.get(c)).unwrap_or("")
}

/// The view against its sources.
pub(super) fn results_with_change(data: &HashMap<&'static str, Csv>, find: &mut Find) {
    let (Some(view), Some(results), Some(changes)) = (
        data.get(VIEW),
        data.get("fact_indicator_results"),
        data.get("fact_indicator_changes"),
    ) else {
        return;
    };
    let file = format!("tables/{VIEW}.csv");
    let key = ["wave_id", "indicator_id", "group_key"];
    let results = (results, index(results, &key));
    let mut by_role: [(&str, HashMap<Vec<&str>, _>); 2] =
        [("previous", HashMap::new()), ("baseline", HashMap::new())];
    for (role, map) in by_role.iter_mut() {
        let flag = format!("since_{role}");
        for (line, rec) in &changes.records {
            if cell(changes, rec, &flag) == "true" {
                let k = ["wave_to", "indicator_id", "group_key"].map(|c| cell(changes, rec, c));
                map.insert(k.to_vec(), (*line, rec));
            }
        }
    }
    for (line, rec) in &view.records {
        let k: Vec<&str> = key.iter().map(|c| cell(view, rec, c)).collect();
        let mut differs = |column: String, want: &str, source: &str| {
            let got = cell(view, rec, &column);
            if got != want {
                find(
                    file.clone(),
                    *line,
                    format!("`{column}` = {got:?} but {source} holds {want:?}"),
                );
            }
        };
        match results.1.get(&k) {
            Some((l, r)) => {
                for (v, s) in FROM_RESULTS {
                    let source = format!("tables/fact_indicator_results.csv:{l}");
                    differs(v.to_string(), cell(results.0, r, s), &source);
                }
            }
            None => differs(
                "wave_id".into(),
                "",
                "tables/fact_indicator_results.csv (no such row)",
            ),
        }
        for (role, map) in &by_role {
            let change = map.get(&k);
            for (v, s) in FROM_CHANGE {
                let column = v.replace("{}", role);
                match change {
                    Some((l, r)) => differs(
                        column,
                        cell(changes, r, s),
                        &format!("tables/fact_indicator_changes.csv:{l}"),
                    ),
                    None => differs(column, "", "no change ending in this wave"),
                }
            }
        }
    }
}
