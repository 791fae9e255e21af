//! `audit`: an independent check of a written evidence pack. It reads only the CSV tables (not
//! the pipeline's internal state) and fails if any published figure rests on fewer than the
//! threshold, if a suppressed row still shows a value, or if a hidden figure can be recovered
//! by differencing: from the overall figure and a one-way breakdown, or from a one-way total
//! and a row or column of a two-way cross.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// A table the audit knows.
struct Table {
    file: &'static str,
    /// The period columns (a wave, two waves, or a quarter).
    wave: &'static [&'static str],
    /// The settings file holding this table's threshold.
    settings: &'static str,
    /// Columns that, with the wave, identify one measure (the unit of differencing).
    measure: &'static [&'static str],
    /// Counts each published row rests on.
    n: &'static [&'static str],
    /// HR figures that may stay visible when a row is suppressed.
    hr: &'static [&'static str],
    /// Whether the table's groups add up to their totals (so differencing applies).
    additive: bool,
}

const TABLES: &[Table] = &[
    Table {
        file: "items.csv",
        wave: &["wave"],
        settings: SETTINGS_FILE,
        measure: &["item"],
        n: &["n"],
        hr: &["population"],
        additive: true,
    },
    Table {
        file: "indicators.csv",
        wave: &["wave"],
        settings: SETTINGS_FILE,
        measure: &["indicator"],
        n: &["n"],
        hr: &["population"],
        additive: true,
    },
    Table {
        file: "response_rates.csv",
        wave: &["wave"],
        settings: SETTINGS_FILE,
        measure: &[],
        n: &["responses"],
        hr: &["headcount", "pct_of_workforce"],
        additive: true,
    },
    Table {
        file: "trend.csv",
        wave: &["wave"],
        settings: SETTINGS_FILE,
        measure: &["indicator"],
        n: &["n"],
        hr: &[],
        additive: true,
    },
    Table {
        file: "deltas.csv",
        wave: &["wave_from", "wave_to"],
        settings: SETTINGS_FILE,
        measure: &["comparison", "kind", "measure"],
        n: &["n_from", "n_to"],
        hr: &[],
        additive: false,
    },
    Table {
        file: "member_feedback_monthly.csv",
        wave: &["quarter"],
        settings: MEETINGS_SETTINGS_FILE,
        measure: &["measure"],
        n: &["n"],
        hr: &["meetings_held", "attendees"],
        additive: true,
    },
];

/// Settings recorded in the pack by `run`.
pub const SETTINGS_FILE: &str = "disclosure.json";
/// The meeting-feedback threshold, recorded separately (committees are small).
pub const MEETINGS_SETTINGS_FILE: &str = "member_feedback_disclosure.json";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub file: String,
    pub line: u64,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("{}: {message}", path.display())]
    Unreadable { path: PathBuf, message: String },
    #[error(
        "{}: no {SETTINGS_FILE} with the threshold; pass --threshold",
        dir.display()
    )]
    NoThreshold { dir: PathBuf },
}

/// The outcome of an audit.
#[derive(Debug)]
pub struct Report {
    pub threshold: u32,
    pub tables: Vec<String>,
    pub rows: usize,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn passed(&self) -> bool {
        self.findings.is_empty() && !self.tables.is_empty()
    }

    pub fn render(&self, dir: &Path) -> String {
        let mut s = format!(
            "Audit of {} (threshold {}): {} table(s), {} row(s) checked: {}\n",
            dir.display(),
            self.threshold,
            self.tables.len(),
            self.rows,
            if self.passed() { "PASS" } else { "FAIL" }
        );
        if self.tables.is_empty() {
            s.push_str("  no tables found: expected tables/items.csv, indicators.csv, response_rates.csv, trend.csv or deltas.csv\n");
        }
        const SHOWN: usize = 50;
        for f in self.findings.iter().take(SHOWN) {
            s.push_str(&format!("  {}:{}: {}\n", f.file, f.line, f.message));
        }
        if self.findings.len() > SHOWN {
            s.push_str(&format!("  ... and {} more\n", self.findings.len() - SHOWN));
        }
        s
    }
}

struct Row {
    line: u64,
    breakdown: String,
    group: String,
    /// `None` when suppressed.
    n: Option<u64>,
}

/// Audit the pack in `dir` (the folder holding `tables/`).
pub fn audit(dir: &Path, threshold: Option<u32>) -> Result<Report, AuditError> {
    let staff_threshold = match threshold {
        Some(t) => t,
        None => read_threshold(dir, SETTINGS_FILE)?,
    };
    let mut report = Report {
        threshold: staff_threshold,
        tables: Vec::new(),
        rows: 0,
        findings: Vec::new(),
    };
    for table in TABLES {
        let (file, hr_cols) = (table.file, table.hr);
        let path = dir.join("tables").join(file);
        if !path.exists() {
            continue;
        }
        let k = u64::from(match threshold {
            Some(t) => t,
            None if table.settings == SETTINGS_FILE => staff_threshold,
            None => read_threshold(dir, table.settings)?,
        });
        report.tables.push(file.to_string());
        let unreadable = |message: String| AuditError::Unreadable {
            path: path.clone(),
            message,
        };
        let mut rdr = csv::Reader::from_path(&path).map_err(|e| unreadable(e.to_string()))?;
        let header: Vec<String> = rdr
            .headers()
            .map_err(|e| unreadable(e.to_string()))?
            .iter()
            .map(str::to_string)
            .collect();
        let col = |name: &str| {
            header
                .iter()
                .position(|h| h == name)
                .ok_or_else(|| unreadable(format!("no `{name}` column")))
        };
        let wave_c: Vec<usize> = table
            .wave
            .iter()
            .map(|w| col(w))
            .collect::<Result<_, _>>()?;
        let (b_c, g_c, sup_c) = (col("breakdown")?, col("group")?, col("suppressed")?);
        let n_c: Vec<usize> = table.n.iter().map(|n| col(n)).collect::<Result<_, _>>()?;
        let m_c: Vec<usize> = table
            .measure
            .iter()
            .map(|m| col(m))
            .collect::<Result<_, _>>()?;
        // Value columns come after the group; text columns of the deltas table are not values.
        const TEXT: &[&str] = &[
            "wave",
            "quarter",
            "kind",
            "wave_from",
            "wave_to",
            "test",
            "effect_size_type",
            "verdict",
            "reason",
            "verdict_since_previous",
            "suppressed",
            "suppression_reason",
        ];
        let value_cols: Vec<usize> = (g_c + 1..header.len())
            .filter(|&i| {
                let h = header[i].as_str();
                !hr_cols.contains(&h) && !TEXT.contains(&h) && !table.measure.contains(&h)
            })
            .collect();
        let mut find = |line: u64, message: String| {
            report.findings.push(Finding {
                file: format!("tables/{}", file),
                line,
                message,
            })
        };
        // (wave, measure) → breakdown → rows
        let mut parts: BTreeMap<(String, String), BTreeMap<String, Vec<Row>>> = BTreeMap::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| unreadable(e.to_string()))?;
            let line = rec.position().map_or(0, |p| p.line());
            report.rows += 1;
            let suppressed = &rec[sup_c] == "true";
            let n = if suppressed {
                for &i in &value_cols {
                    let v = &rec[i];
                    if !(v.is_empty() || v == super::Suppression::MARK) {
                        find(
                            line,
                            format!("suppressed row shows `{}` = {v:?}", header[i]),
                        );
                    }
                }
                None
            } else {
                let mut first = None;
                for (&c, name) in n_c.iter().zip(table.n) {
                    match rec[c].parse::<u64>() {
                        Ok(n) => {
                            if n < k {
                                find(
                                    line,
                                    format!(
                                        "published figure rests on {name} = {n}, fewer than {k}"
                                    ),
                                );
                            }
                            first.get_or_insert(n);
                        }
                        Err(_) if !table.additive && rec[c].is_empty() => {}
                        Err(_) => find(
                            line,
                            format!(
                                "`{name}` is {:?}, not a count, but the row is not marked suppressed",
                                &rec[c]
                            ),
                        ),
                    }
                }
                first
            };
            if !table.additive {
                continue;
            }
            let key = (
                wave_c
                    .iter()
                    .map(|&c| &rec[c])
                    .collect::<Vec<_>>()
                    .join(" "),
                m_c.iter().map(|&c| &rec[c]).collect::<Vec<_>>().join(" "),
            );
            parts
                .entry(key)
                .or_default()
                .entry(rec[b_c].to_string())
                .or_default()
                .push(Row {
                    line,
                    breakdown: rec[b_c].to_string(),
                    group: rec[g_c].to_string(),
                    n,
                });
        }
        for ((wave, measure), breakdowns) in &parts {
            let what = if measure.is_empty() {
                format!("wave {wave}")
            } else {
                format!("wave {wave}, {measure}")
            };
            let total = breakdowns
                .get("overall")
                .and_then(|rows| rows.first())
                .and_then(|r| r.n);
            let one_way: HashMap<&str, HashMap<&str, Option<u64>>> = breakdowns
                .iter()
                .filter(|(b, _)| b.as_str() != "overall" && !b.contains(" × "))
                .map(|(b, rows)| {
                    (
                        b.as_str(),
                        rows.iter().map(|r| (r.group.as_str(), r.n)).collect(),
                    )
                })
                .collect();
            for (b, rows) in breakdowns {
                if b == "overall" {
                    continue;
                }
                match b.split_once(" × ") {
                    None => {
                        if let Some(t) = total {
                            let refs: Vec<&Row> = rows.iter().collect();
                            check_line(t, &refs, k, &format!("{what}, {b}"), &mut find);
                        }
                    }
                    Some((fa, fb)) => {
                        let mut by_row: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
                        let mut by_col: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
                        for r in rows {
                            if let Some((x, y)) = r.group.split_once(" × ") {
                                by_row.entry(x).or_default().push(r);
                                by_col.entry(y).or_default().push(r);
                            }
                        }
                        for (field, lines) in [(fa, &by_row), (fb, &by_col)] {
                            let Some(margins) = one_way.get(field) else {
                                continue;
                            };
                            for (cat, line_rows) in lines.iter() {
                                if let Some(Some(m)) = margins.get(cat) {
                                    check_line(
                                        *m,
                                        line_rows,
                                        k,
                                        &format!("{what}, {b}, {field} = {cat}"),
                                        &mut find,
                                    );
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    Ok(report)
}

/// Cells that add up to a published `total`: the hidden ones must hold nothing, or be at
/// least two holding at least k together.
fn check_line(total: u64, rows: &[&Row], k: u64, what: &str, find: &mut impl FnMut(u64, String)) {
    let published: u64 = rows.iter().filter_map(|r| r.n).sum();
    let hidden: Vec<&&Row> = rows.iter().filter(|r| r.n.is_none()).collect();
    let line = rows.first().map_or(0, |r| r.line);
    if published > total {
        find(
            line,
            format!("{what}: published groups add up to {published}, more than the total {total}"),
        );
        return;
    }
    let rest = total - published;
    if rest == 0 {
        return;
    }
    match hidden.len() {
        0 => find(
            line,
            format!("{what}: groups add up to {published}, not the total {total} (missing rows?)"),
        ),
        1 => find(
            hidden[0].line,
            format!(
                "{what}: the only hidden group ({:?} in {}) can be recovered: {total} - {published} = {rest}",
                hidden[0].group, hidden[0].breakdown
            ),
        ),
        _ if rest < k => find(
            hidden[0].line,
            format!(
                "{what}: the {} hidden groups together hold {rest} (total {total} - published {published}), fewer than {k}",
                hidden.len()
            ),
        ),
        _ => {}
    }
}

fn read_threshold(dir: &Path, file: &str) -> Result<u32, AuditError> {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).map_err(|_| AuditError::NoThreshold {
        dir: dir.to_path_buf(),
    })?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| AuditError::Unreadable {
        path: path.clone(),
        message: e.to_string(),
    })?;
    v.get("threshold")
        .and_then(|t| t.as_u64())
        .and_then(|t| u32::try_from(t).ok())
        .ok_or(AuditError::Unreadable {
            path,
            message: "no numeric `threshold`".into(),
        })
}

/// The settings file `run` writes beside `tables/`.
pub fn settings_json(threshold: u32) -> String {
    format!(
        "{{\n  \"threshold\": {threshold},\n  \"min_respondents_for_breakdowns\": {}\n}}\n",
        super::MIN_RESPONDENTS_FOR_BREAKDOWNS
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack(items: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("tables")).unwrap();
        std::fs::write(dir.path().join("tables/items.csv"), items).unwrap();
        std::fs::write(dir.path().join(SETTINGS_FILE), settings_json(10)).unwrap();
        dir
    }

    const H: &str = "wave,item,breakdown,group,n,pct_positive,suppressed,suppression_reason\n";

    fn findings(items: &str) -> Vec<String> {
        let d = pack(&format!("{H}{items}"));
        audit(d.path(), None)
            .unwrap()
            .findings
            .into_iter()
            .map(|f| format!("{}: {}", f.line, f.message))
            .collect()
    }

    #[test]
    fn a_protected_table_passes() {
        let f = findings(
            "2025,S01,overall,All respondents,60,50.0,false,\n\
             2025,S01,dir,A,40,50.0,false,\n\
             2025,S01,dir,B,[c],[c],true,primary\n\
             2025,S01,dir,C,[c],[c],true,secondary\n",
        );
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn a_small_published_figure_fails() {
        let f = findings("2025,S01,overall,All respondents,4,50.0,false,\n");
        assert_eq!(f, ["2: published figure rests on n = 4, fewer than 10"]);
    }

    #[test]
    fn a_single_hidden_group_is_recoverable() {
        let f = findings(
            "2025,S01,overall,All respondents,60,50.0,false,\n\
             2025,S01,dir,A,54,50.0,false,\n\
             2025,S01,dir,B,[c],[c],true,primary\n",
        );
        assert_eq!(
            f,
            [
                "4: wave 2025, S01, dir: the only hidden group (\"B\" in dir) can be recovered: 60 - 54 = 6"
            ]
        );
    }

    #[test]
    fn hidden_groups_that_are_small_together_fail() {
        let f = findings(
            "2025,S01,overall,All respondents,60,50.0,false,\n\
             2025,S01,dir,A,53,50.0,false,\n\
             2025,S01,dir,B,[c],[c],true,primary\n\
             2025,S01,dir,C,[c],[c],true,primary\n",
        );
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].contains("hold 7 (total 60 - published 53), fewer than 10"),
            "{f:?}"
        );
    }

    #[test]
    fn a_suppressed_row_must_not_show_values() {
        let f = findings(
            "2025,S01,overall,All respondents,60,50.0,false,\n\
             2025,S01,dir,A,30,50.0,false,\n\
             2025,S01,dir,B,[c],41.2,true,primary\n\
             2025,S01,dir,C,[c],[c],true,secondary\n",
        );
        assert_eq!(f, ["4: suppressed row shows `pct_positive` = \"41.2\""]);
    }

    #[test]
    fn cross_rows_are_checked_against_one_way_totals() {
        let f = findings(
            "2025,S01,overall,All respondents,100,50.0,false,\n\
             2025,S01,dir,A,50,50.0,false,\n\
             2025,S01,dir,B,50,50.0,false,\n\
             2025,S01,grade,Low,50,50.0,false,\n\
             2025,S01,grade,High,50,50.0,false,\n\
             2025,S01,dir × grade,A × Low,[c],[c],true,primary\n\
             2025,S01,dir × grade,A × High,45,50.0,false,\n\
             2025,S01,dir × grade,B × Low,45,50.0,false,\n\
             2025,S01,dir × grade,B × High,[c],[c],true,secondary\n",
        );
        // Row A: 50 - 45 = 5 in one hidden cell.
        assert!(
            f.iter()
                .any(|m| m.contains("dir × grade, dir = A: the only hidden group")),
            "{f:?}"
        );
        assert!(
            f.iter()
                .any(|m| m.contains("dir × grade, grade = Low: the only hidden group")),
            "{f:?}"
        );
    }

    #[test]
    fn meeting_feedback_uses_its_own_threshold_and_quarter_structure() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("tables")).unwrap();
        std::fs::write(dir.path().join(SETTINGS_FILE), settings_json(10)).unwrap();
        std::fs::write(dir.path().join(MEETINGS_SETTINGS_FILE), settings_json(5)).unwrap();
        let head = "quarter,breakdown,group,measure,kind,n,pct_positive,meetings_held,attendees,suppressed,suppression_reason\n";
        // 6 forms is publishable under the meeting threshold of 5 (not under the staff 10);
        // Audit Committee (3) is the only hidden committee: recoverable as 20 - 11 - 6.
        let t = format!(
            "{head}2025-Q1,overall,All respondents,forms,forms,20,,9,140,false,\n\
             2025-Q1,committee,Cabinet,forms,forms,11,,3,33,false,\n\
             2025-Q1,committee,Planning,forms,forms,6,,3,30,false,\n\
             2025-Q1,committee,Audit Committee,forms,forms,[c],,3,21,true,primary\n"
        );
        std::fs::write(dir.path().join("tables/member_feedback_monthly.csv"), t).unwrap();
        let r = audit(dir.path(), None).unwrap();
        let msgs: Vec<&str> = r.findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            msgs,
            [
                "wave 2025-Q1, forms, committee: the only hidden group (\"Audit Committee\" in committee) can be recovered: 20 - 17 = 3"
            ]
        );
    }

    #[test]
    fn without_settings_the_threshold_must_be_given() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            audit(dir.path(), None),
            Err(AuditError::NoThreshold { .. })
        ));
        let r = audit(dir.path(), Some(10)).unwrap();
        assert!(!r.passed(), "an empty folder is not a pack");
    }
}

/// End to end: random respondents → compute → derive → protect → written tables → audit.
#[cfg(test)]
mod end_to_end {
    use super::*;
    use crate::indicators::derive::{Populations, indicators, items};
    use crate::indicators::{Breakdown, compute::compute_wave};
    use polars::prelude::{Column, DataFrame};
    use proptest::prelude::*;

    fn schema() -> crate::schema::Schema {
        crate::schema::testing::schema(
            r#"
[[questions]]
id = "Q1"
text = "Q1"
type = "likert"
scale = "agree5"
[[questions]]
id = "Q2"
text = "Q2"
type = "likert"
scale = "agree5"
[[demographics]]
id = "a"
label = "A"
categories = ["a1", "a2", "a3"]
[[demographics]]
id = "b"
label = "B"
categories = ["b1", "b2"]
[[indicators]]
id = "theme"
label = "Theme"
method = "theme-pct-positive"
items = ["Q1", "Q2"]
[[indicators]]
id = "index"
label = "Index"
method = "index-0-100"
items = ["Q1", "Q2"]
min_items = 2
"#,
        )
    }

    prop_compose! {
        fn respondent()(a in 0u8..5, b in 0u8..4, q1 in 0u8..8, q2 in 0u8..8) -> (u8, u8, u8, u8) {
            (a, b, q1, q2)
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn every_written_pack_passes_the_audit(
            people in proptest::collection::vec(respondent(), 0..160),
            k in 3u32..12,
        ) {
            let s = schema();
            // a: a1 a1 a2 a3 blank (skewed so small groups are common); b: b1 b1 b2 blank.
            let a: Vec<Option<&str>> = people.iter().map(|p| [Some("a1"), Some("a1"), Some("a2"), Some("a3"), None][p.0 as usize]).collect();
            let b: Vec<Option<&str>> = people.iter().map(|p| [Some("b1"), Some("b1"), Some("b2"), None][p.1 as usize]).collect();
            let code = |c: u8| [Some(1u8), Some(2), Some(3), Some(4), Some(5), Some(9), None, Some(4)][c as usize];
            let q1: Vec<Option<u8>> = people.iter().map(|p| code(p.2)).collect();
            let q2: Vec<Option<u8>> = people.iter().map(|p| code(p.3)).collect();
            let df = DataFrame::new(people.len(), vec![
                Column::new("a".into(), a),
                Column::new("b".into(), b),
                Column::new("Q1".into(), q1),
                Column::new("Q2".into(), q2),
            ]).unwrap();
            let bs = [Breakdown::Overall, Breakdown::Field(0), Breakdown::Field(1), Breakdown::Cross(0, 1)];
            let agg = compute_wave(&s, &"w".into(), &df, &bs).unwrap();
            let pops = Populations::new(None, true);
            let it = items(&agg, &pops);
            let ind = indicators(&s, &agg, &it, &pops);
            let respondents: HashMap<crate::config::WaveId, u64> = [("w".into(), people.len() as u64)].into();
            let t = crate::disclosure::protect(&s, it, ind, Vec::new(), &respondents, k, crate::disclosure::MIN_RESPONDENTS_FOR_BREAKDOWNS);
            let dir = tempfile::tempdir().unwrap();
            std::fs::create_dir_all(dir.path().join("tables")).unwrap();
            std::fs::write(dir.path().join("tables/items.csv"), crate::report::tables::items_csv(&s, &t.items)).unwrap();
            std::fs::write(dir.path().join("tables/indicators.csv"), crate::report::tables::indicators_csv(&s, &t.indicators)).unwrap();
            let report = audit(dir.path(), Some(k)).unwrap();
            prop_assert!(report.passed(), "{}", report.render(dir.path()));
        }
    }
}
